/*
 * extern.h: the modules of fd-load.
 *
 *   fd-load.c  options, input, messages, when to commit (struct loader)
 *   row.c      a RECORD split into its table's columns, values checked
 *   sql.c      what every SQL destination shares (sql.h: the core and
 *              the dialects)
 *   sqlite.c   the SQLite destination (a dialect: rows bound one by one)
 *   pg.c       the PostgreSQL destination (a dialect: COPY)
 *   files.c    the csv: and jsonl: destinations (a directory per table)
 *
 * fd-load.c keeps the tables the stream's SCHEMA messages describe
 * (struct table) and hands each event to the destination through its
 * struct dest_ops.  A destination writes rows inside one open
 * transaction, which commit() ends together with the state; fd-load.c
 * decides when (and whether a STATE is held instead).  Every
 * destination function dies (errx) on a destination error after
 * rolling back, so the destination stays at its last commit; only
 * row() returns errors, which are the input's fault.
 */
#include <stddef.h>

#include "buf.h"
#include "coltype.h"
#include "map.h"
#include "tool.h"

/* A column: its name in the destination, the type of the values the
 * stream sends it, and (from the destination's table()) the types of
 * values the destination's own column of that name takes. */
struct column {
	char		*name;
	enum fd_coltype	 type;
	unsigned	 accepts;	/* FD_COL_BIT()s; 0: any (a new column) */
};

/* The column a destination adds to every table: the load's id.  A
 * property of that name is not a column of the table (fd-load.c). */
#define LOAD_ID_COLUMN	"_fd_load_id"

/* fd-load.c holds a STATE that comes sooner than this after the last
 * commit (seconds), when the destination can hold one: dest_ops.hold.
 * A commit writes every page its batch touched: a merge into SQLite
 * touches most of the tables' _fd_root_ indexes in any batch, and
 * wrote twice the bytes (and read back 2.3 times) with 0.5. */
#define COMMIT_GAP	2.0

enum disposition { DISP_APPEND, DISP_MERGE, DISP_REPLACE };

/* The column a reconcile adds to a root table (soft deletes): when the
 * row was last found missing from its stream's id set, or NULL. */
#define DELETED_COLUMN	"_fd_deleted_at"

/*
 * A reconcile (fd-load.1, Deletions): fd-load.c's request at the STATE
 * of a set's final part, and what the destination did.  Rows of root
 * table name whose key is not in set number set lose their place:
 * marked (DELETED_COLUMN = as_of where it is NULL) or, with hard,
 * deleted with their child rows (by _fd_root_id); rows in the set that
 * are marked are cleared.
 */
struct recon {
	const char	*table;		/* the stream's root table */
	const struct table *t;		/* its table, or NULL: no SCHEMA of it
					 * this run (the key is the
					 * destination's) */
	int		 set;		/* the set's number (dest_ops.ids) */
	const char	*as_of;		/* ISO 8601 UTC ("...Z") */
	int		 hard;		/* --hard-delete */
	/* what it did */
	int		 found;		/* the table exists */
	long long	 marked, cleared, deleted;
};

/* The disposition's name, as SCHEMA messages, --mode and _fd_tables
 * spell it ("append", "merge", "replace"). */
const char	*disp_name(enum disposition);
/* The disposition called name (len bytes), or -1. */
int		 disp_parse(const char *name, size_t len);

/*
 * One column's value in a row: the JSON token of the record (kind
 * FD_JTOK_NULL when the record has no such member), pointing into the
 * record's text; for objects and arrays the whole value's span.
 */
struct value {
	int		 kind;		/* enum fd_jtok_kind */
	int		 flags;		/* FD_JTOK_ESCAPED, FD_JTOK_INTEGER */
	const char	*p;
	size_t		 len;
};

/*
 * A table as the stream's SCHEMA messages describe it.  Owned by
 * fd-load.c for the whole run; columns only grow, in SCHEMA order.
 */
struct table {
	char		*name;
	char		*root;		/* the root table's name */
	int		 child;		/* table_kind child */
	int		 normalized;	/* its SCHEMA is fd-normalize's (x-fd
					 * has a table_kind) */
	enum disposition disp;
	char		**keys;		/* primary key columns (root) */
	size_t		 nkeys;
	size_t		*keyidx;	/* each key's column index */
	struct column	*cols;
	size_t		 ncols;
	struct fd_map	*colidx;	/* the stream's property name ->
					 * index + 1 of the column it goes to
					 * (a variant property may share its
					 * base's: fd-load.c dest_name) */
	struct fd_map	*untyped;	/* property name -> non-NULL: typed
					 * only "null" so far, no column yet
					 * (a raw stream's) */
	struct value	*vals;		/* the row being written, ncols */
	void		*priv;		/* the destination's */
};

/* Whether t's rows replace earlier rows by key (a merge root). */
#define TABLE_MERGES(t)	(!(t)->child && (t)->disp == DISP_MERGE && \
	(t)->nkeys > 0)

struct dest;

struct dest_ops {
	const char	*scheme;	/* "sqlite", "postgresql", ... */
	/*
	 * Commit only at a STATE once enough rows wait (and at the end):
	 * file destinations, where each commit makes files.  Databases
	 * are given every STATE (and may be told to hold one, see hold).
	 */
	int		 coarse;
	/* Opens (and locks) the destination; dies when it cannot. */
	struct dest	*(*open)(const char *target, const char *load_id);
	/*
	 * At the input's first line, before any other call: makes what
	 * the load writes into (the database file, fd's tables).  NULL:
	 * open did.  When the input has no line, discard takes the place
	 * of commit and close: the destination is left as it was before
	 * open (no file or directory made, no _fd_loads row), the lock
	 * released.  NULL: commit and close as for any input.
	 */
	void		 (*begin)(struct dest *);
	void		 (*discard)(struct dest *);
	/*
	 * The columns table name has in the destination, before a SCHEMA
	 * changes it, into map into (emptied by the caller): column name ->
	 * what it takes, FD_COL_BIT()s cast to a pointer (never 0).  None
	 * for a table it does not have.  fd-load.c maps the stream's
	 * columns onto them (fd-load.1: a value goes to the existing
	 * column that takes it).
	 */
	void		 (*columns)(struct dest *, const char *name,
			    struct fd_map *into);
	/* Makes table t exist with at least its columns (added, never
	 * narrowed) and sets each column's accepts from the destination's
	 * column of that name; t is kept by the caller for the
	 * destination's life and may be passed again after it grew (or a
	 * column was renamed to its variant). */
	void		 (*table)(struct dest *, struct table *t);
	/*
	 * Writes one row of t, already split into t->vals by row_split.
	 * A merge root row replaces the row of the same key and its child
	 * rows (the latest of a key wins).  A replace table's rows wait in
	 * staging until activate.  Returns 0, or -1 with the reason in
	 * errbuf (the caller names line and table).
	 */
	int		 (*row)(struct dest *, struct table *t, char *errbuf);
	/* ACTIVATE_VERSION of replace root t: its chain's staged rows
	 * replace the tables' rows, at the next commit. */
	void		 (*activate)(struct dest *, struct table *t);
	/* A new version of replace root t begins: its staging empties. */
	void		 (*unstage)(struct dest *, struct table *t);
	/*
	 * Keeps state (NUL-terminated JSON text) as the restore point of
	 * the open transaction, instead of committing: it covers every
	 * row written so far, and is committed with them by the next
	 * commit (state NULL then), or by settle(failing) when bad input
	 * follows; a crash loses it.  A later hold replaces it.  Returns
	 * the latest state now durable (an earlier commit's, in the
	 * background), or NULL.  NULL for a destination that cannot
	 * hold (files: they commit coarsely).
	 */
	const char	*(*hold)(struct dest *, const char *state);
	/*
	 * When (now()) the destination last committed a held STATE on its
	 * own, before the rows after it leave (a table changes, a batch is
	 * flushed), or 0: a commit too for the hold decision, which
	 * fd-load.c makes.  NULL for a destination that never does.
	 */
	double		 (*released)(struct dest *);
	/*
	 * Commits what was written with the state (NUL-terminated JSON
	 * text), or with the STATE held if state is NULL (--batch-rows, the
	 * input pauses; data only if none is held), then opens the next
	 * transaction.  May commit in the background.  *done is the latest
	 * state that is durable now (maybe an earlier one; valid until the
	 * next call), or NULL if none became durable.  With final, all is
	 * committed before it returns.
	 */
	void		 (*commit)(struct dest *, const char *state, int final,
			    const char **done);
	/*
	 * Waits until background commits have ended (before fd-load.c
	 * changes a table, which they read; and, with failing, before it
	 * dies of bad input: a STATE held is then committed with the
	 * rows before it, not those after).  Returns what commit would:
	 * the latest state now durable, or NULL.  NULL for a destination
	 * that neither commits in the background nor holds a STATE.
	 */
	const char	*(*settle)(struct dest *, int failing);
	/*
	 * Reconcile sets: ids adds the ranges of one part (len bytes of
	 * text, checked: lib/ranges.h) to set number set, which the
	 * destination keeps (not durably: a crash forgets it) until
	 * reconcile applies it or drop forgets it; reconcile applies set
	 * r->set after every row written before it, and forgets it: in
	 * the open transaction (databases), or in the commit that follows
	 * (files: r stays the caller's until then, and its counts are
	 * filled by that commit).  It returns 0, or -1 with the reason in
	 * errbuf (the input's fault: the table has not exactly one integer
	 * key column; the caller names line and table; nothing changed).
	 * fd-load.c then commits at once, with the STATE of the final
	 * part.
	 */
	void		 (*ids)(struct dest *, int set, const char *ranges,
			    size_t len);
	void		 (*drop)(struct dest *, int set);
	int		 (*reconcile)(struct dest *, struct recon *r,
			    char *errbuf);
	/* Marks the load completed, commits and closes.  NULL is a no-op. */
	void		 (*close)(struct dest *, long long rows);
};

extern const struct dest_ops sqlite_ops, pg_ops, csv_ops, jsonl_ops;

/* row.c */
/*
 * Splits record rec (a JSON object of len bytes, borrowed until the
 * next call) into t->vals, one per column, and checks each value
 * against its column's type.  Returns 0, or -1 with "column X: ..."
 * in errbuf (a member no column is of: "column X is not in the
 * SCHEMA", with a hint at fd-normalize when t is not normalized and X
 * is not the load id's column; a null member of an untyped property is
 * passed over; a column two properties share takes the value of the
 * one that is not null, the last if both are).  scratch is the
 * caller's.
 */
int	row_split(struct table *t, const char *rec, size_t len,
	    struct fd_buf *scratch, char *errbuf);
/* Whether a column of type col takes every value that one of type vals
 * takes (row_split's checks). */
int	type_holds(enum fd_coltype col, enum fd_coltype vals);
/*
 * Appends the text of a string (decoded), number (as written), object
 * or array (compact JSON) to out.  Returns 0, or -1 with errbuf.
 */
int	value_text(const struct value *, struct fd_buf *out, char *errbuf);
/* Appends the value as compact JSON text (a string with its quotes).
 * Returns 0, or -1 with errbuf. */
int	value_json(const struct value *, struct fd_buf *out, char *errbuf);
/* Whether the values of every key column are there. */
int	row_has_keys(const struct table *t);

/* fd-load.c */
/*
 * A warning (warnx) that -q silences: for what the user may act on
 * though the load goes on.  Callable from any module without a handle:
 * -q is fd-load's one run-wide setting, set once by main() before the
 * destination opens and never changed after; the rest of the run is
 * fd-load.c's struct loader, which no destination sees.
 */
void	remark(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
