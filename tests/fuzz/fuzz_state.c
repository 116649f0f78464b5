/*
 * fuzz_state: fd_state_read on a file holding arbitrary bytes, as a
 * user's state file (-s FILE) may.  A state read is one JSON value.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jv.h>

#include "diag.h"
#include "state.h"

static char path[64];

static void
gone(void)
{
	unlink(path);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char errbuf[FD_ERRSZ];
	FILE *fp;
	jv v;

	if (*path == '\0') {
		int fd;

		snprintf(path, sizeof(path), "/tmp/fd-fuzz-state.XXXXXX");
		if ((fd = mkstemp(path)) == -1)
			abort();
		close(fd);
		atexit(gone);
	}
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	if (fclose(fp) == EOF)
		abort();
	if (fd_state_read(path, &v, errbuf) == 0) {
		assert(jv_is_valid(v));
		jv_free(v);
	} else
		assert(strncmp(errbuf, path, strlen(path)) == 0);
	return 0;
}
