/* flow-dscan's state file read back (report/ft_dscan.c), then a few flows
 * looked at with that state; and interface lists (lang/ft_iflist.c) from
 * the input's first line. */
#include <stdio.h>
#include "fuzz.h"
#include "report/ft_dscan.h"

static void alarm_fn(void *arg, const struct ft_dscan_alarm *a)
{
    (void)arg;
    (void)a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ft_iflist in;
    char *text = fz_text(data, size);
    char *nl = strchr(text, '\n');
    if (nl)
        *nl = '\0';
    memset(&in, 0, sizeof in);
    int have_if = ft_iflist_parse(text, &in) == 0;
    if (nl)
        *nl = '\n';
    struct ft_dscan_opts o = {.ip_depth = 4, .port_trigger = 4, .ager_flows = 16,
                              .max_keys = 256, .input = have_if ? &in : NULL};
    struct ft_err err;
    struct ft_dscan *d = ft_dscan_new(&o, alarm_fn, NULL, &err);
    if (!d)
        abort();
    if (ft_dscan_load(d, text, size, "fuzz", &err) == 0) {
        struct ft_flow flows[8];
        fz_flows(flows, 8, data, size);
        for (int i = 0; i < 8; i++)
            ft_dscan_flow(d, &flows[i], &err);
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            ft_dscan_save(d, null);
            fclose(null);
        }
    }
    ft_dscan_free(d);
    free(text);
    return 0;
}
