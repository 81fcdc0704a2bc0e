/*
 * test_capfile.c - capture file names, rotation schedule, expiry, and the
 * localip/remoteip/port argument with its allow-list and privacy mask.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "ft_test.h"
#include "net/ft_addrspec.h"
#include "net/ft_capfile.h"
#include "net/ft_capwriter.h"
#include "ft_collect.h"
#include "ft_prog.h"
#include "stream/ft_flowq.h"
#include "net/ft_udp.h"
#include "stream/ft_format.h"
#include "stream/ft_stream.h"

static void set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

/* Seconds since 1970 of a UTC date. */
static time_t utc(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
                    .tm_hour = h, .tm_min = mi, .tm_sec = s};
    return timegm(&tm);
}

static const struct ft_format *fmt_of(const char *spec)
{
    const struct ft_format *f = ft_format_parse(spec);
    if (!f)
        fprintf(stderr, "format %s unknown\n", spec);
    return f;
}

static void test_names(void)
{
    char buf[FT_CAPFILE_PATH_MAX], fin[FT_CAPFILE_PATH_MAX];
    const struct ft_format *v5 = fmt_of("5"), *v8 = fmt_of("8.1"), *v1005 = fmt_of("1005");
    if (!v5 || !v8 || !v1005)
        return;
    set_tz("America/New_York");
    /* the example of tools.md 1.1: 02:55:01 EST is 07:55:01 UTC */
    time_t t = utc(2026, 11, 22, 7, 55, 1);
    CHECK(ft_capfile_path(buf, sizeof buf, 3, v5, t, 1) > 0, "path");
    CHECK_EQ_S(buf, "2026/2026-11/2026-11-22/tmp-v05.2026-11-22.025501-0500", "nest 3 tmp");
    CHECK(ft_capfile_final_path(buf, fin, sizeof fin) > 0, "final");
    CHECK_EQ_S(fin, "2026/2026-11/2026-11-22/ft-v05.2026-11-22.025501-0500", "final name");
    ft_capfile_path(buf, sizeof buf, 0, v5, t, 0);
    CHECK_EQ_S(buf, "ft-v05.2026-11-22.025501-0500", "nest 0");
    ft_capfile_path(buf, sizeof buf, 1, v5, t, 0);
    CHECK_EQ_S(buf, "2026/ft-v05.2026-11-22.025501-0500", "nest 1");
    ft_capfile_path(buf, sizeof buf, 2, v5, t, 0);
    CHECK_EQ_S(buf, "2026/2026-11/ft-v05.2026-11-22.025501-0500", "nest 2");
    ft_capfile_path(buf, sizeof buf, -1, v5, t, 0);
    CHECK_EQ_S(buf, "2026-11-22/ft-v05.2026-11-22.025501-0500", "nest -1");
    ft_capfile_path(buf, sizeof buf, -2, v5, t, 0);
    CHECK_EQ_S(buf, "2026-11/2026-11-22/ft-v05.2026-11-22.025501-0500", "nest -2");
    ft_capfile_path(buf, sizeof buf, -3, v5, t, 0);
    CHECK_EQ_S(buf, "2026/2026-11/2026-11-22/ft-v05.2026-11-22.025501-0500", "nest -3");
    CHECK(ft_capfile_path(buf, sizeof buf, 4, v5, t, 0) < 0, "nest 4 refused");
    /* summer time: -0400 */
    ft_capfile_path(buf, sizeof buf, 0, v5, utc(2026, 7, 1, 12, 0, 0), 0);
    CHECK_EQ_S(buf, "ft-v05.2026-07-01.080000-0400", "EDT offset");
    ft_capfile_path(buf, sizeof buf, 0, v8, t, 1);
    CHECK_EQ_S(buf, "tmp-v08m01.2026-11-22.025501-0500", "v8 name");
    ft_capfile_path(buf, sizeof buf, 0, v1005, t, 1);
    CHECK_EQ_S(buf, "tmp-v1005.2026-11-22.025501-0500", "v1005 name");
    set_tz("Asia/Kolkata");
    ft_capfile_path(buf, sizeof buf, 0, v5, utc(2024, 3, 14, 9, 20, 3), 0);
    CHECK_EQ_S(buf, "ft-v05.2024-03-14.145003+0530", "positive half-hour offset");
    set_tz("UTC");
    ft_capfile_path(buf, sizeof buf, 0, v5, utc(2024, 3, 14, 9, 20, 3), 0);
    CHECK_EQ_S(buf, "ft-v05.2024-03-14.092003+0000", "UTC name");
    CHECK(ft_capfile_final_path("2024/ft-v05.x", fin, sizeof fin) < 0, "final of a non-tmp");
    CHECK(ft_capfile_path(buf, 10, 3, v5, t, 1) < 0, "too small a buffer");
}

static void test_rotation(void)
{
    set_tz("UTC");
    time_t midnight = utc(2024, 3, 14, 0, 0, 0);
    CHECK_EQ_U(ft_capfile_interval(95), 900, "95 rotations");
    CHECK_EQ_U(ft_capfile_interval(0), 86400, "0 rotations");
    CHECK_EQ_U(ft_capfile_interval(1439), 60, "1439 rotations");
    CHECK_EQ_U(ft_capfile_next_rotation(midnight + 100, 95) - midnight, 900, "first slot");
    CHECK_EQ_U(ft_capfile_next_rotation(midnight + 900, 95) - midnight, 1800, "on a boundary");
    CHECK_EQ_U(ft_capfile_next_rotation(midnight + 86399, 95) - midnight, 86400, "last slot");
    CHECK_EQ_U(ft_capfile_next_rotation(midnight + 5, 0) - midnight, 86400, "daily");
    CHECK_EQ_U(ft_capfile_next_rotation(midnight + 61, 1439) - midnight, 120, "every minute");
    /* 7 slots of 12342 s end at 86394 s: the next one is midnight, not 03:25 */
    CHECK_EQ_U(ft_capfile_next_rotation(midnight + 86396, 6) - midnight, 86400,
               "clamped to midnight");
    /* spring-forward day in New York has 23 hours: midnight to midnight */
    set_tz("America/New_York");
    time_t noon = utc(2026, 3, 8, 16, 0, 0);        /* 12:00 EDT */
    time_t next_midnight = utc(2026, 3, 9, 4, 0, 0); /* 00:00 EDT */
    CHECK_EQ_U(ft_capfile_next_rotation(noon, 0), next_midnight, "DST day, daily");
    /* slots count from local midnight (05:00 UTC before the change) */
    time_t early = utc(2026, 3, 8, 5, 10, 0);       /* 00:10 EST */
    CHECK_EQ_U(ft_capfile_next_rotation(early, 95), utc(2026, 3, 8, 5, 15, 0), "DST day slots");
    set_tz("UTC");
}

static void test_sizes(void)
{
    uint64_t v = 0;
    CHECK(ft_capfile_parse_size("10", &v) == 0 && v == 10, "plain");
    CHECK(ft_capfile_parse_size("0x10", &v) == 0 && v == 16, "hex");
    CHECK(ft_capfile_parse_size("010", &v) == 0 && v == 8, "octal");
    CHECK(ft_capfile_parse_size("3b", &v) == 0 && v == 1536, "512-byte blocks");
    CHECK(ft_capfile_parse_size("2K", &v) == 0 && v == 2048, "K");
    CHECK(ft_capfile_parse_size("3M", &v) == 0 && v == 3u << 20, "M");
    CHECK(ft_capfile_parse_size("5g", &v) == 0 && v == 5ull << 30, "g");
    CHECK(ft_capfile_parse_size("abc", &v) < 0, "letters");
    CHECK(ft_capfile_parse_size("1KB", &v) < 0, "two suffix letters");
    CHECK(ft_capfile_parse_size("1x", &v) < 0, "unknown suffix");
    CHECK(ft_capfile_parse_size("", &v) < 0, "empty");
    CHECK(ft_capfile_parse_size("99999999999999999999G", &v) < 0, "overflow");
}

static void make_file(const char *path, size_t bytes)
{
    FILE *f = fopen(path, "w");
    for (size_t i = 0; f && i < bytes; i++)
        fputc('x', f);
    if (f)
        fclose(f);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

struct removed {
    char names[16][256];
    int why[16];
    int errnum[16];
    int n;
};

static void on_remove(void *arg, const char *path, int why, int errnum)
{
    struct removed *r = arg;
    if (r->n < 16) {
        snprintf(r->names[r->n], sizeof r->names[0], "%s", path);
        r->why[r->n] = why;
        r->errnum[r->n] = errnum;
        r->n++;
    }
}

static void test_expiry(const char *dir)
{
    char p[8][512];
    struct ft_expiry x;
    struct removed r = {0};
    ft_expiry_init(&x, 3, 0);
    for (int i = 0; i < 5; i++) {
        snprintf(p[i], sizeof p[i], "%s/ft-%d", dir, i);
        make_file(p[i], 100 * (size_t)(i + 1));
        CHECK(ft_expiry_add(&x, p[i], 100 * (uint64_t)(i + 1), 1000 + (uint32_t)i, NULL) == 0,
              "add %d", i);
    }
    CHECK_EQ_U(x.total_bytes, 1500, "total bytes");
    CHECK_EQ_U(ft_expiry_run(&x, 0, 0, on_remove, &r), 2, "count expiry drops two");
    CHECK_EQ_U(r.n, 2, "callbacks");
    CHECK_EQ_S(r.names[0], p[0], "oldest first");
    CHECK_EQ_S(r.names[1], p[1], "then the next");
    CHECK(r.why[0] == 1 && r.errnum[0] == 0, "reason count, unlinked");
    CHECK(!exists(p[0]) && !exists(p[1]) && exists(p[2]), "files removed");
    CHECK_EQ_U(ft_expiry_count(&x), 3, "three left");
    CHECK_EQ_U(x.total_bytes, 1200, "bytes left");

    /* size: 1200 tracked + 400 current > 1000: drop p2 (300) then p3 (400) */
    x.max_bytes = 1000;
    memset(&r, 0, sizeof r);
    CHECK_EQ_U(ft_expiry_run(&x, 400, 1, on_remove, &r), 2, "size expiry, dry run");
    CHECK(r.why[0] == 2 && r.why[1] == 2, "reason size");
    CHECK(exists(p[2]) && exists(p[3]), "dry run keeps files");
    CHECK_EQ_U(ft_expiry_count(&x), 1, "dry run drops entries");
    CHECK_EQ_S(ft_expiry_get(&x, 0)->path, p[4], "newest kept");

    /* a file that vanished under us is dropped, with ENOENT reported */
    unlink(p[4]);
    x.max_files = 0;
    x.max_bytes = 1;
    memset(&r, 0, sizeof r);
    CHECK_EQ_U(ft_expiry_run(&x, 0, 0, on_remove, &r), 1, "vanished file");
    CHECK(r.errnum[0] == ENOENT, "ENOENT reported");
    CHECK_EQ_U(ft_expiry_count(&x), 0, "empty");
    CHECK_EQ_U(x.total_bytes, 0, "no bytes");

    /* the table limit refuses and counts */
    x.table_limit = 2;
    ft_expiry_add(&x, "a", 1, 1, NULL);
    ft_expiry_add(&x, "b", 1, 2, NULL);
    struct ft_err err;
    CHECK(ft_expiry_add(&x, "c", 1, 3, &err) < 0, "limit refuses");
    CHECK_EQ_U(x.refused, 1, "refused counted");
    /* many adds and drops reuse the front of the array */
    x.table_limit = 100;
    x.max_files = 5;
    x.max_bytes = 0;
    for (int i = 0; i < 1000; i++) {
        ft_expiry_add(&x, "zz-not-there", 1, 10 + (uint32_t)i, NULL);
        ft_expiry_run(&x, 0, 1, NULL, NULL);
    }
    CHECK_EQ_U(ft_expiry_count(&x), 5, "steady state");
    CHECK(x.cap <= 64, "array does not grow (cap %zu)", x.cap);
    ft_expiry_free(&x);
}

static void write_stream(const char *path, uint32_t cap_start)
{
    const struct ft_format *v5 = ft_format_parse("5");
    struct ft_header h;
    struct ft_write_opts o = {0};
    struct ft_err err;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || !v5)
        return;
    ft_header_init(&h, v5);
    ft_header_set_u32(&h, FT_TLV_CAP_START, cap_start);
    o.rewrite = 1;
    struct ft_writer *w = ft_writer_open(fd, path, &h, &o, &err);
    if (w)
        ft_writer_close(w, &err);
    close(fd);
}

struct notes {
    int n;
    char last[512];
};

static void on_note(void *arg, const char *path, const char *why)
{
    struct notes *n = arg;
    n->n++;
    snprintf(n->last, sizeof n->last, "%s", path);
    (void)why;
}

static void test_scan(const char *dir)
{
    char sub[512], a[600], b[600], c[600], junk[600], other[600];
    snprintf(sub, sizeof sub, "%s/scan/2024/2024-03", dir);
    struct ft_err err;
    snprintf(a, sizeof a, "%s/x", sub);
    CHECK(ft_capfile_mkdirs(a, &err) == 0, "mkdirs: %s", err.msg);
    snprintf(a, sizeof a, "%s/ft-v05.new", sub);
    snprintf(b, sizeof b, "%s/scan/tmp-v05.old", dir);
    snprintf(c, sizeof c, "%s/scan/2024/ft-v05.middle", dir);
    snprintf(junk, sizeof junk, "%s/scan/ft-junk", dir);
    snprintf(other, sizeof other, "%s/scan/README", dir);
    write_stream(a, 3000);
    write_stream(b, 1000);
    write_stream(c, 2000);
    make_file(junk, 10);
    make_file(other, 10);
    struct ft_expiry x;
    struct notes notes = {0};
    ft_expiry_init(&x, 0, 0);
    snprintf(sub, sizeof sub, "%s/scan", dir);
    CHECK(ft_expiry_scan(&x, sub, on_note, &notes, &err) == 0, "scan: %s", err.msg);
    CHECK_EQ_U(ft_expiry_count(&x), 3, "three capture files");
    if (ft_expiry_count(&x) == 3) {
        CHECK_EQ_S(ft_expiry_get(&x, 0)->path, b, "oldest capture start first");
        CHECK_EQ_S(ft_expiry_get(&x, 1)->path, c, "middle");
        CHECK_EQ_S(ft_expiry_get(&x, 2)->path, a, "newest");
        CHECK_EQ_U(ft_expiry_get(&x, 0)->start, 1000, "start from the header");
    }
    CHECK(notes.n == 1 && strstr(notes.last, "ft-junk"), "only ft-junk noted (%d, %s)",
          notes.n, notes.last);
    CHECK(ft_expiry_scan(&x, "/nonexistent/dir", NULL, NULL, &err) < 0, "missing dir");
    ft_expiry_free(&x);
    /* an empty tree: nothing tracked, nothing to sort */
    snprintf(sub, sizeof sub, "%s/empty", dir);
    mkdir(sub, 0755);
    ft_expiry_init(&x, 1, 0);
    CHECK(ft_expiry_scan(&x, sub, NULL, NULL, &err) == 0, "empty dir: %s", err.msg);
    CHECK_EQ_U(ft_expiry_count(&x), 0, "empty dir tracks nothing");
    CHECK_EQ_U(ft_expiry_run(&x, 0, 0, NULL, NULL), 0, "nothing to expire");
    ft_expiry_free(&x);
}

static void test_commit(const char *dir)
{
    char tmp[512], fin[512], used[512];
    struct ft_err err;
    snprintf(tmp, sizeof tmp, "%s/tmp-v05.c", dir);
    snprintf(fin, sizeof fin, "%s/ft-v05.c", dir);
    make_file(tmp, 5);
    CHECK(ft_capfile_commit(tmp, fin, used, sizeof used, &err) == 0, "commit: %s", err.msg);
    CHECK_EQ_S(used, fin, "plain name");
    CHECK(!exists(tmp) && exists(fin), "renamed");
    make_file(tmp, 7);
    CHECK(ft_capfile_commit(tmp, fin, used, sizeof used, &err) == 0, "commit 2: %s", err.msg);
    char want[600];
    snprintf(want, sizeof want, "%s.1", fin);
    CHECK_EQ_S(used, want, "numbered when the name exists");
    struct stat st;
    CHECK(stat(fin, &st) == 0 && st.st_size == 5, "first file not replaced");
    CHECK(ft_capfile_commit(tmp, fin, used, sizeof used, &err) < 0, "missing tmp file fails");
}

static void test_addrspec(void)
{
    struct ft_addrspec a;
    struct ft_err err;
    char s[FT_IP_STRLEN];
    CHECK(ft_addrspec_parse("0/0/0", 1, &a, &err) == 0, "0/0/0: %s", err.msg);
    CHECK(a.port == 9991 && a.local.af == FT_AF_NONE && a.remote.af == FT_AF_NONE, "defaults");
    CHECK(ft_addrspec_parse("", 1, &a, &err) == 0 && a.port == 9991, "empty");
    CHECK(ft_addrspec_parse("10/10.1/2055/7", 0, &a, &err) == 0, "partial quads");
    CHECK(a.local.af == FT_AF_INET && a.local.v4 == 0x0a000000, "10 = 10.0.0.0");
    CHECK(a.remote.v4 == 0x0a010000, "10.1 = 10.1.0.0");
    CHECK(a.port == 2055 && a.ttl == 7, "port and ttl");
    CHECK(ft_addrspec_parse("300.1.2.3//", 0, &a, &err) == 0 && a.local.v4 == 0x2c010203,
          "modulo 256");
    CHECK(ft_addrspec_parse("127.0.0.1/239.1.2.3/9991", 1, &a, &err) == 0, "multicast");
    CHECK(a.multicast && !a.source_specific, "multicast flag");
    CHECK_EQ_S(ft_ip_str(&a.group, s, sizeof s), "239.1.2.3", "group");
    CHECK_EQ_S(ft_ip_str(&a.remote, s, sizeof s), "127.0.0.1", "accepted source");
    CHECK(a.local.af == FT_AF_NONE, "bound to any");
    CHECK(ft_addrspec_parse("1.2.3.4/232.1.1.1/5", 1, &a, &err) == 0 && a.source_specific,
          "SSM");
    CHECK(ft_addrspec_parse("127.0.0.1/239.1.2.3/9991", 0, &a, &err) == 0 && !a.multicast,
          "senders keep roles");
    CHECK(ft_addrspec_parse("::1/::1/9995", 1, &a, &err) == 0, "IPv6: %s", err.msg);
    CHECK(a.local.af == FT_AF_INET6 && a.remote.af == FT_AF_INET6, "IPv6 families");
    CHECK_EQ_S(ft_ip_str(&a.remote, s, sizeof s), "::1", "IPv6 text");
    CHECK(ft_addrspec_parse("::/0/9995", 1, &a, &err) == 0 && a.local.af == FT_AF_INET6,
          "IPv6 any");
    CHECK(ft_addrspec_parse("localhost/0/1", 1, &a, &err) == 0 && !ft_ip_is_any(&a.local),
          "host name: %s", err.msg);
    CHECK(ft_addrspec_parse("0/0/70000", 1, &a, &err) < 0, "port too big");
    CHECK(ft_addrspec_parse("0/0/1/300", 0, &a, &err) < 0, "ttl too big");
    CHECK(ft_addrspec_parse("1/2/3/4/5", 0, &a, &err) < 0, "five parts");
    CHECK(ft_addrspec_parse("1.2.3.4.5/0/1", 0, &a, &err) < 0, "five quads");
    CHECK(ft_addrspec_parse("1.2.3.4/::1/1", 0, &a, &err) < 0, "mixed families");
    CHECK(ft_addrspec_parse("nosuchhost.invalid/0/1", 0, &a, &err) < 0, "unresolvable");
}

static void test_allow_and_mask(void)
{
    struct ft_allowlist l = {0};
    struct ft_err err;
    struct ft_ip ip;
    ft_ip_parse("1.2.3.4", &ip, NULL);
    CHECK(ft_allowlist_match(&l, &ip) == 1, "empty list allows all");
    CHECK(ft_allowlist_add(&l, "10.0.0.0/8, 192.168.1.7,2001:db8::/32", &err) == 0,
          "allow: %s", err.msg);
    CHECK_EQ_U(l.n, 3, "three prefixes");
    ft_ip_parse("10.200.3.4", &ip, NULL);
    CHECK(ft_allowlist_match(&l, &ip), "in 10/8");
    ft_ip_parse("11.0.0.1", &ip, NULL);
    CHECK(!ft_allowlist_match(&l, &ip), "not in the list");
    ft_ip_parse("192.168.1.7", &ip, NULL);
    CHECK(ft_allowlist_match(&l, &ip), "host entry");
    ft_ip_parse("192.168.1.8", &ip, NULL);
    CHECK(!ft_allowlist_match(&l, &ip), "host entry is /32");
    ft_ip_parse("2001:db8:1::5", &ip, NULL);
    CHECK(ft_allowlist_match(&l, &ip), "IPv6 prefix");
    ft_ip_parse("2001:db9::5", &ip, NULL);
    CHECK(!ft_allowlist_match(&l, &ip), "outside the IPv6 prefix");
    CHECK(ft_allowlist_add(&l, "10.0.0.0/33", &err) < 0, "bad length");
    CHECK(ft_allowlist_add(&l, "bogus!", &err) < 0, "bad address");
    ft_allowlist_free(&l);

    struct ft_privacy_mask m = {0};
    CHECK(ft_privacy_mask_add(&m, "255.255.255.0", &err) == 0, "v4 mask");
    CHECK(ft_privacy_mask_add(&m, "ffff:ffff:ffff::", &err) == 0, "v6 mask");
    CHECK(ft_privacy_mask_add(&m, "bogus", &err) < 0, "names are not masks");
    struct ft_flow f[3];
    memset(f, 0, sizeof f);
    ft_ip_parse("10.1.2.3", &f[0].srcaddr, NULL);
    ft_ip_parse("10.4.5.6", &f[0].dstaddr, NULL);
    ft_ip_parse("10.1.2.3", &f[1].srcaddr, NULL);
    ft_ip_parse("239.1.1.1", &f[1].dstaddr, NULL);
    ft_ip_parse("2001:db8:1:2::9", &f[2].srcaddr, NULL);
    ft_ip_parse("2001:db8:1:3::9", &f[2].dstaddr, NULL);
    ft_privacy_mask_apply(&m, f, 3);
    char s[FT_IP_STRLEN];
    CHECK_EQ_S(ft_ip_str(&f[0].srcaddr, s, sizeof s), "10.1.2.0", "src masked");
    CHECK_EQ_S(ft_ip_str(&f[0].dstaddr, s, sizeof s), "10.4.5.0", "dst masked");
    CHECK_EQ_S(ft_ip_str(&f[1].srcaddr, s, sizeof s), "10.1.2.3", "multicast flow untouched");
    CHECK_EQ_S(ft_ip_str(&f[2].srcaddr, s, sizeof s), "2001:db8:1::", "IPv6 src masked");
}

/* ---- the batch queue between the receive and the writer thread ---------- */

static void *consume(void *arg)
{
    struct ft_flowq *q = arg;
    uint32_t expect = 0;
    static int ok;
    ok = 1;
    struct ft_flow_batch *b;
    while ((b = ft_flowq_pop(q, -1)) != NULL || !ft_flowq_done(q)) {
        if (!b)
            continue;
        for (size_t i = 0; i < b->n; i++)
            if (b->flows[i].sequence != expect++)
                ok = 0;
        ft_flowq_release(q, b);
    }
    return expect == 100000 && ok ? &ok : NULL;
}

static void test_flowq(void)
{
    CHECK(ft_flowq_new(0, 10) == NULL, "no batches refused");
    struct ft_flowq *q = ft_flowq_new(2, 4);
    struct ft_flow_batch *a = ft_flowq_take(q, 0), *b = ft_flowq_take(q, 0);
    CHECK(a && b && a != b && a->cap == 4 && a->n == 0, "two batches");
    CHECK(ft_flowq_take(q, 0) == NULL, "pool exhausted: NULL at once");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(ft_flowq_take(q, 50) == NULL, "pool exhausted: NULL after the timeout");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(took >= 0.04 && took < 2, "waited %.3f s", took);
    a->n = 1;
    a->lost = 7;
    ft_flowq_push(q, a);
    ft_flowq_push(q, b);
    CHECK_EQ_U(ft_flowq_depth(q), 2, "depth");
    CHECK_EQ_U(ft_flowq_high_water(q), 2, "high water");
    CHECK(ft_flowq_pop(q, 0) == a && ft_flowq_pop(q, 0) == b, "first in, first out");
    CHECK(ft_flowq_pop(q, 10) == NULL, "empty: NULL after the timeout");
    ft_flowq_release(q, a);
    struct ft_flow_batch *c = ft_flowq_take(q, 0);
    CHECK(c == a && c->n == 0 && c->lost == 0, "a released batch comes back empty");
    ft_flowq_wake(q);
    CHECK(ft_flowq_pop(q, -1) == NULL, "wake makes a waiting pop return");
    ft_flowq_release(q, b);
    ft_flowq_release(q, c);
    ft_flowq_close(q);
    CHECK(ft_flowq_done(q), "closed and drained");
    CHECK(ft_flowq_pop(q, -1) == NULL, "pop after close");
    ft_flowq_free(q);

    /* a producer and a consumer thread: order and completeness */
    q = ft_flowq_new(3, 7);
    pthread_t t;
    pthread_create(&t, NULL, consume, q);
    uint32_t seq = 0;
    while (seq < 100000) {
        struct ft_flow_batch *x = ft_flowq_take(q, -1);
        while (x->n < x->cap && seq < 100000)
            x->flows[x->n++].sequence = seq++;
        ft_flowq_push(q, x);
    }
    ft_flowq_close(q);
    void *res;
    pthread_join(t, &res);
    CHECK(res != NULL, "100000 flows through 3 batches of 7, in order");
    ft_flowq_free(q);
}

/* ---- UDP receive batches, statistics timing, rate limits ------------------ */

/* A socket listening on 127.0.0.1 at a free port (a->port), or -1. */
static int listen_local(struct ft_addrspec *a, int *rcvbuf)
{
    struct ft_err err;
    ft_addrspec_parse("127.0.0.1/0/0", 1, a, &err);
    /* port 0 means 9991 on the command line: try ports until one is free */
    int fd = -1;
    for (unsigned p = 40000; p < 40100 && fd < 0; p++) {
        a->port = (uint16_t)p;
        fd = ft_udp_listen(a, 1 << 20, rcvbuf, &err);
    }
    CHECK(fd >= 0, "listen: %s", err.msg);
    return fd;
}

/* Up to want datagrams waiting on fd, into b: how many came. */
static int receive_some(int fd, struct ft_udp_batch *b, int want)
{
    struct ft_err err;
    int n = 0;
    for (int tries = 0; tries < 50 && n < want; tries++) {
        ft_udp_wait(fd, 100);
        int k = ft_udp_recv(fd, b, &err);
        if (k > 0)
            n += k;
    }
    return n;
}

static void test_udp(void)
{
    struct ft_addrspec a;
    struct ft_err err;
    int got = 0;
    int fd = listen_local(&a, &got);
    if (fd < 0)
        return;
    CHECK(got >= 1 << 20, "receive buffer %d", got);
    struct ft_addrspec to;
    ft_addrspec_parse("0/127.0.0.1/0", 0, &to, &err);
    to.port = a.port;
    int out = ft_udp_connect(&to, &err);
    CHECK(out >= 0, "connect: %s", err.msg);
    for (int i = 0; i < 3; i++)
        CHECK(ft_udp_send(out, "abcdef", 2 + (size_t)i) == 0, "send %d", i);
    struct ft_udp_batch *b = ft_udp_batch_new(8);
    CHECK_EQ_U(receive_some(fd, b, 3), 3, "three datagrams in one or more batches");
    const struct ft_udp_dgram *d = ft_udp_batch_get(b, 0);
    char s[FT_IP_STRLEN];
    CHECK_EQ_S(ft_ip_str(&d->src, s, sizeof s), "127.0.0.1", "source address");
    CHECK_EQ_S(ft_ip_str(&d->dst, s, sizeof s), "127.0.0.1", "destination from IP_PKTINFO");
    CHECK(d->sport != 0 && !d->truncated, "source port, not truncated");
    CHECK_EQ_U(ft_udp_kernel_drops(b), 0, "no kernel drops");
    CHECK(ft_udp_recv(fd, b, &err) == 0, "nothing left: 0");
    ft_udp_batch_free(b);
    close(out);
    close(fd);
}

/* -s: datagrams from the exporter's address, each built in the buffer of
 * the raw sender that sends it (root only: raw sockets). */
static void test_udp_raw(void)
{
    struct ft_err err;
    struct ft_udp_raw *raw = ft_udp_raw_open(&err), *other = ft_udp_raw_open(&err);
    if (!raw || !other) {
        printf("test_capfile: raw socket tests skipped (%s)\n", err.msg);
        ft_udp_raw_close(raw);
        ft_udp_raw_close(other);
        return;
    }
    struct ft_addrspec a, to;
    int fd = listen_local(&a, NULL);
    ft_addrspec_parse("0/127.0.0.1/0", 0, &to, &err);
    to.port = a.port;
    int out = ft_udp_connect(&to, &err);
    struct ft_ip exporter, exporter6 = {.af = FT_AF_INET6};
    ft_ip_set4(&exporter, 0x0a010203);
    uint64_t unspoofed = 0;
    CHECK_EQ_U(ft_udp_raw_send(raw, &exporter, 2055, &to, "first", 5), 0, "raw send");
    CHECK_EQ_U(ft_udp_raw_send(other, &exporter, 2056, &to, "second", 6), 0, "other raw send");
    CHECK_EQ_U(ft_udp_send_as(out, raw, &exporter6, 2057, &to, "third", 5, &unspoofed), 0,
               "IPv6 exporter: sent from our address");
    CHECK_EQ_U(unspoofed, 1, "counted as not spoofed");
    CHECK_EQ_U(ft_udp_send_as(out, NULL, &exporter, 2057, &to, "fourth", 6, &unspoofed), 0,
               "no raw sender: sent from our address");
    CHECK_EQ_U(unspoofed, 1, "without -s nothing is counted");
    CHECK_EQ_U(ft_udp_raw_send(raw, &exporter6, 1, &to, "x", 1), EAFNOSUPPORT, "IPv6 source");
    static char big[FT_UDP_DGRAM_MAX];
    CHECK_EQ_U(ft_udp_raw_send(raw, &exporter, 1, &to, big, sizeof big), EMSGSIZE, "too big");
    struct ft_udp_batch *b = ft_udp_batch_new(8);
    CHECK_EQ_U(receive_some(fd, b, 4), 4, "four datagrams");
    const char *want[] = {"first", "second", "third", "fourth"};
    const char *from[] = {"10.1.2.3", "10.1.2.3", "127.0.0.1", "127.0.0.1"};
    for (unsigned i = 0; i < 4; i++) {
        const struct ft_udp_dgram *d = ft_udp_batch_get(b, i);
        char s[FT_IP_STRLEN];
        CHECK(d && d->len == strlen(want[i]) && memcmp(d->data, want[i], d->len) == 0,
              "datagram %u: its own payload", i);
        CHECK_EQ_S(d ? ft_ip_str(&d->src, s, sizeof s) : "", from[i], "source address");
    }
    CHECK_EQ_U(ft_udp_batch_get(b, 0)->sport, 2055, "the exporter's port");
    ft_udp_batch_free(b);
    ft_udp_raw_close(raw);
    ft_udp_raw_close(other);
    close(out);
    close(fd);
}

/* ---- the capture writer ------------------------------------------------------ */

struct capw_seen {
    pthread_mutex_t mu;
    char log[4096];             /* every message, one a line */
    int published;
    char files[4][FT_CAPFILE_PATH_MAX];
};

static void capw_log(void *arg, int prio, const char *msg)
{
    struct capw_seen *s = arg;
    pthread_mutex_lock(&s->mu);
    size_t n = strlen(s->log);
    snprintf(s->log + n, sizeof s->log - n, "%d %s\n", prio, msg);
    pthread_mutex_unlock(&s->mu);
}

static void capw_file(void *arg, const char *path)
{
    struct capw_seen *s = arg;
    pthread_mutex_lock(&s->mu);
    if (s->published < 4)
        snprintf(s->files[s->published], sizeof s->files[0], "%s", path);
    s->published++;
    pthread_mutex_unlock(&s->mu);
}

static int capw_logged(struct capw_seen *s, const char *text)
{
    pthread_mutex_lock(&s->mu);
    int found = strstr(s->log, text) != NULL;
    pthread_mutex_unlock(&s->mu);
    return found;
}

/* Push a batch of n flows numbered from first, with header counters. */
static void push_flows(struct ft_flowq *q, const struct ft_format *fmt, uint32_t first,
                       size_t n, uint32_t lost, uint32_t corrupt)
{
    struct ft_flow_batch *b = ft_flowq_take(q, -1);
    for (size_t i = 0; b && i < n; i++) {
        memset(&b->flows[i], 0, sizeof b->flows[i]);
        b->flows[i].has = fmt->mask;
        ft_ip_set4(&b->flows[i].srcaddr, first + (uint32_t)i);
        b->flows[i].dpkts = 1;
    }
    if (!b)
        return;
    b->n = n;
    b->fmt = fmt;
    b->lost = lost;
    b->corrupt = corrupt;
    ft_flowq_push(q, b);
}

/* The flows of a finished file and its header; -1 if it cannot be read. */
static long read_capture(const char *path, struct ft_header *h, uint32_t *first_src)
{
    struct ft_err err;
    struct ft_reader *r = ft_reader_open_path(path, &err);
    if (!r)
        return -1;
    *h = *ft_reader_header(r);
    struct ft_flow f[64];
    long n = 0;
    ssize_t k;
    while ((k = ft_reader_read(r, f, 64)) > 0) {
        if (n == 0)
            *first_src = f[0].srcaddr.v4;
        n += k;
    }
    ft_reader_close(r);
    return n;
}

/* Files under dir whose names start with prefix. */
static int count_files(const char *dir, const char *prefix)
{
    struct ft_expiry x;
    struct ft_err err;
    ft_expiry_init(&x, 0, 0);
    ft_expiry_scan(&x, dir, NULL, NULL, &err);
    int n = 0;
    for (size_t i = 0; i < ft_expiry_count(&x); i++) {
        const char *base = strrchr(ft_expiry_get(&x, i)->path, '/');
        n += strncmp(base ? base + 1 : "", prefix, strlen(prefix)) == 0;
    }
    ft_expiry_free(&x);
    return n;
}

static struct ft_capwriter *capw_open(struct ft_flowq *q, const struct ft_format *fmt,
                                      int nesting, uint64_t max_files, struct capw_seen *seen)
{
    struct ft_capwriter_opts o;
    struct ft_err err;
    ft_capwriter_opts_init(&o);
    o.nesting = nesting;
    o.rotations = 0;
    o.max_files = max_files;
    o.wopts.comp = FT_COMP_NONE;
    o.format = fmt;
    o.comment = "unit";
    o.log = capw_log;
    o.log_arg = seen;
    o.on_file = capw_file;
    o.file_arg = seen;
    struct ft_capwriter *w = ft_capwriter_open(q, &o, &err);
    CHECK(w != NULL, "ft_capwriter_open: %s", err.msg);
    return w;
}

/* Two files (a rotation in between), their headers and flows; expiry of
 * what is there when a writer starts; a directory that cannot be made. */
static void test_capwriter(const char *dir)
{
    char old[4096], wd[256];
    const struct ft_format *v5 = ft_format_find(5, 0);
    if (!getcwd(old, sizeof old))
        return;
    snprintf(wd, sizeof wd, "%s/capw", dir);
    mkdir(wd, 0755);
    if (chdir(wd) < 0)
        return;
    static struct capw_seen seen = {.mu = PTHREAD_MUTEX_INITIALIZER};
    struct ft_flowq *q = ft_flowq_new(4, 100);
    struct ft_capwriter *w = capw_open(q, v5, 0, 0, &seen);
    struct ft_capwriter_stats st = {0};
    if (!w || !q)
        return;
    push_flows(q, v5, 1000, 50, 3, 2);
    /* a rotation asked for before the first file opened has nothing to close */
    for (int i = 0; i < 60 && !capw_logged(&seen, "opened tmp-"); i++)
        usleep(50000);
    ft_capwriter_rotate(w);
    for (int i = 0; i < 60 && st.files == 0; i++) {
        usleep(50000);
        ft_capwriter_stats(w, &st);
    }
    CHECK_EQ_U(st.files, 1, "a rotation finishes the first file");
    push_flows(q, v5, 2000, 20, 0, 0);
    ft_flowq_close(q);
    ft_capwriter_close(w, &st);
    ft_flowq_free(q);
    CHECK_EQ_U(st.files, 2, "two files");
    CHECK_EQ_U(st.write_errors + st.write_drops + st.losses, 0, "no errors, drops, losses");
    CHECK_EQ_U(seen.published, 2, "both files reported");
    CHECK_EQ_U(count_files(".", "tmp-"), 0, "no tmp- file left");
    struct ft_header h;
    uint32_t src = 0;
    CHECK_EQ_U(read_capture(seen.files[0], &h, &src), 50, "first file: its flows");
    CHECK(src == 1000 && h.flow_count == 50 && h.flow_lost == 3 && h.pkt_corrupt == 2 &&
          strcmp(h.comments, "unit") == 0 && (h.flags & FT_HF_DONE),
          "first file: header counts %u lost %u corrupt %u", h.flow_count, h.flow_lost,
          h.pkt_corrupt);
    CHECK_EQ_U(read_capture(seen.files[1], &h, &src), 20, "second file: its flows");
    CHECK(src == 2000 && h.flow_count == 20 && h.flow_lost == 0, "second file: header");
    CHECK(h.cap_start > 0 && h.cap_end >= h.cap_start, "capture start and end");

    /* expiry: a writer that starts with two files and -e 1 removes the older */
    seen.log[0] = '\0';
    q = ft_flowq_new(2, 10);
    w = capw_open(q, NULL, 0, 1, &seen);
    ft_flowq_close(q);
    if (w)
        ft_capwriter_close(w, &st);
    ft_flowq_free(q);
    CHECK(strstr(seen.log, "remove/1 ./") != NULL, "expiry says what it removed: %s", seen.log);
    CHECK_EQ_U(count_files(".", "ft-"), 1, "one file kept");

    /* the year's directory cannot be made: the flows are counted as lost */
    time_t now = time(NULL);
    struct tm tm;
    char year[16];
    localtime_r(&now, &tm);
    snprintf(year, sizeof year, "%04d", tm.tm_year + 1900);
    make_file(year, 10);
    seen.log[0] = '\0';
    q = ft_flowq_new(2, 10);
    w = capw_open(q, NULL, 1, 0, &seen);
    push_flows(q, v5, 1, 10, 0, 0);
    ft_flowq_close(q);
    if (w)
        ft_capwriter_close(w, &st);
    ft_flowq_free(q);
    CHECK(st.files == 0 && st.write_errors >= 1 && st.write_drops == 10,
          "no file: %llu errors, %llu drops", (unsigned long long)st.write_errors,
          (unsigned long long)st.write_drops);
    CHECK(strstr(seen.log, "flows are counted as lost until it works") != NULL,
          "the failure is logged: %s", seen.log);
    if (chdir(old) < 0)
        perror(old);
}

/* What ft_collect_out_option(-V arg) says on stderr when it dies, with
 * flow-capture's (quote) or flow-receive's words. */
static void bad_version_message(int quote, char *buf, size_t size)
{
    int p[2];
    buf[0] = '\0';
    if (pipe(p) < 0)
        return;
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        struct ft_collect_out o = {.quote_bad_version = quote};
        dup2(p[1], 2);
        ft_progname = "prog";
        ft_collect_out_option(&o, 'V', "4");
        _exit(0);
    }
    close(p[1]);
    size_t len = 0;
    ssize_t n;
    while (len < size - 1 && (n = read(p[0], buf + len, size - 1 - len)) > 0)
        len += (size_t)n;       /* stderr is unbuffered: a message comes in pieces */
    buf[len] = '\0';
    close(p[0]);
    int status;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1, "a bad -V exits 1");
}

/* The options flow-capture and flow-receive share. */
static void test_collect_out(void)
{
    struct ft_collect_out o = {0};
    CHECK(ft_collect_out_option(&o, 'b', "little") && o.wopts.byte_order == FT_ORDER_LITTLE,
          "-b little");
    CHECK(ft_collect_out_option(&o, 'z', "zstd:5") && o.wopts.comp == FT_COMP_ZSTD &&
          o.wopts.level == 5, "-z zstd:5");
    CHECK(ft_collect_out_option(&o, 'V', "8.3") && o.format == ft_format_find(8, 3), "-V 8.3");
    CHECK(ft_collect_out_option(&o, 'C', "hi") && strcmp(o.comment, "hi") == 0, "-C");
    CHECK(ft_collect_out_option(&o, 'k', "x.cfg") && strcmp(o.exporters_path, "x.cfg") == 0,
          "-k");
    CHECK(!ft_collect_out_option(&o, 'w', "dir"), "-w is not one of them");
    CHECK(ft_collect_load_exporters(NULL) == NULL, "no -k, no settings");
    char msg[256];
    bad_version_message(1, msg, sizeof msg);
    CHECK_EQ_S(msg, "prog: Version scan failed: \"4\"\n", "flow-capture's -V message");
    bad_version_message(0, msg, sizeof msg);
    CHECK_EQ_S(msg, "prog: Version scan failed\n", "flow-receive's -V message");
}

static void test_collect(void)
{
    set_tz("UTC");
    time_t t = utc(2024, 3, 14, 9, 7, 30);
    CHECK_EQ_U(ft_collect_next_stat(t, 5), utc(2024, 3, 14, 9, 10, 0), "next 5-minute mark");
    CHECK_EQ_U(ft_collect_next_stat(utc(2024, 3, 14, 9, 10, 0), 5), utc(2024, 3, 14, 9, 15, 0),
               "on a mark: the next one");
    set_tz("Asia/Kolkata");     /* +0530: marks follow the local clock */
    CHECK_EQ_U(ft_collect_next_stat(t, 60), utc(2024, 3, 14, 9, 30, 0), "local hour");
    set_tz("UTC");
    struct ft_log log;
    ft_log_init(&log, "test_capfile");
    struct ft_ratelimit r = {.per_minute = 3};
    int allowed = 0;
    for (int i = 0; i < 10; i++)
        allowed += ft_ratelimit_allow(&r, &log, 600);
    CHECK_EQ_U(allowed, 3, "three a minute");
    CHECK_EQ_U(r.suppressed, 7, "the rest counted");
    CHECK(ft_ratelimit_allow(&r, &log, 660) == 1 && r.suppressed == 0, "next minute");
    struct ft_addrspec a;
    struct ft_allowlist l = {0};
    struct ft_ip ip;
    ft_addrspec_parse("0/192.0.2.1/0", 1, &a, NULL);
    ft_ip_parse("192.0.2.1", &ip, NULL);
    CHECK(ft_collect_accepts(&a, &l, &ip), "the configured exporter");
    ft_ip_parse("192.0.2.2", &ip, NULL);
    CHECK(!ft_collect_accepts(&a, &l, &ip), "another exporter");
    CHECK(ft_collect_accepts(NULL, NULL, &ip), "no restriction");
}

int main(void)
{
    char dir[64];
    if (ft_test_mkdtemp(dir, sizeof dir, "test_capfile") < 0)
        return 1;
    test_names();
    test_rotation();
    test_sizes();
    test_expiry(dir);
    test_scan(dir);
    test_commit(dir);
    test_addrspec();
    test_allow_and_mask();
    test_flowq();
    test_udp();
    test_udp_raw();
    test_capwriter(dir);
    test_collect();
    test_collect_out();
    ft_test_rmtree(dir);
    return ft_test_report("test_capfile");
}
