/*
 * ft_pdu_tmpl.h - a v9/IPFIX template: its fields, what a record of it
 * looks like and what each field does to a flow (not installed).  The store
 * that keeps templates per exporter is the context's (ft_pdu_ctx.h); the
 * file that carries them across restarts is ft_pdu_tmplfile.c.
 */
#ifndef FT_PDU_TMPL_H
#define FT_PDU_TMPL_H

#include <stdint.h>
#include "core/ft_field.h"

/*
 * What a field of a template does to a record, resolved once when the
 * template is learned (ft_tmpl_resolve), so that decoding a record looks no
 * element up.  Plain fields are rows of the field table, stored by the
 * member's type; the elements a record does more with come after them.
 */
enum tmpl_act {
    TA_SKIP,                    /* nothing: enterprise or unknown element, options
                                 * scope, a number wider than 64 bits */
    TA_U8, TA_U16, TA_U32, TA_U64,  /* a number for row's member, of that type;
                                 * arg 1: the first occurrence wins (row's has bit
                                 * tells); arg 0: the member shares its has bit
                                 * with another (icmp type/code, sampling
                                 * algorithm), every occurrence writes */
    TA_ICMP_TYPECODE,           /* 32, 139: type in the high byte, code in the low */
    TA_SAMPLING_INTERVAL,       /* 34: first occurrence wins, has bit shared */
    TA_UPTIME_FIRST,            /* 22: flowStartSysUpTime */
    TA_UPTIME_LAST,             /* 21: flowEndSysUpTime */
    TA_ABS_TIME,                /* 150-159: absolute start/end; arg = element - 150 */
    TA_SYS_INIT,                /* 160: systemInitTimeMilliseconds */
    /* options data only (sampling); skipped in data templates */
    TA_SAMPLER_MODE,            /* 49 */
    TA_SAMPLER_INTERVAL,        /* 50: samplerRandomInterval */
    TA_SELECTOR_ID,             /* 302 */
    TA_SELECTOR_ALGORITHM,      /* 304 */
    TA_PACKET_INTERVAL,         /* 305: samplingPacketInterval */
    TA_PACKET_SPACE,            /* 306: samplingPacketSpace */
    TA_SAMPLE_SIZE,             /* 309: samplingSize */
    TA_POPULATION,              /* 310: samplingPopulation */
    /* addresses, resolved at the record's end: arg = the template's address slot */
    TA_ADDR,                    /* the row's element (ie) */
    TA_ADDR_ALT                 /* its second element (ie_alt, the IPv6 form) */
};

/* One field of a template. */
struct tmpl_field {
    uint16_t type;              /* element id, enterprise bit removed */
    uint16_t len;               /* bytes, or FT_VARLEN */
    uint32_t pen;               /* enterprise number, 0 for IANA elements */
    uint16_t at;                /* byte offset in a record (fixed-length templates) */
    uint8_t act;                /* enum tmpl_act */
    uint8_t arg;                /* TA_U*: first wins; TA_ABS_TIME: element - 150;
                                 * TA_ADDR*: the address slot */
    const struct ft_field *row; /* TA_U*, TA_ADDR* */
};
#define FT_VARLEN 0xFFFF

/* Address fields with an element: the most a template can fill. */
#define FT_TMPL_ADDR_(ID, member, type, kind, has, name, json, lang, ie, ie_alt, bits) \
    + (FT_T_##type == FT_T_IP && (ie) != 0)
enum { FT_TMPL_MAX_ADDRS = 0 FT_FIELDS(FT_TMPL_ADDR_) };

struct tmpl {
    uint16_t id;
    uint16_t n_fields;
    uint16_t n_scope;           /* options templates: scope fields first */
    uint8_t options;            /* 1: options template */
    uint8_t variable;           /* 1: has variable-length fields */
    uint32_t min_len;           /* bytes of a record (variable fields: 1 each) */
    uint64_t learned_ms;        /* src->recv_ms when last (re)learned */
    struct tmpl_field *f;
    uint8_t n_addrs;            /* address slots of a record ... */
    uint8_t addr_field[FT_TMPL_MAX_ADDRS]; /* ... and their fields (FT_FLD_*) */
};

#define FT_TMPL_MAX_FIELDS 1024     /* fields of one template */

/* Compute t->min_len/variable and the fields' offsets; -1 if no datagram
 * could carry such records. */
int ft_tmpl_finish(struct tmpl *t, unsigned version);

/* What each field of a finished template does (the template store calls it
 * when it learns a template). */
void ft_tmpl_resolve(struct tmpl *t);

/* Do a and b define the same records (a refresh, not a redefinition)? */
int ft_tmpl_same(const struct tmpl *a, const struct tmpl *b);

#endif
