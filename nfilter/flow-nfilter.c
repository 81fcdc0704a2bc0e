/*
 * flow-nfilter - keep the flows a filter definition permits.
 *
 * Reads one stream on standard input, writes one on standard output.  The
 * records are judged decoded (lib/ft_filter.h) but copied as they were
 * stored, so a filter never changes a byte of the flows it keeps; only
 * stream-version-1 input, which has no raw form, is written from the
 * decoded flows.
 */
#include <inttypes.h>
#include <stdio.h>

#include "lang/ft_filter.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"
#include "ft_rewrite.h"

#ifndef FT_SYSCONFDIR
#define FT_SYSCONFDIR "/usr/local/etc"
#endif

#define BATCH 4096              /* records judged per read */

/* -f FILE -F DEFINITION (tools.md section 9). */
static const struct ft_rewrite_tool nfilter = {
    'f', 'F', "filter_file", FT_SYSCONFDIR "/cfg/filter.cfg", "default"
};

struct counts {
    uint64_t read, kept;
};

static void print_warning(void *ctx, const char *msg)
{
    (void)ctx;
    ft_warn("%s", msg);
}

/* Raw records: decode a batch to judge it, copy the runs of kept records. */
static int filter_raw(struct ft_reader *r, struct ft_writer *w, struct ft_filter_def *def,
                      struct counts *c)
{
    static struct ft_flow flows[BATCH];
    static uint8_t keep[BATCH];
    const struct ft_format *fmt = ft_reader_format(r);
    int order = ft_reader_order(r);
    size_t rs = fmt->rec_size;
    const uint8_t *recs;
    ssize_t n;
    while ((n = ft_reader_raw(r, &recs, BATCH)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            ft_rec_decode(fmt, order, recs + (size_t)i * rs, &flows[i]);
        c->kept += ft_filter_batch(def, flows, (size_t)n, keep);
        c->read += (uint64_t)n;
        for (size_t i = 0; i < (size_t)n;) {
            size_t run = 0;
            while (i + run < (size_t)n && keep[i + run])
                run++;
            if (run && ft_writer_write_raw(w, recs + i * rs, run, order) < 0)
                return -2;
            i += run ? run : 1;
        }
    }
    return (int)n;
}

/* Stream-version-1 input: judged and written decoded. */
static int filter_decoded(struct ft_reader *r, struct ft_writer *w, struct ft_filter_def *def,
                          struct counts *c)
{
    static struct ft_flow flows[BATCH];
    ssize_t n;
    while ((n = ft_reader_read(r, flows, BATCH)) > 0) {
        size_t kept = ft_filter_compact(def, flows, (size_t)n);
        c->read += (uint64_t)n;
        c->kept += kept;
        if (kept && ft_writer_write(w, flows, kept) < 0)
            return -2;
    }
    return (int)n;
}

static struct ft_filter *load_filter(const struct ft_rewrite_opts *o)
{
    struct ft_filter_opts fo = {.vars = &o->vars, .symdir = ft_prog_symdir(),
                                .warn = print_warning};
    struct ft_err err;
    struct ft_filter *f = ft_filter_load(o->file, &fo, &err);
    if (!f)
        ft_die("%s", err.msg);
    return f;
}

int main(int argc, char **argv)
{
    struct ft_rewrite_opts o;
    struct counts c = {0, 0};
    ft_progname = "flow-nfilter";
    ft_rewrite_options(argc, argv, &nfilter, &o);

    struct ft_filter *filter = load_filter(&o);
    struct ft_reader *r = ft_stdin_reader();
    struct ft_filter_def *def = ft_filter_find(filter, o.definition);
    if (!def)
        ft_die("ftfil_def_find(): failed: no filter definition \"%s\" in %s",
               o.definition, o.file);
    const struct ft_format *fmt = ft_reader_format(r);
    if (ft_filter_def_fields(def) & ~fmt->mask)
        ft_die("Filter references a field not in flow.");

    struct ft_writer *w = ft_rewrite_open(&o, fmt);
    struct ft_err err;      /* column blocks decoded on every core; without, on this one */
    ft_reader_parallel(r, 0, &err);

    int rc = ft_reader_header(r)->s_version == 1 ? filter_decoded(r, w, def, &c)
                                                  : filter_raw(r, w, def, &c);
    int status = 0;
    if (rc == -1) {             /* damaged input: what came before it is written */
        ft_warn("%s", ft_reader_error(r));
        status = 1;
    } else if (rc == -2) {
        ft_warn("%s", ft_writer_error(w));
        status = 1;
    }
    if (ft_rewrite_close(w))
        status = 1;
    if (o.debug > 0)
        ft_warn("%" PRIu64 " flows read, %" PRIu64 " kept", c.read, c.kept);
    ft_reader_close(r);
    ft_filter_free(filter);
    ft_rewrite_free(&o);
    return status;
}
