/*
 * ft_sym.c - symbol tables (see ft_sym.h).
 *
 * Entries are kept in one array sorted by value (binary search for
 * value -> name) and a second index sorted by name (name -> value).
 * Names live in one string pool owned by the table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include "core/ft_file.h"
#include "text/ft_sym.h"
#include "text/ft_text.h"

/* A table file larger than this is refused outright. */
#define FT_SYM_MAX_FILE (64u * 1024u * 1024u)

struct sym_entry {
    uint32_t value;
    uint32_t line;              /* input order, so the last duplicate wins */
    const char *name;
};

struct ft_sym {
    struct sym_entry *by_value; /* sorted by value, one entry per value */
    size_t n;
    struct sym_entry *by_name;  /* every line, sorted by name, then line */
    size_t n_names;
    char *pool;                 /* the names, NUL-terminated */
    size_t refused;
    char problem[256];          /* the first refused line, or "" */
};

static const char *const table_files[FT_SYM_NTABLES] = {
    "ip-prot.sym", "tcp-port.sym", "asn.sym", "tag.sym", "ip-type.sym"
};

/* ---- parsing --------------------------------------------------------------- */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Parse a value in C notation (decimal, 0x hex, 0 octal) that fills [s, e). */
static int parse_value(const char *s, const char *e, uint32_t *out)
{
    unsigned base = 10;
    if (e - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    } else if (e - s > 1 && s[0] == '0') {
        base = 8;
        s += 1;
    }
    if (s == e)
        return -1;
    uint64_t v = 0;
    for (; s < e; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (*s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (*s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return -1;
        if (d >= base)
            return -1;
        v = v * base + d;
        if (v > UINT32_MAX)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

struct parse_state {
    struct sym_entry *ents;
    size_t n, cap, limit;
    char *pool;
    size_t pool_len;
    size_t refused;
    uint32_t bad_line;          /* first refused line, 0 if none */
    const char *bad_why;
};

static void refuse(struct parse_state *ps, uint32_t lineno, const char *why)
{
    if (ps->refused++ == 0) {
        ps->bad_line = lineno;
        ps->bad_why = why;
    }
}

static int add_entry(struct parse_state *ps, uint32_t value, const char *name, size_t len,
                     uint32_t lineno)
{
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? 2 * ps->cap : 64;
        struct sym_entry *ne = realloc(ps->ents, cap * sizeof *ne);
        if (!ne)
            return -1;
        ps->ents = ne;
        ps->cap = cap;
    }
    if (len > FT_SYM_NAME_MAX)
        len = FT_SYM_NAME_MAX;
    memcpy(ps->pool + ps->pool_len, name, len);
    ps->pool[ps->pool_len + len] = '\0';
    /* name holds an offset until the pool stops moving. */
    ps->ents[ps->n].name = (const char *)(uintptr_t)ps->pool_len;
    ps->ents[ps->n].value = value;
    ps->ents[ps->n].line = lineno;
    ps->n++;
    ps->pool_len += len + 1;
    return 0;
}

/*
 * One line: the value, blanks, then the name, which is the rest of the line
 * without trailing blanks (it may hold inner spaces).  Blank lines and lines
 * whose first non-blank character is '#' are skipped; bad lines are counted.
 */
static int parse_line(struct parse_state *ps, const char *s, const char *e, uint32_t lineno)
{
    while (s < e && is_blank(*s))
        s++;
    while (e > s && is_blank(e[-1]))
        e--;
    if (s == e || *s == '#')
        return 0;
    const char *ve = s;
    while (ve < e && !is_blank(*ve))
        ve++;
    const char *name = ve;
    while (name < e && is_blank(*name))
        name++;
    uint32_t value;
    if (parse_value(s, ve, &value) != 0) {
        refuse(ps, lineno, "bad value");
        return 0;
    }
    if (name == e) {
        refuse(ps, lineno, "Missing field");
        return 0;
    }
    if (ps->n >= ps->limit) {
        refuse(ps, lineno, "table full");
        return 0;
    }
    return add_entry(ps, value, name, (size_t)(e - name), lineno);
}

static int cmp_value_line(const void *a, const void *b)
{
    const struct sym_entry *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_name_line(const void *a, const void *b)
{
    const struct sym_entry *x = a, *y = b;
    int c = strcasecmp(x->name, y->name);
    if (c)
        return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Sort by value and keep only the last line of each value.  The name index
 * keeps every line (a name given twice resolves to its last line), so it is
 * built before duplicate values are dropped.
 */
static int build_indexes(struct ft_sym *t, struct sym_entry *ents, size_t n)
{
    t->by_name = malloc((n ? n : 1) * sizeof *t->by_name);
    if (!t->by_name)
        return -1;
    t->n_names = n;
    t->by_value = ents;
    t->n = 0;
    if (n == 0)
        return 0;
    memcpy(t->by_name, ents, n * sizeof *ents);
    qsort(t->by_name, n, sizeof *t->by_name, cmp_name_line);

    qsort(ents, n, sizeof *ents, cmp_value_line);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k > 0 && ents[k - 1].value == ents[i].value)
            ents[k - 1] = ents[i];
        else
            ents[k++] = ents[i];
    }
    t->n = k;
    return 0;
}

struct ft_sym *ft_sym_parse(const char *text, size_t len, const char *name,
                            size_t limit, struct ft_err *err)
{
    struct parse_state ps = { .limit = limit ? limit : FT_SYM_DEFAULT_LIMIT };
    struct ft_sym *t = calloc(1, sizeof *t);
    ps.pool = malloc(len + 1);  /* names never outgrow the text */
    if (!t || !ps.pool)
        goto nomem;
    const char *end = text + len;
    uint32_t lineno = 0;
    for (const char *s = text; s < end;) {
        const char *e = memchr(s, '\n', (size_t)(end - s));
        if (!e)
            e = end;
        if (parse_line(&ps, s, e, ++lineno) != 0)
            goto nomem;
        s = e + 1;
    }
    for (size_t i = 0; i < ps.n; i++)
        ps.ents[i].name = ps.pool + (uintptr_t)ps.ents[i].name;
    t->pool = ps.pool;
    t->refused = ps.refused;
    if (ps.refused)
        snprintf(t->problem, sizeof t->problem, "%.200s:%lu: %s", name,
                 (unsigned long)ps.bad_line, ps.bad_why);
    ps.pool = NULL;             /* the table owns it now */
    if (build_indexes(t, ps.ents, ps.n) != 0)
        goto nomem;
    return t;
nomem:
    ft_err_set(err, "%s: out of memory", name);
    free(ps.ents);
    free(ps.pool);
    ft_sym_free(t);
    return NULL;
}

struct ft_sym *ft_sym_load(const char *path, struct ft_err *err)
{
    size_t len;
    char *text = ft_file_read(path, FT_SYM_MAX_FILE, &len, err);
    if (!text)
        return NULL;
    struct ft_sym *t = ft_sym_parse(text, len, path, 0, err);
    free(text);
    return t;
}

const char *ft_sym_path(const char *dir, enum ft_sym_table t, char *buf, size_t size)
{
    if ((unsigned)t >= FT_SYM_NTABLES)
        return NULL;
    int n = snprintf(buf, size, "%s/%s", dir ? dir : FT_SYM_DEFAULT_DIR, table_files[t]);
    return n >= 0 && (size_t)n < size ? buf : NULL;
}

struct ft_sym *ft_sym_open(const char *dir, enum ft_sym_table t, struct ft_err *err)
{
    char path[4096];
    if (!ft_sym_path(dir, t, path, sizeof path)) {
        ft_err_set(err, "symbol table %d: bad table or path", (int)t);
        return NULL;
    }
    return ft_sym_load(path, err);
}

void ft_sym_free(struct ft_sym *s)
{
    if (!s)
        return;
    free(s->by_value);
    free(s->by_name);
    free(s->pool);
    free(s);
}

/* ---- lookups --------------------------------------------------------------- */

const char *ft_sym_name(const struct ft_sym *s, uint32_t value)
{
    if (!s)
        return NULL;
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t v = s->by_value[mid].value;
        if (v == value)
            return s->by_value[mid].name;
        if (v < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int ft_sym_value(const struct ft_sym *s, const char *name, uint32_t *value)
{
    if (!s)
        return -1;
    /* The first entry after every line with this name, then step back:
     * lines of one name are sorted by line, so that is the last one. */
    size_t lo = 0, hi = s->n_names;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcasecmp(s->by_name[mid].name, name) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || strcasecmp(s->by_name[lo - 1].name, name) != 0)
        return -1;
    *value = s->by_name[lo - 1].value;
    return 0;
}

size_t ft_sym_count(const struct ft_sym *s)
{
    return s ? s->n : 0;
}

size_t ft_sym_refused(const struct ft_sym *s)
{
    return s ? s->refused : 0;
}

const char *ft_sym_problem(const struct ft_sym *s)
{
    return s && s->refused ? s->problem : NULL;
}

size_t ft_sym_format(const struct ft_sym *s, uint32_t value, char *buf, size_t max)
{
    const char *name = ft_sym_name(s, value);
    if (name && max > 0) {
        size_t n = strlen(name);
        if (n > max - 1)
            n = max - 1;
        memcpy(buf, name, n);
        return n;
    }
    return (size_t)(ft_put_u32(buf, value) - buf);
}
