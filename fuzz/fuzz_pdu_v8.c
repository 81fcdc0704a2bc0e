/* NetFlow v8 datagrams (pdu/ft_pdu_fixed.c through ft_pdu_decode). */
#include "pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fz_pdu_fixed(data, size, 8);
}
