#!/usr/bin/env bats
# fdsim as a process and an HTTP server: start-up, shutdown, key handling,
# determinism, gzip, keep-alive, concurrency.

load test_helper

teardown() {
	sim_stop
}

@test "--help documents the synopsis, control endpoints and fault rules" {
	run --separate-stderr python3 "$FDSIM" --help
	assert_success
	assert_output --partial "--port-file F"
	assert_output --partial "--mutate-every K"
	assert_output --partial "--tickets-list-limit N"
	assert_output --partial "/_sim/truth/NAME"
	assert_output --partial "POST /_sim/faults"
	assert_output --partial "every     fire on every Kth"
}

@test "bad options exit 2 with a message" {
	run --separate-stderr python3 "$FDSIM" --no-feature nonsense
	assert_failure 2
	assert_equal "$output" ""
	[[ "$stderr" == *"unknown endpoint(s): nonsense"* ]]
	run --separate-stderr python3 "$FDSIM" --fault kind=teapot
	assert_failure 2
	[[ "$stderr" == *"fault kind must be one of"* ]]
}

@test "prints the listening line and writes the port file" {
	sim_start --tickets 50
	[[ "$SIM_PORT" =~ ^[0-9]+$ ]]
	assert_equal "$(cat "$SIM_RUNDIR/stdout")" "listening on http://127.0.0.1:$SIM_PORT"
	assert_equal "$FRESHDESK_DOMAIN" "http://127.0.0.1:$SIM_PORT"
	fetch /api/v2/agents
	assert_equal "$CODE" 200
}

@test "start-up with the default data sizes: 3000 tickets, the start-up time reported" {
	# how fast it starts is the machine's business, not a test's: the
	# simulator reports it (stats.startup_ms) and the tests wait for it
	sim_start
	run jq -e '.startup_ms | type == "number" and . > 0' <<<"$(sim_stats)"
	assert_success
	run jq -e 'length == 3000' <<<"$(sim_truth tickets)"
	assert_success
}

@test "SIGTERM and SIGINT stop it with exit status 0; sim_stop twice is safe" {
	sim_start --tickets 20
	local pid=$SIM_PID
	sim_stop
	assert_equal "$SIM_STATUS" 0
	run kill -0 "$pid"
	assert_failure
	sim_stop
	assert_equal "${SIM_PID:-}" ""

	python3 "$FDSIM" --tickets 20 --port 0 --port-file "$BATS_TEST_TMPDIR/p" \
		>/dev/null 2>&1 3>&- &
	pid=$!
	for _ in $(seq 1200); do [[ -s "$BATS_TEST_TMPDIR/p" ]] && break; sleep 0.05; done
	kill -INT "$pid"
	local rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 0
}

@test "the API key never appears in argv; FDSIM_API_KEY selects it" {
	FDSIM_API_KEY="s3cret-key-for-argv-test" sim_start --tickets 20
	assert_equal "$FRESHDESK_API_KEY" "s3cret-key-for-argv-test"
	run ps -o args= -p "$SIM_PID"
	assert_success
	refute_output --partial "s3cret-key-for-argv-test"
	fetch /api/v2/groups
	assert_equal "$CODE" 200
	CODE=$(curl -s -o /dev/null -w '%{http_code}' -u "$SIM_DEFAULT_KEY:X" "$SIM_URL/api/v2/groups")
	assert_equal "$CODE" 401
}

@test "--api-key-file sets the key" {
	printf 'file-key-123\n' >"$BATS_TEST_TMPDIR/k"
	python3 "$FDSIM" --tickets 20 --port 0 --port-file "$BATS_TEST_TMPDIR/p" \
		--api-key-file "$BATS_TEST_TMPDIR/k" >/dev/null 2>&1 3>&- &
	SIM_PID=$!
	for _ in $(seq 1200); do [[ -s "$BATS_TEST_TMPDIR/p" ]] && break; sleep 0.05; done
	local url
	url="http://127.0.0.1:$(<"$BATS_TEST_TMPDIR/p")"
	run curl -s -o /dev/null -w '%{http_code}' -K - "$url/api/v2/roles" <<<'user = "file-key-123:X"'
	assert_output 200
}

@test "same seed and sizes give byte-identical data; another seed differs" {
	local d="$BATS_TEST_TMPDIR" n
	sim_start --seed 7 --tickets 400 --contacts 150 --burst 40
	for n in tickets contacts companies agents groups conversations \
		time_entries satisfaction_ratings solution_articles; do
		sim_truth "$n" >"$d/a.$n"
	done
	sim_truth tickets include=description,requester,stats,company,attachments >"$d/a.full"
	sim_api "/api/v2/tickets?updated_since=2019-01-01T00:00:00Z&per_page=100&page=2" >"$d/a.page"
	sim_stop
	sim_start --seed 7 --tickets 400 --contacts 150 --burst 40
	for n in tickets contacts companies agents groups conversations \
		time_entries satisfaction_ratings solution_articles; do
		sim_truth "$n" | cmp - "$d/a.$n"
	done
	sim_truth tickets include=description,requester,stats,company,attachments | cmp - "$d/a.full"
	sim_api "/api/v2/tickets?updated_since=2019-01-01T00:00:00Z&per_page=100&page=2" | cmp - "$d/a.page"
	[[ $(wc -c <"$d/a.full") -gt 100000 ]]
	sim_stop
	sim_start --seed 8 --tickets 400 --contacts 150 --burst 40
	run cmp -s <(sim_truth tickets) "$d/a.tickets"
	assert_failure
}

@test "gzip when the client accepts it" {
	# the same page twice: the order of contacts that tie kept
	sim_start --tickets 200 --stable-ties
	fetch "/api/v2/contacts?per_page=50" -H 'Accept-Encoding: gzip'
	assert_equal "$CODE" 200
	assert_equal "$(header Content-Encoding)" gzip
	assert_equal "$(header Content-Length)" "$(wc -c <"$B")"
	run jq 'length' < <(gzip -dc "$B")
	assert_output 50
	cp "$B" "$BATS_TEST_TMPDIR/gz"
	fetch "/api/v2/contacts?per_page=50"
	run header Content-Encoding
	assert_failure
	gzip -dc "$BATS_TEST_TMPDIR/gz" | cmp - "$B"
	# curl --compressed decodes it transparently
	run bash -c "curl -s -K '$SIM_CURLRC' --compressed '$SIM_URL/api/v2/contacts?per_page=50' | cmp - '$B'"
	assert_success
	# counted: the first and the --compressed one, not the plain one
	assert_equal "$(sim_stats | jq .gzip_responses)" 2
}

@test "keep-alive: two requests in one curl invocation use one connection" {
	sim_start --tickets 50
	sim_ctl POST reset-stats >/dev/null
	run curl -s -K "$SIM_CURLRC" -o /dev/null -o /dev/null -o "$BATS_TEST_TMPDIR/st" \
		"$SIM_URL/api/v2/agents" "$SIM_URL/api/v2/groups" "$SIM_URL/_sim/stats"
	assert_success
	run jq -c '[.connections, .requests_total]' "$BATS_TEST_TMPDIR/st"
	assert_output '[1,2]'
	# separate invocations: one connection each
	sim_ctl POST reset-stats >/dev/null
	sim_api /api/v2/agents >/dev/null
	sim_api /api/v2/groups >/dev/null
	run jq -c '.connections' <<<"$(sim_stats)"
	assert_output 3
}

@test "concurrent requests are served in parallel and counted" {
	sim_start --tickets 50
	# all three held at once: each is in the server at the same time
	sim_ctl POST faults '[{"kind":"hold"}]' >/dev/null
	local p1 p2 p3
	sim_api /api/v2/agents -o /dev/null &
	p1=$!
	sim_api /api/v2/groups -o /dev/null &
	p2=$!
	sim_api /api/v2/roles -o /dev/null &
	p3=$!
	sim_wait_held 3
	run sim_ctl POST release
	assert_output '{"released":3}'
	wait "$p1" "$p2" "$p3"
	run jq -e '.max_inflight >= 3 and .requests_total == 3' <<<"$(sim_stats)"
	assert_success
}

@test "--no-feature on the command line answers 403 require_feature" {
	sim_start --tickets 20 --no-feature time_entries,skills --no-feature surveys
	fetch /api/v2/time_entries
	assert_equal "$CODE" 403
	assert_equal "$(cat "$B")" '{"code":"require_feature","message":"The Timesheets feature is not supported in your plan. Please upgrade your account to use it."}'
	fetch /api/v2/tickets/1/time_entries
	assert_equal "$CODE" 403
	fetch /api/v2/skills
	assert_equal "$CODE" 403
	fetch /api/v2/surveys
	assert_equal "$CODE" 403
	run jq -r .code "$B"
	assert_output require_feature
	fetch /api/v2/surveys/satisfaction_ratings
	assert_equal "$CODE" 200
}

@test "--link-escape-plus percent-encodes '+' in Link so the offset survives" {
	sim_start --tickets 200 --link-escape-plus
	fetch "/api/v2/tickets?updated_since=2020-01-01T05:30:00%2B05:30&per_page=10"
	local next
	next=$(next_link)
	assert_equal "$next" "$SIM_URL/api/v2/tickets?updated_since=2020-01-01T05:30:00%2B05:30&per_page=10&page=2"
	run curl -s -o /dev/null -w '%{http_code}' -K "$SIM_CURLRC" "$next"
	assert_output 200
}

@test "CONNECT: refused with 502, the target kept in stats proxy_connects" {
	sim_start --tickets 10
	run curl -s -o /dev/null -w '%{http_code}' --proxy "$SIM_URL" \
	    --max-time 10 https://acme.freshdesk.com/api/v2/groups
	assert_equal "$(sim_stats | jq -c .proxy_connects)" '["acme.freshdesk.com:443"]'
	sim_ctl POST reset-stats >/dev/null
	assert_equal "$(sim_stats | jq -c .proxy_connects)" '[]'
}
