#!/bin/bash
# seed.sh: regenerates the seed corpora (tests/fuzz/corpus/TARGET/) from
# the simulator and the fixtures.  Run from the top directory after
# `make all`; the seeds are committed, so make fuzz does not need this.
#   bash tests/fuzz/seed.sh
set -eu	# no pipefail: head closes pipes early
top=$PWD
C=$top/tests/fuzz/corpus
export PATH=$top/fd-fetch:$top/fd-normalize:$top/fd-load:$PATH
T=$(mktemp -d)
trap 'kill $(cat "$T/pid" 2>/dev/null) 2>/dev/null; rm -rf "$T"' EXIT

umask 077
printf 'fuzz-seed-key\n' >"$T/key"
python3 tests/sim/fdsim.py --port 0 --port-file "$T/port" \
    --api-key-file "$T/key" --tickets 40 --contacts 20 --companies 5 \
    --agents 3 --groups 2 --burst 5 --rate-total 100000 \
    >/dev/null 2>&1 </dev/null &
echo $! >"$T/pid"
for _ in $(seq 250); do [ -s "$T/port" ] && break; sleep 0.02; done
url="http://127.0.0.1:$(cat "$T/port")"
export FRESHDESK_DOMAIN=$url FRESHDESK_API_KEY=fuzz-seed-key
fd-fetch -q all >"$T/stream" 2>/dev/null || fd-fetch -q >"$T/stream"
fd-normalize <"$T/stream" >"$T/norm"

rm -rf "$C"
mkdir -p "$C"/{jscan,singer,lines,isotime,state,http,normalize,load,fetch,jq}
n=0
# one file per line: a sample of each message type, and the records
pick() {	# pick DIR PREFIX < lines: every line as its own file
	local d=$1 p=$2 i=0 l
	while IFS= read -r l; do
		printf '%s' "$l" >"$C/$d/$p-$i"
		i=$((i + 1))
	done
}
for ty in SCHEMA RECORD STATE ACTIVATE_VERSION; do
	grep "\"type\":\"$ty\"" "$T/stream" | awk 'NR % 7 == 1' | head -6 |
	    pick singer "raw-$ty"
	grep "\"type\":\"$ty\"" "$T/norm" | awk 'NR % 5 == 1' | head -6 |
	    pick singer "norm-$ty"
done
jq -c 'select(.type == "RECORD") | .record' "$T/stream" |
    awk 'NR % 9 == 1' | head -12 | pick jscan record
jq -c '.value // empty' "$T/stream" | tail -3 | pick jscan state
jq '.value // empty' "$T/stream" | jq -s '.[-1]' >"$C/jscan/state-pretty"
printf '[1,2.5e3,"\\u00e9\\ud83d\\ude00",{"a":[null,true,false]}]' \
    >"$C/jscan/array"
# a whole page as the API sends it
curl -s -u fuzz-seed-key:X "$url/api/v2/tickets?per_page=3" \
    >"$C/jscan/page-tickets"
curl -s -u fuzz-seed-key:X "$url/api/v2/contacts?per_page=2" \
    >"$C/jscan/page-contacts"

# lines: the first byte is the piece size
{ printf '\007'; head -20 "$T/stream"; } >"$C/lines/stream-7"
{ printf '\377'; head -5 "$T/norm"; } >"$C/lines/norm-256"
printf '\000a\r\nb\n\r\n\nc\r' >"$C/lines/crlf-1"

# isotime
jq -r '.. | strings | select(test("^[0-9]{4}-"))' "$T/stream" |
    sort -u | head -8 | pick isotime sim
for s in 2024-02-29T23:59:60Z '2024-05-01 10:00' 2024-05-01T10:00:00.123456789+05:30 \
    2024-05-01T10:00:00-0130 1999-12-31T24:00:00Z; do
	printf '%s' "$s" >"$C/isotime/hand-$n"; n=$((n + 1))
done

# state files: what fd-load writes, and the seed's
jq -c 'select(.type == "STATE") | .value' "$T/stream" | tail -2 |
    pick state sim
printf '{"bookmarks":{"tickets":{"updated_at":"2022-01-01T00:00:00Z","ids_at_cursor":[1,2]}}}\n' \
    >"$C/state/hand"
printf ' \n' >"$C/state/blank"

# http: real response headers of the simulator, one value per file
curl -s -D "$T/h1" -o /dev/null -u fuzz-seed-key:X \
    "$url/api/v2/tickets?per_page=2"
curl -s -D "$T/h2" -o /dev/null -u wrong:X "$url/api/v2/tickets"
cat "$T/h1" "$T/h2" | tr -d '\r' | sed -n 's/^[^:]*: //p' | sort -u |
    pick http sim
printf '<https://a.freshdesk.com/api/v2/tickets?page=2>; rel="next", <x>; rel="prev"' \
    >"$C/http/link"
printf '120\000Wed, 21 Oct 2026 07:28:00 GMT' >"$C/http/retry"

# normalize: the first byte holds the options (fuzz_normalize.c)
{ printf '\000'; head -8 "$T/stream"; } >"$C/normalize/sim-8"
{ printf '\001'; grep -m3 '"stream":"tickets"' "$T/stream"; } >"$C/normalize/dlt"
{ printf '\014'; jq -c 'select(.type == "RECORD") | .record' "$T/stream" |
    head -3; } >"$C/normalize/plain"
{ printf '\000'; cat tests/fixtures/normalize/worked-example.ndjson; } \
    >"$C/normalize/worked-example"

# load: the first byte holds the mode (fuzz_load.c)
{ printf '\000'; head -15 "$T/norm"; } >"$C/load/norm-15"
{ printf '\001'; grep -v '"stream":"tickets' "$T/norm" | head -20; } \
    >"$C/load/coarse"
{ printf '\004'; grep -E '"(SCHEMA|ACTIVATE_VERSION)"|"stream":"groups"' \
    "$T/norm" | head -20; } >"$C/load/replace"

# fetch: the first byte the status and --raw, the second the endpoint
# (fuzz_fetch.c: its index in fd-fetch/endpoints.c's table), the rest a
# body as the simulator sends it, good and bad
ep() {	# ep NAME: its index in fd-fetch's table
	grep -o '\.name = "[a-z_]*"' fd-fetch/endpoints.c |
	    awk -v n="\"$1\"" '$3 == n { print NR - 1; exit }'
}
for e in tickets contacts companies groups agents; do
	i=$(ep $e)
	{ printf '\000'; printf "\\$(printf %o "${i:-0}")"
	  curl -s -u fuzz-seed-key:X "$url/api/v2/$e?per_page=3"; } \
	    >"$C/fetch/page-$e"
done
{ printf '\005\000'; curl -s -u wrong:X "$url/api/v2/tickets"; } \
    >"$C/fetch/err-401"
{ printf '\004\000'; curl -s -u fuzz-seed-key:X \
    "$url/api/v2/tickets?updated_since=nonsense"; } >"$C/fetch/err-400"
printf '\006\000{"code":"require_feature","message":"Feature not enabled"}' \
    >"$C/fetch/err-403-feature"
printf '\007\000<html><body><h1>502 Bad Gateway</h1></body></html>' \
    >"$C/fetch/err-500-html"
printf '\060\000{"code":"access_denied"}' >"$C/fetch/err-404-missing"
{ printf '\000\000'; curl -s -u fuzz-seed-key:X \
    "$url/api/v2/tickets?per_page=2" | head -c 150; } >"$C/fetch/truncated"

# jq: the first byte a fixed filter (fuzz_jq.c) or, from 128, a filter
# of the input's first line; the rest records
jq -c 'select(.type == "RECORD" and .stream == "tickets") | .record' \
    "$T/stream" | head -3 >"$T/recs"
for f in 0 1 2 5 8 9 14 16 17; do
	{ printf "\\$(printf %o $f)"; cat "$T/recs"; } >"$C/jq/fixed-$f"
done
n=0
for f in '.' '{id, s: .subject}' '.tags |= map(ascii_upcase)' \
    'select(.priority > 1)' '.[]' 'error("x")' '.id + "a"' '.a.b |= 1' \
    'del(.[] | nulls)' '{(.subject): .id}' '.id |= tostring' '.['; do
	{ printf '\200'; printf '%s\n' "$f"; head -1 "$T/recs"; } \
	    >"$C/jq/filter-$n"
	n=$((n + 1))
done
du -sh "$C"
