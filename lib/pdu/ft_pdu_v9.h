/*
 * ft_pdu_v9.h - the NetFlow v9 and IPFIX decoder (not installed).
 */
#ifndef FT_PDU_V9_H
#define FT_PDU_V9_H

#include <stdint.h>
#include <stddef.h>
#include "pdu/ft_pdu.h"

struct ft_pdu_ctx;
/* Decode a v9 or IPFIX datagram (ft_pdu_decode_into's part). */
int ft_pdu_decode_v9(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                     const uint8_t *buf, size_t len, struct ft_pdu_info *info,
                     struct ft_err *err);

#endif
