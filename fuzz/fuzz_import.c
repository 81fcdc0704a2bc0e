/* flow-import's formats (io/: cflowd, pcap, CSV/ASCII, wire, JSON) read
 * from memory; the first byte picks the format, the rest is the input. */
#include "fuzz.h"
#include "io/ft_io.h"
#include "stream/ft_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const formats[] = {"0", "1", "2", "4", "json"};
    static struct ft_flow flows[256];
    if (size < 1)
        return 0;
    const struct ft_io_format *fmt = ft_io_format_find(formats[data[0] % 5]);
    if (!fmt)
        return 0;
    /* v5 records, or the extended ones that take every field */
    struct ft_import_opts o = {.format = data[0] & 0x80 ? ft_format_find(1005, 0)
                                                        : ft_format_find(5, 0)};
    struct ft_err err;
    struct ft_import *im = ft_import_open_mem(fmt, &o, data + 1, size - 1, "fuzz", &err);
    if (!im)
        return 0;
    for (int i = 0; i < 100000 && ft_import_read(im, flows, 256, &err) > 0; i++)
        ;
    ft_import_free(im);
    return 0;
}
