/*
 * ft_stat_sum.c - flow-stat's reports without keys: the overall summary
 * with its four histograms (format 0), the flow duration plot data (13,
 * 14) and the short summary (15).  Averages are single precision, as the
 * original computes them, so that their last digits agree.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "report/ft_stat_int.h"

/* Histogram buckets: a value falls in the first bucket whose bound it does
 * not exceed; UINT64_MAX is the ">" bucket.  Packet sizes above 4608 fall
 * in none (the original's quirk). */
static const uint64_t psize_bounds[FT_STAT_NBUCKETS] = {
    32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 480,
    512, 544, 576, 1024, 1536, 2048, 2560, 3072, 3584, 4096, 4608};
static const uint64_t ppf_bounds[FT_STAT_NBUCKETS] = {
    1, 2, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52,
    60, 100, 200, 300, 400, 500, 600, 700, 800, 900, UINT64_MAX};
static const uint64_t opf_bounds[FT_STAT_NBUCKETS] = {
    32, 64, 128, 256, 512, 1280, 2048, 2816, 3584, 4352, 5120, 5888, 6656, 7424, 8192,
    8960, 9728, 10496, 11264, 12032, 12800, 13568, 14336, 15104, 15872, UINT64_MAX};
static const uint64_t ftime_bounds[FT_STAT_NBUCKETS] = {
    10, 50, 100, 200, 500, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000,
    12000, 14000, 16000, 18000, 20000, 22000, 24000, 26000, 28000, 30000, UINT64_MAX};

/* The bucket of v (binary search over the bounds), or -1 past the last. */
static int bucket(const uint64_t *bounds, uint64_t v)
{
    int lo = 0, hi = FT_STAT_NBUCKETS;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (v <= bounds[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo < FT_STAT_NBUCKETS ? lo : -1;
}

static void count_in(uint64_t *hist, const uint64_t *bounds, uint64_t v)
{
    int b = bucket(bounds, v);
    if (b >= 0)
        hist[b]++;
}

static void totals_add(struct ft_stat_sum *t, const struct ft_flow *f)
{
    t->flows += ft_stat_flows_of(f);
    t->octets += f->doctets;
    t->packets += f->dpkts;
    t->time += (uint32_t)(f->last - f->first);
    if (f->first < t->first_min)
        t->first_min = f->first;
    if (f->last > t->last_max)
        t->last_max = f->last;
    if (f->unix_secs < t->secs_min)
        t->secs_min = f->unix_secs;
    if (f->unix_secs > t->secs_max)
        t->secs_max = f->unix_secs;
    t->seen = 1;
}

static void summary_add(struct ft_stat_sum *t, const struct ft_flow *f)
{
    totals_add(t, f);
    count_in(t->psize, psize_bounds, f->doctets / f->dpkts);
    count_in(t->ppf, ppf_bounds, f->dpkts);
    count_in(t->opf, opf_bounds, f->doctets);
    count_in(t->ftime, ftime_bounds, (uint32_t)(f->last - f->first));
}

/* Format 13 (octets) or 14 (packets): a flow's start and end, each with
 * its count, then an empty line. */
static void plot_add(struct ft_stat *s, struct ft_out *o, const struct ft_flow *f)
{
    struct ft_stat_sum *t = &s->sum;
    uint64_t y = s->opts.format == 13 ? f->doctets : f->dpkts;
    size_t gap = s->opts.format == 13 ? 3 : 4;
    totals_add(t, f);
    /* Quirk: format 14 tests each flow's octets against the packet counts
     * it keeps, so its ymin is in effect the first flow's packets and its
     * ymax the last flow's. */
    uint64_t test = f->doctets;
    if (s->opts.format == 13)
        test = y;
    if (test < t->ymin)
        t->ymin = y;
    if (test > t->ymax)
        t->ymax = y;
    char *p = ft_out_reserve(o, 128), *start;
    for (int i = 0; i < 2; i++) {
        start = p;
        p = ft_put_spaces(ft_put_pad(start, ft_put_u32(p, i ? f->last : f->first), 10), gap);
        start = p;
        p = ft_put_pad(start, ft_put_u64(p, y), 10);
        *p++ = '\n';
    }
    *p++ = '\n';
    ft_out_commit(o, p);
}

void ft_stat_sum_add(struct ft_stat *s, struct ft_out *o, const struct ft_flow *flows,
                     size_t n)
{
    enum ft_stat_kind kind = s->fmt->kind;
    if (kind == FT_SK_NONE)
        return;
    for (size_t i = 0; i < n; i++) {
        const struct ft_flow *f = &flows[i];
        if (f->dpkts == 0) {
            s->bogus++;
            continue;
        }
        if (kind == FT_SK_SUMMARY)
            summary_add(&s->sum, f);
        else if (kind == FT_SK_PLOT)
            plot_add(s, o, f);
        else
            totals_add(&s->sum, f);
    }
}

void ft_stat_sum_begin(struct ft_stat *s, struct ft_out *o)
{
    char c = s->opts.comment;
    if (s->fmt->kind != FT_SK_PLOT)
        return;
    const char *what = s->opts.format == 13 ? "      octets" : "     packets";
    char *p = ft_out_reserve(o, 128);
    p += sprintf(p, "%c\n%c start%s\n%c end  %s\n%c\n", c, c, what, c, what, c);
    ft_out_commit(o, p);
}

/* ---- format 0 ------------------------------------------------------------- */

static float ratio(float a, float b)
{
    return b != 0.0f ? a / b : 0.0f;
}

static void summary_lines(const struct ft_stat_sum *t, struct ft_out *o)
{
    uint32_t span = t->last_max - t->first_min;       /* ms, as uptimes wrap */
    uint32_t real = t->secs_max - t->secs_min;
    float flows = (float)t->flows, octets = (float)t->octets, packets = (float)t->packets;
    float kbits = octets * 8.0f / 1000.0f;
    float span_s = (float)(span / 1000);
    ft_out_printf(o, "Total Flows                     : %llu\n", (unsigned long long)t->flows);
    ft_out_printf(o, "Total Octets                    : %llu\n", (unsigned long long)t->octets);
    ft_out_printf(o, "Total Packets                   : %llu\n", (unsigned long long)t->packets);
    ft_out_printf(o, "Total Time (1/1000 secs) (flows): %llu\n", (unsigned long long)t->time);
    ft_out_printf(o, "Duration of data  (realtime)    : %lu\n", (unsigned long)real);
    ft_out_printf(o, "Duration of data (1/1000 secs)  : %lu\n", (unsigned long)span);
    ft_out_printf(o, "Average flow time (1/1000 secs) : %4.4f\n",
               (double)ratio((float)t->time, flows));
    ft_out_printf(o, "Average packet size (octets)    : %4.4f\n", (double)ratio(octets, packets));
    ft_out_printf(o, "Average flow size (octets)      : %4.4f\n", (double)ratio(octets, flows));
    ft_out_printf(o, "Average packets per flow        : %4.4f\n", (double)ratio(packets, flows));
    ft_out_printf(o, "Average flows / second (flow)   : %4.4f\n", (double)ratio(flows, span_s));
    ft_out_printf(o, "Average flows / second (real)   : %4.4f\n",
               (double)ratio(flows, (float)real));
    ft_out_printf(o, "Average Kbits / second (flow)   : %4.4f\n", (double)ratio(kbits, span_s));
    ft_out_printf(o, "Average Kbits / second (real)   : %4.4f\n",
               (double)ratio(kbits, (float)real));
}

/* One row of a histogram: each share as "%-3.3f" without its first
 * character (so 1.000 prints ".000", the original's quirk), then the given
 * number of spaces. */
static void hist_row(struct ft_out *o, const uint64_t *hist, int from, int n,
                     const uint8_t *gaps, uint64_t flows)
{
    ft_out_str(o, "   ");
    for (int i = 0; i < n; i++) {
        char buf[64];
        float share = ratio((float)hist[from + i], (float)flows);
        int len = snprintf(buf, sizeof buf, "%-3.3f", (double)share);
        if (len > 1)
            ft_out_write(o, buf + 1, (size_t)len - 1);
        ft_out_write(o, "  ", gaps[i]);
    }
    ft_out_str(o, "\n\n");
}

struct hist_spec {
    const char *title, *head1, *head2;
    uint8_t gaps1[15], gaps2[11];
};

static const struct hist_spec hist_specs[4] = {
    {"IP packet size distribution:",
     "   1-32   64   96  128  160  192  224  256  288  320  352  384  416  448  480",
     "    512  544  576 1024 1536 2048 2560 3072 3584 4096 4608",
     {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
    {"Packets per flow distribution:",
     "      1    2    4    8   12   16   20   24   28   32   36   40   44   48   52",
     "     60  100  200  300  400  500  600  700  800  900 >900",
     {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
    {"Octets per flow distribution:",
     "     32   64  128  256  512 1280 2048 2816 3584 4352 5120 5888 6656 7424 8192",
     "   8960 9728 10496 11264 12032 12800 13568 14336 15104 15872 >15872",
     {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}},
    {"Flow time distribution:",
     "    10    50  100  200  500 1000 2000 3000 4000 5000 6000 7000 8000 9000 10000",
     "  12000 14000 16000 18000 20000 22000 24000 26000 28000 30000 >30000",
     {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2}, {2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2}},
};

static void histograms(const struct ft_stat_sum *t, struct ft_out *o)
{
    const uint64_t *hists[4] = {t->psize, t->ppf, t->opf, t->ftime};
    ft_out_str(o, "\n\n");
    for (int h = 0; h < 4; h++) {
        const struct hist_spec *sp = &hist_specs[h];
        ft_out_printf(o, "%s\n%s\n", sp->title, sp->head1);
        hist_row(o, hists[h], 0, 15, sp->gaps1, t->flows);
        ft_out_printf(o, "%s\n", sp->head2);
        hist_row(o, hists[h], 15, 11, sp->gaps2, t->flows);
    }
}

void ft_stat_sum_end(struct ft_stat *s, struct ft_out *o)
{
    const struct ft_stat_sum *t = &s->sum;
    char c = s->opts.comment;
    switch ((enum ft_stat_kind)s->fmt->kind) {
    case FT_SK_SUMMARY:
        if (!t->seen)
            return;             /* nothing but the info block without flows */
        summary_lines(t, o);
        histograms(t, o);
        return;
    case FT_SK_PLOT:
        ft_out_printf(o, "%c xmin=%-10lu   ymin=%-10llu   xmax=%-10lu   ymax=%-10llu\n", c,
                   (unsigned long)(t->seen ? t->first_min : 0),
                   (unsigned long long)(t->seen ? t->ymin : 0),
                   (unsigned long)t->last_max, (unsigned long long)t->ymax);
        return;
    case FT_SK_SHORT:
        ft_out_printf(o, "%c\n%c Octets            Packets             MBytes\n%c\n", c, c, c);
        ft_out_printf(o, "%-20llu%-20llu%.3f\n", (unsigned long long)t->octets,
                   (unsigned long long)t->packets, (double)t->octets / 1000000.0);
        return;
    case FT_SK_NONE:
        ft_out_str(o, "Not implemented.\n");
        return;
    default:
        return;
    }
}
