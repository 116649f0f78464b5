/*
 * Unit tests of lib/naming.c.  The expected names are dlt's: the test
 * vectors of dlt-normalize-semantics.md section 2 and of dlt's own
 * tests (tests/common/normalizers/test_naming*.py,
 * test_json_relational.py), and values computed with a line-by-line
 * Python copy of dlt's naming.py, snake_case.py and direct.py (Python
 * 3.11, hashlib.shake_128) for the rest.  This file is UTF-8.
 */
#include <stdlib.h>

#include "buf.h"
#include "diag.h"
#include "naming.h"
#include "t.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct vec {
	const char	*in;
	size_t		 max;
	const char	*want;
};

#define MAXFRAGS	8

struct pvec {
	const char	*frags[MAXFRAGS];
	size_t		 max;
	const char	*want;
};

/* b's contents as a string ("" when empty), or NULL when rc is -1. */
static const char *
res(int rc, struct fd_buf *b)
{
	if (rc == -1)
		return NULL;
	return b->data != NULL ? b->data : "";
}

static const char *
snake(struct fd_buf *b, const char *in, size_t max, char *e)
{
	fd_buf_reset(b);
	return res(fd_naming_snake(in, strlen(in), max, b, e), b);
}

static const char *
direct(struct fd_buf *b, const char *in, size_t max, char *e)
{
	fd_buf_reset(b);
	return res(fd_naming_direct(in, strlen(in), max, b, e), b);
}

static const char *
key(struct fd_buf *b, enum fd_naming_conv conv, const char *in, size_t max,
    char *e)
{
	fd_buf_reset(b);
	return res(fd_naming_key(conv, in, strlen(in), max, b, e), b);
}

static const char *
table(struct fd_buf *b, enum fd_naming_conv conv, const char *in,
    size_t max, char *e)
{
	fd_buf_reset(b);
	return res(fd_naming_table(conv, in, strlen(in), max, b, e), b);
}

static const char *
path(struct fd_buf *b, enum fd_naming_conv conv, const char *const *frags,
    size_t max, char *e)
{
	size_t n;

	for (n = 0; n < MAXFRAGS && frags[n] != NULL; n++)
		;
	fd_buf_reset(b);
	return res(fd_naming_path(conv, frags, n, max, b, e), b);
}

/* Writes n copies of s to dst (of size dstsz) after what is there. */
static char *
rep(char *dst, size_t dstsz, const char *s, int n)
{
	while (n-- > 0)
		strncat(dst, s, dstsz - strlen(dst) - 1);
	return dst;
}

/* Note section 2.2, all vectors (the checked and the computed ones). */
static const struct vec note_snake[] = {
	{ "event value", 0, "event_value" },
	{ "event-.!:*<>value", 0, "event_x_value" },
	{ "1event_n'", 0, "_1event_nx" },
	{ "123BaNaNa", 0, "_123_ba_na_na" },
	{ "BANANA", 0, "banana" },
	{ "BAN_ANA", 0, "ban_ana" },
	{ "BANaNA", 0, "ba_na_na" },
	{ " Small Love Potion ", 0, "small_love_potion" },
	{ "BANANA_", 0, "bananax" },
	{ "BANANA____", 0, "bananaxxxx" },
	{ "+-!$*@#=|:", 0, "x_xa_lx" },
	{ "+1", 0, "x1" },
	{ "-1", 0, "_1" },
	{ "LIST+ident:1", 0, "lis_txident_1" },
	{ "event__value_value2____", 0, "event_value_value2xxxx" },
	{ "DealFlow", 0, "deal_flow" },
	{ "createdAt", 0, "created_at" },
	{ "userID", 0, "user_id" },
	{ "HTTPResponse", 0, "http_response" },
	{ "getHTTPResponseCode", 0, "get_http_response_code" },
	{ "IDs", 0, "i_ds" },
	{ "iOS", 0, "i_os" },
	{ "Camel2Camel2Case", 0, "camel2_camel2_case" },
	{ "Company ID", 0, "company_id" },
	{ "cf_Custom Field", 0, "cf_custom_field" },
	{ "cf_SLA Breach?", 0, "cf_sla_breachx" },
	{ "cf_Product (Old)", 0, "cf_product_oldx" },
	{ "email@domain", 0, "emailadomain" },
	{ "a|b", 0, "alb" },
	{ "@type", 0, "atype" },
	{ "$ref", 0, "_ref" },
	{ "#tags", 0, "_tags" },
	{ "näme", 0, "n_me" },
	{ "Über", 0, "_ber" },
	{ "Ünïcödé", 0, "_n_c_dx" },
	{ "日本語", 0, "x" },
	{ "price_in_€", 0, "price_inxx" },
	{ "100%", 0, "_100x" },
	{ "9", 0, "_9" },
	{ "__x", 0, "_x" },
	{ "a__b", 0, "a_b" },
	{ "x__v_text", 0, "x_v_text" },
	/* appendix B: one pass each, a match resumes after itself */
	{ "xAbCd", 0, "x_ab_cd" },
	/* dlt's test_naming_snake_case.py, beyond the note */
	{ "event_value", 0, "event_value" },
	{ "123event_n'", 0, "_123event_nx" },
	{ "Small Love Potion", 0, "small_love_potion" },
	{ "+-*@|", 0, "x_xal" },		/* _REDUCE_ALPHABET */
	/* section 2.4, a single identifier shortened (dlt's test) */
	{ "long+long:SO+LONG:_>16", 16, "longxyfdsfgng_16" }
};

/* Computed: Unicode digits and whitespace, limits. */
static const struct vec computed_snake[] = {
	{ "\u0663abc", 0, "_\u0663abc" },	/* \d is Unicode */
	{ "price\u0663", 0, "price\u0663" },
	{ "x\uff13", 0, "x\uff13" },		/* fullwidth 3 */
	{ "\u0661\u0662\u0663", 0, "_\u0661\u0662\u0663" },
	{ "a\u00a0b", 0, "a_b" },		/* NBSP inside */
	{ "\u3000Name\u3000", 0, "name" },	/* stripped */
	{ "\u200bname", 0, "_name" },		/* ZWSP is not space */
	{ "\xc2\x85x\u2028", 0, "x" },
	{ "\x1c" "A\x1f", 0, "a" },		/* Python strips \x1c-\x1f */
	{ "\u1680\u180eZ", 0, "_z" },		/* U+180E is not space */
	{ "a\u2060b", 0, "a_b" },
	{ "Straße ÜberGröße", 0, "stra_e_ber_gr_e" },
	{ "\U0001F600smile", 0, "_smile" },
	{ "getHTTPResponseCodegetHTTPResponseCodegetHTTPResponseCode"
	    "getHTTPResponseCode", 63,
	    "get_http_response_codeget_httnk30kae_codeget_http_response_code" },
	{ "a                                                          "
	    "                                          b", 63, "a_b" },
	{ "abcdefg", 6, "ezbbkg" },		/* only the tag fits */
	{ "abcdefg", 7, "abcdefg" },
	{ "abcdefgh", 7, "abwyg3q" },
	{ "ab", 3, "ab" }			/* short limit, unused */
};

static void
t_naming_snake(void)
{
	struct fd_buf b = FD_BUF_INIT;
	char e[FD_ERRSZ], in[1024], want[1024];
	size_t i;

	for (i = 0; i < nitems(note_snake); i++)
		T_STR(snake(&b, note_snake[i].in, note_snake[i].max, e),
		    note_snake[i].want);
	for (i = 0; i < nitems(computed_snake); i++)
		T_STR(snake(&b, computed_snake[i].in, computed_snake[i].max, e),
		    computed_snake[i].want);

	/* a NUL is a character like any other */
	fd_buf_reset(&b);
	T_INT(fd_naming_snake("Ab\0Cd", 5, 0, &b, e), 0);
	T_STR(b.data, "ab_cd");

	/* at the limit, and one over it */
	in[0] = '\0';
	T_STR(snake(&b, rep(in, sizeof(in), "a", 63), 63, e), in);
	T_INT(b.len, 63);
	in[0] = want[0] = '\0';
	rep(in, sizeof(in), "a", 64);
	rep(want, sizeof(want), "a", 29);
	strcat(want, "fv1mma");
	T_STR(snake(&b, in, 63, e), rep(want, sizeof(want), "a", 28));
	/* 63 in, 64 out: the _ before the leading digit makes it long */
	in[0] = want[0] = '\0';
	strcpy(in, "1");
	rep(in, sizeof(in), "a", 62);
	strcpy(want, "_1");
	rep(want, sizeof(want), "a", 27);
	strcat(want, "jlch8g");
	T_STR(snake(&b, in, 63, e), rep(want, sizeof(want), "a", 28));
	/* 63 with the trailing _ turned to x: fits */
	in[0] = want[0] = '\0';
	rep(in, sizeof(in), "A", 62);
	strcat(in, "_");
	rep(want, sizeof(want), "a", 62);
	strcat(want, "x");
	T_STR(snake(&b, in, 63, e), want);
	/* the tag hashes the stripped input: " b*64\t" as b*64 */
	in[0] = want[0] = '\0';
	strcpy(in, " ");
	rep(in, sizeof(in), "b", 64);
	strcat(in, "\t");
	rep(want, sizeof(want), "b", 29);
	strcat(want, "bdpwlw");
	T_STR(snake(&b, in, 63, e), rep(want, sizeof(want), "b", 28));
	/* lengths and cuts count characters, not bytes */
	in[0] = want[0] = '\0';
	rep(in, sizeof(in), "\u0663", 70);
	strcpy(want, "_");
	rep(want, sizeof(want), "\u0663", 28);
	strcat(want, "enbnfq");
	T_STR(snake(&b, in, 63, e), rep(want, sizeof(want), "\u0663", 28));
	in[0] = want[0] = '\0';
	rep(in, sizeof(in), "x", 62);
	strcat(in, "\u0663\u0664");
	rep(want, sizeof(want), "x", 29);
	strcat(want, "4ctnsa");
	rep(want, sizeof(want), "x", 26);
	T_STR(snake(&b, in, 63, e), strcat(want, "\u0663\u0664"));
	in[0] = want[0] = '\0';
	rep(in, sizeof(in), "x", 62);
	strcat(in, "\u0663");		/* 63 characters, 64 bytes */
	T_STR(snake(&b, in, 63, e), in);

	/* long Unicode input, unlimited and at 63 */
	in[0] = '\0';
	rep(in, sizeof(in), "Ünïcödé Fïeld Nämé ", 8);
	want[0] = '\0';
	rep(want, sizeof(want), "_n_c_d_f_eld_n_m", 8);
	T_STR(snake(&b, in, 0, e), strcat(want, "x"));
	T_STR(snake(&b, in, 63, e),
	    "_n_c_d_f_eld_n_m_n_c_d_f_eld_nuzv9ad_f_eld_n_m_n_c_d_f_eld_n_mx");
	fd_buf_free(&b);
}

static void
t_naming_snake_errors(void)
{
	struct fd_buf b = FD_BUF_INIT;
	char e[FD_ERRSZ];
	static const char *const blank[] = {
		"", " ", " \t\n\r\v\f ", "\u3000", "\u00a0\u2003\xc2\x85",
		"\x1c\x1d\x1e\x1f", "\u2028\u2029\u202f\u205f\u1680"
	};
	size_t i;

	for (i = 0; i < nitems(blank); i++) {
		e[0] = '\0';
		T(snake(&b, blank[i], 0, e) == NULL);
		T_STR(e, "empty identifier");
		T(direct(&b, blank[i], 63, e) == NULL);
		T_STR(e, "empty identifier");
		T(fd_naming_ident(FD_NAMING_SNAKE_CASE, blank[i],
		    strlen(blank[i]), 0, &b, e) == -1);
	}
	/* a limit below the tag's length fails only when it is needed */
	T(snake(&b, "abcdefg", 5, e) == NULL);
	T_STR(e, "max_length 5 is shorter than the 6-character tag");
	T_STR(snake(&b, "abcde", 5, e), "abcde");
	/* invalid UTF-8 */
	T(snake(&b, "ab\xff", 0, e) == NULL);
	T_STR(e, "invalid UTF-8 at byte 3");
	T(direct(&b, "\xc3", 0, e) == NULL);
	T_STR(e, "invalid UTF-8 at byte 1");

	/* output is appended; on failure the buffer is left as it was */
	fd_buf_reset(&b);
	fd_buf_puts(&b, "t.");
	T_INT(fd_naming_snake("Foo Bar", 7, 0, &b, e), 0);
	T_STR(b.data, "t.foo_bar");
	T_INT(fd_naming_snake("  ", 2, 0, &b, e), -1);
	T_STR(b.data, "t.foo_bar");
	T_INT(fd_naming_snake("abcdefghij", 10, 3, &b, e), -1);
	T_STR(b.data, "t.foo_bar");
	T_INT(b.len, 9);
	T_INT(fd_naming_snake("x", 1, 0, &b, NULL), 0);
	T_STR(b.data, "t.foo_barx");
	fd_buf_free(&b);
}

/* Note section 2.3, keys (normalize_path), and dlt's path tests. */
static const struct vec note_keys[] = {
	{ "a__b", 0, "a__b" },
	{ "Small__Love__Potion", 0, "small__love__potion" },
	{ "Small___Love____Potion_____x", 0, "small___love__potion___x" },
	{ "__x", 0, "x" },
	{ "___", 0, "x" },
	{ "__", 0, "_empty" },	/* dlt: "", the note: fd says _empty */
	/* dlt's test_naming_snake_case.py */
	{ "small_love_potion", 0, "small_love_potion" },
	{ "small__love__potion", 0, "small__love__potion" },
	{ "Small_Love_Potion", 0, "small_love_potion" },
	{ "Small Love Potion", 0, "small_love_potion" },
	{ "Small  Love  Potion", 0, "small_love_potion" },
	{ "e_vent__value_value2___", 0, "e_vent__value_value2__x" },
	/* dlt's test_json_relational.py, test_flatten_fix_field_name */
	{ "f-1", 0, "f_1" },
	{ "f 2", 0, "f_2" },
	{ "f!3", 0, "f_3" },
	{ "f*6", 0, "fx6" },
	{ "c x", 0, "c_x" },
	/* computed */
	{ "_a___b__C___D", 0, "_a___b__c___d" },  /* splits as dlt's test */
	{ "a__ __b", 0, "a__b" },
	{ "a__", 0, "a" },
	{ " __ a", 0, "a" },
	{ "short>ident:1", 16, "short_ident_1" },
	{ "LIST+ident:1", 16, "lis_txident_1" },
	{ "long+long:SO+LONG:_>16", 16, "longxyfdsfgng_16" },
	{ "custom_fields__cf_an_extremely_long_custom_field_label_used_by_"
	    "support", 63,
	    "custom_fields__cf_an_extremelv3ebza_field_label_used_by_support" },
};

static void
t_naming_keys(void)
{
	struct fd_buf b = FD_BUF_INIT;
	char e[FD_ERRSZ], in[1024], want[1024];
	static const char *const blank[] = {
		"", " ", "\t\n", "\u3000", "\u00a0 \u2009"
	};
	size_t i;

	for (i = 0; i < nitems(note_keys); i++)
		T_STR(key(&b, FD_NAMING_SNAKE_CASE, note_keys[i].in,
		    note_keys[i].max, e), note_keys[i].want);

	/* section 2.5: empty and blank keys */
	for (i = 0; i < nitems(blank); i++) {
		T_STR(key(&b, FD_NAMING_SNAKE_CASE, blank[i], 0, e), "_empty");
		T_STR(key(&b, FD_NAMING_DIRECT, blank[i], 63, e), "_empty");
	}
	T_STR(key(&b, FD_NAMING_SNAKE_CASE, " __ \t__", 0, e), "_empty");
	T_STR(key(&b, FD_NAMING_DIRECT, "\u25b6 \u25b6", 0, e), "_empty");

	/*
	 * Each part is shortened on its own (A*70 and b*70 to 63), then the
	 * joined path with the tag of the raw key, blanks included.
	 */
	in[0] = '\0';
	rep(in, sizeof(in), "A", 70);
	strcat(in, "__");
	rep(in, sizeof(in), "b", 70);
	want[0] = '\0';
	rep(want, sizeof(want), "a", 29);
	strcat(want, "sfdybq");
	T_STR(key(&b, FD_NAMING_SNAKE_CASE, in, 63, e),
	    rep(want, sizeof(want), "b", 28));
	memmove(in + 2, in, strlen(in) + 1);
	in[0] = in[1] = ' ';
	strcat(in, " ");
	want[0] = '\0';
	rep(want, sizeof(want), "a", 29);
	strcat(want, "flg1ww");
	T_STR(key(&b, FD_NAMING_SNAKE_CASE, in, 63, e),
	    rep(want, sizeof(want), "b", 28));

	/* the joined path at the limit, and one over it */
	in[0] = '\0';
	strcpy(in, "x__");
	rep(in, sizeof(in), "y", 60);
	T_STR(key(&b, FD_NAMING_SNAKE_CASE, in, 63, e), in);
	strcat(in, "y");
	strcpy(want, "x__");
	rep(want, sizeof(want), "y", 26);
	strcat(want, "fzboqa");
	T_STR(key(&b, FD_NAMING_SNAKE_CASE, in, 63, e),
	    rep(want, sizeof(want), "y", 28));

	/* keys that are identifiers: the same as fd_naming_snake */
	T_STR(key(&b, FD_NAMING_SNAKE_CASE, "cf_Order Number", 63, e),
	    "cf_order_number");
	T_STR(key(&b, FD_NAMING_SNAKE_CASE, "IDs", 0, e), "i_ds");

	/* appended; left alone on failure */
	fd_buf_reset(&b);
	fd_buf_puts(&b, "x:");
	T_INT(fd_naming_key(FD_NAMING_SNAKE_CASE, "", 0, 0, &b, e), 0);
	T_STR(b.data, "x:_empty");
	T_INT(fd_naming_key(FD_NAMING_SNAKE_CASE, "abcdefgh", 8, 4, &b, e),
	    -1);
	T_STR(e, "max_length 4 is shorter than the 6-character tag");
	T_STR(b.data, "x:_empty");
	T_INT(fd_naming_key(FD_NAMING_SNAKE_CASE, "a\xe2\x82", 3, 0, &b, e),
	    -1);
	T_STR(e, "invalid UTF-8 at byte 2");
	T_STR(b.data, "x:_empty");
	fd_buf_free(&b);
}

static void
t_naming_tables(void)
{
	struct fd_buf b = FD_BUF_INIT;
	char e[FD_ERRSZ];

	/* section 2.6: test_table_name_meta_normalized */
	T_STR(table(&b, FD_NAMING_SNAKE_CASE, "channelSURFING", 0, e),
	    "channel_surfing");
	T_STR(table(&b, FD_NAMING_SNAKE_CASE, "tickets", 63, e), "tickets");
	T_STR(table(&b, FD_NAMING_SNAKE_CASE, " Satisfaction Ratings ", 63,
	    e), "satisfaction_ratings");
	T_STR(table(&b, FD_NAMING_SNAKE_CASE, "Small__Love", 0, e),
	    "small__love");
	T_STR(table(&b, FD_NAMING_DIRECT, "Tickets", 0, e), "Tickets");
	T(table(&b, FD_NAMING_SNAKE_CASE, "", 0, e) == NULL);
	T_STR(e, "empty table name");
	T(table(&b, FD_NAMING_SNAKE_CASE, " __ ", 0, e) == NULL);
	T_STR(e, "empty table name");
	T(table(&b, FD_NAMING_DIRECT, " \u25b6\t", 0, e) == NULL);
	T_STR(e, "empty table name");
	fd_buf_free(&b);
}

/*
 * The tag alone (max_length 6): dlt's test_tag_generation fixture,
 * _compute_tag of each 64-character content.
 */
static const struct {
	const char	*content;
	const char	*tag;
} tags[] = {
	{ "3f17271231504b8cf65690bcdc379df8a3b8aabe12efe1ea82848ec5f497cb69",
	    "gds0iw" },
	{ "58e5c351b53ffe1233e0656a532a721ae1d2ac7af71b6cfec8ceb64c63b10721",
	    "uyboiq" },
	{ "e3f34629839cedcabba95354e48a78dc80b0cd35c02ddfbbf20196ba7f968866",
	    "51wdcg" },
	{ "f0f22b8e8c58389a6c21dbcc1e261ee0354704e24996a0ec541276f58d1f2f52",
	    "bpm7ca" },
	{ "0d0de95c7c12ceee919d28d22c970285d80a36dea4fe32dbdd667a888ae6d47f",
	    "doqcuq" },
	{ "4973509ea648ddfbaf6c50e1fef33c3b0a3d1c1a82dff543a8255e60b6572567",
	    "cl7rpq" },
	{ "877c89f0dcbd24b8c3f787624ddca09deb6a44e4a72f12527209d78e4d9ed247",
	    "xrnycg" },
	{ "064df58cd3a51c50dbf30e975e63961a501212ff8e8ca544ab396727f4b8a367",
	    "kgiizq" },
	{ "c8f7da1b5c44c1ca10da67c1514c4cf365e4d5912685b25a39206d5c8c1966a1",
	    "dj9zqq" },
	{ "222d42333592ea87823fd2e7868d59fb0aded20603f433319691918299513cb6",
	    "futp4w" },
	{ "757d64eb242a91b494ec9e2661a7946410d68144d33860d6f4154092d65d5009",
	    "wetlpg" },
	{ "3c7348d43478292b4c4e0689d41a536fc8ccabdbd9fb9d0dfbe757a83d34cebe",
	    "avxagg" },
	{ "6896fac1546c201d4dc91d2c51bdcd9c820fe92fd0555947e59fdc89ca6f045d",
	    "wbaj3w" },
	{ "b4def322a4487dd90fcc4abd2f1efde0cdce81d8e0a580fd1897203ab4ebcebe",
	    "whojmw" },
	{ "07d974124b92adafc90473a3968ceb5e8329d815e0e48260473d70a781adb8ae",
	    "aiqcea" },
	{ "c67183a762e379290652cc26a786b21eff347643b1cc9012138f460901ce5d53",
	    "zfztpg" },
	{ "430976db5adef67d0009aa3cd9a2daca106829b36a7232732c5d694e7197c6d1",
	    "evr7rq" },
	{ "c1c8c0ff6933fa4e23fab5605139124b2c6cda0150a412daaea274818ee46e35",
	    "er0nxq" },
	{ "0060c538b6ce02b8d8e2c85b4e2810c58b846f4096ed7ab871fc092c45ac09d9",
	    "zh9xgg" },
	{ "4d4b99ff5d2a3d5cd076782c9cd088cd85d5c789d7de6bdc19c1d206b687d485",
	    "2vvr5a" }
};

/* Joined names (shorten_fragments). */
static const struct pvec paths[] = {
	/* section 2.4: shorten_identifier("she played cello well", ...) */
	{ { "she played cello well" }, 20, "she plauanpualo well" },
	{ { "she played cello well" }, 21, "she played cello well" },
	/* section 2.4: a flattened column at 63 */
	{ { "custom_fields",
	    "cf_an_extremely_long_custom_field_label_used_by_support" }, 63,
	    "custom_fields__cf_an_extremelv3ebza_field_label_used_by_support" },
	/* its variant column: the already shortened name plus v_text */
	{ { "custom_fields__cf_an_extremelv3ebza_field_label_used_by_support",
	    "v_text" }, 63,
	    "custom_fields__cf_an_extremelmqxwfwabel_used_by_support__v_text" },
	/* dlt's test_normalize_and_shorten_deterministically, at 16 */
	{ { "short_ident_1", "short_ident_2", "short_ident_3" }, 16,
	    "shortc93wvaent_3" },
	{ { "s", "lis_txident_1", "lis_txident_2", "lis_txident_3" }, 16,
	    "s__lixkcjoqent_3" },
	/* dlt's test_json_relational.py: names of flattened columns */
	{ { "f_3", "f4" }, 0, "f_3__f4" },
	{ { "f_3", "f_5" }, 0, "f_3__f_5" },
	{ { "f_3", "fx6", "c" }, 0, "f_3__fx6__c" },
	{ { "f_3", "fx6", "c_v" }, 0, "f_3__fx6__c_v" },
	/* ... and of nested tables (test_yields_parent_relation) */
	{ { "table", "f", "b", "a" }, 0, "table__f__b__a" },
	{ { "zen", "webpath", "list", "list" }, 0, "zen__webpath__list__list" },
	/* dlt's test_normalize_make_path: blank fragments are skipped */
	{ { "A", "B" }, 0, "A__B" },
	{ { "_A", "_B" }, 0, "_A___B" },
	{ { "_A", "", "_B" }, 0, "_A___B" },
	{ { "_A", "\t\n ", "_B" }, 0, "_A___B" },
	/* Freshdesk */
	{ { "custom_fields", "cf_order_number" }, 63,
	    "custom_fields__cf_order_number" },
	{ { "tickets", "conversations" }, 63, "tickets__conversations" },
	/* a deep table at 63: 58 characters fit, 78 and more do not */
	{ { "tickets", "conversations", "attachments",
	    "attachment_thumbnails" }, 63,
	    "tickets__conversations__attachments__attachment_thumbnails" },
	{ { "tickets", "conversations", "attachments",
	    "attachment_thumbnails", "thumbnail_variants" }, 63,
	    "tickets__conversations__attaczrejbwumbnails__thumbnail_variants" },
	/* its child hashes the whole path, not the parent's short name */
	{ { "tickets", "conversations", "attachments",
	    "attachment_thumbnails", "thumbnail_variants", "sizes" }, 63,
	    "tickets__conversations__attac5ypevws__thumbnail_variants__sizes" },
	{ { "tickets", "conversations", "attachments",
	    "attachment_thumbnails", "thumbnail_variants", "sizes", "list" },
	    63,
	    "tickets__conversations__attacavzsmambnail_variants__sizes__list" }
};

static void
t_naming_paths(void)
{
	struct fd_buf b = FD_BUF_INIT;
	char e[FD_ERRSZ];
	const char *f[MAXFRAGS] = { NULL };
	size_t i;

	for (i = 0; i < nitems(tags); i++) {
		f[0] = tags[i].content;
		T_STR(path(&b, FD_NAMING_SNAKE_CASE, f, FD_NAMING_TAG_LEN, e),
		    tags[i].tag);
	}
	for (i = 0; i < nitems(paths); i++)
		T_STR(path(&b, FD_NAMING_SNAKE_CASE, paths[i].frags,
		    paths[i].max, e), paths[i].want);

	/* the flow of fd-normalize: tickets.custom_fields."cf_Order Number" */
	{
		struct fd_buf t = FD_BUF_INIT, k1 = FD_BUF_INIT,
		    k2 = FD_BUF_INIT;
		const char *col[3], *sub[3];

		T_INT(fd_naming_table(FD_NAMING_SNAKE_CASE, "tickets", 7, 63,
		    &t, e), 0);
		T_INT(fd_naming_key(FD_NAMING_SNAKE_CASE, "custom_fields", 13,
		    63, &k1, e), 0);
		T_INT(fd_naming_key(FD_NAMING_SNAKE_CASE, "cf_Order Number",
		    15, 63, &k2, e), 0);
		col[0] = k1.data;
		col[1] = k2.data;
		col[2] = NULL;
		T_STR(path(&b, FD_NAMING_SNAKE_CASE, col, 63, e),
		    "custom_fields__cf_order_number");
		/* section 2.5: {"b": {"": 2}} is b___empty */
		fd_buf_reset(&k2);
		T_INT(fd_naming_key(FD_NAMING_SNAKE_CASE, "", 0, 63, &k2, e),
		    0);
		col[0] = "b";
		col[1] = k2.data;
		T_STR(path(&b, FD_NAMING_SNAKE_CASE, col, 63, e), "b___empty");
		sub[0] = t.data;
		sub[1] = "conversations";
		sub[2] = NULL;
		T_STR(path(&b, FD_NAMING_SNAKE_CASE, sub, 63, e),
		    "tickets__conversations");
		fd_buf_free(&t);
		fd_buf_free(&k1);
		fd_buf_free(&k2);
	}

	/* nothing to join */
	f[0] = NULL;
	T(path(&b, FD_NAMING_SNAKE_CASE, f, 0, e) == NULL);
	T_STR(e, "empty path");
	f[0] = " ";
	f[1] = "";
	f[2] = NULL;
	T(path(&b, FD_NAMING_SNAKE_CASE, f, 0, e) == NULL);
	T_STR(e, "empty path");
	f[0] = "abcdefg";
	f[1] = NULL;
	T(path(&b, FD_NAMING_SNAKE_CASE, f, 2, e) == NULL);
	T_STR(e, "max_length 2 is shorter than the 6-character tag");
	fd_buf_free(&b);
}

/* The direct convention. */
static const struct vec direct_vecs[] = {
	{ " Keep Case ", 0, "Keep Case" },
	{ "a'b\"c\nd\re\u25b6f", 0, "a_b_c_d_e_f" },
	{ "日本語", 0, "日本語" },
	{ "  \u3000x\u3000 ", 0, "x" },
	{ "a__b", 0, "a__b" },
	{ "CamelCase-+*@|", 0, "CamelCase-+*@|" },
	{ "\u200b x", 0, "\u200b x" },
	{ "abcdefgh", 7, "abwyg3q" }
};

static void
t_naming_direct(void)
{
	struct fd_buf b = FD_BUF_INIT;
	char e[FD_ERRSZ], in[1024], want[1024];
	const char *f[MAXFRAGS] = { NULL };
	size_t i;

	for (i = 0; i < nitems(direct_vecs); i++)
		T_STR(direct(&b, direct_vecs[i].in, direct_vecs[i].max, e),
		    direct_vecs[i].want);
	T_STR(fd_naming_separator(FD_NAMING_DIRECT), "\u25b6");
	T_STR(fd_naming_separator(FD_NAMING_SNAKE_CASE), "__");

	/* NUL is kept */
	fd_buf_reset(&b);
	T_INT(fd_naming_direct(" a\0b ", 5, 0, &b, e), 0);
	T_INT(b.len, 3);
	T(memcmp(b.data, "a\0b", 3) == 0);

	/* lengths count characters */
	in[0] = '\0';
	rep(in, sizeof(in), "日", 63);
	T_STR(direct(&b, in, 63, e), in);
	strcat(in, "日");
	want[0] = '\0';
	rep(want, sizeof(want), "日", 29);
	strcat(want, "llvb1q");
	T_STR(direct(&b, in, 63, e), rep(want, sizeof(want), "日", 28));
	in[0] = '\0';
	rep(in, sizeof(in), "Ünïcödé Fïeld ", 6);
	T_STR(direct(&b, in, 63, e),
	    "Ünïcödé Fïeld Ünïcödé Fïeld Üwterrw Ünïcödé Fïeld Ünïcödé Fïeld");

	/* keys split on the separator U+25B6 */
	T_STR(key(&b, FD_NAMING_DIRECT, "a\u25b6b", 0, e), "a\u25b6b");
	T_STR(key(&b, FD_NAMING_DIRECT, "Ab\u25b6\u25b6 \u25b6c", 0, e),
	    "Ab\u25b6c");
	T_STR(key(&b, FD_NAMING_DIRECT, "x\u25b6", 0, e), "x");
	T_STR(key(&b, FD_NAMING_DIRECT, "a__b", 0, e), "a__b");
	in[0] = want[0] = '\0';
	rep(in, sizeof(in), "Ä", 40);
	strcat(in, "\u25b6");
	rep(in, sizeof(in), "Ö", 40);
	rep(want, sizeof(want), "Ä", 29);
	strcat(want, "uwwnbg");
	rep(want, sizeof(want), "Ö", 28);
	T_STR(key(&b, FD_NAMING_DIRECT, in, 63, e), want);

	/* joined with the separator */
	f[0] = "tickets";
	f[1] = "Custom Fields";
	f[2] = "Order N°";
	T_STR(path(&b, FD_NAMING_DIRECT, f, 0, e),
	    "tickets\u25b6Custom Fields\u25b6Order N°");
	in[0] = in[100] = '\0';
	f[0] = rep(in, sizeof(in), "Ä", 40);
	f[1] = rep(in + 100, sizeof(in) - 100, "Ö", 40);
	f[2] = NULL;
	T_STR(path(&b, FD_NAMING_DIRECT, f, 63, e), want);
	fd_buf_free(&b);
}

static void
t_naming_conv(void)
{
	enum fd_naming_conv c = FD_NAMING_DIRECT;
	char e[FD_ERRSZ];

	T_INT(fd_naming_conv_parse("snake_case", &c, e), 0);
	T_INT(c, FD_NAMING_SNAKE_CASE);
	T_INT(fd_naming_conv_parse("direct", &c, e), 0);
	T_INT(c, FD_NAMING_DIRECT);
	T_INT(fd_naming_conv_parse("duck_case", &c, e), -1);
	T_STR(e, "unknown naming convention");
	T_INT(c, FD_NAMING_DIRECT);
}

void
t_naming(void)
{
	t_naming_snake();
	if (!t_failed)
		t_naming_snake_errors();
	if (!t_failed)
		t_naming_keys();
	if (!t_failed)
		t_naming_tables();
	if (!t_failed)
		t_naming_paths();
	if (!t_failed)
		t_naming_direct();
	if (!t_failed)
		t_naming_conv();
}
