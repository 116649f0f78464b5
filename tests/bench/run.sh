#!/bin/sh
# tests/bench/run.sh - make bench, from the top of the tree after the build.
#
# Runs each benchmark of tests/bench in turn; each prints its own table
# on stdout (ratios against bounds and baselines computed in the same
# run, since the machines here are noisy) and progress on stderr, and
# adds its main results to one summary table printed at the end.  The
# targets are reported, not asserted; a benchmark fails (non-zero) only
# when a program it measures fails or its set-up breaks.

dir=$(dirname "$0")
status=0
FD_BENCH_SUMMARY=$(mktemp /tmp/fd-bench-summary.XXXXXX) || exit 1
export FD_BENCH_SUMMARY
for b in fetch normalize load e2e; do
	bash "$dir/$b.sh" || {
		echo "bench: $b.sh failed" >&2
		status=1
	}
done
echo
echo "summary (measure: ours (baseline), ratio, target)"
echo
awk -F '\t' '{ printf "%-32s %-34s %-20s %6s  %s\n", $1, $2, $3, $4, $5 }' \
    "$FD_BENCH_SUMMARY"
rm -f "$FD_BENCH_SUMMARY"
exit $status
