/* Unit tests of lib/buf.c. */
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
