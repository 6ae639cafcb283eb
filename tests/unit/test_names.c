/* test_names.c -- unit tests for name matching (src/text/names.h): surname
 * romanisations (Qiu/Chiu/Khoo/邱, Shen/Shum/Sim/沈, Wong/Wang), hanzi names,
 * order, diacritics, look-alike letters, edit budgets, organisation legal
 * forms, domains and handles, index keys, table loading errors, and
 * concurrent use of one struct lw_names. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "text/names.h"

static struct lw_names *nm;

static int setup(void **state)
{
    struct lw_diag d;

    (void)state;
    lw_diag_clear(&d);
    if (lw_names_load(NULL, &nm, &d) != LW_OK) {
        fprintf(stderr, "load: %s\n", d.msg);
        return -1;
    }
    return d.msg[0] ? -1 : 0; /* the shipped table has no bad row */
}

static int teardown(void **state)
{
    (void)state;
    lw_names_free(nm);
    nm = NULL;
    return 0;
}

/* Match a against b as persons; the strength must not depend on the order
 * of the arguments. */
static enum lw_name_strength person(const char *a, const char *b, struct lw_name_match *m)
{
    struct lw_name_match m1, m2;

    lw_names_match_person(nm, a, b, &m1);
    lw_names_match_person(nm, b, a, &m2);
    if (m1.strength != m2.strength)
        fail_msg("asymmetric: '%s' vs '%s' is %s, reversed %s (%s | %s)", a, b,
                 lw_name_strength_name(m1.strength), lw_name_strength_name(m2.strength), m1.why,
                 m2.why);
    assert_true(m1.score >= 0.0 && m1.score <= 1.0);
    if (m)
        *m = m1;
    return m1.strength;
}

static void expect_person(const char *a, const char *b, enum lw_name_strength want,
                          const char *why_part)
{
    struct lw_name_match m;
    enum lw_name_strength got = person(a, b, &m);

    if (got != want)
        fail_msg("'%s' vs '%s': got %s, want %s (%s)", a, b, lw_name_strength_name(got),
                 lw_name_strength_name(want), m.why);
    if (why_part && !strstr(m.why, why_part))
        fail_msg("'%s' vs '%s': why '%s' lacks '%s'", a, b, m.why, why_part);
}

static void expect_org(const char *a, const char *b, enum lw_name_strength want,
                       const char *why_part)
{
    struct lw_name_match m;

    lw_names_match_org(nm, a, b, &m);
    if (m.strength != want)
        fail_msg("org '%s' vs '%s': got %s, want %s (%s)", a, b, lw_name_strength_name(m.strength),
                 lw_name_strength_name(want), m.why);
    if (why_part && !strstr(m.why, why_part))
        fail_msg("org '%s' vs '%s': why '%s' lacks '%s'", a, b, m.why, why_part);
}

static void expect_handle(const char *a, const char *b, enum lw_name_strength want,
                          const char *why_part)
{
    struct lw_name_match m;

    lw_names_match_handle(nm, a, b, &m);
    if (m.strength != want)
        fail_msg("handle '%s' vs '%s': got %s, want %s (%s)", a, b,
                 lw_name_strength_name(m.strength), lw_name_strength_name(want), m.why);
    if (why_part && !strstr(m.why, why_part))
        fail_msg("handle '%s' vs '%s': why '%s' lacks '%s'", a, b, m.why, why_part);
}

struct keylist {
    char keys[64][80];
    int n;
    int stop_after;
};

static int collect(void *ctx, const char *key)
{
    struct keylist *kl = ctx;

    if (kl->n < 64)
        snprintf(kl->keys[kl->n++], sizeof(kl->keys[0]), "%s", key);
    if (kl->stop_after && kl->n == kl->stop_after)
        return 7;
    return 0;
}

static bool has_key(const struct keylist *kl, const char *k)
{
    for (int i = 0; i < kl->n; i++)
        if (strcmp(kl->keys[i], k) == 0)
            return true;
    return false;
}

static bool share_key(const char *a, const char *b)
{
    struct keylist ka = {.n = 0}, kb = {.n = 0};

    assert_int_equal(lw_names_person_keys(nm, a, collect, &ka), LW_OK);
    assert_int_equal(lw_names_person_keys(nm, b, collect, &kb), LW_OK);
    for (int i = 0; i < ka.n; i++)
        if (has_key(&kb, ka.keys[i]))
            return true;
    return false;
}

static void test_qiu(void **state)
{
    (void)state;
    expect_person("Amanda Qiu", "Amanda Chiu", LW_NAME_STRONG,
                  "Chiu is a romanisation of 邱 (Qiu)");
    expect_person("Amanda Qiu", "Amanda Ch'iu", LW_NAME_STRONG, "邱");
    expect_person("Amanda Chiu", "Amanda Ch’iu", LW_NAME_STRONG, NULL);
    expect_person("Amanda Qiu", "Amanda Khoo", LW_NAME_STRONG, "邱");
    expect_person("Amanda Chiu", "Amanda Khoo", LW_NAME_STRONG, "邱");
    expect_person("Amanda Qiu", "邱 Amanda", LW_NAME_STRONG, "邱");
    expect_person("Amanda Qiu", "Amanda 邱", LW_NAME_STRONG, NULL);
    expect_person("Amanda Khoo", "邱Amanda", LW_NAME_STRONG, NULL);
    /* hanzi-only against pinyin: the given name is only a reading */
    expect_person("邱晓明", "Xiaoming Qiu", LW_NAME_MEDIUM, "晓明 reads Xiaoming");
    expect_person("邱晓明", "Qiu Xiao-Ming", LW_NAME_MEDIUM, NULL);
    expect_person("邱晓明", "Xiao Ming Chiu", LW_NAME_MEDIUM, NULL);
    expect_person("邱晓明", "邱曉明", LW_NAME_STRONG, NULL);
    expect_person("邱晓明", "邱晓明", LW_NAME_STRONG, NULL);
    /* a surname outside the table is read with Han-Latin/Names */
    expect_person("仇晓明", "Qiu Xiaoming", LW_NAME_MEDIUM, "仇 reads qiu");
    /* compound surnames the table lacks are tried as an alternative reading */
    expect_person("欧阳明", "Ouyang Ming", LW_NAME_MEDIUM, "欧阳 reads ouyang");
    expect_person("司马光", "Guang Sima", LW_NAME_MEDIUM, NULL);
    assert_true(share_key("欧阳明", "Ming Ouyang"));
    /* different hanzi surnames with the same reading are different people */
    expect_person("仇晓明", "邱晓明", LW_NAME_NONE, "surnames 仇 and 邱 differ");
}

static void test_shen(void **state)
{
    (void)state;
    expect_person("Shirly Shen", "Shirly Shum", LW_NAME_STRONG, "沈");
    expect_person("Shirly Shen", "Sim Shirly", LW_NAME_STRONG, "沈");
    expect_person("Shirly Sim", "Shirly Shum", LW_NAME_STRONG, "沈");
    expect_person("Shirly Shen", "沈 Shirly", LW_NAME_STRONG, "沈");
    expect_person("Shirly Shen", "Shirly Qiu", LW_NAME_NONE, "differ");
}

static void test_wong_wang(void **state)
{
    struct lw_name_match m;

    (void)state;
    /* a surname alone is never more than weak */
    expect_person("Wong", "Wang", LW_NAME_WEAK, "王");
    expect_person("Qiu", "Chiu", LW_NAME_WEAK, NULL);
    expect_person("Qiu", "邱", LW_NAME_WEAK, NULL);
    expect_person("Qiu", "Qiu", LW_NAME_WEAK, NULL);
    /* with the same given name, 王 (and 黄, 汪) make it a variant */
    assert_true(person("Amanda Wong", "Amanda Wang", &m) >= LW_NAME_MEDIUM);
    assert_non_null(strstr(m.why, "王"));
    /* different surnames: never a match */
    assert_true(person("Amanda Qiu", "Amanda Wong", NULL) <= LW_NAME_WEAK);
    expect_person("Amanda Qiu", "Amanda Chen", LW_NAME_NONE, "surnames");
    expect_person("Lily Wu", "Lily Chen", LW_NAME_NONE, NULL);
    /* Ng is Wu (吴) in Cantonese */
    expect_person("Lily Wu", "Lily Ng", LW_NAME_STRONG, "吴");
    /* same surname, another given name: weak */
    expect_person("Amanda Qiu", "Lily Qiu", LW_NAME_WEAK, NULL);
    expect_person("Amanda Qiu", "Lily Chiu", LW_NAME_WEAK, NULL);
    expect_person("Amanda Qiu", "Robert Smith", LW_NAME_NONE, NULL);
    /* the table's "Tēⁿ" (郑) folds to "te", not "ten" (邓, 丁, 田) */
    expect_person("Amanda Ten", "Amanda Chiang", LW_NAME_NONE, NULL);
    expect_person("Amanda Tēⁿ", "Amanda Chiang", LW_NAME_STRONG, "郑");
}

static void test_order_and_spelling(void **state)
{
    (void)state;
    expect_person("Qiu Amanda", "Amanda Qiu", LW_NAME_STRONG, "order differs");
    expect_person("QIU, Amanda", "amanda qiu", LW_NAME_STRONG, NULL);
    expect_person("Mr Jason Wang", "Jason Wang", LW_NAME_STRONG, NULL);
    expect_person("Trần Văn", "Van Tran", LW_NAME_STRONG, "Trần = Tran");
    expect_person("Lưu Amanda", "Amanda Luu", LW_NAME_STRONG, NULL);
    expect_person("Ｊａｓｏｎ Ｗａｎｇ", "Jason Wang", LW_NAME_STRONG, NULL); /* fullwidth */
    expect_person("Jun Wei Yeo", "Junwei Yeo", LW_NAME_STRONG, NULL);
    expect_person("Eric Chen Yixi", "Eric Chen", LW_NAME_STRONG, NULL);
    expect_person("Анна Ли", "Anna Li", LW_NAME_STRONG, NULL); /* transliterated */
}

static void test_lookalike(void **state)
{
    (void)state;
    /* Cyrillic А (U+0410) and і (U+0456) inside Latin words */
    expect_person("\xD0\x90manda Qiu", "Amanda Qiu", LW_NAME_STRONG, "look-alike");
    expect_person("Amanda Q\xD1\x96u", "Amanda Chiu", LW_NAME_STRONG, "look-alike");
    /* Cyrillic І (capital) reads as I, not as l */
    expect_person("\xD0\x86"
                  "an Wang",
                  "Ian Wang", LW_NAME_STRONG, NULL);
}

static void test_edit_budget(void **state)
{
    (void)state;
    expect_person("Laeticia Chen", "Laetitia Chen", LW_NAME_MEDIUM, "1 edit");
    expect_person("Christopher Lee", "Christofer Lee", LW_NAME_MEDIUM, "2 edits");
    expect_person("Christopher Lee", "Kristofer Lee", LW_NAME_WEAK, NULL);
    /* short tokens get no edit distance */
    expect_person("Eva Han", "Eve Han", LW_NAME_WEAK, NULL);
    expect_person("Amanda Qiu", "Amanda Qiy", LW_NAME_WEAK, NULL);
    expect_person("Marcella Flores", "Marcela Flores", LW_NAME_MEDIUM, NULL);
    /* one fuzzy token at most */
    expect_person("Marcella Floresta", "Marcela Floresto", LW_NAME_WEAK, NULL);
    /* an initial is weak evidence */
    expect_person("Chine W.", "Chine Wang", LW_NAME_WEAK, "initial");
    expect_person("Chine W.", "Chine W", LW_NAME_STRONG, NULL);
}

static void test_bad_person_input(void **state)
{
    struct lw_name_match m;
    char *big = malloc(LW_NAMES_MAX_INPUT + 10);

    (void)state;
    assert_non_null(big);
    memset(big, 'a', LW_NAMES_MAX_INPUT + 9);
    big[LW_NAMES_MAX_INPUT + 9] = '\0';
    lw_names_match_person(nm, big, "Amanda Qiu", &m);
    assert_int_equal(m.strength, LW_NAME_NONE);
    assert_non_null(strstr(m.why, "too long"));
    free(big);
    lw_names_match_person(nm, NULL, "Amanda Qiu", &m);
    assert_int_equal(m.strength, LW_NAME_NONE);
    lw_names_match_person(NULL, "Amanda Qiu", "Amanda Qiu", &m);
    assert_int_equal(m.strength, LW_NAME_NONE);
    expect_person("", "Amanda Qiu", LW_NAME_NONE, "empty");
    expect_person("--- ,,, ", "Amanda Qiu", LW_NAME_NONE, NULL);
    expect_person("\xff\xfe Amanda \xc3", "Amanda Qiu", LW_NAME_WEAK, NULL); /* bad UTF-8 */
    /* many tokens: bounded, no crash */
    expect_person("a a a a a a a a a a a a a a a a a a", "a a a a a a a a a a a a", LW_NAME_STRONG,
                  NULL);
}

static void test_keys(void **state)
{
    struct keylist kl = {.n = 0};
    char k1[256], k2[256], small[12];

    (void)state;
    assert_int_equal(lw_names_person_keys(nm, "Amanda Chiu", collect, &kl), LW_OK);
    assert_true(has_key(&kl, "t:amanda"));
    assert_true(has_key(&kl, "t:chiu"));
    assert_true(has_key(&kl, "h:邱"));
    assert_true(has_key(&kl, "h:周"));
    for (int i = 1; i < kl.n; i++)
        assert_true(strcmp(kl.keys[i - 1], kl.keys[i]) < 0); /* sorted, unique */
    assert_true(share_key("Amanda Qiu", "Amanda Khoo"));
    assert_true(share_key("邱晓明", "Xiao Ming Chiu"));
    assert_true(share_key("Laeticia Chen", "Laetitia Tan"));
    assert_false(share_key("Amanda Qiu", "Lily Chen"));

    kl.n = 0;
    kl.stop_after = 2;
    assert_int_equal(lw_names_person_keys(nm, "Amanda Chiu", collect, &kl), 7);
    assert_int_equal(kl.n, 2);

    lw_names_person_key(nm, "Qiu Amanda", k1, sizeof(k1));
    lw_names_person_key(nm, "AMANDA qiú", k2, sizeof(k2));
    assert_string_equal(k1, k2);
    assert_non_null(strstr(k1, "h:邱"));
    lw_names_person_key(nm, "Amanda Chiu", k1, sizeof(k1));
    lw_names_person_key(nm, "Amanda Chiu", small, sizeof(small));
    assert_true(strlen(small) > 0 && strlen(small) < sizeof(small));
    assert_memory_equal(k1, small, strlen(small)); /* a prefix, cut at a whole key */
    assert_int_equal(k1[strlen(small)], ' ');
    assert_int_equal(lw_names_person_keys(nm, NULL, collect, &kl), LW_EINVAL);
}

static void test_org(void **state)
{
    (void)state;
    expect_org("BR-YR Executive Search Ltd", "BP-YR Executive Search", LW_NAME_MEDIUM,
               "BR-YR ~ BP-YR (1 edit)");
    expect_org("BR-YR Executive Search", "BR-YR Executive Search Co., Ltd.", LW_NAME_STRONG,
               "legal form");
    expect_org("BR-YR", "BP-YR", LW_NAME_NONE, NULL); /* no context: no edit on short tokens */
    expect_org("BR-YR Search", "BP-YR Research", LW_NAME_NONE, NULL);
    expect_org("InternshipUnion", "Internship Union", LW_NAME_STRONG, "spacing");
    expect_org("Foresight and Strategy Consulting Ltd.", "Foresight & Strategy Consulting",
               LW_NAME_STRONG, NULL);
    expect_org("Acme Holdings LLC", "ACME Holdings Inc.", LW_NAME_STRONG, NULL);
    expect_org("Acme GmbH", "Acme S.A.", LW_NAME_STRONG, NULL);
    expect_org("Smiao Intelligence PLC", "Smiao Intelligence Corporation", LW_NAME_STRONG, NULL);
    expect_org("鹰传媒有限公司", "鹰传媒", LW_NAME_STRONG, "有限公司");
    expect_org("鹰传媒股份有限公司", "鹰傳媒", LW_NAME_STRONG, NULL);
    expect_org("鹰传媒集团", "鹰传媒公司", LW_NAME_STRONG, NULL);
    expect_org("鹰传媒", "Ying Chuan Mei", LW_NAME_MEDIUM, "reads");
    expect_org("\xD0\x86nternship Union", "Internship Union", LW_NAME_STRONG, "look-alike");
    expect_org("Wavemax Innovation", "Wavernax Innovation", LW_NAME_MEDIUM, "look-alike");
    expect_org("RiseHR", "RiseHR Consulting", LW_NAME_WEAK, "contains");
    expect_org("RiseHR Partners", "RiseHR Consulting", LW_NAME_WEAK, "start with");
    expect_org("International Affairs Review", "Asia Pacific Political Review", LW_NAME_NONE, NULL);
    expect_org("Company", "Limited", LW_NAME_NONE, NULL); /* a legal form alone is kept */
    expect_org("", "Acme", LW_NAME_NONE, "empty");
}

static void test_handles(void **state)
{
    (void)state;
    expect_handle("br-yr.com", "br-yr.co", LW_NAME_MEDIUM, "same name, different top-level domain");
    expect_handle("br-yr.com", "br-yr.co.uk", LW_NAME_MEDIUM, "top-level domain");
    expect_handle("br-yr.com", "BR-YR.COM", LW_NAME_STRONG, "identical");
    expect_handle("https://www.br-yr.com/", "br-yr.com", LW_NAME_STRONG, NULL);
    expect_handle("br-yr.com", "br-yr.net", LW_NAME_MEDIUM, NULL);
    expect_handle("\xD0\xB0pple.com", "apple.com", LW_NAME_STRONG, "look-alike"); /* Cyrillic а */
    expect_handle("xn--pple-43d.com", "apple.com", LW_NAME_STRONG, "look-alike"); /* punycode */
    expect_handle("rnove.com", "move.com", LW_NAME_STRONG, "look-alike");
    expect_handle("g00gle.com", "google.com", LW_NAME_STRONG, "look-alike");
    expect_handle("paypa1", "paypal", LW_NAME_STRONG, "look-alike");
    expect_handle("amanda@br-yr.com", "br-yr.com", LW_NAME_STRONG, "on the domain");
    expect_handle("hr.br-yr.com", "br-yr.com", LW_NAME_STRONG, "same registered domain");
    expect_handle("amanda@br-yr.com", "bob@br-yr.com", LW_NAME_WEAK, "different mailbox");
    expect_handle("@amanda_qiu", "amanda.qiu", LW_NAME_MEDIUM, "separators");
    expect_handle("br-yr.com", "bp-yr.com", LW_NAME_WEAK, "one letter");
    expect_handle("bryr.com", "bpyr.com", LW_NAME_NONE, NULL); /* under 5 characters: no edit */
    expect_handle("example.com", "another.org", LW_NAME_NONE, NULL);
    expect_handle("", "x", LW_NAME_NONE, NULL);
}

static void test_load_errors(void **state)
{
    struct lw_names *n2 = NULL;
    struct lw_diag d;
    char path[] = "/tmp/lw-names-XXXXXX";
    int fd;
    FILE *f;
    struct lw_name_match m;

    (void)state;
    lw_diag_clear(&d);
    assert_int_equal(lw_names_load("/nonexistent/surnames.tsv", &n2, &d), LW_EIO);
    assert_null(n2);
    assert_string_equal(d.source, "/nonexistent/surnames.tsv");

    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("hanzi\tpinyin\tvariants\tsource\n", f);
    fputs("邱\tQiu\tChiu|Khoo\ttest\n", f);
    fputs("not hanzi\tQiu\tX\ttest\n", f); /* line 3: bad hanzi */
    fputs("沈\t\tShum\ttest\n", f);        /* line 4: empty pinyin */
    fputs("only-one-column\n", f);
    fputs("# comment\n\n", f);
    fputs("欧阳\tOuyang\tAuyeung|Au-Yeung\ttest\n", f);
    fclose(f);
    lw_diag_clear(&d);
    assert_int_equal(lw_names_load(path, &n2, &d), LW_OK);
    assert_non_null(n2);
    assert_int_equal(d.line, 3);
    assert_non_null(strstr(d.msg, "skipped 3"));
    lw_names_match_person(n2, "Amanda Khoo", "Amanda Chiu", &m);
    assert_int_equal(m.strength, LW_NAME_STRONG);
    lw_names_match_person(n2, "Amanda Shum", "Amanda Shen", &m);
    assert_true(m.strength <= LW_NAME_WEAK); /* that row was skipped */
    /* a two-character surname in the table splits 欧阳明 as 欧阳 + 明 */
    lw_names_match_person(n2, "欧阳明", "Ming Au-Yeung", &m);
    assert_int_equal(m.strength, LW_NAME_MEDIUM);
    lw_names_free(n2);
    n2 = NULL;

    f = fopen(path, "w");
    assert_non_null(f);
    fputs("hanzi\tpinyin\tvariants\tsource\nbad\n", f);
    fclose(f);
    assert_int_equal(lw_names_load(path, &n2, &d), LW_EPARSE);
    assert_null(n2);
    unlink(path);
    lw_names_free(NULL);
}

static void *worker(void *arg)
{
    long bad = 0;

    (void)arg;
    for (int i = 0; i < 200; i++) {
        struct lw_name_match m;
        lw_names_match_person(nm, "邱晓明", "Xiaoming Chiu", &m);
        bad += m.strength != LW_NAME_MEDIUM;
        lw_names_match_person(nm, "Đặng Amanda", "Amanda Dang", &m);
        bad += m.strength != LW_NAME_STRONG;
    }
    return (void *)bad;
}

static void test_threads(void **state)
{
    pthread_t t[4];

    (void)state;
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        assert_int_equal(pthread_join(t[i], &r), 0);
        assert_null(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qiu),
        cmocka_unit_test(test_shen),
        cmocka_unit_test(test_wong_wang),
        cmocka_unit_test(test_order_and_spelling),
        cmocka_unit_test(test_lookalike),
        cmocka_unit_test(test_edit_budget),
        cmocka_unit_test(test_bad_person_input),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_org),
        cmocka_unit_test(test_handles),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_threads),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
