/*
 * ft_capwriter.h - rotated capture files written off the receive path.
 *
 * A collector (flow-capture) or a meter (a sensor) fills batches of flows
 * and pushes them into a queue (ft_flowq); the capture writer takes them
 * from there in two threads of its own, so that receiving never waits on
 * the disk:
 *
 *   writer    encodes and compresses each batch into the open tmp- file,
 *             and rotates: by the clock (n files a day, ft_capfile.h), on
 *             request, and at the end; every file gets a final header with
 *             its counts (flows, lost, corrupt, resets, misordered);
 *   finisher  fsyncs each closed file, renames it from tmp- to ft-,
 *             expires the oldest files (-e/-E), and reports the file, while
 *             the writer already fills the next.
 *
 * A slow disk or a rotation only makes batches wait in the queue.  When
 * writing fails (disk full, I/O error) the flows are counted as lost and
 * written into the next file's header, and opening is tried again after 1,
 * 2, up to 4 seconds.  A file that cannot be synced stays tmp-.
 *
 * Files are named relative to the working directory (flow-capture changes
 * into its -w directory first).  Nothing here prints: what happens is told
 * through the log callback, and the caller's file callback runs a program
 * on the finished file if it wants to (flow-capture -R).
 */
#ifndef FT_CAPWRITER_H
#define FT_CAPWRITER_H

#include <stdint.h>
#include "core/ft_err.h"
#include "stream/ft_flowq.h"
#include "stream/ft_format.h"
#include "stream/ft_stream.h"

/* A message of priority prio (a syslog(3) level: LOG_ERR .. LOG_DEBUG). */
typedef void (*ft_capwriter_log_fn)(void *arg, int prio, const char *msg);
/* A file finished under its final name (called in the finisher thread). */
typedef void (*ft_capwriter_file_fn)(void *arg, const char *path);

struct ft_capwriter_opts {
    int nesting;                        /* directory levels, FT_NEST_MIN..MAX */
    unsigned rotations;                 /* rotations a day, 0..FT_ROTATIONS_MAX */
    uint64_t max_files, max_bytes;      /* expiry: keep at most (0: no limit) */
    int expiry_dry_run;                 /* expiry only says what it would remove */
    struct ft_write_opts wopts;         /* compression, byte order, threads */
    const struct ft_format *format;     /* of every file; NULL: the first batch's */
    const char *comment;                /* the files' comment TLV, or NULL */
    ft_capwriter_log_fn log;            /* may be NULL */
    void *log_arg;
    ft_capwriter_file_fn on_file;       /* may be NULL */
    void *file_arg;
};

/* Defaults: flow-capture's nesting and rotations, zlib level 6, no expiry. */
void ft_capwriter_opts_init(struct ft_capwriter_opts *o);

/* What the writer counted (each read on its own: not one snapshot). */
struct ft_capwriter_stats {
    uint64_t files;             /* files finished under their final name */
    uint64_t write_errors;      /* failed opens, writes, closes, syncs, renames */
    uint64_t write_drops;       /* flows that never reached a finished file */
    uint64_t losses;            /* flows that lost information in conversion */
};

struct ft_capwriter;

/*
 * Scan the working directory for the expiry list (when expiry is on), then
 * start the writer and finisher threads on q.  With o->format the first
 * file opens at once; else with the first batch.  NULL with err.
 */
struct ft_capwriter *ft_capwriter_open(struct ft_flowq *q, const struct ft_capwriter_opts *o,
                                       struct ft_err *err);

/* Close the open file and start the next (SIGHUP); any thread may ask.  A
 * file opened in the current second is closed early in the next one: files
 * are named by the second they open in. */
void ft_capwriter_rotate(struct ft_capwriter *w);

/* No new file from now on (shutting down); the open one stays open until
 * the queue is closed and drained. */
void ft_capwriter_stop(struct ft_capwriter *w);

/* Counters so far; any thread. */
void ft_capwriter_stats(const struct ft_capwriter *w, struct ft_capwriter_stats *st);

/*
 * After the producer closed the queue (ft_flowq_close): write what is left,
 * close the last file, let the finisher finish every file, and free w.
 * st (may be NULL) gets the final counters.
 */
void ft_capwriter_close(struct ft_capwriter *w, struct ft_capwriter_stats *st);

#endif
