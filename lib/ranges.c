/*
 * ranges.c: id ranges as text, read one range at a time (ranges.h).
 */
#include <stdint.h>

#include "diag.h"
#include "ranges.h"

void
fd_ranges_init(struct fd_ranges *r, const char *s, size_t n)
{
	r->s = r->p = s;
	r->e = s + n;
	r->last = 0;
}

/* A decimal id at r->p: 1 .. FD_RANGES_MAX, into *v.  0 or -1. */
static int
id_at(struct fd_ranges *r, int64_t *v)
{
	const char *q = r->p;
	int64_t n = 0;

	if (q == r->e || *q < '0' || *q > '9')
		return -1;
	for (; q < r->e && *q >= '0' && *q <= '9'; q++) {
		if (n > (FD_RANGES_MAX - (*q - '0')) / 10)
			return -1;
		n = n * 10 + (*q - '0');
	}
	if (n < 1)
		return -1;
	r->p = q;
	*v = n;
	return 0;
}

/* Fails with err; the reader is spent. */
static int
spent(struct fd_ranges *r)
{
	r->p = r->e;
	return -1;
}

int
fd_ranges_next(struct fd_ranges *r, int64_t *lo, int64_t *hi, char *err)
{
	if (r->p == r->e)
		return 0;
	if (r->p > r->s) {
		if (*r->p != ',') {
			fd_diag_set(err, "id ranges: ',' expected at offset "
			    "%zu", (size_t)(r->p - r->s));
			return spent(r);
		}
		r->p++;
	}
	if (id_at(r, lo) == -1) {
		fd_diag_set(err, "id ranges: not an id from 1 to %lld at "
		    "offset %zu", (long long)FD_RANGES_MAX,
		    (size_t)(r->p - r->s));
		return spent(r);
	}
	*hi = *lo;
	if (r->p < r->e && *r->p == '-') {
		r->p++;
		if (id_at(r, hi) == -1 || *hi <= *lo) {
			fd_diag_set(err, "id ranges: bad range end at offset "
			    "%zu", (size_t)(r->p - r->s));
			return spent(r);
		}
	}
	if (r->last > 0 && *lo <= r->last + 1) {
		fd_diag_set(err, "id ranges: %lld: not ascending and apart",
		    (long long)*lo);
		return spent(r);
	}
	r->last = *hi;
	return 1;
}

int
fd_ranges_check(const char *s, size_t n, int64_t *count, int64_t *first,
    int64_t *last, char *err)
{
	struct fd_ranges r;
	int64_t lo, hi, c = 0, f = 0;
	int rc;

	fd_ranges_init(&r, s, n);
	while ((rc = fd_ranges_next(&r, &lo, &hi, err)) == 1) {
		if (f == 0)
			f = lo;
		/* hi - lo + 1 <= INT64_MAX: lo >= 1 */
		c = c > INT64_MAX - (hi - lo + 1) ? INT64_MAX :
		    c + (hi - lo + 1);
	}
	if (rc == -1)
		return -1;
	if (count != NULL)
		*count = c;
	if (first != NULL)
		*first = f;
	if (last != NULL)
		*last = r.last;
	return 0;
}
