/* fuzz_profile.c -- libFuzzer target for the profile reader
 * (src/ingest/profile.h) and the vet checks run on what it reads.
 * The first input byte picks the entry point: even = lw_profile_parse_mem
 * on the rest (sniffs JSON, ZIP or CSV); odd = lw_profile_parse_csv with
 * the rest split at the first NUL into Profile.csv and Positions.csv.
 * Besides memory errors it checks the reader's contract and aborts when it
 * breaks: on success every string is NUL-free valid UTF-8 (U8_NEXT never
 * fails), counts are consistent; on failure *out stays NULL and the
 * diagnostic is filled. Every parsed profile is then vetted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/utf8.h>

#include "detect/vet.h"
#include "ingest/profile.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_profile: %s:%d: invariant failed: %s\n", __FILE__, __LINE__,     \
                    #cond);                                                                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static void check_str(const char *s)
{
    int32_t i = 0, n;

    if (!s)
        return;
    n = (int32_t)strlen(s);
    CHECK(n > 0); /* empty fields are NULL */
    while (i < n) {
        UChar32 c;
        U8_NEXT(s, i, n, c);
        CHECK(c > 0);
    }
}

static void check_profile(const struct lw_profile *p)
{
    size_t i;

    CHECK(p->arena != NULL && p->source != NULL);
    check_str(p->name);
    check_str(p->headline);
    check_str(p->company);
    check_str(p->company_url);
    check_str(p->location);
    check_str(p->industry);
    check_str(p->about);
    check_str(p->url);
    check_str(p->photo_hash);
    check_str(p->account_created);
    CHECK(p->connections >= -1);
    CHECK(!p->connections_plus || p->connections >= 0);
    CHECK(p->n_positions <= LW_PROFILE_MAX_ENTRIES);
    CHECK(p->n_education <= LW_PROFILE_MAX_ENTRIES);
    CHECK(p->n_positions == 0 || p->positions != NULL);
    for (i = 0; i < p->n_positions; i++) {
        check_str(p->positions[i].company);
        check_str(p->positions[i].title);
        check_str(p->positions[i].location);
        check_str(p->positions[i].start);
        check_str(p->positions[i].end);
        check_str(p->positions[i].description);
    }
    for (i = 0; i < p->n_education; i++) {
        check_str(p->education[i].school);
        check_str(p->education[i].degree);
        check_str(p->education[i].start);
        check_str(p->education[i].end);
    }
}

static void vet(const struct lw_profile *p)
{
    static struct lw_vet_refs refs;
    static int ready;
    struct lw_vet_opts o;
    struct lw_vet_result *r = NULL;
    size_t i;

    if (!ready) {
        lw_vet_refs_init(&refs);
        if (lw_vet_refs_add_bio(&refs, "We are a renowned high-end executive search firm "
                                       "connecting global talents with government "
                                       "departments and state-owned enterprises.") < 0 ||
            lw_vet_refs_add_hash(&refs, "9f2c4e7a1b3d5f60") < 0)
            abort();
        ready = 1;
    }
    o.today = lw_vet_days_from_civil(2025, 11, 20);
    o.refs = &refs;
    o.watchlist = NULL;
    if (lw_vet_profile(p, &o, &r, NULL) < 0)
        return;
    CHECK(r->score >= 0 && r->score <= 100);
    CHECK(r->n_why >= 1 && r->n_advice >= 4);
    for (i = 0; i < r->n_flags; i++) {
        CHECK(r->flags[i].weight > 0 && r->flags[i].weight <= 100);
        CHECK(r->flags[i].code && r->flags[i].evidence && r->flags[i].reason);
    }
    lw_vet_result_free(r);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct lw_limits lim;
    struct lw_profile *p = NULL;
    struct lw_diag diag;
    const char *s;
    int rc;

    if (size < 1)
        return 0;
    lw_limits_default(&lim);
    lim.max_record = 1 << 20;
    lim.max_text = 64 * 1024;
    lim.max_csv_columns = 64;
    lw_diag_clear(&diag);
    s = (const char *)data + 1;
    size--;
    if (data[0] & 1) {
        const char *nul = memchr(s, '\0', size);
        size_t n1 = nul ? (size_t)(nul - s) : size;
        rc = lw_profile_parse_csv(s, n1, "Profile.csv", nul ? nul + 1 : NULL,
                                  nul ? size - n1 - 1 : 0, "Positions.csv", &lim, &p, &diag);
    } else {
        rc = lw_profile_parse_mem(s, size, "fuzz", &lim, &p, &diag);
    }
    if (rc < 0) {
        CHECK(p == NULL);
        CHECK(rc == LW_EPARSE || rc == LW_ELIMIT || rc == LW_ENOTFOUND || rc == LW_ENOMEM);
        CHECK(diag.msg[0] != '\0' || rc == LW_ENOMEM);
        return 0;
    }
    CHECK(p != NULL);
    check_profile(p);
    vet(p);
    lw_profile_free(p);
    return 0;
}
