/* model.h -- the learned classifier (DESIGN §2): a logistic regression over
 * the words and characters of the normalised text, trained on labelled
 * messages by `lurewatch model train` and kept as a readable data file
 * (data/model.tsv; its format is in docs/model.md).
 *
 * The rules name phrases; the model weighs every word and word pair, so it
 * can see an approach worded in a way no pattern names. It never decides
 * alone: the engine turns its probability into points that count like one
 * more group of evidence (docs/scoring.md), so the rules' direction and
 * combination tests still apply to it.
 *
 * Features. The text is split into tokens: runs of letters and digits
 * (digits all become '0', so "$5,000" and "$3,000" read alike), and every
 * CJK character on its own (Chinese has no spaces). A feature is one token
 * or two consecutive ones; each counts once per message. Tokens longer
 * than LW_MODEL_MAX_TOKEN bytes (encoded blobs, hashes) are dropped.
 * Only the first LW_MODEL_MAX_TEXT bytes of a message are read: approaches
 * are short, and the cost stays bounded on long mail.
 *
 * Score. z = bias + (sum of the weights of the distinct features present) /
 * sqrt(number of features read, repeats included), p = 1 / (1 + e^-z). The
 * square root keeps a long
 * message from adding up many small weights.
 *
 * A struct lw_model is immutable once loaded and shared by all threads; a
 * struct lw_model_scratch belongs to one worker. */
#ifndef LW_MODEL_H
#define LW_MODEL_H

#include <stdio.h>

#include "base/err.h"

#define LW_MODEL_MAX_TEXT  2048
#define LW_MODEL_MAX_TOKEN 24
#define LW_MODEL_EVIDENCE  3

struct lw_model;

/* Load a model file; errors name the file, line and column. */
LW_NODISCARD int lw_model_load(const char *path, struct lw_model **out, struct lw_diag *diag);
/* The same from bytes in memory (`name` is used in diagnostics). */
LW_NODISCARD int lw_model_load_mem(const char *buf, size_t len, const char *name,
                                   struct lw_model **out, struct lw_diag *diag);
void lw_model_free(struct lw_model *m);
size_t lw_model_n_features(const struct lw_model *m);

/* The features of one text, each with where it first occurs.
 * lw_model_features calls fn once per feature occurrence, in text order
 * (repeats included): key is the feature's hash, the one the model file's
 * loader computes from its name; the name is one token (t2 == NULL) or two
 * (t1 then t2, written "t1 t2" in a model file); [start, end) is its span
 * in s. Returning non-zero stops the walk. */
typedef int lw_feature_fn(void *ctx, uint64_t key, const char *t1, size_t n1, const char *t2,
                          size_t n2, size_t start, size_t end);
void lw_model_features(const char *s, size_t len, lw_feature_fn *fn, void *ctx);

/* The key of a feature named by one or two tokens (as the loader does). */
uint64_t lw_model_key(const char *t1, size_t n1, const char *t2, size_t n2);

struct lw_model_span {
    size_t start, end; /* in the text that was scored */
};

struct lw_model_result {
    double p;   /* probability that the text is an approach */
    unsigned n; /* features read, repeats included */
    unsigned n_evidence;
    /* The features that pushed p up most, strongest first. */
    struct lw_model_span evidence[LW_MODEL_EVIDENCE];
};

struct lw_model_scratch;
LW_NODISCARD int lw_model_scratch_new(struct lw_model_scratch **out);
void lw_model_scratch_free(struct lw_model_scratch *sc);

/* Score s[0..len) (normalised text; only the first LW_MODEL_MAX_TEXT bytes
 * are read). */
void lw_model_score(const struct lw_model *m, struct lw_model_scratch *sc, const char *s,
                    size_t len, struct lw_model_result *r);

/* --- training (model_train.c) -------------------------------------------- */

struct lw_train_opts {
    double l2;           /* L2 penalty, charged once a pass (default 0.1) */
    unsigned epochs;     /* passes over the data (default 40) */
    unsigned min_df;     /* a feature must occur in this many messages (default 2) */
    size_t max_features; /* keep at most this many, by |weight| (default 8000) */
    double min_weight;   /* and only those with |weight| at least this (default 0.01) */
    double pos_share;    /* the share of total weight given to approaches (default 0.5) */
};
void lw_train_opts_default(struct lw_train_opts *o);

struct lw_trainer;
LW_NODISCARD int lw_trainer_new(const struct lw_train_opts *o, struct lw_trainer **out);
void lw_trainer_free(struct lw_trainer *t);
/* Add one normalised text with its label (true: an approach) and weight
 * (1 for a labelled message; less for bulk mail taken as not approaches,
 * so that it does not drown the labelled look-alikes). */
LW_NODISCARD int lw_trainer_add(struct lw_trainer *t, const char *s, size_t len, bool approach,
                                double weight);
/* Fit the weights and write the model file to out (a stdio stream) with
 * `comment` (may be NULL; each line is written after "# ") at its head. */
LW_NODISCARD int lw_trainer_fit(struct lw_trainer *t, const char *comment, FILE *out,
                                struct lw_diag *diag);

#endif
