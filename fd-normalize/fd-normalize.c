/*
 * fd-normalize: flatten a stream of nested records into the rows of a
 * root table and child tables, with inferred types (DESIGN.md
 * section 4).
 *
 * This is the command-line front end; the normalizer itself is issue 5.
 */
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static int		 dltflag;
static long long	 max_nesting = 1000, max_length;
static const char	*stream, *key, *naming = "snake_case", *jqfilter;

enum {
	OPT_STREAM = CHAR_MAX + 1, OPT_KEY, OPT_MAX_NESTING, OPT_NAMING,
	OPT_MAX_LENGTH, OPT_DLT, OPT_JQ
};

static const struct option longopts[] = {
	{ "help",	 no_argument,		NULL,	'h' },
	{ "version",	 no_argument,		NULL,	'V' },
	{ "stream",	 required_argument,	NULL,	OPT_STREAM },
	{ "key",	 required_argument,	NULL,	OPT_KEY },
	{ "max-nesting", required_argument,	NULL,	OPT_MAX_NESTING },
	{ "naming",	 required_argument,	NULL,	OPT_NAMING },
	{ "max-length",	 required_argument,	NULL,	OPT_MAX_LENGTH },
	{ "dlt",	 no_argument,		NULL,	OPT_DLT },
	{ "jq",		 required_argument,	NULL,	OPT_JQ },
	{ NULL,		 0,			NULL,	0 }
};

static long long
number(const char *opt, const char *arg, long long min, long long max)
{
	char why[FD_ERRSZ];
	long long v;

	if (fd_diag_strtonum(arg, min, max, &v, why) == -1)
		errx(FD_EXIT_USAGE, "%s %s: %s", opt, arg, why);
	return v;
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: fd-normalize [-hV] [--stream name] [--key field]\n"
	    "                    [--max-nesting n] [--naming convention]\n"
	    "                    [--max-length n] [--dlt] [--jq filter]\n"
	    "                    [file ...]\n");
	exit(fp == stdout ? FD_EXIT_OK : FD_EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	int ch;

	while ((ch = getopt_long(argc, argv, "hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			break;
		case 'V':
			printf("fd-normalize %s\n", FD_VERSION);
			return FD_EXIT_OK;
		case OPT_STREAM:
			stream = optarg;
			break;
		case OPT_KEY:
			key = optarg;
			break;
		case OPT_MAX_NESTING:
			max_nesting = number("--max-nesting", optarg, 0, 1000);
			break;
		case OPT_NAMING:
			if (strcmp(optarg, "snake_case") != 0 &&
			    strcmp(optarg, "direct") != 0)
				errx(FD_EXIT_USAGE, "--naming %s: expected "
				    "snake_case or direct", optarg);
			naming = optarg;
			break;
		case OPT_MAX_LENGTH:
			max_length = number("--max-length", optarg, 8, 4096);
			break;
		case OPT_DLT:
			dltflag = 1;
			break;
		case OPT_JQ:
			jqfilter = optarg;
			break;
		default:
			usage(stderr);
		}
	}
	argc -= optind;
	argv += optind;

	errx(FD_EXIT_FAIL, "not implemented yet");
}
