#!/usr/bin/env bats
# fd-fetch's ticket windows: the 300-page cap (FRESHDESK.md trap 2) and
# many tickets sharing one updated_at second (trap 4).  A simulator per
# test: they need their own --page-cap and --burst.

SINCE=2022-01-01T00:00:00Z
BURST_AT=2025-09-27T00:00:00Z	# fdsim: --now minus 400 days

setup() {
	load ../common
	load ../sim/sim
	export FD_FETCH_RETRY_MS=20
}

teardown() {
	sim_stop
}

# got_pairs: "id updated_at" of the tickets RECORDs in $output, sorted
got_pairs() {
	printf '%s\n' "${lines[@]}" |
	    jq -r 'select(.type == "RECORD" and .stream == "tickets") | .record | "\(.id) \(.updated_at)"' | sort
}

# want_pairs [FROM]: the same for the truth updated at or after FROM
want_pairs() {
	sim_truth tickets | jq -r --arg t "${1:-$SINCE}" '.[] | select(.updated_at >= $t) | "\(.id) \(.updated_at)"' | sort
}

@test "windows: a page cap of 3 is never reached, everything is extracted" {
	sim_start --tickets 1500 --burst 250 --page-cap 3 --window 2 --rate-total 1000000
	# page-number paging would need more than 3 pages
	[ "$(sim_truth tickets | jq --arg t "$SINCE" '[.[] | select(.updated_at >= $t and .spam == false and (.deleted | not))] | length')" -gt 1000 ]
	run --separate-stderr fd-fetch tickets
	assert_success
	[ -z "$stderr" ]
	diff <(got_pairs) <(want_pairs)
	run sim_stats
	[ "$(jq -c '.by_status | keys' <<<"$output")" = '["200"]' ]
}

@test "windows: a page cap of 3 with 20 per page and 50 tickets in one second" {
	sim_start --tickets 600 --burst 50 --page-cap 3 --window 2 --rate-total 1000000
	run --separate-stderr fd-fetch --per-page 20 tickets
	assert_success
	diff <(got_pairs) <(want_pairs)
	run sim_stats
	[ "$(jq -c '.by_status | keys' <<<"$output")" = '["200"]' ]
}

@test "windows: 350 tickets in one second, 30 per page: exact, no duplicate, requests bounded" {
	sim_start --tickets 700 --burst 350 --window 2 --rate-total 1000000
	[ "$(sim_truth tickets | jq --arg t "$BURST_AT" '[.[] | select(.updated_at == $t)] | length')" -eq 350 ]
	run --separate-stderr fd-fetch --per-page 30 tickets
	assert_success
	diff <(got_pairs) <(want_pairs)
	[ -z "$(got_pairs | cut -d' ' -f1 | uniq -d)" ]
	# ~30 windows before and after the second, spam and deleted, and
	# the second's 12 pages read until all its 350 are: the simulator
	# orders them anew on each request, so each reading leaves about a
	# third of those missing unread (some 8 readings); a loop would
	# blow this
	run sim_stats
	echo "tickets requests: $(jq '.by_path["/api/v2/tickets"]["200"]' <<<"$output")" >&3
	[ "$(jq '.by_path["/api/v2/tickets"]["200"]' <<<"$output")" -le $((30 + 2 + 12 * 12)) ]
}

@test "windows: a bookmark at the bulk-updated second: the ids at the cursor are skipped, the rest written" {
	sim_start --tickets 1000 --burst 350 --window 2 --rate-total 1000000
	# 120 of the second's tickets already written by an earlier run
	sim_truth tickets | jq -c --arg t "$BURST_AT" '
	    [.[] | select(.updated_at == $t) | .id] as $ids
	    | {bookmarks: {tickets: {updated_at: $t, ids_at_cursor: $ids[0:120]}}}' \
	    >"$BATS_TEST_TMPDIR/state"
	run --separate-stderr fd-fetch -s "$BATS_TEST_TMPDIR/state" tickets
	assert_success
	# normal pass: everything from the second on but those 120
	printf '%s\n' "${lines[@]}" |
	    jq -r 'select(.type == "RECORD") | .record | select(.spam == false and (.deleted | not)) | .id' |
	    sort >"$BATS_TEST_TMPDIR/got"
	sim_truth tickets | jq -r --arg t "$BURST_AT" --slurpfile s "$BATS_TEST_TMPDIR/state" '
	    ($s[0].bookmarks.tickets.ids_at_cursor) as $skip
	    | .[] | select(.updated_at >= $t and .spam == false and (.deleted | not))
	    | select(.id as $i | $skip | index($i) | not) | .id' | sort >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -gt 230 ]
	run diff "$BATS_TEST_TMPDIR/got" "$BATS_TEST_TMPDIR/want"
	assert_success
}

@test "windows: a bulk-updated second is read once when nothing in it changes" {
	# a server that keeps the order of the second's tickets
	sim_start --tickets 700 --burst 350 --window 2 --rate-total 1000000 --stable-ties
	run --separate-stderr fd-fetch -v tickets
	assert_success
	# 350 tickets at 100 a page: pages 1 to 4 of the second, each once
	run grep -c "updated_since=$BURST_AT" <<<"$stderr"
	[ "$output" -eq 4 ]
	# and the final state names no second left to re-read
	last=$(jq -c 'select(.type == "STATE") | .value' <<<"$(fd-fetch tickets)" | tail -n 1)
	[ "$(jq '[.bookmarks[] | has("seconds")] | any' <<<"$last")" = false ]
}

@test "windows: a run stopped after a bulk-updated second re-reads it next time" {
	sim_start --tickets 700 --burst 350 --window 2 --rate-total 1000000 --stable-ties
	# the state of a run that ended after the second's pages, before
	# the end of its pass: the second is still listed
	fd-fetch -v tickets >"$BATS_TEST_TMPDIR/one.out" 2>/dev/null
	state=$(jq -c 'select(.type == "STATE") | .value | select(.bookmarks.tickets.seconds != null)' \
	    "$BATS_TEST_TMPDIR/one.out" | head -n 1)
	[ -n "$state" ]
	[ "$(jq -r '.bookmarks.tickets.seconds[0].updated_at' <<<"$state")" = "$BURST_AT" ]
	[ "$(jq '.bookmarks.tickets.seconds[0].ids | length' <<<"$state")" -eq 350 ]
	printf '%s\n' "$state" >"$BATS_TEST_TMPDIR/state.json"
	run --separate-stderr fd-fetch -v -s "$BATS_TEST_TMPDIR/state.json" tickets
	assert_success
	# the second is read again (its 4 pages), nothing of it written twice
	run grep -c "updated_since=$BURST_AT" <<<"$stderr"
	[ "$output" -eq 4 ]
}
