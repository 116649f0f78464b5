/* Unit tests of lib/json.c and lib/singer.c. */
#include <errno.h>
#include <stdlib.h>

#include "diag.h"
#include "jscan.h"
#include "json.h"
#include "singer.h"
#include "t.h"

void
t_json_parse_errors(void)
{
	char e[FD_ERRSZ];
	jv v;

	T(fd_json_parse("{\"a\":", 5, &v, e) == -1);
	T(strncmp(e, "invalid JSON: ", 14) == 0);
	T(strstr(e, "while parsing") == NULL);
	T(fd_json_parse("\"caf\xe9\"", 6, &v, e) == -1);
	T_STR(e, "invalid UTF-8 at byte 5");
	T(fd_json_parse("1 2", 3, &v, e) == -1);
	T(strncmp(e, "invalid JSON: ", 14) == 0);
	T(fd_json_parse("", 0, &v, e) == -1);
}

void
t_json_parse_ok(void)
{
	char e[FD_ERRSZ];
	jv v;
	const char *in = "{\"id\":67042965499,\"s\":\"\xf0\x9f\x98\x80\"}";

	T(fd_json_parse(in, strlen(in), &v, e) == 0);
	T(jv_get_kind(v) == JV_KIND_OBJECT);
	T(jv_number_value(jv_object_get(jv_copy(v), jv_string("id"))) ==
	    67042965499.0);
	jv_free(v);
	T_STR(fd_json_kind_name(JV_KIND_ARRAY), "an array");
}

/* The type fd_singer_scan gives text (NONE for a line it refuses). */
static enum fd_singer_type
detect(const char *text)
{
	struct fd_singer_msg m;
	char e[FD_ERRSZ];

	if (fd_singer_scan(text, strlen(text), 0, &m, e) == -1)
		return FD_SINGER_NONE;
	return m.type;
}

void
t_singer_detect(void)
{
	T_INT(detect("{\"type\":\"SCHEMA\",\"stream\":\"t\",\"schema\":{},"
	    "\"key_properties\":[\"id\"]}"), FD_SINGER_SCHEMA);
	T_INT(detect("{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{}}"),
	    FD_SINGER_RECORD);
	T_INT(detect("{\"type\":\"STATE\",\"value\":null}"), FD_SINGER_STATE);
	T_INT(detect("{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"t\","
	    "\"version\":1}"), FD_SINGER_ACTIVATE_VERSION);
	/* a Freshdesk ticket has a type field */
	T_INT(detect("{\"id\":1,\"type\":\"Problem\"}"), FD_SINGER_NONE);
	/* the right name without its required fields is not a message */
	T_INT(detect("{\"type\":\"RECORD\",\"stream\":\"t\"}"),
	    FD_SINGER_NONE);
	T_INT(detect("{\"type\":\"RECORD\",\"stream\":1,\"record\":{}}"),
	    FD_SINGER_NONE);
	T_INT(detect("{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":[]}"),
	    FD_SINGER_NONE);
	T_INT(detect("{\"type\":\"SCHEMA\",\"stream\":\"t\",\"schema\":{}}"),
	    FD_SINGER_NONE);
	T_INT(detect("{\"type\":\"STATE\"}"), FD_SINGER_NONE);
	T_INT(detect("{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"t\","
	    "\"version\":\"1\"}"), FD_SINGER_NONE);
	T_INT(detect("{\"type\":\"state\",\"value\":1}"), FD_SINGER_NONE);
	T_INT(detect("{\"type\":null}"), FD_SINGER_NONE);
	T_INT(detect("[1]"), FD_SINGER_NONE);
}

static int
scan(const char *line, struct fd_singer_msg *m, char *e)
{
	return fd_singer_scan(line, strlen(line), 0, m, e);
}

void
t_singer_scan(void)
{
	struct fd_singer_msg m;
	struct fd_buf b = FD_BUF_INIT;
	char e[FD_ERRSZ];

	T(scan("{\"type\":\"RECORD\",\"stream\":\"tick\\u0065ts\",\"record\":"
	    "{\"id\":67042965499,\"type\":\"Problem\"},\"version\":3}", &m,
	    e) == 0);
	T_INT(m.type, FD_SINGER_RECORD);
	T(fd_singer_string(&m.stream, &b, e) == 0);
	T_STR(b.data, "tickets");
	T(m.record.len == strlen("{\"id\":67042965499,\"type\":\"Problem\"}"));
	T(memcmp(m.record.p, "{\"id\":67042965499", 17) == 0);
	T(m.version.kind == FD_JTOK_NUMBER && m.version.len == 1);
	T(fd_singer_is(&m.mtype, "RECORD") && !fd_singer_is(&m.mtype, "REC"));
	/* the strict rule: a ticket with a type is not a message */
	T(scan("{\"id\":1,\"type\":\"Problem\"}", &m, e) == 0);
	T_INT(m.type, FD_SINGER_NONE);
	T(scan("{\"type\":\"RECORD\",\"stream\":\"t\"}", &m, e) == 0);
	T_INT(m.type, FD_SINGER_NONE);
	T(scan("{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":[]}", &m,
	    e) == 0);
	T_INT(m.type, FD_SINGER_NONE);
	T(scan("{\"type\":\"SCHEMA\",\"stream\":\"t\",\"schema\":{},"
	    "\"key_properties\":[]}", &m, e) == 0);
	T_INT(m.type, FD_SINGER_SCHEMA);
	T(scan("{\"type\":\"SCHEMA\",\"stream\":\"t\",\"schema\":{}}", &m,
	    e) == 0);
	T_INT(m.type, FD_SINGER_NONE);
	T(scan("{\"type\":\"STATE\",\"value\":null}", &m, e) == 0);
	T_INT(m.type, FD_SINGER_STATE);
	T(scan("{\"type\":\"STATE\"}", &m, e) == 0);
	T_INT(m.type, FD_SINGER_NONE);
	T(scan("{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"t\","
	    "\"version\":1}", &m, e) == 0);
	T_INT(m.type, FD_SINGER_ACTIVATE_VERSION);
	T(scan("{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"t\","
	    "\"version\":\"1\"}", &m, e) == 0);
	T_INT(m.type, FD_SINGER_NONE);
	/* errors */
	T(scan("[1]", &m, e) == -1);
	T_STR(e, "expected a JSON object");
	T(scan("{\"type\":", &m, e) == -1);
	T(strncmp(e, "truncated JSON", 14) == 0);
	T(scan("{} {}", &m, e) == -1);
	T(scan("{\"s\":\"\xff\"}", &m, e) == -1);
	T(strncmp(e, "invalid UTF-8", 13) == 0);
	fd_buf_free(&b);
}

static int
lazy(const char *line, struct fd_singer_msg *m, char *e)
{
	return fd_singer_scan(line, strlen(line), FD_SINGER_RECORD_UNCHECKED,
	    m, e);
}

/* The record only matched: brackets and quotes inside strings, escapes,
 * nesting; what is outside the record still validated. */
void
t_singer_scan_unchecked(void)
{
	struct fd_singer_msg m;
	char e[FD_ERRSZ];
	const char *rec = "{\"a\":\"}]\\\"{\",\"b\":[{\"c\":[]},\"]\"],"
	    "\"d\":{}}";
	char line[256];

	snprintf(line, sizeof(line), "{\"type\":\"RECORD\",\"stream\":\"t\","
	    "\"record\":%s,\"version\":2}", rec);
	T(lazy(line, &m, e) == 0);
	T_INT(m.type, FD_SINGER_RECORD);
	T(m.record.len == strlen(rec) && memcmp(m.record.p, rec,
	    strlen(rec)) == 0);
	T(m.version.kind == FD_JTOK_NUMBER && *m.version.p == '2');
	/* not validated inside: the record's own scan says so later */
	T(lazy("{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":"
	    "{\"a\":01,\"b\":\"\xff\"}}", &m, e) == 0);
	T(scan("{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":"
	    "{\"a\":01}}", &m, e) == -1);
	/* the record's end found, and its closing bracket checked */
	T(lazy("{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{\"a\":1]}",
	    &m, e) == -1);
	T(strncmp(e, "invalid JSON", 12) == 0);
	/* truncated: in a string, after an escape, in the record */
	T(lazy("{\"type\":\"RECORD\",\"record\":{\"a\":\"x", &m, e) == -1);
	T(strncmp(e, "truncated JSON", 14) == 0);
	T(lazy("{\"type\":\"RECORD\",\"record\":{\"a\":\"x\\", &m, e) == -1);
	T(strncmp(e, "truncated JSON", 14) == 0);
	T(lazy("{\"type\":\"RECORD\",\"record\":{\"a\":[1,{}]", &m, e) == -1);
	T(strncmp(e, "truncated JSON", 14) == 0);
	/* after the record: validated */
	T(lazy("{\"record\":{},\"x\":\"\xff\"}", &m, e) == -1);
	T(strncmp(e, "invalid UTF-8", 13) == 0);
	T(lazy("{\"record\":{} x}", &m, e) == -1);
	/* other members than record: validated as before */
	T(lazy("{\"value\":{\"a\":01}}", &m, e) == -1);
}

/* What fd_singer_scan_members gave: its members' text, key=value;
 * "|" for a fn(arg, NULL). */
struct got {
	char	 text[512];
	size_t	 n;
};

static void
got_put(void *arg, const struct fd_singer_member *mem)
{
	struct got *g = arg;
	int k;

	if (mem == NULL)
		k = snprintf(g->text + g->n, sizeof(g->text) - g->n, "|");
	else
		k = snprintf(g->text + g->n, sizeof(g->text) - g->n,
		    "%.*s=%.*s(%d)%s", (int)mem->key.len, mem->key.p,
		    (int)mem->vlen, mem->vp, mem->val.kind,
		    mem->val.p == mem->vp ? "" : "!");
	if (k > 0 && (size_t)k < sizeof(g->text) - g->n)
		g->n += (size_t)k;
}

/* fd_singer_scan_members with plain, into g (emptied); 0 or -1 with
 * the message in e. */
static int
members(const char *line, int plain, struct fd_singer_msg *m, struct got *g,
    char *e)
{
	g->n = 0;
	g->text[0] = '\0';
	return fd_singer_scan_members(line, strlen(line), plain, m, got_put, g,
	    e);
}

/* The members of a line's record as the scan meets them, with the
 * same validation, spans and errors as fd_singer_scan. */
void
t_singer_scan_members(void)
{
	static const char *const lines[] = {
		"{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{\"a\":1,"
		    "\"b\":{\"c\":[1,{}]},\"d\":null},\"version\":1}",
		"{\"record\":{},\"type\":\"RECORD\",\"stream\":\"t\"}",
		"{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{\"a\":01}}",
		"{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{\"a\":\"\xff\"}}",
		"{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{\"a\":[1}}",
		"{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{\"a\":1",
		"{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{\"a\":1}} x",
		"{\"record\":{\"a\":1},\"x\":\"\xc3\"}",
		"[{\"record\":{}}]",
		"",
	};
	struct fd_singer_msg m, n;
	struct got g;
	char e[FD_ERRSZ], e2[FD_ERRSZ];
	size_t i;
	int r;

	T(members(lines[0], 0, &m, &g, e) == 0);
	T_INT(m.type, FD_SINGER_RECORD);
	T_STR(g.text, "|\"a\"=1(7)\"b\"={\"c\":[1,{}]}(1)\"d\"=null(10)");
	T(m.record.len == strlen("{\"a\":1,\"b\":{\"c\":[1,{}]},\"d\":null}"));
	T(memcmp(m.record.p, "{\"a\":1,", 7) == 0);
	T(m.version.kind == FD_JTOK_NUMBER && *m.version.p == '1');
	/* an empty record, before the type */
	T(members(lines[1], 0, &m, &g, e) == 0);
	T_INT(m.type, FD_SINGER_RECORD);
	T_STR(g.text, "|");
	T(m.record.len == 2);
	/* two records: the last one's members after the last "|"; a
	 * record that is not an object has none */
	T(members("{\"record\":{\"a\":1},\"record\":{\"b\":2}}", 0, &m, &g,
	    e) == 0);
	T_STR(g.text, "|\"a\"=1(7)|\"b\"=2(7)");
	T(members("{\"record\":{\"a\":1},\"record\":[]}", 0, &m, &g, e) == 0);
	T_STR(g.text, "|\"a\"=1(7)|");
	T(m.record.kind == FD_JTOK_ARRAY);
	/* plain: the line's own members */
	T(members("{\"id\":1,\"type\":\"Problem\",\"l\":[1]}", 1, &m, &g,
	    e) == 0);
	T_STR(g.text, "|\"id\"=1(7)\"type\"=\"Problem\"(6)\"l\"=[1](3)");
	T_INT(m.type, FD_SINGER_NONE);
	/* every line: fd_singer_scan's verdict, message and spans */
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		for (r = 0; r < 2; r++) {
			strcpy(e, "untouched");
			strcpy(e2, "untouched");
			if (members(lines[i], r, &m, &g, e) != scan(lines[i],
			    &n, e2))
				T_FAIL("line %zu: verdicts differ", i);
			if (strcmp(e, e2) != 0)
				T_FAIL("line %zu: \"%s\", not \"%s\"", i, e,
				    e2);
			if (memcmp(&m, &n, sizeof(m)) != 0)
				T_FAIL("line %zu: the spans differ", i);
		}
	}
}

void
t_json_put_string(void)
{
	struct fd_buf b = FD_BUF_INIT;
	char e[FD_ERRSZ];
	jv v;
	/* every byte 0x01 to 0x7f, then é, 日本 and a NUL */
	char all[0x80 + 16];
	size_t n = 0, i;

	T(fd_json_put_string(&b, "", 0) == 0);
	T_STR(b.data, "\"\"");
	fd_buf_reset(&b);
	T(fd_json_put_string(&b, "a\"b\\c/d", 7) == 0);
	T_STR(b.data, "\"a\\\"b\\\\c/d\"");
	fd_buf_reset(&b);
	T(fd_json_put_string(&b, "\x01\t\n\r\b\f\x1f\x7f", 8) == 0);
	T_STR(b.data, "\"\\u0001\\t\\n\\r\\b\\f\\u001f\x7f\"");
	fd_buf_reset(&b);
	T(fd_json_put_string(&b, "a\0b", 3) == 0);
	T_INT(b.len, 10);
	T(memcmp(b.data, "\"a\\u0000b\"", 10) == 0);
	fd_buf_reset(&b);
	T(fd_json_put_string(&b, "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", 12) ==
	    0);
	T_STR(b.data, "\"caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac\"");

	/* invalid UTF-8: refused, the buffer as it was */
	fd_buf_reset(&b);
	fd_buf_puts(&b, "x");
	errno = 0;
	T(fd_json_put_string(&b, "a\xff", 2) == -1);
	T_INT(errno, EILSEQ);
	T_STR(b.data, "x");
	T(fd_json_put_string(&b, "\xc3", 1) == -1);
	T(fd_json_put_string(&b, "\xed\xa0\x80", 3) == -1);	/* surrogate */
	T(fd_json_put_string(&b, "\xc0\xaf", 2) == -1);		/* overlong */
	T_INT(b.len, 1);

	/* whatever it writes, the scanner and libjq read back as given */
	for (i = 1; i < 0x80; i++)
		all[n++] = (char)i;
	memcpy(all + n, "\xc3\xa9\xe6\x97\xa5\xe6\x9c\xac", 8);
	n += 8;
	all[n++] = '\0';
	fd_buf_reset(&b);
	T(fd_json_put_string(&b, all, n) == 0);
	{
		struct fd_buf d = FD_BUF_INIT;
		T(fd_jscan_string(b.data, b.len, &d, e) == 0);
		T_INT(d.len, n);
		T(memcmp(d.data, all, n) == 0);
		fd_buf_free(&d);
	}
	T(fd_json_parse(b.data, b.len, &v, e) == 0);
	T(jv_get_kind(v) == JV_KIND_STRING);
	T_INT(jv_string_length_bytes(jv_copy(v)), n);
	T(memcmp(jv_string_value(v), all, n) == 0);
	jv_free(v);
	fd_buf_free(&b);
}

void
t_singer_put(void)
{
	static const char *const keys[] = { "a\"b", "\xc3\xa9" };
	struct fd_singer_prop props[] = {
		{ "id", "{\"type\":\"integer\"}" },
		{ "t\tab\\", "{}" },
	};
	struct fd_singer_xfd x = { "merge", "r\n", NULL };
	struct fd_buf b = FD_BUF_INIT;
	char e[FD_ERRSZ];
	jv v;

	T(fd_singer_put_schema(&b, "s\x01", props, 2, keys, 2, NULL) == 0);
	T_STR(b.data, "{\"type\":\"SCHEMA\",\"stream\":\"s\\u0001\",\"schema\":"
	    "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"},"
	    "\"t\\tab\\\\\":{}}},\"key_properties\":[\"a\\\"b\",\"\xc3\xa9\"]}\n");
	fd_buf_reset(&b);
	T(fd_singer_put_schema(&b, "s", NULL, 0, NULL, 0, &x) == 0);
	T_STR(b.data, "{\"type\":\"SCHEMA\",\"stream\":\"s\",\"schema\":"
	    "{\"type\":\"object\",\"properties\":{}},\"key_properties\":[],"
	    "\"x-fd\":{\"disposition\":\"merge\",\"root\":\"r\\n\","
	    "\"table_kind\":\"root\"}}\n");
	fd_buf_reset(&b);
	x.disposition = NULL;
	x.parent = "p";
	T(fd_singer_put_schema(&b, "s", NULL, 0, NULL, 0, &x) == 0);
	T(strstr(b.data, "\"x-fd\":{\"root\":\"r\\n\",\"parent\":\"p\","
	    "\"table_kind\":\"child\"}}\n") != NULL);
	T(fd_json_parse(b.data, b.len - 1, &v, e) == 0);
	jv_free(v);

	fd_buf_reset(&b);
	T(fd_singer_put_record_head(&b, "a\\x") == 0);
	fd_buf_puts(&b, "{\"id\":1}");
	T(fd_singer_put_record_end(&b, "7", 1) == 0);
	T(fd_singer_put_record_head(&b, "t") == 0);
	fd_buf_puts(&b, "{}");
	T(fd_singer_put_record_end(&b, NULL, 0) == 0);
	T(fd_singer_put_activate_version(&b, "a\\x", "7", 1) == 0);
	T(fd_singer_put_state(&b, "{\"a\":1}", 7) == 0);
	T_STR(b.data, "{\"type\":\"RECORD\",\"stream\":\"a\\\\x\",\"record\":"
	    "{\"id\":1},\"version\":7}\n"
	    "{\"type\":\"RECORD\",\"stream\":\"t\",\"record\":{}}\n"
	    "{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"a\\\\x\","
	    "\"version\":7}\n"
	    "{\"type\":\"STATE\",\"value\":{\"a\":1}}\n");

	/* a name that is not UTF-8: nothing written, EILSEQ */
	fd_buf_reset(&b);
	fd_buf_puts(&b, "x");
	errno = 0;
	T(fd_singer_put_record_head(&b, "a\xff") == -1);
	T_INT(errno, EILSEQ);
	T(fd_singer_put_activate_version(&b, "\xff", "1", 1) == -1);
	x.parent = "\xe6\x97";
	T(fd_singer_put_schema(&b, "s", props, 2, keys, 2, &x) == -1);
	x.parent = NULL;
	T(fd_singer_put_schema(&b, "s", props, 2, (const char *[]){ "\xff" },
	    1, &x) == -1);
	T_INT(errno, EILSEQ);
	T_STR(b.data, "x");
	fd_buf_free(&b);
}
