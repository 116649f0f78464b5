/*
 * diag.c: error buffers and checked number parsing.  See diag.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "utf8.h"

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
fd_diag_prefix(char *errbuf, const char *fmt, ...)
{
	char msg[FD_ERRSZ];
	va_list ap;
	size_t n;

	if (errbuf == NULL)
		return -1;
	memcpy(msg, errbuf, FD_ERRSZ);
	va_start(ap, fmt);
	vsnprintf(errbuf, FD_ERRSZ, fmt, ap);
	va_end(ap);
	n = strlen(errbuf);
	snprintf(errbuf + n, FD_ERRSZ - n, ": %s", msg);
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

/* The length of the UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	size_t k = *s < 0x80 ? 1 : *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : 2;

	if (k > n || fd_utf8_check((const char *)s, k) != k)
		return 0;
	return k;
}

const char *
fd_diag_name(char *buf, size_t size, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i, k, n, o = 0;
	char e[8];
	int plain = len > 0, q;

	if (size < 8) {
		if (size > 0)
			buf[0] = '\0';
		return buf;
	}
	for (i = 0; plain && i < len; i += k)
		if ((k = utf8_seq(s + i, len - i)) == 0 || s[i] < 0x20 ||
		    s[i] == 0x7f || s[i] == '"' || s[i] == '\\')
			plain = 0;
	q = !plain;
	if (q)
		buf[o++] = '"';
	for (i = 0; i < len; i += k) {
		k = utf8_seq(s + i, len - i);
		if (k > 0 && s[i] >= 0x20 && s[i] != 0x7f && s[i] != '"' &&
		    s[i] != '\\') {
			memcpy(e, s + i, k);
			n = k;
		} else {
			k = 1;
			if (s[i] == '"' || s[i] == '\\')
				n = (size_t)snprintf(e, sizeof(e), "\\%c", s[i]);
			else if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
				n = (size_t)snprintf(e, sizeof(e), "\\%c",
				    s[i] == '\t' ? 't' : s[i] == '\n' ? 'n' : 'r');
			else
				n = (size_t)snprintf(e, sizeof(e), "\\x%02X",
				    s[i]);
		}
		/* room for this, the quote, "..." and the NUL */
		if (o + n + (size_t)q + 4 > size) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, e, n);
		o += n;
	}
	if (q)
		buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}
