#!/usr/bin/env bats
# Endpoints read through a parent: conversations per changed ticket
# (FRESHDESK.md trap 18), and the full-refresh chains (solution
# categories -> folders -> articles, canned responses, discussions);
# -j concurrency under the one budget.

SINCE=2022-01-01T00:00:00Z

setup_file() {
	load ../common
	load ../sim/sim
	export FD_FETCH_RETRY_MS=20
	sim_start --tickets 300 --burst 0 --window 2 --rate-total 1000000 \
	    --tickets-list-limit 100000
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

# the ids of the conversations of the tickets (not spam, not deleted)
# updated since $1
truth_conversations() {
	sim_truth tickets | jq -r --arg t "$1" '.[] | select(.updated_at >= $t and (.spam | not) and (.deleted | not)) | .id' | sort >"$T/tickets.ids"
	sim_truth conversations | jq -r --rawfile t "$T/tickets.ids" '
	    ($t | split("\n") | map(select(length > 0)) | map({(.): true}) | add) as $s
	    | .[] | select($s[.ticket_id | tostring]) | .id' | sort
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
	sim_ctl POST config '{"latency_ms":40}' >/dev/null
	sim_ctl POST reset-stats >/dev/null
	fetch j4 -j 4 conversations
	inflight=$(sim_stats | jq .max_inflight)
	conns=$(sim_stats | jq .connections)
	reqs=$(sim_stats | jq .requests_total)
	fetch j1 conversations
	sim_ctl POST config '{"latency_ms":0}' >/dev/null
	[ "$inflight" -ge 3 ]
	[ "$inflight" -le 4 ]
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
