/*
 * ft_rewrite.h - what the stream-rewriting tools (flow-nfilter, flow-tag)
 * share: their command line (a configuration file, a definition in it, and
 * the options of flow-tools' filter tools that shape the output: -b -C -d
 * -k -v -z), one stream on stdin, one on stdout.
 *
 * Program-side (it prints the usage and dies on bad options), so it lives
 * in prog/, not lib/.
 */
#ifndef FT_REWRITE_H
#define FT_REWRITE_H

#include "lang/ft_vars.h"
#include "stream/ft_stream.h"

/* How a rewriter names its configuration: flow-nfilter -f FILE -F
 * DEFINITION, flow-tag -t FILE -T DEFINITION, flow-mask -m/-M, flow-xlate
 * -x/-X (tools.md sections 9-12). */
struct ft_rewrite_tool {
    char file_opt, definition_opt;  /* the option letters */
    const char *file_arg;           /* the file's name in the usage: "filter_file" */
    const char *file;               /* the default file */
    const char *definition;         /* the default definition, or NULL for none */
};

/* Options of a tool's own (flow-xlate -n -V): getopt letters ("nV:"),
 * flags shown beside -hk ("n"), the usage of those taking a value
 * ("[-V version]"), and the callback that takes them (dying on a bad
 * value itself). */
struct ft_rewrite_more {
    const char *opts, *flags, *usage;
    void (*option)(void *ctx, int c, const char *arg);
    void *ctx;
};

struct ft_rewrite_opts {
    const char *file;           /* -f, -t */
    const char *definition;     /* -F, -T */
    const char *comment;        /* -C */
    int keep_times;             /* -k */
    int debug;                  /* -d */
    struct ft_vars vars;        /* -v */
    struct ft_write_opts out;   /* -b, -z */
    int bare_header;            /* no capture start/end or flow count without -k
                                 * (flow-filter's header) */
};

/*
 * The command line of the rewriter t into *o.  -h and unknown options print
 * the usage and exit 1 (tools.md Q3); a bad value or an extra argument dies
 * with the original's message.  Free o with ft_rewrite_free.
 */
void ft_rewrite_options(int argc, char **argv, const struct ft_rewrite_tool *t,
                        struct ft_rewrite_opts *o);
/* The same with the tool's own options as well (more may be NULL). */
void ft_rewrite_options_more(int argc, char **argv, const struct ft_rewrite_tool *t,
                             const struct ft_rewrite_more *more, struct ft_rewrite_opts *o);
void ft_rewrite_free(struct ft_rewrite_opts *o);

/*
 * A writer on stdout with the header flow-tools' filter tools write:
 * capture start/end and flow count present but 0 (their values are never
 * computed, tools.md Q1/Q2), PRELOADED with -k, the comment with -C, the
 * byte order of -b.  With bare_header and without -k the three are left
 * out, as flow-filter leaves them.  Dies when the writer cannot be opened.
 */
struct ft_writer *ft_rewrite_open(const struct ft_rewrite_opts *o, const struct ft_format *fmt);

/* Close the writer: 0, or 1 (the exit status) after saying why it failed. */
int ft_rewrite_close(struct ft_writer *w);

/* One of the options every rewriter has (-b -C -d -k -v -z) into *o: 1
 * when c was one (dies with the original's message on a bad value), 0
 * when it was not (flow-filter parses its own command line). */
int ft_rewrite_common_option(int c, const char *arg, struct ft_rewrite_opts *o);

/* Sets keep[i] for each of the n flows to keep; returns how many. */
typedef size_t (*ft_rewrite_judge)(void *ctx, const struct ft_flow *flows, size_t n,
                                   uint8_t *keep);

struct ft_rewrite_counts {
    uint64_t read, kept;
};

/*
 * Copies the flows judge keeps from r to w, counting them in *c.  The
 * records are judged decoded but copied as they were stored, so a filter
 * never changes a byte of the flows it keeps; only stream-version-1 input,
 * which has no raw form, is written from the decoded flows.  0, or 1 (the
 * exit status) after saying why: damaged input (what came before it is
 * written) or a failed write.
 */
int ft_rewrite_filter(struct ft_reader *r, struct ft_writer *w, ft_rewrite_judge judge,
                      void *ctx, struct ft_rewrite_counts *c);
/* The fields of format `in` that `out` has no room for, which a rewriter
 * writing `out` leaves out on purpose (none from ftkit's extended format,
 * whose every field counts). */
uint64_t ft_rewrite_dropped(const struct ft_format *in, const struct ft_format *out);

/* What a rewriter does to each batch of flows, in place. */
typedef void (*ft_rewrite_fn)(void *ctx, struct ft_flow *flows, size_t n);

/*
 * Copy every flow of r to w, decoded, through change(ctx, ...) (NULL:
 * unchanged), with the fields `dropped` cleared.  Says on stderr what went
 * wrong (a damaged input, whose flows before the damage are written; a
 * failed write) and how many flows lost information in w's format.
 * Returns 0 or 1 (the exit status so far); *flows counts the flows written.
 */
int ft_rewrite_copy(struct ft_reader *r, struct ft_writer *w, uint64_t dropped,
                    ft_rewrite_fn change, void *ctx, uint64_t *flows);

#endif
