/*
 * rate.c: the account's rate budget.  See rate.h.
 *
 * Each pool is a token bucket holding at most one request's worth of
 * credits beyond what it earned: requests are spread evenly over the
 * window, so any window of the server sees no more than the paced limit
 * plus one request.
 *
 * The window is a minute (FRESHDESK.md 1.3) until the answers show it
 * is longer: accounts still on the older throttler
 * (lib/middleware/fd_api_throttler.rb, FRESHDESK.md Part 3 point 11,
 * trap 27) count per hour, in a window that starts at the account's
 * first request, refused requests included; their 429 carries no
 * X-RateLimit-* header and a Retry-After that is the time left in the
 * window, 0 in its last half second.  So:
 *   - a Retry-After beyond a minute, or a 429 without rate headers whose
 *     Retry-After outlasts a minute with the requests seen since the last
 *     reset, means the window is longer: the older throttler's hour
 *     (THROTTLE_PERIOD), or longer if seen so;
 *   - X-RateLimit-Remaining coming back up by more than the requests in
 *     flight explain is a reset; two resets a known long window apart
 *     measure it;
 *   - a 429 without rate headers is the older throttler, which has no
 *     list sub-limits: the plan is not guessed from X-RateLimit-Total
 *     then (its Totals of 200, 400, 500 are not Growth and Pro), nor
 *     when the window is not a minute;
 *   - a 429's wait is never 0 nor a guessed minute: Retry-After when
 *     it says more, else 1, 2, 4 ... 60 s for the 429s in a row
 *     (fd_rate_strikes counts them; the caller gives up after
 *     FD_RATE_MAX_STRIKES).
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
	int		strikes;	/* 429s in a row */
	int64_t		window;		/* ms: MINUTE, or longer when seen */
	int		old_throttler;	/* a 429 without rate headers seen */
	int64_t		fresh_at;	/* a 429 said the window ends: its
					 * Remaining is moot until then */
	/* the last reset of X-RateLimit-Remaining (or the first answer):
	 * when, Remaining then, credits answered since; 0 when none */
	int64_t		a_at;
	long		a_rem, a_spent;
	int64_t		reset_at;	/* a reset seen in a long window */
};

/* Freshdesk's older throttler counts per hour (fd_api_throttler.rb
 * THROTTLE_PERIOD = 1.hour). */
#define HOUR		3600000
/* Out-of-order answers of requests in flight make Remaining go up by
 * this much without a reset. */
#define RESET_SLACK	8

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
	double acct = 0, cap;
	size_t i;

	/* the account's limit is per window, --rate per minute */
	if (r->total > 0)
		acct = paced(r, r->total) * MINUTE / (double)r->window;
	cap = paced(r, r->cap);
	if (cap > 0 && (acct == 0 || cap < acct))
		acct = cap;
	r->b[FD_RATE_ACCOUNT].per_min = acct;
	if (!r->planned && r->total > 0) {
		r->sub = 0;
		/* the plans' sub-limits are of the per-minute model only */
		if (r->window == MINUTE && !r->old_throttler)
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
	r->window = MINUTE;
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
	double t, d;

	if (b->per_min <= 0)
		return 0;
	t = tokens_at(b, cost, now);
	if (t >= cost)
		return 0;
	/*
	 * Under a millisecond is no wait: the request goes, its tokens
	 * go below zero, and the debt delays the next one.  (A 1 ms
	 * sleep for each of the back-to-back requests of an account
	 * with a limit in the millions was a wait of the clock's grain.)
	 */
	d = (cost - t) * MINUTE / b->per_min;
	return d < 1 ? 0 : (int64_t)d + 1;
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

/* The window is at least ms long: beyond a minute it is the older
 * throttler's hour, or what was seen if longer. */
static void
window_at_least(struct fd_rate *r, int64_t ms)
{
	int64_t w;

	if (ms <= MINUTE + 5000)	/* a minute, give or take latency */
		return;
	w = ms > HOUR ? ms : HOUR;
	if (r->window == MINUTE || w > r->window) {
		r->window = w;
		configure(r);
	}
}

/* The 429 backoff: 1, 2, 4 ... 60 s for the n-th 429 in a row. */
static int64_t
strike_wait(int n)
{
	int64_t d = (int64_t)1000 << (n > 1 ? (n < 8 ? n - 1 : 7) : 0);

	return d > 60000 ? 60000 : d;
}

/*
 * X-RateLimit-Remaining against the credits answered since the last
 * reset: within one window it only goes down by them (or more, when
 * other apps spend), so coming back up means the window reset.
 */
static void
track_resets(struct fd_rate *r, long remaining, long used, int64_t now)
{
	struct bucket *a = &r->b[FD_RATE_ACCOUNT];

	if (remaining < 0 || r->total <= 0)
		return;
	if (r->a_at == 0) {
		r->a_at = now > 0 ? now : 1;
		r->a_rem = remaining;
		r->a_spent = 0;
		return;
	}
	r->a_spent += used > 0 ? used : 1;
	if (remaining <= r->a_rem - r->a_spent + RESET_SLACK)
		return;
	/* a reset: in a window known to be long, two of them measure it */
	if (r->window > MINUTE) {
		if (r->reset_at > 0 && now - r->reset_at > MINUTE + 5000 &&
		    now - r->reset_at < r->window) {
			r->window = now - r->reset_at;
			configure(r);
		}
		r->reset_at = now;
		/* a fresh window: the debt of the old one is gone */
		if (a->tokens < 0) {
			a->tokens = 0;
			a->at = now;
		}
	}
	r->a_at = now > 0 ? now : 1;
	r->a_rem = remaining;
	r->a_spent = 0;
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
		/* no rate headers: the older throttler (fd_api_throttler.rb
		 * "Rate Limit headers are not set when status is 429") */
		int bare = total < 0 && remaining < 0;
		int64_t wait, until;

		if (bare && !r->old_throttler) {
			r->old_throttler = 1;
			configure(r);
		}
		/*
		 * The time left in the window, when Retry-After is the
		 * account's: beyond a minute the window is not a minute,
		 * nor when the window has lasted longer since the last
		 * reset seen.
		 */
		if (retry_after >= 0 && (bare || remaining == 0 ||
		    retry_after > 60)) {
			window_at_least(r, retry_after * 1000);
			if (bare && r->a_at > 0)
				window_at_least(r, now - r->a_at +
				    retry_after * 1000);
		}
		if (now < r->blocked) {
			/* sent before the block began: waited for already */
			until = now + (retry_after > 0 ? retry_after * 1000 :
			    0);
			if (until > r->blocked)
				r->blocked = until;
			return;
		}
		/* never at once (Retry-After 0), never a guessed minute
		 * (none): a backoff that grows with the 429s in a row */
		wait = strike_wait(++r->strikes);
		if (retry_after > 0 && retry_after * 1000 > wait)
			wait = retry_after * 1000;
		r->blocked = now + wait;
		if (retry_after >= 0 && (bare || remaining == 0)) {
			/* the window ends within the wait: a fresh budget
			 * then, whatever the old one's Remaining said */
			r->fresh_at = r->blocked;
			a->tokens = 1;
			a->at = r->blocked;
		}
		return;
	}
	r->strikes = 0;
	track_resets(r, remaining, used, now);
	/* an include costs more than the one credit taken for it */
	if (used > 1) {
		a->tokens -= used - 1;
	}
	/*
	 * Other apps spend the same account: when the remaining credits
	 * fall to the reserve, run a debt so that pacing waits for the
	 * window to give them back.  Not while a 429 has said the window
	 * ends: an answer of the old window tells nothing of the next.
	 */
	if (remaining >= 0 && r->total > 0 && now >= r->fresh_at) {
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

int
fd_rate_strikes(const struct fd_rate *r)
{
	return r->strikes;
}

int64_t
fd_rate_window(const struct fd_rate *r)
{
	return r->window;
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
