#!/usr/bin/env bats
# fdsim's lists as the real API orders them (FRESHDESK.md Part 3 points
# 2-4): by name, ties in a new order on each request, the contact states
# that overlap, and the churn that tests move them with.

load ../common
load ../sim/sim

teardown() {
	sim_stop
}

# api PATH: the body of GET PATH
api() {
	sim_api "$1" -sf
}

# collation: the names on stdin (one a line) as a case- and
# accent-insensitive sort key, tab, the name
collation() {
	python3 -c '
import sys, unicodedata
for l in sys.stdin.read().splitlines():
    k = "".join(c for c in unicodedata.normalize("NFKD", l) if not unicodedata.combining(c)).lower().rstrip()
    print(k + "\t" + l)'
}

@test "contacts, companies, agents and groups come in name order (users.name, :name)" {
	sim_start --contacts 250 --companies 150
	local e sel p
	for e in contacts companies agents groups; do
		sel=.name
		[ "$e" = agents ] && sel=.contact.name
		: >"$BATS_TEST_TMPDIR/$e"
		for p in 1 2 3; do
			api "/api/v2/$e?per_page=100&page=$p" | jq -r ".[] | $sel" >>"$BATS_TEST_TMPDIR/$e"
		done
		collation <"$BATS_TEST_TMPDIR/$e" | cut -f1 >"$BATS_TEST_TMPDIR/keys"
		LC_ALL=C sort -c "$BATS_TEST_TMPDIR/keys" 2>/dev/null ||
		    python3 -c 'import sys; k = open(sys.argv[1]).read().splitlines(); sys.exit(k != sorted(k))' "$BATS_TEST_TMPDIR/keys"
		[ "$(wc -l <"$BATS_TEST_TMPDIR/$e")" -gt 5 ]
	done
	# the whole set, once each
	[ "$(wc -l <"$BATS_TEST_TMPDIR/companies")" -eq 150 ]
}

@test "records that tie on the order come in a new order on each request; --stable-ties keeps them by id" {
	# 1500 contacts of about 750 names: the first page ends in a tie
	sim_start --contacts 1500
	local a b i same=0 differ=0
	a=$(api "/api/v2/contacts?per_page=100" | jq -c '[.[] | [.name, .id]]')
	for i in 1 2 3 4 5 6; do
		b=$(api "/api/v2/contacts?per_page=100" | jq -c '[.[] | [.name, .id]]')
		# the names in the same places, always
		[ "$(jq -c 'map(.[0])' <<<"$a")" = "$(jq -c 'map(.[0])' <<<"$b")" ]
		if [ "$a" = "$b" ]; then same=$((same + 1)); else differ=$((differ + 1)); fi
	done
	[ "$differ" -gt 0 ]
	sim_stop
	sim_start --contacts 1500 --stable-ties
	a=$(api "/api/v2/contacts?per_page=100" | jq -c '[.[] | .id]')
	for i in 1 2 3; do
		[ "$(api "/api/v2/contacts?per_page=100" | jq -c '[.[] | .id]')" = "$a" ]
	done
	# ties by id
	api "/api/v2/contacts?per_page=100" | jq -e '[.[] | [.name, .id]] | . as $v | all(range(1; length); $v[. - 1][0] != $v[.][0] or $v[. - 1][1] < $v[.][1])'
}

@test "tickets that share an updated_at second come in a new order on each request" {
	sim_start --tickets 600 --burst 300
	local q="/api/v2/tickets?updated_since=2025-09-27T00:00:00Z&order_by=updated_at&order_type=asc&per_page=100&page=2"
	local a b differ=0 i
	a=$(api "$q" | jq -c '[.[].id]')
	for i in 1 2 3 4; do
		b=$(api "$q" | jq -c '[.[].id]')
		[ "$a" = "$b" ] || differ=$((differ + 1))
	done
	[ "$differ" -gt 0 ]
	# always the second's tickets, in whatever order
	api "$q" | jq -e 'all(.[]; .updated_at == "2025-09-27T00:00:00Z")'
}

@test "contacts: no blocked key; state=blocked is blocked or deleted; the default list neither (user.rb contact_filter)" {
	sim_start --contacts 400 --stable-ties
	local truth
	truth=$(sim_truth contacts)
	[ "$(jq '[.[] | select(.fd_state == "blocked")] | length' <<<"$truth")" -gt 3 ]
	output=$(api '/api/v2/contacts?per_page=100&page=1'; api '/api/v2/contacts?state=blocked&per_page=100')
	[ -z "$(jq -c '.[] | select(has("blocked") or has("blocked_at") or has("fd_state"))' <<<"$output")" ]
	assert_equal "$(api '/api/v2/contacts?state=blocked&per_page=100' | jq -c '[.[].id] | sort')" \
	    "$(jq -c '[.[] | select(.fd_state != "active") | .id]' <<<"$truth")"
	# and the deleted ones there say so
	api '/api/v2/contacts?state=blocked&per_page=100' | jq -e 'any(.[]; .deleted == true) and any(.[]; has("deleted") | not)'
	local all=""
	for p in 1 2 3 4 5; do
		all+=$(api "/api/v2/contacts?per_page=100&page=$p" | jq -r '.[].id')$'\n'
	done
	assert_equal "$(sort -n <<<"$all" | sed '/^$/d' | jq -s -c .)" \
	    "$(jq -c '[.[] | select(.fd_state == "active") | .id]' <<<"$truth")"
}

@test "churn: every K list requests a change in front of the reader, of the kinds in turn, a second apart" {
	sim_start --contacts 300 --companies 100 --churn-every 2 --churn block,delete,rename,touch,create --stable-ties
	local first i t0
	t0=$(sim_api /_sim/now -s | jq .epoch)
	first=$(api '/api/v2/contacts?per_page=5' | jq '.[0].id')
	api '/api/v2/contacts?per_page=5' >/dev/null	# 2nd: the first live is blocked
	sim_stats >"$BATS_TEST_TMPDIR/s"
	[ "$(jq -c '.churned' "$BATS_TEST_TMPDIR/s")" = "[{\"kind\":\"block\",\"id\":$first}]" ]
	[ "$(sim_truth contacts | jq -r --argjson i "$first" '.[] | select(.id == $i) | .fd_state')" = blocked ]
	# gone from the default list, in state=blocked
	[ "$(api '/api/v2/contacts?per_page=5' | jq '.[0].id')" != "$first" ]
	api '/api/v2/contacts?state=blocked&per_page=100' | jq -e --argjson i "$first" 'any(.[]; .id == $i)'
	for i in 1 2 3 4 5 6 7; do
		api '/api/v2/contacts?per_page=5' >/dev/null
	done
	sim_stats >"$BATS_TEST_TMPDIR/s"
	[ "$(jq -c '[.churned[].kind]' "$BATS_TEST_TMPDIR/s")" = '["block","delete","rename","touch","create"]' ]
	# the renamed and the created sort first; each change is a second on
	mapfile -t lines < <(api '/api/v2/contacts?per_page=2' | jq -r '.[] | "\(.id) \(.name)"')
	[[ "${lines[0]}" == "$(jq '.churned[2].id' "$BATS_TEST_TMPDIR/s") Aaa churn 3 "* ]]
	[ "${lines[1]}" = "$(jq '.churned[4].id' "$BATS_TEST_TMPDIR/s") Aaa new 5" ]
	[ "$(sim_api /_sim/now -s | jq .epoch)" -ge $((t0 + 5)) ]
	# companies: deleted for good
	sim_ctl POST config "{\"churn_every\":1,\"churn_max\":$(($(sim_stats | jq .churns) + 1))}" >/dev/null
	first=$(api '/api/v2/companies?per_page=5' | jq '.[0].id')
	[ "$(sim_truth companies | jq --argjson i "$first" 'any(.[]; .id == $i)')" = false ]
	[ "$(sim_truth companies | jq length)" -eq 99 ]
}

@test "churn: --churn-count changes that many records at once, --churn-max stops it" {
	sim_start --contacts 300 --churn-every 1 --churn-count 7 --churn-max 2 --churn delete
	local i d0
	d0=$(sim_truth contacts | jq '[.[] | select(.deleted)] | length')
	for i in 1 2 3 4; do
		api '/api/v2/contacts?per_page=5' >/dev/null
	done
	sim_stats >"$BATS_TEST_TMPDIR/s"
	[ "$(jq .churns "$BATS_TEST_TMPDIR/s")" -eq 2 ]
	[ "$(jq '.churned | length' "$BATS_TEST_TMPDIR/s")" -eq 14 ]
	[ "$(sim_truth contacts | jq '[.[] | select(.deleted)] | length')" -eq $((d0 + 14)) ]
}
