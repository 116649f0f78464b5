/*
 * state.h: the state file (DESIGN.md section 2): one JSON value, read
 * whole, replaced atomically, guarded by an advisory lock.
 *
 * jv ownership follows jq's rule (see singer.h).
 */
#ifndef FD_STATE_H
#define FD_STATE_H

#include <jv.h>

/*
 * Reads the state file at path into *out (owned by the caller).  A
 * missing or empty file is the empty state, an empty object.  Returns 0,
 * or -1 with "path: reason" in errbuf (unreadable, invalid UTF-8 or
 * JSON, more than one value).
 */
int	fd_state_read(const char *path, jv *out, char *errbuf);

/*
 * Replaces the file at path with value (consumed) and a newline,
 * atomically: a temporary file beside it (mode 0600) is written,
 * fsync'd and renamed over path, then the directory is fsync'd.  A
 * crash at any instant leaves either the old or the new contents.
 * Returns 0, or -1 with "path: reason" in errbuf; on failure the old
 * file is untouched and no temporary file is left behind.
 */
int	fd_state_write(const char *path, jv value, char *errbuf);

struct fd_lock;

/*
 * Takes an exclusive advisory lock (flock) on path.lock, created with
 * mode 0600 if missing, without waiting: a second pipeline on the same
 * state or destination fails fast.  Returns the lock (owned by the
 * caller, released by fd_state_unlock or at process exit), or NULL
 * with "path: locked by another process (pid N)" or "path: cannot
 * lock: " and the system error in errbuf (path, not its lock file: the
 * user knows the one, not the other).
 */
struct fd_lock	*fd_state_lock(const char *path, char *errbuf);

/* Releases and frees the lock.  NULL is a no-op. */
void	fd_state_unlock(struct fd_lock *);

#endif /* FD_STATE_H */
