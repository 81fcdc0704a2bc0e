/*
 * ft_sortkey.h - sort keys over the field table (flow-sort).
 *
 * A key is a list of fields of FT_FIELDS, each ascending or descending,
 * named as the field table names them ("octets", "doctets",
 * "ip-source-address", ...), written "-octets,+srcaddr" or "octets -srcaddr"
 * (commas or blanks; '+' ascending, the default, '-' descending).  Names are
 * resolved to rows once, when the key is parsed.
 *
 * A flow's key is then encoded into a fixed number of bytes that compare
 * with memcmp in the key's order: each field big-endian at its storage width
 * (an address as 4 bytes, or with wide addresses as its family and 16 bytes,
 * IPv4 before IPv6), every byte inverted for a descending field.  Sorting
 * by those bytes, and by arrival on equal bytes, is the stable sort the key
 * asks for; sorters can radix-sort the bytes directly.
 */
#ifndef FT_SORTKEY_H
#define FT_SORTKEY_H

#include <stddef.h>
#include <stdint.h>
#include "core/ft_field.h"
#include "core/ft_err.h"

#define FT_SORTKEY_FIELDS 16    /* fields in one key at most */
#define FT_SORTKEY_ADDR6 0x1    /* addresses may be IPv6: 17 bytes each */

struct ft_sortkey_part {
    const struct ft_field *field;
    uint8_t desc;               /* 1: descending */
    uint8_t width;              /* bytes in the encoded key */
    uint16_t at;                /* offset in the encoded key */
};

struct ft_sortkey {
    size_t n;
    struct ft_sortkey_part part[FT_SORTKEY_FIELDS];
    size_t width;               /* bytes of an encoded key */
    uint64_t has;               /* FT_F_* bits of the fields named */
};

/*
 * Parse spec into *k (flags: FT_SORTKEY_ADDR6 when the flows may carry IPv6
 * addresses).  0, or -1 with err saying which name is unknown ("unknown sort
 * field \"x\""), that the key is empty, or that it has too many fields.
 */
int ft_sortkey_parse(struct ft_sortkey *k, const char *spec, unsigned flags,
                     struct ft_err *err);

/* Encode the key of f into out (k->width bytes). */
void ft_sortkey_encode(const struct ft_sortkey *k, const struct ft_flow *f, uint8_t *out);

/* <0, 0, >0 as a sorts before, with, after b under k. */
int ft_sortkey_cmp(const struct ft_sortkey *k, const struct ft_flow *a, const struct ft_flow *b);

/* The key written back as "-octets,+srcaddr" (flow-tools names), for
 * messages and headers. */
const char *ft_sortkey_text(const struct ft_sortkey *k, char *buf, size_t size);

#endif
