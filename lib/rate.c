/*
 * rate.c: the account's rate budget.  See rate.h.
 *
 * Each pool is a token bucket holding at most one request's worth of
 * credits beyond what it earned: requests are spread evenly over the
 * minute, so any 60-second window of the server sees no more than the
 * paced limit plus one request.
 */
#include <stdlib.h>
#include <string.h>

#include "rate.h"

#define MINUTE	60000.0

struct bucket {
	double	per_min;	/* refill, credits per minute; 0: unlimited */
	double	tokens;		/* may go negative: debt to pay off */
	int64_t	at;		/* time tokens was computed */
};

struct fd_rate {
	struct bucket	b[FD_RATE_NPOOLS];
	long		cap;		/* --rate, 0 if none */
	int		reserve;	/* percent */
	long		total;		/* learned X-RateLimit-Total, 0 */
	long		sub;		/* list sub-limit, 0 if unknown */
	int		planned;	/* sub set by a plan */
	int64_t		blocked;	/* after a 429, until */
};

static const struct {
	const char	*name;
	long		 total, sub;
} plans[] = {
	{ "free",	50,	50 },
	{ "trial",	50,	50 },
	{ "growth",	200,	20 },
	{ "pro",	400,	100 },
	{ "enterprise",	700,	200 },
};

/* The paced rate for a limit: the reserve off, and one credit of slack
 * for the request a fixed window may see on its edge. */
static double
paced(const struct fd_rate *r, long limit)
{
	double v;

	if (limit <= 0)
		return 0;
	v = (double)limit * (100 - r->reserve) / 100.0 - 1;
	return v < 1 ? 1 : v;
}

static void
configure(struct fd_rate *r)
{
	long acct = r->total;
	size_t i;

	if (r->cap > 0 && (acct == 0 || r->cap < acct))
		acct = r->cap;
	r->b[FD_RATE_ACCOUNT].per_min = paced(r, acct);
	if (!r->planned && r->total > 0) {
		r->sub = 0;
		for (i = 0; i < sizeof(plans) / sizeof(plans[0]); i++)
			if (plans[i].total == r->total)
				r->sub = plans[i].sub;
	}
	r->b[FD_RATE_TICKETS_LIST].per_min = paced(r, r->sub);
	r->b[FD_RATE_CONTACTS_LIST].per_min = paced(r, r->sub);
}

struct fd_rate *
fd_rate_new(long rate, int reserve_pct)
{
	struct fd_rate *r;
	int i;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->cap = rate;
	r->reserve = reserve_pct < 0 ? 0 : reserve_pct > 90 ? 90 :
	    reserve_pct;
	for (i = 0; i < FD_RATE_NPOOLS; i++)
		r->b[i].tokens = 1;
	configure(r);
	return r;
}

int
fd_rate_set_plan(struct fd_rate *r, const char *plan)
{
	size_t i;

	for (i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
		if (strcmp(plans[i].name, plan) == 0) {
			r->sub = plans[i].sub;
			r->planned = 1;
			if (r->total == 0)
				r->total = plans[i].total;
			configure(r);
			return 0;
		}
	}
	return -1;
}

/* Tokens of bucket b at time now, capped at one request's worth. */
static double
tokens_at(const struct bucket *b, int cost, int64_t now)
{
	double t = b->tokens;

	if (now > b->at)
		t += (double)(now - b->at) * b->per_min / MINUTE;
	if (t > cost)
		t = cost;
	return t;
}

static int64_t
bucket_delay(const struct bucket *b, int cost, int64_t now)
{
	double t;

	if (b->per_min <= 0)
		return 0;
	t = tokens_at(b, cost, now);
	if (t >= cost)
		return 0;
	return (int64_t)((cost - t) * MINUTE / b->per_min) + 1;
}

int64_t
fd_rate_delay(const struct fd_rate *r, enum fd_rate_pool pool, int cost,
    int64_t now)
{
	int64_t d = 0, e;

	if (r->blocked > now)
		d = r->blocked - now;
	e = bucket_delay(&r->b[FD_RATE_ACCOUNT], cost, now);
	if (e > d)
		d = e;
	if (pool != FD_RATE_ACCOUNT) {
		/* a sub-limit counts requests, not credits */
		e = bucket_delay(&r->b[pool], 1, now);
		if (e > d)
			d = e;
	}
	return d;
}

static void
spend(struct bucket *b, double cost, int64_t now)
{
	b->tokens = tokens_at(b, cost > 1 ? (int)cost : 1, now) - cost;
	b->at = now;
}

void
fd_rate_take(struct fd_rate *r, enum fd_rate_pool pool, int cost,
    int64_t now)
{
	spend(&r->b[FD_RATE_ACCOUNT], cost, now);
	if (pool != FD_RATE_ACCOUNT)
		spend(&r->b[pool], 1, now);
}

void
fd_rate_observe(struct fd_rate *r, enum fd_rate_pool pool, int status,
    long total, long remaining, long used, long retry_after, int64_t now)
{
	struct bucket *a = &r->b[FD_RATE_ACCOUNT];
	double floor, perm;

	(void)pool;
	if (total > 0 && total != r->total) {
		r->total = total;
		configure(r);
	}
	if (status == 429) {
		int64_t until = now + (retry_after >= 0 ? retry_after : 60) *
		    1000;
		if (until > r->blocked)
			r->blocked = until;
		return;
	}
	/* an include costs more than the one credit taken for it */
	if (used > 1) {
		a->tokens -= used - 1;
	}
	/*
	 * Other apps spend the same account: when the remaining credits
	 * fall to the reserve, run a debt so that pacing waits for the
	 * window to give them back.
	 */
	if (remaining >= 0 && r->total > 0) {
		floor = (double)r->total * r->reserve / 100.0 + 1;
		perm = a->per_min;
		if (remaining < floor && perm > 0) {
			double debt = floor - (double)remaining;
			double t = tokens_at(a, 1, now);
			if (t > -debt) {
				a->tokens = -debt;
				a->at = now;
			}
		}
	}
}

int64_t
fd_rate_blocked_until(const struct fd_rate *r)
{
	return r->blocked;
}

void
fd_rate_free(struct fd_rate *r)
{
	free(r);
}
