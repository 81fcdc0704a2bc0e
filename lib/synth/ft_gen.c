/*
 * ft_gen.c - synthetic flows: the original flow-gen's counters, and
 * realistic edge traffic drawn from a seeded generator (see ft_gen.h).
 */
#include "synth/ft_gen.h"
#include "core/ft_err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* ====================================================================== */
/* Counter mode: the original flow-gen                                     */
/* ====================================================================== */

/*
 * Record i of the original's output.  Which fields count, from where, and
 * by how much differs per format (read from its files: compat/inputs/gen):
 * "low" fields are i, "high" ones start at 0xffff0000 (32 bits) or 0xff00
 * (16 bits); dFlows counts by two; v8 Catalyst shortcut routers count by
 * two; marked ToS starts at 0xff.  Narrow fields wrap as the original's do.
 */
struct counters {
    uint32_t n, hi32;
    uint16_t n16, hi16;
    uint8_t n8;
};

static void counter_v1_body(struct ft_flow *f, const struct counters *c)
{
    ft_ip_set4(&f->srcaddr, c->n);
    ft_ip_set4(&f->dstaddr, c->hi32);
    f->input = c->n16;
    f->output = c->hi16;
    f->srcport = c->n16;
    f->dstport = c->hi16;
    f->prot = 17;
}

/* dPkts, dOctets, First, Last (+ dFlows where the format has it). */
static void counter_counts(struct ft_flow *f, const struct counters *c)
{
    f->dpkts = f->doctets = (uint32_t)(c->n + 1);
    f->dflows = (uint32_t)(2 * (c->n + 1));
    f->first = c->n;
    f->last = c->hi32;
}

static void counter_catalyst(struct ft_flow *f, const struct counters *c)
{
    ft_ip_set4(&f->dstaddr, c->hi32);
    f->extra_pkts = c->n;
    ft_ip_set4(&f->router_sc, 2 * c->n);
    f->output = c->hi16;
    f->tos = c->n8;
    f->marked_tos = (uint8_t)(0xff + c->n);
}

static void counter_v8(unsigned agg, struct ft_flow *f, const struct counters *c)
{
    switch (agg) {
    case 1: case 9:                                 /* AS, ToS/AS */
        f->src_as = c->n16;
        f->dst_as = c->hi16;
        f->input = c->n16;
        f->output = c->hi16;
        f->tos = agg == 9 ? c->n8 : 0;
        break;
    case 2: case 10:                                /* (ToS/)Protocol/Port */
        f->srcport = c->n16;
        f->dstport = c->hi16;
        f->tos = agg == 10 ? c->n8 : 0;
        break;
    case 3: case 11:                                /* (ToS/)Source Prefix */
        ft_ip_set4(&f->srcaddr, c->n);
        f->src_mask = c->n8;
        f->src_as = c->n16;
        f->input = c->n16;
        f->tos = agg == 11 ? c->n8 : 0;
        break;
    case 4: case 12:                                /* (ToS/)Destination Prefix */
        ft_ip_set4(&f->dstaddr, c->n);
        f->dst_mask = c->n8;
        f->dst_as = c->n16;
        f->output = c->n16;
        f->tos = agg == 12 ? c->n8 : 0;
        break;
    case 5: case 13: case 14:                       /* (ToS/)Prefix(/Port) */
        ft_ip_set4(&f->srcaddr, c->n);
        ft_ip_set4(&f->dstaddr, c->hi32);
        f->src_mask = f->dst_mask = c->n8;
        f->input = c->n16;
        f->output = c->hi16;
        if (agg == 14) {
            f->srcport = c->n16;
            f->dstport = c->hi16;
            f->prot = c->n8;
        } else {
            f->src_as = c->n16;
            f->dst_as = c->hi16;
        }
        f->tos = agg == 5 ? 0 : c->n8;
        break;
    case 6: case 7: case 8:                         /* Catalyst */
        counter_catalyst(f, c);
        if (agg >= 7) {
            ft_ip_set4(&f->srcaddr, c->n);
            f->input = c->n16;
        }
        if (agg == 8) {
            f->srcport = f->dstport = c->n16;
            f->prot = c->n8;
        }
        break;
    default:
        break;
    }
}

static void counter_flow(const struct ft_format *fmt, uint64_t i, struct ft_flow *f)
{
    struct counters c;
    c.n = (uint32_t)i;
    c.hi32 = 0xffff0000u + c.n;
    c.n16 = (uint16_t)i;
    c.hi16 = (uint16_t)(0xff00u + c.n);
    c.n8 = (uint8_t)i;
    memset(f, 0, sizeof *f);
    f->has = fmt->mask;
    counter_counts(f, &c);
    if (fmt->d_version == 8) {
        counter_v8(fmt->agg_method, f, &c);
        return;
    }
    counter_v1_body(f, &c);
    switch (fmt->d_version) {
    case 5: case 1005: case FT_DV_EXTENDED:
        f->tos = c.n8;
        f->src_as = c.n16;
        f->dst_as = c.hi16;
        if (fmt->d_version == 1005) {       /* ftkit's choice: the original has no 1005 */
            f->src_tag = c.n16;
            f->dst_tag = c.hi16;
        }
        if (fmt->d_version == FT_DV_EXTENDED)
            f->has = ft_format_find(5, 0)->mask;
        break;
    case 6:
        f->src_as = c.n16;
        f->dst_as = c.hi16;
        f->in_encaps = c.n8;
        f->out_encaps = (uint8_t)(0x80 + c.n);
        ft_ip_set4(&f->peer_nexthop, c.n);
        break;
    case 7:
        f->src_as = c.n16;
        f->dst_as = c.hi16;
        ft_ip_set4(&f->router_sc, c.n);
        break;
    default:
        break;
    }
}

/* ====================================================================== */
/* Random numbers: xoshiro256** seeded through splitmix64                  */
/* ====================================================================== */

struct rng {
    uint64_t s[4];
    double spare;           /* the second normal deviate of a pair */
    int have_spare;
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
    r->have_spare = 0;
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_u64(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static inline double rng_unit(struct rng *r)
{
    return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_u64(r) >> 32) * n) >> 32);
}

static inline int rng_chance(struct rng *r, double p)
{
    return rng_unit(r) < p;
}

/* Standard normal (Box-Muller; each pair of uniforms gives two). */
static double rng_normal(struct rng *r)
{
    if (r->have_spare) {
        r->have_spare = 0;
        return r->spare;
    }
    double u = 1.0 - rng_unit(r), v = rng_unit(r);
    double radius = sqrt(-2.0 * log(u)), angle = 2.0 * M_PI * v;
    r->spare = radius * sin(angle);
    r->have_spare = 1;
    return radius * cos(angle);
}

/* Log-normal with the given median and shape. */
static double rng_lognormal(struct rng *r, double median, double sigma)
{
    return median * exp(sigma * rng_normal(r));
}

/* Pareto with minimum xm and tail index alpha (smaller = heavier). */
static double rng_pareto(struct rng *r, double xm, double alpha)
{
    return xm / pow(1.0 - rng_unit(r), 1.0 / alpha);
}

static uint64_t clamp_u64(double v, uint64_t lo, uint64_t hi)
{
    if (!(v >= (double)lo))
        return lo;
    if (v >= (double)hi)
        return hi;
    return (uint64_t)v;
}

/* ====================================================================== */
/* Zipf popularity                                                          */
/* ====================================================================== */

#define ZIPF_GUIDE 1024

struct zipf {
    double *cdf;
    uint32_t n;
    uint32_t guide[ZIPF_GUIDE];     /* first rank whose cdf reaches j/ZIPF_GUIDE */
};

static int zipf_init(struct zipf *z, uint32_t n, double s)
{
    z->n = n;
    z->cdf = malloc(n * sizeof *z->cdf);
    if (!z->cdf)
        return -1;
    double sum = 0;
    for (uint32_t k = 0; k < n; k++)
        z->cdf[k] = sum += 1.0 / pow(k + 1.0, s);
    for (uint32_t k = 0; k < n; k++)
        z->cdf[k] /= sum;
    z->cdf[n - 1] = 1.0;
    uint32_t k = 0;
    for (uint32_t j = 0; j < ZIPF_GUIDE; j++) {
        while (z->cdf[k] < (double)j / ZIPF_GUIDE)
            k++;
        z->guide[j] = k;
    }
    return 0;
}

/* A rank, 0 the most popular. */
static uint32_t zipf_draw(const struct zipf *z, struct rng *r)
{
    double u = rng_unit(r);
    uint32_t k = z->guide[(uint32_t)(u * ZIPF_GUIDE)];
    while (z->cdf[k] < u)
        k++;
    return k;
}

/* ====================================================================== */
/* The address plan (fixed: the same for every seed)                        */
/* ====================================================================== */

#define CLIENT_NETS 256         /* 192 campus /24s in 10.1-4/16, 64 customer /24s */
#define CAMPUS_NETS 192
#define SERVER_NETS 320         /* external prefixes */
#define SERVER_ASES 64
#define LOCAL_AS 64500
#define CUSTOMER_AS 64501
#define EXPORTERS 2

/* Which side of the edge an address is on decides interfaces and next hops. */
struct place {
    struct ft_ip addr;
    uint8_t mask;
    uint32_t as;
    uint16_t ifindex;
    struct ft_ip nexthop;       /* where the router sends traffic for it */
    uint8_t uplink;             /* outside: 0..2; inside: 0 */
    uint8_t tag;                /* v1005 tag: site (inside) or 100 + uplink */
};

struct server_net {
    uint32_t prefix;
    uint8_t len;
    uint16_t as;
    uint8_t uplink;
};

/* First octets of the external prefixes: ordinary unicast space only
 * (no private, shared, loopback, documentation, benchmark or multicast). */
static const uint8_t public_octets[] = {
    23, 31, 34, 35, 37, 45, 46, 52, 54, 62, 64, 66, 69, 72, 74, 77, 78, 80, 81, 82,
    85, 87, 89, 91, 93, 95, 104, 108, 128, 130, 131, 137, 140, 142, 146, 151, 157,
    162, 170, 173, 176, 178, 185, 188, 193, 194, 195, 199, 204, 205, 206, 207, 208,
    209, 212, 213, 216, 217
};

static uint16_t server_as_number(unsigned j)
{
    /* Spread over 16-bit public AS numbers, away from 23456 and 64512+. */
    uint32_t as = 1000 + (j * 7919u) % 20000;
    return (uint16_t)(as == 23456 ? 23457 : as);
}

static void build_server_nets(struct server_net *nets)
{
    struct rng plan;
    rng_seed(&plan, 0x5eed0f1a7b1a5e5ULL);      /* the plan is not the seed's */
    for (unsigned k = 0; k < SERVER_NETS; k++) {
        struct server_net *n = &nets[k];
        /* The first 64 prefixes give each AS one; the rest favour big ASes. */
        unsigned as_index = k < SERVER_ASES ? k
            : (unsigned)(rng_below(&plan, SERVER_ASES) * rng_unit(&plan));
        uint8_t o1 = public_octets[rng_below(&plan, N_ELEMS(public_octets))];
        n->len = (uint8_t)(k < 48 ? 16 + rng_below(&plan, 5) : 20 + rng_below(&plan, 5));
        uint32_t addr = (uint32_t)o1 << 24 | rng_below(&plan, 1u << 24);
        n->prefix = addr & (0xffffffffu << (32 - n->len));
        n->as = server_as_number(as_index);
        n->uplink = (uint8_t)(as_index % 3);
    }
}

static const uint32_t uplink_nexthop[3] = {0xc0000201, 0xc0000205, 0xc0000209}; /* 192.0.2.1/5/9 */
static const uint32_t exporter_addr[EXPORTERS] = {0x0afffe01, 0x0afffe02};      /* 10.255.254.1/2 */
/* The router uplinks: 1 and 2 on the first exporter, 3 on the second. */
static const uint8_t uplink_exporter[3] = {0, 0, 1};

/* 2001:db8:<a>:<b>::<host> */
static void set6(struct ft_ip *ip, uint16_t a, uint16_t b, uint64_t host)
{
    ip->af = FT_AF_INET6;
    static const uint8_t doc[4] = {0x20, 0x01, 0x0d, 0xb8};
    memcpy(ip->v6, doc, 4);
    ip->v6[4] = (uint8_t)(a >> 8);
    ip->v6[5] = (uint8_t)a;
    ip->v6[6] = (uint8_t)(b >> 8);
    ip->v6[7] = (uint8_t)b;
    for (int i = 0; i < 8; i++)
        ip->v6[8 + i] = (uint8_t)(host >> (56 - 8 * i));
}

/* ====================================================================== */
/* Services                                                                 */
/* ====================================================================== */

enum service {
    SV_HTTPS, SV_QUIC, SV_HTTP, SV_DNS, SV_DNS_OUT, SV_NTP, SV_SMTP_IN, SV_MAIL,
    SV_SSH, SV_SCAN, SV_PING, SV_ICMP_ERR, SV_TCP_OTHER, SV_UDP_OTHER, SV_VPN, SV_COUNT
};

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

/* TCP flag bits. */
#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

/* One direction of a conversation. */
struct leg {
    uint64_t pkts, octets;
    uint32_t duration_ms;
    uint8_t flags;
};

/* A conversation: initiator (a) talks to responder (b); b may answer. */
struct conv {
    struct place a, b;
    uint8_t prot, tos, v6;
    uint16_t aport, bport;
    uint16_t icmp_req, icmp_rep;    /* type << 8 | code, for ICMP */
    struct leg req, rep;
    int has_reply;
    uint32_t rtt_ms;
    uint32_t flow_label;
};

/* ====================================================================== */
/* The generator                                                            */
/* ====================================================================== */

#define TIMELINE_POINTS 4096
#define ACTIVE_TIMEOUT_MS 1800000u

struct ft_gen {
    struct ft_gen_opts o;
    uint64_t produced;
    struct rng rng;
    /* realistic mode */
    struct server_net servers[SERVER_NETS];
    uint16_t client_rank_to_net[CLIENT_NETS];
    struct zipf server_pop, client_pop, host_pop;
    unsigned service_cdf[SV_COUNT];
    double timeline[TIMELINE_POINTS + 1];   /* ms offsets at quantiles k/POINTS */
    int64_t start_ms;
    int64_t boot_ms[EXPORTERS];
    uint32_t phase_ms[EXPORTERS];
    int ipv6;
    int v8_prefixes;                        /* v8 record holds prefixes: mask them */
    struct ft_flow pending;                 /* the reply of the last conversation */
    int have_pending;
    uint64_t last_end_ms;
};

int ft_gen_format_has_ipv6(const struct ft_format *fmt)
{
    return fmt && fmt->d_version == FT_DV_EXTENDED;
}

void ft_gen_opts_init(struct ft_gen_opts *o)
{
    memset(o, 0, sizeof *o);
    o->kind = FT_GEN_COUNTER;
    o->fmt = ft_format_find(5, 0);
    o->count = 1000;
    o->seed = 1;
    o->start = FT_GEN_START_DEFAULT;
    o->span = FT_GEN_SPAN_DEFAULT;
    o->v6_percent = FT_GEN_V6_DEFAULT;
}

/* Traffic over a day: lowest around 02:30 UTC, highest around 14:30. */
static double daily_rate(int64_t ms)
{
    double hour = (double)(((ms / 1000) % 86400 + 86400) % 86400) / 3600.0;
    return 1.0 + 0.6 * cos(2.0 * M_PI * (hour - 14.5) / 24.0);
}

/* timeline[k]: the offset (ms) by which a fraction k/POINTS of the flows
 * has ended, following daily_rate. */
static int build_timeline(struct ft_gen *g)
{
    enum { STEPS = 65536 };
    double span_ms = (double)g->o.span * 1000.0, total = 0;
    double *c = malloc((STEPS + 1) * sizeof *c);
    if (!c)
        return -1;
    c[0] = 0;
    for (unsigned s = 0; s < STEPS; s++) {
        double mid = span_ms * (s + 0.5) / STEPS;
        c[s + 1] = total += daily_rate(g->start_ms + (int64_t)mid);
    }
    unsigned s = 0;
    for (unsigned k = 0; k <= TIMELINE_POINTS; k++) {
        double want = total * k / TIMELINE_POINTS;
        while (s < STEPS && c[s + 1] < want)
            s++;
        double width = c[s + 1] - c[s];
        double frac = s < STEPS && width > 0 ? (want - c[s]) / width : 0;
        g->timeline[k] = span_ms * (s + (frac > 1 ? 1 : frac)) / STEPS;
    }
    free(c);
    return 0;
}

/* End time (ms offset in the span) of flow number i: non-decreasing in i. */
static double timeline_at(struct ft_gen *g, uint64_t i)
{
    double q = ((double)i + rng_unit(&g->rng)) / (double)g->o.count;
    double pos = q * TIMELINE_POINTS;
    unsigned k = (unsigned)pos;
    if (k >= TIMELINE_POINTS)
        return g->timeline[TIMELINE_POINTS];
    return g->timeline[k] + (g->timeline[k + 1] - g->timeline[k]) * (pos - k);
}

static int realistic_init(struct ft_gen *g, struct ft_err *err)
{
    rng_seed(&g->rng, g->o.seed);
    build_server_nets(g->servers);
    /* Client popularity follows rank; which subnet has which rank is fixed. */
    struct rng plan;
    rng_seed(&plan, 0xc11e47ULL);
    for (unsigned k = 0; k < CLIENT_NETS; k++)
        g->client_rank_to_net[k] = (uint16_t)k;
    for (unsigned k = CLIENT_NETS - 1; k > 0; k--) {
        unsigned j = rng_below(&plan, k + 1);
        uint16_t t = g->client_rank_to_net[k];
        g->client_rank_to_net[k] = g->client_rank_to_net[j];
        g->client_rank_to_net[j] = t;
    }
    g->start_ms = g->o.start * 1000;
    if (zipf_init(&g->server_pop, SERVER_NETS, 1.1) < 0
        || zipf_init(&g->client_pop, CLIENT_NETS, 0.6) < 0
        || zipf_init(&g->host_pop, 64, 1.2) < 0 || build_timeline(g) < 0) {
        return ft_err_set(err, "flow generator: out of memory");
    }
    unsigned sum = 0;
    for (unsigned s = 0; s < SV_COUNT; s++)
        g->service_cdf[s] = sum += service_weight[s];
    /* Routers up for 12 and 33 days when the span starts. */
    g->boot_ms[0] = g->start_ms - (12LL * 86400 + 3 * 3600 + 17 * 60) * 1000 - 271;
    g->boot_ms[1] = g->start_ms - (33LL * 86400 + 20 * 3600 + 4 * 60) * 1000 - 813;
    g->phase_ms[0] = 137;
    g->phase_ms[1] = 611;
    g->ipv6 = ft_gen_format_has_ipv6(g->o.fmt) && g->o.v6_percent > 0;
    unsigned agg = g->o.fmt->d_version == 8 ? g->o.fmt->agg_method : 0;
    g->v8_prefixes = agg == 3 || agg == 4 || agg == 5 || (agg >= 11 && agg <= 14);
    return 0;
}

/* ---- places ------------------------------------------------------------ */

static uint32_t prefix_mask(unsigned len)
{
    return len ? 0xffffffffu << (32 - len) : 0;
}

/* An inside client: a campus or customer subnet host. */
static void inside_client(struct ft_gen *g, struct place *p, int v6)
{
    unsigned net = g->client_rank_to_net[zipf_draw(&g->client_pop, &g->rng)];
    unsigned host = 2 + rng_below(&g->rng, 250);
    memset(p, 0, sizeof *p);
    if (net < CAMPUS_NETS) {
        unsigned site = net / 48;
        p->ifindex = (uint16_t)(10 + site);
        p->as = LOCAL_AS;
        p->tag = (uint8_t)(1 + site);
        ft_ip_set4(&p->nexthop, 0x0aff0001);                /* 10.255.0.1 */
        if (v6)
            set6(&p->addr, (uint16_t)(0x1000 + net), 0, rng_u64(&g->rng));
        else
            ft_ip_set4(&p->addr, (10u << 24) | (1 + site) << 16 | (net % 48) << 8 | host);
    } else {
        p->ifindex = 20;
        p->as = CUSTOMER_AS;
        p->tag = 5;
        ft_ip_set4(&p->nexthop, 0x0aff0002);                /* 10.255.0.2 */
        if (v6)
            set6(&p->addr, (uint16_t)(0x1000 + net), 0, rng_u64(&g->rng));
        else
            ft_ip_set4(&p->addr, 0x64400000u | (net - CAMPUS_NETS) << 8 | host);
    }
    p->mask = v6 ? 64 : 24;
    if (v6)
        set6(&p->nexthop, 0xffff, 0xff, p->ifindex == 20 ? 2 : 1);
}

/* An inside server of the DMZ (host: last octet). */
static void inside_server(struct place *p, uint32_t addr4, int v6)
{
    memset(p, 0, sizeof *p);
    p->ifindex = 30;
    p->as = LOCAL_AS;
    p->tag = 6;
    p->mask = v6 ? 64 : 24;
    if (v6) {
        set6(&p->addr, 0xffff, 1, addr4 & 0xff);
        set6(&p->nexthop, 0xffff, 0xff, 3);
    } else {
        ft_ip_set4(&p->addr, addr4);
        ft_ip_set4(&p->nexthop, 0x0aff0003);                /* 10.255.0.3 */
    }
}

/* An outside host: popular (Zipf) or any (scanners, uniform). */
static void outside_host(struct ft_gen *g, struct place *p, int v6, int popular)
{
    unsigned k = popular ? zipf_draw(&g->server_pop, &g->rng)
                         : rng_below(&g->rng, SERVER_NETS);
    const struct server_net *n = &g->servers[k];
    uint32_t rank = zipf_draw(&g->host_pop, &g->rng);
    uint32_t hostmask = ~prefix_mask(n->len);
    /* Spread the popular hosts over the prefix instead of .1, .2, .3 */
    uint32_t host = (rank * 2654435761u + k * 40503u) & hostmask;
    if (host == 0 || host == hostmask)
        host = 1;
    memset(p, 0, sizeof *p);
    p->as = n->as;
    p->uplink = n->uplink;
    p->ifindex = (uint16_t)(1 + n->uplink);
    p->tag = (uint8_t)(100 + n->uplink);
    if (v6) {
        set6(&p->addr, (uint16_t)(0x8000 + k), 0, 0x100 + rank);
        p->mask = 48;
        set6(&p->nexthop, 0xffff, 0, 1 + 4 * n->uplink);
    } else {
        ft_ip_set4(&p->addr, n->prefix | host);
        p->mask = n->len;
        ft_ip_set4(&p->nexthop, uplink_nexthop[n->uplink]);
    }
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
    inside_client(g, &c->a, c->v6);
    outside_host(g, &c->b, c->v6, 1);
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
        inside_client(g, &c->a, c->v6);
        inside_server(&c->b, rng_chance(&g->rng, 0.7) ? DMZ_DNS1 : DMZ_DNS2, c->v6);
    } else {
        inside_server(&c->a, rng_chance(&g->rng, 0.5) ? DMZ_DNS1 : DMZ_DNS2, c->v6);
        outside_host(g, &c->b, c->v6, 1);
    }
    datagram(g, c, 68, 140, 0.97);
}

static void svc_ntp(struct ft_gen *g, struct conv *c)
{
    inside_client(g, &c->a, c->v6);
    outside_host(g, &c->b, c->v6, 1);
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
        outside_host(g, &c->a, c->v6, 0);
        inside_server(&c->b, DMZ_MAIL, c->v6);
        c->bport = 25;
        exchange(g, c, 14, 0.9, 0.01, 1300, 60, 1.0);  /* the sender sends the mail */
    } else {
        inside_client(g, &c->a, c->v6);
        inside_server(&c->b, DMZ_MAIL, c->v6);
        c->bport = rng_chance(&g->rng, 0.6) ? 993 : 587;
        exchange(g, c, 25, 1.2, 0.005, 700, 400, 0.05);
    }
}

static void svc_ssh(struct ft_gen *g, struct conv *c)
{
    inside_client(g, &c->a, c->v6);
    outside_host(g, &c->b, c->v6, 0);
    c->prot = 6;
    c->aport = ephemeral_port(g);
    c->bport = 22;
    c->tos = rng_chance(&g->rng, 0.3) ? 0x10 : 0x48;
    exchange(g, c, 60, 1.4, 0.03, 500, 300, 0.05);
}

/* An outside scanner knocks once on an inside address. */
static void svc_scan(struct ft_gen *g, struct conv *c)
{
    outside_host(g, &c->a, c->v6, 0);
    inside_client(g, &c->b, c->v6);
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
            outside_host(g, &c->a, c->v6, 0);
            inside_server(&c->b, DMZ_MAIL, c->v6);
        } else {
            inside_client(g, &c->a, c->v6);
            outside_host(g, &c->b, c->v6, 1);
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
    outside_host(g, &c->a, c->v6, 1);
    inside_client(g, &c->b, c->v6);
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
        outside_host(g, &c->a, c->v6, 0);
        inside_server(&c->b, DMZ_SSH, c->v6);
    } else {
        inside_client(g, &c->a, c->v6);
        outside_host(g, &c->b, c->v6, 1);
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

static void draw_conversation(struct ft_gen *g, struct conv *c)
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

/* ---- flows ----------------------------------------------------------- */

static void set_times(struct ft_gen *g, struct ft_flow *f, const struct place *outside,
                      uint64_t start_ms, uint64_t end_ms)
{
    unsigned e = uplink_exporter[outside->uplink];
    uint64_t export_ms = (end_ms / 1000 + 1) * 1000 + g->phase_ms[e];
    ft_ip_set4(&f->exaddr, exporter_addr[e]);
    f->engine_type = 0;
    f->engine_id = (uint8_t)e;
    f->unix_secs = (uint32_t)(export_ms / 1000);
    f->unix_nsecs = (uint32_t)(export_ms % 1000) * 1000000u;
    f->sysuptime = (uint32_t)(export_ms - (uint64_t)g->boot_ms[e]);
    f->first = (uint32_t)(start_ms - (uint64_t)g->boot_ms[e]);
    f->last = (uint32_t)(end_ms - (uint64_t)g->boot_ms[e]);
    f->start_ms = start_ms;
    f->end_ms = end_ms;
}

/* The flow from `from` to `to` carrying leg l. */
static void make_flow(struct ft_gen *g, const struct conv *c, const struct place *from,
                      const struct place *to, uint16_t sport, uint16_t dport,
                      const struct leg *l, struct ft_flow *f)
{
    memset(f, 0, sizeof *f);
    f->srcaddr = from->addr;
    f->dstaddr = to->addr;
    f->nexthop = to->nexthop;
    f->src_mask = from->mask;
    f->dst_mask = to->mask;
    f->src_as = from->as;
    f->dst_as = to->as;
    f->input = from->ifindex;
    f->output = to->ifindex;
    f->srcport = sport;
    f->dstport = dport;
    f->prot = c->prot;
    f->tos = c->tos;
    f->tcp_flags = c->prot == 6 ? l->flags : 0;
    f->dpkts = l->pkts;
    f->doctets = l->octets;
    f->src_tag = from->tag;
    f->dst_tag = to->tag;
    f->ip_version = c->v6 ? 6 : 4;
}

/* What the record format carries beyond the v5 fields. */
static void format_extras(struct ft_gen *g, const struct conv *c, struct ft_flow *f)
{
    const struct ft_format *fmt = g->o.fmt;
    f->has = fmt->mask | FT_F_TIMES;
    if (fmt->d_version == FT_DV_EXTENDED) {
        f->has = ft_format_find(5, 0)->mask | FT_F_TIMES | FT_F_IP_VERSION | FT_F_DIRECTION;
        if (c->prot == 1 || c->prot == 58) {
            f->has |= FT_F_ICMP;
            f->icmp_type = (uint8_t)(f->dstport >> 8);
            f->icmp_code = (uint8_t)f->dstport;
        }
        if (c->v6) {
            f->has |= FT_F_FLOW_LABEL;
            f->flow_label = c->flow_label;
        }
        f->direction = 0;                   /* metered on the way in */
        return;
    }
    if (fmt->mask & FT_F_ROUTER_SC)         /* v7 and Catalyst v8: the shortcut router */
        f->router_sc = f->nexthop;
    if (fmt->mask & FT_F_DFLOWS)            /* aggregated records */
        f->dflows = (uint32_t)clamp_u64(rng_pareto(&g->rng, 1, 1.6), 1, 100000);
    if (g->v8_prefixes) {
        f->srcaddr.v4 &= prefix_mask(f->src_mask);
        f->dstaddr.v4 &= prefix_mask(f->dst_mask);
    }
}

/* The request flow of a new conversation; its reply waits in g->pending. */
static void realistic_flow(struct ft_gen *g, struct ft_flow *f)
{
    struct conv c;
    draw_conversation(g, &c);
    const struct place *outside = c.a.ifindex < 10 ? &c.a : &c.b;   /* uplinks are 1..3 */
    uint64_t end = (uint64_t)(g->start_ms + (int64_t)timeline_at(g, g->produced));
    if (end < g->last_end_ms)
        end = g->last_end_ms;
    g->last_end_ms = end;
    int icmp = c.prot == 1 || c.prot == 58;
    make_flow(g, &c, &c.a, &c.b, icmp ? 0 : c.aport, icmp ? c.icmp_req : c.bport, &c.req, f);
    set_times(g, f, outside, end - c.req.duration_ms, end);
    format_extras(g, &c, f);
    g->have_pending = c.has_reply && g->produced + 1 < g->o.count;
    if (!g->have_pending)
        return;
    /* The reply runs half a round trip behind the request.  Its end is
     * capped by the next slot of the timeline, so that end times stay in
     * order however densely the flows are packed. */
    struct ft_flow *r = &g->pending;
    uint64_t cap = (uint64_t)(g->start_ms + (int64_t)timeline_at(g, g->produced + 1));
    uint64_t rend = end + c.rtt_ms / 2 + 1;
    if (rend > cap)
        rend = cap;
    if (rend < end)
        rend = end;
    g->last_end_ms = rend;
    uint64_t rstart = end - c.req.duration_ms + c.rtt_ms / 2;
    if (rstart > rend || c.rep.duration_ms == 0 || c.rep.pkts == 1)
        rstart = rend;
    make_flow(g, &c, &c.b, &c.a, icmp ? 0 : c.bport, icmp ? c.icmp_rep : c.aport, &c.rep, r);
    set_times(g, r, outside, rstart, rend);
    format_extras(g, &c, r);
}

/* ====================================================================== */

struct ft_gen *ft_gen_new(const struct ft_gen_opts *o, struct ft_err *err)
{
    if (!o->fmt) {
        ft_err_set(err, "flow generator: no record format");
        return NULL;
    }
    if (o->kind == FT_GEN_REALISTIC && (o->span < 1 || o->span > FT_GEN_SPAN_MAX)) {
        ft_err_set(err, "flow generator: span must be 1 to %u seconds", FT_GEN_SPAN_MAX);
        return NULL;
    }
    if (o->v6_percent > 100) {
        ft_err_set(err, "flow generator: IPv6 share above 100%%");
        return NULL;
    }
    if (o->kind == FT_GEN_REALISTIC && (o->start < 0 || o->start > 4000000000LL)) {
        ft_err_set(err, "flow generator: start must be between 1970 and 2096");
        return NULL;
    }
    struct ft_gen *g = calloc(1, sizeof *g);
    if (!g) {
        ft_err_set(err, "flow generator: out of memory");
        return NULL;
    }
    g->o = *o;
    if (o->kind == FT_GEN_REALISTIC && realistic_init(g, err) < 0) {
        ft_gen_free(g);
        return NULL;
    }
    return g;
}

void ft_gen_free(struct ft_gen *g)
{
    if (!g)
        return;
    free(g->server_pop.cdf);
    free(g->client_pop.cdf);
    free(g->host_pop.cdf);
    free(g);
}

size_t ft_gen_next(struct ft_gen *g, struct ft_flow *flows, size_t max)
{
    size_t n = 0;
    while (n < max && g->produced < g->o.count) {
        if (g->o.kind == FT_GEN_COUNTER) {
            counter_flow(g->o.fmt, g->produced, &flows[n]);
        } else if (g->have_pending) {
            flows[n] = g->pending;
            g->have_pending = 0;
        } else {
            realistic_flow(g, &flows[n]);
        }
        g->produced++;
        n++;
    }
    return n;
}
