/*
 * t.h: the C unit tests of lib/.  Each t_<module>.c defines test
 * functions; unit.c lists them and runs each, printing TAP.  A failed
 * check prints the file, line and expression and ends that test.
 */
#ifndef T_H
#define T_H

#include <stdio.h>
#include <string.h>

extern int t_failed;

#define T_FAIL(...) do {						\
	fprintf(stderr, "# %s:%d: ", __FILE__, __LINE__);		\
	fprintf(stderr, __VA_ARGS__);					\
	fputc('\n', stderr);						\
	t_failed = 1;							\
	return;								\
} while (0)

#define T(cond) do {							\
	if (!(cond))							\
		T_FAIL("failed: %s", #cond);				\
} while (0)

#define T_STR(got, want) do {						\
	const char *g_ = (got), *w_ = (want);				\
	if (g_ == NULL || strcmp(g_, w_) != 0)				\
		T_FAIL("%s: got \"%s\", want \"%s\"", #got,		\
		    g_ ? g_ : "(null)", w_);				\
} while (0)

#define T_INT(got, want) do {						\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (g_ != w_)							\
		T_FAIL("%s: got %lld, want %lld", #got, g_, w_);	\
} while (0)

/* A temporary directory made for the whole run, removed at the end. */
extern const char *t_tmpdir;

/* Writes len bytes of s to a new file under t_tmpdir; returns a FILE
 * opened for reading on it (the caller fcloses). */
FILE	*t_file(const char *s, size_t len);

#define TESTS(X)							\
	X(buf_append) X(buf_printf_consume_take) X(buf_sticky_error) X(coltype) X(idset) X(ranges) X(config)		\
	X(diag_set_truncates) X(diag_strtonum)		\
	X(utf8_check)							\
	X(lines_basic) X(lines_long) X(lines_no_final_newline)		\
	X(lines_crlf_and_empty) X(lines_many_small_reads)		\
	X(json_parse_errors) X(json_parse_ok)				\
	X(singer_detect) X(singer_scan) X(singer_scan_unchecked) X(singer_scan_members)		\
	X(json_put_string) X(singer_put) X(diag_name)							\
	X(state_missing_and_empty) X(state_roundtrip) X(state_invalid)	\
	X(state_write_fails_cleanly) X(state_lock)				\
	X(jscan) X(jscan_libjq)						\
	X(http_link) X(http_numbers)					\
	X(rate_paces_below_the_limit) X(rate_reserve_and_cap)		\
	X(rate_sub_limits) X(rate_retry_after) X(rate_other_apps)	\
	X(rate_retry_after_zero) X(rate_learns_the_window)		\
	X(naming) X(isotime) X(isotime_arg) X(map) X(digest) X(sql)			\
	X(flatten_root_and_child) X(flatten_ids) X(flatten_schema_grows) \
	X(flatten_variant) X(flatten_max_nesting) X(flatten_dlt)	\
	X(flatten_stream_schema) X(flatten_handles) X(flatten_errors)	\
	X(flatten_dense) X(flatten_activate) X(flatten_hints) X(flatten_key_order)	\
	X(progress_fit)

#define DECLARE(name) void t_##name(void);
TESTS(DECLARE)

#endif /* T_H */
