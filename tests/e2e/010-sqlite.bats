#!/usr/bin/env bats
# The pipeline against the simulator into SQLite: a full run, an
# incremental one, faults and mutation during the run (e2e.bash).

load e2e

new_dest() {
	TO="sqlite:$T/fd.db"
}

q() {
	sqlite3 "$T/fd.db" "$1"
}

@test "e2e sqlite: a full run equals the truth: every record once, latest version, child tables complete" {
	t_full
}

@test "e2e sqlite: all endpoints, per-ticket children and full refreshes, equal the truth" {
	t_children
}

@test "e2e sqlite: a run after mutations converges and fetches only what changed" {
	t_incremental
}

@test "e2e sqlite: 5xx, resets, truncated bodies and mutation during the run converge" {
	t_faults
}

@test "e2e sqlite: --batch-rows commits between a ticket and its child rows lose none of them" {
	t_batch_rows
}

@test "e2e sqlite: a run whose first ticket has a string where the table has a number column loads it" {
	t_types
}

@test "e2e sqlite: a full refresh staged by a load that stopped before ACTIVATE_VERSION is not activated with the next" {
	t_restage
}

@test "e2e sqlite: name-ordered lists changing mid-pass, a non-admin key and the per-hour throttler: nothing lost, the next run equals the truth" {
	t_real
}
