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

# sync: the pipeline once (the stream kept in $run/stream for the
# summary); a failure of any of the three programs stops the demo
sync() {
	{ fd-fetch -q -s "$demo/state.json" --since 2019-01-01T00:00:00Z
	  echo $? >"$run/fetch"; } | tee "$run/stream" |
	    { fd-normalize; echo $? >"$run/norm"; } |
	    { fd-load -q -s "$demo/state.json" -t "sqlite:$demo/freshdesk.db"
	      echo $? >"$run/load"; }
	[ "$(cat "$run/fetch" "$run/norm" "$run/load")" = "$(printf '0\n0\n0')" ] || {
		echo "demo: the pipeline failed (exit status of fd-fetch," \
		    "fd-normalize, fd-load: $(cat "$run/fetch" "$run/norm" "$run/load" | paste -sd' ' -))" >&2
		exit 1
	}
}

# fetched: the records of the last sync by stream, as "N stream, ..."
fetched() {
	grep -o '"type":"RECORD","stream":"[^"]*"' "$run/stream" |
	    sed 's/.*"stream":"//; s/"$//' | sort | uniq -c |
	    awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 } END { print "" }'
}

db() {
	sqlite3 "$demo/freshdesk.db" "$@"
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
echo "   fetched: $(fetched)"
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
# an hour passes in the helpdesk, 25 tickets change
curl -s -X POST -d '{"advance": 3600}' "$url/_sim/now" >/dev/null
curl -s -X POST -d '{"count": 25}' "$url/_sim/mutate" >/dev/null
curl -s -X POST "$url/_sim/reset-stats" >/dev/null
before=$(db 'SELECT count(*) FROM tickets')
echo "2. an hour later 25 tickets have changed; the second sync is incremental"
sync
set -- $(stats)
echo "   $1 API requests: one page for each incremental pass (tickets, spam,"
echo "   deleted; contacts, deleted, blocked) and the small full-refresh"
echo "   endpoints (agents, companies, groups, roles) read whole again"
echo "   fetched: $(fetched)"
db "SELECT '   load ' || load_id || ': ' || rows || ' rows written' FROM _fd_loads ORDER BY load_id DESC LIMIT 1"
echo "   tickets: $before before, $(db 'SELECT count(*) FROM tickets') now (merged by id, no duplicates)"
echo "   the cursor: tickets updated since $(jq -r '.bookmarks.tickets.updated_at' "$demo/state.json" 2>/dev/null ||
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bookmarks"]["tickets"]["updated_at"])' "$demo/state.json")"
echo
echo "   a query: the tickets changed last, with their tags"
db -header -column \
    "SELECT t.id, t.status, t.updated_at, coalesce(group_concat(g.value, ' '), '') AS tags
     FROM tickets t LEFT JOIN tickets__tags g ON g._fd_root_id = t._fd_id
     GROUP BY t._fd_id ORDER BY t.updated_at DESC, t.id LIMIT 5" | sed 's/^/     /'
echo
echo "The database is demo/freshdesk.db, the cursor demo/state.json."
echo "Point it at your own helpdesk: see README.md, \"Configuration\"."
