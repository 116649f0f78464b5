/* Unit tests of lib/idset.c. */
#include <errno.h>
#include <string.h>

#include "diag.h"
#include "idset.h"
#include "t.h"

static int
parse(struct fd_idset *s, const char *text, char *err)
{
	return fd_idset_parse(s, text, strlen(text), err);
}

void
t_idset(void)
{
	struct fd_idset s = FD_IDSET_INIT, r = FD_IDSET_INIT;
	struct fd_buf b = FD_BUF_INIT;
	char err[FD_ERRSZ];
	int64_t id;

	T_INT(fd_idset_max(&s), 0);
	T_INT(fd_idset_next(&s, 1), -1);
	T(fd_idset_put(&b, &s) == 0 && b.len == 0);
	T_INT(fd_idset_add(&s, 0), -1);
	T_INT(errno, ERANGE);
	T_INT(fd_idset_add(&s, FD_IDSET_LIMIT + 1), -1);
	T_INT(s.n, 0);
	T_INT(fd_idset_add(&s, 3), 0);
	T_INT(fd_idset_add_range(&s, 5, 9), 0);
	T_INT(fd_idset_add(&s, 64), 0);
	T_INT(fd_idset_add(&s, 63), 0);
	T_INT(fd_idset_add(&s, 1000), 0);
	T_INT(fd_idset_add(&s, 1000), 0);	/* twice: once in the set */
	T_INT(s.n, 9);
	T(fd_idset_has(&s, 64) && !fd_idset_has(&s, 65) &&
	    !fd_idset_has(&s, 4) && !fd_idset_has(&s, 100000));
	T_INT(fd_idset_next(&s, 10), 63);
	T_INT(fd_idset_next(&s, 65), 1000);
	T_INT(fd_idset_next(&s, 1001), -1);
	T_INT(fd_idset_max(&s), 1000);
	T(fd_idset_put(&b, &s) == 0);
	T_STR(b.data, "3,5-9,63-64,1000");
	/* the text reads back as the same set */
	T_INT(parse(&r, b.data, err), 0);
	T_INT(r.n, s.n);
	for (id = 1; id <= 1000; id++)
		T_INT(fd_idset_has(&r, id), fd_idset_has(&s, id));
	fd_idset_del(&s, 1000);
	fd_idset_del(&s, 1000);
	fd_idset_del(&s, 7);
	T_INT(s.n, 7);
	T_INT(fd_idset_max(&s), 64);
	fd_buf_reset(&b);
	T(fd_idset_put(&b, &s) == 0);
	T_STR(b.data, "3,5-6,8-9,63-64");
	fd_idset_free(&r);
	/* not ranges ascending and apart */
	T_INT(parse(&r, "", err), 0);
	T_INT(r.n, 0);
	T_INT(parse(&r, "5,3", err), -1);
	T(strstr(err, "not ascending") != NULL);
	T_INT(parse(&r, "3-5,6", err), -1);
	T_INT(parse(&r, "5-3", err), -1);
	T_INT(parse(&r, "0", err), -1);
	T_INT(parse(&r, "1,", err), -1);
	T_INT(parse(&r, "1;2", err), -1);
	T_INT(parse(&r, "x", err), -1);
	T_INT(parse(&r, "99999999999", err), -1);
	fd_idset_free(&r);
	fd_idset_free(&s);
	fd_buf_free(&b);
}
