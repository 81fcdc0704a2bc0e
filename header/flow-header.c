/*
 * flow-header - print the header of the flow stream on standard input
 * (the block of print-formats.md section 4; lib/ft_header_text.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "ft_print.h"
#include "ft_stream.h"

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
    if (optind < argc) {
        fprintf(stderr, PROG ": Extra arguments starting with %s.\n", argv[optind]);
        return 1;
    }

    struct ft_err err;
    struct ft_reader *r = ft_reader_open(STDIN_FILENO, "stdin", 0, &err);
    if (!r) {
        fprintf(stderr, PROG ": %s\n", err.msg);
        return 1;
    }
    struct ft_out out;
    if (ft_out_init(&out, STDOUT_FILENO, 0) != 0) {
        fprintf(stderr, PROG ": out of memory\n");
        ft_reader_close(r);
        return 1;
    }
    ft_header_print(&out, ft_reader_header(r), comment);
    int rc = ft_out_flush(&out) == 0 ? 0 : 1;
    if (rc)
        fprintf(stderr, PROG ": write error: %s\n", strerror(out.error));
    ft_out_free(&out);
    ft_reader_close(r);
    return rc;
}
