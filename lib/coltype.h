/*
 * coltype.h: the types of a table's columns, as the whole tree names
 * them.
 *
 * fd-normalize infers a type for each column and declares it in the
 * SCHEMA it writes (a JSON Schema property with "x-fd-type"); fd-load
 * reads it back and maps it to a destination's column type.  The
 * names are dlt's data types: they are the x-fd-type values, and the
 * suffix of a variant column ("score__v_text").
 */
#ifndef FD_COLTYPE_H
#define FD_COLTYPE_H

#include <stddef.h>

enum fd_coltype {
	FD_COL_BIGINT,		/* a JSON integer that fits in 64 bits */
	FD_COL_DOUBLE,		/* any other JSON number */
	FD_COL_BOOL,
	FD_COL_TEXT,
	FD_COL_TIMESTAMP,	/* an ISO 8601 string, kept in UTC */
	FD_COL_JSON,		/* an object or array, as JSON text */
	FD_COL_DECIMAL		/* a number kept exactly, as text */
};

#define FD_COL_NTYPES	7

/* The type's set bit, for sets of types (unsigned). */
#define FD_COL_BIT(t)	(1u << (t))
#define FD_COL_ANY	((1u << FD_COL_NTYPES) - 1)

/* dlt's name of the type: "bigint", "double", "bool", ... */
const char	*fd_coltype_name(enum fd_coltype);

/* The name in a message to the user ("a string in a boolean column"):
 * fd_coltype_name, but "boolean". */
const char	*fd_coltype_noun(enum fd_coltype);

/* The type called name (len bytes, as fd_coltype_name spells it), or
 * -1. */
int		 fd_coltype_parse(const char *name, size_t len);

/* The JSON Schema property fd-normalize declares for a column of the
 * type, as compact JSON text with its x-fd-type. */
const char	*fd_coltype_schema(enum fd_coltype);

/*
 * The type of a JSON Schema property (p, len bytes of JSON text): its
 * x-fd-type when it has one, else from "format": "date-time" and the
 * "type" names, a union taking the type that holds them all: integer
 * bigint, number (with or without integer) double, boolean bool,
 * string (with numbers too) text; a boolean with another type, object,
 * array, no type, or null alone is json.
 */
enum fd_coltype	 fd_coltype_of_schema(const char *p, size_t len);

/* The JSON types a JSON Schema names, as bits of a set, in the order
 * fd-fetch lists them in a "type" union. */
#define FD_JT_NULL	0x01
#define FD_JT_BOOLEAN	0x02
#define FD_JT_INTEGER	0x04
#define FD_JT_NUMBER	0x08
#define FD_JT_STRING	0x10
#define FD_JT_ARRAY	0x20
#define FD_JT_OBJECT	0x40
#define FD_JT_N		7
#define FD_JT_SCALAR	(FD_JT_NULL | FD_JT_BOOLEAN | FD_JT_INTEGER | \
			    FD_JT_NUMBER | FD_JT_STRING)

/* The name of the type of bit 1 << i ("null", "boolean", ...). */
const char	*fd_coltype_json_name(int i);

/*
 * The one reader of a JSON Schema property's "type" (p, len bytes of
 * JSON text: the property): the FD_JT_* bits of the name or list of
 * names it gives, names it does not know ignored; 0 when it has no
 * "type", or one that is neither a string nor a list.
 */
unsigned	 fd_coltype_json_types(const char *p, size_t len);

/* Whether the property (p, len bytes) has "format": "date-time". */
int		 fd_coltype_datetime(const char *p, size_t len);

#endif /* FD_COLTYPE_H */
