/*
 * ft_cfg.c - reading the config files of the filter and tag languages
 * (see ft_cfg.h): one file reader, one line loop, one error format, so the
 * two languages read comments alike and report their places the same way.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang/ft_cfg.h"

int ft_cfg_verror(struct ft_err *err, const char *file, unsigned lineno, const char *fmt,
                  va_list ap)
{
    char msg[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return ft_err_set(err, "%s line %u: %s", file, lineno, msg);
}

int ft_cfg_error(struct ft_err *err, const char *file, unsigned lineno, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ft_cfg_verror(err, file, lineno, fmt, ap);
    va_end(ap);
    return rc;
}

/* Nothing for a language: a blank line, or a comment (its first word
 * starts with '#'; '#' elsewhere is a word, nfilter-language.md section 0). */
static int blank_or_comment(const char *line)
{
    line += strspn(line, FT_CFG_BLANKS);
    return *line == '\0' || *line == '#';
}

/* The line of text starting at pos into raw (cut to FT_VARS_LINE_MAX - 1
 * characters, without its LF or CRLF); returns where the next one starts. */
static size_t take_line(const char *text, size_t len, size_t pos, char *raw)
{
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl ? (size_t)(nl - text) : len;
    size_t next = end + 1;
    if (end > pos && text[end - 1] == '\r')
        end--;
    size_t n = end - pos < FT_VARS_LINE_MAX - 1 ? end - pos : FT_VARS_LINE_MAX - 1;
    memcpy(raw, text + pos, n);
    raw[n] = 0;
    return next;
}

int ft_cfg_lines(const char *text, size_t len, const char *file, const struct ft_vars *vars,
                 ft_cfg_line_fn fn, void *ctx, struct ft_err *err)
{
    /* Lines are kilobytes each: on the heap, not on a caller's stack. */
    struct ft_cfg_line *l = malloc(sizeof *l);
    char *raw = malloc(FT_VARS_LINE_MAX);
    int rc = 0;
    if (!l || !raw) {
        free(l);
        free(raw);
        return ft_err_set(err, "%s: out of memory", file);
    }
    l->file = file;
    l->lineno = 0;
    for (size_t pos = 0; pos < len && rc == 0;) {
        pos = take_line(text, len, pos, raw);
        l->lineno++;
        l->n = 0;
        if (blank_or_comment(raw))      /* not even expanded: nothing in it can fail */
            continue;
        struct ft_err e;
        if (ft_vars_expand(vars, raw, l->text, &e) < 0)
            rc = ft_cfg_error(err, file, l->lineno, "%s", e.msg);
        else if (!blank_or_comment(l->text))    /* a variable may make one */
            rc = fn(ctx, l);
    }
    free(raw);
    free(l);
    return rc < 0 ? -1 : 0;
}

int ft_cfg_split(struct ft_cfg_line *l, int max_words)
{
    if (max_words > FT_CFG_MAX_WORDS)
        max_words = FT_CFG_MAX_WORDS;
    memcpy(l->words_buf, l->text, sizeof l->text);
    l->n = 0;
    char *s = l->words_buf;
    for (;;) {
        while (*s && strchr(FT_CFG_BLANKS, *s))
            *s++ = 0;
        if (!*s)
            return 0;
        if (l->n == max_words)
            return -1;
        l->word_off[l->n] = (size_t)(s - l->words_buf);
        l->word[l->n++] = s;
        s += strcspn(s, FT_CFG_BLANKS);
    }
}
