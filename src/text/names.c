/* names.c -- the surname table behind name matching: loading
 * data/surnames.tsv into two read-only maps (folded spelling -> surname
 * rows, hanzi -> row), opening the ICU objects, and freeing it all.
 *
 * Each row's hanzi is read with Han-Latin/Names once, here, and the reading
 * is added as one more spelling of the row, so a hanzi surname and its
 * reading always agree with the table at match time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ustring.h>
#include <unicode/utf8.h>
#include <xxhash.h>

#include "text/names_int.h"

#define LINE_CAP 16384 /* bytes of one TSV line */

const char *lw_name_strength_name(enum lw_name_strength s)
{
    switch (s) {
    case LW_NAME_WEAK:
        return "weak";
    case LW_NAME_MEDIUM:
        return "medium";
    case LW_NAME_STRONG:
        return "strong";
    case LW_NAME_NONE:
    default:
        return "none";
    }
}

/* ---- string -> rows map ---- */

static struct lw_names_sent *smap_find(const struct lw_names_smap *m, const char *key)
{
    size_t i;

    if (m->cap == 0)
        return NULL;
    i = (size_t)XXH3_64bits(key, strlen(key)) & (m->cap - 1);
    while (m->slots[i].key) {
        if (strcmp(m->slots[i].key, key) == 0)
            return &m->slots[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

static int smap_grow(struct lw_names_smap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 256;
    struct lw_names_sent *ns = calloc(ncap, sizeof(*ns));

    if (!ns)
        return LW_ENOMEM;
    for (size_t k = 0; k < m->cap; k++) {
        size_t i;
        if (!m->slots[k].key)
            continue;
        i = (size_t)XXH3_64bits(m->slots[k].key, strlen(m->slots[k].key)) & (ncap - 1);
        while (ns[i].key)
            i = (i + 1) & (ncap - 1);
        ns[i] = m->slots[k];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return LW_OK;
}

static int smap_add(struct lw_names_smap *m, const char *key, uint16_t row)
{
    struct lw_names_sent *e;
    size_t i, pos;
    int rc;

    if (!key[0])
        return LW_OK;
    e = smap_find(m, key);
    if (!e) {
        if ((m->used + 1) * 10 > m->cap * 7) {
            rc = smap_grow(m);
            if (rc < 0)
                return rc;
        }
        i = (size_t)XXH3_64bits(key, strlen(key)) & (m->cap - 1);
        while (m->slots[i].key)
            i = (i + 1) & (m->cap - 1);
        e = &m->slots[i];
        e->key = strdup(key);
        if (!e->key)
            return LW_ENOMEM;
        m->used++;
    }
    for (pos = 0; pos < e->nrows && e->rows[pos] < row; pos++)
        ;
    if (pos < e->nrows && e->rows[pos] == row)
        return LW_OK;
    if (e->nrows == e->caprows) {
        uint16_t ncap = e->caprows ? (uint16_t)(e->caprows * 2) : 4;
        uint16_t *nr = realloc(e->rows, ncap * sizeof(*nr));
        if (!nr)
            return LW_ENOMEM;
        e->rows = nr;
        e->caprows = ncap;
    }
    memmove(e->rows + pos + 1, e->rows + pos, (e->nrows - pos) * sizeof(*e->rows));
    e->rows[pos] = row;
    e->nrows++;
    return LW_OK;
}

static void smap_release(struct lw_names_smap *m)
{
    for (size_t k = 0; k < m->cap; k++) {
        free(m->slots[k].key);
        free(m->slots[k].rows);
    }
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

static const uint16_t *smap_rows(const struct lw_names_smap *m, const char *key, size_t *nrows)
{
    const struct lw_names_sent *e = smap_find(m, key);

    *nrows = e ? e->nrows : 0;
    return e ? e->rows : NULL;
}

const uint16_t *lw_names_spelling_rows(const struct lw_names *n, const char *folded, size_t *nrows)
{
    return smap_rows(&n->spell, folded, nrows);
}

const uint16_t *lw_names_hanzi_rows(const struct lw_names *n, const char *hanzi, size_t *nrows)
{
    return smap_rows(&n->hanzi, hanzi, nrows);
}

/* ---- ICU ---- */

static UTransliterator *open_trans(const char *id, UErrorCode *err)
{
    UChar uid[128];

    u_strFromUTF8(uid, LW_ARRAY_LEN(uid), NULL, id, -1, err);
    if (U_FAILURE(*err))
        return NULL;
    return utrans_openU(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, err);
}

UTransliterator *lw_names_trans(struct lw_names_lazy *z, UTransliterator **slot, const char *id)
{
    UErrorCode err = U_ZERO_ERROR;

    (void)z; /* the caller holds z->lock */
    if (!*slot) {
        *slot = open_trans(id, &err);
        if (U_FAILURE(err))
            *slot = NULL;
    }
    return *slot;
}

static int open_icu(struct lw_names *n, struct lw_diag *diag)
{
    UErrorCode err = U_ZERO_ERROR;
    const char *what = "normalizer";

    n->nfkc = unorm2_getNFKCInstance(&err);
    n->nfkc_cf = unorm2_getNFKCCasefoldInstance(&err);
    n->nfd = unorm2_getNFDInstance(&err);
    if (U_FAILURE(err))
        goto fail;
    what = "spoof checker";
    n->spoof = uspoof_open(&err);
    if (U_FAILURE(err))
        goto fail;
    for (int k = 0; k < 52; k++) {
        UChar c = (UChar)(k < 26 ? 'a' + k : 'A' + k - 26);
        n->ascii_skel_len[k] = uspoof_getSkeleton(n->spoof, 0, &c, 1, n->ascii_skel[k],
                                                  LW_ARRAY_LEN(n->ascii_skel[k]), &err);
        if (err == U_BUFFER_OVERFLOW_ERROR || err == U_STRING_NOT_TERMINATED_WARNING) {
            err = U_ZERO_ERROR;
            n->ascii_skel_len[k] = -1;
        }
    }
    if (U_FAILURE(err))
        goto fail;
    what = "IDNA";
    n->idna = uidna_openUTS46(UIDNA_NONTRANSITIONAL_TO_UNICODE, &err);
    if (U_FAILURE(err))
        goto fail;
    n->lazy = calloc(1, sizeof(*n->lazy));
    if (!n->lazy)
        return LW_ENOMEM;
    n->lazy->slots = calloc(LW_NAMES_CACHE_SLOTS, sizeof(*n->lazy->slots));
    if (!n->lazy->slots)
        return LW_ENOMEM;
    if (pthread_mutex_init(&n->lazy->lock, NULL) != 0) {
        free(n->lazy->slots);
        free(n->lazy);
        n->lazy = NULL;
        lw_diag_set(diag, "cannot create a mutex");
        return LW_EBACKEND;
    }
    return LW_OK;
fail:
    lw_diag_set(diag, "ICU %s: %s", what, u_errorName(err));
    return LW_EBACKEND;
}

void lw_names_free(struct lw_names *n)
{
    if (!n)
        return;
    if (n->spoof)
        uspoof_close(n->spoof);
    if (n->idna)
        uidna_close(n->idna);
    if (n->lazy) {
        struct lw_names_lazy *z = n->lazy;
        if (z->han_latin)
            utrans_close(z->han_latin);
        if (z->any_ascii)
            utrans_close(z->any_ascii);
        if (z->simplify)
            utrans_close(z->simplify);
        pthread_mutex_destroy(&z->lock);
        free(z->slots);
        free(z->readings);
        free(z->cache_path);
        free(z);
    }
    smap_release(&n->spell);
    smap_release(&n->hanzi);
    free(n->rows);
    free(n);
}

/* ---- the table ---- */

/* Is s a non-empty string of hanzi that fits in cap bytes? */
static bool valid_hanzi(const char *s, size_t cap)
{
    size_t len = strlen(s);
    int32_t i = 0;

    if (len == 0 || len >= cap)
        return false;
    while (i < (int32_t)len) {
        UChar32 c;
        U8_NEXT(s, i, (int32_t)len, c);
        if (c < 0 || !lw_names_is_han((uint32_t)c))
            return false;
    }
    return true;
}

static bool valid_pinyin(const char *s)
{
    size_t len = strlen(s);

    if (len == 0 || len >= sizeof(((struct lw_names_row *)0)->pinyin))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
            return false;
    return true;
}

/* Read row->hans with Han-Latin/Names: "qiu". */
static void row_reading(const struct lw_names *n, struct lw_names_row *row)
{
    UChar u[16];
    int32_t ul = 0;
    char hans[64], rd[128];
    size_t k = 0;

    row->reading[0] = '\0';
    if (lw_names_u16(row->hans, strlen(row->hans), u, LW_ARRAY_LEN(u), &ul) < 0)
        return;
    if (lw_names_han(n, u, ul, hans, sizeof(hans), rd, sizeof(rd)) < 0)
        return;
    for (size_t i = 0; rd[i] && k + 1 < sizeof(row->reading); i++)
        if (rd[i] != ' ')
            row->reading[k++] = rd[i];
    row->reading[k] = '\0';
}

/* Parse one data line into a row. LW_EPARSE with *why set when the line is
 * malformed. */
static int add_row(struct lw_names *n, char *line, const char **why)
{
    char *f[4] = {NULL, NULL, NULL, NULL};
    char *p = line, *slash, *v;
    struct lw_names_row *row;
    char folded[LW_NAMES_TOKLEN];
    uint16_t r;
    int nf = 0, rc;

    while (nf < 4) {
        char *tab = strchr(p, '\t');
        f[nf++] = p;
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    if (nf < 3) {
        *why = "fewer than 3 tab-separated columns (hanzi, pinyin, variants)";
        return LW_EPARSE;
    }
    if (n->nrows >= LW_NAMES_MAX_ROWS) {
        *why = "more than 4096 rows";
        return LW_ELIMIT;
    }
    row = &n->rows[n->nrows];
    memset(row, 0, sizeof(*row));
    slash = strchr(f[0], '/');
    if (slash)
        *slash = '\0';
    if (!valid_hanzi(f[0], sizeof(row->hans)) ||
        (slash && !valid_hanzi(slash + 1, sizeof(row->hant)))) {
        *why = "the hanzi column is not one or two short hanzi strings (simplified/traditional)";
        return LW_EPARSE;
    }
    if (!valid_pinyin(f[1])) {
        *why = "the pinyin column is not 1 to 31 ASCII letters";
        return LW_EPARSE;
    }
    lw_names_copy(row->hans, sizeof(row->hans), f[0], strlen(f[0]));
    if (slash)
        lw_names_copy(row->hant, sizeof(row->hant), slash + 1, strlen(slash + 1));
    lw_names_copy(row->pinyin, sizeof(row->pinyin), f[1], strlen(f[1]));
    row_reading(n, row);
    r = (uint16_t)n->nrows;

    rc = smap_add(&n->hanzi, row->hans, r);
    if (rc == LW_OK && row->hant[0])
        rc = smap_add(&n->hanzi, row->hant, r);
    if (rc < 0)
        return rc;
    lw_names_fold_utf8(n, row->pinyin, folded, sizeof(folded));
    rc = smap_add(&n->spell, folded, r);
    if (rc == LW_OK)
        rc = smap_add(&n->spell, row->reading, r);
    for (v = f[2]; rc == LW_OK && v;) {
        char *bar = strchr(v, '|');
        if (bar)
            *bar = '\0';
        lw_names_fold_utf8(n, v, folded, sizeof(folded));
        rc = smap_add(&n->spell, folded, r);
        v = bar ? bar + 1 : NULL;
    }
    if (rc < 0)
        return rc;
    n->nrows++;
    return LW_OK;
}

int lw_names_load(const char *path, struct lw_names **out, struct lw_diag *diag)
{
    return lw_names_load_cached(path, NULL, out, diag);
}

int lw_names_load_cached(const char *path, const char *cache_dir, struct lw_names **out,
                         struct lw_diag *diag)
{
    struct lw_names *n = NULL;
    FILE *f = NULL;
    char *line = NULL;
    unsigned long lineno = 0, bad = 0, first_bad = 0;
    const char *first_why = NULL;
    bool seen_content = false;
    int rc;

    if (!out)
        return LW_EINVAL;
    if (!path)
        path = LW_DEFAULT_DATA_DIR "/surnames.tsv";
    lw_diag_at(diag, path, 0, 0);
    n = calloc(1, sizeof(*n));
    line = malloc(LINE_CAP);
    if (!n || !line) {
        rc = LW_ENOMEM;
        goto out;
    }
    n->rows = calloc(LW_NAMES_MAX_ROWS, sizeof(*n->rows));
    if (!n->rows) {
        rc = LW_ENOMEM;
        goto out;
    }
    rc = open_icu(n, diag);
    if (rc < 0)
        goto out;
    /* Before the table: its hanzi are read too, from the cache if it has them. */
    if (cache_dir) {
        rc = lw_names_cache_open(n, cache_dir);
        if (rc < 0)
            goto out;
    }
    f = fopen(path, "r");
    if (!f) {
        lw_diag_set(diag, "cannot open surname table: %s", strerror(errno));
        rc = LW_EIO;
        goto out;
    }
    while (fgets(line, LINE_CAP, f)) {
        size_t len = strlen(line);
        const char *why = NULL;

        lineno++;
        if (len == LINE_CAP - 1 && line[len - 1] != '\n') {
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n')
                ;
            why = "line longer than 16 KiB";
            rc = LW_EPARSE;
        } else {
            while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                line[--len] = '\0';
            if (len == 0 || line[0] == '#')
                continue;
            if (!seen_content && strncmp(line, "hanzi\t", 6) == 0) {
                seen_content = true;
                continue;
            }
            seen_content = true;
            rc = add_row(n, line, &why);
        }
        if (rc == LW_ENOMEM)
            goto out;
        if (rc == LW_ELIMIT) {
            lw_diag_at(diag, path, lineno, 0);
            lw_diag_set(diag, "surname table has %s", why);
            goto out;
        }
        if (rc == LW_EPARSE) {
            if (!bad) {
                first_bad = lineno;
                first_why = why;
            }
            bad++;
        }
    }
    if (ferror(f)) {
        lw_diag_set(diag, "cannot read surname table: %s", strerror(errno));
        rc = LW_EIO;
        goto out;
    }
    if (n->nrows == 0) {
        lw_diag_set(diag, "surname table has no usable row");
        rc = LW_EPARSE;
        goto out;
    }
    if (bad) {
        lw_diag_at(diag, path, first_bad, 0);
        lw_diag_set(diag, "skipped %lu malformed surname row(s); first: %s", bad, first_why);
    } else {
        lw_diag_clear(diag);
    }
    *out = n;
    n = NULL;
    rc = LW_OK;
out:
    if (f)
        fclose(f);
    free(line);
    lw_names_free(n);
    return rc;
}
