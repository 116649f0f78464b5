/*
 * json.c: checked parsing of one JSON text.  See json.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
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

/* Reads the file open at fd whole into b.  Returns 0, or -1 (errno). */
static int
slurp(int fd, struct fd_buf *b)
{
	ssize_t n;

	for (;;) {
		if (fd_buf_reserve(b, 16384) == -1)
			return -1;
		n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return 0;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
	}
}

int
fd_json_load(const char *path, jv *out, char *errbuf)
{
	struct fd_buf b = FD_BUF_INIT;
	char why[FD_ERRSZ];
	size_t i;
	int fd, rc, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    slurp(fd, &b) == -1) {
		e = errno;
		if (fd != -1)
			close(fd);
		fd_buf_free(&b);
		fd_diag_errno(errbuf, e, "%s", path);
		errno = e;
		return -1;
	}
	close(fd);
	for (i = 0; i < b.len; i++)
		if (strchr(" \t\r\n", b.data[i]) == NULL)
			break;
	if (i == b.len) {
		fd_buf_free(&b);
		*out = jv_invalid();
		return 0;
	}
	rc = fd_json_parse(b.data, b.len, out, why);
	fd_buf_free(&b);
	if (rc == -1) {
		fd_diag_set(errbuf, "%s: %s", path, why);
		errno = EINVAL;
		return -1;
	}
	return 0;
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

/* Bytes that a JSON string cannot hold as they are: 1, else 0. */
static const unsigned char needs_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,	/* '"' */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,	/* '\\' */
};

int
fd_json_put_string(struct fd_buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t mark = out->len, i = 0, run;
	unsigned char c;
	char e[6];

	if (fd_utf8_check(s, len) != len) {
		errno = EILSEQ;
		return -1;
	}
	if (fd_buf_putc(out, '"') == -1)
		return -1;
	while (i < len) {
		for (run = i; run < len && !needs_escape[u[run]]; run++)
			;
		if (run > i && fd_buf_append(out, s + i, run - i) == -1)
			goto fail;
		if ((i = run) == len)
			break;
		c = u[i++];
		e[0] = '\\';
		switch (c) {
		case '"':
		case '\\':
			e[1] = (char)c;
			break;
		case '\b':
			e[1] = 'b';
			break;
		case '\f':
			e[1] = 'f';
			break;
		case '\n':
			e[1] = 'n';
			break;
		case '\r':
			e[1] = 'r';
			break;
		case '\t':
			e[1] = 't';
			break;
		default:
			memcpy(e + 1, "u00", 3);
			e[4] = hex[c >> 4];
			e[5] = hex[c & 0xf];
			if (fd_buf_append(out, e, 6) == -1)
				goto fail;
			continue;
		}
		if (fd_buf_append(out, e, 2) == -1)
			goto fail;
	}
	if (fd_buf_putc(out, '"') == 0)
		return 0;
fail:
	out->len = mark;
	if (out->data != NULL)
		out->data[mark] = '\0';
	errno = ENOMEM;
	return -1;
}
