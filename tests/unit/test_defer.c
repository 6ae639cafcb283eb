/* test_defer.c -- deferred e-mail parsing (lw_reader_defer_parsing and
 * lw_msg_complete) gives the same message as parsing in the reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"

static const char *data(const char *name)
{
    static char path[4096];
    const char *src = getenv("LW_SRC");

    snprintf(path, sizeof(path), "%s/tests/data/ingest/%s", src ? src : ".", name);
    return path;
}

static int read_all(const char *path, bool defer, struct lw_msg **msgs, int max)
{
    struct lw_limits lim;
    struct lw_reader *r = NULL;
    struct lw_diag d;
    int n = 0, rc;

    lw_limits_default(&lim);
    assert_int_equal(lw_reader_open(path, LW_FORMAT_AUTO, &lim, &r, &d), LW_OK);
    if (defer)
        lw_reader_defer_parsing(r);
    while (n < max && (rc = lw_reader_next(r, &msgs[n], &d)) == 1) {
        if (defer) {
            assert_non_null(msgs[n]->raw);
            assert_int_equal(lw_msg_complete(msgs[n], &lim, &d), LW_OK);
            assert_null(msgs[n]->raw);
        }
        n++;
    }
    lw_reader_free(r);
    return n;
}

static void same_messages(const char *path)
{
    struct lw_msg *a[64], *b[64];
    int na = read_all(path, false, a, 64), nb = read_all(path, true, b, 64), i;

    assert_true(na > 0);
    assert_int_equal(na, nb);
    for (i = 0; i < na; i++) {
        assert_string_equal(a[i]->id, b[i]->id);
        assert_int_equal(a[i]->text_len, b[i]->text_len);
        assert_memory_equal(a[i]->text, b[i]->text, a[i]->text_len);
        assert_int_equal(a[i]->text_is_html, b[i]->text_is_html);
        assert_int_equal(a[i]->defects, b[i]->defects);
        if (a[i]->subject)
            assert_string_equal(a[i]->subject, b[i]->subject);
        if (a[i]->from.address)
            assert_string_equal(a[i]->from.address, b[i]->from.address);
        lw_msg_free(a[i]);
        lw_msg_free(b[i]);
    }
}

static void test_eml(void **state)
{
    (void)state;
    same_messages(data("qp.eml"));
    same_messages(data("base64.eml"));
    same_messages(data("html-only.eml"));
    same_messages(data("truncated.eml"));
    same_messages(data("bad-utf8.eml"));
    /* The light path (single parts): RFC 2047 in several charsets, folded
     * headers, QP with an unconvertible byte, windows-1252 8bit, a bad date. */
    same_messages(data("gb2312-qp.eml"));
    same_messages(data("cp1252-8bit.eml"));
}

static void test_maildir(void **state)
{
    (void)state;
    same_messages(data("maildir"));
}

static void test_not_mail(void **state)
{
    struct lw_msg *m = lw_msg_new();
    struct lw_limits lim;
    struct lw_diag d;

    (void)state;
    lw_limits_default(&lim);
    m->source = "x.eml";
    m->raw = "";
    m->raw_len = 0;
    lw_diag_clear(&d);
    assert_int_equal(lw_msg_complete(m, &lim, &d), LW_EPARSE);
    assert_non_null(strstr(d.source, "x.eml"));
    lw_msg_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eml),
        cmocka_unit_test(test_maildir),
        cmocka_unit_test(test_not_mail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
