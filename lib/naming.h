/*
 * naming.h: table and column names exactly as dlt makes them (dlt's
 * naming conventions and its relational normalizer; research note
 * dlt-normalize-semantics.md section 2), so that a dlt user gets the
 * same names, byte for byte.
 *
 * Two conventions: snake_case (dlt's default) and direct.  Names are
 * built as dlt builds them:
 *
 *	fd_naming_ident	 one identifier (dlt: normalize_identifier)
 *	fd_naming_key	 one data key or list key, which may itself hold
 *			 the path separator (dlt: normalize_path, and the
 *			 "_empty" rule of the relational normalizer)
 *	fd_naming_table	 a root table name (dlt: normalize_tables_path)
 *	fd_naming_path	 a column or nested table name joined from names
 *			 the functions above made (dlt: shorten_fragments)
 *
 * Which to call where, for a record of root table T:
 *	root table:	fd_naming_table(T) = t
 *	column k:	fd_naming_key(k) = c
 *	column a.b.c:	fd_naming_path({ka, kb, kc}), each kx from
 *			fd_naming_key ("custom_fields__cf_order_number")
 *	nested table of list l in dict d:
 *			fd_naming_path({t, kd, kl}) ("tickets__conversations")
 *	deeper tables:	the same, with every fragment from the root
 *			table down: the parent's fragments plus the new
 *			ones, never the parent's (maybe shortened) name
 *	variant column:	fd_naming_path({column, "v_<type>"})
 * Columns of a nested table start again from its own row: the table's
 * fragments are not part of its column names.
 *
 * Lengths (max_length) count characters (Unicode code points), as
 * Python's len() does in dlt, not bytes; 0 means unlimited.  A name
 * longer than max_length is shortened to exactly max_length: its
 * middle is replaced by a 6-character tag from [a-z0-9], a hash of the
 * text dlt hashes in that place (the functions below say which).
 * Shortening needs max_length >= 6 (FD_NAMING_TAG_LEN): a shorter limit
 * is an error when a name would need it (dlt fails an assertion).
 * A name that fits is never changed by shortening.
 *
 * Text is UTF-8; the input may contain NUL bytes (they are characters
 * like any other).  Outputs are appended to a caller's struct fd_buf
 * (owned by the caller); on failure the buffer is left exactly as it
 * was.  Functions return 0, or -1 with a message in errbuf (FD_ERRSZ
 * bytes, may be NULL): "invalid UTF-8 at byte N", "empty identifier",
 * "empty table name", "empty path", "max_length N is shorter than the
 * 6-character tag", "out of memory", or a libcrypto failure.  Nothing
 * is cached: callers name each new key once and keep the result.
 *
 * Python details reproduced: strip() removes the Unicode White_Space
 * characters that str.isspace() knows (U+0085, U+00A0, U+2000..U+200A,
 * U+3000 and the others, but not U+200B); \d is any Unicode decimal
 * digit (category Nd, as of Unicode 14.0, Python 3.11), so non-ASCII
 * digits survive snake_case ("x٣" stays "x٣").
 */
#ifndef FD_NAMING_H
#define FD_NAMING_H

#include <stddef.h>

struct fd_buf;

/* The naming conventions (dlt's module names in the comments). */
enum fd_naming_conv {
	FD_NAMING_SNAKE_CASE = 0,	/* "snake_case", dlt's default */
	FD_NAMING_DIRECT		/* "direct" */
};

/* The length of the shortening tag. */
#define FD_NAMING_TAG_LEN	6

/* The name fd_naming_key gives a blank key (dlt's EMPTY_KEY_IDENTIFIER). */
#define FD_NAMING_EMPTY_KEY	"_empty"

/*
 * Sets *conv from dlt's name of a convention, "snake_case" or
 * "direct".  0, or -1 with "unknown naming convention" in errbuf.
 */
int	fd_naming_conv_parse(const char *name, enum fd_naming_conv *conv,
	    char *errbuf);

/*
 * The path separator of conv as a static string: "__" for snake_case,
 * "\u25b6" ("▶", three bytes of UTF-8) for direct.
 */
const char *fd_naming_separator(enum fd_naming_conv conv);

/*
 * dlt's snake_case normalize_identifier: appends the normalized form of
 * the len bytes at name to out.  In order: strip() surrounding
 * whitespace; map + * to x, - to _, @ to a, | to l; turn each run of
 * characters other than ASCII letters, decimal digits and _ into one
 * _; split camelCase (([^_])([A-Z][a-z]+) then ([a-z0-9])([A-Z]), each
 * one left-to-right pass); lower case; prefix _ to a leading digit;
 * turn n trailing _ into n x; collapse runs of _ to one.  With
 * max_length, a longer result is shortened with the tag hashed from the
 * stripped input.  The result is never empty and never contains "__".
 * Fails on a name that is empty after stripping ("empty identifier").
 */
int	fd_naming_snake(const char *name, size_t len, size_t max_length,
	    struct fd_buf *out, char *errbuf);

/*
 * dlt's direct normalize_identifier: strip(), then replace LF, CR, '
 * and " and the separator "▶" each with _, keeping everything else
 * (case, spaces, any Unicode).  Shortened, when max_length asks, with
 * the tag hashed from the stripped input.  Fails as fd_naming_snake.
 */
int	fd_naming_direct(const char *name, size_t len, size_t max_length,
	    struct fd_buf *out, char *errbuf);

/* fd_naming_snake or fd_naming_direct, as conv says. */
int	fd_naming_ident(enum fd_naming_conv conv, const char *name,
	    size_t len, size_t max_length, struct fd_buf *out, char *errbuf);

/*
 * The name of one key of a record (a dict key, flattened into a column
 * name, or a list key, which names a nested table), appended to out.
 * A key that is empty or blank gives FD_NAMING_EMPTY_KEY, as in dlt.
 * Otherwise, as dlt's normalize_path: the raw key is split on the
 * separator (left to right, "a___b" is "a" and "_b"), blank parts are
 * dropped, each part goes through fd_naming_ident with max_length, the
 * results are joined with the separator, and the whole is shortened
 * with the tag hashed from the raw key as given (surrounding blanks
 * included).  So "a__b" stays "a__b" and "Small___Love" is
 * "small___love".  A key made of separators and blanks only ("__")
 * gives FD_NAMING_EMPTY_KEY where dlt gives an empty name (which no
 * destination accepts); a blank list key gives FD_NAMING_EMPTY_KEY where
 * dlt drops it from the table path (its rows would land in the parent
 * table).  These are fd's only departures from dlt's names.
 */
int	fd_naming_key(enum fd_naming_conv conv, const char *key, size_t len,
	    size_t max_length, struct fd_buf *out, char *errbuf);

/*
 * The name of a root table (the stream or resource name), appended to
 * out: dlt's normalize_tables_path, which is fd_naming_key's path rule
 * ("channelSURFING" is "channel_surfing").  Fails with "empty table
 * name" when nothing is left of name.
 */
int	fd_naming_table(enum fd_naming_conv conv, const char *name,
	    size_t len, size_t max_length, struct fd_buf *out, char *errbuf);

/*
 * dlt's shorten_fragments: joins the nfrags NUL-terminated names frags
 * (made by the functions above, not normalized again here) with the
 * separator, skipping blank ones, and appends the result to out,
 * shortened when longer than max_length with the tag hashed from the
 * joined string itself.  A nested table's fragments are those of its
 * parent plus its own, so that its tag depends on its whole path (see
 * above).  A fragment cannot hold a NUL byte (the direct convention
 * keeps the NUL of a key "a\u0000b").  Fails with "empty path" when no
 * fragment is left.
 */
int	fd_naming_path(enum fd_naming_conv conv, const char *const *frags,
	    size_t nfrags, size_t max_length, struct fd_buf *out,
	    char *errbuf);

#endif /* FD_NAMING_H */
