#!/usr/bin/env bats
# fd-sync and make sync when the run cannot start (issue 18, items 2 and
# 7): a usage error of fd-fetch's (an endpoint that does not exist) is
# fd-sync's status 2, a configuration error (no domain, no key, a host
# that does not resolve) its status 1 with fd-fetch's message passed on,
# never "try later"; and a run that fails before fetching anything
# leaves no database, no lock of fd-load's.  A DNS or network outage is
# still "try later" (75).  Names under .invalid never resolve (RFC
# 6761); FD_FETCH_REFERENCE_HOST=localhost (in /etc/hosts) stands for a
# resolver that works, another .invalid name for one that is down.

load e2e

setup() {
	e2e_setup
	e2e_sim --tickets 30 --contacts 10
	TO="sqlite:$T/fd.db"
	SYNC=(-s -C "$FD_TOP" SYNC_DOMAIN="$SIM_URL"
	    SYNC_KEY_FILE="$SIM_RUNDIR/api_key" SYNC_STATE="$ST" SYNC_TO="$TO"
	    SYNC_FETCH_FLAGS="-q --since $SINCE --max-wait 2")
	A=(--domain "$SIM_URL" --key-file "$SIM_RUNDIR/api_key" -s "$ST"
	    -t "$TO" --fetch-flags "-q --since $SINCE --max-wait 2")
	unset FRESHDESK_API_KEY FRESHDESK_DOMAIN FRESHDESK_API_KEY_FILE
	cd "$T"
}

# script [VAR=value...]: writes $T/fd-sync-acme from make sync-script
script() {
	make "${SYNC[@]}" "$@" sync-script >"$T/fd-sync-acme"
	chmod +x "$T/fd-sync-acme"
}

# nothing_made: no database, no lock of fd-load's, no state, and no
# request reached the simulator
nothing_made() {
	[ ! -e "$T/fd.db" ] || fail "a database was created"
	[ ! -e "$T/fd.db.lock" ] && [ ! -e "$ST.lock" ] && [ ! -e "$ST" ] ||
	    fail "fd-load ran: $(ls "$T")"
	[ "$(sim_stats | jq .requests_total)" -eq 0 ]
}

@test "sync errors: an endpoint that does not exist: usage error (2) from fd-sync, its script and make sync, and no database" {
	run -2 --separate-stderr fd-sync "${A[@]}" ticket
	[ -z "$output" ]
	[ "$stderr" = "fd-fetch: ticket: unknown endpoint (did you mean tickets?)
fd-sync: failed: fd-fetch exited 2: a usage error" ]
	nothing_made
	script SYNC_ENDPOINTS="tickets contact"
	run -2 --separate-stderr "$T/fd-sync-acme"
	[ "$stderr" = "fd-fetch: contact: unknown endpoint (did you mean contacts?)
fd-sync: failed: fd-fetch exited 2: a usage error" ]
	nothing_made
	# make exits 2 for any failure; the message is fd-sync's
	run -2 --separate-stderr make "${SYNC[@]}" SYNC_ENDPOINTS=ticket sync
	[[ "$stderr" == "fd-fetch: ticket: unknown endpoint (did you mean tickets?)
fd-sync: failed: fd-fetch exited 2: a usage error"* ]]
	nothing_made
	# an unknown option of fd-fetch's, in the flags: the same
	run -2 --separate-stderr fd-sync "${A[@]}" --fetch-flags "-q --bogus"
	[ "${stderr_lines[0]}" = "fd-fetch: unrecognized option '--bogus'" ]
	[ "${stderr_lines[-1]}" = "fd-sync: failed: fd-fetch exited 2: a usage error" ]
	nothing_made
	# the same settings, the endpoint spelt right: it runs
	run -0 --separate-stderr fd-sync "${A[@]}" tickets
	[ -z "$output$stderr" ]
	truth tickets
}

@test "sync errors: fd-load's usage error (2) is fd-sync's" {
	script SYNC_LOAD_FLAGS="-q --mode upsert"
	run -2 --separate-stderr "$T/fd-sync-acme"
	[[ "$stderr" == *"fd-load: --mode upsert: expected append, replace or merge"* ]]
	[ "${stderr_lines[-1]}" = "fd-sync: failed: fd-load exited 2: a usage error" ]
	[ ! -e "$T/fd.db" ]
}

@test "sync errors: a domain whose host does not resolve: failed (1), fd-fetch's message passed on, not try later, no database" {
	local msg="fd-fetch: acme-typo.invalid: the host does not resolve (localhost does): check FRESHDESK_DOMAIN or --domain"
	export FD_FETCH_REFERENCE_HOST=localhost
	run -1 --separate-stderr fd-sync "${A[@]}" --domain acme-typo.invalid
	[ -z "$output" ]
	[ "$stderr" = "$msg
fd-sync: failed: fd-fetch exited 1" ]
	nothing_made
	script SYNC_DOMAIN=acme-typo.invalid
	run -1 --separate-stderr "$T/fd-sync-acme"
	[ "$stderr" = "$msg
fd-sync: failed: fd-fetch exited 1" ]
	nothing_made
	run -2 --separate-stderr make "${SYNC[@]}" SYNC_DOMAIN=acme-typo.invalid sync
	[[ "$stderr" == "$msg
fd-sync: failed: fd-fetch exited 1"* ]]
	[[ "$stderr" != *"try later"* ]]
	nothing_made
}

@test "sync errors: neither the host nor the reference resolves (DNS or network down): try later (75)" {
	FD_FETCH_REFERENCE_HOST=reference.invalid \
	    run -75 --separate-stderr fd-sync "${A[@]}" --domain acme-typo.invalid \
	    --fetch-flags "-q --max-wait 0"
	[[ "${stderr_lines[0]}" == "fd-fetch: "*": Could not resolve host: acme-typo.invalid; reference.invalid does not resolve either: DNS or the network is down; a retry in "* ]]
	[ "${stderr_lines[-1]}" = "fd-sync: the API is not answering (rate limit, network): try later" ]
	[ ! -e "$T/fd.db" ]
}

@test "sync errors: no domain, no key: configuration errors (1), naming the setting, nothing run" {
	run -1 --separate-stderr fd-sync -s "$ST" -t "$TO" --key-file "$SIM_RUNDIR/api_key"
	[ "$stderr" = "fd-sync: no domain: give --domain or set FRESHDESK_DOMAIN" ]
	run -1 --separate-stderr fd-sync -s "$ST" -t "$TO" --domain "$SIM_URL"
	[ "$stderr" = "fd-sync: no key: give --key-file, or set FRESHDESK_API_KEY_FILE or FRESHDESK_API_KEY" ]
	script SYNC_DOMAIN=
	run -1 --separate-stderr "$T/fd-sync-acme"
	[ "$stderr" = "fd-sync: no domain: set SYNC_DOMAIN" ]
	script SYNC_KEY_FILE=
	run -1 --separate-stderr "$T/fd-sync-acme"
	[ "$stderr" = "fd-sync: no key: set SYNC_KEY_FILE" ]
	run -2 --separate-stderr make "${SYNC[@]}" SYNC_KEY_FILE= sync
	[[ "$stderr" == "fd-sync: no key: set SYNC_KEY_FILE"* ]]
	nothing_made
	[ ! -e "$ST.sync.lock" ]
}
