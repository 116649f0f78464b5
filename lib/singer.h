/*
 * singer.h: the stream between the fd programs (DESIGN.md section 1):
 * Singer messages as NDJSON, read and written as jq jv values.
 *
 * jv ownership follows jq's rule: a function that takes a jv consumes
 * it, except where a comment says it borrows; a jv returned is owned by
 * the caller.
 */
#ifndef FD_SINGER_H
#define FD_SINGER_H

#include <stdio.h>

#include <jv.h>

#include "buf.h"

enum fd_singer_type {
	FD_SINGER_NONE = 0,		/* not a message: a plain record */
	FD_SINGER_SCHEMA,
	FD_SINGER_RECORD,
	FD_SINGER_STATE,
	FD_SINGER_ACTIVATE_VERSION
};

/*
 * The strict detection rule: v is a message only if it is an object
 * whose "type" is one of the four names and whose required fields are
 * present with the right kinds (SCHEMA: stream string, schema object,
 * key_properties array; RECORD: stream string, record object; STATE:
 * value; ACTIVATE_VERSION: stream string, version number).  A Freshdesk
 * ticket with "type":"Problem" is FD_SINGER_NONE.  Borrows v.
 */
enum fd_singer_type	fd_singer_type(jv v);

/* A member of a message line: its value's text and kind (FD_JTOK_*). */
struct fd_singer_span {
	const char	*p;		/* NULL when the member is absent */
	size_t		 len;
	int		 kind;
};

/* The members of a message line that the fd programs read. */
struct fd_singer_msg {
	enum fd_singer_type	type;	/* by the strict rule above */
	struct fd_singer_span	mtype, stream, record, schema, keys, value;
	struct fd_singer_span	version, xfd;
};

/*
 * Scans one line, a JSON object text of len bytes, without building a
 * tree: validates all of it (UTF-8 included, numbers kept as written)
 * and fills m with the spans of its members "type", "stream",
 * "record", "schema", "key_properties", "value", "version" and "x-fd"
 * (borrowed from line), and m->type by the strict rule.  flags is 0 or
 * FD_SINGER_RECORD_UNCHECKED.  Returns 0, or -1 with the reason in
 * errbuf (invalid JSON, not an object).
 */
int	fd_singer_scan(const char *line, size_t len, int flags,
	    struct fd_singer_msg *m, char *errbuf);

/* fd_singer_scan's flags: the inside of "record" is only matched, not
 * validated (fd_jscan_skip_unchecked), for a caller that validates it. */
#define FD_SINGER_RECORD_UNCHECKED	0x1

/*
 * Whether span holds the JSON string s (compared as written: a name
 * written with escapes does not match).
 */
int	fd_singer_is(const struct fd_singer_span *span, const char *s);

/*
 * Appends the decoded text of a string span to out.  0, or -1 with the
 * reason in errbuf.
 */
int	fd_singer_string(const struct fd_singer_span *span, struct fd_buf *out,
	    char *errbuf);

/*
 * Message constructors.  Each consumes its jv arguments.  xfd may be
 * jv_invalid() for "no x-fd extension".
 */
jv	fd_singer_schema(const char *stream, jv schema, jv key_properties,
	    jv xfd);
jv	fd_singer_record(const char *stream, jv record);
jv	fd_singer_state(jv value);
jv	fd_singer_activate_version(const char *stream, long long version);

/*
 * Writes msg as one compact line.  Consumes msg.  Flushes fp after a
 * STATE message, so that a checkpoint is never held in a buffer.  The
 * line is whole even when other threads write to fp (flockfile).
 * Returns 0, or -1 with errno set when the write or flush failed.
 */
int	fd_singer_write(FILE *fp, jv msg);

#endif /* FD_SINGER_H */
