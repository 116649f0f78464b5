#!/usr/bin/env bash
# tests/bench/fetch.sh - the benchmark of fd-fetch against the simulator
# (issue 4): for an account of a few thousand tickets with realistic
# latency,
#   (a) requests made / the minimum needed          target <= 1.02
#   (b) wall time / the bound set by the rate limit
#       or by latency with -j                         target <= 1.10
#   (c) 429s met in steady state                      target 0
#   (d) peak RSS, flat whatever the account size      target < 30 MB
# reported as one table on stdout, not asserted.  Progress on stderr.
#
# Scenarios (about 3 minutes in all, most of it scenario 2):
#   1  first run, no operands (agents companies contacts groups roles
#      tickets), sim defaults (3000 tickets, Pro: 400 credits/min, tickets
#      and contacts lists 100/min each), latency 100 ms, --reserve 0
#   2  fd-fetch -j 4 conversations, latency 200 ms, no effective rate limit
#   3  a second run of 1 from its last STATE after 50 tickets changed
#   4a fd-fetch --raw tickets, 3000 tickets, latency 0, no rate limit
#   4b the same with 20000 tickets (peak RSS should not grow)
#   5a contacts companies, 5000 + 2000, ordered by name (the real API's
#      order): the overlapping windows against plain pages, nothing moves
#   5b the same while every 5th list request blocks, deletes, renames or
#      creates a record in front of the reader (fdsim --churn-every 5)
#   6a tickets archived_tickets, 3000 tickets 40% archived and 5%
#      deleted forever: probes / the ids no list shows (target 1.00)
#   6b --reconcile tickets after it (twice, after 30 purged): requests /
#      the pages of the three lists read whole
#
# Minimum requests, from the simulator's truth (/_sim/truth/NAME), with
# per_page 100: every pass costs max(1, ceil(records it must read / 100)):
#   tickets            not spam, not deleted, updated_at >= its cursor
#   tickets:spam       spam,                  updated_at >= its cursor
#   tickets:deleted    deleted,               updated_at >= its cursor
#   contacts           not deleted, not blocked, updated_at >= its cursor
#   contacts:deleted   deleted,               updated_at >= its cursor
#   contacts:blocked   blocked or deleted,    updated_at >= its cursor
#                      (the API's state=blocked holds both)
#   agents companies groups roles (full refresh): every record
# where a pass's cursor is its bookmark in the state given to the run, else
# --since (2022-01-01T00:00:00Z).  conversations: the three ticket passes
# above plus, for each ticket in them, max(1, ceil(its conversations /
# 100)).
#
# Wall-time bound:
#   rate     the largest of: tickets-list minimum / 100 per min, contacts-
#            list minimum / 100 per min, all minimum / 400 per min (the
#            limits the simulator enforces, 60 s windows)
#   latency  -j 1: minimum requests x latency; -j 4 conversations: the
#            ticket windows follow each other (each starts where the last
#            ended), only the per-ticket requests overlap, so
#            list minimum x latency + per-ticket minimum x latency / 4
#   bound    the larger of the two; none when both are ~0 (scenario 4)
#
# Each run starts with a fresh rate window and zeroed counters
# (POST /_sim/reset-rate, /_sim/reset-stats); requests, 429s, max
# in-flight come from /_sim/stats, wall time and peak RSS from
# /usr/bin/time -f '%e %M'.  fd-fetch runs with -v; its log gives the
# re-reads (a 200 answer to a request identical to an earlier one).
#
# The key reaches fdsim through a file and fd-fetch through the
# environment, never argv (tests/sim/sim.bash).  The simulator is stopped
# and the work directory removed on exit; a failing fd-fetch fails the
# bench.

set -u
set -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd) || exit 1
FD_FETCH=${FD_FETCH:-$TOP/fd-fetch/fd-fetch}
# shellcheck source=../sim/sim.bash disable=SC1091
. "$TOP/tests/sim/sim.bash"

SINCE=2022-01-01T00:00:00Z
PER=100
GENEROUS=(--rate-total 100000 --tickets-list-limit 100000
	--contacts-list-limit 100000)

say() { printf 'bench: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

[[ -x $FD_FETCH ]] || die "$FD_FETCH: not built (make)"
for tool in jq curl python3 /usr/bin/time; do
	command -v "$tool" >/dev/null || die "$tool: not found"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/fd-bench.XXXXXX") || die "mktemp failed"
FETCH_PID=
cleanup() {
	if [[ -n $FETCH_PID ]]; then
		# /usr/bin/time and the fd-fetch it runs
		pkill -TERM -P "$FETCH_PID" 2>/dev/null
		kill -TERM "$FETCH_PID" 2>/dev/null
		wait "$FETCH_PID" 2>/dev/null
	fi
	sim_stop
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A key of this run only, in the environment (sim_start puts it in a file
# for fdsim and exports FRESHDESK_API_KEY for fd-fetch).
FDSIM_API_KEY=bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
export FDSIM_API_KEY
unset FRESHDESK_API_KEY_FILE

# sim ARGS...: start a simulator (stopping the previous one)
sim() {
	sim_stop
	TMPDIR=$WORK SIM_START_TIMEOUT=60 sim_start "$@" ||
		die "the simulator did not start"
}

# ctl METHOD PATH [JSON]: a control request that must succeed
ctl() {
	sim_ctl "$@" >"$WORK/ctl.out" || die "simulator control $1 $2 failed"
}

# truth NAME: the simulator's data set NAME into $WORK/truth.NAME
truth() {
	curl -sf --max-time 120 "$SIM_URL/_sim/truth/$1" >"$WORK/truth.$1" ||
		die "cannot read /_sim/truth/$1"
}

# run_fetch NAME [fd-fetch options and operands]: a fresh rate window and
# zeroed counters, then fd-fetch -v under /usr/bin/time; $WORK/NAME.out,
# .err (the -v log), .time ("seconds KB"), .stats (/_sim/stats after).
run_fetch() {
	local name=$1 rc=0
	shift
	ctl POST reset-rate
	ctl POST reset-stats
	# in the background, so that a signal reaches the trap at once
	/usr/bin/time -f '%e %M' -o "$WORK/$name.time" \
		"$FD_FETCH" -v "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
	FETCH_PID=$!
	wait "$FETCH_PID" || rc=$?
	FETCH_PID=
	if ((rc != 0)); then
		say "fd-fetch -v $* failed (exit status $rc); the end of its log:"
		tail -n 20 "$WORK/$name.err" >&2
		exit 1
	fi
	sim_stats >"$WORK/$name.stats" || die "cannot read /_sim/stats"
}

# min_requests BOOKMARKS: "tickets-list contacts-list total" minimum
# requests of the six default endpoints (or, with BOOKMARKS and the
# tickets endpoint only, "tickets" as the 3rd word: see min_tickets)
# shellcheck disable=SC2016 # jq variables
MIN_JQ='
def pages($n): if $n <= 0 then 1 else (($n + $per - 1) / $per | floor) end;
def pass($name; f; $recs):
	($bm[$name].updated_at // $since) as $from
	| [$recs[] | select(f and .updated_at >= $from)] | length | pages(.);
def tickets_list:
	pass("tickets"; (.spam != true) and (.deleted != true); $t[0])
	+ pass("tickets:spam"; .spam == true; $t[0])
	+ pass("tickets:deleted"; .deleted == true; $t[0]);
def contacts_list:
	pass("contacts"; .fd_state == "active"; $c[0])
	+ pass("contacts:deleted"; .deleted == true; $c[0])
	+ pass("contacts:blocked"; .fd_state != "active"; $c[0]);
'

# min_default BOOKMARKS: "tickets-list contacts-list all" for the six
# default endpoints; needs truth tickets contacts agents companies groups
# roles
min_default() {
	local full=0 n e
	for e in agents companies groups roles; do
		n=$(jq length "$WORK/truth.$e") || die "bad truth for $e"
		full=$((full + (n > 0 ? (n + PER - 1) / PER : 1)))
	done
	jq -n -r --argjson per "$PER" --arg since "$SINCE" --argjson bm "$1" \
		--argjson full "$full" \
		--slurpfile t "$WORK/truth.tickets" \
		--slurpfile c "$WORK/truth.contacts" \
		"$MIN_JQ"'
		tickets_list as $tl | contacts_list as $cl
		| "\($tl) \($cl) \($tl + $cl + $full)"' ||
		die "cannot compute the minimum requests"
}

# min_tickets: the tickets-list minimum of a first run of tickets alone
min_tickets() {
	jq -n -r --argjson per "$PER" --arg since "$SINCE" --argjson bm '{}' \
		--slurpfile t "$WORK/truth.tickets" --argjson c '[[]]' \
		"$MIN_JQ"'tickets_list' || die "cannot compute the minimum requests"
}

# min_conversations: "list per-ticket" minimum of a first run of
# conversations; needs truth tickets and conversations
min_conversations() {
	jq -n -r --argjson per "$PER" --arg since "$SINCE" --argjson bm '{}' \
		--slurpfile t "$WORK/truth.tickets" --argjson c '[[]]' \
		--slurpfile v "$WORK/truth.conversations" \
		"$MIN_JQ"'
		(reduce $v[0][] as $x ({}; .[$x.ticket_id | tostring] += 1)) as $n
		| tickets_list as $list
		| [$t[0][] | select(.updated_at >= $since)
		   | pages($n[.id | tostring] // 0)] | add // 0
		| "\($list) \(.)"' || die "cannot compute the minimum requests"
}

# rate_bound TICKETS-LIST CONTACTS-LIST ALL: seconds, at 100/100/400 a min
rate_bound() {
	awk -v t="$1" -v c="$2" -v a="$3" 'BEGIN {
		b = t / 100; if (c / 100 > b) b = c / 100; if (a / 400 > b) b = a / 400
		printf "%.2f\n", b * 60 }'
}

# max A B
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b ? a : b) }'; }

# serial_note NAME TICKETS-LIST CONTACTS-LIST RATE LATENCY: how run NAME's
# bound was set, and the bound of a reader that, like fd-fetch -j 1, spends
# the contacts and tickets sub-limits one after the other
serial_note() {
	awk -v t="$2" -v c="$3" -v r="$4" -v l="$5" -v w="$(tail -n 1 "$WORK/$1.time" | cut -d' ' -f1)" 'BEGIN {
		s = (t + c) / 100 * 60
		printf "bound = max(rate %.2f s, latency %.2f s); the contacts then the tickets sub-limit (%d + %d requests at 100/min, as -j 1 reads them) would give %.2f s, ratio %.2f", r, l, c, t, s, w / s }'
}

# row LABEL NAME MIN BOUND: one line of the table from run NAME
ROWS=$WORK/rows
row() {
	local label=$1 name=$2 min=$3 bound=$4 wall rss reqs n429 conc rereads
	read -r wall rss < <(tail -n 1 "$WORK/$name.time")
	read -r reqs n429 conc < <(jq -r \
		'"\(.requests_total) \(.rate_limited_429) \(.max_inflight)"' \
		"$WORK/$name.stats")
	rereads=$(sed -n 's/^fd-fetch: GET \(.*\): 200 .*/\1/p' "$WORK/$name.err" |
		sort | uniq -c | awk '$1 > 1 { n += $1 - 1 } END { print n + 0 }')
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$reqs" "$min" \
		"$wall" "$bound" "$n429" "$conc" "$rss" "$rereads" >>"$ROWS"
}

# tickets_made NAME, contacts_made NAME: list requests of run NAME
tickets_made() {
	jq '[.by_path["/api/v2/tickets"] // {} | .[]] | add // 0' \
		"$WORK/$1.stats"
}
contacts_made() {
	jq '[.by_path["/api/v2/contacts"] // {} | .[]] | add // 0' \
		"$WORK/$1.stats"
}

: >"$ROWS"
NOTES=()

# ---- 1: first run of the default endpoints, rate-bound
say "1/5 scenario 1: first run, 3000 tickets, latency 100 ms, Pro limits (about 25 s)"
sim --latency 100
for e in tickets contacts agents companies groups roles; do truth "$e"; done
read -r tl1 cl1 all1 < <(min_default '{}')
rb=$(rate_bound "$tl1" "$cl1" "$all1")
lb=$(awk -v n="$all1" 'BEGIN { printf "%.2f\n", n * 0.100 }')
run_fetch first -j 2 --reserve 0
row "1 fd-fetch -j 2 --reserve 0, 100 ms" first "$all1" "$(max "$rb" "$lb")"
NOTES+=("1: tickets-list requests $(tickets_made first) (minimum $tl1), contacts-list $(contacts_made first) (minimum $cl1); $(serial_note first "$tl1" "$cl1" "$rb" "$lb"); the plan is guessed from X-RateLimit-Total 400.")

# ---- 3: incremental run after 50 changed tickets (same simulator)
say "2/5 scenario 3: second run after 50 changed tickets"
jq -c 'select(.type == "STATE") | .value' "$WORK/first.out" | tail -n 1 \
	>"$WORK/state.json"
[[ -s $WORK/state.json ]] || die "run 1 wrote no STATE"
ctl POST mutate '{"count":50}'
truth tickets
read -r tl3 cl3 all3 < <(min_default "$(jq -c '.bookmarks // {}' "$WORK/state.json")")
rb=$(rate_bound "$tl3" "$cl3" "$all3")
lb=$(awk -v n="$all3" 'BEGIN { printf "%.2f\n", n * 0.100 }')
run_fetch second -j 2 -s "$WORK/state.json" --reserve 0
row3=("3 fd-fetch -j 2 -s STATE --reserve 0, 100 ms" second "$all3" "$(max "$rb" "$lb")")
note3="$(serial_note second "$tl3" "$cl3" "$rb" "$lb")"

# ---- 2: -j 4 conversations, latency-bound
say "3/5 scenario 2: -j 4 conversations, latency 200 ms, no rate limit (about 2 min)"
sim "${GENEROUS[@]}" --latency 200
truth tickets
truth conversations
read -r list2 per2 < <(min_conversations)
bound2=$(awk -v l="$list2" -v p="$per2" \
	'BEGIN { printf "%.2f\n", l * 0.200 + p * 0.200 / 4 }')
run_fetch conv -j 4 conversations
row "2 fd-fetch -j 4 conversations, 200 ms" conv "$((list2 + per2))" "$bound2"
NOTES+=("2: tickets-list requests $(tickets_made conv) (minimum $list2), per-ticket requests $(jq '[.by_route["/api/v2/tickets/{id}/conversations"] // {} | .[]] | add // 0' "$WORK/conv.stats") (minimum $per2); bound = $list2 x 0.2 s + $per2 x 0.2 s / 4; max in flight $(jq .max_inflight "$WORK/conv.stats") over $(jq .connections "$WORK/conv.stats") connections.")
# scenario 3's row after 2's
row "${row3[@]}"
NOTES+=("3: 50 tickets changed (POST /_sim/mutate) after run 1, whose last STATE is the state; tickets-list requests $(tickets_made second) (minimum $tl3), contacts-list $(contacts_made second) (minimum $cl3); $note3.")

# ---- 4: peak RSS, 3000 then 20000 tickets
say "4/5 scenario 4a: --raw tickets, 3000 tickets, latency 0"
ctl POST config '{"latency_ms":0}'
tl4a=$(min_tickets)
run_fetch raw3k --raw tickets
row "4a fd-fetch --raw tickets, 3000 tickets" raw3k "$tl4a" -

say "5/5 scenario 4b: --raw tickets, 20000 tickets, latency 0"
sim "${GENEROUS[@]}" --tickets 20000
truth tickets
tl4b=$(min_tickets)
run_fetch raw20k --raw tickets
row "4b fd-fetch --raw tickets, 20000 tickets" raw20k "$tl4b" -

# ---- 5: name-ordered lists, still and changing (issue 14)
# lists_min: the minimum requests of contacts and companies (plain pages)
lists_min() {
	local n
	n=$(jq length "$WORK/truth.companies") || die "bad truth for companies"
	jq -n -r --argjson per "$PER" --arg since "$SINCE" --argjson bm '{}' \
		--argjson co "$(( n > 0 ? (n + PER - 1) / PER : 1 ))" \
		--slurpfile c "$WORK/truth.contacts" \
		"$MIN_JQ"'contacts_list + $co' || die "cannot compute the minimum requests"
}
for v in 5a 5b; do
	if [[ $v == 5a ]]; then
		say "scenario 5a: contacts companies by name, nothing moves"
		sim "${GENEROUS[@]}" --tickets 100 --contacts 5000 --companies 2000
	else
		say "scenario 5b: the same, a record moves every 5th list request"
		sim "${GENEROUS[@]}" --tickets 100 --contacts 5000 --companies 2000 \
			--churn-every 5
	fi
	truth contacts
	truth companies
	m=$(lists_min)
	run_fetch "lists$v" contacts companies
	row "$v fd-fetch contacts companies$([[ $v == 5b ]] && echo ', churn')" \
		"lists$v" "$m" -
	NOTES+=("$v: $(jq .churns "$WORK/lists$v.stats") changes during the run; $(grep -c 'reading it again' "$WORK/lists$v.err") lists read again; the minimum counts plain pages of the truth at the start.")
done

# ---- 6: a complete copy (issue 16): the archive probe and --reconcile
# full_pages: the pages of the three tickets lists read whole (the
# archived tickets are in none of them)
full_pages() {
	jq -n -r --argjson per "$PER" --arg since 1970-01-01T00:00:00Z \
		--argjson bm '{}' --slurpfile t "$WORK/truth.tickets" \
		--argjson c '[[]]' \
		"$MIN_JQ"'def live: [$t[0][] | select(.archived != true)];
		pass("tickets"; (.spam != true) and (.deleted != true); live)
		+ pass("tickets:spam"; .spam == true; live)
		+ pass("tickets:deleted"; .deleted == true; live)' ||
		die "cannot compute the pages of the tickets lists"
}
say "scenario 6a: tickets archived_tickets, 3000 tickets, 40% archived, 5% deleted forever"
sim "${GENEROUS[@]}" --tickets 3000 --archived 40 --hard-deleted 5
truth tickets
sim_ctl GET ids >"$WORK/ids6" || die "cannot read /_sim/ids"
missing=$(jq '.archived + .hard_deleted | length' "$WORK/ids6")
pages6=$(full_pages)
run_fetch arch6 -j 4 --since 2000-01-01T00:00:00Z tickets archived_tickets
probes6=$(jq '[.by_route_name.archived_ticket // {} | .[]] | add // 0' \
	"$WORK/arch6.stats")
row "6a fd-fetch tickets archived_tickets" arch6 \
	"$((pages6 * 2 + missing))" -
jq -c 'select(.type == "STATE") | .value' "$WORK/arch6.out" | tail -n 1 \
	>"$WORK/arch6.state"
say "scenario 6b: --reconcile tickets, twice, after 30 deletions forever"
ctl POST mutate '{"action":"purge","count":30}'
run_fetch rec6 -s "$WORK/arch6.state" --reconcile tickets
jq -c 'select(.type == "STATE") | .value' "$WORK/rec6.out" | tail -n 1 \
	>"$WORK/rec6.state"
run_fetch rec6b -s "$WORK/rec6.state" --reconcile tickets
rec6=$(jq '.requests_total' "$WORK/rec6b.stats")
printf 'fetch 6a archived_tickets\tprobes / missing ids\t%d / %d\t%s\t1.00\n' \
	"$probes6" "$missing" "$(awk -v a="$probes6" -v b="$missing" \
	'BEGIN { printf "%.2f", a / b }')" >>"$FD_BENCH_SUMMARY"
printf 'fetch 6b --reconcile tickets\trequests / full read\t%d / %d\t%s\t\n' \
	"$rec6" "$pages6" "$(awk -v a="$rec6" -v b="$pages6" \
	'BEGIN { printf "%.2f", a / b }')" >>"$FD_BENCH_SUMMARY"
NOTES+=("6a: $probes6 probes for $missing ids no list shows ($(jq '.archived | length' "$WORK/ids6") archived); min: the three lists read twice (tickets, and archived_tickets' own read from the beginning) plus one probe per missing id.")
NOTES+=("6b: a steady-state --reconcile of tickets (the second after the purge): $rec6 requests against $pages6 pages of the three lists read whole, $(jq '[.by_route_name.archived_ticket // {} | .[]] | add // 0' "$WORK/rec6b.stats") probes; the first one, $(jq .requests_total "$WORK/rec6.stats") requests, also probed $(jq '[.by_route_name.archived_ticket // {} | .[]] | add // 0' "$WORK/rec6.stats") ids no list shows (404s from the archive probe are not trusted as gone until a reconcile's complete read).")
sim_stop

# ---- the table
awk -F '\t' '
function ratio(a, b) { return (b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f", a / b) }
{
	lab[NR] = $1; req[NR] = $2; min[NR] = $3; wall[NR] = $4; bnd[NR] = $5
	n429[NR] = $6; conc[NR] = $7; rss[NR] = $8; rer[NR] = $9
	if ($1 ~ /^4a /) ra = $8
	if ($1 ~ /^4b /) rb = $8
}
END {
	hdr = "%-42s %8s %6s %6s %8s %8s %6s %5s %5s %7s %7s\n"
	fmt = "%-42s %8d %6d %6s %8.2f %8s %6s %5d %5d %7d %7.1f\n"
	printf "fd-fetch benchmark (simulator tests/sim/fdsim.py, rate window 60 s)\n\n"
	printf hdr, "run", "requests", "min", "ratio", "wall s", "bound s",
	    "ratio", "429s", "conc", "rereads", "RSS MB"
	sum = ENVIRON["FD_BENCH_SUMMARY"]
	for (i = 1; sum != "" && i <= NR; i++) {
		printf "fetch %s\trequests / min\t%d / %d\t%s\t<= 1.02\n",
		    lab[i], req[i], min[i], ratio(req[i], min[i]) >> sum
		if (bnd[i] != "-")
			printf "fetch %s\twall / bound s\t%.2f / %.2f\t%s\t<= 1.10\n",
			    lab[i], wall[i], bnd[i], ratio(wall[i], bnd[i]) >> sum
		printf "fetch %s\t429s, RSS MB\t%d, %.1f\t\t0, < 30\n",
		    lab[i], n429[i], rss[i] / 1024 >> sum
	}
	for (i = 1; i <= NR; i++)
		printf fmt, lab[i], req[i], min[i], ratio(req[i], min[i]),
		    wall[i], (bnd[i] == "-" ? "-" : sprintf("%.2f", bnd[i])),
		    ratio(wall[i], bnd[i]), n429[i], conc[i], rer[i], rss[i] / 1024
	printf "\ntargets: requests ratio <= 1.02, wall ratio <= 1.10, 429s 0, "
	printf "peak RSS flat and < 30 MB\n"
	printf "peak RSS 20000 / 3000 tickets (4b / 4a): %.1f / %.1f MB = %.2f\n",
	    rb / 1024, ra / 1024, (ra > 0 ? rb / ra : 0)
}' "$ROWS"
echo
echo "notes:"
for n in "${NOTES[@]}"; do
	printf -- '- %s\n' "$n" | fold -s -w 76 | sed -e 's/ *$//' -e '2,$s/^/  /'
done
cat <<EOF
- data: simulator defaults (seed 1: 3000 tickets of which 2% spam, 2%
  deleted, 350 updated in one second; 1000 contacts, 200 companies, 25
  agents, 8 groups), except 4b (--tickets 20000).
- 1, 3: sim Pro limits (400 credits/min, tickets and contacts lists
  100/min each); fd-fetch --reserve 0, since the default 10% reserve paces
  at 359/min and 89/min, a wall ratio of 1.11 by design.
- 2, 4: sim --rate-total 100000 --tickets-list-limit 100000
  --contacts-list-limit 100000 (no effective rate limit).
- min: per pass max(1, ceil(records the pass must read / 100)); tickets,
  spam and deleted tickets, contacts and deleted and blocked contacts with
  updated_at >= the pass's cursor (its bookmark, else 2022-01-01T00:00:00Z),
  full-refresh endpoints whole; conversations: the three ticket passes
  plus, per ticket in them, max(1, ceil(conversations / 100)).
- bound: the larger of the rate bound (tickets-list min / 100 per min,
  contacts-list min / 100 per min, all min / 400 per min: the largest)
  and the latency bound (-j 1: min x latency; -j 4 conversations: ticket
  windows are sequential, so list min x latency + per-ticket min x
  latency / 4); "-" when both are ~0.
- 429s: rate_limited_429 of /_sim/stats; conc: its max_inflight; rereads:
  200 answers to a request identical to an earlier one of the run (fd-fetch
  -v log); RSS: /usr/bin/time %M.
- every run starts with a fresh rate window and zeroed counters.
EOF

