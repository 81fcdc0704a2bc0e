/*
 * flow-split - cut one flow stream into files by flow count, by time, or
 * into one series of files per source or destination tag (tools.md 13).
 *
 * Files are named BASE.ID, or BASE.TAG.ID with -g/-G, ID counting from 0
 * in each series.  Each is written under a tmp- name beside its final name
 * and renamed when it is complete, with its header rewritten: capture
 * start/end and flow count (DONE set).  So a final name never holds a
 * half-written file, and a damaged input leaves every file up to the
 * damage finished and named.
 *
 * Records are judged decoded but copied as they were stored (the byte
 * order of -b aside), as flow-nfilter does; stream-version-1 input, which
 * has no raw form, is written from the decoded flows.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ft_field.h"
#include "stream/ft_stream.h"
#include "text/ft_sym.h"
#include "ft_prog.h"

#define BATCH 4096              /* records read at once */
#define BASENAME_MAX 231        /* flow-tools refuses longer base names */
/* Series (tag values) remembered at most: each keeps its next file id, so
 * a tag seen again never overwrites its earlier files. */
#define SERIES_LIMIT (1u << 20)
/* Files open at once.  With more tag series than this the least recently
 * written one is finished early and continues in its next file. */
#define OPEN_LIMIT 256

struct split_opts {
    const char *base;           /* -o */
    const char *comment;        /* -C */
    uint64_t max_flows;         /* -N, 0: no limit */
    int64_t max_secs;           /* -T, 0: no limit */
    const struct ft_field *tag; /* -g: src_tag row, -G: dst_tag row, NULL */
    int names;                  /* -n */
    int debug;                  /* -d */
    struct ft_write_opts out;   /* -b, -z */
};

/* One output series: the files of one tag value (or the only series). */
struct series {
    uint32_t tag;
    char *label;                /* ".TAG" in file names, "" without tags */
    unsigned next_id;           /* id of the next file */
    struct ft_writer *w;        /* the open file, or NULL */
    int fd;
    char *tmp_name, *final_name;
    uint32_t start_secs;        /* header capture start; 0: first flow sets it */
    uint32_t last_secs;         /* unix_secs of the last flow written */
    uint64_t flows;             /* in the open file */
    uint64_t last_use;          /* flow number of its last write (eviction) */
};

/* The series by tag value: open addressing, grown by doubling. */
struct split {
    const struct split_opts *opt;
    const struct ft_format *fmt;
    struct ft_sym *tag_names;   /* -n, NULL without or when unreadable */
    struct series **slots;
    size_t cap, count;
    struct series *last;        /* the series of the previous flow */
    size_t open;                /* files open now */
    uint64_t flows, files, evicted;
};

static void usage(void)
{
    fprintf(stderr,
            "Usage: flow-split [-gGhn] [-b big|little] [-C comment] [-d n] [-N nflows]\n"
            "                  [-o basename] [-T seconds] [-z level]\n");
    exit(1);
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p)
        ft_die("out of memory");
    return p;
}

static char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p)
        ft_die("out of memory");
    return p;
}

static void parse_options(int argc, char **argv, struct split_opts *o)
{
    struct ft_err err;
    int c, src = 0, dst = 0;
    memset(o, 0, sizeof *o);
    o->base = "split";
    /* flow-tools compresses at zlib's default level unless -z says (Q5). */
    o->out.comp = FT_COMP_ZLIB;
    o->out.level = 6;
    while ((c = getopt(argc, argv, "b:C:d:gGhnN:o:T:z:")) != -1) {
        switch (c) {
        case 'b': o->out.byte_order = ft_opt_byte_order(optarg); break;
        case 'C': o->comment = optarg; break;
        case 'd': o->debug = atoi(optarg); break;
        case 'g': src = 1; break;
        case 'G': dst = 1; break;
        case 'n': o->names = 1; break;
        case 'N': o->max_flows = (uint64_t)ft_opt_long(optarg, 0, INT64_MAX, "flow count"); break;
        case 'o': o->base = optarg; break;
        case 'T': o->max_secs = ft_opt_long(optarg, 0, UINT32_MAX, "seconds"); break;
        case 'z':
            if (ft_parse_compression(optarg, &o->out, &err) < 0)
                ft_die("%s", err.msg);
            break;
        default: usage();
        }
    }
    ft_opt_no_extra(argc, argv);
    if (src && dst)
        ft_die("Split on destination or source.");
    if (src)
        o->tag = &ft_fields[FT_FLD_SRC_TAG];
    if (dst)
        o->tag = &ft_fields[FT_FLD_DST_TAG];
    if (strlen(o->base) > BASENAME_MAX)
        ft_die("Base name longer than %d characters.", BASENAME_MAX);
}

/* ---- series -------------------------------------------------------------- */

static size_t slot_of(uint32_t tag, size_t cap)
{
    return (size_t)((tag * 2654435761u) & (cap - 1));
}

static void grow(struct split *sp)
{
    size_t cap = sp->cap ? sp->cap * 2 : 64;
    struct series **slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < sp->cap; i++) {
        struct series *s = sp->slots[i];
        if (!s)
            continue;
        size_t j = slot_of(s->tag, cap);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = s;
    }
    free(sp->slots);
    sp->slots = slots;
    sp->cap = cap;
}

/* The label of a tag in file names: ".NAME" (-n, when tag.sym names it)
 * or ".DECIMAL".  A '/' in a name would make a directory of it. */
static char *tag_label(const struct split *sp, uint32_t tag)
{
    char buf[FT_SYM_NAME_MAX + 2];
    buf[0] = '.';
    ft_sym_format(sp->tag_names, tag, buf + 1, sizeof buf - 1);
    for (char *p = buf; *p; p++)
        if (*p == '/')
            *p = '_';
    return xstrdup(buf);
}

static struct series *new_series(struct split *sp, uint32_t tag)
{
    struct series *s = xcalloc(1, sizeof *s);
    s->tag = tag;
    s->label = sp->opt->tag ? tag_label(sp, tag) : xstrdup("");
    s->fd = -1;
    return s;
}

/* The series of a tag value, made at its first flow; NULL past the limit. */
static struct series *series_of(struct split *sp, uint32_t tag)
{
    if (sp->last && sp->last->tag == tag)
        return sp->last;
    if ((sp->count + 1) * 2 > sp->cap)
        grow(sp);
    size_t i = slot_of(tag, sp->cap);
    while (sp->slots[i] && sp->slots[i]->tag != tag)
        i = (i + 1) & (sp->cap - 1);
    if (!sp->slots[i]) {
        if (sp->count >= SERIES_LIMIT)
            return NULL;
        sp->slots[i] = new_series(sp, tag);
        sp->count++;
    }
    return sp->last = sp->slots[i];
}

/* ---- files --------------------------------------------------------------- */

/* "DIR/tmp-NAME" for "DIR/NAME": beside the final name, so the rename
 * stays on one file system, and skipped by flow-cat unless -a. */
static char *tmp_name_of(const char *final_name)
{
    const char *slash = strrchr(final_name, '/');
    size_t dir_len = slash ? (size_t)(slash - final_name) + 1 : 0;
    size_t len = strlen(final_name) + 5;
    char *tmp = xcalloc(len, 1);
    snprintf(tmp, len, "%.*stmp-%s", (int)dir_len, final_name, final_name + dir_len);
    return tmp;
}

/* The header every file starts with: the capture start/end and flow count
 * are there from the start so that the rewrite at close fits. */
static void file_header(const struct split *sp, struct ft_header *h)
{
    ft_header_init(h, sp->fmt);
    if (sp->opt->out.byte_order)
        h->byte_order = (uint8_t)sp->opt->out.byte_order;
    ft_header_set_u32(h, FT_TLV_CAP_START, 0);
    ft_header_set_u32(h, FT_TLV_CAP_END, 0);
    ft_header_set_u32(h, FT_TLV_FLOW_COUNT, 0);
    if (sp->opt->comment)
        ft_header_set_str(h, FT_TLV_COMMENTS, sp->opt->comment);
}

/* 0, or -1 after saying why the file could not be started. */
static int open_file(struct split *sp, struct series *s)
{
    size_t len = strlen(sp->opt->base) + strlen(s->label) + 16;
    s->final_name = xcalloc(len, 1);
    snprintf(s->final_name, len, "%s%s.%u", sp->opt->base, s->label, s->next_id);
    s->tmp_name = tmp_name_of(s->final_name);
    s->fd = open(s->tmp_name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (s->fd < 0) {
        ft_warn("%s: %s", s->tmp_name, strerror(errno));
        return -1;
    }
    struct ft_header h;
    struct ft_err err;
    struct ft_write_opts wo = sp->opt->out;
    wo.rewrite = 1;
    file_header(sp, &h);
    s->w = ft_writer_open(s->fd, s->tmp_name, &h, &wo, &err);
    if (!s->w) {
        ft_warn("%s", err.msg);
        return -1;
    }
    s->flows = 0;
    s->start_secs = 0;
    sp->open++;
    return 0;
}

static void forget_file(struct series *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->w = NULL;
    free(s->tmp_name);
    free(s->final_name);
    s->tmp_name = s->final_name = NULL;
}

/* A file that failed: removed, so no partial file is left behind. */
static void drop_file(struct split *sp, struct series *s)
{
    if (s->w) {
        struct ft_err err;
        ft_writer_close(s->w, &err);
        sp->open--;
    }
    if (s->tmp_name)
        unlink(s->tmp_name);
    forget_file(s);
}

/* Finish the open file of s: header with its times and count, closed,
 * renamed to its final name.  0, or -1 after saying why (file removed). */
static int close_file(struct split *sp, struct series *s)
{
    struct ft_header *h = ft_writer_header(s->w);
    struct ft_err err;
    h->cap_start = s->start_secs;
    h->cap_end = s->last_secs;
    h->flow_count = (uint32_t)s->flows;
    int rc = ft_writer_close(s->w, &err);
    s->w = NULL;
    sp->open--;
    if (rc == 0 && close(s->fd) != 0) {
        ft_err_set(&err, "%s: %s", s->tmp_name, strerror(errno));
        rc = -1;
    }
    s->fd = -1;
    if (rc == 0 && rename(s->tmp_name, s->final_name) != 0) {
        ft_err_set(&err, "cannot rename %s to %s: %s", s->tmp_name, s->final_name,
                   strerror(errno));
        rc = -1;
    }
    if (rc < 0) {
        ft_warn("%s (%s not written)", err.msg, s->final_name);
        unlink(s->tmp_name);
    }
    forget_file(s);
    s->next_id++;
    sp->files += rc == 0;
    return rc;
}

/* With OPEN_LIMIT files open, finish the one written least recently. */
static int make_room(struct split *sp)
{
    struct series *oldest = NULL;
    for (size_t i = 0; i < sp->cap; i++) {
        struct series *s = sp->slots[i];
        if (s && s->w && (!oldest || s->last_use < oldest->last_use))
            oldest = s;
    }
    sp->evicted++;
    return oldest ? close_file(sp, oldest) : 0;
}

static int close_all(struct split *sp)
{
    int rc = 0;
    for (size_t i = 0; i < sp->cap; i++)
        if (sp->slots[i] && sp->slots[i]->w && close_file(sp, sp->slots[i]) < 0)
            rc = -1;
    return rc;
}

static void free_all(struct split *sp)
{
    for (size_t i = 0; i < sp->cap; i++) {
        struct series *s = sp->slots[i];
        if (!s)
            continue;
        drop_file(sp, s);
        free(s->label);
        free(s);
    }
    free(sp->slots);
    ft_sym_free(sp->tag_names);
}

/* ---- the flows ----------------------------------------------------------- */

/*
 * One flow into its series: raw (rec, in byte order `order`) when the input
 * has raw records, else decoded.  As in flow-tools, the flow that passes
 * the -T limit still goes into the file it ends, and that file's capture
 * start becomes the flow's time.  0, or -1 after saying why.
 */
static int split_flow(struct split *sp, const struct ft_flow *f, const uint8_t *rec,
                      int order)
{
    uint32_t tag = sp->opt->tag ? (uint32_t)ft_field_get(f, sp->opt->tag) : 0;
    struct series *s = series_of(sp, tag);
    if (!s) {
        ft_warn("more than %u tag values: stopping here", SERIES_LIMIT);
        return -1;
    }
    if (!s->w) {
        if (sp->open >= OPEN_LIMIT && make_room(sp) < 0)
            return -1;
        if (open_file(sp, s) < 0) {
            drop_file(sp, s);
            return -1;
        }
    }
    int cut = 0;
    if (!s->start_secs)
        s->start_secs = f->unix_secs;
    if (sp->opt->max_secs && (int64_t)f->unix_secs - s->start_secs > sp->opt->max_secs) {
        s->start_secs = f->unix_secs;
        cut = 1;
    }
    int rc = rec ? ft_writer_write_raw(s->w, rec, 1, order) : ft_writer_write(s->w, f, 1);
    if (rc < 0) {
        ft_warn("%s (%s not written)", ft_writer_error(s->w), s->final_name);
        drop_file(sp, s);
        return -1;
    }
    s->flows++;
    s->last_secs = f->unix_secs;
    s->last_use = ++sp->flows;
    if (sp->opt->max_flows && s->flows >= sp->opt->max_flows)
        cut = 1;
    return cut ? close_file(sp, s) : 0;
}

/* Every flow of r: 0 at the end, -1 on damage (said by the caller), -2
 * after an output failure (said). */
static int split_stream(struct split *sp, struct ft_reader *r)
{
    static struct ft_flow flows[BATCH];
    int order = ft_reader_order(r);
    size_t rs = sp->fmt->rec_size;
    ssize_t n;
    if (ft_reader_header(r)->s_version == 1) {
        while ((n = ft_reader_read(r, flows, BATCH)) > 0)
            for (ssize_t i = 0; i < n; i++)
                if (split_flow(sp, &flows[i], NULL, 0) < 0)
                    return -2;
        return (int)n;
    }
    const uint8_t *recs;
    while ((n = ft_reader_raw(r, &recs, BATCH)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            const uint8_t *rec = recs + (size_t)i * rs;
            ft_rec_decode(sp->fmt, order, rec, &flows[0]);
            if (split_flow(sp, &flows[0], rec, order) < 0)
                return -2;
        }
    }
    return (int)n;
}

static void open_tag_names(struct split *sp)
{
    struct ft_err err;
    sp->tag_names = ft_sym_open(ft_prog_symdir(), FT_SYM_TAG, &err);
    if (!sp->tag_names)
        ft_warn("%s: tags are named by number", err.msg);
}

int main(int argc, char **argv)
{
    struct split_opts o;
    struct split sp;
    ft_progname = "flow-split";
    parse_options(argc, argv, &o);
    memset(&sp, 0, sizeof sp);
    sp.opt = &o;

    struct ft_reader *r = ft_stdin_reader();
    sp.fmt = ft_reader_format(r);
    uint64_t needs = FT_F_UNIX_SECS | (o.tag ? o.tag->has : 0);
    if (needs & ~sp.fmt->mask)
        ft_die("Flow record missing required field for format.");
    if (o.tag && o.names)
        open_tag_names(&sp);

    int rc = split_stream(&sp, r);
    int status = 0;
    if (rc == -1) {             /* damaged input: the files before it are kept */
        ft_warn("%s", ft_reader_error(r));
        status = 1;
    } else if (rc == -2) {
        status = 1;
    }
    if (close_all(&sp) < 0)
        status = 1;
    if (sp.evicted)
        ft_warn("more than %d tag series open at once: %" PRIu64
                " files were finished early", OPEN_LIMIT, sp.evicted);
    if (o.debug > 0)
        ft_warn("%" PRIu64 " flows read, %" PRIu64 " files written, %zu series",
                ft_reader_count(r), sp.files, sp.count);
    free_all(&sp);
    ft_reader_close(r);
    return status;
}
