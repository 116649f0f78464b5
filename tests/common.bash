# common.bash: loaded by every bats suite ("load ../common").
# The programs under test come first on PATH (make check sets it); the
# suites never reach beyond loopback.

bats_require_minimum_version 1.7.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

export LC_ALL=C
FD_TOP=${FD_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
export FD_TOP
case ":$PATH:" in
*":$FD_TOP/fd-fetch:"*) ;;
*) PATH="$FD_TOP/fd-fetch:$FD_TOP/fd-normalize:$FD_TOP/fd-load:$PATH" ;;
esac

# man_synopsis PAGE: the SYNOPSIS of a man page as mandoc renders it,
# on one line with single spaces.
man_synopsis() {
	mandoc -Tascii "$FD_TOP/man/$1" | col -bx |
	    awk '/^SYNOPSIS/ { on = 1; next } /^[A-Z]/ { on = 0 } on' |
	    tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
}

# one_line TEXT: TEXT with runs of blanks and newlines made one space.
one_line() {
	printf '%s' "$1" | tr -s ' \n' '  ' | sed 's/^ //; s/ $//'
}
