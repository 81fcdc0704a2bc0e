/*
 * ft_thread.h - starting the threads ftlib runs on its own (compression
 * workers, read-ahead).  Not installed.
 */
#ifndef FT_THREAD_H
#define FT_THREAD_H

#include <pthread.h>
#include <signal.h>

/* Start fn(arg) on a thread that takes no signals: the program's handlers
 * run on the program's own threads.  0, or -1 when it cannot start. */
static inline int ft_thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc == 0 ? 0 : -1;
}

#endif
