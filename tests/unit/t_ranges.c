/* Unit tests of lib/ranges.c. */
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "ranges.h"
#include "t.h"

static int
check(const char *text, int64_t *count, int64_t *first, int64_t *last,
    char *err)
{
	return fd_ranges_check(text, strlen(text), count, first, last, err);
}

void
t_ranges(void)
{
	struct fd_ranges r;
	char err[FD_ERRSZ];
	const char *big = "1-480,482,490-500,9223372036854775806-"
	    "9223372036854775807";
	int64_t lo, hi, n, f, l;

	fd_ranges_init(&r, big, strlen(big));
	T_INT(fd_ranges_next(&r, &lo, &hi, err), 1);
	T(lo == 1 && hi == 480);
	T_INT(fd_ranges_next(&r, &lo, &hi, err), 1);
	T(lo == 482 && hi == 482);
	T_INT(fd_ranges_next(&r, &lo, &hi, err), 1);
	T(lo == 490 && hi == 500);
	T_INT(fd_ranges_next(&r, &lo, &hi, err), 1);
	T(lo == INT64_MAX - 1 && hi == INT64_MAX);
	T_INT(fd_ranges_next(&r, &lo, &hi, err), 0);
	T_INT(fd_ranges_next(&r, &lo, &hi, err), 0);
	T_INT(check(big, &n, &f, &l, err), 0);
	T(n == 480 + 1 + 11 + 2 && f == 1 && l == INT64_MAX);
	T_INT(check("", &n, &f, &l, err), 0);
	T(n == 0 && f == 0 && l == 0);
	T_INT(check("1-9223372036854775807", &n, NULL, NULL, err), 0);
	T(n == INT64_MAX);
	/* not ranges ascending and apart, not ids */
	T_INT(check("5,3", NULL, NULL, NULL, err), -1);
	T(strstr(err, "not ascending") != NULL);
	T_INT(check("3-5,6", NULL, NULL, NULL, err), -1);
	T_INT(check("3-5,5", NULL, NULL, NULL, err), -1);
	T_INT(check("5-3", NULL, NULL, NULL, err), -1);
	T(strstr(err, "bad range end") != NULL);
	T_INT(check("5-5", NULL, NULL, NULL, err), -1);
	T_INT(check("0", NULL, NULL, NULL, err), -1);
	T_INT(check("-1", NULL, NULL, NULL, err), -1);
	T_INT(check("1,", NULL, NULL, NULL, err), -1);
	T_INT(check(",1", NULL, NULL, NULL, err), -1);
	T_INT(check("1;2", NULL, NULL, NULL, err), -1);
	T(strstr(err, "',' expected at offset 1") != NULL);
	T_INT(check("1 ,2", NULL, NULL, NULL, err), -1);
	T_INT(check("x", NULL, NULL, NULL, err), -1);
	T_INT(check("9223372036854775808", NULL, NULL, NULL, err), -1);
	T(strstr(err, "not an id from 1 to 9223372036854775807") != NULL);
	T_INT(check("1-99999999999999999999", NULL, NULL, NULL, err), -1);
	/* spent after an error */
	fd_ranges_init(&r, "2,1,7", 5);
	T_INT(fd_ranges_next(&r, &lo, &hi, err), 1);
	T_INT(fd_ranges_next(&r, &lo, &hi, err), -1);
	T_INT(fd_ranges_next(&r, &lo, &hi, err), 0);
}
