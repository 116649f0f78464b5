#!/usr/bin/env bats
# fd-normalize: the Singer messages (DESIGN.md sections 1, 2 and 4),
# plain NDJSON with --stream/--key, --jq, --dlt, and names (dlt's
# snake_case: dlt-normalize-semantics.md section 2; --naming direct;
# --max-length).

setup() {
	load ../common
	load ../fixtures/normalize/helpers
}

@test "STATE passes through verbatim, after the rows of earlier records, before those of later ones" {
	run -0 --separate-stderr fd-normalize <<EOF
$TICKETS_SCHEMA
{"type":"RECORD","stream":"tickets","record":{"id":1,"tags":["a","b"]}}
{"type":"STATE","value":{"bookmarks":{"tickets":{"updated_at":"2024-05-01T10:00:00Z","ids_at_cursor":[1]}}}}
{"type":"RECORD","stream":"tickets","record":{"id":2,"tags":["c"]}}
{"type":"STATE",  "value" : [1, 2.50, "é"] }
{"type":"STATE","value":null}
EOF
	[ -z "$stderr" ]
	[ "$(jq -r '"\(.type) \(.stream // "")"' <<<"$output" | tr '\n' ',')" = "SCHEMA tickets,RECORD tickets,SCHEMA tickets__tags,RECORD tickets__tags,RECORD tickets__tags,STATE ,RECORD tickets,RECORD tickets__tags,STATE ,STATE ," ]
	[ "${lines[5]}" = '{"type":"STATE","value":{"bookmarks":{"tickets":{"updated_at":"2024-05-01T10:00:00Z","ids_at_cursor":[1]}}}}' ]
	[ "${lines[8]}" = '{"type":"STATE",  "value" : [1, 2.50, "é"] }' ]
	[ "${lines[9]}" = '{"type":"STATE","value":null}' ]
}

@test "STATE is written and flushed as soon as it is read, not held until more input or EOF" {
	d=$BATS_TEST_TMPDIR
	mkfifo "$d/in"
	fd-normalize <"$d/in" >"$d/out" 2>"$d/err" 3>&- &
	pid=$!
	{
		printf '%s\n' "$TICKETS_SCHEMA" \
		    '{"type":"RECORD","stream":"tickets","record":{"id":1}}' \
		    '{"type":"STATE","value":{"n":1}}'
		# the writer keeps the pipe open (as a paused fd-fetch does)
		for i in $(seq 1200); do
			[ -e "$d/done" ] && break
			sleep 0.05
		done
	} >"$d/in" 3>&- &
	writer=$!
	for i in $(seq 1200); do
		grep -q '"type":"STATE"' "$d/out" && break
		sleep 0.05
	done
	seen=$(cat "$d/out")
	touch "$d/done"
	wait "$writer"
	wait "$pid"
	[ "$(printf '%s\n' "$seen" | jq -r .type | tr '\n' ' ')" = "SCHEMA RECORD STATE " ]
}

@test "ACTIVATE_VERSION goes to the root table and its declared child tables" {
	run -0 --separate-stderr fd-normalize <<'EOF'
{"type":"SCHEMA","stream":"Groups","schema":{"type":"object","properties":{}},"key_properties":["id"],"x-fd":{"disposition":"replace"}}
{"type":"RECORD","stream":"Groups","record":{"id":1,"agent_ids":[5]},"version":1714500000}
{"type":"ACTIVATE_VERSION","stream":"Groups","version":1714500000}
{"type":"ACTIVATE_VERSION","stream":"channelSURFING","version":2}
EOF
	[ "${lines[4]}" = '{"type":"ACTIVATE_VERSION","stream":"groups","version":1714500000}' ]
	[ "${lines[5]}" = '{"type":"ACTIVATE_VERSION","stream":"groups__agent_ids","version":1714500000}' ]
	[ "${lines[6]}" = '{"type":"ACTIVATE_VERSION","stream":"channel_surfing","version":2}' ]
	[ "${#lines[@]}" = 7 ]
	[ "$(schema groups | jq -r '.["x-fd"].disposition')" = replace ]
	[ "$(schema groups__agent_ids | jq -r '.["x-fd"].disposition')" = replace ]
}

@test "a SCHEMA that changes the disposition re-announces the child tables with it before their next rows" {
	run -0 --separate-stderr fd-normalize <<'EOF'
{"type":"SCHEMA","stream":"g","schema":{},"key_properties":["id"],"x-fd":{"disposition":"append"}}
{"type":"RECORD","stream":"g","record":{"id":1,"a":[1],"o":{"l":[{"x":1}]}}}
{"type":"SCHEMA","stream":"g","schema":{},"key_properties":["id"],"x-fd":{"disposition":"replace"}}
{"type":"RECORD","stream":"g","record":{"id":2,"a":[2],"o":{"l":[{"x":2}]}}}
{"type":"SCHEMA","stream":"g","schema":{},"key_properties":["id"],"x-fd":{"disposition":"replace"}}
{"type":"RECORD","stream":"g","record":{"id":3,"a":[3]}}
EOF
	[ -z "$stderr" ]
	# each table's rows follow a SCHEMA of it with the disposition in
	# force; an unchanged disposition re-announces the root only
	got=$(jq -r 'if .type == "SCHEMA" then "S:\(.stream):\(.["x-fd"].disposition)" else "R:\(.stream)" end' <<<"$output" | tr '\n' ' ')
	[ "$got" = "S:g:append R:g S:g__a:append R:g__a S:g__o__l:append R:g__o__l S:g:replace R:g S:g__a:replace R:g__a S:g__o__l:replace R:g__o__l S:g:replace R:g R:g__a " ]
}

@test "an unknown upper-case message type passes through verbatim, in order" {
	run -0 --separate-stderr fd-normalize <<EOF
{"type":"BATCH","stream":"tickets","filepaths":["a.jsonl"]}
$TICKETS_SCHEMA
{"type":"RECORD","stream":"tickets","record":{"id":1}}
{"type": "CUSTOM_THING" ,"x":{"y":[1,2]}}
{"type":"RECORD","stream":"tickets","record":{"id":2}}
EOF
	[ -z "$stderr" ]
	[ "${lines[0]}" = '{"type":"BATCH","stream":"tickets","filepaths":["a.jsonl"]}' ]
	[ "${lines[3]}" = '{"type": "CUSTOM_THING" ,"x":{"y":[1,2]}}' ]
	[ "$(jq -r '.type' <<<"$output" | tr '\n' ' ')" = "BATCH SCHEMA RECORD CUSTOM_THING RECORD " ]
}

@test "plain mode: --stream and --key; a record's own \"type\" (Problem, even STATE) is data" {
	run -0 --separate-stderr fd-normalize --sparse --stream Tickets --key id <<'EOF'
{"id": 1, "type": "Problem", "subject": "x"}
{"id": 2, "type": "STATE", "value": 1}
{"type": "RECORD", "stream": "other", "record": {"id": 3}}
EOF
	[ -z "$stderr" ]
	[ "$(jq -r 'select(.type == "RECORD") | .stream' <<<"$output" | sort -u)" = tickets ]
	[ "$(rows tickets | jq -c 'del(._fd_id)' | tr -d '\n')" = '{"id":1,"type":"Problem","subject":"x"}{"id":2,"type":"STATE","value":1}{"type":"RECORD","stream":"other","record__id":3}' ]
	[ "$(schema tickets | jq -c '[.key_properties, .["x-fd"].disposition]')" = '[["id"],"merge"]' ]
	# no line of the input came out as a message of its own
	[ "$(jq -r .type <<<"$output" | sort -u | tr '\n' ' ')" = "RECORD SCHEMA " ]
	# without --key: no key, append
	run -0 --separate-stderr fd-normalize --stream tickets <<<'{"id": 1}'
	[ "$(schema tickets | jq -c '[.key_properties, .["x-fd"].disposition]')" = '[[],"append"]' ]
	# a key field with a name to normalize is named as its column
	run -0 --separate-stderr fd-normalize --stream t --key "Ticket ID" <<<'{"Ticket ID": 1}'
	[ "$(schema t | jq -c .key_properties)" = '["ticket_id"]' ]
}

@test "Singer mode: SCHEMA keys and x-fd.disposition; a new SCHEMA re-announces the root with its new key" {
	run -0 --separate-stderr fd-normalize <<'EOF'
{"type":"SCHEMA","stream":"events","schema":{"type":"object","properties":{}},"key_properties":[]}
{"type":"RECORD","stream":"events","record":{"id":1}}
{"type":"SCHEMA","stream":"events","schema":{"type":"object","properties":{}},"key_properties":["id"],"x-fd":{"disposition":"append","unknown":1}}
{"type":"RECORD","stream":"events","record":{"id":2}}
{"type":"SCHEMA","stream":"contacts","schema":{"type":"object","properties":{}},"key_properties":["id"]}
{"type":"RECORD","stream":"contacts","record":{"id":2}}
{"type":"RECORD","stream":"events","record":{"id":3}}
EOF
	[ "$(jq -c 'select(.type == "SCHEMA") | [.stream, .key_properties, .["x-fd"].disposition]' <<<"$output" | tr -d '\n')" = '["events",[],"append"]["events",["id"],"append"]["contacts",["id"],"merge"]' ]
	[ "$(jq -r '"\(.type) \(.stream)"' <<<"$output" | tr '\n' ',')" = "SCHEMA events,RECORD events,SCHEMA events,RECORD events,SCHEMA contacts,RECORD contacts,RECORD events," ]
	# a RECORD before any SCHEMA of its stream: append, no key
	run -0 --separate-stderr fd-normalize <<<'{"type":"RECORD","stream":"x","record":{"a":1}}'
	[ "$(schema x | jq -c '[.key_properties, .["x-fd"]]')" = '[[],{"disposition":"append","root":"x","table_kind":"root"}]' ]
}

@test "a RECORD's version is copied onto every row, root and child; none without one" {
	run -0 --separate-stderr fd-normalize <<EOF
$TICKETS_SCHEMA
{"type":"RECORD","stream":"tickets","record":{"id":1,"tags":["a"],"m":[[1]]},"version":1714500000123,"time_extracted":"2024-05-01T10:00:00Z"}
{"type":"RECORD","stream":"tickets","record":{"id":2,"tags":["b"]}}
EOF
	[ "$(jq -c 'select(.type == "RECORD") | [.stream, .version]' <<<"$output" | tr -d '\n')" = '["tickets",1714500000123]["tickets__tags",1714500000123]["tickets__m",1714500000123]["tickets__m__list",1714500000123]["tickets",null]["tickets__tags",null]' ]
	[ "$(jq -c 'select(.type == "RECORD" and .record.id == 2) | has("version")' <<<"$output")" = false ]
}

@test "--jq adds and removes fields before flattening (plain and Singer mode)" {
	run -0 --separate-stderr fd-normalize --stream t --key id --jq '.total = .a * 10 | del(.secret) | .tags += ["jq"]' <<<'{"id": 1, "a": 2, "secret": "pw", "tags": ["x"]}'
	[ "$(rows t | jq -c 'del(._fd_id)')" = '{"id":1,"a":2,"total":20}' ]
	[ "$(rows t__tags | jq -r .value | tr '\n' ' ')" = "x jq " ]
	refute_output --partial secret
	run -0 --separate-stderr fd-normalize --jq '{id, n: (.name | ascii_upcase)}' <<EOF
$TICKETS_SCHEMA
{"type":"RECORD","stream":"tickets","record":{"id":7,"name":"ann","x":1}}
{"type":"STATE","value":1}
EOF
	[ "$(rows tickets | jq -c 'del(._fd_id)')" = '{"id":7,"n":"ANN"}' ]
	[ "${lines[2]}" = '{"type":"STATE","value":1}' ]
}

@test "--jq yielding two objects gives two root rows; yielding none gives none" {
	run -0 --separate-stderr fd-normalize --sparse --stream t --key id --jq '., {id: (.id + 100), copy: true}' <<<'{"id": 1, "l": [1]}
{"id": 2}'
	[ "$(rows t | jq -c 'del(._fd_id)' | tr -d '\n')" = '{"id":1}{"id":101,"copy":true}{"id":2}{"id":102,"copy":true}' ]
	[ "$(rows t | jq -r ._fd_id | sort -u | wc -l)" = 4 ]
	[ "$(nrows t__l)" = 1 ]
	run -0 --separate-stderr fd-normalize --stream t --jq 'select(.keep)' <<<'{"keep": false}
{"keep": true}'
	[ "$(nrows t)" = 1 ]
}

@test "--jq '.' leaves the record unchanged: numbers keep their exact text and type" {
	in='{"id":1,"big":123456789012345678901234567890,"max":9223372036854775807,"f":1.0,"e":1E5,"l":[1.0,2,9007199254740993,[2.0]],"o":{"f":2.50,"ll":[{"f":1}]}}'
	run -0 --separate-stderr fd-normalize --stream t <<<"$in"
	plain=$output
	run -0 --separate-stderr fd-normalize --stream t --jq . <<<"$in"
	[ "$output" = "$plain" ]
}

@test "--jq: a number the filter moves keeps its text (by path, name, else its one text of that value); one it computes is libjq's" {
	run -0 --separate-stderr fd-normalize --stream t --jq '{n: .big, id, f: .o.f, g: (.f + 1), x: .l[2], y: (.max | tostring), z: .l, big2: (.big * 1)}' <<<'{"id":1,"big":123456789012345678901234567890,"max":9223372036854775807,"f":1.0,"l":[1.0,2,9007199254740993],"o":{"f":2.50}}'
	[ -z "$stderr" ]
	# moved: its text; f by its name (the record's only f of that value)
	grep -F '"record":{"n":123456789012345678901234567890,"id":1,"f":2.50,"g":2,"x":9007199254740993,"y":"9223372036854776000",' <<<"$output"
	[ "$(types t)" = "n:decimal id:bigint f:double g:bigint x:bigint y:text big2:decimal _fd_id:text" ]
	# a value that two texts share ("1" and "1.0") moved to a new name:
	# libjq's text
	[ "$(rows t__z | jq -c .value | tr '\n' ' ')" = "1 2 9007199254740992 " ]
	grep -F '"record":{"value":9007199254740993,' <<<"$output"
	# big2 is computed, and has the value of big: big's text
	grep -F '"big2":123456789012345678901234567890' <<<"$output"
}

@test "--dlt: _dlt_* link columns and dlt's upsert id for a single key ({\"id\":1} is z5jIxXIbUnmbKw)" {
	run -0 --separate-stderr fd-normalize --dlt --stream t --key id <<<'{"id": 1, "tags": ["a", "b"]}'
	[ "$(rows t | jq -c .)" = '{"id":1,"_dlt_id":"z5jIxXIbUnmbKw"}' ]
	[ "$(cols t__tags)" = "value _dlt_root_id _dlt_parent_id _dlt_list_idx _dlt_id" ]
	[ "$(rows t__tags | jq -r '._dlt_id' | tr '\n' ' ')" = "$(shake_id z5jIxXIbUnmbKw_t__tags_0) $(shake_id z5jIxXIbUnmbKw_t__tags_1) " ]
	[ "$(rows t__tags | jq -r '"\(._dlt_root_id) \(._dlt_parent_id)"' | sort -u)" = "z5jIxXIbUnmbKw z5jIxXIbUnmbKw" ]
	refute_output --partial _fd_
	run -0 check_links _dlt_
	assert_output ''
	# the hash is over the normalized column name, as dlt's flattened row
	run -0 --separate-stderr fd-normalize --dlt --stream t --key ID <<<'{"ID": 1}'
	[ "$(rows t | jq -r ._dlt_id)" = z5jIxXIbUnmbKw ]
	# a text key: the compact JSON {"id":"abc"}
	run -0 --separate-stderr fd-normalize --dlt --stream t --key id <<<'{"id": "abc"}'
	[ "$(rows t | jq -r ._dlt_id)" = "$(shake_id '{"id":"abc"}')" ]
}

@test "--dlt without a key: random root ids, as dlt's default (identical records differ)" {
	run -0 --separate-stderr fd-normalize --dlt --stream t <<<'{"a": 1}
{"a": 1}'
	mapfile -t ids < <(rows t | jq -r ._dlt_id)
	[ "${#ids[@]}" = 2 ]
	[ "${ids[0]}" != "${ids[1]}" ]
	[[ "${ids[0]}" =~ ^[A-Za-z0-9+/]{14}$ ]]
}

@test "--dlt: the upsert id hashes the key's value, not its JSON spelling (orjson writes UTF-8 and a bare /)" {
	run -0 --separate-stderr fd-normalize --dlt --stream t --key id <<'EOF'
{"id": "é"}
{"id": "\u00e9"}
{"id": "a/b"}
{"id": "a\/b"}
EOF
	mapfile -t ids < <(rows t | jq -r ._dlt_id)
	[ "${ids[0]}" = "$(shake_id '{"id":"é"}')" ]
	[ "${ids[1]}" = "${ids[0]}" ]
	[ "${ids[2]}" = "$(shake_id '{"id":"a/b"}')" ]
	[ "${ids[3]}" = "${ids[2]}" ]
}

@test "fd's root id: the same key value spelled two ways in JSON gives one id" {
	run -0 --separate-stderr fd-normalize --stream t --key id <<'EOF'
{"id": "é", "tags": ["x"]}
{"id": "\u00e9", "tags": ["x"]}
EOF
	mapfile -t ids < <(rows t | jq -r ._fd_id)
	[ "${ids[0]}" = "${ids[1]}" ]
}

@test "--dlt keeps a _dlt_id given in the record (note 3.2 rule 13), so 3.4's ids come out exactly" {
	rec=$(sed -n 2p "$NFX/worked-example.ndjson" | jq -c '.record + {"_dlt_id": "wX3f5vn801W16A"}')
	run -0 --separate-stderr fd-normalize --dlt --stream tickets --key id <<<"$rec"
	[ "$(grep '^{"type":"RECORD","stream":"tickets",' <<<"$output" | grep -o '"_dlt_id":' | wc -l)" = 1 ]
	[ "$(rows tickets | jq -r ._dlt_id)" = wX3f5vn801W16A ]
	[ "$(rows tickets__tags | jq -r ._dlt_id | tr '\n' ' ')" = "r0pBeIGyt+b3cA HRhTv3Ed/0TWQw " ]
	[ "$(rows tickets__attachments | jq -r ._dlt_id)" = RIiBqUx5owpnjg ]
	[ "$(rows tickets__matrix | jq -r ._dlt_id | tr '\n' ' ')" = "RNnOtn5xbVd6Og 5ToMqYt3W461yg " ]
	[ "$(rows tickets__matrix__list | jq -r ._dlt_id | tr '\n' ' ')" = "vkFjW0bAtL9mhg Aw30gmhaZQSEIg rXVnB5hckvWmtA " ]
}

@test "names: the note's snake_case vectors (2.2) as data keys give exactly those columns" {
	rec=$(jq -Rnc '[inputs | split("\t") | {(.[0]): 1}] | add' "$NFX/snake-case.tsv")
	run -0 --separate-stderr fd-normalize --stream t <<<"$rec"
	[ "$(cols t)" = "$(cut -f2 "$NFX/snake-case.tsv" | tr '\n' ' ')_fd_id" ]
	# keys are paths (2.3): split on __, blank parts dropped
	rec=$(jq -Rnc '[inputs | split("\t") | {(.[0]): 1}] | add' "$NFX/snake-case-paths.tsv")
	run -0 --separate-stderr fd-normalize --stream t <<<"$rec"
	[ "$(cols t)" = "$(cut -f2 "$NFX/snake-case-paths.tsv" | tr '\n' ' ')_fd_id" ]
	# nested keys and list keys are named the same way
	run -0 --separate-stderr fd-normalize --stream channelSURFING <<<'{"custom_fields": {"cf_Order Number": "A", "cf_SLA Breach?": true}, "Other Emails": ["a@x"]}'
	[ "$(cols channel_surfing)" = "custom_fields__cf_order_number custom_fields__cf_sla_breachx _fd_id" ]
	[ "$(tables)" = "channel_surfing channel_surfing__other_emails" ]
}

@test "--naming direct: names kept as written, ▶ joins paths, only LF CR ' \" are replaced" {
	run -0 --separate-stderr fd-normalize --naming direct --stream "My Tickets" <<<'{"custom_fields": {"cf_Order Number": 1}, "Tags": ["x"], "it'"'"'s": 2, "CamelCase": 3}'
	[ -z "$stderr" ]
	[ "$(tables)" = "My Tickets My Tickets▶Tags" ]
	[ "$(cols "My Tickets")" = "it_s CamelCase custom_fields▶cf_Order Number _fd_id" ]
	[ "$(cols "My Tickets▶Tags")" = "value _fd_root_id _fd_parent_id _fd_list_idx _fd_id" ]
	run -0 check_links
	assert_output ''
}

@test "--max-length 63: the note's vector for a long nested name; long table and variant names fit, stable" {
	run -0 --separate-stderr fd-normalize --stream tickets --max-length 63 <<<'{"custom_fields": {"cf_an_extremely_long_custom_field_label_used_by_support": 1}}'
	[ "$(cols tickets)" = "custom_fields__cf_an_extremelv3ebza_field_label_used_by_support _fd_id" ]
	long='{"a_rather_long_object_name_for_testing": {"with_an_even_longer_list_key_inside_it": [{"and_a_long_column_name_in_the_child_rows_of_this_list_for_sure": 1}, {"and_a_long_column_name_in_the_child_rows_of_this_list_for_sure": "text now"}]}, "b_rather_long_object_name_for_testing": {"with_an_even_longer_list_key_inside_it": [1]}}'
	run -0 --separate-stderr fd-normalize --stream tickets --max-length 63 <<<"$long"
	first=$output
	[ "$(jq -r 'select(.type == "SCHEMA") | .stream, (.schema.properties | keys[]) | length' <<<"$output" | sort -n | tail -n 1)" -le 63 ]
	# two long tables that share a prefix stay apart, as do a 62-character
	# column and its variant
	[ "$(jq -r 'select(.type == "RECORD") | .stream' <<<"$output" | sort -u | wc -l)" = 3 ]
	child=$(jq -r 'select(.type == "RECORD" and (.stream | startswith("tickets__a_"))) | .stream' <<<"$output" | head -n 1)
	[ "$(cols "$child" | wc -w)" = 6 ]
	[ "$(cols "$child" | cut -d' ' -f1)" = and_a_long_column_name_in_the_child_rows_of_this_list_for_sure ]
	[ "$(types "$child" | tr ' ' '\n' | sed -n '1p;$p' | cut -d: -f2 | tr '\n' ' ')" = "bigint text " ]
	run -0 --separate-stderr fd-normalize --stream tickets --max-length 63 <<<"$long"
	[ "$output" = "$first" ]
	run -0 check_links
	assert_output ''
	# without --max-length nothing is shortened
	run -0 --separate-stderr fd-normalize --stream tickets <<<"$long"
	[ "$(jq -r 'select(.type == "SCHEMA") | .stream' <<<"$output" | sort -u | tr '\n' ' ')" = "tickets tickets__a_rather_long_object_name_for_testing__with_an_even_longer_list_key_inside_it tickets__b_rather_long_object_name_for_testing__with_an_even_longer_list_key_inside_it " ]
}

@test "--dlt: a record's own _dlt_id is kept, and dlt's child ids follow from it (note 3.4)" {
	run -0 --separate-stderr fd-normalize --dlt <<<'{"type":"SCHEMA","stream":"tickets","schema":{},"key_properties":["id"]}
{"type":"RECORD","stream":"tickets","record":{"id":101,"_dlt_id":"wX3f5vn801W16A","tags":["urgent","hw"],"matrix":[[1,2],[3]]}}'
	[ -z "$stderr" ]
	got=$(jq -r 'select(.type == "RECORD") | "\(.stream) \(.record._dlt_id)"' <<<"$output" | tr '\n' ' ')
	[ "$got" = "tickets wX3f5vn801W16A tickets__tags r0pBeIGyt+b3cA tickets__tags HRhTv3Ed/0TWQw tickets__matrix RNnOtn5xbVd6Og tickets__matrix__list vkFjW0bAtL9mhg tickets__matrix__list Aw30gmhaZQSEIg tickets__matrix 5ToMqYt3W461yg tickets__matrix__list rXVnB5hckvWmtA " ]
	# the id is the link column, not a data column besides it
	[ "$(jq -c 'select(.type == "RECORD" and .stream == "tickets") | .record | keys' <<<"$output")" = '["_dlt_id","id"]' ]
}
