/*
 * flow-capture.h - what the two files of flow-capture share: its options,
 * the state of a run, and the receiver thread (receiver.c), which
 * the main thread (flow-capture.c) starts and stops.
 */
#ifndef FLOW_CAPTURE_H
#define FLOW_CAPTURE_H

#include <limits.h>
#include <stdatomic.h>
#include <time.h>
#include "ft_collect.h"
#include "ft_daemon.h"
#include "lang/ft_filter.h"        /* -F, and struct ft_vars (-v) */
#include "lang/ft_tag.h"
#include "net/ft_addrspec.h"
#include "net/ft_capwriter.h"
#include "net/ft_pcap.h"
#include "pdu/ft_pdu.h"
#include "stream/ft_flowq.h"

#define PROG "flow-capture"

struct options {
    const char *workdir;
    struct ft_capwriter_opts files;     /* -N -n -e -E -j */
    struct ft_collect_out out;          /* -b -z -V -C -k */
    const char *pidfile;
    int pidfile_given;
    int foreground, keep_umask, debug;
    unsigned stat_minutes;
    const char *post_rotate;
    const char *user;
    const char *pcap_path;
    struct ft_exporters *exporters;     /* -k, or NULL */
    int rcvbuf;
    unsigned queue_batches;
    struct ft_allowlist allow;
    struct ft_privacy_mask mask;
    struct ft_addrspec addr;
    int have_addr;
    /* -t/-T: tag every flow on receipt (files become v1005, or extended) */
    const char *tag_file;
    const char *tag_name;
    /* -f/-F: keep only the flows a filter definition permits */
    const char *filter_file;
    const char *filter_name;
    struct ft_vars vars;                /* -v, for the configuration files */
    struct rules *rules;                /* -T and -F as loaded at start */
};

/*
 * The tag and filter definitions in force.  Read at start and again on
 * SIGHUP, as flow-tools does: the main thread loads a new set and leaves it
 * in capture.next_rules; the receiver takes it between two reads and frees
 * the set it used.  A set that cannot be loaded leaves the old one in force.
 */
struct rules {
    struct ft_tag *tag;
    const struct ft_tag_def *tag_def;
    struct ft_filter *filter;
    struct ft_filter_def *filter_def;
};

/* Counters every thread may read; each is written by one thread only. */
struct counters {
    atomic_uint_fast64_t datagrams, flows, corrupt, refused, truncated;
    atomic_uint_fast64_t lost, resets, misordered;
    atomic_uint_fast64_t queue_drops;
    atomic_uint_fast64_t stalls;            /* receiver waited for a free batch */
    atomic_uint_fast64_t socket_drops;      /* the kernel's count (SO_RXQ_OVFL) */
    atomic_uint_fast64_t filtered;          /* flows the -F definition denied */
};

struct capture {
    struct options opt;
    struct ft_log log;
    int sock;
    struct ft_pcap *pcap;
    struct ft_flowq *q;
    struct ft_capwriter *files;         /* the writer and finisher threads */
    struct ft_capwriter_stats files_done;   /* their counters once they ended */
    atomic_int stop;            /* receiver: finish now */
    atomic_int receiver_done;   /* receiver ended (end of pcap, socket error) */
    _Atomic(struct rules *) next_rules;     /* reloaded, not yet taken */
    int failed;                 /* a thread hit a fatal error */
    struct counters n;
    time_t startup;
    char template_path[PATH_MAX];
};

struct header_counts {
    uint64_t datagrams;
    uint32_t corrupt, lost, resets, misordered;
};

struct receiver {
    struct capture *c;
    struct ft_pdu_ctx *pdu;
    struct rules *rules;                /* in force */
    const struct ft_format *out_fmt;    /* fixed by -V or the first datagram */
    struct ft_flow_batch *batch;        /* being filled, or NULL */
    uint64_t batch_taken_ms;            /* when it was taken */
    struct header_counts pending;       /* counts waiting for a batch */
    struct ft_ratelimit warn_corrupt, warn_refused, warn_queue;
    time_t next_stat;
    time_t last_template_save;
    uint64_t template_changes_saved;
    uint64_t drain_until_ms;            /* stopping: the socket is read until then */
};

/* The receiver thread: datagrams to batches of flows in c->q, until c->stop
 * or the end of the -r file; then it closes the queue. */
void *capture_receiver_main(void *arg);

/* The STAT line of everything counted, and the drop reasons. */
void capture_log_summary(struct capture *c, struct ft_pdu_ctx *pdu, const char *when);

/* Free a set of tag and filter definitions (NULL: nothing). */
void capture_free_rules(struct rules *ru);

#endif
