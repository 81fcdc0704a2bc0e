/*
 * ft_gen_services.c - the realistic generator's conversations: the service
 * mix (HTTPS, QUIC, HTTP, DNS, NTP, mail, SSH, scans, ICMP, VPN, others),
 * who talks to whom, heavy-tailed packet and byte counts with plausible
 * bytes per packet, durations, and TCP flags that match how it went.
 */
#include <string.h>
#include "synth/ft_gen_int.h"

/* Share of conversations, in tenths of a percent. */
static const unsigned service_weight[SV_COUNT] = {
    [SV_HTTPS] = 340, [SV_QUIC] = 120, [SV_HTTP] = 60, [SV_DNS] = 160, [SV_DNS_OUT] = 60,
    [SV_NTP] = 20, [SV_SMTP_IN] = 20, [SV_MAIL] = 20, [SV_SSH] = 15, [SV_SCAN] = 30,
    [SV_PING] = 30, [SV_ICMP_ERR] = 15, [SV_TCP_OTHER] = 60, [SV_UDP_OTHER] = 40,
    [SV_VPN] = 10
};

static const uint16_t other_tcp_ports[] = {8080, 8443, 3389, 5222, 5228, 995, 1883, 8883,
                                           9418, 5061, 3306, 8000};
static const uint16_t other_udp_ports[] = {3478, 19302, 4500, 500, 1194, 51820, 5004,
                                           27015, 3074, 1900};
static const uint16_t scan_ports[] = {22, 23, 445, 3389, 80, 8080, 1433, 5900, 6379, 2323};

/* The inside servers of the DMZ, 172.16.1.0/24. */
#define DMZ_NET 0xac100100u
#define DMZ_DNS1 (DMZ_NET | 53)
#define DMZ_DNS2 (DMZ_NET | 54)
#define DMZ_MAIL (DMZ_NET | 25)
#define DMZ_SSH (DMZ_NET | 22)

#define ACTIVE_TIMEOUT_MS 1800000u

void ft_gen_services_init(struct ft_gen *g)
{
    unsigned sum = 0;
    for (unsigned s = 0; s < SV_COUNT; s++)
        g->service_cdf[s] = sum += service_weight[s];
}

/* ---- packets, bytes, durations ------------------------------------------ */

/* Bytes per packet of a data-carrying direction: small for short flows
 * (handshakes, headers), close to the MTU for long ones. */
static uint64_t bulk_bytes(struct ft_gen *g, uint64_t pkts, double full)
{
    double bpp = full - (full - 120.0) * exp(-(double)pkts / 8.0);
    bpp *= 0.9 + 0.2 * rng_unit(&g->rng);
    return pkts * clamp_u64(bpp, 40, 1500);
}

/* Bytes per packet of the acknowledging direction. */
static uint64_t ack_bytes(struct ft_gen *g, uint64_t pkts, int v6)
{
    double bpp = (v6 ? 72 : 52) + rng_lognormal(&g->rng, 25, 0.8);
    return pkts * clamp_u64(bpp, v6 ? 60 : 40, 600);
}

static uint64_t heavy_packets(struct ft_gen *g, double median, double sigma, double elephant)
{
    if (rng_chance(&g->rng, elephant))
        return clamp_u64(rng_pareto(&g->rng, 400, 1.1), 400, 4000000);
    return 1 + clamp_u64(rng_lognormal(&g->rng, median, sigma), 0, 200000);
}

/* Duration of a flow of pkts packets with a per-flow packet spacing. */
static uint32_t flow_duration(struct ft_gen *g, uint64_t pkts, double spacing_ms)
{
    if (pkts <= 1)
        return 0;
    double gap = rng_lognormal(&g->rng, spacing_ms, 1.0);
    if (pkts > 2000)
        gap = rng_lognormal(&g->rng, 0.4, 0.8);     /* bulk transfers: back to back */
    return (uint32_t)clamp_u64((double)(pkts - 1) * gap, 1, ACTIVE_TIMEOUT_MS);
}

/* TCP: how the conversation went, and the flags each side showed. */
static void tcp_outcome(struct ft_gen *g, struct conv *c)
{
    double u = rng_unit(&g->rng);
    if (u < 0.03) {                         /* no answer: SYN retries */
        c->req.pkts = 1 + rng_below(&g->rng, 3);
        c->req.octets = c->req.pkts * (c->v6 ? 80 : 60);
        c->req.flags = TH_SYN;
        c->req.duration_ms = (uint32_t)(1000 * ((1u << (c->req.pkts - 1)) - 1));  /* 1 s, 2 s */
        c->has_reply = 0;
    } else if (u < 0.08) {                  /* reset */
        c->req.flags = TH_SYN | TH_ACK | TH_PSH | TH_RST;
        c->rep.flags = TH_SYN | TH_ACK | TH_PSH;
    } else if (u < 0.14) {                  /* long flow: a part between timeouts */
        c->req.flags = TH_ACK | TH_PSH;
        c->rep.flags = TH_ACK | TH_PSH;
    } else {
        c->req.flags = TH_SYN | TH_ACK | TH_FIN | (c->req.pkts > 3 ? TH_PSH : 0);
        c->rep.flags = TH_SYN | TH_ACK | TH_FIN | (c->rep.pkts > 2 ? TH_PSH : 0);
    }
    if (c->req.flags & TH_SYN && c->req.flags & TH_ACK && rng_chance(&g->rng, 0.02))
        c->req.flags |= 0xc0;               /* ECN negotiated: ECE + CWR */
}

static void swap_volume(struct conv *c)
{
    uint64_t p = c->req.pkts, o = c->req.octets;
    c->req.pkts = c->rep.pkts;
    c->req.octets = c->rep.octets;
    c->rep.pkts = p;
    c->rep.octets = o;
}

/* A request/response exchange over TCP or UDP where b sends the bulk. */
static void exchange(struct ft_gen *g, struct conv *c, double median, double sigma,
                     double elephant, double full_bpp, double spacing_ms, double uploads)
{
    c->req.pkts = heavy_packets(g, median, sigma, elephant);
    double ratio = rng_lognormal(&g->rng, c->prot == 6 ? 1.3 : 1.6, 0.35);
    c->rep.pkts = clamp_u64((double)c->req.pkts * ratio, 1, 8000000);
    c->req.octets = c->prot == 6 ? ack_bytes(g, c->req.pkts, c->v6)
                                 : bulk_bytes(g, c->req.pkts, 420);
    c->rep.octets = bulk_bytes(g, c->rep.pkts, full_bpp);
    c->has_reply = 1;
    if (c->prot == 6) {                     /* handshake and teardown */
        if (c->req.pkts < 3) {
            c->req.octets += (3 - c->req.pkts) * (c->v6 ? 72 : 52);
            c->req.pkts = 3;
        }
        if (c->rep.pkts < 2) {
            c->rep.octets += c->v6 ? 72 : 52;
            c->rep.pkts = 2;
        }
    }
    if (rng_chance(&g->rng, uploads))       /* the initiator sends the bulk */
        swap_volume(c);
    c->req.duration_ms = flow_duration(g, c->req.pkts, spacing_ms);
    c->rep.duration_ms = c->req.duration_ms;
    if (c->prot == 6)
        tcp_outcome(g, c);
}

/* One small datagram each way (DNS, NTP). */
static void datagram(struct ft_gen *g, struct conv *c, double req_median, double rep_median,
                     double answered)
{
    double u = rng_unit(&g->rng);
    c->req.pkts = u < 0.92 ? 1 : u < 0.98 ? 2 : 3;
    c->req.octets = c->req.pkts * clamp_u64(rng_lognormal(&g->rng, req_median, 0.15), 40, 512);
    c->req.duration_ms = (uint32_t)(c->req.pkts - 1) * 1000;
    c->has_reply = rng_chance(&g->rng, answered);
    c->rep.pkts = 1;
    c->rep.octets = clamp_u64(rng_lognormal(&g->rng, rep_median, 0.5), 40, 1232);
}

static uint16_t ephemeral_port(struct ft_gen *g)
{
    return rng_chance(&g->rng, 0.6) ? (uint16_t)(49152 + rng_below(&g->rng, 16384))
                                    : (uint16_t)(32768 + rng_below(&g->rng, 28232));
}

static void svc_web(struct ft_gen *g, struct conv *c, enum service s)
{
    ft_gen_inside_client(g, &c->a, c->v6);
    ft_gen_outside_host(g, &c->b, c->v6, 1);
    c->aport = ephemeral_port(g);
    c->bport = s == SV_HTTP ? 80 : 443;
    c->prot = s == SV_QUIC ? 17 : 6;
    if (s == SV_HTTP)
        exchange(g, c, 5, 1.1, 0.005, 1400, 40, 0.05);
    else
        exchange(g, c, 9, 1.3, 0.012, s == SV_QUIC ? 1300 : 1420, 30, 0.05);
}

static void svc_dns(struct ft_gen *g, struct conv *c, enum service s)
{
    c->prot = 17;
    c->bport = 53;
    c->aport = ephemeral_port(g);
    if (s == SV_DNS) {
        ft_gen_inside_client(g, &c->a, c->v6);
        ft_gen_inside_server(&c->b, rng_chance(&g->rng, 0.7) ? DMZ_DNS1 : DMZ_DNS2, c->v6);
    } else {
        ft_gen_inside_server(&c->a, rng_chance(&g->rng, 0.5) ? DMZ_DNS1 : DMZ_DNS2, c->v6);
        ft_gen_outside_host(g, &c->b, c->v6, 1);
    }
    datagram(g, c, 68, 140, 0.97);
}

static void svc_ntp(struct ft_gen *g, struct conv *c)
{
    ft_gen_inside_client(g, &c->a, c->v6);
    ft_gen_outside_host(g, &c->b, c->v6, 1);
    c->prot = 17;
    c->bport = 123;
    c->aport = rng_chance(&g->rng, 0.5) ? 123 : ephemeral_port(g);
    c->req.pkts = c->rep.pkts = 1;
    c->req.octets = c->rep.octets = c->v6 ? 96 : 76;
    c->has_reply = rng_chance(&g->rng, 0.98);
}

static void svc_mail(struct ft_gen *g, struct conv *c, enum service s)
{
    c->prot = 6;
    c->aport = ephemeral_port(g);
    if (s == SV_SMTP_IN) {                  /* the world delivers mail to us */
        ft_gen_outside_host(g, &c->a, c->v6, 0);
        ft_gen_inside_server(&c->b, DMZ_MAIL, c->v6);
        c->bport = 25;
        exchange(g, c, 14, 0.9, 0.01, 1300, 60, 1.0);  /* the sender sends the mail */
    } else {
        ft_gen_inside_client(g, &c->a, c->v6);
        ft_gen_inside_server(&c->b, DMZ_MAIL, c->v6);
        c->bport = rng_chance(&g->rng, 0.6) ? 993 : 587;
        exchange(g, c, 25, 1.2, 0.005, 700, 400, 0.05);
    }
}

static void svc_ssh(struct ft_gen *g, struct conv *c)
{
    ft_gen_inside_client(g, &c->a, c->v6);
    ft_gen_outside_host(g, &c->b, c->v6, 0);
    c->prot = 6;
    c->aport = ephemeral_port(g);
    c->bport = 22;
    c->tos = rng_chance(&g->rng, 0.3) ? 0x10 : 0x48;
    exchange(g, c, 60, 1.4, 0.03, 500, 300, 0.05);
}

/* An outside scanner knocks once on an inside address. */
static void svc_scan(struct ft_gen *g, struct conv *c)
{
    ft_gen_outside_host(g, &c->a, c->v6, 0);
    ft_gen_inside_client(g, &c->b, c->v6);
    c->prot = 6;
    c->aport = (uint16_t)(1024 + rng_below(&g->rng, 64512));
    c->bport = scan_ports[rng_below(&g->rng, N_ELEMS(scan_ports))];
    c->req.pkts = 1;
    c->req.octets = rng_chance(&g->rng, 0.5) ? 44 : 60;
    c->req.flags = TH_SYN;
    c->has_reply = rng_chance(&g->rng, 0.3);
    c->rep.pkts = 1;
    c->rep.octets = 40;
    c->rep.flags = TH_RST | TH_ACK;
}

static void svc_icmp(struct ft_gen *g, struct conv *c, enum service s)
{
    c->prot = c->v6 ? 58 : 1;
    if (s == SV_PING) {
        int inbound = rng_chance(&g->rng, 0.2);
        if (inbound) {
            ft_gen_outside_host(g, &c->a, c->v6, 0);
            ft_gen_inside_server(&c->b, DMZ_MAIL, c->v6);
        } else {
            ft_gen_inside_client(g, &c->a, c->v6);
            ft_gen_outside_host(g, &c->b, c->v6, 1);
        }
        c->icmp_req = c->v6 ? 128 << 8 : 8 << 8;
        c->icmp_rep = c->v6 ? 129 << 8 : 0;
        c->req.pkts = rng_chance(&g->rng, 0.5) ? 4 : 1 + rng_below(&g->rng, 10);
        c->req.octets = c->req.pkts * (c->v6 ? 104 : 84);
        c->req.duration_ms = (uint32_t)(c->req.pkts - 1) * 1000;
        c->rep = c->req;
        c->has_reply = rng_chance(&g->rng, 0.9);
        return;
    }
    /* An error about an earlier packet, from an outside host or router. */
    static const uint16_t v4_errors[] = {0x0303, 0x0301, 0x030d, 0x0b00, 0x0304};
    static const uint16_t v6_errors[] = {0x0104, 0x0103, 0x0300, 0x0100, 0x0200};
    ft_gen_outside_host(g, &c->a, c->v6, 1);
    ft_gen_inside_client(g, &c->b, c->v6);
    unsigned k = rng_below(&g->rng, 5);
    c->icmp_req = c->v6 ? v6_errors[k] : v4_errors[k];
    c->req.pkts = rng_chance(&g->rng, 0.8) ? 1 : 2;
    c->req.octets = c->req.pkts * (rng_chance(&g->rng, 0.7) ? (c->v6 ? 96 : 56)
                                                          : 56 + rng_below(&g->rng, 520));
    c->req.duration_ms = c->req.pkts > 1 ? rng_below(&g->rng, 2000) : 0;
    c->has_reply = 0;
}

static void svc_other(struct ft_gen *g, struct conv *c, enum service s)
{
    int inbound = rng_chance(&g->rng, 0.2);
    if (inbound) {
        ft_gen_outside_host(g, &c->a, c->v6, 0);
        ft_gen_inside_server(&c->b, DMZ_SSH, c->v6);
    } else {
        ft_gen_inside_client(g, &c->a, c->v6);
        ft_gen_outside_host(g, &c->b, c->v6, 1);
    }
    c->aport = ephemeral_port(g);
    if (s == SV_TCP_OTHER) {
        c->prot = 6;
        c->bport = other_tcp_ports[rng_below(&g->rng, N_ELEMS(other_tcp_ports))];
        exchange(g, c, 10, 1.5, 0.01, 1200, 80, 0.05);
    } else if (s == SV_UDP_OTHER) {
        c->prot = 17;
        c->bport = other_udp_ports[rng_below(&g->rng, N_ELEMS(other_udp_ports))];
        if (c->bport == 4500 || c->bport == 500)
            c->aport = c->bport;            /* IKE talks port to port */
        c->tos = c->bport == 5004 || c->bport == 3478 ? 0xb8 : 0;
        exchange(g, c, 20, 1.6, 0.02, 1000, 20, 0.05);
    } else {                                /* VPN tunnels: ESP or GRE */
        c->prot = rng_chance(&g->rng, 0.7) ? 50 : 47;
        c->aport = c->bport = 0;
        exchange(g, c, 150, 1.5, 0.05, 1100, 15, 0.05);
    }
}

static enum service draw_service(struct ft_gen *g)
{
    unsigned u = rng_below(&g->rng, g->service_cdf[SV_COUNT - 1]);
    for (unsigned s = 0; s < SV_COUNT; s++)
        if (u < g->service_cdf[s])
            return (enum service)s;
    return SV_HTTPS;
}

void ft_gen_draw_conversation(struct ft_gen *g, struct conv *c)
{
    memset(c, 0, sizeof *c);
    c->v6 = g->ipv6 && rng_below(&g->rng, 100) < g->o.v6_percent;
    enum service s = draw_service(g);
    switch (s) {
    case SV_HTTPS: case SV_QUIC: case SV_HTTP: svc_web(g, c, s); break;
    case SV_DNS: case SV_DNS_OUT: svc_dns(g, c, s); break;
    case SV_NTP: svc_ntp(g, c); break;
    case SV_SMTP_IN: case SV_MAIL: svc_mail(g, c, s); break;
    case SV_SSH: svc_ssh(g, c); break;
    case SV_SCAN: svc_scan(g, c); break;
    case SV_PING: case SV_ICMP_ERR: svc_icmp(g, c, s); break;
    default: svc_other(g, c, s); break;
    }
    if (c->tos == 0 && rng_chance(&g->rng, 0.04)) {
        static const uint8_t marks[] = {0x08, 0x20, 0x28, 0x48, 0x88, 0xb8};
        c->tos = marks[rng_below(&g->rng, N_ELEMS(marks))];
    }
    if (c->prot == 6 && rng_chance(&g->rng, 0.02))
        c->tos |= 0x02;                     /* ECN-capable transport */
    c->rtt_ms = (uint32_t)clamp_u64(rng_lognormal(&g->rng, 18, 0.9), 1, 900);
    if (c->v6)
        c->flow_label = rng_below(&g->rng, 1u << 20);
}
