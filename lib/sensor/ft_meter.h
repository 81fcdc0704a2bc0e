/*
 * ft_meter.h - the sensor's flow cache: packets (ft_packet.h) into flows.
 *
 * A flow is keyed on addresses, ports (ICMP type/code in the destination
 * port), protocol, ToS, IP version, input interface and, when asked, the
 * VLAN id.  Its times are the packets' own (the pcap clock): an offline run
 * gives the same flows whatever the speed of reading.  The clock only moves
 * forward: a packet stamped before the latest one counts at the latest.
 *
 * Flows end, as routers end them:
 *   inactive  no packet for inactive_ms (last + inactive <= now)
 *   active    alive for active_ms (first + active <= now); the next packet
 *             starts a new flow
 *   fin       fin_grace_ms after the first FIN or RST seen (the last ACKs
 *             still count into it)
 *   full      a new flow finds max_flows in the cache: the least recently
 *             seen flow goes first
 *   end       ft_meter_flush (end of the capture, shutdown)
 * At each packet the clock moves to its time and the flows due are ended
 * before it is counted (inactive, then active, then fin, each oldest first).
 *
 * Memory is bounded at creation: a pool of max_flows flows and an
 * open-addressing table of up to twice as many slots (ft_meter_flow_bytes()
 * per flow), touched only as far as the cache fills; nothing is allocated
 * per packet (the table doubles, rarely, as the flows alive grow).  Expiry
 * follows three lists kept in time order (last seen, first seen, FIN seen),
 * so it looks at the heads only and never scans the cache.
 */
#ifndef FT_METER_H
#define FT_METER_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_flow.h"
#include "core/ft_err.h"
#include "sensor/ft_packet.h"

struct ft_meter_opts {
    uint32_t max_flows;         /* flows in the cache [262144] */
    uint64_t inactive_ms;       /* [15000] */
    uint64_t active_ms;         /* [1800000] */
    uint64_t fin_grace_ms;      /* [2000] */
    uint32_t sample;            /* count 1 packet in sample (0, 1: all) */
    int sample_random;          /* 1: each packet with chance 1/sample, else every Nth */
    uint64_t seed;              /* of the random sampler */
    int vlan_key;               /* the VLAN id is part of the key */
    uint32_t input;             /* input interface of every flow (ifindex) */
    uint32_t frag_slots;        /* remembered first fragments [4096] */
};

/* Defaults as above. */
void ft_meter_opts_init(struct ft_meter_opts *o);

enum ft_meter_cause {
    FT_EXP_INACTIVE, FT_EXP_ACTIVE, FT_EXP_FIN, FT_EXP_FULL, FT_EXP_END, FT_EXP_NCAUSES
};
extern const char *const ft_meter_cause_names[FT_EXP_NCAUSES];

struct ft_meter_stats {
    uint64_t packets, octets;   /* counted into flows */
    uint64_t sampled_out;       /* left out by sampling */
    uint64_t flows;             /* flows started */
    uint64_t active;            /* flows in the cache now */
    uint64_t expired[FT_EXP_NCAUSES];
    uint64_t frag_known;        /* later fragments given their first's ports */
    uint64_t frag_unknown;      /* later fragments counted without ports */
    uint64_t short_l4;          /* transport header cut: counted without ports */
    uint64_t clock_back;        /* packets stamped before an earlier one */
};

/* An ended flow (valid during the call). */
typedef void (*ft_meter_emit_fn)(void *arg, const struct ft_flow *f, enum ft_meter_cause why);

struct ft_meter;

struct ft_meter *ft_meter_new(const struct ft_meter_opts *o, ft_meter_emit_fn emit, void *arg,
                              struct ft_err *err);
void ft_meter_free(struct ft_meter *m);

/* Count one parsed packet captured at ts_us (µs since 1970). */
void ft_meter_packet(struct ft_meter *m, const struct ft_pkt *p, uint64_t ts_us);

/* Move the clock to now_us (an idle live capture) and end the flows due. */
void ft_meter_advance(struct ft_meter *m, uint64_t now_us);

/* End every flow in the cache (cause end). */
void ft_meter_flush(struct ft_meter *m);

void ft_meter_stats(const struct ft_meter *m, struct ft_meter_stats *st);

/* Bytes of memory per flow of max_flows (pool entry and table slots). */
size_t ft_meter_flow_bytes(void);

#endif
