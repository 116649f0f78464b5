#!/bin/sh
# demo.sh: what "make demo" runs once the programs are built.
# For now the programs parse their options only; the demo pipeline
# (simulator -> fd-fetch -> fd-normalize -> fd-load into SQLite) comes
# with the issues that build them.
set -eu
cd "$(dirname "$0")/.."
for p in fd-fetch/fd-fetch fd-normalize/fd-normalize fd-load/fd-load; do
	"$p" --version
done
cat <<'MSG'

fd is built.  The pipeline
    fd-fetch tickets contacts | fd-normalize | fd-load --to sqlite:freshdesk.db
is being written: fd-fetch, fd-normalize and fd-load parse their options
but do not move data yet.  "make demo" will then run the whole pipeline
against the bundled Freshdesk simulator into demo/freshdesk.db.
MSG
