#!/usr/bin/env bats
# Behaviour of the real Freshdesk API that fdsim reproduces, each from
# Freshdesk's own server code (FRESHDESK.md part 3; the freshconsult file
# is named in each test and in fdsim.py).

load test_helper

OLD=2019-01-01T00:00:00Z

teardown() {
	sim_stop
}

# epoch of the Date header of the last fetch
date_epoch() {
	date -u -d "$(header Date)" +%s
}

@test "ticket ids are display ids, dense from 1; child routes and truth use them (tickets/index.json.api)" {
	sim_start --tickets 300
	local n
	n=$(sim_truth tickets | jq length)
	assert_equal "$n" 300
	run jq -e '[.[].id] == [range(1; length + 1)]' <<<"$(sim_truth tickets)"
	assert_success
	# the three lists together serve every id once
	{
		fetch_all "/api/v2/tickets?updated_since=$OLD&per_page=100"
		fetch_all "/api/v2/tickets?filter=spam&updated_since=$OLD&per_page=100"
		fetch_all "/api/v2/tickets?filter=deleted&updated_since=$OLD&per_page=100"
	} | jq -s '[.[][].id] | sort' >"$BATS_TEST_TMPDIR/listed"
	run jq -e --argjson n "$n" '. == [range(1; $n + 1)]' "$BATS_TEST_TMPDIR/listed"
	assert_success
	fetch /api/v2/tickets/1
	assert_equal "$CODE $(jq .id "$B")" "200 1"
	fetch "/api/v2/tickets/$((n + 1))"
	assert_equal "$CODE" 404
	# the other resources keep their big ids
	local r
	for r in contacts companies agents conversations time_entries; do
		run jq -e 'length > 0 and all(.[]; .id > 4294967296)' <<<"$(sim_truth $r)"
		assert_success
	done
	# children are reached and labelled by the display id
	local tid
	tid=$(sim_truth conversations group=parent | jq -r 'keys | map(tonumber) | max')
	((tid >= 1 && tid <= n))
	fetch "/api/v2/tickets/$tid/conversations"
	assert_equal "$CODE" 200
	assert_equal "$(jq -c '[.[].id]' "$B")" "$(sim_truth conversations "parent=$tid" | jq -c '[.[].id]')"
	run jq -e --argjson t "$tid" 'length > 0 and all(.[]; .ticket_id == $t)' "$B"
	assert_success
	tid=$(sim_truth time_entries | jq '.[0].ticket_id')
	((tid >= 1 && tid <= n))
	fetch "/api/v2/tickets/$tid/time_entries"
	assert_equal "$(jq -c '[.[].id] | sort' "$B")" "$(sim_truth time_entries "parent=$tid" | jq -c '[.[].id]')"
}

@test "satisfaction ratings: the last month by default, created_since inclusive, newest first (survey_result.rb)" {
	# the simulated day starts 2026-11-01T00:00:00Z: the default window
	# is created_at > 2026-10-01T00:00:00Z (a calendar month, 31 days)
	sim_start --tickets 3000 --now 2026-11-01T00:00:00Z
	local cut=2026-10-01T00:00:00Z all
	all=$(sim_truth satisfaction_ratings)
	# the data straddle the cut, so that the default window filters
	run jq -e --arg c "$cut" 'any(.[]; .created_at > $c) and any(.[]; .created_at <= $c)' <<<"$all"
	assert_success
	fetch_all /api/v2/surveys/satisfaction_ratings >"$BATS_TEST_TMPDIR/dflt"
	assert_equal "$(jq -c '[.[].id]' "$BATS_TEST_TMPDIR/dflt")" \
		"$(jq -c --arg c "$cut" '[.[] | select(.created_at > $c)] | sort_by(.created_at, .id) | reverse | [.[].id]' <<<"$all")"
	# newest first
	run jq -e '[.[].created_at] as $t | $t == ($t | sort | reverse)' "$BATS_TEST_TMPDIR/dflt"
	assert_success
	# created_since reaches the older ones, newest first as well
	fetch_all "/api/v2/surveys/satisfaction_ratings?created_since=$OLD" >"$BATS_TEST_TMPDIR/since"
	assert_equal "$(jq -c '[.[].id]' "$BATS_TEST_TMPDIR/since")" \
		"$(jq -c 'sort_by(.created_at, .id) | reverse | [.[].id]' <<<"$all")"
	# inclusive: a rating's own second keeps it, the next second drops it
	local r ts next
	r=$(jq -c --arg c "$cut" '[.[] | select(.created_at <= $c)] | sort_by(.created_at) | .[length / 2 | floor]' <<<"$all")
	ts=$(jq -r .created_at <<<"$r")
	next=$(date -u -d "$ts + 1 second" +%Y-%m-%dT%H:%M:%SZ)
	fetch_all "/api/v2/surveys/satisfaction_ratings?created_since=$ts" >"$BATS_TEST_TMPDIR/at"
	run jq -e --argjson id "$(jq .id <<<"$r")" 'any(.[]; .id == $id)' "$BATS_TEST_TMPDIR/at"
	assert_success
	fetch_all "/api/v2/surveys/satisfaction_ratings?created_since=$next" >"$BATS_TEST_TMPDIR/after"
	run jq -e --argjson id "$(jq .id <<<"$r")" 'any(.[]; .id == $id)' "$BATS_TEST_TMPDIR/after"
	assert_failure
	# user_id alone is a filter of its own: no default window
	local uid
	uid=$(jq --arg c "$cut" '[.[] | select(.created_at <= $c)][0].user_id' <<<"$all")
	fetch_all "/api/v2/surveys/satisfaction_ratings?user_id=$uid" >"$BATS_TEST_TMPDIR/user"
	assert_equal "$(jq -c '[.[].id] | sort' "$BATS_TEST_TMPDIR/user")" \
		"$(jq -c --argjson u "$uid" '[.[] | select(.user_id == $u) | .id] | sort' <<<"$all")"
}

@test "spam and deleted tickets: conversations 200, time entries 404 (conversations_/time_entries_controller.rb)" {
	sim_start --tickets 300
	local t id kind
	t=$(sim_truth tickets)
	for kind in spam deleted; do
		id=$(jq --arg k "$kind" '[.[] | select(.[$k] == true)][0].id' <<<"$t")
		[[ "$id" =~ ^[0-9]+$ ]]
		fetch "/api/v2/tickets/$id/conversations"
		assert_equal "$kind $CODE" "$kind 200"
		assert_equal "$(jq -c '[.[].id]' "$B")" "$(sim_truth conversations "parent=$id" | jq -c '[.[].id]')"
		fetch "/api/v2/tickets/$id/satisfaction_ratings"
		assert_equal "$kind $CODE" "$kind 200"
		fetch "/api/v2/tickets/$id/time_entries"
		assert_equal "$kind $CODE" "$kind 404"
		assert_equal "$(wc -c <"$B")" 0
	done
	# a live ticket's time entries answer
	id=$(sim_truth time_entries | jq '.[0].ticket_id')
	run jq -e --argjson id "$id" '.[] | select(.id == $id) | (.spam | not) and (.deleted | not)' <<<"$t"
	assert_success
	fetch "/api/v2/tickets/$id/time_entries"
	assert_equal "$CODE" 200
	assert_equal "$(jq 'length > 0' "$B")" true
}

@test "contact_fields, company_fields, ticket_fields are never paged; business_hours only with page" {
	sim_start --tickets 50
	local n
	# contact_fields and company_fields check no parameter at all
	for n in contact_fields company_fields; do
		fetch "/api/v2/$n?page=2&per_page=1&anything=x"
		assert_equal "$n $CODE" "$n 200"
		assert_equal "$(jq -c . "$B")" "$(sim_truth $n | jq -c .)"
		run next_link
		assert_output ""
	done
	# ticket_fields permits page/per_page and ignores them, values unchecked
	fetch "/api/v2/ticket_fields?page=2&per_page=1"
	assert_equal "$CODE" 200
	assert_equal "$(jq -c . "$B")" "$(sim_truth ticket_fields | jq -c .)"
	run jq -e 'length > 1' "$B"
	assert_success
	run next_link
	assert_output ""
	fetch "/api/v2/ticket_fields?per_page=x"
	assert_equal "$CODE" 200
	fetch "/api/v2/ticket_fields?anything=x"
	assert_equal "$CODE" 400
	assert_equal "$(jq -r '.errors[0].code' "$B")" invalid_field
	# business_hours: per_page alone does not page
	fetch "/api/v2/business_hours?per_page=1"
	assert_equal "$CODE" 200
	assert_equal "$(jq length "$B")" "$(sim_truth business_hours | jq length)"
	run jq -e 'length > 1' "$B"
	assert_success
	run next_link
	assert_output ""
	# with page it pages
	fetch "/api/v2/business_hours?per_page=1&page=1"
	assert_equal "$(jq -c '[.[].id]' "$B")" "$(sim_truth business_hours | jq -c '[.[0].id]')"
	run next_link
	assert_output "$SIM_URL/api/v2/business_hours?per_page=1&page=2"
	# and its paging parameters are still validated
	fetch "/api/v2/business_hours?per_page=101"
	assert_equal "$CODE" 400
}

@test "page and per_page errors: datatype_mismatch when not an integer, invalid_value out of range (filter_validation.rb)" {
	sim_start --tickets 50
	local msg='It should be a Positive Integer less than or equal to 100' p v code
	for p in tickets contacts groups surveys/satisfaction_ratings; do
		for v in 101 0 -1 abc 1.5 ""; do
			case $v in
			101 | 0 | -1) code=invalid_value ;;
			*) code=datatype_mismatch ;;
			esac
			fetch "/api/v2/$p?per_page=$v"
			assert_equal "$p $v $CODE" "$p $v 400"
			assert_equal "$(cat "$B")" "{\"description\":\"Validation failed\",\"errors\":[{\"field\":\"per_page\",\"message\":\"$msg\",\"code\":\"$code\"}]}"
		done
	done
	fetch "/api/v2/groups?per_page=100"
	assert_equal "$CODE" 200
	fetch "/api/v2/groups?page=x&per_page=0"
	assert_equal "$CODE" 400
	assert_equal "$(jq -c .errors "$B")" "[{\"field\":\"page\",\"message\":\"It should be a/an Positive Integer\",\"code\":\"datatype_mismatch\"},{\"field\":\"per_page\",\"message\":\"$msg\",\"code\":\"invalid_value\"}]"
	fetch "/api/v2/groups?page=0"
	assert_equal "$(jq -c .errors "$B")" '[{"field":"page","message":"It should be a/an Positive Integer","code":"invalid_value"}]'
}

@test "include credits: 2 per value on the tickets list, 1 per value on a ticket; description free with --description-by-default (tickets_controller.rb)" {
	sim_start --tickets 100 --rate-total 1000 --window 600
	sim_ctl POST reset-rate >/dev/null
	local id
	id=$(sim_truth tickets | jq '.[0].id')
	fetch "/api/v2/tickets?per_page=5&include=requester,stats"
	assert_equal "$CODE $(header X-RateLimit-Used-CurrentRequest)" "200 5"
	fetch "/api/v2/tickets?per_page=5&include=description"
	assert_equal "$CODE $(header X-RateLimit-Used-CurrentRequest)" "200 3"
	run jq -e 'all(.[]; has("description"))' "$B"
	assert_success
	fetch "/api/v2/tickets/$id?include=requester,company,stats,conversations"
	assert_equal "$CODE $(header X-RateLimit-Used-CurrentRequest)" "200 5"
	fetch "/api/v2/tickets/$id?include=stats"
	assert_equal "$CODE $(header X-RateLimit-Used-CurrentRequest)" "200 2"
	fetch "/api/v2/tickets/$id"
	assert_equal "$CODE $(header X-RateLimit-Used-CurrentRequest)" "200 1"
	# charged to the budget: 5 + 3 + 5 + 2 + 1
	assert_equal "$(header X-RateLimit-Remaining)" 984
	run jq -e '.credits.current.credits == 16' <<<"$(sim_stats)"
	assert_success
	sim_stop

	# an account with description_by_default: the list always carries the
	# description, and asking for it costs nothing
	sim_start --tickets 100 --rate-total 1000 --window 600 --description-by-default
	fetch "/api/v2/tickets?per_page=5"
	assert_equal "$CODE $(header X-RateLimit-Used-CurrentRequest)" "200 1"
	run jq -e 'length == 5 and all(.[]; has("description") and has("description_text"))' "$B"
	assert_success
	fetch "/api/v2/tickets?per_page=5&include=description,stats"
	assert_equal "$CODE $(header X-RateLimit-Used-CurrentRequest)" "200 3"
	run jq -e 'all(.[]; has("description") and has("stats"))' "$B"
	assert_success
}

@test "the Date header follows the simulated clock; --date-skew moves it away from the records' clock" {
	sim_start --tickets 50 --now 2026-11-01T00:00:00Z
	local before after d
	before=$(sim_ctl GET now | jq .epoch)
	fetch "/api/v2/tickets?per_page=1"
	after=$(sim_ctl GET now | jq .epoch)
	d=$(date_epoch)
	((before <= d && d <= after))
	# moving the simulated clock moves Date
	sim_ctl POST now '{"advance":86400}' >/dev/null
	before=$(sim_ctl GET now | jq .epoch)
	fetch /api/v2/groups
	after=$(sim_ctl GET now | jq .epoch)
	d=$(date_epoch)
	((before <= d && d <= after))
	((d >= $(date -u -d 2026-11-02T00:00:00Z +%s)))
	sim_stop

	# a web server clock an hour behind the database's: a ticket updated
	# now carries an updated_at later than the Date of the answer
	sim_start --tickets 50 --date-skew -3600
	local m t
	m=$(sim_ctl POST mutate '{"count":1}')
	t=$(jq -r '.updated_at' <<<"$m")
	before=$(sim_ctl GET now | jq .epoch)
	fetch "/api/v2/tickets/$(jq '.ids[0]' <<<"$m")"
	after=$(sim_ctl GET now | jq .epoch)
	assert_equal "$CODE" 200
	assert_equal "$(jq -r .updated_at "$B")" "$t"
	d=$(date_epoch)
	((before - 3600 <= d && d <= after - 3600))
	(($(date -u -d "$t" +%s) > d))
	run jq -e '.date_skew == -3600' <<<"$(sim_ctl GET config)"
	assert_success
}
