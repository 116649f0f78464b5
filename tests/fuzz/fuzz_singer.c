/*
 * fuzz_singer: fd_singer_scan, the message reader of every line fd-normalize
 * and fd-load read, on arbitrary bytes; then the span helpers on what it
 * found.  Spans must lie inside the line and be valid JSON of their kind.
 * fd_singer_scan_members agrees with fd_singer_scan, and gives the
 * members a scan of the record finds.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "jscan.h"
#include "singer.h"

static void
span(const char *s, size_t size, const struct fd_singer_span *sp)
{
	char errbuf[FD_ERRSZ];
	struct fd_buf b = FD_BUF_INIT;

	if (sp->p == NULL)
		return;
	assert(sp->p >= s && sp->p + sp->len <= s + size);
	assert(fd_jscan_validate(sp->p, sp->len, errbuf) == 0);
	assert(fd_jscan_kind(sp->p, sp->len) == sp->kind ||
	    (sp->kind != FD_JTOK_OBJECT && sp->kind != FD_JTOK_ARRAY &&
	    sp->kind != FD_JTOK_STRING));
	if (sp->kind == FD_JTOK_STRING)
		assert(fd_singer_string(sp, &b, errbuf) == 0);
	(void)fd_singer_is(sp, "tickets");
	(void)fd_singer_is(sp, "");
	fd_buf_free(&b);
}

/* fd_singer_scan_members' members, after its last fn(arg, NULL). */
struct got {
	struct fd_singer_member	 mem[64];
	size_t			 n, all;
};

static void
got_put(void *arg, const struct fd_singer_member *mem)
{
	struct got *g = arg;

	if (mem == NULL)
		g->n = g->all = 0;
	else if (g->all++ < 64)
		g->mem[g->n++] = *mem;
}

/* The members of the object text obj are the n of g (when all fit). */
static void
same_members(const char *obj, size_t len, const struct got *g)
{
	struct fd_singer_member mem;
	struct fd_jscan js;
	size_t i = 0;
	int r;

	fd_jscan_init(&js, obj, len);
	assert(fd_jscan_next(&js, &mem.key) == FD_JTOK_OBJECT);
	while ((r = fd_jscan_member(&js, &mem.key, &mem.val, &mem.vp,
	    &mem.vlen)) == 1) {
		if (g->all <= 64) {
			assert(i < g->n);
			assert(mem.key.p == g->mem[i].key.p &&
			    mem.key.len == g->mem[i].key.len &&
			    mem.key.flags == g->mem[i].key.flags &&
			    mem.val.kind == g->mem[i].val.kind &&
			    mem.val.flags == g->mem[i].val.flags &&
			    mem.val.p == g->mem[i].val.p &&
			    mem.val.len == g->mem[i].val.len &&
			    mem.vp == g->mem[i].vp &&
			    mem.vlen == g->mem[i].vlen);
		}
		i++;
	}
	assert(r == 0 && i == g->all);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char errbuf[FD_ERRSZ], e2[FD_ERRSZ];
	struct fd_singer_msg m, u;
	static struct got g;
	int checked, plain;

	/* whatever the strict scan takes, the one that only matches the
	 * record takes too, with the same members */
	if (fd_singer_scan(s, size, FD_SINGER_RECORD_UNCHECKED, &u,
	    errbuf) == -1) {
		assert(fd_singer_scan(s, size, 0, &m, errbuf) == -1);
		assert(memchr(errbuf, '\0', FD_ERRSZ) != NULL);
	} else if (fd_singer_scan(s, size, 0, &m, errbuf) == 0)
		assert(memcmp(&m, &u, sizeof(m)) == 0);
	checked = fd_singer_scan(s, size, 0, &m, errbuf);
	/* the scan that gives the record's members: the same verdict,
	 * message and spans; the members those of m.record (or of the
	 * line, plain) */
	for (plain = 0; plain < 2; plain++) {
		g.n = g.all = 0;
		strcpy(e2, "untouched");
		assert(fd_singer_scan_members(s, size, plain, &u, got_put, &g,
		    e2) == checked);
		if (checked == -1)
			assert(strcmp(errbuf, e2) == 0);
		else {
			assert(memcmp(&m, &u, sizeof(m)) == 0);
			if (plain)
				same_members(s, size, &g);
			else if (m.record.kind == FD_JTOK_OBJECT)
				same_members(m.record.p, m.record.len, &g);
		}
	}
	if (fd_singer_scan(s, size, 0, &m, errbuf) == -1) {
		assert(memchr(errbuf, '\0', FD_ERRSZ) != NULL);
		return 0;
	}
	assert(fd_jscan_validate(s, size, errbuf) == 0);
	span(s, size, &m.mtype);
	span(s, size, &m.stream);
	span(s, size, &m.record);
	span(s, size, &m.schema);
	span(s, size, &m.keys);
	span(s, size, &m.value);
	span(s, size, &m.version);
	span(s, size, &m.xfd);
	switch (m.type) {
	case FD_SINGER_SCHEMA:
		assert(m.stream.kind == FD_JTOK_STRING &&
		    m.schema.kind == FD_JTOK_OBJECT &&
		    m.keys.kind == FD_JTOK_ARRAY);
		break;
	case FD_SINGER_RECORD:
		assert(m.stream.kind == FD_JTOK_STRING &&
		    m.record.kind == FD_JTOK_OBJECT);
		break;
	case FD_SINGER_STATE:
		assert(m.value.p != NULL);
		break;
	case FD_SINGER_ACTIVATE_VERSION:
		assert(m.stream.kind == FD_JTOK_STRING &&
		    m.version.kind == FD_JTOK_NUMBER);
		break;
	default:
		break;
	}
	return 0;
}
