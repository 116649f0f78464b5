#!/usr/bin/env bats
# Auth, pagination, the tickets list rules and the data set's shape.

load test_helper

OLD=2019-01-01T00:00:00Z

# --stable-ties: the paging contract is tested on a server that keeps
# the order of records that tie; the real API's shuffled ties have tests
# of their own (060-realism.bats)
setup_file() {
	sim_start --tickets 800 --contacts 300 --companies 60 --burst 150 \
		--rate-total 1000000 --tickets-list-limit 1000000 \
		--contacts-list-limit 1000000 --stable-ties
}

teardown_file() {
	sim_stop
}

setup() {
	sim_ctl POST config '{"page_cap":300,"no_feature":[]}' >/dev/null
}

@test "401 with the exact body when the key is missing or wrong; any password works" {
	local want='{"code":"invalid_credentials","message":"You have to be logged in to perform this action."}'
	run curl -s -w ' %{http_code}' "$SIM_URL/api/v2/tickets"
	assert_output "$want 401"
	run curl -s -w ' %{http_code}' -K - "$SIM_URL/api/v2/tickets" <<<'user = "not-the-key:X"'
	assert_output "$want 401"
	run curl -s -o /dev/null -w '%{http_code}' -K - "$SIM_URL/api/v2/groups" <<<"user = \"$FRESHDESK_API_KEY:whatever\""
	assert_output 200
	run curl -s -o /dev/null -w '%{http_code}' -K - "$SIM_URL/api/v2/groups" <<<"user = \"$FRESHDESK_API_KEY:\""
	assert_output 200
}

@test "per_page: default 30, max 100, 101 and 0 are 400 on per_page, not an integer too" {
	fetch "/api/v2/tickets?updated_since=$OLD"
	assert_equal "$(jq length "$B")" 30
	fetch "/api/v2/tickets?updated_since=$OLD&per_page=100"
	assert_equal "$(jq length "$B")" 100
	fetch "/api/v2/contacts?per_page=7"
	assert_equal "$(jq length "$B")" 7
	local p code
	for p in 101 0 -1 abc; do
		# out of range: invalid_value; not an integer: datatype_mismatch
		# (custom_numericality_validator.rb, api_flows_test.rb)
		code=invalid_value
		[[ $p != abc ]] || code=datatype_mismatch
		fetch "/api/v2/tickets?updated_since=$OLD&per_page=$p"
		assert_equal "$CODE" 400
		assert_equal "$(cat "$B")" '{"description":"Validation failed","errors":[{"field":"per_page","message":"It should be a Positive Integer less than or equal to 100","code":"'$code'"}]}'
	done
	fetch "/api/v2/contacts?per_page=101"
	assert_equal "$CODE" 400
	assert_equal "$(jq -r '.errors[0].field' "$B")" per_page
	fetch "/api/v2/contacts?page=0"
	assert_equal "$CODE" 400
	assert_equal "$(jq -r '.errors[0].field' "$B")" page
}

@test "Link rel=next is present iff another page exists and echoes the params with page+1" {
	local n
	n=$(sim_truth contacts | jq '[.[] | select(.fd_state == "active")] | length')
	((n > 200 && n < 300))
	fetch "/api/v2/contacts?per_page=100&_updated_since=$OLD"
	assert_equal "$(next_link)" "$SIM_URL/api/v2/contacts?per_page=100&_updated_since=$OLD&page=2"
	fetch "/api/v2/contacts?per_page=100&page=2&_updated_since=$OLD"
	assert_equal "$(jq length "$B")" 100
	assert_equal "$(next_link)" "$SIM_URL/api/v2/contacts?per_page=100&page=3&_updated_since=$OLD"
	fetch "/api/v2/contacts?per_page=100&page=3&_updated_since=$OLD"
	assert_equal "$(jq length "$B")" $((n - 200))
	assert_equal "$(next_link)" ""
	run header Link
	assert_failure
	# exactly full last page: no Link; one short: Link
	fetch "/api/v2/contacts?per_page=$((n / 3))&page=3"
	assert_equal "$(next_link)" "$( ((n % 3)) && echo "$SIM_URL/api/v2/contacts?per_page=$((n / 3))&page=4")"
	fetch "/api/v2/contacts?per_page=100&page=4"
	assert_equal "$CODE" 200
	assert_equal "$(cat "$B")" "[]"
	assert_equal "$(next_link)" ""
	# no total-count header of any kind
	run grep -ci 'total-count\|x-total' "$H"
	assert_output 0
}

@test "following Link verbatim visits every contact exactly once" {
	run fetch_all "/api/v2/contacts?per_page=37"
	assert_success
	echo "$output" >"$BATS_TEST_TMPDIR/got"
	run jq -c '[.[].id] | sort' "$BATS_TEST_TMPDIR/got"
	assert_output "$(sim_truth contacts | jq -c '[.[] | select(.fd_state == "active") | .id]')"
}

@test "a '+' offset comes back raw in Link (the historical builder) and then fails" {
	fetch "/api/v2/tickets?updated_since=2020-01-01T05:30:00%2B05:30&per_page=10"
	assert_equal "$CODE" 200
	assert_equal "$(next_link)" "$SIM_URL/api/v2/tickets?updated_since=2020-01-01T05:30:00+05:30&per_page=10&page=2"
	run curl -s -K "$SIM_CURLRC" "$(next_link)"
	assert_output '{"description":"Validation failed","errors":[{"field":"updated_since","message":"It should be in the '"'"'valid date time'"'"' format","code":"invalid_date"}]}'
}

@test "tickets beyond the page cap: 400 with the exact body, whatever the filters" {
	sim_ctl POST config '{"page_cap":4}' >/dev/null
	local q
	for q in "" "updated_since=$OLD&order_by=updated_at&order_type=asc&" "filter=deleted&" "include=stats&"; do
		fetch "/api/v2/tickets?${q}per_page=10&page=5"
		assert_equal "$CODE" 400
		assert_equal "$(cat "$B")" '{"description":"Validation failed","errors":[{"field":"page","message":"You cannot access tickets beyond the 4th page. Please provide a smaller page number.","code":"invalid_value"}]}'
	done
	# page 4 itself works and still links to page 5 when more rows exist
	fetch "/api/v2/tickets?updated_since=$OLD&per_page=10&page=4"
	assert_equal "$CODE" 200
	assert_equal "$(jq length "$B")" 10
	assert_equal "$(next_link)" "$SIM_URL/api/v2/tickets?updated_since=$OLD&per_page=10&page=5"
	# the number in the message follows the configured cap (default 300)
	sim_ctl POST config '{"page_cap":300}' >/dev/null
	fetch "/api/v2/tickets?per_page=10&page=301"
	assert_equal "$(jq -r '.errors[0].message' "$B")" "You cannot access tickets beyond the 300th page. Please provide a smaller page number."
	fetch "/api/v2/tickets?per_page=10&page=300"
	assert_equal "$CODE" 200
	assert_equal "$(cat "$B")" "[]"
}

@test "unknown query parameters are 400 invalid_field" {
	fetch "/api/v2/tickets?updated_since=$OLD&since_id=5"
	assert_equal "$CODE" 400
	assert_equal "$(cat "$B")" '{"description":"Validation failed","errors":[{"field":"since_id","message":"Unexpected/invalid field in request","code":"invalid_field"}]}'
	fetch "/api/v2/agents?foo=1&bar=2"
	assert_equal "$(jq -c '[.errors[] | [.field, .code]]' "$B")" '[["foo","invalid_field"],["bar","invalid_field"]]'
	fetch "/api/v2/groups?per_page=5&state=x"
	assert_equal "$(jq -r '.errors[0].field' "$B")" state
	fetch "/api/v2/time_entries?updated_since=$OLD"
	assert_equal "$CODE" 400
	fetch "/api/v2/surveys/satisfaction_ratings?updated_since=$OLD"
	assert_equal "$CODE" 400
}

@test "without filters only tickets created in the last 30 days; any filter lifts that" {
	local now want
	now=$(sim_ctl GET now | jq .epoch)
	want=$(sim_truth tickets | jq -c --argjson now "$now" \
		'[.[] | select((.spam | not) and (.deleted // false | not) and (.created_at | fromdateiso8601) >= $now - 30*86400) | .id] | sort')
	(($(jq length <<<"$want") > 20))
	run fetch_all "/api/v2/tickets?per_page=100"
	assert_equal "$(jq -c '[.[].id] | sort' <<<"$output")" "$want"
	# include and order_by are not filters
	run fetch_all "/api/v2/tickets?per_page=100&include=stats&order_by=updated_at"
	assert_equal "$(jq -c '[.[].id] | sort' <<<"$output")" "$want"
	# updated_since (even far in the past) reaches older tickets
	fetch "/api/v2/tickets?updated_since=$OLD&order_by=created_at&order_type=asc&per_page=5"
	assert_equal "$(jq -r '.[0].created_at < "2022-01-01"' "$B")" true
	# so do requester_id and company_id
	local t
	t=$(sim_truth tickets | jq -c '[.[] | select((.spam | not) and (.deleted // false | not) and .company_id != null and .created_at < "2023")][0]')
	fetch "/api/v2/tickets?requester_id=$(jq .requester_id <<<"$t")"
	assert_equal "$(jq --argjson id "$(jq .id <<<"$t")" 'any(.[]; .id == $id)' "$B")" true
	fetch "/api/v2/tickets?company_id=$(jq .company_id <<<"$t")&per_page=100"
	assert_equal "$(jq --argjson id "$(jq .id <<<"$t")" 'any(.[]; .id == $id)' "$B")" true
	# the window follows the simulated clock
	sim_ctl POST now '{"advance": 864000}' >/dev/null
	run fetch_all "/api/v2/tickets?per_page=100"
	sim_ctl POST now '{"advance": -864000}' >/dev/null
	(($(jq length <<<"$output") < $(jq length <<<"$want")))
}

@test "updated_since is inclusive, second-granular, and accepts offsets" {
	local t ts id
	t=$(sim_truth tickets | jq -c '[.[] | select((.spam | not) and (.deleted // false | not))] | group_by(.updated_at) | map(select(length == 1)) | .[length/2|floor][0]')
	ts=$(jq -r .updated_at <<<"$t")
	id=$(jq .id <<<"$t")
	fetch "/api/v2/tickets?updated_since=$ts&order_by=updated_at&order_type=asc&per_page=3"
	assert_equal "$(jq '.[0].id' "$B")" "$id"
	assert_equal "$(jq -r '.[0].updated_at' "$B")" "$ts"
	# one second later excludes it
	local later
	later=$(jq -nr --arg t "$ts" '$t | fromdateiso8601 + 1 | todateiso8601')
	fetch "/api/v2/tickets?updated_since=$later&order_by=updated_at&order_type=asc&per_page=3"
	assert_equal "$(jq --argjson id "$id" 'any(.[]; .id == $id)' "$B")" false
	assert_equal "$(jq -r --arg t "$ts" 'all(.[]; .updated_at > $t)' "$B")" true
	# same instant as an offset (+05:30, percent-encoded) and with milliseconds
	local off
	off=$(jq -nr --arg t "$ts" '$t | fromdateiso8601 + 19800 | strftime("%Y-%m-%dT%H:%M:%S") + "%2B05:30"')
	fetch "/api/v2/tickets?updated_since=$off&order_by=updated_at&order_type=asc&per_page=3"
	assert_equal "$(jq '.[0].id' "$B")" "$id"
	fetch "/api/v2/tickets?updated_since=${ts%Z}.000Z&order_by=updated_at&order_type=asc&per_page=3"
	assert_equal "$(jq '.[0].id' "$B")" "$id"
	fetch "/api/v2/tickets?updated_since=yesterday"
	assert_equal "$CODE" 400
	assert_equal "$(jq -r '.errors[0].field' "$B")" updated_since
}

@test "order_by and order_type sort with ties broken by id in the same direction" {
	local f d key
	for f in created_at updated_at due_by status; do
		for d in asc desc; do
			fetch "/api/v2/tickets?updated_since=$OLD&order_by=$f&order_type=$d&per_page=100&page=2"
			assert_equal "$CODE" 200
			key="[.$f, .id]"
			if [[ $d == asc ]]; then
				run jq -e "[.[] | $key] as \$k | \$k == (\$k | sort)" "$B"
			else
				run jq -e "[.[] | $key] as \$k | \$k == (\$k | sort | reverse)" "$B"
			fi
			assert_success
		done
	done
	# against the truth: updated_at asc, page 2
	fetch "/api/v2/tickets?updated_since=$OLD&order_by=updated_at&order_type=asc&per_page=100&page=2"
	assert_equal "$(jq -c '[.[].id]' "$B")" "$(sim_truth tickets | jq -c '[.[] | select((.spam | not) and (.deleted // false | not))] | sort_by(.updated_at, .id) | [.[100:200][].id]')"
	# default: created_at desc
	fetch "/api/v2/tickets?updated_since=$OLD&per_page=50"
	cp "$B" "$BATS_TEST_TMPDIR/default"
	fetch "/api/v2/tickets?updated_since=$OLD&per_page=50&order_by=created_at&order_type=desc"
	cmp "$B" "$BATS_TEST_TMPDIR/default"
	fetch "/api/v2/tickets?order_by=subject"
	assert_equal "$CODE" 400
	assert_equal "$(jq -r '.errors[0].field' "$B")" order_by
}

@test "spam and deleted tickets only with filter=spam / filter=deleted" {
	local truth
	truth=$(sim_truth tickets)
	run fetch_all "/api/v2/tickets?filter=spam&per_page=100"
	assert_equal "$(jq -c '[.[].id] | sort' <<<"$output")" "$(jq -c '[.[] | select(.spam) | .id]' <<<"$truth")"
	assert_equal "$(jq 'length' <<<"$output")" 16
	run fetch_all "/api/v2/tickets?filter=deleted&per_page=100&updated_since=$OLD"
	assert_equal "$(jq -c '[.[].id] | sort' <<<"$output")" "$(jq -c '[.[] | select(.deleted) | .id]' <<<"$truth")"
	assert_equal "$(jq 'all(.[]; .deleted == true)' <<<"$output")" true
	run fetch_all "/api/v2/tickets?updated_since=$OLD&per_page=100"
	assert_equal "$(jq 'length' <<<"$output")" 768
	assert_equal "$(jq 'any(.[]; .spam or .deleted == true)' <<<"$output")" false
}

@test "list items: description only with include=description, never attachments; single view has both" {
	fetch "/api/v2/tickets?updated_since=$OLD&per_page=20"
	assert_equal "$(jq 'any(.[]; has("description") or has("description_text") or has("attachments") or has("requester") or has("stats"))' "$B")" false
	fetch "/api/v2/tickets?updated_since=$OLD&per_page=20&include=description"
	assert_equal "$(jq 'all(.[]; has("description") and has("description_text")) and (any(.[]; has("attachments")) | not)' "$B")" true
	fetch "/api/v2/tickets?updated_since=$OLD&per_page=20&include=requester,stats,company"
	assert_equal "$(jq 'all(.[]; (.requester | has("email")) and (.stats | has("resolved_at")) and has("company") and (has("description") | not))' "$B")" true
	fetch "/api/v2/tickets?include=conversations"
	assert_equal "$CODE" 400
	# single view
	local id
	id=$(sim_truth conversations group=parent | jq -r 'to_entries | map(select(.value | length > 10))[0].key')
	fetch "/api/v2/tickets/$id"
	assert_equal "$(jq 'if (.attachments | type) == "array" and (.description | type) == "string" then .id else false end' "$B")" "$id"
	fetch "/api/v2/tickets/$id?include=conversations,requester"
	assert_equal "$(jq '.conversations | length' "$B")" 10
	assert_equal "$(jq -c '[.conversations[].id]' "$B")" "$(sim_truth conversations "parent=$id" | jq -c '[.[:10][].id]')"
	assert_equal "$(jq -r '.requester.id == .requester_id' "$B")" true
	# some tickets do have attachments
	run jq -e 'any(.[]; (.attachments | length) > 0)' <<<"$(sim_truth tickets include=attachments)"
	assert_success
}

@test "ids are above 2^32 everywhere but on tickets (display ids)" {
	local n
	for n in contacts companies agents groups roles conversations time_entries satisfaction_ratings solution_articles; do
		run jq -e 'length > 0 and all(.[]; .id > 4294967296)' <<<"$(sim_truth "$n")"
		assert_success
	done
	# the references to them too, in the tickets list
	fetch "/api/v2/tickets?per_page=100"
	run jq -e 'length > 0 and all(.[]; .requester_id > 4294967296 and .id <= 800)' "$B"
	assert_success
}

@test "a burst of tickets shares exactly one updated_at second" {
	local ts
	ts=$(sim_truth tickets | jq -r 'group_by(.updated_at) | max_by(length) | "\(length) \(.[0].updated_at)"')
	assert_equal "${ts%% *}" 150
	ts=${ts#* }
	fetch "/api/v2/tickets?updated_since=$ts&order_by=updated_at&order_type=asc&per_page=100"
	assert_equal "$(jq --arg t "$ts" '[.[] | select(.updated_at == $t)] | length' "$B")" 100
	[[ -n "$(next_link)" ]]
	fetch "/api/v2/tickets?updated_since=$ts&order_by=updated_at&order_type=asc&per_page=100&page=2"
	assert_equal "$(jq --arg t "$ts" '[.[] | select(.updated_at == $t)] | length' "$B")" 50
}

@test "ticket data has the awkward shapes of real data" {
	local t="$BATS_TEST_TMPDIR/t"
	sim_truth tickets include=description >"$t"
	# custom_fields: string, number, boolean, null and a date string
	run jq -c '[.[].custom_fields[] | type] | unique' "$t"
	assert_output '["boolean","null","number","string"]'
	run jq -e 'any(.[]; .custom_fields.cf_due_date | type == "string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$"))' "$t"
	assert_success
	# one key changes type between records
	run jq -c '[.[].custom_fields.cf_priority_score | type] | unique' "$t"
	assert_output '["number","string"]'
	# names with capitals, spaces and dashes
	run jq -e '.[0].custom_fields | has("cf_Order Number") and has("cf_ship-to")' "$t"
	assert_success
	# cc_emails: null, [] and filled lists
	run jq -c '[.[].cc_emails | if . == null then "null" elif . == [] then "empty" else "list" end] | unique' "$t"
	assert_output '["empty","list","null"]'
	run jq -e 'any(.[]; (.tags | length) > 1) and any(.[]; .tags == [])' "$t"
	assert_success
	# unicode and emoji subjects
	run jq -e 'any(.[]; .subject | contains("🙏")) and any(.[]; .subject | contains("注文"))' "$t"
	assert_success
	# descriptions: long, quotes, backslashes, newlines, tabs, control chars
	run jq -e 'any(.[]; (.description_text | length) > 20000)' "$t"
	assert_success
	grep -qF '\u0001' "$t"
	grep -qF '\u001b[31m' "$t"
	grep -qF '\t' "$t"
	grep -qF '\\' "$t"
	grep -qF '\"' "$t"
	grep -qF '\r\n' "$t"
	# timestamps spread over years: before 2022 and in the last 30 days
	run jq -e 'any(.[]; .created_at < "2022-01-01") and any(.[]; .created_at > "2026-10-05") and all(.[]; .updated_at | test("^[0-9-]{10}T[0-9:]{8}Z$"))' "$t"
	assert_success
}

@test "contacts: _updated_since works, updated_since is invalid_field, deleted/blocked only by state" {
	local truth since
	truth=$(sim_truth contacts)
	since=$(jq -r '[.[].updated_at] | sort | .[length/2|floor]' <<<"$truth")
	run fetch_all "/api/v2/contacts?_updated_since=$since&per_page=100"
	assert_equal "$(jq -c '[.[].id] | sort' <<<"$output")" "$(jq -c --arg s "$since" '[.[] | select(.updated_at >= $s and .fd_state == "active") | .id]' <<<"$truth")"
	fetch "/api/v2/contacts?updated_since=$since"
	assert_equal "$CODE" 400
	assert_equal "$(cat "$B")" '{"description":"Validation failed","errors":[{"field":"updated_since","message":"Unexpected/invalid field in request","code":"invalid_field"}]}'
	fetch "/api/v2/contacts?state=deleted&per_page=100"
	assert_equal "$(jq -c '[.[].id] | sort' "$B")" "$(jq -c '[.[] | select(.deleted) | .id]' <<<"$truth")"
	(($(jq length "$B") > 3))
	# blocked or deleted (app/models/user.rb contact_filter)
	fetch "/api/v2/contacts?state=blocked&per_page=100"
	assert_equal "$(jq -c '[.[].id] | sort' "$B")" "$(jq -c '[.[] | select(.fd_state != "active") | .id]' <<<"$truth")"
	(($(jq length "$B") > 3))
	fetch "/api/v2/contacts?state=unverified&per_page=100"
	assert_equal "$(jq 'all(.[]; .active == false)' "$B")" true
	fetch "/api/v2/contacts?state=gone"
	assert_equal "$CODE" 400
	# custom field keys carry no cf_ prefix; other_companies lists exist
	run jq -e 'all(.[]; .custom_fields | keys | all(startswith("cf_") | not)) and any(.[]; (.other_companies | length) > 0)' <<<"$truth"
	assert_success
	local email
	email=$(jq -r '[.[] | select(.fd_state == "active")][3].email' <<<"$truth")
	fetch "/api/v2/contacts?email=$email"
	assert_equal "$(jq -r '.[0].email' "$B")" "$email"
}

@test "companies: no updated_since filter; offsets in timestamps; domains lists" {
	fetch "/api/v2/companies?updated_since=$OLD"
	assert_equal "$CODE" 400
	assert_equal "$(jq -c '.errors' "$B")" '[{"field":"updated_since","message":"Unexpected/invalid field in request","code":"invalid_field"}]'
	run jq -e 'any(.[]; .created_at | endswith("+05:30")) and any(.[]; .updated_at | endswith("Z")) and all(.[]; .domains | type == "array") and any(.[]; (.domains | length) > 1)' <<<"$(sim_truth companies)"
	assert_success
	fetch "/api/v2/companies?letter=S&per_page=100"
	assert_equal "$(jq 'all(.[]; .name | startswith("S"))' "$B")" true
}

@test "agents carry a nested contact; small endpoints answer arrays; settings is an object" {
	fetch "/api/v2/agents?per_page=100"
	assert_equal "$(jq 'length == 25 and all(.[]; (.contact | type) == "object" and (.contact.email | type) == "string")' "$B")" true
	local p
	for p in groups roles surveys products business_hours sla_policies ticket_fields \
		contact_fields company_fields solutions/categories canned_response_folders \
		email_configs email/mailboxes skills scenario_automations discussions/categories \
		time_entries surveys/satisfaction_ratings; do
		fetch "/api/v2/$p"
		assert_equal "$p $CODE $(jq -r 'type' "$B")" "$p 200 array"
		(($(jq length "$B") > 0))
	done
	fetch /api/v2/business_hours
	assert_equal "$(jq -r '.[0].business_hours.monday.start_time' "$B")" "8:00 am"
	fetch /api/v2/settings/helpdesk
	assert_equal "$CODE" 200
	assert_equal "$(jq -r 'type + " " + .primary_language' "$B")" "object en"
	fetch "/api/v2/surveys/satisfaction_ratings?per_page=5"
	assert_equal "$(jq -r '.[0].ratings | type' "$B")" object
}

@test "child chains: solutions, canned responses, discussions, per-ticket children" {
	local cat folder
	fetch /api/v2/solutions/categories
	cat=$(jq '.[0].id' "$B")
	fetch "/api/v2/solutions/categories/$cat/folders"
	folder=$(jq '.[0].id' "$B")
	run fetch_all "/api/v2/solutions/folders/$folder/articles"
	assert_equal "$(jq 'length' <<<"$output")" 45
	fetch "/api/v2/solutions/folders/$folder/articles"
	[[ -n "$(next_link)" ]]
	fetch "/api/v2/canned_response_folders/$(sim_truth canned_response_folders | jq '.[1].id')/responses"
	assert_equal "$(jq 'length > 0 and all(.[]; has("content_html"))' "$B")" true
	local dc forum topic
	dc=$(sim_truth discussion_categories | jq '.[0].id')
	fetch "/api/v2/discussions/categories/$dc/forums"
	forum=$(jq '.[0].id' "$B")
	fetch "/api/v2/discussions/forums/$forum/topics"
	assert_equal "$CODE" 200
	topic=$(sim_truth discussion_comments group=parent | jq -r 'to_entries | map(select(.value | length > 0))[0].key')
	fetch "/api/v2/discussions/topics/$topic/comments"
	assert_equal "$(jq -c '[.[].id]' "$B")" "$(sim_truth discussion_comments "parent=$topic" | jq -c '[.[].id]')"
	local tid
	tid=$(sim_truth conversations | jq '.[5].ticket_id')
	fetch "/api/v2/tickets/$tid/conversations"
	assert_equal "$(jq -c '[.[].id]' "$B")" "$(sim_truth conversations "parent=$tid" | jq -c '[.[].id]')"
	assert_equal "$(jq 'all(.[]; .id > 4294967296 and (.attachments == []) and has("to_emails"))' "$B")" true
	tid=$(sim_truth time_entries | jq '.[0].ticket_id')
	fetch "/api/v2/tickets/$tid/time_entries"
	assert_equal "$(jq 'length > 0' "$B")" true
	fetch "/api/v2/tickets/$tid/satisfaction_ratings"
	assert_equal "$CODE" 200
}

@test "404 has an empty body for unknown routes and ids" {
	local p
	for p in /api/v2/nope /api/v2/tickets/801 /api/v2/contacts/42 /api/v2/tickets/801/conversations \
		/api/v2/solutions/folders/1/articles /api/v2/ /nothing; do
		fetch "$p"
		assert_equal "$p $CODE" "$p 404"
		assert_equal "$(wc -c <"$B")" 0
		assert_equal "$(header Content-Length)" 0
	done
}

@test "403 require_feature for a disabled endpoint" {
	sim_ctl POST config '{"no_feature":["time_entries","satisfaction_ratings"]}' >/dev/null
	fetch /api/v2/time_entries
	assert_equal "$CODE" 403
	assert_equal "$(cat "$B")" '{"code":"require_feature","message":"The Timesheets feature is not supported in your plan. Please upgrade your account to use it."}'
	fetch /api/v2/surveys/satisfaction_ratings
	assert_equal "$CODE" 403
	fetch /api/v2/tickets/1/time_entries
	assert_equal "$CODE" 403
	fetch "/api/v2/tickets?per_page=1"
	assert_equal "$CODE" 200
}

@test "non-GET methods are 405 with Allow; a non-JSON Accept is 406" {
	fetch /api/v2/tickets -X POST -H 'Content-Type: application/json' -d '{}'
	assert_equal "$CODE" 405
	assert_equal "$(header Allow)" GET
	fetch /api/v2/tickets -H 'Accept: text/html'
	assert_equal "$CODE" 406
}
