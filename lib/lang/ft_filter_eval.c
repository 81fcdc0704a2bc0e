/*
 * ft_filter_eval.c - compiled primitives and definitions, and evaluating
 * them against flows (see ft_filter.h).
 *
 * A definition is a flat array of tests; each test knows where to go when
 * it denies (the first test of the next group, or the end), so a flow is
 * judged in one forward pass with no recursion and no allocation.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lang/ft_filter_int.h"

/* ---- compiling -------------------------------------------------------------------- */

static int cmp_tag(const void *a, const void *b)
{
    const struct fil_tag *x = a, *y = b;
    if (x->tag != y->tag)
        return x->tag < y->tag ? -1 : 1;
    return (x->order > y->order) - (x->order < y->order);
}

/* Tags sorted for binary search; of a tag listed twice the later line wins. */
static void compile_tags(struct fil_prim *p)
{
    if (!p->n_tags)
        return;
    qsort(p->tags, p->n_tags, sizeof *p->tags, cmp_tag);
    size_t out = 0;
    for (size_t i = 0; i < p->n_tags; i++) {
        if (out && p->tags[out - 1].tag == p->tags[i].tag)
            out--;
        p->tags[out++] = p->tags[i];
    }
    p->n_tags = out;
}

/* The list types become one bit per value: permit or not, the default
 * already applied to the values no rule set. */
static int compile_list(struct fil_prim *p)
{
    size_t words = (p->max + 64u) / 64u;
    if (!(p->permit_bits = calloc(words, sizeof *p->permit_bits)))
        return -1;
    for (uint32_t v = 0; v <= p->max; v++) {
        int permit = p->set && p->set[v] ? p->set[v] == 1 : p->def_permit;
        if (permit)
            p->permit_bits[v >> 6] |= 1ULL << (v & 63);
    }
    free(p->set);
    p->set = NULL;
    return 0;
}

int fil_compile_prim(struct fil_prim *p)
{
    switch (p->type) {
    case PT_AS: case PT_IP_PROT: case PT_IP_PORT: case PT_PREFIX_LEN: case PT_TOS:
    case PT_TCP_FLAGS: case PT_IFINDEX: case PT_ENGINE:
        return compile_list(p);
    case PT_TAG:
        compile_tags(p);
        return 0;
    default:
        return 0;
    }
}

uint64_t fil_field_need(enum fil_field f)
{
    const uint64_t times = FT_F_UNIX_SECS | FT_F_UNIX_NSECS | FT_F_SYSUPTIME;
    switch (f) {
    case FF_SRC_AS: return FT_F_SRC_AS;
    case FF_DST_AS: return FT_F_DST_AS;
    case FF_PROT: return FT_F_PROT;
    case FF_SRC_MASK: return FT_F_SRC_MASK;
    case FF_DST_MASK: return FT_F_DST_MASK;
    case FF_TOS: return FT_F_TOS;
    case FF_MARKED_TOS: return FT_F_MARKED_TOS;
    case FF_TCP_FLAGS: return FT_F_TCP_FLAGS;
    case FF_SRCPORT: return FT_F_SRCPORT;
    case FF_DSTPORT: return FT_F_DSTPORT;
    case FF_INPUT: return FT_F_INPUT;
    case FF_OUTPUT: return FT_F_OUTPUT;
    case FF_ENGINE_ID: return FT_F_ENGINE_ID;
    case FF_ENGINE_TYPE: return FT_F_ENGINE_TYPE;
    case FF_FLOWS: return FT_F_DFLOWS;
    case FF_OCTETS: return FT_F_DOCTETS;
    case FF_PACKETS: return FT_F_DPKTS;
    case FF_EXTRA_PKTS: return FT_F_EXTRA_PKTS;
    case FF_DURATION: return FT_F_FIRST | FT_F_LAST;
    case FF_START: return times | FT_F_FIRST;
    case FF_END: return times | FT_F_LAST;
    case FF_SRC_TAG: return FT_F_SRC_TAG;
    case FF_DST_TAG: return FT_F_DST_TAG;
    case FF_NEXTHOP: return FT_F_NEXTHOP;
    case FF_ROUTER_SC: return FT_F_ROUTER_SC;
    case FF_SRCADDR: return FT_F_SRCADDR;
    case FF_DSTADDR: return FT_F_DSTADDR;
    case FF_EXADDR: return FT_F_EXADDR;
    case FF_BPS: return FT_F_DOCTETS | FT_F_FIRST | FT_F_LAST;
    case FF_PPS: return FT_F_DPKTS | FT_F_FIRST | FT_F_LAST;
    case FF_RANDOM: return 0;
    }
    return 0;
}

/* Jump targets: a test that denies continues at the next group. */
void fil_compile_def(struct ft_filter_def *d)
{
    d->need = 0;
    if (d->n)
        d->tests[d->n - 1].ends_group = 1;
    uint32_t next_group = (uint32_t)d->n;
    for (size_t i = d->n; i-- > 0;) {
        d->tests[i].on_deny = next_group;
        if (i > 0 && d->tests[i - 1].ends_group)
            next_group = (uint32_t)i;
        d->need |= fil_field_need((enum fil_field)d->tests[i].field);
    }
}

/* ---- flow values -------------------------------------------------------------------- */

static uint64_t start_ms(const struct ft_flow *f)
{
    if (f->has & FT_F_TIMES)
        return f->start_ms;
    return ft_uptime_to_ms(f->unix_secs, f->unix_nsecs, f->sysuptime, f->first);
}

static uint64_t end_ms(const struct ft_flow *f)
{
    if (f->has & FT_F_TIMES)
        return f->end_ms;
    return ft_uptime_to_ms(f->unix_secs, f->unix_nsecs, f->sysuptime, f->last);
}

/* Last - First as the router counts it (unsigned, so it wraps with the
 * uptime); flows that only carry absolute times use those. */
static uint32_t duration_ms(const struct ft_flow *f)
{
    if ((f->has & (FT_F_FIRST | FT_F_LAST)) || !(f->has & FT_F_TIMES))
        return f->last - f->first;
    return f->end_ms > f->start_ms ? (uint32_t)(f->end_ms - f->start_ms) : 0;
}

static uint64_t number_of(const struct ft_flow *f, enum fil_field field)
{
    switch (field) {
    case FF_SRC_AS: return f->src_as;
    case FF_DST_AS: return f->dst_as;
    case FF_PROT: return f->prot;
    case FF_SRC_MASK: return f->src_mask;
    case FF_DST_MASK: return f->dst_mask;
    case FF_TOS: return f->tos;
    case FF_MARKED_TOS: return f->marked_tos;
    case FF_TCP_FLAGS: return f->tcp_flags;
    case FF_SRCPORT: return f->srcport;
    case FF_DSTPORT: return f->dstport;
    case FF_INPUT: return f->input;
    case FF_OUTPUT: return f->output;
    case FF_ENGINE_ID: return f->engine_id;
    case FF_ENGINE_TYPE: return f->engine_type;
    case FF_FLOWS: return f->dflows;
    case FF_OCTETS: return f->doctets;
    case FF_PACKETS: return f->dpkts;
    case FF_EXTRA_PKTS: return f->extra_pkts;
    case FF_DURATION: return duration_ms(f);
    case FF_SRC_TAG: return f->src_tag;
    case FF_DST_TAG: return f->dst_tag;
    case FF_START: return start_ms(f) / 1000u;
    case FF_END: return end_ms(f) / 1000u;
    default: return 0;
    }
}

static const struct ft_ip *address_of(const struct ft_flow *f, enum fil_field field)
{
    switch (field) {
    case FF_NEXTHOP: return &f->nexthop;
    case FF_ROUTER_SC: return &f->router_sc;
    case FF_SRCADDR: return &f->srcaddr;
    case FF_DSTADDR: return &f->dstaddr;
    default: return &f->exaddr;
    }
}

/* bps / pps: 0 for a flow of no duration. */
static double rate_of(const struct ft_flow *f, enum fil_field field)
{
    uint32_t ms = duration_ms(f);
    if (!ms)
        return 0.0;
    double amount = field == FF_BPS ? (double)f->doctets * 8.0 : (double)f->dpkts;
    return amount / (ms / 1000.0);
}

/* ---- primitives ----------------------------------------------------------------------- */

#define COMPARE(op, a, b) \
    ((op) == OP_LT ? (a) < (b) : (op) == OP_GT ? (a) > (b) : (op) == OP_EQ ? (a) == (b) : \
     (op) == OP_NE ? (a) != (b) : (op) == OP_LE ? (a) <= (b) : (a) >= (b))

static int eval_list(const struct fil_prim *p, uint64_t v)
{
    if (p->type == PT_TOS || p->type == PT_TCP_FLAGS)
        v &= p->mask;
    if (v > p->max) {           /* 32-bit AS numbers and ifIndexes beyond the table */
        for (size_t i = p->n_wide; i-- > 0;)
            if (v >= p->wide[i].lo && v <= p->wide[i].hi)
                return p->wide[i].permit;
        return p->def_permit;
    }
    return (int)((p->permit_bits[v >> 6] >> (v & 63)) & 1u);
}

static int eval_tag(const struct fil_prim *p, uint32_t v)
{
    size_t lo = 0, hi = p->n_tags;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->tags[mid].tag == v)
            return p->tags[mid].permit;
        if (p->tags[mid].tag < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return p->def_permit;
}

static int eval_tag_mask(const struct fil_prim *p, uint32_t v)
{
    for (size_t i = 0; i < p->n_rules; i++)
        if ((v & p->rules[i].tag.mask) == p->rules[i].tag.value)
            return p->rules[i].permit;
    return p->def_permit;
}

static int eval_counter(const struct fil_prim *p, uint64_t v)
{
    for (size_t i = 0; i < p->n_rules; i++)
        if (COMPARE(p->rules[i].op, v, p->rules[i].u))
            return p->rules[i].permit;
    return p->def_permit;
}

static int eval_time_date(const struct fil_prim *p, int64_t secs)
{
    for (size_t i = 0; i < p->n_rules; i++)
        if (COMPARE(p->rules[i].op, secs, p->rules[i].secs))
            return p->rules[i].permit;
    return p->def_permit;
}

/* Time of day: the rule's HH:MM:SS on the flow's own (local) day. */
static int eval_time_of_day(const struct fil_prim *p, int64_t secs)
{
    time_t t1 = (time_t)secs;
    struct tm day;
    if (!localtime_r(&t1, &day))
        return p->def_permit;
    for (size_t i = 0; i < p->n_rules; i++) {
        const struct fil_rule *r = &p->rules[i];
        struct tm at = day;
        at.tm_hour = r->tod.h;
        at.tm_min = r->tod.m;
        at.tm_sec = r->tod.s;
        at.tm_isdst = -1;
        time_t t2 = mktime(&at);
        if (COMPARE(r->op, t1, t2))
            return r->permit;
    }
    return p->def_permit;
}

static int eval_double(const struct fil_prim *p, double v)
{
    for (size_t i = 0; i < p->n_rules; i++)
        if (COMPARE(p->rules[i].op, v, p->rules[i].d))
            return p->rules[i].permit;
    return p->def_permit;
}

static int mask_matches(const struct fil_rule *r, const struct ft_ip *a)
{
    if (a->af == FT_AF_INET6) {
        if (r->ip.addr.af != FT_AF_INET6)
            return 0;
        for (int i = 0; i < 16; i++)
            if ((a->v6[i] & r->ip.mask.v6[i]) != r->ip.addr.v6[i])
                return 0;
        return 1;
    }
    return r->ip.addr.af == FT_AF_INET && (a->v4 & r->ip.mask.v4) == r->ip.addr.v4;
}

static int eval_address(const struct fil_prim *p, const struct ft_ip *a)
{
    int found;
    if (p->type == PT_IP_MASK) {
        for (size_t i = 0; i < p->n_rules; i++)
            if (mask_matches(&p->rules[i], a))
                return p->rules[i].permit;
        return p->def_permit;
    }
    uint32_t permit;
    if (a->af == FT_AF_INET6)
        found = p->trie6 && ft_trie_lookup(p->trie6, a, &permit);
    else            /* an absent IPv4 address reads as 0.0.0.0, as in a flow-tools record */
        found = p->trie4 && ft_trie_lookup4(p->trie4, a->af == FT_AF_INET ? a->v4 : 0, &permit);
    return found ? (int)permit : p->def_permit;
}

/* xorshift64*: 1 in `rate` flows gets the rule's mode, the others the other. */
static int eval_rate(const struct fil_prim *p, uint64_t *rng)
{
    uint64_t x = *rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *rng = x;
    uint64_t r = (x * 0x2545F4914F6CDD1DULL) >> 32;
    int hit = r % p->rate == 0;
    return hit ? p->rate_permit : !p->rate_permit;
}

static int eval_number(const struct fil_prim *p, uint64_t v)
{
    switch (p->type) {
    case PT_TAG: return eval_tag(p, (uint32_t)v);
    case PT_TAG_MASK: return eval_tag_mask(p, (uint32_t)v);
    case PT_COUNTER: return eval_counter(p, v);
    default: return eval_list(p, v);
    }
}

static int eval_test(const struct fil_test *t, const struct ft_flow *f, uint64_t *rng)
{
    const struct fil_prim *p = t->prim;
    enum fil_field field = (enum fil_field)t->field;
    switch (field) {
    case FF_NEXTHOP: case FF_ROUTER_SC: case FF_SRCADDR: case FF_DSTADDR: case FF_EXADDR:
        return eval_address(p, address_of(f, field));
    case FF_BPS: case FF_PPS:
        return eval_double(p, rate_of(f, field));
    case FF_RANDOM:
        return eval_rate(p, rng);
    case FF_START: case FF_END:
        if (p->type == PT_TIME_DATE)
            return eval_time_date(p, (int64_t)number_of(f, field));
        if (p->type == PT_TIME)
            return eval_time_of_day(p, (int64_t)number_of(f, field));
        return eval_counter(p, number_of(f, field));
    default:
        return eval_number(p, number_of(f, field));
    }
}

/* ---- definitions ----------------------------------------------------------------------- */

int ft_filter_match(struct ft_filter_def *d, const struct ft_flow *f)
{
    const struct fil_test *tests = d->tests;
    size_t i = 0, n = d->n;
    int result = 0;
    while (i < n) {
        if (eval_test(&tests[i], f, d->rng)) {
            if (tests[i].ends_group) {
                result = 1;
                break;
            }
            i++;
        } else {
            i = tests[i].on_deny;
        }
    }
    return result ^ (d->invert ? 1 : 0);
}

size_t ft_filter_batch(struct ft_filter_def *d, const struct ft_flow *flows, size_t n,
                       uint8_t *keep)
{
    size_t permitted = 0;
    for (size_t i = 0; i < n; i++) {
        keep[i] = (uint8_t)ft_filter_match(d, &flows[i]);
        permitted += keep[i];
    }
    return permitted;
}

size_t ft_filter_compact(struct ft_filter_def *d, struct ft_flow *flows, size_t n)
{
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ft_filter_match(d, &flows[i]))
            continue;
        if (out != i)
            flows[out] = flows[i];
        out++;
    }
    return out;
}
