/*
 * ft_iflist.c - interface lists ("1,2,10-12", "!3").
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "lang/ft_iflist.h"

static int list_number(const char *s, uint32_t *v)
{
    if (!isdigit((unsigned char)s[0]))
        return -1;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(s, &end, 0);
    if (errno || *end || n >= FT_IFLIST_SIZE)
        return -1;
    *v = (uint32_t)n;
    return 0;
}

int ft_iflist_parse(const char *s, struct ft_iflist *l)
{
    int invert = *s == '!';
    char item[64];
    if (!s[invert])
        return -1;
    for (const char *c = s + invert; *c;) {
        size_t n = strcspn(c, ",");
        uint32_t from, to;
        if (n == 0 || n >= sizeof(item))
            return -1;
        memcpy(item, c, n);
        item[n] = 0;
        char *dash = strchr(item, '-');
        if (dash)
            *dash = 0;
        if (list_number(item, &from) < 0 || list_number(dash ? dash + 1 : item, &to) < 0 ||
            to < from)
            return -1;
        for (uint32_t i = from; i <= to; i++)
            l->bits[i >> 3] |= (uint8_t)(1u << (i & 7));
        c += n + (c[n] == ',');
    }
    if (invert) {
        for (size_t i = 0; i < sizeof(l->bits); i++)
            l->bits[i] = (uint8_t)~l->bits[i];
        l->above = 1;
    }
    return 0;
}
