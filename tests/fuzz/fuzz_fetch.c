/*
 * fuzz_fetch: what fd-fetch does with a response body, in process:
 * client.c and sync.c are compiled into this harness so that their
 * static settle() (status, validation, the API's error message), split()
 * and collect() (the page's records, ids and cursor times) and emit()
 * (each RECORD line) can be driven without the network, as page_fetch
 * and the passes call them on a finished transfer.
 *
 * The first byte chooses the response: bits 0-2 its status (200 four
 * times, 400, 401, 403, 500), bit 3 --raw, bit 4 a 404 instead, bit
 * 5 a 404 is a missing parent's (missing_ok); the second byte the
 * endpoint (modulo their number).  The rest is the body: a page, an API error object,
 * an HTML error page, a truncated one.
 *
 * Asserted besides the sanitizers: a page taken is valid JSON, every
 * RECORD line written is a valid Singer RECORD of the endpoint's stream
 * (a bare JSON object with --raw), and a record of an incremental
 * endpoint written has an integer id and a cursor time.
 *
 * err/errx are fd-fetch's "die with a message" (HTTP 401, a page that
 * is not an array, ...): here they jump back to the harness, which ends
 * the input there.
 */
#include <assert.h>
#include <setjmp.h>
#include <stdint.h>

#include "../../fd-fetch/client.c"
#include "../../fd-fetch/sync.c"
#include "../../fd-fetch/schema.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

#include "die.h"

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static struct tally	 tally;
static jv		 state;
static struct run	 run;
static int		 nendpoints;
/* the input's response and page: static, as they change between
 * setjmp and a longjmp back */
static struct fd_http_resp *resp;
static struct page	 pg;

/* The line emit() just wrote (run.line) is a record of ep. */
static void
check_line(const struct endpoint *ep)
{
	char errbuf[FD_ERRSZ];
	struct fd_singer_msg m;
	size_t len = run.line.len;

	assert(len > 0 && run.line.data[len - 1] == '\n');
	len--;
	if (run.raw) {
		assert(fd_jscan_validate(run.line.data, len, errbuf) == 0);
		return;
	}
	if (fd_singer_scan(run.line.data, len, 0, &m, errbuf) != 0) {
		fprintf(stderr, "bad record line: %.*s\n: %s\n", (int)len,
		    run.line.data, errbuf);
		abort();
	}
	assert(m.type == FD_SINGER_RECORD);
	/* its stream: archived_tickets writes tickets' */
	assert(m.stream.len == strlen(endpoint_stream(ep)) + 2 &&
	    memcmp(m.stream.p + 1, endpoint_stream(ep), m.stream.len - 2) ==
	    0);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* what fd-fetch writes is checked line by line, not kept */
	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
	while (endpoint_at(nendpoints) != NULL)
		nendpoints++;
	run.base = "http://127.0.0.1:1/api/v2";
	run.lock = &lock;
	run.tally = &tally;
	state = jv_parse("{\"bookmarks\":{}}");
	run.state = &state;
	if ((run.rate = fd_rate_new(0, 0)) == NULL)
		abort();
	run.since = "2022-01-01T00:00:00Z";
	run.per_page = 100;
	run.quiet = 1;
	run.max_wait = 0;
	/* settle() retries a 5xx with a delay; it never gives up here */
	run.retry_base_ms = 1;
	run.max_retries = INT32_MAX;
	run.jobs = 1;
	run.version = 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long status[] = { 200, 200, 200, 200, 400, 401, 403,
	    500 };
	static struct pagerecs pr;
	const struct endpoint *ep;
	const char *cursor;
	char errbuf[FD_ERRSZ];
	size_t i;

	if (size < 2)
		return 0;
	ep = endpoint_at(data[1] % nendpoints);
	if ((resp = calloc(1, sizeof(*resp))) == NULL)
		abort();
	resp->status = data[0] & 16 ? 404 : status[data[0] & 7];
	resp->retry_after = resp->rl_total = resp->rl_remaining =
	    resp->rl_used = -1;
	/* the body as fd_http buffers it: its own copy */
	if (fd_buf_append(&resp->body, data + 2, size - 2) == -1)
		abort();
	run.raw = (data[0] & 8) != 0;
	/* each input a run of its own: its SCHEMAs start afresh */
	schemas_free(run.schemas);
	schemas_free(run.seen);
	run.schemas = run.seen = NULL;
	run.no_feature = 0;
	memset(&pg, 0, sizeof(pg));
	pg.url = "http://127.0.0.1:1/api/v2/x";
	pg.ep = ep;
	pg.missing_ok = (data[0] & 32) != 0;
	in_input = 1;
	if (setjmp(died) == 0) {
		/* as page_fetch on a finished transfer */
		settle(&run, ep, &pg, resp);
		resp = NULL;	/* pg's now, or freed (a retry is due) */
		if (pg.status == PAGE_OK && pg.resp != NULL) {
			assert(fd_jscan_validate(pg.resp->body.data,
			    pg.resp->body.len, errbuf) == 0);
			/* as the passes: the cursor of an incremental
			 * list; none for a full refresh or a child's list
			 * of one parent (fan_out) */
			cursor = is_full(ep) || ep->parent != NULL ? NULL :
			    ep->cursor;
			split(ep, pg.resp, &pr, cursor);
			schema(&run, ep);
			for (i = 0; i < pr.n; i++) {
				if (cursor != NULL)
					assert(pr.v[i].has_id &&
					    pr.v[i].ts[0] != '\0');
				emit(&run, ep, &pr.v[i], NULL);
				check_line(ep);
			}
			checkpoint(&run);
		}
	}
	in_input = 0;
	/* settle() dies of a fatal status before freeing the response */
	fd_http_resp_free(resp);
	resp = NULL;
	page_free(&pg);
	return 0;
}
