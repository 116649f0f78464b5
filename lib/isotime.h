/*
 * isotime.h: ISO 8601 date-times, as Freshdesk writes them and as
 * fd-normalize detects them.
 */
#ifndef FD_ISOTIME_H
#define FD_ISOTIME_H

#include <stddef.h>

/* Room for any result of fd_isotime_utc, NUL included. */
#define FD_ISOTIME_MAX	48

/*
 * Parses s (len bytes, no NUL needed) as an extended ISO 8601
 * date-time: YYYY-MM-DD, 'T' or a space, HH:MM, optional :SS, optional
 * fraction (up to 9 digits), optional Z, +HH:MM, -HH:MM or +HHMM (no
 * zone: UTC).  Every field is range-checked (no 2024-02-30, no 27:00).
 * On success writes the same instant in UTC as
 * "YYYY-MM-DDTHH:MM:SS[.fraction]Z" into out (FD_ISOTIME_MAX bytes) and
 * returns its length; returns -1 if s is not such a date-time.  Dates
 * alone and times alone are not date-times.
 */
int	fd_isotime_utc(const char *s, size_t len, char *out);

/*
 * As fd_isotime_utc, and a date alone (YYYY-MM-DD, exactly 10 bytes)
 * is its midnight UTC: for a time a user gives (fd-fetch --since).
 * Data is parsed with fd_isotime_utc, where a date is not a date-time.
 */
int	fd_isotime_arg(const char *s, size_t len, char *out);

#endif /* FD_ISOTIME_H */
