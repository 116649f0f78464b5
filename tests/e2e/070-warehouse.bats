#!/usr/bin/env bats
# The pipeline against the simulator into csv: and jsonl: files, then
# into PostgreSQL as a warehouse loads them (fd-load.1, EXAMPLES;
# tests/load/warehouse.bash): every live file the manifest lists, the
# latest version of each root row and of its child rows taken with the
# recipe's views.  After syncs with changes, those rows are the
# simulator's truth, and what fd-load put into SQLite from the same
# stream.

load e2e
load ../load/warehouse

setup_file() {
	pg_file_start
}

teardown_file() {
	pg_file_stop
}

q() {
	sqlite3 "$T/fd.db" "$1"
}

# sync_all [fd-fetch options and endpoints]: the pipeline once; the
# stream fd-normalize writes is loaded into SQLite (TO, with the state),
# csv:$T/csv and jsonl:$T/jsonl
sync_all() {
	set -o pipefail
	fd-fetch -q -s "$ST" --since "$SINCE" "$@" | tee "$T/fetch.ndjson" |
	    fd-normalize >"$T/n.ndjson" &&
	    fd-load -q -s "$ST" -t "$TO" "$T/n.ndjson" &&
	    fd-load -q --batch-rows 100 -t "csv:$T/csv" "$T/n.ndjson" &&
	    fd-load -q --batch-rows 100 -t "jsonl:$T/jsonl" "$T/n.ndjson"
}

@test "e2e warehouse: syncs with changes, every live csv: and jsonl: file into PostgreSQL by the recipe: the latest rows are the truth and SQLite's" {
	local upd del endpoints fmt sqlite
	e2e_sim --tickets 300 --contacts 100
	TO="sqlite:$T/fd.db"
	sqlite=$TO
	run -0 sync_all -j 2 all
	advance 10
	upd=$(mutate "{\"ids\":$(sim_truth tickets | jq -c "[$NUMERIC] | map(select((.deleted | not) and (.spam | not))) | [.[range(0; length; (length / 20 | floor))].id][:20]")}")
	del=$(sim_truth tickets | jq -c "[$NUMERIC] | [map(select((.deleted | not) and (.spam | not)))[1,2].id]")
	mutate "{\"ids\":$del,\"action\":\"delete\"}" >/dev/null
	[ "$(wc -l <<<"$upd")" -ge 15 ]
	run -0 sync_all -j 2 all
	# the second sync brought new versions of the changed tickets
	[ "$(fetched_ids tickets | wc -l)" -ge 17 ]
	endpoints=$(sim_truth | jq -r '.[] | sub("^email_mailboxes$"; "mailboxes")')
	truth $endpoints
	for fmt in csv jsonl; do
		warehouse "$fmt"
		# the changed tickets have two versions in the files, one latest
		[ "$(psql -X -A -t -d "$WH" -c 'select count(*) from raw.tickets')" -gt \
		    "$(psql -X -A -t -d "$WH" -c 'select count(*) from tickets')" ]
		TO="postgresql:///$WH?host=$PGHOST&user=fd"
		truth $endpoints
		TO=$sqlite
		run python3 "$W" compare "$T/fd.db" "$T/$fmt/_fd_manifest.json" "$WH" ""
		assert_success
	done
}
