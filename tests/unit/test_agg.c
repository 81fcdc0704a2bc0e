/* Unit tests of the report aggregation table (report/ft_agg.h): keys found
 * again, counters zeroed when added, the key limit, first-seen order,
 * stable sorts, clearing, and keys built from flow fields. */
#include <stdint.h>
#include <string.h>
#include "report/ft_agg.h"
#include "ft_test.h"

struct counts {
    uint64_t flows, octets;
};

static struct ft_agg *table(size_t key_len, size_t max)
{
    struct ft_err err;
    struct ft_agg_opts o = {.key_len = key_len, .val_len = sizeof(struct counts),
                            .max_keys = max};
    struct ft_agg *a = ft_agg_new(&o, &err);
    CHECK(a != NULL, "ft_agg_new: %s", err.msg);
    return a;
}

static void add(struct ft_agg *a, uint32_t key, uint64_t octets)
{
    int added;
    struct counts *c = ft_agg_get(a, &key, &added);
    if (c) {
        c->flows++;
        c->octets += octets;
    }
}

static void many_keys(void)
{
    struct ft_agg *a = table(4, 0);
    /* 200000 keys, each seen three times: the index grows many times */
    for (int round = 0; round < 3; round++)
        for (uint32_t k = 0; k < 200000; k++)
            add(a, k * 2654435761u, k);
    CHECK_EQ_U(ft_agg_count(a), 200000, "distinct keys");
    size_t bad = 0, first_bad = 0;
    for (size_t i = 0; i < ft_agg_count(a); i++) {
        uint32_t k;
        memcpy(&k, ft_agg_key(a, i), 4);
        const struct counts *c = ft_agg_val(a, i);
        if (k != (uint32_t)i * 2654435761u || c->flows != 3 || c->octets != 3 * (uint64_t)i)
            first_bad = bad++ ? first_bad : i;
    }
    CHECK(bad == 0, "%zu entries with the wrong key or counters, the first %zu", bad, first_bad);
    CHECK((uintptr_t)ft_agg_val(a, 1) % 8 == 0 && (uintptr_t)ft_agg_val(a, 2) % 8 == 0,
          "counters of a 4-byte key start on an 8-byte boundary");
    int added;
    uint32_t k = 5 * 2654435761u;
    CHECK(ft_agg_get(a, &k, &added) != NULL && !added, "an old key is found, not added");
    ft_agg_free(a);
}

static void the_limit(void)
{
    struct ft_agg *a = table(4, 100);
    for (uint32_t k = 0; k < 150; k++)
        add(a, k, 1);
    add(a, 7, 1);           /* an old key still counts at the limit */
    CHECK_EQ_U(ft_agg_count(a), 100, "keys held at the limit");
    CHECK_EQ_U(ft_agg_refused(a), 50, "new keys refused");
    CHECK_EQ_U(((const struct counts *)ft_agg_val(a, 7))->flows, 2, "old key counted");
    CHECK(!ft_agg_failed(a), "a limit is not a failure");
    ft_agg_clear(a);
    CHECK_EQ_U(ft_agg_count(a), 0, "cleared");
    CHECK_EQ_U(ft_agg_refused(a), 0, "refusals cleared");
    add(a, 99, 4);
    CHECK_EQ_U(ft_agg_count(a), 1, "a key after clearing");
    CHECK_EQ_U(((const struct counts *)ft_agg_val(a, 0))->octets, 4, "counters zeroed again");
    ft_agg_free(a);
}

static int by_octets_desc(const void *ka, const void *va, const void *kb, const void *vb,
                          void *ctx)
{
    (void)ka, (void)kb, (void)ctx;
    const struct counts *a = va, *b = vb;
    return a->octets > b->octets ? -1 : a->octets < b->octets;
}

static void sorting(void)
{
    struct ft_agg *a = table(4, 0);
    uint64_t octets[] = {5, 9, 5, 1, 9, 5};
    for (uint32_t k = 0; k < 6; k++)
        add(a, 100 + k, octets[k]);
    uint32_t *order = ft_agg_sorted(a, by_octets_desc, NULL);
    uint32_t want[] = {1, 4, 0, 2, 5, 3};   /* ties keep first-seen order */
    for (int i = 0; i < 6; i++)
        CHECK_EQ_U(order[i], want[i], "sorted position");
    free(order);
    order = ft_agg_sorted(a, NULL, NULL);
    for (uint32_t i = 0; i < 6; i++)
        CHECK_EQ_U(order[i], i, "unsorted: first-seen order");
    free(order);
    ft_agg_free(a);

    /* 10007 keys over 7 values (not a power of 2: the merges' last runs
     * are short): largest first, ties in first-seen order */
    a = table(4, 0);
    for (uint32_t k = 0; k < 10007; k++)
        add(a, k, (k * 2654435761u) % 7);
    order = ft_agg_sorted(a, by_octets_desc, NULL);
    int in_order = order != NULL;
    for (uint32_t i = 1; in_order && i < 10007; i++) {
        uint64_t x = ((const struct counts *)ft_agg_val(a, order[i - 1]))->octets;
        uint64_t y = ((const struct counts *)ft_agg_val(a, order[i]))->octets;
        in_order = x > y || (x == y && order[i - 1] < order[i]);
    }
    CHECK(in_order, "a long sort: by octets, ties first-seen");
    free(order);
    ft_agg_free(a);
}

static void field_keys(void)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    ft_ip_set4(&f.srcaddr, 0x0a000102);
    f.dstaddr.af = FT_AF_INET6;
    f.dstaddr.v6[0] = 0x20;
    f.dstaddr.v6[15] = 1;
    f.dstport = 443;
    const struct ft_field *src = &ft_fields[FT_FLD_SRCADDR], *dst = &ft_fields[FT_FLD_DSTADDR],
                          *port = &ft_fields[FT_FLD_DSTPORT];
    uint8_t key[64];
    uint8_t *p = ft_agg_key_put(key, src, &f);
    p = ft_agg_key_put(p, dst, &f);
    p = ft_agg_key_put(p, port, &f);
    CHECK_EQ_U(p - key, 17 + 17 + 2, "key width");
    struct ft_ip ip;
    ft_agg_key_ip(key, &ip);
    CHECK(ip.af == FT_AF_INET && ip.v4 == 0x0a000102, "IPv4 back");
    ft_agg_key_ip(key + 17, &ip);
    CHECK(ip.af == FT_AF_INET6 && memcmp(ip.v6, f.dstaddr.v6, 16) == 0, "IPv6 back");
    CHECK_EQ_U(ft_agg_key_number(key + 34, port), 443, "port back");
    /* big-endian numbers: keys compare as their values */
    uint8_t k1[2], k2[2];
    f.dstport = 255;
    ft_agg_key_put(k1, port, &f);
    f.dstport = 256;
    ft_agg_key_put(k2, port, &f);
    CHECK(memcmp(k1, k2, 2) < 0, "255 before 256");
}

int main(void)
{
    many_keys();
    the_limit();
    sorting();
    field_keys();
    struct ft_err err;
    struct ft_agg_opts bad = {.key_len = 0, .val_len = 8};
    CHECK(ft_agg_new(&bad, &err) == NULL && strstr(err.msg, "0 bytes"), "empty key refused");
    return ft_test_report("test_agg");
}
