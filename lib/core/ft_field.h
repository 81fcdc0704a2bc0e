/*
 * ft_field.h - the flow fields, each described once.
 *
 * FT_FIELDS is the one list of what a member of struct ft_flow is: its
 * storage, its kind, its `has` bit, the names the flow-tools world spells it
 * with, the key flow-print -f json/csv gives it, and the NetFlow v9/IPFIX
 * elements it travels in.  Record codecs, the decoders and encoders, the
 * filter language, the JSON/CSV rows, and later the reports, export/import
 * columns and sort keys are rows over it.
 *
 * Code that runs per record expands FT_FIELDS at build time (constant ids,
 * constant keys) or resolves names to rows at load time: nothing looks a
 * name up per record.
 *
 * Columns of X(ID, member, type, kind, has, name, json, lang, ie, ie_alt, bits):
 *   ID      FT_FLD_<ID>, the field's id
 *   member  the struct ft_flow member (its offset and width follow)
 *   type    storage: IP (struct ft_ip), U8, U16, U32, U64
 *   kind    what the value is: ADDRESS, COUNTER, TIME, PORT, ...
 *   has     the FT_F_* bit saying the member holds a value
 *   name    the flow-tools field name (flow-export/flow-import -m lists);
 *           ftkit's own fields are named the same way
 *   json    the flow-print -f json key and CSV column (NULL: not a column)
 *   lang    the spellings of the filter and report languages, first the
 *           report language's, separated by blanks (NULL: not in them)
 *   ie      the v9/IPFIX element it is decoded from and encoded as (for an
 *           address, its IPv4 form); 0 when it is no element of a record
 *   ie_alt  a second element with the same meaning (an address's IPv6 form,
 *           the IPFIX postfix mask or VLAN element); 0 if none
 *   bits    significant bits of an element value (flow label 20, VLAN 12);
 *           0: the member's whole width
 */
#ifndef FT_FIELD_H
#define FT_FIELD_H

#include <stddef.h>
#include <stdint.h>
#include "core/ft_flow.h"

#define FT_FIELDS(X) \
    /* flow-tools fields, in the order of their has bits */ \
    X(UNIX_SECS, unix_secs, U32, TIME, FT_F_UNIX_SECS, "unix_secs", "unix_secs", NULL, 0, 0, 0) \
    X(UNIX_NSECS, unix_nsecs, U32, TIME, FT_F_UNIX_NSECS, "unix_nsecs", "unix_nsecs", NULL, 0, 0, 0) \
    X(SYSUPTIME, sysuptime, U32, TIME, FT_F_SYSUPTIME, "sysuptime", "sys_uptime", NULL, 0, 0, 0) \
    X(EXADDR, exaddr, IP, ADDRESS, FT_F_EXADDR, "exaddr", "exporter", \
      "ip-exporter-address exporter-ip-addr", 0, 0, 0) \
    X(DFLOWS, dflows, U32, COUNTER, FT_F_DFLOWS, "dflows", "dflows", "flows", 3, 0, 0) \
    X(DPKTS, dpkts, U64, COUNTER, FT_F_DPKTS, "dpkts", "packets", "packets", 2, 0, 0) \
    X(DOCTETS, doctets, U64, COUNTER, FT_F_DOCTETS, "doctets", "octets", "octets", 1, 0, 0) \
    X(FIRST, first, U32, TIME, FT_F_FIRST, "first", "first", NULL, 22, 0, 0) \
    X(LAST, last, U32, TIME, FT_F_LAST, "last", "last", NULL, 21, 0, 0) \
    X(ENGINE_TYPE, engine_type, U8, ENGINE, FT_F_ENGINE_TYPE, "engine_type", "engine_type", \
      "engine-type", 38, 0, 0) \
    X(ENGINE_ID, engine_id, U8, ENGINE, FT_F_ENGINE_ID, "engine_id", "engine_id", \
      "engine-id", 39, 0, 0) \
    X(SRCADDR, srcaddr, IP, ADDRESS, FT_F_SRCADDR, "srcaddr", "srcaddr", \
      "ip-source-address src-ip-addr", 8, 27, 0) \
    X(DSTADDR, dstaddr, IP, ADDRESS, FT_F_DSTADDR, "dstaddr", "dstaddr", \
      "ip-destination-address dst-ip-addr", 12, 28, 0) \
    X(NEXTHOP, nexthop, IP, ADDRESS, FT_F_NEXTHOP, "nexthop", "nexthop", \
      "ip-next-hop-address ip-nexthop-address nexthop-ip-addr", 15, 62, 0) \
    X(INPUT, input, U32, INTERFACE, FT_F_INPUT, "input", "input", \
      "input-interface src-ifindex", 10, 0, 0) \
    X(OUTPUT, output, U32, INTERFACE, FT_F_OUTPUT, "output", "output", \
      "output-interface dst-ifindex", 14, 0, 0) \
    X(SRCPORT, srcport, U16, PORT, FT_F_SRCPORT, "srcport", "srcport", \
      "ip-source-port src-ip-port", 7, 0, 0) \
    X(DSTPORT, dstport, U16, PORT, FT_F_DSTPORT, "dstport", "dstport", \
      "ip-destination-port dst-ip-port", 11, 0, 0) \
    X(PROT, prot, U8, PROTOCOL, FT_F_PROT, "prot", "proto", "ip-protocol", 4, 0, 0) \
    X(TOS, tos, U8, TOS, FT_F_TOS, "tos", "tos", "ip-tos", 5, 0, 0) \
    X(TCP_FLAGS, tcp_flags, U8, TCP_FLAGS, FT_F_TCP_FLAGS, "tcp_flags", "tcp_flags", \
      "ip-tcp-flags", 6, 0, 0) \
    X(SRC_MASK, src_mask, U8, PREFIX_LEN, FT_F_SRC_MASK, "src_mask", "src_mask", \
      "ip-source-address-prefix-len src-ip-addr-prefix-len", 9, 29, 0) \
    X(DST_MASK, dst_mask, U8, PREFIX_LEN, FT_F_DST_MASK, "dst_mask", "dst_mask", \
      "ip-destination-address-prefix-len dst-ip-addr-prefix-len", 13, 30, 0) \
    X(SRC_AS, src_as, U32, AS, FT_F_SRC_AS, "src_as", "src_as", "source-as src-as", 16, 0, 0) \
    X(DST_AS, dst_as, U32, AS, FT_F_DST_AS, "dst_as", "dst_as", "destination-as dst-as", \
      17, 0, 0) \
    X(IN_ENCAPS, in_encaps, U8, CODE, FT_F_IN_ENCAPS, "in_encaps", "in_encaps", NULL, 0, 0, 0) \
    X(OUT_ENCAPS, out_encaps, U8, CODE, FT_F_OUT_ENCAPS, "out_encaps", "out_encaps", NULL, \
      0, 0, 0) \
    X(PEER_NEXTHOP, peer_nexthop, IP, ADDRESS, FT_F_PEER_NEXTHOP, "peer_nexthop", \
      "peer_nexthop", NULL, 0, 0, 0) \
    X(ROUTER_SC, router_sc, IP, ADDRESS, FT_F_ROUTER_SC, "router_sc", "router_sc", \
      "ip-shortcut-address shortcut-ip-addr", 0, 0, 0) \
    X(EXTRA_PKTS, extra_pkts, U32, COUNTER, FT_F_EXTRA_PKTS, "extra_pkts", "extra_pkts", \
      "extra-packets", 0, 0, 0) \
    X(MARKED_TOS, marked_tos, U8, TOS, FT_F_MARKED_TOS, "marked_tos", "marked_tos", \
      "ip-marked-tos", 0, 0, 0) \
    X(SRC_TAG, src_tag, U32, TAG, FT_F_SRC_TAG, "src_tag", "src_tag", "source-tag src-tag", \
      0, 0, 0) \
    X(DST_TAG, dst_tag, U32, TAG, FT_F_DST_TAG, "dst_tag", "dst_tag", \
      "destination-tag dst-tag", 0, 0, 0) \
    /* ftkit's fields: never part of a flow-tools record */ \
    X(BGP_NEXTHOP, bgp_nexthop, IP, ADDRESS, FT_F_BGP_NEXTHOP, "bgp_nexthop", "bgp_nexthop", \
      NULL, 18, 63, 0) \
    X(SOURCE_ID, source_id, U32, ID, FT_F_SOURCE_ID, "source_id", "source_id", NULL, 0, 0, 0) \
    X(SAMPLING_INTERVAL, sampling_interval, U32, ID, FT_F_SAMPLING, "sampling_interval", \
      "sampling_interval", NULL, 34, 0, 0) \
    X(SAMPLING_ALGORITHM, sampling_algorithm, U8, CODE, FT_F_SAMPLING, "sampling_algorithm", \
      "sampling_algorithm", NULL, 35, 0, 0) \
    X(SAMPLER_ID, sampler_id, U32, ID, FT_F_SAMPLER_ID, "sampler_id", "sampler_id", NULL, \
      48, 0, 0) \
    X(SRC_VLAN, src_vlan, U16, VLAN, FT_F_SRC_VLAN, "src_vlan", "src_vlan", NULL, 58, 243, 12) \
    X(DST_VLAN, dst_vlan, U16, VLAN, FT_F_DST_VLAN, "dst_vlan", "dst_vlan", NULL, 59, 254, 12) \
    X(DIRECTION, direction, U8, CODE, FT_F_DIRECTION, "direction", "direction", NULL, 61, 0, 0) \
    X(ICMP_TYPE, icmp_type, U8, CODE, FT_F_ICMP, "icmp_type", "icmp_type", NULL, 176, 178, 0) \
    X(ICMP_CODE, icmp_code, U8, CODE, FT_F_ICMP, "icmp_code", "icmp_code", NULL, 177, 179, 0) \
    X(FLOW_LABEL, flow_label, U32, ID, FT_F_FLOW_LABEL, "flow_label", "flow_label", NULL, \
      31, 0, 20) \
    X(IP_VERSION, ip_version, U8, CODE, FT_F_IP_VERSION, "ip_version", "ip_version", NULL, \
      60, 0, 0) \
    X(START_MS, start_ms, U64, TIME, FT_F_TIMES, "start_ms", "start_ms", NULL, 152, 0, 0) \
    X(END_MS, end_ms, U64, TIME, FT_F_TIMES, "end_ms", "end_ms", NULL, 153, 0, 0) \
    X(START_NS, start_ns, U32, TIME, FT_F_TIMES, "start_ns", NULL, NULL, 0, 0, 0) \
    X(END_NS, end_ns, U32, TIME, FT_F_TIMES, "end_ns", NULL, NULL, 0, 0, 0) \
    /* where the flow came from: the datagram, not the record */ \
    X(EXPORTER_PORT, exporter_port, U16, PORT, FT_F_EXPORT_INFO, "exporter_port", \
      "exporter_port", NULL, 0, 0, 0) \
    X(EXPORT_VERSION, export_version, U8, CODE, FT_F_EXPORT_INFO, "export_version", \
      "version", NULL, 0, 0, 0) \
    X(SEQUENCE, sequence, U32, ID, FT_F_EXPORT_INFO, "sequence", "sequence", NULL, 0, 0, 0) \
    X(TEMPLATE_ID, template_id, U16, ID, FT_F_EXPORT_INFO, "template_id", "flowset_id", NULL, \
      0, 0, 0)

#define FT_FIELD_ENUM_(ID, ...) FT_FLD_##ID,
enum ft_field_id { FT_FIELDS(FT_FIELD_ENUM_) FT_NFIELDS };

/* How a member is stored. */
enum ft_ftype { FT_T_IP, FT_T_U8, FT_T_U16, FT_T_U32, FT_T_U64 };

/* What a value is: how languages parse it, reports key and print it. */
enum ft_fkind {
    FT_K_ADDRESS, FT_K_COUNTER, FT_K_TIME, FT_K_PORT, FT_K_PROTOCOL, FT_K_TOS,
    FT_K_TCP_FLAGS, FT_K_PREFIX_LEN, FT_K_INTERFACE, FT_K_AS, FT_K_TAG, FT_K_ENGINE,
    FT_K_VLAN, FT_K_ID, FT_K_CODE
};

struct ft_field {
    uint8_t id;                 /* enum ft_field_id */
    uint8_t type;               /* enum ft_ftype */
    uint8_t kind;               /* enum ft_fkind */
    uint8_t bits;               /* significant bits of element values, 0 all */
    uint16_t off;               /* offsetof(struct ft_flow, member) */
    uint16_t ie, ie_alt;        /* v9/IPFIX elements, 0 none */
    uint64_t has;               /* FT_F_* */
    const char *name;           /* flow-tools field name */
    const char *json;           /* JSON key and CSV column, or NULL */
    const char *lang;           /* language spellings, blank-separated, or NULL */
};

/* Every field, indexed by enum ft_field_id. */
extern const struct ft_field ft_fields[FT_NFIELDS];

/* The flow-tools field bits that formats use (the low 36). */
#define FT_F_FLOWTOOLS 0xFFFFFFFFFULL

/* The row of a name: a flow-tools field name, a JSON key or any language
 * spelling ("srcaddr", "ip-source-address", "src-ip-addr"); NULL if none. */
const struct ft_field *ft_field_by_name(const char *name);

/* The row of a language spelling only ("ip-source-address"), or NULL. */
const struct ft_field *ft_field_by_lang(const char *name);

/* The row decoded from v9/IPFIX element ie (either of its elements), or NULL. */
const struct ft_field *ft_field_by_element(unsigned ie);

/* The first language spelling of a field into buf ("ip-source-address"),
 * or NULL when it has none. */
const char *ft_field_lang_name(const struct ft_field *d, char *buf, size_t size);

/* The member of f that d describes. */
static inline void *ft_field_ptr(struct ft_flow *f, const struct ft_field *d)
{
    return (char *)f + d->off;
}

static inline const void *ft_field_cptr(const struct ft_flow *f, const struct ft_field *d)
{
    return (const char *)f + d->off;
}

/* A numeric member's value (0 for an address: see ft_field_cptr). */
static inline uint64_t ft_field_get(const struct ft_flow *f, const struct ft_field *d)
{
    const void *p = ft_field_cptr(f, d);
    switch (d->type) {
    case FT_T_U8: return *(const uint8_t *)p;
    case FT_T_U16: return *(const uint16_t *)p;
    case FT_T_U32: return *(const uint32_t *)p;
    case FT_T_U64: return *(const uint64_t *)p;
    default: return 0;
    }
}

/* Store v in a numeric member, cut to its width (the caller checks ranges
 * where a cut is a loss). */
static inline void ft_field_put(struct ft_flow *f, const struct ft_field *d, uint64_t v)
{
    void *p = ft_field_ptr(f, d);
    switch (d->type) {
    case FT_T_U8: *(uint8_t *)p = (uint8_t)v; break;
    case FT_T_U16: *(uint16_t *)p = (uint16_t)v; break;
    case FT_T_U32: *(uint32_t *)p = (uint32_t)v; break;
    case FT_T_U64: *(uint64_t *)p = v; break;
    default: break;
    }
}

/* Does the member of f hold a non-zero value (an address other than 0)? */
int ft_field_is_set(const struct ft_flow *f, const struct ft_field *d);

#endif
