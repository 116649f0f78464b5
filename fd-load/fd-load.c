/*
 * fd-load: write a normalized stream into SQLite, PostgreSQL or
 * warehouse files, committing data and state together (DESIGN.md
 * section 5).
 *
 * This file: options, the input, the messages, and when to commit
 * data and state together.  The destinations are behind struct
 * dest_ops (extern.h).
 */
#include <sys/time.h>

#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "jscan.h"
#include "json.h"
#include "lines.h"
#include "map.h"
#include "singer.h"
#include "state.h"
#include "tool.h"
#include "extern.h"

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


static const struct dest_ops *ops;
static struct dest	*dst;
static struct fd_map	*tables;	/* stream -> struct table */
static struct fd_map	*versions;	/* replace root -> its version */
static long long	 rows, pending;
static int		 warned_unknown;
static struct fd_buf	 scratch;
static int		 progressflag;	/* stderr is a terminal */
static double		 started, shown;
static char		*held;		/* coarse: the STATE not committed */
static int		 holding;	/* the destination holds a STATE */
static double		 last_commit;	/* when commit() last committed (now()) */
static int		 settle_due;	/* the last line was a STATE given to it */

/* How long the input may pause after a STATE before what the
 * destination holds or commits in the background is reported durable
 * (milliseconds): the state file does not lag while fd-fetch waits on
 * the rate limit. */
#define IDLE_MS		500

static void	report(const char *);

void
remark(const char *fmt, ...)
{
	va_list ap;

	if (qflag)
		return;
	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
}


/*
 * A name of the stream (a table, column, key or root: the JSON string
 * p, len bytes) decoded, or NULL with the reason in errbuf.  A NUL
 * byte is refused: no destination takes one in a name, and cut there
 * the name would be another.
 */
static char *
decode(const char *p, size_t len, char *errbuf)
{
	struct fd_buf b = FD_BUF_INIT;
	char n[FD_DIAG_NAMESZ];

	if (fd_jscan_string(p, len, &b, errbuf) == -1) {
		fd_buf_free(&b);
		return NULL;
	}
	if (b.len > 0 && memchr(b.data, '\0', b.len) != NULL) {
		fd_diag_set(errbuf, "name %s: a NUL byte cannot be in a table "
		    "or column name", fd_diag_name(n, sizeof(n), b.data,
		    b.len));
		fd_buf_free(&b);
		return NULL;
	}
	return fd_buf_take(&b);
}

/*
 * A column whose values the destination's column of that name does not
 * take (an earlier run made it bigint, this one's first value was a
 * string) goes to its variant column "<name>__v_<type>", as
 * fd-normalize does within a run; then the table is told again.
 */
static int
variants(struct table *t, char *errbuf)
{
	struct fd_buf b = FD_BUF_INIT;
	size_t i, k;
	int again = 0;

	for (i = 0; i < t->ncols; i++) {
		struct column *c = &t->cols[i];
		if (c->accepts == 0 || (c->accepts & FD_COL_BIT(c->type)))
			continue;
		fd_buf_reset(&b);
		fd_buf_printf(&b, "%s__v_%s", c->name, fd_coltype_name(c->type));
		for (k = 0; k < t->ncols; k++)
			if (strcmp(t->cols[k].name, b.data) == 0) {
				fd_buf_free(&b);
				return fd_diag_set(errbuf, "table %s: column %s: "
				    "its type is not the destination's, and "
				    "its variant is taken", showname(t->name),
				    showname(c->name));
			}
		remark("table %s: column %s: the destination's column "
		    "takes no %s: into %s", showname(t->name),
		    showname(c->name), fd_coltype_noun(c->type),
		    showname(b.data));
		free(c->name);
		c->name = fd_buf_take(&b);
		c->accepts = 0;
		again = 1;
	}
	fd_buf_free(&b);
	if (again)
		ops->table(dst, t);
	return 0;
}

/* Frees a table's root and key names. */
static void
free_names(char *root, char **keys, size_t nkeys)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	free(root);
}

/* Whether a SCHEMA of t with these would leave t as it is: no new
 * column among the properties (plen bytes at props), the same keys. */
static int
same_table(const struct table *t, enum disposition disp, int child,
    const char *root, char **keys, size_t nkeys, const char *props,
    size_t plen)
{
	struct fd_jscan js;
	struct fd_jtok k, v;
	const char *vp;
	size_t vl, i;

	if (t->disp != disp || t->child != child || t->nkeys != nkeys ||
	    strcmp(t->root, root) != 0)
		return 0;
	for (i = 0; i < nkeys; i++)
		if (strcmp(t->keys[i], keys[i]) != 0)
			return 0;
	fd_jscan_init(&js, props, plen);
	fd_jscan_next(&js, &k);
	while (fd_jscan_member(&js, &k, &v, &vp, &vl) == 1) {
		/* an escaped name is decoded by the slow path */
		if ((k.flags & FD_JTOK_ESCAPED) || (k.len - 2 > 0 &&
		    fd_map_get(t->colidx, k.p + 1, k.len - 2) == NULL &&
		    !(k.len - 2 == 11 && memcmp(k.p + 1, "_fd_load_id", 11) == 0)))
			return 0;
	}
	return 1;
}

const char *
disp_name(enum disposition disp)
{
	static const char *const names[] = { "append", "merge", "replace" };

	return names[disp];
}

int
disp_parse(const char *name, size_t len)
{
	int d;

	for (d = DISP_APPEND; d <= DISP_REPLACE; d++)
		if (strlen(disp_name(d)) == len &&
		    memcmp(disp_name(d), name, len) == 0)
			return d;
	return -1;
}

/* A SCHEMA: the table made or widened (columns never narrowed). */
static int
schema(const struct fd_singer_msg *m, const char *name, char *errbuf)
{
	struct table *t;
	struct fd_jscan js;
	struct fd_jtok k, v;
	const char *props, *vp, *x;
	size_t plen, vl, xl, i, nkeys = 0;
	char *col, *root = NULL, **keys = NULL;
	enum disposition disp;
	int child = 0, dp;

	/* x-fd: disposition, root, kind */
	disp = DISP_APPEND;
	if (m->xfd.kind == FD_JTOK_OBJECT) {
		if (fd_jscan_field(m->xfd.p, m->xfd.len, "root", &x, &xl,
		    errbuf) == 0 && *x == '"')
			root = decode(x, xl, errbuf);
		if (fd_jscan_field(m->xfd.p, m->xfd.len, "table_kind", &x, &xl,
		    errbuf) == 0 && xl == 7 && memcmp(x, "\"child\"", 7) == 0)
			child = 1;
		if (fd_jscan_field(m->xfd.p, m->xfd.len, "disposition", &x,
		    &xl, errbuf) == 0) {
			if (*x == '"' && (dp = disp_parse(x + 1, xl - 2)) != -1)
				disp = dp;
		}
	} else if (m->keys.len > 2)
		disp = DISP_MERGE;
	if (root == NULL && (root = strdup(name)) == NULL)
		err(1, NULL);
	if (mode != NULL)
		disp = disp_parse(mode, strlen(mode));
	/* key_properties */
	fd_jscan_init(&js, m->keys.p, m->keys.len);
	fd_jscan_next(&js, &k);
	while (fd_jscan_next(&js, &k) == FD_JTOK_STRING) {
		keys = reallocarray(keys, nkeys + 1, sizeof(*keys));
		if (keys == NULL ||
		    (keys[nkeys] = decode(k.p, k.len, errbuf)) == NULL)
			err(1, NULL);
		nkeys++;
	}
	if (disp == DISP_MERGE && !child && nkeys == 0)
		disp = DISP_APPEND;
	if (fd_jscan_field(m->schema.p, m->schema.len, "properties", &props,
	    &plen, errbuf) != 0 || *props != '{') {
		free_names(root, keys, nkeys);
		return fd_diag_set(errbuf, "SCHEMA without properties");
	}
	/*
	 * The same SCHEMA again (fd-normalize repeats them): nothing to do.
	 * Else the destination must be done with t first (it may be
	 * sending t's rows in the background).
	 */
	if ((t = fd_map_get(tables, name, strlen(name))) != NULL &&
	    same_table(t, disp, child, root, keys, nkeys, props, plen)) {
		free_names(root, keys, nkeys);
		return 0;
	}
	if (ops->settle != NULL)
		report(ops->settle(dst, 0));
	if (t == NULL) {
		t = xcalloc(1, sizeof(*t));
		if ((t->name = strdup(name)) == NULL ||
		    (t->colidx = fd_map_new()) == NULL ||
		    fd_map_put(tables, name, strlen(name), t) == -1)
			err(1, NULL);
	}
	free_names(t->root, t->keys, t->nkeys);
	t->root = root;
	t->child = child;
	t->disp = disp;
	t->keys = keys;
	t->nkeys = nkeys;
	/* properties: new columns appended */
	if (fd_jscan_field(m->schema.p, m->schema.len, "properties", &props,
	    &plen, errbuf) != 0 || *props != '{')
		return fd_diag_set(errbuf, "SCHEMA without properties");
	fd_jscan_init(&js, props, plen);
	fd_jscan_next(&js, &k);
	while (fd_jscan_member(&js, &k, &v, &vp, &vl) == 1) {
		if ((col = decode(k.p, k.len, errbuf)) == NULL)
			return -1;
		if (*col == '\0' || strcmp(col, "_fd_load_id") == 0) {
			free(col);
			continue;
		}
		if (fd_map_get(t->colidx, col, strlen(col)) != NULL) {
			free(col);
			continue;
		}
		t->cols = reallocarray(t->cols, t->ncols + 1,
		    sizeof(*t->cols));
		if (t->cols == NULL)
			err(1, NULL);
		t->cols[t->ncols].name = col;
		t->cols[t->ncols].type = v.kind == FD_JTOK_OBJECT ?
		    fd_coltype_of_schema(vp, vl) : FD_COL_JSON;
		t->cols[t->ncols].accepts = 0;
		t->ncols++;
		if (fd_map_put(t->colidx, col, strlen(col),
		    (void *)t->ncols) == -1)
			err(1, NULL);
	}
	if ((t->vals = reallocarray(t->vals, t->ncols + 1,
	    sizeof(*t->vals))) == NULL ||
	    (t->keyidx = reallocarray(t->keyidx, t->nkeys + 1,
	    sizeof(*t->keyidx))) == NULL)
		err(1, NULL);
	for (i = 0; i < t->nkeys; i++)
		t->keyidx[i] = (size_t)fd_map_get(t->colidx, t->keys[i],
		    strlen(t->keys[i])) - 1;
	ops->table(dst, t);
	if (variants(t, errbuf) == -1)
		return -1;
	return 0;
}

/* The progress line on a terminal: tables, rows, rows/s (at most five
 * times a second unless forced). */
static void
progress(int force)
{
	double t = now();

	if (!progressflag || (!force && t - shown < 0.2))
		return;
	shown = t;
	fprintf(stderr, "\r\033[Kfd-load: %zu tables, %lld rows",
	    fd_map_len(tables), rows);
	if (t - started >= 1)
		fprintf(stderr, ", %.0f rows/s", rows / (t - started));
	fputc('\r', stderr);
}

/*
 * Commits what was written with the state value (JSON text, or NULL
 * for data only, or the STATE held); then, for the state the
 * destination says is durable (this one or, when it commits in the
 * background, an earlier one), replaces the state file and prints the
 * state.  A STATE sooner than COMMIT_GAP after the last commit (a load
 * from a file, not from the API) is held instead, when the destination
 * can hold one: each commit costs a sync and the statements and round
 * trips of its batch, more than a page's rows.
 */
static void
commit(const char *value, int final)
{
	const char *done;

	if (!final && value != NULL && ops->hold != NULL &&
	    now() - last_commit < COMMIT_GAP) {
		/* rows count towards --batch-rows until they are committed */
		holding = 1;
		report(ops->hold(dst, value));
		return;
	}
	ops->commit(dst, value, final, &done);
	last_commit = now();
	holding = 0;
	pending = 0;
	report(done);
}

/*
 * The input pauses after a STATE: what the destination holds, or
 * commits in the background, is made durable and reported now.
 */
static void
idle(void)
{
	settle_due = 0;
	if (holding)
		commit(NULL, 0);
	if (ops->settle != NULL)
		report(ops->settle(dst, 0));
}

/* The state file replaced by, and --emit-state of, a durable state. */
static void
report(const char *done)
{
	char why[FD_ERRSZ];
	size_t len;
	jv v;

	if (done == NULL)
		return;
	len = strlen(done);
	if (statefile != NULL) {
		if (fd_json_parse(done, len, &v, why) == -1)
			errx(1, "state: %s", why);
		if (fd_state_write(statefile, v, why) == -1)
			errx(1, "%s", why);
	}
	if (emitflag) {
		fwrite(done, 1, len, stdout);
		putchar('\n');
		if (fflush(stdout) == EOF)
			err(1, "<stdout>");
	}
	if (vflag)
		warnx("committed %lld rows", rows);
}

/*
 * A STATE: data and state committed together.  A coarse destination
 * (files) holds it until enough rows wait, so that a commit makes
 * files of a useful size.
 */
static void
state(const struct fd_singer_msg *m)
{
	free(held);
	if ((held = strndup(m->value.p, m->value.len)) == NULL)
		err(1, NULL);
	if (ops->coarse && pending < batch_rows)
		return;
	commit(held, 0);
	settle_due = 1;
	free(held);
	held = NULL;
}

static int
line(const char *p, size_t len, char *errbuf)
{
	struct fd_singer_msg m;
	struct table *t;
	char *name, *ver;
	int rc;

	/* row_split validates the record */
	if (fd_singer_scan(p, len, FD_SINGER_RECORD_UNCHECKED, &m,
	    errbuf) == -1)
		return -1;
	/* a "record" member of another message is validated here */
	if (m.type != FD_SINGER_RECORD && m.record.p != NULL &&
	    fd_jscan_validate(m.record.p, m.record.len, errbuf) == -1)
		return fd_diag_prefix(errbuf, "record");
	switch (m.type) {
	case FD_SINGER_SCHEMA:
		if ((name = decode(m.stream.p, m.stream.len, errbuf)) == NULL)
			return -1;
		rc = schema(&m, name, errbuf);
		free(name);
		return rc;
	case FD_SINGER_RECORD:
		if ((name = decode(m.stream.p, m.stream.len, errbuf)) == NULL)
			return -1;
		t = fd_map_get(tables, name, strlen(name));
		if (t == NULL) {
			fd_diag_set(errbuf, "table %s: RECORD before its "
			    "SCHEMA", showname(name));
			free(name);
			return -1;
		}
		free(name);
		if (t->disp == DISP_REPLACE && m.version.p != NULL) {
			/* a new version of the chain: staging starts over */
			ver = fd_map_get(versions, t->root, strlen(t->root));
			if (ver == NULL || strlen(ver) != m.version.len ||
			    memcmp(ver, m.version.p, m.version.len) != 0) {
				struct table *r = fd_map_get(tables, t->root,
				    strlen(t->root));
				if (r != NULL)
					ops->unstage(dst, r);
				free(ver);
				ver = strndup(m.version.p, m.version.len);
				fd_map_put(versions, t->root, strlen(t->root),
				    ver);
			}
		}
		/* --batch-rows: a commit before a root row, never between a
		 * record's rows (a merge replaces a record whole) */
		if (pending >= batch_rows && !ops->coarse && !t->child)
			commit(NULL, 0);
		*errbuf = '\0';
		if (row_split(t, m.record.p, m.record.len, &scratch,
		    errbuf) == -1)
			return fd_diag_prefix(errbuf, "table %s",
			    showname(t->name));
		if (TABLE_MERGES(t) && !row_has_keys(t))
			return fd_diag_set(errbuf, "table %s: a merge row "
			    "without its key", showname(t->name));
		if (ops->row(dst, t, errbuf) == -1)
			return fd_diag_prefix(errbuf, "table %s",
			    showname(t->name));
		if ((++rows & 1023) == 0)
			progress(0);
		/* a coarse destination commits at a STATE only: its files
		 * never hold rows that the state does not cover */
		pending++;
		settle_due = 0;
		return 0;
	case FD_SINGER_STATE:
		state(&m);
		return 0;
	case FD_SINGER_ACTIVATE_VERSION:
		if ((name = decode(m.stream.p, m.stream.len, errbuf)) == NULL)
			return -1;
		t = fd_map_get(tables, name, strlen(name));
		free(name);
		if (t != NULL && t->disp == DISP_REPLACE)
			ops->activate(dst, t);
		return 0;
	default:
		if (!warned_unknown)
			remark("ignoring lines that are not Singer messages "
			    "(the first: line %.*s...)", 40, p);
		warned_unknown = 1;
		return 0;
	}
}

static void
input(FILE *fp, const char *fname)
{
	char errbuf[FD_ERRSZ];
	struct fd_lines *r;
	const char *p;
	size_t len;
	int rc;

	if ((r = fd_lines_open(fp, fname)) == NULL)
		err(1, NULL);
	for (;;) {
		if (settle_due && !fd_lines_wait(r, IDLE_MS))
			idle();
		if ((rc = fd_lines_next(r, &p, &len)) != 1)
			break;
		if (strspn(p, " \t\r") == len)
			continue;
		if (line(p, len, errbuf) == -1) {
			/* what was committed before is told, then the error */
			if (ops->settle != NULL)
				report(ops->settle(dst, 1));
			errx(1, "%s:%llu: %s", fname, fd_lines_lineno(r),
			    errbuf);
		}
	}
	if (rc == -1)
		err(1, "%s", fname);
	fd_lines_close(r);
}

/* The destination's driver and what follows its scheme. */
static const char *
target(const char *to, const struct dest_ops **o)
{
	static const struct dest_ops *const all[] = { &sqlite_ops,
	    &pg_ops, &csv_ops, &jsonl_ops };
	size_t i, n;

	if (strncmp(to, "postgres://", 11) == 0 ||
	    strncmp(to, "postgresql://", 13) == 0) {
		*o = &pg_ops;
		return to;
	}
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		n = strlen(all[i]->scheme);
		if (strncmp(to, all[i]->scheme, n) == 0 && to[n] == ':' &&
		    all[i] != &pg_ops) {
			*o = all[i];
			if (to[n + 1] == '\0')
				errx(FD_EXIT_USAGE, "-t %s: no path", to);
			return to + n + 1;
		}
	}
	/* never the whole argument: it may hold a password */
	errx(FD_EXIT_USAGE, "-t: unknown destination %.*s: expected "
	    "sqlite:PATH, postgresql://..., csv:DIR or jsonl:DIR",
	    (int)strcspn(to, ":"), to);
}

static void
run(int argc, char *argv[])
{
	struct fd_lock *slock = NULL;
	struct timeval tv;
	struct table *t;
	char why[FD_ERRSZ], load_id[32];
	const char *where;
	size_t i, k;
	char *v;

	where = target(dest, &ops);
	if (statefile != NULL && (slock = fd_state_lock(statefile, why)) ==
	    NULL)
		errx(FD_EXIT_FAIL, "%s", why);
	gettimeofday(&tv, NULL);
	snprintf(load_id, sizeof(load_id), "%lld.%06ld",
	    (long long)tv.tv_sec, (long)tv.tv_usec);
	if ((tables = fd_map_new()) == NULL ||
	    (versions = fd_map_new()) == NULL)
		err(1, NULL);
	dst = ops->open(where, load_id);
	progressflag = !qflag && !vflag && isatty(STDERR_FILENO);
	started = now();

	if (argc == 0)
		input(stdin, "<stdin>");
	for (; argc > 0; argc--, argv++) {
		FILE *fp;
		if ((fp = fopen(*argv, "r")) == NULL)
			err(FD_EXIT_FAIL, "%s", *argv);
		input(fp, *argv);
		fclose(fp);
	}
	/* what a coarse destination held back, and rows after the last
	 * STATE (a stream without STATE messages) */
	commit(held, 1);
	free(held);
	ops->close(dst, rows);
	if (progressflag) {
		progress(1);
		fputc('\n', stderr);
	}
	if (vflag)
		warnx("%lld rows loaded", rows);

	for (i = 0; fd_map_at(tables, i, (void **)&t) != NULL; i++) {
		for (k = 0; k < t->ncols; k++)
			free(t->cols[k].name);
		for (k = 0; k < t->nkeys; k++)
			free(t->keys[k]);
		free(t->cols);
		free(t->keys);
		free(t->keyidx);
		free(t->vals);
		fd_map_free(t->colidx);
		free(t->root);
		free(t->name);
		free(t);
	}
	for (i = 0; fd_map_at(versions, i, (void **)&v) != NULL; i++)
		free(v);
	fd_map_free(tables);
	fd_map_free(versions);
	fd_buf_free(&scratch);
	fd_state_unlock(slock);
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
			if (disp_parse(optarg, strlen(optarg)) == -1)
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

	run(argc, argv);
	return FD_EXIT_OK;
}
