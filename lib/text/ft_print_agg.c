/*
 * ft_print_agg.c - flow-print's formats 10..23: the v8 aggregations
 * (AS, protocol/port, source and destination prefix, prefix pair, each
 * also with ToS) and the Catalyst formats, with the original's quirks.
 */
#include "text/ft_print_int.h"

/* ---- formats 10..23: v8 aggregations ----------------------------------------------- */

/* "%-12.12s" x4: flows, octets, packets, duration, then the newline. */
static char *agg_counters(char *p, const struct ft_flow *f)
{
    p = u64_fit(p, f->dflows, 12);
    p = u64_fit(p, f->doctets, 12);
    p = u64_fit(p, f->dpkts, 12);
    p = u64_fit(p, ft_flow_duration_ms(f), 12);
    *p++ = '\n';
    return p;
}

static char *tos_col(char *p, const struct ft_flow *f)
{
    p = ft_put_fit(p, ft_put_u32(p, f->tos), 3);
    return ft_put_lit(p, "  ");
}

static char *as_col(struct ft_printer *pr, char *p, uint32_t as)
{
    p = sym_fit(p, pr->asn, as, SYM_AS, pr->wide ? 16 : 5);
    return ft_put_lit(p, "  ");
}

/* "%-7.7s" interface columns, no separator. */
static char *if_col(char *p, uint32_t ifindex)
{
    return ft_put_fit(p, ft_put_u32(p, ifindex), 7);
}

static char *prefix_col(char *p, const struct ft_ip *a, unsigned len)
{
    p = prefix_fit(p, a, len, 18);
    return ft_put_lit(p, "  ");
}

static char *body10(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = as_col(pr, p, f->src_as);
    p = as_col(pr, p, f->dst_as);
    p = if_col(p, f->input);
    p = if_col(p, f->output);
    return agg_counters(p, f);
}

static char *body11(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    size_t w = pr->wide ? 16 : 7;
    p = sym_fit(p, pr->port, f->srcport, SYM_PORT, w);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->port, f->dstport, SYM_PORT, w);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->prot, f->prot, SYM_PROT, 5);
    p = ft_put_lit(p, "  ");
    return agg_counters(p, f);
}

static char *body12(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = prefix_col(p, &f->srcaddr, f->src_mask);
    p = as_col(pr, p, f->src_as);
    p = if_col(p, f->input);
    return agg_counters(p, f);
}

/* The header says "input" but the original prints the output interface. */
static char *body13(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = prefix_col(p, &f->dstaddr, f->dst_mask);
    p = as_col(pr, p, f->dst_as);
    p = if_col(p, f->output);
    return agg_counters(p, f);
}

static char *body14(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = prefix_col(p, &f->srcaddr, f->src_mask);
    p = as_col(pr, p, f->src_as);
    p = prefix_col(p, &f->dstaddr, f->dst_mask);
    p = as_col(pr, p, f->dst_as);
    p = if_col(p, f->input);
    p = if_col(p, f->output);
    return agg_counters(p, f);
}

char *ft_print_line10(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body10(pr, p, f);
}

char *ft_print_line11(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body11(pr, p, f);
}

char *ft_print_line12(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body12(pr, p, f);
}

char *ft_print_line13(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body13(pr, p, f);
}

char *ft_print_line14(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body14(pr, p, f);
}

/* "%-10.10s" counters of the Catalyst formats; the last is not followed by
 * a separator. */
static char *catalyst_tail(char *p, const struct ft_flow *f)
{
    p = ft_put_fit(p, ft_put_u32(p, f->tos), 3);
    p = ft_put_lit(p, "  ");
    p = ft_put_fit(p, ft_put_u32(p, f->marked_tos), 3);
    p = ft_put_lit(p, "  ");
    p = u64_fit(p, f->extra_pkts, 10);
    p = ft_put_lit(p, "  ");
    p = u64_fit(p, f->doctets, 10);
    p = ft_put_lit(p, "  ");
    p = u64_fit(p, f->dpkts, 10);
    *p++ = '\n';
    return p;
}

static char *if_fit5(char *p, uint32_t ifindex)
{
    p = ft_put_fit(p, ft_put_u32(p, ifindex), 5);
    return ft_put_lit(p, "  ");
}

char *ft_print_line15(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    (void)pr;
    p = ip_fit(p, &f->dstaddr, 15);
    p = ft_put_lit(p, "  ");
    p = ip_fit(p, &f->router_sc, 15);
    p = ft_put_lit(p, "  ");
    p = if_fit5(p, f->output);
    return catalyst_tail(p, f);
}

/* srcIP, dstIP, router_sc, Sif and Dif of formats 16 and 17. */
static char *catalyst_pair(char *p, const struct ft_flow *f)
{
    p = ip_fit(p, &f->srcaddr, 15);
    p = ft_put_lit(p, "  ");
    p = ip_fit(p, &f->dstaddr, 15);
    p = ft_put_lit(p, "  ");
    p = ip_fit(p, &f->router_sc, 15);
    p = ft_put_lit(p, "  ");
    p = if_fit5(p, f->input);
    return if_fit5(p, f->output);
}

char *ft_print_line16(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    (void)pr;
    return catalyst_tail(catalyst_pair(p, f), f);
}

/* Here the original's name buffers are smaller: ports cut to 4 characters. */
char *ft_print_line17(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = catalyst_pair(p, f);
    p = sym_fit(p, pr->port, f->srcport, 5, 5);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->port, f->dstport, 5, 5);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->prot, f->prot, SYM_PROT, 3);
    p = ft_put_lit(p, "  ");
    return catalyst_tail(p, f);
}

char *ft_print_line18(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body10(pr, tos_col(p, f), f);
}

/* The original fills the ToS column of this format with the protocol. */
char *ft_print_line19(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = ft_put_fit(p, ft_put_u32(p, f->prot), 3);
    p = ft_put_lit(p, "  ");
    return body11(pr, p, f);
}

char *ft_print_line20(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body12(pr, tos_col(p, f), f);
}

char *ft_print_line21(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body13(pr, tos_col(p, f), f);
}

/* The original passes its arguments in another order than its header: the
 * destination prefix lands in the srcAS column and the source AS in the
 * dstPrefix column.  Reproduced as printed. */
char *ft_print_line22(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = tos_col(p, f);
    p = prefix_col(p, &f->srcaddr, f->src_mask);
    p = prefix_fit(p, &f->dstaddr, f->dst_mask, pr->wide ? 16 : 5);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->asn, f->src_as, SYM_AS, 18);
    p = ft_put_lit(p, "  ");
    p = as_col(pr, p, f->dst_as);
    p = if_col(p, f->input);
    p = if_col(p, f->output);
    return agg_counters(p, f);
}

char *ft_print_line23(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    size_t wport = pr->wide ? 16 : 5;
    p = tos_col(p, f);
    p = prefix_col(p, &f->srcaddr, f->src_mask);
    p = prefix_col(p, &f->dstaddr, f->dst_mask);
    p = sym_fit(p, pr->prot, f->prot, SYM_PROT, pr->wide ? 5 : 3);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->port, f->srcport, SYM_PORT, wport);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->port, f->dstport, SYM_PORT, wport);
    p = ft_put_lit(p, "  ");
    p = if_col(p, f->input);
    p = if_col(p, f->output);
    return agg_counters(p, f);
}
