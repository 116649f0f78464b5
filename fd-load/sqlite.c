/*
 * sqlite.c: the SQLite destination.
 *
 * One transaction is open from commit to commit.  A STATE that comes
 * less than COMMIT_GAP after the last commit is held: its _fd_state
 * row is written, a savepoint taken, and the next commit (at a later
 * STATE, at --batch-rows, when the input pauses, or at the end) takes
 * it along; bad input rolls back to the savepoint and commits the held
 * STATE with the rows before it (settle), a crash loses it.  So a load
 * from a file commits a few times a second, not at each page's STATE:
 * each commit writes the pages it touched to the WAL again.  The
 * savepoint's journal is kept in memory (temp_store): on disk it
 * costs a write of every page changed after it.  Each commit is synced
 * (synchronous=FULL: one fdatasync of the WAL) before fd-load.c
 * replaces the state file with what it covers.
 *
 * Tables are created from the SCHEMA messages (identifiers always
 * quoted) and widened with ALTER TABLE ADD COLUMN; every table gets
 * _fd_load_id.  fd's own tables: _fd_loads (one row per run),
 * _fd_state (the committed state, written in the same transaction as
 * the data it covers) and _fd_tables (each table's root, kind and
 * disposition, so that a merge finds the child tables of earlier runs).
 *
 * Merge: a root row first deletes the child rows of the root row with
 * the same key (by _fd_root_id), then that row, then is inserted; its
 * child rows follow as inserts.  Replace: rows go to a staging table
 * "_fd_stage_<name>"; ACTIVATE_VERSION swaps the staged rows of the
 * whole chain in, in one transaction.
 */
#include <err.h>
#include <fcntl.h>
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
#include "state.h"
#include "extern.h"

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
};

struct dest {
	sqlite3		*db;
	struct fd_lock	*lock;
	char		*path;
	char		*load_id;
	struct fd_map	*tables;	/* name -> struct table (all known) */
	struct fd_buf	 sql, val;
	double		 committed;	/* when the last commit was */
	char		*held;		/* the STATE written, not committed */
	char		*done;		/* what commit last gave as done */
};

static void
fail(struct dest *d, const char *what)
{
	const char *m = sqlite3_errmsg(d->db);

	sqlite3_exec(d->db, "ROLLBACK", NULL, NULL, NULL);
	errx(1, "%s: %s: %s", d->path, what, m);
}

static void
exec(struct dest *d, const char *sql)
{
	if (sqlite3_exec(d->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail(d, sql);
}

static const char *
affinity(enum fd_coltype t)
{
	switch (t) {
	case FD_COL_BIGINT:
	case FD_COL_BOOL:
		return "INTEGER";
	case FD_COL_DOUBLE:
		return "REAL";
	case FD_COL_DECIMAL:	/* NUMERIC would round it through a double */
	default:
		return "TEXT";
	}
}

static sqlite3_stmt *
prepare(struct dest *d, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(d->db, sql, -1, &st, NULL) != SQLITE_OK)
		fail(d, sql);
	return st;
}

/*
 * Empties every staging table: rows staged by a load that ended
 * before its ACTIVATE_VERSION are never to be activated (a new version
 * empties its chain's staging too, but only of the tables it knows).
 */
static void
unstage_all(struct dest *d)
{
	struct fd_buf names = FD_BUF_INIT;
	sqlite3_stmt *q;
	const char *n;

	q = prepare(d, "SELECT name FROM sqlite_master WHERE type = 'table' "
	    "AND substr(name, 1, 10) = '_fd_stage_'");
	while (sqlite3_step(q) == SQLITE_ROW) {
		fd_buf_puts(&names, (const char *)sqlite3_column_text(q, 0));
		fd_buf_putc(&names, '\0');
	}
	sqlite3_finalize(q);
	for (n = names.data; n != NULL && n < names.data + names.len;
	    n += strlen(n) + 1) {
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "DELETE FROM ");
		sql_ident(&d->sql, "", n);
		exec(d, d->sql.data);
	}
	fd_buf_free(&names);
}

static struct dest *
sqlite_open(const char *path, const char *load_id)
{
	char why[FD_ERRSZ];
	struct dest *d;
	char *sql;
	int fd;

	if (*path == '\0')
		errx(1, "sqlite: no path");
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->path = strdup(path)) == NULL ||
	    (d->load_id = strdup(load_id)) == NULL ||
	    (d->tables = fd_map_new()) == NULL)
		err(1, NULL);
	if ((d->lock = fd_state_lock(path, why)) == NULL)
		errx(1, "%s", why);
	/* account data: a new database is the owner's only (0600); SQLite
	 * gives its -wal and -shm files the database's mode */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		err(1, "%s", path);
	close(fd);
	/* one thread uses the connection: no locks in SQLite's calls, nor
	 * statistics of its allocations (before SQLite is initialized) */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (sqlite3_open_v2(path, &d->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		errx(1, "%s: %s", path, d->db ? sqlite3_errmsg(d->db) :
		    "cannot open");
	sqlite3_busy_timeout(d->db, 10000);
	d->committed = now();
	exec(d, "PRAGMA journal_mode=WAL");
	/* a commit's WAL frames reach the disk before COMMIT returns, so
	 * before the state file is replaced: NORMAL leaves them to the
	 * next checkpoint, and a power cut in between takes back what the
	 * state file already says (SQLite can change this level only
	 * outside a transaction, and one is always open) */
	exec(d, "PRAGMA synchronous=FULL");
	/* the savepoints' journal (see sqlite_commit) stays in memory */
	exec(d, "PRAGMA temp_store=MEMORY");
	/* 16 MiB of pages (SQLite's default is 2 MiB): a transaction's
	 * pages are written to the WAL once, not spilled and read back;
	 * a third fewer writes into tables of 100 MB, memory still flat */
	exec(d, "PRAGMA cache_size=-16384");
	exec(d, "BEGIN IMMEDIATE");
	exec(d, "CREATE TABLE IF NOT EXISTS _fd_loads (load_id TEXT PRIMARY "
	    "KEY, status TEXT NOT NULL, started_at TEXT NOT NULL, "
	    "finished_at TEXT, rows INTEGER NOT NULL DEFAULT 0)");
	exec(d, "CREATE TABLE IF NOT EXISTS _fd_state (id INTEGER PRIMARY KEY "
	    "CHECK (id = 1), state TEXT NOT NULL, load_id TEXT NOT NULL, "
	    "committed_at TEXT NOT NULL)");
	exec(d, "CREATE TABLE IF NOT EXISTS _fd_tables (name TEXT PRIMARY "
	    "KEY, root TEXT NOT NULL, kind TEXT NOT NULL, disposition TEXT "
	    "NOT NULL)");
	sql = sqlite3_mprintf("INSERT INTO _fd_loads (load_id, status, "
	    "started_at) VALUES (%Q, 'running', strftime('%%Y-%%m-%%dT"
	    "%%H:%%M:%%fZ','now'))", load_id);
	exec(d, sql);
	sqlite3_free(sql);
	unstage_all(d);
	return d;
}

/* What a column of declared type ty (as ensure() declares) takes. */
static unsigned
accepts(const char *ty)
{
	if (strcmp(ty, "INTEGER") == 0)
		return FD_COL_BIT(FD_COL_BIGINT) | FD_COL_BIT(FD_COL_BOOL);
	if (strcmp(ty, "REAL") == 0)
		return FD_COL_BIT(FD_COL_DOUBLE) | FD_COL_BIT(FD_COL_BIGINT);
	if (strcmp(ty, "TEXT") == 0)
		return FD_COL_ANY & ~FD_COL_BIT(FD_COL_BOOL);
	return FD_COL_ANY;
}

/* The columns the table has in the database, into have (name -> what
 * it accepts). */
static void
known_columns(struct dest *d, const char *prefix, const char *name,
    struct fd_map *have)
{
	sqlite3_stmt *st;

	fd_buf_reset(&d->sql);
	fd_buf_puts(&d->sql, "SELECT name, type FROM pragma_table_info(");
	fd_buf_putc(&d->sql, '\'');
	fd_buf_puts(&d->sql, prefix);
	for (const char *p = name; *p != '\0'; p++) {
		if (*p == '\'')
			fd_buf_putc(&d->sql, '\'');
		fd_buf_putc(&d->sql, *p);
	}
	fd_buf_puts(&d->sql, "')");
	st = prepare(d, d->sql.data);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		const char *ty = (const char *)sqlite3_column_text(st, 1);
		fd_map_put(have, c, strlen(c), (void *)(size_t)accepts(
		    ty != NULL ? ty : ""));
	}
	sqlite3_finalize(st);
}

/* Creates or widens one table (or its staging twin); for the table
 * itself, what its existing columns accept into t's. */
static void
ensure(struct dest *d, struct table *t, const char *prefix)
{
	struct fd_map *have;
	size_t i;

	if ((have = fd_map_new()) == NULL)
		err(1, NULL);
	known_columns(d, prefix, t->name, have);
	if (*prefix == '\0')
		for (i = 0; i < t->ncols; i++)
			t->cols[i].accepts = (unsigned)(size_t)fd_map_get(have,
			    t->cols[i].name, strlen(t->cols[i].name));
	if (fd_map_len(have) == 0) {
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "CREATE TABLE ");
		sql_ident(&d->sql, prefix, t->name);
		fd_buf_puts(&d->sql, " (");
		for (i = 0; i < t->ncols; i++) {
			sql_ident(&d->sql, "", t->cols[i].name);
			fd_buf_printf(&d->sql, " %s, ",
			    affinity(t->cols[i].type));
		}
		fd_buf_puts(&d->sql, "\"_fd_load_id\" TEXT)");
		exec(d, d->sql.data);
	} else {
		for (i = 0; i < t->ncols; i++) {
			if (fd_map_get(have, t->cols[i].name,
			    strlen(t->cols[i].name)) != NULL)
				continue;
			fd_buf_reset(&d->sql);
			fd_buf_puts(&d->sql, "ALTER TABLE ");
			sql_ident(&d->sql, prefix, t->name);
			fd_buf_puts(&d->sql, " ADD COLUMN ");
			sql_ident(&d->sql, "", t->cols[i].name);
			fd_buf_printf(&d->sql, " %s",
			    affinity(t->cols[i].type));
			exec(d, d->sql.data);
		}
	}
	fd_map_free(have);
}

static sqlite3_stmt *
insert_stmt(struct dest *d, struct table *t, const char *prefix)
{
	size_t i;

	fd_buf_reset(&d->sql);
	fd_buf_puts(&d->sql, "INSERT INTO ");
	sql_ident(&d->sql, prefix, t->name);
	fd_buf_puts(&d->sql, " (");
	for (i = 0; i < t->ncols; i++) {
		sql_ident(&d->sql, "", t->cols[i].name);
		fd_buf_puts(&d->sql, ", ");
	}
	fd_buf_puts(&d->sql, "\"_fd_load_id\") VALUES (");
	for (i = 0; i <= t->ncols; i++)
		fd_buf_puts(&d->sql, i > 0 ? ", ?" : "?");
	fd_buf_putc(&d->sql, ')');
	return prepare(d, d->sql.data);
}

static void
sqlite_table(struct dest *d, struct table *t)
{
	struct stable *s = t->priv;
	size_t i;
	char *sql;

	if (s == NULL) {
		if ((s = calloc(1, sizeof(*s))) == NULL)
			err(1, NULL);
		t->priv = s;
	}
	ensure(d, t, "");
	if (t->disp == DISP_REPLACE)
		ensure(d, t, "_fd_stage_");
	sqlite3_finalize(s->ins);
	sqlite3_finalize(s->stage);
	s->ins = insert_stmt(d, t, "");
	s->stage = t->disp == DISP_REPLACE ? insert_stmt(d, t, "_fd_stage_") :
	    NULL;
	s->children_dirty = 1;
	s->ncols = t->ncols;
	if (fd_map_put(d->tables, t->name, strlen(t->name), t) == -1)
		err(1, NULL);
	sql = sqlite3_mprintf("INSERT OR REPLACE INTO _fd_tables VALUES "
	    "(%Q, %Q, %Q, %Q)", t->name, t->root, t->child ? "child" : "root",
	    disp_name(t->disp));
	exec(d, sql);
	sqlite3_free(sql);
	if (t->child) {
		struct table *r = fd_map_get(d->tables, t->root,
		    strlen(t->root));
		if (r != NULL && r->priv != NULL)
			((struct stable *)r->priv)->children_dirty = 1;
	}
	/* what merge looks rows up by */
	fd_buf_reset(&d->sql);
	if (TABLE_MERGES(t)) {
		fd_buf_puts(&d->sql, "CREATE INDEX IF NOT EXISTS ");
		sql_ident(&d->sql, "_fd_key_", t->name);
		fd_buf_puts(&d->sql, " ON ");
		sql_ident(&d->sql, "", t->name);
		fd_buf_puts(&d->sql, " (");
		for (i = 0; i < t->nkeys; i++) {
			if (i > 0)
				fd_buf_puts(&d->sql, ", ");
			sql_ident(&d->sql, "", t->keys[i]);
		}
		fd_buf_putc(&d->sql, ')');
	} else if (t->child && fd_map_get(t->colidx, "_fd_root_id", 11)) {
		fd_buf_puts(&d->sql, "CREATE INDEX IF NOT EXISTS ");
		sql_ident(&d->sql, "_fd_root_", t->name);
		fd_buf_puts(&d->sql, " ON ");
		sql_ident(&d->sql, "", t->name);
		fd_buf_puts(&d->sql, " (\"_fd_root_id\")");
	}
	if (d->sql.len > 0)
		exec(d, d->sql.data);
}

/*
 * Binds value v (checked by row_split) to parameter i.  Text that needs
 * no decoding is bound in place (SQLITE_STATIC): the line outlives the
 * statement's step, and every parameter is bound again for each row.
 */
static int
bind(struct dest *d, sqlite3_stmt *st, int i, enum fd_coltype ty,
    const struct value *v, char *errbuf)
{
	long long n;

	switch (v->kind) {
	case FD_JTOK_NULL:
		return sqlite3_bind_null(st, i);
	case FD_JTOK_TRUE:
	case FD_JTOK_FALSE:
		return sqlite3_bind_int(st, i, v->kind == FD_JTOK_TRUE);
	case FD_JTOK_NUMBER:
		if (ty == FD_COL_BIGINT && fd_jscan_int64(v->p, v->len, &n) == 0)
			return sqlite3_bind_int64(st, i, n);
		if (ty == FD_COL_DOUBLE) {
			fd_buf_reset(&d->val);
			fd_buf_append(&d->val, v->p, v->len);
			return sqlite3_bind_double(st, i,
			    strtod(d->val.data, NULL));
		}
		return sqlite3_bind_text(st, i, v->p, (int)v->len,
		    SQLITE_STATIC);
	case FD_JTOK_STRING:
		if (v->flags & FD_JTOK_ESCAPED)
			break;
		return sqlite3_bind_text(st, i, v->p + 1, (int)v->len - 2,
		    SQLITE_STATIC);
	default:
		break;
	}
	fd_buf_reset(&d->val);
	if (value_text(v, &d->val, errbuf) == -1)
		return -1;
	return sqlite3_bind_text(st, i, d->val.data, (int)d->val.len,
	    SQLITE_TRANSIENT);
}

/* " WHERE key1 = ?1 AND ..." of t's primary key, to d->sql. */
static void
key_where(struct dest *d, const struct table *t)
{
	size_t k;

	fd_buf_puts(&d->sql, " WHERE ");
	for (k = 0; k < t->nkeys; k++) {
		if (k > 0)
			fd_buf_puts(&d->sql, " AND ");
		sql_ident(&d->sql, "", t->keys[k]);
		fd_buf_printf(&d->sql, " = ?%zu", k + 1);
	}
}

/*
 * The merge statements of root t: find, the _fd_id of the rows with
 * the key; one DELETE per child table (from _fd_tables: those of
 * earlier runs too) by such an _fd_root_id; drop, the DELETE of the rows
 * with the key.  Made again when a child table appears.  (One DELETE
 * ... IN (SELECT ...) per child builds a temporary table for every
 * row, even a new one.)
 */
static void
merge_statements(struct dest *d, struct table *t)
{
	struct stable *s = t->priv;
	sqlite3_stmt *q;
	size_t i;
	char *sql;

	for (i = 0; i < s->ndel; i++)
		sqlite3_finalize(s->del[i]);
	s->ndel = 0;
	sqlite3_finalize(s->find);
	sqlite3_finalize(s->drop);
	fd_buf_reset(&d->sql);
	fd_buf_puts(&d->sql, "SELECT \"_fd_id\" FROM ");
	sql_ident(&d->sql, "", t->name);
	key_where(d, t);
	s->find = prepare(d, d->sql.data);
	fd_buf_reset(&d->sql);
	fd_buf_puts(&d->sql, "DELETE FROM ");
	sql_ident(&d->sql, "", t->name);
	key_where(d, t);
	s->drop = prepare(d, d->sql.data);
	sql = sqlite3_mprintf("SELECT name FROM _fd_tables WHERE root = %Q "
	    "AND kind = 'child' ORDER BY name", t->name);
	q = prepare(d, sql);
	sqlite3_free(sql);
	while (sqlite3_step(q) == SQLITE_ROW) {
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "DELETE FROM ");
		sql_ident(&d->sql, "", (const char *)sqlite3_column_text(q, 0));
		fd_buf_puts(&d->sql, " WHERE \"_fd_root_id\" = ?1");
		s->del = reallocarray(s->del, s->ndel + 1, sizeof(*s->del));
		if (s->del == NULL)
			err(1, NULL);
		s->del[s->ndel++] = prepare(d, d->sql.data);
	}
	sqlite3_finalize(q);
	s->children_dirty = 0;
}

/* Steps st to its end; -1 with SQLite's message. */
static int
run(struct dest *d, sqlite3_stmt *st, char *errbuf)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		return fd_diag_set(errbuf, "%s", sqlite3_errmsg(d->db));
	return 0;
}

/* Binds t's primary key of the row in t->vals to st. */
static int
bind_key(struct dest *d, sqlite3_stmt *st, struct table *t, char *errbuf)
{
	size_t k;

	sqlite3_reset(st);
	for (k = 0; k < t->nkeys; k++)
		if (bind(d, st, (int)k + 1, t->cols[t->keyidx[k]].type,
		    &t->vals[t->keyidx[k]], errbuf) != SQLITE_OK)
			return -1;
	return 0;
}

/* Merge: removes the rows with the record's key and their children. */
static int
merge_replace(struct dest *d, struct table *t, char *errbuf)
{
	struct stable *s = t->priv;
	const char *id;
	size_t i, found;
	int rc;

	if (s->children_dirty || s->find == NULL)
		merge_statements(d, t);
	if (bind_key(d, s->find, t, errbuf) == -1)
		return -1;
	/* the ids first: a table is not changed under its own SELECT */
	fd_buf_reset(&s->ids);
	for (found = 0; (rc = sqlite3_step(s->find)) == SQLITE_ROW; found++)
		if ((id = (const char *)sqlite3_column_text(s->find, 0)) !=
		    NULL) {
			fd_buf_puts(&s->ids, id);
			fd_buf_putc(&s->ids, '\0');
		}
	if (rc != SQLITE_DONE)
		return fd_diag_set(errbuf, "%s", sqlite3_errmsg(d->db));
	if (found == 0)
		return 0;	/* a new key */
	for (id = s->ids.data; id != NULL && id < s->ids.data + s->ids.len;
	    id += strlen(id) + 1)
		for (i = 0; i < s->ndel; i++) {
			sqlite3_reset(s->del[i]);
			sqlite3_bind_text(s->del[i], 1, id, -1, SQLITE_STATIC);
			if (run(d, s->del[i], errbuf) == -1)
				return -1;
		}
	if (bind_key(d, s->drop, t, errbuf) == -1)
		return -1;
	return run(d, s->drop, errbuf);
}

static int
sqlite_row(struct dest *d, struct table *t, char *errbuf)
{
	struct stable *s = t->priv;
	sqlite3_stmt *st;
	size_t i;

	st = t->disp == DISP_REPLACE ? s->stage : s->ins;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	for (i = 0; i < t->ncols; i++)
		if (bind(d, st, (int)i + 1, t->cols[i].type, &t->vals[i],
		    errbuf) != SQLITE_OK) {
			if (*errbuf == '\0')
				fd_diag_set(errbuf, "%s",
				    sqlite3_errmsg(d->db));
			return -1;
		}
	sqlite3_bind_text(st, (int)s->ncols + 1, d->load_id, -1,
	    SQLITE_STATIC);
	if (TABLE_MERGES(t) && merge_replace(d, t, errbuf) == -1)
		return -1;
	if (sqlite3_step(st) != SQLITE_DONE)
		return fd_diag_set(errbuf, "%s", sqlite3_errmsg(d->db));
	if (t->disp == DISP_REPLACE)
		s->staged = 1;
	return 0;
}

/* The tables of root's chain: the root and its children, by name. */
static void
chain(struct dest *d, const char *root, struct fd_buf *names)
{
	sqlite3_stmt *q;
	char *sql;

	sql = sqlite3_mprintf("SELECT name FROM _fd_tables WHERE root = %Q "
	    "ORDER BY kind DESC, name", root);
	q = prepare(d, sql);
	sqlite3_free(sql);
	fd_buf_reset(names);
	while (sqlite3_step(q) == SQLITE_ROW) {
		fd_buf_puts(names, (const char *)sqlite3_column_text(q, 0));
		fd_buf_putc(names, '\0');
	}
	sqlite3_finalize(q);
}

static void
sqlite_activate(struct dest *d, struct table *t)
{
	struct fd_buf names = FD_BUF_INIT;
	struct table *c;
	const char *n;
	size_t i;

	chain(d, t->name, &names);
	for (n = names.data; n != NULL && n < names.data + names.len;
	    n += strlen(n) + 1) {
		c = fd_map_get(d->tables, n, strlen(n));
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "DELETE FROM ");
		sql_ident(&d->sql, "", n);
		exec(d, d->sql.data);
		if (c == NULL || c->disp != DISP_REPLACE)
			continue;	/* no rows this version */
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "INSERT INTO ");
		sql_ident(&d->sql, "", n);
		fd_buf_puts(&d->sql, " (");
		for (i = 0; i < c->ncols; i++) {
			sql_ident(&d->sql, "", c->cols[i].name);
			fd_buf_puts(&d->sql, ", ");
		}
		fd_buf_puts(&d->sql, "\"_fd_load_id\") SELECT ");
		for (i = 0; i < c->ncols; i++) {
			sql_ident(&d->sql, "", c->cols[i].name);
			fd_buf_puts(&d->sql, ", ");
		}
		fd_buf_puts(&d->sql, "\"_fd_load_id\" FROM ");
		sql_ident(&d->sql, "_fd_stage_", n);
		exec(d, d->sql.data);
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "DELETE FROM ");
		sql_ident(&d->sql, "_fd_stage_", n);
		exec(d, d->sql.data);
		((struct stable *)c->priv)->staged = 0;
	}
	fd_buf_free(&names);
}

/* Empties the staging tables of root's chain: a new version begins. */
static void
sqlite_unstage(struct dest *d, struct table *t)
{
	struct fd_buf names = FD_BUF_INIT;
	struct table *c;
	const char *n;

	chain(d, t->name, &names);
	for (n = names.data; n != NULL && n < names.data + names.len;
	    n += strlen(n) + 1) {
		c = fd_map_get(d->tables, n, strlen(n));
		if (c == NULL || c->disp != DISP_REPLACE)
			continue;
		fd_buf_reset(&d->sql);
		fd_buf_puts(&d->sql, "DELETE FROM ");
		sql_ident(&d->sql, "_fd_stage_", n);
		exec(d, d->sql.data);
	}
	fd_buf_free(&names);
}

static int
sqlite_commit(struct dest *d, const char *state, int final,
    const char **done)
{
	sqlite3_stmt *st;
	int saved = d->held != NULL;	/* the savepoint fd_held is open */

	free(d->done);
	d->done = NULL;
	if (state != NULL) {
		st = prepare(d, "INSERT OR REPLACE INTO _fd_state (id, state, "
		    "load_id, committed_at) VALUES (1, ?1, ?2, strftime("
		    "'%Y-%m-%dT%H:%M:%fZ','now'))");
		sqlite3_bind_text(st, 1, state, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, d->load_id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			fail(d, "_fd_state");
		sqlite3_finalize(st);
		free(d->held);
		if ((d->held = strdup(state)) == NULL)
			err(1, NULL);
		if (!final && now() - d->committed < COMMIT_GAP) {
			/* bad input rolls back to here (settle) */
			if (saved)
				exec(d, "RELEASE fd_held");
			exec(d, "SAVEPOINT fd_held");
			*done = NULL;
			return 0;
		}
	}
	exec(d, "COMMIT");
	exec(d, "BEGIN IMMEDIATE");
	d->committed = now();
	/* data only (--batch-rows): the held STATE's row covers it */
	*done = d->done = d->held;
	d->held = NULL;
	return 1;
}

/* Bad input: a held STATE is committed with the rows before it. */
static const char *
sqlite_settle(struct dest *d, int failing)
{
	if (!failing || d->held == NULL)
		return NULL;
	exec(d, "ROLLBACK TO fd_held");
	exec(d, "COMMIT");
	exec(d, "BEGIN IMMEDIATE");
	free(d->done);
	d->done = d->held;
	d->held = NULL;
	return d->done;
}

static void
sqlite_close(struct dest *d, long long rows)
{
	struct table *t;
	struct stable *s;
	size_t i, k;
	char *sql;

	if (d == NULL)
		return;
	sql = sqlite3_mprintf("UPDATE _fd_loads SET status = 'completed', "
	    "finished_at = strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ','now'), "
	    "rows = %lld WHERE load_id = %Q", rows, d->load_id);
	exec(d, sql);
	sqlite3_free(sql);
	exec(d, "COMMIT");
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
	if (sqlite3_close(d->db) != SQLITE_OK)
		warnx("%s: %s", d->path, sqlite3_errmsg(d->db));
	fd_map_free(d->tables);
	free(d->held);
	free(d->done);
	fd_buf_free(&d->sql);
	fd_buf_free(&d->val);
	fd_state_unlock(d->lock);
	free(d->path);
	free(d->load_id);
	free(d);
}

const struct dest_ops sqlite_ops = {
	.scheme = "sqlite",
	.open = sqlite_open,
	.table = sqlite_table,
	.row = sqlite_row,
	.activate = sqlite_activate,
	.unstage = sqlite_unstage,
	.commit = sqlite_commit,
	.settle = sqlite_settle,
	.close = sqlite_close,
};
