/*
 * ft_pdu_int.h - internals shared by the ft_pdu*.c files (not installed).
 * Every byte of a datagram is read through the checked reader of ft_rd.h.
 */
#ifndef FT_PDU_INT_H
#define FT_PDU_INT_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include "pdu/ft_pdu.h"
#include "core/ft_bytes.h"
#include "core/ft_rd.h"

/* ---- the decoder context ------------------------------------------------ */

/* One v5/v6/v7/v8 sequence slot: (engine_id << 8 | engine_type) as flow-tools. */
struct seq_slot {
    uint16_t engine;
    uint32_t expected;
};
#define FT_PDU_MAX_SLOTS 256        /* engine slots per exporter */

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

/* A sampler learned from options data. */
struct sampler {
    uint32_t id;
    uint32_t interval;
    uint8_t algorithm;
};
#define FT_PDU_MAX_SAMPLERS 32

/*
 * An exporter: for v1-v8 the flow-tools key (address, local address,
 * version); for v9/IPFIX the template scope (address, port, local address,
 * version, source id / observation domain).
 */
struct exporter {
    struct ft_ip addr, local;
    uint16_t port;
    uint8_t version;
    uint32_t source_id;
    uint32_t hash_next;         /* index + 1 of the next exporter in the bucket */

    /* sequence state */
    int seq_seen;
    uint32_t seq_expected;      /* v9/IPFIX */
    struct seq_slot *slots;     /* v5-v8 */
    uint32_t n_slots;

    /* v9/IPFIX templates */
    struct tmpl *tmpls;
    uint32_t n_tmpls, cap_tmpls;

    /* learned from options data */
    uint64_t sys_init_ms;       /* IPFIX systemInitTimeMilliseconds, 0 unknown */
    uint32_t sampling_interval; /* exporter-wide (no sampler id), 0 unknown */
    uint8_t sampling_algorithm;
    struct sampler samplers[FT_PDU_MAX_SAMPLERS];
    uint32_t n_samplers;

    uint64_t datagrams, flows, lost, resets, misordered;
};

/* A data set held until its template arrives. */
struct pending {
    uint32_t exporter;          /* index */
    uint16_t template_id;
    uint32_t sequence, sysuptime, unix_secs;
    uint64_t recv_ms;
    uint8_t *data;
    size_t len;
};

struct ft_pdu_ctx {
    struct ft_pdu_opts opts;
    struct exporter *exps;
    uint32_t n_exps, cap_exps;
    uint32_t *buckets;          /* index + 1 of the first exporter, 0 = empty */
    uint32_t n_buckets;
    uint64_t n_tmpls_total;

    struct ft_flow *out;        /* flows of the current call: own, or the caller's */
    size_t n_out, cap_out;
    struct ft_flow *own;        /* the context's array, used when the caller's is
                                 * absent or full */
    size_t cap_own;

    struct pending *pend;       /* ring of opts.pending_sets entries */
    uint32_t n_pend;

    struct ft_pdu_stats st;
};

/* ft_pdu.c */
struct exporter *ft_pdu_exporter_get(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                                     unsigned version, uint32_t source_id, int *created);
struct ft_flow *ft_pdu_out_next(struct ft_pdu_ctx *ctx);
struct ft_flow *ft_pdu_out_take(struct ft_pdu_ctx *ctx, size_t n, size_t *got);
void ft_pdu_err(struct ft_err *err, const struct ft_pdu_src *src, size_t off,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* ft_pdu_fixed.c: v1, v5, v6, v7, v8 */

/* Record fields of the fixed formats. */
enum fx_field {
    FX_END = 0, FX_SRCADDR, FX_DSTADDR, FX_NEXTHOP, FX_INPUT, FX_OUTPUT, FX_DPKTS,
    FX_DOCTETS, FX_FIRST, FX_LAST, FX_SRCPORT, FX_DSTPORT, FX_PROT, FX_TOS,
    FX_TCP_FLAGS, FX_SRC_AS, FX_DST_AS, FX_SRC_MASK, FX_DST_MASK, FX_DFLOWS,
    FX_MARKED_TOS, FX_EXTRA_PKTS, FX_ROUTER_SC, FX_IN_ENCAPS, FX_OUT_ENCAPS,
    FX_PEER_NEXTHOP
};
struct fx_slot {
    uint8_t field, off, size;
};
#define FX_MAX_SLOTS 22
struct fx_layout {
    uint8_t version, agg;
    uint8_t hdr_size, rec_size, max_count;
    uint8_t catalyst;           /* v8.6-8.8: trailing bytes allowed */
    uint8_t engine;             /* header carries engine type/id (all but v1) */
    struct fx_slot s[FX_MAX_SLOTS]; /* ends at FX_END */
};
/* Layout of (version, v8 aggregation), or NULL. */
const struct fx_layout *ft_fx_layout(unsigned version, unsigned agg);
/* Fill the record fields of f (and their has bits) from one record. */
void ft_fx_get(const struct fx_layout *l, struct ft_rd *rec, struct ft_flow *f);
/* The same through the layout table alone (ft_fx_get takes a shorter way
 * for v5; tests compare the two). */
void ft_fx_get_table(const struct fx_layout *l, struct ft_rd *rec, struct ft_flow *f);
/* Store f's record fields at rec (l->rec_size bytes, zeroed by the caller);
 * returns FT_LOSS_* bits for what did not fit. */
unsigned ft_fx_put(const struct fx_layout *l, const struct ft_flow *f, uint8_t *rec);

int ft_pdu_decode_fixed(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                        const uint8_t *buf, size_t len, struct ft_pdu_info *info,
                        struct ft_err *err);

/* ft_pdu_v9.c: v9 and IPFIX */
int ft_pdu_decode_v9(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                     const uint8_t *buf, size_t len, struct ft_pdu_info *info,
                     struct ft_err *err);

/* ft_pdu_tmpl.c: the template store */
#define FT_TMPL_MAX_FIELDS 1024     /* fields of one template */
/* Compute t->min_len/variable; -1 if no datagram could carry such records. */
int ft_tmpl_finish(struct tmpl *t, unsigned version);
struct tmpl *ft_tmpl_find(struct ft_pdu_ctx *ctx, struct exporter *e, uint16_t id,
                          uint64_t now_ms);
/* Install (or replace) a template; *t is moved into the store (t->f owned
 * by the store on success).  0, or -1 when a limit refused it. */
int ft_tmpl_put(struct ft_pdu_ctx *ctx, struct exporter *e, struct tmpl *t);
/* Withdraw one template, or all (data or options) when all_options is 0/1
 * and id is 2 or 3 in IPFIX terms.  Returns how many were removed. */
uint32_t ft_tmpl_withdraw(struct ft_pdu_ctx *ctx, struct exporter *e, uint16_t id);
uint32_t ft_tmpl_withdraw_all(struct ft_pdu_ctx *ctx, struct exporter *e, int options);
void ft_tmpl_free_all(struct exporter *e);

#endif
