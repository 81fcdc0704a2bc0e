/* One captured frame to a UDP datagram (net/ft_pcap.c's link, IPv4/IPv6
 * and UDP layers); the first byte picks the link type. */
#include "fuzz.h"
#include "net/ft_pcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* DLT_NULL, EN10MB, RAW (12 and 101), LINUX_SLL, LINUX_SLL2, LOOP */
    static const int dlts[] = {0, 1, 12, 101, 113, 276, 108, 14};
    if (size < 1)
        return 0;
    int dlt = dlts[data[0] % (sizeof dlts / sizeof dlts[0])];
    struct ft_pcap_dgram d;
    struct ft_pcap_stats st = {0};
    /* a copy of exactly the frame, so a read past it is caught */
    uint8_t *frame = malloc(size - 1 ? size - 1 : 1);
    if (!frame)
        abort();
    memcpy(frame, data + 1, size - 1);
    if (ft_pcap_parse_frame(dlt, frame, size - 1, &d, &st) == 1 && d.len) {
        volatile uint8_t last = d.data[d.len - 1];
        (void)last;
    }
    free(frame);
    return 0;
}
