#!/usr/bin/env bats
# The account-wide credit budget, the list sub-limits and their headers;
# the older hourly throttler (--throttler hourly).

load test_helper

OLD=2019-01-01T00:00:00Z

teardown() {
	sim_stop
}

# rate_clock JSON: POST /_sim/rate-clock.  Each test pauses the rate
# limits' clock before its requests, so that they all fall in the window
# the test means however slowly the machine runs, and moves it on
# explicitly where a window has to end
rate_clock() {
	run sim_ctl POST rate-clock "$1"
	assert_success
	assert_output --regexp '^\{"paused": *(true|false)'
}

# rl: "Total Remaining Used" from the last fetch
rl() {
	echo "$(header X-RateLimit-Total) $(header X-RateLimit-Remaining) $(header X-RateLimit-Used-CurrentRequest)"
}

@test "every /api/v2 response carries the three rate-limit headers" {
	sim_start --tickets 100 --rate-total 50 --window 30 --no-feature skills
	rate_clock '{"pause":true}'
	local p
	for p in "/api/v2/tickets?per_page=2" "/api/v2/tickets?per_page=101" \
		/api/v2/nope /api/v2/tickets/1 /api/v2/skills /api/v2/settings/helpdesk; do
		fetch "$p"
		run rl
		assert_output --regexp '^50 [0-9]+ 1$'
	done
	H2="$BATS_TEST_TMPDIR/h401"
	curl -s -D "$H2" -o /dev/null "$SIM_URL/api/v2/tickets"
	H=$H2
	assert_equal "$(rl)" "50 43 1"
	fetch /api/v2/tickets -X DELETE
	assert_equal "$CODE" 405
	assert_equal "$(rl)" "50 42 1"
}

@test "each include value costs 2 more credits (X-RateLimit-Used-CurrentRequest)" {
	sim_start --tickets 100 --rate-total 1000 --window 30
	rate_clock '{"pause":true}'
	fetch "/api/v2/tickets?per_page=5"
	assert_equal "$(rl)" "1000 999 1"
	fetch "/api/v2/tickets?per_page=5&include=description"
	assert_equal "$(rl)" "1000 996 3"
	fetch "/api/v2/tickets?per_page=5&include=requester,stats"
	assert_equal "$(rl)" "1000 991 5"
	fetch "/api/v2/tickets?per_page=5&include=requester,stats,description,company&updated_since=$OLD"
	assert_equal "$(rl)" "1000 982 9"
	# a ticket view with include=conversations costs one more
	local id
	id=$(sim_truth tickets | jq '.[0].id')
	fetch "/api/v2/tickets/$id?include=conversations"
	assert_equal "$(rl)" "1000 980 2"
	fetch "/api/v2/tickets/$id"
	assert_equal "$(rl)" "1000 979 1"
	run jq -e '.credits.current.credits == 21' <<<"$(sim_stats)"
	assert_success
}

@test "exceeding the budget: 429 with Retry-After, no credits spent, then the window resets" {
	sim_start --tickets 100 --rate-total 5 --window 8
	rate_clock '{"pause":true}'
	sim_ctl POST reset-rate >/dev/null
	local i
	for i in 1 2 3 4 5; do
		fetch /api/v2/groups
		assert_equal "$CODE" 200
	done
	assert_equal "$(rl)" "5 0 1"
	fetch /api/v2/groups
	assert_equal "$CODE" 429
	local ra
	ra=$(header Retry-After)
	[[ "$ra" =~ ^[0-9]+$ ]]
	((ra >= 1 && ra <= 8))
	# the clock stood still since the window began: all 8 s are left
	assert_equal "$ra" 8
	assert_equal "$(rl)" "5 0 0"
	assert_equal "$(jq -r 'type' "$B")" object
	# a cost that does not fit is refused too
	fetch "/api/v2/tickets?include=stats"
	assert_equal "$CODE" 429
	run jq -e '.rate_limited_429 == 2 and .credits.current.credits == 5' <<<"$(sim_stats)"
	assert_success
	# one second before the window ends: still refused, Retry-After 1
	rate_clock "{\"advance\":$((ra - 1))}"
	fetch /api/v2/groups
	assert_equal "$CODE $(header Retry-After)" "429 1"
	# Retry-After seconds later the window has ended
	rate_clock '{"advance":1}'
	fetch /api/v2/groups
	assert_equal "$CODE" 200
	assert_equal "$(rl)" "5 4 1"
	run jq -e '[.credits.windows[] | select(.credits == 5)] | length == 1' <<<"$(sim_stats)"
	assert_success
}

@test "tickets-list sub-limit: 429 while X-RateLimit-Remaining is still high" {
	local ra
	sim_start --tickets 100 --rate-total 400 --window 30 --tickets-list-limit 3 --contacts-list-limit 2
	rate_clock '{"pause":true}'
	sim_ctl POST reset-rate >/dev/null
	local i
	for i in 1 2 3; do
		fetch "/api/v2/tickets?per_page=1"
		assert_equal "$CODE" 200
	done
	assert_equal "$(rl)" "400 397 1"
	fetch "/api/v2/tickets?per_page=1"
	assert_equal "$CODE" 429
	ra=$(header Retry-After)
	[[ "$ra" =~ ^[0-9]+$ ]] && ((ra >= 1 && ra <= 30))
	assert_equal "$(header X-RateLimit-Remaining)" 397
	# other endpoints, even single tickets, are not affected
	fetch "/api/v2/tickets/$(sim_truth tickets | jq '.[0].id')"
	assert_equal "$CODE" 200
	fetch /api/v2/agents
	assert_equal "$CODE" 200
	# contacts list has its own
	fetch /api/v2/contacts
	assert_equal "$CODE" 200
	fetch /api/v2/contacts
	assert_equal "$CODE" 200
	fetch /api/v2/contacts
	assert_equal "$CODE" 429
	assert_equal "$(header X-RateLimit-Remaining)" 393
	run jq -c '.credits.current | [.tickets_list, .contacts_list, .credits]' <<<"$(sim_stats)"
	assert_output '[3,2,7]'
}

@test "failed requests spend credits; a 429 does not" {
	sim_start --tickets 100 --rate-total 10 --window 30 --no-feature products
	rate_clock '{"pause":true}'
	sim_ctl POST reset-rate >/dev/null
	fetch "/api/v2/tickets?per_page=101"
	assert_equal "$CODE $(rl)" "400 10 9 1"
	curl -s -o /dev/null "$SIM_URL/api/v2/groups"
	fetch /api/v2/tickets/12345
	assert_equal "$CODE $(rl)" "404 10 7 1"
	fetch /api/v2/products
	assert_equal "$CODE $(rl)" "403 10 6 1"
	sim_ctl POST faults '[{"kind":"500","nth":1},{"kind":"429","path":"/roles","retry_after":3}]' >/dev/null
	fetch /api/v2/groups
	assert_equal "$CODE $(rl)" "500 10 5 1"
	fetch /api/v2/roles
	assert_equal "$CODE $(rl)" "429 10 5 0"
	assert_equal "$(header Retry-After)" 3
	fetch /api/v2/agents
	assert_equal "$CODE $(rl)" "200 10 4 1"
	run jq -c '[.by_status["401"], .by_status["429"], .spurious_429, .credits.current.credits]' <<<"$(sim_stats)"
	assert_output '[1,1,1,6]'
}

@test "runtime config changes the limits; the window length follows --window" {
	local ra
	sim_start --tickets 50 --rate-total 3 --window 20
	rate_clock '{"pause":true}'
	sim_ctl POST reset-rate >/dev/null
	fetch /api/v2/roles
	fetch /api/v2/roles
	fetch /api/v2/roles
	fetch /api/v2/roles
	assert_equal "$CODE" 429
	ra=$(header Retry-After)
	[[ "$ra" =~ ^[0-9]+$ ]] && ((ra >= 1 && ra <= 20))
	run sim_ctl POST config '{"rate_total":700,"window":60}'
	assert_equal "$(jq -c '[.rate_total, .window]' <<<"$output")" '[700,60]'
	fetch /api/v2/roles
	assert_equal "$(rl)" "700 699 1"
	run sim_ctl POST config '{"rate_total":"lots"}'
	assert_output --partial 'bad value'
}

# The older throttler, lib/middleware/fd_api_throttler.rb at freshconsult
# 3ab5ca08 (FRESHDESK.md Part 3 point 11).

@test "hourly throttler: the window starts at the first request; refused requests count; the 429 has only Retry-After" {
	sim_start --tickets 50 --throttler hourly --rate-total 3 --window 30
	rate_clock '{"pause":true}'
	# no request yet: no window
	run jq -c '[.credits.throttler, .credits.window_s, .credits.current.ends_in]' <<<"$(sim_stats)"
	assert_output '["hourly",30,null]'
	local i ra
	for i in 2 1 0; do
		fetch /api/v2/groups
		assert_equal "$CODE $(rl)" "200 3 $i 1"
	done
	fetch /api/v2/groups
	assert_equal "$CODE" 429
	ra=$(header Retry-After)
	[[ "$ra" =~ ^[0-9]+$ ]] && ((ra >= 1 && ra <= 30)) || fail "Retry-After $ra"
	# no rate headers, no request id: the middleware answers
	run grep -ci '^x-ratelimit\|^x-request-id' "$H"
	assert_output 0
	assert_equal "$(header Content-Type)" application/json
	assert_equal "$(cat "$B")" '{"message":"You have exceeded the limit of requests per hour"}'
	# refused requests are counted, an include's extra credits are not
	# added to a refused one
	fetch "/api/v2/tickets?include=stats"
	assert_equal "$CODE" 429
	run jq -c '[.rate_limited_429, .credits.current.credits, .credits.current.requests]' <<<"$(sim_stats)"
	assert_output '[2,5,3]'
}

@test "hourly throttler: --window defaults to an hour; an include's credits are added after the request" {
	sim_start --tickets 50 --throttler hourly --rate-total 500
	rate_clock '{"pause":true}'
	run jq -c '[.credits.window_s, .credits.throttler]' <<<"$(sim_stats)"
	assert_output '[3600,"hourly"]'
	fetch "/api/v2/tickets?per_page=5&include=requester,stats"
	assert_equal "$CODE $(rl)" "200 500 495 5"
	fetch /api/v2/roles
	assert_equal "$CODE $(rl)" "200 500 494 1"
	# a failed request counts as well
	fetch "/api/v2/tickets?per_page=101"
	assert_equal "$CODE $(rl)" "400 500 493 1"
	run jq '.credits.current.ends_in > 3500' <<<"$(sim_stats)"
	assert_output true
}

@test "hourly throttler: Retry-After is 0 in the window's last half second" {
	# the rate clock stands still: the first request starts a window of
	# 30 s and is admitted; the clock is moved to 1 s, then to 0.4 s,
	# before the window's end, where the next requests are refused
	sim_start --tickets 50 --throttler hourly --rate-total 1 --window 30
	rate_clock '{"pause":true}'
	fetch /api/v2/groups
	assert_equal "$CODE" 200
	rate_clock '{"advance":29}'
	fetch /api/v2/roles
	assert_equal "$CODE $(header Retry-After)" "429 1"
	rate_clock '{"advance":0.6}'
	fetch /api/v2/roles
	assert_equal "$CODE" 429
	run bash -c "tr -d '\r' <'$H' | grep -E '^(HTTP/|Retry-After)'"
	assert_line --regexp '^HTTP/1.1 429'
	assert_line 'Retry-After: 0'
	# still the same window
	run jq -c '[.credits.current.requests, .rate_limited_429, (.credits.current.ends_in * 10 | round)]' <<<"$(sim_stats)"
	assert_output '[1,2,4]'
}

@test "hourly throttler: after the window ends, the next request starts a new one" {
	sim_start --tickets 50 --throttler hourly --rate-total 2 --window 1
	rate_clock '{"pause":true}'
	fetch /api/v2/groups
	fetch /api/v2/groups
	fetch /api/v2/groups
	assert_equal "$CODE" 429
	# the rate clock stood still: the window has not ended
	run jq -c '.credits.current.ends_in' <<<"$(sim_stats)"
	assert_output 1
	# the window's second passes: /_sim/stats shows no window any more
	rate_clock '{"advance":1}'
	run jq -c '.credits.current.ends_in' <<<"$(sim_stats)"
	assert_output null
	fetch /api/v2/groups
	assert_equal "$CODE $(rl)" "200 2 1 1"
	run jq -c '[.credits.windows[] | [.window, .credits, .rejected_429]]' <<<"$(sim_stats)"
	assert_output '[[0,3,1],[1,1,0]]'
}

@test "a 429 fault without Retry-After and rate headers: rate_headers false, retry_after null" {
	sim_start --tickets 50 --fault 'kind=429,retry_after=none,rate_headers=false,nth=1'
	fetch /api/v2/groups
	assert_equal "$CODE" 429
	run grep -ci '^x-ratelimit\|^retry-after' "$H"
	assert_output 0
	fetch /api/v2/groups
	assert_equal "$CODE $(rl)" "200 400 399 1"
}
