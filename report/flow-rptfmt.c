/*
 * flow-rptfmt - flow-report's ASCII output as an aligned table or an HTML
 * page (tools.md 22; flow-tools ships it as a script).
 *
 * The input is read whole by report/ft_rptin.h.  Each table is turned into
 * a view once (the columns to show, where their text comes from, the rows
 * in the order to show them) and the view is written as ASCII or HTML; the
 * symbol table of a column and its percent total are chosen there, not per
 * row.  -f chart (rptfmt_chart.c) draws its charts beside the same HTML
 * tables, through rptfmt.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/ft_file.h"
#include "ft_prog.h"
#include "rptfmt.h"

#define INPUT_MAX ((size_t)1 << 30)     /* largest report read */

static void usage(int status)
{
    fprintf(stderr,
            "Usage: flow-rptfmt [-hHnp] [-a seconds] [-f ascii|html|chart] [-F display_fields]\n"
            "                   [-m max_lines] [-s [+|-]sort_field] [-t title]\n");
    exit(status);
}

static void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        ft_die("out of memory");
    return p;
}

/* ---- -a: the CPU alarm ---------------------------------------------------- */

static void cpu_exceeded(int sig)
{
    static const char msg[] = "flow-rptfmt exceeded CPU time, consider running report offline.\n";
    (void)sig;
    ssize_t rc = write(STDOUT_FILENO, msg, sizeof msg - 1);
    (void)rc;
    _exit(0);
}

/* The CPU time (user and system) the program may use, as the original's
 * alarm: a report too big for a web page's time says so instead. */
static void cpu_alarm(const char *arg)
{
    long secs = ft_opt_long(arg, 1, 86400L * 365, "seconds");
    struct itimerval it = {.it_value = {.tv_sec = secs}};
    signal(SIGPROF, cpu_exceeded);
    if (setitimer(ITIMER_PROF, &it, NULL) != 0)
        ft_die("cannot set the CPU alarm: %s", strerror(errno));
}

/* ---- options -------------------------------------------------------------- */

static void parse_fields(char *list, struct rptfmt_opts *o)
{
    for (char *f = strtok(list, ","); f; f = strtok(NULL, ",")) {
        if (o->nfields == MAX_FIELDS)
            ft_die("more than %d fields in -F", MAX_FIELDS);
        o->fields[o->nfields++] = f;
    }
}

static void parse_options(int argc, char **argv, struct rptfmt_opts *o)
{
    int c;
    memset(o, 0, sizeof *o);
    while ((c = getopt(argc, argv, "a:f:F:hHm:nps:t:")) != -1) {
        switch (c) {
        case 'a': cpu_alarm(optarg); break;
        case 'f':
            if (strcasecmp(optarg, "ascii") == 0)
                o->format = FMT_ASCII;
            else if (strcasecmp(optarg, "html") == 0)
                o->format = FMT_HTML;
            else if (strcasecmp(optarg, "chart") == 0)
                o->format = FMT_CHART;
            else
                ft_die("unknown format \"%s\" (ascii, html or chart)", optarg);
            break;
        case 'F': parse_fields(optarg, o); break;
        case 'h': usage(0); break;
        case 'H': o->no_header = 1; break;
        case 't': o->title = optarg; break;
        case 'm': o->max_lines = ft_opt_long(optarg, 0, 1L << 40, "line count"); break;
        case 'n': o->names = 1; break;
        case 'p': o->percent = 1; break;
        case 's':
            o->sort_ascending = optarg[0] == '-';
            o->sort = optarg + (optarg[0] == '-' || optarg[0] == '+');
            break;
        default: usage(1);
        }
    }
    ft_opt_no_extra(argc, argv);
}

/* ---- views ---------------------------------------------------------------- */

/* The symbol table for a key column's numbers, chosen by its title. */
static int table_for_title(const char *title)
{
    size_t len = strlen(title);
    if (strstr(title, "port"))
        return FT_SYM_TCP_PORT;
    if (strstr(title, "address-type"))
        return FT_SYM_IP_TYPE;
    if (strcmp(title, "ip-protocol") == 0)
        return FT_SYM_IP_PROT;
    if (strstr(title, "tag"))
        return FT_SYM_TAG;
    if (len >= 3 && strcasecmp(title + len - 3, "-as") == 0)
        return FT_SYM_ASN;
    return -1;
}

static const struct ft_sym *names_for(struct names *nm, const char *title)
{
    int t = table_for_title(title);
    if (t < 0)
        return NULL;
    if (!nm->tried[t]) {
        struct ft_err err;
        nm->tried[t] = 1;
        nm->sym[t] = ft_sym_open(ft_prog_symdir(), (enum ft_sym_table)t, &err);
        if (!nm->sym[t])
            ft_warn("%s: numbers are shown", err.msg);
    }
    return nm->sym[t];
}

static int is_counter(const char *title)
{
    return strcmp(title, "flows") == 0 || strcmp(title, "octets") == 0 ||
           strcmp(title, "packets") == 0;
}

int has_key(const struct ft_rpt_table *t)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (t->key[i])
            return 1;
    return 0;
}

/* The whole of a counter: the report's totals line, else the column's sum. */
static double total_of(const struct ft_rpt_report *r, const struct ft_rpt_table *t, long col)
{
    const struct ft_rpt_table *tot = ft_rpt_table_of(r, "rec1");
    double v, sum = 0;
    long tc = tot && tot->nrows ? ft_rpt_col(tot, t->cols[col]) : -1;
    if (tc >= 0 && ft_rpt_number(ft_rpt_cell(tot, 0, (size_t)tc), &v))
        return v;
    for (size_t i = 0; i < t->nrows; i++)
        if (ft_rpt_number(ft_rpt_cell(t, i, (size_t)col), &v))
            sum += v;
    return sum;
}

static void add_col(struct view *v, long src, const struct rptfmt_opts *o,
                    const struct ft_rpt_report *r, struct names *nm)
{
    const struct ft_rpt_table *t = v->t;
    struct vcol *c = &v->cols[v->ncols++];
    memset(c, 0, sizeof *c);
    c->src = src;
    snprintf(c->title, sizeof c->title, "%s", t->cols[src]);
    if (o->names && t->key[src])
        c->sym = names_for(nm, t->cols[src]);
    if (!o->percent || !has_key(t) || !is_counter(t->cols[src]))
        return;
    struct vcol *p = &v->cols[v->ncols++];
    memset(p, 0, sizeof *p);
    p->src = src;
    p->is_percent = 1;
    p->total = total_of(r, t, src);
    snprintf(p->title, sizeof p->title, "%%%s", t->cols[src]);
}

/* The columns of -F (in its order), or all of them. */
static void choose_cols(struct view *v, const struct rptfmt_opts *o,
                        const struct ft_rpt_report *r, struct names *nm)
{
    const struct ft_rpt_table *t = v->t;
    size_t most = t->ncols > o->nfields ? t->ncols : o->nfields;
    v->cols = xmalloc(2 * (most + 1) * sizeof *v->cols);
    v->ncols = 0;
    if (!o->nfields) {
        for (size_t i = 0; i < t->ncols; i++)
            add_col(v, (long)i, o, r, nm);
        return;
    }
    for (size_t f = 0; f < o->nfields; f++) {
        long i = ft_rpt_col(t, o->fields[f]);
        if (i >= 0)
            add_col(v, i, o, r, nm);
    }
}

/* The text a view column shows for row `row` (into buf of CELL_MAX). */
const char *cell_text(const struct view *v, const struct vcol *c, size_t row, char *buf)
{
    const char *cell = ft_rpt_cell(v->t, row, (size_t)c->src);
    double x;
    if (c->is_percent) {
        if (!ft_rpt_number(cell, &x))
            return "";
        snprintf(buf, CELL_MAX, "%.2f", c->total > 0 ? 100.0 * x / c->total : 0.0);
        return buf;
    }
    if (c->sym && ft_rpt_number(cell, &x) && x >= 0 && x <= 4294967295.0) {
        const char *name = ft_sym_name(c->sym, (uint32_t)x);
        if (name)
            return name;
    }
    return cell;
}

/* Sort state for qsort: the values of the sort column, by row. */
struct sort_key {
    size_t row;
    int is_number;
    double number;
    const char *text;
};

/* The direction of the sort in progress: qsort passes no context. */
static int sort_descending;

static int compare_keys(const void *pa, const void *pb)
{
    const struct sort_key *a = pa, *b = pb;
    int d;
    if (a->is_number != b->is_number)
        d = a->is_number ? -1 : 1;          /* numbers before text either way */
    else if (a->is_number)
        d = a->number < b->number ? -1 : a->number > b->number;
    else
        d = strcmp(a->text, b->text);
    if (d && sort_descending && a->is_number == b->is_number)
        d = -d;
    return d ? d : (a->row < b->row ? -1 : 1);  /* stable: ties keep input order */
}

static void order_rows(struct view *v, const struct rptfmt_opts *o)
{
    const struct ft_rpt_table *t = v->t;
    v->rows = xmalloc(t->nrows * sizeof *v->rows);
    v->nrows = t->nrows;
    long col = o->sort ? ft_rpt_col(t, o->sort) : -1;
    v->in_order = col < 0;
    if (col < 0) {
        for (size_t i = 0; i < t->nrows; i++)
            v->rows[i] = i;
    } else {
        struct sort_key *k = xmalloc(t->nrows * sizeof *k);
        for (size_t i = 0; i < t->nrows; i++) {
            k[i].row = i;
            k[i].text = ft_rpt_cell(t, i, (size_t)col);
            k[i].is_number = ft_rpt_number(k[i].text, &k[i].number);
        }
        sort_descending = !o->sort_ascending;
        qsort(k, t->nrows, sizeof *k, compare_keys);
        for (size_t i = 0; i < t->nrows; i++)
            v->rows[i] = k[i].row;
        free(k);
    }
    if (o->max_lines && v->nrows > (size_t)o->max_lines)
        v->nrows = (size_t)o->max_lines;
}

/* Widths and alignment from the cells shown. */
static void measure(struct view *v)
{
    char buf[CELL_MAX];
    double x;
    for (size_t c = 0; c < v->ncols; c++) {
        struct vcol *vc = &v->cols[c];
        vc->width = strlen(vc->title);
        vc->numeric = v->nrows > 0;
        for (size_t i = 0; i < v->nrows; i++) {
            const char *s = cell_text(v, vc, v->rows[i], buf);
            size_t len = strlen(s);
            if (len > vc->width)
                vc->width = len;
            if (vc->numeric && !ft_rpt_number(s, &x))
                vc->numeric = 0;
        }
    }
}

void make_view(struct view *v, const struct ft_rpt_table *t, const struct ft_rpt_report *r,
               const struct rptfmt_opts *o, struct names *nm)
{
    memset(v, 0, sizeof *v);
    v->t = t;
    choose_cols(v, o, r, nm);
    order_rows(v, o);
    measure(v);
}

void free_view(struct view *v)
{
    free(v->cols);
    free(v->rows);
}

/* ---- ASCII ---------------------------------------------------------------- */

static void put_padded(struct ft_out *out, const char *s, size_t width, int right)
{
    size_t len = strlen(s);
    static const char spaces[] = "                                                                ";
    size_t pad = width > len ? width - len : 0;
    if (!right)
        ft_out_write(out, s, len);
    while (pad) {
        size_t n = pad < sizeof spaces - 1 ? pad : sizeof spaces - 1;
        ft_out_write(out, spaces, n);
        pad -= n;
    }
    if (right)
        ft_out_write(out, s, len);
}

/* Whether tally line `tally` goes before shown row i (or at the end, i ==
 * nrows): only in the input's order, where running totals mean something. */
static int tally_before(const struct view *v, size_t tally, size_t i)
{
    return v->in_order && tally < v->t->ntallies && v->t->tallies[tally].after <= i;
}

/* One line of a table: cells separated by two blanks, no trailing blanks. */
static void ascii_row(struct ft_out *out, const struct view *v, size_t row, int title)
{
    char buf[CELL_MAX];
    for (size_t c = 0; c < v->ncols; c++) {
        const struct vcol *vc = &v->cols[c];
        const char *s = title ? vc->title : cell_text(v, vc, row, buf);
        int last = c + 1 == v->ncols;
        if (c)
            ft_out_str(out, "  ");
        put_padded(out, s, last && !vc->numeric ? 0 : vc->width, vc->numeric);
    }
    ft_out_str(out, "\n");
}

/* A keyless wide table, one "title  value" line per column and row. */
static void ascii_listing(struct ft_out *out, const struct view *v)
{
    char buf[CELL_MAX];
    size_t width = 0;
    for (size_t c = 0; c < v->ncols; c++)
        if (strlen(v->cols[c].title) > width)
            width = strlen(v->cols[c].title);
    for (size_t i = 0; i < v->nrows; i++) {
        if (i)
            ft_out_str(out, "\n");
        for (size_t c = 0; c < v->ncols; c++) {
            put_padded(out, v->cols[c].title, width + 2, 0);
            ft_out_str(out, cell_text(v, &v->cols[c], v->rows[i], buf));
            ft_out_str(out, "\n");
        }
    }
}

static void ascii_table(struct ft_out *out, const struct view *v)
{
    if (!has_key(v->t) && v->t->ncols > WIDE_TABLE) {
        ascii_listing(out, v);
        return;
    }
    size_t tally = 0;
    ascii_row(out, v, 0, 1);
    for (size_t i = 0; i <= v->nrows; i++) {
        while (tally_before(v, tally, i)) {
            ft_out_str(out, v->t->tallies[tally++].text);
            ft_out_str(out, "\n");
        }
        if (i < v->nrows)
            ascii_row(out, v, v->rows[i], 0);
    }
}

/* ---- HTML ----------------------------------------------------------------- */

void html_text(struct ft_out *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': ft_out_str(out, "&amp;"); break;
        case '<': ft_out_str(out, "&lt;"); break;
        case '>': ft_out_str(out, "&gt;"); break;
        case '"': ft_out_str(out, "&quot;"); break;
        case '\'': ft_out_str(out, "&#39;"); break;
        default: ft_out_write(out, p, 1);
        }
    }
}

const char html_style[] =
    "<style>\n"
    "body { font-family: sans-serif; margin: 1.5em; color: #222; }\n"
    "h2 { font-size: 1.2em; margin-top: 2em; }\n"
    "dl { display: grid; grid-template-columns: max-content auto; gap: 0 1em; font-size: 0.9em; }\n"
    "dt { color: #555; }\n"
    "dd { margin: 0; font-family: monospace; }\n"
    "table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }\n"
    "caption { text-align: left; font-weight: bold; padding: 0.3em 0; }\n"
    "th, td { padding: 0.15em 0.7em; border-bottom: 1px solid #ddd; text-align: left; }\n"
    "th { background: #f0f0f0; }\n"
    "td { font-family: monospace; }\n"
    "th.num, td.num { text-align: right; }\n"
    "tbody tr:nth-child(even) { background: #fafafa; }\n"
    ".note { color: #a40; }\n"
    "tr.tally td { color: #555; font-style: italic; }\n"
    "</style>\n";

static void html_page_name(struct ft_out *out, const char *name)
{
    ft_out_str(out, "flow-report");
    if (name) {
        ft_out_str(out, ": ");
        html_text(out, name);
    }
}

/* The page up to its first report, named after the first report. */
static void html_start(struct ft_out *out, const struct ft_rptin *in)
{
    const char *name = in->nreports ? ft_rpt_header_value(&in->reports[0], "name") : NULL;
    ft_out_str(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    ft_out_str(out, "<title>");
    html_page_name(out, name);
    ft_out_str(out, "</title>\n");
    ft_out_str(out, html_style);
    ft_out_str(out, "</head>\n<body>\n<h1>");
    html_page_name(out, name);
    ft_out_str(out, "</h1>\n");
}

/* What a table holds, for its caption: "totals", "by ip-source-address". */
static void html_caption(struct ft_out *out, const struct ft_rpt_table *t)
{
    ft_out_str(out, "<caption>");
    if (strcmp(t->kind, "rec1") == 0) {
        ft_out_str(out, "totals");
    } else if (!has_key(t)) {
        html_text(out, t->kind);
    } else {
        const char *sep = "by ";
        for (size_t i = 0; i < t->ncols; i++)
            if (t->key[i]) {
                ft_out_str(out, sep);
                html_text(out, t->cols[i]);
                sep = ", ";
            }
    }
    ft_out_str(out, "</caption>\n");
}

static void html_cell(struct ft_out *out, const char *text, int numeric)
{
    ft_out_str(out, numeric ? "<td class=\"num\">" : "<td>");
    html_text(out, text);
    ft_out_str(out, "</td>");
}

/* A keyless wide table turned on its side: a line per column. */
static void html_listing(struct ft_out *out, const struct view *v)
{
    char buf[CELL_MAX];
    double x;
    ft_out_str(out, "<tbody>\n");
    for (size_t c = 0; c < v->ncols; c++) {
        ft_out_str(out, "<tr><th>");
        html_text(out, v->cols[c].title);
        ft_out_str(out, "</th>");
        for (size_t i = 0; i < v->nrows; i++) {
            const char *s = cell_text(v, &v->cols[c], v->rows[i], buf);
            html_cell(out, s, ft_rpt_number(s, &x));
        }
        ft_out_str(out, "</tr>\n");
    }
    ft_out_str(out, "</tbody>\n");
}

void html_table(struct ft_out *out, const struct view *v)
{
    char buf[CELL_MAX];
    ft_out_str(out, "<table>\n");
    html_caption(out, v->t);
    if (!has_key(v->t) && v->t->ncols > WIDE_TABLE) {
        html_listing(out, v);
        ft_out_str(out, "</table>\n");
        return;
    }
    ft_out_str(out, "<thead><tr>");
    for (size_t c = 0; c < v->ncols; c++) {
        ft_out_str(out, v->cols[c].numeric ? "<th class=\"num\">" : "<th>");
        html_text(out, v->cols[c].title);
        ft_out_str(out, "</th>");
    }
    ft_out_str(out, "</tr></thead>\n<tbody>\n");
    size_t tally = 0;
    for (size_t i = 0; i <= v->nrows; i++) {
        while (tally_before(v, tally, i)) {
            char span[64];
            snprintf(span, sizeof span, "<tr class=\"tally\"><td colspan=\"%zu\">", v->ncols);
            ft_out_str(out, span);
            html_text(out, v->t->tallies[tally++].text);
            ft_out_str(out, "</td></tr>\n");
        }
        if (i == v->nrows)
            break;
        ft_out_str(out, "<tr>");
        for (size_t c = 0; c < v->ncols; c++)
            html_cell(out, cell_text(v, &v->cols[c], v->rows[i], buf), v->cols[c].numeric);
        ft_out_str(out, "</tr>\n");
    }
    ft_out_str(out, "</tbody>\n</table>\n");
}

/* The header block as a definition list: "# key: value" lines only. */
static void html_header(struct ft_out *out, const struct ft_rpt_report *r)
{
    int open = 0;
    for (size_t i = 0; i < r->nheader; i++) {
        const char *key, *value;
        size_t klen;
        if (ft_rpt_header_field(r->header[i], &key, &klen, &value) < 0)
            continue;
        if (!open)
            ft_out_str(out, "<dl>\n");
        open = 1;
        char k[128];
        snprintf(k, sizeof k, "%.*s", (int)(klen < sizeof k ? klen : sizeof k - 1), key);
        ft_out_str(out, "<dt>");
        html_text(out, k);
        ft_out_str(out, "</dt><dd>");
        html_text(out, value);
        ft_out_str(out, "</dd>\n");
    }
    if (open)
        ft_out_str(out, "</dl>\n");
}

static void html_title(struct ft_out *out, const struct ft_rpt_report *r, size_t n)
{
    const char *name = ft_rpt_header_value(r, "name");
    const char *type = ft_rpt_header_value(r, "type");
    char num[32];
    ft_out_str(out, "<section>\n<h2>");
    if (name) {
        html_text(out, name);
        if (type) {
            ft_out_str(out, " <small>(");
            html_text(out, type);
            ft_out_str(out, ")</small>");
        }
    } else {
        snprintf(num, sizeof num, "Report %zu", n + 1);
        ft_out_str(out, num);
    }
    ft_out_str(out, "</h2>\n");
}

/* ---- the reports ---------------------------------------------------------- */

static void ascii_report(struct ft_out *out, const struct ft_rpt_report *r,
                         const struct rptfmt_opts *o, struct names *nm, size_t n)
{
    if (n)
        ft_out_str(out, "\n");
    if (!o->no_header)
        for (size_t i = 0; i < r->nheader; i++) {
            ft_out_str(out, r->header[i]);
            ft_out_str(out, "\n");
        }
    size_t shown = !o->no_header && r->nheader;
    for (size_t i = 0; i < r->ntables; i++) {
        struct view v;
        make_view(&v, &r->tables[i], r, o, nm);
        if (v.ncols) {
            if (shown++)
                ft_out_str(out, "\n");
            ascii_table(out, &v);
            if (r->tables[i].hit_limit)
                ft_out_str(out, "# stop, hit record limit.\n");
        }
        free_view(&v);
    }
}

void html_report(struct ft_out *out, const struct ft_rpt_report *r,
                 const struct rptfmt_opts *o, struct names *nm, size_t n)
{
    html_title(out, r, n);
    if (!o->no_header)
        html_header(out, r);
    for (size_t i = 0; i < r->ntables; i++) {
        struct view v;
        make_view(&v, &r->tables[i], r, o, nm);
        if (v.ncols)
            html_table(out, &v);
        if (v.ncols && r->tables[i].hit_limit)
            ft_out_str(out, "<p class=\"note\">The report stopped at its record limit.</p>\n");
        free_view(&v);
    }
    ft_out_str(out, "</section>\n");
}

/* -F names that no table has are a mistake worth saying. */
static void check_fields(const struct ft_rptin *in, const struct rptfmt_opts *o)
{
    for (size_t f = 0; f < o->nfields; f++) {
        int found = 0;
        for (size_t i = 0; i < in->nreports && !found; i++)
            for (size_t j = 0; j < in->reports[i].ntables && !found; j++)
                found = ft_rpt_col(&in->reports[i].tables[j], o->fields[f]) >= 0;
        if (!found)
            ft_die("no column \"%s\" in the report", o->fields[f]);
    }
}

static struct ft_rptin *read_input(void)
{
    struct ft_err err;
    size_t len;
    char *text = ft_file_read("/dev/stdin", INPUT_MAX, &len, &err);
    if (!text)
        ft_die("%s", err.msg);
    struct ft_rptin *in = ft_rptin_parse(text, len, "stdin", 0, &err);
    free(text);
    if (!in)
        ft_die("%s", err.msg);
    if (in->refused)
        ft_warn("%llu lines beyond the limit of %zu cells not shown",
                (unsigned long long)in->refused, in->limit);
    return in;
}

int main(int argc, char **argv)
{
    struct rptfmt_opts o;
    struct names nm;
    struct ft_out out;
    ft_progname = "flow-rptfmt";
    parse_options(argc, argv, &o);
    memset(&nm, 0, sizeof nm);

    struct ft_rptin *in = read_input();
    check_fields(in, &o);
    ft_stdout_text(&out);
    if (o.format == FMT_CHART)
        chart_page(&out, in, &o, &nm);
    else if (o.format == FMT_HTML)
        html_start(&out, in);
    for (size_t i = 0; i < in->nreports && o.format != FMT_CHART; i++) {
        if (o.format == FMT_HTML)
            html_report(&out, &in->reports[i], &o, &nm, i);
        else
            ascii_report(&out, &in->reports[i], &o, &nm, i);
    }
    if (o.format != FMT_ASCII) {
        if (in->refused)
            ft_out_str(&out, "<p class=\"note\">Lines beyond the input limit are not shown.</p>\n");
        ft_out_str(&out, "</body>\n</html>\n");
    }
    int status = 0;
    if (ft_out_flush(&out) < 0) {
        ft_warn("standard output: %s", strerror(out.error));
        status = 1;
    }
    ft_out_free(&out);
    for (int t = 0; t < FT_SYM_NTABLES; t++)
        ft_sym_free(nm.sym[t]);
    ft_rptin_free(in);
    return status;
}
