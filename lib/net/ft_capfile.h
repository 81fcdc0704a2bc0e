/*
 * ft_capfile.h - capture files as flow-capture names, rotates and expires them.
 *
 * Names (tools.md 1.1): <nest dirs>/<tmp-|ft->v<NN>.<YYYY>-<MM>-<DD>.<hhmmss><+|-><HHMM>
 * in local time, NN the d_version with at least two digits ("08m01" for v8
 * aggregation 1).  Rotation (1.2): n rotations a day split the local day
 * into n+1 slots starting at local midnight.  Expiry (1.4): the oldest files
 * go while there are more than -e files or more than -E bytes.
 *
 * flow-capture and flow-expire share all of it.  Nothing here prints:
 * what expiry removes or ignores is reported through callbacks.
 */
#ifndef FT_CAPFILE_H
#define FT_CAPFILE_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include "stream/ft_format.h"
#include "stream/ft_stream.h"

#define FT_CAPFILE_PATH_MAX 1024
#define FT_NEST_MIN (-3)
#define FT_NEST_MAX 3
#define FT_NEST_DEFAULT 3
#define FT_ROTATIONS_MAX 1439       /* every minute */
#define FT_ROTATIONS_DEFAULT 95     /* every 15 minutes */

/*
 * The path (relative to the work directory) of a file of format fmt created
 * at time t, with prefix "tmp-" (tmp = 1) or "ft-".  Returns the length, or
 * -1 if it does not fit or nesting is outside -3..3.
 */
int ft_capfile_path(char *buf, size_t size, int nesting, const struct ft_format *fmt,
                    time_t t, int tmp);

/* The "ft-" path of a "tmp-" path (only the last component changes).
 * -1 if the last component does not start with "tmp-". */
int ft_capfile_final_path(const char *tmp_path, char *buf, size_t size);

/* Create the directories of path (not its last component), mode 0755. */
int ft_capfile_mkdirs(const char *path, struct ft_err *err);

/*
 * Give a finished file its final name without replacing an existing file:
 * if final_path exists, ".1", ".2", ... (up to ".99") are tried.  The name
 * used is copied to used (may be NULL).  0, or -1 with err filled.
 */
int ft_capfile_commit(const char *tmp_path, const char *final_path, char *used,
                      size_t used_size, struct ft_err *err);

/* Seconds between rotations for n rotations a day (n in 0..1439). */
unsigned ft_capfile_interval(unsigned rotations);

/*
 * The next rotation after now: local midnight + k * interval, the first such
 * instant after now, and never later than the next local midnight.
 */
time_t ft_capfile_next_rotation(time_t now, unsigned rotations);

/* ---- expiry ------------------------------------------------------------ */

/*
 * Parse an -E size: a number (decimal, 0x hex or 0 octal) optionally
 * followed by b (x512), K, M or G (x1024^n, either case).  -1 if bad.
 */
int ft_capfile_parse_size(const char *s, uint64_t *bytes);

struct ft_expiry_file {
    char *path;                 /* as given to add/scan */
    uint64_t bytes;
    uint32_t start;             /* capture start from the header (0 if absent) */
    uint64_t order;             /* insertion order, keeps sorting stable */
};

#define FT_EXPIRY_MAX_FILES_DEFAULT 10000000u

struct ft_expiry {
    uint64_t max_files;         /* -e: 0 = no limit */
    uint64_t max_bytes;         /* -E: 0 = no limit */
    size_t table_limit;         /* entries kept at most [FT_EXPIRY_MAX_FILES_DEFAULT] */
    uint64_t refused;           /* files not tracked because of table_limit */
    /* the list, oldest first: files[head .. n) */
    struct ft_expiry_file *files;
    size_t head, n, cap;
    uint64_t total_bytes;
    uint64_t next_order;
};

void ft_expiry_init(struct ft_expiry *x, uint64_t max_files, uint64_t max_bytes);
void ft_expiry_free(struct ft_expiry *x);
/* Files tracked. */
size_t ft_expiry_count(const struct ft_expiry *x);
/* Tracked file i (0 = oldest). */
const struct ft_expiry_file *ft_expiry_get(const struct ft_expiry *x, size_t i);

/* Track one more file (the newest).  -1 on out of memory or limit reached
 * (then counted in refused). */
int ft_expiry_add(struct ft_expiry *x, const char *path, uint64_t bytes, uint32_t start,
                  struct ft_err *err);

/* Called for every file a scan skips, with the reason. */
typedef void (*ft_expiry_note_fn)(void *arg, const char *path, const char *why);

/*
 * Add every regular file under dir (depth <= 50) whose name starts with
 * "ft", "cf" or "tmp" and whose stream header reads, then sort everything
 * tracked by capture start (stable).  Paths are dir + "/" + relative path.
 * Files with such names whose header cannot be read, and directories that
 * cannot be opened, are reported through note (may be NULL) and skipped;
 * other names are skipped silently.  -1 only when dir itself cannot be read.
 */
int ft_expiry_scan(struct ft_expiry *x, const char *dir, ft_expiry_note_fn note, void *arg,
                   struct ft_err *err);

/* Called for every file expiry removes: why 1 = too many files, 2 = too
 * many bytes; errnum is unlink's errno (0 on success, never set when
 * dry_run; a file already gone gives ENOENT and is still dropped). */
typedef void (*ft_expiry_remove_fn)(void *arg, const char *path, int why, int errnum);

/*
 * Remove the oldest files while more than max_files are tracked, then while
 * their bytes plus current_bytes (the file being written) exceed max_bytes.
 * With dry_run nothing is unlinked but the list still drops them.
 * Returns the number of files dropped.
 */
size_t ft_expiry_run(struct ft_expiry *x, uint64_t current_bytes, int dry_run,
                     ft_expiry_remove_fn cb, void *arg);

#endif
