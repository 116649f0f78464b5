/*
 * config.h: --config FILE, the Singer way of giving a program its
 * settings (Meltano starts every plugin with it).
 *
 * FILE holds one JSON object.  Each member is a setting, named as one
 * of the program's long options with '_' for '-' ("per_page" is
 * --per-page), or by an alias the program gives ("start_date" is
 * --since).  Its value is the option's argument when it is a string or
 * a number; true gives an option that takes no argument, false and
 * null give nothing.  Members the program takes itself (such as
 * "api_key") are returned apart and never become options, so that a
 * secret is never among the option strings.  Other members are
 * reported as unknown, so that the program can warn of a typo.
 *
 * jv ownership follows jq's rule (see singer.h).
 */
#ifndef FD_CONFIG_H
#define FD_CONFIG_H

#include <getopt.h>

/* A member name the program maps to one of its long options. */
struct fd_config_alias {
	const char	*key;		/* "start_date" */
	const char	*option;	/* "since" */
};

#define FD_CONFIG_TAKE	4	/* members taken apart, at most */

struct fd_config {
	/* "--name=value" and "--name", in the file's order, NULL-ended */
	char	**args;
	int	  nargs;
	/* the string values of the members named by take[i], or NULL */
	char	 *taken[FD_CONFIG_TAKE];
	/* the members that are none of the above, NULL-ended */
	char	**unknown;
	int	  nunknown;
	/* the program's new argv (tool.h's config_args), or NULL */
	char	**argv;
};

/*
 * Reads the settings at path into *c.  longopts is the program's
 * getopt_long table; aliases ends with a NULL key (NULL for none);
 * take lists at most FD_CONFIG_TAKE member names, NULL-ended (NULL for
 * none), whose values must be strings.  Returns 0, or -1 with
 * "path: reason" in errbuf: unreadable, not one JSON object, a value
 * of the wrong type for its option ("per_page: expected a string or a
 * number").  A message never shows a taken member's value.  c is then
 * empty.
 */
int	fd_config_read(const char *path, const struct option *longopts,
	    const struct fd_config_alias *aliases, const char *const *take,
	    struct fd_config *c, char *errbuf);

/* Frees what *c holds; a taken value is wiped before it is freed. */
void	fd_config_free(struct fd_config *);

#endif /* FD_CONFIG_H */
