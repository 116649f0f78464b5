/*
 * fuzz_load: fd-load's message handling and row splitting, in process:
 * fd-load.c is compiled into this harness (its main renamed) so that its
 * static line() can be driven on a struct loader of the harness's:
 * SCHEMA messages build tables (schema()), RECORDs are split into
 * columns and checked by row_split (row.c), STATE commits,
 * ACTIVATE_VERSION activates.  The destination is a stub that
 * renders every value of every row as the real ones do (value_text,
 * value_json, sql_ident), so that what row_split hands a destination is
 * exercised too.
 *
 * The first byte of the input chooses: bit 0 a coarse destination (as
 * the file ones), bits 1-2 --mode (none, merge, replace, append), bit 3
 * a batch of 2 rows, bit 4 commits in the background (as PostgreSQL),
 * bit 5 can hold a STATE (as the databases: dest_ops.hold).  The rest
 * is the input, one line at a time; a line that fails ends the input,
 * as the program dies on it.
 *
 * Asserted besides the sanitizers: the values of a row lie inside its
 * line, value_json gives valid JSON, a merge row has its keys.
 */
#include <assert.h>
#include <setjmp.h>
#include <stdint.h>

#define main	fd_load_main
#include "../../fd-load/fd-load.c"
#include "../../fd-load/sql.h"
#undef main

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#include "die.h"
static const char *line_p;
static size_t	line_len;

static void
s_table(struct dest *d, struct table *t)
{
	size_t i;

	assert(t->name != NULL && t->root != NULL);
	for (i = 0; i < t->ncols; i++) {
		assert(t->cols[i].name != NULL);
		assert((size_t)fd_map_get(t->colidx, t->cols[i].name,
		    strlen(t->cols[i].name)) == i + 1);
	}
	for (i = 0; i < t->nkeys; i++)
		assert(t->keyidx[i] == (size_t)-1 || t->keyidx[i] < t->ncols);
}

static int
s_row(struct dest *d, struct table *t, char *errbuf)
{
	static struct fd_buf b = FD_BUF_INIT;
	char why[FD_ERRSZ];
	const struct value *v;
	size_t i;

	if (TABLE_MERGES(t))
		assert(row_has_keys(t));
	for (i = 0; i < t->ncols; i++) {
		v = &t->vals[i];
		fd_buf_reset(&b);
		sql_ident(&b, "_s_", t->cols[i].name);
		(void)fd_coltype_noun(t->cols[i].type);
		if (v->kind == FD_JTOK_NULL && v->p == NULL)
			continue;
		assert(v->p >= line_p && v->p + v->len <= line_p + line_len);
		fd_buf_reset(&b);
		if (value_text(v, &b, why) == -1)
			abort();	/* checked by row_split already */
		fd_buf_reset(&b);
		if (value_json(v, &b, why) == -1)
			abort();
		assert(fd_jscan_validate(b.data, b.len, why) == 0);
	}
	return 0;
}

static void
s_void(struct dest *d, struct table *t)
{
}

/*
 * The stub commits in the foreground (commit gives back the state it
 * was given) or, as PostgreSQL does, in the background: commit gives
 * the state before (durable one batch later) and settle the latest.
 */
static struct dest_ops stub;
static char	*last, *prev, *kept;

/* Holds the state: the next commit of no state commits it. */
static const char *
s_hold(struct dest *d, const char *state)
{
	char why[FD_ERRSZ];

	assert(fd_jscan_validate(state, strlen(state), why) == 0);
	free(kept);
	kept = strdup(state);
	return NULL;
}

static void
s_commit(struct dest *d, const char *state, int final, const char **done)
{
	char why[FD_ERRSZ];

	if (state != NULL)
		assert(fd_jscan_validate(state, strlen(state), why) == 0);
	else
		state = kept;	/* the held one, or none */
	free(prev);
	prev = last;
	last = state != NULL ? strdup(state) : NULL;
	free(kept);
	kept = NULL;
	*done = stub.settle == NULL || final ? last : prev;
}

static const char *
s_settle(struct dest *d, int failing)
{
	return last;
}

static void
s_close(struct dest *d, long long n)
{
}

/* The stub's tables start with no columns: a new destination's. */
static void
s_columns(struct dest *d, const char *name, struct fd_map *into)
{
}

static struct dest_ops stub = {
	.scheme = "stub",
	.columns = s_columns,
	.table = s_table,
	.row = s_row,
	.activate = s_void,
	.unstage = s_void,
	.commit = s_commit,
	.close = s_close,
};

const struct dest_ops sqlite_ops, pg_ops, csv_ops, jsonl_ops;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *modes[] = { NULL, "merge", "replace", "append" };
	static struct loader l;
	char errbuf[FD_ERRSZ];
	const char *s, *nl, *end;
	char *copy;
	size_t len;
	int bits;

	if (size == 0)
		return 0;
	bits = data[0];
	stub.coarse = bits & 1;
	stub.settle = bits & 16 ? s_settle : NULL;
	stub.hold = bits & 32 ? s_hold : NULL;
	memset(&l, 0, sizeof(l));
	l.mode = modes[(bits >> 1) & 3];
	l.batch_rows = bits & 8 ? 2 : BATCH_ROWS;
	l.qflag = quiet = 1;
	l.ops = &stub;
	if ((l.tables = fd_map_new()) == NULL ||
	    (l.versions = fd_map_new()) == NULL ||
	    (l.activated = fd_map_new()) == NULL ||
	    (l.idsets = fd_map_new()) == NULL)
		abort();
	if ((copy = malloc(size)) == NULL)
		abort();
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	in_input = 1;
	if (setjmp(died) == 0) {
		s = copy;
		end = copy + size - 1;
		while (s < end) {
			nl = memchr(s, '\n', (size_t)(end - s));
			len = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);
			if (nl != NULL)
				*(char *)nl = '\0';
			if (len > 0 && s[len - 1] == '\r')
				((char *)s)[--len] = '\0';
			line_p = s;
			line_len = len;
			if (strspn(s, " \t\r") != len &&
			    line(&l, s, len, errbuf) == -1)
				break;
			if (nl == NULL)
				break;
			s = nl + 1;
		}
		/* as run() ends the input */
		commit(&l, l.held, 1);
	}
	in_input = 0;
	loader_free(&l);
	free(l.held);
	free(last);
	free(prev);
	last = prev = NULL;
	free(copy);
	return 0;
}
