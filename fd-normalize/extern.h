/*
 * extern.h: the modules of fd-normalize.
 *
 *   fd-normalize.c  options, input, Singer messages, --jq
 *   flatten.c       records into rows of a root table and child tables,
 *                   the tables' columns and types, SCHEMA and RECORD out
 */
#include <stddef.h>

#include "buf.h"
#include "naming.h"

/* The settings of a run (from the options). */
struct norm_opts {
	enum fd_naming_conv	 conv;
	size_t			 max_length;	/* 0: unlimited */
	int			 max_nesting;
	int			 dlt;		/* _dlt_* names, dlt's ids */
};

struct stream;

/* flatten.c */

/*
 * Starts flatten's output: everything it writes goes to out, which the
 * caller flushes (flatten_flush) at the boundaries it chooses.
 */
void	flatten_init(const struct norm_opts *, struct fd_buf *out);

/*
 * The stream called name (created on first use: its root table named
 * as dlt names it).  Dies on a name that gives no table name, or one
 * with a NUL byte.
 */
struct stream	*stream_get(const char *name, size_t len);

/*
 * A SCHEMA message for the stream: its primary key (the nkeys raw field
 * names keys[i], lens[i] bytes each, copied) and its disposition
 * ("merge", "append", "replace" or NULL: merge with a key, else
 * append).  Takes effect for the records after it.
 */
void	stream_schema(struct stream *, char *const *keys, const size_t *lens,
	    size_t nkeys, const char *disposition);

/*
 * Writes the rows of one record (the JSON object text rec, len bytes,
 * valid) of stream s: the root row and its child rows, each table's
 * SCHEMA before its first row and again when it has grown.  version
 * (the RECORD's, as JSON text, or NULL) is copied onto every row.
 * Returns 0, or -1 with a reason in errbuf.
 */
int	flatten_record(struct stream *s, const char *rec, size_t len,
	    const char *version, size_t vlen, char *errbuf);

/* The name of a stream's root table, for ACTIVATE_VERSION. */
const char	*stream_table(const struct stream *);

/* Frees every table and stream. */
void	flatten_end(void);
