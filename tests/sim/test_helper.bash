# test_helper.bash - shared by tests/sim/*.bats
# shellcheck disable=SC2034  # FDSIM, CODE, CURL_RC are read by the tests

bats_require_minimum_version 1.7.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load
load sim

FDSIM="$BATS_TEST_DIRNAME/fdsim.py"

# fetch PATH [curl options...]
#   GET $SIM_URL$PATH with auth; headers in $H, body in $B, status in $CODE,
#   curl's exit status in $CURL_RC.
fetch() {
	local path="$1"
	shift
	H="$BATS_TEST_TMPDIR/headers"
	B="$BATS_TEST_TMPDIR/body"
	CURL_RC=0
	CODE="$(curl -s --max-time 60 -K "$SIM_CURLRC" -D "$H" -o "$B" -w '%{http_code}' \
		"$@" "$SIM_URL$path")" || CURL_RC=$?
}

# header NAME: the value of the last NAME header in $H (fails if absent)
header() {
	tr -d '\r' <"$H" | awk -v n="$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')" '
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) {
			v = substr($0, i + 1); sub(/^ */, "", v); found = 1 } }
		END { if (!found) exit 1; print v }'
}

# next_link: the URL of Link rel="next" in $H, empty if none
next_link() {
	tr -d '\r' <"$H" | sed -n 's/^[Ll]ink: <\(.*\)>; rel="next"$/\1/p'
}

# fetch_all PATH: follow Link rel="next" from PATH; prints one JSON array
fetch_all() {
	local url="$SIM_URL$1" out="$BATS_TEST_TMPDIR/all.json" n=0
	local h="$BATS_TEST_TMPDIR/all.headers"
	: >"$out"
	while [[ -n "$url" ]]; do
		curl -s --max-time 60 -K "$SIM_CURLRC" -D "$h" "$url" >>"$out" || return 1
		printf '\n' >>"$out"
		url="$(tr -d '\r' <"$h" | sed -n 's/^[Ll]ink: <\(.*\)>; rel="next"$/\1/p')"
		((++n < 2000)) || return 1
	done
	jq -s 'add // []' "$out"
}

