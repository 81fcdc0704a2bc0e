/*
 * ft_header_text.c - the stream header block printed by flow-header,
 * flow-print -p and flow-stat -p (print-formats.md section 4).
 *
 * Which lines appear follows the original exactly, including what it does
 * with stream-version-1 files: its converter loses the "present" marks of
 * capture start/end and of the lost/misordered counters, and on a file of
 * the other byte order it swaps the flags after adding XLATE, which moves
 * that bit out of sight.
 */
#include <stdio.h>
#include <time.h>
#include "text/ft_print.h"

static const char *const agg_names[] = {
    NULL, "AS", "Protocol Port", "Source Prefix", "Destination Prefix", "Prefix",
    "Destination", "Source Destination", "Full Flow", "ToS AS", "ToS Proto Port",
    "ToS Source Prefix", "ToS Destination Prefix", "ToS Prefix", "ToS Prefix Port"
};

static const char *agg_name(unsigned method)
{
    return method >= 1 && method <= 14 ? agg_names[method] : "Unknown";
}

/* One "c label: value" line; label is padded so values start at column 24. */
static void line(struct ft_out *o, char c, const char *label, const char *value)
{
    char buf[FT_HDR_STR + 64];
    int n = snprintf(buf, sizeof buf, "%c %-21s %s\n", c, label, value);
    if (n > 0)
        ft_out_write(o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void line_u32(struct ft_out *o, char c, const char *label, uint32_t v)
{
    char num[16];
    snprintf(num, sizeof num, "%lu", (unsigned long)v);
    line(o, c, label, num);
}

static void line_date(struct ft_out *o, char c, const char *label, uint32_t secs)
{
    char date[64] = "";
    time_t t = (time_t)secs;
    struct tm tm;
    if (localtime_r(&t, &tm))
        strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S %z", &tm);
    line(o, c, label, date);
}

static void line_ipv4(struct ft_out *o, char c, const char *label, uint32_t a)
{
    char ip[FT_IPV4_LEN + 1];
    *ft_put_ipv4(ip, a) = '\0';
    line(o, c, label, ip);
}

/* Header facts after the original's reading of the file. */
struct header_view {
    int streaming, s2, done;    /* s2: streaming and not preloaded */
    int xlate;
    int has_times, has_lost;    /* lost by the version-1 converter */
};

static int foreign_order(const struct ft_header *h)
{
    return (h->byte_order == FT_ORDER_LITTLE || h->byte_order == FT_ORDER_BIG) &&
           h->byte_order != ft_host_order();
}

static struct header_view view_of(const struct ft_header *h)
{
    struct header_view v;
    v.streaming = (h->flags & FT_HF_STREAMING) != 0;
    v.s2 = v.streaming && !(h->flags & FT_HF_PRELOADED);
    v.done = (h->flags & (FT_HF_DONE | FT_HF_PRELOADED)) != 0;
    v.xlate = (h->flags & FT_HF_XLATE) != 0;
    v.has_times = v.has_lost = 1;
    if (h->s_version == 1) {
        v.xlate = !foreign_order(h);
        v.has_times = v.has_lost = 0;
    }
    return v;
}

static void print_capture_lines(struct ft_out *o, const struct ft_header *h,
                                const struct header_view *v, char c)
{
    if (!v->streaming && FT_HAS(h, FT_TLV_CAP_HOSTNAME))
        line(o, c, "capture hostname:", h->hostname);
    if (!v->streaming && FT_HAS(h, FT_TLV_EXPORTER_IP))
        line_ipv4(o, c, "exporter IP address:", h->exporter_ip);
    if (v->s2 || !v->has_times)
        return;
    int start = FT_HAS(h, FT_TLV_CAP_START), end = FT_HAS(h, FT_TLV_CAP_END);
    if (start)
        line_date(o, c, "capture start:", h->cap_start);
    if (v->done && end)
        line_date(o, c, "capture end:", h->cap_end);
    if (v->done && start && end) {
        char period[32];
        snprintf(period, sizeof period, "%lu seconds",
                 (unsigned long)(uint32_t)(h->cap_end - h->cap_start));
        line(o, c, "capture period:", period);
    }
}

static void print_format_lines(struct ft_out *o, const struct ft_header *h, char c)
{
    line(o, c, "compress:", (h->flags & FT_HF_COMPRESS) ? "on" : "off");
    line(o, c, "byte order:", h->byte_order == FT_ORDER_LITTLE ? "little"
                              : h->byte_order == FT_ORDER_BIG ? "big" : "BROKEN");
    line_u32(o, c, "stream version:", h->s_version);
    if (FT_HAS(h, FT_TLV_EX_VER))
        line_u32(o, c, "export version:", h->d_version);
    if (h->d_version == 8 && FT_HAS(h, FT_TLV_AGG_METHOD) && FT_HAS(h, FT_TLV_AGG_VER))
        line_u32(o, c, "export agg_version:", h->agg_version);
    if (h->d_version == 8 && FT_HAS(h, FT_TLV_AGG_METHOD)) {
        char m[48];
        snprintf(m, sizeof m, "%u (%s)", h->agg_method, agg_name(h->agg_method));
        line(o, c, "export agg_method:", m);
    }
}

static void print_counter_lines(struct ft_out *o, const struct ft_header *h,
                                const struct header_view *v, char c)
{
    if (!v->s2 && v->has_lost && FT_HAS(h, FT_TLV_FLOW_LOST))
        line_u32(o, c, "lost flows:", h->flow_lost);
    if (!v->s2 && v->has_lost && FT_HAS(h, FT_TLV_FLOW_MISORDERED))
        line_u32(o, c, "misordered flows:", h->flow_misordered);
    if (!v->s2 && FT_HAS(h, FT_TLV_PKT_CORRUPT))
        line_u32(o, c, "corrupt packets:", h->pkt_corrupt);
    if (!v->s2 && FT_HAS(h, FT_TLV_SEQ_RESET))
        line_u32(o, c, "sequencer resets:", h->seq_reset);
    if (FT_HAS(h, FT_TLV_COMMENTS))
        line(o, c, "comments:", h->comments);
    if (!v->s2 && v->done && FT_HAS(h, FT_TLV_FLOW_COUNT))
        line_u32(o, c, "capture flows:", h->flow_count);
    if (!v->s2 && !v->done) {
        char note[48];
        int n = snprintf(note, sizeof note, "%c note, incomplete flow file\n", c);
        ft_out_write(o, note, (size_t)n);
    }
}

/* The original keeps these in lists it prepends to: last entry first. */
static void print_interface_lines(struct ft_out *o, const struct ft_header *h, char c)
{
    char buf[512];
    if (FT_HAS(h, FT_TLV_IF_NAME) && h->n_ifnames > 0) {
        ft_out_write(o, (char[]){ c, '\n' }, 2);
        for (size_t i = h->n_ifnames; i-- > 0;) {
            const struct ft_ifname *e = &h->ifnames[i];
            char ip[FT_IPV4_LEN + 1];
            *ft_put_ipv4(ip, e->ip) = '\0';
            int n = snprintf(buf, sizeof buf, "%c ifname %s %u %s\n", c, ip,
                             (unsigned)e->ifindex, e->name);
            ft_out_write(o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
        }
    }
    if (FT_HAS(h, FT_TLV_IF_ALIAS) && h->n_ifaliases > 0) {
        ft_out_write(o, (char[]){ c, '\n' }, 2);
        for (size_t i = h->n_ifaliases; i-- > 0;) {
            const struct ft_ifalias *e = &h->ifaliases[i];
            char ip[FT_IPV4_LEN + 1];
            *ft_put_ipv4(ip, e->ip) = '\0';
            int n = snprintf(buf, sizeof buf, "%c ifalias %s", c, ip);
            for (unsigned k = 0; k < e->n && k < 32 && n > 0 && (size_t)n < sizeof buf; k++)
                n += snprintf(buf + n, sizeof buf - (size_t)n, " %u", (unsigned)e->ifindex[k]);
            if (n > 0 && (size_t)n < sizeof buf)
                n += snprintf(buf + n, sizeof buf - (size_t)n, " %s\n", e->name);
            ft_out_write(o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
        }
    }
}

void ft_header_print(struct ft_out *o, const struct ft_header *h, char c)
{
    struct header_view v = view_of(h);
    ft_out_write(o, (char[]){ c, '\n' }, 2);
    line(o, c, "mode:", v.streaming ? "streaming" : "normal");
    if (v.xlate)
        line(o, c, "translated:", "yes");
    print_capture_lines(o, h, &v, c);
    print_format_lines(o, h, c);
    print_counter_lines(o, h, &v, c);
    print_interface_lines(o, h, c);
    ft_out_write(o, (char[]){ c, '\n' }, 2);
}
