#!/usr/bin/env bats
# fd-normalize as a Singer tap for other targets (issue 17): every
# table keyed (child tables by their _fd_id), an ACTIVATE_VERSION for
# every table of a full-refresh chain, and dense records: every column
# of the table's last SCHEMA in each record, in its order, nulls
# included (--sparse: the row's values only), which fd-load loads into
# the same tables.  The simulator's tickets (null-heavy), contacts and
# full-refresh chains (solution_articles with tags and hierarchy,
# groups with agent_ids), fetched once for the file.

setup_file() {
	load normalize
	sim_fetch_file tickets contacts solution_articles groups
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

# dense_check FILE: every RECORD of FILE holds exactly the properties of
# its stream's last SCHEMA, in their order.  Prints one line per
# violation, then "records N nulls M".
dense_check() {
	python3 -c '
import json, sys
props, bad, n, nulls = {}, 0, 0, 0
for line in open(sys.argv[1]):
    m = json.loads(line)
    if m["type"] == "SCHEMA":
        props[m["stream"]] = list(m["schema"]["properties"])
    elif m["type"] == "RECORD":
        n += 1
        keys = list(m["record"])
        nulls += sum(v is None for v in m["record"].values())
        if keys != props.get(m["stream"]):
            bad += 1
            if bad <= 3:
                print(m["stream"], keys, "!=", props.get(m["stream"]))
print("records", n, "nulls", nulls)' "$1"
}

# tables_of DB: every table of fd's SQLite database DB but fd's own,
# its rows (without _fd_load_id, the load's) sorted, as text.
tables_of() {
	local t cols
	for t in $(sqlite3 "$1" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\_fd\_%' ESCAPE '\' ORDER BY name"); do
		# (by name: dense records declare the input SCHEMA's columns
		# first, 085-hints.bats)
		cols=$(sqlite3 "$1" "SELECT group_concat(quote(name), ', ') FROM (SELECT name FROM pragma_table_info('$t') WHERE name <> '_fd_load_id' ORDER BY name)")
		cols=$(printf '%s' "$cols" | tr "'" '"')
		# (a column declared by an input SCHEMA that no row has a
		# value of is made by dense records only: left out)
		cols=$(for c in ${cols//,/ }; do
			[ "$(sqlite3 "$1" "SELECT count(*) FROM \"$t\" WHERE $c IS NOT NULL")" -eq 0 ] || printf '%s\n' "$c"
		done | paste -sd, -)
		echo "== $t: $cols"
		sqlite3 "$1" "SELECT $cols FROM \"$t\"" | sort
	done
}

@test "singer: child tables are keyed by their _fd_id, root tables by the stream's key; a stream without a key gives a root without one" {
	run -0 --separate-stderr fd-normalize "$D/raw"
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$D/norm"
	# the root tables keep the streams' key, every child table has one
	[ "$(jq -c 'select(.type == "SCHEMA") | [.["x-fd"].table_kind, .key_properties]' "$D/norm" | sort -u | tr -d '\n')" = '["child",["_fd_id"]]["root",["id"]]' ]
	[ "$(jq -r 'select(.type == "SCHEMA" and .["x-fd"].table_kind == "child") | .stream' "$D/norm" | sort -u | wc -l)" -ge 6 ]
	# the key is one: no two rows of a child table share an _fd_id
	[ "$(jq -r 'select(.type == "RECORD" and (.stream | contains("__"))) | "\(.stream) \(.record._fd_id)"' "$D/norm" | sort | uniq -d)" = "" ]
	[ "$(jq -r 'select(.type == "RECORD" and (.stream | contains("__"))) | .record._fd_id | type' "$D/norm" | sort -u)" = string ]
	# --dlt: the child key is dlt's id column; without --key, a plain
	# stream's root has no key and appends
	run -0 --separate-stderr fd-normalize --dlt --stream t <<<'{"id": 1, "l": [{"a": 1}, {"a": 2}]}'
	[ "$(schema t | jq -c '[.key_properties, .["x-fd"].disposition]')" = '[[],"append"]' ]
	[ "$(schema t__l | jq -c '[.key_properties, .["x-fd"].disposition]')" = '[["_dlt_id"],"append"]' ]
	run -0 --separate-stderr fd-normalize --stream t --key id <<<'{"id": 1, "l": [[1, 2]]}'
	[ "$(schema t | jq -c .key_properties)" = '["id"]' ]
	[ "$(schema t__l | jq -c .key_properties)" = '["_fd_id"]' ]
	[ "$(schema t__l__list | jq -c .key_properties)" = '["_fd_id"]' ]
}

@test "singer: a full-refresh chain from the simulator: an ACTIVATE_VERSION for the root, then for each of its child tables, the version's" {
	run -0 --separate-stderr fd-normalize "$D/raw"
	printf '%s\n' "$output" >"$D/norm"
	# what the test is about: two chains with child tables
	[ "$(jq -r 'select(.type == "ACTIVATE_VERSION") | .stream' "$D/raw" | tr '\n' ' ')" = "solution_articles groups " ]
	# each root's ACTIVATE_VERSION is followed by those of the child
	# tables that have rows, in the order of their first SCHEMA, with
	# the root's version; nothing else is activated
	for root in solution_articles groups; do
		v=$(jq -r --arg r "$root" 'select(.type == "ACTIVATE_VERSION" and .stream == $r) | .version' "$D/raw")
		want=$(jq -r --arg r "$root" 'select(.type == "SCHEMA" and .["x-fd"].root == $r) | .stream' "$D/norm" | awk '!seen[$0]++' | tr '\n' ' ')
		kids=$(jq -r --arg r "$root" 'select(.type == "RECORD" and (.stream | startswith($r + "__"))) | .stream' "$D/norm" | sort -u | wc -l)
		[ "$kids" -ge 1 ]
		[ "$(wc -w <<<"$want")" = $((kids + 1)) ]
		[ "$(grep -A "$kids" "\"type\":\"ACTIVATE_VERSION\",\"stream\":\"$root\"" "$D/norm" | jq -r '"\(.type) \(.stream) \(.version)"')" = "$(for t in $want; do echo "ACTIVATE_VERSION $t $v"; done)" ]
	done
	[ "$(grep -c '"type":"ACTIVATE_VERSION"' "$D/norm")" = "$(jq -r 'select(.type == "SCHEMA" and ((.["x-fd"].root == "solution_articles") or (.["x-fd"].root == "groups"))) | .stream' "$D/norm" | sort -u | wc -l)" ]
	# every row of the chains carries the version its tables activate
	[ "$(jq -r 'select(.type == "RECORD" and (.stream | test("^(solution_articles|groups)"))) | .version' "$D/norm" | sort -u)" = "$v" ]
}

@test "singer: ACTIVATE_VERSION names the child tables this run declared, not one it never saw" {
	run -0 --separate-stderr fd-normalize <<'EOF'
{"type":"SCHEMA","stream":"Groups","schema":{"type":"object","properties":{}},"key_properties":["id"],"x-fd":{"disposition":"replace"}}
{"type":"SCHEMA","stream":"roles","schema":{"type":"object","properties":{}},"key_properties":["id"],"x-fd":{"disposition":"replace"}}
{"type":"RECORD","stream":"Groups","record":{"id":1,"agent_ids":[],"business_hours":null},"version":1}
{"type":"RECORD","stream":"roles","record":{"id":9,"scopes":["x"]},"version":1}
{"type":"ACTIVATE_VERSION","stream":"Groups","version":1}
{"type":"RECORD","stream":"Groups","record":{"id":1,"agent_ids":[],"escalate":{"to":[4]}},"version":2}
{"type":"RECORD","stream":"Groups","record":{"id":2,"agent_ids":[5,6]},"version":2}
{"type":"ACTIVATE_VERSION","stream":"Groups","version":2}
{"type":"RECORD","stream":"Groups","record":{"id":1},"version":3}
{"type":"ACTIVATE_VERSION","stream":"Groups","version":3}
{"type":"ACTIVATE_VERSION","stream":"roles","version":3}
EOF
	[ -z "$stderr" ]
	# version 1: no group had an agent: groups__agent_ids was never
	# declared, and gets nothing (roles__scopes is another chain's)
	# version 2: its children in the order of their SCHEMAs; version 3:
	# the tables declared earlier in the run, though it wrote no row
	[ "$(jq -r 'select(.type == "ACTIVATE_VERSION") | "\(.stream):\(.version)"' <<<"$output" | tr '\n' ' ')" = "groups:1 groups:2 groups__escalate__to:2 groups__agent_ids:2 groups:3 groups__escalate__to:3 groups__agent_ids:3 roles:3 roles__scopes:3 " ]
	[ "$(jq -r 'select(.type == "ACTIVATE_VERSION") | "\(.stream):\(.version)"' <<<"$output" | head -n 1)" = groups:1 ]
	[ "$(jq -r 'select(.type == "SCHEMA") | .stream' <<<"$output" | awk '!seen[$0]++' | tr '\n' ' ')" = "groups roles roles__scopes groups__escalate__to groups__agent_ids " ]
	# each ACTIVATE_VERSION comes right after the root's
	[ "$(jq -r '.type' <<<"$output" | uniq -c | awk '$2 == "ACTIVATE_VERSION" { print $1 }' | tr '\n' ' ')" = "1 3 5 " ]
}

@test "singer: dense records: every record of the simulator's tickets holds its table's SCHEMA properties, in order, nulls included" {
	run -0 --separate-stderr fd-normalize "$D/raw"
	printf '%s\n' "$output" >"$D/dense"
	run -0 dense_check "$D/dense"
	# no violation, and null values written (the tickets have many)
	[ "${#lines[@]}" = 1 ]
	[[ "$output" =~ ^records\ ([0-9]+)\ nulls\ ([0-9]+)$ ]]
	[ "${BASH_REMATCH[1]}" -ge 1000 ]
	[ "${BASH_REMATCH[2]}" -ge 1000 ]
	# the same values as --sparse writes, the nulls aside
	run -0 --separate-stderr fd-normalize --sparse "$D/raw"
	printf '%s\n' "$output" >"$D/sparse"
	[ "$(jq -c 'select(.type == "RECORD") | .record | with_entries(select(.value != null))' "$D/dense" | jq -cS .)" = "$(jq -cS 'select(.type == "RECORD") | .record' "$D/sparse")" ]
	[ "$(grep -v '"type":"RECORD"\|"type":"SCHEMA"' "$D/dense")" = "$(grep -v '"type":"RECORD"\|"type":"SCHEMA"' "$D/sparse")" ]
	# each table's last SCHEMA: the same columns, key and x-fd; dense
	# records also hold the columns the input SCHEMA declared with a
	# type (085-hints.bats), whatever their values
	last='[inputs | select(.type == "SCHEMA")] | group_by(.stream) | map(last)'
	jq -ncS "$last" "$D/sparse" >"$D/last-sparse"
	[ "$(jq -ncS --slurpfile s "$D/last-sparse" "$last"' | map(. as $d |
	    ([$s[0][] | select(.stream == $d.stream) | .schema.properties |
	    keys[]]) as $k | .schema.properties |= with_entries(select(.key |
	    IN($k[]))))' "$D/dense")" = "$(cat "$D/last-sparse")" ]
	# and valid for their SCHEMA
	output=$(cat "$D/dense")
	run -0 check_types
	assert_output ''
}

@test "singer: a SCHEMA widened mid-stream: the record after it, and every later one, holds the new columns" {
	run -0 --separate-stderr fd-normalize --stream t --key id <<'EOF'
{"id": 1, "a": 1, "l": [1]}
{"id": 2, "b": "x", "a": null}
{"id": 3, "l": [{"k": true}, 2]}
{"id": 4}
EOF
	[ -z "$stderr" ]
	assert_output - <<'EOF'
{"type":"SCHEMA","stream":"t","schema":{"type":"object","properties":{"id":{"type":["integer","null"],"x-fd-type":"bigint"},"a":{"type":["integer","null"],"x-fd-type":"bigint"},"_fd_id":{"type":["string","null"],"x-fd-type":"text"}}},"key_properties":["id"],"x-fd":{"disposition":"merge","root":"t","table_kind":"root"}}
{"type":"RECORD","stream":"t","record":{"id":1,"a":1,"_fd_id":"7MT96I9kcNhALw"}}
{"type":"SCHEMA","stream":"t__l","schema":{"type":"object","properties":{"value":{"type":["integer","null"],"x-fd-type":"bigint"},"_fd_root_id":{"type":["string","null"],"x-fd-type":"text"},"_fd_parent_id":{"type":["string","null"],"x-fd-type":"text"},"_fd_list_idx":{"type":["integer","null"],"x-fd-type":"bigint"},"_fd_id":{"type":["string","null"],"x-fd-type":"text"}}},"key_properties":["_fd_id"],"x-fd":{"disposition":"merge","root":"t","parent":"t","table_kind":"child"}}
{"type":"RECORD","stream":"t__l","record":{"value":1,"_fd_root_id":"7MT96I9kcNhALw","_fd_parent_id":"7MT96I9kcNhALw","_fd_list_idx":0,"_fd_id":"xieEhBQyKuIx7A"}}
{"type":"SCHEMA","stream":"t","schema":{"type":"object","properties":{"id":{"type":["integer","null"],"x-fd-type":"bigint"},"a":{"type":["integer","null"],"x-fd-type":"bigint"},"_fd_id":{"type":["string","null"],"x-fd-type":"text"},"b":{"type":["string","null"],"x-fd-type":"text"}}},"key_properties":["id"],"x-fd":{"disposition":"merge","root":"t","table_kind":"root"}}
{"type":"RECORD","stream":"t","record":{"id":2,"a":null,"_fd_id":"/LMPtThAGH537Q","b":"x"}}
{"type":"RECORD","stream":"t","record":{"id":3,"a":null,"_fd_id":"tFBzK5yPyfVeSg","b":null}}
{"type":"SCHEMA","stream":"t__l","schema":{"type":"object","properties":{"value":{"type":["integer","null"],"x-fd-type":"bigint"},"_fd_root_id":{"type":["string","null"],"x-fd-type":"text"},"_fd_parent_id":{"type":["string","null"],"x-fd-type":"text"},"_fd_list_idx":{"type":["integer","null"],"x-fd-type":"bigint"},"_fd_id":{"type":["string","null"],"x-fd-type":"text"},"k":{"type":["boolean","null"],"x-fd-type":"bool"}}},"key_properties":["_fd_id"],"x-fd":{"disposition":"merge","root":"t","parent":"t","table_kind":"child"}}
{"type":"RECORD","stream":"t__l","record":{"value":null,"_fd_root_id":"tFBzK5yPyfVeSg","_fd_parent_id":"tFBzK5yPyfVeSg","_fd_list_idx":0,"_fd_id":"Pplr54O3a/JrnA","k":true}}
{"type":"RECORD","stream":"t__l","record":{"value":2,"_fd_root_id":"tFBzK5yPyfVeSg","_fd_parent_id":"tFBzK5yPyfVeSg","_fd_list_idx":1,"_fd_id":"i9toCfAJ69/6XQ","k":null}}
{"type":"RECORD","stream":"t","record":{"id":4,"a":null,"_fd_id":"KjEEs36FWrqKoA","b":null}}
EOF
}

@test "singer: --sparse writes a row's values only, as before; the last of --dense and --sparse wins" {
	run -0 --separate-stderr fd-normalize --sparse --stream t --key id <<'EOF'
{"id": 1, "a": 1}
{"id": 2, "b": "x", "a": null}
{"id": 3}
EOF
	[ "$(rows t | tr '\n' ' ')" = '{"id":1,"a":1,"_fd_id":"7MT96I9kcNhALw"} {"id":2,"b":"x","_fd_id":"/LMPtThAGH537Q"} {"id":3,"_fd_id":"tFBzK5yPyfVeSg"} ' ]
	run -0 --separate-stderr fd-normalize --dense --sparse --stream t --key id <<<'{"id": 1}
{"id": 2, "a": 5}
{"id": 3}'
	[ "$(rows t | jq -c 'del(._fd_id)' | tr '\n' ' ')" = '{"id":1} {"id":2,"a":5} {"id":3} ' ]
	run -0 --separate-stderr fd-normalize --sparse --dense --stream t --key id <<<'{"id": 1}
{"id": 2, "a": 5}
{"id": 3}'
	[ "$(rows t | jq -c 'del(._fd_id)' | tr '\n' ' ')" = '{"id":1} {"id":2,"a":5} {"id":3,"a":null} ' ]
	# the simulator's rows: no null, and some records leave columns out
	run -0 --separate-stderr fd-normalize --sparse "$D/raw"
	printf '%s\n' "$output" >"$D/sparse"
	[ "$(grep '"type":"RECORD"' "$D/sparse" | jq '[.record[] | select(. == null)] | length' | sort -u)" = 0 ]
	run -0 dense_check "$D/sparse"
	[ "${#lines[@]}" = 4 ]
}

@test "singer: fd-load makes the same SQLite tables of dense and sparse records: merge, append and replace; a left-out column is a null" {
	# merge (the simulator's tickets and contacts), then replace (its
	# full-refresh chains; the child tables' ACTIVATE_VERSIONs are left
	# out: fd-load activates a chain at its root's)
	for m in dense sparse; do
		fd-normalize --"$m" "$D/raw" |
		    grep -v '"type":"ACTIVATE_VERSION","stream":"[a-z_]*__' \
		    >"$D/$m.in"
		run -0 --separate-stderr fd-load -t "sqlite:$D/$m.db" "$D/$m.in"
	done
	run -0 tables_of "$D/dense.db"
	dense=$output
	run -0 tables_of "$D/sparse.db"
	[ "$output" = "$dense" ]
	# what it compares: every stream, child tables with rows
	[ "$(sqlite3 "$D/dense.db" 'SELECT count(*) FROM tickets')" -ge 300 ]
	[ "$(sqlite3 "$D/dense.db" 'SELECT count(*) FROM solution_articles__tags')" -ge 1 ]
	[ "$(sqlite3 "$D/dense.db" 'SELECT count(*) FROM groups__agent_ids')" -ge 1 ]
	[ "$(sqlite3 "$D/dense.db" 'SELECT count(*) FROM tickets WHERE responder_id IS NULL')" -ge 1 ]
	# a merge's second version leaves a member out or makes it null:
	# the column is null either way; append: the same rows
	for m in dense sparse; do
		printf '%s\n' '{"id": 1, "a": "x", "b": 2, "l": [1, 2]}' |
		    fd-normalize --"$m" --stream m --key id >"$D/m1"
		printf '%s\n' '{"id": 1, "b": 3, "l": [3]}' '{"id": 2, "a": null, "c": true}' |
		    fd-normalize --"$m" --stream m --key id >"$D/m2"
		printf '%s\n' '{"n": 1, "a": "x"}' '{"n": 2, "b": 1}' '{"n": 1, "a": "x"}' |
		    fd-normalize --"$m" --stream ap >"$D/ap"
		run -0 --separate-stderr fd-load -t "sqlite:$D/$m-m.db" "$D/m1"
		run -0 --separate-stderr fd-load -t "sqlite:$D/$m-m.db" "$D/m2"
		run -0 --separate-stderr fd-load -t "sqlite:$D/$m-m.db" "$D/ap"
	done
	run -0 tables_of "$D/dense-m.db"
	dense=$output
	run -0 tables_of "$D/sparse-m.db"
	[ "$output" = "$dense" ]
	[ "$(sqlite3 "$D/dense-m.db" 'SELECT id, quote(a), b, quote(c) FROM m ORDER BY id' | tr '\n' ' ')" = "1|NULL|3|NULL 2|NULL||1 " ]
	[ "$(sqlite3 "$D/dense-m.db" 'SELECT value FROM m__l' | tr '\n' ' ')" = "3 " ]
	[ "$(sqlite3 "$D/dense-m.db" 'SELECT n, quote(a), quote(b) FROM ap ORDER BY n, b' | tr '\n' ' ')" = "1|'x'|NULL 1|'x'|NULL 2|NULL|1 " ]
}
