/*
 * singer.c: reading and writing Singer messages.  See singer.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "json.h"
#include "lines.h"
#include "singer.h"

struct fd_singer_reader {
	struct fd_lines	*lines;
	char		*stream;	/* plain mode when not NULL */
};

static int
has(jv o, const char *key, jv_kind kind)
{
	jv v = jv_object_get(jv_copy(o), jv_string(key));
	int ok;

	ok = jv_is_valid(v) &&
	    (kind == JV_KIND_INVALID || jv_get_kind(v) == kind);
	jv_free(v);
	return ok;
}

enum fd_singer_type
fd_singer_type(jv v)
{
	enum fd_singer_type t;
	jv type;
	const char *s;

	if (jv_get_kind(v) != JV_KIND_OBJECT)
		return FD_SINGER_NONE;
	type = jv_object_get(jv_copy(v), jv_string("type"));
	if (jv_get_kind(type) != JV_KIND_STRING) {
		jv_free(type);
		return FD_SINGER_NONE;
	}
	s = jv_string_value(type);
	if (strcmp(s, "SCHEMA") == 0)
		t = has(v, "stream", JV_KIND_STRING) &&
		    has(v, "schema", JV_KIND_OBJECT) &&
		    has(v, "key_properties", JV_KIND_ARRAY) ?
		    FD_SINGER_SCHEMA : FD_SINGER_NONE;
	else if (strcmp(s, "RECORD") == 0)
		t = has(v, "stream", JV_KIND_STRING) &&
		    has(v, "record", JV_KIND_OBJECT) ?
		    FD_SINGER_RECORD : FD_SINGER_NONE;
	else if (strcmp(s, "STATE") == 0)
		t = has(v, "value", JV_KIND_INVALID) ?
		    FD_SINGER_STATE : FD_SINGER_NONE;
	else if (strcmp(s, "ACTIVATE_VERSION") == 0)
		t = has(v, "stream", JV_KIND_STRING) &&
		    has(v, "version", JV_KIND_NUMBER) ?
		    FD_SINGER_ACTIVATE_VERSION : FD_SINGER_NONE;
	else
		t = FD_SINGER_NONE;
	jv_free(type);
	return t;
}

const char *
fd_singer_type_name(enum fd_singer_type t)
{
	switch (t) {
	case FD_SINGER_SCHEMA:
		return "SCHEMA";
	case FD_SINGER_RECORD:
		return "RECORD";
	case FD_SINGER_STATE:
		return "STATE";
	case FD_SINGER_ACTIVATE_VERSION:
		return "ACTIVATE_VERSION";
	default:
		return "plain record";
	}
}

struct fd_singer_reader *
fd_singer_open(FILE *fp, const char *name, const char *stream)
{
	struct fd_singer_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->lines = fd_lines_open(fp, name)) == NULL ||
	    (stream != NULL && (r->stream = strdup(stream)) == NULL)) {
		fd_singer_close(r);
		errno = ENOMEM;
		return NULL;
	}
	return r;
}

static int
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int
fd_singer_next(struct fd_singer_reader *r, enum fd_singer_type *type,
    jv *msg, char *errbuf)
{
	char why[FD_ERRSZ];
	const char *line;
	size_t len;
	int rc;
	jv v;

	do {
		rc = fd_lines_next(r->lines, &line, &len);
		if (rc == 0)
			return 0;
		if (rc == -1)
			return fd_diag_errno(errbuf, errno, "%s",
			    fd_lines_name(r->lines));
	} while (blank(line, len));

	if (fd_json_parse(line, len, &v, why) == -1)
		return fd_diag_set(errbuf, "%s:%llu: %s",
		    fd_lines_name(r->lines), fd_lines_lineno(r->lines), why);
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		fd_diag_set(errbuf, "%s:%llu: expected a JSON object, got %s",
		    fd_lines_name(r->lines), fd_lines_lineno(r->lines),
		    fd_json_kind_name(jv_get_kind(v)));
		jv_free(v);
		return -1;
	}
	if (r->stream != NULL) {
		*type = FD_SINGER_RECORD;
		*msg = fd_singer_record(r->stream, v);
	} else {
		*type = fd_singer_type(v);
		*msg = v;
	}
	return 1;
}

unsigned long long
fd_singer_lineno(const struct fd_singer_reader *r)
{
	return fd_lines_lineno(r->lines);
}

void
fd_singer_close(struct fd_singer_reader *r)
{
	if (r == NULL)
		return;
	fd_lines_close(r->lines);
	free(r->stream);
	free(r);
}

jv
fd_singer_schema(const char *stream, jv schema, jv key_properties, jv xfd)
{
	jv m = jv_object();

	m = jv_object_set(m, jv_string("type"), jv_string("SCHEMA"));
	m = jv_object_set(m, jv_string("stream"), jv_string(stream));
	m = jv_object_set(m, jv_string("schema"), schema);
	m = jv_object_set(m, jv_string("key_properties"), key_properties);
	if (jv_is_valid(xfd))
		m = jv_object_set(m, jv_string("x-fd"), xfd);
	else
		jv_free(xfd);
	return m;
}

jv
fd_singer_record(const char *stream, jv record)
{
	jv m = jv_object();

	m = jv_object_set(m, jv_string("type"), jv_string("RECORD"));
	m = jv_object_set(m, jv_string("stream"), jv_string(stream));
	return jv_object_set(m, jv_string("record"), record);
}

jv
fd_singer_state(jv value)
{
	jv m = jv_object();

	m = jv_object_set(m, jv_string("type"), jv_string("STATE"));
	return jv_object_set(m, jv_string("value"), value);
}

jv
fd_singer_activate_version(const char *stream, long long version)
{
	jv m = jv_object();

	m = jv_object_set(m, jv_string("type"),
	    jv_string("ACTIVATE_VERSION"));
	m = jv_object_set(m, jv_string("stream"), jv_string(stream));
	return jv_object_set(m, jv_string("version"),
	    jv_number((double)version));
}

int
fd_singer_write(FILE *fp, jv msg)
{
	int state = fd_singer_type(msg) == FD_SINGER_STATE;

	jv_dumpf(msg, fp, 0);
	if (putc('\n', fp) == EOF)
		return -1;
	if (state && fflush(fp) == EOF)
		return -1;
	if (ferror(fp)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}
