/*
 * json.c: checked parsing of one JSON text.  See json.h.
 */
#include <stdint.h>
#include <string.h>

#include "diag.h"
#include "json.h"
#include "utf8.h"

int
fd_json_parse(const char *s, size_t len, jv *out, char *errbuf)
{
	const char *m, *cut;
	size_t bad;
	jv v, msg;
	int n;

	if ((bad = fd_utf8_check(s, len)) != len)
		return fd_diag_set(errbuf, "invalid UTF-8 at byte %zu",
		    bad + 1);
	if (len > INT32_MAX)
		return fd_diag_set(errbuf, "JSON text too long");
	v = jv_parse_sized(s, (int)len);
	if (jv_is_valid(v)) {
		*out = v;
		return 0;
	}
	msg = jv_invalid_get_msg(v);
	m = jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) :
	    "unknown error";
	/* jq appends " (while parsing '<the whole input>')" */
	cut = strstr(m, " (while parsing");
	n = cut != NULL ? (int)(cut - m) : (int)strlen(m);
	fd_diag_set(errbuf, "invalid JSON: %.*s", n, m);
	jv_free(msg);
	return -1;
}

const char *
fd_json_kind_name(jv_kind k)
{
	switch (k) {
	case JV_KIND_OBJECT:
		return "an object";
	case JV_KIND_ARRAY:
		return "an array";
	case JV_KIND_STRING:
		return "a string";
	case JV_KIND_NUMBER:
		return "a number";
	case JV_KIND_NULL:
		return "null";
	case JV_KIND_TRUE:
	case JV_KIND_FALSE:
		return "a boolean";
	default:
		return "an invalid value";
	}
}
