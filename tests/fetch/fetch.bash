# fetch.bash: helpers shared by the fd-fetch suites ("load fetch").
# They expect $T (a directory for the run's files) and, for the truth,
# a running simulator (../sim/sim.bash) and $SINCE.

# fetch NAME [options/endpoints...]: runs fd-fetch; stdout in $T/NAME.out,
# stderr in $T/NAME.err, the last STATE's value in $T/NAME.state.
# Returns fd-fetch's status.
fetch() {
	local name="$1" rc=0
	shift
	fd-fetch "$@" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	jq -c 'select(.type == "STATE") | .value' "$T/$name.out" | tail -n 1 >"$T/$name.state"
	return "$rc"
}

# fetch_held N NAME ARGS...: as fetch, while the simulator's hold rule
# (the caller's) keeps requests unanswered: released once N are held at
# once, which shows N requests out together; the rules cleared after
fetch_held() {
	local n=$1 name=$2 pid rc=0
	shift 2
	fd-fetch "$@" >"$T/$name.out" 2>"$T/$name.err" &
	pid=$!
	sim_wait_held "$n" "$pid" || rc=1
	sim_ctl POST release >/dev/null
	wait "$pid" || rc=$?
	sim_ctl POST faults '[]' >/dev/null
	jq -c 'select(.type == "STATE") | .value' "$T/$name.out" | tail -n 1 >"$T/$name.state"
	return "$rc"
}

# truth_pairs ENDPOINT: "id updated_at" of the simulator's records
# updated since $SINCE, sorted
truth_pairs() {
	sim_truth "$1" | jq -r --arg t "$SINCE" '.[] | select(.updated_at >= $t) | "\(.id) \(.updated_at)"' | sort
}
