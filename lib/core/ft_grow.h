/*
 * ft_grow.h - growing an array an entry at a time: the one way lib/'s
 * tables that fill as they are read (config entries, exporter settings,
 * file lists, parsed reports) make room.
 */
#ifndef FT_GROW_H
#define FT_GROW_H

#include <stddef.h>

/* Grow the array *items (*cap elements of size bytes) to hold at least
 * n + 1, doubling (8 to start).  0, or -1 when memory runs out (the array
 * is then as it was). */
int ft_reserve(void *items, size_t *cap, size_t n, size_t size);
#define FT_RESERVE(arr, cap, n) ft_reserve(&(arr), &(cap), (n), sizeof *(arr))

#endif
