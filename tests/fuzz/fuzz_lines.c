/*
 * fuzz_lines: the NDJSON line reader on arbitrary bytes arriving in
 * arbitrary pieces.  The first byte of the input chooses the piece size
 * (1 to 256 bytes); the rest is the stream.  It goes through a
 * non-blocking pipe a piece at a time: when the reader finds the pipe
 * empty (-1, EAGAIN) the next piece is written and it is called again,
 * as a slow writer would feed it.  The lines returned, each with its
 * '\n' put back, must be the stream exactly (less one '\r' before each
 * '\n', and the last line's missing '\n').
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "lines.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fd_buf want = FD_BUF_INIT, got = FD_BUF_INIT;
	struct fd_lines *r;
	const char *line;
	size_t piece, off, len, i;
	unsigned long long n = 0;
	int fds[2], rc;
	FILE *fp;

	if (size == 0)
		return 0;
	piece = (size_t)data[0] + 1;
	data++;
	size--;
	if (pipe(fds) == -1)
		abort();
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	if ((fp = fdopen(fds[0], "r")) == NULL ||
	    (r = fd_lines_open(fp, "<fuzz>")) == NULL)
		abort();
	off = 0;
	for (;;) {
		rc = fd_lines_next(r, &line, &len);
		if (rc == 1) {
			n++;
			assert(fd_lines_lineno(r) == n);
			assert(line[len] == '\0');
			fd_buf_append(&got, line, len);
			fd_buf_putc(&got, '\n');
			continue;
		}
		if (rc == 0)
			break;
		assert(errno == EAGAIN || errno == EWOULDBLOCK);
		if (off == size) {
			close(fds[1]);
			fds[1] = -1;
			continue;
		}
		len = size - off < piece ? size - off : piece;
		if (write(fds[1], data + off, len) != (ssize_t)len)
			abort();
		off += len;
	}
	assert(off == size);
	/* the expected lines: '\r' before '\n' dropped, '\n' at the end */
	for (i = 0; i < size; i++) {
		if (data[i] == '\r' && (i + 1 == size || data[i + 1] == '\n'))
			continue;
		fd_buf_putc(&want, (char)data[i]);
	}
	if (size > 0 && data[size - 1] != '\n')
		fd_buf_putc(&want, '\n');
	assert(got.len == want.len && (got.len == 0 || memcmp(got.data, want.data,
	    got.len) == 0));
	fd_lines_close(r);
	fclose(fp);
	if (fds[1] != -1)
		close(fds[1]);
	fd_buf_free(&want);
	fd_buf_free(&got);
	return 0;
}
