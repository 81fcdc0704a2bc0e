/*
 * test_text.c - the text layer: formatters (checked against printf,
 * inet_ntop and strftime), the local-time cache across DST changes, symbol
 * tables, the print formats on hand-made flows (checked against lines of the
 * flow-tools golden outputs) and JSON/CSV.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "ft_test.h"
#include "text/ft_text.h"
#include "text/ft_sym.h"
#include "text/ft_print.h"
#include "text/ft_row.h"

/* xorshift: reproducible pseudo-random numbers. */
static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* ---- numbers -------------------------------------------------------------- */

static void test_numbers(void)
{
    char got[64], want[64];
    uint64_t edge[] = { 0, 1, 9, 10, 99, 100, 999, 1000, 9999, 10000, 65535, 99999999,
                        4294967295ULL, 4294967296ULL, 9999999999ULL, 10000000000ULL,
                        18446744073709551615ULL };
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        *ft_put_u64(got, edge[i]) = '\0';
        snprintf(want, sizeof want, "%llu", (unsigned long long)edge[i]);
        CHECK_EQ_S(got, want, "u64 edge");
    }
    unsigned bad32 = 0, bad64 = 0, badhex = 0;
    for (int i = 0; i < 200000; i++) {
        uint64_t v = rnd() >> (rnd() % 64);
        *ft_put_u64(got, v) = '\0';
        snprintf(want, sizeof want, "%llu", (unsigned long long)v);
        bad64 += strcmp(got, want) != 0;
        uint32_t w = (uint32_t)v;
        *ft_put_u32(got, w) = '\0';
        snprintf(want, sizeof want, "%lu", (unsigned long)w);
        bad32 += strcmp(got, want) != 0;
        int digits = (int)(rnd() % 9);
        *ft_put_hex(got, w, digits) = '\0';
        snprintf(want, sizeof want, "%.*lx", digits ? digits : 1, (unsigned long)w);
        badhex += strcmp(got, want) != 0;
    }
    CHECK_EQ_U(bad32, 0, "random u32 differing from printf");
    CHECK_EQ_U(bad64, 0, "random u64 differing from printf");
    CHECK_EQ_U(badhex, 0, "random hex differing from printf");
}

/* ---- addresses -------------------------------------------------------------- */

static void test_ipv4(void)
{
    char got[64];
    *ft_put_ipv4(got, 0x0a012042) = '\0';
    CHECK_EQ_S(got, "10.1.32.66", "ipv4");
    *ft_put_ipv4(got, 0) = '\0';
    CHECK_EQ_S(got, "0.0.0.0", "ipv4 zero");
    *ft_put_ipv4(got, 0xffffffff) = '\0';
    CHECK_EQ_S(got, "255.255.255.255", "ipv4 max");
    unsigned bad = 0;
    for (int i = 0; i < 100000; i++) {
        uint32_t a = (uint32_t)rnd();
        char want[32];
        struct in_addr in = { htonl(a) };
        inet_ntop(AF_INET, &in, want, sizeof want);
        *ft_put_ipv4(got, a) = '\0';
        bad += strcmp(got, want) != 0;
    }
    CHECK_EQ_U(bad, 0, "random ipv4 differing from inet_ntop");

    struct { uint32_t a; unsigned len; const char *want; } pfx[] = {
        { 0x0a000000, 8, "10/8" }, { 0xc0a80000, 24, "192.168/24" },
        { 0x0a012000, 24, "10.1.32/24" }, { 0, 0, "0/0" },
        { 0x0a012042, 24, "10.1.32.66/24" }, { 0x0a000001, 40, "10.0.0.1/0" },
        { 0xe0000005, 32, "224.0.0.5/32" },
    };
    for (size_t i = 0; i < sizeof pfx / sizeof pfx[0]; i++) {
        *ft_put_prefix(got, pfx[i].a, pfx[i].len) = '\0';
        CHECK_EQ_S(got, pfx[i].want, "prefix");
    }
}

static void check_ipv6(const uint8_t a[16], unsigned *bad)
{
    char got[64], want[64];
    inet_ntop(AF_INET6, a, want, sizeof want);
    *ft_put_ipv6(got, a) = '\0';
    if (strcmp(got, want) != 0) {
        if (*bad < 5)
            fprintf(stderr, "ipv6: got %s, want %s\n", got, want);
        (*bad)++;
    }
}

static void test_ipv6(void)
{
    unsigned bad = 0;
    /* Words drawn from {0, 1, 0xffff, random} give every zero-run shape. */
    for (int i = 0; i < 200000; i++) {
        uint8_t a[16];
        for (int w = 0; w < 8; w++) {
            uint16_t v;
            switch (rnd() % 4) {
            case 0: case 1: v = 0; break;
            case 2: v = (rnd() % 2) ? 1 : 0xffff; break;
            default: v = (uint16_t)rnd(); break;
            }
            a[2 * w] = (uint8_t)(v >> 8);
            a[2 * w + 1] = (uint8_t)v;
        }
        check_ipv6(a, &bad);
    }
    const char *special[] = { "::", "::1", "::2", "::ffff:10.1.2.3", "::10.1.2.3",
                              "2001:db8::1", "fe80::1:0:0:1", "1::", "1:0:0:2::3",
                              "0:0:1::", "::ffff:0:0" };
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        uint8_t a[16];
        inet_pton(AF_INET6, special[i], a);
        check_ipv6(a, &bad);
    }
    CHECK_EQ_U(bad, 0, "ipv6 differing from inet_ntop");
}

static void test_json_str(void)
{
    char got[128];
    const char in[] = "a\"b\\c\nd\te\x01" "f\xc3\xa9";
    *ft_put_json_str(got, in, sizeof in - 1) = '\0';
    CHECK_EQ_S(got, "\"a\\\"b\\\\c\\nd\\te\\u0001f\xc3\xa9\"", "json string");
}

static void test_columns(void)
{
    char buf[64], *p;
    p = ft_put_mem(buf, "abc", 3);
    p = ft_put_pad(buf, p, 6);
    *p = '\0';
    CHECK_EQ_S(buf, "abc   ", "pad");
    p = ft_put_mem(buf, "abcdefgh", 8);
    p = ft_put_pad(buf, p, 6);
    *p = '\0';
    CHECK_EQ_S(buf, "abcdefgh", "pad never cuts");
    p = ft_put_mem(buf, "abcdefgh", 8);
    p = ft_put_fit(buf, p, 6);
    *p = '\0';
    CHECK_EQ_S(buf, "abcdef", "fit cuts");
    p = ft_put_u32(buf, 42);
    p = ft_put_right(buf, p, 5);
    *p = '\0';
    CHECK_EQ_S(buf, "   42", "right");
}

/* ---- time ------------------------------------------------------------------ */

static void strftime_ms(char *buf, size_t size, const char *fmt, uint64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    char base[64];
    strftime(base, sizeof base, fmt, &tm);
    snprintf(buf, size, "%.40s.%03u", base, (unsigned)(ms % 1000));
}

/* Random times in a span, and every second around given instants. */
static unsigned compare_zone(const char *tz, int64_t from, int64_t span)
{
    setenv("TZ", tz, 1);
    struct ft_clock clock;
    ft_clock_init(&clock);
    unsigned bad = 0;
    for (int i = 0; i < 300000; i++) {
        /* Mostly increasing times, as in a flow file, with jumps back. */
        uint64_t ms = (uint64_t)(from * 1000 + (int64_t)(rnd() % (uint64_t)(span * 1000)));
        if (i % 3 == 0)
            ms = (uint64_t)from * 1000 + (uint64_t)i * (uint64_t)span * 1000 / 300000;
        char got[64], want[64];
        *ft_put_time_mmdd(got, &clock, ms) = '\0';
        strftime_ms(want, sizeof want, "%m%d.%H:%M:%S", ms);
        if (strcmp(got, want) != 0 && bad++ < 3)
            fprintf(stderr, "%s %llu: got %s, want %s\n", tz, (unsigned long long)ms, got, want);
        *ft_put_time_ymd(got, &clock, ms) = '\0';
        strftime_ms(want, sizeof want, "%Y-%m-%d %H:%M:%S", ms);
        if (strcmp(got, want) != 0 && bad++ < 3)
            fprintf(stderr, "%s %llu: got %s, want %s\n", tz, (unsigned long long)ms, got, want);
    }
    return bad;
}

static void test_time(void)
{
    char got[64];
    setenv("TZ", "UTC", 1);
    struct ft_clock clock;
    ft_clock_init(&clock);
    *ft_put_time_mmdd(got, &clock, 1710406818867ULL) = '\0';
    CHECK_EQ_S(got, "0314.09:00:18.867", "mmdd");
    *ft_put_time_ymd(got, &clock, 1710406818007ULL) = '\0';
    CHECK_EQ_S(got, "2024-03-14 09:00:18.007", "ymd");

    /* Two years around DST changes, in zones with odd offsets and
     * half-hour DST (Lord Howe). */
    int64_t from = 1700000000, span = 2 * 366 * 86400;
    CHECK_EQ_U(compare_zone("UTC", from, span), 0, "UTC vs strftime");
    CHECK_EQ_U(compare_zone("America/New_York", from, span), 0, "New York vs strftime");
    CHECK_EQ_U(compare_zone("Australia/Lord_Howe", from, span), 0, "Lord Howe vs strftime");
    CHECK_EQ_U(compare_zone("Asia/Kathmandu", 0, 40LL * 365 * 86400), 0, "Kathmandu vs strftime");
    CHECK_EQ_U(compare_zone("Europe/Berlin", 1711846800 - 3600, 7200), 0,
               "every second around a DST change");
    CHECK_EQ_U(compare_zone("EST5EDT,M3.2.0/2,M11.1.0/2", from, span), 0, "POSIX TZ string");
    setenv("TZ", "UTC", 1);
    tzset();
}

/* ---- symbols ---------------------------------------------------------------- */

static void test_sym(void)
{
    const char text[] =
        "# comment line\n"
        "6 tcp\n"
        "17\tudp  \n"
        "0x10 sixteen\n"
        "\n"
        "   # indented comment\n"
        "bogus line\n"
        "6 tcp-again\n"
        "70000 big\n"
        "0xFFFFFFFF all-ones\n"
        "   80    http\r\n"
        "99999999999 too-big\n"
        "12\n"
        "010 eight\n"
        "09 not-octal\n"
        "5 two words # not a comment\n"
        "81 HTTP";
    struct ft_err err;
    struct ft_sym *s = ft_sym_parse(text, sizeof text - 1, "test", 0, &err);
    CHECK(s != NULL, "parse: %s", err.msg);
    if (!s)
        return;
    CHECK_EQ_S(ft_sym_name(s, 6), "tcp-again", "last duplicate wins");
    CHECK_EQ_S(ft_sym_name(s, 17), "udp", "tab, trailing blanks");
    CHECK_EQ_S(ft_sym_name(s, 16), "sixteen", "hex value");
    CHECK_EQ_S(ft_sym_name(s, 8), "eight", "octal value");
    CHECK_EQ_S(ft_sym_name(s, 80), "http", "leading blanks, CRLF");
    CHECK_EQ_S(ft_sym_name(s, 5), "two words # not a comment", "name is the rest of the line");
    CHECK_EQ_S(ft_sym_name(s, 0xffffffffu), "all-ones", "max value");
    CHECK_EQ_S(ft_sym_name(s, 70000), "big", "beyond 16 bits");
    CHECK(ft_sym_name(s, 7) == NULL, "absent value");
    CHECK_EQ_U(ft_sym_count(s), 9, "entries");
    CHECK_EQ_U(ft_sym_refused(s), 4, "bad lines refused");
    CHECK_EQ_S(ft_sym_problem(s), "test:7: bad value", "first problem");
    uint32_t v = 0;
    CHECK(ft_sym_value(s, "udp", &v) == 0 && v == 17, "name -> value");
    CHECK(ft_sym_value(s, "http", &v) == 0 && v == 81, "name given twice: last line");
    CHECK(ft_sym_value(s, "tcp", &v) == 0 && v == 6, "overridden value keeps its old name");
    CHECK(ft_sym_value(s, "nope", &v) == -1, "unknown name");
    CHECK(ft_sym_value(s, "UDP", &v) == 0 && v == 17, "names are case-insensitive");

    char buf[32];
    size_t n = ft_sym_format(s, 16, buf, 5);
    CHECK(n == 4 && memcmp(buf, "sixt", 4) == 0, "name cut to size-1");
    n = ft_sym_format(s, 1234, buf, 5);
    CHECK(n == 4 && memcmp(buf, "1234", 4) == 0, "decimal when absent");
    n = ft_sym_format(NULL, 4294967295u, buf, 5);
    CHECK(n == 10 && memcmp(buf, "4294967295", 10) == 0, "decimal without table");
    ft_sym_free(s);

    struct ft_sym *lim = ft_sym_parse(text, sizeof text - 1, "test", 2, &err);
    CHECK(lim && ft_sym_count(lim) == 2, "limit keeps 2 entries");
    CHECK(lim && ft_sym_refused(lim) == 12, "limit refuses the rest: %zu", ft_sym_refused(lim));
    ft_sym_free(lim);

    struct ft_sym *empty = ft_sym_parse("", 0, "empty", 0, &err);
    CHECK(empty && ft_sym_count(empty) == 0 && ft_sym_name(empty, 0) == NULL, "empty table");
    CHECK(empty && ft_sym_problem(empty) == NULL, "no problem");
    ft_sym_free(empty);

    char dir[4096];
    snprintf(dir, sizeof dir, "%s/compat/sym", ft_test_shared());
    struct ft_sym *ports = ft_sym_open(dir, FT_SYM_TCP_PORT, &err);
    CHECK(ports != NULL, "open tcp-port.sym: %s", ports ? "" : err.msg);
    CHECK_EQ_S(ft_sym_name(ports, 53), "domain", "tcp-port.sym 53");
    ft_sym_free(ports);
    struct ft_sym *tags = ft_sym_open(dir, FT_SYM_TAG, &err);
    CHECK(tags && ft_sym_value(tags, "ALPHANET", &v) == 0 && v == 0xfbf0, "tag.sym by name");
    ft_sym_free(tags);
    CHECK(ft_sym_open("/nonexistent", FT_SYM_ASN, &err) == NULL &&
          strstr(err.msg, "/nonexistent/asn.sym"), "missing table names its path: %s", err.msg);
    /* the environment is the programs' business, not the library's */
    setenv("FTKIT_SYMDIR", dir, 1);
    char path[4096];
    CHECK_EQ_S(ft_sym_path(NULL, FT_SYM_ASN, path, sizeof path), FT_SYM_DEFAULT_DIR "/asn.sym",
               "FTKIT_SYMDIR is not read by ftlib");
    unsetenv("FTKIT_SYMDIR");
}

/* ---- print formats -------------------------------------------------------------- */

/* What was written to out, a tmpfile, as a string (malloc'd); out and tmp
 * are closed. */
static char *read_back(struct ft_out *out, FILE *tmp)
{
    ft_out_flush(out);
    ft_out_free(out);
    long len = ftell(tmp);
    char *s = calloc(1, (size_t)len + 1);
    rewind(tmp);
    if (fread(s, 1, (size_t)len, tmp) != (size_t)len)
        s[0] = '\0';
    fclose(tmp);
    return s;
}

/* Print flows with opts into a string (malloc'd). */
static char *print_to_string(struct ft_print_opts *opts, const struct ft_format *fmt,
                             const struct ft_flow *f, size_t n, int with_head)
{
    FILE *tmp = tmpfile();
    struct ft_out out;
    ft_out_init(&out, fileno(tmp), 0);
    enum ft_print_error why;
    struct ft_err err;
    struct ft_printer *pr = ft_printer_new(opts, fmt, &why, &err);
    if (!pr) {
        fclose(tmp);
        ft_out_free(&out);
        return NULL;
    }
    if (with_head)
        ft_print_begin(pr, &out, NULL);
    ft_print_flows(pr, &out, f, n);
    ft_printer_free(pr);
    return read_back(&out, tmp);
}

/* Line `lineno` (1-based) of a golden output, with its newline. */
static char *golden_line(const char *name, int lineno)
{
    char path[4096], line[4096];
    snprintf(path, sizeof path, "%s/compat/expected/print/%s", ft_test_shared(), name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *got = NULL;
    for (int i = 1; fgets(line, sizeof line, f); i++)
        if (i == lineno) {
            got = strdup(line);
            break;
        }
    fclose(f);
    return got;
}

/* The first flow of inputs/v5.ft (and v7.ft), by hand. */
static void first_flow(struct ft_flow *f)
{
    memset(f, 0, sizeof *f);
    f->has = ft_format_find(7, 0)->mask | FT_F_TIMES;
    ft_ip_set4(&f->srcaddr, 0xac10230f);        /* 172.16.35.15 */
    ft_ip_set4(&f->dstaddr, 0xc6130035);        /* 198.19.0.53 */
    ft_ip_set4(&f->exaddr, 0x7f000001);
    ft_ip_set4(&f->router_sc, 0x0aff0009);      /* 10.255.0.9 */
    ft_ip_set4(&f->nexthop, 0);
    ft_ip_set4(&f->peer_nexthop, 0);
    f->input = 12;
    f->output = 2;
    f->srcport = 64756;
    f->dstport = 53;
    f->prot = 17;
    f->dpkts = 1;
    f->doctets = 66;
    f->src_mask = 22;
    f->dst_mask = 21;
    f->src_as = 0;
    f->dst_as = 64500;
    f->unix_secs = 1710406900;
    f->sysuptime = 100000;
    f->first = 100000 - 81133;  /* 09:00:18.867 */
    f->last = f->first + 11;
    ft_flow_set_times(f);
}

static void check_golden(const char *file, int lineno, struct ft_print_opts *o,
                         const struct ft_format *fmt, const struct ft_flow *f)
{
    char *want = golden_line(file, lineno);
    char *got = print_to_string(o, fmt, f, 1, 0);
    CHECK(want != NULL, "golden file %s", file);
    if (want)
        CHECK_EQ_S(got, want, file);
    free(want);
    free(got);
}

static void test_formats(void)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/compat/sym", ft_test_shared());
    setenv("TZ", "UTC", 1);
    const struct ft_format *v5 = ft_format_find(5, 0), *v7 = ft_format_find(7, 0);
    struct ft_flow f;
    first_flow(&f);
    struct ft_print_opts o = { .format = 5, .comment = '#', .symdir = dir };
    check_golden("print_v5_f5.out", 3, &o, v5, &f);
    o.format = 0;
    check_golden("print_v5_f0.out", 2, &o, v5, &f);
    o.format = 3;
    check_golden("print_v5_f3.out", 2, &o, v5, &f);
    o.names = 1;
    check_golden("print_v5_f3_names.out", 2, &o, v5, &f);
    o.wide = 1;
    check_golden("print_v5_f3_names_wide.out", 2, &o, v5, &f);
    o.format = 4;
    o.wide = 0;
    check_golden("print_v5_f4_names.out", 2, &o, v5, &f);
    o.names = 0;
    o.wide = 1;
    check_golden("print_v5_f4_wide.out", 2, &o, v5, &f);
    o.wide = 0;
    o.format = 6;
    check_golden("print_v5_f6.out", 2, &o, v5, &f);
    o.format = 24;
    check_golden("print_v7_f24.out", 3, &o, v7, &f);
    o.format = 7;
    o.names = 1;
    check_golden("print_v7_f7_names.out", 2, &o, v7, &f);

    /* Format 1: two lines and a blank one. */
    o.format = 1;
    o.names = 0;
    char *got = print_to_string(&o, v5, &f, 1, 0);
    char *l4 = golden_line("print_v5_f1.out", 4), *l5 = golden_line("print_v5_f1.out", 5);
    char want[512];
    snprintf(want, sizeof want, "%s%s\n", l4 ? l4 : "", l5 ? l5 : "");
    CHECK_EQ_S(got, want, "format 1");
    free(got);
    free(l4);
    free(l5);

    /* Bogus flows (no packets) are left out of format 1 only. */
    f.dpkts = 0;
    got = print_to_string(&o, v5, &f, 1, 0);
    CHECK_EQ_S(got, "", "format 1 skips dPkts=0");
    free(got);
    o.format = 3;
    got = print_to_string(&o, v5, &f, 1, 0);
    CHECK(got && strlen(got) > 0, "format 3 prints dPkts=0");
    free(got);

    /* The stream must carry what the format needs. */
    enum ft_print_error why = 0;
    struct ft_err err;
    o.format = 24;
    CHECK(ft_printer_new(&o, v5, &why, &err) == NULL && why == FT_PRINT_EFIELDS,
          "format 24 refuses v5");
    o.format = 25;
    CHECK(ft_printer_new(&o, v5, &why, &err) == NULL && why == FT_PRINT_ENOFORMAT,
          "format 25 does not exist");
    CHECK_EQ_S(err.msg, "No such format, 25", "format 25: the message");
    o.format = 24;
    ft_printer_new(&o, v5, &why, &err);
    CHECK_EQ_S(err.msg, "Flow record missing required field for format.",
               "format 24 on v5: the message");
    CHECK_EQ_U(ft_print_default_format(ft_format_find(8, 13)), 22, "default of v8.13");
    CHECK_EQ_U(ft_print_default_format(ft_format_find(1005, 0)), 9, "default of v1005");
    CHECK_EQ_U(ft_print_default_format(ft_format_find(6, 0)), 8, "default of v6");
}

/* Format 2 has no flows in the golden cases: check it against the printf
 * formats of print-formats.md on random SYN probes. */
static void test_format2(void)
{
    setenv("TZ", "UTC", 1);
    const struct ft_format *v5 = ft_format_find(5, 0);
    struct ft_print_opts o = { .format = 2, .comment = '#' };
    unsigned bad = 0;
    for (int i = 0; i < 200; i++) {
        struct ft_flow f;
        first_flow(&f);
        f.prot = 6;
        f.tcp_flags = 0x02;
        f.dpkts = 2;
        f.doctets = 80;
        f.input = (uint32_t)(rnd() % 300);
        f.output = (uint32_t)(rnd() % 70000);
        f.srcport = (uint16_t)rnd();
        f.dstport = (uint16_t)(rnd() % 100);
        f.tos = (uint8_t)rnd();
        ft_ip_set4(&f.srcaddr, (uint32_t)rnd());
        f.last = f.first + (uint32_t)(rnd() % 2000000);
        ft_flow_set_times(&f);
        char src[16], dst[16], want[512];
        struct in_addr a = { htonl(f.srcaddr.v4) }, b = { htonl(f.dstaddr.v4) };
        inet_ntop(AF_INET, &a, src, sizeof src);
        inet_ntop(AF_INET, &b, dst, sizeof dst);
        time_t t0 = (time_t)(f.start_ms / 1000), t1 = (time_t)(f.end_ms / 1000);
        struct tm s, e;
        gmtime_r(&t0, &s);
        gmtime_r(&t1, &e);
        uint32_t act = f.last - f.first;
        snprintf(want, sizeof want,
                 "%2.2x  %-15.15s  %2.2x  %-15.15s %2.2x %-4x %-4x %-10lu %-10lu\n"
                 " %-2.2d%-2.2d.%-2.2d:%-2.2d:%-2.2d.%-3.3lu  "
                 "%-2.2d%-2.2d.%-2.2d:%-2.2d:%-2.2d.%-3.3lu  %5lu.%-3.3lu %-3lu %2.2x %2.2x\n\n",
                 (unsigned)f.input, src, (unsigned)f.output, dst, (unsigned)f.prot,
                 (unsigned)f.srcport, (unsigned)f.dstport, (unsigned long)f.dpkts,
                 (unsigned long)f.doctets, s.tm_mon + 1, s.tm_mday, s.tm_hour, s.tm_min,
                 s.tm_sec, (unsigned long)(f.start_ms % 1000), e.tm_mon + 1, e.tm_mday,
                 e.tm_hour, e.tm_min, e.tm_sec, (unsigned long)(f.end_ms % 1000),
                 (unsigned long)(act / 1000), (unsigned long)(act % 1000),
                 (unsigned long)(f.doctets / f.dpkts), (unsigned)f.tos, (unsigned)f.tcp_flags);
        char *got = print_to_string(&o, v5, &f, 1, 0);
        if (!got || strcmp(got, want) != 0) {
            if (bad++ < 2)
                fprintf(stderr, "format 2:\n got %s\nwant %s\n", got ? got : "", want);
        }
        free(got);
        f.dpkts = 3;            /* not a probe: nothing printed */
        got = print_to_string(&o, v5, &f, 1, 0);
        bad += !got || got[0] != '\0';
        free(got);
    }
    CHECK_EQ_U(bad, 0, "format 2 lines differing from the printf formats");
}

/* ---- JSON and CSV ------------------------------------------------------------------ */

static void test_json_csv(void)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    f.has = FT_F_EXADDR | FT_F_EXPORT_INFO | FT_F_SRCADDR | FT_F_DSTADDR | FT_F_DPKTS |
            FT_F_DOCTETS | FT_F_PROT | FT_F_ABS_TIMES | FT_F_TIMES | FT_F_SRC_VLAN |
            FT_F_SOURCE_ID;
    ft_ip_set4(&f.exaddr, 0x7f000001);
    f.exporter_port = 52466;
    f.export_version = 10;
    f.sequence = 7;
    f.template_id = 1024;
    f.source_id = 6;
    f.srcaddr.af = FT_AF_INET6;
    inet_pton(AF_INET6, "2001:db8::1", f.srcaddr.v6);
    ft_ip_set4(&f.dstaddr, 0xc6130046);
    f.dpkts = 7;
    f.doctets = 5174;
    f.prot = 6;
    f.start_ms = 1710406815418ULL;
    f.end_ms = 1710406815442ULL;
    f.start_ns = 5;
    f.src_vlan = 12;
    struct ft_print_opts o = { .format = FT_PRINT_JSON };
    char *got = print_to_string(&o, ft_format_find(FT_DV_EXTENDED, 0), &f, 1, 1);
    const char *want =
        "{\"exporter\":\"127.0.0.1\",\"exporter_port\":52466,\"version\":10,\"sequence\":7,"
        "\"source_id\":6,\"engine_type\":null,\"engine_id\":null,\"sys_uptime\":null,"
        "\"unix_secs\":null,\"unix_nsecs\":null,\"flowset_id\":1024,"
        "\"srcaddr\":\"2001:db8::1\",\"dstaddr\":\"198.19.0.70\",\"nexthop\":null,"
        "\"bgp_nexthop\":null,\"srcport\":null,\"dstport\":null,\"icmp_type\":null,"
        "\"icmp_code\":null,\"proto\":6,\"tos\":null,\"tcp_flags\":null,\"input\":null,"
        "\"output\":null,\"packets\":7,\"octets\":5174,\"time_base\":\"epoch_ms\","
        "\"first\":1710406815418,\"last\":1710406815442,\"first_ns\":1710406815418000005,"
        "\"last_ns\":1710406815442000000,\"src_as\":null,\"dst_as\":null,\"src_mask\":null,"
        "\"dst_mask\":null,\"ip_version\":null,\"direction\":null,\"sampling_interval\":null,"
        "\"sampling_algorithm\":null,\"sampler_id\":null,\"src_vlan\":12,"
        "\"start_ms\":1710406815418,\"end_ms\":1710406815442}\n";
    CHECK_EQ_S(got, want, "json line");
    free(got);

    o.format = FT_PRINT_CSV;
    got = print_to_string(&o, ft_format_find(FT_DV_EXTENDED, 0), &f, 1, 1);
    const char *head =
        "exporter,exporter_port,version,sequence,source_id,engine_type,engine_id,"
        "sys_uptime,unix_secs,unix_nsecs,flowset_id,srcaddr,dstaddr,nexthop,bgp_nexthop,"
        "srcport,dstport,icmp_type,icmp_code,proto,tos,tcp_flags,input,output,packets,"
        "octets,time_base,first,last,first_ns,last_ns,src_as,dst_as,src_mask,dst_mask,"
        "ip_version,direction,sampling_interval,sampling_algorithm,sampler_id,dflows,"
        "peer_nexthop,router_sc,extra_pkts,marked_tos,in_encaps,out_encaps,src_tag,"
        "dst_tag,src_vlan,dst_vlan,flow_label,start_ms,end_ms\n";
    const char *row =
        "127.0.0.1,52466,10,7,6,,,,,,1024,2001:db8::1,198.19.0.70,,,,,,,6,,,,,7,5174,"
        "epoch_ms,1710406815418,1710406815442,1710406815418000005,1710406815442000000,"
        ",,,,,,,,,,,,,,,,,,12,,,1710406815418,1710406815442\n";
    char want_csv[2048];
    snprintf(want_csv, sizeof want_csv, "%s%s", head, row);
    CHECK_EQ_S(got, want_csv, "csv");
    free(got);

    /* A v5 flow from a flow-tools stream: uptime time base. */
    first_flow(&f);
    o.format = FT_PRINT_JSON;
    got = print_to_string(&o, ft_format_find(5, 0), &f, 1, 0);
    CHECK(got && strstr(got, "\"time_base\":\"sysuptime_ms\",\"first\":18867,\"last\":18878,"
                             "\"first_ns\":null,\"last_ns\":null,"), "uptime times: %s", got ? got : "");
    CHECK(got && strstr(got, "\"exporter_port\":null,\"version\":null,\"sequence\":null"),
          "no export info");
    CHECK(got && strstr(got, "\"start_ms\":1710406818867,\"end_ms\":1710406818878}\n"),
          "absolute times last");
    free(got);
}

/* ---- rows of chosen fields, and the keys of the field table ----------------------- */

/* Column c (0-based) of a CSV line, or "" when there is no such column. */
static const char *csv_column(const char *line, int c, char *buf, size_t size)
{
    for (; c > 0 && line; c--)
        if ((line = strchr(line, ',')))
            line++;
    size_t n = line ? strcspn(line, ",\n") : 0;
    if (n >= size)
        n = size - 1;
    memcpy(buf, line ? line : "", n);
    buf[n] = '\0';
    return buf;
}

/* flow-print's CSV columns are the JSON keys of the field table, each
 * once, and the printer's own time_base, first_ns and last_ns. */
static void test_print_keys(void)
{
    FILE *tmp = tmpfile();
    struct ft_out out;
    ft_out_init(&out, fileno(tmp), 0);
    ft_row_print_head(&out);
    char *head = read_back(&out, tmp);
    unsigned keys = 0, missing = 0, twice = 0;
    for (int i = 0; i < FT_NFIELDS; i++) {
        const char *k = ft_fields[i].json;
        if (!k)
            continue;
        keys++;
        char col[64];
        int found = 0;
        for (int c = 0; *csv_column(head, c, col, sizeof col); c++)
            found += strcmp(col, k) == 0;
        missing += found == 0;
        twice += found > 1;
        if (found != 1)
            fprintf(stderr, "key %s: %d columns\n", k, found);
    }
    CHECK_EQ_U(missing, 0, "JSON keys of the field table missing from flow-print's columns");
    CHECK_EQ_U(twice, 0, "JSON keys printed twice");
    char col[64];
    int n = 0;
    while (*csv_column(head, n, col, sizeof col))
        n++;
    CHECK_EQ_U(n, keys + 3, "columns: the table's keys and time_base, first_ns, last_ns");
    CHECK(strstr(head, ",time_base,first,last,first_ns,last_ns,") != NULL, "time columns");
    free(head);
}

static void test_row_cols(void)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    f.has = FT_F_SRCADDR | FT_F_DSTPORT | FT_F_DPKTS | FT_F_TIMES;
    f.srcaddr.af = FT_AF_INET6;
    inet_pton(AF_INET6, "2001:db8::7", f.srcaddr.v6);
    f.dstport = 443;
    f.dpkts = 5000000000ULL;
    f.start_ns = 999999;
    f.src_as = 64500;           /* no has bit: not there */
    const enum ft_field_id ids[] = {FT_FLD_SRCADDR, FT_FLD_DSTPORT, FT_FLD_START_NS,
                                    FT_FLD_SRC_AS, FT_FLD_DPKTS, FT_FLD_NEXTHOP};
    struct ft_row_cols c;
    struct ft_err err;
    char line[FT_OUT_MAX_LINE];
    CHECK(ft_row_cols_init(&c, FT_ROW_JSON, ids, 6, &err) == 0, "json columns: %s", err.msg);
    *ft_row_cols_put(line, &c, &f) = '\0';
    CHECK_EQ_S(line, "{\"srcaddr\":\"2001:db8::7\",\"dstport\":443,\"start_ns\":999999,"
               "\"src_as\":null,\"packets\":5000000000,\"nexthop\":null}\n", "json row");

    CHECK(ft_row_cols_init(&c, FT_ROW_CSV, ids, 6, &err) == 0, "csv columns: %s", err.msg);
    FILE *tmp = tmpfile();
    struct ft_out out;
    ft_out_init(&out, fileno(tmp), 0);
    ft_row_cols_head(&out, &c);
    char *p = ft_out_reserve(&out, FT_OUT_MAX_LINE);
    ft_out_commit(&out, ft_row_cols_put(p, &c, &f));
    char *got = read_back(&out, tmp);
    CHECK_EQ_S(got, "srcaddr,dstport,start_ns,src_as,packets,nexthop\n"
               "2001:db8::7,443,999999,,5000000000,\n", "csv head and row");
    free(got);

    const enum ft_field_id one[] = {FT_FLD_PROT};
    CHECK(ft_row_cols_init(&c, FT_ROW_CSV, one, 1, &err) == 0, "one column");
    *ft_row_cols_put(line, &c, &f) = '\0';
    CHECK_EQ_S(line, "\n", "a flow without the field: an empty cell");

    const enum ft_field_id twice[] = {FT_FLD_PROT, FT_FLD_TOS, FT_FLD_PROT};
    CHECK(ft_row_cols_init(&c, FT_ROW_JSON, twice, 3, &err) < 0 &&
          strcmp(err.msg, "field prot given twice") == 0, "a field twice: %s", err.msg);
    const enum ft_field_id bad[] = {FT_NFIELDS};
    CHECK(ft_row_cols_init(&c, FT_ROW_JSON, bad, 1, &err) < 0, "no such field");
    CHECK(ft_row_cols_init(&c, FT_ROW_JSON, ids, 0, &err) < 0, "no fields");

    /* every field at once fits in one line */
    enum ft_field_id all[FT_NFIELDS];
    for (int i = 0; i < FT_NFIELDS; i++)
        all[i] = (enum ft_field_id)i;
    memset(&f, 0xff, sizeof f);
    f.exaddr.af = f.srcaddr.af = f.dstaddr.af = f.nexthop.af = FT_AF_INET6;
    f.peer_nexthop.af = f.router_sc.af = f.bgp_nexthop.af = FT_AF_INET6;
    CHECK(ft_row_cols_init(&c, FT_ROW_JSON, all, FT_NFIELDS, &err) == 0, "all fields");
    size_t len = (size_t)(ft_row_cols_put(line, &c, &f) - line);
    CHECK(len < FT_OUT_MAX_LINE / 2, "all fields: %zu bytes", len);
}

int main(void)
{
    test_numbers();
    test_ipv4();
    test_ipv6();
    test_json_str();
    test_columns();
    test_time();
    test_sym();
    test_formats();
    test_format2();
    test_json_csv();
    test_print_keys();
    test_row_cols();
    return ft_test_report("test_text");
}
