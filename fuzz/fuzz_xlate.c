/* The xlate language (lang/ft_xlate*.c), then every definition found
 * applied to a few flows.  (A key file or filter file the input names is
 * read from disk, as flow-xlate would; names in it are not looked up.) */
#include "fuzz.h"
#include "lang/ft_xlate.h"

struct eval {
    struct ft_xlate *x;
    struct ft_flow flows[8];
};

static void eval_def(void *ctx, const char *name)
{
    struct eval *e = ctx;
    struct ft_xlate_def *d = ft_xlate_find(e->x, name);
    if (!d)
        return;
    (void)ft_xlate_def_fields(d);
    ft_xlate_apply(d, e->flows, 8, 1700000000);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ft_xlate_opts o = {.symdir = FZ_SYMDIR, .now = 1700000000, .resolver = fz_no_dns()};
    struct ft_err err;
    struct eval e;
    e.x = ft_xlate_parse((const char *)data, size, "fuzz", &o, &err);
    if (!e.x)
        return 0;
    char *text = fz_text(data, size);
    fz_flows(e.flows, 8, data, size);
    fz_each_name(text, "xlate-definition", eval_def, &e);
    free(text);
    ft_xlate_free(e.x);
    return 0;
}
