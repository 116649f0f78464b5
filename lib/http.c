/*
 * http.c: GETs over libcurl's multi interface.  See http.h.
 *
 * Each request gets its own easy handle, freed when it finishes; the
 * multi handle keeps the connection cache, so connections are reused
 * across requests.  Responses are buffered whole: the caller validates
 * a page before any of it is written anywhere.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "http.h"

#define MAXBODY	(512L * 1024 * 1024)	/* a page is far smaller */

struct fd_http {
	CURLM		*multi;
	struct xfer	*xfers;		/* in flight */
	char		*apikey;
	char		*agent;
	long		 timeout;
	int		 pending;
};

/* A transfer in flight, on the list of its client. */
struct xfer {
	struct xfer		*next, *prev;
	CURL			*easy;
	struct fd_http_resp	*resp;
	char			 cerr[CURL_ERROR_SIZE];
	struct curl_slist	*hdrs;
};

struct fd_http *
fd_http_new(const char *apikey, const char *user_agent, long timeout,
    char *errbuf)
{
	struct fd_http *h;

	/* reference-counted by libcurl; undone in fd_http_free */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fd_diag_set(errbuf, "libcurl initialisation failed");
		return NULL;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->apikey = strdup(apikey)) == NULL ||
	    (h->agent = strdup(user_agent)) == NULL ||
	    (h->multi = curl_multi_init()) == NULL) {
		if (h == NULL)
			curl_global_cleanup();
		fd_http_free(h);
		fd_diag_set(errbuf, "out of memory");
		return NULL;
	}
	h->timeout = timeout;
	curl_multi_setopt(h->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	return h;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct fd_http_resp *r = arg;

	n *= size;
	if (r->body.len + n > MAXBODY)
		return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
	if (fd_buf_append(&r->body, p, n) == -1)
		return 0;
	return n;
}

/* The value of header line p (length n) if its name is name, else NULL;
 * the value is copied, trimmed, into v (size vsz). */
static const char *
header_value(const char *p, size_t n, const char *name, char *v, size_t vsz)
{
	size_t k = strlen(name), i, j;

	if (n <= k || strncasecmp(p, name, k) != 0 || p[k] != ':')
		return NULL;
	for (i = k + 1; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	for (j = n; j > i && isspace((unsigned char)p[j - 1]); j--)
		;
	if (j - i >= vsz)
		j = i + vsz - 1;
	memcpy(v, p + i, j - i);
	v[j - i] = '\0';
	return v;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct fd_http_resp *r = arg;
	char v[8192];

	n *= size;
	if (n >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue, say): start over */
		free(r->next);
		r->next = NULL;
		r->retry_after = r->rl_total = r->rl_remaining = -1;
		r->rl_used = -1;
		r->date = 0;
		return n;
	}
	if (header_value(p, n, "link", v, sizeof(v)) != NULL) {
		free(r->next);
		r->next = fd_http_link_next(v);
	} else if (header_value(p, n, "retry-after", v, sizeof(v)) != NULL)
		r->retry_after = fd_http_retry_after(v, time(NULL));
	else if (header_value(p, n, "x-ratelimit-total", v, sizeof(v)))
		r->rl_total = fd_http_long(v);
	else if (header_value(p, n, "x-ratelimit-remaining", v, sizeof(v)))
		r->rl_remaining = fd_http_long(v);
	else if (header_value(p, n, "x-ratelimit-used-currentrequest", v,
	    sizeof(v)))
		r->rl_used = fd_http_long(v);
	else if (header_value(p, n, "date", v, sizeof(v)) != NULL) {
		time_t t = curl_getdate(v, NULL);
		r->date = t == -1 ? 0 : t;
	}
	return n;
}

int
fd_http_get(struct fd_http *h, const char *url, void *tag, char *errbuf)
{
	struct xfer *x;
	CURL *e;

	if ((x = calloc(1, sizeof(*x))) == NULL ||
	    (x->resp = calloc(1, sizeof(*x->resp))) == NULL) {
		free(x);
		return fd_diag_set(errbuf, "out of memory");
	}
	x->resp->tag = tag;
	x->resp->retry_after = x->resp->rl_total = -1;
	x->resp->rl_remaining = x->resp->rl_used = -1;
	x->hdrs = curl_slist_append(NULL, "Accept: application/json");
	if ((e = curl_easy_init()) == NULL || x->hdrs == NULL) {
		curl_slist_free_all(x->hdrs);
		free(x->resp);
		free(x);
		return fd_diag_set(errbuf, "out of memory");
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
	curl_easy_setopt(e, CURLOPT_USERNAME, h->apikey);
	curl_easy_setopt(e, CURLOPT_PASSWORD, "X");
	curl_easy_setopt(e, CURLOPT_USERAGENT, h->agent);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, h->timeout);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->cerr);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x->resp);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x->resp);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	if (curl_multi_add_handle(h->multi, e) != CURLM_OK) {
		curl_easy_cleanup(e);
		curl_slist_free_all(x->hdrs);
		free(x->resp);
		free(x);
		return fd_diag_set(errbuf, "cannot start a transfer");
	}
	x->easy = e;
	x->next = h->xfers;
	if (h->xfers != NULL)
		h->xfers->prev = x;
	h->xfers = x;
	h->pending++;
	return 0;
}

/* Takes a finished transfer off the multi handle and returns its
 * response. */
static struct fd_http_resp *
finish(struct fd_http *h, CURL *e, CURLcode rc)
{
	struct fd_http_resp *r;
	struct xfer *x;
	double t = 0;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
	r = x->resp;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &t);
	r->seconds = t;
	if (rc != CURLE_OK) {
		r->transport = 1;
		r->unresolved = rc == CURLE_COULDNT_RESOLVE_HOST;
		fd_diag_set(r->error, "%s", x->cerr[0] ? x->cerr :
		    curl_easy_strerror(rc));
	}
	curl_multi_remove_handle(h->multi, e);
	curl_easy_cleanup(e);
	curl_slist_free_all(x->hdrs);
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		h->xfers = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
	free(x);
	h->pending--;
	return r;
}

int
fd_http_wait(struct fd_http *h, int timeout_ms, struct fd_http_resp **resp,
    char *errbuf)
{
	CURLMsg *m;
	CURLMcode mc;
	int running, left, waited = 0;

	for (;;) {
		mc = curl_multi_perform(h->multi, &running);
		if (mc != CURLM_OK)
			return fd_diag_set(errbuf, "%s",
			    curl_multi_strerror(mc));
		while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
			if (m->msg == CURLMSG_DONE) {
				*resp = finish(h, m->easy_handle,
				    m->data.result);
				return 1;
			}
		}
		if (waited || h->pending == 0)
			return 0;
		mc = curl_multi_poll(h->multi, NULL, 0, timeout_ms, NULL);
		if (mc != CURLM_OK)
			return fd_diag_set(errbuf, "%s",
			    curl_multi_strerror(mc));
		waited = 1;
	}
}

void
fd_http_free(struct fd_http *h)
{
	if (h == NULL)
		return;
	while (h->xfers != NULL)
		fd_http_resp_free(finish(h, h->xfers->easy, CURLE_OK));
	if (h->multi != NULL)
		curl_multi_cleanup(h->multi);
	if (h->apikey != NULL) {
		explicit_bzero(h->apikey, strlen(h->apikey));
		free(h->apikey);
	}
	free(h->agent);
	free(h);
	curl_global_cleanup();
}

void
fd_http_resp_free(struct fd_http_resp *r)
{
	if (r == NULL)
		return;
	fd_buf_free(&r->body);
	free(r->next);
	free(r);
}

int
fd_http_resolves(const char *host)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return 0;
	freeaddrinfo(res);
	return 1;
}

char *
fd_http_link_next(const char *v)
{
	const char *url, *end, *p, *q;
	size_t n;

	for (p = v; *p != '\0';) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p != '<')
			return NULL;
		url = p + 1;
		if ((end = strchr(url, '>')) == NULL)
			return NULL;
		/* parameters up to the next ',' outside quotes */
		for (p = end + 1; *p != '\0' && *p != ','; p++) {
			if (*p == '"') {
				for (p++; *p != '\0' && *p != '"'; p++)
					;
				if (*p == '\0')
					return NULL;
				continue;
			}
			if (*p != ';')
				continue;
			for (q = p + 1; *q == ' ' || *q == '\t'; q++)
				;
			if (strncasecmp(q, "rel", 3) != 0)
				continue;
			for (q += 3; *q == ' ' || *q == '\t'; q++)
				;
			if (*q != '=')
				continue;
			for (q++; *q == ' ' || *q == '\t'; q++)
				;
			/* rel="next", rel=next, rel="prev next" */
			for (;;) {
				const char *w;
				while (*q == '"' || *q == ' ')
					q++;
				w = q;
				while (*q != '\0' && *q != '"' && *q != ' ' &&
				    *q != ';' && *q != ',')
					q++;
				if (q - w == 4 && strncasecmp(w, "next", 4) == 0) {
					n = (size_t)(end - url);
					return strndup(url, n);
				}
				if (*q != ' ' || q[1] == '\0')
					break;
			}
		}
	}
	return NULL;
}

long
fd_http_long(const char *v)
{
	long n = 0;

	if (*v < '0' || *v > '9')
		return -1;
	for (; *v >= '0' && *v <= '9'; v++) {
		if (n > (1L << 40))
			return -1;
		n = n * 10 + (*v - '0');
	}
	return *v == '\0' ? n : -1;
}

long
fd_http_retry_after(const char *v, time_t now)
{
	time_t t;
	long n;

	if ((n = fd_http_long(v)) >= 0)
		return n > 86400 ? 86400 : n;
	if ((t = curl_getdate(v, NULL)) == -1)
		return -1;
	if (t <= now)
		return 0;
	return t - now > 86400 ? 86400 : (long)(t - now);
}
