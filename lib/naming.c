/*
 * naming.c: dlt's table and column names.  See naming.h.
 *
 * Follows dlt-hub/dlt dlt/common/normalizers/naming/{naming,snake_case,
 * direct}.py and json/relational.py, helpers.py (research note
 * dlt-normalize-semantics.md section 2, appendices A and B).  Python's
 * regular expressions are written out as the left-to-right scans that
 * re.sub performs; text is handled as code points where Python would.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>


#include "buf.h"
#include "diag.h"
#include "digest.h"
#include "naming.h"
#include "utf8.h"

/*
 * The tag's hash length in bytes, from dlt's _compute_tag with its
 * collision probability of 0.001: int((3 * log2(1 / 0.001)) // 8 + 1).
 * Four bytes are eight characters of base64, six once the "==" goes.
 */
#define TAG_BYTES	4

#define SEP_SNAKE	"__"
#define SEP_DIRECT	"\xe2\x96\xb6"	/* U+25B6 "▶" */

/*
 * Unicode category Nd (what Python's \d matches in a str pattern), as of
 * Unicode 14.0 (Python 3.11's unicodedata), as inclusive ranges.
 */
static const uint32_t digits[][2] = {
	{ 0x0030, 0x0039 }, { 0x0660, 0x0669 }, { 0x06f0, 0x06f9 },
	{ 0x07c0, 0x07c9 }, { 0x0966, 0x096f }, { 0x09e6, 0x09ef },
	{ 0x0a66, 0x0a6f }, { 0x0ae6, 0x0aef }, { 0x0b66, 0x0b6f },
	{ 0x0be6, 0x0bef }, { 0x0c66, 0x0c6f }, { 0x0ce6, 0x0cef },
	{ 0x0d66, 0x0d6f }, { 0x0de6, 0x0def }, { 0x0e50, 0x0e59 },
	{ 0x0ed0, 0x0ed9 }, { 0x0f20, 0x0f29 }, { 0x1040, 0x1049 },
	{ 0x1090, 0x1099 }, { 0x17e0, 0x17e9 }, { 0x1810, 0x1819 },
	{ 0x1946, 0x194f }, { 0x19d0, 0x19d9 }, { 0x1a80, 0x1a89 },
	{ 0x1a90, 0x1a99 }, { 0x1b50, 0x1b59 }, { 0x1bb0, 0x1bb9 },
	{ 0x1c40, 0x1c49 }, { 0x1c50, 0x1c59 }, { 0xa620, 0xa629 },
	{ 0xa8d0, 0xa8d9 }, { 0xa900, 0xa909 }, { 0xa9d0, 0xa9d9 },
	{ 0xa9f0, 0xa9f9 }, { 0xaa50, 0xaa59 }, { 0xabf0, 0xabf9 },
	{ 0xff10, 0xff19 }, { 0x104a0, 0x104a9 }, { 0x10d30, 0x10d39 },
	{ 0x11066, 0x1106f }, { 0x110f0, 0x110f9 }, { 0x11136, 0x1113f },
	{ 0x111d0, 0x111d9 }, { 0x112f0, 0x112f9 }, { 0x11450, 0x11459 },
	{ 0x114d0, 0x114d9 }, { 0x11650, 0x11659 }, { 0x116c0, 0x116c9 },
	{ 0x11730, 0x11739 }, { 0x118e0, 0x118e9 }, { 0x11950, 0x11959 },
	{ 0x11c50, 0x11c59 }, { 0x11d50, 0x11d59 }, { 0x11da0, 0x11da9 },
	{ 0x16a60, 0x16a69 }, { 0x16ac0, 0x16ac9 }, { 0x16b50, 0x16b59 },
	{ 0x1d7ce, 0x1d7ff }, { 0x1e140, 0x1e149 }, { 0x1e2f0, 0x1e2f9 },
	{ 0x1e950, 0x1e959 }, { 0x1fbf0, 0x1fbf9 }
};

static int
is_digit(uint32_t c)
{
	size_t lo = 0, hi = sizeof(digits) / sizeof(digits[0]), mid;

	if (c < 0x80)
		return c >= '0' && c <= '9';
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (c < digits[mid][0])
			hi = mid;
		else if (c > digits[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

/* What Python's str.isspace() accepts, so what str.strip() removes. */
static int
is_space(uint32_t c)
{
	if (c < 0x80)
		return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
	return c == 0x85 || c == 0xa0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202f || c == 0x205f || c == 0x3000;
}

static int
is_upper(uint32_t c)
{
	return c >= 'A' && c <= 'Z';
}

static int
is_lower(uint32_t c)
{
	return c >= 'a' && c <= 'z';
}

/* Decodes the code point at s[i] of valid UTF-8; returns its length. */
static size_t
dec(const unsigned char *s, size_t i, uint32_t *cp)
{
	uint32_t c = s[i];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xe0) {
		*cp = (c & 0x1f) << 6 | (s[i + 1] & 0x3f);
		return 2;
	}
	if (c < 0xf0) {
		*cp = (c & 0x0f) << 12 | (uint32_t)(s[i + 1] & 0x3f) << 6 |
		    (s[i + 2] & 0x3f);
		return 3;
	}
	*cp = (c & 0x07) << 18 | (uint32_t)(s[i + 1] & 0x3f) << 12 |
	    (uint32_t)(s[i + 2] & 0x3f) << 6 | (s[i + 3] & 0x3f);
	return 4;
}

static int
put_utf8(struct fd_buf *b, uint32_t c)
{
	unsigned char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = 0xc0 | c >> 6;
		u[1] = 0x80 | (c & 0x3f);
		n = 2;
	} else if (c < 0x10000) {
		u[0] = 0xe0 | c >> 12;
		u[1] = 0x80 | (c >> 6 & 0x3f);
		u[2] = 0x80 | (c & 0x3f);
		n = 3;
	} else {
		u[0] = 0xf0 | c >> 18;
		u[1] = 0x80 | (c >> 12 & 0x3f);
		u[2] = 0x80 | (c >> 6 & 0x3f);
		u[3] = 0x80 | (c & 0x3f);
		n = 4;
	}
	return fd_buf_append(b, u, n);
}

/* Python's str.strip() of valid UTF-8: the kept bytes are [*b, *e). */
static void
strip(const char *str, size_t len, size_t *b, size_t *e)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, j = len, k, n;
	uint32_t c;

	while (i < j) {
		n = dec(s, i, &c);
		if (!is_space(c))
			break;
		i += n;
	}
	while (j > i) {
		for (k = j - 1; k > i && (s[k] & 0xc0) == 0x80; k--)
			;
		dec(s, k, &c);
		if (!is_space(c))
			break;
		j = k;
	}
	*b = i;
	*e = j;
}

static int
is_blank(const char *s, size_t len)
{
	size_t b, e;

	strip(s, len, &b, &e);
	return b == e;
}

/* The number of code points of valid UTF-8, Python's len(). */
static size_t
nchars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* The byte offset of code point k (k <= nchars) of valid UTF-8. */
static size_t
char_off(const char *s, size_t len, size_t k)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && k-- == 0)
			break;
	return i;
}

static int
nomem(char *errbuf)
{
	return fd_diag_set(errbuf, "out of memory");
}

static int
check_utf8(const char *s, size_t len, char *errbuf)
{
	size_t bad;

	if ((bad = fd_utf8_check(s, len)) != len)
		return fd_diag_set(errbuf, "invalid UTF-8 at byte %zu",
		    bad + 1);
	return 0;
}

/* Truncates out back to olen after a failure; returns -1. */
static int
restore(struct fd_buf *out, size_t olen)
{
	out->len = olen;
	if (out->data != NULL)
		out->data[olen] = '\0';
	return -1;
}

/*
 * dlt's _compute_tag: SHAKE-128 of the bytes, TAG_BYTES of output,
 * standard base64 without "=", '/' as 'a', '+' as 'b', lower case.
 * Writes FD_NAMING_TAG_LEN characters and a NUL to t.
 */
static int
make_tag(const char *s, size_t len, char *t, char *errbuf)
{
	unsigned char md[TAG_BYTES];
	char b64[4 * ((TAG_BYTES + 2) / 3) + 1];
	int i;

	if (fd_digest_shake128(s, len, md, sizeof(md)) == -1)
		return fd_diag_set(errbuf, "SHAKE-128 from libcrypto failed");
	fd_digest_b64(md, sizeof(md), b64);
	for (i = 0; i < FD_NAMING_TAG_LEN; i++) {
		if (b64[i] == '/')
			t[i] = 'a';
		else if (b64[i] == '+')
			t[i] = 'b';
		else if (is_upper(b64[i]))
			t[i] = b64[i] - 'A' + 'a';
		else
			t[i] = b64[i];
	}
	t[i] = '\0';
	return 0;
}

/*
 * dlt's shorten_identifier and _trim_and_tag: appends norm to out as is
 * when it fits max (0: no limit), else its first half and last half
 * around the tag of raw, max characters in all (the left half gets the
 * odd one).
 */
static int
shorten(const char *norm, size_t nlen, const char *raw, size_t rawlen,
    size_t max, struct fd_buf *out, char *errbuf)
{
	char t[FD_NAMING_TAG_LEN + 1];
	size_t n, rem, lb, rb;

	if (max == 0 || (n = nchars(norm, nlen)) <= max) {
		if (fd_buf_append(out, norm, nlen) == -1)
			return nomem(errbuf);
		return 0;
	}
	if (max < FD_NAMING_TAG_LEN)
		return fd_diag_set(errbuf, "max_length %zu is shorter than the "
		    "%d-character tag", max, FD_NAMING_TAG_LEN);
	if (make_tag(raw, rawlen, t, errbuf) == -1)
		return -1;
	rem = max - FD_NAMING_TAG_LEN;
	lb = char_off(norm, nlen, rem / 2 + rem % 2);
	rb = char_off(norm, nlen, n - rem / 2);
	if (fd_buf_append(out, norm, lb) == -1 ||
	    fd_buf_append(out, t, FD_NAMING_TAG_LEN) == -1 ||
	    fd_buf_append(out, norm + rb, nlen - rb) == -1)
		return nomem(errbuf);
	return 0;
}

/*
 * snake_case's _to_snake_case after the translation and the run
 * replacement: the two camelCase passes (each re.sub: one scan, a match
 * resumes the scan after itself) and lower case, from a[0..m) into c,
 * by way of tmp; returns the new length.  The first pass adds at most
 * one code point per three, the second one per two, so c and tmp need
 * room for 2 * m code points.
 */
static size_t
camel(const uint32_t *a, size_t m, uint32_t *c, uint32_t *tmp)
{
	size_t i, j, n;

	/* ([^_])([A-Z][a-z]+) -> \1_\2 */
	for (i = n = 0; i < m; ) {
		if (a[i] != '_' && i + 2 < m && is_upper(a[i + 1]) &&
		    is_lower(a[i + 2])) {
			for (j = i + 3; j < m && is_lower(a[j]); j++)
				;
			tmp[n++] = a[i++];
			tmp[n++] = '_';
			while (i < j)
				tmp[n++] = a[i++];
		} else
			tmp[n++] = a[i++];
	}
	/* ([a-z0-9])([A-Z]) -> \1_\2, then .lower() */
	m = n;
	for (i = n = 0; i < m; ) {
		if ((is_lower(tmp[i]) || (tmp[i] >= '0' && tmp[i] <= '9')) &&
		    i + 1 < m && is_upper(tmp[i + 1])) {
			c[n++] = tmp[i++];
			c[n++] = '_';
		}
		c[n++] = is_upper(tmp[i]) ? tmp[i] - 'A' + 'a' : tmp[i];
		i++;
	}
	return n;
}

/* fd_naming_snake on valid UTF-8. */
static int
snake(const char *name, size_t len, size_t max, struct fd_buf *out,
    char *errbuf)
{
	const unsigned char *s = (const unsigned char *)name;
	struct fd_buf tmp = FD_BUF_INIT;
	uint32_t *a, *c, cp, prev;
	size_t b, e, i, m, n, k, cap;
	int run, rc = -1;

	strip(name, len, &b, &e);
	if (b == e)
		return fd_diag_set(errbuf, "empty identifier");
	/* no step more than doubles the code points (at most e - b) */
	if (e - b > (SIZE_MAX / sizeof(*a) - 8) / 6)
		return nomem(errbuf);
	cap = 2 * (e - b) + 2;
	if ((a = malloc(3 * cap * sizeof(*a))) == NULL)
		return nomem(errbuf);
	c = a + cap;

	/* translate "+-*@|" to "x_xal"; [^a-zA-Z\d_]+ -> _ */
	for (i = b, m = 0, run = 0; i < e; ) {
		i += dec(s, i, &cp);
		switch (cp) {
		case '+':
		case '*':
			cp = 'x';
			break;
		case '-':
			cp = '_';
			break;
		case '@':
			cp = 'a';
			break;
		case '|':
			cp = 'l';
			break;
		}
		if (is_upper(cp) || is_lower(cp) || cp == '_' || is_digit(cp)) {
			a[m++] = cp;
			run = 0;
		} else if (!run) {
			a[m++] = '_';
			run = 1;
		}
	}
	n = camel(a, m, c, c + cap);

	/*
	 * A leading \d gets a _; then n trailing _ become n x; then runs
	 * of _ collapse (the prefix is followed by a digit, the x's are
	 * not _, so only the middle can collapse).
	 */
	for (k = 0; k < n && c[n - 1 - k] == '_'; k++)
		;
	prev = 0;
	if (is_digit(c[0]) && fd_buf_putc(&tmp, '_') == -1)
		goto nomem;
	for (i = 0; i < n - k; i++) {
		if (c[i] == '_' && prev == '_')
			continue;
		if (put_utf8(&tmp, c[i]) == -1)
			goto nomem;
		prev = c[i];
	}
	for (i = 0; i < k; i++)
		if (fd_buf_putc(&tmp, 'x') == -1)
			goto nomem;
	rc = shorten(tmp.data, tmp.len, name + b, e - b, max, out, errbuf);
	goto done;
nomem:
	rc = nomem(errbuf);
done:
	free(a);
	fd_buf_free(&tmp);
	return rc;
}

/* fd_naming_direct on valid UTF-8. */
static int
direct(const char *name, size_t len, size_t max, struct fd_buf *out,
    char *errbuf)
{
	struct fd_buf tmp = FD_BUF_INIT;
	size_t b, e, i;
	int rc;

	strip(name, len, &b, &e);
	if (b == e)
		return fd_diag_set(errbuf, "empty identifier");
	if (fd_buf_reserve(&tmp, e - b) == -1)
		return nomem(errbuf);
	for (i = b; i < e; i++) {
		if (name[i] == '\n' || name[i] == '\r' || name[i] == '\'' ||
		    name[i] == '"')
			tmp.data[tmp.len++] = '_';
		else if (e - i >= 3 && memcmp(name + i, SEP_DIRECT, 3) == 0) {
			tmp.data[tmp.len++] = '_';
			i += 2;
		} else
			tmp.data[tmp.len++] = name[i];
	}
	tmp.data[tmp.len] = '\0';
	rc = shorten(tmp.data, tmp.len, name + b, e - b, max, out, errbuf);
	fd_buf_free(&tmp);
	return rc;
}

static int
ident(enum fd_naming_conv conv, const char *name, size_t len, size_t max,
    struct fd_buf *out, char *errbuf)
{
	if (conv == FD_NAMING_DIRECT)
		return direct(name, len, max, out, errbuf);
	return snake(name, len, max, out, errbuf);
}

/*
 * dlt's normalize_path (and normalize_tables_path, the same for both
 * conventions) of valid UTF-8: appends nothing when no part is left.
 */
static int
norm_path(enum fd_naming_conv conv, const char *path, size_t len,
    size_t max, struct fd_buf *out, char *errbuf)
{
	const char *sep = fd_naming_separator(conv);
	size_t seplen = strlen(sep), p, q;
	struct fd_buf tmp = FD_BUF_INIT;
	int rc = -1;

	/* path.split(sep), left to right; blank parts are dropped */
	for (p = 0; ; p = q + seplen) {
		for (q = p; q + seplen <= len &&
		    memcmp(path + q, sep, seplen) != 0; q++)
			;
		if (q + seplen > len)
			q = len;
		if (!is_blank(path + p, q - p)) {
			if (tmp.len > 0 && fd_buf_puts(&tmp, sep) == -1) {
				rc = nomem(errbuf);
				goto done;
			}
			if (ident(conv, path + p, q - p, max, &tmp,
			    errbuf) == -1)
				goto done;
		}
		if (q == len)
			break;
	}
	rc = tmp.len == 0 ? 0 :
	    shorten(tmp.data, tmp.len, path, len, max, out, errbuf);
done:
	fd_buf_free(&tmp);
	return rc;
}

int
fd_naming_conv_parse(const char *name, enum fd_naming_conv *conv,
    char *errbuf)
{
	if (strcmp(name, "snake_case") == 0)
		*conv = FD_NAMING_SNAKE_CASE;
	else if (strcmp(name, "direct") == 0)
		*conv = FD_NAMING_DIRECT;
	else
		return fd_diag_set(errbuf, "unknown naming convention");
	return 0;
}

const char *
fd_naming_separator(enum fd_naming_conv conv)
{
	return conv == FD_NAMING_DIRECT ? SEP_DIRECT : SEP_SNAKE;
}

int
fd_naming_ident(enum fd_naming_conv conv, const char *name, size_t len,
    size_t max_length, struct fd_buf *out, char *errbuf)
{
	size_t olen = out->len;

	if (check_utf8(name, len, errbuf) == -1)
		return -1;
	if (ident(conv, name, len, max_length, out, errbuf) == -1)
		return restore(out, olen);
	return 0;
}

int
fd_naming_snake(const char *name, size_t len, size_t max_length,
    struct fd_buf *out, char *errbuf)
{
	return fd_naming_ident(FD_NAMING_SNAKE_CASE, name, len, max_length,
	    out, errbuf);
}

int
fd_naming_direct(const char *name, size_t len, size_t max_length,
    struct fd_buf *out, char *errbuf)
{
	return fd_naming_ident(FD_NAMING_DIRECT, name, len, max_length, out,
	    errbuf);
}

int
fd_naming_key(enum fd_naming_conv conv, const char *key, size_t len,
    size_t max_length, struct fd_buf *out, char *errbuf)
{
	size_t olen = out->len;

	if (check_utf8(key, len, errbuf) == -1)
		return -1;
	if (!is_blank(key, len) &&
	    norm_path(conv, key, len, max_length, out, errbuf) == -1)
		return restore(out, olen);
	if (out->len == olen && fd_buf_puts(out, FD_NAMING_EMPTY_KEY) == -1)
		return nomem(errbuf);
	return 0;
}

int
fd_naming_table(enum fd_naming_conv conv, const char *name, size_t len,
    size_t max_length, struct fd_buf *out, char *errbuf)
{
	size_t olen = out->len;

	if (check_utf8(name, len, errbuf) == -1)
		return -1;
	if (norm_path(conv, name, len, max_length, out, errbuf) == -1)
		return restore(out, olen);
	if (out->len == olen)
		return fd_diag_set(errbuf, "empty table name");
	return 0;
}

int
fd_naming_path(enum fd_naming_conv conv, const char *const *frags,
    size_t nfrags, size_t max_length, struct fd_buf *out, char *errbuf)
{
	const char *sep = fd_naming_separator(conv);
	struct fd_buf tmp = FD_BUF_INIT;
	size_t i, n, olen = out->len;
	int rc = -1;

	for (i = 0; i < nfrags; i++) {
		n = strlen(frags[i]);
		if (check_utf8(frags[i], n, errbuf) == -1)
			goto done;
		if (is_blank(frags[i], n))
			continue;
		if ((tmp.len > 0 && fd_buf_puts(&tmp, sep) == -1) ||
		    fd_buf_append(&tmp, frags[i], n) == -1) {
			rc = nomem(errbuf);
			goto done;
		}
	}
	if (tmp.len == 0)
		rc = fd_diag_set(errbuf, "empty path");
	else if ((rc = shorten(tmp.data, tmp.len, tmp.data, tmp.len,
	    max_length, out, errbuf)) == -1)
		restore(out, olen);
done:
	fd_buf_free(&tmp);
	return rc;
}
