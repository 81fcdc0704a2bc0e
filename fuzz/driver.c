/*
 * driver.c - runs a fuzz target's entry point over files, without
 * libFuzzer: how tests/fuzz-regress.sh replays fuzz/regress/TARGET/ in the
 * normal gcc trees (opt and ASan).  Usage: DRIVER FILE...  Exit 0 when
 * every input ran (a crash or a sanitizer report ends it otherwise).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *b = realloc(buf, cap *= 2);
            if (!b)
                free(buf);
            buf = b;
        }
    }
    fclose(fp);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        size_t len;
        unsigned char *buf = slurp(argv[i], &len);
        if (!buf) {
            fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[i]);
            return 2;
        }
        /* an exact-size copy: reads past the input are caught by ASan */
        unsigned char *exact = malloc(len ? len : 1);
        if (!exact)
            return 2;
        for (size_t k = 0; k < len; k++)
            exact[k] = buf[k];
        free(buf);
        LLVMFuzzerTestOneInput(exact, len);
        free(exact);
    }
    return 0;
}
