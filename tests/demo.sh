#!/bin/sh
# demo.sh: what "make demo" runs once the programs are built: the whole
# pipeline against the bundled Freshdesk simulator into SQLite, twice
# (the second run incremental), with a short summary.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PATH="$top/fd-fetch:$top/fd-normalize:$top/fd-load:$PATH"
demo="$top/demo"
run=$(mktemp -d /tmp/fd-demo.XXXXXX)
sim=
cleanup() {
	[ -n "$sim" ] && kill "$sim" 2>/dev/null && wait "$sim" 2>/dev/null
	rm -rf "$run"
}
trap cleanup EXIT INT TERM

mkdir -p "$demo"
rm -f "$demo/freshdesk.db" "$demo/freshdesk.db-wal" "$demo/freshdesk.db-shm" \
    "$demo/state.json"
umask 077
echo "fdsim-demo-key" > "$run/key"

# A simulated helpdesk: 3000 tickets, 1000 contacts, ... on a plan with
# room enough that the demo takes seconds, not the minutes a real
# Growth plan would (fd-fetch paces itself to whatever the API allows).
python3 "$top/tests/sim/fdsim.py" --port 0 --port-file "$run/port" \
    --api-key-file "$run/key" --rate-total 20000 --tickets-list-limit 5000 \
    --contacts-list-limit 5000 >"$run/sim.out" 2>&1 &
sim=$!
i=0
while [ ! -s "$run/port" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || { echo "demo: the simulator did not start" >&2; exit 1; }
	sleep 0.1
done
url="http://127.0.0.1:$(cat "$run/port")"
export FRESHDESK_DOMAIN="$url" FRESHDESK_API_KEY_FILE="$run/key"

sync() {
	fd-fetch -q -s "$demo/state.json" |
	    fd-normalize |
	    fd-load -q -s "$demo/state.json" -t "sqlite:$demo/freshdesk.db"
}

stats() {
	curl -s "$url/_sim/stats" | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["requests_total"], s["rate_limited_429"])'
}

echo "fd demo: a simulated Freshdesk at $url"
echo
echo "1. the first sync: fd-fetch | fd-normalize | fd-load into demo/freshdesk.db"
start=$(date +%s.%N)
sync
end=$(date +%s.%N)
set -- $(stats)
printf '   %s API requests, %s answered 429, %.1f s\n' "$1" "$2" \
    "$(python3 -c "print($end - $start)")"
echo
echo "   tables and rows:"
sqlite3 "$demo/freshdesk.db" "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\_fd\_%' ESCAPE '\' ORDER BY name" |
while read -r t; do
	printf '     %-34s %6s\n' "$t" "$(sqlite3 "$demo/freshdesk.db" "SELECT count(*) FROM \"$t\"")"
done
echo
echo "   a query: open tickets by priority"
sqlite3 -header -column "$demo/freshdesk.db" \
    "SELECT priority, count(*) AS tickets, min(created_at) AS oldest
     FROM tickets WHERE status = 2 AND NOT spam GROUP BY priority ORDER BY priority" |
    sed 's/^/     /'
echo
curl -s -X POST -d '{"count": 25}' "$url/_sim/mutate" >/dev/null
curl -s -X POST "$url/_sim/reset-stats" >/dev/null
echo "2. 25 tickets change in the helpdesk; the second sync is incremental"
sync
set -- $(stats)
echo "   $1 API requests (one page per incremental pass, the rest full refresh)"
sqlite3 "$demo/freshdesk.db" "SELECT '   ' || rows || ' rows written by load ' || load_id FROM _fd_loads ORDER BY load_id DESC LIMIT 1"
echo "   tickets now: $(sqlite3 "$demo/freshdesk.db" 'SELECT count(*) FROM tickets') (merged by id, no duplicates)"
echo
echo "The database is demo/freshdesk.db, the cursor demo/state.json."
echo "Point it at your own helpdesk: see README.md, \"Configuration\"."
