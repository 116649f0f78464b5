/*
 * die.h: included once by a harness that compiles a program's main
 * file: the program's err(3) and errx(3) end the input being run
 * (longjmp to died, set by the harness while in_input), not the
 * fuzzer; anywhere else they abort, which the fuzzer reports.
 */
#include <setjmp.h>
#include <stdlib.h>

static jmp_buf	died;
static int	in_input;

void
errx(int status, const char *fmt, ...)
{
	if (!in_input)
		abort();
	longjmp(died, 1);
}

void
err(int status, const char *fmt, ...)
{
	if (!in_input)
		abort();
	longjmp(died, 1);
}
