/* model_train.c -- fitting the classifier of model.h to labelled texts.
 *
 * The loss is the logistic loss, weighted so that approaches carry
 * `pos_share` of the total weight (there are far fewer of them), plus an
 * L2 penalty. It is minimised by stochastic gradient descent with AdaGrad
 * steps (each feature's step shrinks with the gradients it has seen), in a
 * fixed pseudo-random order, so the same data always gives the same file.
 * The penalty of a feature is spread over the messages that have it, so a
 * pass over the data charges each feature l2 * w once.
 *
 * Features seen in fewer than `min_df` messages are not learned: a word one
 * writer used once says nothing about the next writer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "detect/model.h"

#define ETA       0.5 /* AdaGrad's base step */
#define MAX_NAMES (256u << 20)
#define MAX_FEATS (1u << 26)

struct feat {
    uint64_t key;
    uint32_t name; /* offset in names */
    uint32_t df;   /* messages that have it */
    uint32_t last; /* 1 + the last message that had it */
};

struct doc {
    size_t off;   /* in ids */
    uint32_t n;   /* distinct features (their ids follow off) */
    uint32_t occ; /* features read, repeats included (the score divides by its root) */
    bool approach;
    float weight;
};

struct lw_trainer {
    struct lw_train_opts o;
    uint32_t *slot; /* open addressing: 1 + index into f, 0 empty */
    size_t mask;
    struct feat *f;
    size_t nf, fcap;
    struct lw_buf names; /* NUL-terminated names */
    uint32_t *ids;
    size_t nids, idcap;
    struct doc *docs;
    size_t nd, dcap;
    uint32_t occ; /* features read of the message being added */
    int rc;       /* first failure inside the feature walk */
};

void lw_train_opts_default(struct lw_train_opts *o)
{
    o->l2 = 0.1;
    o->epochs = 40;
    o->min_df = 2;
    o->max_features = 8000;
    o->min_weight = 0.01;
    o->pos_share = 0.5;
}

int lw_trainer_new(const struct lw_train_opts *o, struct lw_trainer **out)
{
    struct lw_trainer *t = calloc(1, sizeof(*t));

    if (!t)
        return LW_ENOMEM;
    t->o = *o;
    t->mask = (1u << 16) - 1;
    t->slot = calloc(t->mask + 1, sizeof(*t->slot));
    if (!t->slot) {
        free(t);
        return LW_ENOMEM;
    }
    lw_buf_init(&t->names, MAX_NAMES);
    *out = t;
    return LW_OK;
}

void lw_trainer_free(struct lw_trainer *t)
{
    if (!t)
        return;
    free(t->slot);
    free(t->f);
    lw_buf_release(&t->names);
    free(t->ids);
    free(t->docs);
    free(t);
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t cap2 = *cap ? *cap : 64;
    void *q;

    if (need <= *cap)
        return LW_OK;
    while (cap2 < need)
        cap2 *= 2;
    q = realloc(*p, cap2 * size);
    if (!q)
        return LW_ENOMEM;
    *p = q;
    *cap = cap2;
    return LW_OK;
}

static int rehash(struct lw_trainer *t)
{
    size_t mask = t->mask * 2 + 1, i, j;
    uint32_t *slot = calloc(mask + 1, sizeof(*slot));

    if (!slot)
        return LW_ENOMEM;
    for (i = 0; i < t->nf; i++) {
        for (j = (size_t)t->f[i].key & mask; slot[j]; j = (j + 1) & mask)
            ;
        slot[j] = (uint32_t)i + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->mask = mask;
    return LW_OK;
}

/* The index of a feature, made if new. */
static int intern(struct lw_trainer *t, uint64_t key, const char *t1, size_t n1, const char *t2,
                  size_t n2, uint32_t *out)
{
    size_t i;
    int rc;

    for (i = (size_t)key & t->mask; t->slot[i]; i = (i + 1) & t->mask)
        if (t->f[t->slot[i] - 1].key == key) {
            *out = t->slot[i] - 1;
            return LW_OK;
        }
    if (t->nf >= MAX_FEATS)
        return LW_ELIMIT;
    rc = grow((void **)&t->f, &t->fcap, t->nf + 1, sizeof(*t->f));
    if (rc < 0)
        return rc;
    t->f[t->nf].key = key;
    t->f[t->nf].name = (uint32_t)lw_buf_len(&t->names);
    t->f[t->nf].df = 0;
    t->f[t->nf].last = 0;
    rc = lw_buf_append(&t->names, t1, n1);
    if (rc == LW_OK && t2) {
        rc = lw_buf_appendc(&t->names, ' ');
        if (rc == LW_OK)
            rc = lw_buf_append(&t->names, t2, n2);
    }
    if (rc == LW_OK)
        rc = lw_buf_appendc(&t->names, '\0');
    if (rc < 0)
        return rc;
    t->slot[i] = (uint32_t)t->nf + 1;
    *out = (uint32_t)t->nf++;
    if (t->nf * 2 > t->mask)
        return rehash(t);
    return LW_OK;
}

static int add_feature(void *ctx, uint64_t key, const char *t1, size_t n1, const char *t2,
                       size_t n2, size_t start, size_t end)
{
    struct lw_trainer *t = ctx;
    uint32_t id, doc = (uint32_t)t->nd + 1;

    (void)start, (void)end;
    t->occ++;
    t->rc = intern(t, key, t1, n1, t2, n2, &id);
    if (t->rc < 0)
        return 1;
    if (t->f[id].last == doc)
        return 0;
    t->f[id].last = doc;
    t->f[id].df++;
    t->rc = grow((void **)&t->ids, &t->idcap, t->nids + 1, sizeof(*t->ids));
    if (t->rc < 0)
        return 1;
    t->ids[t->nids++] = id;
    return 0;
}

int lw_trainer_add(struct lw_trainer *t, const char *s, size_t len, bool approach, double weight)
{
    int rc = grow((void **)&t->docs, &t->dcap, t->nd + 1, sizeof(*t->docs));

    if (rc < 0)
        return rc;
    t->docs[t->nd].off = t->nids;
    t->rc = LW_OK;
    t->occ = 0;
    lw_model_features(s, len, add_feature, t);
    if (t->rc < 0) {
        t->nids = t->docs[t->nd].off; /* forget this message */
        return t->rc;
    }
    t->docs[t->nd].n = (uint32_t)(t->nids - t->docs[t->nd].off);
    t->docs[t->nd].occ = t->occ;
    t->docs[t->nd].approach = approach;
    t->docs[t->nd].weight = (float)weight;
    t->nd++;
    return LW_OK;
}

static uint64_t next_rand(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* For the kept features: heaviest |w| first, then by name (stable output). */
static const struct lw_trainer *sort_t;
static const double *sort_w;

static int by_magnitude(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    double x = fabs(sort_w[i]), y = fabs(sort_w[j]);

    if (x != y)
        return x > y ? -1 : 1;
    return strcmp(lw_buf_str(&sort_t->names) + sort_t->f[i].name,
                  lw_buf_str(&sort_t->names) + sort_t->f[j].name);
}

static int by_weight(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;

    if (sort_w[i] != sort_w[j])
        return sort_w[i] > sort_w[j] ? -1 : 1;
    return strcmp(lw_buf_str(&sort_t->names) + sort_t->f[i].name,
                  lw_buf_str(&sort_t->names) + sort_t->f[j].name);
}

static void write_comment(FILE *out, const char *comment)
{
    const char *p = comment;

    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        fprintf(out, "# %.*s\n", (int)n, p);
        p += n + (nl != NULL);
    }
}

int lw_trainer_fit(struct lw_trainer *t, const char *comment, FILE *out, struct lw_diag *diag)
{
    const struct lw_train_opts *o = &t->o;
    double *w = NULL, *g2 = NULL, b = 0, gb = 0, cpos, cneg, loss = 0, wpos = 0, wneg = 0;
    uint32_t *order = NULL, *keep = NULL;
    size_t npos = 0, nkeep = 0, nlearned = 0, i, k, right = 0;
    uint64_t seed = 0x2545f4914f6cdd1dull;
    unsigned epoch;
    int rc = LW_OK;

    for (i = 0; i < t->nd; i++) {
        npos += t->docs[i].approach;
        if (t->docs[i].approach)
            wpos += t->docs[i].weight;
        else
            wneg += t->docs[i].weight;
    }
    if (npos == 0 || npos == t->nd || wpos <= 0 || wneg <= 0) {
        lw_diag_set(diag, "training needs approaches and other messages (%zu approaches in %zu)",
                    npos, t->nd);
        return LW_EINVAL;
    }
    /* Class weights: approaches carry pos_share of the total, and the
     * mean weight of a message stays 1. */
    cpos = o->pos_share * (wpos + wneg) / wpos;
    cneg = (1 - o->pos_share) * (wpos + wneg) / wneg;
    w = calloc(t->nf ? t->nf : 1, sizeof(*w));
    g2 = calloc(t->nf ? t->nf : 1, sizeof(*g2));
    order = malloc(t->nd * sizeof(*order));
    keep = malloc((t->nf ? t->nf : 1) * sizeof(*keep));
    if (!w || !g2 || !order || !keep) {
        rc = LW_ENOMEM;
        goto out;
    }
    for (i = 0; i < t->nd; i++)
        order[i] = (uint32_t)i;

    for (epoch = 0; epoch < o->epochs; epoch++) {
        for (i = t->nd - 1; i > 0; i--) { /* Fisher-Yates */
            size_t j = (size_t)(next_rand(&seed) % (i + 1));
            uint32_t tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        for (i = 0; i < t->nd; i++) {
            const struct doc *d = &t->docs[order[i]];
            const uint32_t *ids = t->ids + d->off;
            double x = d->occ ? 1 / sqrt((double)d->occ) : 0, z = b, p, g;
            for (k = 0; k < d->n; k++)
                if (t->f[ids[k]].df >= o->min_df)
                    z += w[ids[k]] * x;
            p = 1 / (1 + exp(-z));
            g = d->weight * (d->approach ? cpos : cneg) * (p - (d->approach ? 1 : 0));
            for (k = 0; k < d->n; k++) {
                uint32_t f = ids[k];
                double gf;
                if (t->f[f].df < o->min_df)
                    continue;
                gf = g * x + o->l2 * w[f] / t->f[f].df;
                g2[f] += gf * gf;
                w[f] -= ETA * gf / (sqrt(g2[f]) + 1e-12);
            }
            gb += g * g;
            b -= ETA * g / (sqrt(gb) + 1e-12);
        }
    }

    /* How well it fits what it was trained on (for the file's header). */
    for (i = 0; i < t->nd; i++) {
        const struct doc *d = &t->docs[i];
        double x = d->occ ? 1 / sqrt((double)d->occ) : 0, z = b, p;
        for (k = 0; k < d->n; k++)
            if (t->f[t->ids[d->off + k]].df >= o->min_df)
                z += w[t->ids[d->off + k]] * x;
        p = 1 / (1 + exp(-z));
        loss -=
            d->weight * (d->approach ? cpos : cneg) * log(d->approach ? p + 1e-12 : 1 - p + 1e-12);
        right += (p >= 0.5) == d->approach;
    }

    for (i = 0; i < t->nf; i++) {
        if (t->f[i].df < o->min_df)
            continue;
        nlearned++;
        if (fabs(w[i]) >= o->min_weight)
            keep[nkeep++] = (uint32_t)i;
    }
    sort_t = t;
    sort_w = w;
    qsort(keep, nkeep, sizeof(*keep), by_magnitude);
    if (nkeep > o->max_features)
        nkeep = o->max_features;
    qsort(keep, nkeep, sizeof(*keep), by_weight);

    write_comment(out, comment);
    fprintf(out,
            "# %zu messages (%zu approaches), %zu features (%zu in at least %u messages), "
            "%zu kept\n"
            "# l2 %g, %u epochs, approaches weigh %g of the total; on its training data: "
            "weighted loss %.4f, %zu of %zu right at p >= 0.5\n",
            t->nd, npos, t->nf, nlearned, o->min_df, nkeep, o->l2, o->epochs, o->pos_share,
            loss / (wpos + wneg), right, t->nd);
    fprintf(out, "lurewatch-model\t1\n(bias)\t%.6f\n", b);
    for (i = 0; i < nkeep; i++)
        fprintf(out, "%s\t%.5f\n", lw_buf_str(&t->names) + t->f[keep[i]].name, w[keep[i]]);
    if (fflush(out) != 0 || ferror(out)) {
        lw_diag_set(diag, "cannot write the model");
        rc = LW_EIO;
    }
out:
    free(w);
    free(g2);
    free(order);
    free(keep);
    return rc;
}
