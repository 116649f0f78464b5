/*
 * config.c: settings from a JSON file as options.  See config.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "diag.h"
#include "json.h"

/* The long option a member names, or NULL.  name is the option's
 * spelling of the key ('_' for '-'), len bytes. */
static const struct option *
option_named(const struct option *longopts, const char *name, size_t len)
{
	const struct option *o;

	for (o = longopts; o->name != NULL; o++)
		if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

/* Appends s (NULL too) to the NULL-ended vector *v of *n strings. */
static int
push(char ***v, int *n, char *s)
{
	char **p;

	if ((p = reallocarray(*v, (size_t)*n + 2, sizeof(*p))) == NULL)
		return -1;
	p[(*n)++] = s;
	p[*n] = NULL;
	*v = p;
	return 0;
}

/*
 * The option strings of member key (its value v, borrowed) into c.
 * Returns 0, or -1 with the reason in errbuf.
 */
static int
member(struct fd_config *c, const struct option *longopts,
    const struct fd_config_alias *aliases, const char *key, jv v,
    char *errbuf)
{
	struct fd_buf b = FD_BUF_INIT;
	const struct option *o = NULL;
	const char *name = key;
	char *arg;
	size_t i, len;
	double d;

	for (; aliases != NULL && aliases->key != NULL; aliases++)
		if (strcmp(aliases->key, key) == 0) {
			name = aliases->option;
			break;
		}
	len = strlen(name);
	if (fd_buf_append(&b, "--", 2) == -1 ||
	    fd_buf_append(&b, name, len) == -1)
		goto nomem;
	for (i = 2; i < b.len; i++)
		if (b.data[i] == '_')
			b.data[i] = '-';
	/* "--help" and "--config" are not settings */
	if (strcmp(b.data, "--help") != 0 && strcmp(b.data, "--version") != 0 &&
	    strcmp(b.data, "--config") != 0)
		o = option_named(longopts, b.data + 2, b.len - 2);
	if (o == NULL) {
		fd_buf_free(&b);
		if ((arg = strdup(key)) == NULL ||
		    push(&c->unknown, &c->nunknown, arg) == -1) {
			free(arg);
			return fd_diag_errno(errbuf, ENOMEM, "%s", key);
		}
		return 0;
	}
	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
	case JV_KIND_FALSE:
		fd_buf_free(&b);
		return 0;
	case JV_KIND_TRUE:
		if (o->has_arg != no_argument)
			goto wrong;
		break;
	case JV_KIND_STRING:
		if (o->has_arg == no_argument)
			goto wrong;
		if (strlen(jv_string_value(v)) !=
		    (size_t)jv_string_length_bytes(jv_copy(v))) {
			fd_buf_free(&b);
			return fd_diag_set(errbuf, "%s: a NUL byte in its "
			    "value", key);
		}
		if (fd_buf_putc(&b, '=') == -1 ||
		    fd_buf_puts(&b, jv_string_value(v)) == -1)
			goto nomem;
		break;
	case JV_KIND_NUMBER:
		d = jv_number_value(v);
		if (o->has_arg == no_argument)
			goto wrong;
		if (d == (double)(long long)d) {
			if (fd_buf_printf(&b, "=%lld", (long long)d) == -1)
				goto nomem;
		} else if (fd_buf_printf(&b, "=%.17g", d) == -1)
			goto nomem;
		break;
	default:
		goto wrong;
	}
	if ((arg = fd_buf_take(&b)) == NULL)
		goto nomem;
	if (push(&c->args, &c->nargs, arg) == -1) {
		free(arg);
		return fd_diag_errno(errbuf, ENOMEM, "%s", key);
	}
	return 0;
wrong:
	fd_buf_free(&b);
	return fd_diag_set(errbuf, "%s: expected %s", key,
	    o->has_arg == no_argument ? "true or false" :
	    "a string or a number");
nomem:
	fd_buf_free(&b);
	return fd_diag_errno(errbuf, ENOMEM, "%s", key);
}

int
fd_config_read(const char *path, const struct option *longopts,
    const struct fd_config_alias *aliases, const char *const *take,
    struct fd_config *c, char *errbuf)
{
	char why[FD_ERRSZ];
	const char *key;
	jv v, k;
	int i, it, rc = 0;

	memset(c, 0, sizeof(*c));
	if (fd_json_load(path, &v, errbuf) == -1)
		return -1;
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		fd_diag_set(errbuf, "%s: expected a JSON object of settings, "
		    "found %s", path, jv_is_valid(v) ? fd_json_kind_name(
		    jv_get_kind(v)) : "nothing");
		jv_free(v);
		return -1;
	}
	for (it = jv_object_iter(v); rc == 0 &&
	    jv_object_iter_valid(v, it); it = jv_object_iter_next(v, it)) {
		jv val = jv_object_iter_value(v, it);

		k = jv_object_iter_key(v, it);
		key = jv_string_value(k);
		for (i = 0; take != NULL && take[i] != NULL &&
		    i < FD_CONFIG_TAKE; i++)
			if (strcmp(take[i], key) == 0)
				break;
		if (take != NULL && i < FD_CONFIG_TAKE && take[i] != NULL) {
			if (jv_get_kind(val) == JV_KIND_NULL)
				;
			else if (jv_get_kind(val) != JV_KIND_STRING ||
			    strlen(jv_string_value(val)) != (size_t)
			    jv_string_length_bytes(jv_copy(val)))
				rc = fd_diag_set(why, "%s: expected a string",
				    key);
			else if ((free(c->taken[i]), c->taken[i] =
			    strdup(jv_string_value(val))) == NULL)
				rc = fd_diag_errno(why, ENOMEM, "%s", key);
		} else
			rc = member(c, longopts, aliases, key, val, why);
		jv_free(k);
		jv_free(val);
	}
	jv_free(v);
	if (rc == -1) {
		fd_config_free(c);
		return fd_diag_set(errbuf, "%s: %s", path, why);
	}
	return 0;
}

void
fd_config_free(struct fd_config *c)
{
	char **p;
	int i;

	for (p = c->args; p != NULL && *p != NULL; p++)
		free(*p);
	free(c->args);
	for (p = c->unknown; p != NULL && *p != NULL; p++)
		free(*p);
	free(c->unknown);
	free(c->argv);
	for (i = 0; i < FD_CONFIG_TAKE; i++)
		if (c->taken[i] != NULL) {
			explicit_bzero(c->taken[i], strlen(c->taken[i]));
			free(c->taken[i]);
		}
	memset(c, 0, sizeof(*c));
}
