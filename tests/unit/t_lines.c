/* Unit tests of lib/lines.c. */
#include <stdlib.h>

#include "lines.h"
#include "t.h"

void
t_lines_basic(void)
{
	const char in[] = "one\ntwo\n\nfour\n";
	struct fd_lines *r;
	const char *l;
	size_t n;
	FILE *fp = t_file(in, sizeof(in) - 1);

	T((r = fd_lines_open(fp, "<stdin>")) != NULL);
	T_INT(fd_lines_lineno(r), 0);
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_STR(l, "one");
	T_INT(n, 3);
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_STR(l, "two");
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_STR(l, "");
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_STR(l, "four");
	T_INT(fd_lines_lineno(r), 4);
	T_INT(fd_lines_next(r, &l, &n), 0);
	T_INT(fd_lines_next(r, &l, &n), 0);
	fd_lines_close(r);
	fd_lines_close(NULL);
	fclose(fp);
}

/* Lines far longer than the reader's block, between short ones. */
void
t_lines_long(void)
{
	size_t big = 3 * 1000 * 1000, i, n;
	char *in = malloc(big + 32);
	struct fd_lines *r;
	const char *l;
	FILE *fp;

	memcpy(in, "a\n", 2);
	for (i = 2; i < big + 2; i++)
		in[i] = (char)('a' + i % 26);
	memcpy(in + big + 2, "\nz\n", 3);
	fp = t_file(in, big + 5);
	T((r = fd_lines_open(fp, "big.ndjson")) != NULL);
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_STR(l, "a");
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_INT(n, big);
	T(memcmp(l, in + 2, big) == 0 && l[n] == '\0');
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_STR(l, "z");
	T_INT(fd_lines_lineno(r), 3);
	T_INT(fd_lines_next(r, &l, &n), 0);
	fd_lines_close(r);
	fclose(fp);
	free(in);
}

void
t_lines_no_final_newline(void)
{
	const char in[] = "x\nlast";
	struct fd_lines *r;
	const char *l;
	size_t n;
	FILE *fp = t_file(in, sizeof(in) - 1);

	r = fd_lines_open(fp, "f");
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_STR(l, "last");
	T_INT(fd_lines_lineno(r), 2);
	T_INT(fd_lines_next(r, &l, &n), 0);
	fd_lines_close(r);
	fclose(fp);

	fp = t_file("", 0);
	r = fd_lines_open(fp, "empty");
	T_INT(fd_lines_next(r, &l, &n), 0);
	T_INT(fd_lines_lineno(r), 0);
	fd_lines_close(r);
	fclose(fp);
}

void
t_lines_crlf_and_empty(void)
{
	const char in[] = "a\r\n\r\nb\rc\n";
	struct fd_lines *r;
	const char *l;
	size_t n;
	FILE *fp = t_file(in, sizeof(in) - 1);

	r = fd_lines_open(fp, "f");
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_STR(l, "a");
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_INT(n, 0);
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_STR(l, "b\rc");	/* only a '\r' before '\n' goes */
	fd_lines_close(r);
	fclose(fp);
}

/* A NUL inside a line is data: the length tells, not strlen. */
void
t_lines_many_small_reads(void)
{
	struct fd_lines *r;
	const char *l;
	size_t n, i, total = 0;
	char *in;
	FILE *fp;
	int rc;

	/* 200000 lines of "NNNNN" across many blocks */
	in = malloc(200000 * 7 + 1);	/* snprintf writes a NUL */
	for (i = 0; i < 200000; i++)
		snprintf(in + i * 7, 8, "%06zu\n", i);
	fp = t_file(in, 200000 * 7);
	r = fd_lines_open(fp, "f");
	for (i = 0; (rc = fd_lines_next(r, &l, &n)) == 1; i++) {
		char want[8];
		snprintf(want, sizeof(want), "%06zu", i);
		if (n != 6 || strcmp(l, want) != 0)
			T_FAIL("line %zu: got \"%s\"", i + 1, l);
		total += n;
	}
	T_INT(rc, 0);
	T_INT(i, 200000);
	T_INT(fd_lines_lineno(r), 200000);
	fd_lines_close(r);
	fclose(fp);
	free(in);

	fp = t_file("a\0b\n", 4);
	r = fd_lines_open(fp, "f");
	T_INT(fd_lines_next(r, &l, &n), 1);
	T_INT(n, 3);
	fd_lines_close(r);
	fclose(fp);
}
