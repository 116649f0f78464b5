/*
 * Unit tests of fd-normalize/flatten.c, through its API (extern.h): a
 * record flattened into the output buffer, its lines compared whole.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "digest.h"
#include "naming.h"
#include "../../fd-normalize/extern.h"
#include "t.h"

/* The JSON Schema properties flatten declares (lib/coltype.c). */
#define P(name, schema)	"\"" name "\":" schema
#define BIGINT	"{\"type\":[\"integer\",\"null\"],\"x-fd-type\":\"bigint\"}"
#define DOUBLE	"{\"type\":[\"number\",\"null\"],\"x-fd-type\":\"double\"}"
#define DECIMAL	"{\"type\":[\"number\",\"null\"],\"x-fd-type\":\"decimal\"}"
#define BOOL	"{\"type\":[\"boolean\",\"null\"],\"x-fd-type\":\"bool\"}"
#define TEXT	"{\"type\":[\"string\",\"null\"],\"x-fd-type\":\"text\"}"
#define JSON	"{\"type\":[\"object\",\"array\",\"null\"],\"x-fd-type\":\"json\"}"
/* A SCHEMA line's text up to its properties, and after them. */
#define SCHEMA(t)	"{\"type\":\"SCHEMA\",\"stream\":\"" t "\",\"schema\":" \
	"{\"type\":\"object\",\"properties\":{"
#define ROOT(keys, disp, root)	"}},\"key_properties\":[" keys "],"	\
	"\"x-fd\":{\"disposition\":\"" disp "\",\"root\":\"" root "\","	\
	"\"table_kind\":\"root\"}}"
/* A child table's, keyed by its id column (fd's, or dlt's: DLT_CHILD). */
#define CHILD_KEYED(id, disp, root, parent)				\
	"}},\"key_properties\":[\"" id "\"],"				\
	"\"x-fd\":{\"disposition\":\"" disp "\",\"root\":\"" root "\","	\
	"\"parent\":\"" parent "\",\"table_kind\":\"child\"}}"
#define CHILD(disp, root, parent)	CHILD_KEYED("_fd_id", disp, root, parent)
#define DLT_CHILD(disp, root, parent)	CHILD_KEYED("_dlt_id", disp, root, \
	parent)
#define RECORD(t)	"{\"type\":\"RECORD\",\"stream\":\"" t "\",\"record\":"
/* The link columns of a child table, fd's. */
#define LINKS	P("_fd_root_id", TEXT) "," P("_fd_parent_id", TEXT) ","	\
	P("_fd_list_idx", BIGINT) "," P("_fd_id", TEXT)

/* A flattener into out (emptied) with dlt's names or not and the
 * nesting limit. */
static struct flattener *
open_into(struct fd_buf *out, int dlt, int max_nesting)
{
	struct norm_opts o;
	char why[FD_ERRSZ];

	memset(&o, 0, sizeof(o));
	if (fd_naming_conv_parse("snake_case", &o.conv, why) == -1)
		abort();
	o.dlt = dlt;
	o.max_nesting = max_nesting;
	fd_buf_reset(out);
	return flatten_init(&o, out);
}

/* Line i (from 0) of b without its newline, or NULL: valid until the
 * next call. */
static const char *
line_at(const struct fd_buf *b, int i)
{
	static char l[8192];
	const char *p = b->data, *end = b->data + b->len, *nl;

	if (b->len == 0)
		return NULL;
	for (;;) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return NULL;
		if (i-- == 0)
			break;
		p = nl + 1;
	}
	if ((size_t)(nl - p) >= sizeof(l))
		return NULL;
	memcpy(l, p, (size_t)(nl - p));
	l[nl - p] = '\0';
	return l;
}

static int
nlines(const struct fd_buf *b)
{
	int n = 0;
	size_t i;

	for (i = 0; i < b->len; i++)
		n += b->data[i] == '\n';
	return n;
}

/* Flattens the record text rec of s into f; 0 or -1. */
static int
flat(struct flattener *f, struct stream *s, const char *rec)
{
	char why[FD_ERRSZ];

	return flatten_record(f, s, rec, strlen(rec), NULL, 0, NULL, 0,
	    why);
}

/* dlt's id of a text (fd_digest_id), in a static buffer. */
static const char *
id_of(const char *text)
{
	static char id[15];

	if (fd_digest_id(NULL, text, strlen(text), id) == -1)
		abort();
	return id;
}

/* A record into a root row and a child table's rows, each table's
 * SCHEMA first; nested objects as a__b columns, nulls left out. */
void
t_flatten_root_and_child(void)
{
	struct fd_buf out = FD_BUF_INIT;
	struct flattener *f = open_into(&out, 0, 1000);
	struct stream *s = stream_get(f, "Tickets", 7);

	T_STR(stream_table(s), "tickets");
	T_INT(flat(f, s, "{\"id\":1,\"tags\":[\"a\",\"b\"],"
	    "\"o\":{\"x\":true,\"y\":null}}"), 0);
	T_INT(nlines(&out), 5);
	T_STR(line_at(&out, 0), SCHEMA("tickets") P("id", BIGINT) ","
	    P("o__x", BOOL) "," P("_fd_id", TEXT)
	    ROOT("", "append", "tickets"));
	T_STR(line_at(&out, 1), RECORD("tickets") "{\"id\":1,\"o__x\":true,"
	    "\"_fd_id\":\"iXjlj9ffeL3h5Q\"}}");
	T_STR(line_at(&out, 2), SCHEMA("tickets__tags") P("value", TEXT) ","
	    LINKS CHILD("append", "tickets", "tickets"));
	T_STR(line_at(&out, 3), RECORD("tickets__tags") "{\"value\":\"a\","
	    "\"_fd_root_id\":\"iXjlj9ffeL3h5Q\","
	    "\"_fd_parent_id\":\"iXjlj9ffeL3h5Q\",\"_fd_list_idx\":0,"
	    "\"_fd_id\":\"Sqf+MoaqUJgusg\"}}");
	T_STR(line_at(&out, 4), RECORD("tickets__tags") "{\"value\":\"b\","
	    "\"_fd_root_id\":\"iXjlj9ffeL3h5Q\","
	    "\"_fd_parent_id\":\"iXjlj9ffeL3h5Q\",\"_fd_list_idx\":1,"
	    "\"_fd_id\":\"uEd93/ypuoOXsQ\"}}");
	flatten_end(f);
	fd_buf_free(&out);
}

/*
 * Ids that a re-run gives again: a root row's is the hash of its
 * table and its key values (without a key: of the whole record), a
 * child row's of its parent's id, its table and its index; a row that
 * brings its own _fd_id keeps it.
 */
void
t_flatten_ids(void)
{
	struct fd_buf out = FD_BUF_INIT;
	struct flattener *f = open_into(&out, 0, 1000);
	struct stream *s = stream_get(f, "t", 1), *u = stream_get(f, "u", 1);
	char *key = "k", root[15], text[64], want[256];
	size_t klen = 1;

	/* pinned: a re-run, and the next release, give these ids */
	stream_schema(f, s, &key, &klen, 1, NULL);
	T_INT(flat(f, s, "{\"k\":1}"), 0);
	T_STR(line_at(&out, 1), RECORD("t")
	    "{\"k\":1,\"_fd_id\":\"7MT96I9kcNhALw\"}}");
	T_STR(id_of("t\n1"), "7MT96I9kcNhALw");
	/* a row's own id */
	T_INT(flat(f, s, "{\"k\":2,\"_fd_id\":\"mine\"}"), 0);
	T_STR(line_at(&out, 2), RECORD("t") "{\"k\":2,\"_fd_id\":\"mine\"}}");
	/* no key: the whole record */
	fd_buf_reset(&out);
	T_INT(flat(f, u, "{\"id\":7}"), 0);
	snprintf(want, sizeof(want), RECORD("u") "{\"id\":7,\"_fd_id\":\"%s\"}}",
	    id_of("u\n{\"id\":7}"));
	T_STR(line_at(&out, 1), want);
	/* a key's string value by its decoded text; a child row's id from
	 * its parent's, its table and its index */
	stream_schema(f, u, &key, &klen, 1, NULL);
	T_INT(flat(f, u, "{\"k\":\"\\u00e9\",\"l\":[true]}"), 0);
	snprintf(root, sizeof(root), "%s", id_of("u\n\"\xc3\xa9\""));
	snprintf(want, sizeof(want), RECORD("u") "{\"k\":\"\\u00e9\","
	    "\"_fd_id\":\"%s\"}}", root);
	T_STR(line_at(&out, 3), want);
	snprintf(text, sizeof(text), "%s_u__l_0", root);
	snprintf(want, sizeof(want), RECORD("u__l") "{\"value\":true,"
	    "\"_fd_root_id\":\"%s\",\"_fd_parent_id\":\"%s\","
	    "\"_fd_list_idx\":0,\"_fd_id\":\"%s\"}}", root, root,
	    id_of(text));
	T_STR(line_at(&out, 5), want);
	flatten_end(f);
	fd_buf_free(&out);
}

/* A table's SCHEMA again, whole, when a row brings a new column, and
 * only then. */
void
t_flatten_schema_grows(void)
{
	struct fd_buf out = FD_BUF_INIT;
	struct flattener *f = open_into(&out, 0, 1000);
	struct stream *s = stream_get(f, "t", 1);

	T_INT(flat(f, s, "{\"a\":1}"), 0);
	T_INT(flat(f, s, "{\"a\":2}"), 0);
	T_INT(nlines(&out), 3);
	T_INT(flat(f, s, "{\"a\":3,\"b\":1.5}"), 0);
	T_INT(nlines(&out), 5);
	T_STR(line_at(&out, 3), SCHEMA("t") P("a", BIGINT) ","
	    P("_fd_id", TEXT) "," P("b", DOUBLE) ROOT("", "append", "t"));
	T_INT(flat(f, s, "{\"b\":2}"), 0);
	T_INT(nlines(&out), 6);
	flatten_end(f);
	fd_buf_free(&out);
}

/* Whether line i of b starts with prefix. */
static int
line_starts(const struct fd_buf *b, int i, const char *prefix)
{
	const char *l = line_at(b, i);

	return l != NULL && strncmp(l, prefix, strlen(prefix)) == 0;
}

/* A key is found by its name wherever it is: the guess of the key at a
 * place (the last object's) fails on keys in another order, added,
 * left out, escaped or sharing a prefix. */
void
t_flatten_key_order(void)
{
	struct fd_buf out = FD_BUF_INIT;
	struct flattener *f = open_into(&out, 0, 1000);
	struct stream *s = stream_get(f, "t", 1);

	T_INT(flat(f, s, "{\"a\":1,\"b\":2,\"n\":{\"x\":1,\"y\":2}}"), 0);
	T_INT(flat(f, s, "{\"b\":3,\"a\":4,\"n\":{\"y\":5,\"x\":6}}"), 0);
	T_INT(flat(f, s, "{\"a\":5,\"c\":6,\"b\":7}"), 0);
	T_INT(flat(f, s, "{\"\\u0061\":8,\"b\":9,\"n\":{\"x\":1}}"), 0);
	T_INT(flat(f, s, "{\"ab\":1,\"a\":2,\"\":3}"), 0);
	T_INT(nlines(&out), 8);
	T(line_starts(&out, 1, RECORD("t") "{\"a\":1,\"b\":2,\"n__x\":1,"
	    "\"n__y\":2,\"_fd_id\":"));
	T(line_starts(&out, 2, RECORD("t") "{\"b\":3,\"a\":4,\"n__y\":5,"
	    "\"n__x\":6,\"_fd_id\":"));
	T_STR(line_at(&out, 3), SCHEMA("t") P("a", BIGINT) "," P("b", BIGINT)
	    "," P("n__x", BIGINT) "," P("n__y", BIGINT) "," P("_fd_id", TEXT)
	    "," P("c", BIGINT) ROOT("", "append", "t"));
	T(line_starts(&out, 4, RECORD("t") "{\"a\":5,\"c\":6,\"b\":7,"
	    "\"_fd_id\":"));
	T(line_starts(&out, 5, RECORD("t") "{\"a\":8,\"b\":9,\"n__x\":1,"
	    "\"_fd_id\":"));
	T(line_starts(&out, 7, RECORD("t") "{\"ab\":1,\"a\":2,"));
	flatten_end(f);
	fd_buf_free(&out);
}

/* Dense records: every column of the table's last SCHEMA, in its
 * order, null where the row has none, the link columns in their
 * places; a column that comes later is in every record after it. */
void
t_flatten_dense(void)
{
	struct fd_buf out = FD_BUF_INIT;
	struct flattener *f;
	struct stream *s;
	struct norm_opts o;
	char why[FD_ERRSZ];

	memset(&o, 0, sizeof(o));
	if (fd_naming_conv_parse("snake_case", &o.conv, why) == -1)
		abort();
	o.max_nesting = 1000;
	o.dense = 1;
	f = flatten_init(&o, &out);
	s = stream_get(f, "t", 1);
	T_INT(flat(f, s, "{\"a\":1,\"l\":[{\"x\":1}]}"), 0);
	T_INT(flat(f, s, "{\"b\":\"s\",\"a\":null,\"l\":[{\"y\":2},null]}"),
	    0);
	T_INT(flat(f, s, "{\"a\":\"v\"}"), 0);
	T_INT(nlines(&out), 11);
	T_STR(line_at(&out, 1), RECORD("t") "{\"a\":1,\"_fd_id\":\""
	    "oUSLPSQWn1wptA\"}}");
	T_STR(line_at(&out, 3), RECORD("t__l") "{\"x\":1,"
	    "\"_fd_root_id\":\"oUSLPSQWn1wptA\",\"_fd_parent_id\":\""
	    "oUSLPSQWn1wptA\",\"_fd_list_idx\":0,\"_fd_id\":\""
	    "9zGktGQo/AMZ8A\"}}");
	T_STR(line_at(&out, 4), SCHEMA("t") P("a", BIGINT) ","
	    P("_fd_id", TEXT) "," P("b", TEXT) ROOT("", "append", "t"));
	T_STR(line_at(&out, 5), RECORD("t") "{\"a\":null,\"_fd_id\":\""
	    "NWap3fC9k8hFtw\",\"b\":\"s\"}}");
	T_STR(line_at(&out, 7), RECORD("t__l") "{\"x\":null,"
	    "\"_fd_root_id\":\"NWap3fC9k8hFtw\",\"_fd_parent_id\":\""
	    "NWap3fC9k8hFtw\",\"_fd_list_idx\":0,\"_fd_id\":\""
	    "i4LxfDSD9D4brg\",\"y\":2}}");
	T_STR(line_at(&out, 8), RECORD("t__l") "{\"x\":null,"
	    "\"_fd_root_id\":\"NWap3fC9k8hFtw\",\"_fd_parent_id\":\""
	    "NWap3fC9k8hFtw\",\"_fd_list_idx\":1,\"_fd_id\":\""
	    "Y/ThYu+lIrOBbg\",\"y\":null}}");
	/* a variant: the base column null, the variant written */
	T_STR(line_at(&out, 9), SCHEMA("t") P("a", BIGINT) ","
	    P("_fd_id", TEXT) "," P("b", TEXT) "," P("a__v_text", TEXT)
	    ROOT("", "append", "t"));
	T_STR(line_at(&out, 10), RECORD("t") "{\"a\":null,\"_fd_id\":\""
	    "nOZLvQI07Z/0jw\",\"b\":null,\"a__v_text\":\"v\"}}");
	flatten_end(f);
	fd_buf_free(&out);
}

/* stream_hints: a SCHEMA's properties are the root's first columns,
 * untyped, in their order (objects flattened, lists and objects without
 * properties left out), each typed by its first value with a SCHEMA
 * again; a column of the data only is appended; nesting limits the
 * walk; sparse records take no hints. */
#define TIMESTAMP	"{\"type\":[\"string\",\"null\"],\"format\":\"date-time\",\"x-fd-type\":\"timestamp\"}"
void
t_flatten_hints(void)
{
	static const char props[] = "{\"type\":\"object\",\"properties\":{"
	    "\"id\":{\"type\":\"integer\"},"
	    "\"p\":{\"type\":[\"null\",\"integer\"]},"
	    "\"l\":{\"type\":[\"null\",\"array\"]},"
	    "\"o\":{\"type\":[\"null\",\"object\"],\"properties\":{"
	    "\"X Y\":{\"type\":\"string\"},"
	    "\"q\":{\"type\":\"object\",\"properties\":{"
	    "\"r\":{\"type\":\"boolean\"}}}}},"
	    "\"blob\":{\"type\":\"object\"},"
	    "\"any\":{},"
	    "\"n\":{\"type\":[\"null\",\"number\"]},"
	    "\"u\":{\"type\":[\"null\",\"integer\",\"string\"]},"
	    "\"when\":{\"type\":[\"null\",\"string\"],"
	    "\"format\":\"date-time\"}}}";
	struct fd_buf out = FD_BUF_INIT;
	struct flattener *f;
	struct stream *s;
	struct norm_opts o;
	char why[FD_ERRSZ], *key = "id";
	size_t klen = 2;

	memset(&o, 0, sizeof(o));
	if (fd_naming_conv_parse("snake_case", &o.conv, why) == -1)
		abort();
	o.max_nesting = 1000;
	o.dense = 1;
	f = flatten_init(&o, &out);
	s = stream_get(f, "t", 1);
	stream_schema(f, s, &key, &klen, 1, NULL);
	stream_hints(f, s, props, sizeof(props) - 1);
	T_INT(flat(f, s, "{\"id\":1,\"new\":true}"), 0);
	T_INT(flat(f, s, "{\"id\":2,\"o\":{\"q\":{\"r\":false}}}"), 0);
	/* typed to take their values: integer, boolean, string, date-time;
	 * the others (a number, a union) left to the data */
	T_INT(nlines(&out), 3);
	T_STR(line_at(&out, 0), SCHEMA("t") P("id", BIGINT) ","
	    P("p", BIGINT) "," P("o__x_y", TEXT) "," P("o__q__r", BOOL) ","
	    P("when", TIMESTAMP)
	    "," P("new", BOOL) "," P("_fd_id", TEXT)
	    ROOT("\"id\"", "merge", "t"));
	T_STR(line_at(&out, 1), RECORD("t") "{\"id\":1,\"p\":null,"
	    "\"o__x_y\":null,\"o__q__r\":null,\"when\":null,\"new\":true,\"_fd_id\":\""
	    "7MT96I9kcNhALw\"}}");
	T_STR(line_at(&out, 2), RECORD("t") "{\"id\":2,\"p\":null,"
	    "\"o__x_y\":null,\"o__q__r\":false,\"when\":null,\"new\":null,\"_fd_id\":\""
	    "/LMPtThAGH537Q\"}}");
	flatten_end(f);

	/* nesting 1: o's members are columns, o__q stays json (untyped:
	 * left to the data) */
	o.max_nesting = 1;
	f = flatten_init(&o, &out);
	fd_buf_reset(&out);
	s = stream_get(f, "t", 1);
	stream_hints(f, s, props, sizeof(props) - 1);
	T_INT(flat(f, s, "{\"id\":1}"), 0);
	T_STR(line_at(&out, 0), SCHEMA("t") P("id", BIGINT) ","
	    P("p", BIGINT) "," P("o__x_y", TEXT) "," P("when", TIMESTAMP) ","
	    P("_fd_id", TEXT)
	    ROOT("", "append", "t"));
	flatten_end(f);

	/* a declared link column is the link column */
	f = flatten_init(&o, &out);
	fd_buf_reset(&out);
	s = stream_get(f, "t", 1);
	stream_hints(f, s, "{\"properties\":{\"_fd_id\":{\"type\":"
	    "\"string\"},\"a\":{\"type\":\"integer\"}}}", 66);
	T_INT(flat(f, s, "{\"b\":1}"), 0);
	T_STR(line_at(&out, 0), SCHEMA("t") P("_fd_id", TEXT) ","
	    P("a", BIGINT) "," P("b", BIGINT) ROOT("", "append", "t"));
	flatten_end(f);

	/* sparse: no hints */
	o.dense = 0;
	f = flatten_init(&o, &out);
	fd_buf_reset(&out);
	s = stream_get(f, "t", 1);
	stream_hints(f, s, props, sizeof(props) - 1);
	T_INT(flat(f, s, "{\"id\":1}"), 0);
	T_STR(line_at(&out, 0), SCHEMA("t") P("id", BIGINT) ","
	    P("_fd_id", TEXT) ROOT("", "append", "t"));
	flatten_end(f);
	fd_buf_free(&out);
}

/* stream_activate: the root's ACTIVATE_VERSION, then its declared
 * child tables' in the order of their first SCHEMA; a child table
 * without a row (an empty list) is not declared. */
void
t_flatten_activate(void)
{
	struct fd_buf out = FD_BUF_INIT;
	struct flattener *f = open_into(&out, 0, 1000);
	struct stream *s = stream_get(f, "G", 1);
	struct stream *o = stream_get(f, "o", 1);

	stream_activate(f, s, "7", 1);
	T_STR(line_at(&out, 0),
	    "{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"g\",\"version\":7}");
	T_INT(nlines(&out), 1);
	T_INT(flat(f, s, "{\"a\":[],\"b\":[1],\"c\":{\"d\":[2]}}"), 0);
	T_INT(flat(f, o, "{\"e\":[1]}"), 0);
	T_INT(flat(f, s, "{\"a\":[3]}"), 0);
	fd_buf_reset(&out);
	stream_activate(f, s, "8", 1);
	T_INT(nlines(&out), 4);
	T_STR(line_at(&out, 0),
	    "{\"type\":\"ACTIVATE_VERSION\",\"stream\":\"g\",\"version\":8}");
	T_STR(line_at(&out, 1), "{\"type\":\"ACTIVATE_VERSION\",\"stream\":"
	    "\"g__b\",\"version\":8}");
	T_STR(line_at(&out, 2), "{\"type\":\"ACTIVATE_VERSION\",\"stream\":"
	    "\"g__c__d\",\"version\":8}");
	T_STR(line_at(&out, 3), "{\"type\":\"ACTIVATE_VERSION\",\"stream\":"
	    "\"g__a\",\"version\":8}");
	flatten_end(f);
	fd_buf_free(&out);
}

/* A value of another type than its column's goes to the variant
 * column <col>__v_<type>; an integer fits a double column, a
 * date-time a text column, and a date-time in another column is a
 * text variant. */
void
t_flatten_variant(void)
{
	struct fd_buf out = FD_BUF_INIT;
	struct flattener *f = open_into(&out, 0, 1000);
	struct stream *s = stream_get(f, "t", 1);
	const char *rec;

	T_INT(flat(f, s, "{\"x\":1,\"d\":0.5,\"s\":\"a\"}"), 0);
	T_INT(flat(f, s, "{\"x\":\"a\",\"d\":2,"
	    "\"s\":\"2024-05-01T10:00:00Z\"}"), 0);
	T_STR(line_at(&out, 2), SCHEMA("t") P("x", BIGINT) ","
	    P("d", DOUBLE) "," P("s", TEXT) "," P("_fd_id", TEXT) ","
	    P("x__v_text", TEXT) ROOT("", "append", "t"));
	T_INT(strncmp(rec = line_at(&out, 3), RECORD("t")
	    "{\"x__v_text\":\"a\",\"d\":2,\"s\":\"2024-05-01T10:00:00Z\",",
	    strlen(RECORD("t") "{\"x__v_text\":\"a\",\"d\":2,"
	    "\"s\":\"2024-05-01T10:00:00Z\",")), 0);
	T_INT(flat(f, s, "{\"x\":\"2024-05-01T10:00:00Z\"}"), 0);
	T_INT(strncmp(line_at(&out, 4), RECORD("t")
	    "{\"x__v_text\":\"2024-05-01T10:00:00Z\",",
	    strlen(RECORD("t") "{\"x__v_text\":\"2024-05-01T10:00:00Z\",")),
	    0);
	T_INT(flat(f, s, "{\"x\":5}"), 0);
	T_INT(strncmp(line_at(&out, 5), RECORD("t") "{\"x\":5,",
	    strlen(RECORD("t") "{\"x\":5,")), 0);
	flatten_end(f);
	fd_buf_free(&out);

	/* integers: bigint up to 2^63 - 1 (18 digits always are), decimal
	 * beyond; a time with an offset is written in UTC */
	f = open_into(&out, 0, 1000);
	s = stream_get(f, "t", 1);
	T_INT(flat(f, s, "{\"a\":999999999999999999,"
	    "\"b\":-99999999999999999,\"c\":9223372036854775807,"
	    "\"d\":-9223372036854775808,\"e\":9223372036854775808,"
	    "\"f\":-9223372036854775809,\"g\":\"2024-05-01T12:00:00+02:00\","
	    "\"h\":\"2024-05-01T10:00:00.5Z\"}"), 0);
	T_STR(line_at(&out, 0), SCHEMA("t") P("a", BIGINT) "," P("b", BIGINT)
	    "," P("c", BIGINT) "," P("d", BIGINT) "," P("e", DECIMAL) ","
	    P("f", DECIMAL) "," P("g", TIMESTAMP) "," P("h", TIMESTAMP) ","
	    P("_fd_id", TEXT) ROOT("", "append", "t"));
	T(line_starts(&out, 1, RECORD("t") "{\"a\":999999999999999999,"
	    "\"b\":-99999999999999999,\"c\":9223372036854775807,"
	    "\"d\":-9223372036854775808,\"e\":9223372036854775808,"
	    "\"f\":-9223372036854775809,\"g\":\"2024-05-01T10:00:00Z\","
	    "\"h\":\"2024-05-01T10:00:00.5Z\","));
	flatten_end(f);
	fd_buf_free(&out);
}

/* max_nesting: the levels below it stay whole as json values, objects
 * and lists alike; 0 keeps every nested value as json. */
void
t_flatten_max_nesting(void)
{
	struct fd_buf out = FD_BUF_INIT;
	struct flattener *f = open_into(&out, 0, 1);
	struct stream *s = stream_get(f, "t", 1);

	T_INT(flat(f, s, "{\"a\":{\"b\":{\"c\":1}},\"l\":[{\"m\":[1],"
	    "\"n\":{\"o\":2}}]}"), 0);
	T_INT(nlines(&out), 4);
	T_STR(line_at(&out, 0), SCHEMA("t") P("a__b", JSON) ","
	    P("_fd_id", TEXT) ROOT("", "append", "t"));
	T_INT(strncmp(line_at(&out, 1), RECORD("t") "{\"a__b\":{\"c\":1},",
	    strlen(RECORD("t") "{\"a__b\":{\"c\":1},")), 0);
	T_STR(line_at(&out, 2), SCHEMA("t__l") P("m", JSON) ","
	    P("n", JSON) "," LINKS CHILD("append", "t", "t"));
	T_INT(strncmp(line_at(&out, 3), RECORD("t__l")
	    "{\"m\":[1],\"n\":{\"o\":2},", strlen(RECORD("t__l")
	    "{\"m\":[1],\"n\":{\"o\":2},")), 0);
	flatten_end(f);

	f = open_into(&out, 0, 0);
	s = stream_get(f, "t", 1);
	T_INT(flat(f, s, "{\"a\":{\"b\":1},\"l\":[1]}"), 0);
	T_INT(nlines(&out), 2);
	T_STR(line_at(&out, 0), SCHEMA("t") P("a", JSON) "," P("l", JSON)
	    "," P("_fd_id", TEXT) ROOT("", "append", "t"));
	flatten_end(f);
	fd_buf_free(&out);
}

/* --dlt: dlt's _dlt_* link columns, and a root id from the one key as
 * dlt's upsert id, the hash of {"<key>":value}; a list of lists
 * through the intermediate table's "list". */
void
t_flatten_dlt(void)
{
	struct fd_buf out = FD_BUF_INIT;
	struct flattener *f = open_into(&out, 1, 1000);
	struct stream *s = stream_get(f, "Tickets", 7);
	char *key = "id", want[512];
	size_t klen = 2;

	stream_schema(f, s, &key, &klen, 1, NULL);
	T_INT(flat(f, s, "{\"id\":1,\"l\":[[1]]}"), 0);
	T_INT(nlines(&out), 6);
	T_STR(line_at(&out, 0), SCHEMA("tickets") P("id", BIGINT) ","
	    P("_dlt_id", TEXT) ROOT("\"id\"", "merge", "tickets"));
	snprintf(want, sizeof(want), RECORD("tickets")
	    "{\"id\":1,\"_dlt_id\":\"%s\"}}", id_of("{\"id\":1}"));
	T_STR(line_at(&out, 1), want);
	T_STR(line_at(&out, 1), RECORD("tickets")
	    "{\"id\":1,\"_dlt_id\":\"z5jIxXIbUnmbKw\"}}");
	T_STR(line_at(&out, 4), SCHEMA("tickets__l__list") P("value", BIGINT)
	    "," P("_dlt_root_id", TEXT) "," P("_dlt_parent_id", TEXT) ","
	    P("_dlt_list_idx", BIGINT) "," P("_dlt_id", TEXT)
	    DLT_CHILD("merge", "tickets", "tickets__l"));
	T_STR(line_at(&out, 5), RECORD("tickets__l__list") "{\"value\":1,"
	    "\"_dlt_root_id\":\"z5jIxXIbUnmbKw\","
	    "\"_dlt_parent_id\":\"hY4KRrF2OBi94g\",\"_dlt_list_idx\":0,"
	    "\"_dlt_id\":\"B6lEkBOL/7HtzA\"}}");
	flatten_end(f);
	fd_buf_free(&out);
}

/*
 * stream_schema: the key and disposition go into the root's SCHEMA,
 * sent again before the next row; a new disposition is every table's,
 * so a child's SCHEMA is sent again too; the same one again changes
 * nothing in the children.
 */
void
t_flatten_stream_schema(void)
{
	struct fd_buf out = FD_BUF_INIT;
	struct flattener *f = open_into(&out, 0, 1000);
	struct stream *s = stream_get(f, "t", 1);
	char *key = "Ticket ID";
	size_t klen = strlen(key);

	T_INT(flat(f, s, "{\"Ticket ID\":1,\"l\":[2]}"), 0);
	T_INT(nlines(&out), 4);
	fd_buf_reset(&out);
	stream_schema(f, s, &key, &klen, 1, "replace");
	T_INT(flat(f, s, "{\"Ticket ID\":2,\"l\":[3]}"), 0);
	T_INT(nlines(&out), 4);
	T_STR(line_at(&out, 0), SCHEMA("t") P("ticket_id", BIGINT) ","
	    P("_fd_id", TEXT) ROOT("\"ticket_id\"", "replace", "t"));
	T_STR(line_at(&out, 2), SCHEMA("t__l") P("value", BIGINT) ","
	    LINKS CHILD("replace", "t", "t"));
	fd_buf_reset(&out);
	stream_schema(f, s, &key, &klen, 1, "replace");
	T_INT(flat(f, s, "{\"Ticket ID\":3,\"l\":[4]}"), 0);
	T_INT(nlines(&out), 3);		/* the root's SCHEMA only */
	T_INT(strncmp(line_at(&out, 0), SCHEMA("t"), strlen(SCHEMA("t"))),
	    0);
	flatten_end(f);
	fd_buf_free(&out);
}

/* Two flatteners share nothing: one ended, a new one starts afresh
 * (its tables new, their SCHEMA written again). */
void
t_flatten_handles(void)
{
	struct fd_buf out = FD_BUF_INIT, out2 = FD_BUF_INIT;
	struct flattener *f = open_into(&out, 0, 1000), *g;
	struct stream *s = stream_get(f, "t", 1);

	T_INT(flat(f, s, "{\"a\":1,\"l\":[1,2,3]}"), 0);
	g = open_into(&out2, 1, 1000);
	T_INT(flat(g, stream_get(g, "t", 1), "{\"b\":1}"), 0);
	T_INT(nlines(&out2), 2);
	T_STR(line_at(&out2, 0), SCHEMA("t") P("b", BIGINT) ","
	    P("_dlt_id", TEXT) ROOT("", "append", "t"));
	flatten_end(f);
	flatten_end(g);
	f = open_into(&out, 0, 1000);
	T_INT(flat(f, stream_get(f, "t", 1), "{\"a\":1,\"l\":[1,2,3]}"), 0);
	T_INT(nlines(&out), 6);
	T_STR(line_at(&out, 0), SCHEMA("t") P("a", BIGINT) ","
	    P("_fd_id", TEXT) ROOT("", "append", "t"));
	flatten_end(f);
	flatten_end(NULL);
	fd_buf_free(&out);
	fd_buf_free(&out2);
}

/* A record that is not an object is an error returned, with a reason,
 * not a death. */
void
t_flatten_errors(void)
{
	struct fd_buf out = FD_BUF_INIT;
	struct flattener *f = open_into(&out, 0, 1000);
	struct stream *s = stream_get(f, "t", 1);
	char why[FD_ERRSZ];

	why[0] = '\0';
	T_INT(flatten_record(f, s, "[1]", 3, NULL, 0, NULL, 0, why), -1);
	T_STR(why, "not an object");
	/* a good one after it is written as ever, with the version */
	fd_buf_reset(&out);
	T_INT(flatten_record(f, s, "{\"a\":1}", 7, NULL, 0, "12", 2, why),
	    0);
	T_INT(strncmp(line_at(&out, 1), RECORD("t") "{\"a\":1,",
	    strlen(RECORD("t") "{\"a\":1,")), 0);
	T(strstr(line_at(&out, 1), "},\"version\":12}") != NULL);
	flatten_end(f);
	fd_buf_free(&out);
}
