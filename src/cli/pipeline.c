/* pipeline.c -- reader -> workers -> ordered emitter over a bounded ring. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/pipeline.h"

enum slot_state { SLOT_FREE = 0, SLOT_READY, SLOT_DONE };

/* Messages handed over, and taken, at once: one lock and at most one
 * wake-up for a batch instead of for each message, which on a small
 * machine is much of the cost of a message. */
#define BATCH 16
/* Ring slots per worker: room for a batch being screened by each, and the
 * next ones read meanwhile. */
#define RING_PER_WORKER 64

struct slot {
    struct lw_msg *msg;
    struct lw_verdict v;
    struct lw_buf json;
    int rc; /* screening result */
    struct lw_diag diag;
    enum slot_state state;
};

struct ring {
    pthread_mutex_t mu;
    pthread_cond_t work; /* a slot became READY, or stop */
    pthread_cond_t done; /* a slot became DONE */
    struct slot *slots;
    size_t cap;
    size_t read_seq, work_seq, emit_seq;
    unsigned nworkers;
    unsigned idle_workers; /* waiting on `work`: signal only when someone listens */
    bool emitter_waiting;  /* the emitter waits on `done` */
    bool stop;
    const struct lw_engine *e;
    const struct lw_pipeline_opts *o;
};

struct worker_arg {
    struct ring *r;
    struct lw_worker *w;
};

unsigned lw_ncpu(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n > 0 ? (unsigned)n : 1;
}

static void screen_slot(struct worker_arg *a, struct slot *s)
{
    const struct ring *r = a->r;

    lw_diag_clear(&s->diag);
    lw_buf_reset(&s->json);
    s->rc = lw_msg_complete(s->msg, &r->o->limits, &s->diag);
    if (s->rc == LW_OK)
        s->rc = lw_worker_screen(a->w, s->msg, &s->v, &s->diag);
    if (s->rc == LW_OK && r->o->want_json)
        s->rc = lw_verdict_json(&s->v, s->msg, lw_engine_rules(r->e), r->o->lang, &s->json);
}

/* Take a share of the waiting slots (at most BATCH, so every worker gets
 * some), screen them, and mark them done together. */
static void *worker_main(void *p)
{
    struct worker_arg *a = p;
    struct ring *r = a->r;

    for (;;) {
        size_t first, n, k;
        pthread_mutex_lock(&r->mu);
        while (!r->stop && r->work_seq == r->read_seq) {
            r->idle_workers++;
            pthread_cond_wait(&r->work, &r->mu);
            r->idle_workers--;
        }
        if (r->work_seq == r->read_seq) { /* stop, and nothing left */
            pthread_mutex_unlock(&r->mu);
            break;
        }
        n = (r->read_seq - r->work_seq) / r->nworkers;
        n = n < 1 ? 1 : n > BATCH ? BATCH : n;
        first = r->work_seq;
        r->work_seq += n;
        pthread_mutex_unlock(&r->mu);

        for (k = 0; k < n; k++)
            screen_slot(a, &r->slots[(first + k) % r->cap]);

        pthread_mutex_lock(&r->mu);
        for (k = 0; k < n; k++)
            r->slots[(first + k) % r->cap].state = SLOT_DONE;
        if (r->emitter_waiting)
            pthread_cond_signal(&r->done);
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void progress(const struct lw_pipeline_stats *st, double t0, bool final)
{
    double dt = now_s() - t0;

    fprintf(stderr, "\rscreened %lu messages (%.1f MB) in %.1f s, %lu flagged medium or high%s",
            st->screened, (double)st->bytes / 1e6, dt,
            st->by_level[LW_LEVEL_MEDIUM] + st->by_level[LW_LEVEL_HIGH], final ? "\n" : "");
}

/* Emit every DONE slot at the head of the ring, in order. Called with the
 * lock held; drops it while calling out. Returns non-zero to stop. */
static int emit_ready(struct ring *r, struct lw_thread_ctx *tctx, lw_emit_fn *emit, void *ctx,
                      struct lw_pipeline_stats *st)
{
    int stop = 0;

    while (!stop && r->emit_seq < r->read_seq &&
           r->slots[r->emit_seq % r->cap].state == SLOT_DONE) {
        struct slot *s = &r->slots[r->emit_seq % r->cap];
        pthread_mutex_unlock(&r->mu);
        if (s->rc == LW_OK && s->msg->thread) {
            s->rc = lw_thread_ctx_apply(tctx, s->msg, &s->v);
            /* Re-encode only when earlier messages changed the verdict. */
            if (s->rc == LW_OK && r->o->want_json && s->v.thread_messages) {
                lw_buf_reset(&s->json);
                s->rc = lw_verdict_json(&s->v, s->msg, lw_engine_rules(r->e), r->o->lang, &s->json);
            }
        }
        if (s->rc < 0) {
            if (!s->diag.msg[0])
                lw_diag_set(&s->diag, "message %s: %s", s->msg->id, lw_strerror(s->rc));
            lw_cli_diag(&s->diag);
            st->skipped++;
        } else {
            st->screened++;
            st->by_level[s->v.level]++;
            if (s->v.defects)
                st->with_defects++;
            stop = emit(ctx, s->msg, &s->v, r->o->want_json ? lw_buf_str(&s->json) : NULL);
        }
        lw_msg_free(s->msg);
        s->msg = NULL;
        pthread_mutex_lock(&r->mu);
        s->state = SLOT_FREE;
        r->emit_seq++;
    }
    return stop;
}

/* Make the *pending slots after read_seq ready for the workers. Called
 * with the lock held. */
static void publish(struct ring *r, size_t *pending)
{
    size_t i;

    if (!*pending)
        return;
    for (i = 0; i < *pending; i++)
        r->slots[(r->read_seq + i) % r->cap].state = SLOT_READY;
    r->read_seq += *pending;
    *pending = 0;
    if (r->idle_workers)
        pthread_cond_broadcast(&r->work);
}

int lw_pipeline_run(const struct lw_engine *e, const char *const *paths, size_t n,
                    const struct lw_pipeline_opts *o, lw_emit_fn *emit, void *ctx,
                    struct lw_pipeline_stats *st)
{
    struct ring r;
    struct worker_arg *args = NULL;
    pthread_t *tids = NULL;
    struct lw_thread_ctx *tctx = NULL;
    unsigned nt = o->threads ? o->threads : lw_ncpu(), started = 0, i;
    size_t pi, pending = 0; /* read, not yet handed to the workers */
    double t0 = now_s(), last = t0;
    int rc = LW_OK, stop = 0;

    memset(st, 0, sizeof(*st));
    memset(&r, 0, sizeof(r));
    r.cap = RING_PER_WORKER * (size_t)nt;
    r.nworkers = nt;
    r.e = e;
    r.o = o;
    r.slots = calloc(r.cap, sizeof(*r.slots));
    args = calloc(nt, sizeof(*args));
    tids = calloc(nt, sizeof(*tids));
    if (!r.slots || !args || !tids) {
        rc = LW_ENOMEM;
        goto out;
    }
    for (i = 0; i < r.cap; i++)
        lw_buf_init(&r.slots[i].json, (size_t)64 << 20);
    rc = lw_thread_ctx_new(e, &tctx);
    if (rc < 0)
        goto out;
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.work, NULL);
    pthread_cond_init(&r.done, NULL);
    for (i = 0; i < nt; i++) {
        struct lw_diag d;
        lw_diag_clear(&d);
        args[i].r = &r;
        rc = lw_worker_new(e, &args[i].w, &d);
        if (rc < 0) {
            lw_cli_diag(&d);
            goto join;
        }
        if (pthread_create(&tids[i], NULL, worker_main, &args[i]) != 0) {
            lw_worker_free(args[i].w);
            args[i].w = NULL;
            rc = LW_ENOMEM;
            goto join;
        }
        started++;
    }

    for (pi = 0; pi < n && !stop; pi++) {
        struct lw_reader *rd = NULL;
        struct lw_diag d;
        lw_diag_clear(&d);
        rc = lw_reader_open(paths[pi], o->format, &o->limits, &rd, &d);
        if (rc < 0) {
            if (!d.msg[0])
                lw_diag_set(&d, "cannot read '%s': %s", paths[pi], lw_strerror(rc));
            lw_cli_diag(&d);
            st->failed_sources++;
            rc = LW_OK;
            continue;
        }
        /* MIME parsing happens in the workers (lw_msg_complete). */
        lw_reader_defer_parsing(rd);
        for (;;) {
            struct lw_msg *m = NULL;
            int got;
            /* Hand the read messages over when a batch is full or the ring
             * is; wait for a free slot, emitting what is done meanwhile. */
            if (pending == BATCH || r.read_seq + pending - r.emit_seq >= r.cap) {
                pthread_mutex_lock(&r.mu);
                publish(&r, &pending);
                for (;;) {
                    stop = emit_ready(&r, tctx, emit, ctx, st);
                    if (stop || r.read_seq - r.emit_seq < r.cap)
                        break;
                    r.emitter_waiting = true;
                    pthread_cond_wait(&r.done, &r.mu);
                    r.emitter_waiting = false;
                }
                pthread_mutex_unlock(&r.mu);
            }
            if (stop)
                break;
            if (o->progress && now_s() - last > 0.25) {
                st->bytes = lw_reader_bytes(rd);
                progress(st, t0, false);
                last = now_s();
            }
            lw_diag_clear(&d);
            got = lw_reader_next(rd, &m, &d);
            if (got == 0)
                break;
            if (got < 0) {
                if (!d.msg[0])
                    lw_diag_set(&d, "%s: %s", paths[pi], lw_strerror(got));
                lw_cli_diag(&d);
                if (got == LW_EPARSE || got == LW_ELIMIT) {
                    st->skipped++;
                    if (got == LW_EPARSE)
                        st->skipped_parse++;
                    else
                        st->skipped_limit++;
                    continue;
                }
                st->failed_sources++;
                break;
            }
            /* Slots past read_seq are the reader's until published. */
            m->seq = r.read_seq + pending;
            r.slots[m->seq % r.cap].msg = m;
            pending++;
        }
        st->bytes += lw_reader_bytes(rd);
        lw_reader_free(rd);
    }

    /* Drain. */
    pthread_mutex_lock(&r.mu);
    if (!stop)
        publish(&r, &pending); /* else the slots' messages are freed below */
    while (!stop && r.emit_seq < r.read_seq) {
        stop = emit_ready(&r, tctx, emit, ctx, st);
        if (!stop && r.emit_seq < r.read_seq) {
            r.emitter_waiting = true;
            pthread_cond_wait(&r.done, &r.mu);
            r.emitter_waiting = false;
        }
    }
    pthread_mutex_unlock(&r.mu);

join:
    pthread_mutex_lock(&r.mu);
    r.stop = true;
    /* When stopping early, drop what was not screened yet. */
    if (stop)
        r.read_seq = r.work_seq;
    pthread_cond_broadcast(&r.work);
    pthread_mutex_unlock(&r.mu);
    for (i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    for (i = 0; i < nt; i++)
        lw_worker_free(args[i].w);
    if (o->progress)
        progress(st, t0, true);
    pthread_mutex_destroy(&r.mu);
    pthread_cond_destroy(&r.work);
    pthread_cond_destroy(&r.done);
out:
    if (r.slots) {
        for (i = 0; i < r.cap; i++) {
            lw_msg_free(r.slots[i].msg);
            lw_buf_release(&r.slots[i].json);
        }
    }
    lw_thread_ctx_free(tctx);
    free(r.slots);
    free(args);
    free(tids);
    return rc;
}
