#!/usr/bin/env bats
# Issue 18's run-time features on the real API's terms (FRESHDESK.md
# Part 3): an ordinary agent's key (the admin endpoints refused), the
# older per-hour throttler without rate headers, and lists by name that
# change in front of the reader.

load e2e

q() {
	sqlite3 "$T/fd.db" "$1"
}

# bookmarks PREFIX: the state's bookmarks whose names start with PREFIX
bookmarks() {
	jq -c --arg p "$1" '.bookmarks | with_entries(select(.key | startswith($p)))' "$ST"
}

@test "newuser, real API: --reset contacts re-reads contacts from --since while the lists move, the admin endpoints refused; tickets' bookmarks kept" {
	e2e_sim --tickets 200 --contacts 400 --companies 100 --role agent \
	    --throttler hourly --window 2 --rate-total 1000 \
	    --churn-every 3 --churn-max 4 --churn block,rename
	TO="sqlite:$T/fd.db"
	run_sync
	[ "$(sim_stats | jq .churns)" -ge 1 ]
	[ "$(sim_stats | jq '.by_status["403"]')" -eq 3 ]
	local tickets
	tickets=$(bookmarks tickets)
	# the contacts are lost downstream; the next run alone would not
	# bring them back, a reset does
	local t
	for t in $(sqlite3 "$T/fd.db" "select name from sqlite_master where type = 'table' and (name = 'contacts' or name like 'contacts\_\_%' escape '\')"); do
		sqlite3 "$T/fd.db" "delete from \"$t\""
	done
	[ "$(sqlite3 "$T/fd.db" 'select count(*) from contacts')" -eq 0 ]
	run_sync --reset contacts
	[ "$(sim_stats | jq '.by_status["403"]')" -eq 6 ]
	truth contacts tickets
	[ "$(bookmarks tickets)" = "$tickets" ]
	diff <(jq -S . "$ST") <(db_state | jq -S .)
}

@test "newuser, real API: -n sends no request and needs no key; a mistyped endpoint is told before any request" {
	e2e_sim --tickets 50 --contacts 50 --role agent --throttler hourly \
	    --window 2 --rate-total 1000
	TO="sqlite:$T/fd.db"
	run_sync
	local before
	before=$(sim_stats | jq .requests_total)
	run -0 --separate-stderr env -u FRESHDESK_API_KEY fd-fetch -n -s "$ST"
	[ "$(printf '%s\n' "$output" | grep -c '^pass tickets.* start=bookmark ')" -eq 3 ]
	run -2 --separate-stderr fd-fetch -s "$ST" ticket
	[ "$stderr" = "fd-fetch: ticket: unknown endpoint (did you mean tickets?)" ]
	[ "$(sim_stats | jq .requests_total)" -eq "$before" ]
}
