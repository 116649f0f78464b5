#!/usr/bin/env bats
# fd-sync itself (040-sync.bats runs it through make sync): its command
# line, the options as the three programs receive them, the programs it
# finds, its exit statuses; then against the simulator: the truth in the
# destination, its lock and the destination's lock (75), and the API key
# in no process's argv.
#
# Stand-ins for the three programs (fake) record their arguments and
# exit as told: an installed fd-sync (make install into
# $BATS_FILE_TMPDIR) runs those put beside it.

load e2e
load ../hardening/hardening

setup_file() {
	load ../common
	make -s -C "$FD_TOP" SAN="${SAN:-}" install \
	    DESTDIR="$BATS_FILE_TMPDIR/root" PREFIX=/fd >/dev/null
}

setup() {
	e2e_setup
	unset FRESHDESK_API_KEY FRESHDESK_API_KEY_FILE FRESHDESK_DOMAIN
	KEY=$T/key
	echo not-a-real-key >"$KEY"
}

# installed: a fresh copy of the installed tree, its three programs
# replaced by fakes; sets BIN, its bin directory
installed() {
	cp -R "$BATS_FILE_TMPDIR/root" "$T/root"
	BIN=$T/root/fd/bin
	local p
	for p in fd-fetch fd-normalize fd-load; do
		fake "$BIN/$p"
	done
}

# fake FILE: a stand-in program at FILE.  It writes its arguments, one a
# line, to $T/NAME.args and FRESHDESK_API_KEY_FILE to $T/NAME.env (NAME:
# fetch, normalize or load), passes its input on (fd-fetch writes a
# line, fd-load reads it all), writes $FAKE_NAME_ERR to stderr, and
# exits $FAKE_NAME (0).
fake() {
	local name=${1##*/fd-}
	cat >"$1" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$T/$name.args"
printf '%s\n' "\${FRESHDESK_API_KEY_FILE-unset}" >"$T/$name.env"
case $name in fetch) echo '{}' ;; normalize) cat ;; load) cat >/dev/null ;; esac
[ -z "\${FAKE_${name}_ERR:-}" ] || echo "\$FAKE_${name}_ERR" >&2
exit \${FAKE_$name:-0}
EOF
	chmod +x "$1"
}

q() {
	sqlite3 "$T/fd.db" "$1"
}

# simulated [fdsim options]: the simulator started, and in A the
# options of a run against it into TO, an SQLite database
simulated() {
	e2e_sim "$@"
	TO="sqlite:$T/fd.db"
	A=(--domain "$SIM_URL" --key-file "$SIM_RUNDIR/api_key" -s "$ST"
	    -t "$TO" --fetch-flags "-q --since $SINCE --max-wait 2")
}

# args NAME: the arguments the fake NAME was given, on one line
args() {
	paste -sd' ' "$T/$1.args"
}

@test "fd-sync --help prints the man page synopsis on stdout, then a line per option" {
	run --separate-stderr fd-sync --help
	assert_success
	[ -z "$stderr" ]
	# the synopsis: up to the first empty line
	local syn=${output%%$'\n\n'*} o
	[ "$(one_line "${syn#usage: }")" = "$(man_synopsis fd-sync.1)" ]
	# every long option of the synopsis has its line
	for o in $(grep -o -- '--[a-z-]*' <<<"$syn" | sort -u); do
		grep -q -- "^  \(-[a-zA-Z], \)\?$o\b" <<<"$output" || { echo "no line for $o"; return 1; }
	done
	run -0 fd-sync -h
	[ "${output%%$'\n\n'*}" = "$syn" ]
}

@test "fd-sync --version and -V: the version of the other programs" {
	run -0 --separate-stderr fd-sync --version
	[ "$output" = "fd-sync $(fd-load --version | cut -d' ' -f2)" ]
	[[ "$output" =~ ^fd-sync\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	run -0 fd-sync -V
	[ "$output" = "fd-sync $(fd-load --version | cut -d' ' -f2)" ]
}

@test "fd-sync: unknown options and missing values are usage errors (2), one line, nothing run" {
	installed
	cd "$T"
	local a bad
	for a in -x:-x --bogus:--bogus --bogus=1:--bogus -qx:-x -q-x:-q-x; do
		bad=${a#*:} a=${a%%:*}
		run -2 --separate-stderr "$BIN/fd-sync" --domain d "$a"
		[ -z "$output" ]
		[ "$stderr" = "fd-sync: $bad: unknown option" ]
	done
	for a in -s -t --state --to --domain --key-file --lock --fetch-flags \
	    --load-flags; do
		run -2 --separate-stderr "$BIN/fd-sync" --domain d "$a"
		[ -z "$output" ]
		[ "$stderr" = "fd-sync: $a: needs a value" ]
	done
	run -2 --separate-stderr "$BIN/fd-sync" --help=1
	[ "$stderr" = "fd-sync: --help: takes no value" ]
	run -2 --separate-stderr "$BIN/fd-sync" -q --version=2
	[ "$stderr" = "fd-sync: --version: takes no value" ]
	# no domain, no key: configuration errors (1), as fd-fetch's,
	# naming the ways to give them
	run -1 --separate-stderr "$BIN/fd-sync" --key-file "$KEY"
	[ "$stderr" = "fd-sync: no domain: give --domain or set FRESHDESK_DOMAIN" ]
	run -1 --separate-stderr "$BIN/fd-sync" --domain d
	[ "$stderr" = "fd-sync: no key: give --key-file, or set FRESHDESK_API_KEY_FILE or FRESHDESK_API_KEY" ]
	# an unreadable key file too
	run -1 --separate-stderr "$BIN/fd-sync" --domain d --key-file "$T/nokey"
	[ "$stderr" = "fd-sync: $T/nokey: cannot read the key file" ]
	# none of them ran a program or took the lock
	[ -z "$(ls "$T"/*.args "$T"/*.lock 2>/dev/null)" ]
}

@test "fd-sync: the defaults as the programs receive them" {
	installed
	cd "$T"
	FRESHDESK_DOMAIN=acme FRESHDESK_API_KEY_FILE=$KEY \
	    run -0 --separate-stderr "$BIN/fd-sync"
	[ -z "$output$stderr" ]
	[ "$(args fetch)" = "-q --max-wait 900 --domain acme -s state.json" ]
	[ -z "$(args normalize)" ]
	[ "$(args load)" = "-q -s state.json -t sqlite:freshdesk.db" ]
	[ "$(cat "$T/fetch.env")" = "$KEY" ]
	[ -e "$T/state.json.sync.lock" ]
	# FRESHDESK_API_KEY alone will do: no key file is named
	FRESHDESK_DOMAIN=acme FRESHDESK_API_KEY=k run -0 "$BIN/fd-sync"
	[ "$(cat "$T/fetch.env")" = unset ]
}

@test "fd-sync: every option, in every form, as the programs receive it" {
	installed
	cd "$T"
	local want_fetch="-j 2 --since x -v --domain acme -s $T/st tickets -x"
	local want_load="--batch-rows 5 -v -s $T/st -t csv:$T/out"
	run -0 "$BIN/fd-sync" --domain acme --key-file "$KEY" -s "$T/st" \
	    -t "csv:$T/out" --lock "$T/l" --fetch-flags "-j 2 --since x" \
	    --load-flags "--batch-rows 5" -v tickets -- -x
	[ "$(args fetch)" = "$want_fetch" ]
	[ "$(args load)" = "$want_load" ]
	[ -e "$T/l" ] && [ ! -e "$T/st.sync.lock" ]
	rm "$T"/*.args
	# "=" values, values stuck to -s and -t, bundled flags, endpoints
	# before options
	run -0 "$BIN/fd-sync" tickets --domain=acme --key-file="$KEY" \
	    -s"$T/st" -t"csv:$T/out" --lock="$T/l" \
	    --fetch-flags="-j 2 --since x" --load-flags="--batch-rows 5" \
	    -qv -- -x
	[ "$(args fetch)" = "$want_fetch" ]
	[ "$(args load)" = "$want_load" ]
	# -q after -v: the last one counts, given after the flags
	run -0 "$BIN/fd-sync" --domain acme --key-file "$KEY" -vq \
	    --fetch-flags "-v" --load-flags "-v"
	[ "$(args fetch)" = "-v -q --domain acme -s state.json" ]
	[ "$(args load)" = "-v -q -s state.json -t sqlite:freshdesk.db" ]
	# the long names of -s, -t, -q, -v
	run -0 "$BIN/fd-sync" --domain acme --key-file "$KEY" --state a \
	    --to b --verbose --quiet
	[ "$(args load)" = "-q -q -s a -t b" ]
	# flags are split on blanks, never expanded as file names
	touch "$T/x1"
	run -0 "$BIN/fd-sync" --domain acme --key-file "$KEY" \
	    --fetch-flags "--since x*" '*'
	[ "$(args fetch)" = "--since x* --domain acme -s state.json *" ]
}

@test "fd-sync: an installed fd-sync runs the programs beside it, before PATH" {
	installed
	mkdir "$T/decoy"
	local p
	for p in fd-fetch fd-normalize fd-load; do
		printf '#!/bin/sh\ntouch "%s/decoy/used"\nexit 1\n' "$T" >"$T/decoy/$p"
		chmod +x "$T/decoy/$p"
	done
	cd "$T"
	PATH="$T/decoy:$PATH" run -0 "$BIN/fd-sync" --domain acme --key-file "$KEY"
	# by a relative path too
	cd "$T/root/fd"
	PATH="$T/decoy:$PATH" run -0 bin/fd-sync --domain acme --key-file "$KEY"
	[ -s "$T/fetch.args" ] && [ -s "$T/load.args" ]
	[ ! -e "$T/decoy/used" ]
	# the checkout's fd-sync runs the checkout's programs: here the
	# decoys come first on PATH, and it fails with the real fd-fetch's
	# message, not theirs
	cd "$T"
	PATH="$T/decoy:$PATH" run -2 --separate-stderr "$FD_TOP/fd-load/fd-sync" \
	    --domain http://127.0.0.1:1 --key-file "$KEY" --fetch-flags "--bad"
	[[ "$stderr" == "fd-fetch: unrecognized option '--bad'"* ]]
	[ ! -e "$T/decoy/used" ]
	# installed, it holds none of the checkout's directories
	run -1 grep -F "$FD_TOP" "$BIN/fd-sync"
}

@test "fd-sync: the programs' statuses: 75 try later, 1 failed, 2 usage, fd-load's messages passed on" {
	installed
	cd "$T"
	local A=(--domain acme --key-file "$KEY")
	FAKE_fetch=75 FAKE_fetch_ERR="fd-fetch: gave up" \
	    run -75 --separate-stderr "$BIN/fd-sync" "${A[@]}"
	[ -z "$output" ]
	[ "$stderr" = "fd-fetch: gave up
fd-sync: the API is not answering (rate limit, network): try later" ]
	FAKE_fetch=1 run -1 --separate-stderr "$BIN/fd-sync" "${A[@]}"
	[ "$stderr" = "fd-sync: failed: fd-fetch exited 1" ]
	# its usage error (the flags, the endpoints) is fd-sync's
	FAKE_fetch=2 run -2 --separate-stderr "$BIN/fd-sync" "${A[@]}"
	[ "$stderr" = "fd-sync: failed: fd-fetch exited 2: a usage error" ]
	# fd-normalize's failure counts before fd-fetch's
	FAKE_fetch=75 FAKE_normalize=1 run -1 --separate-stderr "$BIN/fd-sync" "${A[@]}"
	[ "$stderr" = "fd-sync: failed: fd-normalize exited 1" ]
	# fd-load's before both; its lock held: try later
	FAKE_fetch=1 FAKE_load=1 FAKE_load_ERR="fd-load: x.db: locked by another process (pid 9)" \
	    run -75 --separate-stderr "$BIN/fd-sync" "${A[@]}" -t sqlite:x.db
	[ "$stderr" = "fd-load: x.db: locked by another process (pid 9)
fd-sync: sqlite:x.db: another load is running: try later" ]
	FAKE_load=1 FAKE_load_ERR="fd-load: x.db: disk full" \
	    run -1 --separate-stderr "$BIN/fd-sync" "${A[@]}"
	[ "$stderr" = "fd-load: x.db: disk full
fd-sync: failed: fd-load exited 1" ]
	# fd-load's messages of a run that works are passed on (-v)
	FAKE_load_ERR="fd-load: committed" run -0 --separate-stderr "$BIN/fd-sync" "${A[@]}"
	[ "$stderr" = "fd-load: committed" ]
	# nothing left behind in TMPDIR
	mkdir "$T/tmp"
	TMPDIR=$T/tmp FAKE_fetch=1 run -1 "$BIN/fd-sync" "${A[@]}"
	TMPDIR=$T/tmp run -0 "$BIN/fd-sync" "${A[@]}"
	[ -z "$(ls -A "$T/tmp")" ]
}

@test "fd-sync: loads the truth against the simulator, silently; then only what changed" {
	simulated --tickets 300 --contacts 100
	run -0 --separate-stderr fd-sync "${A[@]}"
	[ -z "$output$stderr" ]
	truth
	[ "$(jq -c . "$ST")" = "$(db_state | jq -c .)" ]
	[ -e "$ST.sync.lock" ]
	advance 10
	mutate "{\"ids\":$(sim_truth tickets | jq -c 'map(select((.deleted | not) and (.spam | not)))[:2] | map(.id)')}" >/dev/null
	sim_ctl POST reset-stats >/dev/null
	run -0 --separate-stderr fd-sync "${A[@]}" tickets
	[ -z "$output$stderr" ]
	truth
	[ "$(requests /api/v2/tickets)" -eq 3 ]
	[ "$(requests /api/v2/contacts)" -eq 0 ]
}

@test "fd-sync: its lock held (flock(1)): try later (75), nothing loaded; another --lock is another sync" {
	simulated --tickets 100 --contacts 50
	exec 8>>"$T/held.lock"
	flock 8
	run -75 --separate-stderr fd-sync "${A[@]}" --lock "$T/held.lock"
	[ -z "$output" ]
	[ "$stderr" = "fd-sync: $T/held.lock: another sync is running: try later" ]
	[ ! -e "$T/fd.db" ] && [ ! -e "$ST" ]
	[ "$(sim_stats | jq .requests_total)" -eq 0 ]
	# the default lock is not that one
	run -0 fd-sync "${A[@]}"
	truth
	exec 8>&-
	run -0 fd-sync "${A[@]}" --lock "$T/held.lock"
}

@test "fd-sync: the destination held by another fd-load: try later (75), then the next run loads it" {
	simulated --tickets 100 --contacts 50
	# fd-load's lock of an SQLite database, held as fd-load holds it
	exec 8>>"$T/fd.db.lock"
	flock 8
	run -75 --separate-stderr fd-sync "${A[@]}"
	[ -z "$output" ]
	[[ "$stderr" == *"fd-load: $T/fd.db: locked by another process"* ]]
	[[ "$stderr" == *"
fd-sync: sqlite:$T/fd.db: another load is running: try later" ]]
	[ ! -e "$ST" ]
	exec 8>&-
	run -0 --separate-stderr fd-sync "${A[@]}"
	[ -z "$stderr" ]
	truth
}

@test "fd-sync: the API key in no process's argv, nor in its output (-v), from a key file or the environment" {
	FDSIM_API_KEY="fdk-Sy4Nc7Kq2Wz9Lp3Xv8" e2e_sim --tickets 100 --contacts 50
	local key=$FRESHDESK_API_KEY d
	unset FRESHDESK_API_KEY FRESHDESK_DOMAIN
	for d in file env; do
		mkdir "$T/$d"
		TO="sqlite:$T/$d/fd.db"
		local A=(-v --domain "$SIM_URL" -s "$T/$d/state" -t "$TO"
		    --fetch-flags "-v --since $SINCE --max-wait 2" groups tickets)
		[ "$d" = env ] || A+=(--key-file "$SIM_RUNDIR/api_key")
		# the first request held until the sampler has seen fd-fetch
		sim_ctl POST faults '[{"kind":"hold","nth":1}]' >/dev/null
		ps_watch "$T/$d/ps" &
		local watcher=$!
		(
			sim_wait_held 1
			for ((i = 0; i < 6000; i++)); do
				grep -q 'fd-fetch -v' "$T/$d/ps" 2>/dev/null && break
				sleep 0.01
			done
			sim_ctl POST release >/dev/null
		) &
		local releaser=$!
		if [ "$d" = env ]; then
			FRESHDESK_API_KEY=$key run -0 --separate-stderr fd-sync "${A[@]}"
		else
			run -0 --separate-stderr fd-sync "${A[@]}"
		fi
		wait "$releaser"
		touch "$T/$d/ps.stop"
		wait "$watcher"
		printf '%s\n%s\n' "$output" "$stderr" >"$T/$d/out"
		[ -n "$stderr" ]	# -v said something
		grep -q 'fd-sync.* -v --domain' "$T/$d/ps"	# seen running
		grep -q 'fd-fetch -v' "$T/$d/ps"
		scan_secrets "$key" "$T/$d"
		truth groups tickets
		sim_ctl POST faults '[]' >/dev/null
	done
}
