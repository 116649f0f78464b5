#!/usr/bin/env bats
# fd-load into csv:DIR and jsonl:DIR: files a warehouse bulk load takes
# as they are (checked here with PostgreSQL's COPY ... CSV HEADER),
# committed through DIR/_fd_manifest.json, so that the live files hold
# each committed row once and exactly what the state covers.

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
	D="$T/out"
}

# data FMT TABLE: the live data files of TABLE, in commit order
data() {
	jq -r --arg t "$2" '.tables[$t].files[]' "$D/_fd_manifest.json"
}

# files TABLE: every data file in TABLE's directory (live or not)
files() {
	ls "$D/$1" | grep -v '^schema\.json$' || true
}

V='{"type":"SCHEMA","stream":"v","schema":{"properties":{"s":{"type":"string"},"b":{"type":"boolean"},"d":{"type":"number"},"i":{"type":"integer"},"j":{"type":"json","x-fd-type":"json"},"at":{"type":"string","format":"date-time"}}},"key_properties":[]}'
R1='{"type":"RECORD","stream":"v","record":{"s":"a\tb\\c\nd\r\ne,\"f\" 😀 é","b":true,"d":1.5,"i":-9223372036854775808,"j":{"k":[1,"x"]},"at":"2024-05-01T10:00:00Z"}}'
R2='{"type":"RECORD","stream":"v","record":{"s":"","b":false}}'
R3='{"type":"RECORD","stream":"v","record":{"i":3}}'

@test "files: CSV is RFC 4180 that PostgreSQL's COPY CSV HEADER loads as is: NULL, empty, quotes, newlines" {
	msg "$V" "$R1" "$R2" "$R3" '{"type":"STATE","value":1}'
	run --separate-stderr fd-load -t "csv:$D" "$T/in.ndjson"
	assert_success
	[ -z "$output$stderr" ]
	[ "$(jq -c '[.[] | [.name, .type]]' "$D/v/schema.json")" = \
	    '[["_fd_load_id","STRING"],["_fd_seq","INTEGER"],["s","STRING"],["b","BOOLEAN"],["d","FLOAT"],["i","INTEGER"],["j","JSON"],["at","TIMESTAMP"]]' ]
	f=$(data csv v)
	[ "$(wc -l <<<"$f")" -eq 1 ]
	# every line ends in CRLF (RFC 4180); the header names the columns
	[ "$(head -1 "$D/v/$f")" = $'_fd_load_id,_fd_seq,s,b,d,i,j,at\r' ]
	psql -X -q -v ON_ERROR_STOP=1 -c 'create table v (_fd_load_id text, _fd_seq bigint, s text, b boolean, d float8, i bigint, j jsonb, at timestamptz)'
	psql -X -q -v ON_ERROR_STOP=1 -c "\\copy v from '$D/v/$f' csv header"
	[ "$(psql -XAtc "select s from v where i < 0")" = "$(printf 'a\tb\\c\nd\r\ne,"f" 😀 é')" ]
	[ "$(psql -XAtc "select count(*) from v where s = ''")" -eq 1 ]
	[ "$(psql -XAtc "select count(*) from v where s is null")" -eq 1 ]
	[ "$(psql -XAtc "select b, d, j->'k'->>1, at = '2024-05-01T10:00:00Z' from v where i < 0")" = 't|1.5|x|t' ]
	[ "$(psql -XAtc "select count(*) from v where b is null")" -eq 1 ]
	psql -X -q -c 'drop table v'
}

@test "files: JSONL lines are the records, nulls left out, with _fd_load_id and _fd_seq" {
	msg "$V" "$R1" "$R2" "$R3" '{"type":"STATE","value":1}'
	run -0 fd-load -t "jsonl:$D" "$T/in.ndjson"
	f=$(data jsonl v)
	[ "$(jq -c 'del(._fd_load_id, ._fd_seq)' "$D/v/$f")" = "$(jq -c '.record' <<<"$R1$R2$R3")" ]
	[ "$(jq -c '[._fd_seq]' "$D/v/$f" | paste -sd' ' -)" = '[1] [2] [3]' ]
	# the load's columns first, in place
	[ "$(head -1 "$D/v/$f" | jq -c 'keys_unsorted[:2]')" = '["_fd_load_id","_fd_seq"]' ]
	[ "$(jq -r '._fd_load_id' "$D/v/$f" | sort -u)" = "$(jq -r .load_id "$D/_fd_manifest.json")" ]
	# byte for byte: the integer beyond 2^53 is not rounded
	grep -q '"i":-9223372036854775808' "$D/v/$f"
}

@test "files: the state is committed after the data, in the manifest and then -s" {
	msg "$SCHEMA_T" "$(ticket 1 a r1)" '{"type":"STATE","value":{"n":1}}'
	run --separate-stderr fd-load -t "csv:$D" -s "$T/state.json" --emit-state "$T/in.ndjson"
	assert_success
	assert_output '{"n":1}'
	[ "$(jq -c . "$T/state.json")" = '{"n":1}' ]
	[ "$(jq -r .state "$D/_fd_manifest.json")" = '{"n":1}' ]
	[ "$(jq -c '.loads | map(.status, .rows)' "$D/_fd_manifest.json")" = '["completed",1]' ]
	[ "$(stat -c %a "$D/_fd_manifest.json")" = 600 ]
	[ "$(stat -c %a "$D/tickets/$(data csv tickets)")" = 600 ]
	# a second load adds a file; the first stays
	msg "$SCHEMA_T" "$(ticket 2 b r2)" '{"type":"STATE","value":{"n":2}}'
	run -0 fd-load -t "csv:$D" -s "$T/state.json" "$T/in.ndjson"
	[ "$(data csv tickets | wc -l)" -eq 2 ]
	[ "$(jq -c . "$T/state.json")" = '{"n":2}' ]
}

@test "files: a STATE commits only once --batch-rows rows wait; the end of input commits the rest" {
	local lines=("$SCHEMA_T") i
	for i in $(seq 1 10); do
		lines+=("$(ticket "$i" "s$i" "r$i")" "{\"type\":\"STATE\",\"value\":$i}")
	done
	msg "${lines[@]}"
	run --separate-stderr fd-load -t "jsonl:$D" -s "$T/state.json" --emit-state --batch-rows 4 "$T/in.ndjson"
	assert_success
	# commits at the STATEs after rows 4, 8, then at the end
	[ "$(paste -sd, - <<<"$output")" = 4,8,10 ]
	[ "$(data jsonl tickets | wc -l)" -eq 3 ]
	[ "$(cat "$D"/tickets/*.jsonl | jq -r .id | paste -sd, -)" = 1,2,3,4,5,6,7,8,9,10 ]
	[ "$(cat "$T/state.json")" = 10 ]
}

@test "files: a bad line leaves the last commit; its rows never become live, and the next load sweeps them" {
	msg "$SCHEMA_T" "$(ticket 1 a r1)" '{"type":"STATE","value":1}' \
	    "$(ticket 2 b r2)" '{"type":"RECORD","stream":"tickets","record":{"id":"x"}}'
	run --separate-stderr fd-load -t "csv:$D" -s "$T/state.json" --batch-rows 1 "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ "$stderr" = "fd-load: $T/in.ndjson:5: table tickets: column id: a string in a bigint column" ]
	[ "$(cat "$T/state.json")" = 1 ]
	[ "$(data csv tickets | wc -l)" -eq 1 ]
	[ "$(tail -n +2 "$D/tickets/$(data csv tickets)" | cut -d, -f4)" = 1 ]
	# what the failed load wrote is not live, and the next load removes it
	[ "$(files tickets | wc -l)" -eq 1 ]
	[ "$(ls -A "$D/tickets" | grep -c '\.tmp$')" -eq 1 ]
	# as is a data file renamed by a load that died before its manifest
	touch "$D/tickets/1700000000.000001-7.csv" "$D/tickets/notes.txt"
	msg "$SCHEMA_T"
	run -0 fd-load -t "csv:$D" "$T/in.ndjson"
	[ "$(ls -A "$D/tickets" | sort | paste -sd, -)" = "$(data csv tickets),notes.txt,schema.json" ]
}

@test "files: a table that grows starts a new CSV file with the new header, the new column last; schema.json has every column" {
	msg "$SCHEMA_T" "$(ticket 1 a r1)" \
	    "$(sed 's/"subject":/"priority":{"type":"integer"},"subject":/' <<<"$SCHEMA_T")" \
	    '{"type":"RECORD","stream":"tickets","record":{"id":3,"priority":4,"subject":"c"}}' '{"type":"STATE","value":1}'
	run -0 fd-load -t "csv:$D" "$T/in.ndjson"
	[ "$(data csv tickets | wc -l)" -eq 2 ]
	[ "$(for f in $(data csv tickets); do head -1 "$D/tickets/$f"; done | tr -d '\r' | paste -sd' ' -)" = \
	    '_fd_load_id,_fd_seq,_fd_id,id,subject _fd_load_id,_fd_seq,_fd_id,id,subject,priority' ]
	[ "$(jq -r 'map(.name) | join(",")' "$D/tickets/schema.json")" = _fd_load_id,_fd_seq,_fd_id,id,subject,priority ]
	[ "$(jq -c '.tables.tickets | [.files[] as $f | .widths[$f]]' "$D/_fd_manifest.json")" = '[5,6]' ]
}

@test "files: replace: the chain's earlier files are retired at the commit after ACTIVATE_VERSION, not before" {
	S='{"type":"SCHEMA","stream":"agents","schema":{"properties":{"id":{"type":"integer"}}},"key_properties":["id"],"x-fd":{"disposition":"replace","root":"agents","table_kind":"root"}}'
	C='{"type":"SCHEMA","stream":"agents__skills","schema":{"properties":{"value":{"type":"string"}}},"key_properties":[],"x-fd":{"disposition":"replace","root":"agents","parent":"agents","table_kind":"child"}}'
	msg "$S" "$C" '{"type":"RECORD","stream":"agents","record":{"id":1},"version":1}' \
	    '{"type":"RECORD","stream":"agents__skills","record":{"value":"s1"},"version":1}' \
	    '{"type":"ACTIVATE_VERSION","stream":"agents","version":1}' '{"type":"STATE","value":1}'
	run -0 fd-load -t "jsonl:$D" "$T/in.ndjson"
	[ "$(cat "$D"/agents/*.jsonl | jq -c .id)" = 1 ]
	[ "$(cat "$D"/agents__skills/*.jsonl | jq -r .value)" = s1 ]
	# a version begun and committed (STATE) but not activated: nothing changes
	msg "$S" "$C" '{"type":"RECORD","stream":"agents","record":{"id":2},"version":2}' '{"type":"STATE","value":2}'
	run -0 fd-load -t "jsonl:$D" "$T/in.ndjson"
	[ "$(cat "$D"/agents/*.jsonl | jq -c .id)" = 1 ]
	[ "$(files agents | wc -l)" -eq 1 ]
	# version 3, without skills: both tables are its rows only
	msg "$S" '{"type":"RECORD","stream":"agents","record":{"id":3},"version":3}' \
	    '{"type":"ACTIVATE_VERSION","stream":"agents","version":3}' '{"type":"STATE","value":3}'
	run -0 fd-load -t "jsonl:$D" "$T/in.ndjson"
	[ "$(cat "$D"/agents/*.jsonl | jq -c .id)" = 3 ]
	[ "$(files agents__skills | wc -l)" -eq 0 ]
	[ "$(jq -c '.tables.agents__skills.files' "$D/_fd_manifest.json")" = '[]' ]
}

@test "files: hostile table names stay inside DIR" {
	for name in '../escape' 'a/b' '.hidden' 'ünï "q"' '..'; do
		js=$(jq -n --arg n "$name" '$n')
		msg "{\"type\":\"SCHEMA\",\"stream\":$js,\"schema\":{\"properties\":{\"x\":{\"type\":\"integer\"}}},\"key_properties\":[]}" \
		    "{\"type\":\"RECORD\",\"stream\":$js,\"record\":{\"x\":1}}"
		run -0 fd-load -t "csv:$D" "$T/in.ndjson"
	done
	[ "$(ls "$T")" = "$(printf 'in.ndjson\nout')" ]
	[ "$(ls "$D" | sort | paste -sd' ' -)" = '%2E%2E %2E%2E%2Fescape %2Ehidden %C3%BCn%C3%AF%20%22q%22 _fd.lock _fd_manifest.json a%2Fb' ]
	[ "$(jq -r '.tables["../escape"].dir' "$D/_fd_manifest.json")" = '%2E%2E%2Fescape' ]
}

@test "files: a second load into the same directory fails fast" {
	TO="csv:$D"
	t_lock '[ -s "$D/_fd.lock" ]' "fd-load: $D/_fd: locked by another process (pid *)"
}
