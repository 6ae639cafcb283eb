/* test_spans.c -- the scanner quotes each tactic match from where
 * Vectorscan's start of match would: the starts PCRE2 finds (rules.c,
 * span_start) are checked against a database of the shipped rules compiled
 * with HS_FLAG_SOM_LEFTMOST, over every message of the labelled sets and
 * the samples, normalised as the engine does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/rules.h"
#include "ingest/reader.h"
#include "text/norm.h"

struct match {
    unsigned id;
    size_t start, end;
};

struct matches {
    struct match *v;
    size_t n, cap;
};

static void add(struct matches *m, unsigned id, size_t start, size_t end)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->v = realloc(m->v, m->cap * sizeof(*m->v));
        assert_non_null(m->v);
    }
    m->v[m->n++] = (struct match){id, start, end};
}

static int by_end_id(const void *a, const void *b)
{
    const struct match *x = a, *y = b;

    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

struct oracle {
    const struct lw_ruleset *rs;
    struct matches *m;
};

static int on_som(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx)
{
    struct oracle *o = ctx;

    (void)flags;
    add(o->m, id, (size_t)from, (size_t)to);
    return 0;
}

struct seen {
    const struct lw_ruleset *rs;
    struct matches *m;
};

static int on_hit(void *ctx, unsigned pattern, size_t start, size_t end)
{
    struct seen *s = ctx;

    if (!lw_ruleset_tactic(s->rs, lw_ruleset_pattern(s->rs, pattern)->tactic)->is_signal)
        add(s->m, pattern, start, end);
    return 0;
}

/* The tactic patterns with start of match, as the scanner used to quote. */
static hs_database_t *som_db(const struct lw_ruleset *rs)
{
    size_t np = lw_ruleset_n_patterns(rs), n = 0, i;
    const char **ex = calloc(np, sizeof(*ex));
    unsigned *fl = calloc(np, sizeof(*fl)), *ids = calloc(np, sizeof(*ids));
    hs_compile_error_t *err = NULL;
    hs_database_t *db = NULL;

    assert_true(ex && fl && ids);
    for (i = 0; i < np; i++) {
        const struct lw_pattern *p = lw_ruleset_pattern(rs, i);
        if (lw_ruleset_tactic(rs, p->tactic)->is_signal)
            continue;
        ex[n] = p->regex;
        fl[n] = HS_FLAG_UTF8 | HS_FLAG_SOM_LEFTMOST;
        ids[n++] = (unsigned)i;
    }
    assert_int_equal(hs_compile_multi(ex, fl, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &db, &err),
                     HS_SUCCESS);
    free(ex);
    free(fl);
    free(ids);
    return db;
}

struct run {
    const struct lw_ruleset *rs;
    struct lw_scanner *sc;
    hs_database_t *som;
    hs_scratch_t *scratch;
    struct lw_normtext nt;
    struct matches want, got, moved;
    char *buf; /* the text copied to other addresses */
    size_t cap;
    unsigned long texts, quoted;
};

/* Every match the scanner quotes is one start of match finds, with the
 * same start; every match of a pattern without a gate that start of match
 * finds, the scanner quotes; and the text copied to other addresses gives
 * the same matches (Vectorscan 5.4.9 has missed matches depending on where
 * a text sits in memory: docs/rules.md, "Gates"). */
static void compare(struct run *r, const char *text, size_t len, const char *where)
{
    static const size_t offsets[] = {1, 3, 8, 13};
    struct oracle o = {r->rs, &r->want};
    struct seen s = {r->rs, &r->got};
    size_t i, j, k;

    r->want.n = r->got.n = 0;
    assert_int_equal(hs_scan(r->som, text, (unsigned)len, 0, r->scratch, on_som, &o), HS_SUCCESS);
    assert_int_equal(lw_scanner_scan(r->sc, text, len, on_hit, &s), LW_OK);
    if (r->want.n > 1)
        qsort(r->want.v, r->want.n, sizeof(*r->want.v), by_end_id);
    for (i = 0; i < r->got.n; i++) {
        const struct match *g = &r->got.v[i];
        const struct match *w =
            r->want.n ? bsearch(g, r->want.v, r->want.n, sizeof(*r->want.v), by_end_id) : NULL;
        if (!w || w->start != g->start)
            fail_msg("%s: pattern %s:%lu quoted at [%zu, %zu), start of match says %zd", where,
                     lw_ruleset_pattern(r->rs, g->id)->file, lw_ruleset_pattern(r->rs, g->id)->line,
                     g->start, g->end, w ? (ssize_t)w->start : (ssize_t)-1);
    }
    if (r->got.n > 1)
        qsort(r->got.v, r->got.n, sizeof(*r->got.v), by_end_id);
    for (j = 0; j < r->want.n; j++) {
        const struct match *w = &r->want.v[j];
        if (lw_ruleset_pattern(r->rs, w->id)->gate == 0 &&
            (!r->got.n || !bsearch(w, r->got.v, r->got.n, sizeof(*r->got.v), by_end_id)))
            fail_msg("%s: pattern %s:%lu matches [%zu, %zu), not quoted", where,
                     lw_ruleset_pattern(r->rs, w->id)->file, lw_ruleset_pattern(r->rs, w->id)->line,
                     w->start, w->end);
    }
    for (k = 0; k < sizeof(offsets) / sizeof(offsets[0]); k++) {
        struct seen s2 = {r->rs, &r->moved};
        if (len + 16 > r->cap) {
            r->cap = len + 16;
            r->buf = realloc(r->buf, r->cap);
            assert_non_null(r->buf);
        }
        memcpy(r->buf + offsets[k], text, len);
        r->moved.n = 0;
        assert_int_equal(lw_scanner_scan(r->sc, r->buf + offsets[k], len, on_hit, &s2), LW_OK);
        if (r->moved.n > 1)
            qsort(r->moved.v, r->moved.n, sizeof(*r->moved.v), by_end_id);
        for (i = 0; r->moved.n == r->got.n && i < r->got.n; i++)
            if (r->moved.v[i].id != r->got.v[i].id || r->moved.v[i].start != r->got.v[i].start ||
                r->moved.v[i].end != r->got.v[i].end)
                break;
        if (r->moved.n != r->got.n || i < r->got.n)
            fail_msg("%s: %zu matches at offset %zu of a copy, %zu in place (first to differ: %zu)",
                     where, r->moved.n, offsets[k], r->got.n, i);
    }
    r->texts++;
    r->quoted += r->got.n;
}

static void compare_file(struct run *r, const char *path)
{
    struct lw_limits lim;
    struct lw_reader *rd = NULL;
    struct lw_msg *m = NULL;
    struct lw_diag d;
    int got;

    lw_limits_default(&lim);
    lw_diag_clear(&d);
    assert_int_equal(lw_reader_open(path, LW_FORMAT_AUTO, &lim, &rd, &d), LW_OK);
    while ((got = lw_reader_next(rd, &m, &d)) != 0) {
        if (got < 0)
            continue;
        if (lw_msg_complete(m, &lim, &d) == LW_OK &&
            lw_norm(m->text ? m->text : "", m->text_len, m->text_is_html ? LW_NORM_HTML : 0, &r->nt,
                    &d) == LW_OK)
            compare(r, r->nt.s, r->nt.len, path);
        lw_msg_free(m);
    }
    lw_reader_free(rd);
}

static void test_starts_are_start_of_match(void **state)
{
    static const char *const dirs[] = {"tests/data/eval", "samples"};
    const char *src = getenv("LW_SRC");
    struct lw_ruleset *rs = NULL;
    struct run r;
    struct lw_diag d;
    char path[8192 + 256];
    size_t k;

    (void)state;
    assert_non_null(src);
    memset(&r, 0, sizeof(r));
    assert_int_equal(lw_norm_global_init(&d), LW_OK);
    snprintf(path, sizeof(path), "%s/rules", src);
    assert_int_equal(lw_ruleset_load(path, &rs, &d), LW_OK);
    r.rs = rs;
    assert_int_equal(lw_scanner_new(rs, &r.sc, &d), LW_OK);
    r.som = som_db(rs);
    assert_int_equal(hs_alloc_scratch(r.som, &r.scratch), HS_SUCCESS);
    lw_normtext_init(&r.nt);
    for (k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
        DIR *dp;
        struct dirent *e;
        char dir[8192];

        snprintf(dir, sizeof(dir), "%s/%s", src, dirs[k]);
        assert_non_null(dp = opendir(dir));
        while ((e = readdir(dp)) != NULL) {
            size_t n = strlen(e->d_name);
            if (e->d_name[0] == '.' || n < 6 || strcmp(e->d_name + n - 6, ".jsonl") != 0)
                continue;
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            compare_file(&r, path);
        }
        closedir(dp);
    }
    /* the sets hold a few thousand messages, and matches in most approaches */
    assert_true(r.texts > 1000);
    assert_true(r.quoted > 1000);
    lw_normtext_release(&r.nt);
    hs_free_scratch(r.scratch);
    hs_free_database(r.som);
    lw_scanner_free(r.sc);
    lw_ruleset_free(rs);
    free(r.want.v);
    free(r.got.v);
    free(r.moved.v);
    free(r.buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_starts_are_start_of_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
