/*
 * ft_tag_int.h - the loaded form of a tag configuration, shared by the
 * parser (ft_tag_parse.c) and the evaluator (ft_tag.c).  Private to lib/.
 */
#ifndef FT_TAG_INT_H
#define FT_TAG_INT_H

#include <stdint.h>
#include <stddef.h>
#include "lang/ft_tag.h"
#include "lang/ft_trie.h"
#include "lang/ft_iflist.h"

/* What a table entry does to the tags (at most one source and one
 * destination operation per entry). */
#define TAG_SET_SRC 0x1
#define TAG_OR_SRC  0x2
#define TAG_SET_DST 0x4
#define TAG_OR_DST  0x8
#define TAG_SRC_OPS (TAG_SET_SRC | TAG_OR_SRC)
#define TAG_DST_OPS (TAG_SET_DST | TAG_OR_DST)

/* Action types: which flow fields are looked up, and in what table. */
enum tag_type {
    TT_NONE,
    TT_SRC_PREFIX, TT_DST_PREFIX, TT_PREFIX,            /* trie, longest match */
    TT_NEXTHOP, TT_SRC_IP, TT_DST_IP, TT_IP, TT_EXPORTER, /* trie of /32s */
    TT_SRC_AS, TT_DST_AS, TT_AS,                        /* number tables */
    TT_TCP_SRC_PORT, TT_TCP_DST_PORT, TT_TCP_PORT,
    TT_UDP_SRC_PORT, TT_UDP_DST_PORT, TT_UDP_PORT,
    TT_TOS,
    TT_INPUT, TT_OUTPUT, TT_INTERFACE,
    TT_ANY
};

struct tag_entry {
    uint32_t src_tag, dst_tag;
    uint8_t ops;                /* TAG_* */
};

/* Keys above the direct table (32-bit AS numbers, ifIndexes): open
 * addressing, kept at most half full. */
struct tag_bigkey {
    uint32_t key;
    uint32_t entry_plus1;       /* 0 = empty slot */
};

#define TAG_DIRECT_SIZE 65536u

struct tag_action {
    char *name;
    unsigned line;              /* where it was defined, for messages */
    enum tag_type type;
    struct tag_entry *entries;
    size_t n_entries, cap_entries;
    struct ft_trie *trie;       /* address types: value = entry index */
    uint32_t *direct;           /* number types: entry index + 1, 0 = none */
    struct tag_bigkey *big;
    size_t n_big, cap_big;
};

/* An `action NAME` line of a term; the name is resolved once the whole
 * file is read (actions may be defined after the definitions). */
struct tag_term_action {
    struct tag_action *action;
    char *name;
    unsigned line;
};

struct tag_term {
    struct ft_iflist *input, *output;   /* NULL = every interface */
    int has_exporter;
    uint32_t exporter;          /* IPv4, host order */
    struct tag_term_action *actions;
    size_t n_actions, cap_actions;
};

struct ft_tag_def {
    char *name;
    unsigned line;
    struct tag_term *terms;
    size_t n_terms, cap_terms;
};

struct ft_tag {
    struct tag_action *actions;
    size_t n_actions, cap_actions;
    struct ft_tag_def *defs;
    size_t n_defs, cap_defs;
};

/* The entry the number key of an action's table leads to, or NULL. */
const struct tag_entry *tag_number_entry(const struct tag_action *a, uint32_t key);

void tag_action_release(struct tag_action *a);
void tag_def_release(struct ft_tag_def *d);

#endif
