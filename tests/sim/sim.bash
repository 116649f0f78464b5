# sim.bash - bats helper for the Freshdesk simulator (tests/sim/fdsim.py).
#
#   load ../sim/sim                      (from tests/<suite>/*.bats)
#   sim_start [fdsim options...]         start on 127.0.0.1, a free port;
#                                        gives up after $SIM_START_TIMEOUT
#                                        seconds (default 5; about 4 s per
#                                        100k tickets are needed)
#   sim_api PATH [curl options...]       GET $SIM_URL$PATH with Basic auth
#   sim_ctl METHOD PATH [JSON]           control endpoint (PATH "faults" or
#                                        "/_sim/faults")
#   sim_stats                            GET /_sim/stats
#   sim_truth ENDPOINT [QUERY]           GET /_sim/truth/ENDPOINT[?QUERY]
#   sim_stop                             SIGTERM + wait; safe to call twice
#
# sim_start exports SIM_PID SIM_PORT SIM_URL SIM_RUNDIR SIM_CURLRC
# FRESHDESK_DOMAIN (= SIM_URL) and FRESHDESK_API_KEY.  The key is
# $FDSIM_API_KEY or a fixed test string; it reaches fdsim and curl through
# files only, never through argv.  sim_stop sets SIM_STATUS to the
# simulator's exit status when it can be known.

SIM_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SIM_FDSIM="$SIM_HOME/fdsim.py"
SIM_DEFAULT_KEY="fdsim-test-key-4f1c2a"

sim_start() {
	local base key i
	if [[ -n "${SIM_PID:-}" ]] && kill -0 "$SIM_PID" 2>/dev/null; then
		echo "sim_start: simulator already running (pid $SIM_PID)" >&2
		return 1
	fi
	base="${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}}"
	SIM_RUNDIR="$(mktemp -d "$base/fdsim.XXXXXX")" || return 1
	key="${FDSIM_API_KEY:-$SIM_DEFAULT_KEY}"
	(umask 077 && printf '%s\n' "$key" >"$SIM_RUNDIR/api_key") || return 1
	# curl config: the key goes in a file, never on the command line
	(umask 077 && printf 'user = "%s:X"\n' \
		"$(printf '%s' "$key" | sed 's/[\\"]/\\&/g')" >"$SIM_RUNDIR/curlrc") ||
		return 1
	python3 "$SIM_FDSIM" --port 0 --port-file "$SIM_RUNDIR/port" \
		--api-key-file "$SIM_RUNDIR/api_key" "$@" \
		>"$SIM_RUNDIR/stdout" 2>"$SIM_RUNDIR/stderr" </dev/null 3>&- &
	SIM_PID=$!
	local tries=$((${SIM_START_TIMEOUT:-60} * 50))
	for ((i = 0; i < tries; i++)); do
		[[ -s "$SIM_RUNDIR/port" ]] && break
		if ! kill -0 "$SIM_PID" 2>/dev/null; then
			echo "sim_start: fdsim exited early:" >&2
			cat "$SIM_RUNDIR/stderr" >&2
			SIM_PID=
			return 1
		fi
		sleep 0.02
	done
	if [[ ! -s "$SIM_RUNDIR/port" ]]; then
		echo "sim_start: fdsim did not start within ${SIM_START_TIMEOUT:-60} s" >&2
		kill -TERM "$SIM_PID" 2>/dev/null
		SIM_PID=
		return 1
	fi
	SIM_PORT="$(<"$SIM_RUNDIR/port")"
	SIM_URL="http://127.0.0.1:$SIM_PORT"
	SIM_CURLRC="$SIM_RUNDIR/curlrc"
	FRESHDESK_DOMAIN="$SIM_URL"
	FRESHDESK_API_KEY="$key"
	export SIM_PID SIM_PORT SIM_URL SIM_RUNDIR SIM_CURLRC \
		FRESHDESK_DOMAIN FRESHDESK_API_KEY
}

sim_stop() {
	local pid="${SIM_PID:-}" i
	SIM_PID=
	[[ -n "$pid" ]] || return 0
	if kill -TERM "$pid" 2>/dev/null; then
		if wait "$pid" 2>/dev/null; then
			SIM_STATUS=0
		else
			SIM_STATUS=$?
			# not our child (started in another shell): poll instead
			if ((SIM_STATUS == 127)); then
				SIM_STATUS=
				for ((i = 0; i < 250; i++)); do
					kill -0 "$pid" 2>/dev/null || break
					sleep 0.02
				done
			fi
		fi
	fi
	export SIM_STATUS
	return 0
}

sim_api() {
	local path="$1"
	shift
	curl -s --max-time 60 -K "$SIM_CURLRC" "$@" "$SIM_URL$path"
}

sim_ctl() {
	local method="$1" path="$2" json="${3-}"
	[[ "$path" == /* ]] || path="/_sim/$path"
	if [[ $# -ge 3 ]]; then
		curl -s --max-time 60 -X "$method" -H 'Content-Type: application/json' \
			--data-binary "$json" "$SIM_URL$path"
	else
		curl -s --max-time 60 -X "$method" "$SIM_URL$path"
	fi
}

sim_stats() {
	curl -s --max-time 60 "$SIM_URL/_sim/stats"
}

sim_truth() {
	local q="${2:+?$2}"
	curl -s --max-time 60 "$SIM_URL/_sim/truth/$1$q"
}

# sim_wait_held N [PID]: waits until N requests are held by a "hold"
# fault (the instant a test builds: request N of the rule is on its
# way, unanswered).  Fails after 60 s, or at once when PID (the client)
# has exited, since then nothing more will come.
sim_wait_held() {
	local n=$1 pid=${2-} i
	for ((i = 0; i < 6000; i++)); do
		[ "$(sim_stats | jq .held)" -ge "$n" ] && return 0
		[ -z "$pid" ] || kill -0 "$pid" 2>/dev/null || {
			echo "sim_wait_held: the client ended before $n held" >&2
			return 1
		}
		sleep 0.01
	done
	echo "sim_wait_held: $n requests not held after 60 s" >&2
	return 1
}
