/* Unit tests of lib/json.c and lib/singer.c. */
#include <stdlib.h>

#include "diag.h"
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

/* Whether object m has the string value want at key k.  Borrows m. */
static int
field_is(jv m, const char *k, const char *want)
{
	jv v = jv_object_get(jv_copy(m), jv_string(k));
	int ok;

	ok = jv_get_kind(v) == JV_KIND_STRING &&
	    strcmp(jv_string_value(v), want) == 0;
	jv_free(v);
	return ok;
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
	T_STR(fd_singer_type_name(FD_SINGER_STATE), "STATE");
}

void
t_singer_reader(void)
{
	const char in[] =
	    "{\"type\":\"SCHEMA\",\"stream\":\"tickets\",\"schema\":"
	    "{\"type\":\"object\"},\"key_properties\":[\"id\"]}\n"
	    "\n"
	    "{\"type\":\"RECORD\",\"stream\":\"tickets\",\"record\":"
	    "{\"id\":1,\"type\":\"Problem\"}}\n"
	    "{\"id\":2,\"type\":\"Question\"}\n"
	    "{\"type\":\"STATE\",\"value\":{\"bookmarks\":{}}}";
	struct fd_singer_reader *r;
	enum fd_singer_type t;
	char e[FD_ERRSZ];
	FILE *fp = t_file(in, sizeof(in) - 1);
	jv m;

	T((r = fd_singer_open(fp, "<stdin>", NULL)) != NULL);
	T_INT(fd_singer_next(r, &t, &m, e), 1);
	T_INT(t, FD_SINGER_SCHEMA);
	jv_free(m);
	T_INT(fd_singer_next(r, &t, &m, e), 1);
	T_INT(t, FD_SINGER_RECORD);
	T_INT(fd_singer_lineno(r), 3);	/* the blank line is skipped */
	jv_free(m);
	T_INT(fd_singer_next(r, &t, &m, e), 1);
	T_INT(t, FD_SINGER_NONE);
	T(field_is(m, "type", "Question"));
	jv_free(m);
	T_INT(fd_singer_next(r, &t, &m, e), 1);
	T_INT(t, FD_SINGER_STATE);
	jv_free(m);
	T_INT(fd_singer_next(r, &t, &m, e), 0);
	fd_singer_close(r);
	fd_singer_close(NULL);
	fclose(fp);
}

static void
expect_error(const char *in, size_t len, const char *want)
{
	struct fd_singer_reader *r;
	enum fd_singer_type t;
	char e[FD_ERRSZ];
	FILE *fp = t_file(in, len);
	jv m;
	int rc;

	r = fd_singer_open(fp, "in.ndjson", NULL);
	while ((rc = fd_singer_next(r, &t, &m, e)) == 1)
		jv_free(m);
	fd_singer_close(r);
	fclose(fp);
	if (rc != -1)
		T_FAIL("no error for \"%s\"", in);
	if (strncmp(e, want, strlen(want)) != 0)
		T_FAIL("got \"%s\", want \"%s...\"", e, want);
}

void
t_singer_reader_errors(void)
{
	expect_error("{}\n{\"a\":\n", 9, "in.ndjson:2: invalid JSON: ");
	expect_error("{}\n{}\n[1,2]\n", 12,
	    "in.ndjson:3: expected a JSON object, got an array");
	expect_error("\"str\"\n", 6,
	    "in.ndjson:1: expected a JSON object, got a string");
	expect_error("{\"s\":\"\xc3\x28\"}\n", 10,
	    "in.ndjson:1: invalid UTF-8 at byte 7");
	expect_error("{} {}\n", 6, "in.ndjson:1: invalid JSON: ");
	if (t_failed)
		return;
}

void
t_singer_plain_mode(void)
{
	const char in[] = "{\"type\":\"STATE\",\"value\":1}\n";
	struct fd_singer_reader *r;
	enum fd_singer_type t;
	char e[FD_ERRSZ];
	FILE *fp = t_file(in, sizeof(in) - 1);
	jv m, rec;

	/* --stream: even a line that looks like a message is a record */
	r = fd_singer_open(fp, "<stdin>", "tickets");
	T_INT(fd_singer_next(r, &t, &m, e), 1);
	T_INT(t, FD_SINGER_RECORD);
	T_INT(fd_singer_type(m), FD_SINGER_RECORD);
	T(field_is(m, "stream", "tickets"));
	rec = jv_object_get(m, jv_string("record"));
	T(field_is(rec, "type", "STATE"));
	jv_free(rec);
	fd_singer_close(r);
	fclose(fp);
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
