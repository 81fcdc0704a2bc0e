/*
 * ft_gen.h - synthetic flows for tests and benchmarks.
 *
 * Two kinds:
 *
 * FT_GEN_COUNTER reproduces the original flow-gen exactly: per record
 * format, a fixed set of fields counts up by one from record to record
 * (addresses, ports, interfaces, counters; times stay zero), so that
 * `flow-gen -V FORMAT` writes the very bytes the original writes.
 *
 * FT_GEN_REALISTIC draws traffic that looks like a campus/ISP edge, fully
 * determined by the seed: client subnets behind campus and customer
 * interfaces, a few hundred server prefixes whose popularity follows a Zipf
 * law, a service mix (HTTPS, QUIC, HTTP, DNS, NTP, mail, SSH, ICMP, VPN,
 * others), heavy-tailed packet and byte counts with plausible bytes per
 * packet, TCP flags that match the conversation, interfaces, AS numbers,
 * masks and next hops from a fixed address plan, and end times spread over
 * [start, start + span) in non-decreasing order with a daily rhythm.  Most
 * conversations give two flows (request and reply).  An IPv6 share is only
 * drawn when the output format can hold IPv6 addresses (the extended
 * format); for the other formats every flow is IPv4, so the count is exact
 * and nothing is lost in conversion.
 */
#ifndef FT_GEN_H
#define FT_GEN_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_flow.h"
#include "stream/ft_format.h"
#include "stream/ft_stream.h"

enum ft_gen_kind { FT_GEN_COUNTER = 0, FT_GEN_REALISTIC = 1 };

/* Realistic mode defaults. */
#define FT_GEN_START_DEFAULT 1710406800LL   /* 2024-03-14 09:00:00 UTC */
#define FT_GEN_SPAN_DEFAULT 3600u           /* seconds */
#define FT_GEN_V6_DEFAULT 20u               /* percent, extended format only */
#define FT_GEN_SPAN_MAX (366u * 86400u)

struct ft_gen_opts {
    enum ft_gen_kind kind;
    const struct ft_format *fmt;    /* the record format the flows are for */
    uint64_t count;                 /* flows to generate */
    uint64_t seed;                  /* realistic: same seed, same flows */
    int64_t start;                  /* realistic: unix seconds of the span */
    uint32_t span;                  /* realistic: seconds, 1..FT_GEN_SPAN_MAX */
    unsigned v6_percent;            /* realistic: 0..100 (extended format only) */
};

/* Counter mode, v5, 1000 flows, realistic defaults for the rest. */
void ft_gen_opts_init(struct ft_gen_opts *o);

struct ft_gen;

/* NULL with err filled if the options are out of range. */
struct ft_gen *ft_gen_new(const struct ft_gen_opts *o, struct ft_err *err);
void ft_gen_free(struct ft_gen *g);

/* Up to max next flows; 0 once opts.count flows have been handed out. */
size_t ft_gen_next(struct ft_gen *g, struct ft_flow *flows, size_t max);

/* Whether the realistic generator draws IPv6 flows for this format. */
int ft_gen_format_has_ipv6(const struct ft_format *fmt);

#endif
