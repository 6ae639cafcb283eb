/* opts.c -- shared screening options and the engine they build. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/watchload.h"
#include "detect/model.h"
#include "ingest/reader.h"

void lw_engine_opts_init(struct lw_engine_opts *o)
{
    memset(o, 0, sizeof(*o));
}

int lw_engine_opts_parse(struct lw_engine_opts *o, int opt, const char *arg, struct lw_limits *lim)
{
    long v;

    switch (opt) {
    case LW_OPT_RULES:
        o->rules = arg;
        return 0;
    case LW_OPT_STORE:
        o->store = arg;
        return 0;
    case LW_OPT_NO_WATCHLIST:
        o->no_watchlist = true;
        return 0;
    case LW_OPT_MODEL:
        o->model = arg;
        return 0;
    case LW_OPT_NO_MODEL:
        o->no_model = true;
        return 0;
    case LW_OPT_MAX_TEXT:
        if (lw_parse_long(arg, &v) < 0 || v < 1024 || v > (1L << 30)) {
            lw_cli_error("--max-text takes a byte count from 1024 to 1073741824, not '%s'", arg);
            return -1;
        }
        lim->max_text = (size_t)v;
        return 0;
    default:
        return -1;
    }
}

void lw_engine_set_init(struct lw_engine_set *s)
{
    memset(s, 0, sizeof(*s));
}

struct watch_job {
    const char *store;
    void *watch;
    int rc;
};

/* Besides the watchlist, the helper thread starts the mail library, which
 * the first mail read would otherwise wait for while the screening threads
 * idle -- unless the main thread, done with the rules first, has started it
 * (lw_reader_prepare_mail runs once). */
static void *watch_load(void *p)
{
    struct watch_job *j = p;

    if (j->store)
        j->rc = lw_watchload_open(j->store, &j->watch);
    lw_reader_prepare_mail();
    return NULL;
}

struct model_job {
    const char *path;
    struct lw_model *model;
    struct lw_diag diag;
    int rc;
};

static void *model_load(void *p)
{
    struct model_job *j = p;

    lw_diag_clear(&j->diag);
    j->rc = lw_model_load(j->path, &j->model, &j->diag);
    return NULL;
}

/* The rules, the model, and the watchlist and the mail library, load side
 * by side: each is a few milliseconds of a start-up that a short run
 * feels. The watchlist takes longest (the store, the surname table): the
 * main thread starts the mail library after the rules rather than wait
 * idle. */
int lw_engine_set_open(struct lw_engine_set *s, const struct lw_engine_opts *o)
{
    struct watch_job job = {NULL, NULL, LW_OK};
    struct model_job mj;
    pthread_t tid, mtid;
    bool threaded = false, mthreaded = false;
    struct lw_diag d;
    int rc;

    if (!o->no_watchlist)
        job.store = lw_cli_store_path(o->store);
    memset(&mj, 0, sizeof(mj));
    if (!o->no_model) {
        mj.path = lw_cli_model_path(o->model);
        mthreaded = pthread_create(&mtid, NULL, model_load, &mj) == 0;
        if (!mthreaded)
            model_load(&mj);
    }
    threaded = pthread_create(&tid, NULL, watch_load, &job) == 0;
    if (!threaded)
        watch_load(&job);
    lw_diag_clear(&d);
    rc = lw_engine_new(lw_cli_rules_dir(o->rules), lw_cli_cache_dir(), &s->engine, &d);
    if (mthreaded)
        pthread_join(mtid, NULL);
    if (threaded) {
        lw_reader_prepare_mail();
        pthread_join(tid, NULL);
    }
    s->watch = job.watch;
    s->model = mj.model;
    if (rc < 0) {
        if (!d.msg[0])
            lw_diag_set(&d, "cannot load the rules: %s", lw_strerror(rc));
        lw_cli_diag(&d);
        return rc;
    }
    if (mj.rc < 0) {
        lw_cli_diag(&mj.diag);
        return mj.rc;
    }
    if (job.rc < 0)
        return job.rc;
    if (s->model)
        lw_engine_set_model(s->engine, s->model);
    if (s->watch)
        lw_engine_set_watchlist(s->engine, lw_watchload_get(s->watch));
    return LW_OK;
}

void lw_engine_set_close(struct lw_engine_set *s)
{
    lw_engine_free(s->engine);
    lw_model_free(s->model);
    lw_watchload_close(s->watch);
    s->model = NULL;
    s->engine = NULL;
    s->watch = NULL;
}
