/*
 * ft_rptin.c - flow-report's ASCII output read back (see ft_rptin.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/ft_grow.h"
#include "report/ft_rptin.h"

/* The parse in progress: the line and where new lines go. */
struct parse {
    struct ft_rptin *in;
    const char *name;
    size_t line;
    struct ft_err *err;
    int in_tables;              /* the current report has a table already */
};

/* Room is tracked in arrays' capacities beside them, kept here per parse
 * so the public structs stay plain. */
struct caps {
    size_t reports, tables, header, cells, tallies;
};

static int no_memory(struct parse *p)
{
    return ft_err_set(p->err, "%s line %zu: out of memory", p->name, p->line);
}

static struct ft_rpt_report *current(struct ft_rptin *in)
{
    return in->nreports ? &in->reports[in->nreports - 1] : NULL;
}

static int new_report(struct parse *p, struct caps *c)
{
    struct ft_rptin *in = p->in;
    if (FT_RESERVE(in->reports, c->reports, in->nreports) < 0)
        return no_memory(p);
    memset(&in->reports[in->nreports++], 0, sizeof *in->reports);
    c->tables = c->header = 0;
    p->in_tables = 0;
    return 0;
}

static int add_header(struct parse *p, struct caps *c, const char *line)
{
    if (!current(p->in) || p->in_tables)
        if (new_report(p, c) < 0)
            return -1;
    struct ft_rpt_report *r = current(p->in);
    if (FT_RESERVE(r->header, c->header, r->nheader) < 0)
        return no_memory(p);
    r->header[r->nheader++] = line;
    p->in->items++;
    return 0;
}

/* Cut s at every ',' into out (at most max); the count. */
static size_t split_commas(char *s, const char **out, size_t max)
{
    size_t n = 0;
    for (;;) {
        if (n == max)
            return max + 1;
        out[n++] = s;
        char *comma = strchr(s, ',');
        if (!comma)
            return n;
        *comma = '\0';
        s = comma + 1;
    }
}

/* "# recn: a*,b,c" (line after "# ", colon at colon). */
static int add_table(struct parse *p, struct caps *c, char *kind, char *colon)
{
    struct ft_rptin *in = p->in;
    struct ft_rpt_report *r = current(in);
    *colon = '\0';
    int totals = strcmp(kind, "rec1") == 0;
    int keyed = strcmp(kind, "recn") == 0;
    if (!r || (p->in_tables && (totals || (keyed && ft_rpt_table_of(r, "recn")))))
        if (new_report(p, c) < 0)
            return -1;
    r = current(in);
    if (FT_RESERVE(r->tables, c->tables, r->ntables) < 0)
        return no_memory(p);
    struct ft_rpt_table *t = &r->tables[r->ntables];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->line = p->line;
    char *titles = colon + 1;
    while (*titles == ' ')
        titles++;
    const char *cols[FT_RPTIN_MAX_COLS];
    size_t n = split_commas(titles, cols, FT_RPTIN_MAX_COLS);
    if (n > FT_RPTIN_MAX_COLS)
        return ft_err_set(p->err, "%s line %zu: more than %d columns", p->name, p->line,
                          FT_RPTIN_MAX_COLS);
    t->cols = malloc(n * sizeof *t->cols);
    t->key = calloc(n, 1);
    if (!t->cols || !t->key) {
        free(t->cols);
        free(t->key);
        return no_memory(p);
    }
    for (size_t i = 0; i < n; i++) {
        char *title = (char *)cols[i];
        size_t len = strlen(title);
        if (len && title[len - 1] == '*') {
            title[len - 1] = '\0';
            t->key[i] = 1;
        }
        t->cols[i] = title;
    }
    t->ncols = n;
    r->ntables++;
    c->cells = c->tallies = 0;
    p->in_tables = 1;
    in->items++;
    return 0;
}

static int add_row(struct parse *p, struct caps *c, char *line)
{
    struct ft_rptin *in = p->in;
    struct ft_rpt_report *r = current(in);
    if (!r || !r->ntables)
        return ft_err_set(p->err, "%s line %zu: data before a column line (\"# recn: ...\")",
                          p->name, p->line);
    struct ft_rpt_table *t = &r->tables[r->ntables - 1];
    if (in->items + t->ncols > in->limit) {
        in->refused++;
        return 0;
    }
    size_t fields = 1;
    for (const char *s = line; (s = strchr(s, ',')) != NULL; s++)
        fields++;
    if (fields != t->ncols)
        return ft_err_set(p->err, "%s line %zu: %zu fields, the column line (line %zu) has %zu",
                          p->name, p->line, fields, t->line, t->ncols);
    const char *cells[FT_RPTIN_MAX_COLS];
    split_commas(line, cells, t->ncols);
    size_t have = t->nrows * t->ncols;
    while (have + t->ncols > c->cells) {
        size_t want = c->cells ? c->cells * 2 : 64 * t->ncols;
        const char **cp = realloc(t->cells, want * sizeof *cp);
        if (!cp)
            return no_memory(p);
        t->cells = cp;
        c->cells = want;
    }
    memcpy(t->cells + have, cells, t->ncols * sizeof *cells);
    t->nrows++;
    in->items += t->ncols;
    return 0;
}

/* A "#TALLY" line: running totals after the last row of the last table. */
static int add_tally(struct parse *p, struct caps *c, const char *line)
{
    struct ft_rpt_report *r = current(p->in);
    if (!r || !r->ntables)
        return ft_err_set(p->err, "%s line %zu: a tally before any table", p->name, p->line);
    struct ft_rpt_table *t = &r->tables[r->ntables - 1];
    if (FT_RESERVE(t->tallies, c->tallies, t->ntallies) < 0)
        return no_memory(p);
    t->tallies[t->ntallies].after = t->nrows;
    t->tallies[t->ntallies++].text = line;
    p->in->items++;
    return 0;
}

/* One line, NUL-terminated without its line end. */
static int parse_line(struct parse *p, struct caps *c, char *line)
{
    if (!*line)
        return 0;
    if (p->in->items >= p->in->limit) {   /* full: nothing more is kept */
        p->in->refused++;
        return 0;
    }
    if (*line != '#')
        return add_row(p, c, line);
    if (strncmp(line, "#TALLY", 6) == 0)
        return add_tally(p, c, line);
    if (strncmp(line, "# stop, hit record limit.", 25) == 0) {
        struct ft_rpt_report *r = current(p->in);
        if (r && r->ntables)
            r->tables[r->ntables - 1].hit_limit = 1;
        return 0;
    }
    /* "# rec1:", "# rec2:", "# recn:", but not the header's "# records:" */
    if (strncmp(line, "# rec", 5) == 0) {
        size_t tag = strspn(line + 5, "0123456789n");
        if (tag && line[5 + tag] == ':')
            return add_table(p, c, line + 2, line + 5 + tag);
    }
    return add_header(p, c, line);
}

struct ft_rptin *ft_rptin_parse(const char *text, size_t len, const char *name,
                                size_t limit, struct ft_err *err)
{
    struct ft_rptin *in = calloc(1, sizeof *in);
    if (!in || !(in->text = malloc(len + 1))) {
        free(in);
        ft_err_set(err, "%s: out of memory", name);
        return NULL;
    }
    memcpy(in->text, text, len);
    in->text[len] = '\0';
    in->limit = limit ? limit : FT_RPTIN_DEFAULT_LIMIT;
    struct parse p = {.in = in, .name = name, .err = err};
    struct caps c = {0};
    char *s = in->text, *end = in->text + len;
    while (s < end) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        char *next = nl ? nl + 1 : end;
        char *stop = nl ? nl : end;
        if (stop > s && stop[-1] == '\r')
            stop--;
        *stop = '\0';
        p.line++;
        if (memchr(s, '\0', (size_t)(stop - s))) {
            ft_err_set(err, "%s line %zu: a NUL byte (not a report)", name, p.line);
            ft_rptin_free(in);
            return NULL;
        }
        if (parse_line(&p, &c, s) < 0) {
            ft_rptin_free(in);
            return NULL;
        }
        s = next;
    }
    return in;
}

void ft_rptin_free(struct ft_rptin *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->nreports; i++) {
        struct ft_rpt_report *r = &in->reports[i];
        for (size_t j = 0; j < r->ntables; j++) {
            free(r->tables[j].cols);
            free(r->tables[j].key);
            free(r->tables[j].cells);
            free(r->tables[j].tallies);
        }
        free(r->tables);
        free(r->header);
    }
    free(in->reports);
    free(in->text);
    free(in);
}

long ft_rpt_col(const struct ft_rpt_table *t, const char *title)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i], title) == 0)
            return (long)i;
    return -1;
}

const struct ft_rpt_table *ft_rpt_table_of(const struct ft_rpt_report *r, const char *kind)
{
    for (size_t i = 0; i < r->ntables; i++)
        if (strcmp(r->tables[i].kind, kind) == 0)
            return &r->tables[i];
    return NULL;
}

int ft_rpt_header_field(const char *line, const char **key, size_t *klen, const char **value)
{
    if (line[0] != '#' || line[1] != ' ' || line[2] == ' ')
        return -1;
    const char *k = line + 2;
    const char *colon = strchr(k, ':');
    if (!colon || colon == k || memchr(k, ' ', (size_t)(colon - k)))
        return -1;
    const char *v = colon + 1;
    while (*v == ' ')
        v++;
    *key = k;
    *klen = (size_t)(colon - k);
    *value = v;
    return 0;
}

const char *ft_rpt_header_value(const struct ft_rpt_report *r, const char *key)
{
    size_t want = strlen(key);
    for (size_t i = 0; i < r->nheader; i++) {
        const char *k, *v;
        size_t klen;
        if (ft_rpt_header_field(r->header[i], &k, &klen, &v) == 0 && klen == want &&
            memcmp(k, key, klen) == 0)
            return v;
    }
    return NULL;
}

int ft_rpt_number(const char *cell, double *v)
{
    const char *s = cell;
    if (*s == '-')
        s++;
    size_t digits = strspn(s, "0123456789");
    if (!digits)
        return 0;
    s += digits;
    if (*s == '.') {
        s++;
        if (!strspn(s, "0123456789"))
            return 0;
        s += strspn(s, "0123456789");
    }
    if (*s)
        return 0;
    *v = strtod(cell, NULL);
    return 1;
}
