/*
 * ledger.h - flow-clickhouse's ledger: which capture files are loaded.
 *
 * One line per file: "D ID ROWS PATH" (done: ROWS rows went in under load id
 * ID), "B ID 0 PATH" (begun: a load started and may have left part of its
 * rows; the next load of the file removes them first) or "X ID 0 PATH"
 * (refused: not a readable flow file, not tried again).  The file is
 * rewritten whole, to a temporary name, synced, then renamed over the old
 * one, so that after a crash it is the old ledger or the new one.  A lock
 * file beside it (LEDGER.lock, flock) keeps two shippers apart.
 */
#ifndef LEDGER_H
#define LEDGER_H

#include <stddef.h>
#include <stdint.h>

struct ledger_entry {
    char *path;
    uint64_t id;
    uint64_t rows;
    char state;             /* 'D', 'B' or 'X' */
};

struct ledger {
    char *path;
    int lock_fd;
    struct ledger_entry *e;     /* sorted by path */
    size_t n, cap;
};

/* Lock (waiting for another shipper) and read the ledger at path (none
 * yet: empty).  0, or -1 with a message in msg. */
int ledger_open(struct ledger *l, const char *path, char *msg, size_t size);
void ledger_close(struct ledger *l);

/* The entry of a file, or NULL. */
struct ledger_entry *ledger_find(struct ledger *l, const char *path);

/* Set a file's entry and write the ledger.  0, or -1 with msg. */
int ledger_set(struct ledger *l, const char *path, char state, uint64_t id, uint64_t rows,
               char *msg, size_t size);

/* Forget files gone from the disk (expired), without writing. */
void ledger_prune(struct ledger *l);

#endif
