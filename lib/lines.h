/*
 * lines.h: a line reader for NDJSON input that knows the file name and
 * line number, and takes lines of any length.
 *
 * Lines are returned without their '\n' (and without one '\r' before
 * it), NUL-terminated, pointing into the reader's own buffer: valid
 * until the next call on the same reader.  A last line without '\n' is
 * returned like any other.  The reader does not own or close the FILE,
 * and reads its descriptor directly (read(2)): a line is returned as
 * soon as it has arrived; nothing else may read from the FILE.
 */
#ifndef FD_LINES_H
#define FD_LINES_H

#include <stddef.h>
#include <stdio.h>

struct fd_lines;

/*
 * Opens a reader on fp; name (copied) is what messages call the input,
 * "<stdin>" by convention for standard input.  NULL with errno ENOMEM.
 */
struct fd_lines	*fd_lines_open(FILE *fp, const char *name);

/*
 * Reads the next line into *line and *len.  Returns 1 for a line, 0 at
 * end of input, -1 on a read error (errno set) or ENOMEM.
 */
int	fd_lines_next(struct fd_lines *, const char **line, size_t *len);

/*
 * Whether fd_lines_next can return without waiting long: a line (or
 * the end of input) is buffered already, or input arrives within ms
 * milliseconds.  1 or 0; 1 also when the wait itself fails, so that the
 * caller goes on to read.
 */
int	fd_lines_wait(struct fd_lines *, int ms);

/* The 1-based number of the line last returned (0 before the first). */
unsigned long long	fd_lines_lineno(const struct fd_lines *);

/* Frees the reader (not the FILE).  NULL is a no-op. */
void	fd_lines_close(struct fd_lines *);

#endif /* FD_LINES_H */
