#!/usr/bin/env bats
# Hostile names through the programs (issue 13): stream, table, column
# and key names with '"', '\', control characters, non-ASCII, invalid
# UTF-8 and NUL bytes.  Each name either arrives in the destination
# exactly (SQLite, PostgreSQL, csv: and jsonl: files) or is refused with
# one line on stderr that names it, a non-zero exit and nothing that was
# committed lost.  Every line a program writes is JSON.

load e2e

setup_file() {
	pg_file_start
}

teardown_file() {
	pg_file_stop
}

# The names fd-normalize --naming direct keeps as they are, and what
# dlt's direct convention makes of the others ('"', LF, CR become _).
NAMES=('back\slash' 'a\x' 'q"uote' $'tab\there' $'ctl\x01x' $'del\x7fx'
	'café' '日本' $'nl\nx' '{"type":"SCHEMA"}')

direct() {
	local s=$1
	s=${s//\"/_}
	s=${s//$'\n'/_}
	s=${s//$'\r'/_}
	printf '%s' "$s"
}

# json_lines FILE: every line of FILE is one JSON text (UTF-8, strict)
json_lines() {
	python3 -c '
import json, sys
data = open(sys.argv[1], "rb").read().decode("utf-8")
lines = data.split("\n")
assert lines[-1] == "", "no final newline"
for i, l in enumerate(lines[:-1], 1):
    try:
        json.loads(l)
    except ValueError as e:
        sys.exit("%s:%d: not JSON: %s: %r" % (sys.argv[1], i, e, l[:80]))
' "$1"
}

# one_line_error NAME: $stderr is one line that shows NAME (as
# fd_diag_name shows it)
one_line_error() {
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ] || {
		echo "stderr is not one line: $stderr"
		return 1
	}
	[[ $stderr == *"$1"* ]] || {
		echo "stderr does not name $1: $stderr"
		return 1
	}
}

# tables TO: the destination's tables and their columns, as one JSON
# object {table: [column, ...]}
tables() {
	case $1 in
	sqlite:*)
		python3 -c '
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(json.dumps({t: [r[1] for r in c.execute(
    "SELECT * FROM pragma_table_info(?)", (t,))] for (t,) in c.execute(
    "SELECT name FROM sqlite_master WHERE type = '"'table'"' AND "
    "name NOT LIKE '"'_fd%'"'")}))' "${1#sqlite:}" ;;
	postgresql:*)
		psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$1" -c "SELECT
		    json_object_agg(table_name, cols) FROM (SELECT table_name,
		    json_agg(column_name::text ORDER BY ordinal_position) cols
		    FROM information_schema.columns WHERE table_schema =
		    'public' AND table_name NOT LIKE '\\_fd%' GROUP BY
		    table_name) s" ;;
	csv:* | jsonl:*)
		local d=${1#*:}
		python3 -c '
import json, sys
d = sys.argv[1]
m = json.load(open(d + "/_fd_manifest.json"))
print(json.dumps({t: [c["name"] for c in json.load(open(
    d + "/" + e["dir"] + "/schema.json"))] for t, e in m["tables"].items()}))' "$d" ;;
	esac
}

# keys TO TABLE: the primary key the destination keeps for a table (a
# JSON array): the manifest's for files; the unique index's columns for
# the databases are not compared (a key column is a column)
has() {	# has JSON TABLE [COLUMN]
	jq -e --arg t "$2" --arg c "${3-}" \
	    'has($t) and ($c == "" or (.[$t] | index($c)) != null)' <<<"$1" \
	    >/dev/null || {
		echo "no table $2${3:+ column $3} in: $1"
		return 1
	}
}

new_to() {	# new_to KIND: sets TO, a new empty destination
	case $1 in
	sqlite) TO=sqlite:$T/$BATS_TEST_NUMBER-$RANDOM.db ;;
	pg)
		local db=n${BATS_TEST_NUMBER}_$RANDOM
		createdb -h "$PGHOST" -U fd "$db"
		TO="postgresql:///$db?host=$PGHOST&user=fd" ;;
	csv | jsonl) TO=$1:$T/$1-$RANDOM ;;
	esac
}

# the messages of one stream named $1 keyed by $2: a record with the key
# at the top, in a nested object and in a list's objects; then a STATE
messages() {
	jq -nc --arg s "$1" --arg k "$2" '
	    {type: "SCHEMA", stream: $s, schema: {properties: {}},
	     key_properties: [$k]},
	    {type: "RECORD", stream: $s,
	     record: {($k): 1, v: "x", nest: {($k): 2}, list: [{($k): 3}]}},
	    {type: "STATE", value: {($s): 1}}'
}

@test "names: fd-normalize --key with a quote, a backslash or a control character is the key, not a part of it" {
	for k in 'a"b' 'a\b' $'a\tb' $'a\x01b' 'café' '日本'; do
		run -0 --separate-stderr fd-normalize --stream t --key "$k" \
		    <<<"$(jq -nc --arg k "$k" '{($k): 7, id: 1}')"
		printf '%s\n' "$output" >"$T/out"
		json_lines "$T/out"
		# the key names the column that holds the key's value
		run -0 jq -r 'select(.type == "SCHEMA") | .key_properties | length' "$T/out"
		[ "$output" = 1 ]
		run -0 jq -rs '(map(select(.type == "SCHEMA"))[0]
		    .key_properties[0]) as $c | map(select(.type == "RECORD"))[0]
		    .record[$c]' "$T/out"
		[ "$output" = 7 ] || { echo "key $k: $(cat "$T/out")"; return 1; }
	done
	# --naming direct keeps the name itself
	run -0 --separate-stderr fd-normalize --naming direct --stream t \
	    --key $'a\\b\tc' <<<"$(jq -nc '{"a\\b\tc": 7}')"
	run -0 jq -c 'select(.type == "SCHEMA") | .key_properties' <<<"$output"
	[ "$output" = '["a\\b\tc"]' ]
}

@test "names: fd-normalize --naming direct: every line is JSON, the names are the input's" {
	local n
	: >"$T/in"
	for n in "${NAMES[@]}"; do
		messages "$n" "k$n" >>"$T/in"
		jq -nc --arg s "$n" '{type: "ACTIVATE_VERSION", stream: $s,
		    version: 1}' >>"$T/in"
	done
	run -0 --separate-stderr fd-normalize --naming direct "$T/in"
	printf '%s\n' "$output" >"$T/out"
	json_lines "$T/out"
	for n in "${NAMES[@]}"; do
		d=$(direct "$n")
		run -0 jq -c --arg s "$d" 'select(.stream == $s and .type == "SCHEMA")
		    | .key_properties' "$T/out"
		[ "${lines[0]}" = "$(jq -nc --arg k "$(direct "k$n")" '[$k]')" ] ||
		    { echo "stream $n: ${lines[*]}"; return 1; }
		run -0 jq -r --arg s "$d" 'select(.type == "ACTIVATE_VERSION" and
		    .stream == $s) | .version' "$T/out"
		[ "$output" = 1 ]
		# the child table of the list, the nested object's column
		run -0 jq -r --arg s "$d▶list" 'select(.type == "SCHEMA" and
		    .stream == $s) | .stream' "$T/out"
		[ -n "$output" ]
	done
}

@test "names: fd-normalize refuses a stream or key that is not UTF-8, or holds a NUL byte, on one line naming it" {
	run -1 --separate-stderr fd-normalize --stream $'a\xffb' <<<'{"id":1}'
	one_line_error '"a\xFFb"'
	run -1 --separate-stderr fd-normalize --stream t --key $'k\xff' <<<'{"id":1}'
	one_line_error '"k\xFF"'
	# a NUL byte, which --naming direct keeps: refused, not cut
	run -1 --separate-stderr fd-normalize --naming direct --stream t \
	    <<<'{"a\u0000b":1}'
	one_line_error '"a\x00b"'
	printf '%s\n' '{"type":"RECORD","stream":"ok","record":{"id":1}}' \
	    '{"type":"RECORD","stream":"a\u0000\nb","record":{"id":1}}' >"$T/in"
	run -1 --separate-stderr fd-normalize --naming direct "$T/in"
	one_line_error '"a\x00\nb"'
	# the rows before are written, whole
	printf '%s\n' "$output" >"$T/out"
	json_lines "$T/out"
	[ "$(jq -r 'select(.type == "RECORD") | .stream' "$T/out")" = ok ]
	# a key that is not a string is refused, not skipped
	run -1 --separate-stderr fd-normalize <<<'{"type":"SCHEMA","stream":"t","schema":{},"key_properties":[1]}'
	[[ $stderr == *"key_properties: element 1 is not a string"* ]]
}

# load_names KIND: the hostile names through fd-normalize --naming
# direct into a destination of KIND; each table and column is there
load_names() {
	local n d got
	new_to "$1"
	: >"$T/in"
	for n in "${NAMES[@]}"; do
		messages "$n" "k$n" >>"$T/in"
	done
	run -0 --separate-stderr fd-normalize --naming direct "$T/in"
	printf '%s\n' "$output" >"$T/norm"
	json_lines "$T/norm"
	run -0 --separate-stderr fd-load -q -s "$T/state.json" -t "$TO" --emit-state "$T/norm"
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/emitted"
	json_lines "$T/emitted"
	got=$(tables "$TO")
	for n in "${NAMES[@]}"; do
		d=$(direct "$n")
		has "$got" "$d" "$(direct "k$n")"
		has "$got" "$d" "nest▶$(direct "k$n")"
		has "$got" "$d▶list" "$(direct "k$n")"
	done
	# and the state is the last one, whole
	run -0 jq -r 'keys[0]' "$T/state.json"
	[ "$output" = "${NAMES[-1]}" ]
}

@test "names: hostile names through fd-normalize into SQLite" {
	load_names sqlite
}

@test "names: hostile names through fd-normalize into PostgreSQL" {
	load_names pg
}

@test "names: hostile names through fd-normalize into csv: and jsonl: files" {
	load_names csv
	load_names jsonl
	# the data lines name the columns as JSON
	for f in "${TO#jsonl:}"/*/*.jsonl; do
		json_lines "$f"
	done
}

# names that only fd-load sees (what fd-normalize never makes: a name
# with '"' or a newline, kept as it came)
load_raw() {
	local got
	new_to "$1"
	jq -nc '
	    {type: "SCHEMA", stream: "a\"b\\c\nd", key_properties: ["k\"\t"],
	     schema: {properties: {"k\"\t": {type: "integer"},
	       "é\u0001\u007f日本": {type: "string"}}},
	     "x-fd": {disposition: "merge"}},
	    {type: "RECORD", stream: "a\"b\\c\nd",
	     record: {"k\"\t": 1, "é\u0001\u007f日本": "x"}},
	    {type: "RECORD", stream: "a\"b\\c\nd",
	     record: {"k\"\t": 1, "é\u0001\u007f日本": "y"}},
	    {type: "STATE", value: {n: 1}}' >"$T/raw"
	run -0 --separate-stderr fd-load -q -t "$TO" "$T/raw"
	got=$(tables "$TO")
	has "$got" $'a"b\\c\nd' $'k"\t'
	has "$got" $'a"b\\c\nd' $'é\x01\x7f日本'
}

@test "names: fd-load keeps names with quotes, backslashes, newlines and control characters exactly" {
	load_raw sqlite
	[ "$(sqlite3 "${TO#sqlite:}" "SELECT count(*) FROM \"a\"\"b\\c
d\"")" = 1 ]
	load_raw pg
	load_raw csv
	load_raw jsonl
	[ "$(jq -c '.tables["a\"b\\c\nd"].key' "${TO#jsonl:}/_fd_manifest.json")" = '["k\"\t"]' ]
}

# a table "ok" for fd-load, keyed by id, one row, a STATE {"ok":1}
ok_table() {
	jq -nc '{type: "SCHEMA", stream: "ok", key_properties: ["id"],
	    schema: {properties: {id: {type: "integer"}}}},
	    {type: "RECORD", stream: "ok", record: {id: 1}},
	    {type: "STATE", value: {ok: 1}}'
}

# refuse KIND: a name with a NUL byte, in a load after one that
# committed: refused on one line that names it; what was committed stays
refuse() {
	new_to "$1"
	ok_table >"$T/ok"
	run -0 --separate-stderr fd-load -q -s "$T/st-$1.json" -t "$TO" "$T/ok"
	{
		ok_table
		jq -nc '{type: "SCHEMA", stream: "b\u0000\nad",
		    schema: {properties: {id: {type: "integer"}}},
		    key_properties: []}'
	} >"$T/bad"
	run -1 --separate-stderr fd-load -q -s "$T/st-$1.json" -t "$TO" "$T/bad"
	one_line_error '"b\x00\nad"'
	[ "$(jq -c . "$T/st-$1.json")" = '{"ok":1}' ]
	has "$(tables "$TO")" ok id
	# a column, too
	jq -nc '{type: "SCHEMA", stream: "ok", key_properties: ["id"],
	    schema: {properties: {"c\u0000": {type: "integer"}}}}' >"$T/bad"
	run -1 --separate-stderr fd-load -q -s "$T/st-$1.json" -t "$TO" "$T/bad"
	one_line_error '"c\x00"'
	has "$(tables "$TO")" ok id
}

@test "names: fd-load refuses a name with a NUL byte on one line, the committed rows kept" {
	refuse sqlite
	refuse pg
	refuse csv
	refuse jsonl
}

@test "names: fd-load refuses a stream name that is not UTF-8 on one line, the committed rows kept" {
	new_to sqlite
	{
		ok_table
		printf '{"type":"SCHEMA","stream":"b\xffd","schema":{"properties":{}},"key_properties":[]}\n'
	} >"$T/bad"
	run -1 --separate-stderr fd-load -q -s "$T/st.json" -t "$TO" "$T/bad"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	[[ $stderr == *"bad:4: invalid UTF-8"* ]]
	[ "$(jq -c . "$T/st.json")" = '{"ok":1}' ]
}

@test "names: every line fd-fetch writes is JSON, and the pipeline keeps the simulator's keys and values" {
	e2e_sim
	run -0 --separate-stderr fd-fetch -q --since "$SINCE" tickets contacts agents
	printf '%s\n' "$output" >"$T/fetch"
	json_lines "$T/fetch"
	run -0 --separate-stderr fd-normalize "$T/fetch"
	printf '%s\n' "$output" >"$T/norm"
	json_lines "$T/norm"
}
