/*
 * ft_pdu_tmpl.h - a v9/IPFIX template: its fields and what a record of it
 * looks like (not installed).  The store that keeps templates per exporter
 * is the context's (ft_pdu_ctx.h); the file that carries them across
 * restarts is ft_pdu_tmplfile.c.
 */
#ifndef FT_PDU_TMPL_H
#define FT_PDU_TMPL_H

#include <stdint.h>

/* One field of a template. */
struct tmpl_field {
    uint16_t type;              /* element id, enterprise bit removed */
    uint16_t len;               /* bytes, or FT_VARLEN */
    uint32_t pen;               /* enterprise number, 0 for IANA elements */
};
#define FT_VARLEN 0xFFFF

struct tmpl {
    uint16_t id;
    uint16_t n_fields;
    uint16_t n_scope;           /* options templates: scope fields first */
    uint8_t options;            /* 1: options template */
    uint8_t variable;           /* 1: has variable-length fields */
    uint32_t min_len;           /* bytes of a record (variable fields: 1 each) */
    uint64_t learned_ms;        /* src->recv_ms when last (re)learned */
    struct tmpl_field *f;
};

#define FT_TMPL_MAX_FIELDS 1024     /* fields of one template */

/* Compute t->min_len/variable; -1 if no datagram could carry such records. */
int ft_tmpl_finish(struct tmpl *t, unsigned version);

#endif
