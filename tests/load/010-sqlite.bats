#!/usr/bin/env bats
# fd-load into SQLite: tables from SCHEMA, append / merge / replace with
# their child tables, state committed with the data, schema evolution,
# errors that leave the destination at its last commit, locks.

setup() {
	load ../common
	load load
	T="$BATS_TEST_TMPDIR"
	DB="$T/fd.db"
	TO="sqlite:$DB"
}

q() {
	sqlite3 "$DB" "$1"
}

@test "load: merge replaces a root row by key and its child rows" { t_merge; }
@test "load: merge across commits of a few rows: the latest wins, children follow" { t_merge_batches; }
@test "load: the state is committed with the data, then written to -s" {
	t_state
	# the database holds account data too
	[ "$(stat -c %a "$DB")" = 600 ]
}
@test "load: a child table's SCHEMA inside a record, a STATE held: the child rows stay" { t_schema_in_record; }
@test "load: STATEs close together are committed together" { t_hold_fast; }
@test "load: a STATE held is committed when the input pauses" { t_hold_pause; }
@test "load: a bad line stops with its line number; the last commit stays" { t_bad_line; }
@test "load: RECORD before SCHEMA, unknown column, invalid JSON, values that do not fit" { t_bad_input; }
@test "load: new columns are added, types never narrowed, names quoted" { t_evolution; }
@test "load: replace swaps the whole chain at ACTIVATE_VERSION, not before" { t_replace; }
@test "load: append keeps every row; --mode overrides" { t_append; }
@test "load: values of every type, byte for byte" {
	t_values
	[ "$(q 'select typeof(n), typeof(i), typeof(d) from v where n is not null')" = 'text|integer|real' ]
}
@test "load: the pipeline from fd-normalize, twice, gives the same tables" { t_pipeline; }
@test "load: a value the existing column does not take goes to its variant column" { t_variant; }

@test "load: a second load into the same destination fails fast" {
	t_lock '[ -s "$DB.lock" ]' "fd-load: $DB: locked by another process (pid *)"
}

@test "load: an unknown destination is a usage error that does not echo it" {
	run -2 --separate-stderr fd-load -t mysql://u:secret@x </dev/null
	[ "$stderr" = "fd-load: -t: unknown destination mysql: expected sqlite:PATH, postgresql://..., csv:DIR or jsonl:DIR" ]
	run -2 --separate-stderr fd-load -t csv: </dev/null
	[ "$stderr" = "fd-load: -t csv:: no path" ]
}

@test "load: a progress line on a terminal (tables, rows), none otherwise" {
	tickets 3000 >"$T/in.ndjson"
	run -0 script -qec "fd-load -t sqlite:$DB $T/in.ndjson" /dev/null
	[[ "$output" == *"fd-load: 1 tables, 3000 rows"* ]]
	run -0 --separate-stderr fd-load -t "sqlite:$T/two.db" "$T/in.ndjson"
	[ -z "$stderr" ]
}
