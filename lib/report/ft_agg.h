/*
 * ft_agg.h - the aggregation table of reports: fixed-length keys, each with
 * a caller-defined block of counters, at most a given number of keys.
 *
 * Keys are kept in the order they were first seen (entry 0, 1, ...), so a
 * report that is not sorted lists them in a repeatable order, and a sort
 * breaks ties by that order (stable).  When the table holds max_keys keys a
 * new key is refused and counted: the report then says it is incomplete;
 * memory never grows past the limit.
 *
 * Keys are built from flow fields with ft_agg_key_put (one component per
 * field of the field table, fixed width), or by the caller for derived keys.
 */
#ifndef FT_AGG_H
#define FT_AGG_H

#include <stddef.h>
#include <stdint.h>
#include "core/ft_err.h"
#include "core/ft_field.h"

/* Keys a table holds unless told otherwise (flow-report -K and the like). */
#define FT_AGG_DEFAULT_MAX_KEYS 10000000u

struct ft_agg_opts {
    size_t key_len;             /* bytes of a key, 1..256 */
    size_t val_len;             /* bytes of a key's counters (zeroed when added) */
    size_t max_keys;            /* 0: FT_AGG_DEFAULT_MAX_KEYS */
};

struct ft_agg;

struct ft_agg *ft_agg_new(const struct ft_agg_opts *o, struct ft_err *err);
void ft_agg_free(struct ft_agg *a);

/*
 * The counters of key (key_len bytes), added with zeroed counters when new
 * (*added set to 1).  NULL when the key is new and the table is full (the
 * refusal is counted) or memory ran out (ft_agg_failed).
 */
void *ft_agg_get(struct ft_agg *a, const void *key, int *added);

/* Hints for a key looked up soon: its index slot (some lookups ahead),
 * then its entry (fewer ahead, once the slot is in the cache).  A table
 * larger than the cache then waits for memory once a batch of lookups,
 * not once a lookup.  They change nothing. */
void ft_agg_prefetch_slot(const struct ft_agg *a, const void *key);
void ft_agg_prefetch_entry(const struct ft_agg *a, const void *key);

/* Keys held, new keys refused at the limit, and whether memory ran out. */
size_t ft_agg_count(const struct ft_agg *a);
uint64_t ft_agg_refused(const struct ft_agg *a);
int ft_agg_failed(const struct ft_agg *a);

/* Entry i (0 <= i < ft_agg_count), in the order keys were first seen. */
const void *ft_agg_key(const struct ft_agg *a, size_t i);
void *ft_agg_val(const struct ft_agg *a, size_t i);

/* Forget every key (time-series reports start each interval empty); the
 * refused count starts again too.  Memory is kept for the next interval. */
void ft_agg_clear(struct ft_agg *a);

/*
 * The entry numbers in the order cmp gives, ties in the order keys were
 * first seen.  cmp gets two entries' keys and counters.  A malloc'd array of
 * ft_agg_count() numbers (free it), or NULL when memory ran out.
 */
typedef int (*ft_agg_cmp)(const void *key_a, const void *val_a, const void *key_b,
                          const void *val_b, void *ctx);
uint32_t *ft_agg_sorted(const struct ft_agg *a, ft_agg_cmp cmp, void *ctx);

/* ---- keys from flow fields ------------------------------------------------ */

/* Bytes a field takes in a key: an address 17 (family, then 16 bytes, IPv4
 * in the first 4, big-endian), a number its member's width. */
size_t ft_agg_key_width(const struct ft_field *d);

/* Write f's value of field d at p (ft_agg_key_width(d) bytes); returns the
 * byte after it.  Numbers are stored big-endian, so that keys compare as
 * their values do (memcmp). */
uint8_t *ft_agg_key_put(uint8_t *p, const struct ft_field *d, const struct ft_flow *f);

/* The value of a numeric component written by ft_agg_key_put, and an
 * address component back as an address. */
uint64_t ft_agg_key_number(const uint8_t *p, const struct ft_field *d);
void ft_agg_key_ip(const uint8_t *p, struct ft_ip *out);

#endif
