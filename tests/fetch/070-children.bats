#!/usr/bin/env bats
# Endpoints read through a parent: conversations and time entries per
# changed ticket (FRESHDESK.md traps 18 and 19), one read of the tickets
# list for them and the tickets, and the full-refresh chains (solution
# categories -> folders -> articles, canned responses, discussions);
# -j concurrency under the one budget.

SINCE=2022-01-01T00:00:00Z

setup_file() {
	load ../common
	load ../sim/sim
	export FD_FETCH_RETRY_MS=20
	# --stable-ties: a test compares the order of two runs' records,
	# which follows the server's order of tickets that tie
	sim_start --tickets 300 --burst 0 --window 2 --rate-total 1000000 \
	    --tickets-list-limit 100000 --stable-ties
}

teardown_file() {
	sim_stop
}

setup() {
	load ../common
	load ../sim/sim
	load fetch
	T="$BATS_TEST_TMPDIR"
}

# ids STREAM NAME: the ids of STREAM's records in run NAME, sorted
ids() {
	jq -r --arg s "$1" 'select(.type == "RECORD" and .stream == $s) | .record.id' "$T/$2.out" | sort
}

# truth_children NAME SINCE [all]: the ids of the NAME (conversations,
# time_entries) of the tickets (not spam, not deleted; with all, every
# one) updated since SINCE
truth_children() {
	local live='(.spam | not) and (.deleted | not)'
	[ "${3:-}" != all ] || live=true
	sim_truth tickets | jq -r --arg t "$2" ".[] | select(.updated_at >= \$t and $live) | .id" | sort >"$T/tickets.ids"
	sim_truth "$1" | jq -r --rawfile t "$T/tickets.ids" '
	    ($t | split("\n") | map(select(length > 0)) | map({(.): true}) | add) as $s
	    | .[] | select($s[.ticket_id | tostring]) | .id' | sort
}
# conversations are read for spam and deleted tickets too (passes of
# their own), time entries not (the API has none for them)
truth_conversations() {
	truth_children conversations "$1" all
}

# per_ticket NAME: requests for NAME per ticket since the last reset
per_ticket() {
	sim_stats | jq --arg r "/api/v2/tickets/{id}/$1" '.by_route[$r] // {} | [.[]] | add // 0'
}

# list_requests: requests of the tickets list since the last reset
list_requests() {
	sim_stats | jq '.by_path["/api/v2/tickets"] // {} | [.[]] | add // 0'
}

# changed_tickets SINCE [all]: tickets (not spam, not deleted; with
# all, every one) updated since
changed_tickets() {
	if [ "${2:-}" = all ]; then
		sim_truth tickets | jq --arg t "$1" '[.[] | select(.updated_at >= $t)] | length'
	else
		sim_truth tickets | jq --arg t "$1" '[.[] | select(.updated_at >= $t and (.spam | not) and (.deleted | not))] | length'
	fi
}

@test "children: conversations of every ticket changed since 2022, each once" {
	fetch one conversations
	[ "$(truth_conversations $SINCE | wc -l)" -gt 100 ]
	diff <(ids conversations one) <(truth_conversations $SINCE)
	[ -z "$(ids conversations one | uniq -d)" ]
	# a SCHEMA keyed by id, merged; no ticket written
	run jq -c 'select(.type == "SCHEMA") | [.stream, .key_properties, ."x-fd".disposition]' "$T/one.out"
	[ "$output" = '["conversations",["id"],"merge"]' ]
	[ -z "$(ids tickets one)" ]
	# the bookmark is a ticket cursor of its own
	[ "$(jq -r '.bookmarks.conversations.updated_at' "$T/one.state")" = \
	    "$(sim_truth tickets | jq -r '[.[] | select((.spam | not) and (.deleted | not)) | .updated_at] | max')" ]
}

@test "children: the next run asks only for the tickets that changed" {
	fetch one conversations
	sim_ctl POST reset-stats >/dev/null
	fetch two -s "$T/one.state" conversations
	[ -z "$(ids conversations two)" ]
	[ "$(sim_stats | jq '.by_route["/api/v2/tickets/{id}/conversations"] // {} | [.[]] | add // 0')" -eq 0 ]
	changed=$(sim_ctl POST mutate '{"count":4}' | jq -r '[.ids[]] | length')
	[ "$changed" -eq 4 ]
	sim_ctl POST reset-stats >/dev/null
	fetch three -s "$T/one.state" conversations
	[ "$(sim_stats | jq '[.by_route["/api/v2/tickets/{id}/conversations"][]] | add')" -eq 4 ]
}

@test "children: a ticket gone between the list and its conversations is skipped" {
	fetch all conversations
	sim_ctl POST faults '[{"kind":"404","path":"/conversations$","nth":2}]' >/dev/null
	fetch gone -v conversations
	sim_ctl POST faults '[]' >/dev/null
	# one 404, taken as "no conversations", no retry, no warning
	run grep -c ': 404 ' "$T/gone.err"
	[ "$output" -eq 1 ]
	run grep -v '^fd-fetch: GET \|requests, .* records' "$T/gone.err"
	[ -z "$output" ]
	second=$(sed -n 's|.*GET /api/v2/tickets/\([0-9]*\)/conversations.*: 404 .*|\1|p' "$T/gone.err")
	[ -n "$second" ]
	# exactly that ticket's conversations are missing
	diff <(ids conversations gone) <(jq -r --argjson t "$second" 'select(.type == "RECORD" and .record.ticket_id != $t) | .record.id' "$T/all.out" | sort)
}

@test "children: -j 4 runs requests at once and writes the same stream" {
	# the first 4 conversation requests held: all 4 are out at once
	sim_ctl POST faults '[{"kind":"hold","path":"/conversations$","next":4}]' >/dev/null
	sim_ctl POST reset-stats >/dev/null
	fetch_held 4 j4 -j 4 conversations
	inflight=$(sim_stats | jq .max_inflight)
	# (each control request of the test is a connection of its own)
	conns=$(sim_stats | jq '.connections - .control_requests')
	reqs=$(sim_stats | jq .requests_total)
	fetch j1 conversations
	[ "$inflight" -eq 4 ]
	# connections are reused: a handful for hundreds of requests
	[ "$reqs" -gt 100 ]
	[ "$conns" -le 8 ]
	# records in the same order, whatever the order of the answers
	diff <(jq -c 'select(.type == "RECORD") | .record.id' "$T/j4.out") \
	    <(jq -c 'select(.type == "RECORD") | .record.id' "$T/j1.out")
}

@test "children: solution articles, canned responses and discussion comments, whole, with ACTIVATE_VERSION" {
	fetch one solution_folders solution_articles canned_responses discussion_comments
	for s in solution_folders solution_articles canned_responses discussion_comments; do
		diff <(ids $s one) <(sim_truth $s | jq -r '.[].id' | sort)
		[ "$(jq -c --arg s $s 'select(.type == "ACTIVATE_VERSION" and .stream == $s)' "$T/one.out" | wc -l)" -eq 1 ]
	done
	# records carry the version that closes them, and a STATE follows
	[ "$(jq -r 'select(.type == "RECORD") | .version' "$T/one.out" | sort -u | wc -l)" -eq 1 ]
	[ "$(tail -n 1 "$T/one.out" | jq -r .type)" = STATE ]
	[ ! -s "$T/one.err" ]
}

@test "children: a parent endpoint the plan lacks skips its children with a warning" {
	sim_ctl POST config '{"no_feature":["solution_categories"]}' >/dev/null
	run --separate-stderr fd-fetch solution_articles groups
	sim_ctl POST config '{"no_feature":[]}' >/dev/null
	assert_success
	# the request refused was the parent's, and the message says so
	[[ "$stderr" == "fd-fetch: solution_categories: skipped: HTTP 403: require_feature: "* ]]
	[ "$(jq -c 'select(.type == "RECORD") | .stream' <<<"$output" | sort -u)" = '"groups"' ]
}

@test "children: time entries of every changed ticket, per ticket, never the whole /time_entries (traps 18, 19)" {
	sim_ctl POST reset-stats >/dev/null
	fetch one time_entries
	[ "$(truth_children time_entries $SINCE | wc -l)" -gt 20 ]
	diff <(ids time_entries one) <(truth_children time_entries $SINCE)
	[ -z "$(ids time_entries one | uniq -d)" ]
	run jq -c 'select(.type == "SCHEMA") | [.stream, .key_properties, ."x-fd".disposition]' "$T/one.out"
	[ "$output" = '["time_entries",["id"],"merge"]' ]
	[ "$(per_ticket time_entries)" -eq "$(changed_tickets $SINCE)" ]
	[ "$(sim_stats | jq '.by_path["/api/v2/time_entries"] // {} | [.[]] | add // 0')" -eq 0 ]
	[ "$(jq -r '.bookmarks.time_entries.updated_at' "$T/one.state")" = \
	    "$(sim_truth tickets | jq -r '[.[] | select((.spam | not) and (.deleted | not)) | .updated_at] | max')" ]
	# the next run, after 3 tickets changed: 3 requests
	sim_ctl POST mutate '{"count":3}' >/dev/null
	sim_ctl POST reset-stats >/dev/null
	fetch two -s "$T/one.state" time_entries
	[ "$(per_ticket time_entries)" -eq 3 ]
	[ "$(list_requests)" -eq 1 ]
}

@test "children: tickets, conversations and time entries share one read of the tickets list" {
	sim_ctl POST reset-stats >/dev/null
	fetch alone tickets
	alone=$(list_requests)
	sim_ctl POST reset-stats >/dev/null
	fetch three tickets conversations time_entries
	# the tickets list as often as for the tickets alone, each changed
	# ticket asked once per child endpoint
	[ "$(list_requests)" -eq "$alone" ]
	n=$(changed_tickets $SINCE)
	[ "$(per_ticket conversations)" -eq "$(changed_tickets $SINCE all)" ]
	[ "$(per_ticket conversations)" -gt "$n" ]
	[ "$(per_ticket time_entries)" -eq "$n" ]
	diff <(ids tickets three) <(ids tickets alone)
	diff <(ids conversations three) <(truth_conversations $SINCE)
	diff <(ids time_entries three) <(truth_children time_entries $SINCE)
	# a SCHEMA each (wider ones may follow), before its first RECORD
	run jq -r 'select(.type == "SCHEMA") | .stream' "$T/three.out"
	[ "$(sort -u <<<"$output" | tr '\n' ' ')" = "conversations tickets time_entries " ]
	jq -s -e 'reduce .[] as $m ({}; if $m.type == "SCHEMA" then .[$m.stream] = true
	    elif $m.type == "RECORD" and (.[$m.stream] | not) then error("RECORD before SCHEMA: \($m.stream)") else . end) | true' "$T/three.out" >/dev/null
	# one bookmark for the three; the spam and deleted passes carry
	# the conversations, with bookmarks of their own, not time entries
	[ "$(jq -c '[.bookmarks.tickets, .bookmarks.conversations, .bookmarks.time_entries] | unique | length' "$T/three.state")" -eq 1 ]
	[ "$(jq -c '[.bookmarks["tickets:spam"], .bookmarks["conversations:spam"]] | unique | length' "$T/three.state")" -eq 1 ]
	[ "$(jq -c '[.bookmarks["tickets:deleted"], .bookmarks["conversations:deleted"]] | unique | length' "$T/three.state")" -eq 1 ]
	[ "$(jq -c '.bookmarks["conversations:spam"].updated_at' "$T/three.state")" != null ]
	[ "$(jq -c '[.bookmarks | keys[] | select(startswith("time_entries:"))] | length' "$T/three.state")" -eq 0 ]
	# and the next run after 4 changes: 3 list pages (the three ticket
	# passes), 4 requests per child endpoint
	sim_ctl POST mutate '{"count":4}' >/dev/null
	sim_ctl POST reset-stats >/dev/null
	fetch next -s "$T/three.state" tickets conversations time_entries
	[ "$(list_requests)" -eq 3 ]
	[ "$(per_ticket conversations)" -eq 4 ]
	[ "$(per_ticket time_entries)" -eq 4 ]
	[ "$(ids tickets next | wc -l)" -eq 4 ]
}

@test "children: endpoints with different bookmarks do not share a pass, each starts at its own" {
	fetch t tickets
	old=2026-10-01T00:00:00Z
	jq -c --arg o "$old" '.bookmarks["conversations", "conversations:spam", "conversations:deleted"] = {updated_at: $o, ids_at_cursor: []}' "$T/t.state" >"$T/mixed"
	sim_ctl POST reset-stats >/dev/null
	fetch mixed -s "$T/mixed" tickets conversations
	# the tickets from their bookmark: nothing new; the conversations of
	# the tickets changed since $old, all of them
	[ -z "$(ids tickets mixed)" ]
	diff <(ids conversations mixed) <(truth_conversations $old)
	[ "$(per_ticket conversations)" -eq "$(changed_tickets $old all)" ]
	[ "$(changed_tickets $old)" -gt 3 ]
}

@test "children: pages come gzip-encoded, over few connections" {
	sim_ctl POST reset-stats >/dev/null
	fetch gz conversations
	st=$(sim_stats)
	reqs=$(jq .requests_total <<<"$st")
	[ "$reqs" -gt 100 ]
	[ "$(jq .gzip_responses <<<"$st")" -eq "$reqs" ]
	# one connection for the run (-j 1), one for sim_stats, at most one
	# more (should the simulator drop an idle one)
	[ "$(jq .connections <<<"$st")" -le 3 ]
}

@test "children: satisfaction ratings from the account-wide list, created_since its bookmark (trap 5); the next run reads one page" {
	sim_ctl POST reset-stats >/dev/null
	fetch one -v satisfaction_ratings
	[ "$(sim_truth satisfaction_ratings | jq '[.[] | select(.created_at >= "2022-01-01T00:00:00Z")] | length')" -gt 5 ]
	diff <(jq -S -c 'select(.type == "RECORD" and .stream == "satisfaction_ratings") | .record' "$T/one.out" | sort) \
	    <(sim_truth satisfaction_ratings | jq -S -c '.[] | select(.created_at >= "2022-01-01T00:00:00Z")' | sort)
	# every request is the list with created_since, none per ticket
	[ "$(grep -c 'GET /api/v2/surveys/satisfaction_ratings?.*created_since=2022-01-01T00:00:00Z' "$T/one.err")" -eq "$(sim_stats | jq .requests_total)" ]
	[ "$(jq -r '.bookmarks.satisfaction_ratings.updated_at' "$T/one.state")" = \
	    "$(sim_truth satisfaction_ratings | jq -r '[.[].created_at] | max')" ]
	sim_ctl POST reset-stats >/dev/null
	fetch two -s "$T/one.state" satisfaction_ratings
	[ -z "$(ids satisfaction_ratings two)" ]
	[ "$(sim_stats | jq .requests_total)" -eq 1 ]
}
