#!/usr/bin/env bats
# fd-load killed with SIGKILL at many instants of a load of simulator
# data (merge tickets and contacts with child tables, replace agents):
# after each kill the state never runs ahead of the data, and a re-run
# converges to the tables of an uninterrupted load: every record once,
# at its latest version.  For csv:/jsonl: the live files hold exactly
# the rows the committed state covers.

KILLS=${FD_CRASH_KILLS:-10}

setup_file() {
	load ../common
	load ../pg
	load ../sim/sim
	pg_file_start
	sim_start --tickets 1500 --contacts 400
	# a page of 30: many STATEs, so that commits are frequent
	fd-fetch --since 2019-01-01T00:00:00Z --per-page 30 tickets contacts agents >"$BATS_FILE_TMPDIR/fetch.ndjson"
	sim_stop
	fd-normalize "$BATS_FILE_TMPDIR/fetch.ndjson" >"$BATS_FILE_TMPDIR/norm.ndjson"
	# the reference: one uninterrupted load
	fd-load -t "sqlite:$BATS_FILE_TMPDIR/ref.db" <"$BATS_FILE_TMPDIR/norm.ndjson"
	# the stream in 25 parts, fed with pauses so that kills fall all along
	split -n l/25 -d "$BATS_FILE_TMPDIR/norm.ndjson" "$BATS_FILE_TMPDIR/part."
}

teardown_file() {
	load ../pg
	pg_file_stop
}

setup() {
	load ../common
	T="$BATS_TEST_TMPDIR"
	N="$BATS_FILE_TMPDIR/norm.ndjson"
}

ref() {
	sqlite3 "$BATS_FILE_TMPDIR/ref.db" "$1"
}

feed() {
	local p
	for p in "$BATS_FILE_TMPDIR"/part.*; do
		cat "$p"
		sleep 0.02
	done
}

# killed_load DEST DELAY: fd-load -t DEST fed slowly, SIGKILLed after DELAY
killed_load() {
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	fd-load -t "$1" -s "$T/state.json" --batch-rows 300 <"$T/fifo" 2>"$T/err" &
	local lp=$!
	feed >"$T/fifo" 2>/dev/null &
	local fp=$!
	sleep "$2"
	kill -KILL "$lp" 2>/dev/null || true
	wait "$lp" 2>/dev/null || true
	kill "$fp" 2>/dev/null || true
	wait "$fp" 2>/dev/null || true
}

# line_of STATE: the line of the stream where that STATE value is, or 0
line_of() {
	[ -n "$1" ] || { echo 0; return; }
	grep -n -F -x "{\"type\":\"STATE\",\"value\":$1}" "$N" | head -1 | cut -d: -f1
}

# prefix_ids N: the ticket ids of the first N lines of the stream, sorted
prefix_ids() {
	head -n "$1" "$N" | jq -r 'select(.type == "RECORD" and .stream == "tickets") | .record.id' | sort -u
}

# csv_ids FILE...: the id column of each CSV row
csv_ids() {
	python3 -c 'import csv, sys
for f in sys.argv[1:]:
    with open(f, newline="") as fp:
        r = csv.reader(fp)
        i = next(r).index("id")
        for row in r:
            print(row[i])' "$@"
}

# check_db Q: after a kill, the state file is not ahead of the database's
# state, and the data that state covers is there
check_db() {
	local q=$1 sdb sfile ldb lfile
	sdb=$($q 'select state from _fd_state' 2>/dev/null || true)
	sfile=$(cat "$T/state.json" 2>/dev/null || true)
	ldb=$(line_of "$sdb")
	lfile=$(line_of "$sfile")
	[ -n "$ldb" ] && [ -n "$lfile" ]
	[ "$lfile" -le "$ldb" ]
	if [ "$ldb" -gt 0 ]; then
		[ -z "$(comm -23 <(prefix_ids "$ldb") <($q 'select id from tickets' | sort -u))" ]
	fi
	echo "$ldb" >>"$T/instants"
}

# converged Q: the tables equal the reference's
converged() {
	local q=$1 t
	for t in tickets contacts agents tickets__tags contacts__other_companies; do
		[ "$($q "select count(*) from $t")" -eq "$(ref "select count(*) from $t")" ]
	done
	[ "$($q 'select id, subject from tickets order by id' | md5sum)" = "$(ref 'select id, subject from tickets order by id' | md5sum)" ]
	[ "$($q 'select _fd_root_id, _fd_list_idx, value from tickets__tags order by 1, 2' | md5sum)" = \
	    "$(ref 'select _fd_root_id, _fd_list_idx, value from tickets__tags order by 1, 2' | md5sum)" ]
	[ "$($q 'select count(*) from (select id from tickets group by id having count(*) > 1) x')" -eq 0 ]
	[ "$($q 'select count(*) from (select id from contacts group by id having count(*) > 1) x')" -eq 0 ]
	[ "$($q 'select state from _fd_state')" = "$(ref 'select state from _fd_state')" ]
}

@test "crash: SQLite, SIGKILL at $KILLS instants, then a re-run" {
	[ "$(ref 'select count(*) from tickets')" -ge 1400 ]
	local ki
	for ((ki = 0; ki < KILLS; ki++)); do
		rm -f "$T"/fd.db* "$T/state.json"
		q() { sqlite3 "$T/fd.db" "$1"; }
		killed_load "sqlite:$T/fd.db" "$(awk -v i=$ki -v k=$KILLS 'BEGIN { printf "%.3f", 0.05 + i * 0.6 / k }')"
		check_db q
		run -0 fd-load -t "sqlite:$T/fd.db" -s "$T/state.json" "$N"
		converged q
		[ "$(cat "$T/state.json")" = "$(ref 'select state from _fd_state')" ]
	done
	# the kills fell at different points of the stream
	[ "$(sort -u "$T/instants" | wc -l)" -ge 3 ]
}

@test "crash: PostgreSQL, SIGKILL at $KILLS instants, then a re-run" {
	local ki db
	for ((ki = 0; ki < KILLS; ki++)); do
		db="k$ki"
		createdb -h "$PGHOST" -U fd "$db"
		rm -f "$T/state.json"
		TO="postgresql:///$db?host=$PGHOST&user=fd"
		q() { psql -X -q -A -t -d "$TO" -c "$1"; }
		killed_load "$TO" "$(awk -v i=$ki -v k=$KILLS 'BEGIN { printf "%.3f", 0.05 + i * 0.6 / k }')"
		check_db q
		run -0 fd-load -t "$TO" -s "$T/state.json" "$N"
		converged q
	done
	[ "$(sort -u "$T/instants" | wc -l)" -ge 3 ]
}

@test "crash: csv:, SIGKILL at $KILLS instants: the live files hold exactly what the state covers" {
	local ki sm lm
	for ((ki = 0; ki < KILLS; ki++)); do
		rm -rf "$T/out" "$T/state.json"
		killed_load "csv:$T/out" "$(awk -v i=$ki -v k=$KILLS 'BEGIN { printf "%.3f", 0.05 + i * 0.6 / k }')"
		sm=$(jq -r '.state // empty' "$T/out/_fd_manifest.json" 2>/dev/null || true)
		lm=$(line_of "$sm")
		[ "$(line_of "$(cat "$T/state.json" 2>/dev/null || true)")" -le "$lm" ]
		live=$(jq -r '.tables.tickets.files[]? // empty' "$T/out/_fd_manifest.json" 2>/dev/null || true)
		[ "$(csv_ids $(for f in $live; do echo "$T/out/tickets/$f"; done) | sort)" = \
		    "$(head -n "$lm" "$N" | jq -r 'select(.type == "RECORD" and .stream == "tickets") | .record.id' | sort)" ]
		echo "$lm" >>"$T/instants"
		# the next load sweeps what the killed one left and adds its own
		run -0 fd-load -t "csv:$T/out" -s "$T/state.json" "$N"
		[ -z "$(find "$T/out" -name '.*.tmp')" ]
		[ "$(csv_ids $(jq -r '.tables.tickets.files[]' "$T/out/_fd_manifest.json" | sed "s|^|$T/out/tickets/|") | wc -l)" -eq \
		    $(( $(ref 'select count(*) from tickets') + $(head -n "$lm" "$N" | grep -c '"stream":"tickets","record"') )) ]
	done
	[ "$(sort -u "$T/instants" | wc -l)" -ge 3 ]
}
