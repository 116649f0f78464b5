/*
 * sync.c: the passes over an endpoint and what they write.
 *
 * Ordered (tickets): every request is page 1 of "updated since the
 * cursor, oldest first", and the cursor moves to the newest updated_at
 * of each page.  A ticket updated while we read therefore moves ahead
 * of the cursor, never behind a page already read, and no request goes
 * near the 300-page cap.  Only when a whole page shares the cursor's
 * second (a bulk update) does the pass turn pages within that second.
 * The records at the cursor second already written are remembered
 * (ids_at_cursor), so the overlap of each window is not written twice.
 *
 * Per ticket (conversations, time entries): the same pass over the
 * tickets list, each new ticket's list asked for instead of the ticket
 * written.  Endpoints with one bookmark share the pass (struct
 * consumers): the tickets, and the children riding on it, are fed from
 * one read of the list and their bookmarks move together.
 *
 * Filtered (contacts, ratings): the server filters but does not order,
 * so the pass follows Link to the end and only then moves the cursor:
 * to the newest record not later than the server's Date at the start
 * of the pass (a record updated during the pass, behind our position,
 * is read again next run rather than lost).
 *
 * Full (the rest): every page, records tagged with the run's version,
 * then ACTIVATE_VERSION.
 *
 * A page's records are written only once the whole page is valid, and
 * a STATE follows every page.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "idset.h"
#include "isotime.h"
#include "jscan.h"
#include "singer.h"
#include "extern.h"

/* The bookmark of the probe: {"probed_to": N, "todo": ranges,
 * "found": ranges} (idset.h's ranges). */
#define PROBE_BOOKMARK	"archived_tickets:probe"

/* Set of record ids at the cursor second, kept sorted. */
struct ids {
	int64_t	*v;
	size_t	 n, cap;
};

/*
 * A second whose tickets filled more than a page (a bulk update), read
 * by turning pages: a ticket of it updated meanwhile may have let
 * another slide back onto a page already read.  The ids read in it are
 * kept until the pass ends: a record of the pass with one of these ids
 * and a later time is the sign of such an update (evidence), and the
 * second is then read again.  Kept in the bookmark ("seconds") so that
 * a run that stops before the end re-reads it next time.
 */
struct group {
	char		T[CURSOR_TIMESZ];
	struct ids	ids;
	int		evidence;
	/*
	 * Its records, counted where the second ends: the rows of a
	 * window are in a fixed order by second, even when the server
	 * orders the rows of one second anew on each request (an ORDER
	 * BY without a tie-break, FRESHDESK.md Part 3.2), so fewer ids
	 * than that count is evidence too.  0: not known.
	 */
	long		count;
	struct ids	left;	/* of ids: seen since with a later time */
};

struct groups {
	struct group	*v;
	size_t		 n;
};

/* One element of a page, as the pass sees it. */
struct rec {
	const char	*text;
	size_t		 len;
	int64_t		 id;
	int		 has_id;
	int		 deleted;	/* "deleted":true */
	char		 ts[CURSOR_TIMESZ];	/* cursor field in UTC ...Z, or "" */
	const char	*key;		/* its order value as written, or NULL */
	size_t		 keylen;
};

struct pagerecs {
	struct rec	*v;
	size_t		 n, cap;
	const char	*cursor;	/* field name, or NULL */
	/* struct endpoint's order: its top-level member ("" for none)
	 * and the member within that, or NULL */
	char		 order[ORDER_MEMBERSZ];
	const char	*order_sub;
	const char	*stream;
	char		 err[FD_ERRSZ];
};


void
out_fail(void)
{
	/* the reader left (| head): not an error to tell anyone about */
	if (errno == EPIPE)
		exit(FD_EXIT_FAIL);
	err(FD_EXIT_FAIL, "<stdout>");
}

void
out_flush(void)
{
	if (fflush(stdout) == EOF || ferror(stdout))
		out_fail();
}

static int
ids_find(const struct ids *s, int64_t id, size_t *at)
{
	size_t lo = 0, hi = s->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->v[mid] == id) {
			*at = mid;
			return 1;
		}
		if (s->v[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return 0;
}

static void
ids_add(struct ids *s, int64_t id)
{
	size_t at;

	if (ids_find(s, id, &at))
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		if ((s->v = reallocarray(s->v, s->cap, sizeof(*s->v))) == NULL)
			err(FD_EXIT_FAIL, NULL);
	}
	memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof(*s->v));
	s->v[at] = id;
	s->n++;
}

static int
ids_has(const struct ids *s, int64_t id)
{
	size_t at;

	return ids_find(s, id, &at);
}

int
utc(const char *s, char out[CURSOR_TIMESZ])
{
	char t[FD_ISOTIME_MAX];

	if (fd_isotime_utc(s, strlen(s), t) == -1)
		return -1;
	/* the API is second-granular, and "...:05.5Z" < "...:05Z" as text */
	memcpy(out, t, 19);
	memcpy(out + 19, "Z", 2);
	return 0;
}

static void
recs_push(struct pagerecs *pr, const struct rec *r)
{
	if (pr->n == pr->cap) {
		pr->cap = pr->cap ? pr->cap * 2 : 128;
		if ((pr->v = reallocarray(pr->v, pr->cap, sizeof(*pr->v))) ==
		    NULL)
			err(FD_EXIT_FAIL, NULL);
	}
	pr->v[pr->n++] = *r;
}

/* Whether key token k names the member name (decoded when escaped). */
static int
key_is(const struct fd_jtok *k, const char *name, struct fd_buf *tmp)
{
	size_t n = strlen(name);

	if (!(k->flags & FD_JTOK_ESCAPED))
		return k->len == n + 2 && memcmp(k->p + 1, name, n) == 0;
	fd_buf_reset(tmp);
	return fd_jscan_string(k->p, k->len, tmp, NULL) == 0 &&
	    tmp->len == n && memcmp(tmp->data, name, n) == 0;
}

/*
 * Collects one element of a page (called by fd_jscan_elements, the page
 * already validated): its text, and in one walk of its top-level
 * members its integer id and its cursor time (the last one of a name
 * written twice, as jq reads it).
 */
static int
collect(void *arg, const char *text, size_t len)
{
	struct pagerecs *pr = arg;
	struct fd_buf s = FD_BUF_INIT;
	struct fd_jscan js;
	struct fd_jtok k, v;
	const char *vp, *cur = NULL, *okey = NULL;
	size_t vl, curlen = 0, okeylen = 0;
	struct rec r;
	long long id;

	memset(&r, 0, sizeof(r));
	r.text = text;
	r.len = len;
	fd_jscan_init(&js, text, len);
	/* a RECORD's record is an object (fuzz_fetch: [1] was written) */
	if (fd_jscan_next(&js, &k) != FD_JTOK_OBJECT)
		return fd_diag_set(pr->err, "record %zu: not an object",
		    pr->n + 1);
	while (fd_jscan_member(&js, &k, &v, &vp, &vl) == 1) {
		if (key_is(&k, "id", &s)) {
			r.has_id = v.kind == FD_JTOK_NUMBER &&
			    fd_jscan_int64(vp, vl, &id) == 0;
			r.id = r.has_id ? id : 0;
		} else if (key_is(&k, "deleted", &s)) {
			r.deleted = v.kind == FD_JTOK_TRUE;
		} else if (pr->cursor != NULL &&
		    key_is(&k, pr->cursor, &s)) {
			cur = v.kind == FD_JTOK_STRING ? vp : NULL;
			curlen = vl;
		}
		if (pr->order[0] != '\0' && key_is(&k, pr->order, &s)) {
			okey = vp;
			okeylen = vl;
		}
	}
	if (pr->cursor != NULL) {
		fd_buf_reset(&s);
		if (cur == NULL || fd_jscan_string(cur, curlen, &s,
		    pr->err) == -1 || utc(s.data, r.ts) == -1) {
			fd_diag_set(pr->err, "record %zu: no valid %s",
			    pr->n + 1, pr->cursor);
			fd_buf_free(&s);
			return -1;
		}
		if (!r.has_id) {
			fd_diag_set(pr->err, "record %zu: no integer id",
			    pr->n + 1);
			fd_buf_free(&s);
			return -1;
		}
	}
	fd_buf_free(&s);
	/* its order value as written ("contact.name": one level down) */
	if (okey != NULL && pr->order_sub != NULL) {
		char why[FD_ERRSZ];
		if (fd_jscan_kind(okey, okeylen) != FD_JTOK_OBJECT ||
		    fd_jscan_field(okey, okeylen, pr->order_sub, &okey,
		    &okeylen, why) != 0)
			okey = NULL;
	}
	r.key = okey;
	r.keylen = okey != NULL ? okeylen : 0;
	recs_push(pr, &r);
	return 0;
}

/* Splits a valid page body into pr; dies on a page that is not an
 * array of records with the fields the pass needs. */
static void
split(const struct endpoint *ep, struct fd_http_resp *r,
    struct pagerecs *pr, const char *cursor)
{
	pr->n = 0;
	pr->cursor = cursor;
	pr->order[0] = '\0';
	pr->order_sub = NULL;
	if (ep->order != NULL) {
		const char *dot = strchr(ep->order, '.');
		snprintf(pr->order, sizeof(pr->order), "%.*s", dot != NULL ?
		    (int)(dot - ep->order) : (int)strlen(ep->order),
		    ep->order);
		pr->order_sub = dot != NULL ? dot + 1 : NULL;
	}
	pr->err[0] = '\0';
	if (ep->object) {
		if (fd_jscan_kind(r->body.data, r->body.len) != FD_JTOK_OBJECT)
			errx(FD_EXIT_FAIL, "%s: unexpected page: not an object",
			    ep->name);
		collect(pr, r->body.data, r->body.len);
		return;
	}
	if (fd_jscan_elements(r->body.data, r->body.len, collect, pr,
	    pr->err) == -1)
		errx(FD_EXIT_FAIL, "%s: unexpected page: %s", ep->name,
		    pr->err[0] ? pr->err : "not an array");
}

/* Whether ep is read whole each run, its records versioned. */
static int
is_full(const struct endpoint *ep)
{
	return ep->kind == SYNC_FULL || ep->kind == SYNC_FULL_CHILD;
}

/* Writes the message in run->line (whole: one fwrite), flushing
 * stdout after it with flush (a STATE). */
static void
line_out(struct run *run, int flush)
{
	xbuf_check(&run->line);
	if (fwrite(run->line.data, 1, run->line.len, stdout) !=
	    run->line.len || (flush && fflush(stdout) == EOF))
		out_fail();
}

/* The first SCHEMA of ep's stream, if none is out yet (schema.c). */
static void
schema(struct run *run, const struct endpoint *ep)
{
	schema_admit(run, ep, NULL, 0);
}

/* The ACTIVATE_VERSION of ep's records of this run. */
static void
activate(struct run *run, const struct endpoint *ep)
{
	char v[24];
	int n;

	if (run->raw)
		return;
	n = snprintf(v, sizeof(v), "%" PRId64, run->version);
	fd_buf_reset(&run->line);
	if (fd_singer_put_activate_version(&run->line, endpoint_stream(ep), v,
	    (size_t)n) == -1)
		err(FD_EXIT_FAIL, "%s: ACTIVATE_VERSION", ep->name);
	line_out(run, 0);
}

/*
 * Writes record r of ep; with state (contacts), the record gets the
 * member "fd_state": state, "deleted" when it says "deleted":true.
 */
static void
emit(struct run *run, const struct endpoint *ep, const struct rec *r,
    const char *state)
{
	char why[FD_ERRSZ], v[24];
	int n = 0;

	/* a SCHEMA admitting it first */
	schema_admit(run, ep, r->text, r->len);
	fd_buf_reset(&run->line);
	if (!run->raw && fd_singer_put_record_head(&run->line,
	    endpoint_stream(ep)) == -1)
		err(FD_EXIT_FAIL, "%s: RECORD", ep->name);
	if (fd_jscan_compact(r->text, r->len, &run->line, why) == -1)
		errx(FD_EXIT_FAIL, "%s: %s", ep->name, why);
	if (state != NULL) {
		/* the record is an object (collect): "...}" */
		run->line.len--;
		if ((run->line.data[run->line.len - 1] != '{' &&
		    fd_buf_putc(&run->line, ',') == -1) ||
		    fd_buf_printf(&run->line, "\"fd_state\":\"%s\"}",
		    r->deleted ? "deleted" : state) == -1)
			err(FD_EXIT_FAIL, NULL);
	}
	if (!run->raw && is_full(ep))
		n = snprintf(v, sizeof(v), "%" PRId64, run->version);
	if (!run->raw && fd_singer_put_record_end(&run->line,
	    n > 0 ? v : NULL, (size_t)n) == -1)
		err(FD_EXIT_FAIL, "%s: RECORD", ep->name);
	if (run->raw && fd_buf_putc(&run->line, '\n') == -1)
		err(FD_EXIT_FAIL, NULL);
	line_out(run, 0);
	__atomic_add_fetch(&run->tally->records, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&run->tally->by_ep[endpoint_index(ep)], 1,
	    __ATOMIC_RELAXED);
}

/* Writes the whole state, after the page's records: a checkpoint. */
static void
checkpoint(struct run *run)
{
	jv text;

	if (run->raw) {
		out_flush();
		return;
	}
	pthread_mutex_lock(run->lock);
	text = jv_dump_string(jv_copy(*run->state), 0);
	fd_buf_reset(&run->line);
	if (fd_singer_put_state(&run->line, jv_string_value(text),
	    (size_t)jv_string_length_bytes(jv_copy(text))) == -1)
		err(FD_EXIT_FAIL, "STATE");
	jv_free(text);
	line_out(run, 1);
	pthread_mutex_unlock(run->lock);
}

/* Reads the ids of a JSON array into s.  Consumes list. */
static void
ids_from(jv list, struct ids *s)
{
	int i, n;

	n = jv_get_kind(list) == JV_KIND_ARRAY ?
	    jv_array_length(jv_copy(list)) : 0;
	for (i = 0; i < n; i++) {
		jv id = jv_array_get(jv_copy(list), i);
		if (jv_get_kind(id) == JV_KIND_NUMBER)
			ids_add(s, (int64_t)jv_number_value(id));
		jv_free(id);
	}
	jv_free(list);
}

static jv
ids_to(const struct ids *s)
{
	jv list = jv_array();
	size_t i;

	for (i = 0; i < s->n; i++)
		list = jv_array_append(list, jv_number((double)s->v[i]));
	return list;
}

/* Whether bookmark name belongs to an endpoint the run resets
 * (--reset): one of its passes', or for archived_tickets its probe's. */
static int
bookmark_reset(const struct run *run, const char *name)
{
	const struct endpoint *ep;
	int i, j;

	for (i = 0; run->reset != 0 && (ep = endpoint_at(i)) != NULL; i++) {
		if (!(run->reset & endpoint_bit(ep)))
			continue;
		for (j = 0; j < PASSES_MAX && ep->passes[j].bookmark != NULL;
		    j++)
			if (strcmp(ep->passes[j].bookmark, name) == 0)
				return 1;
		if (ep->kind == SYNC_ARCHIVE && strcmp(name,
		    PROBE_BOOKMARK) == 0)
			return 1;
	}
	return 0;
}

/*
 * The state's bookmark name as this run sees it, or null for none or
 * one the run resets (it stays in the state, and in each STATE,
 * until the pass sets a new one).  The caller holds run->lock.
 */
static jv
state_bookmark(struct run *run, const char *name)
{
	if (bookmark_reset(run, name))
		return jv_null();
	return jv_getpath(jv_copy(*run->state), JV_ARRAY(
	    jv_string("bookmarks"), jv_string(name)));
}

/* The bookmark's cursor and, with ids, its ids, or start; with gs,
 * the seconds a stopped run left to re-read (they count as evidence).
 * The bookmark is the state's, or with from valid (an object of
 * bookmarks, not consumed) from's.  Returns whether there was one. */
static int
bookmark_get(struct run *run, jv from, const char *name, const char *start,
    char T[CURSOR_TIMESZ], struct ids *ids, struct groups *gs)
{
	jv b, c, sec;
	int i, n, had;

	/* all of it under the lock: b shares its parts with the state */
	pthread_mutex_lock(run->lock);
	if (jv_is_valid(from))
		b = jv_object_get(jv_copy(from), jv_string(name));
	else
		b = state_bookmark(run, name);
	c = jv_get_kind(b) == JV_KIND_OBJECT ?
	    jv_object_get(jv_copy(b), jv_string("updated_at")) : jv_invalid();
	if ((had = jv_get_kind(c) == JV_KIND_STRING)) {
		if (utc(jv_string_value(c), T) == -1)
			errx(FD_EXIT_FAIL, "state: bookmark %s: invalid "
			    "updated_at: %s", name, jv_string_value(c));
		if (ids != NULL)
			ids_from(jv_object_get(jv_copy(b),
			    jv_string("ids_at_cursor")), ids);
		sec = jv_object_get(jv_copy(b), jv_string("seconds"));
		n = gs != NULL && jv_get_kind(sec) == JV_KIND_ARRAY ?
		    jv_array_length(jv_copy(sec)) : 0;
		for (i = 0; i < n; i++) {
			jv g = jv_array_get(jv_copy(sec), i);
			jv t = jv_get_kind(g) == JV_KIND_OBJECT ?
			    jv_object_get(jv_copy(g), jv_string("updated_at")) :
			    jv_invalid();
			struct group *gr;
			if (jv_get_kind(t) == JV_KIND_STRING) {
				gs->v = reallocarray(gs->v, gs->n + 1,
				    sizeof(*gs->v));
				if (gs->v == NULL)
					err(FD_EXIT_FAIL, NULL);
				gr = &gs->v[gs->n++];
				memset(gr, 0, sizeof(*gr));
				if (utc(jv_string_value(t), gr->T) == -1)
					errx(FD_EXIT_FAIL, "state: bookmark %s: "
					    "invalid second", name);
				gr->evidence = 1;
				ids_from(jv_object_get(jv_copy(g),
				    jv_string("ids")), &gr->ids);
			}
			jv_free(t);
			jv_free(g);
		}
		jv_free(sec);
	} else if (utc(start, T) == -1)
		errx(FD_EXIT_USAGE, "--since %s: not an ISO 8601 time", start);
	jv_free(c);
	jv_free(b);
	pthread_mutex_unlock(run->lock);
	return had;
}

/* A bookmark's value: cursor T, the ids at it, the seconds to verify. */
static jv
bookmark_value(const char *T, const struct ids *ids, const struct groups *gs)
{
	jv b = jv_object(), sec;
	size_t i;

	b = jv_object_set(b, jv_string("updated_at"), jv_string(T));
	b = jv_object_set(b, jv_string("ids_at_cursor"), ids_to(ids));
	if (gs != NULL && gs->n > 0) {
		sec = jv_array();
		for (i = 0; i < gs->n; i++)
			sec = jv_array_append(sec, jv_object_set(jv_object_set(
			    jv_object(), jv_string("updated_at"),
			    jv_string(gs->v[i].T)), jv_string("ids"),
			    ids_to(&gs->v[i].ids)));
		b = jv_object_set(b, jv_string("seconds"), sec);
	}
	return b;
}

/* Sets bookmark name to value b (consumed). */
static void
bookmark_put(struct run *run, const char *name, jv b)
{
	pthread_mutex_lock(run->lock);
	*run->state = jv_setpath(*run->state, JV_ARRAY(jv_string("bookmarks"),
	    jv_string(name)), b);
	pthread_mutex_unlock(run->lock);
}

static void
bookmark_set(struct run *run, const char *name, const char *T,
    const struct ids *ids, const struct groups *gs)
{
	bookmark_put(run, name, bookmark_value(T, ids, gs));
}

/* The URL of page p (of per_page k) of a pass over ep's list for
 * endpoint own (ep, or a child of it: --include is for tickets only),
 * oldest first when ep is read in windows of updated_at.  The result is
 * in buf. */
static void
url_of(struct run *run, const struct endpoint *ep, const struct pass *ps,
    const char *T, int k, long p, struct fd_buf *buf,
    const struct endpoint *own)
{
	fd_buf_reset(buf);
	fd_buf_printf(buf, "%s%s", run->base, ep->path);
	if (ep->object)
		return;
	fd_buf_printf(buf, "?per_page=%d&page=%ld", k, p);
	if (ep->filter != NULL && T != NULL)
		fd_buf_printf(buf, "&%s=%s", ep->filter, T);
	if (ep->kind == SYNC_ORDERED)
		fd_buf_puts(buf, "&order_by=updated_at&order_type=asc");
	if (ps->extra != NULL)
		fd_buf_printf(buf, "&%s", ps->extra);
	if (run->include != NULL && strcmp(own->name, "tickets") == 0)
		fd_buf_printf(buf, "&include=%s", run->include);
}

static int
after_until(const struct run *run, const struct rec *r)
{
	return run->until != NULL && strcmp(r->ts, run->until) > 0;
}

/* The endpoint whose list a pass reads: a child's parent, else ep. */
static const struct endpoint *
listed(const struct endpoint *ep)
{
	const struct endpoint *p;

	if (ep->parent == NULL)
		return ep;
	if ((p = endpoint_find(ep->parent)) == NULL)
		errx(FD_EXIT_FAIL, "%s: no parent endpoint %s", ep->name,
		    ep->parent);
	return p;
}


/*
 * A consumer of a tickets pass that keeps only the ids it shows
 * (SYNC_ARCHIVE: archived_tickets, and --reconcile's reads), and holds
 * its pass bookmarks instead of setting them.
 *
 * Archived tickets (FRESHDESK.md Part 3.12) leave every list and are
 * read one by one, by id: after the passes, the ids from 1 to the
 * highest shown that no pass showed, and no earlier run resolved, are
 * probed (archive_probe).  archived_tickets' pass bookmarks are written
 * only with the list of ids to probe: a run stopped before then reads
 * those passes again, so no id shown is forgotten and no live ticket is
 * probed.
 */
struct shown {
	const struct endpoint	*ep;
	struct fd_idset		 ids;
	jv			 held;	/* bookmark name: value */
	/* --reconcile: ids at or below low first shown by this read */
	int64_t			 low;
	long			 fresh;
};

/* Adds the id of r to sh (see struct shown). */
static void
shown_add(struct shown *sh, const struct rec *r)
{
	if (fd_idset_has(&sh->ids, r->id))
		return;
	if (fd_idset_add(&sh->ids, r->id) == -1)
		errx(FD_EXIT_FAIL, "%s: ticket id %" PRId64 ": not an id "
		    "from 1 to %lld", sh->ep->name, r->id,
		    (long long)FD_IDSET_LIMIT);
	if (r->id <= sh->low)
		sh->fresh++;
}

/* Where a read of a whole tickets list starts. */
#define EPOCH		"1970-01-01T00:00:00Z"
/* Probes in one batch, a STATE after each. */
#define PROBE_BATCH	100

/* The endpoints a pass writes: v[0] leads (its list is read), the
 * per-ticket endpoints v[1..] ride on it. */
struct consumers {
	const struct endpoint *const *v;
	size_t	 n;
	int	 pass;		/* which of the lead's passes: 0, 1, 2 */
	struct shown	*sh;	/* of the SYNC_ARCHIVE among v, or NULL */
	/* bookmarks to start from instead of the state's, or NULL */
	jv		 from;
};

/* The bookmark of consumer k of a pass ps of c->v[0]. */
static const char *
bookmark_of(const struct consumers *c, size_t k, const struct pass *ps)
{
	return k == 0 ? ps->bookmark : c->v[k]->passes[c->pass].bookmark;
}

/* Whether consumer k is still read (not refused by the plan). */
static int
active(const struct run *run, const struct consumers *c, size_t k)
{
	return !(run->no_feature & endpoint_bit(c->v[k]));
}

/*
 * Sets pg to the request of ep's child path for parent id (paged:
 * with per_page), a 404 allowed; returns its URL, which the caller
 * frees after the page.
 */
static char *
child_page(struct run *run, const struct endpoint *ep, int64_t id,
    int paged, struct page *pg)
{
	struct fd_buf u = FD_BUF_INIT;
	char *url;

	fd_buf_puts(&u, run->base);
	fd_buf_printf(&u, ep->child, (long long)id);
	if (paged)
		fd_buf_printf(&u, "?per_page=%d", run->per_page);
	url = xstrdup(xbuf(&u));
	fd_buf_free(&u);
	pg->url = url;
	pg->ep = ep;
	pg->missing_ok = 1;
	return url;
}

/*
 * The records of child endpoints eps[0..neps) for n parent ids: one
 * request per parent and endpoint, up to -j at once, taken endpoint by
 * endpoint in the parents' order once all have arrived; a parent gone
 * meanwhile (404) has none, an endpoint the plan lacks is skipped after
 * its first refusal.  The records are written, or with keep != NULL
 * only their ids are added to keep.
 */
static void
fan_out(struct run *run, const struct endpoint *const *eps, size_t neps,
    const int64_t *id, size_t n, struct ids *keep)
{
	struct pagerecs pr = { 0 };
	struct page *pages, more;
	char **urls;
	size_t j, k, m = n * neps;

	if (m == 0)
		return;
	if ((pages = calloc(m, sizeof(*pages))) == NULL ||
	    (urls = calloc(m, sizeof(*urls))) == NULL)
		err(FD_EXIT_FAIL, NULL);
	for (j = 0; j < m; j++) {
		urls[j] = child_page(run, eps[j / n], id[j % n], 1, &pages[j]);
	}
	page_fetch(run, eps[0], pages, m);
	for (j = 0; j < m; j++) {
		struct page *pg = &pages[j];
		const struct endpoint *ep = pg->ep;
		while (pg->status == PAGE_OK) {
			split(ep, pg->resp, &pr, NULL);
			for (k = 0; k < pr.n; k++) {
				if (keep == NULL)
					emit(run, ep, &pr.v[k], NULL);
				else if (pr.v[k].has_id)
					ids_add(keep, pr.v[k].id);
			}
			if (pg->resp->next == NULL)
				break;
			/* a parent with more than a page of children */
			memset(&more, 0, sizeof(more));
			more.missing_ok = 1;
			page_get(run, ep, pg->resp->next, &more);
			page_free(pg);
			*pg = more;
			pg->ep = ep;
		}
		page_free(pg);
		free(urls[j]);
	}
	free(pages);
	free(urls);
	free(pr.v);
}

/* Writes the new records of a page to each consumer still read: the
 * records themselves, or their children. */
static void
deliver(struct run *run, const struct consumers *c, const struct rec *v,
    size_t n)
{
	const struct endpoint *kids[JOB_EPS_MAX];
	int64_t *id;
	size_t i, k, nk = 0;

	for (k = 0; k < c->n; k++) {
		if (!active(run, c, k))
			continue;
		if (c->v[k]->kind == SYNC_ARCHIVE) {
			for (i = 0; i < n; i++)
				shown_add(c->sh, &v[i]);
		} else if (c->v[k]->kind != SYNC_CHILD) {
			for (i = 0; i < n; i++)
				emit(run, c->v[k], &v[i], NULL);
		} else if (nk < sizeof(kids) / sizeof(kids[0]))
			kids[nk++] = c->v[k];
	}
	if (nk == 0 || n == 0)
		return;
	if ((id = calloc(n, sizeof(*id))) == NULL)
		err(FD_EXIT_FAIL, NULL);
	for (i = 0; i < n; i++)
		id[i] = v[i].id;
	fan_out(run, kids, nk, id, n, NULL);
	free(id);
}

/* Rounds of verify_second at most: each reads the second's pages
 * once; a shuffled second of 350 takes about 7. */
#define VERIFY_ROUNDS	30

/*
 * Reads second g->T again (see struct group), writing what was missed,
 * until the ids read that are still in the second reach its count, at
 * most VERIFY_ROUNDS readings of its pages.  A record leaves a past
 * second only by an update, which puts it at the end of the list, at or
 * after the pass's cursor `end`: each reading also reads that tail, so
 * that every record gone from the second is known (g->left) and none
 * read earlier is taken for one still in it.  The count unknown (a
 * second a stopped run listed), a reading that finds nothing new ends
 * it.  The bookmark is not touched: the records written are older than
 * its cursor, and its "seconds" still name T until the caller drops it.
 */
static void
verify_second(struct run *run, const struct consumers *c,
    const struct pass *ps, struct group *g, const char *end)
{
	struct pagerecs pr = { 0 };
	struct fd_buf url = FD_BUF_INIT;
	const struct endpoint *lep = listed(c->v[0]);
	struct page pg;
	int p, found, round, more, refused = 0, tail;
	size_t i, nnew;

	for (round = 0; round < VERIFY_ROUNDS && !refused; round++) {
		found = 0;
		for (tail = 0; tail < 2 && !refused; tail++)
		for (p = 1, more = 1; more; p++) {
			url_of(run, lep, ps, tail ? end : g->T, run->per_page,
			    p, &url, c->v[0]);
			if (page_get(run, lep, xbuf(&url), &pg) != PAGE_OK) {
				refused = 1;
				break;
			}
			split(lep, pg.resp, &pr, lep->cursor);
			more = pg.resp->next != NULL;
			nnew = 0;
			for (i = 0; i < pr.n; i++) {
				struct rec *r = &pr.v[i];
				if (strcmp(r->ts, g->T) != 0) {
					/* gone from the second */
					if (ids_has(&g->ids, r->id))
						ids_add(&g->left, r->id);
					continue;
				}
				if (tail || ids_has(&g->ids, r->id))
					continue;
				pr.v[nnew++] = *r;
				ids_add(&g->ids, r->id);
				found++;
			}
			if (!tail && (!more || (pr.n > 0 &&
			    strcmp(pr.v[pr.n - 1].ts, g->T) != 0))) {
				/* where the second ends: its count now */
				for (i = 0; i < pr.n &&
				    strcmp(pr.v[i].ts, g->T) == 0; i++)
					;
				g->count = (long)(p - 1) * run->per_page +
				    (long)i;
				more = 0;
			}
			deliver(run, c, pr.v, nnew);
			page_free(&pg);
			checkpoint(run);
		}
		if (refused)
			break;
		if (g->count <= 0 ? found == 0 :
		    (long)(g->ids.n - g->left.n) >= g->count)
			break;
	}
	if (round == VERIFY_ROUNDS)
		warnx("%s: records updated at %s may be missing after %d "
		    "readings of that second (%ld in it)", c->v[0]->name,
		    g->T, VERIFY_ROUNDS, g->count);
	free(pr.v);
	fd_buf_free(&url);
}

/* Keeps second T, read by turning pages, until the pass ends. */
static void
group_keep(struct groups *gs, const char *T, const struct ids *ids)
{
	struct group *g;
	size_t i;

	gs->v = reallocarray(gs->v, gs->n + 1, sizeof(*gs->v));
	if (gs->v == NULL)
		err(FD_EXIT_FAIL, NULL);
	g = &gs->v[gs->n++];
	memset(g, 0, sizeof(*g));
	snprintf(g->T, sizeof(g->T), "%s", T);
	for (i = 0; i < ids->n; i++)
		ids_add(&g->ids, ids->v[i]);
}

/* Sets the bookmark of every consumer still read. */
static void
bookmarks_set(struct run *run, const struct consumers *c,
    const struct pass *ps, const char *T, const struct ids *ids,
    const struct groups *gs)
{
	size_t k;

	for (k = 0; k < c->n; k++) {
		if (!active(run, c, k))
			continue;
		if (c->v[k]->kind == SYNC_ARCHIVE)
			c->sh->held = jv_object_set(c->sh->held,
			    jv_string(bookmark_of(c, k, ps)),
			    bookmark_value(T, ids, gs));
		else
			bookmark_set(run, bookmark_of(c, k, ps), T, ids, gs);
	}
}

/* Whether no consumer of c is read any more. */
static int
all_refused(const struct run *run, const struct consumers *c)
{
	size_t k;

	for (k = 0; k < c->n; k++)
		if (active(run, c, k))
			return 0;
	return 1;
}

void
utc_at(time_t t, char out[CURSOR_TIMESZ])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, CURSOR_TIMESZ, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The second after T (a utc() time), in out. */
static void
second_after(const char *T, char out[CURSOR_TIMESZ])
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(T, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		errx(FD_EXIT_FAIL, "%s: not a cursor time", T);
	tm.tm_year -= 1900;
	tm.tm_mon--;
	utc_at(timegm(&tm) + 1, out);
}

/*
 * Keeps in fresh the records of page p (pr) of the window at T that it
 * writes: none after --until (then *stop), none of an earlier window
 * (ids at T), and on page p > 1 none after T; newT becomes the latest
 * cursor time kept.  A record of a kept group's ids seen at a later
 * second is evidence that the group's second lost it.  Returns 1 when
 * page p > 1 shows where a crowded second T ends.
 */
static int
page_keep(const struct run *run, const struct pagerecs *pr, int p,
    const char *T, const struct ids *ids, struct groups *gs,
    struct pagerecs *fresh, char newT[CURSOR_TIMESZ], int *stop)
{
	size_t i, g;
	int ends = 0;

	fresh->n = 0;
	for (i = 0; i < pr->n; i++) {
		struct rec *r = &pr->v[i];
		if (after_until(run, r)) {
			*stop = 1;
			break;
		}
		/*
		 * Page p > 1 of a crowded second, where it ends: a record
		 * that left the second since page 1 shifted the later ones
		 * back, onto pages not read.  Those after T wait for a
		 * window of their own.
		 */
		if (p > 1 && strcmp(r->ts, T) > 0) {
			ends = 1;
			continue;
		}
		if (strcmp(r->ts, newT) > 0)
			strcpy(newT, r->ts);
		if (strcmp(r->ts, T) == 0 && ids_has(ids, r->id))
			continue;	/* written by an earlier window */
		for (g = 0; g < gs->n; g++) {
			if (strcmp(r->ts, gs->v[g].T) > 0 &&
			    ids_has(&gs->v[g].ids, r->id)) {
				gs->v[g].evidence = 1;
				ids_add(&gs->v[g].left, r->id);
			}
			/* a second listed by a stopped run: what this pass
			 * writes of it is not re-written */
			if (strcmp(r->ts, gs->v[g].T) == 0)
				ids_add(&gs->v[g].ids, r->id);
		}
		recs_push(fresh, r);
	}
	return ends;
}

/*
 * Page p > 1 of the window at T moved the cursor past T: the crowded
 * second T ends on this page.  It is kept in gs, with its ids and its
 * count, to verify at the end of the pass.
 */
static void
second_ends(const struct run *run, const struct pagerecs *pr, int p,
    const char *T, struct ids *ids, struct groups *gs)
{
	struct group *gr;
	size_t i, nT = 0;

	for (i = 0; i < pr->n; i++)
		if (strcmp(pr->v[i].ts, T) == 0) {
			ids_add(ids, pr->v[i].id);
			nT++;
		}
	group_keep(gs, T, ids);
	gr = &gs->v[gs->n - 1];
	/* page p of the window at T: the second ends here */
	gr->count = (long)(p - 1) * run->per_page + (long)nT;
	if ((long)ids->n < gr->count)
		gr->evidence = 1;
	/* the evidence may be on this very page */
	for (i = 0; i < pr->n; i++)
		if (strcmp(pr->v[i].ts, T) > 0 && ids_has(ids, pr->v[i].id)) {
			gr->evidence = 1;
			ids_add(&gr->left, pr->v[i].id);
		}
}

/*
 * The pass is over at cursor T: the seconds that need it are re-read
 * (verify_second), and the bookmark keeps what the cursor's second
 * holds now.
 */
static void
pass_verify(struct run *run, const struct consumers *c,
    const struct pass *ps, const char *T, struct ids *ids,
    struct groups *gs)
{
	size_t g, i;

	bookmarks_set(run, c, ps, T, ids, gs);
	for (g = 0; g < gs->n; g++)
		if (gs->v[g].evidence || run->until != NULL)
			verify_second(run, c, ps, &gs->v[g], T);
	for (g = 0; g < gs->n; g++)
		if (strcmp(gs->v[g].T, T) == 0)
			for (i = 0; i < gs->v[g].ids.n; i++)
				ids_add(ids, gs->v[g].ids.v[i]);
	bookmarks_set(run, c, ps, T, ids, NULL);
	checkpoint(run);
}

/*
 * The ordered pass ps of c->v[0] (see the top of this file); the
 * consumers share its bookmark, so its fresh records are fresh for all.
 */
static void
pass_ordered(struct run *run, const struct consumers *c,
    const struct pass *ps)
{
	const struct endpoint *ep = c->v[0], *lep = listed(ep);
	struct pagerecs pr = { 0 }, fresh = { 0 };
	struct fd_buf url = FD_BUF_INIT;
	struct ids ids = { 0 };
	struct groups gs = { 0 };
	struct page pg;
	char T[CURSOR_TIMESZ], newT[CURSOR_TIMESZ], oldT[CURSOR_TIMESZ];
	int p = 1, stop = 0, ends;
	size_t i, g;

	/* the ids a tickets pass misses are archived only when it read
	 * from the beginning: a SYNC_ARCHIVE pass starts there */
	bookmark_get(run, c->from, ps->bookmark, ep->kind == SYNC_ARCHIVE ?
	    EPOCH : run->since, T, &ids, &gs);
	for (;;) {
		url_of(run, lep, ps, T, run->per_page, p, &url, c->v[0]);
		if (page_get(run, lep, xbuf(&url), &pg) == PAGE_NO_FEATURE)
			break;
		split(lep, pg.resp, &pr, lep->cursor);
		if (ep->kind == SYNC_ORDERED)
			schema(run, ep);	/* children: at their first RECORD */
		strcpy(newT, T);
		strcpy(oldT, T);
		ends = page_keep(run, &pr, p, T, &ids, &gs, &fresh, newT,
		    &stop);
		deliver(run, c, fresh.v, fresh.n);
		if (ends)
			second_after(T, newT);
		/* the ids at the new cursor second, so the next window,
		 * which starts at that second, skips them */
		if (strcmp(newT, T) != 0) {
			if (p > 1)
				second_ends(run, &pr, p, T, &ids, &gs);
			ids.n = 0;
			strcpy(T, newT);
		}
		/* (after a crowded second's end, none at T was written) */
		for (i = 0; i < pr.n && !ends; i++)
			if (strcmp(pr.v[i].ts, T) == 0)
				ids_add(&ids, pr.v[i].id);
		if ((pg.resp->next == NULL && !ends) || stop) {
			page_free(&pg);
			/*
			 * The list ended in the cursor's second, read by
			 * turning pages: it is a second to verify too, its
			 * count where the list ends (unknown after --until).
			 */
			if (p > 1 && strcmp(T, oldT) == 0) {
				group_keep(&gs, T, &ids);
				gs.v[gs.n - 1].evidence = 1;
				gs.v[gs.n - 1].count = stop ? 0 :
				    (long)(p - 1) * run->per_page + (long)pr.n;
			}
			pass_verify(run, c, ps, T, &ids, &gs);
			break;
		}
		bookmarks_set(run, c, ps, T, &ids, &gs);
		/*
		 * A whole page in the cursor's second: the next window
		 * starts with it again, so turn the page in that second
		 * (page 2 of a new window, the next page of the same).
		 */
		if (!ends && pr.n > 0 && strcmp(pr.v[0].ts, T) == 0)
			p = strcmp(T, oldT) == 0 ? p + 1 : 2;
		else
			p = 1;
		page_free(&pg);
		checkpoint(run);
		if (all_refused(run, c))
			break;	/* the plan lacks every consumer */
	}
	for (g = 0; g < gs.n; g++) {
		free(gs.v[g].ids.v);
		free(gs.v[g].left.v);
	}
	free(gs.v);
	free(pr.v);
	free(fresh.v);
	free(ids.v);
	fd_buf_free(&url);
}

/*
 * Lists not ordered by updated_at (contacts, companies, agents and
 * groups by name, ratings newest first: FRESHDESK.md Part 3.2-3) are
 * read by offset, and a record leaving the list in front of the reader
 * shifts the rest back: one live record would never be served.  walk()
 * reads such a list in windows that overlap.  Page q of per_page k is
 * offsets (q-1)k .. qk-1; each next window starts before the group of
 * records that tie on the order key at the end of the window before
 * (so that a group the server shuffles is read whole by one response),
 * as far on as some k <= per_page allows: about 1.05 requests per page
 * of records.  The order keys of the overlap are compared: the same
 * (nothing moved in front of us), shifted on by d (d records left: the
 * overlap absorbs it), shifted back (records arrived in front of us),
 * or neither.  The last two make the read "moved": a record may have
 * moved from ahead of us to behind.  A list with a change filter
 * (contacts, ratings) does not mind an arrival, whose updated_at is
 * after the pass began (the next run reads it), only a shift it
 * cannot explain.  A moved list is read again, WALK_READS reads in
 * all, each record passed on once; a read that is not moved is
 * consistent.
 */
#define WALK_READS	4

/* Seconds taken off the server's Date for a cursor bound: the Date is
 * the web server's clock, not the clock of updated_at (Part 3.13). */
#define CLOCK_MARGIN	120

struct walk {
	struct run		*run;
	const struct endpoint	*ep;
	const struct pass	*ps;
	const char		*T;	/* the filter's value, or NULL */
	void			(*take)(struct walk *, const struct rec *);
	void			*arg;	/* take's */
	struct ids		 seen;	/* ids passed to take */
	int			 moved;	/* this read */
	int			 ties;	/* a tie group over a whole window */
	int			 unchecked;	/* a step without overlap */
	/* pass_filtered's */
	struct ids		 ids, newids;
	char			 Tc[CURSOR_TIMESZ], newT[CURSOR_TIMESZ],
				 D[CURSOR_TIMESZ];
};

static int
same_key(const struct walk *w, const struct rec *a, const struct rec *b)
{
	if (w->ep->order == NULL)
		return a->has_id == b->has_id && a->id == b->id;
	if (a->key == NULL || b->key == NULL)
		return a->key == b->key;	/* both without: a tie */
	return a->keylen == b->keylen && memcmp(a->key, b->key,
	    a->keylen) == 0;
}

/* Whether o[0..len) and n[0..len) have the same keys in turn. */
static int
fits(const struct walk *w, const struct rec *o, const struct rec *n,
    size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!same_key(w, &o[i], &n[i]))
			return 0;
	return 1;
}

/* Whether o[0..len) holds two keys: a shift of it shows. */
static int
varied(const struct walk *w, const struct rec *o, size_t len)
{
	size_t i;

	for (i = 1; i < len; i++)
		if (!same_key(w, &o[0], &o[i]))
			return 1;
	return 0;
}

/*
 * How the new window nw (n records) starts against the m records o of
 * the window before at the same offsets: 0 the same, d > 0 shifted on
 * by d (d records left in front), -d shifted back (d arrived), or
 * INT_MIN: neither.
 */
static int
overlap(const struct walk *w, const struct rec *o, size_t m,
    const struct rec *nw, size_t n)
{
	size_t d, len;

	if (fits(w, o, nw, m < n ? m : n))
		return 0;
	for (d = 1; d < m; d++) {
		len = m - d < n ? m - d : n;
		if (varied(w, o + d, len) && fits(w, o + d, nw, len))
			return (int)d;
		if (d < n) {
			len = m - d < n - d ? m - d : n - d;
			if (varied(w, o, len) && fits(w, o, nw + d, len))
				return -(int)d;
		}
	}
	return INT_MIN;
}

/*
 * The window after one at offset s whose trailing tie group starts at
 * offset b (> s) and which ends at e: the largest end reachable by a
 * page of per_page k <= kmax that starts after s and at or before b-1.
 * 0, or -1 when none gets past e.
 */
static int
next_window(long s, long b, long e, int kmax, long *ns, int *nk)
{
	long start, best = e;
	int k;

	for (k = kmax; k >= 2; k--) {
		start = (b - 1) / k * k;
		if (start > s && start + k - 1 > best) {
			best = start + k - 1;
			*ns = start;
			*nk = k;
		}
	}
	return best > e ? 0 : -1;
}

/* One read of the list (see above); read 0 passes on records without
 * an id too.  0, or -1 when the plan refuses the endpoint. */
static int
walk_once(struct walk *w, int read)
{
	struct run *run = w->run;
	const struct endpoint *ep = w->ep;
	struct pagerecs pr[2] = { { 0 }, { 0 } };
	struct page pg[2];
	struct fd_buf url = FD_BUF_INIT;
	long s = 0, ps = 0, ns = 0, e, b;
	int k = run->per_page, nk = 0, cur = 0, prev = 0, d, rc = 0;
	size_t i, n;

	for (;;) {
		url_of(run, ep, w->ps, w->T, k, s / k + 1, &url, ep);
		if (page_get(run, ep, xbuf(&url), &pg[cur]) == PAGE_NO_FEATURE) {
			rc = -1;
			if (prev)
				page_free(&pg[1 - cur]);
			break;
		}
		if (w->D[0] == '\0') {
			/* the cursor's bound: the Date of the first answer */
			utc_at((pg[cur].resp->date ? pg[cur].resp->date :
			    time(NULL)) - CLOCK_MARGIN, w->D);
		}
		split(ep, pg[cur].resp, &pr[cur], ep->cursor);
		schema(run, ep);
		n = pr[cur].n;
		if (prev) {
			e = ps + (long)pr[1 - cur].n - 1;
			d = overlap(w, pr[1 - cur].v + (s - ps), (size_t)(e -
			    s + 1), pr[cur].v, n);
			if (d == INT_MIN || (d < 0 && ep->filter == NULL))
				w->moved = 1;
			page_free(&pg[1 - cur]);
		}
		for (i = 0; i < n; i++) {
			struct rec *r = &pr[cur].v[i];
			if (r->has_id ? ids_has(&w->seen, r->id) : read > 0)
				continue;
			if (r->has_id)
				ids_add(&w->seen, r->id);
			w->take(w, r);
		}
		if (pg[cur].resp->next == NULL) {
			page_free(&pg[cur]);
			break;
		}
		checkpoint(run);
		/* the trailing tie group starts at b */
		e = s + (long)n - 1;
		for (b = e; b > s && n > 0 &&
		    same_key(w, &pr[cur].v[b - s - 1], &pr[cur].v[n - 1]); b--)
			;
		if (n > 0 && next_window(s, b, e, run->per_page, &ns, &nk) ==
		    0) {
			prev = 1;
		} else {
			/*
			 * No overlap to show a shift: a tie group over the
			 * whole window (whose order is the server's), or
			 * pages too small for any window to start before
			 * the group and still end past this one.
			 */
			if (b == s)
				w->ties = 1;
			w->unchecked = 1;
			ns = s + k;
			nk = k;
			prev = 0;
			page_free(&pg[cur]);
		}
		ps = s;
		s = ns;
		k = nk;
		cur = 1 - cur;
	}
	free(pr[0].v);
	free(pr[1].v);
	fd_buf_free(&url);
	return rc;
}

/* Reads the list until a read is consistent, WALK_READS at most.  0, 1
 * when none was, -1 when the plan refuses the endpoint. */
static int
walk(struct walk *w)
{
	const char *fate;
	int i;

	for (i = 0; i < WALK_READS; i++) {
		w->moved = 0;
		if (walk_once(w, i) == -1)
			return -1;
		if (!w->moved)
			break;
		if (w->run->verbose)
			warnx("%s: the list changed while it was read: "
			    "reading it again", w->ep->name);
	}
	if (i < WALK_READS && !w->unchecked)
		return 0;
	fate = w->ep->filter != NULL ? "its cursor stays where it was" :
	    "records gone from Freshdesk stay until a later run";
	if (w->unchecked)	/* reading again would meet the same steps */
		warnx("%s: %s: the read cannot be checked for records "
		    "moving in front of it; %s", w->ep->name, w->ties ?
		    "more records than a page tie in the list's order" :
		    "records that tie in the list's order, or pages too "
		    "small, left steps without overlap", fate);
	else
		warnx("%s: the list kept changing while it was read (%d "
		    "reads): %s", w->ep->name, WALK_READS, fate);
	return 1;
}

static void
take_filtered(struct walk *w, const struct rec *r)
{
	if (after_until(w->run, r))
		return;
	if (strcmp(r->ts, w->Tc) == 0 && ids_has(&w->ids, r->id))
		return;
	/* state=blocked also lists the deleted: the deleted pass has them */
	if (!(r->deleted && w->ps->state != NULL &&
	    strcmp(w->ps->state, "blocked") == 0))
		emit(w->run, w->ep, r, w->ps->state);
	if (strcmp(r->ts, w->D) > 0)
		return;
	if (strcmp(r->ts, w->newT) > 0) {
		strcpy(w->newT, r->ts);
		w->newids.n = 0;
	}
	if (strcmp(r->ts, w->newT) == 0)
		ids_add(&w->newids, r->id);
}

/*
 * A change filter, no order to rely on: the whole list since the
 * cursor, by walk(); then the cursor moves to the newest record not
 * later than the server's Date at the start of the pass less
 * CLOCK_MARGIN (a record updated during the pass, behind our position,
 * is read again next run rather than lost).
 */
static void
pass_filtered(struct run *run, const struct endpoint *ep,
    const struct pass *ps)
{
	struct walk w;
	size_t i;

	memset(&w, 0, sizeof(w));
	w.run = run;
	w.ep = ep;
	w.ps = ps;
	w.take = take_filtered;
	bookmark_get(run, jv_invalid(), ps->bookmark, run->since, w.Tc, &w.ids,
	    NULL);
	strcpy(w.newT, w.Tc);
	for (i = 0; i < w.ids.n; i++)
		ids_add(&w.newids, w.ids.v[i]);
	w.T = w.Tc;
	if (walk(&w) == 0) {
		bookmark_set(run, ps->bookmark, w.newT, &w.newids, NULL);
		checkpoint(run);
	}
	free(w.seen.v);
	free(w.ids.v);
	free(w.newids.v);
}

static void
take_full(struct walk *w, const struct rec *r)
{
	emit(w->run, w->ep, r, NULL);
}

/* No filter: the whole list by walk(), its records versioned, and
 * ACTIVATE_VERSION once a read was consistent. */
static void
pass_full(struct run *run, const struct endpoint *ep, const struct pass *ps)
{
	struct pagerecs pr = { 0 };
	struct fd_buf url = FD_BUF_INIT;
	struct page pg;
	struct walk w;

	if (!ep->object) {
		memset(&w, 0, sizeof(w));
		w.run = run;
		w.ep = ep;
		w.ps = ps;
		w.take = take_full;
		if (walk(&w) == 0) {
			activate(run, ep);
			checkpoint(run);
		}
		free(w.seen.v);
		return;
	}
	fd_buf_printf(&url, "%s%s", run->base, ep->path);
	if (page_get(run, ep, xbuf(&url), &pg) != PAGE_NO_FEATURE) {
		split(ep, pg.resp, &pr, NULL);
		schema(run, ep);
		emit(run, ep, &pr.v[0], NULL);
		page_free(&pg);
		activate(run, ep);
		checkpoint(run);
	}
	free(pr.v);
	fd_buf_free(&url);
}

/*
 * The ids of every record of a full-refresh endpoint, read but not
 * written: the parents of a child endpoint.  0, or -1 when the account
 * lacks the feature.
 */
static int
collect_ids(struct run *run, const struct endpoint *ep, struct ids *out)
{
	struct pagerecs pr = { 0 };
	struct fd_buf url = FD_BUF_INIT;
	struct ids parents = { 0 };
	struct page pg;
	size_t i;
	int rc = 0;

	if (ep->kind == SYNC_FULL_CHILD) {
		if (collect_ids(run, listed(ep), &parents) == 0)
			fan_out(run, &ep, 1, parents.v, parents.n, out);
		else
			rc = -1;
		free(parents.v);
		return rc;
	}
	fd_buf_printf(&url, "%s%s?per_page=%d", run->base, ep->path,
	    run->per_page);
	for (;;) {
		if (page_get(run, ep, xbuf(&url), &pg) != PAGE_OK) {
			rc = -1;
			break;
		}
		split(ep, pg.resp, &pr, NULL);
		for (i = 0; i < pr.n; i++)
			if (pr.v[i].has_id)
				ids_add(out, pr.v[i].id);
		if (pg.resp->next == NULL) {
			page_free(&pg);
			break;
		}
		fd_buf_reset(&url);
		fd_buf_puts(&url, pg.resp->next);
		page_free(&pg);
	}
	free(pr.v);
	fd_buf_free(&url);
	return rc;
}

/*
 * A child of a full-refresh endpoint (solution articles, say): every
 * parent's list, a hundred parents at a time, then ACTIVATE_VERSION.
 */
static void
pass_full_child(struct run *run, const struct endpoint *ep)
{
	struct ids parents = { 0 };
	size_t i, k;

	if (collect_ids(run, listed(ep), &parents) == -1) {
		free(parents.v);
		return;
	}
	schema(run, ep);
	for (i = 0; i < parents.n; i += k) {
		k = parents.n - i < 100 ? parents.n - i : 100;
		fan_out(run, &ep, 1, parents.v + i, k, NULL);
		checkpoint(run);
	}
	activate(run, ep);
	checkpoint(run);
	free(parents.v);
}

/* What the probe knows (its bookmark, PROBE_BOOKMARK). */
struct probe {
	int64_t		 probed_to;	/* every id up to it resolved... */
	struct fd_idset	 todo;		/* ...but these */
	struct fd_idset	 found;		/* archived */
	struct fd_idset	 gone;		/* 404: deleted forever, or none */
};

static const char *const probe_sets[] = { "todo", "found", "gone" };

/* The sets of pb, in the order of probe_sets. */
static struct fd_idset *
probe_set_at(struct probe *pb, int i)
{
	return i == 0 ? &pb->todo : i == 1 ? &pb->found : &pb->gone;
}

/* Reads the probe's bookmark into pb (zeroed first). */
static void
probe_get(struct run *run, struct probe *pb)
{
	char why[FD_ERRSZ];
	jv b, v;
	int i;

	memset(pb, 0, sizeof(*pb));
	pthread_mutex_lock(run->lock);
	b = state_bookmark(run, PROBE_BOOKMARK);
	if (jv_get_kind(b) == JV_KIND_OBJECT) {
		v = jv_object_get(jv_copy(b), jv_string("probed_to"));
		if (jv_get_kind(v) != JV_KIND_NUMBER ||
		    jv_number_value(v) < 0 ||
		    jv_number_value(v) > (double)FD_IDSET_LIMIT)
			errx(FD_EXIT_FAIL, "state: bookmark %s: no valid "
			    "probed_to", PROBE_BOOKMARK);
		pb->probed_to = (int64_t)jv_number_value(v);
		jv_free(v);
		for (i = 0; i < 3; i++) {
			v = jv_object_get(jv_copy(b), jv_string(probe_sets[i]));
			if (jv_get_kind(v) == JV_KIND_STRING &&
			    fd_idset_parse(probe_set_at(pb, i),
			    jv_string_value(v),
			    (size_t)jv_string_length_bytes(jv_copy(v)),
			    why) == -1)
				errx(FD_EXIT_FAIL, "state: bookmark %s: %s: %s",
				    PROBE_BOOKMARK, probe_sets[i], why);
			jv_free(v);
		}
	}
	jv_free(b);
	pthread_mutex_unlock(run->lock);
}

/* Writes the probe's bookmark, and with held (not NULL) the pass
 * bookmarks held with it, then a checkpoint: one STATE for all. */
static void
probe_put(struct run *run, struct probe *pb, jv *held)
{
	struct fd_buf t = FD_BUF_INIT;
	jv b = jv_object(), keys;
	int i, n;

	b = jv_object_set(b, jv_string("probed_to"),
	    jv_number((double)pb->probed_to));
	for (i = 0; i < 3; i++) {
		fd_buf_reset(&t);
		fd_idset_put(&t, probe_set_at(pb, i));
		b = jv_object_set(b, jv_string(probe_sets[i]),
		    jv_string(xbuf(&t)));
	}
	fd_buf_free(&t);
	bookmark_put(run, PROBE_BOOKMARK, b);
	if (held != NULL) {
		keys = jv_keys(jv_copy(*held));
		n = jv_array_length(jv_copy(keys));
		for (i = 0; i < n; i++) {
			jv k = jv_array_get(jv_copy(keys), i);
			bookmark_put(run, jv_string_value(k),
			    jv_object_get(jv_copy(*held), jv_copy(k)));
			jv_free(k);
		}
		jv_free(keys);
		jv_free(*held);
		*held = jv_object();
	}
	checkpoint(run);
}

static void
probe_free(struct probe *pb)
{
	fd_idset_free(&pb->todo);
	fd_idset_free(&pb->found);
	fd_idset_free(&pb->gone);
}

/*
 * Probes GET /tickets/archived/{id} for each id of v (n): a 200 is a
 * ticket of the archive, written (with its conversations when those
 * were asked too) and added to found; a 404 is an id that does not
 * exist, added to gone when the lists were read complete (--reconcile:
 * else a live ticket of a list read from --since may be one).  Returns -1 when the account has no archive
 * (403, warned once; nothing added), else 0.
 */
static int
probe_batch(struct run *run, const int64_t *v, size_t n, struct probe *pb,
    int complete)
{
	const struct endpoint *ep = endpoint_find("archived_tickets"),
	    *conv = endpoint_find("archived_conversations");
	struct pagerecs pr = { 0 };
	struct page *pages;
	char **urls;
	int64_t *got;
	size_t i, ngot = 0;
	int rc = 0;

	pages = xcalloc(n, sizeof(*pages));
	urls = xcalloc(n, sizeof(*urls));
	got = xcalloc(n, sizeof(*got));
	for (i = 0; i < n; i++)
		urls[i] = child_page(run, ep, v[i], 0, &pages[i]);
	page_fetch(run, ep, pages, n);
	for (i = 0; i < n && rc == 0; i++)
		if (pages[i].status == PAGE_NO_FEATURE)
			rc = -1;
	for (i = 0; i < n; i++) {
		struct fd_http_resp *r = pages[i].resp;
		if (rc == 0 && complete && pages[i].status == PAGE_MISSING &&
		    fd_idset_add(&pb->gone, v[i]) == -1)
			err(FD_EXIT_FAIL, NULL);
		if (pages[i].status != PAGE_OK)
			continue;
		pr.n = 0;
		if (fd_jscan_kind(r->body.data, r->body.len) !=
		    FD_JTOK_OBJECT || collect(&pr, r->body.data,
		    r->body.len) == -1 || !pr.v[0].has_id ||
		    pr.v[0].id != v[i])
			errx(FD_EXIT_FAIL, "%s: ticket %" PRId64 ": unexpected "
			    "answer: not that ticket", ep->name, v[i]);
		emit(run, ep, &pr.v[0], NULL);
		if (fd_idset_add(&pb->found, v[i]) == -1)
			err(FD_EXIT_FAIL, NULL);
		got[ngot++] = v[i];
		page_free(&pages[i]);
	}
	if (ngot > 0 &&
	    (run->asked & endpoint_bit(endpoint_find("conversations"))))
		fan_out(run, &conv, 1, got, ngot, NULL);
	for (i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	free(pages);
	free(got);
	free(pr.v);
	return rc;
}

/*
 * Probes the ids of which (pb's todo, or another set), in batches, a
 * STATE after each; each id probed leaves which and todo.  The first
 * goes alone: an account without the archive costs one request.
 * Returns -1 when the account has no archive, else 0.
 */
static int
probe_ids(struct run *run, struct probe *pb, struct fd_idset *which,
    int complete)
{
	int64_t id, v[PROBE_BATCH];
	size_t n, batch;
	int rc = 0;

	run->probe.probed = run->probe.found = 0;
	run->probe.left = (long)which->n;
	run->probe.started = now_ms();
	for (batch = 1, id = fd_idset_next(which, 1); id != -1;
	    batch = PROBE_BATCH) {
		for (n = 0; n < batch && id != -1;
		    id = fd_idset_next(which, id + 1))
			v[n++] = id;
		if ((rc = probe_batch(run, v, n, pb, complete)) == -1)
			break;	/* left in todo for a later run */
		run->probe.probed += (long)n;
		while (n > 0) {
			fd_idset_del(which, v[--n]);
			fd_idset_del(&pb->todo, v[n]);
		}
		run->probe.found = (long)pb->found.n;
		run->probe.left = (long)which->n;
		probe_put(run, pb, NULL);
		progress(run, 0, 0);
	}
	/* the probe's last count is shown, however quick it was */
	progress(run, 0, 1);
	run->probe.started = 0;
	return rc;
}

/*
 * After the passes of a job with archived_tickets: the ids to probe are
 * those left from an earlier run's list that these passes did not show,
 * and those above the highest id resolved before, up to the highest
 * shown, that they did not show.  The list is written first (with the
 * pass bookmarks held), then worked through: no id is probed twice
 * across runs.
 */
static void
archive_probe(struct run *run, struct shown *sh)
{
	struct probe pb;
	int64_t hi, id;

	probe_get(run, &pb);
	for (id = fd_idset_next(&pb.todo, 1); id != -1;
	    id = fd_idset_next(&pb.todo, id + 1))
		if (fd_idset_has(&sh->ids, id))
			fd_idset_del(&pb.todo, id);
	hi = fd_idset_max(&sh->ids);
	for (id = pb.probed_to + 1; id <= hi; id++)
		if (!fd_idset_has(&sh->ids, id) &&
		    fd_idset_add(&pb.todo, id) == -1)
			err(FD_EXIT_FAIL, NULL);
	if (hi > pb.probed_to)
		pb.probed_to = hi;
	probe_put(run, &pb, &sh->held);
	probe_ids(run, &pb, &pb.todo, 0);
	probe_free(&pb);
}

/*
 * --reconcile: the complete id set of a stream, sent down the pipe in
 * STATE messages with a member "fd_ids" (see fd(7)): Singer targets read
 * only a STATE's value, and fd-load marks the rows the set lacks.  At
 * most run->set_ranges ranges to a message.
 */
/* Reads of the tickets lists at most, until one shows no id missed. */
#define RECONCILE_READS	4

/* Writes a STATE with part number part (from 1), ids, of stream's
 * set. */
static void
set_part(struct run *run, const char *stream, const char *as_of,
    const struct fd_buf *ids, long part, int final)
{
	jv text;

	pthread_mutex_lock(run->lock);
	text = jv_dump_string(jv_copy(*run->state), 0);
	fd_buf_reset(&run->line);
	fd_buf_puts(&run->line, "{\"type\":\"STATE\",\"value\":");
	fd_buf_puts(&run->line, jv_string_value(text));
	fd_buf_printf(&run->line, ",\"fd_ids\":{\"stream\":\"%s\","
	    "\"set\":\"%" PRId64 ":%s\",\"as_of\":\"%s\",\"ids\":\"", stream,
	    run->version, stream, as_of);
	fd_buf_append(&run->line, ids->data, ids->len);
	fd_buf_printf(&run->line, "\",\"part\":%ld,\"final\":%s}}\n", part,
	    final ? "true" : "false");
	jv_free(text);
	line_out(run, 1);
	pthread_mutex_unlock(run->lock);
}

/* Sends ids[0..n) (ascending, distinct) as the set of stream. */
static void
set_send(struct run *run, const char *stream, const int64_t *ids,
    size_t n)
{
	struct fd_buf ids_text = FD_BUF_INIT;
	char as_of[CURSOR_TIMESZ];
	size_t i, j, ranges = 0;
	long part = 1;

	if (run->raw)
		return;
	utc_at(time(NULL), as_of);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && ids[j] == ids[j - 1] + 1; j++)
			;
		if (ranges > 0)
			fd_buf_putc(&ids_text, ',');
		fd_buf_printf(&ids_text, "%" PRId64, ids[i]);
		if (j - i > 1)
			fd_buf_printf(&ids_text, "-%" PRId64, ids[j - 1]);
		if ((long)++ranges == run->set_ranges && j < n) {
			xbuf_check(&ids_text);
			set_part(run, stream, as_of, &ids_text, part++, 0);
			fd_buf_reset(&ids_text);
			ranges = 0;
		}
	}
	xbuf_check(&ids_text);
	set_part(run, stream, as_of, &ids_text, part, 1);
	fd_buf_free(&ids_text);
	if (run->verbose)
		warnx("%s: --reconcile: %zu ids exist", stream, n);
}

/* The ids of s, ascending, in a new array; *n their count. */
static int64_t *
idset_array(const struct fd_idset *s, size_t *n)
{
	int64_t *v, id;

	v = xcalloc(s->n ? s->n : 1, sizeof(*v));
	*n = 0;
	for (id = fd_idset_next(s, 1); id != -1; id = fd_idset_next(s, id + 1))
		v[(*n)++] = id;
	return v;
}

/*
 * --reconcile for tickets: every tickets pass read from the beginning
 * for its ids, then again from where each ended, until a read shows no
 * id at or below the highest of the first that the reads before missed
 * (a ticket moved from a list not yet read to one already read).  The
 * ids up to the highest known that no list shows, and that the probe
 * has not resolved, are probed: archived, or gone.  The set is the ids
 * listed and archived.  0, or -1 when no complete set was read (warned).
 */
static int
reconcile_tickets(struct run *run)
{
	const struct endpoint *ep = endpoint_find("ticket_ids"),
	    *arch = endpoint_find("archived_tickets");
	struct shown sh;
	struct consumers c;
	struct probe pb;
	struct fd_idset cand = FD_IDSET_INIT;
	jv from = jv_object();
	int64_t *v, id, hi;
	size_t n;
	int i, read;

	memset(&sh, 0, sizeof(sh));
	sh.ep = ep;
	sh.held = jv_object();
	for (i = 0; i < PASSES_MAX && ep->passes[i].bookmark != NULL; i++)
		from = jv_object_set(from, jv_string(ep->passes[i].bookmark),
		    JV_OBJECT(jv_string("updated_at"), jv_string(EPOCH)));
	for (read = 0; read < RECONCILE_READS; read++) {
		sh.fresh = 0;
		for (i = 0; i < PASSES_MAX && ep->passes[i].bookmark != NULL;
		    i++) {
			c.v = &ep;
			c.n = 1;
			c.pass = i;
			c.sh = &sh;
			c.from = from;
			pass_ordered(run, &c, &ep->passes[i]);
		}
		jv_free(from);
		from = sh.held;
		sh.held = jv_object();
		if (run->no_feature & endpoint_bit(listed(ep)))
			break;
		if (read == 0)
			sh.low = fd_idset_max(&sh.ids);
		else if (sh.fresh == 0)
			break;
	}
	jv_free(from);
	jv_free(sh.held);
	if (read == RECONCILE_READS ||
	    (run->no_feature & endpoint_bit(listed(ep)))) {
		warnx("tickets: --reconcile: %s: no deletions", read ==
		    RECONCILE_READS ? "the lists kept changing while they "
		    "were read" : "the lists could not be read");
		fd_idset_free(&sh.ids);
		return -1;
	}
	/* the ids no list shows: archived since, or gone */
	probe_get(run, &pb);
	hi = sh.low > pb.probed_to ? sh.low : pb.probed_to;
	for (id = 1; id <= hi; id++)
		if (!fd_idset_has(&sh.ids, id) && !fd_idset_has(&pb.found, id) &&
		    !fd_idset_has(&pb.gone, id) &&
		    fd_idset_add(&cand, id) == -1)
			err(FD_EXIT_FAIL, NULL);
	if (!(run->no_feature & endpoint_bit(arch)) &&
	    probe_ids(run, &pb, &cand, 1) == 0 && hi > pb.probed_to) {
		pb.probed_to = hi;
		probe_put(run, &pb, NULL);
	}
	for (id = fd_idset_next(&pb.found, 1); id != -1;
	    id = fd_idset_next(&pb.found, id + 1))
		if (fd_idset_add(&sh.ids, id) == -1)
			err(FD_EXIT_FAIL, NULL);
	v = idset_array(&sh.ids, &n);
	set_send(run, "tickets", v, n);
	free(v);
	probe_free(&pb);
	fd_idset_free(&cand);
	fd_idset_free(&sh.ids);
	return 0;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* A growing array of ids (contacts': large, sparse). */
struct idvec {
	int64_t	*v;
	size_t	 n, cap;
};

static void
take_id(struct walk *w, const struct rec *r)
{
	struct idvec *iv = w->arg;

	if (!r->has_id)
		return;
	if (iv->n == iv->cap) {
		iv->cap = iv->cap ? iv->cap * 2 : 1024;
		iv->v = xreallocarray(iv->v, iv->cap, sizeof(*iv->v));
	}
	iv->v[iv->n++] = r->id;
}

/* Sorts iv and drops repeats; returns how many ids were new since
 * the first old (the count before this read, sorted). */
static size_t
idvec_settle(struct idvec *iv, size_t old)
{
	size_t i, k, fresh = 0;
	int64_t *prev;

	if (iv->n == 0)
		return 0;
	prev = xcalloc(old ? old : 1, sizeof(*prev));
	memcpy(prev, iv->v, old * sizeof(*prev));
	qsort(iv->v, iv->n, sizeof(*iv->v), cmp_id);
	for (i = k = 0; i < iv->n; i++)
		if (k == 0 || iv->v[i] != iv->v[k - 1])
			iv->v[k++] = iv->v[i];
	iv->n = k;
	for (i = 0; i < iv->n; i++)
		if (bsearch(&iv->v[i], prev, old, sizeof(*prev), cmp_id) ==
		    NULL)
			fresh++;
	free(prev);
	return fresh;
}

/*
 * --reconcile for a list without order by time (contacts): each pass
 * read whole by walk(), then again for the records changed since the
 * first read began (a contact that moved between lists has), until a
 * read finds no id the reads before missed.  0, or -1 when no complete
 * set was read (warned).
 */
static int
reconcile_walked(struct run *run, const struct endpoint *ep)
{
	struct idvec iv = { NULL, 0, 0 };
	struct walk w;
	char since[CURSOR_TIMESZ] = "", start[CURSOR_TIMESZ] = "";
	size_t old = 0, fresh;
	int i, read, bad = 0;

	for (read = 0; read < RECONCILE_READS && !bad; read++) {
		for (i = 0; i < PASSES_MAX && ep->passes[i].bookmark != NULL &&
		    !bad; i++) {
			memset(&w, 0, sizeof(w));
			w.run = run;
			w.ep = ep;
			w.ps = &ep->passes[i];
			w.take = take_id;
			w.arg = &iv;
			w.T = since[0] != '\0' ? since : NULL;
			bad = walk(&w) != 0;
			/* the first read began at the server's Date less
			 * CLOCK_MARGIN: the next reads start there */
			if (read == 0 && i == 0)
				strcpy(start, w.D);
			free(w.seen.v);
		}
		strcpy(since, start);
		fresh = idvec_settle(&iv, old);
		if (read > 0 && fresh == 0)
			break;
		old = iv.n;
	}
	if (bad || read == RECONCILE_READS) {
		warnx("%s: --reconcile: %s: no deletions", ep->name, bad ?
		    "a list was not read whole" : "the lists kept changing "
		    "while they were read");
		free(iv.v);
		return -1;
	}
	set_send(run, endpoint_stream(ep), iv.v, iv.n);
	free(iv.v);
	return 0;
}

int
sync_bookmarked(struct run *run, const struct endpoint *ep,
    char latest[CURSOR_TIMESZ])
{
	char T[CURSOR_TIMESZ];
	jv b, c;
	int i, has = 0;

	if (latest != NULL)
		latest[0] = '\0';
	pthread_mutex_lock(run->lock);
	for (i = 0; i < PASSES_MAX && ep->passes[i].bookmark != NULL; i++) {
		b = state_bookmark(run, ep->passes[i].bookmark);
		if (jv_get_kind(b) == JV_KIND_OBJECT) {
			has = 1;
			c = jv_object_get(jv_copy(b), jv_string("updated_at"));
			if (latest != NULL && jv_get_kind(c) == JV_KIND_STRING &&
			    utc(jv_string_value(c), T) == 0 &&
			    strcmp(T, latest) > 0)
				strcpy(latest, T);
			jv_free(c);
		}
		jv_free(b);
	}
	pthread_mutex_unlock(run->lock);
	return has;
}

int
job_fits(struct run *run, const struct endpoint *lead,
    const struct endpoint *kid)
{
	jv a, b;
	int same, i;

	if (!endpoint_per_ticket(kid) || (!endpoint_per_ticket(lead) &&
	    strcmp(lead->name, "tickets") != 0))
		return 0;
	/* archived_tickets' first passes start at EPOCH, not --since */
	if ((kid->kind == SYNC_ARCHIVE && !sync_bookmarked(run, kid, NULL)) ||
	    (lead->kind == SYNC_ARCHIVE && !sync_bookmarked(run, lead, NULL)))
		return 0;
	/* each pass of the kid rides on the lead's pass of its filter */
	pthread_mutex_lock(run->lock);
	for (i = 0, same = 1; same && i < PASSES_MAX && kid->passes[i].bookmark != NULL;
	    i++) {
		if (lead->passes[i].bookmark == NULL) {
			same = 0;
			break;
		}
		a = state_bookmark(run, lead->passes[i].bookmark);
		b = state_bookmark(run, kid->passes[i].bookmark);
		same = jv_equal(a, b);
	}
	pthread_mutex_unlock(run->lock);
	return same;
}

void
sync_job(struct run *run, const struct endpoint *const *eps, size_t n)
{
	const struct endpoint *ep = eps[0], *on[JOB_EPS_MAX];
	struct consumers c;
	struct shown sh;
	size_t k;
	int i;

	progress_job(run, eps, n, 0);
	memset(&sh, 0, sizeof(sh));
	sh.held = jv_object();
	for (k = 0; k < n; k++)
		if (eps[k]->kind == SYNC_ARCHIVE)
			sh.ep = eps[k];
	for (i = 0; i < PASSES_MAX && ep->passes[i].bookmark != NULL; i++) {
		/* the children with a pass of this filter ride on it
		 * (conversations do on spam and deleted tickets, time
		 * entries do not: the API has none for them) */
		c.v = on;
		c.n = 0;
		c.pass = i;
		c.sh = &sh;
		c.from = jv_invalid();
		for (k = 0; k < n && c.n < sizeof(on) / sizeof(on[0]); k++)
			if (k == 0 || eps[k]->passes[i].bookmark != NULL)
				on[c.n++] = eps[k];
		switch (ep->kind) {
		case SYNC_ORDERED:
		case SYNC_CHILD:
		case SYNC_ARCHIVE:
			pass_ordered(run, &c, &ep->passes[i]);
			break;
		case SYNC_FILTERED:
			pass_filtered(run, ep, &ep->passes[i]);
			break;
		case SYNC_FULL:
			pass_full(run, ep, &ep->passes[i]);
			break;
		case SYNC_FULL_CHILD:
			pass_full_child(run, ep);
			break;
		}
	}
	if (sh.ep != NULL && !(run->no_feature & endpoint_bit(sh.ep)))
		archive_probe(run, &sh);
	jv_free(sh.held);
	fd_idset_free(&sh.ids);
	/* after the passes: what they wrote is in the set, or deleted */
	if (run->reconcile && strcmp(ep->name, "tickets") == 0)
		reconcile_tickets(run);
	else if (run->reconcile && strcmp(ep->name, "contacts") == 0)
		reconcile_walked(run, ep);
	progress_job(run, eps, n, 1);
}

/* The kinds of sync as -n names them. */
static const char *const kind_names[SYNC_NKINDS] = {
	[SYNC_ORDERED] = "ordered", [SYNC_FILTERED] = "filtered",
	[SYNC_FULL] = "full", [SYNC_CHILD] = "child",
	[SYNC_FULL_CHILD] = "full_child", [SYNC_ARCHIVE] = "archive"
};

/*
 * Where pass bookmark name starts, in T: "bookmark" (the state's), else
 * "since" (--since) or "epoch" (dflt EPOCH: a whole list).
 */
static const char *
plan_start(struct run *run, const char *name, const char *dflt,
    char T[CURSOR_TIMESZ])
{
	if (bookmark_get(run, jv_invalid(), name, dflt, T, NULL, NULL))
		return "bookmark";
	return strcmp(dflt, EPOCH) == 0 ? "epoch" : "since";
}

void
sync_plan(struct run *run, const struct endpoint *const *eps, size_t n)
{
	const struct endpoint *ep = eps[0], *lep = listed(ep), *arch = NULL;
	struct fd_buf url = FD_BUF_INIT, line = FD_BUF_INIT;
	struct consumers c;
	struct probe pb;
	char T[CURSOR_TIMESZ];
	const char *start, *sep;
	size_t k;
	int i;

	for (k = 0; k < n; k++)
		if (eps[k]->kind == SYNC_ARCHIVE)
			arch = eps[k];
	for (i = 0; i < PASSES_MAX && ep->passes[i].bookmark != NULL; i++) {
		const struct pass *ps = &ep->passes[i];
		const struct endpoint *on[JOB_EPS_MAX];

		c.v = on;
		c.n = 0;
		c.pass = i;
		for (k = 0; k < n && c.n < JOB_EPS_MAX; k++)
			if (k == 0 || eps[k]->passes[i].bookmark != NULL)
				on[c.n++] = eps[k];
		fd_buf_reset(&line);
		fd_buf_printf(&line, "pass %s endpoint=%s kind=%s", ps->bookmark,
		    ep->name, kind_names[ep->kind]);
		switch (ep->kind) {
		case SYNC_ORDERED:
		case SYNC_CHILD:
		case SYNC_ARCHIVE:
		case SYNC_FILTERED:
			start = plan_start(run, ps->bookmark,
			    ep->kind == SYNC_ARCHIVE ? EPOCH : run->since, T);
			fd_buf_printf(&line, " start=%s from=%s", start, T);
			if (run->until != NULL)
				fd_buf_printf(&line, " until=%s", run->until);
			url_of(run, lep, ps, T, run->per_page, 1, &url, ep);
			fd_buf_printf(&line, " get=%s", xbuf(&url));
			break;
		case SYNC_FULL:
			if (ep->object)
				fd_buf_printf(&line, " get=%s", ep->path);
			else {
				url_of(run, ep, ps, NULL, run->per_page, 1, &url,
				    ep);
				fd_buf_printf(&line, " get=%s", xbuf(&url));
			}
			break;
		case SYNC_FULL_CHILD:
			fd_buf_printf(&line, " parents=%s", ep->parent);
			break;
		}
		/* the per-record requests, and what rides on the pass */
		for (k = 0, sep = " each="; k < c.n; k++)
			if (c.v[k]->kind == SYNC_CHILD ||
			    c.v[k]->kind == SYNC_FULL_CHILD) {
				fd_buf_puts(&line, sep);
				endpoint_path_put(&line, c.v[k]->child);
				sep = ",";
			}
		for (k = 1, sep = " riders="; k < c.n; k++) {
			fd_buf_printf(&line, "%s%s", sep, c.v[k]->name);
			sep = ",";
		}
		if (ep->kind != SYNC_FULL && ep->kind != SYNC_FULL_CHILD)
			for (k = 0, sep = " bookmarks="; k < c.n; k++) {
				fd_buf_printf(&line, "%s%s", sep,
				    bookmark_of(&c, k, ps));
				sep = ",";
			}
		fd_buf_putc(&line, '\n');
		xbuf_check(&line);
		if (fwrite(line.data, 1, line.len, stdout) != line.len)
			out_fail();
	}
	if (arch != NULL) {
		probe_get(run, &pb);
		fd_buf_reset(&line);
		fd_buf_printf(&line, "probe %s endpoint=%s probed_to=%lld "
		    "todo=%zu each=", PROBE_BOOKMARK, arch->name,
		    (long long)pb.probed_to, pb.todo.n);
		endpoint_path_put(&line, arch->child);
		if (run->asked & endpoint_bit(endpoint_find("conversations"))) {
			fd_buf_putc(&line, ',');
			endpoint_path_put(&line, endpoint_find(
			    "archived_conversations")->child);
		}
		fd_buf_putc(&line, '\n');
		xbuf_check(&line);
		if (fwrite(line.data, 1, line.len, stdout) != line.len)
			out_fail();
		probe_free(&pb);
	}
	if (run->reconcile && (strcmp(ep->name, "tickets") == 0 ||
	    strcmp(ep->name, "contacts") == 0))
		if (printf("reconcile %s endpoint=%s\n", endpoint_stream(ep),
		    ep->name) < 0)
			out_fail();
	fd_buf_free(&url);
	fd_buf_free(&line);
}
