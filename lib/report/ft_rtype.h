/*
 * ft_rtype.h - the report types of flow-report (nfilter-language.md 3.2)
 * as rows over the field table, and the output fields (columns) a report
 * type allows (report-fields.md).
 *
 * Most types are a tuple of flow fields named by the fields' report
 * spellings joined by '/', with a shared-suffix shorthand:
 * "input/output-interface" is input-interface + output-interface,
 * "ip-source/destination-port" ip-source-port + ip-destination-port.  Those
 * are derived from the name when looked up (ft_rtype_lookup); only the types
 * whose key is computed (summaries, sizes, rates, counts, times) are
 * explicit rows.
 */
#ifndef FT_RTYPE_H
#define FT_RTYPE_H

#include <stddef.h>
#include <stdint.h>
#include "core/ft_err.h"
#include "core/ft_field.h"

#define FT_RTYPE_COUNT 78
#define FT_RTYPE_MAX_KEYS 6

/* How a type's key is made. */
enum ft_rkind {
    FT_RK_FIELDS,               /* a tuple of flow fields */
    FT_RK_SUMMARY_DETAIL,       /* no key: totals and distributions */
    FT_RK_SUMMARY_COUNTERS,     /* no key: totals */
    FT_RK_PACKET_SIZE,          /* octets / packets */
    FT_RK_OCTETS,               /* octets / flows */
    FT_RK_PACKETS,              /* packets / flows */
    FT_RK_BPS,                  /* bits per second of the flow */
    FT_RK_PPS,                  /* packets per second of the flow */
    FT_RK_DST_ADDR_TYPE,        /* class of the destination address */
    FT_RK_IP_ADDRESS,           /* source and destination address, each */
    FT_RK_IP_PORT,              /* source and destination port, each */
    FT_RK_SRC_DST_COUNT,        /* source address, distinct destinations */
    FT_RK_DST_SRC_COUNT,        /* destination address, distinct sources */
    FT_RK_LINEAR,               /* flows, octets, packets spread per second */
    FT_RK_FIRST,                /* start time, seconds */
    FT_RK_LAST,                 /* end time, seconds */
    FT_RK_DURATION              /* duration, ms */
};

/* Output fields (columns), as bits. */
enum ft_rcol {
    FT_RC_INDEX, FT_RC_FIRST, FT_RC_LAST, FT_RC_KEY, FT_RC_KEY1, FT_RC_KEY2, FT_RC_KEY3,
    FT_RC_KEY4, FT_RC_KEY5, FT_RC_KEY6, FT_RC_COUNT, FT_RC_FLOWS, FT_RC_OCTETS,
    FT_RC_PACKETS, FT_RC_DURATION, FT_RC_AVG_BPS, FT_RC_MIN_BPS, FT_RC_MAX_BPS,
    FT_RC_AVG_PPS, FT_RC_MIN_PPS, FT_RC_MAX_PPS, FT_RC_OTHER, FT_RC_FRECS, FT_RC_N
};
#define FT_RC_BIT(c) (1u << (c))
#define FT_RC_KEYS (FT_RC_BIT(FT_RC_KEY) | FT_RC_BIT(FT_RC_KEY1) | FT_RC_BIT(FT_RC_KEY2) | \
                    FT_RC_BIT(FT_RC_KEY3) | FT_RC_BIT(FT_RC_KEY4) | FT_RC_BIT(FT_RC_KEY5) | \
                    FT_RC_BIT(FT_RC_KEY6))
#define FT_RC_PPS (FT_RC_BIT(FT_RC_AVG_PPS) | FT_RC_BIT(FT_RC_MIN_PPS) | FT_RC_BIT(FT_RC_MAX_PPS))
#define FT_RC_BPS (FT_RC_BIT(FT_RC_AVG_BPS) | FT_RC_BIT(FT_RC_MIN_BPS) | FT_RC_BIT(FT_RC_MAX_BPS))

/* The name of a column in `fields` and `sort` ("octets", "key1"). */
const char *ft_rcol_name(enum ft_rcol c);

/* A column name's bits (a group such as "pps" gives several); 0 if none. */
uint32_t ft_rcol_bits(const char *name);

/* A report type, with its key fields resolved. */
struct ft_rtype {
    const char *name;           /* as in the language ("ip-source/destination-port") */
    uint8_t kind;               /* enum ft_rkind */
    uint8_t nkeys;              /* key fields (FT_RK_FIELDS), or key columns shown */
    uint8_t key[FT_RTYPE_MAX_KEYS]; /* field ids of a tuple, in column order */
    uint32_t allowed;           /* FT_RC_BIT()s of the columns it may show */
    uint64_t needs;             /* FT_F_* fields a stream must carry */
    /* The `# recn:` heading of the key columns, as the original spells it
     * ("ip-source-port*,ip-destination-port*"). */
    char heading[192];
};

/* The type called name (case-insensitive): 0, or -1 with err set
 * ("unknown report type"). */
int ft_rtype_lookup(const char *name, struct ft_rtype *out, struct ft_err *err);

/* The name of type i, 0 <= i < FT_RTYPE_COUNT (flow-report -hh). */
const char *ft_rtype_name(size_t i);

/*
 * The fields of a tuple type's name: "ip-source/destination-port" gives
 * ip-source-port, ip-destination-port.  Returns how many (at most max), or
 * -1 when a part names no field.
 */
int ft_rtype_derive(const char *name, uint8_t *ids, int max);

#endif
