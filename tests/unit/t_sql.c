/*
 * Unit tests of fd-load/sql.c, the SQL destination core, through a
 * dialect fd does not ship: MySQL/MariaDB (sql.h shows it), whose run
 * records each statement and answers the catalog from a table given
 * here.  So a third database is the data below plus its run.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "map.h"
#include "../../fd-load/extern.h"
#include "../../fd-load/sql.h"
#include "t.h"

/* extern.h's, from fd-load.c (not linked here) */
const char *
disp_name(enum disposition d)
{
	static const char *const names[] = { "append", "merge", "replace" };

	return names[d];
}

/* What the double was asked, and the catalog it answers from. */
static struct fd_buf log_;		/* statements, one per line */
static const char *const *catalog;	/* name, type, ...; NULL-ended */

static void
mysql_run(void *conn, const char *what, const char *sql, int n,
    const char *const *params, void (*row)(void *, const char *const *),
    void *arg)
{
	const char *v[SQL_ROW_COLS] = { NULL };
	int i;

	(void)conn;
	(void)what;
	fd_buf_puts(&log_, sql);
	for (i = 0; i < n; i++)
		fd_buf_printf(&log_, " [%s]", params[i]);
	fd_buf_putc(&log_, '\n');
	if (row == NULL || strstr(sql, "information_schema") == NULL)
		return;
	for (i = 0; catalog != NULL && catalog[i] != NULL; i += 2) {
		v[0] = catalog[i];
		v[1] = catalog[i + 1];
		row(arg, v);
	}
}

static const struct sql_takes mysql_takes[] = {
	{ "bigint", FD_COL_BIT(FD_COL_BIGINT) },
	{ "double", FD_COL_BIT(FD_COL_DOUBLE) | FD_COL_BIT(FD_COL_BIGINT) },
	{ "tinyint(1)", FD_COL_BIT(FD_COL_BOOL) },
	{ "longtext", FD_COL_ANY & ~FD_COL_BIT(FD_COL_BOOL) },
	{ "datetime(6)", FD_COL_BIT(FD_COL_TIMESTAMP) },
	{ "json", FD_COL_ANY },
};

static const struct sql_dialect sql_mysql = {
	.name = "mysql",
	.types = {
		[FD_COL_BIGINT] = "BIGINT",
		[FD_COL_DOUBLE] = "DOUBLE",
		[FD_COL_BOOL] = "BOOLEAN",
		[FD_COL_TEXT] = "LONGTEXT",
		[FD_COL_TIMESTAMP] = "DATETIME(6)",
		[FD_COL_JSON] = "JSON",
		[FD_COL_DECIMAL] = "DECIMAL(65,30)",
	},
	.takes = mysql_takes,
	.ntakes = sizeof(mysql_takes) / sizeof(mysql_takes[0]),
	.bktypes = { "VARCHAR(255)", "INT", "BIGINT", "DATETIME(6)" },
	.now = "NOW(6)",
	.param = "?",
	.upsert = " ON DUPLICATE KEY UPDATE ",
	.upsert_set = "%1$s = VALUES(%1$s)",
	.empty = "TRUNCATE TABLE ",
	.catalog = "SELECT column_name, column_type FROM "
	    "information_schema.columns WHERE table_schema = DATABASE() AND "
	    "table_name = ? ORDER BY ordinal_position",
	.catalog_quoted = 0,
	.run = mysql_run,
};

/* A merge root "t" (key id) of columns id bigint, ok bool, x json. */
static void
table_t(struct table *t, struct column *cols, char **keys, size_t *keyidx)
{
	static char id[] = "id", ok[] = "ok", x[] = "x", tn[] = "t";

	memset(t, 0, sizeof(*t));
	cols[0] = (struct column){ id, FD_COL_BIGINT, 0 };
	cols[1] = (struct column){ ok, FD_COL_BOOL, 0 };
	cols[2] = (struct column){ x, FD_COL_JSON, 0 };
	keys[0] = id;
	keyidx[0] = 0;
	t->name = t->root = tn;
	t->disp = DISP_MERGE;
	t->keys = keys;
	t->nkeys = 1;
	t->keyidx = keyidx;
	t->cols = cols;
	t->ncols = 3;
}

void
t_sql(void)
{
	static const char *const have[] = { "id", "bigint", "ok", "longtext",
	    NULL };
	struct column cols[3];
	struct table t;
	struct sql s;
	char *keys[1];
	size_t keyidx[1];
	char *chain;

	table_t(&t, cols, keys, keyidx);
	sql_init(&s, &sql_mysql, NULL, "17.5");
	sql_begin_load(&s);
	T_STR(log_.data, "CREATE TABLE IF NOT EXISTS _fd_loads (load_id "
	    "VARCHAR(255) PRIMARY KEY, status VARCHAR(255) NOT NULL, "
	    "started_at DATETIME(6) NOT NULL, finished_at DATETIME(6), rows "
	    "BIGINT NOT NULL DEFAULT 0)\n"
	    "CREATE TABLE IF NOT EXISTS _fd_state (id INT PRIMARY KEY CHECK "
	    "(id = 1), state VARCHAR(255) NOT NULL, load_id VARCHAR(255) NOT "
	    "NULL, committed_at DATETIME(6) NOT NULL)\n"
	    "CREATE TABLE IF NOT EXISTS _fd_tables (name VARCHAR(255) PRIMARY "
	    "KEY, root VARCHAR(255) NOT NULL, kind VARCHAR(255) NOT NULL, "
	    "disposition VARCHAR(255) NOT NULL)\n"
	    "INSERT INTO _fd_loads (load_id, status, started_at) VALUES (?, "
	    "'running', NOW(6)) [17.5]\n"
	    "UPDATE _fd_loads SET status = 'aborted', finished_at = NOW(6) "
	    "WHERE status = 'running' AND load_id <> ? [17.5]\n");

	/* a new table: created; the columns accept anything (0) */
	fd_buf_reset(&log_);
	catalog = NULL;
	sql_schema(&s, &t, "");
	T_STR(log_.data, "SELECT column_name, column_type FROM "
	    "information_schema.columns WHERE table_schema = DATABASE() AND "
	    "table_name = ? ORDER BY ordinal_position [t]\n"
	    "CREATE TABLE \"t\" (\"id\" BIGINT, \"ok\" BOOLEAN, \"x\" JSON, "
	    "\"_fd_load_id\" LONGTEXT)\n");
	T_INT(cols[0].accepts, 0);

	/* an existing one: the missing column added; what each takes */
	fd_buf_reset(&log_);
	catalog = have;
	sql_schema(&s, &t, "");
	T(strstr(log_.data, "ALTER TABLE \"t\" ADD COLUMN \"x\" JSON\n") !=
	    NULL);
	T(strstr(log_.data, "ADD COLUMN \"id\"") == NULL);
	T_INT(cols[0].accepts, FD_COL_BIT(FD_COL_BIGINT));
	T_INT(cols[1].accepts, FD_COL_ANY & ~FD_COL_BIT(FD_COL_BOOL));
	T_INT(cols[2].accepts, 0);
	T_INT(sql_takes(&sql_mysql, "geometry"), FD_COL_ANY);

	fd_buf_reset(&log_);
	sql_register(&s, &t);
	sql_indexes(&s, &t);
	sql_state(&s, "{}");
	T_STR(log_.data, "INSERT INTO _fd_tables (name, root, kind, "
	    "disposition) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE root = "
	    "VALUES(root), kind = VALUES(kind), disposition = "
	    "VALUES(disposition) [t] [t] [root] [merge]\n"
	    "CREATE INDEX IF NOT EXISTS \"_fd_key_t\" ON \"t\" (\"id\")\n"
	    "INSERT INTO _fd_state (id, state, load_id, committed_at) VALUES "
	    "(1, ?, ?, NOW(6)) ON DUPLICATE KEY UPDATE state = VALUES(state), "
	    "load_id = VALUES(load_id), committed_at = VALUES(committed_at) "
	    "[{}] [17.5]\n");

	/* the chain: the root first, then the children _fd_tables names */
	fd_buf_reset(&log_);
	catalog = NULL;
	chain = sql_chain(&s, "t");
	T_STR(chain, "t");
	T_INT(chain[2], '\0');
	free(chain);
	T(strstr(log_.data, "WHERE root = ? AND kind = 'child'") != NULL);

	/* ACTIVATE_VERSION and a row-at-a-time merge's statements */
	fd_buf_reset(&log_);
	t.disp = DISP_REPLACE;
	sql_swap_in(&s, "t", &t, "\"_fd_stage_t\"");
	T_STR(log_.data, "DELETE FROM \"t\"\n"
	    "INSERT INTO \"t\" (\"id\", \"ok\", \"x\", \"_fd_load_id\") SELECT "
	    "\"id\", \"ok\", \"x\", \"_fd_load_id\" FROM \"_fd_stage_t\"\n"
	    "TRUNCATE TABLE \"_fd_stage_t\"\n");
	t.disp = DISP_MERGE;
	fd_buf_reset(&log_);
	sql_merge_find(&log_, &sql_mysql, &t);
	T_STR(log_.data, "SELECT \"_fd_id\" FROM \"t\" WHERE \"id\" = ?");
	fd_buf_reset(&log_);
	sql_merge_drop_children(&log_, &sql_mysql, "t__c");
	T_STR(log_.data, "DELETE FROM \"t__c\" WHERE \"_fd_root_id\" = ?");
	fd_buf_reset(&log_);
	sql_end_load(&s, 42);
	T_STR(log_.data, "UPDATE _fd_loads SET status = 'completed', "
	    "finished_at = NOW(6), rows = ? WHERE load_id = ? [42] [17.5]\n");
	sql_free(&s);
	fd_buf_free(&log_);
}
