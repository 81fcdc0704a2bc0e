/*
 * ft_filter_int.h - what the filter parser (ft_filter.c, its primitives in
 * ft_filter_prim.c) and the evaluator (ft_filter_eval.c) share.  Private
 * to ftlib.
 */
#ifndef FT_FILTER_INT_H
#define FT_FILTER_INT_H

#include <stdbool.h>
#include "core/ft_field.h"
#include "lang/ft_filter.h"
#include "text/ft_sym.h"
#include "lang/ft_trie.h"

enum fil_type {
    PT_NONE, PT_AS, PT_IP_PROT, PT_IP_PORT, PT_PREFIX_LEN, PT_TOS, PT_TCP_FLAGS,
    PT_IFINDEX, PT_ENGINE, PT_IP_ADDRESS, PT_IP_MASK, PT_IP_PREFIX, PT_TAG,
    PT_TAG_MASK, PT_COUNTER, PT_TIME_DATE, PT_TIME, PT_DOUBLE, PT_RATE
};
#define PT_BIT(t) (1u << (t))

/* Where the value a `match` tests comes from: a member of the flow, told
 * by its row of the field table (core/ft_field.h), or one of the fields
 * the language computes, which are no member. */
enum fil_source {
    SRC_NUMBER,                 /* a numeric member */
    SRC_ADDRESS,                /* an address member */
    SRC_DURATION,               /* Last - First, ms */
    SRC_START, SRC_END,         /* wall-clock seconds of the first, last packet */
    SRC_BPS, SRC_PPS,           /* octets * 8 or packets per second */
    SRC_RANDOM                  /* no value: random-sample */
};

enum fil_op { OP_LT, OP_GT, OP_EQ, OP_NE, OP_LE, OP_GE };

/* A rule of the ordered types: first rule whose test is true decides. */
struct fil_rule {
    uint8_t op;                 /* enum fil_op (comparison types) */
    uint8_t permit;
    union {
        uint64_t u;             /* counter */
        int64_t secs;           /* time-date */
        double d;               /* double */
        struct { uint8_t h, m, s; } tod;                /* time */
        struct { uint32_t value, mask; } tag;           /* tag-mask */
        struct { struct ft_ip addr, mask; } ip;         /* ip-address-mask */
    };
};

struct fil_range {
    uint32_t lo, hi;
    uint8_t permit;
};

struct fil_tag {                /* tag: exact values, sorted for bsearch */
    uint32_t tag;
    uint8_t permit;
    uint32_t order;             /* line order, so duplicates resolve as written */
};

struct fil_prim {
    char *name;
    int line;                   /* where it was started (duplicate messages) */
    enum fil_type type;
    uint8_t def_permit;         /* result when no rule matches */
    uint8_t mask;               /* ip-tos / ip-tcp-flags */
    /* list types: per value 0 unset, 1 permit, 2 deny; compiled to bitmap */
    uint32_t max;
    uint8_t *set;
    /* as, ifindex: values above max (4-byte AS numbers, 32-bit ifIndexes),
     * as ranges in file order; the last one holding a value decides */
    struct fil_range *wide;
    size_t n_wide, cap_wide;
    uint64_t *permit_bits;
    /* ip-address, ip-address-prefix: one trie per family, value 1 = permit */
    struct ft_trie *trie4, *trie6;
    /* ordered types */
    struct fil_rule *rules;
    size_t n_rules, cap_rules;
    /* tag */
    struct fil_tag *tags;
    size_t n_tags, cap_tags;
    /* rate */
    uint32_t rate;
    uint8_t rate_permit;
    size_t n_lines;             /* permit/deny lines, against FT_FILTER_MAX_RULES */
};

struct fil_test {
    uint8_t source;             /* enum fil_source */
    uint8_t ends_group;         /* last test of its group */
    uint32_t on_deny;           /* index of the next group's first test, or n */
    const struct ft_field *field;   /* SRC_NUMBER, SRC_ADDRESS: the member */
    struct fil_prim *prim;
    uint64_t need;              /* FT_F_* the value is read from */
    unsigned types;             /* PT_BIT()s of the primitives the field takes */
    char *field_name;           /* as written, until resolved (messages) */
    char *prim_name;            /* until resolved */
    int line;
};

struct ft_filter_def {
    char *name;
    int line;
    struct fil_test *tests;
    size_t n, cap;
    int invert;
    int group_pending;          /* `or` seen: the next match starts a group */
    uint64_t need;
    uint64_t *rng;              /* the configuration's generator */
};

struct ft_filter {
    char *file;
    struct fil_prim **prims;
    size_t n_prims, cap_prims;
    struct ft_filter_def **defs;
    size_t n_defs, cap_defs;
    struct ft_sym *sym[FT_SYM_NTABLES];
    bool sym_tried[FT_SYM_NTABLES];
    uint64_t rng;
    struct ft_filter_opts opts;
};

/* The parser's state between lines. */
struct fil_parser {
    struct ft_filter *f;
    struct fil_prim *prim;      /* the primitive being defined, or NULL */
    struct ft_filter_def *def;  /* the definition being defined, or NULL */
    struct ft_err *err;
};

struct ft_cfg_line;

/* ft_filter.c: "FILE line N: message" into the parser's err (always -1);
 * the same to the opts' warn callback, parsing going on. */
int fil_line_error(const struct fil_parser *p, const struct ft_cfg_line *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void fil_line_warn(const struct fil_parser *p, const struct ft_cfg_line *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A statement of n words (keyword included): fewer is "KEYWORD: expecting
 * WHAT"; a word more is named, a trailing "# comment" too, since '#' starts
 * a comment only as a line's first word (nfilter-language.md section 0). */
int fil_word_count(const struct fil_parser *p, const struct ft_cfg_line *l, int n,
                   const char *what);

/* ft_filter_prim.c: `filter-primitive NAME` starts a primitive; the
 * statements in it (type, permit, deny, default, mask); freeing one. */
int fil_prim_start(struct fil_parser *p, const struct ft_cfg_line *l);
int fil_prim_statement(struct fil_parser *p, const struct ft_cfg_line *l);
void fil_prim_free(struct fil_prim *pr);

/* ft_filter_eval.c */
int fil_compile_prim(struct fil_prim *p);
void fil_compile_def(struct ft_filter_def *d);

#endif
