/*
 * diag.h: error reporting shared by lib/ and the tools.
 *
 * Library functions never print or exit.  They return -1 (or NULL) and
 * describe the failure in a caller-supplied buffer of FD_ERRSZ bytes,
 * the way libcurl's CURLOPT_ERRORBUFFER does.  Tools print that text
 * with errx(3) as "prog: context: message" and choose the exit status.
 */
#ifndef FD_DIAG_H
#define FD_DIAG_H

#include <stddef.h>

#define FD_ERRSZ 256

/* The exit statuses of every fd program (each man page, EXIT STATUS). */
enum fd_exit {
	FD_EXIT_OK = 0,		/* success */
	FD_EXIT_FAIL = 1,	/* runtime failure, bad input */
	FD_EXIT_CONFIG = 1,	/* configuration: no key or domain, a key
				   file unreadable, a domain that is not
				   one or whose host does not resolve */
	FD_EXIT_USAGE = 2,	/* bad command line */
	FD_EXIT_TEMPFAIL = 75	/* fd-fetch gave up waiting for the API */
};

/*
 * Formats a message into errbuf (FD_ERRSZ bytes; NULL is allowed and
 * ignored), truncating it to fit.  Always returns -1 so that a library
 * function can end with "return fd_diag_set(errbuf, ...);".
 */
int	fd_diag_set(char *errbuf, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * Like fd_diag_set, with ": " and strerror(errnum) appended.
 */
int	fd_diag_errno(char *errbuf, int errnum, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/*
 * Puts the formatted context and ": " before the message already in
 * errbuf ("column id" + "a string in a bigint column"), truncating to
 * fit.  Returns -1, as fd_diag_set.
 */
int	fd_diag_prefix(char *errbuf, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * A name (a stream, table, column or key: len bytes, any bytes) as a
 * message shows it, on one line: as it is when it is non-empty UTF-8
 * without control characters, '"' or '\\'; else in double quotes,
 * with \" \\ \t \n \r, and \xNN for the other control characters
 * and for bytes that are not UTF-8 (for a reader: this is not JSON).
 * Written into buf (size bytes, FD_DIAG_NAMESZ is enough for a
 * message), cut with "..." to fit.  Returns buf.
 */
const char	*fd_diag_name(char *buf, size_t size, const char *s,
		    size_t len);

#define FD_DIAG_NAMESZ	96

/*
 * Parses s as a base-10 integer in [min, max]: the whole string, no
 * blanks, no trailing junk.  On success stores it in *out and returns 0.
 * Otherwise returns -1 with "invalid number", "too small" or "too large"
 * in errbuf (the caller adds the context: the option and its value).
 */
int	fd_diag_strtonum(const char *s, long long min, long long max,
	    long long *out, char *errbuf);

#endif /* FD_DIAG_H */
