/*
 * stream_util.h - helpers shared by the stream-layer unit tests: flow
 * comparison that names the first differing member, random flows, file
 * helpers.
 */
#ifndef STREAM_UTIL_H
#define STREAM_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include "net/ft_addrspec.h"       /* ft_ip_equal */
#include "core/ft_flow.h"
#include "stream/ft_format.h"
#include "stream/ft_stream.h"

/* xorshift64*: reproducible, so a failure can be replayed. */
static uint64_t su_rng_state = 0x9e3779b97f4a7c15ULL;
static inline uint64_t su_rand64(void)
{
    uint64_t x = su_rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    su_rng_state = x;
    return x * 0x2545F4914F6CDD1DULL;
}
static inline uint32_t su_rand32(void) { return (uint32_t)(su_rand64() >> 32); }
static inline uint32_t su_randbits(unsigned bits)
{
    return bits >= 32 ? su_rand32() : su_rand32() & ((1u << bits) - 1);
}

/* 0 if equal, else 1 with the first differing member named in *what. */
static inline int su_flow_diff(const struct ft_flow *a, const struct ft_flow *b,
                               const char **what)
{
#define SU_CMP(m) do { if (a->m != b->m) { *what = #m; return 1; } } while (0)
#define SU_CMPIP(m) do { if (!ft_ip_equal(&a->m, &b->m)) { *what = #m; return 1; } } while (0)
    SU_CMP(has); SU_CMP(unix_secs); SU_CMP(unix_nsecs); SU_CMP(sysuptime);
    SU_CMP(first); SU_CMP(last); SU_CMP(start_ms); SU_CMP(end_ms); SU_CMP(start_ns);
    SU_CMP(end_ns); SU_CMPIP(exaddr); SU_CMPIP(srcaddr); SU_CMPIP(dstaddr);
    SU_CMPIP(nexthop); SU_CMPIP(peer_nexthop); SU_CMPIP(router_sc); SU_CMPIP(bgp_nexthop);
    SU_CMP(dpkts); SU_CMP(doctets); SU_CMP(dflows); SU_CMP(extra_pkts); SU_CMP(input);
    SU_CMP(output); SU_CMP(src_as); SU_CMP(dst_as); SU_CMP(src_tag); SU_CMP(dst_tag);
    SU_CMP(source_id); SU_CMP(sampling_interval); SU_CMP(sampler_id); SU_CMP(flow_label);
    SU_CMP(sequence); SU_CMP(srcport); SU_CMP(dstport); SU_CMP(src_vlan); SU_CMP(dst_vlan);
    SU_CMP(exporter_port); SU_CMP(template_id); SU_CMP(prot); SU_CMP(tos);
    SU_CMP(tcp_flags); SU_CMP(marked_tos); SU_CMP(src_mask); SU_CMP(dst_mask);
    SU_CMP(engine_type); SU_CMP(engine_id); SU_CMP(in_encaps); SU_CMP(out_encaps);
    SU_CMP(sampling_algorithm); SU_CMP(direction); SU_CMP(icmp_type); SU_CMP(icmp_code);
    SU_CMP(ip_version); SU_CMP(export_version);
#undef SU_CMP
#undef SU_CMPIP
    *what = "";
    return 0;
}

static inline void su_rand_ip(struct ft_ip *a, int v6)
{
    if (v6) {
        a->af = FT_AF_INET6;
        for (int i = 0; i < 16; i++)
            a->v6[i] = (uint8_t)su_rand32();
    } else {
        ft_ip_set4(a, su_rand32());
    }
}

/*
 * A random flow holding exactly the fields of `fmt` (its mask), with values
 * that fit the record, as a decoder of that format would produce it.
 * tag_bits limits the tags (16 for big-endian v1005).
 */
static inline void su_rand_flow(const struct ft_format *fmt, unsigned tag_bits,
                                struct ft_flow *f)
{
    uint64_t m = fmt->mask;
    memset(f, 0, sizeof(*f));
    f->has = m | FT_F_TIMES;
#define SU_SET(bit, stmt) do { if (m & (bit)) { stmt; } } while (0)
    SU_SET(FT_F_UNIX_SECS, f->unix_secs = su_rand32());
    SU_SET(FT_F_UNIX_NSECS, f->unix_nsecs = su_rand32() % 1000000000u);
    SU_SET(FT_F_SYSUPTIME, f->sysuptime = su_rand32());
    SU_SET(FT_F_FIRST, f->first = f->sysuptime - su_randbits(20));
    SU_SET(FT_F_LAST, f->last = f->first + su_randbits(16));
    SU_SET(FT_F_EXADDR, su_rand_ip(&f->exaddr, 0));
    SU_SET(FT_F_SRCADDR, su_rand_ip(&f->srcaddr, 0));
    SU_SET(FT_F_DSTADDR, su_rand_ip(&f->dstaddr, 0));
    SU_SET(FT_F_NEXTHOP, su_rand_ip(&f->nexthop, 0));
    SU_SET(FT_F_PEER_NEXTHOP, su_rand_ip(&f->peer_nexthop, 0));
    SU_SET(FT_F_ROUTER_SC, su_rand_ip(&f->router_sc, 0));
    SU_SET(FT_F_DFLOWS, f->dflows = su_rand32());
    SU_SET(FT_F_DPKTS, f->dpkts = su_rand32());
    SU_SET(FT_F_DOCTETS, f->doctets = su_rand32());
    SU_SET(FT_F_ENGINE_TYPE, f->engine_type = (uint8_t)su_rand32());
    SU_SET(FT_F_ENGINE_ID, f->engine_id = (uint8_t)su_rand32());
    SU_SET(FT_F_INPUT, f->input = su_randbits(16));
    SU_SET(FT_F_OUTPUT, f->output = su_randbits(16));
    SU_SET(FT_F_SRCPORT, f->srcport = (uint16_t)su_rand32());
    SU_SET(FT_F_DSTPORT, f->dstport = (uint16_t)su_rand32());
    SU_SET(FT_F_PROT, f->prot = (uint8_t)su_rand32());
    SU_SET(FT_F_TOS, f->tos = (uint8_t)su_rand32());
    SU_SET(FT_F_TCP_FLAGS, f->tcp_flags = (uint8_t)su_rand32());
    SU_SET(FT_F_SRC_MASK, f->src_mask = (uint8_t)su_rand32());
    SU_SET(FT_F_DST_MASK, f->dst_mask = (uint8_t)su_rand32());
    SU_SET(FT_F_SRC_AS, f->src_as = su_randbits(16));
    SU_SET(FT_F_DST_AS, f->dst_as = su_randbits(16));
    SU_SET(FT_F_IN_ENCAPS, f->in_encaps = (uint8_t)su_rand32());
    SU_SET(FT_F_OUT_ENCAPS, f->out_encaps = (uint8_t)su_rand32());
    SU_SET(FT_F_EXTRA_PKTS, f->extra_pkts = su_rand32());
    SU_SET(FT_F_MARKED_TOS, f->marked_tos = (uint8_t)su_rand32());
    SU_SET(FT_F_SRC_TAG, f->src_tag = su_randbits(tag_bits));
    SU_SET(FT_F_DST_TAG, f->dst_tag = su_randbits(tag_bits));
#undef SU_SET
    f->export_version = (uint8_t)(fmt->d_version == 1005 ? 5 : fmt->d_version);
    ft_flow_set_times(f);
}

/* A flow using every member, as a v9/IPFIX decoder might build it. */
static inline void su_rand_full_flow(struct ft_flow *f)
{
    memset(f, 0, sizeof(*f));
    f->has = su_rand64() & ((1ULL << 53) - 1);
    f->unix_secs = su_rand32(); f->unix_nsecs = su_rand32(); f->sysuptime = su_rand32();
    f->first = su_rand32(); f->last = su_rand32();
    f->start_ms = su_rand64() >> 20; f->end_ms = su_rand64() >> 20;
    f->start_ns = su_rand32() % 1000000; f->end_ns = su_rand32() % 1000000;
    su_rand_ip(&f->exaddr, su_rand32() & 1); su_rand_ip(&f->srcaddr, su_rand32() & 1);
    su_rand_ip(&f->dstaddr, su_rand32() & 1); su_rand_ip(&f->nexthop, su_rand32() & 1);
    su_rand_ip(&f->peer_nexthop, su_rand32() & 1); su_rand_ip(&f->router_sc, 1);
    if (su_rand32() & 1)
        su_rand_ip(&f->bgp_nexthop, su_rand32() & 1);
    f->dpkts = su_rand64(); f->doctets = su_rand64();
    f->dflows = su_rand32(); f->extra_pkts = su_rand32(); f->input = su_rand32();
    f->output = su_rand32(); f->src_as = su_rand32(); f->dst_as = su_rand32();
    f->src_tag = su_rand32(); f->dst_tag = su_rand32(); f->source_id = su_rand32();
    f->sampling_interval = su_rand32(); f->sampler_id = su_rand32();
    f->flow_label = su_rand32(); f->sequence = su_rand32();
    f->srcport = (uint16_t)su_rand32(); f->dstport = (uint16_t)su_rand32();
    f->src_vlan = (uint16_t)su_rand32(); f->dst_vlan = (uint16_t)su_rand32();
    f->exporter_port = (uint16_t)su_rand32(); f->template_id = (uint16_t)su_rand32();
    f->prot = (uint8_t)su_rand32(); f->tos = (uint8_t)su_rand32();
    f->tcp_flags = (uint8_t)su_rand32(); f->marked_tos = (uint8_t)su_rand32();
    f->src_mask = (uint8_t)su_rand32(); f->dst_mask = (uint8_t)su_rand32();
    f->engine_type = (uint8_t)su_rand32(); f->engine_id = (uint8_t)su_rand32();
    f->in_encaps = (uint8_t)su_rand32(); f->out_encaps = (uint8_t)su_rand32();
    f->sampling_algorithm = (uint8_t)su_rand32(); f->direction = (uint8_t)su_rand32();
    f->icmp_type = (uint8_t)su_rand32(); f->icmp_code = (uint8_t)su_rand32();
    f->ip_version = (su_rand32() & 1) ? 4 : 6; f->export_version = (uint8_t)su_rand32();
}

/* Whole file into memory; NULL if it cannot be read. */
static inline uint8_t *su_slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; }
            buf = nb;
        }
    }
    fclose(fp);
    *len = n;
    return buf;
}

static inline int su_spit(const char *path, const uint8_t *buf, size_t len)
{
    remove(path);   /* a new file: rewriting a truncated one makes ext4 flush it */
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return -1;
    size_t put = len ? fwrite(buf, 1, len, fp) : 0;
    return (fclose(fp) == 0 && put == len) ? 0 : -1;
}

/*
 * Every flow stream under dir (recursively): files that start with the
 * flow-tools magic bytes, whatever their name (with ft_only: named *.ft).  Calls fn(path) for each,
 * in sorted order; returns how many.
 */
static int su_cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline int su_is_stream(const char *path)
{
    unsigned char m[2] = {0, 0};
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t got = fread(m, 1, 2, fp);
    fclose(fp);
    return got == 2 && m[0] == 0xcf && m[1] == 0x10;
}

static inline int su_each_stream(const char *dir, int ft_only, void (*fn)(const char *path))
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char *names[512];
    int n = 0, found = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512) {
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof(names[0]), su_cmp_str);
    for (int i = 0; i < n; i++) {
        char path[1024];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        if (stat(path, &st) != 0)
            ;
        else if (S_ISDIR(st.st_mode))
            found += su_each_stream(path, ft_only, fn);
        else if (S_ISREG(st.st_mode) && su_is_stream(path) &&
                 (!ft_only || strstr(names[i], ".ft"))) {
            fn(path);
            found++;
        }
        free(names[i]);
    }
    return found;
}

/*
 * Read a whole stream with ft_reader_read in batches of `batch`.  Returns the
 * last return value of ft_reader_read (0 or -1), or -2 if it would not open;
 * *flows is malloc'ed, msg gets the open or read error.
 */
static inline int su_read_all(const char *path, size_t batch, struct ft_flow **flows,
                              size_t *n, char *msg, size_t msglen)
{
    struct ft_err err = {{0}};
    struct ft_reader *r = ft_reader_open_path(path, &err);
    *flows = NULL;
    *n = 0;
    if (!r) {
        snprintf(msg, msglen, "%s", err.msg);
        return -2;
    }
    size_t cap = 0;
    ssize_t got;
    for (;;) {
        if (*n + batch > cap) {
            cap = (*n + batch) * 2;
            *flows = realloc(*flows, cap * sizeof(**flows));
        }
        got = ft_reader_read(r, *flows + *n, batch);
        if (got <= 0)
            break;
        *n += (size_t)got;
    }
    snprintf(msg, msglen, "%s", ft_reader_error(r));
    ft_reader_close(r);
    return (int)got;
}

/* Index of the first differing flow of two arrays, or -1 if equal. */
static inline long su_flows_diff(const struct ft_flow *a, size_t na, const struct ft_flow *b,
                                 size_t nb, const char **what)
{
    size_t n = na < nb ? na : nb;
    for (size_t i = 0; i < n; i++) {
        if (su_flow_diff(&a[i], &b[i], what))
            return (long)i;
    }
    *what = "count";
    return na == nb ? -1 : (long)n;
}

#endif
