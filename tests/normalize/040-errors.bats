#!/usr/bin/env bats
# fd-normalize: bad input (DESIGN.md section 6): one line on stderr,
# "fd-normalize: FILE:LINE: reason", exit 1, every row of the lines
# before it on stdout; and input that must work (long lines, no final
# newline, CRLF, blank lines, several files).

setup() {
	load ../common
	load ../fixtures/normalize/helpers
}

@test "invalid JSON on line 3: message with <stdin>:3, exit 1, the rows of lines 1-2 on stdout" {
	run -1 --separate-stderr fd-normalize --stream t --key id <<'EOF'
{"id": 1, "tags": ["a"]}
{"id": 2}
{"id": 3, oops}
{"id": 4}
EOF
	[ "${#stderr_lines[@]}" = 1 ]
	[[ "$stderr" == "fd-normalize: <stdin>:3: invalid JSON"* ]]
	[ "$(rows t | jq -r .id | tr '\n' ' ')" = "1 2 " ]
	[ "$(nrows t__tags)" = 1 ]
	refute_output --partial '"id":3'
	refute_output --partial '"id":4'
	# and in Singer mode, after a STATE, the rows after the STATE too
	run -1 --separate-stderr fd-normalize <<EOF
$TICKETS_SCHEMA
{"type":"RECORD","stream":"tickets","record":{"id":1}}
{"type":"STATE","value":1}
{"type":"RECORD","stream":"tickets","record":{"id":2}}
{"type":"RECORD","stream":"tickets","record":{"id":3}
EOF
	[[ "$stderr" == "fd-normalize: <stdin>:5: "* ]]
	[ "$(jq -r '.type' <<<"$output" | tr '\n' ' ')" = "SCHEMA RECORD STATE RECORD " ]
}

@test "errors name the file operand and its line; a truncated last line is reported too" {
	f=$BATS_TEST_TMPDIR/bad.ndjson
	printf '%s\n' '{"id": 1}' '' '{"id": 2, "x": [1, 2}' >"$f"
	run -1 --separate-stderr fd-normalize --stream t "$f"
	[[ "$stderr" == "fd-normalize: $f:3: invalid JSON"* ]]
	[ "$(nrows t)" = 1 ]
	printf '%s\n' '{"id": 1}' >"$f"
	printf '%s' '{"id": 2, "subj' >>"$f"
	run -1 --separate-stderr fd-normalize --stream t "$f"
	[[ "$stderr" == "fd-normalize: $f:2: "* ]]
	[ "${#stderr_lines[@]}" = 1 ]
	[ "$(nrows t)" = 1 ]
}

@test "a line that is not an object: 'expected a JSON object', exit 1" {
	for line in '[1, 2]' '5' '"text"' 'null'; do
		run -1 --separate-stderr fd-normalize --stream t <<<"{\"id\": 1}
$line"
		[ "$stderr" = "fd-normalize: <stdin>:2: expected a JSON object" ]
		[ "$(nrows t)" = 1 ]
	done
	run -1 --separate-stderr fd-normalize <<<'[{"type":"STATE","value":1}]'
	[ "$stderr" = "fd-normalize: <stdin>:1: expected a JSON object" ]
	[ -z "$output" ]
}

@test "invalid UTF-8 (a byte \\xff) is rejected, in a value, a key and a passed-through message" {
	run -1 --separate-stderr fd-normalize --stream t < <(printf '{"id": 1}\n{"a": "x\xffy"}\n')
	[[ "$stderr" == "fd-normalize: <stdin>:2: invalid UTF-8"* ]]
	[ "$(nrows t)" = 1 ]
	run -1 --separate-stderr fd-normalize --stream t < <(printf '{"a\xff": 1}\n')
	[[ "$stderr" == "fd-normalize: <stdin>:1: invalid UTF-8"* ]]
	[ -z "$output" ]
	run -1 --separate-stderr fd-normalize < <(printf '{"type":"STATE","value":"\xfe\xff"}\n')
	[[ "$stderr" == "fd-normalize: <stdin>:1: invalid UTF-8"* ]]
	[ -z "$output" ]
	# an overlong encoding and a lone surrogate escape's bytes
	run -1 --separate-stderr fd-normalize --stream t < <(printf '{"a": "\xc0\xaf"}\n')
	[[ "$stderr" == "fd-normalize: <stdin>:1: invalid UTF-8"* ]]
	run -1 --separate-stderr fd-normalize --stream t < <(printf '{"a": "\xed\xa0\x80"}\n')
	[[ "$stderr" == "fd-normalize: <stdin>:1: invalid UTF-8"* ]]
}

@test "a plain record without --stream is an error; so is a lower-case message type" {
	run -1 --separate-stderr fd-normalize <<<'{"id": 1, "type": "Problem"}'
	[ "$stderr" = "fd-normalize: <stdin>:1: not a Singer message (for plain records use --stream NAME)" ]
	[ -z "$output" ]
	run -1 --separate-stderr fd-normalize <<<'{"type": "state", "value": 1}'
	[[ "$stderr" == "fd-normalize: <stdin>:1: not a Singer message"* ]]
	run -1 --separate-stderr fd-normalize <<<'{"id": 1}'
	[[ "$stderr" == "fd-normalize: <stdin>:1: not a Singer message"* ]]
}

@test "a RECORD without an object record is an error, not passed through as an unknown message" {
	for line in '{"type":"RECORD","stream":"t","record":[1]}' '{"type":"RECORD","stream":"t"}' '{"type":"RECORD","record":{"id":1}}'; do
		run -1 --separate-stderr fd-normalize <<<"$line"
		[[ "$stderr" == "fd-normalize: <stdin>:1: "* ]]
		[ -z "$output" ]
	done
}

@test "a file operand that does not exist: fd-normalize: FILE: reason, exit 1" {
	run -1 --separate-stderr fd-normalize --stream t "$BATS_TEST_TMPDIR/missing.ndjson"
	[ "$stderr" = "fd-normalize: $BATS_TEST_TMPDIR/missing.ndjson: No such file or directory" ]
	[ -z "$output" ]
}

@test "a missing file after a good one: the good file's rows are on stdout before the error" {
	good=$BATS_TEST_TMPDIR/good.ndjson
	printf '%s\n' '{"id": 1}' '{"id": 2}' >"$good"
	run -1 --separate-stderr fd-normalize --stream t "$good" "$BATS_TEST_TMPDIR/missing.ndjson"
	[ "$stderr" = "fd-normalize: $BATS_TEST_TMPDIR/missing.ndjson: No such file or directory" ]
	[ "$(rows t | jq -r .id | tr '\n' ' ')" = "1 2 " ]
}

@test "several operands and - are read in order as one stream" {
	a=$BATS_TEST_TMPDIR/a.ndjson
	b=$BATS_TEST_TMPDIR/b.ndjson
	printf '%s\n' '{"id": 1}' >"$a"
	printf '%s\n' '{"id": 3, "n": 1}' >"$b"
	run -0 --separate-stderr fd-normalize --stream t "$a" - "$b" <<<'{"id": 2}'
	[ "$(rows t | jq -r .id | tr '\n' ' ')" = "1 2 3 " ]
	[ "$(jq -r 'select(.type == "SCHEMA") | .stream' <<<"$output" | wc -l)" = 2 ]
}

@test "a 5 MB line works, with a thousand-element list" {
	f=$BATS_TEST_TMPDIR/big.ndjson
	jq -nc '{id: 1, body: ("0123456789" * 500000), tags: [range(1000) | "t\(.)"]}' >"$f"
	echo '{"id": 2}' >>"$f"
	[ "$(wc -c <"$f")" -gt 5000000 ]
	run -0 --separate-stderr fd-normalize --stream t --key id "$f"
	[ -z "$stderr" ]
	[ "$(rows t | jq -r '"\(.id) \(.body // "" | length)"' | tr '\n' ' ')" = "1 5000000 2 0 " ]
	[ "$(nrows t__tags)" = 1000 ]
	[ "$(rows t__tags | tail -n 1 | jq -c '[.value, ._fd_list_idx]')" = '["t999",999]' ]
}

@test "no final newline, CRLF line ends and blank lines are fine" {
	run -0 --separate-stderr fd-normalize --sparse --stream t < <(printf '{"id": 1}\r\n\r\n   \n\n{"id": 2, "s": "a"}\r\n{"id": 3}')
	[ -z "$stderr" ]
	[ "$(rows t | jq -c 'del(._fd_id)' | tr -d '\n')" = '{"id":1}{"id":2,"s":"a"}{"id":3}' ]
	run -0 --separate-stderr fd-normalize --stream t </dev/null
	[ -z "$output" ]
}

@test "--jq errors: a runtime error and a non-object result name the line, exit 1" {
	run -1 --separate-stderr fd-normalize --stream t --jq '.a.b as $x | .' <<<'{"a": {"b": 1}}
{"a": 5}'
	# (the first line: a SAN=1 build adds LeakSanitizer's report of
	# libjq's memory, as fd-normalize exits without jq_teardown)
	[[ "${stderr_lines[0]}" == 'fd-normalize: <stdin>:2: --jq: Cannot index number with '*'"b"' ]]
	[ "$(nrows t)" = 1 ]
	run -1 --separate-stderr fd-normalize --stream t --jq '.a' <<<'{"a": {"b": 1}}
{"a": [1]}'
	[ "${stderr_lines[0]}" = 'fd-normalize: <stdin>:2: --jq: the filter gave an array, not an object' ]
	[ "$(nrows t)" = 1 ]
}

@test "a line that fails writes none of its rows (--jq yielding a row, then an error)" {
	run -1 --separate-stderr fd-normalize --stream t --key id --jq 'if .id == 2 then (., error("boom")) else . end' <<<'{"id": 1}
{"id": 2}'
	[ "${stderr_lines[0]}" = 'fd-normalize: <stdin>:2: --jq: boom' ]
	[ "$(rows t | jq -r .id | tr '\n' ' ')" = "1 " ]
}

@test "--jq that does not compile: usage error (exit 2), diagnostics all fd-normalize's" {
	run -2 --separate-stderr fd-normalize --stream t --jq '.[' <<<'{}'
	[ -z "$output" ]
	# one line, libjq's reason under fd-normalize's name
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-normalize: --jq: syntax error, "* ]]
}
