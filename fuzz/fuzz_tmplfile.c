/* The template file flow-capture keeps across restarts
 * (pdu/ft_pdu_tmplfile.c), then a v9 and an IPFIX datagram decoded with
 * what it taught the context. */
#include "pdu.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ft_pdu_opts o = {.max_exporters = 8, .max_templates_per_exporter = 32,
                            .max_templates = 128};
    struct ft_pdu_ctx *ctx = ft_pdu_ctx_new(&o);
    if (!ctx)
        abort();
    struct ft_err err;
    ft_pdu_templates_parse(ctx, (const char *)data, size, "fuzz", &err);
    /* a data set of template 256 of 10.0.0.1, whatever the file said of it */
    static const uint8_t v9[] = {0, 9, 0, 1, 0, 0, 0, 1, 0x65, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
                                 1, 0, 0, 20, 10, 0, 0, 1, 10, 0, 0, 2, 0, 0, 0, 5,
                                 0, 0, 0, 9, 0, 0, 0, 0};
    static const uint8_t ipfix[] = {0, 10, 0, 36, 0x65, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,
                                    1, 0, 0, 20, 10, 0, 0, 1, 10, 0, 0, 2, 0, 0, 0, 5,
                                    0, 0, 0, 9};
    struct ft_pdu_src src = {.port = 2055};
    ft_ip_set4(&src.addr, 0x0a000001u);
    struct ft_pdu_info info;
    ft_pdu_decode(ctx, &src, v9, sizeof v9, &info, &err);
    ft_pdu_decode(ctx, &src, ipfix, sizeof ipfix, &info, &err);
    ft_pdu_ctx_free(ctx);
    return 0;
}
