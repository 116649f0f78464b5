/*
 * fuzz_http: the response-header parsers of lib/http (Link rel="next",
 * Retry-After, the X-RateLimit-* numbers) on arbitrary header values.
 * The input is split at its first NUL byte: the header value before it;
 * the bytes after it (if any) are a second value for the other parsers,
 * so that one input can drive both.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static void
one(const char *v)
{
	char *next;
	long r;

	if ((next = fd_http_link_next(v)) != NULL) {
		/* the URL is a copy of bytes of the value */
		assert(strlen(next) <= strlen(v));
		free(next);
	}
	r = fd_http_retry_after(v, 1777593600);	/* 2026-05-01 */
	assert(r >= -1 && r <= 86400);
	r = fd_http_retry_after(v, 0);
	assert(r >= -1 && r <= 86400);
	assert(fd_http_long(v) >= -1);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	one(s);
	if (strlen(s) < size)
		one(s + strlen(s) + 1);
	free(s);
	return 0;
}
