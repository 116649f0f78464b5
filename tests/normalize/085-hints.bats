#!/usr/bin/env bats
# fd-normalize takes a root table's columns and their order from the
# input SCHEMA's properties (issue 17): with dense records the first
# record of a table already holds every column its input SCHEMA
# declared, null where absent, so a target that writes a header from
# the first record (singer-io/target-csv) names every column.  The
# columns stay untyped ({"type":["null"]}) until a value types them as
# ever; fd-load makes a column only once it is typed, so a database
# gets the types of --sparse.  The simulator's tickets and contacts,
# fetched once for the file, and a hand-written stream.

setup_file() {
	load normalize
	sim_fetch_file tickets contacts
}

teardown_file() {
	sim_stop
}

setup() {
	load ../common
	load ../fixtures/normalize/helpers
	D="$BATS_FILE_TMPDIR"
	[ "$(cat "$D/fetch.rc")" = 0 ]
}

# header_check RAW NORM STREAM: in NORM (fd-normalize's output of RAW),
# the first RECORD of table STREAM holds every root column that the
# input SCHEMAs of STREAM before its first RECORD declare with a type
# that takes its values (null and one of integer, boolean or string; a
# property, or a member of an object, named as fd names the sim's
# keys), and
# every later RECORD's members are the first one's, in their order,
# then columns that none of those SCHEMAs declared.  Prints one line
# per violation, then "records N declared M".
header_check() {
	python3 -c '
import json, re, sys
raw, norm, stream = sys.argv[1], sys.argv[2], sys.argv[3]
def name(k):
    return re.sub("[^a-z0-9_]", "_", k.lower())
def kinds(p):
    t = p.get("type", [])
    return set([t] if isinstance(t, str) else t)
def typed(p):
    t = kinds(p) - {"null"}
    return t in ({"integer"}, {"boolean"}, {"string"})
declared = []
for line in open(raw):
    m = json.loads(line)
    if m.get("stream") != stream:
        continue
    if m["type"] == "RECORD":
        break
    if m["type"] != "SCHEMA":
        continue
    for k, p in m["schema"].get("properties", {}).items():
        t = kinds(p)
        if "array" in t:
            continue
        if "object" in t:
            for k2, p2 in p.get("properties", {}).items():
                if typed(p2):
                    declared.append(name(k) + "__" + name(k2))
        elif typed(p):
            declared.append(name(k))
first, n = None, 0
for line in open(norm):
    m = json.loads(line)
    if m["type"] != "RECORD" or m["stream"] != stream:
        continue
    keys = list(m["record"])
    n += 1
    if first is None:
        first = keys
        for d in declared:
            if d not in first:
                print("first record lacks", d)
        continue
    if keys[:len(first)] != first:
        print("record", n, "keys", keys[:len(first)])
    for k in keys[len(first):]:
        if k in declared:
            print("record", n, "declared column appended:", k)
print("records", n, "declared", len(set(declared)))
' "$@"
}

@test "hints: the first tickets and contacts records hold every column declared with its type; later ones only append others" {
	run -0 fd-normalize "$D/raw"
	printf '%s\n' "$output" >"$D/norm"
	run -0 header_check "$D/raw" "$D/norm" tickets
	[ "${lines[0]%% declared *}" = "records 300" ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]##* declared }" -ge 15 ]
	run -0 header_check "$D/raw" "$D/norm" contacts
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]##* declared }" -ge 8 ]
	# the lead's case: product_id and a boolean custom field, null in
	# some records, are in the first record whatever it holds
	[ "$(jq -c 'select(.type == "RECORD" and .stream == "tickets") | .record | has("product_id") and has("custom_fields__cf_refund")' "$D/norm" | sort -u)" = true ]
	# the rows agree with their SCHEMAs
	output=$(cat "$D/norm")
	run -0 check_types
	[ -z "$output" ]
}

@test "hints: a null-first column declared integer, boolean or string is in the first record, a time in a string one stays text; a number is left to its first value" {
	cat >"$BATS_TEST_TMPDIR/in" <<'EOF'
{"type":"SCHEMA","stream":"t","schema":{"type":"object","properties":{"id":{"type":"integer"},"p":{"type":["null","integer"]},"s":{"type":["null","string"]},"l":{"type":["null","array"]},"cf":{"type":["null","object"],"properties":{"cf X":{"type":["null","number"]},"on":{"type":["null","boolean"]}}}}},"key_properties":["id"]}
{"type":"RECORD","stream":"t","record":{"id":1,"p":null,"l":["a"],"new":"n"}}
{"type":"RECORD","stream":"t","record":{"id":2,"p":5,"s":"2024-01-01T00:00:00Z","cf":{"cf X":1.5,"on":true}}}
EOF
	run -0 fd-normalize "$BATS_TEST_TMPDIR/in"
	[ "$(jq -c 'select(.stream == "t") | if .type == "SCHEMA" then .schema.properties | map_values(.["x-fd-type"] // .type) else .record | del(._fd_id) end' <<<"$output")" = \
'{"id":"bigint","p":"bigint","s":"text","cf__on":"bool","new":"text","_fd_id":"text"}
{"id":1,"p":null,"s":null,"cf__on":null,"new":"n"}
{"id":"bigint","p":"bigint","s":"text","cf__on":"bool","new":"text","_fd_id":"text","cf__cf_x":"double"}
{"id":2,"p":5,"s":"2024-01-01T00:00:00Z","cf__on":true,"new":null,"cf__cf_x":1.5}' ]
	# the list is a child table as ever
	[ "$(jq -c 'select(.type == "RECORD" and .stream == "t__l") | .record.value' <<<"$output")" = '"a"' ]
	# fd-load: the columns and types of --sparse, the same rows
	fd-normalize "$BATS_TEST_TMPDIR/in" | fd-load -q -t "sqlite:$BATS_TEST_TMPDIR/d.db"
	fd-normalize --sparse "$BATS_TEST_TMPDIR/in" | fd-load -q -t "sqlite:$BATS_TEST_TMPDIR/s.db"
	for db in d s; do
		sqlite3 "$BATS_TEST_TMPDIR/$db.db" "select name, type from pragma_table_info('t') order by name" >"$BATS_TEST_TMPDIR/$db.cols"
		sqlite3 "$BATS_TEST_TMPDIR/$db.db" "select id, p, cf__cf_x, new, _fd_id from t order by id" >"$BATS_TEST_TMPDIR/$db.rows"
	done
	cmp "$BATS_TEST_TMPDIR/d.cols" "$BATS_TEST_TMPDIR/s.cols"
	cmp "$BATS_TEST_TMPDIR/d.rows" "$BATS_TEST_TMPDIR/s.rows"
	grep -qx 'p|INTEGER' "$BATS_TEST_TMPDIR/d.cols"
	grep -qx 'cf__cf_x|REAL' "$BATS_TEST_TMPDIR/d.cols"
}

@test "hints: the simulator's tickets and contacts into SQLite: the tables, types and rows of --sparse, and the declared columns no row has a value of" {
	fd-normalize "$D/raw" | fd-load -q -t "sqlite:$BATS_TEST_TMPDIR/d.db"
	fd-normalize --sparse "$D/raw" | fd-load -q -t "sqlite:$BATS_TEST_TMPDIR/s.db"
	for db in d s; do
		sqlite3 "$BATS_TEST_TMPDIR/$db.db" "select m.name, p.name, p.type from sqlite_master m, pragma_table_info(m.name) p where m.type = 'table'" | LC_ALL=C sort >"$BATS_TEST_TMPDIR/$db.cols"
	done
	# every column of --sparse, of the same type
	[ -z "$(LC_ALL=C comm -13 "$BATS_TEST_TMPDIR/d.cols" "$BATS_TEST_TMPDIR/s.cols")" ]
	[ "$(grep -c '^tickets|' "$BATS_TEST_TMPDIR/d.cols")" -ge 20 ]
	# and the declared ones that no row has a value of, typed, empty
	local t c ty n=0
	while IFS='|' read -r t c ty; do
		[ "$(sqlite3 "$BATS_TEST_TMPDIR/d.db" "select count(*) from \"$t\" where \"$c\" is not null")" -eq 0 ]
		[ "$ty" = INTEGER ] || [ "$ty" = TEXT ]
		n=$((n + 1))
	done < <(LC_ALL=C comm -23 "$BATS_TEST_TMPDIR/d.cols" "$BATS_TEST_TMPDIR/s.cols")
	[ "$n" -ge 1 ]
	grep -qx 'tickets|stats__resolved_at|TEXT' "$BATS_TEST_TMPDIR/d.cols"
	for t in tickets contacts; do
		cols=$(sqlite3 "$BATS_TEST_TMPDIR/s.db" "select group_concat(quote(name), ',') from (select name from pragma_table_info('$t') where name != '_fd_load_id' order by name)")
		[ "$(sqlite3 "$BATS_TEST_TMPDIR/d.db" "select $cols from $t order by id")" = \
		    "$(sqlite3 "$BATS_TEST_TMPDIR/s.db" "select $cols from $t order by id")" ]
	done
	[ "$(sqlite3 "$BATS_TEST_TMPDIR/d.db" 'select count(*) from tickets')" = \
	    "$(jq -s '[.[] | select(.type == "RECORD" and .stream == "tickets") | .record.id] | unique | length' "$D/raw")" ]
}

@test "hints: --sparse and --jq take no hints: their output is that of the stream without properties" {
	# the SCHEMAs without properties, every other line as it is
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m.get("type") == "SCHEMA":
        m["schema"]["properties"] = {}
        line = json.dumps(m, separators=(",", ":")) + "\n"
    sys.stdout.write(line)
' "$D/raw" >"$D/bare"
	[ "$(grep -c '"RECORD"' "$D/bare")" -ge 300 ]
	run -0 fd-normalize --sparse "$D/raw"
	[ "$output" = "$(fd-normalize --sparse "$D/bare")" ]
	[[ "$output" != *'{"type":["null"]}'* ]]
	run -0 fd-normalize --jq . "$D/raw"
	[ "$output" = "$(fd-normalize --jq . "$D/bare")" ]
	# dense: the hints make the difference
	[ "$(fd-normalize "$D/raw")" != "$(fd-normalize "$D/bare")" ]
}
