/*
 * rate.h: one rate budget per Freshdesk account, shared by every request
 * a program makes, so that a run paces itself below the limit instead of
 * meeting 429 (FRESHDESK.md section 1.3).
 *
 * The account has a per-minute credit limit (X-RateLimit-Total; on
 * accounts still on the older throttler, per hour: see rate.c) and the
 * tickets-list and contacts-list endpoints have smaller per-minute
 * sub-limits that no header shows (set by the plan).  The budget paces
 * each with a token bucket refilled at (limit - reserve) per minute,
 * learns the account limit from the headers, slows down when
 * X-RateLimit-Remaining shows other apps spending, and stops everything
 * for Retry-After seconds after a 429 (or a backoff when it says 0 or
 * nothing: FRESHDESK.md trap 27).
 *
 * Pure logic: time is passed in, in milliseconds of a monotonic clock,
 * so it is tested without sleeping.  No I/O, no globals.
 */
#ifndef FD_RATE_H
#define FD_RATE_H

#include <stdint.h>

/* The pools a request draws from besides the account's. */
enum fd_rate_pool {
	FD_RATE_ACCOUNT = 0,	/* every request */
	FD_RATE_TICKETS_LIST,	/* GET /api/v2/tickets */
	FD_RATE_CONTACTS_LIST,	/* GET /api/v2/contacts */
	FD_RATE_NPOOLS
};

struct fd_rate;

/*
 * A new budget.  rate caps the account's credits per minute (0: learn
 * it from X-RateLimit-Total); reserve_pct (0..90) is the share left to
 * the account's other apps.  NULL with errno ENOMEM.
 */
struct fd_rate	*fd_rate_new(long rate, int reserve_pct);

/*
 * Sets the plan: "growth", "pro", "enterprise" (or "trial", "free")
 * with their per-minute limits and list sub-limits.  Without a plan
 * the sub-limits follow the account limit once the headers show it
 * (200 is Growth, 400 Pro, 700 Enterprise).  0, or -1 for an unknown
 * plan name.
 */
int	fd_rate_set_plan(struct fd_rate *, const char *plan);

/*
 * Milliseconds to wait before a request of cost credits drawing on pool
 * may start at time now; 0 means go now.  Pure: does not take anything.
 */
int64_t	fd_rate_delay(const struct fd_rate *, enum fd_rate_pool, int cost,
	    int64_t now);

/* Records that a request of cost credits on pool started at now. */
void	fd_rate_take(struct fd_rate *, enum fd_rate_pool, int cost,
	    int64_t now);

/*
 * Feeds back a response's rate headers (-1 for a header that was
 * absent) and its status.  A 429 stops every pool until now +
 * retry_after seconds, or longer: never less than 1, 2, 4 ... 60 s for
 * the 429s in a row (Retry-After 0 or absent never means "at once" nor
 * "a minute").  A 429 sent before the current stop began only extends
 * it.  used corrects the estimated cost of the request that was taken.
 * The window the limit counts in is learned here (see rate.c): a
 * minute until Retry-After or X-RateLimit-Remaining show it longer.
 */
void	fd_rate_observe(struct fd_rate *, enum fd_rate_pool, int status,
	    long total, long remaining, long used, long retry_after,
	    int64_t now);

/* The 429s in a row (0 after any other answer).  A caller gives up
 * after FD_RATE_MAX_STRIKES. */
#define FD_RATE_MAX_STRIKES	10
int	fd_rate_strikes(const struct fd_rate *);

/* The window the account's limit is taken to count in, ms: 60000, or
 * longer once seen so. */
int64_t	fd_rate_window(const struct fd_rate *);

/* The time until which every request waits after a 429 (0: none). */
int64_t	fd_rate_blocked_until(const struct fd_rate *);

/* Frees the budget.  NULL is a no-op. */
void	fd_rate_free(struct fd_rate *);

#endif /* FD_RATE_H */
