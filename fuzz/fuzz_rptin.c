/* flow-report's ASCII output read back (report/ft_rptin.c: flow-rptfmt). */
#include "fuzz.h"
#include "report/ft_rptin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ft_err err;
    struct ft_rptin *in = ft_rptin_parse((const char *)data, size, "fuzz", 100000, &err);
    if (in)
        ft_rptin_free(in);
    return 0;
}
