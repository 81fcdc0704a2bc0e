/*
 * ft_pdu_tmpl.c - a v9/IPFIX template: what a record of it looks like, and
 * what each of its fields does to a flow.
 */
#include "pdu/ft_pdu.h"
#include "pdu/ft_pdu_tmpl.h"

/* Largest record a template may describe: it must fit in one datagram. */
#define TMPL_MAX_RECORD (FT_PDU_MAX_DATAGRAM - 16 - 4)

/*
 * The elements a record does more with than store a member, in one place:
 * times (uptimes, absolute times in four units, the exporter's boot time),
 * icmpTypeCode split in two members, the sampling interval sharing its has
 * bit, and what options data teaches about sampling.  TA_SKIP: none of them.
 */
static enum tmpl_act special_action(uint16_t type, int options)
{
    switch (type) {
    case 21: return TA_UPTIME_LAST;
    case 22: return TA_UPTIME_FIRST;
    case 150: case 151: case 152: case 153: case 154:
    case 155: case 156: case 157: case 158: case 159: return TA_ABS_TIME;
    case 160: return TA_SYS_INIT;
    case 32: case 139: return TA_ICMP_TYPECODE;
    case 34: return TA_SAMPLING_INTERVAL;
    default: break;
    }
    if (!options)
        return TA_SKIP;     /* sampling is learned from options records only */
    switch (type) {
    case 49: return TA_SAMPLER_MODE;
    case 50: return TA_SAMPLER_INTERVAL;
    case 302: return TA_SELECTOR_ID;
    case 304: return TA_SELECTOR_ALGORITHM;
    case 305: return TA_PACKET_INTERVAL;
    case 306: return TA_PACKET_SPACE;
    case 309: return TA_SAMPLE_SIZE;
    case 310: return TA_POPULATION;
    default: return TA_SKIP;
    }
}

_Static_assert(TA_U64 - TA_U8 == FT_T_U64 - FT_T_U8 && TA_U8 > TA_SKIP,
               "TA_U8..TA_U64 follow FT_T_U8..FT_T_U64");

/* Does another field share d's has bit (so that the bit cannot tell
 * whether d's member was seen)? */
static int has_bit_shared(const struct ft_field *d)
{
    for (int i = 0; i < FT_NFIELDS; i++)
        if (&ft_fields[i] != d && ft_fields[i].has == d->has)
            return 1;
    return 0;
}

/* The address slot of field d in t's records (the same for both of its
 * elements). */
static uint8_t addr_slot(struct tmpl *t, const struct ft_field *d)
{
    uint8_t i = 0;
    while (i < t->n_addrs && t->addr_field[i] != d->id)
        i++;
    if (i == t->n_addrs)
        t->addr_field[t->n_addrs++] = d->id;
    return i;
}

/* What field i of t does; a number wider than 8 bytes does nothing (a
 * variable-length field is measured per record). */
static void resolve_field(struct tmpl *t, uint16_t i)
{
    struct tmpl_field *tf = &t->f[i];
    tf->act = TA_SKIP;
    tf->arg = 0;
    tf->row = NULL;
    if (tf->pen != 0)
        return;         /* enterprise elements */
    if (t->options && i < t->n_scope && tf->type != 48 && tf->type != 302)
        return;         /* scope fields other than sampler ids */
    const struct ft_field *d = ft_field_by_element(tf->type);
    if (d && d->type == FT_T_IP) {
        tf->act = tf->type == d->ie ? TA_ADDR : TA_ADDR_ALT;
        tf->arg = addr_slot(t, d);
        tf->row = d;
        return;
    }
    if (tf->len > 8 && tf->len != FT_VARLEN)
        return;
    tf->act = special_action(tf->type, t->options);
    if (tf->act == TA_ABS_TIME)
        tf->arg = (uint8_t)(tf->type - 150);
    if (tf->act != TA_SKIP || !d)
        return;
    tf->act = (uint8_t)(TA_U8 + (d->type - FT_T_U8));
    tf->arg = !has_bit_shared(d);
    tf->row = d;
}

/*
 * Compute min_len and variable; reject what no datagram could carry
 * (zero-length fields, records larger than a datagram).  v9 has no
 * variable-length fields: there 65535 is just too large.
 */
int ft_tmpl_finish(struct tmpl *t, unsigned version)
{
    uint32_t total = 0;
    t->variable = 0;
    for (uint16_t i = 0; i < t->n_fields; i++) {
        uint16_t len = t->f[i].len;
        t->f[i].at = (uint16_t)total;
        /* Cisco sends v9 options scopes of length 0 (System scope): harmless,
         * as long as the whole record is not empty */
        if (len == 0 && !(version == 9 && t->options && i < t->n_scope))
            return -1;
        if (len == FT_VARLEN) {
            if (version != 10)
                return -1;
            t->variable = 1;
            total += 1;
        } else {
            total += len;
        }
        if (total > TMPL_MAX_RECORD)
            return -1;
    }
    if (t->n_fields == 0 || t->n_fields > FT_TMPL_MAX_FIELDS || t->n_scope > t->n_fields ||
        total == 0)
        return -1;
    t->min_len = total;
    return 0;
}

void ft_tmpl_resolve(struct tmpl *t)
{
    t->n_addrs = 0;
    for (uint16_t i = 0; i < t->n_fields; i++)
        resolve_field(t, i);
}

int ft_tmpl_same(const struct tmpl *a, const struct tmpl *b)
{
    if (a->n_fields != b->n_fields || a->n_scope != b->n_scope || a->options != b->options)
        return 0;
    for (uint16_t i = 0; i < a->n_fields; i++)
        if (a->f[i].type != b->f[i].type || a->f[i].len != b->f[i].len ||
            a->f[i].pen != b->f[i].pen)
            return 0;
    return 1;
}
