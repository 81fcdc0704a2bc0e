/*
 * ft_resolve.c - host names resolved within a bound.
 *
 * getaddrinfo cannot be interrupted, so the default lookup runs on a
 * thread of its own while the caller waits on a condition with a deadline.
 * A lookup still running at the deadline is abandoned, not cancelled: the
 * thread finishes it and frees the job, which both sides share under a
 * mutex (whoever leaves last frees it).
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include "net/ft_resolve.h"
#include "net/ft_addrspec.h"
#include "stream/ft_thread.h"

int ft_resolve_is_name(const char *s)
{
    if (strchr(s, ':'))
        return 0;
    for (; *s; s++)
        if (isalpha((unsigned char)*s))
            return 1;
    return 0;
}

int ft_resolve_none(void *ctx, const char *name, struct ft_ip *ip, struct ft_err *err)
{
    (void)ctx;
    memset(ip, 0, sizeof *ip);
    return ft_err_set(err, "cannot resolve \"%.200s\": host names are not resolved here", name);
}

int ft_resolve_getaddrinfo(void *ctx, const char *name, struct ft_ip *ip, struct ft_err *err)
{
    (void)ctx;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    int rc = getaddrinfo(name, NULL, &hints, &res);
    if (rc != 0)
        return ft_err_set(err, "cannot resolve \"%.200s\": %s", name, gai_strerror(rc));
    int ok = ft_ip_from_sockaddr(res->ai_addr, res->ai_addrlen, ip, NULL);
    freeaddrinfo(res);
    if (ok < 0)
        return ft_err_set(err, "\"%.200s\" has no IPv4 or IPv6 address", name);
    return 0;
}

/* One lookup shared by the caller and the thread running it. */
struct job {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done, abandoned;
    ft_resolve_fn fn;
    void *ctx;
    int rc;
    struct ft_ip ip;
    struct ft_err err;
    char name[];
};

static void job_free(struct job *j)
{
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

static void *lookup_thread(void *arg)
{
    struct job *j = arg;
    struct ft_ip ip;
    struct ft_err err = {{0}};
    int rc = j->fn(j->ctx, j->name, &ip, &err);
    pthread_mutex_lock(&j->mu);
    j->rc = rc;
    j->ip = ip;
    j->err = err;
    j->done = 1;
    int alone = j->abandoned;
    pthread_cond_signal(&j->cv);
    pthread_mutex_unlock(&j->mu);
    if (alone)
        job_free(j);
    return NULL;
}

/* The job with its condition on the monotonic clock (deadlines survive
 * clock changes); NULL when out of memory. */
static struct job *job_new(ft_resolve_fn fn, void *ctx, const char *name)
{
    size_t n = strlen(name);
    struct job *j = calloc(1, sizeof *j + n + 1);
    if (!j)
        return NULL;
    memcpy(j->name, name, n + 1);
    j->fn = fn;
    j->ctx = ctx;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    int bad = pthread_cond_init(&j->cv, &ca) != 0;
    pthread_condattr_destroy(&ca);
    if (bad) {
        free(j);
        return NULL;
    }
    pthread_mutex_init(&j->mu, NULL);
    return j;
}

int ft_resolve_bounded(ft_resolve_fn fn, void *ctx, const char *name, unsigned timeout_ms,
                       struct ft_ip *ip, struct ft_err *err)
{
    memset(ip, 0, sizeof *ip);
    if (!timeout_ms)
        timeout_ms = FT_RESOLVE_TIMEOUT_MS;
    struct job *j = job_new(fn, ctx, name);
    if (!j)
        return ft_err_set(err, "cannot resolve \"%.200s\": out of memory", name);
    pthread_t t;
    if (ft_thread_start(&t, lookup_thread, j) < 0) {
        job_free(j);
        return ft_err_set(err, "cannot resolve \"%.200s\": cannot start a thread", name);
    }
    pthread_detach(t);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&j->mu);
    int rc = 0;
    while (!j->done && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&j->cv, &j->mu, &until);
    if (!j->done) {
        j->abandoned = 1;       /* the thread frees the job when it is done */
        pthread_mutex_unlock(&j->mu);
        return ft_err_set(err, "cannot resolve \"%.200s\": no answer within %u ms", name,
                          timeout_ms);
    }
    pthread_mutex_unlock(&j->mu);
    int got = j->rc;
    if (got == 0)
        *ip = j->ip;
    else
        ft_err_set(err, "%s", j->err.msg);
    job_free(j);
    return got == 0 ? 0 : -1;
}

int ft_resolve(const struct ft_resolver *r, const char *name, struct ft_ip *ip,
               struct ft_err *err)
{
    if (r && r->fn) {
        memset(ip, 0, sizeof *ip);
        return r->fn(r->ctx, name, ip, err);
    }
    return ft_resolve_bounded(ft_resolve_getaddrinfo, NULL, name, r ? r->timeout_ms : 0, ip,
                              err);
}
