/*
 * test_damage.c - damaged streams: every compat input (and zstd copies of a
 * few) truncated at many offsets and with bytes flipped in the header and
 * in the data.  The reader must hand out exactly the records that precede
 * the damage, then return -1 with a message naming the file and a byte
 * offset, and never crash (run it under ASan/UBSan too).
 *
 * What "the records before the damage" are is computed independently: by
 * offset arithmetic for plain data, and for compressed data by one-shot
 * decompression of the damaged bytes with zlib/zstd directly.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif
#include "stream/ft_stream.h"
#include "ft_test.h"
#include "stream_util.h"

static char tmpdir[256];
static unsigned n_truncations, n_flips, n_refused;

/* The undamaged stream, as the reader sees it. */
struct ref {
    const char *name;
    uint8_t *bytes;
    size_t len;
    uint32_t hlen;
    unsigned rec;           /* stored record size */
    int sv1;                /* stream version 1: records are converted */
    int comp;               /* FT_COMP_* */
    int blocked, big;       /* FT_HF_BLOCKS; records big-endian */
    int blocks2;            /* FT_HF_BLOCKS2: layout 2, compressed a column at a time */
    uint8_t *data;          /* the record bytes (decompressed) */
    size_t data_len;
};

/* ---- independent decompression ------------------------------------------ */

/* All bytes zlib gives for p[0..n) before it stops (end, error or no input). */
static size_t ref_inflate(const uint8_t *p, size_t n, uint8_t **out, int *bad)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    size_t cap = 1 << 16, len = 0;
    *out = malloc(cap);
    *bad = 0;
    if (inflateInit(&zs) != Z_OK)
        return 0;
    zs.next_in = (Bytef *)p;
    zs.avail_in = (uInt)n;
    for (;;) {
        if (len == cap)
            *out = realloc(*out, cap *= 2);
        zs.next_out = *out + len;
        zs.avail_out = (uInt)(cap - len);
        int rc = inflate(&zs, Z_SYNC_FLUSH);
        len = cap - zs.avail_out;
        if (rc == Z_STREAM_END || rc == Z_BUF_ERROR)
            break;
        if (rc != Z_OK) {
            *bad = 1;
            break;
        }
    }
    inflateEnd(&zs);
    return len;
}

#ifdef HAVE_ZSTD
/* Same with zstd; *bad also when the input ends inside a frame. */
static size_t ref_unzstd(const uint8_t *p, size_t n, uint8_t **out, int *bad)
{
    ZSTD_DStream *zd = ZSTD_createDStream();
    size_t cap = 1 << 16, len = 0, rc = 0;
    ZSTD_inBuffer ib = {p, n, 0};
    *out = malloc(cap);
    *bad = 0;
    for (;;) {
        if (len == cap)
            *out = realloc(*out, cap *= 2);
        ZSTD_outBuffer ob = {*out, cap, len};
        rc = ZSTD_decompressStream(zd, &ob, &ib);
        len = ob.pos;
        if (ZSTD_isError(rc)) {
            *bad = 1;
            break;
        }
        if (ib.pos == ib.size && ob.pos < ob.size)
            break;
    }
    if (rc != 0 && !*bad && n > 0)
        *bad = 1;   /* truncated frame */
    ZSTD_freeDStream(zd);
    return len;
}
#endif

/* The whole column blocks (ftkit-stream(5)) of p[0..n) turned back into
 * records in *out; *bad when bytes are left over or a block is impossible. */
static size_t ref_unblock(const struct ref *ref, const uint8_t *p, size_t n, uint8_t **out,
                          int *bad)
{
    size_t pos = 0, len = 0, head = 4 + (ref->rec + 7) / 8;
    *out = NULL;
    while (pos < n) {
        const uint8_t *b = p + pos;
        uint32_t count = ref->big ? (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]
                                  : (uint32_t)b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0];
        size_t stored = 0, past_record = 0;
        for (unsigned j = 0; n - pos >= head && j < (head - 4) * 8; j++) {
            if (b[4 + j / 8] & (1u << (j % 8)))
                *(j < ref->rec ? &stored : &past_record) += 1;
        }
        if (n - pos < head || count == 0 || count > 8192 || past_record ||
            n - pos - head < stored * count)
            break;
        *out = realloc(*out, len + (size_t)count * ref->rec);
        memset(*out + len, 0, (size_t)count * ref->rec);
        const uint8_t *col = b + head;
        for (unsigned j = 0; j < ref->rec; j++) {
            if (!(b[4 + j / 8] & (1u << (j % 8))))
                continue;
            for (size_t i = 0; i < count; i++)
                (*out)[len + i * ref->rec + j] = col[i];
            col += count;
        }
        len += (size_t)count * ref->rec;
        pos += head + stored * count;
    }
    *bad |= pos < n;
    return len;
}

static uint32_t ref_ld(const struct ref *ref, const uint8_t *b, unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint32_t)b[ref->big ? bytes - 1 - i : i] << (8 * i);
    return v;
}

#ifdef HAVE_ZSTD
/* One layout-2 block body (ftkit-stream(5)) into count records appended to
 * *out; 0, or -1 when it is not a sound block. */
static int ref_block2(const struct ref *ref, const uint8_t *b, size_t len, uint8_t **out,
                      size_t *olen)
{
    unsigned rs = ref->rec, bm = (rs + 7) / 8;
    if (len < 6 + bm)
        return -1;
    size_t count = ref_ld(ref, b, 4);
    unsigned spans = ref_ld(ref, b + 4, 2);
    const uint8_t *bitmap = b + 6, *dir = b + 6 + bm;
    if (count == 0 || count > 8192 || spans == 0 || spans > rs || len < 6 + bm + spans * 8)
        return -1;
    for (unsigned j = rs; j < bm * 8; j++)
        if (bitmap[j / 8] & (1u << (j % 8)))
            return -1;
    uint8_t *recs = calloc(count, rs), *cols = malloc(count * rs);
    size_t pos = 6 + bm + spans * 8;
    unsigned at = 0;
    int rc = 0;
    for (unsigned i = 0; rc == 0 && i < spans; i++) {
        unsigned a = ref_ld(ref, dir + 8 * i, 2), w = ref_ld(ref, dir + 8 * i + 2, 2);
        size_t clen = ref_ld(ref, dir + 8 * i + 4, 4), stored = 0;
        if (a != at || w == 0 || a + w > rs) {
            rc = -1;
            break;
        }
        at = a + w;
        for (unsigned j = a; j < a + w; j++)
            stored += (bitmap[j / 8] >> (j % 8)) & 1;
        if ((clen == 0) != (stored == 0) || clen > len - pos ||
            (clen && ZSTD_decompress(cols, stored * count, b + pos, clen) != stored * count)) {
            rc = -1;
            break;
        }
        const uint8_t *c = cols;
        for (unsigned j = a; j < a + w; j++) {
            if (!((bitmap[j / 8] >> (j % 8)) & 1))
                continue;
            for (size_t k = 0; k < count; k++)
                recs[k * rs + j] = c[k];
            c += count;
        }
        pos += clen;
    }
    if (rc == 0 && (at != rs || pos != len))
        rc = -1;
    if (rc == 0) {
        *out = realloc(*out, *olen + count * rs);
        memcpy(*out + *olen, recs, count * rs);
        *olen += count * rs;
    }
    free(recs);
    free(cols);
    return rc;
}
#endif

/* Layout 2: whole sound blocks, each a u32 length and its body. */
static size_t ref_unblock2(const struct ref *ref, const uint8_t *p, size_t n, uint8_t **out,
                           int *bad)
{
    size_t pos = 0, len = 0;
    *out = NULL;
    *bad = 0;
#ifdef HAVE_ZSTD
    while (pos < n) {
        size_t blen = n - pos >= 4 ? ref_ld(ref, p + pos, 4) : 0;
        if (n - pos < 4 || blen < 6 || n - pos - 4 < blen ||
            ref_block2(ref, p + pos + 4, blen, out, &len) < 0)
            break;
        pos += 4 + blen;
    }
#endif
    *bad = pos < n;
    return len;
}

/* The record bytes of the stored data p[0..n), as far as they can be had. */
static size_t ref_decompress(const struct ref *ref, const uint8_t *p, size_t n,
                             uint8_t **out, int *bad)
{
    size_t len;
    if (ref->blocks2)
        return ref_unblock2(ref, p, n, out, bad);
#ifdef HAVE_ZSTD
    if (ref->comp == FT_COMP_ZSTD)
        len = ref_unzstd(p, n, out, bad);
    else
#endif
        len = ref_inflate(p, n, out, bad);
    if (!ref->blocked)
        return len;
    uint8_t *blocks = *out;
    len = ref_unblock(ref, blocks, len, out, bad);
    free(blocks);
    return len;
}

/* ---- reading a damaged copy --------------------------------------------- */

struct outcome {
    int opened;
    int rc;                 /* last ft_reader_raw return */
    size_t n;               /* records handed out */
    uint8_t *recs;          /* their bytes, concatenated */
    char msg[512];
    const struct ft_format *fmt;
    int order;
};

static void read_damaged(const char *path, struct outcome *o)
{
    struct ft_err err = {{0}};
    memset(o, 0, sizeof(*o));
    struct ft_reader *r = ft_reader_open_path(path, &err);
    if (!r) {
        snprintf(o->msg, sizeof(o->msg), "%s", err.msg);
        return;
    }
    o->opened = 1;
    o->fmt = ft_reader_format(r);
    o->order = ft_reader_order(r);
    size_t cap = 0;
    const uint8_t *recs;
    ssize_t got;
    while ((got = ft_reader_raw(r, &recs, 97)) > 0) {
        size_t bytes = (size_t)got * o->fmt->rec_size;
        if (o->n * o->fmt->rec_size + bytes > cap)
            o->recs = realloc(o->recs, cap = (o->n * o->fmt->rec_size + bytes) * 2);
        memcpy(o->recs + o->n * o->fmt->rec_size, recs, bytes);
        o->n += (size_t)got;
    }
    o->rc = (int)got;
    CHECK(ft_reader_count(r) == o->n, "%s: count", path);
    /* after the end, the same answer again */
    CHECK(ft_reader_raw(r, &recs, 10) == got, "%s: end is sticky", path);
    snprintf(o->msg, sizeof(o->msg), "%s", ft_reader_error(r));
    ft_reader_close(r);
}

static const char *write_copy(const uint8_t *bytes, size_t len)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/damaged.ft", tmpdir);
    if (su_spit(path, bytes, len) < 0)
        fprintf(stderr, "cannot write %s\n", path);
    return path;
}

/* The stored records of data[0..len) compared with what the reader gave. */
static int same_records(const struct ref *ref, const struct outcome *o, const uint8_t *data,
                        size_t n)
{
    if (!o->opened || o->n != n)
        return 0;
    if (n == 0)
        return 1;
    if (!ref->sv1)
        return memcmp(o->recs, data, n * ref->rec) == 0;
    for (size_t i = 0; i < n; i++) {    /* sv1: compare as converted */
        struct ft_flow a, b;
        const char *what;
        ft_rec_decode_sv1(o->fmt->d_version, o->order, data + i * ref->rec, &a);
        ft_rec_decode(o->fmt, o->order, o->recs + i * o->fmt->rec_size, &b);
        if (su_flow_diff(&a, &b, &what))
            return 0;
    }
    return 1;
}

static void check_message(const char *path, const struct outcome *o, const char *what)
{
    CHECK(strstr(o->msg, path) && strstr(o->msg, "byte offset"),
          "%s (%s): message must name the file and offset: \"%s\"", path, what, o->msg);
}

/* ---- truncation ----------------------------------------------------------- */

static void check_truncated(const struct ref *ref, size_t cut)
{
    const char *path = write_copy(ref->bytes, cut);
    struct outcome o;
    read_damaged(path, &o);
    n_truncations++;
    if (cut < ref->hlen) {
        CHECK(!o.opened && strstr(o.msg, path) &&
              (strstr(o.msg, "truncated header") || strstr(o.msg, "empty stream")),
              "%s cut at %zu (header): \"%s\"", ref->name, cut, o.msg);
        goto out;
    }
    CHECK(o.opened, "%s cut at %zu: %s", ref->name, cut, o.msg);
    size_t avail = cut - ref->hlen, want_n, partial;
    uint8_t *data = NULL;
    int bad = 0;
    if (ref->comp == FT_COMP_NONE) {
        want_n = avail / ref->rec;
        partial = avail % ref->rec;
        CHECK(same_records(ref, &o, ref->bytes + ref->hlen, want_n),
              "%s cut at %zu: %zu records, want %zu", ref->name, cut, o.n, want_n);
        if (partial) {
            char want[600];
            snprintf(want, sizeof(want), "%s: truncated record at byte offset %zu", path,
                     ref->hlen + want_n * ref->rec);
            CHECK(o.rc == -1 && !strcmp(o.msg, want), "%s cut at %zu: \"%s\", want \"%s\"",
                  ref->name, cut, o.msg, want);
        } else {
            CHECK(o.rc == 0, "%s cut at %zu on a record boundary: %s", ref->name, cut, o.msg);
        }
        goto out;
    }
    size_t got = ref_decompress(ref, ref->bytes + ref->hlen, avail, &data, &bad);
    want_n = got / ref->rec;
    CHECK(same_records(ref, &o, data, want_n), "%s cut at %zu (compressed): %zu records, "
          "want %zu", ref->name, cut, o.n, want_n);
    /* zlib without its end marker on a record boundary ends normally */
    int want_damage = bad || got % ref->rec;
    CHECK(o.rc == (want_damage ? -1 : 0), "%s cut at %zu: end %d: %s", ref->name, cut,
          o.rc, o.msg);
    if (o.rc == -1)
        check_message(path, &o, "truncated");
    free(data);
out:
    free(o.recs);
}

/* ---- flipped bytes -------------------------------------------------------- */

static void check_flipped(const struct ref *ref, size_t pos, uint8_t mask)
{
    uint8_t *copy = malloc(ref->len);
    memcpy(copy, ref->bytes, ref->len);
    copy[pos] ^= mask;
    const char *path = write_copy(copy, ref->len);
    struct outcome o;
    read_damaged(path, &o);
    n_flips++;
    if (!o.opened) {
        n_refused++;
        CHECK(strstr(o.msg, path) != NULL, "%s flip at %zu refused without naming the "
              "file: \"%s\"", ref->name, pos, o.msg);
    } else if (o.rc == -1) {
        check_message(path, &o, "flip");
    }
    if (pos < ref->hlen || !o.opened)
        goto out;
    if (ref->comp == FT_COMP_NONE) {
        /* only the record holding the byte changes */
        size_t k = (pos - ref->hlen) / ref->rec, whole = (ref->len - ref->hlen) / ref->rec;
        int ok = o.rc == ((ref->len - ref->hlen) % ref->rec ? -1 : 0) && o.n == whole;
        for (size_t i = 0; ok && i < whole && !ref->sv1; i++) {
            int differs = memcmp(o.recs + i * ref->rec, ref->data + i * ref->rec, ref->rec);
            ok = !differs == (i != k);
        }
        CHECK(ok, "%s flip at %zu (plain data): %zu records, end %d", ref->name, pos, o.n,
              o.rc);
        goto out;
    }
    uint8_t *data;
    int bad;
    size_t got = ref_decompress(ref, copy + ref->hlen, ref->len - ref->hlen, &data, &bad);
    size_t want_n = got / ref->rec;
    CHECK(same_records(ref, &o, data, want_n), "%s flip at %zu (compressed): %zu records, "
          "want %zu (%s)", ref->name, pos, o.n, want_n, o.msg);
    CHECK(o.rc == ((bad || got % ref->rec) ? -1 : 0), "%s flip at %zu: end %d, reference "
          "%s: %s", ref->name, pos, o.rc, bad ? "bad" : "good", o.msg);
    free(data);
out:
    free(o.recs);
    free(copy);
}

/* ---- per stream ----------------------------------------------------------- */

static int load_ref(const char *path, struct ref *ref)
{
    struct ft_err err;
    memset(ref, 0, sizeof(*ref));
    ref->name = path;
    ref->bytes = su_slurp(path, &ref->len);
    struct ft_reader *r = ft_reader_open_path(path, &err);
    if (!r || !ref->bytes) {
        CHECK(0, "%s: cannot load: %s", path, err.msg);
        ft_reader_close(r);
        return -1;
    }
    const struct ft_header *h = ft_reader_header(r);
    ref->hlen = h->header_len;
    ref->sv1 = h->s_version == 1;
    ref->rec = ref->sv1 ? FT_SV1_REC_SIZE : ft_reader_format(r)->rec_size;
    ref->comp = !(h->flags & FT_HF_COMPRESS) ? FT_COMP_NONE
              : (h->flags & FT_HF_ZSTD) ? FT_COMP_ZSTD : FT_COMP_ZLIB;
    ref->blocked = (h->flags & FT_HF_BLOCKS) != 0;
    ref->blocks2 = (h->flags & FT_HF_BLOCKS2) != 0;
    ref->big = h->byte_order == FT_ORDER_BIG;
    ft_reader_close(r);
    if (ref->comp == FT_COMP_NONE) {
        ref->data = ref->bytes + ref->hlen;
        ref->data_len = ref->len - ref->hlen;
    } else {
        int bad;
        ref->data_len = ref_decompress(ref, ref->bytes + ref->hlen,
                                       ref->len - ref->hlen, &ref->data, &bad);
        CHECK(!bad, "%s: reference decompression", path);
    }
    return 0;
}

static void damage_stream(const char *path)
{
    struct ref ref;
    if (load_ref(path, &ref) < 0)
        return;
    size_t h = ref.hlen, rec = ref.rec, len = ref.len;
    size_t cuts[] = {0, 1, 3, 4, 7, 8, h / 2, h - 1, h, h + 1, h + rec - 1, h + rec,
                     h + rec + 1, h + 2 * rec + rec / 2, (h + len) / 2, len - rec - 3,
                     len - rec, len - 2, len - 1, len};
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        if (cuts[i] <= len)
            check_truncated(&ref, cuts[i]);
    }
    size_t flips[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, h - 1,
                      h, h + 1, h + 2, h + 5, h + rec / 2, (h + len) / 2, len - 5, len - 1};
    static const uint8_t masks[] = {0xff, 0x01, 0x80};
    for (size_t i = 0; i < sizeof(flips) / sizeof(flips[0]); i++) {
        for (size_t m = 0; m < sizeof(masks) / sizeof(masks[0]); m++) {
            if (flips[i] < len)
                check_flipped(&ref, flips[i], masks[m]);
        }
    }
    free(ref.bytes);
    if (ref.comp != FT_COMP_NONE)
        free(ref.data);
}

/* Copies of some inputs in what only ftkit writes (zstd; the extended
 * record, compressed in column blocks), then damage them. */
static void damage_copy(const char *rel, enum ft_compression comp, int extended)
{
    char in[512], out[512];
    snprintf(in, sizeof(in), "%s/compat/inputs/%s", ft_test_shared(), rel);
    snprintf(out, sizeof(out), "%s/%s%s-%s", tmpdir, comp == FT_COMP_ZSTD ? "zstd" : "zlib",
             extended ? "-ext" : "", rel);
    struct ft_err err;
    struct ft_reader *r = ft_reader_open_path(in, &err);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    struct ft_write_opts o = {.comp = comp, .level = 3, .rewrite = 1};
    struct ft_header h;
    if (r && extended) {
        ft_header_init(&h, ft_format_find(FT_DV_EXTENDED, 0));
        o.byte_order = ft_reader_header(r)->byte_order;
    } else if (r)
        h = *ft_reader_header(r);
    struct ft_writer *w = r ? ft_writer_open(fd, out, &h, &o, &err) : NULL;
    CHECK(w && (ft_writer_header(w)->flags & FT_HF_BLOCKS),
          "copy of %s in column blocks: %s", rel, err.msg);
    struct ft_flow flows[500];
    const uint8_t *recs;
    ssize_t n;
    while (w && extended && (n = ft_reader_read(r, flows, 500)) > 0)
        ft_writer_write(w, flows, (size_t)n);
    while (w && !extended && (n = ft_reader_raw(r, &recs, 500)) > 0)
        ft_writer_write_raw(w, recs, (size_t)n, ft_reader_order(r));
    ft_writer_close(w, &err);
    close(fd);
    ft_reader_close(r);
    damage_stream(out);
}

/* A read error (a directory) is reported with the file name, not a crash. */
static void test_read_error(void)
{
    struct ft_err err = {{0}};
    struct ft_reader *r = ft_reader_open_path(tmpdir, &err);
    CHECK(r == NULL && strstr(err.msg, tmpdir) && strstr(err.msg, "read error"),
          "directory: \"%s\"", err.msg);
    ft_reader_close(r);
    r = ft_reader_open_path("/nonexistent/x.ft", &err);
    CHECK(r == NULL && strstr(err.msg, "/nonexistent/x.ft"), "missing file: \"%s\"", err.msg);
}

int main(void)
{
    if (ft_test_mkdtemp(tmpdir, sizeof tmpdir, "test_damage") < 0)
        return 1;
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/compat/inputs", ft_test_shared());
    int n = su_each_stream(dir, 0, damage_stream);
    CHECK(n >= 70, "damaged %d compat inputs", n);
#ifdef HAVE_ZSTD
    damage_copy("v5.ft", FT_COMP_ZSTD, 0);
    damage_copy("v8.14_big.ft", FT_COMP_ZSTD, 0);
    damage_copy("v1005.ft", FT_COMP_ZSTD, 0);
    damage_copy("v1005_big_z.ft", FT_COMP_ZSTD, 1);
#endif
    damage_copy("v5.ft", FT_COMP_ZLIB, 1);
    damage_copy("v7_big.ft", FT_COMP_ZLIB, 1);
    test_read_error();
    ft_test_rmtree(tmpdir);
    printf("(%u truncations, %u flips of which %u refused at open)\n", n_truncations,
           n_flips, n_refused);
    return ft_test_report("test_damage");
}
