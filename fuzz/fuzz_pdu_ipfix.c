/* IPFIX messages, templates carried across inputs (pdu/ft_pdu_v9*.c,
 * pdu/ft_pdu_tmpl.c). */
#include "pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_pdu_chain(data, size, 10);
}
