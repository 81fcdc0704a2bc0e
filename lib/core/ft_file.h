/*
 * ft_file.h - a whole file in memory (configs, symbol tables, exporter
 * settings, template files), with a limit on its size.
 */
#ifndef FT_FILE_H
#define FT_FILE_H

#include <stddef.h>
#include "core/ft_err.h"

/*
 * The contents of path, NUL-terminated, its length in *len; at most max
 * bytes.  Pipes and other non-regular files are read too.  NULL with err
 * naming the file when it cannot be read or is larger.  Free with free().
 */
char *ft_file_read(const char *path, size_t max, size_t *len, struct ft_err *err);

#endif
