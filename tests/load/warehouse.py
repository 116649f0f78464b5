#!/usr/bin/env python3
"""warehouse.py: checks for tests/load/065-warehouse.bats.

  warehouse.py files DIR
      Checks a csv: or jsonl: tree against its manifest: each table's
      schema.json is its manifest "columns" (name, type; mode NULLABLE),
      every live data file has a "widths" entry, and its columns are the
      first widths[f] of the table's: a CSV file's header names exactly
      those; a JSONL line's members are among them, in their order.
      Prints the manifest's columns, one "table: name:type,..." line per
      table, for the caller to compare across loads.  Exit 1 with a
      line per fault.

  warehouse.py compare DB MANIFEST PGDB SUFFIX
      Compares every table of the SQLite database DB (but fd's own)
      with the PostgreSQL relation "<table>SUFFIX" of database PGDB
      (through psql): the same columns (but _fd_seq, which only files
      have), and the same rows, each value compared after its type in
      the files' MANIFEST (a timestamp as an instant, JSON as JSON, a
      boolean as a boolean), _fd_load_id aside (each destination has
      its own loads).  Exit 1 with the difference.
"""
import csv
import datetime
import decimal
import json
import os
import sqlite3
import subprocess
import sys

ONLY_FILES = {"_fd_seq"}
SKIP = {"_fd_load_id"}


def fail(msgs):
    for m in msgs:
        print(m)
    sys.exit(1 if msgs else 0)


def files(top):
    m = json.load(open(os.path.join(top, "_fd_manifest.json")))
    bad, out = [], []
    for t, e in sorted(m["tables"].items()):
        cols = [c["name"] for c in e["columns"]]
        sch = json.load(open(os.path.join(top, e["dir"], "schema.json")))
        if [[c["name"], c["type"]] for c in e["columns"]] != \
                [[c["name"], c["type"]] for c in sch] or \
                any(c["mode"] != "NULLABLE" for c in sch):
            bad.append("%s: schema.json is not the manifest's columns" % t)
        for f in e["files"]:
            if f not in e["widths"]:
                bad.append("%s: %s: no widths entry" % (t, f))
                continue
            want = cols[:e["widths"][f]]
            p = os.path.join(top, e["dir"], f)
            if f.endswith(".csv"):
                with open(p, newline="", encoding="utf-8") as fp:
                    head = next(csv.reader(fp))
                if head != want:
                    bad.append("%s: %s: header %s, not %s" %
                               (t, f, head, want))
                continue
            for n, line in enumerate(open(p, encoding="utf-8"), 1):
                keys = list(json.loads(line).keys())
                if keys != [c for c in want if c in keys] or \
                        not set(keys) <= set(want):
                    bad.append("%s: %s:%d: members %s not in the order "
                               "of %s" % (t, f, n, keys, want))
        out.append("%s: %s" % (t, ",".join(
            "%s:%s" % (c["name"], c["type"]) for c in e["columns"])))
    if bad:
        fail(bad)
    print("\n".join(out))


def instant(v):
    s = v.replace("Z", "+00:00")
    d = datetime.datetime.fromisoformat(s)
    return d.astimezone(datetime.timezone.utc)


def norm(v, ty):
    if v is None:
        return None
    if ty == "INTEGER":
        return int(v)
    if ty == "FLOAT":
        return float(v)
    if ty == "NUMERIC":
        return decimal.Decimal(str(v)).normalize()
    if ty == "BOOLEAN":
        return bool(v)
    if ty == "TIMESTAMP":
        return instant(v)
    if ty == "JSON":
        return json.loads(v) if isinstance(v, str) else v
    return str(v)


def key(row):
    return json.dumps(row, sort_keys=True, default=str)


def compare(db, manifest, pgdb, suffix):
    m = json.load(open(manifest))["tables"]
    c = sqlite3.connect(db)
    names = [r[0] for r in c.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND "
        "name NOT LIKE '\\_fd%' ESCAPE '\\' ORDER BY name")]
    bad = []
    if sorted(names) != sorted(m):
        fail(["tables: sqlite %s, files %s" % (sorted(names), sorted(m))])
    for t in names:
        types = {x["name"]: x["type"] for x in m[t]["columns"]}
        scols = [r[1] for r in c.execute(
            "SELECT * FROM pragma_table_info(?)", (t,))]
        fcols = [x for x in types if x not in ONLY_FILES]
        if sorted(scols) != sorted(fcols):
            bad.append("%s: columns: sqlite %s, files %s" %
                       (t, sorted(scols), sorted(fcols)))
            continue
        cols = [x for x in scols if x not in SKIP]
        q = 'SELECT %s FROM "%s"' % (
            ", ".join('"%s"' % x.replace('"', '""') for x in cols),
            t.replace('"', '""'))
        srows = sorted(key([norm(v, types[x]) for v, x in zip(r, cols)])
                       for r in c.execute(q))
        out = subprocess.run(
            ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
             "-d", pgdb, "-c",
             "SELECT coalesce(json_agg(row_to_json(v)), '[]') FROM "
             "\"%s%s\" v" % (t.replace('"', '""'), suffix)],
            check=True, capture_output=True, text=True).stdout
        prows = sorted(key([norm(r[x], types[x]) for x in cols])
                       for r in json.loads(out, parse_float=decimal.Decimal))
        if srows != prows:
            bad.append("%s: sqlite has %d rows, the warehouse %d\n"
                       "  only sqlite: %s\n  only warehouse: %s" %
                       (t, len(srows), len(prows),
                        sorted(set(srows) - set(prows)),
                        sorted(set(prows) - set(srows))))
    fail(bad)


if __name__ == "__main__":
    if sys.argv[1] == "files":
        files(sys.argv[2])
    else:
        compare(*sys.argv[2:6])
