#!/usr/bin/env bats
# The account-wide credit budget, the list sub-limits and their headers;
# the older hourly throttler (--throttler hourly).

load test_helper

OLD=2019-01-01T00:00:00Z

teardown() {
	sim_stop
}

# rl: "Total Remaining Used" from the last fetch
rl() {
	echo "$(header X-RateLimit-Total) $(header X-RateLimit-Remaining) $(header X-RateLimit-Used-CurrentRequest)"
}

@test "every /api/v2 response carries the three rate-limit headers" {
	sim_start --tickets 100 --rate-total 50 --window 30 --no-feature skills
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
	assert_equal "$(rl)" "5 0 0"
	assert_equal "$(jq -r 'type' "$B")" object
	# a cost that does not fit is refused too
	fetch "/api/v2/tickets?include=stats"
	assert_equal "$CODE" 429
	run jq -e '.rate_limited_429 == 2 and .credits.current.credits == 5' <<<"$(sim_stats)"
	assert_success
	sleep "$ra"
	fetch /api/v2/groups
	assert_equal "$CODE" 200
	assert_equal "$(rl)" "5 4 1"
	run jq -e '[.credits.windows[] | select(.credits == 5)] | length == 1' <<<"$(sim_stats)"
	assert_success
}

@test "tickets-list sub-limit: 429 while X-RateLimit-Remaining is still high" {
	local ra
	sim_start --tickets 100 --rate-total 400 --window 30 --tickets-list-limit 3 --contacts-list-limit 2
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
	# a window of 0.4 s: any 429 comes within its last half second.  Two
	# requests held until both are out, then answered at once: the
	# first starts the window and is admitted, the second is refused
	sim_start --tickets 50 --throttler hourly --rate-total 1 --window 0.4
	sim_ctl POST faults '[{"kind":"hold","next":2}]' >/dev/null
	local d=$BATS_TEST_TMPDIR p1 p2
	curl -s -K "$SIM_CURLRC" -D "$d/h1" -o /dev/null "$SIM_URL/api/v2/groups" & p1=$!
	curl -s -K "$SIM_CURLRC" -D "$d/h2" -o /dev/null "$SIM_URL/api/v2/roles" & p2=$!
	sim_wait_held 2
	sim_ctl POST release >/dev/null
	wait "$p1" "$p2"
	run bash -c "cat '$d/h1' '$d/h2' | tr -d '\r' | grep -E '^(HTTP/|Retry-After)' | sort"
	assert_line --regexp '^HTTP/1.1 200'
	assert_line --regexp '^HTTP/1.1 429'
	assert_line 'Retry-After: 0'
}

@test "hourly throttler: after the window ends, the next request starts a new one" {
	sim_start --tickets 50 --throttler hourly --rate-total 2 --window 1
	fetch /api/v2/groups
	fetch /api/v2/groups
	fetch /api/v2/groups
	assert_equal "$CODE" 429
	# /_sim/stats shows no window once it has ended (a bound of 30 s)
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(sim_stats | jq .credits.current.ends_in)" = null ] && break
		sleep 0.1
	done
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
