/*
 * idset.h: a set of ticket display ids, as a bitmap.
 *
 * Ticket ids are display ids, dense from 1 (FRESHDESK.md Part 3.1): a
 * bit each is the smallest set that holds them all, and its memory is
 * fixed by the highest id, not by how often ids are added.  Ids are
 * 1 .. FD_IDSET_LIMIT; the other resources' ids (above 2^32) are not
 * for this set.
 *
 * The text form is a list of ranges, ascending and apart:
 * "1-5,7,9-12" ("" is the empty set).  It is what fd-fetch keeps in its
 * state: the ids of a helpdesk's archived history come in long runs.
 *
 * struct fd_idset is a plain value (FD_IDSET_INIT); fd_idset_free frees
 * it.  No function prints or exits.
 */
#ifndef FD_IDSET_H
#define FD_IDSET_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* The highest id a set takes: 2^30, 128 MiB of bits. */
#define FD_IDSET_LIMIT	((int64_t)1 << 30)

struct fd_idset {
	uint64_t	*w;	/* bit i of w[i / 64]: id i */
	size_t		 nw;
	size_t		 n;	/* ids in the set */
};

#define FD_IDSET_INIT	{ NULL, 0, 0 }

/* Adds id.  0, or -1: id out of 1 .. FD_IDSET_LIMIT (ERANGE) or no
 * memory (ENOMEM); the set is as it was. */
int	fd_idset_add(struct fd_idset *, int64_t id);
/* Adds ids lo .. hi (lo <= hi), as fd_idset_add. */
int	fd_idset_add_range(struct fd_idset *, int64_t lo, int64_t hi);
/* Removes id (a no-op when it is not in the set). */
void	fd_idset_del(struct fd_idset *, int64_t id);
int	fd_idset_has(const struct fd_idset *, int64_t id);
/* The smallest id >= from in the set, or -1. */
int64_t	fd_idset_next(const struct fd_idset *, int64_t from);
/* The highest id in the set, or 0 when it is empty. */
int64_t	fd_idset_max(const struct fd_idset *);
/* Appends the set's ranges to b.  0 or -1 (b's error, ENOMEM). */
int	fd_idset_put(struct fd_buf *b, const struct fd_idset *);
/*
 * Adds the ids of the ranges in s (n bytes) to the set.  0, or -1 with
 * a message in err (FD_ERRSZ bytes): not ranges ascending and apart, an
 * id out of range, or no memory.  The set may then hold a part of s.
 */
int	fd_idset_parse(struct fd_idset *, const char *s, size_t n,
	    char *err);
void	fd_idset_free(struct fd_idset *);

#endif /* FD_IDSET_H */
