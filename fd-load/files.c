/*
 * files.c: the csv: and jsonl: destinations, files ready for a
 * warehouse bulk load (BigQuery's bq load, PostgreSQL's COPY, DuckDB's
 * read_csv / read_json).
 *
 * DIR holds a directory per table, named after the table with every
 * byte outside [A-Za-z0-9_-] written as %XX (so no name leaves DIR),
 * and in it:
 *	schema.json		the columns as a BigQuery schema
 *	LOADID-N.csv		data: RFC 4180 with a header row, CRLF; an
 *	LOADID-N.jsonl		unquoted empty field is NULL, "" the empty
 *				string; or one JSON object per line
 * and DIR/_fd_manifest.json, the commit point: the committed state, the
 * tables (root, kind, disposition, keys, columns) and the data files
 * that are live, with how many of the table's columns each holds.  A
 * commit fsyncs and renames the new data files (written as .NAME.tmp)
 * and fsyncs their directories, then replaces the manifest
 * atomically (fsynced, and DIR after it); a directory made is fsynced
 * in its parent at once.  So all a commit covers is on disk before
 * the manifest names it, and before fd-load.c replaces the state file.
 * Files that are not in the manifest (left by a load that died before
 * its commit) are removed when the next load opens DIR.  So the live
 * files hold each committed row once, and exactly what the state
 * covers.
 *
 * Dispositions: the rows of every load are new files (a warehouse
 * merges them by key, latest _fd_load_id and _fd_seq last); a replace
 * chain's files wait unnamed until ACTIVATE_VERSION, and the commit
 * after it retires the chain's earlier files.
 *
 * Columns: each table's columns are kept in the manifest ("columns":
 * name and BigQuery type) and only ever appended to, so a column keeps
 * its position and its type for good: _fd_load_id and _fd_seq first,
 * then the link columns the table's first SCHEMA has (_fd_id,
 * _fd_root_id, _fd_parent_id, _fd_list_idx, in that order), then the
 * others as they first came.  Every data file holds the table's first
 * N columns (its "widths" entry in the manifest; a CSV header names
 * them all, empty or not), and schema.json lists them all: each file's
 * columns are a prefix of it.  A commit replaces the schema.json of the
 * tables whose columns grew (atomically, synced) before the manifest,
 * so it never lacks a column of a live file.  A stream's column whose values the
 * table's column of that name does not take (files_takes) goes to its
 * variant column, as in a database (fd-load.c).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jv.h>

#include "buf.h"
#include "diag.h"
#include "jscan.h"
#include "json.h"
#include "map.h"
#include "ranges.h"
#include "state.h"
#include "tool.h"
#include "extern.h"

#define NAME_MAX_BYTES	200	/* a table's directory name */
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The permissions of what a load makes: DIR, its directories, data
 * files (the state's too: fd_state_write). */
#define DIR_MODE	0700
#define FILE_MODE	0600

/* A temporary data file's name: ".NAME.tmp". */
#define TMP_FMT		".%s.tmp"

/* DIR's commit point. */
#define MANIFEST	"_fd_manifest.json"

/* A deletions file's name: DELETIONS "LOADID-N.ext", listed in its
 * table's manifest entry under "deletions" (not "files": it is not a
 * data file of the table's columns). */
#define DELETIONS	"deletions-"

/* The record's number within the load, a column of every table: a
 * root row's own, which its child rows carry (files_row). */
#define SEQ_COLUMN	"_fd_seq"

enum fmt { FMT_CSV, FMT_JSONL };

/* The link columns fd-normalize writes, in the places a table's first
 * SCHEMA gives them, after LOAD_ID_COLUMN and SEQ_COLUMN. */
static const char *const link_cols[] = {
	"_fd_id", "_fd_root_id", "_fd_parent_id", "_fd_list_idx"
};

/* A data file being written: DIR/dir/.NAME.tmp until committed. */
struct seg {
	FILE		*fp;
	char		*name;		/* LOADID-N.ext */
	size_t		 ncols;		/* the table's first ncols columns:
					 * its CSV header, or (jsonl) those
					 * at its close */
	int		 activated;	/* replace: ACTIVATE_VERSION seen */
};

/* A column of a table's files, at its position for good. */
struct fcol {
	char		*name;
	char		*json;		/* the name JSON-encoded (JSONL) */
	enum fd_coltype	 type;		/* as schema.json says, for good */
};

/* What the destination keeps per table. */
struct ftable {
	char		*dir;		/* its directory's name in DIR */
	struct seg	 seg;		/* the open data file, if fp */
	struct seg	*done;		/* closed, not yet committed */
	size_t		 ndone;
	struct fcol	*cols;		/* the files' columns, in position */
	size_t		 ncols;
	struct fd_map	*colidx;	/* name -> position + 1 */
	size_t		*pos;		/* each table column's position */
	const struct value **row;	/* the row by position (NULL: null) */
	size_t		 lpos, qpos;	/* LOAD_ID_COLUMN's, SEQ_COLUMN's */
	int		 dirty;		/* schema.json to write at the commit */
	long long	 seq;		/* root: its last row's SEQ_COLUMN */
};

/* A reconcile set's ids as they come (dest_ops.ids): ranges, lo and
 * hi in turn, ascending. */
struct fset {
	int		 num;
	int64_t		*r;
	size_t		 n, cap;	/* int64_ts in r */
};

struct dest {
	enum fmt	 fmt;
	char		*path;		/* DIR */
	char		*load_id;
	struct fd_lock	*lock;
	jv		 manifest;	/* as committed, plus this load's tables */
	struct fd_map	*tables;	/* name -> struct table (all told) */
	int		 nseg;
	struct fd_buf	 val, line;
	struct fd_buf	 retire;	/* paths to unlink after the commit */
	struct fset	*sets;		/* reconcile sets not applied */
	size_t		 nsets;
	struct recon	*recon;		/* applied at the next commit, or NULL */
	char		*recon_key;	/* its key column */
	long long	 seq;		/* root rows written (SEQ_COLUMN) */
	int		 made;		/* open made DIR */
};

/* Dies with the path and errno. */
static void __attribute__((noreturn))
die(const struct dest *d, const char *what)
{
	err(FD_EXIT_FAIL, "%s: %s", d->path, what);
}

/* A table's directory name: bytes outside [A-Za-z0-9_-] as %XX. */
static char *
dir_name(const char *table)
{
	struct fd_buf b = FD_BUF_INIT;
	const unsigned char *p;
	char *s;

	for (p = (const unsigned char *)table; *p != '\0'; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-')
			fd_buf_putc(&b, *p);
		else
			fd_buf_printf(&b, "%%%02X", *p);
	if (b.len == 0)
		fd_buf_puts(&b, "%");
	xbuf_check(&b);
	if (b.len > NAME_MAX_BYTES)
		errx(FD_EXIT_FAIL, "table %s: the name is too long for a "
		    "directory (fd-normalize --max-length shortens names)",
		    showname(table));
	if ((s = fd_buf_take(&b)) == NULL)
		err(FD_EXIT_FAIL, NULL);
	return s;
}

/* DIR/sub/name (name may be NULL), in d->line (checked). */
static const char *
path_of(struct dest *d, const char *sub, const char *name)
{
	fd_buf_reset(&d->line);
	fd_buf_printf(&d->line, "%s/%s", d->path, sub);
	if (name != NULL)
		fd_buf_printf(&d->line, "/%s", name);
	return xbuf(&d->line);
}

/* DIR/sub/.name.tmp, in d->line (checked): a data file until its
 * commit.  tmp is the caller's buffer for the name. */
static const char *
tmp_path_of(struct dest *d, const char *sub, const char *name,
    struct fd_buf *tmp)
{
	fd_buf_reset(tmp);
	fd_buf_printf(tmp, TMP_FMT, name);
	return path_of(d, sub, xbuf(tmp));
}

/* fsyncs directory dir: the names made or renamed in it stay. */
static void
fsync_dir(const char *dir)
{
	int fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fsync(fd) == -1)
		err(FD_EXIT_FAIL, "%s", dir);
	close(fd);
}

/*
 * Makes directory path if it is not there; a new one is made durable
 * (its parent fsynced) before any commit can name what it holds.
 * Returns 1 when it made it, 0 when it was there.
 */
static int
make_dir(const char *path)
{
	char *copy;

	if (mkdir(path, DIR_MODE) == -1) {
		if (errno != EEXIST)
			err(FD_EXIT_FAIL, "%s", path);
		return 0;
	}
	copy = xstrdup(path);
	fsync_dir(dirname(copy));
	free(copy);
	return 1;
}

/* o[k], or null when o is not an object (o and k consumed). */
static jv
oget(jv o, jv k)
{
	if (jv_get_kind(o) != JV_KIND_OBJECT) {
		jv_free(o);
		jv_free(k);
		return jv_null();
	}
	return jv_object_get(o, k);
}

/* o with o[k] = v, o made an object if it is not one (all consumed). */
static jv
oset(jv o, jv k, jv v)
{
	if (jv_get_kind(o) != JV_KIND_OBJECT) {
		jv_free(o);
		o = jv_object();
	}
	return jv_object_set(o, k, v);
}

/* The list member what ("files", "deletions") of the manifest's table
 * entry, as a jv array. */
static jv
listed(jv m, const char *table, const char *what)
{
	jv f = oget(oget(oget(jv_copy(m),
	    jv_string("tables")), jv_string(table)), jv_string(what));

	if (jv_get_kind(f) != JV_KIND_ARRAY) {
		jv_free(f);
		return jv_array();
	}
	return f;
}

/* Whether name n (len bytes) is something followed by suf. */
static int
suffix(const char *n, size_t len, const char *suf)
{
	size_t sl = strlen(suf);

	return len > sl && strcmp(n + len - sl, suf) == 0;
}

/* Whether a file name is one fd-load writes (data or temporary). */
static int
ours(const char *n)
{
	size_t l = strlen(n);

	if (n[0] == '.' && suffix(n + 1, l - 1, ".tmp"))
		return 1;
	if (strncmp(n, DELETIONS, strlen(DELETIONS)) == 0)
		n += strlen(DELETIONS), l -= strlen(DELETIONS);
	return n[0] >= '0' && n[0] <= '9' && strchr(n, '-') != NULL &&
	    (suffix(n, l, ".csv") || suffix(n, l, ".jsonl"));
}

/*
 * The files the manifest lists as live, "dir/name" (the caller frees
 * the map; its values mean nothing).
 */
static struct fd_map *
live_set(struct dest *d)
{
	struct fd_map *live;
	struct fd_buf b = FD_BUF_INIT;
	const char *fn;
	jv tabs, keys;
	int i, j, n;

	if ((live = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	tabs = oget(jv_copy(d->manifest), jv_string("tables"));
	keys = jv_get_kind(tabs) == JV_KIND_OBJECT ? jv_keys(jv_copy(tabs)) :
	    jv_array();
	n = jv_array_length(jv_copy(keys));
	for (i = 0; i < n; i++) {
		jv name = jv_array_get(jv_copy(keys), i);
		jv dir = oget(oget(jv_copy(tabs),
		    jv_copy(name)), jv_string("dir"));
		jv files = jv_array_concat(listed(d->manifest,
		    jv_string_value(name), "files"), listed(d->manifest,
		    jv_string_value(name), "deletions"));
		for (j = 0; jv_get_kind(dir) == JV_KIND_STRING &&
		    j < jv_array_length(jv_copy(files)); j++) {
			jv f = jv_array_get(jv_copy(files), j);
			if (jv_get_kind(f) == JV_KIND_STRING) {
				fd_buf_reset(&b);
				fd_buf_printf(&b, "%s/%s", jv_string_value(dir),
				    jv_string_value(f));
				fn = xbuf(&b);
				if (fd_map_put(live, fn, b.len, (void *)1) == -1)
					err(FD_EXIT_FAIL, NULL);
			}
			jv_free(f);
		}
		jv_free(files);
		jv_free(dir);
		jv_free(name);
	}
	jv_free(keys);
	jv_free(tabs);
	fd_buf_free(&b);
	return live;
}

/*
 * Removes the data files (and temporary files) that the manifest does
 * not list, in every directory of DIR: what a load left that died
 * before its commit.  Other files are never touched.
 */
static void
sweep(struct dest *d)
{
	struct fd_map *live = live_set(d);
	struct fd_buf b = FD_BUF_INIT;
	DIR *top, *dp;
	struct dirent *e, *f;

	if ((top = opendir(d->path)) == NULL)
		err(FD_EXIT_FAIL, "%s", d->path);
	while ((e = readdir(top)) != NULL) {
		if (e->d_name[0] == '.' ||
		    (dp = opendir(path_of(d, e->d_name, NULL))) == NULL)
			continue;
		while ((f = readdir(dp)) != NULL) {
			if (!ours(f->d_name))
				continue;
			fd_buf_reset(&b);
			fd_buf_printf(&b, "%s/%s", e->d_name, f->d_name);
			if (fd_map_get(live, xbuf(&b), b.len) != NULL)
				continue;
			if (unlink(path_of(d, e->d_name, f->d_name)) == -1 &&
			    errno != ENOENT)
				err(FD_EXIT_FAIL, "%s", d->line.data);
		}
		closedir(dp);
	}
	closedir(top);
	fd_map_free(live);
	fd_buf_free(&b);
}

static struct dest *
files_open(enum fmt fmt, const char *dir, const char *load_id)
{
	char why[FD_ERRSZ];
	struct dest *d;
	struct stat sb;

	d = xcalloc(1, sizeof(*d));
	d->path = xstrdup(dir);
	d->load_id = xstrdup(load_id);
	if ((d->tables = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	d->fmt = fmt;
	d->made = make_dir(dir);
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
		errx(FD_EXIT_FAIL, "%s: not a directory", dir);
	if ((d->lock = fd_state_lock(path_of(d, "_fd", NULL), why)) == NULL)
		errx(FD_EXIT_FAIL, "%s", why);
	if (access(path_of(d, MANIFEST, NULL), F_OK) == 0) {
		if (fd_state_read(d->line.data, &d->manifest, why) == -1)
			errx(FD_EXIT_FAIL, "%s", why);
		if (jv_get_kind(d->manifest) != JV_KIND_OBJECT)
			errx(FD_EXIT_FAIL, "%s: not an fd-load manifest",
			    d->line.data);
	} else
		d->manifest = jv_object();
	sweep(d);
	return d;
}

static struct dest *
csv_open(const char *dir, const char *load_id)
{
	return files_open(FMT_CSV, dir, load_id);
}

static struct dest *
jsonl_open(const char *dir, const char *load_id)
{
	return files_open(FMT_JSONL, dir, load_id);
}

/* The BigQuery names of the column types (schema.json, the manifest). */
static const char *const bqnames[FD_COL_NTYPES] = {
	[FD_COL_BIGINT] = "INTEGER",
	[FD_COL_DOUBLE] = "FLOAT",
	[FD_COL_BOOL] = "BOOLEAN",
	[FD_COL_TEXT] = "STRING",
	[FD_COL_TIMESTAMP] = "TIMESTAMP",
	[FD_COL_JSON] = "JSON",
	[FD_COL_DECIMAL] = "NUMERIC"
};

/* The type a BigQuery name names, or -1. */
static int
bqparse(const char *name)
{
	int i;

	for (i = 0; i < FD_COL_NTYPES; i++)
		if (strcmp(name, bqnames[i]) == 0)
			return i;
	return -1;
}

/*
 * The types of values a column of type ty takes, as a warehouse's
 * typed column (PostgreSQL's, BigQuery's) would: its own; an integer
 * in a FLOAT or NUMERIC column, a number in a NUMERIC one; anything but
 * a boolean in a STRING column (as in SQLite and PostgreSQL); anything
 * in a JSON one.
 */
static unsigned
files_takes(enum fd_coltype ty)
{
	switch (ty) {
	case FD_COL_DOUBLE:
		return FD_COL_BIT(FD_COL_DOUBLE) | FD_COL_BIT(FD_COL_BIGINT);
	case FD_COL_DECIMAL:
		return FD_COL_BIT(FD_COL_DECIMAL) | FD_COL_BIT(FD_COL_BIGINT) |
		    FD_COL_BIT(FD_COL_DOUBLE);
	case FD_COL_TEXT:
		return FD_COL_ANY & ~FD_COL_BIT(FD_COL_BOOL);
	case FD_COL_JSON:
		return FD_COL_ANY;
	default:
		return FD_COL_BIT(ty);
	}
}

/* Appends column name of type ty to s's columns (a new position). */
static void
col_add(struct ftable *s, const char *name, enum fd_coltype ty)
{
	struct fd_buf b = FD_BUF_INIT;
	struct fcol *c;

	s->cols = xreallocarray(s->cols, s->ncols + 1, sizeof(*s->cols));
	c = &s->cols[s->ncols++];
	c->name = xstrdup(name);
	c->type = ty;
	if (fd_json_put_string(&b, name, strlen(name)) == -1 ||
	    (c->json = fd_buf_take(&b)) == NULL ||
	    fd_map_put(s->colidx, name, strlen(name),
	    (void *)s->ncols) == -1)
		err(FD_EXIT_FAIL, "column %s", showname(name));
	s->dirty = 1;
}

/* The position of s's column name, or (size_t)-1. */
static size_t
col_at(const struct ftable *s, const char *name)
{
	return (size_t)fd_map_get(s->colidx, name, strlen(name)) - 1;
}

/*
 * s's columns as the tree has them: the manifest's "columns" of table
 * name; a table an earlier fd-load wrote without them, its schema.json's.
 * Dies on a manifest that is not fd-load's.
 */
static void
cols_read(struct dest *d, struct ftable *s, const char *name)
{
	char why[FD_ERRSZ];
	jv e, a, c, n, ty;
	int i, k;

	e = oget(oget(jv_copy(d->manifest), jv_string("tables")),
	    jv_string(name));
	if (jv_get_kind(e) != JV_KIND_OBJECT) {
		jv_free(e);
		return;
	}
	a = oget(jv_copy(e), jv_string("columns"));
	if (jv_get_kind(a) != JV_KIND_ARRAY && fd_state_read(path_of(d, s->dir,
	    "schema.json"), &c, why) == 0) {
		jv_free(a);
		a = c;
	}
	jv_free(e);
	for (i = 0; jv_get_kind(a) == JV_KIND_ARRAY &&
	    i < jv_array_length(jv_copy(a)); i++) {
		c = jv_array_get(jv_copy(a), i);
		n = oget(jv_copy(c), jv_string("name"));
		ty = oget(c, jv_string("type"));
		if (jv_get_kind(n) != JV_KIND_STRING ||
		    jv_get_kind(ty) != JV_KIND_STRING ||
		    (k = bqparse(jv_string_value(ty))) == -1 ||
		    col_at(s, jv_string_value(n)) != (size_t)-1)
			errx(FD_EXIT_FAIL, "%s: table %s: column %d: not an "
			    "fd-load manifest", path_of(d, MANIFEST, NULL),
			    showname(name), i + 1);
		col_add(s, jv_string_value(n), k);
		jv_free(n);
		jv_free(ty);
	}
	jv_free(a);
}

/*
 * s takes t's columns: those it has not yet are appended (a new table
 * first gets LOAD_ID_COLUMN, SEQ_COLUMN and t's link columns), and
 * each column of t gets its position and accepts.
 */
static void
cols_merge(struct ftable *s, struct table *t)
{
	size_t i, k, p;

	if (s->ncols == 0) {
		col_add(s, LOAD_ID_COLUMN, FD_COL_TEXT);
		col_add(s, SEQ_COLUMN, FD_COL_BIGINT);
		for (k = 0; k < NELEM(link_cols); k++) {
			p = (size_t)fd_map_get(t->colidx, link_cols[k],
			    strlen(link_cols[k]));
			if (p != 0)
				col_add(s, link_cols[k], t->cols[p - 1].type);
		}
	}
	if (col_at(s, LOAD_ID_COLUMN) == (size_t)-1)
		col_add(s, LOAD_ID_COLUMN, FD_COL_TEXT);
	if (col_at(s, SEQ_COLUMN) == (size_t)-1)
		col_add(s, SEQ_COLUMN, FD_COL_BIGINT);
	s->lpos = col_at(s, LOAD_ID_COLUMN);
	s->qpos = col_at(s, SEQ_COLUMN);
	s->pos = xreallocarray(s->pos, t->ncols + 1, sizeof(*s->pos));
	for (i = 0; i < t->ncols; i++) {
		if (strcmp(t->cols[i].name, SEQ_COLUMN) == 0)
			errx(FD_EXIT_FAIL, "table %s: column %s is fd-load's "
			    "own in files", showname(t->name), SEQ_COLUMN);
		if ((p = col_at(s, t->cols[i].name)) == (size_t)-1) {
			col_add(s, t->cols[i].name, t->cols[i].type);
			p = s->ncols - 1;
		}
		s->pos[i] = p;
		t->cols[i].accepts = files_takes(s->cols[p].type);
	}
	s->row = xreallocarray(s->row, s->ncols + 1, sizeof(*s->row));
}

/* Writes DIR/dir/schema.json: s's columns for bq load --schema. */
static void
write_schema(struct dest *d, struct ftable *s)
{
	char why[FD_ERRSZ];
	jv a = jv_array();
	size_t i;

	for (i = 0; i < s->ncols; i++)
		a = jv_array_append(a, jv_object_set(jv_object_set(
		    jv_object_set(jv_object(), jv_string("name"),
		    jv_string(s->cols[i].name)), jv_string("type"),
		    jv_string(bqnames[s->cols[i].type])), jv_string("mode"),
		    jv_string("NULLABLE")));
	if (fd_state_write(path_of(d, s->dir, "schema.json"), a, why) == -1)
		errx(FD_EXIT_FAIL, "%s", why);
	s->dirty = 0;
}

/* Writes the schema.json of every table whose columns grew: before the
 * manifest that names them. */
static void
write_schemas(struct dest *d)
{
	struct table *t;
	size_t i;

	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++)
		if (((struct ftable *)t->priv)->dirty)
			write_schema(d, t->priv);
}

/* Closes t's open data file; it waits for the commit. */
static void
seg_close(struct dest *d, struct table *t)
{
	struct ftable *s = t->priv;

	if (s->seg.fp == NULL)
		return;
	if (fflush(s->seg.fp) == EOF || fsync(fileno(s->seg.fp)) == -1 ||
	    fclose(s->seg.fp) == EOF)
		err(FD_EXIT_FAIL, "%s", path_of(d, s->dir, s->seg.name));
	s->seg.fp = NULL;
	if (d->fmt == FMT_JSONL)
		s->seg.ncols = s->ncols;
	s->done = xreallocarray(s->done, s->ndone + 1, sizeof(*s->done));
	s->done[s->ndone++] = s->seg;
	memset(&s->seg, 0, sizeof(s->seg));
}

/* The manifest's entry of table name becomes e (consumed). */
static void
set_entry(struct dest *d, const char *name, jv e)
{
	d->manifest = jv_object_set(d->manifest, jv_string("tables"),
	    oset(oget(jv_copy(d->manifest), jv_string("tables")),
	    jv_string(name), e));
}

/* t's entry in the manifest: its shape and columns, its files as
 * committed. */
static void
manifest_table(struct dest *d, const struct table *t, const char *dir)
{
	const struct ftable *s = t->priv;
	jv e, keys, cols, w;
	size_t i;

	keys = jv_array();
	for (i = 0; i < t->nkeys; i++)
		keys = jv_array_append(keys, jv_string(t->keys[i]));
	cols = jv_array();
	for (i = 0; i < s->ncols; i++)
		cols = jv_array_append(cols, jv_object_set(jv_object_set(
		    jv_object(), jv_string("name"), jv_string(s->cols[i].name)),
		    jv_string("type"), jv_string(bqnames[s->cols[i].type])));
	w = oget(oget(oget(jv_copy(d->manifest), jv_string("tables")),
	    jv_string(t->name)), jv_string("widths"));
	if (jv_get_kind(w) != JV_KIND_OBJECT) {
		jv_free(w);
		w = jv_object();
	}
	e = jv_object_set(jv_object(), jv_string("dir"), jv_string(dir));
	e = jv_object_set(e, jv_string("root"), jv_string(t->root));
	e = jv_object_set(e, jv_string("kind"), jv_string(t->child ?
	    "child" : "root"));
	e = jv_object_set(e, jv_string("disposition"), jv_string(
	    disp_name(t->disp)));
	e = jv_object_set(e, jv_string("key"), keys);
	e = jv_object_set(e, jv_string("columns"), cols);
	e = jv_object_set(e, jv_string("files"), listed(d->manifest,
	    t->name, "files"));
	e = jv_object_set(e, jv_string("widths"), w);
	e = jv_object_set(e, jv_string("deletions"), listed(d->manifest,
	    t->name, "deletions"));
	set_entry(d, t->name, e);
}

/* dest_ops.columns: the columns the tree's table name has (this
 * load's, or the manifest's), each taking files_takes of its type. */
static void
files_columns(struct dest *d, const char *name, struct fd_map *into)
{
	struct ftable tmp, *s;
	struct table *t;
	size_t i;

	memset(&tmp, 0, sizeof(tmp));
	if ((t = fd_map_get(d->tables, name, strlen(name))) != NULL)
		s = t->priv;
	else {
		s = &tmp;
		s->dir = dir_name(name);
		if ((s->colidx = fd_map_new()) == NULL)
			err(FD_EXIT_FAIL, NULL);
		cols_read(d, s, name);
	}
	for (i = 0; i < s->ncols; i++)
		if (fd_map_put(into, s->cols[i].name,
		    strlen(s->cols[i].name),
		    (void *)(uintptr_t)files_takes(s->cols[i].type)) == -1)
			err(FD_EXIT_FAIL, NULL);
	for (i = 0; i < tmp.ncols; i++) {
		free(tmp.cols[i].name);
		free(tmp.cols[i].json);
	}
	free(tmp.cols);
	fd_map_free(tmp.colidx);
	free(tmp.dir);
}

static void
files_table(struct dest *d, struct table *t)
{
	struct ftable *s = t->priv;

	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		t->priv = s;
		s->dir = dir_name(t->name);
		if ((s->colidx = fd_map_new()) == NULL ||
		    fd_map_put(d->tables, t->name, strlen(t->name), t) == -1)
			err(FD_EXIT_FAIL, NULL);
		cols_read(d, s, t->name);
		s->dirty = 1;
	}
	make_dir(path_of(d, s->dir, NULL));
	cols_merge(s, t);
	/* a CSV header names the file's columns: new columns, new file */
	if (d->fmt == FMT_CSV && s->seg.fp != NULL &&
	    s->seg.ncols != s->ncols)
		seg_close(d, t);
	manifest_table(d, t, s->dir);
}

/* Appends s (n bytes) as one RFC 4180 field. */
static void
csv_field(struct fd_buf *b, const char *s, size_t n)
{
	size_t i;

	if (n > 0 && strcspn(s, ",\"\r\n") >= n && memchr(s, '\0', n) ==
	    NULL) {
		fd_buf_append(b, s, n);
		return;
	}
	fd_buf_putc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			fd_buf_putc(b, '"');
		fd_buf_putc(b, s[i]);
	}
	fd_buf_putc(b, '"');
}

/* Writes d->line, checked, to t's open data file. */
static void
seg_write(struct dest *d, struct ftable *s)
{
	xbuf_check(&d->line);
	if (fwrite(d->line.data, 1, d->line.len, s->seg.fp) != d->line.len)
		die(d, s->seg.name);
}

/* Opens a new data file for t, with its header (csv): every column
 * of the table. */
static void
seg_open(struct dest *d, struct table *t)
{
	struct ftable *s = t->priv;
	struct fd_buf tmp = FD_BUF_INIT;
	size_t i;
	int fd;

	fd_buf_printf(&tmp, "%s-%d.%s", d->load_id, ++d->nseg,
	    d->fmt == FMT_CSV ? "csv" : "jsonl");
	if ((s->seg.name = fd_buf_take(&tmp)) == NULL)
		err(FD_EXIT_FAIL, NULL);
	s->seg.ncols = s->ncols;
	if ((fd = open(tmp_path_of(d, s->dir, s->seg.name, &tmp), O_WRONLY |
	    O_CREAT | O_TRUNC | O_CLOEXEC, FILE_MODE)) == -1 ||
	    (s->seg.fp = fdopen(fd, "w")) == NULL)
		err(FD_EXIT_FAIL, "%s", d->line.data);
	fd_buf_free(&tmp);
	if (d->fmt != FMT_CSV)
		return;
	fd_buf_reset(&d->line);
	for (i = 0; i < s->ncols; i++) {
		if (i > 0)
			fd_buf_putc(&d->line, ',');
		csv_field(&d->line, s->cols[i].name, strlen(s->cols[i].name));
	}
	fd_buf_puts(&d->line, "\r\n");
	seg_write(d, s);
}

/* The value at position i of s's row in d->val, as text (a JSON
 * column's as JSON).  1, 0 for NULL, or -1 with errbuf. */
static int
field_text(struct dest *d, const struct ftable *s, size_t i, char *errbuf)
{
	const struct value *v = s->row[i];

	fd_buf_reset(&d->val);
	if (i == s->lpos) {
		fd_buf_puts(&d->val, d->load_id);
		return 1;
	}
	if (i == s->qpos) {
		fd_buf_printf(&d->val, "%lld", s->seq);
		return 1;
	}
	if (v == NULL)
		return 0;
	if (v->kind == FD_JTOK_TRUE || v->kind == FD_JTOK_FALSE) {
		fd_buf_puts(&d->val, v->kind == FD_JTOK_TRUE ? "true" :
		    "false");
		return 1;
	}
	if ((s->cols[i].type == FD_COL_JSON ? value_json(v, &d->val, errbuf) :
	    value_text(v, &d->val, errbuf)) == -1)
		return -1;
	return 1;
}

/* s's row as a JSONL line in d->line, its members in position order,
 * NULLs left out; a STRING column's value always a string.  0, or -1
 * with errbuf. */
static int
jsonl_line(struct dest *d, const struct ftable *s, char *errbuf)
{
	const struct value *v;
	size_t i;
	int first = 1, r;

	fd_buf_putc(&d->line, '{');
	for (i = 0; i < s->ncols; i++) {
		v = s->row[i];
		if (v == NULL && i != s->lpos && i != s->qpos)
			continue;
		if (!first)
			fd_buf_putc(&d->line, ',');
		first = 0;
		fd_buf_puts(&d->line, s->cols[i].json);
		fd_buf_putc(&d->line, ':');
		if (i == s->qpos)
			fd_buf_printf(&d->line, "%lld", s->seq);
		else if (i == s->lpos)
			fd_json_put_string(&d->line, d->load_id,
			    strlen(d->load_id));
		else if (s->cols[i].type == FD_COL_TEXT &&
		    v->kind != FD_JTOK_STRING) {
			if ((r = field_text(d, s, i, errbuf)) == -1)
				return -1;
			xbuf_check(&d->val);
			fd_json_put_string(&d->line, d->val.data, d->val.len);
		} else if (value_json(v, &d->line, errbuf) == -1)
			return -1;
	}
	fd_buf_puts(&d->line, "}\n");
	return 0;
}

/* s's row as a CSV record of the file's columns in d->line (d->val
 * holds each field's text on the way).  0, or -1 with errbuf. */
static int
csv_line(struct dest *d, const struct ftable *s, char *errbuf)
{
	size_t i;
	int r;

	for (i = 0; i < s->seg.ncols; i++) {
		if (i > 0)
			fd_buf_putc(&d->line, ',');
		if ((r = field_text(d, s, i, errbuf)) == -1)
			return -1;
		if (r == 0)
			continue;
		if (d->val.len == 0)
			fd_buf_puts(&d->line, "\"\"");
		else
			csv_field(&d->line, d->val.data, d->val.len);
	}
	fd_buf_puts(&d->line, "\r\n");
	return 0;
}

/*
 * Writes t's row.  A root row gets the next SEQ_COLUMN of the load; a
 * child row its root table's last (fd-normalize writes a record's
 * child rows after its root row), or the load's last.
 */
static int
files_row(struct dest *d, struct table *t, char *errbuf)
{
	struct ftable *s = t->priv;
	struct table *r;
	size_t i;

	if (s->seg.fp == NULL)
		seg_open(d, t);
	if (!t->child)
		s->seq = ++d->seq;
	else if ((r = fd_map_get(d->tables, t->root, strlen(t->root))) !=
	    NULL && r->priv != NULL)
		s->seq = ((struct ftable *)r->priv)->seq;
	else
		s->seq = d->seq;
	for (i = 0; i < s->ncols; i++)
		s->row[i] = NULL;
	for (i = 0; i < t->ncols; i++)
		if (t->vals[i].kind != FD_JTOK_NULL)
			s->row[s->pos[i]] = &t->vals[i];
	fd_buf_reset(&d->line);
	if ((d->fmt == FMT_JSONL ? jsonl_line(d, s, errbuf) :
	    csv_line(d, s, errbuf)) == -1)
		return -1;
	/* a field's text that lost a part must not pass for the value */
	xbuf_check(&d->val);
	seg_write(d, s);
	return 0;
}

/* The tables of root t's chain that this load knows, t first. */
static void
chain(struct dest *d, struct table *t, void (*fn)(struct dest *,
    struct table *))
{
	struct table *c;
	size_t i;

	for (i = 0; fd_map_at(d->tables, i, (void **)&c) != NULL; i++)
		if (strcmp(c->root, t->name) == 0)
			fn(d, c);
}

static void
activate_one(struct dest *d, struct table *c)
{
	struct ftable *s = c->priv;
	size_t i;

	if (c->disp != DISP_REPLACE)
		return;
	seg_close(d, c);
	for (i = 0; i < s->ndone; i++)
		s->done[i].activated = 1;
}

/* Marks for retirement the live files of every table of root's chain
 * in the manifest (earlier loads' children too). */
static void
retire_chain(struct dest *d, const char *root)
{
	jv tabs, keys, e, files;
	int i, j, n;

	tabs = oget(jv_copy(d->manifest), jv_string("tables"));
	if (jv_get_kind(tabs) != JV_KIND_OBJECT) {
		jv_free(tabs);
		return;
	}
	keys = jv_keys(jv_copy(tabs));
	n = jv_array_length(jv_copy(keys));
	for (i = 0; i < n; i++) {
		jv name = jv_array_get(jv_copy(keys), i);
		e = oget(jv_copy(tabs), jv_copy(name));
		jv r = oget(jv_copy(e), jv_string("root"));
		jv dir = oget(jv_copy(e), jv_string("dir"));
		if (jv_get_kind(r) == JV_KIND_STRING &&
		    jv_get_kind(dir) == JV_KIND_STRING &&
		    strcmp(jv_string_value(r), root) == 0) {
			/* the chain's deletions concern rows it retires */
			files = jv_array_concat(listed(d->manifest,
			    jv_string_value(name), "files"), listed(d->manifest,
			    jv_string_value(name), "deletions"));
			for (j = 0; j < jv_array_length(jv_copy(files)); j++) {
				jv f = jv_array_get(jv_copy(files), j);
				fd_buf_puts(&d->retire, path_of(d,
				    jv_string_value(dir), jv_string_value(f)));
				fd_buf_putc(&d->retire, '\0');
				jv_free(f);
			}
			jv_free(files);
			e = jv_object_set(e, jv_string("files"), jv_array());
			e = jv_object_set(e, jv_string("widths"), jv_object());
			e = jv_object_set(e, jv_string("deletions"),
			    jv_array());
			tabs = jv_object_set(tabs, jv_copy(name), e);
		} else
			jv_free(e);
		jv_free(r);
		jv_free(dir);
		jv_free(name);
	}
	jv_free(keys);
	d->manifest = jv_object_set(d->manifest, jv_string("tables"), tabs);
}

static void
files_activate(struct dest *d, struct table *t)
{
	retire_chain(d, t->name);
	chain(d, t, activate_one);
}

static void
unstage_one(struct dest *d, struct table *c)
{
	struct ftable *s = c->priv;
	struct fd_buf tmp = FD_BUF_INIT;
	size_t i, k = 0;

	if (c->disp != DISP_REPLACE)
		return;
	seg_close(d, c);
	for (i = 0; i < s->ndone; i++) {
		if (s->done[i].activated) {
			s->done[k++] = s->done[i];
			continue;
		}
		if (unlink(tmp_path_of(d, s->dir, s->done[i].name, &tmp)) == -1)
			err(FD_EXIT_FAIL, "%s", d->line.data);
		free(s->done[i].name);
	}
	s->ndone = k;
	fd_buf_free(&tmp);
}

static void
files_unstage(struct dest *d, struct table *t)
{
	chain(d, t, unstage_one);
}

/*
 * The data files of t that the commit covers (all closed ones; of a
 * replace table, those of an activated version) renamed to their names
 * and made durable, and listed in its manifest entry.  tmp is the
 * caller's.
 */
static void
commit_table(struct dest *d, struct table *t, struct fd_buf *tmp)
{
	struct ftable *s = t->priv;
	size_t j, k;
	jv e, files, w;

	if (t->disp != DISP_REPLACE)
		seg_close(d, t);
	files = listed(d->manifest, t->name, "files");
	e = oget(oget(jv_copy(d->manifest), jv_string("tables")),
	    jv_string(t->name));
	w = oget(jv_copy(e), jv_string("widths"));
	if (jv_get_kind(w) != JV_KIND_OBJECT) {
		jv_free(w);
		w = jv_object();
	}
	for (j = k = 0; j < s->ndone; j++) {
		if (t->disp == DISP_REPLACE && !s->done[j].activated) {
			s->done[k++] = s->done[j];
			continue;
		}
		fd_buf_reset(tmp);
		fd_buf_puts(tmp, path_of(d, s->dir, NULL));
		fd_buf_printf(tmp, "/" TMP_FMT, s->done[j].name);
		if (rename(xbuf(tmp), path_of(d, s->dir,
		    s->done[j].name)) == -1)
			err(FD_EXIT_FAIL, "%s", d->line.data);
		files = jv_array_append(files, jv_string(s->done[j].name));
		w = jv_object_set(w, jv_string(s->done[j].name),
		    jv_number((double)s->done[j].ncols));
		free(s->done[j].name);
	}
	if (k != s->ndone)
		fsync_dir(path_of(d, s->dir, NULL));
	s->ndone = k;
	e = oset(e, jv_string("files"), files);
	set_entry(d, t->name, oset(e, jv_string("widths"), w));
}

/* Reconcile sets: ids kept as ranges until the final part. */

/* Set num (made when make and it is not there), or NULL. */
static struct fset *
fset_of(struct dest *d, int num, int make)
{
	size_t i;

	for (i = 0; i < d->nsets; i++)
		if (d->sets[i].num == num)
			return &d->sets[i];
	if (!make)
		return NULL;
	d->sets = xreallocarray(d->sets, d->nsets + 1, sizeof(*d->sets));
	memset(&d->sets[d->nsets], 0, sizeof(*d->sets));
	d->sets[d->nsets].num = num;
	return &d->sets[d->nsets++];
}

static void
files_ids(struct dest *d, int num, const char *ranges, size_t len)
{
	char why[FD_ERRSZ];
	struct fset *f = fset_of(d, num, 1);
	struct fd_ranges r;
	int64_t lo, hi;

	fd_ranges_init(&r, ranges, len);
	while (fd_ranges_next(&r, &lo, &hi, why) == 1) {
		if (f->n + 2 > f->cap) {
			f->cap = f->cap ? 2 * f->cap : 64;
			f->r = xreallocarray(f->r, f->cap, sizeof(*f->r));
		}
		f->r[f->n++] = lo;
		f->r[f->n++] = hi;
	}
}

static void
files_drop(struct dest *d, int num)
{
	struct fset *f = fset_of(d, num, 0);

	if (f == NULL)
		return;
	free(f->r);
	*f = d->sets[--d->nsets];
}

/* Whether id is in set f (binary search of its ranges). */
static int
fset_has(const struct fset *f, int64_t id)
{
	size_t lo = 0, hi = f->n / 2, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (id < f->r[2 * mid])
			hi = mid;
		else if (id > f->r[2 * mid + 1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* A key read back, and (deletions files) whether it was marked; seq
 * orders the rows of the deletions files, the latest last. */
struct fkey {
	int64_t		 id;
	size_t		 seq;
	int		 marked;
};

struct fkeys {
	struct fkey	*k;
	size_t		 n, cap;
};

static void
fkeys_add(struct fkeys *ks, int64_t id, int marked)
{
	if (ks->n == ks->cap) {
		ks->cap = ks->cap ? 2 * ks->cap : 1024;
		ks->k = xreallocarray(ks->k, ks->cap, sizeof(*ks->k));
	}
	ks->k[ks->n].id = id;
	ks->k[ks->n].seq = ks->n;
	ks->k[ks->n++].marked = marked;
}

static int
fkey_cmp(const void *a, const void *b)
{
	const struct fkey *x = a, *y = b;

	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sorts ks by id, one per id: the latest row of each. */
static void
fkeys_unique(struct fkeys *ks)
{
	size_t i, n = 0;

	if (ks->n == 0)
		return;
	qsort(ks->k, ks->n, sizeof(*ks->k), fkey_cmp);
	for (i = 0; i < ks->n; i++) {
		if (n > 0 && ks->k[n - 1].id == ks->k[i].id)
			n--;
		ks->k[n++] = ks->k[i];
	}
	ks->n = n;
}

/* Field k of CSV record rec (len bytes), unquoted, into out (emptied).
 * 0, or -1 when the record has no field k. */
static int
csv_get(const char *rec, size_t len, size_t k, struct fd_buf *out)
{
	size_t i = 0, f = 0;
	int q;

	fd_buf_reset(out);
	for (; f < k; f++) {
		for (q = 0; i < len && (q || rec[i] != ','); i++)
			if (rec[i] == '"')
				q = !q;
		if (i++ >= len)
			return -1;
	}
	if (i < len && rec[i] == '"') {
		for (i++; i < len; i++) {
			if (rec[i] == '"') {
				if (i + 1 < len && rec[i + 1] == '"')
					i++;
				else
					break;
			}
			fd_buf_putc(out, rec[i]);
		}
	} else
		for (; i < len && rec[i] != ',' && rec[i] != '\r' &&
		    rec[i] != '\n'; i++)
			fd_buf_putc(out, rec[i]);
	xbuf_check(out);
	return 0;
}

/* The next CSV record of fp (lines joined while a quote is open) into
 * rec.  1, or 0 at the end. */
static int
csv_record(FILE *fp, struct fd_buf *rec, char **line, size_t *cap)
{
	ssize_t n;
	size_t i, quotes = 0;

	fd_buf_reset(rec);
	do {
		if ((n = getline(line, cap, fp)) == -1)
			return rec->len > 0;
		for (i = 0; i < (size_t)n; i++)
			quotes += (*line)[i] == '"';
		fd_buf_append(rec, *line, (size_t)n);
	} while (quotes % 2 == 1);
	xbuf_check(rec);
	return 1;
}

/*
 * The keys (column key) of the rows of file path into ks; with marks,
 * a deletions file: each row's mark too (a _fd_deleted_at set).
 */
static void
read_keys(struct dest *d, const char *path, const char *key, int marks,
    struct fkeys *ks)
{
	struct fd_buf rec = FD_BUF_INIT, f = FD_BUF_INIT;
	const char *v;
	char *line = NULL, why[FD_ERRSZ];
	size_t cap = 0, vl, kc = (size_t)-1, i;
	long long id;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL)
		err(FD_EXIT_FAIL, "%s", path);
	if (d->fmt == FMT_CSV && csv_record(fp, &rec, &line, &cap))
		for (i = 0; csv_get(rec.data, rec.len, i, &f) == 0; i++)
			if (strcmp(f.data != NULL ? f.data : "", key) == 0) {
				kc = i;
				break;
			}
	while (d->fmt == FMT_CSV ? csv_record(fp, &rec, &line, &cap) :
	    (fd_buf_reset(&rec), getline(&line, &cap, fp) != -1)) {
		if (d->fmt == FMT_CSV) {
			if (kc == (size_t)-1 || csv_get(rec.data, rec.len, kc,
			    &f) == -1 || f.len == 0 ||
			    fd_jscan_int64(f.data, f.len, &id) == -1)
				continue;
			fkeys_add(ks, id, marks && csv_get(rec.data, rec.len,
			    kc + 1, &f) == 0 && f.len > 0);
			continue;
		}
		if (fd_jscan_field(line, strlen(line), key, &v, &vl,
		    why) != 0 || fd_jscan_int64(v, vl, &id) == -1)
			continue;
		fkeys_add(ks, id, marks && fd_jscan_field(line, strlen(line),
		    DELETED_COLUMN, &v, &vl, why) == 0 && *v == '"');
	}
	if (ferror(fp))
		err(FD_EXIT_FAIL, "%s", path);
	fclose(fp);
	free(line);
	fd_buf_free(&rec);
	fd_buf_free(&f);
}

/* The keys of the files the manifest lists under what ("files",
 * "deletions") for table, in dir, into ks. */
static void
read_listed(struct dest *d, const char *table, const char *dir,
    const char *what, const char *key, struct fkeys *ks)
{
	jv files = listed(d->manifest, table, what);
	int j;

	for (j = 0; j < jv_array_length(jv_copy(files)); j++) {
		jv f = jv_array_get(jv_copy(files), j);
		if (jv_get_kind(f) == JV_KIND_STRING)
			read_keys(d, path_of(d, dir, jv_string_value(f)), key,
			    strcmp(what, "deletions") == 0, ks);
		jv_free(f);
	}
	jv_free(files);
}

/* One row of a deletions file into d->line: key, the mark (NULL:
 * cleared) and the load's id. */
static void
deletion_row(struct dest *d, const char *key, int64_t id, const char *at)
{
	fd_buf_reset(&d->line);
	if (d->fmt == FMT_CSV) {
		fd_buf_printf(&d->line, "%" PRId64 ",%s,%s\r\n", id,
		    at != NULL ? at : "", d->load_id);
		return;
	}
	fd_buf_putc(&d->line, '{');
	fd_json_put_string(&d->line, key, strlen(key));
	fd_buf_printf(&d->line, ":%" PRId64 ",\"" DELETED_COLUMN "\":", id);
	if (at != NULL)
		fd_json_put_string(&d->line, at, strlen(at));
	else
		fd_buf_puts(&d->line, "null");
	fd_buf_printf(&d->line, ",\"" LOAD_ID_COLUMN "\":\"%s\"}\n",
	    d->load_id);
}

/*
 * The reconcile d->recon, at its commit (the data files of the commit
 * are renamed and listed): a deletions file of the rows the tree holds
 * whose keys are not in the set and that are not marked (the mark:
 * as_of), and of those in the set that an earlier deletions file
 * marked (cleared), renamed and listed under the table's "deletions".
 */
static void
apply_recon(struct dest *d, struct fd_buf *tmp)
{
	struct recon *r = d->recon;
	struct fkeys tree = { NULL, 0, 0 }, marks = { NULL, 0, 0 };
	struct fset none = { 0, NULL, 0, 0 }, *f;
	struct seg seg;
	const char *key = d->recon_key;
	char *dir, *name;
	size_t i, m = 0;
	long long *count = r->hard ? &r->deleted : &r->marked;
	int fd, in, was;
	jv dl;

	if ((f = fset_of(d, r->set, 0)) == NULL)
		f = &none;
	dl = oget(oget(oget(jv_copy(d->manifest), jv_string("tables")),
	    jv_string(r->table)), jv_string("dir"));
	/* files_reconcile found the entry; files_table wrote its dir */
	dir = xstrdup(jv_get_kind(dl) == JV_KIND_STRING ?
	    jv_string_value(dl) : "%");
	jv_free(dl);
	read_listed(d, r->table, dir, "files", key, &tree);
	read_listed(d, r->table, dir, "deletions", key, &marks);
	fkeys_unique(&tree);
	fkeys_unique(&marks);
	memset(&seg, 0, sizeof(seg));
	for (i = 0; i < tree.n; i++) {
		int64_t id = tree.k[i].id;
		while (m < marks.n && marks.k[m].id < id)
			m++;
		was = m < marks.n && marks.k[m].id == id && marks.k[m].marked;
		in = fset_has(f, id);
		if (in == !was)
			continue;	/* as it should be */
		if (seg.fp == NULL) {
			fd_buf_reset(tmp);
			fd_buf_printf(tmp, DELETIONS "%s-%d.%s", d->load_id,
			    ++d->nseg, d->fmt == FMT_CSV ? "csv" : "jsonl");
			if ((seg.name = fd_buf_take(tmp)) == NULL)
				err(FD_EXIT_FAIL, NULL);
			if ((fd = open(tmp_path_of(d, dir, seg.name, tmp),
			    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			    FILE_MODE)) == -1 ||
			    (seg.fp = fdopen(fd, "w")) == NULL)
				err(FD_EXIT_FAIL, "%s", d->line.data);
			if (d->fmt == FMT_CSV) {
				fd_buf_reset(&d->line);
				csv_field(&d->line, key, strlen(key));
				fd_buf_puts(&d->line, "," DELETED_COLUMN ","
				    LOAD_ID_COLUMN "\r\n");
				xbuf_check(&d->line);
				if (fwrite(d->line.data, 1, d->line.len,
				    seg.fp) != d->line.len)
					die(d, seg.name);
			}
		}
		deletion_row(d, key, id, in ? NULL : r->as_of);
		xbuf_check(&d->line);
		if (fwrite(d->line.data, 1, d->line.len, seg.fp) !=
		    d->line.len)
			die(d, seg.name);
		if (in)
			r->cleared++;
		else
			(*count)++;
	}
	if (seg.fp != NULL) {
		if (fflush(seg.fp) == EOF || fsync(fileno(seg.fp)) == -1 ||
		    fclose(seg.fp) == EOF)
			die(d, seg.name);
		name = xstrdup(tmp_path_of(d, dir, seg.name, tmp));
		if (rename(name, path_of(d, dir, seg.name)) == -1)
			err(FD_EXIT_FAIL, "%s", name);
		free(name);
		fsync_dir(path_of(d, dir, NULL));
		dl = jv_array_append(listed(d->manifest, r->table,
		    "deletions"), jv_string(seg.name));
		set_entry(d, r->table, oset(oget(oget(jv_copy(d->manifest),
		    jv_string("tables")), jv_string(r->table)),
		    jv_string("deletions"), dl));
		free(seg.name);
	}
	free(tree.k);
	free(marks.k);
	free(dir);
	files_drop(d, r->set);
	free(d->recon_key);
	d->recon_key = NULL;
	d->recon = NULL;
}

/*
 * Checks r's table and key and keeps r (the caller's until the commit
 * that follows) for that commit, which applies it after its data files
 * (apply_recon).  The key: r->t's, else the manifest's, of integers
 * (r->t's type, else schema.json's INTEGER).
 */
static int
files_reconcile(struct dest *d, struct recon *r, char *errbuf)
{
	jv e, keys, sch, c;
	char why[FD_ERRSZ];
	int i, n, ok = 0;

	r->found = 0;
	r->marked = r->cleared = r->deleted = 0;
	e = oget(oget(jv_copy(d->manifest), jv_string("tables")),
	    jv_string(r->table));
	if (jv_get_kind(e) != JV_KIND_OBJECT) {
		jv_free(e);
		files_drop(d, r->set);
		return 0;	/* no table yet: nothing to mark */
	}
	r->found = 1;
	free(d->recon_key);
	d->recon_key = NULL;
	if (r->t != NULL) {
		if (r->t->nkeys == 1) {
			d->recon_key = xstrdup(r->t->keys[0]);
			ok = r->t->keyidx[0] != (size_t)-1 &&
			    r->t->cols[r->t->keyidx[0]].type == FD_COL_BIGINT;
		}
		n = (int)r->t->nkeys;
	} else {
		keys = oget(jv_copy(e), jv_string("key"));
		n = jv_get_kind(keys) == JV_KIND_ARRAY ?
		    jv_array_length(jv_copy(keys)) : 0;
		if (n == 1) {
			c = jv_array_get(jv_copy(keys), 0);
			if (jv_get_kind(c) == JV_KIND_STRING)
				d->recon_key = xstrdup(jv_string_value(c));
			jv_free(c);
		}
		jv_free(keys);
		c = oget(jv_copy(e), jv_string("dir"));
		if (d->recon_key != NULL && jv_get_kind(c) == JV_KIND_STRING &&
		    fd_state_read(path_of(d, jv_string_value(c),
		    "schema.json"), &sch, why) == 0) {
			for (i = 0; jv_get_kind(sch) == JV_KIND_ARRAY &&
			    i < jv_array_length(jv_copy(sch)); i++) {
				jv col = jv_array_get(jv_copy(sch), i);
				jv nm = oget(jv_copy(col), jv_string("name"));
				jv ty = oget(col, jv_string("type"));
				if (jv_get_kind(nm) == JV_KIND_STRING &&
				    jv_get_kind(ty) == JV_KIND_STRING &&
				    strcmp(jv_string_value(nm),
				    d->recon_key) == 0)
					ok = strcmp(jv_string_value(ty),
					    "INTEGER") == 0;
				jv_free(nm);
				jv_free(ty);
			}
			jv_free(sch);
		}
		jv_free(c);
	}
	jv_free(e);
	if (n != 1) {
		free(d->recon_key);
		d->recon_key = NULL;
		return fd_diag_set(errbuf, "table %s: a reconcile needs one "
		    "key column, the table has %d", showname(r->table), n);
	}
	if (!ok) {
		fd_diag_set(errbuf, "table %s: key column %s: a reconcile "
		    "needs integer keys", showname(r->table),
		    showname(d->recon_key));
		free(d->recon_key);
		d->recon_key = NULL;
		return -1;
	}
	d->recon = r;
	return 0;
}

static void
files_commit(struct dest *d, const char *state, int final,
    const char **done)
{
	char why[FD_ERRSZ];
	struct fd_buf tmp = FD_BUF_INIT;
	struct table *t;
	const char *p;
	size_t i;

	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++)
		commit_table(d, t, &tmp);
	if (d->recon != NULL)
		apply_recon(d, &tmp);
	fd_buf_free(&tmp);
	write_schemas(d);
	d->manifest = jv_object_set(d->manifest, jv_string("load_id"),
	    jv_string(d->load_id));
	if (state != NULL)
		d->manifest = jv_object_set(d->manifest, jv_string("state"),
		    jv_string(state));
	/* every retired path is whole before the manifest lets them go */
	xbuf_check(&d->retire);
	if (fd_state_write(path_of(d, MANIFEST, NULL), jv_copy(d->manifest),
	    why) == -1)
		errx(FD_EXIT_FAIL, "%s", why);
	for (p = d->retire.data; p != NULL && p < d->retire.data +
	    d->retire.len; p += strlen(p) + 1)
		if (unlink(p) == -1 && errno != ENOENT)
			err(FD_EXIT_FAIL, "%s", p);
	fd_buf_reset(&d->retire);
	*done = state;
}

/* Frees what the destination keeps of t; the staged files of a version
 * never activated are removed (not kept).  tmp is the caller's. */
static void
table_close(struct dest *d, struct table *t, struct fd_buf *tmp)
{
	struct ftable *s = t->priv;
	size_t k;

	if (s->seg.fp != NULL)
		seg_close(d, t);
	for (k = 0; k < s->ndone; k++) {
		unlink(tmp_path_of(d, s->dir, s->done[k].name, tmp));
		free(s->done[k].name);
	}
	free(s->done);
	for (k = 0; k < s->ncols; k++) {
		free(s->cols[k].name);
		free(s->cols[k].json);
	}
	free(s->cols);
	fd_map_free(s->colidx);
	free(s->pos);
	free(s->row);
	free(s->dir);
	free(s);
	t->priv = NULL;
}

/* The load in the manifest's "loads", as _fd_loads in a database. */
static void
manifest_load(struct dest *d, long long rows)
{
	char ts[sizeof("1970-01-01T00:00:00Z")];
	time_t t = time(NULL);
	jv loads;

	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	loads = oget(jv_copy(d->manifest), jv_string("loads"));
	if (jv_get_kind(loads) != JV_KIND_ARRAY) {
		jv_free(loads);
		loads = jv_array();
	}
	loads = jv_array_append(loads, jv_object_set(jv_object_set(
	    jv_object_set(jv_object_set(jv_object(), jv_string("load_id"),
	    jv_string(d->load_id)), jv_string("status"),
	    jv_string("completed")), jv_string("finished_at"), jv_string(ts)),
	    jv_string("rows"), jv_number((double)rows)));
	d->manifest = jv_object_set(d->manifest, jv_string("loads"), loads);
}

/* Frees d and releases its lock; the manifest is the caller's. */
static void
dest_free(struct dest *d)
{
	size_t i;

	fd_map_free(d->tables);
	for (i = 0; i < d->nsets; i++)
		free(d->sets[i].r);
	free(d->sets);
	free(d->recon_key);
	fd_buf_free(&d->val);
	fd_buf_free(&d->line);
	fd_buf_free(&d->retire);
	fd_state_unlock(d->lock);
	free(d->path);
	free(d->load_id);
	free(d);
}

static void
files_close(struct dest *d, long long rows)
{
	char why[FD_ERRSZ];
	struct fd_buf tmp = FD_BUF_INIT;
	struct table *t;
	size_t i;

	if (d == NULL)
		return;
	write_schemas(d);
	for (i = 0; fd_map_at(d->tables, i, (void **)&t) != NULL; i++)
		table_close(d, t, &tmp);
	fd_buf_free(&tmp);
	manifest_load(d, rows);
	if (fd_state_write(path_of(d, MANIFEST, NULL), d->manifest,
	    why) == -1)
		errx(FD_EXIT_FAIL, "%s", why);
	dest_free(d);
}

/*
 * An empty input: nothing written, the manifest unchanged; DIR, if
 * open made it, removed with its lock file (a load that opened the lock
 * file meanwhile fails: DIR is gone), so no empty tree is left.
 */
static void
files_discard(struct dest *d)
{
	if (d->made) {
		unlink(path_of(d, "_fd.lock", NULL));
		rmdir(d->path);
	}
	jv_free(d->manifest);
	dest_free(d);
}

const struct dest_ops csv_ops = {
	.scheme = "csv",
	.coarse = 1,
	.open = csv_open,
	.discard = files_discard,
	.columns = files_columns,
	.table = files_table,
	.row = files_row,
	.activate = files_activate,
	.unstage = files_unstage,
	.commit = files_commit,
	.ids = files_ids,
	.drop = files_drop,
	.reconcile = files_reconcile,
	.close = files_close,
};

const struct dest_ops jsonl_ops = {
	.scheme = "jsonl",
	.coarse = 1,
	.open = jsonl_open,
	.discard = files_discard,
	.columns = files_columns,
	.table = files_table,
	.row = files_row,
	.activate = files_activate,
	.unstage = files_unstage,
	.commit = files_commit,
	.ids = files_ids,
	.drop = files_drop,
	.reconcile = files_reconcile,
	.close = files_close,
};
