/*
 * json.h: parsing one JSON text with libjq, with the checks libjq 1.6
 * lacks; and the one writer of JSON strings (fd_json_put_string), which
 * every JSON text the fd programs build by hand goes through.
 *
 * libjq 1.6 silently replaces invalid UTF-8 with U+FFFD and puts the
 * whole input into its error messages; fd_json_parse rejects the first
 * and trims the second.  (It still rounds integers beyond 2^53: the
 * record hot path of fd-normalize does not go through here.)
 */
#ifndef FD_JSON_H
#define FD_JSON_H

#include <stddef.h>

#include <jv.h>

struct fd_buf;

/*
 * Parses exactly one JSON value from s (len bytes).  Returns 0 with the
 * value in *out (owned by the caller), or -1 with a reason ("invalid
 * UTF-8 at byte N", "invalid JSON: ...") in errbuf; the caller adds the
 * context (file and line).
 */
int	fd_json_parse(const char *s, size_t len, jv *out, char *errbuf);

/*
 * Reads the file at path whole and parses it as fd_json_parse does.
 * Returns 0 with the value in *out (owned by the caller), or with
 * jv_invalid() there when the file holds nothing but white space; or
 * -1 with "path: reason" in errbuf and errno set (ENOENT: no such
 * file; EINVAL: not one JSON value).
 */
int	fd_json_load(const char *path, jv *out, char *errbuf);

/*
 * Appends the len bytes at s to out as one JSON string, quotes
 * included: '"' and '\\' escaped, the control characters U+0000 to
 * U+001F as \b \f \n \r \t or \u00XX, everything else (U+007F and
 * all of non-ASCII) as it is.  s may hold NUL bytes.  s must be valid
 * UTF-8 (fd_utf8_check): text that is not is refused, not repaired,
 * since a name changed here would silently be another name.  Returns
 * 0, or -1 with errno EILSEQ (invalid UTF-8) or ENOMEM, out then left
 * as it was.
 */
int	fd_json_put_string(struct fd_buf *out, const char *s, size_t len);

/* "an object", "an array", ... for messages.  Static string. */
const char	*fd_json_kind_name(jv_kind);

#endif /* FD_JSON_H */
