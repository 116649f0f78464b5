#!/bin/sh
# tests/bench/run.sh - make bench, from the top of the tree after the build.
#
# Runs each benchmark of tests/bench in turn; each prints one table on
# stdout (ratios against bounds computed in the same run, since the
# machines here are noisy) and progress on stderr.  The targets are
# reported, not asserted; a benchmark fails (non-zero) only when a program
# it measures fails or its set-up breaks.

dir=$(dirname "$0")
status=0
for b in fetch normalize load; do
	bash "$dir/$b.sh" || {
		echo "bench: $b.sh failed" >&2
		status=1
	}
done
exit $status
