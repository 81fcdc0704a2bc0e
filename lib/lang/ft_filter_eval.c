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
        d->need |= d->tests[i].need;
    }
}

/* ---- flow values -------------------------------------------------------------------- */

/* bps / pps: 0 for a flow of no duration. */
static double rate_of(const struct ft_flow *f, enum fil_source source)
{
    uint64_t ms = ft_flow_duration_ms(f);
    if (!ms)
        return 0.0;
    double amount = source == SRC_BPS ? (double)f->doctets * 8.0 : (double)f->dpkts;
    return amount / ((double)ms / 1000.0);
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

/* start-time, end-time: against a date, a time of day, or (start-time
 * only) as a counter of seconds. */
static int eval_time(const struct fil_prim *p, uint64_t secs)
{
    if (p->type == PT_TIME_DATE)
        return eval_time_date(p, (int64_t)secs);
    if (p->type == PT_TIME)
        return eval_time_of_day(p, (int64_t)secs);
    return eval_counter(p, secs);
}

static int eval_test(const struct fil_test *t, const struct ft_flow *f, uint64_t *rng)
{
    const struct fil_prim *p = t->prim;
    switch ((enum fil_source)t->source) {
    case SRC_NUMBER: return eval_number(p, ft_field_get(f, t->field));
    case SRC_ADDRESS: return eval_address(p, ft_field_cptr(f, t->field));
    case SRC_DURATION: return eval_counter(p, ft_flow_duration_ms(f));
    case SRC_START: return eval_time(p, ft_flow_start_ms(f) / 1000u);
    case SRC_END: return eval_time(p, ft_flow_end_ms(f) / 1000u);
    case SRC_BPS: case SRC_PPS: return eval_double(p, rate_of(f, (enum fil_source)t->source));
    case SRC_RANDOM: return eval_rate(p, rng);
    }
    return 0;
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
