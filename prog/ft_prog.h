/*
 * ft_prog.h - what every ftkit program does the same way: messages on stderr
 * prefixed with the program's flow-tools name, fatal errors with exit status 1,
 * and the options shared by many tools (-b byte order, numbers and sizes,
 * localip/remoteip/port arguments, -B, the exporters' -V).
 *
 * This is program-side code (it prints and exits), so it lives outside lib/.
 */
#ifndef FT_PROG_H
#define FT_PROG_H

#include <signal.h>
#include <stdint.h>

/* The name messages start with; set once at the top of main(). */
extern const char *ft_progname;

/* "progname: message" on stderr. */
void ft_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same, then exit(1). */
void ft_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* -b big|little (any case) as FT_ORDER_*; dies with the original's message otherwise. */
int ft_opt_byte_order(const char *arg);

struct ft_addrspec;
struct ft_err;

/* The localip/remoteip/port argument a collector listens on; dies with the
 * parser's message when it is not one. */
void ft_opt_listen_addr(const char *arg, struct ft_addrspec *a);
/* A localip/remoteip/port[/ttl] to send to: dies unless it names a remote. */
void ft_opt_dest_addr(const char *arg, struct ft_addrspec *a);
/* A decimal number in lo..hi; dies with "bad <what> \"arg\"". */
long ft_opt_long(const char *arg, long lo, long hi, const char *what);
/* A count or size with an optional b/K/M/G suffix (-e, -E); dies with
 * "bad <what> \"arg\"". */
uint64_t ft_opt_size(const char *arg, const char *what);
/* -B size[bKMG] as an int; dies with "bad receive buffer size". */
int ft_opt_rcvbuf(const char *arg);
/* -V of the exporting tools (flow-send, flow-fanout): V or 8.M, for the
 * versions the encoder writes; verb completes "cannot <verb> NetFlow version". */
void ft_opt_export_version(const char *arg, const char *verb, unsigned *version,
                           unsigned *agg_method);
/* The symbol tables' directory: $FTKIT_SYMDIR when it is set, else NULL
 * (ftlib's default, FT_SYM_DEFAULT_DIR). */
const char *ft_prog_symdir(void);
/* After getopt: dies with flow-tools' "Extra arguments starting with X."
 * when arguments are left over. */
void ft_opt_no_extra(int argc, char **argv);
/* Dies with err's message when rc < 0 (a library call that failed). */
void ft_check(int rc, const struct ft_err *err);

struct ft_reader;
struct ft_out;
struct ft_tag;
struct ft_tag_def;
struct ft_vars;

/* The default tag file of -t (flow-tag, flow-capture). */
#define FT_DEFAULT_TAG_FILE FT_SYSCONFDIR "/cfg/tag.cfg"

/* -t/-T: the tag definition name (-T) of the tag file path (-t; NULL for
 * the default), variables from -v.  Dies with the loader's message, "no tag
 * definition given (-T)" when name is NULL, or "PATH: no tag-definition
 * "NAME"".  *tag gets the loaded file (ft_tag_free). */
const struct ft_tag_def *ft_opt_tag_def(const char *path, const char *name,
                                        const struct ft_vars *vars, struct ft_tag **tag);
/* The same, returning NULL with the message in *err instead of dying
 * (flow-capture's reload on SIGHUP). */
const struct ft_tag_def *ft_tag_def_load(const char *path, const char *name,
                                         const struct ft_vars *vars, struct ft_tag **tag,
                                         struct ft_err *err);

/* Set by HUP, INT, QUIT and TERM once ft_catch_stop_signals ran: the file
 * tools (flow-cat, flow-merge) then stop after the current batch and finish
 * their output normally. */
extern volatile sig_atomic_t ft_stop_requested;
void ft_catch_stop_signals(void);

struct ft_file_list;
/*
 * The files and directories of the command line (standard input without
 * any), FT_FILES_* flags for directories, each header read and the list
 * sorted (ft_files_sort, `global` as -g).  What cannot be read is said and
 * skipped; returns 1 then (the exit status so far), else 0.
 */
int ft_prog_file_list(struct ft_file_list *l, int argc, char **argv, unsigned flags,
                      int global);

/* The flow stream on standard input, every filter-style tool's input; dies
 * with the reader's message when it is not one. */
struct ft_reader *ft_stdin_reader(void);
/* Buffered text output on standard output (ft_out_init); dies with "out of
 * memory". */
void ft_stdout_text(struct ft_out *out);

#endif
