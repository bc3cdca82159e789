/*
 * pdx_heap.h — the C heap of a short program, backed in one call instead of page by page.
 *
 * A search lives for a few milliseconds and allocates about 300 KB of heap (Xapian's
 * table blocks and cursors, the documents it shows, our snippets). Each fresh page of it
 * is a page fault when first written, and on a virtual machine a fault is a trip to the
 * hypervisor: about 10 µs here, against under 1 µs a page for asking the kernel to back
 * a whole range at once (MADV_POPULATE_WRITE, Linux 5.14). Fifty faults are then a
 * sizeable part of a search that is not spent before main.
 */
#ifndef PDX_SEARCH_HEAP_H
#define PDX_SEARCH_HEAP_H

#include <stddef.h>

/*
 * Grows the heap by `bytes`, has the kernel back those pages now, and hands them back to
 * the allocator, so that the program's later allocations land on pages already there.
 * So that they do, blocks up to PDX_HEAP_MMAP_MIN bytes come from the heap rather than
 * from a mapping of their own, and freed memory is not returned to the kernel (a short
 * program would only fault it in again). Call it first thing in main, once.
 *
 * Returns 0, or -1 when the heap could not grow, when the allocator is not glibc's (or
 * AddressSanitizer's or valgrind's stands in for it), or when the kernel cannot back a
 * range in advance (before Linux 5.14); the program then runs the same, its pages
 * faulted in one by one.
 */
int pdx_heap_prefault(size_t bytes);

/* Blocks of this size or more are mapped on their own once pdx_heap_prefault has run. */
#define PDX_HEAP_MMAP_MIN (1024 * 1024)

#endif
