/*
 * fd-load: write a normalized stream into SQLite, PostgreSQL or
 * warehouse files, committing data and state together (DESIGN.md
 * section 5).
 *
 * This is the command-line front end; the loader itself is issue 6.
 */
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static int		 qflag, vflag, emitflag;
static long long	 batch_rows = 50000;
static const char	*dest = "sqlite:freshdesk.db", *statefile, *mode;

enum { OPT_MODE = CHAR_MAX + 1, OPT_BATCH_ROWS, OPT_EMIT_STATE };

static const struct option longopts[] = {
	{ "help",	no_argument,		NULL,	'h' },
	{ "quiet",	no_argument,		NULL,	'q' },
	{ "state",	required_argument,	NULL,	's' },
	{ "to",		required_argument,	NULL,	't' },
	{ "verbose",	no_argument,		NULL,	'v' },
	{ "version",	no_argument,		NULL,	'V' },
	{ "mode",	required_argument,	NULL,	OPT_MODE },
	{ "batch-rows",	required_argument,	NULL,	OPT_BATCH_ROWS },
	{ "emit-state",	no_argument,		NULL,	OPT_EMIT_STATE },
	{ NULL,		0,			NULL,	0 }
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
	    "usage: fd-load [-hqvV] [-t dest] [-s state]\n"
	    "               [--mode append | replace | merge]\n"
	    "               [--batch-rows n] [--emit-state] [file ...]\n");
	exit(fp == stdout ? FD_EXIT_OK : FD_EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	int ch;

	while ((ch = getopt_long(argc, argv, "hqs:t:vV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			break;
		case 'q':
			qflag = 1;
			vflag = 0;
			break;
		case 's':
			statefile = optarg;
			break;
		case 't':
			dest = optarg;
			break;
		case 'v':
			vflag = 1;
			qflag = 0;
			break;
		case 'V':
			printf("fd-load %s\n", FD_VERSION);
			return FD_EXIT_OK;
		case OPT_MODE:
			if (strcmp(optarg, "append") != 0 &&
			    strcmp(optarg, "replace") != 0 &&
			    strcmp(optarg, "merge") != 0)
				errx(FD_EXIT_USAGE, "--mode %s: expected "
				    "append, replace or merge", optarg);
			mode = optarg;
			break;
		case OPT_BATCH_ROWS:
			batch_rows = number("--batch-rows", optarg, 1,
			    100000000);
			break;
		case OPT_EMIT_STATE:
			emitflag = 1;
			break;
		default:
			usage(stderr);
		}
	}
	argc -= optind;
	argv += optind;

	errx(FD_EXIT_FAIL, "not implemented yet");
}
