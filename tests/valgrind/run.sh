#!/bin/sh
# tests/valgrind/run.sh [SUITE ...]: the unit tests, then bats SUITEs
# (default: fd-normalize's suites and fd-load's SQLite suite) with
# fd-fetch, fd-normalize and fd-load run under valgrind's memcheck by
# wrappers first on PATH.  Any valgrind error or definite leak fails
# the run: the program exits 99 (the test sees it), and every log is
# read afterwards, so that an error in a test that expected a failure
# does not pass unseen.  Suppressions: tests/valgrind/valgrind.supp.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd) || exit 1
cd "$TOP" || exit 1
[ $# -gt 0 ] || set -- tests/normalize tests/load/010-sqlite.bats
W=$(mktemp -d "${TMPDIR:-/tmp}/fd-valgrind.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT INT TERM
mkdir "$W/bin" "$W/log"
VG="valgrind -q --error-exitcode=99 --leak-check=full \
--show-leak-kinds=definite --errors-for-leak-kinds=definite \
--suppressions=$TOP/tests/valgrind/valgrind.supp"
for p in fd-fetch fd-normalize fd-load; do
	printf '#!/bin/sh\nexec %s --log-file=%s/%s.%%p.log %s "$@"\n' \
	    "$VG" "$W/log" "$p" "$TOP/$p/$p" >"$W/bin/$p"
	chmod +x "$W/bin/$p"
done
rc=0
echo "valgrind: unit tests"
$VG --log-file="$W/log/unit.%p.log" tests/unit/unit >/dev/null || rc=1
echo "valgrind: $*"
# common.bash puts the real programs first unless PATH has them
PATH="$W/bin:$TOP/fd-fetch:$TOP/fd-normalize:$TOP/fd-load:$PATH" FD_TOP=$TOP \
    bats "$@" || rc=1
n=0
for f in "$W"/log/*.log; do
	[ -s "$f" ] || continue
	n=$((n + 1))
	echo "valgrind: $(basename "$f"):" >&2
	cat "$f" >&2
done
[ $n -eq 0 ] || { echo "valgrind: $n runs with errors" >&2; rc=1; }
exit $rc
