/*
 * ft_pcap.h - UDP datagrams out of a pcap file.
 *
 * Reads a capture with libpcap and hands out the UDP payloads with their
 * addresses and ports, for decoding export datagrams from a file instead
 * of a socket (flow-receive -r, tests).  Link types: Ethernet (with up to
 * two VLAN tags), Linux cooked v1/v2, raw IP, BSD loopback.  Network: IPv4
 * and IPv6 (extension headers skipped).  Fragments, truncated packets and
 * anything that is not UDP are skipped and counted.  Every header read is
 * bounds-checked against the captured length.
 */
#ifndef FT_PCAP_H
#define FT_PCAP_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_flow.h"
#include "core/ft_err.h"

struct ft_pcap_dgram {
    struct ft_ip src, dst;
    uint16_t sport, dport;
    const uint8_t *data;        /* UDP payload, valid until the next call */
    size_t len;
    uint64_t ts_ms;             /* capture time, ms since 1970 */
    uint64_t frame;             /* 1-based frame number in the file */
};

struct ft_pcap_stats {
    uint64_t frames;            /* packets read from the file */
    uint64_t datagrams;         /* UDP datagrams handed out */
    uint64_t not_udp;           /* other link, network or transport protocols */
    uint64_t other_port;        /* UDP to another port than the one asked for */
    uint64_t fragments;         /* IP fragments (not reassembled) */
    uint64_t truncated;         /* captured length shorter than the headers say */
};

struct ft_pcap;

/* Open a capture file; NULL with err filled. */
struct ft_pcap *ft_pcap_open(const char *path, struct ft_err *err);
/* The same for a capture held in memory (buf[0..len), kept by the caller
 * until ft_pcap_close); `name` in messages. */
struct ft_pcap *ft_pcap_open_mem(const void *buf, size_t len, const char *name,
                                 struct ft_err *err);
void ft_pcap_close(struct ft_pcap *p);

/* Only hand out datagrams sent to this UDP port (0: all, the default). */
void ft_pcap_set_port(struct ft_pcap *p, uint16_t port);

/* Next datagram: 1, 0 at the end of the file, -1 on a read error (err). */
int ft_pcap_next(struct ft_pcap *p, struct ft_pcap_dgram *d, struct ft_err *err);

void ft_pcap_stats(const struct ft_pcap *p, struct ft_pcap_stats *st);

/*
 * The same parsing for one captured frame of link type `dlt` (a DLT_*
 * value): 1 and *d filled if it is a complete UDP datagram, 0 if not (the
 * reason counted in *st when st is not NULL).  For the sensor and tests.
 */
int ft_pcap_parse_frame(int dlt, const uint8_t *frame, size_t caplen,
                        struct ft_pcap_dgram *d, struct ft_pcap_stats *st);

#endif
