/* engine.h -- screening one message: normalise, match the rule packs and
 * the watchlist, and score the result into a verdict (DESIGN §1, §5).
 *
 * struct lw_engine is built once (rules compiled, watchlist indexed) and is
 * then immutable and shared by every worker thread. struct lw_worker holds
 * one thread's mutable state (Vectorscan scratch, normalisation buffers);
 * use one per thread. struct lw_thread_ctx follows conversations in input
 * order; it belongs to whoever emits verdicts in order (one thread).
 * The scoring rule is documented in docs/scoring.md. */
#ifndef LW_ENGINE_H
#define LW_ENGINE_H

#include "detect/rules.h"
#include "detect/verdict.h"
#include "ingest/msg.h"

struct lw_watchlist;
struct lw_model;
struct lw_engine;
struct lw_worker;

/* Load and compile the rules at rules_path (a folder or a file), keeping
 * the compiled database in cache_dir (NULL for none; see rules.h). */
LW_NODISCARD int lw_engine_new(const char *rules_path, const char *cache_dir,
                               struct lw_engine **out, struct lw_diag *diag);
void lw_engine_free(struct lw_engine *e);
const struct lw_ruleset *lw_engine_rules(const struct lw_engine *e);
/* Use a watchlist (borrowed: it must outlive the engine). Call before any
 * worker is created. NULL switches watchlist matching off. */
void lw_engine_set_watchlist(struct lw_engine *e, const struct lw_watchlist *wl);
/* Use the learned classifier (borrowed, like the watchlist; detect/model.h).
 * Call before any worker is created. NULL switches it off. */
void lw_engine_set_model(struct lw_engine *e, const struct lw_model *m);

LW_NODISCARD int lw_worker_new(const struct lw_engine *e, struct lw_worker **out,
                               struct lw_diag *diag);
void lw_worker_free(struct lw_worker *w);

/* Screen one message into v (caller storage, overwritten). */
LW_NODISCARD int lw_worker_screen(struct lw_worker *w, const struct lw_msg *m, struct lw_verdict *v,
                                  struct lw_diag *diag);

/* Conversation context: messages sharing a thread id are read together, in
 * input order. A message that shows at least one tactic itself takes the
 * conversation's level when that is higher (a cover-company answer after a
 * paid offer is part of the approach); a message with no tactic of its own
 * keeps its level and only reports the conversation's. */
struct lw_thread_ctx;
LW_NODISCARD int lw_thread_ctx_new(const struct lw_engine *e, struct lw_thread_ctx **out);
void lw_thread_ctx_free(struct lw_thread_ctx *t);
/* Update v with, and fold it into, the context of m->thread (no-op when
 * the message has no thread id). */
LW_NODISCARD int lw_thread_ctx_apply(struct lw_thread_ctx *t, const struct lw_msg *m,
                                     struct lw_verdict *v);

#endif
