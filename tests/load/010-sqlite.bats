#!/usr/bin/env bats
# fd-load into SQLite: tables from SCHEMA, append / merge / replace with
# their child tables, state committed with the data, schema evolution,
# errors that leave the destination at its last commit, locks.

setup() {
	load ../common
	T="$BATS_TEST_TMPDIR"
	DB="$T/fd.db"
}

q() {
	sqlite3 "$DB" "$1"
}

# msg LINES...: the lines as a file, for fd-load's stdin
msg() {
	printf '%s\n' "$@" >"$T/in.ndjson"
}

SCHEMA_T='{"type":"SCHEMA","stream":"tickets","schema":{"type":"object","properties":{"id":{"type":["integer","null"],"x-fd-type":"bigint"},"subject":{"type":["string","null"],"x-fd-type":"text"},"_fd_id":{"type":["string","null"],"x-fd-type":"text"}}},"key_properties":["id"],"x-fd":{"disposition":"merge","root":"tickets","table_kind":"root"}}'
SCHEMA_TAGS='{"type":"SCHEMA","stream":"tickets__tags","schema":{"type":"object","properties":{"value":{"type":["string","null"]},"_fd_root_id":{"type":["string","null"]},"_fd_parent_id":{"type":["string","null"]},"_fd_list_idx":{"type":["integer","null"]},"_fd_id":{"type":["string","null"]}}},"key_properties":[],"x-fd":{"disposition":"merge","root":"tickets","parent":"tickets","table_kind":"child"}}'

ticket() {	# id subject rootid
	printf '{"type":"RECORD","stream":"tickets","record":{"id":%s,"subject":"%s","_fd_id":"%s"}}' "$1" "$2" "$3"
}
tag() {		# value rootid idx
	printf '{"type":"RECORD","stream":"tickets__tags","record":{"value":"%s","_fd_root_id":"%s","_fd_parent_id":"%s","_fd_list_idx":%s,"_fd_id":"%s-%s"}}' "$1" "$2" "$2" "$3" "$2" "$3"
}

@test "load: merge replaces a root row by key and its child rows" {
	msg "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 67042965499 first r1)" \
	    "$(tag a r1 0)" "$(tag b r1 1)" "$(ticket 2 other r2)" "$(tag x r2 0)" \
	    '{"type":"STATE","value":{"n":1}}'
	run --separate-stderr fd-load -t "sqlite:$DB" "$T/in.ndjson"
	assert_success
	[ -z "$output$stderr" ]
	[ "$(q 'select id, subject from tickets order by id')" = "$(printf '2|other\n67042965499|first')" ]
	[ "$(q 'select count(*) from tickets__tags')" -eq 3 ]
	# a new version of ticket 67042965499 with one tag, its old tags gone
	msg "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 67042965499 second r1)" "$(tag c r1 0)" \
	    '{"type":"STATE","value":{"n":2}}'
	run -0 fd-load -t "sqlite:$DB" "$T/in.ndjson"
	[ "$(q 'select subject from tickets where id = 67042965499')" = second ]
	[ "$(q "select group_concat(value) from tickets__tags where _fd_root_id = 'r1'")" = c ]
	[ "$(q "select value from tickets__tags where _fd_root_id = 'r2'")" = x ]
	[ "$(q 'select count(*) from tickets')" -eq 2 ]
	# the same key twice in one batch: the last wins
	msg "$SCHEMA_T" "$(ticket 2 v1 r2)" "$(ticket 2 v2 r2)"
	run -0 fd-load -t "sqlite:$DB" "$T/in.ndjson"
	[ "$(q 'select subject from tickets where id = 2')" = v2 ]
	[ "$(q 'select count(*) from tickets where id = 2')" -eq 1 ]
}

@test "load: the state is committed with the data, then written to -s" {
	msg "$SCHEMA_T" "$(ticket 1 a r1)" '{"type":"STATE","value":{"bookmarks":{"tickets":{"updated_at":"2024-01-01T00:00:00Z"}}}}'
	run --separate-stderr fd-load -t "sqlite:$DB" -s "$T/state.json" --emit-state "$T/in.ndjson"
	assert_success
	assert_output '{"bookmarks":{"tickets":{"updated_at":"2024-01-01T00:00:00Z"}}}'
	[ "$(jq -c . "$T/state.json")" = '{"bookmarks":{"tickets":{"updated_at":"2024-01-01T00:00:00Z"}}}' ]
	[ "$(stat -c %a "$T/state.json")" = 600 ]
	# the database holds account data too
	[ "$(stat -c %a "$DB")" = 600 ]
	[ "$(q 'select state from _fd_state')" = '{"bookmarks":{"tickets":{"updated_at":"2024-01-01T00:00:00Z"}}}' ]
	[ "$(q 'select status, rows from _fd_loads')" = 'completed|1' ]
}

@test "load: a bad line stops with its line number; the last commit stays" {
	msg "$SCHEMA_T" "$(ticket 1 a r1)" '{"type":"STATE","value":1}' \
	    "$(ticket 2 b r2)" '{"type":"RECORD","stream":"tickets","record":{"id":"x"}}' \
	    '{"type":"STATE","value":2}'
	run --separate-stderr fd-load -t "sqlite:$DB" -s "$T/state.json" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "fd-load: $T/in.ndjson:5: table tickets: column id: a string in a bigint column" ]
	# row 2 was after the last commit: gone; the state says 1
	[ "$(q 'select group_concat(id) from tickets')" = 1 ]
	[ "$(cat "$T/state.json")" = 1 ]
	[ "$(q 'select state from _fd_state')" = 1 ]
}

@test "load: RECORD before SCHEMA, unknown column, invalid JSON" {
	msg "$(ticket 1 a r1)"
	run -1 --separate-stderr fd-load -t "sqlite:$DB" <"$T/in.ndjson"
	[ "$stderr" = "fd-load: <stdin>:1: table tickets: RECORD before its SCHEMA" ]
	msg "$SCHEMA_T" '{"type":"RECORD","stream":"tickets","record":{"id":1,"nope":2}}'
	run -1 --separate-stderr fd-load -t "sqlite:$DB" <"$T/in.ndjson"
	[ "$stderr" = "fd-load: <stdin>:2: table tickets: column nope is not in the SCHEMA" ]
	msg "$SCHEMA_T" '{"type":"RECORD","stream":"tickets","record":{"id":1'
	run -1 --separate-stderr fd-load -t "sqlite:$DB" <"$T/in.ndjson"
	[[ "$stderr" == "fd-load: <stdin>:2: truncated JSON at byte "* ]]
}

@test "load: new columns are added, types never narrowed, names quoted" {
	msg "$SCHEMA_T" "$(ticket 1 a r1)"
	run -0 fd-load -t "sqlite:$DB" "$T/in.ndjson"
	hostile='{"type":"SCHEMA","stream":"t\"; DROP TABLE tickets; --","schema":{"properties":{"id":{"type":"integer"},"we\"ird col;":{"type":"string"},"ünï":{"type":"number"}}},"key_properties":["id"]}'
	msg "$hostile" '{"type":"RECORD","stream":"t\"; DROP TABLE tickets; --","record":{"id":1,"we\"ird col;":"v","ünï":1.5}}' \
	    "$(sed 's/"subject":/"priority":{"type":"integer"},"subject":/' <<<"$SCHEMA_T")" \
	    '{"type":"RECORD","stream":"tickets","record":{"id":3,"priority":4}}'
	run --separate-stderr fd-load -t "sqlite:$DB" "$T/in.ndjson"
	[ -z "$stderr" ]
	assert_success
	[ "$(q 'select count(*) from tickets')" -eq 2 ]
	[ "$(q 'select priority from tickets where id = 3')" -eq 4 ]
	[ "$(q 'select "we""ird col;", "ünï" from "t""; DROP TABLE tickets; --"')" = 'v|1.5' ]
}

@test "load: replace swaps the whole chain at ACTIVATE_VERSION, not before" {
	S='{"type":"SCHEMA","stream":"agents","schema":{"properties":{"id":{"type":"integer"}}},"key_properties":["id"],"x-fd":{"disposition":"replace","root":"agents","table_kind":"root"}}'
	msg "$S" '{"type":"RECORD","stream":"agents","record":{"id":1},"version":1}' \
	    '{"type":"RECORD","stream":"agents","record":{"id":2},"version":1}' \
	    '{"type":"ACTIVATE_VERSION","stream":"agents","version":1}'
	run -0 fd-load -t "sqlite:$DB" "$T/in.ndjson"
	[ "$(q 'select group_concat(id) from agents')" = 1,2 ]
	# a new version committed halfway (STATE) but not activated: old rows stay
	msg "$S" '{"type":"RECORD","stream":"agents","record":{"id":3},"version":2}' \
	    '{"type":"STATE","value":1}'
	run -0 fd-load -t "sqlite:$DB" "$T/in.ndjson"
	[ "$(q 'select group_concat(id) from agents')" = 1,2 ]
	msg "$S" '{"type":"RECORD","stream":"agents","record":{"id":3},"version":3}' \
	    '{"type":"ACTIVATE_VERSION","stream":"agents","version":3}'
	run -0 fd-load -t "sqlite:$DB" "$T/in.ndjson"
	[ "$(q 'select group_concat(id) from agents')" = 3 ]
}

@test "load: append keeps every row; --mode overrides" {
	S='{"type":"SCHEMA","stream":"events","schema":{"properties":{"n":{"type":"integer"}}},"key_properties":[]}'
	msg "$S" '{"type":"RECORD","stream":"events","record":{"n":1}}'
	run -0 fd-load -t "sqlite:$DB" "$T/in.ndjson"
	run -0 fd-load -t "sqlite:$DB" "$T/in.ndjson"
	[ "$(q 'select count(*) from events')" -eq 2 ]
	msg "$SCHEMA_T" "$(ticket 1 a r1)"
	run -0 fd-load -t "sqlite:$DB" --mode append "$T/in.ndjson"
	run -0 fd-load -t "sqlite:$DB" --mode append "$T/in.ndjson"
	[ "$(q 'select count(*) from tickets')" -eq 2 ]
}

@test "load: a second load into the same destination fails fast" {
	msg "$SCHEMA_T" "$(ticket 1 a r1)"
	mkfifo "$T/fifo"
	fd-load -t "sqlite:$DB" <"$T/fifo" &
	exec 5>"$T/fifo"
	sleep 0.3
	run -1 --separate-stderr fd-load -t "sqlite:$DB" "$T/in.ndjson"
	[[ "$stderr" == "fd-load: $DB: locked by another process (pid "*")" ]]
	exec 5>&-
	wait
}

@test "load: the pipeline from fd-normalize, twice, gives the same tables" {
	printf '%s\n' '{"type":"SCHEMA","stream":"tickets","schema":{},"key_properties":["id"]}' \
	    '{"type":"RECORD","stream":"tickets","record":{"id":1,"tags":["a","b"],"custom_fields":{"cf_X":1}}}' \
	    '{"type":"STATE","value":{}}' >"$T/raw.ndjson"
	for i in 1 2; do
		fd-normalize "$T/raw.ndjson" | fd-load -t "sqlite:$DB"
	done
	[ "$(q 'select id, custom_fields__cf_x from tickets')" = '1|1' ]
	[ "$(q 'select group_concat(value) from tickets__tags')" = 'a,b' ]
	[ "$(q "select count(*) from tickets__tags where _fd_root_id = (select _fd_id from tickets)")" -eq 2 ]
}

@test "load: an unknown destination is a usage error that does not echo it" {
	run -2 --separate-stderr fd-load -t mysql://u:secret@x </dev/null
	[ "$stderr" = "fd-load: -t: unknown destination mysql: expected sqlite:PATH, postgresql://..., csv:DIR or jsonl:DIR" ]
	run -2 --separate-stderr fd-load -t csv: </dev/null
	[ "$stderr" = "fd-load: -t csv:: no path" ]
}
