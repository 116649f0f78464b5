/*
 * flatten.c: records into rows, as dlt's relational normalizer does
 * (dlt-normalize-semantics.md sections 3 to 5).
 *
 * A record's object is walked with the JSON scanner, never parsed into
 * a tree: scalar values are copied from the input text into the row
 * (numbers exactly as written), nested objects are flattened into
 * "a__b" columns, lists become child tables.  dlt's orders are kept:
 * a level's scalars first, nested objects last seen first (a LIFO
 * stack), then the lists in the order they were met, each child row
 * followed by its own children.
 *
 * Each table keeps a trie of the raw key paths its rows have shown, so
 * a key is named (dlt's snake_case) once, not once per row.  A column's
 * type is the type of its first non-null value; a later value of
 * another type goes to the variant column "<col>__v_<type>", whose
 * type is that value's: nothing is dropped, nothing fails.
 */
#include <sys/random.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "digest.h"
#include "isotime.h"
#include "jscan.h"
#include "json.h"
#include "map.h"
#include "naming.h"
#include "singer.h"
#include "tool.h"
#include "extern.h"

/* Column types; the order of names[] and vsuffix[] below. */
enum ctype { CT_NONE, CT_INT, CT_NUM, CT_BOOL, CT_STR, CT_TIME, CT_JSON,
	CT_DEC, CT_COUNT };

/* dlt's data type names, used for variant columns and x-fd-type */
static const char *dlt_type[CT_COUNT] = { "", "bigint", "double", "bool",
	"text", "timestamp", "json", "decimal" };

static const char *json_schema[CT_COUNT] = {
	"",
	"{\"type\":[\"integer\",\"null\"],\"x-fd-type\":\"bigint\"}",
	"{\"type\":[\"number\",\"null\"],\"x-fd-type\":\"double\"}",
	"{\"type\":[\"boolean\",\"null\"],\"x-fd-type\":\"bool\"}",
	"{\"type\":[\"string\",\"null\"],\"x-fd-type\":\"text\"}",
	"{\"type\":[\"string\",\"null\"],\"format\":\"date-time\","
	    "\"x-fd-type\":\"timestamp\"}",
	"{\"type\":[\"object\",\"array\",\"null\"],\"x-fd-type\":\"json\"}",
	"{\"type\":[\"number\",\"null\"],\"x-fd-type\":\"decimal\"}",
};

struct column {
	char		*name;		/* normalized */
	unsigned long	 row;		/* the last row that wrote it */
	char		*member;	/* "name": as JSON, for records */
	size_t		 lmember;
	enum ctype	 type;
	struct column	*variant[CT_COUNT];	/* by value type */
};

struct table;

/* A raw key path of a table's rows, from the row's top. */
struct node {
	struct fd_map	*kids;		/* raw key -> struct node */
	char		**frags;	/* normalized keys from the top */
	size_t		 nfrags;
	char		*colname;	/* the column name of this path */
	struct column	*col;		/* its column, once a value came */
	struct table	*child;		/* its child table, once a list did */
};

struct table {
	char		*name;
	char		**frags;	/* fragments of the name, from the root */
	size_t		 nfrags;
	struct table	*root, *parent;
	struct fd_map	*cols;		/* name -> struct column */
	struct column	**order;	/* in order of appearance */
	size_t		 ncols, capcols;
	size_t		 sent;		/* columns in the last SCHEMA */
	struct node	 top;
	struct stream	*stream;	/* of the root */
	char		*head;		/* a RECORD's text up to its '{' */
	size_t		 lhead;
	int		 dup;		/* n-th other path of this name, or 0 */
	int		 ndups;		/* (first of a name) the others */
};

struct stream {
	struct table	*root;
	char		**keys;		/* raw primary key fields */
	size_t		*keylens;	/* (they may hold NUL bytes) */
	size_t		 nkeys;
	char		 disposition[16];
};

/* One value of a row being built. */
struct cell {
	struct node	*node;
	int		 kind;		/* FD_JTOK_* of the value */
	int		 flags;
	const char	*p;
	size_t		 len;
	enum ctype	 type;		/* of the value, once known */
	struct column	*col;		/* where it goes, once known */
};

/* A row being built: its cells and its lists (nodes and spans). */
struct row {
	struct cell	*cells;
	size_t		 n, cap;
	struct cell	*lists;
	size_t		 nlists, caplists;
};

/* A nested object waiting on the LIFO stack of a row. */
struct pending {
	const char	*p;
	size_t		 len;
	struct node	*node;
	int		 lvl;
};

static const struct norm_opts *opts;
static struct fd_buf	*out;
static struct fd_map	*streams;	/* name -> struct stream */
/* name -> struct table; a second path that gives a name that is taken
 * is kept under "name\001n", n its number */
static struct fd_map	*tables;
static struct row	*rows;		/* one per depth of child rows */
static size_t		 nrows;
static struct pending	*stack;
static size_t		 nstack, capstack;
static struct fd_buf	 tmp = FD_BUF_INIT, keytmp = FD_BUF_INIT;
static struct fd_singer_prop *props;	/* schema_out's */
static size_t		 capprops;
static char		 why[FD_ERRSZ];
static unsigned long	 serial;	/* of the row being written */
static struct fd_digest	*hasher;

/* The link column names, fd's or dlt's, and their members ("name":). */
static const char *c_id, *c_parent, *c_idx, *c_root;
static char *m_id, *m_parent, *m_idx, *m_root;

static char	*member(const char *);



static void
xgrow(void *pp, size_t *cap, size_t n, size_t size)
{
	void **p = pp;
	size_t c;

	if (n < *cap)
		return;
	c = *cap ? *cap * 2 : 16;
	if ((*p = reallocarray(*p, c, size)) == NULL)
		err(1, NULL);
	*cap = c;
}

void
flatten_init(const struct norm_opts *o, struct fd_buf *b)
{
	opts = o;
	out = b;
	if ((streams = fd_map_new()) == NULL ||
	    (tables = fd_map_new()) == NULL)
		err(1, NULL);
	if ((hasher = fd_digest_new()) == NULL)
		err(1, NULL);
	c_id = o->dlt ? "_dlt_id" : "_fd_id";
	c_parent = o->dlt ? "_dlt_parent_id" : "_fd_parent_id";
	c_idx = o->dlt ? "_dlt_list_idx" : "_fd_list_idx";
	c_root = o->dlt ? "_dlt_root_id" : "_fd_root_id";
	m_id = member(c_id);
	m_parent = member(c_parent);
	m_idx = member(c_idx);
	m_root = member(c_root);
}

/* Appends len bytes of s as a JSON string; dies of a name that is not
 * UTF-8 (naming gives UTF-8: it refuses what is not). */
static void
jstr(struct fd_buf *b, const char *s, size_t len)
{
	char n[FD_DIAG_NAMESZ];

	if (fd_json_put_string(b, s, len) == -1)
		err(1, "name %s", fd_diag_name(n, sizeof(n), s, len));
}

/* A name's member text, "name": (a new string). */
static char *
member(const char *name)
{
	fd_buf_reset(&keytmp);
	jstr(&keytmp, name, strlen(name));
	fd_buf_putc(&keytmp, ':');
	return xstrdup(keytmp.data);
}

/* Dies of a name that holds a NUL byte (the direct convention keeps
 * them; no destination takes one): what is the name of. */
static void
no_nul(const char *what, const char *raw, size_t rawlen,
    const struct fd_buf *name)
{
	char n[FD_DIAG_NAMESZ];

	if (memchr(name->data, '\0', name->len) != NULL)
		errx(1, "%s %s: a NUL byte cannot be in a table or column "
		    "name", what, fd_diag_name(n, sizeof(n), raw, rawlen));
}

static struct column *
column_new(struct table *t, const char *name, enum ctype type)
{
	struct column *c;

	if ((c = fd_map_get(t->cols, name, strlen(name))) != NULL)
		return c;	/* two paths with one name: one column */
	c = xcalloc(1, sizeof(*c));
	c->name = xstrdup(name);
	c->type = type;
	c->member = member(name);
	c->lmember = strlen(c->member);
	if (fd_map_put(t->cols, name, strlen(name), c) == -1)
		err(1, NULL);
	xgrow(&t->order, &t->capcols, t->ncols, sizeof(*t->order));
	t->order[t->ncols++] = c;
	return c;
}

/* Joins frags into a name with naming's shortening; dies on failure. */
static char *
path_name(char *const *frags, size_t n)
{
	char b[FD_DIAG_NAMESZ];

	fd_buf_reset(&tmp);
	if (fd_naming_path(opts->conv, (const char *const *)frags, n,
	    opts->max_length, &tmp, why) == -1)
		errx(1, "name %s: %s", fd_diag_name(b, sizeof(b), frags[n - 1],
		    strlen(frags[n - 1])), why);
	return xstrdup(tmp.data);
}

static struct table *
table_new(char **frags, size_t nfrags, struct table *parent)
{
	struct table *t = xcalloc(1, sizeof(*t)), *first;
	char b[FD_DIAG_NAMESZ];
	size_t i;

	t->frags = xcalloc(nfrags, sizeof(*t->frags));
	for (i = 0; i < nfrags; i++)
		t->frags[i] = xstrdup(frags[i]);
	t->nfrags = nfrags;
	t->name = path_name(t->frags, nfrags);
	fd_buf_reset(&keytmp);
	if (fd_singer_put_record_head(&keytmp, t->name) == -1 ||
	    fd_buf_putc(&keytmp, '{') == -1)
		err(1, "table %s", fd_diag_name(b, sizeof(b), t->name,
		    strlen(t->name)));
	t->head = xstrdup(keytmp.data);
	t->lhead = keytmp.len;
	t->parent = parent;
	t->root = parent != NULL ? parent->root : t;
	if ((t->cols = fd_map_new()) == NULL ||
	    (t->top.kids = fd_map_new()) == NULL)
		err(1, NULL);
	fd_buf_reset(&keytmp);
	fd_buf_puts(&keytmp, t->name);
	if ((first = fd_map_get(tables, t->name, strlen(t->name))) != NULL) {
		if (first->ndups++ == 0)
			warnx("table %s: two paths give this name; their rows "
			    "share it", fd_diag_name(b, sizeof(b), t->name,
			    strlen(t->name)));
		t->dup = first->ndups;
		fd_buf_printf(&keytmp, "\001%d", t->dup);
	}
	if (fd_map_put(tables, keytmp.data, keytmp.len, t) == -1)
		err(1, NULL);
	return t;
}

struct stream *
stream_get(const char *name, size_t len)
{
	struct stream *s;
	char *frag, b[FD_DIAG_NAMESZ];

	if ((s = fd_map_get(streams, name, len)) != NULL)
		return s;
	fd_buf_reset(&tmp);
	if (fd_naming_table(opts->conv, name, len, opts->max_length, &tmp,
	    why) == -1)
		errx(1, "stream %s: %s", fd_diag_name(b, sizeof(b), name, len),
		    why);
	no_nul("stream", name, len, &tmp);
	frag = xstrdup(tmp.data);
	s = xcalloc(1, sizeof(*s));
	s->root = table_new(&frag, 1, NULL);
	s->root->stream = s;
	free(frag);
	if (fd_map_put(streams, name, len, s) == -1)
		err(1, NULL);
	return s;
}

const char *
stream_table(const struct stream *s)
{
	return s->root->name;
}

void
stream_schema(struct stream *s, char *const *keys, const size_t *lens,
    size_t nkeys, const char *disposition)
{
	struct table *t;
	size_t i;

	for (i = 0; i < s->nkeys; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->keylens);
	s->keys = NULL;
	s->keylens = NULL;
	s->nkeys = 0;
	if (nkeys > 0) {
		s->keys = xcalloc(nkeys, sizeof(*s->keys));
		s->keylens = xcalloc(nkeys, sizeof(*s->keylens));
		for (i = 0; i < nkeys; i++) {
			if ((s->keys[i] = malloc(lens[i] + 1)) == NULL)
				err(1, NULL);
			memcpy(s->keys[i], keys[i], lens[i]);
			s->keys[i][lens[i]] = '\0';
			s->keylens[i] = lens[i];
		}
		s->nkeys = nkeys;
	}
	if (disposition == NULL)
		disposition = s->nkeys > 0 ? "merge" : "append";
	/* the root's SCHEMA is sent again with the new key; a new
	 * disposition is every table's, so each child's is sent again too
	 * (before its next row) */
	if (s->disposition[0] != '\0' &&
	    strcmp(s->disposition, disposition) != 0)
		for (i = 0; fd_map_at(tables, i, (void **)&t) != NULL; i++)
			if (t->root == s->root)
				t->sent = (size_t)-1;
	snprintf(s->disposition, sizeof(s->disposition), "%s", disposition);
	s->root->sent = (size_t)-1;
}

/* The child node of n for the raw key k (klen bytes), made on first
 * sight: the key is named once here. */
static struct node *
node_kid(struct node *n, const char *k, size_t klen)
{
	struct node *c;
	char b[FD_DIAG_NAMESZ];
	size_t i;

	if ((c = fd_map_get(n->kids, k, klen)) != NULL)
		return c;
	c = xcalloc(1, sizeof(*c));
	if ((c->kids = fd_map_new()) == NULL)
		err(1, NULL);
	fd_buf_reset(&tmp);
	if (fd_naming_key(opts->conv, k, klen, opts->max_length, &tmp,
	    why) == -1)
		errx(1, "key %s: %s", fd_diag_name(b, sizeof(b), k, klen), why);
	no_nul("key", k, klen, &tmp);
	c->frags = xcalloc(n->nfrags + 1, sizeof(*c->frags));
	for (i = 0; i < n->nfrags; i++)
		c->frags[i] = n->frags[i];	/* shared with the parent */
	c->frags[n->nfrags] = xstrdup(tmp.data);
	c->nfrags = n->nfrags + 1;
	c->colname = path_name(c->frags, c->nfrags);
	if (fd_map_put(n->kids, k, klen, c) == -1)
		err(1, NULL);
	return c;
}

/* The type of a scalar value, or CT_NONE for null. */
static enum ctype
value_type(const struct cell *v)
{
	char t[FD_ISOTIME_MAX];
	long long n;

	switch (v->kind) {
	case FD_JTOK_NUMBER:
		if (!(v->flags & FD_JTOK_INTEGER))
			return CT_NUM;
		return fd_jscan_int64(v->p, v->len, &n) == 0 ? CT_INT : CT_DEC;
	case FD_JTOK_TRUE:
	case FD_JTOK_FALSE:
		return CT_BOOL;
	case FD_JTOK_STRING:
		if (v->len < 18 || v->len > 40)
			return CT_STR;
		if (!(v->flags & FD_JTOK_ESCAPED))
			return fd_isotime_utc(v->p + 1, v->len - 2, t) == -1 ?
			    CT_STR : CT_TIME;
		fd_buf_reset(&tmp);
		if (fd_jscan_string(v->p, v->len, &tmp, why) == -1)
			return CT_STR;
		return fd_isotime_utc(tmp.data, tmp.len, t) == -1 ?
		    CT_STR : CT_TIME;
	case FD_JTOK_OBJECT:
	case FD_JTOK_ARRAY:
		return CT_JSON;
	default:
		return CT_NONE;
	}
}

/* Whether a value of type v goes into a column of type c. */
static int
fits(enum ctype c, enum ctype v)
{
	return c == v || (c == CT_NUM && v == CT_INT) ||
	    (c == CT_DEC && v == CT_INT) || (c == CT_STR && v == CT_TIME);
}

/* The column a value of type vt at node n goes to in table t. */
static struct column *
column_for(struct table *t, struct node *n, enum ctype vt)
{
	struct column *c = n->col;
	enum ctype base;
	char *frags[2], suffix[32];

	/* (two paths may give one name: the column may exist already) */
	if (c == NULL)
		c = n->col = column_new(t, n->colname, vt);
	if (fits(c->type, vt))
		return c;
	/* a time in a non-text column is a text variant, typed text */
	base = vt == CT_TIME ? CT_STR : vt;
	if (c->variant[base] == NULL) {
		snprintf(suffix, sizeof(suffix), "v_%s", dlt_type[base]);
		frags[0] = c->name;
		frags[1] = suffix;
		char *name = path_name(frags, 2);
		c->variant[base] = column_new(t, name, base);
		free(name);
	}
	return c->variant[base];
}

static void
schema_out(struct table *t)
{
	struct fd_singer_xfd x;
	struct stream *s = t->root->stream;
	char **names = NULL, b[FD_DIAG_NAMESZ];
	size_t i, nkeys = t == t->root ? s->nkeys : 0;

	if (t->sent == t->ncols)
		return;
	while (capprops <= t->ncols)
		xgrow(&props, &capprops, t->ncols, sizeof(*props));
	for (i = 0; i < t->ncols; i++) {
		props[i].name = t->order[i]->name;
		props[i].schema = json_schema[t->order[i]->type];
	}
	if (nkeys > 0)
		names = xcalloc(nkeys, sizeof(*names));
	for (i = 0; i < nkeys; i++) {
		fd_buf_reset(&keytmp);
		if (fd_naming_key(opts->conv, s->keys[i], s->keylens[i],
		    opts->max_length, &keytmp, why) == -1)
			errx(1, "key %s: %s", fd_diag_name(b, sizeof(b),
			    s->keys[i], s->keylens[i]), why);
		no_nul("key", s->keys[i], s->keylens[i], &keytmp);
		names[i] = xstrdup(keytmp.data);
	}
	x.disposition = s->disposition[0] ? s->disposition : "append";
	x.root = t->root->name;
	x.parent = t->parent != NULL ? t->parent->name : NULL;
	if (fd_singer_put_schema(out, t->name, props, t->ncols,
	    (const char *const *)names, nkeys, &x) == -1)
		err(1, "table %s", fd_diag_name(b, sizeof(b), t->name,
		    strlen(t->name)));
	for (i = 0; i < nkeys; i++)
		free(names[i]);
	free(names);
	t->sent = t->ncols;
}

/* Writes a value into the record, as a column of type vt holds it:
 * times in UTC, json compact, the rest as the input wrote it. */
static void
value_out(const struct cell *v, enum ctype vt)
{
	char t[FD_ISOTIME_MAX];
	int n;

	if (vt == CT_TIME) {
		if (v->flags & FD_JTOK_ESCAPED) {
			fd_buf_reset(&tmp);
			fd_jscan_string(v->p, v->len, &tmp, why);
			n = fd_isotime_utc(tmp.data, tmp.len, t);
		} else
			n = fd_isotime_utc(v->p + 1, v->len - 2, t);
		jstr(out, t, (size_t)n);
	} else if (vt == CT_JSON) {
		if (fd_jscan_compact(v->p, v->len, out, why) == -1)
			errx(1, "json value: %s", why);
	} else
		fd_buf_append(out, v->p, v->len);
}

/* Writes a link column: its member (m_*) and its value, a string
 * (quoted) or a number. */
static void
link_out(int first, const char *member, const char *v, size_t n,
    int quote)
{
	if (!first)
		fd_buf_putc(out, ',');
	fd_buf_puts(out, member);
	if (quote)
		jstr(out, v, n);
	else
		fd_buf_append(out, v, n);
}

static struct row *
row_at(size_t depth)
{
	if (depth >= nrows) {
		rows = reallocarray(rows, depth + 1, sizeof(*rows));
		if (rows == NULL)
			err(1, NULL);
		memset(rows + nrows, 0, (depth + 1 - nrows) * sizeof(*rows));
		nrows = depth + 1;
	}
	rows[depth].n = rows[depth].nlists = 0;
	return &rows[depth];
}

static void
cell_push(struct cell **v, size_t *n, size_t *cap, struct node *node,
    const struct fd_jtok *tok, const char *p, size_t len)
{
	xgrow(v, cap, *n, sizeof(**v));
	(*v)[*n].node = node;
	(*v)[*n].kind = tok->kind;
	(*v)[*n].flags = tok->flags;
	(*v)[*n].p = p;
	(*v)[*n].len = len;
	(*n)++;
}

/*
 * Collects the members of the object at (p, len), at level lvl, under
 * path node n, into row r: scalars as cells, nested objects onto the
 * stack, lists into r's lists.  dlt's is_nested_type: at level 0 or
 * below, or where the column is json already, objects and lists stay
 * whole as json values.
 */
static int
collect(struct row *r, const char *p, size_t len, struct node *n, int lvl,
    char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok key, val;
	struct node *kid;
	const char *k, *vp;
	size_t klen, vlen;
	int json, rc;

	fd_jscan_init(&js, p, len);
	if (fd_jscan_next(&js, &key) != FD_JTOK_OBJECT)
		return fd_diag_set(errbuf, "not an object");
	while ((rc = fd_jscan_member(&js, &key, &val, &vp, &vlen)) == 1) {
		if (key.flags & FD_JTOK_ESCAPED) {
			fd_buf_reset(&keytmp);
			if (fd_jscan_string(key.p, key.len, &keytmp,
			    errbuf) == -1)
				return -1;
			k = keytmp.data;
			klen = keytmp.len;
		} else {
			k = key.p + 1;
			klen = key.len - 2;
		}
		kid = node_kid(n, k, klen);
		if (val.kind == FD_JTOK_NULL)
			continue;
		if (val.kind != FD_JTOK_OBJECT && val.kind != FD_JTOK_ARRAY) {
			cell_push(&r->cells, &r->n, &r->cap, kid, &val, val.p,
			    val.len);
			continue;
		}
		json = lvl <= 0 || (kid->col != NULL &&
		    kid->col->type == CT_JSON);
		if (json)
			cell_push(&r->cells, &r->n, &r->cap, kid, &val, vp,
			    vlen);
		else if (val.kind == FD_JTOK_OBJECT) {
			xgrow(&stack, &capstack, nstack, sizeof(*stack));
			stack[nstack].p = vp;
			stack[nstack].len = vlen;
			stack[nstack].node = kid;
			stack[nstack].lvl = lvl - 1;
			nstack++;
		} else
			cell_push(&r->lists, &r->nlists, &r->caplists, kid,
			    &val, vp, vlen);
	}
	return rc == -1 ? fd_jscan_error(&js, errbuf) : 0;
}

/* The value of the top-level member key of row r, or NULL. */
static const struct cell *
top_value(struct table *t, const struct row *r, const char *key,
    size_t len)
{
	struct node *n = fd_map_get(t->top.kids, key, len);
	size_t i;

	if (n == NULL)
		return NULL;
	for (i = 0; i < r->n; i++)
		if (r->cells[i].node == n)
			return &r->cells[i];
	return NULL;
}

/* Appends a key value for an id: a string as its decoded text written
 * canonically, so that "\u00e9" and "é" give one id; other values as
 * written. */
static void
key_text(struct fd_buf *b, const struct cell *v)
{
	if (v->kind == FD_JTOK_STRING && (v->flags & FD_JTOK_ESCAPED)) {
		fd_buf_reset(&keytmp);
		if (fd_jscan_string(v->p, v->len, &keytmp, why) == 0 &&
		    memchr(keytmp.data, '\0', keytmp.len) == NULL) {
			jstr(b, keytmp.data, keytmp.len);
			return;
		}
	}
	fd_buf_append(b, v->p, v->len);
}

/*
 * The root row's id.  fd: a hash of the table name and the primary key
 * values (a record without a complete key: of the whole record), so a
 * re-run gives the same ids.  --dlt: dlt's upsert id, the hash of
 * {"<pk>":value} (one key), else random as dlt's default.
 */
static void
root_id(struct stream *s, const struct row *r, const char *rec, size_t len,
    char id[15])
{
	const struct cell *v;
	unsigned char rnd[10];
	char b[20];
	size_t i;

	fd_buf_reset(&tmp);
	if (opts->dlt) {
		if (s->nkeys == 1 &&
		    (v = top_value(s->root, r, s->keys[0], s->keylens[0])) !=
		    NULL) {
			fd_buf_puts(&tmp, "{");
			jstr(&tmp, v->node->frags[0],
			    strlen(v->node->frags[0]));
			fd_buf_putc(&tmp, ':');
			key_text(&tmp, v);
			fd_buf_puts(&tmp, "}");
			fd_digest_id(hasher, tmp.data, tmp.len, id);
			return;
		}
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			err(1, "getrandom");
		fd_digest_b64(rnd, sizeof(rnd), b);
		memcpy(id, b, 15);
		return;
	}
	fd_buf_puts(&tmp, s->root->name);
	for (i = 0; i < s->nkeys; i++) {
		if ((v = top_value(s->root, r, s->keys[i], s->keylens[i])) ==
		    NULL)
			break;
		fd_buf_putc(&tmp, '\n');
		key_text(&tmp, v);
	}
	if (s->nkeys == 0 || i < s->nkeys) {
		fd_buf_reset(&tmp);
		fd_buf_puts(&tmp, s->root->name);
		fd_buf_putc(&tmp, '\n');
		fd_buf_append(&tmp, rec, len);
	}
	if (fd_digest_id(hasher, tmp.data, tmp.len, id) == -1)
		errx(1, "libcrypto: SHAKE-128 failed");
}

struct ctx {
	const char	*version;
	size_t		 vlen;
	const char	*root;		/* the root row's id */
};

static int	row_write(struct ctx *, struct table *, size_t depth,
		    const char *obj, size_t len, const struct fd_jtok *one,
		    int lvl, const char *parent, long long idx, char *errbuf);

/*
 * Writes the child rows of list (p, len) of table t's row id: one per
 * element, at level lvl; objects flattened, scalars in "value", lists
 * of lists through an intermediate row holding "list".
 */
static int
list_write(struct ctx *c, struct table *t, struct node *n, size_t depth,
    const char *p, size_t len, int lvl, const char *id, char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok tok;
	struct table *child;
	const char *vp;
	size_t vlen;
	long long idx = 0;
	char **frags;
	size_t i;

	if ((child = n->child) == NULL) {
		frags = xcalloc(t->nfrags + n->nfrags, sizeof(*frags));
		for (i = 0; i < t->nfrags; i++)
			frags[i] = t->frags[i];
		for (i = 0; i < n->nfrags; i++)
			frags[t->nfrags + i] = n->frags[i];
		child = n->child = table_new(frags, t->nfrags + n->nfrags, t);
		free(frags);
	}
	fd_jscan_init(&js, p, len);
	fd_jscan_next(&js, &tok);	/* '[' */
	for (;; idx++) {
		if (fd_jscan_next(&js, &tok) == -1)
			return fd_jscan_error(&js, errbuf);
		if (tok.kind == FD_JTOK_ARRAY_END)
			break;
		if (tok.kind == FD_JTOK_OBJECT || tok.kind == FD_JTOK_ARRAY) {
			if (fd_jscan_skip(&js, &tok, &vp, &vlen) == -1)
				return fd_jscan_error(&js, errbuf);
			if (row_write(c, child, depth, vp, vlen,
			    tok.kind == FD_JTOK_ARRAY ? &tok : NULL,
			    tok.kind == FD_JTOK_ARRAY ? lvl - 1 : lvl, id, idx,
			    errbuf) == -1)
				return -1;
		} else if (row_write(c, child, depth, NULL, 0, &tok, lvl, id,
		    idx, errbuf) == -1)
			return -1;
	}
	return 0;
}

/*
 * Writes one row of table t and then its children.  The row is the
 * object (obj, len); or, with obj NULL, the scalar *one as "value";
 * or, with *one an array, the intermediate row of a list of lists.
 * parent is NULL for a root row.
 */
static int
row_write(struct ctx *c, struct table *t, size_t depth, const char *obj,
    size_t len, const struct fd_jtok *one, int lvl, const char *parent,
    long long idx, char *errbuf)
{
	struct row *r = row_at(depth);
	struct column *col;
	struct pending pd;
	size_t i, base = nstack;
	char id[64];
	int first = 1, own = 0;

	/* the cells of the row */
	if (one != NULL && one->kind == FD_JTOK_ARRAY) {
		struct node *ln = node_kid(&t->top, "list", 4);
		if (lvl <= 0 || (ln->col != NULL && ln->col->type == CT_JSON))
			cell_push(&r->cells, &r->n, &r->cap, ln, one, obj, len);
		else
			cell_push(&r->lists, &r->nlists, &r->caplists, ln, one,
			    obj, len);
	} else if (obj == NULL) {
		if (one->kind != FD_JTOK_NULL)
			cell_push(&r->cells, &r->n, &r->cap,
			    node_kid(&t->top, "value", 5), one, one->p,
			    one->len);
	} else {
		pd.p = obj;
		pd.len = len;
		pd.node = &t->top;
		pd.lvl = lvl;
		xgrow(&stack, &capstack, nstack, sizeof(*stack));
		stack[nstack++] = pd;
		while (nstack > base) {
			pd = stack[--nstack];
			if (collect(r, pd.p, pd.len, pd.node, pd.lvl,
			    errbuf) == -1) {
				nstack = base;
				return -1;
			}
		}
	}

	/* columns first (a new one means a new SCHEMA), then the record */
	for (i = 0; i < r->n; i++) {
		r->cells[i].type = value_type(&r->cells[i]);
		r->cells[i].col = column_for(t, r->cells[i].node,
		    r->cells[i].type);
	}
	/* two keys, one column ("a__x" and "a": {"x"}): the last wins */
	serial++;
	for (i = r->n; i-- > 0; ) {
		if (r->cells[i].col->row == serial)
			r->cells[i].col = NULL;
		else
			r->cells[i].col->row = serial;
	}
	/* a row that brings its own id keeps it (dlt's rule) */
	for (i = 0; i < r->n; i++) {
		struct cell *v = &r->cells[i];
		if (v->col != NULL && v->kind == FD_JTOK_STRING &&
		    !(v->flags & FD_JTOK_ESCAPED) && v->len > 2 &&
		    v->len - 2 < sizeof(id) && strcmp(v->col->name, c_id) == 0) {
			memcpy(id, v->p + 1, v->len - 2);
			id[v->len - 2] = '\0';
			own = 1;
			v->col = NULL;		/* written as the link column */
		}
	}
	/* ids */
	if (own)
		;
	else if (parent == NULL)
		root_id(t->stream, r, obj, len, id);
	else {
		char num[24];
		int k = (int)sizeof(num);
		long long v = idx;
		do
			num[--k] = (char)('0' + v % 10);
		while ((v /= 10) > 0);
		fd_buf_reset(&tmp);
		fd_buf_puts(&tmp, parent);
		fd_buf_putc(&tmp, '_');
		fd_buf_puts(&tmp, t->name);
		/* rows of another path with this name: ids of their own */
		if (t->dup > 0)
			fd_buf_printf(&tmp, "\001%d", t->dup);
		fd_buf_putc(&tmp, '_');
		fd_buf_append(&tmp, num + k, sizeof(num) - (size_t)k);
		if (fd_digest_id(hasher, tmp.data, tmp.len, id) == -1)
			errx(1, "libcrypto: SHAKE-128 failed");
		id[14] = '\0';
	}

	if (parent != NULL) {
		column_new(t, c_root, CT_STR);
		column_new(t, c_parent, CT_STR);
		column_new(t, c_idx, CT_INT);
	}
	column_new(t, c_id, CT_STR);
	schema_out(t);

	fd_buf_append(out, t->head, t->lhead);
	for (i = 0; i < r->n; i++) {
		if ((col = r->cells[i].col) == NULL)
			continue;
		if (!first)
			fd_buf_putc(out, ',');
		first = 0;
		fd_buf_append(out, col->member, col->lmember);
		value_out(&r->cells[i], col->type);
	}
	if (parent != NULL) {
		char num[24];
		int k = (int)sizeof(num);
		long long v = idx;
		do
			num[--k] = (char)('0' + v % 10);
		while ((v /= 10) > 0);
		link_out(first, m_root, c->root, strlen(c->root), 1);
		link_out(0, m_parent, parent, strlen(parent), 1);
		link_out(0, m_idx, num + k, sizeof(num) - (size_t)k, 0);
		first = 0;
	}
	link_out(first, m_id, id, strlen(id), 1);
	fd_buf_putc(out, '}');
	if (fd_singer_put_record_end(out, c->version, c->vlen) == -1)
		err(1, NULL);

	/* then the children, list by list */
	if (parent == NULL)
		c->root = xstrdup(id);
	/* rows[] moves as deeper rows are added: no pointer into it */
	for (i = 0; i < rows[depth].nlists; i++) {
		struct cell *l = &rows[depth].lists[i];
		if (list_write(c, t, l->node, depth + 1, l->p, l->len,
		    lvl - 1, id, errbuf) == -1)
			return -1;
	}
	return 0;
}

int
flatten_record(struct stream *s, const char *rec, size_t len,
    const char *version, size_t vlen, char *errbuf)
{
	struct ctx c = { version, vlen, NULL };
	int rc;

	if (s->disposition[0] == '\0')
		stream_schema(s, NULL, NULL, 0, NULL);
	rc = row_write(&c, s->root, 0, rec, len, NULL, opts->max_nesting,
	    NULL, 0, errbuf);
	free((char *)c.root);
	return rc;
}

static void
table_free(struct table *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		free(t->order[i]->name);
		free(t->order[i]->member);
		free(t->order[i]);
	}
	free(t->order);
	fd_map_free(t->cols);
	for (i = 0; i < t->nfrags; i++)
		free(t->frags[i]);
	free(t->frags);
	free(t->name);
	free(t->head);
	free(t);
}

static void
node_free(struct node *n, int self)
{
	struct node *k;
	size_t i;

	for (i = 0; fd_map_at(n->kids, i, (void **)&k) != NULL; i++)
		node_free(k, 1);
	fd_map_free(n->kids);
	if (self) {
		free(n->frags[n->nfrags - 1]);
		free(n->frags);
		free(n->colname);
		free(n);
	}
}

void
flatten_end(void)
{
	struct stream *s;
	struct table *t;
	size_t i, j;

	for (i = 0; fd_map_at(tables, i, (void **)&t) != NULL; i++) {
		node_free(&t->top, 0);
		table_free(t);
	}
	for (i = 0; fd_map_at(streams, i, (void **)&s) != NULL; i++) {
		for (j = 0; j < s->nkeys; j++)
			free(s->keys[j]);
		free(s->keys);
		free(s->keylens);
		free(s);
	}
	fd_map_free(tables);
	fd_map_free(streams);
	for (i = 0; i < nrows; i++) {
		free(rows[i].cells);
		free(rows[i].lists);
	}
	free(rows);
	free(stack);
	fd_digest_free(hasher);
	fd_buf_free(&tmp);
	fd_buf_free(&keytmp);
	free(props);
	free(m_id);
	free(m_parent);
	free(m_idx);
	free(m_root);
}
