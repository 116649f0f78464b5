# pg.bash: a throwaway PostgreSQL server for fd-load's tests, from
# Debian's packages.  "load ../pg" in a suite, then:
#
#   pg_start     initdb + pg_ctl start in a new temporary directory,
#                listening only on a Unix socket there; exports PGHOST,
#                PGPORT, PGUSER, PGDATABASE and FD_PG_URL
#                (postgresql:///fd?host=...)
#   pg_stop      stops it and removes the directory (safe to call twice)
#
# initdb refuses to run as root, so as root the server runs as the
# "postgres" user that Debian's package creates.

pg_bindir() {
	local d
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ]; then
			echo "$d"
			return 0
		fi
	done
	echo "pg.bash: no initdb under /usr/lib/postgresql (apt-get install postgresql)" >&2
	return 1
}

pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

pg_start() {
	local bin
	bin=$(pg_bindir) || return 1
	FD_PG_DIR=$(mktemp -d /tmp/fd-pg.XXXXXX)
	chmod 0755 "$FD_PG_DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$FD_PG_DIR"
	pg_as "$bin/initdb" -D "$FD_PG_DIR/data" -U fd --auth=trust \
	    -E UTF8 --locale=C.UTF-8 >"$FD_PG_DIR/initdb.log" 2>&1 || {
		cat "$FD_PG_DIR/initdb.log" >&2
		return 1
	}
	pg_as "$bin/pg_ctl" -D "$FD_PG_DIR/data" -l "$FD_PG_DIR/server.log" \
	    -w -t 30 -o "-c listen_addresses='' -k $FD_PG_DIR -c fsync=off -p 5432" \
	    start >/dev/null || {
		cat "$FD_PG_DIR/server.log" >&2
		return 1
	}
	export FD_PG_DIR FD_PG_BIN=$bin
	export PGHOST=$FD_PG_DIR PGPORT=5432 PGUSER=fd PGDATABASE=fd
	pg_as "$bin/createdb" -h "$FD_PG_DIR" -U fd fd || return 1
	export FD_PG_URL="postgresql:///fd?host=$FD_PG_DIR&user=fd"
}

pg_stop() {
	[ -n "${FD_PG_DIR:-}" ] && [ -d "$FD_PG_DIR" ] || return 0
	pg_as "$FD_PG_BIN/pg_ctl" -D "$FD_PG_DIR/data" -m immediate -w stop \
	    >/dev/null 2>&1
	rm -rf "$FD_PG_DIR"
	unset FD_PG_DIR
}

# pg_file_start, pg_file_stop: pg_start and pg_stop for a suite's
# setup_file and teardown_file (which do not share variables)
pg_file_start() {
	pg_start || return 1
	echo "$FD_PG_DIR" >"$BATS_FILE_TMPDIR/pg-dir"
}

pg_file_stop() {
	FD_PG_DIR=$(cat "$BATS_FILE_TMPDIR/pg-dir") FD_PG_BIN=$(pg_bindir) pg_stop
}
