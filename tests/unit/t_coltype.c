/* Unit tests of lib/coltype.c. */
#include <stdio.h>
#include <string.h>

#include "coltype.h"
#include "t.h"

void
t_coltype(void)
{
	int t;

	for (t = 0; t < FD_COL_NTYPES; t++) {
		const char *n = fd_coltype_name(t), *s = fd_coltype_schema(t);
		T_INT(fd_coltype_parse(n, strlen(n)), t);
		/* what fd-normalize declares reads back as the same type */
		T_INT(fd_coltype_of_schema(s, strlen(s)), t);
	}
	T_STR(fd_coltype_name(FD_COL_BOOL), "bool");
	T_STR(fd_coltype_noun(FD_COL_BOOL), "boolean");
	T_INT(fd_coltype_parse("boolean", 7), -1);
	T_INT(fd_coltype_parse("big", 3), -1);
#define OF(s) fd_coltype_of_schema(s, strlen(s))
	T_INT(OF("{\"type\":[\"integer\",\"null\"]}"), FD_COL_BIGINT);
	T_INT(OF("{\"type\":\"number\"}"), FD_COL_DOUBLE);
	T_INT(OF("{\"type\":[\"null\",\"boolean\"]}"), FD_COL_BOOL);
	T_INT(OF("{\"type\":\"string\",\"format\":\"date-time\"}"),
	    FD_COL_TIMESTAMP);
	T_INT(OF("{\"type\":\"string\"}"), FD_COL_TEXT);
	T_INT(OF("{\"type\":\"object\"}"), FD_COL_JSON);
	T_INT(OF("{}"), FD_COL_JSON);
	T_INT(OF("{\"type\":\"string\",\"x-fd-type\":\"decimal\"}"),
	    FD_COL_DECIMAL);
	/* unions (a raw stream's widened SCHEMA): the type that takes all */
	T_INT(OF("{\"type\":[\"null\",\"integer\",\"number\"]}"),
	    FD_COL_DOUBLE);
	T_INT(OF("{\"type\":[\"null\",\"integer\",\"string\"]}"),
	    FD_COL_TEXT);
	T_INT(OF("{\"type\":[\"boolean\",\"string\"]}"), FD_COL_JSON);
	T_INT(OF("{\"type\":[\"null\",\"array\",\"string\"]}"),
	    FD_COL_JSON);
	T_INT(OF("{\"type\":[\"null\"]}"), FD_COL_JSON);
	/* an unknown x-fd-type falls back to the JSON Schema type */
	T_INT(OF("{\"type\":\"integer\",\"x-fd-type\":\"money\"}"),
	    FD_COL_BIGINT);
#undef OF
#define JT(s) fd_coltype_json_types(s, strlen(s))
	T_INT(JT("{\"type\":\"string\"}"), FD_JT_STRING);
	T_INT(JT("{\"type\":[\"null\",\"integer\",\"object\"]}"),
	    FD_JT_NULL | FD_JT_INTEGER | FD_JT_OBJECT);
	T_INT(JT("{\"type\":[\"array\",\"money\",\"boolean\",\"number\"]}"),
	    FD_JT_ARRAY | FD_JT_BOOLEAN | FD_JT_NUMBER);
	/* "type" inside another member is not the property's */
	T_INT(JT("{\"items\":{\"type\":\"string\"}}"), 0);
	T_INT(JT("{\"type\":7}"), 0);
	T_INT(JT("{}"), 0);
	for (t = 0; t < FD_JT_N; t++) {
		char b[64];

		snprintf(b, sizeof(b), "{\"type\":[\"%s\"]}",
		    fd_coltype_json_name(t));
		T_INT(JT(b), 1 << t);
	}
#define DT(s) fd_coltype_datetime(s, strlen(s))
	T_INT(DT("{\"format\":\"date-time\"}"), 1);
	T_INT(DT("{\"format\":\"date\"}"), 0);
	T_INT(DT("{\"type\":\"string\"}"), 0);
#undef DT
#undef JT
}
