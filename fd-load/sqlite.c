/*
 * sqlite.c: the SQLite destination, a dialect of the SQL core (sql.h):
 * rows bound one by one to prepared statements.
 *
 * One transaction is open from commit to commit.  A STATE fd-load.c
 * holds (sqlite_hold: one less than COMMIT_GAP after the last commit)
 * has its _fd_state row written and a savepoint taken, and the next
 * commit (at a later STATE, at --batch-rows, when the input pauses, or
 * at the end) takes it along; bad input rolls back to the savepoint
 * and commits the held STATE with the rows before it (settle), a crash
 * loses it.  So a load from a file commits a few times a second, not
 * at each page's STATE: each commit writes the pages it touched to the
 * WAL again.  The savepoint's journal is kept in memory (temp_store):
 * on disk it costs a write of every page changed after it.  Each
 * commit is synced (synchronous=FULL: one fdatasync of the WAL) before
 * fd-load.c replaces the state file with what it covers.
 *
 * Rows are written by a second thread, the writer, while the main thread
 * reads and checks the next ones: the main thread turns each row into
 * its values as SQLite binds them (queue_row) and queues them, with the
 * held STATEs in their place among them (sqlite_hold), in a buffer of
 * QUEUE_BYTES; the writer binds, merges and inserts a full buffer while
 * the main thread fills the other.  Every other operation first waits
 * for the writer to be done (drain): the connection is used by one
 * thread at a time, the main thread's only while the writer is idle.
 * A failure of the writer (SQLite's: a full disk, an I/O error) rolls
 * the transaction back there, and the main thread dies with it at its
 * next wait.
 *
 * Tables, columns, indexes and fd's own tables are the core's.  A child
 * table empty when the load first sees it gets its _fd_root_ index at
 * the load's end, or as soon as a merge replaces a root row of its
 * chain (the one statement that looks it up): every row inserted into
 * that index lands on a page of its own (_fd_root_id is a digest), so
 * keeping it up row by row wrote most of the index to the WAL again at
 * each commit, half of a load into a new database.  Made at the end, it
 * is one sort.  A load that dies first leaves the committed rows
 * without it, and the next load that merges into the chain makes it
 * (sqlite_table, merge_statements).
 * Merge: a root row first deletes the child rows of the root row with
 * the same key (by _fd_root_id), then that row, then is inserted; its
 * child rows follow as inserts.  Replace: rows go to a staging table
 * "_fd_stage_<name>"; ACTIVATE_VERSION swaps the staged rows of the
 * whole chain in, in one transaction.  A staging table is an ordinary
 * table (a TEMP one would hold a version's rows in memory: temp_store)
 * made by the load that needs it and dropped at its end; one a load
 * left that died is dropped by the next (drop_stages).
 */
#include <err.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "diag.h"
#include "jscan.h"
#include "map.h"
#include "ranges.h"
#include "state.h"
#include "extern.h"
#include "sql.h"
#include "writer.h"

#define BUSY_MS	10000		/* wait for another writer's lock */
/* 64 MiB of pages (SQLite's default is 2 MiB): a transaction's pages
 * are written to the WAL once, not spilled and read back, and a merge
 * finds the _fd_root_ indexes of its child tables in memory.  Merging
 * 100,000 realistic tickets (890,000 rows) into a database that holds
 * them read 2.1 GB and wrote 1.3 GB with 16 MiB, 0.96 GB and 0.75 GB
 * with 64 MiB (and 2 s between commits).  Memory stays flat: the cache
 * is full at about 80 MB of RSS, 90 MB with the writer's queue. */
#define CACHE_PRAGMA	"PRAGMA cache_size=-65536"
/* While indexes are made (undefer): SQLite's sort of their keys holds
 * as much as the cache in memory, then spills to temporary files. */
#define SORT_CACHE_PRAGMA	"PRAGMA cache_size=-16384"
#define STAGE		"_fd_stage_"	/* a staging table's prefix */
/* glibc gives the top of its heap back to the system once this much of
 * it is free (its default, 128 KiB, grows only with mmap'd blocks): a
 * WAL checkpoint frees its buffers, and the page cache then faults its
 * pages in again, a fifth of a load's time.  Held memory stays within
 * the cache (CACHE_PRAGMA) and the checkpoint's buffers. */
#define TRIM_BYTES	(64 << 20)
/* The rows queued for the writer before it takes them (and as much
 * again that it writes meanwhile). */
#define QUEUE_BYTES	(512u << 10)

/* A queued entry's first byte: a row, or a held STATE. */
enum { Q_ROW = 'R', Q_HOLD = 'H' };
/* A queued value's first byte (then an int64, a double, or a uint32
 * length and the text's bytes). */
enum { V_NULL, V_INT, V_DOUBLE, V_TEXT };
/* A queued row's flags: its statement, whether it merges. */
#define QF_STAGE	0x1
#define QF_MERGE	0x2

/* A value as the writer binds it. */
struct wval {
	int		 kind;		/* V_* */
	sqlite3_int64	 i;
	double		 f;
	const char	*p;
	uint32_t	 len;
};

/* What the destination keeps per table. */
struct stable {
	size_t		 ncols;		/* columns in the statements */
	sqlite3_stmt	*ins;		/* into the table */
	sqlite3_stmt	*stage;		/* into its staging table */
	sqlite3_stmt	*find;		/* merge: the _fd_id of the key's rows */
	sqlite3_stmt	**del;		/* merge: children by _fd_root_id */
	size_t		 ndel;
	sqlite3_stmt	*drop;		/* merge: the key's rows */
	struct fd_buf	 ids;		/* what find found */
	int		 children_dirty;
	int		 staged;	/* rows wait in staging */
	int		 deferred;	/* its _fd_root_ index waits (defer) */
};

struct dest {
	struct sql	 sql;		/* the core's handle */
	sqlite3		*db;
	struct fd_lock	*lock;
	char		*path;
	char		*load_id;
	struct fd_map	*tables;	/* name -> struct table (all known) */
	struct fd_buf	 val;
	char		*held;		/* the STATE written, not committed */
	long long	 rows;		/* rows written (_fd_loads.rows) */
	long long	 heldrows;	/* ... when the STATE was held */
	char		*done;		/* what commit last gave as done */
	size_t		 ndeferred;	/* tables whose index waits */
	/* the writer thread (see the top of this file): its job is
	 * q[!fill] */
	struct writer	 w;
	struct fd_buf	 q[2];		/* q[fill] fills; the other is written */
	int		 fill;
	struct wval	*wv;		/* the writer's row */
	size_t		 nwv;
};

static void	 drain(struct dest *);
static void	 write_queue(void *);

/*
 * Rolls the transaction back and dies with message m: the process, or,
 * on the writer thread, the writer, whose failure the main thread then
 * dies with (idle).
 */
static void __attribute__((noreturn))
die(struct dest *d, const char *m)
{
	sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
	if (writer_self(&d->w))
		writer_fail(&d->w, m);
	errx(FD_EXIT_FAIL, "%s", m);
}

static void __attribute__((noreturn))
fail(struct dest *d, const char *what)
{
	char m[FD_ERRSZ];

	snprintf(m, sizeof(m), "%s: %s: %s", d->path, what,
	    sqlite3_errmsg(d->db));
	die(d, m);
}

static sqlite3_stmt *
prepare(struct dest *d, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		fail(d, sql);
	return st;
}

/* The dialect's run: a failure is told with the statement's text. */
static void
sqlite_run(void *conn, const char *what, const char *sql, int n,
    const char *const *params, void (*row)(void *, const char *const *),
    void *arg)
{
	const char *v[SQL_ROW_COLS];
	struct dest *d = conn;
	sqlite3_stmt *st;
	int i, rc, ncol;

	(void)what;
	st = prepare(d, sql);
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, params[i], -1, SQLITE_STATIC);
	ncol = sqlite3_column_count(st);
	if (ncol > SQL_ROW_COLS)
		ncol = SQL_ROW_COLS;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row == NULL)
			continue;
		memset(v, 0, sizeof(v));
		for (i = 0; i < ncol; i++)
			v[i] = (const char *)sqlite3_column_text(st, i);
		row(arg, v);
	}
	if (rc != SQLITE_DONE)
		fail(d, sql);
	sqlite3_finalize(st);
}

static void
exec(struct dest *d, const char *sql)
{
	sql_run(&d->sql, sql, sql, 0, NULL);
}

static long long
sqlite_changes(void *conn)
{
	return sqlite3_changes64(((struct dest *)conn)->db);
}

/* What SQLite's declared types (as sql_sqlite.types declares them)
 * take; text refuses booleans, which SQLite would keep as 0 and 1. */
static const struct sql_takes sqlite_takes[] = {
	{ "INTEGER", FD_COL_BIT(FD_COL_BIGINT) | FD_COL_BIT(FD_COL_BOOL) },
	{ "REAL", FD_COL_BIT(FD_COL_DOUBLE) | FD_COL_BIT(FD_COL_BIGINT) },
	{ "TEXT", FD_COL_ANY & ~FD_COL_BIT(FD_COL_BOOL) },
};

const struct sql_dialect sql_sqlite = {
	.name = "sqlite",
	.types = {
		[FD_COL_BIGINT] = "INTEGER",
		[FD_COL_BOOL] = "INTEGER",
		[FD_COL_DOUBLE] = "REAL",
		[FD_COL_TEXT] = "TEXT",
		[FD_COL_TIMESTAMP] = "TEXT",
		[FD_COL_JSON] = "TEXT",
		/* NUMERIC would round it through a double */
		[FD_COL_DECIMAL] = "TEXT",
	},
	.takes = sqlite_takes,
	.ntakes = sizeof(sqlite_takes) / sizeof(sqlite_takes[0]),
	.bktypes = { "TEXT", "INTEGER", "INTEGER", "TEXT" },
	.now = "strftime('%Y-%m-%dT%H:%M:%fZ','now')",
	.param = "?%zu",
	.upsert = " ON CONFLICT (%s) DO UPDATE SET ",
	.upsert_set = "%1$s = excluded.%1$s",
	.empty = "DELETE FROM ",
	.catalog = "SELECT name, type FROM pragma_table_info(?1)",
	.catalog_quoted = 0,
	.relid = NULL,
	.run = sqlite_run,
	/* a set's ids in key order: an anti-join is a lookup per row */
	.ids_create = "CREATE TEMP TABLE IF NOT EXISTS \"_fd_ids\" (n INTEGER "
	    "NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (n, id)) WITHOUT ROWID",
	.ids_table = "temp.\"_fd_ids\"",
	.keycols = "SELECT name FROM pragma_index_info(?1)",
	.changes = sqlite_changes,
};

/*
 * Drops every staging table, in the open transaction: at the end of a
 * load (its rows staged before no ACTIVATE_VERSION are never to be
 * activated), and when a load opens the database, those a load left
 * that died (a new version empties its chain's staging too, but only
 * of the tables it knows).  So no staging table stays where users look
 * (.tables) once a load is done.  No statement of them may be running.
 */
static void
drop_stages(struct dest *d)
{
	struct fd_buf names = FD_BUF_INIT;
	const char *n;

	sql_names(&d->sql, "staging", "SELECT name FROM sqlite_master WHERE "
	    "type = 'table' AND substr(name, 1, length('" STAGE "')) = '"
	    STAGE "'", 0, NULL, &names);
	for (n = names.data; *n != '\0'; n += strlen(n) + 1) {
		fd_buf_reset(&d->sql.stmt);
		fd_buf_puts(&d->sql.stmt, "DROP TABLE ");
		sql_ident(&d->sql.stmt, "", n);
		sql_exec(&d->sql, n);
	}
	fd_buf_free(&names);
}

/* The connection's settings, before the first transaction. */
static void
settings(struct dest *d)
{
	sqlite3_busy_timeout(d->db, BUSY_MS);
	exec(d, "PRAGMA journal_mode=WAL");
	/* a commit's WAL frames reach the disk before COMMIT returns, so
	 * before the state file is replaced: NORMAL leaves them to the
	 * next checkpoint, and a power cut in between takes back what the
	 * state file already says (SQLite can change this level only
	 * outside a transaction, and one is always open) */
	exec(d, "PRAGMA synchronous=FULL");
	/* the savepoints' journal (see sqlite_hold) stays in memory */
	exec(d, "PRAGMA temp_store=MEMORY");
	exec(d, CACHE_PRAGMA);
}

static struct dest *
sqlite_open(const char *path, const char *load_id)
{
	char why[FD_ERRSZ];
	struct dest *d;

	if (*path == '\0')
		errx(FD_EXIT_FAIL, "sqlite: no path");
	d = xcalloc(1, sizeof(*d));
	d->path = xstrdup(path);
	d->load_id = xstrdup(load_id);
	if ((d->tables = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	sql_init(&d->sql, &sql_sqlite, d, d->load_id);
	if ((d->lock = fd_state_lock(path, why)) == NULL)
		errx(FD_EXIT_FAIL, "%s", why);
	return d;
}

/* Frees d (the database closed, the writer stopped) and releases its
 * lock. */
static void
dest_free(struct dest *d)
{
	fd_buf_free(&d->q[0]);
	fd_buf_free(&d->q[1]);
	free(d->wv);
	fd_map_free(d->tables);
	free(d->held);
	free(d->done);
	sql_free(&d->sql);
	fd_buf_free(&d->val);
	fd_state_unlock(d->lock);
	free(d->path);
	free(d->load_id);
	free(d);
}

/* The database opened (made if it is not there) at the input's first
 * line: an empty input makes no database. */
static void
sqlite_begin(struct dest *d)
{
	const char *path = d->path;
	int fd;

	/* account data: a new database is the owner's only (0600); SQLite
	 * gives its -wal and -shm files the database's mode */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		err(FD_EXIT_FAIL, "%s", path);
	close(fd);
	/* one thread uses the connection: no locks in SQLite's calls, nor
	 * statistics of its allocations (before SQLite is initialized) */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	mallopt(M_TRIM_THRESHOLD, TRIM_BYTES);
	if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		errx(FD_EXIT_FAIL, "%s: %s", path, d->db ?
		    sqlite3_errmsg(d->db) : "cannot open");
	settings(d);
	exec(d, "BEGIN IMMEDIATE");
	sql_begin_load(&d->sql);
	drop_stages(d);
	writer_start(&d->w, write_queue, NULL, d, path);
}

/* An empty input: the lock released, the database untouched. */
static void
sqlite_discard(struct dest *d)
{
	dest_free(d);
}

static void
sqlite_columns(struct dest *d, const char *name, struct fd_map *into)
{
	drain(d);
	sql_takes_of(&d->sql, name, into);
}

/* Whether table name has no row. */
static int
empty(struct dest *d, const char *name)
{
	struct fd_buf *b = &d->sql.stmt;
	sqlite3_stmt *st;
	int rc;

	fd_buf_reset(b);
	fd_buf_puts(b, "SELECT 1 FROM ");
	sql_ident(b, "", name);
	fd_buf_puts(b, " LIMIT 1");
	st = prepare(d, xbuf(b));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		fail(d, name);
	return rc == SQLITE_DONE;
}

/*
 * Makes the _fd_root_ indexes that wait (see the top of this file): of
 * the child tables of root (NULL: of every table).
 */
static void
undefer(struct dest *d, const char *root)
{
	struct table *t;
	struct stable *s;
	size_t i;
	int spill;

	if (d->ndeferred == 0)
		return;
	/*
	 * The sort spills to files, its memory flat: with temp_store=MEMORY
	 * (settings) it would hold every key of the table (260 MB for an
	 * index of 3 million rows).  SQLite lets temp_store change inside
	 * the transaction while no temporary table is open (the open
	 * savepoint's journal stays in memory); with reconcile's ids open
	 * it refuses, and the sort stays in memory.
	 */
	spill = sqlite3_exec(d->db, "PRAGMA temp_store=FILE", NULL, NULL,
	    NULL) == SQLITE_OK;
	exec(d, SORT_CACHE_PRAGMA);
	for (i = 0; d->ndeferred > 0 &&
	    fd_map_at(d->tables, i, (void **)&t) != NULL; i++) {
		if ((s = t->priv) == NULL || !s->deferred ||
		    (root != NULL && strcmp(t->root, root) != 0))
			continue;
		sql_root_index(&d->sql, t->name);
		s->deferred = 0;
		d->ndeferred--;
	}
	exec(d, CACHE_PRAGMA);
	if (spill)
		exec(d, "PRAGMA temp_store=MEMORY");
}

static sqlite3_stmt *
insert_stmt(struct dest *d, struct table *t, const char *prefix)
{
	struct fd_buf *b = &d->sql.stmt;
	size_t i;

	fd_buf_reset(b);
	sql_insert_into(b, prefix, t->name, t);
	fd_buf_puts(b, "VALUES (");
	for (i = 0; i <= t->ncols; i++)
		fd_buf_puts(b, i > 0 ? ", ?" : "?");
	fd_buf_putc(b, ')');
	return prepare(d, xbuf(b));
}

static void
sqlite_table(struct dest *d, struct table *t)
{
	struct stable *s = t->priv;
	struct table *r;

	drain(d);
	if (s == NULL)
		t->priv = s = xcalloc(1, sizeof(*s));
	sql_schema(&d->sql, t, "");
	if (t->disp == DISP_REPLACE)
		sql_schema(&d->sql, t, STAGE);
	sqlite3_finalize(s->ins);
	sqlite3_finalize(s->stage);
	s->ins = insert_stmt(d, t, "");
	s->stage = t->disp == DISP_REPLACE ? insert_stmt(d, t, STAGE) :
	    NULL;
	s->children_dirty = 1;
	s->ncols = t->ncols;
	if (fd_map_put(d->tables, t->name, strlen(t->name), t) == -1)
		err(FD_EXIT_FAIL, NULL);
	sql_register(&d->sql, t);
	if (t->child && (r = fd_map_get(d->tables, t->root,
	    strlen(t->root))) != NULL && r->priv != NULL)
		((struct stable *)r->priv)->children_dirty = 1;
	if (s->deferred)
		return;		/* still waits */
	if (sql_rooted(t) && empty(d, t->name)) {
		s->deferred = 1;
		d->ndeferred++;
	} else
		sql_indexes(&d->sql, t);
}

/* Appends n bytes of p to the queue's buffer b (a failure is sticky:
 * submit dies of it). */
static void
put(struct fd_buf *b, const void *p, size_t n)
{
	fd_buf_append(b, p, n);
}

/* Appends a text value's header and bytes. */
static void
put_text(struct fd_buf *b, const char *p, size_t n)
{
	uint32_t len = (uint32_t)n;

	fd_buf_putc(b, V_TEXT);
	put(b, &len, sizeof(len));
	put(b, p, n);
}

/*
 * Queues value v (checked by row_split) of a column of type ty as SQLite
 * is to bind it: text that needs decoding (escapes, an object or array
 * made compact) is decoded here, on the main thread.  0, or -1 with
 * errbuf.
 */
static int
queue_value(struct dest *d, struct fd_buf *b, enum fd_coltype ty,
    const struct value *v, char *errbuf)
{
	sqlite3_int64 i;
	long long n;
	double f;

	switch (v->kind) {
	case FD_JTOK_NULL:
		fd_buf_putc(b, V_NULL);
		return 0;
	case FD_JTOK_TRUE:
	case FD_JTOK_FALSE:
		i = v->kind == FD_JTOK_TRUE;
		fd_buf_putc(b, V_INT);
		put(b, &i, sizeof(i));
		return 0;
	case FD_JTOK_NUMBER:
		if (ty == FD_COL_BIGINT && fd_jscan_int64(v->p, v->len, &n) == 0) {
			i = n;
			fd_buf_putc(b, V_INT);
			put(b, &i, sizeof(i));
			return 0;
		}
		if (ty == FD_COL_DOUBLE) {
			fd_buf_reset(&d->val);
			fd_buf_append(&d->val, v->p, v->len);
			f = strtod(xbuf(&d->val), NULL);
			fd_buf_putc(b, V_DOUBLE);
			put(b, &f, sizeof(f));
			return 0;
		}
		put_text(b, v->p, v->len);
		return 0;
	case FD_JTOK_STRING:
		if (v->flags & FD_JTOK_ESCAPED)
			break;
		put_text(b, v->p + 1, v->len - 2);
		return 0;
	default:
		break;
	}
	fd_buf_reset(&d->val);
	if (value_text(v, &d->val, errbuf) == -1)
		return -1;
	put_text(b, d->val.data != NULL ? d->val.data : "", d->val.len);
	return 0;
}

/* Binds value w to parameter i of st: the bytes stay in the queue's
 * buffer until the writer is done with it. */
static int
bind(sqlite3_stmt *st, int i, const struct wval *w)
{
	switch (w->kind) {
	case V_NULL:
		return sqlite3_bind_null(st, i);
	case V_INT:
		return sqlite3_bind_int64(st, i, w->i);
	case V_DOUBLE:
		return sqlite3_bind_double(st, i, w->f);
	default:
		return sqlite3_bind_text(st, i, w->p, (int)w->len,
		    SQLITE_STATIC);
	}
}

/*
 * The merge statements of root t: find, the _fd_id of the rows with
 * the key (NULL when t has no _fd_id); one DELETE per child table (from _fd_tables: those of
 * earlier runs too) by such an _fd_root_id; drop, the DELETE of the rows
 * with the key.  Made again when a child table appears.  (One DELETE
 * ... IN (SELECT ...) per child builds a temporary table for every
 * row, even a new one.)
 */
static void
merge_statements(struct dest *d, struct table *t)
{
	struct stable *s = t->priv;
	struct fd_buf *b = &d->sql.stmt;
	const char *n;
	char *kids;
	size_t i;
	/* child rows hang off the root's _fd_id: none without one (a raw
	 * stream's table) */
	int ided = fd_map_get(t->colidx, "_fd_id", 6) != NULL;

	for (i = 0; i < s->ndel; i++)
		sqlite3_finalize(s->del[i]);
	s->ndel = 0;
	sqlite3_finalize(s->find);
	sqlite3_finalize(s->drop);
	fd_buf_reset(b);
	if (ided)
		sql_merge_find(b, &sql_sqlite, t);
	else {
		fd_buf_puts(b, "SELECT NULL FROM ");
		sql_ident(b, "", t->name);
		sql_key_where(b, &sql_sqlite, t);
	}
	s->find = prepare(d, xbuf(b));
	fd_buf_reset(b);
	sql_merge_drop(b, &sql_sqlite, t);
	s->drop = prepare(d, xbuf(b));
	kids = sql_chain(&d->sql, t->name);
	for (n = kids + strlen(kids) + 1; ided && *n != '\0';
	    n += strlen(n) + 1) {
		/* a table this load has not seen: its index, if a load
		 * that died left it without (this load's: sqlite_table) */
		if (fd_map_get(d->tables, n, strlen(n)) == NULL)
			sql_root_index(&d->sql, n);
		fd_buf_reset(b);
		sql_merge_drop_children(b, &sql_sqlite, n);
		s->del = xreallocarray(s->del, s->ndel + 1, sizeof(*s->del));
		s->del[s->ndel++] = prepare(d, xbuf(b));
	}
	free(kids);
	s->children_dirty = 0;
}

/* The writer: steps st to its end, or fails with the table's name. */
static void
run(struct dest *d, sqlite3_stmt *st, const struct table *t)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		fail(d, t->name);
}

/* The writer: binds t's key of the row in d->wv to st. */
static void
bind_key(struct dest *d, sqlite3_stmt *st, struct table *t)
{
	size_t k;

	sqlite3_reset(st);
	for (k = 0; k < t->nkeys; k++)
		if (bind(st, (int)k + 1, &d->wv[t->keyidx[k]]) != SQLITE_OK)
			fail(d, t->name);
}

/* The writer, merge: removes the rows with the record's key and their
 * children. */
static void
merge_replace(struct dest *d, struct table *t)
{
	struct stable *s = t->priv;
	const char *id;
	size_t i, found;
	int rc;

	if (s->children_dirty || s->find == NULL)
		merge_statements(d, t);
	bind_key(d, s->find, t);
	/* the ids first: a table is not changed under its own SELECT */
	fd_buf_reset(&s->ids);
	for (found = 0; (rc = sqlite3_step(s->find)) == SQLITE_ROW; found++)
		if ((id = (const char *)sqlite3_column_text(s->find, 0)) !=
		    NULL) {
			fd_buf_puts(&s->ids, id);
			fd_buf_putc(&s->ids, '\0');
		}
	if (rc != SQLITE_DONE)
		fail(d, t->name);
	if (found == 0)
		return;		/* a new key */
	if (fd_buf_error(&s->ids))
		fail(d, "merge: out of memory");
	undefer(d, t->name);	/* the children are looked up by it */
	for (id = s->ids.data; id != NULL && id < s->ids.data + s->ids.len;
	    id += strlen(id) + 1)
		for (i = 0; i < s->ndel; i++) {
			sqlite3_reset(s->del[i]);
			sqlite3_bind_text(s->del[i], 1, id, -1, SQLITE_STATIC);
			run(d, s->del[i], t);
		}
	bind_key(d, s->drop, t);
	run(d, s->drop, t);
}

/* The writer: the row queued at *pp (after its Q_ROW) written; *pp
 * moved past it. */
static void
write_row(struct dest *d, const char **pp)
{
	const char *p = *pp;
	struct table *t;
	struct stable *s;
	sqlite3_stmt *st;
	uint32_t n, i;
	int flags;

	memcpy(&t, p, sizeof(t));
	p += sizeof(t);
	flags = (unsigned char)*p++;
	memcpy(&n, p, sizeof(n));
	p += sizeof(n);
	s = t->priv;
	if (n > d->nwv) {
		d->wv = xreallocarray(d->wv, n, sizeof(*d->wv));
		d->nwv = n;
	}
	for (i = 0; i < n; i++) {
		d->wv[i].kind = (unsigned char)*p++;
		switch (d->wv[i].kind) {
		case V_INT:
			memcpy(&d->wv[i].i, p, sizeof(d->wv[i].i));
			p += sizeof(d->wv[i].i);
			break;
		case V_DOUBLE:
			memcpy(&d->wv[i].f, p, sizeof(d->wv[i].f));
			p += sizeof(d->wv[i].f);
			break;
		case V_TEXT:
			memcpy(&d->wv[i].len, p, sizeof(d->wv[i].len));
			p += sizeof(d->wv[i].len);
			d->wv[i].p = p;
			p += d->wv[i].len;
			break;
		default:
			break;
		}
	}
	*pp = p;
	st = (flags & QF_STAGE) ? s->stage : s->ins;
	sqlite3_reset(st);
	for (i = 0; i < n; i++)
		if (bind(st, (int)i + 1, &d->wv[i]) != SQLITE_OK)
			fail(d, t->name);
	sqlite3_bind_text(st, (int)n + 1, d->load_id, -1, SQLITE_STATIC);
	if (flags & QF_MERGE)
		merge_replace(d, t);
	run(d, st, t);
}

/* The writer: a held STATE queued at *pp (after its Q_HOLD) written
 * with the rows it covers, and a savepoint taken (see sqlite_hold);
 * *pp moved past it. */
static void
write_hold(struct dest *d, const char **pp)
{
	const char *p = *pp;
	long long rows;
	int saved;

	saved = *p++;
	memcpy(&rows, p, sizeof(rows));
	p += sizeof(rows);
	sql_state(&d->sql, p);
	sql_load_rows(&d->sql, rows);
	*pp = p + strlen(p) + 1;
	if (saved)
		exec(d, "RELEASE fd_held");
	exec(d, "SAVEPOINT fd_held");
}

/* The writer's job: the queue it is given written. */
static void
write_queue(void *arg)
{
	struct dest *d = arg;
	const struct fd_buf *b = &d->q[!d->fill];
	const char *p;

	for (p = b->data; p != NULL && p < b->data + b->len;)
		if (*p++ == Q_ROW)
			write_row(d, &p);
		else
			write_hold(d, &p);
}

/* Hands what was queued to the writer, once it is idle. */
static void
submit(struct dest *d)
{
	writer_idle(&d->w);
	if (fd_buf_error(&d->q[d->fill]))
		errx(FD_EXIT_FAIL, "%s: queue: out of memory", d->path);
	d->fill = !d->fill;
	fd_buf_reset(&d->q[d->fill]);
	writer_go(&d->w);
}

/* Everything queued written: the connection is the main thread's. */
static void
drain(struct dest *d)
{
	if (d->q[d->fill].len > 0)
		submit(d);
	writer_idle(&d->w);
}

/* After each entry queued: to the writer when the buffer is full (or lost an
 * append: submit dies of it). */
static void
queued(struct dest *d)
{
	if (d->q[d->fill].len >= QUEUE_BYTES ||
	    fd_buf_error(&d->q[d->fill]))
		submit(d);
}

static int
sqlite_row(struct dest *d, struct table *t, char *errbuf)
{
	struct fd_buf *b = &d->q[d->fill];
	size_t mark = b->len, i;
	uint32_t n = (uint32_t)t->ncols;

	fd_buf_putc(b, Q_ROW);
	put(b, &t, sizeof(t));
	fd_buf_putc(b, (t->disp == DISP_REPLACE ? QF_STAGE : 0) |
	    (TABLE_MERGES(t) ? QF_MERGE : 0));
	put(b, &n, sizeof(n));
	for (i = 0; i < t->ncols; i++)
		if (queue_value(d, b, t->cols[i].type, &t->vals[i],
		    errbuf) == -1) {
			b->len = mark;	/* the row is not queued */
			return -1;
		}
	if (t->disp == DISP_REPLACE)
		((struct stable *)t->priv)->staged = 1;
	d->rows++;
	queued(d);
	return 0;
}

/*
 * Calls fn for each table of root's chain, with the table's name, its
 * staging table's name and its struct table (NULL when this load has not
 * seen it).
 */
static void
chain(struct dest *d, struct table *t, void (*fn)(struct dest *,
    const char *, const char *, struct table *))
{
	struct fd_buf stage = FD_BUF_INIT;
	const char *n;
	char *names;

	names = sql_chain(&d->sql, t->name);
	for (n = names; *n != '\0'; n += strlen(n) + 1) {
		fd_buf_reset(&stage);
		sql_ident(&stage, STAGE, n);
		fn(d, n, xbuf(&stage), fd_map_get(d->tables, n, strlen(n)));
	}
	free(names);
	fd_buf_free(&stage);
}

static void
activate_one(struct dest *d, const char *name, const char *stage,
    struct table *c)
{
	sql_swap_in(&d->sql, name, c, stage);
	if (c != NULL && c->disp == DISP_REPLACE)
		((struct stable *)c->priv)->staged = 0;
}

static void
sqlite_activate(struct dest *d, struct table *t)
{
	drain(d);
	chain(d, t, activate_one);
}

static void
unstage_one(struct dest *d, const char *name, const char *stage,
    struct table *c)
{
	if (c != NULL && c->disp == DISP_REPLACE)
		sql_empty(&d->sql, name, stage);
}

/* Empties the staging tables of root's chain: a new version begins. */
static void
sqlite_unstage(struct dest *d, struct table *t)
{
	drain(d);
	chain(d, t, unstage_one);
}

/* Writes the state; the last one written is the one committed. */
static void
write_state(struct dest *d, const char *state)
{
	sql_state(&d->sql, state);
	free(d->held);
	d->held = xstrdup(state);
}

/*
 * The STATE is written in the open transaction and a savepoint taken
 * (by the writer, after the rows queued before it: write_hold): bad
 * input rolls back to it (settle), and the next commit takes it along.
 * The savepoint's journal is kept in memory (temp_store).
 */
static const char *
sqlite_hold(struct dest *d, const char *state)
{
	struct fd_buf *b = &d->q[d->fill];
	long long rows = d->rows;

	fd_buf_putc(b, Q_HOLD);
	fd_buf_putc(b, d->held != NULL);	/* the savepoint is open */
	put(b, &rows, sizeof(rows));
	put(b, state, strlen(state) + 1);
	free(d->held);
	d->held = xstrdup(state);
	d->heldrows = rows;
	queued(d);
	return NULL;
}

static void
sqlite_commit(struct dest *d, const char *state, int final,
    const char **done)
{
	(void)final;	/* each commit is whole when it returns */
	drain(d);
	free(d->done);
	d->done = NULL;
	if (state != NULL)
		write_state(d, state);
	sql_load_rows(&d->sql, d->rows);
	exec(d, "COMMIT");
	exec(d, "BEGIN IMMEDIATE");
	/* data only (--batch-rows): the held STATE's row covers it */
	*done = d->done = d->held;
	d->held = NULL;
}

/* Bad input: a held STATE is committed with the rows before it. */
static const char *
sqlite_settle(struct dest *d, int failing)
{
	drain(d);
	if (!failing || d->held == NULL)
		return NULL;
	exec(d, "ROLLBACK TO fd_held");
	d->rows = d->heldrows;
	exec(d, "COMMIT");
	exec(d, "BEGIN IMMEDIATE");
	free(d->done);
	d->done = d->held;
	d->held = NULL;
	return d->done;
}

/* A part's ids into the session's ids table, one bound row each. */
static void
sqlite_ids(struct dest *d, int set, const char *ranges, size_t len)
{
	char why[FD_ERRSZ];
	struct fd_ranges r;
	sqlite3_stmt *st;
	int64_t lo, hi, id;

	drain(d);
	sql_ids(&d->sql);
	st = prepare(d, "INSERT OR IGNORE INTO temp.\"_fd_ids\" (n, id) "
	    "VALUES (?1, ?2)");
	fd_ranges_init(&r, ranges, len);
	while (fd_ranges_next(&r, &lo, &hi, why) == 1)
		for (id = lo;; id++) {
			sqlite3_reset(st);
			sqlite3_bind_int(st, 1, set);
			sqlite3_bind_int64(st, 2, id);
			if (sqlite3_step(st) != SQLITE_DONE)
				fail(d, "reconcile");
			if (id == hi)
				break;
		}
	sqlite3_finalize(st);
}

static void
sqlite_drop(struct dest *d, int set)
{
	drain(d);
	sql_ids_drop(&d->sql, set);
}

static int
sqlite_reconcile(struct dest *d, struct recon *r, char *errbuf)
{
	drain(d);
	return sql_reconcile(&d->sql, r, errbuf);
}

static void
sqlite_close(struct dest *d, long long rows)
{
	struct table *t;
	struct stable *s;
	size_t i, k;

	if (d == NULL)
		return;
	drain(d);
	writer_stop(&d->w);
	undefer(d, NULL);
	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++) {
		if ((s = t->priv) == NULL)
			continue;
		sqlite3_finalize(s->ins);
		sqlite3_finalize(s->stage);
		for (k = 0; k < s->ndel; k++)
			sqlite3_finalize(s->del[k]);
		free(s->del);
		sqlite3_finalize(s->find);
		sqlite3_finalize(s->drop);
		fd_buf_free(&s->ids);
		free(s);
		t->priv = NULL;
	}
	drop_stages(d);
	sql_end_load(&d->sql, rows);
	exec(d, "COMMIT");
	if (sqlite3_close(d->db) != SQLITE_OK)
		warnx("%s: %s", d->path, sqlite3_errmsg(d->db));
	dest_free(d);
}

const struct dest_ops sqlite_ops = {
	.scheme = "sqlite",
	.open = sqlite_open,
	.begin = sqlite_begin,
	.discard = sqlite_discard,
	.columns = sqlite_columns,
	.table = sqlite_table,
	.row = sqlite_row,
	.activate = sqlite_activate,
	.unstage = sqlite_unstage,
	.hold = sqlite_hold,
	.commit = sqlite_commit,
	.settle = sqlite_settle,
	.ids = sqlite_ids,
	.drop = sqlite_drop,
	.reconcile = sqlite_reconcile,
	.close = sqlite_close,
};
