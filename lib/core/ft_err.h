/*
 * ft_err.h - struct ft_err, the one way ftlib reports failures, and
 * ft_err_set, the one way to fill it.
 */
#ifndef FT_ERR_H
#define FT_ERR_H

#include <stdarg.h>

/* A failure's message: what went wrong and where (file and byte offset,
 * exporter and byte, or FILE line N: token for configs). */
struct ft_err {
    char msg[512];
};

/* Format a message into *err (err may be NULL); always returns -1 so that
 * callers can write `return ft_err_set(err, "...", ...);`. */
int ft_err_set(struct ft_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int ft_err_vset(struct ft_err *err, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

#endif
