#!/bin/sh
# run.sh: runs each fuzz target (tests/fuzz/build/fuzz_NAME) for
# FUZZ_SECONDS seconds (default 5): first on every regression input in
# tests/fuzz/regress/NAME/ (a finding stays fixed), then fuzzing from the
# committed seeds (tests/fuzz/corpus/NAME/) and what earlier runs found
# (tests/fuzz/build/corpus/NAME/, not committed).  Prints one line per
# target with its executions; fails when a regression input fails or a
# target crashed, naming the reproducer (tests/fuzz/build/crash-NAME-*),
# which belongs in tests/fuzz/regress/NAME/.
#
# Leak suppressions: lsan-jq.supp (libjq's own leaks) always;
# known-open.supp (fd bugs found, not yet fixed) while fuzzing only.
# Usage (from the top directory): sh tests/fuzz/run.sh [NAME ...]
set -u
FZ=tests/fuzz
B=$FZ/build
S=${FUZZ_SECONDS:-5}
pass=0 fail=0
[ $# -gt 0 ] || set -- jscan singer lines isotime state http normalize load \
    fetch jq
mkdir -p "$B"
cat "$FZ/lsan-jq.supp" "$FZ/known-open.supp" >"$B/fuzz.supp"
for t in "$@"; do
	bin=$B/fuzz_$t
	log=$B/fuzz_$t.log
	ok=1
	if [ ! -x "$bin" ]; then
		echo "fuzz: $t: $bin not built" >&2
		fail=$((fail + 1))
		continue
	fi
	dict=
	case $t in
	jscan|singer|state|normalize|load|fetch|jq) dict=-dict=$FZ/json.dict ;;
	esac
	asan=${ASAN_OPTIONS:-}
	# libjq has no frame pointers: its leaks need the slow unwinder
	# to be told from ours (fuzz_state, fuzz_fetch's error bodies and
	# fuzz_jq's records parse invalid JSON with it)
	case $t in
	state|fetch|jq) asan=fast_unwind_on_malloc=0${asan:+:$asan} ;;
	esac
	# the regression inputs, each run once
	if [ -d "$FZ/regress/$t" ] && [ -n "$(ls "$FZ/regress/$t")" ]; then
		if ! ASAN_OPTIONS=$asan \
		    LSAN_OPTIONS=suppressions=$FZ/lsan-jq.supp \
		    "$bin" $dict "$FZ/regress/$t"/* >"$log.regress" 2>&1; then
			echo "fuzz: $t: FAIL: a regression input fails:" >&2
			grep -E 'Running:|ERROR|SUMMARY|runtime error' \
			    "$log.regress" | tail -3 >&2
			echo "fuzz:   log: $log.regress" >&2
			ok=0
		fi
	fi
	mkdir -p "$B/corpus/$t"
	rm -f "$B"/crash-"$t"-* "$B"/leak-"$t"-* "$B"/timeout-"$t"-* \
	    "$B"/oom-"$t"-*
	ASAN_OPTIONS=$asan LSAN_OPTIONS=suppressions=$B/fuzz.supp \
	    "$bin" $dict -max_total_time="$S" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$B/crash-$t-" \
	    "$B/corpus/$t" "$FZ/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" -ne 0 ]; then
		echo "fuzz: $t: FAIL: crash after ${execs:-?} executions" >&2
		grep -E 'ERROR|SUMMARY|runtime error|Assertion' "$log" |
		    head -3 >&2
		ls "$B"/crash-"$t"-* 2>/dev/null |
		    sed 's/^/fuzz:   reproducer: /' >&2
		echo "fuzz:   log: $log" >&2
		ok=0
	else
		echo "fuzz: $t: ${execs:-?} executions in $S s, no crash"
	fi
	if [ "$ok" = 1 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
