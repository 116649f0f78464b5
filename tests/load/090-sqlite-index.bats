#!/usr/bin/env bats
# fd-load into SQLite: a child table empty when the load first sees it
# gets its _fd_root_ index at the load's end (one sort, not a page
# written per row), or as soon as a merge replaces a root row of its
# chain; a load that dies first leaves it to the next load that merges.
# Each test feeds fd-load through a fifo and looks at the database
# between commits: the state file tells when a commit is done.

setup() {
	load ../common
	load load
	T="$BATS_TEST_TMPDIR"
	DB="$T/fd.db"
	TO="sqlite:$DB"
}

teardown() {
	[ -z "${LP-}" ] || kill -KILL "$LP" 2>/dev/null || true
}

q() {
	sqlite3 "$DB" "$1"
}

# indexes: the names of the database's indexes that fd makes
indexes() {
	col "select name from sqlite_master where type = 'index' and name like '\\_fd\\_%' escape '\\' order by name"
}

# start: fd-load -t TO -s state.json reading the fifo, fd W writing it
start() {
	rm -f "$T/fifo"
	mkfifo "$T/fifo"
	fd-load -t "$TO" -s "$T/state.json" <"$T/fifo" 2>"$T/err" &
	LP=$!
	exec {W}>"$T/fifo"
}

# send LINES...: the lines into the fifo
send() {
	printf '%s\n' "$@" >&"$W"
}

# committed V: waits until the state file holds V (its commit is done:
# the first STATE is committed at once, a later one when the input
# pauses)
committed() {
	local i
	for ((i = 0; i < 6000; i++)); do
		[ "$(cat "$T/state.json" 2>/dev/null)" = "$1" ] && return 0
		sleep 0.01
	done
	echo "state file: $(cat "$T/state.json" 2>/dev/null), not $1" >&2
	return 1
}

# killed: fd-load SIGKILLed, the fifo closed
killed() {
	kill -KILL "$LP"
	wait "$LP" 2>/dev/null || true
	LP=
	exec {W}>&-
}

# finish: the fifo closed, fd-load's exit status checked
finish() {
	exec {W}>&-
	wait "$LP"
	LP=
}

@test "sqlite index: a new child table's _fd_root_ index waits for the load's end" {
	start
	send "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 1 a r1)" "$(tag x r1 0)" \
	    "$(tag y r1 1)" '{"type":"STATE","value":1}'
	committed 1
	# the rows are committed; the root's key index is there, the child
	# table's is not
	[ "$(q 'select count(*) from tickets__tags')" -eq 2 ]
	[ "$(indexes)" = _fd_key_tickets ]
	send "$(ticket 2 b r2)" "$(tag z r2 0)" '{"type":"STATE","value":2}'
	committed 2
	[ "$(indexes)" = _fd_key_tickets ]
	finish
	[ "$(indexes)" = _fd_key_tickets,_fd_root_tickets__tags ]
	[ "$(q "select count(*) from tickets__tags indexed by \"_fd_root_tickets__tags\" where _fd_root_id = 'r1'")" -eq 2 ]
	[ "$(q 'select status, rows from _fd_loads')" = 'completed|5' ]
	[ ! -s "$T/err" ]
	# a later load into the table that has rows keeps it up as it goes
	msg "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 3 c r3)" "$(tag w r3 0)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(col 'select value from tickets__tags order by value')" = w,x,y,z ]
}

@test "sqlite index: a key again in the same load makes the index and replaces the children" {
	start
	send "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 1 a r1)" "$(tag x r1 0)" \
	    "$(tag y r1 1)" "$(ticket 2 b r2)" "$(tag z r2 0)" \
	    '{"type":"STATE","value":1}'
	committed 1
	[ "$(indexes)" = _fd_key_tickets ]
	# ticket 1 again: its earlier tags are found by the index, made now
	send "$(ticket 1 a2 r1)" "$(tag v r1 0)" '{"type":"STATE","value":2}'
	committed 2
	[ "$(indexes)" = _fd_key_tickets,_fd_root_tickets__tags ]
	[ "$(col "select value from tickets__tags where _fd_root_id = 'r1'")" = v ]
	finish
	[ "$(q 'select id, subject from tickets order by id')" = "$(printf '1|a2\n2|b')" ]
	[ "$(col 'select value from tickets__tags order by value')" = v,z ]
	[ ! -s "$T/err" ]
}

@test "sqlite index: a load that dies first leaves the index to the next load that merges" {
	start
	send "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 1 a r1)" "$(tag x r1 0)" \
	    "$(tag y r1 1)" "$(ticket 2 b r2)" "$(tag z r2 0)" \
	    '{"type":"STATE","value":1}'
	committed 1
	killed
	[ "$(indexes)" = _fd_key_tickets ]
	[ "$(q 'select count(*) from tickets__tags')" -eq 3 ]
	# a merge of ticket 1 alone, its stream without the child table's
	# SCHEMA: the tags of the earlier ticket 1 go, through the index
	msg "$SCHEMA_T" "$(ticket 1 a2 r1)" '{"type":"STATE","value":2}'
	run -0 --separate-stderr fd-load -t "$TO" -s "$T/state.json" "$T/in.ndjson"
	[ -z "$stderr" ]
	[ "$(indexes)" = _fd_key_tickets,_fd_root_tickets__tags ]
	[ "$(col 'select value from tickets__tags order by value')" = z ]
	[ "$(q "select status from _fd_loads order by load_id")" = "$(printf 'aborted\ncompleted')" ]
}

@test "sqlite index: a child table made by a load that died gets its index from the next load that sees it" {
	start
	send "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 1 a r1)" "$(tag x r1 0)" \
	    '{"type":"STATE","value":1}'
	committed 1
	killed
	[ "$(indexes)" = _fd_key_tickets ]
	# the table has rows now: the index is made at once
	start
	send "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 2 b r2)" "$(tag y r2 0)" \
	    '{"type":"STATE","value":2}'
	committed 2
	[ "$(indexes)" = _fd_key_tickets,_fd_root_tickets__tags ]
	finish
	[ "$(col 'select value from tickets__tags order by value')" = x,y ]
}
