# tests/bench/real.sh - sourced by the benchmarks: the realistic ticket
# corpus of corpus.py, made once and kept for the other benchmarks of
# the run (and the next runs) in a cache named by the generator's digest
# and size, so that every figure of make bench is measured on the same
# bytes.
#
# real_corpus: prints the path of the corpus of FD_BENCH_REAL_TICKETS
# tickets (default 100,000: about 228 MB) as fd-fetch writes them; the
# cache is FD_BENCH_CACHE (default ${TMPDIR:-/tmp}/fd-bench-cache).
real_corpus() {
	local n=${FD_BENCH_REAL_TICKETS:-100000} dir sum f
	dir=${FD_BENCH_CACHE:-${TMPDIR:-/tmp}/fd-bench-cache}
	mkdir -p "$dir" || return 1
	sum=$(sha256sum "$TOP/tests/bench/corpus.py" | cut -c1-12) || return 1
	f="$dir/real-$sum-$n.ndjson"
	if [ ! -s "$f" ]; then
		printf 'bench: building the realistic corpus (%s tickets)\n' \
		    "$n" >&2
		"$TOP/fd-fetch/fd-fetch" --discover |
		    jq -c '.streams[] | select(.tap_stream_id == "tickets") |
		    .schema' |
		    /usr/bin/python3 "$TOP/tests/bench/corpus.py" --tickets "$n" \
		    >"$f.tmp" && mv "$f.tmp" "$f" || { rm -f "$f.tmp"; return 1; }
	fi
	echo "$f"
}

# real_head N FILE: the first N tickets of the corpus FILE, with its
# SCHEMA and the STATEs among them
real_head() {
	awk -v n="$1" '/^{"type":"RECORD"/ { if (++k > n) exit } { print }' "$2"
}

# real_count FILE: the tickets in the corpus FILE
real_count() {
	grep -c '^{"type":"RECORD"' "$1"
}
