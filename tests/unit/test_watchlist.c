/* test_watchlist.c -- unit tests for watchlist entries and screening
 * (src/detect/watchlist.h): type names, entry checks, dates and expiry, the
 * entry list, and lw_watchlist_match_msg on sender fields and text --
 * personas across romanisations, fronts with legal forms and spelling
 * variants, domains and their look-alikes, e-mail, profile URLs, phone
 * numbers, handles, templates, Han names -- plus what must NOT match
 * (surname only, other people with the same surname, expired entries) and
 * the callback contract. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "detect/verdict.h"
#include "detect/watchlist.h"
#include "detect/watchlist_int.h"
#include "detect/watchlist_match.h"
#include "text/norm.h"

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
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    lw_names_free(nm);
    lw_norm_global_free();
    return 0;
}

/* ---- entries ---- */

static void test_type_names(void **state)
{
    enum lw_entry_type t;
    int i;

    (void)state;
    for (i = LW_ENTRY_PERSONA; i <= LW_ENTRY_IMPERSONATED; i++) {
        assert_int_equal(lw_entry_type_parse(lw_entry_type_name((enum lw_entry_type)i), &t), LW_OK);
        assert_int_equal((int)t, i);
    }
    assert_int_equal(lw_entry_type_parse("Organisation", &t), LW_OK);
    assert_int_equal(t, LW_ENTRY_ORG);
    assert_int_equal(lw_entry_type_parse("spy", &t), LW_EINVAL);
    assert_string_equal(lw_entry_type_name((enum lw_entry_type)99), "unknown");
}

static struct lw_entry entry(enum lw_entry_type t, const char *value)
{
    struct lw_entry e;

    memset(&e, 0, sizeof(e));
    e.type = t;
    e.value = value;
    e.source = "Test source";
    e.date = "2025-11";
    e.confidence = 80;
    return e;
}

static void test_entry_check(void **state)
{
    struct lw_diag d;
    struct lw_entry e = entry(LW_ENTRY_PERSONA, "Amanda Qiu");
    const char *bad_alias[] = {"Amanda|Qiu"};

    (void)state;
    assert_int_equal(lw_entry_check(&e, &d), LW_OK);
    e.source = "";
    assert_int_equal(lw_entry_check(&e, &d), LW_EINVAL);
    assert_non_null(strstr(d.msg, "source"));
    e.source = "MI5";
    e.date = "Nov 2025";
    assert_int_equal(lw_entry_check(&e, &d), LW_EINVAL);
    assert_non_null(strstr(d.msg, "date"));
    e.date = "2025-13";
    assert_int_equal(lw_entry_check(&e, &d), LW_EINVAL);
    e.date = "2025-11-18T10:00:00Z";
    assert_int_equal(lw_entry_check(&e, &d), LW_OK);
    e.confidence = 101;
    assert_int_equal(lw_entry_check(&e, &d), LW_EINVAL);
    assert_non_null(strstr(d.msg, "confidence"));
    e.confidence = 50;
    e.aliases = bad_alias;
    e.n_aliases = 1;
    assert_int_equal(lw_entry_check(&e, &d), LW_EINVAL);
    assert_non_null(strstr(d.msg, "aliases"));
    e = entry(LW_ENTRY_EMAIL, "not-an-address");
    assert_int_equal(lw_entry_check(&e, &d), LW_EINVAL);
    e = entry(LW_ENTRY_EMAIL, "a@b.example");
    assert_int_equal(lw_entry_check(&e, &d), LW_OK);
    e = entry(LW_ENTRY_DOMAIN, "br yr.com");
    assert_int_equal(lw_entry_check(&e, &d), LW_EINVAL);
    e = entry(LW_ENTRY_PHONE, "12345");
    assert_int_equal(lw_entry_check(&e, &d), LW_EINVAL);
    e = entry(LW_ENTRY_PHONE, "+44 (0)20 7946 0123");
    assert_int_equal(lw_entry_check(&e, &d), LW_OK);
    e = entry(LW_ENTRY_PERSONA, "Amanda\x01Qiu");
    assert_int_equal(lw_entry_check(&e, &d), LW_EINVAL);
    e = entry(LW_ENTRY_TEMPLATE, "Dear Sir,\n\tline two");
    assert_int_equal(lw_entry_check(&e, &d), LW_OK);
    e.type = (enum lw_entry_type)42;
    assert_int_equal(lw_entry_check(&e, &d), LW_EINVAL);
    assert_non_null(strstr(d.msg, "type"));
}

static void test_dates_and_expiry(void **state)
{
    struct lw_entry e = entry(LW_ENTRY_DOMAIN, "br-yr.com");
    char today[16];

    (void)state;
    assert_true(lw_entry_date_valid("2017"));
    assert_true(lw_entry_date_valid("2017-12"));
    assert_true(lw_entry_date_valid("2017-12-10"));
    assert_true(lw_entry_date_valid("2017-12-10T08:00:00.123+01:00"));
    assert_false(lw_entry_date_valid("2017-1"));
    assert_false(lw_entry_date_valid("2017-12-32"));
    assert_false(lw_entry_date_valid("2017-12-10T25:00"));
    assert_false(lw_entry_date_valid(""));
    assert_false(lw_entry_expired(&e, "2030-01-01"));
    e.expires = "2026-01";
    assert_false(lw_entry_expired(&e, "2026-01-31")); /* valid through January */
    assert_true(lw_entry_expired(&e, "2026-02-01"));
    e.expires = "2026-01-15";
    assert_false(lw_entry_expired(&e, "2026-01-15"));
    assert_true(lw_entry_expired(&e, "2026-01-16"));
    lw_entry_today(today, sizeof(today));
    assert_int_equal(strlen(today), 10);
    assert_true(lw_entry_date_valid(today));
}

static void test_entry_list_copies(void **state)
{
    struct lw_entry_list l;
    char value[] = "Amanda Qiu", alias[] = "Amanda Chiu";
    const char *aliases[] = {alias};
    struct lw_entry e = entry(LW_ENTRY_PERSONA, value);
    int i;

    (void)state;
    e.aliases = aliases;
    e.n_aliases = 1;
    lw_entry_list_init(&l);
    for (i = 0; i < 200; i++)
        assert_int_equal(lw_entry_list_add(&l, &e), LW_OK);
    value[0] = 'X';
    alias[0] = 'X';
    assert_int_equal(l.n, 200);
    assert_string_equal(l.v[199].value, "Amanda Qiu");
    assert_string_equal(l.v[0].aliases[0], "Amanda Chiu");
    assert_string_equal(l.v[5].source, "Test source");
    lw_entry_list_release(&l);
    lw_entry_list_release(&l); /* released twice: a no-op */
}

/* ---- screening ---- */

struct got {
    struct lw_indicator v[64];
    size_t n;
    int stop_with;
};

static int collect(void *ctx, const struct lw_indicator *ind)
{
    struct got *g = ctx;

    if (g->n < LW_ARRAY_LEN(g->v))
        g->v[g->n++] = *ind;
    return g->stop_with;
}

static const struct lw_indicator *find(const struct got *g, const char *value, const char *field)
{
    size_t i;

    for (i = 0; i < g->n; i++)
        if (!strcmp(g->v[i].entry->value, value) && !strcmp(g->v[i].field, field))
            return &g->v[i];
    return NULL;
}

static const char *amanda_aliases[] = {"Amanda Chiu"};
static const char *bryr_aliases[] = {"BP-YR Executive Search"};
static const char *persona_related[] = {"BR-YR Executive Search"};

static struct lw_watchlist *fixture(void)
{
    struct lw_entry e[16];
    struct lw_watchlist *wl = NULL;
    struct lw_diag d;
    size_t n = 0;

    e[n] = entry(LW_ENTRY_PERSONA, "Amanda Qiu");
    e[n].aliases = amanda_aliases;
    e[n].n_aliases = 1;
    e[n].related = persona_related;
    e[n].n_related = 1;
    e[n++].hanzi = "邱曼达";
    e[n] = entry(LW_ENTRY_ORG, "BR-YR Executive Search");
    e[n].aliases = bryr_aliases;
    e[n++].n_aliases = 1;
    e[n++] = entry(LW_ENTRY_ORG, "Internship Union");
    e[n++] = entry(LW_ENTRY_DOMAIN, "br-yr.com");
    e[n++] = entry(LW_ENTRY_EMAIL, "Amanda@BR-YR.com");
    e[n++] = entry(LW_ENTRY_URL, "https://www.linkedin.com/in/amanda-qiu-1234/");
    e[n++] = entry(LW_ENTRY_PHONE, "+44 20 7946 0123");
    e[n] = entry(LW_ENTRY_HANDLE, "@privetbot");
    e[n++].platform = "telegram";
    e[n++] = entry(LW_ENTRY_IMPERSONATED, "Jenny Town");
    e[n] = entry(LW_ENTRY_PERSONA, "Old Persona Name");
    e[n++].expires = "2020-01";
    e[n++] = entry(LW_ENTRY_PERSONA, "Rachel Li");
    e[n++] = entry(LW_ENTRY_TEMPLATE,
                   "We are a consultancy that advises clients in Asia on policy. We would like "
                   "to invite you to write short paid reports on current affairs for our clients, "
                   "and we pay well for your insight and expertise.");
    e[n++] = entry(LW_ENTRY_PERSONA, "郭佳瑛");
    lw_diag_clear(&d);
    if (lw_watchlist_build(e, n, nm, &wl, &d) != LW_OK)
        fail_msg("build: %s", d.msg);
    assert_int_equal(lw_watchlist_count(wl), n - 1); /* the expired one is left out */
    return wl;
}

static void screen_text(const struct lw_watchlist *wl, const struct lw_msg *m, const char *raw,
                        struct got *g, char **normed)
{
    char *t = NULL;

    memset(g, 0, sizeof(*g));
    assert_int_equal(lw_norm_str(raw, strlen(raw), &t, NULL), LW_OK);
    assert_int_equal(lw_watchlist_match_msg(wl, m, t, strlen(t), collect, g), LW_OK);
    *normed = t;
}

static void assert_span(const char *text, const struct lw_indicator *ind, const char *want)
{
    assert_non_null(ind);
    assert_true(ind->end > ind->start);
    if (strlen(want) != ind->end - ind->start || memcmp(text + ind->start, want, strlen(want)))
        fail_msg("span is '%.*s', want '%s'", (int)(ind->end - ind->start), text + ind->start,
                 want);
}

static void test_sender_fields(void **state)
{
    struct lw_watchlist *wl = fixture();
    struct lw_msg *m = lw_msg_new();
    const struct lw_indicator *ind;
    struct got g;
    char *t;

    (void)state;
    m->from.name = "Amanda Khoo"; /* Khoo is a Hokkien romanisation of 邱 */
    m->from.address = "recruiting@BR-YR.com";
    m->from.profile = "https://uk.linkedin.com/in/Amanda-Qiu-1234?trk=people";
    screen_text(wl, m, "Hello", &g, &t);
    ind = find(&g, "Amanda Qiu", "from.name");
    assert_non_null(ind);
    assert_true(ind->strength >= LW_NAME_MEDIUM);
    assert_int_equal(ind->start, 0);
    assert_non_null(strstr(ind->why, "Test source"));
    ind = find(&g, "br-yr.com", "from.address");
    assert_non_null(ind);
    assert_int_equal(ind->strength, LW_NAME_STRONG);
    ind = find(&g, "https://www.linkedin.com/in/amanda-qiu-1234/", "from.profile");
    assert_non_null(ind);
    assert_int_equal(ind->strength, LW_NAME_STRONG);
    free(t);

    /* A look-alike sender domain is found, but not as strong as the real one. */
    m->from.name = NULL;
    m->from.profile = NULL;
    m->from.address = "hr@br-yr.co";
    screen_text(wl, m, "", &g, &t);
    ind = find(&g, "br-yr.com", "from.address");
    assert_non_null(ind);
    assert_int_equal(ind->strength, LW_NAME_MEDIUM);
    free(t);

    /* A chat handle as the address; a phone number as the address. */
    m->from.address = "PrivetBot";
    screen_text(wl, m, "", &g, &t);
    assert_non_null(find(&g, "@privetbot", "from.address"));
    free(t);
    m->from.address = "+44 (0) 20 7946 0123";
    screen_text(wl, m, "", &g, &t);
    assert_non_null(find(&g, "+44 20 7946 0123", "from.address"));
    free(t);
    lw_msg_free(m);
    lw_watchlist_free(wl);
}

static void test_text(void **state)
{
    struct lw_watchlist *wl = fixture();
    const struct lw_indicator *ind;
    struct got g;
    char *t;
    size_t i;

    (void)state;
    screen_text(
        wl, NULL,
        "Dear colleague, I am Amanda CHIU, head of research at BP-YR Executive Search "
        "Ltd. Write to amanda@br-yr.com or visit https://www.linkedin.com/in/amanda-qiu-1234 "
        "- you can also call me on +44 (0)20 7946 0123, or on Telegram @PrivetBot. "
        "Our partner Jason Li says hello. Mr Qiu sends his regards.",
        &g, &t);
    ind = find(&g, "Amanda Qiu", "text");
    assert_span(t, ind, "amanda chiu");
    assert_true(ind->strength >= LW_NAME_MEDIUM);
    ind = find(&g, "BR-YR Executive Search", "text");
    assert_span(t, ind, "bp-yr executive search");
    assert_true(ind->strength >= LW_NAME_MEDIUM);
    ind = find(&g, "Amanda@BR-YR.com", "text");
    assert_span(t, ind, "amanda@br-yr.com");
    assert_int_equal(ind->strength, LW_NAME_STRONG);
    ind = find(&g, "br-yr.com", "text");
    assert_non_null(ind);
    assert_int_equal(ind->strength, LW_NAME_STRONG);
    ind = find(&g, "https://www.linkedin.com/in/amanda-qiu-1234/", "text");
    assert_span(t, ind, "https://www.linkedin.com/in/amanda-qiu-1234");
    ind = find(&g, "+44 20 7946 0123", "text");
    assert_span(t, ind, "+44 (0)20 7946 0123");
    ind = find(&g, "@privetbot", "text");
    assert_span(t, ind, "@privetbot");
    /* Jason Li is not Rachel Li; "Mr Qiu" is a surname alone. */
    assert_null(find(&g, "Internship Union", "text"));
    assert_null(find(&g, "Rachel Li", "text"));
    for (i = 0; i < g.n; i++)
        if (!strcmp(g.v[i].entry->value, "Amanda Qiu"))
            assert_true(g.v[i].end - g.v[i].start > strlen("qiu"));
    free(t);

    /* A handle written without its @, and a bare domain. */
    screen_text(wl, NULL, "Message privetbot on Telegram, or see br-yr.com/jobs.", &g, &t);
    ind = find(&g, "@privetbot", "text");
    assert_span(t, ind, "privetbot");
    assert_int_equal(ind->strength, LW_NAME_STRONG);
    assert_non_null(find(&g, "br-yr.com", "text"));
    free(t);

    /* Nothing on the list: nothing reported. */
    screen_text(wl, NULL,
                "Thank you for your application to the research assistant post. Li Wei and "
                "Amanda Smith will interview you on Tuesday; our domain is example.org.",
                &g, &t);
    if (g.n)
        fail_msg("unexpected indicator: %s", g.v[0].why);
    free(t);
    lw_watchlist_free(wl);
}

static void test_surname_only_is_weak(void **state)
{
    struct lw_watchlist *wl = fixture();
    struct lw_msg *m = lw_msg_new();
    struct got g;
    char *t;
    size_t i;

    (void)state;
    m->from.name = "Qiu";
    screen_text(wl, m, "qiu qiu qiu", &g, &t);
    for (i = 0; i < g.n; i++)
        assert_true(g.v[i].strength <= LW_NAME_WEAK);
    free(t);
    m->from.name = "Jason Li";
    screen_text(wl, m, "", &g, &t);
    for (i = 0; i < g.n; i++)
        assert_true(g.v[i].strength <= LW_NAME_WEAK);
    free(t);
    lw_msg_free(m);
    lw_watchlist_free(wl);
}

static void test_impersonated_and_expired(void **state)
{
    struct lw_watchlist *wl = fixture();
    const struct lw_indicator *ind;
    struct got g;
    char *t;

    (void)state;
    screen_text(wl, NULL, "Regards, Jenny Town, Old Persona Name", &g, &t);
    ind = find(&g, "Jenny Town", "text");
    assert_non_null(ind);
    assert_int_equal(ind->strength, LW_NAME_WEAK);
    assert_non_null(strstr(ind->why, "real person"));
    assert_null(find(&g, "Old Persona Name", "text"));
    free(t);
    lw_watchlist_free(wl);
}

static void test_templates(void **state)
{
    struct lw_watchlist *wl = fixture();
    const struct lw_indicator *ind;
    struct got g;
    char *t;

    (void)state;
    /* The template with a greeting added and two words changed. */
    screen_text(wl, NULL,
                "Hi Tom! We are a consultancy that advises clients in Asia on policy. We would "
                "like to invite you to write short paid reports on current events for our "
                "clients, and we pay very well for your insight and expertise.",
                &g, &t);
    assert_int_equal(g.n, 1);
    ind = &g.v[0];
    assert_int_equal(ind->entry->type, LW_ENTRY_TEMPLATE);
    assert_true(ind->strength >= LW_NAME_MEDIUM);
    free(t);
    screen_text(wl, NULL,
                "We are a consultancy. We pay our staff on time and advise clients in Europe.", &g,
                &t);
    assert_int_equal(g.n, 0);
    free(t);
    lw_watchlist_free(wl);
}

/* The points a message earns from the fixture's watchlist (and its
 * indicators, in v). */
static int screen_points(const struct lw_watchlist *wl, const char *raw, struct lw_verdict *v)
{
    struct lw_normtext nt;
    int points = -1;

    memset(v, 0, sizeof(*v));
    lw_normtext_init(&nt);
    assert_int_equal(lw_norm(raw, strlen(raw), 0, &nt, NULL), LW_OK);
    assert_int_equal(lw_watchlist_screen(wl, NULL, &nt, v, &points), LW_OK);
    lw_normtext_release(&nt);
    return points;
}

/* One approach has one sender: a report naming two listed personas earns
 * what one does, while a persona with her front adds up. */
static void test_points_per_type(void **state)
{
    struct lw_watchlist *wl = fixture();
    struct lw_verdict v;
    int one, two, pair;

    (void)state;
    one = screen_points(wl, "The profile of Amanda Qiu was removed.", &v);
    assert_int_equal(v.n_indicators, 1);
    two = screen_points(wl, "Officials named Amanda Qiu and Rachel Li as false personas.", &v);
    assert_int_equal(v.n_indicators, 2);
    pair = screen_points(wl, "I am Amanda Qiu of BR-YR Executive Search.", &v);
    assert_int_equal(v.n_indicators, 2);
    assert_true(one > 0);
    assert_int_equal(two, one);
    assert_true(pair > one);
    lw_watchlist_free(wl);
}

static void test_han(void **state)
{
    struct lw_watchlist *wl = fixture();
    const struct lw_indicator *ind;
    struct got g;
    char *t;

    (void)state;
    screen_text(wl, NULL, "您好，我是邱曼达，鹰传媒的郭佳瑛让我联系您。", &g, &t);
    ind = find(&g, "Amanda Qiu", "text");
    assert_span(t, ind, "邱曼达");
    ind = find(&g, "郭佳瑛", "text");
    assert_span(t, ind, "郭佳瑛");
    free(t);
    lw_watchlist_free(wl);
}

/* A name is never proof: full names at most MEDIUM, one-word names WEAK and
 * only as a sender's whole name. */
static void test_name_caps(void **state)
{
    struct lw_entry e[2] = {entry(LW_ENTRY_PERSONA, "Evelyn"),
                            entry(LW_ENTRY_PERSONA, "Laeticia Chen")};
    struct lw_watchlist *wl = NULL;
    struct lw_msg *m = lw_msg_new();
    const struct lw_indicator *ind;
    struct got g;
    char *t;

    (void)state;
    assert_int_equal(lw_watchlist_build(e, 2, nm, &wl, NULL), LW_OK);
    m->from.name = "Laeticia Chen";
    screen_text(wl, m, "Evelyn will call you. Regards, Laeticia Chen", &g, &t);
    ind = find(&g, "Laeticia Chen", "from.name");
    assert_non_null(ind);
    assert_int_equal(ind->strength, LW_NAME_MEDIUM); /* the same name, yet only medium */
    assert_non_null(strstr(ind->why, "strong name match"));
    ind = find(&g, "Laeticia Chen", "text");
    assert_non_null(ind);
    assert_int_equal(ind->strength, LW_NAME_MEDIUM);
    assert_null(find(&g, "Evelyn", "text")); /* a common first name in a text: nothing */
    free(t);
    m->from.name = "Evelyn Smith";
    screen_text(wl, m, "", &g, &t);
    assert_int_equal(g.n, 0);
    free(t);
    m->from.name = "EVELYN";
    screen_text(wl, m, "", &g, &t);
    ind = find(&g, "Evelyn", "from.name");
    assert_non_null(ind);
    assert_int_equal(ind->strength, LW_NAME_WEAK);
    free(t);
    lw_msg_free(m);
    lw_watchlist_free(wl);
}

static void test_callback_stops(void **state)
{
    struct lw_watchlist *wl = fixture();
    struct got g;
    char *t = NULL;
    const char *raw = "amanda@br-yr.com and @privetbot and +44 20 7946 0123";

    (void)state;
    memset(&g, 0, sizeof(g));
    g.stop_with = 42;
    assert_int_equal(lw_norm_str(raw, strlen(raw), &t, NULL), LW_OK);
    assert_int_equal(lw_watchlist_match_msg(wl, NULL, t, strlen(t), collect, &g), 42);
    assert_int_equal(g.n, 1);
    free(t);
    lw_watchlist_free(wl);
}

/* A watchlist of the n entries e; the test fails if it cannot be built. */
static struct lw_watchlist *build_list(const struct lw_entry *e, size_t n)
{
    struct lw_watchlist *wl = NULL;
    struct lw_diag d;

    lw_diag_clear(&d);
    if (lw_watchlist_build(e, n, nm, &wl, &d) != LW_OK)
        fail_msg("build: %s", d.msg);
    return wl;
}

/* A name with an initial or a number is anchored on its other words, and
 * still found with them; the initial alone finds nothing. */
static void test_initials_and_numbers(void **state)
{
    struct lw_entry e[2] = {entry(LW_ENTRY_PERSONA, "Theron C"),
                            entry(LW_ENTRY_IMPERSONATED, "38 North")};
    struct lw_watchlist *wl = build_list(e, LW_ARRAY_LEN(e));
    struct got g;
    char *t = NULL;

    (void)state;
    screen_text(wl, NULL, "I met Theron C. at the fair; plan C is ready.", &g, &t);
    assert_non_null(find(&g, "Theron C", "text"));
    assert_span(t, find(&g, "Theron C", "text"), "theron c");
    free(t);
    screen_text(wl, NULL, "Option C and vitamin C, 38 apples.", &g, &t);
    assert_null(find(&g, "Theron C", "text"));
    assert_null(find(&g, "38 North", "text"));
    free(t);
    screen_text(wl, NULL, "The analysts of 38 North wrote to you.", &g, &t);
    assert_non_null(find(&g, "38 North", "text"));
    free(t);
    lw_watchlist_free(wl);
}

/* A listed handle at the end of a sentence is found, with or without a
 * hyphen in it (the word before a full stop is looked at by two paths). */
static void test_handle_before_full_stop(void **state)
{
    struct lw_entry e[2] = {entry(LW_ENTRY_HANDLE, "max-power99"),
                            entry(LW_ENTRY_HANDLE, "privetbot")};
    struct lw_watchlist *wl = build_list(e, LW_ARRAY_LEN(e));
    struct got g;
    char *t = NULL;

    (void)state;
    screen_text(wl, NULL, "Write to max-power99. Or to privetbot: both reply.", &g, &t);
    assert_non_null(find(&g, "max-power99", "text"));
    assert_non_null(find(&g, "privetbot", "text"));
    free(t);
    lw_watchlist_free(wl);
}

/* The tokenizer's eight-byte word scan cuts words where a byte-by-byte
 * reading does: random runs of lower and upper case, digits, punctuation,
 * spaces and multi-byte letters (é, Han). */
static void test_tokenize_matches_bytewise(void **state)
{
    static const char *const pieces[] = {"a",  "z", "q", "0", "9", "A",        "Z",
                                         " ",  ".", "-", "_", "@", "\xC3\xA9", "\xE4\xB8\xAD",
                                         "\n", "`", "{"};
    struct wl_tokv tv = {NULL, 0, 0};
    uint64_t rng = 0x243F6A8885A308D3ull;
    char buf[512];
    int round;

    (void)state;
    for (round = 0; round < 2000; round++) {
        size_t len = 0, i, n = 0, start = 0;
        bool in = false;

        while (len + 4 < sizeof(buf) - 1) {
            const char *p;
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            /* mostly lower-case letters, as in normalised text */
            p = rng % 3 ? pieces[rng % 3] : pieces[(rng >> 8) % LW_ARRAY_LEN(pieces)];
            if ((rng >> 20) % 64 == 0)
                break;
            memcpy(buf + len, p, strlen(p));
            len += strlen(p);
        }
        buf[len] = '\0';
        assert_int_equal(lw_watchlist_tokenize(buf, len, &tv), LW_OK);
        /* The reference: ASCII letters and digits and é make words; a Han
         * character is a word of its own; anything else separates. */
        for (i = 0; i <= len; i++) {
            unsigned char c = i < len ? (unsigned char)buf[i] : 0;
            bool han = c == 0xE4, word = (c < 0x80 && isalnum(c)) || c == 0xC3;
            size_t step = c == 0xE4 ? 3 : c == 0xC3 ? 2 : 1;

            if (in && !word) {
                assert_true(n < tv.n);
                assert_int_equal(tv.v[n].s, start);
                assert_int_equal(tv.v[n].e, i);
                n++;
                in = false;
            }
            if (han) {
                assert_true(n < tv.n);
                assert_int_equal(tv.v[n].s, i);
                assert_true(tv.v[n].han);
                n++;
            } else if (word && !in) {
                in = true;
                start = i;
            }
            i += step - 1;
        }
        assert_int_equal(n, tv.n);
    }
    free(tv.v);
}

/* Screens 3,000 random texts, made of pieces joined at random (a blank
 * after all but one in blank_one_in, the text ending with one chance in
 * end_one_in at each piece), with lists a and b, which must find the same
 * entries at the same places with the same strength. Returns how many a
 * found in all. */
static size_t same_on_random_texts(const struct lw_watchlist *a, const struct lw_watchlist *b,
                                   const char *const *pieces, size_t npieces, uint64_t rng,
                                   unsigned end_one_in, unsigned blank_one_in)
{
    size_t found = 0, k;

    for (int round = 0; round < 3000; round++) {
        char buf[400], *t = NULL;
        size_t len = 0;
        struct got ga, gb;

        for (;;) {
            const char *p;
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            p = pieces[rng % npieces];
            if ((rng >> 40) % end_one_in == 0 || len + strlen(p) + 2 > sizeof(buf))
                break;
            memcpy(buf + len, p, strlen(p));
            len += strlen(p);
            if ((rng >> 32) % blank_one_in)
                buf[len++] = ' ';
        }
        buf[len] = '\0';
        screen_text(a, NULL, buf, &ga, &t);
        free(t);
        screen_text(b, NULL, buf, &gb, &t);
        free(t);
        if (ga.n != gb.n)
            fail_msg("'%s': %zu indicators, %zu with the second list", buf, ga.n, gb.n);
        found += ga.n;
        for (k = 0; k < ga.n; k++) {
            assert_string_equal(ga.v[k].entry->value, gb.v[k].entry->value);
            assert_int_equal(ga.v[k].start, gb.v[k].start);
            assert_int_equal(ga.v[k].end, gb.v[k].end);
            assert_int_equal(ga.v[k].strength, gb.v[k].strength);
        }
    }
    return found;
}

/* A list with no handle or template looks at a text's anchors in windows of
 * words (lw_watchlist_anchor_windows); one with a handle cuts the whole text
 * into words. On random texts made of listed names' words, other words and
 * separators, both find the same names at the same places. */
static void test_windows_match_full_walk(void **state)
{
    static const char *const pieces[] = {
        "amanda",    "qiu",    "chiu",  "khoo", "rachel", "li",      "br",   "yr",
        "executive", "search", "the",   "of",   "big",    "brother", "andy", "ken",
        "38",        "north",  "jenny", "town", "and",    "you",     "邱",   "曼",
        "达",        "郭",     "佳",    "瑛",   " ",      " ",       ", ",   ". ",
        "-",         "\n",     "é",     "(",    "Amanda", "QIU"};
    struct lw_entry e[10];
    struct lw_watchlist *windows, *full;
    size_t n = 0, found;

    (void)state;
    e[n] = entry(LW_ENTRY_PERSONA, "Amanda Qiu");
    e[n++].hanzi = "邱曼达";
    e[n++] = entry(LW_ENTRY_PERSONA, "Rachel Li");
    e[n++] = entry(LW_ENTRY_PERSONA, "Ken");
    e[n++] = entry(LW_ENTRY_PERSONA, "Big Brother Andy");
    e[n++] = entry(LW_ENTRY_PERSONA, "郭佳瑛");
    e[n++] = entry(LW_ENTRY_ORG, "BR-YR Executive Search");
    e[n++] = entry(LW_ENTRY_IMPERSONATED, "Jenny Town");
    e[n++] = entry(LW_ENTRY_IMPERSONATED, "38 North");
    windows = build_list(e, n);
    e[n++] = entry(LW_ENTRY_HANDLE, "nobody-here-42"); /* forces the whole-text walk */
    full = build_list(e, n);
    found = same_on_random_texts(windows, full, pieces, LW_ARRAY_LEN(pieces), 0x9E3779B97F4A7C15ull,
                                 48, 3);
    assert_true(found > 1000); /* the texts do name listed entries */
    lw_watchlist_free(windows);
    lw_watchlist_free(full);
}

/* The host name in a word of the address look is cut after anything a
 * host name cannot hold: "x..br-yr.com" holds br-yr.com (quoted alone), so
 * does "x.@br-yr.com"; a host in a word with '_' is no domain. */
static void test_host_in_junk(void **state)
{
    struct lw_entry e[1] = {entry(LW_ENTRY_DOMAIN, "br-yr.com")};
    struct lw_watchlist *wl = build_list(e, 1);
    struct got g;
    char *t = NULL;

    (void)state;
    screen_text(wl, NULL, "see x..br-yr.com now", &g, &t);
    assert_span(t, find(&g, "br-yr.com", "text"), "br-yr.com");
    free(t);
    screen_text(wl, NULL, "mail x.@br-yr.com now", &g, &t);
    assert_non_null(find(&g, "br-yr.com", "text"));
    free(t);
    screen_text(wl, NULL, "see -br-yr.com now", &g, &t);
    assert_span(t, find(&g, "br-yr.com", "text"), "br-yr.com");
    assert_int_equal(find(&g, "br-yr.com", "text")->strength, LW_NAME_STRONG);
    free(t);
    screen_text(wl, NULL, "the file my_br-yr.com is", &g, &t);
    assert_null(find(&g, "br-yr.com", "text"));
    free(t);
    lw_watchlist_free(wl);
}

/* With no phone number or handle listed, the address look stops only at
 * '@', '.', ':' and '/', not at every digit. On random texts of addresses,
 * digits and prose it finds what it finds when a phone number is listed
 * (which brings the digit stops back). */
static void test_address_stops(void **state)
{
    static const char *const pieces[] = {"amanda@br-yr.com",
                                         "br-yr.com",
                                         "mail.br-yr.com.",
                                         "https://www.linkedin.com/in/amanda-qiu-1234/",
                                         "38north.org",
                                         "www.38north.org",
                                         "2002",
                                         "12.50",
                                         "v2.0",
                                         "a+b@br-yr.com",
                                         "x_y@br-yr.com",
                                         "br-yr.com.cn",
                                         "call",
                                         "us",
                                         "at",
                                         "on",
                                         " ",
                                         ". ",
                                         ", ",
                                         ":",
                                         "/",
                                         "\n",
                                         "(",
                                         "2",
                                         "@",
                                         "."};
    struct lw_entry e[6];
    struct lw_watchlist *plain, *phones;
    size_t n = 0, found;

    (void)state;
    e[n++] = entry(LW_ENTRY_DOMAIN, "br-yr.com");
    e[n++] = entry(LW_ENTRY_EMAIL, "Amanda@BR-YR.com");
    e[n++] = entry(LW_ENTRY_URL, "https://www.linkedin.com/in/amanda-qiu-1234/");
    e[n++] = entry(LW_ENTRY_DOMAIN, "38north.org");
    plain = build_list(e, n);
    e[n++] = entry(LW_ENTRY_PHONE, "+44 20 7946 0123"); /* never in the texts */
    phones = build_list(e, n);
    found = same_on_random_texts(plain, phones, pieces, LW_ARRAY_LEN(pieces), 0xD1B54A32D192ED03ull,
                                 32, 2);
    assert_true(found > 1000);
    lw_watchlist_free(plain);
    lw_watchlist_free(phones);
}

static void test_empty_and_bad(void **state)
{
    struct lw_watchlist *wl = NULL;
    struct lw_entry e = entry(LW_ENTRY_PERSONA, "Amanda Qiu");
    struct lw_diag d;
    struct got g;

    (void)state;
    memset(&g, 0, sizeof(g));
    assert_int_equal(lw_watchlist_build(NULL, 0, NULL, &wl, &d), LW_OK);
    assert_int_equal(lw_watchlist_count(wl), 0);
    assert_int_equal(lw_watchlist_match_msg(wl, NULL, "amanda qiu", 10, collect, &g), LW_OK);
    assert_int_equal(g.n, 0);
    lw_watchlist_free(wl);
    wl = NULL;
    /* names are needed for persons */
    assert_int_equal(lw_watchlist_build(&e, 1, NULL, &wl, &d), LW_EINVAL);
    assert_null(wl);
    e.source = NULL;
    assert_int_equal(lw_watchlist_build(&e, 1, nm, &wl, &d), LW_EINVAL);
    assert_non_null(strstr(d.msg, "source"));
    assert_null(wl);
}

/* Taking the entries: no copy, the list is left empty, expired ones dropped;
 * a refused list stays the caller's. */
static void test_build_take(void **state)
{
    struct lw_entry_list l;
    struct lw_entry e = entry(LW_ENTRY_DOMAIN, "br-yr.com"), bad = entry(LW_ENTRY_EMAIL, "x");
    struct lw_watchlist *wl = NULL;
    struct got g;
    char *t;

    (void)state;
    lw_entry_list_init(&l);
    assert_int_equal(lw_entry_list_reserve(&l, 3), LW_OK);
    assert_int_equal(lw_entry_list_add(&l, &e), LW_OK);
    e.value = "old.example";
    e.expires = "2020";
    assert_int_equal(lw_entry_list_add(&l, &e), LW_OK);
    assert_int_equal(lw_entry_list_add(&l, &bad), LW_OK);
    assert_int_equal(lw_watchlist_build_take(&l, nm, &wl, NULL), LW_EINVAL);
    assert_null(wl);
    assert_int_equal(l.n, 3); /* refused: still ours */
    l.n = 2;
    assert_int_equal(lw_watchlist_build_take(&l, nm, &wl, NULL), LW_OK);
    assert_int_equal(l.n, 0);
    assert_null(l.v);
    assert_int_equal(lw_watchlist_count(wl), 1);
    assert_string_equal(lw_watchlist_entry(wl, 0)->value, "br-yr.com");
    screen_text(wl, NULL, "see br-yr.com and old.example", &g, &t);
    assert_int_equal(g.n, 1);
    free(t);
    lw_watchlist_free(wl);
    lw_entry_list_release(&l);
}

/* Many entries: the ones that should match still do, and only they. */
static void test_many_entries(void **state)
{
    static const char *given[] = {"Wei",   "Jing", "Lei",  "Kevin", "Lily",
                                  "Jason", "Eric", "Anna", "Tom",   "Grace"};
    static const char *sur[] = {"Wang", "Li",    "Zhang", "Liu", "Chen",
                                "Yang", "Huang", "Zhao",  "Wu",  "Zhou"};
    struct lw_entry_list l;
    struct lw_entry e;
    struct lw_watchlist *wl = NULL;
    struct got g;
    char name[64], dom[64], *t;
    size_t i;

    (void)state;
    lw_entry_list_init(&l);
    for (i = 0; i < 3000; i++) {
        snprintf(name, sizeof(name), "%s %s%zu", given[i % 10], sur[(i / 10) % 10], i / 100);
        e = entry(LW_ENTRY_PERSONA, name);
        assert_int_equal(lw_entry_list_add(&l, &e), LW_OK);
        snprintf(dom, sizeof(dom), "front-%zu.example", i);
        e = entry(LW_ENTRY_DOMAIN, dom);
        assert_int_equal(lw_entry_list_add(&l, &e), LW_OK);
    }
    e = entry(LW_ENTRY_PERSONA, "Shirly Shen");
    assert_int_equal(lw_entry_list_add(&l, &e), LW_OK);
    assert_int_equal(lw_watchlist_build(l.v, l.n, nm, &wl, NULL), LW_OK);
    screen_text(wl, NULL, "This is Shirly Shum from front-2999.example, hello.", &g, &t);
    assert_non_null(find(&g, "Shirly Shen", "text"));
    assert_non_null(find(&g, "front-2999.example", "text"));
    assert_int_equal(g.n, 2);
    free(t);
    lw_watchlist_free(wl);
    lw_entry_list_release(&l);
}

/* lw_watchlist_canon_url against the snprintf it replaced, on random URLs
 * made of schemes, www., LinkedIn hosts and slugs, queries, NULs, with
 * small output buffers too. */
static void ref_canon_url(const char *u, size_t n, char *out, size_t size)
{
    const char *p = u, *end = u + n, *host, *hend, *path;

    if (n > 7 && !strncmp(p, "http://", 7))
        p += 7;
    else if (n > 8 && !strncmp(p, "https://", 8))
        p += 8;
    if (end - p > 4 && !strncmp(p, "www.", 4))
        p += 4;
    host = p;
    for (hend = host; hend < end && *hend != '/' && *hend != '?' && *hend != '#'; hend++)
        ;
    path = hend;
    for (p = path; p < end && *p != '?' && *p != '#'; p++)
        ;
    end = p;
    while (end > path && end[-1] == '/')
        end--;
    if ((size_t)(hend - host) >= 12 && !memcmp(hend - 12, "linkedin.com", 12) && end - path > 4 &&
        !strncmp(path, "/in/", 4)) {
        const char *slug = path + 4, *se = slug;
        while (se < end && *se != '/')
            se++;
        snprintf(out, size, "linkedin.com/in/%.*s", (int)(se - slug), slug);
    } else {
        snprintf(out, size, "%.*s%.*s", (int)(hend - host), host, (int)(end - path), path);
    }
    for (size_t k = 0; out[k]; k++)
        out[k] = (char)tolower((unsigned char)out[k]);
}

static void test_canon_url_reference(void **state)
{
    static const char *const parts[] = {"http://",
                                        "https://",
                                        "www.",
                                        "linkedin.com",
                                        "uk.linkedin.com",
                                        "/in/",
                                        "Jane-Doe",
                                        "/",
                                        "?q=1",
                                        "#x",
                                        "Example.COM",
                                        "/Path/To",
                                        "//",
                                        "a",
                                        "in/",
                                        "ht",
                                        "tp",
                                        "\0"};
    uint64_t rng = 0x2545F4914F6CDD1Dull;

    (void)state;
    for (int round = 0; round < 200000; round++) {
        char u[256], a[300], b[300];
        size_t n = 0, size;
        unsigned np;

        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        np = (unsigned)(rng % 8);
        for (unsigned k = 0; k < np; k++) {
            size_t j, len;
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            j = (size_t)(rng % LW_ARRAY_LEN(parts));
            len = j == LW_ARRAY_LEN(parts) - 1 ? 1 : strlen(parts[j]);
            memcpy(u + n, parts[j], len);
            n += len;
        }
        size = (rng >> 40) % 4 ? 256 : 1 + (size_t)(rng >> 44) % 20;
        ref_canon_url(u, n, a, size);
        lw_watchlist_canon_url(u, n, b, size);
        assert_string_equal(b, a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_canon_url_reference),
        cmocka_unit_test(test_entry_check),
        cmocka_unit_test(test_dates_and_expiry),
        cmocka_unit_test(test_entry_list_copies),
        cmocka_unit_test(test_sender_fields),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_surname_only_is_weak),
        cmocka_unit_test(test_impersonated_and_expired),
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_han),
        cmocka_unit_test(test_points_per_type),
        cmocka_unit_test(test_name_caps),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_initials_and_numbers),
        cmocka_unit_test(test_tokenize_matches_bytewise),
        cmocka_unit_test(test_handle_before_full_stop),
        cmocka_unit_test(test_windows_match_full_walk),
        cmocka_unit_test(test_address_stops),
        cmocka_unit_test(test_host_in_junk),
        cmocka_unit_test(test_empty_and_bad),
        cmocka_unit_test(test_build_take),
        cmocka_unit_test(test_many_entries),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
