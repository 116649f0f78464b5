/*
 * unit: runs the C unit tests of lib/ and prints TAP; exits 1 when any
 * failed.  "unit NAME..." runs only the named tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t.h"

int t_failed;
const char *t_tmpdir;

static struct {
	const char	*name;
	void		(*fn)(void);
} tests[] = {
#define ENTRY(name) { #name, t_##name },
	TESTS(ENTRY)
};

FILE *
t_file(const char *s, size_t len)
{
	static int n;
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/in%d", t_tmpdir, n++);
	if ((fp = fopen(path, "w+")) == NULL) {
		perror(path);
		exit(1);
	}
	if (fwrite(s, 1, len, fp) != len || fflush(fp) != 0) {
		perror(path);
		exit(1);
	}
	rewind(fp);
	return fp;
}

int
main(int argc, char *argv[])
{
	char tmpl[] = "/tmp/fd-unit.XXXXXX", cmd[64];
	size_t i, n = sizeof(tests) / sizeof(tests[0]);
	int j, run, bad = 0, count = 0;

	if ((t_tmpdir = mkdtemp(tmpl)) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	for (i = 0; i < n; i++) {
		run = argc < 2;
		for (j = 1; j < argc; j++)
			if (strcmp(argv[j], tests[i].name) == 0)
				run = 1;
		if (!run)
			continue;
		t_failed = 0;
		tests[i].fn();
		count++;
		printf("%sok %d - %s\n", t_failed ? "not " : "", count,
		    tests[i].name);
		bad += t_failed;
	}
	printf("1..%d\n", count);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t_tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", t_tmpdir);
	return bad ? 1 : 0;
}
