/*
 * ft_io.c - the format table, -m field lists, the export and import objects
 * around the formats' operations, and the input they read through.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include "io/ft_io_int.h"

/* flow-tools' numbers first, in order; the databases have no operations
 * yet (a databases issue fills in MySQL, PostgreSQL and ClickHouse). */
const struct ft_io_format ft_io_formats[] = {
    {0, "cflowd", "cflowd", NULL, &ft_io_cflowd_export, &ft_io_cflowd_import},
    {1, "pcap", "pcap", NULL, &ft_io_pcap_export, &ft_io_pcap_import},
    {2, "ascii", "ASCII CSV", NULL, &ft_io_csv_export, &ft_io_csv_import},
    {3, "mysql", "MySQL", "Cisco NFCollector", NULL, NULL},
    {4, "wire", "wire", NULL, &ft_io_wire_export, &ft_io_wire_import},
    {5, "pgsql", "PostgreSQL", NULL, NULL, NULL},
    {-1, "json", "JSON lines", NULL, &ft_io_json_export, &ft_io_json_import},
    {-1, NULL, NULL, NULL, NULL, NULL}
};

const struct ft_io_format *ft_io_format_find(const char *arg)
{
    char *end;
    errno = 0;
    long n = strtol(arg, &end, 10);
    int numeric = *arg != '\0' && *end == '\0' && errno == 0;
    for (const struct ft_io_format *f = ft_io_formats; f->name; f++)
        if (numeric ? f->number == n : strcasecmp(f->name, arg) == 0)
            return f;
    return NULL;
}

/* ---- -m ------------------------------------------------------------------ */

static int parse_names(const char *arg, struct ft_io_fields *f, struct ft_err *err)
{
    int last = -1;
    const char *p = arg;
    for (;;) {
        size_t n = strcspn(p, ",");
        char name[64];
        if (n == 0 || n >= sizeof name)
            return ft_err_set(err, "bad field list \"%s\"", arg);
        for (size_t i = 0; i < n; i++)
            name[i] = (char)tolower((unsigned char)p[i]);
        name[n] = '\0';
        const struct ft_field *d = ft_field_by_name(name);
        if (!d)
            return ft_err_set(err, "unknown field \"%.*s\"", (int)n, p);
        /* flow-tools reads the list in the order of its field table and
         * fails on a name that comes too late */
        if ((int)d->id <= last)
            return ft_err_set(err, "field \"%.*s\" out of order (list the fields in the "
                              "order of the field table)", (int)n, p);
        if (f->n_ids == sizeof f->ids)
            return ft_err_set(err, "too many fields");
        last = d->id;
        f->ids[f->n_ids++] = d->id;
        f->mask |= d->has;
        if (p[n] == '\0')
            return 0;
        p += n + 1;
    }
}

int ft_io_parse_fields(const char *arg, struct ft_io_fields *f, struct ft_err *err)
{
    memset(f, 0, sizeof *f);
    f->given = 1;
    if (isdigit((unsigned char)arg[0])) {
        char *end;
        errno = 0;
        f->mask = strtoull(arg, &end, 0);
        if (errno || *end != '\0')
            return ft_err_set(err, "bad field mask \"%s\"", arg);
        f->numeric = 1;
        return 0;
    }
    return parse_names(arg, f, err);
}

/* ---- export -------------------------------------------------------------- */

uint64_t ft_io_export_mask(const struct ft_export *x)
{
    uint64_t m = x->opt.fields.given ? x->opt.fields.mask : ~0ULL;
    return m & x->in->mask;
}

struct ft_export *ft_export_new(const struct ft_io_format *fmt, const struct ft_export_opts *o,
                                const struct ft_format *in, struct ft_out *out,
                                struct ft_err *err)
{
    if (!fmt->exp) {
        ft_err_set(err, "%s export is not supported", fmt->title);
        return NULL;
    }
    struct ft_export *x = calloc(1, sizeof *x);
    if (!x) {
        ft_err_set(err, "out of memory");
        return NULL;
    }
    x->fmt = fmt;
    x->opt = *o;
    x->in = in;
    x->out = out;
    if (fmt->exp->begin(x, err) < 0) {
        ft_export_free(x);
        return NULL;
    }
    return x;
}

int ft_export_flows(struct ft_export *x, const struct ft_flow *flows, size_t n,
                    struct ft_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (x->fmt->exp->put(x, &flows[i], err) < 0)
            return -1;
        x->count++;
    }
    if (x->out->error)
        return ft_err_set(err, "write error: %s", strerror(x->out->error));
    return 0;
}

int ft_export_end(struct ft_export *x, struct ft_err *err)
{
    if (x->fmt->exp->end && x->fmt->exp->end(x, err) < 0)
        return -1;
    if (ft_out_flush(x->out) < 0 || x->out->error)
        return ft_err_set(err, "write error: %s", strerror(x->out->error));
    return 0;
}

uint64_t ft_export_count(const struct ft_export *x)
{
    return x->count;
}

void ft_export_free(struct ft_export *x)
{
    if (!x)
        return;
    if (x->fmt->exp->release)
        x->fmt->exp->release(x);
    ft_pdu_enc_free(x->enc);
    free(x);
}

/* ---- the input ----------------------------------------------------------- */

long ft_isrc_fill(struct ft_isrc *s, size_t n, const uint8_t **out, struct ft_err *err)
{
    while (s->end - s->start < n && !s->eof) {
        if (s->start > 0) {             /* keep the unread bytes at the front */
            memmove(s->own, s->own + s->start, s->end - s->start);
            s->end -= s->start;
            s->start = 0;
        }
        if (s->cap - s->end < FT_ISRC_CHUNK / 2) {
            size_t cap = s->cap + FT_ISRC_CHUNK;
            uint8_t *b = realloc(s->own, cap);
            if (!b)
                return ft_err_set(err, "%s: out of memory", s->name);
            s->own = b;
            s->p = b;
            s->cap = cap;
        }
        ssize_t got = read(s->fd, s->own + s->end, s->cap - s->end);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return ft_err_set(err, "%s: read: %s", s->name, strerror(errno));
        if (got == 0)
            s->eof = 1;
        s->end += (size_t)got;
    }
    *out = s->p + s->start;
    size_t have = s->end - s->start;
    return (long)(have < n ? have : n);
}

void ft_isrc_skip(struct ft_isrc *s, size_t n)
{
    s->start += n;
    s->off += n;
}

int ft_isrc_line(struct ft_isrc *s, const char **line, size_t *len, struct ft_err *err)
{
    size_t want = 1;
    for (;;) {
        const uint8_t *p;
        long have = ft_isrc_fill(s, want, &p, err);
        if (have < 0)
            return -1;
        size_t avail = s->end - s->start;
        if (avail == 0 && s->eof)
            return 0;
        const uint8_t *nl = memchr(p, '\n', avail);
        if (nl || (s->eof && avail > 0)) {
            size_t n = nl ? (size_t)(nl - p) : avail;
            if (n > FT_ISRC_LINE_MAX)
                break;
            ft_isrc_skip(s, n + (nl != NULL));
            s->line++;
            if (n > 0 && p[n - 1] == '\r')
                n--;
            *line = (const char *)p;
            *len = n;
            return 1;
        }
        if (s->eof)
            return 0;
        if (avail > FT_ISRC_LINE_MAX)
            break;
        want = avail + 1;
    }
    return ft_err_set(err, "%s line %llu: longer than %d bytes", s->name,
                      (unsigned long long)s->line + 1, FT_ISRC_LINE_MAX);
}

/* ---- import -------------------------------------------------------------- */

static struct ft_import *import_new(const struct ft_io_format *fmt, const struct ft_import_opts *o,
                                    const char *name, struct ft_err *err)
{
    if (!fmt->imp) {
        ft_err_set(err, "%s import is not supported",
                   fmt->imp_title ? fmt->imp_title : fmt->title);
        return NULL;
    }
    if (!o->format) {
        ft_err_set(err, "no stream format to import into");
        return NULL;
    }
    struct ft_import *im = calloc(1, sizeof *im);
    if (!im) {
        ft_err_set(err, "out of memory");
        return NULL;
    }
    im->fmt = fmt;
    im->opt = *o;
    im->src.name = name;
    return im;
}

struct ft_import *ft_import_open(const struct ft_io_format *fmt, const struct ft_import_opts *o,
                                 int fd, const char *name, struct ft_err *err)
{
    struct ft_import *im = import_new(fmt, o, name, err);
    if (im)
        im->src.fd = fd;
    return im;
}

struct ft_import *ft_import_open_mem(const struct ft_io_format *fmt,
                                     const struct ft_import_opts *o, const uint8_t *buf,
                                     size_t len, const char *name, struct ft_err *err)
{
    struct ft_import *im = import_new(fmt, o, name, err);
    if (im) {
        im->src.fd = -1;
        im->src.p = buf;
        im->src.end = len;
        im->src.eof = 1;
    }
    return im;
}

long ft_import_read(struct ft_import *im, struct ft_flow *flows, size_t max, struct ft_err *err)
{
    size_t n = 0;
    if (im->failed) {           /* the damage of the last call, said again */
        *err = im->err;
        return -1;
    }
    while (n < max) {
        int r = im->fmt->imp->next(im, &flows[n], err);
        if (r < 0) {
            im->failed = 1;
            im->err = *err;
            return n > 0 ? (long)n : -1;    /* the flows first, the error next call */
        }
        if (r == 0)
            break;
        n++;
        im->count++;
    }
    return (long)n;
}

uint64_t ft_import_count(const struct ft_import *im)
{
    return im->count;
}

uint64_t ft_import_skipped(const struct ft_import *im)
{
    return im->skipped;
}

void ft_import_free(struct ft_import *im)
{
    if (!im)
        return;
    if (im->pdu)
        ft_pdu_ctx_free(im->pdu);
    free(im->src.own);
    free(im);
}

/* ---- values -------------------------------------------------------------- */

int ft_io_number(const char *s, size_t n, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;
    if (n == 0 || n > 20)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    if (x > max)
        return -1;
    *v = x;
    return 0;
}

int ft_io_address(const char *s, size_t n, struct ft_ip *a)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    struct in_addr v4;
    if (inet_pton(AF_INET, buf, &v4) == 1) {
        a->af = FT_AF_INET;
        a->v4 = ntohl(v4.s_addr);
        return 0;
    }
    if (inet_pton(AF_INET6, buf, a->v6) == 1) {
        a->af = FT_AF_INET6;
        return 0;
    }
    return -1;
}

int ft_io_set_field(struct ft_flow *f, const struct ft_field *d, const char *s, size_t n)
{
    if (d->type == FT_T_IP) {
        if (ft_io_address(s, n, ft_field_ptr(f, d)) < 0)
            return -1;
    } else {
        static const uint64_t max[] = {
            [FT_T_U8] = UINT8_MAX, [FT_T_U16] = UINT16_MAX, [FT_T_U32] = UINT32_MAX,
            [FT_T_U64] = UINT64_MAX
        };
        uint64_t v;
        if (ft_io_number(s, n, max[d->type], &v) < 0)
            return -1;
        ft_field_put(f, d, v);
    }
    f->has |= d->has;
    return 0;
}
