/*
 * jscan.h: a strict, allocation-free JSON scanner over a complete text
 * in memory (RFC 8259), and helpers built on it.
 *
 * Unlike libjq 1.6 it keeps numbers as their exact text (integers
 * beyond 2^53 stay exact) and rejects invalid UTF-8 instead of
 * replacing it.  The scanner never copies or allocates: tokens point
 * into the caller's text, which must stay unchanged while they are in
 * use.  The text need not be NUL-terminated.
 *
 * What is accepted: exactly one value, optionally surrounded by
 * whitespace (space, tab, CR, LF only); no trailing commas; no leading
 * zeros; numbers of any size (1e400 is a number token); strings of
 * valid UTF-8 (RFC 3629) with no bare control characters (U+0000 to
 * U+001F) and only the escapes of RFC 8259.  A \uXXXX escape of a
 * surrogate must be a high one followed at once by a low one: a lone
 * surrogate escape is rejected (libjq would turn it into U+FFFD; it
 * cannot be written as UTF-8, and we never change data silently).
 * Containers nest at most FD_JSCAN_MAXDEPTH deep.
 *
 * Errors are described as
 *	"invalid JSON at byte N: <detail>"
 *	"invalid UTF-8 at byte N"
 *	"truncated JSON at byte N: <detail>"
 * where N is the 1-based offset of the offending byte.  "truncated"
 * is used exactly when the text is a proper prefix of some valid JSON
 * text (the input ended too early: an empty text, "[1,", a cut string
 * or UTF-8 sequence), and then N is len + 1, the first missing byte.
 * Callers may rely on these prefixes (fd-fetch retries truncated
 * bodies).  Note that a top-level number cut short ("12" of "123")
 * is itself valid and cannot be detected.
 */
#ifndef FD_JSCAN_H
#define FD_JSCAN_H

#include <stddef.h>

#include "buf.h"

#define FD_JSCAN_MAXDEPTH	10000

/* The kinds of token fd_jscan_next returns. */
enum fd_jtok_kind {
	FD_JTOK_END = 0,	/* end of input after the one value */
	FD_JTOK_OBJECT,		/* '{' */
	FD_JTOK_OBJECT_END,	/* '}' */
	FD_JTOK_ARRAY,		/* '[' */
	FD_JTOK_ARRAY_END,	/* ']' */
	FD_JTOK_KEY,		/* a member name (a string) */
	FD_JTOK_STRING,		/* a string value */
	FD_JTOK_NUMBER,
	FD_JTOK_TRUE,
	FD_JTOK_FALSE,
	FD_JTOK_NULL
};

/* Token flags. */
#define FD_JTOK_ESCAPED	0x1	/* KEY, STRING: contains a '\' escape */
#define FD_JTOK_INTEGER	0x2	/* NUMBER: no fraction, no exponent */

/*
 * One token.  p and len span the token's bytes in the text: the
 * bracket, the literal, the number as written, and for KEY and STRING
 * the string with its quotes.  A string's contents are p + 1 and
 * len - 2 bytes; without FD_JTOK_ESCAPED they are its value as is
 * (valid UTF-8, no NUL); with it, decode them with fd_jscan_string.
 * For END, p is the end of the text and len 0.
 */
struct fd_jtok {
	int		 kind;		/* enum fd_jtok_kind */
	int		 flags;		/* FD_JTOK_* flags */
	const char	*p;
	size_t		 len;
};

/* The error classes of a scanner (see the messages above). */
enum fd_jscan_err {
	FD_JSCAN_OK = 0,
	FD_JSCAN_SYNTAX,	/* "invalid JSON" (also too deep) */
	FD_JSCAN_UTF8,		/* "invalid UTF-8" */
	FD_JSCAN_TRUNCATED	/* "truncated JSON" */
};

/*
 * A pull scanner.  The struct is public so that it can live on the
 * stack and the hot loop needs no allocation; callers only read it,
 * and only the fields documented here.  It borrows the text.  About
 * 1.3 KB, most of it the nesting stack.
 */
struct fd_jscan {
	const char	*s;		/* the text (borrowed) */
	size_t		 len;		/* its length */
	size_t		 pos;		/* offset of the next byte to scan */
	int		 depth;		/* containers open after the last token */
	int		 err;		/* enum fd_jscan_err of the failure */
	size_t		 erroff;	/* 1-based byte offset of the failure */
	const char	*errmsg;	/* detail of the failure (static) */
	/* private */
	int		 state;
	int		 valid;		/* fd_jscan_init_valid's */
	unsigned char	 stack[(FD_JSCAN_MAXDEPTH + 7) / 8];
};

/* Starts scanning len bytes of s.  Cannot fail. */
void	fd_jscan_init(struct fd_jscan *, const char *s, size_t len);

/*
 * As fd_jscan_init, for a text known to be valid: one this scanner has
 * accepted whole (fd_jscan_validate, fd_singer_scan), or a value span
 * that a scan of such a text returned, unchanged since.  The tokens are
 * those fd_jscan_init's scanner returns, flags included, found without
 * checking again what was checked: the contents of strings are not
 * read but for quotes and backslashes, and fd_jscan_skip consumes a
 * container by matching its brackets.  For a caller that scans a
 * validated record again (fd-normalize's flattener), so that each byte
 * is validated once.  Given a text that is not valid, the scanner still
 * stays within it and ends, but what it returns is unspecified.
 */
void	fd_jscan_init_valid(struct fd_jscan *, const char *s, size_t len);

/*
 * Scans the next token into *tok and returns its kind (> 0), or
 * FD_JTOK_END (0) once the value and the whitespace after it are all
 * read (and again on every later call).  Returns -1 on invalid or
 * truncated input, with err, erroff and errmsg set; every later call
 * returns -1 again.  The grammar is checked as tokens are returned, so
 * a token returned before an error is a valid prefix, not a valid text.
 * A KEY is always followed by the member's value.
 */
int	fd_jscan_next(struct fd_jscan *, struct fd_jtok *tok);

/*
 * Given the token that fd_jscan_next just returned, when it begins a
 * value (OBJECT, ARRAY, STRING, NUMBER, TRUE, FALSE, NULL), consumes
 * the rest of that value (to the matching '}' or ']') and stores the
 * span of the whole value in *val and *vlen.  Returns 0, or -1 on a
 * scan error (as fd_jscan_next) or when tok begins no value (the
 * scanner is then left as it was, with err still FD_JSCAN_OK).
 */
int	fd_jscan_skip(struct fd_jscan *, const struct fd_jtok *tok,
	    const char **val, size_t *vlen);

/*
 * As fd_jscan_skip, but the inside of an object or array is only
 * matched, not validated: strings to their closing quote, brackets by
 * nesting (a '}' may close a '[' there).  The scanner goes on after
 * the value as after fd_jscan_skip, and validates what follows.  For a
 * caller that validates the value itself (fd-load scans each record
 * again, column by column); about twice as fast.
 */
int	fd_jscan_skip_unchecked(struct fd_jscan *, const struct fd_jtok *tok,
	    const char **val, size_t *vlen);

/*
 * Reads the next member of the object the scanner is in (after its
 * FD_JTOK_OBJECT token, or after the previous member): the key token
 * in *key, the value's first token in *val and the span of the whole
 * value in *vp and *vlen.  Returns 1 for a member, 0 at the object's
 * end (its '}' consumed), -1 on a scan error (as fd_jscan_next).
 */
int	fd_jscan_member(struct fd_jscan *, struct fd_jtok *key,
	    struct fd_jtok *val, const char **vp, size_t *vlen);

/*
 * Formats the scanner's failure into errbuf (FD_ERRSZ bytes), as
 * described at the top.  Returns -1.
 */
int	fd_jscan_error(const struct fd_jscan *, char *errbuf);

/*
 * The kind of the first token of s (FD_JTOK_OBJECT, FD_JTOK_ARRAY,
 * FD_JTOK_STRING, ...) judged from its first non-blank byte only,
 * without validating anything; -1 if that byte starts no value or there
 * is none.  For telling a page (an array) from a single object after
 * fd_jscan_validate.
 */
int	fd_jscan_kind(const char *s, size_t len);

/*
 * Checks that s is one valid JSON text.  Returns 0, or -1 with the
 * reason in errbuf.
 */
int	fd_jscan_validate(const char *s, size_t len, char *errbuf);

/*
 * Validates s and appends the value to out with every insignificant
 * blank removed: one line, strings and numbers byte for byte as
 * written, no newline added.  Returns 0, or -1 with the reason in
 * errbuf ("out of memory" on ENOMEM); out then holds what it held
 * before.
 */
int	fd_jscan_compact(const char *s, size_t len, struct fd_buf *out,
	    char *errbuf);

/*
 * Splits a top-level array.  First validates the whole text, so fn is
 * never called for an invalid one; then calls fn(arg, elem, elen) for
 * each element in order with the exact span of its text (borrowed from
 * s; may contain blanks inside containers: see fd_jscan_compact).  fn
 * returns 0 to go on; any other value stops the walk, and
 * fd_jscan_elements returns -1 without touching errbuf (fn reports its
 * own failure, through arg).  A valid text that is not an array (an
 * object such as /settings/helpdesk) fails with "expected a JSON array,
 * found an object"; use fd_jscan_kind to choose first.  Returns 0
 * after the last element (fn not called for "[]").
 */
int	fd_jscan_elements(const char *s, size_t len,
	    int (*fn)(void *arg, const char *elem, size_t elen), void *arg,
	    char *errbuf);

/*
 * Finds the member named key (a NUL-terminated UTF-8 string) among the
 * top-level members of the object text obj, comparing decoded names,
 * so "upd\u0061ted_at" matches "updated_at"; members of nested values
 * never match.  The whole text is validated; if the name occurs more
 * than once the last one wins, as in jq.  Returns 0 with the span of
 * the member's value as written (a string with its quotes; borrowed
 * from obj) in *val and *vlen, 1 when there is no such member, -1 with
 * the reason in errbuf when obj is not a valid JSON object.
 */
int	fd_jscan_field(const char *obj, size_t len, const char *key,
	    const char **val, size_t *vlen, char *errbuf);

/*
 * Parses a JSON number token that is an integer ("-0", "67042965499")
 * exactly into *out.  Returns 0, or -1 when num (len bytes) is not a
 * JSON integer (a fraction or exponent: "1.0", "1e3"; a leading zero;
 * anything else) or is outside [-2^63, 2^63 - 1]; *out is then
 * unchanged.
 */
int	fd_jscan_int64(const char *num, size_t len, long long *out);

/*
 * Decodes a JSON string and appends its value (UTF-8, escapes and
 * surrogate pairs decoded) to out.  tok may be the whole token with its
 * quotes, or only the contents between them: a text starting with '"'
 * is taken as the former, since contents cannot start with an
 * unescaped quote.  The string is validated as the scanner does.
 * The value may contain NUL bytes (from "\u0000"); out->len counts
 * them.  Returns 0, or -1 with the reason in errbuf (byte offsets
 * count from tok; "out of memory" on ENOMEM); out then holds what it
 * held before.
 */
int	fd_jscan_string(const char *tok, size_t len, struct fd_buf *out,
	    char *errbuf);

#endif /* FD_JSCAN_H */
