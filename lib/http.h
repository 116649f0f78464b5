/*
 * http.h: concurrent HTTP GETs with libcurl's multi interface, and the
 * parsing of the response headers fd-fetch acts on.
 *
 * One struct fd_http holds the connections (reused across requests)
 * and the credentials: HTTP Basic with the API key as user name.  The
 * key is handed to libcurl only; nothing here prints it.  Bodies are
 * buffered whole (gzip decoded); nothing is streamed to the caller.
 */
#ifndef FD_HTTP_H
#define FD_HTTP_H

#include <time.h>

#include "buf.h"
#include "diag.h"

struct fd_http;

/* One finished transfer.  Owned by the caller: fd_http_resp_free. */
struct fd_http_resp {
	void		*tag;		/* as given to fd_http_get */
	long		 status;	/* HTTP status; 0 if no response */
	int		 transport;	/* 1 if the transfer failed (reset,
					   timeout, short body, ...) */
	char		 error[FD_ERRSZ]; /* what failed, if transport */
	int		 unresolved;	/* 1 if the transfer failed because
					   its host's name did not resolve */
	struct fd_buf	 body;
	char		*next;		/* Link rel="next" URL, or NULL */
	long		 retry_after;	/* seconds, -1 if absent */
	long		 rl_total;	/* X-RateLimit-*, -1 if absent */
	long		 rl_remaining;
	long		 rl_used;
	time_t		 date;		/* Date header, 0 if absent */
	double		 seconds;	/* duration of the transfer */
};

/*
 * A new client.  apikey is copied (and wiped when freed); user_agent is
 * sent with every request.  timeout is the limit for one transfer in
 * seconds.  NULL with errbuf set on failure.
 */
struct fd_http	*fd_http_new(const char *apikey, const char *user_agent,
	    long timeout, char *errbuf);

/*
 * Starts a GET of url in the background; tag comes back with the
 * response.  0, or -1 with errbuf set.
 */
int	fd_http_get(struct fd_http *, const char *url, void *tag,
	    char *errbuf);

/*
 * Runs the transfers for at most timeout_ms and returns one finished
 * transfer in *resp (1), or 0 when none finished in that time, or -1
 * with errbuf set on a libcurl failure.
 */
int	fd_http_wait(struct fd_http *, int timeout_ms,
	    struct fd_http_resp **resp, char *errbuf);

/* Frees the client and any unfinished transfers.  NULL is a no-op. */
void	fd_http_free(struct fd_http *);

/* Frees a response.  NULL is a no-op. */
void	fd_http_resp_free(struct fd_http_resp *);

/*
 * Whether the name host resolves to an address (getaddrinfo(3), any
 * family): 1, or 0 for any failure, an unknown name or a resolver that
 * cannot answer alike.  May block for the resolver's timeout.
 */
int	fd_http_resolves(const char *host);

/*
 * Header parsing, exposed for tests and fuzzing.
 *
 * fd_http_link_next: from a Link header value, the URL of rel="next"
 * (malloc'd, caller frees), or NULL when there is none or on ENOMEM.
 * fd_http_retry_after: Retry-After as delay-seconds or an HTTP-date
 * (relative to now); -1 when absent or invalid; never negative
 * otherwise; capped at a day.
 * fd_http_long: a non-negative decimal header value; -1 if invalid.
 */
char	*fd_http_link_next(const char *value);
long	 fd_http_retry_after(const char *value, time_t now);
long	 fd_http_long(const char *value);

#endif /* FD_HTTP_H */
