/*
 * ft_xlate_act.c - the xlate action types as rows over the field table,
 * anonymisation keys, and evaluation (see ft_xlate.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core/ft_file.h"
#include "lang/ft_xlate_int.h"

/* nfilter-language.md section 5: each type and the fields it works on. */
static const struct xlate_type types[] = {
    {"ip-source-address-to-network", XOP_TO_NET, XP_NONE, {"srcaddr"}, {"src_mask"}},
    {"ip-destination-address-to-network", XOP_TO_NET, XP_NONE, {"dstaddr"}, {"dst_mask"}},
    {"ip-source-address-to-class-network", XOP_TO_CLASS, XP_NONE, {"srcaddr"}, {NULL}},
    {"ip-destination-address-to-class-network", XOP_TO_CLASS, XP_NONE, {"dstaddr"}, {NULL}},
    {"ip-address-privacy-mask", XOP_AND, XP_MASK, {"srcaddr", "dstaddr"}, {NULL}},
    {"ip-port-privacy-mask", XOP_AND, XP_MASK, {"srcport", "dstport"}, {NULL}},
    {"scale", XOP_SCALE, XP_SCALE, {"doctets", "dpkts"}, {NULL}},
    {"tag-mask", XOP_AND, XP_MASK, {"src_tag", "dst_tag"}, {NULL}},
    {"replace-source-as0", XOP_IF_ZERO, XP_AS, {"src_as"}, {NULL}},
    {"replace-destination-as0", XOP_IF_ZERO, XP_AS, {"dst_as"}, {NULL}},
    {"ip-source-address-anonymize", XOP_ANON, XP_KEY, {"srcaddr"}, {NULL}},
    {"ip-destination-address-anonymize", XOP_ANON, XP_KEY, {"dstaddr"}, {NULL}},
    {"ip-address-anonymize", XOP_ANON, XP_KEY, {"srcaddr", "dstaddr"}, {NULL}},
};

const struct xlate_type *xlate_type_find(const char *name)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcasecmp(types[i].name, name) == 0)
            return &types[i];
    return NULL;
}

int xlate_action_set_type(struct xlate_action *a, const struct xlate_type *t)
{
    a->type = t;
    a->fields = 0;
    for (int i = 0; i < 2; i++) {
        a->field[i] = t->field[i] ? ft_field_by_name(t->field[i]) : NULL;
        a->aux[i] = t->aux[i] ? ft_field_by_name(t->aux[i]) : NULL;
        if ((t->field[i] && !a->field[i]) || (t->aux[i] && !a->aux[i]))
            return -1;      /* the table names a field the field table lacks */
        a->fields |= (a->field[i] ? a->field[i]->has : 0) | (a->aux[i] ? a->aux[i]->has : 0);
        /* a privacy mask keeps every bit until a `mask` line says otherwise */
        a->mask[i] = UINT64_MAX;
    }
    return 0;
}

void xlate_action_free(struct xlate_action *a)
{
    if (!a)
        return;
    ft_cryptopan_free(a->cp);
    free(a->memo);
    memset(a->key, 0, sizeof a->key);
    free(a->key_file);
    free(a->name);
    free(a);
}

/* ---- keys ----------------------------------------------------------------- */

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int xlate_key_hex(const char *s, uint8_t key[FT_CRYPTOPAN_KEY_SIZE])
{
    size_t len = strlen(s);
    if (len == 0 || len > 2 * FT_CRYPTOPAN_KEY_SIZE)
        return -1;
    memset(key, 0, FT_CRYPTOPAN_KEY_SIZE);
    /* the last digit is the low nibble of the last byte, as in flow-tools */
    for (size_t i = 0; i < len; i++) {
        int v = hex_digit((unsigned char)s[len - 1 - i]);
        if (v < 0)
            return -1;
        key[FT_CRYPTOPAN_KEY_SIZE - 1 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v);
    }
    return 0;
}

int xlate_key_file(const char *path, uint8_t key[FT_CRYPTOPAN_KEY_SIZE], struct ft_err *err)
{
    size_t len;
    char *text = ft_file_read(path, 4096, &len, err);
    if (!text)
        return -1;
    /* flow-tools reads the first 64 characters; a line end after them
     * (or after a shorter key) is no part of it */
    size_t n = strspn(text, "0123456789abcdefABCDEF");
    if (n > 2 * FT_CRYPTOPAN_KEY_SIZE)
        n = 2 * FT_CRYPTOPAN_KEY_SIZE;
    int bad = n == 0 || text[n + strspn(text + n, " \t\r\n")] != '\0';
    text[n] = '\0';
    if (bad || xlate_key_hex(text, key) < 0) {
        memset(text, 0, len);
        free(text);
        return ft_err_set(err, "%s: not a key of up to 64 hexadecimal digits", path);
    }
    memset(text, 0, len);
    free(text);
    return 0;
}

time_t xlate_refresh_start(time_t now, unsigned minutes, int have_time, int h, int m, int s)
{
    struct tm tm;
    localtime_r(&now, &tm);
    if (have_time) {
        tm.tm_hour = h;
        tm.tm_min = m;
        tm.tm_sec = s;
        time_t t = mktime(&tm);
        return t < now ? t + 86400 : t;
    }
    /* the next multiple of `minutes` past the hour (flow-tools' rule) */
    int next = tm.tm_min / (int)minutes * (int)minutes + (int)minutes;
    tm.tm_sec = 0;
    tm.tm_min = next;           /* mktime carries minutes past 59 into the hour */
    time_t t = mktime(&tm);
    return t < now ? t + 3600 : t;
}

/* Reload a's key file when its refresh is due (the old key stays when it
 * cannot be read). */
static void refresh_key(struct ft_xlate *x, struct xlate_action *a, time_t now)
{
    if (!a->refresh_minutes || now <= a->refresh_next)
        return;
    time_t step = (time_t)a->refresh_minutes * 60;
    a->refresh_next += (now - a->refresh_next) / step * step + step;
    struct ft_err err;
    char msg[700];
    uint8_t key[FT_CRYPTOPAN_KEY_SIZE];
    struct ft_cryptopan *cp = NULL;
    if (xlate_key_file(a->key_file, key, &err) == 0)
        cp = ft_cryptopan_new(key, &err);
    memset(key, 0, sizeof key);
    if (!cp) {
        snprintf(msg, sizeof msg, "xlate-action %s: key not reloaded, the old one stays: %s",
                 a->name, err.msg);
    } else {
        ft_cryptopan_free(a->cp);
        a->cp = cp;
        memset(a->memo->used, 0, sizeof a->memo->used);   /* results of the old key */
        snprintf(msg, sizeof msg, "xlate-action %s: key reloaded from %s, next at %lld",
                 a->name, a->key_file, (long long)a->refresh_next);
    }
    if (x->o.warn)
        x->o.warn(x->o.warn_ctx, msg);
}

/* ---- evaluation ----------------------------------------------------------- */

static void to_network(struct ft_ip *a, unsigned len)
{
    if (a->af == FT_AF_INET) {
        if (len < 32)
            a->v4 &= len ? ~(UINT32_MAX >> len) : 0;
    } else if (a->af == FT_AF_INET6) {
        for (unsigned i = 0; i < 16; i++) {
            unsigned keep = len > 8 * i ? len - 8 * i : 0;
            if (keep < 8)
                a->v6[i] &= (uint8_t)(0xFF00u >> keep);
        }
    }
}

/* Class A keeps /8, B /16, C (and D, E) /24; IPv6 has no classes. */
static void to_class(struct ft_ip *a)
{
    if (a->af != FT_AF_INET)
        return;
    if (!(a->v4 & 0x80000000u))
        a->v4 &= 0xFF000000u;
    else if ((a->v4 & 0xC0000000u) == 0x80000000u)
        a->v4 &= 0xFFFF0000u;
    else
        a->v4 &= 0xFFFFFF00u;
}

static uint64_t times(uint64_t v, uint64_t n)
{
    return n && v > UINT64_MAX / n ? UINT64_MAX : v * n;
}

static void anonymize(struct xlate_action *a, struct ft_ip *ip)
{
    if (ip->af != FT_AF_INET) {
        ft_cryptopan_ip(a->cp, ip);
        return;
    }
    struct anon_memo *m = a->memo;
    uint32_t slot = (ip->v4 * 2654435761u) >> (32 - XLATE_MEMO_BITS);  /* Fibonacci hash */
    if (!m->used[slot] || m->in[slot] != ip->v4) {
        m->in[slot] = ip->v4;
        m->out[slot] = ft_cryptopan_v4(a->cp, ip->v4);
        m->used[slot] = 1;
    }
    ip->v4 = m->out[slot];
}

static void apply_action(struct xlate_action *a, struct ft_flow *f)
{
    for (int i = 0; i < 2 && a->field[i]; i++) {
        const struct ft_field *d = a->field[i];
        struct ft_ip *ip = d->type == FT_T_IP ? ft_field_ptr(f, d) : NULL;
        uint64_t v = ip ? 0 : ft_field_get(f, d);
        switch (a->type->op) {
        case XOP_TO_NET: to_network(ip, (unsigned)ft_field_get(f, a->aux[i])); break;
        case XOP_TO_CLASS: to_class(ip); break;
        case XOP_AND:
            if (!ip)
                ft_field_put(f, d, v & a->mask[i]);
            else if (ip->af == FT_AF_INET)  /* 32-bit masks: IPv6 stays as it is */
                ip->v4 &= (uint32_t)a->mask[i];
            break;
        case XOP_SCALE: ft_field_put(f, d, times(v, a->value)); break;
        case XOP_IF_ZERO:
            if (v == 0)
                ft_field_put(f, d, a->value);
            break;
        case XOP_ANON: anonymize(a, ip); break;
        }
    }
}

uint64_t ft_xlate_def_fields(const struct ft_xlate_def *d)
{
    return d->fields;
}

void ft_xlate_apply(struct ft_xlate_def *d, struct ft_flow *flows, size_t n, time_t now)
{
    struct ft_xlate *x = d->x;
    if (d->nterms == 0)         /* a definition without terms: x->term may be NULL */
        return;
    const struct xlate_term *terms = x->term + d->first_term;
    for (size_t t = 0; t < d->nterms; t++)
        for (size_t k = 0; k < terms[t].n; k++)
            refresh_key(x, x->term_action[terms[t].first + k].action, now);
    for (size_t i = 0; i < n; i++) {
        for (size_t t = 0; t < d->nterms; t++) {
            const struct xlate_term *term = &terms[t];
            if (term->filter && !ft_filter_match(term->filter, &flows[i]))
                continue;
            for (size_t k = 0; k < term->n; k++)
                apply_action(x->term_action[term->first + k].action, &flows[i]);
            if (term->stop)
                break;
        }
    }
}
