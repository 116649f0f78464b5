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

# truth_pairs ENDPOINT: "id updated_at" of the simulator's records
# updated since $SINCE, sorted
truth_pairs() {
	sim_truth "$1" | jq -r --arg t "$SINCE" '.[] | select(.updated_at >= $t) | "\(.id) \(.updated_at)"' | sort
}
