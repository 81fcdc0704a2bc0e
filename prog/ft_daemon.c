/*
 * ft_daemon.c - logging, detaching, pid files, dropping privileges.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ft_daemon.h"
#include "core/ft_err.h"

void ft_log_init(struct ft_log *l, const char *prog)
{
    l->prog = prog;
    l->use_syslog = 0;
    l->debug = 0;
    l->handshake = NULL;
}

void ft_log_to_syslog(struct ft_log *l, const int *ready_fd)
{
    openlog(l->prog, LOG_PID, LOG_LOCAL6);
    l->use_syslog = 1;
    l->handshake = ready_fd;
}

/* Messages go through the handshake as "E" text "\n"; "R" says ready. */
static void to_parent(const struct ft_log *l, const char *msg)
{
    if (!l->handshake || *l->handshake < 0)
        return;
    char line[2100];
    int n = snprintf(line, sizeof line, "E%s\n", msg);
    if (n > 0 && write(*l->handshake, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1) < 0)
        return;     /* the parent is gone: syslog has it anyway */
}

void ft_vlog(const struct ft_log *l, int prio, const char *fmt, va_list ap)
{
    if (prio == LOG_DEBUG && !l->debug)
        return;
    char msg[2048];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (l->use_syslog) {
        syslog(prio, "%s", msg);
        if (prio <= LOG_ERR)
            to_parent(l, msg);
    } else
        fprintf(stderr, "%s: %s\n", l->prog, msg);
}

void ft_log(const struct ft_log *l, int prio, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ft_vlog(l, prio, fmt, ap);
    va_end(ap);
}

void ft_log_message(void *log, int prio, const char *msg)
{
    ft_log(log, prio, "%s", msg);
}

/* Parent side: wait for the child's "ready" byte, printing the error lines
 * that come before it on the terminal it still has; exit with the verdict. */
static void wait_for_child(pid_t child, int fd, const char *prog)
{
    FILE *in = fdopen(fd, "r");
    char line[2100];
    while (in && fgets(line, sizeof line, in)) {
        if (line[0] == 'R')
            _exit(0);
        if (line[0] == 'E')
            fprintf(stderr, "%s: %s", prog, line + 1);
    }
    int status;
    waitpid(child, &status, 0);
    _exit(WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1);
}

static void to_dev_null(void)
{
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0)
        return;
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    if (fd > 2)
        close(fd);
}

int ft_daemon_detach(const char *prog, int keep_umask, int *ready_fd, struct ft_err *err)
{
    int p[2];
    if (pipe(p) < 0)
        return ft_err_set(err, "pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return ft_err_set(err, "fork: %s", strerror(errno));
    }
    if (pid > 0) {
        close(p[1]);
        wait_for_child(pid, p[0], prog);
    }
    close(p[0]);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    *ready_fd = p[1];
    setsid();
    if (!keep_umask)
        umask(022);
    to_dev_null();
    return 0;
}

void ft_daemon_ready(int *ready_fd)
{
    if (*ready_fd < 0)
        return;
    ssize_t n;
    do
        n = write(*ready_fd, "R", 1);
    while (n < 0 && errno == EINTR);
    close(*ready_fd);
    *ready_fd = -1;
}

int ft_pidfile_write(const char *path, struct ft_err *err)
{
    char tmp[4096];
    int n = snprintf(tmp, sizeof tmp, "%s.new", path);
    if (n < 0 || (size_t)n >= sizeof tmp)
        return ft_err_set(err, "%s: path too long", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return ft_err_set(err, "%s: %s", tmp, strerror(errno));
    fprintf(f, "%ld\n", (long)getpid());
    if (fclose(f) != 0 || rename(tmp, path) < 0) {
        int e = errno;
        unlink(tmp);
        return ft_err_set(err, "%s: %s", path, strerror(e));
    }
    return 0;
}

int ft_drop_privileges(const char *user, struct ft_err *err)
{
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw)
        return ft_err_set(err, "user %s: %s", user, errno ? strerror(errno) : "no such user");
    if (initgroups(pw->pw_name, pw->pw_gid) < 0)
        return ft_err_set(err, "initgroups %s: %s", user, strerror(errno));
    if (setgid(pw->pw_gid) < 0)
        return ft_err_set(err, "setgid %lu: %s", (unsigned long)pw->pw_gid, strerror(errno));
    if (setuid(pw->pw_uid) < 0)
        return ft_err_set(err, "setuid %lu: %s", (unsigned long)pw->pw_uid, strerror(errno));
    if (pw->pw_uid != 0 && setuid(0) == 0)
        return ft_err_set(err, "setuid %s: could regain root", user);
    return 0;
}
