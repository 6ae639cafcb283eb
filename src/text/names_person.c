/* names_person.c -- matching person names across romanisations, scripts,
 * orders and look-alike spellings, and the index keys of a person name.
 *
 * A name becomes at most LW_NAMES_MAX_TOKENS tokens:
 *   - Latin (or other-script) words, folded to ASCII by lw_names_fold;
 *     each carries the surname rows its spelling may spell;
 *   - a hanzi run splits into a surname (the first character, or the
 *     first two when the table has them) and a given name, each with its
 *     Han-Latin/Names reading.
 * Two names are compared by the best one-to-one pairing of their tokens
 * (order-free), found by a small bounded search; the strength follows from
 * how every token of the shorter name is explained (docs/internals/names.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "text/names_int.h"

enum ptok_kind { PT_LATIN, PT_HAN_SUR, PT_HAN_GIVEN };

struct ptok {
    enum ptok_kind kind;
    char s[LW_NAMES_TOKLEN];     /* folded ASCII, or the reading of hanzi (joined) */
    char han[LW_NAMES_HANLEN];   /* simplified hanzi (HAN kinds) */
    char disp[LW_NAMES_DISPLEN]; /* as written */
    const uint16_t *rows;        /* surname rows this token may spell */
    size_t nrows;
    unsigned flags; /* LW_NAMES_LOOKALIKE, LW_NAMES_TRANSLIT */
    int pos;        /* position in the name */
};

struct pname {
    struct ptok t[LW_NAMES_MAX_TOKENS];
    size_t n;
    bool alt_possible; /* a hanzi run of 3+ characters could have a two-character surname */
};

/* How a token of one name explains a token of the other, weakest first. */
enum rel {
    R_NONE = 0,
    R_INITIAL, /* a single letter and a word starting with it */
    R_FUZZY,   /* edit distance within the budget of long tokens */
    R_READING, /* hanzi given name read as this pinyin */
    R_SURNAME, /* both may spell one surname of the table */
    R_HANSAME, /* the same hanzi (after traditional -> simplified) */
    R_EXACT,   /* equal after folding */
};

static const int rel_quality[] = {0, 2, 5, 7, 8, 10, 10};

struct relinfo {
    uint8_t kind;
    uint8_t dist;
    bool short_sur; /* surname via a single-letter variant */
};

/* ---- parsing ---- */

static bool is_joiner(UChar32 c)
{
    switch (c) {
    case 0x27:   /* ' */
    case 0x60:   /* ` */
    case 0xB4:   /* ´ */
    case 0x2018: /* ‘ */
    case 0x2019: /* ’ */
    case 0x02BC: /* ʼ */
    case 0x2032: /* ′ */
    case 0x2D:   /* - */
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2212:
        return true;
    default:
        return false;
    }
}

static bool is_word(UChar32 c)
{
    return u_isalnum(c) || is_joiner(c) || lw_names_is_mark(c);
}

static void to_disp(const UChar *s, int32_t len, char *out, size_t cap)
{
    char tmp[256];
    int32_t ol = 0;
    UErrorCode err = U_ZERO_ERROR;

    if (len > 60)
        len = 60;
    u_strToUTF8WithSub(tmp, sizeof(tmp), &ol, s, len, 0xFFFD, NULL, &err);
    if (U_FAILURE(err) || ol >= (int32_t)sizeof(tmp))
        ol = 0;
    lw_names_copy(out, cap, tmp, (size_t)ol);
}

static void set_rows(const struct lw_names *n, struct ptok *t)
{
    t->rows = NULL;
    t->nrows = 0;
    if (t->kind == PT_LATIN)
        t->rows = lw_names_spelling_rows(n, t->s, &t->nrows);
    else if (t->kind == PT_HAN_SUR)
        t->rows = lw_names_hanzi_rows(n, t->han, &t->nrows);
}

/* Byte length of the first k code points of UTF-8 s. */
static size_t utf8_prefix(const char *s, size_t k)
{
    size_t i = 0;

    while (s[i] && k > 0) {
        i++;
        while (((unsigned char)s[i] & 0xC0) == 0x80)
            i++;
        k--;
    }
    return i;
}

static size_t utf8_count(const char *s)
{
    size_t k = 0;

    for (size_t i = 0; s[i]; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            k++;
    return k;
}

/* Join syllables [from, to) of a space-separated reading. */
static void join_syllables(const char *rd, size_t from, size_t to, char *out, size_t cap)
{
    size_t syl = 0, k = 0;

    for (size_t i = 0; rd[i]; i++) {
        if (rd[i] == ' ') {
            syl++;
            continue;
        }
        if (syl >= from && syl < to && k + 1 < cap)
            out[k++] = rd[i];
    }
    if (cap)
        out[k] = '\0';
}

/* Add the tokens of a hanzi run. The surname is the first character, or
 * the first two when the table has them or when compound is set (欧阳明 as
 * 欧阳 + 明: compound surnames the table lacks are tried as an
 * alternative reading, see lw_names_match_person). */
static int add_han(const struct lw_names *n, const UChar *s, int32_t len, bool compound,
                   struct pname *pn)
{
    char hans[LW_NAMES_HANLEN * 2], rd[512], two[16];
    size_t nchar, sl = 1, cut;
    struct ptok *t;
    int rc;

    rc = lw_names_han(n, s, len, hans, sizeof(hans), rd, sizeof(rd));
    if (rc < 0)
        return rc;
    nchar = utf8_count(hans);
    if (nchar == 0)
        return LW_OK;
    if (nchar >= 2) {
        size_t nr;
        cut = utf8_prefix(hans, 2);
        if (cut < sizeof(two)) {
            memcpy(two, hans, cut);
            two[cut] = '\0';
            if (lw_names_hanzi_rows(n, two, &nr))
                sl = 2;
        }
    }
    if (nchar >= 3 && sl == 1) {
        if (compound)
            sl = 2;
        else
            pn->alt_possible = true;
    }
    /* When Han-Latin could not read a character, nsyl != nchar: the
     * surname still takes the first syllable(s) and the given name the rest. */
    t = &pn->t[pn->n];
    memset(t, 0, sizeof(*t));
    t->kind = PT_HAN_SUR;
    cut = utf8_prefix(hans, sl);
    lw_names_copy(t->han, sizeof(t->han), hans, cut);
    lw_names_copy(t->disp, sizeof(t->disp), hans, cut);
    join_syllables(rd, 0, sl, t->s, sizeof(t->s));
    t->pos = (int)pn->n;
    set_rows(n, t);
    pn->n++;
    if (nchar <= sl || pn->n >= LW_NAMES_MAX_TOKENS)
        return LW_OK;
    t = &pn->t[pn->n];
    memset(t, 0, sizeof(*t));
    t->kind = PT_HAN_GIVEN;
    lw_names_copy(t->han, sizeof(t->han), hans + cut, strlen(hans + cut));
    lw_names_copy(t->disp, sizeof(t->disp), hans + cut, strlen(hans + cut));
    join_syllables(rd, sl, (size_t)-1, t->s, sizeof(t->s));
    t->pos = (int)pn->n;
    pn->n++;
    return LW_OK;
}

static bool is_title(const char *s)
{
    static const char *const titles[] = {"mr",   "mrs", "ms",   "miss", "mx",   "dr",
                                         "prof", "mme", "mlle", "herr", "frau", "madam"};

    for (size_t i = 0; i < LW_ARRAY_LEN(titles); i++)
        if (strcmp(s, titles[i]) == 0)
            return true;
    return false;
}

static int parse_person(const struct lw_names *n, const char *name, bool compound, struct pname *pn)
{
    UChar u[LW_NAMES_MAX_INPUT + 1], v[LW_NAMES_MAX_INPUT * 4];
    int32_t ul = 0, vl = 0, i = 0;
    size_t len;
    int rc;

    pn->n = 0;
    pn->alt_possible = false;
    if (!name)
        return LW_EINVAL;
    len = strnlen(name, LW_NAMES_MAX_INPUT + 1);
    if (len > LW_NAMES_MAX_INPUT)
        return LW_ELIMIT;
    rc = lw_names_u16(name, len, u, LW_ARRAY_LEN(u), &ul);
    if (rc == LW_OK)
        rc = lw_names_nfkc(n, u, ul, v, LW_ARRAY_LEN(v), &vl);
    if (rc < 0)
        return rc;
    while (i < vl && pn->n < LW_NAMES_MAX_TOKENS) {
        int32_t start = i, end, next = i;
        UChar32 c;
        bool han;

        U16_NEXT(v, next, vl, c);
        han = lw_names_is_han((uint32_t)c);
        if (!han && !is_word(c)) {
            i = next;
            continue;
        }
        end = next;
        while (end < vl) {
            int32_t k = end;
            U16_NEXT(v, k, vl, c);
            if (han ? !lw_names_is_han((uint32_t)c) : (!is_word(c) || lw_names_is_han((uint32_t)c)))
                break;
            end = k;
        }
        i = end;
        if (han) {
            rc = add_han(n, v + start, end - start, compound, pn);
            if (rc < 0)
                return rc;
            continue;
        }
        struct ptok *t = &pn->t[pn->n];
        memset(t, 0, sizeof(*t));
        t->kind = PT_LATIN;
        lw_names_fold(n, v + start, end - start, t->s, sizeof(t->s), &t->flags);
        if (!t->s[0])
            continue;
        if (pn->n == 0 && is_title(t->s))
            continue;
        to_disp(v + start, end - start, t->disp, sizeof(t->disp));
        t->pos = (int)pn->n;
        set_rows(n, t);
        pn->n++;
    }
    return LW_OK;
}

/* ---- relations ---- */

static bool rows_meet(const uint16_t *a, size_t na, const uint16_t *b, size_t nb, uint16_t *first)
{
    size_t i = 0, j = 0;

    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            if (first)
                *first = a[i];
            return true;
        }
        if (a[i] < b[j])
            i++;
        else
            j++;
    }
    return false;
}

static bool eq_ci(const char *folded, const char *pinyin)
{
    size_t i;

    for (i = 0; folded[i] && pinyin[i]; i++) {
        char p = pinyin[i];
        if (p >= 'A' && p <= 'Z')
            p = (char)(p - 'A' + 'a');
        if (folded[i] != p)
            return false;
    }
    return !folded[i] && !pinyin[i];
}

static struct relinfo relate(const struct ptok *a, const struct ptok *b)
{
    struct relinfo r = {R_NONE, 0, false};
    size_t la = strlen(a->s), lb = strlen(b->s);

    if (a->kind == PT_LATIN && b->kind == PT_LATIN) {
        if (strcmp(a->s, b->s) == 0) {
            r.kind = R_EXACT;
        } else if (rows_meet(a->rows, a->nrows, b->rows, b->nrows, NULL)) {
            r.kind = R_SURNAME;
            r.short_sur = la == 1 || lb == 1;
        } else if ((la == 1 && lb > 1 && b->s[0] == a->s[0]) ||
                   (lb == 1 && la > 1 && a->s[0] == b->s[0])) {
            r.kind = R_INITIAL;
        } else {
            unsigned budget = lw_names_budget(la, lb);
            unsigned d = budget ? lw_names_osa(a->s, b->s) : 1000;
            if (d <= budget) {
                r.kind = R_FUZZY;
                r.dist = (uint8_t)d;
            }
        }
        return r;
    }
    if (a->kind != PT_LATIN && b->kind != PT_LATIN) {
        if (a->kind != b->kind)
            return r;
        if (strcmp(a->han, b->han) == 0 ||
            (a->kind == PT_HAN_SUR && rows_meet(a->rows, a->nrows, b->rows, b->nrows, NULL)))
            r.kind = R_HANSAME;
        else if (a->kind == PT_HAN_GIVEN && a->s[0] && strcmp(a->s, b->s) == 0)
            r.kind = R_READING;
        return r;
    }
    /* one Latin token, one hanzi token */
    const struct ptok *h = a->kind == PT_LATIN ? b : a;
    const struct ptok *l = a->kind == PT_LATIN ? a : b;
    if (h->kind == PT_HAN_SUR) {
        if (rows_meet(h->rows, h->nrows, l->rows, l->nrows, NULL) ||
            (h->s[0] && strcmp(h->s, l->s) == 0)) {
            r.kind = R_SURNAME;
            r.short_sur = strlen(l->s) == 1;
        }
        return r;
    }
    if (h->s[0] && strcmp(h->s, l->s) == 0) {
        r.kind = R_READING;
    } else {
        unsigned budget = lw_names_budget(strlen(h->s), strlen(l->s));
        unsigned d = budget ? lw_names_osa(h->s, l->s) : 1000;
        if (d <= budget) {
            r.kind = R_FUZZY;
            r.dist = (uint8_t)d;
        }
    }
    return r;
}

/* ---- best pairing ---- */

#define MAXT         LW_NAMES_MAX_TOKENS
#define SEARCH_NODES 20000

struct search {
    struct relinfo R[MAXT][MAXT];
    size_t na, nb;
    int cur[MAXT];
    int best[MAXT];
    int best_cnt, best_q;
    unsigned long nodes;
};

static void dfs(struct search *S, size_t i, unsigned used, int nsur, int nfz, int cnt, int q)
{
    int rem = (int)(S->na - i);

    if (++S->nodes > SEARCH_NODES)
        return;
    if (i == S->na) {
        if (cnt > S->best_cnt || (cnt == S->best_cnt && q > S->best_q)) {
            S->best_cnt = cnt;
            S->best_q = q;
            memcpy(S->best, S->cur, sizeof(S->best));
        }
        return;
    }
    rem = LW_MIN(rem, (int)S->nb - __builtin_popcount(used));
    if (cnt + rem < S->best_cnt || (cnt + rem == S->best_cnt && q + 10 * rem <= S->best_q))
        return;
    for (size_t j = 0; j < S->nb; j++) {
        const struct relinfo *r = &S->R[i][j];
        if ((used & (1u << j)) || r->kind == R_NONE)
            continue;
        if (r->kind == R_SURNAME && nsur)
            continue;
        if (r->kind == R_FUZZY && nfz)
            continue;
        S->cur[i] = (int)j;
        dfs(S, i + 1, used | (1u << j), nsur + (r->kind == R_SURNAME), nfz + (r->kind == R_FUZZY),
            cnt + 1, q + rel_quality[r->kind]);
    }
    S->cur[i] = -1;
    dfs(S, i + 1, used, nsur, nfz, cnt, q);
}

struct eval {
    enum lw_name_strength st;
    double frac;
    int pair[MAXT]; /* A token -> B token or -1 */
    struct relinfo rel[MAXT];
    bool conflict;
};

static bool surname_capable(const struct ptok *t)
{
    return t->kind == PT_HAN_SUR || (t->kind == PT_LATIN && t->nrows > 0 && strlen(t->s) > 1);
}

/* A pairing to start from, so the search prunes early: the best
 * relations first, within the same limits as dfs(). */
static void greedy(struct search *S)
{
    unsigned used = 0;
    int nsur = 0, nfz = 0;

    for (int kind = R_EXACT; kind > R_NONE; kind--) {
        for (size_t i = 0; i < S->na; i++) {
            if (S->best[i] >= 0)
                continue;
            for (size_t j = 0; j < S->nb; j++) {
                if ((used & (1u << j)) || S->R[i][j].kind != kind)
                    continue;
                if ((kind == R_SURNAME && nsur) || (kind == R_FUZZY && nfz))
                    continue;
                S->best[i] = (int)j;
                used |= 1u << j;
                nsur += kind == R_SURNAME;
                nfz += kind == R_FUZZY;
                S->best_cnt++;
                S->best_q += rel_quality[kind];
                break;
            }
        }
    }
}

static int cmp_names(const struct pname *A, const struct pname *B)
{
    int c;

    if (A->n != B->n)
        return A->n < B->n ? -1 : 1;
    for (size_t i = 0; i < A->n; i++) {
        if ((c = strcmp(A->t[i].s, B->t[i].s)) != 0 || (c = strcmp(A->t[i].han, B->t[i].han)))
            return c;
    }
    return 0;
}

/* The best one-to-one pairing of A's tokens with B's: pair[i] is the B
 * token of A token i, or -1. The search runs over the side that is shorter
 * (or sorts first), so the result does not depend on the argument order. */
static void best_pairing(const struct pname *A, const struct pname *B, int *pair,
                         struct relinfo *rel, int *cnt, int *q)
{
    struct search *S = calloc(1, sizeof(*S));
    bool swap = cmp_names(A, B) > 0;
    const struct pname *X = swap ? B : A, *Y = swap ? A : B;

    for (size_t i = 0; i < MAXT; i++)
        pair[i] = -1;
    *cnt = *q = 0;
    if (!S)
        return;
    S->na = X->n;
    S->nb = Y->n;
    for (size_t i = 0; i < X->n; i++)
        for (size_t j = 0; j < Y->n; j++)
            S->R[i][j] = relate(&X->t[i], &Y->t[j]);
    for (size_t i = 0; i < MAXT; i++)
        S->cur[i] = S->best[i] = -1;
    greedy(S);
    dfs(S, 0, 0, 0, 0, 0, 0);
    for (size_t i = 0; i < X->n; i++) {
        int j = S->best[i];
        if (j < 0)
            continue;
        if (swap) {
            pair[j] = (int)i;
            rel[j] = S->R[i][j];
        } else {
            pair[i] = j;
            rel[i] = S->R[i][j];
        }
    }
    *cnt = S->best_cnt;
    *q = S->best_q;
    free(S);
}

static void evaluate(const struct pname *A, const struct pname *B, struct eval *ev)
{
    size_t shorter = LW_MIN(A->n, B->n), longer = LW_MAX(A->n, B->n);
    bool any_fuzzy = false, any_reading = false, any_short = false, any_initial = false;
    bool sur_pair = false;
    unsigned matched_b = 0;
    int best_cnt = 0, best_q = 0;

    memset(ev, 0, sizeof(*ev));
    ev->st = LW_NAME_NONE;
    for (size_t i = 0; i < MAXT; i++)
        ev->pair[i] = -1;
    if (shorter == 0)
        return;
    best_pairing(A, B, ev->pair, ev->rel, &best_cnt, &best_q);
    for (size_t i = 0; i < A->n; i++) {
        int j = ev->pair[i];
        const struct relinfo *r;
        if (j < 0)
            continue;
        r = &ev->rel[i];
        matched_b |= 1u << j;
        any_fuzzy |= r->kind == R_FUZZY;
        any_reading |= r->kind == R_READING;
        any_short |= r->short_sur;
        any_initial |= r->kind == R_INITIAL;
        sur_pair |= r->kind == R_SURNAME || (r->kind == R_HANSAME && A->t[i].kind == PT_HAN_SUR) ||
                    (r->kind == R_EXACT && surname_capable(&A->t[i]));
    }
    ev->frac = (double)best_q / (10.0 * (double)longer);
    if (best_cnt == 0) {
        ev->st = LW_NAME_NONE;
    } else if ((size_t)best_cnt == shorter && shorter >= 2) {
        ev->st = LW_NAME_STRONG;
        if (any_fuzzy || any_reading || any_short)
            ev->st = LW_NAME_MEDIUM;
        if (any_initial)
            ev->st = LW_NAME_WEAK;
    } else {
        bool ca = false, cb = false;
        for (size_t i = 0; i < A->n; i++)
            ca |= ev->pair[i] < 0 && surname_capable(&A->t[i]);
        for (size_t j = 0; j < B->n; j++)
            cb |= !(matched_b & (1u << j)) && surname_capable(&B->t[j]);
        ev->conflict = ca && cb && !sur_pair;
        ev->st = ev->conflict ? LW_NAME_NONE : LW_NAME_WEAK;
    }
}

/* ---- explanations ---- */

static void list_rows(const struct lw_names *n, const struct ptok *t, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t k = 0; k < t->nrows && k < 4; k++)
        lw_names_why(out, cap, "%s%s", k ? "/" : "", n->rows[t->rows[k]].hans);
    if (t->nrows > 4)
        lw_names_why(out, cap, "/...");
}

static void explain_surname(const struct lw_names *n, const struct ptok *a, const struct ptok *b,
                            char *why, size_t cap)
{
    uint16_t shared[8];
    size_t ns = 0, i = 0, j = 0;
    const struct ptok *py = NULL, *other = NULL;
    char list[96] = "";

    if (a->kind != PT_LATIN || b->kind != PT_LATIN) {
        const struct ptok *h = a->kind == PT_LATIN ? b : a;
        const struct ptok *l = a->kind == PT_LATIN ? a : b;
        if (h->nrows)
            lw_names_why(why, cap, "surname %s can be spelled %s", h->han, l->disp);
        else
            lw_names_why(why, cap, "surname %s reads %s", h->han, h->s);
        return;
    }
    while (i < a->nrows && j < b->nrows && ns < LW_ARRAY_LEN(shared)) {
        if (a->rows[i] == b->rows[j]) {
            shared[ns++] = a->rows[i];
            i++;
            j++;
        } else if (a->rows[i] < b->rows[j]) {
            i++;
        } else {
            j++;
        }
    }
    for (size_t k = 0; k < ns && !py; k++) {
        const struct lw_names_row *row = &n->rows[shared[k]];
        if (eq_ci(a->s, row->pinyin)) {
            py = a;
            other = b;
            lw_names_why(list, sizeof(list), "%s (%s)", row->hans, row->pinyin);
        } else if (eq_ci(b->s, row->pinyin)) {
            py = b;
            other = a;
            lw_names_why(list, sizeof(list), "%s (%s)", row->hans, row->pinyin);
        }
    }
    if (py) {
        lw_names_why(why, cap, "surname %s is a romanisation of %s", other->disp, list);
        return;
    }
    for (size_t k = 0; k < ns && k < 3; k++)
        lw_names_why(list, sizeof(list), "%s%s (%s)", k ? ", " : "", n->rows[shared[k]].hans,
                     n->rows[shared[k]].pinyin);
    lw_names_why(why, cap, "surnames %s and %s can both be %s", a->disp, b->disp, list);
}

static void explain(const struct lw_names *n, const struct pname *A, const struct pname *B,
                    const struct eval *ev, char *why, size_t cap)
{
    bool first = true, sur = false, order = false;
    int last = -1;
    unsigned matched_b = 0;

    why[0] = '\0';
    for (size_t i = 0; i < A->n; i++)
        if (ev->pair[i] >= 0 && (ev->rel[i].kind == R_SURNAME || ev->rel[i].kind == R_HANSAME))
            sur = true;
    for (size_t i = 0; i < A->n; i++) {
        int j = ev->pair[i];
        const struct ptok *a = &A->t[i], *b;
        if (j < 0)
            continue;
        b = &B->t[j];
        matched_b |= 1u << j;
        if (j < last)
            order = true;
        last = j;
        if (!first)
            lw_names_why(why, cap, "; ");
        first = false;
        switch (ev->rel[i].kind) {
        case R_EXACT:
            if (strcmp(a->disp, b->disp) == 0)
                lw_names_why(why, cap, "%s%s equal", sur ? "given name " : "", a->disp);
            else
                lw_names_why(why, cap, "%s%s = %s", sur ? "given name " : "", a->disp, b->disp);
            break;
        case R_SURNAME:
            explain_surname(n, a, b, why, cap);
            break;
        case R_HANSAME:
            if (strcmp(a->disp, b->disp) == 0)
                lw_names_why(why, cap, "%s equal", a->disp);
            else
                lw_names_why(why, cap, "%s = %s (traditional/simplified)", a->disp, b->disp);
            break;
        case R_READING:
            if (a->kind != PT_LATIN && b->kind != PT_LATIN)
                lw_names_why(why, cap, "given names %s and %s read the same (%s)", a->disp, b->disp,
                             a->s);
            else
                lw_names_why(why, cap, "given name %s reads %s",
                             a->kind == PT_LATIN ? b->disp : a->disp,
                             a->kind == PT_LATIN ? a->disp : b->disp);
            break;
        case R_FUZZY:
            lw_names_why(why, cap, "%s ~ %s (%u edit%s)", a->disp, b->disp, ev->rel[i].dist,
                         ev->rel[i].dist == 1 ? "" : "s");
            break;
        case R_INITIAL:
            lw_names_why(why, cap, "%s is an initial of %s", strlen(a->s) == 1 ? a->disp : b->disp,
                         strlen(a->s) == 1 ? b->disp : a->disp);
            break;
        default:
            break;
        }
    }
    if (order)
        lw_names_why(why, cap, "; order differs");
    if (ev->conflict) {
        for (size_t i = 0; i < A->n; i++) {
            if (ev->pair[i] >= 0 || !surname_capable(&A->t[i]))
                continue;
            for (size_t j = 0; j < B->n; j++) {
                char la[64], lb[64];
                if ((matched_b & (1u << j)) || !surname_capable(&B->t[j]))
                    continue;
                la[0] = lb[0] = '\0';
                if (A->t[i].kind == PT_LATIN)
                    list_rows(n, &A->t[i], la, sizeof(la));
                if (B->t[j].kind == PT_LATIN)
                    list_rows(n, &B->t[j], lb, sizeof(lb));
                lw_names_why(why, cap, "%ssurnames %s%s%s%s and %s%s%s%s differ", first ? "" : "; ",
                             A->t[i].disp, la[0] ? " (" : "", la, la[0] ? ")" : "", B->t[j].disp,
                             lb[0] ? " (" : "", lb, lb[0] ? ")" : "");
                first = false;
                i = A->n; /* one is enough */
                break;
            }
        }
    }
    for (size_t i = 0; i < A->n; i++)
        if (A->t[i].flags & LW_NAMES_LOOKALIKE) {
            lw_names_why(why, cap, "; '%s' has look-alike letters from another script",
                         A->t[i].disp);
            break;
        }
    for (size_t j = 0; j < B->n; j++)
        if (B->t[j].flags & LW_NAMES_LOOKALIKE) {
            lw_names_why(why, cap, "; '%s' has look-alike letters from another script",
                         B->t[j].disp);
            break;
        }
    if (ev->st == LW_NAME_WEAK && A->n > 0 && B->n > 0) {
        if (LW_MIN(A->n, B->n) < 2)
            lw_names_why(why, cap, "; one token only");
        else
            lw_names_why(why, cap, "; not every token explained");
    }
    if (!why[0])
        lw_names_why(why, cap, "no token in common");
}

/* ---- alternatives: adjacent Latin tokens joined ("Xiao Ming" = "Xiaoming") ---- */

static bool merge(const struct lw_names *n, const struct pname *in, size_t i, struct pname *out)
{
    const struct ptok *a = &in->t[i], *b = &in->t[i + 1];
    struct ptok *t;
    size_t la = strlen(a->s), lb = strlen(b->s);

    if (a->kind != PT_LATIN || b->kind != PT_LATIN || la + lb + 1 > LW_NAMES_TOKLEN)
        return false;
    *out = *in;
    t = &out->t[i];
    memcpy(t->s + la, b->s, lb + 1);
    t->flags |= b->flags;
    t->disp[0] = '\0';
    lw_names_why(t->disp, sizeof(t->disp), "%s %s", a->disp, b->disp);
    set_rows(n, t);
    memmove(&out->t[i + 1], &out->t[i + 2], (in->n - i - 2) * sizeof(out->t[0]));
    out->n = in->n - 1;
    return true;
}

static bool better(const struct eval *a, const struct eval *b)
{
    return a->st > b->st || (a->st == b->st && a->frac > b->frac);
}

/* The best reading of A against B, trying adjacent Latin tokens joined on
 * either side; the winning pair of names is copied to W[0], W[1]. */
static void best_of(const struct lw_names *n, const struct pname *A, const struct pname *B,
                    struct eval *best, struct pname *W, struct pname *tmp)
{
    struct eval ev;

    evaluate(A, B, &ev);
    if (better(&ev, best)) {
        *best = ev;
        W[0] = *A;
        W[1] = *B;
    }
    /* Joining tokens can only help when some token is left unexplained. */
    if (ev.st == LW_NAME_STRONG)
        return;
    for (size_t i = 0; i + 1 < A->n; i++) {
        if (!merge(n, A, i, tmp))
            continue;
        evaluate(tmp, B, &ev);
        if (better(&ev, best)) {
            *best = ev;
            W[0] = *tmp;
            W[1] = *B;
        }
    }
    for (size_t j = 0; j + 1 < B->n; j++) {
        if (!merge(n, B, j, tmp))
            continue;
        evaluate(A, tmp, &ev);
        if (better(&ev, best)) {
            *best = ev;
            W[0] = *A;
            W[1] = *tmp;
        }
    }
}

void lw_names_match_person(const struct lw_names *n, const char *a, const char *b,
                           struct lw_name_match *out)
{
    /* P[0], P[1]: A and B as parsed; P[2], P[3]: with a two-character
     * surname when a long hanzi run allows it; P[4], P[5]: the winners;
     * P[6]: scratch. */
    struct pname *P = NULL;
    struct eval best;
    int rc = LW_OK;

    memset(out, 0, sizeof(*out));
    memset(&best, 0, sizeof(best));
    best.frac = -1.0; /* any evaluation is better */
    if (!n || !a || !b) {
        lw_names_why(out->why, sizeof(out->why), "no name");
        return;
    }
    P = malloc(7 * sizeof(*P));
    if (!P) {
        lw_names_why(out->why, sizeof(out->why), "out of memory");
        goto out;
    }
    rc = parse_person(n, a, false, &P[0]);
    if (rc == LW_OK)
        rc = parse_person(n, b, false, &P[1]);
    if (rc == LW_OK && P[0].alt_possible)
        rc = parse_person(n, a, true, &P[2]);
    if (rc == LW_OK && P[1].alt_possible)
        rc = parse_person(n, b, true, &P[3]);
    if (rc < 0) {
        lw_names_why(out->why, sizeof(out->why), "%s",
                     rc == LW_ELIMIT ? "name too long" : lw_strerror(rc));
        goto out;
    }
    if (P[0].n == 0 || P[1].n == 0) {
        lw_names_why(out->why, sizeof(out->why), "empty name");
        goto out;
    }
    best_of(n, &P[0], &P[1], &best, &P[4], &P[6]);
    if (P[0].alt_possible)
        best_of(n, &P[2], &P[1], &best, &P[4], &P[6]);
    if (P[1].alt_possible)
        best_of(n, &P[0], &P[3], &best, &P[4], &P[6]);
    if (P[0].alt_possible && P[1].alt_possible)
        best_of(n, &P[2], &P[3], &best, &P[4], &P[6]);
    lw_names_result(out, best.st, best.frac);
    explain(n, &P[4], &P[5], &best, out->why, sizeof(out->why));
out:
    free(P);
}

/* ---- keys ---- */

struct keyset {
    char (*k)[LW_NAMES_TOKLEN + 8];
    size_t n, cap;
};

static void key_add(struct keyset *ks, const char *prefix, const char *v)
{
    if (!v[0] || ks->n >= ks->cap)
        return;
    snprintf(ks->k[ks->n], sizeof(ks->k[0]), "%s%s", prefix, v);
    ks->n++;
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Tokens i and i+1 joined as merge() joins them. */
static bool joined_of(const struct pname *pn, size_t i, char *out, size_t cap)
{
    const struct ptok *a = &pn->t[i], *b;
    size_t la, lb;

    if (i + 1 >= pn->n)
        return false;
    b = &pn->t[i + 1];
    la = strlen(a->s);
    lb = strlen(b->s);
    if (a->kind != PT_LATIN || b->kind != PT_LATIN || la + lb + 1 > LW_NAMES_TOKLEN ||
        la + lb + 1 > cap)
        return false;
    memcpy(out, a->s, la);
    memcpy(out + la, b->s, lb + 1);
    return true;
}

static size_t count_keys(const struct lw_names *n, const struct pname *pn, bool with_joined)
{
    char joined[LW_NAMES_TOKLEN];
    size_t cap = 0, nj = 0;

    for (size_t i = 0; i < pn->n; i++) {
        cap += 2 + pn->t[i].nrows;
        if (with_joined && joined_of(pn, i, joined, sizeof(joined))) {
            (void)lw_names_spelling_rows(n, joined, &nj);
            cap += 1 + nj;
        }
    }
    return cap;
}

static void add_keys(const struct lw_names *n, const struct pname *pn, bool with_joined,
                     struct keyset *ks)
{
    char joined[LW_NAMES_TOKLEN];
    size_t nj = 0;

    for (size_t i = 0; i < pn->n; i++) {
        const struct ptok *t = &pn->t[i];
        key_add(ks, "t:", t->s);
        for (size_t r = 0; r < t->nrows; r++)
            key_add(ks, "h:", n->rows[t->rows[r]].hans);
        if (t->kind == PT_HAN_SUR && t->nrows == 0)
            key_add(ks, "h:", t->han);
        /* matching may join two adjacent tokens (merge()): key the result
         * the same way, surname groups included */
        if (with_joined && joined_of(pn, i, joined, sizeof(joined))) {
            const uint16_t *jr = lw_names_spelling_rows(n, joined, &nj);
            key_add(ks, "t:", joined);
            for (size_t r = 0; r < nj; r++)
                key_add(ks, "h:", n->rows[jr[r]].hans);
        }
    }
}

/* The keys of a name; with_joined adds the keys of the readings matching
 * also tries (joined tokens, a two-character hanzi surname). */
static int collect_keys(const struct lw_names *n, const char *name, bool with_joined,
                        struct keyset *ks)
{
    struct pname *pn = malloc(2 * sizeof(*pn));
    size_t cap, w = 0;
    bool alt;
    int rc;

    ks->k = NULL;
    ks->n = 0;
    if (!pn)
        return LW_ENOMEM;
    rc = parse_person(n, name, false, &pn[0]);
    alt = with_joined && rc == LW_OK && pn[0].alt_possible;
    if (alt)
        rc = parse_person(n, name, true, &pn[1]);
    if (rc < 0)
        goto out;
    cap = count_keys(n, &pn[0], with_joined) + (alt ? count_keys(n, &pn[1], true) : 0);
    ks->cap = cap ? cap : 1;
    ks->k = calloc(ks->cap, sizeof(ks->k[0]));
    if (!ks->k) {
        rc = LW_ENOMEM;
        goto out;
    }
    add_keys(n, &pn[0], with_joined, ks);
    if (alt)
        add_keys(n, &pn[1], true, ks);
    qsort(ks->k, ks->n, sizeof(ks->k[0]), key_cmp);
    for (size_t i = 0; i < ks->n; i++)
        if (w == 0 || strcmp(ks->k[w - 1], ks->k[i]) != 0)
            memmove(ks->k[w++], ks->k[i], sizeof(ks->k[0]));
    ks->n = w;
out:
    free(pn);
    return rc;
}

int lw_names_person_keys(const struct lw_names *n, const char *name, lw_names_key_fn *fn, void *ctx)
{
    struct keyset ks;
    int rc;

    if (!n || !name || !fn)
        return LW_EINVAL;
    rc = collect_keys(n, name, true, &ks);
    for (size_t i = 0; rc == LW_OK && i < ks.n; i++)
        rc = fn(ctx, ks.k[i]);
    free(ks.k);
    return rc;
}

void lw_names_person_key(const struct lw_names *n, const char *name, char *buf, size_t size)
{
    struct keyset ks;
    size_t len = 0;

    if (!buf || size == 0)
        return;
    buf[0] = '\0';
    if (!n || !name || collect_keys(n, name, false, &ks) < 0)
        return;
    for (size_t i = 0; i < ks.n; i++) {
        size_t kl = strlen(ks.k[i]);
        if (len + (len ? 1 : 0) + kl + 1 > size)
            break;
        if (len)
            buf[len++] = ' ';
        memcpy(buf + len, ks.k[i], kl + 1);
        len += kl;
    }
    free(ks.k);
}
