/*
 * tool.c: the programs' dying helpers.  See tool.h.
 */
#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "tool.h"

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n)) == NULL)
		err(FD_EXIT_FAIL, NULL);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n, size)) == NULL)
		err(FD_EXIT_FAIL, NULL);
	return p;
}

void *
xreallocarray(void *old, size_t n, size_t size)
{
	void *p;

	if ((p = reallocarray(old, n, size)) == NULL)
		err(FD_EXIT_FAIL, NULL);
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		err(FD_EXIT_FAIL, NULL);
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p;

	if ((p = strndup(s, n)) == NULL)
		err(FD_EXIT_FAIL, NULL);
	return p;
}

void
xbuf_check(const struct fd_buf *b)
{
	if (b->err != 0) {
		errno = b->err;
		err(FD_EXIT_FAIL, NULL);
	}
}

const char *
xbuf(const struct fd_buf *b)
{
	xbuf_check(b);
	return b->data != NULL ? b->data : "";
}

long long
number(const char *opt, const char *arg, long long min, long long max)
{
	char why[FD_ERRSZ];
	long long v;

	if (fd_diag_strtonum(arg, min, max, &v, why) == -1)
		errx(FD_EXIT_USAGE, "%s %s: %s", opt, arg, why);
	return v;
}

double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

const char *
showname(const char *name)
{
	static _Thread_local char b[4][FD_DIAG_NAMESZ];
	static _Thread_local int i;

	i = (i + 1) % 4;
	return fd_diag_name(b[i], sizeof(b[i]), name, strlen(name));
}
