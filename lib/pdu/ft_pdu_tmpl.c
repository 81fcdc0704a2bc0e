/*
 * ft_pdu_tmpl.c - a v9/IPFIX template: what a record of it looks like.
 */
#include "pdu/ft_pdu.h"
#include "pdu/ft_pdu_tmpl.h"

/* Largest record a template may describe: it must fit in one datagram. */
#define TMPL_MAX_RECORD (FT_PDU_MAX_DATAGRAM - 16 - 4)

/*
 * Compute min_len and variable; reject what no datagram could carry
 * (zero-length fields, records larger than a datagram).  v9 has no
 * variable-length fields: there 65535 is just too large.
 */
int ft_tmpl_finish(struct tmpl *t, unsigned version)
{
    uint32_t total = 0;
    t->variable = 0;
    for (uint16_t i = 0; i < t->n_fields; i++) {
        uint16_t len = t->f[i].len;
        /* Cisco sends v9 options scopes of length 0 (System scope): harmless,
         * as long as the whole record is not empty */
        if (len == 0 && !(version == 9 && t->options && i < t->n_scope))
            return -1;
        if (len == FT_VARLEN) {
            if (version != 10)
                return -1;
            t->variable = 1;
            total += 1;
        } else {
            total += len;
        }
        if (total > TMPL_MAX_RECORD)
            return -1;
    }
    if (t->n_fields == 0 || t->n_fields > FT_TMPL_MAX_FIELDS || t->n_scope > t->n_fields ||
        total == 0)
        return -1;
    t->min_len = total;
    return 0;
}
