#!/bin/sh
# deps.sh: make sure the Debian packages that fd's build and tests need
# are installed.  Quick and silent when they are; installs the missing
# ones with apt-get when run as root; otherwise prints the apt-get line
# to run and fails.
set -u

PKGS="gcc make pkg-config libc6-dev libcurl4-openssl-dev libjq-dev clang
libclang-rt-14-dev
libsqlite3-dev libpq-dev libssl-dev sqlite3 postgresql bats bats-assert
bats-support mandoc python3 curl jq time valgrind parallel strace bsdutils"

missing=
for p in $PKGS; do
	s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	[ "$s" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# a new machine has no package lists yet; a failed update is retried
# by the install below reporting what is missing
apt-get update -qq >&2 || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2 || {
	echo "deps: apt-get install failed" >&2
	exit 1
}
