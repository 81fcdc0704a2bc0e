/*
 * ft_stream.h - flow-tools stream files: header, reader, writer.
 *
 * Byte-compatible with flow-tools: stream versions 1 (read) and 3
 * (read/write), zlib compression, both byte orders, every record format of
 * ft_format.h.  ftkit adds zstd compression (flag FT_HF_ZSTD, only ftkit
 * reads it), the extended record format, big-endian v1005 records that
 * keep their tags (flag FT_HF_BE1005_FIXED), and records stored in column
 * blocks (flag FT_HF_BLOCKS).
 *
 * Nothing here prints or exits: failures return -1 / NULL and leave a message
 * naming the stream and the byte offset in struct ft_err.  A reader or a
 * writer is used by one thread at a time (a reader reading ahead runs a
 * second thread of its own; see ft_reader_read_ahead).
 *
 * The code: ft_header.c (header fields and codec), ft_reader.c and
 * ft_readahead.c (reading), ft_writer.c (writing), sharing ft_stream_int.h.
 */
#ifndef FT_STREAM_H
#define FT_STREAM_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include "core/ft_flow.h"
#include "stream/ft_format.h"
#include "core/ft_err.h"

/* Header TLV types (stream-format.md 3.1). */
enum ft_tlv {
    FT_TLV_NULL = 0x00, FT_TLV_VENDOR = 0x01, FT_TLV_EX_VER = 0x02,
    FT_TLV_AGG_VER = 0x03, FT_TLV_AGG_METHOD = 0x04, FT_TLV_EXPORTER_IP = 0x05,
    FT_TLV_CAP_START = 0x06, FT_TLV_CAP_END = 0x07, FT_TLV_HEADER_FLAGS = 0x08,
    FT_TLV_ROT_SCHEDULE = 0x09, FT_TLV_FLOW_COUNT = 0x0a, FT_TLV_FLOW_LOST = 0x0b,
    FT_TLV_FLOW_MISORDERED = 0x0c, FT_TLV_PKT_CORRUPT = 0x0d, FT_TLV_SEQ_RESET = 0x0e,
    FT_TLV_CAP_HOSTNAME = 0x0f, FT_TLV_COMMENTS = 0x10, FT_TLV_IF_NAME = 0x11,
    FT_TLV_IF_ALIAS = 0x12, FT_TLV_INTERRUPT = 0x13
};
#define FT_HAS(h, tlv) (((h)->present >> (tlv)) & 1u)
#define FT_SET(h, tlv) ((h)->present |= 1u << (tlv))

/* Header flag bits (TLV 0x08). */
#define FT_HF_DONE       0x01
#define FT_HF_COMPRESS   0x02
#define FT_HF_MULT_PDU   0x04
#define FT_HF_STREAMING  0x08
#define FT_HF_XLATE      0x10
#define FT_HF_PRELOADED  0x20
#define FT_HF_ZSTD       0x40   /* ftkit: records are one zstd frame, not zlib */
/* ftkit: big-endian v1005 records are in ftkit's lossless layout (32-bit
 * big-endian tags, big-endian exporter address), not flow-tools' damaged one
 * (FT_ORDER_BIG_FLOWTOOLS).  Writers set it on every big-endian v1005
 * stream they write in that layout and clear it on every other stream. */
#define FT_HF_BE1005_FIXED 0x80
/* ftkit: the records are stored in column blocks (ft_blocks.h).  Writers
 * set it on zstd-compressed streams below level 16 and on zlib-compressed
 * streams of the extended record, which flow-tools cannot read anyway, and
 * on no other. */
#define FT_HF_BLOCKS     0x100
/* ftkit: the column blocks are in layout 2 (ft_cblocks.h): not one zstd
 * stream but a sequence of blocks whose fields' columns are zstd frames of
 * their own.  Writers set it with FT_HF_BLOCKS on zstd streams; layout 1
 * streams (without it) are still read. */
#define FT_HF_BLOCKS2    0x200

#define FT_HDR_MAX 16384        /* largest header a writer builds */
#define FT_HDR_STR 4096         /* room for hostname / comments */

struct ft_ifname {              /* IF_NAME TLV */
    uint32_t ip;
    uint16_t ifindex;
    char name[64];
};
struct ft_ifalias {             /* IF_ALIAS TLV */
    uint32_t ip;
    uint16_t n;
    uint16_t ifindex[32];
    char name[64];
};

struct ft_header {
    uint8_t byte_order;         /* FT_ORDER_*, anything else is "BROKEN" */
    uint8_t s_version;          /* 1 or 3 */
    uint16_t d_version;
    uint8_t agg_version, agg_method;
    uint8_t vendor;
    uint32_t present;           /* bit (1 << FT_TLV_x) per field present */
    uint32_t flags;             /* FT_HF_* */
    uint32_t exporter_ip;
    uint32_t cap_start, cap_end;
    uint32_t rot_schedule;
    uint32_t flow_count, flow_lost, flow_misordered, pkt_corrupt, seq_reset;
    char hostname[FT_HDR_STR];
    char comments[FT_HDR_STR];
    struct ft_ifname *ifnames;  /* owned by whoever filled the header */
    size_t n_ifnames;
    struct ft_ifalias *ifaliases;
    size_t n_ifaliases;
    uint32_t header_len;        /* as read; 0 for a header not read from a file */
};

/* A header for writing records of `fmt`: EX_VER (+AGG_*) and HEADER_FLAGS set. */
void ft_header_init(struct ft_header *h, const struct ft_format *fmt);
void ft_header_set_str(struct ft_header *h, enum ft_tlv tlv, const char *s);
void ft_header_set_u32(struct ft_header *h, enum ft_tlv tlv, uint32_t v);

/* Serialize (stream version 3) in the header's byte order; returns length or -1. */
ssize_t ft_header_encode(const struct ft_header *h, uint8_t *buf, size_t size);

/* ---- reading ---------------------------------------------------------- */

struct ft_reader;

/*
 * Open a stream on fd (not closed by the reader unless FT_READ_CLOSE_FD).
 * `name` is used in messages ("-" or "stdin" for standard input).  Reads and
 * checks the header; NULL with err filled if it is bad.
 */
#define FT_READ_CLOSE_FD 0x1
struct ft_reader *ft_reader_open(int fd, const char *name, unsigned flags, struct ft_err *err);
/* Open a file by path ("-" is standard input). */
struct ft_reader *ft_reader_open_path(const char *path, struct ft_err *err);
/* Read a stream held in memory (buf[0..len), kept by the caller until
 * ft_reader_close), through the same code as a file (fuzzing, tests). */
struct ft_reader *ft_reader_open_mem(const void *buf, size_t len, const char *name,
                                     struct ft_err *err);
void ft_reader_close(struct ft_reader *r);

const struct ft_header *ft_reader_header(const struct ft_reader *r);
/* Format of the records this reader hands out (sv1 streams: v1 or v5). */
const struct ft_format *ft_reader_format(const struct ft_reader *r);
/* Byte order of the raw records handed out by ft_reader_raw: FT_ORDER_LITTLE,
 * FT_ORDER_BIG, or FT_ORDER_BIG_FLOWTOOLS for a big-endian v1005 stream
 * without FT_HF_BE1005_FIXED.  Pass it on to ft_rec_decode and
 * ft_writer_write_raw as it is. */
int ft_reader_order(const struct ft_reader *r);

/*
 * Up to `max` records, decoded.  Returns how many (>0), 0 at the end of a
 * sound stream, -1 on damage: truncated or corrupt data; the records before
 * the damage were all returned by earlier calls, and ft_reader_error() names
 * the stream and byte offset.
 */
ssize_t ft_reader_read(struct ft_reader *r, struct ft_flow *flows, size_t max);

/*
 * Up to `max` raw records in the stream's byte order, contiguous at *recs
 * (valid until the next call).  Same returns as ft_reader_read.  Not for
 * stream-version-1 files (use ft_reader_read; they are converted).
 */
ssize_t ft_reader_raw(struct ft_reader *r, const uint8_t **recs, size_t max);

/*
 * Up to `max` records (at most FT_READ_BATCH), decoded into the reader's own
 * memory: *flows is valid until the next call on r.  Same returns as
 * ft_reader_read; reading ahead, it hands out the second thread's batches
 * without copying them (ft_reader_read copies).
 */
#define FT_READ_BATCH 4096
ssize_t ft_reader_flows(struct ft_reader *r, const struct ft_flow **flows, size_t max);

/*
 * Read ahead: from now on a second thread reads, decompresses and decodes
 * the next batches of records while the caller works on the last one, so
 * that the caller's work overlaps inflating instead of following it (for
 * the programs that print, filter, count or sort flows).
 * ft_reader_read and ft_reader_flows hand out the same flows, then the same
 * end or the same damage message as without it; ft_reader_count and
 * ft_reader_error are the caller's.  ft_reader_raw is refused (-1): the
 * thread hands out decoded flows.  It holds four batches of FT_READ_BATCH
 * flows (about 5 MB) and stays on until ft_reader_close, which waits for a
 * read in progress.  0 (also when already on), or -1 with err filled: the reader
 * then goes on without.
 */
int ft_reader_read_ahead(struct ft_reader *r, struct ft_err *err);

/*
 * With read-ahead on a zlib-compressed stream, let the caller's thread
 * decode the records of a batch when it had no batch waiting (inflating on
 * the reading thread is then the limit, and that thread only inflates); a
 * caller that is behind gets them decoded as before.  For callers whose
 * own work per flow is about that of inflating or lighter (flow-report,
 * flow-stat).  Call it before ft_reader_read_ahead; the flows, end and
 * damage are the same.
 */
void ft_reader_decode_in_caller(struct ft_reader *r);

/*
 * Decode column blocks of layout 2 on `threads` worker threads (0: one per
 * core, at most 4; none on one core), several blocks at once, handed out
 * in order with the same records, end and damage message as without.
 * Other layouts are read as before.  Call it before the first read (later
 * calls, and calls on other layouts, do nothing); ft_reader_read_ahead
 * turns it on.  0, or -1 with err filled (the reader goes on without).
 */
int ft_reader_parallel(struct ft_reader *r, unsigned threads, struct ft_err *err);

/*
 * The caller needs only the fields of `fields` (FT_F_* bits, those of the
 * filters, keys and counters it uses; 0 means every field, the default).
 * Column blocks of layout 2 then inflate only those fields' columns: the
 * others read as zero and their has bits are clear.  Other layouts hand
 * out every field as before.  Call it before the first read and before
 * ft_reader_read_ahead; later calls are ignored.  Programs that write
 * records out (flow-cat, flow-nfilter) need every field.
 */
void ft_reader_want(struct ft_reader *r, uint64_t fields);

const char *ft_reader_error(const struct ft_reader *r);
/* Records handed out so far. */
uint64_t ft_reader_count(const struct ft_reader *r);

/* ---- writing ---------------------------------------------------------- */

struct ft_writer;

enum ft_compression { FT_COMP_NONE = 0, FT_COMP_ZLIB = 1, FT_COMP_ZSTD = 2 };

struct ft_write_opts {
    int byte_order;             /* FT_ORDER_*, 0 = host; FT_ORDER_BIG_FLOWTOOLS writes
                                 * v1005 in flow-tools' layout (tags cut to 16 bits),
                                 * for the original's programs, which misread ours */
    enum ft_compression comp;
    int level;                  /* zlib 0..9 (0 = none), zstd 1..19 */
    /* Rewrite the header at close with the final counts and FT_HF_DONE
     * (flow-capture, flow-cat -o).  Needs a seekable fd; without it, or when
     * 0, the header is written once with FT_HF_STREAMING set. */
    int rewrite;
    /* Compression threads: with 2 or more, zlib chunks are deflated by that
     * many worker threads (still one zlib stream every reader takes, but not
     * the original's bytes) and zstd uses as many workers; 0 or 1 compress
     * in the caller's thread, byte for byte as flow-tools. */
    int threads;
};

/* Parse a -z argument: "0".."9" (zlib), "zstd" or "zstd:N".  -1 if bad. */
int ft_parse_compression(const char *arg, struct ft_write_opts *o, struct ft_err *err);

/*
 * Start a stream on fd with header *h (format from h->d_version/agg_method).
 * The header is written at once; FT_HF_COMPRESS/FT_HF_ZSTD follow the options.
 * With o->rewrite it is written again on close from ft_writer_header(),
 * which callers may update meanwhile.
 */
struct ft_writer *ft_writer_open(int fd, const char *name, const struct ft_header *h,
                                 const struct ft_write_opts *o, struct ft_err *err);

/* The header that will be rewritten at close; callers update counts here. */
struct ft_header *ft_writer_header(struct ft_writer *w);
const struct ft_format *ft_writer_format(const struct ft_writer *w);

/* Write decoded flows; lossy conversions are counted (ft_writer_losses). */
int ft_writer_write(struct ft_writer *w, const struct ft_flow *flows, size_t n);

/* Write raw records of the writer's format stored in byte order `order`
 * (FT_ORDER_*, 0 = host).  Records in another layout than the writer's are
 * converted; those that lose something (v1005 tags above 65535 written in
 * flow-tools' layout) are counted by ft_writer_losses. */
int ft_writer_write_raw(struct ft_writer *w, const uint8_t *recs, size_t n, int order);

/* Records written, and records that lost something in conversion. */
uint64_t ft_writer_count(const struct ft_writer *w);
uint64_t ft_writer_losses(const struct ft_writer *w);

/* Flush, finish compression, rewrite the header (DONE set) when possible.
 * Frees w.  0 or -1 with err filled. Does not close fd. */
int ft_writer_close(struct ft_writer *w, struct ft_err *err);

const char *ft_writer_error(const struct ft_writer *w);

#endif
