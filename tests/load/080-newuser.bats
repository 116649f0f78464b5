#!/usr/bin/env bats
# What a new user trips over (issue 18), fd-load's part: a value goes to
# the destination's existing column when that column takes it, whatever
# the order of a run's values; an interrupted load is marked aborted by
# the next; no empty staging tables left; PostgreSQL merge roots get a
# primary key; a lock error names the database; no input makes nothing.

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
	T="$BATS_TEST_TMPDIR"
	DBN="t$BATS_TEST_NUMBER"
	createdb -h "$PGHOST" -U fd "$DBN"
	PG="postgresql:///$DBN?host=$PGHOST&user=fd"
}

# pq SQL: the rows of SQL in the test's PostgreSQL database, columns
# joined by "|"
pq() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$PG" -c "$1"
}

# lq SQL: the same in the test's SQLite database
lq() {
	sqlite3 "$T/x.db" "$1"
}

RAW_S='{"type":"SCHEMA","stream":"e","schema":{},"key_properties":["id"]}'

# runs_1_2 DEST: run 1 loads {"id":1,"score":5}, run 2 {"id":3,"score":"y"}
# then {"id":4,"score":7}, each through fd-normalize
runs_1_2() {
	printf '%s\n' "$RAW_S" '{"type":"RECORD","stream":"e","record":{"id":1,"score":5}}' |
	    fd-normalize >"$T/n1"
	printf '%s\n' "$RAW_S" '{"type":"RECORD","stream":"e","record":{"id":3,"score":"y"}}' \
	    '{"type":"RECORD","stream":"e","record":{"id":4,"score":7}}' | fd-normalize >"$T/n2"
	# fd-normalize names 7 score__v_bigint in run 2: score is text there
	grep -q '"score__v_bigint":7' "$T/n2"
	run -0 fd-load -t "$1" "$T/n1"
	run -0 --separate-stderr fd-load -t "$1" "$T/n2"
	[ "$stderr" = "fd-load: table e: column score: the destination's column takes no text: into score__v_text" ]
}

@test "types: run 2's integer goes to the bigint column run 1 made, its string to the variant (SQLite)" {
	runs_1_2 "sqlite:$T/x.db"
	[ "$(lq 'select id, score, score__v_text from e order by id')" = "$(printf '1|5|\n3||y\n4|7|')" ]
	[ "$(lq "select typeof(score) from e where id = 4")" = integer ]
	# no column was made for the 7
	[ -z "$(lq "select name from pragma_table_info('e') where name = 'score__v_bigint'")" ]
}

@test "types: run 2's integer goes to the bigint column run 1 made, its string to the variant (PostgreSQL)" {
	runs_1_2 "$PG"
	[ "$(pq 'select id, score, score__v_text from e order by id')" = "$(printf '1|5|\n3||y\n4|7|')" ]
	[ "$(pq "select count(*) from information_schema.columns where table_name = 'e' and column_name = 'score__v_bigint'")" -eq 0 ]
}

@test "types: run 2's integer goes to the bigint column run 1 made (csv, jsonl: the manifest's columns)" {
	local fmt f
	for fmt in csv jsonl; do
		runs_1_2 "$fmt:$T/$fmt"
		[ "$(jq -c '.tables.e.columns | map(.name)' "$T/$fmt/_fd_manifest.json")" = '["_fd_load_id","_fd_seq","_fd_id","id","score","score__v_text"]' ]
	done
	f=$(jq -r '.tables.e.files[1]' "$T/csv/_fd_manifest.json")
	[ "$(cut -d, -f4- "$T/csv/e/$f" | tr -d '\r')" = "$(printf 'id,score,score__v_text\n3,,y\n4,7,')" ]
	f=$(jq -r '.tables.e.files[1]' "$T/jsonl/_fd_manifest.json")
	[ "$(jq -c '[.id, .score, .score__v_text]' "$T/jsonl/e/$f" | paste -sd' ')" = '[3,null,"y"] [4,7,null]' ]
}

# cf_runs DEST: a custom field's integers after an interrupted run (the
# issue's case): the run before made cf_n bigint, the run again begins
# with a string, so fd-normalize names its integers cf_n__v_bigint
cf_runs() {
	printf '%s\n' "$RAW_S" '{"type":"RECORD","stream":"e","record":{"id":1,"custom_fields":{"cf_n":10}}}' |
	    fd-normalize >"$T/c1"
	printf '%s\n' "$RAW_S" '{"type":"RECORD","stream":"e","record":{"id":2,"custom_fields":{"cf_n":"n/a"}}}' \
	    '{"type":"RECORD","stream":"e","record":{"id":3,"custom_fields":{"cf_n":30}}}' \
	    '{"type":"RECORD","stream":"e","record":{"id":4,"custom_fields":{"cf_n":40}}}' | fd-normalize >"$T/c2"
	grep -q '"custom_fields__cf_n__v_bigint":30' "$T/c2"
	run -0 fd-load -q -t "$1" "$T/c1"
	run -0 fd-load -q -t "$1" "$T/c2"
}

@test "types: a custom field's integers go to its bigint column, not __v_bigint (SQLite, PostgreSQL)" {
	cf_runs "sqlite:$T/x.db"
	[ "$(lq 'select id, custom_fields__cf_n, custom_fields__cf_n__v_text from e order by id')" = "$(printf '1|10|\n2||n/a\n3|30|\n4|40|')" ]
	cf_runs "$PG"
	[ "$(pq 'select id, custom_fields__cf_n, custom_fields__cf_n__v_text from e order by id')" = "$(printf '1|10|\n2||n/a\n3|30|\n4|40|')" ]
}

@test "types: a variant and its base both taken by one column share it (double, text)" {
	# run 1 made d double and s text; run 2 sends d's integers first
	# (d bigint, d__v_double) and s's integers first (s bigint, s__v_text)
	printf '%s\n' "$RAW_S" '{"type":"RECORD","stream":"e","record":{"id":1,"d":1.5,"s":"a"}}' |
	    fd-normalize >"$T/m1"
	printf '%s\n' "$RAW_S" '{"type":"RECORD","stream":"e","record":{"id":2,"d":2,"s":5}}' \
	    '{"type":"RECORD","stream":"e","record":{"id":3,"d":3.5,"s":"c"}}' | fd-normalize >"$T/m2"
	grep -q '"d__v_double":3.5' "$T/m2"
	grep -q '"s__v_text":"c"' "$T/m2"
	for to in "sqlite:$T/x.db" "$PG"; do
		run -0 fd-load -t "$to" "$T/m1"
		run -0 --separate-stderr fd-load -t "$to" "$T/m2"
		[ -z "$stderr" ]
	done
	[ "$(lq 'select id, d, s from e order by id')" = "$(printf '1|1.5|a\n2|2.0|5\n3|3.5|c')" ]
	[ "$(lq "select count(*) from pragma_table_info('e') where name like '%__v_%'")" -eq 0 ]
	[ "$(pq 'select id, d, s from e order by id')" = "$(printf '1|1.5|a\n2|2|5\n3|3.5|c')" ]
	[ "$(pq "select count(*) from information_schema.columns where table_name = 'e' and column_name like '%\_\_v\_%'")" -eq 0 ]
}

# killed_load DEST: fd-load -t DEST -s state.json fed through a fifo 3
# rows and a STATE, SIGKILLed once the state file holds that STATE (its
# commit is done: fd-load commits a STATE when its input pauses), its
# _fd_loads row left "running"
killed_load() {
	local lp w i
	mkfifo "$T/fifo"
	fd-load -t "$1" -s "$T/state.json" <"$T/fifo" 2>"$T/err" &
	lp=$!
	exec {w}>"$T/fifo"
	printf '%s\n' '{"type":"SCHEMA","stream":"e","schema":{"properties":{"id":{"type":"integer"}}},"key_properties":["id"]}' \
	    '{"type":"RECORD","stream":"e","record":{"id":1}}' '{"type":"RECORD","stream":"e","record":{"id":2}}' \
	    '{"type":"RECORD","stream":"e","record":{"id":3}}' '{"type":"STATE","value":7}' >&"$w"
	for ((i = 0; i < 6000; i++)); do
		[ "$(cat "$T/state.json" 2>/dev/null)" = 7 ] && break
		sleep 0.01
	done
	[ "$(cat "$T/state.json")" = 7 ]
	kill -KILL "$lp"
	wait "$lp" 2>/dev/null || true
	exec {w}>&-
	printf '%s\n' '{"type":"SCHEMA","stream":"e","schema":{"properties":{"id":{"type":"integer"}}},"key_properties":["id"]}' \
	    '{"type":"RECORD","stream":"e","record":{"id":4}}' '{"type":"STATE","value":8}' >"$T/next"
}

# aborted Q: after killed_load, the killed load's row is "running" with
# the rows its commit covered; the next load marks it "aborted" with the
# time it found it, and completes
aborted() {
	local q=$1
	[ "$($q 'select status, rows from _fd_loads')" = 'running|3' ]
	[ "$($q 'select count(*) from _fd_loads where finished_at is null')" -eq 1 ]
	run -0 --separate-stderr fd-load -t "$TO" -s "$T/state.json" "$T/next"
	[ -z "$stderr" ]
	[ "$($q 'select status, rows from _fd_loads order by load_id')" = "$(printf 'aborted|3\ncompleted|1')" ]
	[ "$($q 'select count(*) from _fd_loads where finished_at is null')" -eq 0 ]
	# the time it was found: not before the next load began
	[ "$($q "select count(*) from _fd_loads a, _fd_loads b where a.status = 'aborted' and b.status = 'completed' and a.finished_at >= b.started_at")" -eq 1 ]
	[ "$($q 'select count(*) from e')" -eq 4 ]
	# a completed load is never marked again
	run -0 fd-load -t "$TO" "$T/next"
	[ "$($q "select status, count(*) from _fd_loads group by status order by status")" = "$(printf 'aborted|1\ncompleted|2')" ]
}

@test "aborted: a killed load's _fd_loads row is marked aborted by the next load (SQLite)" {
	TO="sqlite:$T/x.db"
	killed_load "$TO"
	aborted lq
}

@test "aborted: a killed load's _fd_loads row is marked aborted by the next load (PostgreSQL)" {
	TO=$PG
	killed_load "$TO"
	aborted pq
}

REPL_S='{"type":"SCHEMA","stream":"agents","schema":{"properties":{"id":{"type":"integer"}}},"key_properties":["id"],"x-fd":{"disposition":"replace","root":"agents","table_kind":"root"}}'

@test "stage: no _fd_stage_ table is left where users look (SQLite .tables), activated or not" {
	printf '%s\n' "$REPL_S" '{"type":"RECORD","stream":"agents","record":{"id":1},"version":1}' \
	    '{"type":"ACTIVATE_VERSION","stream":"agents","version":1}' >"$T/a1"
	run -0 fd-load -t "sqlite:$T/x.db" "$T/a1"
	[ "$(sqlite3 "$T/x.db" .tables | tr -s ' \n' '  ' | sed 's/ $//')" = '_fd_loads _fd_state _fd_tables agents' ]
	# a version never activated: its rows never go live, and no table stays
	printf '%s\n' "$REPL_S" '{"type":"RECORD","stream":"agents","record":{"id":2},"version":2}' \
	    '{"type":"STATE","value":1}' >"$T/a2"
	run -0 fd-load -t "sqlite:$T/x.db" "$T/a2"
	[ "$(lq "select count(*) from sqlite_master where name like '_fd_stage_%'")" -eq 0 ]
	[ "$(lq 'select id from agents')" = 1 ]
}

@test "stage: a staging table a killed load left is dropped by the next load, its rows never activated" {
	local lp w i
	mkfifo "$T/fifo"
	fd-load -t "sqlite:$T/x.db" -s "$T/state.json" <"$T/fifo" 2>"$T/err" &
	lp=$!
	exec {w}>"$T/fifo"
	printf '%s\n' "$REPL_S" '{"type":"RECORD","stream":"agents","record":{"id":5},"version":1}' \
	    '{"type":"STATE","value":1}' >&"$w"
	for ((i = 0; i < 6000; i++)); do
		[ "$(cat "$T/state.json" 2>/dev/null)" = 1 ] && break
		sleep 0.01
	done
	kill -KILL "$lp"
	wait "$lp" 2>/dev/null || true
	exec {w}>&-
	# the staged row is committed with the state, in its staging table
	[ "$(lq 'select id from _fd_stage_agents')" = 5 ]
	printf '%s\n' "$REPL_S" '{"type":"ACTIVATE_VERSION","stream":"agents","version":1}' >"$T/a"
	run -0 fd-load -t "sqlite:$T/x.db" "$T/a"
	[ "$(lq 'select count(*) from agents')" -eq 0 ]
	[ "$(lq "select count(*) from sqlite_master where name like '_fd_stage_%'")" -eq 0 ]
}

MERGE_S='{"type":"SCHEMA","stream":"e","schema":{"properties":{"id":{"type":"integer"},"v":{"type":"string"}}},"key_properties":["id"]}'

@test "key: a PostgreSQL merge root gets a primary key on its merge key" {
	printf '%s\n' "$MERGE_S" '{"type":"RECORD","stream":"e","record":{"id":1,"v":"a"}}' >"$T/m"
	run -0 --separate-stderr fd-load -t "$PG" "$T/m"
	[ -z "$stderr" ]
	[ "$(pq "select contype, pg_get_constraintdef(oid) from pg_constraint where conrelid = 'e'::regclass")" = 'p|PRIMARY KEY (id)' ]
	# the key index a reconcile reads is the constraint's
	[ "$(pq "select count(*) from pg_indexes where tablename = 'e'")" -eq 1 ]
	run -0 fd-load -t "$PG" "$T/m"
	[ "$(pq 'select id, v from e')" = '1|a' ]
	# an append table, a child table: no key
	printf '%s\n' '{"type":"SCHEMA","stream":"ev","schema":{"properties":{"id":{"type":"integer"}}},"key_properties":[]}' >"$T/ev"
	run -0 fd-load -t "$PG" "$T/ev"
	[ "$(pq "select count(*) from pg_constraint where conrelid = 'ev'::regclass")" -eq 0 ]
}

@test "key: an existing PostgreSQL table gets its key when its rows allow, else a warning and the load goes on" {
	printf '%s\n' "$MERGE_S" '{"type":"RECORD","stream":"e","record":{"id":1,"v":"a"}}' \
	    '{"type":"RECORD","stream":"e","record":{"id":2,"v":"b"}}' >"$T/m"
	run -0 fd-load -t "$PG" "$T/m"
	# as an earlier fd-load left it: the key a plain index
	idx=$(pq "select indexrelid::regclass from pg_index where indrelid = 'e'::regclass")
	pq "alter table e drop constraint \"$idx\"; create index \"$idx\" on e (id)"
	[ "$(pq "select count(*) from pg_constraint where conrelid = 'e'::regclass")" -eq 0 ]
	run -0 --separate-stderr fd-load -t "$PG" "$T/m"
	[ -z "$stderr" ]
	[ "$(pq "select contype from pg_constraint where conrelid = 'e'::regclass")" = p ]
	# a key twice: no constraint can be made
	pq "alter table e drop constraint \"$idx\"; create index \"$idx\" on e (id); insert into e (id, v) values (2, 'dup')"
	printf '%s\n' "$MERGE_S" '{"type":"RECORD","stream":"e","record":{"id":3,"v":"c"}}' \
	    '{"type":"STATE","value":{"fd":1}}' >"$T/m3"
	run -0 --separate-stderr fd-load -t "$PG" "$T/m3"
	[ "$stderr" = "fd-load: postgresql: table e: a key is null or in two rows: no primary key on it" ]
	[ "$(pq "select count(*) from pg_constraint where conrelid = 'e'::regclass")" -eq 0 ]
	[ "$(pq 'select count(*) from e')" -eq 4 ]
	run -0 --separate-stderr fd-load -q -t "$PG" "$T/m3"
	[ -z "$stderr" ]
}

@test "lock: an error about the lock names the database, not its lock file" {
	run -1 --separate-stderr fd-load -t "sqlite:$T/nodir/x.db" /dev/null
	[ "$stderr" = "fd-load: $T/nodir/x.db: cannot lock: No such file or directory" ]
	run -1 --separate-stderr fd-load -t "sqlite:$T/x.db" -s "$T/nodir/state.json" /dev/null
	[ "$stderr" = "fd-load: $T/nodir/state.json: cannot lock: No such file or directory" ]
}

@test "empty input: no database, no directory, no state, exit 0" {
	run -0 --separate-stderr fd-load -t "sqlite:$T/x.db" -s "$T/state.json" </dev/null
	[ -z "$output$stderr" ]
	[ ! -e "$T/x.db" ] && [ ! -e "$T/state.json" ]
	for fmt in csv jsonl; do
		run -0 --separate-stderr fd-load -t "$fmt:$T/$fmt" </dev/null
		[ -z "$output$stderr" ]
		[ ! -e "$T/$fmt" ]
	done
	# blank lines are no message either; a directory that was there stays
	mkdir "$T/csv"
	printf '\n \n' | fd-load -t "csv:$T/csv"
	[ -d "$T/csv" ] && [ ! -e "$T/csv/_fd_manifest.json" ]
	# a database that was there is not touched: no _fd_loads row
	printf '%s\n' "$MERGE_S" >"$T/s"
	run -0 fd-load -t "sqlite:$T/x.db" "$T/s"
	run -0 fd-load -t "sqlite:$T/x.db" </dev/null
	[ "$(lq 'select count(*) from _fd_loads')" -eq 1 ]
	run -0 fd-load -t "$PG" </dev/null
	[ "$(pq "select count(*) from pg_tables where tablename like '\_fd\_%'")" -eq 0 ]
	# and a pipeline whose fd-fetch failed on a usage error
	run -2 bash -c 'set -o pipefail; fd-fetch --no-such-option | fd-normalize | fd-load -t "sqlite:$1"' _ "$T/p.db"
	[ ! -e "$T/p.db" ]
}
