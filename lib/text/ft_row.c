/*
 * ft_row.c - flows as JSON objects and CSV rows (see ft_row.h).
 *
 * flow-print's rows are the hot path: the cell writers are forced inline and
 * every cell of those rows names its field by a constant id, so each of
 * ft_row_print_json and ft_row_print_csv compiles to one straight sequence
 * with keys, has bits, member offsets and separators as constants, all
 * taken from FT_FIELDS at build time.
 */
#include <string.h>
#include "text/ft_row.h"

#if defined(__GNUC__)
#define ROW_INLINE static inline __attribute__((always_inline))
#else
#define ROW_INLINE static inline
#endif

/* ---- keys ---------------------------------------------------------------- */

struct row_key {
    const char *name;
    size_t len;
};

/* The json column of every row of FT_FIELDS, with its length (0 for a
 * field that has none: NULL there). */
#define ROW_KEY_LEN_(json) _Generic((json), char *: sizeof(json) - 1, default: 0)
#define ROW_KEY_(ID, member, type, kind, has, name, json, ...) \
    [FT_FLD_##ID] = {json, ROW_KEY_LEN_(json)},
static const struct row_key row_keys[FT_NFIELDS] = { FT_FIELDS(ROW_KEY_) };

/* ---- cells --------------------------------------------------------------- */

/* The separator unless the cell is the row's first, and the key in JSON. */
ROW_INLINE char *put_key(char *p, int json, int sep, const struct row_key *k)
{
    if (sep)
        *p++ = ',';
    if (json) {
        *p++ = '"';
        p = ft_put_mem(p, k->name, k->len);
        *p++ = '"';
        *p++ = ':';
    }
    return p;
}

ROW_INLINE char *put_null(char *p, int json, int sep, const struct row_key *k)
{
    p = put_key(p, json, sep, k);
    return json ? ft_put_lit(p, "null") : p;
}

ROW_INLINE char *put_u64(char *p, int json, int sep, const struct row_key *k, uint64_t present,
                         uint64_t v)
{
    if (!present)
        return put_null(p, json, sep, k);
    return ft_put_u64(put_key(p, json, sep, k), v);
}

ROW_INLINE char *put_u32(char *p, int json, int sep, const struct row_key *k, uint64_t present,
                         uint32_t v)
{
    if (!present)
        return put_null(p, json, sep, k);
    return ft_put_u32(put_key(p, json, sep, k), v);
}

ROW_INLINE char *put_ip(char *p, int json, int sep, const struct row_key *k, uint64_t present,
                        const struct ft_ip *a)
{
    if (!present || a->af == FT_AF_NONE)
        return put_null(p, json, sep, k);
    p = put_key(p, json, sep, k);
    if (json)
        *p++ = '"';
    p = ft_put_ip(p, a);
    if (json)
        *p++ = '"';
    return p;
}

ROW_INLINE char *put_text(char *p, int json, int sep, const struct row_key *k, const char *s,
                          size_t n)
{
    p = put_key(p, json, sep, k);
    return json ? ft_put_json_str(p, s, n) : ft_put_mem(p, s, n);
}

/* A member by its storage type (the type column of FT_FIELDS). */
#define put_IP(p, json, sep, k, present, member) put_ip(p, json, sep, k, present, &(member))
#define put_U8 put_u32
#define put_U16 put_u32
#define put_U32 put_u32
#define put_U64 put_u64

/*
 * For every field: cell_ID writes its member under its key, has_ID tells
 * from the flow's has bits h whether the flow holds it.
 */
#define ROW_CELL_(ID, member, type, kind, has_bit, ...) \
    ROW_INLINE char *cell_##ID(char *p, int json, int sep, const struct ft_flow *f, \
                               uint64_t present) \
    { return put_##type(p, json, sep, &row_keys[FT_FLD_##ID], present, f->member); } \
    ROW_INLINE uint64_t has_##ID(uint64_t h) { return h & (has_bit); }
FT_FIELDS(ROW_CELL_)

/* ---- flow-print's columns -------------------------------------------------------- */

/*
 * The columns in output order: the reference decoder's keys, then ftkit's.
 *   FIELD(ID)          the field, when the flow has it
 *   FIELD_IF(ID, fn)   the field, when fn(flow) says it is there
 *   EXTRA(ID)          ftkit's own: JSON leaves it out when the flow lacks it
 *   OWN(name)          the printer's own column: own_name() writes it
 */
#define PRINT_COLUMNS(FIELD, FIELD_IF, EXTRA, OWN) \
    FIELD(EXADDR) FIELD(EXPORTER_PORT) FIELD(EXPORT_VERSION) \
    FIELD_IF(SEQUENCE, has_sequence) FIELD(SOURCE_ID) FIELD(ENGINE_TYPE) FIELD(ENGINE_ID) \
    FIELD(SYSUPTIME) FIELD(UNIX_SECS) FIELD(UNIX_NSECS) FIELD_IF(TEMPLATE_ID, has_template) \
    FIELD(SRCADDR) FIELD(DSTADDR) FIELD(NEXTHOP) FIELD(BGP_NEXTHOP) FIELD(SRCPORT) \
    FIELD(DSTPORT) FIELD(ICMP_TYPE) FIELD(ICMP_CODE) FIELD(PROT) FIELD(TOS) FIELD(TCP_FLAGS) \
    FIELD(INPUT) FIELD(OUTPUT) FIELD(DPKTS) FIELD(DOCTETS) \
    OWN(time_base) OWN(first) OWN(last) OWN(first_ns) OWN(last_ns) \
    FIELD(SRC_AS) FIELD(DST_AS) FIELD(SRC_MASK) FIELD(DST_MASK) FIELD(IP_VERSION) \
    FIELD(DIRECTION) FIELD(SAMPLING_INTERVAL) FIELD(SAMPLING_ALGORITHM) FIELD(SAMPLER_ID) \
    EXTRA(DFLOWS) EXTRA(PEER_NEXTHOP) EXTRA(ROUTER_SC) EXTRA(EXTRA_PKTS) EXTRA(MARKED_TOS) \
    EXTRA(IN_ENCAPS) EXTRA(OUT_ENCAPS) EXTRA(SRC_TAG) EXTRA(DST_TAG) EXTRA(SRC_VLAN) \
    EXTRA(DST_VLAN) EXTRA(FLOW_LABEL) EXTRA(START_MS) EXTRA(END_MS)

/* v1 has no sequence numbers; only v9/IPFIX have templates. */
ROW_INLINE uint64_t has_sequence(uint64_t h, const struct ft_flow *f)
{
    return has_SEQUENCE(h) && f->export_version != 1;
}

ROW_INLINE uint64_t has_template(uint64_t h, const struct ft_flow *f)
{
    return has_TEMPLATE_ID(h) && f->export_version >= 9;
}

/* The printer's own keys. */
#define OWN_KEY_(name) static const struct row_key key_##name = {#name, sizeof(#name) - 1};
OWN_KEY_(time_base) OWN_KEY_(first) OWN_KEY_(last) OWN_KEY_(first_ns) OWN_KEY_(last_ns)

/* first and last are wall-clock ms when the exporter sent absolute times,
 * else the router uptimes, as time_base says; first_ns/last_ns need
 * absolute times.  None of them is a row's first cell. */
ROW_INLINE char *own_time_base(char *p, int json, uint64_t h, const struct ft_flow *f)
{
    (void)f;
    if (h & FT_F_ABS_TIMES)
        return put_text(p, json, 1, &key_time_base, "epoch_ms", 8);
    if (h & (FT_F_FIRST | FT_F_LAST))
        return put_text(p, json, 1, &key_time_base, "sysuptime_ms", 12);
    return put_null(p, json, 1, &key_time_base);
}

ROW_INLINE char *own_first(char *p, int json, uint64_t h, const struct ft_flow *f)
{
    if (h & FT_F_ABS_TIMES)
        return put_u64(p, json, 1, &key_first, h & FT_F_TIMES, f->start_ms);
    return put_u32(p, json, 1, &key_first, h & FT_F_FIRST, f->first);
}

ROW_INLINE char *own_last(char *p, int json, uint64_t h, const struct ft_flow *f)
{
    if (h & FT_F_ABS_TIMES)
        return put_u64(p, json, 1, &key_last, h & FT_F_TIMES, f->end_ms);
    return put_u32(p, json, 1, &key_last, h & FT_F_LAST, f->last);
}

ROW_INLINE char *own_first_ns(char *p, int json, uint64_t h, const struct ft_flow *f)
{
    if (h & FT_F_ABS_TIMES)
        return put_u64(p, json, 1, &key_first_ns, h & FT_F_TIMES,
                       f->start_ms * 1000000u + f->start_ns);
    return put_null(p, json, 1, &key_first_ns);
}

ROW_INLINE char *own_last_ns(char *p, int json, uint64_t h, const struct ft_flow *f)
{
    if (h & FT_F_ABS_TIMES)
        return put_u64(p, json, 1, &key_last_ns, h & FT_F_TIMES,
                       f->end_ms * 1000000u + f->end_ns);
    return put_null(p, json, 1, &key_last_ns);
}

/* sep is 0 for the first column only: a constant in every cell. */
#define LINE_FIELD_(ID) p = cell_##ID(p, json, sep, f, has_##ID(h)); sep = 1;
#define LINE_FIELD_IF_(ID, fn) p = cell_##ID(p, json, sep, f, fn(h, f)); sep = 1;
#define LINE_EXTRA_(ID) \
    p = !json || has_##ID(h) ? cell_##ID(p, json, sep, f, has_##ID(h)) : p; sep = 1;
#define LINE_OWN_(name) p = own_##name(p, json, h, f); sep = 1;

ROW_INLINE char *print_line(char *p, int json, const struct ft_flow *f)
{
    uint64_t h = f->has;
    int sep = 0;
    if (json)
        *p++ = '{';
    PRINT_COLUMNS(LINE_FIELD_, LINE_FIELD_IF_, LINE_EXTRA_, LINE_OWN_)
    (void)sep;
    if (json)
        *p++ = '}';
    *p++ = '\n';
    return p;
}

char *ft_row_print_json(char *p, const struct ft_flow *f)
{
    return print_line(p, 1, f);
}

char *ft_row_print_csv(char *p, const struct ft_flow *f)
{
    return print_line(p, 0, f);
}

static char *head_cell(char *p, int sep, const struct row_key *k)
{
    if (sep)
        *p++ = ',';
    return ft_put_mem(p, k->name, k->len);
}

#define HEAD_FIELD_(ID) p = head_cell(p, p != start, &row_keys[FT_FLD_##ID]);
#define HEAD_FIELD_IF_(ID, fn) HEAD_FIELD_(ID)
#define HEAD_OWN_(name) p = head_cell(p, p != start, &key_##name);

void ft_row_print_head(struct ft_out *o)
{
    char *start = ft_out_reserve(o, FT_OUT_MAX_LINE), *p = start;
    PRINT_COLUMNS(HEAD_FIELD_, HEAD_FIELD_IF_, HEAD_FIELD_, HEAD_OWN_)
    *p++ = '\n';
    ft_out_commit(o, p);
}

/* ---- chosen fields ------------------------------------------------------------- */

int ft_row_cols_init(struct ft_row_cols *c, enum ft_row_style style,
                     const enum ft_field_id *ids, size_t n, struct ft_err *err)
{
    uint8_t seen[FT_NFIELDS] = {0};
    if (n == 0)
        return ft_err_set(err, "no fields to write");
    c->style = style;
    c->n = 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)ids[i] >= FT_NFIELDS)
            return ft_err_set(err, "no field %d", (int)ids[i]);
        const struct ft_field *d = &ft_fields[ids[i]];
        if (seen[ids[i]]++)
            return ft_err_set(err, "field %s given twice", d->name);
        struct ft_row_col *col = &c->col[c->n++];
        col->field = d;
        col->key = d->json ? d->json : d->name;
        col->len = strlen(col->key);
    }
    return 0;
}

void ft_row_cols_head(struct ft_out *o, const struct ft_row_cols *c)
{
    if (c->style != FT_ROW_CSV)
        return;
    char *p = ft_out_reserve(o, FT_OUT_MAX_LINE);
    for (size_t i = 0; i < c->n; i++)
        p = head_cell(p, i != 0, &(struct row_key){c->col[i].key, c->col[i].len});
    *p++ = '\n';
    ft_out_commit(o, p);
}

static char *col_cell(char *p, int json, int sep, const struct ft_row_col *col,
                      const struct ft_flow *f)
{
    const struct ft_field *d = col->field;
    const struct row_key k = {col->key, col->len};
    uint64_t present = f->has & d->has;
    if (d->type == FT_T_IP)
        return put_ip(p, json, sep, &k, present, ft_field_cptr(f, d));
    return put_u64(p, json, sep, &k, present, ft_field_get(f, d));
}

char *ft_row_cols_put(char *p, const struct ft_row_cols *c, const struct ft_flow *f)
{
    int json = c->style == FT_ROW_JSON;
    if (json)
        *p++ = '{';
    for (size_t i = 0; i < c->n; i++)
        p = col_cell(p, json, i != 0, &c->col[i], f);
    if (json)
        *p++ = '}';
    *p++ = '\n';
    return p;
}
