/* Unit tests of lib/jscan.c. */
#include <stdlib.h>

#include <jv.h>

#include "buf.h"
#include "diag.h"
#include "jscan.h"
#include "utf8.h"
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

/*
 * The differential test against libjq 1.6 (jv_parse_sized), over
 * generated documents and byte-level mutations of them, with a small
 * strict RFC 8259 recognizer (ref_*) as the referee of what is valid:
 *
 *   - the scanner accepts exactly what the referee accepts;
 *   - on valid JSON, libjq accepts too and the values are the same
 *     (jv_equal against a jv built from the scanner's tokens), and
 *     fd_jscan_compact gives back the number text exactly as written,
 *     which libjq cannot for integers beyond 2^53;
 *   - libjq rejecting a text the referee accepts is a failure; libjq
 *     accepting one it rejects is counted: invalid UTF-8 (which libjq
 *     replaces with U+FFFD) and its other laxities (bare control
 *     characters, lone surrogate escapes, number forms such as "01").
 */

static unsigned long long diff_rng = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	diff_rng ^= diff_rng << 13;
	diff_rng ^= diff_rng >> 7;
	diff_rng ^= diff_rng << 17;
	return (unsigned)(diff_rng % n);
}

/* The referee: a recursive descent recognizer of RFC 8259 texts. */
struct ref {
	const unsigned char	*p, *e;
};

static void
ref_ws(struct ref *r)
{
	while (r->p < r->e && (*r->p == ' ' || *r->p == '\t' ||
	    *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static int
ref_hex4(struct ref *r, unsigned *u)
{
	int i;

	*u = 0;
	for (i = 0; i < 4; i++, r->p++) {
		if (r->p >= r->e)
			return -1;
		if (*r->p >= '0' && *r->p <= '9')
			*u = *u * 16 + (*r->p - '0');
		else if ((*r->p | 0x20) >= 'a' && (*r->p | 0x20) <= 'f')
			*u = *u * 16 + ((*r->p | 0x20) - 'a' + 10);
		else
			return -1;
	}
	return 0;
}

/* One UTF-8 sequence of RFC 3629 starting with byte c >= 0x80. */
static int
ref_utf8(struct ref *r)
{
	unsigned c = *r->p++, lo = 0x80, hi = 0xbf;
	int n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		if (c == 0xe0)
			lo = 0xa0;
		if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		if (c == 0xf0)
			lo = 0x90;
		if (c == 0xf4)
			hi = 0x8f;
	} else
		return -1;
	for (; n > 0; n--, lo = 0x80, hi = 0xbf, r->p++)
		if (r->p >= r->e || *r->p < lo || *r->p > hi)
			return -1;
	return 0;
}

static int
ref_string(struct ref *r)
{
	unsigned u, v;

	r->p++;		/* '"' */
	for (;;) {
		if (r->p >= r->e || *r->p < 0x20)
			return -1;
		if (*r->p == '"') {
			r->p++;
			return 0;
		}
		if (*r->p >= 0x80) {
			if (ref_utf8(r) == -1)
				return -1;
			continue;
		}
		if (*r->p++ != '\\')
			continue;
		if (r->p >= r->e)
			return -1;
		if (strchr("\"\\/bfnrt", *r->p) != NULL && *r->p != '\0') {
			r->p++;
			continue;
		}
		if (*r->p++ != 'u' || ref_hex4(r, &u) == -1)
			return -1;
		if (u >= 0xdc00 && u <= 0xdfff)
			return -1;
		if (u >= 0xd800 && u <= 0xdbff && (r->e - r->p < 2 ||
		    r->p[0] != '\\' || r->p[1] != 'u' || (r->p += 2,
		    ref_hex4(r, &v) == -1) || v < 0xdc00 || v > 0xdfff))
			return -1;
	}
}

static int
ref_digits(struct ref *r)
{
	const unsigned char *s = r->p;

	while (r->p < r->e && *r->p >= '0' && *r->p <= '9')
		r->p++;
	return r->p > s ? 0 : -1;
}

static int
ref_value(struct ref *r, int depth)
{
	static const char *lit[] = { "true", "false", "null" };
	size_t i, n;

	ref_ws(r);
	if (r->p >= r->e || depth > 64)
		return -1;
	switch (*r->p) {
	case '{':
	case '[': {
		int obj = *r->p++ == '{';
		ref_ws(r);
		if (r->p < r->e && *r->p == (obj ? '}' : ']')) {
			r->p++;
			return 0;
		}
		for (;;) {
			if (obj) {
				ref_ws(r);
				if (r->p >= r->e || *r->p != '"' ||
				    ref_string(r) == -1)
					return -1;
				ref_ws(r);
				if (r->p >= r->e || *r->p++ != ':')
					return -1;
			}
			if (ref_value(r, depth + 1) == -1)
				return -1;
			ref_ws(r);
			if (r->p >= r->e)
				return -1;
			if (*r->p == ',') {
				r->p++;
				continue;
			}
			return *r->p++ == (obj ? '}' : ']') ? 0 : -1;
		}
	}
	case '"':
		return ref_string(r);
	case 't':
	case 'f':
	case 'n':
		for (i = 0; i < 3; i++) {
			n = strlen(lit[i]);
			if ((size_t)(r->e - r->p) >= n &&
			    memcmp(r->p, lit[i], n) == 0) {
				r->p += n;
				return 0;
			}
		}
		return -1;
	default:
		if (*r->p == '-')
			r->p++;
		if (r->p < r->e && *r->p == '0')
			r->p++;
		else if (r->p >= r->e || *r->p < '1' || *r->p > '9' ||
		    ref_digits(r) == -1)
			return -1;
		if (r->p < r->e && *r->p == '.') {
			r->p++;
			if (ref_digits(r) == -1)
				return -1;
		}
		if (r->p < r->e && (*r->p == 'e' || *r->p == 'E')) {
			r->p++;
			if (r->p < r->e && (*r->p == '+' || *r->p == '-'))
				r->p++;
			if (ref_digits(r) == -1)
				return -1;
		}
		return 0;
	}
}

static int
ref_valid(const char *s, size_t len)
{
	struct ref r = { (const unsigned char *)s,
	    (const unsigned char *)s + len };

	if (ref_value(&r, 0) == -1)
		return 0;
	ref_ws(&r);
	return r.p == r.e;
}

/* A jv of the scanner's value that begins with tok; jv_invalid() on a
 * scan error. */
static jv
diff_build(struct fd_jscan *js, const struct fd_jtok *tok)
{
	struct fd_buf b = FD_BUF_INIT;
	struct fd_jtok t, k;
	char e[FD_ERRSZ], *num;
	jv v, kv;

	switch (tok->kind) {
	case FD_JTOK_OBJECT:
		v = jv_object();
		while (fd_jscan_next(js, &k) == FD_JTOK_KEY) {
			if (fd_jscan_string(k.p, k.len, &b, e) == -1)
				break;
			kv = jv_string_sized(b.data ? b.data : "",
			    (int)b.len);
			fd_buf_reset(&b);
			if (fd_jscan_next(js, &t) == -1) {
				jv_free(kv);
				break;
			}
			v = jv_object_set(v, kv, diff_build(js, &t));
		}
		fd_buf_free(&b);
		if (js->err != FD_JSCAN_OK) {
			jv_free(v);
			return jv_invalid();
		}
		return v;
	case FD_JTOK_ARRAY:
		v = jv_array();
		while (fd_jscan_next(js, &t) > 0 && t.kind != FD_JTOK_ARRAY_END)
			v = jv_array_append(v, diff_build(js, &t));
		if (js->err != FD_JSCAN_OK) {
			jv_free(v);
			return jv_invalid();
		}
		return v;
	case FD_JTOK_STRING:
		if (fd_jscan_string(tok->p, tok->len, &b, e) == -1)
			return jv_invalid();
		v = jv_string_sized(b.data ? b.data : "", (int)b.len);
		fd_buf_free(&b);
		return v;
	case FD_JTOK_NUMBER:
		if ((num = strndup(tok->p, tok->len)) == NULL)
			return jv_invalid();
		v = jv_number(strtod(num, NULL));
		free(num);
		return v;
	case FD_JTOK_TRUE:
		return jv_true();
	case FD_JTOK_FALSE:
		return jv_false();
	case FD_JTOK_NULL:
		return jv_null();
	default:
		return jv_invalid();
	}
}

/* The scanner's value of the whole text s, or jv_invalid(). */
static jv
diff_ours(const char *s, size_t len)
{
	struct fd_jscan js;
	struct fd_jtok t;
	jv v;

	fd_jscan_init(&js, s, len);
	if (fd_jscan_next(&js, &t) <= 0)
		return jv_invalid();
	v = diff_build(&js, &t);
	if (jv_is_valid(v) && fd_jscan_next(&js, &t) != FD_JTOK_END) {
		jv_free(v);
		return jv_invalid();
	}
	return v;
}

static void
gen_ws(struct fd_buf *w)
{
	static const char ws[] = " \t\r\n";

	while (rnd(4) == 0)
		fd_buf_putc(w, ws[rnd(4)]);
}

/* Appends s to both the compact text c and the spaced text w. */
static void
gen_put(struct fd_buf *c, struct fd_buf *w, const char *s)
{
	fd_buf_puts(c, s);
	fd_buf_puts(w, s);
}

static void
gen_number(struct fd_buf *c, struct fd_buf *w, int *big)
{
	static const char *edge[] = { "0", "-0", "9007199254740992",
	    "9007199254740993", "-9007199254740993", "9223372036854775807",
	    "9223372036854775808", "-9223372036854775809",
	    "18446744073709551616", "123456789012345678901234567890",
	    "0.1", "1e400", "-1e-400", "2.5E+7", "1.0", "4.9e-324",
	    "1.7976931348623157e308" };
	char s[64];
	int n, i;

	switch (rnd(4)) {
	case 0:
		snprintf(s, sizeof(s), "%s", edge[rnd(sizeof(edge) /
		    sizeof(edge[0]))]);
		break;
	case 1:
		snprintf(s, sizeof(s), "%s%u", rnd(3) ? "" : "-", rnd(100000));
		break;
	case 2:		/* an integer of 1 to 30 digits */
		n = 1 + (int)rnd(30);
		i = 0;
		if (rnd(3) == 0)
			s[i++] = '-';
		s[i++] = (char)('1' + rnd(9));
		while (--n > 0)
			s[i++] = (char)('0' + rnd(10));
		s[i] = '\0';
		break;
	default:
		snprintf(s, sizeof(s), "%s%u.%u%s%d", rnd(2) ? "" : "-",
		    rnd(1000), rnd(100000), rnd(2) ? "e" : "E",
		    (int)rnd(40) - 20);
		break;
	}
	/* an integer beyond 2^53 that jq cannot keep */
	if (strspn(s + (*s == '-'), "0123456789") == strlen(s + (*s == '-')) &&
	    strlen(s + (*s == '-')) > 16)
		(*big)++;
	gen_put(c, w, s);
}

static void
gen_string(struct fd_buf *c, struct fd_buf *w)
{
	static const char *piece[] = { "a", "Z", " ", "~", "\\\"", "\\\\",
	    "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000", "\\u001f",
	    "\\u00e9", "\\u20AC", "\\uffff", "\\ud83d\\ude00",
	    "\\uDBFF\\uDFFF", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
	    "\xf4\x8f\xbf\xbf", "\xef\xbf\xbf", "\x7f", "{", "]", ",", ":",
	    "2024-05-01T10:00:00Z" };
	int n = (int)rnd(8);

	gen_put(c, w, "\"");
	while (n-- > 0)
		gen_put(c, w, piece[rnd(sizeof(piece) / sizeof(piece[0]))]);
	gen_put(c, w, "\"");
}

static void
gen_value(struct fd_buf *c, struct fd_buf *w, int depth, int *big)
{
	static const char *keys[] = { "\"id\"", "\"a\"", "\"\"",
	    "\"caf\xc3\xa9\"", "\"a\\u0000b\"", "\"x\\ny\"", "\"id\"" };
	int n, i, k = (int)rnd(depth > 4 ? 6 : 8);

	if (k >= 6) {
		n = (int)rnd(5);
		gen_put(c, w, k == 6 ? "{" : "[");
		for (i = 0; i < n; i++) {
			if (i > 0)
				gen_put(c, w, ",");
			gen_ws(w);
			if (k == 6) {
				if (rnd(2))
					gen_string(c, w);
				else
					gen_put(c, w, keys[rnd(7)]);
				gen_ws(w);
				gen_put(c, w, ":");
				gen_ws(w);
			}
			gen_value(c, w, depth + 1, big);
			gen_ws(w);
		}
		gen_put(c, w, k == 6 ? "}" : "]");
		return;
	}
	switch (k) {
	case 0:
		gen_put(c, w, "true");
		break;
	case 1:
		gen_put(c, w, "false");
		break;
	case 2:
		gen_put(c, w, "null");
		break;
	case 3:
	case 4:
		gen_number(c, w, big);
		break;
	default:
		gen_string(c, w);
		break;
	}
}

/* A mutation of s into m: bytes replaced, inserted, deleted, cut. */
static void
mutate(const struct fd_buf *s, struct fd_buf *m)
{
	static const char bytes[] = "{}[]\",:\\0123456789.eE-+tfnulsaxr \t"
	    "\n\x01\x1f\x7f\x80\xbf\xc0\xc3\xed\xef\xf0\xf4\xf5\xff";
	size_t at;
	int n = 1 + (int)rnd(3);

	fd_buf_reset(m);
	fd_buf_append(m, s->data, s->len);
	while (n-- > 0 && m->len > 0) {
		at = rnd((unsigned)m->len);
		switch (rnd(5)) {
		case 0:
		case 1:
			m->data[at] = bytes[rnd(sizeof(bytes) - 1)];
			break;
		case 2:
			fd_buf_putc(m, '\0');
			memmove(m->data + at + 1, m->data + at, m->len - at - 1);
			m->data[at] = bytes[rnd(sizeof(bytes) - 1)];
			break;
		case 3:
			memmove(m->data + at, m->data + at + 1, m->len - at - 1);
			m->len--;
			break;
		default:
			m->len = at;
			break;
		}
	}
}

/*
 * libjq's reading of s.  libjq 1.6 leaks the string token of a text
 * such as [1 "a"] (a string after a value, no separator) as it
 * rejects it.  The leak is its own, and its frames cannot be unwound
 * for a suppression, so under LeakSanitizer (SAN=1; weak symbols,
 * absent otherwise) what libjq allocates here is not tracked, and
 * nothing else is left untracked.
 */
void	__lsan_disable(void) __attribute__((weak));
void	__lsan_enable(void) __attribute__((weak));

static jv
jq_parse(const char *s, size_t len)
{
	jv v;

	if (__lsan_disable != NULL)
		__lsan_disable();
	v = jv_parse_sized(s, (int)len);
	if (__lsan_enable != NULL)
		__lsan_enable();
	return v;
}

/*
 * Whether the scanner of fd_jscan_init_valid returns what the checking
 * one does on the valid text s: the same tokens, flags and depths, and
 * with every container skipped (fd_jscan_skip) the same spans.
 */
static int
same_as_valid(const char *s, size_t len)
{
	struct fd_jscan a, b;
	struct fd_jtok x, y;
	const char *ap, *bp;
	size_t al, bl;
	int k, pass;

	for (pass = 0; pass < 2; pass++) {
		fd_jscan_init(&a, s, len);
		fd_jscan_init_valid(&b, s, len);
		do {
			k = fd_jscan_next(&a, &x);
			if (fd_jscan_next(&b, &y) != k || x.kind != y.kind ||
			    x.flags != y.flags || x.p != y.p ||
			    x.len != y.len || a.depth != b.depth)
				return 0;
			/* the second pass skips each container it meets
			 * below the top */
			if (pass == 1 && a.depth > 1 &&
			    (k == FD_JTOK_OBJECT || k == FD_JTOK_ARRAY)) {
				if (fd_jscan_skip(&a, &x, &ap, &al) != 0 ||
				    fd_jscan_skip(&b, &y, &bp, &bl) != 0 ||
				    ap != bp || al != bl ||
				    a.depth != b.depth || a.pos != b.pos)
					return 0;
			}
		} while (k > 0);
		if (k != FD_JTOK_END)
			return 0;
	}
	return 1;
}

/* Checks one text against libjq and the referee; counts what differs
 * as allowed. */
static int
diff_one(const char *s, size_t len, int *jqlax, int *jqutf8)
{
	int ref = ref_valid(s, len), ok;
	jv ours = diff_ours(s, len), theirs;

	theirs = jq_parse(s, len);
	ok = jv_is_valid(ours) == ref;
	if (ok && ref) {
		/* valid JSON: libjq reads it too, to the same value; the
		 * scanner of a valid text finds the same tokens */
		ok = jv_is_valid(theirs) &&
		    jv_equal(jv_copy(ours), jv_copy(theirs)) &&
		    same_as_valid(s, len);
	} else if (ok && jv_is_valid(theirs)) {
		if (fd_utf8_check(s, len) != len)
			(*jqutf8)++;
		else
			(*jqlax)++;
	}
	if (!ok) {
		fprintf(stderr, "# differs (referee %s, ours %s, libjq %s): ",
		    ref ? "valid" : "invalid",
		    jv_is_valid(ours) ? "valid" : "invalid",
		    jv_is_valid(theirs) ? "valid" : "invalid");
		fwrite(s, 1, len < 200 ? len : 200, stderr);
		fputc('\n', stderr);
	}
	jv_free(ours);
	jv_free(theirs);
	return ok;
}

void
t_jscan_libjq(void)
{
	struct fd_buf c = FD_BUF_INIT, w = FD_BUF_INIT, m = FD_BUF_INIT;
	struct fd_buf o = FD_BUF_INIT;
	char e[FD_ERRSZ];
	int i, j, big = 0, lossy = 0, jqlax = 0, jqutf8 = 0, nmut = 0;
	int bad = 0;
	jv v;

	for (i = 0; i < 3000 && bad < 5; i++) {
		fd_buf_reset(&c);
		fd_buf_reset(&w);
		gen_ws(&w);
		gen_value(&c, &w, 0, &big);
		gen_ws(&w);
		if (!diff_one(w.data, w.len, &jqlax, &jqutf8))
			bad++;
		/* ours keeps every number as written: compact is the text
		 * without its blanks, byte for byte */
		fd_buf_reset(&o);
		if (fd_jscan_compact(w.data, w.len, &o, e) == -1 ||
		    o.len != c.len || memcmp(o.data, c.data, c.len) != 0) {
			fprintf(stderr, "# compact differs: %s\n", c.data);
			bad++;
		}
		/* libjq's text of the same value loses big integers */
		v = jv_dump_string(jv_parse_sized(c.data, (int)c.len), 0);
		if (strlen(jv_string_value(v)) != c.len ||
		    memcmp(jv_string_value(v), c.data, c.len) != 0)
			lossy++;
		jv_free(v);
		for (j = 0; j < 6; j++, nmut++) {
			mutate(&w, &m);
			if (!diff_one(m.data, m.len, &jqlax, &jqutf8))
				bad++;
		}
	}
	fprintf(stderr, "# libjq: %d documents (%d integers beyond 2^53, "
	    "%d texts libjq does not give back), %d mutants; libjq accepts "
	    "%d invalid UTF-8 and %d other invalid texts\n", i, big, lossy,
	    nmut, jqutf8, jqlax);
	fd_buf_free(&c);
	fd_buf_free(&w);
	fd_buf_free(&m);
	fd_buf_free(&o);
	T_INT(bad, 0);
	/* the test reaches what it is about */
	T(big > 100 && lossy > 100 && jqutf8 > 10 && jqlax > 10);
	/* the one difference on valid JSON: 2^53 + 1 is exact in ours only */
	fd_buf_reset(&o);
	T(fd_jscan_compact("[9007199254740993]", 18, &o, e) == 0);
	T(o.len == 18 && memcmp(o.data, "[9007199254740993]", 18) == 0);
	fd_buf_free(&o);
	v = jv_dump_string(jv_parse("[9007199254740993]"), 0);
	T(strcmp(jv_string_value(v), "[9007199254740993]") != 0);
	jv_free(v);
}

/* fd_jscan_init_valid: the tokens of a valid text, found faster; on a
 * text that is not valid, something, within the text. */
static void
t_jscan_valid(void)
{
	static const char *const bad[] = {
		"{\"a\":\"\xff\"}", "[\"\\x\"]", "{\"a\":[1}}", "[\"abc",
		"{\"a\":{\"b\":\"\\\"}}", "[[[", "\"\\", "{\"a\":[\"]\"}",
	};
	static const char doc[] =
	    " {\"a\\n\":[1,-2.5e3,\"x\",true,false,null,{}],\"b\":\"c\"} ";
	static const char obj[] = "{\"a\":[\"]\\\"}\",{\"b\":\"[\"}],\"c\":1}";
	struct fd_jscan js;
	struct fd_jtok t;
	const char *v;
	size_t i, n, vlen;
	int k;

	T(same_as_valid(ticket, strlen(ticket)));
	T(same_as_valid(doc, strlen(doc)));
	/* a skipped container with quotes, escapes and brackets in its
	 * strings */
	fd_jscan_init_valid(&js, obj, strlen(obj));
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_OBJECT);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_KEY);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_ARRAY);
	T_INT(fd_jscan_skip(&js, &t, &v, &vlen), 0);
	T_INT(vlen, 18);
	T(memcmp(v, "[\"]\\\"}\",{\"b\":\"[\"}]", 18) == 0);
	T_INT(js.depth, 1);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_KEY);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_NUMBER);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_OBJECT_END);
	T_INT(fd_jscan_next(&js, &t), FD_JTOK_END);
	/* not valid: the scan ends, every token within the text */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = strlen(bad[i]);
		fd_jscan_init_valid(&js, bad[i], n);
		while ((k = fd_jscan_next(&js, &t)) > 0) {
			T(t.p >= bad[i] && t.p + t.len <= bad[i] + n);
			if ((k == FD_JTOK_OBJECT || k == FD_JTOK_ARRAY) &&
			    fd_jscan_skip(&js, &t, &v, &vlen) == 0)
				T(v >= bad[i] && v + vlen <= bad[i] + n);
		}
	}
}

void
t_jscan(void)
{
	t_jscan_valid();
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
