/*
 * ft_rd.h - the bounds-checked byte reader every decoder reads through
 * (datagrams, pcap records, packets).  A read past the end returns zero and
 * sets a sticky flag, so a decoder checks once after a group of reads
 * instead of after each one.  Multi-byte reads are big-endian (network
 * order).  Not installed.
 */
#ifndef FT_RD_H
#define FT_RD_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_bytes.h"

struct ft_rd {
    const uint8_t *p;
    size_t len;
    size_t off;                 /* next byte to read; off <= len always */
    int bad;                    /* a read went past the end */
};

static inline void rd_init(struct ft_rd *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->off = 0;
    r->bad = 0;
}

static inline size_t rd_left(const struct ft_rd *r)
{
    return r->len - r->off;
}

/* Pointer to the next n bytes and advance, or NULL (and bad) if fewer are left. */
static inline const uint8_t *rd_take(struct ft_rd *r, size_t n)
{
    if (n > rd_left(r)) {
        r->bad = 1;
        r->off = r->len;
        return NULL;
    }
    const uint8_t *q = r->p + r->off;
    r->off += n;
    return q;
}

/* Carve the next n bytes off as a reader of their own. */
static inline int rd_sub(struct ft_rd *r, size_t n, struct ft_rd *sub)
{
    const uint8_t *q = rd_take(r, n);
    rd_init(sub, q ? q : r->p, q ? n : 0);
    return q ? 0 : -1;
}

static inline uint8_t rd_u8(struct ft_rd *r)
{
    const uint8_t *q = rd_take(r, 1);
    return q ? q[0] : 0;
}

static inline uint16_t rd_u16(struct ft_rd *r)
{
    const uint8_t *q = rd_take(r, 2);
    return q ? ft_ld16(q, 1) : 0;
}

static inline uint32_t rd_u32(struct ft_rd *r)
{
    const uint8_t *q = rd_take(r, 4);
    return q ? ft_ld32(q, 1) : 0;
}

/* Reads at a fixed offset of a reader, not moving it (for fixed layouts). */
static inline uint64_t rd_at(struct ft_rd *r, size_t off, size_t n)
{
    if (off > r->len || n > r->len - off || n > 8) {
        r->bad = 1;
        return 0;
    }
    return ft_ldn(r->p + off, n, 1);
}

#endif
