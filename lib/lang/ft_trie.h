/*
 * ft_trie.h - longest-prefix match of IPv4 or IPv6 addresses.
 *
 * A multibit trie with a stride of one byte: every node is a table of 256
 * slots indexed by the next address byte, and a prefix whose length is not
 * a multiple of 8 is expanded over the slots it covers.  A lookup therefore
 * reads at most 4 (IPv4) or 16 (IPv6) slots and never allocates.  Each
 * prefix carries a 32-bit value chosen by the caller (typically an index
 * into the caller's own table of entries).
 *
 * Used by the tag engine (prefix actions) and meant for the filter engine
 * (ip-address-prefix primitives) and anything else that needs a radix tree.
 */
#ifndef FT_TRIE_H
#define FT_TRIE_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_flow.h"
#include "core/ft_err.h"

/* Nodes a trie holds unless told otherwise (a node is about 2.3 KB). */
#define FT_TRIE_DEFAULT_NODES 65536u

struct ft_trie;

/* An empty trie of `af` (FT_AF_INET or FT_AF_INET6) keys holding at most
 * max_nodes nodes (0 = FT_TRIE_DEFAULT_NODES).  NULL if out of memory. */
struct ft_trie *ft_trie_new(int af, size_t max_nodes);
void ft_trie_free(struct ft_trie *t);

/*
 * Add (or replace) prefix addr/len with `value`.  The host bits of addr are
 * ignored.  0, or -1 with err filled when len is too long for the family,
 * the address is of another family, or the node limit is reached (counted:
 * ft_trie_refused).
 */
int ft_trie_insert(struct ft_trie *t, const struct ft_ip *addr, unsigned len,
                   uint32_t value, struct ft_err *err);

/* The value of exactly the prefix addr/len: 1 and *value, or 0 if absent. */
int ft_trie_get(const struct ft_trie *t, const struct ft_ip *addr, unsigned len,
                uint32_t *value);

/* Longest match of an address: 1 and *value, or 0 if no prefix covers it
 * (and for an address of the other family). */
int ft_trie_lookup(const struct ft_trie *t, const struct ft_ip *addr, uint32_t *value);

/* The same for an IPv4 address in host order (the fast path). */
int ft_trie_lookup4(const struct ft_trie *t, uint32_t addr, uint32_t *value);

/* Prefixes stored, nodes in use, insertions refused by the node limit. */
size_t ft_trie_count(const struct ft_trie *t);
size_t ft_trie_nodes(const struct ft_trie *t);
size_t ft_trie_refused(const struct ft_trie *t);

/*
 * Parse a prefix as flow-tools configurations write it: "a.b.c.d/len", the
 * address as ft_ip_parse reads it (partial dotted forms left-aligned, so
 * "128.146/16" is 128.146.0.0/16; IPv6; host names), lengths beyond the
 * family's cut to it.  Without "/len" the length of an IPv4 address is its
 * classful one when the host part is zero (class A /8, B /16, C /24,
 * 224.0.0.0 /28), else 32 (`classful` = 1), or always the full length.
 * 0, or -1 with err filled (the message names the text).
 */
int ft_prefix_parse(const char *s, int classful, struct ft_ip *addr, unsigned *len,
                    struct ft_err *err);
/* The same, host names resolved by r (net/ft_resolve.h; NULL: the default
 * resolver, bounded in time). */
struct ft_resolver;
int ft_prefix_parse_r(const char *s, int classful, const struct ft_resolver *r,
                      struct ft_ip *addr, unsigned *len, struct ft_err *err);

#endif
