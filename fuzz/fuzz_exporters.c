/* Exporter settings (pdu/ft_exporters.c), then applied to a few flows and
 * looked up for each. */
#include "fuzz.h"
#include "pdu/ft_exporters.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    struct ft_err err;
    struct ft_exporters *x = ft_exporters_parse("fuzz", text, 64, &err);
    if (x) {
        struct ft_flow flows[8];
        fz_flows(flows, 8, data, size);
        for (size_t i = 0; i < 8; i++)
            (void)ft_exporters_find(x, &flows[i]);
        ft_exporters_apply(x, flows, 8, size & 1 ? 1700000000000ull : 0);
        char buf[512];
        ft_exporters_stats_str(x, buf, sizeof buf);
        ft_exporters_free(x);
    }
    free(text);
    return 0;
}
