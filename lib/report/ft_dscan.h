/*
 * ft_dscan.h - scan detection over a flow stream (flow-dscan).
 *
 * A host scan is a source that probes more than ip_depth destinations; a
 * port scan a source that probes more than port_trigger ports of one
 * destination.  Only probes count: flows that look like a knock on a door
 * rather than a conversation, so that busy servers, resolvers and clients
 * raise no alarm:
 *   - TCP without ACK in its flags (SYN, FIN, NULL and XMAS probes; a
 *     connection that was answered has ACK);
 *   - ICMP and ICMPv6 echo requests (ping sweeps);
 *   - UDP to a port below 1024 from a port of 1024 or above (service probes;
 *     server replies come from the service port);
 * each of at most packets_max packets, octets_max octets and (when set)
 * duration_max_ms.
 *
 * Each source is reported once per alarm until it is aged out: state not
 * touched during the last ager_flows flows is forgotten, so memory follows
 * the active scanners, never the whole stream; every table also has a key
 * limit, and what it refused is counted.
 *
 * Nothing here prints: alarms go to the caller's callback.
 */
#ifndef FT_DSCAN_H
#define FT_DSCAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core/ft_err.h"
#include "core/ft_flow.h"
#include "lang/ft_iflist.h"
#include "lang/ft_trie.h"

struct ft_dscan_opts {
    uint32_t ip_depth;          /* destinations a source may probe [200] */
    uint32_t port_trigger;      /* ports of one destination a source may probe [64] */
    uint64_t ager_flows;        /* forget what was untouched this many flows [90000] */
    uint64_t packets_max;       /* a probe has at most this many packets [3] */
    uint64_t octets_max;        /* ... and octets [1024] */
    uint64_t duration_max_ms;   /* ... and lasts at most this long [0: any] */
    int ignore_multicast;       /* -m: flows to multicast groups are not probes */
    int ignore_www_in;          /* -w: flows from ports 80/443 are not probes */
    int ignore_www_out;         /* -W: flows to ports 80/443 are not probes */
    const struct ft_iflist *input, *output; /* only flows of these interfaces [all] */
    const struct ft_trie *suppress_src4, *suppress_src6; /* never alarm on these */
    const struct ft_trie *suppress_dst4, *suppress_dst6; /* flows to these are not probes */
    size_t max_keys;            /* per table [1000000] */
};

enum ft_dscan_kind { FT_DSCAN_HOST, FT_DSCAN_PORT };

struct ft_dscan_alarm {
    enum ft_dscan_kind kind;
    struct ft_ip src, dst;      /* dst: port scans only */
    uint32_t count;             /* destinations (host) or ports (port scan) probed */
    uint64_t first_ms;          /* start of the source's (pair's) first probe kept */
    uint64_t last_ms;           /* end of the probe that raised the alarm */
};

typedef void (*ft_dscan_alarm_fn)(void *arg, const struct ft_dscan_alarm *a);

struct ft_dscan_stats {
    uint64_t flows, probes, suppressed;
    uint64_t host_scans, port_scans;
    uint64_t sources, pairs;    /* held now */
    uint64_t refused;           /* new keys refused at a table's limit */
    uint64_t aged;              /* sweeps */
};

struct ft_dscan;

/* NULL with err filled when memory runs out.  opts: NULL for the defaults;
 * its lists and tries are the caller's, kept until ft_dscan_free. */
struct ft_dscan *ft_dscan_new(const struct ft_dscan_opts *opts, ft_dscan_alarm_fn fn,
                              void *arg, struct ft_err *err);
void ft_dscan_free(struct ft_dscan *d);

/* Replace the suppress lists (SIGHUP). */
void ft_dscan_set_suppress(struct ft_dscan *d, const struct ft_trie *src4,
                           const struct ft_trie *src6, const struct ft_trie *dst4,
                           const struct ft_trie *dst6);

/* Look at one flow: 0, or -1 with err when memory ran out. */
int ft_dscan_flow(struct ft_dscan *d, const struct ft_flow *f, struct ft_err *err);

void ft_dscan_stats(const struct ft_dscan *d, struct ft_dscan_stats *st);

/* The state (probes kept, alarms raised) as text lines, and back: a state
 * file lets a restarted flow-dscan go on where it stopped.  Load: -1 with
 * err naming the file and line of the first bad line. */
int ft_dscan_save(const struct ft_dscan *d, FILE *out);
int ft_dscan_load(struct ft_dscan *d, const char *text, size_t len, const char *name,
                  struct ft_err *err);

#endif
