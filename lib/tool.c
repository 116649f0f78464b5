/*
 * tool.c: the programs' dying helpers.  See tool.h.
 */
#include <err.h>
#include <getopt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
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

int
config_args(int *argcp, char ***argvp, const struct option *longopts,
    const struct fd_config_alias *aliases, const char *const *take,
    struct fd_config *c)
{
	char errbuf[FD_ERRSZ], **argv = *argvp, **v;
	const char *path = NULL;
	int argc = *argcp, i, at = -1, width = 0, k;

	memset(c, 0, sizeof(*c));
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 == argc)
				errx(FD_EXIT_USAGE, "--config: a file is "
				    "needed");
			width = 2;
		} else if (strncmp(argv[i], "--config=", 9) == 0)
			width = 1;
		else
			continue;
		if (path != NULL)
			errx(FD_EXIT_USAGE, "--config given twice");
		path = width == 2 ? argv[i + 1] : argv[i] + 9;
		at = i;
		i += width - 1;
	}
	if (path == NULL)
		return 0;
	if (*path == '\0')
		errx(FD_EXIT_USAGE, "--config: a file is needed");
	if (fd_config_read(path, longopts, aliases, take, c, errbuf) == -1)
		errx(FD_EXIT_USAGE, "%s", errbuf);
	for (i = 0; i < c->nunknown; i++)
		warnx("%s: %s is not a setting of this program: ignored",
		    path, showname(c->unknown[i]));
	/* argv[0], the file's options, then the command line's */
	v = xreallocarray(NULL, (size_t)argc + c->nargs + 1, sizeof(*v));
	k = 0;
	v[k++] = argv[0];
	for (i = 0; i < c->nargs; i++)
		v[k++] = c->args[i];
	for (i = 1; i < argc; i++)
		if (i < at || i >= at + width)
			v[k++] = argv[i];
	v[k] = NULL;
	c->argv = v;
	*argcp = k;
	*argvp = v;
	return 1;
}
