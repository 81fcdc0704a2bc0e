/*
 * ft_format_int.h - what the record codecs of lib/stream share and nobody
 * else needs: ftkit's extended record (ft_format_ext.c), whose size and
 * field mask the format table (ft_format.c) carries.  Not installed.
 */
#ifndef FT_FORMAT_INT_H
#define FT_FORMAT_INT_H

#include <stdint.h>
#include "core/ft_flow.h"

/* The extended record: 272 bytes holding the whole struct ft_flow. */
#define FT_EXT_SIZE 272
#define FT_EXT_MASK (0x0000000FFFFF37FFULL | FT_F_BGP_NEXTHOP | FT_F_SOURCE_ID | \
    FT_F_SAMPLING | FT_F_SAMPLER_ID | FT_F_SRC_VLAN | FT_F_DST_VLAN | FT_F_DIRECTION | \
    FT_F_ICMP | FT_F_ABS_TIMES | FT_F_EXPORT_INFO | FT_F_FLOW_LABEL | FT_F_IP_VERSION | \
    FT_F_TIMES)

/* Decode and encode one extended record; `big` 1 for big-endian integers.
 * Encoding loses nothing. */
void ft_ext_decode(const uint8_t *rec, int big, struct ft_flow *f);
void ft_ext_encode(const struct ft_flow *f, int big, uint8_t *rec);

/* Reverse the byte order of its integers in place (addresses are byte strings). */
void ft_ext_swap(uint8_t *rec);

#endif
