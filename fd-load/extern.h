/*
 * extern.h: the modules of fd-load.
 *
 *   fd-load.c  options, input, messages, the commit of data and state
 *   sqlite.c   the SQLite destination
 *
 * A destination keeps the tables it was told of (struct table) and
 * writes rows into them inside one open transaction, which commit()
 * ends together with the state.  Every function dies (errx) on a
 * destination error after rolling back: the destination stays at its
 * last commit.
 */
#include <stddef.h>

#include "buf.h"

/* Column types: fd-normalize's x-fd-type names. */
enum ctype { CT_BIGINT, CT_DOUBLE, CT_BOOL, CT_TEXT, CT_TIMESTAMP, CT_JSON,
	CT_DECIMAL };

struct column {
	char		*name;
	enum ctype	 type;
};

enum disposition { DISP_APPEND, DISP_MERGE, DISP_REPLACE };

/* A table as the stream's SCHEMA messages describe it. */
struct table {
	char		*name;
	char		*root;		/* the root table's name */
	int		 child;		/* table_kind child */
	enum disposition disp;
	char		**keys;		/* primary key columns (root) */
	size_t		 nkeys;
	struct column	*cols;
	size_t		 ncols;
	void		*priv;		/* the destination's */
};

struct dest;

/* sqlite.c */
struct dest	*sqlite_open(const char *path, const char *load_id);
/* Makes the table exist with at least t's columns (added, never
 * narrowed); t is kept by the caller for the destination's life. */
void	sqlite_table(struct dest *, struct table *t);
/*
 * Writes one row of t: the record object (valid JSON text).  A merge
 * root row replaces the row of the same key and its child rows.  A
 * replace table's rows wait in staging until activate.  Returns 0, or
 * -1 with the reason in errbuf (the caller names line and table).
 */
int	sqlite_row(struct dest *, struct table *t, const char *rec,
	    size_t len, char *errbuf);
/* ACTIVATE_VERSION of root table t: its chain's staged rows replace the
 * tables' rows. */
void	sqlite_activate(struct dest *, struct table *t);
/* A new version of replace root t begins: its chain's staging empties. */
void	sqlite_unstage(struct dest *, struct table *t);
/* Commits the open transaction with the state (JSON text, or NULL to
 * commit data only), then opens the next one. */
void	sqlite_commit(struct dest *, const char *state, size_t len);
/* Commits, marks the load completed and closes.  NULL is a no-op. */
void	sqlite_close(struct dest *, long long rows);
/* The state the destination last committed (malloc'd), or NULL. */
char	*sqlite_state(struct dest *);
