/*
 * ft_text.c - output buffer and hand-written formatters (see ft_text.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "text/ft_text.h"

/* ---- output buffer ----------------------------------------------------- */

#define FT_OUT_DEFAULT_CAP (256u * 1024u)

int ft_out_init(struct ft_out *o, int fd, size_t cap)
{
    if (cap < 2 * FT_OUT_MAX_LINE)
        cap = cap ? 2 * FT_OUT_MAX_LINE : FT_OUT_DEFAULT_CAP;
    o->fd = fd;
    o->len = 0;
    o->error = 0;
    o->buf = malloc(cap);
    o->cap = o->buf ? cap : 0;
    return o->buf ? 0 : -1;
}

void ft_out_free(struct ft_out *o)
{
    free(o->buf);
    o->buf = NULL;
    o->cap = o->len = 0;
}

int ft_out_flush(struct ft_out *o)
{
    size_t done = 0;
    while (done < o->len && !o->error) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            o->error = n < 0 ? errno : EIO;
        else
            done += (size_t)n;
    }
    /* After an error the rest is dropped: the caller reports o->error. */
    o->len = 0;
    return o->error ? -1 : 0;
}

int ft_out_make_room(struct ft_out *o, size_t n)
{
    (void)n;                    /* n <= FT_OUT_MAX_LINE <= cap / 2 */
    return ft_out_flush(o);
}

void ft_out_write(struct ft_out *o, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        size_t room = o->cap - o->len;
        if (room == 0) {
            ft_out_flush(o);
            room = o->cap;
        }
        size_t k = n < room ? n : room;
        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
    }
}

void ft_out_printf(struct ft_out *o, const char *fmt, ...)
{
    char buf[FT_OUT_MAX_LINE];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        ft_out_write(o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* ---- numbers ------------------------------------------------------------- */

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/*
 * Decimal conversion in chunks of four digits: each chunk needs one division
 * by 100, and the chunks of a number do not wait for each other, which
 * matters more than the instruction count (a digit-by-digit loop is one long
 * chain of dependent divisions).
 */
static inline char *put_pair(char *p, uint32_t v)
{
    memcpy(p, digit_pairs + 2 * v, 2);
    return p + 2;
}

/* Exactly 4 digits, zero padded (v < 10000). */
static inline char *put4(char *p, uint32_t v)
{
    put_pair(p, v / 100);
    return put_pair(p + 2, v % 100);
}

/* Exactly 8 digits, zero padded (v < 100000000). */
static inline char *put8(char *p, uint32_t v)
{
    put4(p, v / 10000);
    return put4(p + 4, v % 10000);
}

/* 1 to 4 digits, no leading zeros (v < 10000). */
static inline char *put_upto4(char *p, uint32_t v)
{
    if (v < 100) {
        if (v < 10) {
            *p = (char)('0' + v);
            return p + 1;
        }
        return put_pair(p, v);
    }
    uint32_t hi = v / 100;
    if (hi < 10)
        *p++ = (char)('0' + hi);
    else
        p = put_pair(p, hi);
    return put_pair(p, v % 100);
}

char *ft_put_u32(char *p, uint32_t v)
{
    if (v < 10000)
        return put_upto4(p, v);
    if (v < 100000000) {
        p = put_upto4(p, v / 10000);
        return put4(p, v % 10000);
    }
    p = put_upto4(p, v / 100000000);
    return put8(p, v % 100000000);
}

char *ft_put_u64(char *p, uint64_t v)
{
    if (v <= UINT32_MAX)
        return ft_put_u32(p, (uint32_t)v);
    uint32_t lo = (uint32_t)(v % 100000000u);
    uint64_t hi = v / 100000000u;
    if (hi < 100000000u) {
        p = ft_put_u32(p, (uint32_t)hi);
    } else {
        p = put_upto4(p, (uint32_t)(hi / 100000000u));
        p = put8(p, (uint32_t)(hi % 100000000u));
    }
    return put8(p, lo);
}

char *ft_put_hex(char *p, uint32_t v, int digits)
{
    static const char hex[] = "0123456789abcdef";
    int n = 1;
    while (n < 8 && (v >> (4 * n)) != 0)
        n++;
    if (n < digits)
        n = digits;
    for (int i = n - 1; i >= 0; i--) {
        p[i] = hex[v & 0xf];
        v >>= 4;
    }
    return p + n;
}

/* ---- addresses ------------------------------------------------------------ */

/* Each octet value: its digits (padded to 3) and their count. */
static const char octet_text[256 * 4 + 1] =
    "000\1" "100\1" "200\1" "300\1" "400\1" "500\1" "600\1" "700\1"
    "800\1" "900\1" "100\2" "110\2" "120\2" "130\2" "140\2" "150\2"
    "160\2" "170\2" "180\2" "190\2" "200\2" "210\2" "220\2" "230\2"
    "240\2" "250\2" "260\2" "270\2" "280\2" "290\2" "300\2" "310\2"
    "320\2" "330\2" "340\2" "350\2" "360\2" "370\2" "380\2" "390\2"
    "400\2" "410\2" "420\2" "430\2" "440\2" "450\2" "460\2" "470\2"
    "480\2" "490\2" "500\2" "510\2" "520\2" "530\2" "540\2" "550\2"
    "560\2" "570\2" "580\2" "590\2" "600\2" "610\2" "620\2" "630\2"
    "640\2" "650\2" "660\2" "670\2" "680\2" "690\2" "700\2" "710\2"
    "720\2" "730\2" "740\2" "750\2" "760\2" "770\2" "780\2" "790\2"
    "800\2" "810\2" "820\2" "830\2" "840\2" "850\2" "860\2" "870\2"
    "880\2" "890\2" "900\2" "910\2" "920\2" "930\2" "940\2" "950\2"
    "960\2" "970\2" "980\2" "990\2" "100\3" "101\3" "102\3" "103\3"
    "104\3" "105\3" "106\3" "107\3" "108\3" "109\3" "110\3" "111\3"
    "112\3" "113\3" "114\3" "115\3" "116\3" "117\3" "118\3" "119\3"
    "120\3" "121\3" "122\3" "123\3" "124\3" "125\3" "126\3" "127\3"
    "128\3" "129\3" "130\3" "131\3" "132\3" "133\3" "134\3" "135\3"
    "136\3" "137\3" "138\3" "139\3" "140\3" "141\3" "142\3" "143\3"
    "144\3" "145\3" "146\3" "147\3" "148\3" "149\3" "150\3" "151\3"
    "152\3" "153\3" "154\3" "155\3" "156\3" "157\3" "158\3" "159\3"
    "160\3" "161\3" "162\3" "163\3" "164\3" "165\3" "166\3" "167\3"
    "168\3" "169\3" "170\3" "171\3" "172\3" "173\3" "174\3" "175\3"
    "176\3" "177\3" "178\3" "179\3" "180\3" "181\3" "182\3" "183\3"
    "184\3" "185\3" "186\3" "187\3" "188\3" "189\3" "190\3" "191\3"
    "192\3" "193\3" "194\3" "195\3" "196\3" "197\3" "198\3" "199\3"
    "200\3" "201\3" "202\3" "203\3" "204\3" "205\3" "206\3" "207\3"
    "208\3" "209\3" "210\3" "211\3" "212\3" "213\3" "214\3" "215\3"
    "216\3" "217\3" "218\3" "219\3" "220\3" "221\3" "222\3" "223\3"
    "224\3" "225\3" "226\3" "227\3" "228\3" "229\3" "230\3" "231\3"
    "232\3" "233\3" "234\3" "235\3" "236\3" "237\3" "238\3" "239\3"
    "240\3" "241\3" "242\3" "243\3" "244\3" "245\3" "246\3" "247\3"
    "248\3" "249\3" "250\3" "251\3" "252\3" "253\3" "254\3" "255\3";

static inline char *put_octet(char *p, unsigned v)
{
    const char *t = octet_text + 4 * v;
    memcpy(p, t, 3);            /* the surplus is overwritten or past the end */
    return p + t[3];
}

char *ft_put_ipv4(char *p, uint32_t a)
{
    p = put_octet(p, a >> 24);
    *p++ = '.';
    p = put_octet(p, (a >> 16) & 0xff);
    *p++ = '.';
    p = put_octet(p, (a >> 8) & 0xff);
    *p++ = '.';
    return put_octet(p, a & 0xff);
}

char *ft_put_prefix(char *p, uint32_t a, unsigned len)
{
    int octets = 4;
    while (octets > 1 && ((a >> (8 * (4 - octets))) & 0xff) == 0)
        octets--;
    for (int i = 0; i < octets; i++) {
        if (i)
            *p++ = '.';
        p = put_octet(p, (a >> (24 - 8 * i)) & 0xff);
    }
    *p++ = '/';
    return ft_put_u32(p, len > 32 ? 0 : len);
}

/* The longest run of two or more zero words (the first if several are
 * equally long); *len 0 if there is none. */
static void longest_zero_run(const uint16_t w[8], int *base, int *len)
{
    *base = -1;
    *len = 0;
    for (int i = 0; i < 8;) {
        if (w[i] != 0) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && w[j] == 0)
            j++;
        if (j - i > *len) {
            *base = i;
            *len = j - i;
        }
        i = j;
    }
    if (*len < 2) {
        *base = -1;
        *len = 0;
    }
}

char *ft_put_ipv6(char *p, const uint8_t a[16])
{
    uint16_t w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
    int base, len;
    longest_zero_run(w, &base, &len);
    for (int i = 0; i < 8; i++) {
        if (base >= 0 && i >= base && i < base + len) {
            if (i == base)
                *p++ = ':';
            continue;
        }
        if (i != 0)
            *p++ = ':';
        /* ::a.b.c.d and ::ffff:a.b.c.d keep the IPv4 part dotted. */
        if (i == 6 && base == 0 && (len == 6 || (len == 5 && w[5] == 0xffff))) {
            uint32_t v4 = (uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 |
                          (uint32_t)a[14] << 8 | a[15];
            return ft_put_ipv4(p, v4);
        }
        p = ft_put_hex(p, w[i], 1);
    }
    if (base >= 0 && base + len == 8)
        *p++ = ':';
    return p;
}

char *ft_put_ip(char *p, const struct ft_ip *a)
{
    if (a->af == FT_AF_INET6)
        return ft_put_ipv6(p, a->v6);
    return ft_put_ipv4(p, a->af == FT_AF_INET ? a->v4 : 0);
}

char *ft_put_json_str(char *p, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            *p++ = '\\';
            *p++ = (char)ch;
        } else if (ch == '\n') {
            *p++ = '\\';
            *p++ = 'n';
        } else if (ch == '\t') {
            *p++ = '\\';
            *p++ = 't';
        } else if (ch < 0x20 || ch == 0x7f) {
            p = ft_put_mem(p, "\\u00", 4);
            *p++ = hex[ch >> 4];
            *p++ = hex[ch & 0xf];
        } else {
            *p++ = (char)ch;
        }
    }
    *p++ = '"';
    return p;
}

/* ---- time stamps ---------------------------------------------------------- */

void ft_clock_init(struct ft_clock *c)
{
    tzset();
    memset(c, 0, sizeof *c);
}

static int32_t time_of_day(const struct tm *tm)
{
    int sec = tm->tm_sec > 59 ? 59 : tm->tm_sec;   /* leap second */
    return tm->tm_hour * 3600 + tm->tm_min * 60 + sec;
}

static int same_date(const struct tm *a, const struct tm *b)
{
    return a->tm_year == b->tm_year && a->tm_mon == b->tm_mon && a->tm_mday == b->tm_mday;
}

/* Does local time at UNIX second s fall on date `day` at time of day tod? */
static int local_is(int64_t s, const struct tm *day, int32_t tod)
{
    struct tm tm;
    time_t t = (time_t)s;
    return localtime_r(&t, &tm) && same_date(&tm, day) && time_of_day(&tm) == tod;
}

static void clock_set_date(struct ft_clock *c, const struct tm *tm)
{
    unsigned mon = (unsigned)tm->tm_mon + 1, mday = (unsigned)tm->tm_mday;
    long year = (long)tm->tm_year + 1900;
    c->mmdd[0] = (char)('0' + mon / 10);
    c->mmdd[1] = (char)('0' + mon % 10);
    c->mmdd[2] = (char)('0' + mday / 10);
    c->mmdd[3] = (char)('0' + mday % 10);
    if (year < 0 || year > 9999)
        year = 0;               /* beyond what the 4-digit column can show */
    for (int i = 3; i >= 0; i--, year /= 10)
        c->ymd[i] = (char)('0' + year % 10);
    c->ymd[4] = '-';
    memcpy(c->ymd + 5, c->mmdd, 2);
    c->ymd[7] = '-';
    memcpy(c->ymd + 8, c->mmdd + 2, 2);
}

/*
 * Find the widest window around s with one date and one UTC offset: the
 * local day if both its ends check out, else the local hour, else the
 * second itself.
 */
static void clock_fill(struct ft_clock *c, int64_t s)
{
    struct tm tm;
    time_t t = (time_t)s;
    if (!localtime_r(&t, &tm)) {
        memset(&tm, 0, sizeof tm);
        tm.tm_mday = 1;
        tm.tm_year = -1900;
        c->lo = s;
        c->hi = s + 1;
        c->tod_lo = 0;
    } else {
        int32_t tod = time_of_day(&tm);
        int32_t hour_start = tod - tod % 3600;
        if (local_is(s - tod, &tm, 0) && local_is(s - tod + 86399, &tm, 86399)) {
            c->lo = s - tod;
            c->hi = c->lo + 86400;
            c->tod_lo = 0;
        } else if (local_is(s - (tod - hour_start), &tm, hour_start) &&
                   local_is(s - (tod - hour_start) + 3599, &tm, hour_start + 3599)) {
            c->lo = s - (tod - hour_start);
            c->hi = c->lo + 3600;
            c->tod_lo = hour_start;
        } else {
            c->lo = s;
            c->hi = s + 1;
            c->tod_lo = tod;
        }
    }
    clock_set_date(c, &tm);
    c->valid = 1;
}

/* "HH:MM:SS.mmm" of second s (inside the clock's window) and ms. */
static char *put_hms_ms(char *p, const struct ft_clock *c, int64_t s, unsigned ms)
{
    int32_t tod = c->tod_lo + (int32_t)(s - c->lo);
    unsigned h = (unsigned)tod / 3600, m = (unsigned)tod / 60 % 60, sec = (unsigned)tod % 60;
    p[0] = digit_pairs[h * 2];
    p[1] = digit_pairs[h * 2 + 1];
    p[2] = ':';
    p[3] = digit_pairs[m * 2];
    p[4] = digit_pairs[m * 2 + 1];
    p[5] = ':';
    p[6] = digit_pairs[sec * 2];
    p[7] = digit_pairs[sec * 2 + 1];
    p[8] = '.';
    p[9] = (char)('0' + ms / 100);
    p[10] = digit_pairs[(ms % 100) * 2];
    p[11] = digit_pairs[(ms % 100) * 2 + 1];
    return p + 12;
}

static int64_t clock_second(struct ft_clock *c, uint64_t ms)
{
    int64_t s = (int64_t)(ms / 1000);
    if (!c->valid || s < c->lo || s >= c->hi)
        clock_fill(c, s);
    return s;
}

char *ft_put_time_mmdd(char *p, struct ft_clock *c, uint64_t ms)
{
    int64_t s = clock_second(c, ms);
    p = ft_put_mem(p, c->mmdd, 4);
    *p++ = '.';
    return put_hms_ms(p, c, s, (unsigned)(ms % 1000));
}

char *ft_put_time_ymd(char *p, struct ft_clock *c, uint64_t ms)
{
    int64_t s = clock_second(c, ms);
    p = ft_put_mem(p, c->ymd, 10);
    *p++ = ' ';
    return put_hms_ms(p, c, s, (unsigned)(ms % 1000));
}
