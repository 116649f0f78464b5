/*
 * row.c: a RECORD's object split into its table's columns, each value
 * checked against its column's type, so that every destination takes
 * and refuses the same rows.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "isotime.h"
#include "jscan.h"
#include "extern.h"

/* The bytes of a refused value a message shows at most. */
#define SHOWN	40

/* Whether value v may go into a column of type ty; why in errbuf. */
static int
check(const struct value *v, enum fd_coltype ty, struct fd_buf *scratch,
    char *errbuf)
{
	char out[FD_ISOTIME_MAX];
	long long n;

	if (v->kind == FD_JTOK_NULL || ty == FD_COL_JSON)
		return 0;	/* any JSON value is json */
	switch (v->kind) {
	case FD_JTOK_TRUE:
	case FD_JTOK_FALSE:
		if (ty == FD_COL_BOOL)
			return 0;
		return fd_diag_set(errbuf, "a boolean in a %s column",
		    fd_coltype_noun(ty));
	case FD_JTOK_NUMBER:
		if (ty == FD_COL_BIGINT) {
			if (fd_jscan_int64(v->p, v->len, &n) == -1)
				return fd_diag_set(errbuf, "%.*s is not a "
				    "64-bit integer", (int)(v->len > SHOWN ? SHOWN :
				    v->len), v->p);
			return 0;
		}
		if (ty == FD_COL_DOUBLE || ty == FD_COL_DECIMAL || ty == FD_COL_TEXT)
			return 0;
		return fd_diag_set(errbuf, "a number in a %s column",
		    fd_coltype_noun(ty));
	case FD_JTOK_STRING:
		if (ty == FD_COL_TEXT)
			return 0;
		if (ty != FD_COL_TIMESTAMP)
			return fd_diag_set(errbuf, "a string in a %s column",
			    fd_coltype_noun(ty));
		fd_buf_reset(scratch);
		if (value_text(v, scratch, errbuf) == -1)
			return -1;
		if (fd_isotime_utc(scratch->data, scratch->len, out) == -1)
			return fd_diag_set(errbuf, "\"%.*s\" is not a "
			    "date-time", (int)(scratch->len > SHOWN ? SHOWN :
			    scratch->len), scratch->data);
		return 0;
	default:	/* object, array */
		if (ty == FD_COL_JSON || ty == FD_COL_TEXT)
			return 0;
		return fd_diag_set(errbuf, "an object or array in a %s "
		    "column", fd_coltype_noun(ty));
	}
}

int
type_holds(enum fd_coltype col, enum fd_coltype vals)
{
#define B(t)	FD_COL_BIT(FD_COL_ ## t)
	/* check()'s rules, by the type of the values */
	static const unsigned holds[FD_COL_NTYPES] = {
		[FD_COL_BIGINT] = B(BIGINT),
		[FD_COL_DOUBLE] = B(BIGINT) | B(DOUBLE),
		[FD_COL_BOOL] = B(BOOL),
		[FD_COL_TEXT] = B(TEXT) | B(BIGINT) | B(DOUBLE) | B(DECIMAL) |
		    B(TIMESTAMP),
		[FD_COL_TIMESTAMP] = B(TIMESTAMP),
		[FD_COL_JSON] = FD_COL_ANY,
		[FD_COL_DECIMAL] = B(BIGINT) | B(DECIMAL),
	};
#undef B

	return (holds[col] & FD_COL_BIT(vals)) != 0;
}

int
row_split(struct table *t, const char *rec, size_t len,
    struct fd_buf *scratch, char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok k, v;
	struct value *val;
	const char *vp, *name;
	char n[FD_DIAG_NAMESZ];
	size_t vl, nlen, i, idx;
	int rc, raw;

	for (i = 0; i < t->ncols; i++) {
		t->vals[i].kind = FD_JTOK_NULL;
		t->vals[i].flags = 0;
		t->vals[i].p = NULL;
		t->vals[i].len = 0;
	}
	fd_jscan_init(&js, rec, len);
	if (fd_jscan_next(&js, &k) != FD_JTOK_OBJECT)
		return fd_diag_set(errbuf, "a record that is not an object");
	while ((rc = fd_jscan_member(&js, &k, &v, &vp, &vl)) != 0) {
		if (rc == -1)
			return fd_jscan_error(&js, errbuf);
		name = k.p + 1;
		nlen = k.len - 2;
		if (k.flags & FD_JTOK_ESCAPED) {
			fd_buf_reset(scratch);
			if (fd_jscan_string(k.p, k.len, scratch, errbuf) == -1)
				return -1;
			name = scratch->data;
			nlen = scratch->len;
		}
		if ((idx = (size_t)fd_map_get(t->colidx, name, nlen)) == 0 &&
		    fd_map_get(t->untyped, name, nlen) != NULL) {
			if (v.kind == FD_JTOK_NULL)
				continue;
			return fd_diag_set(errbuf, "column %s: a value of a "
			    "property its SCHEMA types null", fd_diag_name(n,
			    sizeof(n), name, nlen));
		}
		if (idx == 0) {
			/* a stream not from fd-normalize (the load id's
			 * column is the destination's own, not missing) */
			raw = !t->normalized && (nlen != strlen(LOAD_ID_COLUMN) ||
			    memcmp(name, LOAD_ID_COLUMN, nlen) != 0);
			return fd_diag_set(errbuf, "column %s is not in the "
			    "SCHEMA%s", fd_diag_name(n, sizeof(n), name, nlen),
			    raw ? " (a raw stream? pipe it through "
			    "fd-normalize, or declare every column)" : "");
		}
		/* a column may be two properties' (a variant and its
		 * base): the one with a value fills it */
		if (v.kind == FD_JTOK_NULL)
			continue;
		val = &t->vals[idx - 1];
		val->kind = v.kind;
		val->flags = v.flags;
		val->p = vp;
		val->len = vl;
		if (check(val, t->cols[idx - 1].type, scratch, errbuf) == -1)
			return fd_diag_prefix(errbuf, "column %s",
			    showname(t->cols[idx - 1].name));
	}
	return 0;
}

int
value_text(const struct value *v, struct fd_buf *out, char *errbuf)
{
	switch (v->kind) {
	case FD_JTOK_STRING:
		if (v->flags & FD_JTOK_ESCAPED)
			return fd_jscan_string(v->p, v->len, out, errbuf);
		if (fd_buf_append(out, v->p + 1, v->len - 2) == -1)
			return fd_diag_errno(errbuf, ENOMEM, "value");
		return 0;
	case FD_JTOK_OBJECT:
	case FD_JTOK_ARRAY:
		return fd_jscan_compact(v->p, v->len, out, errbuf);
	default:
		if (fd_buf_append(out, v->p, v->len) == -1)
			return fd_diag_errno(errbuf, ENOMEM, "value");
		return 0;
	}
}

int
row_has_keys(const struct table *t)
{
	size_t i;

	for (i = 0; i < t->nkeys; i++)
		if (t->keyidx[i] == (size_t)-1 ||
		    t->vals[t->keyidx[i]].kind == FD_JTOK_NULL)
			return 0;
	return 1;
}

int
value_json(const struct value *v, struct fd_buf *out, char *errbuf)
{
	if (v->kind == FD_JTOK_OBJECT || v->kind == FD_JTOK_ARRAY)
		return fd_jscan_compact(v->p, v->len, out, errbuf);
	if (fd_buf_append(out, v->p, v->len) == -1)
		return fd_diag_errno(errbuf, ENOMEM, "value");
	return 0;
}
