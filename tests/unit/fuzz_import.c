/* The fuzzing harness of flow-import's parsers (lib/io): every format's
 * parser reads from memory through ft_import_open_mem and ft_import_read.
 *
 *   libFuzzer:  clang -fsanitize=fuzzer,address -DFT_FUZZ_LIBFUZZER -Ilib \
 *                 tests/unit/fuzz_import.c .libs/libft.a -lz -lzstd -lpcap -lm
 *               (the first input byte picks the format)
 *   standalone: fuzz_import FILE...   (each file through every parser)
 *   no args:    a few seeds through every parser (part of make check)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/ft_io.h"
#include "stream/ft_format.h"
#include "ft_test.h"

static const char *const formats[] = {"0", "1", "2", "4", "json"};
#define NFORMATS (sizeof formats / sizeof formats[0])

/* Parse all of buf as format k into v5 flows; the flows are dropped. */
static void parse(size_t k, const uint8_t *buf, size_t len)
{
    static struct ft_flow flows[256];
    struct ft_import_opts o = {.format = ft_format_find(5, 0)};
    struct ft_err err;
    struct ft_import *im = ft_import_open_mem(ft_io_format_find(formats[k]), &o, buf, len,
                                              "fuzz", &err);
    if (!im)
        return;
    while (ft_import_read(im, flows, 256, &err) > 0)
        ;
    ft_import_free(im);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 0)
        parse(data[0] % NFORMATS, data + 1, size - 1);
    return 0;
}

#ifndef FT_FUZZ_LIBFUZZER
#define SEED(s) {s, sizeof(s) - 1}
static const struct { const char *bytes; size_t len; } seeds[] = {
    SEED("#:srcaddr,dpkts\n10.0.0.1,5\n"),
    SEED("{\"srcaddr\":\"10.0.0.1\",\"packets\":5}\n"),
    SEED("\x00\x00\x00\x06\x0a\x00\x00\x01\x0a\x00\x00\x02"),
    SEED("\x00\x05\x00\x00\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"),
    SEED("\xd4\xc3\xb2\xa1\x02\x00\x04\x00\0\0\0\0\0\0\0\0\xff\xff\0\0\x01\0\0\0"),
};

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL, "%s", path);
    if (!f)
        return;
    uint8_t *buf = malloc(1 << 24);
    size_t len = buf ? fread(buf, 1, 1 << 24, f) : 0;
    fclose(f);
    for (size_t k = 0; k < NFORMATS; k++)
        parse(k, buf, len);
    free(buf);
    CHECK(1, "%s", path);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        run_file(argv[i]);
    if (argc == 1)
        for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++)
            for (size_t k = 0; k < NFORMATS; k++) {
                for (size_t cut = 0; cut <= seeds[s].len; cut++)
                    parse(k, (const uint8_t *)seeds[s].bytes, cut);
                CHECK(1, "seed %zu", s);
            }
    return ft_test_report("fuzz_import");
}
#endif
