/* names-bench.c -- accuracy of lw_names_match_person on name pairs built
 * from the surname table and the named personas. Run by bench/names.sh.
 *
 * Usage: names-bench SURNAMES.TSV PERSONAS.MD [--all-errors]
 *
 * Labels come from the data, not from the matcher: a pair is positive when
 * it is one name in another spelling, script, order or look-alike form; it
 * is negative when the given names differ, or when the surname spellings
 * can spell no common surname by this program's own reading of the table
 * (ASCII spellings only, lower-cased). "Match" means MEDIUM or STRONG.
 * Prints pair counts per kind, precision and recall, how many matching
 * positives share an index key (lw_names_person_keys), and the first 20
 * errors of each kind. Deterministic: a fixed-seed generator picks the
 * random pairs. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/names.h"

#define MAXROWS    512
#define MAXVAR     64
#define MAXPERSONA 128

struct row {
    char hans[16], hant[16], pinyin[32];
    char var[MAXVAR][40];
    int nvar;
};

static struct row rows[MAXROWS];
static int nrows;

struct given {
    const char *latin;
    const char *han; /* NULL for non-Chinese given names */
};

/* A fixed list: English names (some from the personas) and pinyin given
 * names with their hanzi. Wei and Hui are also surname spellings (魏, 许),
 * on purpose. */
static const struct given givens[] = {
    {"Amanda", NULL},   {"Jason", NULL},      {"Rachel", NULL},     {"Lily", NULL},
    {"Michael", NULL},  {"Laeticia", NULL},   {"Robin", NULL},      {"Shirly", NULL},
    {"Allen", NULL},    {"Eva", NULL},        {"Xiaoming", "晓明"}, {"Jianhua", "建华"},
    {"Haiyan", "海燕"}, {"Zhiqiang", "志强"}, {"Wei", "伟"},        {"Hui", "慧"},
};
#define NGIVEN ((int)(sizeof(givens) / sizeof(givens[0])))

/* Pairs of different given names one edit apart, both 6 letters or more:
 * the cost of edit distance, reported apart from the totals. */
static const char *const near_names[][2] = {
    {"Marian", "Marion"},  {"Daniel", "Daniela"},      {"Louise", "Louisa"},
    {"Justin", "Justine"}, {"Gabriel", "Gabriela"},    {"Antonio", "Antonia"},
    {"Yvonne", "Yvette"},  {"Fabian", "Fabien"},       {"Simone", "Simona"},
    {"Martin", "Martina"}, {"Joanna", "Johanna"},      {"Carmen", "Carmel"},
    {"Stefan", "Stefen"},  {"Christian", "Christina"}, {"Michael", "Michelle"},
};

static char personas[MAXPERSONA][64];
static int npersonas;

/* ---- deterministic random numbers ---- */

static unsigned long long rng_state = 0x9E3779B97F4A7C15ULL;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

/* ---- the bench's own reading of the table ---- */

static bool is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return false;
    return true;
}

static void lower_letters(const char *s, char *out, size_t cap)
{
    size_t k = 0;

    for (; *s && k + 1 < cap; s++)
        if (isalpha((unsigned char)*s))
            out[k++] = (char)tolower((unsigned char)*s);
    out[k] = '\0';
}

/* Does the ASCII spelling s spell row r? */
static bool spells(const char *s, int r)
{
    char a[64], b[64];

    lower_letters(s, a, sizeof(a));
    lower_letters(rows[r].pinyin, b, sizeof(b));
    if (strcmp(a, b) == 0)
        return true;
    for (int v = 0; v < rows[r].nvar; v++) {
        if (!is_ascii(rows[r].var[v]))
            continue;
        lower_letters(rows[r].var[v], b, sizeof(b));
        if (strcmp(a, b) == 0)
            return true;
    }
    return false;
}

/* Can the two ASCII spellings spell a common surname? */
static bool may_share(const char *s1, const char *s2)
{
    char a[64], b[64];

    lower_letters(s1, a, sizeof(a));
    lower_letters(s2, b, sizeof(b));
    if (strcmp(a, b) == 0)
        return true;
    for (int r = 0; r < nrows; r++)
        if (spells(s1, r) && spells(s2, r))
            return true;
    return false;
}

static int load_rows(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[16384];

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f) && nrows < MAXROWS) {
        char *c[4] = {0}, *p = line, *slash, *v;
        int nc = 0;
        struct row *r = &rows[nrows];

        line[strcspn(line, "\r\n")] = '\0';
        if (strncmp(line, "hanzi\t", 6) == 0 || !line[0] || line[0] == '#')
            continue;
        while (nc < 4 && p) {
            c[nc++] = p;
            p = strchr(p, '\t');
            if (p)
                *p++ = '\0';
        }
        if (nc < 3)
            continue;
        memset(r, 0, sizeof(*r));
        slash = strchr(c[0], '/');
        if (slash) {
            *slash = '\0';
            snprintf(r->hant, sizeof(r->hant), "%s", slash + 1);
        }
        snprintf(r->hans, sizeof(r->hans), "%s", c[0]);
        snprintf(r->pinyin, sizeof(r->pinyin), "%s", c[1]);
        for (v = c[2]; v && r->nvar < MAXVAR;) {
            char *bar = strchr(v, '|');
            if (bar)
                *bar = '\0';
            if (*v)
                snprintf(r->var[r->nvar++], sizeof(r->var[0]), "%s", v);
            v = bar ? bar + 1 : NULL;
        }
        nrows++;
    }
    fclose(f);
    return nrows > 0 ? 0 : -1;
}

/* Person names quoted in the personas file: 2 or 3 capitalised ASCII words. */
static int load_personas(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];

    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f)) {
        char *p = line;
        while ((p = strchr(p, '"')) != NULL) {
            char *q = strchr(p + 1, '"');
            int words = 0;
            bool ok = true, start = true;
            if (!q)
                break;
            *q = '\0';
            for (char *s = p + 1; *s; s++) {
                if (*s == ' ') {
                    ok &= !start;
                    start = true;
                } else if (start) {
                    ok &= isupper((unsigned char)*s) != 0;
                    words++;
                    start = false;
                } else {
                    ok &= islower((unsigned char)*s) != 0;
                }
            }
            if (ok && !start && words >= 2 && words <= 3 && npersonas < MAXPERSONA &&
                strlen(p + 1) < sizeof(personas[0]))
                snprintf(personas[npersonas++], sizeof(personas[0]), "%s", p + 1);
            p = q + 1;
        }
    }
    fclose(f);
    return npersonas > 0 ? 0 : -1;
}

/* ---- name transformations ---- */

static void accent(const char *in, char *out, size_t cap)
{
    static const char *const from = "aeiouAEIOU";
    static const char *const to[] = {"á", "é", "í", "ó", "ú", "Á", "É", "Í", "Ó", "Ú"};
    size_t k = 0;
    bool done = false;

    for (; *in && k + 4 < cap; in++) {
        const char *f = strchr(from, *in);
        if (!done && f && *in) {
            const char *t = to[f - from];
            memcpy(out + k, t, strlen(t));
            k += strlen(t);
            done = true;
        } else {
            out[k++] = *in;
        }
        if (*in == ' ')
            done = false;
    }
    out[k] = '\0';
}

/* Replace the first replaceable letter with its Cyrillic look-alike; false
 * when there is none. */
static bool cyrillic(const char *in, char *out, size_t cap)
{
    static const char *const from = "aceopxyijsABCEHKMOPTXIJS";
    static const char *const to[] = {"а", "с", "е", "о", "р", "х", "у", "і", "ј", "ѕ", "А", "В",
                                     "С", "Е", "Н", "К", "М", "О", "Р", "Т", "Х", "І", "Ј", "Ѕ"};
    size_t k = 0;
    bool done = false;

    for (; *in && k + 4 < cap; in++) {
        const char *f = strchr(from, *in);
        if (!done && f && *in) {
            const char *t = to[f - from];
            memcpy(out + k, t, strlen(t));
            k += strlen(t);
            done = true;
        } else {
            out[k++] = *in;
        }
    }
    out[k] = '\0';
    return done;
}

static void upper(const char *in, char *out, size_t cap)
{
    size_t k = 0;

    for (; *in && k + 1 < cap; in++)
        out[k++] = (char)toupper((unsigned char)*in);
    out[k] = '\0';
}

/* One typo: which of four kinds, at which position, by seed. */
static void typo(const char *in, unsigned seed, char *out, size_t cap)
{
    size_t l = strlen(in), i = 1 + seed % (l - 2);

    snprintf(out, cap, "%s", in);
    switch ((seed / 7) % 4) {
    case 0: /* swap two adjacent letters */
        out[i] = in[i + 1];
        out[i + 1] = in[i];
        break;
    case 1: /* drop a letter */
        memmove(out + i, in + i + 1, l - i);
        break;
    case 2: /* double a letter */
        if (l + 2 <= cap) {
            memmove(out + i + 1, in + i, l - i + 1);
            out[i] = in[i];
        }
        break;
    default: /* another vowel */
        out[i] = strchr("aeiou", in[i]) ? (in[i] == 'e' ? 'i' : 'e') : in[i];
        if (out[i] == in[i])
            out[i] = in[i] == 'y' ? 'i' : 'y';
        break;
    }
}

/* ---- the pairs ---- */

enum kind {
    P_VARIANT,  /* surname replaced by a variant spelling */
    P_REORDER,  /* variant and order swapped */
    P_HANZI,    /* hanzi surname + Latin given name */
    P_HANFULL,  /* full hanzi name against pinyin */
    P_DIACRIT,  /* accents added */
    P_CYRILLIC, /* one Cyrillic look-alike letter */
    P_CASE,     /* upper case, comma, order swapped */
    P_PERSONA,  /* persona name transformed */
    P_TYPO,     /* one typo in a given name of 6 letters or more */
    N_SAMESUR,  /* same surname, different given name */
    N_DIFFSUR,  /* same given name, surnames that share no hanzi */
    N_RANDOM,   /* random pair of different names */
    N_PERSONA,  /* two different persona names */
    N_NEAR,     /* different given names one edit apart: reported, not in the totals */
    NKINDS
};

static const char *const kind_name[] = {
    "pos variant spelling", "pos variant + order",    "pos hanzi surname",
    "pos hanzi full name",  "pos diacritics",         "pos cyrillic letter",
    "pos case/comma",       "pos persona forms",      "pos typo in long name",
    "neg same surname",     "neg different surname",  "neg random",
    "neg persona pairs",    "extra: near given names"};

struct stats {
    long n[NKINDS], hit[NKINDS];
    long tp, fn, fp, tn;
    long key_ok, key_checked, neg_key_shared;
    int shown[NKINDS];
    int max_shown;
    double secs;
};

static struct lw_names *nm;
static struct stats st;

struct keyset {
    char k[256][80];
    int n;
};

static int add_key(void *ctx, const char *key)
{
    struct keyset *ks = ctx;

    if (ks->n < 256)
        snprintf(ks->k[ks->n++], sizeof(ks->k[0]), "%s", key);
    return 0;
}

static bool share_key(const char *a, const char *b)
{
    static struct keyset ka, kb;

    ka.n = kb.n = 0;
    if (lw_names_person_keys(nm, a, add_key, &ka) != LW_OK ||
        lw_names_person_keys(nm, b, add_key, &kb) != LW_OK)
        return false;
    for (int i = 0; i < ka.n; i++)
        for (int j = 0; j < kb.n; j++)
            if (strcmp(ka.k[i], kb.k[j]) == 0)
                return true;
    return false;
}

static void pair(enum kind k, const char *a, const char *b)
{
    struct lw_name_match m;
    bool pos = k < N_SAMESUR, match;
    clock_t t0 = clock();

    lw_names_match_person(nm, a, b, &m);
    st.secs += (double)(clock() - t0) / CLOCKS_PER_SEC;
    match = m.strength >= LW_NAME_MEDIUM;
    st.n[k]++;
    st.hit[k] += match;
    if (pos && match) {
        st.tp++;
        st.key_checked++;
        st.key_ok += share_key(a, b);
    } else if (pos) {
        st.fn++;
        if (st.shown[k]++ < st.max_shown)
            printf("  FN [%s] '%s' vs '%s': %s (%s)\n", kind_name[k], a, b,
                   lw_name_strength_name(m.strength), m.why);
    } else if (k == N_NEAR) {
        if (match && st.shown[k]++ < 5)
            printf("  near [%s] '%s' vs '%s': %s (%s)\n", kind_name[k], a, b,
                   lw_name_strength_name(m.strength), m.why);
    } else if (match) {
        st.fp++;
        if (st.shown[k]++ < st.max_shown)
            printf("  FP [%s] '%s' vs '%s': %s (%s)\n", kind_name[k], a, b,
                   lw_name_strength_name(m.strength), m.why);
    } else {
        st.tn++;
        if (k == N_RANDOM || k == N_DIFFSUR)
            st.neg_key_shared += share_key(a, b);
    }
}

static bool usable_variant(const char *v)
{
    char f[64];

    lower_letters(v, f, sizeof(f));
    /* single-letter variants are skipped; so are non-ASCII ones whose
     * letters fold to one (Ū) */
    return strlen(f) > 1 || (!is_ascii(v) && strlen(v) > 3);
}

/* A random spelling of row r: the pinyin or an ASCII variant. */
static const char *spelling(int r)
{
    for (int tries = 0; tries < 8; tries++) {
        int v = (int)rnd((unsigned)rows[r].nvar + 1);
        if (v == rows[r].nvar)
            return rows[r].pinyin;
        if (is_ascii(rows[r].var[v]) && strlen(rows[r].var[v]) > 1)
            return rows[r].var[v];
    }
    return rows[r].pinyin;
}

static void synthetic_pairs(void)
{
    char a[256], b[256], t[128], u[128];

    for (int r = 0; r < nrows; r++) {
        const struct row *R = &rows[r];
        for (int g = 0; g < NGIVEN; g++) {
            const struct given *G = &givens[g];
            snprintf(a, sizeof(a), "%s %s", G->latin, R->pinyin);
            for (int v = 0; v < R->nvar; v++) {
                if (!usable_variant(R->var[v]))
                    continue;
                snprintf(b, sizeof(b), "%s %s", G->latin, R->var[v]);
                pair(P_VARIANT, a, b);
                snprintf(b, sizeof(b), "%s %s", R->var[v], G->latin);
                pair(P_REORDER, a, b);
                if (G->han) {
                    snprintf(t, sizeof(t), "%s %s", R->var[v], G->latin);
                    snprintf(u, sizeof(u), "%s%s", R->hans, G->han);
                    pair(P_HANFULL, t, u);
                }
            }
            snprintf(b, sizeof(b), "%s %s", R->hans, G->latin);
            pair(P_HANZI, a, b);
            snprintf(b, sizeof(b), "%s%s", G->latin, R->hans);
            pair(P_HANZI, a, b);
            if (R->hant[0]) {
                snprintf(b, sizeof(b), "%s %s", R->hant, G->latin);
                pair(P_HANZI, a, b);
            }
            if (G->han) {
                snprintf(b, sizeof(b), "%s%s", R->hans, G->han);
                pair(P_HANFULL, a, b);
                if (R->hant[0]) {
                    snprintf(b, sizeof(b), "%s%s", R->hant, G->han);
                    pair(P_HANFULL, a, b);
                }
            }
            accent(a, b, sizeof(b));
            pair(P_DIACRIT, a, b);
            if (cyrillic(G->latin, t, sizeof(t))) {
                snprintf(b, sizeof(b), "%s %s", t, R->pinyin);
                pair(P_CYRILLIC, a, b);
            }
            if (cyrillic(R->pinyin, t, sizeof(t))) {
                snprintf(b, sizeof(b), "%s %s", G->latin, t);
                pair(P_CYRILLIC, a, b);
            }
            upper(R->pinyin, t, sizeof(t));
            snprintf(b, sizeof(b), "%s, %s", t, G->latin);
            pair(P_CASE, a, b);
            if (strlen(G->latin) >= 6) {
                typo(G->latin, rnd(1000), t, sizeof(t));
                if (strcmp(t, G->latin) != 0) {
                    snprintf(b, sizeof(b), "%s %s", t, R->pinyin);
                    pair(P_TYPO, a, b);
                }
            }
            if (g < (int)(sizeof(near_names) / sizeof(near_names[0]))) {
                snprintf(t, sizeof(t), "%s %s", near_names[g][0], R->pinyin);
                snprintf(u, sizeof(u), "%s %s", near_names[g][1], spelling(r));
                pair(N_NEAR, t, u);
            }

            /* negatives: the same surname (any spelling), another given name */
            for (int k = 0; k < 4; k++) {
                int g2 = (int)rnd(NGIVEN);
                if (g2 == g)
                    continue;
                snprintf(b, sizeof(b), "%s %s", givens[g2].latin, spelling(r));
                pair(N_SAMESUR, a, b);
            }
            if (G->han) {
                int g2 = (int)rnd(NGIVEN);
                if (g2 != g && givens[g2].han) {
                    snprintf(t, sizeof(t), "%s%s", R->hans, G->han);
                    snprintf(u, sizeof(u), "%s%s", R->hans, givens[g2].han);
                    pair(N_SAMESUR, t, u);
                }
            }
            /* negatives: the same given name, surnames with no hanzi in common */
            for (int k = 0; k < 2; k++) {
                for (int tries = 0; tries < 20; tries++) {
                    int r2 = (int)rnd((unsigned)nrows);
                    const char *s1 = spelling(r), *s2 = spelling(r2);
                    if (r2 == r || may_share(s1, s2))
                        continue;
                    snprintf(t, sizeof(t), "%s %s", G->latin, s1);
                    snprintf(u, sizeof(u), "%s %s", s2, G->latin);
                    pair(N_DIFFSUR, t, u);
                    if (!spells(s1, r2)) {
                        if (G->han)
                            snprintf(u, sizeof(u), "%s%s", rows[r2].hans, G->han);
                        else
                            snprintf(u, sizeof(u), "%s %s", rows[r2].hans, G->latin);
                        pair(N_DIFFSUR, t, u);
                    }
                    break;
                }
            }
        }
    }
    /* negatives: random pairs of different people */
    for (int k = 0; k < 20000; k++) {
        int g1 = (int)rnd(NGIVEN), g2 = (int)rnd(NGIVEN);
        int r1 = (int)rnd((unsigned)nrows), r2 = (int)rnd((unsigned)nrows);
        if (g1 == g2)
            continue;
        snprintf(a, sizeof(a), "%s %s", givens[g1].latin, spelling(r1));
        if (rnd(2))
            snprintf(b, sizeof(b), "%s %s", givens[g2].latin, spelling(r2));
        else
            snprintf(b, sizeof(b), "%s %s", spelling(r2), givens[g2].latin);
        pair(N_RANDOM, a, b);
    }
}

static void persona_pairs(void)
{
    char b[256];

    for (int p = 0; p < npersonas; p++) {
        const char *a = personas[p];
        char words[3][32];
        int nw = 0;
        const char *s = a;

        while (*s && nw < 3) {
            size_t l = strcspn(s, " ");
            snprintf(words[nw++], sizeof(words[0]), "%.*s", (int)l, s);
            s += l;
            while (*s == ' ')
                s++;
        }
        /* last word first */
        b[0] = '\0';
        snprintf(b, sizeof(b), "%s", words[nw - 1]);
        for (int w = 0; w < nw - 1; w++) {
            size_t l = strlen(b);
            snprintf(b + l, sizeof(b) - l, " %s", words[w]);
        }
        pair(P_PERSONA, a, b);
        accent(a, b, sizeof(b));
        pair(P_PERSONA, a, b);
        if (cyrillic(a, b, sizeof(b)))
            pair(P_PERSONA, a, b);
        upper(a, b, sizeof(b));
        pair(P_PERSONA, a, b);
        /* each word that is a pinyin surname: its variants and its hanzi */
        for (int w = 0; w < nw; w++) {
            for (int r = 0; r < nrows; r++) {
                if (strcasecmp(words[w], rows[r].pinyin) != 0)
                    continue;
                for (int v = -1; v < rows[r].nvar; v++) {
                    const char *rep = v < 0 ? rows[r].hans : rows[r].var[v];
                    if (v >= 0 && !usable_variant(rep))
                        continue;
                    b[0] = '\0';
                    for (int x = 0; x < nw; x++) {
                        size_t l = strlen(b);
                        snprintf(b + l, sizeof(b) - l, "%s%s", x ? " " : "",
                                 x == w ? rep : words[x]);
                    }
                    pair(P_PERSONA, a, b);
                }
            }
        }
    }
    /* different personas against each other */
    for (int p = 0; p < npersonas; p++)
        for (int q = p + 1; q < npersonas; q++)
            if (strcmp(personas[p], personas[q]) != 0)
                pair(N_PERSONA, personas[p], personas[q]);
}

int main(int argc, char **argv)
{
    struct lw_diag d;
    long pos = 0, neg = 0, pairs;
    double precision, recall;

    if (argc < 3) {
        fprintf(stderr, "usage: names-bench SURNAMES.TSV PERSONAS.MD [--all-errors]\n");
        return 2;
    }
    st.max_shown = argc > 3 && strcmp(argv[3], "--all-errors") == 0 ? 1000000 : 20;
    lw_diag_clear(&d);
    if (lw_names_load(argv[1], &nm, &d) != LW_OK) {
        fprintf(stderr, "names-bench: %s: %s\n", argv[1], d.msg);
        return 2;
    }
    if (load_rows(argv[1]) < 0 || load_personas(argv[2]) < 0) {
        fprintf(stderr, "names-bench: cannot read %s or %s\n", argv[1], argv[2]);
        return 2;
    }
    printf("surname rows: %d, given names: %d, persona names: %d\n", nrows, NGIVEN, npersonas);
    printf("errors (first %d of each kind of pair; 5 for the extra kind):\n", st.max_shown);
    synthetic_pairs();
    persona_pairs();

    printf("\n%-24s %8s %8s\n", "pairs", "count", "matched");
    for (int k = 0; k < NKINDS; k++) {
        printf("%-24s %8ld %8ld  (%.4f)\n", kind_name[k], st.n[k], st.hit[k],
               st.n[k] ? (double)st.hit[k] / (double)st.n[k] : 0.0);
        if (k < N_SAMESUR)
            pos += st.n[k];
        else if (k != N_NEAR)
            neg += st.n[k];
    }
    pairs = pos + neg;
    precision = st.tp + st.fp ? (double)st.tp / (double)(st.tp + st.fp) : 0.0;
    recall = st.tp + st.fn ? (double)st.tp / (double)(st.tp + st.fn) : 0.0;
    printf("\npositives %ld, negatives %ld; TP %ld FN %ld FP %ld TN %ld\n", pos, neg, st.tp, st.fn,
           st.fp, st.tn);
    printf("precision %.4f  recall %.4f  (match = medium or strong)\n", precision, recall);
    printf("with the near-given-name negatives too: precision %.4f\n",
           (double)st.tp / (double)(st.tp + st.fp + st.hit[N_NEAR]));
    printf("matched positives sharing an index key: %ld / %ld\n", st.key_ok, st.key_checked);
    printf("rejected random/different-surname negatives sharing a key: %ld\n", st.neg_key_shared);
    printf("speed: %.1f us per match (%ld matches)\n", pairs ? st.secs * 1e6 / (double)pairs : 0.0,
           pairs);
    lw_names_free(nm);
    return precision >= 0.99 && recall >= 0.95 ? 0 : 1;
}
