/*
 * fd-normalize: flatten a stream of nested records into the rows of a
 * root table and child tables, with inferred types (DESIGN.md
 * section 4).
 *
 * This file: options, reading the input, the Singer messages.  The
 * flattening is in flatten.c, --jq in jq.c.
 */
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "diag.h"
#include "jscan.h"
#include "json.h"
#include "lines.h"
#include "map.h"
#include "progress.h"
#include "singer.h"
#include "tool.h"
#include "extern.h"

/* The options' limits and defaults (fd-normalize.1). */
#define MAX_NESTING_DEFAULT	1000
#define MAX_NESTING_MAX		1000
#define MAX_LENGTH_MIN		8	/* naming's tag fits */
#define MAX_LENGTH_MAX		4096
#define NAMING_DEFAULT		"snake_case"
/* Records hold every column of their SCHEMA (--dense), or only the
 * row's values (--sparse): fd-normalize.1, NOTES, says why dense. */
#define DENSE_DEFAULT		1
/* The output is written when this much is buffered, at a line's end. */
#define OUT_FLUSH		(1 << 20)
/* The first room for a SCHEMA's key_properties. */
#define KEYS_MIN		8
/* The first room for the members of a record. */
#define MEMBERS_MIN		64

enum {
	OPT_STREAM = CHAR_MAX + 1, OPT_KEY, OPT_MAX_NESTING, OPT_NAMING,
	OPT_MAX_LENGTH, OPT_DLT, OPT_JQ, OPT_DENSE, OPT_SPARSE
};

static const struct option longopts[] = {
	{ "help",	 no_argument,		NULL,	'h' },
	{ "quiet",	 no_argument,		NULL,	'q' },
	{ "verbose",	 no_argument,		NULL,	'v' },
	{ "version",	 no_argument,		NULL,	'V' },
	{ "stream",	 required_argument,	NULL,	OPT_STREAM },
	{ "key",	 required_argument,	NULL,	OPT_KEY },
	{ "max-nesting", required_argument,	NULL,	OPT_MAX_NESTING },
	{ "naming",	 required_argument,	NULL,	OPT_NAMING },
	{ "max-length",	 required_argument,	NULL,	OPT_MAX_LENGTH },
	{ "dlt",	 no_argument,		NULL,	OPT_DLT },
	{ "jq",		 required_argument,	NULL,	OPT_JQ },
	{ "dense",	 no_argument,		NULL,	OPT_DENSE },
	{ "sparse",	 no_argument,		NULL,	OPT_SPARSE },
	{ NULL,		 0,			NULL,	0 }
};

/* The command line's settings. */
struct args {
	struct norm_opts	 o;
	const char		*stream;	/* --stream, or NULL */
	const char		*key;		/* --key, or NULL */
	const char		*jq;		/* --jq, or NULL */
	int			 verbose;	/* -v */
};

/* A run of fd-normalize. */
struct run {
	struct fd_buf		 out;	/* the lines being written */
	/* the length of out that is whole lines, checked (xbuf_check):
	 * the lines before the one being normalized */
	size_t			 line_mark;
	struct flattener	*fl;
	struct jqfilter		*jq;	/* --jq, or NULL */
	struct stream		*plain;	/* --stream, or NULL */
	struct fd_buf		 name;	/* stream_of's */
	struct fd_map		*schemas; /* streams a SCHEMA told of */
	/* schema_keys': the keys' text, pointers into it, lengths */
	struct fd_buf		 keytext;
	char			**keys;
	size_t			*lens, capkeys;
	/* the members of the line's record (mem_put), for the flattener */
	struct fd_singer_member	*mem;
	size_t			 nmem, capmem;
};

/* The run whose whole lines are written at exit (atexit(3) passes no
 * argument): flatten dies (errx) of a name it cannot make, and the
 * lines before it are not lost. */
static struct run	*exiting;

static void
out_whole(void)
{
	struct run *r = exiting;
	size_t n;

	if (r == NULL)
		return;
	n = r->line_mark < r->out.len ? r->line_mark : r->out.len;
	if (n > 0)
		fwrite(r->out.data, 1, n, stdout);
	r->out.len = 0;
}

/* Writes what is buffered; with sync, flushes stdout too (a STATE). */
static void
out_write(struct run *r, int sync)
{
	xbuf_check(&r->out);
	if (r->out.len > 0 && fwrite(r->out.data, 1, r->out.len, stdout) !=
	    r->out.len)
		err(FD_EXIT_FAIL, "<stdout>");
	fd_buf_reset(&r->out);
	if (sync && fflush(stdout) == EOF)
		err(FD_EXIT_FAIL, "<stdout>");
}

/* A type that looks like a message type (upper case and _), not one of
 * ours: passed through, as the stream format says. */
static int
other_message(const struct fd_singer_msg *m)
{
	size_t i;

	if (m->mtype.kind != FD_JTOK_STRING || m->mtype.len < 3 ||
	    fd_singer_is(&m->mtype, "RECORD") ||
	    fd_singer_is(&m->mtype, "SCHEMA") ||
	    fd_singer_is(&m->mtype, "STATE") ||
	    fd_singer_is(&m->mtype, "ACTIVATE_VERSION"))
		return 0;
	for (i = 1; i < m->mtype.len - 1; i++)
		if (!(m->mtype.p[i] >= 'A' && m->mtype.p[i] <= 'Z') &&
		    m->mtype.p[i] != '_')
			return 0;
	return 1;
}

/* The stream of a message, made on first sight. */
static struct stream *
stream_of(struct run *r, const struct fd_singer_msg *m, char *errbuf)
{
	fd_buf_reset(&r->name);
	if (fd_singer_string(&m->stream, &r->name, errbuf) == -1)
		return NULL;
	return stream_get(r->fl, xbuf(&r->name), r->name.len);
}

/*
 * The key_properties of SCHEMA m, decoded, given to stream st with
 * disposition d.  0, or -1 with the reason in errbuf: a key that is
 * not a string is refused, not skipped (the key would silently be
 * another).
 */
static int
schema_keys(struct run *r, struct stream *st, const struct fd_singer_msg *m,
    const char *d, char *errbuf)
{
	struct fd_buf *b = &r->keytext;
	struct fd_jscan js;
	struct fd_jtok t;
	size_t n = 0, i, end;

	fd_buf_reset(b);
	fd_jscan_init(&js, m->keys.p, m->keys.len);
	fd_jscan_next(&js, &t);		/* '[' */
	while (fd_jscan_next(&js, &t) > 0 && t.kind != FD_JTOK_ARRAY_END) {
		if (t.kind != FD_JTOK_STRING)
			return fd_diag_set(errbuf, "SCHEMA: key_properties: "
			    "element %zu is not a string", n + 1);
		if (n == r->capkeys) {
			r->capkeys = r->capkeys ? r->capkeys * 2 : KEYS_MIN;
			r->keys = xreallocarray(r->keys, r->capkeys,
			    sizeof(*r->keys));
			r->lens = xreallocarray(r->lens, r->capkeys,
			    sizeof(*r->lens));
		}
		/* offsets into b first: b moves as it grows */
		r->lens[n] = b->len;
		if (fd_jscan_string(t.p, t.len, b, errbuf) == -1)
			return -1;
		fd_buf_putc(b, '\0');
		n++;
	}
	xbuf_check(b);
	for (i = 0; i < n; i++) {
		end = i + 1 < n ? r->lens[i + 1] - 1 : b->len - 1;
		r->keys[i] = b->data + r->lens[i];
		r->lens[i] = end - r->lens[i];
	}
	stream_schema(r->fl, st, r->keys, r->lens, n, d);
	return 0;
}

/* The disposition a SCHEMA asks for in its "x-fd" (fd.7), or NULL:
 * none, or one fd-normalize does not know. */
static const char *
schema_disposition(const struct fd_singer_msg *m, char *errbuf)
{
	static const char *const known[] = { "merge", "append", "replace" };
	struct fd_singer_span sp;
	size_t i;

	if (m->xfd.kind != FD_JTOK_OBJECT || fd_jscan_field(m->xfd.p,
	    m->xfd.len, "disposition", &sp.p, &sp.len, errbuf) != 0)
		return NULL;
	sp.kind = FD_JTOK_STRING;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (fd_singer_is(&sp, known[i]))
			return known[i];
	return NULL;
}

/* fd_singer_scan_members' fn: keeps the members of the record in r. */
static void
mem_put(void *arg, const struct fd_singer_member *mem)
{
	struct run *r = arg;

	if (mem == NULL) {
		r->nmem = 0;
		return;
	}
	if (r->nmem == r->capmem) {
		r->capmem = r->capmem ? r->capmem * 2 : MEMBERS_MIN;
		r->mem = xreallocarray(r->mem, r->capmem, sizeof(*r->mem));
	}
	r->mem[r->nmem++] = *mem;
}

/* The record rec (len bytes, valid; without --jq, its members are in
 * r's mem) of stream st. */
static int
record(struct run *r, struct stream *st, const char *rec, size_t len,
    const struct fd_singer_msg *m, char *errbuf)
{
	if (r->jq != NULL)
		return jqfilter_record(r->jq, r->fl, st, rec, len,
		    m->version.p, m->version.len, errbuf);
	return flatten_record(r->fl, st, rec, len, r->mem, r->nmem,
	    m->version.p, m->version.len, errbuf);
}

/* A line that is none of our messages: passed through when it looks
 * like a message of another type, else -1 with the reason. */
static int
other_line(struct run *r, const struct fd_singer_msg *m, const char *p,
    size_t len, char *errbuf)
{
	if (other_message(m)) {
		fd_buf_append(&r->out, p, len);
		fd_buf_putc(&r->out, '\n');
		return 0;
	}
	if (m->mtype.p != NULL && m->mtype.kind == FD_JTOK_STRING &&
	    m->mtype.len > 2 && m->mtype.p[1] >= 'A' &&
	    m->mtype.p[1] <= 'Z' &&
	    strspn(m->mtype.p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") ==
	    m->mtype.len - 2)
		return fd_diag_set(errbuf, "a %.*s message without its "
		    "required fields", (int)m->mtype.len - 2, m->mtype.p + 1);
	return fd_diag_set(errbuf, "not a Singer message (for plain records "
	    "use --stream NAME)");
}

/* Whether the len bytes at p contain the string s. */
static int
contains(const char *p, size_t len, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i + n <= len; i++)
		if (p[i] == s[0] && memcmp(p + i, s, n) == 0)
			return 1;
	return 0;
}

/*
 * A STATE line (len bytes at p, valid) into r->out: as it is, but for
 * the stream of its id set ("fd_ids", fd-load.1), which names the table
 * the stream maps to, as ACTIVATE_VERSION's does, when a SCHEMA told of
 * the stream (else it stays).  A malformed fd_ids passes as it is:
 * fd-load judges it.
 */
static void
state_line(struct run *r, const char *p, size_t len)
{
	char why[FD_ERRSZ];
	struct stream *st;
	const char *x, *v;
	size_t xl, vl;

	/* the fast path: no member called fd_ids, however escaped */
	if ((!contains(p, len, "fd_ids") && memchr(p, '\\', len) == NULL) ||
	    fd_jscan_field(p, len, "fd_ids", &x, &xl, why) != 0 ||
	    *x != '{' || fd_jscan_field(x, xl, "stream", &v, &vl, why) != 0 ||
	    *v != '"')
		goto same;
	fd_buf_reset(&r->name);
	if (fd_jscan_string(v, vl, &r->name, why) == -1)
		goto same;
	xbuf_check(&r->name);
	if ((st = fd_map_get(r->schemas, r->name.data != NULL ?
	    r->name.data : "", r->name.len)) == NULL)
		goto same;
	fd_buf_append(&r->out, p, (size_t)(v - p));
	if (fd_json_put_string(&r->out, stream_table(st),
	    strlen(stream_table(st))) == -1)
		err(FD_EXIT_FAIL, NULL);	/* (names are UTF-8) */
	fd_buf_append(&r->out, v + vl, len - (size_t)(v + vl - p));
	fd_buf_putc(&r->out, '\n');
	return;
same:
	fd_buf_append(&r->out, p, len);
	fd_buf_putc(&r->out, '\n');
}

/* One line of input. */
static int
line(struct run *r, const char *p, size_t len, char *errbuf)
{
	struct fd_singer_msg m;
	struct stream *st;

	/* the line validated once: the flattener walks the members the
	 * scan found (a --jq filter reads the record itself) */
	if ((r->jq != NULL ? fd_singer_scan(p, len, 0, &m, errbuf) :
	    fd_singer_scan_members(p, len, r->plain != NULL, &m, mem_put, r,
	    errbuf)) == -1)
		return -1;
	if (r->plain != NULL) {
		m.version.p = NULL;
		return record(r, r->plain, p, len, &m, errbuf);
	}
	switch (m.type) {
	case FD_SINGER_RECORD:
		if ((st = stream_of(r, &m, errbuf)) == NULL)
			return -1;
		if (m.version.kind != FD_JTOK_NUMBER)
			m.version.p = NULL;
		return record(r, st, m.record.p, m.record.len, &m, errbuf);
	case FD_SINGER_SCHEMA:
		if ((st = stream_of(r, &m, errbuf)) == NULL)
			return -1;
		if (fd_map_put(r->schemas, r->name.data, r->name.len, st) == -1)
			err(FD_EXIT_FAIL, NULL);
		/* a --jq filter makes other records: its columns are its
		 * own */
		if (r->jq == NULL && m.schema.kind == FD_JTOK_OBJECT)
			stream_hints(r->fl, st, m.schema.p, m.schema.len);
		return schema_keys(r, st, &m, schema_disposition(&m, errbuf),
		    errbuf);
	case FD_SINGER_STATE:
		state_line(r, p, len);
		out_write(r, 1);
		return 0;
	case FD_SINGER_ACTIVATE_VERSION:
		if ((st = stream_of(r, &m, errbuf)) == NULL)
			return -1;
		stream_activate(r->fl, st, m.version.p, m.version.len);
		return 0;
	default:
		return other_line(r, &m, p, len, errbuf);
	}
}

/* Normalizes one input; dies on the first bad line, after writing the
 * rows of every line before it. */
static void
input(struct run *r, FILE *fp, const char *name)
{
	char errbuf[FD_ERRSZ];
	struct fd_lines *in;
	const char *p;
	size_t len;
	int rc;

	if ((in = fd_lines_open(fp, name)) == NULL)
		err(FD_EXIT_FAIL, NULL);
	while ((rc = fd_lines_next(in, &p, &len)) == 1) {
		if (len == 0 || strspn(p, " \t\r") == len)
			continue;
		xbuf_check(&r->out);	/* the lines before: whole */
		r->line_mark = r->out.len;
		if (line(r, p, len, errbuf) == -1) {
			/* nothing of a line that fails: only whole records */
			r->out.len = r->line_mark;
			out_write(r, 1);
			jqfilter_close(r->jq);
			r->jq = NULL;
			errx(FD_EXIT_FAIL, "%s:%llu: %s", name,
			    fd_lines_lineno(in), errbuf);
		}
		if (r->out.len >= OUT_FLUSH)
			out_write(r, 0);
	}
	if (rc == -1) {
		out_write(r, 1);
		err(FD_EXIT_FAIL, "%s", name);
	}
	fd_lines_close(in);
}

/* -v: a line for each table, in the order they were made. */
static void
summary(const struct flattener *fl)
{
	unsigned long long rows;
	const char *name;
	size_t i, ncols;

	for (i = 0; (name = flatten_table_at(fl, i, &rows, &ncols)) != NULL;
	    i++)
		warnx("table %s: %llu rows, %zu columns", showname(name), rows,
		    ncols);
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: fd-normalize [-hqvV] [--config file] [--dense | --sparse]\n"
	    "                    [--stream name] [--key field]\n"
	    "                    [--max-nesting n] [--naming convention]\n"
	    "                    [--max-length n] [--dlt] [--jq filter]\n"
	    "                    [file ...]\n");
	if (fp == stdout)
		fputs("\n"
		    "  -h, --help           this help\n"
		    "  -q, --quiet          errors only on stderr\n"
		    "  -v, --verbose        a line per table at the end\n"
		    "  -V, --version        print the version\n"
		    "  --config file        settings from a JSON file\n"
		    "  --dense              every column in each record "
		    "(the default)\n"
		    "  --sparse             a row's values only\n"
		    "  --stream name        read plain records as the stream "
		    "name\n"
		    "  --key field          the primary key of a plain stream\n"
		    "  --max-nesting n      values nested deeper kept as JSON\n"
		    "  --naming convention  snake_case (the default) or direct\n"
		    "  --max-length n       shorten longer names (63 for "
		    "PostgreSQL)\n"
		    "  --dlt                dlt's _dlt_* columns and ids\n"
		    "  --jq filter          a jq program applied to each record "
		    "first\n"
		    "\nIt reads fd-fetch's stream from the files, or stdin.\n"
		    "man fd-normalize tells the rest.\n", fp);
	exit(fp == stdout ? FD_EXIT_OK : FD_EXIT_USAGE);
}

/* The options into a; returns the number of arguments they took. */
static int
options(int argc, char *argv[], struct args *a)
{
	const char *naming = NAMING_DEFAULT;
	char why[FD_ERRSZ];
	int ch;

	memset(a, 0, sizeof(*a));
	a->o.max_nesting = MAX_NESTING_DEFAULT;
	a->o.dense = DENSE_DEFAULT;
	while ((ch = getopt_long(argc, argv, "hqvV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			break;
		case 'q':
			a->o.quiet = 1;
			a->verbose = 0;
			break;
		case 'v':
			a->verbose = 1;
			a->o.quiet = 0;
			break;
		case 'V':
			printf("fd-normalize %s\n", FD_VERSION);
			exit(FD_EXIT_OK);
		case OPT_STREAM:
			a->stream = optarg;
			break;
		case OPT_KEY:
			a->key = optarg;
			break;
		case OPT_MAX_NESTING:
			a->o.max_nesting = (int)number("--max-nesting", optarg,
			    0, MAX_NESTING_MAX);
			break;
		case OPT_NAMING:
			if (strcmp(optarg, "snake_case") != 0 &&
			    strcmp(optarg, "direct") != 0)
				errx(FD_EXIT_USAGE, "--naming %s: expected "
				    "snake_case or direct", optarg);
			naming = optarg;
			break;
		case OPT_MAX_LENGTH:
			a->o.max_length = (size_t)number("--max-length", optarg,
			    MAX_LENGTH_MIN, MAX_LENGTH_MAX);
			break;
		case OPT_DLT:
			a->o.dlt = 1;
			break;
		case OPT_JQ:
			a->jq = optarg;
			break;
		case OPT_DENSE:
			a->o.dense = 1;
			break;
		case OPT_SPARSE:
			a->o.dense = 0;
			break;
		default:
			usage(stderr);
		}
	}
	if (fd_naming_conv_parse(naming, &a->o.conv, why) == -1)
		errx(FD_EXIT_USAGE, "--naming %s: %s", naming, why);
	return optind;
}

int
main(int argc, char *argv[])
{
	struct run r = { .out = FD_BUF_INIT };
	struct fd_config c;
	struct args a;
	size_t klen;
	char *k;
	FILE *fp;
	int i;

	fd_progress_messages();
	config_args(&argc, &argv, longopts, NULL, NULL, &c);
	i = options(argc, argv, &a);
	r.fl = flatten_init(&a.o, &r.out);
	if ((r.schemas = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	exiting = &r;
	if (atexit(out_whole) != 0)
		err(FD_EXIT_FAIL, "atexit");
	if (a.jq != NULL)
		r.jq = jqfilter_open(a.jq);
	if (a.stream != NULL) {
		r.plain = stream_get(r.fl, a.stream, strlen(a.stream));
		if (a.key != NULL) {
			k = (char *)a.key;
			klen = strlen(a.key);
			stream_schema(r.fl, r.plain, &k, &klen, 1, NULL);
		}
	} else if (a.key != NULL)
		errx(FD_EXIT_USAGE, "--key needs --stream");

	if (i == argc)
		input(&r, stdin, "<stdin>");
	for (; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			input(&r, stdin, "<stdin>");
			continue;
		}
		if ((fp = fopen(argv[i], "r")) == NULL) {
			out_write(&r, 1);	/* the files before */
			err(FD_EXIT_FAIL, "%s", argv[i]);
		}
		input(&r, fp, argv[i]);
		fclose(fp);
	}
	out_write(&r, 1);
	if (ferror(stdout))
		errx(FD_EXIT_FAIL, "<stdout>: write error");
	exiting = NULL;		/* (r ends with main) */
	if (a.verbose)
		summary(r.fl);
	jqfilter_close(r.jq);
	flatten_end(r.fl);
	fd_buf_free(&r.out);
	free(r.keys);
	free(r.lens);
	free(r.mem);
	fd_buf_free(&r.name);
	fd_buf_free(&r.keytext);
	fd_map_free(r.schemas);
	fd_config_free(&c);
	return FD_EXIT_OK;
}
