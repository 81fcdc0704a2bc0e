/*
 * ft_rewrite.h - what the stream-rewriting tools (flow-nfilter, flow-tag)
 * share: one stream on stdin, one on stdout, and the options of flow-tools'
 * filter tools that shape the output (-b -C -d -k -v -z).
 *
 * Program-side (it dies on bad options), so it lives in prog/, not lib/.
 */
#ifndef FT_REWRITE_H
#define FT_REWRITE_H

#include "lang/ft_vars.h"
#include "stream/ft_stream.h"

struct ft_rewrite_opts {
    const char *comment;        /* -C */
    int keep_times;             /* -k */
    int debug;                  /* -d */
    struct ft_vars vars;        /* -v */
    struct ft_write_opts out;   /* -b, -z */
};

/* The getopt letters handled here, for a program's own option string. */
#define FT_REWRITE_OPTSTRING "b:C:d:kv:z:"

/* Option c (with getopt's arg) if it is one of FT_REWRITE_OPTSTRING's: 1
 * when handled (dies with the original's message on a bad value), 0 when
 * the program must handle it itself.  o must start zeroed. */
int ft_opt_rewrite(int c, const char *arg, struct ft_rewrite_opts *o);

/*
 * A writer on stdout with the header flow-tools' filter tools write:
 * capture start/end and flow count present but 0 (their values are never
 * computed, tools.md Q1/Q2), PRELOADED with -k, the comment with -C, the
 * byte order of -b.  Dies when the writer cannot be opened.
 */
struct ft_writer *ft_rewrite_open(const struct ft_rewrite_opts *o, const struct ft_format *fmt);

#endif
