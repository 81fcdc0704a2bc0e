/*
 * pdu.h - the datagram decoder targets (fuzz_pdu_v*.c): one datagram per
 * input for v1-v8 (the version field forced to the target's, so no input
 * is wasted on the dispatch); for v9/IPFIX an input is several datagrams
 * of one or a few exporters, each preceded by its length (2 bytes, big
 * endian), and the decoder context lives across inputs (templates learned
 * from one input decode the data of the next), renewed every FZ_PDU_RENEW
 * inputs so that its state stays bounded and relevant.
 */
#ifndef FUZZ_PDU_H
#define FUZZ_PDU_H

#include "fuzz.h"
#include "pdu/ft_pdu.h"
#include "pdu/ft_exporters.h"

#define FZ_PDU_RENEW 4096

/* Settings that make every flow pass through ft_exporters_apply. */
static const char fz_exporters_text[] =
    "exporter 10.0.0.0/8 sampling 1000 scale quirks uptime-seconds,swap-interfaces\n"
    "exporter 10.0.0.2 source-id 7 quirks zero-packets,receive-time,header-uptime-seconds\n"
    "exporter any fallback-sampling 100 scale\n";

struct fz_pdu {
    struct ft_pdu_ctx *ctx;
    struct ft_exporters *x;
    unsigned uses;
    uint64_t now_ms;
};

static inline void fz_pdu_renew(struct fz_pdu *z)
{
    if (z->ctx && z->uses < FZ_PDU_RENEW)
        return;
    ft_pdu_ctx_free(z->ctx);
    if (!z->x)
        z->x = ft_exporters_parse("fuzz", fz_exporters_text, 0, NULL);
    struct ft_pdu_opts o = {
        .max_exporters = 8, .max_templates_per_exporter = 32, .max_templates = 128,
        .max_flows = 4096, .pending_sets = 8, .template_timeout_s = 600,
        .exporters = z->x,
    };
    z->ctx = ft_pdu_ctx_new(&o);
    if (!z->ctx || !z->x)
        abort();
    z->uses = 0;
    z->now_ms = 1700000000000ull;
}

/* One datagram of exporter number `who` (0..3), its version forced. */
static inline void fz_pdu_one(struct fz_pdu *z, unsigned version, unsigned who,
                              const uint8_t *d, size_t len)
{
    uint8_t buf[FT_PDU_MAX_DATAGRAM];
    if (len > sizeof buf)
        len = sizeof buf;
    memcpy(buf, d, len);
    if (len >= 2) {
        buf[0] = (uint8_t)(version >> 8);
        buf[1] = (uint8_t)version;
    }
    struct ft_pdu_src src = {.port = (uint16_t)(2055 + (who & 1)),
                             .recv_ms = (z->now_ms += 250)};
    ft_ip_set4(&src.addr, 0x0a000001u + (who & 2));
    struct ft_pdu_info info;
    struct ft_err err;
    struct ft_flow out[64];
    int n = (who & 1) ? ft_pdu_decode_into(z->ctx, &src, buf, len, out, 64, &info, &err)
                      : ft_pdu_decode(z->ctx, &src, buf, len, &info, &err);
    if (n > 0) {
        /* read every flow handed out: ASan sees what was not written */
        volatile uint64_t sum = 0;
        for (int i = 0; i < n; i++)
            sum += info.flows[i].doctets + info.flows[i].srcaddr.af + info.flows[i].has;
        (void)sum;
        (void)ft_pdu_format(&info);
    }
}

/* v1-v8: the input is one datagram. */
static inline int fz_pdu_fixed(const uint8_t *data, size_t size, unsigned version)
{
    static struct fz_pdu z;
    fz_pdu_renew(&z);
    z.uses++;
    fz_pdu_one(&z, version, (unsigned)size & 3, data, size);
    return 0;
}

/* v9/IPFIX: the input is [len16 datagram]...; a lone datagram without
 * lengths is taken whole when the first length does not fit. */
static inline int fz_pdu_chain(const uint8_t *data, size_t size, unsigned version)
{
    static struct fz_pdu z;
    fz_pdu_renew(&z);
    z.uses++;
    size_t off = 0;
    unsigned k = 0;
    while (off + 2 <= size && k < 64) {
        size_t len = (size_t)data[off] << 8 | data[off + 1];
        if (len > size - off - 2) {
            if (k == 0)
                break;
            len = size - off - 2;
        }
        fz_pdu_one(&z, version, k & 3 ? (unsigned)(data[off] & 3) : 0, data + off + 2, len);
        off += 2 + len;
        k++;
    }
    if (k == 0)
        fz_pdu_one(&z, version, 0, data, size);
    struct ft_pdu_stats st;
    ft_pdu_stats(z.ctx, &st);
    struct ft_pdu_exporter ex[8];
    ft_pdu_exporters(z.ctx, ex, 8);
    return 0;
}

#endif
