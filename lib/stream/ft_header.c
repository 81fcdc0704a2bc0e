/*
 * ft_header.c - the stream header: its fields, encoding (stream version 3)
 * and decoding (versions 1 and 3), as stream-format.md sections 2-4 lay
 * them out.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/ft_stream_int.h"

#define SV1_HOSTNAME_LEN 68
#define SV1_COMMENTS_LEN 256

/* ======================================================================
 * Header fields
 * ====================================================================== */

void ft_header_init(struct ft_header *h, const struct ft_format *fmt)
{
    memset(h, 0, sizeof(*h));
    h->byte_order = (uint8_t)ft_host_order();
    h->s_version = 3;
    h->d_version = fmt->d_version;
    FT_SET(h, FT_TLV_EX_VER);
    FT_SET(h, FT_TLV_HEADER_FLAGS);
    if (fmt->d_version == 8) {
        h->agg_version = fmt->agg_version;
        h->agg_method = fmt->agg_method;
        FT_SET(h, FT_TLV_AGG_VER);
        FT_SET(h, FT_TLV_AGG_METHOD);
    }
}

void ft_header_set_str(struct ft_header *h, enum ft_tlv tlv, const char *s)
{
    char *dst;
    if (tlv == FT_TLV_CAP_HOSTNAME)
        dst = h->hostname;
    else if (tlv == FT_TLV_COMMENTS)
        dst = h->comments;
    else
        return;
    snprintf(dst, FT_HDR_STR, "%s", s ? s : "");
    FT_SET(h, tlv);
}

/* The member holding a 32-bit TLV, or NULL. */
static uint32_t *header_u32(struct ft_header *h, unsigned tlv)
{
    switch (tlv) {
    case FT_TLV_EXPORTER_IP: return &h->exporter_ip;
    case FT_TLV_CAP_START: return &h->cap_start;
    case FT_TLV_CAP_END: return &h->cap_end;
    case FT_TLV_HEADER_FLAGS: return &h->flags;
    case FT_TLV_ROT_SCHEDULE: return &h->rot_schedule;
    case FT_TLV_FLOW_COUNT: return &h->flow_count;
    case FT_TLV_FLOW_LOST: return &h->flow_lost;
    case FT_TLV_FLOW_MISORDERED: return &h->flow_misordered;
    case FT_TLV_PKT_CORRUPT: return &h->pkt_corrupt;
    case FT_TLV_SEQ_RESET: return &h->seq_reset;
    default: return NULL;
    }
}

void ft_header_set_u32(struct ft_header *h, enum ft_tlv tlv, uint32_t v)
{
    uint32_t *p = header_u32(h, tlv);
    if (p)
        *p = v;
    else if (tlv == FT_TLV_VENDOR)
        h->vendor = (uint8_t)v;
    else if (tlv == FT_TLV_EX_VER)
        h->d_version = (uint16_t)v;
    else if (tlv == FT_TLV_AGG_VER)
        h->agg_version = (uint8_t)v;
    else if (tlv == FT_TLV_AGG_METHOD)
        h->agg_method = (uint8_t)v;
    else if (tlv != FT_TLV_INTERRUPT)
        return;
    FT_SET(h, tlv);
}

/* ======================================================================
 * Header encoding (stream version 3, stream-format.md 3)
 * ====================================================================== */

struct hbuf {
    uint8_t *p;
    size_t cap, len;
    int big;
    bool full;
};

static uint8_t *hbuf_tlv(struct hbuf *b, unsigned type, size_t vlen)
{
    if (b->full || vlen > UINT16_MAX || b->len + 4 + vlen > b->cap) {
        b->full = true;
        return NULL;
    }
    uint8_t *v = b->p + b->len + 4;
    ft_st16(b->p + b->len, (uint16_t)type, b->big);
    ft_st16(b->p + b->len + 2, (uint16_t)vlen, b->big);
    b->len += 4 + vlen;
    return v;
}

static void hbuf_u8(struct hbuf *b, unsigned type, uint8_t v)
{
    uint8_t *p = hbuf_tlv(b, type, 1);
    if (p)
        *p = v;
}

static void hbuf_u16(struct hbuf *b, unsigned type, uint16_t v)
{
    uint8_t *p = hbuf_tlv(b, type, 2);
    if (p)
        ft_st16(p, v, b->big);
}

static void hbuf_u32(struct hbuf *b, unsigned type, uint32_t v)
{
    uint8_t *p = hbuf_tlv(b, type, 4);
    if (p)
        ft_st32(p, v, b->big);
}

static void hbuf_str(struct hbuf *b, unsigned type, const char *s)
{
    size_t n = strnlen(s, FT_HDR_STR - 1);
    uint8_t *p = hbuf_tlv(b, type, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
}

/* IF_NAME and IF_ALIAS in their intended layout (3.3), not the original's
 * broken one. */
static void hbuf_ifname(struct hbuf *b, const struct ft_ifname *e)
{
    size_t n = strnlen(e->name, sizeof(e->name) - 1);
    uint8_t *p = hbuf_tlv(b, FT_TLV_IF_NAME, 6 + n + 1);
    if (!p)
        return;
    ft_st32(p, e->ip, b->big);
    ft_st16(p + 4, e->ifindex, b->big);
    memcpy(p + 6, e->name, n);
    p[6 + n] = 0;
}

static void hbuf_ifalias(struct hbuf *b, const struct ft_ifalias *e)
{
    size_t count = e->n > 32 ? 32 : e->n;
    size_t n = strnlen(e->name, sizeof(e->name) - 1);
    uint8_t *p = hbuf_tlv(b, FT_TLV_IF_ALIAS, 6 + 2 * count + n + 1);
    if (!p)
        return;
    ft_st32(p, e->ip, b->big);
    ft_st16(p + 4, (uint16_t)count, b->big);
    for (size_t i = 0; i < count; i++)
        ft_st16(p + 6 + 2 * i, e->ifindex[i], b->big);
    memcpy(p + 6 + 2 * count, e->name, n);
    p[6 + 2 * count + n] = 0;
}

/* The fixed-size TLVs in writer order (3.1): type 1 to 0x0e. */
static void hbuf_numbers(struct hbuf *b, const struct ft_header *h)
{
    if (FT_HAS(h, FT_TLV_VENDOR))
        hbuf_u8(b, FT_TLV_VENDOR, h->vendor);
    if (FT_HAS(h, FT_TLV_EX_VER))
        hbuf_u16(b, FT_TLV_EX_VER, h->d_version);
    if (h->d_version == 8 && FT_HAS(h, FT_TLV_AGG_VER))
        hbuf_u8(b, FT_TLV_AGG_VER, h->agg_version);
    if (h->d_version == 8 && FT_HAS(h, FT_TLV_AGG_METHOD))
        hbuf_u8(b, FT_TLV_AGG_METHOD, h->agg_method);
    for (unsigned t = FT_TLV_EXPORTER_IP; t <= FT_TLV_SEQ_RESET; t++) {
        if (FT_HAS(h, t))
            hbuf_u32(b, t, *header_u32((struct ft_header *)h, t));
    }
}

ssize_t ft_header_encode(const struct ft_header *h, uint8_t *buf, size_t size)
{
    struct hbuf b = {buf, size < FT_HDR_MAX ? size : FT_HDR_MAX, 8,
                     ft_order_is_big(h->byte_order), false};
    if (b.cap < 8)
        return -1;
    buf[0] = FT_MAGIC1;
    buf[1] = FT_MAGIC2;
    buf[2] = h->byte_order;
    buf[3] = 3;
    hbuf_numbers(&b, h);
    if (FT_HAS(h, FT_TLV_CAP_HOSTNAME))
        hbuf_str(&b, FT_TLV_CAP_HOSTNAME, h->hostname);
    if (FT_HAS(h, FT_TLV_COMMENTS))
        hbuf_str(&b, FT_TLV_COMMENTS, h->comments);
    for (size_t i = 0; i < h->n_ifnames && FT_HAS(h, FT_TLV_IF_NAME); i++)
        hbuf_ifname(&b, &h->ifnames[i]);
    for (size_t i = 0; i < h->n_ifaliases && FT_HAS(h, FT_TLV_IF_ALIAS); i++)
        hbuf_ifalias(&b, &h->ifaliases[i]);
    size_t padded = (b.len + 3) & ~(size_t)3;
    if (b.full || padded > b.cap)
        return -1;
    memset(buf + b.len, 0, padded - b.len);
    ft_st32(buf + 4, (uint32_t)padded, b.big);
    return (ssize_t)padded;
}

/* ======================================================================
 * Header decoding
 * ====================================================================== */

static void copy_str(char *dst, size_t cap, const uint8_t *src, size_t len)
{
    size_t n = strnlen((const char *)src, len < cap - 1 ? len : cap - 1);
    memcpy(dst, src, n);
    dst[n] = 0;
}

static bool decode_ifname(const uint8_t *v, size_t len, int big, struct ft_ifname *e)
{
    if (len < 6)
        return false;
    e->ip = ft_ld32(v, big);
    e->ifindex = ft_ld16(v + 4, big);
    copy_str(e->name, sizeof(e->name), v + 6, len - 6);
    return true;
}

static bool decode_ifalias(const uint8_t *v, size_t len, int big, struct ft_ifalias *e)
{
    if (len < 6)
        return false;
    unsigned n = ft_ld16(v + 4, big);
    if (6 + 2 * (size_t)n > len)
        return false;
    e->ip = ft_ld32(v, big);
    e->n = (uint16_t)(n > 32 ? 32 : n);     /* the struct keeps 32 indexes */
    for (unsigned i = 0; i < e->n; i++)
        e->ifindex[i] = ft_ld16(v + 6 + 2 * i, big);
    copy_str(e->name, sizeof(e->name), v + 6 + 2 * n, len - 6 - 2 * n);
    return true;
}

/* One TLV into the header.  Values too short for their type are ignored. */
static void decode_tlv(struct ft_header *h, unsigned type, const uint8_t *v, size_t len,
                       int big)
{
    uint32_t *u32 = header_u32(h, type);
    if (u32) {
        if (len < 4)
            return;
        *u32 = ft_ld32(v, big);
    } else if (type == FT_TLV_EX_VER) {
        if (len < 2)
            return;
        h->d_version = ft_ld16(v, big);
    } else if (type == FT_TLV_VENDOR || type == FT_TLV_AGG_VER ||
               type == FT_TLV_AGG_METHOD || type == FT_TLV_INTERRUPT) {
        if (len < 1)
            return;
        if (type == FT_TLV_VENDOR)
            h->vendor = v[0];
        else if (type == FT_TLV_AGG_VER)
            h->agg_version = v[0];
        else if (type == FT_TLV_AGG_METHOD)
            h->agg_method = v[0];
    } else if (type == FT_TLV_CAP_HOSTNAME) {
        copy_str(h->hostname, sizeof(h->hostname), v, len);
    } else if (type == FT_TLV_COMMENTS) {
        copy_str(h->comments, sizeof(h->comments), v, len);
    } else if (type == FT_TLV_IF_NAME) {
        if (!decode_ifname(v, len, big, &h->ifnames[h->n_ifnames]))
            return;
        h->n_ifnames++;
    } else if (type == FT_TLV_IF_ALIAS) {
        if (!decode_ifalias(v, len, big, &h->ifaliases[h->n_ifaliases]))
            return;
        h->n_ifaliases++;
    } else {
        return;     /* NULL padding and unknown types are skipped */
    }
    FT_SET(h, type);
}

/*
 * Walk the TLV area.  A TLV running past the end stops the walk silently,
 * as in the original.  With `count` set, only count IF_NAME/IF_ALIAS TLVs
 * (so the arrays can be sized from the header itself: no table grows
 * beyond what the bounded header holds).
 */
static void walk_tlvs(struct ft_header *h, const uint8_t *p, size_t len, int big,
                      size_t *n_names, size_t *n_aliases)
{
    size_t pos = 0;
    while (len - pos >= 4) {
        unsigned type = ft_ld16(p + pos, big);
        size_t vlen = ft_ld16(p + pos + 2, big);
        if (vlen > len - pos - 4)
            break;
        if (n_names) {
            *n_names += type == FT_TLV_IF_NAME;
            *n_aliases += type == FT_TLV_IF_ALIAS;
        } else {
            decode_tlv(h, type, p + pos + 4, vlen, big);
        }
        pos += 4 + vlen;
    }
}

int ft_header_parse_tlvs(struct ft_header *h, const uint8_t *p, size_t len, int big)
{
    size_t n_names = 0, n_aliases = 0;
    walk_tlvs(h, p, len, big, &n_names, &n_aliases);
    if (n_names && !(h->ifnames = calloc(n_names, sizeof(*h->ifnames))))
        return -1;
    if (n_aliases && !(h->ifaliases = calloc(n_aliases, sizeof(*h->ifaliases))))
        return -1;
    walk_tlvs(h, p, len, big, NULL, NULL);
    return 0;
}

/*
 * Stream version 1 header (section 4).  The present bits and the XLATE flag
 * are set the way the original's reader (on a little-endian host) leaves
 * them, so that flow-header prints what the original prints:
 *  - capture start/end are not marked present: the original ORs in the TLV
 *    numbers 6 and 7 instead of their bits, which lands on the vendor,
 *    export-version and agg-version bits;
 *  - XLATE is added before the flags are byte-swapped, so in a big-endian
 *    file it ends up as bit 28 instead of 0x10.
 */
void ft_header_parse_sv1(struct ft_header *h, const uint8_t *p)
{
    int big = ft_order_is_big(h->byte_order);
    unsigned dv = ft_ld16(p + 4, big);
    h->d_version = (uint16_t)(dv == 65535 ? 1 : dv);
    h->cap_start = ft_ld32(p + 8, big);
    h->cap_end = ft_ld32(p + 12, big);
    h->flags = ft_ld32(p + 16, big) | (big ? (uint32_t)FT_HF_XLATE << 24 : FT_HF_XLATE);
    h->rot_schedule = ft_ld32(p + 20, big);
    h->flow_count = ft_ld32(p + 24, big);
    h->flow_lost = ft_ld32(p + 28, big);
    h->flow_misordered = ft_ld32(p + 32, big);
    copy_str(h->hostname, sizeof(h->hostname), p + 36, SV1_HOSTNAME_LEN);
    copy_str(h->comments, sizeof(h->comments), p + 104, SV1_COMMENTS_LEN);
    h->present = 1u << FT_TLV_VENDOR | 1u << FT_TLV_EX_VER | 1u << FT_TLV_AGG_VER |
                 1u << FT_TLV_HEADER_FLAGS | 1u << FT_TLV_ROT_SCHEDULE |
                 1u << FT_TLV_FLOW_COUNT;
    if (h->hostname[0])
        FT_SET(h, FT_TLV_CAP_HOSTNAME);
    if (h->comments[0])
        FT_SET(h, FT_TLV_COMMENTS);
}

