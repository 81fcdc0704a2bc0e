/*
 * ft_files.c - file and directory arguments made into a sorted file list.
 */
#include "net/ft_files.h"
#include "core/ft_err.h"
#include "core/ft_grow.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void ft_files_init(struct ft_file_list *l)
{
    memset(l, 0, sizeof *l);
    l->limit = FT_FILES_MAX_DEFAULT;
}

static void free_header_strings(struct ft_file_header *h)
{
    free(h->hostname);
    free(h->comments);
    h->hostname = h->comments = NULL;
}

void ft_files_free(struct ft_file_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->files[i].path);
        free_header_strings(&l->files[i].hdr);
    }
    free(l->files);
    memset(l, 0, sizeof *l);
}

/* ---- problems: the first is told, the others counted ------------------ */

struct problems {
    struct ft_err *err;
    unsigned count;
};

static void problem(struct problems *pr, const char *path, const char *why)
{
    if (pr->count++ == 0)
        ft_err_set(pr->err, "%s: %s", path, why);
}

static int problems_end(struct problems *pr)
{
    if (pr->count == 0)
        return 0;
    if (pr->count > 1 && pr->err) {
        size_t len = strlen(pr->err->msg);
        snprintf(pr->err->msg + len, sizeof pr->err->msg - len, " (and %u more)",
                 pr->count - 1);
    }
    return -1;
}

/* ---- adding ----------------------------------------------------------- */

static int append(struct ft_file_list *l, const char *path, unsigned has,
                  struct problems *pr)
{
    if (l->n >= l->limit) {
        if (l->refused++ == 0)
            problem(pr, path, "too many files, this and later ones left out");
        return -1;
    }
    if (FT_RESERVE(l->files, l->cap, l->n) < 0) {
        problem(pr, path, "out of memory");
        return -1;
    }
    struct ft_file *f = &l->files[l->n];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    if (!f->path) {
        problem(pr, path, "out of memory");
        return -1;
    }
    f->arg = l->args;
    f->has = has;
    if (!(has & FT_FILE_ONCE) && ft_files_name_time(path, &f->name_time) == 0)
        f->has |= FT_FILE_NAME_TIME;
    l->n++;
    return 0;
}

int ft_files_flow_name(const char *name)
{
    if (strncmp(name, "tmp", 3) == 0)
        return 2;
    return strncmp(name, "ft", 2) == 0 || strncmp(name, "cf", 2) == 0;
}

/* Which directory entries are flow files: flow-capture ("ft", "tmp") and
 * cflowd ("cf") names. */
static int wanted_name(struct ft_file_list *l, const char *name, unsigned flags)
{
    switch (ft_files_flow_name(name)) {
    case 1:
        return 1;
    case 2:
        if (flags & FT_FILES_TMP)
            return 1;
        l->tmp_skipped++;
        return 0;
    default:
        l->other_skipped++;
        return 0;
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entry names of a directory, sorted; NULL with errno on failure. */
static char **read_names(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    if (!d)
        return NULL;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **v = realloc(names, cap * sizeof *v);
            if (!v)
                goto oom;
            names = v;
        }
        if (!(names[n] = strdup(e->d_name)))
            goto oom;
        n++;
    }
    closedir(d);
    if (n > 1)
        qsort(names, n, sizeof *names, by_name);
    *count = n;
    return names ? names : calloc(1, sizeof *names);
oom:
    closedir(d);
    while (n > 0)
        free(names[--n]);
    free(names);
    errno = ENOMEM;
    return NULL;
}

static int walk_at(const char *dir, const struct ft_walk *w, int depth)
{
    size_t n = 0;
    char **names = read_names(dir, &n);
    if (!names) {
        w->problem(w->ctx, dir, strerror(errno));
        return 0;
    }
    int stop = 0;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(dir);
        int slash = len > 0 && dir[len - 1] == '/';
        char *path = malloc(len + strlen(names[i]) + 2);
        struct stat st;
        if (!path || stop) {
            if (!path)
                w->problem(w->ctx, dir, "out of memory");
            free(path);
            free(names[i]);
            continue;
        }
        sprintf(path, "%s%s%s", dir, slash ? "" : "/", names[i]);
        if (lstat(path, &st) != 0) {
            if (errno != ENOENT)
                w->problem(w->ctx, path, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            if (depth >= w->max_depth)
                w->problem(w->ctx, path, "directories nested too deep, not walked");
            else
                stop = walk_at(path, w, depth + 1);
        } else if (S_ISREG(st.st_mode) ||
                   ((w->flags & FT_WALK_LINKS) && S_ISLNK(st.st_mode) &&
                    stat(path, &st) == 0 && S_ISREG(st.st_mode))) {
            stop = w->file(w->ctx, path, names[i], &st) != 0;
        }
        free(path);
        free(names[i]);
    }
    free(names);
    return stop;
}

int ft_walk_dir(const char *dir, const struct ft_walk *w)
{
    return walk_at(dir, w, 0);
}

/* What ft_files_add's walk carries to its callbacks. */
struct add_walk {
    struct ft_file_list *l;
    unsigned flags;
    struct problems *pr;
};

static int add_walk_file(void *ctx, const char *path, const char *name, const struct stat *st)
{
    struct add_walk *a = ctx;
    (void)st;
    if (!wanted_name(a->l, name, a->flags))
        return 0;
    /* stop only once the list is full, not on a failed allocation */
    return append(a->l, path, 0, a->pr) < 0 && a->l->refused > 0;
}

static void add_walk_problem(void *ctx, const char *path, const char *why)
{
    problem(((struct add_walk *)ctx)->pr, path, why);
}

int ft_files_add(struct ft_file_list *l, const char *arg, unsigned flags, struct ft_err *err)
{
    struct problems pr = {err, 0};
    struct stat st;
    if (strcmp(arg, "-") == 0) {
        append(l, arg, FT_FILE_STDIN, &pr);
    } else if (stat(arg, &st) != 0) {
        problem(&pr, arg, strerror(errno));
    } else if (S_ISDIR(st.st_mode)) {
        struct add_walk a = {l, flags, &pr};
        struct ft_walk w = {FT_FILES_DEPTH_MAX, FT_WALK_LINKS, add_walk_file,
                            add_walk_problem, &a};
        ft_walk_dir(arg, &w);
    } else if (S_ISREG(st.st_mode)) {
        append(l, arg, 0, &pr);
    } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        append(l, arg, FT_FILE_PIPE, &pr);     /* named pipes, /dev/stdin */
    } else {
        problem(&pr, arg, "odd file (neither a file nor a directory), skipped");
    }
    l->args++;
    return problems_end(&pr);
}

/* ---- names ------------------------------------------------------------ */

/* n decimal digits at s; -1 if they are not all digits. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

int ft_files_name_time(const char *path, time_t *t)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *s = strchr(base, '.');
    if (!s)
        return -1;
    s++;                                    /* "YYYY-MM-DD.hhmmss[+HHMM]" */
    if (strnlen(s, 17) < 17)                /* shorter: nothing past its end is read */
        return -1;
    int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 0 || s[4] != '-' || mo < 1 || mo > 12 || s[7] != '-' || d < 1 || d > 31
        || s[10] != '.')
        return -1;
    int h = digits(s + 11, 2), mi = digits(s + 13, 2), se = digits(s + 15, 2);
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
        return -1;
    const char *z = s + 17;
    if (*z == '+' || *z == '-') {
        int zh = digits(z + 1, 2), zm = digits(z + 3, 2);
        if (zh < 0 || zm < 0 || zm > 59)
            return -1;
        long long off = (zh * 60LL + zm) * 60 * (*z == '-' ? -1 : 1);
        *t = (time_t)(days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off);
        return 0;
    }
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = se;
    tm.tm_isdst = -1;
    *t = mktime(&tm);
    return 0;
}

/* ---- headers ---------------------------------------------------------- */

static char *dup_if(int present, const char *s)
{
    return present ? strdup(s) : NULL;
}

int ft_file_probe(struct ft_file *f, struct ft_err *err)
{
    if (f->has & FT_FILE_ONCE)
        return ft_err_set(err, "%s: a pipe can be read only once, so it is not probed",
                          f->path);
    struct ft_reader *r = ft_reader_open_path(f->path, err);
    if (!r) {
        f->has |= FT_FILE_BAD;
        return -1;
    }
    const struct ft_header *h = ft_reader_header(r);
    struct ft_file_header *o = &f->hdr;
    free_header_strings(o);
    o->present = h->present;
    o->flags = h->flags;
    o->d_version = h->d_version;
    o->agg_version = h->agg_version;
    o->agg_method = h->agg_method;
    o->vendor = h->vendor;
    o->s_version = h->s_version;
    o->byte_order = h->byte_order;
    o->exporter_ip = h->exporter_ip;
    o->cap_start = h->cap_start;
    o->cap_end = h->cap_end;
    o->rot_schedule = h->rot_schedule;
    o->flow_count = h->flow_count;
    o->flow_lost = h->flow_lost;
    o->flow_misordered = h->flow_misordered;
    o->pkt_corrupt = h->pkt_corrupt;
    o->seq_reset = h->seq_reset;
    o->hostname = dup_if(FT_HAS(h, FT_TLV_CAP_HOSTNAME), h->hostname);
    o->comments = dup_if(FT_HAS(h, FT_TLV_COMMENTS), h->comments);
    ft_reader_close(r);
    f->has = (f->has & ~(unsigned)FT_FILE_BAD) | FT_FILE_PROBED;
    return 0;
}

int ft_file_start(const struct ft_file *f, time_t *start)
{
    if ((f->has & FT_FILE_PROBED) && FT_HAS(&f->hdr, FT_TLV_CAP_START)) {
        *start = (time_t)f->hdr.cap_start;
        return 1;
    }
    if (f->has & FT_FILE_NAME_TIME) {
        *start = f->name_time;
        return 1;
    }
    *start = 0;
    return 0;
}

int ft_file_end(const struct ft_file *f, time_t *end)
{
    if ((f->has & FT_FILE_PROBED) && FT_HAS(&f->hdr, FT_TLV_CAP_END)) {
        *end = (time_t)f->hdr.cap_end;
        return 1;
    }
    return ft_file_start(f, end);
}

/* ---- sorting ---------------------------------------------------------- */

struct sort_key {
    time_t start;
    unsigned arg;
    size_t index;
};

static int global_order(const void *a, const void *b)
{
    const struct sort_key *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int per_arg_order(const void *a, const void *b)
{
    const struct sort_key *x = a, *y = b;
    if (x->arg != y->arg)
        return x->arg < y->arg ? -1 : 1;
    return global_order(a, b);
}

void ft_files_sort(struct ft_file_list *l, int global)
{
    if (l->n < 2)
        return;
    struct sort_key *keys = malloc(l->n * sizeof *keys);
    struct ft_file *sorted = malloc(l->n * sizeof *sorted);
    if (!keys || !sorted) {         /* unsorted is still a usable list */
        free(keys);
        free(sorted);
        return;
    }
    for (size_t i = 0; i < l->n; i++) {
        ft_file_start(&l->files[i], &keys[i].start);
        keys[i].arg = l->files[i].arg;
        keys[i].index = i;
    }
    qsort(keys, l->n, sizeof *keys, global ? global_order : per_arg_order);
    for (size_t i = 0; i < l->n; i++)
        sorted[i] = l->files[keys[i].index];
    free(l->files);
    free(keys);
    l->files = sorted;
    l->cap = l->n;
}
