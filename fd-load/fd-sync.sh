#!/bin/sh
# fd-sync: fd-fetch | fd-normalize | fd-load once, for cron (fd-sync(1)).
# Silent on success; exit 0, 75 (try later), 1 (failed, or a
# configuration error: no domain, no key) or 2 (usage: fd-sync's
# command line, or a program's: the flags, the endpoints), with one line
# "fd-sync: ..." on stderr after the programs' own.
#
# The build ("make") writes the version and, for the checkout's copy
# (fd-load/fd-sync), the checkout's three program directories into the
# two lines below; "make install" writes an empty build_path.  The
# programs are looked for in build_path, then in the directory of this
# script (an installed fd-sync runs the fd-fetch installed beside it),
# then on PATH.  The API key never passes through argv: fd-fetch reads
# FRESHDESK_API_KEY or the file named by FRESHDESK_API_KEY_FILE.

version='@VERSION@'
build_path='@BUILD_PATH@'

say() {
	echo "fd-sync: $*" >&2
}

# usage_error MESSAGE: the one-line message of a bad command line
usage_error() {
	say "$*"
	exit 2
}

# config_error MESSAGE: the one-line message of a setting missing, as
# fd-fetch's configuration errors
config_error() {
	say "$*"
	exit 1
}

usage() {
	cat <<EOF
usage: fd-sync [-hqvV] [-s state] [-t dest] [--domain domain]
               [--key-file file] [--lock file] [--fetch-flags flags]
               [--load-flags flags] [endpoint ...]
EOF
	[ "$1" = long ] || return 0
	cat <<EOF

  -h, --help           this help
  -q, --quiet          -q to the three programs
  -v, --verbose        -v to the three programs
  -V, --version        print the version
  -s, --state state    the state file (default state.json)
  -t, --to dest        the destination (default sqlite:freshdesk.db)
  --domain domain      the helpdesk (default FRESHDESK_DOMAIN)
  --key-file file      the API key's file (default FRESHDESK_API_KEY_FILE)
  --lock file          the lock (default: the state file's name.sync.lock)
  --fetch-flags flags  fd-fetch's options (default: -q --max-wait 900)
  --load-flags flags   fd-load's options (default: -q)

It runs fd-fetch | fd-normalize | fd-load once, for cron: silent on
success; exit 0, 75 (try later), 1 (failed) or 2 (usage).
man fd-sync tells the rest.
EOF
}

domain=${FRESHDESK_DOMAIN:-}
key=${FRESHDESK_API_KEY_FILE:-}
state=state.json
to=sqlite:freshdesk.db
lock=
fetchflags='-q --max-wait 900'
loadflags=-q
verbosity=

# The options, anywhere on the line as getopt_long(3) takes them
# ("--opt value", "--opt=value", "-s value", "-svalue", "-qv"); the
# operands (the endpoints) are rotated to the end of "$@", and left counts
# the arguments not yet looked at.
left=$#
while [ "$left" -gt 0 ]; do
	a=$1
	shift
	left=$((left - 1))
	val='' has_val=''
	case $a in
	--?*=*)
		val=${a#*=} has_val=1 a=${a%%=*} ;;
	-[st]?*)
		val=${a#-?} has_val=1 a=${a%"$val"} ;;
	-[hqvV][!-]*)
		# a bundle of flags: the rest goes back in front
		set -- "-${a#-?}" "$@"
		left=$((left + 1))
		a=${a%"${a#-?}"} ;;
	esac
	case $a in
	-h|--help|-q|--quiet|-v|--verbose|-V|--version)
		[ -z "$has_val" ] || usage_error "$a: takes no value" ;;
	-s|--state|-t|--to|--domain|--key-file|--lock|--fetch-flags|--load-flags)
		if [ -z "$has_val" ]; then
			[ "$left" -gt 0 ] || usage_error "$a: needs a value"
			val=$1
			shift
			left=$((left - 1))
		fi ;;
	esac
	case $a in
	-h|--help)
		usage long
		exit 0 ;;
	-V|--version)
		echo "fd-sync $version"
		exit 0 ;;
	-q|--quiet)
		verbosity=-q ;;
	-v|--verbose)
		verbosity=-v ;;
	-s|--state)
		state=$val ;;
	-t|--to)
		to=$val ;;
	--domain)
		domain=$val ;;
	--key-file)
		key=$val ;;
	--lock)
		lock=$val ;;
	--fetch-flags)
		fetchflags=$val ;;
	--load-flags)
		loadflags=$val ;;
	--)
		while [ "$left" -gt 0 ]; do
			set -- "$@" "$1"
			shift
			left=$((left - 1))
		done ;;
	-?*)
		usage_error "$a: unknown option" ;;
	*)
		set -- "$@" "$a" ;;
	esac
done
[ -n "$lock" ] || lock=$state.sync.lock

here=
case $0 in
*/*)	here=$(CDPATH='' cd -P -- "${0%/*}/" && pwd) || exit 1 ;;
esac
PATH=$build_path${build_path:+:}$here${here:+:}$PATH
export PATH

[ -n "$domain" ] ||
    config_error "no domain: give --domain or set FRESHDESK_DOMAIN"
[ -n "$key" ] || [ -n "${FRESHDESK_API_KEY:-}" ] ||
    config_error "no key: give --key-file, or set FRESHDESK_API_KEY_FILE or FRESHDESK_API_KEY"
[ -z "$key" ] || [ -r "$key" ] ||
    config_error "$key: cannot read the key file"
[ -z "$key" ] || export FRESHDESK_API_KEY_FILE="$key"

exec 9>>"$lock" || { say "$lock: cannot open the lock"; exit 1; }
flock -n 9 || { say "$lock: another sync is running: try later"; exit 75; }
t=$(mktemp -d "${TMPDIR:-/tmp}/fd-sync.XXXXXX") || exit 1
trap 'rm -rf "$t"' EXIT
trap 'exit 1' HUP INT TERM

# load: fd-load, started by the first line of its input, which it is
# given with the rest: a run that fails before fetching anything (a
# usage or configuration error, a refused key, an unknown host) starts
# no fd-load, and creates no database.  Its status, 0 when not started.
load() {
	first=
	IFS= read -r first || [ -n "$first" ] || return 0
	# shellcheck disable=SC2086
	{ printf '%s\n' "$first" && exec cat; } |
	    fd-load $loadflags $verbosity -s "$state" -t "$to"
}

# failed PROGRAM STATUS: says so and exits: 2 for a usage error of the
# program's (the flags or the endpoints fd-sync passed on), else 1
failed() {
	if [ "$2" -eq 2 ]; then
		say "failed: $1 exited 2: a usage error"
		exit 2
	fi
	say "failed: $1 exited $2"
	exit 1
}

# Each program's status in a file of $t, fd-load's messages too (read
# for "locked by another", then passed on); the flags are split on
# blanks, never expanded as file names.
set -f
# shellcheck disable=SC2086
{ fd-fetch $fetchflags $verbosity --domain "$domain" -s "$state" "$@" 9>&-
  echo $? >"$t/fetch"; } |
{ fd-normalize $verbosity 9>&-; echo $? >"$t/norm"; } |
{ load 9>&- 2>"$t/err"; echo $? >"$t/load"; }
cat "$t/err" >&2
f=$(cat "$t/fetch") n=$(cat "$t/norm") l=$(cat "$t/load")
[ "$f$n$l" = 000 ] && exit 0
if [ "$l" -ne 0 ]; then
	if grep -q "locked by another" "$t/err"; then
		say "$to: another load is running: try later"
		exit 75
	fi
	failed fd-load "$l"
fi
[ "$n" -eq 0 ] || failed fd-normalize "$n"
[ "$f" -ne 75 ] ||
    { say "the API is not answering (rate limit, network): try later"; exit 75; }
failed fd-fetch "$f"
