/*
 * pipeline.c — an ordered pool of worker threads (see pdx_pipeline.h).
 *
 * The jobs live in a ring of `depth` slots. Three counters only grow: `taken` (the
 * oldest slot the submitter has not taken back), `claimed` (the next slot a worker will
 * prepare) and `submitted` (the next free slot): taken <= claimed <= submitted. One
 * mutex guards them and the slots' `ready` flags; the work itself runs unlocked.
 *
 * A fourth counter, `early` (claimed <= early <= submitted when set), marks how far the
 * jobs not yet claimed have been started early (the `ahead` function): a worker about
 * to prepare a job first starts the jobs queued behind it (at most `early_max` beyond
 * the claimed ones), so that what they will wait for (a file read from the disk)
 * arrives while this one is prepared. It starts them in batches, the reads of one batch
 * going to the disk together: while jobs started early are still waiting, it leaves
 * new ones for later until half of `early_max` can go at once. A slot being started
 * early is not prepared until that is done.
 *
 * Waking a sleeping worker is a system call. When the submitter is the slower side (the
 * index writer usually is), the workers sleep with the ring full and would be woken
 * once per job; instead they are woken when a few jobs wait for them, or at once when
 * the submitter is about to wait for one of them.
 */
#include "pdx_pipeline.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

struct slot {
    void *job;
    int ready;    /* prepared, waiting to be taken */
    int starting; /* its `ahead` call is running */
};

struct worker {
    struct pdx_pipeline *p;
    pthread_t thread;
    void *state;
    void **batch; /* the jobs it starts early at once: early_max of them at most */
};

struct pdx_pipeline {
    pthread_mutex_t mu;
    pthread_cond_t work;    /* a slot to claim, or stop */
    pthread_cond_t ready;   /* a slot became ready */
    pthread_cond_t started; /* a slot's `ahead` call is done */
    struct slot *ring;
    size_t depth;
    uint64_t taken, claimed, submitted;
    uint64_t early;   /* the next slot to start early */
    size_t early_max; /* jobs started early and not claimed, at most */
    int stop;
    unsigned idle;     /* workers waiting for a slot to claim */
    size_t wake_batch; /* unclaimed jobs that wake a worker */
    pdx_job_fn prepare;
    pdx_batch_fn ahead; /* NULL: none */
    pdx_state_fini fini;
    struct worker *workers;
    unsigned nworkers;  /* threads running */
    void *inline_state; /* with no workers, the submitter's state */
};

/* Starts early the jobs queued behind the ones claimed, up to `early_max` of them, in
 * one batch (called and returning with the mutex held). */
static void start_queued(struct pdx_pipeline *p, struct worker *w)
{
    if (p->early < p->claimed)
        p->early = p->claimed;
    uint64_t end = p->claimed + p->early_max;
    if (end > p->submitted)
        end = p->submitted;
    size_t n = (size_t)(end - p->early);
    /* With jobs started early still waiting, the worker can wait for a larger batch: a
     * batch of one or two would ask the disk for each file on its own again. */
    if (n == 0 || (p->early > p->claimed && n < (p->early_max + 1) / 2))
        return;
    uint64_t first = p->early;
    for (size_t i = 0; i < n; i++) {
        struct slot *s = &p->ring[(first + i) % p->depth];
        s->starting = 1;
        w->batch[i] = s->job;
    }
    p->early = end;
    pthread_mutex_unlock(&p->mu);
    p->ahead(w->state, w->batch, n);
    pthread_mutex_lock(&p->mu);
    /* Those slots are still in the ring: not prepared, so not taken. */
    for (size_t i = 0; i < n; i++)
        p->ring[(first + i) % p->depth].starting = 0;
    pthread_cond_broadcast(&p->started); /* no system call when nobody waits */
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pdx_pipeline *p = w->p;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->claimed == p->submitted && !p->stop) {
            p->idle++;
            pthread_cond_wait(&p->work, &p->mu);
            p->idle--;
        }
        if (p->claimed == p->submitted)
            break; /* stopping, and nothing left to prepare */
        struct slot *s = &p->ring[p->claimed % p->depth];
        p->claimed++;
        while (s->starting) /* started early by another worker, still being started */
            pthread_cond_wait(&p->started, &p->mu);
        if (p->ahead)
            start_queued(p, w);
        pthread_mutex_unlock(&p->mu);
        p->prepare(w->state, s->job);
        pthread_mutex_lock(&p->mu);
        s->ready = 1;
        pthread_cond_broadcast(&p->ready);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct pdx_pipeline *pdx_pipeline_new(unsigned workers, size_t depth, size_t state_size,
                                      pdx_job_fn prepare, pdx_state_fini fini)
{
    if (depth == 0)
        depth = 1;
    if (state_size == 0)
        state_size = 1;
    struct pdx_pipeline *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->depth = depth;
    p->wake_batch = depth / 4 > 1 ? depth / 4 : 1;
    p->prepare = prepare;
    p->fini = fini;
    p->ring = calloc(depth, sizeof *p->ring);
    if (p->ring == NULL)
        goto fail;
    if (workers == 0) {
        if ((p->inline_state = calloc(1, state_size)) == NULL)
            goto fail;
        return p;
    }
    if ((p->workers = calloc(workers, sizeof *p->workers)) == NULL)
        goto fail;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->ready, NULL);
    pthread_cond_init(&p->started, NULL);
    for (unsigned i = 0; i < workers; i++) {
        struct worker *w = &p->workers[p->nworkers];
        w->p = p;
        if ((w->state = calloc(1, state_size)) == NULL)
            break;
        if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
            free(w->state);
            w->state = NULL;
            break;
        }
        p->nworkers++;
    }
    if (p->nworkers == 0) {
        pthread_cond_destroy(&p->started);
        pthread_cond_destroy(&p->ready);
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->mu);
        goto fail;
    }
    return p;
fail:
    free(p->workers);
    free(p->ring);
    free(p->inline_state);
    free(p);
    return NULL;
}

void pdx_pipeline_free(struct pdx_pipeline *p)
{
    if (p == NULL)
        return;
    if (p->nworkers) {
        pthread_mutex_lock(&p->mu);
        p->stop = 1;
        pthread_cond_broadcast(&p->work);
        pthread_mutex_unlock(&p->mu);
        for (unsigned i = 0; i < p->nworkers; i++) {
            pthread_join(p->workers[i].thread, NULL);
            if (p->fini)
                p->fini(p->workers[i].state);
            free(p->workers[i].state);
            free(p->workers[i].batch);
        }
        pthread_cond_destroy(&p->started);
        pthread_cond_destroy(&p->ready);
        pthread_cond_destroy(&p->work);
        pthread_mutex_destroy(&p->mu);
    } else if (p->inline_state) {
        if (p->fini)
            p->fini(p->inline_state);
        free(p->inline_state);
    }
    free(p->workers);
    free(p->ring);
    free(p);
}

int pdx_pipeline_set_ahead(struct pdx_pipeline *p, pdx_batch_fn ahead, size_t max)
{
    if (p->nworkers == 0 || ahead == NULL || max == 0)
        return 0;
    for (unsigned i = 0; i < p->nworkers; i++)
        if ((p->workers[i].batch = calloc(max, sizeof(void *))) == NULL)
            return -1; /* none set: the arrays are freed with the pipeline */
    pthread_mutex_lock(&p->mu);
    p->ahead = ahead;
    p->early_max = max;
    pthread_mutex_unlock(&p->mu);
    return 0;
}

unsigned pdx_pipeline_workers(const struct pdx_pipeline *p)
{
    return p->nworkers;
}

/* The counters are only written by the submitter (submitted, taken) or under the mutex
 * by the workers (claimed): the submitter may read its own without locking. */
size_t pdx_pipeline_pending(const struct pdx_pipeline *p)
{
    return (size_t)(p->submitted - p->taken);
}

int pdx_pipeline_has_room(const struct pdx_pipeline *p)
{
    return p->submitted - p->taken < p->depth;
}

int pdx_pipeline_submit(struct pdx_pipeline *p, void *job)
{
    if (!pdx_pipeline_has_room(p))
        return -1;
    struct slot *s = &p->ring[p->submitted % p->depth];
    if (p->nworkers == 0) {
        p->prepare(p->inline_state, job);
        s->job = job;
        s->ready = 1;
        p->submitted++;
        return 0;
    }
    pthread_mutex_lock(&p->mu);
    s->job = job;
    s->ready = 0;
    p->submitted++;
    if (p->idle > 0 && p->submitted - p->claimed >= p->wake_batch)
        pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void *pdx_pipeline_take(struct pdx_pipeline *p)
{
    if (p->taken == p->submitted)
        return NULL;
    struct slot *s = &p->ring[p->taken % p->depth];
    if (p->nworkers) {
        pthread_mutex_lock(&p->mu);
        if (!s->ready && p->idle > 0 && p->claimed < p->submitted)
            pthread_cond_broadcast(&p->work); /* jobs held back for a batch: now */
        while (!s->ready)
            pthread_cond_wait(&p->ready, &p->mu);
        pthread_mutex_unlock(&p->mu);
    }
    void *job = s->job;
    s->job = NULL;
    s->ready = 0;
    p->taken++;
    return job;
}

unsigned pdx_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > 256 ? 256u : (unsigned)n;
}
