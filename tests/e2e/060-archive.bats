#!/usr/bin/env bats
# A complete copy (issue 16): archived tickets, read one by one, and
# deletions, marked by --reconcile (e2e.bash).

load e2e

new_dest() {
	TO="sqlite:$T/fd.db"
}

q() {
	sqlite3 "$T/fd.db" "$1"
}

@test "e2e archive: a first sync of a helpdesk 40% archived yields every ticket once, and its conversations" {
	e2e_sim --tickets 500 --archived 40 --hard-deleted 5
	new_dest
	run_sync -j 4 tickets archived_tickets conversations
	[ "$(q 'select count(*) from tickets')" -eq "$(sim_truth tickets | jq length)" ]
	[ "$(q 'select count(distinct id) from tickets')" -eq "$(sim_truth tickets | jq length)" ]
	[ "$(q 'select count(*) from tickets where archived = 1')" -eq 200 ]
	truth tickets conversations
	# a second sync probes nothing and changes nothing
	sim_ctl POST reset-stats >/dev/null
	run_sync -j 4 tickets archived_tickets conversations
	[ "$(sim_stats | jq '.by_route_name | [.[][]] | add // 0')" -eq 0 ]
	truth tickets conversations
}

@test "e2e archive: --reconcile marks exactly the rows deleted forever, purged or trashed, not those archived since; once" {
	t_reconcile
}

@test "e2e archive: a load killed between the parts of a set marks nothing; the next marks once" {
	t_reconcile_killed
}

@test "e2e archive: --reconcile into csv: files: the deletions files list exactly the rows gone" {
	e2e_sim --tickets 300 --contacts 100 --hard-deleted 5
	TO="csv:$T/out"
	run_sync tickets contacts
	local purged cpurged
	purged=$(mutate '{"action":"purge","count":4}')
	cpurged=$(mutate '{"resource":"contacts","action":"purge","count":3}')
	run_sync --reconcile tickets contacts
	# every deletions file of a table: its marked keys
	[ "$(cat "$T"/out/tickets/deletions-*.csv | awk -F, 'NR > 1 && $1 != "id" && $2 != "" { print $1 }' | sort -n)" = \
	    "$(printf '%s\n' $purged | sort -n)" ]
	[ "$(cat "$T"/out/contacts/deletions-*.csv | awk -F, 'NR > 1 && $1 != "id" && $2 != "" { print $1 }' | sort -n)" = \
	    "$(printf '%s\n' $cpurged | sort -n)" ]
	# listed in the manifest, apart from the data files
	jq -e '[.. | objects | select(has("deletions")) | .deletions[]] | length == 2' "$T/out/_fd_manifest.json"
	# a second reconcile adds no mark
	run_sync --reconcile tickets contacts
	[ "$(cat "$T"/out/tickets/deletions-*.csv | awk -F, '$1 != "id" && $2 != ""' | wc -l)" -eq 4 ]
}

@test "e2e archive: as the real API behaves (an agent's key, the per-hour throttler, lists by name that move): every ticket once, then exactly the rows gone marked" {
	e2e_sim --tickets 300 --contacts 300 --archived 30 --hard-deleted 5 \
	    --trash-days 30 --role agent --throttler hourly --window 2 \
	    --rate-total 1000 --churn-every 2 --churn-max 6 \
	    --churn block,delete,rename,create
	new_dest
	run_sync -j 2 tickets archived_tickets conversations contacts
	[ "$(sim_stats | jq .churns)" -ge 4 ]
	truth tickets conversations
	[ "$(q 'select count(*) from tickets where archived = 1')" -eq 90 ]
	mutate '{"action":"purge","count":4}' >/dev/null
	mutate '{"resource":"contacts","action":"purge","count":4}' >/dev/null
	advance 2678400
	gone tickets tickets >"$T/gone.tickets"
	gone contacts contacts >"$T/gone.contacts"
	[ "$(wc -l <"$T/gone.tickets")" -ge 4 ]
	[ "$(wc -l <"$T/gone.contacts")" -eq 4 ]
	run_sync -j 2 --reconcile tickets archived_tickets contacts
	[ "$(marked tickets)" = "$(cat "$T/gone.tickets")" ]
	[ "$(marked contacts)" = "$(cat "$T/gone.contacts")" ]
}
