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

/* "SCHEMA", "RECORD", ... or "plain record".  Static string. */
const char	*fd_singer_type_name(enum fd_singer_type);

struct fd_singer_reader;

/*
 * Opens a reader of NDJSON on fp (not owned); name is used in messages.
 * With stream == NULL each line is classified by fd_singer_type; with a
 * stream name (copied) every line is a plain record of that stream and
 * is returned wrapped as a RECORD message.  NULL with errno ENOMEM.
 */
struct fd_singer_reader	*fd_singer_open(FILE *fp, const char *name,
	    const char *stream);

/*
 * Reads the next non-blank line.  Returns 1 and sets *type and *msg
 * (owned by the caller: the message object, or the plain record for
 * FD_SINGER_NONE); 0 at end of input; -1 with "name:line: reason" in
 * errbuf for a read error, invalid UTF-8, invalid JSON or a line that
 * is not one JSON object.
 */
int	fd_singer_next(struct fd_singer_reader *, enum fd_singer_type *type,
	    jv *msg, char *errbuf);

/* The line number of the line last read. */
unsigned long long	fd_singer_lineno(const struct fd_singer_reader *);

/* Frees the reader (not the FILE).  NULL is a no-op. */
void	fd_singer_close(struct fd_singer_reader *);

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
 * STATE message, so that a checkpoint is never held in a buffer.
 * Returns 0, or -1 with errno set when the write or flush failed.
 */
int	fd_singer_write(FILE *fp, jv msg);

#endif /* FD_SINGER_H */
