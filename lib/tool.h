/*
 * tool.h: what the programs' own code shares: allocation that cannot
 * fail, checked buffers, option numbers.
 *
 * The one module of lib/ that prints and exits: each function dies
 * (err(3), "prog: message") with FD_EXIT_FAIL, or FD_EXIT_USAGE for a
 * bad option.  Only the programs call it; lib's other modules return
 * errors (diag.h) and never call it.
 */
#ifndef FD_TOOL_H
#define FD_TOOL_H

#include <stddef.h>

#include "buf.h"

void	*xmalloc(size_t);
void	*xcalloc(size_t n, size_t size);
void	*xreallocarray(void *, size_t n, size_t size);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);

/*
 * The buffer's text, checked where it is used: dies when an append to
 * it failed (buf.h: errors are sticky), so that no statement, line or
 * URL that lost a part goes out.  Never NULL: "" for a buffer that
 * never held anything.
 */
const char	*xbuf(const struct fd_buf *);
/* Dies when an append to the buffer failed. */
void		 xbuf_check(const struct fd_buf *);

/*
 * The value arg of option opt as a base-10 integer in [min, max], or
 * dies with FD_EXIT_USAGE: "prog: --rate 0: too small".
 */
long long	 number(const char *opt, const char *arg, long long min,
		    long long max);

/* Seconds on the monotonic clock. */
double		 now(void);

/* A name as messages show it (fd_diag_name of the C string): valid
 * until the fourth call after, in the same thread. */
const char	*showname(const char *name);

struct option;
struct fd_config;
struct fd_config_alias;

/*
 * --config FILE (or --config=FILE) among the options of argv, before
 * any "--": the file's settings (config.h) become options placed
 * before the command line's, so that an option given on the command
 * line wins, and *argcp and *argvp are rewritten without the --config
 * pair (c owns the new vector and its strings: fd_config_free c once
 * the options are used).  Each
 * unknown member draws a warning.  Returns 1 with the taken members in
 * c, or 0 when no --config was given (c empty).  Dies with
 * FD_EXIT_USAGE on a bad file or a second --config.
 */
int	config_args(int *argcp, char ***argvp, const struct option *longopts,
	    const struct fd_config_alias *aliases, const char *const *take,
	    struct fd_config *c);

#endif /* FD_TOOL_H */
