/*
 * ft_text.h - fast text output: one buffer written with write(2) in big
 * blocks, and hand-written formatters that append to it.
 *
 * The per-record printing path never calls printf, strftime or localtime:
 * a caller reserves room for a whole line (ft_out_reserve), appends with the
 * ft_put_* formatters below, each of which takes the write position and
 * returns the new one, and then commits the line (ft_out_commit).
 *
 * Column helpers mirror the printf conversions flow-tools uses:
 *   ft_put_fit   = "%-N.Ns"  (left-justified, padded, truncated)
 *   ft_put_pad   = "%-Ns"    (left-justified, padded, never truncated)
 *   ft_put_right = "%Ns"     (right-justified)
 */
#ifndef FT_TEXT_H
#define FT_TEXT_H

#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include "core/ft_flow.h"

/* ---- output buffer ----------------------------------------------------- */

struct ft_out {
    int fd;
    char *buf;
    size_t len, cap;
    int error;              /* errno of the first failed write, else 0 */
};

/* Room that one reservation may ask for: the longest line we format. */
#define FT_OUT_MAX_LINE 8192

/* cap 0 means the default (256 KiB).  Returns 0 or -1 (no memory). */
int ft_out_init(struct ft_out *o, int fd, size_t cap);
void ft_out_free(struct ft_out *o);
/* Write everything buffered.  0, or -1 with o->error set. */
int ft_out_flush(struct ft_out *o);

int ft_out_make_room(struct ft_out *o, size_t n);

/* A pointer where at least n (<= FT_OUT_MAX_LINE) bytes may be written.
 * If the buffer cannot be flushed (write error) the bytes still fit: they
 * go into the buffer and the error stays in o->error. */
static inline char *ft_out_reserve(struct ft_out *o, size_t n)
{
    if (o->cap - o->len < n)
        ft_out_make_room(o, n);
    return o->buf + o->len;
}

/* Mark everything up to end (from the last reservation) as written. */
static inline void ft_out_commit(struct ft_out *o, char *end)
{
    o->len = (size_t)(end - o->buf);
}

/* Append bytes / a C string (any length; flushes as needed). */
void ft_out_write(struct ft_out *o, const void *p, size_t n);
static inline void ft_out_str(struct ft_out *o, const char *s)
{
    ft_out_write(o, s, strlen(s));
}
/* Append printf-formatted text (for headers and summaries, not per-record
 * lines); a text longer than FT_OUT_MAX_LINE bytes is cut there. */
void ft_out_printf(struct ft_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- numbers and addresses ---------------------------------------------- */

/* Longest outputs, for sizing scratch buffers. */
#define FT_U64_LEN 20
#define FT_IPV4_LEN 15
#define FT_PREFIX_LEN 18
#define FT_IPV6_LEN 45

char *ft_put_u32(char *p, uint32_t v);
char *ft_put_u64(char *p, uint64_t v);
/* Lower-case hex with at least `digits` digits, zero padded ("%N.Nx"). */
char *ft_put_hex(char *p, uint32_t v, int digits);
/* Dotted quad of a host-order IPv4 address. */
char *ft_put_ipv4(char *p, uint32_t a);
/*
 * flow-tools' prefix notation: the address without its trailing zero octets
 * (at least one octet), '/', the length (a length above 32 prints as 0).
 * The address is not masked: 10.1.32.66/24 stays as is.
 */
char *ft_put_prefix(char *p, uint32_t a, unsigned len);
/* IPv6 text as glibc's inet_ntop prints it (RFC 5952 compression,
 * IPv4-mapped and IPv4-compatible forms in dotted quad). */
char *ft_put_ipv6(char *p, const uint8_t a[16]);
/* IPv4 or IPv6 as the address says; FT_AF_NONE prints 0.0.0.0. */
char *ft_put_ip(char *p, const struct ft_ip *a);
/* A JSON string literal with quotes; writes at most 6*n+2 bytes. */
char *ft_put_json_str(char *p, const char *s, size_t n);

/* ---- columns ------------------------------------------------------------- */

static inline char *ft_put_spaces(char *p, size_t n)
{
    memset(p, ' ', n);
    return p + n;
}

static inline char *ft_put_mem(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

/* The bytes of a string literal. */
#define ft_put_lit(p, lit) ft_put_mem((p), (lit), sizeof(lit) - 1)

/* The field that starts at `start` and ends at p, padded with spaces to
 * width ("%-Ns"): returns the new end. */
static inline char *ft_put_pad(char *start, char *p, size_t width)
{
    size_t n = (size_t)(p - start);
    return n < width ? ft_put_spaces(p, width - n) : p;
}

/* Same, but also cut to width ("%-N.Ns"). */
static inline char *ft_put_fit(char *start, char *p, size_t width)
{
    size_t n = (size_t)(p - start);
    return n < width ? ft_put_spaces(p, width - n) : start + width;
}

/* Right-justify the field at start..p in width columns ("%Ns"). */
static inline char *ft_put_right(char *start, char *p, size_t width)
{
    size_t n = (size_t)(p - start);
    if (n >= width)
        return p;
    memmove(start + (width - n), start, n);
    memset(start, ' ', width - n);
    return start + width;
}

/* ---- time stamps ---------------------------------------------------------- */

/*
 * Local time of day for time stamps, honouring TZ.  Converting with
 * localtime_r for every record would dominate the printing cost, so the clock
 * remembers a window of seconds (a local day, an hour near an offset change,
 * or a single second) in which the date and the UTC offset are known to stay
 * the same, and derives hours, minutes and seconds by arithmetic inside it.
 * Each caller owns its clock; nothing is shared between threads.
 */
struct ft_clock {
    int64_t lo, hi;             /* window [lo, hi) of UNIX seconds */
    int32_t tod_lo;             /* local seconds since midnight at lo */
    char mmdd[4];               /* "MMDD" of the window's date */
    char ymd[10];               /* "YYYY-MM-DD" */
    int valid;
};

/* Reads TZ (tzset) and empties the cache. */
void ft_clock_init(struct ft_clock *c);
/* "MMDD.HH:MM:SS.mmm" (17 bytes) of ms since 1970, local time. */
char *ft_put_time_mmdd(char *p, struct ft_clock *c, uint64_t ms);
/* "YYYY-MM-DD HH:MM:SS.mmm" (23 bytes). */
char *ft_put_time_ymd(char *p, struct ft_clock *c, uint64_t ms);

#endif
