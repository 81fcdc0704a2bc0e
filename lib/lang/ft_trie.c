/*
 * ft_trie.c - longest-prefix match with one byte per trie level.
 *
 * A slot holds the longest prefix that ends at its level and covers it
 * (len = prefix length + 1, 0 when none), and the node of the next level.
 * A lookup walks down while there is a child, remembering the last slot
 * that held a prefix: that is the longest match, because prefixes ending at
 * deeper levels are longer.  Inserting a prefix writes only the slots where
 * no longer prefix lives, so insertion order does not matter.
 */
#include <stdlib.h>
#include <string.h>
#include "net/ft_addrspec.h"
#include "core/ft_err.h"
#include "lang/ft_trie.h"
#include "net/ft_resolve.h"

struct trie_node {
    uint32_t child[256];        /* node index; 0 = none (node 0 is the root) */
    uint32_t value[256];
    uint8_t len[256];           /* covering prefix length + 1; 0 = none */
};

/* The exact prefixes, so that a prefix hidden in the tables by longer
 * ones can still be found and replaced (open addressing). */
struct exact_prefix {
    uint8_t key[16];            /* host bits cleared */
    uint8_t len_plus1;          /* 0 = empty slot */
    uint32_t value;
};

struct ft_trie {
    int af;
    unsigned key_bytes;         /* 4 or 16 */
    struct trie_node *nodes;
    size_t n_nodes, cap_nodes, max_nodes;
    size_t count, refused;
    struct exact_prefix *exact;
    size_t exact_cap;           /* power of two, kept at most half full */
    int has_default;            /* the zero-length prefix */
    uint32_t default_value;
};

static int new_node(struct ft_trie *t, uint32_t *index)
{
    if (t->n_nodes >= t->max_nodes)
        return -1;
    if (t->n_nodes == t->cap_nodes) {
        size_t cap = t->cap_nodes ? t->cap_nodes * 2 : 4;
        if (cap > t->max_nodes)
            cap = t->max_nodes;
        struct trie_node *n = realloc(t->nodes, cap * sizeof(*n));
        if (!n)
            return -1;
        t->nodes = n;
        t->cap_nodes = cap;
    }
    memset(&t->nodes[t->n_nodes], 0, sizeof(t->nodes[0]));
    *index = (uint32_t)t->n_nodes++;
    return 0;
}

struct ft_trie *ft_trie_new(int af, size_t max_nodes)
{
    if (af != FT_AF_INET && af != FT_AF_INET6)
        return NULL;
    struct ft_trie *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    t->af = af;
    t->key_bytes = af == FT_AF_INET ? 4 : 16;
    t->max_nodes = max_nodes ? max_nodes : FT_TRIE_DEFAULT_NODES;
    uint32_t root;
    if (new_node(t, &root) < 0) {
        free(t);
        return NULL;
    }
    return t;
}

void ft_trie_free(struct ft_trie *t)
{
    if (!t)
        return;
    free(t->nodes);
    free(t->exact);
    free(t);
}

/* The address as key bytes, most significant first. */
static void key_of(const struct ft_ip *a, uint8_t key[16])
{
    if (a->af == FT_AF_INET) {
        for (int i = 0; i < 4; i++)
            key[i] = (uint8_t)(a->v4 >> (24 - 8 * i));
    } else {
        memcpy(key, a->v6, 16);
    }
}

static void clear_host_bits(uint8_t key[16], unsigned len)
{
    for (unsigned i = 0; i < 16; i++) {
        unsigned keep = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;
        key[i] &= (uint8_t)(0xff00u >> keep);
    }
}

static size_t exact_hash(const uint8_t key[16], unsigned len)
{
    uint64_t h = 1469598103934665603ULL ^ len;      /* FNV-1a */
    for (unsigned i = 0; i < 16; i++)
        h = (h ^ key[i]) * 1099511628211ULL;
    return (size_t)(h ^ (h >> 29));
}

/* The slot of key/len, or the empty slot where it would go. */
static struct exact_prefix *exact_slot(const struct ft_trie *t, const uint8_t key[16],
                                       unsigned len)
{
    size_t mask = t->exact_cap - 1;
    for (size_t i = exact_hash(key, len) & mask;; i = (i + 1) & mask) {
        struct exact_prefix *e = &t->exact[i];
        if (!e->len_plus1 || (e->len_plus1 == len + 1 && !memcmp(e->key, key, 16)))
            return e;
    }
}

static int exact_grow(struct ft_trie *t)
{
    size_t cap = t->exact_cap ? t->exact_cap * 2 : 64;
    struct exact_prefix *old = t->exact, *e = calloc(cap, sizeof(*e));
    size_t old_cap = t->exact_cap;
    if (!e)
        return -1;
    t->exact = e;
    t->exact_cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].len_plus1)
            *exact_slot(t, old[i].key, old[i].len_plus1 - 1u) = old[i];
    free(old);
    return 0;
}

static int check_key(const struct ft_trie *t, const struct ft_ip *addr, unsigned len,
                     struct ft_err *err)
{
    if (addr->af != t->af)
        return ft_err_set(err, "prefix of the wrong address family");
    if (len > t->key_bytes * 8)
        return ft_err_set(err, "prefix length %u too long", len);
    return 0;
}

/* Write value into the lookup tables for every slot key/len covers. */
static int table_insert(struct ft_trie *t, const uint8_t key[16], unsigned len,
                        uint32_t value, struct ft_err *err)
{
    unsigned level = (len - 1) / 8, rest = len - 8 * level;
    uint32_t node = 0;
    for (unsigned d = 0; d < level; d++) {
        uint32_t next = t->nodes[node].child[key[d]];
        if (!next) {
            if (new_node(t, &next) < 0) {
                t->refused++;
                return ft_err_set(err, "prefix table full (%zu nodes)", t->n_nodes);
            }
            t->nodes[node].child[key[d]] = next;
        }
        node = next;
    }
    struct trie_node *n = &t->nodes[node];
    unsigned first = key[level], span = 1u << (8 - rest);
    uint8_t stored = (uint8_t)(len + 1);
    for (unsigned s = first; s < first + span; s++) {
        if (n->len[s] <= stored) {      /* keep longer prefixes expanded here */
            n->len[s] = stored;
            n->value[s] = value;
        }
    }
    return 0;
}

int ft_trie_insert(struct ft_trie *t, const struct ft_ip *addr, unsigned len,
                   uint32_t value, struct ft_err *err)
{
    if (check_key(t, addr, len, err) < 0)
        return -1;
    uint8_t key[16] = {0};
    key_of(addr, key);
    clear_host_bits(key, len);
    if ((t->count + 1) * 2 > t->exact_cap && exact_grow(t) < 0)
        return ft_err_set(err, "out of memory");
    if (len == 0) {
        t->has_default = 1;
        t->default_value = value;
    } else if (table_insert(t, key, len, value, err) < 0) {
        return -1;
    }
    struct exact_prefix *e = exact_slot(t, key, len);
    if (!e->len_plus1) {
        memcpy(e->key, key, 16);
        e->len_plus1 = (uint8_t)(len + 1);
        t->count++;
    }
    e->value = value;
    return 0;
}

int ft_trie_get(const struct ft_trie *t, const struct ft_ip *addr, unsigned len,
                uint32_t *value)
{
    if (check_key(t, addr, len, NULL) < 0 || !t->exact_cap)
        return 0;
    uint8_t key[16] = {0};
    key_of(addr, key);
    clear_host_bits(key, len);
    const struct exact_prefix *e = exact_slot(t, key, len);
    if (!e->len_plus1)
        return 0;
    *value = e->value;
    return 1;
}

static int lookup_key(const struct ft_trie *t, const uint8_t *key, uint32_t *value)
{
    int found = 0;
    uint32_t node = 0;
    for (unsigned d = 0; d < t->key_bytes; d++) {
        const struct trie_node *n = &t->nodes[node];
        uint8_t b = key[d];
        if (n->len[b]) {
            *value = n->value[b];
            found = 1;
        }
        node = n->child[b];
        if (!node)
            break;
    }
    if (!found && t->has_default) {
        *value = t->default_value;
        found = 1;
    }
    return found;
}

int ft_trie_lookup4(const struct ft_trie *t, uint32_t addr, uint32_t *value)
{
    if (t->af != FT_AF_INET)
        return 0;
    uint8_t key[4] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
                      (uint8_t)addr};
    return lookup_key(t, key, value);
}

int ft_trie_lookup(const struct ft_trie *t, const struct ft_ip *addr, uint32_t *value)
{
    if (addr->af != t->af)
        return 0;
    uint8_t key[16];
    key_of(addr, key);
    return lookup_key(t, key, value);
}

size_t ft_trie_count(const struct ft_trie *t) { return t->count; }
size_t ft_trie_nodes(const struct ft_trie *t) { return t->n_nodes; }
size_t ft_trie_refused(const struct ft_trie *t) { return t->refused; }

/* ---- prefix text ------------------------------------------------------ */

/* The classful length of an IPv4 address whose host part is zero (class D
 * as flow-tools has it: /28 for 224.0.0.0 only), else 32. */
static unsigned classful_len(uint32_t a)
{
    if (!(a & 0x80000000u) && !(a & 0x00ffffffu))
        return 8;
    if ((a & 0xc0000000u) == 0x80000000u && !(a & 0x0000ffffu))
        return 16;
    if ((a & 0xe0000000u) == 0xc0000000u && !(a & 0x000000ffu))
        return 24;
    if ((a & 0xf0000000u) == 0xe0000000u && !(a & 0x0fffffffu))
        return 28;
    return 32;
}

/* Decimal length; lengths beyond the family's are cut, as flow-tools does. */
static int parse_len(const char *s, unsigned max, unsigned *len)
{
    unsigned long v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        if (v <= max)
            v = v * 10 + (unsigned)(*s - '0');
    }
    *len = v > max ? max : (unsigned)v;
    return 0;
}

int ft_prefix_parse(const char *s, int classful, struct ft_ip *addr, unsigned *len,
                    struct ft_err *err)
{
    return ft_prefix_parse_r(s, classful, NULL, addr, len, err);
}

int ft_prefix_parse_r(const char *s, int classful, const struct ft_resolver *r,
                      struct ft_ip *addr, unsigned *len, struct ft_err *err)
{
    char buf[256];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n >= sizeof(buf))
        return ft_err_set(err, "bad prefix \"%.40s...\"", s);
    memcpy(buf, s, n);
    buf[n] = 0;
    struct ft_err e;
    if (ft_ip_parse_r(buf, r, addr, &e) < 0) {
        /* a name: the lookup says why it failed (no answer in time, unknown) */
        int name = ft_resolve_is_name(buf);
        return ft_err_set(err, "bad prefix \"%.200s\"%s%.300s", s, name ? ": " : "",
                          name ? e.msg : "");
    }
    if (addr->af == FT_AF_NONE)
        return ft_err_set(err, "bad prefix \"%s\"", s);
    unsigned max = addr->af == FT_AF_INET6 ? 128 : 32;
    if (slash && parse_len(slash + 1, max, len) < 0)
        return ft_err_set(err, "bad prefix length in \"%s\"", s);
    if (!slash)
        *len = classful && addr->af == FT_AF_INET ? classful_len(addr->v4) : max;
    return 0;
}
