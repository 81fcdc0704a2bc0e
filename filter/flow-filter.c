/*
 * flow-filter - keep the flows that pass Cisco-style access lists and
 * value lists given on the command line (tools.md section 8).
 *
 * -S/-D/-x name standard lists of the ACL file tested on the source,
 * destination and next-hop addresses, -E an extended list tested on the
 * whole flow; -a -A -i -I -p -P -r -t -T are value lists of one field each
 * ("1,5-9", "!" inverting), -e one exporter address.  All must pass, or
 * with -o one of them.  The criteria are lang/ft_acl.h's, the stream is
 * rewritten as flow-nfilter's is (prog/ft_rewrite.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ft_field.h"
#include "lang/ft_acl.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"
#include "ft_rewrite.h"

#ifndef FT_SYSCONFDIR
#define FT_SYSCONFDIR "/usr/local/etc"
#endif
#define DEFAULT_ACL_FILE FT_SYSCONFDIR "/cfg/flow.acl"

static void usage(void)
{
    fprintf(stderr,
            "Usage: flow-filter [-hko] [-a src_as_list] [-A dst_as_list] [-b big|little]\n"
            "       [-C comment] [-d n] [-D dst_acl_name] [-e exporter_ip]\n"
            "       [-E ext_acl_name] [-f acl_file] [-i input_if_list]\n"
            "       [-I output_if_list] [-p srcport_list] [-P dstport_list]\n"
            "       [-r protocol_list] [-S src_acl_name] [-t tos_list[/mask]]\n"
            "       [-T tcpflags_list[/mask]] [-x nexthop_acl_name] [-z level]\n");
}

/* The value-list options: the field each tests, whether it takes /mask. */
static const struct {
    char opt;
    int field;
    int mask;
} list_opts[] = {
    {'a', FT_FLD_SRC_AS, 0}, {'A', FT_FLD_DST_AS, 0}, {'i', FT_FLD_INPUT, 0},
    {'I', FT_FLD_OUTPUT, 0}, {'p', FT_FLD_SRCPORT, 0}, {'P', FT_FLD_DSTPORT, 0},
    {'r', FT_FLD_PROT, 0}, {'t', FT_FLD_TOS, 1}, {'T', FT_FLD_TCP_FLAGS, 1},
};

/* The access-list options: the address field each tests (-1: the flow). */
static const struct {
    char opt;
    int field;
} acl_opts[] = {
    {'S', FT_FLD_SRCADDR}, {'D', FT_FLD_DSTADDR}, {'x', FT_FLD_NEXTHOP}, {'E', -1},
};

#define NOPTS 16

struct options {
    struct ft_rewrite_opts out;         /* -b -C -d -k -z */
    const char *acl_file;               /* -f */
    int any;                            /* -o */
    const char *exporter;               /* -e */
    const char *acl_name[NOPTS];        /* -S -D -x -E, by acl_opts index */
    const char *list[NOPTS];            /* -a ... -T, by list_opts index */
};

static int index_of_list(int c)
{
    for (size_t i = 0; i < sizeof list_opts / sizeof list_opts[0]; i++)
        if (list_opts[i].opt == c)
            return (int)i;
    return -1;
}

static int index_of_acl(int c)
{
    for (size_t i = 0; i < sizeof acl_opts / sizeof acl_opts[0]; i++)
        if (acl_opts[i].opt == c)
            return (int)i;
    return -1;
}

static void parse_options(int argc, char **argv, struct options *o)
{
    int c, i;
    memset(o, 0, sizeof *o);
    o->acl_file = DEFAULT_ACL_FILE;
    o->out.bare_header = 1;
    while ((c = getopt(argc, argv, "a:A:b:C:d:D:e:E:f:hi:I:kop:P:r:S:t:T:x:z:")) != -1) {
        if (ft_rewrite_common_option(c, optarg, &o->out))
            continue;
        if ((i = index_of_list(c)) >= 0)
            o->list[i] = optarg;
        else if ((i = index_of_acl(c)) >= 0)
            o->acl_name[i] = optarg;
        else if (c == 'e')
            o->exporter = optarg;
        else if (c == 'f')
            o->acl_file = optarg;
        else if (c == 'o')
            o->any = 1;
        else {                          /* -h and unknown options (tools.md Q3) */
            usage();
            exit(1);
        }
    }
    ft_opt_no_extra(argc, argv);
}

/* The access lists the options name, tested as they say. */
static void add_acls(const struct options *o, struct ft_acl_filter *f, struct ft_acl_set **set)
{
    struct ft_err err;
    for (size_t i = 0; i < sizeof acl_opts / sizeof acl_opts[0]; i++) {
        const char *name = o->acl_name[i];
        if (!name)
            continue;
        if (!*set && !(*set = ft_acl_load(o->acl_file, &err)))
            ft_die("%s", err.msg);
        const struct ft_acl *acl = ft_acl_find(*set, name);
        if (!acl)
            ft_die("no access list \"%s\" in %s", name, o->acl_file);
        int rc = acl_opts[i].field < 0 ? ft_acl_filter_flow(f, acl, &err)
                                       : ft_acl_filter_addr(f, acl_opts[i].field, acl, &err);
        if (rc < 0)
            ft_die("-%c: %s", acl_opts[i].opt, err.msg);
    }
}

static struct ft_acl_filter *build_filter(const struct options *o, struct ft_acl_set **set)
{
    struct ft_err err;
    struct ft_acl_filter *f = ft_acl_filter_new(o->any);
    if (!f)
        ft_die("out of memory");
    for (size_t i = 0; i < sizeof list_opts / sizeof list_opts[0]; i++)
        if (o->list[i] &&
            ft_acl_filter_list(f, list_opts[i].field, o->list[i], list_opts[i].mask, &err) < 0)
            ft_die("-%c: %s", list_opts[i].opt, err.msg);
    if (o->exporter && ft_acl_filter_equal(f, FT_FLD_EXADDR, o->exporter, &err) < 0)
        ft_die("-e: %s", err.msg);
    add_acls(o, f, set);
    return f;
}

static size_t judge(void *f, const struct ft_flow *flows, size_t n, uint8_t *keep)
{
    return ft_acl_filter_batch(f, flows, n, keep);
}

int main(int argc, char **argv)
{
    struct options o;
    struct ft_rewrite_counts c = {0, 0};
    struct ft_acl_set *set = NULL;
    ft_progname = "flow-filter";
    parse_options(argc, argv, &o);

    struct ft_acl_filter *f = build_filter(&o, &set);
    struct ft_reader *r = ft_stdin_reader();
    const struct ft_format *fmt = ft_reader_format(r);
    if (ft_acl_filter_fields(f) & ~fmt->mask)
        ft_die("Flow record missing required field for format.");

    struct ft_writer *w = ft_rewrite_open(&o.out, fmt);
    int status = ft_rewrite_filter(r, w, judge, f, &c);
    if (ft_rewrite_close(w))
        status = 1;
    if (o.out.debug > 0)
        ft_warn("%" PRIu64 " flows read, %" PRIu64 " kept", c.read, c.kept);
    ft_reader_close(r);
    ft_acl_filter_free(f);
    ft_acl_free(set);
    ft_rewrite_free(&o.out);
    return status;
}
