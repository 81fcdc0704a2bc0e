/*
 * ft_collect.c - exporter acceptance, exporter logging, rate-limited warnings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ft_collect.h"
#include "ft_prog.h"
#include "pdu/ft_exporters.h"

int ft_collect_out_option(struct ft_collect_out *o, int ch, const char *arg)
{
    struct ft_err err;
    switch (ch) {
    case 'b':
        o->wopts.byte_order = ft_opt_byte_order(arg);
        return 1;
    case 'C':
        o->comment = arg;
        return 1;
    case 'k':
        o->exporters_path = arg;
        return 1;
    case 'V':
        o->format = ft_format_parse(arg);
        if (!o->format && o->quote_bad_version)
            ft_die("Version scan failed: \"%s\"", arg);
        if (!o->format)
            ft_die("Version scan failed");
        return 1;
    case 'z':
        ft_check(ft_parse_compression(arg, &o->wopts, &err), &err);
        return 1;
    default:
        return 0;
    }
}

struct ft_exporters *ft_collect_load_exporters(const char *path)
{
    struct ft_err err;
    if (!path)
        return NULL;
    struct ft_exporters *x = ft_exporters_load(path, 0, &err);
    if (!x)
        ft_die("%s", err.msg);
    return x;
}

void ft_collect_log_settings(const struct ft_log *log, const struct ft_exporters *x,
                             const char *when)
{
    char settings[512];
    if (!x)
        return;
    ft_exporters_stats_str(x, settings, sizeof settings);
    ft_log(log, LOG_INFO, "STAT%s: exporter settings:%s", when,
           settings[0] ? settings : " no flow changed");
}

int ft_collect_accepts(const struct ft_addrspec *a, const struct ft_allowlist *allow,
                       const struct ft_ip *src)
{
    if (a && a->remote.af != FT_AF_NONE && !ft_ip_equal(&a->remote, src))
        return 0;
    return !allow || ft_allowlist_match(allow, src);
}

int ft_collect_v8_translatable(unsigned out_version, unsigned out_agg, unsigned in_version,
                               unsigned in_agg)
{
    if (out_version != 8 && in_version != 8)
        return 1;
    return out_version == in_version && out_agg == in_agg;
}

int ft_collect_translatable(const struct ft_format *out, const struct ft_format *in)
{
    if (out->d_version == FT_DV_EXTENDED)
        return 1;
    return ft_collect_v8_translatable(out->d_version, out->agg_method, in->d_version,
                                      in->agg_method);
}

void ft_collect_log_new_exporter(const struct ft_log *log, const struct ft_pdu_src *src,
                                 unsigned version)
{
    char a[FT_IP_STRLEN], b[FT_IP_STRLEN];
    ft_log(log, LOG_INFO, "New exporter: time=%ld src_ip=%s dst_ip=%s d_version=%u",
           (long)time(NULL), ft_ip_str(&src->addr, a, sizeof a),
           ft_ip_str(&src->local, b, sizeof b), version);
}

void ft_collect_log_exporters(const struct ft_log *log, const struct ft_pdu_ctx *pdu,
                              time_t now, time_t startup, const char *extra, size_t max_lines)
{
    struct ft_pdu_exporter *ex = max_lines ? calloc(max_lines, sizeof *ex) : NULL;
    if (max_lines && !ex) {
        ft_log(log, LOG_WARNING, "STAT: out of memory");
        return;
    }
    size_t total = ft_pdu_exporters(pdu, ex, max_lines);
    size_t shown = total < max_lines ? total : max_lines;
    for (size_t i = 0; i < shown; i++) {
        char a[FT_IP_STRLEN], b[FT_IP_STRLEN];
        ft_log(log, LOG_INFO,
               "STAT: now=%ld startup=%ld src_ip=%s dst_ip=%s d_ver=%u pkts=%llu flows=%llu "
               "lost=%llu reset=%llu filter_drops=0%s",
               (long)now, (long)startup, ft_ip_str(&ex[i].addr, a, sizeof a),
               ft_ip_str(&ex[i].local, b, sizeof b), ex[i].version,
               (unsigned long long)ex[i].datagrams, (unsigned long long)ex[i].flows,
               (unsigned long long)ex[i].lost, (unsigned long long)ex[i].resets,
               extra ? extra : "");
    }
    if (total > shown)
        ft_log(log, LOG_INFO, "STAT: %zu more exporters not listed", total - shown);
    free(ex);
}

char *ft_collect_reasons(const struct ft_pdu_ctx *pdu, char *buf, size_t size)
{
    struct ft_pdu_stats st;
    size_t used = 0;
    ft_pdu_stats(pdu, &st);
    if (size)
        buf[0] = '\0';
    for (int i = 1; i < FT_PDU_N_REASONS; i++) {
        if (!st.by_reason[i] || used >= size)
            continue;
        int k = snprintf(buf + used, size - used, " %s=%llu",
                         ft_pdu_reason_name((enum ft_pdu_reason)i),
                         (unsigned long long)st.by_reason[i]);
        if (k > 0)
            used += (size_t)k;
    }
    return buf;
}

time_t ft_collect_next_stat(time_t now, unsigned minutes)
{
    struct tm tm;
    localtime_r(&now, &tm);
    time_t period = (time_t)(minutes ? minutes : 1) * 60;
    time_t local = now + tm.tm_gmtoff;
    return (local / period + 1) * period - tm.tm_gmtoff;
}

int ft_ratelimit_allow(struct ft_ratelimit *r, const struct ft_log *log, time_t now)
{
    time_t minute = now / 60;
    if (minute != r->minute) {
        if (r->suppressed)
            ft_log(log, LOG_WARNING, "%u similar warnings not logged", r->suppressed);
        r->minute = minute;
        r->logged = r->suppressed = 0;
    }
    if (r->logged < r->per_minute) {
        r->logged++;
        return 1;
    }
    r->suppressed++;
    return 0;
}
