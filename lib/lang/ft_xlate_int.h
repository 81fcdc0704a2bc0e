/*
 * ft_xlate_int.h - what the xlate parser (ft_xlate.c) and the action types
 * and evaluation (ft_xlate_act.c) share.  Private to ftlib.
 */
#ifndef FT_XLATE_INT_H
#define FT_XLATE_INT_H

#include "core/ft_field.h"
#include "lang/ft_filter.h"
#include "lang/ft_xlate.h"
#include "net/ft_cryptopan.h"

/* What an action type does to its fields. */
enum xlate_op {
    XOP_TO_NET,         /* address &= netmask(its prefix length field) */
    XOP_TO_CLASS,       /* address &= its classful mask */
    XOP_AND,            /* value &= the action's mask for that field */
    XOP_SCALE,          /* value *= N */
    XOP_IF_ZERO,        /* value = N when it is 0 */
    XOP_ANON            /* address = Crypto-PAn(address) */
};

/* The parameter statement a type takes. */
enum xlate_param { XP_NONE, XP_MASK, XP_SCALE, XP_AS, XP_KEY };

/* A type: its name, what it does, and the fields by flow-tools name. */
struct xlate_type {
    const char *name;
    enum xlate_op op;
    enum xlate_param param;
    const char *field[2];       /* changed (NULL: none) */
    const char *aux[2];         /* read: the prefix length of field[i] */
};

/* The type called name (case-insensitive), or NULL. */
const struct xlate_type *xlate_type_find(const char *name);

struct xlate_action {
    char *name;
    unsigned line;                      /* of xlate-action, for messages */
    const struct xlate_type *type;      /* NULL until `type` */
    const struct ft_field *field[2], *aux[2];
    uint64_t fields;                    /* FT_F_* read or changed */
    int have_param;
    uint64_t mask[2];                   /* XP_MASK, per field */
    uint64_t value;                     /* XP_SCALE, XP_AS */
    /* XP_KEY */
    uint8_t key[FT_CRYPTOPAN_KEY_SIZE];
    char *key_file;
    unsigned refresh_minutes;           /* 0: never */
    time_t refresh_next;
    struct ft_cryptopan *cp;            /* made when the file is resolved */
    struct anon_memo *memo;             /* IPv4 results of cp, made with it */
};

/* Recent IPv4 results of an anonymize action: flows repeat addresses, and
 * each costs 32 AES blocks.  Direct-mapped, cleared with a new key. */
#define XLATE_MEMO_BITS 13
#define XLATE_MEMO_SLOTS (1u << XLATE_MEMO_BITS)
struct anon_memo {
    uint32_t in[XLATE_MEMO_SLOTS], out[XLATE_MEMO_SLOTS];
    uint8_t used[XLATE_MEMO_SLOTS];
};

struct xlate_term {
    struct ft_filter_def *filter;       /* NULL: every flow */
    int stop;
    size_t first, n;                    /* its actions in x->term_action */
};

struct xlate_term_action {
    char *name;                         /* until resolved */
    unsigned line;
    struct xlate_action *action;
};

struct ft_xlate_def {
    char *name;
    struct ft_xlate *x;
    size_t first_term, nterms;          /* in x->term */
    uint64_t fields;
};

struct ft_xlate {
    const char *file;
    struct ft_xlate_opts o;
    char *filter_path;                  /* include-filter */
    struct ft_filter *filters;          /* loaded at the first `filter` */
    struct xlate_action **action;
    size_t nactions, cap_actions;
    struct ft_xlate_def *def;
    size_t ndefs, cap_defs;
    struct xlate_term *term;
    size_t nterms, cap_terms;
    struct xlate_term_action *term_action;
    size_t nterm_actions, cap_term_actions;
};

/* Resolve the fields of a's type through the field table: 0 or -1. */
int xlate_action_set_type(struct xlate_action *a, const struct xlate_type *t);

/* Read a key file (its first 64 hex digits; blanks after them ignored)
 * into key: 0, or -1 with err naming the file. */
int xlate_key_file(const char *path, uint8_t key[FT_CRYPTOPAN_KEY_SIZE], struct ft_err *err);

/* A key written as up to 64 hex digits, right-aligned as flow-tools reads
 * it: 0, or -1. */
int xlate_key_hex(const char *s, uint8_t key[FT_CRYPTOPAN_KEY_SIZE]);

/* The first key-file refresh after now: at HH:MM:SS local time (within a
 * day) when given, else at the next multiple of `minutes` past the hour. */
time_t xlate_refresh_start(time_t now, unsigned minutes, int have_time, int h, int m, int s);

void xlate_action_free(struct xlate_action *a);

#endif
