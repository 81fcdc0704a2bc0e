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
    struct ft_trie *trie;       /* prefix -> new length */
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
    int rc = ft_prefix_parse_r(l->word[1], 1, p->resolver, &ip, &len, &e);
    if (rc < 0 && ft_resolve_is_name(l->word[1]))
        return ft_cfg_error(p->err, m->file, l->lineno, "%s", e.msg);
    if (rc < 0 || ip.af != FT_AF_INET)
        return ft_cfg_error(p->err, m->file, l->lineno, "bad prefix \"%s\"", l->word[1]);
    char *end;
    unsigned long newlen = strtoul(l->word[2], &end, 10);
    if (*end || end == l->word[2] || newlen > 32)
        return ft_cfg_error(p->err, m->file, l->lineno, "bad length \"%s\"", l->word[2]);
    if (ft_trie_insert(m->def[m->ndef - 1].trie, &ip, len, (uint32_t)newlen, &e) < 0)
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

void ft_mask_apply(const struct ft_mask_def *d, struct ft_flow *flows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct ft_flow *f = &flows[i];
        uint32_t len;
        if (f->srcaddr.af == FT_AF_INET && ft_trie_lookup4(d->trie, f->srcaddr.v4, &len))
            f->src_mask = (uint8_t)len;
        if (f->dstaddr.af == FT_AF_INET && ft_trie_lookup4(d->trie, f->dstaddr.v4, &len))
            f->dst_mask = (uint8_t)len;
    }
}
