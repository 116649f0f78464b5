#!/usr/bin/env bats
# pg_stop really stops the server and leaves nothing behind.

setup() {
	load ../common
	load ../pg
}

@test "pg_stop stops the server and removes its directory" {
	pg_start
	dir=$FD_PG_DIR
	run psql -XAtc 'select 1'
	assert_success
	pg_stop
	[ ! -e "$dir" ]
	run psql -XAt -h "$dir" -c 'select 1'
	assert_failure
	pg_stop		# twice is harmless
}
