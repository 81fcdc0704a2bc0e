/*
 * ft_cfg.h - what the config languages of flow-tools (filter.cfg, tag.cfg)
 * read the same way (nfilter-language.md section 0): the whole file into
 * memory with a size limit, then line by line (a CRLF line end reads as
 * LF), each line cut to FT_VARS_LINE_MAX - 1 characters, its variables
 * expanded and split into words at blanks; blank lines and comments (a
 * first word starting with '#') never reach a language; errors as
 * "FILE line N: message".
 *
 * Private to ftlib (not installed).
 */
#ifndef FT_CFG_H
#define FT_CFG_H

#include <stdarg.h>
#include <stddef.h>

#include "core/ft_err.h"
#include "core/ft_grow.h"
#include "lang/ft_vars.h"

/* The most words a line can be split into (a language may allow fewer). */
#define FT_CFG_MAX_WORDS 64
/* What separates words: spaces and tabs, runs of them collapsing. */
#define FT_CFG_BLANKS " \t"

/* One line of a config file. */
struct ft_cfg_line {
    const char *file;
    unsigned lineno;                    /* from 1 */
    char text[FT_VARS_LINE_MAX];        /* the line, variables expanded */
    char words_buf[FT_VARS_LINE_MAX];   /* the same, words NUL-terminated */
    char *word[FT_CFG_MAX_WORDS];
    size_t word_off[FT_CFG_MAX_WORDS];  /* where each word starts in text */
    int n;                              /* words */
};

/*
 * Calls fn(ctx, line) for each line of text (len bytes, named file in
 * messages) that is neither blank nor a comment, variables expanded with
 * vars (may be NULL), until fn returns < 0.  A comment is dropped before
 * it is expanded or split, so nothing in it (its words, its length, a
 * broken variable reference) can fail; a line a variable turns into a
 * comment is one too, as in flow-tools, which expands lines first.  The
 * words are not split: languages allow different numbers of them
 * (ft_cfg_split).  -1 with err set on the first error (fn sets err itself,
 * through ft_cfg_error), else 0.
 */
typedef int (*ft_cfg_line_fn)(void *ctx, struct ft_cfg_line *line);
int ft_cfg_lines(const char *text, size_t len, const char *file, const struct ft_vars *vars,
                 ft_cfg_line_fn fn, void *ctx, struct ft_err *err);

/* Split l->text into l->word at FT_CFG_BLANKS; -1 when there are more
 * than max_words (<= FT_CFG_MAX_WORDS) words. */
int ft_cfg_split(struct ft_cfg_line *l, int max_words);

/* "FILE line N: message" into err; always -1. */
int ft_cfg_error(struct ft_err *err, const char *file, unsigned lineno, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int ft_cfg_verror(struct ft_err *err, const char *file, unsigned lineno, const char *fmt,
                  va_list ap) __attribute__((format(printf, 4, 0)));

#endif
