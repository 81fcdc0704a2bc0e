/*
 * ft_reader_api.c - what a reader hands out: raw records, decoded flows
 * (perhaps read ahead), its count and message; the fields a caller wants
 * and the threads it allows.  Reading the bytes is ft_reader.c's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/ft_reader_int.h"
#include "stream/ft_bpool.h"
#include "core/ft_field.h"

const struct ft_header *ft_reader_header(const struct ft_reader *r) { return &r->hdr; }
const struct ft_format *ft_reader_format(const struct ft_reader *r) { return r->fmt; }
int ft_reader_order(const struct ft_reader *r) { return r->order; }

/* With read-ahead the caller's side has its own count and message: the
 * reader's are the second thread's. */
const char *ft_reader_error(const struct ft_reader *r)
{
    return r->ra ? ft_readahead_err(r->ra)->msg : r->err.msg;
}

uint64_t ft_reader_count(const struct ft_reader *r)
{
    return r->ra ? ft_readahead_count(r->ra) : r->count;
}

const char *ft_reader_damage(const struct ft_reader *r) { return r->err.msg; }

void ft_reader_decode_recs(const struct ft_reader *r, const uint8_t *p, size_t n,
                           struct ft_flow *flows)
{
    for (size_t i = 0; i < n; i++)
        ft_rec_decode(r->fmt, r->order, p + i * r->rec_size, &flows[i]);
    if (r->want && r->blocks2) {
        /* the fields left out read as zero: say they are not there */
        uint64_t keep = r->want | ~FT_F_FLOWTOOLS;
        for (size_t i = 0; i < n; i++)
            flows[i].has &= keep;
    }
}

int ft_reader_raw_ahead(const struct ft_reader *r)
{
    return r->decode_in_caller && !r->sv1 && r->comp == FT_COMP_ZLIB &&
           r->rec_size <= sizeof(struct ft_flow);
}

void ft_reader_decode_in_caller(struct ft_reader *r)
{
    r->decode_in_caller = true;
}

ssize_t ft_reader_decode(struct ft_reader *r, struct ft_flow *flows, size_t max)
{
    const uint8_t *p;
    ssize_t n = ft_reader_next_raw(r, &p, max);
    if (n <= 0)
        return n;
    if (r->sv1) {
        for (ssize_t i = 0; i < n; i++)
            ft_rec_decode_sv1(r->fmt->d_version, r->order, p + (size_t)i * r->rec_size,
                              &flows[i]);
        return n;
    }
    ft_reader_decode_recs(r, p, (size_t)n, flows);
    return n;
}

/* Stream-version-1 records re-encoded as the v1/v5 records they become. */
static ssize_t convert_sv1(struct ft_reader *r, const uint8_t *p, ssize_t n,
                           const uint8_t **recs)
{
    size_t most = FT_IO_BLOCK / FT_SV1_REC_SIZE + 1;
    if (!r->conv && !(r->conv = malloc(most * r->fmt->rec_size))) {
        ft_err_set(&r->err, "%s: out of memory", r->name);
        r->state = R_DAMAGED;
        return -1;
    }
    for (ssize_t i = 0; i < n; i++) {
        struct ft_flow f;
        ft_rec_decode_sv1(r->fmt->d_version, r->order, p + (size_t)i * FT_SV1_REC_SIZE, &f);
        ft_rec_encode(r->fmt, r->order, &f, r->conv + (size_t)i * r->fmt->rec_size);
    }
    *recs = r->conv;
    return n;
}

ssize_t ft_reader_raw(struct ft_reader *r, const uint8_t **recs, size_t max)
{
    const uint8_t *p;
    if (r->ra)
        return ft_err_set(ft_readahead_err(r->ra), "%s: raw records cannot be read from a "
                          "reader reading ahead (it hands out decoded flows)", r->name);
    if (r->sv1 && max > FT_IO_BLOCK / FT_SV1_REC_SIZE)
        max = FT_IO_BLOCK / FT_SV1_REC_SIZE;
    ssize_t n = ft_reader_next_raw(r, &p, max);
    if (n <= 0)
        return n;
    if (r->sv1)
        return convert_sv1(r, p, n, recs);
    *recs = p;
    return n;
}

/* ---- decoded flows, perhaps read ahead ---------------------------------- */

ssize_t ft_reader_read(struct ft_reader *r, struct ft_flow *flows, size_t max)
{
    if (!r->ra)
        return ft_reader_decode(r, flows, max);
    const struct ft_flow *batch;
    ssize_t n = ft_readahead_take(r->ra, &batch, max);
    if (n > 0)
        memcpy(flows, batch, (size_t)n * sizeof(*flows));
    return n;
}

ssize_t ft_reader_flows(struct ft_reader *r, const struct ft_flow **flows, size_t max)
{
    if (max > FT_READ_BATCH)
        max = FT_READ_BATCH;
    if (r->ra)
        return ft_readahead_take(r->ra, flows, max);
    if (!r->flows && !(r->flows = malloc(FT_READ_BATCH * sizeof(*r->flows)))) {
        ft_err_set(&r->err, "%s: out of memory", r->name);
        r->state = R_DAMAGED;
        return -1;
    }
    *flows = r->flows;
    return ft_reader_decode(r, r->flows, max);
}

void ft_reader_want(struct ft_reader *r, uint64_t fields)
{
    if (r->ra || r->count || r->pool)
        return;                 /* too late: the thread or the caller reads */
    r->want = fields & FT_F_FLOWTOOLS ? fields : 0;
    if (r->want)
        ft_format_columns(r->fmt, r->want, r->want_cols);
}

int ft_reader_parallel(struct ft_reader *r, unsigned threads, struct ft_err *err)
{
    if (!r->blocks2 || r->pool || r->count)
        return 0;
    if (threads == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        threads = cpus < 2 ? 0 : cpus > FT_BPOOL_MAX_WORKERS ? FT_BPOOL_MAX_WORKERS
                                                            : (unsigned)cpus;
    }
    if (threads && ft_reader_start_pool(r, threads) < 0)
        return ft_err_set(err, "%s: cannot start %u threads decoding blocks", r->name,
                          threads);
    return 0;
}

int ft_reader_read_ahead(struct ft_reader *r, struct ft_err *err)
{
    if (r->ra)
        return 0;
    struct ft_err why;                  /* without workers, blocks decode on the thread */
    ft_reader_parallel(r, 0, &why);
    if (!(r->ra = ft_readahead_start(r)))
        return ft_err_set(err, "%s: cannot start reading ahead (out of memory or threads)",
                          r->name);
    return 0;
}
