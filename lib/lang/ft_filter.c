/*
 * ft_filter.c - parsing the filter language (see ft_filter.h and
 * nfilter-language.md section 1).
 *
 * The file is read line by line; each line is expanded (variables), split
 * into words and handed to the handler of its keyword in the current
 * context (top level, in a primitive, in a definition).  Primitives are
 * compiled and `match` lines resolved once the whole file is read, since a
 * definition may name a primitive defined further down.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/ft_file.h"
#include "lang/ft_cfg.h"
#include "core/ft_err.h"
#include "lang/ft_filter_int.h"
#include "core/ft_getdate.h"

#define MAX_WORDS FT_CFG_MAX_WORDS


struct parser {
    struct ft_filter *f;
    struct fil_prim *prim;      /* the primitive being defined, or NULL */
    struct ft_filter_def *def;  /* the definition being defined, or NULL */
    struct ft_err *err;
};

/* "FILE line N: message"; always -1. */
static int line_error(const struct parser *p, const struct ft_cfg_line *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int line_error(const struct parser *p, const struct ft_cfg_line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ft_cfg_verror(p->err, p->f->file, l->lineno, fmt, ap);
    va_end(ap);
    return rc;
}

static void line_warn(const struct parser *p, const struct ft_cfg_line *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void line_warn(const struct parser *p, const struct ft_cfg_line *l, const char *fmt, ...)
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

/* ---- words and numbers ------------------------------------------------------ */

/* A statement of n words (keyword included): fewer is "KEYWORD: expecting
 * WHAT"; a word more is named, a trailing "# comment" too, since '#' starts
 * a comment only as a line's first word (nfilter-language.md section 0). */
static int word_count(const struct parser *p, const struct ft_cfg_line *l, int n,
                      const char *what)
{
    if (l->n > n)
        return line_error(p, l, "unexpected \"%s\" after %s", l->word[n], l->word[n - 1]);
    if (l->n < n)
        return line_error(p, l, "%s: expecting %s", l->word[0], what);
    return 0;
}

/* The line from word i to its end, trailing blanks removed, into out. */
static void rest_of_line(const struct ft_cfg_line *l, int i, char *out, size_t size)
{
    snprintf(out, size, "%s", l->text + l->word_off[i]);
    size_t len = strlen(out);
    while (len && strchr(FT_CFG_BLANKS, out[len - 1]))
        out[--len] = 0;
}

/* A number in C notation (decimal, 0x hex, leading-0 octal) filling [s, e). */
static int number_span(const char *s, const char *e, uint64_t *out)
{
    unsigned base = 10;
    if (e - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, s += 2;
    else if (e - s > 1 && s[0] == '0')
        base = 8, s += 1;
    if (s >= e)
        return -1;
    uint64_t v = 0;
    for (; s < e; s++) {
        int c = tolower((unsigned char)*s);
        unsigned d = isdigit(c) ? (unsigned)(c - '0')
                   : (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10) : 99;
        if (d >= base || v > (UINT64_MAX - d) / base)
            return -1;
        v = v * base + d;
    }
    *out = v;
    return 0;
}

static int number_word(const char *w, uint64_t *out)
{
    return number_span(w, w + strlen(w), out);
}

static int parse_op(const char *w)
{
    static const char *const names[] = {"lt", "gt", "eq", "ne", "le", "ge"};
    static const enum fil_op ops[] = {OP_LT, OP_GT, OP_EQ, OP_NE, OP_LE, OP_GE};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(w, names[i]) == 0)
            return (int)ops[i];
    return -1;
}

/* ---- symbol tables ---------------------------------------------------------- */

static const struct ft_sym *symbols(struct ft_filter *f, enum ft_sym_table t)
{
    if (!f->sym_tried[t]) {
        struct ft_err ignored;
        f->sym_tried[t] = true;
        f->sym[t] = ft_sym_open(f->opts.symdir, t, &ignored);
    }
    return f->sym[t];
}

/* The table symbolic values of a primitive type are looked up in.  `as`
 * uses tag.sym, as the original does (asn.sym is not consulted). */
static int type_symbols(enum fil_type t)
{
    switch (t) {
    case PT_IP_PROT: return FT_SYM_IP_PROT;
    case PT_IP_PORT: return FT_SYM_TCP_PORT;
    case PT_AS: case PT_TAG: case PT_TAG_MASK: return FT_SYM_TAG;
    default: return -1;
    }
}

static int symbol_value(struct parser *p, const struct ft_cfg_line *l, const char *name,
                        uint64_t *out)
{
    int t = type_symbols(p->prim->type);
    const struct ft_sym *s = t < 0 ? NULL : symbols(p->f, (enum ft_sym_table)t);
    uint32_t v;
    if (!s || ft_sym_value(s, name, &v) < 0)
        return line_error(p, l, "symbol lookup failed for \"%s\"", name);
    *out = v;
    return 0;
}

/* ---- primitives: lists of numbers ------------------------------------------- */

static const struct { const char *name; enum fil_type type; uint32_t max; } prim_types[] = {
    {"as", PT_AS, 65535},
    {"ip-protocol", PT_IP_PROT, 255},
    {"ip-port", PT_IP_PORT, 65535},
    {"ip-address-prefix-len", PT_PREFIX_LEN, 128},     /* 33..128: IPv6 (ftkit) */
    {"ip-tos", PT_TOS, 255},
    {"ip-tcp-flags", PT_TCP_FLAGS, 255},
    {"ifindex", PT_IFINDEX, 65535},
    {"engine", PT_ENGINE, 65535},
    {"ip-address", PT_IP_ADDRESS, 0},
    {"ip-address-mask", PT_IP_MASK, 0},
    {"ip-address-prefix", PT_IP_PREFIX, 0},
    {"tag", PT_TAG, 0},
    {"tag-mask", PT_TAG_MASK, 0},
    {"counter", PT_COUNTER, 0},
    {"time-date", PT_TIME_DATE, 0},
    {"time", PT_TIME, 0},
    {"double", PT_DOUBLE, 0},
    {"rate", PT_RATE, 0},
};

/* as and ifindex take 32-bit values (ftkit): 4-byte AS numbers and the
 * ifIndexes of NetFlow v9/IPFIX; the others stop at their table's end. */
static uint64_t list_limit(const struct fil_prim *pr)
{
    return pr->type == PT_AS || pr->type == PT_IFINDEX ? UINT32_MAX : pr->max;
}

/* One list value or symbol: [s, e). */
static int list_value(struct parser *p, const struct ft_cfg_line *l, const char *s, const char *e,
                      uint64_t *out)
{
    char buf[FT_VARS_LINE_MAX];
    size_t len = (size_t)(e - s);
    memcpy(buf, s, len);
    buf[len] = 0;
    if (len && isalpha((unsigned char)buf[0])) {
        if (symbol_value(p, l, buf, out) < 0)
            return -1;
    } else if (!len || number_span(s, e, out) < 0) {
        return line_error(p, l, "bad value \"%s\"", buf);
    }
    if (*out > list_limit(p->prim))
        return line_error(p, l, "Value out of range: \"%s\"", buf);
    return 0;
}

static int wide_range(struct parser *p, const struct ft_cfg_line *l, uint64_t a, uint64_t b,
                      int permit)
{
    struct fil_prim *pr = p->prim;
    if (FT_CFG_RESERVE(pr->wide, pr->cap_wide, pr->n_wide) < 0)
        return line_error(p, l, "out of memory");
    pr->wide[pr->n_wide++] = (struct fil_range){(uint32_t)a, (uint32_t)b, (uint8_t)permit};
    return 0;
}

static void list_set(struct parser *p, const struct ft_cfg_line *l, uint64_t v, int permit)
{
    uint8_t want = permit ? 1 : 2;
    uint8_t *slot = &p->prim->set[v];
    if (*slot && *slot != want)
        line_warn(p, l, "index %llu previously set as %s", (unsigned long long)v,
                  *slot == 1 ? "permit" : "deny");
    *slot = want;
}

/* One item of a list: [!]A or [!]A-B, A and B numbers or names. */
static int list_item(struct parser *p, const struct ft_cfg_line *l, const char *s, const char *e,
                     int permit)
{
    if (s < e && *s == '!') {
        permit = !permit;
        s++;
    }
    const char *dash = memchr(s, '-', (size_t)(e - s));
    uint64_t a, b;
    if (list_value(p, l, s, dash ? dash : e, &a) < 0)
        return -1;
    b = a;
    if (dash && list_value(p, l, dash + 1, e, &b) < 0)
        return -1;
    uint64_t max = p->prim->max;
    for (uint64_t v = a; v <= b && v <= max; v++)
        list_set(p, l, v, permit);
    if (b > max)
        return wide_range(p, l, a > max ? a : max + 1, b, permit);
    return 0;
}

/* permit/deny for the table types: comma-separated items; blanks may only
 * follow a comma (they split the list into several words). */
static int add_list(struct parser *p, const struct ft_cfg_line *l, int permit)
{
    char list[FT_VARS_LINE_MAX] = "";
    size_t len = 0;
    if (l->n < 2)
        return line_error(p, l, "%s: missing value", l->word[0]);
    for (int i = 1; i < l->n; i++) {
        if (i > 1 && list[len - 1] != ',')
            return line_error(p, l, "unexpected \"%s\"", l->word[i]);
        size_t wl = strlen(l->word[i]);
        memcpy(list + len, l->word[i], wl + 1);
        len += wl;
    }
    if (!p->prim->set && !(p->prim->set = calloc(p->prim->max + 1u, 1)))
        return line_error(p, l, "out of memory");
    const char *s = list;
    while (*s) {
        const char *comma = strchr(s, ',');
        const char *e = comma ? comma : s + strlen(s);
        if (e > s && list_item(p, l, s, e, permit) < 0)
            return -1;
        s = comma ? comma + 1 : e;
    }
    return 0;
}

/* ---- primitives: addresses ------------------------------------------------- */

/* An address: dotted quad (partial forms left-aligned, "10.1" is 10.1.0.0),
 * IPv6, or a host name, as ft_ip_parse reads them. */
static int parse_addr(struct parser *p, const struct ft_cfg_line *l, const char *w,
                      struct ft_ip *ip)
{
    struct ft_err e;
    unsigned len;
    if (strchr(w, '/') || ft_prefix_parse(w, 0, ip, &len, &e) < 0)
        return line_error(p, l, "bad address \"%s\"", w);
    return 0;
}

static int trie_insert(struct parser *p, const struct ft_cfg_line *l, const struct ft_ip *ip,
                       unsigned len, int permit)
{
    struct ft_trie **t = ip->af == FT_AF_INET6 ? &p->prim->trie6 : &p->prim->trie4;
    struct ft_err e;
    if (!*t && !(*t = ft_trie_new(ip->af, 0)))
        return line_error(p, l, "out of memory");
    if (ft_trie_insert(*t, ip, len, (uint32_t)permit, &e) < 0)
        return line_error(p, l, "%s", e.msg);
    return 0;
}

static int add_address(struct parser *p, const struct ft_cfg_line *l, int permit)
{
    struct ft_ip ip;
    if (word_count(p, l, 2, "one address") < 0)
        return -1;
    if (parse_addr(p, l, l->word[1], &ip) < 0)
        return -1;
    return trie_insert(p, l, &ip, ip.af == FT_AF_INET6 ? 128 : 32, permit);
}

/* a.b.c.d/len, partial forms, or an address alone: its classful network
 * when the host part is zero (ft_prefix_parse). */
static int add_prefix(struct parser *p, const struct ft_cfg_line *l, int permit)
{
    struct ft_ip ip;
    struct ft_err e;
    unsigned len;
    if (word_count(p, l, 2, "one prefix") < 0)
        return -1;
    if (ft_prefix_parse(l->word[1], 1, &ip, &len, &e) < 0)
        return line_error(p, l, "%s", e.msg);
    return trie_insert(p, l, &ip, len, permit);
}

static struct fil_rule *new_rule(struct parser *p, const struct ft_cfg_line *l, int permit)
{
    struct fil_prim *pr = p->prim;
    if (FT_CFG_RESERVE(pr->rules, pr->cap_rules, pr->n_rules) < 0) {
        line_error(p, l, "out of memory");
        return NULL;
    }
    struct fil_rule *r = &pr->rules[pr->n_rules++];
    memset(r, 0, sizeof *r);
    r->permit = (uint8_t)permit;
    return r;
}

static int add_address_mask(struct parser *p, const struct ft_cfg_line *l, int permit)
{
    struct ft_ip a, m;
    if (word_count(p, l, 3, "an address and a mask") < 0)
        return -1;
    if (parse_addr(p, l, l->word[1], &a) < 0 || parse_addr(p, l, l->word[2], &m) < 0)
        return -1;
    if (a.af != m.af)
        return line_error(p, l, "address \"%s\" and mask \"%s\" of different families",
                          l->word[1], l->word[2]);
    struct fil_rule *r = new_rule(p, l, permit);
    if (!r)
        return -1;
    r->ip.addr = a;
    r->ip.mask = m;
    return 0;
}

/* ---- primitives: tags, comparisons, rate -------------------------------------- */

static int tag_value(struct parser *p, const struct ft_cfg_line *l, const char *w, uint32_t *out)
{
    uint64_t v;
    if (isalpha((unsigned char)w[0])) {
        if (symbol_value(p, l, w, &v) < 0)
            return -1;
    } else if (number_word(w, &v) < 0 || v > UINT32_MAX) {
        return line_error(p, l, "bad tag \"%s\"", w);
    }
    *out = (uint32_t)v;
    return 0;
}

static int add_tag(struct parser *p, const struct ft_cfg_line *l, int permit)
{
    struct fil_prim *pr = p->prim;
    uint32_t v;
    if (word_count(p, l, 2, "one tag") < 0)
        return -1;
    if (tag_value(p, l, l->word[1], &v) < 0)
        return -1;
    if (FT_CFG_RESERVE(pr->tags, pr->cap_tags, pr->n_tags) < 0)
        return line_error(p, l, "out of memory");
    pr->tags[pr->n_tags] = (struct fil_tag){v, (uint8_t)permit, (uint32_t)pr->n_tags};
    pr->n_tags++;
    return 0;
}

static int add_tag_mask(struct parser *p, const struct ft_cfg_line *l, int permit)
{
    uint32_t tag;
    uint64_t mask;
    if (word_count(p, l, 3, "a tag and a mask") < 0)
        return -1;
    if (tag_value(p, l, l->word[1], &tag) < 0)
        return -1;
    if (number_word(l->word[2], &mask) < 0 || mask > UINT32_MAX)
        return line_error(p, l, "bad mask \"%s\"", l->word[2]);
    struct fil_rule *r = new_rule(p, l, permit);
    if (!r)
        return -1;
    r->tag.value = tag;
    r->tag.mask = (uint32_t)mask;
    return 0;
}

/* "HH[:MM[:SS]]" */
static int parse_tod(const char *w, struct fil_rule *r)
{
    unsigned part[3] = {0, 0, 0}, n = 0;
    const char *s = w;
    while (n < 3) {
        if (!isdigit((unsigned char)*s))
            return -1;
        unsigned v = 0;
        while (isdigit((unsigned char)*s) && v < 100)
            v = v * 10 + (unsigned)(*s++ - '0');
        part[n++] = v;
        if (*s != ':')
            break;
        s++;
    }
    if (*s || part[0] > 23 || part[1] > 59 || part[2] > 60)
        return -1;
    r->tod.h = (uint8_t)part[0];
    r->tod.m = (uint8_t)part[1];
    r->tod.s = (uint8_t)part[2];
    return 0;
}

static int comparison_value(struct parser *p, const struct ft_cfg_line *l, struct fil_rule *r)
{
    char text[FT_VARS_LINE_MAX];
    const char *w = l->word[2];
    char *end;
    if (p->prim->type != PT_TIME_DATE && word_count(p, l, 3, "an operator and a value") < 0)
        return -1;
    switch (p->prim->type) {
    case PT_COUNTER:
        if (number_word(w, &r->u) < 0)
            return line_error(p, l, "bad counter value \"%s\"", w);
        return 0;
    case PT_DOUBLE:
        errno = 0;
        r->d = strtod(w, &end);
        if (*end || end == w || errno || isnan(r->d))
            return line_error(p, l, "bad number \"%s\"", w);
        return 0;
    case PT_TIME:
        if (parse_tod(w, r) < 0)
            return line_error(p, l, "bad time of day \"%s\"", w);
        return 0;
    default: {                  /* PT_TIME_DATE: the rest of the line */
        struct ft_err e;
        time_t t;
        time_t now = p->f->opts.now ? p->f->opts.now : time(NULL);
        rest_of_line(l, 2, text, sizeof text);
        if (ft_getdate(text, now, &t, &e) < 0)
            return line_error(p, l, "%s", e.msg);
        r->secs = (int64_t)t;
        return 0;
    }
    }
}

static int add_comparison(struct parser *p, const struct ft_cfg_line *l, int permit)
{
    if (l->n < 3)
        return line_error(p, l, "expecting an operator and a value");
    int op = parse_op(l->word[1]);
    if (op < 0)
        return line_error(p, l, "unknown operator \"%s\"", l->word[1]);
    struct fil_rule r = {.op = (uint8_t)op, .permit = (uint8_t)permit};
    if (comparison_value(p, l, &r) < 0)
        return -1;
    struct fil_rule *slot = new_rule(p, l, permit);
    if (!slot)
        return -1;
    *slot = r;
    return 0;
}

static int add_rate(struct parser *p, const struct ft_cfg_line *l, int permit)
{
    uint64_t v;
    if (word_count(p, l, 2, "a rate") < 0)
        return -1;
    if (number_word(l->word[1], &v) < 0 || v == 0 || v > UINT32_MAX)
        return line_error(p, l, "expecting a non-zero rate, not \"%s\"", l->word[1]);
    p->prim->rate = (uint32_t)v;
    p->prim->rate_permit = (uint8_t)permit;
    return 0;
}

static int permit_deny(struct parser *p, const struct ft_cfg_line *l, int permit)
{
    struct fil_prim *pr = p->prim;
    if (pr->type == PT_NONE)
        return line_error(p, l, "%s: type must be set first", l->word[0]);
    if (++pr->n_lines > FT_FILTER_MAX_RULES)
        return line_error(p, l, "more than %u rules in primitive \"%s\"",
                          FT_FILTER_MAX_RULES, pr->name);
    switch (pr->type) {
    case PT_IP_ADDRESS: return add_address(p, l, permit);
    case PT_IP_PREFIX: return add_prefix(p, l, permit);
    case PT_IP_MASK: return add_address_mask(p, l, permit);
    case PT_TAG: return add_tag(p, l, permit);
    case PT_TAG_MASK: return add_tag_mask(p, l, permit);
    case PT_COUNTER: case PT_TIME_DATE: case PT_TIME: case PT_DOUBLE:
        return add_comparison(p, l, permit);
    case PT_RATE: return add_rate(p, l, permit);
    default: return add_list(p, l, permit);
    }
}

/* ---- primitive statements ------------------------------------------------------ */

static int prim_type(struct parser *p, const struct ft_cfg_line *l)
{
    if (word_count(p, l, 2, "one type") < 0)
        return -1;
    if (p->prim->type != PT_NONE)
        return line_error(p, l, "Type previously defined");
    for (size_t i = 0; i < sizeof prim_types / sizeof prim_types[0]; i++) {
        if (strcasecmp(l->word[1], prim_types[i].name) == 0) {
            p->prim->type = prim_types[i].type;
            p->prim->max = prim_types[i].max;
            return 0;
        }
    }
    return line_error(p, l, "Unrecognized type \"%s\"", l->word[1]);
}

static int prim_default(struct parser *p, const struct ft_cfg_line *l)
{
    if (word_count(p, l, 2, "permit or deny") < 0)
        return -1;
    int permit;
    if (strcasecmp(l->word[1], "permit") == 0)
        permit = 1;
    else if (strcasecmp(l->word[1], "deny") == 0)
        permit = 0;
    else
        return line_error(p, l, "default: expecting permit or deny, not \"%s\"", l->word[1]);
    if (p->prim->type == PT_RATE) {
        line_warn(p, l, "default ignored for a rate primitive");
        return 0;
    }
    p->prim->def_permit = (uint8_t)permit;
    return 0;
}

static int prim_mask(struct parser *p, const struct ft_cfg_line *l)
{
    uint64_t v;
    if (p->prim->type != PT_TOS && p->prim->type != PT_TCP_FLAGS)
        return line_error(p, l, "mask: only for ip-tos and ip-tcp-flags primitives");
    if (word_count(p, l, 2, "a number") < 0)
        return -1;
    if (number_word(l->word[1], &v) < 0)
        return line_error(p, l, "mask: expecting a number, not \"%s\"", l->word[1]);
    p->prim->mask = (uint8_t)v;
    return 0;
}

static int start_primitive(struct parser *p, const struct ft_cfg_line *l)
{
    struct ft_filter *f = p->f;
    if (word_count(p, l, 2, "one name") < 0)
        return -1;
    if (f->n_prims >= FT_FILTER_MAX_PRIMITIVES)
        return line_error(p, l, "more than %u primitives", FT_FILTER_MAX_PRIMITIVES);
    struct fil_prim *pr = calloc(1, sizeof *pr);
    if (!pr || FT_CFG_RESERVE(f->prims, f->cap_prims, f->n_prims) < 0
        || !(pr->name = strdup(l->word[1]))) {
        free(pr);
        return line_error(p, l, "out of memory");
    }
    pr->line = l->lineno;
    pr->mask = 0xff;
    f->prims[f->n_prims++] = pr;
    p->prim = pr;
    p->def = NULL;
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

static int def_match(struct parser *p, const struct ft_cfg_line *l)
{
    struct ft_filter_def *d = p->def;
    if (word_count(p, l, 3, "a field and a primitive") < 0)
        return -1;
    int fi = find_field(l->word[1]);
    if (fi < 0)
        return line_error(p, l, "Unknown match criteria \"%s\"", l->word[1]);
    if (d->n >= FT_FILTER_MAX_TESTS)
        return line_error(p, l, "more than %u matches in definition \"%s\"",
                          FT_FILTER_MAX_TESTS, d->name);
    if (FT_CFG_RESERVE(d->tests, d->cap, d->n) < 0)
        return line_error(p, l, "out of memory");
    struct fil_test *t = &d->tests[d->n];
    memset(t, 0, sizeof *t);
    t->field = (uint8_t)fi;     /* index into match_fields until resolved */
    t->line = l->lineno;
    if (!(t->prim_name = strdup(l->word[2])))
        return line_error(p, l, "out of memory");
    if (d->n > 0 && d->group_pending)
        d->tests[d->n - 1].ends_group = 1;
    d->group_pending = 0;
    d->n++;
    return 0;
}

static int start_definition(struct parser *p, const struct ft_cfg_line *l)
{
    struct ft_filter *f = p->f;
    if (word_count(p, l, 2, "one name") < 0)
        return -1;
    if (f->n_defs >= FT_FILTER_MAX_DEFINITIONS)
        return line_error(p, l, "more than %u definitions", FT_FILTER_MAX_DEFINITIONS);
    struct ft_filter_def *d = calloc(1, sizeof *d);
    if (!d || FT_CFG_RESERVE(f->defs, f->cap_defs, f->n_defs) < 0
        || !(d->name = strdup(l->word[1]))) {
        free(d);
        return line_error(p, l, "out of memory");
    }
    d->line = l->lineno;
    d->rng = &f->rng;
    f->defs[f->n_defs++] = d;
    p->def = d;
    p->prim = NULL;
    return 0;
}

/* ---- lines --------------------------------------------------------------------------- */

static int in_definition(struct parser *p, const struct ft_cfg_line *l)
{
    const char *k = l->word[0];
    if (strcasecmp(k, "match") == 0)
        return def_match(p, l);
    if (strcasecmp(k, "or") == 0) {
        if (word_count(p, l, 1, "nothing") < 0)
            return -1;
        p->def->group_pending = 1;
        return 0;
    }
    if (strcasecmp(k, "invert") == 0) {
        if (word_count(p, l, 1, "nothing") < 0)
            return -1;
        p->def->invert = 1;
        return 0;
    }
    return line_error(p, l, "Unexpected keyword \"%s\" in definition", k);
}

static int in_primitive(struct parser *p, const struct ft_cfg_line *l)
{
    const char *k = l->word[0];
    if (strcasecmp(k, "type") == 0)
        return prim_type(p, l);
    if (strcasecmp(k, "permit") == 0)
        return permit_deny(p, l, 1);
    if (strcasecmp(k, "deny") == 0)
        return permit_deny(p, l, 0);
    if (strcasecmp(k, "default") == 0)
        return prim_default(p, l);
    if (strcasecmp(k, "mask") == 0)
        return prim_mask(p, l);
    return line_error(p, l, "Unexpected keyword \"%s\" in primitive", k);
}

static int parse_line(struct parser *p, struct ft_cfg_line *l)
{
    if (ft_cfg_split(l, MAX_WORDS) < 0)
        return line_error(p, l, "more than %d words", MAX_WORDS);
    const char *k = l->word[0];
    if (strcasecmp(k, "filter-primitive") == 0)
        return start_primitive(p, l);
    if (strcasecmp(k, "filter-definition") == 0)
        return start_definition(p, l);
    if (p->prim)
        return in_primitive(p, l);
    if (p->def)
        return in_definition(p, l);
    return line_error(p, l, "Unexpected keyword \"%s\"", k);
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
    struct parser p = {.f = f, .err = err};
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

static void free_prim(struct fil_prim *p)
{
    free(p->name);
    free(p->set);
    free(p->wide);
    free(p->permit_bits);
    ft_trie_free(p->trie4);
    ft_trie_free(p->trie6);
    free(p->rules);
    free(p->tags);
    free(p);
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
        free_prim(f->prims[i]);
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
