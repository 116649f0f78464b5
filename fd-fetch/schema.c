/*
 * schema.c: the SCHEMA of each stream fd-fetch writes.
 *
 * A stream starts with the members its endpoint declares (endpoints.c
 * .fields: the real API's), each a set of JSON types; every member but
 * the key "id" admits null.  A record is checked against the last
 * SCHEMA before it is written: a member not declared, or a value whose
 * type the member does not admit, makes a wider SCHEMA (the union of
 * the last one and the record's members and types) go out first.  The
 * members of top-level objects (custom_fields, stats) are declared as
 * their properties, and so widened too; deeper values only by type.
 * A member learnt from a record admits null as well (a later record
 * may hold null there, and a column is nullable anyway): one SCHEMA
 * fewer each time.
 * The item types of an array are declared where endpoints.c names them
 * (a[s]) and widened; an array learnt from a record admits any items.
 *
 * Two jobs may write one stream in two workers (tickets and
 * archived_tickets): the stream's SCHEMA is one, under run->lock, and
 * a SCHEMA is written under the lock before it is published.  Each
 * worker checks its records against its own copy of a SCHEMA it knows
 * was written (the shared one only grows), so the lock is taken only
 * when a record does not fit that copy.
 */
#include <err.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coltype.h"
#include "jscan.h"
#include "json.h"
#include "singer.h"
#include "extern.h"



struct props;

/* A member and what it admits. */
struct prop {
	char		*name;		/* owned */
	size_t		 namelen;
	unsigned	 types;		/* FD_JT_* */
	unsigned	 items;		/* an array's item types; 0: any */
	int		 datetime;	/* its strings are date-times */
	struct props	*sub;		/* an object's members (top level
					 * only), owned, or NULL */
};

struct props {
	struct prop	*v;
	size_t		 n, cap;
	size_t		 hint;		/* where the next member may be */
};

/* One stream's SCHEMA: its members, and a count of its widenings. */
struct sschema {
	struct props	 p;
	unsigned long	 gen;		/* 0: not yet written */
};

struct schemas {
	/* the shared ones by the stream's own endpoint (stream_slot()), a
	 * worker's by the endpoint writing (endpoint_bit()) */
	struct sschema	 v[ENDPOINTS_NBITS];
	struct fd_buf	 line;		/* a SCHEMA being written */
	struct fd_buf	 tmp;		/* a decoded member name */
};

static void	props_clear(struct props *);

struct schemas *
schemas_new(void)
{
	struct schemas *s = xcalloc(1, sizeof(*s));

	s->line = (struct fd_buf)FD_BUF_INIT;
	s->tmp = (struct fd_buf)FD_BUF_INIT;
	return s;
}

void
schemas_free(struct schemas *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < ENDPOINTS_NBITS; i++)
		props_clear(&s->v[i].p);
	fd_buf_free(&s->line);
	fd_buf_free(&s->tmp);
	free(s);
}

static void
props_clear(struct props *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].name);
		if (p->v[i].sub != NULL) {
			props_clear(p->v[i].sub);
			free(p->v[i].sub);
		}
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static void
props_copy(struct props *to, const struct props *from)
{
	size_t i;

	props_clear(to);
	to->n = to->cap = from->n;
	to->v = xcalloc(from->n ? from->n : 1, sizeof(*to->v));
	for (i = 0; i < from->n; i++) {
		to->v[i] = from->v[i];
		to->v[i].name = xmalloc(from->v[i].namelen + 1);
		memcpy(to->v[i].name, from->v[i].name,
		    from->v[i].namelen + 1);
		if (from->v[i].sub != NULL) {
			to->v[i].sub = xcalloc(1, sizeof(*to->v[i].sub));
			props_copy(to->v[i].sub, from->v[i].sub);
		}
	}
}

/* The member named name (len bytes), or NULL; tries the one after the
 * last found first: records of a list have their members in one order. */
static struct prop *
props_find(struct props *p, const char *name, size_t len)
{
	size_t i, k;

	for (k = 0; k < p->n; k++) {
		i = (p->hint + k) % p->n;
		if (p->v[i].namelen == len &&
		    memcmp(p->v[i].name, name, len) == 0) {
			p->hint = i + 1;
			return &p->v[i];
		}
	}
	return NULL;
}

static struct prop *
props_add(struct props *p, const char *name, size_t len)
{
	struct prop *m;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
	}
	m = &p->v[p->n++];
	memset(m, 0, sizeof(*m));
	/* a name may hold a NUL ("\u0000"): all len bytes */
	m->name = xmalloc(len + 1);
	memcpy(m->name, name, len);
	m->name[len] = '\0';
	m->namelen = len;
	return m;
}

/* The FD_JT_* bits of the letters at s (n bytes) of endpoints.c's
 * notation. */
static unsigned
letters(const char *s, size_t n, int *datetime)
{
	unsigned t = 0;
	size_t i;

	for (i = 0; i < n; i++)
		switch (s[i]) {
		case 'i': t |= FD_JT_INTEGER; break;
		case 'n': t |= FD_JT_NUMBER; break;
		case 's': t |= FD_JT_STRING; break;
		case 't': t |= FD_JT_STRING; *datetime = 1; break;
		case 'b': t |= FD_JT_BOOLEAN; break;
		case 'a': t |= FD_JT_ARRAY; break;
		case 'o': t |= FD_JT_OBJECT; break;
		default:
			errx(FD_EXIT_FAIL, "fields: bad type letter %c", s[i]);
		}
	return t;
}

/*
 * Declares the members of fields ("name:types ...", endpoints.c) in p,
 * up to a '}' or the end; returns where it stopped.  Every member but
 * "id" at the top admits null.
 */
static const char *
declare(struct props *p, const char *s, int top)
{
	struct prop *m;
	const char *name, *colon;
	size_t n;
	int dt;

	for (;;) {
		s += strspn(s, " ");
		if (*s == '\0' || *s == '}')
			return s;
		name = s;
		if ((colon = strchr(s, ':')) == NULL)
			errx(FD_EXIT_FAIL, "fields: %s: no types", s);
		m = props_add(p, name, (size_t)(colon - name));
		s = colon + 1;
		n = strcspn(s, " [{}");
		dt = 0;
		m->types = letters(s, n, &dt);
		m->datetime = dt;
		if (!(top && strcmp(m->name, "id") == 0))
			m->types |= FD_JT_NULL;
		s += n;
		if (*s == '[') {
			n = strcspn(++s, "]");
			m->items = letters(s, n, &dt);
			s += n + (s[n] == ']');
		}
		if (top && (m->types & FD_JT_OBJECT)) {
			m->sub = xcalloc(1, sizeof(*m->sub));
			if (*s == '{') {
				s = declare(m->sub, s + 1, 0);
				s += *s == '}';
			}
		}
	}
}

/* The FD_JT_* bit of a token's kind. */
static unsigned
type_of(const struct fd_jtok *t)
{
	switch (t->kind) {
	case FD_JTOK_NULL:	return FD_JT_NULL;
	case FD_JTOK_TRUE:
	case FD_JTOK_FALSE:	return FD_JT_BOOLEAN;
	case FD_JTOK_NUMBER:	return t->flags & FD_JTOK_INTEGER ? FD_JT_INTEGER :
				    FD_JT_NUMBER;
	case FD_JTOK_STRING:	return FD_JT_STRING;
	case FD_JTOK_ARRAY:	return FD_JT_ARRAY;
	default:		return FD_JT_OBJECT;
	}
}

/* Whether types admit a value of type t (a number admits an integer). */
static int
admits(unsigned types, unsigned t)
{
	return (types & t) || (t == FD_JT_INTEGER && (types & FD_JT_NUMBER));
}

/*
 * Walks the object text (len bytes, valid JSON) against p: with add 0,
 * returns 1 at the first member or type p does not admit; with add 1,
 * widens p to admit them all and returns whether it changed.  top: the
 * record itself, whose object members are walked too.
 */
static int
fit(struct props *p, const char *text, size_t len, int top, int add,
    struct fd_buf *tmp)
{
	struct fd_jscan js, ja;
	struct fd_jtok k, v, e;
	struct prop *m;
	const char *name, *vp, *ep;
	size_t nlen, vl, el;
	unsigned t;
	int changed = 0;

	fd_jscan_init(&js, text, len);
	if (fd_jscan_next(&js, &k) != FD_JTOK_OBJECT)
		return 0;
	while (fd_jscan_next(&js, &k) == FD_JTOK_KEY) {
		if (fd_jscan_next(&js, &v) <= 0)
			break;
		vp = v.p;
		vl = v.len;
		if ((v.kind == FD_JTOK_OBJECT || v.kind == FD_JTOK_ARRAY) &&
		    fd_jscan_skip_unchecked(&js, &v, &vp, &vl) == -1)
			break;
		name = k.p + 1;
		nlen = k.len - 2;
		if (k.flags & FD_JTOK_ESCAPED) {
			fd_buf_reset(tmp);
			if (fd_jscan_string(k.p, k.len, tmp, NULL) == -1)
				continue;
			name = tmp->data;
			nlen = tmp->len;
		}
		if ((m = props_find(p, name, nlen)) == NULL) {
			if (!add)
				return 1;
			/* null too: a value left out next time */
			m = props_add(p, name, nlen);
			m->types = FD_JT_NULL;
			changed = 1;
		}
		t = type_of(&v);
		if (!admits(m->types, t)) {
			if (!add)
				return 1;
			m->types |= t;
			changed = 1;
		}
		if (top && t == FD_JT_OBJECT) {
			if (m->sub == NULL && !add)
				return 1;
			if (m->sub == NULL)
				m->sub = xcalloc(1, sizeof(*m->sub));
			if (fit(m->sub, vp, vl, 0, add, tmp)) {
				if (!add)
					return 1;
				changed = 1;
			}
		} else if (top && t == FD_JT_ARRAY && m->items != 0) {
			fd_jscan_init(&ja, vp, vl);
			if (fd_jscan_next(&ja, &e) != FD_JTOK_ARRAY)
				continue;
			while (fd_jscan_next(&ja, &e) > 0 &&
			    e.kind != FD_JTOK_ARRAY_END) {
				if ((e.kind == FD_JTOK_OBJECT ||
				    e.kind == FD_JTOK_ARRAY) &&
				    fd_jscan_skip_unchecked(&ja, &e, &ep,
				    &el) == -1)
					break;
				if (admits(m->items, type_of(&e)))
					continue;
				if (!add)
					return 1;
				m->items |= type_of(&e);
				changed = 1;
			}
		}
	}
	return changed;
}

/* {"type":[..]} of the types t. */
static void
put_types(struct fd_buf *b, unsigned t)
{
	int i, first = 1;

	fd_buf_puts(b, "\"type\":[");
	for (i = 0; i < FD_JT_N; i++)
		if (t & (1u << i)) {
			fd_buf_printf(b, "%s\"%s\"", first ? "" : ",",
			    fd_coltype_json_name(i));
			first = 0;
		}
	fd_buf_putc(b, ']');
}

static void	put_props(struct fd_buf *, const struct props *);

/* The JSON Schema of member m. */
static void
put_prop(struct fd_buf *b, const struct prop *m)
{
	fd_buf_putc(b, '{');
	put_types(b, m->types);
	if (m->datetime && (m->types & FD_JT_STRING))
		fd_buf_puts(b, ",\"format\":\"date-time\"");
	if (m->types & FD_JT_ARRAY) {
		fd_buf_puts(b, ",\"items\":{");
		if (m->items != 0)
			put_types(b, m->items);
		fd_buf_putc(b, '}');
	}
	if ((m->types & FD_JT_OBJECT) && m->sub != NULL) {
		fd_buf_puts(b, ",\"properties\":");
		put_props(b, m->sub);
	}
	fd_buf_putc(b, '}');
}

/* {"name":schema,...} of the members p. */
static void
put_props(struct fd_buf *b, const struct props *p)
{
	size_t i;

	fd_buf_putc(b, '{');
	for (i = 0; i < p->n; i++) {
		if (i > 0)
			fd_buf_putc(b, ',');
		if (fd_json_put_string(b, p->v[i].name, p->v[i].namelen) ==
		    -1)
			err(FD_EXIT_FAIL, "SCHEMA");
		fd_buf_putc(b, ':');
		put_prop(b, &p->v[i]);
	}
	fd_buf_putc(b, '}');
}

/* The endpoint whose name is ep's stream (its .fields, its slot). */
static const struct endpoint *
owner(const struct endpoint *ep)
{
	const struct endpoint *o = endpoint_find(endpoint_stream(ep));

	return o != NULL ? o : ep;
}

static int
stream_slot(const struct endpoint *ep)
{
	return __builtin_ctzll(endpoint_bit(owner(ep)));
}

int
schema_declared(const struct endpoint *ep, struct fd_buf *out)
{
	struct props p;
	const char *f = owner(ep)->fields;

	memset(&p, 0, sizeof(p));
	if (f != NULL)
		declare(&p, f, 1);
	fd_buf_puts(out, "{\"type\":\"object\",\"properties\":");
	put_props(out, &p);
	fd_buf_putc(out, '}');
	props_clear(&p);
	return 0;
}

/* Writes the SCHEMA s of ep's stream (under run->lock). */
static void
schema_write(struct run *run, const struct endpoint *ep, struct sschema *s)
{
	static const char *const id[] = { "id" };
	struct schemas *all = run->schemas;
	struct fd_singer_prop *pv;
	struct fd_singer_xfd xfd = { NULL, NULL, NULL };
	struct fd_buf texts = FD_BUF_INIT;
	size_t i, *at;

	/* each member's schema text, then pointers into it */
	at = xcalloc(s->p.n ? s->p.n : 1, sizeof(*at));
	pv = xcalloc(s->p.n ? s->p.n : 1, sizeof(*pv));
	for (i = 0; i < s->p.n; i++) {
		at[i] = texts.len;
		put_prop(&texts, &s->p.v[i]);
		fd_buf_putc(&texts, '\0');
	}
	xbuf_check(&texts);
	for (i = 0; i < s->p.n; i++) {
		pv[i].name = s->p.v[i].name;
		pv[i].schema = texts.data + at[i];
	}
	ep = owner(ep);		/* one stream, one disposition */
	xfd.disposition = ep->kind == SYNC_FULL ||
	    ep->kind == SYNC_FULL_CHILD ? "replace" : "merge";
	fd_buf_reset(&all->line);
	if (fd_singer_put_schema(&all->line, endpoint_stream(ep), pv, s->p.n,
	    id, ep->object ? 0 : 1, &xfd) == -1)
		err(FD_EXIT_FAIL, "%s: SCHEMA", ep->name);
	xbuf_check(&all->line);
	if (fwrite(all->line.data, 1, all->line.len, stdout) != all->line.len)
		out_fail();
	fd_buf_free(&texts);
	free(at);
	free(pv);
}

void
schema_admit(struct run *run, const struct endpoint *ep, const char *rec,
    size_t len)
{
	struct sschema *mine, *all;

	if (run->raw)
		return;
	if (run->seen == NULL)
		run->seen = schemas_new();
	mine = &run->seen->v[__builtin_ctzll(endpoint_bit(ep))];
	if (mine->gen != 0 && (rec == NULL ||
	    !fit(&mine->p, rec, len, 1, 0, &run->seen->tmp)))
		return;
	pthread_mutex_lock(run->lock);
	if (run->schemas == NULL)	/* alone (fuzz_fetch) */
		run->schemas = schemas_new();
	all = &run->schemas->v[stream_slot(ep)];
	if (all->gen == 0 && owner(ep)->fields != NULL)
		declare(&all->p, owner(ep)->fields, 1);
	if ((rec != NULL && fit(&all->p, rec, len, 1, 1,
	    &run->schemas->tmp)) || all->gen == 0) {
		schema_write(run, ep, all);
		all->gen++;
	}
	props_copy(&mine->p, &all->p);
	mine->gen = all->gen;
	pthread_mutex_unlock(run->lock);
}
