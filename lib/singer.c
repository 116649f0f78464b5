/*
 * singer.c: reading and writing Singer messages.  See singer.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jscan.h"
#include "singer.h"

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

int
fd_singer_scan(const char *line, size_t len, int flags,
    struct fd_singer_msg *m, char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok k, v;
	struct fd_singer_span *sp;
	const char *vp;
	size_t vl;
	int rc;

	memset(m, 0, sizeof(*m));
	fd_jscan_init(&js, line, len);
	if (fd_jscan_next(&js, &k) == -1)
		return fd_jscan_error(&js, errbuf);
	if (k.kind != FD_JTOK_OBJECT)
		return fd_diag_set(errbuf, "expected a JSON object");
	for (;;) {
#define IS(name) (k.len == sizeof(name) + 1 && \
		    memcmp(k.p + 1, name, sizeof(name) - 1) == 0)
		if (fd_jscan_next(&js, &k) == -1) {
			rc = -1;
			break;
		}
		if (k.kind == FD_JTOK_OBJECT_END) {
			rc = 0;
			break;
		}
		if (fd_jscan_next(&js, &v) == -1 || ((flags &
		    FD_SINGER_RECORD_UNCHECKED) && IS("record") ?
		    fd_jscan_skip_unchecked(&js, &v, &vp, &vl) :
		    fd_jscan_skip(&js, &v, &vp, &vl)) == -1) {
			rc = -1;
			break;
		}
		if (IS("type"))
			sp = &m->mtype;
		else if (IS("stream"))
			sp = &m->stream;
		else if (IS("record"))
			sp = &m->record;
		else if (IS("schema"))
			sp = &m->schema;
		else if (IS("key_properties"))
			sp = &m->keys;
		else if (IS("value"))
			sp = &m->value;
		else if (IS("version"))
			sp = &m->version;
		else if (IS("x-fd"))
			sp = &m->xfd;
		else
			continue;
#undef IS
		sp->p = vp;
		sp->len = vl;
		sp->kind = v.kind;
	}
	if (rc == -1 || fd_jscan_next(&js, &k) != FD_JTOK_END)
		return fd_jscan_error(&js, errbuf);
	if (fd_singer_is(&m->mtype, "SCHEMA"))
		m->type = m->stream.kind == FD_JTOK_STRING &&
		    m->schema.kind == FD_JTOK_OBJECT &&
		    m->keys.kind == FD_JTOK_ARRAY ?
		    FD_SINGER_SCHEMA : FD_SINGER_NONE;
	else if (fd_singer_is(&m->mtype, "RECORD"))
		m->type = m->stream.kind == FD_JTOK_STRING &&
		    m->record.kind == FD_JTOK_OBJECT ?
		    FD_SINGER_RECORD : FD_SINGER_NONE;
	else if (fd_singer_is(&m->mtype, "STATE"))
		m->type = m->value.p != NULL ?
		    FD_SINGER_STATE : FD_SINGER_NONE;
	else if (fd_singer_is(&m->mtype, "ACTIVATE_VERSION"))
		m->type = m->stream.kind == FD_JTOK_STRING &&
		    m->version.kind == FD_JTOK_NUMBER ?
		    FD_SINGER_ACTIVATE_VERSION : FD_SINGER_NONE;
	return 0;
}

int
fd_singer_is(const struct fd_singer_span *sp, const char *s)
{
	size_t n = strlen(s);

	return sp->p != NULL && sp->kind == FD_JTOK_STRING &&
	    sp->len == n + 2 && memcmp(sp->p + 1, s, n) == 0;
}

int
fd_singer_string(const struct fd_singer_span *sp, struct fd_buf *out,
    char *errbuf)
{
	if (sp->p == NULL || sp->kind != FD_JTOK_STRING)
		return fd_diag_set(errbuf, "not a string");
	return fd_jscan_string(sp->p, sp->len, out, errbuf);
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
	int state = fd_singer_type(msg) == FD_SINGER_STATE, rc = 0;

	/* one line, whole, even when other threads write to fp */
	flockfile(fp);
	jv_dumpf(msg, fp, 0);
	if (putc_unlocked('\n', fp) == EOF)
		rc = -1;
	else if (state && fflush(fp) == EOF)
		rc = -1;
	else if (ferror(fp)) {
		if (errno == 0)
			errno = EIO;
		rc = -1;
	}
	funlockfile(fp);
	return rc;
}
