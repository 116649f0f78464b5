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
