#!/usr/bin/env bats
# fd-load's command line: help, version, usage errors.

setup() {
	load ../common
}

@test "fd-load --help prints the man page synopsis on stdout, then a line per option" {
	run --separate-stderr fd-load --help
	assert_success
	[ -z "$stderr" ]
	# the synopsis: up to the first empty line
	local syn=${output%%$'\n\n'*}
	[ "$(one_line "${syn#usage: }")" = "$(man_synopsis fd-load.1)" ]
	# every long option of the synopsis has its line
	local o
	for o in $(grep -o -- '--[a-z-]*' <<<"$syn" | sort -u); do
		grep -q -- "^  \(-[a-zA-Z], \)\?$o\b" <<<"$output" || { echo "no line for $o"; return 1; }
	done
	run -0 fd-load -h
}

@test "fd-load --version and -V" {
	run -0 --separate-stderr fd-load --version
	assert_output --regexp '^fd-load [0-9]+\.[0-9]+\.[0-9]+$'
	run -0 fd-load -V
}

@test "fd-load: unknown options and bad values are usage errors" {
	run -2 --separate-stderr fd-load -x
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "fd-load: invalid option -- 'x'" ]
	[ "${stderr_lines[1]}" = "usage: fd-load [-hqvV] [--config file] [-t dest] [-s state]" ]
	run -2 --separate-stderr fd-load --mode upsert
	[ "$stderr" = "fd-load: --mode upsert: expected append, replace or merge" ]
	run -2 --separate-stderr fd-load --batch-rows 0
	[ "$stderr" = "fd-load: --batch-rows 0: too small" ]
	run -2 --separate-stderr fd-load --to
	[ "${stderr_lines[0]}" = "fd-load: option '--to' requires an argument" ]
}
