/*
 * ft_chrow.c - flows as ClickHouse rows (see ft_chrow.h).
 *
 * RowBinary: each column in order, integers little-endian at their width,
 * FixedString(N) as N bytes, String as a LEB128 length and the bytes,
 * DateTime as UInt32 seconds.  The per-flow encoder expands FT_FIELDS at
 * build time; the column list and DDL walk ft_fields[] and so match it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ft_bytes.h"
#include "core/ft_field.h"
#include "io/ft_chrow.h"

#define LE 0

static uint8_t *put_ip(uint8_t *p, const struct ft_ip *a)
{
    ft_st32(p, a->af == FT_AF_INET ? a->v4 : 0, LE);
    if (a->af == FT_AF_INET6)
        memcpy(p + 4, a->v6, 16);
    else
        memset(p + 4, 0, 16);
    return p + 20;
}

#define ENC_IP(m) p = put_ip(p, &f->m);
#define ENC_U8(m) *p++ = f->m;
#define ENC_U16(m) ft_st16(p, f->m, LE); p += 2;
#define ENC_U32(m) ft_st32(p, f->m, LE); p += 4;
#define ENC_U64(m) ft_st64(p, f->m, LE); p += 8;
#define ENC_FIELD(ID, member, type, ...) ENC_##type(member)

#define MAX_IP 20
#define MAX_U8 1
#define MAX_U16 2
#define MAX_U32 4
#define MAX_U64 8
#define MAX_FIELD(ID, member, type, ...) + MAX_##type
/* the fields, has, two times (4 + 2 each), load_id, the file's length */
#define ROW_FIXED (0 FT_FIELDS(MAX_FIELD) + 8 + 12 + 8 + 10)

size_t ft_ch_row_max(const struct ft_ch_load *l)
{
    return ROW_FIXED + l->file_len;
}

static uint8_t *put_time(uint8_t *p, uint64_t ms)
{
    ft_st32(p, (uint32_t)(ms / 1000), LE);
    ft_st16(p + 4, (uint16_t)(ms % 1000), LE);
    return p + 6;
}

size_t ft_ch_row_encode(const struct ft_flow *f, const struct ft_ch_load *l, uint8_t *p)
{
    uint8_t *start = p;
    FT_FIELDS(ENC_FIELD)
    ft_st64(p, f->has, LE);
    p += 8;
    p = put_time(p, ft_flow_start_ms(f));
    p = put_time(p, ft_flow_end_ms(f));
    size_t n = l->file_len;
    do {
        *p++ = (uint8_t)((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
        n >>= 7;
    } while (n);
    memcpy(p, l->file, l->file_len);
    p += l->file_len;
    ft_st64(p, l->load_id, LE);
    p += 8;
    return (size_t)(p - start);
}

static const char *ch_type[] = {
    [FT_T_IP] = "UInt32", [FT_T_U8] = "UInt8", [FT_T_U16] = "UInt16",
    [FT_T_U32] = "UInt32", [FT_T_U64] = "UInt64",
};

static const char *const own_cols[][2] = {
    { "has", "UInt64" }, { "ts_start", "DateTime" }, { "ts_start_ms", "UInt16" },
    { "ts_end", "DateTime" }, { "ts_end_ms", "UInt16" }, { "file", "String" },
    { "load_id", "UInt64" },
};

/* Append "name type" pairs (types) or names to buf, sep between them. */
static size_t list_columns(char *buf, size_t size, int types, const char *sep)
{
    size_t o = 0;
#define ADD(...) o += (size_t)snprintf(o < size ? buf + o : NULL, o < size ? size - o : 0, __VA_ARGS__)
    for (int i = 0; i < FT_NFIELDS; i++) {
        const struct ft_field *d = &ft_fields[i];
        ADD("%s%s%s%s", o ? sep : "", d->name, types ? " " : "", types ? ch_type[d->type] : "");
        if (d->type == FT_T_IP)
            ADD("%s%s6%s", sep, d->name, types ? " FixedString(16)" : "");
    }
    for (size_t i = 0; i < sizeof own_cols / sizeof own_cols[0]; i++)
        ADD("%s%s%s%s", sep, own_cols[i][0], types ? " " : "", types ? own_cols[i][1] : "");
#undef ADD
    return o;
}

size_t ft_ch_columns(char *buf, size_t size)
{
    return list_columns(buf, size, 0, ", ");
}

static char *merge_tree(const char *table)
{
    size_t n = list_columns(NULL, 0, 1, ",\n    ") + 1;
    size_t size = n + strlen(table) + 256;
    char *s = malloc(size);
    if (!s)
        return NULL;
    int o = snprintf(s, size, "CREATE TABLE IF NOT EXISTS %s (\n    ", table);
    o += (int)list_columns(s + o, size - (size_t)o, 1, ",\n    ");
    snprintf(s + o, size - (size_t)o,
             "\n) ENGINE = MergeTree()\nPARTITION BY toYYYYMMDD(ts_start)\n"
             "ORDER BY (exaddr, exaddr6, ts_start);\n");
    return s;
}

char *ft_ch_ddl(const char *table, const char *cluster, const char *local)
{
    if (!cluster)
        return merge_tree(table);
    char *lt = merge_tree(local);
    if (!lt)
        return NULL;
    size_t size = strlen(lt) + 2 * strlen(table) + strlen(cluster) + 2 * strlen(local) + 200;
    char *s = malloc(size);
    if (s)
        snprintf(s, size,
                 "%s\nCREATE TABLE IF NOT EXISTS %s AS %s\n"
                 "ENGINE = Distributed(%s, currentDatabase(), %s, exaddr + cityHash64(exaddr6));\n",
                 lt, table, local, cluster, local);
    free(lt);
    return s;
}

int ft_ch_check_name(const char *what, const char *name, struct ft_err *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > 128 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789_.") != n ||
        (name[0] >= '0' && name[0] <= '9') || name[0] == '.')
        return ft_err_set(err, "%s \"%s\": not a plain ClickHouse name", what, name);
    return 0;
}
