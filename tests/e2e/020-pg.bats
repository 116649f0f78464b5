#!/usr/bin/env bats
# The pipeline against the simulator into PostgreSQL (a throwaway server,
# tests/pg.bash, a new database per test): the scenarios of 010-sqlite.

load e2e

setup_file() {
	pg_file_start
}

teardown_file() {
	pg_file_stop
}

new_dest() {
	local db=e2e$BATS_TEST_NUMBER
	createdb -h "$PGHOST" -U fd "$db"
	TO="postgresql:///$db?host=$PGHOST&user=fd"
}

dest_quiesce() {
	pg_quiesce
}

q() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$TO" -c "$1"
}

@test "e2e pg: a full run equals the truth: every record once, latest version, child tables complete" {
	t_full
}

@test "e2e pg: all endpoints, per-ticket children and full refreshes, equal the truth" {
	t_children
}

@test "e2e pg: a run after mutations converges and fetches only what changed" {
	t_incremental
}

@test "e2e pg: 5xx, resets, truncated bodies and mutation during the run converge" {
	t_faults
}

@test "e2e pg: --batch-rows commits between a ticket and its child rows lose none of them" {
	t_batch_rows
}

@test "e2e pg: one load after another: the second is not refused by the first's lock" {
	# as cron runs them, or a re-run after a failure: the first fd-load
	# has exited, its session's advisory lock must not refuse the next
	new_dest
	printf '%s\n' '{"type":"SCHEMA","stream":"t","schema":{"properties":{"id":{"type":"integer"}}},"key_properties":["id"]}' \
	    '{"type":"RECORD","stream":"t","record":{"id":1}}' >"$T/in.ndjson"
	local i fails=0
	for ((i = 0; i < 50; i++)); do
		fd-load -q -t "$TO" "$T/in.ndjson" 2>>"$T/err" || fails=$((fails + 1))
	done
	cat "$T/err"
	[ "$fails" -eq 0 ]
}

@test "e2e pg: a run whose first ticket has a string where the table has a number column loads it" {
	t_types
}

@test "e2e pg: a full refresh staged by a load that stopped before ACTIVATE_VERSION is not activated with the next" {
	t_restage
}

@test "e2e pg: name-ordered lists changing mid-pass, a non-admin key and the per-hour throttler: nothing lost, the next run equals the truth" {
	t_real
}

@test "e2e pg: --reconcile marks exactly the rows deleted forever, purged or trashed, not those archived since; once" {
	t_reconcile
}

@test "e2e pg: a load killed between the parts of a set marks nothing; the next marks once" {
	t_reconcile_killed
}
