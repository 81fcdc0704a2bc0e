/* pcap captures of export datagrams (net/ft_pcap.c over libpcap), read
 * the way flow-receive -r reads them. */
#include "fuzz.h"
#include "net/ft_pcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ft_err err;
    struct ft_pcap *p = ft_pcap_open_mem(data, size, "fuzz", &err);
    if (!p)
        return 0;
    if (size & 1)
        ft_pcap_set_port(p, 2055);
    struct ft_pcap_dgram d;
    volatile size_t sum = 0;
    for (int i = 0; i < 100000 && ft_pcap_next(p, &d, &err) == 1; i++)
        sum += d.len ? d.data[d.len - 1] : 0;
    (void)sum;
    struct ft_pcap_stats st;
    ft_pcap_stats(p, &st);
    ft_pcap_close(p);
    return 0;
}
