#!/usr/bin/env bats
# The pipeline on a terminal (fd.7, PROGRESS), under script(1): one
# progress line at a time, fd-fetch's with each endpoint's records and
# the reason of each wait, messages that start on a cleared line, and
# -q and -v on the three programs.  FD_PROGRESS_MS=0 draws every change,
# so that what is asserted does not depend on the machine's pace.

load e2e

export FD_PROGRESS_MS=0

setup() {
	e2e_setup
	command -v script >/dev/null || skip "script(1) is not installed"
}

# tty FILE CMD: CMD run by sh on a pseudo-terminal 200 columns wide
# (stdin, stdout and stderr), everything it wrote there in FILE (the
# bytes as the terminal got them); the status is CMD's
tty() {
	local f=$1
	shift
	script -qefc "stty cols 200; $*" /dev/null </dev/null >"$f"
}

# offsets FILE TEXT: the byte offsets of TEXT in FILE, one a line
offsets() {
	python3 - "$1" "$2" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
t = sys.argv[2].encode()
i = b.find(t)
while i != -1:
    print(i)
    i = b.find(t, i + 1)
PY
}

# draws FILE: the texts drawn in place in FILE ("\r\033[K" TEXT "\r"),
# one a line
draws() {
	python3 - "$1" <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read()
for m in re.finditer(rb"\r\x1b\[K([^\r\n]*)\r(?!\n)", b):
    print(m.group(1).decode())
PY
}

@test "terminal: the pipeline shows fd-fetch's line with each endpoint's records, and fd-load's only after it, from a pipe" {
	# fd-fetch reads slowly enough that fd-load, which would draw
	# every 1024 rows, has rows to draw while fd-fetch still runs
	e2e_sim --contacts 1500 --latency 60
	local a g c
	a=$(sim_truth agents | jq length)
	g=$(sim_truth groups | jq length)
	c=$(sim_truth contacts | jq length)
	tty "$T/tty" "fd-fetch --since $SINCE agents groups contacts |
	    fd-normalize | fd-load -t sqlite:$T/fd.db"
	draws "$T/tty" >"$T/draws"
	# per-endpoint counts; the one read first while it runs
	grep -q "^fd-fetch: endpoint 3 of 3: contacts [0-9]* · [0-9]* requests[^·]* · done: agents $a, groups $g$" "$T/draws" ||
	    fail "no per-endpoint line: $(head -c 2000 "$T/draws")"
	# the summary stays: ended by a newline
	grep -q "fd-fetch: [0-9]* requests[^·]* · agents $a, groups $g, contacts $c"$'\r'"$" "$T/tty"
	# fd-load drew, and never before fd-fetch's last draw
	local last first
	last=$(offsets "$T/tty" 'fd-fetch: ' | tail -n 1)
	first=$(offsets "$T/tty" 'fd-load: ' | head -n 1)
	[ -n "$first" ] || fail "fd-load drew nothing"
	[ "$first" -gt "$last" ] ||
	    fail "fd-load drew at byte $first, before fd-fetch's last draw at $last"
	grep -q "^fd-load: [0-9]* tables, [0-9]* rows" "$T/draws"
	# from a file, fd-load draws while it reads
	fd-fetch -q --since "$SINCE" contacts >"$T/contacts.ndjson"
	fd-normalize <"$T/contacts.ndjson" >"$T/rows.ndjson"
	tty "$T/tty2" "fd-load -t sqlite:$T/two.db <$T/rows.ndjson"
	draws "$T/tty2" | grep -q -v ', committing$'
}

@test "terminal: with -j 4, the summary counts each endpoint's records as written" {
	e2e_sim --contacts 600
	tty "$T/tty" "fd-fetch -j 4 --since $SINCE >$T/out.ndjson"
	# the endpoints in the order they began: compare as sets
	local want got
	want=$(jq -r 'select(.type == "RECORD") | .stream' "$T/out.ndjson" | sort | uniq -c |
	    awk '{ print $2, $1 }')
	got=$(python3 - "$T/tty" <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read().decode()
m = re.findall(r"fd-fetch: [0-9]+ requests[^\r\n]*? \u00b7 ([^\r\n]*)\r\n", b)
for e in m[-1].split(", "):
    print(e)
PY
	)
	[ "$(sort <<<"$got")" = "$want" ] || fail "summary: $got; written: $want"
	[ "$(wc -l <<<"$want")" -eq 6 ]
}

@test "terminal: the line is cut to the terminal's width" {
	e2e_sim
	script -qefc "stty cols 40; fd-fetch --since $SINCE agents groups roles >/dev/null" \
	    /dev/null </dev/null >"$T/tty"
	draws "$T/tty" >"$T/draws"
	grep -q '^fd-fetch: endpoint 1 of 3: agents' "$T/draws"
	# the widest in characters, the summary's line too (it is cut in
	# the middle of the counts)
	run -0 python3 - "$T/tty" <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read()
print(max(len(m.group(1).decode()) for m in re.finditer(rb"\r\x1b\[K([^\r\n]*)\r", b)))
PY
	[ "$output" -eq 39 ]
}

@test "terminal: a wait shows its reason: rate limit (429), retry 1 of 6 after HTTP 503" {
	e2e_sim
	sim_ctl POST faults '[{"kind":"429","retry_after":1,"path":"^/api/v2/groups$","nth":1},
	    {"kind":"503","path":"^/api/v2/roles$","nth":1}]' >/dev/null
	FD_FETCH_RETRY_MS=400 tty "$T/tty" "fd-fetch --since $SINCE groups roles >/dev/null"
	draws "$T/tty" >"$T/draws"
	grep -q '^fd-fetch: endpoint 1 of 2: groups 0 · waiting [0-9.]*s: rate limit (429) · 1 requests$' "$T/draws" ||
	    fail "no 429 wait: $(cat "$T/draws")"
	grep -q '^fd-fetch: endpoint 2 of 2: roles 0 · waiting [0-9.]*s: retry 1 of 6 after HTTP 503 · ' "$T/draws" ||
	    fail "no retry: $(cat "$T/draws")"
}

@test "terminal: a wait for a list's sub-limit says so" {
	# pro: 100 tickets-list requests a minute, one per 0.6 s; each pass
	# of the tickets is one request
	sim_start --tickets 5 --rate-total 1000000 --window 1.25 --tickets-list-limit 2
	tty "$T/tty" "fd-fetch --plan pro --since $SINCE tickets >/dev/null"
	draws "$T/tty" >"$T/draws"
	grep -q '^fd-fetch: tickets [0-9]* · waiting [0-9.]*s: sub-limit of the tickets list · [12] requests$' "$T/draws" ||
	    fail "no sub-limit wait: $(cat "$T/draws")"
}

@test "terminal: a message printed while a line is drawn starts on a cleared line, in each program" {
	e2e_sim --no-feature roles
	tty "$T/tty" "fd-fetch --since $SINCE groups roles >/dev/null"
	# the line was drawn before the warning
	[ "$(offsets "$T/tty" 'fd-fetch: endpoint 1 of 2: groups' | head -n 1)" -lt \
	    "$(offsets "$T/tty" 'fd-fetch: roles: skipped' | head -n 1)" ]
	[ "$(offsets "$T/tty" 'fd-fetch: roles: skipped' | wc -l)" -eq 1 ]
	[ "$(offsets "$T/tty" $'\r\033[Kfd-fetch: roles: skipped: HTTP 403' | wc -l)" -eq 1 ]
	# fd-normalize's and fd-load's warnings too
	printf '%s\n' '{"id":1,"group_ids":[1],"groupIds":[2]}' >"$T/dup.ndjson"
	tty "$T/tty2" "fd-normalize --stream agents --key id $T/dup.ndjson >/dev/null"
	[ "$(offsets "$T/tty2" $'\r\033[Kfd-normalize: table agents__group_ids: two paths' | wc -l)" -eq 1 ]
	printf '{"a":1}\n' >"$T/junk.ndjson"
	tty "$T/tty3" "fd-load -t sqlite:$T/j.db $T/junk.ndjson"
	[ "$(offsets "$T/tty3" $'\r\033[Kfd-load: ignoring lines' | wc -l)" -eq 1 ]
	# off a terminal, messages are plain
	run -0 --separate-stderr fd-normalize --stream agents --key id "$T/dup.ndjson"
	[ "$stderr" = "fd-normalize: table agents__group_ids: two paths give this name; their rows share it" ]
}

@test "terminal: fd-normalize -q silences its warnings, -v prints a line per table" {
	printf '%s\n' '{"id":1,"group_ids":[1,2],"groupIds":[3],"a":{"b":1}}' \
	    '{"id":2,"group_ids":[4]}' >"$T/in.ndjson"
	run -0 --separate-stderr fd-normalize -q --stream agents --key id "$T/in.ndjson"
	[ -z "$stderr" ]
	[ "$(jq -s 'map(select(.type == "RECORD")) | length' <<<"$output")" -eq 6 ]
	run -0 --separate-stderr fd-normalize --quiet -v --stream agents --key id "$T/in.ndjson"
	[ "${stderr_lines[0]}" = "fd-normalize: table agents__group_ids: two paths give this name; their rows share it" ]
	[ "${stderr_lines[1]}" = "fd-normalize: table agents: 2 rows, 3 columns" ]
	[ "${stderr_lines[2]}" = "fd-normalize: table agents__group_ids: 3 rows, 5 columns" ]
	[ "${stderr_lines[3]}" = "fd-normalize: table agents__group_ids: 1 rows, 5 columns" ]
	[ "${#stderr_lines[@]}" -eq 4 ]
	run -0 --separate-stderr fd-normalize -v -q --stream agents --key id "$T/in.ndjson"
	[ -z "$stderr" ]
}

@test "terminal: -q on each stage: exit 0, nothing on stderr, on a terminal or not; -v: detail, no progress line" {
	e2e_sim --no-feature roles
	set -o pipefail
	fd-fetch -q --since "$SINCE" groups roles 2>"$T/f.err" | fd-normalize -q 2>"$T/n.err" |
	    fd-load -q -t "sqlite:$T/a.db" 2>"$T/l.err"
	[ ! -s "$T/f.err" ] && [ ! -s "$T/n.err" ] && [ ! -s "$T/l.err" ]
	tty "$T/tty" "fd-fetch -q --since $SINCE groups roles | fd-normalize -q |
	    fd-load -q -t sqlite:$T/b.db"
	[ ! -s "$T/tty" ] || fail "$(cat -v "$T/tty")"
	[ "$(sqlite3 "$T/b.db" 'select count(*) from groups')" -eq "$(sim_truth groups | jq length)" ]
	# -v: lines of their own, never a line drawn in place
	tty "$T/tty2" "fd-fetch -v --since $SINCE groups | fd-normalize -v |
	    fd-load -v -t sqlite:$T/c.db"
	draws "$T/tty2" >"$T/draws"
	[ ! -s "$T/draws" ] || fail "drawn with -v: $(cat "$T/draws")"
	grep -q 'fd-fetch: GET /api/v2/groups' "$T/tty2"
	grep -q 'fd-normalize: table groups: ' "$T/tty2"
	grep -q 'fd-load: [0-9]* rows loaded' "$T/tty2"
}
