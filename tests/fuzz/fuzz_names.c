/* fuzz_names.c -- libFuzzer target for name matching (src/text/names.h).
 * The input is split at its first newline into two names (no newline: the
 * second name is empty); they are matched as persons, organisations and
 * handles, in both orders, and their index keys are enumerated. Besides
 * memory errors it aborts when a contract breaks: strength and score in
 * range, the explanation NUL-terminated valid UTF-8, a person match's
 * strength the same in both orders, and two names rated MEDIUM or STRONG
 * sharing an index key (lw_names_person_keys). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/names.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_names: %s:%d: invariant failed: %s\n", __FILE__, __LINE__,       \
                    #cond);                                                                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static struct lw_names *nm;

struct keys {
    char k[512][80];
    int n;
};

static int add_key(void *ctx, const char *key)
{
    struct keys *ks = ctx;

    CHECK(strlen(key) < sizeof(ks->k[0]));
    CHECK(ks->n == 0 || strcmp(ks->k[ks->n - 1], key) < 0); /* sorted, unique */
    if (ks->n < 512)
        snprintf(ks->k[ks->n++], sizeof(ks->k[0]), "%s", key);
    return 0;
}

static void check_result(const struct lw_name_match *m)
{
    size_t len = strnlen(m->why, sizeof(m->why));

    CHECK(len < sizeof(m->why));
    CHECK(m->strength >= LW_NAME_NONE && m->strength <= LW_NAME_STRONG);
    CHECK(m->score >= 0.0 && m->score <= 1.0);
    CHECK((m->strength == LW_NAME_NONE) == (m->score == 0.0));
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)m->why[i];
        size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        CHECK(c < 0x80 || (c >= 0xC2 && c <= 0xF4));
        CHECK(i + k <= len);
        for (size_t j = 1; j < k; j++)
            CHECK(((unsigned char)m->why[i + j] & 0xC0) == 0x80);
        i += k;
    }
}

static bool share(const struct keys *a, const struct keys *b)
{
    for (int i = 0; i < a->n; i++)
        for (int j = 0; j < b->n; j++)
            if (strcmp(a->k[i], b->k[j]) == 0)
                return true;
    return false;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static struct keys ka, kb;
    struct lw_name_match m1, m2;
    const unsigned char *nl;
    char *a, *b;
    size_t la;
    int ra, rb;

    if (!nm && lw_names_load(NULL, &nm, NULL) != LW_OK)
        abort();
    if (size > 4096)
        return 0;
    nl = memchr(data, '\n', size);
    la = nl ? (size_t)(nl - data) : size;
    a = malloc(la + 1);
    b = malloc(size - la + 1);
    if (!a || !b)
        abort();
    memcpy(a, data, la);
    a[la] = '\0';
    if (nl) {
        memcpy(b, nl + 1, size - la - 1);
        b[size - la - 1] = '\0';
    } else {
        b[0] = '\0';
    }

    lw_names_match_person(nm, a, b, &m1);
    lw_names_match_person(nm, b, a, &m2);
    check_result(&m1);
    check_result(&m2);
    CHECK(m1.strength == m2.strength);
    ka.n = kb.n = 0;
    ra = lw_names_person_keys(nm, a, add_key, &ka);
    rb = lw_names_person_keys(nm, b, add_key, &kb);
    CHECK(ra == LW_OK || ra == LW_ELIMIT);
    CHECK(rb == LW_OK || rb == LW_ELIMIT);
    if (m1.strength >= LW_NAME_MEDIUM)
        CHECK(share(&ka, &kb));
    {
        char key[64];
        lw_names_person_key(nm, a, key, sizeof(key));
        CHECK(strlen(key) < sizeof(key));
    }

    lw_names_match_org(nm, a, b, &m1);
    check_result(&m1);
    lw_names_match_org(nm, b, a, &m2);
    check_result(&m2);
    lw_names_match_handle(nm, a, b, &m1);
    check_result(&m1);
    lw_names_match_handle(nm, b, a, &m2);
    check_result(&m2);

    free(a);
    free(b);
    return 0;
}
