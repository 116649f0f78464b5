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
# commits as often as in a real run.  Then the same figures on the
# realistic corpus of real.sh (FD_BENCH_LOAD_REAL tickets of it, default
# 30,000), normalized.
set -u
set -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 1
# shellcheck source=../sim/sim.bash disable=SC1091
. "$TOP/tests/sim/sim.bash"
# shellcheck source=../pg.bash disable=SC1091
. "$TOP/tests/pg.bash"
# shellcheck source=real.sh disable=SC1091
. "$TOP/tests/bench/real.sh"
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
# bench_load TAG LABEL: the figures on $SMALL and $BIG (a quarter of
# it), the summary's rows named with TAG
bench_load() {
	TAG=$1 LABEL=$2
	rows=$(grep -c '"type":"RECORD"' "$BIG")
	tables=$(grep '"type":"SCHEMA"' "$BIG" | jq -r .stream | sort -u | wc -l)
	grep '"type":"SCHEMA"' "$BIG" >"$W/schema.ndjson"

	# the same rows as CSV, a file per table in the columns' order of
	# the tables fd-load makes (csvcols.py), for the baselines
	rm -rf "$W/csv" "$W/base"
	fd-load -q -t "csv:$W/csv" --mode append "$BIG" || exit 1
	DB="$W/b.db"
	fresh_sqlite() { rm -f "$DB" "$DB"-* && fd-load -q -t "sqlite:$DB" "$W/schema.ndjson"; }
	fresh_sqlite || exit 1
	/usr/bin/python3 "$TOP/tests/bench/csvcols.py" "$W/csv" "$DB" "$W/base" ||
	    exit 1

	# wall seconds of "$@" (after a set-up command $SETUP)
	t1() {
		eval "$SETUP" || return 1
		/usr/bin/time -f %e -o "$W/t" "$@" >/dev/null || return 1
		cat "$W/t"
	}
	min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b) ? a : b }'; }
	ROUNDS=${FD_BENCH_ROUNDS:-5}
	# sqlite3's .import of every table's CSV into the tables fd-load
	# made from the SCHEMAs; psql's \copy of them by the headers' names
	local f
	{
		echo "BEGIN;"
		for f in "$W"/base/*.csv; do
			printf '.import --csv --skip 1 %s "%s"\n' "$f" \
			    "$(basename "$f" .csv)"
		done
		echo "COMMIT;"
	} >"$W/import.sql"
	for f in "$W"/base/*.csv; do
		printf '\\copy "%s" (%s) from %s csv header\n' \
		    "$(basename "$f" .csv)" \
		    "$(head -1 "$f" | sed 's/[^,]*/"&"/g')" "$f"
	done >"$W/copy.sql"
	# the baseline loads every row
	fresh_sqlite && sqlite3 "$DB" <"$W/import.sql" || exit 1
	local sum
	sum=$(for f in "$W"/base/*.csv; do
		printf '(select count(*) from "%s")+' "$(basename "$f" .csv)"
	done)
	[ "$(sqlite3 "$DB" "select ${sum}0")" -eq "$rows" ] || {
		echo "bench: sqlite3 .import did not load the $rows rows" >&2
		exit 1
	}

	say "load${TAG:+ ($TAG)}: SQLite ($rows rows, $tables tables)"
	# best of ROUNDS rounds, each of which runs every contender once in
	# turn: the machine's noise falls on all of them alike
	SETUP=fresh_sqlite
	ti=999999 ta=999999 tm=999999
	for ((r = 0; r < ROUNDS; r++)); do
		t=$(t1 sh -c "sqlite3 '$DB' <'$W/import.sql'") || exit 1
		ti=$(min "$ti" "$t")
		t=$(t1 fd-load -q -t "sqlite:$DB" --mode append "$BIG") || exit 1
		ta=$(min "$ta" "$t")
		t=$(t1 fd-load -q -t "sqlite:$DB" "$BIG") || exit 1
		tm=$(min "$tm" "$t")
	done

	say "load${TAG:+ ($TAG)}: PostgreSQL"
	[ -n "${PG_UP:-}" ] || { pg_start >/dev/null && PG_UP=1; } || exit 1
	# the tables as an append makes them: without the primary key a
	# merge root gets (the corpus repeats its records, which \copy and
	# an append load as they come); a merge adds the key to the empty
	# table
	fresh_pg() {
		dropdb --if-exists -h "$PGHOST" -U fd b 2>/dev/null
		createdb -h "$PGHOST" -U fd b &&
		    fd-load -q --mode append \
		    -t "postgresql:///b?host=$PGHOST&user=fd" "$W/schema.ndjson"
	}
	SETUP=fresh_pg
	PGB="postgresql:///b?host=$PGHOST&user=fd"
	tc=999999 tpa=999999 tpm=999999
	for ((r = 0; r < ROUNDS; r++)); do
		t=$(t1 psql -X -q -v ON_ERROR_STOP=1 -d "$PGB" -f "$W/copy.sql") || exit 1
		tc=$(min "$tc" "$t")
		t=$(t1 fd-load -q -t "$PGB" --mode append "$BIG") || exit 1
		tpa=$(min "$tpa" "$t")
		t=$(t1 fd-load -q -t "$PGB" "$BIG") || exit 1
		tpm=$(min "$tpm" "$t")
	done

	rss() {
		eval "$SETUP" || return 1
		/usr/bin/time -f %M -o "$W/m" "$@" >/dev/null || return 1
		awk '{ printf "%.1f", $1 / 1024 }' "$W/m"
	}
	SETUP=fresh_sqlite
	rs=$(rss fd-load -q -t "sqlite:$DB" "$SMALL") || exit 1
	rb=$(rss fd-load -q -t "sqlite:$DB" "$BIG") || exit 1
	SETUP=fresh_pg
	ps=$(rss fd-load -q -t "postgresql:///b?host=$PGHOST&user=fd" "$SMALL") || exit 1
	pb=$(rss fd-load -q -t "postgresql:///b?host=$PGHOST&user=fd" "$BIG") || exit 1

	echo
	echo "fd-load benchmark ($LABEL: $rows rows in $tables tables; best of $ROUNDS rounds)"
	echo
	awk -v r="$rows" -v ti="$ti" -v ta="$ta" -v tm="$tm" -v tc="$tc" \
	    -v tpa="$tpa" -v tpm="$tpm" 'BEGIN {
		printf "%-34s %8s %10s %8s %8s\n", "run", "wall s", "rows/s", "ratio", "target"
		printf "%-34s %8.2f %10.0f %8s\n", "sqlite3 .import (CSV)", ti, r / ti, "1.00"
		printf "%-34s %8.2f %10.0f %8.2f %8s\n", "fd-load sqlite: --mode append", ta, r / ta, ti / ta, ">= 1.0"
		printf "%-34s %8.2f %10.0f %8.2f %8s\n", "fd-load sqlite: merge", tm, r / tm, ti / tm, ">= 0.7"
		printf "%-34s %8.2f %10.0f %8s\n", "psql \\copy (CSV)", tc, r / tc, "1.00"
		printf "%-34s %8.2f %10.0f %8.2f %8s\n", "fd-load postgresql: --mode append", tpa, r / tpa, tc / tpa, ">= 0.8"
		printf "%-34s %8.2f %10.0f %8.2f %8s\n", "fd-load postgresql: merge", tpm, r / tpm, tc / tpm, ">= 0.6"
	}'
	echo
	echo "peak RSS of fd-load: sqlite $rs MB on 1/4 of the rows, $rb MB on all; postgresql $ps MB, $pb MB (target: flat)"
	if [ -n "${FD_BENCH_SUMMARY:-}" ]; then
		awk -v r="$rows" -v ti="$ti" -v ta="$ta" -v tm="$tm" -v tc="$tc" \
		    -v tpa="$tpa" -v tpm="$tpm" -v rs="$rs" -v rb="$rb" -v ps="$ps" \
		    -v pb="$pb" -v tag="${TAG:+ $TAG}" 'BEGIN {
			printf "load sqlite append%s\trows/s (sqlite3 .import)\t%.0f (%.0f)\t%.2f\t>= 1.0\n", tag, r / ta, r / ti, ti / ta
			printf "load sqlite merge%s\trows/s (sqlite3 .import)\t%.0f (%.0f)\t%.2f\t>= 0.7\n", tag, r / tm, r / ti, ti / tm
			printf "load postgresql append%s\trows/s (psql \\copy)\t%.0f (%.0f)\t%.2f\t>= 0.8\n", tag, r / tpa, r / tc, tc / tpa
			printf "load postgresql merge%s\trows/s (psql \\copy)\t%.0f (%.0f)\t%.2f\t>= 0.6\n", tag, r / tpm, r / tc, tc / tpm
			printf "load%s\tpeak RSS MB sqlite, pg (1/4, all)\t%s %s, %s %s\t\tflat\n", tag, rs, rb, ps, pb
		}' >>"$FD_BENCH_SUMMARY"
	fi
}

SMALL=$W/small.ndjson BIG=$W/big.ndjson
bench_load "" "$per tickets repeated to $((n * 4)), with contacts and child tables" || exit 1

R=$(real_corpus) || exit 1
RT=${FD_BENCH_LOAD_REAL:-30000}
say "load: normalizing $RT realistic tickets"
real_head "$RT" "$R" | fd-normalize >"$W/rbig.ndjson" || exit 1
real_head $((RT / 4)) "$R" | fd-normalize >"$W/rsmall.ndjson" || exit 1
SMALL=$W/rsmall.ndjson BIG=$W/rbig.ndjson
bench_load realistic "$RT realistic tickets with their child tables" || exit 1
