#!/usr/bin/env bash
# tests/bench/load.sh - fd-load's rows/s into SQLite and PostgreSQL
# against the databases' own bulk loaders on the same rows, measured in
# the same run: the sqlite3 shell's .import and psql's \copy of the same
# rows as CSV (written by fd-load -t csv:, so exactly the same rows,
# into tables of the same columns and types).  Also fd-load's peak RSS
# on two sizes of input (flat: it streams).
#
# The corpus: the simulator's tickets and contacts as fd-fetch writes
# them (include=description,requester,stats), normalized, repeated to at
# least FD_BENCH_LOAD_TICKETS tickets (default 30,000) with their child
# tables; the STATE messages of fd-fetch's pages are kept, so fd-load
# commits as often as in a real run.
set -u
set -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 1
# shellcheck source=../sim/sim.bash disable=SC1091
. "$TOP/tests/sim/sim.bash"
# shellcheck source=../pg.bash disable=SC1091
. "$TOP/tests/pg.bash"
W=$(mktemp -d /tmp/fd-bench-load.XXXXXX) || exit 1
chmod 0755 "$W"
trap 'sim_stop >/dev/null 2>&1; pg_stop; rm -rf "$W"' EXIT INT TERM
BATS_TEST_TMPDIR=$W
PATH="$TOP/fd-fetch:$TOP/fd-normalize:$TOP/fd-load:$PATH"
WANT=${FD_BENCH_LOAD_TICKETS:-30000}

say() { printf 'bench: %s\n' "$*" >&2; }

say "load: building the corpus"
sim_start --rate-total 100000 --tickets-list-limit 100000 \
    --contacts-list-limit 100000 || exit 1
fd-fetch -q --since 2019-01-01T00:00:00Z --include description,requester,stats \
    tickets contacts >"$W/page.ndjson" || { echo "bench: fd-fetch failed" >&2; exit 1; }
sim_stop
fd-normalize "$W/page.ndjson" >"$W/one.ndjson" || exit 1
per=$(grep -c '"type":"RECORD","stream":"tickets",' "$W/one.ndjson")
: >"$W/small.ndjson"
n=0
while [ $n -lt $((WANT / 4)) ]; do
	cat "$W/one.ndjson" >>"$W/small.ndjson"
	n=$((n + per))
done
cat "$W/small.ndjson" "$W/small.ndjson" "$W/small.ndjson" "$W/small.ndjson" \
    >"$W/big.ndjson"
rows=$(grep -c '"type":"RECORD"' "$W/big.ndjson")
tables=$(grep '"type":"SCHEMA"' "$W/big.ndjson" | jq -r .stream | sort -u | wc -l)
grep '"type":"SCHEMA"' "$W/big.ndjson" >"$W/schema.ndjson"

# the same rows as CSV, one directory per table, for the baselines
fd-load -q -t "csv:$W/csv" --mode append "$W/big.ndjson" || exit 1

# wall seconds of "$@" (after a set-up command $SETUP)
t1() {
	eval "$SETUP" || return 1
	/usr/bin/time -f %e -o "$W/t" "$@" >/dev/null || return 1
	cat "$W/t"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? a : b }'; }
ROUNDS=${FD_BENCH_ROUNDS:-5}
# sqlite3's .import of every CSV file into tables made from the SCHEMAs
import_script() {
	local d f
	echo "BEGIN;"
	for d in "$W"/csv/*/; do
		for f in "$d"*.csv; do
			[ -e "$f" ] || continue
			printf '.import --csv --skip 1 %s %s\n' "$f" \
			    "\"$(jq -r --arg d "$(basename "$d")" \
			    '.tables | to_entries[] | select(.value.dir == $d) | .key' \
			    "$W/csv/_fd_manifest.json")\""
		done
	done
	echo "COMMIT;"
}
import_script >"$W/import.sql"
copy_script() {
	local d f t
	for d in "$W"/csv/*/; do
		t=$(jq -r --arg d "$(basename "$d")" \
		    '.tables | to_entries[] | select(.value.dir == $d) | .key' \
		    "$W/csv/_fd_manifest.json")
		for f in "$d"*.csv; do
			[ -e "$f" ] || continue
			printf '\\copy "%s" (%s) from %s csv header\n' "$t" \
			    "$(head -1 "$f" | tr -d '\r' | sed 's/[^,]*/"&"/g')" "$f"
		done
	done
}
copy_script >"$W/copy.sql"

DB="$W/b.db"
fresh_sqlite() { rm -f "$DB" "$DB"-* && fd-load -q -t "sqlite:$DB" "$W/schema.ndjson"; }

say "load: SQLite ($rows rows, $tables tables)"
# best of ROUNDS rounds, each of which runs every contender once in
# turn: the machine's noise falls on all of them alike
SETUP=fresh_sqlite
ti=999999 ta=999999 tm=999999
for ((r = 0; r < ROUNDS; r++)); do
	t=$(t1 sh -c "sqlite3 '$DB' <'$W/import.sql' 2>/dev/null") || exit 1
	ti=$(min "$ti" "$t")
	t=$(t1 fd-load -q -t "sqlite:$DB" --mode append "$W/big.ndjson") || exit 1
	ta=$(min "$ta" "$t")
	t=$(t1 fd-load -q -t "sqlite:$DB" "$W/big.ndjson") || exit 1
	tm=$(min "$tm" "$t")
done

say "load: PostgreSQL"
pg_start >/dev/null || exit 1
fresh_pg() {
	dropdb --if-exists -h "$PGHOST" -U fd b 2>/dev/null
	createdb -h "$PGHOST" -U fd b &&
	    fd-load -q -t "postgresql:///b?host=$PGHOST&user=fd" "$W/schema.ndjson"
}
SETUP=fresh_pg
PGB="postgresql:///b?host=$PGHOST&user=fd"
tc=999999 tpa=999999 tpm=999999
for ((r = 0; r < ROUNDS; r++)); do
	t=$(t1 psql -X -q -v ON_ERROR_STOP=1 -d "$PGB" -f "$W/copy.sql") || exit 1
	tc=$(min "$tc" "$t")
	t=$(t1 fd-load -q -t "$PGB" --mode append "$W/big.ndjson") || exit 1
	tpa=$(min "$tpa" "$t")
	t=$(t1 fd-load -q -t "$PGB" "$W/big.ndjson") || exit 1
	tpm=$(min "$tpm" "$t")
done

rss() {
	eval "$SETUP" || return 1
	/usr/bin/time -f %M -o "$W/m" "$@" >/dev/null || return 1
	awk '{ printf "%.1f", $1 / 1024 }' "$W/m"
}
SETUP=fresh_sqlite
rs=$(rss fd-load -q -t "sqlite:$DB" "$W/small.ndjson") || exit 1
rb=$(rss fd-load -q -t "sqlite:$DB" "$W/big.ndjson") || exit 1
SETUP=fresh_pg
ps=$(rss fd-load -q -t "postgresql:///b?host=$PGHOST&user=fd" "$W/small.ndjson") || exit 1
pb=$(rss fd-load -q -t "postgresql:///b?host=$PGHOST&user=fd" "$W/big.ndjson") || exit 1

echo
echo "fd-load benchmark ($per tickets repeated to $((n * 4)), with contacts and child tables: $rows rows in $tables tables; best of $ROUNDS rounds)"
echo
awk -v r="$rows" -v ti="$ti" -v ta="$ta" -v tm="$tm" -v tc="$tc" \
    -v tpa="$tpa" -v tpm="$tpm" 'BEGIN {
	printf "%-34s %8s %10s %8s %8s\n", "run", "wall s", "rows/s", "ratio", "target"
	printf "%-34s %8.2f %10.0f %8s\n", "sqlite3 .import (CSV)", ti, r / ti, "1.00"
	printf "%-34s %8.2f %10.0f %8.2f %8s\n", "fd-load sqlite: --mode append", ta, r / ta, ti / ta, ">= 1.0"
	printf "%-34s %8.2f %10.0f %8.2f %8s\n", "fd-load sqlite: merge", tm, r / tm, ti / tm, ">= 0.7"
	printf "%-34s %8.2f %10.0f %8s\n", "psql \\copy (CSV)", tc, r / tc, "1.00"
	printf "%-34s %8.2f %10.0f %8.2f %8s\n", "fd-load postgresql: --mode append", tpa, r / tpa, tc / tpa, ">= 0.8"
	printf "%-34s %8.2f %10.0f %8.2f %8s\n", "fd-load postgresql: merge", tpm, r / tpm, tc / tpm, ""
}'
echo
echo "peak RSS of fd-load: sqlite $rs MB on 1/4 of the rows, $rb MB on all; postgresql $ps MB, $pb MB (target: flat)"
if [ -n "${FD_BENCH_SUMMARY:-}" ]; then
	awk -v r="$rows" -v ti="$ti" -v ta="$ta" -v tm="$tm" -v tc="$tc" \
	    -v tpa="$tpa" -v tpm="$tpm" -v rs="$rs" -v rb="$rb" -v ps="$ps" \
	    -v pb="$pb" 'BEGIN {
		printf "load sqlite append\trows/s (sqlite3 .import)\t%.0f (%.0f)\t%.2f\t>= 1.0\n", r / ta, r / ti, ti / ta
		printf "load sqlite merge\trows/s (sqlite3 .import)\t%.0f (%.0f)\t%.2f\t>= 0.7\n", r / tm, r / ti, ti / tm
		printf "load postgresql append\trows/s (psql \\copy)\t%.0f (%.0f)\t%.2f\t>= 0.8\n", r / tpa, r / tc, tc / tpa
		printf "load postgresql merge\trows/s (psql \\copy)\t%.0f (%.0f)\t%.2f\t\n", r / tpm, r / tc, tc / tpm
		printf "load\tpeak RSS MB sqlite, pg (1/4, all)\t%s %s, %s %s\t\tflat\n", rs, rb, ps, pb
	}' >>"$FD_BENCH_SUMMARY"
fi
