/*
 * ft_tag.c - applying tag definitions to flows, finding and freeing them.
 *
 * Evaluation follows flow-tools: every term of a definition in order, a
 * term skipped when its interface lists or its exporter refuse the flow;
 * every action of a term in order; an action looks its field(s) up (the
 * source field before the destination field for the types that look at
 * both) and a hit applies all of its entry's operations: set-dst assigns
 * the destination tag, otherwise or-dst ORs into it, and likewise for the
 * source tag.  Later actions can overwrite what earlier ones set.
 */
#include <stdlib.h>
#include <strings.h>
#include "lang/ft_tag_int.h"

#define PROT_TCP 6
#define PROT_UDP 17

static inline void apply_entry(const struct tag_entry *e, struct ft_flow *f)
{
    if (e->ops & TAG_SET_DST)
        f->dst_tag = e->dst_tag;
    else if (e->ops & TAG_OR_DST)
        f->dst_tag |= e->dst_tag;
    if (e->ops & TAG_SET_SRC)
        f->src_tag = e->src_tag;
    else if (e->ops & TAG_OR_SRC)
        f->src_tag |= e->src_tag;
}

const struct tag_entry *tag_number_entry(const struct tag_action *a, uint32_t key)
{
    if (key < TAG_DIRECT_SIZE) {
        uint32_t i = a->direct[key];
        return i ? &a->entries[i - 1] : NULL;
    }
    if (!a->n_big)
        return NULL;
    size_t mask = a->cap_big - 1;
    for (size_t i = (key * 2654435761u) & mask;; i = (i + 1) & mask) {
        const struct tag_bigkey *b = &a->big[i];
        if (!b->entry_plus1)
            return NULL;
        if (b->key == key)
            return &a->entries[b->entry_plus1 - 1];
    }
}

static inline void by_number(const struct tag_action *a, uint32_t key, struct ft_flow *f)
{
    const struct tag_entry *e = tag_number_entry(a, key);
    if (e)
        apply_entry(e, f);
}

static inline void by_address(const struct tag_action *a, const struct ft_ip *ip,
                              struct ft_flow *f)
{
    uint32_t i;
    if (ip->af == FT_AF_INET && ft_trie_lookup4(a->trie, ip->v4, &i))
        apply_entry(&a->entries[i], f);
}

/* Port types: only flows of the action's protocol are looked at. */
static inline void by_ports(const struct tag_action *a, unsigned prot, int src, int dst,
                            struct ft_flow *f)
{
    if (f->prot != prot)
        return;
    if (src)
        by_number(a, f->srcport, f);
    if (dst)
        by_number(a, f->dstport, f);
}

static void run_action(const struct tag_action *a, struct ft_flow *f)
{
    switch (a->type) {
    case TT_SRC_PREFIX: case TT_SRC_IP: by_address(a, &f->srcaddr, f); break;
    case TT_DST_PREFIX: case TT_DST_IP: by_address(a, &f->dstaddr, f); break;
    case TT_PREFIX: case TT_IP:
        by_address(a, &f->srcaddr, f);
        by_address(a, &f->dstaddr, f);
        break;
    case TT_NEXTHOP: by_address(a, &f->nexthop, f); break;
    case TT_EXPORTER: by_address(a, &f->exaddr, f); break;
    case TT_SRC_AS: by_number(a, f->src_as, f); break;
    case TT_DST_AS: by_number(a, f->dst_as, f); break;
    case TT_AS: by_number(a, f->src_as, f); by_number(a, f->dst_as, f); break;
    case TT_TCP_SRC_PORT: by_ports(a, PROT_TCP, 1, 0, f); break;
    case TT_TCP_DST_PORT: by_ports(a, PROT_TCP, 0, 1, f); break;
    case TT_TCP_PORT: by_ports(a, PROT_TCP, 1, 1, f); break;
    case TT_UDP_SRC_PORT: by_ports(a, PROT_UDP, 1, 0, f); break;
    case TT_UDP_DST_PORT: by_ports(a, PROT_UDP, 0, 1, f); break;
    case TT_UDP_PORT: by_ports(a, PROT_UDP, 1, 1, f); break;
    case TT_TOS: by_number(a, f->tos, f); break;
    case TT_INPUT: by_number(a, f->input, f); break;
    case TT_OUTPUT: by_number(a, f->output, f); break;
    case TT_INTERFACE: by_number(a, f->input, f); by_number(a, f->output, f); break;
    case TT_ANY:
        if (a->n_entries)
            apply_entry(&a->entries[0], f);
        break;
    case TT_NONE: break;
    }
}

static int term_applies(const struct tag_term *t, const struct ft_flow *f)
{
    if (!ft_iflist_has(t->input, f->input) || !ft_iflist_has(t->output, f->output))
        return 0;
    if (t->has_exporter && (f->exaddr.af != FT_AF_INET || f->exaddr.v4 != t->exporter))
        return 0;
    return 1;
}

void ft_tag_apply(const struct ft_tag_def *d, struct ft_flow *flows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct ft_flow *f = &flows[i];
        for (size_t t = 0; t < d->n_terms; t++) {
            const struct tag_term *term = &d->terms[t];
            if (!term_applies(term, f))
                continue;
            for (size_t a = 0; a < term->n_actions; a++)
                run_action(term->actions[a].action, f);
        }
        f->has |= FT_TAG_FIELDS;
    }
}

const struct ft_tag_def *ft_tag_find(const struct ft_tag *t, const char *name)
{
    for (size_t i = 0; i < t->n_defs; i++)
        if (strcasecmp(t->defs[i].name, name) == 0)
            return &t->defs[i];
    return NULL;
}

size_t ft_tag_count_actions(const struct ft_tag *t) { return t->n_actions; }
size_t ft_tag_count_definitions(const struct ft_tag *t) { return t->n_defs; }

void tag_action_release(struct tag_action *a)
{
    free(a->name);
    free(a->entries);
    ft_trie_free(a->trie);
    free(a->direct);
    free(a->big);
}

void tag_def_release(struct ft_tag_def *d)
{
    for (size_t i = 0; i < d->n_terms; i++) {
        struct tag_term *t = &d->terms[i];
        free(t->input);
        free(t->output);
        for (size_t a = 0; a < t->n_actions; a++)
            free(t->actions[a].name);
        free(t->actions);
    }
    free(d->terms);
    free(d->name);
}

void ft_tag_free(struct ft_tag *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_actions; i++)
        tag_action_release(&t->actions[i]);
    for (size_t i = 0; i < t->n_defs; i++)
        tag_def_release(&t->defs[i]);
    free(t->actions);
    free(t->defs);
    free(t);
}
