#!/usr/bin/env bats
# --config FILE, the Singer way of giving each program its settings
# (Meltano starts every plugin with it): the file's settings are the
# options', the command line wins, the key never shows.

load e2e

new_dest() {
	TO="sqlite:$T/fd.db"
}

q() {
	sqlite3 "$T/fd.db" "$1"
}

# conf FILE JSON: writes a config file
conf() {
	printf '%s\n' "$2" >"$1"
}

# gets: the simulator's GETs so far
gets() {
	sim_stats | jq '[.by_route[] | .[]] | add // 0'
}

@test "config: fd-fetch takes its domain, key file and start date from --config, and the command line wins" {
	e2e_sim --tickets 40 --contacts 5
	local dom=$FRESHDESK_DOMAIN
	unset FRESHDESK_DOMAIN FRESHDESK_API_KEY
	conf "$T/c.json" "{\"domain\": \"$dom\", \"api_key_file\": \"$SIM_RUNDIR/api_key\",
	    \"start_date\": \"$SINCE\", \"per_page\": 10, \"quiet\": true}"
	run -0 --separate-stderr fd-fetch --config "$T/c.json" tickets
	[ -z "$stderr" ]
	[ "$(printf '%s\n' "$output" | jq -s '[.[] | select(.type == "RECORD")] | length')" -eq \
	    "$(sim_truth tickets | jq length)" ]
	local ten=$(gets)
	# --per-page on the command line overrides the file's
	run -0 fd-fetch --config="$T/c.json" --per-page 40 tickets
	[ $(( $(gets) - ten )) -lt "$ten" ]
	# start_date is --since: a later one reads fewer tickets
	conf "$T/late.json" "{\"domain\": \"$dom\", \"api_key_file\": \"$SIM_RUNDIR/api_key\",
	    \"start_date\": \"2026-11-01T00:00:00Z\", \"quiet\": true}"
	run -0 --separate-stderr fd-fetch --config "$T/late.json" tickets
	[ "$(printf '%s\n' "$output" | jq -s '[.[] | select(.type == "RECORD")] | length')" -eq 0 ]
}

@test "config: an api_key in --config is used before the environment's, and never shown" {
	e2e_sim --tickets 5 --contacts 5
	local key=$FRESHDESK_API_KEY
	export FRESHDESK_API_KEY=wrong-key-from-env
	conf "$T/c.json" "{\"api_key\": \"$key\", \"since\": \"$SINCE\"}"
	run -0 --separate-stderr fd-fetch -v --config "$T/c.json" groups
	[[ "$output$stderr" != *"$key"* ]]
	# a failure names no key either: a refused key, an unknown setting
	conf "$T/bad.json" '{"api_key": "not-the-key-7q", "api_key_typo": "x"}'
	run --separate-stderr fd-fetch --config "$T/bad.json" groups
	[ "$status" -ne 0 ]
	[[ "$output$stderr" != *not-the-key-7q* ]]
	[[ "$stderr" == *"api_key_typo is not a setting of this program: ignored"* ]]
}

@test "config: a bad --config file is one line naming it, exit 2, before any request" {
	e2e_sim --tickets 5 --contacts 5
	conf "$T/arr.json" '[1]'
	conf "$T/type.json" '{"per_page": [10], "max_nesting": [1]}'
	conf "$T/flag.json" '{"quiet": "yes"}'
	conf "$T/key.json" '{"api_key": 42}'
	conf "$T/json.json" '{"domain": '
	local f
	for f in arr type flag key json missing; do
		run --separate-stderr fd-fetch --config "$T/$f.json" groups
		[ "$status" -eq 2 ]
		[ "${#lines[@]}" -eq 0 ]
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
		[[ "$stderr" == "fd-fetch: $T/$f.json: "* ]]
	done
	[[ "$stderr" == *"No such file"* ]]
	run --separate-stderr fd-load --config "$T/arr.json" </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == "fd-load: $T/arr.json: expected a JSON object of settings, found an array" ]]
	run --separate-stderr fd-normalize --config "$T/type.json" </dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr fd-fetch --config "$T/c.json" --config "$T/c.json" groups
	[ "$status" -eq 2 ]
	[ "$stderr" = "fd-fetch: --config given twice" ]
	[ "$(gets)" -eq 0 ]
}

@test "config: fd-normalize takes its options from --config" {
	conf "$T/n.json" '{"stream": "things", "key": "id"}'
	run -0 --separate-stderr fd-normalize --config "$T/n.json" <<<'{"id": 1, "someThing": {"b": 2}}'
	[ "$(printf '%s\n' "$output" | jq -c 'select(.type == "RECORD") | [.stream, .record.some_thing__b]')" = '["things",2]' ]
}

@test "config: fd-load run with --config prints each committed state on stdout, the last one the database's" {
	e2e_sim --tickets 60 --contacts 20
	new_dest
	conf "$T/l.json" "{\"to\": \"$TO\", \"batch_rows\": 7, \"quiet\": true}"
	set -o pipefail
	fd-fetch -q -s "$ST" --since "$SINCE" tickets contacts | fd-normalize |
	    fd-load --config "$T/l.json" >"$T/out" 2>"$T/err"
	[ ! -s "$T/err" ]
	[ "$(wc -l <"$T/out")" -ge 2 ]
	# every line is a state, the last one is what the database holds
	jq -e 'type == "object" and has("bookmarks")' "$T/out" >/dev/null
	[ "$(tail -n 1 "$T/out" | jq -cS .)" = "$(db_state | jq -cS .)" ]
	truth tickets contacts
	# Meltano passes that line back to the extractor as --state
	tail -n 1 "$T/out" >"$T/state.json"
	run -0 --separate-stderr fd-fetch -q --state "$T/state.json" tickets contacts
	[ "$(printf '%s\n' "$output" | jq -s '[.[] | select(.type == "RECORD")] | length')" -eq 0 ]
}

@test "config: the Meltano way: discover, select two streams, run with --config, --catalog and --state, then again from the state the loader printed" {
	e2e_sim --tickets 60 --contacts 20
	new_dest
	local dom=$FRESHDESK_DOMAIN
	unset FRESHDESK_DOMAIN FRESHDESK_API_KEY
	conf "$T/tap.json" "{\"domain\": \"$dom\", \"api_key_file\": \"$SIM_RUNDIR/api_key\",
	    \"start_date\": \"$SINCE\", \"quiet\": true}"
	conf "$T/map.json" '{}'
	conf "$T/target.json" "{\"to\": \"$TO\", \"quiet\": true}"
	run -0 --separate-stderr fd-fetch --config "$T/tap.json" --discover
	[ "$(gets)" -eq 0 ]
	printf '%s\n' "$output" | jq '.streams |= map(.tap_stream_id as $s |
	    .metadata |= map(if .breadcrumb == [] then
	    .metadata.selected = ($s == "tickets" or $s == "contacts") else . end))' \
	    >"$T/catalog.json"
	set -o pipefail
	fd-fetch --config "$T/tap.json" --catalog "$T/catalog.json" |
	    fd-normalize --config "$T/map.json" |
	    fd-load --config "$T/target.json" >"$T/states"
	truth tickets contacts
	# only the selected streams were read
	[ "$(q "select group_concat(name) from sqlite_master where type = 'table' and name in ('groups', 'agents', 'companies')")" = "" ]
	tail -n 1 "$T/states" >"$T/state.json"
	advance 10
	local ids
	ids=$(mutate "{\"ids\":$(sim_truth tickets | jq -c '[.[] | select((.deleted | not) and (.spam | not)) | .id][:3]')}")
	fd-fetch --config "$T/tap.json" --catalog "$T/catalog.json" \
	    --state "$T/state.json" | tee "$T/fetch.ndjson" |
	    fd-normalize --config "$T/map.json" |
	    fd-load --config "$T/target.json" >"$T/states2"
	truth tickets contacts
	[ "$(fetched_ids tickets | paste -sd ' ')" = "$(printf '%s\n' $ids | sort | paste -sd ' ')" ]
	[ "$(tail -n 1 "$T/states2" | jq -cS .)" = "$(db_state | jq -cS .)" ]
}

@test "config: the Meltano way on the real API's terms: an ordinary agent's key, the per-hour throttler, a catalog that selects an admin stream" {
	e2e_sim --tickets 80 --contacts 30 --role agent --throttler hourly \
	    --window 2 --rate-total 1000
	new_dest
	local dom=$FRESHDESK_DOMAIN
	unset FRESHDESK_DOMAIN FRESHDESK_API_KEY
	conf "$T/tap.json" "{\"domain\": \"$dom\", \"api_key_file\": \"$SIM_RUNDIR/api_key\",
	    \"start_date\": \"$SINCE\"}"
	conf "$T/target.json" "{\"to\": \"$TO\", \"quiet\": true}"
	fd-fetch --config "$T/tap.json" --discover |
	    jq '.streams |= map(.tap_stream_id as $s |
	    .metadata |= map(if .breadcrumb == [] then
	    .metadata.selected = ($s == "tickets" or $s == "agents") else . end))' \
	    >"$T/catalog.json"
	set -o pipefail
	fd-fetch --config "$T/tap.json" --catalog "$T/catalog.json" 2>"$T/err" |
	    fd-normalize | fd-load --config "$T/target.json" >"$T/states"
	# agents is refused to this key: one warning naming it, and the run
	# goes on with the streams it may read
	[ "$(sim_stats | jq '.by_status["403"]')" -eq 1 ]
	grep -q '^fd-fetch: agents: ' "$T/err"
	[ "$(grep -c . "$T/err")" -eq 1 ]
	! grep -qF "$(cat "$SIM_RUNDIR/api_key")" "$T/err" "$T/states"
	truth tickets
	[ "$(q "select count(*) from sqlite_master where name = 'agents'")" -eq 0 ]
	# the state the loader printed starts the next run where this one ended
	tail -n 1 "$T/states" >"$T/state.json"
	advance 10
	fd-fetch --config "$T/tap.json" --catalog "$T/catalog.json" \
	    --state "$T/state.json" 2>/dev/null |
	    fd-normalize | fd-load --config "$T/target.json" >/dev/null
	truth tickets
}
