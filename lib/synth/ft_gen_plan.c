/*
 * ft_gen_plan.c - the realistic generator's address plan, fixed for every
 * seed: client subnets behind campus and customer interfaces, the DMZ, and
 * a few hundred server prefixes of public ASes behind three uplinks.
 */
#include <string.h>
#include "synth/ft_gen_int.h"

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

void ft_gen_plan_init(struct ft_gen *g)
{
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
}

void ft_gen_inside_client(struct ft_gen *g, struct place *p, int v6)
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

void ft_gen_inside_server(struct place *p, uint32_t addr4, int v6)
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

void ft_gen_outside_host(struct ft_gen *g, struct place *p, int v6, int popular)
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
