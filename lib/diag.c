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
