/* ft_grow.c - see ft_grow.h. */
#include <stdlib.h>
#include "core/ft_grow.h"

int ft_reserve(void *items, size_t *cap, size_t n, size_t size)
{
    void **a = items;
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 8;
    while (c <= n)
        c *= 2;
    void *grown = realloc(*a, c * size);
    if (!grown)
        return -1;
    *a = grown;
    *cap = c;
    return 0;
}
