/*
 * writer.h: a destination's writer thread.  The destination fills a
 * job (rows to write, in its own buffers) while the writer runs the one
 * before it; one thread uses the destination's connection at a time:
 * the writer's while a job runs, the main thread's once writer_idle has
 * returned.
 *
 * The fields are the destination's to read under mu (what a job hands
 * back, such as a state it made durable, it keeps under mu too: done).
 */
#ifndef FD_LOAD_WRITER_H
#define FD_LOAD_WRITER_H

#include <pthread.h>

#include "diag.h"

struct writer {
	pthread_t	 th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 started;	/* the thread runs */
	int		 job;		/* a job is given, not done */
	int		 quit;
	int		 failed;	/* a job failed: errmsg */
	char		 errmsg[4 * FD_ERRSZ];
	void		(*run)(void *);	/* a job, on the writer thread */
	void		(*done)(void *); /* after it, under mu; or NULL */
	void		*arg;
};

/* Starts w's thread, which runs run(arg) for each job, then done(arg)
 * under mu.  Dies (FD_EXIT_FAIL) naming what when it cannot. */
void	writer_start(struct writer *w, void (*run)(void *),
	    void (*done)(void *), void *arg, const char *what);
/* Waits until no job runs; the process dies (FD_EXIT_FAIL) with the
 * message of a job that failed.  At once when w was never started. */
void	writer_idle(struct writer *w);
/* Gives the writer the job the caller made ready, once it is idle
 * (writer_idle first). */
void	writer_go(struct writer *w);
/* Whether the calling thread is w's, running a job. */
int	writer_self(const struct writer *w);
/* On w's thread: the job fails with message m (the main thread dies
 * with it at its next writer_idle), and the thread ends. */
void	writer_fail(struct writer *w, const char *m)
	    __attribute__((noreturn));
/* Ends w's thread once its job is done, and frees what w holds.  Not
 * started: a no-op. */
void	writer_stop(struct writer *w);

#endif /* FD_LOAD_WRITER_H */
