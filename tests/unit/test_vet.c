/* test_vet.c -- the profile reader (JSON, Profile.csv/Positions.csv, folder,
 * ZIP) and the vet checks and rating, on the fixtures in
 * tests/data/profiles/ and on small profiles written inline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "detect/vet.h"
#include "detect/watchlist.h"
#include "ingest/profile.h"
#include "text/names.h"

/* Every test judges profiles as of 2025-11-20. */
static long today(void)
{
    return lw_vet_days_from_civil(2025, 11, 20);
}

static const char *datadir(void)
{
    const char *d = getenv("LW_TESTDATA");
    return d && *d ? d : "tests/data";
}

static struct lw_profile *read_fixture(const char *name)
{
    char path[4096];
    struct lw_profile *p = NULL;
    struct lw_diag diag;
    int rc;

    lw_diag_clear(&diag);
    snprintf(path, sizeof(path), "%s/profiles/%s", datadir(), name);
    rc = lw_profile_read(path, NULL, &p, &diag);
    if (rc < 0)
        fprintf(stderr, "%s: %s\n", path, diag.msg);
    assert_int_equal(rc, LW_OK);
    assert_non_null(p);
    return p;
}

static struct lw_vet_result *vet(const struct lw_profile *p, const struct lw_vet_refs *refs)
{
    struct lw_vet_opts o = {today(), refs, NULL};
    struct lw_vet_result *r = NULL;

    assert_int_equal(lw_vet_profile(p, &o, &r, NULL), LW_OK);
    assert_non_null(r);
    return r;
}

static struct lw_profile *parse_json(const char *json)
{
    struct lw_profile *p = NULL;
    struct lw_diag diag;
    int rc;

    lw_diag_clear(&diag);
    rc = lw_profile_parse_mem(json, strlen(json), "inline.json", NULL, &p, &diag);
    if (rc < 0)
        fprintf(stderr, "inline.json: %s\n", diag.msg);
    assert_int_equal(rc, LW_OK);
    return p;
}

static const struct lw_vet_flag *find_flag(const struct lw_vet_result *r, const char *code,
                                           const char *name)
{
    size_t i;

    for (i = 0; i < r->n_flags; i++)
        if (!strcmp(r->flags[i].code, code) && (!name || !strcmp(r->flags[i].name, name)))
            return &r->flags[i];
    return NULL;
}

/* ---- fixtures ----------------------------------------------------------- */

static void test_fake_ceo_is_high(void **state)
{
    struct lw_profile *p = read_fixture("fake-ceo.json");
    struct lw_vet_result *r = vet(p, NULL);
    const struct lw_vet_flag *f;

    (void)state;
    assert_string_equal(p->name, "Amanda Qiu");
    assert_true(p->connections_plus);
    assert_int_equal(p->connections, 500);
    assert_string_equal(p->photo_hash, "9f2c4e7a1b3d5f60"); /* lower-cased */
    assert_int_equal(p->n_positions, 1);
    assert_int_equal(r->rating, LW_VET_HIGH);
    assert_true(lw_vet_code_counts(r, "P2"));
    assert_true(lw_vet_code_counts(r, "P3"));
    assert_true(lw_vet_code_counts(r, "P4"));
    assert_true(lw_vet_code_counts(r, "P5"));
    f = find_flag(r, "P2", "generic employer");
    assert_non_null(f);
    assert_string_equal(f->field, "company");
    assert_non_null(strstr(f->evidence, "\"BR-YR Executive Search\""));
    assert_non_null(find_flag(r, "P3", "senior title, thin history"));
    assert_non_null(find_flag(r, "P3", "new account, long tenure"));
    assert_non_null(find_flag(r, "V1", "500+ connections on a new account"));
    assert_int_equal(r->score, 100);
    /* advice always includes the reverse image search and the report */
    assert_true(r->n_advice >= 4);
    assert_non_null(strstr(r->advice[0], "Reverse-image-search"));
    assert_non_null(strstr(r->advice[r->n_advice - 1], "security team"));
    lw_vet_result_free(r);
    lw_profile_free(p);
}

static void test_engineer_is_low(void **state)
{
    struct lw_profile *p = read_fixture("engineer.json");
    struct lw_vet_result *r = vet(p, NULL);

    (void)state;
    assert_int_equal(p->n_positions, 3);
    assert_int_equal(p->connections, 312);
    assert_int_equal(r->rating, LW_VET_LOW);
    assert_int_equal(r->n_flags, 0);
    assert_int_equal(r->score, 0);
    lw_vet_result_free(r);
    lw_profile_free(p);
}

static void test_recruiter_not_high(void **state)
{
    struct lw_profile *p = read_fixture("recruiter.json");
    struct lw_vet_result *r = vet(p, NULL);

    (void)state;
    /* A genuine recruiter says "executive search" (P2 wording), but has a
     * long, dated history, a website and an old account. */
    assert_int_equal(r->rating, LW_VET_LOW);
    assert_non_null(find_flag(r, "P2", "generic employer"));
    assert_null(find_flag(r, "P3", NULL));
    assert_null(find_flag(r, "P2", "no company website"));
    lw_vet_result_free(r);
    lw_profile_free(p);
}

static void test_linkedin_export_folder_csv_zip(void **state)
{
    static const char *const inputs[] = {"linkedin-export", "linkedin-export/Profile.csv",
                                         "linkedin-export/Positions.csv", "linkedin-export.zip"};
    size_t i;

    (void)state;
    for (i = 0; i < 4; i++) {
        struct lw_profile *p = read_fixture(inputs[i]);
        struct lw_vet_result *r = vet(p, NULL);

        assert_string_equal(p->name, "Shirly Example");
        assert_string_equal(p->headline, "Co-founder, Internship Union | Talent Exchange");
        assert_string_equal(p->location, "Hangzhou, Zhejiang, China");
        /* the quoted Summary keeps its line break */
        assert_non_null(strstr(p->about, "exchange.\nWe build a bridge"));
        assert_true(p->positions_known);
        assert_int_equal(p->n_positions, 1);
        assert_string_equal(p->positions[0].start, "Mar 2023");
        assert_null(p->positions[0].end);
        assert_string_equal(p->company, "Internship Union"); /* from the current position */
        assert_int_equal(r->rating, LW_VET_HIGH);
        assert_non_null(find_flag(r, "V2", "location mismatch"));
        assert_non_null(find_flag(r, "P5", "state-owned enterprise ties"));
        lw_vet_result_free(r);
        lw_profile_free(p);
    }
}

/* ---- reader ------------------------------------------------------------- */

static void test_csv_columns_by_name(void **state)
{
    /* Columns in another order, a BOM, unknown columns, a Notes preamble. */
    static const char prof[] = "\xEF\xBB\xBF"
                               "Notes:\n\"Exported profile\"\n\n"
                               "Geo Location,Headline,Extra,Last Name,First Name,Summary\n"
                               "\"Leeds, UK\",Data engineer,zzz,Doe,Jane,\"Likes, commas\"\n";
    static const char posn[] = "Finished On,Started On,Title,Company Name\n"
                               ",2021-01,Engineer,Acme Ltd\n"
                               "Dec 2020,Jun 2016,Intern,Beta plc\n";
    struct lw_profile *p = NULL;

    (void)state;
    assert_int_equal(lw_profile_parse_csv(prof, sizeof(prof) - 1, "P.csv", posn, sizeof(posn) - 1,
                                          "Q.csv", NULL, &p, NULL),
                     LW_OK);
    assert_string_equal(p->name, "Jane Doe");
    assert_string_equal(p->headline, "Data engineer");
    assert_string_equal(p->location, "Leeds, UK");
    assert_string_equal(p->about, "Likes, commas");
    assert_int_equal(p->n_positions, 2);
    assert_string_equal(p->positions[1].company, "Beta plc");
    assert_string_equal(p->positions[1].end, "Dec 2020");
    assert_string_equal(p->company, "Acme Ltd");
    lw_profile_free(p);
}

static void test_csv_missing_column(void **state)
{
    static const char posn[] = "Company Name,Title,Finished On\nAcme,CEO,\n";
    struct lw_profile *p = NULL;
    struct lw_diag diag;

    (void)state;
    lw_diag_clear(&diag);
    assert_int_equal(lw_profile_parse_csv(NULL, 0, NULL, posn, sizeof(posn) - 1, "Positions.csv",
                                          NULL, &p, &diag),
                     LW_EPARSE);
    assert_null(p);
    assert_string_equal(diag.source, "Positions.csv");
    assert_non_null(strstr(diag.msg, "'Started On'"));
}

static void test_json_errors(void **state)
{
    static const char bad[] = "{\n  \"name\": \"x\",\n  \"headline\" \"y\"\n}\n";
    static const char typed[] = "{\"connections\": \"lots\"}";
    static const char nested[] = "{\"positions\": [{\"title\": 7}]}";
    struct lw_profile *p = NULL;
    struct lw_diag diag;

    (void)state;
    lw_diag_clear(&diag);
    assert_int_equal(lw_profile_parse_mem(bad, sizeof(bad) - 1, "b.json", NULL, &p, &diag),
                     LW_EPARSE);
    assert_null(p);
    assert_string_equal(diag.source, "b.json");
    assert_int_equal(diag.line, 3);
    assert_true(diag.col > 0);

    lw_diag_clear(&diag);
    assert_int_equal(lw_profile_parse_mem(typed, sizeof(typed) - 1, "t.json", NULL, &p, &diag),
                     LW_EPARSE);
    assert_non_null(strstr(diag.msg, "'connections'"));

    lw_diag_clear(&diag);
    assert_int_equal(lw_profile_parse_mem(nested, sizeof(nested) - 1, "n.json", NULL, &p, &diag),
                     LW_EPARSE);
    assert_non_null(strstr(diag.msg, "positions[0].title"));
}

static void test_json_fields(void **state)
{
    struct lw_profile *p =
        parse_json("{\"first_name\": \"Li\", \"last_name\": \"Wei\", \"connections\": \" 42 \","
                   " \"account_age_days\": 30, \"photo\": null, \"website\": \"https://x.example\","
                   " \"positions\": [], \"education\": [\"Fudan University\", {\"school\": \"LSE\","
                   " \"end\": 2024}], \"unknown\": {\"ignored\": [1, 2]}}");

    (void)state;
    assert_string_equal(p->name, "Li Wei");
    assert_int_equal(p->connections, 42);
    assert_false(p->connections_plus);
    assert_int_equal(p->account_age_days, 30);
    assert_int_equal(p->photo, LW_PROFILE_PHOTO_NONE);
    assert_string_equal(p->company_url, "https://x.example");
    assert_true(p->positions_known);
    assert_int_equal(p->n_positions, 0);
    assert_int_equal(p->n_education, 2);
    assert_string_equal(p->education[0].school, "Fudan University");
    assert_string_equal(p->education[1].end, "2024");
    lw_profile_free(p);
}

static void test_invalid_utf8_in_csv_is_repaired(void **state)
{
    static const char prof[] = "First Name,Last Name,Headline\nJo\xff,Bad\x00"
                               "Byte,ok\n";
    struct lw_profile *p = NULL;

    (void)state;
    assert_int_equal(
        lw_profile_parse_csv(prof, sizeof(prof) - 1, NULL, NULL, 0, NULL, NULL, &p, NULL), LW_OK);
    assert_string_equal(p->name, "Jo\xEF\xBF\xBD Bad\xEF\xBF\xBD"
                                 "Byte");
    lw_profile_free(p);
}

/* ---- helpers ------------------------------------------------------------ */

static void test_dates(void **state)
{
    int y, m, d;

    (void)state;
    assert_int_equal(lw_vet_parse_date("2019-03-01", &y, &m, &d), LW_OK);
    assert_true(y == 2019 && m == 3 && d == 1);
    assert_int_equal(lw_vet_parse_date("Mar 2019", &y, &m, &d), LW_OK);
    assert_true(y == 2019 && m == 3 && d == 0);
    assert_int_equal(lw_vet_parse_date("September 2020", &y, &m, &d), LW_OK);
    assert_true(y == 2020 && m == 9);
    assert_int_equal(lw_vet_parse_date("12 Mar 2019", &y, &m, &d), LW_OK);
    assert_true(y == 2019 && m == 3 && d == 12);
    assert_int_equal(lw_vet_parse_date("Oct 02, 2025", &y, &m, &d), LW_OK);
    assert_true(y == 2025 && m == 10 && d == 2);
    assert_int_equal(lw_vet_parse_date("03/2019", &y, &m, &d), LW_OK);
    assert_true(y == 2019 && m == 3);
    assert_int_equal(lw_vet_parse_date("3/14/19", &y, &m, &d), LW_OK);
    assert_true(y == 2019 && m == 3 && d == 14);
    assert_int_equal(lw_vet_parse_date("2021", &y, &m, &d), LW_OK);
    assert_true(y == 2021 && m == 0);
    assert_int_equal(lw_vet_parse_date("present", &y, &m, &d), LW_EINVAL);
    assert_int_equal(lw_vet_parse_date("2019-13", &y, &m, &d), LW_EINVAL);
    assert_int_equal(lw_vet_parse_date("", &y, &m, &d), LW_EINVAL);
    assert_int_equal(lw_vet_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(lw_vet_days_from_civil(2000, 3, 1), 11017);
}

static void test_jaccard(void **state)
{
    static const char a[] = "We are a renowned high-end executive search firm connecting global "
                            "talents with government departments and state-owned enterprises.";
    static const char b[] = "We are a renowned high-end executive search company connecting "
                            "global talents with government departments and state-owned "
                            "enterprises.";
    static const char c[] = "Embedded engineer working on motor control firmware for warehouse "
                            "robots and test rigs.";
    double j;

    (void)state;
    assert_true(lw_vet_jaccard(a, a) > 0.999);
    j = lw_vet_jaccard(a, b);
    assert_true(j > 0.6 && j < 1.0);
    assert_true(lw_vet_jaccard(a, c) < 0.01);
    assert_true(lw_vet_jaccard("too short", "too short") == 0.0);
    /* CJK characters are tokens of their own */
    assert_true(lw_vet_jaccard("我们是一家高端猎头公司服务政府", "我们是一家高端猎头公司服务政府") >
                0.999);
}

/* ---- individual checks -------------------------------------------------- */

static void test_near_duplicate_bio(void **state)
{
    struct lw_vet_refs refs;
    struct lw_profile *p = parse_json(
        "{\"name\": \"Grace Lin\", \"about\": \"As a leading international think tank, we "
        "invite experienced experts in foreign policy, defence and trade to share their "
        "insights with our clients through paid reports and short consultations.\"}");
    struct lw_vet_result *r;
    const struct lw_vet_flag *f;

    (void)state;
    lw_vet_refs_init(&refs);
    assert_int_equal(lw_vet_refs_add_bio(&refs, "Unrelated text about gardening, roses and the "
                                                "best time of year to prune them."),
                     LW_OK);
    assert_int_equal(
        lw_vet_refs_add_bio(&refs, "As a leading international think tank, we invite "
                                   "experienced experts in foreign policy, defence and trade "
                                   "to share their insights with our clients through paid "
                                   "reports and short consultations. Remuneration is generous."),
        LW_OK);
    r = vet(p, &refs);
    f = find_flag(r, "P4", "near-duplicate of a suspicious bio");
    assert_non_null(f);
    assert_int_equal(f->weight, 35);
    assert_non_null(strstr(f->evidence, "known suspicious bio 2"));
    lw_vet_result_free(r);

    /* without the list there is no such flag */
    r = vet(p, NULL);
    assert_null(find_flag(r, "P4", "near-duplicate of a suspicious bio"));
    lw_vet_result_free(r);
    lw_profile_free(p);
    lw_vet_refs_release(&refs);
}

static void test_photo(void **state)
{
    struct lw_vet_refs refs;
    struct lw_profile *p = parse_json("{\"name\": \"A B\", \"photo_hash\": \"ABCDEF01\"}");
    struct lw_profile *q = parse_json("{\"name\": \"A B\", \"photo\": false}");
    struct lw_vet_result *r;

    (void)state;
    lw_vet_refs_init(&refs);
    assert_int_equal(lw_vet_refs_add_hash(&refs, "abcdef01"), LW_OK);
    r = vet(p, &refs);
    assert_non_null(find_flag(r, "P1", "known re-used photo"));
    assert_true(lw_vet_code_counts(r, "P1"));
    lw_vet_result_free(r);
    r = vet(q, &refs);
    assert_non_null(find_flag(r, "P1", "no photo"));
    assert_false(lw_vet_code_counts(r, "P1")); /* 15 < 20: weak alone */
    lw_vet_result_free(r);
    lw_profile_free(p);
    lw_profile_free(q);
    lw_vet_refs_release(&refs);
}

static void test_names(void **state)
{
    /* "Аmanda" starts with Cyrillic А (U+0410) */
    struct lw_profile *mixed = parse_json("{\"name\": \"\xD0\x90manda Qiu\"}");
    struct lw_profile *caps = parse_json("{\"name\": \"AMANDA QIU\"}");
    struct lw_profile *single = parse_json("{\"name\": \"Amanda\"}");
    struct lw_profile *han = parse_json("{\"name\": \"邱晓\"}");
    struct lw_vet_result *r;
    const struct lw_vet_flag *f;

    (void)state;
    r = vet(mixed, NULL);
    f = find_flag(r, "V3", "name mixes scripts");
    assert_non_null(f);
    assert_int_equal(f->weight, 25);
    lw_vet_result_free(r);
    r = vet(caps, NULL);
    assert_non_null(find_flag(r, "V3", "all-capital name"));
    assert_null(find_flag(r, "V3", "name mixes scripts"));
    lw_vet_result_free(r);
    r = vet(single, NULL);
    assert_non_null(find_flag(r, "V3", "single-word name"));
    lw_vet_result_free(r);
    r = vet(han, NULL); /* Chinese names are written without spaces */
    assert_null(find_flag(r, "V3", NULL));
    lw_vet_result_free(r);
    lw_profile_free(mixed);
    lw_profile_free(caps);
    lw_profile_free(single);
    lw_profile_free(han);
}

static void test_dates_and_tenure(void **state)
{
    struct lw_profile *p = parse_json(
        "{\"name\": \"Tom Reed\", \"about\": \"Over 20 years of experience in strategy.\","
        " \"positions\": [{\"company\": \"A\", \"title\": \"Analyst\", \"start\": \"2022-01\"},"
        " {\"company\": \"B\", \"title\": \"Clerk\", \"start\": \"2021-06\", \"end\": "
        "\"2020-01\"}]}");
    struct lw_profile *ok = parse_json(
        "{\"name\": \"Tom Reed\", \"about\": \"I am 45 years old and 3 years into this job.\","
        " \"positions\": [{\"company\": \"A\", \"title\": \"Analyst\", \"start\": \"2022-01\"}]}");
    struct lw_vet_result *r;
    const struct lw_vet_flag *f;

    (void)state;
    r = vet(p, NULL);
    f = find_flag(r, "P3", "tenure claim does not fit dates");
    assert_non_null(f);
    assert_string_equal(f->field, "about");
    assert_non_null(strstr(f->evidence, "20 years"));
    f = find_flag(r, "P3", "dates contradict");
    assert_non_null(f);
    assert_string_equal(f->field, "positions[1].end");
    lw_vet_result_free(r);
    r = vet(ok, NULL); /* "45 years old" is an age, not a tenure */
    assert_null(find_flag(r, "P3", NULL));
    lw_vet_result_free(r);
    lw_profile_free(p);
    lw_profile_free(ok);
}

static void test_targets_network_location(void **state)
{
    struct lw_profile *p = parse_json(
        "{\"name\": \"Kate Moss\", \"headline\": \"Research lead | Looking for experts in "
        "defence and foreign policy\", \"connections\": 12, \"location\": \"Singapore\","
        " \"positions\": [{\"company\": \"Z\", \"title\": \"Lead\", \"start\": \"2015\","
        " \"location\": \"Remote\"}]}");
    struct lw_vet_result *r;

    (void)state;
    r = vet(p, NULL);
    assert_non_null(find_flag(r, "A6", "targets people with access"));
    assert_non_null(find_flag(r, "V1", "few connections"));
    assert_null(find_flag(r, "V2", NULL)); /* remote positions are not a mismatch */
    lw_vet_result_free(r);
    lw_profile_free(p);
}

static void test_rating_rule(void **state)
{
    /* Two counted codes (A6 and P3) without P2/P5: medium. */
    struct lw_profile *two = parse_json(
        "{\"name\": \"Sam Hill\", \"headline\": \"Founder | seeking government officials for "
        "interviews\", \"positions\": [{\"company\": \"Hill Media\", \"title\": \"Founder\","
        " \"start\": \"2024-01\"}]}");
    /* A government mention alone (15) is not a counted code: low. */
    struct lw_profile *one = parse_json(
        "{\"name\": \"Ann Lee\", \"headline\": \"Software engineer\", \"about\": \"I build "
        "accessible forms for local government.\"}");
    struct lw_vet_result *r;

    (void)state;
    r = vet(two, NULL);
    assert_true(lw_vet_code_counts(r, "A6"));
    assert_true(lw_vet_code_counts(r, "P3"));
    assert_false(lw_vet_code_counts(r, "P2"));
    assert_int_equal(r->rating, LW_VET_MEDIUM);
    assert_true(r->n_why == 1 && strstr(r->why[0], "codes count"));
    lw_vet_result_free(r);
    r = vet(one, NULL);
    assert_non_null(find_flag(r, "P5", "mentions government"));
    assert_int_equal(r->rating, LW_VET_LOW);
    lw_vet_result_free(r);
    lw_profile_free(two);
    lw_profile_free(one);
}

static void test_refs_files(void **state)
{
    char path[4096];
    struct lw_vet_refs refs;
    struct lw_diag diag;
    FILE *f;

    (void)state;
    lw_vet_refs_init(&refs);
    snprintf(path, sizeof(path), "%s/data/suspicious-bios.txt",
             getenv("LW_SRC") ? getenv("LW_SRC") : ".");
    assert_int_equal(lw_vet_refs_load_bios(&refs, path, 1 << 20, NULL), LW_OK);
    assert_true(refs.n_bios >= 5);
    assert_null(strchr(refs.bios[0], '#'));

    snprintf(path, sizeof(path), "test_vet_hashes.%ld.txt", (long)getpid());
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("# comment\nABCDEF  stock photo\n\n0123\nnot-hex\n", f);
    fclose(f);
    lw_diag_clear(&diag);
    assert_int_equal(lw_vet_refs_load_hashes(&refs, path, 4096, &diag), LW_EPARSE);
    assert_int_equal(diag.line, 5);
    assert_int_equal(refs.n_photo_hashes, 2);
    assert_string_equal(refs.photo_hashes[0], "abcdef");
    remove(path);
    lw_vet_refs_release(&refs);
}

static void test_watchlist(void **state)
{
    static const char *aliases[] = {"BP-YR Executive Search"};
    struct lw_entry e[3];
    struct lw_names *names = NULL;
    struct lw_watchlist *wl = NULL;
    struct lw_profile *fake = read_fixture("fake-ceo.json");
    struct lw_profile *eng = read_fixture("engineer.json");
    struct lw_vet_opts o = {today(), NULL, NULL};
    struct lw_vet_result *r = NULL;
    char path[4096];
    size_t i;

    (void)state;
    snprintf(path, sizeof(path), "%s/data/surnames.tsv", getenv("LW_SRC") ? getenv("LW_SRC") : ".");
    assert_int_equal(lw_names_load(path, &names, NULL), LW_OK);
    memset(e, 0, sizeof(e));
    e[0].type = LW_ENTRY_ORG;
    e[0].value = "BR-YR Executive Search";
    e[0].aliases = aliases;
    e[0].n_aliases = 1;
    e[1].type = LW_ENTRY_PERSONA;
    e[1].value = "Priya Natarajan";
    e[1].note = "test persona";
    e[2].type = LW_ENTRY_URL;
    e[2].value = "https://www.linkedin.com/in/priya-natarajan-nw";
    for (i = 0; i < 3; i++) {
        e[i].source = "unit test";
        e[i].date = "2025-11";
        e[i].confidence = 90;
    }

    /* a name alone is at most medium, and makes the rating medium */
    assert_int_equal(lw_watchlist_build(e, 2, names, &wl, NULL), LW_OK);
    o.watchlist = wl;
    assert_int_equal(lw_vet_profile(eng, &o, &r, NULL), LW_OK);
    assert_int_equal(r->n_indicators, 1);
    assert_string_equal(r->indicators[0].field, "name");
    assert_string_equal(r->indicators[0].type, "persona");
    assert_string_equal(r->indicators[0].strength, "medium");
    assert_string_equal(r->indicators[0].note, "test persona");
    assert_int_equal(r->n_flags, 0);
    assert_int_equal(r->rating, LW_VET_MEDIUM);
    assert_non_null(strstr(r->why[0], "medium watchlist match"));
    lw_vet_result_free(r);

    /* the front company matches strongly: high on its own */
    assert_int_equal(lw_vet_profile(fake, &o, &r, NULL), LW_OK);
    assert_int_equal(r->n_indicators, 1);
    assert_string_equal(r->indicators[0].field, "company");
    assert_string_equal(r->indicators[0].strength, "strong");
    assert_int_equal(r->rating, LW_VET_HIGH);
    assert_non_null(strstr(r->why[0], "strong watchlist match"));
    lw_vet_result_free(r);
    lw_watchlist_free(wl);
    wl = NULL;

    /* a known profile URL is strong */
    assert_int_equal(lw_watchlist_build(e + 2, 1, names, &wl, NULL), LW_OK);
    o.watchlist = wl;
    assert_int_equal(lw_vet_profile(eng, &o, &r, NULL), LW_OK);
    assert_int_equal(r->n_indicators, 1);
    assert_string_equal(r->indicators[0].field, "url");
    assert_string_equal(r->indicators[0].strength, "strong");
    assert_int_equal(r->rating, LW_VET_HIGH);
    lw_vet_result_free(r);

    /* no watchlist, no indicators */
    o.watchlist = NULL;
    assert_int_equal(lw_vet_profile(eng, &o, &r, NULL), LW_OK);
    assert_int_equal(r->n_indicators, 0);
    assert_int_equal(r->rating, LW_VET_LOW);
    lw_vet_result_free(r);

    lw_watchlist_free(wl);
    lw_names_free(names);
    lw_profile_free(fake);
    lw_profile_free(eng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fake_ceo_is_high),
        cmocka_unit_test(test_engineer_is_low),
        cmocka_unit_test(test_recruiter_not_high),
        cmocka_unit_test(test_linkedin_export_folder_csv_zip),
        cmocka_unit_test(test_csv_columns_by_name),
        cmocka_unit_test(test_csv_missing_column),
        cmocka_unit_test(test_json_errors),
        cmocka_unit_test(test_json_fields),
        cmocka_unit_test(test_invalid_utf8_in_csv_is_repaired),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_jaccard),
        cmocka_unit_test(test_near_duplicate_bio),
        cmocka_unit_test(test_photo),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_dates_and_tenure),
        cmocka_unit_test(test_targets_network_location),
        cmocka_unit_test(test_rating_rule),
        cmocka_unit_test(test_refs_files),
        cmocka_unit_test(test_watchlist),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
