/* Unit tests of lib/isotime.c. */
#include "isotime.h"
#include "t.h"

static const char *
utc(const char *s)
{
	static char out[FD_ISOTIME_MAX];

	if (fd_isotime_utc(s, strlen(s), out) == -1)
		return "-";
	return out;
}

void
t_isotime(void)
{
	/* Freshdesk's own form is kept as it is */
	T_STR(utc("2022-11-16T16:03:17Z"), "2022-11-16T16:03:17Z");
	/* offsets go to UTC, across days, months and years */
	T_STR(utc("2014-01-08T09:08:53+05:30"), "2014-01-08T03:38:53Z");
	T_STR(utc("2015-08-21T01:00:00+05:30"), "2015-08-20T19:30:00Z");
	T_STR(utc("2023-12-31T23:30:00-01:00"), "2024-01-01T00:30:00Z");
	T_STR(utc("2024-03-01T00:00:00+0100"), "2024-02-29T23:00:00Z");
	/* fraction kept, seconds optional, space instead of T, naive = UTC */
	T_STR(utc("2022-06-01T00:48:35.040Z"), "2022-06-01T00:48:35.040Z");
	T_STR(utc("2021-07-24 10:51"), "2021-07-24T10:51:00Z");
	T_STR(utc("2021-07-24T10:51:09"), "2021-07-24T10:51:09Z");
	T_STR(utc("1969-12-31T23:59:59Z"), "1969-12-31T23:59:59Z");
	/* not date-times */
	T_STR(utc("1975-05-21"), "-");
	T_STR(utc("22:00:00"), "-");
	T_STR(utc("1975-05-01T27:00:00Z"), "-");
	T_STR(utc("2024-02-30T00:00:00Z"), "-");
	T_STR(utc("2023-02-29T00:00:00Z"), "-");
	T_STR(utc("2024-13-01T00:00:00Z"), "-");
	T_STR(utc("2024-01-01T00:60:00Z"), "-");
	T_STR(utc("2024-01-01T00:00:61Z"), "-");
	T_STR(utc("2024-01-01T00:00:00+24:00"), "-");
	T_STR(utc("2024-01-01T00:00:00Zjunk"), "-");
	T_STR(utc("2024-01-01T00:00:00."), "-");
	T_STR(utc("Wed, 29 Jun 2022 13:56:34 +0000"), "-");
	T_STR(utc(""), "-");
	T_STR(utc("2024-01-01T00:00:00+05"), "-");
}

static const char *
arg(const char *s)
{
	static char out[FD_ISOTIME_MAX];

	if (fd_isotime_arg(s, strlen(s), out) == -1)
		return "-";
	return out;
}

void
t_isotime_arg(void)
{
	/* a date alone is its midnight UTC */
	T_STR(arg("2024-01-01"), "2024-01-01T00:00:00Z");
	T_STR(arg("2024-02-29"), "2024-02-29T00:00:00Z");
	/* date-times as fd_isotime_utc takes them */
	T_STR(arg("2024-01-01T05:30:00+05:30"), "2024-01-01T00:00:00Z");
	T_STR(arg("2021-07-24 10:51"), "2021-07-24T10:51:00Z");
	/* a date is checked as strictly */
	T_STR(arg("2023-02-29"), "-");
	T_STR(arg("2024-13-01"), "-");
	T_STR(arg("2024-1-01"), "-");
	T_STR(arg("2024-01-01T"), "-");
	T_STR(arg("20240101"), "-");
	T_STR(arg("yesterday"), "-");
	T_STR(arg(""), "-");
}
