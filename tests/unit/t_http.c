/* Unit tests of lib/http.c's header parsing. */
#include <stdlib.h>

#include "http.h"
#include "t.h"

static int
next_is(const char *value, const char *want)
{
	char *got = fd_http_link_next(value);
	int ok;

	ok = want == NULL ? got == NULL :
	    got != NULL && strcmp(got, want) == 0;
	if (!ok)
		fprintf(stderr, "# link \"%s\": got \"%s\"\n", value,
		    got ? got : "(null)");
	free(got);
	return ok;
}

void
t_http_link(void)
{
	T(next_is("<https://acme.freshdesk.com/api/v2/tickets?updated_since="
	    "2024-01-01T00:00:00Z&per_page=100&page=3>; rel=\"next\"",
	    "https://acme.freshdesk.com/api/v2/tickets?updated_since="
	    "2024-01-01T00:00:00Z&per_page=100&page=3"));
	T(next_is("<http://h/a?page=1>; rel=\"prev\", <http://h/a?page=3>; "
	    "rel=\"next\"", "http://h/a?page=3"));
	T(next_is("<http://h/x>;rel=next", "http://h/x"));
	T(next_is("<http://h/x>; REL = \"prev next\"", "http://h/x"));
	T(next_is("<http://h/x>; title=\"a, rel=next\"; rel=\"last\"", NULL));
	T(next_is("<http://h/x>; rel=\"prev\"", NULL));
	T(next_is("", NULL));
	T(next_is("garbage", NULL));
	T(next_is("<http://h/x; rel=\"next\"", NULL));
	T(next_is("<http://h/x>; title=\"unterminated", NULL));
	T(next_is("<http://h/x>; rel=\"nextpage\"", NULL));
}

void
t_http_numbers(void)
{
	time_t now = 1700000000;

	T_INT(fd_http_long("400"), 400);
	T_INT(fd_http_long("0"), 0);
	T_INT(fd_http_long("-1"), -1);
	T_INT(fd_http_long("12a"), -1);
	T_INT(fd_http_long(""), -1);
	T_INT(fd_http_long("99999999999999999999999"), -1);
	T_INT(fd_http_retry_after("30", now), 30);
	T_INT(fd_http_retry_after("0", now), 0);
	T_INT(fd_http_retry_after("999999", now), 86400);
	T_INT(fd_http_retry_after("soon", now), -1);
	T_INT(fd_http_retry_after("-5", now), -1);
	/* an HTTP-date 90 s ahead of now, and one in the past */
	T_INT(fd_http_retry_after("Tue, 14 Nov 2023 22:14:50 GMT", now), 90);
	T_INT(fd_http_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now), 0);
}
