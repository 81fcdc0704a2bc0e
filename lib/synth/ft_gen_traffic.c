/*
 * ft_gen_traffic.c - the realistic generator's time line and flows: end
 * times spread over the span with a daily rhythm, in non-decreasing order,
 * each conversation's request and reply flow with the times, exporter and
 * record-format extras a router of the plan would give them.
 */
#include <stdlib.h>
#include <string.h>
#include "core/ft_err.h"
#include "synth/ft_gen_int.h"

static const uint32_t exporter_addr[EXPORTERS] = {0x0afffe01, 0x0afffe02};      /* 10.255.254.1/2 */
/* The router uplinks: 1 and 2 on the first exporter, 3 on the second. */
static const uint8_t uplink_exporter[3] = {0, 0, 1};

int ft_gen_zipf_init(struct zipf *z, uint32_t n, double s)
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

int ft_gen_traffic_init(struct ft_gen *g, struct ft_err *err)
{
    rng_seed(&g->rng, g->o.seed);
    ft_gen_plan_init(g);
    g->start_ms = g->o.start * 1000;
    if (ft_gen_zipf_init(&g->server_pop, SERVER_NETS, 1.1) < 0
        || ft_gen_zipf_init(&g->client_pop, CLIENT_NETS, 0.6) < 0
        || ft_gen_zipf_init(&g->host_pop, 64, 1.2) < 0 || build_timeline(g) < 0) {
        return ft_err_set(err, "flow generator: out of memory");
    }
    ft_gen_services_init(g);
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

void ft_gen_traffic_flow(struct ft_gen *g, struct ft_flow *f)
{
    struct conv c;
    ft_gen_draw_conversation(g, &c);
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
