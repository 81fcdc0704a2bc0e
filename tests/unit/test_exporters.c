/*
 * test_exporters.c - per-exporter settings: the settings file (good files,
 * every kind of error with its file:line:"token"), the most-specific-entry
 * lookup, each setting and quirk on hand-made flows, the counters, the
 * FT_F_SCALED mark through the extended record, and the decoder hook on a
 * hand-built v5 datagram.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "ft_test.h"
#include "comment_lines.h"
#include "pdu/ft_exporters.h"
#include "stream/ft_format.h"
#include "pdu/ft_pdu.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static struct ft_exporters *parse(const char *text, uint32_t max, struct ft_err *err)
{
    memset(err, 0, sizeof *err);
    return ft_exporters_parse("t.conf", text, max, err);
}

/* ---- parsing: good files ------------------------------------------------ */

static void test_parse_good(void)
{
    struct ft_err err;
    const char *text =
        "# exporters of the lab\n"
        "\n"
        "exporter 192.0.2.1 sampling 1000 scale   # v5 router\n"
        "\texporter\t2001:db8::10 port 4739 source-id 7 fallback-sampling 100\r\n"
        "exporter 198.51.100.7/24 quirks uptime-seconds,swap-interfaces,zero-packets\n"
        "exporter any scale\n"
        "exporter 192.0.2.1 port 2055 quirks receive-time,header-uptime-seconds";
    struct ft_exporters *x = parse(text, 0, &err);
    CHECK(x != NULL, "good file refused: %s", err.msg);
    if (!x)
        return;
    CHECK_EQ_U(ft_exporters_count(x), 5, "entries");
    const struct ft_exporter_conf *c = ft_exporters_entry(x, 0);
    CHECK(c && !c->any && c->prefix.addr.af == FT_AF_INET &&
          c->prefix.addr.v4 == IP(192, 0, 2, 1) && c->prefix.len == 32, "entry 1 address");
    CHECK(c && c->sampling == 1000 && c->scale && !c->quirks && !c->has_port &&
          !c->has_source_id && c->line == 3, "entry 1 settings");
    c = ft_exporters_entry(x, 1);
    CHECK(c && c->prefix.addr.af == FT_AF_INET6 && c->prefix.len == 128 && c->has_port &&
          c->port == 4739 && c->has_source_id && c->source_id == 7 &&
          c->fallback_sampling == 100 && !c->sampling && !c->scale && c->line == 4,
          "entry 2 (tab, CRLF, IPv6, port, source id)");
    c = ft_exporters_entry(x, 2);
    CHECK(c && c->prefix.len == 24 && c->prefix.addr.v4 == IP(198, 51, 100, 0),
          "entry 3 network is masked");
    CHECK(c && c->quirks == (FT_QUIRK_UPTIME_SECONDS | FT_QUIRK_SWAP_INTERFACES |
                             FT_QUIRK_ZERO_PACKETS), "entry 3 quirks");
    c = ft_exporters_entry(x, 3);
    CHECK(c && c->any && c->scale, "entry 4 any");
    c = ft_exporters_entry(x, 4);
    CHECK(c && c->port == 2055 && c->quirks == (FT_QUIRK_RECEIVE_TIME |
          FT_QUIRK_HEADER_UPTIME_SECONDS) && c->line == 7, "entry 5, last line without newline");
    CHECK(ft_exporters_entry(x, 5) == NULL, "no entry past the end");
    ft_exporters_free(x);

    x = parse("", 0, &err);
    CHECK(x && ft_exporters_count(x) == 0, "empty file: no entries");
    ft_exporters_free(x);
    x = parse("   # only a comment\n\n\t\n", 0, &err);
    CHECK(x && ft_exporters_count(x) == 0, "comments only: no entries");
    ft_exporters_free(x);

    CHECK_EQ_S(ft_quirk_name(FT_QUIRK_ZERO_PACKETS), "zero-packets", "quirk name");
    CHECK(ft_quirk_name(0x8000) == NULL, "unknown quirk bit has no name");
}

/* ---- parsing: errors ---------------------------------------------------- */

struct bad_case {
    const char *text;
    const char *want;           /* the whole message */
};

static void test_parse_errors(void)
{
    static const struct bad_case cases[] = {
        {"exporter\n", "t.conf:1: \"exporter\": needs an address, a network or \"any\""},
        {"# c\nexporter 192.0.2.1\n",
         "t.conf:2: \"exporter\": no setting (sampling, fallback-sampling, scale or quirks)"},
        {"exportr 192.0.2.1 scale\n",
         "t.conf:1: \"exportr\": unknown keyword (expected \"exporter\")"},
        {"exporter router.example scale\n",
         "t.conf:1: \"router.example\": not an address, network or \"any\""},
        {"exporter 192.0.2.1,192.0.2.2 scale\n",
         "t.conf:1: \"192.0.2.1,192.0.2.2\": not an address, network or \"any\""},
        {"exporter 192.0.2.1 samplng 10\n",
         "t.conf:1: \"samplng\": unknown setting (port, source-id, sampling, "
         "fallback-sampling, scale or quirks)"},
        {"exporter 192.0.2.1 sampling 0\n",
         "t.conf:1: \"0\": sampling interval must be 1..4294967295"},
        {"exporter 192.0.2.1 sampling 4294967296\n",
         "t.conf:1: \"4294967296\": sampling interval must be 1..4294967295"},
        {"exporter 192.0.2.1 sampling 10x\n",
         "t.conf:1: \"10x\": sampling interval must be 1..4294967295"},
        {"exporter 192.0.2.1 fallback-sampling -5\n",
         "t.conf:1: \"-5\": sampling interval must be 1..4294967295"},
        {"exporter 192.0.2.1 sampling\n", "t.conf:1: \"sampling\": needs a number"},
        {"exporter 192.0.2.1 port 0 scale\n", "t.conf:1: \"0\": port must be 1..65535"},
        {"exporter 192.0.2.1 port 65536 scale\n",
         "t.conf:1: \"65536\": port must be 1..65535"},
        {"exporter 192.0.2.1 source-id x scale\n",
         "t.conf:1: \"x\": source id must be 0..4294967295"},
        {"exporter 192.0.2.1 scale scale\n", "t.conf:1: \"scale\": given twice"},
        {"exporter 192.0.2.1 quirks\n", "t.conf:1: \"quirks\": needs a list of quirks"},
        {"exporter 192.0.2.1 quirks uptime-seconds,bogus\n",
         "t.conf:1: \"bogus\": unknown quirk"},
        {"exporter 192.0.2.1 quirks zero-packets,zero-packets\n",
         "t.conf:1: \"zero-packets\": quirk given twice"},
        {"exporter 192.0.2.1 quirks zero-packets,\n",
         "t.conf:1: \"zero-packets,\": needs a list of quirks separated by commas"},
        {"exporter 192.0.2.1 quirks uptime-seconds,header-uptime-seconds\n",
         "t.conf:1: \"uptime-seconds,header-uptime-seconds\": uptime-seconds already "
         "covers header-uptime-seconds"},
        {"exporter 192.0.2.1 sampling 10 fallback-sampling 5\n",
         "t.conf:1: \"exporter\": sampling and fallback-sampling exclude each other"},
        {"exporter 192.0.2.1 scale\n# again\nexporter 192.0.2.1 sampling 5\n",
         "t.conf:3: \"192.0.2.1\": exporter already set on line 1"},
        {"exporter 10.0.0.0/8 scale\nexporter 10.1.2.3/8 sampling 5\n",
         "t.conf:2: \"10.1.2.3/8\": exporter already set on line 1"},
        {"exporter any scale\nexporter any sampling 5\n",
         "t.conf:2: \"any\": exporter already set on line 1"},
        {"exporter 192.0.2.1/33 scale\n",
         "t.conf:1: \"192.0.2.1/33\": bad prefix length in \"192.0.2.1/33\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ft_err err;
        struct ft_exporters *x = parse(cases[i].text, 0, &err);
        CHECK(x == NULL, "case %zu accepted: %s", i, cases[i].text);
        ft_exporters_free(x);
        CHECK_EQ_S(err.msg, cases[i].want, cases[i].text);
    }

    /* entries that differ only by port or source id are different exporters */
    struct ft_err err;
    struct ft_exporters *x = parse("exporter 192.0.2.1 scale\n"
                                   "exporter 192.0.2.1 port 9 scale\n"
                                   "exporter 192.0.2.1 source-id 9 scale\n"
                                   "exporter 192.0.2.1 port 9 source-id 9 scale\n", 0, &err);
    CHECK(x && ft_exporters_count(x) == 4, "port/source-id variants are distinct: %s",
          err.msg);
    ft_exporters_free(x);

    /* too many words, too long a line, control bytes shown as '?' */
    char line[2048];
    strcpy(line, "exporter 192.0.2.1");
    for (int i = 0; i < 40; i++)
        strcat(line, " scale");
    x = parse(line, 0, &err);
    CHECK(x == NULL && strstr(err.msg, "t.conf:1: ") && strstr(err.msg, "more than 32 words"),
          "too many words: %s", err.msg);
    memset(line, 'a', sizeof line - 1);
    line[sizeof line - 1] = '\0';
    x = parse(line, 0, &err);
    CHECK(x == NULL, "long line accepted");
    CHECK_EQ_S(err.msg, "t.conf:1: line longer than 1024 bytes", "long line");
    x = parse("exporter 192.0.2.1 \x01scale\n", 0, &err);
    CHECK_EQ_S(err.msg, "t.conf:1: \"?scale\": unknown setting (port, source-id, sampling, "
               "fallback-sampling, scale or quirks)", "control byte");
}

static void test_parse_limit(void)
{
    struct ft_err err;
    const char *four = "exporter 192.0.2.1 scale\nexporter 192.0.2.2 scale\n"
                       "exporter 192.0.2.3 scale\nexporter 192.0.2.4 scale\n";
    struct ft_exporters *x = parse(four, 2, &err);
    CHECK(x == NULL, "limit of 2 took 4 entries");
    CHECK_EQ_S(err.msg, "t.conf:3: \"exporter\": more than 2 entries (2 refused)", "limit");
    x = parse(four, 4, &err);
    CHECK(x && ft_exporters_count(x) == 4, "limit of 4 takes 4");
    ft_exporters_free(x);
    /* an error after the limit still wins: the file is wrong, not just long */
    x = parse("exporter 192.0.2.1 scale\nexporter 192.0.2.2 scale\nexporter 192.0.2.3 bad\n",
              1, &err);
    CHECK(x == NULL && strstr(err.msg, "t.conf:3: \"bad\""), "error past the limit: %s",
          err.msg);
}

/* A settings file in a temporary file: its path in path (64 bytes). */
static int write_file(char *path, const char *text, size_t len)
{
    strcpy(path, "/tmp/test_exporters_XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, text, len);
    close(fd);
    return w == (ssize_t)len ? 0 : -1;
}

static void test_load_file(void)
{
    char path[64];
    const char *text = "# lab\nexporter 192.0.2.1 sampling 10\nexporter 192.0.2.2 scale";
    CHECK(write_file(path, text, strlen(text)) == 0, "write %s", path);
    struct ft_err err;
    struct ft_exporters *x = ft_exporters_load(path, 0, &err);
    CHECK(x && ft_exporters_count(x) == 2, "file loaded: %s", x ? "" : err.msg);
    CHECK(x && ft_exporters_entry(x, 1)->line == 3, "line numbers from a file");
    ft_exporters_free(x);

    FILE *fp = fopen(path, "w");
    fprintf(fp, "exporter 192.0.2.1 sampling 10\n\n  exporter 192.0.2.9 port 99999 scale\n");
    fclose(fp);
    x = ft_exporters_load(path, 0, &err);
    char want[300];
    snprintf(want, sizeof want, "%s:3: \"99999\": port must be 1..65535", path);
    CHECK(x == NULL, "bad file loaded");
    CHECK_EQ_S(err.msg, want, "error names the file");

    fp = fopen(path, "w");
    fprintf(fp, "exporter 192.0.2.1 scale\n");
    for (int i = 0; i < 1100; i++)
        fputc('x', fp);
    fputc('\n', fp);
    fclose(fp);
    x = ft_exporters_load(path, 0, &err);
    snprintf(want, sizeof want, "%s:2: line longer than 1024 bytes", path);
    CHECK(x == NULL, "long line in a file loaded");
    CHECK_EQ_S(err.msg, want, "long line in a file");

    unlink(path);
    x = ft_exporters_load(path, 0, &err);
    CHECK(x == NULL && strstr(err.msg, path) && strstr(err.msg, "No such file"),
          "missing file: %s", err.msg);
}

/* Comments, tabs and CRLF line ends, through the text parser and the file
 * reader alike: comment lines of more words than a line may hold and longer
 * than a line, and comments after an entry ('#' starts a comment anywhere
 * in this language, ftkit-exporters(5)), however long. */
static void test_comments(void)
{
    static char many[2000], longc[2000], text[10000];
    comment_lines(many, longc, sizeof many);
    snprintf(text, sizeof text,
             "%s\r\n\t# a tab first\r\n%s\r\n\r\n \t\r\n"
             "exporter\t192.0.2.1\tsampling\t10\t%s\r\n"
             "exporter 192.0.2.2 scale %s\r\n"
             "exporter 192.0.2.3 quirks zero-packets\r", many, longc, many, longc);
    char path[64];
    CHECK(write_file(path, text, strlen(text)) == 0, "write %s", path);
    for (int from_file = 0; from_file < 2; from_file++) {
        struct ft_err err = {""};
        struct ft_exporters *x = from_file ? ft_exporters_load(path, 0, &err)
                                           : parse(text, 0, &err);
        const char *how = from_file ? "file" : "text";
        CHECK(x && ft_exporters_count(x) == 3, "%s: commented CRLF settings: %s", how, err.msg);
        if (!x)
            continue;
        const struct ft_exporter_conf *c = ft_exporters_entry(x, 0);
        CHECK(c->line == 6 && c->sampling == 10, "%s: tabs, a comment of many words after",
              how);
        c = ft_exporters_entry(x, 1);
        CHECK(c->line == 7 && c->scale, "%s: a comment longer than a line after", how);
        c = ft_exporters_entry(x, 2);
        CHECK(c->line == 8 && c->quirks == FT_QUIRK_ZERO_PACKETS,
              "%s: CR at the end of the file", how);
        ft_exporters_free(x);
    }
    /* a NUL byte would end the text early: refused with its line */
    static const char nul[] = "exporter 192.0.2.1 scale\nexporter 192.0.2.2\0 x scale\n";
    CHECK(write_file(path, nul, sizeof nul - 1) == 0, "write %s", path);
    struct ft_err err = {""};
    struct ft_exporters *x = ft_exporters_load(path, 0, &err);
    char want[128];
    snprintf(want, sizeof want, "%s:2: a NUL byte", path);
    CHECK(x == NULL && strstr(err.msg, want), "NUL byte: %s", err.msg);
    ft_exporters_free(x);
    unlink(path);
}

/* ---- lookup ------------------------------------------------------------- */

static struct ft_flow flow4(uint32_t exaddr, uint16_t port)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    f.has = FT_F_EXADDR | FT_F_EXPORT_INFO | FT_F_DPKTS | FT_F_DOCTETS;
    ft_ip_set4(&f.exaddr, exaddr);
    f.exporter_port = port;
    f.export_version = 5;
    return f;
}

static void test_lookup(void)
{
    struct ft_err err;
    struct ft_exporters *x = parse(
        "exporter any sampling 1\n"
        "exporter 10.0.0.0/8 sampling 2\n"
        "exporter 10.1.2.3 sampling 3\n"
        "exporter 10.1.2.3 port 2055 sampling 4\n"
        "exporter 10.1.2.3 source-id 7 sampling 5\n"
        "exporter 2001:db8::/32 sampling 6\n", 0, &err);
    CHECK(x != NULL, "lookup file: %s", err.msg);
    if (!x)
        return;
    struct {
        struct ft_flow f;
        uint32_t want;          /* sampling of the entry expected; 0 = none */
    } t[8];
    t[0].f = flow4(IP(10, 1, 2, 3), 2055);
    t[0].f.has |= FT_F_SOURCE_ID;
    t[0].f.source_id = 7;
    t[0].want = 5;              /* source id beats port */
    t[1].f = flow4(IP(10, 1, 2, 3), 2055);
    t[1].want = 4;              /* v5: no source id, the port entry */
    t[2].f = flow4(IP(10, 1, 2, 3), 99);
    t[2].want = 3;              /* the /32 */
    t[3].f = flow4(IP(10, 9, 9, 9), 2055);
    t[3].want = 2;              /* the /8 */
    t[4].f = flow4(IP(192, 0, 2, 1), 2055);
    t[4].want = 1;              /* any */
    t[5].f = flow4(0, 0);
    t[5].f.has &= ~FT_F_EXADDR;
    t[5].f.exaddr.af = FT_AF_NONE;
    t[5].want = 1;              /* no exporter address: only any */
    t[6].f = flow4(0, 2055);
    t[6].f.exaddr.af = FT_AF_INET6;
    memset(t[6].f.exaddr.v6, 0, 16);
    t[6].f.exaddr.v6[0] = 0x20;
    t[6].f.exaddr.v6[1] = 0x01;
    t[6].f.exaddr.v6[2] = 0x0d;
    t[6].f.exaddr.v6[3] = 0xb8;
    t[6].f.exaddr.v6[15] = 1;
    t[6].want = 6;
    t[7].f = t[6].f;
    t[7].f.exaddr.v6[3] = 0xb9; /* 2001:db9::1 */
    t[7].want = 1;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        const struct ft_exporter_conf *c = ft_exporters_find(x, &t[i].f);
        CHECK(c && c->sampling == t[i].want, "lookup %zu: entry with sampling %u, got %u", i,
              t[i].want, c ? c->sampling : 0);
    }
    ft_exporters_free(x);

    x = parse("exporter 10.0.0.0/8 sampling 2\n", 0, &err);
    struct ft_flow f = flow4(IP(11, 0, 0, 1), 1);
    CHECK(ft_exporters_find(x, &f) == NULL, "no entry outside the network");
    f.sampling_interval = 77;
    ft_exporters_apply(x, &f, 1, 0);
    CHECK(f.sampling_interval == 77 && !(f.has & FT_F_SAMPLING), "unmatched flow unchanged");
    struct ft_exporters_stats st;
    ft_exporters_stats(x, &st);
    CHECK_EQ_U(st.matched, 0, "unmatched flow not counted");
    ft_exporters_free(x);
}

/* ---- application -------------------------------------------------------- */

static struct ft_exporters *one(const char *settings)
{
    char text[256];
    snprintf(text, sizeof text, "exporter 192.0.2.1 %s\n", settings);
    struct ft_err err;
    struct ft_exporters *x = parse(text, 0, &err);
    CHECK(x != NULL, "%s: %s", text, err.msg);
    return x;
}

static struct ft_flow v5flow(uint32_t interval, uint64_t pkts, uint64_t octets)
{
    struct ft_flow f = flow4(IP(192, 0, 2, 1), 5000);
    f.has |= FT_F_SAMPLING | FT_F_INPUT | FT_F_OUTPUT;
    f.sampling_interval = interval;
    f.dpkts = pkts;
    f.doctets = octets;
    f.input = 3;
    f.output = 7;
    return f;
}

static void test_sampling(void)
{
    struct ft_exporters_stats st;
    struct ft_exporters *x = one("sampling 1000");
    if (!x)
        return;
    struct ft_flow f[3] = {v5flow(0, 2, 200), v5flow(50, 2, 200), v5flow(0, 2, 200)};
    f[2].has &= ~FT_F_SAMPLING;
    ft_exporters_apply(x, f, 3, 0);
    for (int i = 0; i < 3; i++) {
        CHECK(f[i].sampling_interval == 1000 && (f[i].has & FT_F_SAMPLING),
              "override %d: %u", i, f[i].sampling_interval);
        CHECK(f[i].dpkts == 2 && f[i].doctets == 200 && !(f[i].has & FT_F_SCALED),
              "no scaling unless asked %d", i);
    }
    ft_exporters_stats(x, &st);
    CHECK_EQ_U(st.matched, 3, "matched");
    CHECK_EQ_U(st.sampling_set, 3, "sampling_set");
    CHECK_EQ_U(st.scaled, 0, "scaled");
    ft_exporters_free(x);

    x = one("fallback-sampling 100");
    if (!x)
        return;
    struct ft_flow g[3] = {v5flow(0, 1, 1), v5flow(50, 1, 1), v5flow(7, 1, 1)};
    g[2].has &= ~FT_F_SAMPLING;
    ft_exporters_apply(x, g, 3, 0);
    CHECK_EQ_U(g[0].sampling_interval, 100, "fallback for 0");
    CHECK_EQ_U(g[1].sampling_interval, 50, "exported interval kept");
    CHECK(g[2].sampling_interval == 100 && (g[2].has & FT_F_SAMPLING), "fallback when absent");
    ft_exporters_stats(x, &st);
    CHECK_EQ_U(st.sampling_set, 2, "fallback counted where used");
    ft_exporters_free(x);
}

static void test_scale(void)
{
    struct ft_exporters_stats st;
    struct ft_exporters *x = one("scale");
    if (!x)
        return;
    struct ft_flow f[4] = {v5flow(1000, 3, 300), v5flow(0, 3, 300), v5flow(1, 3, 300),
                           v5flow(4294967295u, UINT64_MAX / 2, 5)};
    ft_exporters_apply(x, f, 4, 0);
    CHECK(f[0].dpkts == 3000 && f[0].doctets == 300000 && (f[0].has & FT_F_SCALED),
          "scaled by the exported interval: %llu %llu", (unsigned long long)f[0].dpkts,
          (unsigned long long)f[0].doctets);
    CHECK(f[1].dpkts == 3 && f[1].doctets == 300 && !(f[1].has & FT_F_SCALED),
          "unknown interval: never multiplied by 0");
    CHECK(f[2].dpkts == 3 && !(f[2].has & FT_F_SCALED), "interval 1: nothing to do");
    CHECK(f[3].dpkts == UINT64_MAX && f[3].doctets == 5ull * 4294967295u &&
          (f[3].has & FT_F_SCALED), "saturated packets, octets exact");
    ft_exporters_stats(x, &st);
    CHECK_EQ_U(st.scaled, 2, "scaled");
    CHECK_EQ_U(st.scale_unknown, 1, "scale_unknown");
    CHECK_EQ_U(st.scale_saturated, 1, "scale_saturated");

    /* a flow already scaled (e.g. read back and sent again) is left alone */
    ft_exporters_apply(x, f, 1, 0);
    CHECK_EQ_U(f[0].dpkts, 3000, "never scaled twice");

    char buf[256];
    ft_exporters_stats_str(x, buf, sizeof buf);
    CHECK_EQ_S(buf, " settings_flows=5 scaled=2 scale_unknown=1 scale_saturated=1",
               "stats string");
    char tiny[8];
    ft_exporters_stats_str(x, tiny, sizeof tiny);
    CHECK(strlen(tiny) < sizeof tiny, "stats string truncated safely");
    ft_exporters_free(x);

    /* the override comes before scaling */
    x = one("sampling 10 scale");
    if (!x)
        return;
    struct ft_flow g = v5flow(0, 4, 40);
    ft_exporters_apply(x, &g, 1, 0);
    CHECK(g.dpkts == 40 && g.doctets == 400 && g.sampling_interval == 10,
          "override then scale");
    ft_exporters_free(x);

    /* the mark survives the extended record, not a v5 one */
    const struct ft_format *ext = ft_format_find(FT_DV_EXTENDED, 0);
    uint8_t rec[1024];
    struct ft_flow back;
    CHECK(ext && ext->rec_size <= sizeof rec, "extended format");
    if (ext && ext->rec_size <= sizeof rec) {
        ft_rec_encode(ext, FT_ORDER_LITTLE, &g, rec);
        ft_rec_decode(ext, FT_ORDER_LITTLE, rec, &back);
        CHECK((back.has & FT_F_SCALED) && back.dpkts == 40 && back.sampling_interval == 10,
              "FT_F_SCALED through the extended record");
    }
}

static void test_quirks_simple(void)
{
    struct ft_exporters_stats st;
    struct ft_exporters *x = one("quirks swap-interfaces,zero-packets");
    if (!x)
        return;
    struct ft_flow f[2] = {v5flow(0, 0, 40), v5flow(0, 5, 40)};
    f[1].has &= ~FT_F_OUTPUT;
    f[1].output = 0;
    ft_exporters_apply(x, f, 2, 0);
    CHECK(f[0].input == 7 && f[0].output == 3, "interfaces swapped");
    CHECK(f[1].input == 0 && f[1].output == 3 && (f[1].has & FT_F_OUTPUT) &&
          !(f[1].has & FT_F_INPUT), "has bits follow the swap");
    CHECK(f[0].dpkts == 1 && f[1].dpkts == 5, "zero packets made 1, others kept");
    ft_exporters_stats(x, &st);
    CHECK_EQ_U(st.swapped_interfaces, 2, "swapped_interfaces");
    CHECK_EQ_U(st.zero_packets, 1, "zero_packets");
    ft_exporters_free(x);

    /* zero-packets comes before scaling: one sampled packet is `interval` packets */
    x = one("sampling 100 scale quirks zero-packets");
    if (!x)
        return;
    struct ft_flow g = v5flow(0, 0, 64);
    ft_exporters_apply(x, &g, 1, 0);
    CHECK(g.dpkts == 100 && g.doctets == 6400, "zero packets then scaled: %llu",
          (unsigned long long)g.dpkts);
    ft_exporters_free(x);
}

/* A v5/v9-style flow with uptime stamps exported at 1700000000.250 s. */
static struct ft_flow uptime_flow(uint32_t sysuptime, uint32_t first, uint32_t last)
{
    struct ft_flow f = v5flow(0, 1, 1);
    f.has |= FT_F_UNIX_SECS | FT_F_UNIX_NSECS | FT_F_SYSUPTIME | FT_F_FIRST | FT_F_LAST;
    f.unix_secs = 1700000000;
    f.unix_nsecs = 250000000;
    f.sysuptime = sysuptime;
    f.first = first;
    f.last = last;
    ft_flow_set_times(&f);
    return f;
}

static void test_quirks_uptime(void)
{
    const uint64_t export_ms = 1700000000250ull;
    struct ft_exporters_stats st;
    struct ft_exporters *x = one("quirks uptime-seconds");
    if (!x)
        return;
    /* 100000 s up; the flow ran from 30 s to 10 s before the export */
    struct ft_flow f = uptime_flow(100000, 99970, 99990);
    ft_exporters_apply(x, &f, 1, 0);
    CHECK(f.start_ms == export_ms - 30000 && f.end_ms == export_ms - 10000,
          "uptime-seconds: start %llu end %llu", (unsigned long long)f.start_ms,
          (unsigned long long)f.end_ms);
    CHECK(f.sysuptime == 100000000u && f.first == 99970000u && f.last == 99990000u,
          "uptime stamps in ms");
    /* large uptimes wrap like the uptime itself: differences still hold */
    struct ft_flow w = uptime_flow(5000000, 4999000, 4999999);
    ft_exporters_apply(x, &w, 1, 0);
    CHECK(w.start_ms == export_ms - 1000000 && w.end_ms == export_ms - 1000,
          "uptime-seconds past 2^32 ms: start %llu", (unsigned long long)w.start_ms);
    CHECK(ft_uptime_to_ms(w.unix_secs, w.unix_nsecs, w.sysuptime, w.first) == w.start_ms,
          "stored stamps give the same time again");

    /* times that came as absolute: kept, and the derived stamps re-derived */
    struct ft_flow a = uptime_flow(100000, 0, 0);
    a.has |= FT_F_ABS_TIMES;
    a.start_ms = export_ms - 4000;
    a.end_ms = export_ms - 2000;
    a.first = a.sysuptime - 4000;       /* what a decoder derives, ms vs s header */
    a.last = a.sysuptime - 2000;
    ft_exporters_apply(x, &a, 1, 0);
    CHECK(a.start_ms == export_ms - 4000 && a.end_ms == export_ms - 2000,
          "absolute times untouched");
    CHECK(a.first == 100000000u - 4000 && a.last == 100000000u - 2000,
          "derived stamps follow the header: %u", a.first);

    /* IPFIX: stamps relative to systemInitTime, no header uptime */
    struct ft_flow p = v5flow(0, 1, 1);
    const uint64_t init = 1699990000000ull;
    p.has |= FT_F_FIRST | FT_F_LAST | FT_F_TIMES;
    p.first = 20;
    p.last = 25;
    p.start_ms = init + p.first;
    p.end_ms = init + p.last;
    ft_exporters_apply(x, &p, 1, 0);
    CHECK(p.start_ms == init + 20000 && p.end_ms == init + 25000 && p.first == 20000,
          "IPFIX uptime stamps in seconds");
    ft_exporters_stats(x, &st);
    CHECK_EQ_U(st.uptime_seconds, 4, "uptime_seconds");
    ft_exporters_free(x);

    x = one("quirks header-uptime-seconds");
    if (!x)
        return;
    struct ft_flow h = uptime_flow(100000, 99970000u, 99990000u);
    ft_exporters_apply(x, &h, 1, 0);
    CHECK(h.start_ms == export_ms - 30000 && h.end_ms == export_ms - 10000 &&
          h.first == 99970000u, "header-uptime-seconds");
    struct ft_flow q = p;       /* IPFIX has no header uptime: nothing to do */
    q.first = 20;
    q.start_ms = init + 20;
    ft_exporters_apply(x, &q, 1, 0);
    CHECK(q.start_ms == init + 20, "header-uptime-seconds leaves IPFIX alone");
    ft_exporters_stats(x, &st);
    CHECK_EQ_U(st.uptime_seconds, 1, "header-uptime-seconds counted once");
    ft_exporters_free(x);
}

static void test_quirks_receive_time(void)
{
    struct ft_exporters_stats st;
    struct ft_exporters *x = one("quirks receive-time");
    if (!x)
        return;
    /* the exporter's clock is 99.75 s behind the arrival time */
    struct ft_flow f = uptime_flow(100000, 99970, 99990);
    uint64_t start = f.start_ms, end = f.end_ms;
    const uint64_t recv = 1700000100000ull;
    ft_exporters_apply(x, &f, 1, recv);
    CHECK(f.unix_secs == 1700000100 && f.unix_nsecs == 0, "export time := arrival");
    CHECK(f.start_ms == start + 99750 && f.end_ms == end + 99750, "times moved along");
    CHECK(ft_uptime_to_ms(f.unix_secs, f.unix_nsecs, f.sysuptime, f.first) == f.start_ms,
          "stored stamps agree with the moved time");

    /* IPFIX: whole-second export times */
    struct ft_flow p = v5flow(0, 1, 1);
    p.has |= FT_F_UNIX_SECS | FT_F_TIMES | FT_F_ABS_TIMES;
    p.unix_secs = 1000;
    p.start_ms = 990000;
    p.end_ms = 999000;
    ft_exporters_apply(x, &p, 1, 1500789);
    CHECK(p.unix_secs == 1500 && p.start_ms == 1490000 && p.end_ms == 1499000,
          "IPFIX receive-time: %u %llu", p.unix_secs, (unsigned long long)p.start_ms);

    struct ft_flow u = uptime_flow(100000, 99970, 99990);
    ft_exporters_apply(x, &u, 1, 0);
    CHECK(u.unix_secs == 1700000000, "arrival unknown: unchanged");
    ft_exporters_stats(x, &st);
    CHECK_EQ_U(st.receive_time, 2, "receive_time");
    CHECK_EQ_U(st.receive_time_unknown, 1, "receive_time_unknown");
    ft_exporters_free(x);
}

/* Runs of flows from several exporters in one batch each find their entry. */
static void test_batch_runs(void)
{
    struct ft_err err;
    struct ft_exporters *x = parse("exporter 192.0.2.1 sampling 10\n"
                                   "exporter 192.0.2.2 sampling 20\n", 0, &err);
    if (!x)
        return;
    struct ft_flow f[5] = {v5flow(0, 1, 1), v5flow(0, 1, 1), v5flow(0, 1, 1),
                           v5flow(0, 1, 1), v5flow(0, 1, 1)};
    ft_ip_set4(&f[2].exaddr, IP(192, 0, 2, 2));
    ft_ip_set4(&f[3].exaddr, IP(192, 0, 2, 3));
    ft_exporters_apply(x, f, 5, 0);
    uint32_t want[5] = {10, 10, 20, 0, 10};
    for (int i = 0; i < 5; i++)
        CHECK(f[i].sampling_interval == want[i], "batch flow %d: %u want %u", i,
              f[i].sampling_interval, want[i]);
    ft_exporters_apply(NULL, f, 5, 0);      /* no settings: nothing happens */
    ft_exporters_free(x);
}

/* Many exporters: every flow finds its own entry, twice over (the second
 * time through remembered lookups, with collisions among them). */
static void test_many_exporters(void)
{
    static char text[4096 * 48];
    size_t used = 0;
    for (unsigned i = 0; i < 4096; i++)
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "exporter 10.%u.%u.1 sampling %u\n", i >> 8, i & 255, i + 1);
    struct ft_err err;
    struct ft_exporters *x = parse(text, 0, &err);
    CHECK(x && ft_exporters_count(x) == 4096, "4096 entries: %s", x ? "" : err.msg);
    if (!x)
        return;
    static struct ft_flow f[6000];
    unsigned wrong = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < 6000; i++) {
            f[i] = flow4(IP(10, (i % 5000) >> 8, i & 255, 1), 2055);
            f[i].sampling_interval = 0;
        }
        ft_exporters_apply(x, f, 6000, 0);
        for (unsigned i = 0; i < 6000; i++) {
            unsigned e = (i % 5000) >> 8 << 8 | (i & 255);
            uint32_t want = e < 4096 ? e + 1 : 0;
            wrong += f[i].sampling_interval != want;
        }
    }
    CHECK(wrong == 0, "%u flows got another exporter's interval", wrong);
    ft_exporters_free(x);
}

/* ---- through the decoder ------------------------------------------------ */

static size_t v5_datagram(uint8_t *b, unsigned sampling, uint32_t pkts)
{
    memset(b, 0, 24 + 48);
    b[1] = 5;
    b[3] = 1;                                   /* count */
    uint32_t hdr[] = {100000, 1700000000, 0, 1};  /* uptime, secs, nsecs, sequence */
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            b[4 + 4 * i + j] = (uint8_t)(hdr[i] >> (24 - 8 * j));
    b[22] = (uint8_t)(sampling >> 8);
    b[23] = (uint8_t)sampling;
    uint8_t *r = b + 24;
    r[0] = 10; r[3] = 1;                        /* srcaddr 10.0.0.1 */
    r[13] = 3;                                  /* input */
    r[15] = 4;                                  /* output */
    for (int j = 0; j < 4; j++)
        r[16 + j] = (uint8_t)(pkts >> (24 - 8 * j));
    r[22] = 0x05; r[23] = 0xdc;                 /* octets 1500 */
    return 24 + 48;
}

static void test_decoder_hook(void)
{
    struct ft_err err;
    struct ft_exporters *x = parse("exporter 192.0.2.1 scale quirks swap-interfaces\n"
                                   "exporter 192.0.2.2 sampling 3 scale quirks zero-packets\n",
                                   0, &err);
    if (!x)
        return;
    struct ft_pdu_opts po = {0};
    po.exporters = x;
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(&po);
    struct ft_pdu_ctx *plain = ft_pdu_ctx_new(NULL);
    uint8_t b[128];
    struct ft_pdu_src src;
    memset(&src, 0, sizeof src);
    ft_ip_set4(&src.addr, IP(192, 0, 2, 1));
    src.port = 5000;
    struct ft_pdu_info info, pinfo;
    size_t len = v5_datagram(b, 0x4000 | 10, 7);    /* header: 1 in 10, mode 1 */
    int n = ft_pdu_decode(ctx, &src, b, len, &info, &err);
    int pn = ft_pdu_decode(plain, &src, b, len, &pinfo, &err);
    CHECK(n == 1 && pn == 1, "decoded: %d %d", n, pn);
    if (n == 1 && pn == 1) {
        const struct ft_flow *f = &info.flows[0], *p = &pinfo.flows[0];
        CHECK(p->sampling_interval == 10 && p->dpkts == 7 && !(p->has & FT_F_SCALED),
              "plain decoder: header interval, counters as sent");
        CHECK(f->dpkts == p->dpkts * 10 && f->doctets == p->doctets * 10 &&
              (f->has & FT_F_SCALED), "hook: scaled by the header's interval");
        CHECK(f->input == p->output && f->output == p->input, "hook: interfaces swapped");
    }
    ft_ip_set4(&src.addr, IP(192, 0, 2, 2));
    len = v5_datagram(b, 0, 0);
    n = ft_pdu_decode(ctx, &src, b, len, &info, &err);
    CHECK(n == 1 && info.flows[0].dpkts == 3 && info.flows[0].doctets == 4500 &&
          info.flows[0].sampling_interval == 3, "hook: zero packets, override, scale");
    struct ft_exporters_stats st;
    ft_exporters_stats(x, &st);
    CHECK_EQ_U(st.scaled, 2, "hook counted scaled flows");
    CHECK_EQ_U(st.zero_packets, 1, "hook counted zero packets");
    ft_pdu_ctx_free(ctx);
    ft_pdu_ctx_free(plain);
    ft_exporters_free(x);
}

int main(void)
{
    test_parse_good();
    test_parse_errors();
    test_parse_limit();
    test_load_file();
    test_comments();
    test_lookup();
    test_sampling();
    test_scale();
    test_quirks_simple();
    test_quirks_uptime();
    test_quirks_receive_time();
    test_batch_runs();
    test_many_exporters();
    test_decoder_hook();
    return ft_test_report("test_exporters");
}
