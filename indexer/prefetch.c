/*
 * prefetch.c — reads of several files sent to the kernel in one submission (see
 * pdx_prefetch.h).
 *
 * Each read is an io_uring IORING_OP_READ with RWF_NOWAIT: on a page-cache miss the
 * kernel starts its read-ahead for the range asked and completes the read at once with
 * EAGAIN instead of waiting for the disk. The read-aheads of one submission are issued
 * under one block-layer plug, where the kernel merges neighbouring ranges into one
 * request. Measured on a cold cache with the 42,471 files of the benchmark corpus read
 * in walk order: 43,148 disk requests asked for one file at a time (posix_fadvise), 3,342
 * in batches of 16.
 *
 * What the reads copy (the bytes already cached) goes to one scratch buffer that nothing
 * reads: the reads exist for the page cache they fill. Every read completes within its
 * submission (RWF_NOWAIT never waits and never goes to the kernel's workers), so no read
 * outlives the call that sent it, and nothing here waits: the completions are reaped
 * after each submission, and a read still in flight would only ever make the next files
 * fall back to the one-at-a-time hint.
 *
 * The ring is driven with the raw system calls and <linux/io_uring.h>: the build's
 * libraries are fixed, liburing is not among them, and the part used here is small.
 */
#define _GNU_SOURCE
#include "pdx_prefetch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Bytes asked for per file at most: the kernel's read-ahead covers the rest of a larger
 * file when it is read. The corpus's files are 1.1 KB at the median, 58 KB at most. */
#define PREFETCH_BYTES (64 * 1024)

struct pdx_prefetch {
    int ring_fd; /* -1: one file at a time */
    unsigned batch;
    unsigned queued;   /* entries written since the last submission */
    unsigned inflight; /* submitted, completion not reaped */
    unsigned cq_entries;
    void *sq_map, *cq_map;
    size_t sq_map_len, cq_map_len;
    struct io_uring_sqe *sqes;
    size_t sqes_len;
    unsigned *sq_tail, *sq_mask, *sq_array;
    unsigned *cq_head, *cq_tail;
    char *sink; /* where the reads copy what is cached already */
};

static int uring_setup(unsigned entries, struct io_uring_params *p)
{
    return (int)syscall(__NR_io_uring_setup, entries, p);
}

static int uring_enter(int fd, unsigned submit, unsigned min_complete, unsigned flags)
{
    return (int)syscall(__NR_io_uring_enter, fd, submit, min_complete, flags, NULL, 0);
}

/* Takes every completion posted: their results do not matter (a read-ahead that could
 * not start is a hint lost, and the file's reader will meet the error itself). */
static void reap(struct pdx_prefetch *pf)
{
    unsigned head = *pf->cq_head;
    unsigned tail = __atomic_load_n(pf->cq_tail, __ATOMIC_ACQUIRE);
    pf->inflight -= tail - head;
    __atomic_store_n(pf->cq_head, tail, __ATOMIC_RELEASE);
}

static void unmap_ring(struct pdx_prefetch *pf)
{
    if (pf->sqes != NULL && pf->sqes != MAP_FAILED)
        munmap(pf->sqes, pf->sqes_len);
    if (pf->cq_map != NULL && pf->cq_map != MAP_FAILED)
        munmap(pf->cq_map, pf->cq_map_len);
    if (pf->sq_map != NULL && pf->sq_map != MAP_FAILED)
        munmap(pf->sq_map, pf->sq_map_len);
    if (pf->ring_fd >= 0)
        close(pf->ring_fd);
    pf->ring_fd = -1;
}

/* Gives the ring up (the prefetcher is then one file at a time). */
static void close_ring(struct pdx_prefetch *pf)
{
    if (pf->ring_fd < 0)
        return;
    reap(pf);
    /* Each read completes within its submission, so none is left. Were one left, the
     * kernel could still write to the buffer: it would stay the process's rather than be
     * waited for (nothing here ever waits for the disk). */
    if (pf->inflight == 0)
        free(pf->sink);
    pf->sink = NULL;
    unmap_ring(pf);
}

/* Sets up the ring; on any failure the prefetcher stays one file at a time. */
static void open_ring(struct pdx_prefetch *pf)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    if ((pf->ring_fd = uring_setup(pf->batch, &p)) < 0) {
        pf->ring_fd = -1;
        return;
    }
    pf->sq_map_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    pf->cq_map_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    pf->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
    pf->sq_map = mmap(NULL, pf->sq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                      pf->ring_fd, IORING_OFF_SQ_RING);
    pf->cq_map = mmap(NULL, pf->cq_map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                      pf->ring_fd, IORING_OFF_CQ_RING);
    pf->sqes = mmap(NULL, pf->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                    pf->ring_fd, IORING_OFF_SQES);
    pf->sink = malloc(PREFETCH_BYTES);
    if (pf->sq_map == MAP_FAILED || pf->cq_map == MAP_FAILED || pf->sqes == MAP_FAILED ||
        pf->sink == NULL) {
        unmap_ring(pf);
        free(pf->sink);
        pf->sink = NULL;
        return;
    }
    char *sq = pf->sq_map, *cq = pf->cq_map;
    pf->sq_tail = (unsigned *)(sq + p.sq_off.tail);
    pf->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    pf->sq_array = (unsigned *)(sq + p.sq_off.array);
    pf->cq_head = (unsigned *)(cq + p.cq_off.head);
    pf->cq_tail = (unsigned *)(cq + p.cq_off.tail);
    pf->cq_entries = p.cq_entries; /* sq_entries: `batch` rounded up to a power of 2 */
}

struct pdx_prefetch *pdx_prefetch_new(unsigned batch)
{
    struct pdx_prefetch *pf = calloc(1, sizeof *pf);
    if (pf == NULL)
        return NULL;
    pf->batch = batch > 0 ? batch : 1;
    pf->ring_fd = -1;
    if (pf->batch > 1)
        open_ring(pf);
    return pf;
}

void pdx_prefetch_free(struct pdx_prefetch *pf)
{
    if (pf == NULL)
        return;
    close_ring(pf); /* entries queued and not sent are dropped with it */
    free(pf);
}

int pdx_prefetch_batched(const struct pdx_prefetch *pf)
{
    return pf != NULL && pf->ring_fd >= 0;
}

void pdx_prefetch_submit(struct pdx_prefetch *pf)
{
    if (pf == NULL || pf->ring_fd < 0 || pf->queued == 0)
        return;
    unsigned left = pf->queued;
    pf->queued = 0;
    while (left > 0) { /* the kernel stops at an entry it cannot start: the rest again */
        int n = uring_enter(pf->ring_fd, left, 0, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* A ring that takes nothing is given up, with the entries it did not take
             * (their hints are lost; the descriptors they name may be closed soon and
             * their numbers reused, so they must never be sent later). */
            close_ring(pf);
            return;
        }
        left -= (unsigned)n;
        pf->inflight += (unsigned)n;
    }
    reap(pf);
}

void pdx_prefetch_add(struct pdx_prefetch *pf, int fd, long long size)
{
    if (fd < 0 || size <= 0)
        return;
    if (pf == NULL || pf->ring_fd < 0) {
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED); /* a hint */
        return;
    }
    /* The descriptor was opened non-blocking (a file may have become a FIFO since it was
     * walked): only a regular file's read is a read-ahead and not a read of its data. */
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return;
    /* No room for a completion would mean reads not all completed (which does not
     * happen: each read completes within its submission): this file on its own, then. */
    if (pf->inflight + pf->queued >= pf->cq_entries) {
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
        return;
    }
    unsigned tail = *pf->sq_tail;
    unsigned index = tail & *pf->sq_mask;
    struct io_uring_sqe *sqe = &pf->sqes[index];
    memset(sqe, 0, sizeof *sqe);
    sqe->opcode = IORING_OP_READ;
    sqe->fd = fd;
    sqe->addr = (uint64_t)(uintptr_t)pf->sink;
    sqe->len = (unsigned)(size < PREFETCH_BYTES ? size : PREFETCH_BYTES);
    sqe->off = 0;
    sqe->rw_flags = RWF_NOWAIT;
    pf->sq_array[index] = index;
    pf->queued++;
    __atomic_store_n(pf->sq_tail, tail + 1, __ATOMIC_RELEASE); /* read by io_uring_enter */
    if (pf->queued == pf->batch)
        pdx_prefetch_submit(pf);
}
