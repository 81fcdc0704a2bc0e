/* flow-report's stat.cfg language (report/ft_rcfg.c, ft_rtype.c), each
 * definition found looked up. */
#include "fuzz.h"
#include "report/ft_rcfg.h"

static void find_def(void *ctx, const char *name)
{
    (void)ft_rcfg_find_def(ctx, name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ft_err err;
    struct ft_rcfg *c = ft_rcfg_parse((const char *)data, size, "fuzz", NULL, &err);
    if (!c)
        return 0;
    char *text = fz_text(data, size);
    fz_each_name(text, "stat-definition", find_def, c);
    free(text);
    ft_rcfg_free(c);
    return 0;
}
