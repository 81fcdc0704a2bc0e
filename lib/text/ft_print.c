/*
 * ft_print.c - flow-print's formats 0..24, JSON lines and CSV.
 *
 * Every format is a line function: a straight sequence of formatters
 * appending to the output buffer, with the column widths of the original's
 * printf formats (print-formats.md section 2) spelled out at each call:
 * FIT(15) is "%-15.15s", PAD(10) is "%-10lu".  Symbolic columns (-n) go
 * through ft_sym_format, which also gives the decimal form when names are
 * off (the table pointers are then NULL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "text/ft_print.h"
#include "text/ft_sym.h"

struct ft_printer;
typedef char *line_fn(struct ft_printer *pr, char *p, const struct ft_flow *f);

struct ft_printer {
    int format;
    int wide;
    int line_flush;
    int stream_header;
    char comment;
    int skip_bogus;             /* leave out dPkts == 0 (formats 1, 2, 24) */
    line_fn *line;
    const char *head;           /* column header text */
    struct ft_sym *prot, *port, *asn, *tag;     /* NULL unless -n */
    struct ft_clock clock;
    uint64_t bogus;
};

/* ---- column helpers ---------------------------------------------------------- */

#define LIT(p, s) ft_put_mem((p), (s), sizeof(s) - 1)

/* Symbol name buffers of the original: names are cut to size-1 characters. */
#define SYM_PROT 5
#define SYM_PORT 16
#define SYM_AS 18
#define SYM_TAG 16

static char *sym(char *p, const struct ft_sym *s, uint32_t v, size_t size)
{
    return p + ft_sym_format(s, v, p, size);
}

/* "%-N.Ns" of a symbolic value. */
static char *sym_fit(char *p, const struct ft_sym *s, uint32_t v, size_t size, size_t w)
{
    return ft_put_fit(p, sym(p, s, v, size), w);
}

static char *ip_fit(char *p, const struct ft_ip *a, size_t w)
{
    return ft_put_fit(p, ft_put_ip(p, a), w);
}

/* flow-tools prefix notation; IPv6 prints as address/length. */
static char *put_prefix_ip(char *p, const struct ft_ip *a, unsigned len)
{
    if (a->af != FT_AF_INET6)
        return ft_put_prefix(p, a->af == FT_AF_INET ? a->v4 : 0, len);
    p = ft_put_ipv6(p, a->v6);
    *p++ = '/';
    return ft_put_u32(p, len);
}

static char *prefix_fit(char *p, const struct ft_ip *a, unsigned len, size_t w)
{
    return ft_put_fit(p, put_prefix_ip(p, a, len), w);
}

static char *u32_pad(char *p, uint32_t v, size_t w)
{
    return ft_put_pad(p, ft_put_u32(p, v), w);
}

static char *u64_pad(char *p, uint64_t v, size_t w)
{
    return ft_put_pad(p, ft_put_u64(p, v), w);
}

static char *u64_fit(char *p, uint64_t v, size_t w)
{
    return ft_put_fit(p, ft_put_u64(p, v), w);
}

static char *hex_pad(char *p, uint32_t v, int digits, size_t w)
{
    return ft_put_pad(p, ft_put_hex(p, v, digits), w);
}

/* Router uptime between first and last packet, in ms: flow-tools takes the
 * 32-bit difference; flows with only absolute times use those. */
static uint64_t duration_ms(const struct ft_flow *f)
{
    if ((f->has & (FT_F_FIRST | FT_F_LAST)) == (FT_F_FIRST | FT_F_LAST))
        return (uint32_t)(f->last - f->first);
    if ((f->has & FT_F_TIMES) && f->end_ms >= f->start_ms)
        return f->end_ms - f->start_ms;
    return 0;
}

/* "%5lu.%-3.3lu" of a duration in ms. */
static char *put_active(char *p, uint64_t ms)
{
    p = ft_put_right(p, ft_put_u64(p, ms / 1000), 5);
    *p++ = '.';
    unsigned r = (unsigned)(ms % 1000);
    *p++ = (char)('0' + r / 100);
    *p++ = (char)('0' + r / 10 % 10);
    *p++ = (char)('0' + r % 10);
    return p;
}

static uint64_t bytes_per_packet(const struct ft_flow *f)
{
    return f->dpkts ? f->doctets / f->dpkts : 0;
}

/* ---- formats 0..9 ---------------------------------------------------------------- */

/* "%4.4x %-15.15s  %4.4x %-15.15s   %2.2x %-4x %-4x  %-10lu %-10lu" */
static char *line0_fields(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    (void)pr;
    p = ft_put_hex(p, f->input, 4);
    *p++ = ' ';
    p = ip_fit(p, &f->srcaddr, 15);
    p = LIT(p, "  ");
    p = ft_put_hex(p, f->output, 4);
    *p++ = ' ';
    p = ip_fit(p, &f->dstaddr, 15);
    p = LIT(p, "   ");
    p = ft_put_hex(p, f->prot, 2);
    *p++ = ' ';
    p = hex_pad(p, f->srcport, 1, 4);
    *p++ = ' ';
    p = hex_pad(p, f->dstport, 1, 4);
    p = LIT(p, "  ");
    p = u64_pad(p, f->dpkts, 10);
    *p++ = ' ';
    return u64_pad(p, f->doctets, 10);
}

static char *line0(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = line0_fields(pr, p, f);
    *p++ = '\n';
    return p;
}

/* Second line of formats 1 and 2, and the blank line after it:
 * " start  end  active B/Pk tos flags" */
static char *times_line(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    *p++ = ' ';
    p = ft_put_time_mmdd(p, &pr->clock, f->start_ms);
    p = LIT(p, "  ");
    p = ft_put_time_mmdd(p, &pr->clock, f->end_ms);
    p = LIT(p, "  ");
    p = put_active(p, duration_ms(f));
    *p++ = ' ';
    p = u64_pad(p, bytes_per_packet(f), 3);
    *p++ = ' ';
    p = ft_put_hex(p, f->tos, 2);
    *p++ = ' ';
    p = ft_put_hex(p, f->tcp_flags, 2);
    return LIT(p, "\n\n");
}

static char *line1(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = line0_fields(pr, p, f);
    *p++ = '\n';
    return times_line(pr, p, f);
}

/* Only bare SYN probes: TCP, flags exactly SYN, 2 packets, 80 octets. */
static char *line2(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    if (f->prot != 6 || f->tcp_flags != 0x02 || f->dpkts != 2 || f->doctets != 80)
        return p;
    /* "%2.2x  %-15.15s  %2.2x  %-15.15s %2.2x %-4x %-4x %-10lu %-10lu" */
    p = ft_put_hex(p, f->input, 2);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->srcaddr, 15);
    p = LIT(p, "  ");
    p = ft_put_hex(p, f->output, 2);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->dstaddr, 15);
    *p++ = ' ';
    p = ft_put_hex(p, f->prot, 2);
    *p++ = ' ';
    p = hex_pad(p, f->srcport, 1, 4);
    *p++ = ' ';
    p = hex_pad(p, f->dstport, 1, 4);
    *p++ = ' ';
    p = u64_pad(p, f->dpkts, 10);
    *p++ = ' ';
    p = u64_pad(p, f->doctets, 10);
    *p++ = '\n';
    return times_line(pr, p, f);
}

static char *line3(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    size_t wp = pr->wide ? 5 : 4, wport = pr->wide ? 16 : 7;
    p = ip_fit(p, &f->srcaddr, 15);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->dstaddr, 15);
    p = LIT(p, "  ");
    p = sym_fit(p, pr->prot, f->prot, SYM_PROT, wp);
    p = LIT(p, "  ");
    p = sym_fit(p, pr->port, f->srcport, SYM_PORT, wport);
    p = LIT(p, "  ");
    p = sym_fit(p, pr->port, f->dstport, SYM_PORT, wport);
    p = LIT(p, "  ");
    p = u64_pad(p, f->doctets, 10);
    p = LIT(p, "  ");
    p = u64_pad(p, f->dpkts, 10);
    *p++ = '\n';
    return p;
}

static char *line4(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    if (pr->wide) {
        /* "%4.4x %4.4x %-18.18s  %-18.18s  %-5.5s  %-16.16s  %-16.16s  " */
        p = ft_put_hex(p, f->input, 4);
        *p++ = ' ';
        p = ft_put_hex(p, f->output, 4);
        *p++ = ' ';
        p = prefix_fit(p, &f->srcaddr, f->src_mask, 18);
        p = LIT(p, "  ");
        p = prefix_fit(p, &f->dstaddr, f->dst_mask, 18);
        p = LIT(p, "  ");
        p = sym_fit(p, pr->prot, f->prot, SYM_PROT, 5);
        p = LIT(p, "  ");
        p = sym_fit(p, pr->asn, f->src_as, SYM_AS, 16);
        p = LIT(p, "  ");
        p = sym_fit(p, pr->asn, f->dst_as, SYM_AS, 16);
    } else {
        /* "%-18.18s %-18.18s %-4.4s  %-5.5s  %-5.5s" */
        p = prefix_fit(p, &f->srcaddr, f->src_mask, 18);
        *p++ = ' ';
        p = prefix_fit(p, &f->dstaddr, f->dst_mask, 18);
        *p++ = ' ';
        p = sym_fit(p, pr->prot, f->prot, SYM_PROT, 4);
        p = LIT(p, "  ");
        p = sym_fit(p, pr->asn, f->src_as, SYM_AS, 5);
        p = LIT(p, "  ");
        p = sym_fit(p, pr->asn, f->dst_as, SYM_AS, 5);
    }
    p = LIT(p, "  ");
    p = u64_pad(p, f->doctets, 10);
    p = LIT(p, "  ");
    p = u64_pad(p, f->dpkts, 10);
    *p++ = '\n';
    return p;
}

static char *line5(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = ft_put_time_mmdd(p, &pr->clock, f->start_ms);
    *p++ = ' ';
    p = ft_put_time_mmdd(p, &pr->clock, f->end_ms);
    *p++ = ' ';
    /* "%-5u %-15.15s %-5u %-5u %-15.15s %-5u %-3u %-2d %-10lu %-10lu" */
    p = u32_pad(p, f->input, 5);
    *p++ = ' ';
    p = ip_fit(p, &f->srcaddr, 15);
    *p++ = ' ';
    p = u32_pad(p, f->srcport, 5);
    *p++ = ' ';
    p = u32_pad(p, f->output, 5);
    *p++ = ' ';
    p = ip_fit(p, &f->dstaddr, 15);
    *p++ = ' ';
    p = u32_pad(p, f->dstport, 5);
    *p++ = ' ';
    p = u32_pad(p, f->prot, 3);
    *p++ = ' ';
    p = u32_pad(p, f->tcp_flags & 7u, 2);
    *p++ = ' ';
    p = u64_pad(p, f->dpkts, 10);
    *p++ = ' ';
    p = u64_pad(p, f->doctets, 10);
    *p++ = '\n';
    return p;
}

/* " %-15.15s  %-15.15s  %17lu  %18lu" */
static char *line6(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    (void)pr;
    *p++ = ' ';
    p = ip_fit(p, &f->srcaddr, 15);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->dstaddr, 15);
    p = LIT(p, "  ");
    p = ft_put_right(p, ft_put_u64(p, f->dpkts), 17);
    p = LIT(p, "  ");
    p = ft_put_right(p, ft_put_u64(p, f->doctets), 18);
    *p++ = '\n';
    return p;
}

/* The prot, ports, octets, packets tail of formats 7 and 8. */
static char *tail78(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = sym_fit(p, pr->prot, f->prot, SYM_PROT, 5);
    p = LIT(p, "  ");
    p = sym_fit(p, pr->port, f->srcport, SYM_PORT, 14);
    p = LIT(p, "  ");
    p = sym_fit(p, pr->port, f->dstport, SYM_PORT, 14);
    p = LIT(p, "  ");
    p = u64_pad(p, f->doctets, 10);
    p = LIT(p, "  ");
    p = u64_pad(p, f->dpkts, 10);
    *p++ = '\n';
    return p;
}

static char *line7(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = prefix_fit(p, &f->srcaddr, f->src_mask, 18);
    p = LIT(p, "  ");
    p = prefix_fit(p, &f->dstaddr, f->dst_mask, 18);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->router_sc, 15);
    p = LIT(p, "  ");
    return tail78(pr, p, f);
}

static char *line8(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = prefix_fit(p, &f->srcaddr, f->src_mask, 18);
    p = LIT(p, "  ");
    p = prefix_fit(p, &f->dstaddr, f->dst_mask, 18);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->peer_nexthop, 15);
    p = LIT(p, "  ");
    p = u32_pad(p, f->in_encaps, 4);
    *p++ = ' ';
    p = u32_pad(p, f->out_encaps, 4);
    p = LIT(p, "  ");
    return tail78(pr, p, f);
}

/* A tag: its name with -n, else "0x%-8.8lx". */
static char *tag_fit(struct ft_printer *pr, char *p, uint32_t tag, size_t w)
{
    char *s = p;
    const char *name = ft_sym_name(pr->tag, tag);
    if (name) {
        size_t n = strlen(name);
        p = ft_put_mem(p, name, n < SYM_TAG - 1 ? n : SYM_TAG - 1);
    } else {
        p = LIT(p, "0x");
        p = ft_put_hex(p, tag, 8);
    }
    return ft_put_fit(s, p, w);
}

static char *line9(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    size_t w = pr->wide ? 15 : 10;
    p = tag_fit(pr, p, f->src_tag, w);
    p = LIT(p, "  ");
    p = tag_fit(pr, p, f->dst_tag, w);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->srcaddr, 15);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->dstaddr, 15);
    p = LIT(p, "  ");
    p = u64_pad(p, f->doctets, 10);
    p = LIT(p, "  ");
    p = u64_pad(p, f->dpkts, 10);
    *p++ = '\n';
    return p;
}

/* ---- formats 10..23: v8 aggregations ----------------------------------------------- */

/* "%-12.12s" x4: flows, octets, packets, duration, then the newline. */
static char *agg_counters(char *p, const struct ft_flow *f)
{
    p = u64_fit(p, f->dflows, 12);
    p = u64_fit(p, f->doctets, 12);
    p = u64_fit(p, f->dpkts, 12);
    p = u64_fit(p, duration_ms(f), 12);
    *p++ = '\n';
    return p;
}

static char *tos_col(char *p, const struct ft_flow *f)
{
    p = ft_put_fit(p, ft_put_u32(p, f->tos), 3);
    return LIT(p, "  ");
}

static char *as_col(struct ft_printer *pr, char *p, uint32_t as)
{
    p = sym_fit(p, pr->asn, as, SYM_AS, pr->wide ? 16 : 5);
    return LIT(p, "  ");
}

/* "%-7.7s" interface columns, no separator. */
static char *if_col(char *p, uint32_t ifindex)
{
    return ft_put_fit(p, ft_put_u32(p, ifindex), 7);
}

static char *prefix_col(char *p, const struct ft_ip *a, unsigned len)
{
    p = prefix_fit(p, a, len, 18);
    return LIT(p, "  ");
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
    p = LIT(p, "  ");
    p = sym_fit(p, pr->port, f->dstport, SYM_PORT, w);
    p = LIT(p, "  ");
    p = sym_fit(p, pr->prot, f->prot, SYM_PROT, 5);
    p = LIT(p, "  ");
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

static char *line10(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body10(pr, p, f);
}

static char *line11(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body11(pr, p, f);
}

static char *line12(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body12(pr, p, f);
}

static char *line13(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body13(pr, p, f);
}

static char *line14(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body14(pr, p, f);
}

/* "%-10.10s" counters of the Catalyst formats; the last is not followed by
 * a separator. */
static char *catalyst_tail(char *p, const struct ft_flow *f)
{
    p = ft_put_fit(p, ft_put_u32(p, f->tos), 3);
    p = LIT(p, "  ");
    p = ft_put_fit(p, ft_put_u32(p, f->marked_tos), 3);
    p = LIT(p, "  ");
    p = u64_fit(p, f->extra_pkts, 10);
    p = LIT(p, "  ");
    p = u64_fit(p, f->doctets, 10);
    p = LIT(p, "  ");
    p = u64_fit(p, f->dpkts, 10);
    *p++ = '\n';
    return p;
}

static char *if_fit5(char *p, uint32_t ifindex)
{
    p = ft_put_fit(p, ft_put_u32(p, ifindex), 5);
    return LIT(p, "  ");
}

static char *line15(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    (void)pr;
    p = ip_fit(p, &f->dstaddr, 15);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->router_sc, 15);
    p = LIT(p, "  ");
    p = if_fit5(p, f->output);
    return catalyst_tail(p, f);
}

static char *line16(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    (void)pr;
    p = ip_fit(p, &f->srcaddr, 15);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->dstaddr, 15);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->router_sc, 15);
    p = LIT(p, "  ");
    p = if_fit5(p, f->input);
    p = if_fit5(p, f->output);
    return catalyst_tail(p, f);
}

/* Here the original's name buffers are smaller: ports cut to 4 characters. */
static char *line17(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = ip_fit(p, &f->srcaddr, 15);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->dstaddr, 15);
    p = LIT(p, "  ");
    p = ip_fit(p, &f->router_sc, 15);
    p = LIT(p, "  ");
    p = if_fit5(p, f->input);
    p = if_fit5(p, f->output);
    p = sym_fit(p, pr->port, f->srcport, 5, 5);
    p = LIT(p, "  ");
    p = sym_fit(p, pr->port, f->dstport, 5, 5);
    p = LIT(p, "  ");
    p = sym_fit(p, pr->prot, f->prot, SYM_PROT, 3);
    p = LIT(p, "  ");
    return catalyst_tail(p, f);
}

static char *line18(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body10(pr, tos_col(p, f), f);
}

/* The original fills the ToS column of this format with the protocol. */
static char *line19(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = ft_put_fit(p, ft_put_u32(p, f->prot), 3);
    p = LIT(p, "  ");
    return body11(pr, p, f);
}

static char *line20(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body12(pr, tos_col(p, f), f);
}

static char *line21(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    return body13(pr, tos_col(p, f), f);
}

/* The original passes its arguments in another order than its header: the
 * destination prefix lands in the srcAS column and the source AS in the
 * dstPrefix column.  Reproduced as printed. */
static char *line22(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = tos_col(p, f);
    p = prefix_col(p, &f->srcaddr, f->src_mask);
    p = prefix_fit(p, &f->dstaddr, f->dst_mask, pr->wide ? 16 : 5);
    p = LIT(p, "  ");
    p = sym_fit(p, pr->asn, f->src_as, SYM_AS, 18);
    p = LIT(p, "  ");
    p = as_col(pr, p, f->dst_as);
    p = if_col(p, f->input);
    p = if_col(p, f->output);
    return agg_counters(p, f);
}

static char *line23(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    size_t wport = pr->wide ? 16 : 5;
    p = tos_col(p, f);
    p = prefix_col(p, &f->srcaddr, f->src_mask);
    p = prefix_col(p, &f->dstaddr, f->dst_mask);
    p = sym_fit(p, pr->prot, f->prot, SYM_PROT, pr->wide ? 5 : 3);
    p = LIT(p, "  ");
    p = sym_fit(p, pr->port, f->srcport, SYM_PORT, wport);
    p = LIT(p, "  ");
    p = sym_fit(p, pr->port, f->dstport, SYM_PORT, wport);
    p = LIT(p, "  ");
    p = if_col(p, f->input);
    p = if_col(p, f->output);
    return agg_counters(p, f);
}

/* ---- format 24 ----------------------------------------------------------------------- */

static char *line24(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    /* "%4.4x %-15.15s  %4.4x %-15.15s  %2.2x %-5u %-5u %-10lu %-10lu  " */
    p = ft_put_hex(p, f->input, 4);
    *p++ = ' ';
    p = ip_fit(p, &f->srcaddr, 15);
    p = LIT(p, "  ");
    p = ft_put_hex(p, f->output, 4);
    *p++ = ' ';
    p = ip_fit(p, &f->dstaddr, 15);
    p = LIT(p, "  ");
    p = ft_put_hex(p, f->prot, 2);
    *p++ = ' ';
    p = u32_pad(p, f->srcport, 5);
    *p++ = ' ';
    p = u32_pad(p, f->dstport, 5);
    *p++ = ' ';
    p = u64_pad(p, f->dpkts, 10);
    *p++ = ' ';
    p = u64_pad(p, f->doctets, 10);
    p = LIT(p, "   ");
    p = ft_put_time_ymd(p, &pr->clock, f->start_ms);
    p = LIT(p, "  ");
    p = ft_put_time_ymd(p, &pr->clock, f->end_ms);
    p = LIT(p, "  ");
    /* "%-15.15s %-15.15s %5lu.%-3.3lu %-4lu  %2.2x %2.2x  %-5.5s %-5.5s" */
    p = ip_fit(p, &f->exaddr, 15);
    *p++ = ' ';
    p = ip_fit(p, &f->router_sc, 15);
    *p++ = ' ';
    p = put_active(p, duration_ms(f));
    *p++ = ' ';
    p = u64_pad(p, bytes_per_packet(f), 4);
    p = LIT(p, "  ");
    p = ft_put_hex(p, f->tos, 2);
    *p++ = ' ';
    p = ft_put_hex(p, f->tcp_flags, 2);
    p = LIT(p, "  ");
    p = sym_fit(p, pr->asn, f->src_as, SYM_AS, 5);
    *p++ = ' ';
    p = sym_fit(p, pr->asn, f->dst_as, SYM_AS, 5);
    *p++ = '\n';
    return p;
}

/* ---- JSON lines and CSV --------------------------------------------------------------- */

/* The columns, in output order (the reference decode's keys, then ftkit's). */
#define KV_COLUMNS(X) \
    X(exporter) X(exporter_port) X(version) X(sequence) X(source_id) \
    X(engine_type) X(engine_id) X(sys_uptime) X(unix_secs) X(unix_nsecs) \
    X(flowset_id) X(srcaddr) X(dstaddr) X(nexthop) X(bgp_nexthop) \
    X(srcport) X(dstport) X(icmp_type) X(icmp_code) X(proto) X(tos) \
    X(tcp_flags) X(input) X(output) X(packets) X(octets) X(time_base) \
    X(first) X(last) X(first_ns) X(last_ns) X(src_as) X(dst_as) \
    X(src_mask) X(dst_mask) X(ip_version) X(direction) \
    X(sampling_interval) X(sampling_algorithm) X(sampler_id) \
    X(dflows) X(peer_nexthop) X(router_sc) X(extra_pkts) X(marked_tos) \
    X(in_encaps) X(out_encaps) X(src_tag) X(dst_tag) X(src_vlan) \
    X(dst_vlan) X(flow_label) X(start_ms) X(end_ms)

#define KV_ENUM(name) KV_##name,
enum kv_column { KV_COLUMNS(KV_ENUM) KV_NCOLUMNS };
#define KV_NAME(name) { #name, sizeof(#name) - 1 },
static const struct { const char *name; size_t len; } kv_names[KV_NCOLUMNS] = {
    KV_COLUMNS(KV_NAME)
};

/*
 * The cell writers take the write position and return the new one, and are
 * forced inline so that each of line_json and line_csv becomes one straight
 * sequence with the separators and keys as constants.
 */
#if defined(__GNUC__)
#define KV_INLINE static inline __attribute__((always_inline))
#else
#define KV_INLINE static inline
#endif

/* Start a cell: the separator, and the key in JSON. */
KV_INLINE char *kv_key(char *p, int json, enum kv_column c)
{
    if (c != 0)
        *p++ = ',';
    if (json) {
        *p++ = '"';
        p = ft_put_mem(p, kv_names[c].name, kv_names[c].len);
        *p++ = '"';
        *p++ = ':';
    }
    return p;
}

KV_INLINE char *kv_null(char *p, int json, enum kv_column c)
{
    p = kv_key(p, json, c);
    return json ? LIT(p, "null") : p;
}

KV_INLINE char *kv_u64(char *p, int json, enum kv_column c, uint64_t present, uint64_t v)
{
    if (!present)
        return kv_null(p, json, c);
    return ft_put_u64(kv_key(p, json, c), v);
}

KV_INLINE char *kv_u32(char *p, int json, enum kv_column c, uint64_t present, uint32_t v)
{
    if (!present)
        return kv_null(p, json, c);
    return ft_put_u32(kv_key(p, json, c), v);
}

KV_INLINE char *kv_ip(char *p, int json, enum kv_column c, uint64_t present, const struct ft_ip *a)
{
    if (!present || a->af == FT_AF_NONE)
        return kv_null(p, json, c);
    p = kv_key(p, json, c);
    if (json)
        *p++ = '"';
    p = ft_put_ip(p, a);
    if (json)
        *p++ = '"';
    return p;
}

KV_INLINE char *kv_text(char *p, int json, enum kv_column c, const char *s, size_t n)
{
    p = kv_key(p, json, c);
    return json ? ft_put_json_str(p, s, n) : ft_put_mem(p, s, n);
}

/* ftkit's own columns: JSON leaves them out when the flow lacks them. */
KV_INLINE char *kv_extra_u32(char *p, int json, enum kv_column c, uint64_t present, uint32_t v)
{
    return present || !json ? kv_u32(p, json, c, present, v) : p;
}

KV_INLINE char *kv_extra_u64(char *p, int json, enum kv_column c, uint64_t present, uint64_t v)
{
    return present || !json ? kv_u64(p, json, c, present, v) : p;
}

KV_INLINE char *kv_extra_ip(char *p, int json, enum kv_column c, uint64_t present,
                            const struct ft_ip *a)
{
    return present || !json ? kv_ip(p, json, c, present, a) : p;
}

KV_INLINE char *kv_export_info(char *p, int json, const struct ft_flow *f)
{
    uint64_t h = f->has;
    uint64_t info = h & FT_F_EXPORT_INFO;
    p = kv_ip(p, json, KV_exporter, h & FT_F_EXADDR, &f->exaddr);
    p = kv_u32(p, json, KV_exporter_port, info, f->exporter_port);
    p = kv_u32(p, json, KV_version, info, f->export_version);
    /* v1 has no sequence numbers; only v9/IPFIX have templates. */
    p = kv_u32(p, json, KV_sequence, info && f->export_version != 1, f->sequence);
    p = kv_u32(p, json, KV_source_id, h & FT_F_SOURCE_ID, f->source_id);
    p = kv_u32(p, json, KV_engine_type, h & FT_F_ENGINE_TYPE, f->engine_type);
    p = kv_u32(p, json, KV_engine_id, h & FT_F_ENGINE_ID, f->engine_id);
    p = kv_u32(p, json, KV_sys_uptime, h & FT_F_SYSUPTIME, f->sysuptime);
    p = kv_u32(p, json, KV_unix_secs, h & FT_F_UNIX_SECS, f->unix_secs);
    p = kv_u32(p, json, KV_unix_nsecs, h & FT_F_UNIX_NSECS, f->unix_nsecs);
    return kv_u32(p, json, KV_flowset_id, info && f->export_version >= 9, f->template_id);
}

KV_INLINE char *kv_key_fields(char *p, int json, const struct ft_flow *f)
{
    uint64_t h = f->has;
    p = kv_ip(p, json, KV_srcaddr, h & FT_F_SRCADDR, &f->srcaddr);
    p = kv_ip(p, json, KV_dstaddr, h & FT_F_DSTADDR, &f->dstaddr);
    p = kv_ip(p, json, KV_nexthop, h & FT_F_NEXTHOP, &f->nexthop);
    p = kv_ip(p, json, KV_bgp_nexthop, h & FT_F_BGP_NEXTHOP, &f->bgp_nexthop);
    p = kv_u32(p, json, KV_srcport, h & FT_F_SRCPORT, f->srcport);
    p = kv_u32(p, json, KV_dstport, h & FT_F_DSTPORT, f->dstport);
    p = kv_u32(p, json, KV_icmp_type, h & FT_F_ICMP, f->icmp_type);
    p = kv_u32(p, json, KV_icmp_code, h & FT_F_ICMP, f->icmp_code);
    p = kv_u32(p, json, KV_proto, h & FT_F_PROT, f->prot);
    p = kv_u32(p, json, KV_tos, h & FT_F_TOS, f->tos);
    p = kv_u32(p, json, KV_tcp_flags, h & FT_F_TCP_FLAGS, f->tcp_flags);
    p = kv_u32(p, json, KV_input, h & FT_F_INPUT, f->input);
    p = kv_u32(p, json, KV_output, h & FT_F_OUTPUT, f->output);
    p = kv_u64(p, json, KV_packets, h & FT_F_DPKTS, f->dpkts);
    return kv_u64(p, json, KV_octets, h & FT_F_DOCTETS, f->doctets);
}

/* time_base, first, last, first_ns, last_ns. */
KV_INLINE char *kv_times(char *p, int json, const struct ft_flow *f)
{
    uint64_t h = f->has;
    if (h & FT_F_ABS_TIMES) {
        uint64_t t = h & FT_F_TIMES;
        p = kv_text(p, json, KV_time_base, "epoch_ms", 8);
        p = kv_u64(p, json, KV_first, t, f->start_ms);
        p = kv_u64(p, json, KV_last, t, f->end_ms);
        p = kv_u64(p, json, KV_first_ns, t, f->start_ms * 1000000u + f->start_ns);
        return kv_u64(p, json, KV_last_ns, t, f->end_ms * 1000000u + f->end_ns);
    }
    if (h & (FT_F_FIRST | FT_F_LAST))
        p = kv_text(p, json, KV_time_base, "sysuptime_ms", 12);
    else
        p = kv_null(p, json, KV_time_base);
    p = kv_u32(p, json, KV_first, h & FT_F_FIRST, f->first);
    p = kv_u32(p, json, KV_last, h & FT_F_LAST, f->last);
    p = kv_null(p, json, KV_first_ns);
    return kv_null(p, json, KV_last_ns);
}

KV_INLINE char *kv_routing(char *p, int json, const struct ft_flow *f)
{
    uint64_t h = f->has;
    p = kv_u32(p, json, KV_src_as, h & FT_F_SRC_AS, f->src_as);
    p = kv_u32(p, json, KV_dst_as, h & FT_F_DST_AS, f->dst_as);
    p = kv_u32(p, json, KV_src_mask, h & FT_F_SRC_MASK, f->src_mask);
    p = kv_u32(p, json, KV_dst_mask, h & FT_F_DST_MASK, f->dst_mask);
    p = kv_u32(p, json, KV_ip_version, h & FT_F_IP_VERSION, f->ip_version);
    p = kv_u32(p, json, KV_direction, h & FT_F_DIRECTION, f->direction);
    p = kv_u32(p, json, KV_sampling_interval, h & FT_F_SAMPLING, f->sampling_interval);
    p = kv_u32(p, json, KV_sampling_algorithm, h & FT_F_SAMPLING, f->sampling_algorithm);
    return kv_u32(p, json, KV_sampler_id, h & FT_F_SAMPLER_ID, f->sampler_id);
}

KV_INLINE char *kv_extras(char *p, int json, const struct ft_flow *f)
{
    uint64_t h = f->has;
    p = kv_extra_u32(p, json, KV_dflows, h & FT_F_DFLOWS, f->dflows);
    p = kv_extra_ip(p, json, KV_peer_nexthop, h & FT_F_PEER_NEXTHOP, &f->peer_nexthop);
    p = kv_extra_ip(p, json, KV_router_sc, h & FT_F_ROUTER_SC, &f->router_sc);
    p = kv_extra_u32(p, json, KV_extra_pkts, h & FT_F_EXTRA_PKTS, f->extra_pkts);
    p = kv_extra_u32(p, json, KV_marked_tos, h & FT_F_MARKED_TOS, f->marked_tos);
    p = kv_extra_u32(p, json, KV_in_encaps, h & FT_F_IN_ENCAPS, f->in_encaps);
    p = kv_extra_u32(p, json, KV_out_encaps, h & FT_F_OUT_ENCAPS, f->out_encaps);
    p = kv_extra_u32(p, json, KV_src_tag, h & FT_F_SRC_TAG, f->src_tag);
    p = kv_extra_u32(p, json, KV_dst_tag, h & FT_F_DST_TAG, f->dst_tag);
    p = kv_extra_u32(p, json, KV_src_vlan, h & FT_F_SRC_VLAN, f->src_vlan);
    p = kv_extra_u32(p, json, KV_dst_vlan, h & FT_F_DST_VLAN, f->dst_vlan);
    p = kv_extra_u32(p, json, KV_flow_label, h & FT_F_FLOW_LABEL, f->flow_label);
    p = kv_extra_u64(p, json, KV_start_ms, h & FT_F_TIMES, f->start_ms);
    return kv_extra_u64(p, json, KV_end_ms, h & FT_F_TIMES, f->end_ms);
}

KV_INLINE char *kv_line(char *p, int json, const struct ft_flow *f)
{
    if (json)
        *p++ = '{';
    p = kv_export_info(p, json, f);
    p = kv_key_fields(p, json, f);
    p = kv_times(p, json, f);
    p = kv_routing(p, json, f);
    p = kv_extras(p, json, f);
    if (json)
        *p++ = '}';
    *p++ = '\n';
    return p;
}

static char *line_json(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    (void)pr;
    return kv_line(p, 1, f);
}

static char *line_csv(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    (void)pr;
    return kv_line(p, 0, f);
}

/* The CSV header line: the column names. */
static void csv_head(struct ft_out *o)
{
    for (int c = 0; c < KV_NCOLUMNS; c++) {
        if (c)
            ft_out_write(o, ",", 1);
        ft_out_write(o, kv_names[c].name, kv_names[c].len);
    }
    ft_out_write(o, "\n", 1);
}

/* ---- the format table ------------------------------------------------------------------- */

#define F_V5 (FT_F_DPKTS | FT_F_DOCTETS | FT_F_SRCADDR | FT_F_DSTADDR)
#define F_PORTS (FT_F_SRCPORT | FT_F_DSTPORT | FT_F_PROT)
#define F_IFS (FT_F_INPUT | FT_F_OUTPUT)
#define F_CLOCK (FT_F_FIRST | FT_F_LAST | FT_F_UNIX_SECS | FT_F_UNIX_NSECS | FT_F_SYSUPTIME)
#define F_MASKS (FT_F_SRC_MASK | FT_F_DST_MASK)
#define F_ASES (FT_F_SRC_AS | FT_F_DST_AS)
#define F_AGG (FT_F_DFLOWS | FT_F_DPKTS | FT_F_DOCTETS | FT_F_FIRST | FT_F_LAST)
#define F_CAT (FT_F_DPKTS | FT_F_DOCTETS | FT_F_DSTADDR | FT_F_OUTPUT | FT_F_ROUTER_SC | \
               FT_F_EXTRA_PKTS | FT_F_TOS | FT_F_MARKED_TOS)
#define F_AGG1 (F_AGG | F_IFS | F_ASES)
#define F_AGG2 (F_AGG | F_PORTS)
#define F_AGG3 (F_AGG | FT_F_INPUT | FT_F_SRCADDR | FT_F_SRC_MASK | FT_F_SRC_AS)
#define F_AGG4 (F_AGG | FT_F_OUTPUT | FT_F_DSTADDR | FT_F_DST_MASK | FT_F_DST_AS)
#define F_AGG5 (F_AGG | F_IFS | FT_F_SRCADDR | FT_F_DSTADDR | F_MASKS | F_ASES)

struct print_format {
    uint64_t required;
    line_fn *line;
    const char *head;           /* column header, newline included */
    const char *head_wide;      /* with -w (NULL: same) */
    int skip_bogus;
};

#define HDR_AGG_TAIL "flows       octets      packets     duration\n"
#define HDR_CAT_TAIL "ToS  mToS xpackets    octets      packets\n"

static const struct print_format formats[FT_PRINT_NFORMATS] = {
    [0] = { F_V5 | F_PORTS | F_IFS, line0,
            "Sif  SrcIPaddress     Dif  DstIPaddress      Pr SrcP DstP  Pkts       Octets\n",
            NULL, 0 },
    [1] = { F_V5 | F_PORTS | F_IFS | F_CLOCK | FT_F_TOS | FT_F_TCP_FLAGS, line1,
            "Sif  SrcIPaddress     DIf  DstIPaddress      Pr SrcP DstP  Pkts  Octets\n"
            " StartTime          EndTime             Active   B/Pk Ts Fl\n\n", NULL, 1 },
    [2] = { F_V5 | F_PORTS | F_IFS | F_CLOCK | FT_F_TOS | FT_F_TCP_FLAGS, line2,
            "Sif SrcIPaddress     DIf DstIPaddress    Pr SrcP DstP Pkts       Octets\n"
            " StartTime          EndTime             Active   B/Pk Ts Fl\n\n", NULL, 1 },
    [3] = { F_V5 | F_PORTS, line3,
            "srcIP            dstIP            prot  srcPort  dstPort  octets      packets\n",
            "srcIP            dstIP            prot   srcPort           dstPort           octets      packets\n",
            0 },
    [4] = { F_V5 | F_IFS | F_ASES | FT_F_PROT | F_MASKS, line4,
            "srcIP              dstIP              prot  srcAS  dstAS  octets      packets\n",
            "Sif  Dif  srcIP               dstIP               prot   srcAS             dstAS             octets      packets\n",
            0 },
    [5] = { F_V5 | F_PORTS | F_IFS | F_CLOCK | FT_F_TCP_FLAGS, line5,
            "Start             End               Sif   SrcIPaddress    SrcP  DIf   DstIPaddress    DstP    P Fl Pkts       Octets\n\n",
            NULL, 0 },
    [6] = { F_V5, line6,
            "   Source           Destination              Packets               Bytes\n", NULL, 0 },
    [7] = { F_V5 | F_PORTS | F_MASKS | FT_F_ROUTER_SC, line7,
            "srcIP               dstIP               router_sc        prot   srcPort         dstPort         octets      packets\n",
            NULL, 0 },
    [8] = { F_V5 | F_PORTS | F_MASKS | FT_F_PEER_NEXTHOP | FT_F_IN_ENCAPS | FT_F_OUT_ENCAPS, line8,
            "srcIP               dstIP               peer_nexthop     encap i/o  prot   srcPort         dstPort         octets      packets\n",
            NULL, 0 },
    [9] = { F_V5 | FT_F_SRC_TAG | FT_F_DST_TAG | FT_F_PROT, line9,
            "srcTag      dstTag      srcIP            dstIP            octets      packets\n",
            "srcTag             dstTag             srcIP            dstIP            octets      packets\n",
            0 },
    [10] = { F_AGG1, line10, "srcAS  dstAS  in     out    " HDR_AGG_TAIL,
             "srcAS             dstAS             in     out    " HDR_AGG_TAIL, 0 },
    [11] = { F_AGG2, line11, "srcPort  dstPort  prot   " HDR_AGG_TAIL,
             "srcPort           dstPort           prot   " HDR_AGG_TAIL, 0 },
    [12] = { F_AGG3, line12, "src/mask            srcAS  input  " HDR_AGG_TAIL,
             "srcPrefix           srcAS             input  " HDR_AGG_TAIL, 0 },
    [13] = { F_AGG4, line13, "dst/mask            dstAS  input  " HDR_AGG_TAIL,
             "dstPrefix           dstAS             input  " HDR_AGG_TAIL, 0 },
    [14] = { F_AGG5, line14,
             "srcPrefix           srcAS  dstPrefix           dstAS  input  output " HDR_AGG_TAIL,
             "srcPrefix           srcAS             dstPrefix           dstAS             input  output " HDR_AGG_TAIL,
             0 },
    [15] = { F_CAT, line15, "dstIP            router_sc        Dif    " HDR_CAT_TAIL, NULL, 0 },
    [16] = { F_CAT | FT_F_SRCADDR | FT_F_INPUT, line16,
             "srcIP            dstIP            router_sc        Sif    Dif    " HDR_CAT_TAIL, NULL, 0 },
    [17] = { F_CAT | FT_F_SRCADDR | FT_F_INPUT | F_PORTS, line17,
             "srcIP            dstIP            router_sc        Sif    Dif    SrcP   DstP   prot "
             HDR_CAT_TAIL, NULL, 0 },
    [18] = { F_AGG1 | FT_F_TOS, line18, "ToS  srcAS  dstAS  in     out    " HDR_AGG_TAIL,
             "ToS  srcAS             dstAS             in     out    " HDR_AGG_TAIL, 0 },
    [19] = { F_AGG2 | FT_F_TOS, line19, "ToS  srcPort  dstPort  prot   " HDR_AGG_TAIL,
             "ToS  srcPort           dstPort           prot   " HDR_AGG_TAIL, 0 },
    [20] = { F_AGG3 | FT_F_TOS, line20, "ToS  srcPrefix           srcAS  input  " HDR_AGG_TAIL,
             "ToS  srcPrefix           srcAS             input  " HDR_AGG_TAIL, 0 },
    [21] = { F_AGG4 | FT_F_TOS, line21, "ToS  dst/mask            dstAS  input  " HDR_AGG_TAIL,
             "ToS  dstPrefix           dstAS             input  " HDR_AGG_TAIL, 0 },
    [22] = { F_AGG5 | FT_F_TOS, line22,
             "ToS  srcPrefix           srcAS  dstPrefix           dstAS  input  output " HDR_AGG_TAIL,
             "ToS  srcPrefix           srcAS             dstPrefix           dstAS             input  output "
             HDR_AGG_TAIL, 0 },
    [23] = { F_AGG | F_IFS | FT_F_SRCADDR | FT_F_DSTADDR | F_MASKS | FT_F_TOS | F_PORTS, line23,
             "ToS  srcPrefix           dstPrefix           Pr   SrcP   DstP    input  output " HDR_AGG_TAIL,
             "ToS  srcPrefix           dstPrefix           Pr     SrcP              DstP              input  output "
             HDR_AGG_TAIL, 0 },
    [24] = { F_V5 | F_PORTS | F_IFS | F_CLOCK | FT_F_EXADDR | FT_F_ROUTER_SC | FT_F_TOS |
             FT_F_TCP_FLAGS | F_ASES, line24,
             "#Sif SrcIPaddress     DIf  DstIPaddress     Pr SrcP  DstP  Pkts       Octets       "
             "StartDate  StartTime     EndDate    EndTime       ExporterAddr    RouterSrc          "
             "Active B/Pk  Ts Fl  SrcAS DstAS\n\n", NULL, 1 },
};

/* ---- public ------------------------------------------------------------------------------ */

int ft_print_parse_format(const char *arg, int *format)
{
    if (strcmp(arg, "json") == 0) {
        *format = FT_PRINT_JSON;
        return 0;
    }
    if (strcmp(arg, "csv") == 0) {
        *format = FT_PRINT_CSV;
        return 0;
    }
    char *end;
    long v = strtol(arg, &end, 10);
    if (end == arg || *end != '\0' || v < 0 || v > 1000000)
        return -1;
    *format = (int)v;
    return 0;
}

int ft_print_default_format(const struct ft_format *fmt)
{
    if (!fmt)
        return 3;
    switch (fmt->d_version) {
    case 8:
        return fmt->agg_method >= 1 && fmt->agg_method <= 14 ? 9 + fmt->agg_method : 3;
    case 7:
        return 7;
    case 6:
        return 8;
    case 1005:
        return 9;
    default:
        return 3;
    }
}

uint64_t ft_print_required(int format)
{
    if (format >= 0 && format < FT_PRINT_NFORMATS)
        return formats[format].required;
    return 0;
}

static void load_symbols(struct ft_printer *pr, const char *dir)
{
    struct ft_err ignored;
    /* A missing table leaves its columns numeric, as in the original. */
    pr->prot = ft_sym_open(dir, FT_SYM_IP_PROT, &ignored);
    pr->port = ft_sym_open(dir, FT_SYM_TCP_PORT, &ignored);
    pr->asn = ft_sym_open(dir, FT_SYM_ASN, &ignored);
    pr->tag = ft_sym_open(dir, FT_SYM_TAG, &ignored);
}

static int printer_setup(struct ft_printer *pr, const struct ft_print_opts *opts,
                         const struct ft_format *fmt, struct ft_err *err)
{
    int n = pr->format;
    if (n == FT_PRINT_JSON || n == FT_PRINT_CSV) {
        pr->line = n == FT_PRINT_JSON ? line_json : line_csv;
        return 0;
    }
    if (n < 0 || n >= FT_PRINT_NFORMATS) {
        ft_err_set(err, "No such format, %d", n);
        return FT_PRINT_ENOFORMAT;
    }
    const struct print_format *pf = &formats[n];
    uint64_t have = fmt ? fmt->mask : 0;
    if ((have & pf->required) != pf->required) {
        ft_err_set(err, "Flow record missing required field for format.");
        return FT_PRINT_EFIELDS;
    }
    pr->line = pf->line;
    pr->head = opts->wide && pf->head_wide ? pf->head_wide : pf->head;
    pr->skip_bogus = pf->skip_bogus;
    return 0;
}

struct ft_printer *ft_printer_new(const struct ft_print_opts *opts,
                                  const struct ft_format *fmt,
                                  enum ft_print_error *why, struct ft_err *err)
{
    struct ft_printer *pr = calloc(1, sizeof *pr);
    if (!pr) {
        *why = FT_PRINT_ENOMEM;
        ft_err_set(err, "out of memory");
        return NULL;
    }
    pr->format = opts->format == FT_PRINT_DEFAULT ? ft_print_default_format(fmt) : opts->format;
    pr->wide = opts->wide;
    pr->line_flush = opts->line_flush;
    pr->stream_header = opts->stream_header;
    pr->comment = opts->comment ? opts->comment : '#';
    int rc = printer_setup(pr, opts, fmt, err);
    if (rc != 0) {
        *why = (enum ft_print_error)rc;
        free(pr);
        return NULL;
    }
    if (opts->names)
        load_symbols(pr, opts->symdir);
    ft_clock_init(&pr->clock);
    return pr;
}

void ft_printer_free(struct ft_printer *pr)
{
    if (!pr)
        return;
    ft_sym_free(pr->prot);
    ft_sym_free(pr->port);
    ft_sym_free(pr->asn);
    ft_sym_free(pr->tag);
    free(pr);
}

int ft_printer_format(const struct ft_printer *pr)
{
    return pr->format;
}

uint64_t ft_printer_bogus(const struct ft_printer *pr)
{
    return pr->bogus;
}

void ft_print_begin(struct ft_printer *pr, struct ft_out *o, const struct ft_header *h)
{
    if (pr->stream_header && h)
        ft_header_print(o, h, pr->comment);
    if (pr->format == FT_PRINT_CSV)
        csv_head(o);
    else if (pr->head)
        ft_out_str(o, pr->head);
    if (pr->line_flush)
        ft_out_flush(o);
}

void ft_print_flows(struct ft_printer *pr, struct ft_out *o,
                    const struct ft_flow *flows, size_t n)
{
    line_fn *line = pr->line;
    for (size_t i = 0; i < n; i++) {
        const struct ft_flow *f = &flows[i];
        if (pr->skip_bogus && f->dpkts == 0) {
            pr->bogus++;
            continue;
        }
        char *p = ft_out_reserve(o, FT_OUT_MAX_LINE);
        ft_out_commit(o, line(pr, p, f));
        if (pr->line_flush)
            ft_out_flush(o);
    }
}
