# normalize.bash: the setup the tests of fd-normalize on the simulator's
# data share.

# sim_fetch_file ENDPOINT...: in setup_file, starts the simulator's
# helpdesk (300 tickets, 150 contacts; --stable-ties: the column types
# follow the first ticket, which is one of a burst that shares its
# second, and the real API's order of them changes on each request),
# fetches the endpoints into $D/raw (stderr $D/fetch.err, status
# $D/fetch.rc), D being the file's temporary directory; teardown_file
# calls sim_stop.
sim_fetch_file() {
	load ../common
	load ../sim/sim
	export FD_FETCH_RETRY_MS=20
	sim_start --tickets 300 --contacts 150 --rate-total 1000000 --window 2 \
	    --stable-ties
	D="$BATS_FILE_TMPDIR"
	fd-fetch "$@" >"$D/raw" 2>"$D/fetch.err"
	echo $? >"$D/fetch.rc"
}
