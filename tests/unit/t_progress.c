/* Unit tests of lib/progress.c: the cut to the terminal's width. */
#include <stdlib.h>
#include <string.h>

#include "progress.h"
#include "t.h"

void
t_progress_fit(void)
{
	/* "·" is two bytes, one column */
	const char *s = "fd-fetch: tickets 12 \xc2\xb7 contacts 5";

	T_INT(fd_progress_fit("", 10), 0);
	T_INT(fd_progress_fit("abc", 0), 0);
	T_INT(fd_progress_fit("abc", 2), 2);
	T_INT(fd_progress_fit("abc", 3), 3);
	T_INT(fd_progress_fit("abc", 80), 3);
	T_INT(fd_progress_fit(s, 21), 21);
	/* the 22nd column is "·": its two bytes or none */
	T_INT(fd_progress_fit(s, 22), 23);
	T_INT(fd_progress_fit(s, 200), strlen(s));
	/* off a terminal there is no line */
	T(fd_progress_new(-1) == NULL);
	T(!fd_progress_due(NULL, 1));
	fd_progress_draw(NULL, "x");
	fd_progress_end(NULL, "x");
}
