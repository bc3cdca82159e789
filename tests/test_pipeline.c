/*
 * test_pipeline.c — the ordered worker pool (indexer/pipeline.c): jobs come back in the
 * order they went in, each prepared once, by workers that each keep their own state,
 * and jobs queued behind the one a worker prepares are started early, never during
 * their own preparation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "pdx_pipeline.h"

struct counter_job {
    unsigned id;
    unsigned result;      /* id * 3 + 1 once prepared */
    unsigned prepared;    /* times prepared */
    const void *by_state; /* the state that prepared it */
};

struct counter_state {
    unsigned started; /* set by the first job: proves the block is zeroed and per worker */
    unsigned jobs;
    unsigned *finished; /* jobs counted by fini, across workers */
};

static pthread_mutex_t finished_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned finished_total;

static void prepare_counter(void *state, void *job)
{
    struct counter_state *st = state;
    struct counter_job *j = job;
    if (!st->started) {
        st->started = 1;
        st->finished = &finished_total;
    }
    st->jobs++;
    /* Uneven work, so that later jobs often finish before earlier ones. */
    if (j->id % 7 == 0) {
        struct timespec ts = {0, 200000};
        nanosleep(&ts, NULL);
    }
    j->result = j->id * 3 + 1;
    j->prepared++;
    j->by_state = st;
}

static void fini_counter(void *state)
{
    struct counter_state *st = state;
    if (!st->started)
        return;
    pthread_mutex_lock(&finished_mu);
    *st->finished += st->jobs;
    pthread_mutex_unlock(&finished_mu);
}

/* Runs `n` jobs through a pipeline of `workers` and `depth`, taking the oldest whenever
 * it is full, and checks order, results and that every job was prepared exactly once. */
static void run_jobs(unsigned workers, size_t depth, unsigned n)
{
    struct counter_job *jobs = calloc(n, sizeof *jobs);
    assert_non_null(jobs);
    finished_total = 0;
    struct pdx_pipeline *p = pdx_pipeline_new(workers, depth, sizeof(struct counter_state),
                                              prepare_counter, fini_counter);
    assert_non_null(p);
    assert_int_equal(pdx_pipeline_workers(p), workers);
    unsigned next_taken = 0;
    for (unsigned i = 0; i < n; i++) {
        jobs[i].id = i;
        while (!pdx_pipeline_has_room(p)) {
            struct counter_job *j = pdx_pipeline_take(p);
            assert_non_null(j);
            assert_int_equal(j->id, next_taken); /* submission order */
            assert_int_equal(j->result, j->id * 3 + 1);
            next_taken++;
        }
        assert_int_equal(pdx_pipeline_submit(p, &jobs[i]), 0);
        assert_true(pdx_pipeline_pending(p) <= depth);
    }
    struct counter_job *j;
    while ((j = pdx_pipeline_take(p)) != NULL) {
        assert_int_equal(j->id, next_taken);
        assert_int_equal(j->result, j->id * 3 + 1);
        next_taken++;
    }
    assert_int_equal(next_taken, n);
    assert_int_equal(pdx_pipeline_pending(p), 0);
    pdx_pipeline_free(p);
    assert_int_equal(finished_total, n); /* every state was released, and counted its jobs */
    for (unsigned i = 0; i < n; i++)
        assert_int_equal(jobs[i].prepared, 1);
    free(jobs);
}

static void test_inline_pipeline_keeps_order(void **state)
{
    (void)state;
    run_jobs(0, 1, 50);
    run_jobs(0, 4, 50);
}

static void test_workers_keep_submission_order(void **state)
{
    (void)state;
    run_jobs(1, 1, 200);
    run_jobs(2, 3, 500);
    run_jobs(4, 32, 2000);
}

static void test_full_pipeline_refuses_a_job(void **state)
{
    (void)state;
    struct counter_job a = {.id = 1}, b = {.id = 2}, c = {.id = 3};
    struct pdx_pipeline *p =
        pdx_pipeline_new(2, 2, sizeof(struct counter_state), prepare_counter, NULL);
    assert_non_null(p);
    assert_null(pdx_pipeline_take(p)); /* nothing pending */
    assert_int_equal(pdx_pipeline_submit(p, &a), 0);
    assert_int_equal(pdx_pipeline_submit(p, &b), 0);
    assert_false(pdx_pipeline_has_room(p));
    assert_int_equal(pdx_pipeline_submit(p, &c), -1);
    assert_ptr_equal(pdx_pipeline_take(p), &a);
    assert_int_equal(pdx_pipeline_submit(p, &c), 0);
    pdx_pipeline_free(p); /* b and c dropped, not taken: the pipeline still stops cleanly */
    assert_int_equal(a.prepared, 1);
}

static void test_each_worker_has_its_own_state(void **state)
{
    (void)state;
    enum { N = 400 };
    static struct counter_job jobs[N];
    struct pdx_pipeline *p =
        pdx_pipeline_new(3, 64, sizeof(struct counter_state), prepare_counter, NULL);
    assert_non_null(p);
    unsigned taken = 0;
    for (unsigned i = 0; i < N; i++) {
        jobs[i] = (struct counter_job){.id = i};
        while (pdx_pipeline_submit(p, &jobs[i]) != 0) {
            assert_non_null(pdx_pipeline_take(p));
            taken++;
        }
    }
    while (pdx_pipeline_take(p) != NULL)
        taken++;
    assert_int_equal(taken, N);
    /* At most three distinct states prepared the jobs. */
    const void *seen[4] = {0};
    unsigned nseen = 0;
    for (unsigned i = 0; i < N; i++) {
        unsigned k = 0;
        while (k < nseen && seen[k] != jobs[i].by_state)
            k++;
        if (k == nseen) {
            assert_true(nseen < 3);
            seen[nseen++] = jobs[i].by_state;
        }
    }
    pdx_pipeline_free(p);
    pdx_pipeline_free(NULL);
}

struct early_job {
    unsigned id;
    unsigned started;  /* times `ahead` was called on it */
    int starting;      /* `ahead` is running (atomic) */
    unsigned prepared; /* times prepared */
    int early;         /* started before it was prepared */
    int overlapped;    /* prepared while `ahead` ran on it */
};

/* Jobs started early and not being prepared yet: now, and the most seen. */
static unsigned early_held, early_held_max;
/* Batches handed to `ahead`, the jobs in them, the largest, and the first batch found
 * larger than the bound or not made of consecutive jobs (atomic). */
static unsigned batches, batched, batch_max, bad_batch;
static size_t early_bound;

static void raise_to(unsigned *max, unsigned v)
{
    unsigned seen = __atomic_load_n(max, __ATOMIC_SEQ_CST);
    while (v > seen &&
           !__atomic_compare_exchange_n(max, &seen, v, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
}

static void start_early(void *state, void *const *jobs, size_t n)
{
    (void)state;
    __atomic_add_fetch(&batches, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&batched, (unsigned)n, __ATOMIC_SEQ_CST);
    raise_to(&batch_max, (unsigned)n);
    if (n == 0 || n > early_bound)
        __atomic_store_n(&bad_batch, 1, __ATOMIC_SEQ_CST);
    for (size_t i = 0; i < n; i++) {
        struct early_job *j = jobs[i];
        if (i > 0 && j->id != ((struct early_job *)jobs[i - 1])->id + 1)
            __atomic_store_n(&bad_batch, 1, __ATOMIC_SEQ_CST);
        raise_to(&early_held_max, __atomic_add_fetch(&early_held, 1, __ATOMIC_SEQ_CST));
        __atomic_store_n(&j->starting, 1, __ATOMIC_SEQ_CST);
        j->started++;
    }
    struct timespec ts = {0, 50000}; /* long enough for another worker to claim one */
    nanosleep(&ts, NULL);
    for (size_t i = 0; i < n; i++)
        __atomic_store_n(&((struct early_job *)jobs[i])->starting, 0, __ATOMIC_SEQ_CST);
}

static void prepare_early(void *state, void *job)
{
    (void)state;
    struct early_job *j = job;
    if (__atomic_load_n(&j->starting, __ATOMIC_SEQ_CST))
        j->overlapped = 1;
    j->early = j->started > 0;
    if (j->early)
        __atomic_sub_fetch(&early_held, 1, __ATOMIC_SEQ_CST);
    struct timespec ts = {0, 200000}; /* slower than the submitter: jobs queue up */
    nanosleep(&ts, NULL);
    j->prepared++;
}

/* Runs `n` jobs through `workers` workers that start at most `max` queued jobs early;
 * returns how many were started before they were prepared. */
static unsigned run_early_jobs(unsigned workers, size_t depth, size_t max, unsigned n)
{
    struct early_job *jobs = calloc(n, sizeof *jobs);
    assert_non_null(jobs);
    early_held = early_held_max = 0;
    batches = batched = batch_max = bad_batch = 0;
    early_bound = max;
    struct pdx_pipeline *p = pdx_pipeline_new(workers, depth, 1, prepare_early, NULL);
    assert_non_null(p);
    assert_int_equal(pdx_pipeline_set_ahead(p, start_early, max), 0);
    unsigned next = 0;
    for (unsigned i = 0; i < n; i++) {
        jobs[i].id = i;
        while (pdx_pipeline_submit(p, &jobs[i]) != 0) {
            struct early_job *j = pdx_pipeline_take(p);
            assert_int_equal(j->id, next++);
        }
    }
    struct early_job *j;
    while ((j = pdx_pipeline_take(p)) != NULL)
        assert_int_equal(j->id, next++);
    pdx_pipeline_free(p);
    assert_int_equal(next, n);
    unsigned early = 0;
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(jobs[i].prepared, 1);
        assert_true(jobs[i].started <= 1); /* once at most */
        assert_int_equal(jobs[i].overlapped, 0);
        early += (unsigned)jobs[i].early;
    }
    free(jobs);
    assert_int_equal(early_held, 0);
    assert_true(early_held_max <= max + workers); /* those waiting, and those claimed */
    assert_int_equal(bad_batch, 0);
    assert_int_equal(batched, early);
    return early;
}

static void test_queued_jobs_are_started_early(void **state)
{
    (void)state;
    /* One worker slower than the submitter: every job but those it finds alone in the
     * ring is started while the ones before it are prepared. */
    assert_true(run_early_jobs(1, 16, 16, 200) >= 100);
    /* In batches: the worker, with jobs started early still waiting, waits until half
     * of `max` can go together (one at a time, there would be about 200 batches). */
    assert_true(batched >= 4 * batches);
    assert_true(batch_max >= 8);
    /* No more than `max` at a time, however deep the ring. */
    assert_true(run_early_jobs(1, 32, 4, 200) >= 100);
    assert_true(early_held_max >= 2); /* more than one at a time all the same */
    /* Several workers: a job another worker is starting waits for that to finish. */
    run_early_jobs(3, 8, 8, 300);
    run_early_jobs(2, 1, 1, 50);
    /* Without workers each job is prepared as it is submitted: nothing to start early;
     * nor with a bound of 0. */
    assert_int_equal(run_early_jobs(0, 1, 4, 20), 0);
    assert_int_equal(run_early_jobs(2, 8, 0, 40), 0);
}

static void test_cpu_count(void **state)
{
    (void)state;
    assert_true(pdx_cpu_count() >= 1);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online >= 1 && online <= 256)
        assert_int_equal(pdx_cpu_count(), (unsigned)online);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inline_pipeline_keeps_order),
        cmocka_unit_test(test_workers_keep_submission_order),
        cmocka_unit_test(test_full_pipeline_refuses_a_job),
        cmocka_unit_test(test_each_worker_has_its_own_state),
        cmocka_unit_test(test_queued_jobs_are_started_early),
        cmocka_unit_test(test_cpu_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
