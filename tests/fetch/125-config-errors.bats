#!/usr/bin/env bats
# fd-fetch's configuration errors exit 1, its usage errors 2 (issue 18,
# items 2 and 7): no key, a key file that cannot be read, no domain, a
# domain that is not one, and a domain whose host does not resolve
# while the reference host does; a host that does not resolve while
# the reference does not either is a resolver or network down, retried
# and given up with 75.  Names under .invalid never resolve (RFC 6761)
# and localhost resolves from /etc/hosts, so FD_FETCH_REFERENCE_HOST
# makes either case without a network.  The key shows in no output.

setup() {
	load ../common
	unset FRESHDESK_DOMAIN FRESHDESK_API_KEY_FILE FD_FETCH_RETRY_MS
	export FRESHDESK_API_KEY=fdk-Cfg7Hq2Wn9Zr4Tx1
	KEY=$FRESHDESK_API_KEY
	# nothing listens there: a request would fail, and be retried
	NOWHERE=http://127.0.0.1:1
}

# no_key: neither $output nor $stderr holds the key
no_key() {
	[[ "$output$stderr" != *"$KEY"* ]] || fail "the key is in the output"
}

# gets: the requests a -v run made (its "GET" lines)
gets() {
	printf '%s\n' "${stderr_lines[@]}" | grep -c '^fd-fetch: GET ' || :
}

@test "config: a host that does not resolve while the reference does: exit 1 at the first request, no retry, one line naming the host" {
	FD_FETCH_REFERENCE_HOST=localhost run -1 --separate-stderr \
	    fd-fetch --domain acme-typo.invalid groups
	[ -z "$output" ]
	[ "$stderr" = "fd-fetch: acme-typo.invalid: the host does not resolve (localhost does): check FRESHDESK_DOMAIN or --domain" ]
	no_key
	# -v: one request, never retried (the default backoff would have
	# waited 1, 2, 4 ... s for six more)
	FD_FETCH_REFERENCE_HOST=localhost run -1 --separate-stderr \
	    fd-fetch -v --domain https://acme-typo.invalid groups
	[ "$(gets)" -eq 1 ]
	[[ "$stderr" != *retrying* ]]
	[ "${stderr_lines[-1]}" = "fd-fetch: acme-typo.invalid: the host does not resolve (localhost does): check FRESHDESK_DOMAIN or --domain" ]
	no_key
	# from FRESHDESK_DOMAIN, with a port, and with workers (-j, several
	# endpoints): the same
	FRESHDESK_DOMAIN=https://help.acme-typo.invalid:8443/ \
	    FD_FETCH_REFERENCE_HOST=localhost run -1 --separate-stderr \
	    fd-fetch -j 4 groups roles agents companies
	[ -z "$output" ]
	# every worker meets the unknown host: one of them tells it, once
	[ "$stderr" = "fd-fetch: help.acme-typo.invalid:8443: the host does not resolve (localhost does): check FRESHDESK_DOMAIN or --domain" ]
	no_key
}

@test "config: neither the host nor the reference resolves: DNS or network down, retried, then 75 (try later)" {
	FD_FETCH_REFERENCE_HOST=reference.invalid FD_FETCH_RETRY_MS=1 \
	    run -75 --separate-stderr fd-fetch -v --domain acme.invalid groups
	[ -z "$output" ]
	[ "$(gets)" -eq 7 ]
	[ "${stderr_lines[-1]}" = "fd-fetch: groups: giving up after 7 attempts: Could not resolve host: acme.invalid; reference.invalid does not resolve either: DNS or the network is down" ]
	no_key
	# the retries bounded by --max-wait as any other: 75 at once
	FD_FETCH_REFERENCE_HOST=reference.invalid FD_FETCH_RETRY_MS=2000 \
	    run -75 --separate-stderr fd-fetch --max-wait 0 --domain acme.invalid groups
	[[ "$stderr" == "fd-fetch: groups: Could not resolve host: acme.invalid; reference.invalid does not resolve either: DNS or the network is down; a retry in "*"s is beyond --max-wait 0s" ]]
	no_key
}

@test "config: no API key, a key file that cannot be read or is empty: exit 1, one line, no request" {
	local k=$BATS_TEST_TMPDIR/key
	run -1 --separate-stderr env -u FRESHDESK_API_KEY fd-fetch --domain "$NOWHERE" -v groups
	[ -z "$output" ]
	[ "$stderr" = "fd-fetch: no API key: set FRESHDESK_API_KEY or FRESHDESK_API_KEY_FILE, or api_key_file in --config" ]
	FRESHDESK_API_KEY= run -1 --separate-stderr fd-fetch --domain "$NOWHERE" groups
	[ "$stderr" = "fd-fetch: no API key: set FRESHDESK_API_KEY or FRESHDESK_API_KEY_FILE, or api_key_file in --config" ]
	FRESHDESK_API_KEY_FILE=$k.none run -1 --separate-stderr \
	    env -u FRESHDESK_API_KEY fd-fetch --domain "$NOWHERE" -v groups
	[ "$stderr" = "fd-fetch: $k.none: No such file or directory" ]
	: >"$k"
	FRESHDESK_API_KEY_FILE=$k run -1 --separate-stderr \
	    env -u FRESHDESK_API_KEY fd-fetch --domain "$NOWHERE" -v groups
	[ "$stderr" = "fd-fetch: $k: empty key file" ]
	printf '%s\n' "$KEY" >"$k"
	chmod 0 "$k"
	if ! [ -r "$k" ]; then	# root reads it all the same
		FRESHDESK_API_KEY_FILE=$k run -1 --separate-stderr \
		    env -u FRESHDESK_API_KEY fd-fetch --domain "$NOWHERE" -v groups
		[ "$stderr" = "fd-fetch: $k: Permission denied" ]
	fi
	# in a --config file too
	printf '{"domain": "%s", "api_key_file": "%s"}\n' "$NOWHERE" "$k.none" >"$k.json"
	run -1 --separate-stderr fd-fetch --config "$k.json" groups
	[ "$stderr" = "fd-fetch: $k.none: No such file or directory" ]
	no_key
}

@test "config: no domain, or one that is not a domain, from the environment, --domain or --config: exit 1, one line" {
	run -1 --separate-stderr fd-fetch groups
	[ -z "$output" ]
	[ "$stderr" = "fd-fetch: no domain: use --domain or set FRESHDESK_DOMAIN" ]
	no_key
	# no key either: the domain is told first, with the same status
	run -1 --separate-stderr env -u FRESHDESK_API_KEY fd-fetch groups
	[ "$stderr" = "fd-fetch: no domain: use --domain or set FRESHDESK_DOMAIN" ]
	local d
	for d in '' 'acme corp' 'acme/x' 'ftp://acme.freshdesk.com' \
	    http://example.com https://acme.invalid/api; do
		run -1 --separate-stderr fd-fetch --domain "$d" groups
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == "fd-fetch: $d: "* ]]
		FRESHDESK_DOMAIN=$d run -1 --separate-stderr fd-fetch groups
		[[ "$stderr" == "fd-fetch: $d: "* ]]
	done
	printf '{"domain": "acme/x"}\n' >"$BATS_TEST_TMPDIR/c.json"
	run -1 --separate-stderr fd-fetch --config "$BATS_TEST_TMPDIR/c.json" groups
	[ "$stderr" = "fd-fetch: acme/x: not a Freshdesk domain" ]
	no_key
}

@test "config: a bad command line stays a usage error (2), told before the configuration" {
	run -2 --separate-stderr fd-fetch --domain "$NOWHERE" ticket
	[ "$stderr" = "fd-fetch: ticket: unknown endpoint (did you mean tickets?)" ]
	run -2 --separate-stderr fd-fetch --no-such-option
	[ -z "$output" ]
	# an unknown endpoint with no domain: the usage error
	run -2 --separate-stderr env -u FRESHDESK_API_KEY fd-fetch ticket
	[ "$stderr" = "fd-fetch: ticket: unknown endpoint (did you mean tickets?)" ]
	run -2 --separate-stderr fd-fetch --domain "$NOWHERE" --since yesterday tickets
	[[ "$stderr" == "fd-fetch: --since yesterday: "* ]]
	no_key
}
