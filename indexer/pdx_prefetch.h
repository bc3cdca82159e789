/*
 * pdx_prefetch.h — asks the kernel for the contents of several files at once.
 *
 * Reading a corpus of small files from a cold disk costs one request to the disk per
 * file when each file is asked for on its own, even when the files lie one after the
 * other on the disk (as files unpacked in the order they are walked do): each request
 * is sent before the next is asked for, and its completion is an interrupt. Asked for
 * together, in one submission, the reads of neighbouring files become one request.
 *
 * A prefetcher collects files (`pdx_prefetch_add`) and sends their reads in one go
 * (`pdx_prefetch_submit`) through an io_uring submission queue. The reads never wait
 * for the disk: they start the kernel's read-ahead into the page cache and return, so
 * nothing is left in flight and the caller reads each file later as it would have.
 * Where io_uring cannot be had (an old kernel, a sandbox that forbids it), each file is
 * asked for on its own (posix_fadvise WILLNEED) when it is added: a slower hint, never
 * a failure. A prefetcher belongs to one thread at a time.
 */
#ifndef INDEXER_PDX_PREFETCH_H
#define INDEXER_PDX_PREFETCH_H

struct pdx_prefetch;

/* A prefetcher that sends at most `batch` reads in one submission (at least 1); NULL when
 * out of memory, which the functions below take as the one-file-at-a-time fallback. */
struct pdx_prefetch *pdx_prefetch_new(unsigned batch);

/* Releases the prefetcher. NULL is fine. */
void pdx_prefetch_free(struct pdx_prefetch *pf);

/* Asks for the first `size` bytes of the regular file open at `fd`: queued for the next
 * submission, which happens here once the batch is full. The caller keeps `fd` open
 * until then (or until pdx_prefetch_submit), and closes it. */
void pdx_prefetch_add(struct pdx_prefetch *pf, int fd, long long size);

/* Sends the reads queued since the last submission. */
void pdx_prefetch_submit(struct pdx_prefetch *pf);

/* 1 when reads go out in batches through io_uring, 0 when one at a time. */
int pdx_prefetch_batched(const struct pdx_prefetch *pf);

#endif /* INDEXER_PDX_PREFETCH_H */
