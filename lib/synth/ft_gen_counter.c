/*
 * ft_gen_counter.c - the original flow-gen's records: per record format a
 * fixed set of fields counts up from record to record (see ft_gen.h).
 */
#include <string.h>
#include "synth/ft_gen_int.h"

/*
 * Record i of the original's output.  Which fields count, from where, and
 * by how much differs per format (read from its files: compat/inputs/gen):
 * "low" fields are i, "high" ones start at 0xffff0000 (32 bits) or 0xff00
 * (16 bits); dFlows counts by two; v8 Catalyst shortcut routers count by
 * two; marked ToS starts at 0xff.  Narrow fields wrap as the original's do.
 */
struct counters {
    uint32_t n, hi32;
    uint16_t n16, hi16;
    uint8_t n8;
};

static void counter_v1_body(struct ft_flow *f, const struct counters *c)
{
    ft_ip_set4(&f->srcaddr, c->n);
    ft_ip_set4(&f->dstaddr, c->hi32);
    f->input = c->n16;
    f->output = c->hi16;
    f->srcport = c->n16;
    f->dstport = c->hi16;
    f->prot = 17;
}

/* dPkts, dOctets, First, Last (+ dFlows where the format has it). */
static void counter_counts(struct ft_flow *f, const struct counters *c)
{
    f->dpkts = f->doctets = (uint32_t)(c->n + 1);
    f->dflows = (uint32_t)(2 * (c->n + 1));
    f->first = c->n;
    f->last = c->hi32;
}

static void counter_catalyst(struct ft_flow *f, const struct counters *c)
{
    ft_ip_set4(&f->dstaddr, c->hi32);
    f->extra_pkts = c->n;
    ft_ip_set4(&f->router_sc, 2 * c->n);
    f->output = c->hi16;
    f->tos = c->n8;
    f->marked_tos = (uint8_t)(0xff + c->n);
}

static void counter_v8(unsigned agg, struct ft_flow *f, const struct counters *c)
{
    switch (agg) {
    case 1: case 9:                                 /* AS, ToS/AS */
        f->src_as = c->n16;
        f->dst_as = c->hi16;
        f->input = c->n16;
        f->output = c->hi16;
        f->tos = agg == 9 ? c->n8 : 0;
        break;
    case 2: case 10:                                /* (ToS/)Protocol/Port */
        f->srcport = c->n16;
        f->dstport = c->hi16;
        f->tos = agg == 10 ? c->n8 : 0;
        break;
    case 3: case 11:                                /* (ToS/)Source Prefix */
        ft_ip_set4(&f->srcaddr, c->n);
        f->src_mask = c->n8;
        f->src_as = c->n16;
        f->input = c->n16;
        f->tos = agg == 11 ? c->n8 : 0;
        break;
    case 4: case 12:                                /* (ToS/)Destination Prefix */
        ft_ip_set4(&f->dstaddr, c->n);
        f->dst_mask = c->n8;
        f->dst_as = c->n16;
        f->output = c->n16;
        f->tos = agg == 12 ? c->n8 : 0;
        break;
    case 5: case 13: case 14:                       /* (ToS/)Prefix(/Port) */
        ft_ip_set4(&f->srcaddr, c->n);
        ft_ip_set4(&f->dstaddr, c->hi32);
        f->src_mask = f->dst_mask = c->n8;
        f->input = c->n16;
        f->output = c->hi16;
        if (agg == 14) {
            f->srcport = c->n16;
            f->dstport = c->hi16;
            f->prot = c->n8;
        } else {
            f->src_as = c->n16;
            f->dst_as = c->hi16;
        }
        f->tos = agg == 5 ? 0 : c->n8;
        break;
    case 6: case 7: case 8:                         /* Catalyst */
        counter_catalyst(f, c);
        if (agg >= 7) {
            ft_ip_set4(&f->srcaddr, c->n);
            f->input = c->n16;
        }
        if (agg == 8) {
            f->srcport = f->dstport = c->n16;
            f->prot = c->n8;
        }
        break;
    default:
        break;
    }
}

void ft_gen_counter_flow(const struct ft_format *fmt, uint64_t i, struct ft_flow *f)
{
    struct counters c;
    c.n = (uint32_t)i;
    c.hi32 = 0xffff0000u + c.n;
    c.n16 = (uint16_t)i;
    c.hi16 = (uint16_t)(0xff00u + c.n);
    c.n8 = (uint8_t)i;
    memset(f, 0, sizeof *f);
    f->has = fmt->mask;
    counter_counts(f, &c);
    if (fmt->d_version == 8) {
        counter_v8(fmt->agg_method, f, &c);
        return;
    }
    counter_v1_body(f, &c);
    switch (fmt->d_version) {
    case 5: case 1005: case FT_DV_EXTENDED:
        f->tos = c.n8;
        f->src_as = c.n16;
        f->dst_as = c.hi16;
        if (fmt->d_version == 1005) {       /* ftkit's choice: the original has no 1005 */
            f->src_tag = c.n16;
            f->dst_tag = c.hi16;
        }
        if (fmt->d_version == FT_DV_EXTENDED)
            f->has = ft_format_find(5, 0)->mask;
        break;
    case 6:
        f->src_as = c.n16;
        f->dst_as = c.hi16;
        f->in_encaps = c.n8;
        f->out_encaps = (uint8_t)(0x80 + c.n);
        ft_ip_set4(&f->peer_nexthop, c.n);
        break;
    case 7:
        f->src_as = c.n16;
        f->dst_as = c.hi16;
        ft_ip_set4(&f->router_sc, c.n);
        break;
    default:
        break;
    }
}
