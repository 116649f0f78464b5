#!/usr/bin/python3
"""tests/bench/csvcols.py - the baselines' CSV: fd-load's csv: files
rewritten in a database's column order.

    csvcols.py CSVDIR DB OUTDIR

For each table of CSVDIR's manifest, writes OUTDIR/TABLE.csv: a header
and every row of the table's files, with the columns of the SQLite
database DB's table in its order (a column the files lack is empty; the
files' own _fd_seq is left out), so that sqlite3's .import (by position)
and psql's \\copy (by the header's names) load the rows fd-load loads.
"""

import csv
import json
import os
import sqlite3
import sys


def main():
    src, db, out = sys.argv[1:4]
    with open(os.path.join(src, "_fd_manifest.json")) as f:
        tables = json.load(f)["tables"]
    con = sqlite3.connect(db)
    csv.field_size_limit(1 << 30)
    os.makedirs(out, exist_ok=True)
    for name, t in sorted(tables.items()):
        cols = [r[1] for r in con.execute(
            'select * from pragma_table_info(?)', (name,))]
        if not cols:
            sys.exit("csvcols.py: %s: no such table in %s" % (name, db))
        with open(os.path.join(out, name + ".csv"), "w", newline="") as o:
            w = csv.writer(o, lineterminator="\n")
            w.writerow(cols)
            d = os.path.join(src, t["dir"])
            for fn in sorted(os.listdir(d)):
                if not fn.endswith(".csv"):
                    continue
                with open(os.path.join(d, fn), newline="") as f:
                    for row in csv.DictReader(f):
                        w.writerow([row.get(c, "") for c in cols])


if __name__ == "__main__":
    main()
