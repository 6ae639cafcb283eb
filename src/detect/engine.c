/* engine.c -- screening one message and scoring it (docs/scoring.md).
 *
 * The score reads tactics the way DESIGN §5 says an analyst would:
 *   - each tactic counts once, with the weight of its strongest pattern;
 *   - tactics from several groups (an offer, interest in access, a push to
 *     a private channel, an inducement, a request) multiply the sum, and a
 *     single group is discounted: honest mail shows single cues all the time;
 *   - direction: text that narrates what others did ("he", "police said")
 *     or warns about approaches is discounted, and so, less, is text that
 *     never speaks to the reader;
 *   - concrete, checkable job or event detail discounts an offer a little;
 *   - a request asked of the reader in return for pay adds a bonus;
 *   - the learned classifier (model.h) weighs the whole text: a firm
 *     judgement counts as one more group, a sure one as two.
 * Levels: medium needs a score of 35 and two groups; high needs 60 and a
 * request (an R code: information, people, tasks or leverage). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "detect/engine.h"
#include "detect/model.h"
#include "detect/watchlist_match.h"
#include "text/norm.h"

#define MAX_GROUPS 16

/* Thresholds and multipliers; docs/scoring.md explains each. */
#define SCORE_LOW    12
#define SCORE_MEDIUM 35
#define SCORE_HIGH   60
/* A request (an R code) in a message that also pays or offers pay. */
#define PAID_REQUEST 10
/* The learned classifier: a probability above MODEL_FLOOR earns up to
 * MODEL_POINTS points, in proportion; from MODEL_GROUP points on it counts
 * as a group of evidence of its own, and from MODEL_GROUPS2 points (p 0.8)
 * as two. Its doubt counts the other way with the same slope: below
 * MODEL_DOUBT it takes up to MODEL_POINTS away (docs/scoring.md). Chosen
 * by cross-validation (bench/model-cv.sh), never on the held-out set. */
#define MODEL_FLOOR   0.6
#define MODEL_DOUBT   0.4
#define MODEL_POINTS  70
#define MODEL_GROUP   10
#define MODEL_GROUPS2 35
/* Text with no cue is read by the classifier only up to this length. */
#define MODEL_SHORT_TEXT 512
/* Negation scope: a request match is void when a prohibition cue (the
 * "neg" signal: "must not share", "never ask for", 不得) ends at most this
 * many bytes before it, in the same clause. */
#define NEG_WINDOW 48
/* Cues and request matches remembered per message; past these, requests
 * count as they are found. */
#define MAX_NEGS    32
#define MAX_PENDING 32
_Static_assert(LW_MODEL_EVIDENCE <= LW_MAX_MODEL_EVIDENCE, "verdicts hold the model's evidence");

struct lw_engine {
    struct lw_ruleset *rs;
    const struct lw_watchlist *wl;
    const struct lw_model *model;
    size_t n_tactics;
    int *group_of; /* tactic -> group index, -1 for signals */
    int sig_you, sig_report, sig_they, sig_warn, sig_job, sig_neg;
    bool *is_request; /* tactic -> an R code (a request) */
    unsigned n_groups;
    unsigned paid_groups; /* bits of the groups offer, lure, inducement */
};

/* What one text showed, before scoring. */
struct tally {
    int *w;         /* per tactic: weight of the strongest pattern, 0 if none */
    unsigned *hits; /* per tactic: matches */
    unsigned you, report, they, warn, job;
    int wl_points;    /* added by watchlist indicators */
    int model_points; /* added by the classifier */
};

struct pending {
    unsigned pattern;
    size_t start, end;
};

struct lw_worker {
    const struct lw_engine *e;
    struct lw_scanner *sc;
    struct lw_model_scratch *ms; /* NULL without a model */
    struct lw_normtext nt;
    struct tally t;
    struct lw_flag *flags; /* per tactic, normalised spans while scanning */
    /* Negation scope, while scanning: where prohibition cues end, and the
     * request matches that wait for them (matches come in no promised
     * order across databases, so requests are judged after the scan). */
    size_t negs[MAX_NEGS];
    unsigned n_negs;
    struct pending pend[MAX_PENDING];
    unsigned n_pend;
};

static int find_signal(const struct lw_ruleset *rs, const char *name)
{
    int i = lw_ruleset_find(rs, name);

    if (i >= 0 && !lw_ruleset_tactic(rs, (size_t)i)->is_signal)
        return -1;
    return i;
}

int lw_engine_new(const char *rules_path, const char *cache_dir, struct lw_engine **out,
                  struct lw_diag *diag)
{
    struct lw_engine *e = NULL;
    const char *groups[MAX_GROUPS];
    size_t i, g;
    int rc;

    rc = lw_norm_global_init(diag);
    if (rc < 0)
        return rc;
    e = calloc(1, sizeof(*e));
    if (!e)
        return LW_ENOMEM;
    rc = lw_ruleset_load_cached(rules_path, cache_dir, &e->rs, diag);
    if (rc < 0)
        goto out;
    e->n_tactics = lw_ruleset_n_tactics(e->rs);
    e->group_of = calloc(e->n_tactics ? e->n_tactics : 1, sizeof(*e->group_of));
    if (!e->group_of) {
        rc = LW_ENOMEM;
        goto out;
    }
    for (i = 0; i < e->n_tactics; i++) {
        const struct lw_tactic *t = lw_ruleset_tactic(e->rs, i);
        const char *name = t->group ? t->group : t->code;
        e->group_of[i] = -1;
        if (t->is_signal)
            continue;
        for (g = 0; g < e->n_groups; g++)
            if (!strcmp(groups[g], name))
                break;
        if (g == e->n_groups) {
            if (e->n_groups == MAX_GROUPS) {
                lw_diag_at(diag, t->file, t->line, 0);
                lw_diag_set(diag, "more than %d tactic groups", MAX_GROUPS);
                rc = LW_ELIMIT;
                goto out;
            }
            groups[e->n_groups++] = name;
        }
        e->group_of[i] = (int)g;
        if (!strcmp(name, "offer") || !strcmp(name, "lure") || !strcmp(name, "inducement"))
            e->paid_groups |= 1u << g;
    }
    e->sig_you = find_signal(e->rs, "you");
    e->sig_report = find_signal(e->rs, "report");
    e->sig_they = find_signal(e->rs, "they");
    e->sig_warn = find_signal(e->rs, "warn");
    e->sig_job = find_signal(e->rs, "job");
    e->sig_neg = find_signal(e->rs, "neg");
    e->is_request = calloc(e->n_tactics ? e->n_tactics : 1, sizeof(*e->is_request));
    if (!e->is_request) {
        rc = LW_ENOMEM;
        goto out;
    }
    /* R codes are requests: for information, people, tasks, or leverage. */
    for (i = 0; i < e->n_tactics; i++)
        e->is_request[i] = lw_ruleset_tactic(e->rs, i)->code[0] == 'R';
    *out = e;
    e = NULL;
    rc = LW_OK;
out:
    lw_engine_free(e);
    return rc;
}

void lw_engine_free(struct lw_engine *e)
{
    if (!e)
        return;
    lw_ruleset_free(e->rs);
    free(e->group_of);
    free(e->is_request);
    free(e);
}

const struct lw_ruleset *lw_engine_rules(const struct lw_engine *e)
{
    return e->rs;
}

void lw_engine_set_watchlist(struct lw_engine *e, const struct lw_watchlist *wl)
{
    e->wl = wl;
}

void lw_engine_set_model(struct lw_engine *e, const struct lw_model *m)
{
    e->model = m;
}

/* What a probability from the classifier adds to the score. */
static int model_points(double p)
{
    if (p < MODEL_DOUBT)
        return -(int)lround(MODEL_POINTS * (MODEL_DOUBT - p) / MODEL_DOUBT);
    if (p <= MODEL_FLOOR)
        return 0;
    return (int)lround(MODEL_POINTS * (p - MODEL_FLOOR) / (1 - MODEL_FLOOR));
}

int lw_worker_new(const struct lw_engine *e, struct lw_worker **out, struct lw_diag *diag)
{
    struct lw_worker *w = calloc(1, sizeof(*w));
    size_t n = e->n_tactics ? e->n_tactics : 1;
    int rc;

    if (!w)
        return LW_ENOMEM;
    w->e = e;
    lw_normtext_init(&w->nt);
    w->t.w = calloc(n, sizeof(*w->t.w));
    w->t.hits = calloc(n, sizeof(*w->t.hits));
    w->flags = calloc(n, sizeof(*w->flags));
    if (!w->t.w || !w->t.hits || !w->flags) {
        rc = LW_ENOMEM;
        goto fail;
    }
    rc = lw_scanner_new(e->rs, &w->sc, diag);
    if (rc < 0)
        goto fail;
    if (e->model) {
        rc = lw_model_scratch_new(&w->ms);
        if (rc < 0)
            goto fail;
    }
    *out = w;
    return LW_OK;
fail:
    lw_worker_free(w);
    return rc;
}

void lw_worker_free(struct lw_worker *w)
{
    if (!w)
        return;
    lw_scanner_free(w->sc);
    lw_model_scratch_free(w->ms);
    lw_normtext_release(&w->nt);
    free(w->t.w);
    free(w->t.hits);
    free(w->flags);
    free(w);
}

/* Keep up to LW_MAX_EVIDENCE non-overlapping spans per tactic, the earliest. */
static void add_evidence(struct lw_flag *f, size_t start, size_t end)
{
    unsigned i;

    for (i = 0; i < f->n_evidence; i++)
        if (start < f->evidence[i].end && f->evidence[i].start < end) {
            /* Overlap: keep the longer span. */
            if (end - start > f->evidence[i].end - f->evidence[i].start) {
                f->evidence[i].start = start;
                f->evidence[i].end = end;
            }
            return;
        }
    if (f->n_evidence < LW_MAX_EVIDENCE) {
        f->evidence[f->n_evidence].start = start;
        f->evidence[f->n_evidence].end = end;
        f->n_evidence++;
    }
}

/* Count one match of a tactic's pattern. */
static void count_hit(struct lw_worker *w, const struct lw_pattern *p, size_t start, size_t end)
{
    unsigned t = p->tactic;

    if (p->weight > w->t.w[t])
        w->t.w[t] = p->weight;
    w->t.hits[t]++;
    add_evidence(&w->flags[t], start, end);
}

/* Whether a clause ends in s[from, to): a sentence or clause mark
 * (NFKC has made full-width ones ASCII; 。 and 、 stay), or a new line. */
static bool clause_break(const char *s, size_t from, size_t to)
{
    size_t i;

    for (i = from; i < to; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '\n')
            return true;
        if (c == 0xE3 && i + 2 < to && (unsigned char)s[i + 1] == 0x80 &&
            ((unsigned char)s[i + 2] == 0x81 || (unsigned char)s[i + 2] == 0x82))
            return true;
    }
    return false;
}

/* Whether a prohibition cue governs the match starting at start. */
static bool negated(const struct lw_worker *w, size_t start)
{
    unsigned i;

    for (i = 0; i < w->n_negs; i++)
        if (w->negs[i] <= start && start - w->negs[i] <= NEG_WINDOW &&
            !clause_break(w->nt.s, w->negs[i], start))
            return true;
    return false;
}

/* Count the request matches no prohibition governs ("you must not share
 * non-public information" asks for nothing). */
static void settle_requests(struct lw_worker *w)
{
    const struct lw_engine *e = w->e;
    unsigned i;

    for (i = 0; i < w->n_pend; i++)
        if (!negated(w, w->pend[i].start))
            count_hit(w, lw_ruleset_pattern(e->rs, w->pend[i].pattern), w->pend[i].start,
                      w->pend[i].end);
    w->n_pend = 0;
    w->n_negs = 0;
}

static int on_hit(void *ctx, unsigned pattern, size_t start, size_t end)
{
    struct lw_worker *w = ctx;
    const struct lw_engine *e = w->e;
    const struct lw_pattern *p = lw_ruleset_pattern(e->rs, pattern);
    unsigned t = p->tactic;

    if ((int)t == e->sig_neg && w->n_negs < MAX_NEGS)
        w->negs[w->n_negs++] = end;
    else if ((int)t == e->sig_you)
        w->t.you++;
    else if ((int)t == e->sig_report)
        w->t.report++;
    else if ((int)t == e->sig_they)
        w->t.they++;
    else if ((int)t == e->sig_warn)
        w->t.warn++;
    else if ((int)t == e->sig_job)
        w->t.job++;
    if (e->group_of[t] < 0)
        return 0;
    if (e->is_request[t] && e->sig_neg >= 0 && w->n_pend < MAX_PENDING) {
        w->pend[w->n_pend].pattern = pattern;
        w->pend[w->n_pend].start = start;
        w->pend[w->n_pend].end = end;
        w->n_pend++;
        return 0;
    }
    count_hit(w, p, start, end);
    return 0;
}

/* Score a tally into v's level, score, stage, groups and reading. */
static void score_tally(const struct lw_engine *e, const struct tally *t, struct lw_verdict *v)
{
    unsigned groups = 0, n_groups = 0;
    bool request = false;
    double raw = 0, mult, dir = 1.0;
    bool warning = false;
    enum lw_stage stage = LW_STAGE_NONE;
    size_t i;
    int score;

    for (i = 0; i < e->n_tactics; i++) {
        int g = e->group_of[i];
        if (g < 0 || t->w[i] <= 0)
            continue;
        raw += t->w[i];
        if (!(groups & (1u << g))) {
            groups |= 1u << g;
            n_groups++;
        }
        if (e->is_request[i])
            request = true;
        if (lw_ruleset_tactic(e->rs, i)->stage > stage)
            stage = lw_ruleset_tactic(e->rs, i)->stage;
    }
    /* A watchlist match is evidence of its own kind: a medium or strong one
     * counts as a group; a weak one (a surname) only adds its few points. */
    raw += t->wl_points;
    if (t->wl_points >= 15)
        n_groups++;
    /* So is the classifier's judgement, when it is firm enough; when it is
     * sure, it is a combination in itself (it weighs words together), and
     * counts as two. */
    raw += t->model_points;
    if (t->model_points >= MODEL_GROUP)
        n_groups++;
    if (t->model_points >= MODEL_GROUPS2)
        n_groups++;
    mult = n_groups <= 1 ? 0.6 : n_groups == 2 ? 1.0 : n_groups == 3 ? 1.2 : 1.35;

    /* Direction weighs evidence: with none there is nothing to read (and
     * the signals were not counted, see lw_worker_screen). */
    if (raw <= 0) {
        v->reading = NULL;
    } else if (t->warn >= 2 || (t->warn > 0 && (t->report > 0 || t->you == 0))) {
        dir = 0.4;
        warning = true;
        v->reading = "reads as a warning about approaches";
    } else if (t->report > 0 && t->report + t->they >= 2 && t->report + t->they > t->you) {
        /* Pronouns alone do not make a report: an approach speaks of its
         * client as "they". A report has reporting words as well. */
        dir = 0.4;
        v->reading = "reads as a report about others";
    } else if (t->you == 0) {
        dir = 0.7;
        v->reading = "does not address the reader";
    } else {
        v->reading = "addressed to the reader";
        /* Information, people or tasks asked of the reader in return for
         * pay is the trade the whole pipeline leads to: more than the sum
         * of its cues. */
        if (request && (groups & e->paid_groups))
            raw += PAID_REQUEST;
    }
    if (!request && t->job >= 2)
        dir *= 0.75;
    else if (!request && t->job == 1)
        dir *= 0.9;

    score = (int)lround(raw * mult * dir);
    if (score > 100)
        score = 100;
    if (score < 0) /* the classifier's doubt outweighed the cues */
        score = 0;
    v->score = score;
    v->stage = stage;
    v->n_groups = n_groups;
    if (score >= SCORE_HIGH && n_groups >= 2 && request)
        v->level = LW_LEVEL_HIGH;
    else if (score >= SCORE_MEDIUM && n_groups >= 2)
        v->level = LW_LEVEL_MEDIUM;
    else if (score >= SCORE_LOW)
        v->level = LW_LEVEL_LOW;
    else
        v->level = LW_LEVEL_NONE;
    /* Awareness material lists every tactic it warns of; it is never an
     * approach itself, however many it names. */
    if (warning && v->level > LW_LEVEL_LOW)
        v->level = LW_LEVEL_LOW;
}

int lw_worker_screen(struct lw_worker *w, const struct lw_msg *m, struct lw_verdict *v,
                     struct lw_diag *diag)
{
    const struct lw_engine *e = w->e;
    bool hit = false;
    size_t i;
    int rc;

    memset(v, 0, sizeof(*v));
    memset(w->t.w, 0, e->n_tactics * sizeof(*w->t.w));
    memset(w->t.hits, 0, e->n_tactics * sizeof(*w->t.hits));
    memset(w->flags, 0, e->n_tactics * sizeof(*w->flags));
    w->t.you = w->t.report = w->t.they = w->t.warn = w->t.job = 0;
    w->t.wl_points = 0;
    w->t.model_points = 0;
    v->defects = m->defects;

    /* Offsets are mapped only for messages with evidence to quote. */
    rc = lw_norm(m->text ? m->text : "", m->text_len,
                 LW_NORM_LAZY_MAPS | (m->text_is_html ? LW_NORM_HTML : 0), &w->nt, diag);
    if (rc < 0)
        return rc;
    v->defects |= w->nt.defects;
    rc = lw_scanner_probe(w->sc, w->nt.s, w->nt.len, &hit);
    if (rc < 0) {
        lw_diag_set(diag, "message %s: the pattern matcher failed", m->id);
        return rc;
    }
    if (e->wl) {
        rc = lw_watchlist_screen(e->wl, m, &w->nt, v, &w->t.wl_points);
        if (rc < 0)
            return rc;
    }
    /* The classifier weighs the whole text (its first LW_MODEL_MAX_TEXT
     * bytes) where a rule or the watchlist found a cue, and any short text:
     * approaches with no cue the rules know are short (a connection note,
     * a chat message), and long mail with no cue, most of all mail, costs
     * it nothing. */
    if (e->model && (hit || w->t.wl_points > 0 || w->nt.len <= MODEL_SHORT_TEXT)) {
        struct lw_model_result mr;
        unsigned k;
        lw_model_score(e->model, w->ms, w->nt.s, w->nt.len, &mr);
        v->model_used = true;
        v->model_p = mr.p;
        v->model_points = w->t.model_points = model_points(mr.p);
        for (k = 0; v->model_points > 0 && k < mr.n_evidence; k++) {
            rc = lw_normtext_span(&w->nt, mr.evidence[k].start, mr.evidence[k].end,
                                  &v->model_evidence[k].start, &v->model_evidence[k].end);
            if (rc < 0)
                return rc;
            v->n_model_evidence++;
        }
    }
    /* Signals only shape the weight of evidence: text with none, from the
     * rules, the watchlist or the classifier, is not scanned for them. */
    if (hit || w->t.wl_points > 0 || w->t.model_points > 0) {
        w->n_negs = w->n_pend = 0;
        rc = lw_scanner_scan(w->sc, w->nt.s, w->nt.len, on_hit, w);
        if (rc < 0) {
            lw_diag_set(diag, "message %s: the pattern matcher failed", m->id);
            return rc;
        }
        settle_requests(w);
    }

    for (i = 0; i < e->n_tactics && v->n_flags < LW_MAX_FLAGS; i++) {
        struct lw_flag *f;
        unsigned k;
        if (e->group_of[i] < 0 || w->t.w[i] <= 0)
            continue;
        f = &v->flags[v->n_flags++];
        f->tactic = (unsigned)i;
        f->weight = w->t.w[i];
        f->hits = w->t.hits[i];
        f->n_evidence = w->flags[i].n_evidence;
        for (k = 0; k < f->n_evidence; k++) {
            rc =
                lw_normtext_span(&w->nt, w->flags[i].evidence[k].start, w->flags[i].evidence[k].end,
                                 &f->evidence[k].start, &f->evidence[k].end);
            if (rc < 0)
                return rc;
        }
    }
    v->watch_points = w->t.wl_points;
    v->you = w->t.you;
    v->report = w->t.report;
    v->they = w->t.they;
    v->warn = w->t.warn;
    v->job = w->t.job;
    score_tally(e, &w->t, v);
    /* What the reader wrote is not an approach to them, whatever it
     * repeats of one (the client, the pay, the channel they asked about). */
    if (m->outgoing && v->n_flags + (v->model_points > 0) + (v->watch_points > 0) > 0) {
        v->reading = "written by you";
        if (v->level > LW_LEVEL_LOW)
            v->level = LW_LEVEL_LOW;
    }
    return LW_OK;
}

/* --- conversations ------------------------------------------------------- */

struct thread_state {
    char *id;
    int *w; /* per tactic: strongest weight seen in the thread */
    unsigned messages;
    unsigned you, report, they, warn, job;
    int wl_points, model_points;
    enum lw_level alone; /* the highest level one message reached alone */
    enum lw_level level; /* the conversation's level so far */
};

struct lw_thread_ctx {
    const struct lw_engine *e;
    struct thread_state *a; /* open addressing on the id */
    size_t cap, n;
};

int lw_thread_ctx_new(const struct lw_engine *e, struct lw_thread_ctx **out)
{
    struct lw_thread_ctx *t = calloc(1, sizeof(*t));

    if (!t)
        return LW_ENOMEM;
    t->e = e;
    *out = t;
    return LW_OK;
}

void lw_thread_ctx_free(struct lw_thread_ctx *t)
{
    size_t i;

    if (!t)
        return;
    for (i = 0; i < t->cap; i++) {
        free(t->a[i].id);
        free(t->a[i].w);
    }
    free(t->a);
    free(t);
}

/* Conversations followed at once; past this, new threads are not followed
 * (their messages are screened alone), so memory stays bounded on any mailbox. */
#define MAX_THREADS 200000

/* The state of thread `id`, made if new. NULL with *full set when the cap is
 * reached, NULL alone when out of memory. */
static struct thread_state *thread_find(struct lw_thread_ctx *t, const char *id, bool *fresh,
                                        bool *full)
{
    size_t i;

    *full = false;
    if (t->n * 2 >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64, j;
        struct thread_state *a = calloc(cap, sizeof(*a));
        if (!a)
            return NULL;
        for (j = 0; j < t->cap; j++) {
            if (!t->a[j].id)
                continue;
            i = XXH3_64bits(t->a[j].id, strlen(t->a[j].id)) & (cap - 1);
            while (a[i].id)
                i = (i + 1) & (cap - 1);
            a[i] = t->a[j];
        }
        free(t->a);
        t->a = a;
        t->cap = cap;
    }
    i = XXH3_64bits(id, strlen(id)) & (t->cap - 1);
    while (t->a[i].id) {
        if (!strcmp(t->a[i].id, id)) {
            *fresh = false;
            return &t->a[i];
        }
        i = (i + 1) & (t->cap - 1);
    }
    if (t->n >= MAX_THREADS) {
        *full = true;
        return NULL;
    }
    t->a[i].id = strdup(id);
    t->a[i].w = calloc(t->e->n_tactics ? t->e->n_tactics : 1, sizeof(int));
    if (!t->a[i].id || !t->a[i].w) {
        free(t->a[i].id);
        free(t->a[i].w);
        t->a[i].id = NULL;
        t->a[i].w = NULL;
        return NULL;
    }
    t->n++;
    *fresh = true;
    return &t->a[i];
}

int lw_thread_ctx_apply(struct lw_thread_ctx *t, const struct lw_msg *m, struct lw_verdict *v)
{
    const struct lw_engine *e = t->e;
    struct thread_state *s;
    struct lw_verdict conv;
    struct tally tl;
    bool fresh, full;
    size_t i, n = 0;
    unsigned k;

    if (!m->thread || !*m->thread)
        return LW_OK;
    s = thread_find(t, m->thread, &fresh, &full);
    if (!s)
        return full ? LW_OK : LW_ENOMEM;
    if (!fresh && s->messages > 0) {
        v->thread_messages = s->messages;
        for (i = 0; i < e->n_tactics; i++) {
            const char *code = lw_ruleset_tactic(e->rs, i)->code;
            if (s->w[i] <= 0 || n + strlen(code) + 2 > sizeof(v->thread_codes))
                continue;
            n += (size_t)snprintf(v->thread_codes + n, sizeof(v->thread_codes) - n, "%s%s",
                                  n ? " " : "", code);
        }
    }
    /* The reader's own messages are not the approacher's tactics: they
     * are shown the context but neither fold in nor are lifted. */
    if (m->outgoing) {
        s->messages++;
        v->thread_level = s->level;
        return LW_OK;
    }
    /* Fold this message in. */
    for (k = 0; k < v->n_flags; k++)
        if (v->flags[k].weight > s->w[v->flags[k].tactic])
            s->w[v->flags[k].tactic] = v->flags[k].weight;
    s->messages++;
    s->you += v->you;
    s->report += v->report;
    s->they += v->they;
    s->warn += v->warn;
    s->job += v->job;
    s->wl_points = LW_MAX(s->wl_points, v->watch_points);
    s->model_points = LW_MAX(s->model_points, v->model_points);
    if (v->level > s->alone)
        s->alone = v->level;
    if (v->level > s->level)
        s->level = v->level;

    if (s->messages < 2)
        return LW_OK;
    memset(&conv, 0, sizeof(conv));
    memset(&tl, 0, sizeof(tl));
    tl.w = s->w;
    tl.you = s->you;
    tl.report = s->report;
    tl.they = s->they;
    tl.warn = s->warn;
    tl.job = s->job;
    tl.wl_points = s->wl_points;
    tl.model_points = s->model_points;
    score_tally(e, &tl, &conv);
    if (conv.level > s->level)
        s->level = conv.level;
    v->thread_level = conv.level;
    /* A thread implied by a report's excerpts (lw_msg.thread_implied) is
     * weaker evidence of one correspondence than a given thread id: it
     * lifts a message only once one of its messages is an approach alone. */
    if (v->n_flags > 0 && conv.level > v->level &&
        (!m->thread_implied || s->alone >= LW_LEVEL_MEDIUM)) {
        v->level = conv.level;
        if (conv.score > v->score)
            v->score = conv.score;
        if (conv.stage > v->stage)
            v->stage = conv.stage;
    }
    return LW_OK;
}
