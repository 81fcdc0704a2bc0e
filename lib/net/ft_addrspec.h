/*
 * ft_addrspec.h - addresses on the command line of the network tools.
 *
 * The flow-tools argument localip/remoteip/port[/ttl] (tools.md 0.1), the
 * address parser behind it (partial dotted quads, IPv6, host names), the
 * exporter allow-list of flow-capture/flow-fanout and the privacy mask of
 * flow-send/flow-fanout/flow-capture (-m).  Conversions between struct ft_ip
 * and socket addresses live here too, so no program handles sockaddr bytes.
 */
#ifndef FT_ADDRSPEC_H
#define FT_ADDRSPEC_H

#include <stdint.h>
#include <stddef.h>
#include <sys/socket.h>
#include "core/ft_flow.h"
#include "core/ft_err.h"
#include "net/ft_resolve.h"

#define FT_ADDRSPEC_PORT_DEFAULT 9991

struct ft_addrspec {
    struct ft_ip local;         /* address to bind / send from; af NONE = any */
    struct ft_ip remote;        /* only exporter accepted / destination; af NONE = any */
    uint16_t port;              /* never 0: 0 on the command line means 9991 */
    int ttl;                    /* senders: 0..255, or -1 when not given */
    /* Receivers: when the remote component is a multicast group the roles
     * swap (tools.md 0.1): `group` is joined, `remote` becomes the accepted
     * source (the local component), `local` becomes "any". */
    int multicast;
    int source_specific;        /* group in 232/8 or ff3x::/32: source-specific join */
    struct ft_ip group;
};

/*
 * Parse one address.  A string containing ':' is IPv6; one containing a
 * letter is a host name (resolved, first address); otherwise a dotted quad
 * of up to four decimal parts taken modulo 256 and left-aligned ("10" is
 * 10.0.0.0, "10.1" is 10.1.0.0).  "" and "0" are 0.0.0.0.  -1 on error.
 * Names go through the default resolver (ft_resolve.h: bounded in time);
 * ft_ip_parse_r through r.
 */
int ft_ip_parse(const char *s, struct ft_ip *ip, struct ft_err *err);
int ft_ip_parse_r(const char *s, const struct ft_resolver *r, struct ft_ip *ip,
                  struct ft_err *err);

/* Parse localip/remoteip/port[/ttl].  `receiver` applies the multicast role
 * swap.  0 or -1 with err filled. */
int ft_addrspec_parse(const char *arg, int receiver, struct ft_addrspec *a, struct ft_err *err);

/* 1 if the address is unset or all zero (bind to any / accept any). */
int ft_ip_is_any(const struct ft_ip *ip);
/* 1 for 224.0.0.0/4 and ff00::/8. */
int ft_ip_is_multicast(const struct ft_ip *ip);
int ft_ip_equal(const struct ft_ip *a, const struct ft_ip *b);

/* Text form of an address into buf (at least FT_IP_STRLEN bytes); returns buf. */
#define FT_IP_STRLEN 48
char *ft_ip_str(const struct ft_ip *ip, char *buf, size_t size);

/* Socket address of (ip, port).  An address of family NONE gives the IPv6
 * wildcard when want_v6, else the IPv4 wildcard.  Returns the length. */
socklen_t ft_ip_to_sockaddr(const struct ft_ip *ip, uint16_t port, int want_v6,
                            struct sockaddr_storage *ss);
/* Address and port of a socket address; IPv4-mapped IPv6 becomes IPv4.
 * -1 for a family other than AF_INET/AF_INET6. */
int ft_ip_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct ft_ip *ip,
                        uint16_t *port);

/* ---- exporter allow-list ------------------------------------------------ */

#define FT_ALLOW_MAX 1024       /* prefixes in one list */

struct ft_prefix {
    struct ft_ip addr;          /* already masked */
    uint8_t len;                /* 0..32 or 0..128 */
};

struct ft_allowlist {
    struct ft_prefix *prefixes;
    size_t n;
};

/* Add "addr[/len],addr[/len],..." to the list (limit FT_ALLOW_MAX). */
int ft_allowlist_add(struct ft_allowlist *l, const char *list, struct ft_err *err);
/* The same, names resolved by r (NULL: the default resolver). */
int ft_allowlist_add_r(struct ft_allowlist *l, const char *list, const struct ft_resolver *r,
                       struct ft_err *err);
/* 1 when the list is empty or some prefix covers ip. */
int ft_allowlist_match(const struct ft_allowlist *l, const struct ft_ip *ip);
void ft_allowlist_free(struct ft_allowlist *l);

/* ---- privacy mask ------------------------------------------------------- */

/* AND masks applied to source and destination addresses of flows whose
 * destination is not multicast (flow-tools -m).  An unset family leaves
 * addresses of that family unchanged. */
struct ft_privacy_mask {
    int have4, have6;
    uint32_t mask4;
    uint8_t mask6[16];
};

/* Add one mask: a dotted quad applies to IPv4, an IPv6 address to IPv6. */
int ft_privacy_mask_add(struct ft_privacy_mask *m, const char *s, struct ft_err *err);
void ft_privacy_mask_apply(const struct ft_privacy_mask *m, struct ft_flow *flows, size_t n);

#endif
