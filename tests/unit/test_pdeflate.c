/*
 * test_pdeflate.c - zlib compression on worker threads (ft_pdeflate and the
 * writer's `threads` option): the output is one zlib stream that zlib's own
 * inflate takes back to exactly the input, at every level and for lengths
 * around the chunk boundaries; the writer's files read back in both byte
 * orders, zlib and zstd; failed writes are reported; no thread outlives
 * its writer.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "stream/ft_pdeflate.h"
#include "stream/ft_stream.h"
#include "ft_test.h"
#include "stream_util.h"

#define CHUNK FT_PDEFLATE_CHUNK

static char tmpdir[256];

static const char *tmp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return path;
}

/* Threads of this process, from /proc (to catch workers left running). */
static int thread_count(void)
{
    DIR *d = opendir("/proc/self/task");
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* ---- a growing buffer as the sink ---------------------------------------- */

struct sinkbuf {
    uint8_t *p;
    size_t len, cap;
    int calls, fail_at;         /* refuse the fail_at-th call (0: never) */
};

static int sink_collect(void *arg, const uint8_t *p, size_t len)
{
    struct sinkbuf *b = arg;
    if (++b->calls == b->fail_at)
        return -1;
    if (b->len + len > b->cap) {
        b->cap = (b->len + len) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, p, len);
    b->len += len;
    return 0;
}

/* Bytes that compress, with repeats far enough back that chunks need the
 * previous chunk's tail (a wrong dictionary inflates to other bytes). */
static uint8_t *test_bytes(size_t len)
{
    uint8_t *p = malloc(len + 1);
    for (size_t i = 0; i < len; i++) {
        if (i >= 20000 && su_randbits(3) != 0)
            p[i] = p[i - 20000 + su_randbits(2)];
        else
            p[i] = (uint8_t)(su_randbits(4) + 'a');
    }
    return p;
}

/* Inflate a zlib stream (header and Adler-32 checked by zlib); malloc'ed. */
static uint8_t *inflate_all(const uint8_t *z, size_t zlen, size_t *outlen, int *rc_out)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    size_t cap = zlen * 4 + 1024, len = 0;
    uint8_t *out = malloc(cap);
    int rc = inflateInit(&zs);
    zs.next_in = (Bytef *)z;
    zs.avail_in = (uInt)zlen;
    while (rc == Z_OK) {
        if (len == cap)
            out = realloc(out, cap *= 2);
        zs.next_out = out + len;
        zs.avail_out = (uInt)(cap - len);
        rc = inflate(&zs, Z_NO_FLUSH);
        len = cap - zs.avail_out;
        if (rc == Z_BUF_ERROR && zs.avail_out)
            break;      /* input ran out before the end */
    }
    *rc_out = rc == Z_STREAM_END && zs.avail_in == 0 ? 0 : rc == Z_STREAM_END ? 1 : rc;
    inflateEnd(&zs);
    *outlen = len;
    return out;
}

/* Compress `len` bytes with `threads` workers, fed in uneven pieces. */
static int pdeflate_buf(const uint8_t *in, size_t len, int level, int threads,
                        struct sinkbuf *out)
{
    memset(out, 0, sizeof(*out));
    struct ft_pdeflate *pd = ft_pdeflate_new(level, threads, sink_collect, out);
    if (!pd)
        return -2;
    static const size_t piece[] = {1, 777, 100000, CHUNK, 3 * CHUNK + 5, 32768};
    int rc = 0;
    for (size_t done = 0, k = 0; done < len && rc == 0; k = (k + 1) % 6) {
        size_t m = len - done < piece[k] ? len - done : piece[k];
        rc = ft_pdeflate_write(pd, in + done, m);
        done += m;
    }
    if (rc == 0)
        rc = ft_pdeflate_finish(pd);
    /* the stream is over: nothing more goes out */
    size_t before = out->len;
    if (rc == 0 && (ft_pdeflate_finish(pd) != 0 || ft_pdeflate_write(pd, in, 1) != -1 ||
                    out->len != before))
        rc = -3;
    ft_pdeflate_free(pd);
    return rc;
}

/* The zlib header deflateInit writes at this level. */
static void zlib_header(int level, uint8_t h[2])
{
    uint8_t buf[64];
    uLongf n = sizeof(buf);
    compress2(buf, &n, (const Bytef *)"", 0, level);
    memcpy(h, buf, 2);
}

static void check_one(const uint8_t *in, size_t len, int level)
{
    struct sinkbuf z;
    int rc = pdeflate_buf(in, len, level, 2, &z);
    CHECK(rc == 0, "level %d, %zu bytes: compress returned %d", level, len, rc);
    size_t back_len = 0;
    int irc = -99;
    uint8_t *back = z.len ? inflate_all(z.p, z.len, &back_len, &irc) : NULL;
    CHECK(irc == 0, "level %d, %zu bytes: inflate ended with %d", level, len, irc);
    CHECK(back_len == len && (len == 0 || memcmp(back, in, len) == 0),
          "level %d, %zu bytes: inflated to %zu other bytes", level, len, back_len);
    uint8_t h[2];
    zlib_header(level, h);
    CHECK(z.len >= 2 && z.p[0] == h[0] && z.p[1] == h[1],
          "level %d: header %02x %02x, want zlib's %02x %02x", level,
          z.len ? z.p[0] : 0, z.len > 1 ? z.p[1] : 0, h[0], h[1]);
    free(back);
    free(z.p);
}

static void test_sizes_and_levels(void)
{
    static const size_t sizes[] = {
        0, 1, 1000, 32767, 32768, 32769, CHUNK - 1, CHUNK, CHUNK + 1,
        2 * CHUNK - 1, 2 * CHUNK, 2 * CHUNK + 32767, 9 * CHUNK + 12345,
    };
    static const size_t few[] = {0, CHUNK, CHUNK + 1, 5 * CHUNK + 7};
    size_t max = 9 * CHUNK + 12345;
    uint8_t *in = test_bytes(max);
    for (int level = 1; level <= 9; level++) {
        /* every length at the fast, default and best levels; a few elsewhere */
        int all = level == 1 || level == 6 || level == 9;
        size_t n = all ? sizeof(sizes) / sizeof(sizes[0]) : sizeof(few) / sizeof(few[0]);
        for (size_t i = 0; i < n; i++)
            check_one(in, all ? sizes[i] : few[i], level);
    }
    check_one(in, 3 * CHUNK, -1);
    free(in);
}

/* The same chunks whatever the number of threads, and the dictionary is
 * used: the repeats make the stream far smaller than chunks alone would. */
static void test_threads_and_dictionary(void)
{
    size_t len = 6 * CHUNK + 99;
    uint8_t *in = malloc(len);
    for (size_t i = 0; i < len; i++)
        in[i] = i < 30000 ? (uint8_t)su_rand32() : in[i - 30000];
    struct sinkbuf a, b, c;
    CHECK(pdeflate_buf(in, len, 6, 2, &a) == 0, "2 threads");
    CHECK(pdeflate_buf(in, len, 6, 5, &b) == 0, "5 threads");
    CHECK(pdeflate_buf(in, len, 6, 1, &c) == 0, "1 thread");
    CHECK(a.len == b.len && memcmp(a.p, b.p, a.len) == 0, "2 and 5 threads differ");
    CHECK(a.len == c.len && memcmp(a.p, c.p, a.len) == 0, "2 threads and 1 differ");
    /* 30000 random bytes, then repeats (about 42000 bytes in all): a chunk
     * without the previous tail would cost another ~30000 bytes each */
    CHECK(a.len < 60000, "%zu compressed bytes: the dictionary is not used", a.len);
    size_t back_len = 0;
    int irc = -99;
    uint8_t *back = inflate_all(a.p, a.len, &back_len, &irc);
    CHECK(irc == 0 && back_len == len && memcmp(back, in, len) == 0, "repeats inflate");
    free(back);
    free(a.p);
    free(b.p);
    free(c.p);
    free(in);
}

static void test_sink_failure(void)
{
    size_t len = 7 * CHUNK;
    uint8_t *in = test_bytes(len);
    for (int fail_at = 1; fail_at <= 4; fail_at++) {
        struct sinkbuf z;
        memset(&z, 0, sizeof(z));
        z.fail_at = fail_at;
        struct ft_pdeflate *pd = ft_pdeflate_new(1, 2, sink_collect, &z);
        int rc = 0;
        for (size_t done = 0; done < len && rc == 0; done += 65536)
            rc = ft_pdeflate_write(pd, in + done, 65536);
        if (rc == 0)
            rc = ft_pdeflate_finish(pd);
        CHECK(rc == -1, "sink refusing call %d: returned %d", fail_at, rc);
        CHECK_EQ_S(ft_pdeflate_error(pd), "", "error of a refused sink");
        CHECK(ft_pdeflate_write(pd, in, 10) == -1, "write after a failure");
        ft_pdeflate_free(pd);
        free(z.p);
    }
    CHECK(ft_pdeflate_new(10, 2, sink_collect, NULL) == NULL, "level 10 refused");
    free(in);
}

/* ---- through the writer ------------------------------------------------- */

static int write_stream(const char *path, const struct ft_write_opts *o,
                        const struct ft_flow *flows, size_t n, struct ft_err *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    struct ft_header h;
    ft_header_init(&h, ft_format_parse("5"));
    ft_header_set_u32(&h, FT_TLV_FLOW_COUNT, 0);
    struct ft_writer *w = ft_writer_open(fd, path, &h, o, err);
    if (!w) {
        close(fd);
        return -1;
    }
    int rc = 0;
    for (size_t done = 0; done < n && rc == 0; done += 3000)
        rc = ft_writer_write(w, flows + done, n - done < 3000 ? n - done : 3000);
    ft_header_set_u32(ft_writer_header(w), FT_TLV_FLOW_COUNT, (uint32_t)ft_writer_count(w));
    if (ft_writer_close(w, err) < 0)
        rc = -1;
    close(fd);
    return rc;
}

/* The record area of a zlib stream file, inflated. */
static uint8_t *file_records(const char *path, size_t *len)
{
    size_t flen;
    uint8_t *f = su_slurp(path, &flen);
    *len = 0;
    if (!f || flen < 8)
        return f;
    uint32_t hl = f[2] == FT_ORDER_BIG ? (uint32_t)f[4] << 24 | f[5] << 16 | f[6] << 8 | f[7]
                                       : (uint32_t)f[7] << 24 | f[6] << 16 | f[5] << 8 | f[4];
    int irc = -99;
    uint8_t *recs = hl <= flen ? inflate_all(f + hl, flen - hl, len, &irc) : NULL;
    CHECK(irc == 0, "%s: record area inflates with %d", path, irc);
    free(f);
    return recs;
}

static void read_back(const char *path, const struct ft_flow *flows, size_t n, const char *what)
{
    struct ft_flow *back;
    size_t nb;
    char msg[600];
    int rc = su_read_all(path, 1000, &back, &nb, msg, sizeof(msg));
    const char *field = "";
    long at = su_flows_diff(flows, n, back, nb, &field);
    CHECK(rc == 0 && at < 0, "%s: read %d (%s), first difference at %ld (%s)",
          what, rc, msg, at, field);
    struct ft_err err = {{0}};
    struct ft_reader *r = ft_reader_open_path(path, &err);
    CHECK(r != NULL, "%s: %s", what, err.msg);
    if (r) {
        const struct ft_header *h = ft_reader_header(r);
        CHECK(h->flags & FT_HF_DONE, "%s: header rewritten (DONE)", what);
        CHECK(h->flags & FT_HF_COMPRESS, "%s: COMPRESS set", what);
        CHECK_EQ_U(h->flow_count, n, "flow count in the rewritten header");
        ft_reader_close(r);
    }
    free(back);
}

static void test_writer_zlib(const struct ft_flow *flows, size_t n)
{
    static const int orders[] = {FT_ORDER_LITTLE, FT_ORDER_BIG};
    for (int i = 0; i < 2; i++) {
        struct ft_err err = {{0}};
        struct ft_write_opts serial = {.byte_order = orders[i], .comp = FT_COMP_ZLIB,
                                       .level = 6, .rewrite = 1};
        struct ft_write_opts one = serial, par = serial;
        one.threads = 1;
        par.threads = 2;
        char s_path[512], o_path[512], p_path[512];
        snprintf(s_path, sizeof(s_path), "%s", tmp_path("serial.ft"));
        snprintf(o_path, sizeof(o_path), "%s", tmp_path("one.ft"));
        snprintf(p_path, sizeof(p_path), "%s", tmp_path("par.ft"));
        CHECK(write_stream(s_path, &serial, flows, n, &err) == 0, "serial: %s", err.msg);
        CHECK(write_stream(o_path, &one, flows, n, &err) == 0, "1 thread: %s", err.msg);
        CHECK(write_stream(p_path, &par, flows, n, &err) == 0, "2 threads: %s", err.msg);
        read_back(p_path, flows, n, orders[i] == FT_ORDER_BIG ? "big, 2 threads" : "little, 2 threads");
        size_t ls, lp, fs = 0, fo = 0;
        uint8_t *s = file_records(s_path, &ls), *p = file_records(p_path, &lp);
        CHECK(ls == lp && ls == n * 64 && memcmp(s, p, ls) == 0,
              "records of serial and parallel zlib differ (%zu, %zu bytes)", ls, lp);
        /* threads = 1 is today's writer, byte for byte */
        uint8_t *fs_b = su_slurp(s_path, &fs), *fo_b = su_slurp(o_path, &fo);
        CHECK(fs_b && fo_b && fs == fo && memcmp(fs_b, fo_b, fs) == 0,
              "threads = 1 changed the serial writer's bytes");
        free(s);
        free(p);
        free(fs_b);
        free(fo_b);
    }
}

static void test_writer_empty(void)
{
    struct ft_err err = {{0}};
    struct ft_write_opts o = {.comp = FT_COMP_ZLIB, .level = 9, .rewrite = 1, .threads = 3};
    CHECK(write_stream(tmp_path("empty.ft"), &o, NULL, 0, &err) == 0, "empty: %s", err.msg);
    read_back(tmp_path("empty.ft"), NULL, 0, "empty, 3 threads");
}

static void test_writer_zstd(const struct ft_flow *flows, size_t n)
{
#ifdef HAVE_ZSTD
    for (int order = FT_ORDER_LITTLE; order <= FT_ORDER_BIG; order++) {
        struct ft_err err = {{0}};
        struct ft_write_opts o = {.byte_order = order, .comp = FT_COMP_ZSTD, .level = 3,
                                  .rewrite = 1, .threads = 2};
        CHECK(write_stream(tmp_path("zstd.ft"), &o, flows, n, &err) == 0, "zstd: %s", err.msg);
        read_back(tmp_path("zstd.ft"), flows, n, "zstd, 2 threads");
    }
#else
    (void)flows;
    (void)n;
#endif
}

/* A pipe whose reader went away: the error comes back, no thread stays. */
static void test_writer_failure(const struct ft_flow *flows, size_t n, enum ft_compression comp)
{
    int base = thread_count();
    int p[2];
    if (pipe(p) < 0) {
        CHECK(0, "pipe");
        return;
    }
    struct ft_header h;
    struct ft_err err = {{0}};
    ft_header_init(&h, ft_format_parse("5"));
    struct ft_write_opts o = {.comp = comp, .level = comp == FT_COMP_ZLIB ? 6 : 3,
                              .threads = 3};
    struct ft_writer *w = ft_writer_open(p[1], "pipe", &h, &o, &err);
    CHECK(w != NULL, "open on a pipe: %s", err.msg);
    if (!w)
        return;
    if (comp == FT_COMP_ZLIB)
        CHECK_EQ_U(thread_count(), base + 3, "threads while writing");
    close(p[0]);
    int rc = 0;
    for (int round = 0; round < 20 && rc == 0; round++)
        rc = ft_writer_write(w, flows, n);
    int crc = ft_writer_close(w, &err);
    CHECK(rc < 0 || crc < 0, "writing to a closed pipe succeeded");
    CHECK(strstr(err.msg, "write error") != NULL, "close: \"%s\"", err.msg);
    CHECK_EQ_U(thread_count(), base, "threads after close");
    close(p[1]);
}

static void test_no_leak(const struct ft_flow *flows, size_t n)
{
    int base = thread_count();
    struct ft_err err = {{0}};
    struct ft_write_opts o = {.comp = FT_COMP_ZLIB, .level = 1, .threads = 4};
    for (int i = 0; i < 5; i++)
        CHECK(write_stream(tmp_path("leak.ft"), &o, flows, n / 5 * (size_t)i, &err) == 0,
              "round %d: %s", i, err.msg);
    CHECK_EQ_U(thread_count(), base, "threads after five writers");
    /* the writer's error for a level zlib does not take, threads or not */
    o.level = 11;
    CHECK(write_stream(tmp_path("bad.ft"), &o, flows, 1, &err) < 0, "level 11 refused");
    CHECK_EQ_U(thread_count(), base, "threads after a refused open");
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (ft_test_mkdtemp(tmpdir, sizeof tmpdir, "test_pdeflate") < 0)
        return 1;
    test_sizes_and_levels();
    test_threads_and_dictionary();
    test_sink_failure();

    /* v5 flows over several chunks, the last one partly filled */
    size_t n = 5 * CHUNK / 64 + 123;
    struct ft_flow *flows = malloc(n * sizeof(*flows));
    for (size_t i = 0; i < n; i++)
        su_rand_flow(ft_format_parse("5"), 32, &flows[i]);
    test_writer_zlib(flows, n);
    test_writer_empty();
    test_writer_zstd(flows, n);
    test_writer_failure(flows, n, FT_COMP_ZLIB);
#ifdef HAVE_ZSTD
    test_writer_failure(flows, n, FT_COMP_ZSTD);
#endif
    test_no_leak(flows, n);
    free(flows);

    ft_test_rmtree(tmpdir);
    return ft_test_report("test_pdeflate");
}
