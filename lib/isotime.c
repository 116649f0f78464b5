/*
 * isotime.c: ISO 8601 date-time parsing and UTC normalization.  See
 * isotime.h.
 */
#include <string.h>
#include <time.h>

#include "isotime.h"

/* n decimal digits at s as a number, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long
days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(long long z, int *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static void
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

int
fd_isotime_utc(const char *s, size_t len, char *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };
	int y, mo, d, h, mi, se = 0, oh = 0, om = 0, sign = 0, n;
	size_t i, fs = 0, fl = 0;
	long long t;

	/* YYYY-MM-DD[T ]HH:MM is 16 bytes at least */
	if (len < 16 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':')
		return -1;
	if ((y = digits(s, 4)) < 0 || (mo = digits(s + 5, 2)) < 1 ||
	    mo > 12 || (d = digits(s + 8, 2)) < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap(y)) ||
	    (h = digits(s + 11, 2)) < 0 || h > 23 ||
	    (mi = digits(s + 14, 2)) < 0 || mi > 59)
		return -1;
	i = 16;
	if (i < len && s[i] == ':') {
		if (i + 3 > len || (se = digits(s + i + 1, 2)) < 0 || se > 59)
			return -1;
		i += 3;
		if (i < len && s[i] == '.') {
			fs = ++i;
			while (i < len && s[i] >= '0' && s[i] <= '9')
				i++;
			fl = i - fs;
			if (fl == 0 || fl > 9)
				return -1;
		}
	}
	if (i < len && s[i] == 'Z')
		i++;
	else if (i < len && (s[i] == '+' || s[i] == '-')) {
		sign = s[i] == '-' ? -1 : 1;
		if (i + 6 == len && s[i + 3] == ':') {
			oh = digits(s + i + 1, 2);
			om = digits(s + i + 4, 2);
			i += 6;
		} else if (i + 5 == len) {
			oh = digits(s + i + 1, 2);
			om = digits(s + i + 3, 2);
			i += 5;
		} else
			return -1;
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -1;
	}
	if (i != len)
		return -1;
	t = days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + se;
	t -= sign * (oh * 3600LL + om * 60LL);
	civil_from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400, &y, &mo, &d);
	t = ((t % 86400) + 86400) % 86400;
	if (y < 0 || y > 9999)
		return -1;
	/* by hand: snprintf is most of the cost on a hot path */
	put2(out, y / 100);
	put2(out + 2, y % 100);
	out[4] = '-';
	put2(out + 5, mo);
	out[7] = '-';
	put2(out + 8, d);
	out[10] = 'T';
	put2(out + 11, (int)(t / 3600));
	out[13] = ':';
	put2(out + 14, (int)(t / 60 % 60));
	out[16] = ':';
	put2(out + 17, (int)(t % 60));
	n = 19;
	if (fl > 0) {
		out[n++] = '.';
		memcpy(out + n, s + fs, fl);
		n += (int)fl;
	}
	out[n++] = 'Z';
	out[n] = '\0';
	return n;
}

int
fd_isotime_arg(const char *s, size_t len, char *out)
{
	char t[sizeof("YYYY-MM-DDT00:00:00Z")];

	if (len != 10)
		return fd_isotime_utc(s, len, out);
	memcpy(t, s, 10);
	memcpy(t + 10, "T00:00:00Z", 10);
	return fd_isotime_utc(t, 20, out);
}
