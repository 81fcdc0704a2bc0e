/*
 * ft_bytes.h - loads and stores of 8/16/32/64-bit integers at any address,
 * in either byte order: the one set lib/ uses (record codecs, datagram
 * encoders, packet headers).  Private to lib/.
 *
 * Every access goes through memcpy so that unaligned records are safe and
 * the compiler can turn a load plus byte swap into one instruction.  The
 * `big` argument is 1 for big-endian data and 0 for little-endian; callers
 * on hot paths pass a constant so the test disappears.
 */
#ifndef FT_BYTES_H
#define FT_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define FT_HOST_BIG 1
#else
#define FT_HOST_BIG 0
#endif

static inline uint16_t ft_bswap16(uint16_t v) { return (uint16_t)((v >> 8) | (v << 8)); }
static inline uint32_t ft_bswap32(uint32_t v) { return __builtin_bswap32(v); }
static inline uint64_t ft_bswap64(uint64_t v) { return __builtin_bswap64(v); }

/* Bytes too, so that tables of fields of every width expand alike. */
static inline uint8_t ft_ld8(const uint8_t *p, int big) { (void)big; return *p; }
static inline void ft_st8(uint8_t *p, uint8_t v, int big) { (void)big; *p = v; }

static inline uint16_t ft_ld16(const uint8_t *p, int big)
{
    uint16_t v;
    memcpy(&v, p, 2);
    return big != FT_HOST_BIG ? ft_bswap16(v) : v;
}

static inline uint32_t ft_ld32(const uint8_t *p, int big)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return big != FT_HOST_BIG ? ft_bswap32(v) : v;
}

static inline uint64_t ft_ld64(const uint8_t *p, int big)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return big != FT_HOST_BIG ? ft_bswap64(v) : v;
}

static inline void ft_st16(uint8_t *p, uint16_t v, int big)
{
    if (big != FT_HOST_BIG)
        v = ft_bswap16(v);
    memcpy(p, &v, 2);
}

static inline void ft_st32(uint8_t *p, uint32_t v, int big)
{
    if (big != FT_HOST_BIG)
        v = ft_bswap32(v);
    memcpy(p, &v, 4);
}

static inline void ft_st64(uint8_t *p, uint64_t v, int big)
{
    if (big != FT_HOST_BIG)
        v = ft_bswap64(v);
    memcpy(p, &v, 8);
}

/* An unsigned integer of n bytes (0..8; of more, the first 8) at p: the
 * loads of fields of any width, the usual widths in one load each. */
static inline uint64_t ft_ldn(const uint8_t *p, size_t n, int big)
{
    switch (n) {
    case 1: return p[0];
    case 2: return ft_ld16(p, big);
    case 4: return ft_ld32(p, big);
    case 8: return ft_ld64(p, big);
    default: break;
    }
    if (n > 8)
        n = 8;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[big ? i : n - 1 - i];
    return v;
}

/*
 * The low n bytes of v, for fields of any width (1..8 bytes; a wider field
 * gets zeros above the value).  The usual widths take one store each.
 */
static inline void ft_stn(uint8_t *p, uint64_t v, size_t n, int big)
{
    switch (n) {
    case 1: *p = (uint8_t)v; return;
    case 2: ft_st16(p, (uint16_t)v, big); return;
    case 4: ft_st32(p, (uint32_t)v, big); return;
    case 8: ft_st64(p, v, big); return;
    default: break;
    }
    for (size_t i = 0; i < n; i++, v >>= 8)
        p[big ? n - 1 - i : i] = (uint8_t)v;
}

/* Reverse the bytes of a 2/4/8-byte field in place. */
static inline void ft_swap_bytes(uint8_t *p, unsigned width)
{
    for (unsigned i = 0, j = width - 1; i < j; i++, j--) {
        uint8_t t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
}

#endif
