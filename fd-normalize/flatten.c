/*
 * flatten.c: records into rows, as dlt's relational normalizer does
 * (dlt-normalize-semantics.md sections 3 to 5).
 *
 * A record's object is walked with the JSON scanner, never parsed into
 * a tree nor validated again (fd_jscan_init_valid: fd-normalize.c
 * validated the line it came in): scalar values are copied from the
 * input text into the row (numbers exactly as written), nested objects
 * are flattened into "a__b" columns, lists become child tables.  A
 * member's key is first compared with the one at its place in the
 * last object of its path (node's first and next), then looked up.
 * dlt's orders are kept: a level's scalars first, nested objects last
 * seen first (a LIFO stack), then the lists in the order they were met,
 * each child row followed by its own children.
 *
 * Each table keeps a trie of the raw key paths its rows have shown, so
 * a key is named (dlt's snake_case) once, not once per row.  A column's
 * type is the type of its first non-null value; a later value of
 * another type goes to the variant column "<col>__v_<type>", whose
 * type is that value's: nothing is dropped, nothing fails.
 *
 * Everything of a run is in its struct flattener: its tables, their
 * columns, and the scratch space of the row being written, reused from
 * row to row (a row allocates nothing once its columns exist).
 */
#include <sys/random.h>

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "coltype.h"
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

/* A hashed or random row id: the base64 of 10 bytes (fd_digest_id's,
 * digest.h), HASHID_LEN characters. */
#define HASHID_LEN	14
#define RANDOM_ID_BYTES	10
/* The room fd_digest_b64 needs for n bytes. */
#define B64_SZ(n)	(((n) + 2) / 3 * 4 + 1)
/* Room for a row's id: a row's own (a string it brings in the id
 * column, dlt's rule) is kept when it is shorter than this. */
#define ROWID_SZ	64
/* Room for a row's id as a JSON string: quotes, each byte escaped at
 * worst as \u00XX, the NUL. */
#define ROWID_JSON_SZ	(2 + 6 * (ROWID_SZ - 1) + 1)
/* A list index in decimal: the digits of any long long. */
#define IDX_SZ		24
/* A disposition, "replace" the longest, and its NUL. */
#define DISPOSITION_SZ	16
/* A variant column's last fragment: "v_" and a type's name. */
#define VSUFFIX_SZ	32
/* The lengths, quotes included, of a string that may be a date-time:
 * "YYYY-MM-DDTHH:MM" up to seconds, 9 digits of fraction and a zone. */
#define TIME_QLEN_MIN	18
#define TIME_QLEN_MAX	40
/* The length of a JSON integer that is a bigint whatever its digits:
 * 18 digits, or a sign and 17 (2^63 has 19). */
#define BIGINT_LEN_SURE	18
/* The property of a declared column that has no value yet. */
/* The first size of a growing array. */
#define GROW_MIN	16

/* The link columns, fd's or dlt's (--dlt). */
static const struct links {
	const char	*id, *parent, *idx, *root;
} link_names[2] = {
	{ "_fd_id", "_fd_parent_id", "_fd_list_idx", "_fd_root_id" },
	{ "_dlt_id", "_dlt_parent_id", "_dlt_list_idx", "_dlt_root_id" },
};

struct column {
	char		*name;		/* normalized */
	unsigned long	 row;		/* the last row that wrote it */
	size_t		 cell;		/* that row's cell of it */
	/* for records: ,"name":null as JSON; the member ,"name": is its
	 * first lmember bytes (without the comma: from member + 1) */
	char		*member;
	size_t		 lmember;
	enum fd_coltype	 type;
	struct column	*variant[FD_COL_NTYPES];	/* by value type */
};

struct table;

/* A raw key path of a table's rows, from the row's top. */
struct node {
	struct fd_map	*kids;		/* raw key -> struct node */
	char		*key;		/* its raw key (decoded); NULL */
	size_t		 klen;		/* at a table's top */
	/* the guesses of collect: the kid of the first member of the last
	 * object at this path, and the sibling that came after this node
	 * in it (records of a stream keep their keys' order) */
	struct node	*first, *next;
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
	int		 declared;	/* a SCHEMA of it was written */
	/* its link columns (NULL until its first row; a root row has
	 * only its id) */
	struct column	*l_id, *l_root, *l_parent, *l_idx;
	struct node	 top;
	struct stream	*stream;	/* of the root */
	char		*head;		/* a RECORD's text up to its '{' */
	size_t		 lhead;
	int		 dup;		/* n-th other path of this name, or 0 */
	int		 ndups;		/* (first of a name) the others */
	unsigned long long rows;	/* written */
};

struct stream {
	struct table	*root;
	char		**keys;		/* raw primary key fields */
	size_t		*keylens;	/* (they may hold NUL bytes) */
	size_t		 nkeys;
	char		 disposition[DISPOSITION_SZ]; /* "": none yet */
	/* the child tables declared (a SCHEMA written), in that order */
	struct table	**declared;
	size_t		 ndeclared, capdeclared;
};

/*
 * One value of a row being built: a scalar or a json value (never a
 * null: nulls are no cells), or a list.
 */
struct cell {
	struct node	*node;
	int		 kind;		/* FD_JTOK_* of the value */
	int		 flags;
	const char	*p;
	size_t		 len;
	enum fd_coltype	 type;		/* its type (row_columns) */
	struct column	*col;		/* where it goes; NULL: nowhere */
	/* a timestamp's value in UTC (value_type's, for value_out) */
	char		 utc[FD_ISOTIME_MAX];
	int		 lutc;
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

struct flattener {
	struct norm_opts	 opts;
	struct fd_buf		*out;		/* the caller's */
	struct fd_map		*streams;	/* name -> struct stream */
	/* name -> struct table; a second path that gives a name that is
	 * taken is kept under "name\001n", n its number */
	struct fd_map		*tables;
	struct fd_digest	*hasher;
	const struct links	*c;		/* the link columns' names */
	/* their members, "name": */
	char			*m_id, *m_parent, *m_idx, *m_root;
	unsigned long		 serial;	/* of the row being written */

	/* scratch, reused from row to row */
	struct row		*rows;		/* one per depth of rows */
	size_t			 nrows;
	struct pending		*stack;
	size_t			 nstack, capstack;
	struct fd_buf		 tmp, keytmp;
	char			**frags;	/* list_write's */
	size_t			 capfrags;
	struct fd_singer_prop	*props;		/* schema_out's */
	size_t			 capprops;
	/* schema_out's key columns: their names, each ending in a NUL,
	 * and pointers to them */
	struct fd_buf		 keynames;
	char			**keyptrs;
	size_t			 capkeyptrs;
	char			 why[FD_ERRSZ];
};

/* A row's id, as text and as a JSON string (made once: its child
 * rows write it as their parent's, or their root's). */
struct rowid {
	char		 text[ROWID_SZ];
	char		 json[ROWID_JSON_SZ];
	size_t		 ljson;
};

/* The record being written: what its rows share. */
struct ctx {
	const struct fd_singer_member *mem;	/* flatten_record's */
	size_t		 nmem;
	const char	*version;
	size_t		 vlen;
	struct rowid	 root;		/* the root row's id */
};

/* Grows the array *pp (of *cap elements of size bytes) to hold more
 * than n. */
static void
xgrow(void *pp, size_t *cap, size_t n, size_t size)
{
	void **p = pp;
	size_t c;

	if (n < *cap)
		return;
	for (c = *cap ? *cap * 2 : GROW_MIN; c <= n; c *= 2)
		;
	*p = xreallocarray(*p, c, size);
	*cap = c;
}

/* Appends len bytes of s as a JSON string; dies of a name that is not
 * UTF-8 (naming gives UTF-8: it refuses what is not). */
static void
jstr(struct fd_buf *b, const char *s, size_t len)
{
	char n[FD_DIAG_NAMESZ];

	if (fd_json_put_string(b, s, len) == -1)
		err(FD_EXIT_FAIL, "name %s", fd_diag_name(n, sizeof(n), s,
		    len));
}

/* A name's member text, "name": (a new string). */
static char *
member(struct flattener *f, const char *name)
{
	fd_buf_reset(&f->keytmp);
	jstr(&f->keytmp, name, strlen(name));
	fd_buf_putc(&f->keytmp, ':');
	return xstrdup(xbuf(&f->keytmp));
}

struct flattener *
flatten_init(const struct norm_opts *o, struct fd_buf *out)
{
	struct flattener *f = xcalloc(1, sizeof(*f));

	f->opts = *o;
	f->out = out;
	if ((f->streams = fd_map_new()) == NULL ||
	    (f->tables = fd_map_new()) == NULL ||
	    (f->hasher = fd_digest_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	f->c = &link_names[o->dlt ? 1 : 0];
	f->m_id = member(f, f->c->id);
	f->m_parent = member(f, f->c->parent);
	f->m_idx = member(f, f->c->idx);
	f->m_root = member(f, f->c->root);
	return f;
}

/* Dies of a name that holds a NUL byte (the direct convention keeps
 * them; no destination takes one): what is the name of. */
static void
no_nul(const char *what, const char *raw, size_t rawlen,
    const struct fd_buf *name)
{
	char n[FD_DIAG_NAMESZ];

	if (memchr(name->data, '\0', name->len) != NULL)
		errx(FD_EXIT_FAIL, "%s %s: a NUL byte cannot be in a table or "
		    "column name", what, fd_diag_name(n, sizeof(n), raw,
		    rawlen));
}

static struct column *
column_new(struct flattener *f, struct table *t, const char *name,
    enum fd_coltype type)
{
	struct column *c;

	if ((c = fd_map_get(t->cols, name, strlen(name))) != NULL)
		return c;	/* two paths with one name: one column */
	c = xcalloc(1, sizeof(*c));
	c->name = xstrdup(name);
	c->type = type;
	fd_buf_reset(&f->keytmp);
	fd_buf_putc(&f->keytmp, ',');
	jstr(&f->keytmp, name, strlen(name));
	fd_buf_putc(&f->keytmp, ':');
	c->lmember = f->keytmp.len;
	fd_buf_puts(&f->keytmp, "null");
	c->member = xstrdup(xbuf(&f->keytmp));
	if (fd_map_put(t->cols, name, strlen(name), c) == -1)
		err(FD_EXIT_FAIL, NULL);
	xgrow(&t->order, &t->capcols, t->ncols, sizeof(*t->order));
	t->order[t->ncols++] = c;
	return c;
}

/* Joins frags into a name with naming's shortening; dies on failure. */
static char *
path_name(struct flattener *f, char *const *frags, size_t n)
{
	char b[FD_DIAG_NAMESZ];

	fd_buf_reset(&f->tmp);
	if (fd_naming_path(f->opts.conv, (const char *const *)frags, n,
	    f->opts.max_length, &f->tmp, f->why) == -1)
		errx(FD_EXIT_FAIL, "name %s: %s", fd_diag_name(b, sizeof(b),
		    frags[n - 1], strlen(frags[n - 1])), f->why);
	return xstrdup(xbuf(&f->tmp));
}

/* Files table t under its name in f's tables: a second table of a name
 * is warned of once and gets its number (t->dup). */
static void
table_file(struct flattener *f, struct table *t)
{
	struct table *first;

	fd_buf_reset(&f->keytmp);
	fd_buf_puts(&f->keytmp, t->name);
	if ((first = fd_map_get(f->tables, t->name, strlen(t->name))) !=
	    NULL) {
		if (first->ndups++ == 0 && !f->opts.quiet)
			warnx("table %s: two paths give this name; their rows "
			    "share it", showname(t->name));
		t->dup = first->ndups;
		fd_buf_printf(&f->keytmp, "\001%d", t->dup);
	}
	xbuf_check(&f->keytmp);
	if (fd_map_put(f->tables, f->keytmp.data, f->keytmp.len, t) == -1)
		err(FD_EXIT_FAIL, NULL);
}

/* The table of the name frags (nfrags of them, copied) under parent
 * (NULL for a root). */
static struct table *
table_new(struct flattener *f, char *const *frags, size_t nfrags,
    struct table *parent)
{
	struct table *t;
	char *name;
	size_t i;

	/* (it dies of a name before anything is allocated) */
	name = path_name(f, frags, nfrags);
	t = xcalloc(1, sizeof(*t));
	t->name = name;
	t->frags = xcalloc(nfrags, sizeof(*t->frags));
	for (i = 0; i < nfrags; i++)
		t->frags[i] = xstrdup(frags[i]);
	t->nfrags = nfrags;
	fd_buf_reset(&f->keytmp);
	if (fd_singer_put_record_head(&f->keytmp, t->name) == -1 ||
	    fd_buf_putc(&f->keytmp, '{') == -1)
		err(FD_EXIT_FAIL, "table %s", showname(t->name));
	t->head = xstrdup(f->keytmp.data);
	t->lhead = f->keytmp.len;
	t->parent = parent;
	t->root = parent != NULL ? parent->root : t;
	if ((t->cols = fd_map_new()) == NULL ||
	    (t->top.kids = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	table_file(f, t);
	return t;
}

struct stream *
stream_get(struct flattener *f, const char *name, size_t len)
{
	struct stream *s;
	char *frag, b[FD_DIAG_NAMESZ];

	if ((s = fd_map_get(f->streams, name, len)) != NULL)
		return s;
	fd_buf_reset(&f->tmp);
	if (fd_naming_table(f->opts.conv, name, len, f->opts.max_length,
	    &f->tmp, f->why) == -1)
		errx(FD_EXIT_FAIL, "stream %s: %s", fd_diag_name(b, sizeof(b),
		    name, len), f->why);
	no_nul("stream", name, len, &f->tmp);
	frag = xstrdup(xbuf(&f->tmp));
	s = xcalloc(1, sizeof(*s));
	s->root = table_new(f, &frag, 1, NULL);
	s->root->stream = s;
	free(frag);
	if (fd_map_put(f->streams, name, len, s) == -1)
		err(FD_EXIT_FAIL, NULL);
	return s;
}

const char *
stream_table(const struct stream *s)
{
	return s->root->name;
}

void
stream_activate(struct flattener *f, const struct stream *s,
    const char *version, size_t vlen)
{
	size_t i;

	/* (names are UTF-8: naming made them) */
	if (fd_singer_put_activate_version(f->out, s->root->name, version,
	    vlen) == -1)
		err(FD_EXIT_FAIL, "table %s", showname(s->root->name));
	for (i = 0; i < s->ndeclared; i++)
		if (fd_singer_put_activate_version(f->out,
		    s->declared[i]->name, version, vlen) == -1)
			err(FD_EXIT_FAIL, "table %s",
			    showname(s->declared[i]->name));
}

static void
stream_keys_free(struct stream *s)
{
	size_t i;

	for (i = 0; i < s->nkeys; i++)
		free(s->keys[i]);
	free(s->keys);
	free(s->keylens);
	s->keys = NULL;
	s->keylens = NULL;
	s->nkeys = 0;
}

void
stream_schema(struct flattener *f, struct stream *s, char *const *keys,
    const size_t *lens, size_t nkeys, const char *disposition)
{
	struct table *t;
	size_t i;

	stream_keys_free(s);
	if (nkeys > 0) {
		s->keys = xcalloc(nkeys, sizeof(*s->keys));
		s->keylens = xcalloc(nkeys, sizeof(*s->keylens));
		for (i = 0; i < nkeys; i++) {
			s->keys[i] = xmalloc(lens[i] + 1);
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
		for (i = 0; fd_map_at(f->tables, i, (void **)&t) != NULL; i++)
			if (t->root == s->root)
				t->sent = (size_t)-1;
	snprintf(s->disposition, sizeof(s->disposition), "%s", disposition);
	s->root->sent = (size_t)-1;
}

/* The child node of n for the raw key k (klen bytes), made on first
 * sight: the key is named once here. */
static struct node *
node_kid(struct flattener *f, struct node *n, const char *k, size_t klen)
{
	struct node *c;
	char b[FD_DIAG_NAMESZ];
	size_t i;

	if ((c = fd_map_get(n->kids, k, klen)) != NULL)
		return c;
	fd_buf_reset(&f->tmp);
	if (fd_naming_key(f->opts.conv, k, klen, f->opts.max_length, &f->tmp,
	    f->why) == -1)
		errx(FD_EXIT_FAIL, "key %s: %s", fd_diag_name(b, sizeof(b), k,
		    klen), f->why);
	no_nul("key", k, klen, &f->tmp);
	c = xcalloc(1, sizeof(*c));
	if ((c->kids = fd_map_new()) == NULL)
		err(FD_EXIT_FAIL, NULL);
	c->key = xmalloc(klen + 1);
	memcpy(c->key, k, klen);
	c->key[klen] = '\0';
	c->klen = klen;
	c->frags = xcalloc(n->nfrags + 1, sizeof(*c->frags));
	for (i = 0; i < n->nfrags; i++)
		c->frags[i] = n->frags[i];	/* shared with the parent */
	c->frags[n->nfrags] = xstrdup(xbuf(&f->tmp));
	c->nfrags = n->nfrags + 1;
	if (fd_map_put(n->kids, k, klen, c) == -1)
		err(FD_EXIT_FAIL, NULL);
	c->colname = path_name(f, c->frags, c->nfrags);
	return c;
}

/* The node under n of the member whose key is the token key (a JSON
 * string), or NULL with the reason in errbuf (an escape that does not
 * decode). */
static struct node *
member_node(struct flattener *f, struct node *n, const struct fd_jtok *key,
    char *errbuf)
{
	if (!(key->flags & FD_JTOK_ESCAPED))
		return node_kid(f, n, key->p + 1, key->len - 2);
	fd_buf_reset(&f->keytmp);
	if (fd_jscan_string(key->p, key->len, &f->keytmp, errbuf) == -1)
		return NULL;
	xbuf_check(&f->keytmp);
	return node_kid(f, n, f->keytmp.data, f->keytmp.len);
}

/*
 * The node under n of the member whose key is the token key, the
 * member after the one of node prev (NULL: the first) in an object:
 * the node that came there in the last object at n when its raw key is
 * key's, else member_node's, which is then the guess for next time.
 * NULL as member_node.
 */
static struct node *
member_next(struct flattener *f, struct node *n, struct node *prev,
    const struct fd_jtok *key, char *errbuf)
{
	struct node *g = prev != NULL ? prev->next : n->first;

	if (g != NULL && !(key->flags & FD_JTOK_ESCAPED) &&
	    g->klen == key->len - 2 &&
	    memcmp(g->key, key->p + 1, g->klen) == 0)
		return g;
	if ((g = member_node(f, n, key, errbuf)) == NULL)
		return NULL;
	if (prev != NULL)
		prev->next = g;
	else
		n->first = g;
	return g;
}

/* What a JSON Schema property's "type" allows (HINT_*), 0 when it has
 * no "type" or one that is not a name or a list of names.  *one is the
 * column type of a property that allows null and exactly one of
 * integer, boolean or string: the type that takes each of its values
 * as inference types it (bigint, bool; text, or timestamp for a string
 * of format date-time); else -1.  (A number is left out: a column made
 * of integers is bigint, and a double one in a destination of an
 * earlier run would split its values.) */
#define HINT_SCALAR	0x1	/* null, string, integer, number, boolean */
#define HINT_OBJECT	0x2
#define HINT_ARRAY	0x4

static int
hint_kinds(const char *p, size_t len, int *one)
{
	unsigned types = fd_coltype_json_types(p, len);
	int k = 0;

	*one = -1;
	if (types & FD_JT_SCALAR)
		k |= HINT_SCALAR;
	if (types & FD_JT_OBJECT)
		k |= HINT_OBJECT;
	if (types & FD_JT_ARRAY)
		k |= HINT_ARRAY;
	switch (types & ~FD_JT_NULL) {
	case FD_JT_INTEGER:
		*one = FD_COL_BIGINT;
		break;
	case FD_JT_BOOLEAN:
		*one = FD_COL_BOOL;
		break;
	case FD_JT_STRING:
		/* (a time in a text column stays text: fits) */
		*one = fd_coltype_datetime(p, len) ? FD_COL_TIMESTAMP :
		    FD_COL_TEXT;
		break;
	}
	return k;
}

/*
 * Declares the columns of the properties (the JSON object props, plen
 * bytes) under node n of root table t, at level lvl (collect's): a
 * property that a value of would be a column of t, typed to take any
 * of its values (hint_kinds' one), in the properties' order.  An object with properties is walked as collect flattens one;
 * a list (a child table), an object without properties and a property
 * of any other type are left to the data, so that a column's type is
 * always the one its values give (no column is declared without a
 * type: a target that makes its table from the first SCHEMA would make
 * it of another type, then change it).
 */
static void
hint_walk(struct flattener *f, struct table *t, struct node *n,
    const char *props, size_t plen, int lvl)
{
	struct fd_jscan js;
	struct fd_jtok key, val;
	struct node *kid;
	const char *vp, *sub;
	size_t vlen, slen;
	int kinds, one;

	fd_jscan_init(&js, props, plen);
	if (fd_jscan_next(&js, &key) != FD_JTOK_OBJECT)
		return;
	while (fd_jscan_member(&js, &key, &val, &vp, &vlen) == 1) {
		if (val.kind != FD_JTOK_OBJECT ||
		    (kinds = hint_kinds(vp, vlen, &one)) == 0)
			continue;
		if ((kid = member_node(f, n, &key, f->why)) == NULL)
			continue;
		if (lvl > 0 && (kinds & HINT_ARRAY))
			continue;
		if (lvl > 0 && (kinds & HINT_OBJECT)) {
			if (fd_jscan_field(vp, vlen, "properties", &sub, &slen,
			    NULL) == 0 && *sub == '{')
				hint_walk(f, t, kid, sub, slen, lvl - 1);
			continue;
		}
		if (kid->col != NULL || one == -1)
			continue;
		kid->col = column_new(f, t, kid->colname, one);
	}
}

void
stream_hints(struct flattener *f, struct stream *s, const char *schema,
    size_t len)
{
	const char *props;
	size_t plen;

	if (!f->opts.dense || fd_jscan_field(schema, len, "properties",
	    &props, &plen, NULL) != 0 || *props != '{')
		return;
	hint_walk(f, s->root, &s->root->top, props, plen, f->opts.max_nesting);
}

/* The type of a cell's value (a scalar, or json: never a null); a
 * timestamp's text in UTC goes to the cell's utc. */
static enum fd_coltype
value_type(struct flattener *f, struct cell *v)
{
	long long n;

	switch (v->kind) {
	case FD_JTOK_NUMBER:
		if (!(v->flags & FD_JTOK_INTEGER))
			return FD_COL_DOUBLE;
		return v->len <= BIGINT_LEN_SURE ||
		    fd_jscan_int64(v->p, v->len, &n) == 0 ?
		    FD_COL_BIGINT : FD_COL_DECIMAL;
	case FD_JTOK_TRUE:
	case FD_JTOK_FALSE:
		return FD_COL_BOOL;
	case FD_JTOK_STRING:
		if (v->len < TIME_QLEN_MIN || v->len > TIME_QLEN_MAX)
			return FD_COL_TEXT;
		if (!(v->flags & FD_JTOK_ESCAPED))
			v->lutc = fd_isotime_utc(v->p + 1, v->len - 2, v->utc);
		else {
			fd_buf_reset(&f->tmp);
			if (fd_jscan_string(v->p, v->len, &f->tmp,
			    f->why) == -1) {
				xbuf_check(&f->tmp);	/* (ENOMEM) */
				return FD_COL_TEXT;
			}
			v->lutc = fd_isotime_utc(f->tmp.data, f->tmp.len,
			    v->utc);
		}
		return v->lutc == -1 ? FD_COL_TEXT : FD_COL_TIMESTAMP;
	default:	/* FD_JTOK_OBJECT, FD_JTOK_ARRAY */
		return FD_COL_JSON;
	}
}

/* Whether a value of type v goes into a column of type c. */
static int
fits(enum fd_coltype c, enum fd_coltype v)
{
	return c == v || (c == FD_COL_DOUBLE && v == FD_COL_BIGINT) ||
	    (c == FD_COL_DECIMAL && v == FD_COL_BIGINT) ||
	    (c == FD_COL_TEXT && v == FD_COL_TIMESTAMP);
}

/* The column a value of type vt at node n goes to in table t. */
static struct column *
column_for(struct flattener *f, struct table *t, struct node *n,
    enum fd_coltype vt)
{
	struct column *c = n->col;
	enum fd_coltype base;
	char *frags[2], suffix[VSUFFIX_SZ], *name;

	/* (two paths may give one name: the column may exist already) */
	if (c == NULL)
		c = n->col = column_new(f, t, n->colname, vt);
	if (fits(c->type, vt))
		return c;
	/* a time in a non-text column is a text variant, typed text */
	base = vt == FD_COL_TIMESTAMP ? FD_COL_TEXT : vt;
	if (c->variant[base] == NULL) {
		snprintf(suffix, sizeof(suffix), "v_%s",
		    fd_coltype_name(base));
		frags[0] = c->name;
		frags[1] = suffix;
		name = path_name(f, frags, 2);
		c->variant[base] = column_new(f, t, name, base);
		free(name);
	}
	return c->variant[base];
}

/* The names of stream s's key fields as columns, into f's keyptrs;
 * dies of one that gives no column name. */
static char **
key_columns(struct flattener *f, const struct stream *s)
{
	char b[FD_DIAG_NAMESZ];
	size_t i, at;

	fd_buf_reset(&f->keynames);
	for (i = 0; i < s->nkeys; i++) {
		fd_buf_reset(&f->keytmp);
		if (fd_naming_key(f->opts.conv, s->keys[i], s->keylens[i],
		    f->opts.max_length, &f->keytmp, f->why) == -1)
			errx(FD_EXIT_FAIL, "key %s: %s", fd_diag_name(b,
			    sizeof(b), s->keys[i], s->keylens[i]), f->why);
		no_nul("key", s->keys[i], s->keylens[i], &f->keytmp);
		fd_buf_puts(&f->keynames, xbuf(&f->keytmp));
		fd_buf_putc(&f->keynames, '\0');
	}
	xbuf_check(&f->keynames);
	xgrow(&f->keyptrs, &f->capkeyptrs, s->nkeys, sizeof(*f->keyptrs));
	for (i = 0, at = 0; i < s->nkeys; i++) {
		f->keyptrs[i] = f->keynames.data + at;
		at += strlen(f->keyptrs[i]) + 1;
	}
	return f->keyptrs;
}

/* Adds child table t, whose first SCHEMA is being written, to the
 * tables of stream s that an ACTIVATE_VERSION names: once a name (two
 * paths may give one, table's dup). */
static void
declare(struct stream *s, struct table *t)
{
	size_t i;

	for (i = 0; i < s->ndeclared; i++)
		if (strcmp(s->declared[i]->name, t->name) == 0)
			return;
	xgrow(&s->declared, &s->capdeclared, s->ndeclared,
	    sizeof(*s->declared));
	s->declared[s->ndeclared++] = t;
}

/* Writes table t's SCHEMA when it has columns its last one lacked, or
 * its stream's key or disposition changed. */
static void
schema_out(struct flattener *f, struct table *t)
{
	struct fd_singer_xfd x;
	struct stream *s = t->root->stream;
	char **names = NULL, *idname[1];
	size_t i, nkeys = t == t->root ? s->nkeys : 1;

	if (t->sent == t->ncols)
		return;
	xgrow(&f->props, &f->capprops, t->ncols, sizeof(*f->props));
	for (i = 0; i < t->ncols; i++) {
		f->props[i].name = t->order[i]->name;
		f->props[i].schema = fd_coltype_schema(t->order[i]->type);
	}
	if (t != t->root) {
		/* a child row's key: its id, a function of its place */
		idname[0] = (char *)f->c->id;
		names = idname;
	} else if (nkeys > 0)
		names = key_columns(f, s);
	x.disposition = s->disposition[0] ? s->disposition : "append";
	x.root = t->root->name;
	x.parent = t->parent != NULL ? t->parent->name : NULL;
	if (fd_singer_put_schema(f->out, t->name, f->props, t->ncols,
	    (const char *const *)names, nkeys, &x) == -1)
		err(FD_EXIT_FAIL, "table %s", showname(t->name));
	t->sent = t->ncols;
	if (!t->declared && t != t->root)
		declare(s, t);
	t->declared = 1;
}

/* Writes a value into the record, as a column of type vt holds it:
 * times in UTC (a timestamp column's values are timestamps, typed by
 * value_type; one written in UTC already is copied), json compact, the
 * rest as the input wrote it. */
static void
value_out(struct flattener *f, const struct cell *v, enum fd_coltype vt)
{
	if (vt == FD_COL_TIMESTAMP) {
		if (!(v->flags & FD_JTOK_ESCAPED) &&
		    v->len - 2 == (size_t)v->lutc &&
		    memcmp(v->p + 1, v->utc, v->len - 2) == 0)
			fd_buf_append(f->out, v->p, v->len);
		else
			jstr(f->out, v->utc, (size_t)v->lutc);
	} else if (vt == FD_COL_JSON) {
		if (fd_jscan_compact(v->p, v->len, f->out, f->why) == -1)
			errx(FD_EXIT_FAIL, "json value: %s", f->why);
	} else
		fd_buf_append(f->out, v->p, v->len);
}

/* Writes the member m (lm bytes) of a link column and its value, n
 * bytes of JSON text (a row id's json, an index). */
static void
link_put(struct flattener *f, const char *m, size_t lm, const char *v,
    size_t n)
{
	fd_buf_append(f->out, m, lm);
	fd_buf_append(f->out, v, n);
}

/* As link_put, with the member of a link name (m_*), after a comma
 * unless first. */
static void
link_out(struct flattener *f, int first, const char *member, const char *v,
    size_t n)
{
	if (!first)
		fd_buf_putc(f->out, ',');
	link_put(f, member, strlen(member), v, n);
}

/* The row of a depth, emptied. */
static struct row *
row_at(struct flattener *f, size_t depth)
{
	if (depth >= f->nrows) {
		f->rows = xreallocarray(f->rows, depth + 1, sizeof(*f->rows));
		memset(f->rows + f->nrows, 0,
		    (depth + 1 - f->nrows) * sizeof(*f->rows));
		f->nrows = depth + 1;
	}
	f->rows[depth].n = f->rows[depth].nlists = 0;
	return &f->rows[depth];
}

static void
cell_push(struct cell **v, size_t *n, size_t *cap, struct node *node,
    const struct fd_jtok *tok, const char *p, size_t len)
{
	if (*n >= *cap)
		xgrow(v, cap, *n, sizeof(**v));
	(*v)[*n].node = node;
	(*v)[*n].kind = tok->kind;
	(*v)[*n].flags = tok->flags;
	(*v)[*n].p = p;
	(*v)[*n].len = len;
	(*n)++;
}

/* Pushes the nested object (p, len) at node n, level lvl, onto f's
 * stack. */
static void
stack_push(struct flattener *f, const char *p, size_t len, struct node *n,
    int lvl)
{
	xgrow(&f->stack, &f->capstack, f->nstack, sizeof(*f->stack));
	f->stack[f->nstack].p = p;
	f->stack[f->nstack].len = len;
	f->stack[f->nstack].node = n;
	f->stack[f->nstack].lvl = lvl;
	f->nstack++;
}

/* Whether a value at node n, at level lvl, stays whole as a json value
 * (dlt's is_nested_type): at level 0 or below, or where the column is
 * json already. */
static int
stays_json(const struct node *n, int lvl)
{
	return lvl <= 0 || (n->col != NULL && n->col->type == FD_COL_JSON);
}

/*
 * Collects a member (key, its value's first token val, the value's
 * span vp, vlen) of an object at level lvl under path node n into row
 * r: a scalar as a cell, a nested object onto the stack, a list into
 * r's lists; an object or list that stays json (stays_json) as a cell.
 * *kid is the node of the member before it in the object (NULL: none),
 * and becomes this one's.  0, or -1 as member_node.
 */
static inline int
collect_member(struct flattener *f, struct row *r, struct node *n,
    struct node **kid, const struct fd_jtok *key, const struct fd_jtok *val,
    const char *vp, size_t vlen, int lvl, char *errbuf)
{
	struct node *k;

	if ((k = *kid = member_next(f, n, *kid, key, errbuf)) == NULL)
		return -1;
	if (val->kind == FD_JTOK_NULL)
		return 0;
	if (val->kind != FD_JTOK_OBJECT && val->kind != FD_JTOK_ARRAY)
		cell_push(&r->cells, &r->n, &r->cap, k, val, val->p,
		    val->len);
	else if (stays_json(k, lvl))
		cell_push(&r->cells, &r->n, &r->cap, k, val, vp, vlen);
	else if (val->kind == FD_JTOK_OBJECT)
		stack_push(f, vp, vlen, k, lvl - 1);
	else
		cell_push(&r->lists, &r->nlists, &r->caplists, k, val, vp,
		    vlen);
	return 0;
}

/* Collects the members of the object at (p, len) (collect_member). */
static int
collect(struct flattener *f, struct row *r, const char *p, size_t len,
    struct node *n, int lvl, char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok key, val;
	struct node *kid = NULL;
	const char *vp;
	size_t vlen;
	int rc;

	fd_jscan_init_valid(&js, p, len);
	if (fd_jscan_next(&js, &key) != FD_JTOK_OBJECT)
		return fd_diag_set(errbuf, "not an object");
	while ((rc = fd_jscan_member(&js, &key, &val, &vp, &vlen)) == 1)
		if (collect_member(f, r, n, &kid, &key, &val, vp, vlen, lvl,
		    errbuf) == -1)
			return -1;
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
key_text(struct flattener *f, struct fd_buf *b, const struct cell *v)
{
	if (v->kind == FD_JTOK_STRING && (v->flags & FD_JTOK_ESCAPED)) {
		fd_buf_reset(&f->keytmp);
		if (fd_jscan_string(v->p, v->len, &f->keytmp, f->why) == 0 &&
		    memchr(f->keytmp.data, '\0', f->keytmp.len) == NULL) {
			jstr(b, f->keytmp.data, f->keytmp.len);
			return;
		}
		xbuf_check(&f->keytmp);	/* (ENOMEM: no fallback) */
	}
	fd_buf_append(b, v->p, v->len);
}

/* The id of the text in f's tmp (hashed: dlt's row id) into id. */
static void
hash_id(struct flattener *f, char id[ROWID_SZ])
{
	xbuf_check(&f->tmp);
	if (fd_digest_id(f->hasher, f->tmp.data, f->tmp.len, id) == -1)
		errx(FD_EXIT_FAIL, "libcrypto: SHAKE-128 failed");
	id[HASHID_LEN] = '\0';
}

/*
 * The root row's id.  fd: a hash of the table name and the primary key
 * values (a record without a complete key: of the whole record), so a
 * re-run gives the same ids.  --dlt: dlt's upsert id, the hash of
 * {"<pk>":value} (one key), else random as dlt's default.
 */
static void
root_id(struct flattener *f, struct stream *s, const struct row *r,
    const char *rec, size_t len, char id[ROWID_SZ])
{
	const struct cell *v;
	unsigned char rnd[RANDOM_ID_BYTES];
	char b[B64_SZ(RANDOM_ID_BYTES)];
	size_t i;

	fd_buf_reset(&f->tmp);
	if (f->opts.dlt) {
		if (s->nkeys == 1 &&
		    (v = top_value(s->root, r, s->keys[0], s->keylens[0])) !=
		    NULL) {
			fd_buf_puts(&f->tmp, "{");
			jstr(&f->tmp, v->node->frags[0],
			    strlen(v->node->frags[0]));
			fd_buf_putc(&f->tmp, ':');
			key_text(f, &f->tmp, v);
			fd_buf_puts(&f->tmp, "}");
			hash_id(f, id);
			return;
		}
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			err(FD_EXIT_FAIL, "getrandom");
		fd_digest_b64(rnd, sizeof(rnd), b);
		memcpy(id, b, HASHID_LEN + 1);
		return;
	}
	fd_buf_puts(&f->tmp, s->root->name);
	for (i = 0; i < s->nkeys; i++) {
		if ((v = top_value(s->root, r, s->keys[i], s->keylens[i])) ==
		    NULL)
			break;
		fd_buf_putc(&f->tmp, '\n');
		key_text(f, &f->tmp, v);
	}
	if (s->nkeys == 0 || i < s->nkeys) {
		fd_buf_reset(&f->tmp);
		fd_buf_puts(&f->tmp, s->root->name);
		fd_buf_putc(&f->tmp, '\n');
		fd_buf_append(&f->tmp, rec, len);
	}
	hash_id(f, id);
}

/* A child row's id: the hash of its parent's id, its table and its
 * index (idx, the text of it). */
static void
child_id(struct flattener *f, const struct table *t, const char *parent,
    const char *idx, size_t ilen, char id[ROWID_SZ])
{
	fd_buf_reset(&f->tmp);
	fd_buf_puts(&f->tmp, parent);
	fd_buf_putc(&f->tmp, '_');
	fd_buf_puts(&f->tmp, t->name);
	/* rows of another path with this name: ids of their own */
	if (t->dup > 0)
		fd_buf_printf(&f->tmp, "\001%d", t->dup);
	fd_buf_putc(&f->tmp, '_');
	fd_buf_append(&f->tmp, idx, ilen);
	hash_id(f, id);
}

/* A row's own id (dlt's rule: a row that brings its id keeps it): a
 * string in the id column, unescaped and short enough, copied into id;
 * its cell is then written as the link column, not as a value.
 * Whether there was one. */
static int
own_id(struct flattener *f, struct row *r, char id[ROWID_SZ])
{
	struct cell *v;
	size_t i;
	int own = 0;

	for (i = 0; i < r->n; i++) {
		v = &r->cells[i];
		if (v->col != NULL && v->kind == FD_JTOK_STRING &&
		    !(v->flags & FD_JTOK_ESCAPED) && v->len > 2 &&
		    v->len - 2 < ROWID_SZ && strcmp(v->col->name, f->c->id) ==
		    0) {
			memcpy(id, v->p + 1, v->len - 2);
			id[v->len - 2] = '\0';
			own = 1;
			v->col = NULL;
		}
	}
	return own;
}

/* Makes id's json of its text. */
static void
rowid_json(struct flattener *f, struct rowid *id)
{
	fd_buf_reset(&f->tmp);
	jstr(&f->tmp, id->text, strlen(id->text));
	xbuf_check(&f->tmp);
	memcpy(id->json, f->tmp.data, f->tmp.len + 1);
	id->ljson = f->tmp.len;
}

/* The decimal text of a list index (not negative) at the end of buf;
 * returns where it starts, its length in *len. */
static const char *
idx_text(long long idx, char buf[IDX_SZ], size_t *len)
{
	int k = IDX_SZ;

	do
		buf[--k] = (char)('0' + idx % 10);
	while ((idx /= 10) > 0);
	*len = (size_t)(IDX_SZ - k);
	return buf + k;
}

static int	row_write(struct flattener *, struct ctx *, struct table *,
		    size_t depth, const char *obj, size_t len,
		    const struct fd_jtok *one, int lvl,
		    const struct rowid *parent, long long idx, char *errbuf);

/*
 * Writes the child rows of list (p, len) of table t's row id: one per
 * element, at level lvl; objects flattened, scalars in "value", lists
 * of lists through an intermediate row holding "list".
 */
static int
list_write(struct flattener *f, struct ctx *c, struct table *t,
    struct node *n, size_t depth, const char *p, size_t len, int lvl,
    const struct rowid *id, char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok tok;
	struct table *child;
	const char *vp;
	size_t vlen, i;
	long long idx = 0;

	if ((child = n->child) == NULL) {
		xgrow(&f->frags, &f->capfrags, t->nfrags + n->nfrags,
		    sizeof(*f->frags));
		for (i = 0; i < t->nfrags; i++)
			f->frags[i] = t->frags[i];
		for (i = 0; i < n->nfrags; i++)
			f->frags[t->nfrags + i] = n->frags[i];
		child = n->child = table_new(f, f->frags, t->nfrags +
		    n->nfrags, t);
	}
	fd_jscan_init_valid(&js, p, len);
	fd_jscan_next(&js, &tok);	/* '[' */
	for (;; idx++) {
		if (fd_jscan_next(&js, &tok) == -1)
			return fd_jscan_error(&js, errbuf);
		if (tok.kind == FD_JTOK_ARRAY_END)
			break;
		if (tok.kind == FD_JTOK_OBJECT || tok.kind == FD_JTOK_ARRAY) {
			if (fd_jscan_skip(&js, &tok, &vp, &vlen) == -1)
				return fd_jscan_error(&js, errbuf);
			if (row_write(f, c, child, depth, vp, vlen,
			    tok.kind == FD_JTOK_ARRAY ? &tok : NULL,
			    tok.kind == FD_JTOK_ARRAY ? lvl - 1 : lvl, id, idx,
			    errbuf) == -1)
				return -1;
		} else if (row_write(f, c, child, depth, NULL, 0, &tok, lvl,
		    id, idx, errbuf) == -1)
			return -1;
	}
	return 0;
}

/*
 * Gathers the cells and lists of a row of table t into r (see
 * row_write for obj, len, one): the members of an object, its nested
 * objects flattened (f's stack, LIFO).  The object's members are the
 * nmem of mem when mem is not NULL (flatten_record's).
 */
static int
row_cells(struct flattener *f, struct row *r, struct table *t,
    const char *obj, size_t len, const struct fd_jtok *one, int lvl,
    const struct fd_singer_member *mem, size_t nmem, char *errbuf)
{
	struct node *ln, *kid = NULL;
	struct pending pd;
	size_t base = f->nstack, i;

	if (one != NULL && one->kind == FD_JTOK_ARRAY) {
		ln = node_kid(f, &t->top, "list", 4);
		if (stays_json(ln, lvl))
			cell_push(&r->cells, &r->n, &r->cap, ln, one, obj, len);
		else
			cell_push(&r->lists, &r->nlists, &r->caplists, ln, one,
			    obj, len);
	} else if (obj == NULL) {
		if (one->kind != FD_JTOK_NULL)
			cell_push(&r->cells, &r->n, &r->cap,
			    node_kid(f, &t->top, "value", 5), one, one->p,
			    one->len);
	} else {
		if (mem == NULL)
			stack_push(f, obj, len, &t->top, lvl);
		for (i = 0; mem != NULL && i < nmem; i++)
			if (collect_member(f, r, &t->top, &kid, &mem[i].key,
			    &mem[i].val, mem[i].vp, mem[i].vlen, lvl,
			    errbuf) == -1) {
				f->nstack = base;
				return -1;
			}
		while (f->nstack > base) {
			pd = f->stack[--f->nstack];
			if (collect(f, r, pd.p, pd.len, pd.node, pd.lvl,
			    errbuf) == -1) {
				f->nstack = base;
				return -1;
			}
		}
	}
	return 0;
}

/*
 * Types the cells of row r and finds their columns in table t (a new
 * column makes a new SCHEMA).  Two keys of one column ("a__x" and "a":
 * {"x"}): the last wins, the others go nowhere (col NULL).
 */
static void
row_columns(struct flattener *f, struct table *t, struct row *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		r->cells[i].type = value_type(f, &r->cells[i]);
		r->cells[i].col = column_for(f, t, r->cells[i].node,
		    r->cells[i].type);
	}
	f->serial++;
	for (i = r->n; i-- > 0; ) {
		if (r->cells[i].col->row == f->serial)
			r->cells[i].col = NULL;
		else {
			r->cells[i].col->row = f->serial;
			r->cells[i].col->cell = i;
		}
	}
}

/*
 * Writes the members of row r of table t sparse: its values in the
 * row's order, then the link columns (a child row's: the root's id,
 * its parent's, its index idx), its id last.  A column the row has no
 * value of is left out.
 */
static void
members_sparse(struct flattener *f, const struct ctx *c, struct table *t,
    const struct row *r, const struct rowid *parent, const char *idx,
    size_t ilen, const struct rowid *id)
{
	struct column *col;
	size_t i;
	int first = 1;

	for (i = 0; i < r->n; i++) {
		if ((col = r->cells[i].col) == NULL)
			continue;
		fd_buf_append(f->out, col->member + first, col->lmember -
		    first);
		first = 0;
		value_out(f, &r->cells[i], col->type);
	}
	if (parent != NULL) {
		link_out(f, first, f->m_root, c->root.json, c->root.ljson);
		link_out(f, 0, f->m_parent, parent->json, parent->ljson);
		link_out(f, 0, f->m_idx, idx, ilen);
		first = 0;
	}
	link_out(f, first, f->m_id, id->json, id->ljson);
}

/*
 * Writes the members of row r of table t dense: every column of t's
 * last SCHEMA, in its order, null where the row has no value.  A link
 * column holds the link, whatever value of that name the row brought
 * (sparse writes both).  row_columns has marked r's columns (row, cell)
 * and no other row came since.
 */
static void
members_dense(struct flattener *f, const struct ctx *c, struct table *t,
    const struct row *r, const struct rowid *parent, const char *idx,
    size_t ilen, const struct rowid *id)
{
	const struct column *col;
	const char *m;
	size_t i, lm;

	for (i = 0; i < t->ncols; i++) {
		col = t->order[i];
		m = col->member + (i == 0);
		lm = col->lmember - (i == 0);
		if (col->row == f->serial && col->cell < r->n &&
		    r->cells[col->cell].col == col && col != t->l_id &&
		    (parent == NULL || (col != t->l_root &&
		    col != t->l_parent && col != t->l_idx))) {
			fd_buf_append(f->out, m, lm);
			value_out(f, &r->cells[col->cell], col->type);
		} else if (col == t->l_id)
			link_put(f, m, lm, id->json, id->ljson);
		else if (parent != NULL && col == t->l_root)
			link_put(f, m, lm, c->root.json, c->root.ljson);
		else if (parent != NULL && col == t->l_parent)
			link_put(f, m, lm, parent->json, parent->ljson);
		else if (parent != NULL && col == t->l_idx)
			link_put(f, m, lm, idx, ilen);
		else	/* no value: the member and its null at once */
			fd_buf_append(f->out, m, lm + 4);
	}
}

/* Link column name of table t, of type type. */
static struct column *
link_column(struct flattener *f, struct table *t, const char *name,
    enum fd_coltype type)
{
	return column_new(f, t, name, type);
}

/*
 * Writes the RECORD of row r of table t (members_sparse or
 * members_dense say how).  The link columns are made on the table's
 * first row, before its SCHEMA, which is written first when the table
 * has columns its last one lacked.
 */
static void
record_out(struct flattener *f, const struct ctx *c, struct table *t,
    const struct row *r, const struct rowid *parent, const char *idx,
    size_t ilen, const struct rowid *id)
{
	if (t->l_id == NULL) {
		if (parent != NULL) {
			t->l_root = link_column(f, t, f->c->root, FD_COL_TEXT);
			t->l_parent = link_column(f, t, f->c->parent,
			    FD_COL_TEXT);
			t->l_idx = link_column(f, t, f->c->idx, FD_COL_BIGINT);
		}
		t->l_id = link_column(f, t, f->c->id, FD_COL_TEXT);
	}
	schema_out(f, t);

	fd_buf_append(f->out, t->head, t->lhead);
	if (f->opts.dense)
		members_dense(f, c, t, r, parent, idx, ilen, id);
	else
		members_sparse(f, c, t, r, parent, idx, ilen, id);
	fd_buf_putc(f->out, '}');
	if (fd_singer_put_record_end(f->out, c->version, c->vlen) == -1)
		err(FD_EXIT_FAIL, NULL);
	t->rows++;
}

/*
 * Writes one row of table t and then its children.  The row is the
 * object (obj, len); or, with obj NULL, the scalar *one as "value";
 * or, with *one an array, the intermediate row of a list of lists.
 * parent is NULL for a root row; a child row is element idx of its
 * parent's list.
 */
static int
row_write(struct flattener *f, struct ctx *c, struct table *t,
    size_t depth, const char *obj, size_t len, const struct fd_jtok *one,
    int lvl, const struct rowid *parent, long long idx, char *errbuf)
{
	struct row *r = row_at(f, depth);
	struct cell *l;
	struct rowid id;
	const char *itext = NULL;
	char ibuf[IDX_SZ];
	size_t i, ilen = 0;

	if (row_cells(f, r, t, obj, len, one, lvl, parent == NULL ? c->mem :
	    NULL, c->nmem, errbuf) == -1)
		return -1;
	row_columns(f, t, r);
	if (parent != NULL)
		itext = idx_text(idx, ibuf, &ilen);
	if (own_id(f, r, id.text))
		;
	else if (parent == NULL)
		root_id(f, t->stream, r, obj, len, id.text);
	else
		child_id(f, t, parent->text, itext, ilen, id.text);
	rowid_json(f, &id);
	record_out(f, c, t, r, parent, itext, ilen, &id);

	/* then the children, list by list */
	if (parent == NULL)
		c->root = id;
	/* f->rows moves as deeper rows are added: no pointer into it */
	for (i = 0; i < f->rows[depth].nlists; i++) {
		l = &f->rows[depth].lists[i];
		if (list_write(f, c, t, l->node, depth + 1, l->p, l->len,
		    lvl - 1, &id, errbuf) == -1)
			return -1;
	}
	return 0;
}

int
flatten_record(struct flattener *f, struct stream *s, const char *rec,
    size_t len, const struct fd_singer_member *mem, size_t nmem,
    const char *version, size_t vlen, char *errbuf)
{
	struct ctx c;

	c.mem = mem;
	c.nmem = nmem;
	c.version = version;
	c.vlen = vlen;
	c.root.text[0] = '\0';
	c.root.ljson = 0;
	if (s->disposition[0] == '\0')
		stream_schema(f, s, NULL, NULL, 0, NULL);
	return row_write(f, &c, s->root, 0, rec, len, NULL,
	    f->opts.max_nesting, NULL, 0, errbuf);
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
		free(n->key);
		free(n->colname);
		free(n);
	}
}

const char *
flatten_table_at(const struct flattener *f, size_t i,
    unsigned long long *rows, size_t *ncols)
{
	struct table *t;

	if (fd_map_at(f->tables, i, (void **)&t) == NULL)
		return NULL;
	*rows = t->rows;
	*ncols = t->ncols;
	return t->name;
}

void
flatten_end(struct flattener *f)
{
	struct stream *s;
	struct table *t;
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; fd_map_at(f->tables, i, (void **)&t) != NULL; i++) {
		node_free(&t->top, 0);
		table_free(t);
	}
	for (i = 0; fd_map_at(f->streams, i, (void **)&s) != NULL; i++) {
		stream_keys_free(s);
		free(s->declared);
		free(s);
	}
	fd_map_free(f->tables);
	fd_map_free(f->streams);
	for (i = 0; i < f->nrows; i++) {
		free(f->rows[i].cells);
		free(f->rows[i].lists);
	}
	free(f->rows);
	free(f->stack);
	fd_digest_free(f->hasher);
	fd_buf_free(&f->tmp);
	fd_buf_free(&f->keytmp);
	fd_buf_free(&f->keynames);
	free(f->keyptrs);
	free(f->frags);
	free(f->props);
	free(f->m_id);
	free(f->m_parent);
	free(f->m_idx);
	free(f->m_root);
	free(f);
}
