# e2e.bash: the three programs together against the simulator, as a
# user runs them: fd-fetch | fd-normalize | fd-load.  A suite loads it
# (at its top: it brings setup and teardown) and defines, before calling
# the t_* scenarios:
#
#   new_dest      sets TO, the -t argument of a new, empty destination
#   q SQL         prints the rows of SQL on $TO, columns joined by "|"
#
# The scenarios compare the destination with the simulator's ground truth
# (/_sim/truth/..., through truth.py).  The simulator's clock moves on by
# whole seconds between mutations (POST /_sim/now), so that no two changes
# of a ticket fall in one second, whatever the speed of the machine: a
# second is all that Freshdesk's updated_at can tell apart.

load ../common
load ../sim/sim
load ../pg

E2E=$FD_TOP/tests/e2e
SINCE=2000-01-01T00:00:00Z
# a helpdesk with room enough that pacing costs nothing: the budget is no
# plan's, so fd-fetch sets no list sub-limit (tests/fetch test the pacing)
E2E_SIM=(--rate-total 100000 --tickets-list-limit 100000
	--contacts-list-limit 100000)
export FD_FETCH_RETRY_MS=20
# jq: the tickets whose cf_priority_score is a number (the others have a
# string there, such as "n/a")
NUMERIC='.[] | select(.custom_fields.cf_priority_score | type == "number")'

e2e_setup() {
	T=$BATS_TEST_TMPDIR
	ST=$T/state.json
}

# a suite's setup and teardown unless it has its own
setup() {
	e2e_setup
}

teardown() {
	sim_stop
}

# pg_file_start, pg_file_stop: one throwaway PostgreSQL for a suite's
# tests (tests/pg.bash), from setup_file and teardown_file
pg_file_start() {
	pg_start
	echo "$FD_PG_DIR" >"$BATS_FILE_TMPDIR/dir"
}

pg_file_stop() {
	FD_PG_DIR=$(cat "$BATS_FILE_TMPDIR/dir") FD_PG_BIN=$(pg_bindir) pg_stop
}

e2e_sim() {
	sim_start "${E2E_SIM[@]}" "$@"
}

# sync [fd-fetch options and endpoints]: the pipeline once, the fetched
# stream kept in $T/fetch.ndjson; the status is the pipeline's
# (pipefail), the three programs' in $T/status.
sync() {
	set -o pipefail
	quiesce
	fd-fetch -q -s "$ST" --since "$SINCE" "$@" 2>"$T/fetch.err" |
	    tee "$T/fetch.ndjson" |
	    fd-normalize 2>"$T/norm.err" |
	    fd-load -q -s "$ST" -t "$TO" 2>"$T/load.err"
	local s=("${PIPESTATUS[@]}")
	echo "${s[0]} ${s[2]} ${s[3]}" >"$T/status"
	cat "$T/fetch.err" "$T/norm.err" "$T/load.err" >&2
	[ "${s[0]}${s[2]}${s[3]}" = 000 ] || {
		echo "sync: exit status fd-fetch ${s[0]}, fd-normalize ${s[2]}, fd-load ${s[3]}" >&2
		return 1
	}
}

# run_sync ARGS: sync, its messages shown when it fails
run_sync() {
	run sync "$@"
	[ "$status" -eq 0 ] || {
		echo "$output"
		return 1
	}
}

# quiesce: a suite's wait before a pipeline starts (none by default)
quiesce() {
	declare -F dest_quiesce >/dev/null || return 0
	dest_quiesce
}

# truth [ENDPOINT...]: the destination equals the simulator's truth
truth() {
	run python3 "$E2E/truth.py" "$SIM_URL" "$TO" "$@"
	[ "$status" -eq 0 ] || {
		echo "destination $TO differs from the truth:"
		echo "$output"
		return 1
	}
}

# covered STATE: the state (a file or a text) covers only what the
# destination holds at the truth's version
covered() {
	run python3 "$E2E/truth.py" --covered "$1" "$SIM_URL" "$TO"
	[ "$status" -eq 0 ] || {
		echo "the cursor $1 is ahead of the data in $TO:"
		echo "$output"
		return 1
	}
}

# db_state: the state committed in the destination (_fd_state)
db_state() {
	q 'select state from _fd_state' 2>/dev/null || true
}

# not_ahead: the state file is the destination's state or older, bookmark
# by bookmark (timestamps are all UTC "...Z", so they sort as text)
not_ahead() {
	local f d
	f=$(cat "$ST" 2>/dev/null || true)
	d=$(db_state)
	[ -n "$f" ] || return 0
	[ -n "$d" ] || { echo "state file $f, nothing committed"; return 1; }
	jq -n -e --argjson f "$f" --argjson d "$d" '
	    [$f.bookmarks // {} | to_entries[] |
	     ($d.bookmarks[.key].updated_at // "") as $du |
	     (.value.updated_at // "") <= $du] | all' >/dev/null || {
		echo "state file ahead of _fd_state: file $f, database $d"
		return 1
	}
}

# advance [N]: the simulator's clock N seconds on (default 5)
advance() {
	sim_ctl POST now "{\"advance\":${1:-5}}" >/dev/null
}

# mutate JSON: POST /_sim/mutate, then the clock on; prints the ids
mutate() {
	sim_ctl POST mutate "$1" | jq -r '.ids[]'
	advance 3
}

# fetched_ids STREAM: the ids of the RECORDs of STREAM last fetched, sorted
fetched_ids() {
	jq -r --arg s "$1" 'select(.type == "RECORD" and .stream == $s) | .record.id' \
	    "$T/fetch.ndjson" | sort
}

# requests PATH: GETs of PATH (a route of /_sim/stats) since reset-stats
requests() {
	sim_stats | jq --arg p "$1" '[.by_route[$p] // {} | .[]] | add // 0'
}

t_full() {
	e2e_sim --tickets 600 --contacts 200
	new_dest
	run -0 --separate-stderr sync
	[ -z "$stderr" ]
	truth
	# every stream's cursor is committed, in the file and the destination
	[ "$(jq -c . "$ST")" = "$(db_state | jq -c .)" ]
	covered "$ST"
	[ "$(jq '.bookmarks | keys | length' "$ST")" -eq 6 ]
	# tags rebuild each ticket's list, in order (truth.py checks every
	# list; this is the one a person would look at)
	[ "$(q "select count(*) from tickets__tags")" -eq \
	    "$(sim_truth tickets | jq '[.[].tags | length] | add')" ]
	local id
	id=$(sim_truth tickets | jq 'map(select((.tags | length) > 2))[0].id')
	[ "$(q "select value from tickets__tags g join tickets t
	    on g._fd_root_id = t._fd_id where t.id = $id order by _fd_list_idx" | paste -sd, -)" = \
	    "$(sim_truth tickets | jq -r "map(select(.id == $id))[0].tags | join(\",\")")" ]
	# the same run again with a fresh state: nothing doubles
	rm -f "$ST"
	run_sync
	truth
}

t_children() {
	# the per-ticket endpoints and the full-refresh ones, all of them
	e2e_sim --tickets 300 --contacts 100
	new_dest
	run_sync -j 4 all
	truth $(sim_truth | jq -r '.[] | sub("^email_mailboxes$"; "mailboxes")')
	[ "$(q 'select count(*) from conversations')" -gt 300 ]
}

t_incremental() {
	e2e_sim --tickets 600 --contacts 200
	new_dest
	run_sync
	truth
	advance 10
	local upd del spam restore all
	# the tickets changed have a number in cf_priority_score, as the
	# first run's first ticket has: see t_types for a string there
	upd=$(mutate "{\"ids\":$(sim_truth tickets | jq -c "[$NUMERIC] | map(select((.deleted | not) and (.spam | not))) | [.[range(0; length; (length / 25 | floor))].id][:25]")}")
	del=$(sim_truth tickets | jq -c "[$NUMERIC] | [map(select((.deleted | not) and (.spam | not)))[1,2].id]")
	mutate "{\"ids\":$del,\"action\":\"delete\"}" >/dev/null
	spam=$(sim_truth tickets | jq -c "[$NUMERIC] | [map(select((.deleted | not) and (.spam | not)))[3].id]")
	mutate "{\"ids\":$spam,\"action\":\"spam\"}" >/dev/null
	restore=$(sim_truth tickets | jq -c "[$NUMERIC] | [map(select(.deleted and (.id as \$i | $del | index(\$i) | not)))[0].id]")
	mutate "{\"ids\":$restore,\"action\":\"restore\"}" >/dev/null
	all=$(printf '%s\n' $upd $(jq -r '.[]' <<<"$del $spam $restore") | sort -u)
	[ "$(wc -l <<<"$all")" -ge 28 ]
	sim_ctl POST reset-stats >/dev/null
	run_sync
	truth
	# only what changed, each once: one page per ticket pass, the
	# changed tickets, the contacts passes, the full refreshes
	[ "$(fetched_ids tickets)" = "$all" ]
	[ "$(requests /api/v2/tickets)" -eq 3 ]
	[ "$(requests /api/v2/contacts)" -eq 3 ]
	[ "$(fetched_ids contacts | wc -l)" -eq 0 ]
	[ "$(jq -c . "$ST")" = "$(db_state | jq -c .)" ]
	# nothing changed: a third run fetches no ticket, the tables stay
	run_sync
	[ -z "$(fetched_ids tickets)" ]
	truth
}

# mutator: at each request the simulator holds (a "hold" fault on the
# tickets list), changes 3 tickets (with a number in cf_priority_score,
# see t_types), moves the clock 2 s on and releases the request; until
# $T/stop.  The changes fall at built instants: inside the run's passes.
mutator() {
	local ids i=0
	ids=($(sim_truth tickets | jq -r "$NUMERIC | .id"))
	while [ ! -e "$T/stop" ]; do
		if [ "$(sim_stats | jq .held)" -lt 1 ]; then
			sleep 0.01
			continue
		fi
		sim_ctl POST mutate "{\"ids\":[${ids[i]},${ids[i + 1]},${ids[i + 2]}]}" >/dev/null
		i=$(((i + 3) % (${#ids[@]} - 3)))
		sim_ctl POST now '{"advance":2}' >/dev/null
		sim_ctl POST release >/dev/null
	done
}

t_faults() {
	e2e_sim --tickets 600 --contacts 200 --latency 5
	new_dest
	# 5xx, resets and truncated bodies all along, on every endpoint; the
	# 2nd, 5th and 8th requests of the tickets list held for the mutator
	sim_ctl POST faults '[{"kind":"500","every":7},{"kind":503,"every":11},
	    {"kind":"reset","every":5},{"kind":"truncate","every":9},
	    {"kind":502,"nth":1},
	    {"kind":"hold","path":"^/api/v2/tickets$","nth":[2,5,8]}]' >/dev/null
	mutator &
	local mp=$!
	run_sync --per-page 50
	touch "$T/stop"
	wait "$mp"
	# the cursor covers only what is there, at its version
	covered "$ST"
	not_ahead
	[ "$(sim_stats | jq '.faults_fired | if type == "object" then [.[]] | add else . end')" -ge 10 ]
	[ "$(sim_stats | jq .mutations)" -eq 3 ]
	# the ticket ids are all there (mutations change, never add)
	[ "$(q 'select count(distinct id) from tickets')" -eq "$(sim_truth tickets | jq length)" ]
	# the changes after the passes' last requests come with the next run
	advance 5
	run_sync --per-page 50
	truth
	[ "$(jq -c . "$ST")" = "$(db_state | jq -c .)" ]
}

# t_real: the real API's ways at once (FRESHDESK.md Part 3): lists by
# name with ties in a new order on each request (the simulator's
# default), contacts and companies blocked, deleted, renamed and created
# in front of the reader during the run, an ordinary agent's API key
# and the older per-hour throttler (a 2 s window here)
t_real() {
	e2e_sim --tickets 300 --contacts 600 --companies 400 --role agent \
	    --throttler hourly --window 2 --rate-total 1000 \
	    --churn-every 2 --churn-max 6 --churn block,delete,rename,create
	new_dest
	run -0 --separate-stderr sync
	[ "$(sim_stats | jq .churns)" -ge 4 ]
	# the admin endpoints are refused, the run goes on (-q: no warning)
	[ "$(sim_stats | jq '.by_status["403"]')" -eq 3 ]
	[ -z "$(fetched_ids agents)$(fetched_ids groups)$(fetched_ids roles)" ]
	# no cursor passed a record the destination lacks: the contacts
	# the churn shifted were not skipped
	covered "$ST"
	# every company live now is in the table the run made current
	run comm -13 <(q 'select id from companies order by id' | sort) \
	    <(sim_truth companies | jq -r '.[].id' | sort)
	[ -z "$output" ]
	# the churn over, the next run brings the destination to the truth
	run_sync
	truth tickets contacts companies
	[ "$(jq -c . "$ST")" = "$(db_state | jq -c .)" ]
}

# pg_quiesce: waits (up to 60 s) until no session holds an advisory lock
# on the server.  A session's lock outlives its fd-load by the moment
# its backend takes to see the connection closed, and fd-load takes the
# lock without waiting (see 020-pg.bats, "one load after another"): the
# scenarios wait here so that they test what they are about.
pg_quiesce() {
	local i
	for ((i = 0; i < 6000; i++)); do
		[ "$(psql -X -q -A -t -d postgres -c "select count(*) from pg_locks where locktype = 'advisory'")" -eq 0 ] && return 0
		sleep 0.01
	done
	echo "pg_quiesce: an advisory lock is still held" >&2
	return 1
}

t_batch_rows() {
	# commits by row count (--batch-rows) as well as at each STATE: a
	# count reached between a ticket and its child rows must not lose
	# the rows that follow it
	e2e_sim --tickets 300 --contacts 100
	new_dest
	fd-fetch -q --since "$SINCE" tickets | fd-normalize >"$T/norm.ndjson"
	local b
	for b in 1 7 40; do
		quiesce
		run -0 fd-load -q --batch-rows "$b" -t "$TO" "$T/norm.ndjson"
		truth tickets
	done
}

t_types() {
	# a custom field holds numbers and strings ("n/a"): the first run's
	# first ticket has a number, so the column is bigint, the strings
	# go to the variant column; the next run's first changed ticket has
	# a string: it must land, in the variant column, not fail the load
	# (of 900 tickets of seed 1 the oldest has a number there)
	e2e_sim --tickets 900 --contacts 100
	new_dest
	run_sync tickets
	[ "$(q "select count(*) from tickets where custom_fields__cf_priority_score__v_text = 'n/a'")" -gt 0 ]
	advance 10
	local id
	id=$(sim_truth tickets | jq 'map(select(.custom_fields.cf_priority_score == "n/a" and (.deleted | not) and (.spam | not)))[0].id')
	mutate "{\"ids\":[$id]}" >/dev/null
	run_sync tickets
	[ "$(fetched_ids tickets)" = "$id" ]
	truth tickets
	[ "$(q "select custom_fields__cf_priority_score__v_text from tickets where id = $id")" = n/a ]
}

t_restage() {
	# a load of a full-refresh stream (replace) stopped before its
	# ACTIVATE_VERSION, then the next run's load of a new version: the
	# tables hold the new version's rows only, child rows included
	local S='{"type":"SCHEMA","stream":"companies","schema":{},"key_properties":["id"],"x-fd":{"disposition":"replace"}}'
	new_dest
	printf '%s\n' "$S" \
	    '{"type":"RECORD","stream":"companies","record":{"id":1,"domains":["a.example","b.example"]},"version":1}' \
	    '{"type":"STATE","value":{"n":1}}' | fd-normalize >"$T/v1.ndjson"
	printf '%s\n' "$S" \
	    '{"type":"RECORD","stream":"companies","record":{"id":1,"domains":["a.example"]},"version":2}' \
	    '{"type":"ACTIVATE_VERSION","stream":"companies","version":2}' \
	    '{"type":"STATE","value":{"n":2}}' | fd-normalize >"$T/v2.ndjson"
	run -0 fd-load -q -t "$TO" "$T/v1.ndjson"
	quiesce
	run -0 fd-load -q -t "$TO" "$T/v2.ndjson"
	[ "$(q 'select count(*) from companies')" -eq 1 ]
	[ "$(q 'select value from companies__domains')" = a.example ]
}

# marked TABLE: the ids of TABLE's rows marked deleted, one a line, sorted
marked() {
	q "select id from $1 where _fd_deleted_at is not null" | sort -n
}

# gone TABLE ENDPOINT: the ids the destination holds that the
# simulator's truth of ENDPOINT lacks, one a line, sorted
gone() {
	comm -23 <(q "select id from $1" | sort) \
	    <(sim_truth "$2" | jq -r '.[].id' | sort) | sort -n
}

t_reconcile() {
	# tickets deleted forever, trashed then purged after 30 days, archived
	# since (not a deletion), contacts deleted for good
	e2e_sim --tickets 300 --contacts 200 --archived 20 --hard-deleted 5 \
	    --trash-days 30
	new_dest
	run_sync tickets archived_tickets contacts
	local purged trashed archived cpurged
	purged=$(mutate '{"action":"purge","count":4}')
	trashed=$(mutate '{"action":"delete","count":3}')
	run_sync tickets archived_tickets contacts
	archived=$(mutate '{"action":"archive","count":5}')
	cpurged=$(mutate '{"resource":"contacts","action":"purge","count":5}')
	advance 2678400
	gone tickets tickets >"$T/gone.tickets"
	gone contacts contacts >"$T/gone.contacts"
	# what must be marked: at least the purged and the trashed since
	for id in $purged $trashed; do grep -qx "$id" "$T/gone.tickets"; done
	for id in $cpurged; do grep -qx "$id" "$T/gone.contacts"; done
	run_sync --reconcile tickets archived_tickets contacts
	[ "$(marked tickets)" = "$(cat "$T/gone.tickets")" ]
	[ "$(marked contacts)" = "$(cat "$T/gone.contacts")" ]
	for id in $archived; do
		[ "$(q "select archived from tickets where id = $id")" = "$(q 'select archived from tickets where archived is not null limit 1')" ]
	done
	# the rows stay; the rest of the destination is the truth
	[ "$(q 'select count(*) from tickets where _fd_deleted_at is null')" -eq \
	    "$(sim_truth tickets | jq length)" ]
	# once: a second reconcile keeps the marks and their times
	q "select id, _fd_deleted_at from tickets where _fd_deleted_at is not null order by id" >"$T/m1"
	advance 10
	run_sync --reconcile tickets archived_tickets contacts
	[ "$(q "select id, _fd_deleted_at from tickets where _fd_deleted_at is not null order by id")" = "$(cat "$T/m1")" ]
}

t_reconcile_killed() {
	# a load killed between the parts of a set applies none of it; the
	# next run marks the rows once
	e2e_sim --tickets 200 --contacts 300
	new_dest
	run_sync contacts
	mutate '{"resource":"contacts","action":"purge","count":6}' >/dev/null
	set -o pipefail
	FD_FETCH_SET_RANGES=50 fd-fetch -q -s "$ST" --since "$SINCE" --reconcile contacts >"$T/rec.ndjson"
	[ "$(jq -c 'select(.fd_ids)' "$T/rec.ndjson" | wc -l)" -ge 4 ]
	# the stream up to the second part of the set, then held open
	local two n pid
	two=$(grep -n '"fd_ids"' "$T/rec.ndjson" | sed -n 2p | cut -d: -f1)
	head -n "$two" "$T/rec.ndjson" | fd-normalize >"$T/part.ndjson"
	mkfifo "$T/fifo"
	fd-load -q -s "$ST" -t "$TO" <"$T/fifo" 2>"$T/load.err" &
	pid=$!
	exec 7>"$T/fifo"
	cat "$T/part.ndjson" >&7
	# the instant: the second part's state is committed
	n=$(tail -n 1 "$T/part.ndjson" | jq -c .value)
	for ((i = 0; i < 3000; i++)); do
		[ "$(db_state | jq -c . 2>/dev/null)" = "$n" ] && break
		sleep 0.02
	done
	[ "$(db_state | jq -c .)" = "$n" ]
	kill -9 "$pid"
	exec 7>&-
	wait "$pid" || true
	[ -z "$(marked contacts)" ]
	# the whole run again: marked once, exactly the purged
	quiesce
	fd-normalize <"$T/rec.ndjson" | fd-load -q -s "$ST" -t "$TO"
	[ "$(marked contacts)" = "$(gone contacts contacts)" ]
	[ "$(marked contacts | wc -l)" -eq 6 ]
}
