/* fuzz_share.h -- the body the watchlist-format fuzz targets share
 * (fuzz_stix.c, fuzz_misp.c, fuzz_watch_csv.c). Import the input in one
 * format; when it is accepted, every entry must pass lw_entry_check, export
 * must succeed, and importing the export must give back the same entries
 * (compared in a canonical order); when it is refused, nothing may be left
 * in the list and the diagnostic must name the input. Any break aborts. */
#ifndef LW_FUZZ_SHARE_H
#define LW_FUZZ_SHARE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share/share.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static int fuzz_str_cmp(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

static int fuzz_entry_cmp(const void *x, const void *y)
{
    const struct lw_entry *a = x, *b = y;
    int c;

    if (a->type != b->type)
        return (int)a->type - (int)b->type;
    if ((c = fuzz_str_cmp(a->value, b->value)))
        return c;
    if ((c = fuzz_str_cmp(a->source, b->source)))
        return c;
    return fuzz_str_cmp(a->date, b->date);
}

static void fuzz_same(const struct lw_entry *a, const struct lw_entry *b)
{
    size_t k;

    CHECK(a->type == b->type);
    CHECK(!fuzz_str_cmp(a->value, b->value));
    CHECK(!fuzz_str_cmp(a->source, b->source));
    CHECK(!fuzz_str_cmp(a->source_url, b->source_url));
    CHECK(!fuzz_str_cmp(a->date, b->date));
    CHECK(!fuzz_str_cmp(a->hanzi, b->hanzi));
    CHECK(!fuzz_str_cmp(a->platform, b->platform));
    CHECK(!fuzz_str_cmp(a->note, b->note));
    CHECK(!fuzz_str_cmp(a->expires, b->expires));
    CHECK(a->confidence == b->confidence);
    CHECK(a->n_aliases == b->n_aliases);
    for (k = 0; k < a->n_aliases; k++)
        CHECK(!strcmp(a->aliases[k], b->aliases[k]));
    CHECK(a->n_related == b->n_related);
    for (k = 0; k < a->n_related; k++)
        CHECK(!strcmp(a->related[k], b->related[k]));
}

static void fuzz_share_one(enum lw_share_format fmt, const unsigned char *data, size_t size)
{
    static const struct lw_share_opts opts = {"2026-01-01T00:00:00Z", "green", "fuzz"};
    struct lw_buf out = LW_BUF_INIT((size_t)64 << 20);
    struct lw_entry_list a, b;
    struct lw_diag d;
    size_t i;
    int rc;

    if (size > (1 << 20))
        return;
    lw_entry_list_init(&a);
    lw_entry_list_init(&b);
    lw_diag_clear(&d);
    rc = lw_share_import(fmt, (const char *)data, size, "fuzz-input", &a, &d);
    if (rc < 0) {
        CHECK(a.n == 0);
        CHECK(!strcmp(d.source, "fuzz-input"));
        CHECK(d.msg[0] != '\0');
        goto out;
    }
    for (i = 0; i < a.n; i++)
        CHECK(lw_entry_check(&a.v[i], NULL) == LW_OK);
    rc = lw_share_export(fmt, a.v, a.n, &opts, &out, &d);
    if (rc == LW_ENOMEM || rc == LW_ELIMIT)
        goto out;
    CHECK(rc == LW_OK);
    rc = lw_share_import(fmt, lw_buf_str(&out), out.len, "fuzz-export", &b, &d);
    if (rc != LW_OK)
        fprintf(stderr, "re-import failed: %s\n", d.msg);
    CHECK(rc == LW_OK);
    CHECK(b.n == a.n);
    if (a.n > 0) { /* qsort's array may not be NULL, even for no entries */
        qsort(a.v, a.n, sizeof(*a.v), fuzz_entry_cmp);
        qsort(b.v, b.n, sizeof(*b.v), fuzz_entry_cmp);
    }
    for (i = 0; i < a.n; i++)
        fuzz_same(&a.v[i], &b.v[i]);
out:
    lw_buf_release(&out);
    lw_entry_list_release(&a);
    lw_entry_list_release(&b);
}

#endif
