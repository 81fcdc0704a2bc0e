/*
 * test_blocks.c - column blocks (ft_blocks.h, flag FT_HF_BLOCKS): blocks of
 * every size and sparsity turn back into exactly their records; impossible
 * heads are refused; writers use blocks exactly for the streams flow-tools
 * cannot read (zstd below level 16, zlib-compressed extended records) and
 * those streams read back through every batch size and both byte orders; a
 * block cut short or with a damaged head is reported with the file and
 * offset after the records of the whole blocks before it.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include "stream/ft_blocks.h"
#include "core/ft_bytes.h"
#include "stream/ft_stream.h"
#include "ft_test.h"
#include "stream_util.h"

static char tmpdir[256];

/* n records of rs bytes where only some byte columns ever vary. */
static uint8_t *sparse_records(size_t n, unsigned rs, unsigned live_every)
{
    uint8_t *r = calloc(n ? n : 1, rs);
    for (size_t i = 0; i < n; i++)
        for (unsigned j = 0; j < rs; j++)
            if (live_every && j % live_every == 0)
                r[i * rs + j] = (uint8_t)su_rand32();
    return r;
}

static void roundtrip(size_t n, unsigned rs, unsigned live_every, int big)
{
    uint8_t *recs = sparse_records(n, rs, live_every);
    uint8_t *blk = malloc(ft_block_head_size(rs) + n * rs);
    uint8_t *back = malloc(n * rs);
    size_t len = ft_block_encode(recs, n, rs, big, blk), got_n = 0, payload = 0;
    size_t live = live_every ? (rs + live_every - 1) / live_every : 0;
    CHECK(ft_block_parse_head(blk, rs, big, &got_n, &payload) == 0 && got_n == n &&
          len == ft_block_head_size(rs) + payload, "head of %zu x %u (every %u)", n, rs,
          live_every);
    /* random bytes can be zero in every record of a small block: at most */
    CHECK(payload <= live * n, "%zu x %u: only live columns stored (%zu bytes)", n, rs,
          payload);
    CHECK(ft_ld32(blk, big) == n, "%zu x %u: count in %s-endian order", n, rs,
          big ? "big" : "little");
    /* the layout itself: stored columns in order, each byte j of every record */
    const uint8_t *col = blk + ft_block_head_size(rs);
    int layout_ok = 1;
    for (unsigned j = 0; j < rs; j++) {
        int stored = (blk[4 + j / 8] >> (j % 8)) & 1, zero = 1;
        for (size_t i = 0; i < n; i++) {
            zero &= recs[i * rs + j] == 0;
            if (stored && col[i] != recs[i * rs + j])
                layout_ok = 0;
        }
        layout_ok &= stored == !zero;
        col += stored ? n : 0;
    }
    CHECK(layout_ok, "%zu x %u (every %u): columns as ftkit-stream(5) says", n, rs, live_every);
    ft_block_decode(blk, blk + ft_block_head_size(rs), n, rs, back);
    CHECK(memcmp(recs, back, n * rs) == 0, "%zu x %u (every %u, %s): records back", n, rs,
          live_every, big ? "big" : "little");
    free(recs);
    free(blk);
    free(back);
}

static void test_codec(void)
{
    static const unsigned sizes[] = {28, 32, 40, 44, 48, 52, 64, 72, 272};
    static const size_t counts[] = {1, 2, 7, 15, 16, 17, 1023, 1024};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
        for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++)
            for (unsigned every = 0; every <= 3; every++)
                roundtrip(counts[c], sizes[s], every, (int)(c & 1));

    uint8_t head[4 + 34] = {0};
    size_t n, payload;
    ft_st32(head, 0, 0);
    CHECK(ft_block_parse_head(head, 272, 0, &n, &payload) < 0, "count 0 refused");
    ft_st32(head, FT_BLOCK_MAX_RECS + 1, 1);
    CHECK(ft_block_parse_head(head, 272, 1, &n, &payload) < 0, "count above the limit refused");
    ft_st32(head, FT_BLOCK_MAX_RECS, 1);
    CHECK(ft_block_parse_head(head, 272, 1, &n, &payload) == 0 && payload == 0,
          "the largest count, no column");
    head[4 + 3] = 0x01;     /* column 24 of a 28-byte record: fine */
    ft_st32(head, 5, 0);
    CHECK(ft_block_parse_head(head, 28, 0, &n, &payload) == 0 && payload == 5,
          "one column of 5");
    head[4 + 3] = 0x10;     /* column 28: past the record */
    CHECK(ft_block_parse_head(head, 28, 0, &n, &payload) < 0, "column past the record refused");
}

static const char *tmp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return path;
}

/* Writes n random flows of fmt; returns the header flags the file got. */
static uint32_t write_flows(const char *path, const struct ft_format *fmt,
                            const struct ft_write_opts *o, struct ft_flow *flows, size_t n)
{
    struct ft_header h;
    struct ft_err err;
    ft_header_init(&h, fmt);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    struct ft_writer *w = ft_writer_open(fd, path, &h, o, &err);
    CHECK(w != NULL, "open %s: %s", path, err.msg);
    if (!w)
        return 0;
    for (size_t i = 0; i < n; i++)
        su_rand_flow(fmt, 32, &flows[i]);
    ft_writer_write(w, flows, n);
    uint32_t flags = ft_writer_header(w)->flags;
    CHECK(ft_writer_close(w, &err) == 0, "close %s: %s", path, err.msg);
    close(fd);
    return flags;
}

/* Flows read back in batches of `batch`: how many, or -1 on damage. */
static ssize_t read_flows(const char *path, struct ft_flow **flows, size_t batch, char *msg,
                          size_t msg_size)
{
    size_t n;
    int rc = su_read_all(path, batch, flows, &n, msg, msg_size);
    return rc < 0 ? -1 : (ssize_t)n;
}

static void test_streams(void)
{
    enum { N = 2500 };      /* two whole blocks and a part */
    static struct ft_flow out[N];
    static const struct {
        const char *name;
        unsigned d_version;
        struct ft_write_opts o;
        int blocked;
    } cases[] = {
        {"v5 zlib (flow-tools' bytes)", 5, {.comp = FT_COMP_ZLIB, .level = 6}, 0},
        {"v5 plain", 5, {.comp = FT_COMP_NONE}, 0},
        {"extended plain", FT_DV_EXTENDED, {.comp = FT_COMP_NONE}, 0},
        {"extended zlib", FT_DV_EXTENDED, {.comp = FT_COMP_ZLIB, .level = 6}, 1},
        {"extended zlib, big", FT_DV_EXTENDED,
         {.comp = FT_COMP_ZLIB, .level = 1, .byte_order = FT_ORDER_BIG}, 1},
        {"extended zlib, 2 threads", FT_DV_EXTENDED,
         {.comp = FT_COMP_ZLIB, .level = 6, .threads = 2}, 1},
#ifdef HAVE_ZSTD
        {"v5 zstd", 5, {.comp = FT_COMP_ZSTD, .level = 1}, 1},
        {"v1005 zstd, big", 1005, {.comp = FT_COMP_ZSTD, .byte_order = FT_ORDER_BIG}, 1},
        {"extended zstd", FT_DV_EXTENDED, {.comp = FT_COMP_ZSTD, .level = 3}, 1},
        {"v5 zstd:15", 5, {.comp = FT_COMP_ZSTD, .level = 15}, 1},
        {"v5 zstd:16 (whole records)", 5, {.comp = FT_COMP_ZSTD, .level = 16}, 0},
        {"extended zstd:19 (whole records)", FT_DV_EXTENDED, {.comp = FT_COMP_ZSTD, .level = 19}, 0},
#endif
    };
    static const size_t batches[] = {1, 97, 1024, N + 1};
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        const struct ft_format *fmt = ft_format_find(cases[c].d_version, 0);
        const char *path = tmp_path("s.ft");
        uint32_t flags = write_flows(path, fmt, &cases[c].o, out, N);
        CHECK(!(flags & FT_HF_BLOCKS) == !cases[c].blocked, "%s: blocks %s", cases[c].name,
              cases[c].blocked ? "used" : "not used");
        for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
            char msg[600];
            struct ft_flow *in = NULL;
            ssize_t n = read_flows(path, &in, batches[b], msg, sizeof(msg));
            int same = n == N;
            for (ssize_t i = 0; same && i < N; i++) {
                struct ft_flow want;
                uint8_t rec[512];
                ft_rec_encode(fmt, FT_ORDER_LITTLE, &out[i], rec);
                ft_rec_decode(fmt, FT_ORDER_LITTLE, rec, &want);
                const char *what = "";
                same = !su_flow_diff(&want, &in[i], &what);
            }
            CHECK(same, "%s, batches of %zu: %zd flows back: %s", cases[c].name, batches[b],
                  n, msg);
            free(in);
        }
    }
}

/* An extended stream compressed with zlib level 0 keeps its block bytes
 * visible, so that heads and columns can be damaged where they are. */
static void test_damage(void)
{
    enum { N = 1500 };
    static struct ft_flow out[N];
    struct ft_flow *in;
    const struct ft_format *fmt = ft_format_find(FT_DV_EXTENDED, 0);
    const char *path = tmp_path("d.ft");
    struct ft_write_opts o = {.comp = FT_COMP_NONE};
    write_flows(path, fmt, &o, out, N);     /* plain: not blocked; build blocks by hand */
    size_t len;
    uint8_t *plain = su_slurp(path, &len);
    struct ft_reader *r = ft_reader_open_path(path, NULL);
    size_t hlen = ft_reader_header(r)->header_len;
    ft_reader_close(r);

    /* the same header with FT_HF_BLOCKS, records as blocks of 1024 and 476 */
    struct ft_header h;
    ft_header_init(&h, fmt);
    h.flags |= FT_HF_BLOCKS;
    uint8_t hb[FT_HDR_MAX];
    ssize_t hl = ft_header_encode(&h, hb, sizeof(hb));
    size_t rs = fmt->rec_size, head = ft_block_head_size((unsigned)rs);
    uint8_t *file = malloc((size_t)hl + 2 * head + N * rs);
    memcpy(file, hb, (size_t)hl);
    size_t b1 = ft_block_encode(plain + hlen, 1024, (unsigned)rs, 0, file + hl);
    size_t b2 = ft_block_encode(plain + hlen + 1024 * rs, N - 1024, (unsigned)rs, 0,
                                file + hl + b1);
    size_t total = (size_t)hl + b1 + b2;
    char msg[600];

    su_spit(path, file, total);
    CHECK(read_flows(path, &in, 300, msg, sizeof(msg)) == N, "hand-made blocks: %s", msg);
    free(in);

    su_spit(path, file, total - 1);
    ssize_t n = read_flows(path, &in, 300, msg, sizeof(msg));
    CHECK(n == -1 && strstr(msg, path) && strstr(msg, "truncated record block") &&
          strstr(msg, "after 1024 records"), "second block cut short: \"%s\"", msg);
    free(in);

    ft_st32(file + hl + b1, 0, 0);
    su_spit(path, file, total);
    n = read_flows(path, &in, 300, msg, sizeof(msg));
    CHECK(n == -1 && strstr(msg, "corrupt record block") && strstr(msg, "byte offset"),
          "count 0: \"%s\"", msg);
    free(in);
    struct ft_reader *rr = ft_reader_open_path(path, NULL);
    const uint8_t *recs;
    ssize_t got = ft_reader_raw(rr, &recs, N);
    CHECK(got == 1024 && memcmp(recs, plain + hlen, 1024 * rs) == 0,
          "the whole block before the damage is handed out: %zd", got);
    ft_reader_close(rr);
    free(plain);
    free(file);
}

int main(void)
{
    if (ft_test_mkdtemp(tmpdir, sizeof tmpdir, "test_blocks") < 0)
        return 1;
    test_codec();
    test_streams();
    test_damage();
    ft_test_rmtree(tmpdir);
#ifdef FT_BLOCKS_PORTABLE
    return ft_test_report("test_blocks_portable");
#else
    return ft_test_report("test_blocks");
#endif
}
