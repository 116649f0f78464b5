#!/usr/bin/env bats
# --role agent: an ordinary agent's API key (FRESHDESK.md Part 3 point 5;
# config/privileges.rb and api_agents_controller.rb check_privilege at
# freshconsult 3ab5ca08).

load test_helper

DENIED='{"code":"access_denied","message":"You are not authorized to perform this action."}'
OLD=2019-01-01T00:00:00Z

teardown() {
	sim_stop
}

@test "role agent: the admin endpoints answer 403 access_denied, and spend a credit" {
	sim_start --tickets 50 --role agent --rate-total 100
	local p n=0
	for p in agents roles groups business_hours sla_policies products surveys \
		surveys/satisfaction_ratings email_configs skills "groups/$(sim_truth groups | jq '.[0].id')"; do
		fetch "/api/v2/$p"
		assert_equal "$p $CODE" "$p 403"
		assert_equal "$(cat "$B")" "$DENIED"
		n=$((n + 1))
		assert_equal "$(header X-RateLimit-Remaining)" $((100 - n))
	done
}

@test "role agent: tickets, contacts, companies, per-ticket children and the field lists work" {
	sim_start --tickets 50 --role agent
	local id aid p
	id=$(sim_truth tickets | jq '.[0].id')
	aid=$(sim_truth agents | jq '.[0].id')
	for p in "tickets?updated_since=$OLD" contacts companies "tickets/$id" \
		"tickets/$id/conversations" "tickets/$id/time_entries" \
		"tickets/$id/satisfaction_ratings" ticket_fields contact_fields \
		company_fields settings/helpdesk time_entries solutions/categories \
		canned_response_folders "agents/$aid"; do
		fetch "/api/v2/$p"
		assert_equal "$p $CODE" "$p 200"
	done
	# the same records as an admin sees
	diff <(fetch_all "/api/v2/companies?per_page=100" | jq -S -c '.[]' | sort) \
	    <(sim_truth companies | jq -S -c '.[]' | sort)
}

@test "role: admin by default; /_sim/config switches it at runtime" {
	sim_start --tickets 50
	run jq -r .role <<<"$(sim_ctl GET config)"
	assert_output admin
	fetch /api/v2/agents
	assert_equal "$CODE" 200
	run sim_ctl POST config '{"role":"agent"}'
	assert_equal "$(jq -r .role <<<"$output")" agent
	fetch /api/v2/agents
	assert_equal "$CODE" 403
	assert_equal "$(cat "$B")" "$DENIED"
	run sim_ctl POST config '{"role":"owner"}'
	assert_output --partial 'role: one of admin, agent'
	run python3 "$FDSIM" --role owner
	assert_failure
}
