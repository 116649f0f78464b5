#!/bin/sh
# run.sh: the C unit tests and a subset of the bats suites under
# valgrind's memcheck (make check-valgrind).  The programs must be a
# plain build (no SAN=1: ASan and valgrind do not mix).
#
# The suites see wrappers first on PATH (tests/valgrind/build/bin/): each
# execs valgrind on the real program with the same arguments, so that an
# error of valgrind's is exit status VG_EXIT, which a test expecting 0,
# 1, 2 or 75 notices.  A test that accepts any failure would not, so
# every run also writes valgrind's report to its own file
# (build/log/PROG.PID), and this script fails when any of them holds
# anything, printing it.  Only definite leaks count as errors and are
# shown; valgrind.supp holds the leaks that are libjq's, not ours.
#
# Usage (from the top directory): sh tests/valgrind/run.sh [SUITE ...]
# (default: VALGRIND_SUITES, else the suites below).  Under valgrind a
# program takes a second or more to start, so the default is a subset
# that keeps the run within about four minutes on two cores:
# fd-normalize's stream handling (--jq included) and errors, fd-load
# into SQLite and its options, and every program writing into a pipe
# closed early.
set -u
V=$PWD/tests/valgrind
B=$V/build
VG_EXIT=99
[ $# -gt 0 ] || set -- ${VALGRIND_SUITES:-tests/normalize/030-stream.bats \
    tests/normalize/040-errors.bats tests/load/000-options.bats \
    tests/load/010-sqlite.bats tests/hardening/030-pipe.bats}

command -v valgrind >/dev/null || {
	echo "valgrind: not installed (sh tests/deps.sh)" >&2
	exit 1
}
rm -rf "$B"
mkdir -p "$B/bin" "$B/log"
vg() {	# vg NAME: valgrind's command line, its report in log/NAME.PID
	printf '%s' "valgrind -q --error-exitcode=$VG_EXIT --leak-check=full"
	printf '%s' " --errors-for-leak-kinds=definite"
	printf '%s' " --show-leak-kinds=definite --num-callers=30"
	printf '%s' " --suppressions=$V/valgrind.supp"
	printf '%s' " --log-file=$B/log/$1.%p"
}
for p in fd-fetch fd-normalize fd-load; do
	[ -x "$PWD/$p/$p" ] || { echo "valgrind: $p/$p not built" >&2; exit 1; }
	# by name, found first on PATH, so that argv[0] (getopt's
	# messages) is the program's name as without the wrapper
	printf '#!/bin/sh\nPATH=%s:$PATH exec %s %s "$@"\n' "$PWD/$p" \
	    "$(vg "$p")" "$p" >"$B/bin/$p"
	chmod +x "$B/bin/$p"
done

fail=0
echo "valgrind: tests/unit/unit"
$(vg unit) tests/unit/unit >"$B/unit.out" 2>&1 || {
	echo "valgrind: tests/unit/unit failed:" >&2
	grep -v '^ok ' "$B/unit.out" | tail -20 >&2
	fail=1
}
echo "valgrind: bats $*"
# common.bash keeps PATH when the programs' directories are on it
PATH="$B/bin:$PWD/fd-fetch:$PWD/fd-normalize:$PWD/fd-load:$PATH" \
    FD_TOP=$PWD bats "$@" || fail=1

runs=$(ls "$B/log" | grep -vc '^unit\.')
for f in "$B/log"/*; do
	[ -s "$f" ] || continue
	echo "valgrind: errors in ${f#$PWD/}:" >&2
	cat "$f" >&2
	fail=1
done
# the wrappers were used, or nothing was checked
if [ "$runs" -eq 0 ]; then
	echo "valgrind: no program ran under valgrind" >&2
	fail=1
fi
echo "valgrind: $runs program runs checked"
exit $fail
