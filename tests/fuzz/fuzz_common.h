/*
 * fuzz_common.h — what every polidex fuzz target shares: invariant checks and, when built
 * with -DPDX_FUZZ_REPLAY (the normal compiler, no libFuzzer), a replay driver.
 *
 * A target defines LLVMFuzzerTestOneInput (one input, checks invariants, FUZZ_CHECK
 * aborts with the file and line of the broken invariant) and LLVMFuzzerInitialize (builds
 * the analyzer or extractor once, kept in a function-level static for the life of the
 * process: building an ICU/PCRE2 context per input would make fuzzing a hundred times
 * slower).
 *
 * The replay driver, `fuzz_x DIR...`, runs every regular file of every DIR (a missing DIR
 * counts as empty) in a child process of its own, so a crash or a failed check is
 * reported against the file that caused it and the replay goes on. It ends with
 *   fuzz_x: N passed, N failed
 * (the line tests/run-tests.sh counts) and exits 1 when any input failed.
 */
#ifndef TESTS_FUZZ_FUZZ_COMMON_H
#define TESTS_FUZZ_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Aborts (the fuzzer's notion of a crash) when an invariant does not hold. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Is s[0, n) valid UTF-8 (shortest forms, no surrogates, ≤ U+10FFFF)? NUL is allowed. */
static inline int fuzz_utf8_valid(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        size_t k;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i <= k)
            return 0;
        for (size_t j = 1; j <= k; j++) {
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + j] & 0x3F);
        }
        if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += k + 1;
    }
    return 1;
}

/* Is offset `off` of s[0, n) on a character boundary (0, n, or not a continuation)? */
static inline int fuzz_on_boundary(const char *s, size_t n, size_t off)
{
    return off == 0 || off == n || (off < n && ((unsigned char)s[off] & 0xC0) != 0x80);
}

/* Is s[0, n) a non-empty lower-case ASCII slug ([a-z0-9] runs joined by single '-')? */
static inline int fuzz_is_slug(const char *s, size_t n)
{
    if (n == 0 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '-' ? s[i - 1] == '-' : !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            return 0;
    }
    return 1;
}

#ifdef PDX_FUZZ_REPLAY
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads a whole file into a malloc'd buffer (never NULL on success, even when empty). */
static int fuzz_read(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        if (n == cap) {
            uint8_t *grown = realloc(buf, cap * 2);
            if (grown == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = buf == NULL || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* Runs names[j] in a child; returns 1 when it passed. The child frees the list it
 * inherited, so that a leak checker (LeakSanitizer, valgrind) at its exit sees only
 * what the input leaked. */
static int fuzz_replay_one(const char *prog, char **names, size_t n, size_t j)
{
    const char *path = names[j];
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "%s: %s: cannot fork\n", prog, path);
        return 0;
    }
    if (pid == 0) {
        uint8_t *data;
        size_t len;
        if (fuzz_read(path, &data, &len) != 0) {
            fprintf(stderr, "%s: %s: cannot read\n", prog, path);
            _exit(1);
        }
        for (size_t i = 0; i < n; i++)
            free(names[i]);
        free(names);
        LLVMFuzzerTestOneInput(data, len);
        free(data);
        exit(0); /* exit, not _exit: LeakSanitizer checks at exit */
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 1;
    if (WIFSIGNALED(status))
        fprintf(stderr, "%s: %s: FAILED (signal %d)\n", prog, path, WTERMSIG(status));
    else
        fprintf(stderr, "%s: %s: FAILED (exit %d)\n", prog, path, WEXITSTATUS(status));
    return 0;
}

static int fuzz_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    size_t passed = 0, failed = 0;
    LLVMFuzzerInitialize(&argc, &argv);
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (d == NULL)
            continue;
        char **names = NULL;
        size_t n = 0, cap = 0;
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                char **grown = realloc(names, cap * sizeof *names);
                if (grown == NULL)
                    abort();
                names = grown;
            }
            size_t l = strlen(argv[i]) + strlen(e->d_name) + 2;
            names[n] = malloc(l);
            if (names[n] == NULL)
                abort();
            snprintf(names[n], l, "%s/%s", argv[i], e->d_name);
            n++;
        }
        closedir(d);
        if (n > 0)
            qsort(names, n, sizeof *names, fuzz_name_cmp);
        for (size_t j = 0; j < n; j++) {
            if (fuzz_replay_one(prog, names, n, j))
                passed++;
            else
                failed++;
        }
        for (size_t j = 0; j < n; j++)
            free(names[j]);
        free(names);
    }
    printf("%s: %zu passed, %zu failed\n", prog, passed, failed);
    return failed ? 1 : 0;
}
#endif /* PDX_FUZZ_REPLAY */

#endif /* TESTS_FUZZ_FUZZ_COMMON_H */
