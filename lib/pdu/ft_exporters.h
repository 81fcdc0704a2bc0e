/*
 * ft_exporters.h - per-exporter settings of the collectors: sampling rate
 * overrides, counter scaling and the quirks of broken exporters.
 *
 * The settings come from a small text file (ftkit-exporters(5)), one
 * exporter a line:
 *
 *     exporter 192.0.2.1 port 2055 source-id 7 sampling 1000 scale
 *     exporter 198.51.100.0/24 quirks uptime-seconds,zero-packets
 *     exporter any fallback-sampling 100
 *
 * and are applied to every batch of flows a decoder hands out, so that the
 * decoders stay free of special cases.  Nothing here is silent: each change
 * made to a flow is counted (struct ft_exporters_stats), and scaled flows
 * carry FT_F_SCALED.
 */
#ifndef FT_EXPORTERS_H
#define FT_EXPORTERS_H

#include <stdint.h>
#include <stddef.h>
#include "net/ft_addrspec.h"
#include "core/ft_flow.h"
#include "core/ft_err.h"

#define FT_EXPORTERS_PATH "/etc/ftkit/exporters.conf"   /* the documented place */
#define FT_EXPORTERS_MAX 4096       /* entries of one file, unless told otherwise */
#define FT_EXPORTERS_LINE_MAX 1024  /* bytes of one line's statement (its comment aside) */
#define FT_EXPORTERS_MAX_FILE (64u * 1024u * 1024u)

/* Quirks: what a broken exporter gets wrong, one bit each. */
#define FT_QUIRK_UPTIME_SECONDS        0x01u  /* sysUptime and first/last in seconds */
#define FT_QUIRK_HEADER_UPTIME_SECONDS 0x02u  /* only the header sysUptime in seconds */
#define FT_QUIRK_SWAP_INTERFACES       0x04u  /* input and output exchanged */
#define FT_QUIRK_ZERO_PACKETS          0x08u  /* packet count 0: make it 1 */
#define FT_QUIRK_RECEIVE_TIME          0x10u  /* clock wrong: export time := arrival time */
#define FT_QUIRK_STRICT_COUNT          0x20u  /* refuse v1-v8 counts above the nominal maximum */

/* "uptime-seconds" etc. of one bit; NULL for anything else. */
const char *ft_quirk_name(unsigned quirk);

/* One `exporter` line. */
struct ft_exporter_conf {
    struct ft_prefix prefix;    /* exporter address or network */
    int any;                    /* 1: `any`, every exporter of either family */
    int has_port, has_source_id;
    uint16_t port;              /* UDP source port */
    uint32_t source_id;         /* v9 source id / IPFIX observation domain */
    uint32_t sampling;          /* always this interval (0: not set) */
    uint32_t fallback_sampling; /* this interval when the exporter sent none (0: not set) */
    int scale;                  /* 1: multiply packets and octets by the interval */
    unsigned quirks;            /* FT_QUIRK_* */
    unsigned line;              /* where it was written */
};

/* What applying the settings did, in flows. */
struct ft_exporters_stats {
    uint64_t matched;           /* flows of an exporter with an entry */
    uint64_t sampling_set;      /* sampling interval taken from the file */
    uint64_t scaled;            /* packets and octets multiplied (FT_F_SCALED) */
    uint64_t scale_unknown;     /* scaling asked, but no interval known: left alone */
    uint64_t scale_saturated;   /* a product above 2^64-1, kept at 2^64-1 */
    uint64_t uptime_seconds;    /* times rescaled (either uptime quirk) */
    uint64_t swapped_interfaces;
    uint64_t zero_packets;      /* packet count 0 made 1 */
    uint64_t receive_time;      /* times moved to the arrival time */
    uint64_t receive_time_unknown; /* receive-time asked, arrival time unknown */
};

struct ft_exporters;

/*
 * Read a settings file; at most max_entries entries (0: FT_EXPORTERS_MAX).
 * NULL with err filled ("FILE:LINE: "TOKEN": why") on any error: a settings
 * file is used whole or not at all.  Entries beyond the limit are counted
 * and refused as one error naming the first of them.
 */
struct ft_exporters *ft_exporters_load(const char *path, uint32_t max_entries,
                                       struct ft_err *err);

/* The same from text in memory; `name` stands for the file in messages. */
struct ft_exporters *ft_exporters_parse(const char *name, const char *text,
                                        uint32_t max_entries, struct ft_err *err);

void ft_exporters_free(struct ft_exporters *x);

/* Entries, and the i-th of them in file order. */
size_t ft_exporters_count(const struct ft_exporters *x);
const struct ft_exporter_conf *ft_exporters_entry(const struct ft_exporters *x, size_t i);

/*
 * The entry for a flow's exporter (exaddr, exporter_port, source_id), or
 * NULL.  The most specific entry wins: the longest prefix, then one with a
 * source id, then one with a port; `any` is the last resort.
 */
const struct ft_exporter_conf *ft_exporters_find(const struct ft_exporters *x,
                                                 const struct ft_flow *f);

/*
 * Apply the settings to n flows just decoded, which arrived at recv_ms
 * (ms since 1970; 0 = unknown).  In this order: uptime quirks, receive-time,
 * swap-interfaces, zero-packets, sampling interval, scaling.  A flow already
 * marked FT_F_SCALED is never scaled again.
 */
void ft_exporters_apply(struct ft_exporters *x, struct ft_flow *flows, size_t n,
                        uint64_t recv_ms);

void ft_exporters_stats(const struct ft_exporters *x, struct ft_exporters_stats *st);

/* " scaled=3 zero_packets=1 ..." for every non-zero counter; "" when none.
 * Returns buf. */
char *ft_exporters_stats_str(const struct ft_exporters *x, char *buf, size_t size);

#endif
