/*
 * fuzz_isotime: fd_isotime_utc on arbitrary bytes.  A result fits
 * FD_ISOTIME_MAX, is NUL-terminated, ends in Z, and is a fixed point.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "isotime.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[FD_ISOTIME_MAX], again[FD_ISOTIME_MAX];
	int n, m;

	memset(out, 'x', sizeof(out));
	if ((n = fd_isotime_utc((const char *)data, size, out)) == -1)
		return 0;
	assert(n > 0 && n < FD_ISOTIME_MAX);
	assert(out[n] == '\0' && (size_t)n == strlen(out));
	assert(out[n - 1] == 'Z');
	m = fd_isotime_utc(out, (size_t)n, again);
	assert(m == n && memcmp(out, again, (size_t)n) == 0);
	return 0;
}
