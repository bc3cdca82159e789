/*
 * heap.c — backing a short program's heap in advance (see pdx_heap.h).
 */
#define _DEFAULT_SOURCE /* madvise, sbrk */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pdx_heap.h"

int pdx_heap_prefault(size_t bytes)
{
    /* glibc maps blocks of 128 KB or more on their own (until one has been freed), so the
     * block below would not be heap at all, nor would a large document's text later; and
     * it gives back the top of the heap once 128 KB of it are free, which freeing the
     * block would do at once. Setting either threshold stops glibc adjusting both. */
    if (bytes == 0 || bytes >= PDX_HEAP_MMAP_MIN ||
        mallopt(M_MMAP_THRESHOLD, PDX_HEAP_MMAP_MIN) != 1 ||
        mallopt(M_TRIM_THRESHOLD, 2 * PDX_HEAP_MMAP_MIN) != 1)
        return -1;
    /* volatile: a malloc whose block is only freed may be left out by the compiler. */
    char *volatile block = malloc(bytes);
    if (block == NULL)
        return -1;
    /* Another allocator (valgrind's) may take the options and still serve the block from
     * elsewhere: backing it would then buy nothing. glibc's heap ends at the break. */
    if ((uintptr_t)block + bytes > (uintptr_t)sbrk(0)) {
        free(block);
        return -1;
    }
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t first = ((uintptr_t)block + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t end = ((uintptr_t)block + bytes) & ~((uintptr_t)page - 1);
    int rc = end > first ? madvise((void *)first, end - first, MADV_POPULATE_WRITE) : -1;
    /* Freed, the block joins the top of the heap, where the next allocations are cut. */
    free(block);
    return rc == 0 ? 0 : -1;
}
