/*
 * diag.c: error buffers, checked number parsing and excerpts for
 * diagnostics.  See diag.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

int
fd_diag_set(char *errbuf, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(errbuf, FD_ERRSZ, fmt, ap);
	va_end(ap);
	return -1;
}

int
fd_diag_errno(char *errbuf, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (errbuf == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(errbuf, FD_ERRSZ, fmt, ap);
	va_end(ap);
	n = strlen(errbuf);
	snprintf(errbuf + n, FD_ERRSZ - n, ": %s", strerror(errnum));
	return -1;
}

int
fd_diag_strtonum(const char *s, long long min, long long max,
    long long *out, char *errbuf)
{
	long long v;
	char *end;

	if (*s == '\0' || !(*s == '-' || *s == '+' ||
	    (*s >= '0' && *s <= '9')))
		return fd_diag_set(errbuf, "invalid number");
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || end == s)
		return fd_diag_set(errbuf, "invalid number");
	if ((errno == ERANGE && v == LLONG_MIN) || v < min)
		return fd_diag_set(errbuf, "too small");
	if ((errno == ERANGE && v == LLONG_MAX) || v > max)
		return fd_diag_set(errbuf, "too large");
	*out = v;
	return 0;
}

char *
fd_diag_excerpt(char *dst, size_t dstsz, const char *s, size_t len)
{
	size_t i, n;

	if (dstsz == 0)
		return dst;
	n = len < dstsz - 1 ? len : dstsz - 1;
	if (n < len && n >= 3)
		n -= 3;
	/* never cut a UTF-8 sequence in half */
	while (n < len && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (n < len && i + 3 < dstsz) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
	return dst;
}
