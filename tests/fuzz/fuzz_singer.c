/*
 * fuzz_singer: fd_singer_scan, the message reader of every line fd-normalize
 * and fd-load read, on arbitrary bytes; then the span helpers on what it
 * found.  Spans must lie inside the line and be valid JSON of their kind.
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

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char errbuf[FD_ERRSZ];
	struct fd_singer_msg m, u;
	int checked;

	/* whatever the strict scan takes, the one that only matches the
	 * record takes too, with the same members */
	checked = fd_singer_scan(s, size, 0, &m, errbuf);
	if (fd_singer_scan(s, size, FD_SINGER_RECORD_UNCHECKED, &u,
	    errbuf) == -1)
		assert(checked == -1 && memchr(errbuf, '\0', FD_ERRSZ) != NULL);
	else if (checked == 0)
		assert(memcmp(&m, &u, sizeof(m)) == 0);
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
