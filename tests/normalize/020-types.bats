#!/usr/bin/env bats
# fd-normalize: types inferred into the SCHEMA messages, variant
# columns, numbers, date-times, nulls, schema evolution (DESIGN.md
# section 4; dlt-normalize-semantics.md section 5 and rules 10-12 of
# section 10).  Exact number text is checked on the raw lines: jq 1.6
# reads numbers as doubles.

setup() {
	load ../common
	load ../fixtures/normalize/helpers
}

# record_of: the RECORD line of the root table t in $output (raw text).
record_of() {
	grep '^{"type":"RECORD","stream":"t",' <<<"$output"
}

@test "inference: bigint, double, bool, text, timestamp, each with its JSON Schema type" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"i": 7, "n": -1.5, "b": true, "f": false, "s": "x", "ts": "2024-05-01T10:00:00Z", "neg": -3, "e": 1e3}'
	[ -z "$stderr" ]
	[ "$(types t)" = "i:bigint n:double b:bool f:bool s:text ts:timestamp neg:bigint e:double _fd_id:text" ]
	[ "$(schema t | jq -c '.schema.properties | [.i, .n, .b, .s, .ts]')" = '[{"type":["integer","null"],"x-fd-type":"bigint"},{"type":["number","null"],"x-fd-type":"double"},{"type":["boolean","null"],"x-fd-type":"bool"},{"type":["string","null"],"x-fd-type":"text"},{"type":["string","null"],"format":"date-time","x-fd-type":"timestamp"}]' ]
	[ "$(rows t | jq -c 'del(._fd_id)')" = '{"i":7,"n":-1.5,"b":true,"f":false,"s":"x","ts":"2024-05-01T10:00:00Z","neg":-3,"e":1000}' ]
	run -0 check_types
	assert_output ''
}

@test "variants: dlt's docs example [{id: 1}, {id: \"idx-nr-456\"}] gives id bigint and id__v_text text" {
	run -0 --separate-stderr fd-normalize --sparse --stream t <<<'{"id": 1}
{"id": "idx-nr-456"}'
	[ "$(types t)" = "id:bigint _fd_id:text id__v_text:text" ]
	[ "$(rows t | jq -c 'del(._fd_id)' | tr -d '\n')" = '{"id":1}{"id__v_text":"idx-nr-456"}' ]
	# the first value decides: text first, then a number, is a variant too
	run -0 --separate-stderr fd-normalize --stream t <<<'{"id": "idx-nr-456"}
{"id": 1}'
	[ "$(types t)" = "id:text _fd_id:text id__v_bigint:bigint" ]
	run -0 check_types
	assert_output ''
}

@test "variants of every type go to <col>__v_<dlt type>, one column per type, reused" {
	run -0 --separate-stderr fd-normalize --sparse --stream t <<<'{"x": 1}
{"x": 2.5}
{"x": true}
{"x": "s"}
{"x": 9223372036854775808}
{"x": "t"}
{"x": 3}'
	[ "$(types t)" = "x:bigint _fd_id:text x__v_double:double x__v_bool:bool x__v_text:text x__v_decimal:decimal" ]
	[ "$(rows t | jq -r 'del(._fd_id) | keys[]' | tr '\n' ' ')" = "x x__v_double x__v_bool x__v_text x__v_decimal x__v_text x " ]
	# nothing is dropped: every value is in some column
	[ "$(grep -c '"type":"RECORD"' <<<"$output")" = 7 ]
	grep -F '"x__v_decimal":9223372036854775808,' <<<"$output"
	# a bool column: numbers are variants, not coerced
	run -0 --separate-stderr fd-normalize --stream t <<<'{"b": false}
{"b": 0}'
	[ "$(types t)" = "b:bool _fd_id:text b__v_bigint:bigint" ]
	run -0 check_types
	assert_output ''
}

@test "a text in a timestamp column is a __v_text variant; a date-time in a bigint column is __v_text, typed text, as written" {
	run -0 --separate-stderr fd-normalize --sparse --stream t <<<'{"ts": "2024-05-01T10:00:00Z"}
{"ts": "soon"}
{"ts": "2024-05-02T10:00:00+02:00"}'
	[ "$(types t)" = "ts:timestamp _fd_id:text ts__v_text:text" ]
	[ "$(rows t | jq -c 'del(._fd_id)' | tr -d '\n')" = '{"ts":"2024-05-01T10:00:00Z"}{"ts__v_text":"soon"}{"ts":"2024-05-02T08:00:00Z"}' ]
	run -0 --separate-stderr fd-normalize --sparse --stream t <<<'{"n": 5}
{"n": "2024-05-01T10:00:00+02:00"}'
	[ "$(types t)" = "n:bigint _fd_id:text n__v_text:text" ]
	[ "$(rows t | jq -c 'del(._fd_id)' | tail -n 1)" = '{"n__v_text":"2024-05-01T10:00:00+02:00"}' ]
}

@test "an integer fits a double column (no variant), written as the input wrote it" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"amount": 251.47}
{"amount": 200}
{"amount": -3}'
	[ "$(types t)" = "amount:double _fd_id:text" ]
	[ "$(grep '"type":"RECORD"' <<<"$output" | grep -o '"amount":[^,}]*' | tr '\n' ' ')" = '"amount":251.47 "amount":200 "amount":-3 ' ]
}

@test "int64 bounds: 2^63-1 and -2^63 are bigint; 2^63, -2^63-1 and larger are decimal, exact text" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"a": 9223372036854775807, "b": -9223372036854775808, "c": 9223372036854775808, "d": -9223372036854775809, "e": 123456789012345678901234567890123}'
	[ "$(types t)" = "a:bigint b:bigint c:decimal d:decimal e:decimal _fd_id:text" ]
	[ "$(schema t | jq -c '.schema.properties.c')" = '{"type":["number","null"],"x-fd-type":"decimal"}' ]
	record_of | grep -F '{"a":9223372036854775807,"b":-9223372036854775808,"c":9223372036854775808,"d":-9223372036854775809,"e":123456789012345678901234567890123,"_fd_id":'
	# an int64 fits a decimal column
	run -0 --separate-stderr fd-normalize --stream t <<<'{"c": 18446744073709551615}
{"c": 1}'
	[ "$(types t)" = "c:decimal _fd_id:text" ]
	grep -F '"record":{"c":18446744073709551615,' <<<"$output"
	grep -F '"record":{"c":1,' <<<"$output"
}

@test "floats are written exactly as the input wrote them" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"a": 0.1, "b": 1.0, "c": 3.14159265358979323846264338327950288, "d": 1E5, "e": -0.0, "f": 2.5e-7, "g": 1e400}'
	[ "$(types t)" = "a:double b:double c:double d:double e:double f:double g:double _fd_id:text" ]
	record_of | grep -F '{"a":0.1,"b":1.0,"c":3.14159265358979323846264338327950288,"d":1E5,"e":-0.0,"f":2.5e-7,"g":1e400,"_fd_id":'
}

@test "date-times become timestamp columns in UTC: offsets converted, naive taken as UTC, space or T, fraction kept" {
	run -0 --separate-stderr fd-normalize --stream t <<'EOF'
{"a": "2024-05-01T10:00:00Z", "b": "2024-05-01T12:00:00+02:00", "c": "2024-05-01T10:00:00.123+05:30", "d": "2024-05-01T00:30:00+01:00", "e": "2024-05-01 10:00", "f": "2024-05-01T10:00:00", "g": "2024-02-29T23:59:59-00:30", "h": "2024-12-31T23:00:00-01:00", "i": "2019-03-12T01:18:29.123456789Z", "j": "2024-05-01T10:00:00+0530"}
EOF
	[ "$(types t)" = "a:timestamp b:timestamp c:timestamp d:timestamp e:timestamp f:timestamp g:timestamp h:timestamp i:timestamp j:timestamp _fd_id:text" ]
	[ "$(rows t | jq -c 'del(._fd_id)')" = '{"a":"2024-05-01T10:00:00Z","b":"2024-05-01T10:00:00Z","c":"2024-05-01T04:30:00.123Z","d":"2024-04-30T23:30:00Z","e":"2024-05-01T10:00:00Z","f":"2024-05-01T10:00:00Z","g":"2024-03-01T00:29:59Z","h":"2025-01-01T00:00:00Z","i":"2019-03-12T01:18:29.123456789Z","j":"2024-05-01T04:30:00Z"}' ]
}

@test "not date-times stay text: date only, time only, out of range, RFC 2822, empty" {
	run -0 --separate-stderr fd-normalize --stream t <<'EOF'
{"a": "2024-05-01", "b": "22:00:00", "c": "1975-05-01T27:00:00Z", "d": "2023-02-29T00:00:00Z", "e": "Wed, 29 Jun 2022 13:56:34 +0000", "f": "", "g": "2024-05-01T10:00:00Zjunk", "h": "2024-13-01T00:00:00Z"}
EOF
	[ "$(types t)" = "a:text b:text c:text d:text e:text f:text g:text h:text _fd_id:text" ]
	[ "$(rows t | jq -c 'del(._fd_id)')" = '{"a":"2024-05-01","b":"22:00:00","c":"1975-05-01T27:00:00Z","d":"2023-02-29T00:00:00Z","e":"Wed, 29 Jun 2022 13:56:34 +0000","f":"","g":"2024-05-01T10:00:00Zjunk","h":"2024-13-01T00:00:00Z"}' ]
}

@test "a date-time string in a text column stays text, exactly as written" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"s": "hello"}
{"s": "2024-05-01T10:00:00+02:00"}'
	[ "$(types t)" = "s:text _fd_id:text" ]
	[ "$(rows t | jq -r .s | tail -n 1)" = "2024-05-01T10:00:00+02:00" ]
}

@test "SCHEMA before a table's first row, and again only when it gains a column (a variant too)" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"a": 1}
{"a": 2}
{"a": 3, "b": "x"}
{"b": "y"}
{"a": "text"}
{"a": 4}'
	[ "$(jq -r '.type' <<<"$output" | tr '\n' ' ')" = "SCHEMA RECORD RECORD SCHEMA RECORD RECORD SCHEMA RECORD RECORD " ]
	[ "$(jq -c 'select(.type == "SCHEMA") | .schema.properties | keys_unsorted' <<<"$output" | tr -d '\n')" = '["a","_fd_id"]["a","_fd_id","b"]["a","_fd_id","b","a__v_text"]' ]
	# a child table is announced by its own SCHEMA, before its first row
	run -0 --separate-stderr fd-normalize --stream t <<<'{"a": 1}
{"a": 2, "l": [1]}
{"a": 3, "l": [{"k": 1}]}'
	[ "$(jq -r '"\(.type) \(.stream)"' <<<"$output" | tr '\n' ',')" = "SCHEMA t,RECORD t,RECORD t,SCHEMA t__l,RECORD t__l,RECORD t,SCHEMA t__l,RECORD t__l," ]
	run -0 check_types
	assert_output ''
}

@test "no column for values that are always null, in root and child rows" {
	run -0 --separate-stderr fd-normalize --stream t <<<'{"a": 1, "z": null, "l": [{"k": 1, "m": null}]}
{"a": 2, "z": null, "l": [{"k": 2, "m": null}]}'
	[ "$(cols t)" = "a _fd_id" ]
	[ "$(cols t__l)" = "k _fd_root_id _fd_parent_id _fd_list_idx _fd_id" ]
	refute_output --partial '"z"'
	refute_output --partial '"m"'
}

@test "json columns: values kept by --max-nesting are typed json and written compact" {
	run -0 --separate-stderr fd-normalize --stream t --max-nesting 0 <<<'{"o": { "k" : [1, 2.50, "x"] }, "l": [ ], "n": 1}'
	[ "$(types t)" = "o:json l:json n:bigint _fd_id:text" ]
	[ "$(schema t | jq -c .schema.properties.o)" = '{"type":["object","array","null"],"x-fd-type":"json"}' ]
	record_of | grep -F '"record":{"o":{"k":[1,2.50,"x"]},"l":[],"n":1,'
	# a scalar into a json column is a variant
	run -0 --separate-stderr fd-normalize --stream t --max-nesting 0 <<<'{"o": {"k": 1}}
{"o": 5}'
	[ "$(types t)" = "o:json _fd_id:text o__v_bigint:bigint" ]
}

@test "every row matches its SCHEMA across a mixed batch of records" {
	run -0 --separate-stderr fd-normalize --stream t <<'EOF'
{"id": 1, "a": 1, "t": "2024-05-01T10:00:00Z", "l": [1, "x", {"k": true}, [2.5]], "o": {"p": null, "q": [null]}}
{"id": 2, "a": "s", "t": "later", "l": [{"k": 1}, null], "o": {"p": 1.5, "q": ["2024-05-01 10:00"]}}
{"id": 3, "a": 2.5, "t": 5, "l": [[["deep"]]], "o": {"p": 7, "q": [false]}}
EOF
	run -0 check_types
	assert_output ''
	run -0 --separate-stderr fd-normalize --stream t <<'EOF'
{"id": 1, "a": 1, "t": "2024-05-01T10:00:00Z", "l": [1, "x", {"k": true}, [2.5]], "o": {"p": null, "q": [null]}}
{"id": 2, "a": "s", "t": "later", "l": [{"k": 1}, null], "o": {"p": 1.5, "q": ["2024-05-01 10:00"]}}
{"id": 3, "a": 2.5, "t": 5, "l": [[["deep"]]], "o": {"p": 7, "q": [false]}}
EOF
	run -0 check_links
	assert_output ''
}
