/*
 * ft_reader_int.h - the reader's state, shared by the code that reads the
 * bytes (ft_reader.c) and the calls that hand records and flows out
 * (ft_reader_api.c).  Not installed.
 */
#ifndef FT_READER_INT_H
#define FT_READER_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <zlib.h>
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif
#include "stream/ft_stream_int.h"

enum rstate {
    R_OPEN,         /* more data may come */
    R_DRAINED,      /* no more data will come; hand out what is buffered */
    R_END,          /* returned 0 */
    R_DAMAGED       /* returned -1 */
};

struct ft_reader {
    int fd;
    bool close_fd;
    const uint8_t *mem;             /* ft_reader_open_mem: the stream's bytes, */
    size_t mem_len, mem_pos;        /* read instead of fd */
    char *name;
    struct ft_header hdr;
    const struct ft_format *fmt;    /* format handed out */
    unsigned rec_size;              /* bytes per stored record (60 for sv1) */
    int order;                      /* FT_ORDER_* of the stored records */
    bool sv1;
    enum ft_compression comp;
    enum rstate state;

    /* file bytes: in[in_pos..in_len) not consumed yet; in[0] is at in_off */
    uint8_t *in;
    size_t in_pos, in_len;
    uint64_t in_off;
    bool in_eof;

    /* decompressed records: out[out_pos..out_len) */
    uint8_t *out;
    size_t out_pos, out_len, out_cap;
    uint64_t produced;              /* decompressed bytes so far */
    z_stream zs;
    bool zs_live;
#ifdef HAVE_ZSTD
    ZSTD_DStream *zd;
    bool zd_in_frame;               /* a frame is started and not finished */
#endif

    /* column blocks (FT_HF_BLOCKS): the block being gathered from the
     * record bytes, raw[0..raw_len) of raw_need (0 until its head is read,
     * then head and columns), and the records of the last one decoded,
     * blk[blk_pos..blk_len) */
    bool blocked;
    uint8_t *raw, *blk;
    size_t raw_len, raw_need, blk_n, blk_pos, blk_len;
    uint64_t decoded;               /* records of the blocks decoded so far */
    /* layout 2 (FT_HF_BLOCKS2): blocks gathered from the file bytes as
     * they are (raw: the len field, then the body) */
    bool blocks2;
    struct ft_bpool *pool;          /* decodes them, perhaps on worker threads */
    const uint8_t *cur;             /* the records of the block handed out */
    bool gather_end, regular;       /* no more blocks to gather; fd is a file */
    size_t gather_left;             /* bytes of a block the stream ended in */
    uint64_t blk_start;             /* byte offset of the block being gathered */
    uint64_t want;                  /* FT_F_* bits asked for; 0 all */
    uint8_t want_cols[64];          /* their byte columns */
    bool decode_in_caller;          /* read-ahead hands zlib records over raw */

    uint8_t *conv;                  /* sv1 records converted for ft_reader_raw */
    struct ft_flow *flows;          /* ft_reader_flows' batch without read-ahead */
    struct ft_readahead *ra;        /* the second thread, when reading ahead */
    uint64_t count;
    struct ft_err pending;          /* damage seen, not yet reported */
    struct ft_err err;
};

/* Start the pool decoding layout-2 blocks with `workers` threads (0: in
 * the reading thread); 0, or -1 when out of memory or threads. */
int ft_reader_start_pool(struct ft_reader *r, unsigned workers);

#endif
