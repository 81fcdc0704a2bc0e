/*
 * ft_filter.c - parsing the filter language (see ft_filter.h and
 * nfilter-language.md section 1): the lines, the definitions, and what
 * follows the last line; the primitives are ft_filter_prim.c's.
 *
 * The file is read line by line (ft_cfg_lines: blank lines and comments
 * dropped, variables expanded); each line is split into words and handed
 * to the handler of its keyword in the current context (top level, in a
 * primitive, in a definition).  Primitives are
 * compiled and `match` lines resolved once the whole file is read, since a
 * definition may name a primitive defined further down.
 */
#include <ctype.h>
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

#define ADDR_TYPES (PT_BIT(PT_IP_ADDRESS) | PT_BIT(PT_IP_MASK) | PT_BIT(PT_IP_PREFIX))
#define TAG_TYPES (PT_BIT(PT_TAG) | PT_BIT(PT_TAG_MASK))
/* start-time with a counter compares the start seconds (the original
 * accepts the pair but evaluates it with whatever function came before). */
#define TIME_TYPES (PT_BIT(PT_TIME_DATE) | PT_BIT(PT_TIME) | PT_BIT(PT_COUNTER))
#define EXPORT_TIME (FT_F_UNIX_SECS | FT_F_UNIX_NSECS | FT_F_SYSUPTIME)

/* The primitive types a member of each kind takes: the language's own
 * knowledge (nfilter-language.md 1.3); its names and members are the field
 * table's.  0: the language cannot test such a member. */
static unsigned kind_types(enum ft_fkind kind)
{
    switch (kind) {
    case FT_K_ADDRESS: return ADDR_TYPES;
    case FT_K_COUNTER: return PT_BIT(PT_COUNTER);
    case FT_K_PORT: return PT_BIT(PT_IP_PORT);
    case FT_K_PROTOCOL: return PT_BIT(PT_IP_PROT);
    case FT_K_TOS: return PT_BIT(PT_TOS);
    case FT_K_TCP_FLAGS: return PT_BIT(PT_TCP_FLAGS);
    case FT_K_PREFIX_LEN: return PT_BIT(PT_PREFIX_LEN);
    case FT_K_INTERFACE: return PT_BIT(PT_IFINDEX);
    case FT_K_AS: return PT_BIT(PT_AS);
    case FT_K_TAG: return TAG_TYPES;
    case FT_K_ENGINE: return PT_BIT(PT_ENGINE);
    default: return 0;
    }
}

/* The fields the language computes from members, or that have no value. */
static const struct {
    const char *name;
    enum fil_source source;
    unsigned types;             /* PT_BIT()s of the primitives it takes */
    uint64_t need;              /* FT_F_* it is computed from */
} computed_fields[] = {
    {"duration", SRC_DURATION, PT_BIT(PT_COUNTER), FT_F_FIRST | FT_F_LAST},
    {"start-time", SRC_START, TIME_TYPES, EXPORT_TIME | FT_F_FIRST},
    {"end-time", SRC_END, PT_BIT(PT_TIME_DATE) | PT_BIT(PT_TIME), EXPORT_TIME | FT_F_LAST},
    {"bps", SRC_BPS, PT_BIT(PT_DOUBLE), FT_F_DOCTETS | FT_F_FIRST | FT_F_LAST},
    {"pps", SRC_PPS, PT_BIT(PT_DOUBLE), FT_F_DPKTS | FT_F_FIRST | FT_F_LAST},
    {"random-sample", SRC_RANDOM, PT_BIT(PT_RATE), 0},
};
#define N_COMPUTED (sizeof computed_fields / sizeof computed_fields[0])

/* The field a `match` names (in any case) into t: a computed field, or a
 * member by one of its language spellings in the field table.  -1 when
 * there is none, or the language cannot test that member. */
static int resolve_field(const char *name, struct fil_test *t)
{
    char lower[64];
    size_t len = strlen(name);
    if (len >= sizeof lower)
        return -1;
    for (size_t i = 0; i <= len; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    for (size_t i = 0; i < N_COMPUTED; i++) {
        if (strcmp(lower, computed_fields[i].name) == 0) {
            t->source = (uint8_t)computed_fields[i].source;
            t->types = computed_fields[i].types;
            t->need = computed_fields[i].need;
            return 0;
        }
    }
    const struct ft_field *d = ft_field_by_lang(lower);
    if (!d || !kind_types((enum ft_fkind)d->kind))
        return -1;
    t->source = d->type == FT_T_IP ? SRC_ADDRESS : SRC_NUMBER;
    t->field = d;
    t->types = kind_types((enum ft_fkind)d->kind);
    t->need = d->has;
    return 0;
}

static int def_match(struct fil_parser *p, const struct ft_cfg_line *l)
{
    struct ft_filter_def *d = p->def;
    struct fil_test t = {.line = (int)l->lineno};
    if (fil_word_count(p, l, 3, "a field and a primitive") < 0)
        return -1;
    if (resolve_field(l->word[1], &t) < 0)
        return fil_line_error(p, l, "Unknown match criteria \"%s\"", l->word[1]);
    if (d->n >= FT_FILTER_MAX_TESTS)
        return fil_line_error(p, l, "more than %u matches in definition \"%s\"",
                              FT_FILTER_MAX_TESTS, d->name);
    if (FT_RESERVE(d->tests, d->cap, d->n) < 0)
        return fil_line_error(p, l, "out of memory");
    if (d->n > 0 && d->group_pending)
        d->tests[d->n - 1].ends_group = 1;
    d->group_pending = 0;
    struct fil_test *slot = &d->tests[d->n++];  /* counted first: free_def frees its names */
    *slot = t;
    if (!(slot->field_name = strdup(l->word[1])) || !(slot->prim_name = strdup(l->word[2])))
        return fil_line_error(p, l, "out of memory");
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
    if (!d || FT_RESERVE(f->defs, f->cap_defs, f->n_defs) < 0
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
        t->prim = find_prim(f, t->prim_name);
        if (!t->prim)
            return ft_err_set(err, "%s line %d: Unable to resolve primitive \"%s\"",
                              f->file, t->line, t->prim_name);
        if (t->prim->type == PT_NONE)
            return ft_err_set(err, "%s line %d: primitive \"%s\" has no type",
                              f->file, t->line, t->prim_name);
        if (!(t->types & PT_BIT(t->prim->type)))
            return ft_err_set(err, "%s line %d: Primitive \"%s\" incompatible with match \"%s\"",
                              f->file, t->line, t->prim_name, t->field_name);
        free(t->prim_name);
        free(t->field_name);
        t->prim_name = t->field_name = NULL;
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
    for (size_t i = 0; i < d->n; i++) {
        free(d->tests[i].prim_name);
        free(d->tests[i].field_name);
    }
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
