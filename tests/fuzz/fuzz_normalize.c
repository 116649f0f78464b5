/*
 * fuzz_normalize: fd-normalize's message handling and record flattener,
 * in process: fd-normalize.c is compiled into this harness (its main
 * renamed) so that its static line() can be driven, with flatten.c
 * behind it as in the program.
 *
 * The first byte of the input chooses the options: bit 0 --dlt, bit 1
 * --naming direct, bit 2 --stream tickets (plain records), bit 3
 * --key id with it, bits 4-5 --max-nesting 1000, 0, 1 or 3, bit 6
 * --max-length 10.  The rest is the input, one line at a time, as
 * input() reads it: a line that fails ends the input, as the program
 * dies on it.
 *
 * Asserted besides the sanitizers: every line fd-normalize writes is a
 * valid Singer message (SCHEMA, RECORD, STATE, ACTIVATE_VERSION) or a
 * passed-through message of another type.
 *
 * err/errx are the program's "die with a message" (a stream name that
 * gives no table name, ...): here they jump back to the harness, which
 * ends the input there.
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

/* The program's run; each input gets a flattener of its own (static:
 * it is used across the longjmp of a death). */
static struct run	run = { .out = FD_BUF_INIT };

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
	/* what fd-normalize writes is checked, not kept */
	if (freopen("/dev/null", "w", stdout) == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int nest[] = { 1000, 0, 1, 3 };
	struct norm_opts o;
	char errbuf[FD_ERRSZ], why[FD_ERRSZ];
	const char *s, *nl, *end;
	size_t len, mark;
	char *copy;
	int bits;

	if (size == 0)
		return 0;
	bits = data[0];
	memset(&o, 0, sizeof(o));
	o.dlt = bits & 1;
	if (fd_naming_conv_parse(bits & 2 ? "direct" : "snake_case", &o.conv,
	    why) == -1)
		abort();
	o.max_nesting = nest[(bits >> 4) & 3];
	o.max_length = bits & 64 ? 10 : 0;
	/* a copy, so that ASan sees reads past the end of the input */
	if ((copy = malloc(size - 1 + 1)) == NULL)
		abort();
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	fd_buf_reset(&run.out);
	run.fl = flatten_init(&o, &run.out);
	if ((run.schemas = fd_map_new()) == NULL)
		abort();
	run.plain = NULL;
	in_input = 1;
	if (setjmp(died) == 0) {
		if (bits & 4) {
			run.plain = stream_get(run.fl, "tickets", 7);
			if (bits & 8)
				stream_schema(run.fl, run.plain,
				    (char *[]){ "id" }, (size_t[]){ 2 }, 1,
				    NULL);
		}
		s = copy;
		end = copy + size - 1;
		while (s < end) {
			nl = memchr(s, '\n', (size_t)(end - s));
			len = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
			/* as fd_lines_next: NUL-terminated, one '\r' off */
			if (nl != NULL)
				*(char *)nl = '\0';
			if (len > 0 && s[len - 1] == '\r')
				((char *)s)[--len] = '\0';
			if (len > 0 && strspn(s, " \t\r") != len) {
				mark = run.out.len;
				if (line(&run, s, len, errbuf) == -1) {
					run.out.len = mark;
					break;
				}
				check_out();
				fd_buf_reset(&run.out);
			}
			if (nl == NULL)
				break;
			s = nl + 1;
		}
	}
	in_input = 0;
	flatten_end(run.fl);
	run.fl = NULL;
	fd_map_free(run.schemas);
	run.schemas = NULL;
	free(copy);
	return 0;
}
