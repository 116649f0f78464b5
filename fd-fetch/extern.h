/*
 * extern.h: the modules of fd-fetch.
 *
 *   fd-fetch.c   options, credentials, the run over the endpoints
 *   endpoints.c  what each Freshdesk list endpoint takes and how it syncs
 *   client.c     one page: pacing, retries, validation, API errors
 *   sync.c       the passes: incremental windows, full refresh, output
 *   schema.c     the SCHEMA of each stream: declared, widened, catalog
 *
 * Guarded: tests/fuzz/fuzz_fetch.c compiles client.c, sync.c and
 * schema.c in one file.
 */
#ifndef FD_FETCH_EXTERN_H
#define FD_FETCH_EXTERN_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include <jv.h>

#include "buf.h"
#include "http.h"
#include "progress.h"
#include "rate.h"
#include "tool.h"

/* How an endpoint is synced. */
enum sync_kind {
	SYNC_ORDERED,	/* server filter + order_by=updated_at asc: windows */
	SYNC_FILTERED,	/* server filter, no order: pass, cursor at the end */
	SYNC_FULL,	/* no filter: whole, replace, ACTIVATE_VERSION */
	SYNC_CHILD,	/* per record of a parent's ordered pass */
	SYNC_FULL_CHILD,	/* per record of a full parent: whole, replace */
	SYNC_ARCHIVE	/* the ids a tickets pass does not show, probed */
};
#define SYNC_NKINDS	6

/* A cursor time as utc() writes it ("2024-01-02T03:04:05Z"), with room. */
#define CURSOR_TIMESZ	32
/* The passes of one endpoint at most (tickets: all, spam, deleted). */
#define PASSES_MAX	3
/* The endpoints of one job at most: one and those riding on its pass
 * (tickets, conversations, time entries); so also the consumers of a
 * page. */
#define JOB_EPS_MAX	4
/* The longest order member of an endpoint ("name"), with its NUL. */
#define ORDER_MEMBERSZ	32

/* One pass over an endpoint (tickets has three: all, spam, deleted). */
struct pass {
	const char	*bookmark;	/* key in state.bookmarks */
	const char	*extra;		/* extra query, or NULL */
	/* contacts: the fd_state its records get ("blocked": "deleted"
	 * for those with "deleted":true, FRESHDESK.md Part 3.4), or NULL */
	const char	*state;
};

struct endpoint {
	const char		*name;		/* operand (and stream) */
	const char		*stream;	/* its records' stream, if not name */
	const char		*path;		/* under /api/v2 */
	enum sync_kind		 kind;
	const char		*filter;	/* incremental parameter */
	const char		*cursor;	/* record field of the cursor */
	/* the member the list is ordered by ("name", "contact.name"), NULL
	 * for id: what overlapping windows compare (sync.c walk) */
	const char		*order;
	enum fd_rate_pool	 pool;
	int			 object;	/* answers one object */
	int			 is_default;	/* one of dlt's six */
	struct pass		 passes[PASSES_MAX];
	const char		*parent;	/* *_CHILD: the parent endpoint */
	const char		*child;		/* *_CHILD, SYNC_ARCHIVE: path,
						 * %lld = its id */
	int			 hidden;	/* not an operand, not in all */
	/* its stream's members as the API writes them (endpoints.c), or
	 * NULL: another endpoint's stream, or none known */
	const char		*fields;
};

/* endpoints.c */
const struct endpoint	*endpoint_find(const char *name);
const struct endpoint	*endpoint_at(int i);	/* NULL past the end */
/* A bit of its own for each endpoint, for sets of them. */
uint64_t		 endpoint_bit(const struct endpoint *);
/* Whether ep is read per changed ticket (conversations, time entries,
 * archived tickets). */
int			 endpoint_per_ticket(const struct endpoint *);
/* The stream of ep's records. */
const char		*endpoint_stream(const struct endpoint *);
/* Appends a child path (its "%lld" the parent's id) with "{id}" in
 * place of the id, as --list and -n show it. */
void			 endpoint_path_put(struct fd_buf *, const char *child);

/* Endpoints at most: endpoint_bit() gives each a bit of a uint64_t. */
#define ENDPOINTS_NBITS	64
/* An endpoint's number, 0 to ENDPOINTS_NBITS - 1. */
#define endpoint_index(ep)	__builtin_ctzll(endpoint_bit(ep))

/* Counters of the whole run, shared by the workers (atomic adds). */
struct tally {
	long		 requests, records, waits;
	long		 by_ep[ENDPOINTS_NBITS];	/* records, by
							 * endpoint_index */
};

/* The reason of a wait, as the progress line and -v show it. */
#define WHY_SZ		80

/*
 * What the progress line shows of the run (client.c), shared by the
 * workers under the run's lock.  line is NULL when there is no line
 * (not a terminal, -q, -v): then nothing else is kept.
 */
struct meter {
	struct fd_progress *line;
	int64_t		 started;	/* ms */
	int		 asked;		/* endpoints asked for */
	/* the endpoint_index()es of the endpoints begun, in that order,
	 * nbegun of them; done[i] set once begun[i] has ended */
	unsigned char	 begun[ENDPOINTS_NBITS], done[ENDPOINTS_NBITS];
	int		 nbegun;
	/* the wait shown: until then (ms; 0 none), and why */
	int64_t		 wait_until;
	char		 wait_why[WHY_SZ];
	/* the archive probe shown (a worker's run->probe), or none */
	struct {
		long	 probed, found, left;
		int64_t	 started;	/* ms, 0: no probe */
	} probe;
};

/*
 * The run: settings and the things every module shares.  With -j and
 * several endpoints, each worker thread has its own copy, with its own
 * connections (http), copy of the SCHEMAs written and line buffer; the
 * rate budget, the SCHEMAs, the state and the tally are shared, behind
 * lock.
 */
struct run {
	const char	*base;		/* https://acme.freshdesk.com/api/v2 */
	struct fd_http	*http;		/* this worker's */
	struct fd_rate	*rate;		/* shared, under lock */
	jv		*state;		/* the whole state value, under lock */
	pthread_mutex_t	*lock;
	struct tally	*tally;
	/* each stream's SCHEMA: the one written, shared under lock, and
	 * this worker's copy of it (schema.c); created at first use */
	struct schemas	*schemas;
	struct schemas	*seen;
	uint64_t	 no_feature;	/* endpoint_bit()s the plan or the
					 * key's role lacks (403) */
	struct fd_buf	 line;		/* a message being written */
	const char	*since;		/* default start of a cursor */
	const char	*until;		/* or NULL */
	const char	*include;	/* tickets' include=, or NULL */
	int		 per_page;
	int		 raw;
	int		 verbose;
	int		 quiet;
	long		 max_wait;	/* seconds */
	long		 retry_base_ms;	/* first retry delay */
	int		 max_retries;
	/* whether the reference host resolves (1, 0; -1 not yet asked),
	 * asked once a run, when the account's host does not (client.c):
	 * shared by the workers, under lock; NULL asks each time */
	int		*reference;
	int		 jobs;		/* requests at once, this worker */
	/* with workers: their requests in flight, at most slots_max, and
	 * the signal of a slot freed (under lock); NULL when alone */
	int		*slots;
	int		 slots_max;
	pthread_cond_t	*slot_freed;
	int64_t		 version;	/* of full-refresh records */
	struct meter	*meter;		/* shared, under lock */
	uint64_t	 asked;		/* endpoint_bit()s of the operands */
	/* endpoint_bit()s whose bookmarks the run ignores (--reset): they
	 * start as if new, and keep theirs until their passes set new ones */
	uint64_t	 reset;
	int		 reconcile;	/* --reconcile: send the id sets */
	long		 set_ranges;	/* ranges in one part of a set */
	/* archived tickets being probed (progress line) */
	struct {
		long	 probed, found, left;
		int64_t	 started;	/* ms, 0: no probe */
	} probe;
};

/* client.c */
enum page_status {
	PAGE_OK,		/* resp holds a valid JSON body */
	PAGE_NO_FEATURE,	/* 403 require_feature or access_denied:
				 * warned, skip */
	PAGE_MISSING		/* 404 where missing_ok was set */
};
/* One request and, once done, its page. */
struct page {
	const char		*url;		/* absolute; not owned */
	const struct endpoint	*ep;		/* or NULL: page_fetch's */
	int			 missing_ok;	/* a 404 is PAGE_MISSING */
	enum page_status	 status;
	struct fd_http_resp	*resp;		/* owned, if PAGE_OK */
	/* private to client.c */
	int			 state, attempt;
	int64_t			 not_before;
	char			 why[WHY_SZ];	/* of not_before */
};
int64_t	now_ms(void);
void	sleep_ms(struct run *, int64_t ms, const char *why);
/*
 * Fetches the n requests of v (url and missing_ok set by the caller),
 * up to run->jobs at once under the rate budget, until each is done:
 * a 429 waits Retry-After, a transient failure is retried with backoff.
 * Dies on a fatal error (exit 1: a host that does not resolve while
 * the reference host does is one) or when giving up (exit 75); nothing
 * has been written for the batch then.
 */
void	page_fetch(struct run *, const struct endpoint *, struct page *v,
	    size_t n);
/* page_fetch of one url. */
enum page_status	page_get(struct run *, const struct endpoint *,
			    const char *url, struct page *);
void	page_free(struct page *);
/*
 * The progress line (fd-fetch.1, DESCRIPTION; fd.7, PROGRESS): each
 * call is a no-op without one (run->meter->line NULL), and takes the
 * run's lock.
 *
 * progress redraws it when a redraw is due (progress.h), or now with
 * force or a wait of a second or more about to start (waiting, ms);
 * it shows run->probe while one is under way.  progress_job marks the
 * n endpoints of a job begun, or with done ended.  progress_wait shows
 * a wait until the time until (now_ms()), for the reason why, unless
 * one that ends later is shown.  progress_end draws the line a last
 * time and leaves it as the run's summary.
 */
void	progress(struct run *, int64_t waiting, int force);
void	progress_job(struct run *, const struct endpoint *const *eps,
	    size_t n, int done);
void	progress_wait(struct run *, int64_t until, const char *why);
void	progress_end(struct run *);

/* sync.c */
/*
 * Syncs a job: eps[0], and with n > 1 the per-ticket endpoints eps[1..]
 * riding on its tickets pass (one read of the changed tickets feeds
 * them all).  The caller groups only endpoints whose bookmarks are the
 * same (job_fits).
 */
void	sync_job(struct run *, const struct endpoint *const *eps, size_t n);
/*
 * Whether a pass of ep has a bookmark that the run reads (not reset);
 * with latest, the latest cursor of them goes there ("" for none).
 */
int	sync_bookmarked(struct run *, const struct endpoint *ep,
	    char latest[CURSOR_TIMESZ]);
/*
 * -n: what sync_job would do for the same job, written on stdout, one
 * line per pass (and for the probe and a reconcile); no request.
 */
void	sync_plan(struct run *, const struct endpoint *const *eps, size_t n);
/* Whether per-ticket endpoint kid can ride on lead's pass now. */
int	job_fits(struct run *, const struct endpoint *lead,
	    const struct endpoint *kid);
/*
 * An ISO 8601 date-time (see fd_isotime_utc) as "YYYY-MM-DDTHH:MM:SSZ"
 * in UTC, the fraction dropped: compares as text in time order.  0, or
 * -1 if s is not one.
 */
int	utc(const char *s, char out[CURSOR_TIMESZ]);
/* Instant t (seconds since the epoch) as utc() writes times, in out. */
void	utc_at(time_t t, char out[CURSOR_TIMESZ]);
void	out_flush(void);
/* Dies of a failed write on stdout: exit 1, quietly if the reader has
 * closed the pipe (EPIPE; by default SIGPIPE ends the program first),
 * else with a message. */
void	out_fail(void);

/* schema.c */
/* The SCHEMAs of the streams (opaque): the shared ones and a worker's
 * copy.  Owned by whoever called schemas_new; frees accept NULL. */
struct schemas;
struct schemas	*schemas_new(void);
void		 schemas_free(struct schemas *);
/*
 * Makes sure that a SCHEMA of ep's stream admitting the record text rec
 * (len bytes, a valid JSON object) has been written to stdout, or with
 * rec NULL one declaring the stream's known members: the first SCHEMA
 * of the stream, or when rec brings a member or a type the last one
 * lacks, a wider one (every member and type of the last one, and
 * rec's).  A SCHEMA is written under run->lock and never narrows, for
 * all workers.  Cheap when rec fits the last SCHEMA this worker knows.
 */
void	schema_admit(struct run *, const struct endpoint *, const char *rec,
	    size_t len);
/* The JSON Schema of ep's stream as declared before any record
 * ({"type":"object","properties":{..}}), appended to out; -1 on
 * ENOMEM. */
int	schema_declared(const struct endpoint *, struct fd_buf *out);

#endif /* FD_FETCH_EXTERN_H */
