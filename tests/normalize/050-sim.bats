#!/usr/bin/env bats
# fd-normalize on the simulator's data, end to end: fd-fetch tickets
# contacts | fd-normalize.  Real Freshdesk shapes: nested custom_fields
# with keys to rename, lists of scalars (tags, emails, company ids),
# null-heavy records, a field whose type changes (cf_priority_score
# "n/a" or a number), spam/deleted/blocked passes, STATE per page.
# One simulator and one fetch for the whole file.

setup_file() {
	load normalize
	sim_fetch_file tickets contacts
	fd-normalize "$D/raw" >"$D/norm" 2>"$D/norm.err"
	echo $? >"$D/norm.rc"
}

teardown_file() {
	sim_stop
}

setup() {
	load ../common
	load ../fixtures/normalize/helpers
	D="$BATS_FILE_TMPDIR"
	[ "$(cat "$D/fetch.rc")" = 0 ]
}

@test "sim: fd-fetch | fd-normalize succeeds, stdout only messages, stderr empty" {
	[ "$(cat "$D/norm.rc")" = 0 ]
	[ ! -s "$D/norm.err" ]
	# enough data to mean something
	[ "$(jq -c 'select(.type == "RECORD" and .stream == "tickets")' "$D/raw" | wc -l)" -ge 300 ]
	[ "$(jq -c 'select(.type == "RECORD" and .stream == "contacts")' "$D/raw" | wc -l)" -ge 50 ]
	[ "$(jq -r .type "$D/norm" | sort -u | tr '\n' ' ')" = "RECORD SCHEMA STATE " ]
	[ "$(jq -c 'select(.type == "SCHEMA" and .["x-fd"].table_kind == "root") | [.stream, .key_properties, .["x-fd"].disposition]' "$D/norm" | sort -u | tr -d '\n')" = '["contacts",["id"],"merge"]["tickets",["id"],"merge"]' ]
	# the tables of Freshdesk lists (note section 9), named as dlt does
	for t in tickets__tags tickets__to_emails tickets__cc_emails contacts__tags contacts__other_companies; do
		grep -q "^{\"type\":\"RECORD\",\"stream\":\"$t\"," "$D/norm"
	done
}

@test "sim: one root row per record, in order; STATEs verbatim, after exactly the rows of the records before them" {
	count='[foreach .[] as $m (0; if $m.type == "RECORD" and ($m.stream | contains("__") | not) then . + 1 else . end; if $m.type == "STATE" then [., $m] else empty end)]'
	[ "$(jq -sc "$count" "$D/raw")" = "$(jq -sc "$count" "$D/norm")" ]
	[ "$(jq -sc "$count | length" "$D/raw")" -ge 3 ]
	[ "$(grep '"type":"STATE"' "$D/raw")" = "$(grep '"type":"STATE"' "$D/norm")" ]
	[ "$(jq -r 'select(.type == "RECORD") | "\(.stream) \(.record.id)"' "$D/raw")" = "$(jq -r 'select(.type == "RECORD" and (.stream | contains("__") | not)) | "\(.stream) \(.record.id)"' "$D/norm")" ]
}

@test "sim: every row matches its table's SCHEMA (declared columns, JSON types, UTC timestamps)" {
	output=$(cat "$D/norm")
	run -0 check_types
	assert_output ''
	output=$(cat "$D/norm")
	[ "$(types tickets | tr ' ' '\n' | grep -E '^(id|created_at|updated_at|due_by|spam|custom_fields__cf_refund|custom_fields__cf_amount|custom_fields__cf_due_date|custom_fields__cf_priority_score|custom_fields__cf_priority_score__v_bigint|custom_fields__cf_order_number):' | sort | tr '\n' ' ')" = "created_at:timestamp custom_fields__cf_amount:double custom_fields__cf_due_date:text custom_fields__cf_order_number:text custom_fields__cf_priority_score:text custom_fields__cf_priority_score__v_bigint:bigint custom_fields__cf_refund:bool due_by:timestamp id:bigint spam:bool updated_at:timestamp " ]
	[ "$(types contacts__other_companies)" = "value:bigint _fd_root_id:text _fd_parent_id:text _fd_list_idx:bigint _fd_id:text" ]
}

@test "sim: links: every child's parent and root ids are rows of its parent and root tables; ids unique" {
	output=$(cat "$D/norm")
	run -0 check_links _fd_
	assert_output ''
	# one root id per (stream, id), and child ids never repeat
	[ "$(jq -r 'select(.type == "RECORD" and (.stream | contains("__") | not)) | "\(.stream) \(.record.id) \(.record._fd_id)"' "$D/norm" | sort -u | awk '{print $1, $2}' | uniq -d)" = "" ]
	[ "$(jq -r 'select(.type == "RECORD" and (.stream | contains("__") | not)) | .record._fd_id' "$D/norm" | sort -u | wc -l)" = "$(jq -r 'select(.type == "RECORD" and (.stream | contains("__") | not)) | "\(.stream) \(.record.id)"' "$D/norm" | sort -u | wc -l)" ]
	[ "$(jq -r 'select(.type == "RECORD" and (.stream | contains("__"))) | .record._fd_id' "$D/norm" | sort | uniq -d)" = "" ]
}

@test "sim: round trip: each ticket rebuilt from its root row and child rows (tags, emails) is the original, nulls dropped, date-times UTC" {
	run -0 jq -n -r --arg stream tickets --slurpfile raw "$D/raw" --slurpfile norm "$D/norm" -f "$NFX/roundtrip.jq"
	assert_output ''
	# the round trip compares something: tags came back non-empty
	run -0 jq -s '[.[] | select(.type == "RECORD" and .stream == "tickets__tags")] | length' "$D/norm"
	[ "$output" -gt 50 ]
}

@test "sim: round trip: each contact rebuilt from its root row, tags and other_companies rows is the original" {
	run -0 jq -n -r --arg stream contacts --slurpfile raw "$D/raw" --slurpfile norm "$D/norm" -f "$NFX/roundtrip.jq"
	assert_output ''
}

@test "sim: the round-trip check itself fails when a tag row or a value is lost" {
	grep -v '"stream":"tickets__tags",.*"_fd_list_idx":1,' "$D/norm" >"$BATS_TEST_TMPDIR/lossy"
	run -0 jq -n -r --arg stream tickets --slurpfile raw "$D/raw" --slurpfile norm "$BATS_TEST_TMPDIR/lossy" -f "$NFX/roundtrip.jq"
	[ -n "$output" ]
	sed 's/"custom_fields__cf_region":"APAC"/"custom_fields__cf_region":"APAC2"/' "$D/norm" >"$BATS_TEST_TMPDIR/lossy"
	run -0 jq -n -r --arg stream tickets --slurpfile raw "$D/raw" --slurpfile norm "$BATS_TEST_TMPDIR/lossy" -f "$NFX/roundtrip.jq"
	[ -n "$output" ]
}

@test "sim: a second run over the same input gives byte-identical output" {
	run -0 --separate-stderr fd-normalize <"$D/raw"
	[ "$output" = "$(cat "$D/norm")" ]
}
