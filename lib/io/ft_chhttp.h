/*
 * ft_chhttp.h - a ClickHouse server over its HTTP interface, with plain
 * sockets: queries (the SQL as a sized POST body) and inserts (the query in
 * the URL, the rows as a chunked POST body sent as they are encoded).
 *
 * No client library: ClickHouse takes any statement as a POST body and
 * answers 200 with the result, or another status with the exception text,
 * which comes back in struct ft_err.  Every call opens its own connection
 * (one per query or per insert), so a server restart between two calls is
 * no special case.  Reads and writes time out (ft_ch_url.timeout_s), so a
 * hung server is an error, not a hang.
 */
#ifndef FT_CHHTTP_H
#define FT_CHHTTP_H

#include <stddef.h>
#include "core/ft_err.h"

/* http://HOST[:PORT][/][?PARAMS]: PARAMS (database=..., user=...,
 * insert_distributed_sync=1, ...) go with every request. */
struct ft_ch_url {
    char host[256];
    char port[8];               /* [8123] */
    char params[512];           /* without the '?', may be empty */
    int timeout_s;              /* per read/write/connect [300] */
};

/* 0, or -1 with err filled ("URL: why"). */
int ft_ch_url_parse(const char *url, struct ft_ch_url *u, struct ft_err *err);

/* "http://host:port" for messages. */
const char *ft_ch_url_name(const struct ft_ch_url *u, char *buf, size_t size);

/*
 * Run one statement.  With out, the response body (NUL-terminated, malloc'd,
 * at most max bytes, else an error) in *out and its length in *len.
 * 0, or -1 with err filled: the server's status and first line of its
 * exception text, or why it could not be reached.
 */
int ft_ch_query(const struct ft_ch_url *u, const char *sql, char **out, size_t *len,
                size_t max, struct ft_err *err);

/* An insert in progress: ft_ch_insert_begin sends the request head, each
 * ft_ch_insert_write one chunk, ft_ch_insert_end the last chunk, then reads
 * the answer.  end and abort free it (abort closes the connection without
 * the last chunk, so the server drops what it has not inserted yet). */
struct ft_ch_insert;
struct ft_ch_insert *ft_ch_insert_begin(const struct ft_ch_url *u, const char *sql,
                                        struct ft_err *err);
int ft_ch_insert_write(struct ft_ch_insert *in, const void *buf, size_t len, struct ft_err *err);
int ft_ch_insert_end(struct ft_ch_insert *in, struct ft_err *err);
void ft_ch_insert_abort(struct ft_ch_insert *in);

#endif
