#!/usr/bin/env bats
# make sync, the Makefile-driven sync for cron, against the simulator:
# silent when it works, the truth in the destination; its lock; "try
# later" (75) told from "failed" (1) by the script "make sync-script"
# writes (make itself exits 2 for both, with the same message).

load e2e

setup() {
	e2e_setup
	e2e_sim --tickets 300 --contacts 100
	TO="sqlite:$T/fd.db"
	SYNC=(-s -C "$FD_TOP" SYNC_DOMAIN="$SIM_URL"
	    SYNC_KEY_FILE="$SIM_RUNDIR/api_key" SYNC_STATE="$ST" SYNC_TO="$TO"
	    SYNC_FETCH_FLAGS="-q --since $SINCE --max-wait 2")
	unset FRESHDESK_API_KEY FRESHDESK_DOMAIN
}
q() {
	sqlite3 "$T/fd.db" "$1"
}

# script [VAR=value...]: writes $T/fd-sync from make sync-script
script() {
	make "${SYNC[@]}" "$@" sync-script >"$T/fd-sync"
	chmod +x "$T/fd-sync"
}

@test "e2e sync: make sync loads the truth, silently, and a second run only what changed" {
	run -0 --separate-stderr make "${SYNC[@]}" sync
	[ -z "$output$stderr" ]
	truth
	[ "$(jq -c . "$ST")" = "$(db_state | jq -c .)" ]
	advance 10
	mutate "{\"ids\":$(sim_truth tickets | jq -c 'map(select((.deleted | not) and (.spam | not)))[:2] | map(.id)')}" >/dev/null
	sim_ctl POST reset-stats >/dev/null
	run -0 --separate-stderr make "${SYNC[@]}" sync
	[ -z "$output$stderr" ]
	truth
	[ "$(requests /api/v2/tickets)" -eq 3 ]
	# the key never on a command line: only its file's name
	! make "${SYNC[@]}" sync-script | grep -F -e "$(cat "$SIM_RUNDIR/api_key")"
}

@test "e2e sync: one endpoint at a time on one state file keeps the others' bookmarks" {
	run -0 make "${SYNC[@]}" SYNC_ENDPOINTS=tickets sync
	run -0 make "${SYNC[@]}" SYNC_ENDPOINTS="contacts agents" sync
	[ "$(jq -c '.bookmarks | keys' "$ST")" = '["contacts","contacts:blocked","contacts:deleted","tickets","tickets:deleted","tickets:spam"]' ]
	truth tickets contacts agents
}

@test "e2e sync: a sync holding the lock: the next one is told to try later (75)" {
	script
	exec 8>>"$ST.sync.lock"
	flock 8
	run --separate-stderr "$T/fd-sync"
	[ "$status" -eq 75 ]
	[ "$stderr" = "fd-sync: $ST.sync.lock: another sync is running: try later" ]
	[ ! -e "$T/fd.db" ]
	run --separate-stderr make "${SYNC[@]}" sync
	[ "$status" -eq 2 ]
	[[ "$stderr" == "fd-sync: $ST.sync.lock: another sync is running: try later"* ]]
	exec 8>&-
	run -0 "$T/fd-sync"
	truth
}

@test "e2e sync: the API rate-limited beyond --max-wait, or not answering: try later (75)" {
	script
	# the tickets list answers 429 with a Retry-After of 30 s
	sim_ctl POST faults '[{"kind":429,"retry_after":30,"path":"^/api/v2/tickets$"}]' >/dev/null
	run --separate-stderr "$T/fd-sync"
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"fd-sync: the API is not answering (rate limit, network): try later" ]]
	# what was committed before is kept, the state not past it
	covered "$ST"
	[[ "$stderr" == *"HTTP 429: a wait of 30s (Retry-After or backoff) is beyond --max-wait 2s"* ]]
	sim_ctl POST faults '[]' >/dev/null
	run -0 "$T/fd-sync"
	truth
	# nothing listens there any more
	sim_stop
	run --separate-stderr "$T/fd-sync"
	[ "$status" -eq 75 ]
	[[ "$stderr" == *"try later" ]]
}

@test "e2e sync: a wrong key, an unreadable key file or no domain: failed (1)" {
	echo wrong-key >"$T/key"
	script SYNC_KEY_FILE="$T/key"
	run --separate-stderr "$T/fd-sync"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"HTTP 401"* ]]
	[[ "$stderr" == *"fd-sync: failed: fd-fetch exited 1" ]]
	script SYNC_KEY_FILE="$T/nokey"
	run --separate-stderr "$T/fd-sync"
	[ "$status" -eq 1 ]
	[ "$stderr" = "fd-sync: $T/nokey: cannot read the key file" ]
	script SYNC_DOMAIN=
	run --separate-stderr "$T/fd-sync"
	[ "$status" -eq 1 ]
	[ "$stderr" = "fd-sync: no domain: set SYNC_DOMAIN" ]
	# a destination that cannot be written: failed
	script SYNC_TO="sqlite:$T/no/such/dir/fd.db"
	run --separate-stderr "$T/fd-sync"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"fd-sync: failed: fd-load exited 1" ]]
}

@test "e2e sync: no key: failed (1); the key from the environment; SYNC_LOCK and the flags reach fd-sync" {
	script SYNC_KEY_FILE=
	run --separate-stderr "$T/fd-sync"
	[ "$status" -eq 1 ]
	[ "$stderr" = "fd-sync: no key: set SYNC_KEY_FILE" ]
	[ ! -e "$ST.sync.lock" ]
	# FRESHDESK_API_KEY when the script runs will do
	FRESHDESK_API_KEY=$(cat "$SIM_RUNDIR/api_key") run -0 --separate-stderr "$T/fd-sync"
	[ -z "$output$stderr" ]
	truth
	# the lock SYNC_LOCK names
	script SYNC_LOCK="$T/other.lock"
	exec 8>>"$T/other.lock"
	flock 8
	run --separate-stderr "$T/fd-sync"
	[ "$status" -eq 75 ]
	[ "$stderr" = "fd-sync: $T/other.lock: another sync is running: try later" ]
	exec 8>&-
	# the flags as given: a bad one fails fd-fetch, and make says so
	run --separate-stderr make "${SYNC[@]}" SYNC_FETCH_FLAGS="-q --bad" sync
	[ "$status" -eq 2 ]
	[[ "${stderr_lines[0]}" == "fd-fetch: unrecognized option '--bad'" ]]
	[[ "$stderr" == *"fd-sync: failed: fd-fetch exited 2"* ]]
	run --separate-stderr make "${SYNC[@]}" SYNC_LOAD_FLAGS="-q --mode upsert" sync
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"fd-load: --mode upsert: expected append, replace or merge"* ]]
	[[ "$stderr" == *"fd-sync: failed: fd-load exited 2"* ]]
}
