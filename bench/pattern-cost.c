/* pattern-cost.c -- what each rule pattern costs Vectorscan on real text.
 * Usage: pattern-cost RULES MAILDIR-OR-FILE...  (bench/pattern-cost.sh)
 * Every message is read, parsed and normalised as `lurewatch scan` does;
 * the rule set is then timed over the whole texts as the two databases
 * the scanner builds (the probe and the signals), beside every pattern at
 * once and each pattern alone (gated files' patterns count as ungated),
 * and as the scanner runs it: the probe over every text, and for text with
 * evidence the signals and PCRE2's search for where each match starts.
 * Prints MB/s for the sets and the patterns that cost most, slowest first.
 * A pattern far slower than the rest usually lacks a literal Vectorscan can
 * look for first. */
#include <hs/hs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect/rules.h"
#include "ingest/msg.h"
#include "ingest/reader.h"
#include "text/norm.h"

struct text {
    char *s;
    size_t len;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    (void)id, (void)from, (void)to, (void)flags;
    ++*(unsigned long *)ctx;
    return 0;
}

/* Best of three passes over every text, in seconds; *hits counts matches. */
static double time_db(const hs_database_t *db, const struct text *t, size_t n, unsigned long *hits)
{
    hs_scratch_t *sc = NULL;
    double best = 1e9;

    if (hs_alloc_scratch(db, &sc) != HS_SUCCESS)
        return -1;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        *hits = 0;
        for (size_t i = 0; i < n; i++)
            hs_scan(db, t[i].s, (unsigned)t[i].len, 0, sc, on_match, hits);
        if (now() - t0 < best)
            best = now() - t0;
    }
    hs_free_scratch(sc);
    return best;
}

static int count_hit(void *ctx, unsigned pattern, size_t start, size_t end)
{
    (void)pattern, (void)start, (void)end;
    ++*(unsigned long *)ctx;
    return 0;
}

/* Best of three passes of the scanner as the engine runs it: the probe,
 * then, for text with evidence, the full scan. */
static double time_scanner(const struct lw_ruleset *rs, const struct text *t, size_t n,
                           unsigned long *hits)
{
    struct lw_scanner *sc = NULL;
    struct lw_diag d;
    double best = 1e9;
    bool hit;

    if (lw_scanner_new(rs, &sc, &d) < 0)
        return -1;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = now();
        *hits = 0;
        for (size_t i = 0; i < n; i++)
            if (lw_scanner_probe(sc, t[i].s, t[i].len, &hit) != LW_OK ||
                (hit && lw_scanner_scan(sc, t[i].s, t[i].len, count_hit, hits) != LW_OK))
                *hits = 0;
        if (now() - t0 < best)
            best = now() - t0;
    }
    lw_scanner_free(sc);
    return best;
}

/* which: 0 every pattern, 1 tactics only, 2 signals only */
static hs_database_t *compile_set(const struct lw_ruleset *rs, unsigned flags, int which)
{
    size_t n = 0, np = lw_ruleset_n_patterns(rs);
    const char **ex = calloc(np, sizeof(*ex));
    unsigned *fl = calloc(np, sizeof(*fl)), *ids = calloc(np, sizeof(*ids));
    hs_database_t *db = NULL;
    hs_compile_error_t *err = NULL;

    for (size_t i = 0; ex && fl && ids && i < np; i++) {
        const struct lw_pattern *p = lw_ruleset_pattern(rs, i);
        bool sig = lw_ruleset_tactic(rs, p->tactic)->is_signal;
        if ((which == 1 && sig) || (which == 2 && !sig))
            continue;
        ex[n] = p->regex;
        fl[n] = flags;
        ids[n++] = (unsigned)i;
    }
    if (ex && fl && ids &&
        hs_compile_multi(ex, fl, ids, (unsigned)n, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS)
        db = NULL;
    hs_free_compile_error(err);
    free(ex);
    free(fl);
    free(ids);
    return db;
}

struct cost {
    size_t i;
    double s;
    unsigned long hits;
};

static int by_cost(const void *a, const void *b)
{
    double x = ((const struct cost *)a)->s, y = ((const struct cost *)b)->s;
    return x < y ? 1 : x > y ? -1 : 0;
}

int main(int argc, char **argv)
{
    struct lw_ruleset *rs = NULL;
    struct lw_diag d;
    struct lw_limits lim;
    struct text *t = NULL;
    struct cost *c = NULL;
    size_t n = 0, cap = 0, bytes = 0, np;
    unsigned long hits;
    struct lw_normtext nt;
    hs_database_t *db;
    double s;

    if (argc < 3) {
        fprintf(stderr, "usage: pattern-cost RULES INPUT...\n");
        return 2;
    }
    if (lw_ruleset_load(argv[1], &rs, &d) < 0) {
        fprintf(stderr, "pattern-cost: %s\n", d.msg);
        return 2;
    }
    lw_limits_default(&lim);
    lw_normtext_init(&nt);
    for (int a = 2; a < argc; a++) {
        struct lw_reader *r = NULL;
        struct lw_msg *m = NULL;
        int got;

        if (lw_reader_open(argv[a], LW_FORMAT_AUTO, &lim, &r, &d) < 0) {
            fprintf(stderr, "pattern-cost: %s\n", d.msg);
            return 2;
        }
        while ((got = lw_reader_next(r, &m, &d)) != 0) {
            if (got < 0)
                continue;
            if (lw_msg_complete(m, &lim, &d) == LW_OK &&
                lw_norm(m->text ? m->text : "", m->text_len, m->text_is_html ? LW_NORM_HTML : 0,
                        &nt, &d) == LW_OK) {
                if (n == cap) {
                    cap = cap ? cap * 2 : 1024;
                    t = realloc(t, cap * sizeof(*t));
                    if (!t)
                        return 2;
                }
                t[n].s = malloc(nt.len + 1);
                if (!t[n].s)
                    return 2;
                memcpy(t[n].s, nt.s, nt.len);
                t[n].len = nt.len;
                bytes += nt.len;
                n++;
            }
            lw_msg_free(m);
        }
        lw_reader_free(r);
    }
    printf("%zu messages, %.1f MB of normalised text\n", n, bytes / 1e6);

    {
        static const struct {
            const char *what;
            unsigned flags;
            int which;
        } sets[] = {
            {"every pattern:                   ", HS_FLAG_UTF8, 0},
            {"probe (tactics):                 ", HS_FLAG_UTF8, 1},
            {"signals:                         ", HS_FLAG_UTF8, 2},
        };
        for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
            db = compile_set(rs, sets[k].flags, sets[k].which);
            s = db ? time_db(db, t, n, &hits) : -1;
            printf("%s %8.1f MB/s  (%lu matches)\n", sets[k].what, bytes / 1e6 / s, hits);
            hs_free_database(db);
        }
    }

    s = time_scanner(rs, t, n, &hits);
    printf("the scanner (probe; signals, starts): %8.1f MB/s  (%lu matches)\n", bytes / 1e6 / s,
           hits);

    np = lw_ruleset_n_patterns(rs);
    c = calloc(np, sizeof(*c));
    for (size_t i = 0; c && i < np; i++) {
        hs_compile_error_t *err = NULL;
        db = NULL;
        c[i].i = i;
        if (hs_compile(lw_ruleset_pattern(rs, i)->regex, HS_FLAG_UTF8, HS_MODE_BLOCK, NULL, &db,
                       &err) != HS_SUCCESS) {
            hs_free_compile_error(err);
            continue;
        }
        c[i].s = time_db(db, t, n, &c[i].hits);
        hs_free_database(db);
    }
    qsort(c, np, sizeof(*c), by_cost);
    const char *top_env = getenv("PATTERN_COST_TOP");
    size_t top = top_env ? (size_t)strtoul(top_env, NULL, 10) : 25;
    printf("\nslowest patterns alone (ms for all the text, matches, file:line):\n");
    for (size_t k = 0; c && k < np && k < top; k++) {
        const struct lw_pattern *p = lw_ruleset_pattern(rs, c[k].i);
        printf("%8.2f ms %7lu  %s:%lu  /%.70s%s/\n", c[k].s * 1e3, c[k].hits, p->file, p->line,
               p->regex, strlen(p->regex) > 70 ? "..." : "");
    }
    for (size_t i = 0; i < n; i++)
        free(t[i].s);
    free(t);
    free(c);
    lw_normtext_release(&nt);
    lw_ruleset_free(rs);
    return 0;
}
