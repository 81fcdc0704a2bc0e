/*
 * ft_tag.h - the tag language of flow-tag and flow-capture -T (tag.cfg).
 *
 * A configuration holds actions (lookup tables of one type whose entries
 * set or OR a source and/or destination tag) and definitions (terms; a term
 * names actions and may be restricted to an exporter and to input/output
 * interfaces).  Applying a definition to a flow runs every term in order
 * and every action of a term in order (nfilter-language.md section 2).
 *
 * Loading builds, per action, the structure its lookups need: a prefix trie
 * for addresses (ft_trie.h), direct tables for ports, ToS, AS numbers and
 * interfaces (with a small hash for 32-bit AS numbers and ifIndexes above
 * 65535, an ftkit extension).  Applying allocates nothing.  IPv6 addresses
 * never match: the language only has IPv4 values.
 *
 * Nothing here prints: errors come back in struct ft_err as
 * "FILE line N: message naming the token".
 */
#ifndef FT_TAG_H
#define FT_TAG_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_flow.h"
#include "core/ft_err.h"
#include "lang/ft_vars.h"           /* struct ft_vars (-v) */

/* What one configuration may hold; beyond these loading fails. */
#define FT_TAG_MAX_ACTIONS 100000u
#define FT_TAG_MAX_DEFINITIONS 100000u
#define FT_TAG_MAX_ENTRIES 1000000u     /* match lines of one action */
#define FT_TAG_MAX_TERMS 10000u         /* terms of one definition */
#define FT_TAG_MAX_TERM_ACTIONS 10000u  /* action lines of one term */
#define FT_TAG_MAX_FILE (64u * 1024u * 1024u)

struct ft_resolver;             /* net/ft_resolve.h */
struct ft_tag_opts {
    const struct ft_vars *vars; /* -v bindings, or NULL */
    /* How address words holding a letter become addresses, used while
     * parsing only.  NULL: getaddrinfo, each name bounded in time. */
    const struct ft_resolver *resolver;
};

struct ft_tag;
struct ft_tag_def;

/* Parse a configuration held in memory; `name` is the file name used in
 * messages.  NULL with err filled on the first error. */
struct ft_tag *ft_tag_parse(const char *text, size_t len, const char *name,
                            const struct ft_tag_opts *o, struct ft_err *err);
/* Read and parse a configuration file. */
struct ft_tag *ft_tag_load(const char *path, const struct ft_tag_opts *o, struct ft_err *err);
void ft_tag_free(struct ft_tag *t);

/* The definition called name (case-insensitive), or NULL. */
const struct ft_tag_def *ft_tag_find(const struct ft_tag *t, const char *name);
size_t ft_tag_count_actions(const struct ft_tag *t);
size_t ft_tag_count_definitions(const struct ft_tag *t);

/* The fields tagging adds to a flow.  (A stream must carry every v5 field
 * to be tagged by flow-tag, as in flow-tools: "Flow record missing required
 * field for tagging.") */
#define FT_TAG_FIELDS (FT_F_SRC_TAG | FT_F_DST_TAG)

/*
 * Tag n flows in place: src_tag/dst_tag are set or ORed as the definition
 * says, starting from the tags the flows already carry (0 for flows read
 * from formats without tags), and FT_TAG_FIELDS is added to each flow's
 * `has`.
 */
void ft_tag_apply(const struct ft_tag_def *d, struct ft_flow *flows, size_t n);

#endif
