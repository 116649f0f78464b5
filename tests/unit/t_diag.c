/* Unit tests of lib/diag.c and lib/utf8.c. */
#include <errno.h>

#include "diag.h"
#include "t.h"
#include "utf8.h"

void
t_diag_set_truncates(void)
{
	char e[FD_ERRSZ];
	char big[2 * FD_ERRSZ];

	T_INT(fd_diag_set(e, "%s: %d", "tickets", 401), -1);
	T_STR(e, "tickets: 401");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	fd_diag_set(e, "%s", big);
	T_INT(strlen(e), FD_ERRSZ - 1);
	T_INT(fd_diag_errno(e, ENOENT, "%s", "state.json"), -1);
	T_STR(e, "state.json: No such file or directory");
	T_INT(fd_diag_set(NULL, "ignored"), -1);
	fd_diag_set(e, "a string in a %s column", "bigint");
	T_INT(fd_diag_prefix(e, "column %s", "id"), -1);
	T_STR(e, "column id: a string in a bigint column");
	fd_diag_set(e, "%s", big);
	fd_diag_prefix(e, "table %s", "tickets");
	T_INT(strlen(e), FD_ERRSZ - 1);
	T(strncmp(e, "table tickets: xxx", 18) == 0);
	T_INT(fd_diag_prefix(NULL, "ignored"), -1);
}

void
t_diag_strtonum(void)
{
	char e[FD_ERRSZ];
	long long v = 0;

	T(fd_diag_strtonum("42", 1, 100, &v, e) == 0);
	T_INT(v, 42);
	T(fd_diag_strtonum("-5", -10, 10, &v, e) == 0);
	T_INT(v, -5);
	T(fd_diag_strtonum("101", 1, 100, &v, e) == -1);
	T_STR(e, "too large");
	T(fd_diag_strtonum("0", 1, 100, &v, e) == -1);
	T_STR(e, "too small");
	T(fd_diag_strtonum("", 1, 100, &v, e) == -1);
	T_STR(e, "invalid number");
	T(fd_diag_strtonum("12x", 1, 100, &v, e) == -1);
	T_STR(e, "invalid number");
	T(fd_diag_strtonum(" 12", 1, 100, &v, e) == -1);
	T(fd_diag_strtonum("99999999999999999999", 0, 100, &v, e) == -1);
	T_STR(e, "too large");
	T(fd_diag_strtonum("-99999999999999999999", -1, 100, &v, e) == -1);
	T_STR(e, "too small");
	T_INT(v, -5);
}

void
t_utf8_check(void)
{
	static const struct {
		const char *s;
		size_t want;
	} v[] = {
		{ "plain ascii text, longer than eight", 35 },
		{ "caf\xc3\xa9", 5 },
		{ "\xf0\x9f\x98\x80 emoji", 10 },
		{ "\xe2\x82\xac", 3 },
		{ "ab\xff", 2 },			/* never valid */
		{ "ab\xc0\xaf", 2 },			/* overlong '/' */
		{ "\xe0\x80\xaf", 0 },			/* overlong */
		{ "x\xed\xa0\x80", 1 },			/* surrogate */
		{ "\xf4\x90\x80\x80", 0 },		/* > U+10FFFF */
		{ "abcdefghij\xc3", 10 },		/* cut sequence */
		{ "\xc3(", 0 },				/* bad continuation */
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (fd_utf8_check(v[i].s, strlen(v[i].s)) != v[i].want)
			T_FAIL("case %zu: got %zu, want %zu", i,
			    fd_utf8_check(v[i].s, strlen(v[i].s)), v[i].want);
}

void
t_diag_name(void)
{
	char b[FD_DIAG_NAMESZ], s[16];

	T_STR(fd_diag_name(b, sizeof(b), "tickets", 7), "tickets");
	T_STR(fd_diag_name(b, sizeof(b), "caf\xc3\xa9 x", 7), "caf\xc3\xa9 x");
	T_STR(fd_diag_name(b, sizeof(b), "", 0), "\"\"");
	T_STR(fd_diag_name(b, sizeof(b), "a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	T_STR(fd_diag_name(b, sizeof(b), "a\nb\tc\x01", 6),
	    "\"a\\nb\\tc\\x01\"");
	T_STR(fd_diag_name(b, sizeof(b), "a\0b\xff", 4), "\"a\\x00b\\xFF\"");
	/* cut to fit, on one line */
	T_STR(fd_diag_name(s, sizeof(s), "abcdefghijklmnopqrstuvwxyz", 26),
	    "abcdefghijkl...");
	T_STR(fd_diag_name(s, sizeof(s), "\n\n\n\n\n\n\n\n", 8),
	    "\"\\n\\n\\n\\n\\n...\"");
	T(strlen(fd_diag_name(s, sizeof(s), "\xe6\x97\xa5\xe6\x97\xa5"
	    "\xe6\x97\xa5\xe6\x97\xa5\xe6\x97\xa5", 15)) < sizeof(s));
}
