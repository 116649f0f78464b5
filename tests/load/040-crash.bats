#!/usr/bin/env bats
# fd-load killed with SIGKILL at many instants of a load of simulator
# data (merge tickets and contacts with child tables, replace agents):
# after each kill the state never runs ahead of the data, and a re-run
# converges to the tables of an uninterrupted load: every record once,
# at its latest version.  For csv:/jsonl: the live files hold exactly
# the rows the committed state covers.
#
# The instants are built, not timed.  The test feeds fd-load a prefix of
# the stream through a fifo; the write returns once fd-load has taken
# all but a pipe's worth of it.  A kill "at rest" comes after the prefix,
# which ends with a STATE, is committed (fd-load commits a STATE when its
# input pauses after it): the state is then exactly that STATE.  A kill
# "in flight" comes at once, after a prefix that ends between two STATEs,
# while fd-load works on it.  The prefixes spread over the stream.

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
	# the lines of the STATEs, where the instants are built
	grep -n '^{"type":"STATE"' "$BATS_FILE_TMPDIR/norm.ndjson" | cut -d: -f1 >"$BATS_FILE_TMPDIR/states"
}

teardown_file() {
	load ../pg
	pg_file_stop
}

setup() {
	load ../common
	T="$BATS_TEST_TMPDIR"
	N="$BATS_FILE_TMPDIR/norm.ndjson"
	NSTATES=$(wc -l <"$BATS_FILE_TMPDIR/states")
	[ "$NSTATES" -ge $((KILLS + 2)) ]
}

ref() {
	sqlite3 "$BATS_FILE_TMPDIR/ref.db" "$1"
}

# killed_load DEST N [STATE]: fd-load -t DEST fed the first N lines of
# the stream through a fifo that stays open; with STATE (the value of
# line N), SIGKILLed once the state file holds it, else at once
killed_load() {
	local lp w i
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	fd-load -t "$1" -s "$T/state.json" --batch-rows 300 <"$T/fifo" 2>"$T/err" &
	lp=$!
	exec {w}>"$T/fifo"
	head -n "$2" "$N" >&"$w"
	if [ -n "${3-}" ]; then
		for ((i = 0; i < 6000; i++)); do
			[ "$(cat "$T/state.json" 2>/dev/null)" = "$3" ] && break
			sleep 0.01
		done
	fi
	kill -KILL "$lp"
	wait "$lp" 2>/dev/null || true
	exec {w}>&-
	KILLED_AT=$2
}

# instant KI: the prefix of the KI-th kill of KILLS, and, for a kill at
# rest (even KI), the STATE it ends with: "N STATE" or "N"
instant() {
	local ki=$1 j n v
	j=$((1 + ki * (NSTATES - 2) / KILLS))
	n=$(sed -n "${j}p" "$BATS_FILE_TMPDIR/states")
	if [ $((ki % 2)) -eq 0 ] && [ "${2-}" != inflight ]; then
		v=$(sed -n "${n}p" "$N" | sed 's/^{"type":"STATE","value"://; s/}$//')
		echo "$n $v"
	else
		# halfway to the next STATE
		echo $(((n + $(sed -n "$((j + 1))p" "$BATS_FILE_TMPDIR/states")) / 2))
	fi
}

# line_of STATE: the line of the stream where that STATE value is, or 0
line_of() {
	[ -n "$1" ] || { echo 0; return; }
	grep -n -F -x "{\"type\":\"STATE\",\"value\":$1}" "$N" | head -1 | cut -d: -f1
}

# lines_of STATE: every line of the stream where that STATE value is
# (pages that move no cursor repeat the STATE before them)
lines_of() {
	grep -n -F -x "{\"type\":\"STATE\",\"value\":$1}" "$N" | cut -d: -f1
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
	# nothing past what fd-load was given; at rest, all of it
	[ "$ldb" -le "$KILLED_AT" ]
	# (line_of gives the first line of a value: a STATE may repeat one)
	if [ -n "${2-}" ] && { [ "$ldb" -ne "$(line_of "$2")" ] || [ "$lfile" -ne "$ldb" ]; }; then
		echo "at rest after line $KILLED_AT ($(line_of "$2")): state at $ldb, file at $lfile"
		return 1
	fi
	if [ "$ldb" -gt 0 ]; then
		[ -z "$(comm -23 <(prefix_ids "$ldb") <($q 'select id from tickets' | sort -u))" ]
	fi
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
	local ki n v
	for ((ki = 0; ki < KILLS; ki++)); do
		rm -f "$T"/fd.db* "$T/state.json"
		q() { sqlite3 "$T/fd.db" "$1"; }
		read -r n v < <(instant "$ki")
		killed_load "sqlite:$T/fd.db" "$n" "$v"
		check_db q "$v"
		run -0 fd-load -t "sqlite:$T/fd.db" -s "$T/state.json" "$N"
		converged q
		[ "$(cat "$T/state.json")" = "$(ref 'select state from _fd_state')" ]
	done
}

@test "crash: PostgreSQL, SIGKILL at $KILLS instants, then a re-run" {
	local ki db n v
	for ((ki = 0; ki < KILLS; ki++)); do
		db="k$ki"
		createdb -h "$PGHOST" -U fd "$db"
		rm -f "$T/state.json"
		TO="postgresql:///$db?host=$PGHOST&user=fd"
		q() { psql -X -q -A -t -d "$TO" -c "$1"; }
		read -r n v < <(instant "$ki")
		killed_load "$TO" "$n" "$v"
		check_db q "$v"
		run -0 fd-load -t "$TO" -s "$T/state.json" "$N"
		converged q
	done
}

@test "crash: csv:, SIGKILL at $KILLS instants: the live files hold exactly what the state covers" {
	local ki sm lm live ids l
	for ((ki = 0; ki < KILLS; ki++)); do
		rm -rf "$T/out" "$T/state.json"
		# a file destination commits only once enough rows wait: every
		# kill is in flight
		killed_load "csv:$T/out" "$(instant "$ki" inflight)"
		sm=$(jq -r '.state // empty' "$T/out/_fd_manifest.json" 2>/dev/null || true)
		live=$(jq -r '.tables.tickets.files[]? // empty' "$T/out/_fd_manifest.json" 2>/dev/null || true)
		ids=$(csv_ids $(for f in $live; do echo "$T/out/tickets/$f"; done) | sort)
		# the STATE the manifest names, at one of the places it is in
		# the stream before the kill: the files hold exactly the
		# tickets before it
		lm=0
		if [ -n "$sm" ]; then
			for l in $(lines_of "$sm"); do
				[ "$l" -le "$KILLED_AT" ] || break
				if [ "$ids" = "$(head -n "$l" "$N" | jq -r 'select(.type == "RECORD" and .stream == "tickets") | .record.id' | sort)" ]; then
					lm=$l
					break
				fi
			done
			[ "$lm" -gt 0 ] || fail "kill $ki: the live files are not the tickets before the manifest's STATE"
		else
			[ -z "$ids" ]
		fi
		[ "$(line_of "$(cat "$T/state.json" 2>/dev/null || true)")" -le "$lm" ]
		# the next load sweeps what the killed one left and adds its own
		run -0 fd-load -t "csv:$T/out" -s "$T/state.json" "$N"
		[ -z "$(find "$T/out" -name '.*.tmp')" ]
		[ "$(csv_ids $(jq -r '.tables.tickets.files[]' "$T/out/_fd_manifest.json" | sed "s|^|$T/out/tickets/|") | wc -l)" -eq \
		    $(( $(ref 'select count(*) from tickets') + $(head -n "$lm" "$N" | grep -c '"stream":"tickets","record"') )) ]
	done
}
