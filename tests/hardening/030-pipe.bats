#!/usr/bin/env bats
# A reader that closes the pipe early (issue 8): `fd-fetch | head -1`.
# Each program stops at once, quietly (no message: the reader chose to
# stop), with a non-zero status (SIGPIPE's 141 or an error exit), and
# with nothing committed lost.

setup_file() {
	load ../common
	load ../sim/sim
	sim_start --tickets 600 --contacts 50 --rate-total 1000000
}

teardown_file() {
	sim_stop
}

setup() {
	load ../common
	load ../sim/sim
	T="$BATS_TEST_TMPDIR"
}

# quiet_stop NAME STATUS: NAME ended non-zero, printed nothing on stderr
# ($T/NAME.err), and not by a crash (no core signal: 128 + SEGV, ABRT...)
quiet_stop() {
	local name="$1" st="$2"
	[ "$st" -ne 0 ] || { echo "$name exited 0" >&2; return 1; }
	case $st in
	134|135|136|139) echo "$name crashed ($st)" >&2; return 1 ;;
	esac
	[ ! -s "$T/$name.err" ] || { echo "$name said: $(cat "$T/$name.err")" >&2; return 1; }
}

@test "pipe: the check tells a quiet stop from a noisy or successful one" {
	echo 'fd-fetch: <stdout>: Broken pipe' >"$T/x.err"
	run ! quiet_stop x 1
	: >"$T/x.err"
	run ! quiet_stop x 0
	run ! quiet_stop x 139
	quiet_stop x 141
}

@test "pipe: fd-fetch | head -1: fd-fetch stops quietly, non-zero, at once" {
	local st
	SECONDS=0
	fd-fetch tickets contacts 2>"$T/fetch.err" | head -1 >"$T/out"
	st=("${PIPESTATUS[@]}")
	[ "$SECONDS" -lt 20 ]
	[ "$(wc -l <"$T/out")" -eq 1 ]
	quiet_stop fetch "${st[0]}"
}

@test "pipe: fd-fetch --raw | head -1 stops quietly, non-zero" {
	fd-fetch --raw tickets 2>"$T/raw.err" | head -1 >"$T/out"
	st=("${PIPESTATUS[@]}")
	[ "$(jq -r .id "$T/out")" -gt 0 ]
	quiet_stop raw "${st[0]}"
}

@test "pipe: fd-normalize | head -1 stops quietly, non-zero" {
	fd-fetch tickets >"$T/stream"
	fd-normalize "$T/stream" 2>"$T/norm.err" | head -1 >"$T/out"
	st=("${PIPESTATUS[@]}")
	[ "$(jq -r .type "$T/out")" = SCHEMA ]
	quiet_stop norm "${st[0]}"
}

@test "pipe: fd-load --emit-state | head -1: stops quietly, what it printed is committed" {
	fd-fetch tickets | fd-normalize >"$T/stream"
	[ "$(grep -c '"type":"STATE"' "$T/stream")" -gt 1 ]
	fd-load --emit-state --batch-rows 1 -t "sqlite:$T/db" -s "$T/state" "$T/stream" \
	    2>"$T/load.err" | head -1 >"$T/out"
	st=("${PIPESTATUS[@]}")
	quiet_stop load "${st[0]}"
	# the state it printed was committed with its data before
	[ -s "$T/state" ]
	jq -e . "$T/out" >/dev/null
	[ "$(sqlite3 "$T/db" 'select count(*) from tickets')" -gt 0 ]
	[ "$(sqlite3 "$T/db" 'pragma integrity_check')" = ok ]
}
