#!/usr/bin/env bats
# The API key never shows: not in stdout, not in stderr with -v, not in
# the Authorization header's Basic form, whether the run succeeds, fails
# or retries (DESIGN.md section 3 "Credentials", "-v ... Authorization
# never printed").  One simulator with a key of its own.

setup_file() {
	load ../common
	export FDSIM_API_KEY="fdk-Zq8Wm3Rt7Yp2Lx9Vn4"
	load ../sim/sim
	export FD_FETCH_RETRY_MS=5
	sim_start --tickets 300 --contacts 200 --window 2 --rate-total 1000000
}

teardown_file() {
	sim_stop
}

setup() {
	load ../common
	load ../sim/sim
	sim_ctl POST faults '[]' >/dev/null
	KEY="$FDSIM_API_KEY"
	WRONG="fdk-Wrong5Hd8Kc1Jf6Gb0"
}

# b64 TEXT: TEXT in base64 on one line
b64() {
	printf '%s' "$1" | base64 -w0
}

# refute_secret KEY: neither $output nor $stderr holds KEY or its Basic
# forms (key:X, key: and the key alone, in base64), nor any Authorization
refute_secret() {
	local k="$1" s
	for s in "$k" "$(b64 "$k:X")" "$(b64 "$k:")" "$(b64 "$k")"; do
		[[ "$output" != *"$s"* ]] || fail "stdout holds a secret: $s"
		[[ "$stderr" != *"$s"* ]] || fail "stderr holds a secret: $s"
	done
	[[ "${output,,}${stderr,,}" != *authorization* ]] || fail "an Authorization header was printed"
	[[ "${output}${stderr}" != *"Basic "* ]] || fail "a Basic credential was printed"
}

@test "secrets: a successful verbose run prints neither the key nor its Basic form" {
	[ "$FRESHDESK_API_KEY" = "$KEY" ]
	run --separate-stderr fd-fetch -v
	assert_success
	[ "${#stderr_lines[@]}" -gt 10 ]
	refute_secret "$KEY"
}

@test "secrets: a wrong key: neither key shows, with or without -v" {
	FRESHDESK_API_KEY="$WRONG" run -1 --separate-stderr fd-fetch -v tickets
	refute_secret "$WRONG"
	refute_secret "$KEY"
	FRESHDESK_API_KEY="$WRONG" run -1 --separate-stderr fd-fetch groups
	refute_secret "$WRONG"
}

@test "secrets: retries and waits under -v do not show the key" {
	sim_ctl POST faults '[
	    {"kind":"500","nth":[2,5]},
	    {"kind":"502","nth":[3]},
	    {"kind":"reset","nth":[4]},
	    {"kind":"truncate","nth":[6]},
	    {"kind":"429","retry_after":1,"nth":[7]}]' >/dev/null
	run --separate-stderr fd-fetch -v tickets contacts groups
	assert_success
	[[ "$stderr" == *retry* || "$stderr" == *wait* ]]
	refute_secret "$KEY"
}

@test "secrets: retries exhausted under -v do not show the key" {
	sim_ctl POST faults '[{"kind":"reset"}]' >/dev/null
	run -75 --separate-stderr fd-fetch -v groups
	refute_secret "$KEY"
}

@test "secrets: the key from a file does not show either" {
	printf '%s\n' "$KEY" >"$BATS_TEST_TMPDIR/key"
	FRESHDESK_API_KEY_FILE="$BATS_TEST_TMPDIR/key" run -0 --separate-stderr \
	    env -u FRESHDESK_API_KEY fd-fetch -v groups roles
	refute_secret "$KEY"
	printf '%s\n' "$WRONG" >"$BATS_TEST_TMPDIR/key"
	FRESHDESK_API_KEY_FILE="$BATS_TEST_TMPDIR/key" run -1 --separate-stderr \
	    env -u FRESHDESK_API_KEY fd-fetch -v groups
	refute_secret "$WRONG"
}

@test "secrets: the key is not an argument, so ps cannot show it" {
	# the key is never taken from argv: an operand that looks like one
	# is an unknown endpoint, and there is no option for it
	run -2 --separate-stderr fd-fetch --api-key "$KEY" groups
	run -2 --separate-stderr fd-fetch --key "$KEY" groups
	run -2 --separate-stderr fd-fetch "$KEY"
	[ -z "$output" ]
	# while fd-fetch runs, its command line holds no key
	# (its first request held until the command line is read)
	sim_ctl POST faults '[{"kind":"hold","nth":1}]' >/dev/null
	fd-fetch -q groups >/dev/null &
	local pid=$! i
	sim_wait_held 1 "$pid"
	local cmd
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
	sim_ctl POST release >/dev/null
	wait "$pid"
	[[ "$cmd" == *fd-fetch* ]]
	[[ "$cmd" != *"$KEY"* ]]
}
