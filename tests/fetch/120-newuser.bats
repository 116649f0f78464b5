#!/usr/bin/env bats
# What a new user trips over (issue 18): a cursor in the future, a
# --since that a bookmark overrides, resetting a bookmark, --help,
# --list, a typo in an endpoint, a plain date, and the dry run -n.
# One simulator for the file; each test counts the requests it causes.

SINCE=2022-01-01T00:00:00Z

setup_file() {
	load ../common
	load ../sim/sim
	export FD_FETCH_RETRY_MS=20
	sim_start --tickets 120 --contacts 40 --window 2 --rate-total 1000000
}

teardown_file() {
	sim_stop
}

setup() {
	load ../common
	load ../sim/sim
	load fetch
	T="$BATS_TEST_TMPDIR"
	sim_ctl POST reset-stats >/dev/null
}

requests() {
	sim_stats | jq .requests_total
}

# recs NAME STREAM: "id updated_at" of STREAM's records in run NAME, sorted
recs() {
	jq -r --arg s "$2" 'select(.type == "RECORD" and .stream == $s) | .record | "\(.id) \(.updated_at)"' "$T/$1.out" | sort
}

# truth_since ENDPOINT TIME: "id updated_at" of the simulator's records
# updated at or after TIME, sorted
truth_since() {
	sim_truth "$1" | jq -r --arg t "$2" '.[] | select(.updated_at >= $t) | "\(.id) \(.updated_at)"' | sort
}

@test "newuser: a --since or --until in the future is a usage error, before any request, and nothing is written" {
	local t
	for t in 2030-01-01T00:00:00Z 2030-01-01 "$(date -u -d '+10 minutes' +%Y-%m-%dT%H:%M:%SZ)"; do
		run -2 --separate-stderr fd-fetch -s "$T/new-state.json" --since "$t" tickets contacts
		[ -z "$output" ]
		[ "$stderr" = "fd-fetch: --since $t: in the future" ]
		run -2 --separate-stderr fd-fetch -s "$T/new-state.json" --until "$t" tickets
		[ -z "$output" ]
		[ "$stderr" = "fd-fetch: --until $t: in the future" ]
	done
	# --config's start_date is --since
	printf '{"start_date": "2030-01-01T00:00:00Z"}\n' >"$T/c.json"
	run -2 --separate-stderr fd-fetch --config "$T/c.json" tickets
	[ -z "$output" ]
	[ "$stderr" = "fd-fetch: --since 2030-01-01T00:00:00Z: in the future" ]
	[ "$(requests)" -eq 0 ]
	[ ! -e "$T/new-state.json" ]
	# the present itself is no error (a minute of slack for the clocks)
	run -0 --separate-stderr fd-fetch --since "$(date -u -d '+30 seconds' +%Y-%m-%dT%H:%M:%SZ)" tickets
	[ "$(requests)" -gt 0 ]
}

@test "newuser: a plain date for --since and --until is its midnight UTC" {
	fetch d --since 2026-10-01 --until 2026-10-20 tickets
	fetch dt --since 2026-10-01T00:00:00Z --until 2026-10-20T00:00:00Z tickets
	[ ! -s "$T/d.err" ]
	[ "$(recs d tickets | wc -l)" -gt 0 ]
	diff <(recs d tickets) <(recs dt tickets)
	diff <(recs d tickets) <(sim_truth tickets | jq -r '.[] | select(.updated_at >= "2026-10-01T00:00:00Z" and .updated_at <= "2026-10-20T00:00:00Z") | "\(.id) \(.updated_at)"' | sort)
	# not a date: a usage error that says what is expected
	run -2 --separate-stderr fd-fetch --since 2026-10 tickets
	[ "$stderr" = "fd-fetch: --since 2026-10: expected a date (YYYY-MM-DD) or an ISO 8601 date-time" ]
}

@test "newuser: --since with bookmarks: one warning names the endpoints whose bookmark wins; none with -q or without --since" {
	local X=2026-06-01T00:00:00Z Y=2026-10-01T00:00:00Z
	jq -n -c --arg x "$X" '{bookmarks: {tickets: {updated_at: $x, ids_at_cursor: []}, "contacts:blocked": {updated_at: $x}}}' >"$T/state"
	fetch one -s "$T/state" --since "$Y" tickets contacts groups
	[ "$(cat "$T/one.err")" = "fd-fetch: --since $Y: not used for tickets, contacts: the bookmarks in $T/state win; --reset ENDPOINT or --reset all starts them at --since" ]
	fetch q -q -s "$T/state" --since "$Y" tickets contacts
	[ ! -s "$T/q.err" ]
	fetch nosince -s "$T/state" tickets contacts
	[ ! -s "$T/nosince.err" ]
	# a stream without a bookmark: no warning
	fetch fresh -s "$T/state" --since "$Y" groups contacts
	[ "$(cat "$T/fresh.err")" = "fd-fetch: --since $Y: not used for contacts: the bookmarks in $T/state win; --reset ENDPOINT or --reset all starts them at --since" ]
}

@test "newuser: a bookmark in the future (an older version's) is warned, with the way out" {
	jq -n -c '{bookmarks: {tickets: {updated_at: "2030-01-01T00:00:00Z", ids_at_cursor: []}}}' >"$T/state"
	fetch f -s "$T/state" tickets
	[ "$(cat "$T/f.err")" = "fd-fetch: tickets: bookmark 2030-01-01T00:00:00Z is in the future: changes until then are skipped; --reset tickets starts it at --since" ]
	# and --reset gets out of it: the bookmark the run commits is the present's
	fetch r -s "$T/state" --reset tickets tickets
	[ ! -s "$T/r.err" ]
	diff <(recs r tickets) <(truth_since tickets "$SINCE")
	[ "$(jq -r '.bookmarks.tickets.updated_at' "$T/r.state")" \< "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ]
}

@test "newuser: --reset tickets re-reads tickets from --since into SQLite; contacts' bookmark is untouched" {
	local X=2026-09-01T00:00:00Z db="$T/fd.db" st="$T/state.json"
	fd-fetch -q -s "$st" tickets contacts | fd-normalize | fd-load -q -s "$st" -t "sqlite:$db"
	local contacts tickets
	contacts=$(jq -c '.bookmarks | with_entries(select(.key | startswith("contacts")))' "$st")
	tickets=$(jq -c '.bookmarks.tickets' "$st")
	[ "$(sqlite3 "$db" 'select count(*) from tickets')" -eq "$(sim_truth tickets | jq --arg t "$SINCE" '[.[] | select(.updated_at >= $t)] | length')" ]
	# the rows are lost downstream; a run without --reset does not bring them back
	sqlite3 "$db" 'delete from tickets'
	fd-fetch -q -s "$st" --since "$X" tickets contacts | fd-normalize | fd-load -q -s "$st" -t "sqlite:$db"
	[ "$(sqlite3 "$db" 'select count(*) from tickets')" -eq 0 ]
	# with it, the tickets from X come back; contacts are not read again
	fd-fetch -q -s "$st" --since "$X" --reset tickets tickets contacts >"$T/reset.out"
	[ "$(jq -s '[.[] | select(.type == "RECORD" and .stream == "contacts")] | length' "$T/reset.out")" -eq 0 ]
	fd-normalize <"$T/reset.out" | fd-load -q -s "$st" -t "sqlite:$db"
	diff <(sqlite3 "$db" 'select id from tickets order by id') \
	    <(sim_truth tickets | jq -r --arg t "$X" '.[] | select(.updated_at >= $t) | .id' | sort -n)
	# the committed state: contacts' bookmarks as they were, tickets' anew
	[ "$(jq -c '.bookmarks | with_entries(select(.key | startswith("contacts")))' "$st")" = "$contacts" ]
	[ "$(jq -c '.bookmarks.tickets' "$st")" = "$tickets" ]
	# every STATE of the reset run carried contacts' bookmarks unchanged
	run jq -c 'select(.type == "STATE") | .value.bookmarks | with_entries(select(.key | startswith("contacts")))' "$T/reset.out"
	[ "${#lines[@]}" -gt 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort -u)" = "$contacts" ]
}

@test "newuser: --reset all resets every endpoint of the run; one not in the run is a usage error" {
	fetch one tickets contacts
	sim_ctl POST reset-stats >/dev/null
	fetch two -s "$T/one.state" --reset all tickets contacts
	diff <(recs two tickets) <(truth_since tickets "$SINCE")
	diff <(recs two contacts) <(truth_since contacts "$SINCE")
	sim_ctl POST reset-stats >/dev/null
	run -2 --separate-stderr fd-fetch -s "$T/one.state" --reset contacts tickets
	[ -z "$output" ]
	[ "$stderr" = "fd-fetch: --reset contacts: not an endpoint of this run" ]
	run -2 --separate-stderr fd-fetch -s "$T/one.state" --reset ticket tickets
	[ "$stderr" = "fd-fetch: --reset ticket: unknown endpoint (did you mean tickets?)" ]
	[ "$(requests)" -eq 0 ]
}

@test "newuser: --help describes each option in a line; --list shows every endpoint, no key or domain needed" {
	run -0 --separate-stderr env -u FRESHDESK_DOMAIN -u FRESHDESK_API_KEY fd-fetch --help
	[ -z "$stderr" ]
	[[ "$output" == *$'\n  -n, --dry-run '* ]]
	[[ "$output" == *$'\n  --reset endpoint '* ]]
	[[ "$output" == *$'\n  -l, --list '* ]]
	run -0 --separate-stderr env -u FRESHDESK_DOMAIN -u FRESHDESK_API_KEY fd-fetch --list
	[ -z "$stderr" ]
	# every endpoint of "all", in --discover's order, one a line
	diff <(printf '%s\n' "${lines[@]}" | awk '{ print $1 }') \
	    <(fd-fetch --discover | jq -r '.streams[].tap_stream_id')
	# the default set is what a run with no operand reads
	[ "$(printf '%s\n' "${lines[@]}" | awk '$3 == "default" { print $1 }' | tr '\n' ' ')" = "agents companies contacts groups roles tickets " ]
	[[ "$(printf '%s\n' "${lines[@]}" | grep '^tickets ')" =~ ^tickets\ +incremental\ +default\ +passes=tickets,tickets:spam,tickets:deleted$ ]]
	[[ "$(printf '%s\n' "${lines[@]}" | grep '^conversations ')" =~ ^conversations\ +incremental\ +-\ +passes=conversations,conversations:spam,conversations:deleted\ each=/tickets/\{id\}/conversations$ ]]
	[[ "$(printf '%s\n' "${lines[@]}" | grep '^solution_articles ')" =~ ^solution_articles\ +full\ +-\ +parent=solution_folders\ each=/solutions/folders/\{id\}/articles$ ]]
	run -2 fd-fetch --list tickets
	[ "$(requests)" -eq 0 ]
}

@test "newuser: an unknown endpoint suggests the nearest, when one is near" {
	local typo want
	while read -r typo want; do
		run -2 --separate-stderr fd-fetch "$typo"
		[ -z "$output" ]
		[ "$stderr" = "fd-fetch: $typo: unknown endpoint (did you mean $want?)" ]
	done <<-EOF
	ticket tickets
	tikcets tickets
	contact contacts
	conversation conversations
	al all
	time_entires time_entries
	EOF
	for typo in xyzzy t archived_conversations; do
		run -2 --separate-stderr fd-fetch tickets "$typo"
		[ "$stderr" = "fd-fetch: $typo: unknown endpoint" ]
	done
	[ "$(requests)" -eq 0 ]
}

@test "newuser: -n on a new state prints each pass from --since, sends no request, needs no key" {
	run -0 --separate-stderr fd-fetch -n --since 2024-01-01 tickets conversations contacts settings
	[ -z "$stderr" ]
	[ "$(requests)" -eq 0 ]
	local q='per_page=100&page=1&updated_since=2024-01-01T00:00:00Z&order_by=updated_at&order_type=asc'
	diff <(printf '%s\n' "${lines[@]}") - <<-EOF
	pass tickets endpoint=tickets kind=ordered start=since from=2024-01-01T00:00:00Z get=/tickets?$q each=/tickets/{id}/conversations riders=conversations bookmarks=tickets,conversations
	pass tickets:spam endpoint=tickets kind=ordered start=since from=2024-01-01T00:00:00Z get=/tickets?$q&filter=spam each=/tickets/{id}/conversations riders=conversations bookmarks=tickets:spam,conversations:spam
	pass tickets:deleted endpoint=tickets kind=ordered start=since from=2024-01-01T00:00:00Z get=/tickets?$q&filter=deleted each=/tickets/{id}/conversations riders=conversations bookmarks=tickets:deleted,conversations:deleted
	pass contacts endpoint=contacts kind=filtered start=since from=2024-01-01T00:00:00Z get=/contacts?per_page=100&page=1&_updated_since=2024-01-01T00:00:00Z bookmarks=contacts
	pass contacts:deleted endpoint=contacts kind=filtered start=since from=2024-01-01T00:00:00Z get=/contacts?per_page=100&page=1&_updated_since=2024-01-01T00:00:00Z&state=deleted bookmarks=contacts:deleted
	pass contacts:blocked endpoint=contacts kind=filtered start=since from=2024-01-01T00:00:00Z get=/contacts?per_page=100&page=1&_updated_since=2024-01-01T00:00:00Z&state=blocked bookmarks=contacts:blocked
	pass settings endpoint=settings kind=full get=/settings/helpdesk
	EOF
	# no simulator, no key, no domain: the same plan
	run -0 --separate-stderr env -u FRESHDESK_DOMAIN -u FRESHDESK_API_KEY fd-fetch -n --since 2024-01-01 tickets conversations contacts settings
	[ "${#lines[@]}" -eq 7 ]
	# with no operand: the default set, one pass a line
	run -0 env -u FRESHDESK_DOMAIN -u FRESHDESK_API_KEY fd-fetch -n
	[ "$(printf '%s\n' "${lines[@]}" | awk '{ print $3 }' | uniq | tr '\n' ' ')" = "endpoint=agents endpoint=companies endpoint=contacts endpoint=groups endpoint=roles endpoint=tickets " ]
	[ "$(requests)" -eq 0 ]
}

@test "newuser: -n on a state with bookmarks starts each pass where a run would; the probe and --until shown" {
	fetch one tickets archived_tickets contacts
	sim_ctl POST reset-stats >/dev/null
	local at
	at=$(jq -r '.bookmarks.tickets.updated_at' "$T/one.state")
	run -0 --separate-stderr fd-fetch -n -s "$T/one.state" --since 2024-01-01 --reset contacts tickets archived_tickets contacts conversations
	[ "$(requests)" -eq 0 ]
	# tickets from its bookmark (the run's warning names it), archived
	# tickets riding on it, conversations new: from --since, on its own
	[ "$stderr" = "fd-fetch: --since 2024-01-01: not used for tickets: the bookmarks in $T/one.state win; --reset ENDPOINT or --reset all starts them at --since" ]
	printf '%s\n' "${lines[@]}" | grep -qx "pass tickets endpoint=tickets kind=ordered start=bookmark from=$at get=/tickets?per_page=100&page=1&updated_since=$at&order_by=updated_at&order_type=asc riders=archived_tickets bookmarks=tickets,archived_tickets"
	printf '%s\n' "${lines[@]}" | grep -qx "probe archived_tickets:probe endpoint=archived_tickets probed_to=$(jq '.bookmarks["archived_tickets:probe"].probed_to' "$T/one.state") todo=0 each=/tickets/archived/{id},/tickets/archived/{id}/conversations"
	printf '%s\n' "${lines[@]}" | grep -qx "pass conversations endpoint=conversations kind=child start=since from=2024-01-01T00:00:00Z get=/tickets?per_page=100&page=1&updated_since=2024-01-01T00:00:00Z&order_by=updated_at&order_type=asc each=/tickets/{id}/conversations bookmarks=conversations"
	# contacts reset: from --since, though its bookmark is there
	printf '%s\n' "${lines[@]}" | grep -qx "pass contacts endpoint=contacts kind=filtered start=since from=2024-01-01T00:00:00Z get=/contacts?per_page=100&page=1&_updated_since=2024-01-01T00:00:00Z bookmarks=contacts"
	# a run from the same state reads tickets from where -n said
	fetch two -s "$T/one.state" tickets
	[ "$(recs two tickets | wc -l)" -eq 0 ]
	# --until: on each pass; archived tickets not read (warned)
	sim_ctl POST reset-stats >/dev/null
	run -0 --separate-stderr fd-fetch -n -s "$T/one.state" --until 2026-10-15 tickets archived_tickets
	[ "$stderr" = "fd-fetch: archived_tickets: not read with --until: its probe needs the whole tickets passes" ]
	[ "${#lines[@]}" -eq 3 ]
	printf '%s\n' "${lines[@]}" | grep -q "^pass tickets:spam endpoint=tickets kind=ordered start=bookmark from=[^ ]* until=2026-10-15T00:00:00Z get="
	[ "$(requests)" -eq 0 ]
}
