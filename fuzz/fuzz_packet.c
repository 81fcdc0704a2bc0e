/* The sensor's packet parser (sensor/ft_packet.c) over every link type it
 * reads, and what it parses counted into a small flow cache
 * (sensor/ft_meter.c) that stays across inputs, so expiry and eviction run
 * too.  The first byte picks the link type, the next two the wire length
 * beyond the captured bytes. */
#include "fuzz.h"
#include "sensor/ft_packet.h"
#include "sensor/ft_meter.h"

/* Ethernet, Linux cooked (SLL, SLL2), raw IP (its DLT values), BSD
 * loopback (NULL, LOOP) */
static const int dlts[] = {1, 113, 276, 12, 14, 101, 228, 229, 0, 108};

static void drop(void *arg, const struct ft_flow *f, enum ft_meter_cause why)
{
    (void)arg;
    (void)f;
    (void)why;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ft_meter *m;
    static uint64_t clock_us = 1700000000000000ull;
    if (!m) {
        struct ft_meter_opts o;
        struct ft_err err;
        ft_meter_opts_init(&o);
        o.max_flows = 64;           /* full often: eviction runs */
        o.frag_slots = 16;
        if (!(m = ft_meter_new(&o, drop, NULL, &err)))
            abort();
    }
    if (size < 3)
        return 0;
    int dlt = dlts[data[0] % (sizeof dlts / sizeof dlts[0])];
    size_t extra = (size_t)data[1] << 8 | data[2];
    struct ft_pkt p;
    if (ft_pkt_parse(dlt, data + 3, size - 3, size - 3 + extra, &p) == FT_PKT_OK) {
        clock_us += (uint64_t)data[1] * 100000;    /* inputs move the clock: expiry */
        ft_meter_packet(m, &p, clock_us);
    }
    return 0;
}
