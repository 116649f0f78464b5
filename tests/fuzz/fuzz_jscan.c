/*
 * fuzz_jscan: lib/jscan on arbitrary bytes.  Besides the sanitizers'
 * checks, asserts what the header promises: the pull scanner, validate,
 * compact, elements and field agree on validity; compact output is
 * valid, one line, and a fixed point; every element of an array is
 * valid on its own; string decoding agrees with the scanner's; the
 * scanner of fd_jscan_init_valid finds the same tokens in a valid text,
 * and stays within any.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "jscan.h"

struct walk {
	size_t	n;
};

static int
elem(void *arg, const char *e, size_t len)
{
	char errbuf[FD_ERRSZ];
	struct walk *w = arg;

	assert(fd_jscan_validate(e, len, errbuf) == 0);
	w->n++;
	return 0;
}

static void
valid_scan(const char *s, size_t size, int valid)
{
	struct fd_jscan a, b;
	struct fd_jtok x, y;
	const char *ap, *bp;
	size_t al, bl, n = 0;
	int k, kb;

	fd_jscan_init(&a, s, size);
	fd_jscan_init_valid(&b, s, size);
	do {
		kb = fd_jscan_next(&b, &y);
		if (kb > 0)
			assert(y.p >= s && y.p + y.len <= s + size);
		if (valid) {
			k = fd_jscan_next(&a, &x);
			assert(k == kb && x.kind == y.kind &&
			    x.flags == y.flags && x.p == y.p &&
			    x.len == y.len && a.depth == b.depth);
		}
		if ((kb == FD_JTOK_OBJECT || kb == FD_JTOK_ARRAY) &&
		    n++ % 2 == 1) {
			if (fd_jscan_skip(&b, &y, &bp, &bl) == 0)
				assert(bp >= s && bp + bl <= s + size);
			else
				assert(!valid);
			if (valid) {
				assert(fd_jscan_skip(&a, &x, &ap, &al) == 0);
				assert(ap == bp && al == bl &&
				    a.pos == b.pos && a.depth == b.depth);
			}
		}
	} while (kb > 0);
	if (valid)
		assert(kb == FD_JTOK_END);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *v;
	char errbuf[FD_ERRSZ], e2[FD_ERRSZ];
	struct fd_buf out = FD_BUF_INIT, again = FD_BUF_INIT;
	struct fd_buf str = FD_BUF_INIT;
	struct fd_jscan js;
	struct fd_jtok t;
	struct walk w = { 0 };
	size_t vl;
	long long n;
	int k, valid, kind;

	/* the pull scanner, every token checked as it comes */
	fd_jscan_init(&js, s, size);
	while ((k = fd_jscan_next(&js, &t)) > 0) {
		assert(t.p >= s && t.p + t.len <= s + size);
		if (k == FD_JTOK_NUMBER && (t.flags & FD_JTOK_INTEGER))
			(void)fd_jscan_int64(t.p, t.len, &n);
		if (k == FD_JTOK_KEY || k == FD_JTOK_STRING) {
			assert(t.len >= 2);
			fd_buf_reset(&str);
			assert(fd_jscan_string(t.p, t.len, &str, e2) == 0);
			if (!(t.flags & FD_JTOK_ESCAPED))
				assert(str.len == t.len - 2 &&
				    memcmp(str.data, t.p + 1, str.len) == 0);
		}
	}
	if (k == -1) {
		assert(fd_jscan_error(&js, errbuf) == -1);
		assert(js.erroff >= 1 && js.erroff <= size + 1);
	}
	valid = k == FD_JTOK_END;
	assert((fd_jscan_validate(s, size, errbuf) == 0) == valid);
	kind = fd_jscan_kind(s, size);
	if (valid)
		assert(kind > 0);

	/* compact: valid, no newline, idempotent */
	assert((fd_jscan_compact(s, size, &out, errbuf) == 0) == valid);
	if (valid) {
		assert(memchr(out.data, '\n', out.len) == NULL);
		assert(fd_jscan_validate(out.data, out.len, errbuf) == 0);
		assert(fd_jscan_compact(out.data, out.len, &again,
		    errbuf) == 0);
		assert(again.len == out.len &&
		    memcmp(again.data, out.data, out.len) == 0);
	} else
		assert(out.len == 0);

	/* elements: only for a valid array */
	if (fd_jscan_elements(s, size, elem, &w, errbuf) == 0)
		assert(valid && kind == FD_JTOK_ARRAY);
	else
		assert(w.n == 0 || (valid && kind == FD_JTOK_ARRAY));

	/* field: a few names, found ones lie within the text */
	if (fd_jscan_field(s, size, "id", &v, &vl, errbuf) == 0) {
		assert(valid && kind == FD_JTOK_OBJECT);
		assert(v >= s && v + vl <= s + size);
		assert(fd_jscan_validate(v, vl, errbuf) == 0);
	}
	(void)fd_jscan_field(s, size, "updated_at", &v, &vl, errbuf);
	(void)fd_jscan_field(s, size, "", &v, &vl, errbuf);

	/* the scanner of a valid text: on a valid one, the tokens of the
	 * checking scanner, each container skipped in turn by both; on
	 * any, tokens within the text and an end */
	valid_scan(s, size, valid);

	/* the whole input as a string token or its contents */
	fd_buf_reset(&str);
	(void)fd_jscan_string(s, size, &str, errbuf);
	(void)fd_jscan_int64(s, size, &n);

	fd_buf_free(&out);
	fd_buf_free(&again);
	fd_buf_free(&str);
	return 0;
}
