/*
 * ft_file.c - reading a whole file into memory: the one reader of config,
 * symbol, exporter settings and template files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ft_file.h"

char *ft_file_read(const char *path, size_t max, size_t *len, struct ft_err *err)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        ft_err_set(err, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
        close(fd);
        ft_err_set(err, "%s: larger than %zu bytes", path, max);
        return NULL;
    }
    /* A regular file's size is the first guess (one more byte sees its end
     * in one pass); a pipe's size is not known, so it grows as it comes. */
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    size_t n = 0;
    char *buf = malloc(cap + 1);
    ssize_t r = 1;
    while (buf && r > 0 && n <= max) {
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        r = read(fd, buf + n, cap - n);
        if (r > 0)
            n += (size_t)r;
    }
    int saved = errno;
    close(fd);
    if (!buf || n > max || r < 0) {
        if (!buf)
            ft_err_set(err, "%s: out of memory", path);
        else if (n > max)
            ft_err_set(err, "%s: larger than %zu bytes", path, max);
        else
            ft_err_set(err, "%s: %s", path, strerror(saved));
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}
