/*
 * ft_pdu_ctx.h - the decoder context and what every decoder calls on it
 * (not installed): the exporter table, each exporter's templates, the
 * output slots of a call, the error message.  It calls no decoder: the
 * decoders (ft_pdu_fixed.c, ft_pdu_v9.c) lean on it, and ft_pdu.c, the
 * dispatch by version, on them.
 */
#ifndef FT_PDU_CTX_H
#define FT_PDU_CTX_H

#include <stdint.h>
#include <stddef.h>
#include "pdu/ft_pdu.h"
#include "pdu/ft_pdu_tmpl.h"

/* One v5/v6/v7/v8 sequence slot: (engine_id << 8 | engine_type) as flow-tools. */
struct seq_slot {
    uint16_t engine;
    uint32_t expected;
};
#define FT_PDU_MAX_SLOTS 256        /* engine slots per exporter */

/* A sampler learned from options data. */
struct sampler {
    uint32_t id;
    uint32_t interval;
    uint8_t algorithm;
};
#define FT_PDU_MAX_SAMPLERS 32

/*
 * What the decoders remember of an exporter: for v1-v8 the flow-tools key
 * (address, local address, version); for v9/IPFIX the template scope
 * (address, port, local address, version, source id / observation domain).
 * Not the exporter settings of ft_exporters.h, nor the public counters of
 * struct ft_pdu_exporter.
 */
struct ft_pdu_exporter_state {
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
    struct ft_pdu_exporter_state *exps;
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

/* ---- exporters ---------------------------------------------------------- */

/* The exporter of a datagram, created if new (*created = 1); NULL when the
 * table is full (the caller counts it). */
struct ft_pdu_exporter_state *ft_pdu_exporter_get(struct ft_pdu_ctx *ctx,
                                                  const struct ft_pdu_src *src,
                                                  unsigned version, uint32_t source_id,
                                                  int *created);

/* ---- an exporter's templates -------------------------------------------- */

/* Template id of e, or NULL (also when it timed out: then it is forgotten). */
struct tmpl *ft_tmpl_find(struct ft_pdu_ctx *ctx, struct ft_pdu_exporter_state *e,
                          uint16_t id, uint64_t now_ms);
/* Install (or replace) a finished template, with what each field does
 * resolved; a refresh of the same fields only renews the one installed.
 * *t is moved into the store (t->f owned by the store on success).  0, or
 * -1 when a limit refused it. */
int ft_tmpl_put(struct ft_pdu_ctx *ctx, struct ft_pdu_exporter_state *e, struct tmpl *t);
/* Withdraw template id (1 if it was there), or all data (options 0) or all
 * options (options 1) templates; returns how many were removed. */
uint32_t ft_tmpl_withdraw(struct ft_pdu_ctx *ctx, struct ft_pdu_exporter_state *e,
                          uint16_t id);
uint32_t ft_tmpl_withdraw_all(struct ft_pdu_ctx *ctx, struct ft_pdu_exporter_state *e,
                              int options);

/* ---- the output of a call ----------------------------------------------- */

/* Start a call's output: the caller's out[0..room), or the context's own. */
void ft_pdu_out_begin(struct ft_pdu_ctx *ctx, struct ft_flow *out, size_t room);
/* Up to n zeroed slots for the next flows, *got of them (fewer past
 * opts.max_flows: counted once), NULL when none. */
struct ft_flow *ft_pdu_out_take(struct ft_pdu_ctx *ctx, size_t n, size_t *got);
/* A zeroed slot for the next flow, or NULL past opts.max_flows (counted). */
struct ft_flow *ft_pdu_out_next(struct ft_pdu_ctx *ctx);

/* "exporter A port P: <message> (byte N)" into err. */
void ft_pdu_err(struct ft_err *err, const struct ft_pdu_src *src, size_t off,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
