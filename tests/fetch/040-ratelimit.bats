#!/usr/bin/env bats
# fd-fetch and the rate limits (DESIGN.md section 3 "Rate limits";
# FRESHDESK.md section 1.3, traps 7, 8 and 10).  fd-fetch paces per
# minute, as Freshdesk counts; the simulator's windows are scaled so that
# the run stays short yet a client that did not pace would meet 429s.
# A simulator per test.

setup() {
	load ../common
	load ../sim/sim
	export FD_FETCH_RETRY_MS=20
}

teardown() {
	sim_stop
}

# ms: wall clock in milliseconds
ms() {
	echo $(($(date +%s%N) / 1000000))
}

# count_records: RECORD messages in $output
count_records() {
	printf '%s\n' "${lines[@]}" | jq -c 'select(.type == "RECORD")' | wc -l
}

@test "ratelimit: requests are spread below the X-RateLimit-Total the API reports" {
	# 300 credits a minute: with the 10% reserve, one request per
	# 60/(270-1) s = 0.22 s
	sim_start --rate-total 300 --window 60
	local t0 t1
	t0=$(ms)
	run --separate-stderr fd-fetch agents companies groups roles
	t1=$(ms)
	assert_success
	run sim_stats
	[ "$(jq '.rate_limited_429' <<<"$output")" -eq 0 ]
	# companies: 200 in two windows of overlapping pages and a third
	[ "$(jq '.requests_total' <<<"$output")" -eq 6 ]
	# 5 gaps of 0.22 s at least (unpaced: about 0.3 s in all)
	[ $((t1 - t0)) -ge 1070 ] || fail "6 requests in $((t1 - t0)) ms"
}

@test "ratelimit: --reserve leaves that share of the account's limit to other apps" {
	# 300 credits a minute, half reserved: one request per 60/150 s
	# = 0.4 s, where the default 10% gives 0.22 s
	sim_start --rate-total 300 --window 60
	local t0 t1
	t0=$(ms)
	run -0 --separate-stderr fd-fetch --reserve 50 agents companies groups roles
	t1=$(ms)
	[ "$(sim_stats | jq '.requests_total')" -eq 6 ]
	# 5 gaps of 0.4 s at least
	[ $((t1 - t0)) -ge 1950 ] || fail "6 requests in $((t1 - t0)) ms"
}

@test "ratelimit: --rate caps the pace below what the account allows" {
	sim_start --rate-total 1000000 --window 60
	local t0 t1
	t0=$(ms)
	run -0 fd-fetch --rate 300 agents companies groups roles
	t1=$(ms)
	[ $((t1 - t0)) -ge 1070 ] || fail "6 requests in $((t1 - t0)) ms"
	# without it, the same run never waits (fd-fetch -v counts its waits)
	run -0 --separate-stderr fd-fetch -v agents companies groups roles
	[[ "${stderr_lines[-1]}" == "fd-fetch: 6 requests, "*", 0 waits" ]] || fail "$stderr"
}

@test "ratelimit: tickets list sub-limit from --plan: no 429 (trap 7)" {
	# pro: 100 tickets-list requests a minute, paced at one per 0.67 s;
	# the simulator allows 2 per 1.25 s, so an unpaced client meets 429
	sim_start --tickets 400 --rate-total 1000000 --window 1.25 --tickets-list-limit 2
	run --separate-stderr fd-fetch --plan pro --per-page 10 --since 2026-10-01T00:00:00Z tickets
	assert_success
	[ "$(count_records)" -gt 30 ]
	run sim_stats
	[ "$(jq '.rate_limited_429' <<<"$output")" -eq 0 ]
	[ "$(jq '.by_path["/api/v2/tickets"]["200"]' <<<"$output")" -ge 5 ]
}

@test "ratelimit: tickets list sub-limit guessed from the account's total: no 429 (trap 7)" {
	# X-RateLimit-Total 400 is the Pro plan: tickets list 100 a minute
	sim_start --tickets 400 --rate-total 400 --window 1.25 --tickets-list-limit 2
	# with -j 4 too: one budget for all the requests in flight
	run --separate-stderr fd-fetch -j 4 --per-page 10 --since 2026-10-01T00:00:00Z tickets
	assert_success
	[ "$(count_records)" -gt 30 ]
	run sim_stats
	[ "$(jq '.rate_limited_429' <<<"$output")" -eq 0 ]
	[ "$(jq '.by_path["/api/v2/tickets"]["200"]' <<<"$output")" -ge 5 ]
}

@test "ratelimit: each include costs credits, read from X-RateLimit-Used-CurrentRequest (trap 8)" {
	# 700 a minute: 629 paced; a request with 3 includes costs 7 credits,
	# so one every 0.67 s (without the accounting: one every 0.34 s, the
	# Enterprise tickets-list pace)
	sim_start --tickets 400 --rate-total 700 --window 60 --tickets-list-limit 1000
	local t0 t1
	t0=$(ms)
	run --separate-stderr fd-fetch --per-page 10 --since 2026-10-01T00:00:00Z \
	    --include description,requester,stats tickets
	t1=$(ms)
	assert_success
	# the records have what was asked for
	diff <(printf '%s\n' "${lines[@]}" | jq -S -c 'select(.type == "RECORD") | .record' | sort) \
	    <(sim_truth tickets include=description,requester,stats |
	      jq -S -c '.[] | select(.updated_at >= "2026-10-01T00:00:00Z")' | sort)
	run sim_stats
	local n
	n=$(jq '.by_path["/api/v2/tickets"]["200"]' <<<"$output")
	[ "$n" -ge 5 ]
	[ "$(jq '.rate_limited_429' <<<"$output")" -eq 0 ]
	[ $((t1 - t0)) -ge $(((n - 1) * 640)) ] || fail "$n requests of 7 credits in $((t1 - t0)) ms"
}

@test "ratelimit: a 429 with Retry-After 1 is waited out and the run completes" {
	sim_start --rate-total 1000000 --window 60
	sim_ctl POST faults '[{"kind":"429","retry_after":1,"path":"^/api/v2/groups$","nth":1}]' >/dev/null
	local t0 t1
	t0=$(ms)
	run --separate-stderr fd-fetch groups
	t1=$(ms)
	assert_success
	[ "$(count_records)" -eq "$(sim_truth groups | jq length)" ]
	[ $((t1 - t0)) -ge 1000 ] || fail "Retry-After 1 waited only $((t1 - t0)) ms"
	# Retry-After, not a minute (a bound for the slowest machine)
	[ $((t1 - t0)) -lt 30000 ] || fail "Retry-After 1 waited $((t1 - t0)) ms"
	run sim_stats
	[ "$(jq -c '.by_path["/api/v2/groups"]' <<<"$output")" = '{"429":1,"200":1}' ]
}

@test "ratelimit: a 429 wait beyond --max-wait: exit 75 at once, with a message (trap 10)" {
	sim_start --rate-total 1000000 --window 60
	sim_ctl POST faults '[{"kind":"429","retry_after":3600,"path":"^/api/v2/roles$"}]' >/dev/null
	local t0 t1
	t0=$(ms)
	run -75 --separate-stderr fd-fetch --max-wait 5 groups roles
	t1=$(ms)
	# not the hour: a bound for the slowest machine, far below it
	[ $((t1 - t0)) -lt 30000 ] || fail "gave up after $((t1 - t0)) ms"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: roles: "*3600*max-wait* ]]
	# what was fetched before is out, whole, with its STATE
	[ "$(count_records)" -eq "$(sim_truth groups | jq length)" ]
	[ "$(jq -r .type <<<"${lines[-1]}")" = STATE ]
	run sim_stats
	[ "$(jq -c '.by_path["/api/v2/roles"]' <<<"$output")" = '{"429":1}' ]
}

@test "ratelimit: 429s from a limit fd-fetch cannot see: each waited out once, no retry storm" {
	# the tickets list allows 1 request a second; nothing tells fd-fetch
	sim_start --tickets 400 --rate-total 1000000 --window 1 --tickets-list-limit 1
	local t0 t1
	t0=$(ms)
	run --separate-stderr fd-fetch --since 2026-10-20T00:00:00Z tickets
	t1=$(ms)
	assert_success
	diff <(printf '%s\n' "${lines[@]}" | jq -r 'select(.type == "RECORD") | .record.id' | sort) \
	    <(sim_truth tickets | jq -r '.[] | select(.updated_at >= "2026-10-20T00:00:00Z") | .id' | sort)
	run sim_stats
	local ok n429
	ok=$(jq '.by_path["/api/v2/tickets"]["200"]' <<<"$output")
	n429=$(jq '.by_path["/api/v2/tickets"]["429"] // 0' <<<"$output")
	[ "$ok" -eq 3 ]
	[ "$n429" -le "$ok" ] || fail "$n429 429s for $ok pages"
	[ $((t1 - t0)) -ge $((n429 * 900)) ]
	# each 429 waited out once, not retried in a storm nor backed off
	# for long (a bound for the slowest machine)
	[ $((t1 - t0)) -lt $((n429 * 1000 + 20000)) ]
}

@test "ratelimit: pacing under the account's budget beyond --max-wait: exit 75 at once, the stream whole" {
	# 3 requests a minute: the fourth would wait about 20 s
	sim_start --rate-total 3 --window 60
	local t0 t1
	t0=$(ms)
	run -75 --separate-stderr fd-fetch --max-wait 2 groups roles agents companies
	t1=$(ms)
	# not after the wait of about 20 s (a bound for the slowest machine)
	[ $((t1 - t0)) -lt 15000 ] || fail "gave up after $((t1 - t0)) ms"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" =~ ^"fd-fetch: "[a-z]+": rate limited: a wait of "[0-9.]+"s for the rate budget is beyond --max-wait 2s"$ ]] ||
	    fail "stderr: $stderr"
	[ "$(jq -r .type <<<"${lines[-1]}")" = STATE ]
	run sim_stats
	[ "$(jq .requests_total <<<"$output")" -le 3 ]
	[ "$(jq '.by_status["429"] // 0' <<<"$output")" -eq 0 ]
}

@test "ratelimit: a retry backoff beyond --max-wait 0 (never wait): exit 75, with a message" {
	sim_start --rate-total 1000000 --window 60
	sim_ctl POST faults '[{"kind":"503","path":"^/api/v2/roles$"}]' >/dev/null
	run -75 --separate-stderr fd-fetch --max-wait 0 roles
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: roles: "*"; a retry in "*"s is beyond --max-wait 0s" ]] ||
	    fail "stderr: $stderr"
}

# The older throttler (--throttler hourly: FRESHDESK.md Part 3 point 11,
# trap 27): its 429 has no rate headers and a Retry-After that is 0 in
# the window's last half second.

@test "ratelimit: the older throttler's Retry-After 0, again and again: no burst, a growing backoff, exit 75 with a message" {
	# a limit of 0 (the Free plan's) in windows of 0.4 s: every request
	# is refused, every 429 says Retry-After 0 and nothing else
	sim_start --throttler hourly --rate-total 0 --window 0.4
	run --separate-stderr timeout 30 fd-fetch --max-wait 3 groups
	# waits of 1 then 2 s; the next, 4 s, is beyond --max-wait
	[ "$status" -eq 75 ] || fail "exit $status: $stderr"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "fd-fetch: groups: rate limited: HTTP 429: a wait of 4s"*"beyond --max-wait 3s" ]] ||
	    fail "stderr: $stderr"
	run sim_stats
	# not a storm (fd-fetch 0.1.0 asked again at once: hundreds of 429s)
	[ "$(jq '.by_status["429"]' <<<"$output")" -eq 3 ] || fail "$(jq -c .by_status <<<"$output")"
	[ "$(jq '.requests_total' <<<"$output")" -eq 3 ]
}

@test "ratelimit: the older throttler's Retry-After 0 with -j 4: the requests in flight do not each escalate" {
	# four requests out at once (held until all are), all refused with
	# Retry-After 0: one wait of 1 s for all, then the next 429s
	sim_start --throttler hourly --rate-total 0 --window 0.4
	sim_ctl POST faults '[{"kind":"hold","next":4}]' >/dev/null
	local pid rc=0 d=$BATS_TEST_TMPDIR
	timeout 30 fd-fetch -j 4 --max-wait 3 agents companies groups roles \
	    >"$d/out" 2>"$d/err" &
	pid=$!
	sim_wait_held 4 "$pid"
	sim_ctl POST release >/dev/null
	sim_ctl POST faults '[]' >/dev/null
	wait "$pid" || rc=$?
	[ "$rc" -eq 75 ] || fail "exit $rc: $(cat "$d/err")"
	run sim_stats
	# 4 at once, then 1 s later at most 4 again, 2 s later the same:
	# at most 12, where retrying at once makes hundreds
	[ "$(jq '.by_status["429"]' <<<"$output")" -le 12 ] || fail "$(jq -c .by_status <<<"$output")"
}

@test "ratelimit: a 429 with neither Retry-After nor rate headers: backed off from 1 s, not a guessed minute" {
	sim_start --rate-total 1000000 --window 60
	sim_ctl POST faults '[{"kind":"429","retry_after":null,"rate_headers":false,"path":"^/api/v2/groups$","next":2}]' >/dev/null
	local t0 t1
	t0=$(ms)
	run --separate-stderr fd-fetch --max-wait 30 groups
	t1=$(ms)
	assert_success
	[ "$(count_records)" -eq "$(sim_truth groups | jq length)" ]
	# waits of 1 and 2 s: not at once
	[ $((t1 - t0)) -ge 3000 ] || fail "two 429s waited only $((t1 - t0)) ms"
	run sim_stats
	[ "$(jq -c '.by_path["/api/v2/groups"]' <<<"$output")" = '{"429":2,"200":1}' ]
}
