/*
 * ft_filter.h - the filter language of flow-nfilter (filter.cfg).
 *
 * A configuration holds primitives (named permit/deny rule lists of one
 * type) and definitions (groups of `match FIELD PRIMITIVE` tests, the
 * groups ORed, the tests of a group ANDed, optionally inverted).  The
 * language and its quirks are those of flow-tools 0.68
 * (nfilter-language.md section 1), with one ftkit addition: the address
 * primitives (ip-address, ip-address-mask, ip-address-prefix) also take
 * IPv6 addresses and prefixes, which match the IPv6 addresses of flows in
 * the extended record format; an IPv4 rule never matches an IPv6 address
 * and the other way round.  Two more: as and ifindex lists take 32-bit
 * values (4-byte AS numbers, v9/IPFIX ifIndexes), and time primitives see
 * flow times computed across exporter uptime wraps (the original puts
 * such flows 49.7 days ahead).
 *
 * Loading builds, per primitive, the structure its lookups need (bitmaps
 * for numbers, a binary prefix trie for addresses, ordered rule lists for
 * comparisons) and, per definition, a flat list of tests with the jump to
 * take when a test denies.  Evaluation allocates nothing.
 *
 * Nothing here prints: parse errors come back in struct ft_err as
 * "FILE line N: message naming the token"; warnings the original prints
 * but does not stop on go to an optional callback.
 */
#ifndef FT_FILTER_H
#define FT_FILTER_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include "core/ft_flow.h"
#include "core/ft_err.h"
#include "lang/ft_vars.h"           /* struct ft_vars (-v) */

struct ft_resolver;                 /* net/ft_resolve.h */

/* ---- loading ---------------------------------------------------------------- */

/* What one configuration may hold; beyond these loading fails. */
#define FT_FILTER_MAX_PRIMITIVES 100000u
#define FT_FILTER_MAX_DEFINITIONS 100000u
#define FT_FILTER_MAX_RULES 1000000u    /* permit/deny lines in one primitive */
#define FT_FILTER_MAX_TESTS 10000u      /* match lines in one definition */
#define FT_FILTER_MAX_FILE (64u * 1024u * 1024u)

struct ft_filter_opts {
    const struct ft_vars *vars;         /* -v bindings, or NULL */
    const char *symdir;                 /* the symbol tables' directory (NULL: FT_SYM_DEFAULT_DIR) */
    /* "now" for relative dates in time-date rules ("1 hour ago"); 0 = time(NULL) */
    time_t now;
    /* Seed of the random-sample primitives; 0 = from the clock. */
    uint64_t seed;
    /* Messages the original prints without stopping (a list value set twice,
     * `default` in a rate primitive).  NULL: dropped. */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
    /* How address words holding a letter become addresses (net/ft_resolve.h),
     * used while parsing only.  NULL: getaddrinfo, each name bounded in time. */
    const struct ft_resolver *resolver;
};

struct ft_filter;
struct ft_filter_def;

/* Parse a configuration held in memory; `name` is the file name in messages.
 * Symbol names are looked up in the standard tables of o->symdir
 * (ft_sym_open), each read at the first name that needs it: a missing
 * table leaves names unknown, as in flow-tools; one that cannot be read or
 * has a malformed line fails the parse with its path.  NULL with err
 * filled on the first error. */
struct ft_filter *ft_filter_parse(const char *text, size_t len, const char *name,
                                  const struct ft_filter_opts *o, struct ft_err *err);
/* Read and parse a configuration file. */
struct ft_filter *ft_filter_load(const char *path, const struct ft_filter_opts *o,
                                 struct ft_err *err);
void ft_filter_free(struct ft_filter *f);

/* The definition called name (case-insensitive), or NULL. */
struct ft_filter_def *ft_filter_find(const struct ft_filter *f, const char *name);
size_t ft_filter_count_primitives(const struct ft_filter *f);
size_t ft_filter_count_definitions(const struct ft_filter *f);

/* FT_F_* fields the definition reads: a stream whose format mask lacks one
 * of them cannot be filtered ("Filter references a field not in flow."). */
uint64_t ft_filter_def_fields(const struct ft_filter_def *d);

/* ---- evaluation ---------------------------------------------------------------
 * A definition is evaluated by one thread at a time (random-sample
 * primitives keep their generator in the configuration). */

/* 1 if the definition permits the flow, 0 if it denies it. */
int ft_filter_match(struct ft_filter_def *d, const struct ft_flow *f);

/* Evaluate n flows: keep[i] = 1 (permit) or 0.  Returns how many permit. */
size_t ft_filter_batch(struct ft_filter_def *d, const struct ft_flow *flows, size_t n,
                       uint8_t *keep);

/* Keep the permitted flows of flows[0..n) at the front, in order; returns
 * how many there are. */
size_t ft_filter_compact(struct ft_filter_def *d, struct ft_flow *flows, size_t n);

#endif
