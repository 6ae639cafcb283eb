/* test_verdict.c -- the verdict's JSON, read back with jansson: every member
 * in its place and order, strings escaped, evidence quoted from the text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "detect/verdict.h"

/* Two tactics, one without advice, so the advice list shows which are kept. */
static const char rules[] = "tactic R1\n"
                            "  name      Asks for \"internal\" documents\n"
                            "  name.zh   索取内部文件\n"
                            "  stage     elicit\n"
                            "  weight    30\n"
                            "  advice    Do not send them.\n"
                            "tactic E3\n"
                            "  name      Moves to a private channel\n"
                            "  stage     recruit-others\n"
                            "  weight    10\n";

static const char text[] = "Send the \"internal\" documents\\ to 微信 now\0 please";

/* The keys of obj, in order, are exactly keys[0..n). */
static void assert_keys(json_t *obj, const char *const *keys, size_t n)
{
    const char *key;
    json_t *val;
    size_t k = 0;

    assert_true(json_is_object(obj));
    json_object_foreach(obj, key, val)
    {
        assert_true(k < n);
        assert_string_equal(key, keys[k++]);
    }
    assert_int_equal(k, n);
}

#define SET(field, s) snprintf(field, sizeof(field), "%s", s)

static void fill(struct lw_verdict *v, const struct lw_ruleset *rs)
{
    struct lw_verdict_indicator *in;

    memset(v, 0, sizeof(*v));
    v->level = LW_LEVEL_HIGH;
    v->score = 87;
    v->stage = LW_STAGE_ELICIT;
    v->n_flags = 2;
    v->flags[0].tactic = (unsigned)lw_ruleset_find(rs, "R1");
    v->flags[0].weight = 30;
    v->flags[0].n_evidence = 3;
    v->flags[0].evidence[0] = (struct lw_span){9, 19};  /* "internal" */
    v->flags[0].evidence[1] = (struct lw_span){41, 52}; /* holds the NUL */
    v->flags[0].evidence[2] = (struct lw_span){40, 99}; /* past the end */
    v->flags[1].tactic = (unsigned)lw_ruleset_find(rs, "E3");
    v->flags[1].weight = -2;
    v->flags[1].n_evidence = 1;
    v->flags[1].evidence[0] = (struct lw_span){34, 36}; /* splits 微 */
    v->n_indicators = 2;
    in = &v->indicators[0];
    SET(in->type, "persona");
    SET(in->value, "Robin \"R\" 张");
    SET(in->field, "text");
    SET(in->strength, "strong");
    SET(in->source, "MI5\\NPSA");
    SET(in->date, "2023-10-17");
    SET(in->why, "same name\t(exact)");
    in->points = 30;
    in->span = (struct lw_span){4, 8};
    in = &v->indicators[1];
    SET(in->type, "org");
    SET(in->value, "cut \xe4\xb8"); /* ends inside a character */
    SET(in->field, "from.name");
    SET(in->strength, "weak");
    in->points = 4;
    v->reading = "addressed to the reader";
    v->thread_messages = 2;
    v->thread_level = LW_LEVEL_HIGH;
    SET(v->thread_codes, "A1 E3");
    v->defects = LW_DEFECT_NO_TEXT | LW_DEFECT_BAD_UTF8;
}

static void test_json_flagged_verdict(void **state)
{
    static const char *const top[] = {"id",         "level",  "score",   "stage",        "flags",
                                      "indicators", "advice", "reading", "conversation", "defects"};
    static const char *const flag[] = {"code", "name", "stage", "weight", "evidence"};
    static const char *const ev[] = {"start", "end", "text"};
    static const char *const ind_text[] = {"type", "value", "field",  "strength", "source",
                                           "date", "why",   "points", "start",    "end"};
    /* The cut value is left out, as the jansson tree it replaced did. */
    static const char *const ind_name[] = {"type", "field", "strength", "source",
                                           "date", "why",   "points"};
    static const char *const conv[] = {"earlier_messages", "earlier_codes", "level"};
    struct lw_ruleset *rs = NULL;
    struct lw_msg *m = lw_msg_new();
    struct lw_verdict v;
    struct lw_buf b = LW_BUF_INIT(1 << 20);
    struct lw_diag d;
    json_error_t err;
    json_t *j, *f, *e, *a;

    (void)state;
    assert_non_null(m);
    assert_int_equal(lw_ruleset_load_mem(rules, sizeof(rules) - 1, "t.rules", false, &rs, &d),
                     LW_OK);
    assert_int_equal(lw_msg_set_text(m, text, sizeof(text) - 1, 1 << 20), LW_OK);
    m->id = "q\"1\\\n中";
    fill(&v, rs);
    assert_int_equal(lw_buf_append(&b, "[", 1), LW_OK);
    assert_int_equal(lw_verdict_json(&v, m, rs, LW_LANG_EN, &b), LW_OK);
    /* Compact, integers as jansson prints them, appended after what was there. */
    assert_non_null(strstr(lw_buf_str(&b), "[{\"id\":\"q\\\"1\\\\\\n中\",\"level\":\"high\","
                                           "\"score\":87,\"stage\":\"elicit\",\"flags\":[{"));
    assert_non_null(strstr(lw_buf_str(&b), "\"weight\":-2,"));

    j = json_loads(lw_buf_str(&b) + 1, JSON_PRESERVE_ORDER | JSON_ALLOW_NUL, &err);
    assert_non_null(j);
    assert_keys(j, top, LW_ARRAY_LEN(top));
    assert_string_equal(json_string_value(json_object_get(j, "id")), m->id);

    a = json_object_get(j, "flags");
    assert_int_equal(json_array_size(a), 2);
    f = json_array_get(a, 0);
    assert_keys(f, flag, LW_ARRAY_LEN(flag));
    assert_string_equal(json_string_value(json_object_get(f, "name")),
                        "Asks for \"internal\" documents");
    assert_int_equal(json_array_size(json_object_get(f, "evidence")), 3);
    e = json_array_get(json_object_get(f, "evidence"), 0);
    assert_keys(e, ev, LW_ARRAY_LEN(ev));
    assert_int_equal(json_integer_value(json_object_get(e, "start")), 9);
    assert_int_equal(json_integer_value(json_object_get(e, "end")), 19);
    assert_string_equal(json_string_value(json_object_get(e, "text")), "\"internal\"");
    e = json_array_get(json_object_get(f, "evidence"), 1);
    assert_int_equal(json_string_length(json_object_get(e, "text")), 11);
    assert_memory_equal(json_string_value(json_object_get(e, "text")), text + 41, 11);
    e = json_array_get(json_object_get(f, "evidence"), 2);
    assert_string_equal(json_string_value(json_object_get(e, "text")), "");
    f = json_array_get(a, 1);
    assert_keys(f, flag, LW_ARRAY_LEN(flag));
    assert_int_equal(json_integer_value(json_object_get(f, "weight")), -2);
    e = json_array_get(json_object_get(f, "evidence"), 0);
    assert_string_equal(json_string_value(json_object_get(e, "text")), "");

    a = json_object_get(j, "indicators");
    assert_int_equal(json_array_size(a), 2);
    assert_keys(json_array_get(a, 0), ind_text, LW_ARRAY_LEN(ind_text));
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "value")),
                        "Robin \"R\" 张");
    assert_string_equal(json_string_value(json_object_get(json_array_get(a, 0), "why")),
                        "same name\t(exact)");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "points")), 30);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "start")), 4);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(a, 0), "end")), 8);
    assert_keys(json_array_get(a, 1), ind_name, LW_ARRAY_LEN(ind_name));

    /* The level's advice, then R1's; E3 has none. */
    a = json_object_get(j, "advice");
    assert_int_equal(json_array_size(a), 2);
    assert_string_equal(json_string_value(json_array_get(a, 1)), "Do not send them.");
    assert_string_equal(json_string_value(json_object_get(j, "reading")),
                        "addressed to the reader");
    assert_keys(json_object_get(j, "conversation"), conv, LW_ARRAY_LEN(conv));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(j, "conversation"), "earlier_codes")),
        "A1 E3");
    a = json_object_get(j, "defects");
    assert_int_equal(json_array_size(a), 2);
    assert_string_equal(json_string_value(json_array_get(a, 0)), "invalid-utf8");
    assert_string_equal(json_string_value(json_array_get(a, 1)), "no-text");
    json_decref(j);

    /* Chinese names where the rules have them. */
    lw_buf_reset(&b);
    assert_int_equal(lw_verdict_json(&v, m, rs, LW_LANG_ZH, &b), LW_OK);
    assert_non_null(strstr(lw_buf_str(&b), "\"name\":\"索取内部文件\""));
    lw_buf_release(&b);
    lw_ruleset_free(rs);
    lw_msg_free(m);
}

/* No stage and no reading are null; an invalid id is left out, and "level"
 * then opens the object. */
static void test_json_nulls_and_invalid_id(void **state)
{
    static const char start[] = "{\"level\":\"none\",\"score\":0,\"stage\":null,\"flags\":[],";
    struct lw_ruleset *rs = NULL;
    struct lw_msg *m = lw_msg_new();
    struct lw_verdict v;
    struct lw_buf b = LW_BUF_INIT(1 << 20);
    struct lw_diag d;

    (void)state;
    assert_non_null(m);
    assert_int_equal(lw_ruleset_load_mem(rules, sizeof(rules) - 1, "t.rules", false, &rs, &d),
                     LW_OK);
    memset(&v, 0, sizeof(v));
    m->id = "bad\xff";
    assert_int_equal(lw_verdict_json(&v, m, rs, LW_LANG_EN, &b), LW_OK);
    assert_memory_equal(lw_buf_str(&b), start, strlen(start));
    assert_non_null(strstr(lw_buf_str(&b), "\"],\"reading\":null}"));
    lw_buf_release(&b);
    lw_ruleset_free(rs);
    lw_msg_free(m);
}

/* A verdict that does not fit leaves the buffer as it was. */
static void test_json_error_leaves_buffer(void **state)
{
    struct lw_ruleset *rs = NULL;
    struct lw_msg *m = lw_msg_new();
    struct lw_verdict v;
    struct lw_buf b = LW_BUF_INIT(200);
    struct lw_diag d;

    (void)state;
    assert_non_null(m);
    assert_int_equal(lw_ruleset_load_mem(rules, sizeof(rules) - 1, "t.rules", false, &rs, &d),
                     LW_OK);
    assert_int_equal(lw_msg_set_text(m, text, sizeof(text) - 1, 1 << 20), LW_OK);
    m->id = "m";
    fill(&v, rs);
    assert_int_equal(lw_buf_append(&b, "kept", 4), LW_OK);
    assert_int_equal(lw_verdict_json(&v, m, rs, LW_LANG_EN, &b), LW_ELIMIT);
    assert_int_equal(lw_buf_len(&b), 4);
    assert_string_equal(lw_buf_str(&b), "kept");
    lw_buf_release(&b);
    lw_ruleset_free(rs);
    lw_msg_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_flagged_verdict),
        cmocka_unit_test(test_json_nulls_and_invalid_id),
        cmocka_unit_test(test_json_error_leaves_buffer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
