#!/usr/bin/env bats
# SIGKILL of one of the three programs of a running pipeline, at several
# instants each, into SQLite and PostgreSQL: afterwards the cursor, in
# the state file and in _fd_state, covers nothing the destination does
# not hold (the state file never ahead of _fd_state), and a re-run of the
# pipeline with the same state file converges to the simulator's truth.
#
# The instants are points of progress, not of time: the kill falls when
# the simulator has answered the K-th request of the run (K spread over
# the run, with a random part; printed when a test fails), so that a slow
# or a fast machine kills at the same places.  Each response is delayed a
# little (latency_ms) so that the run lasts long enough to be polled, and
# a later one much more, so that it cannot end before the kill.

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
# is known), PROG SIGKILLed once the simulator has answered K requests.
# Request K + 2 stalls for 3 s, so that however slowly this shell polls,
# the run is still going when the kill comes.  Request K - 2 takes
# 2 s: fd-load holds STATEs that come close together, and commits them
# when its input pauses, so the kills find it at different commits.  The kill is the only
# one: once the programs after PROG have exited, a fetch still waiting
# for the stalled answer can commit nothing and is ended.  So is what is
# before PROG once what is after it has exited: only fd-load commits.
killed_run() {
	local prog=$1 k=$2 fp np lp victim n i
	rm -f "$T/a" "$T/b"
	mkfifo "$T/a" "$T/b"
	sim_ctl POST config '{"latency_ms":10}' >/dev/null
	sim_ctl POST faults "[{\"kind\":\"latency\",\"nth\":$((k - 2)),\"latency_ms\":2000},{\"kind\":\"latency\",\"nth\":$((k + 2)),\"latency_ms\":3000}]" >/dev/null
	sim_ctl POST reset-stats >/dev/null
	quiesce
	fd-fetch -q -s "$ST" --since "$SINCE" --per-page 15 >"$T/a" 2>/dev/null &
	fp=$!
	fd-normalize <"$T/a" >"$T/b" 2>/dev/null &
	np=$!
	fd-load -q -s "$ST" -t "$TO" <"$T/b" 2>"$T/load.err" &
	lp=$!
	local after before
	case $prog in
	fd-fetch) victim=$fp after="$np $lp" before= ;;
	fd-normalize) victim=$np after=$lp before=$fp ;;
	fd-load) victim=$lp after= before="$np $fp" ;;
	esac
	for ((i = 0; i < 3000; i++)); do
		n=$(sim_stats | jq .requests_total)
		[ "$n" -lt "$k" ] || break
		kill -0 "$fp" 2>/dev/null || break
		sleep 0.01
	done
	local hit=0
	kill -KILL "$victim" 2>/dev/null && hit=1
	wait $victim $after 2>/dev/null || true
	kill -KILL $before 2>/dev/null || true
	wait "$fp" "$np" "$lp" 2>/dev/null || true
	sim_ctl POST faults '[]' >/dev/null
	sim_ctl POST config '{"latency_ms":0}' >/dev/null
	echo "# $prog killed at request $n of $NREQ (asked $k), hit $hit"
	[ "$hit" -eq 1 ]
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
		echo "$stderr" >>"$T/instants"
		# the same pipeline again, the same state file: the truth
		run_sync --per-page 15
		truth
		[ "$(jq -c . "$ST")" = "$(db_state | jq -c .)" ]
	done
	# the kills left the destination at different points
	[ "$(sort -u "$T/instants" | wc -l)" -ge 2 ]
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
