/*
 * ft_vars.h - configuration variables (-v NAME=VALUE), the part of the
 * config reader every flow-tools configuration language shares.
 *
 * Every line of a configuration is expanded before it is parsed:
 * `@NAME` (NAME = the letters and digits that follow) and `@{NAME}` become
 * the value, `@{NAME:-default}` the default when NAME is not defined; an
 * undefined name without default becomes nothing.  The expanded line is
 * cut to FT_VARS_LINE_MAX - 1 characters (tools.md section 25).
 */
#ifndef FT_VARS_H
#define FT_VARS_H

#include <stddef.h>
#include "core/ft_err.h"

#define FT_VARS_MAX 256         /* variables one program may define */
#define FT_VARS_LINE_MAX 1024

struct ft_vars {
    size_t n;
    char *name[FT_VARS_MAX];
    char *value[FT_VARS_MAX];
};

/* "NAME=VALUE" (split at the first '='; empty name or value refused).  A
 * name defined again takes the new value.  0, or -1 with err filled. */
int ft_vars_set(struct ft_vars *v, const char *assignment, struct ft_err *err);
void ft_vars_free(struct ft_vars *v);
/* Expand one line into out (FT_VARS_LINE_MAX bytes).  v may be NULL (no
 * variables).  -1 with err filled ("...: unbalanced braces") on a malformed
 * reference; the caller adds the file and line. */
int ft_vars_expand(const struct ft_vars *v, const char *line, char *out, struct ft_err *err);

#endif
