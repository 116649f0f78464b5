#!/usr/bin/env bats
# SIGKILL of one of the three programs of a running pipeline, at several
# instants each, into SQLite and PostgreSQL: afterwards the cursor, in
# the state file and in _fd_state, covers nothing the destination does
# not hold (the state file never ahead of _fd_state), and a re-run of the
# pipeline with the same state file converges to the simulator's truth.
#
# The instants are built, not timed: a "hold" fault of the simulator
# keeps the K-th request of the run unanswered (K spread over the run,
# with a random part; printed when a test fails), and the kill falls once
# it is held.  fd-fetch then waits on request K with everything before
# it answered, fd-normalize and fd-load wait on their input, so the
# victim is always alive when the kill comes; how far fd-normalize and
# fd-load got with what came before does not matter: the properties hold
# at any instant, and those are what is asserted.

load e2e

KILLS=${FD_E2E_KILLS:-3}

setup_file() {
	pg_file_start
}

teardown_file() {
	pg_file_stop
}

setup() {
	e2e_setup
	e2e_sim --tickets 300 --contacts 100 --companies 60
	# the requests of a whole run, the kills' range
	fd-fetch -q --since "$SINCE" --per-page 15 >/dev/null
	NREQ=$(sim_stats | jq .requests_total)
	[ "$NREQ" -ge 30 ]
}
# killed_run PROG K: the pipeline (with fifos, so that each program's pid
# is known), PROG SIGKILLed while the simulator holds request K.  Then
# the hold is released and the rest ends: once the programs after PROG
# have exited, a fetch can commit nothing and is killed; so is what is
# before PROG once what is after it has exited: only fd-load commits.
killed_run() {
	local prog=$1 k=$2 fp np lp victim after before
	rm -f "$T/a" "$T/b"
	mkfifo "$T/a" "$T/b"
	sim_ctl POST faults "[{\"kind\":\"hold\",\"nth\":$k}]" >/dev/null
	sim_ctl POST reset-stats >/dev/null
	quiesce
	fd-fetch -q -s "$ST" --since "$SINCE" --per-page 15 >"$T/a" 2>/dev/null &
	fp=$!
	fd-normalize <"$T/a" >"$T/b" 2>/dev/null &
	np=$!
	fd-load -q -s "$ST" -t "$TO" <"$T/b" 2>"$T/load.err" &
	lp=$!
	case $prog in
	fd-fetch) victim=$fp after="$np $lp" before= ;;
	fd-normalize) victim=$np after=$lp before=$fp ;;
	fd-load) victim=$lp after= before="$np $fp" ;;
	esac
	sim_wait_held 1 "$fp" || { kill -KILL "$fp" "$np" "$lp"; return 1; }
	# all three are alive: fd-fetch waits on request K, the others on it
	kill -KILL "$victim"
	wait $victim $after 2>/dev/null || true
	kill -KILL $before 2>/dev/null || true
	sim_ctl POST faults '[]' >/dev/null
	sim_ctl POST release >/dev/null
	wait "$fp" "$np" "$lp" 2>/dev/null || true
	echo "# $prog killed while request $k of $NREQ was held ($(sim_stats | jq .requests_total) answered)"
}

# crash PROG: KILLS instants, each on a new destination and state file
crash() {
	local prog=$1 ki k step
	step=$(((NREQ - 6) / KILLS))
	for ((ki = 0; ki < KILLS; ki++)); do
		new_dest "$ki"
		rm -f "$ST"
		# the last instant inside companies, the first full refresh
		# (requests 3 to 6: agents take 2), the others anywhere
		k=$((3 + ki * step + RANDOM % step))
		[ "$ki" -lt $((KILLS - 1)) ] || k=4
		killed_run "$prog" "$k"
		# the cursor never past the committed data
		run --separate-stderr python3 "$E2E/truth.py" --killed "$ST" "$SIM_URL" "$TO"
		[ "$status" -eq 0 ] || { echo "$output"; return 1; }
		# the same pipeline again, the same state file: the truth
		run_sync --per-page 15
		truth
		[ "$(jq -c . "$ST")" = "$(db_state | jq -c .)" ]
	done
}

sqlite_dest() {
	new_dest() { TO="sqlite:$T/fd$1.db"; }
	q() { sqlite3 "${TO#sqlite:}" "$1"; }
}

pg_dest() {
	new_dest() {
		local db="k${BATS_TEST_NUMBER}_$1"
		createdb -h "$PGHOST" -U fd "$db"
		TO="postgresql:///$db?host=$PGHOST&user=fd"
	}
	q() { psql -X -q -A -t -d "$TO" -c "$1"; }
	dest_quiesce() { pg_quiesce; }
}

@test "e2e crash: SIGKILL of fd-fetch at $KILLS instants, SQLite: a re-run converges, the cursor never ahead" {
	sqlite_dest
	crash fd-fetch
}

@test "e2e crash: SIGKILL of fd-normalize at $KILLS instants, SQLite: a re-run converges, the cursor never ahead" {
	sqlite_dest
	crash fd-normalize
}

@test "e2e crash: SIGKILL of fd-load at $KILLS instants, SQLite: a re-run converges, the cursor never ahead" {
	sqlite_dest
	crash fd-load
}

@test "e2e crash: SIGKILL of fd-fetch at $KILLS instants, PostgreSQL: a re-run converges, the cursor never ahead" {
	pg_dest
	crash fd-fetch
}

@test "e2e crash: SIGKILL of fd-normalize at $KILLS instants, PostgreSQL: a re-run converges, the cursor never ahead" {
	pg_dest
	crash fd-normalize
}

@test "e2e crash: SIGKILL of fd-load at $KILLS instants, PostgreSQL: a re-run converges, the cursor never ahead" {
	pg_dest
	crash fd-load
}
