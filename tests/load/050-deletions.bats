#!/usr/bin/env bats
# fd-load: deletions from a complete id set (fd-load.1, Deletions): the
# fd_ids of STATE messages, applied at the final part's STATE in the
# commit of that STATE, into SQLite, PostgreSQL and csv:/jsonl: trees.

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
	# load.bash's msg, each set's parts numbered (see numbered)
	msg() {
		printf '%s\n' "$@" | numbered >"$T/in.ndjson"
	}
}

AT1=2026-12-04T23:00:00Z
AT2=2026-12-05T01:00:00Z

# as_sqlite, as_pg: the destination of the test, its q and, in MARK,
# the mark as text ("" for NULL)
as_sqlite() {
	TO="sqlite:$T/x.db"
	q() { sqlite3 "$T/x.db" "$1"; }
	MARK="coalesce(_fd_deleted_at, '')"
}
as_pg() {
	DBN="t$BATS_TEST_NUMBER"
	createdb -h "$PGHOST" -U fd "$DBN"
	TO="postgresql:///$DBN?host=$PGHOST&user=fd"
	q() { psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$TO" -c "$1"; }
	MARK="coalesce(to_char(_fd_deleted_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
}

# marks: the tickets as "id|mark", one a line, by id
marks() {
	q "select id, $MARK from tickets order by id"
}

# want ID=MARK...: the lines marks prints, "=" for "|", "" for NULL
want() {
	printf '%s\n' "$@" | tr = '|'
}

# part N SET IDS FINAL [STREAM [AS_OF]]: a STATE {"n":N} with a part of
# set SET of STREAM (tickets), its ids IDS; its number is "part":0 until
# numbered
part() {
	printf '{"type":"STATE","value":{"n":%s},"fd_ids":{"stream":"%s","set":"%s","as_of":"%s","ids":"%s","part":0,"final":%s}}' \
	    "$1" "${5:-tickets}" "$2" "${6:-$AT1}" "$3" "$4"
}

# numbered: the lines of stdin, each set's parts numbered 1, 2, ... in
# the order they come
numbered() {
	awk '/"part":0,/ && match($0, /"set":"[^"]*"/) {
		k = substr($0, RSTART, RLENGTH)
		sub(/"part":0,/, "\"part\":" ++n[k] ",")
	} { print }'
}


t_marks() {
	# tickets 1..6; the set in two parts: 1-2,4 and 6
	msg "$(tickets 6)" '{"type":"STATE","value":{"n":0}}' "$(part 1 s1 1-2,4 false)" \
	    "$(part 2 s1 6 true)"
	run -0 --separate-stderr fd-load -t "$TO" -s "$T/state.json" --emit-state "$T/in.ndjson"
	[ -z "$stderr" ]
	[ "$(marks)" = "$(want 1= 2= 3=$AT1 4= 5=$AT1 6=)" ]
	# the STATEs' values, not fd_ids: the state file, --emit-state, _fd_state
	[[ "$output" != *fd_ids* ]]
	[ "${lines[${#lines[@]}-1]}" = '{"n":2}' ]
	[ "$(cat "$T/state.json")" = '{"n":2}' ]
	[ "$(q 'select state from _fd_state')" = '{"n":2}' ]
	# a second set, later, without a SCHEMA (the key is the table's):
	# 3 stays marked at its first time, 5 is back, 1 is gone; -v counts
	msg "$(part 3 s2 2,5 false '' $AT2)" "$(part 4 s2 6 true '' $AT2)"
	run -0 --separate-stderr fd-load -v -t "$TO" "$T/in.ndjson"
	[ "$(marks)" = "$(want 1=$AT2 2= 3=$AT1 4=$AT2 5= 6=)" ]
	[[ "$stderr" == *'fd-load: table tickets: 2 rows marked deleted, 1 cleared'* ]]
	# the same set again: nothing changes, nothing counted
	msg "$(part 5 s3 2,5-6 false '' 2027-01-01T00:00:00Z)" \
	    "$(part 6 s3 '' true '' 2027-01-01T00:00:00Z)"
	run -0 --separate-stderr fd-load -v -t "$TO" "$T/in.ndjson"
	[ "$(marks)" = "$(want 1=$AT2 2= 3=$AT1 4=$AT2 5= 6=)" ]
	[[ "$stderr" == *'fd-load: table tickets: 0 rows marked deleted, 0 cleared'* ]]
	# a record that comes back (a merge RECORD) is not deleted
	msg "$SCHEMA_T" "$(ticket 3 again r3)" '{"type":"STATE","value":{"n":7}}'
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(marks)" = "$(want 1=$AT2 2= 3= 4=$AT2 5= 6=)" ]
	[ "$(q 'select subject from tickets where id = 3')" = again ]
}

t_parts() {
	msg "$(tickets 9)" "$(part 1 s1 1 false)" "$(part 2 s1 3-4 false)"
	# no final part: nothing changes, the STATEs commit
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(q "select count(*) from tickets where $MARK <> ''" 2>/dev/null || echo 0)" -eq 0 ]
	[ "$(q 'select state from _fd_state')" = '{"n":2}' ]
	# three parts: only the final applies, and all three count
	msg "$(part 1 s2 1 false)" "$(part 2 s2 3-4 false)" "$(part 3 s2 7,9 true)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(marks)" = "$(want 1= 2=$AT1 3= 4= 5=$AT1 6=$AT1 7= 8=$AT1 9=)" ]
}

t_interrupted() {
	# set A never gets its final part: set B (the same stream) comes
	# first, and only B applies, alone
	msg "$(tickets 6)" "$(part 1 A 1-2 false)" "$(part 2 B 3-6 true)" \
	    "$(part 3 A 3-6 true)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	# the final part of A after B lacks A's first part: not applied
	[ "$(marks)" = "$(want 1=$AT1 2=$AT1 3= 4= 5= 6=)" ]
	# a set that does not start at part 1 (a stream taken up in its
	# middle), or skips one, is never applied, with one warning
	msg '{"type":"STATE","value":{"n":10},"fd_ids":{"stream":"tickets","set":"G","as_of":"'$AT2'","ids":"5","part":2,"final":true}}' \
	    '{"type":"STATE","value":{"n":11},"fd_ids":{"stream":"tickets","set":"H","as_of":"'$AT2'","ids":"1","part":1,"final":false}}' \
	    '{"type":"STATE","value":{"n":12},"fd_ids":{"stream":"tickets","set":"H","as_of":"'$AT2'","ids":"5","part":3,"final":true}}'
	run -0 --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	[ "$(marks)" = "$(want 1=$AT1 2=$AT1 3= 4= 5= 6=)" ]
	[ "$stderr" = "fd-load: fd_ids: stream tickets: set G: part 2 without part 1: the set is not applied
fd-load: fd_ids: stream tickets: set H: part 3 without part 2: the set is not applied" ]
	[ "$(q 'select state from _fd_state')" = '{"n":12}' ]
	msg "$(part 4 C 1-6 false)" "$(part 5 D 1,3 false)" "$(part 6 D 5 true)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(marks)" = "$(want 1= 2=$AT1 3= 4=$AT1 5= 6=$AT1)" ]
	# sets of two streams at once are apart; an unknown table: nothing
	msg "$(part 7 E 1-3 false)" "$(part 8 F 1 true nosuch)" "$(part 9 E 4-6 true)"
	run -0 --separate-stderr fd-load -v -t "$TO" "$T/in.ndjson"
	[ "$(marks)" = "$(want 1= 2= 3= 4= 5= 6=)" ]
	[[ "$stderr" == *'fd-load: table nosuch: no such table: no rows to reconcile'* ]]
}

t_hard() {
	msg "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 1 a r1)" "$(tag x r1 0)" "$(tag y r1 1)" \
	    "$(ticket 2 b r2)" "$(tag z r2 0)" "$(ticket 3 c r3)" "$(tag w r3 0)" \
	    "$(part 1 s1 2 true)"
	# soft: the child rows stay
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(marks)" = "$(want 1=$AT1 2= 3=$AT1)" ]
	[ "$(q 'select count(*) from tickets__tags')" -eq 4 ]
	# hard: rows and their child rows go; a marked row in the set clears
	msg "$(part 2 s2 1-2 true)"
	run -0 --separate-stderr fd-load -v --hard-delete -t "$TO" "$T/in.ndjson"
	[ "$(marks)" = "$(want 1= 2=)" ]
	[ "$(col 'select value from tickets__tags order by value')" = x,y,z ]
	[[ "$stderr" == *'fd-load: table tickets: 1 rows deleted, 1 cleared'* ]]
	# hard into a table never marked: no column added
	msg "$SCHEMA_T" "$SCHEMA_TAGS" "$(ticket 1 a r1)" "$(tag x r1 0)" "$(ticket 2 b r2)" \
	    "$(tag z r2 0)" "$(part 1 s1 2 true)"
	as_other
	run -0 fd-load --hard-delete -t "$TO" "$T/in.ndjson"
	[ "$(q 'select id from tickets')" = 2 ]
	[ "$(q 'select value from tickets__tags')" = z ]
	! q 'select _fd_deleted_at from tickets' 2>/dev/null
}

t_bad() {
	local good bad
	good="$(tickets 3)"
	for bad in '"fd_ids":[1]' '"fd_ids":{"stream":"tickets","set":"s","as_of":"'$AT1'","ids":"1","part":1}' \
	    '"fd_ids":{"stream":"tickets","set":"s","as_of":"yesterday","ids":"1","part":1,"final":true}' \
	    '"fd_ids":{"stream":"tickets","set":"s","as_of":"'$AT1'","ids":"3,1","part":1,"final":true}' \
	    '"fd_ids":{"stream":"tickets","set":"s","as_of":"'$AT1'","ids":"0-2","part":1,"final":true}' \
	    '"fd_ids":{"stream":"tickets","set":1,"as_of":"'$AT1'","ids":"1","part":1,"final":true}' \
	    '"fd_ids":{"stream":"tickets","set":"s","as_of":"'$AT1'","ids":"1","part":1,"final":"yes"}'; do
		msg "$good" '{"type":"STATE","value":{"n":0}}' "$(ticket 9 late r9)" \
		    '{"type":"STATE","value":{"n":1},'"$bad"'}'
		run -1 --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == "fd-load: $T/in.ndjson:7: fd_ids: "* ]]
		# nothing of that commit
		[ "$(q 'select state from _fd_state')" = '{"n":0}' ]
		[ "$(q 'select count(*) from tickets where id = 9')" -eq 0 ]
	done
	msg "$good" "$(part 0 s 1-2 false)" "$(part 1 s 2-3 true)"
	run -1 --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	[ "$stderr" = "fd-load: $T/in.ndjson:6: fd_ids: stream tickets: set s: part out of order (id 2 after 2)" ]
	[ "$(q 'select state from _fd_state')" = '{"n":0}' ]
	[ "$(marks)" = "$(want 1= 2= 3=)" ] || [ "$(q 'select id from tickets' | paste -sd, -)" = 1,2,3 ]
	# a table keyed otherwise than by one integer column
	msg '{"type":"SCHEMA","stream":"k","schema":{"properties":{"a":{"type":"string"}}},"key_properties":["a"]}' \
	    '{"type":"RECORD","stream":"k","record":{"a":"x"}}' "$(part 1 s 1 true k)"
	run -1 --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	[ "$stderr" = "fd-load: $T/in.ndjson:3: table k: key column a: a reconcile needs integer keys" ]
	msg '{"type":"SCHEMA","stream":"k2","schema":{"properties":{"a":{"type":"integer"}}},"key_properties":[]}' \
	    '{"type":"RECORD","stream":"k2","record":{"a":1}}' "$(part 1 s 1 true k2)"
	run -1 --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	[ "$stderr" = "fd-load: $T/in.ndjson:3: table k2: a reconcile needs one key column, the table has 0" ]
}

# crash: fd-load reads a fifo; the parts before the final one are
# committed (the state file says so), then fd-load is killed before the
# final part is written: nothing is marked, and a new load of only the
# final part does not see the parts before it
t_crash() {
	local w lp i
	mkfifo "$T/fifo"
	fd-load -t "$TO" -s "$T/state.json" <"$T/fifo" 2>"$T/err" &
	lp=$!
	exec {w}>"$T/fifo"
	printf '%s\n' "$(tickets 6)" "$(part 1 s1 1-2 false)" "$(part 2 s1 3-4 false)" | numbered >&"$w"
	for ((i = 0; i < 6000; i++)); do
		[ "$(cat "$T/state.json" 2>/dev/null)" = '{"n":2}' ] && break
		sleep 0.01
	done
	[ "$(cat "$T/state.json")" = '{"n":2}' ]
	kill -KILL "$lp"
	wait "$lp" 2>/dev/null || true
	exec {w}>&-
	[ "$(q 'select state from _fd_state')" = '{"n":2}' ]
	[ "$(q 'select count(*) from tickets')" -eq 6 ]
	! q 'select _fd_deleted_at from tickets' 2>/dev/null
}

# a million ids, sparse and dense
t_million() {
	msg "$(tickets 9)" "$(part 1 s1 "$(seq -s, 1 2 1999999)" false)" "$(part 2 s1 2000002-3000000 true)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(marks)" = "$(want 1= 2=$AT1 3= 4=$AT1 5= 6=$AT1 7= 8=$AT1 9=)" ]
}

as_other() { rm -f "$T/x.db"* && as_sqlite; }

@test "deletions: sqlite: rows not in the set are marked at as_of, once; back in the set or re-sent they clear" { as_sqlite; t_marks; }
@test "deletions: sqlite: only the final part applies, with every part's ids; no final part, no change" { as_sqlite; t_parts; }
@test "deletions: sqlite: a set cut off by another set of its stream changes nothing" { as_sqlite; t_interrupted; }
@test "deletions: sqlite: --hard-delete removes the rows and their child rows; soft keeps the child rows" { as_sqlite; t_hard; }
@test "deletions: sqlite: malformed fd_ids, a part out of order, a table without one integer key: one line, exit 1, nothing of the commit" { as_sqlite; t_bad; }
@test "deletions: sqlite: killed before the final part: no mark" { as_sqlite; t_crash; }
@test "deletions: sqlite: a million ids" { as_sqlite; t_million; }

@test "deletions: pg: rows not in the set are marked at as_of, once; back in the set or re-sent they clear" { as_pg; t_marks; }
@test "deletions: pg: only the final part applies, with every part's ids; no final part, no change" { as_pg; t_parts; }
@test "deletions: pg: a set cut off by another set of its stream changes nothing" { as_pg; t_interrupted; }
@test "deletions: pg: --hard-delete removes the rows and their child rows; soft keeps the child rows" {
	as_pg
	as_other() { q 'drop table tickets; drop table tickets__tags; delete from _fd_tables'; }
	t_hard
}
@test "deletions: pg: malformed fd_ids, a part out of order, a table without one integer key: one line, exit 1, nothing of the commit" { as_pg; t_bad; }
@test "deletions: pg: killed before the final part: no mark" { as_pg; t_crash; }
@test "deletions: pg: a million ids" { as_pg; t_million; }

# dels FMT: the rows of the deletions files the manifest lists for
# tickets, in order, without the load id (csv: the header once)
dels() {
	local f
	for f in $(jq -r '.tables.tickets.deletions[]' "$T/out/_fd_manifest.json"); do
		case $1 in
		csv)	cut -d, -f1-2 "$T/out/tickets/$f" | tr -d '\r' ;;
		jsonl)	jq -c 'del(._fd_load_id)' "$T/out/tickets/$f" ;;
		esac
	done
}

t_files() {
	local fmt=$1 f
	TO="$fmt:$T/out"
	# no final part: no deletions file
	msg "$(tickets 6)" "$(part 1 s1 1-2,4 false)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(jq -c '.tables.tickets.deletions' "$T/out/_fd_manifest.json")" = '[]' ]
	[ -z "$(ls "$T/out/tickets" | grep deletions)" ]
	# the rows the tree holds that are not in the set (written in this
	# load too), in the commit of the final part's STATE
	msg "$SCHEMA_T" "$(ticket 7 new r7)" "$(part 2 s2 1-2,4 false)" "$(part 3 s2 6 true)"
	run -0 --separate-stderr fd-load -v -t "$TO" -s "$T/state.json" "$T/in.ndjson"
	[[ "$stderr" == *'fd-load: table tickets: 3 rows marked deleted, 0 cleared'* ]]
	[ "$(jq -r .state "$T/out/_fd_manifest.json")" = '{"n":3}' ]
	[ "$(cat "$T/state.json")" = '{"n":3}' ]
	case $fmt in
	csv)	[ "$(dels csv)" = "$(printf 'id,_fd_deleted_at\n3,%s\n5,%s\n7,%s' $AT1 $AT1 $AT1)" ] ;;
	jsonl)	[ "$(dels jsonl)" = "$(printf '{"id":%s,"_fd_deleted_at":"%s"}\n' 3 $AT1 5 $AT1 7 $AT1)" ] ;;
	esac
	f=$(jq -r '.tables.tickets.deletions[0]' "$T/out/_fd_manifest.json")
	[[ "$f" == deletions-*.$fmt ]]
	[ "$(stat -c %a "$T/out/tickets/$f")" = 600 ]
	# not a data file of the table
	[ "$(jq -r '.tables.tickets.files[]' "$T/out/_fd_manifest.json" | grep -c deletions)" -eq 0 ]
	# a later set, without a SCHEMA: new marks, and clears of rows back
	# in the set; marked rows still missing are not repeated
	msg "$(part 4 s3 1,3-4,6 true '' $AT2)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	case $fmt in
	csv)	[ "$(dels csv | tail -n 3)" = "$(printf 'id,_fd_deleted_at\n2,%s\n3,' $AT2)" ] ;;
	jsonl)	[ "$(dels jsonl | tail -n 2)" = "$(printf '{"id":2,"_fd_deleted_at":"%s"}\n{"id":3,"_fd_deleted_at":null}' $AT2)" ] ;;
	esac
	# a new load keeps the listed deletions files (sweep)
	msg '{"type":"STATE","value":{"n":5}}'
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(jq '.tables.tickets.deletions | length' "$T/out/_fd_manifest.json")" -eq 2 ]
	[ "$(ls "$T/out/tickets" | grep -c deletions)" -eq 2 ]
	# bad fd_ids: no file, the manifest as it was
	cp "$T/out/_fd_manifest.json" "$T/before.json"
	msg "$(part 6 s4 3,1 true)"
	run -1 fd-load -t "$TO" "$T/in.ndjson"
	cmp "$T/before.json" "$T/out/_fd_manifest.json"
	[ "$(ls "$T/out/tickets" | grep -c deletions)" -eq 2 ]
}

@test "deletions: csv: a deletions file of the rows not in the set and of those back, listed in the manifest" { t_files csv; }
@test "deletions: jsonl: a deletions file of the rows not in the set and of those back, listed in the manifest" { t_files jsonl; }

@test "deletions: csv: the warehouse recipe of fd-load.1 marks what SQLite marks" {
	local f
	TO="csv:$T/out"
	msg "$(tickets 6)" "$(part 1 s1 1-2,4 false)" "$(part 2 s1 6 true)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	msg "$(part 3 s2 1,3-4,6 true '' $AT2)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	createdb -h "$PGHOST" -U fd w
	W="postgresql:///w?host=$PGHOST&user=fd"
	psql -X -q -v ON_ERROR_STOP=1 -d "$W" -c 'create table tickets (id bigint, subject text, _fd_id text, _fd_load_id text, _fd_seq bigint, _fd_deleted_at timestamptz)' \
	    -c 'create table deletions (id bigint, _fd_deleted_at timestamptz, _fd_load_id text)'
	for f in $(jq -r '.tables.tickets.files[]' "$T/out/_fd_manifest.json"); do
		# the file's columns, by name: the manifest's first widths[f]
		psql -X -q -v ON_ERROR_STOP=1 -d "$W" -c "\\copy tickets ($(jq -r --arg f "$f" \
		    '.tables.tickets | .columns[:.widths[$f]] | map(.name) | join(", ")' \
		    "$T/out/_fd_manifest.json")) from '$T/out/tickets/$f' csv header"
	done
	# the recipe: each deletions file in the manifest's order
	for f in $(jq -r '.tables.tickets.deletions[]' "$T/out/_fd_manifest.json"); do
		psql -X -q -v ON_ERROR_STOP=1 -d "$W" -c 'truncate deletions' \
		    -c "\\copy deletions from '$T/out/tickets/$f' csv header" \
		    -c 'update tickets t set _fd_deleted_at = d._fd_deleted_at from deletions d where t.id = d.id and d._fd_load_id >= t._fd_load_id'
	done
	as_sqlite
	msg "$(tickets 6)" "$(part 1 s1 1-2,4 false)" "$(part 2 s1 6 true)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	msg "$(part 3 s2 1,3-4,6 true '' $AT2)"
	run -0 fd-load -t "$TO" "$T/in.ndjson"
	[ "$(psql -X -q -A -t -d "$W" -c "select id, coalesce(to_char(_fd_deleted_at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '') from tickets order by id")" = "$(marks)" ]
	[ "$(marks)" = "$(want 1= 2=$AT2 3= 4= 5=$AT1 6=)" ]
}

@test "deletions: csv: killed before the final part: no deletions file" {
	local w lp i
	mkfifo "$T/fifo"
	fd-load -t "csv:$T/out" -s "$T/state.json" --batch-rows 1 <"$T/fifo" 2>"$T/err" &
	lp=$!
	exec {w}>"$T/fifo"
	printf '%s\n' "$(tickets 6)" "$(part 1 s1 1-2 false)" "$(part 2 s1 3-4 false)" | numbered >&"$w"
	for ((i = 0; i < 6000; i++)); do
		[ "$(cat "$T/state.json" 2>/dev/null)" = '{"n":1}' ] && break
		sleep 0.01
	done
	[ "$(cat "$T/state.json")" = '{"n":1}' ]
	kill -KILL "$lp"
	wait "$lp" 2>/dev/null || true
	exec {w}>&-
	# (a file tree commits at a STATE once --batch-rows rows wait)
	[ "$(jq -r .state "$T/out/_fd_manifest.json")" = '{"n":1}' ]
	[ "$(jq -c .tables.tickets.deletions "$T/out/_fd_manifest.json")" = '[]' ]
	[ -z "$(ls -a "$T/out/tickets" | grep deletions)" ]
}
