/*
 * ft_vars.c - configuration variables (-v NAME=VALUE) and the
 * expansion of @NAME, @{NAME} and @{NAME:-default} in configuration lines
 * (tools.md section 25).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/ft_err.h"
#include "lang/ft_vars.h"

int ft_vars_set(struct ft_vars *v, const char *assignment, struct ft_err *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment || !eq[1])
        return ft_err_set(err, "\"%s\": expecting NAME=VALUE", assignment);
    size_t nlen = (size_t)(eq - assignment);
    for (size_t i = 0; i < v->n; i++) {
        if (strlen(v->name[i]) == nlen && strncmp(v->name[i], assignment, nlen) == 0) {
            char *nv = strdup(eq + 1);
            if (!nv)
                return ft_err_set(err, "out of memory");
            free(v->value[i]);
            v->value[i] = nv;
            return 0;
        }
    }
    if (v->n == FT_VARS_MAX)
        return ft_err_set(err, "more than %d variables", FT_VARS_MAX);
    char *name = strndup(assignment, nlen), *value = strdup(eq + 1);
    if (!name || !value) {
        free(name);
        free(value);
        return ft_err_set(err, "out of memory");
    }
    v->name[v->n] = name;
    v->value[v->n++] = value;
    return 0;
}

void ft_vars_free(struct ft_vars *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->name[i]);
        free(v->value[i]);
    }
    v->n = 0;
}

static const char *lookup(const struct ft_vars *v, const char *name, size_t len)
{
    for (size_t i = 0; v && i < v->n; i++)
        if (strlen(v->name[i]) == len && strncmp(v->name[i], name, len) == 0)
            return v->value[i];
    return NULL;
}

/* Output with truncation at FT_VARS_LINE_MAX - 1. */
struct out {
    char *buf;
    size_t len;
};

static void put(struct out *o, const char *s, size_t n)
{
    size_t room = FT_VARS_LINE_MAX - 1 - o->len;
    if (n > room)
        n = room;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* @{NAME} or @{NAME:-default} starting at s (just after the '@');
 * returns the first character after it, or NULL. */
static const char *braced(const struct ft_vars *v, const char *s, struct out *o,
                          struct ft_err *err)
{
    const char *name = s + 1;
    const char *close = strchr(name, '}');
    if (!close)
        return ft_err_set(err, "unbalanced braces in a variable reference"), NULL;
    const char *colon = memchr(name, ':', (size_t)(close - name));
    size_t nlen = (size_t)((colon ? colon : close) - name);
    const char *value = lookup(v, name, nlen);
    if (colon && colon[1] != '-')
        return ft_err_set(err, "variable reference @{%.*s...}: expecting \":-\"",
                          (int)nlen, name), NULL;
    if (value)
        put(o, value, strlen(value));
    else if (colon)
        put(o, colon + 2, (size_t)(close - colon - 2));
    return close + 1;
}

int ft_vars_expand(const struct ft_vars *v, const char *line, char *out, struct ft_err *err)
{
    struct out o = {out, 0};
    const char *s = line;
    while (*s) {
        const char *at = strchr(s, '@');
        if (!at) {
            put(&o, s, strlen(s));
            break;
        }
        put(&o, s, (size_t)(at - s));
        if (at[1] == '{') {
            if (!(s = braced(v, at + 1, &o, err)))
                return -1;
            continue;
        }
        const char *e = at + 1;
        while (isalnum((unsigned char)*e))
            e++;
        if (e == at + 1) {          /* a lone '@' stays as it is */
            put(&o, "@", 1);
        } else {
            const char *value = lookup(v, at + 1, (size_t)(e - at - 1));
            if (value)
                put(&o, value, strlen(value));
        }
        s = e;
    }
    out[o.len] = 0;
    return 0;
}
