/*
 * flow-clickhouse - load flow files into a ClickHouse table over HTTP.
 *
 * Each file goes in as one load: its rows carry the file's name and a load
 * id (a hash of host and path), so a load can be told apart and removed.
 * Loading a file again replaces its rows (the old ones are deleted first),
 * so nothing is ever in the table twice.  With a ledger (-l, or -d DIR's
 * default DIR.ledger) a file is loaded once: a "begun" entry is written
 * before its rows are sent and a "done" entry after the server took them;
 * a load found begun (the shipper died) is removed before the file is sent
 * again.  While the server is down or refuses, a file is retried with
 * backoff (-r tries); files that still fail wait for the next run.
 * -d DIR loads every closed capture file under DIR not in the ledger (the
 * catch-up, also what flow-capture's -R hook runs), -f SECONDS keeps doing
 * so (the service).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/ft_err.h"
#include "io/ft_chhttp.h"
#include "io/ft_chrow.h"
#include "net/ft_files.h"
#include "stream/ft_stream.h"
#include "ft_prog.h"
#include "ledger.h"

#define CHUNK (1u << 20)            /* bytes of rows per HTTP chunk */
#define MAX_SHARDS 64
#define BACKOFF_MAX 60              /* seconds between tries at most */
#define DELETE_WAIT 120             /* seconds for a removal to finish */

struct options {
    struct ft_ch_url url;           /* -u */
    struct ft_ch_url shard[MAX_SHARDS];     /* -S: where a partial load is removed */
    int nshard;
    const char *table, *local, *cluster;    /* -t, -L, -C */
    const char *ledger, *dir, *source;      /* -l, -d, -n */
    int create, ddl, verbose;
    int tries;                      /* -r: tries per file, 0 without end */
    int follow;                     /* -f: seconds between scans, 0 once */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(void)
{
    fprintf(stderr,
        "Usage: flow-clickhouse [-chv] [-u url] [-t table] [-C cluster -L local_table]\n"
        "                       [-S shard_url ...] [-l ledger] [-d dir [-f seconds]]\n"
        "                       [-n source] [-r tries] [file ...]\n"
        "       flow-clickhouse --ddl [-t table] [-C cluster -L local_table]\n");
}

static void parse_options(int argc, char **argv, struct options *o)
{
    static const struct option longs[] = { { "ddl", no_argument, NULL, 'D' }, { 0, 0, 0, 0 } };
    struct ft_err err;
    int c;
    memset(o, 0, sizeof *o);
    o->table = "flows";
    o->tries = 8;
    ft_check(ft_ch_url_parse("http://127.0.0.1:8123/", &o->url, &err), &err);
    while ((c = getopt_long(argc, argv, "cC:d:f:hl:L:n:r:S:t:u:v", longs, NULL)) != -1) {
        switch (c) {
        case 'c': o->create = 1; break;
        case 'C': o->cluster = optarg; break;
        case 'D': o->ddl = 1; break;
        case 'd': o->dir = optarg; break;
        case 'f': o->follow = (int)ft_opt_long(optarg, 1, 86400, "scan interval"); break;
        case 'l': o->ledger = optarg; break;
        case 'L': o->local = optarg; break;
        case 'n': o->source = optarg; break;
        case 'r': o->tries = (int)ft_opt_long(optarg, 0, 1000000, "tries"); break;
        case 'S':
            if (o->nshard == MAX_SHARDS)
                ft_die("more than %d shards", MAX_SHARDS);
            ft_check(ft_ch_url_parse(optarg, &o->shard[o->nshard++], &err), &err);
            break;
        case 't': o->table = optarg; break;
        case 'u': ft_check(ft_ch_url_parse(optarg, &o->url, &err), &err); break;
        case 'v': o->verbose = 1; break;
        case 'h': usage(); exit(0);
        default: usage(); exit(1);
        }
    }
    ft_check(ft_ch_check_name("table", o->table, &err), &err);
    if (o->cluster) {
        ft_check(ft_ch_check_name("cluster", o->cluster, &err), &err);
        if (!o->local)
            ft_die("-C needs -L, the shards' table");
    }
    if (o->local)
        ft_check(ft_ch_check_name("table", o->local, &err), &err);
    if (o->follow && !o->dir)
        ft_die("-f needs -d");
}

/* ---- statements ---------------------------------------------------------- */

static uint64_t query_count(const struct ft_ch_url *u, const char *table, uint64_t id,
                            int *ok, struct ft_err *err)
{
    char sql[256], *out = NULL;
    snprintf(sql, sizeof sql, "SELECT count() FROM %s WHERE load_id = %" PRIu64, table, id);
    *ok = ft_ch_query(u, sql, &out, NULL, 64, err) == 0;
    uint64_t n = *ok ? strtoull(out, NULL, 10) : 0;
    free(out);
    return n;
}

/* Wait (bounded) until no query of load id runs on u: a shipper killed in
 * the middle of a file leaves the server inserting what it had received. */
static int wait_load_ended(const struct ft_ch_url *u, uint64_t id, struct ft_err *err)
{
    char sql[256], *out = NULL;
    snprintf(sql, sizeof sql, "SELECT count() FROM system.processes WHERE "
             "query_id = 'ftkit-load-%" PRIu64 "' OR initial_query_id = 'ftkit-load-%" PRIu64 "'",
             id, id);
    for (int w = 0; w < DELETE_WAIT * 5; w++) {
        if (ft_ch_query(u, sql, &out, NULL, 64, err) < 0)
            return -1;
        int running = atoi(out) > 0;
        free(out);
        if (!running)
            return 0;
        struct timespec ts = { 0, 200000000 };
        nanosleep(&ts, NULL);
    }
    return ft_err_set(err, "load %" PRIu64 " still running after %d s", id, DELETE_WAIT);
}

/* Remove what a load left (ALTER ... DELETE: a mutation, done in the
 * background, so wait until the rows are gone). */
static int remove_load(const struct options *o, uint64_t id, struct ft_err *err)
{
    const char *t = o->local ? o->local : o->table;
    char sql[256];
    int ok;
    if (wait_load_ended(&o->url, id, err) < 0)
        return -1;
    for (int i = 0; i < o->nshard; i++)
        if (wait_load_ended(&o->shard[i], id, err) < 0)
            return -1;
    for (int i = 0; i < (o->nshard ? o->nshard : 1); i++) {
        const struct ft_ch_url *u = o->nshard ? &o->shard[i] : &o->url;
        uint64_t had = query_count(u, t, id, &ok, err);
        if (!ok)
            return -1;
        if (had == 0)
            continue;
        snprintf(sql, sizeof sql, "ALTER TABLE %s DELETE WHERE load_id = %" PRIu64, t, id);
        if (ft_ch_query(u, sql, NULL, NULL, 0, err) < 0)
            return -1;
        for (int w = 0; w < DELETE_WAIT * 5; w++) {
            if (query_count(u, t, id, &ok, err) == 0 && ok)
                break;
            if (!ok)
                return -1;
            struct timespec ts = { 0, 200000000 };
            nanosleep(&ts, NULL);
        }
        if (query_count(u, t, id, &ok, err) != 0 || !ok)
            return ok ? ft_err_set(err, "rows of load %" PRIu64 " still there after %d s",
                                   id, DELETE_WAIT) : -1;
    }
    return 0;
}

static int create_tables(const struct options *o, struct ft_err *err)
{
    char *ddl = ft_ch_ddl(o->table, o->cluster, o->local);
    if (!ddl)
        return ft_err_set(err, "out of memory");
    int rc = 0;
    char *dist = o->cluster ? strstr(ddl, "\nCREATE TABLE") : NULL;
    if (dist)
        *dist++ = 0;
    /* the MergeTree table on every shard (or the one server) */
    for (int i = 0; rc == 0 && i < (o->nshard ? o->nshard : 1); i++)
        rc = ft_ch_query(o->nshard ? &o->shard[i] : &o->url, ddl, NULL, NULL, 0, err);
    if (rc == 0 && dist)
        rc = ft_ch_query(&o->url, dist, NULL, NULL, 0, err);
    free(ddl);
    return rc;
}

/* ---- one load ------------------------------------------------------------ */

static uint64_t fnv1a64(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h & 0x7fffffffffffffffULL;       /* prints the same signed or not */
}

/* Send the flows of r as one insert; *rows what was sent.  -1 with err:
 * the server's fault (retry); *damaged when the file ended in damage
 * (its good records went in). */
static int send_rows(const struct options *o, struct ft_reader *r, const struct ft_ch_load *ld,
                     uint64_t *rows, int *damaged, struct ft_err *err)
{
    char cols[4096], sql[4400];
    if (ft_ch_columns(cols, sizeof cols) >= sizeof cols)
        return ft_err_set(err, "column list too long");
    snprintf(sql, sizeof sql, "INSERT INTO %s (%s) FORMAT RowBinary", o->table, cols);
    size_t rmax = ft_ch_row_max(ld), used = 0;
    uint8_t *buf = malloc(CHUNK + rmax);
    if (!buf)
        return ft_err_set(err, "out of memory");
    /* into a Distributed table: synchronously, so that "done" means the
     * shards hold the rows (not a queue on the server we talk to) */
    struct ft_ch_url u = o->url;
    size_t l = strlen(u.params);
    if (o->local)
        l += (size_t)snprintf(u.params + l, sizeof u.params - l, "%sinsert_distributed_sync=1",
                              l ? "&" : "");
    /* the query id names the load: the server refuses a second one while the
     * first runs, and recovery waits for it to end (see remove_load) */
    if (l < sizeof u.params)
        snprintf(u.params + l, sizeof u.params - l, "%squery_id=ftkit-load-%" PRIu64,
                 l ? "&" : "", ld->load_id);
    struct ft_ch_insert *in = ft_ch_insert_begin(&u, sql, err);
    if (!in) {
        free(buf);
        return -1;
    }
    const struct ft_flow *flows;
    ssize_t n = 0;
    *rows = 0;
    while (!stop_requested && (n = ft_reader_flows(r, &flows, FT_READ_BATCH)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            used += ft_ch_row_encode(&flows[i], ld, buf + used);
            if (used >= CHUNK) {
                if (ft_ch_insert_write(in, buf, used, err) < 0)
                    goto fail;
                used = 0;
            }
        }
        *rows += (uint64_t)n;
    }
    if (stop_requested) {
        ft_err_set(err, "stopped by a signal");
        goto fail;
    }
    *damaged = n < 0;
    if (*damaged)
        ft_warn("%s (the %" PRIu64 " flows before it are loaded)", ft_reader_error(r), *rows);
    if (ft_ch_insert_write(in, buf, used, err) < 0) {
        ft_ch_insert_abort(in);
        free(buf);
        return -1;
    }
    free(buf);
    return ft_ch_insert_end(in, err);
fail:
    ft_ch_insert_abort(in);
    free(buf);
    return -1;
}

enum { LOAD_OK, LOAD_RETRY, LOAD_BAD };

/* Load one file (path "-": standard input, no ledger). */
static int load_once(const struct options *o, struct ledger *lg, const char *path,
                     const char *name, uint64_t id, struct ft_err *err)
{
    char msg[600];
    struct ft_reader *r = ft_reader_open_path(path, err);
    if (!r)
        return LOAD_BAD;
    struct ledger_entry *e = lg ? ledger_find(lg, path) : NULL;
    /* rows from an earlier load of this file (begun and cut short, or the
     * same file loaded again without a ledger) go first */
    if ((!lg || (e && e->state == 'B')) && remove_load(o, id, err) < 0) {
        ft_reader_close(r);
        return LOAD_RETRY;
    }
    if (lg && ledger_set(lg, path, 'B', id, 0, msg, sizeof msg) < 0)
        ft_die("%s", msg);          /* without a ledger nothing is safe */
    struct ft_ch_load ld = { .file = name, .file_len = strlen(name), .load_id = id };
    uint64_t rows = 0;
    int damaged = 0;
    int rc = send_rows(o, r, &ld, &rows, &damaged, err);
    ft_reader_close(r);
    if (rc < 0)
        return LOAD_RETRY;
    if (lg && ledger_set(lg, path, 'D', id, rows, msg, sizeof msg) < 0)
        ft_die("%s", msg);
    if (o->verbose)
        ft_warn("%s: %" PRIu64 " flows loaded into %s%s", path, rows, o->table,
                damaged ? " (file damaged)" : "");
    return LOAD_OK;
}

static void pause_s(int s)
{
    for (int i = 0; i < s * 10 && !stop_requested; i++) {
        struct timespec ts = { 0, 100000000 };
        nanosleep(&ts, NULL);
    }
}

/* Load a file, retrying with backoff.  0, or -1 (it waits for another run). */
static int load_file(const struct options *o, struct ledger *lg, const char *arg,
                     const char *host)
{
    char path[PATH_MAX], name[PATH_MAX + 300], msg[600];
    struct ft_err err;
    uint64_t id;
    if (strcmp(arg, "-") == 0) {
        snprintf(path, sizeof path, "-");
        snprintf(name, sizeof name, "%s:stdin:%ld.%ld", host, (long)time(NULL), (long)getpid());
        lg = NULL;              /* a pipe is read once: no retry, no ledger */
    } else if (!realpath(arg, path)) {
        ft_warn("%s: %s", arg, strerror(errno));
        return -1;
    } else {
        snprintf(name, sizeof name, "%s:%s", host, path);
    }
    id = fnv1a64(name);
    struct ledger_entry *e = lg ? ledger_find(lg, path) : NULL;
    if (e && e->state != 'B')
        return 0;                   /* loaded (or refused) before */
    for (int t = 0, wait = 1; !stop_requested; t++, wait = wait * 2 > BACKOFF_MAX ? BACKOFF_MAX : wait * 2) {
        int rc = load_once(o, lg, path, name, id, &err);
        if (rc == LOAD_OK)
            return 0;
        if (rc == LOAD_BAD) {
            ft_warn("%s", err.msg);
            if (lg && ledger_set(lg, path, 'X', id, 0, msg, sizeof msg) < 0)
                ft_die("%s", msg);
            return -1;
        }
        if (strcmp(path, "-") == 0 || (o->tries && t + 1 >= o->tries)) {
            ft_warn("%s: not loaded: %s", arg, err.msg);
            return -1;
        }
        ft_warn("%s: %s (trying again in %d s)", arg, err.msg, wait);
        pause_s(wait);
    }
    return -1;
}

/* -d: every closed capture file under dir, oldest first. */
static int catch_up(const struct options *o, struct ledger *lg, const char *host)
{
    struct ft_file_list l;
    struct ft_err err;
    int failed = 0;
    ft_files_init(&l);
    if (ft_files_add(&l, o->dir, 0, &err) < 0) {
        ft_warn("%s", err.msg);
        failed = 1;
    }
    ft_files_sort(&l, 1);
    ledger_prune(lg);
    for (size_t i = 0; i < l.n && !stop_requested; i++)
        if (load_file(o, lg, l.files[i].path, host) < 0)
            failed = 1;
    ft_files_free(&l);
    return failed;
}

static void default_ledger(const struct options *o, char *buf, size_t size)
{
    size_t n = strlen(o->dir);
    while (n > 1 && o->dir[n - 1] == '/')
        n--;
    snprintf(buf, size, "%.*s.ledger", (int)n, o->dir);
}

int main(int argc, char **argv)
{
    struct options o;
    struct ft_err err;
    char host[256] = "localhost", lpath[PATH_MAX], msg[600];
    int failed = 0;
    ft_progname = "flow-clickhouse";
    parse_options(argc, argv, &o);
    if (o.ddl) {
        ft_opt_no_extra(argc, argv);
        char *ddl = ft_ch_ddl(o.table, o.cluster, o.local);
        if (!ddl)
            ft_die("out of memory");
        fputs(ddl, stdout);
        free(ddl);
        return 0;
    }
    if (o.source)
        snprintf(host, sizeof host, "%s", o.source);
    else
        gethostname(host, sizeof host - 1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (o.create)
        ft_check(create_tables(&o, &err), &err);
    struct ledger lg, *lgp = NULL;
    const char *lp = o.ledger;
    if (!lp && o.dir) {
        default_ledger(&o, lpath, sizeof lpath);
        lp = lpath;
    }
    /* the ledger is locked while files are loaded, not in between: a
     * hook that runs while the service waits for its next scan goes on */
    if (lp && optind < argc) {
        if (ledger_open(&lg, lp, msg, sizeof msg) < 0)
            ft_die("%s", msg);
        lgp = &lg;
    }
    for (int i = optind; i < argc && !stop_requested; i++)
        if (load_file(&o, lgp, argv[i], host) < 0)
            failed = 1;
    if (lgp)
        ledger_close(lgp);
    if (o.dir) {
        do {
            if (ledger_open(&lg, lp, msg, sizeof msg) < 0)
                ft_die("%s", msg);
            failed |= catch_up(&o, &lg, host);
            ledger_close(&lg);
            if (o.follow)
                pause_s(o.follow);
        } while (o.follow && !stop_requested);
    } else if (optind == argc && !o.create) {
        failed |= load_file(&o, NULL, "-", host) < 0;
    }
    return failed || stop_requested;
}
