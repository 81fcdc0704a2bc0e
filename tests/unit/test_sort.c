/* Unit tests of sort keys (core/ft_sortkey.h) and the sorter
 * (stream/ft_sort.h): names resolve through the field table, encoded keys
 * compare in the key's order for every field, several keys and directions,
 * addresses of both families; the sorter is stable in memory and through
 * runs and merge passes, and leaves no temporary file. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "core/ft_sortkey.h"
#include "stream/ft_sort.h"
#include "ft_test.h"

static void parse_names(void)
{
    struct ft_sortkey k;
    struct ft_err err;
    CHECK(ft_sortkey_parse(&k, "octets", 0, &err) == 0, "%s", err.msg);
    CHECK(k.n == 1 && k.part[0].field->id == FT_FLD_DOCTETS && !k.part[0].desc, "octets");
    CHECK_EQ_U(k.width, 8, "octets width");
    CHECK(ft_sortkey_parse(&k, "-doctets, +ip-source-address\tdstport", 0, &err) == 0,
          "%s", err.msg);
    CHECK_EQ_U(k.n, 3, "three fields");
    CHECK(k.part[0].field->id == FT_FLD_DOCTETS && k.part[0].desc, "-doctets");
    CHECK(k.part[1].field->id == FT_FLD_SRCADDR && !k.part[1].desc, "+ip-source-address");
    CHECK(k.part[2].field->id == FT_FLD_DSTPORT, "dstport");
    CHECK_EQ_U(k.width, 8 + 4 + 2, "widths");
    CHECK_EQ_U(k.part[2].at, 12, "offset of the third");
    char text[128];
    CHECK_EQ_S(ft_sortkey_text(&k, text, sizeof text), "-doctets,+srcaddr,+dstport", "text");
    CHECK(ft_sortkey_parse(&k, "srcaddr", FT_SORTKEY_ADDR6, &err) == 0, "%s", err.msg);
    CHECK_EQ_U(k.width, 17, "wide address");

    CHECK(ft_sortkey_parse(&k, "octets,bogus", 0, &err) < 0, "unknown name");
    CHECK_EQ_S(err.msg, "unknown sort field \"bogus\"", "unknown message");
    CHECK(ft_sortkey_parse(&k, "", 0, &err) < 0, "empty key");
    CHECK_EQ_S(err.msg, "no sort field given", "empty message");
    CHECK(ft_sortkey_parse(&k, "octets,-", 0, &err) < 0, "bare '-'");
    CHECK(ft_sortkey_parse(&k, "a b c d e f g h i j k l m n o p q", 0, &err) < 0, "unknown a");
    char many[512] = "";
    for (int i = 0; i < FT_SORTKEY_FIELDS + 1; i++)
        strcat(many, "octets,");
    CHECK(ft_sortkey_parse(&k, many, 0, &err) < 0, "too many fields");
}

/* Every numeric field, both directions: 0x00ff before 0x0100 (the byte
 * order of the encoding), 1 before 2. */
static void every_field_orders(void)
{
    for (int i = 0; i < FT_NFIELDS; i++) {
        const struct ft_field *d = &ft_fields[i];
        if (d->type == FT_T_IP)
            continue;
        for (int desc = 0; desc < 2; desc++) {
            char spec[80];
            struct ft_sortkey k;
            struct ft_err err;
            snprintf(spec, sizeof spec, "%s%s", desc ? "-" : "+", d->name);
            if (ft_sortkey_parse(&k, spec, 0, &err) < 0) {
                CHECK(0, "%s: %s", spec, err.msg);
                continue;
            }
            struct ft_flow a, b;
            memset(&a, 0, sizeof a);
            memset(&b, 0, sizeof b);
            uint64_t lo = d->type == FT_T_U8 ? 1 : 0xff, hi = d->type == FT_T_U8 ? 2 : 0x100;
            ft_field_put(&a, d, lo);
            ft_field_put(&b, d, hi);
            int c = ft_sortkey_cmp(&k, &a, &b);
            CHECK(desc ? c > 0 : c < 0, "%s: %llu vs %llu gave %d", spec,
                  (unsigned long long)lo, (unsigned long long)hi, c);
            CHECK(ft_sortkey_cmp(&k, &a, &a) == 0, "%s: equal", spec);
        }
    }
}

static void addresses(void)
{
    struct ft_sortkey k4, k6, kd;
    struct ft_err err;
    ft_sortkey_parse(&k4, "srcaddr", 0, &err);
    ft_sortkey_parse(&k6, "srcaddr", FT_SORTKEY_ADDR6, &err);
    ft_sortkey_parse(&kd, "-srcaddr", FT_SORTKEY_ADDR6, &err);
    struct ft_flow a, b, c, d;
    memset(&a, 0, sizeof a);
    b = c = d = a;
    ft_ip_set4(&a.srcaddr, 0x0a000002);             /* 10.0.0.2 */
    ft_ip_set4(&b.srcaddr, 0xc0a80001);             /* 192.168.0.1 */
    c.srcaddr.af = FT_AF_INET6;                     /* 2001:db8::1 */
    c.srcaddr.v6[0] = 0x20; c.srcaddr.v6[1] = 0x01; c.srcaddr.v6[2] = 0x0d;
    c.srcaddr.v6[3] = 0xb8; c.srcaddr.v6[15] = 1;
    d = c;
    d.srcaddr.v6[15] = 2;                           /* 2001:db8::2 */
    CHECK(ft_sortkey_cmp(&k4, &a, &b) < 0, "10.0.0.2 before 192.168.0.1");
    CHECK(ft_sortkey_cmp(&k6, &a, &b) < 0, "the same, wide");
    CHECK(ft_sortkey_cmp(&k6, &b, &c) < 0, "IPv4 before IPv6");
    CHECK(ft_sortkey_cmp(&k6, &c, &d) < 0, "::1 before ::2");
    CHECK(ft_sortkey_cmp(&kd, &c, &d) > 0, "descending: ::2 first");
    CHECK(ft_sortkey_cmp(&kd, &a, &c) > 0, "descending: IPv6 first");
}

static void several_keys(void)
{
    struct ft_sortkey k;
    struct ft_err err;
    ft_sortkey_parse(&k, "prot,-dstport,srcaddr", 0, &err);
    struct ft_flow a, b;
    memset(&a, 0, sizeof a);
    b = a;
    a.prot = 6; b.prot = 17;
    a.dstport = 80; b.dstport = 443;
    CHECK(ft_sortkey_cmp(&k, &a, &b) < 0, "first key decides");
    b.prot = 6;
    CHECK(ft_sortkey_cmp(&k, &a, &b) > 0, "then the second, descending");
    b.dstport = 80;
    ft_ip_set4(&a.srcaddr, 2);
    ft_ip_set4(&b.srcaddr, 1);
    CHECK(ft_sortkey_cmp(&k, &a, &b) > 0, "then the third");
    ft_ip_set4(&b.srcaddr, 2);
    CHECK(ft_sortkey_cmp(&k, &a, &b) == 0, "all equal");
}

/* ---- the sorter ---------------------------------------------------------- */

#define NREC 5000

/* Sort NREC v5 records whose dstport is a small value with many ties and
 * whose srcport is the input position, through a file; check the order and
 * that ties kept their input order. */
static void sorter_case(const char *keys, size_t mem, unsigned fan_in, const char *dir)
{
    const struct ft_format *fmt = ft_format_find(5, 0);
    struct ft_sortkey k;
    struct ft_err err;
    struct ft_sort_opts o = {.mem_limit = mem, .tmpdir = dir, .fan_in = fan_in};
    char what[128];
    snprintf(what, sizeof what, "%s, mem %zu, fan-in %u", keys, mem, fan_in);
    if (ft_sortkey_parse(&k, keys, 0, &err) < 0) {
        CHECK(0, "%s: %s", what, err.msg);
        return;
    }
    int order = ft_host_order();
    struct ft_sorter *s = ft_sorter_new(&k, fmt, order, &o, &err);
    CHECK(s != NULL, "%s: %s", what, err.msg);
    if (!s)
        return;
    static uint8_t recs[NREC * 64];
    for (unsigned i = 0; i < NREC; i++) {
        struct ft_flow f;
        memset(&f, 0, sizeof f);
        f.has = fmt->mask;
        f.srcport = (uint16_t)i;
        f.dstport = (uint16_t)((i * 7919u) % 13u);
        f.doctets = (i * 2654435761u) % 100000u;
        ft_rec_encode(fmt, order, &f, recs + i * 64);
    }
    for (unsigned i = 0; i < NREC; i += 777)
        CHECK(ft_sorter_add(s, recs + i * 64, NREC - i < 777 ? NREC - i : 777, &err) == 0,
              "%s: add: %s", what, err.msg);
    char path[256];
    snprintf(path, sizeof path, "%s/out.ft", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    struct ft_header h;
    ft_header_init(&h, fmt);
    struct ft_write_opts wo = {0};
    struct ft_writer *w = ft_writer_open(fd, path, &h, &wo, &err);
    CHECK(w && ft_sorter_finish(s, w, &err) == 0, "%s: finish: %s", what, err.msg);
    struct ft_sort_stats st;
    ft_sorter_stats(s, &st);
    CHECK_EQ_U(st.records, NREC, what);
    if (mem < 100000)
        CHECK(st.runs > 0 && st.passes > (fan_in == 2 ? 2u : 0u), "%s: %llu runs %u passes",
              what, (unsigned long long)st.runs, st.passes);
    ft_sorter_free(s);
    if (w)
        ft_writer_close(w, &err);
    close(fd);

    struct ft_reader *r = ft_reader_open_path(path, &err);
    CHECK(r != NULL, "%s: %s", what, err.msg);
    if (!r)
        return;
    static struct ft_flow got[NREC + 1];
    ssize_t n = 0, m;
    while (n <= NREC && (m = ft_reader_read(r, got + n, (size_t)(NREC + 1 - n))) > 0)
        n += m;
    ft_reader_close(r);
    CHECK_EQ_U(n, NREC, what);
    unsigned bad = 0;
    for (ssize_t i = 1; i < n; i++) {
        int c = ft_sortkey_cmp(&k, &got[i - 1], &got[i]);
        if (c > 0 || (c == 0 && got[i - 1].srcport >= got[i].srcport))
            bad++;
    }
    CHECK(bad == 0, "%s: %u records out of order or unstable", what, bad);
    unlink(path);
}

static void sorter(void)
{
    char dir[64];
    if (ft_test_mkdtemp(dir, sizeof dir, "test_sort") < 0)
        return;
    const char *keys[] = {"dstport", "-dstport", "dstport,-octets", "-octets",
                          "dstport,srcaddr,dstaddr,-octets" /* longer than 8 bytes */};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        sorter_case(keys[i], 64u << 20, 0, dir);        /* in memory */
        sorter_case(keys[i], 64u << 10, 0, dir);        /* runs, one merge */
        sorter_case(keys[i], 64u << 10, 2, dir);        /* runs, many passes */
    }
    /* nothing left in the directory: runs were unlinked when made */
    DIR *d = opendir(dir);
    unsigned left = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        left += e->d_name[0] != '.';
    if (d)
        closedir(d);
    CHECK_EQ_U(left, 0, "files left in the temporary directory");

    /* a field v5 does not carry */
    struct ft_sortkey k;
    struct ft_err err;
    struct ft_sort_opts o = {.mem_limit = 1 << 20, .tmpdir = dir};
    ft_sortkey_parse(&k, "src_tag", 0, &err);
    CHECK(ft_sorter_new(&k, ft_format_find(5, 0), ft_host_order(), &o, &err) == NULL,
          "src_tag in v5");
    CHECK_EQ_S(err.msg, "v5 records have no field src_tag", "missing field message");
    ft_sortkey_parse(&k, "end_ms", 0, &err);
    struct ft_sorter *s = ft_sorter_new(&k, ft_format_find(5, 0), ft_host_order(), &o, &err);
    CHECK(s != NULL, "end_ms from v5's Last: %s", err.msg);
    ft_sorter_free(s);
    ft_test_rmtree(dir);
}

int main(void)
{
    parse_names();
    every_field_orders();
    addresses();
    several_keys();
    sorter();
    return ft_test_report("test_sort");
}
