#!/usr/bin/env bats
# fd-normalize against jq(1) (jq 1.6: libjq) on generated and fuzzed
# records (issue 5): the same values on valid JSON, except integers
# beyond 2^53, which only ours keeps exact; every line jq rejects is
# rejected with "fd-normalize: FILE:1: ..."; invalid UTF-8 is rejected
# by ours only.  lib/jscan's own differential test (tests/unit,
# jscan_libjq) covers the scanner with a strict referee.
#
# With --max-nesting 0 a record is one row whose values are its members
# as written (objects and lists whole, as json), less null members;
# a member whose type changes goes to a __v_<type> variant column.

setup() {
	load ../common
	load ../fixtures/normalize/helpers
	export LC_ALL=C
}

# rebuilt FILE: the records of fd-normalize's output FILE, variants
# folded back into their members, keys sorted, one a line.
rebuilt() {
	jq -cS 'select(.type == "RECORD") | .record | del(._fd_id) |
	    with_entries(select(.value != null) |
	    .key |= sub("__v_[a-z]+$"; ""))' "$1"
}

# jq's reading of FILE: its objects, null members dropped, keys sorted.
jq_read() {
	jq -cS 'with_entries(select(.value != null))' "$1"
}

@test "differential: 2,000 generated records: fd-normalize's rows hold jq's values; big integers exact, as written" {
	awk -v seed=5 -v n=2000 -f "$NFX/gen.awk" >"$BATS_TEST_TMPDIR/in"
	# the corpus is what the test is about
	[ "$(grep -cE '[0-9]{17}' "$BATS_TEST_TMPDIR/in")" -gt 100 ]
	[ "$(grep -c '\\u' "$BATS_TEST_TMPDIR/in")" -gt 500 ]
	run -0 jq -c . "$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr fd-normalize --stream t --max-nesting 0 \
	    "$BATS_TEST_TMPDIR/in"
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	[ "$(nrows t)" = 2000 ]
	rebuilt "$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/ours"
	jq_read "$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/theirs"
	run diff "$BATS_TEST_TMPDIR/theirs" "$BATS_TEST_TMPDIR/ours"
	assert_success
	# jq reads both sides through doubles; the text shows ours exact:
	# every long integer of the input in the rows (dense rows hold the
	# columns in their SCHEMA's order, not the record's)
	grep -oE -- '-?[0-9]{16,}' "$BATS_TEST_TMPDIR/in" | sort >"$BATS_TEST_TMPDIR/nin"
	grep '"type":"RECORD"' "$BATS_TEST_TMPDIR/out" |
	    grep -oE -- '-?[0-9]{16,}' | sort >"$BATS_TEST_TMPDIR/nout"
	run diff "$BATS_TEST_TMPDIR/nin" "$BATS_TEST_TMPDIR/nout"
	assert_success
	grep -qx 9007199254740993 "$BATS_TEST_TMPDIR/nout"
	# which jq does not keep
	[ "$(jq -c . <<<'[9007199254740993]')" != '[9007199254740993]' ]
}

@test "differential: 300 fuzzed records: what jq rejects fd-normalize rejects (FILE:1, exit 1); what it accepts jq reads alike; invalid UTF-8 only ours rejects" {
	local d=$BATS_TEST_TMPDIR i f s jqok fdok utf8=0 lax=0 notobj=0 same=0
	awk -v seed=7 -v n=300 -f "$NFX/gen.awk" >"$d/valid"
	awk -v seed=8 -v mutate=1 -f "$NFX/gen.awk" "$d/valid" >"$d/mutants"
	i=0
	while IFS= read -r s; do
		i=$((i + 1))
		f=$d/m$i
		printf '%s\n' "$s" >"$f"
		jqok=0 fdok=0
		jq -cs . "$f" >"$f.jq" 2>/dev/null && jqok=1
		fd-normalize --stream t --max-nesting 0 "$f" >"$f.fd" \
		    2>"$f.err" && fdok=1
		if [ $fdok = 1 ]; then
			# accepted: jq reads the same one object (or, for a
			# blank line, nothing); its values are compared, as a
			# mutated key may be one that snake_case renames
			[ -s "$f.err" ] && { echo "m$i: stderr"; cat "$f.err"; return 1; }
			[ $jqok = 1 ] || { echo "m$i: jq rejects what we accept: $s"; return 1; }
			[ "$(jq -cS '.[] | [.[] | select(. != null)] | sort' "$f.jq")" = \
			    "$(rebuilt "$f.fd" | jq -cS '[.[]] | sort')" ] ||
			    { echo "m$i: values differ: $s"; return 1; }
			same=$((same + 1))
			continue
		fi
		# rejected: one line naming the file and line, nothing out
		[ ! -s "$f.fd" ] || { echo "m$i: rows of a bad line"; return 1; }
		[ "$(wc -l <"$f.err")" = 1 ] &&
		    grep -q "^fd-normalize: $f:1: " "$f.err" ||
		    { echo "m$i: message"; cat "$f.err"; return 1; }
		[ $jqok = 1 ] || continue
		# jq accepts what we reject: a value that is not one object,
		# invalid UTF-8 (libjq writes U+FFFD), or one of libjq's
		# laxities that lib/jscan's unit test referees
		if [ "$(jq -c 'length == 1 and (.[0] | type) == "object"' "$f.jq")" != true ]; then
			notobj=$((notobj + 1))
		elif ! iconv -f UTF-8 -t UTF-8 "$f" >/dev/null 2>&1; then
			grep -q 'invalid UTF-8' "$f.err" ||
			    { echo "m$i: not invalid UTF-8"; cat "$f.err"; return 1; }
			utf8=$((utf8 + 1))
		else
			grep -q 'invalid JSON at byte' "$f.err" ||
			    { echo "m$i: not invalid JSON"; cat "$f.err"; return 1; }
			lax=$((lax + 1))
		fi
	done <"$d/mutants"
	echo "# accepted alike $same, jq-only: invalid UTF-8 $utf8, not one object $notobj, other $lax" >&3
	[ $i = 300 ]
	# the fuzzing reaches each case
	[ $same -gt 10 ] && [ $utf8 -gt 5 ]
	[ $((i - same)) -gt 150 ]
}
