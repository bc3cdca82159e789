/*
 * pdx_pipeline.h — jobs prepared by worker threads, handed back in submission order.
 *
 * The indexer's writer is one thread (a Xapian database has one writer), but reading,
 * decoding, analysing and extracting a document need nothing from the index: those run
 * on workers while the writer stores the documents already prepared. Jobs come back in
 * the order they were submitted, so a run's output, its messages and the documents' ids
 * do not depend on the number of workers.
 *
 * Each worker owns a zeroed block of `state_size` bytes that it passes to every job it
 * prepares: per-thread objects (an analyzer, compiled regexes) are created there lazily
 * by the job function and released by `fini` when the pipeline is freed. With no
 * workers, jobs are prepared by the submitting thread, with one such block of its own.
 *
 * The pipeline knows nothing of what a job is: it moves pointers the caller owns.
 */
#ifndef INDEXER_PDX_PIPELINE_H
#define INDEXER_PDX_PIPELINE_H

#include <stddef.h>

struct pdx_pipeline;

/* Prepares `job` with the worker's `state`. Runs on a worker thread (or the submitter's,
 * with no workers); must not touch anything another job or the submitter uses. */
typedef void (*pdx_job_fn)(void *state, void *job);

/* Starts the `n` jobs of `jobs` early, together, with the worker's `state` (see
 * pdx_pipeline_set_ahead). */
typedef void (*pdx_batch_fn)(void *state, void *const *jobs, size_t n);

/* Releases what job functions created in a worker's `state` (not the block itself). */
typedef void (*pdx_state_fini)(void *state);

/* Creates a pipeline of `workers` threads (0: jobs run inline in submit) holding at most
 * `depth` jobs at a time (at least 1). Returns NULL when out of memory or when no thread
 * can be started; a pipeline that started fewer threads than asked for works with those.
 */
struct pdx_pipeline *pdx_pipeline_new(unsigned workers, size_t depth, size_t state_size,
                                      pdx_job_fn prepare, pdx_state_fini fini);

/* Stops the workers (after the jobs they hold), calls `fini` on each state and frees the
 * pipeline. Jobs not taken are dropped: take them first to have them back. NULL is fine. */
void pdx_pipeline_free(struct pdx_pipeline *p);

/* Has the workers start jobs early with `ahead`, before they prepare the jobs submitted
 * before them: a worker about to prepare a job first hands `ahead` the jobs queued
 * behind it not started yet, all at once, so that what they will wait for (their files,
 * from the disk) is asked for together and comes while the jobs before them are
 * prepared. While jobs started early are still waiting, a worker waits until half of
 * `max` can be started together. At most `max` jobs started early wait for a worker, so
 * that what they hold (open files) stays bounded: `max` plus one per worker with the
 * jobs the workers have claimed. A job is not prepared before its `ahead` call returns;
 * `ahead` gets the state of the worker that calls it, which may not be the one that
 * prepares the job. Without workers (jobs prepared as they are submitted) there is
 * nothing to start early: no effect. Call it before the first submit. Returns 0, or -1
 * when out of memory (then no job is started early). */
int pdx_pipeline_set_ahead(struct pdx_pipeline *p, pdx_batch_fn ahead, size_t max);

/* Number of workers actually running (0 for an inline pipeline). */
unsigned pdx_pipeline_workers(const struct pdx_pipeline *p);

/* Jobs submitted and not yet taken. */
size_t pdx_pipeline_pending(const struct pdx_pipeline *p);

/* 1 when a job can be submitted without taking one first. */
int pdx_pipeline_has_room(const struct pdx_pipeline *p);

/* Queues `job` (borrowed until it is taken back). Returns 0, or -1 when the pipeline is
 * full (take a job first). */
int pdx_pipeline_submit(struct pdx_pipeline *p, void *job);

/* Waits for the oldest job submitted and not yet taken to be prepared and returns it;
 * NULL when none is pending. */
void *pdx_pipeline_take(struct pdx_pipeline *p);

/* The number of processors online, at least 1: a default number of workers. */
unsigned pdx_cpu_count(void);

#endif /* INDEXER_PDX_PIPELINE_H */
