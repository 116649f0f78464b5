/* Unit tests of lib/buf.c. */
#include <errno.h>
#include <stdlib.h>

#include "buf.h"
#include "t.h"

void
t_buf_append(void)
{
	struct fd_buf b = FD_BUF_INIT;
	int i;

	T(fd_buf_append(&b, "", 0) == 0);
	T_INT(b.len, 0);
	T_STR(b.data, "");
	for (i = 0; i < 1000; i++)
		T(fd_buf_append(&b, "abc", 3) == 0);
	T_INT(b.len, 3000);
	T(b.cap > b.len);
	T(b.data[b.len] == '\0');
	T(memcmp(b.data + 2997, "abc", 3) == 0);
	T(fd_buf_putc(&b, 'x') == 0);
	T(fd_buf_puts(&b, "yz") == 0);
	T_STR(b.data + 2998, "bcxyz");
	fd_buf_reset(&b);
	T_INT(b.len, 0);
	T_STR(b.data, "");
	fd_buf_free(&b);
	T(b.data == NULL && b.len == 0 && b.cap == 0);
	fd_buf_free(NULL);
}

void
t_buf_printf_consume_take(void)
{
	struct fd_buf b = FD_BUF_INIT;
	char *p;

	T(fd_buf_printf(&b, "%s-%d", "page", 42) == 0);
	T_STR(b.data, "page-42");
	T(fd_buf_printf(&b, "%0500d", 7) == 0);
	T_INT(b.len, 507);
	fd_buf_consume(&b, 5);
	T(memcmp(b.data, "42000", 5) == 0);
	T_INT(b.len, 502);
	fd_buf_consume(&b, 9999);
	T_INT(b.len, 0);
	T(fd_buf_puts(&b, "kept") == 0);
	p = fd_buf_take(&b);
	T_STR(p, "kept");
	T(b.data == NULL && b.len == 0);
	free(p);
	p = fd_buf_take(&b);
	T_STR(p, "");
	free(p);
}

/* A failed append is sticky: the contents stay, every later append
 * fails without a change, take gives NULL, free clears it. */
void
t_buf_sticky_error(void)
{
	struct fd_buf b = FD_BUF_INIT;

	T(fd_buf_puts(&b, "DELETE FROM t") == 0);
	T_INT(fd_buf_error(&b), 0);
	T(fd_buf_reserve(&b, (size_t)-1) == -1);
	T_INT(fd_buf_error(&b), ENOMEM);
	T_STR(b.data, "DELETE FROM t");
	T(fd_buf_puts(&b, " WHERE") == -1);
	T(fd_buf_putc(&b, ' ') == -1);
	T(fd_buf_printf(&b, "%d", 1) == -1);
	T(fd_buf_append(&b, "x", 1) == -1);
	T_STR(b.data, "DELETE FROM t");
	fd_buf_reset(&b);
	T_INT(fd_buf_error(&b), ENOMEM);
	T(fd_buf_take(&b) == NULL);
	T(b.data == NULL);
	T_INT(fd_buf_error(&b), 0);
	T(fd_buf_puts(&b, "ok") == 0);
	T_STR(b.data, "ok");
	fd_buf_free(&b);
	T_INT(fd_buf_error(&b), 0);
}
