/*
 * ft_test.h - the smallest test harness that does the job.
 *
 * Each unit-test program checks many things; every failed check prints
 * where and why, and the program ends with one line "NAME: N passed, M failed"
 * and exit status 1 if anything failed (tests/run-all.sh adds the lines up).
 */
#ifndef FT_TEST_H
#define FT_TEST_H

#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static unsigned ft_test_passed, ft_test_failed;

#define CHECK(cond, ...) do { \
    if (cond) { ft_test_passed++; } else { \
        ft_test_failed++; \
        fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
        fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

#define CHECK_EQ_U(a, b, what) do { \
    unsigned long long ft_a_ = (unsigned long long)(a), ft_b_ = (unsigned long long)(b); \
    CHECK(ft_a_ == ft_b_, "%s: got %llu, want %llu", (what), ft_a_, ft_b_); \
} while (0)

#define CHECK_EQ_S(a, b, what) do { \
    const char *ft_a_ = (a), *ft_b_ = (b); \
    CHECK(ft_a_ && ft_b_ && strcmp(ft_a_, ft_b_) == 0, "%s: got \"%s\", want \"%s\"", \
          (what), ft_a_ ? ft_a_ : "(null)", ft_b_ ? ft_b_ : "(null)"); \
} while (0)

static inline int ft_test_report(const char *name)
{
    printf("%s: %u passed, %u failed\n", name, ft_test_passed, ft_test_failed);
    return ft_test_failed ? 1 : 0;
}

/* Where the shared reference material lives (compat cases, captures). */
static inline const char *ft_test_shared(void)
{
    const char *s = getenv("FTKIT_SHARED");
    return s ? s : "../../shared";
}

/* A scratch directory /tmp/NAME.XXXXXX for the test's files (dir holds at
 * least 64 bytes): 0, or -1 after saying why. */
static inline int ft_test_mkdtemp(char *dir, size_t size, const char *name)
{
    snprintf(dir, size, "/tmp/%s.XXXXXX", name);
    if (mkdtemp(dir))
        return 0;
    perror("mkdtemp");
    return -1;
}

static inline void ft_test_rmtree(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
}

#endif
