/* -v NAME=VALUE bindings and their expansion in config lines
 * (lang/ft_vars.c): the input is assignments, a blank line, then lines. */
#include "fuzz.h"
#include "lang/ft_vars.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_text(data, size);
    struct ft_vars v = {0};
    struct ft_err err;
    char *p = text, *nl;
    for (; (nl = strchr(p, '\n')) && nl != p; p = nl + 1) {
        *nl = '\0';
        ft_vars_set(&v, p, &err);
    }
    if (nl)
        p = nl + 1;
    char out[FT_VARS_LINE_MAX];
    for (; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        if (strlen(p) < FT_VARS_LINE_MAX)     /* what ft_cfg hands it */
            ft_vars_expand(&v, p, out, &err);
        if (!nl)
            break;
    }
    ft_vars_free(&v);
    free(text);
    return 0;
}
