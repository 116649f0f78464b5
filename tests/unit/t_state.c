/* Unit tests of lib/state.c. */
#include <sys/stat.h>

#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "diag.h"
#include "state.h"
#include "t.h"

static void
put(const char *path, const char *s)
{
	FILE *fp = fopen(path, "w");

	fputs(s, fp);
	fclose(fp);
}

/* Counts the entries of dir whose name starts with prefix. */
static int
count(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

void
t_state_missing_and_empty(void)
{
	char path[4096], e[FD_ERRSZ];
	jv v;

	snprintf(path, sizeof(path), "%s/none.json", t_tmpdir);
	T(fd_state_read(path, &v, e) == 0);
	T(jv_get_kind(v) == JV_KIND_OBJECT);
	T_INT(jv_object_length(v), 0);
	snprintf(path, sizeof(path), "%s/empty.json", t_tmpdir);
	put(path, " \n");
	T(fd_state_read(path, &v, e) == 0);
	T_INT(jv_object_length(v), 0);
}

void
t_state_roundtrip(void)
{
	char path[4096], e[FD_ERRSZ];
	struct stat st;
	jv v, want;

	snprintf(path, sizeof(path), "%s/state.json", t_tmpdir);
	want = jv_parse("{\"bookmarks\":{\"tickets\":{\"updated_at\":"
	    "\"2024-05-01T10:00:00Z\",\"ids_at_cursor\":[101,102]}}}");
	T(fd_state_write(path, jv_copy(want), e) == 0);
	T(stat(path, &st) == 0);
	T_INT(st.st_mode & 0777, 0600);
	T(fd_state_read(path, &v, e) == 0);
	T(jv_equal(v, jv_copy(want)));
	/* replace it again: one file, no temporary left */
	T(fd_state_write(path, jv_number(2), e) == 0);
	T(fd_state_read(path, &v, e) == 0);
	T(jv_number_value(v) == 2);
	jv_free(v);
	T_INT(count(t_tmpdir, "state.json"), 1);
	jv_free(want);
}

void
t_state_invalid(void)
{
	char path[4096], e[FD_ERRSZ], want[4200];
	jv v;

	snprintf(path, sizeof(path), "%s/bad.json", t_tmpdir);
	put(path, "{\"bookmarks\":");
	T(fd_state_read(path, &v, e) == -1);
	snprintf(want, sizeof(want), "%s: invalid JSON: ", path);
	T(strncmp(e, want, strlen(want)) == 0);
	put(path, "{} {}");
	T(fd_state_read(path, &v, e) == -1);
	put(path, "\"\xff\"");
	T(fd_state_read(path, &v, e) == -1);
	snprintf(want, sizeof(want), "%s: invalid UTF-8 at byte 2", path);
	T_STR(e, want);
	snprintf(path, sizeof(path), "%s", t_tmpdir);	/* a directory */
	T(fd_state_read(path, &v, e) == -1);
}

void
t_state_write_fails_cleanly(void)
{
	char path[4096], dir[4096], e[FD_ERRSZ], want[4200];
	jv v;

	snprintf(path, sizeof(path), "%s/nodir/state.json", t_tmpdir);
	T(fd_state_write(path, jv_null(), e) == -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	T_STR(e, want);

	/* rename over a directory fails: the directory stays, no temp */
	snprintf(dir, sizeof(dir), "%s/w", t_tmpdir);
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/w/st", t_tmpdir);
	mkdir(path, 0700);
	T(fd_state_write(path, jv_number(1), e) == -1);
	T_INT(count(dir, "st"), 1);
	T(fd_state_read(path, &v, e) == -1);
}

void
t_state_lock(void)
{
	char path[4096], e[FD_ERRSZ], want[4200];
	struct fd_lock *a, *b;

	snprintf(path, sizeof(path), "%s/locked.json", t_tmpdir);
	T((a = fd_state_lock(path, e)) != NULL);
	T((b = fd_state_lock(path, e)) == NULL);
	snprintf(want, sizeof(want), "%s: locked by another process (pid %ld)",
	    path, (long)getpid());
	T_STR(e, want);
	fd_state_unlock(a);
	T((b = fd_state_lock(path, e)) != NULL);
	fd_state_unlock(b);
	fd_state_unlock(NULL);
}
