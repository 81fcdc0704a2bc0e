/*
 * ft_rewrite.c - the options and output header flow-nfilter and flow-tag
 * share (see ft_rewrite.h).
 */
#include <stdlib.h>
#include <unistd.h>

#include "ft_rewrite.h"
#include "ft_prog.h"

int ft_opt_rewrite(int c, const char *arg, struct ft_rewrite_opts *o)
{
    struct ft_err err;
    switch (c) {
    case 'b': o->out.byte_order = ft_opt_byte_order(arg); return 1;
    case 'C': o->comment = arg; return 1;
    case 'd': o->debug = atoi(arg); return 1;
    case 'k': o->keep_times = 1; return 1;
    case 'v':
        if (ft_vars_set(&o->vars, arg, &err) < 0)
            ft_die("%s", err.msg);
        return 1;
    case 'z':
        if (ft_parse_compression(arg, &o->out, &err) < 0)
            ft_die("%s", err.msg);
        return 1;
    default:
        return 0;
    }
}

struct ft_writer *ft_rewrite_open(const struct ft_rewrite_opts *o, const struct ft_format *fmt)
{
    struct ft_header h;
    struct ft_err err;
    ft_header_init(&h, fmt);    /* host byte order unless -b says otherwise */
    if (o->out.byte_order)
        h.byte_order = (uint8_t)o->out.byte_order;
    ft_header_set_u32(&h, FT_TLV_CAP_START, 0);
    ft_header_set_u32(&h, FT_TLV_CAP_END, 0);
    ft_header_set_u32(&h, FT_TLV_FLOW_COUNT, 0);
    /* -k only adds the PRELOADED flag: the original sets the input's times
     * and then overwrites them (tools.md Q1). */
    if (o->keep_times)
        h.flags |= FT_HF_PRELOADED;
    if (o->comment)
        ft_header_set_str(&h, FT_TLV_COMMENTS, o->comment);
    struct ft_writer *w = ft_writer_open(STDOUT_FILENO, "stdout", &h, &o->out, &err);
    if (!w)
        ft_die("%s", err.msg);
    return w;
}
