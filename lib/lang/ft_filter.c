/*
 * ft_filter.c - parsing the filter language (see ft_filter.h and
 * nfilter-language.md section 1): the lines, the definitions, and what
 * follows the last line; the primitives are ft_filter_prim.c's.
 *
 * The file is read line by line; each line is expanded (variables), split
 * into words and handed to the handler of its keyword in the current
 * context (top level, in a primitive, in a definition).  Primitives are
 * compiled and `match` lines resolved once the whole file is read, since a
 * definition may name a primitive defined further down.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/ft_err.h"
#include "core/ft_file.h"
#include "lang/ft_cfg.h"
#include "lang/ft_filter_int.h"

#define MAX_WORDS FT_CFG_MAX_WORDS

int fil_line_error(const struct fil_parser *p, const struct ft_cfg_line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ft_cfg_verror(p->err, p->f->file, l->lineno, fmt, ap);
    va_end(ap);
    return rc;
}

void fil_line_warn(const struct fil_parser *p, const struct ft_cfg_line *l, const char *fmt, ...)
{
    const struct ft_filter_opts *o = &p->f->opts;
    char msg[400], full[512];
    va_list ap;
    if (!o->warn)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(full, sizeof full, "%s line %u: %s", p->f->file, l->lineno, msg);
    o->warn(o->warn_ctx, full);
}

int fil_word_count(const struct fil_parser *p, const struct ft_cfg_line *l, int n,
                   const char *what)
{
    if (l->n > n)
        return fil_line_error(p, l, "unexpected \"%s\" after %s", l->word[n], l->word[n - 1]);
    if (l->n < n)
        return fil_line_error(p, l, "%s: expecting %s", l->word[0], what);
    return 0;
}

/* ---- definitions ------------------------------------------------------------------- */

static const struct {
    const char *name;
    enum fil_field field;
    unsigned types;             /* PT_BIT()s of the primitives it takes */
} match_fields[] = {
#define ADDR_TYPES (PT_BIT(PT_IP_ADDRESS) | PT_BIT(PT_IP_MASK) | PT_BIT(PT_IP_PREFIX))
#define TAG_TYPES (PT_BIT(PT_TAG) | PT_BIT(PT_TAG_MASK))
/* start-time with a counter compares the start seconds (the original
 * accepts the pair but evaluates it with whatever function came before). */
#define TIME_TYPES (PT_BIT(PT_TIME_DATE) | PT_BIT(PT_TIME) | PT_BIT(PT_COUNTER))
    {"src-as", FF_SRC_AS, PT_BIT(PT_AS)}, {"source-as", FF_SRC_AS, PT_BIT(PT_AS)},
    {"dst-as", FF_DST_AS, PT_BIT(PT_AS)}, {"destination-as", FF_DST_AS, PT_BIT(PT_AS)},
    {"ip-protocol", FF_PROT, PT_BIT(PT_IP_PROT)},
    {"src-ip-addr-prefix-len", FF_SRC_MASK, PT_BIT(PT_PREFIX_LEN)},
    {"ip-source-address-prefix-len", FF_SRC_MASK, PT_BIT(PT_PREFIX_LEN)},
    {"dst-ip-addr-prefix-len", FF_DST_MASK, PT_BIT(PT_PREFIX_LEN)},
    {"ip-destination-address-prefix-len", FF_DST_MASK, PT_BIT(PT_PREFIX_LEN)},
    {"ip-tos", FF_TOS, PT_BIT(PT_TOS)},
    {"ip-marked-tos", FF_MARKED_TOS, PT_BIT(PT_TOS)},
    {"ip-tcp-flags", FF_TCP_FLAGS, PT_BIT(PT_TCP_FLAGS)},
    {"src-ip-port", FF_SRCPORT, PT_BIT(PT_IP_PORT)},
    {"ip-source-port", FF_SRCPORT, PT_BIT(PT_IP_PORT)},
    {"dst-ip-port", FF_DSTPORT, PT_BIT(PT_IP_PORT)},
    {"ip-destination-port", FF_DSTPORT, PT_BIT(PT_IP_PORT)},
    {"src-ifindex", FF_INPUT, PT_BIT(PT_IFINDEX)},
    {"input-interface", FF_INPUT, PT_BIT(PT_IFINDEX)},
    {"dst-ifindex", FF_OUTPUT, PT_BIT(PT_IFINDEX)},
    {"output-interface", FF_OUTPUT, PT_BIT(PT_IFINDEX)},
    {"engine-id", FF_ENGINE_ID, PT_BIT(PT_ENGINE)},
    {"engine-type", FF_ENGINE_TYPE, PT_BIT(PT_ENGINE)},
    {"flows", FF_FLOWS, PT_BIT(PT_COUNTER)},
    {"octets", FF_OCTETS, PT_BIT(PT_COUNTER)},
    {"packets", FF_PACKETS, PT_BIT(PT_COUNTER)},
    {"extra-packets", FF_EXTRA_PKTS, PT_BIT(PT_COUNTER)},
    {"duration", FF_DURATION, PT_BIT(PT_COUNTER)},
    {"start-time", FF_START, TIME_TYPES},
    {"end-time", FF_END, PT_BIT(PT_TIME_DATE) | PT_BIT(PT_TIME)},
    {"src-tag", FF_SRC_TAG, TAG_TYPES}, {"source-tag", FF_SRC_TAG, TAG_TYPES},
    {"dst-tag", FF_DST_TAG, TAG_TYPES}, {"destination-tag", FF_DST_TAG, TAG_TYPES},
    {"nexthop-ip-addr", FF_NEXTHOP, ADDR_TYPES},
    {"ip-nexthop-address", FF_NEXTHOP, ADDR_TYPES},
    {"shortcut-ip-addr", FF_ROUTER_SC, ADDR_TYPES},
    {"ip-shortcut-address", FF_ROUTER_SC, ADDR_TYPES},
    {"src-ip-addr", FF_SRCADDR, ADDR_TYPES},
    {"ip-source-address", FF_SRCADDR, ADDR_TYPES},
    {"dst-ip-addr", FF_DSTADDR, ADDR_TYPES},
    {"ip-destination-address", FF_DSTADDR, ADDR_TYPES},
    {"exporter-ip-addr", FF_EXADDR, ADDR_TYPES},
    {"ip-exporter-address", FF_EXADDR, ADDR_TYPES},
    {"bps", FF_BPS, PT_BIT(PT_DOUBLE)},
    {"pps", FF_PPS, PT_BIT(PT_DOUBLE)},
    {"random-sample", FF_RANDOM, PT_BIT(PT_RATE)},
};
#define N_MATCH_FIELDS (sizeof match_fields / sizeof match_fields[0])

static int find_field(const char *name)
{
    for (size_t i = 0; i < N_MATCH_FIELDS; i++)
        if (strcasecmp(name, match_fields[i].name) == 0)
            return (int)i;
    return -1;
}

static int def_match(struct fil_parser *p, const struct ft_cfg_line *l)
{
    struct ft_filter_def *d = p->def;
    if (fil_word_count(p, l, 3, "a field and a primitive") < 0)
        return -1;
    int fi = find_field(l->word[1]);
    if (fi < 0)
        return fil_line_error(p, l, "Unknown match criteria \"%s\"", l->word[1]);
    if (d->n >= FT_FILTER_MAX_TESTS)
        return fil_line_error(p, l, "more than %u matches in definition \"%s\"",
                          FT_FILTER_MAX_TESTS, d->name);
    if (FT_CFG_RESERVE(d->tests, d->cap, d->n) < 0)
        return fil_line_error(p, l, "out of memory");
    struct fil_test *t = &d->tests[d->n];
    memset(t, 0, sizeof *t);
    t->field = (uint8_t)fi;     /* index into match_fields until resolved */
    t->line = l->lineno;
    if (!(t->prim_name = strdup(l->word[2])))
        return fil_line_error(p, l, "out of memory");
    if (d->n > 0 && d->group_pending)
        d->tests[d->n - 1].ends_group = 1;
    d->group_pending = 0;
    d->n++;
    return 0;
}

static int start_definition(struct fil_parser *p, const struct ft_cfg_line *l)
{
    struct ft_filter *f = p->f;
    if (fil_word_count(p, l, 2, "one name") < 0)
        return -1;
    if (f->n_defs >= FT_FILTER_MAX_DEFINITIONS)
        return fil_line_error(p, l, "more than %u definitions", FT_FILTER_MAX_DEFINITIONS);
    struct ft_filter_def *d = calloc(1, sizeof *d);
    if (!d || FT_CFG_RESERVE(f->defs, f->cap_defs, f->n_defs) < 0
        || !(d->name = strdup(l->word[1]))) {
        free(d);
        return fil_line_error(p, l, "out of memory");
    }
    d->line = l->lineno;
    d->rng = &f->rng;
    f->defs[f->n_defs++] = d;
    p->def = d;
    p->prim = NULL;
    return 0;
}

/* ---- lines --------------------------------------------------------------------------- */

static int in_definition(struct fil_parser *p, const struct ft_cfg_line *l)
{
    const char *k = l->word[0];
    if (strcasecmp(k, "match") == 0)
        return def_match(p, l);
    if (strcasecmp(k, "or") == 0) {
        if (fil_word_count(p, l, 1, "nothing") < 0)
            return -1;
        p->def->group_pending = 1;
        return 0;
    }
    if (strcasecmp(k, "invert") == 0) {
        if (fil_word_count(p, l, 1, "nothing") < 0)
            return -1;
        p->def->invert = 1;
        return 0;
    }
    return fil_line_error(p, l, "Unexpected keyword \"%s\" in definition", k);
}

static int parse_line(struct fil_parser *p, struct ft_cfg_line *l)
{
    if (ft_cfg_split(l, MAX_WORDS) < 0)
        return fil_line_error(p, l, "more than %d words", MAX_WORDS);
    const char *k = l->word[0];
    if (strcasecmp(k, "filter-primitive") == 0)
        return fil_prim_start(p, l);
    if (strcasecmp(k, "filter-definition") == 0)
        return start_definition(p, l);
    if (p->prim)
        return fil_prim_statement(p, l);
    if (p->def)
        return in_definition(p, l);
    return fil_line_error(p, l, "Unexpected keyword \"%s\"", k);
}

/* ---- after the last line: duplicates, references, compilation ------------------------ */

static int cmp_prim(const void *a, const void *b)
{
    const struct fil_prim *x = *(const struct fil_prim *const *)a;
    const struct fil_prim *y = *(const struct fil_prim *const *)b;
    int c = strcasecmp(x->name, y->name);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int cmp_def(const void *a, const void *b)
{
    const struct ft_filter_def *x = *(const struct ft_filter_def *const *)a;
    const struct ft_filter_def *y = *(const struct ft_filter_def *const *)b;
    int c = strcasecmp(x->name, y->name);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* Sort both name lists (for lookups) and refuse names defined twice. */
static int check_names(struct ft_filter *f, struct ft_err *err)
{
    if (f->n_prims)
        qsort(f->prims, f->n_prims, sizeof *f->prims, cmp_prim);
    if (f->n_defs)
        qsort(f->defs, f->n_defs, sizeof *f->defs, cmp_def);
    for (size_t i = 1; i < f->n_prims; i++)
        if (strcasecmp(f->prims[i]->name, f->prims[i - 1]->name) == 0)
            return ft_err_set(err, "%s line %d: Name (%s) previously defined",
                              f->file, f->prims[i]->line, f->prims[i]->name);
    for (size_t i = 1; i < f->n_defs; i++)
        if (strcasecmp(f->defs[i]->name, f->defs[i - 1]->name) == 0)
            return ft_err_set(err, "%s line %d: Name (%s) previously defined",
                              f->file, f->defs[i]->line, f->defs[i]->name);
    return 0;
}

static struct fil_prim *find_prim(const struct ft_filter *f, const char *name)
{
    size_t lo = 0, hi = f->n_prims;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcasecmp(name, f->prims[mid]->name);
        if (c == 0)
            return f->prims[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static int resolve_def(struct ft_filter *f, struct ft_filter_def *d, struct ft_err *err)
{
    for (size_t i = 0; i < d->n; i++) {
        struct fil_test *t = &d->tests[i];
        unsigned fi = t->field;
        t->prim = find_prim(f, t->prim_name);
        if (!t->prim)
            return ft_err_set(err, "%s line %d: Unable to resolve primitive \"%s\"",
                              f->file, t->line, t->prim_name);
        if (t->prim->type == PT_NONE)
            return ft_err_set(err, "%s line %d: primitive \"%s\" has no type",
                              f->file, t->line, t->prim_name);
        if (!(match_fields[fi].types & PT_BIT(t->prim->type)))
            return ft_err_set(err, "%s line %d: Primitive \"%s\" incompatible with match \"%s\"",
                              f->file, t->line, t->prim_name, match_fields[fi].name);
        t->field = (uint8_t)match_fields[fi].field;
        free(t->prim_name);
        t->prim_name = NULL;
    }
    fil_compile_def(d);
    return 0;
}

static int finish(struct ft_filter *f, struct ft_err *err)
{
    if (check_names(f, err) < 0)
        return -1;
    for (size_t i = 0; i < f->n_prims; i++)
        if (fil_compile_prim(f->prims[i]) < 0)
            return ft_err_set(err, "%s: out of memory", f->file);
    for (size_t i = 0; i < f->n_defs; i++)
        if (resolve_def(f, f->defs[i], err) < 0)
            return -1;
    return 0;
}

/* ---- public -------------------------------------------------------------------------- */

static uint64_t clock_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16);
}

static struct ft_filter *filter_new(const char *name, const struct ft_filter_opts *o)
{
    struct ft_filter *f = calloc(1, sizeof *f);
    if (!f || !(f->file = strdup(name ? name : "filter"))) {
        free(f);
        return NULL;
    }
    if (o)
        f->opts = *o;
    f->rng = f->opts.seed ? f->opts.seed : clock_seed();
    if (!f->rng)
        f->rng = 1;
    return f;
}

static int parse_one_line(void *parser, struct ft_cfg_line *l)
{
    return parse_line(parser, l);
}

struct ft_filter *ft_filter_parse(const char *text, size_t len, const char *name,
                                  const struct ft_filter_opts *o, struct ft_err *err)
{
    struct ft_filter *f = filter_new(name, o);
    if (!f) {
        ft_err_set(err, "out of memory");
        return NULL;
    }
    struct fil_parser p = {.f = f, .err = err};
    if (ft_cfg_lines(text, len, f->file, f->opts.vars, parse_one_line, &p, err) < 0 ||
        finish(f, err) < 0) {
        ft_filter_free(f);
        return NULL;
    }
    return f;
}

struct ft_filter *ft_filter_load(const char *path, const struct ft_filter_opts *o,
                                 struct ft_err *err)
{
    size_t len;
    char *text = ft_file_read(path, FT_FILTER_MAX_FILE, &len, err);
    if (!text)
        return NULL;
    struct ft_filter *f = ft_filter_parse(text, len, path, o, err);
    free(text);
    return f;
}

static void free_def(struct ft_filter_def *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->tests[i].prim_name);
    free(d->tests);
    free(d->name);
    free(d);
}

void ft_filter_free(struct ft_filter *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_prims; i++)
        fil_prim_free(f->prims[i]);
    for (size_t i = 0; i < f->n_defs; i++)
        free_def(f->defs[i]);
    for (int t = 0; t < FT_SYM_NTABLES; t++)
        ft_sym_free(f->sym[t]);
    free(f->prims);
    free(f->defs);
    free(f->file);
    free(f);
}

struct ft_filter_def *ft_filter_find(const struct ft_filter *f, const char *name)
{
    size_t lo = 0, hi = f->n_defs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcasecmp(name, f->defs[mid]->name);
        if (c == 0)
            return f->defs[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

size_t ft_filter_count_primitives(const struct ft_filter *f)
{
    return f->n_prims;
}

size_t ft_filter_count_definitions(const struct ft_filter *f)
{
    return f->n_defs;
}

uint64_t ft_filter_def_fields(const struct ft_filter_def *d)
{
    return d->need;
}
