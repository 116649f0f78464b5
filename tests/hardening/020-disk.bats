#!/usr/bin/env bats
# A full disk under fd-load (issue 8): the destination or the state file
# on a small tmpfs that fills up.  fd-load must stop with one clear line
# on stderr and a non-zero status, and lose nothing it had committed:
# every row the state file covers is still in the destination, the state
# file is whole (the old one or a newer committed one), no temporary
# file is left behind.  Needs root for mount -t tmpfs; skipped otherwise.

setup() {
	load ../common
	T="$BATS_TEST_TMPDIR"
	mkdir "$T/mnt"
	if ! mount -t tmpfs -o size=640k,mode=0700 fdtest "$T/mnt" 2>/dev/null; then
		skip "cannot mount a tmpfs here (needs root)"
	fi
	MNT="$T/mnt"
}

teardown() {
	if [ -n "${MNT:-}" ]; then
		umount "$MNT" || umount -l "$MNT"
	fi
}

SCHEMA='{"type":"SCHEMA","stream":"t","schema":{"type":"object","properties":{"id":{"type":"integer"},"body":{"type":"string"}}},"key_properties":["id"]}'

# rows FIRST LAST: a SCHEMA, then RECORDs FIRST..LAST of 1 KiB each, a
# STATE {"last":ID} after every 50th
rows() {
	echo "$SCHEMA"
	awk -v a="$1" -v b="$2" 'BEGIN {
	    pad = sprintf("%1000s", ""); gsub(/ /, "x", pad)
	    for (i = a; i <= b; i++) {
	        printf "{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{\"id\":%d,\"body\":\"%d%s\"}}\n", i, i, pad
	        if (i % 50 == 0)
	            printf "{\"type\":\"STATE\",\"value\":{\"last\":%d}}\n", i
	    } }'
}

# covered DB STATE: every id up to the state's "last" is in table t
covered() {
	local last n
	last=$(jq -r .last "$2")
	[[ "$last" =~ ^[0-9]+$ ]]
	n=$(sqlite3 "$1" "select count(*) from t where id <= $last")
	[ "$n" -eq "$last" ] || { echo "state covers $last rows, db has $n" >&2; return 1; }
}

# one_clear_line: $stderr is one line of fd-load's about the full disk
one_clear_line() {
	[ "${#stderr_lines[@]}" -eq 1 ] || { echo "stderr: $stderr" >&2; return 1; }
	[[ "$stderr" == fd-load:* ]]
	[[ "${stderr,,}" == *full* || "${stderr,,}" == *"no space"* ]] ||
	    { echo "stderr: $stderr" >&2; return 1; }
}

@test "disk: the checks see a state that covers rows the database lacks" {
	rows 1 100 | fd-load -t "sqlite:$T/db" -s "$T/state"
	covered "$T/db" "$T/state"
	sqlite3 "$T/db" 'delete from t where id = 7'
	run ! covered "$T/db" "$T/state"
}

@test "disk: SQLite destination fills up: one line, non-zero, committed rows kept" {
	rows 1 100 >"$T/in1"
	run -0 --separate-stderr fd-load -t "sqlite:$MNT/db" -s "$T/state" "$T/in1"
	[ "$(jq -r .last "$T/state")" = 100 ]
	rows 101 3000 >"$T/in2"
	run --separate-stderr fd-load -t "sqlite:$MNT/db" -s "$T/state" "$T/in2"
	[ "$status" -ne 0 ]
	one_clear_line
	[ "$(sqlite3 "$MNT/db" 'pragma integrity_check')" = ok ]
	covered "$MNT/db" "$T/state"
	# the database's own record of the state agrees with the file or is
	# ahead of it (it is committed first)
	local last
	last=$(jq -r .last "$T/state")
	[ "$last" -ge 100 ] && [ "$last" -lt 3000 ]
	# once there is room again, a re-run of the same input converges
	run -0 --separate-stderr fd-load -t "sqlite:$T/db2" -s "$T/state2" "$T/in1"
}

@test "disk: the state file's disk fills up: one line, non-zero, old state whole, no temp file" {
	rows 1 100 >"$T/in1"
	run -0 --separate-stderr fd-load -t "sqlite:$T/db" -s "$MNT/state" "$T/in1"
	cp "$MNT/state" "$T/state.before"
	# fill the tmpfs to the last block
	dd if=/dev/zero of="$MNT/filler" bs=4k 2>/dev/null || :
	[ "$(df --output=avail -k "$MNT" | tail -1 | tr -d ' ')" -eq 0 ]
	rows 101 300 >"$T/in2"
	run --separate-stderr fd-load -t "sqlite:$T/db" -s "$MNT/state" "$T/in2"
	[ "$status" -ne 0 ]
	one_clear_line
	[[ "$stderr" == *"$MNT/state"* ]]	# names the file
	cmp "$MNT/state" "$T/state.before"	# the old state, whole
	[ "$(ls -A "$MNT" | sort | tr '\n' ' ')" = "filler state state.lock " ]
	# the data may be ahead of the state file, never behind
	covered "$T/db" "$MNT/state"
}

@test "disk: a csv destination fills up: one line, non-zero, committed files kept" {
	rows 1 100 >"$T/in1"
	run -0 --separate-stderr fd-load -t "csv:$MNT/csv" -s "$T/state" "$T/in1"
	# the data files (the lock and the manifest change with each run)
	sums() {
		(cd "$MNT/csv" && find . -type f \( -name '[0-9]*.csv' -o \
		    -name schema.json \) -exec sha256sum {} + | sort)
	}
	sums >"$T/sums.before"
	[ "$(wc -l <"$T/sums.before")" -eq 2 ]
	rows 101 3000 >"$T/in2"
	run --separate-stderr fd-load --batch-rows 100 -t "csv:$MNT/csv" -s "$T/state" "$T/in2"
	[ "$status" -ne 0 ]
	one_clear_line
	# every committed file is still there, unchanged
	sums >"$T/sums.after"
	[ -z "$(comm -23 "$T/sums.before" "$T/sums.after")" ]
	# the committed files hold every row the state covers
	local last n
	last=$(jq -r .last "$T/state")
	[ "$last" -ge 100 ] && [ "$last" -lt 3000 ]
	n=$(find "$MNT/csv/t" -name '[0-9]*.csv' -exec cat {} + | grep -c '^[0-9]')
	[ "$n" -ge "$last" ]
	# the partial file of the failed commit goes at the next open
	run -0 --separate-stderr fd-load -t "csv:$MNT/csv" </dev/null
	[ -z "$(find "$MNT/csv" -name '.*.tmp')" ]
}
