/*
 * ft_exporters.c - per-exporter settings: the settings file, the lookup of
 * a flow's entry and what the entry does to the flow.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ft_err.h"
#include "core/ft_grow.h"
#include "core/ft_file.h"
#include "pdu/ft_exporters.h"
#include "net/ft_resolve.h"

/* A remembered lookup: a collector sees few exporters, a file may name
 * thousands, so each exporter key is searched for once. */
struct cached {
    int used;
    uint64_t has;               /* the key bits of the flow (see same_exporter) */
    struct ft_ip addr;
    uint16_t port;
    uint32_t source_id;
    const struct ft_exporter_conf *c;   /* NULL: no entry */
};
#define CACHE_SLOTS 1024        /* direct-mapped; a collision only costs a search */

struct ft_exporters {
    struct ft_exporter_conf *e;
    size_t n, cap;
    uint32_t max;
    struct cached *cache;       /* CACHE_SLOTS, allocated at the first use */
    struct ft_exporters_stats st;
};

static const struct {
    unsigned bit;
    const char *name;
} quirk_names[] = {
    {FT_QUIRK_UPTIME_SECONDS, "uptime-seconds"},
    {FT_QUIRK_HEADER_UPTIME_SECONDS, "header-uptime-seconds"},
    {FT_QUIRK_SWAP_INTERFACES, "swap-interfaces"},
    {FT_QUIRK_ZERO_PACKETS, "zero-packets"},
    {FT_QUIRK_RECEIVE_TIME, "receive-time"},
    {FT_QUIRK_STRICT_COUNT, "strict-count"},
};
#define N_QUIRKS (sizeof quirk_names / sizeof quirk_names[0])

const char *ft_quirk_name(unsigned quirk)
{
    for (size_t i = 0; i < N_QUIRKS; i++)
        if (quirk_names[i].bit == quirk)
            return quirk_names[i].name;
    return NULL;
}

/* ---- parsing ------------------------------------------------------------ */

/* A token of the line being parsed, and where messages say it is. */
struct tok {
    const char *s;
    size_t len;
};

struct place {
    const char *name;           /* file name for messages */
    unsigned line;
};

#define MAX_TOKENS 32           /* more than any valid line needs */

/* "FILE:LINE: "TOKEN": why" (control bytes of the token shown as '?'). */
static int place_err(struct ft_err *err, const struct place *at, const struct tok *t,
                     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int place_err(struct ft_err *err, const struct place *at, const struct tok *t,
                     const char *fmt, ...)
{
    char word[68], why[300];
    size_t n = t->len < 64 ? t->len : 64;
    for (size_t i = 0; i < n; i++)
        word[i] = isprint((unsigned char)t->s[i]) ? t->s[i] : '?';
    strcpy(word + n, t->len > n ? "..." : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return ft_err_set(err, "%s:%u: \"%s\": %s", at->name, at->line, word, why);
}

static int tok_is(const struct tok *t, const char *word)
{
    return t->len == strlen(word) && memcmp(t->s, word, t->len) == 0;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Split the statement [p, end) (a line without its comment and line end)
 * into tokens at spaces and tabs; -1 when there are more than max. */
static int split(const char *p, const char *end, struct tok *toks, size_t max, size_t *n)
{
    *n = 0;
    for (;;) {
        while (p < end && is_blank(*p))
            p++;
        if (p == end)
            return 0;
        if (*n == max)
            return -1;
        const char *t = p;
        while (p < end && !is_blank(*p))
            p++;
        toks[(*n)++] = (struct tok){t, (size_t)(p - t)};
    }
}

/* A decimal number in [min, max]. */
static int tok_number(const struct tok *t, uint64_t min, uint64_t max, uint64_t *v)
{
    if (t->len == 0 || t->len > 20)
        return -1;
    uint64_t x = 0;
    for (size_t i = 0; i < t->len; i++) {
        if (!isdigit((unsigned char)t->s[i]))
            return -1;
        unsigned d = (unsigned)(t->s[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    if (x < min || x > max)
        return -1;
    *v = x;
    return 0;
}

/* The exporter address: `any`, or a numeric address with an optional /len
 * (never a host name: a settings file must not wait for DNS). */
static int parse_address(const struct place *at, const struct tok *t,
                         struct ft_exporter_conf *c, struct ft_err *err)
{
    if (tok_is(t, "any")) {
        c->any = 1;
        return 0;
    }
    char text[FT_IP_STRLEN + 8];
    int numeric = t->len > 0 && (isdigit((unsigned char)t->s[0]) || memchr(t->s, ':', t->len));
    if (!numeric || t->len >= sizeof text || memchr(t->s, ',', t->len))
        return place_err(err, at, t, "not an address, network or \"any\"");
    memcpy(text, t->s, t->len);
    text[t->len] = '\0';
    struct ft_allowlist one = {0};
    struct ft_err why;
    /* "1a.example" starts with a digit: refused here, never looked up */
    struct ft_resolver no_names = { .fn = ft_resolve_none };
    int bad = ft_allowlist_add_r(&one, text, &no_names, &why) < 0;
    if (bad || one.n != 1) {
        ft_allowlist_free(&one);
        return place_err(err, at, t, "%s", bad ? why.msg : "not an address");
    }
    c->prefix = one.prefixes[0];
    ft_allowlist_free(&one);
    return 0;
}

static int parse_quirks(const struct place *at, const struct tok *t,
                        struct ft_exporter_conf *c, struct ft_err *err)
{
    const char *p = t->s, *end = t->s + t->len;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        struct tok name = {p, (size_t)((comma ? comma : end) - p)};
        unsigned bit = 0;
        for (size_t i = 0; i < N_QUIRKS && !bit; i++)
            if (tok_is(&name, quirk_names[i].name))
                bit = quirk_names[i].bit;
        if (!bit)
            return place_err(err, at, &name, "unknown quirk");
        if (c->quirks & bit)
            return place_err(err, at, &name, "quirk given twice");
        c->quirks |= bit;
        p = comma ? comma + 1 : end;
    }
    if (!c->quirks || t->s[t->len - 1] == ',')
        return place_err(err, at, t, "needs a list of quirks separated by commas");
    unsigned both = FT_QUIRK_UPTIME_SECONDS | FT_QUIRK_HEADER_UPTIME_SECONDS;
    if ((c->quirks & both) == both)
        return place_err(err, at, t, "uptime-seconds already covers header-uptime-seconds");
    return 0;
}

/* Keywords after the address, each at most once. */
enum kw { KW_PORT, KW_SOURCE_ID, KW_SAMPLING, KW_FALLBACK, KW_SCALE, KW_QUIRKS, KW_N };
static const char *const kw_names[KW_N] = {
    "port", "source-id", "sampling", "fallback-sampling", "scale", "quirks"
};

/* One keyword and its argument at toks[*i]; advances *i past them. */
static int parse_keyword(const struct place *at, const struct tok *toks, size_t n, size_t *i,
                         struct ft_exporter_conf *c, unsigned *seen, struct ft_err *err)
{
    const struct tok *k = &toks[*i];
    enum kw w = KW_N;
    for (unsigned j = 0; j < KW_N; j++)
        if (tok_is(k, kw_names[j]))
            w = (enum kw)j;
    if (w == KW_N)
        return place_err(err, at, k, "unknown setting (port, source-id, sampling, "
                         "fallback-sampling, scale or quirks)");
    if (*seen & 1u << w)
        return place_err(err, at, k, "given twice");
    *seen |= 1u << w;
    (*i)++;
    if (w == KW_SCALE) {
        c->scale = 1;
        return 0;
    }
    if (*i == n)
        return place_err(err, at, k, "needs %s", w == KW_QUIRKS ? "a list of quirks"
                         : "a number");
    const struct tok *arg = &toks[(*i)++];
    uint64_t v = 0;
    switch (w) {
    case KW_PORT:
        if (tok_number(arg, 1, 65535, &v) < 0)
            return place_err(err, at, arg, "port must be 1..65535");
        c->has_port = 1;
        c->port = (uint16_t)v;
        return 0;
    case KW_SOURCE_ID:
        if (tok_number(arg, 0, UINT32_MAX, &v) < 0)
            return place_err(err, at, arg, "source id must be 0..4294967295");
        c->has_source_id = 1;
        c->source_id = (uint32_t)v;
        return 0;
    case KW_SAMPLING:
    case KW_FALLBACK:
        /* 0 would multiply counters by nothing; 1 says "not sampled" */
        if (tok_number(arg, 1, UINT32_MAX, &v) < 0)
            return place_err(err, at, arg, "sampling interval must be 1..4294967295");
        *(w == KW_SAMPLING ? &c->sampling : &c->fallback_sampling) = (uint32_t)v;
        return 0;
    default:
        return parse_quirks(at, arg, c, err);
    }
}

static int same_key(const struct ft_exporter_conf *a, const struct ft_exporter_conf *b)
{
    if (a->any != b->any || a->has_port != b->has_port ||
        a->has_source_id != b->has_source_id)
        return 0;
    if (!a->any && (a->prefix.len != b->prefix.len ||
                    !ft_ip_equal(&a->prefix.addr, &b->prefix.addr)))
        return 0;
    return (!a->has_port || a->port == b->port) &&
           (!a->has_source_id || a->source_id == b->source_id);
}

/* An `exporter` line into *c (the duplicate check is the caller's). */
static int parse_entry(const struct place *at, const struct tok *toks, size_t n,
                       struct ft_exporter_conf *c, struct ft_err *err)
{
    memset(c, 0, sizeof *c);
    c->line = at->line;
    if (!tok_is(&toks[0], "exporter"))
        return place_err(err, at, &toks[0], "unknown keyword (expected \"exporter\")");
    if (n < 2)
        return place_err(err, at, &toks[0], "needs an address, a network or \"any\"");
    if (parse_address(at, &toks[1], c, err) < 0)
        return -1;
    unsigned seen = 0;
    for (size_t i = 2; i < n;)
        if (parse_keyword(at, toks, n, &i, c, &seen, err) < 0)
            return -1;
    unsigned settings = 1u << KW_SAMPLING | 1u << KW_FALLBACK | 1u << KW_SCALE |
                        1u << KW_QUIRKS;
    if (!(seen & settings))
        return place_err(err, at, &toks[0], "no setting (sampling, fallback-sampling, "
                         "scale or quirks)");
    if (c->sampling && c->fallback_sampling)
        return place_err(err, at, &toks[0], "sampling and fallback-sampling exclude "
                         "each other");
    return 0;
}

static int add_entry(struct ft_exporters *x, const struct ft_exporter_conf *c)
{
    if (FT_RESERVE(x->e, x->cap, x->n) < 0)
        return -1;
    x->e[x->n++] = *c;
    return 0;
}

/* What the parse of a whole file remembers between lines. */
struct parse_state {
    struct ft_exporters *x;
    uint64_t refused;           /* valid entries beyond the limit */
    unsigned first_refused;     /* line of the first of them */
};

/* One line [line, end) without its line end: the statement before its
 * comment ('#' to the end of the line, whatever it holds). */
static int parse_line(struct parse_state *ps, const struct place *at, const char *line,
                      const char *end, struct ft_err *err)
{
    const char *hash = memchr(line, '#', (size_t)(end - line));
    if (hash)
        end = hash;
    if (end - line > FT_EXPORTERS_LINE_MAX)
        return ft_err_set(err, "%s:%u: line longer than %d bytes", at->name, at->line,
                          FT_EXPORTERS_LINE_MAX);
    struct tok toks[MAX_TOKENS];
    size_t n;
    if (split(line, end, toks, MAX_TOKENS, &n) < 0)
        return place_err(err, at, &toks[MAX_TOKENS - 1], "more than %d words on a line",
                         MAX_TOKENS);
    if (n == 0)
        return 0;
    struct ft_exporter_conf c;
    if (parse_entry(at, toks, n, &c, err) < 0)
        return -1;
    for (size_t i = 0; i < ps->x->n; i++)
        if (same_key(&ps->x->e[i], &c))
            return place_err(err, at, &toks[1], "exporter already set on line %u",
                             ps->x->e[i].line);
    if (ps->x->n >= ps->x->max) {
        if (!ps->refused++)
            ps->first_refused = at->line;
        return 0;
    }
    if (add_entry(ps->x, &c) < 0)
        return ft_err_set(err, "%s:%u: out of memory", at->name, at->line);
    return 0;
}

static struct ft_exporters *new_settings(uint32_t max_entries)
{
    struct ft_exporters *x = calloc(1, sizeof *x);
    if (x)
        x->max = max_entries ? max_entries : FT_EXPORTERS_MAX;
    return x;
}

/* After the last line: the entries the limit refused are one error. */
static struct ft_exporters *finish(struct parse_state *ps, const char *name, int rc,
                                   struct ft_err *err)
{
    if (rc == 0 && ps->refused) {
        ft_err_set(err, "%s:%u: \"exporter\": more than %u entries (%llu refused)", name,
                   ps->first_refused, ps->x->max, (unsigned long long)ps->refused);
        rc = -1;
    }
    if (rc < 0) {
        ft_exporters_free(ps->x);
        return NULL;
    }
    return ps->x;
}

/* The settings of text[0..len), named `name` in messages. */
static struct ft_exporters *parse_text(const char *name, const char *text, size_t len,
                                       uint32_t max_entries, struct ft_err *err)
{
    struct parse_state ps = {.x = new_settings(max_entries)};
    if (!ps.x) {
        ft_err_set(err, "%s: out of memory", name);
        return NULL;
    }
    struct place at = {name, 0};
    int rc = 0;
    for (const char *p = text, *end = text + len; rc == 0 && p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        at.line++;
        if (memchr(p, '\0', (size_t)(eol - p)))      /* no text: refused, not read around */
            rc = ft_err_set(err, "%s:%u: a NUL byte", name, at.line);
        else
            rc = parse_line(&ps, &at, p, eol > p && eol[-1] == '\r' ? eol - 1 : eol, err);
        p = eol + 1;
    }
    return finish(&ps, name, rc, err);
}

struct ft_exporters *ft_exporters_parse(const char *name, const char *text,
                                        uint32_t max_entries, struct ft_err *err)
{
    return parse_text(name, text, strlen(text), max_entries, err);
}

struct ft_exporters *ft_exporters_load(const char *path, uint32_t max_entries,
                                       struct ft_err *err)
{
    size_t len;
    char *text = ft_file_read(path, FT_EXPORTERS_MAX_FILE, &len, err);
    if (!text)
        return NULL;
    struct ft_exporters *x = parse_text(path, text, len, max_entries, err);
    free(text);
    return x;
}

void ft_exporters_free(struct ft_exporters *x)
{
    if (!x)
        return;
    free(x->e);
    free(x->cache);
    free(x);
}

size_t ft_exporters_count(const struct ft_exporters *x)
{
    return x->n;
}

const struct ft_exporter_conf *ft_exporters_entry(const struct ft_exporters *x, size_t i)
{
    return i < x->n ? &x->e[i] : NULL;
}

/* ---- lookup ------------------------------------------------------------- */

/* How specific a matching entry is (higher wins); -1 when it does not match. */
static int match_rank(const struct ft_exporter_conf *c, const struct ft_flow *f)
{
    if (c->has_port && (!(f->has & FT_F_EXPORT_INFO) || f->exporter_port != c->port))
        return -1;
    if (c->has_source_id && (!(f->has & FT_F_SOURCE_ID) || f->source_id != c->source_id))
        return -1;
    int rank = 0;
    if (!c->any) {
        struct ft_allowlist one = {.prefixes = (struct ft_prefix *)&c->prefix, .n = 1};
        if (!(f->has & FT_F_EXADDR) || !ft_allowlist_match(&one, &f->exaddr))
            return -1;
        rank = 1 + c->prefix.len;
    }
    return rank * 4 + c->has_source_id * 2 + c->has_port;
}

const struct ft_exporter_conf *ft_exporters_find(const struct ft_exporters *x,
                                                 const struct ft_flow *f)
{
    const struct ft_exporter_conf *best = NULL;
    int best_rank = -1;
    for (size_t i = 0; i < x->n; i++) {
        int r = match_rank(&x->e[i], f);
        if (r > best_rank) {
            best = &x->e[i];
            best_rank = r;
        }
    }
    return best;
}

/* ---- application -------------------------------------------------------- */

/*
 * The exporter's uptimes are seconds.  Uptime-based times are recomputed
 * from the rescaled stamps; absolute times stay, and the uptime stamps the
 * decoder derived from them keep their distance to the rescaled header.
 * Products wrap modulo 2^32 like the uptime itself: only differences count.
 */
static int uptime_in_seconds(struct ft_flow *f, int header_only)
{
    if (f->has & FT_F_SYSUPTIME) {
        uint32_t old = f->sysuptime;
        f->sysuptime = old * 1000u;
        if (f->has & FT_F_ABS_TIMES) {
            f->first = f->sysuptime - (old - f->first);
            f->last = f->sysuptime - (old - f->last);
            return 1;
        }
        if (!header_only) {
            f->first *= 1000u;
            f->last *= 1000u;
        }
        if (f->has & FT_F_TIMES)
            ft_flow_set_times(f);
        return 1;
    }
    /* IPFIX stamps count from systemInitTime: start = init + first. */
    if (header_only || (f->has & FT_F_ABS_TIMES) || !(f->has & (FT_F_FIRST | FT_F_LAST)))
        return 0;
    if (f->has & FT_F_TIMES) {
        f->start_ms += (uint64_t)f->first * 999u;
        f->end_ms += (uint64_t)f->last * 999u;
    }
    f->first *= 1000u;
    f->last *= 1000u;
    return 1;
}

static uint64_t shift_ms(uint64_t t, int64_t by)
{
    if (by < 0 && (uint64_t)-by > t)
        return 0;
    return t + (uint64_t)by;
}

/* The exporter's clock is wrong: its export time becomes the arrival time,
 * and every time of the flow moves with it. */
static void move_to_arrival(struct ft_flow *f, uint64_t recv_ms)
{
    uint64_t was = (uint64_t)f->unix_secs * 1000u + f->unix_nsecs / 1000000u;
    uint64_t now = recv_ms;
    if (!(f->has & FT_F_UNIX_NSECS))
        now -= now % 1000u;     /* IPFIX export times are whole seconds */
    f->unix_secs = (uint32_t)(now / 1000u);
    f->unix_nsecs = (uint32_t)(now % 1000u) * 1000000u;
    if (f->has & FT_F_TIMES) {
        int64_t by = (int64_t)(now - was);
        f->start_ms = shift_ms(f->start_ms, by);
        f->end_ms = shift_ms(f->end_ms, by);
    }
}

static void swap_interfaces(struct ft_flow *f)
{
    uint32_t in = f->input;
    f->input = f->output;
    f->output = in;
    uint64_t both = FT_F_INPUT | FT_F_OUTPUT, had = f->has & both;
    f->has &= ~both;
    f->has |= (had & FT_F_INPUT ? FT_F_OUTPUT : 0) | (had & FT_F_OUTPUT ? FT_F_INPUT : 0);
}

/* The interval the file gives this flow, or 0. */
static uint32_t file_interval(const struct ft_exporter_conf *c, const struct ft_flow *f)
{
    if (c->sampling)
        return c->sampling;
    int exported = (f->has & FT_F_SAMPLING) && f->sampling_interval;
    return exported ? 0 : c->fallback_sampling;
}

static uint64_t mul_saturated(uint64_t v, uint32_t k, int *saturated)
{
    if (v > UINT64_MAX / k) {
        *saturated = 1;
        return UINT64_MAX;
    }
    return v * k;
}

static void scale(struct ft_exporters_stats *st, struct ft_flow *f)
{
    if (f->has & FT_F_SCALED)
        return;
    uint32_t k = (f->has & FT_F_SAMPLING) ? f->sampling_interval : 0;
    if (k == 0) {               /* never multiply by an unknown rate */
        st->scale_unknown++;
        return;
    }
    if (k == 1)                 /* not sampled: nothing to do */
        return;
    int saturated = 0;
    f->dpkts = mul_saturated(f->dpkts, k, &saturated);
    f->doctets = mul_saturated(f->doctets, k, &saturated);
    f->has |= FT_F_SCALED;
    st->scaled++;
    st->scale_saturated += (uint64_t)saturated;
}

static void apply_entry(struct ft_exporters_stats *st, const struct ft_exporter_conf *c,
                        struct ft_flow *f, uint64_t recv_ms)
{
    st->matched++;
    unsigned q = c->quirks;
    if (q & (FT_QUIRK_UPTIME_SECONDS | FT_QUIRK_HEADER_UPTIME_SECONDS))
        st->uptime_seconds += (uint64_t)uptime_in_seconds(f,
                                            !(q & FT_QUIRK_UPTIME_SECONDS));
    if (q & FT_QUIRK_RECEIVE_TIME) {
        if (recv_ms) {
            move_to_arrival(f, recv_ms);
            st->receive_time++;
        } else {
            st->receive_time_unknown++;
        }
    }
    if (q & FT_QUIRK_SWAP_INTERFACES) {
        swap_interfaces(f);
        st->swapped_interfaces++;
    }
    if ((q & FT_QUIRK_ZERO_PACKETS) && f->dpkts == 0) {
        f->dpkts = 1;
        f->has |= FT_F_DPKTS;
        st->zero_packets++;
    }
    uint32_t k = file_interval(c, f);
    if (k) {
        f->sampling_interval = k;
        f->has |= FT_F_SAMPLING;
        st->sampling_set++;
    }
    if (c->scale)
        scale(st, f);
}

/* The exporter key of a flow: the fields ft_exporters_find looks at. */
#define KEY_BITS (FT_F_EXADDR | FT_F_EXPORT_INFO | FT_F_SOURCE_ID)

static int cached_is(const struct cached *k, const struct ft_flow *f)
{
    return k->used && k->has == (f->has & KEY_BITS) && ft_ip_equal(&k->addr, &f->exaddr) &&
           k->port == f->exporter_port && k->source_id == f->source_id;
}

static uint32_t key_hash(const struct ft_flow *f)
{
    uint32_t h = f->exaddr.af;
    if (f->exaddr.af == FT_AF_INET)
        h ^= f->exaddr.v4 * 2654435761u;
    else if (f->exaddr.af == FT_AF_INET6)
        for (int i = 0; i < 16; i++)
            h = h * 31 + f->exaddr.v6[i];
    h = (h ^ f->exporter_port) * 2654435761u;
    h = (h ^ f->source_id) * 2654435761u;
    return (h ^ h >> 16) % CACHE_SLOTS;
}

/* ft_exporters_find through the cache (a plain search if it cannot be had). */
static const struct ft_exporter_conf *find_cached(struct ft_exporters *x,
                                                  const struct ft_flow *f)
{
    if (!x->cache)
        x->cache = calloc(CACHE_SLOTS, sizeof *x->cache);
    if (!x->cache)
        return ft_exporters_find(x, f);
    struct cached *k = &x->cache[key_hash(f)];
    if (!cached_is(k, f)) {
        k->used = 1;
        k->has = f->has & KEY_BITS;
        k->addr = f->exaddr;
        k->port = f->exporter_port;
        k->source_id = f->source_id;
        k->c = ft_exporters_find(x, f);
    }
    return k->c;
}

void ft_exporters_apply(struct ft_exporters *x, struct ft_flow *flows, size_t n,
                        uint64_t recv_ms)
{
    if (!x || x->n == 0)
        return;
    for (size_t i = 0; i < n; i++) {
        const struct ft_exporter_conf *c = find_cached(x, &flows[i]);
        if (c)
            apply_entry(&x->st, c, &flows[i], recv_ms);
    }
}

void ft_exporters_stats(const struct ft_exporters *x, struct ft_exporters_stats *st)
{
    *st = x->st;
}

char *ft_exporters_stats_str(const struct ft_exporters *x, char *buf, size_t size)
{
    const struct ft_exporters_stats *s = &x->st;
    const struct {
        const char *name;
        uint64_t v;
    } c[] = {
        {"settings_flows", s->matched}, {"sampling_set", s->sampling_set},
        {"scaled", s->scaled}, {"scale_unknown", s->scale_unknown},
        {"scale_saturated", s->scale_saturated}, {"uptime_seconds", s->uptime_seconds},
        {"swapped_interfaces", s->swapped_interfaces}, {"zero_packets", s->zero_packets},
        {"receive_time", s->receive_time}, {"receive_time_unknown", s->receive_time_unknown},
    };
    size_t used = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        if (!c[i].v || used >= size)
            continue;
        int w = snprintf(buf + used, size - used, " %s=%llu", c[i].name,
                         (unsigned long long)c[i].v);
        used += w > 0 ? (size_t)w : 0;
    }
    return buf;
}
