#!/usr/bin/env bats
# A full disk under PostgreSQL (issue 8): the throwaway server's
# tables in a tablespace on a small tmpfs that fills up while fd-load
# copies into it (the server's WAL stays on the big disk, so a commit
# can still happen).  fd-load must stop with one clear line naming the
# table and a non-zero status, and lose nothing it had committed: every
# row the state file covers is in the table, the state file and
# _fd_state are a committed state, never ahead of the data.  With room
# again, a re-run of the same input converges.  Needs root for mount -t
# tmpfs; skipped otherwise.

setup() {
	load ../common
	load ../pg
	T="$BATS_TEST_TMPDIR"
	# the mount point outside the server's directory (pg_stop removes
	# that) and open to the server's user
	MNTDIR=$(mktemp -d /tmp/fd-pgdisk.XXXXXX)
	chmod 0755 "$MNTDIR"
	if ! mount -t tmpfs -o "size=1m,mode=0700,uid=$(id -u postgres 2>/dev/null || id -u)" \
	    fdpgdisk "$MNTDIR" 2>/dev/null; then
		rmdir "$MNTDIR"
		skip "cannot mount a tmpfs here (needs root)"
	fi
	MNT=$MNTDIR
	pg_start
	q "CREATE TABLESPACE small LOCATION '$MNT'"
	q "ALTER DATABASE fd SET default_tablespace = small"
}

teardown() {
	pg_stop
	if [ -n "${MNT:-}" ]; then
		umount "$MNT" || umount -l "$MNT"
		rmdir "$MNT"
	fi
}

q() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -c "$1"
}

SCHEMA='{"type":"SCHEMA","stream":"t","schema":{"type":"object","properties":{"id":{"type":"integer"},"body":{"type":"string"}}},"key_properties":["id"]}'

# rows FIRST LAST: through fd-normalize, a SCHEMA, then RECORDs
# FIRST..LAST of 1 KiB each, a STATE {"last":ID} after every 50th
rows() {
	{
		echo "$SCHEMA"
		awk -v a="$1" -v b="$2" 'BEGIN {
		    pad = sprintf("%1000s", ""); gsub(/ /, "x", pad)
		    for (i = a; i <= b; i++) {
		        printf "{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{\"id\":%d,\"body\":\"%d%s\"}}\n", i, i, pad
		        if (i % 50 == 0)
		            printf "{\"type\":\"STATE\",\"value\":{\"last\":%d}}\n", i
		    } }'
	} | fd-normalize
}

# covered LAST: every id up to LAST is in table t, once
covered() {
	local n
	[[ "$1" =~ ^[0-9]+$ ]]
	n=$(q "SELECT count(*) FROM t WHERE id <= $1")
	[ "$n" -eq "$1" ] || { echo "state covers $1 rows, table has $n" >&2; return 1; }
}

@test "disk: PostgreSQL's tablespace fills up: one line naming the table, non-zero, committed rows and state kept; a re-run converges" {
	rows 1 100 >"$T/in1"
	run -0 --separate-stderr fd-load -t "$FD_PG_URL" -s "$T/state" "$T/in1"
	[ "$(jq -r .last "$T/state")" = 100 ]
	rows 101 3000 >"$T/in2"
	run --separate-stderr fd-load -t "$FD_PG_URL" -s "$T/state" "$T/in2"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ] || { echo "stderr: $stderr" >&2; return 1; }
	[[ "$stderr" == "fd-load: postgresql: t: "*"No space left on device"* ]] ||
	    { echo "stderr: $stderr" >&2; return 1; }
	# the state file is a committed state: the table holds what it
	# covers, and nothing of the failed batch
	local last dblast
	last=$(jq -r .last "$T/state")
	[ "$last" -ge 100 ] && [ "$last" -lt 3000 ]
	covered "$last"
	# _fd_state is committed with the data, the file after it: equal,
	# or one commit ahead of the file, never ahead of the table
	dblast=$(q "SELECT state FROM _fd_state" | jq -r .last)
	[ "$dblast" -ge "$last" ]
	covered "$dblast"
	[ "$(q 'SELECT count(*) FROM t')" -eq "$dblast" ]
	# room again: the same input converges, each row once
	mount -o remount,size=64m "$MNT"
	run -0 --separate-stderr fd-load -t "$FD_PG_URL" -s "$T/state" "$T/in2"
	[ "$(jq -r .last "$T/state")" = 3000 ]
	[ "$(q 'SELECT count(*), count(DISTINCT id), max(id) FROM t')" = "3000|3000|3000" ]
	[ "$(q "SELECT state FROM _fd_state" | jq -c .)" = '{"last":3000}' ]
}
