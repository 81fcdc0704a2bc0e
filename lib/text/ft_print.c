/*
 * ft_print.c - flow-print's formats 0..9 and 24, the format table, and the
 * printer (formats 10..23 are in ft_print_agg.c, JSON lines and CSV rows in
 * ft_row.c).
 *
 * Every format is a line function: a straight sequence of formatters
 * appending to the output buffer, with the column widths of the original's
 * printf formats (print-formats.md section 2) spelled out at each call:
 * FIT(15) is "%-15.15s", PAD(10) is "%-10lu".  Symbolic columns (-n) go
 * through ft_sym_format, which also gives the decimal form when names are
 * off (the table pointers are then NULL).
 */
#include <stdlib.h>
#include <string.h>
#include "text/ft_print_int.h"
#include "text/ft_row.h"

/* ---- column helpers of these formats ------------------------------------------ */

static char *u32_pad(char *p, uint32_t v, size_t w)
{
    return ft_put_pad(p, ft_put_u32(p, v), w);
}

static char *u64_pad(char *p, uint64_t v, size_t w)
{
    return ft_put_pad(p, ft_put_u64(p, v), w);
}

static char *hex_pad(char *p, uint32_t v, int digits, size_t w)
{
    return ft_put_pad(p, ft_put_hex(p, v, digits), w);
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
    p = ft_put_lit(p, "  ");
    p = ft_put_hex(p, f->output, 4);
    *p++ = ' ';
    p = ip_fit(p, &f->dstaddr, 15);
    p = ft_put_lit(p, "   ");
    p = ft_put_hex(p, f->prot, 2);
    *p++ = ' ';
    p = hex_pad(p, f->srcport, 1, 4);
    *p++ = ' ';
    p = hex_pad(p, f->dstport, 1, 4);
    p = ft_put_lit(p, "  ");
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
    p = ft_put_lit(p, "  ");
    p = ft_put_time_mmdd(p, &pr->clock, f->end_ms);
    p = ft_put_lit(p, "  ");
    p = put_active(p, ft_flow_duration_ms(f));
    *p++ = ' ';
    p = u64_pad(p, bytes_per_packet(f), 3);
    *p++ = ' ';
    p = ft_put_hex(p, f->tos, 2);
    *p++ = ' ';
    p = ft_put_hex(p, f->tcp_flags, 2);
    return ft_put_lit(p, "\n\n");
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
    p = ft_put_lit(p, "  ");
    p = ip_fit(p, &f->srcaddr, 15);
    p = ft_put_lit(p, "  ");
    p = ft_put_hex(p, f->output, 2);
    p = ft_put_lit(p, "  ");
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


/* "  octets  packets\n", the end of several formats' lines. */
static char *counts_tail(char *p, const struct ft_flow *f)
{
    p = ft_put_lit(p, "  ");
    p = u64_pad(p, f->doctets, 10);
    p = ft_put_lit(p, "  ");
    p = u64_pad(p, f->dpkts, 10);
    *p++ = '\n';
    return p;
}
static char *line3(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    size_t wp = pr->wide ? 5 : 4, wport = pr->wide ? 16 : 7;
    p = ip_fit(p, &f->srcaddr, 15);
    p = ft_put_lit(p, "  ");
    p = ip_fit(p, &f->dstaddr, 15);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->prot, f->prot, SYM_PROT, wp);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->port, f->srcport, SYM_PORT, wport);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->port, f->dstport, SYM_PORT, wport);
    return counts_tail(p, f);
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
        p = ft_put_lit(p, "  ");
        p = prefix_fit(p, &f->dstaddr, f->dst_mask, 18);
        p = ft_put_lit(p, "  ");
        p = sym_fit(p, pr->prot, f->prot, SYM_PROT, 5);
        p = ft_put_lit(p, "  ");
        p = sym_fit(p, pr->asn, f->src_as, SYM_AS, 16);
        p = ft_put_lit(p, "  ");
        p = sym_fit(p, pr->asn, f->dst_as, SYM_AS, 16);
    } else {
        /* "%-18.18s %-18.18s %-4.4s  %-5.5s  %-5.5s" */
        p = prefix_fit(p, &f->srcaddr, f->src_mask, 18);
        *p++ = ' ';
        p = prefix_fit(p, &f->dstaddr, f->dst_mask, 18);
        *p++ = ' ';
        p = sym_fit(p, pr->prot, f->prot, SYM_PROT, 4);
        p = ft_put_lit(p, "  ");
        p = sym_fit(p, pr->asn, f->src_as, SYM_AS, 5);
        p = ft_put_lit(p, "  ");
        p = sym_fit(p, pr->asn, f->dst_as, SYM_AS, 5);
    }
    return counts_tail(p, f);
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
    p = ft_put_lit(p, "  ");
    p = ip_fit(p, &f->dstaddr, 15);
    p = ft_put_lit(p, "  ");
    p = ft_put_right(p, ft_put_u64(p, f->dpkts), 17);
    p = ft_put_lit(p, "  ");
    p = ft_put_right(p, ft_put_u64(p, f->doctets), 18);
    *p++ = '\n';
    return p;
}

/* The prot, ports, octets, packets tail of formats 7 and 8. */
static char *tail78(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = sym_fit(p, pr->prot, f->prot, SYM_PROT, 5);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->port, f->srcport, SYM_PORT, 14);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->port, f->dstport, SYM_PORT, 14);
    return counts_tail(p, f);
}

static char *line7(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = prefix_fit(p, &f->srcaddr, f->src_mask, 18);
    p = ft_put_lit(p, "  ");
    p = prefix_fit(p, &f->dstaddr, f->dst_mask, 18);
    p = ft_put_lit(p, "  ");
    p = ip_fit(p, &f->router_sc, 15);
    p = ft_put_lit(p, "  ");
    return tail78(pr, p, f);
}

static char *line8(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    p = prefix_fit(p, &f->srcaddr, f->src_mask, 18);
    p = ft_put_lit(p, "  ");
    p = prefix_fit(p, &f->dstaddr, f->dst_mask, 18);
    p = ft_put_lit(p, "  ");
    p = ip_fit(p, &f->peer_nexthop, 15);
    p = ft_put_lit(p, "  ");
    p = u32_pad(p, f->in_encaps, 4);
    *p++ = ' ';
    p = u32_pad(p, f->out_encaps, 4);
    p = ft_put_lit(p, "  ");
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
        p = ft_put_lit(p, "0x");
        p = ft_put_hex(p, tag, 8);
    }
    return ft_put_fit(s, p, w);
}

static char *line9(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    size_t w = pr->wide ? 15 : 10;
    p = tag_fit(pr, p, f->src_tag, w);
    p = ft_put_lit(p, "  ");
    p = tag_fit(pr, p, f->dst_tag, w);
    p = ft_put_lit(p, "  ");
    p = ip_fit(p, &f->srcaddr, 15);
    p = ft_put_lit(p, "  ");
    p = ip_fit(p, &f->dstaddr, 15);
    return counts_tail(p, f);
}

/* ---- format 24 ----------------------------------------------------------------------- */

static char *line24(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    /* "%4.4x %-15.15s  %4.4x %-15.15s  %2.2x %-5u %-5u %-10lu %-10lu  " */
    p = ft_put_hex(p, f->input, 4);
    *p++ = ' ';
    p = ip_fit(p, &f->srcaddr, 15);
    p = ft_put_lit(p, "  ");
    p = ft_put_hex(p, f->output, 4);
    *p++ = ' ';
    p = ip_fit(p, &f->dstaddr, 15);
    p = ft_put_lit(p, "  ");
    p = ft_put_hex(p, f->prot, 2);
    *p++ = ' ';
    p = u32_pad(p, f->srcport, 5);
    *p++ = ' ';
    p = u32_pad(p, f->dstport, 5);
    *p++ = ' ';
    p = u64_pad(p, f->dpkts, 10);
    *p++ = ' ';
    p = u64_pad(p, f->doctets, 10);
    p = ft_put_lit(p, "   ");
    p = ft_put_time_ymd(p, &pr->clock, f->start_ms);
    p = ft_put_lit(p, "  ");
    p = ft_put_time_ymd(p, &pr->clock, f->end_ms);
    p = ft_put_lit(p, "  ");
    /* "%-15.15s %-15.15s %5lu.%-3.3lu %-4lu  %2.2x %2.2x  %-5.5s %-5.5s" */
    p = ip_fit(p, &f->exaddr, 15);
    *p++ = ' ';
    p = ip_fit(p, &f->router_sc, 15);
    *p++ = ' ';
    p = put_active(p, ft_flow_duration_ms(f));
    *p++ = ' ';
    p = u64_pad(p, bytes_per_packet(f), 4);
    p = ft_put_lit(p, "  ");
    p = ft_put_hex(p, f->tos, 2);
    *p++ = ' ';
    p = ft_put_hex(p, f->tcp_flags, 2);
    p = ft_put_lit(p, "  ");
    p = sym_fit(p, pr->asn, f->src_as, SYM_AS, 5);
    *p++ = ' ';
    p = sym_fit(p, pr->asn, f->dst_as, SYM_AS, 5);
    *p++ = '\n';
    return p;
}

/* ---- JSON lines and CSV: ft_row.c ------------------------------------------------------ */

static char *line_json(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    (void)pr;
    return ft_row_print_json(p, f);
}

static char *line_csv(struct ft_printer *pr, char *p, const struct ft_flow *f)
{
    (void)pr;
    return ft_row_print_csv(p, f);
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
    [10] = { F_AGG1, ft_print_line10, "srcAS  dstAS  in     out    " HDR_AGG_TAIL,
             "srcAS             dstAS             in     out    " HDR_AGG_TAIL, 0 },
    [11] = { F_AGG2, ft_print_line11, "srcPort  dstPort  prot   " HDR_AGG_TAIL,
             "srcPort           dstPort           prot   " HDR_AGG_TAIL, 0 },
    [12] = { F_AGG3, ft_print_line12, "src/mask            srcAS  input  " HDR_AGG_TAIL,
             "srcPrefix           srcAS             input  " HDR_AGG_TAIL, 0 },
    [13] = { F_AGG4, ft_print_line13, "dst/mask            dstAS  input  " HDR_AGG_TAIL,
             "dstPrefix           dstAS             input  " HDR_AGG_TAIL, 0 },
    [14] = { F_AGG5, ft_print_line14,
             "srcPrefix           srcAS  dstPrefix           dstAS  input  output " HDR_AGG_TAIL,
             "srcPrefix           srcAS             dstPrefix           dstAS             input  output " HDR_AGG_TAIL,
             0 },
    [15] = { F_CAT, ft_print_line15, "dstIP            router_sc        Dif    " HDR_CAT_TAIL, NULL, 0 },
    [16] = { F_CAT | FT_F_SRCADDR | FT_F_INPUT, ft_print_line16,
             "srcIP            dstIP            router_sc        Sif    Dif    " HDR_CAT_TAIL, NULL, 0 },
    [17] = { F_CAT | FT_F_SRCADDR | FT_F_INPUT | F_PORTS, ft_print_line17,
             "srcIP            dstIP            router_sc        Sif    Dif    SrcP   DstP   prot "
             HDR_CAT_TAIL, NULL, 0 },
    [18] = { F_AGG1 | FT_F_TOS, ft_print_line18, "ToS  srcAS  dstAS  in     out    " HDR_AGG_TAIL,
             "ToS  srcAS             dstAS             in     out    " HDR_AGG_TAIL, 0 },
    [19] = { F_AGG2 | FT_F_TOS, ft_print_line19, "ToS  srcPort  dstPort  prot   " HDR_AGG_TAIL,
             "ToS  srcPort           dstPort           prot   " HDR_AGG_TAIL, 0 },
    [20] = { F_AGG3 | FT_F_TOS, ft_print_line20, "ToS  srcPrefix           srcAS  input  " HDR_AGG_TAIL,
             "ToS  srcPrefix           srcAS             input  " HDR_AGG_TAIL, 0 },
    [21] = { F_AGG4 | FT_F_TOS, ft_print_line21, "ToS  dst/mask            dstAS  input  " HDR_AGG_TAIL,
             "ToS  dstPrefix           dstAS             input  " HDR_AGG_TAIL, 0 },
    [22] = { F_AGG5 | FT_F_TOS, ft_print_line22,
             "ToS  srcPrefix           srcAS  dstPrefix           dstAS  input  output " HDR_AGG_TAIL,
             "ToS  srcPrefix           srcAS             dstPrefix           dstAS             input  output "
             HDR_AGG_TAIL, 0 },
    [23] = { F_AGG | F_IFS | FT_F_SRCADDR | FT_F_DSTADDR | F_MASKS | FT_F_TOS | F_PORTS, ft_print_line23,
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
        ft_row_print_head(o);
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
