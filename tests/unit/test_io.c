/* Unit tests of lib/io (flow-export, flow-import): the format table, -m
 * lists, every import parser's accept/reject table with its exact
 * messages, round trips through every format and record version, and
 * damaged inputs (truncations and byte flips) through every parser. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "core/ft_field.h"
#include "io/ft_io.h"
#include "stream/ft_format.h"
#include "ft_test.h"

#define NFLOWS 100

/* ---- helpers ------------------------------------------------------------- */

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (uint32_t)rnd_state;
}

/* n flows of fmt as a stream reader gives them (record encoded and decoded). */
static void make_flows(const struct ft_format *fmt, struct ft_flow *out, size_t n)
{
    uint8_t rec[512];
    for (size_t i = 0; i < n; i++) {
        struct ft_flow f;
        memset(&f, 0, sizeof f);
        f.has = fmt->mask;
        f.unix_secs = 1710407093 + (uint32_t)(i / 7);
        f.unix_nsecs = (uint32_t)(i / 7) * 1000000u;
        f.sysuptime = 1058674187 + (uint32_t)(i / 7) * 1000;
        f.first = f.sysuptime - rnd() % 100000;
        f.last = f.first + rnd() % 5000;
        f.exaddr = (struct ft_ip){.af = FT_AF_INET, .v4 = 0x7f000001 + (uint32_t)(i / 40)};
        f.srcaddr = (struct ft_ip){.af = FT_AF_INET, .v4 = rnd()};
        f.dstaddr = (struct ft_ip){.af = FT_AF_INET, .v4 = rnd()};
        f.nexthop = (struct ft_ip){.af = FT_AF_INET, .v4 = rnd()};
        f.peer_nexthop = (struct ft_ip){.af = FT_AF_INET, .v4 = rnd()};
        f.router_sc = (struct ft_ip){.af = FT_AF_INET, .v4 = rnd()};
        f.dpkts = rnd() % 10000 + 1;
        f.doctets = f.dpkts * 40 + rnd() % 1000;
        f.dflows = rnd() % 9 + 1;
        f.extra_pkts = rnd() % 7;
        f.input = rnd() % 65536;
        f.output = rnd() % 65536;
        f.srcport = (uint16_t)rnd();
        f.dstport = (uint16_t)rnd();
        f.prot = (uint8_t)rnd();
        f.tos = (uint8_t)rnd();
        f.marked_tos = (uint8_t)rnd();
        f.tcp_flags = (uint8_t)rnd();
        f.src_mask = (uint8_t)(rnd() % 33);
        f.dst_mask = (uint8_t)(rnd() % 33);
        f.src_as = rnd() % 65536;
        f.dst_as = rnd() % 65536;
        f.in_encaps = (uint8_t)rnd();
        f.out_encaps = (uint8_t)rnd();
        f.engine_type = 1;
        f.engine_id = (uint8_t)(i / 50);
        f.src_tag = rnd();
        f.dst_tag = rnd();
        ft_rec_encode(fmt, 0, &f, rec);
        ft_rec_decode(fmt, 0, rec, &out[i]);
        /* what the format's mask leaves out (v8.10's interfaces) no
         * export carries: the flows do not hold it */
        for (int k = 0; k < FT_NFIELDS; k++) {
            const struct ft_field *d = &ft_fields[k];
            if (d->has & FT_F_FLOWTOOLS && !(d->has & out[i].has) && d->type != FT_T_IP)
                ft_field_put(&out[i], d, 0);
        }
    }
}

/* Export flows as fmt into a malloc'd buffer (*len bytes); NULL on failure. */
static uint8_t *export_buf(const char *fmt_name, const char *mask, const struct ft_format *in,
                           const struct ft_flow *flows, size_t n, size_t *len)
{
    struct ft_export_opts o = {0};
    struct ft_err err;
    FILE *tmp = tmpfile();
    struct ft_out out;
    if (!tmp || ft_out_init(&out, fileno(tmp), 0) < 0)
        return NULL;
    if (mask)
        CHECK(ft_io_parse_fields(mask, &o.fields, &err) == 0, "mask %s", mask);
    struct ft_export *x = ft_export_new(ft_io_format_find(fmt_name), &o, in, &out, &err);
    CHECK(x != NULL, "export %s of %s: %s", fmt_name, in->name, err.msg);
    uint8_t *buf = NULL;
    if (x && ft_export_flows(x, flows, n, &err) == 0 && ft_export_end(x, &err) == 0) {
        long size = lseek(fileno(tmp), 0, SEEK_END);
        buf = malloc((size_t)size + 1);
        if (buf && pread(fileno(tmp), buf, (size_t)size, 0) == size)
            *len = (size_t)size;
        CHECK_EQ_U(ft_export_count(x), n, "flows exported");
    }
    ft_export_free(x);
    ft_out_free(&out);
    fclose(tmp);
    return buf;
}

/* Import everything from buf: the flows (up to max) and their number, or
 * -1 with err. */
static long import_buf(const char *fmt_name, const struct ft_format *into, const uint8_t *buf,
                       size_t len, struct ft_flow *flows, size_t max, struct ft_err *err)
{
    struct ft_import_opts o = {.format = into};
    struct ft_import *im = ft_import_open_mem(ft_io_format_find(fmt_name), &o, buf, len,
                                              "input", err);
    if (!im)
        return -1;
    long total = 0, n;
    struct ft_flow spare[16];
    while ((n = ft_import_read(im, (size_t)total < max ? flows + total : spare,
                               (size_t)total < max ? max - (size_t)total : 16, err)) > 0)
        total += n;
    ft_import_free(im);
    return n < 0 ? -1 : total;
}

static long import_text(const char *fmt_name, const char *text, struct ft_err *err)
{
    static struct ft_flow flows[8];
    return import_buf(fmt_name, ft_format_find(5, 0), (const uint8_t *)text, strlen(text),
                      flows, 8, err);
}

/* ---- the table and -m ---------------------------------------------------- */

static void formats(void)
{
    CHECK_EQ_S(ft_io_format_find("0")->name, "cflowd", "0");
    CHECK_EQ_S(ft_io_format_find("2")->name, "ascii", "2");
    CHECK_EQ_S(ft_io_format_find("JSON")->name, "json", "json by name");
    CHECK_EQ_S(ft_io_format_find("wire")->name, "wire", "wire by name");
    CHECK(ft_io_format_find("3")->exp == NULL && ft_io_format_find("5")->imp == NULL,
          "the databases have no operations yet");
    CHECK(ft_io_format_find("6") == NULL && ft_io_format_find("") == NULL &&
          ft_io_format_find("x") == NULL, "no such formats");
}

static void field_lists(void)
{
    struct ft_io_fields f;
    struct ft_err err;
    CHECK(ft_io_parse_fields("0x3f", &f, &err) == 0 && f.numeric && f.mask == 0x3f, "hex");
    CHECK(ft_io_parse_fields("4096", &f, &err) == 0 && f.mask == 4096, "decimal");
    CHECK(ft_io_parse_fields("UNIX_SECS,DPKTS,srcaddr", &f, &err) == 0 && !f.numeric &&
          f.mask == (FT_F_UNIX_SECS | FT_F_DPKTS | FT_F_SRCADDR) && f.n_ids == 3, "names");
    static const struct { const char *arg, *msg; } bad[] = {
        {"srcaddr,dstaddr,dpkts",
         "field \"dpkts\" out of order (list the fields in the order of the field table)"},
        {"srcaddr,srcaddr",
         "field \"srcaddr\" out of order (list the fields in the order of the field table)"},
        {"srcaddr,bogus", "unknown field \"bogus\""},
        {"srcaddr,,dstaddr", "bad field list \"srcaddr,,dstaddr\""},
        {"0x3g", "bad field mask \"0x3g\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = '\0';
        CHECK(ft_io_parse_fields(bad[i].arg, &f, &err) < 0, "%s refused", bad[i].arg);
        CHECK_EQ_S(err.msg, bad[i].msg, bad[i].arg);
    }
}

/* ---- accept/reject tables ------------------------------------------------ */

struct text_case {
    const char *format, *input;
    long flows;                 /* -1: refused with msg */
    const char *msg;
};

static const struct text_case text_cases[] = {
    {"2", "", 0, NULL},
    {"2", "#:srcaddr,dstaddr\n10.0.0.1,10.0.0.2\n", 1, NULL},
    {"2", "#:srcaddr,dstaddr\r\n# comment\r\n\r\n10.0.0.1,10.0.0.2\r\n", 1, NULL},
    {"2", "#:SRCADDR,dpkts\n10.0.0.1,\n,5\n", 2, NULL},
    {"2", "#:srcaddr,dstaddr\n10.0.0.1,10.0.0.2", 1, NULL},
    {"2", "#:srcaddr,dst_tag\n10.0.0.1,4294967295\n", 1, NULL},
    {"2", "#:srcaddr,dstaddr\n10.0.0.1\n", -1, "input line 2: 1 values, expected 2"},
    {"2", "#:srcaddr,dstaddr\n10.0.0.1,10.0.0.2,3\n", -1, "input line 2: more than 2 values"},
    {"2", "#:srcaddr,bogus\n", -1, "input line 1: unknown field \"bogus\""},
    {"2", "#:srcaddr\n10.0.0.256\n", -1, "input line 2: bad srcaddr \"10.0.0.256\""},
    {"2", "#:srcaddr\n10.0.0.1\n10.0.0.x\n", -1, "input line 3: bad srcaddr \"10.0.0.x\""},
    {"2", "#:srcport\n65536\n", -1, "input line 2: bad srcport \"65536\""},
    {"2", "#:dpkts\n-1\n", -1, "input line 2: bad dpkts \"-1\""},
    {"2", "#:dpkts\n18446744073709551616\n", -1,
     "input line 2: bad dpkts \"18446744073709551616\""},
    /* no header: the columns of v5 */
    {"2", "1,2,3,127.0.0.1,5,6,7,8,1,2,10.0.0.1,10.0.0.2,0.0.0.0,1,2,3,4,6,0,2,24,24,1,2\n", 1,
     NULL},
    {"2", "1,2,3\n", -1, "input line 1: 3 values, expected 24"},
    {"json", "{\"srcaddr\":\"10.0.0.1\",\"packets\":5,\"sequence\":null}\n{}\n", 2, NULL},
    {"json", "  \n{ \"time_base\" : \"epoch_ms\", \"first\" : 1710407093000 }\n", 1, NULL},
    {"json", "{\"srcaddr\":\"10.0.0.1\"", -1, "input line 1: bad JSON near \"\""},
    {"json", "{\"nosuch\":1}", -1, "input line 1: unknown key \"nosuch\""},
    {"json", "{\"srcaddr\":\"10.0.0.1\"} x", -1, "input line 1: trailing text \"x\""},
    {"json", "[1]", -1, "input line 1: not a JSON object \"[1]\""},
    {"json", "{\"srcaddr\":\"a\\\"b\"}", -1, "input line 1: bad JSON value near \"\\\"b\"}\""},
    {"json", "{\"proto\":300}", -1, "input line 1: bad proto \"300\""},
    {"json", "{\"srcaddr\":}", -1, "input line 1: bad JSON value near \"}\""},
};

static void text_tables(void)
{
    for (size_t i = 0; i < sizeof text_cases / sizeof text_cases[0]; i++) {
        const struct text_case *c = &text_cases[i];
        struct ft_err err = {{0}};
        long n = import_text(c->format, c->input, &err);
        CHECK(n == c->flows, "case %zu (%s): %ld flows, want %ld (%s)", i, c->input, n,
              c->flows, err.msg);
        if (c->msg)
            CHECK_EQ_S(err.msg, c->msg, c->input);
    }
    /* a line longer than the limit is refused, not grown without end */
    size_t big = 70000;
    char *s = malloc(big + 1);
    memset(s, '1', big);
    s[big] = '\0';
    struct ft_err err;
    CHECK(import_text("2", s, &err) < 0 && strstr(err.msg, "longer than"), "long line");
    free(s);
}

struct bin_case {
    const char *format, *bytes;
    size_t len;
    long flows;
    const char *msg;
};

#define B(s) s, sizeof(s) - 1
static const struct bin_case bin_cases[] = {
    {"0", B(""), 0, NULL},
    {"0", B("\x00\x00\x00\x06\x0a\x00\x00\x01\x0a\x00\x00\x02"), 1, NULL},
    {"0", B("\x00\x00\x00"), -1, "input record 1 at byte 0: truncated index"},
    {"0", B("\x00\x00\x00\x06\x0a\x00\x00\x01\x0a"), -1, "input record 1 at byte 0: truncated record"},
    {"0", B("\x01\x00\x00\x00"), -1, "input record 1 at byte 0: unknown fields in the index"},
    {"4", B(""), 0, NULL},
    {"4", B("\x00\x05\x00\x00\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), 0, NULL},
    {"4", B("\x00\x05\x00\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), -1,
     "input datagram at byte 0: truncated: bytes 24"},
    {"4", B("\x00\x09\x00\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), -1,
     "input datagram at byte 0: not NetFlow v1-v8: version 9"},
    {"4", B("\x00\x05\x00\x1f\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"), -1,
     "input datagram at byte 0: count 31"},
    {"4", B("\x00\x05"), -1, "input datagram at byte 0: truncated header of 2"},
    {"1", B("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0"), 0, NULL},
    {"1", B("GIF89a"), -1, "input: not a pcap file"},
    {"1", B("\xd4\xc3\xb2\xa1\x02\x00"), -1, "input: truncated pcap header"},
    {"1", B("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0"
            "\0\0\0\0\0\0\0\0\x10\0\0\0\x10\0\0\0abc"), -1,
     "input frame 1 at byte 24: truncated frame"},
    {"1", B("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0"
            "\0\0\0\0\0\0\0\0\x10\0\0\x10\x10\0\0\0"), -1,
     "input frame 1 at byte 24: captured length too large"},
};

static void binary_tables(void)
{
    static struct ft_flow flows[4];
    for (size_t i = 0; i < sizeof bin_cases / sizeof bin_cases[0]; i++) {
        const struct bin_case *c = &bin_cases[i];
        struct ft_err err = {{0}};
        long n = import_buf(c->format, ft_format_find(5, 0), (const uint8_t *)c->bytes, c->len,
                            flows, 4, &err);
        CHECK(n == c->flows, "binary case %zu (-f %s): %ld flows, want %ld (%s)", i, c->format,
              n, c->flows, err.msg);
        if (c->msg)
            CHECK_EQ_S(err.msg, c->msg, c->format);
    }
}

/* ---- round trips --------------------------------------------------------- */

/* The records of a and b as fmt stores them, byte for byte (exaddr of a
 * zeroed when the format does not carry it). */
static int same_records(const struct ft_format *fmt, const struct ft_flow *a,
                        const struct ft_flow *b, size_t n, int no_exaddr)
{
    uint8_t ra[512], rb[512];
    for (size_t i = 0; i < n; i++) {
        struct ft_flow x = a[i];
        if (no_exaddr)
            x.exaddr = (struct ft_ip){.af = FT_AF_INET};
        ft_rec_encode(fmt, 0, &x, ra);
        ft_rec_encode(fmt, 0, &b[i], rb);
        if (memcmp(ra, rb, fmt->rec_size) != 0)
            return 0;
    }
    return 1;
}

static void round_trips(void)
{
    static struct ft_flow in[NFLOWS], back[NFLOWS + 1], again[NFLOWS + 1];
    static const char *names[] = {"0", "1", "2", "4", "json"};
    for (const struct ft_format *fmt = ft_formats; fmt->name; fmt++) {
        if (fmt->d_version == 1005 || fmt->d_version == FT_DV_EXTENDED)
            continue;           /* flow-import makes neither (flow-tools has no v1005) */
        make_flows(fmt, in, NFLOWS);
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            size_t len = 0;
            struct ft_err err;
            uint8_t *buf = export_buf(names[k], NULL, fmt, in, NFLOWS, &len);
            long n = buf ? import_buf(names[k], fmt, buf, len, back, NFLOWS + 1, &err) : -1;
            CHECK(n == NFLOWS, "%s -f %s: %ld flows back (%s)", fmt->name, names[k], n,
                  n < 0 ? err.msg : "");
            if (n == NFLOWS && names[k][0] == '0') {
                /* cflowd keeps seconds: exporting the flows read back gives
                 * the same bytes */
                size_t len2 = 0;
                uint8_t *buf2 = export_buf("0", NULL, fmt, back, NFLOWS, &len2);
                CHECK(buf2 && len2 == len && memcmp(buf, buf2, len) == 0,
                      "%s cflowd: export of the import is the export", fmt->name);
                free(buf2);
            } else if (n == NFLOWS) {
                CHECK(same_records(fmt, in, back, NFLOWS, names[k][0] == '4'),
                      "%s -f %s: the same records", fmt->name, names[k]);
            }
            /* every truncation of the first bytes, and byte flips, through
             * the parser: an error or flows, never a crash (ASan) */
            for (size_t cut = 0; buf && cut < len && cut < 300; cut += 7)
                import_buf(names[k], fmt, buf, cut, again, NFLOWS + 1, &err);
            for (int flip = 0; buf && flip < 40; flip++) {
                size_t at = rnd() % len;
                uint8_t old = buf[at];
                buf[at] ^= (uint8_t)(1u << (rnd() % 8));
                import_buf(names[k], fmt, buf, len, again, NFLOWS + 1, &err);
                buf[at] = old;
            }
            free(buf);
        }
    }
}

/* CSV and JSON with -m: the named columns only, read back by their header. */
static void chosen_fields(void)
{
    static struct ft_flow in[NFLOWS], back[NFLOWS + 1];
    const struct ft_format *v5 = ft_format_find(5, 0);
    make_flows(v5, in, NFLOWS);
    size_t len = 0;
    struct ft_err err;
    uint8_t *buf = export_buf("2", "dpkts,srcaddr,dstaddr", v5, in, NFLOWS, &len);
    CHECK(buf && memcmp(buf, "#:dpkts,srcaddr,dstaddr\n", 24) == 0, "csv -m header");
    long n = buf ? import_buf("2", v5, buf, len, back, NFLOWS + 1, &err) : -1;
    CHECK(n == NFLOWS && back[3].dpkts == in[3].dpkts && back[3].srcaddr.v4 == in[3].srcaddr.v4 &&
          back[3].doctets == 0, "csv -m read back");
    free(buf);
    buf = export_buf("json", "dpkts,srcaddr", v5, in, 1, &len);
    char want[128];
    snprintf(want, sizeof want, "{\"packets\":%llu,\"srcaddr\":\"%u.%u.%u.%u\"}\n",
             (unsigned long long)in[0].dpkts, in[0].srcaddr.v4 >> 24,
             in[0].srcaddr.v4 >> 16 & 255, in[0].srcaddr.v4 >> 8 & 255, in[0].srcaddr.v4 & 255);
    CHECK(buf && len == strlen(want) && memcmp(buf, want, len) == 0, "json -m: %.*s",
          (int)len, buf ? (char *)buf : "");
    free(buf);
}

static uint32_t sum16(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* The pcap export: every frame's lengths agree and its IPv4 and UDP
 * checksums verify (what tshark checks in tests/export.sh, without it). */
static void pcap_frames(void)
{
    static struct ft_flow in[NFLOWS];
    const struct ft_format *v5 = ft_format_find(5, 0);
    make_flows(v5, in, NFLOWS);
    size_t len = 0, off = 24, frames = 0, flows = 0;
    uint8_t *buf = export_buf("1", NULL, v5, in, NFLOWS, &len);
    CHECK(buf && len > 24 && memcmp(buf, "\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8) == 0,
          "pcap header");
    int good = buf != NULL;
    while (buf && off + 16 <= len) {
        const uint8_t *r = buf + off, *eth = r + 16, *ip = eth + 14, *udp = ip + 20;
        size_t cap = (size_t)r[8] | (size_t)r[9] << 8 | (size_t)r[10] << 16;
        if (off + 16 + cap > len || cap < 42 + 24)
            break;
        size_t ulen = cap - 34;
        uint32_t pseudo = sum16(0, ip + 12, 8) + 17 + (uint32_t)ulen;
        good &= be16(eth + 12) == 0x0800 && ip[0] == 0x45 && ip[9] == 17 &&
                be16(ip + 2) == cap - 14 && be16(udp + 4) == ulen &&
                sum16(0, ip, 20) == 0xffff && sum16(pseudo, udp, ulen) == 0xffff &&
                be16(udp + 8) == 5 && ip[12] == 0x7f;
        flows += be16(udp + 10);
        frames++;
        off += 16 + cap;
    }
    CHECK(good && off == len && frames >= 4, "pcap frames: %zu, lengths and checksums", frames);
    CHECK_EQ_U(flows, NFLOWS, "flows in the pcap's datagrams");
    free(buf);
}

int main(void)
{
    formats();
    field_lists();
    text_tables();
    binary_tables();
    round_trips();
    chosen_fields();
    pcap_frames();
    return ft_test_report("test_io");
}
