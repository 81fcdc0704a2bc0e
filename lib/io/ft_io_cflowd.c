/*
 * ft_io_cflowd.c - cflowd's flow record (format 0), both ways.
 *
 * A record is a 32-bit index, whose bits say which fields follow, then
 * those fields in the order of the bits, all big-endian.  Start and end
 * are wall-clock seconds, so reading back gives unix_secs = start,
 * sysUpTime = First = 0 and Last = (end - start) * 1000, as flow-tools
 * does.  Counters, interfaces and AS numbers are as wide as the columns.
 */
#include <string.h>
#include "core/ft_bytes.h"
#include "core/ft_rd.h"
#include "io/ft_io_int.h"

struct cf_col {
    uint32_t bit;
    uint8_t field;              /* enum ft_field_id; FIRST/LAST hold wall-clock seconds */
    uint8_t size;
};

static const struct cf_col cf_cols[] = {
    {0x000001, FT_FLD_EXADDR, 4}, {0x000002, FT_FLD_SRCADDR, 4},
    {0x000004, FT_FLD_DSTADDR, 4}, {0x000008, FT_FLD_INPUT, 2},
    {0x000010, FT_FLD_OUTPUT, 2}, {0x000020, FT_FLD_SRCPORT, 2},
    {0x000040, FT_FLD_DSTPORT, 2}, {0x000080, FT_FLD_DPKTS, 4},
    {0x000100, FT_FLD_DOCTETS, 4}, {0x000200, FT_FLD_NEXTHOP, 4},
    {0x000400, FT_FLD_FIRST, 4}, {0x000800, FT_FLD_LAST, 4},
    {0x001000, FT_FLD_PROT, 1}, {0x002000, FT_FLD_TOS, 1},
    {0x004000, FT_FLD_SRC_AS, 2}, {0x008000, FT_FLD_DST_AS, 2},
    {0x010000, FT_FLD_SRC_MASK, 1}, {0x020000, FT_FLD_DST_MASK, 1},
    {0x040000, FT_FLD_TCP_FLAGS, 1}, {0x080000, FT_FLD_IN_ENCAPS, 1},
    {0x100000, FT_FLD_OUT_ENCAPS, 1}, {0x200000, FT_FLD_PEER_NEXTHOP, 4},
    {0x400000, FT_FLD_ENGINE_TYPE, 1}, {0x800000, FT_FLD_ENGINE_ID, 1},
};
#define CF_NCOLS (sizeof cf_cols / sizeof cf_cols[0])
#define CF_ALL 0xFFFFFFu
#define CF_MAX_REC 64

/* The index bits whose fields are in the stream mask m. */
static uint32_t cf_bits(uint64_t m)
{
    uint32_t bits = 0;
    for (size_t i = 0; i < CF_NCOLS; i++)
        if (ft_fields[cf_cols[i].field].has & m)
            bits |= cf_cols[i].bit;
    return bits;
}

/* -m a number is the index itself; a list names the fields. */
static int cf_begin(struct ft_export *x, struct ft_err *err)
{
    const struct ft_io_fields *m = &x->opt.fields;
    uint32_t want = !m->given ? CF_ALL : m->numeric ? (uint32_t)m->mask : cf_bits(m->mask);
    x->cf_index = want & cf_bits(x->in->mask);
    (void)err;
    return 0;
}

static uint64_t cf_value(const struct ft_flow *f, const struct cf_col *c)
{
    const struct ft_field *d = &ft_fields[c->field];
    if (c->field == FT_FLD_FIRST || c->field == FT_FLD_LAST) {
        uint64_t ms = ft_uptime_to_ms(f->unix_secs, f->unix_nsecs, f->sysuptime,
                                      c->field == FT_FLD_FIRST ? f->first : f->last);
        return ms / 1000;
    }
    if (d->type == FT_T_IP) {
        const struct ft_ip *a = ft_field_cptr(f, d);
        return a->af == FT_AF_INET ? a->v4 : 0;
    }
    return ft_field_get(f, d);
}

static int cf_put(struct ft_export *x, const struct ft_flow *f, struct ft_err *err)
{
    (void)err;
    uint8_t *p = (uint8_t *)ft_out_reserve(x->out, 4 + CF_MAX_REC), *start = p;
    ft_st32(p, x->cf_index, 1);
    p += 4;
    for (size_t i = 0; i < CF_NCOLS; i++) {
        if (!(x->cf_index & cf_cols[i].bit))
            continue;
        ft_stn(p, cf_value(f, &cf_cols[i]), cf_cols[i].size, 1);
        p += cf_cols[i].size;
    }
    ft_out_commit(x->out, (char *)start + (p - start));
    return 0;
}

const struct ft_export_ops ft_io_cflowd_export = {cf_begin, cf_put, NULL, NULL};

/* ---- reading ------------------------------------------------------------- */

static int cf_err(struct ft_import *im, struct ft_err *err, const char *what)
{
    return ft_err_set(err, "%s record %llu at byte %llu: %s", im->src.name,
                      (unsigned long long)im->count + 1, (unsigned long long)im->src.off, what);
}

static void cf_store(struct ft_flow *f, const struct cf_col *c, uint64_t v)
{
    const struct ft_field *d = &ft_fields[c->field];
    if (d->type == FT_T_IP) {
        struct ft_ip *a = ft_field_ptr(f, d);
        a->af = FT_AF_INET;
        a->v4 = (uint32_t)v;
    } else {
        ft_field_put(f, d, v);
    }
    f->has |= d->has;
}

static int cf_next(struct ft_import *im, struct ft_flow *f, struct ft_err *err)
{
    const uint8_t *p;
    long n = ft_isrc_fill(&im->src, 4, &p, err);
    if (n <= 0)
        return (int)n;
    if (n < 4)
        return cf_err(im, err, "truncated index");
    uint32_t index = ft_ld32(p, 1);
    if (index & ~CF_ALL)
        return cf_err(im, err, "unknown fields in the index");
    size_t size = 4;
    for (size_t i = 0; i < CF_NCOLS; i++)
        if (index & cf_cols[i].bit)
            size += cf_cols[i].size;
    long got = ft_isrc_fill(&im->src, size, &p, err);
    if (got < 0)
        return -1;
    if (got < (long)size)
        return cf_err(im, err, "truncated record");
    memset(f, 0, sizeof *f);
    uint32_t start = 0, end = 0;
    struct ft_rd r;
    rd_init(&r, p + 4, size - 4);
    for (size_t i = 0; i < CF_NCOLS; i++) {
        const struct cf_col *c = &cf_cols[i];
        if (!(index & c->bit))
            continue;
        uint64_t v = rd_at(&r, r.off, c->size);
        rd_take(&r, c->size);
        if (c->field == FT_FLD_FIRST)
            start = (uint32_t)v;
        else if (c->field == FT_FLD_LAST)
            end = (uint32_t)v;
        else
            cf_store(f, &cf_cols[i], v);
    }
    ft_isrc_skip(&im->src, size);
    f->unix_secs = start;
    f->first = 0;
    f->last = (end - start) * 1000u;
    f->has |= FT_F_UNIX_SECS | FT_F_UNIX_NSECS | FT_F_SYSUPTIME | FT_F_FIRST | FT_F_LAST;
    return 1;
}

const struct ft_import_ops ft_io_cflowd_import = {cf_next};
