/*
 * json.h: parsing one JSON text with libjq, with the checks libjq 1.6
 * lacks.
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

/*
 * Parses exactly one JSON value from s (len bytes).  Returns 0 with the
 * value in *out (owned by the caller), or -1 with a reason ("invalid
 * UTF-8 at byte N", "invalid JSON: ...") in errbuf; the caller adds the
 * context (file and line).
 */
int	fd_json_parse(const char *s, size_t len, jv *out, char *errbuf);

/* "an object", "an array", ... for messages.  Static string. */
const char	*fd_json_kind_name(jv_kind);

#endif /* FD_JSON_H */
