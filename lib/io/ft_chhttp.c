/*
 * ft_chhttp.c - the ClickHouse HTTP interface over plain sockets.
 *
 * HTTP/1.1 with "Connection: close": the answer ends where the connection
 * does, and is chunked or sized as the server chooses (both are read).
 */
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "io/ft_chhttp.h"

#define HEAD_MAX 8192           /* request head: the URL carries the query */
#define ANSWER_MAX_ERR 65536    /* an error answer kept at most */

struct ft_ch_insert {
    int fd;
    char name[300];
};

int ft_ch_url_parse(const char *url, struct ft_ch_url *u, struct ft_err *err)
{
    memset(u, 0, sizeof *u);
    u->timeout_s = 300;
    snprintf(u->port, sizeof u->port, "8123");
    if (strncmp(url, "http://", 7) != 0)
        return ft_err_set(err, "%s: not an http:// URL", url);
    const char *h = url + 7, *end = h + strcspn(h, "/?");
    const char *colon = memchr(h, ':', (size_t)(end - h));
    const char *hend = colon ? colon : end;
    if (hend == h || (size_t)(hend - h) >= sizeof u->host)
        return ft_err_set(err, "%s: bad host", url);
    memcpy(u->host, h, (size_t)(hend - h));
    if (colon) {
        size_t n = (size_t)(end - colon - 1);
        if (n == 0 || n >= sizeof u->port || strspn(colon + 1, "0123456789") < n)
            return ft_err_set(err, "%s: bad port", url);
        memcpy(u->port, colon + 1, n);
        u->port[n] = 0;
    }
    if (*end == '/')
        end++;
    if (*end == '?')
        end++;
    else if (*end)
        return ft_err_set(err, "%s: a path is not supported (use ?database=NAME)", url);
    if (strlen(end) >= sizeof u->params)
        return ft_err_set(err, "%s: parameters too long", url);
    snprintf(u->params, sizeof u->params, "%s", end);
    return 0;
}

const char *ft_ch_url_name(const struct ft_ch_url *u, char *buf, size_t size)
{
    snprintf(buf, size, "http://%s:%s", u->host, u->port);
    return buf;
}

static int dial(const struct ft_ch_url *u, struct ft_err *err)
{
    char name[300];
    struct addrinfo hints, *res, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(u->host, u->port, &hints, &res);
    if (rc != 0)
        return ft_err_set(err, "%s: %s", ft_ch_url_name(u, name, sizeof name), gai_strerror(rc));
    int fd = -1, saved = 0;
    struct timeval tv = { .tv_sec = u->timeout_s };
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        /* SO_SNDTIMEO bounds connect() too (Linux) */
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return ft_err_set(err, "%s: %s", ft_ch_url_name(u, name, sizeof name), strerror(saved));
    return fd;
}

static int send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Percent-encode s into buf; -1 if it does not fit. */
static int url_encode(const char *s, char *buf, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        int plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
        if (o + 4 > size)
            return -1;
        if (plain) {
            buf[o++] = (char)c;
        } else {
            buf[o++] = '%';
            buf[o++] = hex[c >> 4];
            buf[o++] = hex[c & 15];
        }
    }
    buf[o] = 0;
    return 0;
}

/* The request head; sql goes into the URL when given (inserts). */
static int head(char *buf, size_t size, const struct ft_ch_url *u, const char *sql,
                const char *body_hdr)
{
    char q[HEAD_MAX / 2] = "";
    if (sql && url_encode(sql, q, sizeof q) < 0)
        return -1;
    int n = snprintf(buf, size,
                     "POST /?%s%s%s%s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n"
                     "%s\r\n\r\n",
                     u->params, u->params[0] && sql ? "&" : "", sql ? "query=" : "", q,
                     u->host, u->port, body_hdr);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

/* Read the whole answer (until the server closes). */
static int read_answer(int fd, char **buf, size_t *len, size_t max, const char *name,
                       struct ft_err *err)
{
    size_t cap = 4096, n = 0;
    char *b = malloc(cap + 1);
    if (!b)
        return ft_err_set(err, "%s: out of memory", name);
    for (;;) {
        if (n == cap) {
            if (cap >= max + HEAD_MAX) {
                free(b);
                return ft_err_set(err, "%s: answer longer than %zu bytes", name, max);
            }
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) {
                free(b);
                return ft_err_set(err, "%s: out of memory", name);
            }
            b = nb;
            cap *= 2;
        }
        ssize_t r = recv(fd, b + n, cap - n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(b);
            return ft_err_set(err, "%s: reading the answer: %s", name,
                              e == EAGAIN ? "timed out" : strerror(e));
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    return 0;
}

/* Undo chunked transfer coding in place; -1 if malformed. */
static int dechunk(char *body, size_t *len)
{
    char *in = body, *end = body + *len, *out = body;
    for (;;) {
        char *e;
        unsigned long sz = strtoul(in, &e, 16);
        char *line = memchr(in, '\n', (size_t)(end - in));
        if (e == in || !line)
            return -1;
        in = line + 1;
        if (sz == 0)
            break;
        if (sz > (size_t)(end - in))
            return -1;
        memmove(out, in, sz);
        out += sz;
        in += sz;
        if (in < end && *in == '\r')
            in++;
        if (in < end && *in == '\n')
            in++;
    }
    *len = (size_t)(out - body);
    *out = 0;
    return 0;
}

/* Status, headers and body of the answer on fd. */
static int answer(int fd, const char *name, char **out, size_t *outlen, size_t max,
                  struct ft_err *err)
{
    char *b = NULL;
    size_t n = 0;
    if (read_answer(fd, &b, &n, max ? max : ANSWER_MAX_ERR, name, err) < 0)
        return -1;
    int status = 0;
    char *body = strstr(b, "\r\n\r\n");
    if (sscanf(b, "HTTP/%*d.%*d %d", &status) != 1 || !body) {
        free(b);
        return ft_err_set(err, "%s: not an HTTP answer", name);
    }
    *body = 0;
    body += 4;
    size_t blen = n - (size_t)(body - b);
    int chunked = 0;
    for (char *h = strchr(b, '\n'); h; h = strchr(h + 1, '\n'))
        if (strncasecmp(h + 1, "Transfer-Encoding:", 18) == 0 && strstr(h, "chunked"))
            chunked = 1;
    if (chunked && dechunk(body, &blen) < 0) {
        free(b);
        return ft_err_set(err, "%s: bad chunked answer", name);
    }
    if (status != 200) {
        /* the exception text, first line, without the stack trace */
        body[strcspn(body, "\r\n")] = 0;
        ft_err_set(err, "%s: HTTP %d: %.380s", name, status, body[0] ? body : "(no text)");
        free(b);
        return -1;
    }
    if (out) {
        if (blen > max) {
            free(b);
            return ft_err_set(err, "%s: answer longer than %zu bytes", name, max);
        }
        memmove(b, body, blen);
        b[blen] = 0;
        *out = b;
        if (outlen)
            *outlen = blen;
    } else {
        free(b);
    }
    return 0;
}

int ft_ch_query(const struct ft_ch_url *u, const char *sql, char **out, size_t *len,
                size_t max, struct ft_err *err)
{
    char name[300], h[HEAD_MAX], cl[64];
    ft_ch_url_name(u, name, sizeof name);
    size_t slen = strlen(sql);
    snprintf(cl, sizeof cl, "Content-Length: %zu", slen);
    if (head(h, sizeof h, u, NULL, cl) < 0)
        return ft_err_set(err, "%s: request too long", name);
    int fd = dial(u, err);
    if (fd < 0)
        return -1;
    if (send_all(fd, h, strlen(h)) < 0 || send_all(fd, sql, slen) < 0) {
        /* it may have said why before closing */
        if (answer(fd, name, NULL, NULL, 0, err) == 0)
            ft_err_set(err, "%s: sending the query: %s", name, strerror(errno));
        close(fd);
        return -1;
    }
    shutdown(fd, SHUT_WR);
    int rc = answer(fd, name, out, len, max, err);
    close(fd);
    return rc;
}

struct ft_ch_insert *ft_ch_insert_begin(const struct ft_ch_url *u, const char *sql,
                                        struct ft_err *err)
{
    char h[HEAD_MAX];
    struct ft_ch_insert *in = calloc(1, sizeof *in);
    if (!in) {
        ft_err_set(err, "out of memory");
        return NULL;
    }
    ft_ch_url_name(u, in->name, sizeof in->name);
    if (head(h, sizeof h, u, sql, "Transfer-Encoding: chunked") < 0) {
        ft_err_set(err, "%s: insert statement too long", in->name);
        free(in);
        return NULL;
    }
    /* head() ended the head with an empty line after the last header, and
     * the chunked body starts right after it */
    in->fd = dial(u, err);
    if (in->fd < 0 || send_all(in->fd, h, strlen(h)) < 0) {
        if (in->fd >= 0) {
            ft_err_set(err, "%s: sending: %s", in->name, strerror(errno));
            close(in->fd);
        }
        free(in);
        return NULL;
    }
    return in;
}

/* The write failed: the server may have answered why (then its text wins). */
static int write_failed(struct ft_ch_insert *in, struct ft_err *err)
{
    int e = errno;
    if (answer(in->fd, in->name, NULL, NULL, 0, err) == 0)
        ft_err_set(err, "%s: sending rows: %s", in->name, strerror(e));
    return -1;
}

int ft_ch_insert_write(struct ft_ch_insert *in, const void *buf, size_t len, struct ft_err *err)
{
    char sz[32];
    if (len == 0)
        return 0;
    snprintf(sz, sizeof sz, "%zx\r\n", len);
    if (send_all(in->fd, sz, strlen(sz)) < 0 || send_all(in->fd, buf, len) < 0 ||
        send_all(in->fd, "\r\n", 2) < 0)
        return write_failed(in, err);
    return 0;
}

int ft_ch_insert_end(struct ft_ch_insert *in, struct ft_err *err)
{
    int rc;
    if (send_all(in->fd, "0\r\n\r\n", 5) < 0)
        rc = write_failed(in, err);
    else
        rc = answer(in->fd, in->name, NULL, NULL, 0, err);
    close(in->fd);
    free(in);
    return rc;
}

void ft_ch_insert_abort(struct ft_ch_insert *in)
{
    if (!in)
        return;
    close(in->fd);
    free(in);
}
