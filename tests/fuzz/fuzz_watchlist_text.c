/* fuzz_watchlist_text.c -- libFuzzer target for the watchlist's look at a
 * message text (lw_watchlist_match_msg). The input, normalised as the
 * engine normalises a text, is screened by two lists of the same names:
 * one without a handle, whose text is looked at in windows around its
 * anchor words, and one with a handle, whose text is cut whole into words.
 * (Addresses and domains are left out there: a listed handle changes how
 * the address scan steps over full stops, and with it where the span of an
 * address found in a run of dots and dashes starts.) A list of addresses,
 * and the same with a phone number (which makes the address look stop at
 * digits too), screen the text for memory errors and spans inside it only:
 * in a run of junk such as "%p0@ea%..host.com" where the look stops decides
 * how the run is cut into words, and so what is found.
 * Besides memory errors it aborts when a contract breaks: both lists find
 * the same names at the same places with the same strength, and every span
 * lies inside the text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/watchlist.h"
#include "text/names.h"
#include "text/norm.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_watchlist_text: %s:%d: invariant failed: %s\n", __FILE__,        \
                    __LINE__, #cond);                                                              \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define HANDLE "nobody-here-42"
#define PHONE  "+44 20 7946 0123"

static const char *const names[][2] = {
    /* type, value: persons, organisations and impersonated names of the
     * shapes the bundled list has (Latin and Han, one to five words) */
    {"persona", "Amanda Qiu"},
    {"persona", "Rachel Li"},
    {"persona", "Ken"},
    {"persona", "Big Brother Andy"},
    {"persona", "郭佳瑛"},
    {"persona", "Chenping Tao"},
    {"org", "BR-YR Executive Search"},
    {"org", "China Center of International Politics and Economy"},
    {"org", "Foresight and Strategy Consulting Ltd."},
    {"impersonated", "Jenny Town"},
    {"impersonated", "38 North"},
};

static const char *const addresses[][2] = {
    {"domain", "br-yr.com"},
    {"email", "Amanda@BR-YR.com"},
    {"url", "https://www.linkedin.com/in/amanda-qiu-1234/"},
    {"domain", "38north.org"},
};

static struct lw_watchlist *windows, *whole, *addr, *addr_phone;

static struct lw_watchlist *build(const char *const (*v)[2], size_t nv, const char *extra_type,
                                  const char *extra)
{
    struct lw_entry e[16];
    struct lw_watchlist *wl = NULL;
    struct lw_names *nm = NULL;
    size_t n = 0, i;

    if (nv + 1 > LW_ARRAY_LEN(e) || lw_names_load(NULL, &nm, NULL) != LW_OK)
        abort();
    memset(e, 0, sizeof(e));
    for (i = 0; i < nv; i++, n++)
        if (lw_entry_type_parse(v[i][0], &e[n].type) != LW_OK)
            abort();
        else
            e[n].value = v[i][1];
    if (extra) {
        if (lw_entry_type_parse(extra_type, &e[n].type) != LW_OK)
            abort();
        e[n++].value = extra;
    }
    for (i = 0; i < n; i++) {
        e[i].source = "fuzz";
        e[i].date = "2025-11";
        e[i].confidence = 80;
    }
    if (lw_watchlist_build(e, n, nm, &wl, NULL) != LW_OK)
        abort();
    return wl; /* nm stays with the list, for the life of the process */
}

struct got {
    struct {
        const char *value;
        size_t start, end;
        int strength;
    } v[64];
    size_t n;
    size_t len;
};

static int collect(void *ctx, const struct lw_indicator *ind)
{
    struct got *g = ctx;

    CHECK(ind->end <= g->len && ind->start <= ind->end);
    if (!strcmp(ind->entry->value, HANDLE) || !strcmp(ind->entry->value, PHONE))
        return LW_OK; /* only the second list of a pair has it */
    if (g->n < LW_ARRAY_LEN(g->v)) {
        g->v[g->n].value = ind->entry->value;
        g->v[g->n].start = ind->start;
        g->v[g->n].end = ind->end;
        g->v[g->n].strength = (int)ind->strength;
        g->n++;
    }
    return LW_OK;
}

/* The two lists find the same things at the same places in the
 * normalised text t. */
static void same(const struct lw_watchlist *x, const struct lw_watchlist *y, const char *t,
                 size_t len)
{
    static struct got a, b;
    size_t i;

    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    a.len = b.len = len;
    CHECK(lw_watchlist_match_msg(x, NULL, t, len, collect, &a) == LW_OK);
    CHECK(lw_watchlist_match_msg(y, NULL, t, len, collect, &b) == LW_OK);
    CHECK(a.n == b.n);
    for (i = 0; i < a.n; i++) {
        CHECK(!strcmp(a.v[i].value, b.v[i].value));
        CHECK(a.v[i].start == b.v[i].start && a.v[i].end == b.v[i].end);
        CHECK(a.v[i].strength == b.v[i].strength);
    }
}

/* The list screens t; collect checks the spans. */
static void look(const struct lw_watchlist *wl, const char *t, size_t len)
{
    static struct got g;

    memset(&g, 0, sizeof(g));
    g.len = len;
    CHECK(lw_watchlist_match_msg(wl, NULL, t, len, collect, &g) == LW_OK);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *t = NULL;

    if (!windows) {
        windows = build(names, LW_ARRAY_LEN(names), NULL, NULL);
        whole = build(names, LW_ARRAY_LEN(names), "handle", HANDLE);
        addr = build(addresses, LW_ARRAY_LEN(addresses), NULL, NULL);
        addr_phone = build(addresses, LW_ARRAY_LEN(addresses), "phone", PHONE);
    }
    if (size > 8192)
        return 0;
    if (lw_norm_str((const char *)data, size, &t, NULL) != LW_OK)
        return 0;
    same(windows, whole, t, strlen(t));
    look(addr, t, strlen(t));
    look(addr_phone, t, strlen(t));
    free(t);
    return 0;
}
