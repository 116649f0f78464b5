#!/usr/bin/env bats
# fd-normalize: records into root and child tables as dlt's relational
# normalizer makes them (DESIGN.md section 4; dlt-normalize-semantics.md
# sections 3 and 4: the worked example of 3.4, the rules of 3.2, the
# max_nesting table of 3.3).

setup() {
	load ../common
	load ../fixtures/normalize/helpers
}

# The worked example of section 3.4: a SCHEMA with key id, one RECORD.
worked() {
	run -0 --separate-stderr fd-normalize "$NFX/worked-example.ndjson"
	[ -z "$stderr" ]
}

@test "worked example 3.4: exactly its tables, rows in dlt's order (parent first, depth first)" {
	worked
	[ "$(tables)" = "tickets tickets__tags tickets__attachments tickets__matrix tickets__matrix__list" ]
	[ "$(row_streams)" = "tickets tickets__tags tickets__tags tickets__attachments tickets__matrix tickets__matrix__list tickets__matrix__list tickets__matrix tickets__matrix__list" ]
	# a SCHEMA for each table, before its first row, and none for the
	# empty list cc_emails or the empty object stats
	[ "$(jq -r 'select(.type == "SCHEMA") | .stream' <<<"$output" | tr '\n' ' ')" = "tickets tickets__tags tickets__attachments tickets__matrix tickets__matrix__list " ]
	[ "$(jq -r '.stream' <<<"$output" | head -n 2 | tr '\n' ' ')" = "tickets tickets " ]
	[ "$(nrows tickets)" = 1 ]
	[ "$(nrows tickets__tags)" = 2 ]
	[ "$(nrows tickets__attachments)" = 1 ]
	[ "$(nrows tickets__matrix)" = 2 ]
	[ "$(nrows tickets__matrix__list)" = 3 ]
	refute_output --partial cc_emails
	refute_output --partial stats
}

@test "worked example 3.4: the root row's columns, order, types and values; nulls and empties make nothing" {
	worked
	[ "$(cols tickets)" = "id subject created_at requester__name requester__address__city custom_fields__cf_order_no _fd_id" ]
	[ "$(types tickets)" = "id:bigint subject:text created_at:timestamp requester__name:text requester__address__city:text custom_fields__cf_order_no:text _fd_id:text" ]
	run -0 jq -c 'del(._fd_id)' <<<"$(rows tickets)"
	assert_output '{"id":101,"subject":"Printer on fire","created_at":"2024-05-01T10:00:00Z","requester__name":"Ann","requester__address__city":"Oslo","custom_fields__cf_order_no":"A-17"}'
	# type: null and cf_region: null give no column, not even a null one
	refute_output --partial '"type"'
	refute_output --partial cf_region
}

@test "worked example 3.4: child rows: values, columns and _fd_list_idx" {
	worked
	[ "$(cols tickets__tags)" = "value _fd_root_id _fd_parent_id _fd_list_idx _fd_id" ]
	[ "$(types tickets__tags)" = "value:text _fd_root_id:text _fd_parent_id:text _fd_list_idx:bigint _fd_id:text" ]
	[ "$(rows tickets__tags | jq -r '"\(._fd_list_idx)=\(.value)"' | tr '\n' ' ')" = "0=urgent 1=hw " ]
	[ "$(cols tickets__attachments)" = "name size meta__w _fd_root_id _fd_parent_id _fd_list_idx _fd_id" ]
	[ "$(rows tickets__attachments | jq -c '{name, size, meta__w, _fd_list_idx}')" = '{"name":"a.png","size":10,"meta__w":5,"_fd_list_idx":0}' ]
	# the intermediate rows of the list of lists hold link columns only
	[ "$(cols tickets__matrix)" = "_fd_root_id _fd_parent_id _fd_list_idx _fd_id" ]
	[ "$(rows tickets__matrix | jq -r '._fd_list_idx' | tr '\n' ' ')" = "0 1 " ]
	[ "$(types tickets__matrix__list)" = "value:bigint _fd_root_id:text _fd_parent_id:text _fd_list_idx:bigint _fd_id:text" ]
	[ "$(rows tickets__matrix__list | jq -r '"\(._fd_list_idx)=\(.value)"' | tr '\n' ' ')" = "0=1 1=2 0=3 " ]
}

@test "worked example 3.4: links: parent ids, root id on every level, child ids are dlt's SHAKE-128 of {parent}_{table}_{idx}" {
	worked
	run -0 check_links _fd_
	assert_output ''
	worked
	root=$(rows tickets | jq -r ._fd_id)
	[[ "$root" =~ ^[A-Za-z0-9+/]{14}$ ]]
	# _fd_root_id is the root row's id, even two levels down
	[ "$(jq -r 'select(.type == "RECORD" and .stream != "tickets") | .record._fd_root_id' <<<"$output" | sort -u)" = "$root" ]
	# tags, attachments and matrix rows hang off the root row
	[ "$(jq -r 'select(.type == "RECORD" and (.stream | IN("tickets__tags", "tickets__attachments", "tickets__matrix"))) | .record._fd_parent_id' <<<"$output" | sort -u)" = "$root" ]
	# the list-of-list rows hang off the matrix row of their inner list
	m0=$(rows tickets__matrix | jq -r 'select(._fd_list_idx == 0) | ._fd_id')
	m1=$(rows tickets__matrix | jq -r 'select(._fd_list_idx == 1) | ._fd_id')
	[ "$(rows tickets__matrix__list | jq -r '"\(._fd_parent_id) \(.value)"' | tr '\n' ' ')" = "$m0 1 $m0 2 $m1 3 " ]
	# every child id is digest128("{parent}_{table}_{idx}", 10)
	while IFS=' ' read -r table parent idx id; do
		[ "$id" = "$(shake_id "${parent}_${table}_${idx}")" ]
	done < <(jq -r 'select(.type == "RECORD" and .stream != "tickets") | "\(.stream) \(.record._fd_parent_id) \(.record._fd_list_idx) \(.record._fd_id)"' <<<"$output")
	# the note's vector for the same construction (root wX3f5vn801W16A)
	[ "$(shake_id wX3f5vn801W16A_tickets__tags_0)" = "r0pBeIGyt+b3cA" ]
}

@test "worked example 3.4: SCHEMA x-fd and key_properties (root keyed, merge; children keyed by _fd_id)" {
	worked
	[ "$(schema tickets | jq -c '[.key_properties, .["x-fd"]]')" = '[["id"],{"disposition":"merge","root":"tickets","table_kind":"root"}]' ]
	[ "$(schema tickets__tags | jq -c '[.key_properties, .["x-fd"]]')" = '[["_fd_id"],{"disposition":"merge","root":"tickets","parent":"tickets","table_kind":"child"}]' ]
	[ "$(schema tickets__matrix__list | jq -c '.["x-fd"] | [.parent, .root, .table_kind]')" = '["tickets__matrix","tickets","child"]' ]
	[ "$(schema tickets__tags | jq -c '.schema.type')" = '"object"' ]
	[ "$(schema tickets | jq -c '.schema.properties.created_at')" = '{"type":["string","null"],"format":"date-time","x-fd-type":"timestamp"}' ]
	run -0 check_types
	assert_output ''
}

@test "column order is dlt's rule 10: scalars first, nested objects last seen first" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"a": {"x": 1}, "b": 2, "c": {"y": 3, "n": {"z": 1}}}'
	[ "$(cols t)" = "b c__y c__n__z a__x _fd_id" ]
	[ "$(rows t | jq -c 'del(._fd_id)')" = '{"b":2,"c__y":3,"c__n__z":1,"a__x":1}' ]
	# the member order of the RECORD is the column order too
	[ "$(rows t | jq -r 'keys_unsorted | join(" ")')" = "b c__y c__n__z a__x _fd_id" ]
	# a column found later is appended, the old ones keep their place
	run -0 --separate-stderr fd-normalize --stream t <<<'{"b": 1}
{"a": 1, "b": 2}'
	[ "$(cols t)" = "b _fd_id a" ]
}

@test "determinism: the same input twice gives byte-identical output" {
	in="$BATS_TEST_TMPDIR/in.ndjson"
	{ cat "$NFX/worked-example.ndjson"
	  echo '{"type":"RECORD","stream":"tickets","record":{"id":102,"tags":["x","y"],"matrix":[[1],[2,[3]]]}}'
	  echo '{"type":"RECORD","stream":"notes","record":{"text":"no key","l":[1,2]}}'; } >"$in"
	run -0 --separate-stderr fd-normalize "$in"
	first=$output
	run -0 --separate-stderr fd-normalize <"$in"
	[ "$output" = "$first" ]
	[ -n "$first" ]
}

@test "root id depends on the primary key only, and child ids follow it" {
	run -0 --separate-stderr fd-normalize <<EOF
$TICKETS_SCHEMA
{"type":"RECORD","stream":"tickets","record":{"id":5,"subject":"a","tags":["t"]}}
{"type":"RECORD","stream":"tickets","record":{"id":5,"subject":"changed","status":2,"tags":["u"]}}
{"type":"RECORD","stream":"tickets","record":{"id":6,"subject":"a","tags":["t"]}}
EOF
	mapfile -t ids < <(rows tickets | jq -r ._fd_id)
	[ "${#ids[@]}" = 3 ]
	[ "${ids[0]}" = "${ids[1]}" ]
	[ "${ids[0]}" != "${ids[2]}" ]
	mapfile -t kids < <(rows tickets__tags | jq -r ._fd_id)
	[ "${kids[0]}" = "${kids[1]}" ]
	[ "${kids[0]}" != "${kids[2]}" ]
	# the same with --stream/--key: the id is the stream's, not the mode's
	run -0 --separate-stderr fd-normalize --stream tickets --key id <<<'{"id":5,"other":1}'
	[ "$(rows tickets | jq -r ._fd_id)" = "${ids[0]}" ]
	# and another stream with the same key value gets another id
	run -0 --separate-stderr fd-normalize --stream contacts --key id <<<'{"id":5}'
	[ "$(rows contacts | jq -r ._fd_id)" != "${ids[0]}" ]
}

@test "without a primary key the root id is a hash of the whole record" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"a":1,"b":2}
{"a":1,"b":2}
{"a":1,"b":3}'
	mapfile -t ids < <(rows t | jq -r ._fd_id)
	[ "${ids[0]}" = "${ids[1]}" ]
	[ "${ids[0]}" != "${ids[2]}" ]
	# a record without its key field falls back to the same rule
	run -0 --separate-stderr fd-normalize --stream t --key id <<<'{"a":1,"b":2}
{"a":1,"b":3}'
	mapfile -t ids < <(rows t | jq -r ._fd_id)
	[ "${ids[0]}" != "${ids[1]}" ]
}

# The record of dlt's test_json_types_for_recursion_level (note 3.3).
NEST='{"f": [{"l": ["a"], "v": 120, "lo": [{"e": {"v": 1}}]}]}'

# nest N: the rows of NEST at --max-nesting N as "table data-columns".
nest() {
	run -0 --separate-stderr fd-normalize --stream default --max-nesting "$1" <<<"$NEST"
	[ -z "$stderr" ]
}

@test "max_nesting 0 (note 3.3): one table, f kept whole as json" {
	nest 0
	[ "$(tables)" = "default" ]
	[ "$(types default)" = "f:json _fd_id:text" ]
	[ "$(rows default | jq -c .f)" = '[{"l":["a"],"v":120,"lo":[{"e":{"v":1}}]}]' ]
}

@test "max_nesting 1 (note 3.3): default and default__f; l and lo stay json" {
	nest 1
	[ "$(tables)" = "default default__f" ]
	[ "$(types default__f)" = "l:json v:bigint lo:json _fd_root_id:text _fd_parent_id:text _fd_list_idx:bigint _fd_id:text" ]
	[ "$(rows default__f | jq -c '[.l, .v, .lo]')" = '[["a"],120,[{"e":{"v":1}}]]' ]
	# and a dict two levels deep in the root is kept at its second level
	run -0 --separate-stderr fd-normalize --stream t --max-nesting 1 <<<'{"requester": {"name": "Ann", "address": {"city": "Oslo"}}}'
	[ "$(types t)" = "requester__name:text requester__address:json _fd_id:text" ]
	[ "$(rows t | jq -c .requester__address)" = '{"city":"Oslo"}' ]
}

@test "max_nesting 2 (note 3.3): four tables, default__f__lo.e stays json" {
	nest 2
	[ "$(tables)" = "default default__f default__f__l default__f__lo" ]
	[ "$(types default__f__lo)" = "e:json _fd_root_id:text _fd_parent_id:text _fd_list_idx:bigint _fd_id:text" ]
	[ "$(rows default__f__lo | jq -c .e)" = '{"v":1}' ]
	[ "$(rows default__f__l | jq -r .value)" = a ]
	[ "$(rows default__f | jq -c 'del(._fd_id, ._fd_root_id, ._fd_parent_id, ._fd_list_idx)')" = '{"v":120}' ]
}

@test "max_nesting 1000 (the default, note 3.3): everything flattened, nothing json" {
	nest 1000
	[ "$(tables)" = "default default__f default__f__l default__f__lo" ]
	[ "$(types default__f__lo)" = "e__v:bigint _fd_root_id:text _fd_parent_id:text _fd_list_idx:bigint _fd_id:text" ]
	refute_output --partial '"json"'
	default=$output
	run -0 --separate-stderr fd-normalize --stream default <<<"$NEST"
	[ "$output" = "$default" ]
	# N=3 is already the same as 1000 here
	nest 3
	[ "$output" = "$default" ]
}

@test "max_nesting counts a list of lists twice (note 3.3): {m: [[1, 2]]} needs N=3 for m__list rows" {
	for n in 1 2; do
		run -0 --separate-stderr fd-normalize --stream t --max-nesting "$n" <<<'{"m": [[1, 2]]}'
		[ "$(tables)" = "t t__m" ]
		[ "$(types t__m)" = "list:json _fd_root_id:text _fd_parent_id:text _fd_list_idx:bigint _fd_id:text" ]
		[ "$(rows t__m | jq -c .list)" = "[1,2]" ]
	done
	run -0 --separate-stderr fd-normalize --stream t --max-nesting 3 <<<'{"m": [[1, 2]]}'
	[ "$(tables)" = "t t__m t__m__list" ]
	[ "$(rows t__m__list | jq -r .value | tr '\n' ' ')" = "1 2 " ]
}

@test "list of lists (rule 4, dlt's test_list_in_list): 2, 7 and 1 rows through __list tables" {
	run -0 --separate-stderr fd-normalize --stream zen <<<'{"webpath": [[{"url": "a", "ts": 1}, {"url": "b", "ts": 2}, {"url": "c", "ts": 3}, [{"url": "d"}]], [1, 2, 3]]}'
	[ "$(tables)" = "zen zen__webpath zen__webpath__list zen__webpath__list__list" ]
	[ "$(nrows zen__webpath)" = 2 ]
	[ "$(nrows zen__webpath__list)" = 7 ]
	[ "$(nrows zen__webpath__list__list)" = 1 ]
	# the intermediate rows hold only link columns; objects and numbers
	# share zen__webpath__list
	[ "$(cols zen__webpath)" = "_fd_root_id _fd_parent_id _fd_list_idx _fd_id" ]
	[ "$(rows zen__webpath__list | jq -c '[._fd_list_idx, .url, .value]' | tr -d '\n')" = '[0,"a",null][1,"b",null][2,"c",null][3,null,null][0,null,1][1,null,2][2,null,3]' ]
	[ "$(rows zen__webpath__list__list | jq -c '[._fd_list_idx, .url]')" = '[0,"d"]' ]
	inner=$(rows zen__webpath__list | jq -r 'select(._fd_list_idx == 3) | ._fd_id')
	[ "$(rows zen__webpath__list__list | jq -r ._fd_parent_id)" = "$inner" ]
	run -0 check_links
	assert_output ''
}

@test "mixed list (rule 5): object and scalar elements share one child table" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"l": [1, {"a": 2, "b": {"c": 3}}, 4]}'
	[ "$(tables)" = "t t__l" ]
	[ "$(rows t__l | jq -c '[._fd_list_idx, .value, .a, .b__c]' | tr -d '\n')" = '[0,1,null,null][1,null,2,3][2,4,null,null]' ]
	[ "$(cols t__l)" = "value _fd_root_id _fd_parent_id _fd_list_idx _fd_id a b__c" ]
	run -0 check_types
	assert_output ''
}

@test "null list element: a row with links only; no value column until a non-null value" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"l": [null]}'
	[ "$(nrows t__l)" = 1 ]
	[ "$(cols t__l)" = "_fd_root_id _fd_parent_id _fd_list_idx _fd_id" ]
	[ "$(rows t__l | jq -r ._fd_list_idx)" = 0 ]
	# nulls are counted in the index; the value column comes with 7,
	# appended after the columns of the first row
	run -0 --separate-stderr fd-normalize --sparse --stream t <<<'{"l": [null, 7, null]}'
	[ "$(nrows t__l)" = 3 ]
	[ "$(cols t__l)" = "_fd_root_id _fd_parent_id _fd_list_idx _fd_id value" ]
	[ "$(types t__l)" = "_fd_root_id:text _fd_parent_id:text _fd_list_idx:bigint _fd_id:text value:bigint" ]
	[ "$(rows t__l | jq -c '[._fd_list_idx, has("value"), .value]' | tr -d '\n')" = '[0,false,null][1,true,7][2,false,null]' ]
}

@test "lists inside objects and inside child rows: tables named by the whole path" {
	run -0 --separate-stderr fd-normalize --stream tickets <<<'{"requester": {"Other Emails": ["a@x"]}, "conversations": [{"attachments": [{"name": "f"}], "meta": {"to": ["b@x"]}}]}'
	# lists in the order dlt's _flatten meets them: the root's own first,
	# then those of nested objects; each row's children right after it
	[ "$(tables)" = "tickets tickets__conversations tickets__conversations__attachments tickets__conversations__meta__to tickets__requester__other_emails" ]
	# a child table's columns start from its own row
	[ "$(cols tickets__conversations__attachments)" = "name _fd_root_id _fd_parent_id _fd_list_idx _fd_id" ]
	run -0 check_links
	assert_output ''
}

@test "{} and [] make no column, row or table; a column seen only with null is never made" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"id": 1, "o": {}, "l": [], "n": null, "d": {"e": {}, "f": null, "g": []}}
{"id": 2, "n": null, "l": []}'
	[ "$(tables)" = "t" ]
	[ "$(cols t)" = "id _fd_id" ]
	[ "$(jq -r 'select(.type == "SCHEMA") | .stream' <<<"$output")" = t ]
	# the column comes with the first value, after the rows without it
	run -0 --separate-stderr fd-normalize --stream t <<<'{"id": 1, "n": null}
{"id": 2, "n": "x"}'
	[ "$(rows t | jq -c 'del(._fd_id)' | tr -d '\n')" = '{"id":1}{"id":2,"n":"x"}' ]
}

@test "key collision {\"a__x\": 9, \"a\": {\"x\": 1}}: one column a__x, one member, the last write (1) wins, as in dlt" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"a__x": 9, "a": {"x": 1}}'
	[ "$(cols t)" = "a__x _fd_id" ]
	line=$(grep '"type":"RECORD"' <<<"$output")
	[ "$(grep -o '"a__x":' <<<"$line" | wc -l)" = 1 ]
	[ "$(rows t | jq -c .a__x)" = 1 ]
}

@test "key collision of two types: every value matches its column's declared type" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"a__x": 1, "a": {"x": "s"}}'
	run -0 check_types
	assert_output ''
}

@test "flatten: two paths that give one table name share it, and their rows keep ids of their own" {
	run --separate-stderr fd-normalize --stream agents --key id <<<'{"id":1,"group_ids":[1],"groupIds":[2]}'
	assert_success
	[ "$stderr" = "fd-normalize: table agents__group_ids: two paths give this name; their rows share it" ]
	[ "$(jq -r 'select(.type == "RECORD" and .stream == "agents__group_ids") | "\(.record.value) \(.record._fd_list_idx)"' <<<"$output" | paste -sd, -)" = '1 0,2 0' ]
	[ "$(jq -r 'select(.type == "RECORD" and .stream == "agents__group_ids") | .record._fd_id' <<<"$output" | sort -u | wc -l)" -eq 2 ]
	# the first path's ids are dlt's, unchanged by the second
	[ "$(fd-normalize --stream agents --key id <<<'{"id":1,"group_ids":[1]}' | jq -r 'select(.type == "RECORD" and .stream == "agents__group_ids") | .record._fd_id')" = \
	    "$(jq -r 'select(.type == "RECORD" and .stream == "agents__group_ids" and .record.value == 1) | .record._fd_id' <<<"$output")" ]
}
