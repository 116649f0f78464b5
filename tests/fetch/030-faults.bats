#!/usr/bin/env bats
# fd-fetch under server faults: 5xx (JSON and HTML bodies), connections
# reset mid-body, truncated bodies, latency (DESIGN.md section 3 "Retries",
# "A page is written only when complete and valid"; FRESHDESK.md trap 20).
# One simulator; each test sets its fault rules (POST /_sim/faults).

SINCE=2022-01-01T00:00:00Z

setup_file() {
	load ../common
	load ../sim/sim
	export FD_FETCH_RETRY_MS=20
	sim_start --tickets 400 --contacts 300 --window 2 --rate-total 1000000
}

teardown_file() {
	sim_stop
}

setup() {
	load ../common
	load ../sim/sim
	load fetch
	sim_ctl POST faults '[]' >/dev/null
	sim_ctl POST reset-stats >/dev/null
}

# faults JSON: set the simulator's fault rules
faults() {
	run sim_ctl POST faults "$1"
	assert_success
	[ "$(jq -r 'type' <<<"$output")" = array ] || fail "fault rules refused: $output"
}

# pairs_of STREAM: "id updated_at" of STREAM's records in $output, sorted
pairs_of() {
	printf '%s\n' "${lines[@]}" |
	    jq -r --arg s "$1" 'select(.type == "RECORD" and .stream == $s) | .record | "\(.id) \(.updated_at)"' | sort
}

# assert_exact: the run in $output holds exactly the simulator's data
assert_exact() {
	printf '%s\n' "${lines[@]}" | jq -c . >/dev/null
	diff <(pairs_of tickets) <(truth_pairs tickets)
	diff <(pairs_of contacts) <(truth_pairs contacts)
	local e
	for e in companies agents groups roles; do
		diff <(printf '%s\n' "${lines[@]}" | jq -S -c --arg s "$e" 'select(.type == "RECORD" and .stream == $s) | .record' | sort) \
		    <(sim_truth "$e" | jq -S -c '.[]' | sort)
	done
	# no id twice in a stream
	[ -z "$(printf '%s\n' "${lines[@]}" | jq -r 'select(.type == "RECORD") | "\(.stream) \(.record.id)"' | sort | uniq -d)" ]
}

# all_fired: every fault rule fired as often as it was meant to
all_fired() {
	run sim_ctl GET faults
	run jq -e 'all(.[]; .fired > 0 and (if .nth then .fired == (.nth | length) else true end))' <<<"$output"
	assert_success
}

@test "faults: 500, 502 HTML, resets, truncated bodies and latency: complete, exact, exit 0" {
	faults '[
	    {"kind":"500","nth":[2,9,23]},
	    {"kind":"502","nth":[3,12]},
	    {"kind":"503","nth":[19]},
	    {"kind":"reset","nth":[5,14,27]},
	    {"kind":"reset","bytes":0,"nth":[17]},
	    {"kind":"truncate","nth":[7,16]},
	    {"kind":"truncate","bytes":1,"nth":[21]},
	    {"kind":"latency","latency_ms":150,"every":6}]'
	run --separate-stderr fd-fetch
	assert_success
	[ -z "$stderr" ]
	assert_exact
	all_fired
}

@test "faults: faults on every endpoint, repeated: complete, exact, exit 0" {
	faults '[
	    {"kind":"500","path":"^/api/v2/tickets$","every":3},
	    {"kind":"reset","path":"^/api/v2/contacts$","every":4},
	    {"kind":"truncate","path":"^/api/v2/companies$","nth":[1,2]},
	    {"kind":"502","path":"^/api/v2/(agents|groups|roles)$","nth":[1,2]}]'
	run --separate-stderr fd-fetch
	assert_success
	assert_exact
	all_fired
}

@test "faults: retries exhausted (every request 500): exit 75, one line naming the endpoint" {
	faults '[{"kind":"500"}]'
	FD_FETCH_RETRY_MS=5 run -75 --separate-stderr fd-fetch -q groups
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: groups: "*500* ]]
	# bounded: a few attempts, not a storm
	run sim_stats
	[ "$(jq '.requests_total' <<<"$output")" -ge 3 ]
	[ "$(jq '.requests_total' <<<"$output")" -le 12 ]
}

@test "faults: retries exhausted on HTML 502 bodies: exit 75, one line" {
	faults '[{"kind":"502","path":"^/api/v2/tickets$"}]'
	FD_FETCH_RETRY_MS=5 run -75 --separate-stderr fd-fetch -q tickets
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: tickets: "*502* ]]
	# the HTML page is not dumped on the terminal
	[[ "$stderr" != *"<html>"* ]]
	[[ "$stderr" != *nginx* ]]
}

@test "faults: a page that keeps failing after good ones: the good pages and their STATE, no half page" {
	local kind
	for kind in 500 truncate reset; do
		sim_ctl POST faults "[{\"kind\":\"$kind\",\"path\":\"^/api/v2/tickets\$\",\"nth\":[2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]}]" >/dev/null
		FD_FETCH_RETRY_MS=5 run -75 --separate-stderr fd-fetch -q tickets
		[ "${#stderr_lines[@]}" -eq 1 ] || fail "$kind: $stderr"
		[[ "$stderr" == "fd-fetch: tickets: "* ]]
		# page 1, whole, then its STATE, then nothing
		printf '%s\n' "${lines[@]}" | jq -c . >/dev/null
		[ "$(printf '%s\n' "${lines[@]}" | jq -c 'select(.type == "RECORD")' | wc -l)" -eq 100 ]
		[ "$(jq -r .type <<<"${lines[-1]}")" = STATE ]
		[ "$(printf '%s\n' "${lines[@]}" | jq -c 'select(.type == "STATE")' | wc -l)" -eq 1 ]
	done
}

@test "faults: a reset on the first page: nothing on stdout, exit 75" {
	faults '[{"kind":"reset","path":"^/api/v2/contacts$"}]'
	FD_FETCH_RETRY_MS=5 run -75 --separate-stderr fd-fetch -q contacts
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: contacts: "* ]]
}

@test "faults: a 4xx is not retried" {
	run -1 --separate-stderr fd-fetch --include nonsense tickets
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: tickets: HTTP 400: "* ]]
	run sim_stats
	[ "$(jq -c .by_status <<<"$output")" = '{"400":1}' ]
}

@test "faults: latency on every request is waited out" {
	faults '[{"kind":"latency","latency_ms":400,"path":"^/api/v2/groups$"}]'
	run --separate-stderr fd-fetch groups
	assert_success
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "${lines[@]}" | jq -c 'select(.type == "RECORD")' | wc -l)" -eq "$(sim_truth groups | jq length)" ]
	run sim_stats
	[ "$(jq '.requests_total' <<<"$output")" -eq 1 ]
}

# wait_for_lines FILE N: until FILE has N lines (at most 60 s)
wait_for_lines() {
	local i
	for ((i = 0; i < 3000; i++)); do
		[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.02
	done
	return 1
}

@test "faults: while a slow page is awaited, the pages before it are already out, with their STATE" {
	# page 2 of the first window is held until the test releases it
	faults '[{"kind":"hold","path":"^/api/v2/tickets$","nth":2}]'
	local out="$BATS_TEST_TMPDIR/out" pid
	fd-fetch tickets >"$out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	sim_wait_held 1 "$pid"
	# its SCHEMAs (a wider one may come before a record), 100 RECORDs
	# and the STATE: out before page 2 comes
	local i
	for ((i = 0; i < 3000; i++)); do
		grep -q '^{"type":"STATE"' "$out" && break
		sleep 0.02
	done
	kill -0 "$pid"
	[ "$(tail -n 1 "$out" | jq -r .type)" = STATE ]
	[ "$(tail -c 1 "$out" | od -An -c | tr -d ' ')" = '\n' ]
	[ "$(grep -c '^{"type":"RECORD"' "$out")" -eq 100 ]
	[ "$(grep -c -v '^{"type":"\(RECORD\|SCHEMA\)"' "$out")" -eq 1 ]
	sim_ctl POST release >/dev/null
	wait "$pid"
	[ "$(grep -c '^{"type":"RECORD"' "$out")" -gt 100 ]
}

@test "faults: during a 429 wait, what was fetched is already out" {
	# a Retry-After far beyond the test: fd-fetch is still waiting when
	# it is killed
	faults '[{"kind":"429","retry_after":600,"path":"^/api/v2/roles$","nth":1}]'
	local out="$BATS_TEST_TMPDIR/out" pid n i
	fd-fetch --max-wait 900 groups roles >"$out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	n=$(($(sim_truth groups | jq length) + 3))	# SCHEMA, ACTIVATE_VERSION, STATE
	# the 429 answered: fd-fetch waits out its Retry-After now
	for ((i = 0; i < 3000; i++)); do
		[ "$(sim_stats | jq '.by_path["/api/v2/roles"]["429"] // 0')" -eq 1 ] && break
		sleep 0.02
	done
	wait_for_lines "$out" "$n" || { kill "$pid"; fail "groups not written out before the wait"; }
	kill -0 "$pid"
	[ "$(wc -l <"$out")" -eq "$n" ]
	[ "$(tail -n 1 "$out" | jq -r .type)" = STATE ]
	kill "$pid"
	wait "$pid" || true
}
