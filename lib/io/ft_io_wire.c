/*
 * ft_io_wire.c - NetFlow datagrams as a byte stream (format 4, "wire":
 * datagrams back to back, as flow-tools writes them) and in a pcap file
 * (format 1), both ways.
 *
 * The datagrams are the pdu encoder's (wire-pdus.md 6), of the stream's
 * own version (v5 for v1005; v9 for the extended format, pcap only: a v9
 * datagram does not say its length, so the wire format cannot frame it).
 *
 * The pcap file is a real one, unlike flow-tools' (which wrote a frame per
 * flow with the host's `long` in its record headers): little-endian
 * microsecond pcap, Ethernet, and a frame per datagram with an IPv4 and a
 * UDP header whose lengths and checksums are right.  The frame comes from
 * the flows' exporter address to 127.0.0.1, port 9991 both ways (the
 * export option `port` changes it), stamped with the datagram's export
 * time.  A datagram holds the flows of one exporter only, so reading it
 * back gives each flow its exporter again; the wire format carries no
 * exporter address at all.
 */
#include <string.h>
#include "core/ft_bytes.h"
#include "core/ft_rd.h"
#include "net/ft_pcap.h"
#include "pdu/ft_pdu_fixed.h"
#include "io/ft_io_int.h"

#define PCAP_MAGIC 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_SNAPLEN 65535u
#define PCAP_HDR 24
#define PCAP_REC_HDR 16
#define PCAP_MAX_FRAME 262144u
#define LINKTYPE_ETHERNET 1
#define ETH_HDR 14
#define IP_HDR 20
#define UDP_HDR 8
#define FRAME_HDRS (ETH_HDR + IP_HDR + UDP_HDR)
#define COLLECTOR_IP 0x7f000001u    /* 127.0.0.1 */

/* ---- writing ------------------------------------------------------------- */

static int wire_encoder(struct ft_export *x, int pcap, struct ft_err *err)
{
    struct ft_pdu_enc_opts eo = {0};
    const struct ft_format *in = x->in;
    eo.agg_method = in->agg_method;
    if (in->d_version == 1005)
        eo.version = 5;
    else if (in->d_version == FT_DV_EXTENDED && pcap)
        eo.version = 9;
    else if (in->d_version == FT_DV_EXTENDED)
        return ft_err_set(err, "the wire format takes v1-v8 datagrams, and %s flows go into "
                          "v9 datagrams (export them as pcap)", in->name);
    else
        eo.version = in->d_version;
    x->enc = ft_pdu_enc_new(&eo, err);
    return x->enc ? 0 : -1;
}

static int wire_begin(struct ft_export *x, struct ft_err *err)
{
    return wire_encoder(x, 0, err);
}

static void wire_write(struct ft_export *x, const struct ft_pdu_dgram *d)
{
    ft_out_write(x->out, d->data, d->len);
}

static int wire_put(struct ft_export *x, const struct ft_flow *f, struct ft_err *err)
{
    (void)err;
    struct ft_pdu_dgram d;
    if (ft_pdu_enc_add(x->enc, f, &d) == 1)
        wire_write(x, &d);
    return 0;
}

static int wire_end(struct ft_export *x, struct ft_err *err)
{
    (void)err;
    struct ft_pdu_dgram d;
    if (ft_pdu_enc_flush(x->enc, &d) == 1)
        wire_write(x, &d);
    return 0;
}

const struct ft_export_ops ft_io_wire_export = {wire_begin, wire_put, wire_end, NULL};

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += ft_ld16(p + i, 1);
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static int pcap_begin(struct ft_export *x, struct ft_err *err)
{
    if (wire_encoder(x, 1, err) < 0)
        return -1;
    if (!x->opt.port)
        x->opt.port = FT_PDU_PORT_DEFAULT;
    uint8_t h[PCAP_HDR] = {0};
    ft_st32(h, PCAP_MAGIC, 0);
    ft_st16(h + 4, 2, 0);
    ft_st16(h + 6, 4, 0);
    ft_st32(h + 16, PCAP_SNAPLEN, 0);
    ft_st32(h + 20, LINKTYPE_ETHERNET, 0);
    ft_out_write(x->out, h, sizeof h);
    return 0;
}

/* Ethernet, IPv4 and UDP headers for a datagram of len bytes at pay. */
static void frame_headers(struct ft_export *x, uint8_t *h, const struct ft_pdu_dgram *d)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    uint32_t src = d->exaddr.af == FT_AF_INET ? d->exaddr.v4 : 0;
    uint16_t udp_len = (uint16_t)(UDP_HDR + d->len);
    memcpy(h, macs, sizeof macs);
    ft_st16(h + 12, 0x0800, 1);
    uint8_t *ip = h + ETH_HDR;
    ip[0] = 0x45;
    ft_st16(ip + 2, (uint16_t)(IP_HDR + udp_len), 1);
    ft_st16(ip + 4, x->ip_id++, 1);
    ft_st16(ip + 6, 0x4000, 1);     /* don't fragment */
    ip[8] = 64;
    ip[9] = 17;
    ft_st32(ip + 12, src, 1);
    ft_st32(ip + 16, COLLECTOR_IP, 1);
    ft_st16(ip + 10, fold(sum16(0, ip, IP_HDR)), 1);
    uint8_t *udp = ip + IP_HDR;
    ft_st16(udp, x->opt.port, 1);
    ft_st16(udp + 2, x->opt.port, 1);
    ft_st16(udp + 4, udp_len, 1);
    /* the pseudo header: addresses, protocol, UDP length */
    uint32_t sum = sum16(0, ip + 12, 8) + 17 + udp_len;
    sum = sum16(sum16(sum, udp, UDP_HDR), d->data, d->len);
    uint16_t ck = fold(sum);
    ft_st16(udp + 6, ck ? ck : 0xffff, 1);
}

static void pcap_write(struct ft_export *x, const struct ft_pdu_dgram *d)
{
    uint8_t h[PCAP_REC_HDR + FRAME_HDRS] = {0};
    /* every datagram header has unix_secs at byte 8; v1-v8 the
     * nanoseconds after it */
    uint32_t secs = d->len >= 12 ? ft_ld32(d->data + 8, 1) : 0;
    uint32_t nsecs = d->len >= 16 && ft_ld16(d->data, 1) != 9 ? ft_ld32(d->data + 12, 1) : 0;
    uint32_t caplen = (uint32_t)(FRAME_HDRS + d->len);
    ft_st32(h, secs, 0);
    ft_st32(h + 4, (nsecs / 1000u) % 1000000u, 0);
    ft_st32(h + 8, caplen, 0);
    ft_st32(h + 12, caplen, 0);
    frame_headers(x, h + PCAP_REC_HDR, d);
    ft_out_write(x->out, h, sizeof h);
    ft_out_write(x->out, d->data, d->len);
}

static int same_ip(const struct ft_ip *a, const struct ft_ip *b)
{
    if (a->af != b->af)
        return 0;
    return a->af == FT_AF_INET6 ? memcmp(a->v6, b->v6, 16) == 0 : a->v4 == b->v4;
}

static int pcap_put(struct ft_export *x, const struct ft_flow *f, struct ft_err *err)
{
    (void)err;
    struct ft_pdu_dgram d;
    /* one exporter per datagram: its frame comes from that address */
    if (x->filling && !same_ip(&x->exaddr, &f->exaddr) && ft_pdu_enc_flush(x->enc, &d) == 1)
        pcap_write(x, &d);
    if (ft_pdu_enc_add(x->enc, f, &d) == 1)
        pcap_write(x, &d);
    x->filling = 1;
    x->exaddr = f->exaddr;
    return 0;
}

static int pcap_end(struct ft_export *x, struct ft_err *err)
{
    (void)err;
    struct ft_pdu_dgram d;
    if (ft_pdu_enc_flush(x->enc, &d) == 1)
        pcap_write(x, &d);
    return 0;
}

const struct ft_export_ops ft_io_pcap_export = {pcap_begin, pcap_put, pcap_end, NULL};

/* ---- reading ------------------------------------------------------------- */

/* Decode one datagram from src; its flows are handed out next.  A datagram
 * that is no NetFlow is counted and skipped. */
static int decode(struct ft_import *im, const struct ft_pdu_src *src, const uint8_t *p,
                  size_t len, struct ft_err *err)
{
    if (!im->pdu && !(im->pdu = ft_pdu_ctx_new(NULL)))
        return ft_err_set(err, "out of memory");
    struct ft_pdu_info info;
    struct ft_err derr;
    int n = ft_pdu_decode(im->pdu, src, p, len, &info, &derr);
    if (n < 0) {
        im->skipped++;
        return 0;
    }
    im->dflows = info.flows;
    im->n_dflows = (size_t)n;
    im->i_dflow = 0;
    return 0;
}

/* The next decoded flow, if one is waiting. */
static int take_flow(struct ft_import *im, struct ft_flow *f)
{
    if (im->i_dflow >= im->n_dflows)
        return 0;
    *f = im->dflows[im->i_dflow++];
    return 1;
}

static int dgram_err(struct ft_import *im, struct ft_err *err, const char *what, unsigned v)
{
    return ft_err_set(err, "%s datagram at byte %llu: %s %u", im->src.name,
                      (unsigned long long)im->src.off, what, v);
}

/* The length of the datagram at p (have bytes there): v1-v8 by count and
 * record size, IPFIX by its length field; 0 when more bytes are needed. */
static long wire_length(struct ft_import *im, const uint8_t *p, long have, struct ft_err *err)
{
    struct ft_rd r;
    rd_init(&r, p, (size_t)have);
    unsigned version = rd_u16(&r), count = rd_u16(&r);
    if (version == 10)
        return count >= 16 ? (long)count : dgram_err(im, err, "IPFIX length", count);
    unsigned agg = version == 8 ? (unsigned)rd_at(&r, 22, 1) : 0;
    if (r.bad)
        return 0;
    const struct fx_layout *l = ft_fx_layout(version, agg);
    if (!l)
        return dgram_err(im, err, version == 8 ? "v8 aggregation" : "not NetFlow v1-v8: version",
                         version == 8 ? agg : version);
    if (count > l->max_count)
        return dgram_err(im, err, "count", count);
    return (long)(l->hdr_size + count * l->rec_size);
}

static int wire_next(struct ft_import *im, struct ft_flow *f, struct ft_err *err)
{
    while (!take_flow(im, f)) {
        const uint8_t *p;
        long have = ft_isrc_fill(&im->src, 24, &p, err);
        if (have <= 0)
            return (int)have;
        if (have < 4)
            return dgram_err(im, err, "truncated header of", (unsigned)have);
        long len = wire_length(im, p, have, err);
        if (len < 0)
            return -1;
        if (len == 0)
            return dgram_err(im, err, "truncated header of", (unsigned)have);
        have = ft_isrc_fill(&im->src, (size_t)len, &p, err);
        if (have < 0)
            return -1;
        if (have < len)
            return dgram_err(im, err, "truncated: bytes", (unsigned)have);
        struct ft_pdu_src src = {.addr = {.af = FT_AF_INET}};
        if (decode(im, &src, p, (size_t)len, err) < 0)
            return -1;
        ft_isrc_skip(&im->src, (size_t)len);
    }
    return 1;
}

const struct ft_import_ops ft_io_wire_import = {wire_next};

static int frame_err(struct ft_import *im, struct ft_err *err, const char *what)
{
    return ft_err_set(err, "%s frame %llu at byte %llu: %s", im->src.name,
                      (unsigned long long)im->frame + 1, (unsigned long long)im->src.off, what);
}

static int pcap_header(struct ft_import *im, struct ft_err *err)
{
    const uint8_t *p;
    long have = ft_isrc_fill(&im->src, PCAP_HDR, &p, err);
    if (have < 0)
        return -1;
    struct ft_rd r;
    rd_init(&r, p, (size_t)have);
    uint32_t magic = rd_u32(&r);
    if (r.bad || (magic != PCAP_MAGIC && magic != PCAP_MAGIC_NS &&
                  ft_bswap32(magic) != PCAP_MAGIC && ft_bswap32(magic) != PCAP_MAGIC_NS))
        return ft_err_set(err, "%s: not a pcap file", im->src.name);
    im->pcap_big = magic == PCAP_MAGIC || magic == PCAP_MAGIC_NS;
    const uint8_t *rest = rd_take(&r, PCAP_HDR - 4);
    if (!rest)
        return ft_err_set(err, "%s: truncated pcap header", im->src.name);
    im->dlt = (int)ft_ld32(rest + 16, im->pcap_big);
    ft_isrc_skip(&im->src, PCAP_HDR);
    im->pcap_started = 1;
    return 0;
}

static int pcap_next(struct ft_import *im, struct ft_flow *f, struct ft_err *err)
{
    if (!im->pcap_started && pcap_header(im, err) < 0)
        return -1;
    while (!take_flow(im, f)) {
        const uint8_t *p;
        long have = ft_isrc_fill(&im->src, PCAP_REC_HDR, &p, err);
        if (have <= 0)
            return (int)have;
        struct ft_rd r;
        rd_init(&r, p, (size_t)have);
        const uint8_t *rec = rd_take(&r, PCAP_REC_HDR);
        if (!rec)
            return frame_err(im, err, "truncated record header");
        uint32_t caplen = ft_ld32(rec + 8, im->pcap_big);
        if (caplen > PCAP_MAX_FRAME)
            return frame_err(im, err, "captured length too large");
        have = ft_isrc_fill(&im->src, PCAP_REC_HDR + caplen, &p, err);
        if (have < 0)
            return -1;
        if (have < (long)(PCAP_REC_HDR + caplen))
            return frame_err(im, err, "truncated frame");
        struct ft_pcap_dgram d;
        if (ft_pcap_parse_frame(im->dlt, p + PCAP_REC_HDR, caplen, &d, NULL) == 1) {
            struct ft_pdu_src src = {.addr = d.src, .port = d.sport, .local = d.dst};
            if (decode(im, &src, d.data, d.len, err) < 0)
                return -1;
        }
        ft_isrc_skip(&im->src, PCAP_REC_HDR + caplen);
        im->frame++;
    }
    return 1;
}

const struct ft_import_ops ft_io_pcap_import = {pcap_next};
