/*
 * sql.c: the SQL destination core (sql.h): the steps every SQL
 * database takes, through its dialect.
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "map.h"
#include "tool.h"
#include "extern.h"
#include "sql.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * fd's own tables, described once: each column's type is a %-letter
 * the dialect names (T text, I integer, B bigint, S a time).
 *   _fd_loads   one row per run
 *   _fd_state   the committed state, written in the transaction of
 *               the data it covers
 *   _fd_tables  each table's root, kind and disposition, so that a
 *               merge finds the child tables of earlier runs
 */
static const struct {
	const char	*name;
	const char	*cols;
} bookkeeping[] = {
	{ "_fd_loads", "load_id %T PRIMARY KEY, status %T NOT NULL, "
	    "started_at %S NOT NULL, finished_at %S, rows %B NOT NULL "
	    "DEFAULT 0" },
	{ "_fd_state", "id %I PRIMARY KEY CHECK (id = 1), state %T NOT "
	    "NULL, load_id %T NOT NULL, committed_at %S NOT NULL" },
	{ "_fd_tables", "name %T PRIMARY KEY, root %T NOT NULL, kind %T "
	    "NOT NULL, disposition %T NOT NULL" },
};

/* The %-letters of the description, in enum sql_bktype's order. */
static const char bkletters[SQL_BK_NTYPES + 1] = "TIBS";

void
sql_init(struct sql *s, const struct sql_dialect *dl, void *conn,
    const char *load_id)
{
	memset(s, 0, sizeof(*s));
	s->dl = dl;
	s->conn = conn;
	s->load_id = load_id;
}

void
sql_free(struct sql *s)
{
	fd_buf_free(&s->stmt);
	fd_buf_free(&s->names);
	fd_buf_free(&s->arg);
}

static void
run_rows(struct sql *s, const char *what, const char *sql, int n,
    const char *const *params, void (*row)(void *, const char *const *),
    void *arg)
{
	s->dl->run(s->conn, what, sql, n, params, row, arg);
}

void
sql_run(struct sql *s, const char *what, const char *sql, int n,
    const char *const *params)
{
	run_rows(s, what, sql, n, params, NULL, NULL);
}

void
sql_exec(struct sql *s, const char *what)
{
	sql_run(s, what, xbuf(&s->stmt), 0, NULL);
}

/* Appends a bookkeeping table's columns with the dialect's types. */
static void
bk_columns(struct fd_buf *b, const struct sql_dialect *dl, const char *p)
{
	const char *l;

	for (; *p != '\0'; p++) {
		if (*p == '%' && p[1] != '\0' &&
		    (l = strchr(bkletters, p[1])) != NULL) {
			fd_buf_puts(b, dl->bktypes[l - bkletters]);
			p++;
		} else
			fd_buf_putc(b, *p);
	}
}

/* The dialect's upsert: cols[0] is the key, the others are set. */
static void
upsert(struct fd_buf *b, const struct sql_dialect *dl,
    const char *const *cols, size_t n)
{
	size_t i;

	fd_buf_printf(b, dl->upsert, cols[0]);
	for (i = 1; i < n; i++) {
		if (i > 1)
			fd_buf_puts(b, ", ");
		fd_buf_printf(b, dl->upsert_set, cols[i]);
	}
}

void
sql_begin_load(struct sql *s)
{
	static const char *const cols[] = { "load_id", "status",
	    "started_at" };
	const char *p[1] = { s->load_id };
	size_t i;

	for (i = 0; i < NELEM(bookkeeping); i++) {
		fd_buf_reset(&s->stmt);
		fd_buf_printf(&s->stmt, "CREATE TABLE IF NOT EXISTS %s (",
		    bookkeeping[i].name);
		bk_columns(&s->stmt, s->dl, bookkeeping[i].cols);
		fd_buf_putc(&s->stmt, ')');
		sql_exec(s, bookkeeping[i].name);
	}
	fd_buf_reset(&s->stmt);
	fd_buf_printf(&s->stmt, "INSERT INTO _fd_loads (%s, %s, %s) VALUES (",
	    cols[0], cols[1], cols[2]);
	sql_param(&s->stmt, s->dl, 1);
	fd_buf_printf(&s->stmt, ", 'running', %s)", s->dl->now);
	sql_run(s, "_fd_loads", xbuf(&s->stmt), 1, p);
	/* a load still running would hold the lock we hold now: one
	 * marked so died (killed, a crash, an error) before it completed */
	fd_buf_reset(&s->stmt);
	fd_buf_printf(&s->stmt, "UPDATE _fd_loads SET status = 'aborted', "
	    "finished_at = %s WHERE status = 'running' AND load_id <> ",
	    s->dl->now);
	sql_param(&s->stmt, s->dl, 1);
	sql_run(s, "_fd_loads", xbuf(&s->stmt), 1, p);
}

void
sql_load_rows(struct sql *s, long long rows)
{
	char n[sizeof("-9223372036854775808")];	/* a long long */
	const char *p[2] = { n, s->load_id };

	snprintf(n, sizeof(n), "%lld", rows);
	fd_buf_reset(&s->stmt);
	fd_buf_puts(&s->stmt, "UPDATE _fd_loads SET rows = ");
	sql_param(&s->stmt, s->dl, 1);
	fd_buf_puts(&s->stmt, " WHERE load_id = ");
	sql_param(&s->stmt, s->dl, 2);
	sql_run(s, "_fd_loads", xbuf(&s->stmt), 2, p);
}

void
sql_end_load(struct sql *s, long long rows)
{
	char n[sizeof("-9223372036854775808")];	/* a long long */
	const char *p[2] = { n, s->load_id };

	snprintf(n, sizeof(n), "%lld", rows);
	fd_buf_reset(&s->stmt);
	fd_buf_printf(&s->stmt, "UPDATE _fd_loads SET status = 'completed', "
	    "finished_at = %s, rows = ", s->dl->now);
	sql_param(&s->stmt, s->dl, 1);
	fd_buf_puts(&s->stmt, " WHERE load_id = ");
	sql_param(&s->stmt, s->dl, 2);
	sql_run(s, "_fd_loads", xbuf(&s->stmt), 2, p);
}

void
sql_state(struct sql *s, const char *state)
{
	static const char *const cols[] = { "id", "state", "load_id",
	    "committed_at" };
	const char *p[2] = { state, s->load_id };

	/* id and committed_at are no parameters: 1 and the time */
	fd_buf_reset(&s->stmt);
	fd_buf_printf(&s->stmt, "INSERT INTO _fd_state (%s, %s, %s, %s) "
	    "VALUES (1, ", cols[0], cols[1], cols[2], cols[3]);
	sql_param(&s->stmt, s->dl, 1);
	fd_buf_puts(&s->stmt, ", ");
	sql_param(&s->stmt, s->dl, 2);
	fd_buf_printf(&s->stmt, ", %s)", s->dl->now);
	upsert(&s->stmt, s->dl, cols, NELEM(cols));
	sql_run(s, "_fd_state", xbuf(&s->stmt), 2, p);
}

unsigned
sql_takes(const struct sql_dialect *dl, const char *ty)
{
	size_t i;

	for (i = 0; i < dl->ntakes; i++)
		if (strcmp(ty, dl->takes[i].type) == 0)
			return dl->takes[i].takes;
	return FD_COL_ANY;
}

/* A catalog row: name -> its type, into the map. */
static void
column_row(void *arg, const char *const *v)
{
	struct fd_map *into = arg;
	char *ty;

	if (v[0] == NULL || fd_map_get(into, v[0], strlen(v[0])) != NULL)
		return;
	ty = xstrdup(v[1] != NULL ? v[1] : "");
	if (fd_map_put(into, v[0], strlen(v[0]), ty) == -1)
		err(FD_EXIT_FAIL, NULL);
}

void
sql_columns(struct sql *s, const char *prefix, const char *name,
    struct fd_map *into)
{
	const char *p[1];

	fd_buf_reset(&s->arg);
	if (s->dl->catalog_quoted)
		sql_ident(&s->arg, prefix, name);
	else
		fd_buf_printf(&s->arg, "%s%s", prefix, name);
	p[0] = xbuf(&s->arg);
	run_rows(s, name, s->dl->catalog, 1, p, column_row, into);
}

void
sql_columns_free(struct fd_map *m)
{
	char *v;
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; fd_map_at(m, i, (void **)&v) != NULL; i++)
		free(v);
	fd_map_free(m);
}

void
sql_takes_of(struct sql *s, const char *name, struct fd_map *into)
{
	struct fd_map *have;
	const char *col;
	void *ty;
	size_t i;

	if ((have = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	sql_columns(s, "", name, have);
	for (i = 0; (col = fd_map_at(have, i, &ty)) != NULL; i++)
		if (fd_map_put(into, col, strlen(col),
		    (void *)(uintptr_t)sql_takes(s->dl, ty)) == -1)
			err(FD_EXIT_FAIL, NULL);
	sql_columns_free(have);
}

/* "CREATE TABLE prefix+name (c1 type, ..., "_fd_load_id" text)" */
static void
create_table(struct sql *s, const struct table *t, const char *prefix)
{
	size_t i;

	fd_buf_reset(&s->stmt);
	fd_buf_puts(&s->stmt, "CREATE TABLE ");
	sql_ident(&s->stmt, prefix, t->name);
	fd_buf_puts(&s->stmt, " (");
	for (i = 0; i < t->ncols; i++) {
		sql_ident(&s->stmt, "", t->cols[i].name);
		fd_buf_printf(&s->stmt, " %s, ", s->dl->types[t->cols[i].type]);
	}
	fd_buf_printf(&s->stmt, "\"_fd_load_id\" %s)",
	    s->dl->types[FD_COL_TEXT]);
	sql_exec(s, t->name);
}

/* "ALTER TABLE prefix+name ADD COLUMN c type" of each column not in
 * have. */
static void
add_columns(struct sql *s, const struct table *t, const char *prefix,
    struct fd_map *have)
{
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		if (fd_map_get(have, t->cols[i].name,
		    strlen(t->cols[i].name)) != NULL)
			continue;
		fd_buf_reset(&s->stmt);
		fd_buf_puts(&s->stmt, "ALTER TABLE ");
		sql_ident(&s->stmt, prefix, t->name);
		fd_buf_puts(&s->stmt, " ADD COLUMN ");
		sql_ident(&s->stmt, "", t->cols[i].name);
		fd_buf_printf(&s->stmt, " %s", s->dl->types[t->cols[i].type]);
		sql_exec(s, t->name);
	}
}

void
sql_schema(struct sql *s, struct table *t, const char *prefix)
{
	struct fd_map *have;
	const char *ty;
	size_t i;

	if ((have = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	sql_columns(s, prefix, t->name, have);
	if (*prefix == '\0')
		for (i = 0; i < t->ncols; i++) {
			ty = fd_map_get(have, t->cols[i].name,
			    strlen(t->cols[i].name));
			t->cols[i].accepts = ty != NULL ?
			    sql_takes(s->dl, ty) : 0;
		}
	if (fd_map_len(have) == 0)
		create_table(s, t, prefix);
	else
		add_columns(s, t, prefix, have);
	sql_columns_free(have);
}

void
sql_register(struct sql *s, const struct table *t)
{
	static const char *const cols[] = { "name", "root", "kind",
	    "disposition" };
	const char *p[NELEM(cols)];
	size_t i;

	p[0] = t->name;
	p[1] = t->root;
	p[2] = t->child ? "child" : "root";
	p[3] = disp_name(t->disp);
	fd_buf_reset(&s->stmt);
	fd_buf_printf(&s->stmt, "INSERT INTO _fd_tables (%s, %s, %s, %s) "
	    "VALUES (", cols[0], cols[1], cols[2], cols[3]);
	for (i = 0; i < NELEM(cols); i++) {
		if (i > 0)
			fd_buf_puts(&s->stmt, ", ");
		sql_param(&s->stmt, s->dl, i + 1);
	}
	fd_buf_putc(&s->stmt, ')');
	upsert(&s->stmt, s->dl, cols, NELEM(cols));
	sql_run(s, "_fd_tables", xbuf(&s->stmt), NELEM(cols), p);
}

/* The first column of a row, NUL-terminated, into an fd_buf. */
static void
name_row(void *arg, const char *const *v)
{
	struct fd_buf *b = arg;

	if (v[0] == NULL)
		return;
	fd_buf_puts(b, v[0]);
	fd_buf_putc(b, '\0');
}

void
sql_names(struct sql *s, const char *what, const char *sql, int n,
    const char *const *params, struct fd_buf *into)
{
	fd_buf_reset(into);
	run_rows(s, what, sql, n, params, name_row, into);
	fd_buf_putc(into, '\0');
	xbuf_check(into);
}

/* The name table name's indexes are called after, into s->arg. */
static void
index_base(struct sql *s, const char *name)
{
	const char *p[1];

	fd_buf_reset(&s->arg);
	if (s->dl->relid == NULL) {
		fd_buf_puts(&s->arg, name);
		return;
	}
	sql_ident(&s->arg, "", name);
	p[0] = xbuf(&s->arg);
	sql_names(s, name, s->dl->relid, 1, p, &s->names);
	fd_buf_reset(&s->arg);
	fd_buf_puts(&s->arg, xbuf(&s->names));
}

/* "CREATE INDEX IF NOT EXISTS <prefix><base> ON name (", the columns
 * to follow, into s->stmt. */
static void
create_index(struct sql *s, const char *name, const char *prefix)
{
	index_base(s, name);
	fd_buf_reset(&s->stmt);
	fd_buf_puts(&s->stmt, "CREATE INDEX IF NOT EXISTS ");
	sql_ident(&s->stmt, prefix, xbuf(&s->arg));
	fd_buf_puts(&s->stmt, " ON ");
	sql_ident(&s->stmt, "", name);
	fd_buf_puts(&s->stmt, " (");
}

int
sql_rooted(const struct table *t)
{
	return t->child && fd_map_get(t->colidx, "_fd_root_id",
	    strlen("_fd_root_id")) != NULL;
}

void
sql_indexes(struct sql *s, const struct table *t)
{
	if (TABLE_MERGES(t)) {
		create_index(s, t->name, "_fd_key_");
		sql_key_list(&s->stmt, t);
		fd_buf_putc(&s->stmt, ')');
		sql_exec(s, t->name);
	} else if (sql_rooted(t))
		sql_root_index(s, t->name);
}

void
sql_root_index(struct sql *s, const char *name)
{
	create_index(s, name, "_fd_root_");
	fd_buf_puts(&s->stmt, "\"_fd_root_id\")");
	sql_exec(s, name);
}

const char *
sql_children(struct sql *s, const char *root)
{
	const char *p[1] = { root };

	fd_buf_reset(&s->stmt);
	fd_buf_puts(&s->stmt, "SELECT name FROM _fd_tables WHERE root = ");
	sql_param(&s->stmt, s->dl, 1);
	fd_buf_puts(&s->stmt, " AND kind = 'child' ORDER BY name");
	sql_names(s, "_fd_tables", xbuf(&s->stmt), 1, p, &s->names);
	return s->names.data;
}

char *
sql_chain(struct sql *s, const char *root)
{
	const char *kids;
	size_t n = strlen(root) + 1;
	char *all;

	kids = sql_children(s, root);
	all = xmalloc(n + s->names.len);
	memcpy(all, root, n);
	memcpy(all + n, kids, s->names.len);
	return all;
}

void
sql_empty(struct sql *s, const char *what, const char *table)
{
	fd_buf_reset(&s->stmt);
	fd_buf_printf(&s->stmt, "%s%s", s->dl->empty, table);
	sql_exec(s, what);
}

void
sql_swap_in(struct sql *s, const char *name, const struct table *c,
    const char *stage)
{
	fd_buf_reset(&s->stmt);
	sql_delete_from(&s->stmt, "", name);
	sql_exec(s, name);
	if (c == NULL || c->disp != DISP_REPLACE)
		return;		/* no rows this version */
	fd_buf_reset(&s->stmt);
	sql_insert_into(&s->stmt, "", name, c);
	fd_buf_puts(&s->stmt, "SELECT ");
	sql_select_list(&s->stmt, c, "");
	fd_buf_printf(&s->stmt, " FROM %s", stage);
	sql_exec(s, name);
	sql_empty(s, name, stage);
}

void
sql_ids(struct sql *s)
{
	sql_run(s, "reconcile", s->dl->ids_create, 0, NULL);
}

void
sql_ids_drop(struct sql *s, int n)
{
	char num[16];
	const char *p[1] = { num };

	snprintf(num, sizeof(num), "%d", n);
	sql_ids(s);
	fd_buf_reset(&s->stmt);
	fd_buf_printf(&s->stmt, "DELETE FROM %s WHERE n = ", s->dl->ids_table);
	sql_param(&s->stmt, s->dl, 1);
	sql_run(s, "reconcile", xbuf(&s->stmt), 1, p);
}

/* The rows the last statement changed, per the dialect. */
static long long
changes(struct sql *s)
{
	return s->dl->changes != NULL ? s->dl->changes(s->conn) : 0;
}

/*
 * r's key column, its name malloc'd in *key: r->t's key, or the
 * columns of the table's merge key index; it must be one column, of
 * the dialect's integers in have (the table's columns).  0, or -1 with
 * errbuf.
 */
static int
recon_key(struct sql *s, const struct recon *r, struct fd_map *have,
    char **key, char *errbuf)
{
	const char *p[1], *ty, *n;
	size_t count = 0;

	*key = NULL;
	if (r->t != NULL) {
		if (r->t->nkeys == 1)
			*key = xstrdup(r->t->keys[0]);
		count = r->t->nkeys;
	} else {
		index_base(s, r->table);
		fd_buf_reset(&s->names);
		if (s->dl->catalog_quoted)
			sql_ident(&s->names, "_fd_key_", xbuf(&s->arg));
		else
			fd_buf_printf(&s->names, "_fd_key_%s", xbuf(&s->arg));
		fd_buf_reset(&s->arg);
		fd_buf_puts(&s->arg, xbuf(&s->names));
		p[0] = xbuf(&s->arg);
		sql_names(s, r->table, s->dl->keycols, 1, p, &s->names);
		for (n = s->names.data; *n != '\0'; n += strlen(n) + 1)
			if (count++ == 0)
				*key = xstrdup(n);
	}
	if (count != 1) {
		free(*key);
		*key = NULL;
		return fd_diag_set(errbuf, "table %s: a reconcile needs one "
		    "key column, the table has %zu", showname(r->table), count);
	}
	ty = fd_map_get(have, *key, strlen(*key));
	if (ty == NULL || strcasecmp(ty, s->dl->types[FD_COL_BIGINT]) != 0) {
		fd_diag_set(errbuf, "table %s: key column %s: a reconcile "
		    "needs integer keys", showname(r->table), showname(*key));
		free(*key);
		*key = NULL;
		return -1;
	}
	return 0;
}

/* " WHERE [cond AND ][NOT ]EXISTS (the id of table name's key in set
 * <param i>)" */
static void
in_set(struct sql *s, const char *cond, int not, const char *name,
    const char *key, size_t i)
{
	fd_buf_puts(&s->stmt, " WHERE ");
	if (cond != NULL)
		fd_buf_printf(&s->stmt, "%s AND ", cond);
	fd_buf_printf(&s->stmt, "%sEXISTS (SELECT 1 FROM %s i WHERE i.n = ",
	    not ? "NOT " : "", s->dl->ids_table);
	sql_param(&s->stmt, s->dl, i);
	fd_buf_puts(&s->stmt, " AND i.id = ");
	sql_ident(&s->stmt, "", name);
	fd_buf_putc(&s->stmt, '.');
	sql_ident(&s->stmt, "", key);
	fd_buf_putc(&s->stmt, ')');
}

/* Hard: the rows of r's table not in the set, and first their child
 * rows, deleted. */
static void
recon_delete(struct sql *s, struct recon *r, struct fd_map *have,
    const char *key, const char *num)
{
	const char *p[1] = { num }, *n;
	struct fd_map *kid;
	char *kids;
	int ided;

	kids = sql_chain(s, r->table);
	/* child rows hang off the root's _fd_id: none without one */
	ided = fd_map_get(have, "_fd_id", strlen("_fd_id")) != NULL;
	for (n = kids + strlen(kids) + 1; ided && *n != '\0';
	    n += strlen(n) + 1) {
		if ((kid = fd_map_new()) == NULL)
			err(FD_EXIT_FAIL, NULL);
		sql_columns(s, "", n, kid);
		if (fd_map_get(kid, "_fd_root_id",
		    strlen("_fd_root_id")) != NULL) {
			fd_buf_reset(&s->stmt);
			sql_delete_from(&s->stmt, "", n);
			fd_buf_puts(&s->stmt, " WHERE \"_fd_root_id\" IN "
			    "(SELECT \"_fd_id\" FROM ");
			sql_ident(&s->stmt, "", r->table);
			in_set(s, NULL, 1, r->table, key, 1);
			fd_buf_putc(&s->stmt, ')');
			sql_run(s, n, xbuf(&s->stmt), 1, p);
		}
		sql_columns_free(kid);
	}
	free(kids);
	fd_buf_reset(&s->stmt);
	sql_delete_from(&s->stmt, "", r->table);
	in_set(s, NULL, 1, r->table, key, 1);
	sql_run(s, r->table, xbuf(&s->stmt), 1, p);
	r->deleted = changes(s);
}

int
sql_reconcile(struct sql *s, struct recon *r, char *errbuf)
{
	struct fd_map *have;
	char num[16], *key = NULL;
	const char *p[2];
	int marks;

	r->found = 0;
	r->marked = r->cleared = r->deleted = 0;
	snprintf(num, sizeof(num), "%d", r->set);
	if ((have = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	sql_columns(s, "", r->table, have);
	if (fd_map_len(have) == 0)
		goto done;	/* no table yet: nothing to mark */
	r->found = 1;
	if (recon_key(s, r, have, &key, errbuf) == -1) {
		sql_columns_free(have);
		return -1;
	}
	marks = fd_map_get(have, DELETED_COLUMN,
	    strlen(DELETED_COLUMN)) != NULL;
	if (r->hard)
		recon_delete(s, r, have, key, num);
	else {
		if (!marks) {
			fd_buf_reset(&s->stmt);
			fd_buf_puts(&s->stmt, "ALTER TABLE ");
			sql_ident(&s->stmt, "", r->table);
			fd_buf_printf(&s->stmt, " ADD COLUMN \"" DELETED_COLUMN
			    "\" %s", s->dl->types[FD_COL_TIMESTAMP]);
			sql_exec(s, r->table);
			marks = 1;
		}
		/* a row marked keeps its first time */
		p[0] = r->as_of;
		p[1] = num;
		fd_buf_reset(&s->stmt);
		fd_buf_puts(&s->stmt, "UPDATE ");
		sql_ident(&s->stmt, "", r->table);
		fd_buf_puts(&s->stmt, " SET \"" DELETED_COLUMN "\" = ");
		sql_param(&s->stmt, s->dl, 1);
		in_set(s, "\"" DELETED_COLUMN "\" IS NULL", 1, r->table, key,
		    2);
		sql_run(s, r->table, xbuf(&s->stmt), 2, p);
		r->marked = changes(s);
	}
	if (marks) {
		/* the record exists again */
		p[0] = num;
		fd_buf_reset(&s->stmt);
		fd_buf_puts(&s->stmt, "UPDATE ");
		sql_ident(&s->stmt, "", r->table);
		fd_buf_puts(&s->stmt, " SET \"" DELETED_COLUMN "\" = NULL");
		in_set(s, "\"" DELETED_COLUMN "\" IS NOT NULL", 0, r->table,
		    key, 1);
		sql_run(s, r->table, xbuf(&s->stmt), 1, p);
		r->cleared = changes(s);
	}
done:
	free(key);
	sql_columns_free(have);
	sql_ids_drop(s, r->set);
	return 0;
}

void
sql_ident(struct fd_buf *b, const char *prefix, const char *name)
{
	const char *p;

	fd_buf_putc(b, '"');
	fd_buf_puts(b, prefix);
	for (p = name; *p != '\0'; p++) {
		if (*p == '"')
			fd_buf_putc(b, '"');
		fd_buf_putc(b, *p);
	}
	fd_buf_putc(b, '"');
}

void
sql_param(struct fd_buf *b, const struct sql_dialect *dl, size_t i)
{
	fd_buf_printf(b, dl->param, i);
}

void
sql_delete_from(struct fd_buf *b, const char *prefix, const char *name)
{
	fd_buf_puts(b, "DELETE FROM ");
	sql_ident(b, prefix, name);
}

void
sql_insert_into(struct fd_buf *b, const char *prefix, const char *name,
    const struct table *t)
{
	fd_buf_puts(b, "INSERT INTO ");
	sql_ident(b, prefix, name);
	fd_buf_putc(b, ' ');
	sql_column_list(b, t, t->ncols, 0);
	fd_buf_putc(b, ' ');
}

void
sql_column_list(struct fd_buf *b, const struct table *t, size_t n, int seq)
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

void
sql_select_list(struct fd_buf *b, const struct table *t, const char *x)
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

void
sql_key_list(struct fd_buf *b, const struct table *t)
{
	size_t i;

	for (i = 0; i < t->nkeys; i++) {
		if (i > 0)
			fd_buf_puts(b, ", ");
		sql_ident(b, "", t->keys[i]);
	}
}

void
sql_key_where(struct fd_buf *b, const struct sql_dialect *dl,
    const struct table *t)
{
	size_t k;

	fd_buf_puts(b, " WHERE ");
	for (k = 0; k < t->nkeys; k++) {
		if (k > 0)
			fd_buf_puts(b, " AND ");
		sql_ident(b, "", t->keys[k]);
		fd_buf_puts(b, " = ");
		sql_param(b, dl, k + 1);
	}
}

void
sql_key_match(struct fd_buf *b, const struct table *t, const char *x,
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

void
sql_merge_find(struct fd_buf *b, const struct sql_dialect *dl,
    const struct table *t)
{
	fd_buf_puts(b, "SELECT \"_fd_id\" FROM ");
	sql_ident(b, "", t->name);
	sql_key_where(b, dl, t);
}

void
sql_merge_drop_children(struct fd_buf *b, const struct sql_dialect *dl,
    const char *child)
{
	sql_delete_from(b, "", child);
	fd_buf_puts(b, " WHERE \"_fd_root_id\" = ");
	sql_param(b, dl, 1);
}

void
sql_merge_drop(struct fd_buf *b, const struct sql_dialect *dl,
    const struct table *t)
{
	sql_delete_from(b, "", t->name);
	sql_key_where(b, dl, t);
}
