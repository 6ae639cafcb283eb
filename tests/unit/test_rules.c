/* test_rules.c -- unit tests for rule packs (src/detect/rules.h): parsing
 * and compiling the fixture folder (codes resolved across files), every
 * kind of error with its exact line and column, lw_rules_check reporting
 * all problems, and scanning spans on English and Chinese text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <cmocka.h>

#include "detect/rules.h"
#include "detect/rules_int.h"

static const char *testdata(const char *rel, char *buf, size_t n)
{
    const char *root = getenv("LW_TESTDATA");

    assert_non_null(root);
    snprintf(buf, n, "%s/%s", root, rel);
    return buf;
}

static void test_stage_names(void **state)
{
    enum lw_stage s;
    int i;

    (void)state;
    for (i = LW_STAGE_CONTACT; i <= LW_STAGE_RECRUIT_OTHERS; i++) {
        assert_int_equal(lw_stage_parse(lw_stage_name((enum lw_stage)i), &s), LW_OK);
        assert_int_equal(s, i);
    }
    assert_string_equal(lw_stage_name(LW_STAGE_RECRUIT_OTHERS), "recruit-others");
    assert_int_equal(lw_stage_parse("none", &s), LW_EINVAL);
    assert_int_equal(lw_stage_parse("Pitch", &s), LW_EINVAL);
    assert_int_equal(lw_stage_parse(NULL, &s), LW_EINVAL);
}

/* The fixture folder: two files, the patterns in the second name tactics of
 * the first. */
static void test_load_folder(void **state)
{
    struct lw_ruleset *rs = NULL;
    struct lw_diag d;
    const struct lw_tactic *t;
    const struct lw_pattern *p;
    char path[1024];
    int i;

    (void)state;
    assert_int_equal(lw_ruleset_load(testdata("rules/ok", path, sizeof(path)), &rs, &d), LW_OK);
    assert_int_equal(lw_ruleset_n_tactics(rs), 4);
    assert_int_equal(lw_ruleset_n_patterns(rs), 6);

    i = lw_ruleset_find(rs, "A2");
    assert_int_equal(i, 0);
    t = lw_ruleset_tactic(rs, (size_t)i);
    assert_string_equal(t->code, "A2");
    assert_false(t->is_signal);
    assert_string_equal(t->name, "Too good to be true");
    assert_string_equal(t->name_zh, "待遇好得不真实");
    assert_string_equal(t->group, "offer");
    assert_int_equal(t->stage, LW_STAGE_PITCH);
    assert_int_equal(t->weight, 15);
    /* two advice lines joined with one space */
    assert_string_equal(t->advice, "Pay far above the market for little work is the commonest "
                                   "lure. Ask who the client is.");
    assert_string_equal(t->advice_zh, "远高于市场的报酬是最常见的诱饵。");
    assert_non_null(strstr(t->file, "10-taxonomy.rules"));
    assert_int_equal(t->line, 2);

    t = lw_ruleset_tactic(rs, (size_t)lw_ruleset_find(rs, "P1"));
    assert_null(t->name_zh);
    assert_null(t->group);
    assert_null(t->advice);
    assert_int_equal(t->stage, LW_STAGE_CONTACT);

    i = lw_ruleset_find(rs, "report");
    assert_true(i >= 0);
    t = lw_ruleset_tactic(rs, (size_t)i);
    assert_true(t->is_signal);
    assert_int_equal(t->stage, LW_STAGE_NONE);
    assert_int_equal(lw_ruleset_find(rs, "A9"), -1);
    assert_int_equal(lw_ruleset_find(rs, "a2"), -1);

    /* weights: inherited, overridden, negative */
    p = lw_ruleset_pattern(rs, 0);
    assert_int_equal(p->tactic, 0);
    assert_int_equal(p->weight, 15);
    assert_string_equal(p->regex, "won'?t take (?:much|a lot) of your time");
    assert_non_null(strstr(p->file, "20-patterns.rules"));
    assert_int_equal(p->line, 2);
    assert_int_equal(p->col, 10);
    p = lw_ruleset_pattern(rs, 1);
    assert_int_equal(p->weight, 20);
    assert_int_equal(p->col, 13);
    p = lw_ruleset_pattern(rs, 2);
    assert_int_equal(p->tactic, (unsigned)lw_ruleset_find(rs, "R1"));
    assert_int_equal(p->weight, 30);
    p = lw_ruleset_pattern(rs, 3);
    assert_string_equal(p->regex, "internal (?:documents?|reports?)");
    p = lw_ruleset_pattern(rs, 5);
    assert_int_equal(p->weight, -5);
    assert_null(lw_ruleset_pattern(rs, 6));
    assert_null(lw_ruleset_tactic(rs, 4));
    lw_ruleset_free(rs);
}

/* Two files given one at a time do not see each other's codes; checked
 * together they do. */
static void test_cross_file(void **state)
{
    char a[1024], b[1024];
    const char *both[2];
    struct lw_rules_stats st;
    struct lw_ruleset *rs = NULL;
    struct lw_diag d;

    (void)state;
    both[0] = testdata("rules/ok/10-taxonomy.rules", a, sizeof(a));
    both[1] = testdata("rules/ok/20-patterns.rules", b, sizeof(b));
    assert_int_equal(lw_rules_check_paths(both, 2, NULL, NULL, &st), 0);
    assert_int_equal(st.files, 2);
    assert_int_equal(st.tactics, 3);
    assert_int_equal(st.signals, 1);
    assert_int_equal(st.patterns, 6);
    /* the patterns file alone: every code is unknown */
    assert_int_equal(lw_rules_check(both[1], NULL, NULL), 6);
    assert_int_equal(lw_ruleset_load(both[1], &rs, &d), LW_EPARSE);
    assert_null(rs);
    assert_int_equal(d.line, 2);
    assert_int_equal(d.col, 7);
    assert_non_null(strstr(d.msg, "unknown tactic or signal 'A2'"));
    assert_int_equal(lw_ruleset_load(both[0], &rs, &d), LW_OK);
    assert_int_equal(lw_ruleset_n_patterns(rs), 0);
    lw_ruleset_free(rs);
}

/* Load `text`; it must fail at line:col with msg in the message. */
static void expect_error(const char *text, int want_rc, unsigned long line, unsigned long col,
                         const char *msg)
{
    struct lw_ruleset *rs = NULL;
    struct lw_diag d;
    int rc = lw_ruleset_load_mem(text, strlen(text), "t.rules", true, &rs, &d);

    if (rc != want_rc || d.line != line || d.col != col || !strstr(d.msg, msg)) {
        char buf[1024];
        fail_msg("want %d at %lu:%lu '%s', got %d: %s", want_rc, line, col, msg, rc,
                 lw_diag_format(&d, buf, sizeof(buf)));
    }
    assert_null(rs);
    assert_string_equal(d.source, "t.rules");
}

#define HEAD "tactic A2\n  name N\n  stage pitch\n  weight 10\n"

static void test_errors(void **state)
{
    (void)state;
    /* codes */
    expect_error(HEAD "match A9 /high pay/\n", LW_EPARSE, 5, 7, "unknown tactic or signal 'A9'");
    expect_error(HEAD "match report /x/\n", LW_EPARSE, 5, 7, "unknown tactic or signal 'report'");
    expect_error("tactic X2\n  name N\n  stage pitch\n  weight 1\n", LW_EPARSE, 1, 8,
                 "bad tactic code 'X2'");
    expect_error("tactic A\n", LW_EPARSE, 1, 8, "bad tactic code 'A'");
    expect_error("signal Report\n  name N\n  weight 0\n", LW_EPARSE, 1, 8, "bad signal name");
    expect_error("tactic\n", LW_EPARSE, 1, 7, "'tactic' needs a code");
    expect_error(HEAD "\n# again\ntactic A2\n  name M\n", LW_EPARSE, 7, 8,
                 "duplicate tactic 'A2' (first defined at t.rules:1)");
    expect_error("tactic A2 extra\n", LW_EPARSE, 1, 11, "unexpected text after the code");
    /* attributes */
    expect_error("tactic A2\n  name N\n  stage pitching\n  weight 1\n", LW_EPARSE, 3, 9,
                 "unknown stage 'pitching'");
    expect_error("tactic A2\n  name N\n  stage pitch\n  weight 150\n", LW_EPARSE, 4, 10,
                 "weight must be an integer from -100 to 100, not '150'");
    expect_error("tactic A2\n  name N\n  stage pitch\n  weight -101\n", LW_EPARSE, 4, 10,
                 "weight must be");
    expect_error("tactic A2\n  name N\n  stage pitch\n  weight 1x\n", LW_EPARSE, 4, 10,
                 "weight must be");
    expect_error(HEAD "  colour red\n", LW_EPARSE, 5, 3, "unknown attribute 'colour'");
    expect_error(HEAD "  name M\n", LW_EPARSE, 5, 3, "duplicate 'name'");
    expect_error(HEAD "  weight 3\n", LW_EPARSE, 5, 3, "duplicate 'weight'");
    expect_error(HEAD "  group\n", LW_EPARSE, 5, 8, "'group' needs a value");
    expect_error("signal you\n  name N\n  stage pitch\n  weight 0\n", LW_EPARSE, 3, 3,
                 "a signal has no stage");
    expect_error("tactic A2\n  name N\n  weight 1\n", LW_EPARSE, 1, 1, "tactic 'A2' has no stage");
    expect_error("tactic A2\n  stage task\n  weight 1\n\nmatch A2 /x/\n", LW_EPARSE, 1, 1,
                 "tactic 'A2' has no name");
    expect_error("signal you\n  name N\n", LW_EPARSE, 1, 1, "signal 'you' has no weight");
    expect_error("  name N\n", LW_EPARSE, 1, 3, "indented line outside");
    expect_error(HEAD "match A2 /x/\n  name M\n", LW_EPARSE, 6, 3, "indented line outside");
    expect_error("rule A2\n", LW_EPARSE, 1, 1, "unknown keyword 'rule'");
    /* match lines */
    expect_error(HEAD "match A2 /unclosed\n", LW_EPARSE, 5, 10, "unclosed pattern");
    expect_error(HEAD "match A2 //\n", LW_EPARSE, 5, 10, "empty pattern");
    expect_error(HEAD "match A2 high\n", LW_EPARSE, 5, 10, "expected a weight");
    expect_error(HEAD "match A2 101 /x/\n", LW_EPARSE, 5, 10, "expected a weight");
    expect_error(HEAD "match A2\n", LW_EPARSE, 5, 9, "expected '/'");
    expect_error(HEAD "match /x/\n", LW_EPARSE, 5, 7, "needs a tactic code");
    expect_error(HEAD "match A2 /x/i\n", LW_EPARSE, 5, 13, "unexpected text after the pattern");
    /* patterns that can never match normalised text */
    expect_error(HEAD "match A2 /high Pay/\n", LW_EPARSE, 5, 16, "upper-case 'P'");
    expect_error(HEAD "match A2 /\\S+ \\W \\x4A\\p{Han} ok/\nmatch A2 /(?<Name>a)B/\n", LW_EPARSE,
                 6, 21, "upper-case 'B'");
    expect_error(HEAD "match A2 /\\Qa.B\\E/\n", LW_EPARSE, 5, 15, "upper-case 'B'");
    expect_error(HEAD "match A2 /您好，先生/\n", LW_EPARSE, 5, 17, "(U+FF0C) never occurs");
    expect_error(HEAD "match A2 /don’t/\n", LW_EPARSE, 5, 14, "write '''");
    expect_error(HEAD "match A2 /ａ/\n", LW_EPARSE, 5, 11, "write 'a'");
    expect_error(HEAD "match A2 /a  b/\n", LW_EPARSE, 5, 12, "two spaces");
    expect_error(HEAD "match A2 /a\tb/\n", LW_EPARSE, 5, 12, "a tab");
    /* Cyrillic р is folded to its look-alike p, even in a Russian word */
    expect_error(HEAD "match A2 /работа/\n", LW_EPARSE, 5, 11,
                 "'р' (U+0440) is folded to its look-alike 'p' in normalised text (write 'p')");
    /* Vectorscan rejects: the column points into the pattern */
    expect_error(HEAD "match A2 /ok/\nmatch A2 /(?:high pay/\n", LW_EPARSE, 6, 11,
                 "pattern rejected by Vectorscan");
    expect_error(HEAD "match A2 /a|/\n", LW_EPARSE, 5, 10, "pattern rejected by Vectorscan");
    expect_error(HEAD "match A2 /(a)\\1/\n", LW_EPARSE, 5, 10, "pattern rejected by Vectorscan");
    /* and PCRE2, which finds where matches start: a surrogate Vectorscan lets by */
    expect_error(HEAD "match A2 /ok/\nmatch A2 /x[\\x{d800}]/\n", LW_EPARSE, 6, 20,
                 "pattern rejected by PCRE2 (which finds where matches start): disallowed "
                 "Unicode code point");
    /* bytes */
    expect_error(HEAD "  advice caf\xC3\n", LW_EPARSE, 5, 13, "invalid UTF-8");
    /* gates: one a file, written like a pattern */
    expect_error(HEAD "gate /a/\nmatch A2 /x/\ngate /b/\n", LW_EPARSE, 7, 1,
                 "a file has one gate; this file's is at line 5");
    expect_error(HEAD "gate und\n", LW_EPARSE, 5, 6, "expected '/'");
    expect_error(HEAD "gate /und/ x\n", LW_EPARSE, 5, 12, "unexpected text after the pattern");
    expect_error(HEAD "gate /Und/\n", LW_EPARSE, 5, 7, "upper-case 'U'");
    expect_error(HEAD "match A2 /x/\ngate /(?:und/\n", LW_EPARSE, 6, 7,
                 "pattern rejected by Vectorscan");
}

static void test_syntax_details(void **state)
{
    static const char text[] = "\xEF\xBB\xBF# BOM, CRLF, comments, tabs\r\n"
                               "tactic E3\r\n"
                               "\t# a comment inside a block\r\n"
                               "\tname\tMoves to a private channel  \r\n"
                               "  stage   recruit-others\r\n"
                               "  weight  -7\r\n"
                               "   \r\n"
                               "match E3 /a\\/b\\/c/ # slashes inside; the last one closes\r\n"
                               "match E3 0 /telegram|微信/";
    struct lw_ruleset *rs = NULL;
    struct lw_diag d;
    const struct lw_tactic *t;

    (void)state;
    assert_int_equal(lw_ruleset_load_mem(text, sizeof(text) - 1, "x", false, &rs, &d), LW_OK);
    t = lw_ruleset_tactic(rs, 0);
    assert_string_equal(t->name, "Moves to a private channel");
    assert_int_equal(t->stage, LW_STAGE_RECRUIT_OTHERS);
    assert_int_equal(t->weight, -7);
    assert_string_equal(lw_ruleset_pattern(rs, 0)->regex, "a\\/b\\/c");
    assert_int_equal(lw_ruleset_pattern(rs, 0)->weight, -7);
    assert_string_equal(lw_ruleset_pattern(rs, 1)->regex, "telegram|微信");
    assert_int_equal(lw_ruleset_pattern(rs, 1)->weight, 0);
    assert_int_equal(lw_ruleset_pattern(rs, 1)->line, 9);
    assert_int_equal(lw_ruleset_pattern(rs, 1)->col, 12);
    lw_ruleset_free(rs);

    /* not compiled: no scanner */
    assert_int_equal(lw_ruleset_load_mem("", 0, "empty", false, &rs, &d), LW_OK);
    lw_ruleset_free(rs);
    rs = NULL;
    assert_int_equal(lw_ruleset_load_mem(text, sizeof(text) - 1, "x", false, &rs, &d), LW_OK);
    {
        struct lw_scanner *sc = NULL;
        assert_int_equal(lw_scanner_new(rs, &sc, &d), LW_EINVAL);
        assert_null(sc);
    }
    lw_ruleset_free(rs);
    lw_ruleset_free(NULL);
}

struct problems {
    unsigned long n;
    unsigned long line[32], col[32];
};

static void collect(void *ctx, const struct lw_diag *p)
{
    struct problems *ps = ctx;

    assert_non_null(strstr(p->source, "errors.rules"));
    if (ps->n < 32) {
        ps->line[ps->n] = p->line;
        ps->col[ps->n] = p->col;
    }
    ps->n++;
}

/* lw_rules_check goes on after the first problem and reports each. */
static void test_check_all(void **state)
{
    static const unsigned long want[][2] = {
        {3, 14},          /* stage pitching */
        {4, 14},          /* weight 150 */
        {5, 3},           /* colour */
        {1, 1},           /* A2 has no stage and no weight */
        {1, 1},   {7, 8}, /* duplicate A2 */
        {12, 8},          /* signal Report */
        {17, 10},         /* unclosed */
        {19, 11},         /* High */
        {20, 17},         /* fullwidth comma */
        {16, 7},          /* A9 unknown */
        {18, 11},         /* Vectorscan: missing ) */
    };
    struct problems ps;
    char path[1024];
    size_t i;

    (void)state;
    memset(&ps, 0, sizeof(ps));
    assert_int_equal(
        lw_rules_check(testdata("rules/bad/errors.rules", path, sizeof(path)), collect, &ps),
        (int)LW_ARRAY_LEN(want));
    assert_int_equal(ps.n, LW_ARRAY_LEN(want));
    for (i = 0; i < LW_ARRAY_LEN(want); i++) {
        if (ps.line[i] != want[i][0] || ps.col[i] != want[i][1])
            fail_msg("problem %zu: want %lu:%lu, got %lu:%lu", i, want[i][0], want[i][1],
                     ps.line[i], ps.col[i]);
    }
    memset(&ps, 0, sizeof(ps));
    assert_true(
        lw_rules_check(testdata("rules/no-such-file.rules", path, sizeof(path)), NULL, NULL) < 0);
}

struct hit {
    unsigned pattern;
    size_t start, end;
};

struct hits {
    struct hit h[64];
    size_t n;
    size_t stop_after; /* 0: never */
};

static int on_hit(void *ctx, unsigned pattern, size_t start, size_t end)
{
    struct hits *hs = ctx;
    size_t i;

    for (i = 0; i < hs->n; i++) /* at most once per (pattern, end) */
        assert_false(hs->h[i].pattern == pattern && hs->h[i].end == end);
    if (hs->n < LW_ARRAY_LEN(hs->h))
        hs->h[hs->n++] = (struct hit){pattern, start, end};
    return hs->stop_after && hs->n >= hs->stop_after;
}

static bool has_hit(const struct hits *hs, unsigned pattern, size_t start, size_t end)
{
    size_t i;

    for (i = 0; i < hs->n; i++)
        if (hs->h[i].pattern == pattern && hs->h[i].start == start && hs->h[i].end == end)
            return true;
    return false;
}

static void test_scan(void **state)
{
    static const char en[] = "hi! it won't take much of your time, and we offer generous fees.";
    static const char zh[] = "请提供内部资料，不要用非公开渠道。";
    struct lw_ruleset *rs = NULL;
    struct lw_scanner *sc = NULL, *sc2 = NULL;
    struct hits hs;
    struct lw_diag d;
    char path[1024];
    const char *p;
    size_t s;

    (void)state;
    assert_int_equal(lw_ruleset_load(testdata("rules/ok", path, sizeof(path)), &rs, &d), LW_OK);
    assert_int_equal(lw_scanner_new(rs, &sc, &d), LW_OK);

    memset(&hs, 0, sizeof(hs));
    assert_int_equal(lw_scanner_scan(sc, en, sizeof(en) - 1, on_hit, &hs), LW_OK);
    assert_int_equal(hs.n, 3);
    p = strstr(en, "won't");
    assert_true(has_hit(&hs, 0, (size_t)(p - en),
                        (size_t)(p - en) + strlen("won't take much of "
                                                  "your time")));
    p = strstr(en, "generous");
    /* /fees?/ ends at "fee" and at "fees": both ends, leftmost start */
    assert_true(has_hit(&hs, 1, (size_t)(p - en), (size_t)(p - en) + strlen("generous fee")));
    assert_true(has_hit(&hs, 1, (size_t)(p - en), (size_t)(p - en) + strlen("generous fees")));
    memset(&hs, 0, sizeof(hs));
    assert_int_equal(lw_scanner_scan(sc, "generous fees", 13, on_hit, &hs), LW_OK);
    assert_int_equal(hs.n, 2);
    assert_true(has_hit(&hs, 1, 0, 12));
    assert_true(has_hit(&hs, 1, 0, 13));

    /* Chinese: byte offsets of each alternative */
    memset(&hs, 0, sizeof(hs));
    assert_int_equal(lw_scanner_scan(sc, zh, sizeof(zh) - 1, on_hit, &hs), LW_OK);
    assert_int_equal(hs.n, 2);
    s = (size_t)(strstr(zh, "内部资料") - zh);
    assert_true(has_hit(&hs, 2, s, s + strlen("内部资料")));
    s = (size_t)(strstr(zh, "非公开") - zh);
    assert_true(has_hit(&hs, 2, s, s + strlen("非公开")));

    /* the callback stops the scan */
    memset(&hs, 0, sizeof(hs));
    hs.stop_after = 1;
    assert_int_equal(lw_scanner_scan(sc, zh, sizeof(zh) - 1, on_hit, &hs), LW_OK);
    assert_int_equal(hs.n, 1);

    /* nothing, empty text, a second scanner on the same ruleset */
    memset(&hs, 0, sizeof(hs));
    assert_int_equal(lw_scanner_scan(sc, "nothing here", 12, on_hit, &hs), LW_OK);
    assert_int_equal(lw_scanner_scan(sc, "", 0, on_hit, &hs), LW_OK);
    assert_int_equal(hs.n, 0);
    assert_int_equal(lw_scanner_new(rs, &sc2, &d), LW_OK);
    assert_int_equal(lw_scanner_scan(sc2, "the recruiter", 13, on_hit, &hs), LW_OK);
    assert_int_equal(hs.n, 1);
    assert_true(has_hit(&hs, 5, 4, 13));
    lw_scanner_free(sc2);
    lw_scanner_free(sc);
    lw_ruleset_free(rs);
}

/* Rules loaded from the cache folder leave the gated databases for the
 * first scan of text that opens a gate, which loads them -- or compiles
 * them, when their files went away meanwhile -- and finds what a freshly
 * compiled rule set finds. */
static const char cached_text[] = "hi! it won't take much of your time, and we offer generous "
                                  "fees. ein honorar für dich.";

static void scan_same(struct lw_ruleset *want, struct lw_ruleset *got)
{
    struct lw_scanner *a = NULL, *b = NULL;
    struct hits ha, hb;
    struct lw_diag d;
    size_t i;

    assert_int_equal(lw_scanner_new(want, &a, &d), LW_OK);
    assert_int_equal(lw_scanner_new(got, &b, &d), LW_OK);
    memset(&ha, 0, sizeof(ha));
    memset(&hb, 0, sizeof(hb));
    assert_int_equal(lw_scanner_scan(a, cached_text, sizeof(cached_text) - 1, on_hit, &ha), LW_OK);
    assert_int_equal(lw_scanner_scan(b, cached_text, sizeof(cached_text) - 1, on_hit, &hb), LW_OK);
    assert_int_equal(ha.n, 4); /* won't take..., generous fee, generous fees, honorar */
    assert_int_equal(hb.n, ha.n);
    for (i = 0; i < ha.n; i++)
        assert_true(has_hit(&hb, ha.h[i].pattern, ha.h[i].start, ha.h[i].end));
    lw_scanner_free(a);
    lw_scanner_free(b);
}

static void write_file(const char *dir, const char *name, const char *text);
static void remove_files(const char *dir);

static void test_scan_cached(void **state)
{
    char dir[] = "/tmp/lw-rules-cache-XXXXXX", rules[] = "/tmp/lw-rules-gated-XXXXXX";
    char file[4096];
    struct lw_ruleset *fresh = NULL, *rs = NULL;
    struct lw_diag d;
    struct dirent *e;
    DIR *dp;
    int k;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_non_null(mkdtemp(rules));
    write_file(rules, "00-t.rules",
               "tactic A2\n  name Offer\n  stage pitch\n  weight 10\n"
               "match A2 /won't take much of your time/\nmatch A2 /generous fees?/\n");
    /* Not /[äöü]/ alone: Vectorscan 5.4.9, Debian 12's, misses it in this
     * text at some addresses (docs/rules.md, "Gates"). */
    write_file(rules, "30-de.rules", "gate /[äöü]|\\bund\\b/\nmatch A2 /honorar/\n");
    assert_int_equal(lw_ruleset_load(rules, &fresh, &d), LW_OK);
    /* The first load compiles and saves; it keeps every database. */
    assert_int_equal(lw_ruleset_load_cached(rules, dir, &rs, &d), LW_OK);
    assert_null(rs->lazy[LW_DB_PROBE_GATED]);
    assert_non_null(rs->db[LW_DB_PROBE_GATED]);
    lw_ruleset_free(rs);
    /* The second loads the plain ones; the gated ones wait. */
    assert_int_equal(lw_ruleset_load_cached(rules, dir, &rs, &d), LW_OK);
    assert_non_null(rs->db[LW_DB_PROBE]);
    assert_non_null(rs->lazy[LW_DB_PROBE_GATED]);
    assert_null(rs->db[LW_DB_PROBE_GATED]);
    scan_same(fresh, rs);
    assert_non_null(rs->lazy[LW_DB_PROBE_GATED]->db);
    lw_ruleset_free(rs);
    /* The third finds the gated probe's file gone when it needs it, then
     * every file. */
    assert_int_equal(lw_ruleset_load_cached(rules, dir, &rs, &d), LW_OK);
    assert_non_null(rs->lazy[LW_DB_PROBE_GATED]);
    for (k = 0; k < 2; k++) {
        assert_non_null(dp = opendir(dir));
        while ((e = readdir(dp)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
            if (k == 1 || strcmp(file, rs->lazy[LW_DB_PROBE_GATED]->file) == 0)
                assert_int_equal(unlink(file), 0);
        }
        closedir(dp);
        if (k == 0)
            scan_same(fresh, rs);
    }
    lw_ruleset_free(rs);
    lw_ruleset_free(fresh);
    remove_files(rules);
    assert_int_equal(rmdir(rules), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_non_null(f = fopen(path, "w"));
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* A file of the given apparent size (sparse: no disk is used), last
 * touched `age` seconds ago. */
static void fake_cached(const char *dir, const char *name, long long size, time_t age)
{
    char path[4096];
    struct utimbuf t;
    int fd;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0);
    assert_int_equal(ftruncate(fd, (off_t)size), 0);
    assert_int_equal(close(fd), 0);
    t.actime = t.modtime = time(NULL) - age;
    assert_int_equal(utime(path, &t), 0);
}

static bool exists(const char *dir, const char *name)
{
    char path[4096];
    struct stat st;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* Saving a rule set's databases prunes the cache: what nobody loaded for 30
 * days, then the least recently loaded until 128 MB are left; other files
 * stay. */
static void test_cache_prune(void **state)
{
    char dir[] = "/tmp/lw-rules-prune-XXXXXX", path[1024];
    struct lw_ruleset *rs = NULL;
    struct lw_diag d;

    (void)state;
    assert_non_null(mkdtemp(dir));
    fake_cached(dir, "rules-0000000000000001.hsdb", 60LL << 20, 3 * 86400);
    fake_cached(dir, "rules-0000000000000002.hsdb", 60LL << 20, 2 * 86400);
    fake_cached(dir, "rules-0000000000000003.hsdb", 60LL << 20, 1 * 86400);
    fake_cached(dir, "rules-0000000000000004.hsdb", 1024, 40 * 86400);
    fake_cached(dir, "notes.txt", 200LL << 20, 50 * 86400);
    assert_int_equal(lw_ruleset_load_cached(testdata("rules/ok", path, sizeof(path)), dir, &rs, &d),
                     LW_OK);
    lw_ruleset_free(rs);
    assert_false(exists(dir, "rules-0000000000000004.hsdb")); /* too old */
    assert_false(exists(dir, "rules-0000000000000001.hsdb")); /* least recent, over the cap */
    assert_true(exists(dir, "rules-0000000000000002.hsdb"));
    assert_true(exists(dir, "rules-0000000000000003.hsdb"));
    assert_true(exists(dir, "notes.txt"));
    /* and the rule set's own databases load from there */
    assert_int_equal(lw_ruleset_load_cached(path, dir, &rs, &d), LW_OK);
    assert_non_null(rs->db[LW_DB_PROBE]);
    lw_ruleset_free(rs);
    remove_files(dir);
    assert_int_equal(rmdir(dir), 0);
}

static void remove_files(const char *dir)
{
    char file[4096];
    struct dirent *e;
    DIR *dp;

    assert_non_null(dp = opendir(dir));
    while ((e = readdir(dp)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(file, sizeof(file), "%s/%s", dir, e->d_name);
        assert_int_equal(unlink(file), 0);
    }
    closedir(dp);
}

/* Hits of a scan of text, and whether its probe found evidence. */
static void scan_gated_n(struct lw_scanner *sc, const char *text, size_t n, struct hits *hs,
                         bool *probe_hit)
{
    memset(hs, 0, sizeof(*hs));
    assert_int_equal(lw_scanner_probe(sc, text, n, probe_hit), LW_OK);
    assert_int_equal(lw_scanner_scan(sc, text, n, on_hit, hs), LW_OK);
}

static void scan_gated(struct lw_scanner *sc, const char *text, struct hits *hs, bool *probe_hit)
{
    scan_gated_n(sc, text, strlen(text), hs, probe_hit);
}

/* A file's gate holds back its tactic patterns and its signals on text the
 * gate does not match; the other files' patterns are tried as ever. With
 * two gated files, one gate open, the other file's patterns stay out
 * though they share the gated databases. Loaded from the cache, the same. */
static void test_gates(void **state)
{
    char dir[] = "/tmp/lw-rules-gates-XXXXXX", cache[] = "/tmp/lw-rules-gcache-XXXXXX";
    struct lw_ruleset *rs = NULL;
    struct lw_scanner *sc = NULL;
    struct lw_diag d;
    struct hits hs;
    char long_text[3000];
    bool hit;
    int round;

    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_non_null(mkdtemp(cache));
    write_file(dir, "00-t.rules",
               "tactic A1\n  name Offer\n  stage pitch\n  weight 10\n"
               "signal you\n  name You\n  weight 0\n"
               "match A1 /generous fees/\n");
    write_file(dir, "10-de.rules", "match A1 /honorar/\nmatch you /\\bdu\\b/\ngate /[äöü]/\n");
    write_file(dir, "20-x.rules", "gate /zzz/\nmatch A1 /qqq/\n");
    for (round = 0; round < 3; round++) {
        /* fresh, then compiled and saved to the cache, then loaded from it */
        if (round == 0)
            assert_int_equal(lw_ruleset_load(dir, &rs, &d), LW_OK);
        else
            assert_int_equal(lw_ruleset_load_cached(dir, cache, &rs, &d), LW_OK);
        assert_int_equal(lw_ruleset_n_gates(rs), 2);
        assert_string_equal(lw_ruleset_gate(rs, 0)->regex, "[äöü]");
        assert_int_equal(lw_ruleset_gate(rs, 0)->line, 3);
        assert_int_equal(lw_ruleset_gate(rs, 0)->col, 6);
        assert_null(lw_ruleset_gate(rs, 2));
        /* the gate holds for the lines before it too */
        assert_int_equal(lw_ruleset_pattern(rs, 0)->gate, 0);
        assert_int_equal(lw_ruleset_pattern(rs, 1)->gate, 1);
        assert_int_equal(lw_ruleset_pattern(rs, 2)->gate, 1);
        assert_int_equal(lw_ruleset_pattern(rs, 3)->gate, 2);
        assert_int_equal(lw_scanner_new(rs, &sc, &d), LW_OK);

        scan_gated(sc, "generous fees, honorar du qqq", &hs, &hit);
        assert_true(hit);
        assert_int_equal(hs.n, 1);
        assert_true(has_hit(&hs, 0, 0, 13));

        scan_gated(sc, "ein honorar für du", &hs, &hit);
        assert_true(hit);
        assert_int_equal(hs.n, 2);
        assert_true(has_hit(&hs, 1, 4, 11));
        assert_true(has_hit(&hs, 2, 19, 19)); /* "du", after the two bytes of "ü" */

        /* the German gate is open, so the gated databases run: qqq's stays shut */
        scan_gated(sc, "qqq für", &hs, &hit);
        assert_false(hit);
        assert_int_equal(hs.n, 0);
        scan_gated(sc, "qqq zzz", &hs, &hit);
        assert_true(hit);
        assert_int_equal(hs.n, 1);
        assert_true(has_hit(&hs, 3, 0, 3));

        /* a scan without a probe runs the gates itself */
        memset(&hs, 0, sizeof(hs));
        assert_int_equal(lw_scanner_scan(sc, "für honorar", 12, on_hit, &hs), LW_OK);
        assert_int_equal(hs.n, 1);
        assert_true(has_hit(&hs, 1, 5, 12));
        memset(&hs, 0, sizeof(hs));
        assert_int_equal(lw_scanner_scan(sc, "fur honorar", 11, on_hit, &hs), LW_OK);
        assert_int_equal(hs.n, 0);
        /* after a word too long for a window: the whole text, gated too */
        memset(long_text, 'x', sizeof(long_text));
        memcpy(long_text, "für ", 5);
        memcpy(long_text + sizeof(long_text) - 22, " honorar generous fees", 22);
        scan_gated_n(sc, long_text, sizeof(long_text), &hs, &hit);
        assert_true(hit);
        assert_int_equal(hs.n, 2);
        assert_true(has_hit(&hs, 1, sizeof(long_text) - 21, sizeof(long_text) - 14));
        assert_true(has_hit(&hs, 0, sizeof(long_text) - 13, sizeof(long_text)));
        lw_scanner_free(sc);
        lw_ruleset_free(rs);
    }
    remove_files(cache);
    remove_files(dir);
    assert_int_equal(rmdir(cache), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* A scanner over the rule text `rules`, compiled into *rs. */
static struct lw_scanner *mem_scanner(const char *rules, struct lw_ruleset **rs)
{
    struct lw_scanner *sc = NULL;
    struct lw_diag d;

    assert_int_equal(lw_ruleset_load_mem(rules, strlen(rules), "m", true, rs, &d), LW_OK);
    assert_int_equal(lw_scanner_new(*rs, &sc, &d), LW_OK);
    return sc;
}

static size_t put(char *t, size_t n, const char *s)
{
    memcpy(t + n, s, strlen(s));
    return n + strlen(s);
}

/* Starts are looked for first in a window before each match: matches far
 * apart, one at the very start, and one after a word longer than the
 * window (which then starts inside the word) all keep their exact spans. */
static void test_scan_windows(void **state)
{
    struct lw_ruleset *rs = NULL;
    struct lw_scanner *sc = NULL;
    struct hits hs;
    struct lw_diag d;
    char path[1024], *t = malloc(8192);
    size_t n = 0, a, b, c;

    (void)state;
    assert_non_null(t);
    assert_int_equal(lw_ruleset_load(testdata("rules/ok", path, sizeof(path)), &rs, &d), LW_OK);
    assert_int_equal(lw_scanner_new(rs, &sc, &d), LW_OK);
    a = n;
    n = put(t, n, "generous fees ");
    while (n < 3000)
        n = put(t, n, "word ");
    b = n;
    n = put(t, n, "generous fees ");
    memset(t + n, 'x', 2000); /* one long word: no window fits before it */
    n += 2000;
    c = n + 1;
    n = put(t, n, " generous fees");
    memset(&hs, 0, sizeof(hs));
    assert_int_equal(lw_scanner_scan(sc, t, n, on_hit, &hs), LW_OK);
    assert_int_equal(hs.n, 6);
    assert_true(has_hit(&hs, 1, a, a + 12) && has_hit(&hs, 1, a, a + 13));
    assert_true(has_hit(&hs, 1, b, b + 12) && has_hit(&hs, 1, b, b + 13));
    assert_true(has_hit(&hs, 1, c, c + 12) && has_hit(&hs, 1, c, c + 13));
    lw_scanner_free(sc);
    lw_ruleset_free(rs);
    free(t);
}

/* A match longer than the window its start is first looked for in is
 * found in all the text before its end. A pattern whose last \b reads the
 * character after the match, which PCRE2 cannot see, is quoted from the
 * start of its line. */
static void test_scan_long_and_fallback(void **state)
{
    static const char rules[] = "tactic A1\n  name S\n  stage pitch\n  weight 1\n"
                                "match A1 /begin(?:\\s\\w+)+\\send\\b/\n"
                                "match A1 /fee\\s\\b/\n";
    struct lw_ruleset *rs = NULL;
    struct lw_scanner *sc = NULL;
    struct hits hs;
    char t[1024];
    size_t n = 0;

    (void)state;
    sc = mem_scanner(rules, &rs);
    n = put(t, n, "so. begin");
    while (n < 600)
        n = put(t, n, " word");
    n = put(t, n, " end");
    memset(&hs, 0, sizeof(hs));
    assert_int_equal(lw_scanner_scan(sc, t, n, on_hit, &hs), LW_OK);
    assert_int_equal(hs.n, 1);
    assert_true(has_hit(&hs, 0, 4, n));
    memset(&hs, 0, sizeof(hs));
    assert_int_equal(lw_scanner_scan(sc, "so.\npay. fee x", 15, on_hit, &hs), LW_OK);
    assert_int_equal(hs.n, 1);
    assert_true(has_hit(&hs, 1, 4, 13));
    lw_scanner_free(sc);
    lw_ruleset_free(rs);
}

/* A text made of matches costs time in proportion to its length: past 4,096
 * searches for starts, a match is quoted from the start of its line (here
 * the window, 256 bytes before its end); every match is still reported. */
struct tally {
    size_t n;
    struct hit first, last;
};

static int on_tally(void *ctx, unsigned pattern, size_t start, size_t end)
{
    struct tally *t = ctx;

    if (t->n++ == 0)
        t->first = (struct hit){pattern, start, end};
    t->last = (struct hit){pattern, start, end};
    return 0;
}

static void test_scan_many_matches(void **state)
{
    static const char unit[] = " generous fees";
    struct lw_ruleset *rs = NULL;
    struct lw_scanner *sc = NULL;
    struct tally tl;
    struct lw_diag d;
    size_t n = 0, k;
    char path[1024], *t = malloc(3000 * (sizeof(unit) - 1));

    (void)state;
    assert_non_null(t);
    for (k = 0; k < 3000; k++)
        n = put(t, n, unit);
    assert_int_equal(lw_ruleset_load(testdata("rules/ok", path, sizeof(path)), &rs, &d), LW_OK);
    assert_int_equal(lw_scanner_new(rs, &sc, &d), LW_OK);
    memset(&tl, 0, sizeof(tl));
    assert_int_equal(lw_scanner_scan(sc, t, n, on_tally, &tl), LW_OK);
    assert_int_equal(tl.n, 6000); /* "generous fee" and "generous fees", 3,000 times */
    assert_int_equal(tl.first.start, 1);
    assert_int_equal(tl.first.end, 13);
    assert_int_equal(tl.last.end, n);
    assert_int_equal(tl.last.start, n - 256);
    lw_scanner_free(sc);
    lw_ruleset_free(rs);
    free(t);
}

/* A scan after the probe of the same text reuses the probe's match ends;
 * after the probe of another text it runs its own. Every way gives the
 * same hits, and the probe says hit exactly when a tactic matched. */
static void test_scan_after_probe(void **state)
{
    static const char *const texts[] = {
        "hi! it won't take much of your time, and we offer generous fees.",
        "请提供内部资料，不要用非公开渠道。",
        "nothing here",
        "",
        "you and you, generous fees and generous fees",
        "a paid report for you",
    };
    struct lw_ruleset *rs = NULL;
    struct lw_scanner *sc = NULL;
    struct lw_diag d;
    char path[1024];

    (void)state;
    assert_int_equal(lw_ruleset_load(testdata("rules/ok", path, sizeof(path)), &rs, &d), LW_OK);
    assert_int_equal(lw_scanner_new(rs, &sc, &d), LW_OK);
    for (size_t i = 0; i < LW_ARRAY_LEN(texts); i++) {
        const char *t = texts[i], *other = texts[(i + 1) % LW_ARRAY_LEN(texts)];
        size_t n = strlen(t), k;
        struct hits alone, after, crossed;
        bool hit = false, tactic = false;

        memset(&alone, 0, sizeof(alone));
        memset(&after, 0, sizeof(after));
        memset(&crossed, 0, sizeof(crossed));
        assert_int_equal(lw_scanner_scan(sc, t, n, on_hit, &alone), LW_OK);
        assert_int_equal(lw_scanner_probe(sc, t, n, &hit), LW_OK);
        assert_int_equal(lw_scanner_scan(sc, t, n, on_hit, &after), LW_OK);
        assert_int_equal(lw_scanner_probe(sc, other, strlen(other), &(bool){false}), LW_OK);
        assert_int_equal(lw_scanner_scan(sc, t, n, on_hit, &crossed), LW_OK);
        assert_int_equal(after.n, alone.n);
        assert_int_equal(crossed.n, alone.n);
        for (k = 0; k < alone.n; k++) {
            const struct hit *h = &alone.h[k];
            assert_true(has_hit(&after, h->pattern, h->start, h->end));
            assert_true(has_hit(&crossed, h->pattern, h->start, h->end));
            tactic |= h->start < h->end; /* signals come with empty spans */
        }
        assert_int_equal(hit, tactic);
    }
    lw_scanner_free(sc);
    lw_ruleset_free(rs);
}

/* Patterns that can end at many places: every end once, leftmost start. */
static void test_scan_dedupe(void **state)
{
    static const char rules[] = "tactic A1\n  name S\n  stage pitch\n  weight 1\n"
                                "match A1 /a+b?/\nmatch A1 /(?:x|xy|xyz)z*/\n";
    struct lw_ruleset *rs = NULL;
    struct lw_scanner *sc = NULL;
    struct hits hs;

    (void)state;
    sc = mem_scanner(rules, &rs);
    memset(&hs, 0, sizeof(hs));
    assert_int_equal(lw_scanner_scan(sc, "aab xyzz", 8, on_hit, &hs), LW_OK);
    assert_true(has_hit(&hs, 0, 0, 1));
    assert_true(has_hit(&hs, 0, 0, 2));
    assert_true(has_hit(&hs, 0, 0, 3));
    assert_true(has_hit(&hs, 1, 4, 5));
    assert_true(has_hit(&hs, 1, 4, 6));
    assert_true(has_hit(&hs, 1, 4, 7));
    assert_true(has_hit(&hs, 1, 4, 8));
    assert_int_equal(hs.n, 7);
    lw_scanner_free(sc);
    lw_ruleset_free(rs);
}

/* Signals are counted, not quoted: their matches come with start == end,
 * from the signals database, which tracks no starts. */
static void test_scan_signals_without_starts(void **state)
{
    static const char rules[] = "signal you\n  name You\n  weight 0\n"
                                "tactic A1\n  name Offer\n  stage pitch\n  weight 5\n"
                                "match you /\\byou\\b/\nmatch A1 /paid report/\n";
    struct lw_ruleset *rs = NULL;
    struct lw_scanner *sc = NULL;
    struct hits hs;

    (void)state;
    sc = mem_scanner(rules, &rs);
    memset(&hs, 0, sizeof(hs));
    assert_int_equal(lw_scanner_scan(sc, "you and you", 11, on_hit, &hs), LW_OK);
    assert_int_equal(hs.n, 2);
    assert_true(has_hit(&hs, 0, 3, 3));
    assert_true(has_hit(&hs, 0, 11, 11));
    memset(&hs, 0, sizeof(hs));
    assert_int_equal(lw_scanner_scan(sc, "a paid report for you", 21, on_hit, &hs), LW_OK);
    assert_int_equal(hs.n, 2);
    assert_true(has_hit(&hs, 1, 2, 13));
    assert_true(has_hit(&hs, 0, 21, 21));
    lw_scanner_free(sc);
    lw_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stage_names),
        cmocka_unit_test(test_load_folder),
        cmocka_unit_test(test_cross_file),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_syntax_details),
        cmocka_unit_test(test_check_all),
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_scan_windows),
        cmocka_unit_test(test_scan_long_and_fallback),
        cmocka_unit_test(test_scan_many_matches),
        cmocka_unit_test(test_scan_after_probe),
        cmocka_unit_test(test_scan_dedupe),
        cmocka_unit_test(test_scan_signals_without_starts),
        cmocka_unit_test(test_scan_cached),
        cmocka_unit_test(test_cache_prune),
        cmocka_unit_test(test_gates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
