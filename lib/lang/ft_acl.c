/*
 * ft_acl.c - flow-filter's access lists (see ft_acl.h): the file read
 * through lang/ft_cfg into lines, the lines parsed by the bison grammar of
 * ft_acl_gram.y, the lists it builds, and their verdicts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/ft_file.h"
#include "core/ft_grow.h"
#include "lang/ft_acl_int.h"
#include "lang/ft_cfg.h"

/* A token as a message shows it: bytes that are not printable ASCII as
 * \xNN, "..." when it was cut. */
static void printable(const struct ft_acl_tok *t, char *out, size_t size)
{
    size_t o = 0;
    for (const unsigned char *c = (const unsigned char *)t->text; *c && o + 5 < size; c++) {
        if (*c >= 0x20 && *c < 0x7f)
            out[o++] = (char)*c;
        else
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", *c);
    }
    if (t->len >= sizeof t->text && o + 4 < size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = 0;
}

int ft_acl_fail(struct ft_acl_parse *p, const struct ft_acl_tok *t, const char *fmt, ...)
{
    char why[300], tok[4 * FT_ACL_TOKEN_TEXT + 8];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    if (p->failed)              /* the first message is the one that counts */
        return -1;
    p->failed = 1;
    if (t) {
        printable(t, tok, sizeof tok);
        return ft_cfg_error(p->err, p->file, p->lineno, "\"%s\": %s", tok, why);
    }
    return ft_cfg_error(p->err, p->file, p->lineno, "%s", why);
}

/* Protocols an extended entry may name (the numbers of IANA's registry). */
static const struct {
    const char *name;
    int number;
} protocols[] = {
    {"icmp", 1}, {"igmp", 2}, {"ipinip", 4}, {"tcp", 6}, {"udp", 17}, {"gre", 47},
    {"esp", 50}, {"ahp", 51}, {"eigrp", 88}, {"ospf", 89}, {"nos", 94}, {"pim", 103},
    {"pcp", 108},
};

int ft_acl_proto_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof protocols / sizeof protocols[0]; i++)
        if (strcasecmp(name, protocols[i].name) == 0)
            return protocols[i].number;
    return -1;
}

const struct ft_acl *ft_acl_find(const struct ft_acl_set *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->acl[i].name, name) == 0)
            return &s->acl[i];
    return NULL;
}

struct ft_acl *ft_acl_list_get(struct ft_acl_parse *p, const struct ft_acl_tok *name,
                               int extended)
{
    if (name->len > FT_ACL_MAX_NAME) {
        ft_acl_fail(p, name, "name longer than %u characters", FT_ACL_MAX_NAME);
        return NULL;
    }
    struct ft_acl *a = (struct ft_acl *)ft_acl_find(p->set, name->text);
    if (a) {
        if (a->extended == extended)
            return a;
        ft_acl_fail(p, name, "already a%s list", a->extended ? "n extended" : " standard");
        return NULL;
    }
    struct ft_acl_set *s = p->set;
    if (s->n >= FT_ACL_MAX_LISTS) {
        ft_acl_fail(p, name, "more than %u lists", FT_ACL_MAX_LISTS);
        return NULL;
    }
    /* The block being filled may move with the array. */
    size_t block = p->block ? (size_t)(p->block - s->acl) : 0;
    if (FT_RESERVE(s->acl, s->cap, s->n) < 0) {
        ft_acl_fail(p, name, "out of memory");
        return NULL;
    }
    if (p->block)
        p->block = &s->acl[block];
    a = &s->acl[s->n++];
    memset(a, 0, sizeof *a);
    memcpy(a->name, name->text, name->len);
    a->extended = extended;
    return a;
}

int ft_acl_list_add(struct ft_acl_parse *p, struct ft_acl *a, const struct ft_acl_entry *e,
                    const struct ft_acl_tok *t)
{
    if (a->n >= FT_ACL_MAX_ENTRIES)
        return ft_acl_fail(p, t, "list \"%s\" has more than %u entries", a->name,
                           FT_ACL_MAX_ENTRIES);
    if (FT_RESERVE(a->e, a->cap, a->n) < 0)
        return ft_acl_fail(p, t, "out of memory");
    a->e[a->n++] = *e;
    return 0;
}

/* ft_cfg's lines, kept for the scanner. */
static int keep_line(void *ctx, struct ft_cfg_line *l)
{
    struct ft_acl_parse *p = ctx;
    size_t len = strlen(l->text);
    char *text = malloc(len + 1);
    if (!text || FT_RESERVE(p->lines, p->cap, p->nlines) < 0) {
        free(text);
        return ft_cfg_error(p->err, p->file, l->lineno, "out of memory");
    }
    memcpy(text, l->text, len + 1);
    p->lines[p->nlines++] = (struct ft_acl_line){text, len, l->lineno};
    return 0;
}

struct ft_acl_set *ft_acl_parse_buffer(const char *buf, size_t len, const char *name,
                                       struct ft_err *err)
{
    struct ft_acl_parse p;
    memset(&p, 0, sizeof p);
    p.file = name;
    p.err = err;
    p.set = calloc(1, sizeof *p.set);
    if (!p.set) {
        ft_err_set(err, "%s: out of memory", name);
        return NULL;
    }
    int rc = ft_cfg_lines(buf, len, name, NULL, keep_line, &p, err);
    if (rc == 0)
        rc = ft_acl_run_parser(&p);
    for (size_t i = 0; i < p.nlines; i++)
        free(p.lines[i].text);
    free(p.lines);
    if (rc < 0) {
        ft_acl_free(p.set);
        return NULL;
    }
    return p.set;
}

struct ft_acl_set *ft_acl_load(const char *path, struct ft_err *err)
{
    size_t len;
    char *text = ft_file_read(path, FT_ACL_MAX_FILE, &len, err);
    if (!text)
        return NULL;
    struct ft_acl_set *s = ft_acl_parse_buffer(text, len, path, err);
    free(text);
    return s;
}

void ft_acl_free(struct ft_acl_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->acl[i].e);
    free(s->acl);
    free(s);
}

size_t ft_acl_count(const struct ft_acl_set *s)
{
    return s->n;
}

int ft_acl_is_extended(const struct ft_acl *a)
{
    return a->extended;
}

size_t ft_acl_entries(const struct ft_acl *a)
{
    return a->n;
}

static inline int addr_matches(const struct ft_acl_addr *t, const struct ft_ip *ip)
{
    if (ip->af != FT_AF_INET)
        return t->any;
    return (ip->v4 & t->care) == t->value;
}

static inline int ports_match(const struct ft_acl_ports *r, uint16_t port)
{
    int in = port >= r->lo && port <= r->hi;
    return in != r->outside;
}

int ft_acl_permits_addr(const struct ft_acl *a, const struct ft_ip *ip)
{
    for (size_t i = 0; i < a->n; i++)
        if (addr_matches(&a->e[i].src, ip))
            return a->e[i].permit;
    return 0;                   /* the implicit deny at the end */
}

/* TCP's ACK and RST: a segment of an established connection. */
#define TCP_ACK_OR_RST 0x14

static int entry_matches(const struct ft_acl_entry *e, const struct ft_flow *f)
{
    if (!e->any_proto && f->prot != e->proto)
        return 0;
    if (!addr_matches(&e->src, &f->srcaddr) || !addr_matches(&e->dst, &f->dstaddr))
        return 0;
    if (e->has_ports && (!ports_match(&e->sport, f->srcport) ||
                         !ports_match(&e->dport, f->dstport)))
        return 0;
    return !e->established || (f->tcp_flags & TCP_ACK_OR_RST);
}

int ft_acl_permits_flow(const struct ft_acl *a, const struct ft_flow *f)
{
    for (size_t i = 0; i < a->n; i++)
        if (entry_matches(&a->e[i], f))
            return a->e[i].permit;
    return 0;
}
