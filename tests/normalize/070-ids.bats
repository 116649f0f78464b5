#!/usr/bin/env bats
# fd-normalize: a STATE's id set (fd_ids, fd-load.1 "Deletions") names
# the table its stream maps to; the rest of the line is unchanged.

setup() {
	load ../common
}

S='{"type":"SCHEMA","stream":"Ticket Fields","schema":{"type":"object","properties":{"id":{"type":"integer"},"n":{"type":"object"}}},"key_properties":["id"]}'

@test "fd_ids: the stream becomes its table's name, byte for byte otherwise" {
	run -0 --separate-stderr fd-normalize <<EOF
$S
{"type":"RECORD","stream":"Ticket Fields","record":{"id":1,"n":{"a":1}}}
{"type":"STATE", "value" : {"b":[1, 2.50]},"fd_ids":{"stream":"Ticket Fields","set":"17:x","as_of":"2026-12-04T23:00:00Z","ids":"1-480,482","final":false} , "z":1}
{"type":"STATE","value":{"c":1},"fd_ids":{"final":true,"stream":"Ticket\u0020Fields","ids":""}}
EOF
	[ -z "$stderr" ]
	[ "${lines[2]}" = '{"type":"STATE", "value" : {"b":[1, 2.50]},"fd_ids":{"stream":"ticket_fields","set":"17:x","as_of":"2026-12-04T23:00:00Z","ids":"1-480,482","final":false} , "z":1}' ]
	# an escaped name is the same stream
	[ "${lines[3]}" = '{"type":"STATE","value":{"c":1},"fd_ids":{"final":true,"stream":"ticket_fields","ids":""}}' ]
	[ "${#lines[@]}" -eq 4 ]
}

@test "fd_ids: a stream no SCHEMA told of keeps its name; STATEs without fd_ids pass verbatim" {
	run -0 --separate-stderr fd-normalize <<EOF
$S
{"type":"STATE","value":1,"fd_ids":{"stream":"Other Stream","set":"1","as_of":"2026-12-04T23:00:00Z","ids":"1","final":true}}
{"type":"STATE","value":{"fd_ids":{"stream":"Ticket Fields"}}}
{"type":"STATE","value":2,"fd_ids":"not an object"}
{"type":"STATE",  "value" : [1, 2.50, "é"] }
EOF
	[ -z "$stderr" ]
	[ "${lines[0]}" = '{"type":"STATE","value":1,"fd_ids":{"stream":"Other Stream","set":"1","as_of":"2026-12-04T23:00:00Z","ids":"1","final":true}}' ]
	# fd_ids inside the value is the state's, not an id set
	[ "${lines[1]}" = '{"type":"STATE","value":{"fd_ids":{"stream":"Ticket Fields"}}}' ]
	[ "${lines[2]}" = '{"type":"STATE","value":2,"fd_ids":"not an object"}' ]
	[ "${lines[3]}" = '{"type":"STATE",  "value" : [1, 2.50, "é"] }' ]
}

@test "fd_ids: the renamed stream is the table fd-load reconciles" {
	d=$BATS_TEST_TMPDIR
	run -0 --separate-stderr sh -c 'fd-normalize | fd-load -t "sqlite:$1/x.db"' sh "$d" <<EOF
$S
{"type":"RECORD","stream":"Ticket Fields","record":{"id":1,"n":{"a":1}}}
{"type":"RECORD","stream":"Ticket Fields","record":{"id":2,"n":{"a":2}}}
{"type":"STATE","value":1,"fd_ids":{"stream":"Ticket Fields","set":"1","as_of":"2026-12-04T23:00:00Z","ids":"2","part":1,"final":true}}
EOF
	[ -z "$stderr" ]
	[ "$(sqlite3 "$d/x.db" 'select id, _fd_deleted_at from ticket_fields order by id')" = "$(printf '1|2026-12-04T23:00:00Z\n2|')" ]
}
