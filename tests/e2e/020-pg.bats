#!/usr/bin/env bats
# The pipeline against the simulator into PostgreSQL (a throwaway server,
# tests/pg.bash, a new database per test): the scenarios of 010-sqlite.

setup_file() {
	load ../pg
	pg_start
	echo "$FD_PG_DIR" >"$BATS_FILE_TMPDIR/dir"
}

teardown_file() {
	load ../pg
	FD_PG_DIR=$(cat "$BATS_FILE_TMPDIR/dir") FD_PG_BIN=$(pg_bindir) pg_stop
}

setup() {
	load e2e
	e2e_setup
}

teardown() {
	sim_stop
}

new_dest() {
	local db=e2e$BATS_TEST_NUMBER
	createdb -h "$PGHOST" -U fd "$db"
	TO="postgresql:///$db?host=$PGHOST&user=fd"
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
