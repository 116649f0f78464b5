/*
 * progress.c: a line redrawn in place on a terminal.  See progress.h.
 */
#define _GNU_SOURCE	/* program_invocation_short_name */
#include <sys/ioctl.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

/* The width when the terminal tells none (a pseudo-terminal that no
 * one sized). */
#define COLS_DEFAULT	80
/* The longest line drawn, in bytes: wider terminals get this much. */
#define LINE_MAX_BYTES	1024
/* "\r\033[K" */
#define CLEAR		"\r\033[K"
#define CLEAR_LEN	4

struct fd_progress {
	int		 fd;
	int64_t		 gap;		/* ms */
	int64_t		 shown;		/* ms; -1: never */
	int		 drawn;		/* a line is on the terminal */
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct fd_progress *
fd_progress_new(int fd)
{
	struct fd_progress *p;
	const char *e;
	char *end;
	long v;

	if (!isatty(fd))
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->fd = fd;
	p->gap = FD_PROGRESS_GAP_MS;
	p->shown = -1;
	if ((e = getenv("FD_PROGRESS_MS")) != NULL && *e != '\0') {
		errno = 0;
		v = strtol(e, &end, 10);
		if (*end == '\0' && errno == 0 && v >= 0)
			p->gap = v;
	}
	return p;
}

int
fd_progress_due(const struct fd_progress *p, int force)
{
	if (p == NULL)
		return 0;
	return force || p->shown == -1 || mono_ms() - p->shown >= p->gap;
}

size_t
fd_progress_fit(const char *text, size_t cols)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n = 0, k;

	while (s[i] != '\0') {
		/* a character: its lead byte and its continuation bytes */
		for (k = 1; (s[i + k] & 0xc0) == 0x80; k++)
			;
		if (n == cols)
			break;
		n++;
		i += k;
	}
	return i;
}

/* Writes all len bytes of b to p's terminal; a failed write is
 * dropped: a progress line is not worth a failure. */
static void
put(const struct fd_progress *p, const char *b, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(p->fd, b, len)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		b += w;
		len -= (size_t)w;
	}
}

/* The line text as drawn: cleared, the text cut to the width, and,
 * with end, a newline; else "\r". */
static void
draw(struct fd_progress *p, const char *text, const char *end)
{
	char b[CLEAR_LEN + LINE_MAX_BYTES + 2];
	struct winsize ws;
	size_t cols = COLS_DEFAULT, n;

	if (ioctl(p->fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		cols = ws.ws_col;
	/* one column free: a line as wide as the terminal may wrap */
	n = fd_progress_fit(text, cols - 1);
	if (n > LINE_MAX_BYTES) {
		n = LINE_MAX_BYTES;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(b, CLEAR, CLEAR_LEN);
	memcpy(b + CLEAR_LEN, text, n);
	memcpy(b + CLEAR_LEN + n, end, strlen(end));
	put(p, b, CLEAR_LEN + n + strlen(end));
	p->shown = mono_ms();
	p->drawn = 1;
}

void
fd_progress_draw(struct fd_progress *p, const char *text)
{
	if (p != NULL)
		draw(p, text, "\r");
}

void
fd_progress_end(struct fd_progress *p, const char *text)
{
	if (p == NULL)
		return;
	if (text != NULL)
		draw(p, text, "\n");
	else if (p->drawn)
		put(p, CLEAR, CLEAR_LEN);
	free(p);
}

void
fd_progress_messages(void)
{
	const char *name = program_invocation_short_name;
	char *s;

	if (!isatty(STDERR_FILENO) || name == NULL ||
	    strncmp(name, CLEAR, CLEAR_LEN) == 0)
		return;
	if ((s = malloc(CLEAR_LEN + strlen(name) + 1)) == NULL)
		return;
	memcpy(s, CLEAR, CLEAR_LEN);
	memcpy(s + CLEAR_LEN, name, strlen(name) + 1);
	program_invocation_short_name = s;
}
