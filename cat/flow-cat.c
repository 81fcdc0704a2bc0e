/*
 * flow-cat - concatenate flow files and directories into one stream.
 *
 * The arguments become one list of files (lib/ft_files.h): directories are
 * walked, every header is read first, the list is sorted by capture start
 * and cut to the -t/-T window.  Records are then copied as they are stored
 * (byte-swapped if the output order differs) when the input format is the
 * output format, and decoded and re-encoded only with -V.  Without -V a
 * second thread opens and inflates the next files while the current one is
 * written (files_ahead.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "files_ahead.h"
#include "net/ft_files.h"
#include "core/ft_getdate.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"

#define BATCH 4096              /* records per read */


struct options {
    unsigned file_flags;        /* -a */
    int global_sort;            /* -g */
    int preload;                /* -p (also implied by -t/-T) */
    int debug;
    int have_low, have_high;    /* -t, -T */
    time_t low, high;
    const char *outfile;        /* -o */
    const char *comment;        /* -C */
    const struct ft_format *convert_to;     /* -V (ftkit) */
    struct ft_write_opts out;
};

/* What the copy has done so far. */
struct run {
    struct ft_writer *w;
    int out_fd;
    const struct ft_format *fmt;    /* the output format */
    int streams;                    /* inputs copied (completely or not) */
    int failed;                     /* an input or the output had a problem */
    int fatal;                      /* stop reading inputs */
    /* header values for -o: over the inputs actually read */
    int have_start, have_end;
    uint32_t start, end, lost, corrupt;
    uint64_t converted, lossy;
};

static void usage(void)
{
    fprintf(stderr,
        "Usage: flow-cat [-aghmp] [-b big|little] [-C comment] [-d level] [-o file]\n"
        "                [-t start] [-T end] [-V version] [-z level] [file|directory|- ...]\n");
}

/* ---- options ----------------------------------------------------------- */

static time_t parse_time(const char *arg, const char *opt)
{
    struct ft_err err;
    time_t t;
    if (ft_getdate(arg, time(NULL), &t, &err) < 0) {
        ft_die("%s: %s", opt, err.msg);
    }
    return t;
}

static void parse_options(int argc, char **argv, struct options *o)
{
    struct ft_err err;
    int c;
    memset(o, 0, sizeof *o);
    while ((c = getopt(argc, argv, "ab:C:d:ghmo:pt:T:V:z:")) != -1) {
        switch (c) {
        case 'a': o->file_flags |= FT_FILES_TMP; break;
        case 'b': o->out.byte_order = ft_opt_byte_order(optarg); break;
        case 'C': o->comment = optarg; break;
        case 'd': o->debug = atoi(optarg); break;
        case 'g': o->global_sort = 1; break;
        case 'h': usage(); exit(1);
        case 'm': break;                /* no mmap: ftkit reads with read(2) anyway */
        case 'o': o->outfile = optarg; break;
        case 'p': o->preload = 1; break;
        case 't': o->low = parse_time(optarg, "-t"); o->have_low = o->preload = 1; break;
        case 'T': o->high = parse_time(optarg, "-T"); o->have_high = o->preload = 1; break;
        case 'V':
            if (!(o->convert_to = ft_format_parse(optarg)))
                ft_die("Version scan failed: unsupported export version \"%s\"", optarg);
            break;
        case 'z':
            if (ft_parse_compression(optarg, &o->out, &err) < 0)
                ft_die("%s", err.msg);
            break;
        default: usage(); exit(1);
        }
    }
    o->out.rewrite = o->outfile != NULL;
}

/* ---- the file list ------------------------------------------------------ */

/*
 * The -t/-T window, judged on header times as the original judges it:
 * with both, files starting inside [low, high] are kept; with -t alone,
 * files starting at or before low; with -T alone, files ending at or after
 * high.  Files with no time at all (and standard input, pipes) are kept.
 */
static bool selected(const struct ft_file *f, const struct options *o)
{
    time_t start, end;
    if (f->has & FT_FILE_BAD)
        return false;
    if (!ft_file_start(f, &start))
        return true;
    ft_file_end(f, &end);
    if (o->have_low && o->have_high)
        return start >= o->low && start <= o->high;
    if (o->have_low)
        return start <= o->low;
    if (o->have_high)
        return end >= o->high;
    return true;
}

/* -o naming one of the inputs would truncate it before it is read. */
static void refuse_output_as_input(const struct ft_file_list *l, const struct options *o)
{
    struct stat out, in;
    if (!o->outfile || stat(o->outfile, &out) != 0)
        return;
    for (size_t i = 0; i < l->n; i++) {
        const struct ft_file *f = &l->files[i];
        if (!(f->has & FT_FILE_ONCE) && stat(f->path, &in) == 0
            && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
            ft_die("%s: the output file is also an input", o->outfile);
    }
}

/* ---- the output header -------------------------------------------------- */

/*
 * -p: capture start and end over every file read (min and max, including
 * files the window leaves out, as the original does), flow, lost and
 * corrupt counts summed over the files selected, and host name, comments,
 * exporter, vendor, rotation and the other counters of the last selected
 * file that has them.
 */
static void preload(struct ft_header *h, const struct ft_file_list *l, const struct options *o)
{
    uint32_t start = 0, end = 0, count = 0, lost = 0, corrupt = 0;
    int have_start = 0, have_end = 0, any = 0;
    for (size_t i = 0; i < l->n; i++) {
        const struct ft_file *f = &l->files[i];
        const struct ft_file_header *fh = &f->hdr;
        if (!(f->has & FT_FILE_PROBED))
            continue;
        any = 1;
        if (FT_HAS(fh, FT_TLV_CAP_START) && (!have_start || fh->cap_start < start))
            start = fh->cap_start, have_start = 1;
        if (FT_HAS(fh, FT_TLV_CAP_END) && (!have_end || fh->cap_end > end))
            end = fh->cap_end, have_end = 1;
        if (!selected(f, o))
            continue;
        count += fh->flow_count;
        lost += fh->flow_lost;
        corrupt += fh->pkt_corrupt;
        if (fh->hostname)
            ft_header_set_str(h, FT_TLV_CAP_HOSTNAME, fh->hostname);
        if (fh->comments)
            ft_header_set_str(h, FT_TLV_COMMENTS, fh->comments);
        if (FT_HAS(fh, FT_TLV_EXPORTER_IP))
            ft_header_set_u32(h, FT_TLV_EXPORTER_IP, fh->exporter_ip);
        if (FT_HAS(fh, FT_TLV_ROT_SCHEDULE))
            ft_header_set_u32(h, FT_TLV_ROT_SCHEDULE, fh->rot_schedule);
        if (FT_HAS(fh, FT_TLV_SEQ_RESET))
            ft_header_set_u32(h, FT_TLV_SEQ_RESET, fh->seq_reset);
        if (FT_HAS(fh, FT_TLV_FLOW_MISORDERED))
            ft_header_set_u32(h, FT_TLV_FLOW_MISORDERED, fh->flow_misordered);
        if (FT_HAS(fh, FT_TLV_VENDOR)) {
            h->vendor = fh->vendor;
            FT_SET(h, FT_TLV_VENDOR);
        }
    }
    if (!any)
        return;
    if (have_start)
        ft_header_set_u32(h, FT_TLV_CAP_START, start);
    if (have_end)
        ft_header_set_u32(h, FT_TLV_CAP_END, end);
    ft_header_set_u32(h, FT_TLV_FLOW_COUNT, count);
    ft_header_set_u32(h, FT_TLV_FLOW_LOST, lost);
    ft_header_set_u32(h, FT_TLV_PKT_CORRUPT, corrupt);
    h->flags |= FT_HF_PRELOADED;
}

static void build_header(struct ft_header *h, const struct ft_format *fmt,
                         const struct ft_file_list *l, const struct options *o)
{
    ft_header_init(h, fmt);
    if (o->outfile) {       /* placeholders, final values written at close */
        ft_header_set_u32(h, FT_TLV_CAP_START, 0);
        ft_header_set_u32(h, FT_TLV_CAP_END, 0);
        ft_header_set_u32(h, FT_TLV_FLOW_COUNT, 0);
        ft_header_set_u32(h, FT_TLV_FLOW_LOST, 0);
        ft_header_set_u32(h, FT_TLV_PKT_CORRUPT, 0);
    }
    if (o->preload)
        preload(h, l, o);
    if (o->comment)
        ft_header_set_str(h, FT_TLV_COMMENTS, o->comment);
}

static int open_output(struct run *run, const struct ft_format *fmt,
                       const struct ft_file_list *l, const struct options *o)
{
    struct ft_header h;
    struct ft_err err;
    const char *name = o->outfile ? o->outfile : "stdout";
    run->out_fd = STDOUT_FILENO;
    if (o->outfile && (run->out_fd = open(o->outfile, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0) {
        ft_warn("%s: %s", o->outfile, strerror(errno));
        return -1;
    }
    build_header(&h, fmt, l, o);
    run->w = ft_writer_open(run->out_fd, name, &h, &o->out, &err);
    if (!run->w) {
        ft_warn("%s", err.msg);
        return -1;
    }
    run->fmt = fmt;
    return 0;
}

/* ---- copying ------------------------------------------------------------ */

static bool same_format(const struct ft_format *a, const struct ft_format *b)
{
    return a->d_version == b->d_version && (a->d_version != 8 || a->agg_method == b->agg_method);
}

/* Records stored as the output stores them: copied without decoding. */
static int copy_raw(struct ft_reader *r, struct run *run)
{
    const uint8_t *recs;
    ssize_t n = 0;
    int order = ft_reader_order(r);
    while (!ft_stop_requested && (n = ft_reader_raw(r, &recs, BATCH)) > 0) {
        if (ft_writer_write_raw(run->w, recs, (size_t)n, order) < 0)
            return -2;
    }
    return ft_stop_requested ? 0 : (int)n;
}

/* The same, with the records the second thread read. */
static int copy_raw_ahead(struct files_ahead *a, struct ahead_file *f, struct run *run)
{
    const uint8_t *recs;
    ssize_t n = 0;
    while (!ft_stop_requested && (n = files_ahead_raw(a, f, &recs)) > 0) {
        if (ft_writer_write_raw(run->w, recs, (size_t)n, f->order) < 0)
            return -2;
    }
    return ft_stop_requested ? 0 : (int)n;
}

/* Records of another format (-V): decoded and encoded again. */
static int copy_converted(struct ft_reader *r, struct run *run)
{
    static struct ft_flow flows[BATCH];
    ssize_t n = 0;
    uint64_t before = ft_writer_losses(run->w);
    while (!ft_stop_requested && (n = ft_reader_read(r, flows, BATCH)) > 0) {
        if (ft_writer_write(run->w, flows, (size_t)n) < 0)
            return -2;
        run->converted += (uint64_t)n;
    }
    run->lossy += ft_writer_losses(run->w) - before;
    return ft_stop_requested ? 0 : (int)n;
}

/* The header values an -o output is rewritten with. */
static void account_header(struct run *run, const struct ft_header *h)
{
    if (FT_HAS(h, FT_TLV_CAP_START) && (!run->have_start || h->cap_start < run->start)) {
        run->start = h->cap_start;
        run->have_start = 1;
    }
    if (FT_HAS(h, FT_TLV_CAP_END) && (!run->have_end || h->cap_end > run->end)) {
        run->end = h->cap_end;
        run->have_end = 1;
    }
    run->lost += h->flow_lost;
    run->corrupt += h->pkt_corrupt;
}

static struct ft_reader *open_input(const struct ft_file *f, struct ft_err *err)
{
    if (f->has & FT_FILE_STDIN)
        return ft_reader_open(STDIN_FILENO, "stdin", 0, err);
    return ft_reader_open_path(f->path, err);
}

/*
 * Copy one input: opened here, or by the second thread when `ahead` is
 * given (its files are the selected ones, in this order).
 */
static void cat_one(const struct ft_file *f, struct run *run, const struct ft_file_list *l,
                    const struct options *o, struct files_ahead *ahead)
{
    struct ft_err err;
    struct ahead_file *af = NULL;
    struct ft_reader *r;
    if (ahead) {
        af = files_ahead_next_file(ahead);
        r = af->r;
        err = af->err;
    } else {
        r = open_input(f, &err);
    }
    int rc = 0;
    bool copied = false;
    const struct ft_format *in = r ? ft_reader_format(r) : NULL;
    if (!r) {
        ft_warn("%s", err.msg);
        run->failed = 1;
    } else if (!run->w && open_output(run, o->convert_to ? o->convert_to : in, l, o) < 0) {
        run->failed = run->fatal = 1;
    } else if (same_format(in, run->fmt)) {
        rc = af ? copy_raw_ahead(ahead, af, run) : copy_raw(r, run);
        copied = true;
    } else if (o->convert_to) {
        rc = copy_converted(r, run);
        copied = true;
    } else {
        ft_warn("%s: data version or sub version changed! (%s after %s; -V converts)",
                f->path, in->name, run->fmt->name);
        run->failed = run->fatal = 1;
    }
    if (af)     /* the thread leaves r: its header and error are final */
        files_ahead_done(ahead, af);
    if (copied) {
        run->streams++;
        account_header(run, ft_reader_header(r));
        if (rc == -1) {             /* damaged: what came before it was copied */
            ft_warn("%s", ft_reader_error(r));
            run->failed = 1;
        } else if (rc == -2) {
            ft_warn("%s", ft_writer_error(run->w));
            run->failed = run->fatal = 1;
        }
    }
    if (r)
        ft_reader_close(r);
}

static void finish_output(struct run *run, const struct options *o)
{
    struct ft_err err;
    if (!run->w)
        return;
    if (o->outfile) {
        struct ft_header *h = ft_writer_header(run->w);
        if (!(h->flags & FT_HF_PRELOADED)) {
            ft_header_set_u32(h, FT_TLV_CAP_START, run->start);
            ft_header_set_u32(h, FT_TLV_CAP_END, run->end);
            ft_header_set_u32(h, FT_TLV_FLOW_LOST, run->lost);
            ft_header_set_u32(h, FT_TLV_PKT_CORRUPT, run->corrupt);
        }
        ft_header_set_u32(h, FT_TLV_FLOW_COUNT, (uint32_t)ft_writer_count(run->w));
    }
    uint64_t written = ft_writer_count(run->w);
    if (ft_writer_close(run->w, &err) < 0) {
        ft_warn("%s", err.msg);
        run->failed = 1;
    }
    if (o->outfile && close(run->out_fd) < 0) {
        ft_warn("%s: %s", o->outfile, strerror(errno));
        run->failed = 1;
    }
    if (run->lossy)
        ft_warn("%" PRIu64 " of %" PRIu64 " converted records did not fit "
                "the %s format entirely", run->lossy, run->converted,
                run->fmt->name);
    if (o->debug > 0)
        ft_warn("%d streams, %" PRIu64 " records written",
                run->streams, written);
}

/* The selected files' paths, in order, for the second thread. */
static const char **ahead_paths;

/*
 * Read the selected files ahead on a second thread (not with -V: the thread
 * hands out raw records).  NULL when it cannot start: cat_one then opens
 * each file itself.
 */
static struct files_ahead *start_ahead(const struct ft_file_list *l, const struct options *o)
{
    size_t n = 0;
    if (!(ahead_paths = calloc(l->n ? l->n : 1, sizeof *ahead_paths)))
        return NULL;
    for (size_t i = 0; i < l->n; i++) {
        const struct ft_file *f = &l->files[i];
        if (selected(f, o))
            ahead_paths[n++] = f->has & FT_FILE_STDIN ? NULL : f->path;
    }
    return files_ahead_start(ahead_paths, n, BATCH);
}

int main(int argc, char **argv)
{
    struct options o;
    struct ft_file_list l;
    struct run run;
    ft_progname = "flow-cat";
    parse_options(argc, argv, &o);
    memset(&run, 0, sizeof run);
    ft_catch_stop_signals();

    run.failed |= ft_prog_file_list(&l, argc - optind, argv + optind, o.file_flags, o.global_sort);
    refuse_output_as_input(&l, &o);
    struct files_ahead *ahead = o.convert_to ? NULL : start_ahead(&l, &o);
    for (size_t i = 0; i < l.n && !run.fatal && !ft_stop_requested; i++) {
        if (selected(&l.files[i], &o))
            cat_one(&l.files[i], &run, &l, &o, ahead);
        else if (o.debug > 0 && !(l.files[i].has & FT_FILE_BAD))
            ft_warn("%s: outside the time window", l.files[i].path);
    }
    files_ahead_stop(ahead);
    finish_output(&run, &o);
    if (o.debug > 0 && l.tmp_skipped)
        ft_warn("%" PRIu64 " tmp files skipped (-a takes them)",
                l.tmp_skipped);
    free(ahead_paths);
    ft_files_free(&l);
    return run.streams == 0 || run.failed ? 1 : 0;
}
