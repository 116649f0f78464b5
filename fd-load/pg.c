/*
 * pg.c: the PostgreSQL destination, through libpq.
 *
 * One transaction is open from commit to commit.  Rows are not inserted
 * one by one: each table's rows wait as COPY text (FORMAT text) in
 * memory and go to the server in one COPY ... FROM STDIN per table at a
 * flush: before each commit, before a table changes, at
 * ACTIVATE_VERSION, and when several MB wait (then only before a root
 * row, so that a record and its child rows are flushed together).
 *
 * Append tables are copied into directly.  A merge root and its child
 * tables, and the tables of a replace chain, are copied into temporary
 * twins (_fd_tmp_N, made LIKE the table, so with the table's own
 * column types); a merge twin has one more column, _fd_seq, the order
 * of the root rows, which its child rows share.  At a flush a merge
 * root's twin replaces, by key, the table's rows and their child rows
 * (by _fd_root_id), the latest row of a key winning; a replace chain's
 * twins keep their rows until ACTIVATE_VERSION swaps them in.
 *
 * fd's own tables are those of sqlite.c: _fd_loads, _fd_state (written
 * in the transaction of the data it covers) and _fd_tables.  A session
 * advisory lock keeps a second fd-load out of the same database.  A
 * state is told durable (to the state file) only after its COMMIT has
 * returned; that the commit then survives a crash of the server is the
 * server's synchronous_commit, and fd-load warns when it is off.
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
#include "extern.h"

#define PG_NAMELEN	63		/* NAMEDATALEN - 1 */
#define PG_FLUSH_BYTES	(4u << 20)	/* COPY text waiting, all tables */
#define PG_LOCK_KEY	"1717922412"	/* "fd-l": fd-load's advisory lock */

/* A table's rows of one batch: COPY text, of ncopy columns; how much of
 * it the held STATE covers. */
struct side {
	struct fd_buf	 copy;
	size_t		 ncopy;
	size_t		 rows;
	size_t		 mark, markrows;
};

/* What the destination keeps per table. */
struct ptable {
	struct side	 side[2];	/* being filled, being sent */
	int		 via;		/* rows go through the twin */
	int		 viaseq;	/* ... with _fd_seq: a merge chain */
	struct ptable	*rootp;		/* viaseq: the root's, for _fd_seq */
	int		 twin;		/* its temporary twin's number, or 0 */
	int		 seq;		/* the twin has _fd_seq (merge) */
	long long	 curseq;	/* merge root: its last row's _fd_seq */
	struct fd_map	*dbcols;	/* the table's columns -> type (malloc'd) */
};

/*
 * The connection is used by one thread at a time: the writer thread
 * while a batch is being sent (job), else the main thread, which waits
 * for the writer to be idle (idle()) before any statement of its own.
 * The main thread fills side[fill] of every table meanwhile; d->sql is
 * the writer's during a job, d->val always the main thread's.
 */
struct dest {
	PGconn		*c;
	char		*load_id;
	struct fd_map	*tables;	/* name -> struct table (all told) */
	struct fd_buf	 sql, val;
	struct fd_buf	 kids;		/* children()'s names */
	size_t		 waiting;	/* bytes of COPY text in side[fill] */
	long long	 seq;		/* merge root rows so far */
	int		 ntwins;
	int		 fill;		/* the side the main thread fills */

	pthread_t	 writer;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 job;		/* a batch is being sent */
	int		 quit;
	char		*jobstate;	/* commit the batch with it, or NULL */
	int		 jobcommit;
	char		*held;		/* a STATE not committed yet */
	double		 submitted;	/* when the last batch was committed */
	char		*durable;	/* the state of the last commit */
	char		*reported;	/* the last one take_durable gave */
	int		 failed;
	char		 errmsg[4 * FD_ERRSZ];
};

static void	*writer(void *);

/* The first line of libpq's message, for one-line diagnostics. */
static const char *
pgmsg(const char *m)
{
	static char line[FD_ERRSZ];
	size_t n;

	if (m == NULL)
		m = "";
	n = strcspn(m, "\n");
	snprintf(line, sizeof(line), "%.*s", (int)n, m);
	if (strncmp(line, "ERROR:  ", 8) == 0)
		memmove(line, line + 8, strlen(line + 8) + 1);
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
	if (d->job && pthread_equal(pthread_self(), d->writer)) {
		pthread_mutex_lock(&d->mu);
		snprintf(d->errmsg, sizeof(d->errmsg), "postgresql: %.200s: %s%s",
		    what, m, ctx);
		d->failed = 1;
		pthread_cond_broadcast(&d->cv);
		pthread_mutex_unlock(&d->mu);
		pthread_exit(NULL);
	}
	errx(1, "postgresql: %s: %s%s", what, m, ctx);
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

static void
exec(struct dest *d, const char *what, const char *sql)
{
	PQclear(query(d, what, sql, 0, NULL));
}

static const char *
pgtype(enum fd_coltype t)
{
	static const char *const names[] = { "bigint", "double precision",
	    "boolean", "text", "timestamptz", "jsonb", "numeric" };

	return names[t];
}

/* Warnings of the server as fd-load's own lines; notices are dropped. */
static void
notice(void *arg, const PGresult *r)
{
	const char *sev = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);

	if (sev != NULL && strcmp(sev, "WARNING") == 0)
		warnx("postgresql: %s", pgmsg(PQresultErrorMessage(r)));
}

static struct dest *
pg_open(const char *uri, const char *load_id)
{
	struct dest *d;
	PGresult *r;
	const char *p[1];
	int tries, locked;

	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->load_id = strdup(load_id)) == NULL ||
	    (d->tables = fd_map_new()) == NULL)
		err(1, NULL);
	d->c = PQconnectdb(uri);
	if (d->c == NULL)
		err(1, "postgresql");
	if (PQstatus(d->c) != CONNECTION_OK)
		errx(1, "postgresql: cannot connect: %s",
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
	/* a load that just ended or died may hold it a moment longer: its
	 * server process exits after the connection closes */
	for (tries = 0;; tries++) {
		r = query(d, "lock", "SELECT pg_try_advisory_lock(" PG_LOCK_KEY
		    ", hashtext(current_schema()))", 0, NULL);
		locked = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
		PQclear(r);
		if (locked)
			break;
		if (tries == 20)
			errx(1, "postgresql: locked by another fd-load "
			    "(database %s)", PQdb(d->c));
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	}
	exec(d, "begin", "BEGIN");
	exec(d, "_fd_loads", "CREATE TABLE IF NOT EXISTS _fd_loads (load_id "
	    "text PRIMARY KEY, status text NOT NULL, started_at timestamptz "
	    "NOT NULL, finished_at timestamptz, rows bigint NOT NULL DEFAULT "
	    "0)");
	exec(d, "_fd_state", "CREATE TABLE IF NOT EXISTS _fd_state (id "
	    "integer PRIMARY KEY CHECK (id = 1), state text NOT NULL, "
	    "load_id text NOT NULL, committed_at timestamptz NOT NULL)");
	exec(d, "_fd_tables", "CREATE TABLE IF NOT EXISTS _fd_tables (name "
	    "text PRIMARY KEY, root text NOT NULL, kind text NOT NULL, "
	    "disposition text NOT NULL)");
	p[0] = load_id;
	PQclear(query(d, "_fd_loads", "INSERT INTO _fd_loads (load_id, "
	    "status, started_at) VALUES ($1, 'running', now())", 1, p));
	if (pthread_mutex_init(&d->mu, NULL) != 0 ||
	    pthread_cond_init(&d->cv, NULL) != 0 ||
	    (errno = pthread_create(&d->writer, NULL, writer, d)) != 0)
		err(1, "postgresql: writer thread");
	return d;
}

/* The root table of t, when the stream told of it. */
static struct table *
root_of(struct dest *d, const struct table *t)
{
	return fd_map_get(d->tables, t->root, strlen(t->root));
}

/*
 * Where t's rows go, into its ptable (at each of its SCHEMAs, so the
 * rows of a batch are sent as they were routed): through a twin, with
 * _fd_seq when t is of a merge chain, else straight to the table.
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
	    fd_map_get(r->colidx, "_fd_id", 6) != NULL) {
		s->via = s->viaseq = 1;
		s->rootp = r->priv;
	}
}

/* Reads the table's columns and their types from the catalog. */
static void
db_columns(struct dest *d, const char *prefix, const char *name,
    struct fd_map *into)
{
	PGresult *r;
	const char *p[1];
	char *ty;
	int i;

	fd_buf_reset(&d->val);
	sql_ident(&d->val, prefix, name);
	p[0] = d->val.data;
	r = query(d, name, "SELECT attname, format_type(atttypid, atttypmod) "
	    "FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > "
	    "0 AND NOT attisdropped ORDER BY attnum", 1, p);
	for (i = 0; i < PQntuples(r); i++) {
		const char *c = PQgetvalue(r, i, 0);
		if (fd_map_get(into, c, strlen(c)) != NULL)
			continue;
		if ((ty = strdup(PQgetvalue(r, i, 1))) == NULL ||
		    fd_map_put(into, c, strlen(c), ty) == -1)
			err(1, NULL);
	}
	PQclear(r);
}

static void
free_types(struct fd_map *m)
{
	char *v;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; fd_map_at(m, i, (void **)&v) != NULL; i++)
		free(v);
	fd_map_free(m);
}

/* The column list of t's first n columns, _fd_load_id, maybe _fd_seq. */
static void
columns_n(struct fd_buf *b, const struct table *t, size_t n, int seq)
{
	size_t i;

	fd_buf_putc(b, '(');
	for (i = 0; i < n; i++) {
		sql_ident(b, "", t->cols[i].name);
		fd_buf_puts(b, ", ");
	}
	fd_buf_puts(b, seq ? "\"_fd_load_id\", \"_fd_seq\")" :
	    "\"_fd_load_id\")");
}

/* The same for all of t's columns. */
static void
column_list(struct fd_buf *b, const struct table *t, int seq)
{
	columns_n(b, t, t->ncols, seq);
}

/* The same columns as a select list, each prefixed with x. */
static void
select_list(struct fd_buf *b, const struct table *t, const char *x)
{
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		fd_buf_puts(b, x);
		sql_ident(b, "", t->cols[i].name);
		fd_buf_puts(b, ", ");
	}
	fd_buf_puts(b, x);
	fd_buf_puts(b, "\"_fd_load_id\"");
}

static void
twin_name(struct fd_buf *b, const struct ptable *s)
{
	fd_buf_printf(b, "\"_fd_tmp_%d\"", s->twin);
}

/* Sends t's COPY text of side k to its table or twin. */
static void
copy_out(struct dest *d, struct table *t, int k)
{
	struct ptable *s = t->priv;
	struct side *b = &s->side[k];
	PGresult *r;

	if (b->copy.len == 0)
		return;
	fd_buf_reset(&d->sql);
	fd_buf_puts(&d->sql, "COPY ");
	if (s->via)
		twin_name(&d->sql, s);
	else
		sql_ident(&d->sql, "", t->name);
	fd_buf_putc(&d->sql, ' ');
	columns_n(&d->sql, t, b->ncopy, s->viaseq);
	fd_buf_puts(&d->sql, " FROM STDIN");
	r = PQexec(d->c, d->sql.data);
	if (PQresultStatus(r) != PGRES_COPY_IN)
		fail(d, t->name, r);
	PQclear(r);
	if (PQputCopyData(d->c, b->copy.data, (int)b->copy.len) != 1 ||
	    PQputCopyEnd(d->c, NULL) != 1)
		fail(d, t->name, NULL);
	while ((r = PQgetResult(d->c)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			fail(d, t->name, r);
		PQclear(r);
	}
	fd_buf_reset(&b->copy);
}

/*
 * The child tables of root (of this run and of earlier ones): names one
 * after the other, each NUL-terminated, ended by an empty one, in
 * d->kids (valid until the next call).  No result is held while the
 * caller runs statements: a failure in the writer thread ends only the
 * thread, and a result held on its stack would leak.
 */
static const char *
children(struct dest *d, const char *root)
{
	const char *p[1] = { root };
	PGresult *r;
	int i;

	r = query(d, "_fd_tables", "SELECT name FROM _fd_tables WHERE "
	    "root = $1 AND kind = 'child' ORDER BY name", 1, p);
	fd_buf_reset(&d->kids);
	for (i = 0; i < PQntuples(r); i++) {
		fd_buf_puts(&d->kids, PQgetvalue(r, i, 0));
		fd_buf_putc(&d->kids, '\0');
	}
	fd_buf_putc(&d->kids, '\0');
	PQclear(r);
	return d->kids.data;
}

/* " AND a.k1 = b.k1 AND ..." over the keys of t. */
static void
key_match(struct fd_buf *b, const struct table *t, const char *x,
    const char *y)
{
	size_t i;

	for (i = 0; i < t->nkeys; i++) {
		fd_buf_printf(b, i ? " AND %s." : "%s.", x);
		sql_ident(b, "", t->keys[i]);
		fd_buf_printf(b, " = %s.", y);
		sql_ident(b, "", t->keys[i]);
	}
}

static void
key_list(struct fd_buf *b, const struct table *t)
{
	size_t i;

	for (i = 0; i < t->nkeys; i++) {
		if (i > 0)
			fd_buf_puts(b, ", ");
		sql_ident(b, "", t->keys[i]);
	}
}

/* The winning root rows of twin: (_fd_id, _fd_seq), latest per key. */
static void
winners(struct fd_buf *b, const struct table *r)
{
	fd_buf_puts(b, "SELECT DISTINCT ON (");
	key_list(b, r);
	fd_buf_puts(b, ") \"_fd_id\", \"_fd_seq\" FROM ");
	twin_name(b, r->priv);
	fd_buf_puts(b, " ORDER BY ");
	key_list(b, r);
	fd_buf_puts(b, ", \"_fd_seq\" DESC");
}

/*
 * Merge root r: its twin's rows replace the table's rows of their keys
 * and those rows' children; then the twins of the chain empty.
 */
static void
merge(struct dest *d, struct table *r, int k)
{
	struct ptable *s = r->priv, *cs;
	struct table *c;
	const char *kids, *n;

	kids = children(d, r->name);
	for (n = kids; *n != '\0'; n += strlen(n) + 1) {
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "DELETE FROM ");
		sql_ident(&d->sql, "", n);
		fd_buf_puts(&d->sql, " WHERE \"_fd_root_id\" IN (SELECT "
		    "r.\"_fd_id\" FROM ");
		sql_ident(&d->sql, "", r->name);
		fd_buf_puts(&d->sql, " r JOIN ");
		twin_name(&d->sql, s);
		fd_buf_puts(&d->sql, " s ON ");
		key_match(&d->sql, r, "r", "s");
		fd_buf_putc(&d->sql, ')');
		exec(d, n, d->sql.data);
	}
	fd_buf_reset(&d->sql);
	fd_buf_puts(&d->sql, "DELETE FROM ");
	sql_ident(&d->sql, "", r->name);
	fd_buf_puts(&d->sql, " r USING ");
	twin_name(&d->sql, s);
	fd_buf_puts(&d->sql, " s WHERE ");
	key_match(&d->sql, r, "r", "s");
	exec(d, r->name, d->sql.data);

	fd_buf_reset(&d->sql);
	fd_buf_puts(&d->sql, "INSERT INTO ");
	sql_ident(&d->sql, "", r->name);
	fd_buf_putc(&d->sql, ' ');
	column_list(&d->sql, r, 0);
	fd_buf_puts(&d->sql, " SELECT DISTINCT ON (");
	key_list(&d->sql, r);
	fd_buf_puts(&d->sql, ") ");
	select_list(&d->sql, r, "");
	fd_buf_puts(&d->sql, " FROM ");
	twin_name(&d->sql, s);
	fd_buf_puts(&d->sql, " ORDER BY ");
	key_list(&d->sql, r);
	fd_buf_puts(&d->sql, ", \"_fd_seq\" DESC");
	exec(d, r->name, d->sql.data);

	for (n = kids; *n != '\0'; n += strlen(n) + 1) {
		if ((c = fd_map_get(d->tables, n, strlen(n))) == NULL ||
		    (cs = c->priv) == NULL || cs->twin == 0 ||
		    cs->side[k].rows == 0)
			continue;
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "INSERT INTO ");
		sql_ident(&d->sql, "", c->name);
		fd_buf_putc(&d->sql, ' ');
		column_list(&d->sql, c, 0);
		fd_buf_puts(&d->sql, " SELECT ");
		select_list(&d->sql, c, "c.");
		fd_buf_puts(&d->sql, " FROM ");
		twin_name(&d->sql, cs);
		/* a child row of a root row of this batch goes in with
		 * the latest version; one whose root row went in an
		 * earlier batch (a SCHEMA inside the record committed it)
		 * goes in as it is */
		fd_buf_puts(&d->sql, " c LEFT JOIN (");
		winners(&d->sql, r);
		fd_buf_puts(&d->sql, ") w ON c.\"_fd_root_id\" = w.\"_fd_id\" "
		    "WHERE w.\"_fd_id\" IS NULL OR c.\"_fd_seq\" = "
		    "w.\"_fd_seq\"");
		exec(d, c->name, d->sql.data);
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "TRUNCATE ");
		twin_name(&d->sql, cs);
		exec(d, c->name, d->sql.data);
		cs->side[k].rows = 0;
	}
	fd_buf_reset(&d->sql);
	fd_buf_puts(&d->sql, "TRUNCATE ");
	twin_name(&d->sql, s);
	exec(d, r->name, d->sql.data);
	s->side[k].rows = 0;
}

/* Sends the rows of side k; merge twins are merged into their tables. */
static void
send_side(struct dest *d, int k)
{
	struct table *t;
	size_t i;

	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++)
		if (t->priv != NULL)
			copy_out(d, t, k);
	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++)
		if (t->priv != NULL && !t->child &&
		    ((struct ptable *)t->priv)->viaseq &&
		    ((struct ptable *)t->priv)->side[k].rows > 0)
			merge(d, t, k);
	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++)
		if (t->priv != NULL)
			((struct ptable *)t->priv)->side[k].rows =
			    ((struct ptable *)t->priv)->side[k].mark =
			    ((struct ptable *)t->priv)->side[k].markrows = 0;
}

/* Commits the open transaction with state (or none), opens the next. */
static void
commit_now(struct dest *d, const char *state)
{
	const char *p[2];

	if (state != NULL) {
		p[0] = state;
		p[1] = d->load_id;
		PQclear(query(d, "_fd_state", "INSERT INTO _fd_state (id, "
		    "state, load_id, committed_at) VALUES (1, $1, $2, now()) "
		    "ON CONFLICT (id) DO UPDATE SET state = EXCLUDED.state, "
		    "load_id = EXCLUDED.load_id, committed_at = "
		    "EXCLUDED.committed_at", 2, p));
	}
	exec(d, "commit", "COMMIT");
	exec(d, "begin", "BEGIN");
}

/* The writer thread: sends each batch it is given, commits it. */
static void *
writer(void *arg)
{
	struct dest *d = arg;

	pthread_mutex_lock(&d->mu);
	for (;;) {
		while (!d->job && !d->quit)
			pthread_cond_wait(&d->cv, &d->mu);
		if (d->quit)
			break;
		pthread_mutex_unlock(&d->mu);
		send_side(d, !d->fill);
		if (d->jobcommit)
			commit_now(d, d->jobstate);
		pthread_mutex_lock(&d->mu);
		if (d->jobcommit && d->jobstate != NULL) {
			free(d->durable);	/* superseded, never told */
			d->durable = d->jobstate;
			d->jobstate = NULL;
		}
		d->job = 0;
		pthread_cond_broadcast(&d->cv);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

/* Waits until the writer is idle; dies with its failure. */
static void
idle(struct dest *d)
{
	pthread_mutex_lock(&d->mu);
	while (d->job && !d->failed)
		pthread_cond_wait(&d->cv, &d->mu);
	pthread_mutex_unlock(&d->mu);
	if (d->failed)
		errx(1, "%s", d->errmsg);
}

/*
 * Hands the rows filled so far to the writer, to be sent (and, if
 * commit, committed with state, a malloc'd copy taken over) while the
 * main thread fills the other side.
 */
static void
submit(struct dest *d, int commit, char *state)
{
	idle(d);
	pthread_mutex_lock(&d->mu);
	d->fill = !d->fill;
	d->waiting = 0;
	d->jobcommit = commit;
	d->jobstate = state;
	d->job = 1;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	if (commit)
		d->submitted = now();
}

/* Commits the held STATE with the rows filled so far (before the rows
 * of the filling side leave it otherwise). */
static void
release(struct dest *d)
{
	if (d->held != NULL) {
		submit(d, 1, d->held);
		d->held = NULL;
	}
}

/* Sends the rows filled so far now, in the main thread. */
static void
flush(struct dest *d)
{
	idle(d);
	send_side(d, d->fill);
	d->waiting = 0;
}

/* Makes the temporary twin of t, or adds t's new columns to it. */
static void
twin(struct dest *d, struct table *t, int seq)
{
	struct ptable *s = t->priv;
	const char *ty;
	size_t i;

	if (s->twin == 0) {
		s->twin = ++d->ntwins;
		s->seq = seq;
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "CREATE TEMPORARY TABLE ");
		twin_name(&d->sql, s);
		fd_buf_puts(&d->sql, " (LIKE ");
		sql_ident(&d->sql, "", t->name);
		fd_buf_puts(&d->sql, seq ? ", \"_fd_seq\" bigint)" : ")");
		exec(d, t->name, d->sql.data);
		return;
	}
	if (seq && !s->seq) {
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "ALTER TABLE ");
		twin_name(&d->sql, s);
		fd_buf_puts(&d->sql, " ADD COLUMN \"_fd_seq\" bigint");
		exec(d, t->name, d->sql.data);
		s->seq = 1;
	}
	/* the table's columns, with its types; those there are kept */
	for (i = 0; i < t->ncols; i++) {
		if ((ty = fd_map_get(s->dbcols, t->cols[i].name,
		    strlen(t->cols[i].name))) == NULL)
			continue;
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "ALTER TABLE ");
		twin_name(&d->sql, s);
		fd_buf_puts(&d->sql, " ADD COLUMN IF NOT EXISTS ");
		sql_ident(&d->sql, "", t->cols[i].name);
		fd_buf_printf(&d->sql, " %s", ty);
		exec(d, t->name, d->sql.data);
	}
}

/* What a column of PostgreSQL type ty (format_type) takes. */
static unsigned
accepts(const char *ty)
{
	static const struct {
		const char	*type;
		unsigned	 takes;
	} map[] = {
		{ "bigint", FD_COL_BIT(FD_COL_BIGINT) },
		{ "double precision", FD_COL_BIT(FD_COL_DOUBLE) | FD_COL_BIT(FD_COL_BIGINT) },
		{ "boolean", FD_COL_BIT(FD_COL_BOOL) },
		{ "text", FD_COL_ANY & ~FD_COL_BIT(FD_COL_BOOL) },
		{ "timestamp with time zone", FD_COL_BIT(FD_COL_TIMESTAMP) },
		{ "numeric", FD_COL_BIT(FD_COL_DECIMAL) | FD_COL_BIT(FD_COL_BIGINT) |
		    FD_COL_BIT(FD_COL_DOUBLE) },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(ty, map[i].type) == 0)
			return map[i].takes;
	return FD_COL_ANY;		/* jsonb, or a type of the user's */
}

static void
check_name(const char *table, const char *name)
{
	char b[24];	/* the name's first 20 bytes and "..." */

	if (strlen(name) > PG_NAMELEN)
		errx(1, "postgresql: table %s: the name %s is longer "
		    "than PostgreSQL's %d bytes (fd-normalize --max-length "
		    "%d shortens names)", showname(table),
		    fd_diag_name(b, sizeof(b), name, strlen(name)), PG_NAMELEN,
		    PG_NAMELEN);
}

static void
pg_table(struct dest *d, struct table *t)
{
	release(d);
	struct ptable *s = t->priv;
	PGresult *r;
	const char *p[4];
	size_t i;

	idle(d);
	check_name(t->name, t->name);
	for (i = 0; i < t->ncols; i++)
		check_name(t->name, t->cols[i].name);
	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			err(1, NULL);
		t->priv = s;
	} else
		copy_out(d, t, d->fill);	/* rows of the old columns */
	/* a SCHEMA may come inside a record (a new child table after its
	 * root row): nothing is merged here, only copied */
	free_types(s->dbcols);
	if ((s->dbcols = fd_map_new()) == NULL)
		err(1, NULL);
	db_columns(d, "", t->name, s->dbcols);
	for (i = 0; i < t->ncols; i++) {
		const char *ty = fd_map_get(s->dbcols, t->cols[i].name,
		    strlen(t->cols[i].name));
		t->cols[i].accepts = ty != NULL ? accepts(ty) : 0;
	}
	fd_buf_reset(&d->sql);
	if (fd_map_len(s->dbcols) == 0) {
		fd_buf_puts(&d->sql, "CREATE TABLE ");
		sql_ident(&d->sql, "", t->name);
		fd_buf_puts(&d->sql, " (");
		for (i = 0; i < t->ncols; i++) {
			sql_ident(&d->sql, "", t->cols[i].name);
			fd_buf_printf(&d->sql, " %s, ",
			    pgtype(t->cols[i].type));
		}
		fd_buf_puts(&d->sql, "\"_fd_load_id\" text)");
		exec(d, t->name, d->sql.data);
	} else
		for (i = 0; i < t->ncols; i++) {
			if (fd_map_get(s->dbcols, t->cols[i].name,
			    strlen(t->cols[i].name)) != NULL)
				continue;
			fd_buf_reset(&d->sql);
			fd_buf_puts(&d->sql, "ALTER TABLE ");
			sql_ident(&d->sql, "", t->name);
			fd_buf_puts(&d->sql, " ADD COLUMN ");
			sql_ident(&d->sql, "", t->cols[i].name);
			fd_buf_printf(&d->sql, " %s",
			    pgtype(t->cols[i].type));
			exec(d, t->name, d->sql.data);
		}
	free_types(s->dbcols);
	if ((s->dbcols = fd_map_new()) == NULL)
		err(1, NULL);
	db_columns(d, "", t->name, s->dbcols);
	if (fd_map_put(d->tables, t->name, strlen(t->name), t) == -1)
		err(1, NULL);

	p[0] = t->name;
	p[1] = t->root;
	p[2] = t->child ? "child" : "root";
	p[3] = disp_name(t->disp);
	PQclear(query(d, "_fd_tables", "INSERT INTO _fd_tables VALUES ($1, "
	    "$2, $3, $4) ON CONFLICT (name) DO UPDATE SET root = "
	    "EXCLUDED.root, kind = EXCLUDED.kind, disposition = "
	    "EXCLUDED.disposition", 4, p));

	/* what merge looks rows up by; index names from the table's oid,
	 * which always fit */
	fd_buf_reset(&d->val);
	sql_ident(&d->val, "", t->name);
	p[0] = d->val.data;
	r = query(d, t->name, "SELECT to_regclass($1)::oid", 1, p);
	fd_buf_reset(&d->sql);
	if (TABLE_MERGES(t)) {
		fd_buf_printf(&d->sql, "CREATE INDEX IF NOT EXISTS "
		    "\"_fd_key_%s\" ON ", PQgetvalue(r, 0, 0));
		sql_ident(&d->sql, "", t->name);
		fd_buf_puts(&d->sql, " (");
		key_list(&d->sql, t);
		fd_buf_putc(&d->sql, ')');
	} else if (t->child && fd_map_get(t->colidx, "_fd_root_id", 11)) {
		fd_buf_printf(&d->sql, "CREATE INDEX IF NOT EXISTS "
		    "\"_fd_root_%s\" ON ", PQgetvalue(r, 0, 0));
		sql_ident(&d->sql, "", t->name);
		fd_buf_puts(&d->sql, " (\"_fd_root_id\")");
	}
	PQclear(r);
	if (d->sql.len > 0)
		exec(d, t->name, d->sql.data);
	route(d, t);
	if (s->via)
		twin(d, t, s->viaseq);
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

static int
pg_row(struct dest *d, struct table *t, char *errbuf)
{
	struct ptable *s = t->priv;
	struct side *b;
	const struct value *v;
	size_t i, mark;

	/* a record and its child rows go in one batch */
	if (!t->child && d->waiting > PG_FLUSH_BYTES) {
		if (d->held != NULL)
			release(d);
		else
			submit(d, 0, NULL);
	}
	b = &s->side[d->fill];
	mark = b->copy.len;
	for (i = 0; i < t->ncols; i++) {
		v = &t->vals[i];
		if (i > 0)
			fd_buf_putc(&b->copy, '\t');
		if (v->kind == FD_JTOK_NULL) {
			fd_buf_puts(&b->copy, "\\N");
			continue;
		}
		if (v->kind == FD_JTOK_TRUE || v->kind == FD_JTOK_FALSE) {
			fd_buf_putc(&b->copy, v->kind == FD_JTOK_TRUE ?
			    't' : 'f');
			continue;
		}
		fd_buf_reset(&d->val);
		if ((t->cols[i].type == FD_COL_JSON ? value_json(v, &d->val,
		    errbuf) : value_text(v, &d->val, errbuf)) == -1)
			goto bad;
		if (t->cols[i].type == FD_COL_JSON &&
		    nul_escape(d->val.data, d->val.len)) {
			fd_diag_set(errbuf, "a NUL character (\\u0000), which "
			    "PostgreSQL jsonb cannot hold");
			goto bad;
		}
		if (copy_text(&b->copy, d->val.data, d->val.len,
		    errbuf) == -1)
			goto bad;
	}
	fd_buf_putc(&b->copy, '\t');
	fd_buf_puts(&b->copy, d->load_id);
	if (s->via) {
		if (s->viaseq) {
			if (!t->child)
				s->curseq = ++d->seq;
			fd_buf_printf(&b->copy, "\t%lld", s->rootp->curseq);
		}
		b->rows++;
	}
	fd_buf_putc(&b->copy, '\n');
	d->waiting += b->copy.len - mark;
	return 0;
bad:
	fd_diag_prefix(errbuf, "column %s", t->cols[i].name);
	b->copy.len = mark;
	if (b->copy.data != NULL)
		b->copy.data[mark] = '\0';
	return -1;
}

/* Runs fn over the known tables of root t's chain. */
static void
each_in_chain(struct dest *d, struct table *t,
    void (*fn)(struct dest *, const char *, struct table *))
{
	const char *n;
	char *kids;
	size_t len;

	fn(d, t->name, t);
	/* a copy: fn may ask for children itself */
	n = children(d, t->name);
	len = d->kids.len;
	if ((kids = malloc(len)) == NULL)
		err(1, NULL);
	memcpy(kids, n, len);
	for (n = kids; *n != '\0'; n += strlen(n) + 1)
		fn(d, n, fd_map_get(d->tables, n, strlen(n)));
	free(kids);
}

static void
swap_in(struct dest *d, const char *name, struct table *c)
{
	struct ptable *s = c != NULL ? c->priv : NULL;

	fd_buf_reset(&d->sql);
	fd_buf_puts(&d->sql, "DELETE FROM ");
	sql_ident(&d->sql, "", name);
	exec(d, name, d->sql.data);
	if (s == NULL || s->twin == 0 || c->disp != DISP_REPLACE)
		return;		/* no rows this version */
	fd_buf_reset(&d->sql);
	fd_buf_puts(&d->sql, "INSERT INTO ");
	sql_ident(&d->sql, "", name);
	fd_buf_putc(&d->sql, ' ');
	column_list(&d->sql, c, 0);
	fd_buf_puts(&d->sql, " SELECT ");
	select_list(&d->sql, c, "");
	fd_buf_puts(&d->sql, " FROM ");
	twin_name(&d->sql, s);
	exec(d, name, d->sql.data);
	fd_buf_reset(&d->sql);
	fd_buf_puts(&d->sql, "TRUNCATE ");
	twin_name(&d->sql, s);
	exec(d, name, d->sql.data);
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
	fd_buf_reset(&d->sql);
	fd_buf_puts(&d->sql, "TRUNCATE ");
	twin_name(&d->sql, s);
	exec(d, name, d->sql.data);
}

static void
pg_unstage(struct dest *d, struct table *t)
{
	release(d);
	idle(d);
	each_in_chain(d, t, unstage_one);
}

/* The state the writer last committed, if not yet told; kept until the
 * next call. */
static const char *
take_durable(struct dest *d)
{
	pthread_mutex_lock(&d->mu);
	if (d->durable != NULL) {
		free(d->reported);
		d->reported = d->durable;
		d->durable = NULL;
		pthread_mutex_unlock(&d->mu);
		return d->reported;
	}
	pthread_mutex_unlock(&d->mu);
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
		}
	}
	/* the batch must go before a table changes: it is sent with the
	 * columns as they were */
	release(d);
	idle(d);
	return take_durable(d);
}

/*
 * The batch goes to the writer, which sends and commits it while the
 * main thread reads the next one; what is reported durable is the
 * batch before (all of them when final).
 */
static int
pg_commit(struct dest *d, const char *state, int final, const char **done)
{
	struct table *t;
	struct side *b;
	char *v = NULL;
	size_t i;
	int hold = !final && state != NULL &&
	    now() - d->submitted < COMMIT_GAP;

	if (state != NULL && (v = strdup(state)) == NULL)
		err(1, NULL);
	if (v == NULL && d->held != NULL) {
		v = d->held;	/* --batch-rows: the held STATE covers it */
		d->held = NULL;
	}
	/*
	 * STATEs faster than COMMIT_GAP (a load from a file, not from
	 * the API) are held and committed together: one commit's COPY
	 * statements and round trips cost more than a page's rows.
	 */
	if (hold) {
		for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++) {
			if (t->priv == NULL)
				continue;
			b = &((struct ptable *)t->priv)->side[d->fill];
			b->mark = b->copy.len;
			b->markrows = b->rows;
		}
		free(d->held);
		d->held = v;
		*done = take_durable(d);
		return 0;
	}
	free(d->held);
	d->held = NULL;
	submit(d, 1, v);
	if (final)
		idle(d);
	*done = take_durable(d);
	return 1;
}

static void
pg_close(struct dest *d, long long rows)
{
	struct table *t;
	struct ptable *s;
	const char *p[2];
	char n[32];
	size_t i;

	if (d == NULL)
		return;
	flush(d);
	pthread_mutex_lock(&d->mu);
	d->quit = 1;
	pthread_cond_broadcast(&d->cv);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->writer, NULL);
	snprintf(n, sizeof(n), "%lld", rows);
	p[0] = n;
	p[1] = d->load_id;
	PQclear(query(d, "_fd_loads", "UPDATE _fd_loads SET status = "
	    "'completed', finished_at = now(), rows = $1 WHERE load_id = $2",
	    2, p));
	exec(d, "commit", "COMMIT");
	exec(d, "unlock", "SELECT pg_advisory_unlock(" PG_LOCK_KEY
	    ", hashtext(current_schema()))");
	PQfinish(d->c);
	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++) {
		if ((s = t->priv) == NULL)
			continue;
		fd_buf_free(&s->side[0].copy);
		fd_buf_free(&s->side[1].copy);
		free_types(s->dbcols);
		free(s);
		t->priv = NULL;
	}
	fd_map_free(d->tables);
	fd_buf_free(&d->sql);
	fd_buf_free(&d->kids);
	fd_buf_free(&d->val);
	free(d->durable);
	free(d->held);
	free(d->reported);
	free(d->jobstate);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	free(d->load_id);
	free(d);
}

const struct dest_ops pg_ops = {
	.scheme = "postgresql",
	.open = pg_open,
	.table = pg_table,
	.row = pg_row,
	.activate = pg_activate,
	.unstage = pg_unstage,
	.settle = pg_settle,
	.commit = pg_commit,
	.close = pg_close,
};
