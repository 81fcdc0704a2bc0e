/*
 * ft_pdu_fixed.h - NetFlow v1, v5, v6, v7 and v8.x: the record layouts the
 * decoder and the encoder share, and the decoder (not installed).
 */
#ifndef FT_PDU_FIXED_H
#define FT_PDU_FIXED_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_rd.h"
#include "pdu/ft_pdu.h"

/* A record field: which flow field (its row of ft_fields[]) at which
 * offset, in how many bytes. */
struct fx_slot {
    uint8_t field;              /* enum ft_field_id */
    uint8_t off, size;          /* size 0 ends a layout */
};
#define FX_MAX_SLOTS 22
struct fx_layout {
    uint8_t version, agg;
    uint8_t hdr_size, rec_size, max_count;
    uint8_t catalyst;           /* v8.6-8.8: trailing bytes allowed */
    uint8_t engine;             /* header carries engine type/id (all but v1) */
    struct fx_slot s[FX_MAX_SLOTS]; /* the last one has size 0 */
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

struct ft_pdu_ctx;
/* Decode a v1, v5, v6, v7 or v8 datagram (ft_pdu_decode_into's part). */
int ft_pdu_decode_fixed(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                        const uint8_t *buf, size_t len, struct ft_pdu_info *info,
                        struct ft_err *err);

#endif
