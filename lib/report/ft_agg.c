/*
 * ft_agg.c - the aggregation table (see ft_agg.h).
 *
 * Entries live in one array in the order they were added (key, then
 * counters at the next 8-byte boundary, so that they can be read as the
 * caller's struct); an open-addressing index of
 * entry numbers finds them.  The index keeps the low bits of each key's hash
 * beside the entry number, so a probe rarely touches an entry that is not
 * the one it looks for.
 */
#include <stdlib.h>
#include <string.h>
#include "core/ft_bytes.h"
#include "report/ft_agg.h"

#define EMPTY UINT64_MAX

struct ft_agg {
    size_t key_len, val_len, stride;
    size_t val_off;             /* counters start at an 8-byte boundary */
    size_t max_keys;
    uint8_t *entries;           /* count entries of stride bytes */
    size_t count, cap;
    uint64_t *index;            /* (hash << 32 | entry) or EMPTY; size slots (a power of 2) */
    size_t slots;
    uint64_t refused;
    int failed;
};

/* A multiply-xorshift over the key's 8-byte words; keys are short. */
static uint64_t hash_key(const uint8_t *k, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, k, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 29;
        k += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, k, n);
    h = (h ^ w) * 0x94D049BB133111EBULL;
    return h ^ (h >> 31);
}

struct ft_agg *ft_agg_new(const struct ft_agg_opts *o, struct ft_err *err)
{
    if (o->key_len == 0 || o->key_len > 256) {
        ft_err_set(err, "aggregation key of %zu bytes", o->key_len);
        return NULL;
    }
    struct ft_agg *a = calloc(1, sizeof *a);
    if (!a) {
        ft_err_set(err, "out of memory");
        return NULL;
    }
    a->key_len = o->key_len;
    a->val_len = o->val_len;
    a->val_off = (o->key_len + 7) & ~(size_t)7;
    a->stride = (a->val_off + o->val_len + 7) & ~(size_t)7;
    a->max_keys = o->max_keys ? o->max_keys : FT_AGG_DEFAULT_MAX_KEYS;
    if (a->max_keys > UINT32_MAX - 1)
        a->max_keys = UINT32_MAX - 1;
    return a;
}

void ft_agg_free(struct ft_agg *a)
{
    if (!a)
        return;
    free(a->entries);
    free(a->index);
    free(a);
}

static uint8_t *entry(const struct ft_agg *a, size_t i)
{
    return a->entries + i * a->stride;
}

/* Index of twice as many slots (at least 1024), every entry placed again. */
static int grow_index(struct ft_agg *a)
{
    size_t slots = a->slots ? a->slots * 2 : 1024;
    uint64_t *index = malloc(slots * sizeof *index);
    if (!index)
        return -1;
    memset(index, 0xFF, slots * sizeof *index);
    for (size_t i = 0; i < a->count; i++) {
        uint64_t h = hash_key(entry(a, i), a->key_len);
        size_t s = (size_t)h & (slots - 1);
        while (index[s] != EMPTY)
            s = (s + 1) & (slots - 1);
        index[s] = (h & 0xFFFFFFFF00000000ULL) | i;
    }
    free(a->index);
    a->index = index;
    a->slots = slots;
    return 0;
}

static int grow_entries(struct ft_agg *a)
{
    size_t cap = a->cap ? a->cap * 2 : 256;
    if (cap > a->max_keys)
        cap = a->max_keys;
    uint8_t *e = realloc(a->entries, cap * a->stride);
    if (!e)
        return -1;
    a->entries = e;
    a->cap = cap;
    return 0;
}

void *ft_agg_get(struct ft_agg *a, const void *key, int *added)
{
    *added = 0;
    /* Up to 3/4 full: probes compare the hash bits kept in the slot and
     * rarely touch an entry that is not the one looked for, so the index
     * can be fuller than a plain open-addressing table; at half full it
     * took as many bytes a key as the counters of an address report. */
    if (a->count * 4 >= a->slots * 3 && grow_index(a) < 0) {
        a->failed = 1;
        return NULL;
    }
    uint64_t h = hash_key(key, a->key_len);
    uint64_t tag = h & 0xFFFFFFFF00000000ULL;
    size_t s = (size_t)h & (a->slots - 1);
    for (; a->index[s] != EMPTY; s = (s + 1) & (a->slots - 1)) {
        uint64_t v = a->index[s];
        uint8_t *e = entry(a, (size_t)(uint32_t)v);
        if ((v & 0xFFFFFFFF00000000ULL) == tag && memcmp(e, key, a->key_len) == 0)
            return e + a->val_off;
    }
    if (a->count >= a->max_keys) {
        a->refused++;
        return NULL;
    }
    if (a->count == a->cap && grow_entries(a) < 0) {
        a->failed = 1;
        return NULL;
    }
    uint8_t *e = entry(a, a->count);
    memcpy(e, key, a->key_len);
    memset(e + a->key_len, 0, a->stride - a->key_len);
    a->index[s] = tag | a->count;
    a->count++;
    *added = 1;
    return e + a->val_off;
}

void ft_agg_prefetch_slot(const struct ft_agg *a, const void *key)
{
    if (a->slots)
        __builtin_prefetch(&a->index[(size_t)hash_key(key, a->key_len) & (a->slots - 1)]);
}

void ft_agg_prefetch_entry(const struct ft_agg *a, const void *key)
{
    if (!a->slots)
        return;
    uint64_t h = hash_key(key, a->key_len);
    uint64_t v = a->index[(size_t)h & (a->slots - 1)];
    if (v != EMPTY && (v & 0xFFFFFFFF00000000ULL) == (h & 0xFFFFFFFF00000000ULL))
        __builtin_prefetch(entry(a, (size_t)(uint32_t)v) + a->val_off);
}

size_t ft_agg_count(const struct ft_agg *a) { return a->count; }
uint64_t ft_agg_refused(const struct ft_agg *a) { return a->refused; }
int ft_agg_failed(const struct ft_agg *a) { return a->failed; }
const void *ft_agg_key(const struct ft_agg *a, size_t i) { return entry(a, i); }
void *ft_agg_val(const struct ft_agg *a, size_t i) { return entry(a, i) + a->val_off; }

void ft_agg_clear(struct ft_agg *a)
{
    a->count = 0;
    a->refused = 0;
    if (a->index)
        memset(a->index, 0xFF, a->slots * sizeof *a->index);
}

/* The order of entries by cmp: a bottom-up merge sort of entry numbers.
 * Merges take the left run's entry on ties and runs start in entry order,
 * so ties stay in first-seen order.  Not qsort: C11's has no context
 * argument, so its records carried one (32 bytes an entry, and glibc's
 * merge copies them again); this needs 8 bytes an entry in all. */
static uint32_t *merge_sort(const struct ft_agg *a, ft_agg_cmp cmp, void *ctx, uint32_t *order,
                            uint32_t *spare)
{
    size_t n = a->count;
    uint32_t *from = order, *to = spare;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                uint32_t x = from[i], y = from[j];
                if (cmp(ft_agg_key(a, y), ft_agg_val(a, y), ft_agg_key(a, x), ft_agg_val(a, x),
                        ctx) < 0) {
                    to[k++] = y;
                    j++;
                } else {
                    to[k++] = x;
                    i++;
                }
            }
            while (i < mid)
                to[k++] = from[i++];
            while (j < hi)
                to[k++] = from[j++];
        }
        uint32_t *t = from;
        from = to;
        to = t;
    }
    return from;
}

uint32_t *ft_agg_sorted(const struct ft_agg *a, ft_agg_cmp cmp, void *ctx)
{
    size_t n = a->count;
    uint32_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return NULL;
    for (size_t i = 0; i < n; i++)
        order[i] = (uint32_t)i;
    if (!cmp || n < 2)
        return order;
    uint32_t *spare = malloc(n * sizeof *spare);
    if (!spare) {
        free(order);
        return NULL;
    }
    uint32_t *sorted = merge_sort(a, cmp, ctx, order, spare);
    free(sorted == order ? spare : order);
    return sorted;
}

/* ---- keys from flow fields ------------------------------------------------ */

size_t ft_agg_key_width(const struct ft_field *d)
{
    switch (d->type) {
    case FT_T_IP: return 17;
    case FT_T_U8: return 1;
    case FT_T_U16: return 2;
    case FT_T_U32: return 4;
    default: return 8;
    }
}

uint8_t *ft_agg_key_put(uint8_t *p, const struct ft_field *d, const struct ft_flow *f)
{
    size_t w = ft_agg_key_width(d);
    if (d->type != FT_T_IP) {
        ft_stn(p, ft_field_get(f, d), w, 1);
        return p + w;
    }
    const struct ft_ip *ip = ft_field_cptr(f, d);
    memset(p, 0, w);
    p[0] = ip->af;
    if (ip->af == FT_AF_INET)
        ft_st32(p + 1, ip->v4, 1);
    else if (ip->af == FT_AF_INET6)
        memcpy(p + 1, ip->v6, 16);
    return p + w;
}

uint64_t ft_agg_key_number(const uint8_t *p, const struct ft_field *d)
{
    return d->type == FT_T_IP ? 0 : ft_ldn(p, ft_agg_key_width(d), 1);
}

void ft_agg_key_ip(const uint8_t *p, struct ft_ip *out)
{
    memset(out, 0, sizeof *out);
    out->af = p[0];
    if (p[0] == FT_AF_INET)
        out->v4 = ft_ld32(p + 1, 1);
    else if (p[0] == FT_AF_INET6)
        memcpy(out->v6, p + 1, 16);
}
