/* fuzz_model.c -- libFuzzer target for the model file parser and the
 * tokeniser (src/detect/model.h): any bytes are parsed as a model file and,
 * if they parse, the model scores a fixed text; the same bytes are also
 * walked as text (the tokeniser must stay inside them whatever they hold,
 * valid UTF-8 or not). */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "detect/model.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int check_span(void *ctx, uint64_t key, const char *t1, size_t n1, const char *t2, size_t n2,
                      size_t start, size_t end)
{
    size_t size = *(size_t *)ctx;

    if (start >= end || end > size || n1 == 0 || n1 > LW_MODEL_MAX_TOKEN ||
        (t2 && (n2 == 0 || n2 > LW_MODEL_MAX_TOKEN)) || key != lw_model_key(t1, n1, t2, n2))
        __builtin_trap();
    return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static const char text[] = "paid report for our client, 内部资料, für geld, $5,000 per month";
    static struct lw_model_scratch *sc;
    struct lw_model *m = NULL;
    struct lw_model_result r;
    struct lw_diag diag;
    unsigned k;

    if (size > (1u << 20))
        return 0;
    lw_model_features((const char *)data, size, check_span, &size);
    if (!sc && lw_model_scratch_new(&sc) != LW_OK)
        return 0;
    if (lw_model_load_mem((const char *)data, size, "fuzz.tsv", &m, &diag) != LW_OK) {
        if (!diag.msg[0] || strcmp(diag.source, "fuzz.tsv"))
            __builtin_trap();
        return 0;
    }
    lw_model_score(m, sc, text, sizeof(text) - 1, &r);
    if (!(r.p >= 0 && r.p <= 1) || r.n_evidence > LW_MODEL_EVIDENCE)
        __builtin_trap();
    for (k = 0; k < r.n_evidence; k++)
        if (r.evidence[k].start >= r.evidence[k].end || r.evidence[k].end > sizeof(text) - 1)
            __builtin_trap();
    lw_model_free(m);
    return 0;
}
