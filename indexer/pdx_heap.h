/*
 * pdx_heap.h — the C heap of a short program, backed in one call instead of page by page.
 *
 * A search, the extraction of one file or the update of one file lives for a few
 * milliseconds and writes a few hundred KB to 1 MB of fresh heap (Xapian's table blocks
 * and cursors, compiled patterns, the analyzer's tables, the documents shown). Each fresh
 * page is a page fault when first written, and on a virtual machine a fault is a trip to
 * the hypervisor: about 10 µs here, against under 1 µs a page for asking the kernel to
 * back a whole range at once (MADV_POPULATE_WRITE, Linux 5.14). Hundreds of faults are
 * then a large part of what such a program spends after `main`.
 */
#ifndef INDEXER_PDX_HEAP_H
#define INDEXER_PDX_HEAP_H

#include <stddef.h>

/*
 * Grows the heap by `bytes`, has the kernel back those pages now, and hands them back to
 * the allocator, so that the program's later allocations land on pages already there.
 * So that they do, blocks under PDX_HEAP_MMAP_MIN bytes come from the heap rather than
 * from a mapping of their own, which would be faulted in afresh each time, and freed
 * memory is kept up to twice that (a program would only fault it in again). Call it
 * first thing in main, once.
 *
 * Returns 0, or -1 when `bytes` is 0 or not under PDX_HEAP_MMAP_MIN, when the heap could
 * not grow, when the allocator is not glibc's (or AddressSanitizer's or valgrind's stands
 * in for it), or when the kernel cannot back a range in advance (before Linux 5.14); the
 * program then runs the same, its pages faulted in one by one.
 */
int pdx_heap_prefault(size_t bytes);

/* Blocks of this size or more are mapped on their own once pdx_heap_prefault has run
 * (glibc's largest threshold: without one set, it starts at 128 KB and grows). */
#define PDX_HEAP_MMAP_MIN (32 * 1024 * 1024)

#endif
