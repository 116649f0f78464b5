/*
 * fd-fetch: pull Freshdesk API v2 list endpoints and write them to
 * standard output as a stream of Singer messages (DESIGN.md section 3).
 *
 * This file: options, credentials and domain, the state, the run over
 * the endpoints.  See extern.h for the other modules.
 */
#include <sys/time.h>

#include <pthread.h>

#include <ctype.h>
#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "diag.h"
#include "isotime.h"
#include "json.h"
#include "state.h"
#include "tool.h"
#include "extern.h"

/* Endpoints named at most (all of them, and names repeated); so also
 * --reset options. */
/* Seconds a --since or --until may be ahead of this machine's clock:
 * its clock and the server's are not quite the same. */
#define FUTURE_SLACK	60

/* The command line's settings (main fills it, run_all reads it). */
struct opts {
	int		 quiet, verbose, raw, reconcile, dry_run;
	long long	 jobs, per_page, rate, reserve, max_wait;
	const char	*statefile, *domain, *since, *until, *plan, *include;
	/* --config's "api_key" and "api_key_file", or NULL */
	const char	*key, *keyfile;
	const char	*catalog;	/* --catalog, --properties */
	int		 discover;
	const char	*reset[ENDPOINTS_NBITS];	/* --reset, in turn */
	int		 nreset;
};

/* --config: its members that are not spelled as options */
static const struct fd_config_alias aliases[] = {
	{ "start_date",	"since" },
	{ "end_date",	"until" },
	{ NULL,		NULL }
};
static const char *const taken[] = { "api_key", "api_key_file", NULL };

/* An HTTP request's time limit (seconds), retries of a failed request,
 * the first retry's delay (ms; FD_FETCH_RETRY_MS for tests). */
#define HTTP_TIMEOUT_S	300
#define MAX_RETRIES	6
#define RETRY_BASE_MS	1000
/* --reconcile: ranges of ids in one STATE's fd_ids part at most
 * (FD_FETCH_SET_RANGES for tests). */
#define SET_RANGES	10000

enum {
	OPT_DOMAIN = CHAR_MAX + 1, OPT_SINCE, OPT_UNTIL, OPT_PER_PAGE,
	OPT_RATE, OPT_PLAN, OPT_RESERVE, OPT_MAX_WAIT, OPT_INCLUDE, OPT_RAW,
	OPT_RECONCILE, OPT_DISCOVER, OPT_CATALOG, OPT_RESET
};

static const struct option longopts[] = {
	{ "help",	no_argument,		NULL,	'h' },
	{ "jobs",	required_argument,	NULL,	'j' },
	{ "list",	no_argument,		NULL,	'l' },
	{ "dry-run",	no_argument,		NULL,	'n' },
	{ "quiet",	no_argument,		NULL,	'q' },
	{ "state",	required_argument,	NULL,	's' },
	{ "verbose",	no_argument,		NULL,	'v' },
	{ "version",	no_argument,		NULL,	'V' },
	{ "domain",	required_argument,	NULL,	OPT_DOMAIN },
	{ "since",	required_argument,	NULL,	OPT_SINCE },
	{ "until",	required_argument,	NULL,	OPT_UNTIL },
	{ "per-page",	required_argument,	NULL,	OPT_PER_PAGE },
	{ "rate",	required_argument,	NULL,	OPT_RATE },
	{ "plan",	required_argument,	NULL,	OPT_PLAN },
	{ "reserve",	required_argument,	NULL,	OPT_RESERVE },
	{ "max-wait",	required_argument,	NULL,	OPT_MAX_WAIT },
	{ "include",	required_argument,	NULL,	OPT_INCLUDE },
	{ "raw",	no_argument,		NULL,	OPT_RAW },
	{ "reconcile",	no_argument,		NULL,	OPT_RECONCILE },
	{ "discover",	no_argument,		NULL,	OPT_DISCOVER },
	{ "catalog",	required_argument,	NULL,	OPT_CATALOG },
	{ "properties",	required_argument,	NULL,	OPT_CATALOG },
	{ "reset",	required_argument,	NULL,	OPT_RESET },
	{ NULL,		0,			NULL,	0 }
};


/* Whether host[:port] (n bytes) names this machine: 127.0.0.0/8,
 * localhost or [::1]. */
static int
loopback(const char *host, size_t n)
{
	const char *end = host + n, *p;
	int dots = 0, digits = 0;

	if ((p = memchr(host, ']', n)) != NULL)	/* [::1]:port */
		return strncmp(host, "[::1]", 5) == 0 && p == host + 4 &&
		    (p + 1 == end || p[1] == ':');
	if ((p = memchr(host, ':', n)) != NULL)
		end = p;
	if ((size_t)(end - host) == 9 && strncmp(host, "localhost", 9) == 0)
		return 1;
	if (end - host < 4 || strncmp(host, "127.", 4) != 0)
		return 0;
	for (p = host; p < end; p++) {
		if (*p == '.') {
			if (digits == 0)
				return 0;
			dots++;
			digits = 0;
		} else if (*p >= '0' && *p <= '9' && digits < 3)
			digits++;
		else
			return 0;
	}
	return dots == 3 && digits > 0;
}

/*
 * The API base URL for a domain: "acme", "acme.freshdesk.com" or a URL
 * https://host[:port]; http:// only for a loopback host (a simulator).
 * Dies (FD_EXIT_CONFIG, as for no domain) of any other.
 */
static char *
base_url(const char *d)
{
	struct fd_buf b = FD_BUF_INIT;
	const char *host;
	size_t n;

	if (strncmp(d, "https://", 8) == 0 || strncmp(d, "http://", 7) == 0) {
		host = strchr(d, '/') + 2;
		n = strcspn(host, "/?#");
		if (n == 0 || memchr(host, '@', n) != NULL ||
		    host[n] == '?' || host[n] == '#' ||
		    strspn(host + n, "/") != strlen(host + n))
			errx(FD_EXIT_CONFIG, "%s: expected https://host[:port]",
			    d);
		if (d[4] == ':' && !loopback(host, n))
			errx(FD_EXIT_CONFIG, "%s: plain http is only for "
			    "loopback hosts; use https://", d);
		fd_buf_append(&b, d, (size_t)(host - d) + n);
	} else if (*d == '\0' || strpbrk(d, "/:@?# ") != NULL) {
		errx(FD_EXIT_CONFIG, "%s: not a Freshdesk domain", d);
	} else if (strchr(d, '.') != NULL)
		fd_buf_printf(&b, "https://%s", d);
	else
		fd_buf_printf(&b, "https://%s.freshdesk.com", d);
	if (fd_buf_puts(&b, "/api/v2") == -1)
		err(FD_EXIT_FAIL, NULL);
	return fd_buf_take(&b);
}

/* The API key from --config's api_key or api_key_file, else from
 * FRESHDESK_API_KEY or FRESHDESK_API_KEY_FILE (its
 * first line).  Never from argv, where ps(1) shows it.  Dies
 * (FD_EXIT_CONFIG) when there is none, naming the file if any. */
static char *
api_key(const struct opts *o)
{
	const char *k = getenv("FRESHDESK_API_KEY");
	const char *f = getenv("FRESHDESK_API_KEY_FILE");
	char *line = NULL, *p;
	size_t cap = 0;
	FILE *fp;

	if (o->key != NULL || o->keyfile != NULL) {
		k = o->key;
		f = o->keyfile;
	}

	if (k != NULL && *k != '\0') {
		if ((p = strdup(k)) == NULL)
			err(FD_EXIT_FAIL, NULL);
		return p;
	}
	if (f == NULL || *f == '\0')
		errx(FD_EXIT_CONFIG, "no API key: set FRESHDESK_API_KEY or "
		    "FRESHDESK_API_KEY_FILE, or api_key_file in --config");
	if ((fp = fopen(f, "r")) == NULL)
		err(FD_EXIT_CONFIG, "%s", f);
	if (getline(&line, &cap, fp) == -1)
		errx(FD_EXIT_CONFIG, "%s: empty key file", f);
	fclose(fp);
	for (p = line + strlen(line); p > line && isspace((unsigned char)p[-1]);
	    p--)
		p[-1] = '\0';
	if (*line == '\0')
		errx(FD_EXIT_CONFIG, "%s: empty key file", f);
	return line;
}

/* The edit distance (Levenshtein) of a and b, b shorter than 64. */
static size_t
distance(const char *a, const char *b)
{
	size_t row[64], lb = strlen(b), i, j, diag, up;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; *a != '\0'; a++, i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (*a != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

/* " (did you mean NAME?)" for the operand nearest to name, a typo of
 * it (two edits at most, and at most a third of it), or "". */
static const char *
nearest(const char *name)
{
	static char hint[64];
	const struct endpoint *ep;
	const char *best = NULL, *cand;
	size_t d, bd = SIZE_MAX;
	int i;

	for (i = 0;; i++) {
		if ((ep = endpoint_at(i)) != NULL && ep->hidden)
			continue;
		cand = ep != NULL ? ep->name : "all";
		d = distance(name, cand);
		if (d < bd && d <= 2 && d * 3 <= strlen(cand)) {
			bd = d;
			best = cand;
		}
		if (ep == NULL)
			break;
	}
	if (best == NULL)
		return "";
	snprintf(hint, sizeof(hint), " (did you mean %s?)", best);
	return hint;
}

/* The endpoints named by the operands, checked before any request. */
static const struct endpoint **
select_endpoints(int argc, char *argv[], int raw, int catalog, int *n)
{
	const struct endpoint **v, *ep;
	int i, k = 0, cap = ENDPOINTS_NBITS;

	if ((v = calloc(cap, sizeof(*v))) == NULL)
		err(FD_EXIT_FAIL, NULL);
	if (argc == 0 && !catalog)
		for (i = 0; (ep = endpoint_at(i)) != NULL; i++)
			if (ep->is_default)
				v[k++] = ep;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "all") == 0) {
			int j;
			for (j = 0; (ep = endpoint_at(j)) != NULL; j++)
				if (k < cap && !ep->hidden)
					v[k++] = ep;
			continue;
		}
		if ((ep = endpoint_find(argv[i])) == NULL || ep->hidden)
			errx(FD_EXIT_USAGE, "%s: unknown endpoint%s",
			    showname(argv[i]), nearest(argv[i]));
		if (k < cap)
			v[k++] = ep;
	}
	if (raw && k != 1)
		errx(FD_EXIT_USAGE, "--raw takes exactly one endpoint");
	*n = k;
	return v;
}

/* A job: an endpoint and the per-ticket endpoints riding on its pass. */
struct job {
	const struct endpoint	*eps[JOB_EPS_MAX];
	size_t			 n;
};

/* The jobs for the workers, longest first, and the next to take (under
 * the run's lock). */
struct queue {
	struct job	*jobs;
	int		 n, next;
};

/* A worker: its copy of the run, and the one queue. */
struct worker {
	struct queue	*q;
	struct run	*run;
};

/* A worker: takes endpoints off the queue until none is left. */
static void *
worker(void *arg)
{
	struct worker *wk = arg;
	struct queue *q = wk->q;
	struct run *run = wk->run;
	int i;

	for (;;) {
		pthread_mutex_lock(run->lock);
		i = q->next++;
		pthread_mutex_unlock(run->lock);
		if (i >= q->n)
			return NULL;
		sync_job(run, q->jobs[i].eps, q->jobs[i].n);
	}
}

/*
 * The jobs for the endpoints eps: each its own, except that the
 * per-ticket endpoints (conversations, time entries) ride on the tickets
 * pass, or on one another's, when their bookmarks are the same, so that
 * the changed tickets are listed once for all of them.  Returns the
 * number of jobs in v (room for n).
 */
static int
make_jobs(struct run *run, const struct endpoint **eps, int n,
    struct job *v)
{
	int i, j, k = 0;
	size_t m;

	for (i = 0; i < n; i++) {
		/* an endpoint named twice is read once */
		for (j = 0; j < k; j++)
			for (m = 0; m < v[j].n; m++)
				if (v[j].eps[m] == eps[i])
					goto next;
		for (j = 0; j < k; j++)
			if (v[j].n < sizeof(v[j].eps) / sizeof(v[j].eps[0]) &&
			    job_fits(run, v[j].eps[0], eps[i]))
				break;
		if (j < k) {
			v[j].eps[v[j].n++] = eps[i];
			continue;
		}
		/* tickets after the children it takes: it leads them */
		if (strcmp(eps[i]->name, "tickets") == 0)
			for (j = 0; j < k; j++)
				if (endpoint_per_ticket(v[j].eps[0]) &&
				    v[j].n < sizeof(v[j].eps) /
				    sizeof(v[j].eps[0]) &&
				    job_fits(run, eps[i], v[j].eps[0])) {
					memmove(v[j].eps + 1, v[j].eps,
					    v[j].n * sizeof(v[j].eps[0]));
					v[j].eps[0] = eps[i];
					v[j].n++;
					break;
				}
		if (j < k)
			continue;
		v[k].eps[0] = eps[i];
		v[k].n = 1;
		k++;
next:		;
	}
	return k;
}

/*
 * Runs the endpoints: in this thread, or with -j N and several jobs in
 * up to N + 2 workers at once (each a pass of its own, the budget and N
 * requests in flight shared), so that the tickets and the contacts
 * lists, which have sub-limits of their own, are read side by side, and
 * the other endpoints' requests fill the pauses of those sub-limits.
 */
static void
run_endpoints(struct run *run, const struct endpoint **eps, int n,
    const char *key)
{
	struct queue q;
	struct worker *wk;
	struct run *runs;
	struct job *jl;
	pthread_t *th;
	pthread_cond_t freed = PTHREAD_COND_INITIALIZER;
	char errbuf[FD_ERRSZ];
	int w, i, k = 0, kind, nj, slots = 0;
	static const int order[] = { SYNC_ORDERED, SYNC_CHILD, SYNC_ARCHIVE,
	    SYNC_FILTERED, SYNC_FULL, SYNC_FULL_CHILD };

	if ((jl = calloc((size_t)(n ? n : 1), sizeof(*jl))) == NULL)
		err(FD_EXIT_FAIL, NULL);
	nj = make_jobs(run, eps, n, jl);
	w = run->jobs + 2 < nj ? run->jobs + 2 : nj;
	if (run->jobs <= 1 || w <= 1) {
		for (i = 0; i < nj; i++)
			sync_job(run, jl[i].eps, jl[i].n);
		free(jl);
		return;
	}
	/* the long incremental passes first */
	q.jobs = calloc((size_t)nj, sizeof(*q.jobs));
	runs = calloc((size_t)w, sizeof(*runs));
	th = calloc((size_t)w, sizeof(*th));
	wk = calloc((size_t)w, sizeof(*wk));
	if (q.jobs == NULL || runs == NULL || th == NULL || wk == NULL)
		err(FD_EXIT_FAIL, NULL);
	for (kind = 0; kind < SYNC_NKINDS; kind++)
		for (i = 0; i < nj; i++)
			if ((int)jl[i].eps[0]->kind == order[kind])
				q.jobs[k++] = jl[i];
	q.n = k;
	q.next = 0;
	for (i = 0; i < w; i++) {
		runs[i] = *run;
		runs[i].slots = &slots;
		runs[i].slots_max = run->jobs;
		runs[i].slot_freed = &freed;
		runs[i].line = (struct fd_buf)FD_BUF_INIT;
		runs[i].seen = NULL;
		if (i > 0 && (runs[i].http = fd_http_new(key,
		    "fd-fetch/" FD_VERSION, HTTP_TIMEOUT_S, errbuf)) == NULL)
			errx(FD_EXIT_FAIL, "%s", errbuf);
	}
	for (i = 0; i < w; i++) {
		wk[i].q = &q;
		wk[i].run = &runs[i];
		if (pthread_create(&th[i], NULL, worker, &wk[i]) != 0)
			errx(FD_EXIT_FAIL, "cannot start a worker");
	}
	for (i = 0; i < w; i++) {
		pthread_join(th[i], NULL);
		fd_buf_free(&runs[i].line);
		schemas_free(runs[i].seen);
		if (i > 0)
			fd_http_free(runs[i].http);
	}
	free(q.jobs);
	free(jl);
	free(runs);
	free(th);
	free(wk);
}

/* The state of file path (jv_object() for none): dies when it cannot
 * be read or is not an object. */
static jv
state_load(const char *path)
{
	char errbuf[FD_ERRSZ];
	jv state;

	if (path == NULL)
		return jv_object();
	if (fd_state_read(path, &state, errbuf) == -1)
		errx(FD_EXIT_FAIL, "%s", errbuf);
	if (jv_get_kind(state) != JV_KIND_OBJECT)
		errx(FD_EXIT_FAIL, "%s: the state is not an object", path);
	return state;
}

/* The present plus FUTURE_SLACK, as utc() writes times. */
static void
present(char out[CURSOR_TIMESZ])
{
	utc_at(time(NULL) + FUTURE_SLACK, out);
}

/*
 * The time s of option opt (--since, --until) in out, as utc() writes
 * it: an ISO 8601 date-time, or a date alone, its midnight UTC.  Dies
 * with FD_EXIT_USAGE when it is neither, or is later than the present
 * (FUTURE_SLACK): a cursor there would skip every change until then.
 */
static void
arg_time(const char *opt, const char *s, char out[CURSOR_TIMESZ])
{
	char t[FD_ISOTIME_MAX], now[CURSOR_TIMESZ];

	if (fd_isotime_arg(s, strlen(s), t) == -1)
		errx(FD_EXIT_USAGE, "%s %s: expected a date (YYYY-MM-DD) or "
		    "an ISO 8601 date-time", opt, showname(s));
	memcpy(out, t, 19);
	memcpy(out + 19, "Z", 2);
	present(now);
	if (strcmp(out, now) > 0)
		errx(FD_EXIT_USAGE, "%s %s: in the future", opt, s);
}

/* The run's settings from the options; --since's and --until's times
 * go to tsince and tuntil, which outlive the run. */
static void
run_settings(struct run *run, const struct opts *o,
    char tsince[CURSOR_TIMESZ], char tuntil[CURSOR_TIMESZ])
{
	const char *e;

	if (o->reconcile && (o->raw || o->until != NULL))
		errx(FD_EXIT_USAGE, "--reconcile reads whole lists into a "
		    "stream: not with %s", o->raw ? "--raw" : "--until");
	arg_time("--since", o->since != NULL ? o->since :
	    "2022-01-01T00:00:00Z", tsince);
	run->since = tsince;
	if (o->until != NULL) {
		arg_time("--until", o->until, tuntil);
		run->until = tuntil;
	}
	run->include = o->include;
	run->per_page = (int)o->per_page;
	run->raw = o->raw;
	run->reconcile = o->reconcile;
	run->verbose = o->verbose;
	run->quiet = o->quiet;
	run->max_wait = (long)o->max_wait;
	run->retry_base_ms = RETRY_BASE_MS;
	if ((e = getenv("FD_FETCH_RETRY_MS")) != NULL)
		run->retry_base_ms = atol(e) > 0 ? atol(e) : 1;
	run->set_ranges = SET_RANGES;
	if ((e = getenv("FD_FETCH_SET_RANGES")) != NULL)
		run->set_ranges = atol(e) > 0 ? atol(e) : 1;
	run->max_retries = MAX_RETRIES;
	run->jobs = (int)o->jobs;
}

/*
 * The endpoint_bit()s of --reset's endpoints ("all": every one of
 * eps): each must be one of eps, the run's endpoints (n), else a usage
 * error.
 */
static uint64_t
reset_bits(const struct opts *o, const struct endpoint **eps, int n)
{
	const struct endpoint *ep;
	uint64_t bits = 0;
	int i, j;

	for (i = 0; i < o->nreset; i++) {
		if (strcmp(o->reset[i], "all") == 0) {
			for (j = 0; j < n; j++)
				bits |= endpoint_bit(eps[j]);
			continue;
		}
		if ((ep = endpoint_find(o->reset[i])) == NULL || ep->hidden)
			errx(FD_EXIT_USAGE, "--reset %s: unknown endpoint%s",
			    showname(o->reset[i]), nearest(o->reset[i]));
		for (j = 0; j < n && eps[j] != ep; j++)
			;
		if (j == n)
			errx(FD_EXIT_USAGE, "--reset %s: not an endpoint of "
			    "this run", o->reset[i]);
		bits |= endpoint_bit(ep);
	}
	return bits;
}

/*
 * Warns (not with -q) of the bookmarks that --since does not move: the
 * run's incremental endpoints with a bookmark win over it, in one line;
 * and of each bookmark in the future (the state of a run that took such
 * a --since: it skips every change until then).
 */
static void
bookmark_warnings(struct run *run, const struct opts *o,
    const struct endpoint **eps, int n)
{
	struct fd_buf b = FD_BUF_INIT;
	char latest[CURSOR_TIMESZ], now[CURSOR_TIMESZ];
	int i;

	if (o->quiet)
		return;
	present(now);
	for (i = 0; i < n; i++) {
		if (eps[i]->kind == SYNC_FULL || eps[i]->kind ==
		    SYNC_FULL_CHILD || !sync_bookmarked(run, eps[i], latest))
			continue;
		if (strcmp(latest, now) > 0)
			warnx("%s: bookmark %s is in the future: changes "
			    "until then are skipped; --reset %s starts it at "
			    "--since", eps[i]->name, latest, eps[i]->name);
		/* archived_tickets starts at the beginning, not --since */
		if (eps[i]->kind != SYNC_ARCHIVE)
			fd_buf_printf(&b, "%s%s", b.len ? ", " : "",
			    eps[i]->name);
	}
	xbuf_check(&b);
	if (o->since != NULL && b.len > 0)
		warnx("--since %s: not used for %s: the bookmarks in %s win; "
		    "--reset ENDPOINT or --reset all starts them at --since",
		    o->since, b.data, o->statefile);
	fd_buf_free(&b);
}

/*
 * What run_all and plan_all do once the state is loaded: the endpoints
 * eps (n) that the run reads, returned in eps and counted (archived
 * tickets not with --until), run->asked; warnings of the bookmarks.
 */
static int
prepare(struct run *run, const struct opts *o, const struct endpoint **eps,
    int n)
{
	int i, k;

	for (i = k = 0; i < n; i++) {
		/* ids of tickets updated after --until would look missing */
		if (eps[i]->kind == SYNC_ARCHIVE && run->until != NULL) {
			if (!o->quiet)
				warnx("%s: not read with --until: its probe "
				    "needs the whole tickets passes",
				    eps[i]->name);
			continue;
		}
		run->asked |= endpoint_bit(eps[i]);
		eps[k++] = eps[i];
	}
	if (run->reconcile && !(run->asked & (endpoint_bit(endpoint_find(
	    "tickets")) | endpoint_bit(endpoint_find("contacts")))))
		errx(FD_EXIT_USAGE, "--reconcile: it reconciles tickets and "
		    "contacts, and neither is fetched");
	bookmark_warnings(run, o, eps, k);
	return k;
}

/*
 * -n: the passes a run would make, on stdout (sync_plan), with no
 * request and no key; a domain, if any, is checked.
 */
static void
plan_all(const struct opts *o, int argc, char *argv[])
{
	const struct endpoint **eps;
	struct run run;
	struct tally tally = { 0 };
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct job *jl;
	jv state;
	char tsince[CURSOR_TIMESZ], tuntil[CURSOR_TIMESZ];
	const char *d;
	int i, n, nj;

	memset(&run, 0, sizeof(run));
	run.lock = &lock;
	run.tally = &tally;
	run.state = &state;
	eps = select_endpoints(argc, argv, o->raw, o->catalog != NULL, &n);
	run.reset = reset_bits(o, eps, n);
	run_settings(&run, o, tsince, tuntil);
	if ((d = o->domain) != NULL || (d = getenv("FRESHDESK_DOMAIN")) != NULL)
		free(base_url(d));
	run.base = "";		/* paths under /api/v2 */
	state = state_load(o->statefile);
	n = prepare(&run, o, eps, n);
	jl = xcalloc((size_t)(n ? n : 1), sizeof(*jl));
	nj = make_jobs(&run, eps, n, jl);
	for (i = 0; i < nj; i++)
		sync_plan(&run, jl[i].eps, jl[i].n);
	out_flush();
	jv_free(state);
	free(jl);
	free(eps);
}

static void
run_all(const struct opts *o, int argc, char *argv[])
{
	const struct endpoint **eps;
	struct run run;
	struct tally tally = { 0 };
	struct meter meter = { 0 };
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	jv state;
	struct timeval tv;
	char errbuf[FD_ERRSZ], *key, *base, tsince[CURSOR_TIMESZ],
	    tuntil[CURSOR_TIMESZ];
	const char *d;
	int n, reference = -1;

	memset(&run, 0, sizeof(run));
	run.lock = &lock;
	run.tally = &tally;
	run.state = &state;
	run.reference = &reference;
	eps = select_endpoints(argc, argv, o->raw, o->catalog != NULL, &n);
	run.reset = reset_bits(o, eps, n);
	run_settings(&run, o, tsince, tuntil);
	if ((d = o->domain) == NULL && (d = getenv("FRESHDESK_DOMAIN")) == NULL)
		errx(FD_EXIT_CONFIG, "no domain: use --domain or set "
		    "FRESHDESK_DOMAIN");
	base = base_url(d);
	key = api_key(o);
	run.base = base;
	if ((run.http = fd_http_new(key, "fd-fetch/" FD_VERSION, HTTP_TIMEOUT_S,
	    errbuf)) == NULL)
		errx(FD_EXIT_FAIL, "%s", errbuf);
	/* kept for the workers' connections until they start */
	if ((run.rate = fd_rate_new(o->rate, (int)o->reserve)) == NULL)
		err(FD_EXIT_FAIL, NULL);
	if (o->plan != NULL && fd_rate_set_plan(run.rate, o->plan) == -1)
		errx(FD_EXIT_USAGE, "--plan %s: expected growth, pro, "
		    "enterprise, trial or free", o->plan);
	state = state_load(o->statefile);
	n = prepare(&run, o, eps, n);
	gettimeofday(&tv, NULL);
	run.version = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
	srandom((unsigned)(tv.tv_usec ^ getpid()));

	run.schemas = schemas_new();	/* before the workers share it */
	/* the progress line: on a terminal, not with -q or -v */
	run.meter = &meter;
	meter.started = now_ms();
	meter.asked = __builtin_popcountll(run.asked);
	if (!o->quiet && !o->verbose)
		meter.line = fd_progress_new(STDERR_FILENO);
	run_endpoints(&run, eps, n, key);
	explicit_bzero(key, strlen(key));
	free(key);
	out_flush();
	progress_end(&run);
	if (o->verbose)
		warnx("%ld requests, %ld records, %ld waits", tally.requests,
		    tally.records, tally.waits);
	fd_http_free(run.http);
	fd_rate_free(run.rate);
	jv_free(state);
	fd_buf_free(&run.line);
	schemas_free(run.seen);
	schemas_free(run.schemas);
	free(base);
	free(eps);
}

/* The Singer catalog entry of endpoint ep (--discover). */
static jv
catalog_entry(const struct endpoint *ep)
{
	struct fd_buf b = FD_BUF_INIT;
	char why[FD_ERRSZ];
	jv schema, keys, md, mds, props, k;
	int full = ep->kind == SYNC_FULL || ep->kind == SYNC_FULL_CHILD;

	schema_declared(ep, &b);
	xbuf_check(&b);
	if (fd_json_parse(b.data, b.len, &schema, why) == -1)
		errx(FD_EXIT_FAIL, "%s: schema: %s", ep->name, why);
	fd_buf_free(&b);
	keys = ep->object ? jv_array() : JV_ARRAY(jv_string("id"));
	md = JV_OBJECT(jv_string("inclusion"), jv_string("available"),
	    jv_string("selected"), jv_bool(ep->is_default),
	    jv_string("forced-replication-method"),
	    jv_string(full ? "FULL_TABLE" : "INCREMENTAL"),
	    jv_string("table-key-properties"), jv_copy(keys));
	if (!full && ep->cursor != NULL)
		md = jv_object_set(md, jv_string("valid-replication-keys"),
		    JV_ARRAY(jv_string(ep->cursor)));
	mds = JV_ARRAY(JV_OBJECT(jv_string("breadcrumb"), jv_array(),
	    jv_string("metadata"), md));
	/* each property: the key always there, the others available */
	props = jv_object_get(jv_copy(schema), jv_string("properties"));
	jv_object_foreach(props, name, v) {
		int key = !ep->object && strcmp(jv_string_value(name),
		    "id") == 0;
		k = JV_ARRAY(jv_string("properties"), jv_copy(name));
		mds = jv_array_append(mds, JV_OBJECT(jv_string("breadcrumb"),
		    k, jv_string("metadata"), JV_OBJECT(
		    jv_string("inclusion"),
		    jv_string(key ? "automatic" : "available"))));
		jv_free(name);
		jv_free(v);
	}
	jv_free(props);
	return JV_OBJECT(jv_string("tap_stream_id"), jv_string(ep->name),
	    jv_string("stream"), jv_string(endpoint_stream(ep)),
	    jv_string("schema"), schema, jv_string("key_properties"), keys,
	    jv_string("metadata"), mds);
}

/* --discover: the catalog of every endpoint on stdout, no request. */
static void
discover(void)
{
	const struct endpoint *ep;
	jv streams = jv_array(), text;
	int i;

	for (i = 0; (ep = endpoint_at(i)) != NULL; i++)
		if (!ep->hidden)
			streams = jv_array_append(streams, catalog_entry(ep));
	text = jv_dump_string(JV_OBJECT(jv_string("streams"), streams), 0);
	if (puts(jv_string_value(text)) == EOF)
		out_fail();
	jv_free(text);
	out_flush();
}

/* Whether catalog entry e is selected: its stream-level metadata
 * (breadcrumb []) says "selected", or the legacy schema's "selected". */
static int
entry_selected(jv e)
{
	jv md = jv_object_get(jv_copy(e), jv_string("metadata")), sel;
	int r = 0, found = 0;

	if (jv_get_kind(md) == JV_KIND_ARRAY)
		jv_array_foreach(md, i, m) {
			jv bc = jv_object_get(jv_copy(m),
			    jv_string("breadcrumb"));
			if (jv_get_kind(bc) == JV_KIND_ARRAY &&
			    jv_array_length(jv_copy(bc)) == 0) {
				sel = jv_object_get(jv_object_get(jv_copy(m),
				    jv_string("metadata")), jv_string("selected"));
				if (jv_get_kind(sel) != JV_KIND_INVALID &&
				    jv_get_kind(sel) != JV_KIND_NULL) {
					found = 1;
					r = jv_get_kind(sel) == JV_KIND_TRUE;
				}
				jv_free(sel);
			}
			jv_free(bc);
			jv_free(m);
		}
	jv_free(md);
	if (!found) {
		sel = jv_object_get(jv_object_get(jv_copy(e),
		    jv_string("schema")), jv_string("selected"));
		r = jv_get_kind(sel) == JV_KIND_TRUE;
		jv_free(sel);
	}
	return r;
}

/*
 * --catalog FILE: the names of the endpoints selected in a Singer
 * catalog, in *names (n of them, owned by the caller, the strings
 * too).  Dies with FD_EXIT_USAGE naming the file when it cannot be
 * read, is not a catalog or names an unknown stream.
 */
static char **
catalog_select(const char *path, int *n)
{
	const struct endpoint *ep;
	char errbuf[FD_ERRSZ], **v;
	jv cat, streams, id;
	int k = 0;

	if (fd_json_load(path, &cat, errbuf) == -1)
		errx(FD_EXIT_USAGE, "%s", errbuf);
	streams = jv_get_kind(cat) == JV_KIND_OBJECT ?
	    jv_object_get(jv_copy(cat), jv_string("streams")) : jv_invalid();
	if (jv_get_kind(streams) != JV_KIND_ARRAY)
		errx(FD_EXIT_USAGE, "%s: not a Singer catalog: expected "
		    "{\"streams\":[...]}", path);
	v = xcalloc((size_t)jv_array_length(jv_copy(streams)) + 1,
	    sizeof(*v));
	jv_array_foreach(streams, i, e) {
		if (jv_get_kind(e) != JV_KIND_OBJECT)
			errx(FD_EXIT_USAGE, "%s: stream %d: not an object",
			    path, i + 1);
		id = jv_object_get(jv_copy(e), jv_string("tap_stream_id"));
		if (jv_get_kind(id) != JV_KIND_STRING) {
			jv_free(id);
			id = jv_object_get(jv_copy(e), jv_string("stream"));
		}
		if (jv_get_kind(id) != JV_KIND_STRING)
			errx(FD_EXIT_USAGE, "%s: stream %d: no tap_stream_id",
			    path, i + 1);
		if ((ep = endpoint_find(jv_string_value(id))) == NULL ||
		    ep->hidden)
			errx(FD_EXIT_USAGE, "%s: unknown stream %s", path,
			    showname(jv_string_value(id)));
		if (entry_selected(e))
			v[k++] = xstrdup(ep->name);
		jv_free(id);
		jv_free(e);
	}
	jv_free(streams);
	jv_free(cat);
	*n = k;
	return v;
}

/*
 * --list: each endpoint an operand names, one a line: its name,
 * "incremental" or "full", "default" when fetched with no operand (else
 * "-"), and what it reads: its passes' bookmarks, the per-record paths
 * and the parent it is read through.
 */
static void
list_endpoints(void)
{
	struct fd_buf b = FD_BUF_INIT;
	const struct endpoint *ep;
	const char *sep;
	int i, j;

	for (i = 0; (ep = endpoint_at(i)) != NULL; i++) {
		if (ep->hidden)
			continue;
		printf("%-24s %-11s %-7s", ep->name, ep->kind == SYNC_FULL ||
		    ep->kind == SYNC_FULL_CHILD ? "full" : "incremental",
		    ep->is_default ? "default" : "-");
		if (ep->kind == SYNC_FULL_CHILD)
			printf(" parent=%s", ep->parent);
		else
			for (j = 0, sep = " passes="; j < PASSES_MAX &&
			    ep->passes[j].bookmark != NULL; j++, sep = ",")
				printf("%s%s", sep, ep->passes[j].bookmark);
		/* the parent's id is the path's one %lld */
		if (ep->child != NULL && strstr(ep->child, "%lld") != NULL) {
			fd_buf_reset(&b);
			endpoint_path_put(&b, ep->child);
			printf(" each=%s", xbuf(&b));
		}
		putchar('\n');
	}
	fd_buf_free(&b);
	out_flush();
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: fd-fetch [-hlnqvV] [--config file] [-j jobs] [-s state]\n"
	    "                [--domain domain] [--since time] [--until time]\n"
	    "                [--reset endpoint] [--per-page n] [--rate n]\n"
	    "                [--plan plan] [--reserve percent]\n"
	    "                [--max-wait seconds] [--include list] [--raw]\n"
	    "                [--reconcile] [--discover] [--catalog file]\n"
	    "                [endpoint ...]\n");
	if (fp == stdout)
		fputs("\n"
		    "  -h, --help           this help\n"
		    "  -l, --list           list the endpoints and exit\n"
		    "  -n, --dry-run        print the passes a run would make; "
		    "no request\n"
		    "  -q, --quiet          errors only on stderr\n"
		    "  -v, --verbose        a line per request on stderr\n"
		    "  -V, --version        print the version\n"
		    "  --config file        settings from a JSON file\n"
		    "  -j, --jobs jobs      requests at once, 1 to 16 "
		    "(default 1)\n"
		    "  -s, --state state    the bookmarks, as fd-load writes "
		    "them\n"
		    "  --domain domain      the helpdesk (or FRESHDESK_DOMAIN)\n"
		    "  --since time         start of a stream without bookmark "
		    "(UTC)\n"
		    "  --until time         leave out records updated after "
		    "time\n"
		    "  --reset endpoint     ignore its bookmarks: start at "
		    "--since (all: every one)\n"
		    "  --per-page n         records per request, 1 to 100\n"
		    "  --rate n             credits per minute at most\n"
		    "  --plan plan          growth, pro, enterprise, trial, "
		    "free\n"
		    "  --reserve percent    budget left to other apps "
		    "(default 10)\n"
		    "  --max-wait seconds   longest wait before exit 75 "
		    "(default 3600)\n"
		    "  --include list       extra ticket fields "
		    "(description,stats,...)\n"
		    "  --raw                bare records of one endpoint\n"
		    "  --reconcile          send the id sets of tickets and "
		    "contacts\n"
		    "  --discover           print the Singer catalog\n"
		    "  --catalog file       the endpoints a catalog selects\n"
		    "\n"
		    "With no endpoint: agents companies contacts groups roles "
		    "tickets.\n"
		    "fd-fetch --list shows every endpoint; man fd-fetch tells "
		    "the rest.\n", fp);
	exit(fp == stdout ? FD_EXIT_OK : FD_EXIT_USAGE);
}

int
main(int argc, char *argv[])
{
	struct opts o = { .jobs = 1, .per_page = 100, .reserve = 10,
	    .max_wait = 3600 };
	struct fd_config c;
	int ch, list = 0;

	fd_progress_messages();
	config_args(&argc, &argv, longopts, aliases, taken, &c);
	o.key = c.taken[0];
	o.keyfile = c.taken[1];

	while ((ch = getopt_long(argc, argv, "hj:lnqs:vV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout);
			break;
		case 'j':
			o.jobs = number("-j", optarg, 1, 16);
			break;
		case 'l':
			list = 1;
			break;
		case 'n':
			o.dry_run = 1;
			break;
		case 'q':
			o.quiet = 1;
			o.verbose = 0;
			break;
		case 's':
			o.statefile = optarg;
			break;
		case 'v':
			o.verbose = 1;
			o.quiet = 0;
			break;
		case 'V':
			printf("fd-fetch %s\n", FD_VERSION);
			return FD_EXIT_OK;
		case OPT_DOMAIN:
			o.domain = optarg;
			break;
		case OPT_SINCE:
			o.since = optarg;
			break;
		case OPT_UNTIL:
			o.until = optarg;
			break;
		case OPT_PER_PAGE:
			o.per_page = number("--per-page", optarg, 1, 100);
			break;
		case OPT_RATE:
			o.rate = number("--rate", optarg, 1, 100000);
			break;
		case OPT_PLAN:
			o.plan = optarg;
			break;
		case OPT_RESERVE:
			o.reserve = number("--reserve", optarg, 0, 90);
			break;
		case OPT_MAX_WAIT:
			o.max_wait = number("--max-wait", optarg, 0, 86400);
			break;
		case OPT_INCLUDE:
			if (strspn(optarg, "abcdefghijklmnopqrstuvwxyz_,") !=
			    strlen(optarg) || *optarg == ',' || *optarg == '\0'
			    || strstr(optarg, ",,") != NULL ||
			    optarg[strlen(optarg) - 1] == ',')
				errx(FD_EXIT_USAGE, "--include %s: expected "
				    "names separated by commas, such as "
				    "description,stats", optarg);
			o.include = optarg;
			break;
		case OPT_RECONCILE:
			o.reconcile = 1;
			break;
		case OPT_RAW:
			o.raw = 1;
			break;
		case OPT_DISCOVER:
			o.discover = 1;
			break;
		case OPT_CATALOG:
			o.catalog = optarg;
			break;
		case OPT_RESET:
			if (o.nreset == ENDPOINTS_NBITS)
				errx(FD_EXIT_USAGE, "--reset: more than %d",
				    ENDPOINTS_NBITS);
			o.reset[o.nreset++] = optarg;
			break;
		default:
			usage(stderr);
		}
	}
	argc -= optind;
	argv += optind;

	if (list) {
		if (argc > 0)
			errx(FD_EXIT_USAGE, "--list takes no endpoint");
		list_endpoints();
	} else if (o.discover) {
		if (argc > 0 || o.catalog != NULL)
			errx(FD_EXIT_USAGE, "--discover takes no endpoint "
			    "and no catalog");
		discover();
	} else if (o.catalog != NULL) {
		char **names;
		int i, n;

		if (argc > 0)
			errx(FD_EXIT_USAGE, "%s: endpoints come from the "
			    "catalog, not the operands", o.catalog);
		names = catalog_select(o.catalog, &n);
		(o.dry_run ? plan_all : run_all)(&o, n, names);
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	} else
		(o.dry_run ? plan_all : run_all)(&o, argc, argv);
	fd_config_free(&c);
	return FD_EXIT_OK;
}
