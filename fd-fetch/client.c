/*
 * client.c: getting one page from the API: pacing under the account's
 * budget, waiting out 429s, retrying what is transient, validating the
 * body, and turning the API's errors into one-line messages.
 */
#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diag.h"
#include "jscan.h"
#include "json.h"
#include "extern.h"

/*
 * Dies with exit status code and the message: stdout flushed first.
 * Under -j several workers can fail at once (every one of them meets
 * an unknown host): the first to get here prints and exits, the others
 * wait here for the exit, so one message is printed, whole.
 */
static void __attribute__((noreturn, format(printf, 2, 3)))
die(int code, const char *fmt, ...)
{
	static pthread_mutex_t once = PTHREAD_MUTEX_INITIALIZER;
	va_list ap;

	pthread_mutex_lock(&once);	/* never released: the process ends */
	out_flush();
	va_start(ap, fmt);
	verrx(code, fmt, ap);
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleeps ms milliseconds, for the reason why (the progress line and
 * -v show it); stdout is flushed first, so that the rest of the
 * pipeline works while fd-fetch waits.  The line counts the wait down,
 * a second at a time. */
void
sleep_ms(struct run *run, int64_t ms, const char *why)
{
	struct timespec ts;
	int64_t until, left;

	if (ms <= 0)
		return;
	out_flush();
	until = now_ms() + ms;
	progress_wait(run, until, why);
	if (run->verbose && ms >= 1000)
		warnx("waiting %.1fs: %s", ms / 1000.0, why);
	__atomic_add_fetch(&run->tally->waits, 1, __ATOMIC_RELAXED);
	while ((left = until - now_ms()) > 0) {
		if (left > 1000)
			left = 1000;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		nanosleep(&ts, NULL);	/* EINTR: the time left again */
		progress(run, 0, 0);
	}
}

/* The path and query of url, for -v (the key is never in a URL). */
static const char *
path_of(const char *url)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return url;
	p = strchr(p + 3, '/');
	return p != NULL ? p : url;
}

/* A string member of object o, or NULL.  Borrows o; the result lives
 * as long as o. */
static const char *
member(jv o, const char *key)
{
	jv v = jv_object_get(jv_copy(o), jv_string(key));
	const char *s = NULL;

	if (jv_get_kind(v) == JV_KIND_STRING)
		s = jv_string_value(v);
	jv_free(v);	/* o still holds the string */
	return s;
}

/*
 * The API's own words for an error response: "code: message" from
 * {"code","message"}, "code: field: message" from a validation error's
 * first entry, else "(not a JSON error body)" (5xx pages are HTML).
 */
static void
api_message(const struct fd_http_resp *r, char *out, size_t outsz)
{
	char why[FD_ERRSZ];
	const char *code, *msg, *field;
	jv v, errs, e;

	out[0] = '\0';
	if (r->body.len == 0)
		return;
	if (fd_json_parse(r->body.data, r->body.len, &v, why) == -1 ||
	    jv_get_kind(v) != JV_KIND_OBJECT) {
		if (fd_json_parse(r->body.data, r->body.len, &v, why) == 0)
			jv_free(v);
		snprintf(out, outsz, "%s", "(not a JSON error body)");
		return;
	}
	errs = jv_object_get(jv_copy(v), jv_string("errors"));
	if (jv_get_kind(errs) == JV_KIND_ARRAY &&
	    jv_array_length(jv_copy(errs)) > 0) {
		e = jv_array_get(jv_copy(errs), 0);
		if (jv_get_kind(e) == JV_KIND_OBJECT) {
			code = member(e, "code");
			field = member(e, "field");
			msg = member(e, "message");
			snprintf(out, outsz, "%s: %s: %s",
			    code ? code : "error", field ? field : "-",
			    msg ? msg : "");
		}
		jv_free(e);
	} else {
		code = member(v, "code");
		msg = member(v, "message");
		if (code != NULL || msg != NULL)
			snprintf(out, outsz, "%s%s%s", code ? code : "",
			    code && msg ? ": " : "", msg ? msg : "");
	}
	jv_free(errs);
	jv_free(v);
}

/* Capped exponential backoff with full jitter over [d/2, d]. */
static int64_t
backoff(const struct run *run, int attempt)
{
	int64_t d = run->retry_base_ms << (attempt < 10 ? attempt : 10);

	if (d > 30000)
		d = 30000;
	return d / 2 + (d > 1 ? random() % (d / 2 + 1) : 0);
}

/* A 429: the budget now waits Retry-After, or a backoff when it says
 * 0 or nothing (FRESHDESK.md trap 27): bounded.  Dies (75) after
 * FD_RATE_MAX_STRIKES of them in a row. */
static void
throttled(struct run *run, const struct endpoint *ep)
{
	int n;

	pthread_mutex_lock(run->lock);
	n = fd_rate_strikes(run->rate);
	pthread_mutex_unlock(run->lock);
	if (n >= FD_RATE_MAX_STRIKES) {
		die(FD_EXIT_TEMPFAIL, "%s: rate limited: %d answers HTTP 429 "
		    "in a row, each waited out; giving up", ep->name, n);
	}
}

/*
 * An answer r of 4xx (not 429, not a 404 that q expects): dies, unless
 * it is 403 require_feature, the plan lacks the endpoint, or 403
 * access_denied, the API key belongs to an agent whose role lacks the
 * privilege (FRESHDESK.md Part 3 point 5, trap 25: config/privileges.rb
 * puts /agents, /roles, /groups and other settings lists under admin
 * privileges; an ordinary agent reads tickets, contacts and companies).
 * Either way the endpoint is skipped, never the run: nothing more of it
 * is asked for nor written (no ACTIVATE_VERSION, its bookmark
 * unchanged), and one warning says why.  Frees r.
 */
static void
refused(struct run *run, const struct endpoint *ep, struct page *q,
    struct fd_http_resp *r)
{
	char errbuf[FD_ERRSZ];

	api_message(r, errbuf, sizeof(errbuf));
	if (r->status == 403 &&
	    (strncmp(errbuf, "require_feature", 15) == 0 ||
	    strncmp(errbuf, "access_denied", 13) == 0)) {
		/* once: the other requests of ep are not made */
		if (!run->quiet && !(run->no_feature & endpoint_bit(ep)))
			warnx("%s: skipped: HTTP 403: %s", ep->name,
			    errbuf[0] == 'a' ? "access_denied: the API key's "
			    "agent lacks the admin rights to read it" : errbuf);
		run->no_feature |= endpoint_bit(ep);
		fd_http_resp_free(r);
		q->status = PAGE_NO_FEATURE;
		return;
	}
	die(FD_EXIT_FAIL, "%s: HTTP %ld%s%s", ep->name, r->status,
	    errbuf[0] ? ": " : "", errbuf);
}

/* The host that must resolve when the resolver and the network work:
 * the API's own domain (FD_FETCH_REFERENCE_HOST for tests). */
#define REFERENCE_HOST	"freshdesk.com"

/*
 * The transfer of url failed because its host's name did not resolve:
 * a mistyped domain, or the resolver or the network down.  The
 * reference host tells them apart, looked up once a run (getaddrinfo):
 * when it resolves, the host is unknown, and this dies (FD_EXIT_CONFIG)
 * naming it and where the domain comes from, never the key; else msg
 * (msgsz bytes, the transfer's error) says that the reference does not
 * resolve either, and the request is retried as any transient failure.
 */
static void
unresolved(struct run *run, const char *url, char *msg, size_t msgsz)
{
	const char *ref = getenv("FD_FETCH_REFERENCE_HOST"), *host;
	size_t len;
	int ok = -1;

	if (ref == NULL || *ref == '\0')
		ref = REFERENCE_HOST;
	if (run->reference != NULL) {
		pthread_mutex_lock(run->lock);
		ok = *run->reference;
		pthread_mutex_unlock(run->lock);
	}
	if (ok == -1) {
		ok = fd_http_resolves(ref);	/* may block: not under lock */
		if (run->reference != NULL) {
			pthread_mutex_lock(run->lock);
			*run->reference = ok;
			pthread_mutex_unlock(run->lock);
		}
	}
	if (!ok) {
		len = strlen(msg);
		snprintf(msg + len, msgsz - len, "; %s does not resolve "
		    "either: DNS or the network is down", ref);
		return;
	}
	host = strstr(url, "://");
	host = host != NULL ? host + 3 : url;
	die(FD_EXIT_CONFIG, "%.*s: the host does not resolve (%s does): "
	    "check FRESHDESK_DOMAIN or --domain", (int)strcspn(host, "/?#"),
	    host, ref);
}

/*
 * Looks at a finished transfer of q: stores the page, or schedules the
 * request again (429, transient failure), or dies on a fatal error.
 * Returns 1 when q is done.
 */
static int
settle(struct run *run, const struct endpoint *ep, struct page *q,
    struct fd_http_resp *r)
{
	char errbuf[FD_ERRSZ], msg[FD_ERRSZ + 96], cause[WHY_SZ];
	int64_t d, blocked;

	pthread_mutex_lock(run->lock);
	fd_rate_observe(run->rate, ep->pool, (int)r->status, r->rl_total,
	    r->rl_remaining, r->rl_used, r->retry_after, now_ms());
	blocked = fd_rate_blocked_until(run->rate);
	pthread_mutex_unlock(run->lock);
	if (run->verbose)
		warnx("GET %s: %s%ld %zu bytes %.3fs remaining %ld",
		    path_of(q->url), r->transport ? "failed: " : "",
		    r->status, r->body.len, r->seconds, r->rl_remaining);
	if (r->status == 429) {
		fd_http_resp_free(r);
		throttled(run, ep);
		progress_wait(run, blocked, "rate limit (429)");
		return 0;
	}
	if (r->transport) {
		snprintf(msg, sizeof(msg), "%s", r->error);
		snprintf(cause, sizeof(cause), "%.48s", r->error);
		if (r->unresolved)	/* dies if the domain is wrong */
			unresolved(run, q->url, msg, sizeof(msg));
	} else if (r->status >= 500) {
		api_message(r, errbuf, sizeof(errbuf));
		snprintf(msg, sizeof(msg), "HTTP %ld%s%s", r->status,
		    errbuf[0] ? ": " : "", errbuf);
		snprintf(cause, sizeof(cause), "HTTP %ld", r->status);
	} else if (r->status >= 200 && r->status < 300) {
		if (fd_jscan_validate(r->body.data, r->body.len, errbuf) == 0) {
			q->resp = r;
			q->status = PAGE_OK;
			return 1;
		}
		snprintf(msg, sizeof(msg), "HTTP %ld: %s", r->status, errbuf);
		snprintf(cause, sizeof(cause), "a bad page (HTTP %ld)",
		    r->status);
	} else if (r->status == 404 && q->missing_ok) {
		fd_http_resp_free(r);
		q->status = PAGE_MISSING;
		return 1;
	} else {
		refused(run, ep, q, r);
		return 1;
	}
	fd_http_resp_free(r);
	if (q->attempt >= run->max_retries) {
		die(FD_EXIT_TEMPFAIL, "%s: giving up after %d attempts: %s",
		    ep->name, q->attempt + 1, msg);
	}
	d = backoff(run, q->attempt++);
	if (d > run->max_wait * 1000) {
		die(FD_EXIT_TEMPFAIL, "%s: %s; a retry in %.1fs is beyond "
		    "--max-wait %lds", ep->name, msg, d / 1000.0,
		    run->max_wait);
	}
	if (run->verbose)
		warnx("%s: %s; retrying in %.1fs", ep->name, msg, d / 1000.0);
	q->not_before = now_ms() + d;
	snprintf(q->why, sizeof(q->why), "retry %d of %d after %.48s",
	    q->attempt, run->max_retries, cause);
	progress_wait(run, q->not_before, q->why);
	return 0;
}

/* The longest page_fetch waits before it looks at its requests again. */
#define WAIT_STEP_MS	1000

/* The queued requests of an endpoint the plan lacks are done, as
 * PAGE_NO_FEATURE; returns how many. */
static size_t
skip_refused(const struct run *run, const struct endpoint *ep,
    struct page *v, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (v[i].state == 0 && (run->no_feature &
		    endpoint_bit(v[i].ep ? v[i].ep : ep))) {
			v[i].state = 2;
			v[i].status = PAGE_NO_FEATURE;
			k++;
		}
	return k;
}

/* Dies (75): the budget's wait of d ms for ep, from t, is beyond
 * --max-wait; a 429's wait (Retry-After, backoff) is told as one. */
static void __attribute__((noreturn))
wait_too_long(struct run *run, const struct endpoint *ep, int64_t d,
    int64_t t, int64_t blocked)
{
	if (blocked - t >= d)
		die(FD_EXIT_TEMPFAIL, "%s: rate limited: HTTP 429: a wait of "
		    "%llds (Retry-After or backoff) is beyond --max-wait %lds",
		    ep->name, (long long)(d + 999) / 1000, run->max_wait);
	die(FD_EXIT_TEMPFAIL, "%s: rate limited: a wait of %.1fs for the "
	    "rate budget is beyond --max-wait %lds", ep->name, d / 1000.0,
	    run->max_wait);
}

/* Why a request of pool must wait d ms at t for the budget (under the
 * run's lock): a 429's stop, a list's sub-limit, or the account's. */
static const char *
budget_why(const struct run *run, enum fd_rate_pool pool, int64_t d,
    int64_t t)
{
	if (fd_rate_blocked_until(run->rate) - t >= d)
		return "rate limit (429)";
	if (pool != FD_RATE_ACCOUNT &&
	    fd_rate_delay(run->rate, FD_RATE_ACCOUNT, 1, t) < d)
		return pool == FD_RATE_TICKETS_LIST ?
		    "sub-limit of the tickets list" :
		    "sub-limit of the contacts list";
	return "rate budget";
}

/*
 * Starts the queued requests of v that the budget and -j allow, in
 * order, with inflight in flight already; returns how many are in
 * flight then.  *wait becomes the time (ms, at most 1000) until the
 * next could start, and *why the reason (a static string or a page's
 * why, for sleep_ms), *no_slot 1 when the -j slots of all workers are
 * taken.
 */
static int
start_requests(struct run *run, const struct endpoint *ep, struct page *v,
    size_t n, int inflight, int64_t *wait, const char **why, int *no_slot)
{
	const struct endpoint *qep;
	char errbuf[FD_ERRSZ];
	int64_t t, d;
	size_t i;

	*wait = WAIT_STEP_MS;
	*why = "rate limit or retry";
	t = now_ms();
	*no_slot = 0;
	while (inflight < run->jobs) {
		for (i = 0; i < n && (v[i].state != 0 ||
		    v[i].not_before > t); i++)
			;
		if (i == n) {
			for (i = 0; i < n; i++)
				if (v[i].state == 0 &&
				    v[i].not_before - t < *wait) {
					*wait = v[i].not_before - t;
					*why = v[i].why;
				}
			break;
		}
		qep = v[i].ep ? v[i].ep : ep;
		pthread_mutex_lock(run->lock);
		if (run->slots != NULL && *run->slots >= run->slots_max) {
			pthread_mutex_unlock(run->lock);
			*no_slot = 1;	/* -j requests of all workers */
			break;
		}
		if ((d = fd_rate_delay(run->rate, qep->pool, 1, t)) > 0) {
			int64_t blocked = fd_rate_blocked_until(run->rate);
			*why = budget_why(run, qep->pool, d, t);
			pthread_mutex_unlock(run->lock);
			/* every wait is bounded: a 429's, and the pacing
			 * under the budget and sub-limits */
			if (d > run->max_wait * 1000)
				wait_too_long(run, qep, d, t, blocked);
			if (d < *wait)
				*wait = d;
			break;
		}
		fd_rate_take(run->rate, qep->pool, 1, t);
		if (run->slots != NULL)
			(*run->slots)++;
		pthread_mutex_unlock(run->lock);
		if (fd_http_get(run->http, v[i].url, &v[i], errbuf) == -1)
			die(FD_EXIT_FAIL, "%s: %s", qep->name, errbuf);
		v[i].state = 1;
		inflight++;
		__atomic_add_fetch(&run->tally->requests, 1, __ATOMIC_RELAXED);
	}
	return inflight;
}

/* Waits at most ms for another worker to free a request slot. */
static void
slot_wait(struct run *run, int64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(run->lock);
	if (*run->slots >= run->slots_max)
		pthread_cond_timedwait(run->slot_freed, run->lock, &ts);
	pthread_mutex_unlock(run->lock);
}

void
page_fetch(struct run *run, const struct endpoint *ep, struct page *v,
    size_t n)
{
	struct fd_http_resp *r;
	char errbuf[FD_ERRSZ];
	const char *why;
	size_t i, done = 0;
	int inflight = 0, rc, no_slot;
	int64_t wait;

	for (i = 0; i < n; i++) {
		v[i].resp = NULL;
		v[i].attempt = 0;
		v[i].not_before = 0;
		v[i].state = 0;		/* 0 queued, 1 in flight, 2 done */
		v[i].status = PAGE_OK;
		v[i].why[0] = '\0';
	}
	while (done < n) {
		/* an endpoint the plan lacks: its other requests are done */
		done += skip_refused(run, ep, v, n);
		if (done == n)
			break;
		/* start what the budget and -j allow, in order */
		inflight = start_requests(run, ep, v, n, inflight, &wait,
		    &why, &no_slot);
		if (inflight == 0 && no_slot) {
			slot_wait(run, wait < 1 ? 1 : wait);
			continue;
		}
		if (inflight == 0) {
			sleep_ms(run, wait < 1 ? 1 : wait, why);
			continue;
		}
		rc = fd_http_wait(run->http, wait < 1 ? 1 : (int)wait, &r,
		    errbuf);
		if (rc == -1)
			die(FD_EXIT_FAIL, "%s: %s", ep->name, errbuf);
		if (rc == 0)
			continue;
		struct page *q = r->tag;
		inflight--;
		if (run->slots != NULL) {
			pthread_mutex_lock(run->lock);
			(*run->slots)--;
			pthread_cond_broadcast(run->slot_freed);
			pthread_mutex_unlock(run->lock);
		}
		progress(run, 0, 0);
		if (settle(run, q->ep ? q->ep : ep, q, r)) {
			q->state = 2;
			done++;
		} else
			q->state = 0;
	}
}

enum page_status
page_get(struct run *run, const struct endpoint *ep, const char *url,
    struct page *pg)
{
	memset(pg, 0, sizeof(*pg));
	pg->url = url;
	page_fetch(run, ep, pg, 1);
	return pg->status;
}

/* Between the parts of the line. */
#define SEP	" \xc2\xb7 "

/* A time left as the line shows it: "0.4s", "12s", "3m05s". */
static void
put_left(struct fd_buf *b, int64_t ms)
{
	long long s = (ms + 999) / 1000;

	if (ms < 1000)
		fd_buf_printf(b, "%.1fs", ms / 1000.0);
	else if (s < 60)
		fd_buf_printf(b, "%llds", s);
	else
		fd_buf_printf(b, "%lldm%02llds", s / 60, s % 60);
}

/* The begun endpoints that are running (done 0) or ended (done 1),
 * "name count" each, in the order they began; returns how many. */
static int
put_endpoints(struct fd_buf *b, const struct run *run, int done)
{
	const struct meter *m = run->meter;
	const struct endpoint *ep;
	int i, k = 0;

	for (i = 0; i < m->nbegun; i++) {
		if (m->done[i] != done ||
		    (ep = endpoint_at(m->begun[i])) == NULL)
			continue;
		fd_buf_printf(b, "%s%s %ld", k++ ? ", " : "", ep->name,
		    __atomic_load_n(&run->tally->by_ep[m->begun[i]],
		    __ATOMIC_RELAXED));
	}
	return k;
}

/*
 * The line's text, under the run's lock, the most telling first, as
 * the terminal's width may cut it: while endpoints run, "endpoint k of
 * n:" when several were asked for, the running endpoints with their
 * records so far, the archive probe, the wait under way with the time
 * it has left and its reason, the requests and their rate, and "done:"
 * with those that ended; when none runs (at the end), the requests and
 * every endpoint read.
 */
static void
meter_text(const struct run *run, struct fd_buf *b, int64_t t)
{
	const struct meter *m = run->meter;
	long requests = __atomic_load_n(&run->tally->requests,
	    __ATOMIC_RELAXED);
	double min = (t - m->started) / 60000.0;
	int i, running = 0;
	long s;

	for (i = 0; i < m->nbegun; i++)
		running += !m->done[i];
	fd_buf_puts(b, "fd-fetch: ");
	if (running > 0) {
		if (m->asked > 1)
			fd_buf_printf(b, "endpoint %d of %d: ", m->nbegun,
			    m->asked);
		put_endpoints(b, run, 0);
		fd_buf_puts(b, SEP);
	}
	if (m->probe.started != 0 && m->probe.probed > 0) {
		/* the time left at the probe's rate so far */
		s = (long)((t - m->probe.started) / 1000.0 * m->probe.left /
		    m->probe.probed + 0.5);
		fd_buf_printf(b, "archive: %ld probed, %ld found, %ld left, "
		    "%ldm%02lds to go" SEP, m->probe.probed, m->probe.found,
		    m->probe.left, s / 60, s % 60);
	}
	if (m->wait_until > t) {
		fd_buf_puts(b, "waiting ");
		put_left(b, m->wait_until - t);
		fd_buf_printf(b, ": %s" SEP, m->wait_why);
	}
	fd_buf_printf(b, "%ld requests", requests);
	if (min >= 0.1)		/* a rate over a few seconds means little */
		fd_buf_printf(b, ", %.0f/min", requests / min);
	if (running < m->nbegun) {
		fd_buf_puts(b, running > 0 ? SEP "done: " : SEP);
		put_endpoints(b, run, 1);
	}
}

/* Draws the line, under the run's lock; with end, for the last time. */
static void
meter_draw(struct run *run, int end)
{
	struct fd_buf b = FD_BUF_INIT;

	meter_text(run, &b, now_ms());
	if (end) {
		fd_progress_end(run->meter->line, xbuf(&b));
		run->meter->line = NULL;
	} else
		fd_progress_draw(run->meter->line, xbuf(&b));
	fd_buf_free(&b);
}

void
progress(struct run *run, int64_t waiting, int force)
{
	struct meter *m = run->meter;

	if (m == NULL || m->line == NULL)
		return;
	pthread_mutex_lock(run->lock);
	if (run->probe.started != 0) {
		m->probe.probed = run->probe.probed;
		m->probe.found = run->probe.found;
		m->probe.left = run->probe.left;
		m->probe.started = run->probe.started;
	}
	if (fd_progress_due(m->line, force || waiting >= 1000))
		meter_draw(run, 0);
	pthread_mutex_unlock(run->lock);
}

void
progress_job(struct run *run, const struct endpoint *const *eps, size_t n,
    int done)
{
	struct meter *m = run->meter;
	size_t k;
	int i, x;

	if (m == NULL || m->line == NULL)
		return;
	pthread_mutex_lock(run->lock);
	for (k = 0; k < n; k++) {
		x = endpoint_index(eps[k]);
		for (i = 0; i < m->nbegun && m->begun[i] != x; i++)
			;
		if (i == m->nbegun && m->nbegun < ENDPOINTS_NBITS)
			m->begun[m->nbegun++] = (unsigned char)x;
		if (i < m->nbegun)
			m->done[i] = (unsigned char)done;
		if (done && eps[k]->kind == SYNC_ARCHIVE)
			m->probe.started = 0;
	}
	meter_draw(run, 0);
	pthread_mutex_unlock(run->lock);
}

void
progress_wait(struct run *run, int64_t until, const char *why)
{
	struct meter *m = run->meter;
	int64_t t = now_ms();

	if (m == NULL || m->line == NULL || until <= t)
		return;
	pthread_mutex_lock(run->lock);
	if (until >= m->wait_until || m->wait_until <= t) {
		m->wait_until = until;
		snprintf(m->wait_why, sizeof(m->wait_why), "%s", why);
	}
	/* a wait of a second or more is shown at once */
	if (fd_progress_due(m->line, until - t >= 1000))
		meter_draw(run, 0);
	pthread_mutex_unlock(run->lock);
}

void
progress_end(struct run *run)
{
	struct meter *m = run->meter;

	if (m == NULL || m->line == NULL)
		return;
	pthread_mutex_lock(run->lock);
	m->wait_until = 0;
	meter_draw(run, 1);
	pthread_mutex_unlock(run->lock);
}

void
page_free(struct page *pg)
{
	fd_http_resp_free(pg->resp);
	pg->resp = NULL;
}
