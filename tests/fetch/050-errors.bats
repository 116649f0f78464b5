#!/usr/bin/env bats
# fd-fetch's failures: HTTP errors, feature-gated endpoints, usage
# errors, credentials, domains, a closed pipe (DESIGN.md sections 3 and
# 6; FRESHDESK.md traps 20 and 21).  One simulator for the file.

WANT_401='fd-fetch: tickets: HTTP 401: invalid_credentials: You have to be logged in to perform this action.'

setup_file() {
	load ../common
	load ../sim/sim
	export FD_FETCH_RETRY_MS=20
	sim_start --tickets 1000 --contacts 200 --window 2 --rate-total 1000000 \
	    --no-feature time_entries,satisfaction_ratings
}

teardown_file() {
	sim_stop
}

setup() {
	load ../common
	load ../sim/sim
	sim_ctl POST faults '[]' >/dev/null
	sim_ctl POST config '{"role":"admin"}' >/dev/null
	sim_ctl POST reset-stats >/dev/null
}

# requests: API requests the simulator answered since setup
requests() {
	sim_stats | jq .requests_total
}

@test "errors: a wrong API key: exit 1, the API's message, no RECORD, no retry" {
	FRESHDESK_API_KEY=not-the-key run -1 --separate-stderr fd-fetch tickets
	[ "$stderr" = "$WANT_401" ]
	run grep -c '"RECORD"' <<<"$output"
	[ "$output" = 0 ]
	[ "$(requests)" -eq 1 ]
}

@test "errors: a wrong API key with the default endpoints stops at the first" {
	FRESHDESK_API_KEY=not-the-key run -1 --separate-stderr fd-fetch -q
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: agents: HTTP 401: invalid_credentials: "* ]]
	[ "$(requests)" -eq 1 ]
}

@test "errors: 403 require_feature on one endpoint: a warning, the others fetched, exit 0" {
	run --separate-stderr fd-fetch time_entries groups
	assert_success
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: time_entries: "*403*require_feature* ]]
	diff <(printf '%s\n' "${lines[@]}" | jq -S -c 'select(.type == "RECORD" and .stream == "groups") | .record' | sort) \
	    <(sim_truth groups | jq -S -c '.[]' | sort)
	# nothing at all for the skipped endpoint: above all no
	# ACTIVATE_VERSION, which would empty its table downstream
	run jq -c 'select(.stream == "time_entries")' <<<"$output"
	[ -z "$output" ]
}

@test "errors: 403 require_feature on an incremental endpoint leaves its bookmark alone" {
	echo '{"bookmarks":{"satisfaction_ratings":{"updated_at":"2025-01-01T00:00:00Z","ids_at_cursor":[7]}}}' >"$BATS_TEST_TMPDIR/state"
	run --separate-stderr fd-fetch -s "$BATS_TEST_TMPDIR/state" satisfaction_ratings roles
	assert_success
	[[ "$stderr" == "fd-fetch: satisfaction_ratings: "*403*require_feature* ]]
	run jq -c 'select(.type == "STATE") | .value.bookmarks.satisfaction_ratings' <<<"$output"
	[ "${lines[-1]}" = '{"updated_at":"2025-01-01T00:00:00Z","ids_at_cursor":[7]}' ]
}

@test "errors: 403 require_feature on a per-ticket endpoint: one warning, one refused request, tickets whole" {
	run --separate-stderr fd-fetch --since 2026-10-01T00:00:00Z tickets time_entries
	assert_success
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: time_entries: skipped: HTTP 403: require_feature: "* ]]
	diff <(printf '%s\n' "${lines[@]}" | jq -r 'select(.type == "RECORD" and .stream == "tickets") | .record.id' | sort) \
	    <(sim_truth tickets | jq -r '.[] | select(.updated_at >= "2026-10-01T00:00:00Z") | .id' | sort)
	# the other tickets were not asked for their time entries
	[ "$(sim_stats | jq '.by_route["/api/v2/tickets/{id}/time_entries"] | [.[]] | add')" -eq 1 ]
	out=$output
	run jq -c 'select(.stream == "time_entries")' <<<"$out"
	[ -z "$output" ]
	# its bookmark is not set: a plan that gains it reads from --since
	run jq -c 'select(.type == "STATE") | .value.bookmarks.time_entries' <<<"$out"
	[ "${#lines[@]}" -gt 1 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u)" = null ]
}

# ids STREAM: the sorted unique ids of STREAM's records in $output
ids() {
	printf '%s\n' "${lines[@]}" | jq -r --arg s "$1" 'select(.type == "RECORD" and .stream == $s) | .record.id' | sort -u
}

# truth_ids NAME [SINCE]: the sorted ids of the simulator's NAME records
# (updated since SINCE)
truth_ids() {
	sim_truth "$1" | jq -r --arg t "${2-}" '.[] | select(.updated_at >= $t) | .id' | sort -u
}

@test "errors: a non-admin key, default endpoints: agents, groups, roles skipped with one warning each, the rest whole, exit 0 (trap 25)" {
	# an ordinary agent's key: 403 access_denied on the admin endpoints
	# (FRESHDESK.md Part 3 point 5)
	sim_ctl POST config '{"role":"agent"}' >/dev/null
	run --separate-stderr fd-fetch
	assert_success
	[ "${#stderr_lines[@]}" -eq 3 ] || fail "stderr: $stderr"
	local e
	for e in agents groups roles; do
		printf '%s\n' "${stderr_lines[@]}" | grep -qx "fd-fetch: $e: skipped: HTTP 403: access_denied: the API key's agent lacks the admin rights to read it" ||
		    fail "no warning for $e: $stderr"
		# nothing at all of them downstream: no SCHEMA, no
		# ACTIVATE_VERSION that would empty their tables
		[ -z "$(printf '%s\n' "${lines[@]}" | jq -c --arg e "$e" 'select(.stream == $e)')" ]
	done
	# tickets, contacts, companies: every record of the truth
	diff <(ids tickets) <(truth_ids tickets 2022-01-01T00:00:00Z)
	diff <(ids contacts) <(truth_ids contacts 2022-01-01T00:00:00Z)
	diff <(ids companies) <(truth_ids companies)
	[ "$(printf '%s\n' "${lines[@]}" | jq -c 'select(.type == "ACTIVATE_VERSION") | .stream')" = '"companies"' ]
	# one refused request each, and a last STATE
	run sim_stats
	[ "$(jq -c '[.by_path["/api/v2/agents"], .by_path["/api/v2/groups"], .by_path["/api/v2/roles"]]' <<<"$output")" = '[{"403":1},{"403":1},{"403":1}]' ]
}

@test "errors: a non-admin key with -j 3: the same, the warnings once each" {
	sim_ctl POST config '{"role":"agent"}' >/dev/null
	run --separate-stderr fd-fetch -j 3 agents groups roles companies surveys satisfaction_ratings
	assert_success
	# satisfaction_ratings lacks the feature too: the privilege check
	# comes first
	[ "${#stderr_lines[@]}" -eq 5 ] || fail "stderr: $stderr"
	[ "$(printf '%s\n' "${stderr_lines[@]}" | grep -c "skipped: HTTP 403: access_denied: the API key's agent lacks the admin rights")" -eq 5 ]
	diff <(ids companies) <(truth_ids companies)
}

@test "errors: -q silences the access_denied warning" {
	sim_ctl POST config '{"role":"agent"}' >/dev/null
	run --separate-stderr fd-fetch -q groups companies
	assert_success
	[ -z "$stderr" ]
	diff <(ids companies) <(truth_ids companies)
}

@test "errors: -q silences the require_feature warning" {
	run --separate-stderr fd-fetch -q time_entries groups
	assert_success
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -c 'select(.type == "RECORD")' | wc -l)" -eq "$(sim_truth groups | jq length)" ]
}

@test "errors: an unknown endpoint is a usage error, before any request" {
	run -2 --separate-stderr fd-fetch groups no_such_endpoint
	[ -z "$output" ]
	[ "$stderr" = "fd-fetch: no_such_endpoint: unknown endpoint" ]
	[ "$(requests)" -eq 0 ]
}

@test "errors: no domain is a configuration error (1) with a message" {
	run -1 --separate-stderr env -u FRESHDESK_DOMAIN fd-fetch groups
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: "*domain* ]]
	# --domain is enough
	run -0 --separate-stderr env -u FRESHDESK_DOMAIN fd-fetch --domain "$SIM_URL" groups
	[ -z "$stderr" ]
	# and wins over the environment
	FRESHDESK_DOMAIN=http://127.0.0.1:1 run -0 --separate-stderr fd-fetch --domain "$SIM_URL" groups
}

@test "errors: plain http to a host that is not loopback is a configuration error (1)" {
	local d
	for d in http://example.com http://example.com:8080/ http://10.1.2.3; do
		run -1 --separate-stderr fd-fetch --domain "$d" groups
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == "fd-fetch: "*http* ]]
	done
	[ "$(requests)" -eq 0 ]
}

@test "errors: plain http to a host that only starts like a loopback one is a configuration error (1)" {
	local d
	for d in http://127.0.0.1.example.com http://localhost.example.com \
	    http://localhost.example.com:8080 http://127.0.0.1@example.com; do
		FD_FETCH_RETRY_MS=1 run -1 --separate-stderr fd-fetch --domain "$d" groups
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == "fd-fetch: "*http* ]]
	done
}

@test "errors: a malformed domain is a configuration error (1)" {
	local d
	for d in '' 'acme corp' 'acme/x' 'ftp://acme.freshdesk.com'; do
		run -1 --separate-stderr fd-fetch --domain "$d" groups
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
	done
	[ "$(requests)" -eq 0 ]
}

@test "errors: acme and acme.freshdesk.com both mean https://acme.freshdesk.com (trap 21)" {
	# the simulator as the HTTPS proxy: it sees where fd-fetch wants to
	# go, refuses to tunnel, and nothing leaves this machine
	local d
	for d in acme acme.freshdesk.com https://acme.freshdesk.com; do
		sim_ctl POST reset-stats >/dev/null
		https_proxy=$SIM_URL HTTPS_PROXY=$SIM_URL FD_FETCH_RETRY_MS=1 \
		    run -75 --separate-stderr env -u no_proxy -u NO_PROXY -u all_proxy -u ALL_PROXY \
		    fd-fetch --domain "$d" groups
		[ -z "$output" ]
		[ "$(sim_stats | jq -r '.proxy_connects | unique | join(" ")')" = acme.freshdesk.com:443 ]
	done
}

@test "errors: no API key: exit 1 with a message, before any request" {
	run -1 --separate-stderr env -u FRESHDESK_API_KEY -u FRESHDESK_API_KEY_FILE fd-fetch groups
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: "*FRESHDESK_API_KEY* ]]
	FRESHDESK_API_KEY= run -1 --separate-stderr env -u FRESHDESK_API_KEY_FILE fd-fetch groups
	[[ "$stderr" == "fd-fetch: "*FRESHDESK_API_KEY* ]]
	[ "$(requests)" -eq 0 ]
}

@test "errors: the key from FRESHDESK_API_KEY_FILE works" {
	printf '%s\n' "$FRESHDESK_API_KEY" >"$BATS_TEST_TMPDIR/key"
	chmod 0600 "$BATS_TEST_TMPDIR/key"
	FRESHDESK_API_KEY_FILE="$BATS_TEST_TMPDIR/key" run -0 --separate-stderr \
	    env -u FRESHDESK_API_KEY fd-fetch groups
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -c 'select(.type == "RECORD")' | wc -l)" -eq "$(sim_truth groups | jq length)" ]
	# a missing or empty key file: exit 1, a message naming it
	FRESHDESK_API_KEY_FILE="$BATS_TEST_TMPDIR/nokey" run -1 --separate-stderr \
	    env -u FRESHDESK_API_KEY fd-fetch groups
	[[ "$stderr" == "fd-fetch: $BATS_TEST_TMPDIR/nokey"* ]]
	: >"$BATS_TEST_TMPDIR/empty"
	FRESHDESK_API_KEY_FILE="$BATS_TEST_TMPDIR/empty" run -1 --separate-stderr \
	    env -u FRESHDESK_API_KEY fd-fetch groups
	[[ "$stderr" == "fd-fetch: $BATS_TEST_TMPDIR/empty"* ]]
	[ "$(requests)" -eq 1 ]
}

@test "errors: a bad --since or --until is a usage error" {
	run -2 --separate-stderr fd-fetch --since yesterday tickets
	[ -z "$output" ]
	[[ "$stderr" == "fd-fetch: --since yesterday: "* ]]
	run -2 --separate-stderr fd-fetch --until 2024-06-01T10 tickets
	[ -z "$output" ]
	[[ "$stderr" == "fd-fetch: --until 2024-06-01T10: "* ]]
	run -2 --separate-stderr fd-fetch --plan platinum tickets
	[ -z "$output" ]
	[[ "$stderr" == "fd-fetch: --plan platinum: "* ]]
	[ "$(requests)" -eq 0 ]
}

@test "errors: a --since or --until with fields out of range is a usage error, not another time" {
	local t
	for t in 2024-13-45T00:00:00Z 2024-02-30T00:00:00Z 2024-06-01T25:00:00Z 2024-06-01T10:61:00Z; do
		run -2 --separate-stderr fd-fetch --since "$t" tickets
		[ -z "$output" ]
		[[ "$stderr" == "fd-fetch: --since $t: "* ]]
		run -2 --separate-stderr fd-fetch --until "$t" tickets
		[ -z "$output" ]
		[[ "$stderr" == "fd-fetch: --until $t: "* ]]
	done
	[ "$(requests)" -eq 0 ]
}

@test "errors: a progress line on a terminal's stderr (each endpoint's records, requests), none with -q or off a terminal" {
	command -v script >/dev/null || skip "script(1) is not installed"
	run -0 script -qefc "fd-fetch groups roles >/dev/null" /dev/null
	[[ "$output" == *"fd-fetch: 2 requests · groups $(sim_truth groups | jq length), roles $(sim_truth roles | jq length)"* ]] ||
	    fail "no progress line: $output"
	run -0 script -qefc "fd-fetch -q groups roles >/dev/null" /dev/null
	[ -z "$output" ]
	run -0 --separate-stderr fd-fetch groups roles
	[ -z "$stderr" ]
}

@test "errors: a write error on stdout: exit 1 with one line" {
	run --separate-stderr bash -c 'fd-fetch groups >/dev/full'
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: "* ]]
}

@test "errors: loopback URLs in their several forms are accepted" {
	local d
	for d in "$SIM_URL" "$SIM_URL/" "http://localhost:$SIM_PORT" "http://localhost:$SIM_PORT//"; do
		run -0 --separate-stderr fd-fetch --domain "$d" roles
		[ -z "$stderr" ]
		[ "$(printf '%s\n' "${lines[@]}" | jq -c 'select(.type == "RECORD")' | wc -l)" -eq "$(sim_truth roles | jq length)" ]
	done
}

@test "errors: an --include that does not fit in a query is refused, not retried nor spliced in" {
	FD_FETCH_RETRY_MS=1 run --separate-stderr fd-fetch --include 'description, stats' --since 2026-10-25T00:00:00Z tickets
	[ "$status" -eq 2 ] || [ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$(requests)" -le 1 ]
	# a '&' must not smuggle in another updated_since
	FD_FETCH_RETRY_MS=1 run --separate-stderr fd-fetch --include 'stats&updated_since=2000-01-01T00:00:00Z' \
	    --since 2026-10-25T00:00:00Z tickets
	[ "$status" -eq 2 ] || [ "$status" -eq 1 ]
	run jq -r 'select(.type == "RECORD") | .record.updated_at' <<<"$output"
	[ -z "$output" ]
}

@test "errors: a closed pipe ends fd-fetch quickly and quietly, non-zero" {
	run --separate-stderr timeout 20 bash -c \
	    'fd-fetch tickets contacts | head -c 100 >/dev/null; echo "${PIPESTATUS[0]}"'
	assert_success
	[ "$output" -ne 0 ]
	[ "$output" -ne 124 ]
	[ -z "$stderr" ]
	# it stopped early: far from the whole run's requests
	[ "$(requests)" -le 3 ]
}

@test "errors: a closed pipe with SIGPIPE ignored: exit 1, nothing on stderr" {
	run --separate-stderr timeout 20 bash -c \
	    'trap "" PIPE; fd-fetch tickets contacts | head -c 100 >/dev/null; echo "${PIPESTATUS[0]}"'
	assert_success
	[ "$output" -eq 1 ]
	[ -z "$stderr" ]
	[ "$(requests)" -le 3 ]
}
