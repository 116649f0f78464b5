#!/usr/bin/env bats
# The throwaway PostgreSQL server that fd-load's suites run against.

setup_file() {
	load ../common
	load ../pg
	pg_start
	echo "$FD_PG_DIR" > "$BATS_FILE_TMPDIR/dir"
}

teardown_file() {
	load ../pg
	FD_PG_DIR=$(cat "$BATS_FILE_TMPDIR/dir") FD_PG_BIN=$(pg_bindir) pg_stop
}

setup() {
	load ../common
}

@test "the server answers on its own Unix socket, not on TCP" {
	run --separate-stderr psql -XAtc 'select 6 * 7'
	assert_success
	assert_output 42
	[ -S "$PGHOST/.s.PGSQL.5432" ]
	run psql -XAt -h 127.0.0.1 -c 'select 1'
	assert_failure
}

@test "libpq connects with the URL the suites hand to fd-load" {
	run --separate-stderr psql -qXAt "$FD_PG_URL" -c \
	    "create table t (id bigint primary key, s text);
	     insert into t values (67042965499, 'caf'||chr(233));
	     select id, s from t"
	assert_success
	assert_output "67042965499|café"
}
