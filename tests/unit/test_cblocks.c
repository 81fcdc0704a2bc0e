/*
 * test_cblocks.c - column blocks of layout 2 (ft_cblocks.h, FT_HF_BLOCKS2)
 * and their parallel decoding (ft_bpool.h): every format and both byte
 * orders round trip byte for byte, on 0 to 4 worker threads and through
 * read-ahead; a reader asking for some fields gets exactly their columns
 * and zeros elsewhere; layout-1 zstd streams are still read; a damaged
 * block ends the stream after every record before it, with a message
 * naming the file and the block's byte offset.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif
#include "stream/ft_stream.h"
#include "stream/ft_blocks.h"
#include "stream/ft_cblocks.h"
#include "core/ft_field.h"
#include "core/ft_bytes.h"
#include "ft_test.h"
#include "stream_util.h"

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return path;
}

/* n random records of fmt in byte order `order`, written to path with o;
 * the records as the writer stores them in *recs.  Returns header flags. */
static uint32_t write_recs(const char *path, const struct ft_format *fmt, int order,
                           const struct ft_write_opts *o, size_t n, uint8_t **recs)
{
    struct ft_header h;
    struct ft_err err;
    ft_header_init(&h, fmt);
    struct ft_write_opts wo = *o;
    wo.byte_order = order;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    struct ft_writer *w = ft_writer_open(fd, path, &h, &wo, &err);
    CHECK(w != NULL, "open %s: %s", path, err.msg);
    *recs = malloc(n * fmt->rec_size);
    if (!w)
        return 0;
    struct ft_flow f;
    for (size_t i = 0; i < n; i++) {
        su_rand_flow(fmt, order == FT_ORDER_BIG && fmt->d_version == 1005 ? 16 : 32, &f);
        if (i % 7 == 3)
            f.dstport = f.srcport = 0;      /* columns zero in some records */
        ft_rec_encode(fmt, ft_order_of(fmt, order), &f, *recs + i * fmt->rec_size);
    }
    ft_writer_write_raw(w, *recs, n, order);
    uint32_t flags = ft_writer_header(w)->flags;
    CHECK(ft_writer_close(w, &err) == 0, "close %s: %s", path, err.msg);
    close(fd);
    return flags;
}

struct got {
    uint8_t *recs;
    size_t n;
    int rc;
    char msg[600];
};

/* Raw records of path read with `threads` workers (-1: none asked) and
 * want (0: all), in batches of `batch`. */
static void read_raw(const char *path, int threads, uint64_t want, size_t batch,
                     struct got *g)
{
    struct ft_err err = {{0}};
    memset(g, 0, sizeof *g);
    struct ft_reader *r = ft_reader_open_path(path, &err);
    if (!r) {
        g->rc = -2;
        snprintf(g->msg, sizeof g->msg, "%s", err.msg);
        return;
    }
    ft_reader_want(r, want);
    if (threads >= 0)
        CHECK(ft_reader_parallel(r, (unsigned)threads, &err) == 0, "%s: parallel: %s", path,
              err.msg);
    size_t rs = ft_reader_format(r)->rec_size, cap = 0;
    const uint8_t *p;
    ssize_t k;
    while ((k = ft_reader_raw(r, &p, batch)) > 0) {
        if ((g->n + (size_t)k) * rs > cap)
            g->recs = realloc(g->recs, cap = (g->n + (size_t)k) * rs * 2);
        memcpy(g->recs + g->n * rs, p, (size_t)k * rs);
        g->n += (size_t)k;
    }
    g->rc = (int)k;
    snprintf(g->msg, sizeof g->msg, "%s", ft_reader_error(r));
    ft_reader_close(r);
}

/* Every format, both byte orders, block-sized and odd counts, 0..4 workers. */
static void test_round_trip(void)
{
    static const size_t counts[] = {0, 1, 8192, 8192 * 2 + 77};
    static const int threads[] = {-1, 1, 2, 4};
    struct ft_write_opts o = {.comp = FT_COMP_ZSTD, .level = 1};
    unsigned formats = 0;
    for (const struct ft_format *fmt = ft_formats; fmt->name; fmt++, formats++) {
        for (int big = 0; big < 2; big++) {
            for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
                uint8_t *recs;
                const char *path = tmp_path("rt.ft");
                int order = big ? FT_ORDER_BIG : FT_ORDER_LITTLE;
                uint32_t flags = write_recs(path, fmt, order, &o, counts[c], &recs);
                CHECK((flags & (FT_HF_BLOCKS | FT_HF_BLOCKS2)) == (FT_HF_BLOCKS | FT_HF_BLOCKS2),
                      "%s: zstd writes layout 2 (flags 0x%x)", fmt->name, flags);
                for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
                    struct got g;
                    read_raw(path, threads[t], 0, t % 2 ? 1000 : 8192, &g);
                    CHECK(g.rc == 0 && g.n == counts[c] &&
                          (!counts[c] || !memcmp(g.recs, recs, counts[c] * fmt->rec_size)),
                          "%s %s, %zu records, %d workers: %zu back, rc %d %s", fmt->name,
                          big ? "big" : "little", counts[c], threads[t], g.n, g.rc, g.msg);
                    free(g.recs);
                }
                free(recs);
            }
        }
    }
    CHECK(formats >= 19, "%u formats", formats);
}

/* ft_reader_want: the columns of the wanted fields, zero elsewhere; the
 * has bits of the others clear; with and without workers. */
static void test_partial(void)
{
    static const unsigned versions[][2] = {{5, 0}, {8, 5}, {1005, 0}, {7, 0}};
    struct ft_write_opts o = {.comp = FT_COMP_ZSTD};
    for (size_t v = 0; v < sizeof versions / sizeof versions[0]; v++) {
        const struct ft_format *fmt = ft_format_find(versions[v][0], versions[v][1]);
        uint8_t *recs;
        const char *path = tmp_path("want.ft");
        size_t n = 8192 + 500, rs = fmt->rec_size;
        write_recs(path, fmt, FT_ORDER_LITTLE, &o, n, &recs);
        unsigned tried = 0;
        for (int i = 0; i < FT_NFIELDS; i++) {
            uint64_t bit = ft_fields[i].has;
            if (!(bit & fmt->mask & FT_F_FLOWTOOLS))
                continue;
            uint64_t want = bit | (i % 3 == 0 ? FT_F_DOCTETS & fmt->mask : 0);
            uint8_t cols[64];
            ft_format_columns(fmt, want, cols);
            struct got g;
            read_raw(path, tried % 2 ? 2 : -1, want, 4096, &g);
            int ok = g.rc == 0 && g.n == n;
            for (size_t k = 0; ok && k < n * rs; k++) {
                size_t j = k % rs;
                uint8_t expect = (cols[j / 8] >> (j % 8)) & 1 ? recs[k] : 0;
                ok = g.recs[k] == expect;
            }
            CHECK(ok, "%s: only %s (%zu records back, rc %d): %s", fmt->name,
                  ft_fields[i].name, g.n, g.rc, g.msg);
            free(g.recs);
            tried++;
        }
        CHECK(tried >= 10, "%s: %u fields asked for alone", fmt->name, tried);
        /* decoded: the wanted field's value, the others' has bits clear */
        struct ft_reader *r = ft_reader_open_path(path, NULL);
        ft_reader_want(r, FT_F_DSTPORT);
        ft_reader_read_ahead(r, NULL);
        const struct ft_flow *f;
        ssize_t k;
        size_t at = 0;
        int ok = 1;
        while (ok && (k = ft_reader_flows(r, &f, 1000)) > 0) {
            for (ssize_t i = 0; ok && i < k; i++, at++) {
                struct ft_flow want;
                ft_rec_decode(fmt, FT_ORDER_LITTLE, recs + at * rs, &want);
                ok = f[i].dstport == want.dstport && f[i].srcport == 0 &&
                     (f[i].has & FT_F_FLOWTOOLS) == (FT_F_DSTPORT & fmt->mask);
            }
        }
        CHECK(ok && at == n, "%s: decoded destination ports alone (%zu flows)", fmt->name, at);
        ft_reader_close(r);
        free(recs);
    }
}

#ifdef HAVE_ZSTD
/* A zstd stream of layout-1 blocks, as ftkit wrote before layout 2. */
static void test_layout1(void)
{
    const struct ft_format *fmt = ft_format_find(5, 0);
    size_t n = 3000, rs = fmt->rec_size;
    uint8_t *recs;
    struct ft_write_opts plain = {.comp = FT_COMP_NONE};
    write_recs(tmp_path("plain.ft"), fmt, FT_ORDER_LITTLE, &plain, n, &recs);
    struct ft_header h;
    ft_header_init(&h, fmt);
    h.byte_order = FT_ORDER_LITTLE;
    h.flags |= FT_HF_COMPRESS | FT_HF_ZSTD | FT_HF_BLOCKS;
    uint8_t hb[FT_HDR_MAX];
    ssize_t hl = ft_header_encode(&h, hb, sizeof hb);
    uint8_t *blocks = malloc(2 * ft_block_head_size((unsigned)rs) + n * rs);
    size_t len = ft_block_encode(recs, 1024, (unsigned)rs, 0, blocks);
    len += ft_block_encode(recs + 1024 * rs, n - 1024, (unsigned)rs, 0, blocks + len);
    size_t cap = ZSTD_compressBound(len);
    uint8_t *file = malloc((size_t)hl + cap);
    memcpy(file, hb, (size_t)hl);
    size_t z = ZSTD_compress(file + hl, cap, blocks, len, 3);
    su_spit(tmp_path("l1.ft"), file, (size_t)hl + z);
    for (int t = -1; t <= 2; t += 3) {
        struct got g;
        read_raw(tmp_path("l1.ft"), t, t < 0 ? 0 : FT_F_SRCADDR, 500, &g);
        CHECK(g.rc == 0 && g.n == n && !memcmp(g.recs, recs, n * rs),
              "layout 1 read whole (%zu records, rc %d: %s)", g.n, g.rc, g.msg);
        free(g.recs);
    }
    free(file);
    free(blocks);
    free(recs);
}
#endif

/* Three blocks and a part; the second damaged: 8192 records, then the
 * message naming the file and the second block's offset, on 0..4 workers
 * and through read-ahead. */
static void test_damaged(void)
{
    const struct ft_format *fmt = ft_format_find(5, 0);
    struct ft_write_opts o = {.comp = FT_COMP_ZSTD};
    uint8_t *recs;
    const char *src = tmp_path("good.ft");
    size_t n = 3 * 8192 + 10, rs = fmt->rec_size, len;
    write_recs(src, fmt, FT_ORDER_LITTLE, &o, n, &recs);
    uint8_t *bytes = su_slurp(src, &len);
    struct ft_reader *r = ft_reader_open_path(src, NULL);
    size_t hl = ft_reader_header(r)->header_len;
    ft_reader_close(r);
    size_t b2 = hl + 4 + ft_ld32(bytes + hl, 0), b2len = 4 + ft_ld32(bytes + b2, 0);
    char want[700];
    struct { const char *what; size_t at; uint8_t mask; size_t cut; } cases[] = {
        {"a byte of a frame", b2 + b2len - 20, 0x10, len},
        {"the record count", b2 + 4, 0xff, len},
        {"the span directory", b2 + 10 + 8 + 2, 0x01, len},
        {"the block length", b2 + 1, 0x40, len},
        {"cut inside the block", 0, 0, b2 + b2len / 2},
    };
    const char *path = tmp_path("bad.ft");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint8_t *copy = malloc(len);
        memcpy(copy, bytes, len);
        if (cases[c].mask)
            copy[cases[c].at] ^= cases[c].mask;
        su_spit(path, copy, cases[c].cut);
        snprintf(want, sizeof want, "byte offset %zu", b2);
        for (int t = -1; t <= 4; t++) {
            struct got g;
            read_raw(path, t, 0, 700, &g);
            CHECK(g.rc == -1 && g.n == 8192 && !memcmp(g.recs, recs, 8192 * rs) &&
                  strstr(g.msg, path) &&
                  (strstr(g.msg, want) || (!cases[c].mask && strstr(g.msg, "truncated"))),
                  "%s, %d workers: %zu records, rc %d: \"%s\" (want %s)", cases[c].what, t,
                  g.n, g.rc, g.msg, want);
            free(g.recs);
        }
        struct ft_reader *rr = ft_reader_open_path(path, NULL);
        ft_reader_read_ahead(rr, NULL);
        const struct ft_flow *f;
        ssize_t k;
        size_t got = 0;
        while ((k = ft_reader_flows(rr, &f, 3000)) > 0)
            got += (size_t)k;
        CHECK(k == -1 && got == 8192 && strstr(ft_reader_error(rr), path),
              "%s, read ahead: %zu flows, then \"%s\"", cases[c].what, got,
              ft_reader_error(rr));
        ft_reader_close(rr);
        free(copy);
    }
    free(bytes);
    free(recs);
}

/* Many blocks on several workers come back in order (records numbered by
 * their counters), also from a pipe fed slowly. */
static void test_order(void)
{
    const struct ft_format *fmt = ft_format_find(5, 0);
    size_t n = 40 * 8192 + 3, rs = fmt->rec_size;
    uint8_t *recs = malloc(n * rs);
    struct ft_flow f;
    for (size_t i = 0; i < n; i++) {
        su_rand_flow(fmt, 32, &f);
        f.doctets = (uint32_t)i;
        ft_rec_encode(fmt, FT_ORDER_LITTLE, &f, recs + i * rs);
    }
    struct ft_header h;
    struct ft_err err;
    ft_header_init(&h, fmt);
    struct ft_write_opts o = {.comp = FT_COMP_ZSTD, .byte_order = FT_ORDER_LITTLE};
    const char *path = tmp_path("order.ft");
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    struct ft_writer *w = ft_writer_open(fd, path, &h, &o, &err);
    ft_writer_write_raw(w, recs, n, FT_ORDER_LITTLE);
    ft_writer_close(w, &err);
    close(fd);
    for (unsigned t = 1; t <= 4; t++) {
        struct got g;
        read_raw(path, (int)t, FT_F_DOCTETS, 5000, &g);
        int ok = g.rc == 0 && g.n == n;
        for (size_t i = 0; ok && i < n; i++)
            ok = ft_ld32(g.recs + i * rs + 36, 0) == (uint32_t)i;
        CHECK(ok, "%u workers: %zu records in order, rc %d %s", t, g.n, g.rc, g.msg);
        free(g.recs);
    }
    /* from a pipe: the reader gathers ahead only what has arrived */
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    pid_t pid = fork();
    if (pid == 0) {
        size_t len;
        uint8_t *b = su_slurp(path, &len);
        for (size_t at = 0; at < len;) {
            size_t k = len - at < 50000 ? len - at : 50000;
            ssize_t put = write(p[1], b + at, k);
            if (put <= 0)
                _exit(1);
            at += (size_t)put;
        }
        _exit(0);
    }
    close(p[1]);
    struct ft_reader *r = ft_reader_open(p[0], "pipe", FT_READ_CLOSE_FD, &err);
    CHECK(r && ft_reader_parallel(r, 2, &err) == 0, "pipe reader: %s", err.msg);
    const uint8_t *q;
    ssize_t k;
    size_t at = 0;
    int ok = 1;
    while (r && (k = ft_reader_raw(r, &q, 8192)) > 0)
        for (ssize_t i = 0; i < k; i++, at++)
            ok &= ft_ld32(q + (size_t)i * rs + 36, 0) == (uint32_t)at;
    CHECK(ok && at == n, "from a pipe, 2 workers: %zu records in order", at);
    ft_reader_close(r);
    waitpid(pid, NULL, 0);
    free(recs);
}

/* Flows of path through read-ahead, decoded in the caller's thread or
 * not: how many, their checksum over the decoded members, the end. */
static ssize_t read_ahead_sum(const char *path, int in_caller, uint64_t *sum, char *msg,
                              size_t msg_len)
{
    struct ft_reader *r = ft_reader_open_path(path, NULL);
    if (!r)
        return -2;
    if (in_caller)
        ft_reader_decode_in_caller(r);
    ft_reader_read_ahead(r, NULL);
    const struct ft_flow *f;
    ssize_t k, n = 0;
    *sum = 0;
    while ((k = ft_reader_flows(r, &f, 1000)) > 0)
        for (ssize_t i = 0; i < k; i++, n++)
            *sum = *sum * 1000003 + f[i].srcaddr.v4 + f[i].doctets + f[i].dstport +
                   f[i].start_ms + f[i].has;
    snprintf(msg, msg_len, "%s", ft_reader_error(r));
    ft_reader_close(r);
    return k < 0 ? -(n + 10) : n;
}

/* zlib streams read ahead with the records decoded in the caller's thread:
 * the same flows, end and damage message. */
static void test_decode_in_caller(void)
{
    const struct ft_format *fmt = ft_format_find(5, 0);
    struct ft_write_opts o = {.comp = FT_COMP_ZLIB, .level = 6};
    uint8_t *recs;
    const char *path = tmp_path("z.ft");
    write_recs(path, fmt, FT_ORDER_BIG, &o, 20000, &recs);
    size_t len;
    uint8_t *bytes = su_slurp(path, &len);
    for (int cut = 0; cut < 2; cut++) {
        if (cut)
            su_spit(path, bytes, len / 2);
        uint64_t s0, s1;
        char m0[600], m1[600];
        ssize_t n0 = read_ahead_sum(path, 0, &s0, m0, sizeof m0);
        ssize_t n1 = read_ahead_sum(path, 1, &s1, m1, sizeof m1);
        CHECK(n0 == n1 && s0 == s1 && !strcmp(m0, m1) && (cut ? n0 < -10 : n0 == 20000),
              "zlib %s, decoded in the caller: %zd flows \"%s\", want %zd \"%s\"",
              cut ? "cut short" : "whole", n1, m1, n0, m0);
    }
    free(bytes);
    free(recs);
}

int main(void)
{
    if (ft_test_mkdtemp(tmpdir, sizeof tmpdir, "test_cblocks") < 0)
        return 1;
#ifdef HAVE_ZSTD
    test_round_trip();
    test_partial();
    test_layout1();
    test_damaged();
    test_order();
#else
    printf("built without zstd: layout 2 is not written\n");
#endif
    test_decode_in_caller();
    ft_test_rmtree(tmpdir);
    return ft_test_report("test_cblocks");
}
