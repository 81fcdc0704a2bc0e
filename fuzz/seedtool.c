/*
 * seedtool.c - seed inputs for the datagram targets out of pcap captures,
 * read with ftlib's own pcap reader (fuzz/seeds.sh runs it; not a target).
 *
 *   seedtool OUTDIR FILE.pcap...
 *
 * writes OUTDIR/pdu_vN/ (v1-v8: one datagram a file, the first 40 of each
 * capture), OUTDIR/pdu_v9/ and OUTDIR/pdu_ipfix/ (runs of up to 8
 * datagrams, each preceded by its 2-byte length, as fuzz/pdu.h reads them)
 * and OUTDIR/tmplfile/ (the templates the captures taught, as flow-capture
 * saves them); and datagrams of every version and v8 aggregation ftlib
 * encodes, made from the first flows decoded (v6 and v8 have no capture).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net/ft_pcap.h"
#include "pdu/ft_pdu.h"

static unsigned seq;

static void put(const char *dir, const char *sub, const uint8_t *d, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/seed-%05u", dir, sub, seq++);
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(d, 1, len, fp) != len) {
        perror(path);
        exit(1);
    }
    fclose(fp);
}

static struct ft_flow kept[60];
static size_t n_kept;

/* The kept flows encoded as version v (v8: aggregation agg). */
static void encode(const char *dir, unsigned v, unsigned agg)
{
    struct ft_pdu_enc_opts o = {.version = v, .agg_method = agg};
    struct ft_err err;
    struct ft_pdu_enc *e = ft_pdu_enc_new(&o, &err);
    if (!e)
        return;
    struct ft_pdu_dgram d;
    const char *sub = v == 9 ? "pdu_v9" : NULL;
    char name[16];
    if (!sub) {
        snprintf(name, sizeof name, "pdu_v%u", v);
        sub = name;
    }
    for (size_t i = 0; i < n_kept; i++)
        if (ft_pdu_enc_add(e, &kept[i], &d) == 1)
            put(dir, sub, d.data, d.len);
    if (ft_pdu_enc_flush(e, &d) == 1)
        put(dir, sub, d.data, d.len);
    ft_pdu_enc_free(e);
}

static const char *sub_of(unsigned v)
{
    static const char *names[] = {"", "pdu_v1", "", "", "", "pdu_v5", "pdu_v6", "pdu_v7",
                                  "pdu_v8", "pdu_v9", "pdu_ipfix"};
    return v < 11 && names[v][0] ? names[v] : NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: seedtool OUTDIR FILE.pcap...\n");
        return 2;
    }
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(NULL);
    static uint8_t chain[16384];
    for (int i = 2; i < argc; i++) {
        struct ft_err err;
        struct ft_pcap *p = ft_pcap_open(argv[i], &err);
        if (!p) {
            fprintf(stderr, "seedtool: %s\n", err.msg);
            continue;
        }
        struct ft_pcap_dgram d;
        size_t clen = 0, n_chain = 0, per_file = 0;
        unsigned cver = 0;
        while (ft_pcap_next(p, &d, &err) == 1 && per_file < 400) {
            if (d.len < 4)
                continue;
            unsigned v = (unsigned)d.data[0] << 8 | d.data[1];
            const char *sub = sub_of(v);
            if (!sub)
                continue;
            struct ft_pdu_src src = {.addr = d.src, .port = d.sport};
            struct ft_pdu_info info;
            int n = ft_pdu_decode(ctx, &src, d.data, d.len, &info, &err);
            for (int k = 0; k < n && n_kept < sizeof kept / sizeof kept[0]; k += 3)
                kept[n_kept++] = info.flows[k];
            per_file++;
            if (v < 9) {
                if (per_file <= 40)
                    put(argv[1], sub, d.data, d.len);
                continue;
            }
            if (clen && (v != cver || clen + 2 + d.len > sizeof chain || n_chain == 8)) {
                put(argv[1], sub_of(cver), chain, clen);
                clen = n_chain = 0;
            }
            if (2 + d.len > sizeof chain)
                continue;
            cver = v;
            chain[clen] = (uint8_t)(d.len >> 8);
            chain[clen + 1] = (uint8_t)d.len;
            memcpy(chain + clen + 2, d.data, d.len);
            clen += 2 + d.len;
            n_chain++;
        }
        if (clen)
            put(argv[1], sub_of(cver), chain, clen);
        ft_pcap_close(p);
    }
    unsigned versions[] = {1, 5, 6, 7};
    for (size_t k = 0; k < sizeof versions / sizeof versions[0]; k++)
        encode(argv[1], versions[k], 0);
    for (unsigned agg = 1; agg <= 14; agg++)
        encode(argv[1], 8, agg);
    char path[4096];
    snprintf(path, sizeof path, "%s/tmplfile/seed-templates", argv[1]);
    struct ft_err err;
    if (ft_pdu_templates_save(ctx, path, &err) < 0)
        fprintf(stderr, "seedtool: %s\n", err.msg);
    ft_pdu_ctx_free(ctx);
    return 0;
}
