#!/usr/bin/env bats
# The state file never claims data that a power cut can take away: fd-load
# replaces it (and, for csv:/jsonl:, the manifest, their commit point)
# only after everything it covers is on disk.  Checked on the system
# calls, under strace: at each rename onto the state file or the
# manifest, no file written since its last fsync/fdatasync, and no
# directory changed since its last fsync (durable.py).  PostgreSQL owns
# its durability: fd-load warns when the server's synchronous_commit is
# off.

setup_file() {
	load ../common
	load ../pg
	pg_file_start
}

teardown_file() {
	load ../pg
	pg_file_stop
}

setup() {
	load ../common
	load load
	T="$BATS_TEST_TMPDIR"
	mkdir "$T/s"
	S="$T/s/state.json"	# not beside the data: its directory's sync
	# covers nothing of theirs
}

# traced ARGS...: fd-load ARGS under strace, its log in $T/trace; the
# status and stderr in $status and $stderr.  (LeakSanitizer of a SAN=1
# build refuses to run under ptrace: leaks are checked by the other
# suites.)
traced() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
	    run --separate-stderr strace -f -y -qq -o "$T/trace" \
	    -e trace=write,pwrite64,writev,pwritev,ftruncate,fsync,fdatasync,mkdir,rename,renameat,renameat2 \
	    fd-load "$@"
}

# durable TARGET...: the log shows each TARGET renamed onto, never before
# what it covers was synced
durable() {
	run python3 "$BATS_TEST_DIRNAME/durable.py" "$T/trace" "$@"
	assert_success
}

# a load of merge tickets with their tags, a STATE after each ticket:
# most are held and committed together, at --batch-rows and at the end
stream() {	# first last
	local lines=("$SCHEMA_T" "$SCHEMA_TAGS") i
	for ((i = $1; i <= $2; i++)); do
		lines+=("$(ticket "$i" "s$i" "r$i")" "$(tag a "r$i" 0)" "$(tag b "r$i" 1)" \
		    "{\"type\":\"STATE\",\"value\":$i}")
	done
	msg "${lines[@]}"
}

AGENTS='{"type":"SCHEMA","stream":"agents","schema":{"properties":{"id":{"type":"integer"}}},"key_properties":["id"],"x-fd":{"disposition":"replace","root":"agents","table_kind":"root"}}'
agents() {	# version ids...
	local v=$1 id
	shift
	echo "$AGENTS"
	for id in "$@"; do
		printf '{"type":"RECORD","stream":"agents","record":{"id":%s},"version":%s}\n' "$id" "$v"
	done
	printf '{"type":"ACTIVATE_VERSION","stream":"agents","version":%s}\n' "$v"
	printf '{"type":"STATE","value":"agents %s"}\n' "$v"
}

@test "durable: sqlite: each commit's WAL is synced before the state file is replaced" {
	DB="$T/fd.db"
	stream 1 200
	traced -t "sqlite:$DB" -s "$S" --batch-rows 60 "$T/in.ndjson"
	assert_success
	[ -z "$stderr" ]
	[ "$(cat "$S")" = 200 ]
	durable "$S"
	# into the same database again (its WAL made anew), with a replace chain
	{ cat "$T/in.ndjson"; agents 1 1 2 3; } >"$T/more.ndjson"
	traced -t "sqlite:$DB" -s "$S" "$T/more.ndjson"
	assert_success
	[ "$(cat "$S")" = '"agents 1"' ]
	durable "$S"
	[ "$(sqlite3 "$DB" 'select count(*) from agents')" -eq 3 ]
}

@test "durable: sqlite: a STATE held when bad input stops the load is synced with its rows" {
	DB="$T/fd.db"
	stream 1 5
	printf '%s\n' '{"type":"RECORD","stream":"tickets","record":{"id":"x"}}' >>"$T/in.ndjson"
	traced -t "sqlite:$DB" -s "$S" "$T/in.ndjson"
	[ "$status" -eq 1 ]
	[ "$(cat "$S")" = 5 ]
	durable "$S"
	[ "$(sqlite3 "$DB" 'select count(*) from tickets')" -eq 5 ]
}

# files_durable FMT: a csv: or jsonl: load, in a new directory and again
files_durable() {
	local D="$T/out"
	stream 1 200
	traced -t "$1:$D" -s "$S" --batch-rows 60 "$T/in.ndjson"
	assert_success
	[ -z "$stderr" ]
	[ "$(cat "$S")" = 200 ]
	durable "$S" "$D/_fd_manifest.json"
	# again: a table directory made by a later load, a replace chain
	{ cat "$T/in.ndjson"; agents 1 1 2 3; } >"$T/more.ndjson"
	traced -t "$1:$D" -s "$S" --batch-rows 60 "$T/more.ndjson"
	assert_success
	[ "$(cat "$S")" = '"agents 1"' ]
	durable "$S" "$D/_fd_manifest.json"
	# and a new version of it, which retires the files of the first
	agents 2 4 >"$T/more.ndjson"
	traced -t "$1:$D" -s "$S" "$T/more.ndjson"
	assert_success
	[ "$(cat "$S")" = '"agents 2"' ]
	durable "$S" "$D/_fd_manifest.json"
	[ "$(jq -r '.tables.agents.files | length' "$D/_fd_manifest.json")" -eq 1 ]
}

@test "durable: csv: data files, manifest and their directories are synced before the state file" {
	files_durable csv
}

@test "durable: jsonl: data files, manifest and their directories are synced before the state file" {
	files_durable jsonl
}

@test "durable: the check sees a state file replaced before its data is synced" {
	# durable.py against a log of what the old SQLite settings did
	cat >"$T/trace" <<-EOF
	7 pwrite64(6</x/fd.db-wal>, "..."..., 4096, 56) = 4096
	7 pwrite64(7</x/fd.db-shm>, "\\0", 1, 4095) = 1
	7 openat(AT_FDCWD</x>, "/x/s.json.tmpAb", O_RDWR|O_CREAT|O_EXCL, 0600) = 8</x/s.json.tmpAb>
	7 write(8</x/s.json.tmpAb>, "1", 1) = 1
	7 fsync(8</x/s.json.tmpAb>) = 0
	7 rename("/x/s.json.tmpAb", "/x/s.json") = 0
	7 fsync(9</x>) = 0
	7 fdatasync(6</x/fd.db-wal>) = 0
	EOF
	run -1 python3 "$BATS_TEST_DIRNAME/durable.py" "$T/trace" /x/s.json
	assert_output "6: rename onto /x/s.json before a sync of /x/fd.db-wal (dirty since line 1)"
	run -1 python3 "$BATS_TEST_DIRNAME/durable.py" "$T/trace" /x/other.json
	assert_output "no rename onto /x/other.json"
	# a directory made and not synced before the rename
	printf '%s\n' '7 mkdir("/y/out", 0700) = 0' \
	    '7 rename("/x/s.json.tmpAb", "/x/s.json") = 0' >"$T/trace"
	run -1 python3 "$BATS_TEST_DIRNAME/durable.py" "$T/trace" /x/s.json
	assert_output "2: rename onto /x/s.json before a sync of /y (dirty since line 1)"
}

W_SYNC='fd-load: postgresql: synchronous_commit is off: a crash of the server can lose commits that the state file records'

@test "durable: postgresql: a warning when the server's synchronous_commit is off" {
	stream 1 3
	# the server's setting for the database, as an administrator sets it
	psql -X -q -c 'ALTER DATABASE fd SET synchronous_commit = off'
	run --separate-stderr fd-load -t "$FD_PG_URL" -s "$S" "$T/in.ndjson"
	psql -X -q -c 'ALTER DATABASE fd RESET synchronous_commit'
	assert_success
	[ "$stderr" = "$W_SYNC" ]
	[ "$(cat "$S")" = 3 ]
	# the session's (PGOPTIONS), and -q silences it
	PGOPTIONS='-c synchronous_commit=off' run --separate-stderr fd-load -t "$FD_PG_URL" "$T/in.ndjson"
	assert_success
	[ "$stderr" = "$W_SYNC" ]
	PGOPTIONS='-c synchronous_commit=off' run --separate-stderr fd-load -q -t "$FD_PG_URL" "$T/in.ndjson"
	assert_success
	[ -z "$stderr" ]
}

@test "durable: postgresql: no warning when synchronous_commit is on or local" {
	stream 1 3
	[ "$(psql -X -A -t -c 'SHOW synchronous_commit')" = on ]
	run --separate-stderr fd-load -t "$FD_PG_URL" -s "$S" "$T/in.ndjson"
	assert_success
	[ -z "$stderr" ]
	PGOPTIONS='-c synchronous_commit=local' run --separate-stderr fd-load -t "$FD_PG_URL" "$T/in.ndjson"
	assert_success
	[ -z "$stderr" ]
}
