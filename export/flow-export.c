/*
 * flow-export - the flow stream on standard input in another format on
 * standard output: 0 cflowd, 1 pcap, 2 ASCII CSV, 4 wire (NetFlow
 * datagrams), json (JSON lines); 3 MySQL and 5 PostgreSQL are not built
 * yet.  The formats are lib/io's; this is their command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "io/ft_io.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"

#define PROG "flow-export"

static void usage(void)
{
    fprintf(stderr,
            "Usage: " PROG " [-h] [-d debug_level] [-f format] [-m mask_fields]\n"
            "       [-u user:password:host:port:name:table]\n"
            "  -f format  0 cflowd (default), 1 pcap, 2 ASCII CSV, 4 wire, json\n"
            "             (3 MySQL and 5 PostgreSQL are not supported yet)\n"
            "  -m fields  a field mask (0x...) or a list: srcaddr,dstaddr,...\n");
}

struct options {
    const struct ft_io_format *format;
    struct ft_export_opts x;
};

static void parse_args(int argc, char **argv, struct options *o)
{
    struct ft_err err;
    int c;
    o->format = ft_io_format_find("0");
    while ((c = getopt(argc, argv, "d:f:hm:u:")) != -1) {
        switch (c) {
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
            ft_check(ft_io_parse_fields(optarg, &o->x.fields, &err), &err);
            break;
        case 'u':
            o->x.uri = optarg;
            break;
        default:
            usage();
            exit(1);
        }
    }
    ft_opt_no_extra(argc, argv);
}

/* Every flow of r through x; 0, or 1 after saying what went wrong. */
static int export_all(struct ft_reader *r, struct ft_export *x)
{
    struct ft_err err;
    const struct ft_flow *flows;
    ssize_t n;
    ft_reader_read_ahead(r, NULL);
    while ((n = ft_reader_flows(r, &flows, FT_READ_BATCH)) > 0)
        if (ft_export_flows(x, flows, (size_t)n, &err) < 0) {
            ft_warn("%s", err.msg);
            return 1;
        }
    int rc = 0;
    if (n < 0) {
        ft_warn("%s", ft_reader_error(r));
        rc = 1;
    }
    /* what is held goes out even after a damaged stream: nothing read is lost */
    if (ft_export_end(x, &err) < 0) {
        ft_warn("%s", err.msg);
        rc = 1;
    }
    return rc;
}

int main(int argc, char **argv)
{
    static struct options o;
    struct ft_err err;
    ft_progname = PROG;
    parse_args(argc, argv, &o);
    if (!o.format->exp) {
        /* as flow-tools built without the database: a warning, status 0 */
        ft_warn("%s export is not supported in this build.", o.format->title);
        return 0;
    }
    struct ft_reader *r = ft_stdin_reader();
    struct ft_out out;
    ft_stdout_text(&out);
    struct ft_export *x = ft_export_new(o.format, &o.x, ft_reader_format(r), &out, &err);
    if (!x)
        ft_die("%s", err.msg);
    int rc = export_all(r, x);
    ft_warn("Exported %llu records", (unsigned long long)ft_export_count(x));
    ft_export_free(x);
    ft_out_free(&out);
    ft_reader_close(r);
    return rc;
}
