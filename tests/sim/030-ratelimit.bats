#!/usr/bin/env bats
# The account-wide credit budget, the list sub-limits and their headers.

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
