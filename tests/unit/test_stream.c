/*
 * test_stream.c - stream headers and the reader.
 *
 * Headers: the verified examples of stream-format.md encoded byte for byte,
 * every header of the compat streams re-encoded and compared with the file,
 * crafted headers for each rule of sections 2-4 (and refusals that must not
 * crash or allocate).  Reading: every stream of compat/inputs and
 * compat/expected is read to its end, its record count checked against
 * FLOW_COUNT, raw and decoded reading agree, little/big twins decode alike,
 * and stream-version-1 files convert as the original's flow-cat did.
 * Read-ahead: the same flows, end and message as without, whole or cut.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "stream/ft_stream.h"
#include "ft_test.h"
#include "stream_util.h"

static char tmpdir[256];
static unsigned files_read, headers_compared;

static void compat_path(char *buf, size_t len, const char *rel)
{
    snprintf(buf, len, "%s/compat/%s", ft_test_shared(), rel);
}

static const char *tmp_file(const char *name, const uint8_t *bytes, size_t len)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    if (su_spit(path, bytes, len) < 0)
        fprintf(stderr, "cannot write %s\n", path);
    return path;
}

/* ---- header encoding: the spec's verified examples --------------------- */

static void test_header_examples(void)
{
    /* flow-gen -V5, little endian host (stream-format.md 3.4) */
    static const uint8_t gen[48] = {
        0xcf, 0x10, 0x01, 0x03, 0x30, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x05, 0x00,
        0x08, 0x00, 0x04, 0x00, 0x08, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x09, 0x00,
        'f', 'l', 'o', 'w', '-', 'g', 'e', 'n', 0, 0x10, 0x00, 0x09, 0x00,
        'f', 'l', 'o', 'w', '-', 'g', 'e', 'n', 0};
    struct ft_header h;
    uint8_t buf[FT_HDR_MAX];
    ft_header_init(&h, ft_format_parse("5"));
    h.byte_order = FT_ORDER_LITTLE;
    ft_header_set_u32(&h, FT_TLV_HEADER_FLAGS, FT_HF_STREAMING);
    ft_header_set_str(&h, FT_TLV_CAP_HOSTNAME, "flow-gen");
    ft_header_set_str(&h, FT_TLV_COMMENTS, "flow-gen");
    ssize_t n = ft_header_encode(&h, buf, sizeof(buf));
    CHECK(n == 48 && memcmp(buf, gen, 48) == 0, "flow-gen header example (%zd bytes)", n);

    /* flow-capture placeholder (3.5), H = 92 */
    static const uint8_t cap[92] = {
        0xcf, 0x10, 0x01, 0x03, 0x5c, 0x00, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x05, 0x00,
        0x06, 0x00, 0x04, 0x00, 0x42, 0xc1, 0xf2, 0x65, 0x07, 0x00, 0x04, 0x00, 0, 0, 0, 0,
        0x08, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0x0a, 0x00, 0x04, 0x00, 0, 0, 0, 0,
        0x0b, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0x0d, 0x00, 0x04, 0x00, 0, 0, 0, 0,
        0x0e, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0x0f, 0x00, 0x03, 0x00, 'v', 'm', 0,
        0x10, 0x00, 0x09, 0x00, 't', 'e', 's', 't', ' ', 'c', 'm', 't', 0, 0, 0};
    ft_header_init(&h, ft_format_parse("5"));
    h.byte_order = FT_ORDER_LITTLE;
    ft_header_set_u32(&h, FT_TLV_CAP_START, 0x65f2c142);
    ft_header_set_u32(&h, FT_TLV_CAP_END, 0);
    ft_header_set_u32(&h, FT_TLV_FLOW_COUNT, 0);
    ft_header_set_u32(&h, FT_TLV_FLOW_LOST, 0);
    ft_header_set_u32(&h, FT_TLV_PKT_CORRUPT, 0);
    ft_header_set_u32(&h, FT_TLV_SEQ_RESET, 0);
    ft_header_set_str(&h, FT_TLV_COMMENTS, "test cmt");      /* order of calls is irrelevant */
    ft_header_set_str(&h, FT_TLV_CAP_HOSTNAME, "vm");
    n = ft_header_encode(&h, buf, sizeof(buf));
    CHECK(n == 92 && memcmp(buf, cap, 92) == 0, "flow-capture placeholder example (%zd)", n);

    /* v8 headers carry AGG_VER and AGG_METHOD; others never do */
    ft_header_init(&h, ft_format_parse("8.10"));
    h.byte_order = FT_ORDER_BIG;
    n = ft_header_encode(&h, buf, sizeof(buf));
    static const uint8_t v8[28] = {
        0xcf, 0x10, 0x02, 0x03, 0, 0, 0, 0x20, 0, 2, 0, 2, 0, 8, 0, 3, 0, 1, 2, 0, 4, 0, 1,
        0x0a, 0, 8, 0, 4};
    CHECK(n == 32 && memcmp(buf, v8, 28) == 0, "v8.10 header (%zd)", n);
    h.d_version = 5;
    n = ft_header_encode(&h, buf, sizeof(buf));
    CHECK_EQ_U(n, 24, "AGG_* not written for d_version 5");
    CHECK(ft_header_encode(&h, buf, 20) == -1, "encode into a too small buffer fails");
}

/* ---- every compat stream -------------------------------------------------- */

/* End of the TLVs of a file's header: what follows is the writer's padding. */
static size_t tlv_end(const uint8_t *p, size_t hlen, int big)
{
    size_t pos = 8;
    while (hlen - pos >= 4) {
        size_t vlen = big ? (size_t)(p[pos + 2] << 8 | p[pos + 3])
                          : (size_t)(p[pos + 3] << 8 | p[pos + 2]);
        if (vlen > hlen - pos - 4)
            break;
        unsigned type = big ? (unsigned)(p[pos] << 8 | p[pos + 1]) : (unsigned)(p[pos + 1] << 8 | p[pos]);
        if (type == 0 && vlen == 0)
            break;
        pos += 4 + vlen;
    }
    return pos;
}

static void check_header_bytes(const char *path, const struct ft_header *h)
{
    size_t flen;
    uint8_t *file = su_slurp(path, &flen), buf[FT_HDR_MAX];
    if (!file || h->s_version != 3)
        goto out;
    ssize_t n = ft_header_encode(h, buf, sizeof(buf));
    size_t end = tlv_end(file, h->header_len, h->byte_order == FT_ORDER_BIG);
    CHECK(n == (ssize_t)h->header_len, "%s: re-encoded header %zd bytes, file %u", path, n,
          h->header_len);
    CHECK(n > 0 && memcmp(buf, file, end) == 0, "%s: re-encoded header differs", path);
    headers_compared++;
out:
    free(file);
}

/* Decode the raw records of a second pass and compare with ft_reader_read's. */
static void check_raw_matches(const char *path, const struct ft_flow *flows, size_t n)
{
    struct ft_err err;
    struct ft_reader *r = ft_reader_open_path(path, &err);
    if (!r)
        return;
    const struct ft_format *fmt = ft_reader_format(r);
    size_t i = 0, bad = 0;
    const uint8_t *recs;
    ssize_t got;
    while ((got = ft_reader_raw(r, &recs, 777)) > 0) {
        for (ssize_t k = 0; k < got; k++, i++) {
            struct ft_flow f;
            const char *what;
            ft_rec_decode(fmt, ft_reader_order(r), recs + (size_t)k * fmt->rec_size, &f);
            bad += i >= n || su_flow_diff(&f, &flows[i], &what);
        }
    }
    CHECK(got == 0 && i == n && bad == 0, "%s: raw pass: %zu records, %zu differ, end %zd",
          path, i, bad, got);
    ft_reader_close(r);
}

static void check_compat_stream(const char *path)
{
    struct ft_flow *flows;
    size_t n;
    char msg[512];
    int rc = su_read_all(path, 1000, &flows, &n, msg, sizeof(msg));
    CHECK(rc == 0, "%s: read ended with %d: %s", path, rc, msg);
    files_read++;
    struct ft_err err;
    struct ft_reader *r = ft_reader_open_path(path, &err);
    if (r) {
        const struct ft_header *h = ft_reader_header(r);
        if ((h->flags & FT_HF_DONE) && FT_HAS(h, FT_TLV_FLOW_COUNT))
            CHECK(n == h->flow_count, "%s: %zu records, FLOW_COUNT %u", path, n, h->flow_count);
        if (n)
            CHECK(flows[0].has & FT_F_TIMES, "%s: times derived", path);
        check_header_bytes(path, h);
        ft_reader_close(r);
    }
    check_raw_matches(path, flows, n);
    free(flows);
}

static void test_compat_streams(void)
{
    char dir[512];
    compat_path(dir, sizeof(dir), "inputs");
    int in = su_each_stream(dir, 0, check_compat_stream);
    compat_path(dir, sizeof(dir), "expected");      /* .bin files hold several streams */
    int out = su_each_stream(dir, 1, check_compat_stream);
    CHECK(in >= 70, "streams in compat/inputs: %d", in);
    CHECK(out >= 100, "streams in compat/expected: %d", out);
    CHECK(headers_compared > 150, "headers compared: %u", headers_compared);
}

/* ---- twins: the same flows in another byte order or compression ------- */

static void check_twins(const char *a, const char *b)
{
    char pa[512], pb[512], msg[512];
    struct ft_flow *fa, *fb;
    size_t na, nb;
    compat_path(pa, sizeof(pa), a);
    compat_path(pb, sizeof(pb), b);
    int ra = su_read_all(pa, 4096, &fa, &na, msg, sizeof(msg));
    int rb = su_read_all(pb, 333, &fb, &nb, msg, sizeof(msg));
    const char *what = "";
    long at = su_flows_diff(fa, na, fb, nb, &what);
    CHECK(ra == 0 && rb == 0 && na > 0 && at < 0, "%s vs %s: %zu/%zu flows, first "
          "difference at %ld in %s", a, b, na, nb, at, what);
    free(fa);
    free(fb);
}

static void test_twins(void)
{
    static const char *pairs[][2] = {
        {"inputs/v5.ft", "inputs/v5_big.ft"},
        {"inputs/v5.ft", "inputs/v5_z.ft"},
        {"inputs/v1.ft", "inputs/v1_big_z.ft"},
        {"inputs/v6.ft", "inputs/v6_big_z.ft"},
        {"inputs/v7.ft", "inputs/v7_big.ft"},
        {"inputs/v7.ft", "expected/cat/cat_big_out.ft"},
        {"inputs/v6.ft", "expected/cat/cat_z6.ft"},
        {"inputs/gen/v5.ft", "inputs/gen/v5_big.ft"},
        {"inputs/gen/v7.ft", "inputs/gen/v7_z9.ft"},
        {"inputs/gen/v8.8.ft", "inputs/gen/v8.8_big_z3.ft"},
        {"inputs/v1.ft", "expected/cat/cat_stdin_dash.ft"},
        {"expected/tag/tag_sites.ft", "expected/tag/tag_compressed.ft"},
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
        check_twins(pairs[i][0], pairs[i][1]);
    for (int agg = 1; agg <= 14; agg++) {
        char a[64], b[64];
        snprintf(a, sizeof(a), "inputs/v8.%d.ft", agg);
        snprintf(b, sizeof(b), "inputs/v8.%d_big.ft", agg);
        check_twins(a, b);
    }
}

/* ---- stream version 1 -------------------------------------------------- */

static void test_sv1_headers(void)
{
    static const struct { const char *file; unsigned dv; int big, z; } cases[] = {
        {"inputs/crafted/sv1_v5.ft", 5, 0, 0}, {"inputs/crafted/sv1_v5_big.ft", 5, 1, 0},
        {"inputs/crafted/sv1_v5_z.ft", 5, 0, 1}, {"inputs/crafted/sv1_v1_big.ft", 1, 1, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char path[512];
        struct ft_err err;
        compat_path(path, sizeof(path), cases[i].file);
        struct ft_reader *r = ft_reader_open_path(path, &err);
        CHECK(r != NULL, "%s: %s", path, err.msg);
        if (!r)
            continue;
        const struct ft_header *h = ft_reader_header(r);
        CHECK_EQ_U(h->s_version, 1, "sv1 stream version");
        CHECK_EQ_U(h->header_len, 360, "sv1 header length");
        CHECK_EQ_U(h->d_version, cases[i].dv, "sv1 d_version (65535 reads as 1)");
        CHECK(ft_reader_format(r) == ft_format_find(cases[i].dv, 0), "sv1 format");
        CHECK_EQ_U(h->byte_order, cases[i].big ? 2 : 1, "sv1 byte order");
        CHECK_EQ_S(h->hostname, "oldcollector", "sv1 hostname");
        CHECK(strstr(h->comments, "stream version 1 test file") != NULL, "sv1 comments");
        CHECK(FT_HAS(h, FT_TLV_EX_VER) && FT_HAS(h, FT_TLV_FLOW_COUNT) &&
              FT_HAS(h, FT_TLV_CAP_HOSTNAME) && FT_HAS(h, FT_TLV_COMMENTS),
              "sv1 present bits");
        CHECK(!FT_HAS(h, FT_TLV_CAP_START) && !FT_HAS(h, FT_TLV_CAP_END) &&
              !FT_HAS(h, FT_TLV_FLOW_LOST), "sv1 quirk: no capture start/end/lost bits");
        CHECK_EQ_U(h->flow_count, 60, "sv1 flow count");
        CHECK_EQ_U(h->cap_start, 0x65f2bc90, "sv1 capture start value kept");
        CHECK(h->flags & FT_HF_DONE, "sv1 DONE");
        CHECK((!(h->flags & FT_HF_XLATE)) == cases[i].big,
              "sv1 XLATE shows only for little-endian files (flags %#x)", h->flags);
        CHECK(!!(h->flags & FT_HF_COMPRESS) == cases[i].z, "sv1 compress flag");
        ft_reader_close(r);
    }
}

/* flow-cat of an sv1 file (made by the original) holds the converted records. */
static void test_sv1_records(void)
{
    char sv1[512], cat[512];
    struct ft_err err;
    compat_path(sv1, sizeof(sv1), "inputs/crafted/sv1_v5.ft");
    compat_path(cat, sizeof(cat), "expected/cat/cat_sv1.ft");
    struct ft_reader *a = ft_reader_open_path(sv1, &err), *b = ft_reader_open_path(cat, &err);
    CHECK(a && b, "open sv1 and its flow-cat output");
    if (a && b) {
        const uint8_t *ra, *rb;
        ssize_t na = ft_reader_raw(a, &ra, 1000), nb = ft_reader_raw(b, &rb, 1000);
        CHECK(na == 60 && nb == 60 && memcmp(ra, rb, 60 * 64) == 0,
              "sv1 records converted to v5 exactly as the original (%zd/%zd)", na, nb);
        CHECK(ft_reader_raw(a, &ra, 1000) == 0, "sv1 raw end");
    }
    ft_reader_close(a);
    ft_reader_close(b);
    check_twins("inputs/crafted/sv1_v5.ft", "expected/cat/cat_sv1.ft");
    check_twins("inputs/crafted/sv1_v5_big.ft", "expected/cat/cat_sv1.ft");
    check_twins("inputs/crafted/sv1_v5_z.ft", "expected/cat/cat_sv1.ft");
    check_twins("inputs/crafted/sv1_v1_big.ft", "expected/cat/cat_sv1_v1.ft");
}

/* ---- crafted headers --------------------------------------------------- */

struct hb {
    uint8_t b[70000];
    size_t len;
    int big;
};

static void hb_start(struct hb *h, int order, int s_version)
{
    h->b[0] = 0xcf;
    h->b[1] = 0x10;
    h->b[2] = (uint8_t)order;
    h->b[3] = (uint8_t)s_version;
    h->len = 8;
    h->big = order == 2;
}

static void hb_16(struct hb *h, unsigned v)
{
    h->b[h->len + !h->big] = (uint8_t)(v >> 8);
    h->b[h->len + h->big] = (uint8_t)v;
    h->len += 2;
}

static void hb_32(struct hb *h, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        h->b[h->len + i] = (uint8_t)(v >> (8 * (h->big ? 3 - i : i)));
    h->len += 4;
}

static void hb_tlv(struct hb *h, unsigned type, unsigned len, const void *v)
{
    hb_16(h, type);
    hb_16(h, len);
    memcpy(h->b + h->len, v, len);
    h->len += len;
}

static void hb_tlv_u16(struct hb *h, unsigned type, unsigned v)
{
    hb_16(h, type);
    hb_16(h, 2);
    hb_16(h, v);
}

static void hb_tlv_u32(struct hb *h, unsigned type, uint32_t v)
{
    hb_16(h, type);
    hb_16(h, 4);
    hb_32(h, v);
}

/* Set the header length to the bytes so far (+ extra) and return the file. */
static const char *hb_file(struct hb *h, const char *name, size_t extra)
{
    size_t end = h->len;
    h->len = 4;
    hb_32(h, (uint32_t)(end + extra));
    h->len = end;
    memset(h->b + end, 0, extra);
    return tmp_file(name, h->b, end + extra);
}

static struct ft_reader *open_expect(const char *path, const char *want_msg)
{
    struct ft_err err = {{0}};
    struct ft_reader *r = ft_reader_open_path(path, &err);
    if (want_msg) {
        CHECK(r == NULL && strstr(err.msg, want_msg) && strstr(err.msg, path),
              "%s: want refusal \"%s\", got \"%s\"", path, want_msg, err.msg);
        ft_reader_close(r);
        return NULL;
    }
    CHECK(r != NULL, "%s: %s", path, err.msg);
    return r;
}

static void test_refusals(void)
{
    static struct hb h;
    const char *p;

    p = tmp_file("empty", NULL, 0);
    open_expect(p, "empty stream");
    hb_start(&h, 1, 3);
    p = tmp_file("magic", (const uint8_t *)"\xcf\x11\x01\x03\x08\0\0\0", 8);
    open_expect(p, "bad magic");
    p = tmp_file("text", (const uint8_t *)"hello world\n", 12);
    open_expect(p, "bad magic");
    p = tmp_file("sv2", (const uint8_t *)"\xcf\x10\x01\x02\x08\0\0\0", 8);
    open_expect(p, "stream version 2");
    p = tmp_file("short", (const uint8_t *)"\xcf\x10\x01", 3);
    open_expect(p, "truncated header");

    hb_start(&h, 1, 3);
    hb_tlv_u16(&h, FT_TLV_EX_VER, 5);
    h.len = 4;
    hb_32(&h, 4);
    p = tmp_file("hlen4", h.b, 8);
    open_expect(p, "out of range");
    h.len = 4;
    hb_32(&h, 0x7fffffff);
    p = tmp_file("hlenhuge", h.b, 14);
    open_expect(p, "out of range");
    h.len = 4;
    hb_32(&h, 200);
    p = tmp_file("hlencut", h.b, 14);
    open_expect(p, "truncated header");

    hb_start(&h, 1, 3);
    hb_tlv_u16(&h, FT_TLV_EX_VER, 3);
    open_expect(hb_file(&h, "dv3", 2), "unsupported export version 3");
    hb_start(&h, 1, 3);
    open_expect(hb_file(&h, "noexver", 0), "no export version");

    uint8_t agg15 = 15, two = 2, three = 3, one = 1;
    hb_start(&h, 1, 3);
    hb_tlv_u16(&h, FT_TLV_EX_VER, 8);
    hb_tlv(&h, FT_TLV_AGG_VER, 1, &two);
    hb_tlv(&h, FT_TLV_AGG_METHOD, 1, &agg15);
    open_expect(hb_file(&h, "agg15", 3), "aggregation method 15");
    hb_start(&h, 1, 3);
    hb_tlv_u16(&h, FT_TLV_EX_VER, 8);
    hb_tlv(&h, FT_TLV_AGG_VER, 1, &three);
    hb_tlv(&h, FT_TLV_AGG_METHOD, 1, &one);
    open_expect(hb_file(&h, "aggver3", 2), "aggregation version 3");

    /* sv1 with an export version other than 1/5/65535 */
    uint8_t sv1[360] = {0xcf, 0x10, 1, 1, 7, 0};
    open_expect(tmp_file("sv1_v7", sv1, sizeof(sv1)), "export version 7");
    open_expect(tmp_file("sv1_short", sv1, 100), "truncated header");
}

static void test_tlv_rules(void)
{
    static struct hb h;
    uint8_t vendor = 1;
    struct ft_reader *r;

    /* unknown types are skipped; a TLV running past the header stops parsing */
    for (int order = 1; order <= 2; order++) {
        hb_start(&h, order, 3);
        hb_tlv(&h, FT_TLV_VENDOR, 1, &vendor);
        hb_tlv(&h, 0x77, 5, "abcde");
        hb_16(&h, FT_TLV_EX_VER);
        hb_16(&h, 2);
        hb_16(&h, 5);
        hb_tlv(&h, FT_TLV_CAP_HOSTNAME, 6, "host1");
        hb_16(&h, FT_TLV_COMMENTS);
        hb_16(&h, 300);             /* runs past the end */
        memcpy(h.b + h.len, "cut", 4);
        h.len += 4;
        r = open_expect(hb_file(&h, "tlvrules", 0), NULL);
        if (r) {
            const struct ft_header *hd = ft_reader_header(r);
            CHECK(hd->d_version == 5 && hd->vendor == 1 && FT_HAS(hd, FT_TLV_VENDOR),
                  "order %d: fields before the bad TLV kept", order);
            CHECK_EQ_S(hd->hostname, "host1", "hostname");
            CHECK(!FT_HAS(hd, FT_TLV_COMMENTS), "the TLV past the end is not read");
            CHECK(!(hd->present & ~0x8006u & ~(1u << FT_TLV_CAP_HOSTNAME)),
                  "no stray present bits (%#x)", hd->present);
            CHECK(ft_reader_order(r) == order, "reader order");
            ft_reader_close(r);
        }
    }

    /* a non-terminated string is cut at its length */
    hb_start(&h, 1, 3);
    hb_tlv_u16(&h, FT_TLV_EX_VER, 5);
    hb_tlv(&h, FT_TLV_COMMENTS, 3, "xyz");
    r = open_expect(hb_file(&h, "strnul", 1), NULL);
    if (r)
        CHECK_EQ_S(ft_reader_header(r)->comments, "xyz", "unterminated string");
    ft_reader_close(r);

    /* "BROKEN" byte order: accepted, integers and records in host order */
    int host = ft_host_order();
    hb_start(&h, host, 3);
    h.b[2] = 7;
    hb_tlv_u16(&h, FT_TLV_EX_VER, 5);
    uint8_t rec[64];
    struct ft_flow f, g;
    su_rand_flow(ft_format_parse("5"), 32, &f);
    ft_rec_encode(ft_format_parse("5"), host, &f, rec);
    hb_file(&h, "broken", 2);
    memcpy(h.b + h.len + 2, rec, 64);
    const char *p = tmp_file("broken", h.b, h.len + 2 + 64);
    r = open_expect(p, NULL);
    if (r) {
        CHECK_EQ_U(ft_reader_header(r)->byte_order, 7, "broken byte order kept");
        CHECK_EQ_U(ft_reader_order(r), host, "broken order reads as host order");
        const char *what;
        CHECK(ft_reader_read(r, &g, 1) == 1 && !su_flow_diff(&f, &g, &what),
              "broken-order record");
        CHECK(ft_reader_read(r, &g, 1) == 0, "then the end");
        ft_reader_close(r);
    }

    /* ZSTD without COMPRESS means nothing: plain records */
    hb_start(&h, 1, 3);
    hb_tlv_u16(&h, FT_TLV_EX_VER, 5);
    hb_tlv_u32(&h, FT_TLV_HEADER_FLAGS, FT_HF_ZSTD);
    hb_file(&h, "zstdflag", 2);
    ft_rec_encode(ft_format_parse("5"), FT_ORDER_LITTLE, &f, h.b + h.len + 2);
    r = open_expect(tmp_file("zstdflag", h.b, h.len + 2 + 64), NULL);
    if (r)
        CHECK(ft_reader_read(r, &g, 5) == 1, "zstd flag alone: plain records");
    ft_reader_close(r);
}

/*
 * Big-endian v1005: the header flag, not the records, says the layout.  One
 * record, written by hand with 32-bit big-endian tags and a big-endian
 * exporter, is read as such with BE1005_FIXED and in flow-tools' layout
 * without it (the original's file, with what the original would read).
 */
static void test_be1005_flag(void)
{
    static const uint8_t tail[8] = {0x12, 0x34, 0x56, 0x78, 0x00, 0x00, 0xab, 0xcd};
    static const uint8_t exaddr[4] = {0x7f, 0x00, 0x00, 0x01};
    static const struct {
        int order, dv;
        uint32_t flags;
        int want_order;
        uint32_t exaddr, src_tag, dst_tag;
    } cases[] = {
        {2, 1005, FT_HF_BE1005_FIXED, FT_ORDER_BIG, 0x7f000001, 0x12345678, 0xabcd},
        {2, 1005, 0, FT_ORDER_BIG_FLOWTOOLS, 0x0100007f, 0x1234, 0},
        {2, 1005, FT_HF_BE1005_FIXED | FT_HF_STREAMING, FT_ORDER_BIG, 0x7f000001,
         0x12345678, 0xabcd},
        /* little-endian: the flag changes nothing */
        {1, 1005, FT_HF_BE1005_FIXED, FT_ORDER_LITTLE, 0x0100007f, 0x78563412, 0xcdab0000},
        {1, 1005, 0, FT_ORDER_LITTLE, 0x0100007f, 0x78563412, 0xcdab0000},
        /* other formats have one big-endian layout */
        {2, 5, 0, FT_ORDER_BIG, 0x7f000001, 0, 0},
        {2, 5, FT_HF_BE1005_FIXED, FT_ORDER_BIG, 0x7f000001, 0, 0},
    };
    static struct hb h;
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        hb_start(&h, cases[c].order, 3);
        hb_tlv_u16(&h, FT_TLV_EX_VER, (unsigned)cases[c].dv);
        hb_tlv_u32(&h, FT_TLV_HEADER_FLAGS, cases[c].flags);
        hb_file(&h, "be1005", 2);     /* a header length of 24 */
        h.len += 2;
        size_t rs = cases[c].dv == 1005 ? 72 : 64;
        uint8_t *rec = h.b + h.len;
        memset(rec, 0, rs);
        memcpy(rec + 12, exaddr, 4);
        if (rs == 72)
            memcpy(rec + 64, tail, 8);
        char path[512];
        snprintf(path, sizeof(path), "%s", tmp_file("be1005", h.b, h.len + rs));
        struct ft_reader *r = open_expect(path, NULL);
        if (!r)
            continue;
        struct ft_flow f;
        const uint8_t *raw;
        CHECK(ft_reader_order(r) == cases[c].want_order, "case %zu: reader order %#x", c,
              (unsigned)ft_reader_order(r));
        CHECK(ft_reader_read(r, &f, 2) == 1, "case %zu: one record", c);
        CHECK(f.exaddr.v4 == cases[c].exaddr && f.src_tag == cases[c].src_tag &&
              f.dst_tag == cases[c].dst_tag, "case %zu: exporter %08x tags %x %x", c,
              f.exaddr.v4, f.src_tag, f.dst_tag);
        ft_reader_close(r);
        /* the raw records are the file's bytes, whatever the layout */
        r = open_expect(path, NULL);
        CHECK(r && ft_reader_raw(r, &raw, 2) == 1 && memcmp(raw, h.b + h.len, rs) == 0,
              "case %zu: raw record as stored", c);
        ft_reader_close(r);
    }
}

/* IF_NAME / IF_ALIAS round trip in the intended layout (3.3). */
static void test_if_tlvs(void)
{
    struct ft_ifname names[2] = {{0x0a000001, 3, "ge-0/0/3"}, {0xc0000201, 65535, "uplink"}};
    struct ft_ifalias alias = {0x0a000001, 3, {1, 2, 700}, "campus"};
    for (int order = 1; order <= 2; order++) {
        struct ft_header h;
        uint8_t buf[FT_HDR_MAX];
        ft_header_init(&h, ft_format_parse("5"));
        h.byte_order = (uint8_t)order;
        h.ifnames = names;
        h.n_ifnames = 2;
        h.ifaliases = &alias;
        h.n_ifaliases = 1;
        FT_SET(&h, FT_TLV_IF_NAME);
        FT_SET(&h, FT_TLV_IF_ALIAS);
        ssize_t n = ft_header_encode(&h, buf, sizeof(buf));
        /* first IF_NAME right after EX_VER and HEADER_FLAGS: offset 22 */
        static const uint8_t le[] = {0x11, 0, 15, 0, 1, 0, 0, 10, 3, 0, 'g', 'e'};
        static const uint8_t be[] = {0, 0x11, 0, 15, 10, 0, 0, 1, 0, 3, 'g', 'e'};
        CHECK(n > 0 && memcmp(buf + 22, order == 1 ? le : be, sizeof(le)) == 0,
              "IF_NAME intended layout, order %d", order);
        struct ft_reader *r = open_expect(tmp_file("ifnames", buf, (size_t)n), NULL);
        if (!r)
            continue;
        const struct ft_header *g = ft_reader_header(r);
        CHECK(g->n_ifnames == 2 && g->n_ifaliases == 1, "if entries read");
        if (g->n_ifnames == 2 && g->n_ifaliases == 1) {
            CHECK(g->ifnames[1].ip == 0xc0000201 && g->ifnames[1].ifindex == 65535 &&
                  !strcmp(g->ifnames[1].name, "uplink"), "IF_NAME values");
            CHECK(g->ifaliases[0].n == 3 && g->ifaliases[0].ifindex[2] == 700 &&
                  !strcmp(g->ifaliases[0].name, "campus"), "IF_ALIAS values");
        }
        uint8_t again[FT_HDR_MAX];
        CHECK(ft_header_encode(g, again, sizeof(again)) == n && !memcmp(again, buf, (size_t)n),
              "IF TLVs re-encode identically");
        ft_reader_close(r);
    }
}

static void test_parse_compression(void)
{
    static const struct { const char *arg; int ok, comp, level; } cases[] = {
        {"0", 1, FT_COMP_NONE, 0}, {"1", 1, FT_COMP_ZLIB, 1}, {"9", 1, FT_COMP_ZLIB, 9},
        {"10", 0, 0, 0}, {"-1", 0, 0, 0}, {"", 0, 0, 0}, {"a", 0, 0, 0}, {"5x", 0, 0, 0},
#ifdef HAVE_ZSTD
        {"zstd", 1, FT_COMP_ZSTD, 1}, {"zstd:1", 1, FT_COMP_ZSTD, 1},
        {"zstd:19", 1, FT_COMP_ZSTD, 19}, {"zstd:0", 0, 0, 0}, {"zstd:20", 0, 0, 0},
        {"zstd:", 0, 0, 0}, {"zstdx", 0, 0, 0},
#endif
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct ft_write_opts o = {0, FT_COMP_NONE, 0, 0, 0};
        struct ft_err err = {{0}};
        int rc = ft_parse_compression(cases[i].arg, &o, &err);
        if (cases[i].ok)
            CHECK(rc == 0 && (int)o.comp == cases[i].comp && o.level == cases[i].level,
                  "-z %s", cases[i].arg);
        else
            CHECK(rc == -1 && err.msg[0], "-z %s must fail", cases[i].arg);
    }
    struct ft_write_opts o;
    struct ft_err err;
    ft_parse_compression("12", &o, &err);
    CHECK_EQ_S(err.msg, "Compression level must be between 0 and 9", "original wording");
}

/* Reading from a pipe: header and records arrive in pieces. */
static void test_pipe_reading(void)
{
    char path[512];
    size_t len;
    compat_path(path, sizeof(path), "inputs/v5_z.ft");
    uint8_t *file = su_slurp(path, &len);
    int fds[2];
    if (!file || pipe(fds) < 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        for (size_t off = 0; off < len; off += 1000) {   /* dribble it out */
            size_t n = len - off < 1000 ? len - off : 1000;
            if (write(fds[1], file + off, n) != (ssize_t)n)
                _exit(1);
            usleep(200);
        }
        _exit(0);
    }
    close(fds[1]);
    struct ft_err err;
    struct ft_reader *r = ft_reader_open(fds[0], "pipe", FT_READ_CLOSE_FD, &err);
    CHECK(r != NULL, "open pipe: %s", err.msg);
    size_t total = 0;
    ssize_t got = 0;
    struct ft_flow flows[64];
    while (r && (got = ft_reader_read(r, flows, 64)) > 0)
        total += (size_t)got;
    CHECK(got == 0 && total == 435, "records through a pipe: %zu", total);
    ft_reader_close(r);
    waitpid(pid, NULL, 0);
    free(file);
}

/* ---- read-ahead: the same flows, end and damage as without ------------- */

struct pass {
    struct ft_flow *flows;
    size_t n;
    ssize_t end;                /* the last return: 0, -1; -2 when not opened */
    char msg[512];
    uint64_t count;
};

/* Read all of path in batches of `batch`: reading ahead or not, through
 * ft_reader_flows (zero_copy) or ft_reader_read. */
static void read_pass(const char *path, int ahead, int zero_copy, size_t batch,
                      struct pass *p)
{
    struct ft_err err = {{0}};
    memset(p, 0, sizeof(*p));
    struct ft_reader *r = ft_reader_open_path(path, &err);
    if (!r) {
        p->end = -2;
        snprintf(p->msg, sizeof(p->msg), "%s", err.msg);
        return;
    }
    if (ahead) {
        CHECK(ft_reader_read_ahead(r, &err) == 0, "%s: read-ahead: %s", path, err.msg);
        CHECK(ft_reader_read_ahead(r, &err) == 0, "%s: read-ahead twice", path);
    }
    size_t cap = 0, too_many = 0;
    for (;;) {
        if (p->n + batch > cap) {
            cap = (p->n + batch) * 2;
            p->flows = realloc(p->flows, cap * sizeof(*p->flows));
        }
        const struct ft_flow *got;
        if (zero_copy) {
            p->end = ft_reader_flows(r, &got, batch);
            if (p->end > 0)
                memcpy(p->flows + p->n, got, (size_t)p->end * sizeof(*got));
        } else {
            p->end = ft_reader_read(r, p->flows + p->n, batch);
        }
        if (p->end <= 0)
            break;
        too_many += (size_t)p->end > batch;
        p->n += (size_t)p->end;
    }
    CHECK(too_many == 0, "%s: %zu times more flows than asked for", path, too_many);
    snprintf(p->msg, sizeof(p->msg), "%s", ft_reader_error(r));
    p->count = ft_reader_count(r);
    struct ft_flow one;
    CHECK(ft_reader_read(r, &one, 1) == p->end, "%s: the end is final", path);
    ft_reader_close(r);
}

static void compare_passes(const char *path, const struct pass *want, const struct pass *got,
                           const char *how)
{
    const char *what = "";
    long at = su_flows_diff(want->flows, want->n, got->flows, got->n, &what);
    CHECK(at < 0, "%s %s: first difference at flow %ld in %s", path, how, at, what);
    CHECK(got->end == want->end, "%s %s: ended %zd, want %zd", path, how, got->end,
          want->end);
    CHECK_EQ_S(got->msg, want->msg, "message with read-ahead");
    CHECK_EQ_U(got->count, want->n, "flows counted");
}

/* Without read-ahead through ft_reader_read, then every other way. */
static void check_read_ahead(const char *path)
{
    static const size_t batches[] = {1, 7, FT_READ_BATCH, 10000};
    struct pass want, got;
    read_pass(path, 0, 0, 1000, &want);
    read_pass(path, 0, 1, 333, &got);
    compare_passes(path, &want, &got, "ft_reader_flows");
    free(got.flows);
    for (size_t i = 0; i < sizeof(batches) / sizeof(batches[0]); i++) {
        for (int zero_copy = 0; zero_copy < 2; zero_copy++) {
            char how[64];
            snprintf(how, sizeof(how), "read ahead, %s by %zu",
                     zero_copy ? "ft_reader_flows" : "ft_reader_read", batches[i]);
            read_pass(path, 1, zero_copy, batches[i], &got);
            compare_passes(path, &want, &got, how);
            free(got.flows);
        }
    }
    free(want.flows);
}

/* A stream of n random flows of fmt, as the options say; its path. */
static const char *write_stream(const char *name, const char *fmt_name,
                                enum ft_compression comp, int level, size_t n)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    const struct ft_format *fmt = ft_format_parse(fmt_name);
    struct ft_write_opts o = {.comp = comp, .level = level};
    struct ft_header h;
    struct ft_err err = {{0}};
    ft_header_init(&h, fmt);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    struct ft_writer *w = fd < 0 ? NULL : ft_writer_open(fd, path, &h, &o, &err);
    CHECK(w != NULL, "write %s: %s", path, err.msg);
    for (size_t i = 0; w && i < n; i++) {
        struct ft_flow f;
        if (fmt->d_version == FT_DV_EXTENDED)
            su_rand_full_flow(&f);
        else
            su_rand_flow(fmt, 32, &f);
        ft_writer_write(w, &f, 1);
    }
    CHECK(w && ft_writer_close(w, &err) == 0, "close %s: %s", path, err.msg);
    if (fd >= 0)
        close(fd);
    return path;
}

static void test_read_ahead(void)
{
    char dir[512];
    compat_path(dir, sizeof(dir), "inputs");
    CHECK(su_each_stream(dir, 0, check_read_ahead) >= 70, "compat streams read ahead");

    /* streams of several batches, whole and cut: the same flows before the
     * damage and the same message naming the file and the byte offset */
    static const struct { const char *name, *fmt; enum ft_compression comp; int level; } s[] = {
        {"ra_v5.ft", "5", FT_COMP_NONE, 0},
        {"ra_v5_z.ft", "5", FT_COMP_ZLIB, 6},
        {"ra_v8.ft", "8.14", FT_COMP_NONE, 0},
#ifdef HAVE_ZSTD
        {"ra_v5_zstd.ft", "5", FT_COMP_ZSTD, 1},
#endif
        {"ra_ext_z.ft", "extended", FT_COMP_ZLIB, 1},   /* column blocks */
    };
    const size_t n = 5 * FT_READ_BATCH + 123;   /* the queue goes round */
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        const char *path = write_stream(s[i].name, s[i].fmt, s[i].comp, s[i].level, n);
        struct pass whole;
        read_pass(path, 1, 1, FT_READ_BATCH, &whole);
        CHECK(whole.end == 0 && whole.n == n, "%s: %zu flows, end %zd: %s", path, whole.n,
              whole.end, whole.msg);
        free(whole.flows);
        check_read_ahead(path);
        size_t len;
        uint8_t *bytes = su_slurp(path, &len);
        /* not the last bytes: a zlib stream cut in its checksum reads whole */
        const size_t cuts[] = {len / 3, len / 2 + 13, len - len / 10 + 1};
        for (size_t c = 0; bytes && c < sizeof(cuts) / sizeof(cuts[0]); c++) {
            char cut_name[64];
            snprintf(cut_name, sizeof(cut_name), "cut%zu_%s", c, s[i].name);
            const char *cut = tmp_file(cut_name, bytes, cuts[c]);
            struct pass want;
            read_pass(cut, 0, 0, 1000, &want);
            CHECK(want.end == -1 && strstr(want.msg, cut) && strstr(want.msg, "byte offset"),
                  "%s: ended %zd: %s", cut, want.end, want.msg);
            free(want.flows);
            check_read_ahead(cut);
        }
        if (bytes) {        /* corrupt compressed data: the same message too */
            char flip_name[64];
            snprintf(flip_name, sizeof(flip_name), "flip_%s", s[i].name);
            bytes[len / 2] ^= 0x5a;
            check_read_ahead(tmp_file(flip_name, bytes, len));
        }
        free(bytes);
    }
}

/* Raw records are refused while reading ahead; closing early does not wait
 * for the rest of the stream. */
static void test_read_ahead_limits(void)
{
    const char *path = write_stream("ra_limits.ft", "5", FT_COMP_ZLIB, 1, 8 * FT_READ_BATCH);
    struct ft_err err;
    struct ft_reader *r = ft_reader_open_path(path, &err);
    if (!r)
        return;
    CHECK(ft_reader_read_ahead(r, &err) == 0, "read-ahead: %s", err.msg);
    const uint8_t *recs;
    CHECK(ft_reader_raw(r, &recs, 10) == -1, "raw records refused while reading ahead");
    CHECK(strstr(ft_reader_error(r), path) && strstr(ft_reader_error(r), "reading ahead"),
          "says why: %s", ft_reader_error(r));
    struct ft_flow f[10];
    CHECK(ft_reader_read(r, f, 0) == 0, "no flows asked, none given");
    CHECK(ft_reader_read(r, f, 10) == 10, "flows still come");
    CHECK_EQ_U(ft_reader_count(r), 10, "count of flows handed out");
    ft_reader_close(r);             /* with batches read ahead and more to come */
}

int main(void)
{
    if (ft_test_mkdtemp(tmpdir, sizeof tmpdir, "test_stream") < 0)
        return 1;
    test_header_examples();
    test_compat_streams();
    test_twins();
    test_sv1_headers();
    test_sv1_records();
    test_refusals();
    test_be1005_flag();
    test_tlv_rules();
    test_if_tlvs();
    test_parse_compression();
    test_pipe_reading();
    test_read_ahead();
    test_read_ahead_limits();
    ft_test_rmtree(tmpdir);
    printf("(%u streams read, %u headers compared)\n", files_read, headers_compared);
    return ft_test_report("test_stream");
}
