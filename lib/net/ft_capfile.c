/*
 * ft_capfile.c - capture file naming, rotation schedule and expiry.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "net/ft_capfile.h"
#include "core/ft_err.h"
#include "core/ft_grow.h"
#include "net/ft_files.h"           /* ft_walk_dir, ft_files_flow_name */

/* ---- naming ------------------------------------------------------------- */

/* "YYYY/YYYY-MM/YYYY-MM-DD/" and friends for nesting -3..3. */
static int nest_dirs(char *buf, size_t size, int nesting, const struct tm *tm)
{
    int y = tm->tm_year + 1900, m = tm->tm_mon + 1, d = tm->tm_mday;
    switch (nesting) {
    case 0:
        return snprintf(buf, size, "%s", "");
    case 1:
        return snprintf(buf, size, "%04d/", y);
    case 2:
        return snprintf(buf, size, "%04d/%04d-%02d/", y, y, m);
    case 3:
    case -3:
        return snprintf(buf, size, "%04d/%04d-%02d/%04d-%02d-%02d/", y, y, m, y, m, d);
    case -1:
        return snprintf(buf, size, "%04d-%02d-%02d/", y, m, d);
    case -2:
        return snprintf(buf, size, "%04d-%02d/%04d-%02d-%02d/", y, m, y, m, d);
    default:
        return -1;
    }
}

/* "05", "1005", "08m01". */
static int version_tag(char *buf, size_t size, const struct ft_format *fmt)
{
    if (fmt->d_version == 8)
        return snprintf(buf, size, "08m%02u", fmt->agg_method);
    return snprintf(buf, size, "%02u", fmt->d_version);
}

int ft_capfile_path(char *buf, size_t size, int nesting, const struct ft_format *fmt,
                    time_t t, int tmp)
{
    struct tm tm;
    char dirs[64], ver[16];
    if (!localtime_r(&t, &tm))
        return -1;
    int nd = nest_dirs(dirs, sizeof dirs, nesting, &tm);
    if (nd < 0 || (size_t)nd >= sizeof dirs)
        return -1;
    version_tag(ver, sizeof ver, fmt);
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    int n = snprintf(buf, size, "%s%sv%s.%04d-%02d-%02d.%02d%02d%02d%c%02ld%02ld", dirs,
                     tmp ? "tmp-" : "ft-", ver, tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600,
                     off % 3600 / 60);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

int ft_capfile_final_path(const char *tmp_path, char *buf, size_t size)
{
    const char *slash = strrchr(tmp_path, '/');
    const char *base = slash ? slash + 1 : tmp_path;
    if (strncmp(base, "tmp-", 4) != 0)
        return -1;
    int n = snprintf(buf, size, "%.*sft-%s", (int)(base - tmp_path), tmp_path, base + 4);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

int ft_capfile_mkdirs(const char *path, struct ft_err *err)
{
    char dir[FT_CAPFILE_PATH_MAX];
    size_t len = strlen(path);
    if (len >= sizeof dir)
        return ft_err_set(err, "%s: path too long", path);
    memcpy(dir, path, len + 1);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
            return ft_err_set(err, "mkdir %s: %s", dir, strerror(errno));
        *p = '/';
    }
    return 0;
}

/* link() refuses to replace an existing name, which rename() would do.
 * Filesystems without hard links get an existence check and rename. */
static int place_without_replacing(const char *from, const char *to)
{
    if (link(from, to) == 0)
        return unlink(from) == 0 || errno == ENOENT ? 0 : -1;
    if (errno == EEXIST)
        return -1;
    if (errno != EPERM && errno != ENOTSUP && errno != EOPNOTSUPP && errno != EMLINK)
        return -1;
    struct stat st;
    if (lstat(to, &st) == 0) {
        errno = EEXIST;
        return -1;
    }
    return rename(from, to);
}

int ft_capfile_commit(const char *tmp_path, const char *final_path, char *used,
                      size_t used_size, struct ft_err *err)
{
    char name[FT_CAPFILE_PATH_MAX];
    for (int i = 0; i < 100; i++) {
        int n = i == 0 ? snprintf(name, sizeof name, "%s", final_path)
                       : snprintf(name, sizeof name, "%s.%d", final_path, i);
        if (n < 0 || (size_t)n >= sizeof name)
            return ft_err_set(err, "%s: path too long", final_path);
        if (place_without_replacing(tmp_path, name) == 0) {
            if (used)
                snprintf(used, used_size, "%s", name);
            return 0;
        }
        if (errno != EEXIST)
            return ft_err_set(err, "rename %s to %s: %s", tmp_path, name, strerror(errno));
    }
    return ft_err_set(err, "rename %s: %s and 99 numbered names exist", tmp_path, final_path);
}

/* ---- rotation ----------------------------------------------------------- */

unsigned ft_capfile_interval(unsigned rotations)
{
    if (rotations > FT_ROTATIONS_MAX)
        rotations = FT_ROTATIONS_MAX;
    return 86400u / (rotations + 1u);
}

/* Local midnight of the day of t, days_ahead days later (DST-aware). */
static time_t local_midnight(time_t t, int days_ahead)
{
    struct tm tm;
    localtime_r(&t, &tm);
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    tm.tm_mday += days_ahead;
    tm.tm_isdst = -1;
    return mktime(&tm);
}

time_t ft_capfile_next_rotation(time_t now, unsigned rotations)
{
    time_t midnight = local_midnight(now, 0);
    time_t tomorrow = local_midnight(now, 1);
    time_t interval = (time_t)ft_capfile_interval(rotations);
    time_t next = midnight + ((now - midnight) / interval + 1) * interval;
    return next < tomorrow ? next : tomorrow;
}

/* ---- expiry ------------------------------------------------------------- */

int ft_capfile_parse_size(const char *s, uint64_t *bytes)
{
    char *end;
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno)
        return -1;
    uint64_t mult = 1;
    switch (*end) {
    case '\0': break;
    case 'b': case 'B': mult = 512; break;
    case 'k': case 'K': mult = 1024; break;
    case 'm': case 'M': mult = 1024 * 1024; break;
    case 'g': case 'G': mult = 1024 * 1024 * 1024; break;
    default: return -1;
    }
    if (*end && end[1])
        return -1;
    if (v > UINT64_MAX / mult)
        return -1;
    *bytes = v * mult;
    return 0;
}

void ft_expiry_init(struct ft_expiry *x, uint64_t max_files, uint64_t max_bytes)
{
    memset(x, 0, sizeof *x);
    x->max_files = max_files;
    x->max_bytes = max_bytes;
    x->table_limit = FT_EXPIRY_MAX_FILES_DEFAULT;
}

void ft_expiry_free(struct ft_expiry *x)
{
    for (size_t i = x->head; i < x->n; i++)
        free(x->files[i].path);
    free(x->files);
    x->files = NULL;
    x->head = x->n = x->cap = 0;
    x->total_bytes = 0;
}

size_t ft_expiry_count(const struct ft_expiry *x)
{
    return x->n - x->head;
}

const struct ft_expiry_file *ft_expiry_get(const struct ft_expiry *x, size_t i)
{
    return i < ft_expiry_count(x) ? &x->files[x->head + i] : NULL;
}

/* Room for one more entry: first reuse the slots expiry freed at the front. */
static int make_room(struct ft_expiry *x)
{
    if (x->head > 0 && (x->n == x->cap || x->head >= x->cap / 2)) {
        memmove(x->files, x->files + x->head, (x->n - x->head) * sizeof *x->files);
        x->n -= x->head;
        x->head = 0;
    }
    return FT_RESERVE(x->files, x->cap, x->n);
}

int ft_expiry_add(struct ft_expiry *x, const char *path, uint64_t bytes, uint32_t start,
                  struct ft_err *err)
{
    if (ft_expiry_count(x) >= x->table_limit) {
        x->refused++;
        return ft_err_set(err, "%s: not tracked for expiry, %zu files already are", path,
                    x->table_limit);
    }
    char *copy = strdup(path);
    if (!copy || make_room(x) < 0) {
        free(copy);
        return ft_err_set(err, "%s: out of memory tracking files for expiry", path);
    }
    struct ft_expiry_file *f = &x->files[x->n++];
    f->path = copy;
    f->bytes = bytes;
    f->start = start;
    f->order = x->next_order++;
    x->total_bytes += bytes;
    return 0;
}

static int by_start(const void *a, const void *b)
{
    const struct ft_expiry_file *fa = a, *fb = b;
    if (fa->start != fb->start)
        return fa->start < fb->start ? -1 : 1;
    return fa->order < fb->order ? -1 : fa->order > fb->order;
}

struct scan {
    struct ft_expiry *x;
    ft_expiry_note_fn note;
    void *arg;
};

static void scan_note(struct scan *s, const char *path, const char *why)
{
    if (s->note)
        s->note(s->arg, path, why);
}

/* Track one candidate file if its header reads. */
static void scan_file(struct scan *s, const char *path, const struct stat *st)
{
    struct ft_err err;
    struct ft_reader *r = ft_reader_open_path(path, &err);
    if (!r) {
        scan_note(s, path, err.msg);
        return;
    }
    const struct ft_header *h = ft_reader_header(r);
    uint32_t start = FT_HAS(h, FT_TLV_CAP_START) ? h->cap_start : 0;
    ft_reader_close(r);
    if (ft_expiry_add(s->x, path, (uint64_t)st->st_size, start, &err) < 0)
        scan_note(s, path, err.msg);
}

/* Every flow file is a candidate, "tmp" ones included (as the original). */
static int scan_entry(void *scan, const char *path, const char *name, const struct stat *st)
{
    if (ft_files_flow_name(name))
        scan_file(scan, path, st);
    return 0;
}

static void scan_problem(void *scan, const char *path, const char *why)
{
    scan_note(scan, path, why);
}

/* Directories walked, the top one included. */
#define SCAN_DEPTH_MAX 50

int ft_expiry_scan(struct ft_expiry *x, const char *dir, ft_expiry_note_fn note, void *arg,
                   struct ft_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return ft_err_set(err, "%s: %s", dir, strerror(errno));
    closedir(d);
    struct scan s = {x, note, arg};
    struct ft_walk w = {SCAN_DEPTH_MAX - 1, 0, scan_entry, scan_problem, &s};
    ft_walk_dir(dir, &w);
    if (ft_expiry_count(x) > 1)
        qsort(x->files + x->head, ft_expiry_count(x), sizeof *x->files, by_start);
    return 0;
}

/* Drop the oldest entry, unlinking its file unless dry_run. */
static void expire_oldest(struct ft_expiry *x, int why, int dry_run, ft_expiry_remove_fn cb,
                          void *arg)
{
    struct ft_expiry_file *f = &x->files[x->head];
    int errnum = 0;
    if (!dry_run && unlink(f->path) < 0)
        errnum = errno;
    if (cb)
        cb(arg, f->path, why, errnum);
    x->total_bytes -= f->bytes;
    free(f->path);
    f->path = NULL;
    x->head++;
    if (x->head == x->n)
        x->head = x->n = 0;
}

size_t ft_expiry_run(struct ft_expiry *x, uint64_t current_bytes, int dry_run,
                     ft_expiry_remove_fn cb, void *arg)
{
    size_t dropped = 0;
    while (x->max_files && ft_expiry_count(x) > x->max_files) {
        expire_oldest(x, 1, dry_run, cb, arg);
        dropped++;
    }
    while (x->max_bytes && ft_expiry_count(x) > 0 &&
           x->total_bytes + current_bytes > x->max_bytes) {
        expire_oldest(x, 2, dry_run, cb, arg);
        dropped++;
    }
    return dropped;
}
