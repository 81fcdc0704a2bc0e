/*
 * ft_blocks.c - column blocks (ft_blocks.h).
 */
#include <string.h>

#include "ft_blocks.h"
#include "ft_bytes.h"

#define REC_MAX 512                 /* larger than every record format */

static int column_stored(const uint8_t *bitmap, unsigned j)
{
    return (bitmap[j / 8] >> (j % 8)) & 1;
}

size_t ft_block_encode(const uint8_t *recs, size_t n, unsigned rec_size, int big,
                       uint8_t *out)
{
    uint8_t seen[REC_MAX] = {0};
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = recs + i * rec_size;
        for (unsigned j = 0; j < rec_size; j++)
            seen[j] |= r[j];
    }
    ft_st32(out, (uint32_t)n, big);
    uint8_t *bitmap = out + 4;
    memset(bitmap, 0, (rec_size + 7) / 8);
    uint8_t *col = out + ft_block_head_size(rec_size);
    for (unsigned j = 0; j < rec_size; j++) {
        if (!seen[j])
            continue;
        bitmap[j / 8] |= (uint8_t)(1u << (j % 8));
        const uint8_t *src = recs + j;
        for (size_t i = 0; i < n; i++)
            col[i] = src[i * rec_size];
        col += n;
    }
    return (size_t)(col - out);
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

void ft_block_decode(const uint8_t *head, const uint8_t *columns, size_t n,
                     unsigned rec_size, uint8_t *recs)
{
    const uint8_t *bitmap = head + 4;
    memset(recs, 0, n * rec_size);
    for (unsigned j = 0; j < rec_size; j++) {
        if (!column_stored(bitmap, j))
            continue;
        uint8_t *dst = recs + j;
        for (size_t i = 0; i < n; i++)
            dst[i * rec_size] = columns[i];
        columns += n;
    }
}
