/*
 * ft_udp.h - UDP sockets of the collectors and senders.
 *
 * Receiving: one socket for localip/remoteip/port (IPv4, IPv6 or both,
 * multicast joins), a large receive buffer, and batches of datagrams read
 * with one recvmmsg call each, every datagram with its source and (through
 * IP_PKTINFO/IPV6_PKTINFO) its destination address.
 * Sending: a connected socket per destination with flow-tools' TTL rules.
 */
#ifndef FT_UDP_H
#define FT_UDP_H

#include <stdint.h>
#include <stddef.h>
#include "net/ft_addrspec.h"

#define FT_UDP_RCVBUF_DEFAULT (8 * 1024 * 1024)
#define FT_UDP_DGRAM_MAX 65535

/*
 * A non-blocking socket bound as a says (tools.md 0.1): the local address,
 * or both IPv4 and IPv6 when it is "any"; for a multicast group, bound to
 * the group's port with SO_REUSEADDR and joined (source-specific when the
 * group is).  rcvbuf > 0 asks for that receive buffer (SO_RCVBUFFORCE when
 * allowed, else SO_RCVBUF, which the kernel caps); the size obtained is
 * stored in *rcvbuf_got (may be NULL).  fd, or -1 with err.
 */
int ft_udp_listen(const struct ft_addrspec *a, int rcvbuf, int *rcvbuf_got, struct ft_err *err);

struct ft_udp_dgram {
    const uint8_t *data;
    size_t len;
    int truncated;              /* longer than the buffer: data is incomplete */
    struct ft_ip src;           /* sender (IPv4-mapped addresses come as IPv4) */
    uint16_t sport;
    struct ft_ip dst;           /* our address it was sent to; af NONE if unknown */
};

struct ft_udp_batch;

/* Room for max datagrams of up to FT_UDP_DGRAM_MAX bytes.  NULL on no memory. */
struct ft_udp_batch *ft_udp_batch_new(unsigned max);
void ft_udp_batch_free(struct ft_udp_batch *b);

/*
 * Read what is waiting, up to the batch size, without blocking.  Returns the
 * number of datagrams (0 when none), or -1 with err on a socket error.
 * Datagram i is ft_udp_batch_get(b, i), valid until the next call.
 */
int ft_udp_recv(int fd, struct ft_udp_batch *b, struct ft_err *err);
const struct ft_udp_dgram *ft_udp_batch_get(const struct ft_udp_batch *b, unsigned i);

/* Datagrams the kernel dropped on this socket because its receive buffer
 * was full, as of the last datagram received (Linux SO_RXQ_OVFL; 0 where
 * unknown).  The count is for the socket's whole life. */
uint64_t ft_udp_kernel_drops(const struct ft_udp_batch *b);
/* The same asked of the socket itself (Linux SO_MEMINFO), so that drops after
 * the last datagram received count too; the batch's figure where unknown. */
uint64_t ft_udp_socket_drops(int fd, const struct ft_udp_batch *b);

/* Wait up to timeout_ms for fd to become readable: 1 ready, 0 timeout or
 * signal, -1 error. */
int ft_udp_wait(int fd, int timeout_ms);

/*
 * A socket connected to a's remote address and port, bound to its local
 * address when one is given.  TTL: a->ttl when given, else 255 for unicast;
 * multicast destinations get it as IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS.
 * fd, or -1 with err.
 */
int ft_udp_connect(const struct ft_addrspec *a, struct ft_err *err);

/* Send one datagram on a connected socket without blocking.  0, or the
 * errno (EAGAIN/ENOBUFS when the kernel queue is full). */
int ft_udp_send(int fd, const void *buf, size_t len);

/*
 * Source spoofing (flow-send/flow-fanout -s): a raw IPv4 socket that sends
 * UDP datagrams with any source address, so a collector sees the original
 * exporter, and the buffer each packet is built in.  The caller owns it and
 * uses it from one thread at a time.  Needs CAP_NET_RAW.  NULL with err.
 */
struct ft_udp_raw;
struct ft_udp_raw *ft_udp_raw_open(struct ft_err *err);
void ft_udp_raw_close(struct ft_udp_raw *raw);

/* Send payload from src:sport to a's remote address and port (IPv4 only),
 * TTL a->ttl or 255.  0, or an errno (EAFNOSUPPORT for IPv6 addresses,
 * EMSGSIZE when it does not fit in one IP packet). */
int ft_udp_raw_send(struct ft_udp_raw *raw, const struct ft_ip *src, uint16_t sport,
                    const struct ft_addrspec *a, const void *payload, size_t len);

/*
 * What -s does for one datagram: with raw (not NULL), send it from src:sport
 * when src is a set IPv4 address and a's remote is IPv4; in every other case
 * from our own address on the connected socket fd, counting in *unspoofed
 * the datagrams raw was there for but could not carry.  0 or an errno as
 * ft_udp_send.
 */
int ft_udp_send_as(int fd, struct ft_udp_raw *raw, const struct ft_ip *src, uint16_t sport,
                   const struct ft_addrspec *a, const void *payload, size_t len,
                   uint64_t *unspoofed);

/* Sleep usec microseconds after a datagram (-x); nothing when usec <= 0. */
void ft_udp_pause(long usec);

#endif
