/*
 * ledger.c - flow-clickhouse's ledger of loaded files (see ledger.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ledger.h"

static int cmp_path(const void *a, const void *b)
{
    return strcmp(((const struct ledger_entry *)a)->path, ((const struct ledger_entry *)b)->path);
}

/* The index where path is or would go. */
static size_t slot(const struct ledger *l, const char *path, int *found)
{
    size_t lo = 0, hi = l->n;
    *found = 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(l->e[mid].path, path);
        if (c == 0) {
            *found = 1;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

struct ledger_entry *ledger_find(struct ledger *l, const char *path)
{
    int found;
    size_t i = slot(l, path, &found);
    return found ? &l->e[i] : NULL;
}

static int add(struct ledger *l, size_t at, const char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        struct ledger_entry *e = realloc(l->e, cap * sizeof *e);
        if (!e)
            return -1;
        l->e = e;
        l->cap = cap;
    }
    char *p = strdup(path);
    if (!p)
        return -1;
    memmove(&l->e[at + 1], &l->e[at], (l->n - at) * sizeof *l->e);
    l->e[at] = (struct ledger_entry){ .path = p };
    l->n++;
    return 0;
}

static int read_ledger(struct ledger *l, char *msg, size_t size)
{
    FILE *f = fopen(l->path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        snprintf(msg, size, "%s: %s", l->path, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        char state;
        uint64_t id, rows;
        int off = 0;
        if (line[len - 1] != '\n')
            break;      /* a line cut short: the ledger is only ever renamed whole, so never */
        line[len - 1] = 0;
        if (sscanf(line, "%c %" SCNu64 " %" SCNu64 " %n", &state, &id, &rows, &off) != 3 ||
            off == 0 || !strchr("DBX", state)) {
            snprintf(msg, size, "%s: bad line \"%.100s\"", l->path, line);
            free(line);
            fclose(f);
            return -1;
        }
        if (add(l, l->n, line + off) < 0)
            break;
        l->e[l->n - 1].state = state;
        l->e[l->n - 1].id = id;
        l->e[l->n - 1].rows = rows;
    }
    free(line);
    fclose(f);
    qsort(l->e, l->n, sizeof *l->e, cmp_path);
    return 0;
}

int ledger_open(struct ledger *l, const char *path, char *msg, size_t size)
{
    memset(l, 0, sizeof *l);
    l->lock_fd = -1;
    size_t n = strlen(path) + 8;
    char *lock = malloc(n);
    l->path = strdup(path);
    if (!lock || !l->path) {
        free(lock);
        snprintf(msg, size, "out of memory");
        return -1;
    }
    snprintf(lock, n, "%s.lock", path);
    l->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (l->lock_fd < 0 || flock(l->lock_fd, LOCK_EX) < 0) {
        snprintf(msg, size, "%s: %s", lock, strerror(errno));
        free(lock);
        return -1;
    }
    free(lock);
    return read_ledger(l, msg, size);
}

void ledger_close(struct ledger *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->e[i].path);
    free(l->e);
    if (l->lock_fd >= 0)
        close(l->lock_fd);      /* releases the lock */
    free(l->path);
    memset(l, 0, sizeof *l);
    l->lock_fd = -1;
}

static int write_ledger(struct ledger *l, char *msg, size_t size)
{
    size_t n = strlen(l->path) + 8;
    char *tmp = malloc(n);
    if (!tmp) {
        snprintf(msg, size, "out of memory");
        return -1;
    }
    snprintf(tmp, n, "%s.tmp", l->path);
    FILE *f = fopen(tmp, "w");
    int ok = f != NULL;
    for (size_t i = 0; ok && i < l->n; i++)
        ok = fprintf(f, "%c %" PRIu64 " %" PRIu64 " %s\n", l->e[i].state, l->e[i].id,
                     l->e[i].rows, l->e[i].path) > 0;
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, l->path) < 0) {
        snprintf(msg, size, "%s: %s", tmp, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int ledger_set(struct ledger *l, const char *path, char state, uint64_t id, uint64_t rows,
               char *msg, size_t size)
{
    int found;
    size_t i = slot(l, path, &found);
    if (!found && add(l, i, path) < 0) {
        snprintf(msg, size, "out of memory");
        return -1;
    }
    l->e[i].state = state;
    l->e[i].id = id;
    l->e[i].rows = rows;
    return write_ledger(l, msg, size);
}

void ledger_prune(struct ledger *l)
{
    size_t o = 0;
    struct stat st;
    for (size_t i = 0; i < l->n; i++) {
        /* a begun load is kept: its rows must still be removed */
        if (l->e[i].state != 'B' && stat(l->e[i].path, &st) < 0 && errno == ENOENT)
            free(l->e[i].path);
        else
            l->e[o++] = l->e[i];
    }
    l->n = o;
}
