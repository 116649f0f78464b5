/*
 * state.c: state file store.  See state.h.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "diag.h"
#include "json.h"
#include "state.h"

struct fd_lock {
	int	 fd;
	char	*path;
};

int
fd_state_read(const char *path, jv *out, char *errbuf)
{
	jv v;

	if (fd_json_load(path, &v, errbuf) == -1) {
		if (errno != ENOENT)
			return -1;
		v = jv_invalid();
	}
	*out = jv_is_valid(v) ? v : jv_object();
	return 0;
}

/* fsyncs the directory holding path, so that a rename in it is durable. */
static int
sync_dir(const char *path)
{
	char *copy, *dir;
	int fd, r;

	if ((copy = strdup(path)) == NULL)
		return -1;
	dir = dirname(copy);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		free(copy);
		return -1;
	}
	r = fsync(fd);
	close(fd);
	free(copy);
	return r;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
fd_state_write(const char *path, jv value, char *errbuf)
{
	struct fd_buf tmp = FD_BUF_INIT;
	jv text;
	int fd, e;

	text = jv_dump_string(value, 0);
	if (fd_buf_printf(&tmp, "%s.tmpXXXXXX", path) == -1) {
		jv_free(text);
		return fd_diag_errno(errbuf, errno, "%s", path);
	}
	if ((fd = mkstemp(tmp.data)) == -1) {
		e = errno;
		goto fail;
	}
	/* mkstemp creates 0600 already; keep it so whatever the umask */
	if (write_all(fd, jv_string_value(text),
	    (size_t)jv_string_length_bytes(jv_copy(text))) == -1 ||
	    write_all(fd, "\n", 1) == -1 || fsync(fd) == -1) {
		e = errno;
		close(fd);
		unlink(tmp.data);
		goto fail;
	}
	if (close(fd) == -1 || rename(tmp.data, path) == -1) {
		e = errno;
		unlink(tmp.data);
		goto fail;
	}
	if (sync_dir(path) == -1) {
		e = errno;
		goto fail;
	}
	jv_free(text);
	fd_buf_free(&tmp);
	return 0;
fail:
	jv_free(text);
	fd_buf_free(&tmp);
	return fd_diag_errno(errbuf, e, "%s", path);
}

struct fd_lock *
fd_state_lock(const char *path, char *errbuf)
{
	struct fd_lock *l;
	struct fd_buf b = FD_BUF_INIT;
	char pid[32];
	ssize_t n;
	int fd, e;

	if (fd_buf_printf(&b, "%s.lock", path) == -1) {
		fd_diag_errno(errbuf, errno, "%s", path);
		return NULL;
	}
	if ((fd = open(b.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		fd_diag_errno(errbuf, errno, "%s: cannot lock", path);
		fd_buf_free(&b);
		return NULL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		e = errno;
		if (e == EWOULDBLOCK) {
			n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			fd_diag_set(errbuf, "%s: locked by another process%s%s%s",
			    path, *pid ? " (pid " : "", pid, *pid ? ")" : "");
		} else
			fd_diag_errno(errbuf, e, "%s: cannot lock", path);
		close(fd);
		fd_buf_free(&b);
		return NULL;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, pid, (size_t)n, 0) != n) {
		e = errno;
		close(fd);
		fd_buf_free(&b);
		fd_diag_errno(errbuf, e, "%s: cannot lock", path);
		return NULL;
	}
	if ((l = malloc(sizeof(*l))) == NULL) {
		close(fd);
		fd_buf_free(&b);
		fd_diag_errno(errbuf, ENOMEM, "%s", path);
		return NULL;
	}
	l->fd = fd;
	l->path = fd_buf_take(&b);
	return l;
}

void
fd_state_unlock(struct fd_lock *l)
{
	if (l == NULL)
		return;
	/* the file stays: unlinking it would race with a waiting locker */
	close(l->fd);
	free(l->path);
	free(l);
}
