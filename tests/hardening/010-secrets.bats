#!/usr/bin/env bats
# Secrets hygiene across the whole pipeline (issue 8): under every
# failure mode, with -v wherever a program has it, neither the API key
# nor its Basic-auth base64 forms appear on any program's stdout or
# stderr, in any file written (state, SQLite database and journals, csv),
# or in the command line of any process while the pipeline runs; and the
# state file and the SQLite database are created 0600 whatever the umask.
# (tests/fetch/060-secrets.bats covers fd-fetch's own output in detail.)

setup_file() {
	load ../common
	export FDSIM_API_KEY="fdk-Hd7Qp2Vx9Lm4Tz8Rw1"
	load ../sim/sim
	export FD_FETCH_RETRY_MS=5
	sim_start --tickets 120 --contacts 40 --companies 10 --agents 4 \
	    --groups 3 --burst 10 --rate-total 1000000
}

teardown_file() {
	sim_stop
}

setup() {
	load ../common
	load ../sim/sim
	load hardening
	sim_ctl POST faults '[]' >/dev/null
	KEY="$FDSIM_API_KEY"
	WRONG="fdk-Wrong3Kb6Nc9Pd2Qe5"
	T="$BATS_TEST_TMPDIR"
	umask 022
}

# pipeline DIR [fd-fetch endpoints...]: fd-fetch -v | fd-normalize |
# fd-load -v into DIR (SQLite and a state file there), every stream in
# a file of DIR, the command lines of all processes sampled meanwhile
# into DIR/ps.  Sets rc_fetch, rc_norm, rc_load.
pipeline() {
	local d="$1"
	shift
	mkdir -p "$d"
	ps_watch "$d/ps" &
	local watcher=$!
	set +e
	fd-fetch -v -s "$d/state" "$@" 2>"$d/fetch.err" |
	    fd-normalize 2>"$d/norm.err" |
	    fd-load -v -t "sqlite:$d/db" -s "$d/state" \
	    >"$d/load.out" 2>"$d/load.err"
	local st=("${PIPESTATUS[@]}")
	set -e
	touch "$d/ps.stop"
	wait "$watcher"
	rc_fetch=${st[0]} rc_norm=${st[1]} rc_load=${st[2]}
}

@test "secrets: the scan finds a planted key in each form (the checks can fail)" {
	local s
	mkdir "$T/c"
	while IFS= read -r s; do
		printf 'x%sy' "$s" >"$T/c/f"
		run ! scan_secrets "$KEY" "$T/c"
	done < <(secret_forms "$KEY")
	rm "$T/c/f"
	run scan_secrets "$KEY" "$T/c"
	# the sampler sees another process's command line
	ps_watch "$T/ps" &
	local w=$! p i
	sleep 37 &
	p=$!
	for ((i = 0; i < 6000; i++)); do
		grep -q 'sleep 37' "$T/ps" && break
		sleep 0.01
	done
	kill "$p"
	touch "$T/ps.stop"
	wait "$w"
	grep -q 'sleep 37' "$T/ps"
}

@test "secrets: a successful verbose pipeline: no key anywhere, files 0600" {
	# the first request held until the sampler has seen fd-fetch running
	sim_ctl POST faults '[{"kind":"hold","nth":1}]' >/dev/null
	(
		sim_wait_held 1
		for ((i = 0; i < 6000; i++)); do
			grep -q 'fd-fetch -v' "$T/ok/ps" 2>/dev/null && break
			sleep 0.01
		done
		sim_ctl POST release >/dev/null
	) &
	local releaser=$!
	pipeline "$T/ok" groups tickets contacts
	wait "$releaser"
	[ "$rc_fetch$rc_norm$rc_load" = 000 ]
	[ -s "$T/ok/fetch.err" ]	# -v said something
	[ "$(sqlite3 "$T/ok/db" 'select count(*) from tickets')" -gt 0 ]
	grep -q 'fd-fetch -v' "$T/ok/ps"	# it was seen running
	scan_secrets "$KEY" "$T/ok"
	[ "$(stat -c %a "$T/ok/state")" = 600 ]
	[ "$(stat -c %a "$T/ok/db")" = 600 ]
	# the key is in fd-fetch's environment only, never in argv
	! grep -qF -- "$KEY" "$T/ok/ps"
}

@test "secrets: a wrong key: the pipeline fails, neither key shows" {
	FRESHDESK_API_KEY="$WRONG" pipeline "$T/wrong" groups tickets
	[ "$rc_fetch" -ne 0 ]
	grep -q 'HTTP 401' "$T/wrong/fetch.err"
	scan_secrets "$WRONG" "$T/wrong"
	scan_secrets "$KEY" "$T/wrong"
}

@test "secrets: a 5xx storm until retries run out: no key shows" {
	sim_ctl POST faults '[{"kind":"503"}]' >/dev/null
	pipeline "$T/5xx" groups
	[ "$rc_fetch" -ne 0 ]
	[ -s "$T/5xx/fetch.err" ]
	scan_secrets "$KEY" "$T/5xx"
}

@test "secrets: resets, truncated bodies, 5xx then success: no key shows" {
	sim_ctl POST faults '[
	    {"kind":"reset","nth":[1]},
	    {"kind":"truncate","nth":[2]},
	    {"kind":"502","nth":[3]},
	    {"kind":"500","nth":[5]}]' >/dev/null
	pipeline "$T/flaky" groups tickets
	[ "$rc_fetch$rc_norm$rc_load" = 000 ]
	grep -qi retry "$T/flaky/fetch.err"
	scan_secrets "$KEY" "$T/flaky"
	[ "$(stat -c %a "$T/flaky/state")" = 600 ]
}

@test "secrets: a 429 storm (Retry-After waits under -v): no key shows" {
	sim_ctl POST faults '[{"kind":"429","retry_after":1,"nth":[1,2]}]' >/dev/null
	pipeline "$T/429" groups
	[ "$rc_fetch$rc_norm$rc_load" = 000 ]
	grep -qiE 'wait|429|retry' "$T/429/fetch.err"
	scan_secrets "$KEY" "$T/429"
}

@test "secrets: bad input to fd-normalize and fd-load, key in their environment" {
	mkdir "$T/bad"
	printf '{"type":"RECORD","stream":"t","record":{"id":1}}\n{bad json\n' >"$T/bad/in"
	run -1 --separate-stderr fd-normalize "$T/bad/in"
	printf '%s\n%s\n' "$output" "$stderr" >"$T/bad/norm.out"
	[[ "$stderr" == *"in:2:"* ]]
	run -1 --separate-stderr fd-load -v -t "sqlite:$T/bad/db" -s "$T/bad/state" "$T/bad/in"
	printf '%s\n%s\n' "$output" "$stderr" >"$T/bad/load.out"
	[[ "$stderr" == *"in:"* ]]
	scan_secrets "$KEY" "$T/bad"
}

@test "secrets: a bad destination (no such directory, csv: and sqlite:): no key shows" {
	mkdir "$T/dest"
	set +e
	fd-fetch -v groups 2>"$T/dest/fetch.err" |
	    fd-load -v -t "sqlite:$T/none/db" >"$T/dest/load.out" 2>"$T/dest/load.err"
	local st=("${PIPESTATUS[@]}")
	fd-fetch -v groups 2>"$T/dest/fetch2.err" | fd-normalize |
	    fd-load -v -t "csv:$T/none/csv" >"$T/dest/load2.out" 2>"$T/dest/load2.err"
	local st2=("${PIPESTATUS[@]}")
	set -e
	[ "${st[1]}" -ne 0 ] && [ "${st2[2]}" -ne 0 ]
	[ -s "$T/dest/load.err" ] && [ -s "$T/dest/load2.err" ]
	scan_secrets "$KEY" "$T/dest"
}

@test "secrets: a csv destination holds no key, its state file is 0600" {
	mkdir "$T/csv"
	set +e
	fd-fetch -v -s "$T/csv/state" groups tickets 2>"$T/csv/fetch.err" |
	    fd-normalize | fd-load -v -t "csv:$T/csv/out" -s "$T/csv/state" \
	    >"$T/csv/load.out" 2>"$T/csv/load.err"
	local st=("${PIPESTATUS[@]}")
	set -e
	[ "${st[*]}" = "0 0 0" ]
	[ -n "$(find "$T/csv/out" -type f -name '*.csv')" ]
	scan_secrets "$KEY" "$T/csv"
	[ "$(stat -c %a "$T/csv/state")" = 600 ]
}
