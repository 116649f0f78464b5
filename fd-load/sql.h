/*
 * sql.h: the SQL destination core (sql.c) and the dialect each SQL
 * database supplies.
 *
 * The core owns what every SQL database shares: fd's bookkeeping
 * tables (_fd_loads, _fd_state, _fd_tables, their DDL made from one
 * description and the dialect's type names), schema evolution (a table
 * created with the stream's columns, new columns added, what an
 * existing column accepts), the key and root indexes, the _fd_tables
 * upsert and the chain it records, identifier quoting, the type map
 * (as data: the dialect's tables) and the text of the statements that
 * stage, activate, unstage and merge rows.
 *
 * A dialect (sqlite.c, pg.c) supplies only what truly differs: its
 * names and statement forms as data (struct sql_dialect), running a
 * statement and reading its rows (run), and, in its own file, how rows
 * reach the database (SQLite binds each row to a prepared statement,
 * PostgreSQL sends COPY text from a writer thread), locking, opening
 * and closing.  Its struct dest_ops (extern.h) is built on the core.
 *
 * Every core function dies on a destination error: run dies (after the
 * database rolled back), and a statement whose text lost a part (a
 * failed append) is never run (xbuf).
 */
#ifndef FD_LOAD_SQL_H
#define FD_LOAD_SQL_H

#include "coltype.h"

struct fd_buf;
struct fd_map;
struct table;

/* The types of the bookkeeping tables' columns (the dialect names
 * them: sql_dialect.bktypes). */
enum sql_bktype { SQL_BK_TEXT, SQL_BK_INT, SQL_BK_BIGINT, SQL_BK_TIME,
	SQL_BK_NTYPES };

/* What a column of a catalog type (as the catalog spells it) takes:
 * FD_COL_BIT()s. */
struct sql_takes {
	const char	*type;
	unsigned	 takes;
};

/* The columns a query's row callback sees at most. */
#define SQL_ROW_COLS	4

struct sql_dialect {
	const char	*name;		/* "sqlite", "postgresql" */
	/* the column type of each fd_coltype (the type map) */
	const char	*types[FD_COL_NTYPES];
	/* what an existing column takes, by its catalog type; a type not
	 * listed takes anything (FD_COL_ANY) */
	const struct sql_takes *takes;
	size_t		 ntakes;
	const char	*bktypes[SQL_BK_NTYPES];
	const char	*now;		/* an expression: the time, for SQL_BK_TIME */
	/* parameter i (from 1) as a placeholder: "?%zu", "$%zu" (or "?",
	 * positional, which sql.c uses only in order) */
	const char	*param;
	/* an upsert: " ON CONFLICT (%s) DO UPDATE SET " with the key, and
	 * each column set "%1$s = EXCLUDED.%1$s" */
	const char	*upsert;
	const char	*upsert_set;
	const char	*empty;		/* "DELETE FROM ", "TRUNCATE " */
	/*
	 * The catalog: a query of (name, type) of a table's columns in
	 * order, with one parameter, the table's name: quoted as an
	 * identifier (catalog_quoted) or not.
	 */
	const char	*catalog;
	int		 catalog_quoted;
	/* A query of one value naming the table (parameter 1, quoted)
	 * in its index names (PostgreSQL: its oid, as names are short),
	 * or NULL: the table's name. */
	const char	*relid;
	/*
	 * Runs statement sql with n text parameters (the dialect's
	 * placeholders), calling row (if not NULL) with each row's first
	 * SQL_ROW_COLS columns as text (NULL for SQL NULL).  Dies on a
	 * database error after rolling back; what names the statement
	 * in the message.  conn is sql.conn.
	 */
	void		(*run)(void *conn, const char *what, const char *sql,
			    int n, const char *const *params,
			    void (*row)(void *, const char *const *), void *arg);
	/*
	 * Reconciles (sql_reconcile).  ids_create makes the session's
	 * table of the sets' ids if it is not there: columns n (the set's
	 * number) and id (bigint), temporary (a crash forgets it);
	 * ids_table is its name in statements.  keycols is a query of the
	 * names of an index's columns (parameter 1: the index's name,
	 * quoted as an identifier when catalog_quoted).  changes is the
	 * number of rows the last statement run changed (NULL: not
	 * counted).
	 */
	const char	*ids_create;
	const char	*ids_table;
	const char	*keycols;
	long long	(*changes)(void *conn);
};

/*
 * The core's handle, embedded in the dialect's struct dest.  Its
 * buffers belong to whichever thread uses the connection.
 */
struct sql {
	const struct sql_dialect *dl;
	void		*conn;		/* the dialect's, for run */
	const char	*load_id;	/* borrowed, for the destination's life */
	struct fd_buf	 stmt;		/* the statement being built */
	struct fd_buf	 names;		/* sql_chain's */
	struct fd_buf	 arg;		/* a parameter being built */
};

/* Sets s up for the dialect's connection conn.  Frees nothing. */
void	 sql_init(struct sql *s, const struct sql_dialect *, void *conn,
	    const char *load_id);
/* Frees s's buffers. */
void	 sql_free(struct sql *s);

/* Runs the statement in s->stmt (checked: xbuf). */
void	 sql_exec(struct sql *s, const char *what);
/* Runs text sql with n parameters, no rows read. */
void	 sql_run(struct sql *s, const char *what, const char *sql, int n,
	    const char *const *params);

/* Runs query sql (n parameters): the first column of its rows, each
 * NUL-terminated and ended by an empty one, into into (emptied). */
void	 sql_names(struct sql *s, const char *what, const char *sql, int n,
	    const char *const *params, struct fd_buf *into);

/* Makes fd's bookkeeping tables exist and records the load (its
 * _fd_loads row, "running"), in the open transaction.  The caller holds
 * the destination's lock: the rows still "running" are of loads that
 * died, and are marked "aborted", finished_at the time now (their rows,
 * those their commits covered: sql_load_rows). */
void	 sql_begin_load(struct sql *s);
/* Records in the load's _fd_loads row the rows the open transaction
 * commits with the earlier ones, before each commit. */
void	 sql_load_rows(struct sql *s, long long rows);
/* Marks the load completed with its rows. */
void	 sql_end_load(struct sql *s, long long rows);
/* Writes the state (JSON text) to _fd_state, in the open
 * transaction. */
void	 sql_state(struct sql *s, const char *state);

/*
 * Makes table prefix+t->name exist with at least t's columns (with the
 * dialect's types; added, never narrowed) and _fd_load_id.  For prefix
 * "" (the table itself, not a staging twin), sets each column's
 * accepts from the existing column of its name (0: a new column).
 */
void	 sql_schema(struct sql *s, struct table *t, const char *prefix);
/* Records t in _fd_tables (its root, kind and disposition). */
void	 sql_register(struct sql *s, const struct table *t);
/* Makes the index merge looks t's rows up by: its key (a merge root)
 * or _fd_root_id (a child table with one: sql_rooted). */
void	 sql_indexes(struct sql *s, const struct table *t);
/* Whether t is a child table with _fd_root_id. */
int	 sql_rooted(const struct table *t);
/* Makes the _fd_root_id index of child table name. */
void	 sql_root_index(struct sql *s, const char *name);
/* The columns of prefix+name in the database, into map into: name ->
 * catalog type (malloc'd, freed by sql_columns_free with the map). */
void	 sql_columns(struct sql *s, const char *prefix, const char *name,
	    struct fd_map *into);
void	 sql_columns_free(struct fd_map *);
/* dest_ops.columns: what each column of table name takes, into into
 * (name -> FD_COL_BIT()s as a pointer). */
void	 sql_takes_of(struct sql *s, const char *name, struct fd_map *into);
/* What a column of catalog type ty takes, per the dialect. */
unsigned sql_takes(const struct sql_dialect *, const char *ty);

/*
 * The tables of root's chain: root, then its child tables (of this run
 * and of earlier ones, from _fd_tables) by name; each NUL-terminated,
 * ended by an empty name.  A malloc'd copy the caller frees.
 */
char	*sql_chain(struct sql *s, const char *root);
/* The child tables alone: a pointer into s->names, valid until the
 * next call of sql_children, sql_chain or sql_indexes. */
const char *sql_children(struct sql *s, const char *root);

/*
 * ACTIVATE_VERSION, for table name of a replace chain: its rows are
 * deleted; then, when c (its struct table, if the stream told of it)
 * is a replace table, its rows staged in stage (an identifier, quoted)
 * are inserted and stage emptied.
 */
void	 sql_swap_in(struct sql *s, const char *name, const struct table *c,
	    const char *stage);
/* Empties table (an identifier, quoted): the dialect's fastest way. */
void	 sql_empty(struct sql *s, const char *what, const char *table);

/*
 * Reconcile r (extern.h) with the ids of set r->set in the dialect's
 * ids table (which sql_ids makes, and the dialect fills): the key is
 * r->t's when the stream told of the table, else its merge key's
 * index's.  Soft: DELETED_COLUMN added to the table if it lacks it,
 * rows not in the set and not marked get r->as_of, marked rows in the
 * set NULL.  Hard: rows not in the set deleted, and first their child
 * rows (by _fd_root_id, in the tables _fd_tables names); marks of rows
 * in the set cleared where the column is.  The counts and r->found are
 * filled; the set's ids are removed.  Returns 0, or -1 with errbuf
 * when the table has not exactly one key column, of integers (nothing
 * changed then).
 */
int	 sql_reconcile(struct sql *s, struct recon *r, char *errbuf);
/* Makes the ids table exist (ids_create). */
void	 sql_ids(struct sql *s);
/* Removes set n's ids. */
void	 sql_ids_drop(struct sql *s, int n);

/* Statement text, appended to b. */
/* prefix and name as one quoted SQL identifier ("a""b") */
void	 sql_ident(struct fd_buf *b, const char *prefix, const char *name);
/* the dialect's placeholder of parameter i (from 1) */
void	 sql_param(struct fd_buf *b, const struct sql_dialect *, size_t i);
/* "DELETE FROM name" */
void	 sql_delete_from(struct fd_buf *b, const char *prefix,
	    const char *name);
/* "INSERT INTO prefix+name (c1, ..., "_fd_load_id") " of all of t's
 * columns (name: t's, or of a table like it) */
void	 sql_insert_into(struct fd_buf *b, const char *prefix,
	    const char *name, const struct table *t);
/* "(c1, ..., cn, "_fd_load_id")" of t's first n columns, with
 * "_fd_seq" after when seq */
void	 sql_column_list(struct fd_buf *b, const struct table *t, size_t n,
	    int seq);
/* x.c1, ..., x._fd_load_id: all of t's columns, each prefixed with x */
void	 sql_select_list(struct fd_buf *b, const struct table *t,
	    const char *x);
/* k1, k2: t's key columns */
void	 sql_key_list(struct fd_buf *b, const struct table *t);
/* " WHERE k1 = <param 1> AND ...": t's key as parameters */
void	 sql_key_where(struct fd_buf *b, const struct sql_dialect *,
	    const struct table *t);
/* "x.k1 = y.k1 AND ...": t's key in two tables */
void	 sql_key_match(struct fd_buf *b, const struct table *t,
	    const char *x, const char *y);
/* The merge's statements of a row at a time (find, then drop the
 * children, then drop the row): "SELECT _fd_id FROM t WHERE key",
 * "DELETE FROM child WHERE _fd_root_id = <param 1>", "DELETE FROM t
 * WHERE key". */
void	 sql_merge_find(struct fd_buf *b, const struct sql_dialect *,
	    const struct table *t);
void	 sql_merge_drop_children(struct fd_buf *b,
	    const struct sql_dialect *, const char *child);
void	 sql_merge_drop(struct fd_buf *b, const struct sql_dialect *,
	    const struct table *t);

/* The dialects fd ships. */
extern const struct sql_dialect sql_sqlite, sql_pg;

/*
 * A third database is one small file: the dialect of one fd does not
 * ship, MySQL/MariaDB, as it would read (tests/unit/t_sql.c compiles it
 * and checks the statements the core makes with it).  Its file would
 * add run (mysql_real_query, mysql_stmt_* for parameters), open with a
 * GET_LOCK for locking, and rows as prepared multi-row INSERTs or LOAD
 * DATA LOCAL INFILE.
 *
 *	const struct sql_dialect sql_mysql = {
 *		.name = "mysql",
 *		.types = { [FD_COL_BIGINT] = "BIGINT",
 *		    [FD_COL_DOUBLE] = "DOUBLE", [FD_COL_BOOL] = "BOOLEAN",
 *		    [FD_COL_TEXT] = "LONGTEXT", [FD_COL_TIMESTAMP] =
 *		    "DATETIME(6)", [FD_COL_JSON] = "JSON",
 *		    [FD_COL_DECIMAL] = "DECIMAL(65,30)" },
 *		.takes = mysql_takes,	// "bigint", "double", "tinyint(1)",
 *					// "longtext", "datetime(6)", "json"
 *		.ntakes = 6,
 *		.bktypes = { "VARCHAR(255)", "INT", "BIGINT",
 *		    "DATETIME(6)" },
 *		.now = "NOW(6)",
 *		.param = "?",		// positional: the core's use them in order
 *		.upsert = " ON DUPLICATE KEY UPDATE ",
 *		.upsert_set = "%1$s = VALUES(%1$s)",
 *		.empty = "TRUNCATE TABLE ",
 *		.catalog = "SELECT column_name, column_type FROM "
 *		    "information_schema.columns WHERE table_schema = "
 *		    "DATABASE() AND table_name = ? ORDER BY "
 *		    "ordinal_position",
 *		.catalog_quoted = 0,
 *		.run = mysql_run,
 *		.ids_create = "CREATE TEMPORARY TABLE IF NOT EXISTS "
 *		    "_fd_ids (n INT NOT NULL, id BIGINT NOT NULL, "
 *		    "PRIMARY KEY (n, id))",
 *		.ids_table = "_fd_ids",
 *		.keycols = "SELECT column_name FROM "
 *		    "information_schema.statistics WHERE table_schema = "
 *		    "DATABASE() AND index_name = ?",
 *		.changes = mysql_changes,	// mysql_affected_rows
 *	};
 *
 * (MySQL quotes identifiers with backquotes unless sql_mode has
 * ANSI_QUOTES, which its open sets, as "a""b" is then what sql_ident
 * writes.)
 */

#endif /* FD_LOAD_SQL_H */
