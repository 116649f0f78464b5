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

/* Whether the n bytes at p contain s. */
static int
contains(const char *p, size_t n, const char *s)
{
	size_t k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(p + i, s, k) == 0)
			return 1;
	return 0;
}

enum fd_coltype
fd_coltype_of_schema(const char *p, size_t len)
{
	const char *v;
	size_t vl;
	int t, in, num, b, str;

	if (fd_jscan_field(p, len, "x-fd-type", &v, &vl, NULL) == 0 &&
	    vl >= 2 && *v == '"' &&
	    (t = fd_coltype_parse(v + 1, vl - 2)) != -1)
		return (enum fd_coltype)t;
	if (fd_jscan_field(p, len, "format", &v, &vl, NULL) == 0 &&
	    vl == 11 && memcmp(v, "\"date-time\"", 11) == 0)
		return FD_COL_TIMESTAMP;
	if (fd_jscan_field(p, len, "type", &v, &vl, NULL) != 0 ||
	    contains(v, vl, "\"object\"") || contains(v, vl, "\"array\""))
		return FD_COL_JSON;
	/* a union of types: the one column type that takes them all */
	in = contains(v, vl, "\"integer\"");
	num = contains(v, vl, "\"number\"");
	b = contains(v, vl, "\"boolean\"");
	str = contains(v, vl, "\"string\"");
	if (b)
		return in || num || str ? FD_COL_JSON : FD_COL_BOOL;
	if (str)
		return FD_COL_TEXT;
	if (num)
		return FD_COL_DOUBLE;
	if (in)
		return FD_COL_BIGINT;
	return FD_COL_JSON;
}
