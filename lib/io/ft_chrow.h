/*
 * ft_chrow.h - flows as ClickHouse rows: the table's columns, its DDL and
 * the RowBinary encoding of a flow.
 *
 * The columns derive from the field table (core/ft_field.h), one per field
 * in its order: U8/U16/U32/U64 become UInt8/16/32/64, an address becomes
 * two columns, NAME UInt32 (its IPv4 value, 0 otherwise) and NAME6
 * FixedString(16) (its IPv6 bytes, zeros otherwise), since ClickHouse 18.16
 * has no IPv4/IPv6 types.  Then the columns of ftkit's own:
 *   has          UInt64    the flow's FT_F_* bits (which fields hold values)
 *   ts_start     DateTime  start of the flow (second), from its times or uptime
 *   ts_start_ms  UInt16    its milliseconds (18.16 has no DateTime64)
 *   ts_end, ts_end_ms      likewise, its end
 *   file         String    the file the flow was loaded from
 *   load_id      UInt64    the load it came in (to remove a partial load)
 * The table is partitioned by day of ts_start and ordered by exporter, then
 * time, for queries over a time range of some exporters.
 */
#ifndef FT_CHROW_H
#define FT_CHROW_H

#include <stddef.h>
#include <stdint.h>
#include "core/ft_flow.h"
#include "core/ft_err.h"

/* What every row of one load carries besides the flow. */
struct ft_ch_load {
    const char *file;
    size_t file_len;
    uint64_t load_id;
};

/* Bytes of a row at most (the file name included). */
size_t ft_ch_row_max(const struct ft_ch_load *l);

/* Encode f at p (room for ft_ch_row_max bytes); returns the bytes written. */
size_t ft_ch_row_encode(const struct ft_flow *f, const struct ft_ch_load *l, uint8_t *p);

/* "col1, col2, ...": the column list in encoding order, into buf (cut to
 * size, NUL-terminated when size > 0); returns its full length. */
size_t ft_ch_columns(char *buf, size_t size);

/*
 * CREATE TABLE IF NOT EXISTS statements, malloc'd (NULL: out of memory).
 * Without cluster: the MergeTree table `table`.  With cluster: the
 * MergeTree table `local` (created on every shard) and `table`, a
 * Distributed table over cluster's shards of `local`, sharded by exporter.
 * Statements end with ";\n" and are apart by an empty line.
 */
char *ft_ch_ddl(const char *table, const char *cluster, const char *local);

/* The name of a ClickHouse table or cluster: [A-Za-z_][A-Za-z0-9_.]*;
 * 0, or -1 with err filled. */
int ft_ch_check_name(const char *what, const char *name, struct ft_err *err);

#endif
