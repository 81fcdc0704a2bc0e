/*
 * ft_rcfg.c - the report language (stat.cfg): statements into reports and
 * definitions.  A line is a keyword and its arguments; the keyword is taken
 * in the context the previous lines opened (top level, a report, one of its
 * output blocks, a definition).  Names used before they are defined (a
 * definition's `report`) are resolved at the end, naming the line that used
 * them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/ft_file.h"
#include "lang/ft_cfg.h"
#include "report/ft_rcfg.h"

enum ctx { CTX_TOP, CTX_REPORT, CTX_OUTPUT, CTX_DEF };

/* A definition's `report NAME`, resolved when the whole file is read. */
struct pending_report {
    size_t def;
    char *name;
    unsigned lineno;
};

struct parser {
    struct ft_rcfg *c;
    enum ctx ctx;
    struct pending_report *pend;
    size_t npend, pend_cap;
    struct ft_err *err;
};

static int line_error(struct parser *p, const struct ft_cfg_line *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int line_error(struct parser *p, const struct ft_cfg_line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ft_cfg_verror(p->err, p->c->file, l->lineno, fmt, ap);
    va_end(ap);
    return rc;
}

/* Exactly n words (the keyword and its arguments). */
static int want_words(struct parser *p, const struct ft_cfg_line *l, int n)
{
    if (l->n < n)
        return line_error(p, l, "%s: missing argument", l->word[0]);
    if (l->n > n)
        return line_error(p, l, "unexpected \"%s\"", l->word[n]);
    return 0;
}

static int set_name(struct parser *p, const struct ft_cfg_line *l, char **dst, const char *s)
{
    char *copy = strdup(s);
    if (!copy)
        return line_error(p, l, "out of memory");
    free(*dst);
    *dst = copy;
    return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    if (!isdigit((unsigned char)*s))
        return -1;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

static struct ft_rreport *cur_report(struct parser *p)
{
    return &p->c->rep[p->c->nrep - 1];
}

static struct ft_routput *cur_output(struct parser *p)
{
    struct ft_rreport *r = cur_report(p);
    return &r->out[r->nout - 1];
}

/* ---- top level ------------------------------------------------------------ */

static int find_report(const struct ft_rcfg *c, const char *name)
{
    for (size_t i = 0; i < c->nrep; i++)
        if (strcasecmp(c->rep[i].name, name) == 0)
            return (int)i;
    return -1;
}

static int start_report(struct parser *p, const struct ft_cfg_line *l)
{
    struct ft_rcfg *c = p->c;
    if (want_words(p, l, 2) < 0)
        return -1;
    if (find_report(c, l->word[1]) >= 0)
        return line_error(p, l, "report %s defined twice", l->word[1]);
    if (c->nrep >= FT_RCFG_MAX_REPORTS)
        return line_error(p, l, "more than %u reports", FT_RCFG_MAX_REPORTS);
    if (FT_RESERVE(c->rep, c->rep_cap, c->nrep) < 0)
        return line_error(p, l, "out of memory");
    struct ft_rreport *r = &c->rep[c->nrep++];
    memset(r, 0, sizeof *r);
    r->lineno = l->lineno;
    p->ctx = CTX_REPORT;
    return set_name(p, l, &r->name, l->word[1]);
}

static int start_def(struct parser *p, const struct ft_cfg_line *l)
{
    struct ft_rcfg *c = p->c;
    if (want_words(p, l, 2) < 0)
        return -1;
    if (ft_rcfg_find_def(c, l->word[1]))
        return line_error(p, l, "definition %s defined twice", l->word[1]);
    if (c->ndef >= FT_RCFG_MAX_DEFINITIONS)
        return line_error(p, l, "more than %u definitions", FT_RCFG_MAX_DEFINITIONS);
    if (FT_RESERVE(c->def, c->def_cap, c->ndef) < 0)
        return line_error(p, l, "out of memory");
    struct ft_rdef *d = &c->def[c->ndef++];
    memset(d, 0, sizeof *d);
    d->lineno = l->lineno;
    p->ctx = CTX_DEF;
    return set_name(p, l, &d->name, l->word[1]);
}

/* Statements of every context: 1 when taken, 0 when kw is none of them. */
static int top_statement(struct parser *p, const struct ft_cfg_line *l)
{
    const char *kw = l->word[0];
    char **file = NULL;
    if (strcasecmp(kw, "include-filter") == 0)
        file = &p->c->filter_file;
    else if (strcasecmp(kw, "include-tag") == 0)
        file = &p->c->tag_file;
    else if (strcasecmp(kw, "include-mask") == 0)
        file = &p->c->mask_file;
    if (file) {
        if (want_words(p, l, 2) < 0 || set_name(p, l, file, l->word[1]) < 0)
            return -1;
        p->ctx = CTX_TOP;
        return 1;
    }
    if (strcasecmp(kw, "stat-report") == 0)
        return start_report(p, l) < 0 ? -1 : 1;
    if (strcasecmp(kw, "stat-definition") == 0)
        return start_def(p, l) < 0 ? -1 : 1;
    return 0;
}

/* ---- reports --------------------------------------------------------------- */

static int rep_type(struct parser *p, const struct ft_cfg_line *l)
{
    struct ft_rreport *r = cur_report(p);
    struct ft_err e;
    if (want_words(p, l, 2) < 0)
        return -1;
    if (ft_rtype_lookup(l->word[1], &r->type, &e) < 0)
        return line_error(p, l, "unknown report type \"%s\"", l->word[1]);
    r->has_type = 1;
    return 0;
}

static int rep_tag_mask(struct parser *p, const struct ft_cfg_line *l)
{
    struct ft_rreport *r = cur_report(p);
    uint64_t s, d;
    if (want_words(p, l, 3) < 0)
        return -1;
    if (parse_u64(l->word[1], &s) < 0 || s > UINT32_MAX)
        return line_error(p, l, "bad tag mask \"%s\"", l->word[1]);
    if (parse_u64(l->word[2], &d) < 0 || d > UINT32_MAX)
        return line_error(p, l, "bad tag mask \"%s\"", l->word[2]);
    r->tag_mask_src = (uint32_t)s;
    r->tag_mask_dst = (uint32_t)d;
    r->has_tag_mask = 1;
    return 0;
}

static int rep_addr_format(struct parser *p, const struct ft_cfg_line *l, uint8_t *fmt)
{
    static const char *const names[] = { "address", "prefix-len", "prefix-mask" };
    if (want_words(p, l, 2) < 0)
        return -1;
    for (unsigned i = 0; i < 3; i++)
        if (strcasecmp(l->word[1], names[i]) == 0) {
            *fmt = (uint8_t)i;
            return 0;
        }
    return line_error(p, l, "unknown address format \"%s\"", l->word[1]);
}

static int rep_output(struct parser *p, const struct ft_cfg_line *l)
{
    struct ft_rreport *r = cur_report(p);
    if (want_words(p, l, 1) < 0)
        return -1;
    if (!r->has_type)
        return line_error(p, l, "output before the report's type");
    if (r->nout >= FT_RCFG_MAX_OUTPUTS)
        return line_error(p, l, "more than %u outputs", FT_RCFG_MAX_OUTPUTS);
    if (FT_RESERVE(r->out, r->out_cap, r->nout) < 0)
        return line_error(p, l, "out of memory");
    struct ft_routput *o = &r->out[r->nout++];
    memset(o, 0, sizeof *o);
    o->lineno = l->lineno;
    o->sort_col = -1;
    /* all the type's columns but the rarely wanted ones */
    o->fields = r->type.allowed & ~(FT_RC_BIT(FT_RC_FRECS) | FT_RC_BIT(FT_RC_INDEX) |
                                     FT_RC_BIT(FT_RC_FIRST) | FT_RC_BIT(FT_RC_LAST) |
                                     FT_RC_PPS | FT_RC_BPS);
    p->ctx = CTX_OUTPUT;
    return 0;
}

/* Report statements: 1 taken, 0 not one, -1 error. */
static int report_statement(struct parser *p, const struct ft_cfg_line *l)
{
    struct ft_rreport *r = cur_report(p);
    const char *kw = l->word[0];
    int rc;
    if (strcasecmp(kw, "type") == 0) {
        rc = rep_type(p, l);
    } else if (strcasecmp(kw, "filter") == 0) {
        rc = want_words(p, l, 2) < 0 ? -1 : set_name(p, l, &r->filter, l->word[1]);
        r->filter_line = l->lineno;
    } else if (strcasecmp(kw, "scale") == 0) {
        rc = want_words(p, l, 2);
        if (rc == 0 && (parse_u64(l->word[1], &r->scale) < 0 || r->scale == 0))
            rc = line_error(p, l, "bad scale \"%s\"", l->word[1]);
    } else if (strcasecmp(kw, "tag-mask") == 0) {
        rc = rep_tag_mask(p, l);
    } else if (strcasecmp(kw, "ip-source-address-format") == 0) {
        rc = rep_addr_format(p, l, &r->src_fmt);
    } else if (strcasecmp(kw, "ip-destination-address-format") == 0) {
        rc = rep_addr_format(p, l, &r->dst_fmt);
    } else if (strcasecmp(kw, "output") == 0) {
        rc = rep_output(p, l);
    } else {
        return 0;
    }
    return rc < 0 ? -1 : 1;
}

/* ---- output blocks ------------------------------------------------------------ */

/* The arguments of l from word 1 on, as one string ("+a,+b -c"). */
static const char *rest_of_line(const struct ft_cfg_line *l)
{
    return l->n > 1 ? l->text + l->word_off[1] : "";
}

/* A column name allowed for the report's type, as bits. */
static int allowed_column(struct parser *p, const struct ft_cfg_line *l, const char *name,
                          uint32_t *bits)
{
    *bits = ft_rcol_bits(name);
    if (!*bits)
        return line_error(p, l, "unknown field \"%s\"", name);
    if ((*bits & cur_report(p)->type.allowed) != *bits)
        return line_error(p, l, "field \"%s\" not allowed for report type %s", name,
                          cur_report(p)->type.name);
    return 0;
}

/*
 * "+a,-b c": each item turns bits on (+) or off (-); a sign alone is no
 * item.  name_bits gives an item's bits, or -1 after an error.
 */
static int parse_switches(struct parser *p, const struct ft_cfg_line *l, unsigned *set,
                          int (*name_bits)(struct parser *, const struct ft_cfg_line *,
                                           const char *, uint32_t *))
{
    char buf[FT_VARS_LINE_MAX];
    snprintf(buf, sizeof buf, "%s", rest_of_line(l));
    char *save = NULL;
    for (char *item = strtok_r(buf, ", \t", &save); item; item = strtok_r(NULL, ", \t", &save)) {
        int on = 1;
        if (*item == '+' || *item == '-')
            on = *item++ == '+';
        if (!*item)
            continue;
        uint32_t bits;
        if (name_bits(p, l, item, &bits) < 0)
            return -1;
        *set = on ? *set | bits : *set & ~bits;
    }
    return 0;
}

static int option_bits(struct parser *p, const struct ft_cfg_line *l, const char *name,
                       uint32_t *bits)
{
    static const char *const names[] = { "percent-total", "names", "header", "xheader",
                                         "totals" };
    for (unsigned i = 0; i < 5; i++)
        if (strcasecmp(name, names[i]) == 0) {
            *bits = 1u << i;
            return 0;
        }
    return line_error(p, l, "unknown option \"%s\"", name);
}

static int out_sort(struct parser *p, const struct ft_cfg_line *l, struct ft_routput *o)
{
    if (want_words(p, l, 2) < 0)
        return -1;
    const char *s = l->word[1];
    o->sort_desc = *s != '-';
    if (*s == '+' || *s == '-')
        s++;
    if (!*s) {
        o->sort_col = -1;
        return 0;
    }
    uint32_t bits;
    if (allowed_column(p, l, s, &bits) < 0)
        return -1;
    if (bits & (bits - 1) || bits & (FT_RC_BIT(FT_RC_INDEX) | FT_RC_BIT(FT_RC_FIRST) |
                                     FT_RC_BIT(FT_RC_LAST) | FT_RC_BIT(FT_RC_FRECS)))
        return line_error(p, l, "cannot sort on \"%s\"", s);
    o->sort_col = __builtin_ctz(bits);
    return 0;
}

static int out_path(struct parser *p, const struct ft_cfg_line *l, struct ft_routput *o)
{
    if (l->n < 2)
        return line_error(p, l, "path: missing argument");
    /* the rest of the line, so that a command keeps its words */
    const char *end = l->text + strlen(l->text);
    while (end > l->text && strchr(FT_CFG_BLANKS, end[-1]))
        end--;
    const char *start = rest_of_line(l);
    char *copy = strndup(start, (size_t)(end - start));
    if (!copy)
        return line_error(p, l, "out of memory");
    free(o->path);
    o->path = copy;
    o->path_line = l->lineno;
    return 0;
}

static int out_time(struct parser *p, const struct ft_cfg_line *l, struct ft_routput *o)
{
    static const char *const names[] = { "mid", "now", "start", "end" };
    if (want_words(p, l, 2) < 0)
        return -1;
    for (int i = 0; i < 4; i++)
        if (strcasecmp(l->word[1], names[i]) == 0) {
            o->time = i;
            return 0;
        }
    return line_error(p, l, "unknown time \"%s\"", l->word[1]);
}

static int out_count(struct parser *p, const struct ft_cfg_line *l, uint64_t *v)
{
    if (want_words(p, l, 2) < 0)
        return -1;
    if (parse_u64(l->word[1], v) < 0)
        return line_error(p, l, "bad number \"%s\"", l->word[1]);
    return 0;
}

int ft_rformat_parse(const char *name)
{
    static const char *const names[] = { "ascii", "binary", "json", "csv" };
    static const int formats[] = { FT_RFMT_ASCII, FT_RFMT_BINARY, FT_RFMT_JSON, FT_RFMT_CSV };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i]) == 0)
            return formats[i];
    return -1;
}

/* Output statements: 1 taken, 0 not one, -1 error. */
static int output_statement(struct parser *p, const struct ft_cfg_line *l)
{
    struct ft_routput *o = cur_output(p);
    const char *kw = l->word[0];
    int rc;
    if (strcasecmp(kw, "format") == 0) {
        rc = want_words(p, l, 2);
        int fmt = rc == 0 ? ft_rformat_parse(l->word[1]) : 0;
        if (fmt < 0)
            rc = line_error(p, l, "unknown format \"%s\"", l->word[1]);
        else
            o->format = fmt;
    } else if (strcasecmp(kw, "sort") == 0) {
        rc = out_sort(p, l, o);
    } else if (strcasecmp(kw, "records") == 0) {
        rc = out_count(p, l, &o->records);
    } else if (strcasecmp(kw, "tally") == 0) {
        rc = out_count(p, l, &o->tally);
    } else if (strcasecmp(kw, "fields") == 0) {
        rc = parse_switches(p, l, &o->fields, allowed_column);
    } else if (strcasecmp(kw, "options") == 0) {
        rc = parse_switches(p, l, &o->options, option_bits);
    } else if (strcasecmp(kw, "path") == 0) {
        rc = out_path(p, l, o);
    } else if (strcasecmp(kw, "time") == 0) {
        rc = out_time(p, l, o);
    } else {
        return 0;
    }
    return rc < 0 ? -1 : 1;
}

/* ---- definitions ------------------------------------------------------------- */

static int def_name(struct parser *p, const struct ft_cfg_line *l, char **dst, unsigned *line)
{
    if (want_words(p, l, 2) < 0)
        return -1;
    *line = l->lineno;
    return set_name(p, l, dst, l->word[1]);
}

static int def_report(struct parser *p, const struct ft_cfg_line *l)
{
    if (want_words(p, l, 2) < 0)
        return -1;
    struct ft_rdef *d = &p->c->def[p->c->ndef - 1];
    if (d->nreport >= FT_RCFG_MAX_DEF_REPORTS)
        return line_error(p, l, "more than %u reports in a definition",
                          FT_RCFG_MAX_DEF_REPORTS);
    if (FT_RESERVE(d->report, d->report_cap, d->nreport) < 0 ||
        FT_RESERVE(p->pend, p->pend_cap, p->npend) < 0)
        return line_error(p, l, "out of memory");
    struct pending_report *pr = &p->pend[p->npend];
    pr->name = strdup(l->word[1]);
    if (!pr->name)
        return line_error(p, l, "out of memory");
    pr->def = p->c->ndef - 1;
    pr->lineno = l->lineno;
    p->npend++;
    d->report[d->nreport++] = SIZE_MAX;
    return 0;
}

static int def_statement(struct parser *p, const struct ft_cfg_line *l)
{
    struct ft_rdef *d = &p->c->def[p->c->ndef - 1];
    const char *kw = l->word[0];
    int rc;
    if (strcasecmp(kw, "filter") == 0) {
        rc = def_name(p, l, &d->filter, &d->filter_line);
    } else if (strcasecmp(kw, "tag") == 0) {
        rc = def_name(p, l, &d->tag, &d->tag_line);
    } else if (strcasecmp(kw, "mask") == 0) {
        rc = def_name(p, l, &d->mask, &d->mask_line);
    } else if (strcasecmp(kw, "report") == 0) {
        rc = def_report(p, l);
    } else if (strcasecmp(kw, "time-series") == 0) {
        rc = want_words(p, l, 2);
        if (rc == 0 && (parse_u64(l->word[1], &d->time_series) < 0 || !d->time_series))
            rc = line_error(p, l, "bad time-series \"%s\"", l->word[1]);
    } else {
        return 0;
    }
    return rc < 0 ? -1 : 1;
}

/* ---- lines and the end ----------------------------------------------------------- */

static int parse_line(void *ctx, struct ft_cfg_line *l)
{
    struct parser *p = ctx;
    if (ft_cfg_split(l, FT_CFG_MAX_WORDS) < 0)
        return line_error(p, l, "too many words");
    int rc = top_statement(p, l);
    if (rc == 0 && p->ctx == CTX_OUTPUT)
        rc = output_statement(p, l);
    if (rc == 0 && (p->ctx == CTX_REPORT || p->ctx == CTX_OUTPUT))
        rc = report_statement(p, l);
    if (rc == 0 && p->ctx == CTX_DEF)
        rc = def_statement(p, l);
    if (rc == 0)
        return line_error(p, l, "unknown statement \"%s\"", l->word[0]);
    return rc < 0 ? -1 : 0;
}

/* Every report has a type and an output; every definition's reports exist. */
static int finish(struct parser *p)
{
    struct ft_rcfg *c = p->c;
    for (size_t i = 0; i < c->nrep; i++) {
        const struct ft_rreport *r = &c->rep[i];
        if (!r->has_type)
            return ft_cfg_error(p->err, c->file, r->lineno, "report %s has no type",
                                r->name);
        if (r->nout == 0)
            return ft_cfg_error(p->err, c->file, r->lineno, "report %s has no output",
                                r->name);
    }
    size_t slot = 0, last_def = SIZE_MAX;
    for (size_t i = 0; i < p->npend; i++) {
        struct pending_report *pr = &p->pend[i];
        slot = pr->def == last_def ? slot + 1 : 0;
        last_def = pr->def;
        int r = find_report(c, pr->name);
        if (r < 0)
            return ft_cfg_error(p->err, c->file, pr->lineno, "unknown report \"%s\"",
                                pr->name);
        c->def[pr->def].report[slot] = (size_t)r;
    }
    return 0;
}

struct ft_rcfg *ft_rcfg_parse(const char *text, size_t len, const char *name,
                              const struct ft_vars *vars, struct ft_err *err)
{
    struct ft_rcfg *c = calloc(1, sizeof *c);
    if (!c || !(c->file = strdup(name))) {
        free(c);
        ft_err_set(err, "%s: out of memory", name);
        return NULL;
    }
    struct parser p = { .c = c, .ctx = CTX_TOP, .err = err };
    int rc = ft_cfg_lines(text, len, name, vars, parse_line, &p, err);
    if (rc == 0)
        rc = finish(&p);
    for (size_t i = 0; i < p.npend; i++)
        free(p.pend[i].name);
    free(p.pend);
    if (rc < 0) {
        ft_rcfg_free(c);
        return NULL;
    }
    return c;
}

struct ft_rcfg *ft_rcfg_load(const char *path, const struct ft_vars *vars, struct ft_err *err)
{
    size_t len;
    char *text = ft_file_read(path, FT_RCFG_MAX_FILE, &len, err);
    if (!text)
        return NULL;
    struct ft_rcfg *c = ft_rcfg_parse(text, len, path, vars, err);
    free(text);
    return c;
}

void ft_rcfg_free(struct ft_rcfg *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nrep; i++) {
        struct ft_rreport *r = &c->rep[i];
        for (size_t j = 0; j < r->nout; j++)
            free(r->out[j].path);
        free(r->out);
        free(r->name);
        free(r->filter);
    }
    for (size_t i = 0; i < c->ndef; i++) {
        struct ft_rdef *d = &c->def[i];
        free(d->name);
        free(d->filter);
        free(d->tag);
        free(d->mask);
        free(d->report);
    }
    free(c->rep);
    free(c->def);
    free(c->filter_file);
    free(c->tag_file);
    free(c->mask_file);
    free(c->file);
    free(c);
}

const struct ft_rdef *ft_rcfg_find_def(const struct ft_rcfg *c, const char *name)
{
    for (size_t i = 0; i < c->ndef; i++)
        if (strcasecmp(c->def[i].name, name) == 0)
            return &c->def[i];
    return NULL;
}
