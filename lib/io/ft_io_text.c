/*
 * ft_io_text.c - flows as text: flow-tools' ASCII CSV (format 2) and JSON
 * lines, both ways.
 *
 * CSV: a header line "#:" and the flow-tools names of the columns, then a
 * row per flow; the columns are the stream's fields within -m, in the
 * order of the field table.  Reading takes the columns from that header
 * when there is one, else from -m within the format imported into.
 * JSON: flow-print -f json's line (its keys), or the -m fields as keys.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "io/ft_io_int.h"

/* ---- CSV out ------------------------------------------------------------- */

/* flow-tools labels the v6 peer next hop column "nexthop", a second time;
 * kept for the scripts that read it (and read back by csv_header). */
static const char *csv_label(const struct ft_field *d)
{
    return d->id == FT_FLD_PEER_NEXTHOP ? "nexthop" : d->name;
}

static int csv_begin(struct ft_export *x, struct ft_err *err)
{
    enum ft_field_id ids[FT_NFIELDS];
    size_t n = 0;
    uint64_t mask = ft_io_export_mask(x);
    for (int i = 0; i < FT_NFIELDS; i++)
        if (ft_fields[i].has & mask)
            ids[n++] = (enum ft_field_id)i;
    if (ft_row_cols_init(&x->cols, FT_ROW_CSV, ids, n, err) < 0)
        return -1;
    char *p = ft_out_reserve(x->out, FT_OUT_MAX_LINE);
    p = ft_put_lit(p, "#:");
    for (size_t i = 0; i < n; i++) {
        const char *label = csv_label(&ft_fields[ids[i]]);
        if (i)
            *p++ = ',';
        p = ft_put_mem(p, label, strlen(label));
    }
    *p++ = '\n';
    ft_out_commit(x->out, p);
    return 0;
}

static int row_put(struct ft_export *x, const struct ft_flow *f, struct ft_err *err)
{
    (void)err;
    char *p = ft_out_reserve(x->out, FT_OUT_MAX_LINE);
    if (x->print_line)
        ft_out_commit(x->out, ft_row_print_json(p, f));
    else
        ft_out_commit(x->out, ft_row_cols_put(p, &x->cols, f));
    return 0;
}

const struct ft_export_ops ft_io_csv_export = {csv_begin, row_put, NULL, NULL};

/* ---- JSON out ------------------------------------------------------------ */

/* Without -m, flow-print -f json's line; with a list, those keys in that
 * order (null where the flow lacks one); with a number, the stream's fields
 * within it. */
static int json_begin(struct ft_export *x, struct ft_err *err)
{
    const struct ft_io_fields *m = &x->opt.fields;
    enum ft_field_id ids[FT_NFIELDS];
    size_t n = 0;
    if (!m->given) {
        x->print_line = 1;
        return 0;
    }
    if (m->numeric) {
        uint64_t mask = ft_io_export_mask(x);
        for (int i = 0; i < FT_NFIELDS; i++)
            if (ft_fields[i].has & mask)
                ids[n++] = (enum ft_field_id)i;
    } else {
        for (size_t i = 0; i < m->n_ids; i++)
            ids[n++] = (enum ft_field_id)m->ids[i];
    }
    return ft_row_cols_init(&x->cols, FT_ROW_JSON, ids, n, err);
}

const struct ft_export_ops ft_io_json_export = {json_begin, row_put, NULL, NULL};

/* ---- CSV in -------------------------------------------------------------- */

static int line_err(struct ft_import *im, struct ft_err *err, const char *what, const char *s,
                    size_t n)
{
    return ft_err_set(err, "%s line %llu: %s \"%.*s\"", im->src.name,
                      (unsigned long long)im->src.line, what, (int)(n > 64 ? 64 : n), s);
}

/* A field by the name s[0..n), any case. */
static const struct ft_field *field_named(const char *s, size_t n)
{
    char name[64];
    if (n == 0 || n >= sizeof name)
        return NULL;
    for (size_t i = 0; i < n; i++)
        name[i] = (char)tolower((unsigned char)s[i]);
    name[n] = '\0';
    return ft_field_by_name(name);
}

static int add_col(struct ft_import *im, int id, struct ft_err *err)
{
    if (im->n_cols == FT_IO_MAX_COLS)
        return ft_err_set(err, "%s line %llu: more than %d columns", im->src.name,
                          (unsigned long long)im->src.line, FT_IO_MAX_COLS);
    im->cols[im->n_cols++] = (uint8_t)id;
    return 0;
}

/* "#:name,name,...": the columns. */
static int csv_header(struct ft_import *im, const char *s, size_t n, struct ft_err *err)
{
    int have_nexthop = 0;
    im->n_cols = 0;
    for (size_t i = 0; i <= n;) {
        size_t j = i;
        while (j < n && s[j] != ',')
            j++;
        const struct ft_field *d = field_named(s + i, j - i);
        if (!d)
            return line_err(im, err, "unknown field", s + i, j - i);
        /* the second "nexthop" of flow-tools' v6 header is the peer's */
        if (d->id == FT_FLD_NEXTHOP && have_nexthop++)
            d = &ft_fields[FT_FLD_PEER_NEXTHOP];
        if (add_col(im, d->id, err) < 0)
            return -1;
        i = j + 1;
    }
    im->cols_known = 1;
    return 0;
}

/* No header: the fields of -m within the format imported into. */
static int csv_default_cols(struct ft_import *im, struct ft_err *err)
{
    uint64_t m = im->opt.fields.given ? im->opt.fields.mask : ~0ULL;
    m &= im->opt.format->mask;
    im->n_cols = 0;
    for (int i = 0; i < FT_NFIELDS; i++)
        if ((ft_fields[i].has & m) && add_col(im, i, err) < 0)
            return -1;
    im->cols_known = 1;
    return 0;
}

static int csv_row(struct ft_import *im, const char *s, size_t n, struct ft_flow *f,
                   struct ft_err *err)
{
    size_t col = 0;
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i <= n; col++) {
        size_t j = i;
        while (j < n && s[j] != ',')
            j++;
        if (col >= im->n_cols)
            return ft_err_set(err, "%s line %llu: more than %zu values", im->src.name,
                              (unsigned long long)im->src.line, im->n_cols);
        const struct ft_field *d = &ft_fields[im->cols[col]];
        if (j > i && ft_io_set_field(f, d, s + i, j - i) < 0) {
            char what[80];
            snprintf(what, sizeof what, "bad %s", d->name);
            return line_err(im, err, what, s + i, j - i);
        }
        i = j + 1;
    }
    if (col != im->n_cols)
        return ft_err_set(err, "%s line %llu: %zu values, expected %zu", im->src.name,
                          (unsigned long long)im->src.line, col, im->n_cols);
    return 0;
}

static int csv_next(struct ft_import *im, struct ft_flow *f, struct ft_err *err)
{
    for (;;) {
        const char *s;
        size_t n;
        int r = ft_isrc_line(&im->src, &s, &n, err);
        if (r <= 0)
            return r;
        if (n == 0)
            continue;
        if (s[0] == '#') {
            if (!im->cols_known && n >= 2 && s[1] == ':' && csv_header(im, s + 2, n - 2, err) < 0)
                return -1;
            continue;
        }
        if (!im->cols_known && csv_default_cols(im, err) < 0)
            return -1;
        return csv_row(im, s, n, f, err) < 0 ? -1 : 1;
    }
}

const struct ft_import_ops ft_io_csv_import = {csv_next};

/* ---- JSON in ------------------------------------------------------------- */

struct jcur {
    const char *s;
    size_t n, i;
};

static void jws(struct jcur *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t'))
        c->i++;
}

static int jchar(struct jcur *c, char ch)
{
    jws(c);
    if (c->i < c->n && c->s[c->i] == ch) {
        c->i++;
        return 1;
    }
    return 0;
}

/* A string without escapes (keys and values ftkit writes need none):
 * its text at *v, or -1. */
static int jstring(struct jcur *c, const char **v, size_t *len)
{
    if (!jchar(c, '"'))
        return -1;
    size_t start = c->i;
    while (c->i < c->n && c->s[c->i] != '"') {
        if (c->s[c->i] == '\\')
            return -1;
        c->i++;
    }
    if (c->i >= c->n)
        return -1;
    *v = c->s + start;
    *len = c->i - start;
    c->i++;
    return 0;
}

/* A value: a string (quoted 1), null (2), or a bare token such as a number (0). */
static int jvalue(struct jcur *c, const char **v, size_t *len)
{
    jws(c);
    if (c->i < c->n && c->s[c->i] == '"')
        return jstring(c, v, len) < 0 ? -1 : 1;
    size_t start = c->i;
    while (c->i < c->n && (isalnum((unsigned char)c->s[c->i]) || c->s[c->i] == '-' ||
                           c->s[c->i] == '+' || c->s[c->i] == '.'))
        c->i++;
    *v = c->s + start;
    *len = c->i - start;
    if (*len == 4 && memcmp(*v, "null", 4) == 0)
        return 2;
    return *len ? 0 : -1;
}

static int jkey_is(const char *k, size_t n, const char *lit)
{
    return strlen(lit) == n && memcmp(k, lit, n) == 0;
}

/* What a key means besides a field: flow-print's own time columns. */
enum { JSON_TIME_BASE = -1, JSON_FIRST = -2, JSON_LAST = -3, JSON_FIRST_NS = -4,
       JSON_LAST_NS = -5, JSON_UNKNOWN = -6 };

static int key_meaning(const char *k, size_t kn)
{
    static const struct { const char *name; int what; } own[] = {
        {"time_base", JSON_TIME_BASE}, {"first", JSON_FIRST}, {"last", JSON_LAST},
        {"first_ns", JSON_FIRST_NS}, {"last_ns", JSON_LAST_NS},
    };
    char key[64];
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (jkey_is(k, kn, own[i].name))
            return own[i].what;
    if (kn >= sizeof key)
        return JSON_UNKNOWN;
    memcpy(key, k, kn);
    key[kn] = '\0';
    const struct ft_field *d = ft_field_by_name(key);
    return d ? d->id : JSON_UNKNOWN;
}

/* The meaning of the key at position pos of a line: from the last line's
 * when it is the same key there (flow-export's lines all have the same). */
static int key_at(struct ft_import *im, size_t pos, const char *k, size_t kn)
{
    if (pos >= FT_IO_MAX_COLS)
        return key_meaning(k, kn);
    struct ft_io_jkey *c = &im->jkeys[pos];
    if (c->len == kn && kn > 0 && memcmp(c->name, k, kn) == 0)
        return c->what;
    int what = key_meaning(k, kn);
    if (kn < sizeof c->name) {
        memcpy(c->name, k, kn);
        c->len = (uint8_t)kn;
        c->what = (int16_t)what;
    }
    return what;
}

/* One key and its value into f; *abs says first/last are epoch ms. */
static int json_member(struct ft_import *im, struct ft_flow *f, size_t pos, const char *k,
                       size_t kn, const char *v, size_t vn, int *abs, struct ft_err *err)
{
    uint64_t x;
    int what = key_at(im, pos, k, kn);
    if (what == JSON_TIME_BASE) {
        *abs = jkey_is(v, vn, "epoch_ms");
        return 0;
    }
    if ((what == JSON_FIRST || what == JSON_LAST) && !*abs)
        what = what == JSON_FIRST ? FT_FLD_FIRST : FT_FLD_LAST;
    if (what == JSON_FIRST || what == JSON_LAST) {
        if (ft_io_number(v, vn, UINT64_MAX, &x) < 0)
            return line_err(im, err, "bad time", v, vn);
        *(what == JSON_FIRST ? &f->start_ms : &f->end_ms) = x;
        f->has |= FT_F_TIMES | FT_F_ABS_TIMES;
        return 0;
    }
    if (what == JSON_FIRST_NS || what == JSON_LAST_NS) {
        if (ft_io_number(v, vn, UINT64_MAX, &x) < 0)
            return line_err(im, err, "bad time", v, vn);
        *(what == JSON_FIRST_NS ? &f->start_ns : &f->end_ns) = (uint32_t)(x % 1000000u);
        return 0;
    }
    if (what == JSON_UNKNOWN)
        return line_err(im, err, "unknown key", k, kn);
    const struct ft_field *d = &ft_fields[what];
    if (ft_io_set_field(f, d, v, vn) < 0) {
        char bad[80];
        snprintf(bad, sizeof bad, "bad %.*s", (int)(kn > 60 ? 60 : kn), k);
        return line_err(im, err, bad, v, vn);
    }
    return 0;
}

static int json_object(struct ft_import *im, const char *s, size_t n, struct ft_flow *f,
                       struct ft_err *err)
{
    struct jcur c = {s, n, 0};
    int abs = 0;
    memset(f, 0, sizeof *f);
    if (!jchar(&c, '{'))
        return line_err(im, err, "not a JSON object", s, n);
    if (jchar(&c, '}'))
        goto done;
    size_t pos = 0;
    do {
        const char *k, *v;
        size_t kn, vn;
        if (jstring(&c, &k, &kn) < 0 || !jchar(&c, ':'))
            return line_err(im, err, "bad JSON near", s + c.i, n - c.i);
        int kind = jvalue(&c, &v, &vn);
        if (kind < 0)
            return line_err(im, err, "bad JSON value near", s + c.i, n - c.i);
        if (kind != 2 && json_member(im, f, pos, k, kn, v, vn, &abs, err) < 0)
            return -1;
        pos++;
    } while (jchar(&c, ','));
    if (!jchar(&c, '}'))
        return line_err(im, err, "bad JSON near", s + c.i, n - c.i);
done:
    jws(&c);
    if (c.i != n)
        return line_err(im, err, "trailing text", s + c.i, n - c.i);
    return 0;
}

static int json_next(struct ft_import *im, struct ft_flow *f, struct ft_err *err)
{
    for (;;) {
        const char *s;
        size_t n;
        int r = ft_isrc_line(&im->src, &s, &n, err);
        if (r <= 0)
            return r;
        size_t i = 0;
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i == n)
            continue;
        return json_object(im, s, n, f, err) < 0 ? -1 : 1;
    }
}

const struct ft_import_ops ft_io_json_import = {json_next};
