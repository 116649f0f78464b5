/*
 * fd-load: write a normalized stream into SQLite, PostgreSQL or
 * warehouse files, committing data and state together (DESIGN.md
 * section 5).
 *
 * This file: options, the input, the messages, and when to commit
 * data and state together.  The destinations are behind struct
 * dest_ops (extern.h).  The run is one struct loader, made by main()
 * and passed down.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "diag.h"
#include "isotime.h"
#include "jscan.h"
#include "json.h"
#include "lines.h"
#include "map.h"
#include "progress.h"
#include "ranges.h"
#include "singer.h"
#include "state.h"
#include "tool.h"
#include "extern.h"

/* --batch-rows: its default and its largest value. */
#define BATCH_ROWS	200000
#define BATCH_ROWS_MAX	100000000

/* How long the input may pause after a STATE before what the
 * destination holds or commits in the background is reported durable
 * (milliseconds): the state file does not lag while fd-fetch waits on
 * the rate limit. */
#define IDLE_MS		500

/* The progress line: looked at every PROGRESS_ROWS rows, redrawn as
 * often as progress.h allows; rows/s once the run is older than
 * PROGRESS_RATE_AFTER seconds. */
#define PROGRESS_ROWS		1024
#define PROGRESS_RATE_AFTER	1

/* The bytes of the first line that is not a Singer message that its
 * warning shows. */
#define UNKNOWN_SHOWN	40

/* A load id, "seconds.microseconds", with its NUL. */
#define LOAD_ID_SZ	32

/*
 * The run: the options, the destination, the tables the stream
 * described, and what waits for a commit.  main() fills the options;
 * run() owns the rest, from the destination's open to its close.
 */
struct loader {
	/* the options */
	int		 qflag;		/* -q (remark reads quiet) */
	int		 vflag;		/* -v */
	int		 emitflag;	/* --emit-state */
	long long	 batch_rows;	/* --batch-rows */
	const char	*to;		/* -t */
	const char	*statefile;	/* -s, or NULL */
	const char	*mode;		/* --mode, or NULL (the SCHEMA's) */
	int		 hardflag;	/* --hard-delete */

	/* the destination */
	const struct dest_ops *ops;
	struct dest	*dst;

	/* the stream */
	struct fd_map	*tables;	/* stream -> struct table */
	struct fd_map	*versions;	/* replace root -> its version */
	struct fd_map	*activated;	/* replace root -> the version its
					 * last ACTIVATE_VERSION made live, or
					 * NULL: rows staged since */
	struct fd_buf	 scratch;	/* row_split's */
	int		 warned_unknown;
	struct fd_map	*idsets;	/* stream -> struct idopen (or NULL) */
	int		 nsets;		/* sets begun: their numbers */

	/* commits */
	long long	 rows;		/* rows written */
	long long	 pending;	/* rows not committed (--batch-rows) */
	char		*held;		/* coarse: the STATE not committed */
	int		 holding;	/* the destination holds a STATE */
	double		 last_commit;	/* when commit() last committed (now()) */
	int		 settle_due;	/* the last line was a STATE given to it */
	int		 begun;		/* a line came: dest_ops.begin called */

	/* the progress line (fd.7, PROGRESS), or NULL: none (not a
	 * terminal, -q, -v); drawn only while drawing is set */
	struct fd_progress *line;
	int		 drawing;
	double		 started;
};

/* -q, for remark(): the one run-wide setting (extern.h), set once by
 * main() from the loader's qflag before the run. */
static int	quiet;

/*
 * A reconcile set (the fd_ids of STATE messages) whose final part has
 * not come: its parts' ids wait in the destination (dest_ops.ids).
 */
struct idopen {
	char		*set;		/* its "set" */
	int64_t		 last;		/* the highest id of its parts, or 0 */
	int		 num;		/* the destination's number of it */
	long long	 parts;		/* the parts seen, 1, 2, ... */
	int		 broken;	/* a part missing: never applied */
};

enum { OPT_MODE = CHAR_MAX + 1, OPT_BATCH_ROWS, OPT_EMIT_STATE,
	OPT_HARD_DELETE };

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
	{ "hard-delete", no_argument,		NULL,	OPT_HARD_DELETE },
	{ NULL,		0,			NULL,	0 }
};

/*
 * What a SCHEMA says of its table besides the columns: from x-fd and
 * key_properties, with --mode applied.  The names are the shape's
 * until a table takes them (shape_free frees what is left).
 */
struct shape {
	char		*root;
	int		 child;
	int		 normalized;
	enum disposition disp;
	char		**keys;
	size_t		 nkeys;
};

static void	report(struct loader *, const char *);

void
remark(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
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
	char n[FD_DIAG_NAMESZ], *s;

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
	if ((s = fd_buf_take(&b)) == NULL)
		err(FD_EXIT_FAIL, NULL);
	return s;
}

/* Whether the JSON text p (len bytes) is the string s, unescaped. */
static int
is_string(const char *p, size_t len, const char *s)
{
	size_t n = strlen(s);

	return len == n + 2 && p[0] == '"' && memcmp(p + 1, s, n) == 0 &&
	    p[n + 1] == '"';
}

/*
 * A column whose values the destination's column of that name does not
 * take (a raw stream's later SCHEMA widened it: integers, then numbers;
 * dest_name placed the others) goes to its variant column
 * "<name>__v_<type>", as fd-normalize does within a run; then the
 * table is told again.
 */
static int
variants(struct loader *l, struct table *t, char *errbuf)
{
	struct fd_buf b = FD_BUF_INIT;
	const char *vname;
	size_t i, k;
	int again = 0;

	for (i = 0; i < t->ncols; i++) {
		struct column *c = &t->cols[i];
		if (c->accepts == 0 || (c->accepts & FD_COL_BIT(c->type)))
			continue;
		fd_buf_reset(&b);
		fd_buf_printf(&b, "%s__v_%s", c->name, fd_coltype_name(c->type));
		vname = xbuf(&b);
		for (k = 0; k < t->ncols; k++)
			if (strcmp(t->cols[k].name, vname) == 0) {
				fd_buf_free(&b);
				return fd_diag_set(errbuf, "table %s: column %s: "
				    "its type is not the destination's, and "
				    "its variant is taken", showname(t->name),
				    showname(c->name));
			}
		remark("table %s: column %s: the destination's column "
		    "takes no %s: into %s", showname(t->name),
		    showname(c->name), fd_coltype_noun(c->type),
		    showname(vname));
		free(c->name);
		if ((c->name = fd_buf_take(&b)) == NULL)
			err(FD_EXIT_FAIL, NULL);
		c->accepts = 0;
		again = 1;
	}
	fd_buf_free(&b);
	if (again)
		l->ops->table(l->dst, t);
	return 0;
}

/* Frees what a table did not take of the shape. */
static void
shape_free(struct shape *s)
{
	size_t i;

	for (i = 0; i < s->nkeys; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->root);
}

/*
 * The SCHEMA's x-fd (disposition, root, table_kind; a name that does
 * not decode is no root) into s, then --mode over the disposition.
 * Without x-fd, a table with key_properties merges.
 */
static void
read_xfd(const struct fd_singer_msg *m, const char *name, const char *mode,
    struct shape *s, char *errbuf)
{
	const char *x;
	size_t xl;
	int dp;

	s->disp = DISP_APPEND;
	if (m->xfd.kind == FD_JTOK_OBJECT) {
		if (fd_jscan_field(m->xfd.p, m->xfd.len, "root", &x, &xl,
		    errbuf) == 0 && *x == '"')
			s->root = decode(x, xl, errbuf);
		if (fd_jscan_field(m->xfd.p, m->xfd.len, "table_kind", &x, &xl,
		    errbuf) == 0) {
			s->normalized = 1;
			s->child = is_string(x, xl, "child");
		}
		if (fd_jscan_field(m->xfd.p, m->xfd.len, "disposition", &x,
		    &xl, errbuf) == 0 && *x == '"' &&
		    (dp = disp_parse(x + 1, xl - 2)) != -1)
			s->disp = dp;
	} else if (m->keys.len > sizeof("[]") - 1)
		s->disp = DISP_MERGE;
	if (s->root == NULL)
		s->root = xstrdup(name);
	if (mode != NULL)
		s->disp = disp_parse(mode, strlen(mode));
}

/*
 * The SCHEMA's key_properties into s.  A merge needs a key: a root
 * without one appends.
 */
static void
read_keys(const struct fd_singer_msg *m, struct shape *s, char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok k;

	fd_jscan_init(&js, m->keys.p, m->keys.len);
	fd_jscan_next(&js, &k);
	while (fd_jscan_next(&js, &k) == FD_JTOK_STRING) {
		s->keys = xreallocarray(s->keys, s->nkeys + 1,
		    sizeof(*s->keys));
		/* XXX a key that does not decode dies with errno's text */
		if ((s->keys[s->nkeys] = decode(k.p, k.len, errbuf)) == NULL)
			err(FD_EXIT_FAIL, NULL);
		s->nkeys++;
	}
	if (s->disp == DISP_MERGE && !s->child && s->nkeys == 0)
		s->disp = DISP_APPEND;
}

/*
 * Whether JSON Schema property p (len bytes) types its values null and
 * nothing else ("type": "null" or ["null"], without x-fd-type): a raw
 * stream that has seen only nulls of a member.  Its column waits for a
 * SCHEMA that types it: made now, it would be json, and a later load's
 * integers or strings would go to a variant column.
 */
static int
untyped(const char *p, size_t len)
{
	const char *v;
	size_t vl;

	return fd_jscan_field(p, len, "x-fd-type", &v, &vl, NULL) != 0 &&
	    fd_coltype_json_types(p, len) == FD_JT_NULL;
}

/*
 * The type property p (len bytes) declares for column c of table t, if
 * t is of a raw stream and c does not take its values (fd-fetch widens
 * a SCHEMA when a page brings a new type of value: integers, then
 * numbers), else c's own: variants() then sends the values to a variant
 * column when the destination's column does not take them.
 * fd-normalize's SCHEMAs keep a column's type.
 */
static enum fd_coltype
widened(const struct table *t, const struct column *c, const char *p,
    size_t len)
{
	enum fd_coltype ty;

	if (t->normalized || fd_jscan_kind(p, len) != FD_JTOK_OBJECT)
		return c->type;
	ty = fd_coltype_of_schema(p, len);
	return type_holds(c->type, ty) ? c->type : ty;
}

/* Whether a SCHEMA of t with shape s would leave t as it is: the same
 * shape, no new column among the properties (plen bytes at props), and
 * no column widened. */
static int
same_table(const struct table *t, const struct shape *s, const char *props,
    size_t plen)
{
	struct fd_jscan js;
	struct fd_jtok k, v;
	const char *vp;
	size_t vl, i, idx;

	if (t->disp != s->disp || t->child != s->child ||
	    t->normalized != s->normalized ||
	    t->nkeys != s->nkeys || strcmp(t->root, s->root) != 0)
		return 0;
	for (i = 0; i < s->nkeys; i++)
		if (strcmp(t->keys[i], s->keys[i]) != 0)
			return 0;
	fd_jscan_init(&js, props, plen);
	fd_jscan_next(&js, &k);
	while (fd_jscan_member(&js, &k, &v, &vp, &vl) == 1) {
		/* an escaped name is decoded by the slow path */
		if ((k.flags & FD_JTOK_ESCAPED) || (k.len - 2 > 0 &&
		    fd_map_get(t->colidx, k.p + 1, k.len - 2) == NULL &&
		    !is_string(k.p, k.len, LOAD_ID_COLUMN) &&
		    (fd_map_get(t->untyped, k.p + 1, k.len - 2) == NULL ||
		    !untyped(vp, vl))))
			return 0;
		if (k.len - 2 > 0 && (idx = (size_t)fd_map_get(t->colidx,
		    k.p + 1, k.len - 2)) != 0 && widened(t, &t->cols[idx - 1],
		    vp, vl) != t->cols[idx - 1].type)
			return 0;
	}
	return 1;
}

/* Table name, new and empty, kept in l->tables. */
static struct table *
table_new(struct loader *l, const char *name)
{
	struct table *t;

	t = xcalloc(1, sizeof(*t));
	t->name = xstrdup(name);
	if ((t->colidx = fd_map_new()) == NULL ||
	    (t->untyped = fd_map_new()) == NULL ||
	    fd_map_put(l->tables, name, strlen(name), t) == -1)
		err(FD_EXIT_FAIL, NULL);
	return t;
}

/* t takes shape s's root and keys (s is left empty), its earlier ones
 * freed. */
static void
table_reshape(struct table *t, struct shape *s)
{
	struct shape old = { t->root, 0, 0, DISP_APPEND, t->keys, t->nkeys };

	shape_free(&old);
	t->root = s->root;
	t->child = s->child;
	t->normalized = s->normalized;
	t->disp = s->disp;
	t->keys = s->keys;
	t->nkeys = s->nkeys;
	memset(s, 0, sizeof(*s));
}

/* What the destination's column name takes (dcols: the destination's
 * columns, ops->columns), or 0: it has no such column. */
static unsigned
dest_takes(struct fd_map *dcols, const char *name, size_t len)
{
	return (unsigned)(uintptr_t)fd_map_get(dcols, name, len);
}

/*
 * The destination's name of a new column col of t, whose values are of
 * type ty (malloc'd): the destination's column that takes them (dcols,
 * as ops->columns gives them).  A variant "<base>__v_<type>" goes to
 * its base column when that takes ty (an earlier run made the column
 * with this type: the order the values came in this run does not split
 * them); a column the destination has but that does not take ty goes to
 * its variant "<col>__v_<ty>", with a remark; else col itself.
 */
static char *
dest_name(const struct table *t, const char *col, enum fd_coltype ty,
    struct fd_map *dcols)
{
	struct fd_buf b = FD_BUF_INIT;
	const char *v, *p;
	unsigned takes;
	char *s;

	for (v = NULL, p = col; (p = strstr(p, "__v_")) != NULL; p++)
		v = p;
	if (v != NULL && v > col && fd_coltype_parse(v + 4,
	    strlen(v + 4)) != -1 && (dest_takes(dcols, col, v - col) &
	    FD_COL_BIT(ty)))
		return xstrndup(col, v - col);
	takes = dest_takes(dcols, col, strlen(col));
	if (takes == 0 || (takes & FD_COL_BIT(ty)))
		return xstrdup(col);
	fd_buf_printf(&b, "%s__v_%s", col, fd_coltype_name(ty));
	remark("table %s: column %s: the destination's column takes no %s: "
	    "into %s", showname(t->name), showname(col), fd_coltype_noun(ty),
	    showname(xbuf(&b)));
	if ((s = fd_buf_take(&b)) == NULL)
		err(FD_EXIT_FAIL, NULL);
	return s;
}

/* The index of t's column that the destination calls name, or
 * (size_t)-1. */
static size_t
column_named(const struct table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return i;
	return (size_t)-1;
}

/*
 * The properties (plen bytes at props, a JSON object) that t has no
 * column of yet become its columns, in their order, each under the
 * name dest_name gives it (dcols: the destination's columns); one that
 * goes to a column t has already (a variant and its base, both to the
 * base) shares it, typed with the wider of the two types.  Then t->vals
 * has room for a row.  The load id's column is the destination's own.
 * Returns 0, or -1 with errbuf (a name that does not decode; two
 * properties of types neither of which holds the other, for one
 * column).
 */
static int
add_columns(struct table *t, const char *props, size_t plen,
    struct fd_map *dcols, char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok k, v;
	struct column *c;
	enum fd_coltype ty;
	const char *vp;
	size_t vl, idx;
	char *col, *dname;

	fd_jscan_init(&js, props, plen);
	fd_jscan_next(&js, &k);
	while (fd_jscan_member(&js, &k, &v, &vp, &vl) == 1) {
		if ((col = decode(k.p, k.len, errbuf)) == NULL)
			return -1;
		if ((idx = (size_t)fd_map_get(t->colidx, col,
		    strlen(col))) != 0) {
			c = &t->cols[idx - 1];
			c->type = widened(t, c, vp, vl);
			free(col);
			continue;
		}
		if (*col == '\0' || strcmp(col, LOAD_ID_COLUMN) == 0) {
			free(col);
			continue;
		}
		/* a property typed null waits for its type */
		if (untyped(vp, vl)) {
			if (fd_map_put(t->untyped, col, strlen(col), t) == -1)
				err(FD_EXIT_FAIL, NULL);
			free(col);
			continue;
		}
		if (fd_map_get(t->untyped, col, strlen(col)) != NULL &&
		    fd_map_put(t->untyped, col, strlen(col), NULL) == -1)
			err(FD_EXIT_FAIL, NULL);
		ty = v.kind == FD_JTOK_OBJECT ? fd_coltype_of_schema(vp, vl) :
		    FD_COL_JSON;
		dname = dest_name(t, col, ty, dcols);
		if ((idx = column_named(t, dname)) != (size_t)-1) {
			/* a record fills one of them (row_split) */
			c = &t->cols[idx];
			if (!type_holds(c->type, ty) && !type_holds(ty, c->type)) {
				fd_diag_set(errbuf, "table %s: column %s: "
				    "its type is not the destination's, and "
				    "its variant is taken", showname(t->name),
				    showname(col));
				free(dname);
				free(col);
				return -1;
			}
			if (!type_holds(c->type, ty))
				c->type = ty;
			free(dname);
		} else {
			t->cols = xreallocarray(t->cols, t->ncols + 1,
			    sizeof(*t->cols));
			idx = t->ncols++;
			c = &t->cols[idx];
			c->name = dname;
			c->type = ty;
			c->accepts = 0;
		}
		if (fd_map_put(t->colidx, col, strlen(col),
		    (void *)(idx + 1)) == -1)
			err(FD_EXIT_FAIL, NULL);
		free(col);
	}
	t->vals = xreallocarray(t->vals, t->ncols + 1, sizeof(*t->vals));
	return 0;
}

/* Each key's column index in t->keyidx ((size_t)-1: no such column). */
static void
index_keys(struct table *t)
{
	size_t i;

	t->keyidx = xreallocarray(t->keyidx, t->nkeys + 1,
	    sizeof(*t->keyidx));
	for (i = 0; i < t->nkeys; i++)
		t->keyidx[i] = (size_t)fd_map_get(t->colidx, t->keys[i],
		    strlen(t->keys[i])) - 1;
}

/* A SCHEMA of table name: the table made or widened (columns never
 * narrowed), and the destination told. */
static int
schema(struct loader *l, const struct fd_singer_msg *m, const char *name,
    char *errbuf)
{
	struct shape s = { NULL, 0, 0, DISP_APPEND, NULL, 0 };
	struct fd_map *dcols;
	struct table *t;
	const char *props;
	size_t plen;
	int rc;

	read_xfd(m, name, l->mode, &s, errbuf);
	read_keys(m, &s, errbuf);
	if (fd_jscan_field(m->schema.p, m->schema.len, "properties", &props,
	    &plen, errbuf) != 0 || *props != '{') {
		shape_free(&s);
		return fd_diag_set(errbuf, "SCHEMA without properties");
	}
	/*
	 * The same SCHEMA again (fd-normalize repeats them): nothing to do.
	 * Else the destination must be done with t first (it may be
	 * sending t's rows in the background).
	 */
	if ((t = fd_map_get(l->tables, name, strlen(name))) != NULL &&
	    same_table(t, &s, props, plen)) {
		shape_free(&s);
		return 0;
	}
	if (l->ops->settle != NULL)
		report(l, l->ops->settle(l->dst, 0));
	if (t == NULL)
		t = table_new(l, name);
	table_reshape(t, &s);
	if ((dcols = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	l->ops->columns(l->dst, name, dcols);
	rc = add_columns(t, props, plen, dcols, errbuf);
	fd_map_free(dcols);
	if (rc == -1)
		return -1;
	index_keys(t);
	l->ops->table(l->dst, t);
	return variants(l, t, errbuf);
}

/*
 * The progress line: tables, rows, rows/s, and what is being done
 * (what, or NULL), redrawn when one is due (or now with force) while
 * l->drawing is set.  With end, drawn a last time and left as the
 * load's summary.
 */
static void
progress(struct loader *l, int force, const char *what, int end)
{
	struct fd_buf b = FD_BUF_INIT;
	double t = now();

	if (!l->drawing || !fd_progress_due(l->line, force || end))
		return;
	fd_buf_printf(&b, "fd-load: %zu tables, %lld rows",
	    fd_map_len(l->tables), l->rows);
	if (t - l->started >= PROGRESS_RATE_AFTER)
		fd_buf_printf(&b, ", %.0f rows/s", l->rows / (t - l->started));
	if (what != NULL)
		fd_buf_printf(&b, ", %s", what);
	if (end) {
		fd_progress_end(l->line, xbuf(&b));
		l->line = NULL;
	} else
		fd_progress_draw(l->line, xbuf(&b));
	fd_buf_free(&b);
}

/*
 * Whether the line is drawn while fp is read: when it is a file or a
 * terminal, not a pipe, FIFO or socket, whose writer (fd-normalize,
 * after fd-fetch) may have a line of its own on the terminal.  Once
 * the input has ended, it is drawn whatever it was (fd.7, PROGRESS).
 */
static int
draws_reading(const struct loader *l, FILE *fp)
{
	struct stat st;

	if (l->line == NULL || fstat(fileno(fp), &st) == -1)
		return 0;
	return S_ISREG(st.st_mode) || isatty(fileno(fp));
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
commit(struct loader *l, const char *value, int final)
{
	const char *done;
	double last = l->last_commit, rel;

	/* the destination's own commits of a held STATE count too */
	if (l->ops->released != NULL &&
	    (rel = l->ops->released(l->dst)) > last)
		last = rel;
	if (!final && value != NULL && l->ops->hold != NULL &&
	    now() - last < COMMIT_GAP) {
		/* rows count towards --batch-rows until they are committed */
		l->holding = 1;
		report(l, l->ops->hold(l->dst, value));
		return;
	}
	l->ops->commit(l->dst, value, final, &done);
	l->last_commit = now();
	l->holding = 0;
	l->pending = 0;
	report(l, done);
}

/*
 * The input pauses after a STATE: what the destination holds, or
 * commits in the background, is made durable and reported now.
 */
static void
idle(struct loader *l)
{
	l->settle_due = 0;
	if (l->holding)
		commit(l, NULL, 0);
	if (l->ops->settle != NULL)
		report(l, l->ops->settle(l->dst, 0));
}

/* The state file replaced by, and --emit-state of, a durable state. */
static void
report(struct loader *l, const char *done)
{
	char why[FD_ERRSZ];
	size_t len;
	jv v;

	if (done == NULL)
		return;
	len = strlen(done);
	if (l->statefile != NULL) {
		if (fd_json_parse(done, len, &v, why) == -1)
			errx(FD_EXIT_FAIL, "state: %s", why);
		if (fd_state_write(l->statefile, v, why) == -1)
			errx(FD_EXIT_FAIL, "%s", why);
	}
	if (l->emitflag) {
		fwrite(done, 1, len, stdout);
		putchar('\n');
		if (fflush(stdout) == EOF || ferror(stdout))
			err(FD_EXIT_FAIL, "<stdout>");
	}
	if (l->vflag)
		warnx("committed %lld rows", l->rows);
}

/*
 * The string member key of fd_ids object x (xl bytes), decoded into b
 * (emptied).  0, or -1 with errbuf: missing, not a string.
 */
static int
ids_member(const char *x, size_t xl, const char *key, struct fd_buf *b,
    char *errbuf)
{
	const char *v;
	size_t vl;

	fd_buf_reset(b);
	if (fd_jscan_field(x, xl, key, &v, &vl, errbuf) != 0 || *v != '"')
		return fd_diag_set(errbuf, "fd_ids: %s: a string expected",
		    key);
	if (fd_jscan_string(v, vl, b, errbuf) == -1)
		return fd_diag_prefix(errbuf, "fd_ids: %s", key);
	xbuf_check(b);
	return 0;
}

/* Forgets the open set of stream (len bytes), in the destination too. */
static void
ids_forget(struct loader *l, const char *stream, size_t len)
{
	struct idopen *o;

	if ((o = fd_map_get(l->idsets, stream, len)) == NULL)
		return;
	l->ops->drop(l->dst, o->num);
	if (fd_map_put(l->idsets, stream, len, NULL) == -1)
		err(FD_EXIT_FAIL, NULL);
	free(o->set);
	free(o);
}

/*
 * The fd_ids of a STATE (xl bytes at x), a part of its stream's set:
 * its ids go to the destination's set (a part of another set of the
 * stream first forgets the open one, unapplied).  When it is the final
 * part, *r is the reconcile to apply: r->table malloc'd, r->as_of in
 * asof (FD_ISOTIME_MAX bytes).  0, or -1 with errbuf: fd_ids
 * malformed, or its ids not ascending after the set's earlier parts.
 */
static int
ids_part(struct loader *l, const char *x, size_t xl, struct recon *r,
    char *asof, char *errbuf)
{
	struct fd_buf stream = FD_BUF_INIT, set = FD_BUF_INIT,
	    ids = FD_BUF_INIT, at = FD_BUF_INIT;
	struct idopen *o;
	struct table *t;
	const char *v, *text;
	size_t vl;
	int64_t first, last;
	long long part;
	int final, rc = -1;

	if (*x != '{') {
		fd_diag_set(errbuf, "fd_ids: an object expected");
		goto out;
	}
	if (ids_member(x, xl, "stream", &stream, errbuf) == -1 ||
	    ids_member(x, xl, "set", &set, errbuf) == -1 ||
	    ids_member(x, xl, "as_of", &at, errbuf) == -1 ||
	    ids_member(x, xl, "ids", &ids, errbuf) == -1)
		goto out;
	if (fd_jscan_field(x, xl, "final", &v, &vl, errbuf) != 0 ||
	    (*v != 't' && *v != 'f')) {
		fd_diag_set(errbuf, "fd_ids: final: true or false expected");
		goto out;
	}
	final = *v == 't';
	if (fd_jscan_field(x, xl, "part", &v, &vl, errbuf) != 0 ||
	    fd_jscan_kind(v, vl) != FD_JTOK_NUMBER ||
	    fd_jscan_int64(v, vl, &part) != 0 || part < 1) {
		fd_diag_set(errbuf, "fd_ids: part: a number from 1 expected");
		goto out;
	}
	if (stream.len == 0 || memchr(stream.data, '\0', stream.len) !=
	    NULL) {
		fd_diag_set(errbuf, "fd_ids: stream %s: not a table name",
		    fd_diag_name(asof, FD_ISOTIME_MAX, stream.data,
		    stream.len));
		goto out;
	}
	if (fd_isotime_utc(at.data, at.len, asof) == -1) {
		fd_diag_set(errbuf, "fd_ids: stream %s: as_of: not an ISO "
		    "8601 date-time", showname(stream.data));
		goto out;
	}
	/* "" (no ids) decodes to no text at all */
	text = ids.data != NULL ? ids.data : "";
	if (fd_ranges_check(text, ids.len, NULL, &first, &last,
	    errbuf) == -1) {
		fd_diag_prefix(errbuf, "fd_ids: stream %s: ids",
		    showname(stream.data));
		goto out;
	}
	if ((t = fd_map_get(l->tables, stream.data, stream.len)) != NULL &&
	    t->child) {
		fd_diag_set(errbuf, "fd_ids: table %s: a child table has no "
		    "id set", showname(stream.data));
		goto out;
	}
	o = fd_map_get(l->idsets, stream.data, stream.len);
	if (o != NULL && (strlen(o->set) != set.len ||
	    memcmp(o->set, set.data, set.len) != 0)) {
		/* the open set never got its final part */
		ids_forget(l, stream.data, stream.len);
		o = NULL;
	}
	if (o == NULL) {
		o = xcalloc(1, sizeof(*o));
		o->set = xstrndup(set.data, set.len);
		o->num = ++l->nsets;
		if (fd_map_put(l->idsets, stream.data, stream.len, o) == -1)
			err(FD_EXIT_FAIL, NULL);
	}
	/*
	 * A part after a gap (a stream taken up in the middle of a set, or
	 * a part lost): the set is incomplete, and applied it would mark
	 * live rows.  Its parts are passed over, and it is never applied.
	 */
	if (!o->broken && part != o->parts + 1) {
		o->broken = 1;
		remark("fd_ids: stream %s: set %s: part %lld without part %lld: "
		    "the set is not applied", showname(stream.data),
		    showname(o->set), (long long)part, o->parts + 1);
	}
	o->parts = part;
	if (o->broken) {
		if (final)
			ids_forget(l, stream.data, stream.len);
		rc = 0;
		goto out;
	}
	if (first != 0 && first <= o->last) {
		fd_diag_set(errbuf, "fd_ids: stream %s: set %s: part out of "
		    "order (id %lld after %lld)", showname(stream.data),
		    showname(o->set), (long long)first, (long long)o->last);
		goto out;
	}
	l->ops->ids(l->dst, o->num, text, ids.len);
	if (last != 0)
		o->last = last;
	if (final) {
		r->table = fd_buf_take(&stream);
		if (r->table == NULL)
			err(FD_EXIT_FAIL, NULL);
		r->t = t;
		r->set = o->num;
		r->as_of = asof;
		r->hard = l->hardflag;
		/* the destination forgets the set as it applies it */
		if (fd_map_put(l->idsets, r->table, strlen(r->table),
		    NULL) == -1)
			err(FD_EXIT_FAIL, NULL);
		free(o->set);
		free(o);
	}
	rc = 0;
out:
	fd_buf_free(&stream);
	fd_buf_free(&set);
	fd_buf_free(&ids);
	fd_buf_free(&at);
	return rc;
}

/* -v: what a reconcile did. */
static void
recon_report(struct loader *l, const struct recon *r)
{
	if (!l->vflag)
		return;
	if (!r->found)
		warnx("table %s: no such table: no rows to reconcile",
		    showname(r->table));
	else if (r->hard)
		warnx("table %s: %lld rows deleted, %lld cleared",
		    showname(r->table), r->deleted, r->cleared);
	else
		warnx("table %s: %lld rows marked deleted, %lld cleared",
		    showname(r->table), r->marked, r->cleared);
}

/*
 * A STATE (line, len bytes): data and state committed together.  A
 * coarse destination (files) holds it until enough rows wait, so that
 * a commit makes files of a useful size.  With the final part of an id
 * set (fd_ids) the set is applied first and the STATE committed at
 * once: the deletions and the state in one commit.  0, or -1 with
 * errbuf (fd_ids is bad; nothing of it applied).
 */
static int
state(struct loader *l, const struct fd_singer_msg *m, const char *line,
    size_t len, char *errbuf)
{
	struct recon r;
	char asof[FD_ISOTIME_MAX];
	const char *x;
	size_t xl;

	memset(&r, 0, sizeof(r));
	if (fd_jscan_field(line, len, "fd_ids", &x, &xl, errbuf) == 0 &&
	    ids_part(l, x, xl, &r, asof, errbuf) == -1)
		return -1;
	free(l->held);
	l->held = xstrndup(m->value.p, m->value.len);
	if (r.table != NULL) {
		if (l->ops->reconcile(l->dst, &r, errbuf) == -1) {
			free((char *)r.table);
			return -1;
		}
		commit(l, l->held, 1);
		recon_report(l, &r);
		free((char *)r.table);
	} else if (l->ops->coarse && l->pending < l->batch_rows)
		return 0;
	else
		commit(l, l->held, 0);
	l->settle_due = 1;
	free(l->held);
	l->held = NULL;
	return 0;
}

/*
 * A RECORD of replace table t with a version (m's): when the version
 * is not its chain's last one, a new version begins and the chain's
 * staging starts over.
 */
static void
new_version(struct loader *l, const struct table *t,
    const struct fd_singer_msg *m)
{
	struct table *r;
	char *ver;

	ver = fd_map_get(l->versions, t->root, strlen(t->root));
	if (ver != NULL && strlen(ver) == m->version.len &&
	    memcmp(ver, m->version.p, m->version.len) == 0)
		return;
	if ((r = fd_map_get(l->tables, t->root, strlen(t->root))) != NULL)
		l->ops->unstage(l->dst, r);
	free(ver);
	ver = xstrndup(m->version.p, m->version.len);
	if (fd_map_put(l->versions, t->root, strlen(t->root), ver) == -1)
		err(FD_EXIT_FAIL, NULL);
}

/* A row of replace table t is staged: its chain's next ACTIVATE_VERSION
 * has work to do, whatever its version. */
static void
unactivated(struct loader *l, const struct table *t)
{
	char *ver;

	if ((ver = fd_map_get(l->activated, t->root,
	    strlen(t->root))) == NULL)
		return;
	free(ver);
	if (fd_map_put(l->activated, t->root, strlen(t->root), NULL) == -1)
		err(FD_EXIT_FAIL, NULL);
}

/*
 * The table of m's stream in *tp: NULL when no SCHEMA described it,
 * which is an error when a message of type what (not NULL) needs one.
 * Returns 0, or -1 with errbuf.
 */
static int
stream_table(struct loader *l, const struct fd_singer_msg *m,
    const char *what, struct table **tp, char *errbuf)
{
	char *name;

	if ((name = decode(m->stream.p, m->stream.len, errbuf)) == NULL)
		return -1;
	*tp = fd_map_get(l->tables, name, strlen(name));
	if (*tp == NULL && what != NULL)
		fd_diag_set(errbuf, "table %s: %s before its SCHEMA",
		    showname(name), what);
	free(name);
	return *tp == NULL && what != NULL ? -1 : 0;
}

/* A RECORD: one row of its table written.  0, or -1 with errbuf. */
static int
record(struct loader *l, const struct fd_singer_msg *m, char *errbuf)
{
	struct table *t;

	if (stream_table(l, m, "RECORD", &t, errbuf) == -1)
		return -1;
	if (t->disp == DISP_REPLACE) {
		if (m->version.p != NULL)
			new_version(l, t, m);
		unactivated(l, t);
	}
	/* --batch-rows: a commit before a root row, never between a
	 * record's rows (a merge replaces a record whole) */
	if (l->pending >= l->batch_rows && !l->ops->coarse && !t->child)
		commit(l, NULL, 0);
	*errbuf = '\0';
	if (row_split(t, m->record.p, m->record.len, &l->scratch,
	    errbuf) == -1)
		return fd_diag_prefix(errbuf, "table %s", showname(t->name));
	if (TABLE_MERGES(t) && !row_has_keys(t))
		return fd_diag_set(errbuf, "table %s: a merge row without "
		    "its key", showname(t->name));
	if (l->ops->row(l->dst, t, errbuf) == -1)
		return fd_diag_prefix(errbuf, "table %s", showname(t->name));
	if (++l->rows % PROGRESS_ROWS == 0)
		progress(l, 0, NULL, 0);
	/* a coarse destination commits at a STATE only: its files never
	 * hold rows that the state does not cover */
	l->pending++;
	l->settle_due = 0;
	return 0;
}

/* Whether version text v (malloc'd, or NULL) is m's version. */
static int
same_version(const char *v, const struct fd_singer_msg *m)
{
	return v != NULL && strlen(v) == m->version.len &&
	    memcmp(v, m->version.p, m->version.len) == 0;
}

/*
 * An ACTIVATE_VERSION: a replace chain's version goes live at the next
 * commit.  The chain is activated whole by its root's; the child
 * tables' own ones (fd-normalize sends one per table of the chain, the
 * root's first) confirm it, and so does the root's again before any
 * row is staged: no-ops.  A child table's for a version its root has
 * not activated would split the chain: bad input.  A table no SCHEMA
 * described, or that does not replace, has nothing staged: a no-op.
 * 0, or -1 with errbuf.
 */
static int
activate(struct loader *l, const struct fd_singer_msg *m, char *errbuf)
{
	struct table *t;
	char *ver;

	if (stream_table(l, m, NULL, &t, errbuf) == -1)
		return -1;
	if (t == NULL || t->disp != DISP_REPLACE)
		return 0;
	ver = fd_map_get(l->activated, t->root, strlen(t->root));
	if (same_version(ver, m))
		return 0;
	if (t->child)
		return fd_diag_set(errbuf, "table %s: ACTIVATE_VERSION %.*s "
		    "of a child table before its root table %s's",
		    showname(t->name), (int)m->version.len, m->version.p,
		    showname(t->root));
	l->ops->activate(l->dst, t);
	free(ver);
	ver = xstrndup(m->version.p, m->version.len);
	if (fd_map_put(l->activated, t->root, strlen(t->root), ver) == -1)
		err(FD_EXIT_FAIL, NULL);
	return 0;
}

/* One line of input (len bytes at p).  0, or -1 with errbuf: the
 * input's fault. */
static int
line(struct loader *l, const char *p, size_t len, char *errbuf)
{
	struct fd_singer_msg m;
	char *name;
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
		rc = schema(l, &m, name, errbuf);
		free(name);
		return rc;
	case FD_SINGER_RECORD:
		return record(l, &m, errbuf);
	case FD_SINGER_STATE:
		return state(l, &m, p, len, errbuf);
	case FD_SINGER_ACTIVATE_VERSION:
		return activate(l, &m, errbuf);
	default:
		if (!l->warned_unknown)
			remark("ignoring lines that are not Singer messages "
			    "(the first: line %.*s...)", UNKNOWN_SHOWN, p);
		l->warned_unknown = 1;
		return 0;
	}
}

/* The lines of fp (called fname in messages); dies on the first bad
 * one, after telling what was committed before it. */
static void
input(struct loader *l, FILE *fp, const char *fname)
{
	char errbuf[FD_ERRSZ];
	struct fd_lines *r;
	const char *p;
	size_t len;
	int rc;

	if ((r = fd_lines_open(fp, fname)) == NULL)
		err(FD_EXIT_FAIL, NULL);
	for (;;) {
		if (l->settle_due && !fd_lines_wait(r, IDLE_MS))
			idle(l);
		if ((rc = fd_lines_next(r, &p, &len)) != 1)
			break;
		if (strspn(p, " \t\r") == len)
			continue;
		if (!l->begun && l->ops->begin != NULL)
			l->ops->begin(l->dst);
		l->begun = 1;
		if (line(l, p, len, errbuf) == -1) {
			/* what was committed before is told, then the error */
			if (l->ops->settle != NULL)
				report(l, l->ops->settle(l->dst, 1));
			errx(FD_EXIT_FAIL, "%s:%llu: %s", fname,
			    fd_lines_lineno(r), errbuf);
		}
	}
	if (rc == -1)
		err(FD_EXIT_FAIL, "%s", fname);
	fd_lines_close(r);
}

/* Whether s begins with prefix. */
static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The destination's driver and what follows its scheme. */
static const char *
target(const char *to, const struct dest_ops **o)
{
	static const struct dest_ops *const all[] = { &sqlite_ops,
	    &pg_ops, &csv_ops, &jsonl_ops };
	size_t i, n;

	if (starts(to, "postgres://") || starts(to, "postgresql://")) {
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

/* Frees a table the stream described, and what the destination did not
 * free of it. */
static void
table_free(struct table *t)
{
	size_t k;

	for (k = 0; k < t->ncols; k++)
		free(t->cols[k].name);
	for (k = 0; k < t->nkeys; k++)
		free(t->keys[k]);
	free(t->cols);
	free(t->keys);
	free(t->keyidx);
	free(t->vals);
	fd_map_free(t->colidx);
	fd_map_free(t->untyped);
	free(t->root);
	free(t->name);
	free(t);
}

/* Frees the run's tables and versions (the destination is closed). */
static void
loader_free(struct loader *l)
{
	struct table *t;
	struct idopen *o;
	size_t i;
	char *v;

	for (i = 0; fd_map_at(l->tables, i, (void **)&t) != NULL; i++)
		table_free(t);
	/* a set forgotten or applied is a NULL value */
	for (i = 0; fd_map_at(l->idsets, i, (void **)&o) != NULL; i++)
		if (o != NULL) {
			free(o->set);
			free(o);
		}
	fd_map_free(l->idsets);
	for (i = 0; fd_map_at(l->versions, i, (void **)&v) != NULL; i++)
		free(v);
	for (i = 0; fd_map_at(l->activated, i, (void **)&v) != NULL; i++)
		free(v);
	fd_map_free(l->activated);
	fd_map_free(l->tables);
	fd_map_free(l->versions);
	fd_buf_free(&l->scratch);
}

/* The load: the destination opened, the files (or stdin) loaded,
 * committed and closed. */
static void
run(struct loader *l, int argc, char *argv[])
{
	struct fd_lock *slock = NULL;
	struct timeval tv;
	char why[FD_ERRSZ], load_id[LOAD_ID_SZ];
	const char *where;

	where = target(l->to, &l->ops);
	if (l->statefile != NULL &&
	    (slock = fd_state_lock(l->statefile, why)) == NULL)
		errx(FD_EXIT_FAIL, "%s", why);
	gettimeofday(&tv, NULL);
	snprintf(load_id, sizeof(load_id), "%lld.%06ld",
	    (long long)tv.tv_sec, (long)tv.tv_usec);
	if ((l->tables = fd_map_new()) == NULL ||
	    (l->versions = fd_map_new()) == NULL ||
	    (l->activated = fd_map_new()) == NULL ||
	    (l->idsets = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	l->dst = l->ops->open(where, load_id);
	if (!l->qflag && !l->vflag)
		l->line = fd_progress_new(STDERR_FILENO);
	l->started = now();

	if (argc == 0) {
		l->drawing = draws_reading(l, stdin);
		input(l, stdin, "<stdin>");
	}
	for (; argc > 0; argc--, argv++) {
		FILE *fp;
		if ((fp = fopen(*argv, "r")) == NULL)
			err(FD_EXIT_FAIL, "%s", *argv);
		l->drawing = draws_reading(l, fp);
		input(l, fp, *argv);
		fclose(fp);
	}
	/* an empty input (fd-fetch failed before its first message)
	 * leaves the destination as it was: no empty database */
	if (!l->begun && l->ops->discard != NULL)
		l->ops->discard(l->dst);
	else {
		/* what a coarse destination held back, and rows after the
		 * last STATE (a stream without STATE messages) */
		l->drawing = l->line != NULL;
		progress(l, 1, "committing", 0);
		commit(l, l->held, 1);
		free(l->held);
		l->held = NULL;
		l->ops->close(l->dst, l->rows);
		progress(l, 1, NULL, 1);
	}
	if (l->vflag)
		warnx("%lld rows loaded", l->rows);
	loader_free(l);
	fd_state_unlock(slock);
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: fd-load [-hqvV] [--config file] [-t dest] [-s state]\n"
	    "               [--mode append | replace | merge]\n"
	    "               [--batch-rows n] [--emit-state] [--hard-delete]\n"
	    "               [file ...]\n");
	if (fp == stdout)
		fputs("\n"
		    "  -h, --help           this help\n"
		    "  -q, --quiet          errors only on stderr\n"
		    "  -v, --verbose        a line per commit on stderr\n"
		    "  -V, --version        print the version\n"
		    "  --config file        settings from a JSON file (and "
		    "--emit-state)\n"
		    "  -t, --to dest        sqlite:path (default "
		    "sqlite:freshdesk.db),\n"
		    "                       postgresql://..., csv:dir or "
		    "jsonl:dir\n"
		    "  -s, --state state    the committed state, replaced "
		    "after each commit\n"
		    "  --mode mode          append, replace or merge, for every "
		    "stream\n"
		    "  --batch-rows n       commit at least every n rows "
		    "(default 50000)\n"
		    "  --emit-state         print each committed state on "
		    "stdout\n"
		    "  --hard-delete        delete the rows an id set lacks, "
		    "not mark them\n"
		    "\nIt reads fd-normalize's stream from the files, or stdin.\n"
		    "man fd-load tells the rest.\n", fp);
	exit(fp == stdout ? FD_EXIT_OK : FD_EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	struct loader l = { .batch_rows = BATCH_ROWS,
	    .to = "sqlite:freshdesk.db" };
	struct fd_config c;
	int ch;

	fd_progress_messages();
	/* run the Singer way: committed states on stdout, as targets do */
	if (config_args(&argc, &argv, longopts, NULL, NULL, &c))
		l.emitflag = 1;
	while ((ch = getopt_long(argc, argv, "hqs:t:vV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			break;
		case 'q':
			l.qflag = 1;
			l.vflag = 0;
			break;
		case 's':
			l.statefile = optarg;
			break;
		case 't':
			l.to = optarg;
			break;
		case 'v':
			l.vflag = 1;
			l.qflag = 0;
			break;
		case 'V':
			printf("fd-load %s\n", FD_VERSION);
			return FD_EXIT_OK;
		case OPT_MODE:
			if (disp_parse(optarg, strlen(optarg)) == -1)
				errx(FD_EXIT_USAGE, "--mode %s: expected "
				    "append, replace or merge", optarg);
			l.mode = optarg;
			break;
		case OPT_BATCH_ROWS:
			l.batch_rows = number("--batch-rows", optarg, 1,
			    BATCH_ROWS_MAX);
			break;
		case OPT_EMIT_STATE:
			l.emitflag = 1;
			break;
		case OPT_HARD_DELETE:
			l.hardflag = 1;
			break;
		default:
			usage(stderr);
		}
	}
	argc -= optind;
	argv += optind;

	quiet = l.qflag;
	run(&l, argc, argv);
	fd_config_free(&c);
	return FD_EXIT_OK;
}
