/*
 * lines.c: block-buffered line reader.  See lines.h.
 *
 * Input is read in large blocks into one growable buffer; a line is
 * found with memchr and returned in place.  The buffer only grows to
 * the longest line seen (plus one block), so memory stays flat however
 * long the input is.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "lines.h"

#define BLOCK	(64 * 1024)

struct fd_lines {
	FILE		*fp;
	char		*name;
	struct fd_buf	 buf;
	size_t		 start;		/* first byte not yet returned */
	size_t		 scan;		/* bytes before it hold no '\n' */
	unsigned long long lineno;
	int		 eof;
};

struct fd_lines *
fd_lines_open(FILE *fp, const char *name)
{
	struct fd_lines *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	if ((r->name = strdup(name)) == NULL) {
		free(r);
		return NULL;
	}
	r->fp = fp;
	return r;
}

/* Reads one more block, first moving the unreturned bytes to the front. */
static int
fill(struct fd_lines *r)
{
	ssize_t n;

	if (r->start > 0) {
		fd_buf_consume(&r->buf, r->start);
		r->scan -= r->start;
		r->start = 0;
	}
	if (fd_buf_reserve(&r->buf, BLOCK) == -1)
		return -1;
	/*
	 * read(2), not fread: fread waits for a whole block, and a line
	 * that has arrived (a STATE from a paused writer) must not wait
	 * for the next 64 KiB.
	 */
	do
		n = read(fileno(r->fp), r->buf.data + r->buf.len,
		    r->buf.cap - r->buf.len - 1);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	r->buf.len += (size_t)n;
	r->buf.data[r->buf.len] = '\0';
	if (n == 0)
		r->eof = 1;
	return 0;
}

int
fd_lines_next(struct fd_lines *r, const char **line, size_t *len)
{
	char *p, *nl;
	size_t n;

	for (;;) {
		p = r->buf.data;
		nl = r->buf.len > r->scan ?
		    memchr(p + r->scan, '\n', r->buf.len - r->scan) : NULL;
		if (nl != NULL) {
			n = (size_t)(nl - (p + r->start));
			r->scan = (size_t)(nl - p) + 1;
			break;
		}
		r->scan = r->buf.len;
		if (r->eof) {
			if (r->start == r->buf.len)
				return 0;
			n = r->buf.len - r->start;
			r->scan = r->buf.len;
			break;
		}
		if (fill(r) == -1)
			return -1;
	}
	p += r->start;
	r->start = r->scan;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	p[n] = '\0';
	r->lineno++;
	*line = p;
	*len = n;
	return 1;
}

int
fd_lines_wait(struct fd_lines *r, int ms)
{
	struct pollfd pfd;

	if (r->eof || (r->buf.len > r->scan &&
	    memchr(r->buf.data + r->scan, '\n', r->buf.len - r->scan) != NULL))
		return 1;
	pfd.fd = fileno(r->fp);
	pfd.events = POLLIN;
	return poll(&pfd, 1, ms) != 0;
}

unsigned long long
fd_lines_lineno(const struct fd_lines *r)
{
	return r->lineno;
}

void
fd_lines_close(struct fd_lines *r)
{
	if (r == NULL)
		return;
	fd_buf_free(&r->buf);
	free(r->name);
	free(r);
}
