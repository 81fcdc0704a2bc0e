/*
 * ft_xlate.h - the xlate language (flow-xlate; nfilter-language.md section
 * 5): actions that change fields of flows, and definitions whose terms apply
 * them to the flows a filter permits.
 *
 *   include-filter FILE            the filter file of `filter` (before one)
 *   xlate-action NAME
 *     type TYPE
 *     mask SRC DST                 privacy and tag masks (C numbers; a dotted
 *                                  quad for address masks)
 *     scale N | as N
 *     key HEX | key-file FILE      anonymisation key, 64 hex digits
 *     key-file-refresh MINUTES [HH:MM[:SS]]
 *     algorithm cryptopan-aes128
 *   xlate-definition NAME
 *     term
 *       filter NAME
 *       action NAME                (several; actions may come later in the file)
 *       stop
 *
 * Every type names the fields it changes and reads by their flow-tools
 * names, resolved through the field table (core/ft_field.h) at load time.
 * Lines are read by the shared config reader (lang/ft_cfg.h); errors are
 * "FILE line N: ..." naming the word.
 *
 * ft_xlate_parse reads a configuration from memory: the fuzz entry point
 * (a filter file or key file it names is read from disk).
 */
#ifndef FT_XLATE_H
#define FT_XLATE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "core/ft_err.h"
#include "core/ft_flow.h"
#include "lang/ft_vars.h"

struct ft_resolver;

#define FT_XLATE_MAX_ACTIONS 10000u
#define FT_XLATE_MAX_DEFINITIONS 10000u
#define FT_XLATE_MAX_TERMS 100000u      /* terms and term actions, whole file */
#define FT_XLATE_MAX_FILE (64u * 1024u * 1024u)

struct ft_xlate_opts {
    const struct ft_vars *vars;     /* -v bindings, or NULL */
    const char *symdir;             /* the filter file's symbol tables (NULL: default) */
    /* The filter file `filter` reads when no include-filter names one;
     * NULL: a `filter` without include-filter is an error. */
    const char *filter_file;
    /* "now" for key-file-refresh start times; 0 = time(NULL). */
    time_t now;
    /* Key reloads (key-file-refresh): what happened, e.g. a key file that
     * could not be read (the old key stays).  NULL: dropped. */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
    /* Names in the filter file's addresses (net/ft_resolve.h); NULL:
     * getaddrinfo, each name bounded in time. */
    const struct ft_resolver *resolver;
};

struct ft_xlate;
struct ft_xlate_def;

struct ft_xlate *ft_xlate_parse(const char *text, size_t len, const char *name,
                                const struct ft_xlate_opts *o, struct ft_err *err);
struct ft_xlate *ft_xlate_load(const char *path, const struct ft_xlate_opts *o,
                               struct ft_err *err);
void ft_xlate_free(struct ft_xlate *x);

/* The definition called name (case-insensitive), or NULL. */
struct ft_xlate_def *ft_xlate_find(const struct ft_xlate *x, const char *name);

/* FT_F_* fields the definition reads or changes (its actions' and its
 * filters'): a stream lacking one cannot be translated ("Xlate references a
 * field not in flow."). */
uint64_t ft_xlate_def_fields(const struct ft_xlate_def *d);

/*
 * Apply the definition to n flows in place.  `now` is the time key-file
 * refreshes are due against (checked once per call).  One thread at a time
 * (filters and key reloads keep state).
 */
void ft_xlate_apply(struct ft_xlate_def *d, struct ft_flow *flows, size_t n, time_t now);

#endif
