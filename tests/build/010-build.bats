#!/usr/bin/env bats
# The Makefile's promises: install/uninstall, flags, man pages, deps.

setup() {
	load ../common
}

# make in the source tree, with the same sanitizer setting as the
# build under test so that nothing is rebuilt behind its back.
fdmake() {
	make -s -C "$FD_TOP" SAN="${SAN:-}" "$@"
}

@test "make install puts four programs and five man pages under PREFIX" {
	dest=$BATS_TEST_TMPDIR/root
	run fdmake install DESTDIR="$dest" PREFIX=/opt/fd
	assert_success
	for p in fd-fetch fd-normalize fd-load fd-sync; do
		[ -x "$dest/opt/fd/bin/$p" ]
		[ -f "$dest/opt/fd/share/man/man1/$p.1" ]
	done
	[ -f "$dest/opt/fd/share/man/man7/fd.7" ]
	[ "$(find "$dest" -type f | wc -l)" -eq 9 ]
	run "$dest/opt/fd/bin/fd-load" --version
	assert_success
	# fd-sync: the version, and none of the checkout's directories
	run -0 "$dest/opt/fd/bin/fd-sync" --version
	assert_output "fd-sync $(fd-load --version | cut -d' ' -f2)"
	run -1 grep -F "$FD_TOP" "$dest/opt/fd/bin/fd-sync"
	run fdmake uninstall DESTDIR="$dest" PREFIX=/opt/fd
	assert_success
	[ "$(find "$dest" -type f | wc -l)" -eq 0 ]
}

@test "BINDIR and MANDIR override PREFIX" {
	dest=$BATS_TEST_TMPDIR/root
	run fdmake install DESTDIR="$dest" BINDIR=/b MANDIR=/m
	assert_success
	[ -x "$dest/b/fd-fetch" ]
	[ -f "$dest/m/man7/fd.7" ]
}

@test "user CFLAGS are respected and warnings stay on" {
	run fdmake -n -B fd-fetch/fd-fetch.o CFLAGS='-O0 -DMARK'
	assert_success
	assert_output --partial '-O0 -DMARK'
	assert_output --partial '-Wall -Wextra'
}

@test "SAN=1 compiles and links with the sanitizers" {
	run fdmake -n -B fd-load/fd-load SAN=1
	assert_output --partial '-fsanitize=address,undefined'
	assert_line --regexp '-o fd-load/fd-load .*-fsanitize=address,undefined|-fsanitize=address,undefined.* -o fd-load/fd-load'
}

@test "library flags can be overridden on the command line" {
	run fdmake -n -B fd-normalize/fd-normalize JQ_LIBS='-ljq -lMARK'
	assert_output --partial -lMARK
}

@test "each program links only the libraries it uses" {
	run ldd "$FD_TOP/fd-normalize/fd-normalize"
	refute_output --partial libcurl
	refute_output --partial libpq
	run ldd "$FD_TOP/fd-fetch/fd-fetch"
	refute_output --partial libpq
	refute_output --partial libsqlite3
	run ldd "$FD_TOP/fd-load/fd-load"
	refute_output --partial libcurl
}

@test "the man pages pass mandoc -Tlint" {
	run mandoc -Tlint -Wwarning "$FD_TOP"/man/*
	assert_success
	assert_output ''
}

@test "deps is quick and silent when everything is installed" {
	run --separate-stderr sh "$FD_TOP/tests/deps.sh"
	assert_success
	[ -z "$output$stderr" ]
}
