/*
 * ft_rewrite.c - the command line and output stream flow-nfilter and
 * flow-tag share (see ft_rewrite.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/ft_format.h"
#include "ft_rewrite.h"
#include "ft_prog.h"

/* The usage of tools.md sections 9 to 12, on stderr. */
static void usage(const struct ft_rewrite_tool *t, const struct ft_rewrite_more *more)
{
    const char *flags = more && more->flags ? more->flags : "";
    const char *more_usage = more && more->usage ? more->usage : NULL;
    fprintf(stderr,
            "Usage: %s [-hk%s] [-b big|little] [-C comment] [-d n] [-%c %s]\n"
            "       %*s[-%c definition] [-v VAR=val]%s%s [-z level]\n",
            ft_progname, flags, t->file_opt, t->file_arg, (int)strlen(ft_progname) + 1, "",
            t->definition_opt, more_usage ? " " : "", more_usage ? more_usage : "");
}

int ft_rewrite_common_option(int c, const char *arg, struct ft_rewrite_opts *o)
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

void ft_rewrite_options(int argc, char **argv, const struct ft_rewrite_tool *t,
                        struct ft_rewrite_opts *o)
{
    ft_rewrite_options_more(argc, argv, t, NULL, o);
}

void ft_rewrite_options_more(int argc, char **argv, const struct ft_rewrite_tool *t,
                             const struct ft_rewrite_more *more, struct ft_rewrite_opts *o)
{
    char optstring[64];
    int c;
    memset(o, 0, sizeof *o);
    o->file = t->file;
    o->definition = t->definition;
    snprintf(optstring, sizeof optstring, "b:C:d:kv:z:h%c:%c:%s", t->file_opt, t->definition_opt,
             more && more->opts ? more->opts : "");
    while ((c = getopt(argc, argv, optstring)) != -1) {
        if (ft_rewrite_common_option(c, optarg, o))
            continue;
        if (c == t->file_opt) {
            o->file = optarg;
        } else if (c == t->definition_opt) {
            o->definition = optarg;
        } else if (c != '?' && c != 'h' && c != ':' && more) {
            more->option(more->ctx, c, optarg);
        } else {
            usage(t, more);
            exit(1);
        }
    }
    ft_opt_no_extra(argc, argv);
}

void ft_rewrite_free(struct ft_rewrite_opts *o)
{
    ft_vars_free(&o->vars);
}

struct ft_writer *ft_rewrite_open(const struct ft_rewrite_opts *o, const struct ft_format *fmt)
{
    struct ft_header h;
    struct ft_err err;
    ft_header_init(&h, fmt);    /* host byte order unless -b says otherwise */
    if (o->out.byte_order)
        h.byte_order = (uint8_t)o->out.byte_order;
    if (!o->bare_header || o->keep_times) {
        ft_header_set_u32(&h, FT_TLV_CAP_START, 0);
        ft_header_set_u32(&h, FT_TLV_CAP_END, 0);
        ft_header_set_u32(&h, FT_TLV_FLOW_COUNT, 0);
    }
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

int ft_rewrite_close(struct ft_writer *w)
{
    struct ft_err err;
    if (ft_writer_close(w, &err) == 0)
        return 0;
    ft_warn("%s", err.msg);
    return 1;
}

#define BATCH 4096              /* records judged per read */

/* Raw records: decode a batch to judge it, copy the runs of kept records. */
static ssize_t filter_raw(struct ft_reader *r, struct ft_writer *w, ft_rewrite_judge judge,
                          void *ctx, struct ft_rewrite_counts *c)
{
    static struct ft_flow flows[BATCH];
    static uint8_t keep[BATCH];
    const struct ft_format *fmt = ft_reader_format(r);
    int order = ft_reader_order(r);
    size_t rs = fmt->rec_size;
    const uint8_t *recs;
    ssize_t n;
    while ((n = ft_reader_raw(r, &recs, BATCH)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            ft_rec_decode(fmt, order, recs + (size_t)i * rs, &flows[i]);
        c->kept += judge(ctx, flows, (size_t)n, keep);
        c->read += (uint64_t)n;
        for (size_t i = 0; i < (size_t)n;) {
            size_t run = 0;
            while (i + run < (size_t)n && keep[i + run])
                run++;
            if (run && ft_writer_write_raw(w, recs + i * rs, run, order) < 0)
                return -2;
            i += run ? run : 1;
        }
    }
    return n;
}

/* Stream-version-1 input: judged and written decoded. */
static ssize_t filter_decoded(struct ft_reader *r, struct ft_writer *w, ft_rewrite_judge judge,
                              void *ctx, struct ft_rewrite_counts *c)
{
    static struct ft_flow flows[BATCH];
    static uint8_t keep[BATCH];
    ssize_t n;
    while ((n = ft_reader_read(r, flows, BATCH)) > 0) {
        size_t kept = 0;
        judge(ctx, flows, (size_t)n, keep);
        for (size_t i = 0; i < (size_t)n; i++)
            if (keep[i])
                flows[kept++] = flows[i];
        c->read += (uint64_t)n;
        c->kept += kept;
        if (kept && ft_writer_write(w, flows, kept) < 0)
            return -2;
    }
    return n;
}

int ft_rewrite_filter(struct ft_reader *r, struct ft_writer *w, ft_rewrite_judge judge,
                      void *ctx, struct ft_rewrite_counts *c)
{
    ssize_t rc = ft_reader_header(r)->s_version == 1 ? filter_decoded(r, w, judge, ctx, c)
                                                      : filter_raw(r, w, judge, ctx, c);
    if (rc == -1) {             /* damaged input: what came before it is written */
        ft_warn("%s", ft_reader_error(r));
        return 1;
    }
    if (rc == -2) {
        ft_warn("%s", ft_writer_error(w));
        return 1;
    }
    return 0;
}

uint64_t ft_rewrite_dropped(const struct ft_format *in, const struct ft_format *out)
{
    return in->d_version == FT_DV_EXTENDED ? 0 : in->mask & ~out->mask;
}

#define REWRITE_BATCH 4096      /* flows per read */

int ft_rewrite_copy(struct ft_reader *r, struct ft_writer *w, uint64_t dropped,
                    ft_rewrite_fn change, void *ctx, uint64_t *flows)
{
    static struct ft_flow batch[REWRITE_BATCH];
    int status = 0;
    ssize_t n;
    *flows = 0;
    while ((n = ft_reader_read(r, batch, REWRITE_BATCH)) > 0) {
        if (change)
            change(ctx, batch, (size_t)n);
        for (ssize_t i = 0; dropped && i < n; i++)
            batch[i].has &= ~dropped;
        if (ft_writer_write(w, batch, (size_t)n) < 0) {
            ft_warn("%s", ft_writer_error(w));
            return 1;
        }
        *flows += (uint64_t)n;
    }
    if (n < 0) {                /* damaged input: what came before it is written */
        ft_warn("%s", ft_reader_error(r));
        status = 1;
    }
    uint64_t lossy = ft_writer_losses(w);
    if (lossy)
        ft_warn("%" PRIu64 " of %" PRIu64 " flows lost information in the conversion to %s",
                lossy, *flows, ft_writer_format(w)->name);
    return status;
}
