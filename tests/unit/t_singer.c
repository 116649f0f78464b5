/* Unit tests of lib/json.c and lib/singer.c. */
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

static enum fd_singer_type
detect(const char *text)
{
	enum fd_singer_type t;
	jv v = jv_parse(text);

	t = fd_singer_type(v);
	jv_free(v);
	return t;
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

void
t_singer_write(void)
{
	char path[4096], line[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/out", t_tmpdir);
	fp = fopen(path, "w+");
	T(fd_singer_write(fp, fd_singer_schema("tickets",
	    jv_object(), JV_ARRAY(jv_string("id")), jv_invalid())) == 0);
	T(fd_singer_write(fp, fd_singer_record("tickets",
	    jv_parse("{\"id\":67042965499,\"subject\":\"caf\xc3\xa9\"}"))) == 0);
	T(fd_singer_write(fp, fd_singer_activate_version("agents", 7)) == 0);
	T(fd_singer_write(fp, fd_singer_state(jv_parse("{\"a\":1}"))) == 0);
	rewind(fp);
	T(fgets(line, sizeof(line), fp) != NULL);
	T_STR(line, "{\"type\":\"SCHEMA\",\"stream\":\"tickets\",\"schema\":{},"
	    "\"key_properties\":[\"id\"]}\n");
	T(fgets(line, sizeof(line), fp) != NULL);
	T_STR(line, "{\"type\":\"RECORD\",\"stream\":\"tickets\",\"record\":"
	    "{\"id\":67042965499,\"subject\":\"caf\xc3\xa9\"}}\n");
	T(fgets(line, sizeof(line), fp) != NULL);
	T_STR(line, "{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"agents\","
	    "\"version\":7}\n");
	T(fgets(line, sizeof(line), fp) != NULL);
	T_STR(line, "{\"type\":\"STATE\",\"value\":{\"a\":1}}\n");
	fclose(fp);

	/* a write error is reported, not swallowed */
	fp = fopen("/dev/full", "w");
	if (fp != NULL) {
		setvbuf(fp, NULL, _IONBF, 0);
		T(fd_singer_write(fp, fd_singer_state(jv_null())) == -1);
		fclose(fp);
	}
}
