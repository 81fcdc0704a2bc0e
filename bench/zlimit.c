/*
 * zlimit - the physical limit of reading a zlib flow file: inflate it with
 * zlib alone, touching nothing, then write a given number of bytes (what a
 * tool would print) to stdout.  Optionally deflate the inflated data again at
 * a zlib level (the limit of re-compressing copies).
 *
 *   zlimit [-w bytes] [-z level] file.ft
 *
 * Reads flow-tools stream version 3 headers (magic, byte order, header
 * length); a file whose header flags say "not compressed" is just read.
 * On stderr: input bytes, inflated bytes, and the seconds each phase took.
 * Benchmark helper only: not part of ftkit's build.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define IN_CHUNK (1 << 20)
#define OUT_CHUNK (1 << 18)
#define WRITE_CHUNK (1 << 16)

static unsigned char inbuf[IN_CHUNK], outbuf[OUT_CHUNK], zbuf[OUT_CHUNK];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fail(const char *what)
{
    fprintf(stderr, "zlimit: %s: %s\n", what, errno ? strerror(errno) : "failed");
    exit(1);
}

static void write_all(const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(1, p, n);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            fail("write");
        }
        p += k;
        n -= (size_t)k;
    }
}

static uint32_t get32(const unsigned char *p, int little)
{
    if (little)
        return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

static uint16_t get16(const unsigned char *p, int little)
{
    return little ? (uint16_t)(p[0] | p[1] << 8) : (uint16_t)(p[1] | p[0] << 8);
}

/* Header length and whether the records are zlib-compressed. */
static size_t parse_header(int fd, int *compressed)
{
    static unsigned char h[16384];
    ssize_t n = read(fd, h, 8);
    if (n != 8 || h[0] != 0xcf || h[1] != 0x10 || h[3] != 3) {
        errno = 0;
        fail("not a stream-version-3 flow file");
    }
    int little = h[2] == 1;
    uint32_t len = get32(h + 4, little);
    if (len < 8 || len > sizeof h) {
        errno = 0;
        fail("bad header length");
    }
    if (read(fd, h + 8, len - 8) != (ssize_t)(len - 8))
        fail("short header");
    *compressed = 0;
    for (size_t off = 8; off + 4 <= len;) {
        uint16_t type = get16(h + off, little), tlen = get16(h + off + 2, little);
        if (off + 4 + tlen > len)
            break;
        if (type == 0x08 && tlen == 4)
            *compressed = (get32(h + off + 4, little) & 0x02) != 0;
        off += 4 + (size_t)tlen;
    }
    return len;
}

int main(int argc, char **argv)
{
    unsigned long long write_bytes = 0;
    int level = -1, ch;
    while ((ch = getopt(argc, argv, "w:z:")) != -1) {
        if (ch == 'w')
            write_bytes = strtoull(optarg, NULL, 10);
        else if (ch == 'z')
            level = atoi(optarg);
        else {
            fprintf(stderr, "usage: zlimit [-w bytes] [-z level] file.ft\n");
            return 2;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: zlimit [-w bytes] [-z level] file.ft\n");
        return 2;
    }
    double t0 = now_s();
    int fd = open(argv[optind], O_RDONLY);
    if (fd < 0)
        fail(argv[optind]);
    int compressed;
    unsigned long long in_bytes = parse_header(fd, &compressed), out_bytes = 0, z_bytes = 0;

    z_stream inf, def;
    memset(&inf, 0, sizeof inf);
    memset(&def, 0, sizeof def);
    if (compressed && inflateInit(&inf) != Z_OK)
        fail("inflateInit");
    if (level >= 0 && deflateInit(&def, level) != Z_OK)
        fail("deflateInit");

    int done = 0;
    while (!done) {
        ssize_t n = read(fd, inbuf, sizeof inbuf);
        if (n < 0)
            fail("read");
        if (n == 0)
            break;
        in_bytes += (unsigned long long)n;
        inf.next_in = inbuf;
        inf.avail_in = (uInt)n;
        do {
            unsigned char *chunk = inbuf;
            size_t chunk_len = (size_t)n;
            if (compressed) {
                inf.next_out = outbuf;
                inf.avail_out = sizeof outbuf;
                int rc = inflate(&inf, Z_NO_FLUSH);
                if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
                    errno = 0;
                    fail("inflate");
                }
                chunk = outbuf;
                chunk_len = sizeof outbuf - inf.avail_out;
                if (rc == Z_STREAM_END)
                    done = 1;
            } else {
                inf.avail_in = 0;
            }
            out_bytes += chunk_len;
            if (level >= 0) {
                def.next_in = chunk;
                def.avail_in = (uInt)chunk_len;
                do {
                    def.next_out = zbuf;
                    def.avail_out = sizeof zbuf;
                    deflate(&def, Z_NO_FLUSH);
                    z_bytes += sizeof zbuf - def.avail_out;
                    write_all(zbuf, sizeof zbuf - def.avail_out);
                } while (def.avail_out == 0);
            }
        } while (compressed && !done && (inf.avail_in > 0 || inf.avail_out == 0));
    }
    if (level >= 0) {
        int rc;
        do {
            def.next_out = zbuf;
            def.avail_out = sizeof zbuf;
            rc = deflate(&def, Z_FINISH);
            z_bytes += sizeof zbuf - def.avail_out;
            write_all(zbuf, sizeof zbuf - def.avail_out);
        } while (rc != Z_STREAM_END);
        deflateEnd(&def);
    }
    if (compressed)
        inflateEnd(&inf);
    close(fd);
    double t1 = now_s();

    memset(outbuf, 'x', sizeof outbuf);
    for (unsigned long long left = write_bytes; left > 0;) {
        size_t k = left < WRITE_CHUNK ? (size_t)left : WRITE_CHUNK;
        write_all(outbuf, k);
        left -= k;
    }
    double t2 = now_s();
    fprintf(stderr, "zlimit: in %llu inflated %llu deflated %llu written %llu "
            "read+inflate%s %.3f s write %.3f s\n",
            in_bytes, out_bytes, z_bytes, write_bytes, level >= 0 ? "+deflate" : "",
            t1 - t0, t2 - t1);
    return 0;
}
