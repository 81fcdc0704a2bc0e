/*
 * flow-import - flows in another format on standard input as a flow stream
 * of version -V on standard output: 0 cflowd, 1 pcap, 2 ASCII CSV, 4 wire,
 * json; everything flow-export writes.  The formats are lib/io's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "io/ft_io.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"

#define PROG "flow-import"
#define BATCH 1024

static void usage(void)
{
    fprintf(stderr,
            "Usage: " PROG " [-h] [-b big|little] [-d debug_level] [-f format]\n"
            "       [-m mask_fields] -V version [-z z_level]\n"
            "  -f format  0 cflowd (default), 1 pcap, 2 ASCII CSV, 4 wire, json\n"
            "  -m fields  CSV columns of input without a \"#:\" header\n"
            "  -V version the stream's: 1, 5, 6, 7, 8.1-8.14, extended\n");
}

struct options {
    const struct ft_io_format *format;
    struct ft_import_opts im;
    struct ft_write_opts out;
};

static void parse_args(int argc, char **argv, struct options *o)
{
    struct ft_err err;
    int c;
    o->format = ft_io_format_find("0");
    while ((c = getopt(argc, argv, "b:d:f:hm:V:z:")) != -1) {
        switch (c) {
        case 'b':
            o->out.byte_order = ft_opt_byte_order(optarg);
            break;
        case 'd':
            break;              /* accepted; nothing to debug */
        case 'f':
            if (!(o->format = ft_io_format_find(optarg)))
                ft_die("No such format, %s", optarg);
            break;
        case 'h':
            usage();
            exit(0);
        case 'm':
            ft_check(ft_io_parse_fields(optarg, &o->im.fields, &err), &err);
            break;
        case 'V':
            if (!(o->im.format = ft_format_parse(optarg)))
                ft_die("Version scan failed");
            break;
        case 'z':
            ft_check(ft_parse_compression(optarg, &o->out, &err), &err);
            break;
        default:
            usage();
            exit(1);
        }
    }
    ft_opt_no_extra(argc, argv);
    if (!o->im.format)
        ft_die("Must specify export version to store flows (-V).");
}

static struct ft_writer *open_output(const struct options *o)
{
    struct ft_header h;
    struct ft_err err;
    ft_header_init(&h, o->im.format);
    if (o->out.byte_order)
        h.byte_order = (uint8_t)o->out.byte_order;
    ft_header_set_str(&h, FT_TLV_CAP_HOSTNAME, PROG);
    ft_header_set_str(&h, FT_TLV_COMMENTS, PROG);
    struct ft_writer *w = ft_writer_open(STDOUT_FILENO, "stdout", &h, &o->out, &err);
    if (!w)
        ft_die("%s", err.msg);
    return w;
}

/* Every flow of im into w; 0, or 1 after saying what went wrong (the flows
 * before the damage are written). */
static int import_all(struct ft_import *im, struct ft_writer *w)
{
    static struct ft_flow flows[BATCH];
    struct ft_err err;
    long n;
    while ((n = ft_import_read(im, flows, BATCH, &err)) > 0)
        if (ft_writer_write(w, flows, (size_t)n) < 0) {
            ft_warn("%s", ft_writer_error(w));
            return 1;
        }
    if (n < 0) {
        ft_warn("%s", err.msg);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct options o;
    struct ft_err err;
    ft_progname = PROG;
    parse_args(argc, argv, &o);
    struct ft_import *im = ft_import_open(o.format, &o.im, STDIN_FILENO, "stdin", &err);
    if (!im)
        ft_die("%s", err.msg);
    struct ft_writer *w = open_output(&o);
    if (o.im.format->d_version == 1005) {
        /* flow-tools writes the header, then finds it has no v1005 records
         * to make (status 255); kept so scripts see what they saw */
        ft_writer_close(w, &err);
        ft_import_free(im);
        ft_warn("Cannot import into %s records.", o.im.format->name);
        return 255;
    }
    int rc = import_all(im, w);
    if (ft_writer_close(w, &err) < 0) {
        ft_warn("%s", err.msg);
        rc = 1;
    }
    if (ft_import_skipped(im))
        ft_warn("skipped %llu datagrams that were no NetFlow",
                (unsigned long long)ft_import_skipped(im));
    ft_warn("Imported %llu records.", (unsigned long long)ft_import_count(im));
    /* flow-tools ends a complete cflowd import with status 255 */
    if (rc == 0 && o.format->number == 0)
        rc = 255;
    ft_import_free(im);
    return rc;
}
