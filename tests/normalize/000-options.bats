#!/usr/bin/env bats
# fd-normalize's command line: help, version, usage errors.

setup() {
	load ../common
}

@test "fd-normalize --help prints the man page synopsis on stdout, then a line per option" {
	run --separate-stderr fd-normalize --help
	assert_success
	[ -z "$stderr" ]
	# the synopsis: up to the first empty line
	local syn=${output%%$'\n\n'*}
	[ "$(one_line "${syn#usage: }")" = "$(man_synopsis fd-normalize.1)" ]
	# every long option of the synopsis has its line
	local o
	for o in $(grep -o -- '--[a-z-]*' <<<"$syn" | sort -u); do
		grep -q -- "^  \(-[a-zA-Z], \)\?$o\b" <<<"$output" || { echo "no line for $o"; return 1; }
	done
	run -0 fd-normalize -h
}

@test "fd-normalize --version and -V" {
	run -0 --separate-stderr fd-normalize --version
	assert_output --regexp '^fd-normalize [0-9]+\.[0-9]+\.[0-9]+$'
	run -0 fd-normalize -V
}

@test "fd-normalize: unknown options and bad values are usage errors" {
	run -2 --separate-stderr fd-normalize --bogus
	[ -z "$output" ]
	[ "${stderr_lines[0]}" = "fd-normalize: unrecognized option '--bogus'" ]
	[ "${stderr_lines[1]}" = "usage: fd-normalize [-hqvV] [--config file] [--dense | --sparse]" ]
	run -2 --separate-stderr fd-normalize --max-nesting x
	[ "$stderr" = "fd-normalize: --max-nesting x: invalid number" ]
	run -2 --separate-stderr fd-normalize --max-length 3
	[ "$stderr" = "fd-normalize: --max-length 3: too small" ]
	run -2 --separate-stderr fd-normalize --naming camelCase
	[ "$stderr" = "fd-normalize: --naming camelCase: expected snake_case or direct" ]
	run -2 --separate-stderr fd-normalize --jq
	[ "${stderr_lines[0]}" = "fd-normalize: option '--jq' requires an argument" ]
}
