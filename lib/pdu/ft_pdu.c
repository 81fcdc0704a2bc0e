/*
 * ft_pdu.c - decoding a datagram: the dispatch by export version to the
 * decoders, the exporters' settings applied to what they return, the
 * context's counters; reason names and record formats.
 */
#include <string.h>
#include "pdu/ft_exporters.h"
#include "pdu/ft_pdu_ctx.h"
#include "pdu/ft_pdu_fixed.h"
#include "pdu/ft_pdu_v9.h"

static const char *const reason_names[FT_PDU_N_REASONS] = {
    [FT_PDU_OK] = "ok",
    [FT_PDU_SHORT] = "short",
    [FT_PDU_VERSION] = "version",
    [FT_PDU_COUNT] = "count",
    [FT_PDU_SIZE] = "size",
    [FT_PDU_V8_AGG] = "v8-aggregation",
    [FT_PDU_LENGTH] = "length",
    [FT_PDU_SET] = "set",
    [FT_PDU_TEMPLATE] = "template",
    [FT_PDU_OPTIONS_TEMPLATE] = "options-template",
    [FT_PDU_TEMPLATE_LIMIT] = "template-limit",
    [FT_PDU_EXPORTER_LIMIT] = "exporter-limit",
    [FT_PDU_NO_TEMPLATE] = "no-template",
    [FT_PDU_RECORD] = "record",
    [FT_PDU_FLOW_LIMIT] = "flow-limit",
    [FT_PDU_PENDING_LIMIT] = "pending-limit",
};

const char *ft_pdu_reason_name(enum ft_pdu_reason r)
{
    return (unsigned)r < FT_PDU_N_REASONS ? reason_names[r] : "unknown";
}

/* ---- decoding ----------------------------------------------------------- */

int ft_pdu_decode(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                  const uint8_t *buf, size_t len, struct ft_pdu_info *info,
                  struct ft_err *err)
{
    return ft_pdu_decode_into(ctx, src, buf, len, NULL, 0, info, err);
}

int ft_pdu_decode_into(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                       const uint8_t *buf, size_t len, struct ft_flow *out, size_t room,
                       struct ft_pdu_info *info, struct ft_err *err)
{
    memset(info, 0, sizeof *info);
    ft_pdu_out_begin(ctx, out, room);
    int rc;
    if (len > FT_PDU_MAX_DATAGRAM) {
        info->reason = FT_PDU_SIZE;
        ft_pdu_err(err, src, FT_PDU_MAX_DATAGRAM, "datagram of %zu bytes is too large", len);
        rc = -1;
    } else if (len < 4) {
        info->reason = FT_PDU_SHORT;
        ft_pdu_err(err, src, len, "datagram of %zu bytes has no version and count", len);
        rc = -1;
    } else {
        unsigned version = (unsigned)buf[0] << 8 | buf[1];
        info->version = version;
        switch (version) {
        case 1: case 5: case 6: case 7: case 8:
            rc = ft_pdu_decode_fixed(ctx, src, buf, len, info, err);
            break;
        case 9: case 10:
            rc = ft_pdu_decode_v9(ctx, src, buf, len, info, err);
            break;
        default:
            info->reason = FT_PDU_VERSION;
            ft_pdu_err(err, src, 0, "unsupported export version %u", version);
            rc = -1;
        }
    }
    info->flows = ctx->out;
    if (rc < 0) {
        ctx->st.rejected++;
        ctx->st.by_reason[info->reason]++;
        info->n_flows = 0;
        return -1;
    }
    /* Exporters' settings and quirks here, not in the decoders. */
    ft_exporters_apply(ctx->opts.exporters, ctx->out, ctx->n_out, src->recv_ms);
    /* Partial drops (unknown templates, bad records...) were counted where
     * they happened, once per set or record. */
    info->n_flows = ctx->n_out;
    ctx->st.datagrams++;
    ctx->st.flows += ctx->n_out;
    ctx->st.lost += info->lost;
    ctx->st.resets += info->resets;
    ctx->st.misordered += info->misordered;
    ctx->st.options_records += info->options_records;
    ctx->st.nonstandard_count += (uint64_t)info->nonstandard_count;
    return (int)ctx->n_out;
}

const struct ft_format *ft_pdu_format(const struct ft_pdu_info *info)
{
    switch (info->version) {
    case 1: case 5: case 6: case 7:
        return ft_format_find(info->version, 0);
    case 8:
        return ft_format_find(8, info->agg_method);
    case 9: case 10:
        return ft_format_find(FT_DV_EXTENDED, 0);
    default:
        return NULL;
    }
}
