/*
 * fd-fetch: pull Freshdesk API v2 list endpoints and write them to
 * standard output as a stream of Singer messages (DESIGN.md section 3).
 *
 * This is the command-line front end; the extractor itself is issue 4.
 */
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

static int		 qflag, vflag, rawflag;
static long long	 jobs = 1, per_page = 100, rate, reserve = 10;
static long long	 max_wait = 3600;
static const char	*statefile, *domain, *since, *until, *plan, *include;

enum {
	OPT_DOMAIN = CHAR_MAX + 1, OPT_SINCE, OPT_UNTIL, OPT_PER_PAGE,
	OPT_RATE, OPT_PLAN, OPT_RESERVE, OPT_MAX_WAIT, OPT_INCLUDE, OPT_RAW
};

static const struct option longopts[] = {
	{ "help",	no_argument,		NULL,	'h' },
	{ "jobs",	required_argument,	NULL,	'j' },
	{ "quiet",	no_argument,		NULL,	'q' },
	{ "state",	required_argument,	NULL,	's' },
	{ "verbose",	no_argument,		NULL,	'v' },
	{ "version",	no_argument,		NULL,	'V' },
	{ "domain",	required_argument,	NULL,	OPT_DOMAIN },
	{ "since",	required_argument,	NULL,	OPT_SINCE },
	{ "until",	required_argument,	NULL,	OPT_UNTIL },
	{ "per-page",	required_argument,	NULL,	OPT_PER_PAGE },
	{ "rate",	required_argument,	NULL,	OPT_RATE },
	{ "plan",	required_argument,	NULL,	OPT_PLAN },
	{ "reserve",	required_argument,	NULL,	OPT_RESERVE },
	{ "max-wait",	required_argument,	NULL,	OPT_MAX_WAIT },
	{ "include",	required_argument,	NULL,	OPT_INCLUDE },
	{ "raw",	no_argument,		NULL,	OPT_RAW },
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
	    "usage: fd-fetch [-hqvV] [-j jobs] [-s state] [--domain domain]\n"
	    "                [--since time] [--until time] [--per-page n]\n"
	    "                [--rate n] [--plan plan] [--reserve percent]\n"
	    "                [--max-wait seconds] [--include list] [--raw]\n"
	    "                [endpoint ...]\n");
	exit(fp == stdout ? FD_EXIT_OK : FD_EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	int ch;

	while ((ch = getopt_long(argc, argv, "hj:qs:vV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			break;
		case 'j':
			jobs = number("-j", optarg, 1, 16);
			break;
		case 'q':
			qflag = 1;
			vflag = 0;
			break;
		case 's':
			statefile = optarg;
			break;
		case 'v':
			vflag = 1;
			qflag = 0;
			break;
		case 'V':
			printf("fd-fetch %s\n", FD_VERSION);
			return FD_EXIT_OK;
		case OPT_DOMAIN:
			domain = optarg;
			break;
		case OPT_SINCE:
			since = optarg;
			break;
		case OPT_UNTIL:
			until = optarg;
			break;
		case OPT_PER_PAGE:
			per_page = number("--per-page", optarg, 1, 100);
			break;
		case OPT_RATE:
			rate = number("--rate", optarg, 1, 100000);
			break;
		case OPT_PLAN:
			plan = optarg;
			break;
		case OPT_RESERVE:
			reserve = number("--reserve", optarg, 0, 90);
			break;
		case OPT_MAX_WAIT:
			max_wait = number("--max-wait", optarg, 0, 86400);
			break;
		case OPT_INCLUDE:
			include = optarg;
			break;
		case OPT_RAW:
			rawflag = 1;
			break;
		default:
			usage(stderr);
		}
	}
	argc -= optind;
	argv += optind;

	errx(FD_EXIT_FAIL, "not implemented yet");
}
