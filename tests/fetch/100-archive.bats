#!/usr/bin/env bats
# Archived tickets (FRESHDESK.md Part 3.12, trap 28): the ids the tickets
# lists do not show, probed once at /tickets/archived/{id}; and
# --reconcile's complete id sets (issue 16).

SINCE=2000-01-01T00:00:00Z
GENEROUS=(--rate-total 1000000 --tickets-list-limit 1000000
	--contacts-list-limit 1000000)

setup() {
	load ../common
	load ../sim/sim
	load fetch
	T="$BATS_TEST_TMPDIR"
	export FD_FETCH_RETRY_MS=20
}

teardown() {
	sim_stop
}

# ids STREAM NAME: the ids of STREAM's records in run NAME, sorted
ids() {
	jq -r --arg s "$1" 'select(.type == "RECORD" and .stream == $s) | .record.id' "$T/$2.out" | sort -n
}

# probes: the archive probes since the last reset of the counters
probes() {
	sim_stats | jq '[.by_route_name.archived_ticket // {} | .[]] | add // 0'
}

# probed_paths: the ids probed since the last reset, one a line, sorted
probed_paths() {
	sim_stats | jq -r '.by_path | keys[] | select(test("^/api/v2/tickets/archived/[0-9]+$")) | ltrimstr("/api/v2/tickets/archived/")' | sort -n
}

# missing: the ids from 1 to the highest that no tickets list shows
# (archived or deleted forever), sorted
missing() {
	sim_ctl GET ids | jq -r '(.archived + .hard_deleted)[]' | sort -n
}

# set_ids NAME STREAM: the ids of STREAM's fd_ids set in run NAME, one a
# line (the ranges expanded), sorted
set_ids() {
	jq -r --arg s "$2" 'select(.type == "STATE" and .fd_ids.stream == $s) | .fd_ids.ids' "$T/$1.out" |
	    tr ',' '\n' | awk -F- 'NF { for (i = $1; i <= ($2 == "" ? $1 : $2); i++) print i }' | sort -n
}

@test "archive: a first run yields every ticket once, archived ones from one probe each of the ids no list shows" {
	sim_start "${GENEROUS[@]}" --tickets 400 --archived 40 --hard-deleted 5
	fetch a1 -j 4 --since "$SINCE" tickets archived_tickets
	[ -z "$(cat "$T/a1.err")" ] || fail "stderr: $(cat "$T/a1.err")"
	# every ticket that exists, once
	[ "$(ids tickets a1)" = "$(sim_truth tickets | jq -r '.[].id' | sort -n)" ] ||
	    fail "tickets differ from the truth"
	[ -z "$(ids tickets a1 | uniq -d)" ] || fail "a ticket twice"
	# archived ones as the archive sends them
	[ "$(jq -r 'select(.type == "RECORD" and .record.archived == true) | .record.id' "$T/a1.out" | sort -n)" = \
	    "$(sim_truth archived_tickets | jq -r '.[].id' | sort -n)" ]
	[ "$(sim_truth archived_tickets | jq length)" -eq 160 ]
	# one probe per missing id, none other
	[ "$(probed_paths)" = "$(missing)" ] || fail "probed: $(probed_paths | tr '\n' ' ')"
	[ "$(probes)" -eq "$(missing | wc -l)" ]
	# the bookmark: everything resolved, the archived ids found
	jq -e '.bookmarks["archived_tickets:probe"] | .probed_to == 400 and .todo == ""' "$T/a1.state"
	# no conversations unless asked
	[ -z "$(ids conversations a1)" ]
}

@test "archive: a second run probes nothing; one after new archiving and deletions probes none of the ids known" {
	sim_start "${GENEROUS[@]}" --tickets 300 --archived 30 --hard-deleted 5
	fetch a1 --since "$SINCE" tickets archived_tickets
	sim_ctl POST reset-stats >/dev/null
	fetch a2 -s "$T/a1.state" --since "$SINCE" tickets archived_tickets
	[ "$(probes)" -eq 0 ]
	[ -z "$(ids tickets a2)" ]
	# tickets listed before are archived or deleted forever now: an
	# archived ticket does not change, and the id was resolved before
	sim_ctl POST mutate '{"action":"archive","count":5}' >/dev/null
	sim_ctl POST mutate '{"action":"purge","count":3}' >/dev/null
	sim_ctl POST reset-stats >/dev/null
	fetch a3 -s "$T/a1.state" --since "$SINCE" tickets archived_tickets
	[ "$(probes)" -eq 0 ]
	# and the tickets passes rode together: one read of each list
	[ "$(sim_stats | jq '[.by_path["/api/v2/tickets"][]] | add')" -eq 3 ]
}

@test "archive: with conversations, each archived ticket's conversations come once from the archive" {
	sim_start "${GENEROUS[@]}" --tickets 200 --archived 25
	fetch a1 -j 4 --since "$SINCE" tickets archived_tickets conversations
	[ "$(ids conversations a1)" = "$(sim_truth conversations | jq -r '.[].id' | sort -n)" ] ||
	    fail "conversations differ from the truth"
	[ "$(sim_stats | jq '[.by_route_name.archived_conversations[]] | add')" -eq \
	    "$(sim_truth archived_tickets | jq length)" ]
	sim_ctl POST reset-stats >/dev/null
	fetch a2 -s "$T/a1.state" --since "$SINCE" tickets archived_tickets conversations
	[ "$(sim_stats | jq '.by_route_name.archived_conversations // {} | [.[]] | add // 0')" -eq 0 ]
}

@test "archive: an account without the archive costs one request and one warning, and the tickets are read" {
	sim_start "${GENEROUS[@]}" --tickets 200 --hard-deleted 10 --no-feature archived_tickets
	fetch a1 --since "$SINCE" tickets archived_tickets
	[ "$(probes)" -eq 1 ]
	[ "$(cat "$T/a1.err")" = "fd-fetch: archived_tickets: skipped: HTTP 403: require_feature: The Archive Tickets feature(s) is/are not supported in your plan. Please upgrade your account to use it." ] ||
	    fail "stderr: $(cat "$T/a1.err")"
	[ "$(ids tickets a1)" = "$(sim_truth tickets | jq -r '.[].id' | sort -n)" ]
	# the ids stay to probe, should the plan change
	jq -e '.bookmarks["archived_tickets:probe"].todo != ""' "$T/a1.state"
}

@test "archive: a run killed during the probe goes on from its last STATE: no id probed twice but the batch in flight" {
	sim_start "${GENEROUS[@]}" --tickets 600 --archived 50
	# the 150th probe waits, unanswered, until released
	sim_ctl POST faults '[{"kind":"hold","path":"^/api/v2/tickets/archived/","nth":150}]' >/dev/null
	fd-fetch --since "$SINCE" tickets archived_tickets >"$T/k1.out" 2>"$T/k1.err" &
	local pid=$!
	sim_wait_held 1 "$pid"
	kill -9 "$pid"
	wait "$pid" || true
	sim_ctl POST release >/dev/null
	sim_ctl POST faults '[]' >/dev/null
	probed_paths >"$T/p1"
	jq -c 'select(.type == "STATE") | .value' "$T/k1.out" | tail -n 1 >"$T/k1.state"
	sim_ctl POST reset-stats >/dev/null
	fetch k2 -s "$T/k1.state" --since "$SINCE" tickets archived_tickets
	probed_paths >"$T/p2"
	# together every missing id, and again only the batch that was in
	# flight (at most 100: a STATE follows each batch)
	[ "$(sort -n -u "$T/p1" "$T/p2")" = "$(missing)" ]
	[ "$(comm -12 "$T/p1" "$T/p2" | wc -l)" -le 100 ]
	# the two runs' tickets: every one that exists
	cat "$T/k1.out" "$T/k2.out" >"$T/k.out"
	[ "$(ids tickets k | uniq)" = "$(sim_truth tickets | jq -r '.[].id' | sort -n)" ]
}

@test "archive: with --until not read, with a warning; its helpers are not operands" {
	sim_start "${GENEROUS[@]}" --tickets 100 --archived 20
	fetch u1 --since "$SINCE" --until 2026-11-01T00:00:00Z tickets archived_tickets
	[ "$(cat "$T/u1.err")" = "fd-fetch: archived_tickets: not read with --until: its probe needs the whole tickets passes" ]
	[ "$(probes)" -eq 0 ]
	local e
	for e in archived_conversations ticket_ids; do
		run -2 fd-fetch "$e"
		[ "$output" = "fd-fetch: $e: unknown endpoint" ]
	done
}

@test "archive: the progress line shows the probe" {
	command -v script >/dev/null || skip "script(1) is not installed"
	sim_start "${GENEROUS[@]}" --tickets 300 --archived 50
	# a terminal wide enough for the whole line (80 columns cut it)
	run -0 script -qefc "stty cols 200; fd-fetch --since $SINCE archived_tickets >/dev/null" /dev/null
	[[ "$output" == *"archive: "*" probed, "*" found, "*" left, "*"s to go"* ]] ||
	    fail "no probe in the progress line: $output"
}

@test "reconcile: the sets sent are exactly the tickets and contacts that exist, after deletions, purges and archiving" {
	sim_start "${GENEROUS[@]}" --tickets 300 --contacts 300 --archived 30 \
	    --hard-deleted 5 --trash-days 30
	fetch r0 --since "$SINCE" tickets archived_tickets contacts
	sim_ctl POST mutate '{"action":"purge","count":4}' >/dev/null
	sim_ctl POST mutate '{"action":"delete","count":3}' >/dev/null
	sim_ctl POST mutate '{"action":"archive","count":6}' >/dev/null
	sim_ctl POST mutate '{"resource":"contacts","action":"purge","count":5}' >/dev/null
	sim_ctl POST now '{"advance":2678400}' >/dev/null	# 31 days: the trash purged
	sim_ctl POST reset-stats >/dev/null
	fetch r1 -s "$T/r0.state" --reconcile tickets contacts
	[ -z "$(cat "$T/r1.err")" ] || fail "stderr: $(cat "$T/r1.err")"
	[ "$(set_ids r1 tickets)" = "$(sim_truth tickets | jq -r '.[].id' | sort -n)" ] ||
	    fail "tickets set: $(diff <(set_ids r1 tickets) <(sim_truth tickets | jq -r '.[].id' | sort -n))"
	[ "$(set_ids r1 contacts)" = "$(sim_truth contacts | jq -r '.[].id' | sort -n)" ] ||
	    fail "contacts set differs"
	# one final part each, the state beside it unchanged by the set
	[ "$(jq -c 'select(.fd_ids.final == true) | .fd_ids.stream' "$T/r1.out" | sort | tr -d '\n')" = '"contacts""tickets"' ]
	# the tickets archived since were found by a probe, and the ids
	# gone are remembered: a second reconcile probes none
	[ "$(probes)" -gt 0 ]
	jq -c 'select(.type == "STATE") | .value' "$T/r1.out" | tail -n 1 >"$T/r1.state"
	sim_ctl POST reset-stats >/dev/null
	fetch r2 -s "$T/r1.state" --since "$SINCE" --reconcile tickets
	[ "$(probes)" -eq 0 ]
	[ "$(set_ids r2 tickets)" = "$(sim_truth tickets | jq -r '.[].id' | sort -n)" ]
}

@test "reconcile: a set not read whole is not sent, with a warning; not with --until or --raw" {
	sim_start "${GENEROUS[@]}" --tickets 50 --contacts 300 --churn-every 1
	fetch c1 --since "$SINCE" --reconcile contacts
	[ -z "$(jq -c 'select(.fd_ids)' "$T/c1.out")" ]
	grep -q '^fd-fetch: contacts: --reconcile: a list was not read whole: no deletions$' "$T/c1.err"
	sim_stop
	sim_start "${GENEROUS[@]}" --tickets 50 --no-feature contacts
	fetch c2 --since "$SINCE" --reconcile contacts tickets
	[ -z "$(jq -c 'select(.fd_ids.stream == "contacts")' "$T/c2.out")" ]
	[ -n "$(jq -c 'select(.fd_ids.stream == "tickets")' "$T/c2.out")" ]
	grep -q '^fd-fetch: contacts: --reconcile: a list was not read whole: no deletions$' "$T/c2.err"
	run -2 fd-fetch --reconcile --until 2030-01-01T00:00:00Z tickets
	[ "$output" = "fd-fetch: --reconcile reads whole lists into a stream: not with --until" ]
	run -2 fd-fetch --reconcile --raw tickets
	[ "$output" = "fd-fetch: --reconcile reads whole lists into a stream: not with --raw" ]
	run -2 fd-fetch --reconcile groups
	[ "$output" = "fd-fetch: --reconcile: it reconciles tickets and contacts, and neither is fetched" ]
}

@test "reconcile: a run that gives up waiting (--max-wait) sends no set" {
	sim_start "${GENEROUS[@]}" --tickets 300
	fetch m0 --since "$SINCE" tickets
	# the reconcile's reads of the tickets lists (from the beginning) are
	# refused, for long; the incremental passes are not
	sim_ctl POST faults '[{"kind":"429","path":"^/api/v2/tickets$","query":"updated_since=1970-01-01","retry_after":3600}]' >/dev/null
	run fetch m1 -s "$T/m0.state" --since "$SINCE" --max-wait 1 --reconcile tickets
	[ "$status" -eq 75 ]
	[ "$(jq -c 'select(.type == "STATE")' "$T/m1.out" | wc -l)" -ge 3 ]
	[ -z "$(jq -c 'select(.fd_ids)' "$T/m1.out")" ]
}
