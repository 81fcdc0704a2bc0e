/*
 * ft_getdate.c - free-form dates (see ft_getdate.h for the grammar).
 *
 * The text is cut into tokens (numbers, words, punctuation), then read
 * item by item: each item is a date, a time of day, a zone, a weekday or a
 * relative amount.  The items fill one `struct when`; the result is built
 * from it at the end, so the items may come in any order.
 */
#include "core/ft_getdate.h"
#include "core/ft_err.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_TOKENS 64
#define WORD_MAX 16
#define NUM_MAX 999999999999LL   /* larger numbers are refused, not wrapped */

enum tok_kind { TK_NUM, TK_WORD, TK_PUNCT };

struct token {
    enum tok_kind kind;
    long long num;          /* TK_NUM */
    int digits;             /* TK_NUM: how many digits were written */
    char word[WORD_MAX];    /* TK_WORD, lower case; TK_PUNCT: the character */
    size_t at;              /* offset in the text, for messages */
};

enum unit { U_YEAR, U_MONTH, U_DAY, U_HOUR, U_MIN, U_SEC };

/* Everything the items said. */
struct when {
    int have_date, have_year, have_time, have_zone, have_wday, have_epoch;
    int year, month, day;           /* month 1..12 */
    int hour, min, sec;
    int zone_min;                   /* minutes east of UTC */
    int wday, wday_ord;             /* 0 = Sunday; ord -1 last, 0 this, 1 next */
    long long epoch;
    long long rel[6];               /* by enum unit */
};

struct parser {
    const char *text;
    struct token t[MAX_TOKENS];
    size_t n, i;
    struct when w;
    struct ft_err *err;
};

/* ---- words ----------------------------------------------------------- */

struct word { const char *name; int value; };

static const struct word month_words[] = {
    {"january", 1}, {"february", 2}, {"march", 3}, {"april", 4}, {"may", 5},
    {"june", 6}, {"july", 7}, {"august", 8}, {"september", 9}, {"october", 10},
    {"november", 11}, {"december", 12}, {"jan", 1}, {"feb", 2}, {"mar", 3},
    {"apr", 4}, {"jun", 6}, {"jul", 7}, {"aug", 8}, {"sep", 9}, {"sept", 9},
    {"oct", 10}, {"nov", 11}, {"dec", 12}, {NULL, 0}
};

static const struct word day_words[] = {
    {"sunday", 0}, {"monday", 1}, {"tuesday", 2}, {"wednesday", 3},
    {"thursday", 4}, {"friday", 5}, {"saturday", 6}, {"sun", 0}, {"mon", 1},
    {"tue", 2}, {"tues", 2}, {"wed", 3}, {"wednes", 3}, {"thu", 4}, {"thur", 4},
    {"thurs", 4}, {"fri", 5}, {"sat", 6}, {NULL, 0}
};

/* value = unit * 1000 + multiplier */
static const struct word unit_words[] = {
    {"year", U_YEAR * 1000 + 1}, {"years", U_YEAR * 1000 + 1},
    {"month", U_MONTH * 1000 + 1}, {"months", U_MONTH * 1000 + 1},
    {"fortnight", U_DAY * 1000 + 14}, {"fortnights", U_DAY * 1000 + 14},
    {"week", U_DAY * 1000 + 7}, {"weeks", U_DAY * 1000 + 7},
    {"day", U_DAY * 1000 + 1}, {"days", U_DAY * 1000 + 1},
    {"hour", U_HOUR * 1000 + 1}, {"hours", U_HOUR * 1000 + 1},
    {"minute", U_MIN * 1000 + 1}, {"minutes", U_MIN * 1000 + 1},
    {"min", U_MIN * 1000 + 1}, {"mins", U_MIN * 1000 + 1},
    {"second", U_SEC * 1000 + 1}, {"seconds", U_SEC * 1000 + 1},
    {"sec", U_SEC * 1000 + 1}, {"secs", U_SEC * 1000 + 1}, {NULL, 0}
};

static const struct word ordinal_words[] = {
    {"last", -1}, {"this", 0}, {"next", 1}, {"first", 1}, {"third", 3},
    {"fourth", 4}, {"fifth", 5}, {"sixth", 6}, {"seventh", 7}, {"eighth", 8},
    {"ninth", 9}, {"tenth", 10}, {"eleventh", 11}, {"twelfth", 12}, {NULL, 0}
};

/* Zones in minutes east of UTC. */
static const struct word zone_words[] = {
    {"utc", 0}, {"ut", 0}, {"gmt", 0}, {"z", 0}, {"wet", 0}, {"west", 60},
    {"bst", 60}, {"cet", 60}, {"cest", 120}, {"met", 60}, {"mest", 120},
    {"eet", 120}, {"eest", 180}, {"est", -300}, {"edt", -240}, {"cst", -360},
    {"cdt", -300}, {"mst", -420}, {"mdt", -360}, {"pst", -480}, {"pdt", -420},
    {"akst", -540}, {"akdt", -480}, {"hst", -600}, {"jst", 540}, {NULL, 0}
};

static int lookup(const struct word *table, const char *name, int *value)
{
    for (; table->name; table++)
        if (strcmp(table->name, name) == 0) {
            *value = table->value;
            return 1;
        }
    return 0;
}

/* ---- tokens ----------------------------------------------------------- */

static int fail(struct parser *p, size_t at, const char *why)
{
    return ft_err_set(p->err, "cannot parse date \"%s\": %s at \"%.20s\"", p->text, why,
                      p->text + at);
}

/* Splits the text; parenthesised comments are skipped as getdate does. */
static int tokenize(struct parser *p)
{
    const char *s = p->text;
    size_t i = 0;
    while (s[i]) {
        unsigned char c = (unsigned char)s[i];
        if (isspace(c)) { i++; continue; }
        if (c == '(') {
            int depth = 0;
            do {
                if (s[i] == '(') depth++;
                else if (s[i] == ')') depth--;
                i++;
            } while (s[i] && depth > 0);
            continue;
        }
        if (p->n == MAX_TOKENS)
            return fail(p, i, "too many words");
        struct token *t = &p->t[p->n++];
        memset(t, 0, sizeof *t);
        t->at = i;
        if (isdigit(c)) {
            t->kind = TK_NUM;
            while (isdigit((unsigned char)s[i])) {
                if (t->num > NUM_MAX / 10)
                    return fail(p, t->at, "number too large");
                t->num = t->num * 10 + (s[i] - '0');
                t->digits++;
                i++;
            }
        } else if (isalpha(c)) {
            size_t len = 0;
            t->kind = TK_WORD;
            while (isalpha((unsigned char)s[i])) {
                if (len + 1 < WORD_MAX)
                    t->word[len++] = (char)tolower((unsigned char)s[i]);
                i++;
            }
            if (s[i] == '.' && len > 1)    /* "Mar." */
                i++;
        } else if (strchr(":/-+,@.", c)) {
            t->kind = TK_PUNCT;
            t->word[0] = (char)c;
            i++;
        } else {
            return fail(p, i, "unexpected character");
        }
    }
    return 0;
}

static const struct token *peek(const struct parser *p, size_t ahead)
{
    return p->i + ahead < p->n ? &p->t[p->i + ahead] : NULL;
}

static int is_punct(const struct token *t, char c)
{
    return t && t->kind == TK_PUNCT && t->word[0] == c;
}

static int is_num(const struct token *t)
{
    return t && t->kind == TK_NUM;
}

static int word_in(const struct token *t, const struct word *table, int *value)
{
    int dummy;
    return t && t->kind == TK_WORD && lookup(table, t->word, value ? value : &dummy);
}

/* ---- items ----------------------------------------------------------- */

static int full_year(struct parser *p, const struct token *t)
{
    long long y = t->num;
    if (t->digits <= 2)
        y += y < 69 ? 2000 : 1900;
    else if (y < 1000 || y > 9999)
        return fail(p, t->at, "year out of range"), -1;
    return (int)y;
}

static int set_date(struct parser *p, size_t at, int year_given, int y, int m, int d)
{
    if (p->w.have_date)
        return fail(p, at, "second date");
    if (m < 1 || m > 12)
        return fail(p, at, "no such month");
    if (d < 1 || d > 31)
        return fail(p, at, "no such day");
    p->w.have_date = 1;
    p->w.have_year = year_given;
    p->w.year = y;
    p->w.month = m;
    p->w.day = d;
    return 0;
}

static int set_time(struct parser *p, size_t at, long long h, long long m, long long s)
{
    if (p->w.have_time)
        return fail(p, at, "second time of day");
    if (h > 23 || m > 59 || s > 60)
        return fail(p, at, "no such time of day");
    p->w.have_time = 1;
    p->w.hour = (int)h;
    p->w.min = (int)m;
    p->w.sec = (int)s;
    return 0;
}

/* "am"/"pm" after an hour of 1..12. */
static int meridian(struct parser *p, size_t at)
{
    const struct token *t = peek(p, 0);
    if (!t || t->kind != TK_WORD || (strcmp(t->word, "am") && strcmp(t->word, "pm")))
        return 0;
    if (p->w.hour < 1 || p->w.hour > 12)
        return fail(p, at, "hour with am/pm must be 1 to 12");
    p->w.hour %= 12;
    if (t->word[0] == 'p')
        p->w.hour += 12;
    p->i++;
    return 0;
}

static int set_zone(struct parser *p, size_t at, int minutes)
{
    if (p->w.have_zone)
        return fail(p, at, "second time zone");
    if (minutes < -24 * 60 || minutes > 24 * 60)
        return fail(p, at, "no such time zone");
    p->w.have_zone = 1;
    p->w.zone_min = minutes;
    return 0;
}

/* +HHMM, -HH, +HH:MM at the current token (a sign). 1 if one was read. */
static int numeric_zone(struct parser *p)
{
    const struct token *sign = peek(p, 0), *n = peek(p, 1);
    int unit;
    if (!(is_punct(sign, '+') || is_punct(sign, '-')) || !is_num(n))
        return 0;
    if (word_in(peek(p, 2), unit_words, &unit))
        return 0;                       /* "-2 days": relative, not a zone */
    long long hh = n->num, mm = 0;
    size_t used = 2;
    if (is_punct(peek(p, 2), ':') && is_num(peek(p, 3))) {
        mm = peek(p, 3)->num;
        used = 4;
    } else if (n->digits == 4 || n->digits == 3) {
        hh = n->num / 100;
        mm = n->num % 100;
    } else if (n->digits > 2) {
        return 0;
    }
    if (hh > 24 || mm > 59)
        return fail(p, n->at, "no such time zone"), -1;
    int minutes = (int)(hh * 60 + mm);
    if (set_zone(p, sign->at, sign->word[0] == '-' ? -minutes : minutes) < 0)
        return -1;
    p->i += used;
    return 1;
}

/* HH:MM[:SS[.frac]] [am|pm] [zone] */
static int item_time(struct parser *p)
{
    const struct token *h = peek(p, 0), *m = peek(p, 2);
    long long s = 0;
    if (!is_num(m))
        return fail(p, h->at, "minutes missing");
    p->i += 3;
    if (is_punct(peek(p, 0), ':') && is_num(peek(p, 1))) {
        s = peek(p, 1)->num;
        p->i += 2;
        if (is_punct(peek(p, 0), '.') && is_num(peek(p, 1)))
            p->i += 2;                  /* fractions of a second: ignored */
    }
    if (set_time(p, h->at, h->num, m->num, s) < 0 || meridian(p, h->at) < 0)
        return -1;
    int zone;
    if (word_in(peek(p, 0), zone_words, &zone)) {
        if (set_zone(p, peek(p, 0)->at, zone) < 0)
            return -1;
        p->i++;
    }
    return numeric_zone(p) < 0 ? -1 : 0;
}

/* 2024-03-14, 14-Mar-2024 */
static int item_dashed_date(struct parser *p)
{
    const struct token *a = peek(p, 0), *b = peek(p, 2), *c = peek(p, 4);
    int mon;
    if (!is_punct(peek(p, 3), '-') || !is_num(c))
        return fail(p, a->at, "incomplete date");
    if (word_in(b, month_words, &mon)) {
        int y = full_year(p, c);
        p->i += 5;
        return y < 0 ? -1 : set_date(p, a->at, 1, y, mon, (int)a->num);
    }
    if (!is_num(b) || a->digits != 4)
        return fail(p, a->at, "date must be YYYY-MM-DD");
    p->i += 5;
    if (set_date(p, a->at, 1, (int)a->num, (int)b->num, (int)c->num) < 0)
        return -1;
    if (peek(p, 0) && peek(p, 0)->kind == TK_WORD && strcmp(peek(p, 0)->word, "t") == 0)
        p->i++;                         /* ISO 8601 "T" before the time */
    return 0;
}

/* 03/14/2024, 03/14, 2024/03/14 */
static int item_slashed_date(struct parser *p)
{
    const struct token *a = peek(p, 0), *b = peek(p, 2);
    if (!is_num(b))
        return fail(p, a->at, "incomplete date");
    p->i += 3;
    if (!(is_punct(peek(p, 0), '/') && is_num(peek(p, 1)))) {
        if (a->digits == 4)
            return fail(p, a->at, "date must be YYYY/MM/DD");
        return set_date(p, a->at, 0, 0, (int)a->num, (int)b->num);
    }
    const struct token *c = peek(p, 1);
    p->i += 2;
    if (a->digits == 4)
        return set_date(p, a->at, 1, (int)a->num, (int)b->num, (int)c->num);
    int y = full_year(p, c);
    return y < 0 ? -1 : set_date(p, a->at, 1, y, (int)a->num, (int)b->num);
}

/* A year after "Mar 14" or "14 Mar", unless the number is a time's hour. */
static int optional_year(struct parser *p, int *year)
{
    if (is_punct(peek(p, 0), ',') && is_num(peek(p, 1)) && !is_punct(peek(p, 2), ':'))
        p->i++;
    const struct token *t = peek(p, 0);
    if (!is_num(t) || is_punct(peek(p, 1), ':'))
        return 0;
    int unit;
    if (word_in(peek(p, 1), unit_words, &unit))
        return 0;                       /* "Mar 14 2 days ago" */
    int y = full_year(p, t);
    if (y < 0)
        return -1;
    *year = y;
    p->i++;
    return 1;
}

/* Mar 14 [2024], March 14, 2024, Mar 2024 */
static int item_month_first(struct parser *p, int mon)
{
    size_t at = peek(p, 0)->at;
    const struct token *d = peek(p, 1);
    p->i++;
    if (!is_num(d))
        return set_date(p, at, 0, 0, mon, 1);
    if (d->digits == 4) {               /* "Mar 2024" */
        p->i++;
        return set_date(p, at, 1, (int)d->num, mon, 1);
    }
    p->i++;
    int y = 0, got = optional_year(p, &y);
    return got < 0 ? -1 : set_date(p, at, got, y, mon, (int)d->num);
}

/* 14 Mar [2024] */
static int item_day_first(struct parser *p, int mon)
{
    const struct token *d = peek(p, 0);
    p->i += 2;
    int y = 0, got = optional_year(p, &y);
    return got < 0 ? -1 : set_date(p, d->at, got, y, mon, (int)d->num);
}

static int add_rel(struct parser *p, size_t at, long long amount, int unit_value)
{
    int unit = unit_value / 1000, mult = unit_value % 1000;
    long long v = amount * mult;
    if (v > NUM_MAX || v < -NUM_MAX || p->w.rel[unit] > NUM_MAX || p->w.rel[unit] < -NUM_MAX)
        return fail(p, at, "relative amount too large");
    p->w.rel[unit] += v;
    return 0;
}

static int set_wday(struct parser *p, size_t at, int wday, int ord)
{
    if (p->w.have_wday)
        return fail(p, at, "second day of the week");
    p->w.have_wday = 1;
    p->w.wday = wday;
    p->w.wday_ord = ord;
    if (is_punct(peek(p, 0), ','))
        p->i++;
    return 0;
}

/* A number standing alone: YYYYMMDD, a year after a date, HHMM or an hour. */
static int item_bare_number(struct parser *p)
{
    const struct token *t = peek(p, 0);
    p->i++;
    if (t->digits == 8)
        return set_date(p, t->at, 1, (int)(t->num / 10000), (int)(t->num / 100 % 100),
                        (int)(t->num % 100));
    /* A year after a date and time ("Thu Mar 14 09:11:51 UTC 2024", as
     * date(1) prints it), or after a date when it cannot be HHMM. */
    if (p->w.have_date && !p->w.have_year && t->digits == 4
        && (p->w.have_time || t->num % 100 > 59 || t->num / 100 > 23)) {
        p->w.have_year = 1;
        p->w.year = (int)t->num;
        return 0;
    }
    if (t->digits == 4 || t->digits == 3) {
        if (set_time(p, t->at, t->num / 100, t->num % 100, 0) < 0)
            return -1;
    } else if (t->digits <= 2) {
        if (set_time(p, t->at, t->num, 0, 0) < 0)
            return -1;
    } else {
        return fail(p, t->at, "number not understood");
    }
    return meridian(p, t->at) < 0 ? -1 : numeric_zone(p) < 0 ? -1 : 0;
}

/* Numbers followed by ':', '-', '/', a month or a unit. */
static int item_number(struct parser *p)
{
    const struct token *t = peek(p, 0), *next = peek(p, 1);
    int v;
    if (is_punct(next, ':'))
        return item_time(p);
    if (is_punct(next, '-'))
        return item_dashed_date(p);
    if (is_punct(next, '/'))
        return item_slashed_date(p);
    if (word_in(next, month_words, &v))
        return item_day_first(p, v);
    if (word_in(next, unit_words, &v)) {
        p->i += 2;
        return add_rel(p, t->at, t->num, v);
    }
    return item_bare_number(p);
}

/* '+' / '-' : a signed relative amount or a numeric zone; '@': seconds. */
static int item_punct(struct parser *p)
{
    const struct token *t = peek(p, 0), *n = peek(p, 1);
    int v;
    if (t->word[0] == ',') {
        p->i++;
        return 0;
    }
    if (t->word[0] == '@') {
        int neg = is_punct(n, '-');
        if (neg)
            n = peek(p, 2);
        if (!is_num(n) || p->w.have_epoch)
            return fail(p, t->at, "@ must be followed by seconds since 1970");
        p->w.have_epoch = 1;
        p->w.epoch = neg ? -n->num : n->num;
        p->i += neg ? 3 : 2;
        return 0;
    }
    if ((t->word[0] == '+' || t->word[0] == '-') && is_num(n)) {
        if (word_in(peek(p, 2), unit_words, &v)) {
            p->i += 3;
            return add_rel(p, t->at, t->word[0] == '-' ? -n->num : n->num, v);
        }
        int got = numeric_zone(p);
        if (got != 0)
            return got < 0 ? -1 : 0;
    }
    return fail(p, t->at, "unexpected punctuation");
}

static int item_word(struct parser *p)
{
    const struct token *t = peek(p, 0), *next = peek(p, 1);
    int v, u;
    p->i++;
    if (strcmp(t->word, "now") == 0 || strcmp(t->word, "today") == 0)
        return 0;
    if (strcmp(t->word, "yesterday") == 0)
        return add_rel(p, t->at, -1, U_DAY * 1000 + 1);
    if (strcmp(t->word, "tomorrow") == 0)
        return add_rel(p, t->at, 1, U_DAY * 1000 + 1);
    if (strcmp(t->word, "ago") == 0) {
        for (int k = 0; k < 6; k++)
            p->w.rel[k] = -p->w.rel[k];
        return 0;
    }
    if (lookup(month_words, t->word, &v)) {
        p->i--;
        return item_month_first(p, v);
    }
    if (lookup(day_words, t->word, &v))
        return set_wday(p, t->at, v, 0);
    if (lookup(unit_words, t->word, &v))
        return add_rel(p, t->at, 1, v);
    if (lookup(ordinal_words, t->word, &v)) {
        if (word_in(next, unit_words, &u)) {
            p->i++;
            return add_rel(p, t->at, v, u);
        }
        if (word_in(next, day_words, &u)) {
            p->i++;
            return set_wday(p, t->at, u, v < 0 ? -1 : v > 0 ? 1 : 0);
        }
        return fail(p, t->at, "ordinal without a unit or day");
    }
    if (lookup(zone_words, t->word, &v))
        return set_zone(p, t->at, v);
    return fail(p, t->at, "word not understood");
}

static int parse_items(struct parser *p)
{
    while (p->i < p->n) {
        const struct token *t = peek(p, 0);
        int rc = t->kind == TK_NUM ? item_number(p)
               : t->kind == TK_WORD ? item_word(p) : item_punct(p);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* ---- building the result ---------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1..12). */
static long long days_from_civil(long long y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* The absolute date and time the items name, before relative items. */
static int base_time(struct parser *p, time_t now, time_t *out)
{
    struct when *w = &p->w;
    struct tm tm;
    if (w->have_epoch) {
        if (w->have_date || w->have_time || w->have_zone)
            return fail(p, 0, "@seconds cannot be combined with a date or time");
        *out = (time_t)w->epoch;
        return 0;
    }
    if (!localtime_r(&now, &tm))
        return fail(p, 0, "current time out of range");
    if (!w->have_date) {
        w->year = tm.tm_year + 1900;
        w->month = tm.tm_mon + 1;
        w->day = tm.tm_mday;
    } else if (!w->have_year) {
        w->year = tm.tm_year + 1900;
    }
    if (!w->have_time && (w->have_date || w->have_wday)) {
        w->hour = w->min = w->sec = 0;
    } else if (!w->have_time) {
        w->hour = tm.tm_hour;
        w->min = tm.tm_min;
        w->sec = tm.tm_sec;
    }
    if (w->day > days_in_month(w->year, w->month))
        return fail(p, 0, "no such date");
    if (w->have_zone) {
        long long secs = days_from_civil(w->year, w->month, w->day) * 86400LL
                       + w->hour * 3600 + w->min * 60 + w->sec - w->zone_min * 60LL;
        *out = (time_t)secs;
        return 0;
    }
    memset(&tm, 0, sizeof tm);
    tm.tm_year = w->year - 1900;
    tm.tm_mon = w->month - 1;
    tm.tm_mday = w->day;
    tm.tm_hour = w->hour;
    tm.tm_min = w->min;
    tm.tm_sec = w->sec;
    tm.tm_isdst = -1;
    *out = mktime(&tm);
    if (*out == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31))
        return fail(p, 0, "date out of range");
    return 0;
}

/* Move to the named weekday (this one or the coming one; next: strictly
 * after today; last: strictly before today). */
static int apply_wday(struct parser *p, time_t *t)
{
    struct tm tm;
    if (!p->w.have_wday)
        return 0;
    if (!localtime_r(t, &tm))
        return fail(p, 0, "date out of range");
    int delta = (p->w.wday - tm.tm_wday + 7) % 7;
    if (p->w.wday_ord > 0 && delta == 0)
        delta = 7;
    else if (p->w.wday_ord < 0)
        delta = delta == 0 ? -7 : delta - 7;
    tm.tm_mday += delta;
    tm.tm_isdst = -1;
    *t = mktime(&tm);
    return 0;
}

static int apply_rel(struct parser *p, time_t *t)
{
    const long long *rel = p->w.rel;
    if (rel[U_YEAR] || rel[U_MONTH] || rel[U_DAY]) {
        struct tm tm;
        if (!localtime_r(t, &tm))
            return fail(p, 0, "date out of range");
        if (rel[U_YEAR] > 100000 || rel[U_YEAR] < -100000 || rel[U_MONTH] > 1200000
            || rel[U_MONTH] < -1200000 || rel[U_DAY] > 40000000 || rel[U_DAY] < -40000000)
            return fail(p, 0, "relative date out of range");
        tm.tm_year += (int)rel[U_YEAR];
        tm.tm_mon += (int)rel[U_MONTH];
        tm.tm_mday += (int)rel[U_DAY];
        tm.tm_isdst = -1;
        *t = mktime(&tm);
    }
    long long secs = rel[U_HOUR] * 3600 + rel[U_MIN] * 60 + rel[U_SEC];
    *t += (time_t)secs;
    return 0;
}

int ft_getdate(const char *text, time_t now, time_t *out, struct ft_err *err)
{
    struct parser p;
    struct ft_err scratch;
    memset(&p, 0, sizeof p);
    p.text = text ? text : "";
    p.err = err ? err : &scratch;
    if (tokenize(&p) < 0 || parse_items(&p) < 0)
        return -1;
    if (p.n == 0)
        return fail(&p, 0, "empty");
    time_t t;
    if (base_time(&p, now, &t) < 0 || apply_wday(&p, &t) < 0 || apply_rel(&p, &t) < 0)
        return -1;
    *out = t;
    return 0;
}
