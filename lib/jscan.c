/*
 * jscan.c: strict JSON scanner.  See jscan.h.
 *
 * The scanner is a small state machine driven by fd_jscan_next; the
 * helpers in this file call its inline body (scan) directly so that
 * their loops pay no call per token.  Strings, where most of the bytes
 * of a Freshdesk page are, are skipped eight bytes at a time while no
 * byte is a quote, a backslash, a control character or non-ASCII.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "jscan.h"

/* What the grammar expects next (struct fd_jscan, state). */
enum {
	ST_VALUE,		/* a value: at the start, after ':' */
	ST_ARRAY_FIRST,		/* after '[': a value or ']' */
	ST_OBJECT_FIRST,	/* after '{': a key or '}' */
	ST_COLON,		/* after a key: ':' */
	ST_AFTER,		/* after a value: ',', a closing bracket, end */
	ST_END,			/* after the end */
	ST_ERROR
};

/* Results of str_body. */
enum {
	SB_QUOTE,		/* stopped at the closing quote */
	SB_EOF,			/* input ended between characters */
	SB_CUT,			/* input ended inside an escape or sequence */
	SB_BAD,			/* syntax error; *emsg says which */
	SB_UTF8			/* invalid UTF-8 */
};

#define STR(x)	STR_(x)
#define STR_(x)	#x

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FIRST_FLAGGED(m)	((size_t)__builtin_ctzll(m) >> 3)
#endif

static inline int
is_digit(int c)
{
	return (unsigned)(c - '0') < 10;
}

static inline int
hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static inline size_t
skip_ws(const unsigned char *s, size_t len, size_t i)
{
	while (i < len && s[i] <= ' ' &&
	    (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
		i++;
	return i;
}

/*
 * Reads up to four hex digits at s + i.  Returns their value, -1 if one
 * is not a hex digit, -2 if the input ends first.
 */
static inline long
hex4(const unsigned char *s, size_t len, size_t i)
{
	long v = 0;
	size_t k;
	int h;

	for (k = 0; k < 4; k++) {
		if (i + k >= len)
			return -2;
		if ((h = hexval(s[i + k])) < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/*
 * Checks the bytes of a low surrogate escape's hex digits that the
 * input holds (n < 4 of them): "DC00" to "DFFF" in either case.
 */
static int
low_prefix_ok(const unsigned char *s, size_t n)
{
	if (n > 0 && (s[0] | 0x20) != 'd')
		return 0;
	if (n > 1 && !((s[1] | 0x20) >= 'c' && (s[1] | 0x20) <= 'f'))
		return 0;
	if (n > 2 && hexval(s[2]) < 0)
		return 0;
	return 1;
}

/*
 * Scans string contents from s + *ip up to the closing quote, checking
 * escapes, control characters and UTF-8.  On return *ip is the offset
 * of the quote (SB_QUOTE), of the end (SB_EOF, SB_CUT) or of the bad
 * byte (SB_BAD with *emsg, SB_UTF8).  ESCAPED is or'ed into *flags.
 */
/*
 * Skips string contents from s + i eight bytes at a time while no byte
 * is a quote, a backslash, a control character or non-ASCII; returns
 * where it stopped: at such a byte, or up to seven bytes before it or
 * before len.
 */
static inline size_t
plain_run(const unsigned char *s, size_t len, size_t i)
{
	while (i + 8 <= len) {
		uint64_t w, m;

		memcpy(&w, s + i, 8);
		m = (w | (w - 0x20 * ONES) | ((w ^ '"' * ONES) - ONES) |
		    ((w ^ '\\' * ONES) - ONES)) & HIGHS;
		if (m != 0) {
#ifdef FIRST_FLAGGED
			i += FIRST_FLAGGED(m);
#endif
			break;
		}
		i += 8;
	}
	return i;
}

static inline int
str_body(const unsigned char *s, size_t len, size_t *ip, int *flags,
    const char **emsg)
{
	size_t i = *ip, n, k;
	unsigned c, lo, hi;
	long u, v;

	for (;;) {
		i = plain_run(s, len, i);
		if (i >= len) {
			*ip = len;
			return SB_EOF;
		}
		c = s[i];
		if (c == '"') {
			*ip = i;
			return SB_QUOTE;
		}
		if (c >= 0x20 && c < 0x80 && c != '\\') {
			i++;
			continue;
		}
		if (c < 0x20) {
			*ip = i;
			*emsg = "control character in string";
			return SB_BAD;
		}
		if (c == '\\') {
			*flags |= FD_JTOK_ESCAPED;
			if (i + 1 >= len)
				goto cut;
			switch (s[i + 1]) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				i += 2;
				continue;
			case 'u':
				break;
			default:
				*ip = i;
				*emsg = "invalid escape";
				return SB_BAD;
			}
			if ((u = hex4(s, len, i + 2)) == -2)
				goto cut;
			if (u == -1)
				goto badu;
			if (u < 0xd800 || u > 0xdfff) {
				i += 6;
				continue;
			}
			if (u >= 0xdc00)
				goto lone;
			/* a high surrogate: "\uDCxx" must follow */
			if (i + 6 >= len)
				goto cut;
			if (s[i + 6] != '\\')
				goto lone;
			if (i + 7 >= len)
				goto cut;
			if (s[i + 7] != 'u')
				goto lone;
			if ((v = hex4(s, len, i + 8)) == -2) {
				if (low_prefix_ok(s + i + 8, len - i - 8))
					goto cut;
				goto lone;
			}
			if (v == -1) {
				i += 6;
				goto badu;
			}
			if (v < 0xdc00 || v > 0xdfff)
				goto lone;
			i += 12;
			continue;
		}
		/* non-ASCII: RFC 3629, Table 3-7 of the Unicode standard */
		lo = 0x80;
		hi = 0xbf;
		if (c < 0xc2)
			goto badutf8;
		else if (c < 0xe0)
			n = 1;
		else if (c < 0xf0) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c < 0xf5) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else
			goto badutf8;
		if (i + 1 >= len)
			goto cut;
		if (s[i + 1] < lo || s[i + 1] > hi)
			goto badutf8;
		for (k = 2; k <= n; k++) {
			if (i + k >= len)
				goto cut;
			if ((s[i + k] & 0xc0) != 0x80)
				goto badutf8;
		}
		i += n + 1;
	}
cut:
	*ip = len;
	return SB_CUT;
badu:
	*ip = i;
	*emsg = "invalid \\u escape";
	return SB_BAD;
lone:
	*ip = i;
	*emsg = "lone surrogate in \\u escape";
	return SB_BAD;
badutf8:
	*ip = i;
	return SB_UTF8;
}

/*
 * The offset of the quote that closes the string whose contents start
 * at i, or len when there is none.  Only '"' and '\\' matter here: the
 * contents are not checked.  ESCAPED is or'ed into *flags when there
 * is an escape.
 */
static inline size_t
str_end(const unsigned char *s, size_t len, size_t i, int *flags)
{
	for (;;) {
		while (i + 8 <= len) {
			uint64_t w, m;

			memcpy(&w, s + i, 8);
			m = (((w ^ '"' * ONES) - ONES) & ~(w ^ '"' * ONES)) |
			    (((w ^ '\\' * ONES) - ONES) & ~(w ^ '\\' * ONES));
			if ((m &= HIGHS) != 0) {
#ifdef FIRST_FLAGGED
				i += FIRST_FLAGGED(m);
#endif
				break;
			}
			i += 8;
		}
		while (i < len && s[i] != '"' && s[i] != '\\')
			i++;
		if (i >= len || s[i] == '"')
			return i;
		*flags |= FD_JTOK_ESCAPED;
		i += 2;		/* an escape: the next byte is not a quote */
	}
}

static int
fail(struct fd_jscan *js, int err, size_t off, const char *msg)
{
	js->err = err;
	js->erroff = off + 1;
	js->errmsg = msg;
	js->state = ST_ERROR;
	js->pos = off;
	return -1;
}

static inline int
top_is_object(const struct fd_jscan *js)
{
	int d = js->depth - 1;

	return js->stack[d >> 3] >> (d & 7) & 1;
}

static inline int
push(struct fd_jscan *js, int object, size_t i)
{
	int d = js->depth;

	if (d >= FD_JSCAN_MAXDEPTH)
		return fail(js, FD_JSCAN_SYNTAX, i,
		    "nesting deeper than " STR(FD_JSCAN_MAXDEPTH));
	if (object)
		js->stack[d >> 3] |= (unsigned char)(1u << (d & 7));
	else
		js->stack[d >> 3] &= (unsigned char)~(1u << (d & 7));
	js->depth = d + 1;
	return 0;
}

/*
 * The body of fd_jscan_next.  Every path sets js->pos and js->state
 * (fail does for errors).
 */
static inline int
scan(struct fd_jscan *js, struct fd_jtok *t)
{
	const unsigned char *s = (const unsigned char *)js->s;
	size_t len = js->len, i = js->pos, st;
	const char *emsg = NULL, *want = NULL, *lit = NULL;
	int c, kind, r, obj;

	switch (js->state) {
	case ST_AFTER:
		i = skip_ws(s, len, i);
		if (js->depth == 0) {
			if (i < len)
				return fail(js, FD_JSCAN_SYNTAX, i,
				    "unexpected data after the value");
			js->state = ST_END;
			js->pos = i;
			goto end;
		}
		obj = top_is_object(js);
		if (i >= len)
			return fail(js, FD_JSCAN_TRUNCATED, len,
			    obj ? "expected ',' or '}'" : "expected ',' or ']'");
		c = s[i];
		if (c == ',') {
			i = skip_ws(s, len, i + 1);
			if (obj) {
				want = "expected a string key";
				goto key;
			}
			goto value;
		}
		if (c == (obj ? '}' : ']'))
			goto close;
		return fail(js, FD_JSCAN_SYNTAX, i,
		    obj ? "expected ',' or '}'" : "expected ',' or ']'");
	case ST_COLON:
		i = skip_ws(s, len, i);
		if (i >= len)
			return fail(js, FD_JSCAN_TRUNCATED, len, "expected ':'");
		if (s[i] != ':')
			return fail(js, FD_JSCAN_SYNTAX, i, "expected ':'");
		i = skip_ws(s, len, i + 1);
		goto value;
	case ST_VALUE:
		i = skip_ws(s, len, i);
		goto value;
	case ST_ARRAY_FIRST:
		i = skip_ws(s, len, i);
		if (i < len && s[i] == ']')
			goto close;
		goto value;
	case ST_OBJECT_FIRST:
		i = skip_ws(s, len, i);
		if (i < len && s[i] == '}')
			goto close;
		want = "expected a string key or '}'";
		goto key;
	case ST_END:
		goto end;
	default:
		return -1;
	}

key:
	if (i >= len)
		return fail(js, FD_JSCAN_TRUNCATED, len, want);
	if (s[i] != '"')
		return fail(js, FD_JSCAN_SYNTAX, i, want);
	kind = FD_JTOK_KEY;
	goto string;

value:
	if (i >= len)
		return fail(js, FD_JSCAN_TRUNCATED, len, "expected a value");
	st = i;
	switch (s[i]) {
	case '"':
		kind = FD_JTOK_STRING;
		goto string;
	case '{':
		if (push(js, 1, i) == -1)
			return -1;
		t->kind = FD_JTOK_OBJECT;
		js->state = ST_OBJECT_FIRST;
		goto one;
	case '[':
		if (push(js, 0, i) == -1)
			return -1;
		t->kind = FD_JTOK_ARRAY;
		js->state = ST_ARRAY_FIRST;
		goto one;
	case 't':
		kind = FD_JTOK_TRUE;
		lit = "true";
		goto literal;
	case 'f':
		kind = FD_JTOK_FALSE;
		lit = "false";
		goto literal;
	case 'n':
		kind = FD_JTOK_NULL;
		lit = "null";
		goto literal;
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		goto number;
	default:
		return fail(js, FD_JSCAN_SYNTAX, i, "expected a value");
	}

string:
	st = i++;
	t->flags = 0;
	if (js->valid) {
		if ((i = str_end(s, len, i, &t->flags)) >= len)
			return fail(js, FD_JSCAN_TRUNCATED, len,
			    "unterminated string");
	} else if ((i = plain_run(s, len, i)) < len && s[i] == '"')
		;	/* (most strings: plain ASCII, no call) */
	else switch (str_body(s, len, &i, &t->flags, &emsg)) {
	case SB_QUOTE:
		break;
	case SB_EOF:
	case SB_CUT:
		return fail(js, FD_JSCAN_TRUNCATED, len,
		    "unterminated string");
	case SB_UTF8:
		return fail(js, FD_JSCAN_UTF8, i, NULL);
	default:
		return fail(js, FD_JSCAN_SYNTAX, i, emsg);
	}
	i++;
	t->kind = kind;
	t->p = (const char *)s + st;
	t->len = i - st;
	js->pos = i;
	js->state = kind == FD_JTOK_KEY ? ST_COLON : ST_AFTER;
	return kind;

literal:
	{
		size_t n = strlen(lit), k;

		for (k = 1; k < n; k++) {
			if (i + k >= len)
				return fail(js, FD_JSCAN_TRUNCATED, len,
				    "incomplete literal");
			if (s[i + k] != (unsigned char)lit[k])
				return fail(js, FD_JSCAN_SYNTAX, i,
				    "invalid literal");
		}
		i += n;
	}
	t->flags = 0;
	goto done;

number:
	t->flags = FD_JTOK_INTEGER;
	if (s[i] == '-' && ++i >= len)
		return fail(js, FD_JSCAN_TRUNCATED, len, "expected a digit");
	if (s[i] == '0') {
		if (++i < len && is_digit(s[i]))
			return fail(js, FD_JSCAN_SYNTAX, i - 1,
			    "leading zero in number");
	} else if (is_digit(s[i])) {
		while (++i < len && is_digit(s[i]))
			;
	} else
		return fail(js, FD_JSCAN_SYNTAX, i, "expected a digit");
	if (i < len && s[i] == '.') {
		t->flags = 0;
		if (++i >= len)
			return fail(js, FD_JSCAN_TRUNCATED, len,
			    "expected a digit");
		if (!is_digit(s[i]))
			return fail(js, FD_JSCAN_SYNTAX, i,
			    "expected a digit");
		while (++i < len && is_digit(s[i]))
			;
	}
	if (i < len && (s[i] | 0x20) == 'e') {
		t->flags = 0;
		if (++i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= len)
			return fail(js, FD_JSCAN_TRUNCATED, len,
			    "expected a digit");
		if (!is_digit(s[i]))
			return fail(js, FD_JSCAN_SYNTAX, i,
			    "expected a digit");
		while (++i < len && is_digit(s[i]))
			;
	}
	kind = FD_JTOK_NUMBER;
	goto done;

close:
	r = top_is_object(js);
	js->depth--;
	t->kind = r ? FD_JTOK_OBJECT_END : FD_JTOK_ARRAY_END;
	js->state = ST_AFTER;
	st = i;
one:
	t->flags = 0;
	t->p = (const char *)s + st;
	t->len = 1;
	js->pos = st + 1;
	return t->kind;

done:
	t->kind = kind;
	t->p = (const char *)s + st;
	t->len = i - st;
	js->pos = i;
	js->state = ST_AFTER;
	return kind;

end:
	t->kind = FD_JTOK_END;
	t->flags = 0;
	t->p = js->s + len;
	t->len = 0;
	return FD_JTOK_END;
}

void
fd_jscan_init(struct fd_jscan *js, const char *s, size_t len)
{
	js->s = s;
	js->len = len;
	js->pos = 0;
	js->depth = 0;
	js->err = FD_JSCAN_OK;
	js->erroff = 0;
	js->errmsg = NULL;
	js->state = ST_VALUE;
	js->valid = 0;
}

void
fd_jscan_init_valid(struct fd_jscan *js, const char *s, size_t len)
{
	fd_jscan_init(js, s, len);
	js->valid = 1;
}

int
fd_jscan_next(struct fd_jscan *js, struct fd_jtok *t)
{
	return scan(js, t);
}

/*
 * Consumes the rest of the object or array that t opened by matching
 * brackets, not scanning tokens: strings to their closing quote,
 * brackets by nesting (a '}' may close a '[' there).  The closing
 * bracket is then scanned as a token, so the scanner goes on after the
 * value as after skip_value.
 */
static inline int
skip_matched(struct fd_jscan *js, const struct fd_jtok *t, const char **val,
    size_t *vlen)
{
	const unsigned char *s = (const unsigned char *)js->s;
	size_t len = js->len, i = js->pos;
	long n = 1;
	struct fd_jtok u;
	int flags;

	for (; i < len; i++) {
		switch (s[i]) {
		case '"':
			if ((i = str_end(s, len, i + 1, &flags)) >= len)
				return fail(js, FD_JSCAN_TRUNCATED, len,
				    "unterminated string");
			continue;
		case '{':
		case '[':
			n++;
			continue;
		case '}':
		case ']':
			if (--n > 0)
				continue;
			js->pos = i;
			if (scan(js, &u) == -1)
				return -1;
			*val = t->p;
			*vlen = (size_t)(u.p + 1 - t->p);
			return 0;
		default:
			continue;
		}
	}
	return fail(js, FD_JSCAN_TRUNCATED, len, "unterminated container");
}

static inline int
skip_value(struct fd_jscan *js, const struct fd_jtok *t, const char **val,
    size_t *vlen)
{
	struct fd_jtok u;
	int d;

	switch (t->kind) {
	case FD_JTOK_OBJECT:
	case FD_JTOK_ARRAY:
		if (js->valid)
			return skip_matched(js, t, val, vlen);
		d = js->depth - 1;
		do {
			if (scan(js, &u) == -1)
				return -1;
		} while (js->depth > d);
		*val = t->p;
		*vlen = (size_t)(u.p + 1 - t->p);
		return 0;
	case FD_JTOK_STRING:
	case FD_JTOK_NUMBER:
	case FD_JTOK_TRUE:
	case FD_JTOK_FALSE:
	case FD_JTOK_NULL:
		*val = t->p;
		*vlen = t->len;
		return 0;
	default:
		return -1;
	}
}

int
fd_jscan_member(struct fd_jscan *js, struct fd_jtok *key, struct fd_jtok *val,
    const char **vp, size_t *vlen)
{
	if (fd_jscan_next(js, key) == -1)
		return -1;
	if (key->kind == FD_JTOK_OBJECT_END)
		return 0;
	if (fd_jscan_next(js, val) == -1 ||
	    fd_jscan_skip(js, val, vp, vlen) == -1)
		return -1;
	return 1;
}

int
fd_jscan_skip(struct fd_jscan *js, const struct fd_jtok *t,
    const char **val, size_t *vlen)
{
	return skip_value(js, t, val, vlen);
}

int
fd_jscan_skip_unchecked(struct fd_jscan *js, const struct fd_jtok *t,
    const char **val, size_t *vlen)
{
	if (t->kind != FD_JTOK_OBJECT && t->kind != FD_JTOK_ARRAY)
		return skip_value(js, t, val, vlen);
	return skip_matched(js, t, val, vlen);
}

int
fd_jscan_error(const struct fd_jscan *js, char *errbuf)
{
	switch (js->err) {
	case FD_JSCAN_UTF8:
		return fd_diag_set(errbuf, "invalid UTF-8 at byte %zu",
		    js->erroff);
	case FD_JSCAN_TRUNCATED:
		return fd_diag_set(errbuf, "truncated JSON at byte %zu: %s",
		    js->erroff, js->errmsg);
	case FD_JSCAN_SYNTAX:
		return fd_diag_set(errbuf, "invalid JSON at byte %zu: %s",
		    js->erroff, js->errmsg);
	default:
		return fd_diag_set(errbuf, "no JSON error");
	}
}

int
fd_jscan_kind(const char *s, size_t len)
{
	size_t i = skip_ws((const unsigned char *)s, len, 0);

	if (i >= len)
		return -1;
	switch (s[i]) {
	case '{':
		return FD_JTOK_OBJECT;
	case '[':
		return FD_JTOK_ARRAY;
	case '"':
		return FD_JTOK_STRING;
	case 't':
		return FD_JTOK_TRUE;
	case 'f':
		return FD_JTOK_FALSE;
	case 'n':
		return FD_JTOK_NULL;
	case '-':
		return FD_JTOK_NUMBER;
	default:
		return is_digit(s[i]) ? FD_JTOK_NUMBER : -1;
	}
}

static const char *
kind_name(int kind)
{
	switch (kind) {
	case FD_JTOK_OBJECT:
		return "an object";
	case FD_JTOK_ARRAY:
		return "an array";
	case FD_JTOK_STRING:
		return "a string";
	case FD_JTOK_NUMBER:
		return "a number";
	case FD_JTOK_NULL:
		return "null";
	default:
		return "a boolean";
	}
}

int
fd_jscan_validate(const char *s, size_t len, char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok t;
	int k;

	fd_jscan_init(&js, s, len);
	while ((k = scan(&js, &t)) > 0)
		;
	if (k == -1)
		return fd_jscan_error(&js, errbuf);
	return 0;
}

int
fd_jscan_compact(const char *s, size_t len, struct fd_buf *out,
    char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok t;
	const char *run = NULL, *prev = NULL, *q;
	char *d;
	int k;

	/* the output is never longer than the input */
	if (fd_buf_reserve(out, len) == -1)
		return fd_diag_set(errbuf, "out of memory");
	d = out->data + out->len;
	fd_jscan_init(&js, s, len);
	/*
	 * Tokens are copied as they are; between two tokens only blanks
	 * and the separators ',' and ':' can occur.  Runs of bytes without
	 * blanks are copied in one go.
	 */
	while ((k = scan(&js, &t)) > 0) {
		if (run == NULL)
			run = t.p;
		else
			for (q = prev; q < t.p; q++)
				if (*q == ' ' || *q == '\n' || *q == '\r' ||
				    *q == '\t') {
					memcpy(d, run, (size_t)(q - run));
					d += q - run;
					run = q + 1;
				}
		prev = t.p + t.len;
	}
	if (k == -1) {
		out->data[out->len] = '\0';
		return fd_jscan_error(&js, errbuf);
	}
	memcpy(d, run, (size_t)(prev - run));
	d += prev - run;
	*d = '\0';
	out->len = (size_t)(d - out->data);
	return 0;
}

int
fd_jscan_elements(const char *s, size_t len,
    int (*fn)(void *, const char *, size_t), void *arg, char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok t;
	const char *v;
	size_t vlen;
	int k;

	if (fd_jscan_validate(s, len, errbuf) == -1)
		return -1;
	fd_jscan_init(&js, s, len);
	if ((k = scan(&js, &t)) != FD_JTOK_ARRAY)
		return fd_diag_set(errbuf, "expected a JSON array, found %s",
		    kind_name(k));
	/* the text is valid: the scan cannot fail from here */
	while ((k = scan(&js, &t)) != FD_JTOK_ARRAY_END) {
		if (k == -1 || skip_value(&js, &t, &v, &vlen) == -1)
			return fd_jscan_error(&js, errbuf);
		if (fn(arg, v, vlen) != 0)
			return -1;
	}
	return 0;
}

/*
 * Decodes the escape at s (contents already validated) into u; returns
 * the number of bytes written to u and advances *ip past the escape.
 */
static size_t
unescape(const unsigned char *s, size_t *ip, unsigned char *u)
{
	size_t i = *ip;
	unsigned long c;

	switch (s[i + 1]) {
	case 'b':
		c = '\b';
		break;
	case 'f':
		c = '\f';
		break;
	case 'n':
		c = '\n';
		break;
	case 'r':
		c = '\r';
		break;
	case 't':
		c = '\t';
		break;
	case 'u':
		c = (unsigned long)hex4(s, i + 6, i + 2);
		if (c >= 0xd800 && c <= 0xdbff) {
			c = 0x10000 + ((c - 0xd800) << 10) +
			    ((unsigned long)hex4(s, i + 12, i + 8) - 0xdc00);
			*ip = i + 12;
		} else
			*ip = i + 6;
		if (c < 0x80) {
			u[0] = (unsigned char)c;
			return 1;
		}
		if (c < 0x800) {
			u[0] = (unsigned char)(0xc0 | c >> 6);
			u[1] = (unsigned char)(0x80 | (c & 0x3f));
			return 2;
		}
		if (c < 0x10000) {
			u[0] = (unsigned char)(0xe0 | c >> 12);
			u[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
			u[2] = (unsigned char)(0x80 | (c & 0x3f));
			return 3;
		}
		u[0] = (unsigned char)(0xf0 | c >> 18);
		u[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (c & 0x3f));
		return 4;
	default:	/* '"', '\\', '/' */
		c = s[i + 1];
		break;
	}
	*ip = i + 2;
	u[0] = (unsigned char)c;
	return 1;
}

/* Whether the valid string contents s (n bytes) decode to k (kn bytes). */
static int
key_eq(const unsigned char *s, size_t n, const unsigned char *k, size_t kn)
{
	unsigned char u[4];
	size_t i = 0, j = 0, m;

	while (i < n) {
		if (s[i] != '\\') {
			if (j >= kn || s[i] != k[j])
				return 0;
			i++;
			j++;
			continue;
		}
		m = unescape(s, &i, u);
		if (kn - j < m || memcmp(u, k + j, m) != 0)
			return 0;
		j += m;
	}
	return j == kn;
}

int
fd_jscan_field(const char *obj, size_t len, const char *key,
    const char **val, size_t *vlen, char *errbuf)
{
	struct fd_jscan js;
	struct fd_jtok t;
	const char *v;
	size_t klen = strlen(key), n;
	int k, match, found = 0;

	fd_jscan_init(&js, obj, len);
	if ((k = scan(&js, &t)) == -1)
		return fd_jscan_error(&js, errbuf);
	if (k != FD_JTOK_OBJECT) {
		if (fd_jscan_validate(obj, len, errbuf) == -1)
			return -1;
		return fd_diag_set(errbuf, "expected a JSON object, found %s",
		    kind_name(k));
	}
	while ((k = scan(&js, &t)) == FD_JTOK_KEY) {
		n = t.len - 2;
		if (t.flags & FD_JTOK_ESCAPED)
			match = key_eq((const unsigned char *)t.p + 1, n,
			    (const unsigned char *)key, klen);
		else
			match = n == klen && memcmp(t.p + 1, key, n) == 0;
		if (scan(&js, &t) == -1 ||
		    skip_value(&js, &t, &v, &n) == -1)
			return fd_jscan_error(&js, errbuf);
		if (match) {
			*val = v;
			*vlen = n;
			found = 1;
		}
	}
	if (k == -1 || scan(&js, &t) == -1)
		return fd_jscan_error(&js, errbuf);
	return found ? 0 : 1;
}

int
fd_jscan_int64(const char *num, size_t len, long long *out)
{
	const unsigned char *s = (const unsigned char *)num;
	unsigned long long v = 0, lim = (unsigned long long)INT64_MAX;
	size_t i = 0;
	int neg = 0, d;

	if (len > 0 && s[0] == '-') {
		neg = 1;
		lim++;
		i++;
	}
	if (i >= len || !is_digit(s[i]) || (s[i] == '0' && len - i > 1))
		return -1;
	for (; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;
		d = s[i] - '0';
		if (v > (lim - (unsigned long long)d) / 10)
			return -1;
		v = v * 10 + (unsigned long long)d;
	}
	if (neg)
		*out = v == lim ? INT64_MIN : -(long long)v;
	else
		*out = (long long)v;
	return 0;
}

int
fd_jscan_string(const char *tok, size_t len, struct fd_buf *out,
    char *errbuf)
{
	const unsigned char *s = (const unsigned char *)tok, *bs;
	const char *emsg = NULL;
	size_t i, n, run, end;
	unsigned char *d;
	int flags = 0, r;

	/* validate; offsets in messages count from tok */
	i = len > 0 && s[0] == '"';
	end = len;
	r = str_body(s, len, &i, &flags, &emsg);
	if (len > 0 && s[0] == '"') {
		if (r == SB_QUOTE && i == len - 1 && len > 1)
			end = len - 1;
		else if (r == SB_QUOTE)
			return fd_diag_set(errbuf, "invalid JSON at byte %zu: "
			    "unexpected data after the string", i + 2);
		else if (r == SB_EOF || r == SB_CUT)
			return fd_diag_set(errbuf, "truncated JSON at byte %zu: "
			    "unterminated string", len + 1);
	} else if (r == SB_QUOTE)
		return fd_diag_set(errbuf, "invalid JSON at byte %zu: "
		    "unescaped '\"' in string", i + 1);
	else if (r == SB_CUT)	/* contents are complete by definition */
		return fd_diag_set(errbuf, "invalid JSON at byte %zu: "
		    "string ends inside an escape or UTF-8 sequence", len + 1);
	if (r == SB_UTF8)
		return fd_diag_set(errbuf, "invalid UTF-8 at byte %zu", i + 1);
	if (r == SB_BAD)
		return fd_diag_set(errbuf, "invalid JSON at byte %zu: %s",
		    i + 1, emsg);

	/* decode: the value is never longer than its contents */
	i = len > 0 && s[0] == '"';
	n = end - i;
	if (fd_buf_reserve(out, n) == -1)
		return fd_diag_set(errbuf, "out of memory");
	d = (unsigned char *)out->data + out->len;
	while (i < end) {
		bs = memchr(s + i, '\\', end - i);
		run = bs != NULL ? (size_t)(bs - (s + i)) : end - i;
		memcpy(d, s + i, run);
		d += run;
		i += run;
		if (bs != NULL)
			d += unescape(s, &i, d);
	}
	*d = '\0';
	out->len = (size_t)((char *)d - out->data);
	return 0;
}
