/*
 * test_heap.c — backing the heap in advance (indexer/heap.c).
 */
#define _DEFAULT_SOURCE /* mincore, sbrk */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pdx_heap.h"

/* `make valgrind` runs this test's binary under valgrind, whose allocator stands in for
 * glibc's; its header is there whenever valgrind is. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
#ifdef __SANITIZE_ADDRESS__
#define OTHER_ALLOCATOR 1
#else
#define OTHER_ALLOCATOR RUNNING_ON_VALGRIND
#endif

#define BACKED (384 * 1024)
/* Over glibc's default threshold for mapping a block on its own (128 KB). */
#define LARGE (192 * 1024)

static void test_prefault_backs_the_heap(void **state)
{
    (void)state;
    int rc = pdx_heap_prefault(BACKED);
    if (OTHER_ALLOCATOR) {
        /* AddressSanitizer's takes no mallopt; valgrind's serves the block elsewhere. */
        assert_int_equal(rc, -1);
        unsigned char *plain = malloc(LARGE);
        assert_non_null(plain);
        free(plain);
        return;
    }
    assert_int_equal(rc, 0);
    /* A large block now comes from the heap, below its end, not from a mapping... */
    unsigned char *b = malloc(LARGE);
    assert_non_null(b);
    assert_true((uintptr_t)b + LARGE <= (uintptr_t)sbrk(0));
    /* ...and its pages are there before anything writes to them (the allocator writes
     * only the block's header, in the first page, and the rest of the heap's, after it). */
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t first = ((uintptr_t)b + page) & ~(uintptr_t)(page - 1);
    uintptr_t end = ((uintptr_t)b + LARGE - page) & ~(uintptr_t)(page - 1);
    size_t n = (end - first) / page;
    unsigned char resident[LARGE / 4096];
    assert_true(n > 16 && n <= sizeof resident);
    assert_int_equal(mincore((void *)first, end - first, resident), 0);
    size_t missing = 0;
    for (size_t i = 0; i < n; i++)
        missing += !(resident[i] & 1);
    assert_int_equal(missing, 0);
    free(b);
}

static void test_prefault_refuses_what_it_cannot_keep(void **state)
{
    (void)state;
    assert_int_equal(pdx_heap_prefault(0), -1);
    /* A block that large would be mapped on its own, not cut from the heap. */
    assert_int_equal(pdx_heap_prefault(PDX_HEAP_MMAP_MIN), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefault_backs_the_heap),
        cmocka_unit_test(test_prefault_refuses_what_it_cannot_keep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
