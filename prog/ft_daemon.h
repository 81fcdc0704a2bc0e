/*
 * ft_daemon.h - what the collector daemons share: logging to stderr or
 * syslog (LOCAL6, LOG_PID, as flow-tools), detaching with a start-up
 * handshake, pid files, dropping root.
 *
 * The logger is an object the program owns and passes around (no hidden
 * global state in lib/); it writes only where the program told it to.
 */
#ifndef FT_DAEMON_H
#define FT_DAEMON_H

#include <stdarg.h>
#include <syslog.h>
#include "stream/ft_stream.h"          /* struct ft_err */

struct ft_log {
    const char *prog;           /* "flow-capture" */
    int use_syslog;             /* 0: stderr as "prog: message" */
    int debug;                  /* LOG_DEBUG lines are dropped unless set */
    const int *handshake;       /* the start-up handshake's descriptor (ft_daemon_detach's
                                 * ready_fd): while it is open, errors also reach the
                                 * waiting parent, which prints them on the terminal */
};

/* Start logging as prog to stderr. */
void ft_log_init(struct ft_log *l, const char *prog);
/* Switch to syslog (openlog with LOG_PID, facility LOG_LOCAL6).  ready_fd is
 * the handshake of ft_daemon_detach (NULL: none): until ft_daemon_ready
 * closes it, a start-up failure is printed on the starting terminal too. */
void ft_log_to_syslog(struct ft_log *l, const int *ready_fd);
void ft_log(const struct ft_log *l, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ft_vlog(const struct ft_log *l, int prio, const char *fmt, va_list ap);
/* ft_log of a finished message, for ftlib's log callbacks (log is the
 * struct ft_log: ft_capwriter_opts.log_arg). */
void ft_log_message(void *log, int prio, const char *msg);

/*
 * Detach from the terminal: fork, setsid, umask 022 unless keep_umask,
 * stdin/stdout/stderr to /dev/null.  The parent does not return: it waits
 * until the child calls ft_daemon_ready() (then exits 0) or exits/fails
 * before that (then exits 1), so a start-up error (port in use...) shows in
 * the parent's exit status, and its message on the parent's stderr.  Returns 0 in the child, -1 with err if fork
 * failed.  *ready_fd is the child's end of the handshake.
 */
int ft_daemon_detach(const char *prog, int keep_umask, int *ready_fd, struct ft_err *err);
/* Tell the waiting parent the daemon is running, through the descriptor
 * detach gave (no-op when it is -1, e.g. in the foreground); sets it to -1. */
void ft_daemon_ready(int *ready_fd);

/* Write pid and a newline to path (created 0644, replaced atomically). */
int ft_pidfile_write(const char *path, struct ft_err *err);

/* Switch to user's uid/gid and supplementary groups (needs root). */
int ft_drop_privileges(const char *user, struct ft_err *err);

#endif
