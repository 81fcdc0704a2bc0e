/*
 * fuzz.h - what the fuzz targets share (not part of ftlib).
 *
 * A target is one file fuzz/fuzz_NAME.c defining LLVMFuzzerTestOneInput
 * and a line in fuzz/targets (see fuzz/README.md).  Targets link ftlib
 * and call its entry points the way programs do, with two differences:
 * no file is read or written (the memory variants of the loaders are used)
 * and no name is looked up in DNS (fz_no_dns()).  Everything here is static:
 * each target is its own program.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/ft_flow.h"
#include "net/ft_resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The symbol tables the filter language reads names from (build.sh and
 * tests/fuzz-regress.sh pass the checkout's etc/sym). */
#ifndef FZ_SYMDIR
#define FZ_SYMDIR "/nonexistent"
#endif

/* The resolver of every target: resolves nothing, sends no query. */
static inline const struct ft_resolver *fz_no_dns(void)
{
    static const struct ft_resolver none = { .fn = ft_resolve_none };
    return &none;
}

/* The input as a NUL-terminated string (configs are text); free() it. */
static inline char *fz_text(const uint8_t *data, size_t size)
{
    char *t = malloc(size + 1);
    if (!t)
        abort();
    memcpy(t, data, size);
    t[size] = '\0';
    return t;
}

/* A small deterministic generator, seeded from the input. */
static inline uint64_t fz_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static inline uint64_t fz_seed(const uint8_t *data, size_t size)
{
    uint64_t h = 1469598103934665603ull ^ size;
    for (size_t i = 0; i < size && i < 64; i++)
        h = (h ^ data[i]) * 1099511628211ull;
    return h | 1;
}

static inline void fz_ip(struct ft_ip *ip, uint64_t r)
{
    memset(ip, 0, sizeof *ip);
    if (r & 1) {
        ip->af = FT_AF_INET6;
        for (int i = 0; i < 16; i++)
            ip->v6[i] = (uint8_t)(r >> (i * 3 + 1));
        ip->v6[0] = (r & 2) ? 0x20 : 0xfe;
    } else {
        ip->af = FT_AF_INET;
        /* half of them in 10/8, where test configs put their prefixes */
        ip->v4 = (r & 2) ? (uint32_t)(r >> 8) : 0x0a000000u | (uint32_t)((r >> 8) & 0xffffff);
    }
}

/*
 * n flows with every field present and values a decoder could hand out
 * (addresses of a real family, anything in the other fields), for the
 * languages' evaluators.
 */
static inline void fz_flows(struct ft_flow *f, size_t n, const uint8_t *data, size_t size)
{
    uint64_t s = fz_seed(data, size);
    for (size_t i = 0; i < n; i++) {
        uint8_t *b = (uint8_t *)&f[i];
        for (size_t k = 0; k < sizeof f[i]; k++)
            b[k] = (uint8_t)fz_next(&s);
        f[i].has = ~0ull;
        struct ft_ip *ips[] = {&f[i].exaddr, &f[i].srcaddr, &f[i].dstaddr, &f[i].nexthop,
                               &f[i].peer_nexthop, &f[i].router_sc, &f[i].bgp_nexthop};
        uint64_t fam = fz_next(&s);
        for (size_t k = 0; k < sizeof ips / sizeof ips[0]; k++)
            fz_ip(ips[k], (fam & 1) | (fz_next(&s) & ~1ull));
        if (i & 1) {            /* small values, as most real flows have */
            f[i].srcport = (uint16_t)(fz_next(&s) % 1100);
            f[i].dstport = (uint16_t)(fz_next(&s) % 1100);
            f[i].prot = (uint8_t)(fz_next(&s) % 18);
            f[i].src_as = (uint32_t)(fz_next(&s) % 70000);
            f[i].input = (uint32_t)(fz_next(&s) % 300);
        }
    }
}

/*
 * Calls fn(ctx, name) for every word that follows `keyword` at the start
 * of a line of text (case as written): how a target finds the definitions
 * a config it was given holds, to evaluate them.
 */
static inline void fz_each_name(const char *text, const char *keyword,
                                void (*fn)(void *ctx, const char *name), void *ctx)
{
    size_t kl = strlen(keyword);
    int budget = 64;                /* definitions tried per input */
    for (const char *p = text; p && *p && budget > 0; ) {
        p += strspn(p, " \t");
        if (strncmp(p, keyword, kl) == 0 && (p[kl] == ' ' || p[kl] == '\t')) {
            const char *n = p + kl;
            n += strspn(n, " \t");
            size_t len = strcspn(n, " \t\r\n");
            char name[256];
            if (len > 0 && len < sizeof name) {
                memcpy(name, n, len);
                name[len] = '\0';
                fn(ctx, name);
                budget--;
            }
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
}

#endif
