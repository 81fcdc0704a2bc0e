/*
 * ft_dense.c - value-indexed counters (see ft_dense.h).
 */
#include <stdlib.h>
#include <string.h>
#include "core/ft_bytes.h"
#include "report/ft_dense.h"

struct ft_dense *ft_dense_new(size_t width, size_t val_len)
{
    if (width < 1 || width > 2)
        return NULL;
    struct ft_dense *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->width = width;
    d->val_len = val_len;
    /* calloc: the pages of values never counted are never touched */
    d->vals = calloc((size_t)1 << (8 * width), val_len);
    if (!d->vals) {
        free(d);
        return NULL;
    }
    return d;
}

void ft_dense_free(struct ft_dense *d)
{
    if (!d)
        return;
    free(d->vals);
    free(d);
}

uint64_t ft_dense_fold(struct ft_dense *d, struct ft_agg *a)
{
    uint8_t key[256];           /* a table's longest key */
    uint64_t refused_flows = 0;
    uint32_t values = 1u << (8 * d->width);
    for (uint32_t v = 0; v < values; v++) {
        if (!(d->seen[v >> 3] & (1u << (v & 7))))
            continue;
        uint8_t *val = d->vals + (size_t)v * d->val_len;
        ft_stn(key, v, d->width, 1);
        int added;
        void *to = ft_agg_get(a, key, &added);
        if (to) {
            memcpy(to, val, d->val_len);
        } else {
            uint64_t flows;
            memcpy(&flows, val, sizeof flows);
            refused_flows += flows;
        }
        memset(val, 0, d->val_len);
    }
    memset(d->seen, 0, sizeof d->seen);
    return refused_flows;
}
