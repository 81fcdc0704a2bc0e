/*
 * test_pdu.c - NetFlow/IPFIX decoders and encoders on hand-built datagrams:
 * every version, malformed input, sequence loss, templates (withdrawal,
 * limits, options, padding, variable length, enterprise fields, pending
 * data, save/load), encode -> decode round trips, pcap frame parsing.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ft_test.h"
#include "pdu/ft_pdu.h"
#include "pdu/ft_exporters.h"
#include "core/ft_bytes.h"
#include "pdu/ft_pdu_fixed.h"
#include "pdu/ft_pdu_tmpl.h"
#include "net/ft_pcap.h"

/* ---- a datagram builder ------------------------------------------------- */

struct buf {
    uint8_t b[65536];
    size_t n;
};

static void b8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void b16(struct buf *b, unsigned v) { b8(b, v >> 8); b8(b, v); }
static void b32(struct buf *b, uint32_t v) { b16(b, v >> 16); b16(b, v & 0xFFFF); }
static void b64(struct buf *b, uint64_t v) { b32(b, (uint32_t)(v >> 32)); b32(b, (uint32_t)v); }
static void bzero_(struct buf *b, size_t n) { while (n--) b8(b, 0); }
static void set16(struct buf *b, size_t at, unsigned v)
{
    b->b[at] = (uint8_t)(v >> 8);
    b->b[at + 1] = (uint8_t)v;
}

static struct ft_pdu_src src_of(uint32_t ip, uint16_t port)
{
    struct ft_pdu_src s;
    memset(&s, 0, sizeof s);
    ft_ip_set4(&s.addr, ip);
    s.port = port;
    return s;
}

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* ---- v5 ----------------------------------------------------------------- */

static void v5_header(struct buf *b, unsigned count, uint32_t seq, unsigned et, unsigned ei,
                      unsigned sampling)
{
    b->n = 0;
    b16(b, 5);
    b16(b, count);
    b32(b, 100000);         /* sysuptime */
    b32(b, 1700000000);     /* unix_secs */
    b32(b, 500000000);      /* unix_nsecs */
    b32(b, seq);
    b8(b, et);
    b8(b, ei);
    b16(b, sampling);
}

static void v5_record(struct buf *b, uint32_t src, uint16_t sport)
{
    b32(b, src);
    b32(b, IP(10, 0, 0, 2));
    b32(b, IP(10, 0, 0, 254));
    b16(b, 3);              /* input */
    b16(b, 4);              /* output */
    b32(b, 10);             /* packets */
    b32(b, 1500);           /* octets */
    b32(b, 90000);          /* first */
    b32(b, 99000);          /* last */
    b16(b, sport);
    b16(b, 80);
    b8(b, 0);               /* pad */
    b8(b, 0x1b);            /* tcp flags */
    b8(b, 6);               /* prot */
    b8(b, 0x10);            /* tos */
    b16(b, 65001);
    b16(b, 0);              /* dst_as */
    b8(b, 24);
    b8(b, 16);
    b16(b, 0);              /* drops */
}

static void test_v5(void)
{
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    struct ft_pdu_src src = src_of(IP(192, 0, 2, 1), 40000);
    struct ft_pdu_info info;
    struct ft_err err;
    struct buf b;
    v5_header(&b, 2, 1000, 1, 7, 0x4000 | 100);
    v5_record(&b, IP(10, 0, 0, 1), 1234);
    v5_record(&b, IP(10, 0, 0, 3), 1235);
    int n = ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(n, 2, "v5 flows");
    CHECK_EQ_U(info.version, 5, "v5 version");
    CHECK_EQ_U(info.new_exporter, 1, "v5 new exporter");
    const struct ft_flow *f = &info.flows[0];
    CHECK_EQ_U(f->srcaddr.v4, IP(10, 0, 0, 1), "v5 srcaddr");
    CHECK_EQ_U(f->srcaddr.af, FT_AF_INET, "v5 srcaddr af");
    CHECK_EQ_U(f->nexthop.v4, IP(10, 0, 0, 254), "v5 nexthop");
    CHECK_EQ_U(f->input, 3, "v5 input");
    CHECK_EQ_U(f->output, 4, "v5 output");
    CHECK_EQ_U(f->dpkts, 10, "v5 packets");
    CHECK_EQ_U(f->doctets, 1500, "v5 octets");
    CHECK_EQ_U(f->first, 90000, "v5 first");
    CHECK_EQ_U(f->last, 99000, "v5 last");
    CHECK_EQ_U(f->srcport, 1234, "v5 srcport");
    CHECK_EQ_U(f->dstport, 80, "v5 dstport");
    CHECK_EQ_U(f->tcp_flags, 0x1b, "v5 flags");
    CHECK_EQ_U(f->prot, 6, "v5 prot");
    CHECK_EQ_U(f->tos, 0x10, "v5 tos");
    CHECK_EQ_U(f->src_as, 65001, "v5 src_as");
    CHECK_EQ_U(f->src_mask, 24, "v5 src_mask");
    CHECK_EQ_U(f->dst_mask, 16, "v5 dst_mask");
    CHECK_EQ_U(f->engine_type, 1, "v5 engine_type");
    CHECK_EQ_U(f->engine_id, 7, "v5 engine_id");
    CHECK_EQ_U(f->sampling_algorithm, 1, "v5 sampling mode");
    CHECK_EQ_U(f->sampling_interval, 100, "v5 sampling interval");
    CHECK_EQ_U(f->sequence, 1000, "v5 sequence");
    CHECK_EQ_U(f->exporter_port, 40000, "v5 exporter port");
    CHECK_EQ_U(f->exaddr.v4, IP(192, 0, 2, 1), "v5 exaddr");
    CHECK_EQ_U(f->unix_nsecs, 500000000, "v5 nsecs");
    CHECK((f->has & (FT_F_SRCADDR | FT_F_SRC_AS | FT_F_ENGINE_ID | FT_F_SAMPLING |
                     FT_F_TIMES)) == (FT_F_SRCADDR | FT_F_SRC_AS | FT_F_ENGINE_ID |
                                      FT_F_SAMPLING | FT_F_TIMES), "v5 has bits %llx",
          (unsigned long long)f->has);
    CHECK(!(f->has & (FT_F_SOURCE_ID | FT_F_ABS_TIMES | FT_F_BGP_NEXTHOP)), "v5 no v9 bits");
    /* end = export time - (uptime - last) = 1700000000.5 s - 1 s */
    CHECK_EQ_U(f->end_ms, 1700000000500ull - 1000, "v5 end_ms");
    CHECK_EQ_U(f->start_ms, 1700000000500ull - 10000, "v5 start_ms");
    CHECK_EQ_U(info.flows[1].srcport, 1235, "v5 second record");

    /* sequence: +2 expected; a gap of 5; a jump of >= 1000 is a reset */
    v5_header(&b, 1, 1002, 1, 7, 0);
    v5_record(&b, IP(10, 0, 0, 1), 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.lost, 0, "v5 in sequence");
    CHECK_EQ_U(info.new_exporter, 0, "v5 known exporter");
    v5_header(&b, 1, 1008, 1, 7, 0);
    v5_record(&b, IP(10, 0, 0, 1), 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.lost, 5, "v5 lost flows");
    CHECK_EQ_U(info.seq_expected, 1003, "v5 expected");
    v5_header(&b, 1, 9000, 1, 7, 0);
    v5_record(&b, IP(10, 0, 0, 1), 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.lost, 0, "v5 reset: no loss");
    CHECK_EQ_U(info.resets, 1, "v5 reset");
    CHECK_EQ_U(info.n_flows, 1, "v5 reset: flows kept");
    /* a late datagram: flow-tools counts it as (2^32-1 - expected) + seq, a reset */
    v5_header(&b, 1, 8990, 1, 7, 0);
    v5_record(&b, IP(10, 0, 0, 1), 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.resets, 1, "v5 late datagram is a reset");
    /* another engine has its own slot */
    v5_header(&b, 1, 5, 2, 7, 0);
    v5_record(&b, IP(10, 0, 0, 1), 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.lost + info.resets, 0, "v5 new engine slot");
    /* wrap-around: 0xFFFFFFFF - expected + seq (one less than the true gap) */
    v5_header(&b, 1, 0xFFFFFFFEu, 3, 0, 0);
    v5_record(&b, IP(10, 0, 0, 1), 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    v5_header(&b, 1, 3, 3, 0, 0);
    v5_record(&b, IP(10, 0, 0, 1), 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.lost, 3, "v5 loss across the wrap (flow-tools arithmetic)");

    /* 256 engine slots per exporter; the 257th engine is counted, unchecked */
    struct ft_pdu_src many = src_of(IP(192, 0, 2, 77), 1);
    for (unsigned k = 0; k < 257; k++) {
        v5_header(&b, 0, 0, k & 0xff, k >> 8, 0);
        ft_pdu_decode(ctx, &many, b.b, b.n, &info, &err);
    }
    struct ft_pdu_stats st;
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.seq_slots_refused, 1, "engine slots limit");

    /* a header-only datagram is accepted */
    v5_header(&b, 0, 4, 3, 0, 0);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 0, "v5 count 0");

    struct ft_pdu_exporter ex[4];
    size_t nex = ft_pdu_exporters(ctx, ex, 4);
    CHECK_EQ_U(nex, 2, "two v5 exporters");
    CHECK_EQ_U(ex[0].datagrams, 9, "exporter datagrams");
    CHECK_EQ_U(ex[0].lost, 8, "exporter lost");
    CHECK_EQ_U(ex[0].resets, 2, "exporter resets");
    ft_pdu_ctx_free(ctx);
}

static void test_v5_malformed(void)
{
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    struct ft_pdu_src src = src_of(IP(192, 0, 2, 1), 40000);
    struct ft_pdu_info info;
    struct ft_err err;
    struct buf b;

    uint8_t tiny[3] = {0, 5, 0};
    CHECK(ft_pdu_decode(ctx, &src, tiny, 3, &info, &err) < 0, "3 bytes rejected");
    CHECK_EQ_U(info.reason, FT_PDU_SHORT, "3 bytes: short");

    v5_header(&b, 1, 0, 0, 0, 0);
    CHECK(ft_pdu_decode(ctx, &src, b.b, 4, &info, &err) < 0, "4-byte v5 rejected");
    CHECK_EQ_U(info.reason, FT_PDU_SHORT, "4-byte v5: short");

    v5_header(&b, 31, 0, 0, 0, 0);
    for (int i = 0; i < 30; i++)
        v5_record(&b, IP(10, 0, 0, 1), 1);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "v5 count 31, 30 records");
    CHECK_EQ_U(info.reason, FT_PDU_COUNT, "v5 count 31");
    CHECK(strstr(err.msg, "192.0.2.1") != NULL, "message names the exporter: %s", err.msg);

    v5_header(&b, 1, 0, 0, 0, 0);
    v5_record(&b, IP(10, 0, 0, 1), 1);
    b8(&b, 0);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "v5 trailing byte rejected");
    CHECK_EQ_U(info.reason, FT_PDU_SIZE, "v5 trailing byte: size");

    v5_header(&b, 2, 0, 0, 0, 0);
    v5_record(&b, IP(10, 0, 0, 1), 1);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "v5 count past end");
    CHECK_EQ_U(info.reason, FT_PDU_SHORT, "v5 count past end: short");
    CHECK_EQ_U(info.n_flows, 0, "all or nothing");

    v5_header(&b, 0, 0, 0, 0, 0);
    set16(&b, 0, 4);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "version 4 rejected");
    CHECK_EQ_U(info.reason, FT_PDU_VERSION, "version 4");

    struct ft_pdu_stats st;
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.rejected, 6, "rejected datagrams");
    CHECK_EQ_U(st.by_reason[FT_PDU_SHORT], 3, "short counted");
    CHECK_EQ_U(st.by_reason[FT_PDU_COUNT], 1, "count counted");
    CHECK_EQ_U(st.by_reason[FT_PDU_VERSION], 1, "version counted");
    CHECK_EQ_U(st.datagrams, 0, "none accepted");
    ft_pdu_ctx_free(ctx);
}

/* More records than the version's nominal maximum, all held by the length
 * (softflowd's v1): kept and counted, refused for a strict-count exporter. */
static void test_nonstandard_count(void)
{
    struct ft_err err;
    struct ft_exporters *x = ft_exporters_parse("x.conf",
                                                "exporter 192.0.2.9 quirks strict-count\n",
                                                0, &err);
    CHECK(x != NULL, "strict-count parses: %s", x ? "" : err.msg);
    struct ft_pdu_opts o = {.exporters = x};
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(&o);
    struct ft_pdu_src lax = src_of(IP(192, 0, 2, 1), 40000);
    struct ft_pdu_src strict = src_of(IP(192, 0, 2, 9), 40000);
    struct ft_pdu_info info;
    struct buf b;

    v5_header(&b, 31, 0, 0, 0, 0);
    for (int i = 0; i < 31; i++)
        v5_record(&b, IP(10, 0, 0, 1), 1);
    CHECK_EQ_U(ft_pdu_decode(ctx, &lax, b.b, b.n, &info, &err), 31, "v5 count 31 kept");
    CHECK(info.nonstandard_count, "marked non-standard");
    CHECK(ft_pdu_decode(ctx, &strict, b.b, b.n, &info, &err) < 0, "strict-count refuses");
    CHECK_EQ_U(info.reason, FT_PDU_COUNT, "refused for its count");
    CHECK(strstr(err.msg, "strict-count") != NULL, "message says why: %s", err.msg);
    v5_header(&b, 30, 0, 0, 0, 0);
    for (int i = 0; i < 30; i++)
        v5_record(&b, IP(10, 0, 0, 1), 1);
    CHECK_EQ_U(ft_pdu_decode(ctx, &strict, b.b, b.n, &info, &err), 30, "30 is standard");
    CHECK(!info.nonstandard_count, "30 not marked");

    struct ft_pdu_stats st;
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.nonstandard_count, 1, "non-standard counted once");
    CHECK_EQ_U(st.by_reason[FT_PDU_COUNT], 1, "the refusal counted");
    ft_pdu_ctx_free(ctx);
    ft_exporters_free(x);
}

/* ---- v1, v6, v7, v8 ----------------------------------------------------- */

static void test_v1_v6_v7(void)
{
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    struct ft_pdu_src src = src_of(IP(192, 0, 2, 9), 1000);
    struct ft_pdu_info info;
    struct ft_err err;
    struct buf b;

    b.n = 0;
    b16(&b, 1); b16(&b, 1); b32(&b, 5000); b32(&b, 1600000000); b32(&b, 0);
    b32(&b, IP(1, 2, 3, 4)); b32(&b, IP(5, 6, 7, 8)); b32(&b, 0);
    b16(&b, 1); b16(&b, 2); b32(&b, 3); b32(&b, 300); b32(&b, 4000); b32(&b, 4500);
    b16(&b, 53); b16(&b, 1053); b16(&b, 0); b8(&b, 17); b8(&b, 0); b8(&b, 0x02);
    bzero_(&b, 7);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 1, "v1 decoded");
    const struct ft_flow *f = &info.flows[0];
    CHECK_EQ_U(f->prot, 17, "v1 prot");
    CHECK_EQ_U(f->tcp_flags, 2, "v1 flags -> tcp_flags");
    CHECK_EQ_U(f->dstport, 1053, "v1 dstport");
    CHECK(!(f->has & (FT_F_ENGINE_TYPE | FT_F_SRC_AS | FT_F_SAMPLING)), "v1: no engine/AS");
    b16(&b, 0);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "v1 size checked");

    for (unsigned v = 6; v <= 7; v++) {
        b.n = 0;
        b16(&b, v); b16(&b, 1); b32(&b, 5000); b32(&b, 1600000000); b32(&b, 0);
        b32(&b, 77); b8(&b, 4); b8(&b, 9); b16(&b, 0);
        size_t rec = b.n;
        bzero_(&b, 52);
        b.b[rec + 38] = 6;
        b.b[rec + 46] = 0xaa;       /* v6 in_encaps / v7 drops */
        b.b[rec + 48] = 10;         /* v6 peer_nexthop / v7 router_sc */
        CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 1, "v6/v7 decoded");
        f = &info.flows[0];
        CHECK_EQ_U(f->engine_type, 4, "v6/v7 engine_type from the header");
        CHECK_EQ_U(f->engine_id, 9, "v6/v7 engine_id kept in engine_id");
        CHECK_EQ_U(f->prot, 6, "v6/v7 prot");
        if (v == 6) {
            CHECK_EQ_U(f->in_encaps, 0xaa, "v6 in_encaps");
            CHECK_EQ_U(f->peer_nexthop.v4, IP(10, 0, 0, 0), "v6 peer nexthop");
        } else {
            CHECK_EQ_U(f->router_sc.v4, IP(10, 0, 0, 0), "v7 router_sc");
            CHECK(!(f->has & FT_F_IN_ENCAPS), "v7 no encaps");
        }
        CHECK_EQ_U(f->export_version, v, "export_version");
    }
    ft_pdu_ctx_free(ctx);
}

static const unsigned v8_rec_size[15] = {0, 28, 28, 32, 32, 40, 32, 40, 44, 32, 32, 32, 32, 40, 40};

static void v8_datagram(struct buf *b, unsigned agg, unsigned agg_version, unsigned count,
                        size_t extra)
{
    b->n = 0;
    b16(b, 8); b16(b, count); b32(b, 5000); b32(b, 1600000000); b32(b, 0);
    b32(b, 1); b8(b, 2); b8(b, 3); b8(b, agg); b8(b, agg_version); b32(b, 0);
    for (unsigned i = 0; i < count; i++) {
        size_t at = b->n;
        bzero_(b, v8_rec_size[agg]);
        for (unsigned k = 0; k < v8_rec_size[agg]; k++)
            b->b[at + k] = (uint8_t)(k + 1);
    }
    bzero_(b, extra);
}

static void test_v8(void)
{
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    struct ft_pdu_src src = src_of(IP(192, 0, 2, 8), 1000);
    struct ft_pdu_info info;
    struct ft_err err;
    struct buf b;
    for (unsigned agg = 1; agg <= 14; agg++) {
        v8_datagram(&b, agg, 2, 2, 0);
        int n = ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
        CHECK(n == 2, "v8.%u decoded: %d (%s)", agg, n, n < 0 ? err.msg : "");
        CHECK_EQ_U(info.agg_method, agg, "v8 aggregation");
        if (n == 2)
            CHECK_EQ_U(info.flows[0].engine_id, 3, "v8 engine_id");
        const struct ft_format *fmt = ft_pdu_format(&info);
        CHECK(fmt == NULL || (fmt->d_version == 8 && fmt->agg_method == agg),
              "v8.%u stream format", agg);
        /* only the Catalyst aggregations (6, 7, 8) allow trailing bytes */
        v8_datagram(&b, agg, 2, 1, 4);
        n = ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
        CHECK((n >= 0) == (agg >= 6 && agg <= 8), "v8.%u trailing bytes: %d", agg, n);
    }
    /* v8.1: dFlows dPkts dOctets First Last src_as dst_as input output */
    v8_datagram(&b, 1, 2, 1, 0);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    const struct ft_flow *f = &info.flows[0];
    CHECK_EQ_U(f->dflows, 0x01020304, "v8.1 dflows");
    CHECK_EQ_U(f->src_as, 0x1516, "v8.1 src_as");
    CHECK_EQ_U(f->output, 0x1b1c, "v8.1 output");
    CHECK(!(f->has & FT_F_SRCADDR), "v8.1 has no address");
    /* v8.8: dstaddr srcaddr dstport srcport ... router_sc */
    v8_datagram(&b, 8, 2, 1, 0);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    f = &info.flows[0];
    CHECK_EQ_U(f->dstaddr.v4, 0x01020304, "v8.8 dstaddr");
    CHECK_EQ_U(f->srcport, 0x0b0c, "v8.8 srcport");
    CHECK_EQ_U(f->prot, 0x22, "v8.8 prot");
    CHECK_EQ_U(f->router_sc.v4, 0x292a2b2c, "v8.8 router_sc");

    v8_datagram(&b, 3, 0, 1, 0);    /* Juniper: agg_version 0 means 2 */
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 1, "v8 agg_version 0");
    v8_datagram(&b, 3, 3, 1, 0);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "v8 agg_version 3");
    CHECK_EQ_U(info.reason, FT_PDU_V8_AGG, "v8 agg_version reason");
    v8_datagram(&b, 15, 2, 0, 0);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "v8 aggregation 15");
    v8_datagram(&b, 1, 2, 52, 0);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 52, "v8.1 count 52 held whole");
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n - 28, &info, &err) < 0, "v8.1 count 52, 51 held");
    CHECK_EQ_U(info.reason, FT_PDU_COUNT, "v8.1 count 52: count");
    CHECK(ft_pdu_decode(ctx, &src, b.b, 20, &info, &err) < 0, "v8 of 20 bytes");
    ft_pdu_ctx_free(ctx);
}

/* ---- v9 ----------------------------------------------------------------- */

static void v9_header(struct buf *b, uint32_t seq, uint32_t source_id)
{
    b->n = 0;
    b16(b, 9); b16(b, 0); b32(b, 200000); b32(b, 1700000000); b32(b, seq);
    b32(b, source_id);
}

static size_t set_open(struct buf *b, unsigned id)
{
    size_t at = b->n;
    b16(b, id);
    b16(b, 0);
    return at;
}

static void set_close(struct buf *b, size_t at, int pad)
{
    while (pad && (b->n - at) % 4)
        b8(b, 0);
    set16(b, at + 2, (unsigned)(b->n - at));
}

/* Template 256: src dst (v4) sport dport prot pkts(4) octets(8) first last input(2) */
static void v9_template_256(struct buf *b)
{
    size_t s = set_open(b, 0);
    b16(b, 256); b16(b, 10);
    b16(b, 8); b16(b, 4); b16(b, 12); b16(b, 4); b16(b, 7); b16(b, 2); b16(b, 11); b16(b, 2);
    b16(b, 4); b16(b, 1); b16(b, 2); b16(b, 4); b16(b, 1); b16(b, 8); b16(b, 22); b16(b, 4);
    b16(b, 21); b16(b, 4); b16(b, 10); b16(b, 2);
    set_close(b, s, 1);
}

static void v9_data_256(struct buf *b, unsigned n, int pad)
{
    size_t s = set_open(b, 256);
    for (unsigned i = 0; i < n; i++) {
        b32(b, IP(10, 1, 0, i)); b32(b, IP(10, 2, 0, 1)); b16(b, 1000 + i); b16(b, 443);
        b8(b, 6); b32(b, 5); b64(b, 5000000000ull); b32(b, 190000); b32(b, 199000); b16(b, 7);
    }
    set_close(b, s, pad);
}

static void test_v9_basic(void)
{
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    struct ft_pdu_src src = src_of(IP(198, 51, 100, 1), 2055);
    struct ft_pdu_info info;
    struct ft_err err;
    struct buf b;

    /* data before its template: counted, not decoded */
    v9_header(&b, 1, 42);
    v9_data_256(&b, 2, 1);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 0, "v9 data w/o template");
    CHECK_EQ_U(info.unknown_sets, 1, "unknown set counted");
    CHECK_EQ_U(info.reason, FT_PDU_NO_TEMPLATE, "reason no-template");

    /* template then data in one datagram, padded sets */
    v9_header(&b, 2, 42);
    v9_template_256(&b);
    v9_data_256(&b, 3, 1);
    int n = ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(n, 3, "v9 flows");
    const struct ft_flow *f = &info.flows[1];
    CHECK_EQ_U(f->srcaddr.v4, IP(10, 1, 0, 1), "v9 srcaddr");
    CHECK_EQ_U(f->srcport, 1001, "v9 srcport");
    CHECK_EQ_U(f->dstport, 443, "v9 dstport");
    CHECK_EQ_U(f->doctets, 5000000000ull, "v9 64-bit octets");
    CHECK_EQ_U(f->dpkts, 5, "v9 packets");
    CHECK_EQ_U(f->input, 7, "v9 2-byte input");
    CHECK_EQ_U(f->first, 190000, "v9 first");
    CHECK_EQ_U(f->source_id, 42, "v9 source id");
    CHECK_EQ_U(f->template_id, 256, "v9 template id");
    CHECK_EQ_U(f->sysuptime, 200000, "v9 sysuptime");
    CHECK_EQ_U(f->ip_version, 4, "v9 ip version derived");
    CHECK(!(f->has & FT_F_IP_VERSION), "v9 ip version not exported");
    CHECK(!(f->has & (FT_F_UNIX_NSECS | FT_F_ABS_TIMES | FT_F_SRC_AS)), "v9 absent fields");
    CHECK((f->has & (FT_F_FIRST | FT_F_LAST | FT_F_TIMES | FT_F_SOURCE_ID)) ==
          (FT_F_FIRST | FT_F_LAST | FT_F_TIMES | FT_F_SOURCE_ID), "v9 has bits");
    CHECK_EQ_U(f->end_ms, 1700000000000ull - 1000, "v9 end_ms");
    const struct ft_format *fmt = ft_pdu_format(&info);
    CHECK(fmt == NULL || fmt->d_version == FT_DV_EXTENDED, "v9 goes to the extended format");

    /* another source id does not see the template */
    v9_header(&b, 1, 43);
    v9_data_256(&b, 1, 0);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 0, "other source id");
    /* another port neither (transport session) */
    struct ft_pdu_src src2 = src_of(IP(198, 51, 100, 1), 2056);
    v9_header(&b, 3, 42);
    v9_data_256(&b, 1, 0);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src2, b.b, b.n, &info, &err), 0, "other port");
    /* unpadded data set, the last record exactly at the end */
    v9_header(&b, 3, 42);
    v9_data_256(&b, 2, 0);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 2, "unpadded set");
    CHECK_EQ_U(info.lost, 0, "v9 in sequence");
    /* sequence: v9 counts datagrams */
    v9_header(&b, 7, 42);
    v9_data_256(&b, 1, 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.lost, 3, "v9 lost datagrams");
    v9_header(&b, 6, 42);
    v9_data_256(&b, 1, 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.misordered, 1, "v9 late datagram");
    v9_header(&b, 8, 42);
    v9_data_256(&b, 1, 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.lost + info.misordered + info.resets, 0, "v9 back in sequence");

    /* a template refresh that redefines 256 with fewer fields */
    v9_header(&b, 9, 42);
    size_t s = set_open(&b, 0);
    b16(&b, 256); b16(&b, 2); b16(&b, 8); b16(&b, 4); b16(&b, 7); b16(&b, 2);
    set_close(&b, s, 1);
    s = set_open(&b, 256);
    b32(&b, IP(9, 9, 9, 9)); b16(&b, 99);
    set_close(&b, s, 1);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 1, "redefined template");
    CHECK_EQ_U(info.flows[0].srcport, 99, "redefined template used");
    CHECK(!(info.flows[0].has & FT_F_DSTADDR), "redefined: no dstaddr");

    struct ft_pdu_stats st;
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.templates_active, 1, "one template");
    CHECK_EQ_U(st.by_reason[FT_PDU_NO_TEMPLATE], 3, "no-template sets");
    ft_pdu_ctx_free(ctx);
}

static void test_v9_malformed(void)
{
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    struct ft_pdu_src src = src_of(IP(198, 51, 100, 2), 2055);
    struct ft_pdu_info info;
    struct ft_err err;
    struct buf b;

    v9_header(&b, 1, 0);
    CHECK(ft_pdu_decode(ctx, &src, b.b, 19, &info, &err) < 0, "v9 short header");
    CHECK_EQ_U(info.reason, FT_PDU_SHORT, "v9 short header reason");

    v9_header(&b, 1, 0);
    b16(&b, 256); b16(&b, 3);       /* set length < 4 */
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "set length 3");
    CHECK_EQ_U(info.reason, FT_PDU_SET, "set length 3 reason");

    v9_header(&b, 1, 0);
    b16(&b, 256); b16(&b, 40); b32(&b, 0);  /* past the end */
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "set past the end");

    /* a good template before a broken set is not learned (all or nothing) */
    v9_header(&b, 1, 0);
    v9_template_256(&b);
    b16(&b, 300); b16(&b, 400);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "broken datagram");
    struct ft_pdu_stats st;
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.templates_active, 0, "nothing learned from a broken datagram");

    struct { const char *what; unsigned id, count, type, len; enum ft_pdu_reason r; } bad[] = {
        {"field length 0", 256, 1, 8, 0, FT_PDU_TEMPLATE},
        {"template id 255", 255, 1, 8, 4, FT_PDU_TEMPLATE},
        {"v9 length 65535", 256, 1, 8, 65535, FT_PDU_TEMPLATE},
        {"fields past the set", 256, 50, 8, 4, FT_PDU_TEMPLATE},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v9_header(&b, 1, 0);
        size_t s = set_open(&b, 0);
        b16(&b, bad[i].id); b16(&b, bad[i].count); b16(&b, bad[i].type); b16(&b, bad[i].len);
        set_close(&b, s, 0);
        CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "%s rejected", bad[i].what);
        CHECK_EQ_U(info.reason, bad[i].r, bad[i].what);
    }
    /* options template with a scope length that is not a multiple of 4 */
    v9_header(&b, 1, 0);
    size_t s = set_open(&b, 1);
    b16(&b, 260); b16(&b, 6); b16(&b, 4); b16(&b, 1); b16(&b, 4); b16(&b, 0);
    b16(&b, 34); b16(&b, 4);
    set_close(&b, s, 1);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "odd scope rejected");
    CHECK_EQ_U(info.reason, FT_PDU_OPTIONS_TEMPLATE, "odd scope reason");
    /* a huge record (2 fields of 40000 bytes) can never fit a datagram */
    v9_header(&b, 1, 0);
    s = set_open(&b, 0);
    b16(&b, 256); b16(&b, 2); b16(&b, 100); b16(&b, 40000); b16(&b, 101); b16(&b, 40000);
    set_close(&b, s, 0);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "huge record rejected");
    /* datagram padding of 1-3 bytes after the last set is fine */
    v9_header(&b, 1, 0);
    v9_template_256(&b);
    bzero_(&b, 3);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 0, "trailing padding ok");
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.templates_active, 1, "template learned");
    CHECK(st.by_reason[FT_PDU_TEMPLATE] == 5, "template faults counted: %llu",
          (unsigned long long)st.by_reason[FT_PDU_TEMPLATE]);
    ft_pdu_ctx_free(ctx);
}

/* A v9 template of (element, length) pairs and one record of it, given as
 * one value per field (16-byte fields: the value's 16 bytes follow). */
static void v9_one_record(struct buf *b, unsigned id, const unsigned (*fl)[2], size_t n,
                          const uint64_t *vals, const uint8_t (*v6)[16])
{
    size_t s = set_open(b, 0);
    b16(b, id); b16(b, (unsigned)n);
    for (size_t i = 0; i < n; i++) {
        b16(b, fl[i][0]);
        b16(b, fl[i][1]);
    }
    set_close(b, s, 1);
    s = set_open(b, id);
    for (size_t i = 0, k = 0; i < n; i++) {
        if (fl[i][1] == 16) {
            for (int j = 0; j < 16; j++)
                b8(b, v6[k][j]);
            k++;
            continue;
        }
        for (unsigned j = fl[i][1]; j > 0; j--)
            b8(b, j > 8 ? 0 : (unsigned)(vals[i] >> (8 * (j - 1))));
    }
    set_close(b, s, 1);
}

/* Which occurrence of an element wins, elements sharing a has bit, value
 * bits, too wide and unknown elements, both forms of an address: what the
 * template's resolved fields do, pinned. */
static void test_v9_field_rules(void)
{
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    struct ft_pdu_src src = src_of(IP(198, 51, 100, 4), 2055);
    struct ft_pdu_info info;
    struct ft_err err;
    struct buf b;
    static const unsigned fl[][2] = {
        {7, 2}, {7, 2}, {32, 2}, {176, 1}, {35, 1}, {35, 1}, {34, 4}, {34, 4}, {58, 2},
        {31, 4}, {8, 4}, {27, 16}, {12, 4}, {28, 16}, {10, 12}, {999, 4}, {14, 1}};
    static const uint64_t vals[] = {
        1111, 2222, 0x0304, 9, 1, 2, 100, 200, 0xF123,
        0xFFFABCDE, 0, 0, IP(10, 0, 0, 1), 0, 77, 5, 6};
    static const uint8_t v6[2][16] = {{0x20, 0x01, 0x0d, 0xb8, [15] = 1}, {[15] = 5}};
    v9_header(&b, 1, 0);
    v9_one_record(&b, 300, fl, sizeof fl / sizeof fl[0], vals, v6);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 1, "rules: one flow");
    const struct ft_flow *f = &info.flows[0];
    CHECK_EQ_U(f->srcport, 1111, "rules: the first srcport wins");
    CHECK_EQ_U(f->icmp_type, 9, "rules: icmpTypeIPv4 after icmpTypeCode writes the type");
    CHECK_EQ_U(f->icmp_code, 4, "rules: icmpTypeCode's code stays");
    CHECK_EQ_U(f->sampling_algorithm, 2, "rules: every sampling algorithm writes");
    CHECK_EQ_U(f->sampling_interval, 100, "rules: the first sampling interval wins");
    CHECK_EQ_U(f->src_vlan, 0x123, "rules: VLAN cut to 12 bits");
    CHECK_EQ_U(f->flow_label, 0xABCDE, "rules: flow label cut to 20 bits");
    CHECK_EQ_U(f->srcaddr.af, FT_AF_INET6, "rules: IPv4 0.0.0.0 and an IPv6 source: IPv6");
    CHECK_EQ_U(f->srcaddr.v6[15], 1, "rules: the IPv6 source");
    CHECK(f->dstaddr.af == FT_AF_INET && f->dstaddr.v4 == IP(10, 0, 0, 1),
          "rules: a non-zero IPv4 destination wins over IPv6");
    CHECK(!(f->has & FT_F_INPUT), "rules: a 12-byte input is ignored");
    CHECK(f->output == 6 && (f->has & FT_F_OUTPUT), "rules: a 1-byte output");
    CHECK((f->has & (FT_F_ICMP | FT_F_SAMPLING | FT_F_SRC_VLAN | FT_F_FLOW_LABEL)) ==
          (FT_F_ICMP | FT_F_SAMPLING | FT_F_SRC_VLAN | FT_F_FLOW_LABEL), "rules: has bits");

    /* the other order: icmpTypeIPv4 first, then icmpTypeCode is not taken;
     * with ipVersion 4 exported the IPv4 form wins even when it is 0 */
    static const unsigned fl2[][2] = {{176, 1}, {32, 2}, {60, 1}, {8, 4}, {27, 16}};
    static const uint64_t vals2[] = {9, 0x0304, 4, 0, 0};
    v9_header(&b, 2, 0);
    v9_one_record(&b, 301, fl2, sizeof fl2 / sizeof fl2[0], vals2, v6);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 1, "rules 2: one flow");
    f = &info.flows[0];
    CHECK(f->icmp_type == 9 && f->icmp_code == 0, "rules 2: icmpTypeCode after a type: %u/%u",
          f->icmp_type, f->icmp_code);
    CHECK(f->srcaddr.af == FT_AF_INET && f->srcaddr.v4 == 0,
          "rules 2: ipVersion 4 picks IPv4");
    ft_pdu_ctx_free(ctx);
}

/* What a template's fields do, as ft_tmpl_resolve finds them in the field
 * table; a refresh is told from a redefinition. */
static void test_template_resolve(void)
{
    struct tmpl_field f[] = {
        {.type = 8, .len = 4}, {.type = 27, .len = 16}, {.type = 12, .len = 4},
        {.type = 1, .len = 8}, {.type = 176, .len = 1}, {.type = 152, .len = 8},
        {.type = 2, .len = 9}, {.type = 2, .len = 4, .pen = 9}, {.type = 999, .len = 2},
        {.type = 58, .len = 2}, {.type = 302, .len = 4}, {.type = 22, .len = 4}};
    struct tmpl t = {.id = 256, .n_fields = sizeof f / sizeof f[0], .f = f};
    CHECK_EQ_U(ft_tmpl_finish(&t, 10), 0, "template finished");
    ft_tmpl_resolve(&t);
    CHECK(f[0].act == TA_ADDR && f[0].arg == 0 && f[1].act == TA_ADDR_ALT && f[1].arg == 0,
          "both forms of the source share slot 0");
    CHECK(f[2].act == TA_ADDR && f[2].arg == 1, "the destination in slot 1");
    CHECK(t.n_addrs == 2 && t.addr_field[0] == FT_FLD_SRCADDR &&
          t.addr_field[1] == FT_FLD_DSTADDR, "the slots' fields");
    CHECK(f[3].act == TA_U64 && f[3].arg == 1 && f[3].row == &ft_fields[FT_FLD_DOCTETS],
          "octets: a 64-bit member, first wins");
    CHECK(f[4].act == TA_U8 && f[4].arg == 0 && f[4].row == &ft_fields[FT_FLD_ICMP_TYPE],
          "icmp type: shares its has bit, every occurrence writes");
    CHECK(f[5].act == TA_ABS_TIME && f[5].arg == 2, "flowStartMilliseconds");
    CHECK(f[6].act == TA_SKIP, "a 9-byte number: nothing");
    CHECK(f[7].act == TA_SKIP, "an enterprise element: nothing");
    CHECK(f[8].act == TA_SKIP, "an unknown element: nothing");
    CHECK(f[9].act == TA_U16 && f[9].row == &ft_fields[FT_FLD_SRC_VLAN], "VLAN");
    CHECK(f[10].act == TA_SKIP, "selectorId outside options data: nothing");
    CHECK(f[11].act == TA_UPTIME_FIRST, "flowStartSysUpTime");
    CHECK(f[3].at == 24 && f[11].at == 62, "field offsets: %u %u", f[3].at, f[11].at);
    t.options = 1;
    t.n_scope = 1;
    ft_tmpl_resolve(&t);
    CHECK(f[0].act == TA_SKIP && f[10].act == TA_SELECTOR_ID,
          "options: a scope address is nothing, selectorId is sampling");

    struct tmpl_field g[sizeof f / sizeof f[0]];
    memcpy(g, f, sizeof g);
    struct tmpl u = t;
    u.f = g;
    CHECK(ft_tmpl_same(&t, &u), "the same fields: a refresh");
    g[5].len = 4;
    CHECK(!ft_tmpl_same(&t, &u), "another length: a redefinition");
    g[5].len = 8;
    u.n_scope = 2;
    CHECK(!ft_tmpl_same(&t, &u), "another scope: a redefinition");
}

/* Options template 260: scope system(4), sampler id(1), interval(4), algorithm(1) */
static void v9_sampling_options(struct buf *b, unsigned sampler, uint32_t interval)
{
    size_t s = set_open(b, 1);
    b16(b, 260); b16(b, 4); b16(b, 12);
    b16(b, 1); b16(b, 4);
    b16(b, 48); b16(b, 1); b16(b, 34); b16(b, 4); b16(b, 35); b16(b, 1);
    set_close(b, s, 1);
    s = set_open(b, 260);
    b32(b, 0x0a000001); b8(b, sampler); b32(b, interval); b8(b, 2);
    set_close(b, s, 1);
}

static void test_v9_sampling(void)
{
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    struct ft_pdu_src src = src_of(IP(198, 51, 100, 3), 2055);
    struct ft_pdu_info info;
    struct ft_err err;
    struct buf b;

    /* template with sampler id: flows of sampler 1 learn 1/1000, of 2 1/50 */
    v9_header(&b, 1, 0);
    size_t s = set_open(&b, 0);
    b16(&b, 300); b16(&b, 2); b16(&b, 8); b16(&b, 4); b16(&b, 48); b16(&b, 1);
    set_close(&b, s, 1);
    s = set_open(&b, 300);
    b32(&b, 1); b8(&b, 1);
    set_close(&b, s, 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.n_flows, 1, "flow before options");
    CHECK(!(info.flows[0].has & FT_F_SAMPLING), "no sampling known yet");

    v9_header(&b, 2, 0);
    v9_sampling_options(&b, 1, 1000);
    v9_sampling_options(&b, 2, 50);
    s = set_open(&b, 300);
    b32(&b, 1); b8(&b, 1); b32(&b, 2); b8(&b, 2); b32(&b, 3); b8(&b, 3);
    set_close(&b, s, 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.options_records, 2, "options records");
    CHECK_EQ_U(info.n_flows, 3, "flows after options");
    CHECK_EQ_U(info.flows[0].sampling_interval, 1000, "sampler 1 interval");
    CHECK_EQ_U(info.flows[0].sampling_algorithm, 2, "sampler 1 algorithm");
    CHECK_EQ_U(info.flows[1].sampling_interval, 50, "sampler 2 interval");
    CHECK(!(info.flows[2].has & FT_F_SAMPLING), "unknown sampler 3: no sampling");
    CHECK_EQ_U(info.flows[0].sampler_id, 1, "sampler id kept");

    /* interval 0 is never learned */
    v9_header(&b, 3, 0);
    v9_sampling_options(&b, 1, 0);
    s = set_open(&b, 300);
    b32(&b, 1); b8(&b, 1);
    set_close(&b, s, 1);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.flows[0].sampling_interval, 1000, "rate 0 not learned");

    struct ft_pdu_exporter ex[2];
    ft_pdu_exporters(ctx, ex, 2);
    CHECK_EQ_U(ex[0].templates, 2, "exporter templates");

    /* the sampler table holds 32 per exporter; more are counted */
    v9_header(&b, 4, 0);
    for (unsigned id = 3; id <= 32; id++)   /* 1 and 2 are known already */
        v9_sampling_options(&b, id, 10 + id);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    struct ft_pdu_stats st;
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.samplers_replaced, 0, "32 samplers fit");
    v9_header(&b, 5, 0);
    v9_sampling_options(&b, 34, 99);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.samplers_replaced, 1, "33rd sampler counted");
    ft_pdu_ctx_free(ctx);
}

/* ---- IPFIX -------------------------------------------------------------- */

static void ipfix_header(struct buf *b, uint32_t seq, uint32_t domain)
{
    b->n = 0;
    b16(b, 10); b16(b, 0); b32(b, 1700000000); b32(b, seq); b32(b, domain);
}

static void ipfix_close(struct buf *b)
{
    set16(b, 2, (unsigned)b->n);
}

static void test_ipfix(void)
{
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    struct ft_pdu_src src = src_of(IP(203, 0, 113, 5), 4739);
    struct ft_pdu_info info;
    struct ft_err err;
    struct buf b;

    /* template 400: IPv6 src/dst, enterprise field (4 bytes), variable-length
     * string, flowStartMilliseconds, flowEndMicroseconds, octets (4),
     * ipVersion, tcpControlBits (2) */
    ipfix_header(&b, 0, 7);
    size_t s = set_open(&b, 2);
    b16(&b, 400); b16(&b, 9);
    b16(&b, 27); b16(&b, 16); b16(&b, 28); b16(&b, 16);
    b16(&b, 0x8000 | 1); b16(&b, 4); b32(&b, 29305);   /* reverse octets */
    b16(&b, 82); b16(&b, 65535);                         /* interfaceName */
    b16(&b, 152); b16(&b, 8); b16(&b, 155); b16(&b, 8);
    b16(&b, 1); b16(&b, 4); b16(&b, 60); b16(&b, 1); b16(&b, 6); b16(&b, 2);
    set_close(&b, s, 0);
    s = set_open(&b, 400);
    for (int i = 0; i < 2; i++) {
        b16(&b, 0x2001); b16(&b, 0xdb8); bzero_(&b, 11); b8(&b, 1 + i);
        b16(&b, 0x2001); b16(&b, 0xdb8); bzero_(&b, 11); b8(&b, 0x10);
        b32(&b, 0xdeadbeef);
        if (i == 0) {
            b8(&b, 3); b8(&b, 'e'); b8(&b, 't'); b8(&b, 'h');
        } else {            /* long form: 255, then a 2-byte length */
            b8(&b, 255); b16(&b, 300); bzero_(&b, 300);
        }
        b64(&b, 1700000000123ull);
        /* NTP: seconds since 1900, fraction 2^31 = .5 s */
        b32(&b, 1700000001u + 2208988800u); b32(&b, 0x80000000u);
        b32(&b, 4242); b8(&b, 6); b16(&b, 0x0112);
    }
    set_close(&b, s, 0);
    ipfix_close(&b);
    int n = ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK(n == 2, "IPFIX flows: %d %s", n, n < 0 ? err.msg : "");
    if (n == 2) {
        const struct ft_flow *f = &info.flows[1];
        CHECK_EQ_U(f->srcaddr.af, FT_AF_INET6, "IPFIX v6 src");
        CHECK_EQ_U(f->srcaddr.v6[15], 2, "IPFIX v6 src last byte");
        CHECK_EQ_U(f->doctets, 4242, "IPFIX octets (enterprise field skipped)");
        CHECK_EQ_U(f->tcp_flags, 0x12, "IPFIX 2-byte tcp flags");
        CHECK_EQ_U(f->ip_version, 6, "IPFIX ip version");
        CHECK(f->has & FT_F_IP_VERSION, "IPFIX ip version exported");
        CHECK(f->has & FT_F_ABS_TIMES, "IPFIX absolute times");
        CHECK(!(f->has & (FT_F_FIRST | FT_F_SYSUPTIME)), "IPFIX no uptimes");
        CHECK_EQ_U(f->start_ms, 1700000000123ull, "IPFIX start ms");
        CHECK_EQ_U(f->end_ms, 1700000001500ull, "IPFIX end from NTP");
        CHECK_EQ_U(f->end_ns, 0, "IPFIX end sub-ms");
        CHECK_EQ_U(f->source_id, 7, "IPFIX domain");
        CHECK_EQ_U(f->export_version, 10, "IPFIX version");
    }
    /* IPFIX sequence counts data records: next must be 2 */
    ipfix_header(&b, 2, 7);
    ipfix_close(&b);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.lost, 0, "IPFIX sequence in order");
    ipfix_header(&b, 9, 7);
    ipfix_close(&b);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(info.lost, 7, "IPFIX lost records");

    /* a variable-length field running past the set: the record is dropped */
    ipfix_header(&b, 9, 7);
    s = set_open(&b, 400);
    bzero_(&b, 36); b8(&b, 200); bzero_(&b, 30);
    set_close(&b, s, 0);
    ipfix_close(&b);
    n = ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(n, 0, "bad variable-length record");
    CHECK_EQ_U(info.reason, FT_PDU_RECORD, "bad record reason");

    /* length field larger than the datagram */
    ipfix_header(&b, 9, 7);
    set16(&b, 2, 100);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "IPFIX length too big");
    CHECK_EQ_U(info.reason, FT_PDU_LENGTH, "IPFIX length reason");

    /* withdrawal of template 400, then data is unknown */
    ipfix_header(&b, 9, 7);
    s = set_open(&b, 2);
    b16(&b, 400); b16(&b, 0);
    set_close(&b, s, 0);
    ipfix_close(&b);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 0, "withdrawal");
    struct ft_pdu_stats st;
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.templates_withdrawn, 1, "withdrawn counted");
    CHECK_EQ_U(st.templates_active, 0, "no template left");

    /* options: scope count 0 is malformed */
    ipfix_header(&b, 9, 7);
    s = set_open(&b, 3);
    b16(&b, 500); b16(&b, 1); b16(&b, 0); b16(&b, 149); b16(&b, 4);
    set_close(&b, s, 0);
    ipfix_close(&b);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "IPFIX scope count 0");
    CHECK_EQ_U(info.reason, FT_PDU_OPTIONS_TEMPLATE, "scope count 0 reason");

    /* uptime times + systemInitTimeMilliseconds from options; sampling
     * packet interval/space (1 of 10) from options as well */
    ipfix_header(&b, 9, 7);
    s = set_open(&b, 3);
    b16(&b, 501); b16(&b, 4); b16(&b, 1);
    b16(&b, 149); b16(&b, 4); b16(&b, 160); b16(&b, 8); b16(&b, 305); b16(&b, 4);
    b16(&b, 306); b16(&b, 4);
    set_close(&b, s, 0);
    s = set_open(&b, 2);
    b16(&b, 401); b16(&b, 3); b16(&b, 8); b16(&b, 4); b16(&b, 22); b16(&b, 4);
    b16(&b, 21); b16(&b, 4);
    set_close(&b, s, 0);
    s = set_open(&b, 501);
    b32(&b, 7); b64(&b, 1600000000000ull); b32(&b, 1); b32(&b, 9);
    set_close(&b, s, 0);
    s = set_open(&b, 401);
    b32(&b, IP(10, 0, 0, 1)); b32(&b, 1000); b32(&b, 2500);
    set_close(&b, s, 0);
    ipfix_close(&b);
    n = ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK(n == 1, "IPFIX uptime flow: %d %s", n, n < 0 ? err.msg : "");
    if (n == 1) {
        const struct ft_flow *f = &info.flows[0];
        CHECK((f->has & (FT_F_FIRST | FT_F_LAST | FT_F_TIMES)) ==
              (FT_F_FIRST | FT_F_LAST | FT_F_TIMES), "IPFIX uptime bits");
        CHECK(!(f->has & FT_F_ABS_TIMES), "IPFIX uptime: not absolute");
        CHECK_EQ_U(f->first, 1000, "IPFIX raw first");
        CHECK_EQ_U(f->start_ms, 1600000001000ull, "IPFIX start from system init");
        CHECK_EQ_U(f->end_ms, 1600000002500ull, "IPFIX end from system init");
        CHECK_EQ_U(f->sampling_interval, 10, "IPFIX 1 of 10 sampling");
    }
    ft_pdu_ctx_free(ctx);
}

/* ---- limits, pending data, timeouts, template file ---------------------- */

static void test_limits(void)
{
    struct ft_pdu_opts o = {.max_templates_per_exporter = 3, .max_templates = 5,
                            .max_exporters = 3, .max_flows = 4};
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(&o);
    struct ft_pdu_info info;
    struct ft_err err;
    struct buf b;
    struct ft_pdu_src src = src_of(IP(198, 51, 100, 9), 2055);

    /* a template flood: 10 templates, only 3 kept for this exporter */
    v9_header(&b, 1, 0);
    size_t s = set_open(&b, 0);
    for (unsigned id = 256; id < 266; id++) {
        b16(&b, id); b16(&b, 1); b16(&b, 8); b16(&b, 4);
    }
    set_close(&b, s, 0);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 0, "flood accepted");
    CHECK_EQ_U(info.reason, FT_PDU_TEMPLATE_LIMIT, "flood reason");
    struct ft_pdu_stats st;
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.templates_active, 3, "per-exporter limit");
    CHECK_EQ_U(st.by_reason[FT_PDU_TEMPLATE_LIMIT], 7, "refused templates counted");
    /* the total limit over two exporters (other source id) */
    v9_header(&b, 1, 1);
    s = set_open(&b, 0);
    for (unsigned id = 256; id < 266; id++) {
        b16(&b, id); b16(&b, 1); b16(&b, 8); b16(&b, 4);
    }
    set_close(&b, s, 0);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.templates_active, 5, "total limit");
    /* max_flows: a set of 6 records gives 4 flows, 2 counted */
    v9_header(&b, 2, 0);
    s = set_open(&b, 256);
    for (int i = 0; i < 6; i++)
        b32(&b, (uint32_t)i);
    set_close(&b, s, 0);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 4, "flow limit");
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.by_reason[FT_PDU_FLOW_LIMIT], 1, "flow limit counted");
    /* exporter limit: third and fourth source ids */
    v9_header(&b, 1, 2);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) >= 0, "third exporter");
    v9_header(&b, 1, 3);
    CHECK(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err) < 0, "fourth exporter refused");
    CHECK_EQ_U(info.reason, FT_PDU_EXPORTER_LIMIT, "exporter limit reason");
    ft_pdu_ctx_free(ctx);
}

static void test_pending_and_timeout(void)
{
    struct ft_pdu_opts o = {.pending_sets = 2, .template_timeout_s = 60};
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(&o);
    struct ft_pdu_info info;
    struct ft_err err;
    struct buf b;
    struct ft_pdu_src src = src_of(IP(198, 51, 100, 10), 2055);
    src.recv_ms = 1000000;

    for (int k = 0; k < 3; k++) {       /* three sets held in a buffer of two */
        v9_header(&b, 1 + (uint32_t)k, 0);
        v9_data_256(&b, 1 + (unsigned)k, 1);
        ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    }
    struct ft_pdu_stats st;
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.pending_held, 3, "sets held");
    CHECK_EQ_U(st.by_reason[FT_PDU_PENDING_LIMIT], 1, "oldest held set dropped");
    v9_header(&b, 4, 0);
    v9_template_256(&b);
    v9_data_256(&b, 1, 1);
    int n = ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(n, 2 + 3 + 1, "held sets decoded when the template came");
    CHECK_EQ_U(info.pending_decoded, 5, "pending decoded count");
    CHECK_EQ_U(info.flows[0].sequence, 2, "held flows keep their datagram's sequence");

    /* template not refreshed for more than 60 s: forgotten */
    src.recv_ms += 61000;
    v9_header(&b, 5, 0);
    v9_data_256(&b, 1, 1);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 0, "expired template");
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.templates_expired, 1, "expiry counted");
    /* that data set was held; a minute later it is given up */
    src.recv_ms += 61000;
    v9_header(&b, 6, 0);
    v9_template_256(&b);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 0, "old held set given up");
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.by_reason[FT_PDU_PENDING_LIMIT], 2, "old held set counted");
    ft_pdu_ctx_free(ctx);
}

static void test_template_file(void)
{
    char path[] = "/tmp/test_pdu_tmplXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0, "temp file");
    if (fd < 0)
        return;
    close(fd);
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    struct ft_pdu_info info;
    struct ft_err err;
    struct buf b;
    struct ft_pdu_src src = src_of(IP(198, 51, 100, 11), 2055);
    v9_header(&b, 1, 5);
    v9_template_256(&b);
    v9_sampling_options(&b, 4, 512);
    ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err);
    CHECK_EQ_U(ft_pdu_templates_save(ctx, path, &err), 0, "templates saved");
    ft_pdu_ctx_free(ctx);

    ctx = ft_pdu_ctx_new(NULL);
    int rc = ft_pdu_templates_load(ctx, path, &err);
    CHECK(rc == 0, "templates loaded: %s", rc ? err.msg : "");
    v9_header(&b, 2, 5);
    v9_data_256(&b, 2, 1);
    CHECK_EQ_U(ft_pdu_decode(ctx, &src, b.b, b.n, &info, &err), 2, "data after restart");
    struct ft_pdu_exporter ex[2];
    ft_pdu_exporters(ctx, ex, 2);
    CHECK_EQ_U(ex[0].templates, 2, "both templates back");
    ft_pdu_ctx_free(ctx);

    FILE *fp = fopen(path, "w");
    fputs("not a template file\n", fp);
    fclose(fp);
    ctx = ft_pdu_ctx_new(NULL);
    CHECK(ft_pdu_templates_load(ctx, path, &err) < 0, "bad file refused");
    fp = fopen(path, "w");
    fputs("# ftkit templates 1\nT 9 1.2.3.4 5 - 0 256 0 0 1 8:0:0\n", fp);
    fclose(fp);
    CHECK(ft_pdu_templates_load(ctx, path, &err) < 0, "zero-length field refused");
    ft_pdu_ctx_free(ctx);

    /* a bad line and a stray NUL do not lose the other lines, nor does a
     * last line without its newline */
    static const char text[] = "# ftkit templates 1\r\nT 9 1.2.3.4 5 - 0 256 0 0 1 8:4:0\n"
                               "bad\nT 9 1.2.3.4 5 - 0 257 0 0 1 8:4:0\0\n"
                               "T 9 1.2.3.4 5 - 0 258 0 0 2 8:4:0 12:4:0";
    fp = fopen(path, "w");
    fwrite(text, 1, sizeof text - 1, fp);
    fclose(fp);
    ctx = ft_pdu_ctx_new(NULL);
    CHECK(ft_pdu_templates_load(ctx, path, &err) < 0, "a bad line is reported");
    CHECK(strstr(err.msg, ":3: bad or refused line") != NULL, "the bad line's number: %s",
          err.msg);
    struct ft_pdu_stats st;
    ft_pdu_stats(ctx, &st);
    CHECK_EQ_U(st.templates_active, 3, "the other lines' templates");
    ft_pdu_ctx_free(ctx);
    unlink(path);
    ctx = ft_pdu_ctx_new(NULL);
    CHECK(ft_pdu_templates_load(ctx, path, &err) < 0, "a missing file");
    CHECK(strncmp(err.msg, path, strlen(path)) == 0, "its message names it: %s", err.msg);
    ft_pdu_ctx_free(ctx);
}

/* ---- encoders ----------------------------------------------------------- */

static struct ft_flow sample_flow(unsigned i)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    f.has = FT_F_UNIX_SECS | FT_F_UNIX_NSECS | FT_F_SYSUPTIME | FT_F_FIRST | FT_F_LAST |
            FT_F_SRCADDR | FT_F_DSTADDR | FT_F_DPKTS | FT_F_DOCTETS | FT_F_ENGINE_TYPE |
            FT_F_ENGINE_ID;
    f.unix_secs = 1700000000;
    f.unix_nsecs = 0;
    f.sysuptime = 500000;
    f.first = 400000 + i;
    f.last = 490000 + i;
    ft_ip_set4(&f.srcaddr, IP(10, 0, 1, i & 0xff));
    ft_ip_set4(&f.dstaddr, IP(10, 0, 2, 1));
    ft_ip_set4(&f.nexthop, IP(10, 0, 3, 1));
    f.dpkts = 10 + i;
    f.doctets = 1000 + i;
    f.input = 2;
    f.output = 3;
    f.srcport = (uint16_t)(1024 + i);
    f.dstport = 80;
    f.prot = 6;
    f.tos = 8;
    f.tcp_flags = 0x12;
    f.src_as = 64512;
    f.dst_as = 65000;
    f.src_mask = 24;
    f.dst_mask = 16;
    f.engine_type = 1;
    f.engine_id = 2;
    ft_flow_set_times(&f);
    return f;
}

/* Flow i of a round trip: some IPv6, one with another header (a datagram break). */
static struct ft_flow trip_flow(unsigned i, unsigned n_flows, int with_v6)
{
    struct ft_flow f = sample_flow(i);
    if (with_v6 && i % 3 == 0) {
        f.srcaddr.af = f.dstaddr.af = f.nexthop.af = FT_AF_INET6;
        memset(f.srcaddr.v6, 0, 16);
        f.srcaddr.v6[0] = 0x20;
        f.srcaddr.v6[15] = (uint8_t)i;
        memset(f.dstaddr.v6, 0, 16);
        f.dstaddr.v6[0] = 0xfe;
        memset(f.nexthop.v6, 0, 16);
    }
    if (i == n_flows / 2) {
        f.sysuptime += 1;
        ft_flow_set_times(&f);
    }
    return f;
}

/* Encode n flows, decode every datagram, compare the fields of the format. */
static void round_trip(unsigned version, unsigned n_flows, int with_v6)
{
    struct ft_err err;
    struct ft_pdu_enc_opts eo = {.version = version, .source_id = 77, .template_refresh = 3};
    struct ft_pdu_enc *e = ft_pdu_enc_new(&eo, &err);
    CHECK(e != NULL, "encoder v%u", version);
    if (!e)
        return;
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    struct ft_pdu_src src = src_of(IP(127, 0, 0, 1), 5555);
    struct ft_pdu_info info;
    unsigned got = 0, datagrams = 0, bad = 0, lost = 0;
    uint32_t prev_seq = 0;
    for (unsigned i = 0; i <= n_flows; i++) {
        struct ft_pdu_dgram d;
        int ready;
        if (i < n_flows) {
            struct ft_flow f = trip_flow(i, n_flows, with_v6);
            ready = ft_pdu_enc_add(e, &f, &d);
        } else {
            ready = ft_pdu_enc_flush(e, &d);
        }
        if (!ready)
            continue;
        if (version == 9) {     /* templates in datagrams 0, 3, 6... (refresh 3) */
            int has_templates = d.len > 22 && d.data[20] == 0 && d.data[21] == 0;
            CHECK_EQ_U(has_templates, datagrams % 3 == 0, "v9 template refresh");
        }
        datagrams++;
        int n = ft_pdu_decode(ctx, &src, d.data, d.len, &info, &err);
        CHECK(n == (int)d.n_flows, "v%u datagram decodes: %d of %u (%s)", version, n,
              d.n_flows, n < 0 ? err.msg : "");
        if (n < 0)
            continue;
        lost += info.lost + info.resets;
        if (version == 9 && datagrams > 1)
            CHECK_EQ_U(info.sequence, prev_seq + 1, "v9 sequence per datagram");
        prev_seq = info.sequence;
        for (int k = 0; k < n; k++) {
            const struct ft_flow *g = &info.flows[k];
            struct ft_flow f = trip_flow(got, n_flows, with_v6);
            int v6 = with_v6 && got % 3 == 0;
            if (g->dpkts != f.dpkts || g->doctets != f.doctets || g->first != f.first ||
                g->last != f.last || g->srcport != f.srcport || g->dstport != 80 ||
                g->prot != 6 || g->tcp_flags != 0x12 || g->tos != 8 ||
                g->input != 2 || g->output != 3)
                bad++;
            if (!v6 && (g->srcaddr.v4 != f.srcaddr.v4 || g->dstaddr.v4 != f.dstaddr.v4))
                bad++;
            if (v6 && (g->srcaddr.af != FT_AF_INET6 || g->srcaddr.v6[15] != (uint8_t)got))
                bad++;
            if (version != 1 && (g->src_as != 64512 || g->dst_as != 65000 ||
                                 g->src_mask != 24 || g->dst_mask != 16))
                bad++;
            if (version != 1 && version != 9 && (g->engine_type != 1 || g->engine_id != 2))
                bad++;
            if (version == 9 && g->source_id != 77)
                bad++;
            if (g->end_ms != f.end_ms)
                bad++;
            got++;
        }
    }
    CHECK_EQ_U(got, n_flows, "round trip flow count");
    CHECK(bad == 0, "v%u round trip: %u field mismatches", version, bad);
    CHECK_EQ_U(lost, 0, "encoder sequence numbers as the decoder expects them");
    CHECK(datagrams >= 2, "v%u several datagrams (%u)", version, datagrams);
    CHECK_EQ_U(ft_pdu_enc_losses(e), 0, "no losses");
    ft_pdu_enc_free(e);
    ft_pdu_ctx_free(ctx);
}

static void test_encoders(void)
{
    round_trip(1, 100, 0);
    round_trip(5, 100, 0);
    round_trip(7, 100, 0);
    round_trip(6, 60, 0);
    round_trip(9, 300, 1);

    /* v5 sequence numbers: the counter before the datagram's records */
    struct ft_err err;
    struct ft_pdu_enc_opts eo = {.version = 5};
    struct ft_pdu_enc *e = ft_pdu_enc_new(&eo, &err);
    struct ft_pdu_dgram d;
    unsigned seqs[4], n = 0;
    for (unsigned i = 0; i < 75; i++) {
        struct ft_flow f = sample_flow(i);
        if (ft_pdu_enc_add(e, &f, &d) && n < 4)
            seqs[n++] = (uint32_t)d.data[16] << 24 | d.data[17] << 16 | d.data[18] << 8 | d.data[19];
    }
    if (ft_pdu_enc_flush(e, &d) && n < 4)
        seqs[n++] = (uint32_t)d.data[16] << 24 | d.data[17] << 16 | d.data[18] << 8 | d.data[19];
    CHECK_EQ_U(n, 3, "75 flows: 30 + 30 + 15");
    CHECK(n == 3 && seqs[0] == 0 && seqs[1] == 30 && seqs[2] == 60, "v5 sequences");
    CHECK_EQ_U(d.n_flows, 15, "last datagram");
    CHECK_EQ_U(d.len, 24 + 15 * 48, "last datagram size");
    ft_pdu_enc_free(e);

    /* v8 encoders for every aggregation decode back */
    for (unsigned agg = 1; agg <= 14; agg++) {
        struct ft_pdu_enc_opts o8 = {.version = 8, .agg_method = agg};
        e = ft_pdu_enc_new(&o8, &err);
        CHECK(e != NULL, "v8.%u encoder", agg);
        if (!e)
            continue;
        struct ft_flow f = sample_flow(1);
        ft_pdu_enc_add(e, &f, &d);
        CHECK_EQ_U(ft_pdu_enc_flush(e, &d), 1, "v8 flush");
        struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
        struct ft_pdu_src src = src_of(1, 1);
        struct ft_pdu_info info;
        CHECK_EQ_U(ft_pdu_decode(ctx, &src, d.data, d.len, &info, &err), 1, "v8 decodes");
        CHECK_EQ_U(info.agg_method, agg, "v8 aggregation");
        CHECK_EQ_U(info.flows[0].last, f.last, "v8 last");
        ft_pdu_ctx_free(ctx);
        ft_pdu_enc_free(e);
    }
    eo.version = 4;
    CHECK(ft_pdu_enc_new(&eo, &err) == NULL, "v4 encoder refused");

    /* flows with only absolute times get the clock's header */
    eo.version = 5;
    e = ft_pdu_enc_new(&eo, &err);
    ft_pdu_enc_set_clock(e, 1700000100000ull, 1700000000000ull);
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    f.has = FT_F_TIMES | FT_F_ABS_TIMES | FT_F_SRCADDR;
    f.start_ms = 1700000050000ull;
    f.end_ms = 1700000090000ull;
    ft_ip_set4(&f.srcaddr, 1);
    ft_pdu_enc_add(e, &f, &d);
    ft_pdu_enc_flush(e, &d);
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    struct ft_pdu_src src = src_of(1, 1);
    struct ft_pdu_info info;
    ft_pdu_decode(ctx, &src, d.data, d.len, &info, &err);
    CHECK_EQ_U(info.flows[0].sysuptime, 100000, "clock uptime");
    CHECK_EQ_U(info.flows[0].first, 50000, "clock first");
    CHECK_EQ_U(info.flows[0].end_ms, 1700000090000ull, "clock end");
    ft_pdu_ctx_free(ctx);
    ft_pdu_enc_free(e);

    /* an IPv6 flow in v5 is a counted loss */
    e = ft_pdu_enc_new(&eo, &err);
    f = sample_flow(0);
    f.srcaddr.af = FT_AF_INET6;
    ft_pdu_enc_add(e, &f, &d);
    CHECK_EQ_U(ft_pdu_enc_losses(e), 1, "IPv6 in v5 is a loss");
    ft_pdu_enc_free(e);
}

/* The v9 encoder's templates, element by element and width by width: the
 * field table's elements, the IPv6 forms in the IPv6 template. */
static void test_encoder_templates(void)
{
    static const uint16_t want4[][2] = {
        {8, 4}, {12, 4}, {15, 4}, {18, 4}, {10, 4}, {14, 4}, {2, 8}, {1, 8}, {22, 4},
        {21, 4}, {7, 2}, {11, 2}, {16, 4}, {17, 4}, {6, 1}, {4, 1}, {5, 1}, {9, 1}, {13, 1},
        {38, 1}, {39, 1}, {61, 1}};
    static const uint16_t want6[][2] = {
        {27, 16}, {28, 16}, {62, 16}, {63, 16}, {10, 4}, {14, 4}, {2, 8}, {1, 8}, {22, 4},
        {21, 4}, {7, 2}, {11, 2}, {16, 4}, {17, 4}, {31, 3}, {6, 1}, {4, 1}, {5, 1}, {29, 1},
        {30, 1}, {38, 1}, {39, 1}, {61, 1}};
    struct ft_err err;
    struct ft_pdu_enc_opts eo = {.version = 9};
    struct ft_pdu_enc *e = ft_pdu_enc_new(&eo, &err);
    struct ft_flow f = sample_flow(1);
    f.flow_label = 0xABCDEF;    /* 20 bits go out: 0x0BCDEF */
    struct ft_pdu_dgram d;
    ft_pdu_enc_add(e, &f, &d);
    f.srcaddr.af = FT_AF_INET6;
    memset(f.srcaddr.v6, 0, 16);
    ft_pdu_enc_add(e, &f, &d);
    CHECK_EQ_U(ft_pdu_enc_flush(e, &d), 1, "v9 datagram");
    const uint8_t *p = d.data + 20 + 4;     /* the template flowset's first template */
    size_t n4 = sizeof want4 / sizeof want4[0], n6 = sizeof want6 / sizeof want6[0];
    CHECK(d.len > 20 + 4 + 8 + 4 * (n4 + n6), "templates in the datagram");
    CHECK((p[0] << 8 | p[1]) == 256 && (p[2] << 8 | p[3]) == (int)n4, "IPv4 template head");
    int same = 1;
    for (size_t i = 0; i < n4; i++)
        same &= (p[4 + 4 * i] << 8 | p[5 + 4 * i]) == want4[i][0] &&
                (p[6 + 4 * i] << 8 | p[7 + 4 * i]) == want4[i][1];
    CHECK(same, "IPv4 template: elements and widths");
    p += 4 + 4 * n4;
    CHECK((p[0] << 8 | p[1]) == 257 && (p[2] << 8 | p[3]) == (int)n6, "IPv6 template head");
    same = 1;
    for (size_t i = 0; i < n6; i++)
        same &= (p[4 + 4 * i] << 8 | p[5 + 4 * i]) == want6[i][0] &&
                (p[6 + 4 * i] << 8 | p[7 + 4 * i]) == want6[i][1];
    CHECK(same, "IPv6 template: elements and widths");
    /* the IPv6 record (the set after the IPv4 one): its flow label follows 4
     * addresses, 2 interfaces, 2 counters, 2 times, 2 ports, 2 AS numbers */
    const uint8_t *set = p + 4 + 4 * n6;
    set += set[2] << 8 | set[3];
    CHECK((set[0] << 8 | set[1]) == 257, "IPv6 data set");
    const uint8_t *label = set + 4 + 64 + 8 + 16 + 8 + 4 + 8;
    CHECK(label[0] == 0x0B && label[1] == 0xCD && label[2] == 0xEF,
          "flow label cut to 20 bits: %02x%02x%02x", label[0], label[1], label[2]);
    ft_pdu_enc_free(e);
}

/* ---- pcap frames -------------------------------------------------------- */

static size_t udp_frame(uint8_t *p, int vlan, int v6, unsigned payload, int frag)
{
    struct buf b;
    b.n = 0;
    bzero_(&b, 12);
    if (vlan) {
        b16(&b, 0x8100);
        b16(&b, 100);
    }
    b16(&b, v6 ? 0x86dd : 0x0800);
    if (v6) {
        b32(&b, 0x60000000); b16(&b, 8 + payload); b8(&b, 17); b8(&b, 64);
        bzero_(&b, 15); b8(&b, 1); bzero_(&b, 15); b8(&b, 2);
    } else {
        b8(&b, 0x45); b8(&b, 0); b16(&b, 20 + 8 + payload); b16(&b, 0);
        b16(&b, frag ? 0x2000 : 0); b8(&b, 64); b8(&b, 17); b16(&b, 0);
        b32(&b, IP(192, 0, 2, 1)); b32(&b, IP(192, 0, 2, 2));
    }
    b16(&b, 40000); b16(&b, 9991); b16(&b, 8 + payload); b16(&b, 0);
    for (unsigned i = 0; i < payload; i++)
        b8(&b, i);
    bzero_(&b, 6);      /* Ethernet trailer */
    memcpy(p, b.b, b.n);
    return b.n;
}

static void test_pcap_frames(void)
{
    uint8_t fr[2000];
    struct ft_pcap_dgram d;
    struct ft_pcap_stats st;
    memset(&st, 0, sizeof st);
    size_t n = udp_frame(fr, 0, 0, 10, 0);
    CHECK_EQ_U(ft_pcap_parse_frame(1, fr, n, &d, &st), 1, "IPv4 UDP frame");
    CHECK_EQ_U(d.len, 10, "payload length (trailer excluded)");
    CHECK_EQ_U(d.src.v4, IP(192, 0, 2, 1), "source address");
    CHECK_EQ_U(d.sport, 40000, "source port");
    CHECK_EQ_U(d.data[9], 9, "payload bytes");
    n = udp_frame(fr, 1, 1, 20, 0);
    CHECK_EQ_U(ft_pcap_parse_frame(1, fr, n, &d, &st), 1, "VLAN IPv6 UDP frame");
    CHECK_EQ_U(d.src.af, FT_AF_INET6, "IPv6 source");
    CHECK_EQ_U(d.len, 20, "IPv6 payload");
    n = udp_frame(fr, 0, 0, 10, 1);
    CHECK_EQ_U(ft_pcap_parse_frame(1, fr, n, &d, &st), 0, "fragment skipped");
    CHECK_EQ_U(st.fragments, 1, "fragment counted");
    n = udp_frame(fr, 0, 0, 100, 0);
    for (size_t cut = 0; cut < 14 + 28 + 100; cut++)
        if (ft_pcap_parse_frame(1, fr, cut, &d, &st))
            CHECK(0, "truncated frame of %zu bytes accepted", cut);
    CHECK(st.truncated > 0, "truncation counted");
    /* Linux cooked capture: 16-byte header, protocol at 14 */
    uint8_t sll[2000];
    n = udp_frame(fr, 0, 0, 10, 0);
    memset(sll, 0, 14);
    memcpy(sll + 14, fr + 12, n - 12);
    CHECK_EQ_U(ft_pcap_parse_frame(113, sll, n + 2, &d, &st), 1, "Linux cooked frame");
    CHECK_EQ_U(d.dport, 9991, "cooked: destination port");
    /* raw IP */
    CHECK_EQ_U(ft_pcap_parse_frame(101, fr + 14, n - 14, &d, &st), 1, "raw IP frame");
}

/* Every layout ends within its slots, and its slots lie inside its record
 * (the table path reads them without a check each) with widths of 1, 2 or
 * 4 bytes that their members hold. */
static void test_layouts(void)
{
    int inside = 1, widths = 1, n = 0;
    for (unsigned v = 1; v <= 8; v++) {
        for (unsigned agg = 0; agg <= 14; agg++) {
            const struct fx_layout *l = ft_fx_layout(v, agg);
            if (!l || (v == 8) != (agg != 0) || l->agg != agg)
                continue;
            n++;
            int k = 0;
            while (k < FX_MAX_SLOTS && l->s[k].size)
                k++;
            CHECK(k < FX_MAX_SLOTS, "v%u.%u: the slots end", v, agg);
            for (int i = 0; i < k; i++) {
                const struct fx_slot *s = &l->s[i];
                const struct ft_field *d = &ft_fields[s->field];
                inside &= s->off + s->size <= l->rec_size;
                widths &= (s->size == 1 || s->size == 2 || s->size == 4) &&
                          (d->type == FT_T_IP ? s->size == 4
                           : d->type == FT_T_U8 ? s->size == 1
                           : d->type == FT_T_U16 ? s->size <= 2 : 1);
            }
        }
    }
    CHECK_EQ_U(n, 4 + 14, "layouts of v1, v5, v6, v7 and v8.1-14");
    CHECK(inside, "slots inside their records");
    CHECK(widths, "slot widths");
}

/* The v5 shortcut of ft_fx_get gives what the layout table gives, field
 * for field and has bit for has bit, on random records. */
static void test_v5_shortcut(void)
{
    const struct fx_layout *l = ft_fx_layout(5, 0);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    int same = 1;
    for (int i = 0; i < 2000 && same; i++) {
        uint8_t rec[48];
        for (size_t k = 0; k < sizeof rec; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            rec[k] = (uint8_t)(i & 1 ? x : x & x >> 8);    /* dense and sparse bytes */
        }
        struct ft_flow a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        struct ft_rd ra, rb;
        rd_init(&ra, rec, sizeof rec);
        rd_init(&rb, rec, sizeof rec);
        ft_fx_get(l, &ra, &a);
        ft_fx_get_table(l, &rb, &b);
        same = memcmp(&a, &b, sizeof a) == 0 && !ra.bad && !rb.bad;
    }
    CHECK(same, "v5 shortcut and layout table decode alike");
}

/* The any-width loads and stores of core/ft_bytes.h that the decoders and
 * encoders share: known bytes in both orders, and every width round trips. */
static void test_bytes_any_width(void)
{
    uint8_t p[10];
    memset(p, 0xEE, sizeof p);
    ft_stn(p, 0x0A0B0C, 3, 1);
    CHECK(p[0] == 0x0A && p[1] == 0x0B && p[2] == 0x0C && p[3] == 0xEE, "3 bytes big-endian");
    ft_stn(p, 0x0A0B0C, 3, 0);
    CHECK(p[0] == 0x0C && p[1] == 0x0B && p[2] == 0x0A && p[3] == 0xEE, "3 bytes little-endian");
    ft_stn(p, 0x1122334455667788ull, 10, 1);
    CHECK(p[0] == 0 && p[1] == 0 && p[2] == 0x11 && p[9] == 0x88, "10 bytes: zeros above");
    ft_stn(p, 0xABCD, 2, 1);
    CHECK(p[0] == 0xAB && p[1] == 0xCD, "2 bytes big-endian");
    CHECK_EQ_U(ft_ldn(p, 0, 1), 0, "no bytes load 0");
    uint64_t v = 0x8877665544332211ull;
    int same = 1;
    for (size_t n = 1; n <= 8; n++) {
        uint64_t want = n == 8 ? v : v & ((1ull << (8 * n)) - 1);
        for (int big = 0; big <= 1; big++) {
            memset(p, 0, sizeof p);
            ft_stn(p, v, n, big);
            same &= ft_ldn(p, n, big) == want;
            same &= p[big ? n - 1 : 0] == 0x11;     /* the low byte's place */
        }
    }
    CHECK(same, "1..8 bytes round trip in both orders");
}

/* One datagram decoded by ft_pdu_decode on ctx a and into a garbage-filled
 * array of `room` flows on ctx b: the same flows, byte for byte, in the
 * array when they fit and in the context's own when they do not. */
static int decode_both(struct ft_pdu_ctx *a, struct ft_pdu_ctx *b, const struct buf *d,
                       size_t room, const char *what)
{
    static struct ft_flow out[64];
    struct ft_pdu_src src = src_of(IP(192, 0, 2, 9), 9995);
    struct ft_pdu_info ia, ib;
    struct ft_err err;
    memset(out, 0xA5, sizeof out);
    int na = ft_pdu_decode(a, &src, d->b, d->n, &ia, &err);
    int nb = ft_pdu_decode_into(b, &src, d->b, d->n, out, room, &ib, &err);
    CHECK(na == nb && na > 0, "%s: %d and %d flows", what, na, nb);
    CHECK((ib.flows == out) == ((size_t)nb <= room), "%s: flows %s the given array", what,
          ib.flows == out ? "in" : "not in");
    int same = na == nb && na > 0 && memcmp(ia.flows, ib.flows, (size_t)na * sizeof *ia.flows) == 0;
    CHECK(same, "%s: flows alike", what);
    return nb;
}

static void test_decode_into(void)
{
    struct ft_pdu_ctx *a = ft_pdu_ctx_new(NULL), *b = ft_pdu_ctx_new(NULL);
    struct buf d;
    uint64_t x = 0x2545F4914F6CDD1DULL;
    size_t rooms[] = {64, 30, 29, 7, 1, 0, 64};
    for (size_t i = 0; i < sizeof rooms / sizeof rooms[0]; i++) {
        v5_header(&d, 30, 1000 + 30 * (uint32_t)i, 1, 2, 0x4000 | 64);
        for (int k = 0; k < 30 * 48; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            b8(&d, (unsigned)x);
        }
        decode_both(a, b, &d, rooms[i], "v5");
    }
    v9_header(&d, 1, 42);
    v9_template_256(&d);
    v9_data_256(&d, 20, 1);
    decode_both(a, b, &d, 64, "v9, room");
    v9_header(&d, 2, 42);
    v9_data_256(&d, 20, 1);
    decode_both(a, b, &d, 5, "v9, no room");
    ft_pdu_ctx_free(a);
    ft_pdu_ctx_free(b);
}

int main(void)
{
    test_bytes_any_width();
    test_layouts();
    test_v5_shortcut();
    test_decode_into();
    test_v5();
    test_v5_malformed();
    test_nonstandard_count();
    test_v1_v6_v7();
    test_v8();
    test_v9_basic();
    test_v9_malformed();
    test_v9_field_rules();
    test_template_resolve();
    test_v9_sampling();
    test_ipfix();
    test_limits();
    test_pending_and_timeout();
    test_template_file();
    test_encoders();
    test_encoder_templates();
    test_pcap_frames();
    return ft_test_report("test_pdu");
}
