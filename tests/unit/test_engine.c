/* test_engine.c -- scoring, direction, conversations and evidence offsets,
 * against the shipped rule packs (rules/). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/engine.h"

static struct lw_engine *engine;
static struct lw_worker *worker;

static int setup(void **state)
{
    char path[4096];
    const char *src = getenv("LW_SRC");
    struct lw_diag d;

    (void)state;
    lw_diag_clear(&d);
    snprintf(path, sizeof(path), "%s/rules", src ? src : ".");
    if (lw_engine_new(path, NULL, &engine, &d) < 0) {
        fprintf(stderr, "engine: %s\n", d.msg);
        return -1;
    }
    return lw_worker_new(engine, &worker, &d) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    lw_worker_free(worker);
    lw_engine_free(engine);
    return 0;
}

static struct lw_msg *msg(const char *text, const char *thread)
{
    struct lw_msg *m = lw_msg_new();

    assert_non_null(m);
    assert_int_equal(lw_msg_set_text(m, text, strlen(text), 1 << 20), LW_OK);
    m->id = "t";
    m->thread = thread;
    return m;
}

static void screen(const char *text, struct lw_verdict *v)
{
    struct lw_msg *m = msg(text, NULL);
    struct lw_diag d;

    lw_diag_clear(&d);
    assert_int_equal(lw_worker_screen(worker, m, v, &d), LW_OK);
    lw_msg_free(m);
}

static bool has_flag(const struct lw_verdict *v, const char *code)
{
    unsigned i;

    for (i = 0; i < v->n_flags; i++)
        if (!strcmp(lw_ruleset_tactic(lw_engine_rules(engine), v->flags[i].tactic)->code, code))
            return true;
    return false;
}

static void test_paid_offer_is_medium(void **state)
{
    struct lw_verdict v;

    (void)state;
    screen("Hello Chris, I was impressed by your work. We are looking for experts for a client in "
           "Asia who prefers to remain anonymous. It is a part-time role which won't take much of "
           "your time and pays $1,000 per short report. Could we continue on WhatsApp?",
           &v);
    assert_true(v.level >= LW_LEVEL_MEDIUM);
    assert_true(has_flag(&v, "A2"));
    assert_true(has_flag(&v, "A3"));
    assert_true(has_flag(&v, "E1"));
    assert_int_equal(v.stage, LW_STAGE_CULTIVATE);
}

static void test_request_is_high(void **state)
{
    struct lw_verdict v;

    (void)state;
    screen("The client would pay you in cash for insider information on your ministry's plans "
           "before it is made public. Could you also send the names and contact details of your "
           "colleagues in the department?",
           &v);
    assert_int_equal(v.level, LW_LEVEL_HIGH);
    assert_true(has_flag(&v, "R1"));
    assert_true(has_flag(&v, "R2"));
}

static void test_single_cue_is_not_medium(void **state)
{
    struct lw_verdict v;

    (void)state;
    /* Honest look-alikes: one kind of cue each. */
    screen("Would you have time for a quick call next week about the Senior Engineer role? The "
           "salary range and the job description are attached.",
           &v);
    assert_true(v.level < LW_LEVEL_MEDIUM);
    screen("We invite you to speak at our conference in Lyon; travel and accommodation are "
           "covered for speakers.",
           &v);
    assert_true(v.level < LW_LEVEL_MEDIUM);
}

static void test_reporting_is_discounted(void **state)
{
    struct lw_verdict v, direct;

    (void)state;
    screen("Prosecutors said he was offered paid consulting for geopolitical reports, then asked "
           "for internal documents and the names of his colleagues, according to the court.",
           &v);
    assert_true(v.level < LW_LEVEL_MEDIUM);
    assert_true(v.report >= 2);
    /* The same tactics addressed to the reader. */
    screen("We offer you paid consulting for geopolitical reports. Please send internal documents "
           "and the names of your colleagues.",
           &direct);
    assert_true(direct.level >= LW_LEVEL_MEDIUM);
    assert_true(direct.score > v.score);
}

static void test_chinese_approach(void **state)
{
    struct lw_verdict v;

    (void)state;
    screen("您好，我们的客户身份不便透露，希望邀请您做有偿咨询，报酬丰厚。能否提供一些单位内部资料"
           "？方便加微信详聊。",
           &v);
    assert_true(v.level >= LW_LEVEL_MEDIUM);
    assert_true(has_flag(&v, "R1"));
    assert_true(has_flag(&v, "E1"));
}

static void test_evidence_maps_to_original(void **state)
{
    /* Upper case, a zero-width space and a typographic apostrophe: the
     * evidence must still quote the original bytes. */
    const char *text = "Note: It WON\xE2\x80\x99T take much of your\xE2\x80\x8B time.";
    struct lw_msg *m = msg(text, NULL);
    struct lw_verdict v;
    struct lw_diag d;
    unsigned i;
    bool found = false;

    (void)state;
    lw_diag_clear(&d);
    assert_int_equal(lw_worker_screen(worker, m, &v, &d), LW_OK);
    for (i = 0; i < v.n_flags; i++) {
        const struct lw_flag *f = &v.flags[i];
        if (strcmp(lw_ruleset_tactic(lw_engine_rules(engine), f->tactic)->code, "A2"))
            continue;
        assert_true(f->n_evidence >= 1);
        assert_true(f->evidence[0].end <= strlen(text));
        assert_memory_equal(text + f->evidence[0].start, "WON\xE2\x80\x99T", 6);
        assert_memory_equal(text + f->evidence[0].end - 4, "time", 4);
        found = true;
    }
    assert_true(found);
    lw_msg_free(m);
}

static void test_conversation_context(void **state)
{
    struct lw_thread_ctx *t = NULL;
    struct lw_msg *a = msg("We are searching for think tank experts. It is a part-time job which "
                           "won't take much of your time, and the client pays generous fees.",
                           "c1");
    struct lw_msg *b =
        msg("Our company, founded in 2004, is a national high-tech enterprise.", "c1");
    struct lw_msg *alone =
        msg("Our company, founded in 2004, is a national high-tech enterprise.", NULL);
    struct lw_verdict va, vb, valone;
    struct lw_diag d;

    (void)state;
    lw_diag_clear(&d);
    assert_int_equal(lw_thread_ctx_new(engine, &t), LW_OK);
    assert_int_equal(lw_worker_screen(worker, alone, &valone, &d), LW_OK);
    assert_true(valone.level < LW_LEVEL_MEDIUM); /* alone, a company pitch is weak */
    assert_int_equal(lw_worker_screen(worker, a, &va, &d), LW_OK);
    assert_int_equal(lw_thread_ctx_apply(t, a, &va), LW_OK);
    assert_int_equal(lw_worker_screen(worker, b, &vb, &d), LW_OK);
    assert_true(vb.level < LW_LEVEL_MEDIUM);
    assert_int_equal(lw_thread_ctx_apply(t, b, &vb), LW_OK);
    assert_true(vb.level >= LW_LEVEL_MEDIUM); /* in its conversation, part of the approach */
    assert_int_equal(vb.thread_messages, 1);
    assert_non_null(strstr(vb.thread_codes, "A2"));
    lw_thread_ctx_free(t);
    lw_msg_free(a);
    lw_msg_free(b);
    lw_msg_free(alone);
}

/* Screens texts[0..n) in one conversation; implied marks the thread as
 * implied by a report's excerpts; the verdicts go to v. */
static void screen_thread(const char *const *texts, size_t n, bool implied, struct lw_verdict *v)
{
    struct lw_thread_ctx *t = NULL;
    struct lw_diag d;
    size_t i;

    lw_diag_clear(&d);
    assert_int_equal(lw_thread_ctx_new(engine, &t), LW_OK);
    for (i = 0; i < n; i++) {
        struct lw_msg *m = msg(texts[i], "c1");
        m->thread_implied = implied;
        assert_int_equal(lw_worker_screen(worker, m, &v[i], &d), LW_OK);
        assert_int_equal(lw_thread_ctx_apply(t, m, &v[i]), LW_OK);
        lw_msg_free(m);
    }
    lw_thread_ctx_free(t);
}

/* Three weak messages make an approach in a given thread (its trajectory);
 * in a thread implied by a report's excerpts they do not, since no message
 * of it is an approach alone. After one that is, they do. */
static void test_implied_thread(void **state)
{
    static const char *const weak[] = {
        "The client pays generous fees for short reports on policy.",
        "Glad to friend you. I am impressed by your work.",
        "It is easier to talk on WeChat.",
    };
    static const char *const opened[] = {
        "We are searching for think tank experts. It is a part-time job which won't take much "
        "of your time, and the client pays generous fees.",
        "Our company, founded in 2004, is a national high-tech enterprise.",
    };
    struct lw_verdict v[3];

    (void)state;
    screen_thread(weak, 3, false, v);
    assert_true(v[0].level < LW_LEVEL_MEDIUM);
    assert_true(v[2].level >= LW_LEVEL_MEDIUM);
    screen_thread(weak, 3, true, v);
    assert_true(v[2].level < LW_LEVEL_MEDIUM);
    assert_int_equal(v[2].thread_level, LW_LEVEL_MEDIUM); /* still reported */
    screen_thread(opened, 2, true, v);
    assert_true(v[0].level >= LW_LEVEL_MEDIUM);
    assert_true(v[1].level >= LW_LEVEL_MEDIUM);
}

/* The reader's own reply repeats the approach's words: it stays at low at
 * most, reads "written by you", and adds nothing to the conversation. */
static void test_outgoing(void **state)
{
    struct lw_thread_ctx *t = NULL;
    struct lw_msg *m[3] = {
        msg("Glad to friend you. I am impressed by your work.", "c1"),
        msg("Thanks! We are searching for think tank experts? A part-time job which won't take "
            "much of your time, and generous fees? Shall we talk on WeChat?",
            "c1"),
        msg("It is easier to talk on WeChat.", "c1"),
    };
    struct lw_verdict v[3], alone;
    struct lw_diag d;
    size_t i;

    (void)state;
    lw_diag_clear(&d);
    assert_int_equal(lw_worker_screen(worker, m[1], &alone, &d), LW_OK);
    assert_true(alone.level >= LW_LEVEL_MEDIUM); /* read as incoming, it is an approach */
    m[1]->outgoing = true;
    assert_int_equal(lw_thread_ctx_new(engine, &t), LW_OK);
    for (i = 0; i < 3; i++) {
        assert_int_equal(lw_worker_screen(worker, m[i], &v[i], &d), LW_OK);
        assert_int_equal(lw_thread_ctx_apply(t, m[i], &v[i]), LW_OK);
    }
    assert_int_equal(v[1].level, LW_LEVEL_LOW);
    assert_string_equal(v[1].reading, "written by you");
    assert_int_equal(v[2].thread_messages, 2);
    assert_null(strstr(v[2].thread_codes, "A1")); /* the reply's words are not folded in */
    assert_true(v[2].level < LW_LEVEL_MEDIUM);
    lw_thread_ctx_free(t);
    for (i = 0; i < 3; i++)
        lw_msg_free(m[i]);
}

/* A prohibition voids the request it governs, in the same clause and
 * close before it; one in another clause, or after it, does not. */
static void test_negated_request(void **state)
{
    static const struct {
        const char *text;
        bool request;
    } cases[] = {
        {"Please send me the non-public figures for next year.", true},
        {"You must not share confidential or material non-public information.", false},
        {"Experts will never be asked for internal documents.", false},
        {"Don't worry, just send the non-public figures.", true},
        {"Do not hesitate to call me on my mobile number at any time of the day. Also, send "
         "the non-public figures.",
         true},
        {"请勿向任何人提供内部资料。", false},
        {"不要担心。请提供内部资料。", true},
        {"Sie dürfen keine internen Dokumente weitergeben.", false},
        {"Bitte schicken Sie mir interne Dokumente.", true},
    };
    struct lw_verdict v;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        screen(cases[i].text, &v);
        if (has_flag(&v, "R1") != cases[i].request)
            fail_msg("'%s': R1 %s", cases[i].text, cases[i].request ? "missing" : "not voided");
    }
}

static void test_json_verdict(void **state)
{
    struct lw_msg *m =
        msg("Please send me internal documents and your colleagues' contacts.", NULL);
    struct lw_verdict v;
    struct lw_buf b = LW_BUF_INIT(1 << 20);
    struct lw_diag d;

    (void)state;
    lw_diag_clear(&d);
    m->id = "m-1";
    assert_int_equal(lw_worker_screen(worker, m, &v, &d), LW_OK);
    assert_int_equal(lw_verdict_json(&v, m, lw_engine_rules(engine), LW_LANG_EN, &b), LW_OK);
    assert_non_null(strstr(lw_buf_str(&b), "\"id\":\"m-1\""));
    assert_non_null(strstr(lw_buf_str(&b), "\"code\":\"R1\""));
    assert_non_null(strstr(lw_buf_str(&b), "\"text\":\"internal documents\""));
    lw_buf_release(&b);
    lw_msg_free(m);
}

/* A message with nothing to show takes the short path; its JSON is what
 * the full encoder writes: the same keys in the same order, the id escaped,
 * the defects last. */
static void test_json_clean_verdict(void **state)
{
    struct lw_msg *m = msg("Lunch on Thursday? The usual place at noon.", NULL);
    struct lw_verdict v;
    struct lw_buf b = LW_BUF_INIT(1 << 20);
    struct lw_diag d;
    json_error_t err;
    json_t *j;
    const char *key;
    json_t *val;
    static const char *const keys[] = {"id",    "level",      "score",  "stage",
                                       "flags", "indicators", "advice", "reading"};
    size_t k = 0;

    (void)state;
    lw_diag_clear(&d);
    m->id = "q\"uote\\ 中文\t";
    assert_int_equal(lw_worker_screen(worker, m, &v, &d), LW_OK);
    assert_int_equal(v.n_flags, 0);
    assert_int_equal(lw_verdict_json(&v, m, lw_engine_rules(engine), LW_LANG_EN, &b), LW_OK);
    j = json_loads(lw_buf_str(&b), JSON_PRESERVE_ORDER, &err);
    assert_non_null(j);
    json_object_foreach(j, key, val)
    {
        assert_true(k < LW_ARRAY_LEN(keys));
        assert_string_equal(key, keys[k++]);
    }
    assert_int_equal(k, LW_ARRAY_LEN(keys));
    assert_string_equal(json_string_value(json_object_get(j, "id")), m->id);
    assert_string_equal(json_string_value(json_object_get(j, "level")), "none");
    assert_int_equal(json_array_size(json_object_get(j, "advice")), 1);
    json_decref(j);

    /* With defects, listed in the order the full encoder lists them. */
    lw_buf_reset(&b);
    v.defects = LW_DEFECT_BAD_HEADER | LW_DEFECT_BAD_UTF8;
    assert_int_equal(lw_verdict_json(&v, m, lw_engine_rules(engine), LW_LANG_ZH, &b), LW_OK);
    assert_non_null(strstr(lw_buf_str(&b), ",\"defects\":[\"invalid-utf8\",\"bad-header\"]}"));
    assert_non_null(strstr(lw_buf_str(&b), "未发现"));
    lw_buf_release(&b);
    lw_msg_free(m);
}

/* Signals are counted only where there is evidence to weigh. */
static void test_signals_only_with_evidence(void **state)
{
    struct lw_verdict v;

    (void)state;
    screen("Thank you for your note. I will send you the minutes of our meeting tomorrow.", &v);
    assert_int_equal(v.n_flags, 0);
    assert_int_equal(v.you, 0);
    assert_null(v.reading);
    screen("We are looking for experts like you for paid part-time consulting on policy "
           "reports; the fee is generous.",
           &v);
    assert_true(v.n_flags > 0);
    assert_true(v.you > 0);
    assert_string_equal(v.reading, "addressed to the reader");
}

/* An approach that speaks of its client as "they" is still addressed to the
 * reader: pronouns alone do not make a report. */
static void test_pronouns_alone_are_not_a_report(void **state)
{
    struct lw_verdict v;

    (void)state;
    screen("Good job on the trial report, they liked it. For the next one they want the internal "
           "slides from their meeting, before it is made public. They will pay you double.",
           &v);
    assert_true(v.they >= 3);
    assert_int_equal(v.report, 0);
    assert_string_equal(v.reading, "addressed to the reader");
    assert_true(v.level >= LW_LEVEL_MEDIUM);
}

/* Awareness material reads as a warning: two warning cues, or one in a text
 * that does not address the reader. */
static void test_warnings_are_discounted(void **state)
{
    struct lw_verdict v;

    (void)state;
    screen("Security awareness: be alert to unsolicited offers of paid consulting, pay that seems "
           "too good to be true and requests to move the conversation to WhatsApp. If you receive "
           "such an approach, report it to your security team.",
           &v);
    assert_true(v.warn >= 2);
    assert_string_equal(v.reading, "reads as a warning about approaches");
    assert_true(v.level < LW_LEVEL_MEDIUM);
    /* However many tactics a warning lists, it stays below medium. */
    screen("Red flags: paid consulting for geopolitical reports, $1,000 per report, an unnamed "
           "client, a push to WhatsApp, all-expenses-paid trips, requests for internal documents "
           "and for the names and contact details of your colleagues. If you receive such an "
           "approach, report it to your security team.",
           &v);
    assert_string_equal(v.reading, "reads as a warning about approaches");
    assert_true(v.n_flags >= 5);
    assert_true(v.level <= LW_LEVEL_LOW);
    screen("保密教育培训通知：警惕境外人员通过高薪兼职、专家咨询等方式套取内部资料。", &v);
    assert_string_equal(v.reading, "reads as a warning about approaches");
    assert_true(v.level < LW_LEVEL_MEDIUM);
}

/* A request asked of the reader in return for pay weighs more than its
 * cues: the same request without the pay scores lower by the bonus and
 * more. */
static void test_paid_request(void **state)
{
    struct lw_verdict paid, unpaid;

    (void)state;
    screen("Can you take some photos of the ships at the naval base? We pay $200 per set.", &paid);
    screen("Can you take some photos of the ships at the naval base?", &unpaid);
    assert_true(has_flag(&paid, "R3"));
    assert_true(has_flag(&unpaid, "R3"));
    assert_true(paid.level >= LW_LEVEL_MEDIUM);
    assert_true(unpaid.level < LW_LEVEL_MEDIUM);
    assert_true(paid.score >= unpaid.score + 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paid_offer_is_medium),
        cmocka_unit_test(test_request_is_high),
        cmocka_unit_test(test_single_cue_is_not_medium),
        cmocka_unit_test(test_reporting_is_discounted),
        cmocka_unit_test(test_chinese_approach),
        cmocka_unit_test(test_evidence_maps_to_original),
        cmocka_unit_test(test_conversation_context),
        cmocka_unit_test(test_implied_thread),
        cmocka_unit_test(test_negated_request),
        cmocka_unit_test(test_outgoing),
        cmocka_unit_test(test_json_verdict),
        cmocka_unit_test(test_json_clean_verdict),
        cmocka_unit_test(test_signals_only_with_evidence),
        cmocka_unit_test(test_pronouns_alone_are_not_a_report),
        cmocka_unit_test(test_warnings_are_discounted),
        cmocka_unit_test(test_paid_request),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
