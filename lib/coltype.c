/*
 * coltype.c: the column types' names and JSON Schemas.  See coltype.h.
 */
#include <string.h>

#include "coltype.h"
#include "jscan.h"

static const struct {
	const char	*name;
	const char	*noun;
	const char	*schema;
} types[FD_COL_NTYPES] = {
	[FD_COL_BIGINT] = { "bigint", "bigint",
	    "{\"type\":[\"integer\",\"null\"],\"x-fd-type\":\"bigint\"}" },
	[FD_COL_DOUBLE] = { "double", "double",
	    "{\"type\":[\"number\",\"null\"],\"x-fd-type\":\"double\"}" },
	[FD_COL_BOOL] = { "bool", "boolean",
	    "{\"type\":[\"boolean\",\"null\"],\"x-fd-type\":\"bool\"}" },
	[FD_COL_TEXT] = { "text", "text",
	    "{\"type\":[\"string\",\"null\"],\"x-fd-type\":\"text\"}" },
	[FD_COL_TIMESTAMP] = { "timestamp", "timestamp",
	    "{\"type\":[\"string\",\"null\"],\"format\":\"date-time\","
	    "\"x-fd-type\":\"timestamp\"}" },
	[FD_COL_JSON] = { "json", "json",
	    "{\"type\":[\"object\",\"array\",\"null\"],"
	    "\"x-fd-type\":\"json\"}" },
	[FD_COL_DECIMAL] = { "decimal", "decimal",
	    "{\"type\":[\"number\",\"null\"],\"x-fd-type\":\"decimal\"}" },
};

const char *
fd_coltype_name(enum fd_coltype t)
{
	return types[t].name;
}

const char *
fd_coltype_noun(enum fd_coltype t)
{
	return types[t].noun;
}

const char *
fd_coltype_schema(enum fd_coltype t)
{
	return types[t].schema;
}

int
fd_coltype_parse(const char *name, size_t len)
{
	int t;

	for (t = 0; t < FD_COL_NTYPES; t++)
		if (strlen(types[t].name) == len &&
		    memcmp(types[t].name, name, len) == 0)
			return t;
	return -1;
}

static const char *const jnames[FD_JT_N] = { "null", "boolean",
    "integer", "number", "string", "array", "object" };

const char *
fd_coltype_json_name(int i)
{
	return jnames[i];
}

/* The FD_JT_* bit of the JSON string token t, 0 if no type's name. */
static unsigned
json_bit(const struct fd_jtok *t)
{
	size_t n;
	int i;

	for (i = 0; i < FD_JT_N; i++)
		if (t->len == (n = strlen(jnames[i])) + 2 &&
		    memcmp(t->p + 1, jnames[i], n) == 0)
			return 1u << i;
	return 0;
}

unsigned
fd_coltype_json_types(const char *p, size_t len)
{
	struct fd_jscan js;
	struct fd_jtok t;
	const char *v;
	size_t vl;
	unsigned k = 0;

	if (fd_jscan_field(p, len, "type", &v, &vl, NULL) != 0)
		return 0;
	fd_jscan_init(&js, v, vl);
	if (fd_jscan_next(&js, &t) <= 0)
		return 0;
	if (t.kind == FD_JTOK_STRING)
		return json_bit(&t);
	if (t.kind != FD_JTOK_ARRAY)
		return 0;
	while (fd_jscan_next(&js, &t) > 0 && t.kind != FD_JTOK_ARRAY_END)
		if (t.kind == FD_JTOK_STRING)
			k |= json_bit(&t);
	return k;
}

int
fd_coltype_datetime(const char *p, size_t len)
{
	const char *v;
	size_t vl;

	return fd_jscan_field(p, len, "format", &v, &vl, NULL) == 0 &&
	    vl == 11 && memcmp(v, "\"date-time\"", 11) == 0;
}

enum fd_coltype
fd_coltype_of_schema(const char *p, size_t len)
{
	const char *v;
	size_t vl;
	unsigned k;
	int t;

	if (fd_jscan_field(p, len, "x-fd-type", &v, &vl, NULL) == 0 &&
	    vl >= 2 && *v == '"' &&
	    (t = fd_coltype_parse(v + 1, vl - 2)) != -1)
		return (enum fd_coltype)t;
	if (fd_coltype_datetime(p, len))
		return FD_COL_TIMESTAMP;
	k = fd_coltype_json_types(p, len);
	if (k & (FD_JT_OBJECT | FD_JT_ARRAY))
		return FD_COL_JSON;
	/* a union of types: the one column type that takes them all */
	if (k & FD_JT_BOOLEAN)
		return k & (FD_JT_INTEGER | FD_JT_NUMBER | FD_JT_STRING) ?
		    FD_COL_JSON : FD_COL_BOOL;
	if (k & FD_JT_STRING)
		return FD_COL_TEXT;
	if (k & FD_JT_NUMBER)
		return FD_COL_DOUBLE;
	if (k & FD_JT_INTEGER)
		return FD_COL_BIGINT;
	return FD_COL_JSON;
}
