/*
 * ft_collect.h - what every collector (flow-capture, flow-fanout,
 * flow-receive) does around the decoder: decide whether an exporter is
 * accepted, log new exporters and per-exporter statistics in flow-tools'
 * words, and keep malformed input from flooding the log.
 */
#ifndef FT_COLLECT_H
#define FT_COLLECT_H

#include <stddef.h>
#include <time.h>
#include "net/ft_addrspec.h"
#include "ft_daemon.h"
#include "stream/ft_format.h"
#include "pdu/ft_pdu.h"
#include "stream/ft_stream.h"

struct ft_exporters;

/*
 * What flow-capture and flow-receive write, set by the options they share:
 * -b big|little, -z level|zstd[:N] (wopts), -V version (format), -C comment,
 * and -k exporters_file.  Each program sets its defaults first.
 */
struct ft_collect_out {
    struct ft_write_opts wopts;
    const struct ft_format *format;     /* -V, or NULL: from the datagrams */
    const char *comment;                /* -C, or NULL */
    const char *exporters_path;         /* -k, or NULL */
    /* -V refused: "Version scan failed: "ARG"" as flow-capture says it,
     * else "Version scan failed" as flow-receive does */
    int quote_bad_version;
};

/* Take option ch with its argument if it is one of those: 1, else 0.
 * Dies with the program's message on a bad argument. */
int ft_collect_out_option(struct ft_collect_out *o, int ch, const char *arg);

/* -k: the per-exporter settings of path, or NULL when path is NULL; dies
 * with the loader's message when the file cannot be used. */
struct ft_exporters *ft_collect_load_exporters(const char *path);

/* "STAT<when>: exporter settings: ..." of what -k changed, never silently
 * (" no flow changed" when nothing did); nothing without settings. */
void ft_collect_log_settings(const struct ft_log *log, const struct ft_exporters *x,
                             const char *when);

/* 1 when a datagram from src may be decoded: the remote address of the
 * localip/remoteip/port argument (if any) and the allow-list both accept it. */
int ft_collect_accepts(const struct ft_addrspec *a, const struct ft_allowlist *allow,
                       const struct ft_ip *src);

/* flow-tools never translates to, from or between v8 aggregations: 1 when
 * datagrams of version in_version (aggregation in_agg) may be written as
 * out_version/out_agg. */
int ft_collect_v8_translatable(unsigned out_version, unsigned out_agg, unsigned in_version,
                               unsigned in_agg);
/* The same for stream formats; the extended format holds any datagram. */
int ft_collect_translatable(const struct ft_format *out, const struct ft_format *in);

/* "New exporter: time=T src_ip=A dst_ip=B d_version=V" */
void ft_collect_log_new_exporter(const struct ft_log *log, const struct ft_pdu_src *src,
                                 unsigned version);

/*
 * One flow-tools STAT line per exporter of the decoder ("STAT: now=...
 * startup=... src_ip=... dst_ip=... d_ver=... pkts=... flows=... lost=...
 * reset=... filter_drops=0"), extra appended to each (may be ""); at most
 * max_lines lines, then a line saying how many were left out.
 */
void ft_collect_log_exporters(const struct ft_log *log, const struct ft_pdu_ctx *pdu,
                              time_t now, time_t startup, const char *extra, size_t max_lines);

/* " short=3 version=1 ..." for every drop reason the decoder counted;
 * "" when none.  Returns buf. */
char *ft_collect_reasons(const struct ft_pdu_ctx *pdu, char *buf, size_t size);

/* The next multiple of `minutes` of local clock time after now (-S). */
time_t ft_collect_next_stat(time_t now, unsigned minutes);

/* Log at most per_minute warnings of a kind per minute and then say how
 * many were left out. */
struct ft_ratelimit {
    unsigned per_minute;
    time_t minute;
    unsigned logged, suppressed;
};
/* 1: log this one.  Also logs the count left out of the previous minute. */
int ft_ratelimit_allow(struct ft_ratelimit *r, const struct ft_log *log, time_t now);

#endif
