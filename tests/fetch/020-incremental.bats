#!/usr/bin/env bats
# fd-fetch run after run: the state of one run given to the next
# (DESIGN.md section 2, FRESHDESK.md traps 3, 4 and 6).  One simulator
# for the file; the tests change its tickets (POST /_sim/mutate) and
# compare with the truth as it is then.

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
	T="$BATS_TEST_TMPDIR"
	sim_ctl POST config '{"mutate_every":0}' >/dev/null
}

# recs NAME STREAM: "id updated_at" of STREAM's records in run NAME
recs() {
	jq -r --arg s "$2" 'select(.type == "RECORD" and .stream == $s) | .record | "\(.id) \(.updated_at)"' "$T/$1.out"
}

@test "incremental: a second run from the last STATE reads one page per pass and writes no RECORD" {
	fetch one tickets contacts
	[ "$(recs one tickets | wc -l)" -gt 300 ]
	sim_ctl POST reset-stats >/dev/null
	fetch two -s "$T/one.state" tickets contacts
	[ "$(recs two tickets | wc -l)" -eq 0 ]
	[ "$(recs two contacts | wc -l)" -eq 0 ]
	[ ! -s "$T/two.err" ]
	run sim_stats
	[ "$(jq -c .by_path <<<"$output")" = '{"/api/v2/tickets":{"200":3},"/api/v2/contacts":{"200":3}}' ]
	# the cursors stay where they were
	[ "$(jq -S -c . "$T/two.state")" = "$(jq -S -c . "$T/one.state")" ]
}

@test "incremental: fd-fetch reads the state file and never writes it" {
	fetch one tickets
	cp "$T/one.state" "$T/state"
	chmod 0444 "$T/state"
	local before
	before=$(ls -l --time-style=+%s.%N "$T/state"; cksum <"$T/state")
	sim_ctl POST mutate '{"count":3}' >/dev/null
	fetch two -s "$T/state" tickets
	[ "$(recs two tickets | wc -l)" -eq 3 ]
	[ "$(ls -l --time-style=+%s.%N "$T/state"; cksum <"$T/state")" = "$before" ]
	[ "$(ls "$T")" = "$(printf '%s\n' one.err one.out one.state state two.err two.out two.state)" ]
}

@test "incremental: a state file that does not exist yet is a first run" {
	fetch one -s "$T/no-such-state" tickets
	[ ! -s "$T/one.err" ]
	diff <(recs one tickets | sort) <(truth_pairs tickets)
	[ ! -e "$T/no-such-state" ]
}

@test "incremental: after N tickets change, the next run writes exactly those N" {
	fetch one tickets contacts
	# a second of its own: an earlier test's changes may share the
	# simulator's current second, and then they are in the truth too
	sim_ctl POST now '{"advance":2}' >/dev/null
	run sim_ctl POST mutate '{"count":7}'
	local ids stamp
	ids=$(jq -r '.ids[]' <<<"$output" | sort -n)
	stamp=$(jq -r '.updated_at' <<<"$output")
	[ "$(wc -l <<<"$ids")" -eq 7 ]
	fetch two -s "$T/one.state" tickets contacts
	[ ! -s "$T/two.err" ]
	[ "$(recs two tickets | sort -n)" = "$(sed "s/\$/ $stamp/" <<<"$ids")" ]
	[ "$(recs two contacts | wc -l)" -eq 0 ]
	# whole records, as the API has them now
	diff <(jq -S -c 'select(.type == "RECORD") | .record' "$T/two.out" | sort) \
	    <(sim_truth tickets | jq -S -c --arg t "$stamp" '.[] | select(.updated_at == $t)' | sort)
	# and the cursor moved to them
	[ "$(jq -r '.bookmarks.tickets.updated_at' "$T/two.state")" = "$stamp" ]
	[ "$(jq -r '.bookmarks.tickets.ids_at_cursor | sort[]' "$T/two.state")" = "$ids" ]
}

@test "incremental: deleted, spammed and restored tickets come back through their passes with their flags" {
	fetch one tickets
	local del spam restore
	del=$(sim_ctl POST mutate '{"count":2,"action":"delete"}' | jq -c '.ids | sort')
	spam=$(sim_ctl POST mutate '{"count":2,"action":"spam"}' | jq -c '.ids | sort')
	fetch two -s "$T/one.state" tickets
	[ "$(jq -s -c '[.[] | select(.type == "RECORD") | .record | select(.deleted == true) | .id] | sort' "$T/two.out")" = "$del" ]
	[ "$(jq -s -c '[.[] | select(.type == "RECORD") | .record | select(.spam == true) | .id] | sort' "$T/two.out")" = "$spam" ]
	[ "$(recs two tickets | wc -l)" -eq 4 ]
	# the deleted pass moved its own cursor
	[ "$(jq -c '.bookmarks["tickets:deleted"].ids_at_cursor | sort' "$T/two.state")" = "$del" ]
	# a restored ticket comes back in the normal pass, not spam
	restore=$(jq -c '.[0]' <<<"$spam")
	sim_ctl POST mutate "{\"ids\":[$restore],\"action\":\"restore\"}" >/dev/null
	fetch three -s "$T/two.state" tickets
	[ "$(jq -s -c '[.[] | select(.type == "RECORD") | .record | {id, spam, deleted}]' "$T/three.out")" = \
	    "[{\"id\":$restore,\"spam\":false,\"deleted\":null}]" ]
}

@test "incremental: changes within the cursor's own second are written once each, none lost" {
	fetch one tickets
	# a fixed second S, later than anything in the data
	local S=2026-12-01T00:00:00Z a b
	a=$(sim_truth tickets | jq -c '[.[] | select(.spam == false and (.deleted | not)) | .id][10:13]')
	b=$(sim_truth tickets | jq -c '[.[] | select(.spam == false and (.deleted | not)) | .id][20:22]')
	sim_ctl POST now "{\"set\":\"$S\"}" >/dev/null
	run sim_ctl POST mutate "{\"ids\":$a}"
	[ "$(jq -r .updated_at <<<"$output")" = "$S" ]
	fetch two -s "$T/one.state" tickets
	[ "$(jq -s -c '[.[] | select(.type == "RECORD") | .record.id] | sort' "$T/two.out")" = "$a" ]
	[ "$(jq -r '.bookmarks.tickets.updated_at' "$T/two.state")" = "$S" ]
	# two more tickets change in that same second
	sim_ctl POST now "{\"set\":\"$S\"}" >/dev/null
	run sim_ctl POST mutate "{\"ids\":$b}"
	[ "$(jq -r .updated_at <<<"$output")" = "$S" ]
	fetch three -s "$T/two.state" tickets
	[ "$(jq -s -c '[.[] | select(.type == "RECORD") | .record.id] | sort' "$T/three.out")" = "$b" ]
	[ "$(jq -c '.bookmarks.tickets.ids_at_cursor | sort' "$T/three.state")" = "$(jq -c -n "$a + $b | sort")" ]
	# and then nothing
	fetch four -s "$T/three.state" tickets
	[ "$(recs four tickets | wc -l)" -eq 0 ]
}

@test "incremental: a bookmark wins over --since; a stream without one starts at --since" {
	local X=2026-06-01T00:00:00Z Y=2026-10-01T00:00:00Z
	jq -n -c --arg x "$X" '{bookmarks: {tickets: {updated_at: $x, ids_at_cursor: []}}}' >"$T/state"
	fetch one -s "$T/state" --since "$Y" tickets contacts
	# one warning names the endpoint whose bookmark wins (tests/fetch/120-newuser.bats)
	[ "$(cat "$T/one.err")" = "fd-fetch: --since $Y: not used for tickets: the bookmarks in $T/state win; --reset ENDPOINT or --reset all starts them at --since" ]
	# tickets' normal pass from the bookmark
	diff <(jq -r 'select(.type == "RECORD" and .stream == "tickets") | .record | select(.spam == false and (.deleted | not)) | "\(.id) \(.updated_at)"' "$T/one.out" | sort) \
	    <(sim_truth tickets | jq -r --arg t "$X" '.[] | select(.updated_at >= $t and .spam == false and (.deleted | not)) | "\(.id) \(.updated_at)"' | sort)
	# spam and deleted passes and contacts from --since
	diff <(jq -r 'select(.type == "RECORD" and .stream == "tickets") | .record | select(.spam == true or .deleted == true) | "\(.id) \(.updated_at)"' "$T/one.out" | sort) \
	    <(sim_truth tickets | jq -r --arg t "$Y" '.[] | select(.updated_at >= $t and (.spam == true or .deleted == true)) | "\(.id) \(.updated_at)"' | sort)
	diff <(recs one contacts | sort) \
	    <(sim_truth contacts | jq -r --arg t "$Y" '.[] | select(.updated_at >= $t) | "\(.id) \(.updated_at)"' | sort)
}

@test "incremental: a run over some endpoints keeps the other bookmarks of its state" {
	fetch one tickets
	# what an earlier contacts run and some other tool left in the state
	jq -c '.bookmarks.contacts = {"updated_at":"2026-10-01T00:00:00Z","ids_at_cursor":[1,2]}
	    | .bookmarks.conversations = {"updated_at":"2025-01-01T00:00:00Z"}
	    | .currently_syncing = null | .other = {"keep": [1, "two"]}' "$T/one.state" >"$T/state"
	sim_ctl POST mutate '{"count":2}' >/dev/null
	fetch two -s "$T/state" tickets
	[ "$(recs two tickets | wc -l)" -eq 2 ]
	# every STATE carries the rest unchanged
	run jq -c 'select(.type == "STATE") | .value | del(.bookmarks.tickets, .bookmarks["tickets:spam"], .bookmarks["tickets:deleted"])' "$T/two.out"
	[ "${#lines[@]}" -ge 3 ]
	local want
	want=$(jq -c 'del(.bookmarks.tickets, .bookmarks["tickets:spam"], .bookmarks["tickets:deleted"])' "$T/state")
	[ "$(printf '%s\n' "${lines[@]}" | sort -u)" = "$want" ]
	# and contacts, not asked for, was not fetched: its bookmark is as it was
	[ "$(jq -c '.bookmarks.contacts' "$T/two.state")" = '{"updated_at":"2026-10-01T00:00:00Z","ids_at_cursor":[1,2]}' ]
}

# mutated_run EVERY COUNT: a run while the simulator updates COUNT tickets
# after every EVERY tickets-list pages, then a run from its state; checks
# that together they hold the truth exactly
mutated_run() {
	sim_ctl POST config "{\"mutate_every\":$1,\"mutate_count\":$2}" >/dev/null
	run sim_stats
	local m0
	m0=$(jq .mutations <<<"$output")
	fetch one tickets
	sim_ctl POST config '{"mutate_every":0}' >/dev/null
	run sim_stats
	[ "$(jq .mutations <<<"$output")" -gt "$((m0 + 2))" ]
	[ ! -s "$T/one.err" ]
	fetch two -s "$T/one.state" tickets
	[ ! -s "$T/two.err" ]
	# within a run, a ticket appears twice only with another updated_at
	[ -z "$(recs one tickets | sort | uniq -d)" ]
	[ -z "$(recs two tickets | sort | uniq -d)" ]
	# the newest version of every ticket is the truth
	cat "$T/one.out" "$T/two.out" |
	    jq -r 'select(.type == "RECORD") | .record | "\(.id) \(.updated_at)"' |
	    sort | awk '{ last[$1] = $2 } END { for (i in last) print i, last[i] }' |
	    sort >"$T/got"
	truth_pairs tickets >"$T/want"
	run diff "$T/got" "$T/want"
	assert_success
}

@test "incremental: tickets updated while the run pages are neither lost nor duplicated" {
	mutated_run 2 10
}

@test "incremental: the same, with tickets updated after every page" {
	mutated_run 1 25
}

@test "incremental: a state that is not valid JSON is a failure with a message naming the file" {
	printf '{"bookmarks":' >"$T/state"
	run -1 --separate-stderr fd-fetch -s "$T/state" tickets
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: $T/state: "* ]]
	echo '[1,2]' >"$T/state"
	run -1 --separate-stderr fd-fetch -s "$T/state" tickets
	[ -z "$output" ]
	[ "$stderr" = "fd-fetch: $T/state: the state is not an object" ]
}

@test "incremental: a bookmark with an invalid cursor is a failure, before any RECORD" {
	echo '{"bookmarks":{"tickets":{"updated_at":"yesterday","ids_at_cursor":[]}}}' >"$T/state"
	run -1 --separate-stderr fd-fetch -s "$T/state" tickets
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == fd-fetch:*tickets*yesterday* ]]
	run grep -c '"RECORD"' <<<"$output"
	[ "$output" = 0 ]
}
