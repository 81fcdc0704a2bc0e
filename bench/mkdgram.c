/*
 * mkdgram - pre-encode a flow stream (stdin) into NetFlow datagrams, once,
 * so that blast can replay them at rates no encoder could reach live.
 *
 *   flow-gen -R -n 2000000 -V 5 | mkdgram -V 5|9 > dgrams.bin
 *
 * It uses ftlib's own encoder.  Generated flows carry the export header of
 * the (simulated) router that sent them, and flows of two routers and many
 * export seconds interleave, so re-exporting them as they are gives datagrams
 * of about 5 flows.  Real exporters fill their datagrams, so the per-flow
 * export header fields (sysUptime, unix time, engine) are dropped here and
 * the encoder's clock supplies them: one clock per batch of flows, set just
 * after the batch's last flow ended, so that first/last stay correct.
 *
 * Output: per datagram, a native uint32 length, a native uint32 flow count,
 * then the datagram bytes.  Benchmark helper only: not part of ftkit's build.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/ft_flow.h"
#include "pdu/ft_pdu.h"
#include "stream/ft_stream.h"

/* 34 full v5 datagrams of 30 flows: a clock change never cuts one short */
#define BATCH 1020

static void put_dgram(const struct ft_pdu_dgram *d, uint64_t *n_dgrams, uint64_t *n_flows)
{
    uint32_t hdr[2] = {(uint32_t)d->len, d->n_flows};
    if (fwrite(hdr, sizeof hdr, 1, stdout) != 1 || fwrite(d->data, d->len, 1, stdout) != 1) {
        perror("mkdgram: write");
        exit(1);
    }
    (*n_dgrams)++;
    *n_flows += d->n_flows;
}

int main(int argc, char **argv)
{
    unsigned version = 5;
    int ch;
    while ((ch = getopt(argc, argv, "V:")) != -1) {
        if (ch == 'V')
            version = (unsigned)atoi(optarg);
        else {
            fprintf(stderr, "usage: mkdgram [-V 5|9] < stream > dgrams.bin\n");
            return 2;
        }
    }
    struct ft_err err;
    struct ft_reader *r = ft_reader_open(0, "stdin", 0, &err);
    if (!r) {
        fprintf(stderr, "mkdgram: %s\n", err.msg);
        return 1;
    }
    struct ft_pdu_enc_opts eo = {.version = version, .source_id = 1};
    struct ft_pdu_enc *e = ft_pdu_enc_new(&eo, &err);
    if (!e) {
        fprintf(stderr, "mkdgram: %s\n", err.msg);
        return 1;
    }
    static struct ft_flow flows[BATCH];
    struct ft_pdu_dgram d;
    uint64_t n_dgrams = 0, n_flows = 0, boot_ms = 0;
    ssize_t n;
    while ((n = ft_reader_read(r, flows, BATCH)) > 0) {
        uint64_t last_end = 0, first_start = UINT64_MAX;
        for (ssize_t i = 0; i < n; i++) {
            flows[i].has &= ~(FT_F_UNIX_SECS | FT_F_UNIX_NSECS | FT_F_SYSUPTIME |
                              FT_F_ENGINE_TYPE | FT_F_ENGINE_ID);
            if (flows[i].end_ms > last_end)
                last_end = flows[i].end_ms;
            if (flows[i].start_ms < first_start)
                first_start = flows[i].start_ms;
        }
        if (boot_ms == 0)       /* the router booted a day before the first flow */
            boot_ms = first_start > 86400000u ? first_start - 86400000u : 1;
        ft_pdu_enc_set_clock(e, last_end + 1000, boot_ms);
        for (ssize_t i = 0; i < n; i++)
            if (ft_pdu_enc_add(e, &flows[i], &d) == 1)
                put_dgram(&d, &n_dgrams, &n_flows);
    }
    if (n < 0) {
        fprintf(stderr, "mkdgram: %s\n", ft_reader_error(r));
        return 1;
    }
    if (ft_pdu_enc_flush(e, &d) == 1)
        put_dgram(&d, &n_dgrams, &n_flows);
    if (fflush(stdout) != 0) {
        perror("mkdgram: write");
        return 1;
    }
    fprintf(stderr, "mkdgram: v%u: %llu datagrams, %llu flows (%.1f flows per datagram), "
            "%llu flows lost fields\n", version, (unsigned long long)n_dgrams,
            (unsigned long long)n_flows, n_dgrams ? (double)n_flows / (double)n_dgrams : 0.0,
            (unsigned long long)ft_pdu_enc_losses(e));
    ft_pdu_enc_free(e);
    ft_reader_close(r);
    return 0;
}
