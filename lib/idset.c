/*
 * idset.c: a set of ticket display ids, as a bitmap (idset.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "idset.h"
#include "ranges.h"

/* Grows the set to hold id (<= FD_IDSET_LIMIT).  0 or -1 (ENOMEM). */
static int
grow(struct fd_idset *s, int64_t id)
{
	size_t need = (size_t)(id / 64) + 1, nw;
	uint64_t *w;

	if (need <= s->nw)
		return 0;
	nw = s->nw ? s->nw : 16;
	while (nw < need)
		nw *= 2;
	if ((w = realloc(s->w, nw * sizeof(*w))) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	memset(w + s->nw, 0, (nw - s->nw) * sizeof(*w));
	s->w = w;
	s->nw = nw;
	return 0;
}

int
fd_idset_add_range(struct fd_idset *s, int64_t lo, int64_t hi)
{
	int64_t id;

	if (lo < 1 || hi > FD_IDSET_LIMIT || lo > hi) {
		errno = ERANGE;
		return -1;
	}
	if (grow(s, hi) == -1)
		return -1;
	for (id = lo; id <= hi; id++) {
		uint64_t bit = (uint64_t)1 << (id % 64);
		if (!(s->w[id / 64] & bit)) {
			s->w[id / 64] |= bit;
			s->n++;
		}
	}
	return 0;
}

int
fd_idset_add(struct fd_idset *s, int64_t id)
{
	return fd_idset_add_range(s, id, id);
}

void
fd_idset_del(struct fd_idset *s, int64_t id)
{
	uint64_t bit;

	if (!fd_idset_has(s, id))
		return;
	bit = (uint64_t)1 << (id % 64);
	s->w[id / 64] &= ~bit;
	s->n--;
}

int
fd_idset_has(const struct fd_idset *s, int64_t id)
{
	if (id < 1 || (uint64_t)(id / 64) >= s->nw)
		return 0;
	return (s->w[id / 64] >> (id % 64)) & 1;
}

int64_t
fd_idset_next(const struct fd_idset *s, int64_t from)
{
	size_t i;
	uint64_t w;

	if (from < 1)
		from = 1;
	if ((uint64_t)(from / 64) >= s->nw)
		return -1;
	i = (size_t)(from / 64);
	w = s->w[i] & (~(uint64_t)0 << (from % 64));
	for (;;) {
		if (w != 0)
			return (int64_t)i * 64 + __builtin_ctzll(w);
		if (++i == s->nw)
			return -1;
		w = s->w[i];
	}
}

int64_t
fd_idset_max(const struct fd_idset *s)
{
	size_t i;

	for (i = s->nw; i > 0; i--)
		if (s->w[i - 1] != 0)
			return (int64_t)(i - 1) * 64 + 63 -
			    __builtin_clzll(s->w[i - 1]);
	return 0;
}

int
fd_idset_put(struct fd_buf *b, const struct fd_idset *s)
{
	int64_t lo, hi;
	int first = 1;

	for (lo = fd_idset_next(s, 1); lo != -1; lo = fd_idset_next(s,
	    hi + 1)) {
		for (hi = lo; fd_idset_has(s, hi + 1); hi++)
			;
		if (!first)
			fd_buf_putc(b, ',');
		first = 0;
		if (hi == lo)
			fd_buf_printf(b, "%lld", (long long)lo);
		else
			fd_buf_printf(b, "%lld-%lld", (long long)lo,
			    (long long)hi);
	}
	return fd_buf_error(b) ? -1 : 0;
}

int
fd_idset_parse(struct fd_idset *s, const char *str, size_t n, char *err)
{
	struct fd_ranges r;
	int64_t lo, hi;
	int rc;

	/* the grammar is lib/ranges.h's; the ids are this set's */
	fd_ranges_init(&r, str, n);
	while ((rc = fd_ranges_next(&r, &lo, &hi, err)) == 1) {
		if (hi > FD_IDSET_LIMIT)
			return fd_diag_set(err, "id ranges: %lld: above %lld",
			    (long long)hi, (long long)FD_IDSET_LIMIT);
		if (fd_idset_add_range(s, lo, hi) == -1)
			return fd_diag_errno(err, errno, "id ranges");
	}
	return rc;
}

void
fd_idset_free(struct fd_idset *s)
{
	free(s->w);
	s->w = NULL;
	s->nw = 0;
	s->n = 0;
}
