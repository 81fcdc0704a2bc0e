/*
 * test_gen.c - the flow generator: the original's counters, and the
 * realistic traffic's promises (ft_gen.h): the same seed gives the same
 * flows, the count is exact, end times never go back, IPv6 only where the
 * format holds it, addresses from the plan, options out of range refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ft_test.h"
#include "synth/ft_gen.h"

#define N 20000

/* All flows of a generator with these options (malloc'd), *n their count. */
static struct ft_flow *generate(const struct ft_gen_opts *o, size_t *n)
{
    struct ft_err err;
    struct ft_gen *g = ft_gen_new(o, &err);
    CHECK(g != NULL, "ft_gen_new: %s", err.msg);
    struct ft_flow *flows = calloc(o->count + 1, sizeof *flows);
    *n = 0;
    if (!g || !flows) {
        ft_gen_free(g);
        return flows;
    }
    size_t k, room = o->count + 1;     /* one more than asked for: none may come */
    while (*n < room && (k = ft_gen_next(g, flows + *n, room - *n < 1000 ? room - *n : 1000)))
        *n += k;
    ft_gen_free(g);
    return flows;
}

static void test_counter(void)
{
    struct ft_gen_opts o;
    ft_gen_opts_init(&o);
    o.count = 70000;                /* past 16-bit wrap-around */
    size_t n;
    struct ft_flow *f = generate(&o, &n);
    CHECK_EQ_U(n, 70000, "counter mode: the count");
    unsigned bad = 0;
    for (size_t i = 0; f && i < n; i++) {
        bad += f[i].srcaddr.v4 != (uint32_t)i || f[i].dstaddr.v4 != 0xffff0000u + (uint32_t)i;
        bad += f[i].srcport != (uint16_t)i || f[i].dstport != (uint16_t)(0xff00u + i);
        bad += f[i].dpkts != i + 1 || f[i].tos != (uint8_t)i || f[i].prot != 17;
    }
    CHECK_EQ_U(bad, 0, "v5 counters count up as the original's");
    free(f);
}

/* Flows of a v5 realistic run; their addresses are all IPv4. */
static void check_realistic(const struct ft_flow *f, size_t n, int ipv6_allowed,
                            const char *what)
{
    unsigned back = 0, v6 = 0, start_after_end = 0, empty = 0;
    for (size_t i = 0; i < n; i++) {
        back += i > 0 && f[i].end_ms < f[i - 1].end_ms;
        v6 += f[i].srcaddr.af == FT_AF_INET6;
        start_after_end += f[i].start_ms > f[i].end_ms;
        empty += f[i].dpkts == 0 || f[i].doctets < f[i].dpkts * 20;
    }
    CHECK_EQ_U(back, 0, "end times never go back");
    CHECK_EQ_U(start_after_end, 0, "no flow starts after it ends");
    CHECK_EQ_U(empty, 0, "packets and at least 20 bytes each");
    CHECK(ipv6_allowed ? v6 > n / 20 : v6 == 0, "%s: %u IPv6 flows of %zu", what, v6, n);
}

static void test_realistic(void)
{
    struct ft_gen_opts o;
    ft_gen_opts_init(&o);
    o.kind = FT_GEN_REALISTIC;
    o.count = N;
    size_t n, m;
    struct ft_flow *a = generate(&o, &n), *b = generate(&o, &m);
    CHECK_EQ_U(n, N, "realistic: the count is exact");
    CHECK(a && b && m == n && memcmp(a, b, n * sizeof *a) == 0, "the same seed, the same flows");
    check_realistic(a, n, 0, "v5");
    uint64_t lo = (uint64_t)FT_GEN_START_DEFAULT * 1000;
    CHECK(a && a[0].end_ms >= lo && a[n - 1].end_ms < lo + FT_GEN_SPAN_DEFAULT * 1000u,
          "end times within the span");
    free(b);
    o.seed = 2;
    b = generate(&o, &m);
    CHECK(b && memcmp(a, b, n * sizeof *a) != 0, "another seed, other flows");
    free(a);
    free(b);

    o.fmt = ft_format_find(FT_DV_EXTENDED, 0);
    a = generate(&o, &n);
    check_realistic(a, n, 1, "extended");
    free(a);
    o.v6_percent = 0;
    a = generate(&o, &n);
    check_realistic(a, n, 0, "extended, -6 0");
    free(a);
}

static void test_options(void)
{
    struct ft_gen_opts o;
    struct ft_err err;
    ft_gen_opts_init(&o);
    o.kind = FT_GEN_REALISTIC;
    o.span = 0;
    CHECK(ft_gen_new(&o, &err) == NULL && strstr(err.msg, "span"), "span 0: %s", err.msg);
    ft_gen_opts_init(&o);
    o.v6_percent = 101;
    CHECK(ft_gen_new(&o, &err) == NULL && strstr(err.msg, "IPv6"), "-6 101: %s", err.msg);
    ft_gen_opts_init(&o);
    o.fmt = NULL;
    CHECK(ft_gen_new(&o, &err) == NULL, "no format");
}

int main(void)
{
    test_counter();
    test_realistic();
    test_options();
    return ft_test_report("test_gen");
}
