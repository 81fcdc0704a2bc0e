/*
 * ft_pdu_tmplfile.c - the template file: what a collector learned of its
 * v9/IPFIX exporters (templates, options data), carried across restarts.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "net/ft_addrspec.h"
#include "core/ft_err.h"
#include "core/ft_file.h"
#include "pdu/ft_pdu_ctx.h"

/* ---- the template file ---------------------------------------------------
 *
 *   # ftkit templates 1
 *   T <version> <addr> <port> <local|-> <source id> <template id> <options>
 *     <scope fields> <fields> <type>:<len>:<pen> ...
 *   O <version> <addr> <port> <local|-> <source id> <sys init ms> <interval>
 *     <algorithm> <samplers> <id>:<interval>:<algorithm> ...
 *
 * T lines are templates, O lines what options data taught about the exporter.
 */

#define TMPL_FILE_MAGIC "# ftkit templates 1"

static void ip_put(FILE *fp, const struct ft_ip *a)
{
    char buf[FT_IP_STRLEN];
    if (a->af == FT_AF_NONE)
        fputs(" -", fp);
    else
        fprintf(fp, " %s", ft_ip_str(a, buf, sizeof buf));
}

static void exporter_key_put(FILE *fp, char kind, const struct ft_pdu_exporter_state *e)
{
    fprintf(fp, "%c %u", kind, e->version);
    ip_put(fp, &e->addr);
    fprintf(fp, " %u", e->port);
    ip_put(fp, &e->local);
    fprintf(fp, " %" PRIu32, e->source_id);
}

static void exporter_save(FILE *fp, const struct ft_pdu_exporter_state *e)
{
    for (uint32_t i = 0; i < e->n_tmpls; i++) {
        const struct tmpl *t = &e->tmpls[i];
        exporter_key_put(fp, 'T', e);
        fprintf(fp, " %u %u %u %u", t->id, t->options, t->n_scope, t->n_fields);
        for (uint16_t k = 0; k < t->n_fields; k++)
            fprintf(fp, " %u:%u:%" PRIu32, t->f[k].type, t->f[k].len, t->f[k].pen);
        fputc('\n', fp);
    }
    if (e->sys_init_ms || e->sampling_interval || e->n_samplers) {
        exporter_key_put(fp, 'O', e);
        fprintf(fp, " %" PRIu64 " %" PRIu32 " %u %" PRIu32, e->sys_init_ms,
                e->sampling_interval, e->sampling_algorithm, e->n_samplers);
        for (uint32_t k = 0; k < e->n_samplers; k++)
            fprintf(fp, " %" PRIu32 ":%" PRIu32 ":%u", e->samplers[k].id,
                    e->samplers[k].interval, e->samplers[k].algorithm);
        fputc('\n', fp);
    }
}

int ft_pdu_templates_save(const struct ft_pdu_ctx *ctx, const char *path, struct ft_err *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return ft_err_set(err, "%.400s: path too long", path);
    FILE *fp = fopen(tmp, "w");
    if (!fp)
        return ft_err_set(err, "%.400s: %s", tmp, strerror(errno));
    fprintf(fp, "%s\n", TMPL_FILE_MAGIC);
    for (uint32_t i = 0; i < ctx->n_exps; i++)
        if (ctx->exps[i].version >= 9)
            exporter_save(fp, &ctx->exps[i]);
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad) {
        ft_err_set(err, "%.400s: write failed", tmp);
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        ft_err_set(err, "%.400s: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

static int ip_parse(const char *s, struct ft_ip *a)
{
    memset(a, 0, sizeof *a);
    if (strcmp(s, "-") == 0)
        return 0;
    struct in_addr v4;
    if (inet_pton(AF_INET, s, &v4) == 1) {
        ft_ip_set4(a, ntohl(v4.s_addr));
        return 0;
    }
    if (inet_pton(AF_INET6, s, a->v6) == 1) {
        a->af = FT_AF_INET6;
        return 0;
    }
    return -1;
}

/* Splits a line into at most max words separated by blanks (in place, no
 * hidden state: strtok's would be shared by every caller of the library). */
static size_t split_words(char *line, char **w, size_t max)
{
    size_t n = 0;
    for (char *p = line + strspn(line, " \t\r"); *p && n < max; p += strspn(p, " \t\r")) {
        w[n++] = p;
        p += strcspn(p, " \t\r");
        if (*p)
            *p++ = '\0';
    }
    return n;
}

static int parse_u32(const char *s, uint32_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || end == s || *end || x > 0xFFFFFFFFull)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

/* The exporter named by words 1..5 of a T or O line. */
static struct ft_pdu_exporter_state *line_exporter(struct ft_pdu_ctx *ctx, char **w)
{
    struct ft_pdu_src src = {0};
    uint32_t version, port, source_id;
    if (parse_u32(w[1], &version) || (version != 9 && version != 10) ||
        ip_parse(w[2], &src.addr) || parse_u32(w[3], &port) || port > 0xFFFF ||
        ip_parse(w[4], &src.local) || parse_u32(w[5], &source_id))
        return NULL;
    src.port = (uint16_t)port;
    int created;
    return ft_pdu_exporter_get(ctx, &src, version, source_id, &created);
}

static int load_template(struct ft_pdu_ctx *ctx, char **w, size_t n)
{
    uint32_t id, options, n_scope, n_fields;
    if (n < 10 || parse_u32(w[6], &id) || id < 256 || id > 0xFFFF ||
        parse_u32(w[7], &options) || options > 1 || parse_u32(w[8], &n_scope) ||
        parse_u32(w[9], &n_fields) || n_fields == 0 || n_fields != n - 10)
        return -1;
    struct ft_pdu_exporter_state *e = line_exporter(ctx, w);
    if (!e)
        return -1;
    struct tmpl t = {.id = (uint16_t)id, .options = (uint8_t)options,
                     .n_scope = (uint16_t)n_scope, .n_fields = (uint16_t)n_fields};
    t.f = calloc(n_fields, sizeof *t.f);
    if (!t.f)
        return -1;
    for (uint32_t k = 0; k < n_fields; k++) {
        unsigned type, len;
        uint32_t pen;
        if (sscanf(w[10 + k], "%u:%u:%" SCNu32, &type, &len, &pen) != 3 || type > 0x7FFF ||
            len > 0xFFFF) {
            free(t.f);
            return -1;
        }
        t.f[k] = (struct tmpl_field){.type = (uint16_t)type, .len = (uint16_t)len, .pen = pen};
    }
    if (ft_tmpl_finish(&t, e->version) < 0 || ft_tmpl_put(ctx, e, &t) < 0) {
        free(t.f);
        return -1;
    }
    return 0;
}

static int load_options(struct ft_pdu_ctx *ctx, char **w, size_t n)
{
    uint32_t interval, algorithm, n_samplers;
    unsigned long long init;
    if (n < 10 || sscanf(w[6], "%llu", &init) != 1 || parse_u32(w[7], &interval) ||
        parse_u32(w[8], &algorithm) || algorithm > 255 || parse_u32(w[9], &n_samplers) ||
        n_samplers > FT_PDU_MAX_SAMPLERS || n_samplers != n - 10)
        return -1;
    struct ft_pdu_exporter_state *e = line_exporter(ctx, w);
    if (!e)
        return -1;
    e->sys_init_ms = init;
    e->sampling_interval = interval;
    e->sampling_algorithm = (uint8_t)algorithm;
    e->n_samplers = 0;
    for (uint32_t k = 0; k < n_samplers; k++) {
        struct sampler s;
        unsigned a;
        if (sscanf(w[10 + k], "%" SCNu32 ":%" SCNu32 ":%u", &s.id, &s.interval, &a) != 3 ||
            a > 255)
            return -1;
        s.algorithm = (uint8_t)a;
        e->samplers[e->n_samplers++] = s;
    }
    return 0;
}

/* The largest template file read: 16384 templates of 100 fields take some
 * 20 MB. */
#define TMPL_FILE_MAX ((size_t)64 << 20)

/* The lines of text (len bytes, NUL-terminated, cut into lines in place). */
static int parse_text(struct ft_pdu_ctx *ctx, char *text, size_t len, const char *path,
                      struct ft_err *err)
{
    size_t max_words = 10 + FT_TMPL_MAX_FIELDS;
    char **w = malloc(max_words * sizeof *w);
    if (!w)
        return ft_err_set(err, "%.400s: out of memory", path);
    unsigned lineno = 0;
    int rc = 0;
    for (char *line = text, *next; line < text + len; line = next) {
        next = line + strcspn(line, "\n");
        if (next < text + len)
            *next++ = '\0';    /* a newline, or a stray NUL: the line ends */
        lineno++;
        if (lineno == 1 && strncmp(line, TMPL_FILE_MAGIC, strlen(TMPL_FILE_MAGIC)) != 0) {
            ft_err_set(err, "%.400s:1: not a template file", path);
            rc = -1;
            break;
        }
        if (line[0] == '#' || line[0] == '\0')
            continue;
        size_t n = split_words(line, w, max_words);
        int bad = n < 6 ? -1 : w[0][0] == 'T' ? load_template(ctx, w, n)
                             : w[0][0] == 'O' ? load_options(ctx, w, n) : -1;
        if (bad) {
            ft_err_set(err, "%.400s:%u: bad or refused line", path, lineno);
            rc = -1;    /* keep going: one bad line should not lose the rest */
        }
    }
    free(w);
    return rc;
}

int ft_pdu_templates_load(struct ft_pdu_ctx *ctx, const char *path, struct ft_err *err)
{
    size_t len;
    char *text = ft_file_read(path, TMPL_FILE_MAX, &len, err);
    if (!text)
        return -1;
    int rc = parse_text(ctx, text, len, path, err);
    free(text);
    return rc;
}

int ft_pdu_templates_parse(struct ft_pdu_ctx *ctx, const char *text, size_t len,
                           const char *name, struct ft_err *err)
{
    if (len > TMPL_FILE_MAX)
        return ft_err_set(err, "%.400s: larger than %zu bytes", name, TMPL_FILE_MAX);
    char *copy = malloc(len + 1);   /* cut into lines in place, as a file read is */
    if (!copy)
        return ft_err_set(err, "%.400s: out of memory", name);
    if (len)
        memcpy(copy, text, len);
    copy[len] = '\0';
    int rc = parse_text(ctx, copy, len, name, err);
    free(copy);
    return rc;
}
