/* Unit tests of lib/config.c. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "t.h"

static const struct option opts[] = {
	{ "quiet",	no_argument,		NULL,	'q' },
	{ "per-page",	required_argument,	NULL,	1 },
	{ "since",	required_argument,	NULL,	2 },
	{ "help",	no_argument,		NULL,	'h' },
	{ NULL,		0,			NULL,	0 }
};
static const struct fd_config_alias aliases[] = {
	{ "start_date", "since" },
	{ NULL, NULL }
};
static const char *const take[] = { "api_key", NULL };

/* Reads settings text s through a file; returns fd_config_read's. */
static int
read_text(const char *s, struct fd_config *c, char *err)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/config.json", t_tmpdir);
	if ((fp = fopen(path, "w")) == NULL)
		return -2;
	fputs(s, fp);
	fclose(fp);
	return fd_config_read(path, opts, aliases, take, c, err);
}

void
t_config(void)
{
	struct fd_config c;
	char err[FD_ERRSZ];

	T_INT(read_text("{\"per_page\": 7, \"quiet\": true, \"start_date\": "
	    "\"2024-01-01\", \"api_key\": \"K\", \"typo\": 1, \"help\": true,"
	    " \"since\": null}", &c, err), 0);
	T_INT(c.nargs, 3);
	T_STR(c.args[0], "--per-page=7");
	T_STR(c.args[1], "--quiet");
	T_STR(c.args[2], "--since=2024-01-01");
	T(c.args[3] == NULL);
	T_STR(c.taken[0], "K");
	/* "help" is not a setting */
	T_INT(c.nunknown, 2);
	T_STR(c.unknown[0], "typo");
	T_STR(c.unknown[1], "help");
	fd_config_free(&c);
	T(c.args == NULL && c.taken[0] == NULL);

	T_INT(read_text("{\"quiet\": false, \"per_page\": 2.5}", &c, err), 0);
	T_INT(c.nargs, 1);
	T_STR(c.args[0], "--per-page=2.5");
	fd_config_free(&c);

	/* wrong types, never echoing a taken value */
	T_INT(read_text("{\"quiet\": \"yes\"}", &c, err), -1);
	T(strstr(err, "quiet: expected true or false") != NULL);
	T_INT(read_text("{\"per_page\": [1]}", &c, err), -1);
	T(strstr(err, "per_page: expected a string or a number") != NULL);
	T_INT(read_text("{\"api_key\": 12345}", &c, err), -1);
	T(strstr(err, "api_key: expected a string") != NULL);
	T(strstr(err, "12345") == NULL);
	T(c.args == NULL && c.taken[0] == NULL);
	/* not an object, not JSON, nothing */
	T_INT(read_text("[]", &c, err), -1);
	T(strstr(err, "expected a JSON object of settings, found an array")
	    != NULL);
	T_INT(read_text("{", &c, err), -1);
	T(strstr(err, "invalid JSON") != NULL);
	T_INT(read_text(" \n", &c, err), -1);
	T(strstr(err, "found nothing") != NULL);
	T_INT(fd_config_read("/nonexistent/x.json", opts, NULL, NULL, &c,
	    err), -1);
	T(strstr(err, "/nonexistent/x.json: No such file") != NULL);
}
