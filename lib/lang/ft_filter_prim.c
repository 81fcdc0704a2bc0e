/*
 * ft_filter_prim.c - the primitives of the filter language (see
 * ft_filter.h and nfilter-language.md sections 1.1 and 1.2): a
 * `filter-primitive` block, its type and its permit/deny rules, with the
 * values each type takes (numbers and symbol names, addresses and
 * prefixes, tags, comparisons, dates, rates).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/ft_err.h"
#include "core/ft_getdate.h"
#include "lang/ft_cfg.h"
#include "lang/ft_filter_int.h"
#include "net/ft_resolve.h"

/* ---- words and numbers ------------------------------------------------------ */

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

/* Is table t of dir not there at all (rather than there but unreadable)? */
static bool table_missing(const char *dir, enum ft_sym_table t)
{
    char path[4096];
    struct stat st;
    return ft_sym_path(dir, t, path, sizeof path) && stat(path, &st) < 0 &&
           (errno == ENOENT || errno == ENOTDIR);
}

/*
 * Table t in *out, read at the first name that needs it.  A missing table
 * is none (*out NULL: names are then unknown, as in flow-tools).  A table
 * that is there but cannot be read, or has a malformed line (flow-tools
 * then loads none of it: "Missing field"), is an error naming its file:
 * -1 with err set.
 */
static int symbols(struct ft_filter *f, enum ft_sym_table t, const struct ft_sym **out,
                   struct ft_err *err)
{
    if (!f->sym_tried[t]) {
        struct ft_err why;
        f->sym_tried[t] = true;
        f->sym[t] = ft_sym_open(f->opts.symdir, t, &why);
        if (!f->sym[t] && !table_missing(f->opts.symdir, t))
            return ft_err_set(err, "%s", why.msg);
        if (f->sym[t] && ft_sym_refused(f->sym[t]))
            return ft_err_set(err, "%s", ft_sym_problem(f->sym[t]));
    }
    *out = f->sym[t];
    return 0;
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

static int symbol_value(struct fil_parser *p, const struct ft_cfg_line *l, const char *name,
                        uint64_t *out)
{
    int t = type_symbols(p->prim->type);
    const struct ft_sym *s = NULL;
    struct ft_err why;
    uint32_t v;
    if (t >= 0 && symbols(p->f, (enum ft_sym_table)t, &s, &why) < 0)
        return fil_line_error(p, l, "symbol lookup failed for \"%s\": %s", name, why.msg);
    if (!s || ft_sym_value(s, name, &v) < 0)
        return fil_line_error(p, l, "symbol lookup failed for \"%s\"", name);
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
static int list_value(struct fil_parser *p, const struct ft_cfg_line *l, const char *s, const char *e,
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
        return fil_line_error(p, l, "bad value \"%s\"", buf);
    }
    if (*out > list_limit(p->prim))
        return fil_line_error(p, l, "Value out of range: \"%s\"", buf);
    return 0;
}

static int wide_range(struct fil_parser *p, const struct ft_cfg_line *l, uint64_t a, uint64_t b,
                      int permit)
{
    struct fil_prim *pr = p->prim;
    if (FT_RESERVE(pr->wide, pr->cap_wide, pr->n_wide) < 0)
        return fil_line_error(p, l, "out of memory");
    pr->wide[pr->n_wide++] = (struct fil_range){(uint32_t)a, (uint32_t)b, (uint8_t)permit};
    return 0;
}

static void list_set(struct fil_parser *p, const struct ft_cfg_line *l, uint64_t v, int permit)
{
    uint8_t want = permit ? 1 : 2;
    uint8_t *slot = &p->prim->set[v];
    if (*slot && *slot != want)
        fil_line_warn(p, l, "index %llu previously set as %s", (unsigned long long)v,
                  *slot == 1 ? "permit" : "deny");
    *slot = want;
}

/* One item of a list: [!]A or [!]A-B, A and B numbers or names. */
static int list_item(struct fil_parser *p, const struct ft_cfg_line *l, const char *s, const char *e,
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
static int add_list(struct fil_parser *p, const struct ft_cfg_line *l, int permit)
{
    char list[FT_VARS_LINE_MAX] = "";
    size_t len = 0;
    if (l->n < 2)
        return fil_line_error(p, l, "%s: missing value", l->word[0]);
    for (int i = 1; i < l->n; i++) {
        if (i > 1 && list[len - 1] != ',')
            return fil_line_error(p, l, "unexpected \"%s\"", l->word[i]);
        size_t wl = strlen(l->word[i]);
        memcpy(list + len, l->word[i], wl + 1);
        len += wl;
    }
    if (!p->prim->set && !(p->prim->set = calloc(p->prim->max + 1u, 1)))
        return fil_line_error(p, l, "out of memory");
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
static int parse_addr(struct fil_parser *p, const struct ft_cfg_line *l, const char *w,
                      struct ft_ip *ip)
{
    struct ft_err e;
    unsigned len;
    if (strchr(w, '/'))
        return fil_line_error(p, l, "bad address \"%s\"", w);
    if (ft_prefix_parse_r(w, 0, p->f->opts.resolver, ip, &len, &e) < 0) {
        int name = ft_resolve_is_name(w);   /* then the lookup says why */
        return fil_line_error(p, l, "bad address \"%s\"%s%s", w, name ? ": " : "",
                              name ? e.msg : "");
    }
    return 0;
}

static int trie_insert(struct fil_parser *p, const struct ft_cfg_line *l, const struct ft_ip *ip,
                       unsigned len, int permit)
{
    struct ft_trie **t = ip->af == FT_AF_INET6 ? &p->prim->trie6 : &p->prim->trie4;
    struct ft_err e;
    if (!*t && !(*t = ft_trie_new(ip->af, 0)))
        return fil_line_error(p, l, "out of memory");
    if (ft_trie_insert(*t, ip, len, (uint32_t)permit, &e) < 0)
        return fil_line_error(p, l, "%s", e.msg);
    return 0;
}

static int add_address(struct fil_parser *p, const struct ft_cfg_line *l, int permit)
{
    struct ft_ip ip;
    if (fil_word_count(p, l, 2, "one address") < 0)
        return -1;
    if (parse_addr(p, l, l->word[1], &ip) < 0)
        return -1;
    return trie_insert(p, l, &ip, ip.af == FT_AF_INET6 ? 128 : 32, permit);
}

/* a.b.c.d/len, partial forms, or an address alone: its classful network
 * when the host part is zero (ft_prefix_parse). */
static int add_prefix(struct fil_parser *p, const struct ft_cfg_line *l, int permit)
{
    struct ft_ip ip;
    struct ft_err e;
    unsigned len;
    if (fil_word_count(p, l, 2, "one prefix") < 0)
        return -1;
    if (ft_prefix_parse_r(l->word[1], 1, p->f->opts.resolver, &ip, &len, &e) < 0)
        return fil_line_error(p, l, "%s", e.msg);
    return trie_insert(p, l, &ip, len, permit);
}

static struct fil_rule *new_rule(struct fil_parser *p, const struct ft_cfg_line *l, int permit)
{
    struct fil_prim *pr = p->prim;
    if (FT_RESERVE(pr->rules, pr->cap_rules, pr->n_rules) < 0) {
        fil_line_error(p, l, "out of memory");
        return NULL;
    }
    struct fil_rule *r = &pr->rules[pr->n_rules++];
    memset(r, 0, sizeof *r);
    r->permit = (uint8_t)permit;
    return r;
}

static int add_address_mask(struct fil_parser *p, const struct ft_cfg_line *l, int permit)
{
    struct ft_ip a, m;
    if (fil_word_count(p, l, 3, "an address and a mask") < 0)
        return -1;
    if (parse_addr(p, l, l->word[1], &a) < 0 || parse_addr(p, l, l->word[2], &m) < 0)
        return -1;
    if (a.af != m.af)
        return fil_line_error(p, l, "address \"%s\" and mask \"%s\" of different families",
                          l->word[1], l->word[2]);
    struct fil_rule *r = new_rule(p, l, permit);
    if (!r)
        return -1;
    r->ip.addr = a;
    r->ip.mask = m;
    return 0;
}

/* ---- primitives: tags, comparisons, rate -------------------------------------- */

static int tag_value(struct fil_parser *p, const struct ft_cfg_line *l, const char *w, uint32_t *out)
{
    uint64_t v;
    if (isalpha((unsigned char)w[0])) {
        if (symbol_value(p, l, w, &v) < 0)
            return -1;
    } else if (number_word(w, &v) < 0 || v > UINT32_MAX) {
        return fil_line_error(p, l, "bad tag \"%s\"", w);
    }
    *out = (uint32_t)v;
    return 0;
}

static int add_tag(struct fil_parser *p, const struct ft_cfg_line *l, int permit)
{
    struct fil_prim *pr = p->prim;
    uint32_t v;
    if (fil_word_count(p, l, 2, "one tag") < 0)
        return -1;
    if (tag_value(p, l, l->word[1], &v) < 0)
        return -1;
    if (FT_RESERVE(pr->tags, pr->cap_tags, pr->n_tags) < 0)
        return fil_line_error(p, l, "out of memory");
    pr->tags[pr->n_tags] = (struct fil_tag){v, (uint8_t)permit, (uint32_t)pr->n_tags};
    pr->n_tags++;
    return 0;
}

static int add_tag_mask(struct fil_parser *p, const struct ft_cfg_line *l, int permit)
{
    uint32_t tag;
    uint64_t mask;
    if (fil_word_count(p, l, 3, "a tag and a mask") < 0)
        return -1;
    if (tag_value(p, l, l->word[1], &tag) < 0)
        return -1;
    if (number_word(l->word[2], &mask) < 0 || mask > UINT32_MAX)
        return fil_line_error(p, l, "bad mask \"%s\"", l->word[2]);
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

static int comparison_value(struct fil_parser *p, const struct ft_cfg_line *l, struct fil_rule *r)
{
    char text[FT_VARS_LINE_MAX];
    const char *w = l->word[2];
    char *end;
    if (p->prim->type != PT_TIME_DATE && fil_word_count(p, l, 3, "an operator and a value") < 0)
        return -1;
    switch (p->prim->type) {
    case PT_COUNTER:
        if (number_word(w, &r->u) < 0)
            return fil_line_error(p, l, "bad counter value \"%s\"", w);
        return 0;
    case PT_DOUBLE:
        errno = 0;
        r->d = strtod(w, &end);
        if (*end || end == w || errno || isnan(r->d))
            return fil_line_error(p, l, "bad number \"%s\"", w);
        return 0;
    case PT_TIME:
        if (parse_tod(w, r) < 0)
            return fil_line_error(p, l, "bad time of day \"%s\"", w);
        return 0;
    default: {                  /* PT_TIME_DATE: the rest of the line */
        struct ft_err e;
        time_t t;
        time_t now = p->f->opts.now ? p->f->opts.now : time(NULL);
        rest_of_line(l, 2, text, sizeof text);
        if (ft_getdate(text, now, &t, &e) < 0)
            return fil_line_error(p, l, "%s", e.msg);
        r->secs = (int64_t)t;
        return 0;
    }
    }
}

static int add_comparison(struct fil_parser *p, const struct ft_cfg_line *l, int permit)
{
    if (l->n < 3)
        return fil_line_error(p, l, "expecting an operator and a value");
    int op = parse_op(l->word[1]);
    if (op < 0)
        return fil_line_error(p, l, "unknown operator \"%s\"", l->word[1]);
    struct fil_rule r = {.op = (uint8_t)op, .permit = (uint8_t)permit};
    if (comparison_value(p, l, &r) < 0)
        return -1;
    struct fil_rule *slot = new_rule(p, l, permit);
    if (!slot)
        return -1;
    *slot = r;
    return 0;
}

static int add_rate(struct fil_parser *p, const struct ft_cfg_line *l, int permit)
{
    uint64_t v;
    if (fil_word_count(p, l, 2, "a rate") < 0)
        return -1;
    if (number_word(l->word[1], &v) < 0 || v == 0 || v > UINT32_MAX)
        return fil_line_error(p, l, "expecting a non-zero rate, not \"%s\"", l->word[1]);
    p->prim->rate = (uint32_t)v;
    p->prim->rate_permit = (uint8_t)permit;
    return 0;
}

static int permit_deny(struct fil_parser *p, const struct ft_cfg_line *l, int permit)
{
    struct fil_prim *pr = p->prim;
    if (pr->type == PT_NONE)
        return fil_line_error(p, l, "%s: type must be set first", l->word[0]);
    if (++pr->n_lines > FT_FILTER_MAX_RULES)
        return fil_line_error(p, l, "more than %u rules in primitive \"%s\"",
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

static int prim_type(struct fil_parser *p, const struct ft_cfg_line *l)
{
    if (fil_word_count(p, l, 2, "one type") < 0)
        return -1;
    if (p->prim->type != PT_NONE)
        return fil_line_error(p, l, "Type previously defined");
    for (size_t i = 0; i < sizeof prim_types / sizeof prim_types[0]; i++) {
        if (strcasecmp(l->word[1], prim_types[i].name) == 0) {
            p->prim->type = prim_types[i].type;
            p->prim->max = prim_types[i].max;
            return 0;
        }
    }
    return fil_line_error(p, l, "Unrecognized type \"%s\"", l->word[1]);
}

static int prim_default(struct fil_parser *p, const struct ft_cfg_line *l)
{
    if (fil_word_count(p, l, 2, "permit or deny") < 0)
        return -1;
    int permit;
    if (strcasecmp(l->word[1], "permit") == 0)
        permit = 1;
    else if (strcasecmp(l->word[1], "deny") == 0)
        permit = 0;
    else
        return fil_line_error(p, l, "default: expecting permit or deny, not \"%s\"", l->word[1]);
    if (p->prim->type == PT_RATE) {
        fil_line_warn(p, l, "default ignored for a rate primitive");
        return 0;
    }
    p->prim->def_permit = (uint8_t)permit;
    return 0;
}

static int prim_mask(struct fil_parser *p, const struct ft_cfg_line *l)
{
    uint64_t v;
    if (p->prim->type != PT_TOS && p->prim->type != PT_TCP_FLAGS)
        return fil_line_error(p, l, "mask: only for ip-tos and ip-tcp-flags primitives");
    if (fil_word_count(p, l, 2, "a number") < 0)
        return -1;
    if (number_word(l->word[1], &v) < 0)
        return fil_line_error(p, l, "mask: expecting a number, not \"%s\"", l->word[1]);
    p->prim->mask = (uint8_t)v;
    return 0;
}

int fil_prim_start(struct fil_parser *p, const struct ft_cfg_line *l)
{
    struct ft_filter *f = p->f;
    if (fil_word_count(p, l, 2, "one name") < 0)
        return -1;
    if (f->n_prims >= FT_FILTER_MAX_PRIMITIVES)
        return fil_line_error(p, l, "more than %u primitives", FT_FILTER_MAX_PRIMITIVES);
    struct fil_prim *pr = calloc(1, sizeof *pr);
    if (!pr || FT_RESERVE(f->prims, f->cap_prims, f->n_prims) < 0
        || !(pr->name = strdup(l->word[1]))) {
        free(pr);
        return fil_line_error(p, l, "out of memory");
    }
    pr->line = l->lineno;
    pr->mask = 0xff;
    f->prims[f->n_prims++] = pr;
    p->prim = pr;
    p->def = NULL;
    return 0;
}

int fil_prim_statement(struct fil_parser *p, const struct ft_cfg_line *l)
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
    return fil_line_error(p, l, "Unexpected keyword \"%s\" in primitive", k);
}

void fil_prim_free(struct fil_prim *pr)
{
    free(pr->name);
    free(pr->set);
    free(pr->wide);
    free(pr->permit_bits);
    ft_trie_free(pr->trie4);
    ft_trie_free(pr->trie6);
    free(pr->rules);
    free(pr->tags);
    free(pr);
}
