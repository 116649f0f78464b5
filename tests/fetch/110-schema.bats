#!/usr/bin/env bats
# fd-fetch's SCHEMAs (every member of every record declared with its
# types, widened before a record that brings more, never narrowed, one
# per stream across workers) and the Singer conventions: --discover,
# --catalog/--properties, --state as fd-load --emit-state prints it.

SINCE=2022-01-01T00:00:00Z

setup_file() {
	load ../common
	load ../sim/sim
	export FD_FETCH_RETRY_MS=20
	sim_start --tickets 400 --contacts 300 --archived 40 --burst 0 \
	    --window 2 --rate-total 1000000 --tickets-list-limit 100000 \
	    --contacts-list-limit 100000
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

# members NAME: the top-level members of the simulator's NAME records,
# sorted, one a line
members() {
	sim_truth "$1" | jq -r 'if type == "array" then .[] else . end | keys[]' | sort -u
}

# first_props STREAM NAME: the properties of STREAM's first SCHEMA in
# run NAME, sorted
first_props() {
	jq -r -s --arg s "$1" 'map(select(.type == "SCHEMA" and .stream == $s)) | first | .schema.properties | keys[]' "$T/$2.out" | sort
}

@test "schema: every member of every record is declared with a type that admits it; SCHEMAs never narrow" {
	fetch all --per-page 20 --since "$SINCE" tickets contacts conversations settings
	[ ! -s "$T/all.err" ]
	run -0 schema_check "$T/all.out"
	for s in tickets contacts conversations settings; do
		[[ " ${lines[*]} " == *" $s "* ]]
	done
	# the first SCHEMA already declares every member the API writes
	# (the simulator's records, as the real views write them), before
	# any record: a target makes its columns from it
	for s in tickets contacts conversations settings; do
		comm -23 <(members "$s" | grep -v '^fd_state$') <(first_props "$s" all) >"$T/missing"
		[ ! -s "$T/missing" ] || { cat "$T/missing"; false; }
	done
	# types, not just names: the times are date-times, the key an integer
	jq -e -s 'map(select(.type == "SCHEMA" and .stream == "tickets")) | first | .schema.properties
	    | .id.type == ["integer"] and .updated_at.format == "date-time"
	    and (.cc_emails.items.type | index("string")) and (.custom_fields.type | index("object"))' "$T/all.out" >/dev/null
	# settings, one object: declared too, no key
	jq -e -s 'map(select(.type == "SCHEMA" and .stream == "settings")) | first
	    | .key_properties == [] and (.schema.properties.primary_language.type | index("string"))' "$T/all.out" >/dev/null
}

# later_members NAME STREAM MEMBER: succeeds when run NAME declares a
# member of STREAM's object MEMBER, or a type of one, in a SCHEMA after
# its first page (STATE), and every one before the first record that
# holds it
later_members() {
	python3 - "$T/$1.out" "$2" "$3" <<'PY'
import json, sys
out, stream, member = sys.argv[1:]
declared, page = {}, 0
kind = {type(None): "null", bool: "boolean", int: "integer", float: "number",
        str: "string", list: "array", dict: "object"}
for line in open(out):
    m = json.loads(line)
    if m["type"] == "STATE":
        page += 1
    elif m["type"] == "SCHEMA" and m["stream"] == stream:
        for k, s in m["schema"]["properties"][member].get("properties", {}).items():
            for t in s["type"]:
                declared.setdefault((k, t), page)
    elif m["type"] == "RECORD" and m["stream"] == stream:
        for k, v in (m["record"].get(member) or {}).items():
            t = kind[type(v)]
            if (k, t) not in declared and not (t == "integer" and (k, "number") in declared):
                sys.exit("%s.%s %s: not declared before its record" % (member, k, t))
if not any(p > 0 for p in declared.values()):
    sys.exit("%s: nothing met after the first page" % member)
PY
}

@test "schema: a member of an object met only on a later page (a custom field, a new type of one) gets a wider SCHEMA before its record" {
	fetch cf --per-page 2 --since "$SINCE" tickets
	run -0 schema_check "$T/cf.out"
	# the first SCHEMA knows no custom field (they are the account's);
	# each is declared, with its value's type, before its first record,
	# and a type first met after page 1 widened it there
	jq -e -s 'map(select(.type == "SCHEMA" and .stream == "tickets")) | first | .schema.properties.custom_fields.properties == {}' "$T/cf.out" >/dev/null
	run -0 later_members cf tickets custom_fields
	# a member new to an object on page 2: the simulator's first SLA
	# policy applies to nothing ("applicable_to": {}), the next to
	# companies ("company_ids")
	fetch sla --per-page 1 sla_policies
	run -0 schema_check "$T/sla.out"
	run -0 later_members sla sla_policies applicable_to
	jq -e -s '[.[] | select(.type == "SCHEMA")] | (first | .schema.properties.applicable_to.properties | has("company_ids") | not)
	    and (last | .schema.properties.applicable_to.properties.company_ids.type | index("array"))' "$T/sla.out" >/dev/null
}

@test "schema: -j 2 with tickets and archived_tickets never narrows the one tickets SCHEMA" {
	fetch j2 -j 2 --per-page 25 --since "$SINCE" tickets archived_tickets
	[ ! -s "$T/j2.err" ]
	run -0 schema_check "$T/j2.out"
	# archived records went out, and under a SCHEMA with "archived"
	[ "$(jq -s '[.[] | select(.type == "RECORD" and .record.archived == true)] | length' "$T/j2.out")" -gt 0 ]
	jq -e -s 'map(select(.type == "SCHEMA" and .stream == "tickets")) | all(.schema.properties.archived.type | index("boolean"))' "$T/j2.out" >/dev/null
	# the same with the jobs in the other order
	fetch j2b -j 2 --per-page 25 --since "$SINCE" archived_tickets tickets
	run -0 schema_check "$T/j2b.out"
}

@test "discover: a Singer catalog of every endpoint, without a request, a key or a domain" {
	sim_ctl POST reset-stats >/dev/null
	run --separate-stderr env -u FRESHDESK_API_KEY -u FRESHDESK_DOMAIN fd-fetch --discover
	assert_success
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$T/catalog.json"
	[ "$(sim_stats | jq '[.by_path[] | .[]] | add // 0')" -eq 0 ]
	# every endpoint of "all" (the man page's list), once
	mandoc -Tascii "$FD_TOP/man/fd-fetch.1" | col -bx | tr -s ' \n' '  ' |
	    sed 's/.*names every endpoint fd-fetch knows: //; s/ settings\. .*/ settings/' |
	    tr ' ' '\n' | sort >"$T/all.names"
	jq -r '.streams[].tap_stream_id' "$T/catalog.json" | sort >"$T/cat.names"
	diff "$T/all.names" "$T/cat.names"
	# each entry is complete
	jq -e '.streams | all(
	    (.stream | type == "string") and .schema.type == "object"
	    and (.schema.properties | length > 0) and (.key_properties | type == "array")
	    and (.metadata | map(select(.breadcrumb == [])) | length == 1)
	    and (.metadata[] | select(.breadcrumb == []) | .metadata
	        | .inclusion == "available" and (.selected | type == "boolean")
	        and (.["forced-replication-method"] | IN("INCREMENTAL", "FULL_TABLE"))
	        and (.["table-key-properties"] | type == "array")))' "$T/catalog.json" >/dev/null
	# selected: the six of a run without operands
	[ "$(jq -r '.streams[] | select(.metadata[] | .breadcrumb == [] and .metadata.selected) | .tap_stream_id' "$T/catalog.json" | sort | tr '\n' ' ')" = \
	    "agents companies contacts groups roles tickets " ]
	jq -e '.streams[] | select(.tap_stream_id == "tickets") | .metadata[0].metadata["valid-replication-keys"] == ["updated_at"]
	    and .stream == "tickets"' "$T/catalog.json" >/dev/null
	jq -e '.streams[] | select(.tap_stream_id == "archived_tickets") | .stream == "tickets"' "$T/catalog.json" >/dev/null
	# the schema is the one a run declares first
	fetch g groups
	[ "$(jq -c -s 'map(select(.type == "SCHEMA")) | first | .schema' "$T/g.out")" = \
	    "$(jq -c '.streams[] | select(.tap_stream_id == "groups") | .schema' "$T/catalog.json")" ]
	# no operand with it
	run -2 fd-fetch --discover tickets
}

# a catalog with only NAMES... selected (stream-level metadata)
select_catalog() {
	fd-fetch --discover | jq --arg sel "$*" '($sel | split(" ")) as $s
	    | .streams |= map(. as $e | .metadata |= map(if .breadcrumb == [] then .metadata.selected = ($s | index($e.tap_stream_id) != null) else . end))'
}

@test "catalog: --catalog and --properties run only the selected streams" {
	select_catalog groups roles >"$T/sel.json"
	sim_ctl POST reset-stats >/dev/null
	fetch c1 --catalog "$T/sel.json"
	[ ! -s "$T/c1.err" ]
	# requests went to those two lists only
	[ "$(sim_stats | jq -r '.by_path | keys[]' | sort | tr '\n' ' ')" = "/api/v2/groups /api/v2/roles " ]
	[ "$(jq -r 'select(.type == "RECORD") | .stream' "$T/c1.out" | sort -u | tr '\n' ' ')" = "groups roles " ]
	[ "$(jq -s '[.[] | select(.type == "RECORD" and .stream == "groups")] | length' "$T/c1.out")" -eq "$(sim_truth groups | jq length)" ]
	# --properties, the older name, and the older "selected" in the schema
	fd-fetch --discover | jq '.streams |= map(del(.metadata) | .schema.selected = (.tap_stream_id == "roles"))' >"$T/old.json"
	sim_ctl POST reset-stats >/dev/null
	fetch c2 --properties "$T/old.json"
	[ "$(sim_stats | jq -r '.by_path | keys[]' | tr '\n' ' ')" = "/api/v2/roles " ]
	# nothing selected: nothing read
	select_catalog >"$T/none.json"
	sim_ctl POST reset-stats >/dev/null
	fetch c3 --catalog "$T/none.json"
	[ "$(sim_stats | jq '[.by_path[] | .[]] | add // 0')" -eq 0 ]
	[ "$(jq -s '[.[] | select(.type == "RECORD")] | length' "$T/c3.out")" -eq 0 ]
}

@test "catalog: a bad catalog is a usage error naming the file, before any request" {
	sim_ctl POST reset-stats >/dev/null
	printf '{"streams":[' >"$T/cut.json"
	run -2 --separate-stderr fd-fetch --catalog "$T/cut.json"
	[ "${#stderr_lines[@]}" -eq 1 ] && [[ "$stderr" == "fd-fetch: $T/cut.json: "* ]]
	printf '[]\n' >"$T/arr.json"
	run -2 --separate-stderr fd-fetch --catalog "$T/arr.json"
	[ "$stderr" = "fd-fetch: $T/arr.json: not a Singer catalog: expected {\"streams\":[...]}" ]
	select_catalog tickets | jq '.streams += [{"tap_stream_id":"tikets","stream":"tikets","schema":{},"metadata":[]}]' >"$T/unknown.json"
	run -2 --separate-stderr fd-fetch --catalog "$T/unknown.json"
	[ "$stderr" = "fd-fetch: $T/unknown.json: unknown stream tikets" ]
	run -2 --separate-stderr fd-fetch --catalog "$T/nonexistent.json"
	[ "$stderr" = "fd-fetch: $T/nonexistent.json: No such file or directory" ]
	select_catalog tickets >"$T/ok.json"
	run -2 --separate-stderr fd-fetch --catalog "$T/ok.json" contacts
	[ "$stderr" = "fd-fetch: $T/ok.json: endpoints come from the catalog, not the operands" ]
	[ "$(sim_stats | jq '[.by_path[] | .[]] | add // 0')" -eq 0 ]
}

@test "state: --state reads the state that fd-load --emit-state prints, as Meltano passes it back" {
	# a run the Singer way: the loader's last stdout line is the state
	fd-fetch --since "$SINCE" tickets contacts | fd-normalize |
	    fd-load -t "sqlite:$T/db.sqlite" --emit-state >"$T/emitted"
	tail -n 1 "$T/emitted" >"$T/meltano-state.json"
	jq -e '.bookmarks.tickets and .bookmarks.contacts' "$T/meltano-state.json" >/dev/null
	# nothing changed: the bookmarks are taken, no record comes again
	fetch again --state "$T/meltano-state.json" tickets contacts
	[ ! -s "$T/again.err" ]
	[ "$(jq -s '[.[] | select(.type == "RECORD")] | length' "$T/again.out")" -eq 0 ]
	# five tickets changed: those five, and only they
	sim_ctl POST mutate '{"count":5}' | jq -r '.ids[]' | sort -n >"$T/changed"
	fetch next --state "$T/meltano-state.json" tickets
	diff "$T/changed" <(jq -r 'select(.type == "RECORD") | .record.id' "$T/next.out" | sort -n)
}

@test "schema: fd-fetch | fd-load takes every member as a column, objects and arrays as JSON" {
	fd-fetch --since "$SINCE" tickets contacts | fd-load -t "sqlite:$T/direct.sqlite"
	for s in tickets contacts; do
		sqlite3 "$T/direct.sqlite" "select name from pragma_table_info('$s')" | sort >"$T/$s.cols"
		comm -23 <(members "$s") "$T/$s.cols" >"$T/missing"
		[ ! -s "$T/missing" ] || { cat "$T/missing"; false; }
	done
	# every ticket the lists show (archived ones are not read here)
	diff <(sqlite3 "$T/direct.sqlite" "select id || ' ' || updated_at from tickets" | sort) \
	    <(sim_truth tickets | jq -r --arg t "$SINCE" '.[] | select(.updated_at >= $t and (.archived | not)) | "\(.id) \(.updated_at)"' | sort)
	# a ticket's custom fields and cc_emails, as the API wrote them
	id=$(sim_truth tickets | jq '[.[] | select(.updated_at >= "'"$SINCE"'" and (.archived | not) and (.cc_emails | length) > 0)][0].id')
	[ "$(sqlite3 "$T/direct.sqlite" "select custom_fields from tickets where id = $id" | jq -S -c .)" = \
	    "$(sim_truth tickets | jq -S -c ".[] | select(.id == $id) | .custom_fields")" ]
	[ "$(sqlite3 "$T/direct.sqlite" "select cc_emails from tickets where id = $id" | jq -c .)" = \
	    "$(sim_truth tickets | jq -c ".[] | select(.id == $id) | .cc_emails")" ]
}
