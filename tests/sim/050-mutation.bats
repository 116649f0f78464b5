#!/usr/bin/env bats
# Mutations, the simulated clock and the truth endpoints.

load test_helper

OLD=2019-01-01T00:00:00Z
ASC="updated_since=$OLD&order_by=updated_at&order_type=asc"

teardown() {
	sim_stop
}

normal_ids_by_updated() {
	sim_truth tickets | jq -c '[.[] | select((.spam | not) and (.deleted // false | not))] | sort_by(.updated_at, .id) | [.[].id]'
}

@test "a mutated ticket moves to the end of updated_at asc order with sim-now updated_at" {
	sim_start --tickets 300 --now 2025-06-01T00:00:00Z --rate-total 100000
	local order first status out
	order=$(normal_ids_by_updated)
	first=$(jq '.[0]' <<<"$order")
	status=$(sim_truth tickets | jq --argjson id "$first" '.[] | select(.id == $id) | .status')
	out=$(sim_ctl POST mutate "{\"ids\":[$first]}")
	assert_equal "$(jq -c .ids <<<"$out")" "[$first]"
	[[ "$(jq -r .updated_at <<<"$out")" == 2025-06-01T00:00:0* ]]
	run fetch_all "/api/v2/tickets?$ASC&per_page=100"
	assert_equal "$(jq '.[-1].id' <<<"$output")" "$first"
	assert_equal "$(jq -r '.[-1].updated_at' <<<"$output")" "$(jq -r .updated_at <<<"$out")"
	[[ "$(jq '.[-1].status' <<<"$output")" != "$status" ]]
	[[ "$(jq '.[0].id' <<<"$output")" != "$first" ]]
	assert_equal "$(jq length <<<"$output")" "$(jq length <<<"$order")"
}

@test "mutate count=M picks tickets already read and not yet reached, all move to the end" {
	sim_start --tickets 300 --rate-total 100000
	local order out n
	order=$(normal_ids_by_updated)
	n=$(jq length <<<"$order")
	out=$(sim_ctl POST mutate '{"count":4}')
	assert_equal "$(jq '.ids | length' <<<"$out")" 4
	# positions before the mutation: some early, some late
	run jq -e --argjson o "$order" --argjson n "$n" \
		'[.ids[] as $id | $o | index($id)] | (min < $n / 4) and (max > $n / 2)' <<<"$out"
	assert_success
	run fetch_all "/api/v2/tickets?$ASC&per_page=100"
	assert_equal "$(jq -c '.[-4:] | [.[].id] | sort' <<<"$output")" "$(jq -c '.ids | sort' <<<"$out")"
	# deterministic: the same seed picks the same tickets
	local first=$out
	sim_stop
	sim_start --tickets 300 --rate-total 100000
	assert_equal "$(sim_ctl POST mutate '{"count":4}' | jq -c .ids)" "$(jq -c .ids <<<"$first")"
}

@test "--mutate-every K: a page-number client over updated_at asc skips rows" {
	sim_start --tickets 300 --rate-total 100000 --mutate-every 1 --mutate-count 3
	local want
	want=$(normal_ids_by_updated | jq -c sort)
	run fetch_all "/api/v2/tickets?$ASC&per_page=50"
	assert_success
	local missing
	missing=$(jq -n --argjson want "$want" --argjson got "$(jq -c '[.[].id]' <<<"$output")" '$want - $got | length')
	echo "rows skipped: $missing"
	((missing > 0))
	run jq -c '[.mutations, .mutated_tickets]' <<<"$(sim_stats)"
	assert_output "[$(jq -n "$want | length | (. / 50 | ceil)"),$(jq -n "$want | length | (. / 50 | ceil) * 3")]"
}

@test "--mutate-every counts only answered tickets-list requests" {
	sim_start --tickets 100 --rate-total 100000 --mutate-every 2 --mutate-count 2
	sim_api "/api/v2/tickets?per_page=1" >/dev/null
	sim_api /api/v2/agents >/dev/null
	sim_api "/api/v2/tickets?per_page=999" >/dev/null
	run jq -c '[.mutations, .mutated_tickets]' <<<"$(sim_stats)"
	assert_output '[0,0]'
	sim_api "/api/v2/tickets?per_page=1" >/dev/null
	run jq -c '[.mutations, .mutated_tickets]' <<<"$(sim_stats)"
	assert_output '[1,2]'
	sim_ctl POST config '{"mutate_every":0}' >/dev/null
	sim_api "/api/v2/tickets?per_page=1" >/dev/null
	sim_api "/api/v2/tickets?per_page=1" >/dev/null
	run jq -c '.mutations' <<<"$(sim_stats)"
	assert_output 1
}

@test "delete, spam and restore through the control endpoint" {
	sim_start --tickets 200 --rate-total 100000
	local a b
	a=$(normal_ids_by_updated | jq '.[10]')
	b=$(normal_ids_by_updated | jq '.[20]')
	run sim_ctl POST mutate "{\"ids\":[$a],\"action\":\"delete\"}"
	assert_equal "$(jq -r .action <<<"$output")" delete
	sim_ctl POST mutate "{\"ids\":[$b],\"action\":\"spam\"}" >/dev/null
	run fetch_all "/api/v2/tickets?$ASC&per_page=100"
	assert_equal "$(jq --argjson a "$a" --argjson b "$b" 'any(.[]; .id == $a or .id == $b)' <<<"$output")" false
	fetch "/api/v2/tickets?filter=deleted&order_by=updated_at&per_page=1"
	assert_equal "$(jq -c '.[0] | [.id, .deleted]' "$B")" "[$a,true]"
	fetch "/api/v2/tickets?filter=spam&order_by=updated_at&per_page=1"
	assert_equal "$(jq -c '.[0] | [.id, .spam]' "$B")" "[$b,true]"
	run jq -c --argjson a "$a" '.[] | select(.id == $a) | [.deleted, .spam]' <<<"$(sim_truth tickets)"
	assert_output '[true,false]'
	sim_ctl POST mutate "{\"ids\":[$a,$b],\"action\":\"restore\"}" >/dev/null
	run fetch_all "/api/v2/tickets?$ASC&per_page=100"
	assert_equal "$(jq -c '[.[-2:][].id] | sort' <<<"$output")" "$(jq -nc "[$a,$b] | sort")"
	run sim_ctl POST mutate '{"ids":[201]}'
	assert_output --partial 'unknown ticket id'
}

@test "mutations leave conversations, time entries and ratings alone" {
	sim_start --tickets 300
	local n
	for n in conversations time_entries satisfaction_ratings; do
		sim_truth "$n" >"$BATS_TEST_TMPDIR/before.$n"
	done
	sim_ctl POST mutate '{"count":100}' >/dev/null
	sim_ctl POST mutate '{"count":100}' >/dev/null
	for n in conversations time_entries satisfaction_ratings; do
		sim_truth "$n" | cmp - "$BATS_TEST_TMPDIR/before.$n"
	done
}

@test "truth holds everything: spam and deleted tickets, deleted and blocked contacts" {
	sim_start --tickets 500 --contacts 400 --spam 7 --deleted 9
	run jq -c '[length, ([.[] | select(.spam)] | length), ([.[] | select(.deleted)] | length), ([.[].id] == ([.[].id] | sort))]' <<<"$(sim_truth tickets)"
	assert_output '[500,7,9,true]'
	run jq -e 'length == 400 and any(.[]; .deleted) and any(.[]; .fd_state == "blocked")' <<<"$(sim_truth contacts)"
	assert_success
	run jq -r 'type' <<<"$(sim_truth settings)"
	assert_output object
	run sim_truth nonsense
	assert_output --partial 'unknown data set'
	run jq -e 'length == 30 and index("tickets") != null' <<<"$(sim_ctl GET truth)"
	assert_success
}

@test "the simulated clock starts at --now and advances with real time" {
	sim_start --tickets 20 --now 2024-02-29T12:00:00Z
	local a b
	a=$(sim_ctl GET now | jq .epoch)
	(( a - $(jq -n '"2024-02-29T12:00:00Z" | fromdateiso8601') < 5 ))
	sleep 1.1
	b=$(sim_ctl GET now | jq .epoch)
	((b > a))
	run sim_ctl POST now '{"advance":86400}'
	[[ "$(jq -r .now <<<"$output")" == 2024-03-01T12:00:0* ]]
	run sim_ctl POST now '{"set":"2030-01-01T00:00:00Z"}'
	[[ "$(jq -r .now <<<"$output")" == 2030-01-01T00:00:0* ]]
	run sim_ctl POST mutate '{"count":1}'
	[[ "$(jq -r .updated_at <<<"$output")" == 2030-01-01T00:00:0* ]]
}
