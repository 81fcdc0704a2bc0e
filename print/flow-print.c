/*
 * flow-print - print the flows of the stream on standard input as text.
 *
 * Formats 0..24 are flow-tools' (print-formats.md); -f json and -f csv are
 * ftkit's machine-readable forms.  The work is in lib/ft_print.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "text/ft_print.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"

#define PROG "flow-print"

static void usage(void)
{
    fprintf(stderr,
            "Usage: " PROG " [-hlnpw] [-c comment_char] [-d debug_level] [-f format]\n"
            "  -f format  0..24 (flow-tools layouts), json or csv;\n"
            "             default by the stream's version (3 for v1/v5)\n"
            "  -n         symbolic names for protocols, ports, AS numbers and tags\n"
            "  -w         wide columns\n"
            "  -p         print the stream header first\n"
            "  -c char    comment character of the header (default #)\n"
            "  -l         write out every line at once (unbuffered)\n"
            "  -d level   debug level\n"
            "  -h         this help\n");
}

static int parse_args(int argc, char **argv, struct ft_print_opts *o)
{
    int c;
    while ((c = getopt(argc, argv, "c:d:f:hlnpw")) != -1) {
        switch (c) {
        case 'c':
            o->comment = optarg[0];
            break;
        case 'd':
            break;              /* accepted for compatibility; nothing to debug */
        case 'f':
            if (ft_print_parse_format(optarg, &o->format) != 0) {
                ft_warn("No such format, %s", optarg);
                return 1;
            }
            break;
        case 'h':
            usage();
            exit(0);
        case 'l':
            o->line_flush = 1;
            break;
        case 'n':
            o->names = 1;
            break;
        case 'p':
            o->stream_header = 1;
            break;
        case 'w':
            o->wide = 1;
            break;
        default:
            usage();
            return 1;
        }
    }
    if (optind < argc) {
        ft_warn("Extra arguments starting with %s.", argv[optind]);
        return 1;
    }
    return 0;
}

/*
 * Print every record; 0, or 1 on a damaged stream or a write error.  The
 * reader reads ahead (a second thread inflates and decodes while this one
 * formats), so that printing costs about as much as inflating alone.
 */
static int print_records(struct ft_reader *r, struct ft_printer *pr, struct ft_out *out)
{
    ft_reader_read_ahead(r, NULL);  /* without it, reading is this thread's */
    const struct ft_flow *flows;
    ssize_t n = 0;
    while (!out->error && (n = ft_reader_flows(r, &flows, FT_READ_BATCH)) > 0)
        ft_print_flows(pr, out, flows, (size_t)n);
    ft_out_flush(out);
    if (n < 0) {
        ft_warn("%s", ft_reader_error(r));
        return 1;
    }
    if (out->error) {
        ft_warn("write error: %s", strerror(out->error));
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct ft_print_opts opts = { .format = FT_PRINT_DEFAULT, .comment = '#',
                                  .symdir = ft_prog_symdir() };
    ft_progname = PROG;
    if (parse_args(argc, argv, &opts) != 0)
        return 1;
    if (opts.format != FT_PRINT_DEFAULT && opts.format != FT_PRINT_JSON &&
        opts.format != FT_PRINT_CSV && opts.format >= FT_PRINT_NFORMATS) {
        ft_warn("No such format, %d", opts.format);
        return 1;
    }

    struct ft_err err;
    struct ft_reader *r = ft_stdin_reader();
    enum ft_print_error why;
    struct ft_printer *pr = ft_printer_new(&opts, ft_reader_format(r), &why, &err);
    if (!pr) {
        ft_warn("%s", err.msg);
        ft_reader_close(r);
        return why == FT_PRINT_EFIELDS ? 255 : 1;
    }

    struct ft_out out;
    ft_stdout_text(&out);
    ft_print_begin(pr, &out, ft_reader_header(r));
    int rc = print_records(r, pr, &out);
    if (ft_printer_bogus(pr) > 0)
        ft_warn("Ignoring %llu bogus flows with dPkts=0",
                (unsigned long long)ft_printer_bogus(pr));
    ft_out_free(&out);
    ft_printer_free(pr);
    ft_reader_close(r);
    return rc;
}
