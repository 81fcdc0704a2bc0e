/*
 * ft_xlate.c - the xlate language: statements, definitions, resolution
 * (see ft_xlate.h).  Like flow-tools, a statement is known only in its
 * context (action parameters after xlate-action, term statements after
 * xlate-definition); actions may be defined after the terms that use them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/ft_file.h"
#include "lang/ft_cfg.h"
#include "lang/ft_xlate_int.h"

enum state { S_TOP, S_ACTION, S_DEFINITION };

struct parser {
    struct ft_xlate *x;
    struct ft_err *err;
    const struct ft_cfg_line *l;
    enum state state;
    int in_term;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ft_cfg_verror(p->err, p->x->file, p->l->lineno, fmt, ap);
    va_end(ap);
    return rc;
}

/* The one argument of a statement: its word, or NULL after failing. */
static const char *one_arg(struct parser *p)
{
    const struct ft_cfg_line *l = p->l;
    if (l->n < 2) {
        fail(p, "%s: missing argument", l->word[0]);
        return NULL;
    }
    if (l->n > 2) {
        fail(p, "unexpected \"%s\"", l->word[2]);
        return NULL;
    }
    return l->word[1];
}

static struct xlate_action *find_action(const struct ft_xlate *x, const char *name)
{
    for (size_t i = 0; i < x->nactions; i++)
        if (strcasecmp(x->action[i]->name, name) == 0)
            return x->action[i];
    return NULL;
}

struct ft_xlate_def *ft_xlate_find(const struct ft_xlate *x, const char *name)
{
    for (size_t i = 0; i < x->ndefs; i++)
        if (strcasecmp(x->def[i].name, name) == 0)
            return &x->def[i];
    return NULL;
}

/* ---- top level ------------------------------------------------------------ */

static int st_include_filter(struct parser *p)
{
    const char *path = one_arg(p);
    if (!path)
        return -1;
    if (p->x->filter_path)
        return fail(p, "include-filter \"%s\": the filter file is already named", path);
    if (p->x->filters)
        return fail(p, "include-filter \"%s\" after the first filter statement", path);
    if (!(p->x->filter_path = strdup(path)))
        return fail(p, "out of memory");
    return 0;
}

static int st_action(struct parser *p)
{
    struct ft_xlate *x = p->x;
    const char *name = one_arg(p);
    if (!name)
        return -1;
    if (find_action(x, name))
        return fail(p, "xlate-action %s defined twice", name);
    if (x->nactions >= FT_XLATE_MAX_ACTIONS || FT_RESERVE(x->action, x->cap_actions, x->nactions) < 0)
        return fail(p, "%s: too many actions", name);
    struct xlate_action *a = calloc(1, sizeof *a);
    if (!a || !(a->name = strdup(name))) {
        free(a);
        return fail(p, "out of memory");
    }
    a->line = p->l->lineno;
    x->action[x->nactions++] = a;
    p->state = S_ACTION;
    return 0;
}

static int st_definition(struct parser *p)
{
    struct ft_xlate *x = p->x;
    const char *name = one_arg(p);
    if (!name)
        return -1;
    if (ft_xlate_find(x, name))
        return fail(p, "xlate-definition %s defined twice", name);
    if (x->ndefs >= FT_XLATE_MAX_DEFINITIONS || FT_RESERVE(x->def, x->cap_defs, x->ndefs) < 0)
        return fail(p, "%s: too many definitions", name);
    struct ft_xlate_def *d = &x->def[x->ndefs];
    memset(d, 0, sizeof *d);
    if (!(d->name = strdup(name)))
        return fail(p, "out of memory");
    d->x = x;
    d->first_term = x->nterms;
    x->ndefs++;
    p->state = S_DEFINITION;
    p->in_term = 0;
    return 0;
}

/* ---- action parameters ---------------------------------------------------- */

static struct xlate_action *cur_action(struct parser *p)
{
    return p->x->action[p->x->nactions - 1];
}

static int st_type(struct parser *p)
{
    struct xlate_action *a = cur_action(p);
    const char *name = one_arg(p);
    if (!name)
        return -1;
    if (a->type)
        return fail(p, "type \"%s\": xlate-action %s has a type already", name, a->name);
    const struct xlate_type *t = xlate_type_find(name);
    if (!t)
        return fail(p, "unknown type \"%s\"", name);
    if (xlate_action_set_type(a, t) < 0)
        return fail(p, "type \"%s\": a field of it is missing from the field table", name);
    return 0;
}

/* The action's type takes parameter `want`: 0, or -1 after saying why not. */
static int takes(struct parser *p, enum xlate_param want)
{
    struct xlate_action *a = cur_action(p);
    if (!a->type)
        return fail(p, "%s before the type of xlate-action %s", p->l->word[0], a->name);
    if (a->type->param != want)
        return fail(p, "\"%s\" is no parameter of type %s", p->l->word[0], a->type->name);
    return 0;
}

/* A number in C notation no wider than `max`: 0, or -1. */
static int number(const char *s, uint64_t max, uint64_t *v)
{
    char *end;
    if (*s == '-' || *s == '+' || *s == '\0')
        return -1;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 0);
    if (errno || *end || n > max)
        return -1;
    *v = n;
    return 0;
}

/* A mask for field d: a C number no wider than the field, or for an IPv4
 * address a dotted quad (flow-tools reads "255.255.255.0" as 255). */
static int parse_mask(const char *s, const struct ft_field *d, uint64_t *v)
{
    static const uint64_t widest[] = {
        [FT_T_IP] = UINT32_MAX, [FT_T_U8] = UINT8_MAX, [FT_T_U16] = UINT16_MAX,
        [FT_T_U32] = UINT32_MAX, [FT_T_U64] = UINT64_MAX
    };
    struct in_addr in;
    if (d->type == FT_T_IP && strchr(s, '.')) {
        if (inet_pton(AF_INET, s, &in) != 1)
            return -1;
        *v = ntohl(in.s_addr);
        return 0;
    }
    return number(s, widest[d->type], v);
}

static int st_mask(struct parser *p)
{
    const struct ft_cfg_line *l = p->l;
    if (takes(p, XP_MASK) < 0)
        return -1;
    if (l->n < 3)
        return fail(p, "mask: expecting a source and a destination mask");
    if (l->n > 3)
        return fail(p, "unexpected \"%s\"", l->word[3]);
    struct xlate_action *a = cur_action(p);
    for (int i = 0; i < 2; i++)
        if (parse_mask(l->word[1 + i], a->field[i], &a->mask[i]) < 0)
            return fail(p, "bad mask \"%s\" for %s", l->word[1 + i], a->field[i]->name);
    a->have_param = 1;
    return 0;
}

static int st_value(struct parser *p)
{
    int scale = strcasecmp(p->l->word[0], "scale") == 0;
    if (takes(p, scale ? XP_SCALE : XP_AS) < 0)
        return -1;
    const char *s = one_arg(p);
    if (!s)
        return -1;
    struct xlate_action *a = cur_action(p);
    if (number(s, UINT32_MAX, &a->value) < 0)
        return fail(p, "bad %s \"%s\"", scale ? "scale" : "AS number", s);
    a->have_param = 1;
    return 0;
}

static int st_key(struct parser *p)
{
    if (takes(p, XP_KEY) < 0)
        return -1;
    const char *s = one_arg(p);
    if (!s)
        return -1;
    struct xlate_action *a = cur_action(p);
    /* the key itself stays out of the message */
    if (xlate_key_hex(s, a->key) < 0)
        return fail(p, "key: not a key of up to 64 hexadecimal digits");
    a->have_param = 1;
    return 0;
}

static int st_key_file(struct parser *p)
{
    if (takes(p, XP_KEY) < 0)
        return -1;
    const char *path = one_arg(p);
    if (!path)
        return -1;
    struct xlate_action *a = cur_action(p);
    struct ft_err e;
    if (a->key_file)
        return fail(p, "key-file \"%s\": xlate-action %s has one already", path, a->name);
    if (!(a->key_file = strdup(path)))
        return fail(p, "out of memory");
    if (xlate_key_file(path, a->key, &e) < 0)
        return fail(p, "key-file: %s", e.msg);
    a->have_param = 1;
    return 0;
}

/* HH[:MM[:SS]] into hms: 0, or -1. */
static int parse_time_of_day(const char *s, int hms[3])
{
    for (int part = 0; part < 3; part++) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s || *s == '-' || *s == '+' || v > (part ? 59 : 23))
            return -1;
        hms[part] = (int)v;
        if (*end == '\0')
            return 0;
        if (*end != ':')
            return -1;
        s = end + 1;
    }
    return -1;                  /* a fourth part */
}

/* key-file-refresh MINUTES [HH[:MM[:SS]]] */
static int st_key_refresh(struct parser *p)
{
    const struct ft_cfg_line *l = p->l;
    if (takes(p, XP_KEY) < 0)
        return -1;
    if (l->n < 2)
        return fail(p, "key-file-refresh: missing argument");
    if (l->n > 3)
        return fail(p, "unexpected \"%s\"", l->word[3]);
    struct xlate_action *a = cur_action(p);
    uint64_t minutes;
    if (number(l->word[1], 24 * 60, &minutes) < 0 || minutes == 0)
        return fail(p, "bad refresh interval \"%s\" (minutes, 1 to 1440)", l->word[1]);
    int hms[3] = {0, 0, 0};
    if (l->n == 3 && parse_time_of_day(l->word[2], hms) < 0)
        return fail(p, "bad start time \"%s\" (HH:MM:SS)", l->word[2]);
    time_t now = p->x->o.now ? p->x->o.now : time(NULL);
    a->refresh_minutes = (unsigned)minutes;
    a->refresh_next = xlate_refresh_start(now, a->refresh_minutes, l->n == 3,
                                          hms[0], hms[1], hms[2]);
    return 0;
}

static int st_algorithm(struct parser *p)
{
    if (takes(p, XP_KEY) < 0)
        return -1;
    const char *s = one_arg(p);
    if (!s)
        return -1;
    if (strcasecmp(s, "cryptopan-aes128") != 0)
        return fail(p, "unknown algorithm \"%s\" (cryptopan-aes128 is the one)", s);
    return 0;
}

/* ---- terms ---------------------------------------------------------------- */

static struct xlate_term *cur_term(struct parser *p)
{
    return &p->x->term[p->x->nterms - 1];
}

static int st_term(struct parser *p)
{
    struct ft_xlate *x = p->x;
    if (p->l->n > 1)
        return fail(p, "unexpected \"%s\"", p->l->word[1]);
    if (x->nterms >= FT_XLATE_MAX_TERMS || FT_RESERVE(x->term, x->cap_terms, x->nterms) < 0)
        return fail(p, "too many terms");
    struct xlate_term *t = &x->term[x->nterms++];
    memset(t, 0, sizeof *t);
    t->first = x->nterm_actions;
    x->def[x->ndefs - 1].nterms++;
    p->in_term = 1;
    return 0;
}

static int need_term(struct parser *p)
{
    if (!p->in_term)
        return fail(p, "\"%s\" before the first term", p->l->word[0]);
    return 0;
}

static int load_filters(struct parser *p)
{
    struct ft_xlate *x = p->x;
    if (x->filters)
        return 0;
    const char *path = x->filter_path ? x->filter_path : x->o.filter_file;
    if (!path)
        return fail(p, "filter: no filter file (include-filter)");
    struct ft_filter_opts fo = {.vars = x->o.vars, .symdir = x->o.symdir,
                                .resolver = x->o.resolver,
                                .warn = x->o.warn, .warn_ctx = x->o.warn_ctx};
    struct ft_err e;
    if (!(x->filters = ft_filter_load(path, &fo, &e)))
        return fail(p, "filter file: %s", e.msg);
    return 0;
}

static int st_filter(struct parser *p)
{
    const char *name = one_arg(p);
    if (!name || need_term(p) < 0)
        return -1;
    struct xlate_term *t = cur_term(p);
    if (t->filter)
        return fail(p, "filter \"%s\": the term has a filter already", name);
    if (load_filters(p) < 0)
        return -1;
    if (!(t->filter = ft_filter_find(p->x->filters, name)))
        return fail(p, "no filter-definition \"%s\"", name);
    p->x->def[p->x->ndefs - 1].fields |= ft_filter_def_fields(t->filter);
    return 0;
}

static int st_stop(struct parser *p)
{
    if (need_term(p) < 0)
        return -1;
    if (p->l->n > 1)
        return fail(p, "unexpected \"%s\"", p->l->word[1]);
    cur_term(p)->stop = 1;
    return 0;
}

static int st_term_action(struct parser *p)
{
    struct ft_xlate *x = p->x;
    const char *name = one_arg(p);
    if (!name || need_term(p) < 0)
        return -1;
    if (x->nterm_actions >= FT_XLATE_MAX_TERMS ||
        FT_RESERVE(x->term_action, x->cap_term_actions, x->nterm_actions) < 0)
        return fail(p, "too many actions in terms");
    struct xlate_term_action *ta = &x->term_action[x->nterm_actions];
    if (!(ta->name = strdup(name)))
        return fail(p, "out of memory");
    ta->line = p->l->lineno;
    ta->action = NULL;
    x->nterm_actions++;
    cur_term(p)->n++;
    return 0;
}

/* ---- lines ---------------------------------------------------------------- */

struct statement {
    const char *word;
    enum state state;           /* S_TOP: anywhere */
    int (*fn)(struct parser *p);
};

static const struct statement statements[] = {
    {"include-filter", S_TOP, st_include_filter},
    {"xlate-action", S_TOP, st_action},
    {"xlate-definition", S_TOP, st_definition},
    {"type", S_ACTION, st_type},
    {"mask", S_ACTION, st_mask},
    {"scale", S_ACTION, st_value},
    {"as", S_ACTION, st_value},
    {"key", S_ACTION, st_key},
    {"key-file", S_ACTION, st_key_file},
    {"key-file-refresh", S_ACTION, st_key_refresh},
    {"algorithm", S_ACTION, st_algorithm},
    {"term", S_DEFINITION, st_term},
    {"filter", S_DEFINITION, st_filter},
    {"stop", S_DEFINITION, st_stop},
    {"action", S_DEFINITION, st_term_action},
};

static int parse_line(void *ctx, struct ft_cfg_line *l)
{
    struct parser *p = ctx;
    p->l = l;
    if (ft_cfg_split(l, FT_CFG_MAX_WORDS) < 0)
        return fail(p, "too many words");
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        const struct statement *s = &statements[i];
        if (strcasecmp(l->word[0], s->word) == 0 && (s->state == S_TOP || s->state == p->state))
            return s->fn(p);
    }
    return fail(p, "unexpected \"%s\"", l->word[0]);
}

/* ---- after the last line -------------------------------------------------- */

static int check_action(struct ft_xlate *x, struct xlate_action *a, struct ft_err *err)
{
    static const uint8_t zero[FT_CRYPTOPAN_KEY_SIZE];
    const char *f = x->file;
    if (!a->type)
        return ft_cfg_error(err, f, a->line, "xlate-action %s has no type", a->name);
    if (a->type->param == XP_NONE)
        return 0;
    if (!a->have_param) {
        static const char *const what[] = {
            [XP_MASK] = "mask", [XP_SCALE] = "scale", [XP_AS] = "as", [XP_KEY] = "key or key-file"
        };
        return ft_cfg_error(err, f, a->line, "xlate-action %s has no %s", a->name,
                            what[a->type->param]);
    }
    if (a->type->param != XP_KEY)
        return 0;
    if (a->refresh_minutes && !a->key_file)
        return ft_cfg_error(err, f, a->line, "xlate-action %s: key-file-refresh without key-file",
                            a->name);
    if (memcmp(a->key, zero, sizeof zero) == 0)
        return ft_cfg_error(err, f, a->line, "xlate-action %s: the key is all zeros", a->name);
    struct ft_err e;
    if (!(a->cp = ft_cryptopan_new(a->key, &e)))
        return ft_cfg_error(err, f, a->line, "xlate-action %s: %s", a->name, e.msg);
    if (!(a->memo = calloc(1, sizeof *a->memo)))
        return ft_cfg_error(err, f, a->line, "xlate-action %s: out of memory", a->name);
    return 0;
}

/* Every action checked, every term's actions found, each definition's
 * fields gathered. */
static int resolve(struct ft_xlate *x, struct ft_err *err)
{
    for (size_t i = 0; i < x->nactions; i++)
        if (check_action(x, x->action[i], err) < 0)
            return -1;
    for (size_t i = 0; i < x->ndefs; i++) {
        struct ft_xlate_def *d = &x->def[i];
        for (size_t t = 0; t < d->nterms; t++) {
            const struct xlate_term *term = &x->term[d->first_term + t];
            for (size_t k = 0; k < term->n; k++) {
                struct xlate_term_action *ta = &x->term_action[term->first + k];
                if (!(ta->action = find_action(x, ta->name)))
                    return ft_cfg_error(err, x->file, ta->line, "no xlate-action \"%s\"",
                                        ta->name);
                d->fields |= ta->action->fields;
            }
        }
    }
    return 0;
}

struct ft_xlate *ft_xlate_parse(const char *text, size_t len, const char *name,
                                const struct ft_xlate_opts *o, struct ft_err *err)
{
    struct ft_xlate *x = calloc(1, sizeof *x + strlen(name) + 1);
    if (!x) {
        ft_err_set(err, "%s: out of memory", name);
        return NULL;
    }
    x->file = strcpy((char *)(x + 1), name);
    if (o)
        x->o = *o;
    struct parser p = {.x = x, .err = err, .state = S_TOP};
    if (ft_cfg_lines(text, len, name, x->o.vars, parse_line, &p, err) < 0 || resolve(x, err) < 0) {
        ft_xlate_free(x);
        return NULL;
    }
    return x;
}

struct ft_xlate *ft_xlate_load(const char *path, const struct ft_xlate_opts *o,
                               struct ft_err *err)
{
    size_t len;
    char *text = ft_file_read(path, FT_XLATE_MAX_FILE, &len, err);
    if (!text)
        return NULL;
    struct ft_xlate *x = ft_xlate_parse(text, len, path, o, err);
    free(text);
    return x;
}

void ft_xlate_free(struct ft_xlate *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->nactions; i++)
        xlate_action_free(x->action[i]);
    for (size_t i = 0; i < x->ndefs; i++)
        free(x->def[i].name);
    for (size_t i = 0; i < x->nterm_actions; i++)
        free(x->term_action[i].name);
    free(x->action);
    free(x->def);
    free(x->term);
    free(x->term_action);
    free(x->filter_path);
    ft_filter_free(x->filters);
    free(x);
}
