/*
 * ft_acl_filter.c - flow-filter's criteria (see ft_acl.h): value lists
 * over numeric fields, access lists over address fields or whole flows,
 * one address an address field must equal.  Each criterion names its
 * field by the field table's row; values of fields up to 16 bits wide are
 * looked up in a bitmap, wider ones in sorted ranges.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ft_field.h"
#include "core/ft_grow.h"
#include "lang/ft_acl_int.h"
#include "net/ft_addrspec.h"

/* The most ranges a list of a wide field may have (a command line's worth). */
#define MAX_RANGES 65536u

enum crit_kind { CRIT_LIST, CRIT_ADDR, CRIT_FLOW, CRIT_EQUAL };

struct range {
    uint32_t lo, hi;
};

struct crit {
    enum crit_kind kind;
    const struct ft_field *fld;         /* NULL for CRIT_FLOW */
    /* CRIT_LIST */
    uint64_t mask;                      /* ANDed with the value first */
    int tcp_only;                       /* TCP flags: other protocols pass by */
    uint8_t *bits;                      /* fields up to 16 bits: one bit per value */
    struct range *r;                    /* wider fields: sorted, merged */
    size_t nr;
    int invert;
    /* CRIT_ADDR, CRIT_FLOW */
    const struct ft_acl *acl;
    /* CRIT_EQUAL */
    struct ft_ip ip;
};

struct ft_acl_filter {
    int any;                    /* -o: one criterion is enough */
    struct crit *c;
    size_t n, cap;
    uint64_t fields;
};

struct ft_acl_filter *ft_acl_filter_new(int any)
{
    struct ft_acl_filter *f = calloc(1, sizeof *f);
    if (f)
        f->any = any;
    return f;
}

void ft_acl_filter_free(struct ft_acl_filter *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        free(f->c[i].bits);
        free(f->c[i].r);
    }
    free(f->c);
    free(f);
}

static uint64_t field_max(const struct ft_field *d)
{
    switch (d->type) {
    case FT_T_U8: return 0xff;
    case FT_T_U16: return 0xffff;
    case FT_T_U32: return 0xffffffffu;
    default: return UINT64_MAX;
    }
}

/* A number of the list syntax (decimal, 0x hex, 0 octal) ending at one of
 * the bytes of stops; -1 when there is none or it is over max. */
static int list_number(const char **s, const char *stops, uint64_t max, uint64_t *v)
{
    const char *p = *s;
    char *end;
    if (*p < '0' || *p > '9')
        return -1;
    errno = 0;
    unsigned long long n = strtoull(p, &end, 0);
    if (errno || n > max || !strchr(stops, *end))
        return -1;
    *v = n;
    *s = end;
    return 0;
}

static int add_range(struct crit *c, uint64_t lo, uint64_t hi, size_t *cap)
{
    if (c->bits) {
        for (uint64_t v = lo; v <= hi; v++)
            c->bits[v >> 3] |= (uint8_t)(1u << (v & 7));
        return 0;
    }
    if (c->nr >= MAX_RANGES || FT_RESERVE(c->r, *cap, c->nr) < 0)
        return -1;
    c->r[c->nr++] = (struct range){(uint32_t)lo, (uint32_t)hi};
    return 0;
}

static int range_cmp(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Sorted and merged, for the binary search. */
static void merge_ranges(struct crit *c)
{
    if (c->nr == 0)
        return;
    qsort(c->r, c->nr, sizeof *c->r, range_cmp);
    size_t out = 0;
    for (size_t i = 1; i < c->nr; i++) {
        if ((uint64_t)c->r[i].lo <= (uint64_t)c->r[out].hi + 1) {
            if (c->r[i].hi > c->r[out].hi)
                c->r[out].hi = c->r[i].hi;
        } else {
            c->r[++out] = c->r[i];
        }
    }
    c->nr = out + 1;
}

/* "[!]A[-B][,...][/MASK]" into c; -1 with err. */
static int parse_list(struct crit *c, const char *arg, int allow_mask, struct ft_err *err)
{
    uint64_t max = field_max(c->fld), lo, hi;
    const char *s = arg;
    size_t cap = 0;
    c->mask = UINT64_MAX;
    if (*s == '!') {
        c->invert = 1;
        s++;
    }
    const char *stops = allow_mask ? ",-/" : ",-";
    for (;;) {
        if (list_number(&s, stops, max, &lo) < 0)
            break;
        hi = lo;
        if (*s == '-') {
            s++;
            if (list_number(&s, stops, max, &hi) < 0 || *s == '-' || hi < lo)
                break;
        }
        if (add_range(c, lo, hi, &cap) < 0)
            return ft_err_set(err, "\"%s\": too many values or out of memory", arg);
        if (*s == ',') {
            s++;
            continue;
        }
        if (*s == '/') {
            s++;
            if (list_number(&s, "", max, &c->mask) < 0)
                break;
        }
        if (*s == '\0') {
            merge_ranges(c);
            return 0;
        }
        break;
    }
    return ft_err_set(err, "\"%s\": bad %s list near \"%s\" (values 0-%llu%s)", arg,
                      c->fld->name, s, (unsigned long long)max,
                      allow_mask ? ", an optional /mask" : "");
}

static struct crit *new_crit(struct ft_acl_filter *f, enum crit_kind kind, int field,
                             struct ft_err *err)
{
    if (FT_RESERVE(f->c, f->cap, f->n) < 0) {
        ft_err_set(err, "out of memory");
        return NULL;
    }
    struct crit *c = &f->c[f->n];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    if (field >= 0)
        c->fld = &ft_fields[field];
    return c;
}

int ft_acl_filter_list(struct ft_acl_filter *f, int field, const char *arg, int allow_mask,
                       struct ft_err *err)
{
    struct crit *c = new_crit(f, CRIT_LIST, field, err);
    if (!c)
        return -1;
    if (c->fld->type == FT_T_U8 || c->fld->type == FT_T_U16) {
        c->bits = calloc(1, (size_t)(field_max(c->fld) + 1) / 8);
        if (!c->bits)
            return ft_err_set(err, "out of memory");
    }
    if (parse_list(c, arg, allow_mask, err) < 0) {
        free(c->bits);
        free(c->r);
        return -1;
    }
    f->n++;
    f->fields |= c->fld->has;
    /* flow-tools tests TCP flags on TCP flows only: the flags of other
     * protocols are not a TCP header's. */
    if (c->fld->kind == FT_K_TCP_FLAGS) {
        c->tcp_only = 1;
        f->fields |= FT_F_PROT;
    }
    return 0;
}

int ft_acl_filter_addr(struct ft_acl_filter *f, int field, const struct ft_acl *acl,
                       struct ft_err *err)
{
    if (acl->extended)
        return ft_err_set(err, "\"%s\" is an extended access list, not a standard one",
                          acl->name);
    struct crit *c = new_crit(f, CRIT_ADDR, field, err);
    if (!c)
        return -1;
    c->acl = acl;
    f->n++;
    f->fields |= c->fld->has;
    return 0;
}

int ft_acl_filter_flow(struct ft_acl_filter *f, const struct ft_acl *acl, struct ft_err *err)
{
    if (!acl->extended)
        return ft_err_set(err, "\"%s\" is a standard access list, not an extended one",
                          acl->name);
    struct crit *c = new_crit(f, CRIT_FLOW, -1, err);
    if (!c)
        return -1;
    c->acl = acl;
    f->n++;
    f->fields |= FT_F_SRCADDR | FT_F_DSTADDR | FT_F_PROT;
    for (size_t i = 0; i < acl->n; i++) {
        if (acl->e[i].has_ports)
            f->fields |= FT_F_SRCPORT | FT_F_DSTPORT;
        if (acl->e[i].established)
            f->fields |= FT_F_TCP_FLAGS;
    }
    return 0;
}

int ft_acl_filter_equal(struct ft_acl_filter *f, int field, const char *arg,
                        struct ft_err *err)
{
    struct ft_ip ip;
    struct ft_err e;
    if (ft_ip_parse(arg, &ip, &e) < 0)
        return ft_err_set(err, "\"%s\": %s", arg, e.msg);
    struct crit *c = new_crit(f, CRIT_EQUAL, field, err);
    if (!c)
        return -1;
    c->ip = ip;
    f->n++;
    f->fields |= c->fld->has;
    return 0;
}

uint64_t ft_acl_filter_fields(const struct ft_acl_filter *f)
{
    return f->fields;
}

static int ranges_have(const struct range *r, size_t n, uint64_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v < r[mid].lo)
            hi = mid;
        else if (v > r[mid].hi)
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}

/* 1 the criterion passes, 0 it fails, -1 it does not apply (TCP flags of
 * a flow that is not TCP). */
static int crit_match(const struct crit *c, const struct ft_flow *flow)
{
    switch (c->kind) {
    case CRIT_LIST: {
        if (c->tcp_only && flow->prot != 6)
            return -1;
        uint64_t v = ft_field_get(flow, c->fld) & c->mask;
        int in = c->bits ? (c->bits[v >> 3] >> (v & 7)) & 1 : ranges_have(c->r, c->nr, v);
        return in != c->invert;
    }
    case CRIT_ADDR:
        return ft_acl_permits_addr(c->acl, ft_field_cptr(flow, c->fld));
    case CRIT_FLOW:
        return ft_acl_permits_flow(c->acl, flow);
    case CRIT_EQUAL:
        return ft_ip_equal(ft_field_cptr(flow, c->fld), &c->ip);
    }
    return 0;
}

int ft_acl_filter_match(const struct ft_acl_filter *f, const struct ft_flow *flow)
{
    /* A criterion that does not apply neither fails a flow (all must
     * pass) nor passes it (one is enough). */
    if (f->any) {
        for (size_t i = 0; i < f->n; i++)
            if (crit_match(&f->c[i], flow) == 1)
                return 1;
        return f->n == 0;
    }
    for (size_t i = 0; i < f->n; i++)
        if (crit_match(&f->c[i], flow) == 0)
            return 0;
    return 1;
}

size_t ft_acl_filter_batch(const struct ft_acl_filter *f, const struct ft_flow *flows, size_t n,
                           uint8_t *keep)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        keep[i] = (uint8_t)ft_acl_filter_match(f, &flows[i]);
        kept += keep[i];
    }
    return kept;
}
