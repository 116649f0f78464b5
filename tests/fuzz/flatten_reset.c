/*
 * flatten_reset.c: fd-normalize/flatten.c as it is, plus one function
 * for the fuzz harness.  flatten_end frees the row and stack arrays but
 * leaves their pointers and counts set (the program calls it once, at
 * exit), so a second flatten_init in the same process would reuse freed
 * memory; the harness runs many inputs, each between flatten_init and
 * flatten_end, and calls this after each flatten_end.
 */
#include "../../fd-normalize/flatten.c"

void	fuzz_flatten_reset(void);

void
fuzz_flatten_reset(void)
{
	rows = NULL;
	nrows = 0;
	stack = NULL;
	nstack = capstack = 0;
	serial = 0;
	opts = NULL;
	out = NULL;
	streams = tables = NULL;
	hasher = NULL;
}
