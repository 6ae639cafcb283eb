/* pipeline.h -- screen every message of some inputs with all cores, and
 * hand the verdicts back in input order.
 *
 * The calling thread reads (the readers are not thread-safe) and emits;
 * `threads` workers normalise, match and score. At most `queue` messages
 * are in flight, so memory stays bounded whatever the input size.
 * Conversation context (engine.h) is applied in input order before each
 * verdict is emitted. */
#ifndef LW_PIPELINE_H
#define LW_PIPELINE_H

#include "base/buf.h"
#include "detect/engine.h"
#include "ingest/reader.h"

struct lw_pipeline_stats {
    unsigned long screened;
    unsigned long by_level[4];
    unsigned long skipped;        /* bad records reported and skipped */
    unsigned long skipped_parse;  /* ... because they were malformed */
    unsigned long skipped_limit;  /* ... because they were over a limit */
    unsigned long failed_sources; /* inputs that could not be read at all */
    unsigned long with_defects;   /* screened, but repaired or truncated */
    uint64_t bytes;
};

/* Called in input order for every screened message. `json` is the verdict
 * encoded as JSON when the pipeline was asked for it (else NULL). Return
 * non-zero to stop. */
typedef int lw_emit_fn(void *ctx, const struct lw_msg *m, const struct lw_verdict *v,
                       const char *json);

struct lw_pipeline_opts {
    enum lw_format format;
    struct lw_limits limits;
    unsigned threads;
    bool want_json;
    enum lw_lang lang;
    bool progress; /* show progress on stderr */
};

/* Run over paths[0..n). Bad records and unreadable inputs are reported on
 * stderr and counted; the run goes on. Returns LW_OK, or a negative code
 * if the pipeline itself failed (threads, memory). */
LW_NODISCARD int lw_pipeline_run(const struct lw_engine *e, const char *const *paths, size_t n,
                                 const struct lw_pipeline_opts *o, lw_emit_fn *emit, void *ctx,
                                 struct lw_pipeline_stats *stats);

/* The number of online processors (at least 1). */
unsigned lw_ncpu(void);

#endif
