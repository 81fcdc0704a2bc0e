/*
 * ft_sortkey.c - sort keys over the field table (see ft_sortkey.h).
 */
#include <stdio.h>
#include <string.h>

#include "core/ft_sortkey.h"

/* Bytes a field takes in an encoded key: its storage width (the row's
 * type, never a per-field rule). */
static uint8_t part_width(const struct ft_field *d, unsigned flags)
{
    switch (d->type) {
    case FT_T_IP: return flags & FT_SORTKEY_ADDR6 ? 17 : 4;
    case FT_T_U8: return 1;
    case FT_T_U16: return 2;
    case FT_T_U32: return 4;
    default: return 8;
    }
}

static int add_part(struct ft_sortkey *k, const char *word, size_t len, unsigned flags,
                    struct ft_err *err)
{
    char name[64];
    uint8_t desc = 0;
    if (*word == '+' || *word == '-') {
        desc = *word == '-';
        word++;
        len--;
    }
    if (len == 0 || len >= sizeof name)
        return ft_err_set(err, "bad sort field \"%.*s\"", (int)(len < 60 ? len : 60), word);
    memcpy(name, word, len);
    name[len] = '\0';
    const struct ft_field *d = ft_field_by_name(name);
    if (!d)
        return ft_err_set(err, "unknown sort field \"%s\"", name);
    if (k->n == FT_SORTKEY_FIELDS)
        return ft_err_set(err, "more than %d sort fields", FT_SORTKEY_FIELDS);
    struct ft_sortkey_part *p = &k->part[k->n++];
    p->field = d;
    p->desc = desc;
    p->width = part_width(d, flags);
    p->at = (uint16_t)k->width;
    k->width += p->width;
    k->has |= d->has;
    return 0;
}

int ft_sortkey_parse(struct ft_sortkey *k, const char *spec, unsigned flags,
                     struct ft_err *err)
{
    static const char sep[] = ", \t";
    memset(k, 0, sizeof *k);
    for (const char *s = spec ? spec : ""; *s;) {
        s += strspn(s, sep);
        size_t len = strcspn(s, sep);
        if (len && add_part(k, s, len, flags, err) < 0)
            return -1;
        s += len;
    }
    if (k->n == 0)
        return ft_err_set(err, "no sort field given");
    return 0;
}

static void put_be(uint8_t *out, uint64_t v, unsigned width)
{
    for (unsigned i = width; i-- > 0; v >>= 8)
        out[i] = (uint8_t)v;
}

static void put_addr(uint8_t *out, const struct ft_ip *a, unsigned width)
{
    if (width == 4) {
        put_be(out, a->af == FT_AF_INET ? a->v4 : 0, 4);
        return;
    }
    memset(out, 0, width);
    out[0] = a->af;
    if (a->af == FT_AF_INET)
        put_be(out + 1, a->v4, 4);
    else if (a->af == FT_AF_INET6)
        memcpy(out + 1, a->v6, 16);
}

void ft_sortkey_encode(const struct ft_sortkey *k, const struct ft_flow *f, uint8_t *out)
{
    for (size_t i = 0; i < k->n; i++) {
        const struct ft_sortkey_part *p = &k->part[i];
        uint8_t *o = out + p->at;
        if (p->field->type == FT_T_IP)
            put_addr(o, ft_field_cptr(f, p->field), p->width);
        else
            put_be(o, ft_field_get(f, p->field), p->width);
        if (p->desc)
            for (unsigned j = 0; j < p->width; j++)
                o[j] = (uint8_t)~o[j];
    }
}

int ft_sortkey_cmp(const struct ft_sortkey *k, const struct ft_flow *a, const struct ft_flow *b)
{
    uint8_t ka[FT_SORTKEY_FIELDS * 17], kb[FT_SORTKEY_FIELDS * 17];
    ft_sortkey_encode(k, a, ka);
    ft_sortkey_encode(k, b, kb);
    return memcmp(ka, kb, k->width);
}

const char *ft_sortkey_text(const struct ft_sortkey *k, char *buf, size_t size)
{
    size_t len = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < k->n && len < size; i++) {
        int n = snprintf(buf + len, size - len, "%s%c%s", i ? "," : "",
                         k->part[i].desc ? '-' : '+', k->part[i].field->name);
        if (n < 0)
            break;
        len += (size_t)n;
    }
    return buf;
}
