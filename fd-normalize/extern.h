/*
 * extern.h: the modules of fd-normalize.
 *
 *   fd-normalize.c  options, input, Singer messages (struct run)
 *   flatten.c       records into rows of a root table and child tables,
 *                   the tables' columns and types, SCHEMA and RECORD out
 *                   (struct flattener)
 *   jq.c            --jq: a record through a jq filter, its numbers kept
 *                   as the record wrote them (struct jqfilter)
 *
 * flatten.c and jq.c print nothing but the lines they are asked for:
 * what they write goes to a caller's buffer.  They die (err(3), tool.h)
 * of what the program cannot go on from (out of memory, a name that
 * gives no table or column name); a bad record is an error returned
 * (-1 and errbuf, FD_ERRSZ bytes), for the caller's message.
 */
#include <stddef.h>

#include "buf.h"
#include "naming.h"
#include "singer.h"

/* The settings of a run (from the options). */
struct norm_opts {
	enum fd_naming_conv	 conv;
	size_t			 max_length;	/* 0: unlimited */
	int			 max_nesting;
	int			 dlt;		/* _dlt_* names, dlt's ids */
	int			 dense;		/* every column in each record */
	int			 quiet;		/* -q: no warnings */
};

struct flattener;
struct stream;

/* flatten.c */

/*
 * A new flattener with the settings o (copied): everything it writes
 * goes to out (the caller's, which must outlive it), which the caller
 * checks (xbuf_check) and flushes at the boundaries it chooses.  Its
 * streams, tables and ids are its own: two flatteners share nothing.
 * Freed by flatten_end.
 */
struct flattener	*flatten_init(const struct norm_opts *o,
			    struct fd_buf *out);

/*
 * The stream called name (created on first use: its root table named
 * as dlt names it); it lives as long as f.  Dies on a name that gives
 * no table name, or one with a NUL byte.
 */
struct stream	*stream_get(struct flattener *f, const char *name,
		    size_t len);

/*
 * A SCHEMA message for stream s: its primary key (the nkeys raw field
 * names keys[i], lens[i] bytes each, copied) and its disposition
 * ("merge", "append", "replace" or NULL: merge with a key, else
 * append).  Takes effect for the records after it: each table of the
 * stream whose SCHEMA changed writes it again before its next row.
 */
void	stream_schema(struct flattener *f, struct stream *s,
	    char *const *keys, const size_t *lens, size_t nkeys,
	    const char *disposition);

/*
 * The columns that the properties of a stream's input SCHEMA (the
 * JSON Schema text schema, len bytes, valid) give its root table, with
 * dense records only: each property that a value of would be a root
 * column (a scalar, or one inside an object flattened into it, as
 * max_nesting allows) is declared, untyped ({"type":["null"]}), in the
 * properties' order, after the columns the table has.  So the first
 * record holds them all, null.  A column's first value types it as
 * ever, and the table's SCHEMA is written again before that row.
 * Lists (child tables) and objects without properties are left to the
 * data; so is everything of a SCHEMA without properties.
 */
void	stream_hints(struct flattener *f, struct stream *s,
	    const char *schema, size_t len);

/*
 * Writes the rows of one record (the JSON object text rec, len bytes,
 * valid: one that jscan accepted, which is not checked again, so that
 * each byte of the input is validated once) of stream s: the root row
 * and its child rows, each table's SCHEMA before its first row and
 * again when it has grown.  When mem is not NULL, its nmem members
 * are rec's (fd_singer_scan_members gave them), in order: rec's top
 * level is not scanned again.  version
 * (the RECORD's, as JSON text, or NULL) is copied onto every row.
 * Returns 0, or -1 with a reason in errbuf (what was written of the
 * record is then the caller's to drop).
 */
int	flatten_record(struct flattener *f, struct stream *s,
	    const char *rec, size_t len, const struct fd_singer_member *mem,
	    size_t nmem, const char *version, size_t vlen, char *errbuf);

/* The name of a stream's root table. */
const char	*stream_table(const struct stream *);

/*
 * Writes the ACTIVATE_VERSION of version (vlen bytes of JSON number)
 * for every table of stream s's chain that f has declared: the root
 * first (declared or not), then each child table whose SCHEMA was
 * written, in the order of their first SCHEMAs.  A child table with
 * no row in this run gets none.
 */
void	stream_activate(struct flattener *f, const struct stream *s,
	    const char *version, size_t vlen);

/*
 * The i-th table of f (0-based, in the order they were made): its
 * name, the rows written of it and its columns (link and variant
 * columns too).  NULL past the end.
 */
const char	*flatten_table_at(const struct flattener *f, size_t i,
		    unsigned long long *rows, size_t *ncols);

/* Frees f with every table and stream of it (not its out buffer).
 * NULL is a no-op. */
void	flatten_end(struct flattener *f);

/* jq.c */

struct jqfilter;

/*
 * The --jq filter text compiled by libjq, with the notes of numbers it
 * needs (libjq 1.6 holds numbers as doubles).  Dies of a filter that
 * does not compile: exit FD_EXIT_USAGE, "--jq: " and libjq's first
 * message.  Freed by jqfilter_close.
 */
struct jqfilter	*jqfilter_open(const char *filter);

/*
 * Runs the record (the JSON object text rec, len bytes) of stream s
 * through the filter; each object it yields is flattened by f
 * (flatten_record, with version).  A number the filter passes through
 * is written as the record wrote it (jq.c says how); one it computed
 * as libjq writes it.  Returns 0, or -1 with a reason in errbuf: the
 * filter gave something other than an object, failed (its error
 * message), or a row failed.
 */
int	jqfilter_record(struct jqfilter *q, struct flattener *f,
	    struct stream *s, const char *rec, size_t len,
	    const char *version, size_t vlen, char *errbuf);

/* Frees q and its libjq state.  NULL is a no-op. */
void	jqfilter_close(struct jqfilter *q);
