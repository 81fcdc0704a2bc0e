/*
 * rptfmt_chart.c - flow-rptfmt -f chart: the nightly page.  One HTML file
 * that needs nothing else to be viewed (inline CSS and SVG, no script):
 * the day's traffic drawn from a time-series report, and every top-N
 * report as horizontal bars beside the table -f html makes of it.
 *
 * Charts are drawn here, from flow-report's text read back by ft_rptin,
 * so the engine knows nothing about pictures.  A time series is a run of
 * two or more consecutive reports of the same name that hold only totals
 * (flow-report writes one per interval); each interval is drawn at the
 * time of its last flow.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ft_prog.h"
#include "rptfmt.h"

#define BARS_MAX 20                 /* bars drawn per top-N report */
#define LABEL_MAX 48                /* characters of a bar's label */

/* The size of the day charts, in SVG units (they scale with the page). */
enum { DAY_W = 1100, DAY_H = 210, DAY_LEFT = 78, DAY_RIGHT = 16, DAY_TOP = 14, DAY_BOTTOM = 30 };
/* The bar charts: label column, bar space, value text, row height. */
enum { BAR_LABEL = 140, BAR_SPACE = 190, BAR_VALUE = 70, BAR_ROW = 20 };
/* Width of a label character at the bars' 11px sans-serif, roughly: the
 * label column grows for IPv6 addresses and joined keys. */
#define BAR_CHAR_W 6.2

struct point {
    double t;                       /* last flow of the interval, unix seconds */
    double flows, octets, packets;
};

struct series {
    struct point *p;
    size_t n;
    double interval;                /* seconds between points */
};

static const char chart_style[] =
    "<style>\n"
    "body { background: #f6f7f9; max-width: 1180px; margin: 1em auto; }\n"
    "header.top { background: #1f3a5f; color: #fff; padding: 1em 1.4em; border-radius: 6px; }\n"
    "header.top h1 { margin: 0 0 0.2em 0; font-size: 1.6em; }\n"
    "header.top p { margin: 0; color: #cfd8e6; }\n"
    ".tiles { display: flex; flex-wrap: wrap; gap: 0.8em; margin: 1em 0; }\n"
    ".tile { background: #fff; border: 1px solid #dde2ea; border-radius: 6px;"
    " padding: 0.6em 1em; min-width: 9em; }\n"
    ".tile b { display: block; font-size: 1.5em; color: #1f3a5f; }\n"
    ".tile span { color: #667; font-size: 0.85em; }\n"
    "section { background: #fff; border: 1px solid #dde2ea; border-radius: 6px;"
    " padding: 0.2em 1.2em 1em; margin: 1em 0; }\n"
    "section h2 { margin-top: 0.8em; }\n"
    ".pair { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }\n"
    ".pair table { margin-top: 0; }\n"
    "svg { font-family: sans-serif; font-size: 11px; }\n"
    "svg.day { width: 100%; height: auto; }\n"
    "details { margin: 0.5em 0; color: #444; font-size: 0.9em; }\n"
    "details dl { display: flex; flex-wrap: wrap; gap: 0 0.6em; margin: 0.3em 0; }\n"
    "details dd { margin-right: 1.2em; }\n"
    "p.more { color: #667; font-size: 0.85em; margin: 0.3em 0; }\n"
    "</style>\n";

/* Colours of the three day charts and of the bars. */
static const char *const day_colour[] = { "#2b6cb0", "#2f855a", "#b7791f" };
static const char bar_colour[] = "#3b82c4";

/* ---- numbers for people ---------------------------------------------------- */

/* v with an SI prefix and unit, three significant digits ("12.3 Mb/s");
 * whole numbers below 1000 as they are ("512 B"). */
static const char *si(double v, const char *unit, char *buf, size_t size)
{
    static const char prefix[] = " kMGTPE";
    int p = 0;
    while (fabs(v) >= 999.5 && p < 6) {
        v /= 1000.0;
        p++;
    }
    int decimals = fabs(v) >= 99.95 || (p == 0 && v == floor(v)) ? 0 : fabs(v) >= 9.995 ? 1 : 2;
    const char *space = *unit || p ? " " : "";
    if (p)
        snprintf(buf, size, "%.*f %c%s", decimals, v, prefix[p], unit);
    else
        snprintf(buf, size, "%.*f%s%s", decimals, v, space, unit);
    return buf;
}

/* The smallest 1, 2 or 5 times a power of ten at or above v. */
static double nice_ceiling(double v)
{
    if (v <= 0)
        return 1;
    double mag = pow(10, floor(log10(v)));
    double steps[] = { 1, 2, 2.5, 5, 10 };
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (steps[i] * mag >= v * 0.999)
            return steps[i] * mag;
    return 10 * mag;
}

static const char *clock_time(double t, const char *fmt, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    strftime(buf, size, fmt, &tm);
    return buf;
}

/* The number at the start of a header value ("1710406800 Thu Mar 14 ..."). */
static int header_time(const struct ft_rpt_report *r, const char *key, double *t)
{
    const char *v = ft_rpt_header_value(r, key);
    char *end;
    if (!v)
        return 0;
    *t = strtod(v, &end);
    return end != v && *t > 0;
}

static double cell_number(const struct ft_rpt_table *t, size_t row, const char *title)
{
    long c = ft_rpt_col(t, title);
    double v;
    return c >= 0 && ft_rpt_number(ft_rpt_cell(t, row, (size_t)c), &v) ? v : 0;
}

/* ---- the time series --------------------------------------------------------- */

/* A report that is one interval of a time series: totals only, a time. */
static int is_interval(const struct ft_rpt_report *r)
{
    const struct ft_rpt_table *tot = ft_rpt_table_of(r, "rec1");
    double t;
    if (!tot || !tot->nrows || ft_rpt_col(tot, "octets") < 0 || !header_time(r, "last-flow", &t))
        return 0;
    for (size_t i = 0; i < r->ntables; i++)
        if (has_key(&r->tables[i]))
            return 0;
    return ft_rpt_header_value(r, "name") != NULL;
}

/* How many reports from i on make one time series (0 or 1: none). */
static size_t series_length(const struct ft_rptin *in, size_t i)
{
    if (!is_interval(&in->reports[i]))
        return 0;
    const char *name = ft_rpt_header_value(&in->reports[i], "name");
    size_t n = 1;
    while (i + n < in->nreports && is_interval(&in->reports[i + n]) &&
           strcmp(ft_rpt_header_value(&in->reports[i + n], "name"), name) == 0)
        n++;
    return n;
}

static int by_gap(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The interval's length: the median gap between points (intervals start at
 * a flow, so gaps wander a little around the definition's time-series). */
static double median_gap(const struct series *s)
{
    if (s->n < 2)
        return 300;
    double *gap = malloc((s->n - 1) * sizeof *gap);
    if (!gap)
        ft_die("out of memory");
    for (size_t i = 1; i < s->n; i++)
        gap[i - 1] = s->p[i].t - s->p[i - 1].t;
    qsort(gap, s->n - 1, sizeof *gap, by_gap);
    double m = gap[(s->n - 1) / 2];
    free(gap);
    return m >= 1 ? m : 1;
}

static int by_time(const void *a, const void *b)
{
    return by_gap(&((const struct point *)a)->t, &((const struct point *)b)->t);
}

static void read_series(const struct ft_rptin *in, size_t first, size_t n, struct series *s)
{
    s->p = calloc(n, sizeof *s->p);
    if (!s->p)
        ft_die("out of memory");
    s->n = n;
    for (size_t i = 0; i < n; i++) {
        const struct ft_rpt_report *r = &in->reports[first + i];
        const struct ft_rpt_table *tot = ft_rpt_table_of(r, "rec1");
        header_time(r, "last-flow", &s->p[i].t);
        s->p[i].flows = cell_number(tot, 0, "flows");
        s->p[i].octets = cell_number(tot, 0, "octets");
        s->p[i].packets = cell_number(tot, 0, "packets");
    }
    /* Intervals follow export time, their last flows' ends nearly always:
     * sorted, a long flow ending late cannot fold the line back. */
    qsort(s->p, n, sizeof *s->p, by_time);
    s->interval = median_gap(s);
}

/* A point's value in chart `which`: bits/s, packets/s, flows/s. */
static double rate(const struct series *s, size_t i, int which)
{
    const struct point *p = &s->p[i];
    double v = which == 0 ? p->octets * 8 : which == 1 ? p->packets : p->flows;
    return v / s->interval;
}

/* Time ticks: the first step of the list that gives at most 13 ticks. */
static double time_step(double span)
{
    static const double steps[] = { 300, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400 };
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (span / steps[i] <= 13)
            return steps[i];
    return ceil(span / 13 / 86400) * 86400;
}

static void day_axes(struct ft_out *out, double t0, double t1, double ymax, const char *unit)
{
    const double w = DAY_W - DAY_LEFT - DAY_RIGHT, h = DAY_H - DAY_TOP - DAY_BOTTOM;
    char buf[64];
    for (int i = 0; i <= 4; i++) {          /* value grid and labels */
        double y = DAY_TOP + h - h * i / 4;
        ft_out_printf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e7ee\"/>\n",
            DAY_LEFT, y, DAY_W - DAY_RIGHT, y);
        ft_out_printf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%s</text>\n",
            DAY_LEFT - 6, y + 4, si(ymax * i / 4, unit, buf, sizeof buf));
    }
    double step = time_step(t1 - t0);
    struct tm tm;
    time_t first = (time_t)t0;
    localtime_r(&first, &tm);
    /* ticks at local multiples of the step: midnight, 02:00, ... */
    double offset = (double)tm.tm_gmtoff;
    for (double t = ceil((t0 + offset) / step) * step - offset; t <= t1; t += step) {
        double x = DAY_LEFT + w * (t - t0) / (t1 > t0 ? t1 - t0 : 1);
        ft_out_printf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e7ee\"/>\n",
            x, DAY_TOP, x, DAY_TOP + h + 4);
        ft_out_printf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n",
            x, DAY_H - 10, clock_time(t, step >= 86400 ? "%m-%d" : "%H:%M", buf, sizeof buf));
    }
    ft_out_printf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#888\"/>\n",
        DAY_LEFT, DAY_TOP + h, DAY_W - DAY_RIGHT, DAY_TOP + h);
}

/* One area chart of the series: which 0 traffic, 1 packets, 2 flows. */
static void day_chart(struct ft_out *out, const struct series *s, int which)
{
    static const char *const title[] = { "Traffic", "Packets", "Flows" };
    static const char *const unit[] = { "b/s", "p/s", "flows/s" };
    const double w = DAY_W - DAY_LEFT - DAY_RIGHT, h = DAY_H - DAY_TOP - DAY_BOTTOM;
    double t0 = s->p[0].t - s->interval, t1 = s->p[s->n - 1].t, peak = 0, sum = 0;
    size_t at = 0;
    char a[64], b[64];
    for (size_t i = 0; i < s->n; i++) {
        sum += rate(s, i, which);
        if (rate(s, i, which) > peak)
            peak = rate(s, i, which), at = i;
    }
    double ymax = nice_ceiling(peak);
    ft_out_printf(out, "<h3>%s <small>(average %s, ", title[which],
        si(sum / (double)s->n, unit[which], a, sizeof a));
    ft_out_printf(out, "peak %s at %s)</small></h3>\n", si(peak, unit[which], b, sizeof b),
        clock_time(s->p[at].t, "%H:%M", a, sizeof a));
    ft_out_printf(out, "<svg class=\"day\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s per %.0f s\">\n",
        DAY_W, DAY_H, title[which], s->interval);
    day_axes(out, t0, t1, ymax, unit[which]);
    ft_out_printf(out, "<path fill=\"%s\" fill-opacity=\"0.25\" stroke=\"%s\" stroke-width=\"1.5\" d=\"",
        day_colour[which], day_colour[which]);
    /* Each interval is a step over its own span, so that the first one
     * does not read as a ramp from nothing; an interval without flows (no
     * point of its own) drops to zero. */
    double base = DAY_TOP + h;
    for (size_t i = 0; i < s->n; i++) {
        double start = s->p[i].t - s->interval;
        double xs = DAY_LEFT + w * (start - t0) / (t1 - t0);
        double xe = DAY_LEFT + w * (s->p[i].t - t0) / (t1 - t0);
        double y = base - h * rate(s, i, which) / ymax;
        if (i == 0) {
            ft_out_printf(out, "M%.1f %.1f ", xs, base);
        } else if (start > s->p[i - 1].t + s->interval / 2) {
            double xp = DAY_LEFT + w * (s->p[i - 1].t - t0) / (t1 - t0);
            ft_out_printf(out, "L%.1f %.1f L%.1f %.1f ", xp, base, xs, base);
        }
        ft_out_printf(out, "L%.1f %.1f L%.1f %.1f ", xs, y, xe, y);
    }
    ft_out_printf(out, "L%.1f %.1f Z\"/>\n</svg>\n", DAY_LEFT + w, base);
}

static void series_section(struct ft_out *out, const struct series *s, const char *name)
{
    ft_out_printf(out, "<section>\n<h2>Traffic over the day <small>(");
    html_text(out, name);
    ft_out_printf(out, ", %.0f s intervals, %zu points)</small></h2>\n", s->interval, s->n);
    if (s->n < 2 || s->p[s->n - 1].t <= s->p[0].t - s->interval) {
        ft_out_str(out, "<p class=\"note\">Too few intervals to draw.</p>\n</section>\n");
        return;
    }
    for (int which = 0; which < 3; which++)
        day_chart(out, s, which);
    ft_out_str(out, "</section>\n");
}

/* ---- top-N bars ------------------------------------------------------------------ */

/* The column the bars measure: octets, else flows, else the last number. */
static long bar_column(const struct view *v)
{
    static const char *const wanted[] = { "octets", "flows", "packets", "count" };
    for (size_t w = 0; w < sizeof wanted / sizeof *wanted; w++)
        for (size_t c = 0; c < v->ncols; c++)
            if (!v->cols[c].is_percent && strcmp(v->cols[c].title, wanted[w]) == 0)
                return (long)c;
    return -1;
}

/* A bar's label: its key cells, as the table shows them, joined by " / ". */
static void bar_label(const struct view *v, size_t row, char *label, size_t size)
{
    char buf[CELL_MAX];
    size_t used = 0;
    label[0] = '\0';
    for (size_t c = 0; c < v->ncols && used < size; c++)
        if (!v->cols[c].is_percent && v->t->key[v->cols[c].src])
            used += (size_t)snprintf(label + used, size - used, "%s%s", used ? " / " : "",
                                     cell_text(v, &v->cols[c], row, buf));
    if (strlen(label) > LABEL_MAX)
        strcpy(label + LABEL_MAX - 3, "...");
}

static void bar_chart(struct ft_out *out, const struct view *v, long col)
{
    char buf[CELL_MAX], label[CELL_MAX], num[64];
    const struct vcol *vc = &v->cols[col];
    size_t n = v->nrows < BARS_MAX ? v->nrows : BARS_MAX;
    double max = 0, x;
    int lw = BAR_LABEL;                 /* the label column */
    for (size_t i = 0; i < n; i++) {
        if (ft_rpt_number(cell_text(v, vc, v->rows[i], buf), &x) && x > max)
            max = x;
        bar_label(v, v->rows[i], label, sizeof label);
        if (strlen(label) * BAR_CHAR_W + 8 > lw)
            lw = (int)(strlen(label) * BAR_CHAR_W + 8);
    }
    int width = lw + BAR_SPACE + BAR_VALUE, height = (int)n * BAR_ROW + 22;
    ft_out_printf(out, "<svg class=\"bars\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
        width, height, width, height);
    ft_out_printf(out, "<text x=\"%d\" y=\"12\" fill=\"#555\">", lw + 4);
    html_text(out, vc->title);
    ft_out_str(out, "</text>\n");
    for (size_t i = 0; i < n; i++) {
        double y = 20 + (double)i * BAR_ROW;
        if (!ft_rpt_number(cell_text(v, vc, v->rows[i], buf), &x))
            x = 0;
        double len = max > 0 ? BAR_SPACE * x / max : 0;
        bar_label(v, v->rows[i], label, sizeof label);
        ft_out_printf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", lw - 4, y + 13);
        html_text(out, label);
        ft_out_str(out, "</text>\n");
        ft_out_printf(out, "<rect x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" fill=\"%s\" rx=\"2\"/>\n",
            lw, y + 2, len < 1 && x > 0 ? 1 : len, BAR_ROW - 5, bar_colour);
        ft_out_printf(out, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#333\">%s</text>\n", lw + len + 4,
            y + 13, si(x, strcmp(vc->title, "octets") == 0 ? "B" : "", num, sizeof num));
    }
    ft_out_str(out, "</svg>\n");
}

/* The totals of a top-N report in a sentence: the table would repeat the
 * tiles' numbers in six columns under every chart. */
static void totals_line(struct ft_out *out, const struct ft_rpt_table *tot)
{
    char k[64], f[64], o[64], p[64];
    ft_out_printf(out, "<p class=\"more\">%s keys in all: %s flows, %s, %s packets.</p>\n",
        si(cell_number(tot, 0, "records"), "", k, sizeof k),
        si(cell_number(tot, 0, "flows"), "", f, sizeof f),
        si(cell_number(tot, 0, "octets"), "B", o, sizeof o),
        si(cell_number(tot, 0, "packets"), "", p, sizeof p));
}

/* One table of a top-N report: bars beside it when it has a key column. */
static void top_table(struct ft_out *out, const struct ft_rpt_report *r, size_t i,
                      const struct rptfmt_opts *o, struct names *nm)
{
    struct view v;
    make_view(&v, &r->tables[i], r, o, nm);
    long col = has_key(v.t) ? bar_column(&v) : -1;
    if (strcmp(v.t->kind, "rec1") == 0 && v.t->nrows == 1 && ft_rpt_col(v.t, "records") >= 0) {
        totals_line(out, v.t);
    } else if (col >= 0 && v.nrows) {
        ft_out_str(out, "<div class=\"pair\">\n");
        bar_chart(out, &v, col);
        html_table(out, &v);
        ft_out_str(out, "</div>\n");
    } else if (v.ncols) {
        html_table(out, &v);
    }
    /* a top-N report stops at its records on purpose: no warning colour */
    if (v.ncols && r->tables[i].hit_limit)
        ft_out_printf(out, "<p class=\"more\">The first %zu lines.</p>\n", v.nrows);
    free_view(&v);
}

/* A top-N report: its name, each keyed table's bars beside the table, then
 * its other tables (the totals) as -f html shows them. */
static void top_section(struct ft_out *out, const struct ft_rpt_report *r,
                        const struct rptfmt_opts *o, struct names *nm, size_t n)
{
    const char *name = ft_rpt_header_value(r, "name"), *type = ft_rpt_header_value(r, "type");
    ft_out_printf(out, "<section>\n<h2>");
    if (name)
        html_text(out, name);
    else
        ft_out_printf(out, "Report %zu", n + 1);
    if (type) {
        ft_out_str(out, " <small>(");
        html_text(out, type);
        ft_out_str(out, ")</small>");
    }
    ft_out_str(out, "</h2>\n");
    for (int keyed = 1; keyed >= 0; keyed--)
        for (size_t i = 0; i < r->ntables; i++)
            if (has_key(&r->tables[i]) == keyed)
                top_table(out, r, i, o, nm);
    ft_out_str(out, "</section>\n");
}

static int is_top(const struct ft_rpt_report *r)
{
    for (size_t i = 0; i < r->ntables; i++)
        if (has_key(&r->tables[i]) && r->tables[i].ncols <= WIDE_TABLE)
            return 1;
    return 0;
}

/* ---- the top of the page -------------------------------------------------------- */

/* Header keys that describe one report, not the day: left out of the facts. */
static int is_report_key(const char *key, size_t len)
{
    static const char *const keys[] = { "build-version", "name", "type", "options",
        "ip-src-addr-type", "ip-dst-addr-type", "sort_field", "fields", "records",
        "records_shown", "first-flow", "last-flow", "now" };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strlen(keys[i]) == len && strncmp(keys[i], key, len) == 0)
            return 1;
    return 0;
}

/* The stream header facts (+xheader) of the first report that has them. */
static void stream_facts(struct ft_out *out, const struct ft_rptin *in)
{
    for (size_t i = 0; i < in->nreports; i++) {
        const struct ft_rpt_report *r = &in->reports[i];
        int open = 0;
        for (size_t h = 0; h < r->nheader; h++) {
            const char *key, *value;
            size_t klen;
            if (ft_rpt_header_field(r->header[h], &key, &klen, &value) < 0 ||
                is_report_key(key, klen))
                continue;
            if (!open)
                ft_out_str(out, "<details open><summary>Flow stream</summary>\n<dl>\n");
            open = 1;
            ft_out_printf(out, "<dt>%.*s</dt><dd>", (int)(klen < 200 ? klen : 200), key);
            html_text(out, value);
            ft_out_str(out, "</dd>\n");
        }
        if (open) {
            ft_out_str(out, "</dl>\n</details>\n");
            return;
        }
    }
}

/* Earliest first flow and latest last flow of all the reports. */
static void date_range(const struct ft_rptin *in, double *first, double *last)
{
    *first = 0, *last = 0;
    for (size_t i = 0; i < in->nreports; i++) {
        double t;
        if (header_time(&in->reports[i], "first-flow", &t) && (!*first || t < *first))
            *first = t;
        if (header_time(&in->reports[i], "last-flow", &t) && t > *last)
            *last = t;
    }
}

static void tile(struct ft_out *out, const char *value, const char *what)
{
    ft_out_str(out, "<div class=\"tile\"><b>");
    html_text(out, value);
    ft_out_str(out, "</b><span>");
    html_text(out, what);
    ft_out_str(out, "</span></div>\n");
}

/* The day in numbers: totals of the first top-N report's totals line (all
 * the flows its definition saw), and the traffic peak of the series. */
static void tiles(struct ft_out *out, const struct ft_rptin *in, const struct series *s)
{
    char buf[64];
    const struct ft_rpt_table *tot = NULL;
    for (size_t i = 0; i < in->nreports && !tot; i++)
        if (is_top(&in->reports[i]))
            tot = ft_rpt_table_of(&in->reports[i], "rec1");
    ft_out_str(out, "<div class=\"tiles\">\n");
    if (tot && tot->nrows) {
        tile(out, si(cell_number(tot, 0, "octets"), "B", buf, sizeof buf), "octets");
        tile(out, si(cell_number(tot, 0, "packets"), "", buf, sizeof buf), "packets");
        tile(out, si(cell_number(tot, 0, "flows"), "", buf, sizeof buf), "flows");
    }
    if (s && s->n) {
        double peak = 0, sum = 0;
        for (size_t i = 0; i < s->n; i++) {
            sum += rate(s, i, 0);
            peak = rate(s, i, 0) > peak ? rate(s, i, 0) : peak;
        }
        tile(out, si(sum / (double)s->n, "b/s", buf, sizeof buf), "average traffic");
        tile(out, si(peak, "b/s", buf, sizeof buf), "peak traffic");
    }
    ft_out_str(out, "</div>\n");
}

static void page_top(struct ft_out *out, const struct ft_rptin *in, const struct rptfmt_opts *o,
                     const struct series *s)
{
    const char *title = o->title ? o->title : "Flow report";
    double first, last, made;
    char a[64], b[64];
    date_range(in, &first, &last);
    ft_out_str(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    html_text(out, title);
    ft_out_str(out, "</title>\n");
    ft_out_str(out, html_style);
    ft_out_str(out, chart_style);
    ft_out_str(out, "</head>\n<body>\n<header class=\"top\">\n<h1>");
    html_text(out, title);
    ft_out_str(out, "</h1>\n");
    if (first > 0)
        ft_out_printf(out, "<p>Flows from %s to %s",
            clock_time(first, "%Y-%m-%d %H:%M:%S", a, sizeof a),
            clock_time(last, "%Y-%m-%d %H:%M:%S %Z", b, sizeof b));
    if (first > 0 && in->nreports && header_time(&in->reports[0], "now", &made))
        ft_out_printf(out, " &middot; made %s", clock_time(made, "%Y-%m-%d %H:%M", a, sizeof a));
    if (first > 0)
        ft_out_str(out, "</p>\n");
    ft_out_str(out, "</header>\n");
    tiles(out, in, s);
    stream_facts(out, in);
}

void chart_page(struct ft_out *out, const struct ft_rptin *in, const struct rptfmt_opts *o,
                struct names *nm)
{
    /* The first time series gives the tiles their peak; all are drawn. */
    struct series first = { 0 };
    for (size_t i = 0; i < in->nreports && !first.n; i++) {
        size_t n = series_length(in, i);
        if (n >= 2)
            read_series(in, i, n, &first);
    }
    page_top(out, in, o, &first);
    free(first.p);
    for (size_t i = 0; i < in->nreports;) {
        size_t n = series_length(in, i);
        if (n >= 2) {
            struct series s;
            read_series(in, i, n, &s);
            series_section(out, &s, ft_rpt_header_value(&in->reports[i], "name"));
            free(s.p);
            i += n;
            continue;
        }
        if (is_top(&in->reports[i]))
            top_section(out, &in->reports[i], o, nm, i);
        else
            html_report(out, &in->reports[i], o, nm, i);
        i++;
    }
}
