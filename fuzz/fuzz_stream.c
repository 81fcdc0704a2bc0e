/* Flow stream files (stream/ft_reader.c, ft_header.c, ft_blocks.c,
 * ft_format*.c, ft_readahead.c): header, every record format, zlib or
 * zstd or none, both byte orders, column blocks; the records read as
 * decoded flows, raw and decoded one by one, or decoded flows read ahead on
 * the reader's second thread (the input's length picks). */
#include "fuzz.h"
#include "stream/ft_stream.h"
#include "stream/ft_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ft_err err;
    struct ft_reader *r = ft_reader_open_mem(data, size, "fuzz", &err);
    if (!r)
        return 0;
    const struct ft_header *h = ft_reader_header(r);
    const struct ft_format *fmt = ft_reader_format(r);
    volatile uint64_t sum = h->flow_count + h->n_ifnames + h->n_ifaliases;
    unsigned mode = (unsigned)(size % 3);
    if (mode == 1 && h->s_version == 3) {
        const uint8_t *recs;
        ssize_t n;
        while ((n = ft_reader_raw(r, &recs, 1024)) > 0) {
            struct ft_flow f;
            for (ssize_t i = 0; i < n; i++) {
                ft_rec_decode(fmt, ft_reader_order(r), recs + (size_t)i * fmt->rec_size, &f);
                sum += f.doctets;
            }
        }
    } else {
        if (mode == 2)
            ft_reader_read_ahead(r, &err);
        const struct ft_flow *flows;
        ssize_t n;
        while ((n = ft_reader_flows(r, &flows, FT_READ_BATCH)) > 0)
            for (ssize_t i = 0; i < n; i++)
                sum += flows[i].doctets + flows[i].srcaddr.af;
    }
    (void)sum;
    (void)ft_reader_error(r);
    ft_reader_close(r);
    return 0;
}
