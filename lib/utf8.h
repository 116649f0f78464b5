/*
 * utf8.h: UTF-8 validation (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF).
 */
#ifndef FD_UTF8_H
#define FD_UTF8_H

#include <stddef.h>

/* Returns the offset of the first byte that is not valid UTF-8, or len. */
size_t	fd_utf8_check(const char *s, size_t len);

#endif /* FD_UTF8_H */
