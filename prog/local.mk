# Program-side support shared by every program (messages, common options).
# Not installed: it prints and exits, which ftlib never does.
noinst_LIBRARIES = libftprog.a
libftprog_a_SOURCES = prog/ft_prog.h prog/ft_prog.c prog/ft_rewrite.h prog/ft_rewrite.c
# collectors: daemon mode, pidfile, syslog/stderr logging, STAT lines, warnings rate limit
libftprog_a_SOURCES += prog/ft_daemon.h prog/ft_daemon.c prog/ft_collect.h prog/ft_collect.c
AM_CPPFLAGS += -I$(top_srcdir)/prog
