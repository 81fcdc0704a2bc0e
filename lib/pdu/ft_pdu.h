/*
 * ft_pdu.h - NetFlow export datagrams: decoders and encoders.
 *
 * Decoders: NetFlow v1, v5, v6, v7, v8 (aggregations 1..14), v9 (RFC 3954)
 * and IPFIX (RFC 7011).  One call decodes one UDP datagram from one exporter
 * into struct ft_flow records.  A decoder context keeps what a collector
 * must remember between datagrams: sequence numbers (flow-tools loss
 * accounting), v9/IPFIX templates and options templates, sampling learned
 * from options data, per-exporter counters.
 *
 * v1..v8 datagrams are checked all-or-nothing exactly as flow-tools checks
 * them (wire-pdus.md sections 3-5); unlike flow-tools, engine_id is stored
 * in engine_id for every version, and v6 encapsulation sizes and peer next
 * hop are kept.  v9/IPFIX datagrams with a broken set
 * structure are dropped whole; a data set without a known template is
 * skipped and counted (or held until the template comes, if enabled).
 *
 * Encoders: v1, v5, v6, v7, v8.x and v9 datagram builders (flows in,
 * datagrams out, with sequence numbers as flow-tools numbers them; v9 with
 * one template for IPv4 and one for IPv6 flows, resent periodically).
 *
 * Nothing here prints or exits.  Failures come back as return values with a
 * message in struct ft_err naming the exporter and the byte offset.
 */
#ifndef FT_PDU_H
#define FT_PDU_H

#include <stdint.h>
#include <stddef.h>
#include "core/ft_flow.h"
#include "stream/ft_format.h"
#include "core/ft_err.h"

#define FT_PDU_PORT_DEFAULT 9991    /* flow-tools' default collector port */
#define FT_PDU_MAX_DATAGRAM 65535   /* largest datagram a decoder accepts */

/* ---- decoding ----------------------------------------------------------- */

/* Where a datagram came from. */
struct ft_pdu_src {
    struct ft_ip addr;          /* exporter: UDP source address */
    uint16_t port;              /* UDP source port */
    struct ft_ip local;         /* datagram destination address; af FT_AF_NONE if unknown */
    uint64_t recv_ms;           /* arrival time, ms since 1970; 0 = unknown
                                 * (then templates never time out) */
};

/* Why a datagram, or part of one, was not decoded.  Counted per reason. */
enum ft_pdu_reason {
    FT_PDU_OK = 0,
    FT_PDU_SHORT,               /* shorter than its header */
    FT_PDU_VERSION,             /* version not 1, 5, 6, 7, 8, 9 or 10 */
    FT_PDU_COUNT,               /* v1-v8: count above the version's maximum */
    FT_PDU_SIZE,                /* v1-v8: size is not header + count x record */
    FT_PDU_V8_AGG,              /* v8: aggregation or agg_version not supported */
    FT_PDU_LENGTH,              /* IPFIX: message length disagrees with the datagram */
    FT_PDU_SET,                 /* v9/IPFIX: set header short, length < 4 or past the end */
    FT_PDU_TEMPLATE,            /* template record malformed (id < 256, fields past the
                                 * set end, zero, variable or huge field lengths...) */
    FT_PDU_OPTIONS_TEMPLATE,    /* options template malformed (no scope, odd scope length) */
    FT_PDU_TEMPLATE_LIMIT,      /* template refused: per-exporter or total limit reached */
    FT_PDU_EXPORTER_LIMIT,      /* datagram of a new exporter refused: table full */
    FT_PDU_NO_TEMPLATE,         /* data set with an unknown template (counted per set) */
    FT_PDU_RECORD,              /* data record malformed (variable length past the set) */
    FT_PDU_FLOW_LIMIT,          /* flows beyond max_flows of one call (counted per flow) */
    FT_PDU_PENDING_LIMIT,       /* held data set discarded (buffer full or too old) */
    FT_PDU_N_REASONS
};

/* Short name of a reason ("short", "no-template", ...). */
const char *ft_pdu_reason_name(enum ft_pdu_reason r);

struct ft_exporters;

/* Decoder settings.  Zero members take the default given in brackets. */
struct ft_pdu_opts {
    uint32_t max_exporters;     /* exporter entries (sequence/template scopes) [4096] */
    uint32_t max_templates_per_exporter; /* per exporter and source id/domain [256] */
    uint32_t max_templates;     /* all exporters together [16384] */
    uint32_t max_flows;         /* flows handed out by one call [65536] */
    uint32_t pending_sets;      /* v9/IPFIX data sets held while their template is
                                 * unknown, decoded when it arrives (given up after
                                 * 60 s, with src->recv_ms) [0: none, count only] */
    uint32_t template_timeout_s;/* forget templates not refreshed for this long;
                                 * needs src->recv_ms [0: never] */
    uint32_t as0_substitute;    /* replaces AS 0 in v5/v6/v7/v8 records (flow-fanout -A) [0] */
    int ignore_port;            /* 1: v9/IPFIX template scope ignores the UDP source
                                 * port (exporters that change ports) [0] */
    struct ft_exporters *exporters; /* per-exporter settings (ft_exporters.h) applied
                                 * to the flows of every call, and counted there;
                                 * the caller's, kept until the context is freed
                                 * [NULL: none] */
};

/* What one call produced, and what it saw. */
struct ft_pdu_info {
    const struct ft_flow *flows;/* decoded flows, owned by the context (or the
                                 * caller's array, ft_pdu_decode_into), valid
                                 * until the next ft_pdu_decode call on it */
    size_t n_flows;
    unsigned version;           /* export version of the datagram (0 if unreadable) */
    unsigned agg_method, agg_version;   /* v8 */
    uint32_t sequence;          /* header sequence (v5-v9, IPFIX) */
    /* Loss accounting of this datagram (flow-tools rules for v5-v8; v9 counts
     * datagrams, IPFIX data records).  Add to a stream header's FLOW_LOST /
     * SEQ_RESET / FLOW_MISORDERED counters. */
    uint32_t lost;              /* missing before this datagram (gap < 1000) */
    uint32_t resets;            /* 1 when the gap was >= 1000 */
    uint32_t misordered;        /* v9/IPFIX: 1 for a late or repeated datagram */
    uint32_t seq_expected;      /* what was expected, when lost/resets/misordered */
    int new_exporter;           /* 1: first datagram of this exporter */
    uint32_t options_records;   /* v9/IPFIX options data records (not flows) */
    uint32_t unknown_sets;      /* data sets skipped for want of a template */
    uint32_t pending_decoded;   /* flows included here from held data sets */
    enum ft_pdu_reason reason;  /* FT_PDU_OK, or why (part of) the datagram was dropped */
    int nonstandard_count;      /* v1-v8: more records than the version's nominal
                                 * maximum (kept: the length held them all) */
};

struct ft_pdu_ctx;

/* A new decoder context; opts NULL = all defaults.  NULL on out of memory. */
struct ft_pdu_ctx *ft_pdu_ctx_new(const struct ft_pdu_opts *opts);
void ft_pdu_ctx_free(struct ft_pdu_ctx *ctx);

/*
 * Decode one datagram.  Returns the number of flows in info->flows (>= 0),
 * or -1 when the whole datagram was rejected (info->reason says why, err
 * names the exporter and byte offset; flow-tools counts these as corrupt
 * packets).  A datagram accepted with some part skipped (unknown template,
 * bad record) returns >= 0 with info->reason set.
 */
int ft_pdu_decode(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                  const uint8_t *buf, size_t len, struct ft_pdu_info *info,
                  struct ft_err *err);

/*
 * The same, the flows written straight into the caller's out[0..room) (a
 * collector's batch: saves copying every flow).  info->flows is out when
 * they fit; when they do not, they are all in the context's own array, as
 * with ft_pdu_decode.  What out holds past the flows returned is undefined.
 */
int ft_pdu_decode_into(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                       const uint8_t *buf, size_t len, struct ft_flow *out, size_t room,
                       struct ft_pdu_info *info, struct ft_err *err);

/* The stream record format that holds a datagram's flows without loss:
 * v1..v8.x their own format, v9/IPFIX the extended format. */
const struct ft_format *ft_pdu_format(const struct ft_pdu_info *info);

/* Counters of a whole context. */
struct ft_pdu_stats {
    uint64_t datagrams;         /* accepted */
    uint64_t rejected;          /* dropped whole (flow-tools: corrupt packets) */
    uint64_t flows;             /* handed out */
    uint64_t options_records;
    uint64_t lost, resets, misordered;
    uint64_t templates_learned, templates_withdrawn, templates_expired;
    uint64_t templates_active;
    uint64_t pending_held, pending_decoded;
    uint64_t by_reason[FT_PDU_N_REASONS];
    uint64_t seq_slots_refused; /* v5-v8 datagrams of an engine beyond the 256 tracked
                                 * per exporter (their sequence goes unchecked) */
    uint64_t nonstandard_count; /* v1-v8 datagrams accepted with more records than
                                 * the version's nominal maximum (softflowd's v1) */
    uint64_t samplers_replaced; /* options data about a 33rd sampler of one exporter
                                 * (it replaced the last one kept) */
};
void ft_pdu_stats(const struct ft_pdu_ctx *ctx, struct ft_pdu_stats *st);

/* Counters of one exporter (flow-capture -S lines). */
struct ft_pdu_exporter {
    struct ft_ip addr, local;
    uint16_t port;              /* v9/IPFIX only (0 for v1-v8) */
    unsigned version;
    uint32_t source_id;         /* v9/IPFIX */
    uint64_t datagrams, flows, lost, resets, misordered;
    uint32_t templates;         /* active templates */
    uint32_t sampling_interval; /* last learned from options data (0 unknown) */
};
/* Copy up to max exporter entries to out (NULL when max is 0); returns how
 * many there are in all. */
size_t ft_pdu_exporters(const struct ft_pdu_ctx *ctx, struct ft_pdu_exporter *out, size_t max);

/*
 * Templates survive a collector restart through a file (text, one template
 * a line).  Save writes path.tmp and renames it; load adds the templates it
 * finds (refusing what the limits refuse).  0 or -1 with err filled.
 */
int ft_pdu_templates_save(const struct ft_pdu_ctx *ctx, const char *path, struct ft_err *err);
int ft_pdu_templates_load(struct ft_pdu_ctx *ctx, const char *path, struct ft_err *err);
/* The same from a file's contents held in memory; `name` in messages. */
int ft_pdu_templates_parse(struct ft_pdu_ctx *ctx, const char *text, size_t len,
                           const char *name, struct ft_err *err);

/* ---- encoding ----------------------------------------------------------- */

struct ft_pdu_enc_opts {
    unsigned version;           /* 1, 5, 6, 7, 8, 9 or 10 (IPFIX) */
    unsigned agg_method;        /* v8: 1..14 */
    uint32_t source_id;         /* v9 header source id */
    unsigned template_refresh;  /* v9/IPFIX: resend templates every N datagrams [20] */
    unsigned template_timeout;  /* v9/IPFIX: and every N seconds of export time (0: not) */
    size_t max_size;            /* v9: largest datagram in bytes [1400] */
};

/* A finished datagram, valid until the next add/flush on the encoder. */
struct ft_pdu_dgram {
    const uint8_t *data;
    size_t len;
    unsigned n_flows;
    struct ft_ip exaddr;        /* exporter of its first flow (for -s source spoofing) */
};

struct ft_pdu_enc;

/* NULL with err filled if the version/aggregation cannot be encoded. */
struct ft_pdu_enc *ft_pdu_enc_new(const struct ft_pdu_enc_opts *o, struct ft_err *err);
void ft_pdu_enc_free(struct ft_pdu_enc *e);

/*
 * Add one flow.  Returns 1 when a datagram was finished (in *out): either
 * the one being built could not take this flow (different header values or
 * no room; the flow then starts the next datagram) or it became full with
 * it.  Returns 0 when the flow was only added.  Header values (sysUptime,
 * unix_secs/nsecs, engine) come from the first flow of a datagram; flows
 * without them get them from the encoder's clock.
 */
int ft_pdu_enc_add(struct ft_pdu_enc *e, const struct ft_flow *f, struct ft_pdu_dgram *out);

/* Finish the datagram being built: 1 with *out filled, 0 if it was empty. */
int ft_pdu_enc_flush(struct ft_pdu_enc *e, struct ft_pdu_dgram *out);

/*
 * Clock for flows that carry only absolute times (sensor flows): export
 * time now_ms and router boot time boot_ms (ms since 1970).  Without it the
 * encoder uses a flow's end time as the export time and its first flow's
 * start time minus one second as the boot time.
 */
void ft_pdu_enc_set_clock(struct ft_pdu_enc *e, uint64_t now_ms, uint64_t boot_ms);

/* Flows that lost something (IPv6 in v1-v8, counters or AS numbers too wide). */
uint64_t ft_pdu_enc_losses(const struct ft_pdu_enc *e);

#endif
