/*
 * writer.c: a destination's writer thread (writer.h).
 */
#include <err.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "writer.h"

static void *
loop(void *arg)
{
	struct writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->job && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->quit)
			break;
		pthread_mutex_unlock(&w->mu);
		w->run(w->arg);
		pthread_mutex_lock(&w->mu);
		if (w->done != NULL)
			w->done(w->arg);
		w->job = 0;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

void
writer_start(struct writer *w, void (*run)(void *), void (*done)(void *),
    void *arg, const char *what)
{
	w->run = run;
	w->done = done;
	w->arg = arg;
	w->job = w->quit = w->failed = 0;
	if (pthread_mutex_init(&w->mu, NULL) != 0 ||
	    pthread_cond_init(&w->cv, NULL) != 0 ||
	    (errno = pthread_create(&w->th, NULL, loop, w)) != 0)
		err(FD_EXIT_FAIL, "%s: writer thread", what);
	w->started = 1;
}

void
writer_idle(struct writer *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->mu);
	while (w->job && !w->failed)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	if (w->failed)
		errx(FD_EXIT_FAIL, "%s", w->errmsg);
}

void
writer_go(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->job = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

int
writer_self(const struct writer *w)
{
	return w->started && w->job && pthread_equal(pthread_self(), w->th);
}

void
writer_fail(struct writer *w, const char *m)
{
	pthread_mutex_lock(&w->mu);
	snprintf(w->errmsg, sizeof(w->errmsg), "%s", m);
	w->failed = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_exit(NULL);
}

void
writer_stop(struct writer *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->mu);
	w->quit = 1;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	w->started = 0;
}
