/*
 * test_cryptopan.c - Crypto-PAn: the published sample (the key and address
 * pairs of the Crypto-PAn 1.0 distribution's sample trace), IPv6 vectors of
 * another implementation of the same construction, and prefix preservation
 * as a property: addresses sharing exactly k leading bits map to addresses
 * sharing exactly k leading bits, for IPv4 and IPv6.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include "ft_test.h"
#include "net/ft_cryptopan.h"

/* The sample key of the Crypto-PAn distribution. */
static const uint8_t sample_key[32] = {
    21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16,
    216, 152, 143, 131, 121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2
};

/* Addresses of the sample trace and their anonymised forms. */
static const char *const v4_vectors[][2] = {
    {"128.11.68.132", "135.242.180.132"}, {"129.118.74.4", "134.136.186.123"},
    {"130.132.252.244", "133.68.164.234"}, {"141.223.7.43", "141.167.8.160"},
    {"141.233.145.108", "141.129.237.235"}, {"152.163.225.39", "151.140.114.167"},
    {"156.29.3.236", "147.225.12.42"}, {"165.247.96.84", "162.9.99.234"},
    {"166.107.77.190", "160.132.178.185"}, {"192.102.249.13", "252.138.62.131"},
    {"192.215.32.125", "252.43.47.189"}, {"192.233.80.103", "252.25.108.8"},
    {"192.41.57.43", "252.222.221.184"}, {"193.150.244.223", "253.169.52.216"},
    {"195.205.63.100", "255.186.223.5"}, {"198.200.171.101", "249.199.68.213"},
    {"198.26.132.101", "249.36.123.202"}, {"198.36.213.5", "249.7.21.132"},
    {"198.51.77.238", "249.18.186.254"}, {"199.217.79.101", "248.38.184.213"},
    {"202.49.198.20", "245.206.7.234"}, {"203.12.160.252", "244.248.163.4"},
    {"204.184.162.189", "243.192.77.90"}, {"204.202.136.230", "243.178.4.198"},
    {"204.29.20.4", "243.33.20.123"}, {"205.178.38.67", "242.108.198.51"},
    {"205.188.147.153", "242.96.16.101"}, {"205.188.248.25", "242.96.88.27"},
    {"205.245.121.43", "242.21.121.163"}, {"207.105.49.5", "241.118.205.138"},
    {"207.135.65.238", "241.202.129.222"}, {"207.155.9.214", "241.220.250.22"},
    {"207.188.7.45", "241.255.249.220"}, {"207.25.71.27", "241.33.119.156"},
    {"207.33.151.131", "241.1.233.131"}, {"208.147.89.59", "227.237.98.191"},
    {"208.234.120.210", "227.154.67.17"}, {"208.28.185.184", "227.39.94.90"},
    {"208.52.56.122", "227.8.63.165"}, {"209.12.231.7", "226.243.167.8"},
    {"209.238.72.3", "226.6.119.243"}, {"209.246.74.109", "226.22.124.76"},
    {"209.68.60.238", "226.184.220.233"}, {"209.85.249.6", "226.170.70.6"},
    {"212.120.124.31", "228.135.163.231"}, {"212.146.8.236", "228.19.4.234"},
    {"212.186.227.154", "228.59.98.98"}, {"212.204.172.118", "228.71.195.169"},
    {"212.206.130.201", "228.69.242.193"}, {"216.148.237.145", "235.84.194.111"},
    {"216.157.30.252", "235.89.31.26"}, {"216.184.159.48", "235.96.225.78"},
    {"216.227.10.221", "235.28.253.36"}, {"216.254.18.172", "235.7.16.162"},
    {"216.32.132.250", "235.192.139.38"}, {"216.35.217.178", "235.195.157.81"},
    {"24.0.250.221", "100.15.198.226"}, {"24.13.62.231", "100.2.192.247"},
    {"24.14.213.138", "100.1.42.141"}, {"24.5.0.80", "100.9.15.210"},
    {"24.7.198.88", "100.10.6.25"}, {"24.94.26.44", "100.88.228.35"},
    {"38.15.67.68", "64.3.66.187"}, {"4.3.88.225", "124.60.155.63"},
    {"63.14.55.111", "95.9.215.7"}, {"63.195.241.44", "95.179.238.44"},
    {"63.97.7.140", "95.97.9.123"}, {"64.14.118.196", "0.255.183.58"},
    {"64.34.154.117", "0.221.154.117"}, {"64.39.15.238", "0.219.7.41"},
};

/* The same construction over 128 bits, as Yawning Angel's Go package
 * (github.com/Yawning/cryptopan) computes it with the sample key. */
static const char *const v6_vectors[][2] = {
    {"::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed"},
    {"::2", "78ff:f001:9fc0:20df:8380:b1f1:704:ef"},
    {"::ffff", "78ff:f001:9fc0:20df:8380:b1f1:704:f838"},
    {"2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e"},
    {"2001:db8::2", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c"},
};

static uint32_t v4(const char *s)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return 0;
    return ntohl(a.s_addr);
}

static void test_sample(const struct ft_cryptopan *cp)
{
    for (size_t i = 0; i < sizeof v4_vectors / sizeof v4_vectors[0]; i++) {
        uint32_t got = ft_cryptopan_v4(cp, v4(v4_vectors[i][0]));
        CHECK(got == v4(v4_vectors[i][1]), "%s -> %u.%u.%u.%u, want %s", v4_vectors[i][0],
              got >> 24, (got >> 16) & 255, (got >> 8) & 255, got & 255, v4_vectors[i][1]);
    }
    for (size_t i = 0; i < sizeof v6_vectors / sizeof v6_vectors[0]; i++) {
        uint8_t in[16], want[16], got[16];
        char text[64];
        inet_pton(AF_INET6, v6_vectors[i][0], in);
        inet_pton(AF_INET6, v6_vectors[i][1], want);
        ft_cryptopan_v6(cp, in, got);
        inet_ntop(AF_INET6, got, text, sizeof text);
        CHECK(memcmp(got, want, 16) == 0, "%s -> %s, want %s", v6_vectors[i][0], text,
              v6_vectors[i][1]);
    }
    /* struct ft_ip of both families goes the same way */
    struct ft_ip a = {.af = FT_AF_INET, .v4 = v4("24.5.0.80")};
    ft_cryptopan_ip(cp, &a);
    CHECK_EQ_U(a.v4, v4("100.9.15.210"), "ft_cryptopan_ip v4");
}

/* Leading bits two byte strings share. */
static unsigned common_prefix(const uint8_t *a, const uint8_t *b, unsigned bits)
{
    for (unsigned i = 0; i < bits; i++) {
        uint8_t m = (uint8_t)(0x80u >> (i % 8));
        if ((a[i / 8] & m) != (b[i / 8] & m))
            return i;
    }
    return bits;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* b = a with bit k flipped and the bits after it random: exactly k shared. */
static void sibling(const uint8_t *a, uint8_t *b, unsigned k, unsigned bits)
{
    for (unsigned i = 0; i < bits / 8; i++)
        b[i] = (uint8_t)rng();
    for (unsigned i = 0; i <= k && i < bits; i++) {
        uint8_t m = (uint8_t)(0x80u >> (i % 8));
        b[i / 8] = (uint8_t)((b[i / 8] & ~m) | (a[i / 8] & m));
    }
    if (k < bits)
        b[k / 8] ^= (uint8_t)(0x80u >> (k % 8));
}

static void test_prefix_property(const struct ft_cryptopan *cp)
{
    unsigned bad4 = 0, bad6 = 0, runs = 0;
    for (int round = 0; round < 20; round++) {
        for (unsigned k = 0; k <= 32; k++) {
            uint8_t a[4], b[4], ea[4], eb[4];
            for (int i = 0; i < 4; i++)
                a[i] = (uint8_t)rng();
            sibling(a, b, k, 32);
            uint32_t x = ft_cryptopan_v4(cp, (uint32_t)a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3]);
            uint32_t y = ft_cryptopan_v4(cp, (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3]);
            for (int i = 0; i < 4; i++) {
                ea[i] = (uint8_t)(x >> (24 - 8 * i));
                eb[i] = (uint8_t)(y >> (24 - 8 * i));
            }
            bad4 += common_prefix(ea, eb, 32) != common_prefix(a, b, 32) || common_prefix(a, b, 32) != k;
            runs++;
        }
        for (unsigned k = 0; k <= 128; k += 1 + round % 3) {
            uint8_t a[16], b[16], ea[16], eb[16];
            for (int i = 0; i < 16; i++)
                a[i] = (uint8_t)rng();
            sibling(a, b, k, 128);
            ft_cryptopan_v6(cp, a, ea);
            ft_cryptopan_v6(cp, b, eb);
            bad6 += common_prefix(ea, eb, 128) != k || common_prefix(a, b, 128) != k;
        }
    }
    CHECK(bad4 == 0, "%u of %u IPv4 pairs lost their shared prefix length", bad4, runs);
    CHECK(bad6 == 0, "%u IPv6 pairs lost their shared prefix length", bad6);
    /* and it is no identity: the sample addresses all change */
    CHECK(ft_cryptopan_v4(cp, v4("10.0.0.1")) != v4("10.0.0.1"), "address changed");
}

int main(void)
{
    struct ft_err err;
    struct ft_cryptopan *cp = ft_cryptopan_new(sample_key, &err);
    CHECK(cp != NULL, "new: %s", err.msg);
    if (cp) {
        test_sample(cp);
        test_prefix_property(cp);
    }
    /* another key gives other addresses */
    uint8_t other[32];
    memcpy(other, sample_key, 32);
    other[31] ^= 1;
    struct ft_cryptopan *cp2 = ft_cryptopan_new(other, &err);
    if (cp && cp2)
        CHECK(ft_cryptopan_v4(cp, v4("128.11.68.132")) != ft_cryptopan_v4(cp2, v4("128.11.68.132")),
              "the pad half of the key matters");
    ft_cryptopan_free(cp2);
    ft_cryptopan_free(cp);
    return ft_test_report("test_cryptopan");
}
