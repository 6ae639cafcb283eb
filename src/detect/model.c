/* model.c -- the learned classifier: features, the model file, scoring
 * (model.h; the file format is in docs/model.md). Training is in
 * model_train.c. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "detect/model.h"

#define MODEL_MAGIC      "lurewatch-model"
#define MODEL_VERSION    1
#define MODEL_MAX_FILE   (64u << 20)
#define MODEL_MAX_WEIGHT 1000.0
/* Features one model may hold: the table is sized before parsing, from
 * the number of lines, so this bounds what a file can make us allocate. */
#define MODEL_MAX_FEATURES (1u << 20)
/* Distinct features one message can have: a token is at least one byte and
 * a separator, so LW_MODEL_MAX_TEXT bytes make at most this many (unigrams
 * and bigrams); the seen-set of the features the model knows is four times
 * larger. */
#define SCRATCH_FEATURES LW_MODEL_MAX_TEXT
#define SCRATCH_SLOTS    (4 * SCRATCH_FEATURES)
#define CANDIDATES       8

struct slot {
    uint64_t key; /* 0: empty */
    float w;
};

/* Most features of a message are not in the model: a bit per hash prefix
 * (16 bits a feature, so it stays in the first-level cache for the
 * shipped model) turns most of them away before the table is touched. */
struct lw_model {
    double bias;
    size_t n;    /* features */
    size_t mask; /* slots - 1 */
    struct slot *slots;
    uint64_t *filter; /* bit (key >> 38) & filter_mask set for every key */
    size_t filter_mask;
};

/* --- features ---------------------------------------------------------- */

enum cls { SEP = 0, WORD, CJK };

/* What a code point is to the tokeniser. The text is already NFKC case
 * folded, so letters are lower case and fullwidth forms are ASCII. */
static enum cls classify(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z')
                   ? WORD
                   : SEP;
    if ((cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x4e00 && cp <= 0x9fff) ||
        (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x3ffff) ||
        (cp >= 0x3040 && cp <= 0x30ff) || (cp >= 0xac00 && cp <= 0xd7af))
        return CJK;
    /* Latin-1 punctuation and symbols, general punctuation, arrows,
     * symbols and dingbats, CJK punctuation, the replacement character. */
    if ((cp >= 0xa0 && cp <= 0xbf) || cp == 0xd7 || cp == 0xf7 || (cp >= 0x2000 && cp <= 0x2bff) ||
        (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
        (cp >= 0xff00 && cp <= 0xff0f) || cp == 0xfffd || (cp >= 0x1f000 && cp <= 0x1faff))
        return SEP;
    return WORD;
}

/* An ASCII byte as a word character writes it (lower case, digits as '0');
 * 0 for a separator. */
/* clang-format off */
static const char ascii_fold[128] = {
    ['0' ... '9'] = '0',
    ['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e', ['f'] = 'f', ['g'] = 'g',
    ['h'] = 'h', ['i'] = 'i', ['j'] = 'j', ['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n',
    ['o'] = 'o', ['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't', ['u'] = 'u',
    ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y', ['z'] = 'z',
    ['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e', ['F'] = 'f', ['G'] = 'g',
    ['H'] = 'h', ['I'] = 'i', ['J'] = 'j', ['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n',
    ['O'] = 'o', ['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't', ['U'] = 'u',
    ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y', ['Z'] = 'z',
};
/* clang-format on */

/* Decode one UTF-8 sequence at s[i] (valid UTF-8 is expected; a stray byte
 * reads as U+FFFD). Returns its length. */
static size_t decode(const unsigned char *s, size_t i, size_t len, uint32_t *cp)
{
    unsigned char c = s[i];
    size_t n, k;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (n == 0 || i + n > len) {
        *cp = 0xfffd;
        return 1;
    }
    *cp = c & (0x7f >> n);
    for (k = 1; k < n; k++) {
        if ((s[i + k] & 0xc0) != 0x80) {
            *cp = 0xfffd;
            return 1;
        }
        *cp = (*cp << 6) | (s[i + k] & 0x3f);
    }
    return n;
}

static uint64_t nonzero(uint64_t h)
{
    return h ? h : 1; /* 0 marks an empty slot */
}

/* FNV-1a and a final mix (from MurmurHash3): tokens are short, and a call
 * to a general hash costs more than hashing them inline. */
static inline uint64_t token_hash(const char *t, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ (unsigned char)t[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

static uint64_t pair_key(uint64_t h1, uint64_t h2)
{
    return nonzero(((h1 << 23 | h1 >> 41) * 0x9e3779b97f4a7c15ull) ^ h2);
}

uint64_t lw_model_key(const char *t1, size_t n1, const char *t2, size_t n2)
{
    uint64_t h1 = token_hash(t1, n1);

    return t2 ? pair_key(h1, token_hash(t2, n2)) : nonzero(h1);
}

struct token {
    char b[LW_MODEL_MAX_TOKEN];
    size_t n, start, end;
    uint64_t h;
};

/* The walk itself, inlined into each caller so that scoring's callback is
 * inlined too: it runs for every feature of every message. */
static inline __attribute__((always_inline)) void walk(const char *text, size_t len,
                                                       lw_feature_fn *fn, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    struct token tok[2], *cur = &tok[0], *prev = NULL;
    size_t i = 0;

    if (len > LW_MODEL_MAX_TEXT)
        len = LW_MODEL_MAX_TEXT;
    while (i < len) {
        uint32_t cp;
        size_t k, start = i;
        enum cls c;
        bool fits = true;

        if (s[i] < 0x80 && !ascii_fold[s[i]]) { /* ASCII separators, the common case */
            i++;
            continue;
        }
        k = decode(s, i, len, &cp);
        c = classify(cp);
        if (c == SEP) {
            i += k;
            continue;
        }
        cur->n = 0;
        if (c == CJK) {
            memcpy(cur->b, s + i, k);
            cur->n = k;
            i += k;
        } else {
            /* A run of word characters; digits read as '0'. */
            while (i < len) {
                if (s[i] < 0x80) { /* the common case, without decoding */
                    char b = ascii_fold[s[i]];
                    if (!b)
                        break;
                    if (cur->n < sizeof(cur->b))
                        cur->b[cur->n++] = b;
                    else
                        fits = false;
                    i++;
                    continue;
                }
                k = decode(s, i, len, &cp);
                if (classify(cp) != WORD)
                    break;
                if (cur->n + k > sizeof(cur->b))
                    fits = false;
                else if (cp >= '0' && cp <= '9')
                    cur->b[cur->n++] = '0';
                else if (cp >= 'A' && cp <= 'Z')
                    cur->b[cur->n++] = (char)(cp - 'A' + 'a');
                else {
                    memcpy(cur->b + cur->n, s + i, k);
                    cur->n += k;
                }
                i += k;
            }
        }
        if (!fits) {
            prev = NULL; /* a blob breaks the chain of pairs */
            continue;
        }
        cur->start = start;
        cur->end = i;
        cur->h = token_hash(cur->b, cur->n);
        if (fn(ctx, nonzero(cur->h), cur->b, cur->n, NULL, 0, cur->start, cur->end))
            return;
        if (prev && fn(ctx, pair_key(prev->h, cur->h), prev->b, prev->n, cur->b, cur->n,
                       prev->start, cur->end))
            return;
        prev = cur;
        cur = cur == &tok[0] ? &tok[1] : &tok[0];
    }
}

void lw_model_features(const char *text, size_t len, lw_feature_fn *fn, void *ctx)
{
    walk(text, len, fn, ctx);
}

/* --- the model file ------------------------------------------------------ */

void lw_model_free(struct lw_model *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m->filter);
    free(m);
}

size_t lw_model_n_features(const struct lw_model *m)
{
    return m->n;
}

static inline const float *lookup(const struct lw_model *m, uint64_t key)
{
    size_t i = (size_t)(key >> 38) & m->filter_mask;

    if (!(m->filter[i / 64] >> (i % 64) & 1))
        return NULL;
    for (i = (size_t)key & m->mask; m->slots[i].key; i = (i + 1) & m->mask)
        if (m->slots[i].key == key)
            return &m->slots[i].w;
    return NULL;
}

/* Checking a feature name: it must be what the tokeniser makes of it, one
 * token or two, so that it can match at all. */
struct name_check {
    unsigned tokens, pairs;
    uint64_t key;
    size_t end;
};

static int check_name(void *ctx, uint64_t key, const char *t1, size_t n1, const char *t2, size_t n2,
                      size_t start, size_t end)
{
    struct name_check *c = ctx;

    (void)t1, (void)n1, (void)t2, (void)n2, (void)start;
    if (t2)
        c->pairs++;
    else
        c->tokens++;
    c->key = key;
    c->end = end;
    return 0;
}

static bool name_key(const char *name, size_t n, uint64_t *key)
{
    struct name_check c = {0};
    const char *sp = memchr(name, ' ', n);

    if (n == 0 || n > 2 * LW_MODEL_MAX_TOKEN + 1)
        return false;
    lw_model_features(name, n, check_name, &c);
    if (c.end != n)
        return false;
    if (sp ? c.tokens != 2 || c.pairs != 1 : c.tokens != 1 || c.pairs != 0)
        return false;
    /* The tokens must be written as the tokeniser writes them (lower
     * case, digits as 0) and apart by exactly one space. */
    if (sp) {
        if (lw_model_key(name, (size_t)(sp - name), sp + 1, n - (size_t)(sp - name) - 1) != c.key)
            return false;
    } else if (lw_model_key(name, n, NULL, 0) != c.key) {
        return false;
    }
    *key = c.key;
    return true;
}

static int parse_weight(const char *p, size_t n, double *out)
{
    char tmp[64], *end;
    double d;

    if (n == 0 || n >= sizeof(tmp))
        return LW_EPARSE;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    errno = 0;
    d = strtod(tmp, &end);
    if (*end || errno || !isfinite(d) || fabs(d) > MODEL_MAX_WEIGHT)
        return LW_EPARSE;
    *out = d;
    return LW_OK;
}

static int fail(struct lw_diag *diag, const char *name, unsigned long line, unsigned long col,
                const char *what)
{
    lw_diag_at(diag, name, line, col);
    lw_diag_set(diag, "%s", what);
    return LW_EPARSE;
}

int lw_model_load_mem(const char *buf, size_t len, const char *name, struct lw_model **out,
                      struct lw_diag *diag)
{
    struct lw_model *m;
    const char *p = buf, *end = buf + len;
    unsigned long line = 0;
    size_t lines = 1, slots = 16, bits = 4096, i;
    bool header = false, have_bias = false;
    int rc;

    for (i = 0; i < len && lines <= MODEL_MAX_FEATURES + 2; i++)
        lines += buf[i] == '\n';
    while (slots < 2 * lines)
        slots *= 2;
    while (bits < 16 * lines)
        bits *= 2;
    m = calloc(1, sizeof(*m));
    if (!m)
        return LW_ENOMEM;
    m->slots = calloc(slots, sizeof(*m->slots));
    m->filter = calloc(bits / 64, sizeof(*m->filter));
    if (!m->slots || !m->filter) {
        lw_model_free(m);
        return LW_ENOMEM;
    }
    m->mask = slots - 1;
    m->filter_mask = bits - 1;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end, *tab;
        size_t n = (size_t)(eol - p);
        double w;
        uint64_t key;

        line++;
        if (n && p[n - 1] == '\r')
            n--;
        if (n == 0 || p[0] == '#')
            goto next;
        if (memchr(p, '\0', n)) {
            rc = fail(diag, name, line, 0, "NUL byte in a model file");
            goto bad;
        }
        tab = memchr(p, '\t', n);
        if (!tab) {
            rc = fail(diag, name, line, 1, "expected a name, a tab and a weight");
            goto bad;
        }
        if (!header) {
            if ((size_t)(tab - p) != strlen(MODEL_MAGIC) || memcmp(p, MODEL_MAGIC, tab - p) ||
                parse_weight(tab + 1, n - (size_t)(tab - p) - 1, &w) < 0) {
                rc = fail(diag, name, line, 1,
                          "not a lurewatch model (expected 'lurewatch-model<TAB>1')");
                goto bad;
            }
            if (w != MODEL_VERSION) {
                rc = fail(diag, name, line, (unsigned long)(tab - p) + 2,
                          "unknown model version (this build reads version 1)");
                goto bad;
            }
            header = true;
            goto next;
        }
        if (parse_weight(tab + 1, n - (size_t)(tab - p) - 1, &w) < 0) {
            rc = fail(diag, name, line, (unsigned long)(tab - p) + 2,
                      "the weight is not a number between -1000 and 1000");
            goto bad;
        }
        /* "(bias)" cannot be a feature: parentheses separate tokens. */
        if ((size_t)(tab - p) == 6 && !memcmp(p, "(bias)", 6)) {
            if (have_bias) {
                rc = fail(diag, name, line, 1, "a second (bias) line");
                goto bad;
            }
            m->bias = w;
            have_bias = true;
            goto next;
        }
        if (!name_key(p, (size_t)(tab - p), &key)) {
            rc = fail(diag, name, line, 1,
                      "the feature is not one token or two as the tokeniser writes them "
                      "(lower case, digits as 0, one space between)");
            goto bad;
        }
        if (m->n == MODEL_MAX_FEATURES) {
            rc = fail(diag, name, line, 1, "more than 1048576 features");
            goto bad;
        }
        if (lookup(m, key)) {
            rc = fail(diag, name, line, 1, "the feature is listed twice");
            goto bad;
        }
        for (i = (size_t)key & m->mask; m->slots[i].key; i = (i + 1) & m->mask)
            ;
        m->slots[i].key = key;
        m->slots[i].w = (float)w;
        i = (size_t)(key >> 38) & m->filter_mask;
        m->filter[i / 64] |= 1ull << (i % 64);
        m->n++;
    next:
        p = nl ? nl + 1 : end;
    }
    if (!header || !have_bias) {
        rc = fail(diag, name, line, 0,
                  header ? "the model has no (bias) line" : "not a lurewatch model (no header)");
        goto bad;
    }
    *out = m;
    return LW_OK;
bad:
    lw_model_free(m);
    return rc;
}

int lw_model_load(const char *path, struct lw_model **out, struct lw_diag *diag)
{
    struct lw_buf b = LW_BUF_INIT(MODEL_MAX_FILE);
    FILE *f = fopen(path, "rb");
    int rc;

    if (!f) {
        lw_diag_at(diag, path, 0, 0);
        lw_diag_set(diag, "cannot open the model: %s", strerror(errno));
        return LW_EIO;
    }
    rc = lw_buf_read_stream(&b, f);
    if (rc < 0) {
        lw_diag_at(diag, path, 0, 0);
        if (rc == LW_EIO)
            lw_diag_set(diag, "cannot read the model: %s", strerror(errno));
        else
            lw_diag_set(diag, rc == LW_ELIMIT ? "the model is larger than 64 MiB"
                                              : "out of memory reading the model");
    }
    fclose(f);
    if (rc == LW_OK)
        rc = lw_model_load_mem(lw_buf_str(&b), lw_buf_len(&b), path, out, diag);
    lw_buf_release(&b);
    return rc;
}

/* --- scoring -------------------------------------------------------------- */

struct candidate {
    float w;
    size_t start, end;
};

struct lw_model_scratch {
    uint32_t gen;
    uint32_t stamp[SCRATCH_SLOTS]; /* slot holds a key of this message when == gen */
    uint64_t seen[SCRATCH_SLOTS];
    /* per message */
    const struct lw_model *m;
    double sum;
    unsigned n;      /* features read, repeats included */
    unsigned n_seen; /* distinct features the model knows */
    unsigned n_cand;
    struct candidate cand[CANDIDATES]; /* heaviest first */
};

int lw_model_scratch_new(struct lw_model_scratch **out)
{
    *out = calloc(1, sizeof(**out));
    return *out ? LW_OK : LW_ENOMEM;
}

void lw_model_scratch_free(struct lw_model_scratch *sc)
{
    free(sc);
}

/* Remember a feature among the heaviest few, for evidence. */
static void add_candidate(struct lw_model_scratch *sc, float w, size_t start, size_t end)
{
    unsigned i;

    if (sc->n_cand == CANDIDATES && w <= sc->cand[CANDIDATES - 1].w)
        return;
    i = sc->n_cand < CANDIDATES ? sc->n_cand++ : CANDIDATES - 1;
    while (i > 0 && sc->cand[i - 1].w < w) {
        sc->cand[i] = sc->cand[i - 1];
        i--;
    }
    sc->cand[i].w = w;
    sc->cand[i].start = start;
    sc->cand[i].end = end;
}

static inline int score_feature(void *ctx, uint64_t key, const char *t1, size_t n1, const char *t2,
                                size_t n2, size_t start, size_t end)
{
    struct lw_model_scratch *sc = ctx;
    const float *w = lookup(sc->m, key);
    size_t i;

    (void)n2;
    sc->n++;
    if (!w)
        return 0;
    /* A feature the model knows counts once: the first time it is seen. */
    for (i = (size_t)key & (SCRATCH_SLOTS - 1); sc->stamp[i] == sc->gen;
         i = (i + 1) & (SCRATCH_SLOTS - 1))
        if (sc->seen[i] == key)
            return 0;
    if (sc->n_seen >= SCRATCH_FEATURES)
        return 1; /* cannot happen with LW_MODEL_MAX_TEXT; stop rather than fill the set */
    sc->stamp[i] = sc->gen;
    sc->seen[i] = key;
    sc->n_seen++;
    sc->sum += *w;
    /* Evidence is for a person: short ASCII words ("is", "in") may weigh,
     * but say nothing to a reader. */
    if (*w > 0 && (t2 || n1 > 3 || (unsigned char)t1[0] >= 0x80))
        add_candidate(sc, *w, start, end);
    return 0;
}

void lw_model_score(const struct lw_model *m, struct lw_model_scratch *sc, const char *s,
                    size_t len, struct lw_model_result *r)
{
    double z;
    unsigned i, k;

    if (++sc->gen == 0) { /* the stamps wrapped: start them again */
        memset(sc->stamp, 0, sizeof(sc->stamp));
        sc->gen = 1;
    }
    sc->m = m;
    sc->sum = 0;
    sc->n = 0;
    sc->n_seen = 0;
    sc->n_cand = 0;
    walk(s, len, score_feature, sc);
    z = m->bias + (sc->n ? sc->sum / sqrt((double)sc->n) : 0);
    memset(r, 0, sizeof(*r));
    r->p = 1 / (1 + exp(-z));
    r->n = sc->n;
    /* Evidence: the heaviest features whose spans do not overlap. */
    for (i = 0; i < sc->n_cand && r->n_evidence < LW_MODEL_EVIDENCE; i++) {
        const struct candidate *c = &sc->cand[i];
        for (k = 0; k < r->n_evidence; k++)
            if (c->start < r->evidence[k].end && r->evidence[k].start < c->end)
                break;
        if (k < r->n_evidence)
            continue;
        r->evidence[r->n_evidence].start = c->start;
        r->evidence[r->n_evidence].end = c->end;
        r->n_evidence++;
    }
}
