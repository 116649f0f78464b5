/*
 * fd-normalize: flatten a stream of nested records into the rows of a
 * root table and child tables, with inferred types (DESIGN.md
 * section 4).
 *
 * This file: options, reading the input, the Singer messages, --jq.
 * The flattening is in flatten.c.
 */
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include "buf.h"
#include "diag.h"
#include "jscan.h"
#include "json.h"
#include "lines.h"
#include "map.h"
#include "singer.h"
#include "tool.h"
#include "extern.h"

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


static struct fd_buf	 out = FD_BUF_INIT;
static jq_state		*jq;
static struct stream	*plain;		/* --stream */

/* Where the line being normalized began in out: flatten dies (errx) of
 * a name it cannot make, and the whole lines before it are written
 * then (atexit), not lost. */
static size_t		 line_mark;

static void
out_whole(void)
{
	size_t n = line_mark < out.len ? line_mark : out.len;

	if (n > 0)
		fwrite(out.data, 1, n, stdout);
	out.len = 0;
}

/* Writes what is buffered; with sync, flushes stdout too (a STATE). */
static void
out_write(int sync)
{
	if (out.len > 0 && fwrite(out.data, 1, out.len, stdout) != out.len)
		err(1, "<stdout>");
	fd_buf_reset(&out);
	if (sync && fflush(stdout) == EOF)
		err(1, "<stdout>");
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
stream_of(const struct fd_singer_msg *m, char *errbuf)
{
	static struct fd_buf b = FD_BUF_INIT;

	fd_buf_reset(&b);
	if (fd_singer_string(&m->stream, &b, errbuf) == -1)
		return NULL;
	return stream_get(b.data, b.len);
}

/*
 * The key_properties of SCHEMA m, decoded, given to stream st with
 * disposition d.  0, or -1 with the reason in errbuf: a key that is
 * not a string is refused, not skipped (the key would silently be
 * another).
 */
static int
schema_keys(struct stream *st, const struct fd_singer_msg *m,
    const char *d, char *errbuf)
{
	static struct fd_buf b = FD_BUF_INIT;
	static char **keys;
	static size_t *lens, cap;
	struct fd_jscan js;
	struct fd_jtok t;
	size_t n = 0, i;

	fd_buf_reset(&b);
	fd_jscan_init(&js, m->keys.p, m->keys.len);
	fd_jscan_next(&js, &t);		/* '[' */
	while (fd_jscan_next(&js, &t) > 0 && t.kind != FD_JTOK_ARRAY_END) {
		if (t.kind != FD_JTOK_STRING)
			return fd_diag_set(errbuf, "SCHEMA: key_properties: "
			    "element %zu is not a string", n + 1);
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((keys = reallocarray(keys, cap,
			    sizeof(*keys))) == NULL ||
			    (lens = reallocarray(lens, cap,
			    sizeof(*lens))) == NULL)
				err(1, NULL);
		}
		/* offsets into b first: b moves as it grows */
		lens[n] = b.len;
		if (fd_jscan_string(t.p, t.len, &b, errbuf) == -1)
			return -1;
		fd_buf_putc(&b, '\0');
		n++;
	}
	for (i = 0; i < n; i++) {
		size_t end = i + 1 < n ? lens[i + 1] - 1 : b.len - 1;
		keys[i] = b.data + lens[i];
		lens[i] = end - lens[i];
	}
	stream_schema(st, keys, lens, n, d);
	return 0;
}

/* libjq's first message (a compile error), for our own diagnostic. */
static char jq_msg[FD_ERRSZ];

static void
jq_error(void *arg, jv msg)
{
	const char *m;

	if (jq_msg[0] == '\0' && jv_get_kind(msg) == JV_KIND_STRING) {
		m = jv_string_value(msg);
		if (strncmp(m, "jq: error: ", 11) == 0)
			m += 11;
		snprintf(jq_msg, sizeof(jq_msg), "%s", m);
		jq_msg[strcspn(jq_msg, "\n")] = '\0';
	}
	jv_free(msg);
}

/* Compiles the --jq filter into jq; dies of one that does not compile
 * (exit 2, with libjq's first message). */
static void
jq_open(const char *filter)
{
	if ((jq = jq_init()) == NULL)
		errx(FD_EXIT_FAIL, "--jq: cannot start jq");
	jq_msg[0] = '\0';
	jq_set_error_cb(jq, jq_error, NULL);
	if (!jq_compile(jq, filter)) {
		jq_teardown(&jq);
		errx(FD_EXIT_USAGE, "--jq: %s", jq_msg[0] ? jq_msg :
		    "the filter does not compile");
	}
}

/*
 * Numbers through --jq.  libjq 1.6 holds numbers as doubles, so one
 * whose text a double does not give back (beyond 2^53, "1.0", "1E5")
 * would come out of the filter changed.  Before the filter, each
 * number of the record is noted under its value with its path, with
 * its name (its member's; in a list, the list's), and alone; in what
 * the filter yields, a number that has the value of a noted one is
 * written as that one's text: the one at the same path, else of the
 * same name, else the one text the record has for that value.  A
 * number of another value (one the filter computed) is written as
 * libjq writes it.
 */
enum { NUM_PATH, NUM_NAME, NUM_VALUE, NUM_NMAPS };
static struct fd_map	*nums[NUM_NMAPS];	/* -> text, or &num_ambig */
static char		 num_ambig;

/* Where num_scan and jv_out are in the record: a path of "\1key" and
 * "\2" (a list element) steps, and the name of the values there. */
struct numpos {
	struct fd_buf	 path, name;
	int		 named;
};

static void
num_clear(void)
{
	void *v;
	size_t i, j;

	for (j = 0; j < NUM_NMAPS && nums[j] != NULL; j++) {
		for (i = 0; fd_map_at(nums[j], i, &v) != NULL; i++)
			if (v != &num_ambig)
				free(v);
		fd_map_free(nums[j]);
		nums[j] = NULL;
	}
}

/* The key, in k, of a number of value x at p for map j. */
static void
num_key(struct fd_buf *k, int j, const struct numpos *p, double x)
{
	fd_buf_reset(k);
	if (j == NUM_PATH)
		fd_buf_append(k, p->path.data, p->path.len);
	else if (j == NUM_NAME)
		fd_buf_append(k, p->name.data, p->name.len);
	fd_buf_putc(k, '\0');
	fd_buf_append(k, &x, sizeof(x));
}

/* Notes the number text (n bytes) of value x at p; a second, different
 * text for a key makes it ambiguous. */
static void
num_note(const struct numpos *p, double x, const char *text, size_t n)
{
	static struct fd_buf k = FD_BUF_INIT;
	char *had, *t;
	int j;

	for (j = 0; j < NUM_NMAPS; j++) {
		if (j == NUM_NAME && !p->named)
			continue;
		num_key(&k, j, p, x);
		if ((had = fd_map_get(nums[j], k.data, k.len)) == &num_ambig)
			continue;
		if (had != NULL) {
			if (strlen(had) == n && memcmp(had, text, n) == 0)
				continue;
			free(had);
			t = &num_ambig;
		} else if ((t = strndup(text, n)) == NULL)
			err(1, NULL);
		if (fd_map_put(nums[j], k.data, k.len, t) == -1)
			err(1, NULL);
	}
}

/* The text noted for a number of value x at p, or NULL. */
static const char *
num_text(const struct numpos *p, double x)
{
	static struct fd_buf k = FD_BUF_INIT;
	const char *t;
	int j;

	for (j = 0; j < NUM_NMAPS; j++) {
		if (j == NUM_NAME && !p->named)
			continue;
		num_key(&k, j, p, x);
		t = fd_map_get(nums[j], k.data, k.len);
		if (t != NULL && t != &num_ambig)
			return t;
	}
	return NULL;
}

/* Steps p into a member named n (nlen bytes) or, with n NULL, into a
 * list's element (the list's name); returns the path's length before. */
static size_t
num_step(struct numpos *p, const char *n, size_t nlen)
{
	size_t back = p->path.len;

	if (n != NULL) {
		fd_buf_putc(&p->path, 1);
		fd_buf_append(&p->path, n, nlen);
		fd_buf_reset(&p->name);
		fd_buf_append(&p->name, n, nlen);
		p->named = 1;
	} else
		fd_buf_putc(&p->path, 2);
	return back;
}

/* Saves and restores p's name around an object's members. */
static char *
num_save(const struct numpos *p)
{
	char *s;

	if ((s = malloc(p->name.len + 2)) == NULL)
		err(1, NULL);
	s[0] = (char)p->named;
	if (p->name.len > 0)
		memcpy(s + 1, p->name.data, p->name.len);
	s[p->name.len + 1] = '\0';
	return s;
}

static void
num_restore(struct numpos *p, char *s, size_t len)
{
	p->named = s[0];
	fd_buf_reset(&p->name);
	fd_buf_append(&p->name, s + 1, len);
	free(s);
}

/* Notes the numbers of the value whose first token t the scanner just
 * gave, at p. */
static void
num_scan(struct fd_jscan *js, const struct fd_jtok *t, struct numpos *p)
{
	static struct fd_buf kb = FD_BUF_INIT;
	char why[FD_ERRSZ], *num, *saved;
	struct fd_jtok k, v;
	size_t back, slen;
	double x;

	switch (t->kind) {
	case FD_JTOK_OBJECT:
		slen = p->name.len;
		saved = num_save(p);
		while (fd_jscan_next(js, &k) == FD_JTOK_KEY) {
			fd_buf_reset(&kb);
			if (fd_jscan_string(k.p, k.len, &kb, why) == -1 ||
			    fd_jscan_next(js, &v) <= 0)
				break;
			back = num_step(p, kb.data ? kb.data : "", kb.len);
			num_scan(js, &v, p);
			p->path.len = back;
		}
		num_restore(p, saved, slen);
		break;
	case FD_JTOK_ARRAY:
		while (fd_jscan_next(js, &v) > 0 &&
		    v.kind != FD_JTOK_ARRAY_END) {
			back = num_step(p, NULL, 0);
			num_scan(js, &v, p);
			p->path.len = back;
		}
		break;
	case FD_JTOK_NUMBER:
		if ((num = strndup(t->p, t->len)) == NULL)
			err(1, NULL);
		x = strtod(num, NULL);
		free(num);
		num_note(p, x, t->p, t->len);
		break;
	default:
		break;
	}
}

/* Appends libjq's text of v (borrowed). */
static void
jv_text(struct fd_buf *b, jv v)
{
	jv s = jv_dump_string(jv_copy(v), 0);

	fd_buf_append(b, jv_string_value(s),
	    (size_t)jv_string_length_bytes(jv_copy(s)));
	jv_free(s);
}

/* Appends v (consumed), at p, as JSON text: libjq's, but numbers as
 * the record wrote them where num_text has them. */
static void
jv_out(struct fd_buf *b, jv v, struct numpos *p)
{
	const char *t;
	char *saved;
	size_t back, slen;
	int i, n;
	jv k;

	switch (jv_get_kind(v)) {
	case JV_KIND_OBJECT:
		slen = p->name.len;
		saved = num_save(p);
		fd_buf_putc(b, '{');
		for (i = jv_object_iter(v); jv_object_iter_valid(v, i);
		    i = jv_object_iter_next(v, i)) {
			if (b->data[b->len - 1] != '{')
				fd_buf_putc(b, ',');
			k = jv_object_iter_key(v, i);
			jv_text(b, k);
			fd_buf_putc(b, ':');
			back = num_step(p, jv_string_value(k),
			    (size_t)jv_string_length_bytes(jv_copy(k)));
			jv_out(b, jv_object_iter_value(v, i), p);
			p->path.len = back;
			jv_free(k);
		}
		fd_buf_putc(b, '}');
		num_restore(p, saved, slen);
		break;
	case JV_KIND_ARRAY:
		fd_buf_putc(b, '[');
		n = jv_array_length(jv_copy(v));
		for (i = 0; i < n; i++) {
			if (i > 0)
				fd_buf_putc(b, ',');
			back = num_step(p, NULL, 0);
			jv_out(b, jv_array_get(jv_copy(v), i), p);
			p->path.len = back;
		}
		fd_buf_putc(b, ']');
		break;
	case JV_KIND_NUMBER:
		if ((t = num_text(p, jv_number_value(v))) != NULL)
			fd_buf_puts(b, t);
		else
			jv_text(b, v);
		break;
	default:
		jv_text(b, v);
		break;
	}
	jv_free(v);
}

/* Notes the numbers of the record (valid JSON text). */
static void
num_record(const char *rec, size_t len)
{
	static struct numpos p = { FD_BUF_INIT, FD_BUF_INIT, 0 };
	struct fd_jscan js;
	struct fd_jtok t;
	int j;

	num_clear();
	for (j = 0; j < NUM_NMAPS; j++)
		if ((nums[j] = fd_map_new()) == NULL)
			err(1, NULL);
	fd_buf_reset(&p.path);
	fd_buf_reset(&p.name);
	p.named = 0;
	fd_jscan_init(&js, rec, len);
	if (fd_jscan_next(&js, &t) > 0)
		num_scan(&js, &t, &p);
}

/* The record through --jq: each object it yields is flattened. */
static int
record_jq(struct stream *st, const char *rec, size_t len,
    const struct fd_singer_msg *m, char *errbuf)
{
	static struct fd_buf text = FD_BUF_INIT;
	static struct numpos pos = { FD_BUF_INIT, FD_BUF_INIT, 0 };
	char why[FD_ERRSZ];
	jv v, r;
	int rc = 0;

	if (fd_json_parse(rec, len, &v, why) == -1)
		return fd_diag_set(errbuf, "%s", why);
	num_record(rec, len);
	jq_start(jq, v, 0);
	while (jv_is_valid(r = jq_next(jq))) {
		if (jv_get_kind(r) != JV_KIND_OBJECT) {
			fd_diag_set(errbuf, "--jq: the filter gave %s, "
			    "not an object", fd_json_kind_name(jv_get_kind(r)));
			jv_free(r);
			rc = -1;
			break;
		}
		fd_buf_reset(&text);
		fd_buf_reset(&pos.path);
		fd_buf_reset(&pos.name);
		pos.named = 0;
		jv_out(&text, r, &pos);
		rc = flatten_record(st, text.data, text.len, m->version.p,
		    m->version.len, errbuf);
		if (rc == -1)
			break;
	}
	/* r is libjq's end (or error) unless the loop stopped on a row */
	if (rc == 0) {
		if (jv_invalid_has_msg(jv_copy(r))) {
			jv msg = jv_invalid_get_msg(jv_copy(r));
			fd_diag_set(errbuf, "--jq: %s", jv_get_kind(msg) ==
			    JV_KIND_STRING ? jv_string_value(msg) : "error");
			jv_free(msg);
			rc = -1;
		}
		jv_free(r);
	}
	return rc;
}

static int
record(struct stream *st, const char *rec, size_t len,
    const struct fd_singer_msg *m, char *errbuf)
{
	if (jq != NULL)
		return record_jq(st, rec, len, m, errbuf);
	return flatten_record(st, rec, len, m->version.p, m->version.len,
	    errbuf);
}

/* One line of input. */
static int
line(const char *p, size_t len, char *errbuf)
{
	struct fd_singer_msg m;
	struct stream *st;
	const char *d = NULL, *v;
	size_t vl;

	if (fd_singer_scan(p, len, 0, &m, errbuf) == -1)
		return -1;
	if (plain != NULL) {
		m.version.p = NULL;
		return record(plain, p, len, &m, errbuf);
	}
	switch (m.type) {
	case FD_SINGER_RECORD:
		if ((st = stream_of(&m, errbuf)) == NULL)
			return -1;
		if (m.version.kind != FD_JTOK_NUMBER)
			m.version.p = NULL;
		return record(st, m.record.p, m.record.len, &m, errbuf);
	case FD_SINGER_SCHEMA:
		if ((st = stream_of(&m, errbuf)) == NULL)
			return -1;
		if (m.xfd.kind == FD_JTOK_OBJECT && fd_jscan_field(m.xfd.p,
		    m.xfd.len, "disposition", &v, &vl, errbuf) == 0) {
			struct fd_singer_span sp = { v, vl, FD_JTOK_STRING };
			if (fd_singer_is(&sp, "merge"))
				d = "merge";
			else if (fd_singer_is(&sp, "append"))
				d = "append";
			else if (fd_singer_is(&sp, "replace"))
				d = "replace";
		}
		return schema_keys(st, &m, d, errbuf);
	case FD_SINGER_STATE:
		fd_buf_append(&out, p, len);
		fd_buf_putc(&out, '\n');
		out_write(1);
		return 0;
	case FD_SINGER_ACTIVATE_VERSION:
		if ((st = stream_of(&m, errbuf)) == NULL)
			return -1;
		if (fd_singer_put_activate_version(&out, stream_table(st),
		    m.version.p, m.version.len) == -1)
			err(1, NULL);	/* (the table's name is UTF-8) */
		return 0;
	default:
		break;
	}
	if (other_message(&m)) {
		fd_buf_append(&out, p, len);
		fd_buf_putc(&out, '\n');
		return 0;
	}
	if (m.mtype.p != NULL && !other_message(&m) &&
	    m.mtype.kind == FD_JTOK_STRING && m.mtype.len > 2 &&
	    m.mtype.p[1] >= 'A' && m.mtype.p[1] <= 'Z' &&
	    strspn(m.mtype.p + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") ==
	    m.mtype.len - 2)
		return fd_diag_set(errbuf, "a %.*s message without its "
		    "required fields", (int)m.mtype.len - 2, m.mtype.p + 1);
	return fd_diag_set(errbuf, "not a Singer message (for plain records "
	    "use --stream NAME)");
}

/* Normalizes one input; dies on the first bad line, after writing the
 * rows of every line before it. */
static void
input(FILE *fp, const char *name)
{
	char errbuf[FD_ERRSZ];
	struct fd_lines *r;
	const char *p;
	size_t len, mark;
	int rc;

	if ((r = fd_lines_open(fp, name)) == NULL)
		err(1, NULL);
	while ((rc = fd_lines_next(r, &p, &len)) == 1) {
		if (len == 0 || strspn(p, " \t\r") == len)
			continue;
		line_mark = mark = out.len;
		if (line(p, len, errbuf) == -1) {
			/* nothing of a line that fails: only whole records */
			out.len = mark;
			out_write(1);
			if (jq != NULL)
				jq_teardown(&jq);
			errx(1, "%s:%llu: %s", name, fd_lines_lineno(r),
			    errbuf);
		}
		if (out.len >= 1 << 20)
			out_write(0);
	}
	if (rc == -1) {
		out_write(1);
		err(1, "%s", name);
	}
	fd_lines_close(r);
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
	struct norm_opts o;
	char why[FD_ERRSZ];
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

	o.max_nesting = (int)max_nesting;
	o.max_length = (size_t)max_length;
	o.dlt = dltflag;
	if (fd_naming_conv_parse(naming, &o.conv, why) == -1)
		errx(FD_EXIT_USAGE, "--naming %s: %s", naming, why);
	flatten_init(&o, &out);
	if (atexit(out_whole) != 0)
		err(FD_EXIT_FAIL, "atexit");
	if (jqfilter != NULL)
		jq_open(jqfilter);
	if (stream != NULL) {
		plain = stream_get(stream, strlen(stream));
		if (key != NULL) {
			char *k = (char *)key;
			size_t klen = strlen(key);
			stream_schema(plain, &k, &klen, 1, NULL);
		}
	} else if (key != NULL)
		errx(FD_EXIT_USAGE, "--key needs --stream");

	if (argc == 0)
		input(stdin, "<stdin>");
	for (; argc > 0; argc--, argv++) {
		FILE *fp;
		if (strcmp(*argv, "-") == 0) {
			input(stdin, "<stdin>");
			continue;
		}
		if ((fp = fopen(*argv, "r")) == NULL) {
			out_write(1);	/* the rows of the files before */
			err(FD_EXIT_FAIL, "%s", *argv);
		}
		input(fp, *argv);
		fclose(fp);
	}
	out_write(1);
	if (ferror(stdout))
		errx(FD_EXIT_FAIL, "<stdout>: write error");
	if (jq != NULL)
		jq_teardown(&jq);
	flatten_end();
	fd_buf_free(&out);
	return FD_EXIT_OK;
}
