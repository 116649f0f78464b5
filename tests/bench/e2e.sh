#!/usr/bin/env bash
# tests/bench/e2e.sh - the whole pipeline, fd-fetch | fd-normalize |
# fd-load into SQLite, against the simulator without rate limit or
# latency: records per second end to end, against fd-fetch alone to a
# file in the same run (the bound: the API), and each program's peak RSS.
# Then fd-normalize | fd-load from the realistic corpus (real.sh) into a
# new SQLite file, and again into the database that holds them (a
# merge): tickets per second (targets 25,000 and 15,000).
set -u
set -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 1
# shellcheck source=../sim/sim.bash disable=SC1091
. "$TOP/tests/sim/sim.bash"
# shellcheck source=real.sh disable=SC1091
. "$TOP/tests/bench/real.sh"
W=$(mktemp -d /tmp/fd-bench-e2e.XXXXXX) || exit 1
trap 'sim_stop >/dev/null 2>&1; rm -rf "$W"' EXIT INT TERM
BATS_TEST_TMPDIR=$W
PATH="$TOP/fd-fetch:$TOP/fd-normalize:$TOP/fd-load:$PATH"
N=${FD_BENCH_E2E_TICKETS:-10000}
ENDPOINTS="tickets contacts companies agents groups roles"

say() { printf 'bench: %s\n' "$*" >&2; }

say "e2e: $N tickets"
SIM_START_TIMEOUT=30 sim_start --tickets "$N" --rate-total 1000000 \
    --tickets-list-limit 1000000 --contacts-list-limit 1000000 || exit 1
F="fd-fetch -q -j 2 --since 2019-01-01T00:00:00Z $ENDPOINTS"

best() {	# best wall time of 3 runs of the shell command $1
	local b=999999 t i
	for i in 1 2 3; do
		rm -f "$W"/fd.db* "$W"/*.rss
		/usr/bin/time -f %e -o "$W/t" sh -c "$1" || return 1
		t=$(cat "$W/t")
		b=$(awk -v a="$t" -v b="$b" 'BEGIN { print (a < b) ? a : b }')
	done
	echo "$b"
}
tf=$(best "$F >$W/fetch.ndjson") || exit 1
records=$(grep -c '"type":"RECORD"' "$W/fetch.ndjson")
te=$(best "/usr/bin/time -f %M -o $W/f.rss $F |
    /usr/bin/time -f %M -o $W/n.rss fd-normalize |
    /usr/bin/time -f %M -o $W/l.rss fd-load -q -t sqlite:$W/fd.db") || exit 1
rf=$(cat "$W/f.rss"); rn=$(cat "$W/n.rss"); rl=$(cat "$W/l.rss")
rows=$(sqlite3 "$W/fd.db" 'select sum(rows) from _fd_loads')

echo
echo "end-to-end benchmark ($records records of $ENDPOINTS, $rows rows into SQLite; best of 3)"
echo
awk -v r="$records" -v tf="$tf" -v te="$te" -v rf="$rf" -v rn="$rn" \
    -v rl="$rl" 'BEGIN {
	printf "%-44s %8s %10s %8s\n", "run", "wall s", "records/s", "ratio"
	printf "%-44s %8.2f %10.0f %8s\n", "fd-fetch > file", tf, r / tf, "1.00"
	printf "%-44s %8.2f %10.0f %8.2f\n", "fd-fetch | fd-normalize | fd-load sqlite:",
	    te, r / te, tf / te
	printf "\npeak RSS MB: fd-fetch %.1f, fd-normalize %.1f, fd-load %.1f\n",
	    rf / 1024, rn / 1024, rl / 1024
}'
if [ -n "${FD_BENCH_SUMMARY:-}" ]; then
	awk -v r="$records" -v tf="$tf" -v te="$te" -v rf="$rf" -v rn="$rn" \
	    -v rl="$rl" 'BEGIN {
		printf "end to end, sqlite\trecords/s (fd-fetch alone)\t%.0f (%.0f)\t%.2f\t\n", r / te, r / tf, tf / te
		printf "end to end\tpeak RSS MB fetch, normalize, load\t%.1f, %.1f, %.1f\t\t\n", rf / 1024, rn / 1024, rl / 1024
	}' >>"$FD_BENCH_SUMMARY"
fi

R=$(real_corpus) || exit 1
rn=$(real_count "$R")
say "e2e: the realistic corpus, $rn tickets, into SQLite"
NL="fd-normalize <$R | fd-load -q -t sqlite:$W/fd.db"
tn=$(best "$NL") || exit 1		# best() starts each run on no database
tm=999999
for i in 1 2 3; do
	rm -f "$W"/fd.db*
	sh -c "$NL" || exit 1
	/usr/bin/time -f %e -o "$W/t" sh -c "$NL" || exit 1
	tm=$(awk -v a="$(cat "$W/t")" -v b="$tm" 'BEGIN { print (a < b) ? a : b }')
done
[ "$(sqlite3 "$W/fd.db" 'select count(*) from tickets')" -eq "$rn" ] ||
    { echo "bench: the realistic tickets did not all load" >&2; exit 1; }
echo
echo "realistic corpus ($rn tickets) | fd-normalize | fd-load sqlite: (best of 3)"
echo
awk -v r="$rn" -v tn="$tn" -v tm="$tm" 'BEGIN {
	printf "%-44s %8s %10s %8s\n", "run", "wall s", "tickets/s", "target"
	printf "%-44s %8.2f %10.0f %8s\n", "into a new database", tn, r / tn, ">= 25000"
	printf "%-44s %8.2f %10.0f %8s\n", "merged into the database that holds them", tm, r / tm, ">= 15000"
}'
if [ -n "${FD_BENCH_SUMMARY:-}" ]; then
	awk -v r="$rn" -v tn="$tn" -v tm="$tm" 'BEGIN {
		printf "end to end realistic, new sqlite\ttickets/s\t%.0f\t\t>= 25000\n", r / tn
		printf "end to end realistic, merge\ttickets/s\t%.0f\t\t>= 15000\n", r / tm
	}' >>"$FD_BENCH_SUMMARY"
fi
