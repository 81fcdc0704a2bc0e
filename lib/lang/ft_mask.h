/*
 * ft_mask.h - the mask language (flow-mask, stat.cfg `mask`;
 * nfilter-language.md section 4):
 *
 *   mask-definition NAME
 *     prefix PREFIX NEWLEN
 *
 * For each flow the longest prefix of a definition containing srcaddr sets
 * src_mask to its NEWLEN, and independently the one containing dstaddr sets
 * dst_mask; flows no prefix covers keep their masks.  Lines are read by the
 * shared config reader (lang/ft_cfg.h).  ftkit also takes IPv6 prefixes
 * (NEWLEN up to 128), which match the IPv6 addresses of extended records.
 *
 * ft_mask_parse reads a configuration from memory: the fuzz entry point.
 */
#ifndef FT_MASK_H
#define FT_MASK_H

#include <stddef.h>
#include "core/ft_err.h"
#include "core/ft_flow.h"
#include "lang/ft_vars.h"

#define FT_MASK_MAX_DEFINITIONS 10000u
#define FT_MASK_MAX_PREFIXES 1000000u   /* trie nodes of one definition */
#define FT_MASK_MAX_FILE (64u * 1024u * 1024u)

struct ft_mask;
struct ft_mask_def;

struct ft_mask *ft_mask_parse(const char *text, size_t len, const char *name,
                              const struct ft_vars *vars, struct ft_err *err);
struct ft_mask *ft_mask_load(const char *path, const struct ft_vars *vars, struct ft_err *err);
/* The same, names in prefixes resolved by r (net/ft_resolve.h; NULL: the
 * default resolver, bounded in time). */
struct ft_resolver;
struct ft_mask *ft_mask_parse_r(const char *text, size_t len, const char *name,
                                const struct ft_vars *vars, const struct ft_resolver *r,
                                struct ft_err *err);
struct ft_mask *ft_mask_load_r(const char *path, const struct ft_vars *vars,
                               const struct ft_resolver *r, struct ft_err *err);
void ft_mask_free(struct ft_mask *m);

/* The definition called name (case-insensitive), or NULL. */
const struct ft_mask_def *ft_mask_find(const struct ft_mask *m, const char *name);

/* The fields masking reads and writes. */
#define FT_MASK_FIELDS (FT_F_SRCADDR | FT_F_DSTADDR | FT_F_SRC_MASK | FT_F_DST_MASK)

/* Set the masks of n flows in place. */
void ft_mask_apply(const struct ft_mask_def *d, struct ft_flow *flows, size_t n);

/* The same for a stream whose records carry `fields` (a format's mask): a
 * side (source, destination) whose address or mask the records lack is left
 * alone, as flow-tools leaves it (v1 records pass unchanged). */
void ft_mask_apply_fields(const struct ft_mask_def *d, uint64_t fields, struct ft_flow *flows,
                          size_t n);

#endif
