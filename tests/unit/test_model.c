/* test_model.c -- the learned classifier: tokens and features, the model
 * file's parser and its errors, scoring and evidence, training, and what
 * the engine makes of the model's judgement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/engine.h"
#include "detect/model.h"
#include "text/norm.h"

/* --- features ------------------------------------------------------------ */

struct names {
    char buf[2048];
    size_t n, max_end;
};

static int collect(void *ctx, uint64_t key, const char *t1, size_t n1, const char *t2, size_t n2,
                   size_t start, size_t end)
{
    struct names *c = ctx;

    assert_true(start < end);
    assert_int_equal(key, lw_model_key(t1, n1, t2, n2));
    if (end > c->max_end)
        c->max_end = end;
    if (c->n < sizeof(c->buf) - 200)
        c->n +=
            (size_t)snprintf(c->buf + c->n, sizeof(c->buf) - c->n, "%s%.*s%s%.*s", c->n ? "|" : "",
                             (int)n1, t1, t2 ? " " : "", (int)n2, t2 ? t2 : "");
    return 0;
}

static struct names feats;

static const char *features(const char *s)
{
    memset(&feats, 0, sizeof(feats));
    lw_model_features(s, strlen(s), collect, &feats);
    return feats.buf;
}

static void test_features(void **state)
{
    (void)state;
    /* Words and pairs; digits read as 0; punctuation separates. */
    assert_string_equal(features("paid $5,000!"), "paid|0|paid 0|000|0 000");
    /* Every CJK character is a token; pairs run across scripts. */
    assert_string_equal(features("内部 资料 ok"), "内|部|内 部|资|部 资|料|资 料|ok|料 ok");
    /* A blob is dropped and breaks the chain of pairs. */
    assert_string_equal(features("a xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx b"), "a|b");
    /* Letters of other scripts stay in words. */
    assert_string_equal(features("für geld"), "für|geld|für geld");
    assert_string_equal(features(""), "");
    assert_string_equal(features("  ,;  \n"), "");
}

static void test_features_read_a_bounded_prefix(void **state)
{
    size_t n = 3 * LW_MODEL_MAX_TEXT, i;
    char *s = malloc(n + 1);

    (void)state;
    assert_non_null(s);
    for (i = 0; i < n; i++)
        s[i] = (i % 2) ? ' ' : (char)('a' + i / 2 % 26);
    s[n] = '\0';
    features(s);
    assert_true(feats.max_end > 0);
    assert_true(feats.max_end <= LW_MODEL_MAX_TEXT);
    free(s);
}

/* --- the model file ------------------------------------------------------- */

static const char good[] = "# a model\n"
                           "lurewatch-model\t1\n"
                           "(bias)\t-1.5\n"
                           "report\t2.0\n"
                           "paid report\t3.0\n"
                           "wechat\t1.0\n"
                           "meeting\t-2.5\n"
                           "内 部\t2.5\n";

static struct lw_model *load(const char *text, int want, unsigned long line)
{
    struct lw_model *m = NULL;
    struct lw_diag d;
    int rc;

    lw_diag_clear(&d);
    rc = lw_model_load_mem(text, strlen(text), "t.tsv", &m, &d);
    assert_int_equal(rc, want);
    if (want != LW_OK) {
        assert_null(m);
        assert_string_equal(d.source, "t.tsv");
        assert_int_equal(d.line, line);
        assert_true(d.msg[0] != '\0');
    }
    return m;
}

static void test_load(void **state)
{
    struct lw_model *m = load(good, LW_OK, 0);

    (void)state;
    assert_int_equal(lw_model_n_features(m), 5);
    lw_model_free(m);
    /* CRLF line ends are read too. */
    m = load("lurewatch-model\t1\r\n(bias)\t0\r\nx\t1\r\n", LW_OK, 0);
    assert_int_equal(lw_model_n_features(m), 1);
    lw_model_free(m);
}

static void test_load_errors(void **state)
{
    (void)state;
    load("", LW_EPARSE, 0);
    load("# only a comment\n", LW_EPARSE, 1);
    load("hello\t1\n", LW_EPARSE, 1);                                 /* not a model */
    load("lurewatch-model\t2\n(bias)\t0\n", LW_EPARSE, 1);            /* version */
    load("lurewatch-model\t1\nx\t1\n", LW_EPARSE, 2);                 /* no bias */
    load("lurewatch-model\t1\n(bias)\t0\n(bias)\t1\n", LW_EPARSE, 3); /* two */
    load("lurewatch-model\t1\n(bias)\t0\nx 1\n", LW_EPARSE, 3);       /* no tab */
    load("lurewatch-model\t1\n(bias)\t0\nx\tone\n", LW_EPARSE, 3);    /* weight */
    load("lurewatch-model\t1\n(bias)\t0\nx\t1e9\n", LW_EPARSE, 3);    /* too large */
    load("lurewatch-model\t1\n(bias)\t0\nx\tnan\n", LW_EPARSE, 3);
    load("lurewatch-model\t1\n(bias)\t0\nx\t1\nx\t2\n", LW_EPARSE, 4); /* twice */
    /* Names the tokeniser would never make can never match. */
    load("lurewatch-model\t1\n(bias)\t0\nReport\t1\n", LW_EPARSE, 3);
    load("lurewatch-model\t1\n(bias)\t0\nfee 500\t1\n", LW_EPARSE, 3);
    load("lurewatch-model\t1\n(bias)\t0\na  b\t1\n", LW_EPARSE, 3);
    load("lurewatch-model\t1\n(bias)\t0\na b c\t1\n", LW_EPARSE, 3);
    load("lurewatch-model\t1\n(bias)\t0\npart-time\t1\n", LW_EPARSE, 3);
    load("lurewatch-model\t1\n(bias)\t0\n内部\t1\n", LW_EPARSE, 3);
    load("lurewatch-model\t1\n(bias)\t0\n\t1\n", LW_EPARSE, 3);
}

static void test_load_caps_features(void **state)
{
    /* One feature more than a model may hold: refused at that line. */
    size_t n = (1u << 20) + 1, i, len = 0;
    char *buf = malloc(n * 8 + 64);
    struct lw_model *m = NULL;
    struct lw_diag d;

    (void)state;
    assert_non_null(buf);
    len += (size_t)snprintf(buf, 64, "lurewatch-model\t1\n(bias)\t0\n");
    for (i = 0; i < n; i++) {
        size_t k = i;
        int j;
        for (j = 0; j < 5; j++, k /= 26)
            buf[len++] = (char)('a' + k % 26);
        memcpy(buf + len, "\t1\n", 3);
        len += 3;
    }
    lw_diag_clear(&d);
    assert_int_equal(lw_model_load_mem(buf, len, "big.tsv", &m, &d), LW_EPARSE);
    assert_null(m);
    assert_int_equal(d.line, n + 2);
    free(buf);
}

static void test_load_file_errors(void **state)
{
    struct lw_model *m = NULL;
    struct lw_diag d;

    (void)state;
    lw_diag_clear(&d);
    assert_int_equal(lw_model_load("/nonexistent/model.tsv", &m, &d), LW_EIO);
    assert_string_equal(d.source, "/nonexistent/model.tsv");
}

/* --- scoring ------------------------------------------------------------- */

static void test_score(void **state)
{
    struct lw_model *m = load(good, LW_OK, 0);
    struct lw_model_scratch *sc;
    struct lw_model_result r;
    const char *s = "a paid report, a paid report";

    (void)state;
    assert_int_equal(lw_model_scratch_new(&sc), LW_OK);
    /* Features read: 6 tokens and 5 pairs. Weights present, each once:
     * report 2, paid report 3. */
    lw_model_score(m, sc, s, strlen(s), &r);
    assert_int_equal(r.n, 11);
    assert_true(fabs(r.p - 1 / (1 + exp(-(-1.5 + 5.0 / sqrt(11.0))))) < 1e-9);
    /* Evidence: the heaviest first, overlapping spans left out. */
    assert_int_equal(r.n_evidence, 1);
    assert_int_equal(r.evidence[0].start, 2);
    assert_int_equal(r.evidence[0].end, 13); /* "paid report" */
    /* A negative weight pulls p down; text with no feature gets the bias. */
    lw_model_score(m, sc, "meeting", 7, &r);
    assert_true(r.p < 1 / (1 + exp(1.5)));
    assert_int_equal(r.n_evidence, 0);
    lw_model_score(m, sc, "", 0, &r);
    assert_true(fabs(r.p - 1 / (1 + exp(1.5))) < 1e-9);
    lw_model_free(m);
    /* Short ASCII words weigh, but are not shown as evidence. */
    m = load("lurewatch-model\t1\n(bias)\t0\nis\t5\npaid\t1\n", LW_OK, 0);
    lw_model_score(m, sc, "it is paid", 10, &r);
    assert_true(r.p > 1 / (1 + exp(-5.0 / sqrt(5.0))));
    assert_int_equal(r.n_evidence, 1);
    assert_int_equal(r.evidence[0].start, 6);
    lw_model_scratch_free(sc);
    lw_model_free(m);
}

/* --- training ------------------------------------------------------------ */

static const char *const approaches[] = {
    "our client pays well for a short report, can we talk on wechat",
    "a paid report for our client, let us move to wechat",
    "the client wants an internal report, we pay in cash, add me on wechat",
    "write a report for my client and we will pay, wechat is easier",
    "report on your ministry for our client, generous pay, wechat please",
    "client needs an insider report, pay is high, contact me on wechat",
};
static const char *const others[] = {
    "the meeting is moved to thursday, see the agenda attached",
    "minutes of the team meeting and the report on the budget are attached",
    "reminder: the quarterly report is due friday, meeting at ten",
    "thanks for the meeting today, the slides are on the shared drive",
    "can we move the meeting, the report review runs late",
    "lunch after the meeting? the canteen has soup today",
};

static char *train(const struct lw_train_opts *o, size_t *len)
{
    struct lw_trainer *t;
    struct lw_diag d;
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    size_t i;

    assert_non_null(f);
    assert_int_equal(lw_trainer_new(o, &t), LW_OK);
    for (i = 0; i < sizeof(approaches) / sizeof(*approaches); i++)
        assert_int_equal(lw_trainer_add(t, approaches[i], strlen(approaches[i]), true, 1), LW_OK);
    for (i = 0; i < sizeof(others) / sizeof(*others); i++)
        assert_int_equal(lw_trainer_add(t, others[i], strlen(others[i]), false, 1), LW_OK);
    lw_diag_clear(&d);
    assert_int_equal(lw_trainer_fit(t, "unit test\nsecond line", f, &d), LW_OK);
    fclose(f);
    lw_trainer_free(t);
    return buf;
}

static void test_train(void **state)
{
    struct lw_train_opts o;
    struct lw_model *m;
    struct lw_model_scratch *sc;
    struct lw_model_result r1, r2;
    const char *a = "a client will pay for one report, find me on wechat";
    const char *b = "the meeting notes are attached";
    char *out, *again;
    size_t len, len2;

    (void)state;
    lw_train_opts_default(&o);
    o.l2 = 0.01;
    out = train(&o, &len);
    assert_non_null(strstr(out, "# unit test\n# second line\n"));
    /* What it learnt reads back, and tells the two kinds of text apart. */
    m = load(out, LW_OK, 0);
    assert_true(lw_model_n_features(m) > 0);
    assert_int_equal(lw_model_scratch_new(&sc), LW_OK);
    lw_model_score(m, sc, a, strlen(a), &r1);
    lw_model_score(m, sc, b, strlen(b), &r2);
    assert_true(r1.p > 0.5);
    assert_true(r2.p < 0.5);
    assert_true(r1.n_evidence > 0);
    /* The same data always gives the same file. */
    again = train(&o, &len2);
    assert_int_equal(len, len2);
    assert_memory_equal(out, again, len);
    /* min_df: words in one message only are not learnt. */
    assert_null(strstr(out, "\nsoup\t"));
    assert_non_null(strstr(out, "\nwechat\t"));
    lw_model_scratch_free(sc);
    lw_model_free(m);
    free(out);
    free(again);
}

static void test_train_needs_both_kinds(void **state)
{
    struct lw_train_opts o;
    struct lw_trainer *t;
    struct lw_diag d;
    FILE *f = fopen("/dev/null", "w");

    (void)state;
    assert_non_null(f);
    lw_train_opts_default(&o);
    assert_int_equal(lw_trainer_new(&o, &t), LW_OK);
    assert_int_equal(lw_trainer_add(t, "paid report", 11, true, 1), LW_OK);
    lw_diag_clear(&d);
    assert_int_equal(lw_trainer_fit(t, NULL, f, &d), LW_EINVAL);
    assert_true(d.msg[0] != '\0');
    lw_trainer_free(t);
    fclose(f);
}

/* --- in the engine ---------------------------------------------------------- */

/* One engine for these tests (compiling the rules takes a while); each
 * test sets the model it wants before its workers are made. */
static struct lw_engine *engine;

static int engine_setup(void **state)
{
    char path[4096];
    const char *src = getenv("LW_SRC");
    struct lw_diag d;

    (void)state;
    lw_diag_clear(&d);
    snprintf(path, sizeof(path), "%s/rules", src ? src : ".");
    return lw_engine_new(path, NULL, &engine, &d) < 0 ? -1 : 0;
}

static int engine_teardown(void **state)
{
    (void)state;
    lw_engine_free(engine);
    return 0;
}

static struct lw_engine *engine_with(const char *model_text, struct lw_model **model)
{
    *model = model_text ? load(model_text, LW_OK, 0) : NULL;
    lw_engine_set_model(engine, *model);
    return engine;
}

static void screen_with(struct lw_engine *e, const char *text, struct lw_verdict *v)
{
    struct lw_worker *w;
    struct lw_msg *m = lw_msg_new();
    struct lw_diag d;

    assert_non_null(m);
    assert_int_equal(lw_msg_set_text(m, text, strlen(text), 1 << 20), LW_OK);
    m->id = "t";
    lw_diag_clear(&d);
    assert_int_equal(lw_worker_new(e, &w, &d), LW_OK);
    assert_int_equal(lw_worker_screen(w, m, v, &d), LW_OK);
    lw_worker_free(w);
    lw_msg_free(m);
}

/* A model that is sure of "geopolitical" and "analysis". */
static const char sure[] = "lurewatch-model\t1\n(bias)\t0\ngeopolitical\t40\nanalysis\t40\n";

static void test_model_strengthens_evidence(void **state)
{
    /* One kind of cue the rules know (a paid offer), worded plainly. */
    const char *text = "Would you write a geopolitical analysis for us? We pay $2,000 for it.";
    struct lw_engine *e;
    struct lw_model *m;
    struct lw_verdict without, with;

    (void)state;
    e = engine_with(NULL, &m);
    screen_with(e, text, &without);
    assert_false(without.model_used);

    e = engine_with(sure, &m);
    screen_with(e, text, &with);
    assert_true(with.model_used);
    assert_true(with.model_p > 0.99);
    assert_int_equal(with.model_points, 70);
    /* A sure judgement counts as two groups. */
    assert_int_equal(with.n_groups, without.n_groups + 2);
    assert_true(with.score > without.score);
    assert_true(with.level > without.level);
    /* Its evidence maps into the original text. */
    assert_true(with.n_model_evidence > 0);
    assert_true(with.model_evidence[0].end <= strlen(text));
    lw_engine_set_model(e, NULL);
    lw_model_free(m);
}

static void test_model_reads_short_text_and_cued_text(void **state)
{
    /* No rule finds anything here. A short text is read anyway (an
     * approach the rules cannot name is short); a long one is not, so
     * most mail costs the model nothing. */
    const char *text = "An analysis of the rainfall in three valleys.";
    char long_text[2048];
    struct lw_engine *e;
    struct lw_model *m;
    struct lw_verdict v;
    size_t n = 0;

    (void)state;
    e = engine_with(sure, &m);
    screen_with(e, text, &v);
    assert_int_equal(v.n_flags, 0);
    assert_true(v.model_used);
    assert_int_equal(v.model_points, 70);
    while (n + 64 < sizeof(long_text))
        n += (size_t)snprintf(long_text + n, sizeof(long_text) - n, "%s ", text);
    screen_with(e, long_text, &v);
    assert_int_equal(v.n_flags, 0);
    assert_false(v.model_used);
    assert_int_equal(v.level, LW_LEVEL_NONE);
    lw_engine_set_model(e, NULL);
    lw_model_free(m);
}

static void test_model_points_follow_direction(void **state)
{
    /* Direction applies to the model's points as to the rules': the same
     * cues told as a report score below an approach. */
    const char *report = "Police said the suspect, posing as a consultant, was paid $2,000 by "
                         "his handlers for a geopolitical analysis, according to the indictment.";
    const char *approach = "Would you write a geopolitical analysis for us? We pay $2,000 for it.";
    struct lw_engine *e;
    struct lw_model *m;
    struct lw_verdict r, a;

    (void)state;
    e = engine_with(sure, &m);
    screen_with(e, report, &r);
    screen_with(e, approach, &a);
    assert_int_equal(r.model_points, 70);
    assert_string_equal(r.reading, "reads as a report about others");
    assert_true(r.score < a.score);
    lw_engine_set_model(e, NULL);
    lw_model_free(m);
}

/* The model's doubt counts against the cues with the slope its confidence
 * counts for them; a judgement near even adds nothing either way. */
static void test_model_doubt_weighs_against_cues(void **state)
{
    const char *text = "We are searching for think tank experts for our client. It is a part-time "
                       "job which won't take much of your time, and the fees are generous.";
    static const char doubtful[] = "lurewatch-model\t1\n(bias)\t-6\n";
    static const char even[] = "lurewatch-model\t1\n(bias)\t0\n";
    struct lw_engine *e;
    struct lw_model *m;
    struct lw_verdict without, with, at_even;

    (void)state;
    e = engine_with(NULL, &m);
    screen_with(e, text, &without);
    assert_true(without.level >= LW_LEVEL_MEDIUM);

    e = engine_with(doubtful, &m);
    screen_with(e, text, &with);
    lw_engine_set_model(e, NULL);
    lw_model_free(m);
    assert_true(with.model_p < 0.01);
    assert_int_equal(with.model_points, -70);
    assert_true(with.level < LW_LEVEL_MEDIUM);
    assert_true(with.score >= 0 && with.score < without.score);
    assert_int_equal(with.n_model_evidence, 0); /* doubt quotes nothing */

    e = engine_with(even, &m);
    screen_with(e, text, &at_even);
    lw_engine_set_model(e, NULL);
    lw_model_free(m);
    assert_int_equal(at_even.model_points, 0);
    assert_int_equal(at_even.score, without.score);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_features),
        cmocka_unit_test(test_features_read_a_bounded_prefix),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_load_caps_features),
        cmocka_unit_test(test_load_file_errors),
        cmocka_unit_test(test_score),
        cmocka_unit_test(test_train),
        cmocka_unit_test(test_train_needs_both_kinds),
        cmocka_unit_test(test_model_strengthens_evidence),
        cmocka_unit_test(test_model_doubt_weighs_against_cues),
        cmocka_unit_test(test_model_reads_short_text_and_cued_text),
        cmocka_unit_test(test_model_points_follow_direction),
    };
    struct lw_diag d;

    lw_diag_clear(&d);
    if (lw_norm_global_init(&d) < 0)
        return 1;
    return cmocka_run_group_tests(tests, engine_setup, engine_teardown);
}
