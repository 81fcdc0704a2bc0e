/*
 * ft_dscan.c - scan detection: probes counted per source, destination and
 * port in three aggregation tables, forgotten when idle.
 *
 * A probe is one (source, destination, port) triple; the first probe of a
 * triple adds a port to its (source, destination) pair, the first of a pair
 * a destination to its source.  Ageing rebuilds the tables from the triples
 * touched during the last ager_flows flows, so counts always describe what
 * is still held.
 */
#include <stdlib.h>
#include <string.h>
#include "report/ft_dscan.h"
#include "report/ft_agg.h"
#include "core/ft_field.h"
#include "net/ft_addrspec.h"
#include "net/ft_resolve.h"
#include "lang/ft_cfg.h"

#define ADDR_W 17               /* an address in a key (ft_agg_key_put) */
#define PAIR_W (2 * ADDR_W)
#define TRIPLE_W (PAIR_W + 2)

struct seen {                   /* a triple */
    uint64_t last_flow;
};

struct held {                   /* a pair or a source */
    uint64_t last_flow;
    uint64_t first_ms;
    uint32_t count;             /* ports of the pair, destinations of the source */
    uint32_t reported;
};

struct ft_dscan {
    struct ft_dscan_opts o;
    ft_dscan_alarm_fn fn;
    void *arg;
    struct ft_agg *triples, *pairs, *sources;
    uint64_t flows, next_sweep;
    struct ft_dscan_stats st;
};

static const struct ft_dscan_opts defaults = {
    .ip_depth = 200, .port_trigger = 64, .ager_flows = 90000,
    .packets_max = 3, .octets_max = 1024, .max_keys = 1000000,
};

static struct ft_agg *table(size_t key_len, size_t val_len, size_t max, struct ft_err *err)
{
    struct ft_agg_opts ao = {.key_len = key_len, .val_len = val_len, .max_keys = max};
    return ft_agg_new(&ao, err);
}

static int new_tables(struct ft_dscan *d, struct ft_agg *t[3], struct ft_err *err)
{
    t[0] = table(TRIPLE_W, sizeof(struct seen), d->o.max_keys, err);
    t[1] = t[0] ? table(PAIR_W, sizeof(struct held), d->o.max_keys, err) : NULL;
    t[2] = t[1] ? table(ADDR_W, sizeof(struct held), d->o.max_keys, err) : NULL;
    if (t[2])
        return 0;
    ft_agg_free(t[0]);
    ft_agg_free(t[1]);
    return -1;
}

struct ft_dscan *ft_dscan_new(const struct ft_dscan_opts *opts, ft_dscan_alarm_fn fn,
                              void *arg, struct ft_err *err)
{
    struct ft_dscan *d = calloc(1, sizeof *d);
    if (!d) {
        ft_err_set(err, "out of memory");
        return NULL;
    }
    d->o = opts ? *opts : defaults;
    if (!d->o.max_keys)
        d->o.max_keys = defaults.max_keys;
    d->fn = fn;
    d->arg = arg;
    struct ft_agg *t[3];
    if (new_tables(d, t, err) < 0) {
        free(d);
        return NULL;
    }
    d->triples = t[0], d->pairs = t[1], d->sources = t[2];
    d->next_sweep = d->o.ager_flows;
    return d;
}

void ft_dscan_free(struct ft_dscan *d)
{
    if (!d)
        return;
    ft_agg_free(d->triples);
    ft_agg_free(d->pairs);
    ft_agg_free(d->sources);
    free(d);
}

void ft_dscan_set_suppress(struct ft_dscan *d, const struct ft_trie *src4,
                           const struct ft_trie *src6, const struct ft_trie *dst4,
                           const struct ft_trie *dst6)
{
    d->o.suppress_src4 = src4, d->o.suppress_src6 = src6;
    d->o.suppress_dst4 = dst4, d->o.suppress_dst6 = dst6;
}

/* ---- what a probe is ------------------------------------------------------ */

static int listed(const struct ft_trie *v4, const struct ft_trie *v6, const struct ft_ip *a)
{
    uint32_t v;
    const struct ft_trie *t = a->af == FT_AF_INET6 ? v6 : v4;
    return t && ft_trie_lookup(t, a, &v);
}

static int multicast(const struct ft_ip *a)
{
    return a->af == FT_AF_INET6 ? a->v6[0] == 0xff : (a->v4 >> 28) == 0xe;
}

static int is_www(uint16_t port)
{
    return port == 80 || port == 443;
}

enum probe { NOT_PROBE, PROBE, PORT_PROBE };

/* A knock rather than a conversation (see ft_dscan.h).  A UDP knock counts
 * towards port scans only: a resolver asking port 53 of many servers looks
 * like it to a flow, and is not a scan. */
static enum probe looks_like_probe(const struct ft_dscan_opts *o, const struct ft_flow *f)
{
    if (f->dpkts > o->packets_max || f->doctets > o->octets_max)
        return NOT_PROBE;
    if (o->duration_max_ms && ft_flow_duration_ms(f) > o->duration_max_ms)
        return NOT_PROBE;
    switch (f->prot) {
    case 6:     /* no ACK, no RST */
        return !(f->tcp_flags & 0x10) && !(f->tcp_flags & 0x04) ? PROBE : NOT_PROBE;
    case 1:     /* echo request: type 8, code 0 */
        return f->dstport == 0x0800 ? PROBE : NOT_PROBE;
    case 58:    /* ICMPv6 echo request: type 128 */
        return f->dstport == 0x8000 ? PROBE : NOT_PROBE;
    case 17:
        return f->dstport < 1024 && f->srcport >= 1024 ? PORT_PROBE : NOT_PROBE;
    default:
        return NOT_PROBE;
    }
}

/* Whether the flow is looked at all (interfaces, the -m -w -W options). */
static int considered(const struct ft_dscan_opts *o, const struct ft_flow *f)
{
    if (!ft_iflist_has(o->input, f->input) || !ft_iflist_has(o->output, f->output))
        return 0;
    if (o->ignore_multicast && multicast(&f->dstaddr))
        return 0;
    if (f->prot == 6 && ((o->ignore_www_in && is_www(f->srcport)) ||
                         (o->ignore_www_out && is_www(f->dstport))))
        return 0;
    return 1;
}

/* ---- counting ------------------------------------------------------------- */

/* The counters of key in t, new ones counted as refused when the table is
 * full; -1 when memory ran out. */
static int find(struct ft_agg *t, const uint8_t *key, void **val, int *added, uint64_t *refused)
{
    *val = ft_agg_get(t, key, added);
    if (*val)
        return 0;
    if (ft_agg_failed(t))
        return -1;
    (*refused)++;
    return 0;
}

static void alarm(struct ft_dscan *d, enum ft_dscan_kind kind, const uint8_t *key,
                  const struct held *h, uint64_t last_ms)
{
    struct ft_dscan_alarm a = {.kind = kind, .count = h->count, .first_ms = h->first_ms,
                               .last_ms = last_ms};
    ft_agg_key_ip(key, &a.src);
    if (kind == FT_DSCAN_PORT)
        ft_agg_key_ip(key + ADDR_W, &a.dst);
    if (kind == FT_DSCAN_HOST)
        d->st.host_scans++;
    else
        d->st.port_scans++;
    if (d->fn)
        d->fn(d->arg, &a);
}

/* One probe of triple key (source, destination, port), seen first at
 * first_ms; a new destination counts for its source when `hosts`; alarms
 * when `raise` (not while a state file is loaded). */
static int count_probe(struct ft_dscan *d, const uint8_t *key, uint64_t first_ms,
                       uint64_t last_ms, int hosts, int raise)
{
    void *v;
    int added;
    if (find(d->triples, key, &v, &added, &d->st.refused) < 0)
        return -1;
    if (!v)
        return 0;
    ((struct seen *)v)->last_flow = d->flows;
    if (!added)
        return 0;
    struct held *pair, *src;
    if (find(d->pairs, key, (void **)&pair, &added, &d->st.refused) < 0)
        return -1;
    if (!pair)
        return 0;
    if (added)
        pair->first_ms = first_ms;
    pair->last_flow = d->flows;
    pair->count++;
    if (raise && pair->count > d->o.port_trigger && !pair->reported) {
        pair->reported = 1;
        alarm(d, FT_DSCAN_PORT, key, pair, last_ms);
    }
    if (!added || !hosts)
        return 0;
    if (find(d->sources, key, (void **)&src, &added, &d->st.refused) < 0)
        return -1;
    if (!src)
        return 0;
    if (added)
        src->first_ms = first_ms;
    src->last_flow = d->flows;
    src->count++;
    if (raise && src->count > d->o.ip_depth && !src->reported) {
        src->reported = 1;
        alarm(d, FT_DSCAN_HOST, key, src, last_ms);
    }
    return 0;
}

/* ---- ageing --------------------------------------------------------------- */

/* The entry of key in `to`, created with what `from` held for it. */
static struct held *carry(struct ft_agg *to, struct ft_agg *from, const uint8_t *key)
{
    int added;
    struct held *h = ft_agg_get(to, key, &added);
    if (h && added) {
        const struct held *old = ft_agg_get(from, key, &added);
        if (old) {
            h->first_ms = old->first_ms;
            h->reported = old->reported;
        }
    }
    return h;
}

/* Rebuild the tables from the triples touched since `since`. */
static int sweep(struct ft_dscan *d, uint64_t since, struct ft_err *err)
{
    struct ft_agg *t[3];
    if (new_tables(d, t, err) < 0)
        return -1;
    for (size_t i = 0, n = ft_agg_count(d->triples); i < n; i++) {
        const struct seen *s = ft_agg_val(d->triples, i);
        if (s->last_flow < since)
            continue;
        const uint8_t *key = ft_agg_key(d->triples, i);
        int added;
        struct seen *ns = ft_agg_get(t[0], key, &added);
        struct held *pair = ns ? carry(t[1], d->pairs, key) : NULL;
        if (!pair)
            break;      /* out of memory: keep what fitted */
        ns->last_flow = s->last_flow;
        pair->count++;
        if (s->last_flow > pair->last_flow)
            pair->last_flow = s->last_flow;
    }
    for (size_t i = 0, n = ft_agg_count(t[1]); i < n; i++) {
        const struct held *pair = ft_agg_val(t[1], i);
        struct held *src = carry(t[2], d->sources, ft_agg_key(t[1], i));
        if (!src)
            break;
        src->count++;
        if (pair->last_flow > src->last_flow)
            src->last_flow = pair->last_flow;
    }
    ft_agg_free(d->triples);
    ft_agg_free(d->pairs);
    ft_agg_free(d->sources);
    d->triples = t[0], d->pairs = t[1], d->sources = t[2];
    d->st.aged++;
    return 0;
}

/* ---- flows ---------------------------------------------------------------- */

static void put_triple(uint8_t *key, const struct ft_flow *f)
{
    uint8_t *p = ft_agg_key_put(key, &ft_fields[FT_FLD_SRCADDR], f);
    p = ft_agg_key_put(p, &ft_fields[FT_FLD_DSTADDR], f);
    ft_agg_key_put(p, &ft_fields[FT_FLD_DSTPORT], f);
}

int ft_dscan_flow(struct ft_dscan *d, const struct ft_flow *f, struct ft_err *err)
{
    d->flows++;
    d->st.flows++;
    if (d->o.ager_flows && d->flows >= d->next_sweep) {
        if (sweep(d, d->flows - d->o.ager_flows, err) < 0)
            return -1;
        d->next_sweep = d->flows + d->o.ager_flows;
    }
    enum probe kind = considered(&d->o, f) ? looks_like_probe(&d->o, f) : NOT_PROBE;
    if (kind == NOT_PROBE)
        return 0;
    if (listed(d->o.suppress_src4, d->o.suppress_src6, &f->srcaddr) ||
        listed(d->o.suppress_dst4, d->o.suppress_dst6, &f->dstaddr)) {
        d->st.suppressed++;
        return 0;
    }
    d->st.probes++;
    uint8_t key[TRIPLE_W];
    put_triple(key, f);
    if (count_probe(d, key, ft_flow_start_ms(f), ft_flow_end_ms(f), kind == PROBE, 1) < 0)
        return ft_err_set(err, "out of memory for the scan tables");
    return 0;
}

void ft_dscan_stats(const struct ft_dscan *d, struct ft_dscan_stats *st)
{
    *st = d->st;
    st->sources = ft_agg_count(d->sources);
    st->pairs = ft_agg_count(d->pairs);
}

/* ---- state files ---------------------------------------------------------- */

static void put_addr(FILE *out, const uint8_t *key)
{
    struct ft_ip ip;
    char buf[64];
    ft_agg_key_ip(key, &ip);
    fprintf(out, " %s", ft_ip_str(&ip, buf, sizeof buf));
}

static void put_held(FILE *out, const char *what, struct ft_agg *t, size_t addrs)
{
    for (size_t i = 0, n = ft_agg_count(t); i < n; i++) {
        const uint8_t *key = ft_agg_key(t, i);
        const struct held *h = ft_agg_val(t, i);
        fputs(what, out);
        for (size_t a = 0; a < addrs; a++)
            put_addr(out, key + a * ADDR_W);
        fprintf(out, " %llu %u\n", (unsigned long long)h->first_ms, h->reported ? 1u : 0u);
    }
}

int ft_dscan_save(const struct ft_dscan *d, FILE *out)
{
    /* probes first: loading them rebuilds the counts of pairs and sources,
     * whose lines then give back when they started and their alarms */
    fputs("# ftkit flow-dscan state: every probe kept (source destination port), then\n"
          "# pairs and sources (first probe in ms since 1970, alarm raised)\n", out);
    for (size_t i = 0, n = ft_agg_count(d->triples); i < n; i++) {
        const uint8_t *key = ft_agg_key(d->triples, i);
        fputs("probe", out);
        put_addr(out, key);
        put_addr(out, key + ADDR_W);
        fprintf(out, " %u\n", (unsigned)(key[PAIR_W] << 8 | key[PAIR_W + 1]));
    }
    put_held(out, "pair", d->pairs, 2);
    put_held(out, "source", d->sources, 1);
    return ferror(out) ? -1 : 0;
}

struct loader {
    struct ft_dscan *d;
    struct ft_err *err;
};

/* An address of a state line into its key slot. */
static int load_addr(struct ft_cfg_line *l, int w, uint8_t *slot, struct ft_err *err)
{
    struct ft_flow f = {0};
    struct ft_err e;
    struct ft_resolver no_names = {.fn = ft_resolve_none};  /* a state file holds numbers */
    if (ft_ip_parse_r(l->word[w], &no_names, &f.srcaddr, &e) < 0)
        return ft_cfg_error(err, l->file, l->lineno, "bad address \"%s\"", l->word[w]);
    ft_agg_key_put(slot, &ft_fields[FT_FLD_SRCADDR], &f);
    return 0;
}

static int load_number(struct ft_cfg_line *l, int w, uint64_t max, uint64_t *v,
                       struct ft_err *err)
{
    char *end;
    unsigned long long n = strtoull(l->word[w], &end, 10);
    if (*end || end == l->word[w] || n > max)
        return ft_cfg_error(err, l->file, l->lineno, "bad number \"%s\"", l->word[w]);
    *v = n;
    return 0;
}

static int load_line(void *ctx, struct ft_cfg_line *l)
{
    struct loader *ld = ctx;
    struct ft_dscan *d = ld->d;
    uint8_t key[TRIPLE_W];
    uint64_t first, reported, port;
    int words = ft_cfg_split(l, 6);
    const char *w0 = l->n > 0 ? l->word[0] : "";
    int is_source = !strcmp(w0, "source"), is_pair = !strcmp(w0, "pair");
    if (words < 0 || (!is_source && !is_pair && strcmp(w0, "probe")) ||
        l->n != (is_pair ? 5 : 4))
        return ft_cfg_error(ld->err, l->file, l->lineno, "bad state line \"%s\"", w0);
    if (load_addr(l, 1, key, ld->err) < 0 || (!is_source && load_addr(l, 2, key + ADDR_W,
                                                                      ld->err) < 0))
        return -1;
    if (!is_source && !is_pair) {
        if (load_number(l, 3, 65535, &port, ld->err) < 0)
            return -1;
        key[PAIR_W] = (uint8_t)(port >> 8);
        key[PAIR_W + 1] = (uint8_t)port;
        return count_probe(d, key, 0, 0, 1, 0) < 0 ?
               ft_cfg_error(ld->err, l->file, l->lineno, "out of memory") : 0;
    }
    if (load_number(l, is_source ? 2 : 3, UINT64_MAX, &first, ld->err) < 0 ||
        load_number(l, is_source ? 3 : 4, 1, &reported, ld->err) < 0)
        return -1;
    int added;
    struct held *h = ft_agg_get(is_source ? d->sources : d->pairs, key, &added);
    if (!h)
        return ft_cfg_error(ld->err, l->file, l->lineno, "state table full");
    h->first_ms = first;
    h->reported = (uint32_t)reported;
    h->last_flow = d->flows;
    return 0;
}

int ft_dscan_load(struct ft_dscan *d, const char *text, size_t len, const char *name,
                  struct ft_err *err)
{
    struct loader ld = {d, err};
    return ft_cfg_lines(text, len, name, NULL, load_line, &ld, err);
}
