/* Unit tests of lib/jscan.c. */
#include <stdlib.h>

#include "buf.h"
#include "diag.h"
#include "jscan.h"
#include "t.h"

/* A ticket as the list endpoint returns it, with awkward contents. */
static const char ticket[] =
    "{\n"
    "  \"cc_emails\": [\"ops@example.com\", \"lead@example.com\"],\n"
    "  \"fwd_emails\": [],\n"
    "  \"fr_escalated\": false,\n"
    "  \"spam\": true,\n"
    "  \"email_config_id\": null,\n"
    "  \"requester_id\": 67042965499,\n"
    "  \"big\": 12345678901234567890123,\n"
    "  \"score\": -4.5e-3,\n"
    "  \"subject\": \"Login [broken], {again} \\\"urgent\\\" caf\xc3\xa9 "
    "\xe2\x82\xac \xf0\x9f\x98\x80\",\n"
    "  \"description_text\": \"line\\nnext \\u00e9 \\ud83d\\ude00 "
    "\\\\ \\/\",\n"
    "  \"custom_fields\": {\"cf_region\": \"EMEA\", \"cf_nested\": "
    "{\"updated_at\": \"nested\"}, \"cf_list\": [[1, 2], {}, []]},\n"
    "  \"id\": 4711,\n"
    "  \"upd\\u0061ted_at\": \"2024-02-21T09:00:00Z\"\n"
    "}";

static void
t_jscan_vectors(void)
{
	static const struct {
		const char	*s;
		int		 len;	/* -1: strlen */
		const char	*err;	/* NULL: valid */
	} v[] = {
		/* valid */
		{ "0", -1, NULL },
		{ "-0", -1, NULL },
		{ "1e400", -1, NULL },
		{ "-1.5E+10", -1, NULL },
		{ "0.5e-3", -1, NULL },
		{ "123456789012345678901234567890", -1, NULL },
		{ "\"\"", -1, NULL },
		{ "[]", -1, NULL },
		{ "{}", -1, NULL },
		{ "[[[]]]", -1, NULL },
		{ " \t\r\n[ 1 ,\t2 ]\r\n", -1, NULL },
		{ "{\"a\":[{\"b\":null}],\"c\":true,\"d\":false}", -1, NULL },
		{ "\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\"", -1,
		    NULL },
		{ "\"\\uDBFF\\uDFFF \\u0000 \\uFFFF\"", -1, NULL },
		{ "\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac "
		    "\xf4\x8f\xbf\xbf\"", -1, NULL },
		{ "\"\x7f\"", -1, NULL },
		{ "{\"k\xc3\xa9y\":1}", -1, NULL },
		{ "\"12345678[],{}:\\\"\"", -1, NULL },
		/* empty, blanks, trailing data */
		{ "", -1, "truncated JSON at byte 1: expected a value" },
		{ "   ", -1, "truncated JSON at byte 4: expected a value" },
		{ "1 2", -1,
		    "invalid JSON at byte 3: unexpected data after the value" },
		{ "{} x", -1,
		    "invalid JSON at byte 4: unexpected data after the value" },
		{ "[1]]", -1,
		    "invalid JSON at byte 4: unexpected data after the value" },
		{ "[1]\0", 4,
		    "invalid JSON at byte 4: unexpected data after the value" },
		{ "\xef\xbb\xbf[]", -1, "invalid JSON at byte 1: expected a value" },
		{ "\f[]", -1, "invalid JSON at byte 1: expected a value" },
		{ "[\"a\"\xc2\xa0]", -1,
		    "invalid JSON at byte 5: expected ',' or ']'" },
		{ "//c\n1", -1, "invalid JSON at byte 1: expected a value" },
		/* structure */
		{ "[1,]", -1, "invalid JSON at byte 4: expected a value" },
		{ "[,1]", -1, "invalid JSON at byte 2: expected a value" },
		{ "{\"a\":1,}", -1,
		    "invalid JSON at byte 8: expected a string key" },
		{ "{,}", -1,
		    "invalid JSON at byte 2: expected a string key or '}'" },
		{ "{'a':1}", -1,
		    "invalid JSON at byte 2: expected a string key or '}'" },
		{ "{\"a\" 1}", -1, "invalid JSON at byte 6: expected ':'" },
		{ "{\"a\":1 \"b\":2}", -1,
		    "invalid JSON at byte 8: expected ',' or '}'" },
		{ "[1 2]", -1, "invalid JSON at byte 4: expected ',' or ']'" },
		{ "[1}", -1, "invalid JSON at byte 3: expected ',' or ']'" },
		{ "{\"a\":1]", -1,
		    "invalid JSON at byte 7: expected ',' or '}'" },
		{ "[NaN]", -1, "invalid JSON at byte 2: expected a value" },
		{ "Infinity", -1, "invalid JSON at byte 1: expected a value" },
		/* numbers */
		{ "01", -1, "invalid JSON at byte 1: leading zero in number" },
		{ "-01", -1, "invalid JSON at byte 2: leading zero in number" },
		{ "[00]", -1, "invalid JSON at byte 2: leading zero in number" },
		{ "1.", -1, "truncated JSON at byte 3: expected a digit" },
		{ "1.e5", -1, "invalid JSON at byte 3: expected a digit" },
		{ "1e", -1, "truncated JSON at byte 3: expected a digit" },
		{ "1e+", -1, "truncated JSON at byte 4: expected a digit" },
		{ "1e+x", -1, "invalid JSON at byte 4: expected a digit" },
		{ "-", -1, "truncated JSON at byte 2: expected a digit" },
		{ "-a", -1, "invalid JSON at byte 2: expected a digit" },
		{ "+1", -1, "invalid JSON at byte 1: expected a value" },
		{ ".5", -1, "invalid JSON at byte 1: expected a value" },
		{ "[1x]", -1, "invalid JSON at byte 3: expected ',' or ']'" },
		/* literals */
		{ "tru", -1, "truncated JSON at byte 4: incomplete literal" },
		{ "[nul", -1, "truncated JSON at byte 5: incomplete literal" },
		{ "trUe", -1, "invalid JSON at byte 1: invalid literal" },
		{ "True", -1, "invalid JSON at byte 1: expected a value" },
		{ "[falsy]", -1, "invalid JSON at byte 2: invalid literal" },
		/* strings */
		{ "\"abc", -1, "truncated JSON at byte 5: unterminated string" },
		{ "\"a\x01\"", -1,
		    "invalid JSON at byte 3: control character in string" },
		{ "\"a\nb\"", -1,
		    "invalid JSON at byte 3: control character in string" },
		{ "\"a\tb\"", -1,
		    "invalid JSON at byte 3: control character in string" },
		{ "\"a\0b\"", 5,
		    "invalid JSON at byte 3: control character in string" },
		{ "\"\\x\"", -1, "invalid JSON at byte 2: invalid escape" },
		{ "\"\\U00e9\"", -1, "invalid JSON at byte 2: invalid escape" },
		{ "\"\\u12g4\"", -1, "invalid JSON at byte 2: invalid \\u escape" },
		{ "\"\\ud83d\"", -1,
		    "invalid JSON at byte 2: lone surrogate in \\u escape" },
		{ "\"\\ude00\"", -1,
		    "invalid JSON at byte 2: lone surrogate in \\u escape" },
		{ "\"\\ud83d\\u0041\"", -1,
		    "invalid JSON at byte 2: lone surrogate in \\u escape" },
		{ "\"\\ud83d\\ud83d\"", -1,
		    "invalid JSON at byte 2: lone surrogate in \\u escape" },
		{ "\"\\ud83dx\"", -1,
		    "invalid JSON at byte 2: lone surrogate in \\u escape" },
		{ "\"\\ud83d\\u00", -1,
		    "invalid JSON at byte 2: lone surrogate in \\u escape" },
		{ "\"\\ud83d\\uzz00\"", -1,
		    "invalid JSON at byte 8: invalid \\u escape" },
		{ "\"\\ud83d", -1,
		    "truncated JSON at byte 8: unterminated string" },
		{ "\"\\ud83d\\ude", -1,
		    "truncated JSON at byte 12: unterminated string" },
		{ "\"\\u00", -1, "truncated JSON at byte 6: unterminated string" },
		{ "\"\\", -1, "truncated JSON at byte 3: unterminated string" },
		/* UTF-8, in values and keys */
		{ "\"\xff\"", -1, "invalid UTF-8 at byte 2" },
		{ "\"ab\xc3(\"", -1, "invalid UTF-8 at byte 4" },
		{ "\"\xed\xa0\x80\"", -1, "invalid UTF-8 at byte 2" },
		{ "\"\xc0\xaf\"", -1, "invalid UTF-8 at byte 2" },
		{ "\"\xf4\x90\x80\x80\"", -1, "invalid UTF-8 at byte 2" },
		{ "\"\xe2\x82\"", -1, "invalid UTF-8 at byte 2" },
		{ "\"\x80\"", -1, "invalid UTF-8 at byte 2" },
		{ "\"0123456789abcdef\xf8\"", -1, "invalid UTF-8 at byte 18" },
		{ "{\"k\xff\":1}", -1, "invalid UTF-8 at byte 4" },
		{ "[\xc3\xa9]", -1, "invalid JSON at byte 2: expected a value" },
		{ "\"caf\xc3", -1, "truncated JSON at byte 6: unterminated string" },
		{ "\"\xf0\x9f\x98", -1,
		    "truncated JSON at byte 5: unterminated string" },
		{ "\"\xe0\x80", -1, "invalid UTF-8 at byte 2" },
		/* truncated structure */
		{ "[", -1, "truncated JSON at byte 2: expected a value" },
		{ "{", -1,
		    "truncated JSON at byte 2: expected a string key or '}'" },
		{ "{\"a\"", -1, "truncated JSON at byte 5: expected ':'" },
		{ "{\"a\":", -1, "truncated JSON at byte 6: expected a value" },
		{ "{\"a\":1", -1,
		    "truncated JSON at byte 7: expected ',' or '}'" },
		{ "{\"a\":1,", -1,
		    "truncated JSON at byte 8: expected a string key" },
		{ "[1,", -1, "truncated JSON at byte 4: expected a value" },
		{ "[[1]\n", -1, "truncated JSON at byte 6: expected ',' or ']'" },
	};
	char e[FD_ERRSZ];
	size_t i, n;
	int r;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = v[i].len < 0 ? strlen(v[i].s) : (size_t)v[i].len;
		strcpy(e, "untouched");
		r = fd_jscan_validate(v[i].s, n, e);
		if (v[i].err == NULL && r != 0)
			T_FAIL("case %zu: %s: unexpected %s", i, v[i].s, e);
		if (v[i].err != NULL && r != -1)
			T_FAIL("case %zu: %s: accepted", i, v[i].s);
		if (v[i].err != NULL && strcmp(e, v[i].err) != 0)
			T_FAIL("case %zu: got \"%s\", want \"%s\"", i, e,
			    v[i].err);
	}
}

static void
t_jscan_tokens(void)
{
	static const char doc[] =
	    " {\"a\\n\":[1,-2.5e3,\"x\",true,false,null,{}],\"b\":\"c\"} ";
	static const struct {
		int		 kind;
		int		 flags;
		const char	*text;
		int		 depth;
	} want[] = {
		{ FD_JTOK_OBJECT, 0, "{", 1 },
		{ FD_JTOK_KEY, FD_JTOK_ESCAPED, "\"a\\n\"", 1 },
		{ FD_JTOK_ARRAY, 0, "[", 2 },
		{ FD_JTOK_NUMBER, FD_JTOK_INTEGER, "1", 2 },
		{ FD_JTOK_NUMBER, 0, "-2.5e3", 2 },
		{ FD_JTOK_STRING, 0, "\"x\"", 2 },
		{ FD_JTOK_TRUE, 0, "true", 2 },
		{ FD_JTOK_FALSE, 0, "false", 2 },
		{ FD_JTOK_NULL, 0, "null", 2 },
		{ FD_JTOK_OBJECT, 0, "{", 3 },
		{ FD_JTOK_OBJECT_END, 0, "}", 2 },
		{ FD_JTOK_ARRAY_END, 0, "]", 1 },
		{ FD_JTOK_KEY, 0, "\"b\"", 1 },
		{ FD_JTOK_STRING, 0, "\"c\"", 1 },
		{ FD_JTOK_OBJECT_END, 0, "}", 0 },
		{ FD_JTOK_END, 0, "", 0 },
		{ FD_JTOK_END, 0, "", 0 },
	};
	struct fd_jscan js;
	struct fd_jtok t;
	char e[FD_ERRSZ];
	const char *v;
	size_t i, vlen;

	fd_jscan_init(&js, doc, strlen(doc));
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (fd_jscan_next(&js, &t) != want[i].kind)
			T_FAIL("token %zu: kind %d, want %d", i, t.kind,
			    want[i].kind);
		T_INT(t.kind, want[i].kind);
		if (t.flags != want[i].flags || js.depth != want[i].depth ||
		    t.len != strlen(want[i].text) ||
		    memcmp(t.p, want[i].text, t.len) != 0)
			T_FAIL("token %zu: flags %d depth %d \"%.*s\"", i,
			    t.flags, js.depth, (int)t.len, t.p);
	}
	T(t.p == doc + strlen(doc));

	/* errors are sticky */
	fd_jscan_init(&js, "[1,}", 4);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_ARRAY);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_NUMBER);
	T_INT(fd_jscan_next(&js, &t), -1);
	T_INT(js.err, FD_JSCAN_SYNTAX);
	T_INT(js.erroff, 4);
	T_INT(fd_jscan_next(&js, &t), -1);
	T_INT(fd_jscan_error(&js, e), -1);
	T_STR(e, "invalid JSON at byte 4: expected a value");
	fd_jscan_init(&js, "[\"\xff\"]", 5);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_ARRAY);
	T_INT(fd_jscan_next(&js, &t), -1);
	T_INT(js.err, FD_JSCAN_UTF8);
	fd_jscan_init(&js, "[1", 2);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_ARRAY);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_NUMBER);
	T_INT(fd_jscan_next(&js, &t), -1);
	T_INT(js.err, FD_JSCAN_TRUNCATED);
	T_INT(js.erroff, 3);

	/* skip: the whole nested value, then go on */
	fd_jscan_init(&js, "{\"a\": [1, {\"b\": [ ]}] , \"c\": 2}", 31);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_OBJECT);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_KEY);
	T_INT(fd_jscan_skip(&js, &t, &v, &vlen), -1);	/* not a value */
	T_INT(js.err, FD_JSCAN_OK);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_ARRAY);
	T_INT(fd_jscan_skip(&js, &t, &v, &vlen), 0);
	T_INT(vlen, 15);
	T(memcmp(v, "[1, {\"b\": [ ]}]", 15) == 0);
	T_INT(js.depth, 1);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_KEY);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_NUMBER);
	T_INT(fd_jscan_skip(&js, &t, &v, &vlen), 0);
	T_INT(vlen, 1);
	T(*v == '2');
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_OBJECT_END);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_END);
	fd_jscan_init(&js, "[[1,2", 5);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_ARRAY);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_ARRAY);
	T_INT(fd_jscan_skip(&js, &t, &v, &vlen), -1);
	T_INT(js.err, FD_JSCAN_TRUNCATED);

	/* kind of the first token */
	T_INT(fd_jscan_kind(" \n[1]", 5), FD_JTOK_ARRAY);
	T_INT(fd_jscan_kind("{", 1), FD_JTOK_OBJECT);
	T_INT(fd_jscan_kind("\"", 1), FD_JTOK_STRING);
	T_INT(fd_jscan_kind("-", 1), FD_JTOK_NUMBER);
	T_INT(fd_jscan_kind("7", 1), FD_JTOK_NUMBER);
	T_INT(fd_jscan_kind("null", 4), FD_JTOK_NULL);
	T_INT(fd_jscan_kind("t", 1), FD_JTOK_TRUE);
	T_INT(fd_jscan_kind("f", 1), FD_JTOK_FALSE);
	T_INT(fd_jscan_kind("  ", 2), -1);
	T_INT(fd_jscan_kind("", 0), -1);
	T_INT(fd_jscan_kind("<html>", 6), -1);
}

static void
t_jscan_depth(void)
{
	size_t n = FD_JSCAN_MAXDEPTH, i;
	char *s, e[FD_ERRSZ];
	struct fd_jscan js;
	struct fd_jtok t;
	int k, max = 0;

	if ((s = malloc(2 * n + 2)) == NULL)
		T_FAIL("out of memory");
	memset(s, '[', n);
	memset(s + n, ']', n);
	T_INT(fd_jscan_validate(s, 2 * n, e), 0);
	fd_jscan_init(&js, s, 2 * n);
	while ((k = fd_jscan_next(&js, &t)) > 0)
		if (js.depth > max)
			max = js.depth;
	T_INT(k, FD_JTOK_END);
	T_INT(max, FD_JSCAN_MAXDEPTH);

	memset(s, '[', n + 1);
	memset(s + n + 1, ']', n + 1);
	T_INT(fd_jscan_validate(s, 2 * n + 2, e), -1);
	T_STR(e, "invalid JSON at byte 10001: nesting deeper than 10000");

	/* objects count too: {"a":{"a":...}} */
	free(s);
	if ((s = malloc(6 * (n + 1) + 1)) == NULL)
		T_FAIL("out of memory");
	for (i = 0; i < n + 1; i++)
		memcpy(s + 5 * i, "{\"a\":", 5);
	s[5 * (n + 1)] = '1';
	memset(s + 5 * (n + 1) + 1, '}', n + 1);
	T_INT(fd_jscan_validate(s, 6 * (n + 1) + 1, e), -1);
	T_STR(e, "invalid JSON at byte 50001: nesting deeper than 10000");
	T_INT(fd_jscan_validate(s + 5, 6 * n + 1, e), 0);
	free(s);
}

/*
 * Every proper prefix of a valid object text is reported as truncated at
 * its end, by each entry point, reading nothing beyond it.
 */
static void
t_jscan_truncated(void)
{
	size_t n = strlen(ticket), k;
	struct fd_buf out = FD_BUF_INIT;
	char e[FD_ERRSZ], want[64];
	const char *v;
	size_t vlen;
	char *p;

	T_INT(fd_jscan_validate(ticket, n, e), 0);
	for (k = 0; k < n; k++) {
		if ((p = malloc(k + 1)) == NULL)
			T_FAIL("out of memory");
		memcpy(p, ticket, k);	/* exactly k bytes: ASan sees over-reads */
		snprintf(want, sizeof(want), "truncated JSON at byte %zu: ",
		    k + 1);
		if (fd_jscan_validate(p, k, e) != -1 ||
		    strncmp(e, want, strlen(want)) != 0) {
			free(p);
			T_FAIL("prefix %zu: \"%s\"", k, e);
		}
		if (fd_jscan_compact(p, k, &out, e) != -1 || out.len != 0 ||
		    fd_jscan_field(p, k, "id", &v, &vlen, e) != -1 ||
		    strncmp(e, want, strlen(want)) != 0) {
			free(p);
			T_FAIL("prefix %zu: compact or field: \"%s\"", k, e);
		}
		free(p);
	}
	fd_buf_free(&out);
}

static void
t_jscan_compact(void)
{
	static const char in[] =
	    "\r\n{ \"a b\" :\t[ 1 , 2.50 , -0 , 1E+2 , \"x \\\" y\" , "
	    "\" \\\\\" ] ,\n\t\"c\" : { } , \"d\" : [ ] , \"e\" : "
	    "{ \"f\" : null , \"g\":true,\"h\" :false } }\n\n";
	static const char want[] =
	    "{\"a b\":[1,2.50,-0,1E+2,\"x \\\" y\",\" \\\\\"],\"c\":{},"
	    "\"d\":[],\"e\":{\"f\":null,\"g\":true,\"h\":false}}";
	struct fd_buf out = FD_BUF_INIT;
	char e[FD_ERRSZ];

	T_INT(fd_jscan_compact(in, strlen(in), &out, e), 0);
	T_STR(out.data, want);
	T_INT(out.len, strlen(want));
	/* it appends; already compact text comes out unchanged */
	T(fd_buf_puts(&out, "\n") == 0);
	T_INT(fd_jscan_compact(want, strlen(want), &out, e), 0);
	T_INT(out.len, 2 * strlen(want) + 1);
	T(memcmp(out.data + strlen(want) + 1, want, strlen(want)) == 0);
	/* failure leaves the buffer as it was */
	fd_buf_reset(&out);
	T(fd_buf_puts(&out, "kept") == 0);
	T_INT(fd_jscan_compact("[1, 2,]", 7, &out, e), -1);
	T_STR(e, "invalid JSON at byte 7: expected a value");
	T_STR(out.data, "kept");
	T_INT(out.len, 4);
	fd_buf_reset(&out);
	T_INT(fd_jscan_compact(" \"\xc3\xa9\\u00e9\" ", 12, &out, e), 0);
	T_STR(out.data, "\"\xc3\xa9\\u00e9\"");
	fd_buf_reset(&out);
	T_INT(fd_jscan_compact(" 42 ", 4, &out, e), 0);
	T_STR(out.data, "42");
	fd_buf_reset(&out);
	T_INT(fd_jscan_compact(ticket, strlen(ticket), &out, e), 0);
	T(memchr(out.data, '\n', out.len) == NULL);
	T(strstr(out.data, "\"cc_emails\":[\"ops@example.com\","
	    "\"lead@example.com\"],\"fwd_emails\":[]") != NULL);
	T(strstr(out.data, "\"subject\":\"Login [broken], {again} "
	    "\\\"urgent\\\" caf\xc3\xa9 ") != NULL);
	T(strstr(out.data, "\"cf_list\":[[1,2],{},[]]},\"id\":4711,") != NULL);
	fd_buf_free(&out);
}

struct split {
	struct fd_buf	 got;	/* elements, one per line */
	int		 n;
	int		 stop;	/* return -1 at this element (1-based) */
};

static int
collect(void *arg, const char *elem, size_t elen)
{
	struct split *sp = arg;

	sp->n++;
	if (sp->n == sp->stop)
		return -1;
	if (fd_buf_append(&sp->got, elem, elen) == -1 ||
	    fd_buf_putc(&sp->got, '\n') == -1)
		return -1;
	return 0;
}

static void
t_jscan_elements(void)
{
	static const char *elems[] = {
		("{\"id\": 1, \"subject\": \"a ] , } [ { \\\" \\\\\", "
		    "\"tags\": [\"x\", [\"]\"]], \"cf\": {\"k\": {\"l\": []}}}"),
		"{}",
		"{\n    \"id\": 67042965499,\n    \"s\": \"\\\"],[{\\\"\"\n  }",
		"[1, [2, [3]]]",
		"\"just, a [string]\"",
		"-1.5e-7",
		"null",
	};
	struct split sp;
	struct fd_buf page = FD_BUF_INIT, want = FD_BUF_INIT;
	char e[FD_ERRSZ];
	size_t i;

	T(fd_buf_puts(&page, "[\n  ") == 0);
	for (i = 0; i < sizeof(elems) / sizeof(elems[0]); i++) {
		T(fd_buf_printf(&page, "%s%s", i ? " ,\n  " : "",
		    elems[i]) == 0);
		T(fd_buf_printf(&want, "%s\n", elems[i]) == 0);
	}
	T(fd_buf_puts(&page, "\n]\n") == 0);

	memset(&sp, 0, sizeof(sp));
	T_INT(fd_jscan_elements(page.data, page.len, collect, &sp, e), 0);
	T_INT(sp.n, sizeof(elems) / sizeof(elems[0]));
	T_STR(sp.got.data, want.data);

	/* the callback stops the walk */
	fd_buf_reset(&sp.got);
	sp.n = 0;
	sp.stop = 3;
	strcpy(e, "untouched");
	T_INT(fd_jscan_elements(page.data, page.len, collect, &sp, e), -1);
	T_INT(sp.n, 3);
	T_STR(e, "untouched");

	/* an invalid page calls nothing, even when it fails at its end */
	fd_buf_reset(&sp.got);
	sp.n = 0;
	sp.stop = 0;
	page.len -= 3;	/* drop "]\n" and a byte more */
	T_INT(fd_jscan_elements(page.data, page.len, collect, &sp, e), -1);
	T_INT(sp.n, 0);
	T(strncmp(e, "truncated JSON at byte ", 23) == 0);
	T_INT(fd_jscan_elements("[1,2]x", 6, collect, &sp, e), -1);
	T_STR(e, "invalid JSON at byte 6: unexpected data after the value");
	T_INT(sp.n, 0);

	/* empty array; not an array */
	T_INT(fd_jscan_elements(" [ ] ", 5, collect, &sp, e), 0);
	T_INT(sp.n, 0);
	T_INT(fd_jscan_elements("{\"a\":[1]}", 9, collect, &sp, e), -1);
	T_STR(e, "expected a JSON array, found an object");
	T_INT(fd_jscan_elements("\"[1]\"", 5, collect, &sp, e), -1);
	T_STR(e, "expected a JSON array, found a string");
	T_INT(sp.n, 0);

	/* split and compact: NDJSON */
	fd_buf_reset(&sp.got);
	T_INT(fd_jscan_elements("[{\"a\": [1, 2]}, \n {\"b\" :\"c d\"}]", 31,
	    collect, &sp, e), 0);
	T_STR(sp.got.data, "{\"a\": [1, 2]}\n{\"b\" :\"c d\"}\n");

	fd_buf_free(&sp.got);
	fd_buf_free(&page);
	fd_buf_free(&want);
}

static void
t_jscan_field(void)
{
	static const char obj[] =
	    "{\"nested\": {\"updated_at\": \"no\", \"id\": 1},"
	    " \"arr\": [{\"updated_at\": \"no\"}],"
	    " \"id\" : 67042965499 ,"
	    " \"upd\\u0061ted_at\": \"2024-01-01T00:00:00Z\","
	    " \"caf\\u00e9\": {\"x\": [1]},"
	    " \"a\\\"b\": \"q\\\"\","
	    " \"\": 5,"
	    " \"dup\": 1, \"dup\": [2]}";
	char e[FD_ERRSZ];
	const char *v = NULL;
	size_t vlen = 0;

#define FIELD(k, w) do {						\
	T_INT(fd_jscan_field(obj, strlen(obj), k, &v, &vlen, e), 0);	\
	if (vlen != strlen(w) || memcmp(v, w, vlen) != 0)		\
		T_FAIL("%s: got \"%.*s\", want \"%s\"", k, (int)vlen, v, w); \
} while (0)
	FIELD("id", "67042965499");
	FIELD("updated_at", "\"2024-01-01T00:00:00Z\"");
	FIELD("caf\xc3\xa9", "{\"x\": [1]}");
	FIELD("a\"b", "\"q\\\"\"");
	FIELD("", "5");
	FIELD("dup", "[2]");
	FIELD("nested", "{\"updated_at\": \"no\", \"id\": 1}");
#undef FIELD
	T_INT(fd_jscan_field(obj, strlen(obj), "x", &v, &vlen, e), 1);
	T_INT(fd_jscan_field(obj, strlen(obj), "updated", &v, &vlen, e), 1);
	T_INT(fd_jscan_field(obj, strlen(obj), "updated_at_", &v, &vlen, e),
	    1);
	T_INT(fd_jscan_field(obj, strlen(obj), "cafe", &v, &vlen, e), 1);
	/* only nested members have the name */
	T_INT(fd_jscan_field("{\"a\": {\"id\": 1}, \"b\": [{\"id\": 2}]}", 34,
	    "id", &v, &vlen, e), 1);
	T_INT(fd_jscan_field("{}", 2, "id", &v, &vlen, e), 1);

	/* invalid: even after the member was found */
	T_INT(fd_jscan_field("{\"id\": 1, \"x\": tru}", 19, "id", &v, &vlen,
	    e), -1);
	T_STR(e, "invalid JSON at byte 16: invalid literal");
	T_INT(fd_jscan_field("{\"id\": 1} {}", 12, "id", &v, &vlen, e), -1);
	T_STR(e, "invalid JSON at byte 11: unexpected data after the value");
	T_INT(fd_jscan_field("{\"id\": 1", 8, "id", &v, &vlen, e), -1);
	T_STR(e, "truncated JSON at byte 9: expected ',' or '}'");
	T_INT(fd_jscan_field("[{\"id\": 1}]", 11, "id", &v, &vlen, e), -1);
	T_STR(e, "expected a JSON object, found an array");
	T_INT(fd_jscan_field("[{\"id\": 1}", 10, "id", &v, &vlen, e), -1);
	T_STR(e, "truncated JSON at byte 11: expected ',' or ']'");
	T_INT(fd_jscan_field("", 0, "id", &v, &vlen, e), -1);
	T_STR(e, "truncated JSON at byte 1: expected a value");
	T_INT(fd_jscan_field(ticket, strlen(ticket), "updated_at", &v, &vlen,
	    e), 0);
	T_INT(vlen, 22);
	T(memcmp(v, "\"2024-02-21T09:00:00Z\"", 22) == 0);
}

static void
t_jscan_int64(void)
{
	static const struct {
		const char	*s;
		int		 ok;
		long long	 v;
	} v[] = {
		{ "0", 1, 0 },
		{ "-0", 1, 0 },
		{ "7", 1, 7 },
		{ "-12", 1, -12 },
		{ "67042965499", 1, 67042965499LL },
		{ "9007199254740993", 1, 9007199254740993LL },	/* 2^53 + 1 */
		{ "9223372036854775807", 1, 9223372036854775807LL },
		{ "-9223372036854775808", 1, -9223372036854775807LL - 1 },
		{ "9223372036854775808", 0, 0 },
		{ "-9223372036854775809", 0, 0 },
		{ "10000000000000000000", 0, 0 },
		{ "99999999999999999999", 0, 0 },
		{ "1.0", 0, 0 },
		{ "1e3", 0, 0 },
		{ "1E3", 0, 0 },
		{ "01", 0, 0 },
		{ "-01", 0, 0 },
		{ "", 0, 0 },
		{ "-", 0, 0 },
		{ "+1", 0, 0 },
		{ " 1", 0, 0 },
		{ "12a", 0, 0 },
		{ "\"1\"", 0, 0 },
	};
	size_t i;
	long long got;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		got = 42;
		if (fd_jscan_int64(v[i].s, strlen(v[i].s), &got) !=
		    (v[i].ok ? 0 : -1))
			T_FAIL("case %zu: %s", i, v[i].s);
		T_INT(got, v[i].ok ? v[i].v : 42);
	}
	/* the length counts, not a NUL */
	T_INT(fd_jscan_int64("123,", 3, &got), 0);
	T_INT(got, 123);
}

static void
t_jscan_string(void)
{
	static const struct {
		const char	*in;
		const char	*out;	/* NULL: error */
		size_t		 outlen;
	} v[] = {
		{ "\"\"", "", 0 },
		{ "", "", 0 },
		{ "\"plain text\"", "plain text", 10 },
		{ "plain text", "plain text", 10 },
		{ "\"a\\nb\"", "a\nb", 3 },
		{ "caf\\u00e9 \\u20AC", "caf\xc3\xa9 \xe2\x82\xac", 9 },
		{ "\\ud83d\\ude00!", "\xf0\x9f\x98\x80!", 5 },
		{ "\\uDBFF\\uDFFF", "\xf4\x8f\xbf\xbf", 4 },
		{ "\\u007f\\u0080\\u07ff\\u0800\\uffff",
		    "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf", 11 },
		{ "x\\u0000y", "x\0y", 3 },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8 },
		{ "\"raw \xc3\xa9 stays\"", "raw \xc3\xa9 stays", 12 },
		{ "\"abc", NULL, 0 },
		{ "\"", NULL, 0 },
		{ "a\"b", NULL, 0 },
		{ "\"a\"b\"", NULL, 0 },
		{ "\\ud800", NULL, 0 },
		{ "\\q", NULL, 0 },
		{ "\\u12", NULL, 0 },
		{ "\\", NULL, 0 },
		{ "\xff", NULL, 0 },
		{ "caf\xc3", NULL, 0 },
		{ "tab\there", NULL, 0 },
	};
	struct fd_buf b = FD_BUF_INIT;
	struct fd_jscan js;
	struct fd_jtok t;
	char e[FD_ERRSZ];
	size_t i;
	int r;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		fd_buf_reset(&b);
		T(fd_buf_puts(&b, ">") == 0);
		r = fd_jscan_string(v[i].in, strlen(v[i].in), &b, e);
		if (v[i].out == NULL) {
			if (r != -1 || b.len != 1 || strcmp(b.data, ">") != 0)
				T_FAIL("case %zu: %s: accepted", i, v[i].in);
			continue;
		}
		if (r != 0)
			T_FAIL("case %zu: %s: %s", i, v[i].in, e);
		if (b.len != v[i].outlen + 1 ||
		    memcmp(b.data + 1, v[i].out, v[i].outlen) != 0 ||
		    b.data[b.len] != '\0')
			T_FAIL("case %zu: %s: got \"%s\"", i, v[i].in, b.data);
	}
	T_INT(fd_jscan_string("\"abc", 4, &b, e), -1);
	T_STR(e, "truncated JSON at byte 5: unterminated string");
	T_INT(fd_jscan_string("a\"b", 3, &b, e), -1);
	T_STR(e, "invalid JSON at byte 2: unescaped '\"' in string");
	T_INT(fd_jscan_string("\"a\"b\"", 5, &b, e), -1);
	T_STR(e, "invalid JSON at byte 4: unexpected data after the string");
	T_INT(fd_jscan_string("ok \\ud800 x", 11, &b, e), -1);
	T_STR(e, "invalid JSON at byte 4: lone surrogate in \\u escape");
	T_INT(fd_jscan_string("ok \\ud800", 9, &b, e), -1);
	T_STR(e, "invalid JSON at byte 10: "
	    "string ends inside an escape or UTF-8 sequence");
	T_INT(fd_jscan_string("\"ok\xff\"", 5, &b, e), -1);
	T_STR(e, "invalid UTF-8 at byte 4");

	/* tokens from the scanner, with and without their quotes */
	fd_jscan_init(&js, "{\"k\\u00e9\": \"v\\t\\\"\"}", 20);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_OBJECT);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_KEY);
	fd_buf_reset(&b);
	T_INT(fd_jscan_string(t.p, t.len, &b, e), 0);
	T_STR(b.data, "k\xc3\xa9");
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_STRING);
	T(t.flags & FD_JTOK_ESCAPED);
	fd_buf_reset(&b);
	T_INT(fd_jscan_string(t.p + 1, t.len - 2, &b, e), 0);
	T_STR(b.data, "v\t\"");
	fd_buf_free(&b);
}

static void
t_jscan_member(void)
{
	const char *in = "{\"a\":1,\"b\":{\"c\":[2,3]},\"d\":null}";
	struct fd_jscan js;
	struct fd_jtok k, v;
	const char *vp;
	size_t vl;

	fd_jscan_init(&js, in, strlen(in));
	T(fd_jscan_next(&js, &k) == FD_JTOK_OBJECT);
	T(fd_jscan_member(&js, &k, &v, &vp, &vl) == 1);
	T(k.len == 3 && memcmp(k.p, "\"a\"", 3) == 0);
	T(v.kind == FD_JTOK_NUMBER && vl == 1 && *vp == '1');
	T(fd_jscan_member(&js, &k, &v, &vp, &vl) == 1);
	T(v.kind == FD_JTOK_OBJECT && vl == 11 &&
	    memcmp(vp, "{\"c\":[2,3]}", 11) == 0);
	T(fd_jscan_member(&js, &k, &v, &vp, &vl) == 1);
	T(v.kind == FD_JTOK_NULL);
	T(fd_jscan_member(&js, &k, &v, &vp, &vl) == 0);
	T(fd_jscan_next(&js, &k) == FD_JTOK_END);
	/* an error inside a value */
	in = "{\"a\":[1,}";
	fd_jscan_init(&js, in, strlen(in));
	fd_jscan_next(&js, &k);
	T(fd_jscan_member(&js, &k, &v, &vp, &vl) == -1);
}

void
t_jscan(void)
{
	t_jscan_member();
	t_jscan_vectors();
	t_jscan_tokens();
	t_jscan_depth();
	t_jscan_truncated();
	t_jscan_compact();
	t_jscan_elements();
	t_jscan_field();
	t_jscan_int64();
	t_jscan_string();
}
