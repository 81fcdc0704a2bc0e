/*
 * ft_blocks.c - column blocks (ft_blocks.h).
 *
 * Turning records on their side is the writer's main cost after the
 * compressor, so it is done a square at a time: 16 records by 16 bytes go
 * through a 16x16 byte transposition in SSE2 registers (16 loads, 64
 * unpacks, a store per stored column), where byte by byte it would be a
 * load and a store per byte.  Bytes outside whole squares (the last
 * records of a block, the last bytes of a record size that is not a
 * multiple of 16) go byte by byte; so does everything, a column of the
 * whole block at a time, on machines without SSE2 or when built with
 * FT_BLOCKS_PORTABLE (as the tests do too).
 */
#include <string.h>

#include "stream/ft_blocks.h"
#include "core/ft_bytes.h"

#if defined(__SSE2__) && !defined(FT_BLOCKS_PORTABLE)
#include <emmintrin.h>
#define SQUARE 16
#else
#define SQUARE 0
#endif

#define REC_MAX 512                 /* larger than every record format */
#define TILE 16                     /* records turned together */

static int column_stored(const uint8_t *bitmap, unsigned j)
{
    return (bitmap[j / 8] >> (j % 8)) & 1;
}

/* slot[j]: the index of byte column j among the stored ones, or -1. */
static unsigned stored_columns(const uint8_t *bitmap, unsigned rec_size, int16_t *slot)
{
    unsigned n_cols = 0;
    for (unsigned j = 0; j < rec_size; j++)
        slot[j] = column_stored(bitmap, j) ? (int16_t)n_cols++ : -1;
    return n_cols;
}

/* Sets the bitmap bit of every byte column not zero in all n records. */
static void mark_live_columns(const uint8_t *recs, size_t n, unsigned rec_size,
                              uint8_t *bitmap)
{
    uint64_t seen[REC_MAX / 8] = {0};
    uint8_t *bytes = (uint8_t *)seen;
    unsigned vectors = 0;
#if SQUARE
    __m128i acc[REC_MAX / 16];
    vectors = rec_size / 16;
    for (unsigned w = 0; w < vectors; w++)
        acc[w] = _mm_setzero_si128();
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = recs + i * rec_size;
        for (unsigned w = 0; w < vectors; w++)
            acc[w] = _mm_or_si128(acc[w], _mm_loadu_si128((const __m128i *)(const void *)(r + 16 * w)));
    }
    for (unsigned w = 0; w < vectors; w++)
        _mm_storeu_si128((__m128i *)(void *)(bytes + 16 * w), acc[w]);
#endif
    unsigned words = rec_size / 8;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = recs + i * rec_size;
        for (unsigned w = vectors * 2; w < words; w++) {
            uint64_t v;
            memcpy(&v, r + 8 * w, 8);
            seen[w] |= v;
        }
        for (unsigned j = words * 8; j < rec_size; j++)
            bytes[j] |= r[j];
    }
    memset(bitmap, 0, (rec_size + 7) / 8);
    for (unsigned j = 0; j < rec_size; j++)
        if (bytes[j])
            bitmap[j / 8] |= (uint8_t)(1u << (j % 8));
}

#if SQUARE
/* in[k] = 16 bytes of record k; out[j] = byte j of the 16 records.  Each
 * stage interleaves pairs of registers in units twice as wide as the last. */
static void transpose16(const __m128i in[16], __m128i out[16])
{
    __m128i a[16], b[16], c[16];
    for (unsigned k = 0; k < 8; k++) {      /* a[h*8+k]: records 2k, 2k+1; bytes 8h.. */
        a[k] = _mm_unpacklo_epi8(in[2 * k], in[2 * k + 1]);
        a[k + 8] = _mm_unpackhi_epi8(in[2 * k], in[2 * k + 1]);
    }
    for (unsigned h = 0; h < 2; h++) {      /* b[q*4+m]: records 4m..; bytes 4q.. */
        for (unsigned m = 0; m < 4; m++) {
            b[8 * h + m] = _mm_unpacklo_epi16(a[8 * h + 2 * m], a[8 * h + 2 * m + 1]);
            b[8 * h + 4 + m] = _mm_unpackhi_epi16(a[8 * h + 2 * m], a[8 * h + 2 * m + 1]);
        }
    }
    for (unsigned q = 0; q < 4; q++) {      /* c[d*2+p]: records 8p..; bytes 2d.. */
        for (unsigned p = 0; p < 2; p++) {
            c[4 * q + p] = _mm_unpacklo_epi32(b[4 * q + 2 * p], b[4 * q + 2 * p + 1]);
            c[4 * q + 2 + p] = _mm_unpackhi_epi32(b[4 * q + 2 * p], b[4 * q + 2 * p + 1]);
        }
    }
    for (unsigned d = 0; d < 8; d++) {
        out[2 * d] = _mm_unpacklo_epi64(c[2 * d], c[2 * d + 1]);
        out[2 * d + 1] = _mm_unpackhi_epi64(c[2 * d], c[2 * d + 1]);
    }
}

/* The stored columns of bytes 16g..16g+15 of 16 records. */
static void encode_square(const uint8_t *tile, unsigned rec_size, unsigned g,
                          const int16_t *slot, uint8_t *columns, size_t n, size_t t)
{
    __m128i in[16], out[16];
    for (unsigned k = 0; k < 16; k++)
        in[k] = _mm_loadu_si128((const __m128i *)(const void *)(tile + k * rec_size + 16 * g));
    transpose16(in, out);
    for (unsigned j = 0; j < 16; j++)
        if (slot[16 * g + j] >= 0)
            _mm_storeu_si128((__m128i *)(void *)(columns + (size_t)slot[16 * g + j] * n + t),
                             out[j]);
}

static void decode_square(const uint8_t *columns, size_t n, size_t t, const int16_t *slot,
                          unsigned g, unsigned rec_size, uint8_t *tile)
{
    __m128i in[16], out[16];
    for (unsigned j = 0; j < 16; j++) {
        int c = slot[16 * g + j];
        in[j] = c >= 0 ? _mm_loadu_si128((const __m128i *)(const void *)(columns + (size_t)c * n + t))
                       : _mm_setzero_si128();
    }
    transpose16(in, out);
    for (unsigned k = 0; k < 16; k++)
        _mm_storeu_si128((__m128i *)(void *)(tile + k * rec_size + 16 * g), out[k]);
}
#endif

/* Records turned together: squares of TILE, or without squares the whole
 * block a column at a time. */
static size_t tile_size(size_t n)
{
    return SQUARE ? TILE : n;
}

/* The whole squares in a tile of m records. */
static unsigned squares(size_t m, unsigned rec_size)
{
    return SQUARE && m == TILE ? rec_size / TILE : 0;
}

/* Columns of records t..t+m-1 (m <= TILE) into their places. */
static void encode_tile(const uint8_t *tile, size_t m, unsigned rec_size, const int16_t *slot,
                        const uint8_t *square_live, uint8_t *columns, size_t n, size_t t)
{
    unsigned sq = squares(m, rec_size);
#if SQUARE
    for (unsigned g = 0; g < sq; g++)
        if (square_live[g])
            encode_square(tile, rec_size, g, slot, columns, n, t);
#else
    (void)square_live;
#endif
    for (unsigned j = sq * TILE; j < rec_size; j++) {
        if (slot[j] < 0)
            continue;
        uint8_t *dst = columns + (size_t)slot[j] * n + t;
        for (size_t i = 0; i < m; i++)
            dst[i] = tile[i * rec_size + j];
    }
}

size_t ft_block_encode(const uint8_t *recs, size_t n, unsigned rec_size, int big,
                       uint8_t *out)
{
    int16_t slot[REC_MAX];
    uint8_t square_live[REC_MAX / TILE] = {0};
    ft_st32(out, (uint32_t)n, big);
    mark_live_columns(recs, n, rec_size, out + 4);
    unsigned n_cols = stored_columns(out + 4, rec_size, slot);
    for (unsigned j = 0; j < rec_size; j++)
        if (slot[j] >= 0)
            square_live[j / TILE] = 1;
    uint8_t *columns = out + ft_block_head_size(rec_size);
    for (size_t t = 0; t < n; t += tile_size(n))
        encode_tile(recs + t * rec_size, n - t < tile_size(n) ? n - t : tile_size(n), rec_size,
                    slot, square_live, columns, n, t);
    return ft_block_head_size(rec_size) + (size_t)n_cols * n;
}

int ft_block_parse_head(const uint8_t *head, unsigned rec_size, int big, size_t *n,
                        size_t *payload)
{
    uint32_t count = ft_ld32(head, big);
    if (count == 0 || count > FT_BLOCK_MAX_RECS || rec_size > REC_MAX)
        return -1;
    const uint8_t *bitmap = head + 4;
    size_t columns = 0;
    for (unsigned j = 0; j < (rec_size + 7) / 8 * 8; j++) {
        if (!column_stored(bitmap, j))
            continue;
        if (j >= rec_size)
            return -1;
        columns++;
    }
    *n = count;
    *payload = columns * count;
    return 0;
}

/* Records t..t+m-1 from the columns: whole squares entirely, other bytes
 * from their column, or zero (without squares, ft_block_decode zeroed them). */
static void decode_tile(const uint8_t *columns, size_t n, size_t t, size_t m,
                        unsigned rec_size, const int16_t *slot, uint8_t *tile)
{
    unsigned sq = squares(m, rec_size);
#if SQUARE
    for (unsigned g = 0; g < sq; g++)
        decode_square(columns, n, t, slot, g, rec_size, tile);
#endif
    for (unsigned j = sq * TILE; j < rec_size; j++) {
        uint8_t *dst = tile + j;
        if (slot[j] >= 0) {
            const uint8_t *src = columns + (size_t)slot[j] * n + t;
            for (size_t i = 0; i < m; i++)
                dst[i * rec_size] = src[i];
        } else if (SQUARE) {
            for (size_t i = 0; i < m; i++)
                dst[i * rec_size] = 0;
        }
    }
}

void ft_block_decode(const uint8_t *head, const uint8_t *columns, size_t n,
                     unsigned rec_size, uint8_t *recs)
{
    int16_t slot[REC_MAX];
    /* With squares every byte is written once by decode_tile; without,
     * absent columns are zeroed here in one go, far faster than a byte at a
     * time down the records. */
    if (stored_columns(head + 4, rec_size, slot) < rec_size && !SQUARE)
        memset(recs, 0, n * rec_size);
    for (size_t t = 0; t < n; t += tile_size(n))
        decode_tile(columns, n, t, n - t < tile_size(n) ? n - t : tile_size(n), rec_size, slot,
                    recs + t * rec_size);
}
