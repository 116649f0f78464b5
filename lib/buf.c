/*
 * buf.c: growable byte buffer.  See buf.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int
fd_buf_reserve(struct fd_buf *b, size_t n)
{
	size_t want, cap;
	char *p;

	if (b->err != 0) {
		errno = b->err;
		return -1;
	}
	if (n > SIZE_MAX - b->len - 1) {
		errno = b->err = ENOMEM;
		return -1;
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL) {
		errno = b->err = ENOMEM;
		return -1;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int
fd_buf_append(struct fd_buf *b, const void *p, size_t n)
{
	if (fd_buf_reserve(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
fd_buf_puts(struct fd_buf *b, const char *s)
{
	return fd_buf_append(b, s, strlen(s));
}

int
fd_buf_putc(struct fd_buf *b, int c)
{
	if (fd_buf_reserve(b, 1) == -1)
		return -1;
	b->data[b->len++] = (char)c;
	b->data[b->len] = '\0';
	return 0;
}

int
fd_buf_vprintf(struct fd_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->err = errno != 0 ? errno : EINVAL;
		return -1;
	}
	if (fd_buf_reserve(b, (size_t)n) == -1)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
fd_buf_printf(struct fd_buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fd_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

void
fd_buf_reset(struct fd_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
fd_buf_consume(struct fd_buf *b, size_t n)
{
	if (n >= b->len) {
		fd_buf_reset(b);
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

char *
fd_buf_take(struct fd_buf *b)
{
	char *p;

	if (b->err != 0) {
		errno = b->err;
		fd_buf_free(b);
		return NULL;
	}
	if (b->data == NULL)
		return strdup("");
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
fd_buf_free(struct fd_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}
