/*
 * test_sensor.c - the sensor's packet parser and flow cache, over packets
 * built here byte by byte: every link type, headers with options and
 * extension chains, fragments, and malformed packets of every reason (each
 * truncation point of a good packet must give a reason, never a read past
 * the end: run under ASan).  The cache is checked against sums known from
 * the packets fed to it: expiry by each cause, full-cache eviction order,
 * sampling.
 */
#include <stdint.h>
#include <string.h>
#include <pcap/pcap.h>
#include "ft_test.h"
#include "sensor/ft_packet.h"
#include "sensor/ft_meter.h"

/* ---- packet building ---------------------------------------------------- */

struct buf {
    uint8_t b[512];
    size_t n;
};

static void put(struct buf *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void put8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void put16(struct buf *b, unsigned v) { put8(b, v >> 8); put8(b, v); }
static void put32(struct buf *b, uint32_t v) { put16(b, v >> 16); put16(b, v & 0xffff); }

static void eth(struct buf *b, unsigned type)
{
    static const uint8_t macs[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    put(b, macs, 12);
    put16(b, type);
}

/* IPv4 header with opt_words of options, total length total. */
static void ipv4(struct buf *b, unsigned total, unsigned prot, unsigned tos, unsigned frag,
                 unsigned opt_words)
{
    put8(b, 0x45 + opt_words);
    put8(b, tos);
    put16(b, total);
    put16(b, 0x1234);           /* id */
    put16(b, frag);
    put8(b, 64);
    put8(b, prot);
    put16(b, 0);
    put32(b, 0x0a000001);
    put32(b, 0x0a000002);
    for (unsigned i = 0; i < opt_words; i++)
        put32(b, 0x01010101);   /* NOPs */
}

static void ipv6(struct buf *b, unsigned payload, unsigned next, unsigned tclass)
{
    put32(b, 6u << 28 | tclass << 20 | 0x12345);
    put16(b, payload);
    put8(b, next);
    put8(b, 64);
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8};
    a[15] = 1;
    put(b, a, 16);
    a[15] = 2;
    put(b, a, 16);
}

static void tcp(struct buf *b, unsigned sport, unsigned dport, unsigned flags)
{
    put16(b, sport);
    put16(b, dport);
    put32(b, 1);
    put32(b, 0);
    put8(b, 0x50);
    put8(b, flags);
    put16(b, 1000);
    put32(b, 0);
}

static enum ft_pkt_reason parse(int dlt, const struct buf *b, struct ft_pkt *p)
{
    return ft_pkt_parse(dlt, b->b, b->n, b->n, p);
}

/* ---- the parser --------------------------------------------------------- */

static void test_ethernet_ipv4(void)
{
    struct buf b = {0};
    struct ft_pkt p;
    eth(&b, 0x0800);
    ipv4(&b, 20 + 8 + 20, 6, 0x28, 0, 2);
    tcp(&b, 1234, 80, 0x12);
    CHECK_EQ_U(parse(DLT_EN10MB, &b, &p), FT_PKT_OK, "eth ipv4 with options");
    CHECK_EQ_U(p.ipver, 4, "version");
    CHECK_EQ_U(p.octets, 48, "octets from total length");
    CHECK_EQ_U(p.sport, 1234, "sport");
    CHECK_EQ_U(p.dport, 80, "dport after options");
    CHECK_EQ_U(p.tcp_flags, 0x12, "flags");
    CHECK_EQ_U(p.tos, 0x28, "tos");
    CHECK(p.src[0] == 10 && p.src[3] == 1 && p.dst[3] == 2, "addresses");

    /* every cut of it is malformed (or, cut in TCP, counted without ports) */
    for (size_t cut = 0; cut < b.n; cut++) {
        enum ft_pkt_reason why = ft_pkt_parse(DLT_EN10MB, b.b, cut, b.n, &p);
        if (cut < 14)
            CHECK(why == FT_PKT_LINK_SHORT, "cut %zu: %d", cut, (int)why);
        else if (cut < 14 + 28)
            CHECK(why == FT_PKT_IP_SHORT, "cut %zu: %d", cut, (int)why);
        else      /* ports and flags need 14 bytes of TCP */
            CHECK(why == FT_PKT_OK && p.has_ports == (cut >= 14 + 28 + 14), "cut %zu: %d",
                  cut, (int)why);
    }
    /* a total length past the frame on the wire, a header length < 20 */
    b.b[14 + 2] = 0x7f;
    CHECK_EQ_U(parse(DLT_EN10MB, &b, &p), FT_PKT_IP_LEN, "bogus total length");
    b.b[14 + 2] = 0;
    b.b[14 + 3] = 48;
    b.b[14] = 0x44;
    CHECK_EQ_U(parse(DLT_EN10MB, &b, &p), FT_PKT_IP_HDRLEN, "header length 16");
    b.b[14] = 0x65;
    CHECK_EQ_U(parse(DLT_EN10MB, &b, &p), FT_PKT_IP_VERSION, "version 6 in an IPv4 frame");

    /* fragments: the first has ports (MF set), a later one (offset) none */
    struct buf f1 = {0}, f2 = {0};
    eth(&f1, 0x0800);
    ipv4(&f1, 20 + 20, 6, 0, 0x2000, 0);
    tcp(&f1, 5, 6, 0x18);
    CHECK_EQ_U(parse(DLT_EN10MB, &f1, &p), FT_PKT_OK, "first fragment");
    CHECK(p.frag == FT_FRAG_FIRST && p.has_ports && p.frag_id == 0x1234, "first: ports, id");
    eth(&f2, 0x0800);
    ipv4(&f2, 20 + 20, 6, 0, 0x0003, 0);
    tcp(&f2, 5, 6, 0x18);                  /* payload bytes, not a header */
    CHECK_EQ_U(parse(DLT_EN10MB, &f2, &p), FT_PKT_OK, "later fragment");
    CHECK(p.frag == FT_FRAG_LATER && !p.has_ports && p.sport == 0 && p.tcp_flags == 0,
          "later: no ports, no flags read from its payload");
    /* the transport header is read within the total length, not the padding */
    struct buf pad = {0};
    eth(&pad, 0x0800);
    ipv4(&pad, 20 + 2, 17, 0, 0, 0);
    put16(&pad, 53);
    put16(&pad, 53);                       /* Ethernet padding past the IP packet */
    put32(&pad, 0);
    CHECK_EQ_U(parse(DLT_EN10MB, &pad, &p), FT_PKT_OK, "UDP cut by its total length");
    CHECK(!p.has_ports && p.octets == 22, "ports not read from the padding");
}

static void test_vlan_mpls(void)
{
    struct buf b = {0};
    struct ft_pkt p;
    eth(&b, 0x88a8);
    put16(&b, 0x0064);          /* outer VLAN 100 */
    put16(&b, 0x8100);
    put16(&b, 0x00c8);          /* inner 200 */
    put16(&b, 0x8847);
    put32(&b, 0x00010000);      /* label, not bottom */
    put32(&b, 0x00020100);      /* bottom of stack */
    ipv4(&b, 20 + 8, 17, 0, 0, 0);
    put16(&b, 53);
    put16(&b, 5353);
    put16(&b, 8);
    put16(&b, 0);
    CHECK_EQ_U(parse(DLT_EN10MB, &b, &p), FT_PKT_OK, "QinQ + MPLS");
    CHECK_EQ_U(p.vlan, 100, "outer VLAN id");
    CHECK_EQ_U(p.dport, 5353, "UDP dport under the labels");

    struct buf v = {0};
    eth(&v, 0x8100);
    for (int i = 0; i < 10; i++) {
        put16(&v, i);
        put16(&v, 0x8100);
    }
    CHECK_EQ_U(parse(DLT_EN10MB, &v, &p), FT_PKT_VLAN_DEEP, "VLAN stack without end");
    struct buf m = {0};
    eth(&m, 0x8847);
    for (int i = 0; i < 40; i++)
        put32(&m, 0x00010000);
    CHECK_EQ_U(parse(DLT_EN10MB, &m, &p), FT_PKT_MPLS_DEEP, "MPLS stack without bottom");
    m.n = 14 + 8;
    CHECK_EQ_U(parse(DLT_EN10MB, &m, &p), FT_PKT_LINK_SHORT, "MPLS stack cut");
    struct buf arp = {0};
    eth(&arp, 0x0806);
    put32(&arp, 0);
    CHECK_EQ_U(parse(DLT_EN10MB, &arp, &p), FT_PKT_NOT_IP, "ARP is not IP");
    CHECK_EQ_U(parse(DLT_IEEE802_11, &arp, &p), FT_PKT_LINKTYPE, "802.11 not read");
}

static void test_other_links(void)
{
    struct ft_pkt p;
    struct buf raw = {0};
    ipv4(&raw, 20 + 8, 1, 0, 0, 0);
    put8(&raw, 3);
    put8(&raw, 3);
    put16(&raw, 0);
    put32(&raw, 0);
    CHECK_EQ_U(parse(DLT_RAW, &raw, &p), FT_PKT_OK, "raw IPv4");
    CHECK_EQ_U(p.dport, 0x0303, "ICMP type/code in dport");
    CHECK_EQ_U(p.icmp_type, 3, "ICMP type");

    struct buf sll = {0};
    put16(&sll, 0);
    put16(&sll, 1);
    put16(&sll, 6);
    put(&sll, "\1\2\3\4\5\6\0\0", 8);
    put16(&sll, 0x86dd);
    ipv6(&sll, 20, 6, 0);
    tcp(&sll, 40000, 443, 0x02);
    CHECK_EQ_U(parse(DLT_LINUX_SLL, &sll, &p), FT_PKT_OK, "SLL IPv6");
    CHECK_EQ_U(p.ipver, 6, "v6");
    CHECK_EQ_U(p.octets, 60, "40 + payload");
    CHECK_EQ_U(p.flow_label, 0x12345, "flow label");

    struct buf sll2 = {0};
    put16(&sll2, 0x0800);
    put16(&sll2, 0);
    put32(&sll2, 2);
    put16(&sll2, 1);
    put8(&sll2, 0);
    put8(&sll2, 6);
    put(&sll2, "\1\2\3\4\5\6\0\0", 8);
    ipv4(&sll2, 40, 6, 0, 0, 0);
    tcp(&sll2, 1, 2, 0x10);
    CHECK_EQ_U(parse(276, &sll2, &p), FT_PKT_OK, "SLL2 IPv4");
    CHECK_EQ_U(p.sport, 1, "SLL2 ports");

    struct buf lo = {0};
    put8(&lo, 2);
    put8(&lo, 0);
    put16(&lo, 0);              /* AF_INET, little-endian host */
    ipv4(&lo, 40, 6, 0, 0, 0);
    tcp(&lo, 7, 9, 0x01);
    CHECK_EQ_U(parse(DLT_NULL, &lo, &p), FT_PKT_OK, "BSD loopback");
    CHECK_EQ_U(p.tcp_flags, 1, "loopback flags");
    lo.n = 2;
    CHECK_EQ_U(parse(DLT_NULL, &lo, &p), FT_PKT_LINK_SHORT, "loopback header cut");
}

static void test_ipv6_ext(void)
{
    struct ft_pkt p;
    struct buf b = {0};
    eth(&b, 0x86dd);
    ipv6(&b, 8 + 8 + 8 + 8, 0, 0);     /* HBH, dest opts, fragment(first), UDP */
    put8(&b, 60); put8(&b, 0); put16(&b, 0); put32(&b, 0);
    put8(&b, 44); put8(&b, 0); put16(&b, 0); put32(&b, 0);
    put8(&b, 17); put8(&b, 0); put16(&b, 1); put32(&b, 0xabcd);   /* offset 0, M */
    put16(&b, 500); put16(&b, 4500); put16(&b, 8); put16(&b, 0);
    CHECK_EQ_U(parse(DLT_EN10MB, &b, &p), FT_PKT_OK, "v6 chain");
    CHECK_EQ_U(p.prot, 17, "protocol at the end of the chain");
    CHECK_EQ_U(p.frag, FT_FRAG_FIRST, "first fragment");
    CHECK_EQ_U(p.frag_id, 0xabcd, "fragment id");
    CHECK_EQ_U(p.dport, 4500, "ports of the first fragment");
    for (size_t cut = 14 + 40; cut < 14 + 40 + 24; cut++) {
        enum ft_pkt_reason why = ft_pkt_parse(DLT_EN10MB, b.b, cut, b.n, &p);
        CHECK(why == FT_PKT_EXT_SHORT, "chain cut at %zu: %d", cut, (int)why);
    }
    /* a chain that does not end within FT_PKT_MAX_EXT headers */
    struct buf l = {0};
    eth(&l, 0x86dd);
    ipv6(&l, 8 * 12, 60, 0);
    for (int i = 0; i < 12; i++) {
        put8(&l, 60); put8(&l, 0); put16(&l, 0); put32(&l, 0);
    }
    CHECK_EQ_U(parse(DLT_EN10MB, &l, &p), FT_PKT_EXT_DEEP, "looping chain");
    /* a header longer than the payload says */
    struct buf o = {0};
    eth(&o, 0x86dd);
    ipv6(&o, 8, 43, 0);
    put8(&o, 6); put8(&o, 200); put16(&o, 0); put32(&o, 0);
    CHECK_EQ_U(parse(DLT_EN10MB, &o, &p), FT_PKT_EXT_SHORT, "header past the payload");
    struct buf j = {0};
    eth(&j, 0x86dd);
    ipv6(&j, 1000, 6, 0);
    CHECK_EQ_U(parse(DLT_EN10MB, &j, &p), FT_PKT_IP_LEN, "payload length past the frame");
}

/* Mutated frames of every link type: byte flips and cuts of good packets.
 * Whatever comes out is a reason in range, and an accepted packet's length
 * is within the frame on the wire (ASan checks that nothing is read past
 * the captured bytes: each frame is copied into a buffer of its own size). */
static void test_mutations(void)
{
    static const int dlts[] = {DLT_EN10MB, DLT_LINUX_SLL, 276, DLT_NULL, DLT_RAW};
    struct buf seeds[4];
    memset(seeds, 0, sizeof seeds);
    eth(&seeds[0], 0x86dd);
    ipv6(&seeds[0], 8 + 8 + 20, 0, 0);
    put8(&seeds[0], 44); put8(&seeds[0], 0); put16(&seeds[0], 0); put32(&seeds[0], 0);
    put8(&seeds[0], 6); put8(&seeds[0], 0); put16(&seeds[0], 1); put32(&seeds[0], 7);
    tcp(&seeds[0], 1, 2, 0x02);
    eth(&seeds[1], 0x8100);
    put16(&seeds[1], 5);
    put16(&seeds[1], 0x8847);
    put32(&seeds[1], 0x00000100);
    ipv4(&seeds[1], 20 + 8 + 20, 6, 0, 0, 2);
    tcp(&seeds[1], 3, 4, 0x11);
    ipv4(&seeds[2], 20 + 8, 1, 0, 0, 0);
    put32(&seeds[2], 0x08000000);
    put32(&seeds[2], 0);
    put8(&seeds[3], 2); put8(&seeds[3], 0); put16(&seeds[3], 0);
    ipv6(&seeds[3], 8, 51, 0);
    put8(&seeds[3], 17); put8(&seeds[3], 0); put16(&seeds[3], 0); put32(&seeds[3], 0);
    uint64_t rng = 88172645463325252ull;
    unsigned bad_range = 0, bad_len = 0, ok = 0;
    for (unsigned n = 0; n < 200000; n++) {
        struct buf b = seeds[n % 4];
        for (int flips = 0; flips < 1 + (int)(n % 5); flips++) {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
            b.b[rng % b.n] = (uint8_t)(rng >> 32);
        }
        rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
        size_t cut = n % 3 ? b.n : rng % (b.n + 1);
        size_t wire = n % 7 ? cut : cut + rng % 100;
        uint8_t *frame = malloc(cut ? cut : 1);
        memcpy(frame, b.b, cut);
        struct ft_pkt p;
        int dlt = dlts[(n / 4) % 5];
        enum ft_pkt_reason why = ft_pkt_parse(dlt, frame, cut, wire, &p);
        free(frame);
        if ((unsigned)why >= FT_PKT_NREASONS)
            bad_range++;
        if (why == FT_PKT_OK) {
            ok++;
            if (p.octets > wire)
                bad_len++;
        }
    }
    CHECK_EQ_U(bad_range, 0, "reasons in range");
    CHECK_EQ_U(bad_len, 0, "accepted packets within the frame on the wire");
    CHECK(ok > 1000, "some mutated packets still parse (%u)", ok);
}

/* ---- the cache ---------------------------------------------------------- */

struct sink {
    unsigned n;
    struct ft_flow f[64];
    enum ft_meter_cause why[64];
};

static void emit(void *arg, const struct ft_flow *f, enum ft_meter_cause why)
{
    struct sink *s = arg;
    if (s->n < 64) {
        s->f[s->n] = *f;
        s->why[s->n] = why;
    }
    s->n++;
}

static struct ft_pkt pkt(unsigned sport, unsigned flags, unsigned octets)
{
    struct ft_pkt p;
    memset(&p, 0, sizeof p);
    p.ipver = 4;
    p.src[0] = 10, p.src[3] = 1;
    p.dst[0] = 10, p.dst[3] = 2;
    p.prot = 6;
    p.sport = (uint16_t)sport;
    p.dport = 80;
    p.tcp_flags = (uint8_t)flags;
    p.has_ports = 1;
    p.octets = octets;
    return p;
}

#define S 1000000ull

static void test_cache_expiry(void)
{
    struct ft_meter_opts o;
    struct ft_err err;
    struct sink s = {0};
    ft_meter_opts_init(&o);
    o.inactive_ms = 15000;
    o.active_ms = 60000;
    o.fin_grace_ms = 2000;
    struct ft_meter *m = ft_meter_new(&o, emit, &s, &err);
    CHECK(m != NULL, "new");
    struct ft_pkt a = pkt(1000, 0x02, 60), b = pkt(2000, 0x10, 100);
    /* a: packets every 10 s for 70 s: the active timeout splits it at 60 s */
    for (unsigned t = 0; t <= 70; t += 10)
        ft_meter_packet(m, &a, 100 * S + t * S);
    CHECK_EQ_U(s.n, 1, "one flow ended by the active timeout");
    CHECK_EQ_U(s.why[0], FT_EXP_ACTIVE, "cause active");
    CHECK_EQ_U(s.f[0].dpkts, 6, "packets 0..50 s");
    CHECK_EQ_U(s.f[0].doctets, 360, "octets");
    CHECK_EQ_U(s.f[0].start_ms, 100000, "start");
    CHECK_EQ_U(s.f[0].end_ms, 150000, "end");
    /* b once, then silence: inactive after 15 s (at a's next packet) */
    ft_meter_packet(m, &b, 171 * S);
    ft_meter_packet(m, &a, 186 * S);
    CHECK_EQ_U(s.n, 3, "a's second part and b ended inactive");
    CHECK(s.why[1] == FT_EXP_INACTIVE && s.why[2] == FT_EXP_INACTIVE, "causes inactive");
    CHECK_EQ_U(s.f[1].dpkts + s.f[2].dpkts, 3, "2 + 1 packets");
    /* FIN: the flow ends 2 s later; the ACK within the grace counts into it */
    struct ft_pkt fin = pkt(1000, 0x11, 40), ack = pkt(1000, 0x10, 40);
    ft_meter_packet(m, &fin, 187 * S);
    ft_meter_packet(m, &ack, 188 * S);
    ft_meter_advance(m, 189 * S);
    CHECK_EQ_U(s.n, 4, "FIN flow ended after its grace");
    CHECK_EQ_U(s.why[3], FT_EXP_FIN, "cause fin");
    CHECK_EQ_U(s.f[3].dpkts, 3, "packet at 186, FIN, ACK");
    CHECK_EQ_U(s.f[3].tcp_flags, 0x13, "flags ORed");
    struct ft_meter_stats st;
    ft_meter_stats(m, &st);
    CHECK_EQ_U(st.packets, 12, "packets counted");
    CHECK_EQ_U(st.active, 0, "cache empty");
    CHECK_EQ_U(st.expired[FT_EXP_ACTIVE] + st.expired[FT_EXP_INACTIVE] +
               st.expired[FT_EXP_FIN], 4, "expiries");
    ft_meter_free(m);
}

static void test_cache_full_and_sampling(void)
{
    struct ft_meter_opts o;
    struct ft_err err;
    struct sink s = {0};
    ft_meter_opts_init(&o);
    o.max_flows = 4;
    struct ft_meter *m = ft_meter_new(&o, emit, &s, &err);
    /* 6 flows into 4 places; flow 0 seen again before 4 and 5 arrive, so
     * 1 and then 2 are the least recently seen */
    for (unsigned i = 0; i < 4; i++) {
        struct ft_pkt p = pkt(i, 0x10, 100);
        ft_meter_packet(m, &p, S + i);
    }
    struct ft_pkt p0 = pkt(0, 0x10, 100);
    ft_meter_packet(m, &p0, S + 10);
    for (unsigned i = 4; i < 6; i++) {
        struct ft_pkt p = pkt(i, 0x10, 100);
        ft_meter_packet(m, &p, S + 20 + i);
    }
    CHECK_EQ_U(s.n, 2, "two evictions");
    CHECK(s.why[0] == FT_EXP_FULL && s.f[0].srcport == 1, "1 first");
    CHECK(s.why[1] == FT_EXP_FULL && s.f[1].srcport == 2, "then 2");
    ft_meter_flush(m);
    CHECK_EQ_U(s.n, 6, "flush ends the other 4");
    uint64_t pk = 0;
    for (unsigned i = 0; i < s.n; i++)
        pk += s.f[i].dpkts;
    CHECK_EQ_U(pk, 7, "every packet in one flow");
    ft_meter_free(m);

    /* 1 in 3, deterministic: packets 1, 4, 7, 10 of 10 */
    struct sink t = {0};
    ft_meter_opts_init(&o);
    o.sample = 3;
    m = ft_meter_new(&o, emit, &t, &err);
    for (unsigned i = 0; i < 10; i++) {
        struct ft_pkt p = pkt(5, 0x10, 10 + i);
        ft_meter_packet(m, &p, S + i);
    }
    ft_meter_flush(m);
    CHECK_EQ_U(t.n, 1, "one sampled flow");
    CHECK_EQ_U(t.f[0].dpkts, 4, "4 of 10 packets");
    CHECK_EQ_U(t.f[0].doctets, 10 + 13 + 16 + 19, "their octets");
    CHECK_EQ_U(t.f[0].sampling_interval, 3, "interval recorded");
    CHECK(t.f[0].has & FT_F_SAMPLING, "sampling bit");
    ft_meter_free(m);
}

static void test_cache_fragments(void)
{
    struct ft_meter_opts o;
    struct ft_err err;
    struct sink s = {0};
    ft_meter_opts_init(&o);
    struct ft_meter *m = ft_meter_new(&o, emit, &s, &err);
    struct ft_pkt first = pkt(777, 0, 1500), later = pkt(0, 0, 700), lost = pkt(0, 0, 300);
    first.prot = later.prot = lost.prot = 17;
    first.frag = FT_FRAG_FIRST;
    later.frag = lost.frag = FT_FRAG_LATER;
    later.has_ports = lost.has_ports = 0;
    later.sport = later.dport = 0;
    first.frag_id = later.frag_id = 42;
    lost.frag_id = 43;
    ft_meter_packet(m, &first, S);
    ft_meter_packet(m, &later, S + 1);
    ft_meter_packet(m, &lost, S + 2);
    ft_meter_flush(m);
    CHECK_EQ_U(s.n, 2, "the known fragment joins its flow, the other has none");
    unsigned withports = s.f[0].srcport == 777 ? 0 : 1;
    CHECK_EQ_U(s.f[withports].doctets, 2200, "first + later fragment");
    CHECK_EQ_U(s.f[!withports].doctets, 300, "unknown fragment alone");
    struct ft_meter_stats st;
    ft_meter_stats(m, &st);
    CHECK(st.frag_known == 1 && st.frag_unknown == 1, "fragments counted");
    ft_meter_free(m);
}

int main(void)
{
    test_ethernet_ipv4();
    test_vlan_mpls();
    test_other_links();
    test_ipv6_ext();
    test_mutations();
    test_cache_expiry();
    test_cache_full_and_sampling();
    test_cache_fragments();
    return ft_test_report("test_sensor");
}
