/*
 * ft_gen.c - synthetic flows (see ft_gen.h): the options, the generator's
 * life, and handing out flows of either mode.
 */
#include <stdlib.h>
#include <string.h>
#include "core/ft_err.h"
#include "synth/ft_gen_int.h"

int ft_gen_format_has_ipv6(const struct ft_format *fmt)
{
    return fmt && fmt->d_version == FT_DV_EXTENDED;
}

void ft_gen_opts_init(struct ft_gen_opts *o)
{
    memset(o, 0, sizeof *o);
    o->kind = FT_GEN_COUNTER;
    o->fmt = ft_format_find(5, 0);
    o->count = 1000;
    o->seed = 1;
    o->start = FT_GEN_START_DEFAULT;
    o->span = FT_GEN_SPAN_DEFAULT;
    o->v6_percent = FT_GEN_V6_DEFAULT;
}

struct ft_gen *ft_gen_new(const struct ft_gen_opts *o, struct ft_err *err)
{
    if (!o->fmt) {
        ft_err_set(err, "flow generator: no record format");
        return NULL;
    }
    if (o->kind == FT_GEN_REALISTIC && (o->span < 1 || o->span > FT_GEN_SPAN_MAX)) {
        ft_err_set(err, "flow generator: span must be 1 to %u seconds", FT_GEN_SPAN_MAX);
        return NULL;
    }
    if (o->v6_percent > 100) {
        ft_err_set(err, "flow generator: IPv6 share above 100%%");
        return NULL;
    }
    if (o->kind == FT_GEN_REALISTIC && (o->start < 0 || o->start > 4000000000LL)) {
        ft_err_set(err, "flow generator: start must be between 1970 and 2096");
        return NULL;
    }
    struct ft_gen *g = calloc(1, sizeof *g);
    if (!g) {
        ft_err_set(err, "flow generator: out of memory");
        return NULL;
    }
    g->o = *o;
    if (o->kind == FT_GEN_REALISTIC && ft_gen_traffic_init(g, err) < 0) {
        ft_gen_free(g);
        return NULL;
    }
    return g;
}

void ft_gen_free(struct ft_gen *g)
{
    if (!g)
        return;
    free(g->server_pop.cdf);
    free(g->client_pop.cdf);
    free(g->host_pop.cdf);
    free(g);
}

size_t ft_gen_next(struct ft_gen *g, struct ft_flow *flows, size_t max)
{
    size_t n = 0;
    while (n < max && g->produced < g->o.count) {
        if (g->o.kind == FT_GEN_COUNTER) {
            ft_gen_counter_flow(g->o.fmt, g->produced, &flows[n]);
        } else if (g->have_pending) {
            flows[n] = g->pending;
            g->have_pending = 0;
        } else {
            ft_gen_traffic_flow(g, &flows[n]);
        }
        g->produced++;
        n++;
    }
    return n;
}
