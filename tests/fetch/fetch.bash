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

# schema_check FILE: checks fd-fetch's stream FILE against its SCHEMAs:
# each RECORD comes after a SCHEMA of its stream that declares each of
# its members with a type that admits the value (the members of a
# declared object's properties and the items of a declared array's
# "items" too), and each SCHEMA of a stream declares every property and
# type of the one before (never narrower).  Prints "STREAM N" for the N
# SCHEMAs of each stream, sorted; a violation on stderr, status 1.
schema_check() {
	python3 - "$1" <<'PY'
import json, sys

def kinds(v):
    if v is None: return {"null"}
    if isinstance(v, bool): return {"boolean"}
    if isinstance(v, int): return {"integer", "number"}
    if isinstance(v, float): return {"number"}
    if isinstance(v, str): return {"string"}
    if isinstance(v, list): return {"array"}
    return {"object"}

def types(s):
    t = s.get("type", [])
    return {t} if isinstance(t, str) else set(t)

def admits(s, v, where):
    if not (kinds(v) & types(s)):
        return "%s: %r not admitted by %s" % (where, v, json.dumps(s))
    if isinstance(v, dict) and "properties" in s:
        for k, x in v.items():
            if k not in s["properties"]:
                return "%s.%s: not declared" % (where, k)
            e = admits(s["properties"][k], x, where + "." + k)
            if e: return e
    if isinstance(v, list) and s.get("items"):
        for i, x in enumerate(v):
            e = admits(s["items"], x, "%s[%d]" % (where, i))
            if e: return e
    return None

def wider(new, old, where):
    if not types(old) <= types(new):
        return "%s: types %s narrowed to %s" % (where, types(old), types(new))
    if old.get("format") != new.get("format"):
        return "%s: format changed" % where
    if "items" in old and old["items"]:
        if "items" not in new or (new["items"] and not types(old["items"]) <= types(new["items"])):
            return "%s: items narrowed" % where
    for k, s in old.get("properties", {}).items():
        if k not in new.get("properties", {}):
            return "%s.%s: dropped" % (where, k)
        e = wider(new["properties"][k], s, where + "." + k)
        if e: return e
    return None

last, count = {}, {}
for n, line in enumerate(open(sys.argv[1]), 1):
    m = json.loads(line)
    t, s = m.get("type"), m.get("stream")
    if t == "SCHEMA":
        if s in last:
            e = wider(m["schema"], last[s], s)
            if e:
                sys.exit("line %d: SCHEMA narrower: %s" % (n, e))
        last[s] = m["schema"]
        count[s] = count.get(s, 0) + 1
    elif t == "RECORD":
        if s not in last:
            sys.exit("line %d: RECORD of %s before its SCHEMA" % (n, s))
        e = admits(last[s], m["record"], s)
        if e:
            sys.exit("line %d: %s" % (n, e))
for s in sorted(count):
    print(s, count[s])
PY
}
