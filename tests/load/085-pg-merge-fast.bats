#!/usr/bin/env bats
# fd-load's merge into PostgreSQL copies a batch's rows into the tables
# themselves, after deleting the rows of the batch's keys and their
# child rows; a batch ends before a key it has.  What the merge must
# give stays: the latest row of a key wins, with its child rows, and a
# replaced root row's child rows go.  The statements the server ran are
# read from its log (log_statement, through PGOPTIONS).

setup_file() {
	load ../common
	load ../pg
	pg_file_start
}

teardown_file() {
	load ../pg
	pg_file_stop
}

setup() {
	load ../common
	load load
	T="$BATS_TEST_TMPDIR"
	DBN="t$BATS_TEST_NUMBER"
	createdb -h "$PGHOST" -U fd "$DBN"
	TO="postgresql:///$DBN?host=$PGHOST&user=fd"
	LOG="$(cat "$BATS_FILE_TMPDIR/pg-dir")/server.log"
}

q() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$TO" -c "$1"
}

# logged ARGS...: fd-load ARGS, the statements it ran into $T/sql
logged() {
	local at
	at=$(wc -c <"$LOG")
	PGOPTIONS='-c log_statement=all' run --separate-stderr fd-load "$@"
	tail -c +$((at + 1)) "$LOG" | sed -n 's/.*statement: //p' >"$T/sql"
}

@test "pg merge: rows are copied into the tables; the latest row of a key wins, with its child rows, in one load and across loads" {
	# key 2 three times and key 1 twice in one load, each with other
	# child rows; a STATE between them (held, committed together)
	msg "$SCHEMA_T" "$SCHEMA_TAGS" \
	    "$(ticket 1 a1 r1)" "$(tag a1x r1 0)" "$(tag a1y r1 1)" \
	    "$(ticket 2 b1 r2)" "$(tag b1x r2 0)" \
	    '{"type":"STATE","value":1}' \
	    "$(ticket 2 b2 r2)" "$(tag b2x r2 0)" "$(tag b2y r2 1)" "$(tag b2z r2 2)" \
	    "$(ticket 3 c1 r3)" \
	    "$(ticket 1 a2 r1)" "$(tag a2x r1 0)" \
	    '{"type":"STATE","value":2}' \
	    "$(ticket 2 b3 r2)" "$(tag b3x r2 0)"
	logged -t "$TO" "$T/in.ndjson"
	assert_success
	[ -z "$output$stderr" ]
	[ "$(q 'select id, subject from tickets order by id' | paste -sd, -)" = 1\|a2,2\|b3,3\|c1 ]
	[ "$(col 'select value from tickets__tags order by value')" = a2x,b3x ]
	# into the tables by COPY, not by INSERT ... SELECT from a twin
	grep -q '^COPY "tickets" ("id", "subject", "_fd_id", "_fd_load_id") FROM STDIN' "$T/sql"
	grep -q '^COPY "tickets__tags" (' "$T/sql"
	! grep -q '^INSERT INTO "tickets' "$T/sql"

	# a second load: key 2 again, without child rows (its old ones go),
	# key 1 with new ones, key 4 new
	msg "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 2 b4 r2)" \
	    "$(ticket 1 a3 r1)" "$(tag a3x r1 0)" "$(tag a3y r1 1)" \
	    "$(ticket 4 d1 r4)" "$(tag d1x r4 0)"
	logged -t "$TO" "$T/in.ndjson"
	assert_success
	[ "$(q 'select id, subject from tickets order by id' | paste -sd, -)" = 1\|a3,2\|b4,3\|c1,4\|d1 ]
	[ "$(col 'select value from tickets__tags order by value')" = a3x,a3y,d1x ]
	[ "$(q 'select count(*) from tickets')" -eq 4 ]
	! grep -q '^INSERT INTO "tickets' "$T/sql"
}

@test "pg merge: many batches with keys again and again equal the same load into SQLite" {
	# 3 rounds of 400 tickets with their tags, each round's subjects
	# and tags its own, in batches of 50 rows
	local i r lines=("$SCHEMA_T" "$SCHEMA_TAGS")
	for r in 1 2 3; do
		for i in $(seq 1 400); do
			lines+=("$(ticket "$i" "s$r-$i" "r$i")")
			[ $(((i + r) % 3)) -eq 0 ] ||
			    lines+=("$(tag "t$r-$i" "r$i" 0)" "$(tag "u$r-$i" "r$i" 1)")
		done
		lines+=("{\"type\":\"STATE\",\"value\":$r}")
	done
	msg "${lines[@]}"
	logged --batch-rows 50 -t "$TO" "$T/in.ndjson"
	assert_success
	run -0 fd-load --batch-rows 50 -t "sqlite:$T/fd.db" "$T/in.ndjson"
	[ "$(q 'select id, subject from tickets order by id' | md5sum)" = \
	    "$(sqlite3 "$T/fd.db" 'select id, subject from tickets order by id' | md5sum)" ]
	[ "$(q 'select _fd_root_id, value from tickets__tags order by 1, 2' | md5sum)" = \
	    "$(sqlite3 "$T/fd.db" 'select _fd_root_id, value from tickets__tags order by 1, 2' | md5sum)" ]
	[ "$(q 'select count(*) from tickets')" -eq 400 ]
	[ "$(q "select count(*) from tickets where subject like 's3-%'")" -eq 400 ]
	# round 3's tags only: tickets with (i + 3) % 3 == 0 have none
	[ "$(q 'select count(*) from tickets__tags')" -eq $(((400 - 133) * 2)) ]
	[ "$(q "select count(*) from tickets__tags where value not like '_3-%'")" -eq 0 ]
	! grep -q '^INSERT INTO "tickets' "$T/sql"
}

@test "pg merge: keys equal but written apart in one batch: the last wins, with its child rows" {
	# 1.5 and 1.50 are one double precision key: the server finds it
	# twice, and the batch goes through the twins
	S='{"type":"SCHEMA","stream":"m","schema":{"type":"object","properties":{"k":{"type":["number","null"],"x-fd-type":"double"},"subject":{"type":["string","null"],"x-fd-type":"text"},"_fd_id":{"type":["string","null"],"x-fd-type":"text"}}},"key_properties":["k"],"x-fd":{"disposition":"merge","root":"m","table_kind":"root"}}'
	C='{"type":"SCHEMA","stream":"m__tags","schema":{"type":"object","properties":{"value":{"type":["string","null"]},"_fd_root_id":{"type":["string","null"]},"_fd_parent_id":{"type":["string","null"]},"_fd_list_idx":{"type":["integer","null"]},"_fd_id":{"type":["string","null"]}}},"key_properties":[],"x-fd":{"disposition":"merge","root":"m","parent":"m","table_kind":"child"}}'
	m() {	# key subject
		printf '{"type":"RECORD","stream":"m","record":{"k":%s,"subject":"%s","_fd_id":"r1"}}' "$1" "$2"
	}
	mt() {	# value
		printf '{"type":"RECORD","stream":"m__tags","record":{"value":"%s","_fd_root_id":"r1","_fd_parent_id":"r1","_fd_list_idx":0,"_fd_id":"r1-0"}}' "$1"
	}
	msg "$S" "$C" "$(m 1.5 v1)" "$(mt old)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	msg "$S" "$C" "$(m 1.5 v2)" "$(mt mid)" "$(m 1.50 v3)" "$(mt new)"
	logged -t "$TO" "$T/in.ndjson"
	assert_success
	[ "$(q 'select k, subject from m')" = '1.5|v3' ]
	[ "$(col 'select value from m__tags')" = new ]
	grep -q '^INSERT INTO "m" ' "$T/sql"
}

@test "pg merge: child rows of an earlier batch's root row go when a later row of the key comes in their batch" {
	# the tags' SCHEMA comes inside ticket 1's record while a STATE is
	# held: ticket 1 is committed, its tags x, y go in the next batch;
	# there ticket 1 comes again, with tag w: x and y must not stay
	msg "$SCHEMA_T" '{"type":"STATE","value":0}' '{"type":"STATE","value":1}' \
	    "$(ticket 1 a r1)" "$SCHEMA_TAGS" "$(tag x r1 0)" "$(tag y r1 1)" \
	    "$(ticket 1 a2 r1)" "$(tag w r1 0)" \
	    "$(ticket 2 b r2)" "$(tag z r2 0)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(q 'select id, subject from tickets order by id' | paste -sd, -)" = 1\|a2,2\|b ]
	[ "$(col 'select value from tickets__tags order by value')" = w,z ]
}
