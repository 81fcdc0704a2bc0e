/*
 * ft_iflist.h - lists of interface indexes as flow-tools writes them
 * (load_lookup syntax): "1,2,10-12", a leading '!' inverting the whole list.
 * Used by tag terms (input-filter, output-filter) and by the programs that
 * take -i/-I lists (flow-dscan, flow-filter).
 */
#ifndef FT_IFLIST_H
#define FT_IFLIST_H

#include <stdint.h>

#define FT_IFLIST_SIZE 65536u      /* ifIndexes a list can name: 0..65535 */

struct ft_iflist {
    uint8_t bits[FT_IFLIST_SIZE / 8];
    int above;                  /* answer for ifIndexes above 65535 */
};

/* Parse s into l (zeroed by the caller): 0, or -1 when s is not a list of
 * numbers 0-65535 and ranges a-b (the caller names s in its message). */
int ft_iflist_parse(const char *s, struct ft_iflist *l);

/* Whether the list holds ifindex; a NULL list holds every interface. */
static inline int ft_iflist_has(const struct ft_iflist *l, uint32_t ifindex)
{
    if (!l)
        return 1;
    if (ifindex >= FT_IFLIST_SIZE)
        return l->above;
    return (l->bits[ifindex >> 3] >> (ifindex & 7)) & 1;
}

#endif
