/*
 * ft_meter.c - the sensor's flow cache (see ft_meter.h).
 *
 * Flows live in a fixed pool; a flat open-addressing table (linear probing,
 * backward-shift deletion, the key's hash kept in the slot) finds them.
 * The table starts small and doubles while the flows in the cache fill more
 * than half of it, up to twice max_flows: the slots a lookup touches stay
 * as few as the flows alive, so they stay in the CPU's caches.  Pool
 * entries are handed out in order and reused from a free list, so memory
 * is touched only as far as the cache ever filled.
 * Each flow is on up to three intrusive lists by pool index, each in time
 * order because the clock never goes back: last seen (moved to the tail at
 * every packet), first seen (appended once) and FIN seen (appended once).
 */
#include <stdlib.h>
#include <string.h>
#include "sensor/ft_meter.h"
#include "core/ft_bytes.h"

#define NIL UINT32_MAX

/* The key as hashed and compared: 48 bytes, no padding left unset. */
struct mkey {
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint8_t prot, tos, ipver, pad;
    uint16_t vlan, pad2;
    uint32_t input;
};
_Static_assert(sizeof(struct mkey) == 48, "key layout");

enum { L_LRU, L_AGE, L_FIN, N_LISTS };

struct link {
    uint32_t prev, next;
};

struct mflow {
    struct mkey k;
    uint64_t first_us, last_us, fin_us;
    uint64_t pkts, octets;
    struct link l[N_LISTS];
    uint32_t hash;
    uint32_t flow_label;
    uint16_t vlan;
    uint8_t tcp_flags, in_fin;
};

struct slot {
    uint32_t hash;
    uint32_t idx;               /* pool index + 1; 0: empty */
};

struct list {
    uint32_t head, tail;
};

struct frag {
    uint8_t src[16], dst[16];
    uint32_t id;
    uint16_t sport, dport;
    uint8_t prot, ipver, used;
};

struct ft_meter {
    struct ft_meter_opts o;
    ft_meter_emit_fn emit;
    void *arg;
    struct mflow *pool;
    uint32_t free_head;         /* freed pool entries, chained through l[L_LRU].next */
    uint32_t fresh;             /* pool entries below this were handed out once */
    uint32_t limit;             /* flows the cache holds: max_flows, less if the
                                 * table could not grow */
    struct slot *slots;
    uint32_t mask, max_mask;
    struct list lists[N_LISTS];
    struct frag *frags;
    uint64_t inactive_us, active_us, grace_us;
    uint64_t now;
    uint64_t sample_count, rng;
    struct ft_meter_stats st;
};

const char *const ft_meter_cause_names[FT_EXP_NCAUSES] = {
    "inactive", "active", "fin", "full", "end"
};

void ft_meter_opts_init(struct ft_meter_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_flows = 262144;
    o->inactive_ms = 15000;
    o->active_ms = 1800000;
    o->fin_grace_ms = 2000;
    o->frag_slots = 4096;
    o->seed = 1;
}

size_t ft_meter_flow_bytes(void)
{
    return sizeof(struct mflow) + 2 * sizeof(struct slot);
}

struct ft_meter *ft_meter_new(const struct ft_meter_opts *o, ft_meter_emit_fn emit, void *arg,
                              struct ft_err *err)
{
    if (o->max_flows < 1 || o->max_flows > (1u << 30)) {
        ft_err_set(err, "cache size %u out of range 1..%u", o->max_flows, 1u << 30);
        return NULL;
    }
    struct ft_meter *m = calloc(1, sizeof *m);
    if (!m)
        goto oom;
    m->o = *o;
    m->emit = emit;
    m->arg = arg;
    uint64_t cap = 16;
    while (cap < 2ull * o->max_flows)
        cap <<= 1;
    m->max_mask = (uint32_t)(cap - 1);
    m->mask = cap < 4096 ? (uint32_t)(cap - 1) : 4095;
    m->limit = o->max_flows;
    m->pool = malloc(sizeof *m->pool * o->max_flows);
    m->slots = calloc((size_t)m->mask + 1, sizeof *m->slots);
    if (m->o.frag_slots == 0)
        m->o.frag_slots = 1;
    m->frags = calloc(m->o.frag_slots, sizeof *m->frags);
    if (!m->pool || !m->slots || !m->frags) {
        ft_meter_free(m);
        goto oom;
    }
    m->free_head = NIL;
    for (int k = 0; k < N_LISTS; k++)
        m->lists[k].head = m->lists[k].tail = NIL;
    m->inactive_us = o->inactive_ms * 1000;
    m->active_us = o->active_ms * 1000;
    m->grace_us = o->fin_grace_ms * 1000;
    m->rng = o->seed ? o->seed : 1;
    return m;
oom:
    ft_err_set(err, "out of memory for a cache of %u flows", o->max_flows);
    return NULL;
}

void ft_meter_free(struct ft_meter *m)
{
    if (!m)
        return;
    free(m->pool);
    free(m->slots);
    free(m->frags);
    free(m);
}

void ft_meter_stats(const struct ft_meter *m, struct ft_meter_stats *st)
{
    *st = m->st;
}

/* ---- lists -------------------------------------------------------------- */

static void list_push(struct ft_meter *m, int k, uint32_t i)
{
    struct list *L = &m->lists[k];
    struct link *l = &m->pool[i].l[k];
    l->prev = L->tail;
    l->next = NIL;
    if (L->tail != NIL)
        m->pool[L->tail].l[k].next = i;
    else
        L->head = i;
    L->tail = i;
}

static void list_remove(struct ft_meter *m, int k, uint32_t i)
{
    struct list *L = &m->lists[k];
    struct link *l = &m->pool[i].l[k];
    if (l->prev != NIL)
        m->pool[l->prev].l[k].next = l->next;
    else
        L->head = l->next;
    if (l->next != NIL)
        m->pool[l->next].l[k].prev = l->prev;
    else
        L->tail = l->prev;
}

/* ---- the table ---------------------------------------------------------- */

static uint32_t key_hash(const struct mkey *k)
{
    uint64_t w[6];
    memcpy(w, k, sizeof w);
    uint64_t h = 0x243f6a8885a308d3ull;
    for (int i = 0; i < 6; i++) {
        h = (h ^ w[i]) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    h ^= h >> 32;
    return (uint32_t)h;
}

/* The slot holding key k (hash h), or the empty slot where it would go. */
static uint32_t table_find(const struct ft_meter *m, const struct mkey *k, uint32_t h)
{
    uint32_t i = h & m->mask;
    for (;;) {
        const struct slot *s = &m->slots[i];
        if (!s->idx || (s->hash == h && memcmp(&m->pool[s->idx - 1].k, k, sizeof *k) == 0))
            return i;
        i = (i + 1) & m->mask;
    }
}

/* Empty slot i, shifting later entries of its cluster back so that every
 * entry stays reachable from its home slot. */
static void table_delete(struct ft_meter *m, uint32_t i)
{
    for (;;) {
        uint32_t j = i;
        for (;;) {
            j = (j + 1) & m->mask;
            if (!m->slots[j].idx) {
                m->slots[i].idx = 0;
                return;
            }
            uint32_t home = m->slots[j].hash & m->mask;
            /* j stays if its home lies cyclically in (i, j] */
            int stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays)
                break;
        }
        m->slots[i] = m->slots[j];
        i = j;
    }
}

/* ---- ending flows ------------------------------------------------------- */

static void to_flow(const struct ft_meter *m, const struct mflow *e, struct ft_flow *f)
{
    memset(f, 0, sizeof *f);
    f->has = FT_F_SRCADDR | FT_F_DSTADDR | FT_F_SRCPORT | FT_F_DSTPORT | FT_F_PROT |
             FT_F_TOS | FT_F_TCP_FLAGS | FT_F_DPKTS | FT_F_DOCTETS | FT_F_DFLOWS |
             FT_F_INPUT | FT_F_TIMES | FT_F_ABS_TIMES | FT_F_IP_VERSION;
    if (e->k.ipver == 6) {
        f->srcaddr.af = f->dstaddr.af = FT_AF_INET6;
        memcpy(f->srcaddr.v6, e->k.src, 16);
        memcpy(f->dstaddr.v6, e->k.dst, 16);
        f->flow_label = e->flow_label;
        f->has |= FT_F_FLOW_LABEL;
    } else {
        ft_ip_set4(&f->srcaddr, ft_ld32(e->k.src, 1));
        ft_ip_set4(&f->dstaddr, ft_ld32(e->k.dst, 1));
    }
    f->srcport = e->k.sport;
    f->dstport = e->k.dport;
    f->prot = e->k.prot;
    f->tos = e->k.tos;
    f->tcp_flags = e->tcp_flags;
    f->ip_version = e->k.ipver;
    f->input = e->k.input;
    f->dpkts = e->pkts;
    f->doctets = e->octets;
    f->dflows = 1;
    f->start_ms = e->first_us / 1000;
    f->end_ms = e->last_us / 1000;
    f->start_ns = (uint32_t)(e->first_us % 1000) * 1000;
    f->end_ns = (uint32_t)(e->last_us % 1000) * 1000;
    if (e->k.prot == 1 || e->k.prot == 58) {
        f->icmp_type = (uint8_t)(e->k.dport >> 8);
        f->icmp_code = (uint8_t)e->k.dport;
        f->has |= FT_F_ICMP;
    }
    if (e->vlan) {
        f->src_vlan = e->vlan;
        f->has |= FT_F_SRC_VLAN;
    }
    if (m->o.sample > 1) {
        f->sampling_interval = m->o.sample;
        f->sampling_algorithm = m->o.sample_random ? 2 : 1;
        f->has |= FT_F_SAMPLING;
    }
}

static void expire(struct ft_meter *m, uint32_t i, enum ft_meter_cause why)
{
    struct mflow *e = &m->pool[i];
    struct ft_flow f;
    to_flow(m, e, &f);
    table_delete(m, table_find(m, &e->k, e->hash));
    list_remove(m, L_LRU, i);
    list_remove(m, L_AGE, i);
    if (e->in_fin)
        list_remove(m, L_FIN, i);
    e->l[L_LRU].next = m->free_head;
    m->free_head = i;
    m->st.active--;
    m->st.expired[why]++;
    m->emit(m->arg, &f, why);
}

/* End the flows due at m->now, each list oldest first. */
static void expire_due(struct ft_meter *m)
{
    uint64_t now = m->now;
    uint32_t i;
    while ((i = m->lists[L_LRU].head) != NIL && m->pool[i].last_us + m->inactive_us <= now)
        expire(m, i, FT_EXP_INACTIVE);
    while ((i = m->lists[L_AGE].head) != NIL && m->pool[i].first_us + m->active_us <= now)
        expire(m, i, FT_EXP_ACTIVE);
    while ((i = m->lists[L_FIN].head) != NIL && m->pool[i].fin_us + m->grace_us <= now)
        expire(m, i, FT_EXP_FIN);
}

void ft_meter_advance(struct ft_meter *m, uint64_t now_us)
{
    if (now_us > m->now)
        m->now = now_us;
    expire_due(m);
}

void ft_meter_flush(struct ft_meter *m)
{
    uint32_t i;
    while ((i = m->lists[L_AGE].head) != NIL)
        expire(m, i, FT_EXP_END);
}

/* ---- packets ------------------------------------------------------------ */

static int sampled_out(struct ft_meter *m)
{
    if (m->o.sample <= 1)
        return 0;
    if (!m->o.sample_random)
        return m->sample_count++ % m->o.sample != 0;
    m->rng ^= m->rng << 13;         /* xorshift64 */
    m->rng ^= m->rng >> 7;
    m->rng ^= m->rng << 17;
    return m->rng % m->o.sample != 0;
}

/* Fragments: a first fragment leaves its ports for the later ones. */
static void fragment_ports(struct ft_meter *m, struct ft_pkt *p)
{
    uint32_t h = p->frag_id * 0x9e3779b1u;
    h ^= ft_ld32(p->src + (p->ipver == 6 ? 12 : 0), 1) * 0x85ebca6bu;
    h ^= ft_ld32(p->dst + (p->ipver == 6 ? 12 : 0), 1) + p->prot;
    struct frag *s = &m->frags[h % m->o.frag_slots];
    int same = s->used && s->id == p->frag_id && s->prot == p->prot &&
               s->ipver == p->ipver && !memcmp(s->src, p->src, 16) &&
               !memcmp(s->dst, p->dst, 16);
    if (p->frag == FT_FRAG_FIRST) {
        if (!p->has_ports)
            return;
        memcpy(s->src, p->src, 16);
        memcpy(s->dst, p->dst, 16);
        s->id = p->frag_id;
        s->prot = p->prot;
        s->ipver = p->ipver;
        s->sport = p->sport;
        s->dport = p->dport;
        s->used = 1;
    } else if (same) {
        p->sport = s->sport;
        p->dport = s->dport;
        m->st.frag_known++;
    } else {
        m->st.frag_unknown++;
    }
}

/* Double the table (rehash every flow into the new one).  When memory is
 * short the cache keeps to what the table holds at half load. */
static void table_grow(struct ft_meter *m)
{
    size_t cap = ((size_t)m->mask + 1) * 2;
    struct slot *ns = calloc(cap, sizeof *ns);
    if (!ns) {
        m->limit = (m->mask + 1) / 2;
        return;
    }
    struct slot *old = m->slots;
    size_t old_cap = (size_t)m->mask + 1;
    m->slots = ns;
    m->mask = (uint32_t)(cap - 1);
    for (size_t j = 0; j < old_cap; j++) {
        if (!old[j].idx)
            continue;
        uint32_t i = old[j].hash & m->mask;
        while (ns[i].idx)
            i = (i + 1) & m->mask;
        ns[i] = old[j];
    }
    free(old);
}

static uint32_t new_flow(struct ft_meter *m, const struct mkey *k, uint32_t h)
{
    if (m->st.active >= m->limit)
        expire(m, m->lists[L_LRU].head, FT_EXP_FULL);
    if (2 * (m->st.active + 1) > (uint64_t)m->mask + 1 && m->mask < m->max_mask)
        table_grow(m);
    uint32_t i;
    if (m->free_head != NIL) {
        i = m->free_head;
        m->free_head = m->pool[i].l[L_LRU].next;
    } else {
        i = m->fresh++;
    }
    struct mflow *e = &m->pool[i];
    /* the table may have shifted during the eviction: find the slot again */
    uint32_t s = table_find(m, k, h);
    m->slots[s].hash = h;
    m->slots[s].idx = i + 1;
    memset(e, 0, sizeof *e);
    e->k = *k;
    e->hash = h;
    e->first_us = m->now;
    list_push(m, L_LRU, i);
    list_push(m, L_AGE, i);
    m->st.active++;
    m->st.flows++;
    return i;
}

/* Every byte of the key set, padding included: it is hashed and compared whole. */
static void make_key(const struct ft_meter *m, const struct ft_pkt *p, struct mkey *k)
{
    memcpy(k->src, p->src, 16);
    memcpy(k->dst, p->dst, 16);
    k->sport = p->sport;
    k->dport = p->dport;
    k->prot = p->prot;
    k->tos = p->tos;
    k->ipver = p->ipver;
    k->pad = 0;
    k->vlan = m->o.vlan_key ? p->vlan : 0;
    k->pad2 = 0;
    k->input = m->o.input;
}

void ft_meter_packet(struct ft_meter *m, const struct ft_pkt *pkt, uint64_t ts_us)
{
    if (sampled_out(m)) {
        m->st.sampled_out++;
        return;
    }
    if (ts_us < m->now)
        m->st.clock_back++;
    else
        m->now = ts_us;
    expire_due(m);

    struct ft_pkt p = *pkt;
    if (p.frag != FT_FRAG_NONE)
        fragment_ports(m, &p);
    else if (!p.has_ports && (p.prot == 6 || p.prot == 17 || p.prot == 132 || p.prot == 1 ||
                              p.prot == 58))
        m->st.short_l4++;
    struct mkey k;
    make_key(m, &p, &k);
    uint32_t h = key_hash(&k);
    uint32_t s = table_find(m, &k, h);
    uint32_t i;
    if (m->slots[s].idx) {
        i = m->slots[s].idx - 1;
        if (m->lists[L_LRU].tail != i) {
            list_remove(m, L_LRU, i);
            list_push(m, L_LRU, i);
        }
    } else {
        i = new_flow(m, &k, h);
        m->pool[i].flow_label = p.flow_label;
        m->pool[i].vlan = p.vlan;
    }
    struct mflow *e = &m->pool[i];
    e->last_us = m->now;
    e->pkts++;
    e->octets += p.octets;
    e->tcp_flags |= p.tcp_flags;
    if ((p.tcp_flags & 0x05) && !e->in_fin) {   /* FIN or RST */
        e->in_fin = 1;
        e->fin_us = m->now;
        list_push(m, L_FIN, i);
    }
    m->st.packets++;
    m->st.octets += p.octets;
}
