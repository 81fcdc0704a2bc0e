/* Free-form dates of the filter language's time rules and -t options
 * (core/ft_getdate.c). */
#include "fuzz.h"
#include "core/ft_getdate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = fz_text(data, size);
    time_t t;
    struct ft_err err;
    ft_getdate(text, 1700000000, &t, &err);
    free(text);
    return 0;
}
