/*
 * test_prefetch.c — files asked for through a prefetcher arrive in the page cache,
 * batched or one at a time, and nothing but a regular file is read.
 *
 * Each test writes its files under a fresh directory in $TMPDIR (default /tmp), drops
 * them from the page cache (fsync, then POSIX_FADV_DONTNEED), checks with mincore that
 * they are gone, asks for them, and waits for them to come back. Where they cannot be
 * seen gone (tmpfs keeps its pages; under valgrind, mincore reports every page of a
 * mapping), the residency tests are skipped, saying so: `make test` runs them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pdx_prefetch.h"

#define NFILES 40
#define FILE_BYTES 9000 /* three pages */

struct files {
    char dir[256];
    char path[NFILES][300];
};

static void make_files(struct files *f)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/test_prefetch_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(f->dir));
    char buf[FILE_BYTES];
    for (int i = 0; i < NFILES; i++) {
        char path[sizeof f->path[i]]; /* written apart: gcc sees f->dir overlap f->path */
        snprintf(path, sizeof path, "%s/f%02d.txt", f->dir, i);
        memcpy(f->path[i], path, sizeof path);
        memset(buf, 'a' + i % 26, sizeof buf);
        int fd = open(f->path[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, buf, sizeof buf), (ssize_t)sizeof buf);
        assert_int_equal(fsync(fd), 0);
        assert_int_equal(close(fd), 0);
    }
}

static void remove_files(struct files *f)
{
    for (int i = 0; i < NFILES; i++)
        unlink(f->path[i]);
    rmdir(f->dir);
}

/* Pages of the file at `path` in the page cache. */
static int resident_pages(const char *path)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    void *map = mmap(NULL, FILE_BYTES, PROT_READ, MAP_SHARED, fd, 0);
    assert_true(map != MAP_FAILED);
    unsigned char vec[(FILE_BYTES + 4095) / 4096];
    long page = sysconf(_SC_PAGESIZE);
    size_t pages = (FILE_BYTES + (size_t)page - 1) / (size_t)page;
    assert_true(pages <= sizeof vec);
    assert_int_equal(mincore(map, FILE_BYTES, vec), 0);
    int n = 0;
    for (size_t i = 0; i < pages; i++)
        n += vec[i] & 1;
    munmap(map, FILE_BYTES);
    close(fd);
    return n;
}

/* Drops the files from the page cache; 0 when the file system would not. */
static int drop_files(struct files *f)
{
    for (int i = 0; i < NFILES; i++) {
        int fd = open(f->path[i], O_RDONLY);
        assert_true(fd >= 0);
        assert_int_equal(posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
        close(fd);
        if (resident_pages(f->path[i]) != 0)
            return 0;
    }
    return 1;
}

/* Waits (up to five seconds) for every page of every file to be in the page cache. */
static int all_arrive(struct files *f)
{
    for (int tries = 0; tries < 5000; tries++) {
        int missing = 0;
        for (int i = 0; i < NFILES && !missing; i++)
            missing = resident_pages(f->path[i]) != (FILE_BYTES + 4095) / 4096;
        if (!missing)
            return 1;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

/* Asks for every file through `pf`, closing each descriptor once its batch is sent. */
static void ask_for_files(struct pdx_prefetch *pf, struct files *f, unsigned batch)
{
    int fds[NFILES];
    int first = 0;
    for (int i = 0; i < NFILES; i++) {
        fds[i] = open(f->path[i], O_RDONLY | O_NONBLOCK);
        assert_true(fds[i] >= 0);
        pdx_prefetch_add(pf, fds[i], FILE_BYTES);
        if ((unsigned)(i + 1 - first) == batch) { /* sent by add when the batch filled */
            for (; first <= i; first++)
                close(fds[first]);
        }
    }
    pdx_prefetch_submit(pf);
    for (; first < NFILES; first++)
        close(fds[first]);
}

static int io_uring_available(void)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    int fd = (int)syscall(__NR_io_uring_setup, 4, &p);
    if (fd < 0)
        return 0;
    close(fd);
    return 1;
}

static void check_files_arrive(unsigned batch, int use_null)
{
    struct files f;
    make_files(&f);
    if (!drop_files(&f)) {
        remove_files(&f);
        print_message("these files stay in the page cache here (tmpfs keeps its pages; "
                      "under valgrind mincore says so): not tested here\n");
        skip();
    }
    struct pdx_prefetch *pf = use_null ? NULL : pdx_prefetch_new(batch);
    if (!use_null)
        assert_non_null(pf);
    if (batch > 1 && !use_null && io_uring_available())
        assert_int_equal(pdx_prefetch_batched(pf), 1);
    else
        assert_int_equal(pdx_prefetch_batched(pf), 0);
    ask_for_files(pf, &f, use_null ? 1 : batch);
    assert_true(all_arrive(&f));
    pdx_prefetch_free(pf);
    remove_files(&f);
}

static void test_batched_files_arrive(void **state)
{
    (void)state;
    check_files_arrive(8, 0); /* five full batches */
}

static void test_a_partial_batch_is_sent_by_submit(void **state)
{
    (void)state;
    check_files_arrive(64, 0); /* one batch, never full */
}

static void test_one_at_a_time_files_arrive(void **state)
{
    (void)state;
    check_files_arrive(1, 0);
    check_files_arrive(8, 1); /* no prefetcher (out of memory): the same hint */
}

/* A descriptor that is not a regular file (a walked file since replaced by a FIFO) is
 * never read: its bytes stay for its reader. */
static void test_a_pipe_is_not_read(void **state)
{
    (void)state;
    for (unsigned batch = 1; batch <= 8; batch *= 8) {
        int p[2];
        assert_int_equal(pipe2(p, O_NONBLOCK), 0);
        assert_int_equal(write(p[1], "abc", 3), 3);
        struct pdx_prefetch *pf = pdx_prefetch_new(batch);
        pdx_prefetch_add(pf, p[0], 3);
        pdx_prefetch_submit(pf);
        pdx_prefetch_free(pf);
        char buf[4] = "";
        assert_int_equal(read(p[0], buf, sizeof buf), 3);
        assert_memory_equal(buf, "abc", 3);
        close(p[0]);
        close(p[1]);
    }
}

/* Bad descriptors and empty files are ignored; NULL is fine everywhere. */
static void test_nothing_to_ask(void **state)
{
    (void)state;
    struct pdx_prefetch *pf = pdx_prefetch_new(4);
    assert_non_null(pf);
    pdx_prefetch_add(pf, -1, 100);
    pdx_prefetch_add(pf, 0, 0);
    pdx_prefetch_submit(pf);
    pdx_prefetch_submit(pf); /* nothing queued */
    pdx_prefetch_free(pf);
    pdx_prefetch_add(NULL, -1, 1);
    pdx_prefetch_submit(NULL);
    pdx_prefetch_free(NULL);
    assert_int_equal(pdx_prefetch_batched(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batched_files_arrive),
        cmocka_unit_test(test_a_partial_batch_is_sent_by_submit),
        cmocka_unit_test(test_one_at_a_time_files_arrive),
        cmocka_unit_test(test_a_pipe_is_not_read),
        cmocka_unit_test(test_nothing_to_ask),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
