/*
 * ft_print_int.h - what the files of flow-print's formats share: the printer
 * and the column helpers (ft_print.c: formats 0..9 and 24, the format table
 * and the API; ft_print_agg.c: the v8 aggregation and Catalyst formats
 * 10..23).
 */
#ifndef FT_PRINT_INT_H
#define FT_PRINT_INT_H

#include "text/ft_print.h"
#include "text/ft_sym.h"
#include "text/ft_text.h"

struct ft_printer;
typedef char *line_fn(struct ft_printer *pr, char *p, const struct ft_flow *f);

struct ft_printer {
    int format;
    int wide;
    int line_flush;
    int stream_header;
    char comment;
    int skip_bogus;             /* leave out dPkts == 0 (formats 1, 2, 24) */
    line_fn *line;
    const char *head;           /* column header text */
    struct ft_sym *prot, *port, *asn, *tag;     /* NULL unless -n */
    struct ft_clock clock;
    uint64_t bogus;
};

/* ---- column helpers ---------------------------------------------------------- */

/* Symbol name buffers of the original: names are cut to size-1 characters. */
#define SYM_PROT 5
#define SYM_PORT 16
#define SYM_AS 18
#define SYM_TAG 16

static inline char *sym(char *p, const struct ft_sym *s, uint32_t v, size_t size)
{
    return p + ft_sym_format(s, v, p, size);
}

/* "%-N.Ns" of a symbolic value. */
static inline char *sym_fit(char *p, const struct ft_sym *s, uint32_t v, size_t size, size_t w)
{
    return ft_put_fit(p, sym(p, s, v, size), w);
}

static inline char *ip_fit(char *p, const struct ft_ip *a, size_t w)
{
    return ft_put_fit(p, ft_put_ip(p, a), w);
}

/* flow-tools prefix notation; IPv6 prints as address/length. */
static inline char *put_prefix_ip(char *p, const struct ft_ip *a, unsigned len)
{
    if (a->af != FT_AF_INET6)
        return ft_put_prefix(p, a->af == FT_AF_INET ? a->v4 : 0, len);
    p = ft_put_ipv6(p, a->v6);
    *p++ = '/';
    return ft_put_u32(p, len);
}

static inline char *prefix_fit(char *p, const struct ft_ip *a, unsigned len, size_t w)
{
    return ft_put_fit(p, put_prefix_ip(p, a, len), w);
}

static inline char *u64_fit(char *p, uint64_t v, size_t w)
{
    return ft_put_fit(p, ft_put_u64(p, v), w);
}

/* ---- formats 10..23 (ft_print_agg.c) ------------------------------------------ */

line_fn ft_print_line10, ft_print_line11, ft_print_line12, ft_print_line13, ft_print_line14,
    ft_print_line15, ft_print_line16, ft_print_line17, ft_print_line18, ft_print_line19,
    ft_print_line20, ft_print_line21, ft_print_line22, ft_print_line23;

#endif
