/*
 * ft_tag_parse.c - reading tag.cfg (nfilter-language.md sections 0 and 2).
 *
 * The file is taken line by line (ft_cfg_lines): variables expanded, blank
 * lines and comments dropped, the line split into words at blanks.
 * `tag-action` and `tag-definition` open a block from anywhere; the other
 * keywords belong to the block they appear in.  Action names in
 * definitions are resolved once the whole file is read.  The first error
 * stops loading with "FILE line N: message".
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/ft_file.h"
#include "lang/ft_cfg.h"
#include "core/ft_err.h"
#include "lang/ft_tag_int.h"
#include "net/ft_resolve.h"

#define MAX_WORDS 16

enum context { CTX_TOP, CTX_ACTION, CTX_DEFINITION };

struct parser {
    struct ft_tag *tag;
    const char *file;
    unsigned line;
    enum context ctx;
    struct ft_err *err;
    char **word;                /* the words of the current line */
    unsigned n_words;
    const struct ft_resolver *resolver;     /* names in addresses (ft_tag_opts) */
};

/* "FILE line N: message"; always -1. */
static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ft_cfg_verror(p->err, p->file, p->line, fmt, ap);
    va_end(ap);
    return rc;
}

static struct tag_action *cur_action(struct parser *p)
{
    return &p->tag->actions[p->tag->n_actions - 1];
}

static struct ft_tag_def *cur_def(struct parser *p)
{
    return &p->tag->defs[p->tag->n_defs - 1];
}

/* The only argument of a statement; refuses a missing or extra word. */
static int one_arg(struct parser *p, const char **arg)
{
    if (p->n_words < 2)
        return fail(p, "%s: missing argument", p->word[0]);
    if (p->n_words > 2)
        return fail(p, "unexpected \"%s\" after %s %s", p->word[2], p->word[0], p->word[1]);
    *arg = p->word[1];
    return 0;
}

static int no_args(struct parser *p)
{
    if (p->n_words > 1)
        return fail(p, "unexpected \"%s\" after %s", p->word[1], p->word[0]);
    return 0;
}

/* An unsigned number in C notation (decimal, 0x hex, 0 octal) up to max. */
static int parse_number(const char *s, uint32_t max, uint32_t *v)
{
    if (!isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(s, &end, 0);
    if (errno || *end || n > max)
        return -1;
    *v = (uint32_t)n;
    return 0;
}

/* ---- tag-action ---------------------------------------------------------- */

static int start_action(struct parser *p)
{
    const char *name;
    struct ft_tag *t = p->tag;
    if (one_arg(p, &name) < 0)
        return -1;
    if (t->n_actions >= FT_TAG_MAX_ACTIONS)
        return fail(p, "more than %u tag-actions", FT_TAG_MAX_ACTIONS);
    if (FT_RESERVE(t->actions, t->cap_actions, t->n_actions) < 0)
        return fail(p, "out of memory");
    struct tag_action *a = &t->actions[t->n_actions];
    memset(a, 0, sizeof(*a));
    if (!(a->name = strdup(name)))
        return fail(p, "out of memory");
    a->line = p->line;
    t->n_actions++;
    p->ctx = CTX_ACTION;
    return 0;
}

static const struct { const char *name; enum tag_type type; } type_names[] = {
    {"src-prefix", TT_SRC_PREFIX}, {"source-prefix", TT_SRC_PREFIX},
    {"dst-prefix", TT_DST_PREFIX}, {"destination-prefix", TT_DST_PREFIX},
    {"prefix", TT_PREFIX}, {"next-hop", TT_NEXTHOP},
    {"src-as", TT_SRC_AS}, {"source-as", TT_SRC_AS},
    {"dst-as", TT_DST_AS}, {"destination-as", TT_DST_AS}, {"as", TT_AS},
    {"tcp-src-port", TT_TCP_SRC_PORT}, {"tcp-source-port", TT_TCP_SRC_PORT},
    {"tcp-dst-port", TT_TCP_DST_PORT}, {"tcp-destination-port", TT_TCP_DST_PORT},
    {"tcp-port", TT_TCP_PORT},
    {"udp-src-port", TT_UDP_SRC_PORT}, {"udp-source-port", TT_UDP_SRC_PORT},
    {"udp-dst-port", TT_UDP_DST_PORT}, {"udp-destination-port", TT_UDP_DST_PORT},
    {"udp-port", TT_UDP_PORT}, {"tos", TT_TOS}, {"any", TT_ANY},
    {"src-ip", TT_SRC_IP}, {"source-ip-address", TT_SRC_IP},
    {"dst-ip", TT_DST_IP}, {"destination-ip-address", TT_DST_IP}, {"ip", TT_IP},
    {"exporter", TT_EXPORTER}, {"input-interface", TT_INPUT},
    {"output-interface", TT_OUTPUT}, {"interface", TT_INTERFACE},
};

static int is_address_type(enum tag_type t)
{
    return t >= TT_SRC_PREFIX && t <= TT_EXPORTER;
}

static int is_prefix_type(enum tag_type t)
{
    return t == TT_SRC_PREFIX || t == TT_DST_PREFIX || t == TT_PREFIX;
}

/* Largest value a number type's match takes. */
static uint32_t number_max(enum tag_type t)
{
    if (t == TT_TOS)
        return 255;
    if (t >= TT_TCP_SRC_PORT && t <= TT_UDP_PORT)
        return 65535;
    return UINT32_MAX;          /* 32-bit AS numbers and ifIndexes */
}

static int set_type(struct parser *p)
{
    const char *name;
    struct tag_action *a = cur_action(p);
    if (one_arg(p, &name) < 0)
        return -1;
    if (a->type != TT_NONE)
        return fail(p, "type \"%s\": tag-action %s already has a type", name, a->name);
    for (size_t i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
        if (strcasecmp(name, type_names[i].name) == 0)
            a->type = type_names[i].type;
    }
    if (a->type == TT_NONE)
        return fail(p, "unknown type \"%s\"", name);
    if (is_address_type(a->type))
        a->trie = ft_trie_new(FT_AF_INET, 0);
    else if (a->type != TT_ANY)
        a->direct = calloc(TAG_DIRECT_SIZE, sizeof(*a->direct));
    if (is_address_type(a->type) ? !a->trie : a->type != TT_ANY && !a->direct)
        return fail(p, "out of memory");
    return 0;
}

/* The match operation: TAG_* bit. */
static int parse_op(struct parser *p, const char *s, uint8_t *op)
{
    static const struct { const char *name; uint8_t op; } ops[] = {
        {"set-src", TAG_SET_SRC}, {"set-source", TAG_SET_SRC},
        {"set-dst", TAG_SET_DST}, {"set-destination", TAG_SET_DST},
        {"or-src", TAG_OR_SRC}, {"or-source", TAG_OR_SRC},
        {"or-dst", TAG_OR_DST}, {"or-destination", TAG_OR_DST},
    };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (strcasecmp(s, ops[i].name) == 0) {
            *op = ops[i].op;
            return 0;
        }
    }
    return fail(p, "unknown operation \"%s\"", s);
}

/* A new, empty entry of the current action; its index in *index. */
static int new_entry(struct parser *p, uint32_t *index)
{
    struct tag_action *a = cur_action(p);
    if (a->n_entries >= FT_TAG_MAX_ENTRIES)
        return fail(p, "tag-action %s: more than %u entries", a->name, FT_TAG_MAX_ENTRIES);
    if (FT_RESERVE(a->entries, a->cap_entries, a->n_entries) < 0)
        return fail(p, "out of memory");
    memset(&a->entries[a->n_entries], 0, sizeof(a->entries[0]));
    *index = (uint32_t)a->n_entries++;
    return 0;
}

/* The entry of an address or prefix value, created if new. */
static int address_entry(struct parser *p, const char *value, uint32_t *index)
{
    struct tag_action *a = cur_action(p);
    struct ft_ip ip;
    unsigned len;
    struct ft_err e;
    if (ft_prefix_parse_r(value, is_prefix_type(a->type), p->resolver, &ip, &len, &e) < 0)
        return fail(p, "%s", e.msg);
    if (ip.af != FT_AF_INET)
        return fail(p, "\"%s\": only IPv4 addresses can be matched", value);
    if (!is_prefix_type(a->type) && (strchr(value, '/') || len != 32))
        return fail(p, "\"%s\": an address, not a prefix, is expected", value);
    if (ft_trie_get(a->trie, &ip, len, index))
        return 0;
    if (new_entry(p, index) < 0)
        return -1;
    if (ft_trie_insert(a->trie, &ip, len, *index, &e) < 0)
        return fail(p, "\"%s\": %s", value, e.msg);
    return 0;
}

static int big_insert(struct tag_action *a, uint32_t key, uint32_t index)
{
    if ((a->n_big + 1) * 2 > a->cap_big) {
        size_t cap = a->cap_big ? a->cap_big * 2 : 64;
        struct tag_bigkey *old = a->big, *grown = calloc(cap, sizeof(*grown));
        size_t old_cap = a->cap_big;
        if (!grown)
            return -1;
        a->big = grown;
        a->cap_big = cap;
        a->n_big = 0;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].entry_plus1)
                big_insert(a, old[i].key, old[i].entry_plus1 - 1);
        free(old);
    }
    size_t mask = a->cap_big - 1;
    size_t i = (key * 2654435761u) & mask;
    while (a->big[i].entry_plus1)
        i = (i + 1) & mask;
    a->big[i].key = key;
    a->big[i].entry_plus1 = index + 1;
    a->n_big++;
    return 0;
}

/* The entry of a number value (port, AS, ToS, ifIndex), created if new. */
static int number_entry(struct parser *p, const char *value, uint32_t *index)
{
    struct tag_action *a = cur_action(p);
    uint32_t key;
    if (parse_number(value, number_max(a->type), &key) < 0)
        return fail(p, "bad value \"%s\" (a number up to %u)", value, number_max(a->type));
    const struct tag_entry *e = tag_number_entry(a, key);
    if (e) {
        *index = (uint32_t)(e - a->entries);
        return 0;
    }
    if (new_entry(p, index) < 0)
        return -1;
    if (key < TAG_DIRECT_SIZE)
        a->direct[key] = *index + 1;
    else if (big_insert(a, key, *index) < 0)
        return fail(p, "out of memory");
    return 0;
}

static int any_entry(struct parser *p, const char *value, uint32_t *index)
{
    if (strcasecmp(value, "any") != 0)
        return fail(p, "bad value \"%s\": type any matches only \"any\"", value);
    if (cur_action(p)->n_entries) {
        *index = 0;
        return 0;
    }
    return new_entry(p, index);
}

/* match VALUE OP TAG */
static int add_match(struct parser *p)
{
    struct tag_action *a = cur_action(p);
    if (p->n_words != 4)
        return fail(p, p->n_words < 4 ? "match: expected VALUE OPERATION TAG"
                                      : "unexpected \"%s\" after the tag", p->word[4]);
    if (a->type == TT_NONE)
        return fail(p, "match before the type of tag-action %s", a->name);
    uint8_t op = 0;
    uint32_t tag, index;
    if (parse_op(p, p->word[2], &op) < 0)
        return -1;
    if (parse_number(p->word[3], UINT32_MAX, &tag) < 0)
        return fail(p, "bad tag \"%s\"", p->word[3]);
    int rc = a->type == TT_ANY ? any_entry(p, p->word[1], &index)
             : is_address_type(a->type) ? address_entry(p, p->word[1], &index)
             : number_entry(p, p->word[1], &index);
    if (rc < 0)
        return -1;
    struct tag_entry *e = &cur_action(p)->entries[index];
    uint8_t side = op & TAG_SRC_OPS ? TAG_SRC_OPS : TAG_DST_OPS;
    if (e->ops & side)
        return fail(p, "\"%s\": Only one set per source/destination per match.", p->word[1]);
    e->ops |= op;
    if (side == TAG_SRC_OPS)
        e->src_tag = tag;
    else
        e->dst_tag = tag;
    return 0;
}

static int action_statement(struct parser *p)
{
    const char *kw = p->word[0];
    if (strcasecmp(kw, "type") == 0)
        return set_type(p);
    if (strcasecmp(kw, "match") == 0)
        return add_match(p);
    return fail(p, "unexpected \"%s\" in tag-action %s", kw, cur_action(p)->name);
}

/* ---- tag-definition ------------------------------------------------------- */

static int start_definition(struct parser *p)
{
    const char *name;
    struct ft_tag *t = p->tag;
    if (one_arg(p, &name) < 0)
        return -1;
    if (t->n_defs >= FT_TAG_MAX_DEFINITIONS)
        return fail(p, "more than %u tag-definitions", FT_TAG_MAX_DEFINITIONS);
    if (FT_RESERVE(t->defs, t->cap_defs, t->n_defs) < 0)
        return fail(p, "out of memory");
    struct ft_tag_def *d = &t->defs[t->n_defs];
    memset(d, 0, sizeof(*d));
    if (!(d->name = strdup(name)))
        return fail(p, "out of memory");
    d->line = p->line;
    t->n_defs++;
    p->ctx = CTX_DEFINITION;
    return 0;
}

static int start_term(struct parser *p)
{
    struct ft_tag_def *d = cur_def(p);
    if (no_args(p) < 0)
        return -1;
    if (d->n_terms >= FT_TAG_MAX_TERMS)
        return fail(p, "tag-definition %s: more than %u terms", d->name, FT_TAG_MAX_TERMS);
    if (FT_RESERVE(d->terms, d->cap_terms, d->n_terms) < 0)
        return fail(p, "out of memory");
    memset(&d->terms[d->n_terms++], 0, sizeof(d->terms[0]));
    return 0;
}

static struct tag_term *cur_term(struct parser *p)
{
    struct ft_tag_def *d = cur_def(p);
    if (!d->n_terms) {
        fail(p, "\"%s\" before the first term of tag-definition %s", p->word[0], d->name);
        return NULL;
    }
    return &d->terms[d->n_terms - 1];
}

/* The list of an input-filter/output-filter line: blanks may follow its
 * commas ("1, 2, 10-12"), as in the filter language's lists. */
static int iflist_text(struct parser *p, char *list, size_t size)
{
    if (p->n_words < 2)
        return fail(p, "%s: missing argument", p->word[0]);
    list[0] = 0;
    for (unsigned i = 1; i < p->n_words; i++) {
        size_t len = strlen(list);
        if (i > 1 && (len == 0 || list[len - 1] != ','))
            return fail(p, "unexpected \"%s\" after %s %s", p->word[i], p->word[0], list);
        snprintf(list + len, size - len, "%s", p->word[i]);
    }
    return 0;
}

static int set_iflist(struct parser *p, struct ft_iflist **slot)
{
    char list[FT_VARS_LINE_MAX];
    if (iflist_text(p, list, sizeof(list)) < 0)
        return -1;
    if (*slot)
        return fail(p, "%s given twice in one term", p->word[0]);
    if (!(*slot = calloc(1, sizeof(**slot))))
        return fail(p, "out of memory");
    if (ft_iflist_parse(list, *slot) < 0)
        return fail(p, "bad interface list \"%s\" (numbers 0-65535, ranges a-b)", list);
    return 0;
}

static int set_exporter(struct parser *p, struct tag_term *t)
{
    const char *value;
    struct ft_ip ip;
    unsigned len;
    struct ft_err e;
    if (one_arg(p, &value) < 0)
        return -1;
    int rc = ft_prefix_parse_r(value, 0, p->resolver, &ip, &len, &e);
    if (rc < 0 && ft_resolve_is_name(value))
        return fail(p, "bad exporter address \"%s\": %s", value, e.msg);
    if (rc < 0 || ip.af != FT_AF_INET || strchr(value, '/'))
        return fail(p, "bad exporter address \"%s\"", value);
    t->has_exporter = 1;
    t->exporter = ip.v4;
    return 0;
}

static int add_term_action(struct parser *p, struct tag_term *t)
{
    const char *name;
    if (one_arg(p, &name) < 0)
        return -1;
    if (t->n_actions >= FT_TAG_MAX_TERM_ACTIONS)
        return fail(p, "more than %u actions in one term", FT_TAG_MAX_TERM_ACTIONS);
    if (FT_RESERVE(t->actions, t->cap_actions, t->n_actions) < 0)
        return fail(p, "out of memory");
    struct tag_term_action *ta = &t->actions[t->n_actions];
    if (!(ta->name = strdup(name)))
        return fail(p, "out of memory");
    ta->action = NULL;
    ta->line = p->line;
    t->n_actions++;
    return 0;
}

static int definition_statement(struct parser *p)
{
    const char *kw = p->word[0];
    if (strcasecmp(kw, "term") == 0)
        return start_term(p);
    int input = strcasecmp(kw, "input-filter") == 0;
    int output = strcasecmp(kw, "output-filter") == 0;
    int exporter = strcasecmp(kw, "exporter") == 0;
    int action = strcasecmp(kw, "action") == 0;
    if (!input && !output && !exporter && !action)
        return fail(p, "unexpected \"%s\" in tag-definition %s", kw, cur_def(p)->name);
    struct tag_term *t = cur_term(p);
    if (!t)
        return -1;
    if (input)
        return set_iflist(p, &t->input);
    if (output)
        return set_iflist(p, &t->output);
    if (exporter)
        return set_exporter(p, t);
    return add_term_action(p, t);
}

/* ---- lines ---------------------------------------------------------------- */

static int statement(struct parser *p)
{
    const char *kw = p->word[0];
    if (strcasecmp(kw, "tag-action") == 0)
        return start_action(p);
    if (strcasecmp(kw, "tag-definition") == 0)
        return start_definition(p);
    if (p->ctx == CTX_ACTION)
        return action_statement(p);
    if (p->ctx == CTX_DEFINITION)
        return definition_statement(p);
    return fail(p, "unexpected \"%s\" outside tag-action and tag-definition", kw);
}

/* One line of the file that holds a statement, variables expanded
 * (ft_cfg_lines drops blank lines and comments). */
static int parse_line(void *parser, struct ft_cfg_line *l)
{
    struct parser *p = parser;
    p->line = l->lineno;
    if (ft_cfg_split(l, MAX_WORDS) < 0)
        return fail(p, "too many words");
    p->word = l->word;
    p->n_words = (unsigned)l->n;
    return statement(p);
}

/* ---- after the last line: names ----------------------------------------------- */

/* Names are compared without case; sorted indexes find duplicates and
 * resolve references in O(n log n). */
static int by_action_name(const void *x, const void *y)
{
    const struct tag_action *const *a = x, *const *b = y;
    int c = strcasecmp((*a)->name, (*b)->name);
    return c ? c : ((*a)->line > (*b)->line) - ((*a)->line < (*b)->line);
}

static int by_def_name(const void *x, const void *y)
{
    const struct ft_tag_def *const *a = x, *const *b = y;
    int c = strcasecmp((*a)->name, (*b)->name);
    return c ? c : ((*a)->line > (*b)->line) - ((*a)->line < (*b)->line);
}

static int action_key(const void *key, const void *elem)
{
    const struct tag_action *const *a = elem;
    return strcasecmp(key, (*a)->name);
}

static int check_definition_names(struct parser *p)
{
    struct ft_tag *t = p->tag;
    if (t->n_defs < 2)
        return 0;
    const struct ft_tag_def **sorted = malloc(t->n_defs * sizeof(*sorted));
    if (!sorted)
        return fail(p, "out of memory");
    for (size_t i = 0; i < t->n_defs; i++)
        sorted[i] = &t->defs[i];
    qsort(sorted, t->n_defs, sizeof(*sorted), by_def_name);
    int rc = 0;
    for (size_t i = 1; i < t->n_defs && rc == 0; i++) {
        if (strcasecmp(sorted[i]->name, sorted[i - 1]->name) == 0) {
            p->line = sorted[i]->line;
            rc = fail(p, "tag-definition %s defined twice", sorted[i]->name);
        }
    }
    free(sorted);
    return rc;
}

static int resolve_term(struct parser *p, struct tag_term *term,
                        struct tag_action *const *sorted, size_t n)
{
    for (size_t a = 0; a < term->n_actions; a++) {
        struct tag_term_action *ta = &term->actions[a];
        struct tag_action *const *found =
            n ? bsearch(ta->name, sorted, n, sizeof(*sorted), action_key) : NULL;
        if (!found) {
            p->line = ta->line;
            return fail(p, "no tag-action \"%s\"", ta->name);
        }
        ta->action = *found;
    }
    return 0;
}

static int resolve_names(struct parser *p)
{
    struct ft_tag *t = p->tag;
    struct tag_action **sorted = malloc((t->n_actions + 1) * sizeof(*sorted));
    if (!sorted)
        return fail(p, "out of memory");
    for (size_t i = 0; i < t->n_actions; i++)
        sorted[i] = &t->actions[i];
    qsort(sorted, t->n_actions, sizeof(*sorted), by_action_name);
    int rc = 0;
    for (size_t i = 1; i < t->n_actions && rc == 0; i++) {
        if (strcasecmp(sorted[i]->name, sorted[i - 1]->name) == 0) {
            p->line = sorted[i]->line;
            rc = fail(p, "tag-action %s defined twice", sorted[i]->name);
        }
    }
    for (size_t d = 0; d < t->n_defs && rc == 0; d++)
        for (size_t i = 0; i < t->defs[d].n_terms && rc == 0; i++)
            rc = resolve_term(p, &t->defs[d].terms[i], sorted, t->n_actions);
    free(sorted);
    return rc == 0 ? check_definition_names(p) : rc;
}

struct ft_tag *ft_tag_parse(const char *text, size_t len, const char *name,
                            const struct ft_tag_opts *o, struct ft_err *err)
{
    struct parser p = {.file = name, .err = err, .resolver = o ? o->resolver : NULL};
    if (!(p.tag = calloc(1, sizeof(*p.tag)))) {
        ft_err_set(err, "%s: out of memory", name);
        return NULL;
    }
    const struct ft_vars *vars = o ? o->vars : NULL;
    int rc = ft_cfg_lines(text, len, name, vars, parse_line, &p, err);
    if (rc == 0)
        rc = resolve_names(&p);
    if (rc < 0) {
        ft_tag_free(p.tag);
        return NULL;
    }
    return p.tag;
}

struct ft_tag *ft_tag_load(const char *path, const struct ft_tag_opts *o, struct ft_err *err)
{
    size_t len;
    char *text = ft_file_read(path, FT_TAG_MAX_FILE, &len, err);
    if (!text)
        return NULL;
    struct ft_tag *t = ft_tag_parse(text, len, path, o, err);
    free(text);
    return t;
}
