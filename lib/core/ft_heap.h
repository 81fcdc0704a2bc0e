/*
 * ft_heap.h - a binary min-heap of indexes, ordered by the caller's
 * before(ctx, a, b): the k-way merges (flow-sort's runs, flow-merge's files)
 * keep the index of each input that has a record, the earliest on top.
 * Header-only, so that a merge's comparison inlines.
 */
#ifndef FT_HEAP_H
#define FT_HEAP_H

#include <stdbool.h>
#include <stddef.h>

typedef bool (*ft_heap_before)(const void *ctx, size_t a, size_t b);

/* Move h[k] down to its place among h[0..n). */
static inline void ft_heap_sift_down(size_t *h, size_t n, size_t k, ft_heap_before before,
                                     const void *ctx)
{
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= n)
            return;
        if (c + 1 < n && before(ctx, h[c + 1], h[c]))
            c++;
        if (!before(ctx, h[c], h[k]))
            return;
        size_t t = h[c];
        h[c] = h[k];
        h[k] = t;
        k = c;
    }
}

/* Order h[0..n) as a heap. */
static inline void ft_heap_make(size_t *h, size_t n, ft_heap_before before, const void *ctx)
{
    for (size_t k = n / 2; k-- > 0;)
        ft_heap_sift_down(h, n, k, before, ctx);
}

#endif
