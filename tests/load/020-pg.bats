#!/usr/bin/env bats
# fd-load into PostgreSQL (a throwaway server, tests/pg.bash): the
# semantics every database destination shares (load.bash), COPY's
# escapes, the type mapping, the lock, and messages that never show the
# connection string.

setup_file() {
	load ../common
	load ../pg
	pg_file_start
}

teardown_file() {
	load ../pg
	pg_file_stop
}

setup() {
	load ../common
	load load
	T="$BATS_TEST_TMPDIR"
	DBN="t$BATS_TEST_NUMBER"
	createdb -h "$PGHOST" -U fd "$DBN"
	TO="postgresql:///$DBN?host=$PGHOST&user=fd"
}

q() {
	psql -X -q -A -t -v ON_ERROR_STOP=1 -d "$TO" -c "$1"
}

@test "pg: merge replaces a root row by key and its child rows" { t_merge; }
@test "pg: merge across commits of a few rows: the latest wins, children follow" { t_merge_batches; }
@test "pg: the state is committed with the data, then written to -s" { t_state; }
@test "pg: a child table's SCHEMA inside a record, a STATE held: the child rows stay" { t_schema_in_record; }
@test "pg: STATEs close together are committed together" { t_hold_fast; }
@test "pg: a STATE held is committed when the input pauses" { t_hold_pause; }
@test "pg: a bad line stops with its line number; the last commit stays" { t_bad_line; }
@test "pg: RECORD before SCHEMA, unknown column, invalid JSON, values that do not fit" { t_bad_input; }
@test "pg: new columns are added, types never narrowed, names quoted" { t_evolution; }
@test "pg: replace swaps the whole chain at ACTIVATE_VERSION, not before" { t_replace; }
@test "pg: append keeps every row; --mode overrides" { t_append; }
@test "pg: values of every type, byte for byte" {
	t_values
	[ "$(q "select format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'v'::regclass and attnum > 0 order by attnum" | paste -sd, -)" = \
	    'text,boolean,double precision,bigint,numeric,jsonb,timestamp with time zone,text' ]
	[ "$(q "select j->'k'->>1, b, at = '2024-05-01 10:00:00+00' from v where j is not null")" = 'x|t|t' ]
}
@test "pg: the pipeline from fd-normalize, twice, gives the same tables" { t_pipeline; }
@test "pg: a value the existing column does not take goes to its variant column" { t_variant; }

@test "pg: NUL characters and over-long names are refused with the line and table" {
	S='{"type":"SCHEMA","stream":"e","schema":{"properties":{"s":{"type":"string"},"j":{"type":"json","x-fd-type":"json"}}},"key_properties":[]}'
	msg "$S" '{"type":"RECORD","stream":"e","record":{"s":"ok"}}' '{"type":"STATE","value":1}' \
	    '{"type":"RECORD","stream":"e","record":{"s":"a\u0000b"}}'
	run -1 --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	[ "$stderr" = 'fd-load: '"$T"'/in.ndjson:4: table e: column s: a NUL character (\u0000), which PostgreSQL text cannot hold' ]
	msg "$S" '{"type":"RECORD","stream":"e","record":{"j":{"k":"\u0000"}}}'
	run -1 --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	[ "$stderr" = 'fd-load: '"$T"'/in.ndjson:2: table e: column j: a NUL character (\u0000), which PostgreSQL jsonb cannot hold' ]
	[ "$(q 'select s from e')" = ok ]
	long=$(printf 'c%.0s' $(seq 64))
	msg '{"type":"SCHEMA","stream":"e","schema":{"properties":{"'"$long"'":{"type":"string"}}},"key_properties":[]}'
	run -1 --separate-stderr fd-load -t "$TO" "$T/in.ndjson"
	[ "$stderr" = "fd-load: postgresql: table e: the name cccccccccccccccccccc... is longer than PostgreSQL's 63 bytes (fd-normalize --max-length 63 shortens names)" ]
}

@test "pg: a second load into the same database fails fast" {
	t_lock "[ \"\$(q \"select count(*) from pg_locks where locktype = 'advisory'\")\" -gt 0 ]" \
	    "fd-load: postgresql: locked by another fd-load (database $DBN)"
}

@test "pg: connection errors are one line without the connection string" {
	run -1 --separate-stderr fd-load -t "postgresql://fd:s3cr3t-pw@/nosuchdb?host=$PGHOST" </dev/null
	[ "${#lines[@]}" -eq 0 ]
	[[ "$stderr" == "fd-load: postgresql: cannot connect: "*'"nosuchdb" does not exist' ]]
	[[ "$stderr" != *s3cr3t* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
}

@test "pg: a load of simulator data equals the same load into SQLite" {
	"$FD_TOP/tests/sim/fdsim.py" --help >/dev/null
	# one normalized stream, with merge, child tables and replace
	load ../sim/sim
	sim_start --tickets 300 --contacts 100
	fd-fetch tickets contacts agents groups >"$T/fetch.ndjson"
	sim_stop
	fd-normalize "$T/fetch.ndjson" >"$T/norm.ndjson"
	run -0 fd-load -t "$TO" "$T/norm.ndjson"
	run -0 fd-load -t "$TO" "$T/norm.ndjson"
	run -0 fd-load -t "sqlite:$T/fd.db" "$T/norm.ndjson"
	local t
	for t in tickets tickets__tags contacts agents groups; do
		[ "$(q "select count(*) from $t")" -eq "$(sqlite3 "$T/fd.db" "select count(*) from $t")" ]
	done
	[ "$(q 'select count(*) from tickets')" -eq 300 ]
	[ "$(q 'select id, subject, custom_fields__cf_order_number from tickets order by id' | md5sum)" = \
	    "$(sqlite3 "$T/fd.db" 'select id, subject, custom_fields__cf_order_number from tickets order by id' | md5sum)" ]
	[ "$(q 'select count(*) from (select id from tickets group by id having count(*) > 1) x')" -eq 0 ]
}
