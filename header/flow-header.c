/*
 * flow-header - print the header of the flow stream on standard input
 * (the block of print-formats.md section 4; lib/ft_header_text.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "text/ft_print.h"
#include "stream/ft_stream.h"
#include "text/ft_text.h"
#include "ft_prog.h"

#define PROG "flow-header"

static void usage(void)
{
    fprintf(stderr,
            "Usage: " PROG " [-h] [-c comment_char] [-d debug_level]\n"
            "  -c char    comment character (default #)\n"
            "  -d level   debug level\n"
            "  -h         this help\n");
}

int main(int argc, char **argv)
{
    char comment = '#';
    int c;
    ft_progname = PROG;
    while ((c = getopt(argc, argv, "c:d:h")) != -1) {
        switch (c) {
        case 'c':
            comment = optarg[0];
            break;
        case 'd':
            break;              /* accepted for compatibility */
        case 'h':
            usage();
            return 0;
        default:
            usage();
            return 1;
        }
    }
    ft_opt_no_extra(argc, argv);

    struct ft_reader *r = ft_stdin_reader();
    struct ft_out out;
    ft_stdout_text(&out);
    ft_header_print(&out, ft_reader_header(r), comment);
    int rc = ft_out_flush(&out) == 0 ? 0 : 1;
    if (rc)
        ft_warn("write error: %s", strerror(out.error));
    ft_out_free(&out);
    ft_reader_close(r);
    return rc;
}
