/*
 * ft_mask.c - the mask language: definitions of prefixes in a longest-match
 * trie each, applied to flows' source and destination masks.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/ft_file.h"
#include "lang/ft_cfg.h"
#include "lang/ft_mask.h"
#include "lang/ft_trie.h"
#include "net/ft_resolve.h"

struct ft_mask_def {
    char *name;
    struct ft_trie *trie;       /* IPv4 prefix -> new length */
    struct ft_trie *trie6;      /* IPv6 prefix -> new length; NULL until one is given */
};

struct ft_mask {
    const char *file;
    struct ft_mask_def *def;
    size_t ndef, cap;
};

struct mask_parser {
    struct ft_mask *m;
    struct ft_err *err;
    const struct ft_resolver *resolver;
};

static int start_def(struct mask_parser *p, const struct ft_cfg_line *l)
{
    struct ft_mask *m = p->m;
    if (l->n != 2)
        return ft_cfg_error(p->err, m->file, l->lineno, "mask-definition: %s",
                            l->n < 2 ? "missing name" : l->word[2]);
    if (ft_mask_find(m, l->word[1]))
        return ft_cfg_error(p->err, m->file, l->lineno, "%s: defined twice", l->word[1]);
    if (m->ndef >= FT_MASK_MAX_DEFINITIONS || FT_RESERVE(m->def, m->cap, m->ndef) < 0)
        return ft_cfg_error(p->err, m->file, l->lineno, "%s: too many definitions",
                            l->word[1]);
    struct ft_mask_def *d = &m->def[m->ndef];
    d->name = strdup(l->word[1]);
    d->trie = ft_trie_new(FT_AF_INET, FT_MASK_MAX_PREFIXES);
    d->trie6 = NULL;            /* made at the first IPv6 prefix */
    m->ndef++;
    if (!d->name || !d->trie)
        return ft_cfg_error(p->err, m->file, l->lineno, "out of memory");
    return 0;
}

static int add_prefix(struct mask_parser *p, const struct ft_cfg_line *l)
{
    struct ft_mask *m = p->m;
    if (m->ndef == 0)
        return ft_cfg_error(p->err, m->file, l->lineno, "prefix outside a mask-definition");
    if (l->n != 3)
        return ft_cfg_error(p->err, m->file, l->lineno, "prefix: %s",
                            l->n < 3 ? "expecting PREFIX NEWLEN" : l->word[3]);
    struct ft_ip ip;
    unsigned len;
    struct ft_err e;
    if (ft_prefix_parse_r(l->word[1], 1, p->resolver, &ip, &len, &e) < 0)
        return ft_cfg_error(p->err, m->file, l->lineno, "bad prefix \"%s\"", l->word[1]);
    /* IPv6 prefixes (ftkit's extended records) set lengths up to 128 */
    unsigned max = ip.af == FT_AF_INET6 ? 128 : 32;
    char *end;
    unsigned long newlen = strtoul(l->word[2], &end, 10);
    if (*end || end == l->word[2] || l->word[2][0] == '-' || newlen > max)
        return ft_cfg_error(p->err, m->file, l->lineno, "bad length \"%s\"", l->word[2]);
    struct ft_mask_def *d = &m->def[m->ndef - 1];
    struct ft_trie *t = d->trie;
    if (ip.af == FT_AF_INET6) {
        if (!d->trie6 && !(d->trie6 = ft_trie_new(FT_AF_INET6, FT_MASK_MAX_PREFIXES)))
            return ft_cfg_error(p->err, m->file, l->lineno, "out of memory");
        t = d->trie6;
    }
    if (ft_trie_insert(t, &ip, len, (uint32_t)newlen, &e) < 0)
        return ft_cfg_error(p->err, m->file, l->lineno, "%s: %s", l->word[1], e.msg);
    return 0;
}

static int parse_line(void *ctx, struct ft_cfg_line *l)
{
    struct mask_parser *p = ctx;
    if (ft_cfg_split(l, FT_CFG_MAX_WORDS) < 0)
        return ft_cfg_error(p->err, p->m->file, l->lineno, "too many words");
    if (strcasecmp(l->word[0], "mask-definition") == 0)
        return start_def(p, l);
    if (strcasecmp(l->word[0], "prefix") == 0)
        return add_prefix(p, l);
    return ft_cfg_error(p->err, p->m->file, l->lineno, "unknown statement \"%s\"",
                        l->word[0]);
}

struct ft_mask *ft_mask_parse(const char *text, size_t len, const char *name,
                              const struct ft_vars *vars, struct ft_err *err)
{
    return ft_mask_parse_r(text, len, name, vars, NULL, err);
}

struct ft_mask *ft_mask_parse_r(const char *text, size_t len, const char *name,
                                const struct ft_vars *vars, const struct ft_resolver *r,
                                struct ft_err *err)
{
    struct ft_mask *m = calloc(1, sizeof *m + strlen(name) + 1);
    if (!m) {
        ft_err_set(err, "%s: out of memory", name);
        return NULL;
    }
    m->file = strcpy((char *)(m + 1), name);
    struct mask_parser p = { m, err, r };
    if (ft_cfg_lines(text, len, name, vars, parse_line, &p, err) < 0) {
        ft_mask_free(m);
        return NULL;
    }
    return m;
}

struct ft_mask *ft_mask_load(const char *path, const struct ft_vars *vars, struct ft_err *err)
{
    return ft_mask_load_r(path, vars, NULL, err);
}

struct ft_mask *ft_mask_load_r(const char *path, const struct ft_vars *vars,
                               const struct ft_resolver *r, struct ft_err *err)
{
    size_t len;
    char *text = ft_file_read(path, FT_MASK_MAX_FILE, &len, err);
    if (!text)
        return NULL;
    struct ft_mask *m = ft_mask_parse_r(text, len, path, vars, r, err);
    free(text);
    return m;
}

void ft_mask_free(struct ft_mask *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->ndef; i++) {
        free(m->def[i].name);
        ft_trie_free(m->def[i].trie);
        ft_trie_free(m->def[i].trie6);
    }
    free(m->def);
    free(m);
}

const struct ft_mask_def *ft_mask_find(const struct ft_mask *m, const char *name)
{
    for (size_t i = 0; i < m->ndef; i++)
        if (strcasecmp(m->def[i].name, name) == 0)
            return &m->def[i];
    return NULL;
}

/* The new length of address a: 1 and *len, or 0 when no prefix covers it. */
static int lookup(const struct ft_mask_def *d, const struct ft_ip *a, uint32_t *len)
{
    if (a->af == FT_AF_INET)
        return ft_trie_lookup4(d->trie, a->v4, len);
    return d->trie6 && ft_trie_lookup(d->trie6, a, len);
}

void ft_mask_apply_fields(const struct ft_mask_def *d, uint64_t fields, struct ft_flow *flows,
                          size_t n)
{
    const uint64_t src = FT_F_SRCADDR | FT_F_SRC_MASK, dst = FT_F_DSTADDR | FT_F_DST_MASK;
    int do_src = (fields & src) == src, do_dst = (fields & dst) == dst;
    for (size_t i = 0; i < n; i++) {
        struct ft_flow *f = &flows[i];
        uint32_t len;
        if (do_src && lookup(d, &f->srcaddr, &len))
            f->src_mask = (uint8_t)len;
        if (do_dst && lookup(d, &f->dstaddr, &len))
            f->dst_mask = (uint8_t)len;
    }
}

void ft_mask_apply(const struct ft_mask_def *d, struct ft_flow *flows, size_t n)
{
    ft_mask_apply_fields(d, FT_MASK_FIELDS, flows, n);
}
