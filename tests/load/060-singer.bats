#!/usr/bin/env bats
# fd-load as a Singer target, into SQLite and PostgreSQL (a throwaway
# server, tests/pg.bash): child tables that declare their key and get
# their own ACTIVATE_VERSION load exactly as before; a raw stream with a
# full JSON Schema loads, nested values as JSON columns; --emit-state
# prints the committed state, and nothing else, on standard output.

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
}

# dest KIND NAME: TO, a new and empty destination of KIND (sqlite or pg)
# called NAME; q SQL reads the last one made
dest() {
	case $1 in
	sqlite)
		DB="$T/$2.db"
		TO="sqlite:$DB"
		q() { sqlite3 "$DB" "$1"; }
		;;
	pg)
		createdb -h "$PGHOST" -U fd "t${BATS_TEST_NUMBER}_$2"
		TO="postgresql:///t${BATS_TEST_NUMBER}_$2?host=$PGHOST&user=fd"
		q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$TO" -c "$1"; }
		;;
	esac
}

# A full-refresh chain (agents, agents__skills) and a merge chain
# (tickets, tickets__tags) as fd-normalize writes them: child SCHEMAs
# with key_properties ["_fd_id"] (KEY) or [] (as before issue 17).
schemas() {	# KEY
	printf '%s\n' \
	    '{"type":"SCHEMA","stream":"agents","schema":{"properties":{"id":{"type":["integer","null"],"x-fd-type":"bigint"},"_fd_id":{"type":["string","null"],"x-fd-type":"text"}}},"key_properties":["id"],"x-fd":{"disposition":"replace","root":"agents","table_kind":"root"}}' \
	    "{\"type\":\"SCHEMA\",\"stream\":\"agents__skills\",\"schema\":{\"properties\":{\"value\":{\"type\":[\"string\",\"null\"],\"x-fd-type\":\"text\"},\"_fd_root_id\":{\"type\":[\"string\",\"null\"],\"x-fd-type\":\"text\"},\"_fd_parent_id\":{\"type\":[\"string\",\"null\"],\"x-fd-type\":\"text\"},\"_fd_list_idx\":{\"type\":[\"integer\",\"null\"],\"x-fd-type\":\"bigint\"},\"_fd_id\":{\"type\":[\"string\",\"null\"],\"x-fd-type\":\"text\"}}},\"key_properties\":[$1],\"x-fd\":{\"disposition\":\"replace\",\"root\":\"agents\",\"parent\":\"agents\",\"table_kind\":\"child\"}}" \
	    "$SCHEMA_T" "$(sed "s/\"key_properties\":\[\]/\"key_properties\":[$1]/" <<<"$SCHEMA_TAGS")"
}
agent() {	# version id rootid
	printf '{"type":"RECORD","stream":"agents","record":{"id":%s,"_fd_id":"%s"},"version":%s}\n' "$2" "$3" "$1"
}
skill() {	# version value rootid idx
	printf '{"type":"RECORD","stream":"agents__skills","record":{"value":"%s","_fd_root_id":"%s","_fd_parent_id":"%s","_fd_list_idx":%s,"_fd_id":"%s-%s"},"version":%s}\n' "$2" "$3" "$3" "$4" "$3" "$4" "$1"
}
activate() {	# stream version
	printf '{"type":"ACTIVATE_VERSION","stream":"%s","version":%s}\n' "$1" "$2"
}

# run1 NEW: the first sync; run2 NEW: the next, where agent 1 lost a
# skill, agent 2 left, ticket 1 lost a tag and changed one.  NEW: the
# stream of issue 17 (child keys, an ACTIVATE_VERSION per table of the
# chain), else the stream before it.
run1() {
	if [ "$1" ]; then schemas '"_fd_id"'; else schemas ''; fi
	agent 1 1 a1; skill 1 x a1 0; skill 1 y a1 1
	agent 1 2 a2; skill 1 z a2 0
	activate agents 1
	[ "$1" ] && activate agents__skills 1
	ticket 1 t1 r1; echo; tag a r1 0; echo; tag b r1 1; echo
	ticket 2 t2 r2; echo; tag c r2 0; echo
	echo '{"type":"STATE","value":{"n":1}}'
}
run2() {
	if [ "$1" ]; then schemas '"_fd_id"'; else schemas ''; fi
	agent 2 1 a1; skill 2 y a1 0
	agent 2 3 a3; skill 2 w a3 0
	activate agents 2
	[ "$1" ] && activate agents__skills 2
	ticket 1 t1b r1; echo; tag d r1 0; echo
	echo '{"type":"STATE","value":{"n":2}}'
}

# the tables, without the load ids
tables() {
	q 'select id, _fd_id from agents order by id'
	q 'select value, _fd_root_id, _fd_parent_id, _fd_list_idx, _fd_id from agents__skills order by _fd_id'
	q 'select id, subject, _fd_id from tickets order by id'
	q 'select value, _fd_root_id, _fd_parent_id, _fd_list_idx, _fd_id from tickets__tags order by _fd_id'
	q 'select state from _fd_state'
	q 'select name, root, kind, disposition from _fd_tables order by name'
}

t_chains() {
	local old new
	dest "$1" old
	run1 "" >"$T/old1"; run2 "" >"$T/old2"
	run -0 fd-load -t "$TO" "$T/old1"
	run -0 fd-load -t "$TO" "$T/old2"
	old=$(tables)
	dest "$1" new
	run1 y >"$T/new1"; run2 y >"$T/new2"
	run --separate-stderr fd-load -t "$TO" "$T/new1"
	assert_success
	[ -z "$output$stderr" ]
	[ "$(col 'select value from agents__skills order by value')" = x,y,z ]
	run --separate-stderr fd-load -t "$TO" "$T/new2"
	assert_success
	[ -z "$output$stderr" ]
	new=$(tables)
	[ "$new" = "$old" ] || fail "$(diff <(echo "$old") <(echo "$new"))"
	# what both are: the second version alone, and ticket 1's new tags
	[ "$(col 'select id from agents order by id')" = 1,3 ]
	[ "$(col 'select value from agents__skills order by value')" = w,y ]
	[ "$(col "select value from tickets__tags order by value")" = c,d ]
}

t_activate_edges() {
	dest "$1" db
	run1 y >"$T/in1"
	run -0 fd-load -t "$TO" "$T/in1"
	# the root's ACTIVATE_VERSION again, with no row since, and one of
	# a stream no SCHEMA told of: no-ops
	{ run1 y; activate agents 1; activate agents__skills 1; activate nothing 1; } >"$T/in2"
	run --separate-stderr fd-load -t "$TO" "$T/in2"
	assert_success
	[ -z "$output$stderr" ]
	[ "$(col 'select value from agents__skills order by value')" = x,y,z ]
	[ "$(col 'select id from agents order by id')" = 1,2 ]
	# a child table's for a version its root did not activate (here
	# before the root's), or for no version the root ever had: one line
	# naming the table; the destination stays at its last commit
	{ schemas '"_fd_id"'; agent 5 9 a9; skill 5 q a9 0; activate agents__skills 5; activate agents 5; } >"$T/in3"
	run --separate-stderr fd-load -t "$TO" "$T/in3"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "fd-load: $T/in3:7: table agents__skills: ACTIVATE_VERSION 5 of a child table before its root table agents's" ]
	{ schemas '"_fd_id"'; agent 6 9 a9; activate agents 6; activate agents__skills 7; } >"$T/in4"
	run --separate-stderr fd-load -t "$TO" "$T/in4"
	[ "$status" -eq 1 ]
	[ "$stderr" = "fd-load: $T/in4:7: table agents__skills: ACTIVATE_VERSION 7 of a child table before its root table agents's" ]
	[ "$(col 'select id from agents order by id')" = 1,2 ]
	[ "$(col 'select value from agents__skills order by value')" = x,y,z ]
	# with rows staged since, the root's activates again
	{ run1 y; agent 1 4 a4; activate agents 1; } >"$T/in5"
	run -0 fd-load -t "$TO" "$T/in5"
	[ "$(col 'select id from agents order by id')" = 4 ]
	[ "$(q 'select count(*) from agents__skills')" -eq 0 ]
}

# A raw stream as fd-fetch writes it, with a full JSON Schema: types as
# lists, nested values typed array (with items) or object (with
# properties), a full-refresh stream with its version.
RAW_T='{"type":"SCHEMA","stream":"tickets","schema":{"type":"object","properties":{"id":{"type":["null","integer"]},"subject":{"type":["null","string"]},"spam":{"type":["null","boolean"]},"cc_emails":{"type":["null","array"],"items":{"type":["null","string"]}},"custom_fields":{"type":["null","object"],"properties":{"cf_x":{"type":["null","integer"]},"cf_note":{"type":["null","string"]}}},"updated_at":{"type":["null","string"],"format":"date-time"}}},"key_properties":["id"],"x-fd":{"disposition":"merge"}}'
RAW_G='{"type":"SCHEMA","stream":"groups","schema":{"type":"object","properties":{"id":{"type":["null","integer"]},"agent_ids":{"type":["null","array"],"items":{"type":["null","integer"]}}}},"key_properties":["id"],"x-fd":{"disposition":"replace"}}'

t_raw() {
	dest "$1" db
	msg "$RAW_T" "$RAW_G" \
	    '{"type":"RECORD","stream":"tickets","record":{"id":1,"subject":"a","spam":false,"cc_emails":["x@example.com", "y@example.com"],"custom_fields":{"cf_x":7,"cf_note":"l1\nl2 \"q\" é"},"updated_at":"2026-12-01T10:00:00Z"}}' \
	    '{"type":"RECORD","stream":"tickets","record":{"id":2,"subject":null,"spam":null,"cc_emails":[],"custom_fields":{},"updated_at":"2026-12-01T11:00:00Z"}}' \
	    '{"type":"RECORD","stream":"groups","record":{"id":5,"agent_ids":[1,2]},"version":1}' \
	    '{"type":"ACTIVATE_VERSION","stream":"groups","version":1}' \
	    '{"type":"STATE","value":{"bookmarks":{"tickets":{"updated_at":"2026-12-01T11:00:00Z"}}}}' \
	    '{"type":"RECORD","stream":"tickets","record":{"id":1,"subject":"a2","spam":true,"cc_emails":null,"custom_fields":{"cf_x":8},"updated_at":"2026-12-02T10:00:00Z"}}'
	run --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	assert_success
	[ -z "$output$stderr" ]
	# (jsonb shows a space after each comma and colon)
	[ "$(q 'select id, subject, cc_emails, custom_fields from tickets order by id' | tr -d ' ')" = \
	    "$(printf '1|a2||{"cf_x":8}\n2||[]|{}')" ]
	[ "$(q 'select id, agent_ids from groups' | tr -d ' ')" = '5|[1,2]' ]
	# a second load: the merge replaces by key, the array compact
	msg "$RAW_T" '{"type":"RECORD","stream":"tickets","record":{"id":2,"subject":"b","cc_emails":[ "z@example.com" ],"custom_fields":{"cf_note":"l1\nl2 \"q\" é"}}}'
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(q 'select count(*) from tickets')" -eq 2 ]
	[ "$(q 'select cc_emails from tickets where id = 2')" = '["z@example.com"]' ]
}

t_raw_null() {
	# a member seen only null so far is typed null: its column waits for
	# the SCHEMA that types it (fd-fetch widens before the record), so a
	# later load's integers find an integer column, not a json one
	dest "$1" db
	local s0 s1
	s0='{"type":"SCHEMA","stream":"tickets","schema":{"type":"object","properties":{"id":{"type":["null","integer"]},"group_id":{"type":["null"]},"x":{"type":"null"}}},"key_properties":["id"],"x-fd":{"disposition":"merge"}}'
	s1='{"type":"SCHEMA","stream":"tickets","schema":{"type":"object","properties":{"id":{"type":["null","integer"]},"group_id":{"type":["null","integer"]},"x":{"type":"null"}}},"key_properties":["id"],"x-fd":{"disposition":"merge"}}'
	msg "$s0" '{"type":"RECORD","stream":"tickets","record":{"id":1,"group_id":null,"x":null}}' \
	    '{"type":"STATE","value":1}' "$s0" \
	    "$s1" '{"type":"RECORD","stream":"tickets","record":{"id":2,"group_id":5,"x":null}}'
	run --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	assert_success
	[ -z "$output$stderr" ]
	[ "$(q 'select id, group_id from tickets order by id')" = "$(printf '1|\n2|5')" ]
	[ "$(q "select count(*) from tickets where group_id = 5")" -eq 1 ]
	# the next load's SCHEMA types it at once: the same column, no variant
	msg "$s1" '{"type":"RECORD","stream":"tickets","record":{"id":3,"group_id":7}}'
	run --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	assert_success
	[ -z "$stderr" ]
	[ "$(col 'select group_id from tickets where group_id is not null order by id')" = 5,7 ]
	# a value of a property typed null: one line, the column named
	msg "$s0" '{"type":"RECORD","stream":"tickets","record":{"id":4,"x":"v"}}'
	run -1 --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	[ "$stderr" = "fd-load: $T/in.ndjson:2: table tickets: column x: a value of a property its SCHEMA types null" ]
}

t_raw_widen() {
	# the SCHEMA widens a column's type in the load (integers, then a
	# number): the values go on in its variant column, as when an
	# earlier load made the column
	dest "$1" db
	local s0='{"type":"SCHEMA","stream":"m","schema":{"type":"object","properties":{"id":{"type":["null","integer"]},"x":{"type":["null","integer"]}}},"key_properties":["id"],"x-fd":{"disposition":"merge"}}'
	local s1='{"type":"SCHEMA","stream":"m","schema":{"type":"object","properties":{"id":{"type":["null","integer"]},"x":{"type":["null","integer","number"]}}},"key_properties":["id"],"x-fd":{"disposition":"merge"}}'
	msg "$s0" '{"type":"RECORD","stream":"m","record":{"id":1,"x":1}}' \
	    '{"type":"STATE","value":1}' "$s1" \
	    '{"type":"RECORD","stream":"m","record":{"id":2,"x":1.5}}' \
	    '{"type":"RECORD","stream":"m","record":{"id":3,"x":2}}' \
	    "$s0" '{"type":"RECORD","stream":"m","record":{"id":4,"x":2.5}}'
	run --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	assert_success
	[ -z "$output" ]
	[ "$stderr" = "fd-load: table m: column x: the destination's column takes no double: into x__v_double" ]
	[ "$(q 'select id, x, cast(x__v_double * 10 as integer) from m order by id')" = "$(printf '1|1|\n2||15\n3||20\n4||25')" ]
}

t_raw_unknown() {
	dest "$1" db
	# a raw stream's record with a member its SCHEMA lacks: the hint
	msg '{"type":"SCHEMA","stream":"tickets","schema":{"properties":{"id":{"type":"integer"}}},"key_properties":["id"],"x-fd":{"disposition":"merge"}}' \
	    '{"type":"RECORD","stream":"tickets","record":{"id":1,"cc_emails":["x@example.com"]}}'
	run --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "fd-load: $T/in.ndjson:2: table tickets: column cc_emails is not in the SCHEMA (a raw stream? pipe it through fd-normalize, or declare every column)" ]
	# a Singer tap's stream (no x-fd) too; fd-normalize's is told as before
	msg '{"type":"SCHEMA","stream":"e","schema":{"properties":{"id":{"type":"integer"}}},"key_properties":[]}' \
	    '{"type":"RECORD","stream":"e","record":{"id":1,"n":2}}'
	run -1 --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	[ "$stderr" = "fd-load: $T/in.ndjson:2: table e: column n is not in the SCHEMA (a raw stream? pipe it through fd-normalize, or declare every column)" ]
	msg "$SCHEMA_T" '{"type":"RECORD","stream":"tickets","record":{"id":1,"nope":2}}'
	run -1 --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	[ "$stderr" = "fd-load: $T/in.ndjson:2: table tickets: column nope is not in the SCHEMA" ]
}

# --emit-state: one line per committed state, the STATE's value alone,
# the last one what _fd_state holds; nothing else on standard output
t_emit() {
	dest "$1" db
	awk 'BEGIN {
		print "{\"type\":\"SCHEMA\",\"stream\":\"t\",\"schema\":{\"properties\":{\"id\":{\"type\":\"integer\"}}},\"key_properties\":[\"id\"]}"
		for (i = 1; i <= 5000; i++) {
			printf "{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{\"id\":%d}}\n", i
			if (i % 100 == 0)
				printf "{\"type\":\"STATE\",\"value\":{\"bookmarks\":{\"t\":%d}},\"fd_x\":1}\n", i
		}
		print "{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{\"id\":0}}"
	}' >"$T/in.ndjson"
	run --separate-stderr fd-load --emit-state --batch-rows 1000 -t "$TO" "$T/in.ndjson"
	assert_success
	[ -z "$stderr" ]
	# more than one commit, each state a line, in order, once
	[ "${#lines[@]}" -ge 2 ]
	printf '%s\n' "${lines[@]}" >"$T/out"
	grep -o '"value":{[^}]*}}' "$T/in.ndjson" | sed 's/^"value"://' >"$T/states"
	[ -z "$(grep -vxFf "$T/states" "$T/out")" ]
	[ "$(sort -t: -k3 -n "$T/out" | uniq)" = "$(cat "$T/out")" ]
	[ "${lines[-1]}" = '{"bookmarks":{"t":5000}}' ]
	[ "$(q 'select state from _fd_state')" = "${lines[-1]}" ]
	[ "$(q 'select count(*) from t')" -eq 5001 ]
}

t_emit_durable() {
	# a state is printed once its commit is done: the database holds it
	# when the line comes, before the input ends
	dest "$1" db
	mkfifo "$T/in" "$T/out"
	fd-load --emit-state -t "$TO" <"$T/in" >"$T/out" 2>"$T/err" &
	local pid=$! w r line
	exec {w}>"$T/in" {r}<"$T/out"
	printf '%s\n' "$SCHEMA_T" "$(ticket 1 a r1)" '{"type":"STATE","value":{"n":1}}' >&"$w"
	read -r -t 60 line <&"$r"
	[ "$line" = '{"n":1}' ]
	[ "$(q 'select state from _fd_state')" = '{"n":1}' ]
	[ "$(q 'select count(*) from tickets')" -eq 1 ]
	printf '%s\n' "$(ticket 2 b r2)" '{"type":"STATE","value":{"n":2}}' >&"$w"
	read -r -t 60 line <&"$r"
	[ "$line" = '{"n":2}' ]
	[ "$(q 'select state from _fd_state')" = '{"n":2}' ]
	exec {w}>&-
	wait "$pid"
	! read -r -t 5 line <&"$r"
	[ ! -s "$T/err" ]
}

@test "singer: sqlite: child keys and child ACTIVATE_VERSIONs load the same tables as before" { t_chains sqlite; }
@test "singer: pg: child keys and child ACTIVATE_VERSIONs load the same tables as before" { t_chains pg; }
@test "singer: sqlite: ACTIVATE_VERSION again, of an unknown stream, of a child before its root" { t_activate_edges sqlite; }
@test "singer: pg: ACTIVATE_VERSION again, of an unknown stream, of a child before its root" { t_activate_edges pg; }
@test "singer: sqlite: a raw stream with a full JSON Schema: nested values in JSON columns" {
	t_raw sqlite
	[ "$(q "select json_extract(custom_fields, '\$.cf_note'), typeof(id), typeof(spam) from tickets where id = 2")" = "$(printf 'l1\nl2 "q" é|integer|null')" ]
	[ "$(col "select name || ' ' || type from pragma_table_info('tickets') where name in ('cc_emails', 'custom_fields') order by cid")" = 'cc_emails TEXT,custom_fields TEXT' ]
}
@test "singer: pg: a raw stream with a full JSON Schema: nested values in JSON columns" {
	t_raw pg
	[ "$(q "select custom_fields->>'cf_note', cc_emails->>0 from tickets where id = 2")" = "$(printf 'l1\nl2 "q" é|z@example.com')" ]
	[ "$(q "select format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'tickets'::regclass and attnum > 0 order by attnum" | paste -sd, -)" = \
	    'bigint,text,boolean,jsonb,jsonb,timestamp with time zone,text' ]
}
@test "singer: sqlite: a raw stream's member typed null gets its column when typed" {
	t_raw_null sqlite
	[ "$(q "select type from pragma_table_info('tickets') where name = 'group_id'")" = INTEGER ]
	[ "$(q "select count(*) from pragma_table_info('tickets') where name = 'x'")" -eq 0 ]
}
@test "singer: pg: a raw stream's member typed null gets its column when typed" {
	t_raw_null pg
	[ "$(q "select format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'tickets'::regclass and attnum > 0 order by attnum" | paste -sd, -)" = 'bigint,text,bigint' ]
}
@test "singer: sqlite: a raw stream's SCHEMA widens a column: a variant column" { t_raw_widen sqlite; }
@test "singer: pg: a raw stream's SCHEMA widens a column: a variant column" { t_raw_widen pg; }
@test "singer: sqlite: a raw stream's member not in its SCHEMA: the hint at fd-normalize" { t_raw_unknown sqlite; }
@test "singer: pg: a raw stream's member not in its SCHEMA: the hint at fd-normalize" { t_raw_unknown pg; }
@test "singer: sqlite: --emit-state prints each committed state alone, the last the database's" { t_emit sqlite; }
@test "singer: pg: --emit-state prints each committed state alone, the last the database's" { t_emit pg; }
@test "singer: sqlite: --emit-state prints a state once it is committed" { t_emit_durable sqlite; }
@test "singer: pg: --emit-state prints a state once it is committed" { t_emit_durable pg; }
