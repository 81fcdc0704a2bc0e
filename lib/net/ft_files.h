/*
 * ft_files.h - the list of flow files a command line names.
 *
 * flow-cat (and any tool that takes files and directories) turns its
 * arguments into one list:
 *   - "-" is standard input;
 *   - a directory is walked recursively; of its files only names starting
 *     "ft", "cf" or "tmp" are taken, "tmp" ones (files flow-capture is still
 *     writing) only with FT_FILES_TMP; directories are walked in name order,
 *     symbolic links to directories are not followed;
 *   - any other name is taken as given (a file named on the command line is
 *     never skipped for its name).
 * Each file then gets its stream header read (ft_file_probe), and the list
 * is sorted by capture start, per argument or all together (flow-cat -g).
 *
 * Nothing here prints: problems come back in struct ft_err, several at once
 * as "first problem (and N more)".
 */
#ifndef FT_FILES_H
#define FT_FILES_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>
#include "stream/ft_stream.h"

#define FT_FILES_TMP        0x1     /* take "tmp" files found in directories */

#define FT_FILES_MAX_DEFAULT 1000000u
#define FT_FILES_DEPTH_MAX  64      /* directory nesting walked at most */

/* What is known about a file (bits of struct ft_file.has). */
#define FT_FILE_STDIN       0x01    /* "-": standard input, never probed */
#define FT_FILE_NAME_TIME   0x02    /* name_time was parsed from the name */
#define FT_FILE_PROBED      0x04    /* hdr holds the stream header */
#define FT_FILE_BAD         0x08    /* the header could not be read */
#define FT_FILE_PIPE        0x10    /* a pipe or device: it can be read once
                                     * only, so it is never probed */
#define FT_FILE_ONCE        (FT_FILE_STDIN | FT_FILE_PIPE)

/* The parts of a stream header the file list keeps (strings only when
 * present; the interface name TLVs are not kept). */
struct ft_file_header {
    uint32_t present;               /* FT_HAS() bits, as struct ft_header */
    uint32_t flags;
    uint16_t d_version;
    uint8_t agg_version, agg_method, vendor, s_version, byte_order;
    uint32_t exporter_ip, cap_start, cap_end, rot_schedule;
    uint32_t flow_count, flow_lost, flow_misordered, pkt_corrupt, seq_reset;
    char *hostname, *comments;      /* NULL when absent */
};

struct ft_file {
    char *path;
    unsigned arg;                   /* index of the argument it came from */
    unsigned has;                   /* FT_FILE_* */
    time_t name_time;               /* capture time in the file's name */
    struct ft_file_header hdr;      /* with FT_FILE_PROBED */
};

struct ft_file_list {
    struct ft_file *files;
    size_t n, cap;
    size_t limit;                   /* files taken at most [FT_FILES_MAX_DEFAULT] */
    uint64_t refused;               /* files left out because of limit */
    uint64_t tmp_skipped;           /* "tmp" files left out (no FT_FILES_TMP) */
    uint64_t other_skipped;         /* directory entries with other names */
    unsigned args;                  /* arguments added so far */
};

void ft_files_init(struct ft_file_list *l);
void ft_files_free(struct ft_file_list *l);

/*
 * Add one command-line argument (a file, a directory or "-").  Returns 0,
 * or -1 with err filled when the argument does not exist, is neither a
 * file nor a directory, or part of a directory could not be read (what
 * could be read is still added).
 */
int ft_files_add(struct ft_file_list *l, const char *arg, unsigned flags, struct ft_err *err);

/*
 * Whether a directory entry's name is a flow file's: 1 for flow-capture's
 * finished files ("ft...") and cflowd's ("cf..."), 2 for the "tmp..." files
 * flow-capture is still writing, 0 for any other name.
 */
int ft_files_flow_name(const char *name);

/*
 * Walking a directory tree of flow files, the one walk flow-cat's directory
 * arguments and flow-capture's expiry share: entries in name order,
 * subdirectories down to max_depth levels below the top, symbolic links to
 * directories never followed.  file() sees each regular file (and, with
 * FT_WALK_LINKS, each symbolic link to one; st is then the target's) and
 * returns nonzero to stop the walk.  problem() hears of what could not be
 * read ("path: why"); an entry that vanished while the walk went on is no
 * problem (files come and go under a running capture).
 */
struct stat;
#define FT_WALK_LINKS 0x1
struct ft_walk {
    int max_depth;
    unsigned flags;                 /* FT_WALK_* */
    int (*file)(void *ctx, const char *path, const char *name, const struct stat *st);
    void (*problem)(void *ctx, const char *path, const char *why);
    void *ctx;
};
/* 1 when file() stopped the walk, else 0. */
int ft_walk_dir(const char *dir, const struct ft_walk *w);

/*
 * The capture time written in a flow-capture file name
 * ("ft-v05.2024-03-14.091051+0000", "tmp-v08m01.2024-03-14.091051-0500";
 * directories in the path are ignored).  Names without the zone suffix are
 * local time.  0 and *t, or -1 if the name is not of that form.
 */
int ft_files_name_time(const char *path, time_t *t);

/*
 * Read the header of f (not for standard input, pipes and devices) into f->hdr.  0, or -1
 * with err filled and FT_FILE_BAD set when it is not a readable stream.
 */
int ft_file_probe(struct ft_file *f, struct ft_err *err);

/*
 * The capture start to sort and select by: the header's CAP_START, else
 * the time in the name, else 0.  Likewise the capture end (header CAP_END,
 * else the start).  0/1: whether any time was known.
 */
int ft_file_start(const struct ft_file *f, time_t *start);
int ft_file_end(const struct ft_file *f, time_t *end);

/*
 * Sort by capture start, keeping the order of files that start at the same
 * second: all files together (global), or each argument's files among
 * themselves with the arguments kept in command-line order.
 */
void ft_files_sort(struct ft_file_list *l, int global);

#endif
