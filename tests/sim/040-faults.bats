#!/usr/bin/env bats
# Faults on demand: 5xx, reset mid-body, truncated JSON, latency, spurious
# 429, and their schedules.

load test_helper

setup_file() {
	sim_start --tickets 300 --rate-total 1000000 --tickets-list-limit 1000000
}

teardown_file() {
	sim_stop
}

teardown() {
	# a test that started its own simulator stops it
	[[ -z "${OWN_SIM:-}" ]] || sim_stop
}

setup() {
	sim_ctl POST faults '[]' >/dev/null
	sim_ctl POST config '{"latency_ms":0}' >/dev/null
}

faults() {
	run sim_ctl POST faults "$1"
	assert_success
	assert_output --partial '"seen":0'
}

@test "500 with the JSON internal_error body on the Nth matching request" {
	faults '[{"kind":"500","path":"^/api/v2/tickets$","nth":2}]'
	fetch "/api/v2/tickets?per_page=5"
	assert_equal "$CODE" 200
	fetch /api/v2/agents
	assert_equal "$CODE" 200
	fetch "/api/v2/tickets?per_page=5"
	assert_equal "$CODE" 500
	assert_equal "$(cat "$B")" '{"code":"internal_error","message":"We'"'"'re sorry, but something went wrong."}'
	assert_equal "$(header Content-Type)" "application/json; charset=utf-8"
	fetch "/api/v2/tickets?per_page=5"
	assert_equal "$CODE" 200
	run jq -c '.[0] | [.seen, .fired]' <<<"$(sim_ctl GET faults)"
	assert_output '[3,1]'
}

@test "404 with an empty body: a record gone between a list and its children" {
	faults '[{"kind":"404","path":"/conversations$","nth":1}]'
	id=$(sim_truth tickets | jq '.[0].id')
	fetch "/api/v2/tickets/$id/conversations"
	assert_equal "$CODE" 404
	[ ! -s "$B" ]
	[ -n "$(header X-RateLimit-Remaining)" ]
	fetch "/api/v2/tickets/$id/conversations"
	assert_equal "$CODE" 200
}

@test "502 and 503 answer with an HTML body that is not JSON" {
	faults '[{"kind":"502","path":"/groups"},{"kind":"503","path":"/roles"}]'
	fetch /api/v2/groups
	assert_equal "$CODE" 502
	assert_equal "$(header Content-Type)" text/html
	grep -q '<h1>502 Bad Gateway</h1>' "$B"
	run jq . "$B"
	assert_failure
	fetch /api/v2/roles
	assert_equal "$CODE" 503
	grep -q '503 Service Unavailable' "$B"
	run jq . "$B"
	assert_failure
}

@test "connection closed mid-body: full Content-Length announced, curl reports a partial transfer" {
	faults '[{"kind":"reset","path":"^/api/v2/contacts$","next":1}]'
	fetch "/api/v2/contacts?per_page=50"
	assert_equal "$CURL_RC" 18
	local want got
	want=$(header Content-Length)
	got=$(wc -c <"$B")
	((got > 0 && got < want))
	run jq . "$B"
	assert_failure
	# the rule fired once; the next request is whole again
	fetch "/api/v2/contacts?per_page=50"
	assert_equal "$CURL_RC" 0
	assert_equal "$(jq length "$B")" 50
}

@test "reset also breaks a gzip transfer" {
	faults '[{"kind":"reset","path":"^/api/v2/contacts$","bytes":100}]'
	fetch "/api/v2/contacts?per_page=50" --compressed
	((CURL_RC != 0))
}

@test "truncated JSON: a complete response whose body is cut, jq fails on it" {
	faults '[{"kind":"truncate","path":"^/api/v2/tickets$","query":"include=description","bytes":777}]'
	fetch "/api/v2/tickets?per_page=20&updated_since=2019-01-01T00:00:00Z"
	assert_equal "$CURL_RC $CODE" "0 200"
	jq -e 'length == 20' "$B"
	fetch "/api/v2/tickets?per_page=20&include=description"
	assert_equal "$CURL_RC $CODE" "0 200"
	assert_equal "$(header Content-Length)" 777
	assert_equal "$(wc -c <"$B")" 777
	run jq . "$B"
	assert_failure
	# cut before gzip: the gzip stream is valid, the JSON inside is not
	fetch "/api/v2/tickets?per_page=20&include=description" -H 'Accept-Encoding: gzip'
	assert_equal "$(header Content-Encoding)" gzip
	assert_equal "$(gzip -dc "$B" | wc -c)" 777
	run jq . < <(gzip -dc "$B")
	assert_failure
}

@test "latency: global and per rule, measured" {
	sim_ctl POST config '{"latency_ms":300}' >/dev/null
	run curl -s -K "$SIM_CURLRC" -o /dev/null -w '%{time_total}' "$SIM_URL/api/v2/roles"
	assert_success
	[[ $(awk -v t="$output" 'BEGIN { print (t >= 0.3) }') == 1 ]]
	sim_ctl POST config '{"latency_ms":0}' >/dev/null
	faults '[{"kind":"latency","path":"/groups","latency_ms":400}]'
	run curl -s -K "$SIM_CURLRC" -o /dev/null -w '%{time_total}' "$SIM_URL/api/v2/groups"
	[[ $(awk -v t="$output" 'BEGIN { print (t >= 0.4) }') == 1 ]]
	# the rule is for groups only: roles pass it by (its counters)
	run curl -s -K "$SIM_CURLRC" -o /dev/null -w '%{http_code}' "$SIM_URL/api/v2/roles"
	assert_output 200
	run jq -c '.[0] | [.seen, .fired]' <<<"$(sim_ctl GET faults)"
	assert_output '[1,1]'
	# latency can ride on another fault
	faults '[{"kind":"500","path":"/roles","latency_ms":300}]'
	run curl -s -K "$SIM_CURLRC" -o /dev/null -w '%{http_code} %{time_total}' "$SIM_URL/api/v2/roles"
	[[ "$output" == 500\ * ]]
	[[ $(awk -v t="${output#* }" 'BEGIN { print (t >= 0.3) }') == 1 ]]
}

@test "spurious 429 with the chosen Retry-After costs nothing" {
	faults '[{"kind":"429","path":"^/api/v2/tickets$","retry_after":17,"next":2}]'
	fetch /api/v2/agents
	local before
	before=$(header X-RateLimit-Remaining)
	fetch "/api/v2/tickets?per_page=1"
	assert_equal "$CODE" 429
	assert_equal "$(header Retry-After)" 17
	assert_equal "$(header X-RateLimit-Remaining)" "$before"
	assert_equal "$(header X-RateLimit-Used-CurrentRequest)" 0
	fetch "/api/v2/tickets?per_page=1"
	assert_equal "$CODE" 429
	fetch "/api/v2/tickets?per_page=1"
	assert_equal "$CODE" 200
	assert_equal "$(header X-RateLimit-Remaining)" $((before - 1))
}

@test "schedules: every Kth, the next C, nth lists, times; the first firing rule wins" {
	faults '[{"kind":"503","path":"/groups","every":3}]'
	local codes="" i
	for i in 1 2 3 4 5 6 7; do
		fetch /api/v2/groups
		codes+="$CODE "
	done
	assert_equal "$codes" "200 200 503 200 200 503 200 "
	faults '[{"kind":"500","path":"/groups","nth":[1,4]},{"kind":"502","path":"/groups","next":2}]'
	codes=""
	for i in 1 2 3 4 5; do
		fetch /api/v2/groups
		codes+="$CODE "
	done
	assert_equal "$codes" "500 502 200 500 200 "
	faults '[{"kind":"500","path":"/groups","times":2}]'
	codes=""
	for i in 1 2 3; do
		fetch /api/v2/groups
		codes+="$CODE "
	done
	assert_equal "$codes" "500 500 200 "
	run jq -c '[.[0].seen, .[0].fired]' <<<"$(sim_ctl GET faults)"
	assert_output '[3,2]'
	run sim_ctl POST faults '[{"kind":"418"}]'
	assert_output --partial 'fault kind must be one of'
}

@test "faults given on the command line" {
	SIM_PID=
	OWN_SIM=1
	sim_start --tickets 50 --fault 'kind=500,path=^/api/v2/agents$,nth=1' \
		--fault '{"kind":"truncate","path":"/roles","bytes":10}'
	fetch /api/v2/agents
	assert_equal "$CODE" 500
	fetch /api/v2/agents
	assert_equal "$CODE" 200
	fetch /api/v2/roles
	assert_equal "$(wc -c <"$B")" 10
}

@test "hold: the Nth request waits, uncounted, until released, then is answered" {
	faults '[{"kind":"hold","path":"^/api/v2/roles$","nth":2}]'
	sim_ctl POST reset-stats >/dev/null
	run sim_api /api/v2/roles -o /dev/null -w '%{http_code}'
	assert_output 200
	sim_api /api/v2/roles -o "$BATS_TEST_TMPDIR/body" -w '%{http_code}' >"$BATS_TEST_TMPDIR/code" &
	local pid=$!
	sim_wait_held 1 "$pid"
	# held: not answered, not counted, the client still waiting
	kill -0 "$pid"
	[ "$(sim_stats | jq '.by_path["/api/v2/roles"]["200"]')" -eq 1 ]
	# other requests go on meanwhile
	run sim_api /api/v2/groups -o /dev/null -w '%{http_code}'
	assert_output 200
	run sim_ctl POST release
	assert_output '{"released":1}'
	wait "$pid"
	[ "$(cat "$BATS_TEST_TMPDIR/code")" = 200 ]
	[ "$(jq length "$BATS_TEST_TMPDIR/body")" -eq "$(sim_truth roles | jq length)" ]
	[ "$(sim_stats | jq '.held, .by_path["/api/v2/roles"]["200"]' | tr '\n' ' ')" = "0 2 " ]
	# a hold rides beside another fault: released, the 500 comes
	faults '[{"kind":"hold","path":"^/api/v2/roles$"},{"kind":"500","path":"^/api/v2/roles$"}]'
	sim_api /api/v2/roles -o /dev/null -w '%{http_code}' >"$BATS_TEST_TMPDIR/code" &
	pid=$!
	sim_wait_held 1 "$pid"
	sim_ctl POST release >/dev/null
	wait "$pid"
	[ "$(cat "$BATS_TEST_TMPDIR/code")" = 500 ]
}
