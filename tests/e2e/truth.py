#!/usr/bin/env python3
"""truth.py - compare a destination of fd-load with the simulator's truth.

    truth.py SIM_URL DEST [ENDPOINT ...]
        The tables of DEST (sqlite:PATH or postgresql://...) hold exactly
        the simulator's current data set of each ENDPOINT (default: the six
        of fd-fetch's default): every record once, at its latest version
        (every scalar, nested objects as their flattened columns), and its
        lists in the child tables, in order, no orphan or extra child row.
        An archived ticket as the archive's view (/_sim/truth/archived_tickets).

    truth.py --killed STATEFILE SIM_URL DEST
        After a crash: the state file is the destination's committed state
        (_fd_state) or older, bookmark by bookmark, and each of the two is
        covered as with --covered.  Prints the committed state on stderr.

    truth.py --covered STATE SIM_URL DEST
        The cursor STATE (a file, the text of a state) covers nothing that is
        not in DEST: for each bookmark of tickets, contacts and their
        spam/deleted/blocked passes, every record of the truth that the
        bookmark has passed (updated_at before the cursor, or at it with its
        id in ids_at_cursor; in a second the bookmark lists under
        "seconds", only the ids listed there) is in DEST at its truth's
        version.  For a
        simulator that does not change during the run.

Prints one line per difference (at most 20) on stdout; exit 1 when there
is one, 2 on a usage or access error.
"""

import datetime
import json
import os
import re
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request

DEFAULT = ["agents", "companies", "contacts", "groups", "roles", "tickets"]
# the simulator's name of a data set when it differs from fd-fetch's table
TRUTH_NAME = {"mailboxes": "email_mailboxes"}


def snake(name):
    """dlt's snake_case, for the names the simulator uses."""
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    s = re.sub(r"[^a-zA-Z0-9]+", "_", s).lower().strip("_")
    if s and s[0].isdigit():
        s = "_" + s
    return s


class Dest:
    """Rows of a destination's tables as dicts (None for NULL)."""

    def __init__(self, url):
        self.url = url
        self.cache = {}
        self.truth = {}
        if url.startswith("sqlite:"):
            # not read-only: a reader rolls back what a killed writer left
            path = url[7:]
            self.db = sqlite3.connect(path if os.path.exists(path)
                                      else ":memory:")
        elif url.startswith("postgresql:") or url.startswith("postgres:"):
            self.db = None
        else:
            raise SystemExit("truth.py: %s: not sqlite: or postgresql:" % url)

    def tables(self):
        if self.db is not None:
            return {r[0] for r in self.db.execute(
                "select name from sqlite_master where type = 'table'")}
        return set(self.psql("select tablename from pg_tables where "
                             "schemaname = current_schema()"))

    def psql(self, sql):
        out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v",
                              "ON_ERROR_STOP=1", "-d", self.url, "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [l for l in out.split("\n") if l != ""]

    def rows(self, table):
        if self.db is None:
            if not self.cache:
                self.load_pg()
            return self.cache.get(table)
        if table in self.cache:
            return self.cache[table]
        if table not in self.tables():
            rows = None
        else:
            cur = self.db.execute('select * from "%s"' %
                                  table.replace('"', '""'))
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r)) for r in cur]
        self.cache[table] = rows
        return rows

    def load_pg(self):
        """Every table of PostgreSQL in one psql run (a run costs more than
        its rows): a line per row, the table's name, a tab, the row."""
        names = sorted(t for t in self.tables() if not t.startswith("_fd_"))
        for t in names:
            self.cache[t] = []
        if not names:
            return
        sql = " union all ".join(
            "select %s, row_to_json(t)::text from \"%s\" t" %
            ("'" + n.replace("'", "''") + "'", n.replace('"', '""'))
            for n in names)
        for line in self.psql("copy (%s) to stdout with (format csv, "
                              "delimiter e'\\t', quote e'\\x01')" % sql):
            n, _, j = line.partition("\t")
            self.cache[n].append(json.loads(j))
        self.cache[None] = None

    def state(self):
        if self.db is not None:
            r = self.db.execute("select state from _fd_state").fetchall()
            return [x[0] for x in r]
        return self.psql("select state from _fd_state")


def instant(v):
    if not isinstance(v, str):
        return None
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d(?:\.\d+)?)"
                     r"(Z|[+-]\d\d(?::?\d\d)?)?", v)
    if not m:
        return None
    tz = m.group(3) or "Z"
    if tz == "Z":
        tz = "+00:00"
    elif len(tz) == 3:
        tz += ":00"
    elif ":" not in tz:
        tz = tz[:3] + ":" + tz[3:]
    return datetime.datetime.fromisoformat(m.group(1) + "T" + m.group(2) + tz)


def same(want, got):
    """Whether a database value holds a JSON scalar of the truth."""
    if got is None:
        return False
    if isinstance(want, bool):
        return got in (want, int(want)) or str(got).lower() == str(want).lower()
    if isinstance(want, (int, float)):
        try:
            return float(got) == float(want) and (
                not isinstance(want, int) or int(float(got)) == want)
        except (TypeError, ValueError):
            return False
    if isinstance(got, str) and got == want:
        return True
    a, b = instant(want), instant(got) if isinstance(got, str) else None
    if a is not None and b is not None:
        return a == b
    return False


class Check:
    def __init__(self, dest):
        self.dest = dest
        self.diffs = []
        self.expected = {}      # child table: rows expected
        self.seen_ids = {}      # child table: set of _fd_id matched

    def diff(self, msg):
        self.diffs.append(msg)

    def children(self, table, parent_col, parent_id):
        rows = self.dest.rows(table)
        if rows is None:
            return []
        idx = self.dest.cache.setdefault(("idx", table, parent_col), {})
        if not idx:
            for r in rows:
                idx.setdefault(r.get(parent_col), []).append(r)
            idx[("built",)] = True
        return sorted(idx.get(parent_id, []),
                      key=lambda r: int(r.get("_fd_list_idx") or 0))

    def record(self, table, where, rec, row, prefix="", used=None):
        """Compare truth object rec with the row (flattened at prefix): each
        non-null scalar in its column (or a variant column col__v_TYPE), and
        no other non-null column but fd's own _fd_*."""
        top = used is None
        used = set() if top else used
        for k, v in rec.items():
            col = prefix + snake(k)
            if isinstance(v, dict):
                if v:
                    self.record(table, where, v, row, col + "__", used)
            elif isinstance(v, list):
                self.list(table + "__" + col, where + "." + k, v, row)
            elif v is not None:
                got = row.get(col)
                used.add(col)
                if same(v, got):
                    continue
                variants = [c for c in row if c.startswith(col + "__v_")]
                match = [c for c in variants if same(v, row[c])]
                if match:
                    used.update(match)
                    continue
                self.diff("%s %s: column %s: want %r, got %r" %
                          (table, where, col, v, got))
        if top:
            for c in sorted(row):
                if (row[c] is not None and c not in used and
                        not c.startswith("_fd_") and c != "value"):
                    self.diff("%s %s: column %s: %r, not in the truth" %
                              (table, where, c, row[c]))

    def list(self, table, where, items, parent):
        kids = self.children(table, "_fd_parent_id", parent.get("_fd_id"))
        self.expected[table] = self.expected.get(table, 0) + len(items)
        if len(kids) != len(items):
            self.diff("%s %s: %d child rows, want %d" %
                      (table, where, len(kids), len(items)))
            return
        for i, (it, kid) in enumerate(zip(items, kids)):
            if int(kid.get("_fd_list_idx") or 0) != i:
                self.diff("%s %s: _fd_list_idx %r at %d" %
                          (table, where, kid.get("_fd_list_idx"), i))
            if isinstance(it, dict):
                self.record(table, "%s[%d]" % (where, i), it, kid)
            elif isinstance(it, list):
                self.list(table + "__list", "%s[%d]" % (where, i), it, kid)
            elif not same(it, kid.get("value")):
                self.diff("%s %s[%d]: want %r, got %r" %
                          (table, where, i, it, kid.get("value")))

    def root(self, table, truth):
        rows = self.dest.rows(table)
        if rows is None:
            if truth:
                self.diff("%s: no table, want %d rows" % (table, len(truth)))
            return
        if isinstance(truth, dict):
            truth = [truth]
        key = "id" if truth and "id" in truth[0] else None
        byid = {}
        for r in rows:
            k = r.get(key) if key else len(byid)
            if k in byid:
                self.diff("%s: id %s twice" % (table, k))
            byid[k] = r
        want = {(t[key] if key else i): t for i, t in enumerate(truth)}
        for k in sorted(set(byid) - set(want), key=str)[:5]:
            self.diff("%s: id %s not in the truth" % (table, k))
        for k in sorted(set(want) - set(byid), key=str)[:5]:
            self.diff("%s: id %s missing" % (table, k))
        for k, t in want.items():
            if k in byid:
                self.record(table, "id %s" % k, t, byid[k])

    def child_totals(self):
        """No child row beyond those the truth's lists account for."""
        for table, n in sorted(self.expected.items()):
            rows = self.dest.rows(table)
            got = len(rows) if rows is not None else 0
            if got != n:
                self.diff("%s: %d rows, want %d" % (table, got, n))


def fetch_json(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.load(r)


# per-ticket endpoints: fd-fetch reads conversations for every ticket (the
# spam and deleted ones on passes of their own), time entries for the
# tickets of the tickets pass only (the API has none for spam or deleted)
PER_TICKET = ("time_entries",)


def compare(sim, dest, endpoints):
    c = Check(dest)
    live = None
    for e in endpoints:
        t = fetch_json("%s/_sim/truth/%s" % (sim, TRUTH_NAME.get(e, e)))
        if e == "tickets" and any(r.get("archived") for r in t):
            # an archived ticket is read from the archive, whose answer
            # is the single ticket's view (description, attachments)
            arch = {r["id"]: r for r in
                    fetch_json(sim + "/_sim/truth/archived_tickets")}
            t = [arch.get(r["id"], r) if r.get("archived") else r
                 for r in t]
        if e in PER_TICKET:
            if live is None:
                live = {r["id"] for r in fetch_json(sim + "/_sim/truth/tickets")
                        if not r.get("spam") and not r.get("deleted")}
            t = [r for r in t if r["ticket_id"] in live]
        c.root(e, t)
    c.child_totals()
    return c.diffs


# which truth records a bookmark's pass reads
PASSES = {
    "tickets": ("tickets", lambda r: not r.get("spam") and not r.get("deleted")),
    "tickets:spam": ("tickets", lambda r: bool(r.get("spam")) and not r.get("deleted")),
    "tickets:deleted": ("tickets", lambda r: bool(r.get("deleted"))),
    "contacts": ("contacts", lambda r: r.get("fd_state") == "active"),
    "contacts:deleted": ("contacts", lambda r: bool(r.get("deleted"))),
    "contacts:blocked": ("contacts", lambda r: r.get("fd_state") == "blocked"),
}


def covered(state_text, sim, dest):
    c = Check(dest)
    if state_text.strip() == "":
        return []
    state = json.loads(state_text)
    truth = dest.truth
    for name, bm in sorted((state.get("bookmarks") or {}).items()):
        if name not in PASSES or "updated_at" not in bm:
            continue
        ep, sel = PASSES[name]
        if ep not in truth:
            truth[ep] = fetch_json("%s/_sim/truth/%s" % (sim, ep))
        cur = instant(bm["updated_at"])
        at = set(bm.get("ids_at_cursor") or [])
        # seconds the bookmark still lists to re-read: of those, only
        # the ids it names are claimed
        pending = {}
        for g in bm.get("seconds") or []:
            pending[instant(g["updated_at"])] = set(g.get("ids") or [])
        rows = {r.get("id"): r for r in (dest.rows(ep) or [])}
        for t in truth[ep]:
            u = instant(t["updated_at"])
            if not sel(t) or not (u < cur or (u == cur and t["id"] in at)):
                continue
            if u in pending and t["id"] not in pending[u]:
                continue
            if t["id"] not in rows:
                c.diff("%s: bookmark %s at %s, id %s (updated %s) missing" %
                       (ep, name, bm["updated_at"], t["id"], t["updated_at"]))
            elif not same(t["updated_at"], rows[t["id"]].get("updated_at")):
                c.diff("%s: bookmark %s at %s, id %s at %s, want %s" %
                       (ep, name, bm["updated_at"], t["id"],
                        rows[t["id"]].get("updated_at"), t["updated_at"]))
    return c.diffs


def read_state(st):
    if not st.lstrip().startswith("{"):
        try:
            with open(st) as f:
                st = f.read()
        except FileNotFoundError:
            st = ""
    return st


def killed(statefile, sim, dest):
    f = read_state(statefile)
    try:
        d = dest.state() if "_fd_state" in dest.tables() else []
    except (subprocess.CalledProcessError, sqlite3.Error):
        d = []
    d = d[0] if d else ""
    print(d, file=sys.stderr)
    diffs = []
    if f.strip() and not d.strip():
        diffs.append("state file %s, nothing committed" % f.strip())
    elif f.strip():
        fb = json.loads(f).get("bookmarks") or {}
        db = json.loads(d).get("bookmarks") or {}
        for k, v in sorted(fb.items()):
            a = instant(v.get("updated_at"))
            b = instant((db.get(k) or {}).get("updated_at"))
            if a is not None and (b is None or a > b):
                diffs.append("bookmark %s: state file at %s, _fd_state at %s"
                             % (k, v.get("updated_at"),
                                (db.get(k) or {}).get("updated_at")))
    for name, st in (("state file", f), ("_fd_state", d)):
        diffs += ["%s: %s" % (name, x) for x in covered(st, sim, dest)]
    return diffs


def main(argv):
    try:
        if len(argv) >= 5 and argv[1] == "--killed":
            diffs = killed(argv[2], argv[3].rstrip("/"), Dest(argv[4]))
        elif len(argv) >= 5 and argv[1] == "--covered":
            diffs = covered(read_state(argv[2]), argv[3].rstrip("/"), Dest(argv[4]))
        elif len(argv) >= 3:
            diffs = compare(argv[1].rstrip("/"), Dest(argv[2]),
                            argv[3:] or DEFAULT)
        else:
            print(__doc__.strip(), file=sys.stderr)
            return 2
    except (OSError, subprocess.CalledProcessError, sqlite3.Error) as e:
        print("truth.py: %s" % e, file=sys.stderr)
        if isinstance(e, subprocess.CalledProcessError):
            sys.stderr.write(e.stderr or "")
        return 2
    for d in diffs[:20]:
        print(d)
    if len(diffs) > 20:
        print("... %d differences in all" % len(diffs))
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
