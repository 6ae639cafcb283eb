/* names_fold.c -- the ICU side of name matching: UTF-8 to UTF-16, NFKC,
 * folding a token to ASCII (look-alike letters, case, diacritics, other
 * scripts), reading hanzi with Han-Latin/Names, confusable skeletons, and
 * the small string helpers (edit distance, explanations) the matchers share.
 *
 * Thread safety: the normalisers, the spoof checker and the IDNA object are
 * thread-safe ICU objects used through const pointers. The transliterators
 * are not, so every utrans call runs with n->lazy->lock held; the fast paths
 * (ASCII, or Latin letters whose diacritics decompose) never take it. The
 * transliterators open on first use and Han readings are remembered (see
 * struct lw_names_lazy). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <unicode/uvernum.h>

#include "text/names_int.h"

#define FOLD_MAX_IN 256 /* UTF-16 units of one token that are folded; the rest is ignored */

bool lw_names_is_mark(UChar32 c)
{
    int8_t t = (int8_t)u_charType(c);

    return t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK;
}

int lw_names_u16(const char *s, size_t len, UChar *out, int32_t cap, int32_t *outlen)
{
    UErrorCode err = U_ZERO_ERROR;

    if (len > INT32_MAX / 2)
        return LW_ELIMIT;
    u_strFromUTF8WithSub(out, cap, outlen, s, (int32_t)len, 0xFFFD, NULL, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR || err == U_STRING_NOT_TERMINATED_WARNING)
        return LW_ELIMIT;
    if (U_FAILURE(err))
        return LW_EBACKEND;
    return LW_OK;
}

int lw_names_nfkc(const struct lw_names *n, const UChar *s, int32_t len, UChar *out, int32_t cap,
                  int32_t *outlen)
{
    UErrorCode err = U_ZERO_ERROR;
    UChar tmp[LW_NAMES_MAX_INPUT * 2];
    int32_t k = 0, r;

    /* U+207F, the nasal mark of Pe̍h-ōe-jī ("Tēⁿ"), is dropped, not read as
     * an n: the table's ASCII folds drop it too ("Tiuⁿ|Tiu"). */
    if (len > (int32_t)LW_ARRAY_LEN(tmp))
        return LW_ELIMIT;
    for (int32_t i = 0; i < len; i++)
        if (s[i] != 0x207F)
            tmp[k++] = s[i];
    r = unorm2_normalize(n->nfkc, tmp, k, out, cap, &err);

    if (err == U_BUFFER_OVERFLOW_ERROR || err == U_STRING_NOT_TERMINATED_WARNING)
        return LW_ELIMIT;
    if (U_FAILURE(err))
        return LW_EBACKEND;
    *outlen = r;
    return LW_OK;
}

bool lw_names_is_han(uint32_t c)
{
    UErrorCode err = U_ZERO_ERROR;

    return uscript_getScript((UChar32)c, &err) == USCRIPT_HAN && U_SUCCESS(err);
}

/* The ASCII letter that c looks like, or 0: a letter whose confusable
 * skeleton equals c's. Skeletons merge some letters (I and l both become
 * "l"); then the letter of c's case wins (Cyrillic І -> I, і -> i). */
static char lookalike(const struct lw_names *n, UChar32 c)
{
    UChar in[2], sk[8];
    int32_t il = 0, sl;
    UErrorCode err = U_ZERO_ERROR;
    UBool bad = false;
    int found = -1;

    U16_APPEND(in, il, 2, c, bad);
    if (bad)
        return 0;
    sl = uspoof_getSkeleton(n->spoof, 0, in, il, sk, LW_ARRAY_LEN(sk), &err);
    if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING)
        return 0;
    for (int k = 0; k < 52; k++) {
        if (n->ascii_skel_len[k] != sl || memcmp(n->ascii_skel[k], sk, (size_t)sl * sizeof(UChar)))
            continue;
        if (found < 0 || (u_isupper(c) ? k >= 26 : k < 26))
            found = k;
    }
    if (found < 0)
        return 0;
    return (char)(found < 26 ? 'a' + found : 'a' + found - 26);
}

static bool other_script_letter(UChar32 c)
{
    UErrorCode err = U_ZERO_ERROR;
    UScriptCode sc;

    if (c < 0x80 || !u_isalpha(c))
        return false;
    sc = uscript_getScript(c, &err);
    return U_SUCCESS(err) && sc != USCRIPT_LATIN && sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED;
}

/* The Latin letters of names that do not decompose, after case folding,
 * and the modifier apostrophes, with what ICU's Latin-ASCII makes of them (a unit test holds the
 * two together). Names written with them -- Đường, Søren, Łukasz -- fold without opening a
 * transliterator, whose first use costs about 15 ms. */
static const struct {
    UChar32 c;
    const char *ascii;
} latin_letters[] = {
    {0x00E6, "ae"},
    {0x00F0, "d"},
    {0x00F8, "o"},
    {0x00FE, "th"},
    {0x0111, "d"},
    {0x0127, "h"},
    {0x0131, "i"},
    {0x0133, "ij"},
    {0x0138, "q"},
    {0x0140, "l"},
    {0x0142, "l"},
    {0x014B, "n"},
    {0x0153, "oe"},
    {0x0167, "t"},
    {0x0180, "b"},
    {0x0192, "f"},
    {0x01E5, "g"},
    {0x0268, "i"},
    {0x0289, "u"},
    /* the apostrophes of Wade-Giles and Hawaiian spellings (Kʻo, Chʼen) */
    {0x02B9, "'"},
    {0x02BB, "'"},
    {0x02BC, "'"},
    {0x02BD, "'"},
};

const char *lw_names_latin_ascii(UChar32 c)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(latin_letters); i++)
        if (latin_letters[i].c == c)
            return latin_letters[i].ascii;
    return NULL;
}

static bool all_ascii(const UChar *s, int32_t len)
{
    for (int32_t i = 0; i < len; i++)
        if (s[i] >= 0x80)
            return false;
    return true;
}

static void emit_ascii(const UChar *s, int32_t len, char *out, size_t cap)
{
    size_t k = 0;

    for (int32_t i = 0; i < len && k + 1 < cap; i++) {
        if (s[i] >= 0x80)
            continue;
        char ch = (char)tolower((unsigned char)s[i]);
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
            out[k++] = ch;
    }
    out[k] = '\0';
}

void lw_names_fold(const struct lw_names *n, const UChar *s, int32_t len, char *out, size_t cap,
                   unsigned *flags)
{
    UChar a[FOLD_MAX_IN * 4], b[FOLD_MAX_IN * 4];
    int32_t alen = 0, blen, i = 0, lim;
    bool has_latin = false, lookalike_mode;
    int n_other = 0, n_conf = 0;
    UErrorCode err = U_ZERO_ERROR;
    UChar32 c;

    if (cap == 0)
        return;
    out[0] = '\0';
    if (len > FOLD_MAX_IN)
        len = FOLD_MAX_IN;

    /* A word that mixes Latin letters with letters of another script that
     * look like Latin ones ("Аmanda" with Cyrillic А) is a look-alike
     * spelling: read those letters as what they look like. A word wholly in
     * another script is transliterated, unless every letter of it has a
     * Latin look-alike ("Уео"). */
    while (i < len) {
        U16_NEXT(s, i, len, c);
        if (c < 0x80) {
            has_latin = has_latin || isalpha((int)c);
        } else if (other_script_letter(c)) {
            n_other++;
            if (lookalike(n, c))
                n_conf++;
        } else if (u_isalpha(c)) {
            has_latin = true;
        }
    }
    lookalike_mode = n_other > 0 && (has_latin || n_conf == n_other);
    for (i = 0; i < len;) {
        UBool bad = false;
        char l = 0;

        U16_NEXT(s, i, len, c);
        if (lookalike_mode && other_script_letter(c))
            l = lookalike(n, c);
        if (l) {
            a[alen++] = (UChar)l;
            if (flags)
                *flags |= LW_NAMES_LOOKALIKE;
        } else {
            U16_APPEND(a, alen, (int32_t)LW_ARRAY_LEN(a), c, bad);
        }
        if (bad)
            break;
    }
    blen = u_strFoldCase(b, LW_ARRAY_LEN(b), a, alen, U_FOLD_CASE_DEFAULT, &err);
    if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING)
        return;
    if (all_ascii(b, blen)) {
        emit_ascii(b, blen, out, cap);
        return;
    }
    /* Diacritics: decompose and drop the marks. */
    alen = unorm2_normalize(n->nfd, b, blen, a, LW_ARRAY_LEN(a), &err);
    if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING)
        return;
    blen = 0;
    for (i = 0; i < alen;) {
        UBool bad = false;
        const char *l;

        U16_NEXT(a, i, alen, c);
        if (lw_names_is_mark(c))
            continue;
        if (n_other == 0 && (l = lw_names_latin_ascii(c)) != NULL) {
            while (*l && blen < (int32_t)LW_ARRAY_LEN(b))
                b[blen++] = (UChar)*l++;
            continue;
        }
        U16_APPEND(b, blen, (int32_t)LW_ARRAY_LEN(b), c, bad);
        if (bad)
            break;
    }
    if (all_ascii(b, blen)) {
        emit_ascii(b, blen, out, cap);
        return;
    }
    /* Letters that do not decompose (đ ø ß ł) and other scripts. */
    if (flags && n_other > 0 && !lookalike_mode)
        *flags |= LW_NAMES_TRANSLIT;
    lim = blen;
    pthread_mutex_lock(&n->lazy->lock);
    if (lw_names_trans(n->lazy, &n->lazy->any_ascii, "Any-Latin; Latin-ASCII"))
        utrans_transUChars(n->lazy->any_ascii, b, &blen, LW_ARRAY_LEN(b), 0, &lim, &err);
    else
        err = U_MISSING_RESOURCE_ERROR;
    pthread_mutex_unlock(&n->lazy->lock);
    if (U_FAILURE(err))
        return;
    emit_ascii(b, blen, out, cap);
}

void lw_names_fold_utf8(const struct lw_names *n, const char *s, char *out, size_t cap)
{
    UChar u[FOLD_MAX_IN], v[FOLD_MAX_IN * 2];
    int32_t ul = 0, vl = 0;

    if (cap)
        out[0] = '\0';
    if (lw_names_u16(s, strlen(s), u, LW_ARRAY_LEN(u), &ul) < 0)
        return;
    if (lw_names_nfkc(n, u, ul, v, LW_ARRAY_LEN(v), &vl) < 0)
        return;
    lw_names_fold(n, v, vl, out, cap, NULL);
}

/* ---- Han readings, remembered ------------------------------------------- */

/* The index slot of a Han string: the one that points at its reading
 * (*found), or the empty one where it would go. */
static size_t reading_slot(const struct lw_names_lazy *z, const UChar *s, int32_t len, bool *found)
{
    uint64_t h = XXH3_64bits(s, (size_t)len * sizeof(UChar));
    size_t i;

    for (i = h & (LW_NAMES_CACHE_SLOTS - 1);; i = (i + 1) & (LW_NAMES_CACHE_SLOTS - 1)) {
        const struct lw_names_reading *r;
        if (z->slots[i] == 0) {
            *found = false;
            return i;
        }
        r = &z->readings[z->slots[i] - 1];
        if (r->in_len == len && memcmp(r->in, s, (size_t)len * sizeof(UChar)) == 0) {
            *found = true;
            return i;
        }
    }
}

/* Remember a reading; call with the lock held. Full tables stay as they are. */
static void reading_put(struct lw_names_lazy *z, const UChar *s, int32_t len, const char *hans,
                        const char *reading, bool saved)
{
    struct lw_names_reading *r;
    bool found;
    size_t i;

    _Static_assert(LW_NAMES_CACHE_SLOTS * 3 / 4 < UINT16_MAX, "a reading's place fits the index");
    if (len <= 0 || len > LW_NAMES_HAN_MAX || z->used * 4 >= LW_NAMES_CACHE_SLOTS * 3)
        return;
    i = reading_slot(z, s, len, &found);
    if (found)
        return;
    if (z->used == z->cap) {
        size_t cap = z->cap ? z->cap * 2 : 256;
        struct lw_names_reading *v = realloc(z->readings, cap * sizeof(*v));

        if (!v)
            return; /* not remembered: worked out again next time */
        z->readings = v;
        z->cap = cap;
    }
    r = &z->readings[z->used];
    memcpy(r->in, s, (size_t)len * sizeof(UChar));
    r->in_len = len;
    snprintf(r->hans, sizeof(r->hans), "%s", hans);
    snprintf(r->reading, sizeof(r->reading), "%s", reading);
    r->saved = saved;
    z->slots[i] = (uint16_t)++z->used;
    if (!saved)
        z->unsaved++;
}

int lw_names_cache_open(struct lw_names *n, const char *dir)
{
    struct lw_names_lazy *z = n->lazy;
    char line[1024], path[4096];
    FILE *f;

    /* Readings depend on ICU's data: one file per ICU version. */
    if (snprintf(path, sizeof(path), "%s/han-readings-icu%s.tsv", dir, U_ICU_VERSION) >=
        (int)sizeof(path))
        return LW_EINVAL;
    free(z->cache_path);
    z->cache_path = strdup(path);
    if (!z->cache_path)
        return LW_ENOMEM;
    f = fopen(path, "r");
    if (!f)
        return LW_OK; /* nothing cached yet */
    pthread_mutex_lock(&z->lock);
    while (fgets(line, sizeof(line), f)) {
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL, *nl;
        UChar u[LW_NAMES_HAN_MAX];
        int32_t ul = 0;
        if (!t2)
            continue; /* a damaged line: skipped, the reading is computed again */
        *t1 = *t2 = '\0';
        if ((nl = strchr(t2 + 1, '\n')) != NULL)
            *nl = '\0';
        if (lw_names_u16(line, strlen(line), u, LW_ARRAY_LEN(u), &ul) == LW_OK)
            reading_put(z, u, ul, t1 + 1, t2 + 1, true);
    }
    pthread_mutex_unlock(&z->lock);
    fclose(f);
    return LW_OK;
}

void lw_names_cache_save(struct lw_names *n)
{
    struct lw_names_lazy *z = n->lazy;
    FILE *f = NULL;
    size_t i;

    if (!z->cache_path)
        return;
    pthread_mutex_lock(&z->lock);
    for (i = 0; z->unsaved && i < z->used; i++) {
        struct lw_names_reading *r = &z->readings[i];
        char in[LW_NAMES_HAN_MAX * 3 + 1];
        UErrorCode err = U_ZERO_ERROR;
        if (r->in_len == 0 || r->saved)
            continue;
        if (!f && !(f = fopen(z->cache_path, "a")))
            break;
        u_strToUTF8(in, (int32_t)sizeof(in), NULL, r->in, r->in_len, &err);
        if (U_SUCCESS(err) && err != U_STRING_NOT_TERMINATED_WARNING && !strpbrk(in, "\t\n"))
            fprintf(f, "%s\t%s\t%s\n", in, r->hans, r->reading);
        r->saved = true;
        z->unsaved--;
    }
    pthread_mutex_unlock(&z->lock);
    if (f)
        fclose(f);
}

int lw_names_han(const struct lw_names *n, const UChar *s, int32_t len, char *hans, size_t hans_cap,
                 char *reading, size_t reading_cap)
{
    struct lw_names_lazy *z = n->lazy;
    UChar simp[64], rd[64 * 10];
    char hbuf[LW_NAMES_HAN_MAX * 3 + 1], rbuf[LW_NAMES_HAN_MAX * 10];
    int32_t sl, rl, lim, i;
    UErrorCode err = U_ZERO_ERROR;
    size_t k = 0;
    bool found;

    if (len > LW_NAMES_HAN_MAX)
        len = LW_NAMES_HAN_MAX;
    pthread_mutex_lock(&z->lock);
    i = (int32_t)reading_slot(z, s, len, &found);
    if (found) {
        snprintf(hbuf, sizeof(hbuf), "%s", z->readings[z->slots[i] - 1].hans);
        snprintf(rbuf, sizeof(rbuf), "%s", z->readings[z->slots[i] - 1].reading);
        pthread_mutex_unlock(&z->lock);
        goto copy;
    }
    memcpy(simp, s, (size_t)len * sizeof(UChar));
    sl = len;
    lim = sl;
    if (!lw_names_trans(z, &z->simplify, "Traditional-Simplified") ||
        !lw_names_trans(z, &z->han_latin, "Han-Latin/Names; Latin-ASCII"))
        err = U_MISSING_RESOURCE_ERROR;
    if (U_SUCCESS(err))
        utrans_transUChars(z->simplify, simp, &sl, LW_ARRAY_LEN(simp), 0, &lim, &err);
    if (U_SUCCESS(err)) {
        memcpy(rd, simp, (size_t)sl * sizeof(UChar));
        rl = sl;
        lim = rl;
        utrans_transUChars(z->han_latin, rd, &rl, LW_ARRAY_LEN(rd), 0, &lim, &err);
    }
    if (U_FAILURE(err)) {
        pthread_mutex_unlock(&z->lock);
        return LW_EBACKEND;
    }
    u_strToUTF8(hbuf, (int32_t)sizeof(hbuf), NULL, simp, sl, &err);
    if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING) {
        pthread_mutex_unlock(&z->lock);
        if (hans_cap)
            hans[0] = '\0';
        return LW_ELIMIT;
    }
    /* Keep letters; anything else separates syllables. */
    for (i = 0; i < rl && k + 1 < sizeof(rbuf); i++) {
        UChar ch = rd[i];
        if (ch < 0x80 && isalpha(ch)) {
            rbuf[k++] = (char)tolower(ch);
        } else if (k > 0 && rbuf[k - 1] != ' ') {
            rbuf[k++] = ' ';
        }
    }
    while (k > 0 && rbuf[k - 1] == ' ')
        k--;
    rbuf[k] = '\0';
    reading_put(z, s, len, hbuf, rbuf, false);
    pthread_mutex_unlock(&z->lock);
copy:
    if (strlen(hbuf) >= hans_cap) {
        if (hans_cap)
            hans[0] = '\0';
        return LW_ELIMIT;
    }
    memcpy(hans, hbuf, strlen(hbuf) + 1);
    if (reading_cap)
        snprintf(reading, reading_cap, "%s", rbuf);
    return LW_OK;
}

int lw_names_skeleton(const struct lw_names *n, const char *s, char *out, size_t cap)
{
    enum { CAP = LW_NAMES_MAX_HANDLE * 4 };
    UChar *a = NULL, *b = NULL;
    int32_t al = 0, bl;
    UErrorCode err = U_ZERO_ERROR;
    int rc, round;

    a = malloc(CAP * sizeof(UChar));
    b = malloc(CAP * sizeof(UChar));
    if (!a || !b) {
        rc = LW_ENOMEM;
        goto out;
    }
    rc = lw_names_u16(s, strlen(s), a, CAP, &al);
    if (rc < 0)
        goto out;
    /* skeleton, case fold, skeleton again: "0" becomes "O" becomes "o". */
    for (round = 0; round < 3; round++) {
        bl = uspoof_getSkeleton(n->spoof, 0, a, al, b, CAP, &err);
        if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING)
            break;
        al = u_strFoldCase(a, CAP, b, bl, U_FOLD_CASE_DEFAULT, &err);
        if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING)
            break;
        if (al == bl && memcmp(a, b, (size_t)al * sizeof(UChar)) == 0)
            break;
    }
    if (err == U_BUFFER_OVERFLOW_ERROR || err == U_STRING_NOT_TERMINATED_WARNING) {
        rc = LW_ELIMIT;
        goto out;
    }
    if (U_FAILURE(err)) {
        rc = LW_EBACKEND;
        goto out;
    }
    u_strToUTF8(out, (int32_t)cap, NULL, a, al, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR || err == U_STRING_NOT_TERMINATED_WARNING)
        rc = LW_ELIMIT;
    else if (U_FAILURE(err))
        rc = LW_EBACKEND;
out:
    if (rc < 0 && cap)
        out[0] = '\0';
    free(a);
    free(b);
    return rc;
}

unsigned lw_names_osa(const char *a, const char *b)
{
    unsigned d[64][64];
    size_t la = strlen(a), lb = strlen(b);

    if (la >= 64 || lb >= 64)
        return 1000;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (unsigned)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
            unsigned v = d[i - 1][j] + 1;
            v = LW_MIN(v, d[i][j - 1] + 1);
            v = LW_MIN(v, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                v = LW_MIN(v, d[i - 2][j - 2] + 1);
            d[i][j] = v;
        }
    }
    return d[la][lb];
}

unsigned lw_names_budget(size_t la, size_t lb)
{
    size_t m = LW_MIN(la, lb);

    if (m < 6)
        return 0;
    return m <= 8 ? 1 : 2;
}

void lw_names_copy(char *out, size_t cap, const char *s, size_t len)
{
    if (cap == 0)
        return;
    if (len >= cap) {
        len = cap - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, s, len);
    out[len] = '\0';
}

void lw_names_why(char *why, size_t cap, const char *fmt, ...)
{
    char tmp[512];
    size_t have = strnlen(why, cap);
    va_list ap;
    int r;

    if (have + 1 >= cap)
        return;
    va_start(ap, fmt);
    r = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (r < 0)
        return;
    lw_names_copy(why + have, cap - have, tmp, strnlen(tmp, sizeof(tmp)));
}

void lw_names_result(struct lw_name_match *out, enum lw_name_strength st, double frac)
{
    static const double lo[] = {0.0, 0.25, 0.55, 0.85};
    static const double span[] = {0.0, 0.2, 0.25, 0.15};

    if (frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    out->strength = st;
    out->score = lo[st] + span[st] * frac;
}
