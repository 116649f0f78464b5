/*
 * pg.c: the PostgreSQL destination, through libpq: a dialect of the SQL
 * core (sql.h), whose rows go as COPY text from a writer thread.
 *
 * One transaction is open from commit to commit.  Rows are not inserted
 * one by one: each table's rows wait as COPY text (FORMAT text) in
 * memory and go to the server in one COPY ... FROM STDIN per table at a
 * flush: before each commit, before a table changes, at
 * ACTIVATE_VERSION, and when several MB wait (then only before a root
 * row, so that a record and its child rows are flushed together).
 *
 * Append tables are copied into directly.  The tables of a replace
 * chain are copied into temporary twins (_fd_tmp_N, made LIKE the
 * table, so with the table's own column types), which keep their rows
 * until ACTIVATE_VERSION swaps them in.  A merge root's batch replaces,
 * by key, the table's rows and their child rows (by _fd_root_id): the
 * batch's keys go to a temporary table of the key columns, the rows of
 * those keys and their child rows are deleted, and the batch's rows are
 * copied into the tables directly (merge).  That needs the keys of a
 * batch to be distinct, so a root row whose key the batch has starts a
 * new one.  A batch that cannot go so goes the slow way: into twins
 * with one more column, _fd_seq, the order of the root rows, which
 * their child rows share, and from there into the tables, the latest
 * row of a key winning.
 *
 * fd's own tables are the core's: _fd_loads, _fd_state (written in the
 * transaction of the data it covers) and _fd_tables.  A STATE fd-load.c
 * holds (pg_hold) waits in memory with a mark of the rows it covers,
 * and goes with the next batch to commit.  A session advisory lock
 * keeps a second fd-load out of the same database.  A state is told
 * durable (to the state file) only after its COMMIT has returned; that
 * the commit then survives a crash of the server is the server's
 * synchronous_commit, and fd-load warns when it is off.
 * Messages never show the connection string (it may hold a password).
 */
#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "buf.h"
#include "diag.h"
#include "jscan.h"
#include "map.h"
#include "ranges.h"
#include "extern.h"
#include "sql.h"
#include "writer.h"

#define PG_NAMELEN	63		/* NAMEDATALEN - 1 */
#define PG_NAMESHOWN	20		/* bytes of a long name a message shows */
#define PG_FLUSH_BYTES	(4u << 20)	/* COPY text waiting, all tables */
#define PG_LOCK_KEY	"1717922412"	/* "fd-l": fd-load's advisory lock */
#define PG_LOCK_TRIES	20		/* waits for another load's lock ... */
#define PG_LOCK_WAIT_NS	100000000L	/* ... of this long each */
#define PG_ERRPREFIX	"ERROR:  "	/* libpq's, dropped from messages */
#define PG_IDS_CHUNK	(64u << 10)	/* COPY text of ids sent at once */

/*
 * A table's rows of one batch: COPY text, of ncopy columns (without
 * _fd_seq); of a merge chain, each row's _fd_seq beside it (a long
 * long each) and, of its root, each root row's key as COPY text; how
 * much of them the held STATE covers.
 */
struct side {
	struct fd_buf	 copy;
	struct fd_buf	 seqs;
	struct fd_buf	 keys;
	size_t		 ncopy;
	size_t		 rows;
	int		 slow;		/* merge root: the batch goes through
					 * the twins (merge_slow) */
	size_t		 mark, markrows, seqmark, keymark;
};

/* What the destination keeps per table. */
struct ptable {
	struct side	 side[2];	/* being filled, being sent */
	int		 via;		/* rows go through the twin */
	int		 viaseq;	/* ... with _fd_seq: a merge chain */
	struct ptable	*rootp;		/* viaseq: the root's, for _fd_seq */
	int		 twin;		/* its temporary twin's number, or 0 */
	int		 seq;		/* the twin has _fd_seq (merge) */
	int		 filled;	/* the twin holds rows */
	long long	 curseq;	/* merge root: its last row's _fd_seq */
	int		 ktwin;		/* merge root: its keys' twin, or 0 */
	char		*kcols;		/* ... made of these key columns */
	struct fd_map	*batch;		/* merge root: the keys of its rows
					 * in side[fill] (main thread) */
	struct fd_map	*dbcols;	/* the table's columns -> type (malloc'd) */
};

/*
 * The connection is used by one thread at a time: the writer thread
 * while a batch is being sent (job), else the main thread, which waits
 * for the writer to be idle (idle()) before any statement of its own.
 * The main thread fills side[fill] of every table meanwhile; d->sql
 * (the core's buffers) is the writer's during a job, d->val always the
 * main thread's.
 */
struct dest {
	struct sql	 sql;		/* the core's handle */
	PGconn		*c;
	char		*load_id;
	struct fd_map	*tables;	/* name -> struct table (all told) */
	struct fd_buf	 val;
	struct fd_buf	 key;		/* the root row's key (main thread) */
	struct fd_buf	 seqd;		/* COPY text with _fd_seq (writer) */
	size_t		 waiting;	/* bytes of COPY text in side[fill] */
	long long	 seq;		/* merge root rows so far */
	int		 ntwins;
	int		 fill;		/* the side the main thread fills */

	struct writer	 w;		/* its job: send side[!fill] */
	char		*jobstate;	/* commit the batch with it, or NULL */
	int		 jobcommit;
	char		*held;		/* a STATE not committed yet */
	long long	 uncommitted;	/* rows written, not in a commit's job */
	long long	 heldrows;	/* ... when the STATE was held */
	long long	 jobrows;	/* rows the job commits */
	long long	 committed;	/* rows committed (_fd_loads.rows) */
	double		 released;	/* when release() last committed it */
	char		*durable;	/* the state of the last commit */
	char		*reported;	/* the last one take_durable gave */
	long long	 changes;	/* rows the last statement changed */
};

static void	 write_job(void *);
static void	 job_done(void *);

/* The first line of libpq's message, for one-line diagnostics. */
static const char *
pgmsg(const char *m)
{
	static char line[FD_ERRSZ];
	size_t n, skip = strlen(PG_ERRPREFIX);

	if (m == NULL)
		m = "";
	n = strcspn(m, "\n");
	snprintf(line, sizeof(line), "%.*s", (int)n, m);
	if (strncmp(line, PG_ERRPREFIX, skip) == 0)
		memmove(line, line + skip, strlen(line + skip) + 1);
	return *line ? line : "unknown error";
}

/*
 * Dies: the connection closes, and the server rolls back.  In the
 * writer thread the message is left for the main thread, which dies
 * with it when it next waits for the writer.  Clears r.
 */
static void __attribute__((noreturn))
fail(struct dest *d, const char *what, PGresult *r)
{
	char m[FD_ERRSZ], ctx[FD_ERRSZ] = "";
	const char *c;

	snprintf(m, sizeof(m), "%s", pgmsg(r != NULL ?
	    PQresultErrorMessage(r) : PQerrorMessage(d->c)));
	if (r != NULL && (c = PQresultErrorField(r, PG_DIAG_CONTEXT)) != NULL)
		snprintf(ctx, sizeof(ctx), " (%s)", pgmsg(c));
	PQclear(r);	/* the writer thread ends here, not the process */
	if (writer_self(&d->w)) {
		char wm[sizeof(d->w.errmsg)];

		snprintf(wm, sizeof(wm), "postgresql: %.200s: %s%s", what, m,
		    ctx);
		writer_fail(&d->w, wm);
	}
	errx(FD_EXIT_FAIL, "postgresql: %s: %s%s", what, m, ctx);
}

/* Runs sql, which must succeed; returns its result (caller clears). */
static PGresult *
query(struct dest *d, const char *what, const char *sql, int n,
    const char *const *params)
{
	PGresult *r;
	ExecStatusType s;

	r = n > 0 ? PQexecParams(d->c, sql, n, NULL, params, NULL, NULL, 0) :
	    PQexec(d->c, sql);
	s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		fail(d, what, r);
	return r;
}

/*
 * The dialect's run.  No statement runs while a result is held, and
 * row only copies: a failure in the writer thread ends only the
 * thread, and a result held on its stack would leak.
 */
static void
pg_run(void *conn, const char *what, const char *sql, int n,
    const char *const *params, void (*row)(void *, const char *const *),
    void *arg)
{
	const char *v[SQL_ROW_COLS];
	PGresult *r;
	int i, k, ncol;

	r = query(conn, what, sql, n, params);
	((struct dest *)conn)->changes = strtoll(PQcmdTuples(r), NULL, 10);
	ncol = PQnfields(r);
	if (ncol > SQL_ROW_COLS)
		ncol = SQL_ROW_COLS;
	for (i = 0; row != NULL && i < PQntuples(r); i++) {
		memset(v, 0, sizeof(v));
		for (k = 0; k < ncol; k++)
			if (!PQgetisnull(r, i, k))
				v[k] = PQgetvalue(r, i, k);
		row(arg, v);
	}
	PQclear(r);
}

static void
exec(struct dest *d, const char *what, const char *sql)
{
	sql_run(&d->sql, what, sql, 0, NULL);
}

static long long
pg_changes(void *conn)
{
	return ((struct dest *)conn)->changes;
}

/* What a column of PostgreSQL type ty (format_type) takes; others
 * (jsonb, a type of the user's) take any. */
static const struct sql_takes pg_takes[] = {
	{ "bigint", FD_COL_BIT(FD_COL_BIGINT) },
	{ "double precision", FD_COL_BIT(FD_COL_DOUBLE) |
	    FD_COL_BIT(FD_COL_BIGINT) },
	{ "boolean", FD_COL_BIT(FD_COL_BOOL) },
	{ "text", FD_COL_ANY & ~FD_COL_BIT(FD_COL_BOOL) },
	{ "timestamp with time zone", FD_COL_BIT(FD_COL_TIMESTAMP) },
	{ "numeric", FD_COL_BIT(FD_COL_DECIMAL) | FD_COL_BIT(FD_COL_BIGINT) |
	    FD_COL_BIT(FD_COL_DOUBLE) },
};

const struct sql_dialect sql_pg = {
	.name = "postgresql",
	.types = {
		[FD_COL_BIGINT] = "bigint",
		[FD_COL_DOUBLE] = "double precision",
		[FD_COL_BOOL] = "boolean",
		[FD_COL_TEXT] = "text",
		[FD_COL_TIMESTAMP] = "timestamptz",
		[FD_COL_JSON] = "jsonb",
		[FD_COL_DECIMAL] = "numeric",
	},
	.takes = pg_takes,
	.ntakes = sizeof(pg_takes) / sizeof(pg_takes[0]),
	.bktypes = { "text", "integer", "bigint", "timestamptz" },
	.now = "now()",
	.param = "$%zu",
	.upsert = " ON CONFLICT (%s) DO UPDATE SET ",
	.upsert_set = "%1$s = EXCLUDED.%1$s",
	.empty = "TRUNCATE ",
	.catalog = "SELECT attname, format_type(atttypid, atttypmod) FROM "
	    "pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 "
	    "AND NOT attisdropped ORDER BY attnum",
	.catalog_quoted = 1,
	/* index names from the table's oid, which always fit */
	.relid = "SELECT to_regclass($1)::oid",
	.run = pg_run,
	/* no index: COPY goes fast, and the anti-join hashes the set */
	.ids_create = "CREATE TEMPORARY TABLE IF NOT EXISTS \"_fd_ids\" "
	    "(n integer NOT NULL, id bigint NOT NULL)",
	.ids_table = "pg_temp.\"_fd_ids\"",
	.keycols = "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON "
	    "a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) WHERE "
	    "i.indexrelid = to_regclass($1)",
	.changes = pg_changes,
};

/* Warnings of the server as fd-load's own lines; notices are dropped. */
static void
notice(void *arg, const PGresult *r)
{
	const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);

	(void)arg;
	if (sev != NULL && strcmp(sev, "WARNING") == 0)
		remark("postgresql: %s", pgmsg(PQresultErrorMessage(r)));
}

/* Takes the advisory lock, or dies.  A load that just ended or died
 * may hold it a moment longer: its server process exits after the
 * connection closes. */
static void
lock(struct dest *d)
{
	PGresult *r;
	int tries, locked;

	for (tries = 0;; tries++) {
		r = query(d, "lock", "SELECT pg_try_advisory_lock(" PG_LOCK_KEY
		    ", hashtext(current_schema()))", 0, NULL);
		locked = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		PQclear(r);
		if (locked)
			return;
		if (tries == PG_LOCK_TRIES)
			errx(FD_EXIT_FAIL, "postgresql: locked by another "
			    "fd-load (database %s)", PQdb(d->c));
		nanosleep(&(struct timespec){ 0, PG_LOCK_WAIT_NS }, NULL);
	}
}

static struct dest *
pg_open(const char *uri, const char *load_id)
{
	struct dest *d;
	PGresult *r;

	d = xcalloc(1, sizeof(*d));
	d->load_id = xstrdup(load_id);
	if ((d->tables = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	sql_init(&d->sql, &sql_pg, d, d->load_id);
	d->c = PQconnectdb(uri);
	if (d->c == NULL)
		err(FD_EXIT_FAIL, "postgresql");
	if (PQstatus(d->c) != CONNECTION_OK)
		errx(FD_EXIT_FAIL, "postgresql: cannot connect: %s",
		    pgmsg(PQerrorMessage(d->c)));
	PQsetNoticeReceiver(d->c, notice, NULL);
	if (PQsetClientEncoding(d->c, "UTF8") != 0)
		fail(d, "client encoding", NULL);
	/* off: COMMIT returns before the server has the commit on disk,
	 * and the state file, written when it returns, may get ahead of
	 * the data if the server crashes (not if fd-load does) */
	r = query(d, "synchronous_commit", "SHOW synchronous_commit", 0,
	    NULL);
	if (strcmp(PQgetvalue(r, 0, 0), "off") == 0)
		remark("postgresql: synchronous_commit is off: a crash of the "
		    "server can lose commits that the state file records");
	PQclear(r);
	lock(d);
	exec(d, "begin", "BEGIN");
	sql_begin_load(&d->sql);
	writer_start(&d->w, write_job, job_done, d, "postgresql");
	return d;
}

/* The root table of t, when the stream told of it. */
static struct table *
root_of(struct dest *d, const struct table *t)
{
	return fd_map_get(d->tables, t->root, strlen(t->root));
}

/* Whether root r has the column its child rows hang off (_fd_id): a
 * stream not from fd-normalize has no child tables. */
static int
has_fd_id(const struct table *r)
{
	return fd_map_get(r->colidx, "_fd_id", 6) != NULL;
}

/*
 * Where t's rows go, into its ptable (at each of its SCHEMAs, so the
 * rows of a batch are sent as they were routed): through a twin, with
 * _fd_seq when t is of a merge chain (a merge root, or a child table of
 * one with _fd_id), else straight to the table.
 */
static void
route(struct dest *d, struct table *t)
{
	struct ptable *s = t->priv;
	struct table *r;

	s->via = s->viaseq = 0;
	s->rootp = NULL;
	if (t->disp == DISP_REPLACE)
		s->via = 1;
	else if ((r = t->child ? root_of(d, t) : t) != NULL &&
	    TABLE_MERGES(r) && r->priv != NULL &&
	    (!t->child || has_fd_id(r))) {
		s->via = s->viaseq = 1;
		s->rootp = r->priv;
	}
}

static void
twin_name(struct fd_buf *b, const struct ptable *s)
{
	fd_buf_printf(b, "\"_fd_tmp_%d\"", s->twin);
}

/* The COPY text of side b with each row's _fd_seq added, in d->seqd. */
static const struct fd_buf *
with_seq(struct dest *d, const struct side *b)
{
	const char *p = b->copy.data, *end = p + b->copy.len, *nl;
	long long seq;
	size_t j;

	fd_buf_reset(&d->seqd);
	for (j = 0; p < end; j++, p = nl + 1) {
		/* a row is one line: copy_text escapes newlines */
		if ((nl = memchr(p, '\n', end - p)) == NULL ||
		    (j + 1) * sizeof(seq) > b->seqs.len)
			errx(FD_EXIT_FAIL, "postgresql: internal error: rows "
			    "and _fd_seq differ");
		memcpy(&seq, b->seqs.data + j * sizeof(seq), sizeof(seq));
		fd_buf_append(&d->seqd, p, nl - p);
		fd_buf_printf(&d->seqd, "\t%lld\n", seq);
	}
	return &d->seqd;
}

/* Runs the COPY ... FROM STDIN in d->sql.stmt with text, for table
 * what (messages). */
static void
copy_in(struct dest *d, const char *what, const struct fd_buf *text)
{
	PGresult *r;

	xbuf_check(text);
	r = PQexec(d->c, xbuf(&d->sql.stmt));
	if (PQresultStatus(r) != PGRES_COPY_IN)
		fail(d, what, r);
	PQclear(r);
	if (PQputCopyData(d->c, text->data, (int)text->len) != 1 ||
	    PQputCopyEnd(d->c, NULL) != 1)
		fail(d, what, NULL);
	while ((r = PQgetResult(d->c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			fail(d, what, r);
		PQclear(r);
	}
}

/*
 * Sends t's COPY text of side k: to its twin with twin (with _fd_seq
 * when t is of a merge chain), else to the table itself.  The text
 * (and the _fd_seq beside it) empties; the rows still count.
 */
static void
copy_out(struct dest *d, struct table *t, int k, int twin)
{
	struct ptable *s = t->priv;
	struct side *b = &s->side[k];
	struct fd_buf *q = &d->sql.stmt;
	int seq = twin && s->viaseq;

	if (b->copy.len == 0)
		return;
	fd_buf_reset(q);
	fd_buf_puts(q, "COPY ");
	if (twin)
		twin_name(q, s);
	else
		sql_ident(q, "", t->name);
	fd_buf_putc(q, ' ');
	sql_column_list(q, t, b->ncopy, seq);
	fd_buf_puts(q, " FROM STDIN");
	copy_in(d, t->name, seq ? with_seq(d, b) : &b->copy);
	if (twin)
		s->filled = 1;
	fd_buf_reset(&b->copy);
	fd_buf_reset(&b->seqs);
}

/* Empties the twin of s, of table what (messages). */
static void
empty_twin(struct dest *d, const char *what, struct ptable *s)
{
	fd_buf_reset(&d->sql.arg);
	twin_name(&d->sql.arg, s);
	sql_empty(&d->sql, what, xbuf(&d->sql.arg));
	s->filled = 0;
}

/* The winning root rows of twin: (_fd_id, _fd_seq), latest per key. */
static void
winners(struct fd_buf *b, const struct table *r)
{
	fd_buf_puts(b, "SELECT DISTINCT ON (");
	sql_key_list(b, r);
	fd_buf_puts(b, ") \"_fd_id\", \"_fd_seq\" FROM ");
	twin_name(b, r->priv);
	fd_buf_puts(b, " ORDER BY ");
	sql_key_list(b, r);
	fd_buf_puts(b, ", \"_fd_seq\" DESC");
}

/*
 * Deletes the rows of root r whose keys are in twin n (r's twin, or
 * its keys' twin) and, with kids, their child rows in those tables, in
 * one statement: the child rows are found by the _fd_ids the root's
 * DELETE returns, so the root table is joined with the twin once, and
 * a batch that replaces no row costs a probe of the key per row.
 * Returns whether a key is twice in twin n; with empty, twin n
 * empties.
 */
static int
merge_delete(struct dest *d, struct table *r, int n, const char *kids,
    int empty)
{
	struct fd_buf *q = &d->sql.stmt;
	const char *c;
	int i;

	fd_buf_reset(q);
	fd_buf_puts(q, "WITH g AS (");
	sql_delete_from(q, "", r->name);
	fd_buf_printf(q, " r USING \"_fd_tmp_%d\" s WHERE ", n);
	sql_key_match(q, r, "r", "s");
	fd_buf_puts(q, *kids != '\0' ? " RETURNING r.\"_fd_id\")" : ")");
	for (i = 0, c = kids; *c != '\0'; c += strlen(c) + 1, i++) {
		fd_buf_printf(q, ", k%d AS (", i);
		sql_delete_from(q, "", c);
		fd_buf_puts(q, " WHERE \"_fd_root_id\" IN (SELECT \"_fd_id\" "
		    "FROM g))");
	}
	fd_buf_printf(q, " SELECT EXISTS (SELECT 1 FROM \"_fd_tmp_%d\" "
	    "GROUP BY ", n);
	sql_key_list(q, r);
	fd_buf_puts(q, " HAVING count(*) > 1)");
	/*
	 * The key's index for each row of the twin, not a hash of the
	 * whole table: without statistics of the twin (a temporary table
	 * has none) the planner would scan the table, at each batch.
	 */
	exec(d, r->name, "SET LOCAL enable_hashjoin = off; "
	    "SET LOCAL enable_mergejoin = off");
	/* not into names: kids are there */
	sql_names(&d->sql, r->name, xbuf(q), 0, NULL, &d->sql.arg);
	/* the twin empties in the same round trip */
	fd_buf_reset(q);
	fd_buf_puts(q, "RESET enable_hashjoin; RESET enable_mergejoin");
	if (empty)
		fd_buf_printf(q, "; TRUNCATE \"_fd_tmp_%d\"", n);
	sql_exec(&d->sql, r->name);
	return d->sql.arg.data[0] == 't';
}

/* Inserts the latest row of each key in r's twin into r. */
static void
merge_insert_root(struct dest *d, struct table *r)
{
	struct fd_buf *q = &d->sql.stmt;

	fd_buf_reset(q);
	sql_insert_into(q, "", r->name, r);
	fd_buf_puts(q, "SELECT DISTINCT ON (");
	sql_key_list(q, r);
	fd_buf_puts(q, ") ");
	sql_select_list(q, r, "");
	fd_buf_puts(q, " FROM ");
	twin_name(q, r->priv);
	fd_buf_puts(q, " ORDER BY ");
	sql_key_list(q, r);
	fd_buf_puts(q, ", \"_fd_seq\" DESC");
	sql_exec(&d->sql, r->name);
}

/*
 * Inserts child table c's twin rows into c: a child row of a root row
 * in r's twin goes in with the latest version; one whose root row went
 * in an earlier batch (a SCHEMA inside the record committed it) goes
 * in as it is.  Then the twin empties.
 */
static void
merge_insert_child(struct dest *d, struct table *r, struct table *c)
{
	struct ptable *cs = c->priv;
	struct fd_buf *q = &d->sql.stmt;

	fd_buf_reset(q);
	sql_insert_into(q, "", c->name, c);
	fd_buf_puts(q, "SELECT ");
	sql_select_list(q, c, "c.");
	fd_buf_puts(q, " FROM ");
	twin_name(q, cs);
	fd_buf_puts(q, " c LEFT JOIN (");
	winners(q, r);
	fd_buf_puts(q, ") w ON c.\"_fd_root_id\" = w.\"_fd_id\" "
	    "WHERE w.\"_fd_id\" IS NULL OR c.\"_fd_seq\" = w.\"_fd_seq\"");
	sql_exec(&d->sql, c->name);
	empty_twin(d, c->name, cs);
}

/* Whether t's rows go with root r's (r's chain). */
static int
in_chain(const struct table *t, const struct table *r)
{
	const struct ptable *s = t->priv;

	return s != NULL && s->viaseq && s->rootp == r->priv;
}

/*
 * Merge root r, side k: its rows replace the table's rows of their
 * keys and those rows' child rows, the latest row of a key winning.
 *
 * The fast way: the keys go to r's keys' twin, the rows of the table
 * and of its children there are deleted, and the batch's rows are
 * copied into the tables themselves.  It needs the batch's keys to be
 * distinct (pg_row starts a new batch before a key seen in it; the
 * server checks too, for values equal but written apart) and every
 * child row's root row to be in the batch (side.slow otherwise).
 *
 * Else, the slow way: the rows go to the twins with their _fd_seq,
 * and from there into the tables (merge_insert_root,
 * merge_insert_child).
 */
static void
merge(struct dest *d, struct table *r, int k)
{
	struct ptable *s = r->priv;
	struct side *b = &s->side[k];
	struct fd_buf *q = &d->sql.stmt;
	struct table *c;
	const char *kids;
	size_t i;
	int slow = b->slow || s->filled, deleted = 0;

	/* in the core's buffer, not malloc'd: a failure here ends the
	 * writer thread, which would leak it; no child rows hang off a
	 * root without _fd_id */
	kids = has_fd_id(r) ? sql_children(&d->sql, r->name) : "";
	if (!slow) {
		fd_buf_reset(q);
		fd_buf_printf(q, "COPY \"_fd_tmp_%d\" (", s->ktwin);
		sql_key_list(q, r);
		fd_buf_puts(q, ") FROM STDIN");
		copy_in(d, r->name, &b->keys);
		slow = merge_delete(d, r, s->ktwin, kids, 1);
		deleted = 1;
	}
	for (i = 0; fd_map_at(d->tables, i, (void **)&c) != NULL; i++)
		if (in_chain(c, r))
			copy_out(d, c, k, slow);
	if (!slow)
		return;
	if (!deleted)
		merge_delete(d, r, s->twin, kids, 0);
	merge_insert_root(d, r);
	for (i = 0; fd_map_at(d->tables, i, (void **)&c) != NULL; i++)
		if (c != r && in_chain(c, r) && ((struct ptable *)c->priv)->filled)
			merge_insert_child(d, r, c);
	empty_twin(d, r->name, s);
}

/* Whether root r's chain has rows in side k, or in its twins. */
static int
chain_rows(struct dest *d, struct table *r, int k)
{
	struct ptable *s;
	struct table *c;
	size_t i;

	for (i = 0; fd_map_at(d->tables, i, (void **)&c) != NULL; i++)
		if (in_chain(c, r) && ((s = c->priv)->side[k].rows > 0 ||
		    s->filled))
			return 1;
	return 0;
}

/* Sends the rows of side k; merge chains are merged into their tables. */
static void
send_side(struct dest *d, int k)
{
	struct ptable *s;
	struct table *t;
	struct side *b;
	size_t i;

	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++)
		if ((s = t->priv) != NULL && !s->viaseq)
			copy_out(d, t, k, s->via);
	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++)
		if ((s = t->priv) != NULL && !t->child && s->viaseq &&
		    chain_rows(d, t, k))
			merge(d, t, k);
	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++) {
		if ((s = t->priv) == NULL)
			continue;
		b = &s->side[k];
		b->rows = b->mark = b->markrows = b->seqmark = b->keymark = 0;
		b->slow = 0;
		fd_buf_reset(&b->keys);
	}
}

/* Commits the open transaction with state (or none) and rows more
 * rows, opens the next. */
static void
commit_now(struct dest *d, const char *state, long long rows)
{
	if (state != NULL)
		sql_state(&d->sql, state);
	sql_load_rows(&d->sql, d->committed + rows);
	exec(d, "commit", "COMMIT");
	d->committed += rows;
	exec(d, "begin", "BEGIN");
}

/* The writer's job: the batch sent, committed when it commits. */
static void
write_job(void *arg)
{
	struct dest *d = arg;

	send_side(d, !d->fill);
	if (d->jobcommit)
		commit_now(d, d->jobstate, d->jobrows);
}

/* After it (under the writer's mu): the state it made durable. */
static void
job_done(void *arg)
{
	struct dest *d = arg;

	if (d->jobcommit && d->jobstate != NULL) {
		free(d->durable);	/* superseded, never told */
		d->durable = d->jobstate;
		d->jobstate = NULL;
	}
}

/* The side being filled is new: no merge root has a key in it. */
static void
forget_keys(struct dest *d)
{
	struct table *t;
	struct ptable *s;
	size_t i;

	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++)
		if ((s = t->priv) != NULL && s->batch != NULL) {
			fd_map_free(s->batch);
			s->batch = NULL;
		}
}

/*
 * Hands the rows filled so far to the writer, to be sent (and, if
 * commit, committed with state, a malloc'd copy taken over) while the
 * main thread fills the other side.
 */
static void
submit(struct dest *d, int commit, char *state)
{
	writer_idle(&d->w);
	forget_keys(d);
	d->fill = !d->fill;
	d->waiting = 0;
	d->jobcommit = commit;
	d->jobstate = state;
	if (commit) {
		d->jobrows = d->uncommitted;
		d->uncommitted = 0;
	}
	writer_go(&d->w);
}

/* Commits the held STATE with the rows filled so far (before the rows
 * of the filling side leave it otherwise). */
static void
release(struct dest *d)
{
	if (d->held != NULL) {
		submit(d, 1, d->held);
		d->held = NULL;
		d->released = now();
	}
}

static double
pg_released(struct dest *d)
{
	return d->released;
}

/* Sends the rows filled so far now, in the main thread. */
static void
flush(struct dest *d)
{
	writer_idle(&d->w);
	send_side(d, d->fill);
	forget_keys(d);
	d->waiting = 0;
}

/* Makes the temporary twin of t, or adds t's new columns to it. */
static void
twin(struct dest *d, struct table *t, int seq)
{
	struct ptable *s = t->priv;
	struct fd_buf *q = &d->sql.stmt;
	const char *ty;
	size_t i;

	if (s->twin == 0) {
		s->twin = ++d->ntwins;
		s->seq = seq;
		fd_buf_reset(q);
		fd_buf_puts(q, "CREATE TEMPORARY TABLE ");
		twin_name(q, s);
		fd_buf_puts(q, " (LIKE ");
		sql_ident(q, "", t->name);
		fd_buf_puts(q, seq ? ", \"_fd_seq\" bigint)" : ")");
		sql_exec(&d->sql, t->name);
		return;
	}
	if (seq && !s->seq) {
		fd_buf_reset(q);
		fd_buf_puts(q, "ALTER TABLE ");
		twin_name(q, s);
		fd_buf_puts(q, " ADD COLUMN \"_fd_seq\" bigint");
		sql_exec(&d->sql, t->name);
		s->seq = 1;
	}
	/* the table's columns, with its types; those there are kept */
	for (i = 0; i < t->ncols; i++) {
		if ((ty = fd_map_get(s->dbcols, t->cols[i].name,
		    strlen(t->cols[i].name))) == NULL)
			continue;
		fd_buf_reset(q);
		fd_buf_puts(q, "ALTER TABLE ");
		twin_name(q, s);
		fd_buf_puts(q, " ADD COLUMN IF NOT EXISTS ");
		sql_ident(q, "", t->cols[i].name);
		fd_buf_printf(q, " %s", ty);
		sql_exec(&d->sql, t->name);
	}
}

/*
 * Makes merge root t's keys' twin, of its key columns with the table's
 * types, or makes it again when the key columns are others (the keys
 * the batch has so far are then of the old ones: it merges the slow
 * way).
 */
static void
key_twin(struct dest *d, struct table *t)
{
	struct ptable *s = t->priv;
	struct fd_buf *q = &d->sql.stmt, kc = FD_BUF_INIT;

	sql_key_list(&kc, t);
	xbuf_check(&kc);
	if (s->ktwin != 0 && strcmp(s->kcols, kc.data) == 0) {
		fd_buf_free(&kc);
		return;
	}
	if (s->ktwin != 0) {
		fd_buf_reset(q);
		fd_buf_printf(q, "DROP TABLE \"_fd_tmp_%d\"", s->ktwin);
		sql_exec(&d->sql, t->name);
		s->side[d->fill].slow = 1;
	} else
		s->ktwin = ++d->ntwins;
	fd_buf_reset(q);
	fd_buf_printf(q, "CREATE TEMPORARY TABLE \"_fd_tmp_%d\" AS SELECT %s "
	    "FROM ", s->ktwin, kc.data);
	sql_ident(q, "", t->name);
	fd_buf_puts(q, " WITH NO DATA");
	sql_exec(&d->sql, t->name);
	free(s->kcols);
	if ((s->kcols = fd_buf_take(&kc)) == NULL)
		err(FD_EXIT_FAIL, NULL);
}

/* Dies when t's name or a column's is longer than PostgreSQL keeps. */
static void
check_names(const struct table *t)
{
	char b[PG_NAMESHOWN + sizeof("...")];
	const char *name;
	size_t i;

	for (i = 0; i <= t->ncols; i++) {
		name = i == 0 ? t->name : t->cols[i - 1].name;
		if (strlen(name) > PG_NAMELEN)
			errx(FD_EXIT_FAIL, "postgresql: table %s: the name %s "
			    "is longer than PostgreSQL's %d bytes "
			    "(fd-normalize --max-length %d shortens names)",
			    showname(t->name), fd_diag_name(b, sizeof(b), name,
			    strlen(name)), PG_NAMELEN, PG_NAMELEN);
	}
}

/* The table's columns in the database, as the twin copies them. */
static void
read_columns(struct dest *d, struct table *t)
{
	struct ptable *s = t->priv;

	sql_columns_free(s->dbcols);
	if ((s->dbcols = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	sql_columns(&d->sql, "", t->name, s->dbcols);
}

/* The first column of query sql's first row (n parameters) into b,
 * NUL-terminated: "" when there is none. */
static const char *
pg_value(struct dest *d, const char *what, const char *sql, int n,
    const char *const *params, struct fd_buf *b)
{
	sql_names(&d->sql, what, sql, n, params, b);
	return b->data;
}

/*
 * A merge root's key as a constraint: the table gets a real primary key
 * (UNIQUE when it has a primary key of its own), named as the core's
 * index of the key ("_fd_key_<oid>", which a reconcile reads the key
 * from).  A table an earlier fd-load made has that index alone: it
 * becomes the constraint when the rows allow (no key twice, none
 * null), else it stays, with a remark.  Other tables get the core's
 * indexes.
 */
static void
pg_key(struct dest *d, struct table *t)
{
	struct fd_buf tq = FD_BUF_INIT, iq = FD_BUF_INIT, v = FD_BUF_INIT;
	struct fd_buf *q = &d->sql.stmt;
	const char *p[1];
	size_t k;
	int pkey;

	if (!TABLE_MERGES(t)) {
		sql_indexes(&d->sql, t);
		return;
	}
	sql_ident(&tq, "", t->name);
	p[0] = xbuf(&tq);
	fd_buf_puts(&iq, "_fd_key_");
	fd_buf_puts(&iq, pg_value(d, t->name, "SELECT to_regclass($1)::oid",
	    1, p, &v));
	fd_buf_reset(&v);
	sql_ident(&v, "", xbuf(&iq));
	fd_buf_reset(&iq);
	fd_buf_puts(&iq, xbuf(&v));	/* the index's name, quoted */
	p[0] = xbuf(&iq);
	if (strcmp(pg_value(d, t->name, "SELECT i.indisunique FROM pg_index i "
	    "WHERE i.indexrelid = to_regclass($1)", 1, p, &v), "t") == 0)
		goto out;
	/* a key twice, or null, in the rows there */
	fd_buf_reset(q);
	fd_buf_puts(q, "SELECT 1 FROM ");
	fd_buf_puts(q, xbuf(&tq));
	fd_buf_puts(q, " WHERE ");
	for (k = 0; k < t->nkeys; k++) {
		fd_buf_puts(q, k > 0 ? " OR " : "");
		sql_ident(q, "", t->keys[k]);
		fd_buf_puts(q, " IS NULL");
	}
	fd_buf_puts(q, " UNION ALL (SELECT 1 FROM ");
	fd_buf_puts(q, xbuf(&tq));
	fd_buf_puts(q, " GROUP BY ");
	sql_key_list(q, t);
	fd_buf_puts(q, " HAVING count(*) > 1) LIMIT 1");
	if (*pg_value(d, t->name, xbuf(q), 0, NULL, &v) != '\0') {
		remark("postgresql: table %s: a key is null or in two rows: "
		    "no primary key on it", showname(t->name));
		sql_indexes(&d->sql, t);
		goto out;
	}
	p[0] = xbuf(&tq);
	pkey = *pg_value(d, t->name, "SELECT 1 FROM pg_constraint WHERE "
	    "conrelid = to_regclass($1) AND contype = 'p'", 1, p, &v) == '\0';
	fd_buf_reset(q);
	fd_buf_puts(q, "DROP INDEX IF EXISTS ");
	fd_buf_puts(q, xbuf(&iq));
	sql_exec(&d->sql, t->name);
	fd_buf_reset(q);
	fd_buf_puts(q, "ALTER TABLE ");
	fd_buf_puts(q, xbuf(&tq));
	fd_buf_puts(q, " ADD CONSTRAINT ");
	fd_buf_puts(q, xbuf(&iq));
	fd_buf_puts(q, pkey ? " PRIMARY KEY (" : " UNIQUE (");
	sql_key_list(q, t);
	fd_buf_putc(q, ')');
	sql_exec(&d->sql, t->name);
out:
	fd_buf_free(&tq);
	fd_buf_free(&iq);
	fd_buf_free(&v);
}

static void
pg_columns(struct dest *d, const char *name, struct fd_map *into)
{
	release(d);
	writer_idle(&d->w);
	sql_takes_of(&d->sql, name, into);
}

static void
pg_table(struct dest *d, struct table *t)
{
	struct ptable *s;

	release(d);
	writer_idle(&d->w);
	check_names(t);
	if ((s = t->priv) == NULL)
		t->priv = s = xcalloc(1, sizeof(*s));
	else if (!s->viaseq)
		copy_out(d, t, d->fill, s->via); /* rows of the old columns */
	else if (s->side[d->fill].copy.len > 0) {
		/* ... to the twin: the batch merges the slow way */
		copy_out(d, t, d->fill, 1);
		s->rootp->side[d->fill].slow = 1;
	}
	/* a SCHEMA may come inside a record (a new child table after its
	 * root row): nothing is merged here, only copied */
	sql_schema(&d->sql, t, "");
	read_columns(d, t);
	if (fd_map_put(d->tables, t->name, strlen(t->name), t) == -1)
		err(FD_EXIT_FAIL, NULL);
	sql_register(&d->sql, t);
	pg_key(d, t);
	route(d, t);
	if (s->via)
		twin(d, t, s->viaseq);
	if (s->viaseq && !t->child)
		key_twin(d, t);
	s->side[0].ncopy = s->side[1].ncopy = t->ncols;
}

/* Appends s (n bytes) as a COPY text field. */
static int
copy_text(struct fd_buf *b, const char *s, size_t n, char *errbuf)
{
	size_t i, run;

	for (i = 0; i < n; i += run) {
		/* s is NUL-terminated at n (struct fd_buf) */
		run = strcspn(s + i, "\\\n\r\t");
		if (run > n - i)
			run = n - i;
		fd_buf_append(b, s + i, run);
		if (i + run == n)
			break;
		switch (s[i + run]) {
		case '\0':
			return fd_diag_set(errbuf, "a NUL character (\\u0000), "
			    "which PostgreSQL text cannot hold");
		case '\\':
			fd_buf_puts(b, "\\\\");
			break;
		case '\n':
			fd_buf_puts(b, "\\n");
			break;
		case '\r':
			fd_buf_puts(b, "\\r");
			break;
		default:
			fd_buf_puts(b, "\\t");
		}
		run++;
	}
	return 0;
}

/* Whether JSON text s has the escape \u0000, which jsonb refuses. */
static int
nul_escape(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '\\') {
			if (s[i + 1] == 'u' && i + 5 < n &&
			    memcmp(s + i + 2, "0000", 4) == 0)
				return 1;
			i++;	/* the escaped character */
		}
	return 0;
}

/* Appends column i of t's row as a COPY text field to out; -1 with
 * errbuf set on a value PostgreSQL cannot take. */
static int
field(struct dest *d, const struct table *t, size_t i, struct fd_buf *out,
    char *errbuf)
{
	const struct value *v = &t->vals[i];

	if (v->kind == FD_JTOK_NULL)
		return fd_buf_puts(out, "\\N"), 0;
	if (v->kind == FD_JTOK_TRUE || v->kind == FD_JTOK_FALSE)
		return fd_buf_putc(out, v->kind == FD_JTOK_TRUE ? 't' : 'f'),
		    0;
	fd_buf_reset(&d->val);
	if ((t->cols[i].type == FD_COL_JSON ? value_json(v, &d->val,
	    errbuf) : value_text(v, &d->val, errbuf)) == -1)
		return -1;
	if (t->cols[i].type == FD_COL_JSON &&
	    nul_escape(d->val.data, d->val.len))
		return fd_diag_set(errbuf, "a NUL character (\\u0000), which "
		    "PostgreSQL jsonb cannot hold");
	return copy_text(out, d->val.data, d->val.len, errbuf);
}

/* Merge root t's row's key, as COPY text, into d->key; -1 with errbuf
 * set on a value PostgreSQL cannot take. */
static int
row_key(struct dest *d, const struct table *t, char *errbuf)
{
	size_t k, i;

	fd_buf_reset(&d->key);
	for (k = 0; k < t->nkeys; k++) {
		if (k > 0)
			fd_buf_putc(&d->key, '\t');
		if ((i = t->keyidx[k]) == (size_t)-1)
			fd_buf_puts(&d->key, "\\N");
		else if (field(d, t, i, &d->key, errbuf) == -1) {
			fd_diag_prefix(errbuf, "column %s", t->cols[i].name);
			return -1;
		}
	}
	fd_buf_putc(&d->key, '\n');
	xbuf_check(&d->key);
	return 0;
}

static int
pg_row(struct dest *d, struct table *t, char *errbuf)
{
	struct ptable *s = t->priv;
	struct side *b;
	size_t i, mark;
	long long seq;
	int again = 0;

	/* a merge root row whose key the batch has starts a new batch,
	 * so that a batch's keys are distinct (merge) */
	if (!t->child && s->viaseq) {
		if (row_key(d, t, errbuf) == -1)
			return -1;
		again = s->batch != NULL &&
		    fd_map_get(s->batch, d->key.data, d->key.len) != NULL;
	}
	/* a record and its child rows go in one batch */
	if (!t->child && (again || d->waiting > PG_FLUSH_BYTES)) {
		if (d->held != NULL)
			release(d);
		else
			submit(d, 0, NULL);
	}
	b = &s->side[d->fill];
	mark = b->copy.len;
	for (i = 0; i < t->ncols; i++) {
		if (i > 0)
			fd_buf_putc(&b->copy, '\t');
		if (field(d, t, i, &b->copy, errbuf) == -1)
			goto bad;
	}
	fd_buf_putc(&b->copy, '\t');
	fd_buf_puts(&b->copy, d->load_id);
	fd_buf_putc(&b->copy, '\n');
	if (s->via)
		b->rows++;
	if (s->viaseq && !t->child) {
		s->curseq = ++d->seq;
		fd_buf_append(&b->keys, d->key.data, d->key.len);
		if (s->batch == NULL && (s->batch = fd_map_new()) == NULL)
			err(FD_EXIT_FAIL, NULL);
		if (fd_map_put(s->batch, d->key.data, d->key.len, s) == -1)
			err(FD_EXIT_FAIL, NULL);
	} else if (s->viaseq && s->rootp->side[d->fill].rows == 0)
		/* its root row went in an earlier batch */
		s->rootp->side[d->fill].slow = 1;
	if (s->viaseq) {
		seq = s->rootp->curseq;
		fd_buf_append(&b->seqs, &seq, sizeof(seq));
	}
	d->waiting += b->copy.len - mark;
	d->uncommitted++;
	return 0;
bad:
	fd_diag_prefix(errbuf, "column %s", t->cols[i].name);
	b->copy.len = mark;
	if (b->copy.data != NULL)
		b->copy.data[mark] = '\0';
	return -1;
}

/* Runs fn over the tables of root t's chain (c: NULL for one the
 * stream did not tell of). */
static void
each_in_chain(struct dest *d, struct table *t,
    void (*fn)(struct dest *, const char *, struct table *))
{
	const char *n;
	char *names;

	/* a copy: fn runs statements */
	names = sql_chain(&d->sql, t->name);
	for (n = names; *n != '\0'; n += strlen(n) + 1)
		fn(d, n, n == names ? t : fd_map_get(d->tables, n, strlen(n)));
	free(names);
}

static void
swap_in(struct dest *d, const char *name, struct table *c)
{
	struct ptable *s = c != NULL ? c->priv : NULL;

	fd_buf_reset(&d->sql.arg);
	if (s != NULL && s->twin != 0)
		twin_name(&d->sql.arg, s);
	else
		c = NULL;	/* no rows this version */
	sql_swap_in(&d->sql, name, c, xbuf(&d->sql.arg));
}

static void
pg_activate(struct dest *d, struct table *t)
{
	release(d);
	flush(d);
	each_in_chain(d, t, swap_in);
}

static void
unstage_one(struct dest *d, const char *name, struct table *c)
{
	struct ptable *s = c != NULL ? c->priv : NULL;

	if (s == NULL || s->twin == 0 || c->disp != DISP_REPLACE)
		return;
	d->waiting -= s->side[d->fill].copy.len;
	fd_buf_reset(&s->side[d->fill].copy);
	s->side[d->fill].rows = 0;
	empty_twin(d, name, s);
}

static void
pg_unstage(struct dest *d, struct table *t)
{
	release(d);
	writer_idle(&d->w);
	each_in_chain(d, t, unstage_one);
}

/* The state the writer last committed, if not yet told; kept until the
 * next call. */
static const char *
take_durable(struct dest *d)
{
	pthread_mutex_lock(&d->w.mu);
	if (d->durable != NULL) {
		free(d->reported);
		d->reported = d->durable;
		d->durable = NULL;
		pthread_mutex_unlock(&d->w.mu);
		return d->reported;
	}
	pthread_mutex_unlock(&d->w.mu);
	return NULL;
}

static const char *
pg_settle(struct dest *d, int failing)
{
	struct table *t;
	struct side *b;
	size_t i;

	if (failing && d->held != NULL) {
		/* the rows after the held STATE are not committed */
		for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++) {
			if (t->priv == NULL)
				continue;
			b = &((struct ptable *)t->priv)->side[d->fill];
			b->copy.len = b->mark;
			if (b->copy.data != NULL)
				b->copy.data[b->mark] = '\0';
			b->rows = b->markrows;
			b->seqs.len = b->seqmark;
			b->keys.len = b->keymark;
		}
		d->uncommitted = d->heldrows;
	}
	/* the batch must go before a table changes: it is sent with the
	 * columns as they were */
	release(d);
	writer_idle(&d->w);
	return take_durable(d);
}

/*
 * STATEs faster than COMMIT_GAP (a load from a file, not from the API)
 * are held and committed together: one commit's COPY statements and
 * round trips cost more than a page's rows.  What each table's filling
 * side holds now is what the STATE covers (settle keeps that much).
 */
static const char *
pg_hold(struct dest *d, const char *state)
{
	struct table *t;
	struct side *b;
	size_t i;

	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++) {
		if (t->priv == NULL)
			continue;
		b = &((struct ptable *)t->priv)->side[d->fill];
		b->mark = b->copy.len;
		b->markrows = b->rows;
		b->seqmark = b->seqs.len;
		b->keymark = b->keys.len;
	}
	free(d->held);
	d->held = xstrdup(state);
	d->heldrows = d->uncommitted;
	return take_durable(d);
}

/*
 * The batch goes to the writer, which sends and commits it while the
 * main thread reads the next one; what is reported durable is the
 * batch before (all of them when final).
 */
static void
pg_commit(struct dest *d, const char *state, int final, const char **done)
{
	char *v = NULL;

	if (state != NULL)
		v = xstrdup(state);
	else {
		v = d->held;	/* --batch-rows: the held STATE covers it */
		d->held = NULL;
	}
	free(d->held);
	d->held = NULL;
	submit(d, 1, v);
	if (final)
		writer_idle(&d->w);
	*done = take_durable(d);
}

/* Sends what b holds of a COPY under way; b empties. */
static void
ids_send(struct dest *d, struct fd_buf *b)
{
	xbuf_check(b);
	if (b->len > 0 && PQputCopyData(d->c, b->data, (int)b->len) != 1)
		fail(d, "reconcile", NULL);
	fd_buf_reset(b);
}

/* A part's ids into the session's ids table, by COPY (in the main
 * thread, the writer idle). */
static void
pg_ids(struct dest *d, int set, const char *ranges, size_t len)
{
	char why[FD_ERRSZ];
	struct fd_buf b = FD_BUF_INIT;
	struct fd_ranges r;
	PGresult *res;
	int64_t lo, hi, id;

	writer_idle(&d->w);
	sql_ids(&d->sql);
	res = PQexec(d->c, "COPY pg_temp.\"_fd_ids\" (n, id) FROM STDIN");
	if (PQresultStatus(res) != PGRES_COPY_IN)
		fail(d, "reconcile", res);
	PQclear(res);
	fd_ranges_init(&r, ranges, len);
	while (fd_ranges_next(&r, &lo, &hi, why) == 1)
		for (id = lo;; id++) {
			fd_buf_printf(&b, "%d\t%lld\n", set, (long long)id);
			if (b.len >= PG_IDS_CHUNK)
				ids_send(d, &b);
			if (id == hi)
				break;
		}
	ids_send(d, &b);
	fd_buf_free(&b);
	if (PQputCopyEnd(d->c, NULL) != 1)
		fail(d, "reconcile", NULL);
	while ((res = PQgetResult(d->c)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			fail(d, "reconcile", res);
		PQclear(res);
	}
}

static void
pg_drop(struct dest *d, int set)
{
	writer_idle(&d->w);
	sql_ids_drop(&d->sql, set);
}

/* The rows before it are sent (a held STATE committed with them
 * first), then the set applied in the main thread. */
static int
pg_reconcile(struct dest *d, struct recon *r, char *errbuf)
{
	release(d);
	flush(d);
	sql_ids(&d->sql);
	/* a temporary table has no statistics until it is analyzed */
	exec(d, "reconcile", "ANALYZE pg_temp.\"_fd_ids\"");
	return sql_reconcile(&d->sql, r, errbuf);
}

/* Closes the connection (its advisory lock goes with it) and frees d,
 * its tables' parts included. */
static void
dest_free(struct dest *d)
{
	struct table *t;
	struct ptable *s;
	size_t i;
	int k;

	PQfinish(d->c);
	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++) {
		if ((s = t->priv) == NULL)
			continue;
		for (k = 0; k < 2; k++) {
			fd_buf_free(&s->side[k].copy);
			fd_buf_free(&s->side[k].seqs);
			fd_buf_free(&s->side[k].keys);
		}
		fd_map_free(s->batch);
		free(s->kcols);
		sql_columns_free(s->dbcols);
		free(s);
		t->priv = NULL;
	}
	fd_map_free(d->tables);
	sql_free(&d->sql);
	fd_buf_free(&d->val);
	fd_buf_free(&d->key);
	fd_buf_free(&d->seqd);
	free(d->durable);
	free(d->held);
	free(d->reported);
	free(d->jobstate);
	free(d->load_id);
	free(d);
}

static void
pg_close(struct dest *d, long long rows)
{
	if (d == NULL)
		return;
	flush(d);
	writer_stop(&d->w);
	sql_end_load(&d->sql, rows);
	exec(d, "commit", "COMMIT");
	exec(d, "unlock", "SELECT pg_advisory_unlock(" PG_LOCK_KEY
	    ", hashtext(current_schema()))");
	dest_free(d);
}

/* An empty input: the open transaction (the load's _fd_loads row)
 * rolled back, the connection (and its advisory lock) closed. */
static void
pg_discard(struct dest *d)
{
	writer_stop(&d->w);
	exec(d, "rollback", "ROLLBACK");
	dest_free(d);
}

const struct dest_ops pg_ops = {
	.scheme = "postgresql",
	.open = pg_open,
	.discard = pg_discard,
	.columns = pg_columns,
	.table = pg_table,
	.row = pg_row,
	.activate = pg_activate,
	.unstage = pg_unstage,
	.settle = pg_settle,
	.hold = pg_hold,
	.released = pg_released,
	.commit = pg_commit,
	.ids = pg_ids,
	.drop = pg_drop,
	.reconcile = pg_reconcile,
	.close = pg_close,
};
