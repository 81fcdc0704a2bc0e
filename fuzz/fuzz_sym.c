/* Symbol tables (text/ft_sym.c), then names and values looked up. */
#include "fuzz.h"
#include "text/ft_sym.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ft_err err;
    struct ft_sym *s = ft_sym_parse((const char *)data, size, "fuzz", 4096, &err);
    if (!s)
        return 0;
    char buf[FT_SYM_NAME_MAX + 16];
    uint32_t v;
    for (uint32_t k = 0; k < 16; k++) {
        ft_sym_format(s, k * 37, buf, sizeof buf);
        ft_sym_format(s, k, buf, 5);
        (void)ft_sym_value(s, buf, &v);
    }
    (void)ft_sym_value(s, "http", &v);
    (void)ft_sym_problem(s);
    ft_sym_free(s);
    return 0;
}
