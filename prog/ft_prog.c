#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include "ft_format.h"
#include "ft_prog.h"

const char *ft_progname = "ftkit";

static void vwarn(const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: ", ft_progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void ft_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
}

void ft_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vwarn(fmt, ap);
    va_end(ap);
    exit(1);
}

int ft_opt_byte_order(const char *arg)
{
    if (strcasecmp(arg, "big") == 0)
        return FT_ORDER_BIG;
    if (strcasecmp(arg, "little") == 0)
        return FT_ORDER_LITTLE;
    ft_die("expecting \"big\" or \"little\"");
}
