/*
 * ranges.h: a list of id ranges as text, read one range at a time.
 *
 * The text is lib/idset.h's: decimal ids as "a" or "a-b" (a < b),
 * comma separated, ascending and apart (a range never touches the one
 * before), "" for none.  Here ids are 1 .. FD_RANGES_MAX (2^63 - 1),
 * for any resource's ids, and nothing is stored: a reader walks the
 * caller's text, so a million ids cost no memory.
 *
 * struct fd_ranges is a plain value; it borrows the text, which must
 * outlive it.  No function prints or exits.
 */
#ifndef FD_RANGES_H
#define FD_RANGES_H

#include <stddef.h>
#include <stdint.h>

#define FD_RANGES_MAX	INT64_MAX

struct fd_ranges {
	const char	*p, *e;		/* what is left of the text */
	const char	*s;		/* the text, for offsets */
	int64_t		 last;		/* the previous range's end, or 0 */
};

/* Starts reading the n bytes of text s. */
void	fd_ranges_init(struct fd_ranges *, const char *s, size_t n);
/*
 * The next range in *lo and *hi (lo <= hi).  Returns 1, 0 at the end
 * of the text, or -1 with a message in err (FD_ERRSZ bytes): not an
 * id from 1 to 2^63 - 1, a range whose end is not above its start,
 * ranges not ascending and apart, a ',' missing or trailing.  After -1
 * the reader is spent.
 */
int	fd_ranges_next(struct fd_ranges *, int64_t *lo, int64_t *hi,
	    char *err);
/* Reads all of s (n bytes) to check it: 0, or -1 with err.  The
 * number of ids in *count (saturated at INT64_MAX) and the first and
 * last id in *first and *last (0 for none), for those not NULL. */
int	fd_ranges_check(const char *s, size_t n, int64_t *count,
	    int64_t *first, int64_t *last, char *err);

#endif /* FD_RANGES_H */
