#!/usr/bin/env bats
# Archived tickets (/tickets/archived/{id}), hard deletes and the trash
# purge (api/app/controllers/archive/tickets_controller.rb and
# archive/conversations_controller.rb at freshconsult; fdsim's manual:
# ARCHIVE, HARD DELETES AND THE TRASH).

load test_helper

OLD=2010-01-01T00:00:00Z
NOW=2026-11-01T00:00:00Z
NOW_EPOCH=1793491200 # $NOW
FEATURE='{"code":"require_feature","message":"The Archive Tickets feature(s) is/are not supported in your plan. Please upgrade your account to use it."}'

teardown() {
	sim_stop
}

# listed_ids: the sorted ids of every /tickets list a client can read:
# default, updated_since far back, spam, deleted
listed_ids() {
	local q
	for q in "" "updated_since=$OLD&" "filter=spam&" "filter=deleted&" \
		"updated_since=$OLD&order_by=updated_at&order_type=asc&"; do
		fetch_all "/api/v2/tickets?${q}per_page=100" | jq '.[].id'
	done | sort -n -u
}

# ids_json: /_sim/ids
ids_json() {
	sim_ctl GET /_sim/ids
}

@test "--archived: archived tickets leave every tickets list, /tickets/{id} and its children answer 404" {
	sim_start --tickets 300 --archived 40 --rate-total 100000
	local arch listed id
	arch=$(ids_json | jq -c .archived)
	assert_equal "$(jq length <<<"$arch")" 120
	listed=$(listed_ids | jq -s -c .)
	assert_equal "$(jq -n -c --argjson a "$arch" --argjson l "$listed" '$a - ($a - $l)')" "[]"
	# every ticket that exists and is not archived is listed somewhere
	assert_equal "$listed" "$(sim_truth tickets | jq -c '[.[] | select(.archived | not) | .id] | sort')"
	for id in $(jq '.[0], .[59], .[-1]' <<<"$arch"); do
		for p in "tickets/$id" "tickets/$id/conversations" "tickets/$id/time_entries" \
			"tickets/$id/satisfaction_ratings"; do
			fetch "/api/v2/$p"
			assert_equal "$p $CODE" "$p 404"
			assert_equal "$(wc -c <"$B")" 0
		done
	done
}

@test "--archived PCT: floor(N*PCT/100), the oldest not spam not deleted, closed, updated_at unchanged, the rest as without" {
	sim_start --tickets 290
	sim_truth tickets >"$BATS_TEST_TMPDIR/plain"
	sim_stop
	sim_start --tickets 290 --archived 40
	sim_truth tickets >"$BATS_TEST_TMPDIR/arch"
	local cut want
	cut=$(date -u -d "@$((NOW_EPOCH - 120 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
	# 290 * 40 / 100 = 116
	want=$(jq -c --arg cut "$cut" '[.[] | select((.spam | not) and (.deleted // false | not)
		and .updated_at < $cut)] | sort_by(.updated_at, .id) | .[:116] | [.[].id] | sort' \
		"$BATS_TEST_TMPDIR/plain")
	assert_equal "$(jq length <<<"$want")" 116
	assert_equal "$(jq -c '[.[] | select(.archived) | .id] | sort' "$BATS_TEST_TMPDIR/arch")" "$want"
	assert_equal "$(jq '[.[] | select(.archived) | .status] | unique' -c "$BATS_TEST_TMPDIR/arch")" "[5]"
	# apart from "archived" and the status of the archived ones, the same data
	assert_equal "$(jq -c 'map(if .archived then del(.archived, .status) else . end)' "$BATS_TEST_TMPDIR/arch" | md5sum)" \
		"$(jq -c --argjson a "$want" 'map(if (.id as $i | $a | index($i)) then del(.status) else . end)' \
			"$BATS_TEST_TMPDIR/plain" | md5sum)"
	assert_equal "$(sim_ctl GET /_sim/ids | jq .max_ticket_id)" 290
}

@test "--archived 100: only the tickets idle 120 days qualify, all of them are archived" {
	sim_start --tickets 200
	local cut want
	cut=$(date -u -d "@$((NOW_EPOCH - 120 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
	want=$(sim_truth tickets | jq -c --arg cut "$cut" '[.[] | select((.spam | not) and
		(.deleted // false | not) and .updated_at < $cut) | .id]')
	sim_stop
	sim_start --tickets 200 --archived 100
	[ "$(jq length <<<"$want")" -lt 200 ]
	[ "$(jq length <<<"$want")" -gt 0 ]
	assert_equal "$(ids_json | jq -c .archived)" "$want"
	assert_equal "$(sim_truth archived_tickets | jq -c '[.[].id]')" "$want"
}

@test "/tickets/archived/{id}: the ticket view with archived:true, as the truth; its conversations as the truth, paged" {
	sim_start --tickets 300 --archived 40 --rate-total 100000
	local arch id live keys
	arch=$(ids_json | jq -c .archived)
	# an archived ticket with at least 3 conversations
	id=$(sim_truth conversations group=parent | jq --argjson a "$arch" \
		'[to_entries[] | select((.key | tonumber) as $k | $a | index($k)) |
		  select(.value | length >= 3) | .key | tonumber] | min')
	[ "$id" != null ]
	fetch "/api/v2/tickets/archived/$id"
	assert_equal "$CODE" 200
	assert_equal "$(jq -c '[.id, .archived, .status]' "$B")" "[$id,true,5]"
	assert_equal "$(jq -S -c . "$B")" \
		"$(sim_truth archived_tickets | jq -S -c --argjson i "$id" '.[] | select(.id == $i)')"
	# the truth of tickets has it too, archived
	assert_equal "$(sim_truth tickets | jq -c --argjson i "$id" '.[] | select(.id == $i) | [.archived, .updated_at]')" \
		"$(jq -c '[.archived, .updated_at]' "$B")"
	# the keys of a live ticket's view, plus archived
	live=$(sim_truth tickets | jq '[.[] | select((.archived | not) and (.deleted | not) and (.spam | not))][0].id')
	fetch "/api/v2/tickets/$live"
	assert_equal "$CODE" 200
	keys=$(jq -c '(keys + ["archived"]) | sort' "$B")
	fetch "/api/v2/tickets/archived/$id"
	assert_equal "$(jq -c 'keys | sort' "$B")" "$keys"
	# conversations: all of them, as the truth, and paged with Link
	assert_equal "$(fetch_all "/api/v2/tickets/archived/$id/conversations?per_page=1" | jq -S -c .)" \
		"$(sim_truth conversations "parent=$id" | jq -S -c .)"
	fetch "/api/v2/tickets/archived/$id/conversations?per_page=1"
	assert_equal "$CODE" 200
	assert_equal "$(next_link)" "$SIM_URL/api/v2/tickets/archived/$id/conversations?per_page=1&page=2"
	fetch "/api/v2/tickets/archived/$id/conversations?page=x"
	assert_equal "$CODE" 400
	# include: validated as on /tickets/{id}, one more credit per value
	fetch "/api/v2/tickets/archived/$id?include=stats,requester"
	assert_equal "$CODE" 200
	assert_equal "$(header X-RateLimit-Used-CurrentRequest)" 3
	assert_equal "$(jq -c '[.stats.closed_at == .updated_at, (.requester | type)]' "$B")" '[true,"object"]'
	fetch "/api/v2/tickets/archived/$id?include=conversations"
	assert_equal "$(jq -S -c .conversations "$B")" "$(sim_truth conversations "parent=$id" | jq -S -c '.[:10]')"
	fetch "/api/v2/tickets/archived/$id?include=description"
	assert_equal "$CODE" 400
	assert_equal "$(jq -r '.errors[0].field' "$B")" include
}

@test "/tickets/archived/{id}: 404 with an empty body for live, spam, deleted, hard-deleted and never created ids" {
	sim_start --tickets 300 --archived 20 --hard-deleted 10 --rate-total 100000
	local ids live spam del hard top id p
	ids=$(ids_json)
	hard=$(jq '.hard_deleted[0]' <<<"$ids")
	top=$(jq '.max_ticket_id + 1' <<<"$ids")
	live=$(sim_truth tickets | jq '[.[] | select((.archived | not) and (.deleted | not) and (.spam | not))][0].id')
	spam=$(sim_truth tickets | jq '[.[] | select(.spam)][0].id')
	del=$(sim_truth tickets | jq '[.[] | select(.deleted)][0].id')
	for id in "$live" "$spam" "$del" "$hard" "$top" 999999; do
		for p in "tickets/archived/$id" "tickets/archived/$id/conversations"; do
			fetch "/api/v2/$p"
			assert_equal "$p $CODE" "$p 404"
			assert_equal "$(wc -c <"$B")" 0
		done
	done
	id=$(jq '.archived[0]' <<<"$ids")
	fetch "/api/v2/tickets/archived/$id"
	assert_equal "$CODE" 200
	# counted under their route names
	sim_stats >"$BATS_TEST_TMPDIR/s"
	assert_equal "$(jq -c '.by_route_name.archived_ticket' "$BATS_TEST_TMPDIR/s")" '{"404":6,"200":1}'
	assert_equal "$(jq -c '.by_route_name.archived_conversations' "$BATS_TEST_TMPDIR/s")" '{"404":6}'
	assert_equal "$(jq -c '.by_route["/api/v2/tickets/archived/{id}"]' "$BATS_TEST_TMPDIR/s")" '{"404":6,"200":1}'
}

@test "--no-feature archived_tickets: both routes answer 403 require_feature, one credit each; /_sim/config switches it" {
	sim_start --tickets 100 --archived 30 --no-feature archived_tickets --rate-total 100
	local id
	id=$(ids_json | jq '.archived[0]')
	fetch "/api/v2/tickets/archived/$id"
	assert_equal "$CODE" 403
	assert_equal "$(cat "$B")" "$FEATURE"
	assert_equal "$(header X-RateLimit-Remaining)" 99
	fetch "/api/v2/tickets/archived/$id/conversations"
	assert_equal "$CODE" 403
	assert_equal "$(cat "$B")" "$FEATURE"
	assert_equal "$(header X-RateLimit-Remaining)" 98
	fetch "/api/v2/tickets/archived/999999"
	assert_equal "$CODE" 403
	sim_ctl POST config '{"no_feature":[]}' >/dev/null
	fetch "/api/v2/tickets/archived/$id"
	assert_equal "$CODE" 200
	sim_ctl POST config '{"no_feature":["archived_tickets"]}' >/dev/null
	fetch "/api/v2/tickets/archived/$id"
	assert_equal "$CODE" 403
	# the other routes are untouched
	fetch "/api/v2/tickets?per_page=1"
	assert_equal "$CODE" 200
}

@test "archive routes: auth, faults and the rate limit apply" {
	sim_start --tickets 100 --archived 30 --rate-total 2 --window 3600
	local id
	id=$(ids_json | jq '.archived[0]')
	CODE=$(curl -s -o /dev/null -w '%{http_code}' -u wrong:X "$SIM_URL/api/v2/tickets/archived/$id")
	assert_equal "$CODE" 401
	sim_ctl POST faults '[{"kind":"503","path":"^/api/v2/tickets/archived/","nth":1}]' >/dev/null
	fetch "/api/v2/tickets/archived/$id/conversations"
	assert_equal "$CODE" 503
	fetch "/api/v2/tickets/archived/$id"
	assert_equal "$CODE" 429
}

@test "--hard-deleted PCT: seeded gaps spread over the ids, the newest stays, gone from lists, views, children and the truth" {
	sim_start --tickets 300 --hard-deleted 10 --rate-total 100000
	local ids hard n id
	ids=$(ids_json)
	hard=$(jq -c .hard_deleted <<<"$ids")
	assert_equal "$(jq length <<<"$hard")" 30
	assert_equal "$(jq .max_ticket_id <<<"$ids")" 300
	jq -e 'min < 50 and max > 250 and (index(300) | not)' <<<"$hard"
	# the truth: exactly the ids 1..300 without them
	assert_equal "$(sim_truth tickets | jq -c '[.[].id]')" \
		"$(jq -c '[range(1; 301)] - .' <<<"$hard")"
	assert_equal "$(sim_truth conversations | jq --argjson h "$hard" '[.[] | select(.ticket_id as $t | $h | index($t))] | length')" 0
	assert_equal "$(sim_truth time_entries | jq --argjson h "$hard" '[.[] | select(.ticket_id as $t | $h | index($t))] | length')" 0
	assert_equal "$(sim_truth conversations group=parent | jq --argjson h "$hard" '[keys[] | tonumber | select(. as $t | $h | index($t))] | length')" 0
	assert_equal "$(listed_ids | jq -s -c --argjson h "$hard" '. - (. - $h)')" "[]"
	assert_equal "$(fetch_all "/api/v2/time_entries?per_page=100" | jq --argjson h "$hard" '[.[] | select(.ticket_id as $t | $h | index($t))] | length')" 0
	for id in $(jq '.[0], .[-1]' <<<"$hard"); do
		for p in "tickets/$id" "tickets/$id/conversations" "tickets/archived/$id"; do
			fetch "/api/v2/$p"
			assert_equal "$p $CODE" "$p 404"
		done
	done
	# the remaining tickets are the data without --hard-deleted
	sim_truth tickets >"$BATS_TEST_TMPDIR/hd"
	sim_stop
	sim_start --tickets 300 --hard-deleted 10
	assert_equal "$(ids_json | jq -c .hard_deleted)" "$hard"
	sim_stop
	sim_start --tickets 300 --hard-deleted 10 --seed 2
	[ "$(ids_json | jq -c .hard_deleted)" != "$hard" ]
	sim_stop
	sim_start --tickets 300
	assert_equal "$(sim_truth tickets | jq -c --argjson h "$hard" '[.[] | select(.id as $i | $h | index($i) | not)]' | md5sum)" \
		"$(jq -c . "$BATS_TEST_TMPDIR/hd" | md5sum)"
}

@test "mutate archive: ids and count move live tickets to the archive, closed, updated_at kept; spam/deleted/archived ids refused" {
	sim_start --tickets 300 --rate-total 100000
	local live a b out spam before
	live=$(sim_truth tickets | jq -c '[.[] | select((.deleted | not) and (.spam | not))] | sort_by(.updated_at, .id)')
	a=$(jq '.[100].id' <<<"$live")
	b=$(jq '.[-1].id' <<<"$live")
	before=$(sim_truth tickets | jq -c --argjson a "$a" --argjson b "$b" '[.[] | select(.id == $a or .id == $b) | .updated_at]')
	out=$(sim_ctl POST mutate "{\"action\":\"archive\",\"ids\":[$a,$b]}")
	assert_equal "$(jq -c .ids <<<"$out")" "[$a,$b]"
	assert_equal "$(sim_truth tickets | jq -c --argjson a "$a" --argjson b "$b" '[.[] | select(.id == $a or .id == $b) | .updated_at]')" "$before"
	assert_equal "$(sim_truth archived_tickets | jq -c '[.[] | [.id, .status, .archived]]')" "[[$a,5,true],[$b,5,true]]"
	fetch "/api/v2/tickets/$a"
	assert_equal "$CODE" 404
	fetch "/api/v2/tickets/archived/$b"
	assert_equal "$CODE" 200
	assert_equal "$(listed_ids | jq -s -c --argjson x "[$a,$b]" '. - (. - $x)')" "[]"
	# count: the M oldest live tickets by updated_at
	out=$(sim_ctl POST mutate '{"action":"archive","count":3}')
	assert_equal "$(jq -c .ids <<<"$out")" "$(jq -c '[.[:3][].id]' <<<"$live")"
	assert_equal "$(ids_json | jq -c '.archived | length')" 5
	# refused: spam, deleted, archived, unknown
	spam=$(sim_truth tickets | jq '[.[] | select(.spam)][0].id')
	for id in "$spam" "$(sim_truth tickets | jq '[.[] | select(.deleted)][0].id')" "$a" 999999; do
		run sim_ctl POST mutate "{\"action\":\"archive\",\"ids\":[$id]}"
		assert_output --partial error
	done
	# the other actions do not touch an archived ticket
	run sim_ctl POST mutate "{\"action\":\"delete\",\"ids\":[$a]}"
	assert_output --partial "is archived"
	assert_equal "$(ids_json | jq -c '.archived | length')" 5
}

@test "mutate purge: tickets in any state vanish for good, ids never reused" {
	sim_start --tickets 300 --archived 10 --rate-total 100000
	local arch live spam del out n
	arch=$(ids_json | jq '.archived[0]')
	live=$(sim_truth tickets | jq '[.[] | select((.archived | not) and (.deleted | not) and (.spam | not))][5].id')
	spam=$(sim_truth tickets | jq '[.[] | select(.spam)][0].id')
	del=$(sim_truth tickets | jq '[.[] | select(.deleted)][0].id')
	out=$(sim_ctl POST mutate "{\"action\":\"purge\",\"ids\":[$arch,$live,$spam,$del]}")
	assert_equal "$(jq -c .ids <<<"$out")" "$(jq -n -c "[$arch,$live,$spam,$del] | sort")"
	assert_equal "$(ids_json | jq -c .hard_deleted)" "$(jq -c .ids <<<"$out")"
	assert_equal "$(sim_truth tickets | jq --argjson x "$(jq -c .ids <<<"$out")" '[.[] | select(.id as $i | $x | index($i))] | length')" 0
	assert_equal "$(sim_truth conversations | jq --argjson x "$(jq -c .ids <<<"$out")" '[.[] | select(.ticket_id as $i | $x | index($i))] | length')" 0
	for id in $arch $live $spam $del; do
		for p in "tickets/$id" "tickets/archived/$id" "tickets/$id/conversations"; do
			fetch "/api/v2/$p"
			assert_equal "$p $CODE" "$p 404"
		done
	done
	assert_equal "$(listed_ids | jq -s -c --argjson x "$(jq -c .ids <<<"$out")" '. - (. - $x)')" "[]"
	run sim_ctl POST mutate "{\"action\":\"purge\",\"ids\":[$live]}"
	assert_output --partial error
	# count
	n=$(sim_truth tickets | jq length)
	out=$(sim_ctl POST mutate '{"action":"purge","count":7}')
	assert_equal "$(jq '.ids | length' <<<"$out")" 7
	assert_equal "$(sim_truth tickets | jq length)" $((n - 7))
	assert_equal "$(ids_json | jq '.hard_deleted | length')" 11
	assert_equal "$(ids_json | jq .max_ticket_id)" 300
}

@test "mutate purge of contacts: gone from every contacts list and /contacts/{id}" {
	sim_start --contacts 200 --tickets 100 --rate-total 100000
	local del blk live out q id
	del=$(sim_truth contacts | jq '[.[] | select(.fd_state == "deleted")][0].id')
	blk=$(sim_truth contacts | jq '[.[] | select(.fd_state == "blocked")][0].id')
	live=$(sim_truth contacts | jq '[.[] | select(.fd_state == "active")][3].id')
	out=$(sim_ctl POST mutate "{\"resource\":\"contacts\",\"action\":\"purge\",\"ids\":[$del,$blk,$live]}")
	assert_equal "$(jq -c .ids <<<"$out")" "$(jq -n -c "[$del,$blk,$live] | sort")"
	assert_equal "$(ids_json | jq -c .hard_deleted_contacts)" "$(jq -c .ids <<<"$out")"
	assert_equal "$(sim_truth contacts | jq --argjson x "$(jq -c .ids <<<"$out")" '[.[] | select(.id as $i | $x | index($i))] | length')" 0
	for q in "" "state=deleted&" "state=blocked&" "state=verified&" "state=unverified&"; do
		assert_equal "$q $(fetch_all "/api/v2/contacts?${q}per_page=100" | jq --argjson x "$(jq -c .ids <<<"$out")" '[.[] | select(.id as $i | $x | index($i))] | length')" "$q 0"
	done
	for id in $del $blk $live; do
		fetch "/api/v2/contacts/$id"
		assert_equal "$CODE" 404
	done
	run sim_ctl POST mutate "{\"resource\":\"contacts\",\"action\":\"purge\",\"ids\":[$live]}"
	assert_output --partial error
	run sim_ctl POST mutate '{"resource":"contacts","action":"delete","ids":[1]}'
	assert_output --partial error
	out=$(sim_ctl POST mutate '{"resource":"contacts","action":"purge","count":4}')
	assert_equal "$(jq '.ids | length' <<<"$out")" 4
	assert_equal "$(sim_truth contacts | jq length)" 193
}

@test "--trash-days 30: a deleted ticket is purged once the clock is 30 days past its deletion, not before; restore saves it" {
	sim_start --tickets 300 --trash-days 30 --rate-total 100000
	local ids a b c
	ids=$(sim_truth tickets | jq -c '[.[] | select((.deleted | not) and (.spam | not))][10:13] | [.[].id]')
	read -r a b c < <(jq -r 'join(" ")' <<<"$ids")
	sim_ctl POST mutate "{\"action\":\"delete\",\"ids\":[$a,$b,$c]}" >/dev/null
	sim_ctl POST mutate "{\"action\":\"restore\",\"ids\":[$c]}" >/dev/null
	assert_equal "$(ids_json | jq -c --argjson x "$ids" '[.trash[].id | select(. as $i | $x | index($i))]')" "[$a,$b]"
	sim_ctl POST now '{"advance":2505600}' >/dev/null # 29 days
	assert_equal "$(ids_json | jq -c --argjson x "$ids" '.hard_deleted - (.hard_deleted - $x)')" "[]"
	assert_equal "$(fetch_all "/api/v2/tickets?filter=deleted&per_page=100" | jq -c --argjson x "$ids" '[.[].id | select(. as $i | $x | index($i))] | sort')" "[$a,$b]"
	sim_ctl POST mutate "{\"action\":\"restore\",\"ids\":[$b]}" >/dev/null
	sim_ctl POST now '{"advance":172800}' >/dev/null # 31 days
	assert_equal "$(ids_json | jq -c --argjson x "$ids" '.hard_deleted - (.hard_deleted - $x)')" "[$a]"
	assert_equal "$(sim_truth tickets | jq -c --argjson x "$ids" '[.[].id | select(. as $i | $x | index($i))]')" "[$b,$c]"
	fetch "/api/v2/tickets/$a"
	assert_equal "$CODE" 404
	fetch "/api/v2/tickets/$b"
	assert_equal "$CODE" 200
	assert_equal "$(fetch_all "/api/v2/tickets?filter=deleted&per_page=100" | jq -c --argjson x "$ids" '[.[].id | select(. as $i | $x | index($i))]')" "[]"
	# a jump by "set" purges too
	sim_ctl POST mutate "{\"action\":\"delete\",\"ids\":[$c]}" >/dev/null
	sim_ctl POST now '{"set":"2030-01-01T00:00:00Z"}' >/dev/null
	assert_equal "$(ids_json | jq -c '.trash')" "[]"
	assert_equal "$(ids_json | jq -c --argjson x "$ids" '.hard_deleted - (.hard_deleted - $x)')" "[$a,$c]"
}

@test "--trash-days 30 at start: the generated deleted tickets count as deleted at their updated_at" {
	sim_start --tickets 1000
	local cut want keep
	cut=$(date -u -d "@$((NOW_EPOCH - 30 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
	want=$(sim_truth tickets | jq -c --arg cut "$cut" '[.[] | select(.deleted and .updated_at < $cut) | .id]')
	keep=$(sim_truth tickets | jq -c --arg cut "$cut" '[.[] | select(.deleted and .updated_at >= $cut) | .id]')
	sim_stop
	[ "$(jq length <<<"$want")" -gt 0 ]
	sim_start --tickets 1000 --trash-days 30
	assert_equal "$(ids_json | jq -c .hard_deleted)" "$want"
	assert_equal "$(ids_json | jq -c '[.trash[].id]')" "$keep"
	assert_equal "$(sim_truth tickets | jq -c '[.[] | select(.deleted) | .id]')" "$keep"
}

@test "without --trash-days the trash is never purged" {
	sim_start --tickets 300
	local n id
	n=$(sim_truth tickets | jq '[.[] | select(.deleted)] | length')
	id=$(sim_truth tickets | jq '[.[] | select((.deleted | not) and (.spam | not))][0].id')
	sim_ctl POST mutate "{\"action\":\"delete\",\"ids\":[$id]}" >/dev/null
	sim_ctl POST now '{"advance":31536000}' >/dev/null
	assert_equal "$(sim_truth tickets | jq '[.[] | select(.deleted)] | length')" $((n + 1))
	assert_equal "$(ids_json | jq -c .hard_deleted)" "[]"
}

@test "defaults unchanged: the data of the default options is byte-identical to fdsim.py before the archive (26ad742)" {
	local orig="$BATS_TEST_TMPDIR/fdsim-26ad742.py" h
	git -C "$BATS_TEST_DIRNAME" show 26ad742:tests/sim/fdsim.py >"$orig" 2>/dev/null ||
		skip "commit 26ad742 not in this repository"
	h=$(SIM_FDSIM=$orig truth_hashes)
	assert_equal "$(truth_hashes)" "$h"
	[ "$(wc -l <<<"$h")" -eq 9 ]
	sim_start
	assert_equal "$(ids_json | jq -c .)" '{"max_ticket_id":3000,"archived":[],"hard_deleted":[],"trash":'"$(sim_truth tickets | jq -c '[.[] | select(.deleted) | {id, deleted_at: .updated_at}]')"',"hard_deleted_contacts":[]}'
}

# truth_hashes: md5 of the truths and of two lists of a simulator (started
# from $SIM_FDSIM) with the default options, one per line
truth_hashes() {
	local n
	sim_start --rate-total 100000 || return 1
	for n in tickets conversations time_entries satisfaction_ratings contacts companies; do
		echo "$n $(sim_truth "$n" | md5sum)"
	done
	echo "desc $(sim_truth tickets 'include=description,requester,stats,company,attachments' | md5sum)"
	echo "list $(fetch_all "/api/v2/tickets?updated_since=$OLD&per_page=100&include=description" | md5sum)"
	echo "contacts $(fetch_all "/api/v2/contacts?state=deleted&per_page=100" | md5sum)"
	sim_stop
}
