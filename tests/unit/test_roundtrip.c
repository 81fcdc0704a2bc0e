/*
 * test_roundtrip.c - the writer: every format x compression x byte order
 * written and read back, conversions between the extended record and
 * v5/v1005 with their loss counts, header rewrite and streaming modes, the
 * two big-endian v1005 layouts copied into each other as flow-cat copies,
 * and the original's compressed streams rewritten byte for byte.
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
#include "stream/ft_stream.h"
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
    /* flow-tools' big-endian v1005 layout keeps 16-bit tags only */
    int big_1005 = fmt->d_version == 1005 && (o->byte_order == FT_ORDER_BIG_FLOWTOOLS ||
                                              raw_order == FT_ORDER_BIG_FLOWTOOLS);
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
    CHECK_EQ_U(h->byte_order, o->byte_order & 0xff, "byte order");
    CHECK_EQ_U(!!(h->flags & FT_HF_BE1005_FIXED),
               fmt->d_version == 1005 && o->byte_order == FT_ORDER_BIG, "BE1005_FIXED flag");
    CHECK_EQ_U(ft_reader_order(r), ft_order_of(fmt, o->byte_order), "reader order");
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
        {0, FT_COMP_NONE, 0, 1, 0}, {0, FT_COMP_ZLIB, 1, 1, 0}, {0, FT_COMP_ZLIB, 9, 1, 0},
#ifdef HAVE_ZSTD
        {0, FT_COMP_ZSTD, 3, 1, 0},
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
        struct ft_write_opts same = {FT_ORDER_LITTLE, FT_COMP_NONE, 0, 1, 0};
        roundtrip_one(&ft_formats[i], &same, FT_ORDER_LITTLE);
        /* flow-tools' big-endian layout (only v1005 differs), written from
         * flows and from raw records of each layout */
        struct ft_write_opts ft = {.byte_order = FT_ORDER_BIG_FLOWTOOLS,
                                   .comp = FT_COMP_ZLIB, .level = 6, .rewrite = 1};
        roundtrip_one(&ft_formats[i], &ft, 0);
        roundtrip_one(&ft_formats[i], &ft, FT_ORDER_LITTLE);
        roundtrip_one(&ft_formats[i], &ft, FT_ORDER_BIG);
        roundtrip_one(&ft_formats[i], &ft, FT_ORDER_BIG_FLOWTOOLS);
        struct ft_write_opts be = {.byte_order = FT_ORDER_BIG, .rewrite = 1};
        roundtrip_one(&ft_formats[i], &be, FT_ORDER_BIG_FLOWTOOLS);
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
    struct ft_write_opts le = {FT_ORDER_LITTLE, FT_COMP_ZLIB, 6, 0, 0};
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

    /* extended -> v1005: 32-bit tags kept in both byte orders, lost only in
     * flow-tools' big-endian layout */
    for (int i = 0; i < N; i++) {
        memset(&src[i].dstaddr, 0, sizeof(src[i].dstaddr));
        ft_ip_set4(&src[i].dstaddr, 0x0a000001);
        src[i].dpkts = 5;
        src[i].dst_as = 64500;
        src[i].has &= ~FT_F_SRC_VLAN;
    }
    write_file(tmp_path("t.ft"), v1005, &le, src, N, 0, &losses);
    CHECK_EQ_U(losses, 0, "v1005 little keeps 32-bit tags");
    struct ft_write_opts be = {FT_ORDER_BIG, FT_COMP_NONE, 0, 0, 0};
    write_file(tmp_path("tb.ft"), v1005, &be, src, N, 0, &losses);
    CHECK_EQ_U(losses, 0, "v1005 big keeps 32-bit tags");
    read_back(tmp_path("t.ft"), &a, &na);
    read_back(tmp_path("tb.ft"), &b, &nb);
    CHECK(su_flows_diff(a, na, b, nb, &what) < 0, "v1005 big reads as little: %s", what);
    free(a);
    free(b);
    struct ft_write_opts ftbe = {.byte_order = FT_ORDER_BIG_FLOWTOOLS};
    write_file(tmp_path("tf.ft"), v1005, &ftbe, src, N, 0, &losses);
    CHECK_EQ_U(losses, N / 10, "v1005 flow-tools big: tags above 65535 lost");
    /* and v1005 -> v5 loses exactly the flows with tags */
    write_file(tmp_path("t5.ft"), v5, &le, src, N, 0, &losses);
    CHECK_EQ_U(losses, N / 10, "v1005 -> v5: the tagged flows");
}

/* ---- writer modes --------------------------------------------------------- */

static struct ft_writer *open_writer(int fd, int rewrite, struct ft_err *err)
{
    struct ft_header h;
    struct ft_write_opts o = {FT_ORDER_BIG, FT_COMP_NONE, 0, rewrite, 0};
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

/* ---- big-endian v1005: ftkit's layout and the original's ------------------ */

static char *compat_file(const char *rel)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/compat/%s", ft_test_shared(), rel);
    return path;
}

/* All raw records of a stream, and its reader order and header flags. */
static uint8_t *raw_records(const char *path, size_t *n, int *order, uint32_t *flags)
{
    struct ft_err err;
    struct ft_reader *r = ft_reader_open_path(path, &err);
    CHECK(r != NULL, "%s: %s", path, err.msg);
    *n = 0;
    if (!r)
        return NULL;
    size_t rs = ft_reader_format(r)->rec_size, cap = 0;
    uint8_t *all = NULL;
    const uint8_t *recs;
    ssize_t got;
    while ((got = ft_reader_raw(r, &recs, 100)) > 0) {
        if ((*n + (size_t)got) * rs > cap) {
            cap = (*n + (size_t)got) * rs * 2;
            all = realloc(all, cap);
        }
        memcpy(all + *n * rs, recs, (size_t)got * rs);
        *n += (size_t)got;
    }
    *order = ft_reader_order(r);
    *flags = ft_reader_header(r)->flags;
    ft_reader_close(r);
    return all;
}

/*
 * What flow-cat does with records of the output's format: the raw records
 * of `in` handed to a writer of `order` (its header copied from the input,
 * flags and all).  With `clobber` the caller clears BE1005_FIXED in the
 * header before the rewrite at close.  Returns the records that lost something.
 */
static uint64_t copy_raw(const char *in, const char *out, int order, int rewrite,
                         int clobber)
{
    struct ft_err err = {{0}};
    struct ft_reader *r = ft_reader_open_path(in, &err);
    CHECK(r != NULL, "%s: %s", in, err.msg);
    if (!r)
        return 0;
    struct ft_write_opts o = {.byte_order = order, .comp = FT_COMP_ZLIB, .level = 1,
                              .rewrite = rewrite};
    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct ft_writer *w = ft_writer_open(fd, out, ft_reader_header(r), &o, &err);
    CHECK(w != NULL, "%s: %s", out, err.msg);
    const uint8_t *recs;
    ssize_t n;
    /* batches of 7: the last one short, several per writer block */
    while (w && (n = ft_reader_raw(r, &recs, 7)) > 0)
        ft_writer_write_raw(w, recs, (size_t)n, ft_reader_order(r));
    uint64_t losses = w ? ft_writer_losses(w) : 0;
    if (w && clobber)
        ft_writer_header(w)->flags &= ~(uint32_t)FT_HF_BE1005_FIXED;
    CHECK(ft_writer_close(w, &err) == 0, "close %s: %s", out, err.msg);
    close(fd);
    ft_reader_close(r);
    return losses;
}

/* The flows of path must be `want`; `cut` masks the wanted tags to 16 bits. */
static void check_flows(const char *path, const struct ft_flow *want, size_t n, int cut,
                        const char *what)
{
    struct ft_flow *got;
    size_t ng;
    read_back(path, &got, &ng);
    if (cut) {
        for (size_t i = 0; i < ng && i < n; i++) {
            got[i].src_tag |= want[i].src_tag & 0xffff0000u;
            got[i].dst_tag |= want[i].dst_tag & 0xffff0000u;
        }
    }
    const char *field = "";
    long at = su_flows_diff(want, n, got, ng, &field);
    CHECK(at < 0, "%s: first difference at flow %ld in %s", what, at, field);
    free(got);
}

/* A stream's layout: reader order and BE1005_FIXED flag (set on v1005 in
 * ftkit's big-endian layout only), and DONE when the header was rewritten. */
static void check_layout(const char *path, int want_order, int want_flag, int rewritten,
                         const char *what)
{
    size_t n;
    int order;
    uint32_t flags;
    free(raw_records(path, &n, &order, &flags));
    CHECK(order == want_order, "%s: reader order %#x, want %#x", what, (unsigned)order,
          (unsigned)want_order);
    CHECK(!!(flags & FT_HF_BE1005_FIXED) == want_flag, "%s: flags %#x", what, flags);
    CHECK(!!(flags & FT_HF_DONE) == rewritten, "%s: flags %#x", what, flags);
}

static void test_be1005_copies(void)
{
    /* full 32-bit tags, little-endian, and the original's big-endian copy of
     * the same flows (flow-tag -b big -z 5 -T campus-only) */
    const char *le = "expected/tag/tag_campus-only.ft", *orig = "inputs/v1005_big_z.ft";
    struct ft_flow *full;
    size_t n;
    read_back(compat_file(le), &full, &n);
    size_t wide = 0;
    for (size_t i = 0; i < n; i++)
        wide += (full[i].src_tag | full[i].dst_tag) > 0xffff;
    CHECK(n == 435 && wide > 0 && wide < n, "%s: %zu flows, %zu with wide tags", le, n, wide);

    /* reading the original's file: its layout, the low 16 bits of each tag */
    char orig_path[512];
    snprintf(orig_path, sizeof(orig_path), "%s", compat_file(orig));
    check_layout(orig_path, FT_ORDER_BIG_FLOWTOOLS, 0, 0, "original's big-endian v1005");
    check_flows(orig_path, full, n, 1, "original's big-endian v1005 read");

    /* ftkit's big-endian v1005 from flows: marked, lossless */
    char marked[512], out[512], le_path[512];
    snprintf(marked, sizeof(marked), "%s", tmp_path("marked.ft"));
    snprintf(out, sizeof(out), "%s", tmp_path("copy.ft"));
    snprintf(le_path, sizeof(le_path), "%s", compat_file(le));
    struct ft_write_opts be = {.byte_order = FT_ORDER_BIG, .rewrite = 1};
    uint64_t losses = 99;
    write_file(marked, ft_format_parse("1005"), &be, full, n, 0, &losses);
    CHECK_EQ_U(losses, 0, "big-endian v1005 written without loss");
    check_layout(marked, FT_ORDER_BIG, 1, 1, "ftkit's big-endian v1005");
    check_flows(marked, full, n, 0, "ftkit's big-endian v1005 read");

    /* raw copies between the layouts, as flow-cat makes them */
    static const struct {
        int from;           /* 0 little, 1 marked, 2 original's */
        int order, rewrite, clobber;
        int lossy, cut;     /* wide tags lost on the way / already lost in the input */
    } cases[] = {
        {1, FT_ORDER_LITTLE, 1, 0, 0, 0},
        {1, FT_ORDER_BIG, 0, 0, 0, 0},
        {1, FT_ORDER_BIG, 1, 1, 0, 0},
        {1, FT_ORDER_BIG_FLOWTOOLS, 1, 0, 1, 1},
        {2, FT_ORDER_BIG, 1, 0, 0, 1},
        {2, FT_ORDER_BIG, 0, 0, 0, 1},
        {2, FT_ORDER_LITTLE, 0, 0, 0, 1},
        {2, FT_ORDER_BIG_FLOWTOOLS, 1, 0, 0, 1},
        {0, FT_ORDER_BIG, 1, 0, 0, 0},
        {0, FT_ORDER_BIG_FLOWTOOLS, 0, 0, 1, 1},
    };
    const char *src[3] = {le_path, marked, orig_path};
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        char what[128];
        snprintf(what, sizeof(what), "copy %zu (from %d to order %#x)", c, cases[c].from,
                 (unsigned)cases[c].order);
        losses = copy_raw(src[cases[c].from], out, cases[c].order, cases[c].rewrite,
                          cases[c].clobber);
        CHECK_EQ_U(losses, cases[c].lossy ? wide : 0, what);
        check_layout(out, cases[c].order, cases[c].order == FT_ORDER_BIG, cases[c].rewrite,
                     what);
        check_flows(out, full, n, cases[c].cut, what);
    }

    /* same layout: the bytes are copied; ours in flow-tools' layout are the
     * original's bytes (records after decompression) */
    size_t na, nb;
    int oa, ob;
    uint32_t fa, fb;
    copy_raw(marked, out, FT_ORDER_BIG, 0, 0);
    uint8_t *a = raw_records(marked, &na, &oa, &fa), *b = raw_records(out, &nb, &ob, &fb);
    CHECK(na == n && nb == n && a && b && memcmp(a, b, n * 72) == 0,
          "marked -> marked: records copied");
    free(b);
    free(a);
    copy_raw(marked, out, FT_ORDER_BIG_FLOWTOOLS, 0, 0);
    a = raw_records(orig_path, &na, &oa, &fa);
    b = raw_records(out, &nb, &ob, &fb);
    CHECK(na == n && nb == n && a && b && memcmp(a, b, n * 72) == 0,
          "marked -> flow-tools layout: the original's records");
    free(b);
    free(a);

    /* the flag is never left on a stream it does not describe */
    struct ft_header h;
    ft_header_init(&h, ft_format_parse("5"));
    h.flags |= FT_HF_BE1005_FIXED;
    int fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct ft_err err;
    struct ft_writer *w = ft_writer_open(fd, out, &h, &be, &err);
    CHECK(w && ft_writer_write(w, full, 3) == 0 && ft_writer_close(w, &err) == 0,
          "v5 with a stray flag: %s", err.msg);
    close(fd);
    check_layout(out, FT_ORDER_BIG, 0, 1, "v5 big-endian");
    free(full);
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
    /* the reader's order: the original's big-endian v1005 layout included */
    struct ft_write_opts o = {.byte_order = ft_reader_order(r), .comp = FT_COMP_ZLIB,
                              .level = level, .rewrite = !!(h->flags & FT_HF_DONE)};
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
    if (ft_test_mkdtemp(tmpdir, sizeof tmpdir, "test_roundtrip") < 0)
        return 1;
    test_all_roundtrips();
    test_conversions();
    test_writer_modes();
    test_be1005_copies();
    test_golden_rewrites();
    ft_test_rmtree(tmpdir);
    return ft_test_report("test_roundtrip");
}
