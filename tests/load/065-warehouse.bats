#!/usr/bin/env bats
# Files a warehouse can trust (fd-load.1, csv: and jsonl:; EXAMPLES):
# a multi-load run through fd-normalize into SQLite and into csv: and
# jsonl: trees; then every live file the manifest lists is loaded into
# PostgreSQL as a warehouse would (COPY with the file's columns from
# the manifest ... CSV HEADER; JSONL through jsonb), the latest version
# of each root row and of its child rows is taken with the views of the
# recipe (tests/load/warehouse.bash), and the result is what fd-load
# put into SQLite.  Columns keep their places and types across loads; a
# type conflict goes to a variant column.

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
	load warehouse
	T="$BATS_TEST_TMPDIR"
}

# The raw streams of four syncs, as fd-fetch writes them: tickets merge
# by id; agents are a full refresh (replace).
# 1: text with newlines, CRLF, quotes, commas and unicode (in a custom
#    field too), every type, child and grandchild rows.
raw1() {
	cat <<'EOF'
{"type":"SCHEMA","stream":"tickets","schema":{},"key_properties":["id"]}
{"type":"RECORD","stream":"tickets","record":{"id":1,"subject":"Line 1\nLine 2, \"quoted\" 😀 é\r\nend","x":5,"score":1.5,"big":123456789012345678901234567890,"done":true,"created_at":"2024-05-01T10:00:00Z","custom_fields":{"cf_a":1,"cf_note":"a\nb,\"c\""},"tags":["a","b"],"conversations":[{"id":10,"body":"hi\n\"there\"","attachments":[{"name":"a.txt"},{"name":"b, c.txt"}]}]}}
{"type":"RECORD","stream":"tickets","record":{"id":2,"subject":"two","x":6,"done":false,"tags":["z"]}}
{"type":"RECORD","stream":"tickets","record":{"id":3,"subject":"","tags":["t1","t2"],"conversations":[{"id":30,"body":"three"}]}}
{"type":"SCHEMA","stream":"agents","schema":{},"key_properties":["id"],"x-fd":{"disposition":"replace"}}
{"type":"RECORD","stream":"agents","record":{"id":1,"name":"Ann","skills":["s1","s2"]},"version":1}
{"type":"RECORD","stream":"agents","record":{"id":2,"name":"Bo"},"version":1}
{"type":"ACTIVATE_VERSION","stream":"agents","version":1}
{"type":"STATE","value":{"n":1}}
EOF
}
# 2: a new column (cf_new), a type conflict (x: a string), ticket 1
#    with other children, ticket 2 twice in the load (two commits)
raw2() {
	cat <<'EOF'
{"type":"SCHEMA","stream":"tickets","schema":{},"key_properties":["id"]}
{"type":"RECORD","stream":"tickets","record":{"id":1,"subject":"one v2","x":"n/a","custom_fields":{"cf_a":2,"cf_new":"new\r\ncol ✓"},"tags":["c"]}}
{"type":"RECORD","stream":"tickets","record":{"id":2,"subject":"two v2","tags":["p","q"],"conversations":[{"id":20,"body":"old"}]}}
{"type":"STATE","value":{"n":2}}
{"type":"RECORD","stream":"tickets","record":{"id":2,"subject":"two v3","tags":["r"]}}
{"type":"RECORD","stream":"tickets","record":{"id":4,"subject":"four","x":9,"score":2,"conversations":[{"id":40,"body":"b4","attachments":[{"name":"d.txt"}]}]}}
{"type":"STATE","value":{"n":3}}
EOF
}
# 3: a full refresh of agents; ticket 3 without its children now
raw3() {
	cat <<'EOF'
{"type":"SCHEMA","stream":"agents","schema":{},"key_properties":["id"],"x-fd":{"disposition":"replace"}}
{"type":"RECORD","stream":"agents","record":{"id":3,"name":"Cy \"the\"\nthird","skills":["s3"]},"version":2}
{"type":"ACTIVATE_VERSION","stream":"agents","version":2}
{"type":"SCHEMA","stream":"tickets","schema":{},"key_properties":["id"]}
{"type":"RECORD","stream":"tickets","record":{"id":3,"subject":"three v2"}}
{"type":"STATE","value":{"n":4}}
EOF
}
# 4: a ticket with few columns: the others stay, in place
raw4() {
	cat <<'EOF'
{"type":"SCHEMA","stream":"tickets","schema":{},"key_properties":["id"]}
{"type":"RECORD","stream":"tickets","record":{"id":5,"subject":"five"}}
{"type":"STATE","value":{"n":5}}
EOF
}

# load_all N: sync N, normalized once, into SQLite and both file trees
# (every STATE a commit of the files); one warning at most, the variant's
load_all() {
	"raw$1" | fd-normalize >"$T/n$1.ndjson"
	run --separate-stderr fd-load -q -t "sqlite:$T/db" "$T/n$1.ndjson"
	assert_success
	local fmt
	for fmt in csv jsonl; do
		run --separate-stderr fd-load --batch-rows 1 -t "$fmt:$T/$fmt" "$T/n$1.ndjson"
		assert_success
		[ -z "$output" ]
		[ -z "$stderr" ] || [ "$stderr" = "fd-load: table tickets: column x: the destination's column takes no text: into x__v_text" ]
	done
}

# cols FMT: the columns of each table, checked against schema.json and
# each live file's header or members (warehouse.py files)
cols() {
	python3 "$W" files "$T/$1"
}

# still_prefix OLD NEW: each table's columns in OLD are the first of its
# columns in NEW, with the same types
still_prefix() {
	local line t now
	while IFS= read -r line; do
		t=${line%%: *}
		now=$(awk -v t="$t: " 'index($0, t) == 1' <<<"$2")
		[[ "$now" == "$line"* ]] || fail "$t moved: was $line, is $now"
	done <<<"$1"
}

@test "warehouse: four loads: columns keep their places and types, schema.json is every column, a conflict goes to a variant" {
	load_all 1
	c1=$(cols csv)
	[ "$(cols jsonl)" = "$c1" ]
	# the load's columns, then the link columns, at fixed places
	[ "$(grep '^tickets: ' <<<"$c1" | cut -d, -f1-3)" = 'tickets: _fd_load_id:STRING,_fd_seq:INTEGER,_fd_id:STRING' ]
	[ "$(grep '^tickets__tags: ' <<<"$c1" | cut -d, -f1-6)" = \
	    'tickets__tags: _fd_load_id:STRING,_fd_seq:INTEGER,_fd_id:STRING,_fd_root_id:STRING,_fd_parent_id:STRING,_fd_list_idx:INTEGER' ]
	grep -q '^tickets: .*,x:INTEGER,.*,custom_fields__cf_note:STRING' <<<"$c1"
	load_all 2
	c2=$(cols csv)
	[ "$(cols jsonl)" = "$c2" ]
	still_prefix "$c1" "$c2"
	# x stays INTEGER; its strings went to x__v_text, which comes last
	# with the new custom field, in the stream's order (its integers,
	# x__v_bigint to fd-normalize, went to x)
	grep -q '^tickets: .*,x:INTEGER,' <<<"$c2"
	grep -q '^tickets: .*,x__v_text:STRING,.*custom_fields__cf_new:STRING' <<<"$c2"
	[[ "$c2" != *x__v_bigint* ]]
	[ "$(sqlite3 "$T/db" 'select x from tickets where id = 4')" = 9 ]
	[ "$(sqlite3 "$T/db" 'select x__v_text from tickets where id = 1')" = n/a ]
	[ "$(cat "$T"/jsonl/tickets/*.jsonl | jq -r 'select(.id == 1 and .x__v_text) | [.x, .x__v_text] | @json')" = '[null,"n/a"]' ]
	load_all 3
	load_all 4
	c4=$(cols csv)
	[ "$(cols jsonl)" = "$c4" ]
	still_prefix "$c2" "$c4"
	# a column of no later SCHEMA stays: in schema.json, and in the header
	# of the last load's file, empty
	grep -q '^tickets: .*,custom_fields__cf_new:STRING' <<<"$c4"
	f=$(jq -r '.tables.tickets.files[-1]' "$T/csv/_fd_manifest.json")
	[ "$(head -1 "$T/csv/tickets/$f" | tr -d '\r')" = "$(jq -r '.tables.tickets.columns | map(.name) | join(",")' "$T/csv/_fd_manifest.json")" ]
	[ "$(python3 -c 'import csv, sys; r = list(csv.DictReader(open(sys.argv[1], newline=""))); print(len(r), r[0]["id"], repr(r[0]["custom_fields__cf_new"]), r[0]["x"] == "")' "$T/csv/tickets/$f")" = "1 5 '' True" ]
	# the full refresh left only its version's files
	[ "$(jq -c '[.tables.agents.files, .tables.agents__skills.files] | map(length)' "$T/csv/_fd_manifest.json")" = '[1,1]' ]
	[ "$(jq -c '.tables.agents.widths | length' "$T/csv/_fd_manifest.json")" -eq 1 ]
}

@test "warehouse: every live CSV file into PostgreSQL with COPY (its columns) CSV HEADER: the latest rows are SQLite's" {
	for i in 1 2 3 4; do load_all "$i"; done
	warehouse csv
	run python3 "$W" compare "$T/db" "$T/csv/_fd_manifest.json" "$WH" ""
	assert_success
	# what it compared: the values of the stream, exactly
	[ "$(psql -X -A -t -d "$WH" -c 'select subject from tickets where id = 1')" = 'one v2' ]
	[ "$(psql -X -A -t -d "$WH" -c "select string_agg(value, ',' order by value) from tickets__tags c join tickets r on c._fd_root_id = r._fd_id where r.id = 2")" = r ]
	[ "$(psql -X -A -t -d "$WH" -c 'select count(*) from tickets__conversations')" -eq 1 ]
	[ "$(psql -X -A -t -d "$WH" -c 'select name from tickets__conversations__attachments')" = d.txt ]
	[ "$(psql -X -A -t -d "$WH" -c "select name from agents")" = "$(printf 'Cy "the"\nthird')" ]
	# every version is there: each file's rows as they came
	[ "$(psql -X -A -t -d "$WH" -c 'select count(*) from raw.tickets')" -eq 9 ]
	[ "$(psql -X -A -t -d "$WH" -c "select subject from raw.tickets where id = 1 and x = 5")" = "$(printf 'Line 1\nLine 2, "quoted" 😀 é\r\nend')" ]
}

@test "warehouse: every live JSONL line into PostgreSQL jsonb, then columns: the latest rows are SQLite's" {
	for i in 1 2 3 4; do load_all "$i"; done
	warehouse jsonl
	run python3 "$W" compare "$T/db" "$T/jsonl/_fd_manifest.json" "$WH" ""
	assert_success
	[ "$(psql -X -A -t -d "$WH" -c 'select custom_fields__cf_new from tickets where id = 1')" = "$(printf 'new\r\ncol ✓')" ]
	[ "$(psql -X -A -t -d "$WH" -c 'select count(*) from raw.tickets')" -eq 9 ]
}

@test "warehouse: the latest child rows are those of the latest root row, also when a key comes twice in one load" {
	load_all 1
	load_all 2
	warehouse csv
	# ticket 2 came twice in load 2, in two files: the second wins, with
	# its tags only, and without the first's conversation
	L2=$(jq -r .load_id "$T/csv/_fd_manifest.json")
	[ "$(grep -l ",two v" "$T/csv/tickets/$L2"-*.csv | wc -l)" -eq 2 ]
	[ "$(psql -X -A -t -d "$WH" -c 'select subject from tickets where id = 2')" = 'two v3' ]
	[ "$(psql -X -A -t -d "$WH" -c 'select count(*) from raw.tickets where id = 2 and _fd_load_id = (select max(_fd_load_id) from raw.tickets)')" -eq 2 ]
	run python3 "$W" compare "$T/db" "$T/csv/_fd_manifest.json" "$WH" ""
	assert_success
}

@test "warehouse: a column's type stays: a type it takes goes in as that type, another to its variant; _fd_seq is fd-load's" {
	S1='{"type":"SCHEMA","stream":"e","schema":{"properties":{"id":{"type":"integer"},"a":{"type":"integer"},"b":{"type":"string"},"c":{"type":"string","format":"date-time"},"d":{"type":"number"}}},"key_properties":["id"]}'
	S2='{"type":"SCHEMA","stream":"e","schema":{"properties":{"id":{"type":"integer"},"a":{"type":"number"},"b":{"type":"integer"},"c":{"type":"string"},"d":{"type":"integer"}}},"key_properties":["id"]}'
	for fmt in csv jsonl; do
		printf '%s\n' "$S1" '{"type":"RECORD","stream":"e","record":{"id":1,"a":1,"b":"x","c":"2024-05-01T10:00:00Z","d":1.5}}' >"$T/in1"
		printf '%s\n' "$S2" '{"type":"RECORD","stream":"e","record":{"id":2,"a":2.5,"b":7,"c":"soon","d":3}}' >"$T/in2"
		run -0 fd-load -t "$fmt:$T/$fmt" "$T/in1"
		run -0 --separate-stderr fd-load -t "$fmt:$T/$fmt" "$T/in2"
		[ "$stderr" = "$(printf '%s\n' \
		    "fd-load: table e: column a: the destination's column takes no double: into a__v_double" \
		    "fd-load: table e: column c: the destination's column takes no text: into c__v_text")" ]
		[ "$(jq -c 'map([.name, .type])' "$T/$fmt/e/schema.json")" = \
		    '[["_fd_load_id","STRING"],["_fd_seq","INTEGER"],["id","INTEGER"],["a","INTEGER"],["b","STRING"],["c","TIMESTAMP"],["d","FLOAT"],["a__v_double","FLOAT"],["c__v_text","STRING"]]' ]
	done
	f=$(jq -r '.tables.e.files[1]' "$T/csv/_fd_manifest.json")
	[ "$(cut -d, -f3- "$T/csv/e/$f" | tr -d '\r')" = "$(printf 'id,a,b,c,d,a__v_double,c__v_text\n2,,7,,3,2.5,soon')" ]
	f=$(jq -r '.tables.e.files[1]' "$T/jsonl/_fd_manifest.json")
	[ "$(jq -c 'del(._fd_load_id)' "$T/jsonl/e/$f")" = '{"_fd_seq":1,"id":2,"b":"7","d":3,"a__v_double":2.5,"c__v_text":"soon"}' ]
	# a column of the stream named _fd_seq is refused
	printf '%s\n' '{"type":"SCHEMA","stream":"e","schema":{"properties":{"id":{"type":"integer"},"_fd_seq":{"type":"integer"}}},"key_properties":["id"]}' >"$T/in3"
	run -1 --separate-stderr fd-load -t "csv:$T/csv" "$T/in3"
	[ "$stderr" = 'fd-load: table e: column _fd_seq is fd-load'"'"'s own in files' ]
}

@test "warehouse: a tree an earlier fd-load wrote (no columns in the manifest) keeps its schema.json's columns, new ones after" {
	S='{"type":"SCHEMA","stream":"e","schema":{"properties":{"id":{"type":"integer"},"a":{"type":"string"}}},"key_properties":["id"]}'
	printf '%s\n' "$S" '{"type":"RECORD","stream":"e","record":{"id":1,"a":"x"}}' >"$T/in1"
	run -0 fd-load -t "csv:$T/csv" "$T/in1"
	# as fd-load wrote it before: no columns, no widths, _fd_load_id last
	jq -c '.tables.e |= del(.columns, .widths)' "$T/csv/_fd_manifest.json" >"$T/m" &&
	    mv "$T/m" "$T/csv/_fd_manifest.json"
	echo '[{"name":"id","type":"INTEGER","mode":"NULLABLE"},{"name":"a","type":"STRING","mode":"NULLABLE"},{"name":"_fd_load_id","type":"STRING","mode":"NULLABLE"}]' >"$T/csv/e/schema.json"
	S2='{"type":"SCHEMA","stream":"e","schema":{"properties":{"id":{"type":"integer"},"b":{"type":"boolean"},"a":{"type":"string"}}},"key_properties":["id"]}'
	printf '%s\n' "$S2" '{"type":"RECORD","stream":"e","record":{"id":2,"a":"y","b":true}}' >"$T/in2"
	run -0 fd-load -t "csv:$T/csv" "$T/in2"
	[ "$(jq -r '.tables.e.columns | map(.name) | join(",")' "$T/csv/_fd_manifest.json")" = id,a,_fd_load_id,_fd_seq,b ]
	[ "$(jq -r 'map(.name) | join(",")' "$T/csv/e/schema.json")" = id,a,_fd_load_id,_fd_seq,b ]
	f=$(jq -r '.tables.e.files[-1]' "$T/csv/_fd_manifest.json")
	[ "$(tail -n +2 "$T/csv/e/$f" | cut -d, -f1,2,4,5 | tr -d '\r')" = 2,y,1,true ]
}
