/*
 * ft_pdu_v9rec.h - one v9/IPFIX record: a data record into a flow, an
 * options record into what its exporter is known to do (not installed).
 * The datagram around it (sets, templates, sequence) is ft_pdu_v9.c's.
 */
#ifndef FT_PDU_V9REC_H
#define FT_PDU_V9REC_H

#include <stdint.h>
#include "core/ft_rd.h"
#include "pdu/ft_pdu_ctx.h"

/* Everything a record needs from its datagram. */
struct v9_dgram {
    struct ft_pdu_ctx *ctx;
    const struct ft_pdu_src *src;
    struct ft_pdu_exporter_state *e;
    struct ft_pdu_info *info;
    unsigned version;           /* 9, or 10 for IPFIX */
    uint32_t sysuptime, unix_secs, sequence, source_id;
    uint32_t records;           /* data records decoded (IPFIX sequence) */
    int incomplete;             /* a data set was skipped: the record count is a guess */
};

/* Decode a data record of template t, set id, (exactly rec->len bytes)
 * into the zeroed flow *f. */
void ft_v9_flow_record(const struct v9_dgram *d, uint16_t id, const struct tmpl *t,
                       struct ft_rd *rec, struct ft_flow *f);

/* Learn from an options record of t (exactly rec->len bytes) what its
 * exporter does: sampling, boot time. */
void ft_v9_options_record(const struct v9_dgram *d, const struct tmpl *t, struct ft_rd *rec);

#endif
