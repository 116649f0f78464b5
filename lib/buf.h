/*
 * buf.h: a growable byte buffer.
 *
 * struct fd_buf is a plain value (embed it, or declare it on the stack
 * with FD_BUF_INIT); its fields are public so that hot loops can append
 * without a call.  The bytes are owned by the buffer and freed by
 * fd_buf_free.  data is NULL until the first append; after any
 * successful append data[len] is a NUL byte (not counted in len), so
 * data can be used as a C string when the contents have no NUL.
 *
 * Errors are sticky, as a stdio stream's are (ferror(3)): a function
 * that cannot grow the buffer returns -1 with errno ENOMEM, leaves the
 * contents as they were and sets err; every later append then fails
 * too, without a change, until fd_buf_free.  So a caller may append
 * many times and check once, where the buffer is used (fd_buf_error,
 * or xbuf in tool.h): a statement that lost a part is never run.
 */
#ifndef FD_BUF_H
#define FD_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct fd_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 err;	/* the first failure's errno, or 0 */
};

#define FD_BUF_INIT { NULL, 0, 0, 0 }

/* Ensures room for n more bytes plus the NUL.  0 or -1 (ENOMEM). */
int	fd_buf_reserve(struct fd_buf *, size_t n);
/* Appends n bytes of p.  0 or -1 (ENOMEM). */
int	fd_buf_append(struct fd_buf *, const void *p, size_t n);
/* Appends a C string.  0 or -1 (ENOMEM). */
int	fd_buf_puts(struct fd_buf *, const char *s);
/* Appends one byte.  0 or -1 (ENOMEM). */
int	fd_buf_putc(struct fd_buf *, int c);
/* Appends printf-formatted text.  0 or -1 (ENOMEM). */
int	fd_buf_printf(struct fd_buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
int	fd_buf_vprintf(struct fd_buf *, const char *fmt, va_list);
/* The errno of the first append that failed (ENOMEM), or 0. */
#define fd_buf_error(b)	((b)->err)
/* Empties the buffer, keeping its memory (and its error). */
void	fd_buf_reset(struct fd_buf *);
/* Drops the first n bytes (n <= len), moving the rest to the front. */
void	fd_buf_consume(struct fd_buf *, size_t n);
/*
 * Hands the bytes to the caller (who frees them with free(3)) and
 * leaves the buffer empty.  Returns "" copied to a new allocation when
 * the buffer never held anything; NULL on ENOMEM or when the buffer's
 * error is set (the buffer is then freed).
 */
char	*fd_buf_take(struct fd_buf *);
/* Frees the bytes and clears the error; the buffer is empty and
 * reusable.  NULL is a no-op. */
void	fd_buf_free(struct fd_buf *);

#endif /* FD_BUF_H */
