/*
 * flow-sensor.h - what the parts of flow-sensor share: the outputs the
 * flows of the cache go to (a stream on stdout, rotated capture files,
 * NetFlow/IPFIX collectors) and their counters.
 */
#ifndef FLOW_SENSOR_H
#define FLOW_SENSOR_H

#include <stdint.h>
#include "core/ft_flow.h"
#include "net/ft_addrspec.h"
#include "net/ft_capwriter.h"
#include "pdu/ft_pdu.h"
#include "stream/ft_format.h"
#include "stream/ft_stream.h"
#include "ft_daemon.h"

#define SENSOR_MAX_COLLECTORS 8
#define SENSOR_BATCH 1024

struct collector {
    struct ft_addrspec addr;
    const char *arg;
    int fd;
    struct ft_pdu_enc *enc;
};

struct outputs {
    const struct ft_format *fmt;        /* stream and file format */
    int v6_ok;                          /* the format holds IPv6 addresses */
    const struct ft_log *log;
    /* stdout */
    struct ft_writer *w;
    struct ft_flow *batch;
    size_t n;
    /* -w */
    const char *workdir;
    struct ft_capwriter_opts files;
    struct ft_flowq *q;
    struct ft_capwriter *cw;
    struct ft_flow_batch *b;
    /* -n */
    struct collector coll[SENSOR_MAX_COLLECTORS];
    unsigned n_coll;
    unsigned export_version;            /* 5, 9 or 10 */
    unsigned template_timeout;          /* seconds */
    uint64_t boot_ms;                   /* uptime zero of v5/v9 headers */
    /* counters */
    uint64_t flows_out;                 /* to stdout or files */
    uint64_t dropped_v6;                /* IPv6 flows the stream format cannot hold */
    uint64_t exported, datagrams, send_errors, export_dropped_v6;
    int failed;
};

/* Open what was asked for (stdout when neither -w nor -n); dies on error. */
void outputs_open(struct outputs *o);
/* One ended flow; now_ms is the meter's clock (export headers). */
void outputs_flow(struct outputs *o, const struct ft_flow *f, uint64_t now_ms);
/* -w: close the current file and start the next (SIGHUP). */
void outputs_rotate(struct outputs *o);
/* Flush and close everything; 0, or -1 when something could not be written. */
int outputs_close(struct outputs *o);

#endif
