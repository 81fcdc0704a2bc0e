/*
 * test_roundtrip.c - the writer: every format x compression x byte order
 * written and read back, conversions between the extended record and
 * v5/v1005 with their loss counts, header rewrite and streaming modes, and
 * the original's compressed streams rewritten byte for byte.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ft_stream.h"
#include "ft_test.h"
#include "stream_util.h"

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return path;
}

/* Write flows to path; with raw_order, as raw records of that byte order. */
static int write_file(const char *path, const struct ft_format *fmt,
                      const struct ft_write_opts *o, const struct ft_flow *flows, size_t n,
                      int raw_order, uint64_t *losses)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    struct ft_header h;
    struct ft_err err = {{0}};
    ft_header_init(&h, fmt);
    ft_header_set_str(&h, FT_TLV_COMMENTS, "round trip");
    ft_header_set_u32(&h, FT_TLV_FLOW_COUNT, 0);
    struct ft_writer *w = ft_writer_open(fd, path, &h, o, &err);
    CHECK(w != NULL, "open writer: %s", err.msg);
    if (!w) {
        close(fd);
        return -1;
    }
    int rc = 0;
    if (raw_order) {
        uint8_t *recs = malloc(n * fmt->rec_size + 1);
        for (size_t i = 0; i < n; i++)
            ft_rec_encode(fmt, raw_order, &flows[i], recs + i * fmt->rec_size);
        /* in uneven pieces, one of them bigger than the writer's buffer */
        size_t piece[] = {1, 7, 6000, 100}, done = 0;
        for (int k = 0; done < n; k = (k + 1) % 4) {
            size_t m = n - done < piece[k] ? n - done : piece[k];
            rc |= ft_writer_write_raw(w, recs + done * fmt->rec_size, m, raw_order);
            done += m;
        }
        free(recs);
    } else {
        for (size_t done = 0; done < n; done += 333)
            rc |= ft_writer_write(w, flows + done, n - done < 333 ? n - done : 333);
    }
    CHECK_EQ_U(ft_writer_count(w), n, "writer count");
    if (losses)
        *losses = ft_writer_losses(w);
    ft_writer_header(w)->flow_count = (uint32_t)ft_writer_count(w);
    rc |= ft_writer_close(w, &err);
    CHECK(rc == 0, "write %s: %s", path, err.msg);
    close(fd);
    return rc;
}

static const char *comp_name(const struct ft_write_opts *o)
{
    return o->comp == FT_COMP_NONE ? "none" : o->comp == FT_COMP_ZLIB ? "zlib" : "zstd";
}

static void roundtrip_one(const struct ft_format *fmt, const struct ft_write_opts *o,
                          int raw_order)
{
    enum { N = 7001 };
    static struct ft_flow flows[N];
    int big_1005 = fmt->d_version == 1005 &&
                   (o->byte_order == FT_ORDER_BIG || raw_order == FT_ORDER_BIG);
    for (size_t i = 0; i < N; i++) {
        if (fmt->d_version == FT_DV_EXTENDED)
            su_rand_full_flow(&flows[i]);
        else
            su_rand_flow(fmt, big_1005 ? 16 : 32, &flows[i]);
    }
    const char *path = tmp_path("rt.ft");
    uint64_t losses = 99;
    if (write_file(path, fmt, o, flows, N, raw_order, &losses) < 0)
        return;
    CHECK_EQ_U(losses, 0, "no losses");
    struct ft_err err;
    struct ft_reader *r = ft_reader_open_path(path, &err);
    CHECK(r != NULL, "reopen: %s", err.msg);
    if (!r)
        return;
    const struct ft_header *h = ft_reader_header(r);
    CHECK(ft_reader_format(r) == fmt, "%s: format read back", fmt->name);
    CHECK_EQ_U(h->byte_order, o->byte_order, "byte order");
    CHECK_EQ_U(!!(h->flags & FT_HF_COMPRESS), o->comp != FT_COMP_NONE, "COMPRESS flag");
    CHECK_EQ_U(!!(h->flags & FT_HF_ZSTD), o->comp == FT_COMP_ZSTD, "ZSTD flag");
    CHECK((h->flags & (FT_HF_DONE | FT_HF_STREAMING)) == FT_HF_DONE, "DONE after rewrite");
    CHECK_EQ_U(h->flow_count, N, "FLOW_COUNT updated at close");
    CHECK_EQ_S(h->comments, "round trip", "comments kept");
    ft_reader_close(r);

    struct ft_flow *back;
    size_t n;
    char msg[512];
    int rc = su_read_all(path, 500, &back, &n, msg, sizeof(msg));
    const char *what = "";
    long at = su_flows_diff(flows, N, back, n, &what);
    CHECK(rc == 0 && at < 0, "%s %s level %d order %d raw %d: end %d (%s), %zu flows, "
          "first difference at %ld in %s", fmt->name, comp_name(o), o->level,
          o->byte_order, raw_order, rc, msg, n, at, what);
    free(back);
}

static void test_all_roundtrips(void)
{
    static const struct ft_write_opts comps[] = {
        {0, FT_COMP_NONE, 0, 1}, {0, FT_COMP_ZLIB, 1, 1}, {0, FT_COMP_ZLIB, 9, 1},
#ifdef HAVE_ZSTD
        {0, FT_COMP_ZSTD, 3, 1},
#endif
    };
    for (unsigned i = 0; ft_formats[i].name; i++) {
        for (size_t c = 0; c < sizeof(comps) / sizeof(comps[0]); c++) {
            for (int order = 1; order <= 2; order++) {
                struct ft_write_opts o = comps[c];
                o.byte_order = order;
                roundtrip_one(&ft_formats[i], &o, 0);
                /* raw records in the other byte order are swapped on the way */
                roundtrip_one(&ft_formats[i], &o, 3 - order);
            }
        }
        struct ft_write_opts same = {FT_ORDER_LITTLE, FT_COMP_NONE, 0, 1};
        roundtrip_one(&ft_formats[i], &same, FT_ORDER_LITTLE);
    }
}

/* ---- conversions ---------------------------------------------------------- */

static void read_back(const char *path, struct ft_flow **flows, size_t *n)
{
    char msg[512];
    int rc = su_read_all(path, 1000, flows, n, msg, sizeof(msg));
    CHECK(rc == 0, "read %s: %s", path, msg);
}

static void test_conversions(void)
{
    enum { N = 1000 };
    static struct ft_flow src[N];
    const struct ft_format *v5 = ft_format_parse("5"), *ext = ft_format_parse("extended"),
                           *v1005 = ft_format_parse("1005");
    unsigned want_lossy = 0;
    for (int i = 0; i < N; i++) {
        su_rand_flow(v1005, 32, &src[i]);
        src[i].src_tag = src[i].dst_tag = 0;
        switch (i % 10) {
        case 0: src[i].dstaddr.af = FT_AF_INET6; memset(src[i].dstaddr.v6, 0xfe, 16); break;
        case 1: src[i].dpkts = 1ULL << 33; break;
        case 2: src[i].dst_as = 4200000000u; break;
        case 3: src[i].has |= FT_F_SRC_VLAN; src[i].src_vlan = 7; break;
        case 4: src[i].src_tag = 0x12345; break;   /* v1005 keeps it, v5 does not */
        default: continue;
        }
        want_lossy++;
    }
    struct ft_write_opts le = {FT_ORDER_LITTLE, FT_COMP_ZLIB, 6, 0};
    struct ft_flow *a, *b;
    size_t na, nb;
    uint64_t losses;
    const char *what;

    /* extended keeps everything */
    write_file(tmp_path("x.ft"), ext, &le, src, N, 0, &losses);
    CHECK_EQ_U(losses, 0, "extended: no losses");
    read_back(tmp_path("x.ft"), &a, &na);
    CHECK(su_flows_diff(src, N, a, na, &what) < 0, "extended round trip: %s", what);

    /* extended -> v5: the lossy flows are counted */
    write_file(tmp_path("x5.ft"), v5, &le, a, na, 0, &losses);
    CHECK_EQ_U(losses, want_lossy, "extended -> v5 losses");
    free(a);
    read_back(tmp_path("x5.ft"), &a, &na);
    CHECK(na == N && a[0].dstaddr.v4 == 0 && a[1].dpkts == UINT32_MAX &&
          a[2].dst_as == 23456, "what v5 kept of the lossy flows");

    /* v5 -> extended -> v5 is lossless */
    write_file(tmp_path("5x.ft"), ext, &le, a, na, 0, &losses);
    CHECK_EQ_U(losses, 0, "v5 -> extended");
    read_back(tmp_path("5x.ft"), &b, &nb);
    CHECK(su_flows_diff(a, na, b, nb, &what) < 0, "v5 -> extended keeps v5 flows: %s", what);
    write_file(tmp_path("5x5.ft"), v5, &le, b, nb, 0, &losses);
    CHECK_EQ_U(losses, 0, "extended (from v5) -> v5");
    free(b);
    read_back(tmp_path("5x5.ft"), &b, &nb);
    CHECK(su_flows_diff(a, na, b, nb, &what) < 0, "v5 -> extended -> v5: %s", what);
    free(a);
    free(b);

    /* extended -> v1005: tags fit little-endian, 32-bit tags lost in big-endian */
    for (int i = 0; i < N; i++) {
        memset(&src[i].dstaddr, 0, sizeof(src[i].dstaddr));
        ft_ip_set4(&src[i].dstaddr, 0x0a000001);
        src[i].dpkts = 5;
        src[i].dst_as = 64500;
        src[i].has &= ~FT_F_SRC_VLAN;
    }
    write_file(tmp_path("t.ft"), v1005, &le, src, N, 0, &losses);
    CHECK_EQ_U(losses, 0, "v1005 little keeps 32-bit tags");
    struct ft_write_opts be = {FT_ORDER_BIG, FT_COMP_NONE, 0, 0};
    write_file(tmp_path("tb.ft"), v1005, &be, src, N, 0, &losses);
    CHECK_EQ_U(losses, N / 10, "v1005 big: tags above 65535 lost");
    /* and v1005 -> v5 loses exactly the flows with tags */
    write_file(tmp_path("t5.ft"), v5, &le, src, N, 0, &losses);
    CHECK_EQ_U(losses, N / 10, "v1005 -> v5: the tagged flows");
}

/* ---- writer modes --------------------------------------------------------- */

static struct ft_writer *open_writer(int fd, int rewrite, struct ft_err *err)
{
    struct ft_header h;
    struct ft_write_opts o = {FT_ORDER_BIG, FT_COMP_NONE, 0, rewrite};
    ft_header_init(&h, ft_format_parse("8.5"));
    ft_header_set_str(&h, FT_TLV_CAP_HOSTNAME, "host");
    ft_header_set_u32(&h, FT_TLV_FLOW_COUNT, 0);
    ft_header_set_u32(&h, FT_TLV_CAP_END, 0);
    return ft_writer_open(fd, "out", &h, &o, err);
}

static uint32_t header_flags_of(const char *path, uint32_t *count)
{
    struct ft_err err;
    struct ft_reader *r = ft_reader_open_path(path, &err);
    if (!r)
        return 0xdeadbeef;
    uint32_t flags = ft_reader_header(r)->flags;
    *count = ft_reader_header(r)->flow_count;
    ft_reader_close(r);
    return flags;
}

static void test_writer_modes(void)
{
    struct ft_err err = {{0}};
    struct ft_flow f;
    uint32_t count;
    su_rand_flow(ft_format_parse("8.5"), 32, &f);

    /* regular file, rewrite: DONE and final values; same header length */
    const char *p = tmp_path("modes.ft");
    int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct ft_writer *w = open_writer(fd, 1, &err);
    CHECK(w != NULL, "open: %s", err.msg);
    ft_writer_write(w, &f, 1);
    ft_writer_write(w, &f, 1);
    ft_writer_header(w)->flow_count = 2;
    ft_writer_header(w)->cap_end = 12345;
    CHECK(ft_writer_close(w, &err) == 0, "close: %s", err.msg);
    close(fd);
    CHECK_EQ_U(header_flags_of(p, &count), FT_HF_DONE, "rewritten: DONE only");
    CHECK_EQ_U(count, 2, "rewritten count");

    /* no rewrite asked: STREAMING, values as first written */
    fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
    w = open_writer(fd, 0, &err);
    ft_writer_write(w, &f, 1);
    ft_writer_header(w)->flow_count = 1;
    ft_writer_close(w, &err);
    close(fd);
    CHECK_EQ_U(header_flags_of(p, &count), FT_HF_STREAMING, "no rewrite: STREAMING");
    CHECK_EQ_U(count, 0, "no rewrite: count as first written");

    /* rewrite asked on a pipe: STREAMING */
    int fds[2];
    if (pipe(fds) == 0) {
        w = open_writer(fds[1], 1, &err);
        ft_writer_write(w, &f, 1);
        CHECK(ft_writer_close(w, &err) == 0, "close pipe writer: %s", err.msg);
        close(fds[1]);
        struct ft_reader *r = ft_reader_open(fds[0], "pipe", FT_READ_CLOSE_FD, &err);
        CHECK(r && ft_reader_header(r)->flags == FT_HF_STREAMING, "pipe: STREAMING");
        struct ft_flow g;
        CHECK(r && ft_reader_read(r, &g, 4) == 1, "pipe: one record");
        ft_reader_close(r);
    }

    /* a header that grows between open and close cannot be rewritten */
    fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
    w = open_writer(fd, 1, &err);
    ft_header_set_str(ft_writer_header(w), FT_TLV_COMMENTS, "added late");
    CHECK(ft_writer_close(w, &err) == -1 && strstr(err.msg, "header size changed") &&
          strstr(err.msg, "out"), "header growth refused: %s", err.msg);
    close(fd);

    /* formats the writer does not know */
    struct ft_header h;
    ft_header_init(&h, ft_format_parse("5"));
    h.d_version = 3;
    fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(ft_writer_open(fd, "x", &h, NULL, &err) == NULL && strstr(err.msg, "x: "),
          "unknown format refused: %s", err.msg);
    close(fd);

    /* a closed pipe: the error names the stream, once, and sticks */
    signal(SIGPIPE, SIG_IGN);
    if (pipe(fds) == 0) {
        close(fds[0]);
        w = open_writer(fds[1], 0, &err);
        CHECK(w == NULL && strstr(err.msg, "out: write error"), "EPIPE: %s", err.msg);
        close(fds[1]);
    }
}

/* ---- the original's compressed streams, rewritten byte for byte -------- */

static void rewrite_golden(const char *rel, int level)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/compat/%s", ft_test_shared(), rel);
    struct ft_err err;
    struct ft_reader *r = ft_reader_open_path(path, &err);
    CHECK(r != NULL, "%s: %s", path, err.msg);
    if (!r)
        return;
    const struct ft_header *h = ft_reader_header(r);
    struct ft_write_opts o = {h->byte_order, FT_COMP_ZLIB, level,
                              !!(h->flags & FT_HF_DONE)};
    const char *out = tmp_path("golden.ft");
    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct ft_writer *w = ft_writer_open(fd, out, h, &o, &err);
    const uint8_t *recs;
    ssize_t n;
    while (w && (n = ft_reader_raw(r, &recs, 1000)) > 0)
        ft_writer_write_raw(w, recs, (size_t)n, ft_reader_order(r));
    int rc = ft_writer_close(w, &err);
    close(fd);
    uint32_t hlen = h->header_len;
    ft_reader_close(r);

    size_t la = 0, lb = 0;
    uint8_t *a = su_slurp(path, &la), *b = su_slurp(out, &lb);
    int same_data = a && b && la == lb && memcmp(a + hlen, b + hlen, la - hlen) == 0;
    /* header: all but the writer's padding (the original leaves junk there) */
    int same_head = a && b && la >= hlen && lb >= hlen && memcmp(a, b, hlen - 3) == 0;
    CHECK(rc == 0 && same_data && same_head, "%s rewritten at -z %d: %zu vs %zu bytes, "
          "data %s, header %s", rel, level, la, lb, same_data ? "same" : "differs",
          same_head ? "same" : "differs");
    free(a);
    free(b);
}

static void test_golden_rewrites(void)
{
    static const struct { const char *file; int level; } cases[] = {
        {"expected/cat/cat_z6.ft", 6},
        {"expected/nfilter/nfilter_compressed_out.ft", 9},
        {"expected/tag/tag_compressed.ft", 5},
        {"expected/import/import_ascii_v5_z.ft", 6},
        {"inputs/v5_z.ft", 6},
        {"inputs/v1_big_z.ft", 9},
        {"inputs/v6_big_z.ft", 9},
        {"inputs/v1005_big_z.ft", 5},
        {"inputs/gen/v7_z9.ft", 9},
        {"inputs/gen/v8.8_big_z3.ft", 3},
        {"inputs/cat_file.ft", 1},
        {"inputs/sfd_v1.ft", -1},
        {"inputs/capture/ft-v05.2024-03-14.092003+0000", -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        rewrite_golden(cases[i].file, cases[i].level);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_roundtrip.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_all_roundtrips();
    test_conversions();
    test_writer_modes();
    test_golden_rewrites();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    return ft_test_report("test_roundtrip");
}
