/*
 * ft_resolve.h - host names to addresses, the one way ftlib resolves them.
 *
 * The config languages (filter, tag, mask: any address word holding a
 * letter) and the address arguments of the network tools turn names into
 * addresses through a resolver the caller may pass in: programs keep the
 * default, which runs getaddrinfo on a thread of its own and waits for it
 * at most a bound, so a config with names nobody can resolve fails soon,
 * naming the name, instead of hanging in DNS; fuzz targets and tests pass
 * ft_resolve_none, which resolves nothing and sends no query.
 */
#ifndef FT_RESOLVE_H
#define FT_RESOLVE_H

#include "core/ft_flow.h"
#include "core/ft_err.h"

/* The default bound on one name, in milliseconds. */
#define FT_RESOLVE_TIMEOUT_MS 3000u

/* A lookup: the first address of name into *ip, 0; or -1 with err filled.
 * ctx is the resolver's. */
typedef int (*ft_resolve_fn)(void *ctx, const char *name, struct ft_ip *ip,
                             struct ft_err *err);

struct ft_resolver {
    ft_resolve_fn fn;           /* NULL: getaddrinfo within timeout_ms */
    void *ctx;
    unsigned timeout_ms;        /* the default's bound [FT_RESOLVE_TIMEOUT_MS] */
};

/* Resolve name with r (NULL: the default resolver with its default bound). */
int ft_resolve(const struct ft_resolver *r, const char *name, struct ft_ip *ip,
               struct ft_err *err);

/* 1 when ft_ip_parse takes s for a host name (a letter and no ':'). */
int ft_resolve_is_name(const char *s);

/* A lookup that resolves nothing: always -1, "host names are not resolved here". */
int ft_resolve_none(void *ctx, const char *name, struct ft_ip *ip, struct ft_err *err);

/* The blocking lookup behind the default: getaddrinfo, first address. */
int ft_resolve_getaddrinfo(void *ctx, const char *name, struct ft_ip *ip,
                           struct ft_err *err);

/*
 * Run the blocking lookup fn(ctx, name) on a thread of its own and wait for
 * it at most timeout_ms (0: FT_RESOLVE_TIMEOUT_MS).  Past the bound it
 * returns -1 ("cannot resolve NAME: no answer within N ms") and leaves the
 * lookup to finish on its own (it frees what it used), so ctx must outlive
 * it (NULL or static).
 */
int ft_resolve_bounded(ft_resolve_fn fn, void *ctx, const char *name, unsigned timeout_ms,
                       struct ft_ip *ip, struct ft_err *err);

#endif
