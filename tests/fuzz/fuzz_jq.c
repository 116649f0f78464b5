/*
 * fuzz_jq: fd-normalize --jq, in process: fd-normalize.c is compiled
 * into this harness (its main renamed), its filter compiled by
 * jqfilter_open as the program does and each record run through line(),
 * jqfilter_record (libjq, the numbers kept as written) and the
 * flattener.
 *
 * The first byte chooses: below 128, one of the fixed filters below
 * (modulo their number) and the rest is records of stream tickets, one
 * a line (--stream tickets --key id); from 128, the first line of the
 * rest is the filter text and each further line a record, or the fixed
 * record below when there is none.
 *
 * What a filter does is the user's: a fuzzed filter is compiled always,
 * and run only when it is short and has none of the constructs whose
 * cost has no bound (recursion, ranges, repetition, string products) or
 * that abort inside libjq 1.6 itself (implode of an invalid code
 * point: jv_string_append_codepoint's assertion).
 *
 * Asserted besides the sanitizers: every line written is a Singer
 * message.  A filter that does not compile, gives a non-object or
 * fails ends the input with fd-normalize's message (err/errx jump back
 * to the harness, as the program dies there), never a crash.
 */
#include <assert.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>

#define main	fd_normalize_main
#include "../../fd-normalize/fd-normalize.c"
#undef main

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

#include "die.h"

static const char *fixed[] = {
	".",
	"del(.description)",
	"{id, subject, tags}",
	".custom_fields |= with_entries(.value |= tostring)",
	"select(.id % 2 == 0)",
	".tags[]? | {id: 1, tag: .}",
	".x = (.id / 3)",
	"if .priority then . else error(\"no priority\") end",
	". , .",
	"tostring",
	"empty",
	".a.b.c",
	"error(.)",
	".id |= . + 1",
	"to_entries | from_entries",
	"with_entries(.key |= ascii_downcase)",
	".n = (.id | tostring | tonumber)",
	"{id, big: 12345678901234567890, f: 1.0, e: 1E5}",
};
#define NFIXED	(sizeof(fixed) / sizeof(fixed[0]))
static struct jqfilter	*compiled[NFIXED];

/* The program's run; each input gets a flattener of its own (static:
 * it is used across the longjmp of a death). */
static struct run	run = { .out = FD_BUF_INIT };

static const char record_fixed[] = "{\"id\":9007199254740993,"
    "\"subject\":\"S\\u00e9\",\"tags\":[\"a\",\"b\"],\"priority\":1,"
    "\"custom_fields\":{\"cf_n\":1.50,\"cf_t\":null},\"x\":[[1,{}],[]],"
    "\"updated_at\":\"2024-05-01T10:00:00Z\"}";

static const char *unbounded[] = {
	"def", "recurse", "range", "repeat", "while", "until", "limit",
	"..", "*", "combinations", "input", "implode",
};

static int
runnable(const char *f, size_t len)
{
	size_t i;

	if (len > 64)
		return 0;
	for (i = 0; i < sizeof(unbounded) / sizeof(unbounded[0]); i++)
		if (strstr(f, unbounded[i]) != NULL)
			return 0;
	return 1;
}

/* Every line written is a Singer message (or an unknown one passed). */
static void
check_out(void)
{
	char errbuf[FD_ERRSZ];
	struct fd_singer_msg m;
	const char *p, *nl, *end;

	if (run.out.len == 0)
		return;
	p = run.out.data;
	end = run.out.data + run.out.len;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		assert(nl != NULL);
		if (fd_singer_scan(p, (size_t)(nl - p), 0, &m, errbuf) != 0) {
			fprintf(stderr, "bad output line: %.*s\n: %s\n",
			    (int)(nl - p), p, errbuf);
			abort();
		}
		assert(m.type != FD_SINGER_NONE || other_message(&m));
		p = nl + 1;
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t i;

	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
	for (i = 0; i < NFIXED; i++)	/* dies (aborts here) if one fails */
		compiled[i] = jqfilter_open(fixed[i]);
	return 0;
}

/* Runs the NUL-terminated lines of s..end through line(); stops at the
 * first that fails, as the program dies on it (-1). */
static int
lines(char *s, const char *end)
{
	char errbuf[FD_ERRSZ];
	char *nl;
	size_t len;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		len = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
		if (nl != NULL)
			*nl = '\0';
		if (len > 0 && strspn(s, " \t\r") != len) {
			if (line(&run, s, len, errbuf) == -1)
				return -1;
			check_out();
			fd_buf_reset(&run.out);
		}
		if (nl == NULL)
			return 0;
		s = nl + 1;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct norm_opts o;
	char why[FD_ERRSZ], rec[sizeof(record_fixed)];
	char *copy, *s, *end, *nl;
	volatile int own = 0;
	volatile int stopped = 1;	/* also when it died (longjmp) */
	volatile size_t fx = 0;

	if (size == 0)
		return 0;
	memset(&o, 0, sizeof(o));
	if (fd_naming_conv_parse("snake_case", &o.conv, why) == -1)
		abort();
	o.max_nesting = 1000;
	if ((copy = malloc(size)) == NULL)
		abort();
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	s = copy;
	end = copy + size - 1;
	fd_buf_reset(&run.out);
	run.fl = flatten_init(&o, &run.out);
	run.jq = NULL;
	in_input = 1;
	if (setjmp(died) == 0) {
		run.plain = stream_get(run.fl, "tickets", 7);
		stream_schema(run.fl, run.plain, (char *[]){ "id" },
		    (size_t[]){ 2 }, 1, NULL);
		if (data[0] < 128)
			run.jq = compiled[fx = data[0] % NFIXED];
		else {
			own = 1;
			if ((nl = memchr(s, '\n', (size_t)(end - s))) != NULL)
				*nl = '\0';
			run.jq = jqfilter_open(s);
			if (runnable(s, strlen(s))) {
				if (nl == NULL || nl + 1 >= end) {
					memcpy(rec, record_fixed, sizeof(rec));
					s = rec;
					end = rec + sizeof(rec) - 1;
				} else
					s = nl + 1;
			} else
				s = end;
		}
		stopped = lines(s, end) == -1;
	}
	in_input = 0;
	/* a run stopped early (fd-normalize dies then): libjq 1.6 leaks
	 * the frames of one restarted unfinished, so the state is made anew */
	if (stopped && !own) {
		jqfilter_close(compiled[fx]);
		compiled[fx] = jqfilter_open(fixed[fx]);
	}
	if (own)
		jqfilter_close(run.jq);
	run.jq = NULL;
	run.plain = NULL;
	flatten_end(run.fl);
	run.fl = NULL;
	free(copy);
	return 0;
}
