#include <stdio.h>
#include "core/ft_err.h"

int ft_err_vset(struct ft_err *err, const char *fmt, va_list ap)
{
    if (err)
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return -1;
}

int ft_err_set(struct ft_err *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ft_err_vset(err, fmt, ap);
    va_end(ap);
    return -1;
}
