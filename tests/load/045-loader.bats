#!/usr/bin/env bats
# fd-load's run as a whole, whatever the destination: what -q silences
# (its own warnings and a destination's) and what it does not, the one
# warning for lines that are not Singer messages, a SCHEMA's load id
# column, and which files of csv:DIR a load sweeps as its own.

setup() {
	load ../common
	load load
	T="$BATS_TEST_TMPDIR"
	DB="$T/fd.db"
	D="$T/out"
}

S_INT='{"type":"SCHEMA","stream":"t","schema":{"properties":{"id":{"type":"integer"},"n":{"type":"integer"}}},"key_properties":["id"]}'
S_TEXT='{"type":"SCHEMA","stream":"t","schema":{"properties":{"id":{"type":"integer"},"n":{"type":"string"}}},"key_properties":["id"]}'
ODD='{"type":"BATCH","stream":"t","a_member_long_enough_to_be_cut":1}'

@test "loader: one warning for lines that are not Singer messages, their first 40 bytes; -q silences it" {
	msg "$S_INT" "$ODD" '{"type":"RECORD","stream":"t","record":{"id":1,"n":2}}' \
	    '{"type":"OTHER"}' '{"type":"STATE","value":1}'
	run --separate-stderr fd-load -t "sqlite:$DB" "$T/in.ndjson"
	assert_success
	[ -z "$output" ]
	[ "$stderr" = 'fd-load: ignoring lines that are not Singer messages (the first: line {"type":"BATCH","stream":"t","a_member_l...)' ]
	[ "$(sqlite3 "$DB" 'select id, n from t')" = '1|2' ]
	rm -f "$DB"
	run --separate-stderr fd-load -q -t "sqlite:$DB" "$T/in.ndjson"
	assert_success
	[ -z "$output$stderr" ]
	# -v after -q speaks again
	rm -f "$DB"
	run --separate-stderr fd-load -q -v -t "sqlite:$DB" "$T/in.ndjson"
	assert_success
	[[ "$stderr" == *'ignoring lines that are not Singer messages'* ]]
}

@test "loader: -q silences a column's move to its variant, not an error" {
	msg "$S_INT" '{"type":"RECORD","stream":"t","record":{"id":1,"n":2}}' \
	    '{"type":"STATE","value":1}'
	run -0 fd-load -t "sqlite:$DB" "$T/in.ndjson"
	msg "$S_TEXT" '{"type":"RECORD","stream":"t","record":{"id":2,"n":"x"}}' \
	    '{"type":"STATE","value":2}'
	run --separate-stderr fd-load -q -t "sqlite:$DB" -s "$T/state.json" "$T/in.ndjson"
	assert_success
	[ -z "$output$stderr" ]
	[ "$(sqlite3 "$DB" 'select id, n, n__v_text from t order by id')" = "$(printf '1|2|\n2||x')" ]
	[ "$(cat "$T/state.json")" = 2 ]
	# an error is told with -q too
	msg "$S_INT" '{"type":"RECORD","stream":"t","record":{"id":"z"}}'
	run --separate-stderr fd-load -q -t "sqlite:$DB" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ "$stderr" = "fd-load: $T/in.ndjson:2: table t: column id: a string in a bigint column" ]
}

@test "loader: a SCHEMA's _fd_load_id property is the load's own column, once, SCHEMA repeated or not" {
	S='{"type":"SCHEMA","stream":"t","schema":{"properties":{"id":{"type":"integer"},"_fd_load_id":{"type":"string"}}},"key_properties":[]}'
	msg "$S" '{"type":"RECORD","stream":"t","record":{"id":1}}' \
	    "$S" '{"type":"RECORD","stream":"t","record":{"id":2}}' '{"type":"STATE","value":1}'
	run -0 fd-load -t "csv:$D" "$T/in.ndjson"
	[ "$(jq -r 'map(.name) | join(",")' "$D/t/schema.json")" = _fd_load_id,_fd_seq,id ]
	f=$(jq -r '.tables.t.files[]' "$D/_fd_manifest.json")
	[ "$(wc -l <<<"$f")" -eq 1 ]
	[ "$(head -1 "$D/t/$f" | tr -d '\r')" = _fd_load_id,_fd_seq,id ]
	# every row has the load's id
	[ "$(tail -n +2 "$D/t/$f" | cut -d, -f1 | tr -d '\r' | sort -u)" = \
	    "$(jq -r .load_id "$D/_fd_manifest.json")" ]
	# a record of that member is refused
	msg "$S" '{"type":"RECORD","stream":"t","record":{"id":3,"_fd_load_id":"mine"}}'
	run --separate-stderr fd-load -t "csv:$D" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ "$stderr" = "fd-load: $T/in.ndjson:2: table t: column _fd_load_id is not in the SCHEMA" ]
}

@test "loader: a load sweeps only the names fd-load writes: dot NAME .tmp, DIGITS-... .csv or .jsonl" {
	msg "$S_INT" '{"type":"RECORD","stream":"t","record":{"id":1,"n":2}}' \
	    '{"type":"STATE","value":1}'
	run -0 fd-load -t "csv:$D" "$T/in.ndjson"
	live=$(jq -r '.tables.t.files[]' "$D/_fd_manifest.json")
	(cd "$D/t" && touch .a.tmp 1-x.csv 2-y.jsonl ..tmp .tmp 1.csv a-1.csv \
	    1-x.csv.bak notes.txt)
	msg "$S_INT"
	run --separate-stderr fd-load -t "csv:$D" "$T/in.ndjson"
	assert_success
	[ -z "$output$stderr" ]
	[ "$(ls -A "$D/t" | sort | paste -sd, -)" = \
	    "$(printf '%s\n' ..tmp .tmp 1-x.csv.bak 1.csv a-1.csv notes.txt schema.json "$live" | sort | paste -sd, -)" ]
}
