/*
 * files_ahead.h - flow-cat's second thread: it opens and inflates the next
 * input files while flow-cat writes the current one's records, so that a
 * directory of compressed files is read on one core and written on the
 * other instead of one after the other.
 *
 * The thread takes the files in the order given and hands out, per file,
 * the opened reader (or why it could not be opened) and then the file's raw
 * records in the reader's batches, in order, then the end of the file or
 * its damage.  The caller so sees every record and message in the order the
 * reader alone would give them, and the output bytes are the same.
 *
 * Memory is bounded: at most AHEAD_FILES files are open at once and at most
 * AHEAD_BYTES of records wait to be written.
 */
#ifndef FILES_AHEAD_H
#define FILES_AHEAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "stream/ft_stream.h"

struct files_ahead;

/* One input as the thread opened it. */
struct ahead_file {
    struct ft_reader *r;        /* NULL when it could not be opened: see err */
    struct ft_err err;
    const struct ft_format *fmt;    /* ft_reader_format(r) */
    int order;                      /* ft_reader_order(r) */
};

/*
 * Start reading paths[0..n) ahead (NULL is standard input, named
 * "stdin" in messages; the array must outlive the thread).  batch: records per batch.  NULL when the
 * thread cannot start (the caller then reads the files itself).
 */
struct files_ahead *files_ahead_start(const char *const *paths, size_t n, size_t batch);

/* The next file, once the thread has opened it (or failed to). */
struct ahead_file *files_ahead_next_file(struct files_ahead *a);

/*
 * The file's next batch of raw records at *recs (valid until the next call):
 * how many (>0), 0 at the end of a sound stream, -1 on damage (then
 * ft_reader_error(f->r) names it), as ft_reader_raw would return.
 */
ssize_t files_ahead_raw(struct files_ahead *a, struct ahead_file *f, const uint8_t **recs);

/*
 * Done with the file: the thread stops reading it (a batch in progress is
 * waited for), its batches not taken are dropped and its place goes to a
 * next file, so f is no longer valid.  Its reader (f->r, taken before) is
 * then the caller's alone: to read its header and error, and to close.
 */
void files_ahead_done(struct files_ahead *a, struct ahead_file *f);

/* Stop the thread and free everything (also before the last file). */
void files_ahead_stop(struct files_ahead *a);

#endif
