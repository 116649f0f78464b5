/* Unit tests of lib/rate.c: pacing without sleeping. */
#include "rate.h"
#include "t.h"

/* The requests of pool that r lets through in the minute from *now, as
 * fast as it allows (*now moves on a minute). */
static int
a_minute(struct fd_rate *r, enum fd_rate_pool pool, int64_t *now)
{
	int64_t end = *now + 60000, d;
	int sent = 0;

	while (*now < end) {
		if ((d = fd_rate_delay(r, pool, 1, *now)) > 0) {
			*now += d;
			continue;
		}
		fd_rate_take(r, pool, 1, *now);
		sent++;
	}
	return sent;
}

void
t_rate_paces_below_the_limit(void)
{
	struct fd_rate *r = fd_rate_new(0, 0);
	int64_t now = 1000000, d;
	int sent = 0;

	/* unknown limit: no pacing until the headers tell */
	T_INT(fd_rate_delay(r, FD_RATE_ACCOUNT, 1, now), 0);
	fd_rate_take(r, FD_RATE_ACCOUNT, 1, now);
	fd_rate_observe(r, FD_RATE_ACCOUNT, 200, 120, 119, 1, -1, now);
	/* a minute of requests as fast as allowed: at most the limit */
	while (now < 1000000 + 60000) {
		d = fd_rate_delay(r, FD_RATE_ACCOUNT, 1, now);
		if (d > 0) {
			now += d;
			continue;
		}
		fd_rate_take(r, FD_RATE_ACCOUNT, 1, now);
		sent++;
	}
	T(sent <= 120);
	T(sent >= 115);
	fd_rate_free(r);
	fd_rate_free(NULL);
}

void
t_rate_reserve_and_cap(void)
{
	struct fd_rate *r = fd_rate_new(100, 20);
	int64_t now = 0;
	int n;

	/* --rate caps before anything is known: 79 a minute */
	n = a_minute(r, FD_RATE_ACCOUNT, &now);
	T(n <= 80 && n >= 75);
	/* the account limit is lower than --rate: it wins, 39 */
	fd_rate_observe(r, FD_RATE_ACCOUNT, 200, 50, 49, 1, -1, now);
	now += 60000;
	n = a_minute(r, FD_RATE_ACCOUNT, &now);
	T(n <= 40 && n >= 35);
	fd_rate_free(r);
}

void
t_rate_sub_limits(void)
{
	struct fd_rate *r = fd_rate_new(0, 0);
	int64_t now = 5000000, d;
	int lists = 0;

	T(fd_rate_set_plan(r, "nosuch") == -1);
	/* Growth learned from the header: tickets list 20/min */
	fd_rate_observe(r, FD_RATE_ACCOUNT, 200, 200, 199, 1, -1, now);
	while (now < 5000000 + 60000) {
		d = fd_rate_delay(r, FD_RATE_TICKETS_LIST, 1, now);
		if (d > 0) {
			now += d;
			continue;
		}
		fd_rate_take(r, FD_RATE_TICKETS_LIST, 1, now);
		lists++;
	}
	T(lists <= 20);
	T(lists >= 18);
	lists = a_minute(r, FD_RATE_CONTACTS_LIST, &now);
	T(lists <= 20 && lists >= 18);
	/* an explicit plan wins over the guess */
	T(fd_rate_set_plan(r, "enterprise") == 0);
	now += 60000;
	lists = a_minute(r, FD_RATE_TICKETS_LIST, &now);
	T(lists <= 200 && lists >= 150);
	fd_rate_free(r);
}

void
t_rate_retry_after(void)
{
	struct fd_rate *r = fd_rate_new(0, 10);
	int64_t now = 0;

	fd_rate_observe(r, FD_RATE_TICKETS_LIST, 429, -1, -1, -1, 7, now);
	T_INT(fd_rate_blocked_until(r), 7000);
	/* every pool waits exactly Retry-After */
	T_INT(fd_rate_delay(r, FD_RATE_ACCOUNT, 1, 1000), 6000);
	T_INT(fd_rate_delay(r, FD_RATE_CONTACTS_LIST, 1, 6999), 1);
	T_INT(fd_rate_delay(r, FD_RATE_ACCOUNT, 1, 7000), 0);
	/* a 429 without Retry-After: not a guessed minute but a backoff,
	 * 2 s for the second 429 in a row */
	fd_rate_observe(r, FD_RATE_ACCOUNT, 429, -1, -1, -1, -1, 10000);
	T_INT(fd_rate_blocked_until(r), 12000);
	T_INT(fd_rate_strikes(r), 2);
	fd_rate_free(r);
}

void
t_rate_retry_after_zero(void)
{
	struct fd_rate *r = fd_rate_new(0, 10);
	int64_t now = 0, want = 1000;
	int i;

	/* Retry-After 0 (the older throttler's last half second) and no
	 * rate headers: never at once; 1, 2, 4 ... s, capped at 60 */
	for (i = 1; i <= 9; i++) {
		fd_rate_observe(r, FD_RATE_ACCOUNT, 429, -1, -1, -1, 0, now);
		T_INT(fd_rate_strikes(r), i);
		T_INT(fd_rate_blocked_until(r) - now, want);
		T(fd_rate_delay(r, FD_RATE_ACCOUNT, 1, now) > 0);
		/* a 429 of a request sent before the stop: no escalation */
		fd_rate_observe(r, FD_RATE_ACCOUNT, 429, -1, -1, -1, 0,
		    now + 10);
		T_INT(fd_rate_strikes(r), i);
		now = fd_rate_blocked_until(r);
		want = want * 2 > 60000 ? 60000 : want * 2;
	}
	/* any other answer ends the run of 429s */
	fd_rate_observe(r, FD_RATE_ACCOUNT, 200, 100, 99, 1, -1, now);
	T_INT(fd_rate_strikes(r), 0);
	/* Retry-After larger than the backoff wins */
	fd_rate_observe(r, FD_RATE_ACCOUNT, 429, 100, 0, -1, 5, now);
	T_INT(fd_rate_blocked_until(r) - now, 5000);
	fd_rate_free(r);
}

void
t_rate_learns_the_window(void)
{
	struct fd_rate *r;
	int64_t now = 0;
	int n;

	/* per minute: Total 200 is Growth, tickets list 20 a minute */
	r = fd_rate_new(0, 10);
	fd_rate_observe(r, FD_RATE_ACCOUNT, 200, 200, 199, 1, -1, now);
	T_INT(fd_rate_window(r), 60000);
	n = a_minute(r, FD_RATE_TICKETS_LIST, &now);
	T(n <= 20);
	fd_rate_free(r);

	/* the older throttler: a 429 without rate headers whose
	 * Retry-After is beyond a minute: the window is the hour, and
	 * its Total of 200 is no plan (no tickets-list sub-limit) */
	r = fd_rate_new(0, 10);
	now = 0;
	fd_rate_observe(r, FD_RATE_ACCOUNT, 200, 200, 150, 1, -1, now);
	fd_rate_observe(r, FD_RATE_TICKETS_LIST, 429, -1, -1, -1, 1800,
	    now);
	T_INT(fd_rate_window(r), 3600000);
	T_INT(fd_rate_blocked_until(r), 1800000);
	/* the window ends with the wait: a fresh budget then */
	now = 1800000;
	T_INT(fd_rate_delay(r, FD_RATE_TICKETS_LIST, 1, now), 0);
	fd_rate_take(r, FD_RATE_TICKETS_LIST, 1, now);
	fd_rate_observe(r, FD_RATE_TICKETS_LIST, 200, 200, 199, 1, -1, now);
	/* paced over the hour: 179 an hour, 2 or 3 a minute; no list
	 * sub-limit beyond that */
	n = a_minute(r, FD_RATE_TICKETS_LIST, &now);
	T(n >= 2 && n <= 4);
	fd_rate_free(r);

	/* a 429 without rate headers and a short Retry-After: the older
	 * throttler, so no plan guess, but no proof of a long window */
	r = fd_rate_new(0, 10);
	now = 0;
	fd_rate_observe(r, FD_RATE_ACCOUNT, 200, 400, 399, 1, -1, now);
	fd_rate_observe(r, FD_RATE_ACCOUNT, 429, -1, -1, -1, 3, 1000);
	T_INT(fd_rate_window(r), 60000);
	now = 4000;
	n = a_minute(r, FD_RATE_TICKETS_LIST, &now);
	T(n > 150);		/* not Pro's 100 a minute */
	fd_rate_free(r);

	/* a 429 with headers and Retry-After beyond a minute: longer */
	r = fd_rate_new(0, 10);
	fd_rate_observe(r, FD_RATE_ACCOUNT, 429, 500, 0, 0, 1521, 0);
	T_INT(fd_rate_window(r), 3600000);
	fd_rate_free(r);

	/* a per-minute account whose Remaining resets every minute, with
	 * 429s of a sub-limit: stays a minute */
	r = fd_rate_new(0, 0);
	now = 0;
	for (n = 0; n < 600; n++) {
		fd_rate_observe(r, FD_RATE_ACCOUNT, 200, 400,
		    400 - 1 - (n % 200), 1, -1, now);
		if (n % 50 == 0)
			fd_rate_observe(r, FD_RATE_TICKETS_LIST, 429, 400,
			    300, 0, 20, now);
		now += 300;
	}
	T_INT(fd_rate_window(r), 60000);
	fd_rate_free(r);
}

void
t_rate_other_apps(void)
{
	struct fd_rate *r = fd_rate_new(0, 10);
	int64_t now = 0;

	fd_rate_take(r, FD_RATE_ACCOUNT, 1, now);
	fd_rate_observe(r, FD_RATE_ACCOUNT, 200, 600, 590, 1, -1, now);
	T_INT(fd_rate_delay(r, FD_RATE_ACCOUNT, 1, now + 200), 0);
	/* others spent the account down to the reserve: slow down */
	fd_rate_take(r, FD_RATE_ACCOUNT, 1, now + 200);
	fd_rate_observe(r, FD_RATE_ACCOUNT, 200, 600, 30, 1, -1, now + 200);
	T(fd_rate_delay(r, FD_RATE_ACCOUNT, 1, now + 200) > 2000);
	/* an include costing 3 credits is charged in full */
	r = (fd_rate_free(r), fd_rate_new(0, 0));
	fd_rate_observe(r, FD_RATE_ACCOUNT, 200, 61, 60, 1, -1, 0);
	fd_rate_take(r, FD_RATE_ACCOUNT, 1, 0);
	fd_rate_observe(r, FD_RATE_ACCOUNT, 200, 61, 57, 3, -1, 0);
	T(fd_rate_delay(r, FD_RATE_ACCOUNT, 1, 0) >= 2900);
	fd_rate_free(r);
}
