/*
 * ft_rtype.c - report types as rows over the field table.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "report/ft_rtype.h"

/* The column sets of report-fields.md: which columns a type may show. */
enum ft_rset {
    SET_DETAIL, SET_COUNTERS, SET_KEY1, SET_KEY2, SET_KEY3, SET_KEY4, SET_COUNT,
    SET_KEY6, SET_LINEAR, SET_FROM_KEYS
};

#define B(c) FT_RC_BIT(FT_RC_##c)
#define RATES (FT_RC_PPS | FT_RC_BPS)
#define COMMON (B(INDEX) | B(FIRST) | B(LAST) | B(FLOWS) | B(OCTETS) | B(PACKETS) | \
                B(DURATION) | RATES | B(OTHER) | B(FRECS))

static const uint32_t set_columns[] = {
    [SET_DETAIL] = RATES | B(OTHER),
    [SET_COUNTERS] = RATES,
    [SET_KEY1] = COMMON | B(KEY),
    [SET_KEY2] = COMMON | B(KEY1) | B(KEY2),
    [SET_KEY3] = COMMON | B(KEY1) | B(KEY2) | B(KEY3),
    [SET_KEY4] = COMMON | B(KEY1) | B(KEY2) | B(KEY3) | B(KEY4),
    [SET_COUNT] = COMMON | B(KEY) | B(COUNT),
    [SET_KEY6] = COMMON | B(KEY1) | B(KEY2) | B(KEY3) | B(KEY4) | B(KEY5) | B(KEY6),
    [SET_LINEAR] = B(FLOWS) | B(OCTETS) | B(PACKETS) | B(KEY),
};

/*
 * The 78 types in the order of the spec.  A tuple row (FT_RK_FIELDS) names
 * its fields through its name, or through `layout` where the original
 * shows the columns in another order; `heading` is the original's `# recn:`
 * spelling where it is not the fields' own names (its quirks, copied).
 */
struct rtype_row {
    const char *name;
    uint8_t kind, set;
    const char *layout;
    const char *heading;
};

#define T(name) { name, FT_RK_FIELDS, SET_FROM_KEYS, NULL, NULL }
#define TH(name, heading) { name, FT_RK_FIELDS, SET_FROM_KEYS, NULL, heading }
#define S(name, kind, set, heading) { name, kind, set, NULL, heading }

static const struct rtype_row rtypes[FT_RTYPE_COUNT] = {
    S("summary-detail", FT_RK_SUMMARY_DETAIL, SET_DETAIL, ""),
    S("summary-counters", FT_RK_SUMMARY_COUNTERS, SET_COUNTERS, ""),
    S("packet-size", FT_RK_PACKET_SIZE, SET_KEY1, "packet size/flow*"),
    S("octets", FT_RK_OCTETS, SET_KEY1, "octets/flow*"),
    S("packets", FT_RK_PACKETS, SET_KEY1, "packets/flow*"),
    T("ip-source-port"),
    T("ip-destination-port"),
    T("ip-source/destination-port"),
    S("bps", FT_RK_BPS, SET_KEY1, "bps/flow*"),
    S("pps", FT_RK_PPS, SET_KEY1, "pps/flow*"),
    S("ip-destination-address-type", FT_RK_DST_ADDR_TYPE, SET_KEY1,
      "ip-destination-address-type*"),
    T("ip-protocol"),
    T("ip-tos"),
    T("ip-next-hop-address"),
    T("ip-source-address"),
    T("ip-destination-address"),
    T("ip-source/destination-address"),
    T("ip-exporter-address"),
    T("input-interface"),
    T("output-interface"),
    T("input/output-interface"),
    T("source-as"),
    T("destination-as"),
    TH("source/destination-as", "source-as*,destination-AS*"),
    T("ip-source-address/source-as"),
    TH("ip-destination-address/source-as", "ip-source-address*,destination-as*"),
    T("ip-source-address/destination-as"),
    TH("ip-destination-address/destination-as", "ip-destination-address*,source-as*"),
    T("ip-source/destination-address/source-as"),
    T("ip-source/destination-address/destination-as"),
    T("ip-source/destination-address/source/destination-as"),
    T("ip-source-address/input-interface"),
    T("ip-destination-address/input-interface"),
    T("ip-source-address/output-interface"),
    T("ip-destination-address/output-interface"),
    T("ip-source/destination-address/input-interface"),
    T("ip-source/destination-address/output-interface"),
    T("ip-source/destination-address/input/output-interface"),
    T("input-interface/source-as"),
    T("input-interface/destination-as"),
    T("output-interface/source-as"),
    T("output-interface/destination-as"),
    T("input-interface/source/destination-as"),
    T("output-interface/source/destination-as"),
    T("input/output-interface/source/destination-as"),
    T("engine-id"),
    T("engine-type"),
    T("source-tag"),
    T("destination-tag"),
    T("source/destination-tag"),
    T("ip-source-address/ip-source-port"),
    T("ip-source-address/ip-destination-port"),
    T("ip-destination-address/ip-source-port"),
    T("ip-destination-address/ip-destination-port"),
    T("ip-source-address/ip-source/destination-port"),
    T("ip-destination-address/ip-source/destination-port"),
    T("ip-source/destination-address/ip-source-port"),
    T("ip-source/destination-address/ip-destination-port"),
    T("ip-source/destination-address/ip-source/destination-port"),
    T("ip-source-address/input/output-interface"),
    T("ip-destination-address/input/output-interface"),
    T("ip-source-address/source/destination-as"),
    T("ip-destination-address/source/destination-as"),
    S("ip-address", FT_RK_IP_ADDRESS, SET_KEY1, "ip-address*"),
    S("ip-port", FT_RK_IP_PORT, SET_KEY1, "ip-port*"),
    S("ip-source-address-destination-count", FT_RK_SRC_DST_COUNT, SET_COUNT,
      "ip-source-address*,ip-destination-address-count"),
    S("ip-destination-address-source-count", FT_RK_DST_SRC_COUNT, SET_COUNT,
      "ip-destination-address*,ip-source-address-count"),
    { "ip-source/destination-address/ip-protocol/ip-tos/ip-source/destination-port",
      FT_RK_FIELDS, SET_FROM_KEYS,
      "ip-source/destination-address/ip-source/destination-port/ip-protocol/ip-tos", NULL },
    T("ip-source/destination-address/ip-protocol/ip-tos"),
    T("ip-source-address/source-tag"),
    T("ip-source-address/destination-tag"),
    T("ip-destination-address/source-tag"),
    T("ip-destination-address/destination-tag"),
    T("ip-source/destination-address/source/destination-tag"),
    S("linear-interpolated-flows-octets-packets", FT_RK_LINEAR, SET_LINEAR, "unix-secs*"),
    S("first", FT_RK_FIRST, SET_KEY1, "First*"),
    S("last", FT_RK_LAST, SET_KEY1, "Last*"),
    S("duration", FT_RK_DURATION, SET_KEY1, "Duration*"),
};

/* What the computed kinds read from a flow (a report needing a field the
 * stream lacks is refused). */
static uint64_t kind_needs(enum ft_rkind k)
{
    switch (k) {
    case FT_RK_DST_ADDR_TYPE: return FT_F_DSTADDR;
    case FT_RK_IP_ADDRESS: case FT_RK_SRC_DST_COUNT: case FT_RK_DST_SRC_COUNT:
        return FT_F_SRCADDR | FT_F_DSTADDR;
    case FT_RK_IP_PORT: return FT_F_SRCPORT | FT_F_DSTPORT;
    default: return 0;
    }
}

static const char *const rcol_names[FT_RC_N] = {
    [FT_RC_INDEX] = "index", [FT_RC_FIRST] = "first", [FT_RC_LAST] = "last",
    [FT_RC_KEY] = "key", [FT_RC_KEY1] = "key1", [FT_RC_KEY2] = "key2",
    [FT_RC_KEY3] = "key3", [FT_RC_KEY4] = "key4", [FT_RC_KEY5] = "key5",
    [FT_RC_KEY6] = "key6", [FT_RC_COUNT] = "count", [FT_RC_FLOWS] = "flows",
    [FT_RC_OCTETS] = "octets", [FT_RC_PACKETS] = "packets", [FT_RC_DURATION] = "duration",
    [FT_RC_AVG_BPS] = "avg-bps", [FT_RC_MIN_BPS] = "min-bps", [FT_RC_MAX_BPS] = "max-bps",
    [FT_RC_AVG_PPS] = "avg-pps", [FT_RC_MIN_PPS] = "min-pps", [FT_RC_MAX_PPS] = "max-pps",
    [FT_RC_OTHER] = "other", [FT_RC_FRECS] = "frecs",
};

const char *ft_rcol_name(enum ft_rcol c)
{
    return c < FT_RC_N ? rcol_names[c] : NULL;
}

uint32_t ft_rcol_bits(const char *name)
{
    if (strcasecmp(name, "pps") == 0)
        return FT_RC_PPS;
    if (strcasecmp(name, "bps") == 0)
        return FT_RC_BPS;
    /* "generic": the counters every keyed report has */
    if (strcasecmp(name, "generic") == 0)
        return B(FLOWS) | B(OCTETS) | B(PACKETS) | B(DURATION);
    for (int c = 0; c < FT_RC_N; c++)
        if (strcasecmp(name, rcol_names[c]) == 0)
            return FT_RC_BIT(c);
    return 0;
}

const char *ft_rtype_name(size_t i)
{
    return i < FT_RTYPE_COUNT ? rtypes[i].name : NULL;
}

/* The field of a spelling of len bytes, or NULL. */
static const struct ft_field *field_of(const char *s, size_t len)
{
    char buf[96];
    if (len == 0 || len >= sizeof buf)
        return NULL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return ft_field_by_lang(buf);
}

/*
 * "A/B-suffix" where A names no field: A-suffix and B-suffix, B taking A's
 * leading words when it names no field alone ("ip-source/destination-port":
 * ip-source-port, ip-destination-port).  Returns 2, or -1.
 */
static int derive_pair(const char *a, size_t alen, const char *b, size_t blen,
                       const struct ft_field **out)
{
    const char *dash = memchr(b, '-', blen);
    if (!dash)
        return -1;
    const char *suffix = dash;      /* "-port" */
    size_t slen = blen - (size_t)(dash - b);
    char buf[96];
    if (alen + slen >= sizeof buf)
        return -1;
    memcpy(buf, a, alen);
    memcpy(buf + alen, suffix, slen);
    out[0] = field_of(buf, alen + slen);
    out[1] = field_of(b, blen);
    if (!out[1]) {
        /* A's words before its last one, then B: "ip-" + "destination-port" */
        size_t keep = alen;
        while (keep > 0 && a[keep - 1] != '-')
            keep--;
        if (keep == 0 || keep + blen >= sizeof buf)
            return -1;
        memcpy(buf, a, keep);
        memcpy(buf + keep, b, blen);
        out[1] = field_of(buf, keep + blen);
    }
    return out[0] && out[1] ? 2 : -1;
}

int ft_rtype_derive(const char *name, uint8_t *ids, int max)
{
    const char *part[2 * FT_RTYPE_MAX_KEYS + 1];
    size_t len[2 * FT_RTYPE_MAX_KEYS + 1];
    int nparts = 0;
    for (const char *p = name;;) {
        const char *slash = strchr(p, '/');
        size_t l = slash ? (size_t)(slash - p) : strlen(p);
        if (nparts == (int)(sizeof part / sizeof part[0]))
            return -1;
        part[nparts] = p;
        len[nparts++] = l;
        if (!slash)
            break;
        p = slash + 1;
    }
    int n = 0;
    for (int i = 0; i < nparts; i++) {
        const struct ft_field *f[2];
        int got;
        if ((f[0] = field_of(part[i], len[i])) != NULL) {
            got = 1;
        } else {
            if (i + 1 >= nparts)
                return -1;
            got = derive_pair(part[i], len[i], part[i + 1], len[i + 1], f);
            if (got < 0)
                return -1;
            i++;
        }
        for (int k = 0; k < got; k++) {
            if (n >= max)
                return -1;
            ids[n++] = f[k]->id;
        }
    }
    return n;
}

static void heading_of_fields(struct ft_rtype *t)
{
    size_t used = 0;
    t->heading[0] = '\0';
    for (int i = 0; i < t->nkeys; i++) {
        char name[96];
        if (!ft_field_lang_name(&ft_fields[t->key[i]], name, sizeof name))
            name[0] = '\0';
        int w = snprintf(t->heading + used, sizeof t->heading - used, "%s%s*",
                         i ? "," : "", name);
        if (w < 0 || (size_t)w >= sizeof t->heading - used)
            return;
        used += (size_t)w;
    }
}

static const enum ft_rset set_of_keys[FT_RTYPE_MAX_KEYS + 1] = {
    SET_KEY1, SET_KEY1, SET_KEY2, SET_KEY3, SET_KEY4, SET_KEY6, SET_KEY6
};

int ft_rtype_lookup(const char *name, struct ft_rtype *out, struct ft_err *err)
{
    for (size_t i = 0; i < FT_RTYPE_COUNT; i++) {
        const struct rtype_row *r = &rtypes[i];
        if (strcasecmp(name, r->name) != 0)
            continue;
        memset(out, 0, sizeof *out);
        out->name = r->name;
        out->kind = r->kind;
        out->needs = kind_needs(r->kind);
        if (r->kind == FT_RK_FIELDS) {
            int n = ft_rtype_derive(r->layout ? r->layout : r->name, out->key,
                                    FT_RTYPE_MAX_KEYS);
            if (n <= 0)     /* a row the field table cannot spell: a bug here */
                return ft_err_set(err, "report type %s names no fields", r->name);
            out->nkeys = (uint8_t)n;
            for (int k = 0; k < n; k++)
                out->needs |= ft_fields[out->key[k]].has;
            out->allowed = set_columns[set_of_keys[n]];
            heading_of_fields(out);
        } else {
            out->nkeys = r->set == SET_DETAIL || r->set == SET_COUNTERS ? 0 : 1;
            out->allowed = set_columns[r->set];
        }
        if (r->heading)
            snprintf(out->heading, sizeof out->heading, "%s", r->heading);
        return 0;
    }
    return ft_err_set(err, "unknown report type %s", name);
}
