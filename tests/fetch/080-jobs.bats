#!/usr/bin/env bats
# -j with several endpoints: their passes run side by side under the one
# budget, each record still written once, the state still complete.

SINCE=2022-01-01T00:00:00Z

setup_file() {
	load ../common
	load ../sim/sim
	export FD_FETCH_RETRY_MS=20
	sim_start --tickets 600 --contacts 300 --window 2 --rate-total 1000000 \
	    --tickets-list-limit 100000 --contacts-list-limit 100000
}

teardown_file() {
	sim_stop
}

setup() {
	load ../common
	load ../sim/sim
	load fetch
	T="$BATS_TEST_TMPDIR"
}

@test "jobs: -j 3 over the default endpoints: every record once, passes side by side" {
	# the first 3 requests held: passes side by side, 3 at once
	sim_ctl POST faults '[{"kind":"hold","next":3}]' >/dev/null
	sim_ctl POST reset-stats >/dev/null
	fetch_held 3 j3 -j 3
	inflight=$(sim_stats | jq .max_inflight)
	[ ! -s "$T/j3.err" ]
	[ "$inflight" -eq 3 ]
	fetch j1
	# the same records, whatever the interleaving
	for s in agents companies contacts groups roles tickets; do
		diff <(jq -c --arg s $s 'select(.type == "RECORD" and .stream == $s) | .record.id' "$T/j3.out" | sort) \
		    <(jq -c --arg s $s 'select(.type == "RECORD" and .stream == $s) | .record.id' "$T/j1.out" | sort)
	done
	diff <(jq -r 'select(.type == "RECORD" and .stream == "tickets") | .record | "\(.id) \(.updated_at)"' "$T/j3.out" | sort) \
	    <(truth_pairs tickets)
	# each stream's SCHEMA before its first RECORD
	run jq -r 'select(.type == "SCHEMA" or .type == "RECORD") | "\(.type) \(.stream)"' "$T/j3.out"
	for s in agents companies contacts groups roles tickets; do
		first=$(printf '%s\n' "${lines[@]}" | grep -n " $s\$" | head -n 1)
		[[ "$first" == *SCHEMA* ]]
	done
	# the last STATE holds every bookmark, as with -j 1
	[ "$(jq -S -c '.bookmarks | keys' "$T/j3.state")" = "$(jq -S -c '.bookmarks | keys' "$T/j1.state")" ]
	[ "$(jq -S -c . "$T/j3.state")" = "$(jq -S -c . "$T/j1.state")" ]
}

@test "jobs: -j 2 while the two lists wait on their sub-limits, the other endpoints are read in their pauses" {
	# --plan pro: the tickets and the contacts lists 100 a minute, one
	# request each 0.6 s; both take a worker for several pages
	sim_ctl POST reset-stats >/dev/null
	fetch paced -v -j 2 --plan pro --per-page 10 --since 2026-10-20T00:00:00Z tickets contacts groups roles
	[ "$(grep -c 'GET /api/v2/tickets?' "$T/paced.err")" -ge 3 ]
	[ "$(grep -c 'GET /api/v2/contacts?' "$T/paced.err")" -ge 3 ]
	# groups and roles are done before either list's third request
	local last third
	last=$(grep -n 'GET /api/v2/\(groups\|roles\)?' "$T/paced.err" | tail -n 1 | cut -d: -f1)
	third=$(grep -n 'GET /api/v2/\(tickets\|contacts\)?' "$T/paced.err" | sed -n 3p | cut -d: -f1)
	[ -n "$last" ] && [ -n "$third" ]
	[ "$last" -lt "$third" ] || fail "groups and roles waited for a list: $(cat "$T/paced.err")"
	# and never more than 2 requests at once
	[ "$(sim_stats | jq .max_inflight)" -le 2 ]
	diff <(jq -r 'select(.type == "RECORD" and .stream == "groups") | .record.id' "$T/paced.out" | sort) \
	    <(sim_truth groups | jq -r '.[].id' | sort)
}
