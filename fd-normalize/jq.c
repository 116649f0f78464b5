/*
 * jq.c: fd-normalize --jq, a record through a jq filter (libjq) before
 * it is flattened.  See extern.h.
 *
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
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jq.h>

#include "buf.h"
#include "diag.h"
#include "jscan.h"
#include "json.h"
#include "map.h"
#include "tool.h"
#include "extern.h"

/* The maps of noted numbers: by path, by name, by value alone. */
enum { NUM_PATH, NUM_NAME, NUM_VALUE, NUM_NMAPS };

/* The steps of a path: into a member ("\1key"), into a list element. */
#define STEP_MEMBER	1
#define STEP_ELEMENT	2

/* libjq's prefix of its messages, which ours replaces. */
#define JQ_PREFIX	"jq: error: "

/* A map's value for a key noted with two different texts: only its
 * address is used. */
static char num_ambig;

/* Where num_scan and jv_out are in the record: a path of STEP_MEMBER
 * and STEP_ELEMENT steps, and the name of the values there. */
struct numpos {
	struct fd_buf	 path, name;
	int		 named;
};

struct jqfilter {
	jq_state	*jq;
	char		 msg[FD_ERRSZ];	/* libjq's first message, or "" */
	/* the numbers noted: key -> text, or &num_ambig */
	struct fd_map	*nums[NUM_NMAPS];
	struct fd_buf	 key;		/* a key of nums */
	struct fd_buf	 kname;		/* num_scan's member name */
	struct numpos	 pos;		/* num_scan's and jv_out's */
	struct fd_buf	 text;		/* an object the filter gave */
};

/* libjq's error callback: keeps its first message (a compile error),
 * for our own diagnostic. */
static void
jq_error(void *arg, jv msg)
{
	struct jqfilter *q = arg;
	const char *m;

	if (q->msg[0] == '\0' && jv_get_kind(msg) == JV_KIND_STRING) {
		m = jv_string_value(msg);
		if (strncmp(m, JQ_PREFIX, sizeof(JQ_PREFIX) - 1) == 0)
			m += sizeof(JQ_PREFIX) - 1;
		snprintf(q->msg, sizeof(q->msg), "%s", m);
		q->msg[strcspn(q->msg, "\n")] = '\0';
	}
	jv_free(msg);
}

struct jqfilter *
jqfilter_open(const char *filter)
{
	struct jqfilter *q = xcalloc(1, sizeof(*q));
	char msg[FD_ERRSZ];

	if ((q->jq = jq_init()) == NULL) {
		free(q);
		errx(FD_EXIT_FAIL, "--jq: cannot start jq");
	}
	jq_set_error_cb(q->jq, jq_error, q);
	if (!jq_compile(q->jq, filter)) {
		snprintf(msg, sizeof(msg), "%s", q->msg[0] ? q->msg :
		    "the filter does not compile");
		jqfilter_close(q);
		errx(FD_EXIT_USAGE, "--jq: %s", msg);
	}
	return q;
}

static void
num_clear(struct jqfilter *q)
{
	void *v;
	size_t i, j;

	for (j = 0; j < NUM_NMAPS && q->nums[j] != NULL; j++) {
		for (i = 0; fd_map_at(q->nums[j], i, &v) != NULL; i++)
			if (v != &num_ambig)
				free(v);
		fd_map_free(q->nums[j]);
		q->nums[j] = NULL;
	}
}

void
jqfilter_close(struct jqfilter *q)
{
	if (q == NULL)
		return;
	if (q->jq != NULL)
		jq_teardown(&q->jq);
	num_clear(q);
	fd_buf_free(&q->key);
	fd_buf_free(&q->kname);
	fd_buf_free(&q->pos.path);
	fd_buf_free(&q->pos.name);
	fd_buf_free(&q->text);
	free(q);
}

/* The key, in q's key, of a number of value x at p for map j. */
static void
num_key(struct jqfilter *q, int j, const struct numpos *p, double x)
{
	struct fd_buf *k = &q->key;

	fd_buf_reset(k);
	if (j == NUM_PATH)
		fd_buf_append(k, p->path.data, p->path.len);
	else if (j == NUM_NAME)
		fd_buf_append(k, p->name.data, p->name.len);
	fd_buf_putc(k, '\0');
	fd_buf_append(k, &x, sizeof(x));
	/* a key that lost a part would find another number */
	xbuf_check(&p->path);
	xbuf_check(&p->name);
	xbuf_check(k);
}

/* Notes the number text (n bytes) of value x at p; a second, different
 * text for a key makes it ambiguous. */
static void
num_note(struct jqfilter *q, const struct numpos *p, double x,
    const char *text, size_t n)
{
	char *had, *t;
	int j;

	for (j = 0; j < NUM_NMAPS; j++) {
		if (j == NUM_NAME && !p->named)
			continue;
		num_key(q, j, p, x);
		had = fd_map_get(q->nums[j], q->key.data, q->key.len);
		if (had == &num_ambig)
			continue;
		if (had != NULL) {
			if (strlen(had) == n && memcmp(had, text, n) == 0)
				continue;
			free(had);
			t = &num_ambig;
		} else
			t = xstrndup(text, n);
		if (fd_map_put(q->nums[j], q->key.data, q->key.len, t) == -1)
			err(FD_EXIT_FAIL, NULL);
	}
}

/* The text noted for a number of value x at p, or NULL. */
static const char *
num_text(struct jqfilter *q, const struct numpos *p, double x)
{
	const char *t;
	int j;

	for (j = 0; j < NUM_NMAPS; j++) {
		if (j == NUM_NAME && !p->named)
			continue;
		num_key(q, j, p, x);
		t = fd_map_get(q->nums[j], q->key.data, q->key.len);
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
		fd_buf_putc(&p->path, STEP_MEMBER);
		fd_buf_append(&p->path, n, nlen);
		fd_buf_reset(&p->name);
		fd_buf_append(&p->name, n, nlen);
		p->named = 1;
	} else
		fd_buf_putc(&p->path, STEP_ELEMENT);
	return back;
}

/* Saves and restores p's name around an object's members. */
static char *
num_save(const struct numpos *p)
{
	char *s;

	s = xmalloc(p->name.len + 2);
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

static void
pos_reset(struct numpos *p)
{
	fd_buf_reset(&p->path);
	fd_buf_reset(&p->name);
	p->named = 0;
}

/* Notes the numbers of the value whose first token t the scanner just
 * gave, at p. */
static void
num_scan(struct jqfilter *q, struct fd_jscan *js, const struct fd_jtok *t,
    struct numpos *p)
{
	char why[FD_ERRSZ], *num, *saved;
	struct fd_jtok k, v;
	size_t back, slen;
	double x;

	switch (t->kind) {
	case FD_JTOK_OBJECT:
		slen = p->name.len;
		saved = num_save(p);
		while (fd_jscan_next(js, &k) == FD_JTOK_KEY) {
			fd_buf_reset(&q->kname);
			if (fd_jscan_string(k.p, k.len, &q->kname, why) == -1 ||
			    fd_jscan_next(js, &v) <= 0)
				break;
			back = num_step(p, xbuf(&q->kname), q->kname.len);
			num_scan(q, js, &v, p);
			p->path.len = back;
		}
		num_restore(p, saved, slen);
		break;
	case FD_JTOK_ARRAY:
		while (fd_jscan_next(js, &v) > 0 &&
		    v.kind != FD_JTOK_ARRAY_END) {
			back = num_step(p, NULL, 0);
			num_scan(q, js, &v, p);
			p->path.len = back;
		}
		break;
	case FD_JTOK_NUMBER:
		num = xstrndup(t->p, t->len);
		x = strtod(num, NULL);
		free(num);
		num_note(q, p, x, t->p, t->len);
		break;
	default:
		break;
	}
}

/* Notes the numbers of the record (valid JSON text). */
static void
num_record(struct jqfilter *q, const char *rec, size_t len)
{
	struct fd_jscan js;
	struct fd_jtok t;
	int j;

	num_clear(q);
	for (j = 0; j < NUM_NMAPS; j++)
		if ((q->nums[j] = fd_map_new()) == NULL)
			err(FD_EXIT_FAIL, NULL);
	pos_reset(&q->pos);
	fd_jscan_init(&js, rec, len);
	if (fd_jscan_next(&js, &t) > 0)
		num_scan(q, &js, &t, &q->pos);
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
jv_out(struct jqfilter *q, struct fd_buf *b, jv v, struct numpos *p)
{
	const char *t;
	char *saved;
	size_t back, slen;
	int i, n, first = 1;
	jv k;

	switch (jv_get_kind(v)) {
	case JV_KIND_OBJECT:
		slen = p->name.len;
		saved = num_save(p);
		fd_buf_putc(b, '{');
		for (i = jv_object_iter(v); jv_object_iter_valid(v, i);
		    i = jv_object_iter_next(v, i)) {
			if (!first)
				fd_buf_putc(b, ',');
			first = 0;
			k = jv_object_iter_key(v, i);
			jv_text(b, k);
			fd_buf_putc(b, ':');
			back = num_step(p, jv_string_value(k),
			    (size_t)jv_string_length_bytes(jv_copy(k)));
			jv_out(q, b, jv_object_iter_value(v, i), p);
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
			jv_out(q, b, jv_array_get(jv_copy(v), i), p);
			p->path.len = back;
		}
		fd_buf_putc(b, ']');
		break;
	case JV_KIND_NUMBER:
		if ((t = num_text(q, p, jv_number_value(v))) != NULL)
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

/* The end of a run: r is libjq's last answer, consumed; -1 with its
 * message in errbuf when it is an error, else 0. */
static int
jq_end(jv r, char *errbuf)
{
	jv msg;
	int rc = 0;

	if (jv_invalid_has_msg(jv_copy(r))) {
		msg = jv_invalid_get_msg(jv_copy(r));
		fd_diag_set(errbuf, "--jq: %s", jv_get_kind(msg) ==
		    JV_KIND_STRING ? jv_string_value(msg) : "error");
		jv_free(msg);
		rc = -1;
	}
	jv_free(r);
	return rc;
}

int
jqfilter_record(struct jqfilter *q, struct flattener *f, struct stream *s,
    const char *rec, size_t len, const char *version, size_t vlen,
    char *errbuf)
{
	char why[FD_ERRSZ];
	jv v, r;

	if (fd_json_parse(rec, len, &v, why) == -1)
		return fd_diag_set(errbuf, "%s", why);
	num_record(q, rec, len);
	jq_start(q->jq, v, 0);
	while (jv_is_valid(r = jq_next(q->jq))) {
		if (jv_get_kind(r) != JV_KIND_OBJECT) {
			fd_diag_set(errbuf, "--jq: the filter gave %s, "
			    "not an object", fd_json_kind_name(jv_get_kind(r)));
			jv_free(r);
			return -1;
		}
		fd_buf_reset(&q->text);
		pos_reset(&q->pos);
		jv_out(q, &q->text, r, &q->pos);
		xbuf_check(&q->text);
		/* flatten_record takes valid text, and scans it without
		 * checking it again: libjq's text is checked here */
		if (fd_jscan_validate(q->text.data, q->text.len, errbuf) ==
		    -1)
			return -1;
		if (flatten_record(f, s, q->text.data, q->text.len, NULL, 0,
		    version, vlen, errbuf) == -1)
			return -1;
	}
	return jq_end(r, errbuf);
}
