/*
 * ft_field.c - the field table as data, and looking names up in it (at
 * load time: per-record code holds rows or ids, never names).
 */
#include <string.h>
#include "core/ft_field.h"

#define FT_FIELD_ROW_(ID, member, type, kind, has, name, json, lang, ie, ie_alt, bits) \
    [FT_FLD_##ID] = {FT_FLD_##ID, FT_T_##type, FT_K_##kind, bits, \
                     offsetof(struct ft_flow, member), ie, ie_alt, has, name, json, lang},
const struct ft_field ft_fields[FT_NFIELDS] = { FT_FIELDS(FT_FIELD_ROW_) };

/* A row's storage type must be its member's: checked for every row. */
#define FT_WIDTH_IP sizeof(struct ft_ip)
#define FT_WIDTH_U8 1
#define FT_WIDTH_U16 2
#define FT_WIDTH_U32 4
#define FT_WIDTH_U64 8
#define FT_FIELD_CHECK_(ID, member, type, ...) \
    _Static_assert(sizeof(((struct ft_flow *)0)->member) == FT_WIDTH_##type, \
                   "field " #ID ": type is not its member's width");
FT_FIELDS(FT_FIELD_CHECK_)

/* Is `name` one of the blank-separated words of `list`? */
static int in_list(const char *list, const char *name, size_t n)
{
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && memcmp(p, name, n) == 0)
            return 1;
        p += len;
        p += strspn(p, " ");
    }
    return 0;
}

const struct ft_field *ft_field_by_lang(const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < FT_NFIELDS; i++)
        if (in_list(ft_fields[i].lang, name, n))
            return &ft_fields[i];
    return NULL;
}

const struct ft_field *ft_field_by_name(const char *name)
{
    for (int i = 0; i < FT_NFIELDS; i++) {
        const struct ft_field *d = &ft_fields[i];
        if (strcmp(d->name, name) == 0 || (d->json && strcmp(d->json, name) == 0))
            return d;
    }
    return ft_field_by_lang(name);
}

const struct ft_field *ft_field_by_element(unsigned ie)
{
    if (ie == 0)
        return NULL;
    for (int i = 0; i < FT_NFIELDS; i++)
        if (ft_fields[i].ie == ie || ft_fields[i].ie_alt == ie)
            return &ft_fields[i];
    return NULL;
}

const char *ft_field_lang_name(const struct ft_field *d, char *buf, size_t size)
{
    if (!d->lang || size == 0)
        return NULL;
    size_t len = strcspn(d->lang, " ");
    if (len >= size)
        len = size - 1;
    memcpy(buf, d->lang, len);
    buf[len] = '\0';
    return buf;
}

int ft_field_is_set(const struct ft_flow *f, const struct ft_field *d)
{
    if (d->type != FT_T_IP)
        return ft_field_get(f, d) != 0;
    const struct ft_ip *a = ft_field_cptr(f, d);
    if (a->af == FT_AF_INET)
        return a->v4 != 0;
    if (a->af == FT_AF_INET6) {
        static const uint8_t zero[16];
        return memcmp(a->v6, zero, 16) != 0;
    }
    return 0;
}
