#!/usr/bin/env bash
# tests/bench/normalize.sh - fd-normalize's throughput against `jq -c .`
# on the same file, measured in the same run, and its peak RSS on two
# sizes of input (flat: it streams).
#
# The corpus: the simulator's tickets as fd-fetch writes them with
# include=description,requester,stats (FRESHDESK.md 1.6 shapes: long
# descriptions with escapes, custom fields of mixed types, tags, cc
# lists), repeated to at least 100,000 tickets (about 300 MB); RSS is
# also measured on a quarter of it.
#
# The same figures on the realistic corpus (real.sh: long texts with
# escapes, emoji and CJK, 9 rows a ticket across 8 tables).
#
# fd-normalize runs twice: as by default (dense records, every column
# of the SCHEMA in each) and with --sparse (a row's values only), with
# the size of what each writes for the quarter.
set -u
set -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 1
# shellcheck source=../sim/sim.bash disable=SC1091
. "$TOP/tests/sim/sim.bash"
# shellcheck source=real.sh disable=SC1091
. "$TOP/tests/bench/real.sh"
W=$(mktemp -d /tmp/fd-bench-norm.XXXXXX) || exit 1
trap 'sim_stop >/dev/null 2>&1; rm -rf "$W"' EXIT INT TERM
BATS_TEST_TMPDIR=$W

say() { printf 'bench: %s\n' "$*" >&2; }

say "normalize: building the corpus"
sim_start --rate-total 100000 --tickets-list-limit 100000 \
    --contacts-list-limit 100000 || exit 1
"$TOP/fd-fetch/fd-fetch" -q --include description,requester,stats tickets \
    >"$W/page.ndjson" || { echo "bench: fd-fetch failed" >&2; exit 1; }
sim_stop
records=$(grep -c '"type":"RECORD"' "$W/page.ndjson")
: >"$W/small.ndjson"
n=0
while [ $n -lt 25000 ]; do
	cat "$W/page.ndjson" >>"$W/small.ndjson"
	n=$((n + records))
done
cat "$W/small.ndjson" "$W/small.ndjson" "$W/small.ndjson" "$W/small.ndjson" \
    >"$W/big.ndjson"
mb=$(( $(stat -c %s "$W/big.ndjson") / 1000000 ))
mbs=$(( $(stat -c %s "$W/small.ndjson") / 1000000 ))

# best of three wall times of "$@" > /dev/null
best() {
	local t b=999999 i
	for i in 1 2 3; do
		/usr/bin/time -f %e -o "$W/t" "$@" >/dev/null || return 1
		t=$(cat "$W/t")
		b=$(awk -v a="$t" -v b="$b" 'BEGIN { print (a < b) ? a : b }')
	done
	echo "$b"
}

rss() {
	/usr/bin/time -f %M -o "$W/m" "$@" >/dev/null || return 1
	awk '{ printf "%.1f", $1 / 1024 }' "$W/m"
}

say "normalize: timing on $mb MB"
tn=$(best "$TOP/fd-normalize/fd-normalize" "$W/big.ndjson") || exit 1
ts=$(best "$TOP/fd-normalize/fd-normalize" --sparse "$W/big.ndjson") || exit 1
od=$("$TOP/fd-normalize/fd-normalize" "$W/small.ndjson" | wc -c) || exit 1
os=$("$TOP/fd-normalize/fd-normalize" --sparse "$W/small.ndjson" | wc -c) ||
    exit 1
tj=$(best jq -c . "$W/big.ndjson") || exit 1
rs=$(rss "$TOP/fd-normalize/fd-normalize" "$W/small.ndjson") || exit 1
rb=$(rss "$TOP/fd-normalize/fd-normalize" "$W/big.ndjson") || exit 1

R=$(real_corpus) || exit 1
rmb=$(( $(stat -c %s "$R") / 1000000 ))
rn=$(real_count "$R")
real_head $((rn / 4)) "$R" >"$W/realq.ndjson"
say "normalize: timing on the realistic corpus, $rmb MB"
trn=$(best "$TOP/fd-normalize/fd-normalize" "$R") || exit 1
trj=$(best jq -c . "$R") || exit 1
rrs=$(rss "$TOP/fd-normalize/fd-normalize" "$W/realq.ndjson") || exit 1
rrb=$(rss "$TOP/fd-normalize/fd-normalize" "$R") || exit 1

echo
echo "fd-normalize benchmark ($records tickets repeated to $((n * 4)) records, $mb MB; best of 3)"
echo
awk -v mb="$mb" -v tn="$tn" -v tj="$tj" -v rs="$rs" -v rb="$rb" \
    -v mbs="$mbs" -v ts="$ts" -v od="$od" -v os="$os" 'BEGIN {
	printf "%-28s %8s %8s %8s\n", "run", "wall s", "MB/s", "ratio"
	printf "%-28s %8.2f %8.0f %8s\n", "jq -c .", tj, mb / tj, "1.00"
	printf "%-28s %8.2f %8.0f %8.2f\n", "fd-normalize", tn, mb / tn, tj / tn
	printf "%-28s %8.2f %8.0f %8.2f\n", "fd-normalize --sparse", ts,
	    mb / ts, tj / ts
	printf "\noutput on %d MB: %.1f MB dense, %.1f MB --sparse (%+.0f%%)\n",
	    mbs, od / 1e6, os / 1e6, (od - os) * 100 / os
	printf "\npeak RSS of fd-normalize: %s MB on %d MB, %s MB on %d MB\n",
	    rs, mbs, rb, mb
	printf "targets: ratio >= 6, peak RSS < 50 MB and flat\n"
}'
echo
echo "on the realistic corpus ($rn tickets, $rmb MB; best of 3)"
echo
awk -v mb="$rmb" -v tn="$trn" -v tj="$trj" -v rs="$rrs" -v rb="$rrb" 'BEGIN {
	printf "%-28s %8s %8s %8s\n", "run", "wall s", "MB/s", "ratio"
	printf "%-28s %8.2f %8.0f %8s\n", "jq -c .", tj, mb / tj, "1.00"
	printf "%-28s %8.2f %8.0f %8.2f\n", "fd-normalize", tn, mb / tn, tj / tn
	printf "\npeak RSS of fd-normalize: %s MB on a quarter, %s MB on all\n",
	    rs, rb
}'
if [ -n "${FD_BENCH_SUMMARY:-}" ]; then
	awk -v mb="$mb" -v tn="$tn" -v tj="$tj" -v rs="$rs" -v rb="$rb" \
	    -v ts="$ts" 'BEGIN {
		printf "normalize %d MB\tMB/s (jq -c .)\t%.0f (%.0f)\t%.2f\t>= 6\n",
		    mb, mb / tn, mb / tj, tj / tn
		printf "normalize --sparse\tMB/s\t%.0f\t%.2f\t\n", mb / ts,
		    tj / ts
		printf "normalize\tpeak RSS MB, 1/4 and all\t%s, %s\t\t< 50, flat\n", rs, rb
	}' >>"$FD_BENCH_SUMMARY"
	awk -v mb="$rmb" -v tn="$trn" -v tj="$trj" -v rs="$rrs" -v rb="$rrb" 'BEGIN {
		printf "normalize realistic %d MB\tMB/s (jq -c .)\t%.0f (%.0f)\t%.2f\t>= 6\n",
		    mb, mb / tn, mb / tj, tj / tn
		printf "normalize realistic\tpeak RSS MB, 1/4 and all\t%s, %s\t\t< 50, flat\n", rs, rb
	}' >>"$FD_BENCH_SUMMARY"
fi
