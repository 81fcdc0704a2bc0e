/*
 * ft_gen_int.h - what the files of the realistic flow generator share (see
 * ft_gen.h): the seeded random numbers, the generator's state, places on
 * either side of the edge, conversations.
 *
 *   ft_gen.c           the API; ft_gen_counter.c the original's counters
 *   ft_gen_plan.c      the address plan: prefixes, ASes, interfaces, next hops
 *   ft_gen_services.c  the service mix: who talks to whom, packets, bytes, flags
 *   ft_gen_traffic.c   the time line and the flows of each conversation
 */
#ifndef FT_GEN_INT_H
#define FT_GEN_INT_H

#include <math.h>
#include <stdint.h>
#include "synth/ft_gen.h"

#define N_ELEMS(a) ((uint32_t)(sizeof(a) / sizeof((a)[0])))

/* ---- random numbers: xoshiro256** seeded through splitmix64 ------------- */

struct rng {
    uint64_t s[4];
    double spare;           /* the second normal deviate of a pair */
    int have_spare;
};

static inline uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline void rng_seed(struct rng *r, uint64_t seed)
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
static inline double rng_normal(struct rng *r)
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
static inline double rng_lognormal(struct rng *r, double median, double sigma)
{
    return median * exp(sigma * rng_normal(r));
}

/* Pareto with minimum xm and tail index alpha (smaller = heavier). */
static inline double rng_pareto(struct rng *r, double xm, double alpha)
{
    return xm / pow(1.0 - rng_unit(r), 1.0 / alpha);
}

static inline uint64_t clamp_u64(double v, uint64_t lo, uint64_t hi)
{
    if (!(v >= (double)lo))
        return lo;
    if (v >= (double)hi)
        return hi;
    return (uint64_t)v;
}

/* ---- Zipf popularity ------------------------------------------------------ */

#define ZIPF_GUIDE 1024

struct zipf {
    double *cdf;
    uint32_t n;
    uint32_t guide[ZIPF_GUIDE];     /* first rank whose cdf reaches j/ZIPF_GUIDE */
};

/* A rank, 0 the most popular. */
static inline uint32_t zipf_draw(const struct zipf *z, struct rng *r)
{
    double u = rng_unit(r);
    uint32_t k = z->guide[(uint32_t)(u * ZIPF_GUIDE)];
    while (z->cdf[k] < u)
        k++;
    return k;
}

/* A Zipf law over n ranks with exponent s: 0, or -1 out of memory. */
int ft_gen_zipf_init(struct zipf *z, uint32_t n, double s);

/* ---- the address plan (ft_gen_plan.c) ---------------------------------------- */

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

static inline uint32_t prefix_mask(unsigned len)
{
    return len ? 0xffffffffu << (32 - len) : 0;
}

/* ---- the generator ---------------------------------------------------------- */

enum service {
    SV_HTTPS, SV_QUIC, SV_HTTP, SV_DNS, SV_DNS_OUT, SV_NTP, SV_SMTP_IN, SV_MAIL,
    SV_SSH, SV_SCAN, SV_PING, SV_ICMP_ERR, SV_TCP_OTHER, SV_UDP_OTHER, SV_VPN, SV_COUNT
};

#define TIMELINE_POINTS 4096

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

/* The plan's prefixes and the clients' popularity (the same for every seed). */
void ft_gen_plan_init(struct ft_gen *g);
/* An inside client: a campus or customer subnet host. */
void ft_gen_inside_client(struct ft_gen *g, struct place *p, int v6);
/* An inside server of the DMZ (host: last octet). */
void ft_gen_inside_server(struct place *p, uint32_t addr4, int v6);
/* An outside host: popular (Zipf) or any (scanners, uniform). */
void ft_gen_outside_host(struct ft_gen *g, struct place *p, int v6, int popular);

/* ---- conversations (ft_gen_services.c) --------------------------------------- */

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

/* The service mix's cumulative weights, g->service_cdf. */
void ft_gen_services_init(struct ft_gen *g);
/* Draw the next conversation. */
void ft_gen_draw_conversation(struct ft_gen *g, struct conv *c);

/* ---- the modes (ft_gen_counter.c, ft_gen_traffic.c) ---------------------------- */

/* Record i of the original flow-gen's output for format fmt. */
void ft_gen_counter_flow(const struct ft_format *fmt, uint64_t i, struct ft_flow *f);
/* Set up realistic mode: 0, or -1 with err. */
int ft_gen_traffic_init(struct ft_gen *g, struct ft_err *err);
/* The request flow of a new conversation; its reply waits in g->pending. */
void ft_gen_traffic_flow(struct ft_gen *g, struct ft_flow *f);

#endif
