/*
 * singer.h: the stream between the fd programs (DESIGN.md section 1):
 * Singer messages as NDJSON, scanned in place (fd_singer_scan) and
 * written as text (the fd_singer_put_* writers).
 */
#ifndef FD_SINGER_H
#define FD_SINGER_H

#include <stddef.h>

#include "buf.h"
#include "jscan.h"

/*
 * The strict detection rule: a line is a message only if it is an
 * object whose "type" is one of the four names and whose required
 * fields are present with the right kinds (SCHEMA: stream string,
 * schema object, key_properties array; RECORD: stream string, record
 * object; STATE: value; ACTIVATE_VERSION: stream string, version
 * number).  A Freshdesk ticket with "type":"Problem" is FD_SINGER_NONE.
 */
enum fd_singer_type {
	FD_SINGER_NONE = 0,		/* not a message: a plain record */
	FD_SINGER_SCHEMA,
	FD_SINGER_RECORD,
	FD_SINGER_STATE,
	FD_SINGER_ACTIVATE_VERSION
};

/* A member of a message line: its value's text and kind (FD_JTOK_*). */
struct fd_singer_span {
	const char	*p;		/* NULL when the member is absent */
	size_t		 len;
	int		 kind;
};

/* The members of a message line that the fd programs read. */
struct fd_singer_msg {
	enum fd_singer_type	type;	/* by the strict rule */
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

/* A member of an object: its key token, its value's first token and
 * the span of the whole value (borrowed from the line). */
struct fd_singer_member {
	struct fd_jtok	 key;
	struct fd_jtok	 val;
	const char	*vp;
	size_t		 vlen;
};

/*
 * As fd_singer_scan with flags 0 (the whole line validated, m filled),
 * and besides gives the members of the line's record to fn, as the scan
 * meets them, so that a caller that walks the record needs no scan of
 * its own for the record's top level.  With plain 0: fn(arg, NULL) at
 * each member named "record" (raw bytes, as m), then fn(arg, member)
 * for each member of that value when it is an object, in order; with
 * plain 1 (a plain record, the line itself): fn(arg, NULL) once, then
 * each member of the line.  The members given before fn(arg, NULL) are
 * of an earlier "record" and to be forgotten; those given last are
 * m->record's, unless the scan fails or the line is not a RECORD (the
 * caller decides from m).  fn cannot fail; it keeps what it needs of
 * a member, which is valid until the call returns.
 */
int	fd_singer_scan_members(const char *line, size_t len, int plain,
	    struct fd_singer_msg *m,
	    void (*fn)(void *arg, const struct fd_singer_member *), void *arg,
	    char *errbuf);

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
 * The message writers: every Singer message an fd program writes is
 * made by one of them.  Each appends one message, a line ending in
 * '\n', to out (the caller's; it writes the line out whole).  Names
 * (the stream, property names, key fields, x-fd's table names) are
 * UTF-8 text, NUL-terminated, written as JSON strings by
 * fd_json_put_string.  The JSON parts (a property's schema, a record,
 * a state, a version) are the caller's JSON text, valid and compact (no
 * newline), copied as they are.  Each returns 0, or -1 with errno
 * EILSEQ (a name is not valid UTF-8: the caller's message names it) or
 * ENOMEM; out is then left as it was.
 */

/* A property of a SCHEMA: a column name and its JSON Schema text. */
struct fd_singer_prop {
	const char	*name;
	const char	*schema;
};

/* fd's extension of SCHEMA, "x-fd" (fd.7): the members that are NULL
 * are left out; "table_kind" is "root" or "child" where root is set. */
struct fd_singer_xfd {
	const char	*disposition;	/* "merge", "append", "replace" */
	const char	*root;		/* the root table of a table's chain */
	const char	*parent;	/* a child table's parent table */
};

/* {"type":"SCHEMA","stream":..,"schema":{"type":"object","properties":
 * {..}},"key_properties":[..]} with "x-fd" unless xfd is NULL. */
int	fd_singer_put_schema(struct fd_buf *out, const char *stream,
	    const struct fd_singer_prop *props, size_t nprops,
	    const char *const *keys, size_t nkeys,
	    const struct fd_singer_xfd *xfd);

/*
 * A RECORD in two parts around its record, which the caller appends in
 * between (the record is written in place, never copied): the head
 * {"type":"RECORD","stream":..,"record": and the end, with
 * ,"version":.. when version is not NULL (vlen bytes of JSON number),
 * then }\n.  A head cached by the caller may stand for the call.
 */
int	fd_singer_put_record_head(struct fd_buf *out, const char *stream);
int	fd_singer_put_record_end(struct fd_buf *out, const char *version,
	    size_t vlen);

/* {"type":"STATE","value":..}: value is len bytes of JSON text. */
int	fd_singer_put_state(struct fd_buf *out, const char *value,
	    size_t len);

/* {"type":"ACTIVATE_VERSION","stream":..,"version":..}: version is vlen
 * bytes of JSON number. */
int	fd_singer_put_activate_version(struct fd_buf *out, const char *stream,
	    const char *version, size_t vlen);

#endif /* FD_SINGER_H */
