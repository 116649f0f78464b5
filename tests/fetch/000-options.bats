#!/usr/bin/env bats
# fd-fetch's command line: help, version, usage errors.

setup() {
	load ../common
}

@test "fd-fetch --help prints the man page synopsis on stdout, then a line per option" {
	run --separate-stderr fd-fetch --help
	assert_success
	[ -z "$stderr" ]
	# the synopsis: up to the first empty line
	local syn=${output%%$'\n\n'*}
	[ "$(one_line "${syn#usage: }")" = "$(man_synopsis fd-fetch.1)" ]
	# every long option of the synopsis has its line
	local o
	for o in $(grep -o -- '--[a-z-]*' <<<"$syn" | sort -u); do
		grep -q -- "^  \(-[a-zA-Z], \)\?$o\b" <<<"$output" || { echo "no line for $o"; return 1; }
	done
	run -0 fd-fetch -h
}

@test "fd-fetch --version and -V" {
	run --separate-stderr fd-fetch --version
	assert_success
	assert_output --regexp '^fd-fetch [0-9]+\.[0-9]+\.[0-9]+$'
	run -0 fd-fetch -V
	assert_output --regexp '^fd-fetch '
}

@test "fd-fetch: an unknown option is a usage error" {
	run -2 --separate-stderr fd-fetch --no-such-option
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "fd-fetch: unrecognized option '--no-such-option'" ]
	[ "${stderr_lines[1]}" = "usage: fd-fetch [-hlnqvV] [--config file] [-j jobs] [-s state]" ]
	run -2 --separate-stderr fd-fetch -Z
	[ "${stderr_lines[0]}" = "fd-fetch: invalid option -- 'Z'" ]
}

@test "fd-fetch: a missing option argument is a usage error" {
	run -2 --separate-stderr fd-fetch -j
	[ "${stderr_lines[0]}" = "fd-fetch: option requires an argument -- 'j'" ]
	run -2 --separate-stderr fd-fetch --state
	[ "${stderr_lines[0]}" = "fd-fetch: option '--state' requires an argument" ]
}

@test "fd-fetch: numbers are checked, whole and in range" {
	run -2 --separate-stderr fd-fetch -j 0
	[ "$stderr" = "fd-fetch: -j 0: too small" ]
	run -2 --separate-stderr fd-fetch --jobs 17
	[ "$stderr" = "fd-fetch: -j 17: too large" ]
	run -2 --separate-stderr fd-fetch --per-page 101
	[ "$stderr" = "fd-fetch: --per-page 101: too large" ]
	run -2 --separate-stderr fd-fetch --per-page 5x
	[ "$stderr" = "fd-fetch: --per-page 5x: invalid number" ]
	run -2 --separate-stderr fd-fetch --max-wait -1
	[ "$stderr" = "fd-fetch: --max-wait -1: too small" ]
	run -2 --separate-stderr fd-fetch --rate ''
	[ "$stderr" = "fd-fetch: --rate : invalid number" ]
}
