/* flow-filter's Cisco access lists (lang/ft_acl*.c: the bison grammar and
 * flex scanner), then every list named in the input asked about a few
 * flows, alone and as flow-filter's -S/-E criteria. */
#include "fuzz.h"
#include "core/ft_field.h"
#include "lang/ft_acl.h"

struct eval {
    struct ft_acl_set *s;
    struct ft_flow flows[8];
    int tried;
};

/* Every word of the input may name a list ("10", "campus"). */
static void try_word(struct eval *e, const char *w)
{
    const struct ft_acl *a = ft_acl_find(e->s, w);
    if (!a)
        return;
    struct ft_acl_filter *f = ft_acl_filter_new(e->tried & 1);
    struct ft_err err;
    uint8_t keep[8];
    for (int i = 0; i < 8; i++) {
        if (ft_acl_is_extended(a))
            (void)ft_acl_permits_flow(a, &e->flows[i]);
        else
            (void)ft_acl_permits_addr(a, &e->flows[i].srcaddr);
    }
    if (f && (ft_acl_is_extended(a) ? ft_acl_filter_flow(f, a, &err)
                                     : ft_acl_filter_addr(f, FT_FLD_SRCADDR, a, &err)) == 0)
        ft_acl_filter_batch(f, e->flows, 8, keep);
    ft_acl_filter_free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ft_err err;
    struct eval e = {0};
    e.s = ft_acl_parse_buffer((const char *)data, size, "fuzz", &err);
    if (!e.s)
        return 0;
    fz_flows(e.flows, 8, data, size);
    char *text = fz_text(data, size);
    for (char *w = strtok(text, " \t\r\n"); w && e.tried < 64; w = strtok(NULL, " \t\r\n"), e.tried++)
        try_word(&e, w);
    free(text);
    ft_acl_free(e.s);
    return 0;
}
