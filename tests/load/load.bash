# load.bash: what every database destination of fd-load must do, as
# functions that the per-destination suites call from their @tests.
# A suite defines, before calling them:
#
#   TO       the -t argument of a new, empty destination
#   q SQL    prints the rows of SQL, columns joined by "|", one per line
#
# The SQL here is what SQLite and PostgreSQL both read.

# msg LINES...: the lines as a file, for fd-load's input
msg() {
	printf '%s\n' "$@" >"$T/in.ndjson"
}

SCHEMA_T='{"type":"SCHEMA","stream":"tickets","schema":{"type":"object","properties":{"id":{"type":["integer","null"],"x-fd-type":"bigint"},"subject":{"type":["string","null"],"x-fd-type":"text"},"_fd_id":{"type":["string","null"],"x-fd-type":"text"}}},"key_properties":["id"],"x-fd":{"disposition":"merge","root":"tickets","table_kind":"root"}}'
SCHEMA_TAGS='{"type":"SCHEMA","stream":"tickets__tags","schema":{"type":"object","properties":{"value":{"type":["string","null"]},"_fd_root_id":{"type":["string","null"]},"_fd_parent_id":{"type":["string","null"]},"_fd_list_idx":{"type":["integer","null"]},"_fd_id":{"type":["string","null"]}}},"key_properties":[],"x-fd":{"disposition":"merge","root":"tickets","parent":"tickets","table_kind":"child"}}'

ticket() {	# id subject rootid
	printf '{"type":"RECORD","stream":"tickets","record":{"id":%s,"subject":"%s","_fd_id":"%s"}}' "$1" "$2" "$3"
}
# tickets N [STATES]: SCHEMA_T and tickets 1..N (subject sI, _fd_id rI),
# each followed by STATE I when STATES is given, one message a line
tickets() {
	printf '%s\n' "$SCHEMA_T"
	awk -v n="$1" -v st="${2-}" 'BEGIN {
		for (i = 1; i <= n; i++) {
			printf "{\"type\":\"RECORD\",\"stream\":\"tickets\",\"record\":{\"id\":%d,\"subject\":\"s%d\",\"_fd_id\":\"r%d\"}}\n", i, i, i
			if (st != "")
				printf "{\"type\":\"STATE\",\"value\":%d}\n", i
		}
	}'
}
tag() {		# value rootid idx
	printf '{"type":"RECORD","stream":"tickets__tags","record":{"value":"%s","_fd_root_id":"%s","_fd_parent_id":"%s","_fd_list_idx":%s,"_fd_id":"%s-%s"}}' "$1" "$2" "$2" "$3" "$2" "$3"
}

# col SQL: the rows of a one-column SQL joined by commas
col() {
	q "$1" | paste -sd, -
}

t_merge() {
	msg "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 67042965499 first r1)" \
	    "$(tag a r1 0)" "$(tag b r1 1)" "$(ticket 2 other r2)" "$(tag x r2 0)" \
	    '{"type":"STATE","value":{"n":1}}'
	run --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	assert_success
	[ -z "$output$stderr" ]
	[ "$(q 'select id, subject from tickets order by id')" = "$(printf '2|other\n67042965499|first')" ]
	[ "$(q 'select count(*) from tickets__tags')" -eq 3 ]
	# a new version of ticket 67042965499 with one tag, its old tags gone
	msg "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 67042965499 second r1)" "$(tag c r1 0)" \
	    '{"type":"STATE","value":{"n":2}}'
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(q 'select subject from tickets where id = 67042965499')" = second ]
	[ "$(col "select value from tickets__tags where _fd_root_id = 'r1' order by value")" = c ]
	[ "$(q "select value from tickets__tags where _fd_root_id = 'r2'")" = x ]
	[ "$(q 'select count(*) from tickets')" -eq 2 ]
	# the same key twice in one batch: the last wins, with its children
	msg "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 2 v1 r2)" "$(tag old1 r2 0)" "$(tag old2 r2 1)" \
	    "$(ticket 2 v2 r2)" "$(tag new r2 0)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(q 'select subject from tickets where id = 2')" = v2 ]
	[ "$(q 'select count(*) from tickets where id = 2')" -eq 1 ]
	[ "$(col "select value from tickets__tags where _fd_root_id = 'r2' order by value")" = new ]
	# a record without tags now: its old tags go, from a child table this
	# run never saw a SCHEMA of
	msg "$SCHEMA_T" "$(ticket 2 v3 r2)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(q "select count(*) from tickets__tags where _fd_root_id = 'r2'")" -eq 0 ]
	[ "$(q "select count(*) from tickets__tags where _fd_root_id = 'r1'")" -eq 1 ]
}

t_merge_batches() {
	# commits every 3 rows: a record and its children never split, the
	# latest version wins across commits
	local lines=("$SCHEMA_T" "$SCHEMA_TAGS") i
	for i in 1 2 3 4 5 6 7; do
		lines+=("$(ticket $((i % 3)) "v$i" "r$((i % 3))")" "$(tag "t$i" "r$((i % 3))" 0)" "$(tag "u$i" "r$((i % 3))" 1)")
	done
	msg "${lines[@]}"
	run -0 fd-load --batch-rows 3 -t "$TO" "$T/in.ndjson"
	[ "$(q 'select id, subject from tickets order by id')" = "$(printf '0|v6\n1|v7\n2|v5')" ]
	[ "$(col 'select value from tickets__tags order by value')" = t5,t6,t7,u5,u6,u7 ]
}

t_state() {
	msg "$SCHEMA_T" "$(ticket 1 a r1)" '{"type":"STATE","value":{"bookmarks":{"tickets":{"updated_at":"2024-01-01T00:00:00Z"}}}}'
	run --separate-stderr fd-load -t "$TO" -s "$T/state.json" --emit-state "$T/in.ndjson"
	assert_success
	assert_output '{"bookmarks":{"tickets":{"updated_at":"2024-01-01T00:00:00Z"}}}'
	[ "$(jq -c . "$T/state.json")" = '{"bookmarks":{"tickets":{"updated_at":"2024-01-01T00:00:00Z"}}}' ]
	[ "$(stat -c %a "$T/state.json")" = 600 ]
	[ "$(q 'select state from _fd_state')" = '{"bookmarks":{"tickets":{"updated_at":"2024-01-01T00:00:00Z"}}}' ]
	[ "$(q 'select status, rows from _fd_loads')" = 'completed|1' ]
}

t_schema_in_record() {
	# a child table's first SCHEMA comes after its record's root row (as
	# fd-normalize writes it), while a STATE is held: the held STATE is
	# committed with the root row, the child rows follow in the next
	# batch and stay
	msg "$SCHEMA_T" '{"type":"STATE","value":0}' '{"type":"STATE","value":1}' "$(ticket 1 a r1)" \
	    "$SCHEMA_TAGS" "$(tag x r1 0)" "$(tag y r1 1)" \
	    '{"type":"STATE","value":2}' "$(ticket 2 b r2)" "$(tag z r2 0)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(col "select value from tickets__tags order by value")" = x,y,z ]
	# a new version in a later load replaces them
	msg "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 1 a2 r1)" "$(tag w r1 0)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(col "select value from tickets__tags order by value")" = w,z ]
}

t_hold_fast() {
	# a STATE that comes less than 0.5 s after the last commit waits for
	# the next commit: a load from a file commits a few times, not 1000
	tickets 1000 states >"$T/in.ndjson"
	local t0 t1
	t0=$(date +%s%N)
	run --separate-stderr fd-load -v -t "$TO" -s "$T/state.json" "$T/in.ndjson"
	t1=$(date +%s%N)
	assert_success
	# at most one commit a 0.5 s of the load's time, and the last: a
	# bound that holds however fast the machine (fd-load's clock is
	# within the test's)
	n=$(grep -c 'committed' <<<"$stderr")
	[ "$n" -ge 1 ] && [ "$n" -le $(((t1 - t0) / 500000000 + 2)) ] && [ "$n" -lt 1000 ] ||
	    fail "$n commits in $(((t1 - t0) / 1000000)) ms"
	[ "$(grep committed <<<"$stderr" | tail -1)" = "fd-load: committed 1000 rows" ]
	[ "$(cat "$T/state.json")" = 1000 ]
	[ "$(q 'select state from _fd_state')" = 1000 ]
	[ "$(q 'select count(*), count(distinct id) from tickets')" = '1000|1000' ]
}

t_hold_pause() {
	# a STATE held is committed when the input pauses (fd-fetch waits on
	# the rate limit): the state file does not wait for the next page
	mkfifo "$T/in"
	fd-load -t "$TO" -s "$T/state.json" <"$T/in" 2>"$T/err" &
	local pid=$! i w
	exec {w}>"$T/in"
	printf '%s\n' "$SCHEMA_T" "$(ticket 1 a r1)" '{"type":"STATE","value":1}' >&"$w"
	for i in $(seq 600); do
		[ -s "$T/state.json" ] && break
		sleep 0.1
	done
	[ "$(cat "$T/state.json")" = 1 ]
	[ "$(q 'select state from _fd_state')" = 1 ]
	[ "$(col 'select id from tickets')" = 1 ]
	printf '%s\n' "$(ticket 2 b r2)" '{"type":"STATE","value":2}' >&"$w"
	exec {w}>&-
	wait "$pid"
	[ ! -s "$T/err" ]
	[ "$(cat "$T/state.json")" = 2 ]
	[ "$(col 'select id from tickets order by id')" = 1,2 ]
}

t_bad_line() {
	msg "$SCHEMA_T" "$(ticket 1 a r1)" '{"type":"STATE","value":1}' \
	    "$(ticket 2 b r2)" '{"type":"RECORD","stream":"tickets","record":{"id":"x"}}' \
	    '{"type":"STATE","value":2}'
	run --separate-stderr fd-load -t "$TO" -s "$T/state.json" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "fd-load: $T/in.ndjson:5: table tickets: column id: a string in a bigint column" ]
	# row 2 was after the last commit: gone; the state says 1
	[ "$(col 'select id from tickets')" = 1 ]
	[ "$(cat "$T/state.json")" = 1 ]
	[ "$(q 'select state from _fd_state')" = 1 ]
}

t_bad_input() {
	msg "$(ticket 1 a r1)"
	run -1 --separate-stderr fd-load -t "$TO" <"$T/in.ndjson"
	[ "$stderr" = "fd-load: <stdin>:1: table tickets: RECORD before its SCHEMA" ]
	msg "$SCHEMA_T" '{"type":"RECORD","stream":"tickets","record":{"id":1,"nope":2}}'
	run -1 --separate-stderr fd-load -t "$TO" <"$T/in.ndjson"
	[ "$stderr" = "fd-load: <stdin>:2: table tickets: column nope is not in the SCHEMA" ]
	msg "$SCHEMA_T" '{"type":"RECORD","stream":"tickets","record":{"id":1'
	run -1 --separate-stderr fd-load -t "$TO" <"$T/in.ndjson"
	[[ "$stderr" == "fd-load: <stdin>:2: truncated JSON at byte "* ]]
	msg "$SCHEMA_T" '{"type":"RECORD","stream":"tickets","record":{"subject":"no key"}}'
	run -1 --separate-stderr fd-load -t "$TO" <"$T/in.ndjson"
	[ "$stderr" = "fd-load: <stdin>:2: table tickets: a merge row without its key" ]
	msg "$SCHEMA_T" '{"type":"RECORD","stream":"tickets","record":{"id":18446744073709551616}}'
	run -1 --separate-stderr fd-load -t "$TO" <"$T/in.ndjson"
	[ "$stderr" = "fd-load: <stdin>:2: table tickets: column id: 18446744073709551616 is not a 64-bit integer" ]
	S='{"type":"SCHEMA","stream":"e","schema":{"properties":{"at":{"type":"string","format":"date-time"}}},"key_properties":[]}'
	msg "$S" '{"type":"RECORD","stream":"e","record":{"at":"yesterday"}}'
	run -1 --separate-stderr fd-load -t "$TO" <"$T/in.ndjson"
	[ "$stderr" = 'fd-load: <stdin>:2: table e: column at: "yesterday" is not a date-time' ]
	# a record is validated once, by its table's columns; a "record" of
	# another message by itself
	msg "$SCHEMA_T" '{"type":"RECORD","stream":"tickets","record":{"id":1,"subject":"\x"}}'
	run -1 --separate-stderr fd-load -t "$TO" <"$T/in.ndjson"
	[ "$stderr" = 'fd-load: <stdin>:2: table tickets: invalid JSON at byte 20: invalid escape' ]
	msg '{"type":"STATE","value":1,"record":{"a":01}}'
	run -1 --separate-stderr fd-load -t "$TO" <"$T/in.ndjson"
	[ "$stderr" = 'fd-load: <stdin>:1: record: invalid JSON at byte 6: leading zero in number' ]
}

t_evolution() {
	msg "$SCHEMA_T" "$(ticket 1 a r1)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	hostile='{"type":"SCHEMA","stream":"t\"; DROP TABLE tickets; --","schema":{"properties":{"id":{"type":"integer"},"we\"ird col;":{"type":"string"},"ünï":{"type":"number"}}},"key_properties":["id"]}'
	msg "$hostile" '{"type":"RECORD","stream":"t\"; DROP TABLE tickets; --","record":{"id":1,"we\"ird col;":"v","ünï":1.5}}' \
	    "$(sed 's/"subject":/"priority":{"type":"integer"},"subject":/' <<<"$SCHEMA_T")" \
	    '{"type":"RECORD","stream":"tickets","record":{"id":3,"priority":4}}'
	run --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	[ -z "$stderr" ]
	assert_success
	[ "$(q 'select count(*) from tickets')" -eq 2 ]
	[ "$(q 'select priority from tickets where id = 3')" -eq 4 ]
	[ "$(q 'select "we""ird col;", "ünï" from "t""; DROP TABLE tickets; --"')" = 'v|1.5' ]
	# the old SCHEMA again (without priority): the column stays
	msg "$SCHEMA_T" "$(ticket 4 d r4)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(q 'select count(*) from tickets where priority is null')" -eq 2 ]
}

t_replace() {
	S='{"type":"SCHEMA","stream":"agents","schema":{"properties":{"id":{"type":"integer"}}},"key_properties":["id"],"x-fd":{"disposition":"replace","root":"agents","table_kind":"root"}}'
	C='{"type":"SCHEMA","stream":"agents__skills","schema":{"properties":{"value":{"type":"string"},"_fd_root_id":{"type":"string"}}},"key_properties":[],"x-fd":{"disposition":"replace","root":"agents","parent":"agents","table_kind":"child"}}'
	msg "$S" "$C" '{"type":"RECORD","stream":"agents","record":{"id":1},"version":1}' \
	    '{"type":"RECORD","stream":"agents__skills","record":{"value":"s1","_fd_root_id":"a"},"version":1}' \
	    '{"type":"RECORD","stream":"agents","record":{"id":2},"version":1}' \
	    '{"type":"ACTIVATE_VERSION","stream":"agents","version":1}'
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(col 'select id from agents order by id')" = 1,2 ]
	[ "$(col 'select value from agents__skills')" = s1 ]
	# a new version committed halfway (STATE) but not activated: old rows stay
	msg "$S" "$C" '{"type":"RECORD","stream":"agents","record":{"id":3},"version":2}' \
	    '{"type":"STATE","value":1}'
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(col 'select id from agents order by id')" = 1,2 ]
	# a version without child rows empties the child table too
	msg "$S" '{"type":"RECORD","stream":"agents","record":{"id":3},"version":3}' \
	    '{"type":"ACTIVATE_VERSION","stream":"agents","version":3}'
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(col 'select id from agents')" = 3 ]
	[ "$(q 'select count(*) from agents__skills')" -eq 0 ]
}

t_append() {
	S='{"type":"SCHEMA","stream":"events","schema":{"properties":{"n":{"type":"integer"}}},"key_properties":[]}'
	msg "$S" '{"type":"RECORD","stream":"events","record":{"n":1}}'
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(q 'select count(*) from events')" -eq 2 ]
	msg "$SCHEMA_T" "$(ticket 1 a r1)"
	run -0 fd-load -t "$TO" --mode append "$T/in.ndjson"
	run -0 fd-load -t "$TO" --mode append "$T/in.ndjson"
	[ "$(q 'select count(*) from tickets')" -eq 2 ]
}

t_values() {
	# text with every character COPY and CSV treat specially, unicode,
	# booleans, doubles, big integers, decimals, json, UTC date-times
	S='{"type":"SCHEMA","stream":"v","schema":{"properties":{"s":{"type":"string"},"b":{"type":"boolean"},"d":{"type":"number"},"i":{"type":"integer"},"n":{"type":"number","x-fd-type":"decimal"},"j":{"type":"json","x-fd-type":"json"},"at":{"type":"string","format":"date-time"}}},"key_properties":[]}'
	msg "$S" '{"type":"RECORD","stream":"v","record":{"s":"a\tb\\c\nd\re,\"f\" 😀 é","b":true,"d":1.5,"i":-9223372036854775808,"n":123456789012345678901234567890,"j":{"k":[1,"x"]},"at":"2024-05-01T10:00:00Z"}}' \
	    '{"type":"RECORD","stream":"v","record":{"s":"","b":false}}'
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(q "select s from v where s <> ''")" = "$(printf 'a\tb\\c\nd\re,"f" 😀 é')" ]
	[ "$(q "select count(*) from v where s = ''")" -eq 1 ]
	[ "$(q 'select d, i from v where d is not null')" = '1.5|-9223372036854775808' ]
	[ "$(q 'select n from v where n is not null')" = 123456789012345678901234567890 ]
	[ "$(q "select count(*) from v where b is null")" -eq 0 ]
}

t_pipeline() {
	printf '%s\n' '{"type":"SCHEMA","stream":"tickets","schema":{},"key_properties":["id"]}' \
	    '{"type":"RECORD","stream":"tickets","record":{"id":1,"tags":["a","b"],"custom_fields":{"cf_X":1}}}' \
	    '{"type":"STATE","value":{}}' >"$T/raw.ndjson"
	for i in 1 2; do
		fd-normalize "$T/raw.ndjson" | fd-load -t "$TO"
	done
	[ "$(q 'select id, custom_fields__cf_x from tickets')" = '1|1' ]
	[ "$(col 'select value from tickets__tags order by value')" = 'a,b' ]
	[ "$(q "select count(*) from tickets__tags where _fd_root_id = (select _fd_id from tickets)")" -eq 2 ]
}

# t_lock HELD GLOB: while a load waits on its input it holds the
# destination (the command HELD succeeds once it does); a second load
# fails at once, its message matching GLOB; then a load goes through
t_lock() {
	msg "$SCHEMA_T" "$(ticket 1 a r1)"
	mkfifo "$T/fifo"
	fd-load -t "$TO" <"$T/fifo" &
	exec 5>"$T/fifo"
	local n
	for ((n = 0; n < 1200; n++)); do
		eval "$1" && break
		sleep 0.05
	done
	run --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	exec 5>&-
	wait
	[ "$status" -eq 1 ]
	# shellcheck disable=SC2053
	[[ "$stderr" == $2 ]]
	run -0 fd-load -t "$TO" "$T/in.ndjson"
}

t_variant() {
	# an earlier load made x bigint; this stream's first x is a string
	S1='{"type":"SCHEMA","stream":"e","schema":{"properties":{"id":{"type":"integer"},"x":{"type":"integer"}}},"key_properties":["id"]}'
	S2='{"type":"SCHEMA","stream":"e","schema":{"properties":{"id":{"type":"integer"},"x":{"type":"string"}}},"key_properties":["id"]}'
	msg "$S1" '{"type":"RECORD","stream":"e","record":{"id":1,"x":1}}'
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	msg "$S2" '{"type":"RECORD","stream":"e","record":{"id":2,"x":"n/a"}}'
	run --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	assert_success
	[ "$stderr" = "fd-load: table e: column x: the destination's column takes no text: into x__v_text" ]
	[ "$(q 'select id, x, x__v_text from e order by id')" = "$(printf '1|1|\n2||n/a')" ]
	# and quietly with -q, the same again
	run --separate-stderr fd-load -q -t "$TO" "$T/in.ndjson"
	assert_success
	[ -z "$stderr" ]
}
