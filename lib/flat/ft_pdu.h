/* ft_pdu.h - the name before areas: ftlib headers now live in include/ftkit/AREA/. */
#ifndef FT_PDU_FLAT_H
#define FT_PDU_FLAT_H
#include "pdu/ft_pdu.h"
#endif
