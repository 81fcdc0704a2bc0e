/*
 * ft_addrspec.c - localip/remoteip/port[/ttl], allow-lists, privacy masks.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "net/ft_addrspec.h"
#include "core/ft_err.h"
#include "net/ft_resolve.h"

/* flow-tools' numeric parse: up to four decimal parts, each modulo 256,
 * left-aligned.  We refuse what is not digits and dots instead of reading
 * it as 0, so a typing mistake does not turn into "any address". */
static int parse_dotted(const char *s, uint32_t *out)
{
    uint32_t v = 0;
    int parts = 0;
    const char *p = s;

    if (*p == '\0') {
        *out = 0;
        return 0;
    }
    while (parts < 4) {
        if (!isdigit((unsigned char)*p))
            return -1;
        unsigned long part = 0;
        while (isdigit((unsigned char)*p)) {
            part = (part * 10 + (unsigned long)(*p - '0')) % 100000u;
            p++;
        }
        v |= (uint32_t)(part & 0xffu) << (24 - 8 * parts);
        parts++;
        if (*p == '\0')
            break;
        if (*p != '.')
            return -1;
        p++;
    }
    if (*p != '\0')
        return -1;
    *out = v;
    return 0;
}

int ft_ip_parse(const char *s, struct ft_ip *ip, struct ft_err *err)
{
    return ft_ip_parse_r(s, NULL, ip, err);
}

int ft_ip_parse_r(const char *s, const struct ft_resolver *r, struct ft_ip *ip,
                  struct ft_err *err)
{
    memset(ip, 0, sizeof *ip);
    if (strchr(s, ':')) {
        if (inet_pton(AF_INET6, s, ip->v6) != 1)
            return ft_err_set(err, "bad IPv6 address \"%s\"", s);
        ip->af = FT_AF_INET6;
        return 0;
    }
    if (ft_resolve_is_name(s))
        return ft_resolve(r, s, ip, err);
    uint32_t v4;
    if (parse_dotted(s, &v4) < 0)
        return ft_err_set(err, "bad IPv4 address \"%s\"", s);
    ft_ip_set4(ip, v4);
    return 0;
}

int ft_ip_is_any(const struct ft_ip *ip)
{
    if (ip->af == FT_AF_INET)
        return ip->v4 == 0;
    if (ip->af == FT_AF_INET6) {
        for (int i = 0; i < 16; i++)
            if (ip->v6[i])
                return 0;
    }
    return 1;
}

int ft_ip_is_multicast(const struct ft_ip *ip)
{
    if (ip->af == FT_AF_INET)
        return (ip->v4 >> 28) == 0xe;
    if (ip->af == FT_AF_INET6)
        return ip->v6[0] == 0xff;
    return 0;
}

static int is_source_specific(const struct ft_ip *ip)
{
    if (ip->af == FT_AF_INET)
        return (ip->v4 >> 24) == 232;
    return ip->af == FT_AF_INET6 && ip->v6[0] == 0xff && (ip->v6[1] >> 4) == 3;
}

int ft_ip_equal(const struct ft_ip *a, const struct ft_ip *b)
{
    if (a->af != b->af)
        return 0;
    if (a->af == FT_AF_INET)
        return a->v4 == b->v4;
    if (a->af == FT_AF_INET6)
        return memcmp(a->v6, b->v6, 16) == 0;
    return 1;
}

char *ft_ip_str(const struct ft_ip *ip, char *buf, size_t size)
{
    if (ip->af == FT_AF_INET6) {
        if (!inet_ntop(AF_INET6, ip->v6, buf, (socklen_t)size))
            snprintf(buf, size, "?");
    } else {
        uint32_t v = ip->af == FT_AF_INET ? ip->v4 : 0;
        snprintf(buf, size, "%u.%u.%u.%u", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
                 v & 0xff);
    }
    return buf;
}

socklen_t ft_ip_to_sockaddr(const struct ft_ip *ip, uint16_t port, int want_v6,
                            struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (ip->af == FT_AF_INET6 || (ip->af == FT_AF_NONE && want_v6)) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(port);
        if (ip->af == FT_AF_INET6)
            memcpy(&s6->sin6_addr, ip->v6, 16);
        return sizeof *s6;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons(port);
    s4->sin_addr.s_addr = htonl(ip->af == FT_AF_INET ? ip->v4 : 0);
    return sizeof *s4;
}

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

int ft_ip_from_sockaddr(const struct sockaddr *sa, socklen_t len, struct ft_ip *ip,
                        uint16_t *port)
{
    memset(ip, 0, sizeof *ip);
    if (sa->sa_family == AF_INET && len >= (socklen_t)sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
        ft_ip_set4(ip, ntohl(s4->sin_addr.s_addr));
        if (port)
            *port = ntohs(s4->sin_port);
        return 0;
    }
    if (sa->sa_family == AF_INET6 && len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
        const uint8_t *b = s6->sin6_addr.s6_addr;
        if (memcmp(b, v4mapped_prefix, 12) == 0) {
            ft_ip_set4(ip, (uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
                               (uint32_t)b[14] << 8 | b[15]);
        } else {
            ip->af = FT_AF_INET6;
            memcpy(ip->v6, b, 16);
        }
        if (port)
            *port = ntohs(s6->sin6_port);
        return 0;
    }
    return -1;
}

/* ---- localip/remoteip/port[/ttl] ---------------------------------------- */

#define ADDRSPEC_PARTS 4

/* Split arg on '/' into at most four parts (missing ones are ""). */
static int split_spec(const char *arg, char parts[ADDRSPEC_PARTS][256], struct ft_err *err)
{
    const char *p = arg;
    for (int i = 0; i < ADDRSPEC_PARTS; i++)
        parts[i][0] = '\0';
    for (int i = 0; *p || i == 0; i++) {
        if (i == ADDRSPEC_PARTS)
            return ft_err_set(err, "\"%s\": more than localip/remoteip/port/ttl", arg);
        size_t n = strcspn(p, "/");
        if (n >= 256)
            return ft_err_set(err, "\"%s\": component too long", arg);
        memcpy(parts[i], p, n);
        parts[i][n] = '\0';
        p += n;
        if (*p == '/')
            p++;
        else
            break;
    }
    return 0;
}

static int parse_number(const char *s, unsigned long max, unsigned long *out)
{
    if (*s == '\0') {
        *out = 0;
        return 0;
    }
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || *end || !isdigit((unsigned char)*s) || v > max)
        return -1;
    *out = v;
    return 0;
}

static void apply_multicast_roles(struct ft_addrspec *a)
{
    if (!ft_ip_is_multicast(&a->remote))
        return;
    a->multicast = 1;
    a->source_specific = is_source_specific(&a->remote);
    a->group = a->remote;
    a->remote = a->local;       /* the local component names the accepted source */
    memset(&a->local, 0, sizeof a->local);
}

int ft_addrspec_parse(const char *arg, int receiver, struct ft_addrspec *a, struct ft_err *err)
{
    char parts[ADDRSPEC_PARTS][256];
    memset(a, 0, sizeof *a);
    a->ttl = -1;
    if (split_spec(arg, parts, err) < 0)
        return -1;
    if (ft_ip_parse(parts[0], &a->local, err) < 0 || ft_ip_parse(parts[1], &a->remote, err) < 0)
        return -1;
    unsigned long port, ttl;
    if (parse_number(parts[2], 65535, &port) < 0)
        return ft_err_set(err, "\"%s\": bad port \"%s\"", arg, parts[2]);
    a->port = port ? (uint16_t)port : FT_ADDRSPEC_PORT_DEFAULT;
    if (parts[3][0]) {
        if (parse_number(parts[3], 255, &ttl) < 0)
            return ft_err_set(err, "\"%s\": bad TTL \"%s\" (0..255)", arg, parts[3]);
        a->ttl = (int)ttl;
    }
    if (ft_ip_is_any(&a->local))
        a->local.af = a->local.af == FT_AF_INET6 ? FT_AF_INET6 : FT_AF_NONE;
    if (ft_ip_is_any(&a->remote))
        memset(&a->remote, 0, sizeof a->remote);
    if (receiver)
        apply_multicast_roles(a);
    if (a->local.af && a->remote.af && a->local.af != a->remote.af && !a->multicast)
        return ft_err_set(err, "\"%s\": local and remote addresses of different families", arg);
    return 0;
}

/* ---- allow-list --------------------------------------------------------- */

static void mask_prefix(struct ft_ip *ip, unsigned len)
{
    if (ip->af == FT_AF_INET) {
        ip->v4 = len ? ip->v4 & (0xffffffffu << (32 - len)) : 0;
        return;
    }
    for (unsigned i = 0; i < 16; i++) {
        unsigned keep = len > 8 * i ? len - 8 * i : 0;
        if (keep < 8)
            ip->v6[i] &= (uint8_t)(0xff00u >> keep);
    }
}

static int parse_prefix(const char *s, const struct ft_resolver *r, struct ft_prefix *p,
                        struct ft_err *err)
{
    char addr[256];
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n == 0 || n >= sizeof addr)
        return ft_err_set(err, "bad exporter prefix \"%s\"", s);
    memcpy(addr, s, n);
    addr[n] = '\0';
    if (ft_ip_parse_r(addr, r, &p->addr, err) < 0)
        return -1;
    unsigned long max = p->addr.af == FT_AF_INET6 ? 128 : 32, len = max;
    if (slash && (slash[1] == '\0' || parse_number(slash + 1, max, &len) < 0))
        return ft_err_set(err, "bad prefix length in \"%s\"", s);
    p->len = (uint8_t)len;
    mask_prefix(&p->addr, p->len);
    return 0;
}

int ft_allowlist_add(struct ft_allowlist *l, const char *list, struct ft_err *err)
{
    return ft_allowlist_add_r(l, list, NULL, err);
}

int ft_allowlist_add_r(struct ft_allowlist *l, const char *list, const struct ft_resolver *r,
                       struct ft_err *err)
{
    char item[300];
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ", \t");
        if (n >= sizeof item)
            return ft_err_set(err, "exporter prefix too long in \"%s\"", list);
        if (n > 0) {
            if (l->n >= FT_ALLOW_MAX)
                return ft_err_set(err, "more than %d exporter prefixes", FT_ALLOW_MAX);
            memcpy(item, p, n);
            item[n] = '\0';
            struct ft_prefix pre;
            if (parse_prefix(item, r, &pre, err) < 0)
                return -1;
            if (l->n % 16 == 0) {
                void *grown = realloc(l->prefixes, (l->n + 16) * sizeof *l->prefixes);
                if (!grown)
                    return ft_err_set(err, "out of memory");
                l->prefixes = grown;
            }
            l->prefixes[l->n++] = pre;
        }
        p += n;
        if (*p)
            p++;
    }
    return 0;
}

int ft_allowlist_match(const struct ft_allowlist *l, const struct ft_ip *ip)
{
    if (l->n == 0)
        return 1;
    for (size_t i = 0; i < l->n; i++) {
        const struct ft_prefix *p = &l->prefixes[i];
        if (p->addr.af != ip->af)
            continue;
        struct ft_ip masked = *ip;
        mask_prefix(&masked, p->len);
        if (ft_ip_equal(&masked, &p->addr))
            return 1;
    }
    return 0;
}

void ft_allowlist_free(struct ft_allowlist *l)
{
    free(l->prefixes);
    l->prefixes = NULL;
    l->n = 0;
}

/* ---- privacy mask ------------------------------------------------------- */

int ft_privacy_mask_add(struct ft_privacy_mask *m, const char *s, struct ft_err *err)
{
    struct ft_ip ip;
    if (ft_resolve_is_name(s))
        return ft_err_set(err, "bad privacy mask \"%s\"", s);
    if (ft_ip_parse(s, &ip, err) < 0)
        return -1;
    if (ip.af == FT_AF_INET6) {
        memcpy(m->mask6, ip.v6, 16);
        m->have6 = 1;
    } else {
        m->mask4 = ip.v4;
        m->have4 = 1;
    }
    return 0;
}

static void mask_addr(const struct ft_privacy_mask *m, struct ft_ip *a)
{
    if (a->af == FT_AF_INET && m->have4) {
        a->v4 &= m->mask4;
    } else if (a->af == FT_AF_INET6 && m->have6) {
        for (int i = 0; i < 16; i++)
            a->v6[i] &= m->mask6[i];
    }
}

void ft_privacy_mask_apply(const struct ft_privacy_mask *m, struct ft_flow *flows, size_t n)
{
    if (!m->have4 && !m->have6)
        return;
    for (size_t i = 0; i < n; i++) {
        if (ft_ip_is_multicast(&flows[i].dstaddr))
            continue;
        mask_addr(m, &flows[i].srcaddr);
        mask_addr(m, &flows[i].dstaddr);
    }
}
