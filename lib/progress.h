/*
 * progress.h: the one line a program keeps on its terminal (fd.7,
 * PROGRESS).
 *
 * A handle draws a line of text on a terminal and redraws it in place:
 * "\r\033[K" (to the line's start, cleared), the text cut to the
 * terminal's width less one column, so that it never wraps, and "\r".
 * A redraw is rate-limited: fd_progress_due says whether one is due.
 * The handle writes to the terminal it was given, with one write(2)
 * per draw, and never exits: with tool.c, the one module of lib/ that
 * writes, because drawing is its purpose.
 *
 * Who draws, so that the programs of a pipeline never overwrite each
 * other's line, is the programs' rule (fd.7): fd-fetch draws; fd-load
 * draws while it reads a file or a terminal, and from a pipe only once
 * its input has ended; fd-normalize never draws.  A handle does not
 * lock: a program with threads draws under a lock of its own.
 */
#ifndef FD_PROGRESS_H
#define FD_PROGRESS_H

#include <stddef.h>

/* The fewest milliseconds between two redraws that are not forced;
 * the environment's FD_PROGRESS_MS (0 or more) overrides it, for
 * tests that must see every draw. */
#define FD_PROGRESS_GAP_MS	200

struct fd_progress;

/*
 * A progress line on the terminal fd, or NULL when fd is not a
 * terminal (or on ENOMEM): then there is nothing to draw.  The caller
 * asks for none with -q or -v.  Owned by the caller: fd_progress_end
 * frees it.
 */
struct fd_progress	*fd_progress_new(int fd);

/*
 * Whether a redraw is due now: forced (force non-zero), the first, or
 * the gap since the last draw has passed.  0 for a NULL handle.  The
 * caller builds the text only when one is due.
 */
int	fd_progress_due(const struct fd_progress *, int force);

/* Draws the line text (UTF-8, one line: no newline) in place of the
 * last, cut to the terminal's width.  A NULL handle draws nothing. */
void	fd_progress_draw(struct fd_progress *, const char *text);

/*
 * The end of the line: with text, drawn one last time and followed by
 * a newline, so that it stays as the program's summary; with NULL,
 * the line cleared.  Frees the handle; NULL is a no-op.
 */
void	fd_progress_end(struct fd_progress *, const char *text);

/*
 * The bytes of the longest start of text that fits in cols columns
 * (a UTF-8 character is one column), cut between characters.  Pure:
 * fd_progress_draw's cut, for tests.
 */
size_t	fd_progress_fit(const char *text, size_t cols);

/*
 * The messages' contract, for a program that may have a progress line
 * on the terminal, its own or another program's of the pipeline: when
 * standard error is a terminal, every message it prints there starts
 * by clearing the line ("\r\033[K"), so that it is never appended to
 * a progress text, and the next draw comes on the line after it.
 *
 * Called once, first thing in main(): it puts "\r\033[K" before the
 * program name that err(3) and warn(3) print (glibc's
 * program_invocation_short_name, which they print before ": "), so
 * that every message of the program, wherever it is printed from,
 * keeps the contract without a message function of its own.  Off a
 * terminal it changes nothing, so files and pipes get plain messages.
 * The name is set once, before any thread; its string is never freed.
 * Every message of an fd program on standard error goes through
 * err(3) or warn(3) (getopt(3)'s own come before any line is drawn).
 */
void	fd_progress_messages(void);

#endif /* FD_PROGRESS_H */
