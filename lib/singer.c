/*
 * singer.c: scanning and writing Singer messages.  See singer.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "jscan.h"
#include "json.h"
#include "singer.h"

/*
 * The value of the member whose value's first token v was just
 * scanned, an object, through its members, each given to fn; its span
 * into *vp and *vl.  0, or -1 on a scan error.
 */
static int
members(struct fd_jscan *js, const struct fd_jtok *v, const char **vp,
    size_t *vl, void (*fn)(void *, const struct fd_singer_member *),
    void *arg)
{
	struct fd_singer_member mem;
	int r;

	while ((r = fd_jscan_member(js, &mem.key, &mem.val, &mem.vp,
	    &mem.vlen)) == 1)
		fn(arg, &mem);
	if (r == -1)
		return -1;
	/* the '}' consumed: the value ends before pos */
	*vp = v->p;
	*vl = (size_t)(js->s + js->pos - v->p);
	return 0;
}

/* fd_singer_scan and fd_singer_scan_members; fn NULL for the former. */
static int
scan_line(const char *line, size_t len, int flags, int plain,
    struct fd_singer_msg *m,
    void (*fn)(void *, const struct fd_singer_member *), void *arg,
    char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok k, v;
	struct fd_singer_member mem;
	struct fd_singer_span *sp;
	const char *vp;
	size_t vl;
	int rc, rec;

	memset(m, 0, sizeof(*m));
	fd_jscan_init(&js, line, len);
	if (fd_jscan_next(&js, &k) == -1)
		return fd_jscan_error(&js, errbuf);
	if (k.kind != FD_JTOK_OBJECT)
		return fd_diag_set(errbuf, "expected a JSON object");
	if (fn != NULL && plain)
		fn(arg, NULL);
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
		rec = IS("record");
		if (fd_jscan_next(&js, &v) == -1) {
			rc = -1;
			break;
		}
		if (fn != NULL && !plain && rec)
			fn(arg, NULL);
		if (fn != NULL && !plain && rec && v.kind == FD_JTOK_OBJECT)
			rc = members(&js, &v, &vp, &vl, fn, arg);
		else if ((flags & FD_SINGER_RECORD_UNCHECKED) && rec)
			rc = fd_jscan_skip_unchecked(&js, &v, &vp, &vl);
		else
			rc = fd_jscan_skip(&js, &v, &vp, &vl);
		if (rc == -1)
			break;
		if (fn != NULL && plain) {
			mem.key = k;
			mem.val = v;
			mem.vp = vp;
			mem.vlen = vl;
			fn(arg, &mem);
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
fd_singer_scan(const char *line, size_t len, int flags,
    struct fd_singer_msg *m, char *errbuf)
{
	return scan_line(line, len, flags, 0, m, NULL, NULL, errbuf);
}

int
fd_singer_scan_members(const char *line, size_t len, int plain,
    struct fd_singer_msg *m,
    void (*fn)(void *, const struct fd_singer_member *), void *arg,
    char *errbuf)
{
	return scan_line(line, len, 0, plain, m, fn, arg, errbuf);
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

/* The writers build on the end of out and cut it back on failure. */
static int
undo(struct fd_buf *out, size_t mark)
{
	int e = errno;

	out->len = mark;
	if (out->data != NULL)
		out->data[mark] = '\0';
	errno = e;
	return -1;
}

/* Appends a C string as a JSON string. */
static int
put_name(struct fd_buf *out, const char *s)
{
	return fd_json_put_string(out, s, strlen(s));
}

int
fd_singer_put_schema(struct fd_buf *out, const char *stream,
    const struct fd_singer_prop *props, size_t nprops,
    const char *const *keys, size_t nkeys, const struct fd_singer_xfd *xfd)
{
	size_t mark = out->len, i;

	if (fd_buf_puts(out, "{\"type\":\"SCHEMA\",\"stream\":") == -1 ||
	    put_name(out, stream) == -1 ||
	    fd_buf_puts(out, ",\"schema\":{\"type\":\"object\","
	    "\"properties\":{") == -1)
		return undo(out, mark);
	for (i = 0; i < nprops; i++)
		if ((i > 0 && fd_buf_putc(out, ',') == -1) ||
		    put_name(out, props[i].name) == -1 ||
		    fd_buf_putc(out, ':') == -1 ||
		    fd_buf_puts(out, props[i].schema) == -1)
			return undo(out, mark);
	if (fd_buf_puts(out, "}},\"key_properties\":[") == -1)
		return undo(out, mark);
	for (i = 0; i < nkeys; i++)
		if ((i > 0 && fd_buf_putc(out, ',') == -1) ||
		    put_name(out, keys[i]) == -1)
			return undo(out, mark);
	if (fd_buf_putc(out, ']') == -1)
		return undo(out, mark);
	if (xfd != NULL) {
		const char *sep = "";
		if (fd_buf_puts(out, ",\"x-fd\":{") == -1)
			return undo(out, mark);
		if (xfd->disposition != NULL) {
			if (fd_buf_puts(out, "\"disposition\":") == -1 ||
			    put_name(out, xfd->disposition) == -1)
				return undo(out, mark);
			sep = ",";
		}
		if (xfd->root != NULL) {
			if (fd_buf_printf(out, "%s\"root\":", sep) == -1 ||
			    put_name(out, xfd->root) == -1)
				return undo(out, mark);
			if (xfd->parent != NULL &&
			    (fd_buf_puts(out, ",\"parent\":") == -1 ||
			    put_name(out, xfd->parent) == -1))
				return undo(out, mark);
			if (fd_buf_printf(out, ",\"table_kind\":\"%s\"",
			    xfd->parent != NULL ? "child" : "root") == -1)
				return undo(out, mark);
		}
		if (fd_buf_putc(out, '}') == -1)
			return undo(out, mark);
	}
	if (fd_buf_puts(out, "}\n") == -1)
		return undo(out, mark);
	return 0;
}

int
fd_singer_put_record_head(struct fd_buf *out, const char *stream)
{
	size_t mark = out->len;

	if (fd_buf_puts(out, "{\"type\":\"RECORD\",\"stream\":") == -1 ||
	    put_name(out, stream) == -1 ||
	    fd_buf_puts(out, ",\"record\":") == -1)
		return undo(out, mark);
	return 0;
}

int
fd_singer_put_record_end(struct fd_buf *out, const char *version,
    size_t vlen)
{
	size_t mark = out->len;

	if ((version != NULL && (fd_buf_puts(out, ",\"version\":") == -1 ||
	    fd_buf_append(out, version, vlen) == -1)) ||
	    fd_buf_puts(out, "}\n") == -1)
		return undo(out, mark);
	return 0;
}

int
fd_singer_put_state(struct fd_buf *out, const char *value, size_t len)
{
	size_t mark = out->len;

	if (fd_buf_puts(out, "{\"type\":\"STATE\",\"value\":") == -1 ||
	    fd_buf_append(out, value, len) == -1 ||
	    fd_buf_puts(out, "}\n") == -1)
		return undo(out, mark);
	return 0;
}

int
fd_singer_put_activate_version(struct fd_buf *out, const char *stream,
    const char *version, size_t vlen)
{
	size_t mark = out->len;

	if (fd_buf_puts(out, "{\"type\":\"ACTIVATE_VERSION\",\"stream\":") ==
	    -1 || put_name(out, stream) == -1 ||
	    fd_buf_puts(out, ",\"version\":") == -1 ||
	    fd_buf_append(out, version, vlen) == -1 ||
	    fd_buf_puts(out, "}\n") == -1)
		return undo(out, mark);
	return 0;
}
