/* watchlist.c -- building the compiled watchlist (watchlist.h): hash
 * indexes made once from the entries. Matching a message against them is
 * in watchlist_scan.c; the structures both use are in watchlist_int.h.
 *
 * Indexes (all keyed by 64-bit xxHash, each key mapping to a run of ids):
 *   exact   e-mail, domain, URL, phone and handle keys, plus each domain's
 *           registrable label and each handle's look-alike skeleton;
 *   pair    person names: one key per pair of keys (lw_names_person_keys)
 *           of two different words of the name, so "Amanda Chiu" finds
 *           "Amanda Qiu" through (t:amanda, h:邱) while "Jason Li" does not
 *           find "Rachel Li" (their shared keys come from one word);
 *   single  one-word person names, and adjacent words joined ("AmandaQiu");
 *   han     person names written in Han characters, exactly;
 *   org     organisation names without legal forms, spaced and joined;
 *   tmpl    4-word shingles of templates;
 *   anchor  the words of person names and the first words of organisation
 *           names: the cheap test every text word goes through, so that the
 *           costly steps run only where a name may start.
 * docs/internals/watchlist.md has the reasoning and the measured costs. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <unicode/uchar.h>

#include "detect/watchlist_int.h"
#include "text/norm.h"

/* ---- multimap: 64-bit key -> run of uint32 ids --------------------------- */

struct wl_mmpair {
    uint64_t h;
    uint32_t id;
};

struct wl_mmbuilder {
    struct wl_mmpair *v;
    size_t n, cap;
};

static int mmb_add(struct wl_mmbuilder *b, uint64_t h, uint32_t id)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        struct wl_mmpair *v;

        if (cap > SIZE_MAX / sizeof(*v))
            return LW_ENOMEM;
        v = realloc(b->v, cap * sizeof(*v));
        if (!v)
            return LW_ENOMEM;
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n].h = h ? h : 1;
    b->v[b->n].id = id;
    b->n++;
    return LW_OK;
}

static int pair_cmp(const void *a, const void *b)
{
    const struct wl_mmpair *x = a, *y = b;

    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Turn the builder into a table (the builder is emptied). */
static int mm_build(struct wl_map *m, struct wl_mmbuilder *b)
{
    size_t i, j, uniq = 0, size = 16, nids = 0;
    int rc = LW_ENOMEM;

    memset(m, 0, sizeof(*m));
    if (b->n == 0) {
        rc = LW_OK;
        goto out;
    }
    qsort(b->v, b->n, sizeof(*b->v), pair_cmp);
    for (i = 0; i < b->n; i++)
        if (i == 0 || b->v[i].h != b->v[i - 1].h)
            uniq++;
    while (size < uniq * 2)
        size *= 2;
    m->slot = calloc(size, sizeof(*m->slot));
    m->ids = malloc(b->n * sizeof(*m->ids));
    if (!m->slot || !m->ids)
        goto out;
    m->mask = size - 1;
    for (i = 0; i < b->n; i = j) {
        struct wl_slot *s;
        size_t p = (size_t)b->v[i].h & m->mask;
        uint32_t off = (uint32_t)nids;

        for (j = i; j < b->n && b->v[j].h == b->v[i].h; j++)
            if (j == i || b->v[j].id != b->v[j - 1].id)
                m->ids[nids++] = b->v[j].id;
        while (m->slot[p].h)
            p = (p + 1) & m->mask;
        s = &m->slot[p];
        s->h = b->v[i].h;
        s->off = off;
        s->cnt = (uint32_t)(nids - off);
    }
    /* The filter answers most lookups, of keys that are not there, from
     * the cache: from L1 for a small map (the template shingles of a few
     * hundred templates), where a probe of the slots would go to L2. */
    if (uniq >= 64) {
        uint64_t bits = 1024;

        while (bits < (uint64_t)uniq * 16)
            bits *= 2;
        m->bits = calloc(bits / 64, sizeof(uint64_t));
        if (!m->bits)
            goto out;
        m->bmask = bits - 1;
        for (i = 0; i <= m->mask; i++) {
            uint64_t h = m->slot[i].h, bit = (h >> 23) & m->bmask;

            if (h)
                m->bits[bit >> 6] |= 1ull << (bit & 63);
        }
    }
    rc = LW_OK;
out:
    free(b->v);
    memset(b, 0, sizeof(*b));
    return rc;
}

static void mm_free(struct wl_map *m)
{
    free(m->slot);
    free(m->ids);
    free(m->bits);
}

/* ---- words ------------------------------------------------------------- */

/* Decode one UTF-8 code point at s[i] (input is valid UTF-8 after lw_norm;
 * anything odd is taken one byte at a time). */
static uint32_t utf8_at(const char *s, size_t len, size_t i, size_t *adv)
{
    const unsigned char *p = (const unsigned char *)s + i;
    size_t left = len - i;

    if (p[0] < 0x80) {
        *adv = 1;
        return p[0];
    }
    if ((p[0] & 0xE0) == 0xC0 && left >= 2) {
        *adv = 2;
        return (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
    }
    if ((p[0] & 0xF0) == 0xE0 && left >= 3) {
        *adv = 3;
        return (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    }
    if ((p[0] & 0xF8) == 0xF0 && left >= 4) {
        *adv = 4;
        return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
               (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
    }
    *adv = 1;
    return 0xFFFD;
}

static bool is_han(uint32_t c)
{
    return (c >= 0x3040 && c <= 0x30FF) || /* kana */
           (c >= 0x3400 && c <= 0x4DBF) || /* CJK extension A */
           (c >= 0x4E00 && c <= 0x9FFF) || /* CJK unified */
           (c >= 0xAC00 && c <= 0xD7AF) || /* hangul */
           (c >= 0xF900 && c <= 0xFAFF) || /* compatibility */
           (c >= 0x20000 && c <= 0x2FFFF); /* extensions B.. */
}

static int tok_push(struct wl_tokv *tv, size_t s, size_t e, bool han, uint64_t fh)
{
    if (tv->n >= WL_MAX_TOKENS)
        return LW_OK; /* the rest of a huge text is not looked at */
    if (tv->n == tv->cap) {
        size_t cap = tv->cap ? tv->cap * 2 : 64;
        struct wl_tok *v = realloc(tv->v, cap * sizeof(*v));

        if (!v)
            return LW_ENOMEM;
        tv->v = v;
        tv->cap = cap;
    }
    tv->v[tv->n++] = (struct wl_tok){fh, (uint32_t)s, (uint32_t)e, han};
    return LW_OK;
}

/* Split s into words: runs of letters and digits; each Han (kana, hangul)
 * character is a word of its own, as Chinese is written without spaces. */
/* ASCII letters and digits: the bytes that make a word. */
static const unsigned char word_byte[128] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
    ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1,
    ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
    ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
    ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
    ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

static bool ascii_word(unsigned char b)
{
    return word_byte[b & 0x7f];
}

/* Where the run of ASCII word bytes from s[i] ends. Normalised text is
 * lower case, so sixteen (or eight) bytes of [a-z0-9] are recognised at
 * once; anything else goes a byte at a time. Every word of every text goes
 * through here, so it is inlined. */
static inline __attribute__((always_inline)) size_t ascii_word_end(const char *s, size_t len,
                                                                   size_t i)
{
#if defined(__SSE2__)
    /* x is in [lo, hi] when x + (0x80 - lo), as a signed byte, is below
     * -128 + (hi - lo + 1). */
    const __m128i to_a = _mm_set1_epi8((char)(0x80 - 'a')), lim_a = _mm_set1_epi8(-128 + 26);
    const __m128i to_0 = _mm_set1_epi8((char)(0x80 - '0')), lim_0 = _mm_set1_epi8(-128 + 10);

    while (i + 16 <= len) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i word = _mm_or_si128(_mm_cmplt_epi8(_mm_add_epi8(x, to_a), lim_a),
                                    _mm_cmplt_epi8(_mm_add_epi8(x, to_0), lim_0));
        unsigned other = (unsigned)_mm_movemask_epi8(word) ^ 0xffffu;

        if (other) {
            i += (size_t)__builtin_ctz(other); /* the first byte not taken */
            if (!ascii_word((unsigned char)s[i]))
                return i;
            break; /* an upper-case letter: the byte path below */
        }
        i += 16;
    }
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

    while (i + 8 <= len) {
        uint64_t x, az, digit, other;

        memcpy(&x, s + i, 8);
        if (x & highs)
            break;
        /* a byte's high bit after adding 0x80 - lo: it is at least lo */
        az = (x + ones * (0x80 - 'a')) ^ (x + ones * (0x80 - 'z' - 1));
        digit = (x + ones * (0x80 - '0')) ^ (x + ones * (0x80 - '9' - 1));
        other = ~(az | digit) & highs;
        if (other) {
            i += (size_t)__builtin_ctzll(other) / 8; /* the first byte not taken */
            if (!ascii_word((unsigned char)s[i]))
                return i;
            break; /* an upper-case letter: the byte path below */
        }
        i += 8;
    }
#endif
    while (i < len && (unsigned char)s[i] < 0x80 && ascii_word((unsigned char)s[i]))
        i++;
    return i;
}

/* The next word of s from *pos: its span [*ws, *we) and whether it is one
 * Han (kana, hangul) character; false when there is none left. */
static inline bool next_word(const char *s, size_t len, size_t *pos, size_t *ws, size_t *we,
                             bool *han)
{
    size_t i = *pos, adv, start = 0;
    bool in = false;

    while (i < len) {
        unsigned char b = (unsigned char)s[i];
        uint32_t c;
        bool h;

        if (b < 0x80) {
            if (ascii_word(b)) {
                if (!in) {
                    in = true;
                    start = i;
                }
                /* the rest of an ASCII run at once: most of any text */
                i = ascii_word_end(s, len, i + 1);
                continue;
            }
            if (in)
                break;
            i++;
            continue;
        }
        c = utf8_at(s, len, i, &adv);
        h = is_han(c);
        if (!h && u_isalnum((UChar32)c)) {
            if (!in) {
                in = true;
                start = i;
            }
            i += adv;
            continue;
        }
        if (in)
            break; /* the character is looked at again by the next call */
        if (h) {
            *ws = i;
            *we = *pos = i + adv;
            *han = true;
            return true;
        }
        i += adv;
    }
    *pos = i;
    if (!in)
        return false;
    *ws = start;
    *we = i;
    *han = false;
    return true;
}

int lw_watchlist_tokenize(const char *s, size_t len, struct wl_tokv *tv)
{
    size_t pos = 0, ws, we;
    bool han;
    int rc = LW_OK;

    tv->n = 0;
    while (rc == LW_OK && next_word(s, len, &pos, &ws, &we, &han))
        rc = tok_push(tv, ws, we, han, lw_watchlist_word_hash(s + ws, we - ws));
    return rc;
}

bool lw_watchlist_any_anchor(const struct lw_watchlist *wl, const char *s, size_t len)
{
    size_t pos = 0, ws, we;
    bool han;

    while (next_word(s, len, &pos, &ws, &we, &han))
        if (lw_wl_abit(wl, s + ws, we - ws))
            return true;
    return false;
}

/* The next word of s from *pos, as next_word cuts it, for the walk over a
 * whole text: an ASCII word that ends in ASCII (most words of most texts)
 * is cut here, anything else by next_word. */
static inline bool next_word_fast(const char *s, size_t len, size_t *pos, size_t *ws, size_t *we,
                                  bool *han)
{
    size_t i = *pos;

    while (i < len && (unsigned char)s[i] < 0x80 && !ascii_word((unsigned char)s[i]))
        i++;
    if (i < len && (unsigned char)s[i] < 0x80) {
        size_t e = ascii_word_end(s, len, i + 1);

        if (e == len || (unsigned char)s[e] < 0x80) {
            *ws = i;
            *we = *pos = e;
            *han = false;
            return true;
        }
    }
    *pos = i; /* a word that goes on beyond ASCII, or none yet */
    return next_word(s, len, pos, ws, we, han);
}

/* Whether a word is an anchor: the filter, then the anchor map itself (so
 * that a window is cut only around a listed word); *fh is its word hash. */
static inline bool anchor_word(const struct lw_watchlist *wl, const char *w, size_t n, uint64_t *fh)
{
    size_t cnt = 0;

    if (!lw_wl_abit(wl, w, n))
        return false;
    *fh = lw_watchlist_word_hash(w, n);
    return lw_wl_get(&wl->anchor, *fh, &cnt) != NULL && cnt > 0;
}

int lw_watchlist_anchor_windows(const struct lw_watchlist *wl, const char *s, size_t len,
                                size_t after, lw_wl_window_fn *fn, void *ctx)
{
    struct wl_tok win[WL_PAIR_SPAN + 1 + WL_WINDOW_AFTER_MAX];
    uint32_t back_s[WL_PAIR_SPAN], back_e[WL_PAIR_SPAN];
    bool back_h[WL_PAIR_SPAN];
    size_t pos = 0, ws, we, nwords = 0, nback = 0, k;
    bool han;
    int rc;

    after = LW_MIN(after, (size_t)WL_WINDOW_AFTER_MAX);
    /* back_*[k % WL_PAIR_SPAN] are the last words before the current one,
     * as the tokeniser would have kept them (it keeps at most
     * WL_MAX_TOKENS). Word hashes are taken only for a window's words. */
    while (nwords < WL_MAX_TOKENS && next_word_fast(s, len, &pos, &ws, &we, &han)) {
        uint64_t fh;

        if (anchor_word(wl, s + ws, we - ws, &fh)) {
            size_t n = 0, p = pos, x, y;
            bool h;

            for (k = nback > WL_PAIR_SPAN ? nback - WL_PAIR_SPAN : 0; k < nback; k++) {
                size_t b = k % WL_PAIR_SPAN;

                win[n++] =
                    (struct wl_tok){lw_watchlist_word_hash(s + back_s[b], back_e[b] - back_s[b]),
                                    back_s[b], back_e[b], back_h[b]};
            }
            k = n;
            win[n++] = (struct wl_tok){fh, (uint32_t)ws, (uint32_t)we, han};
            while (n - k - 1 < after && nwords + (n - k) < WL_MAX_TOKENS &&
                   next_word_fast(s, len, &p, &x, &y, &h))
                win[n++] = (struct wl_tok){lw_watchlist_word_hash(s + x, y - x), (uint32_t)x,
                                           (uint32_t)y, h};
            rc = fn(ctx, win, n, k);
            if (rc)
                return rc;
        }
        back_s[nback % WL_PAIR_SPAN] = (uint32_t)ws;
        back_e[nback % WL_PAIR_SPAN] = (uint32_t)we;
        back_h[nback % WL_PAIR_SPAN] = han;
        nback++;
        nwords++;
    }
    return 0;
}

/* ---- canonical exact keys -------------------------------------------------- */

/* Look-alike skeleton of a handle or domain label: separators dropped,
 * rn -> m, vv -> w, 0 -> o, 1 i | -> l. Candidates only: lw_names_match_handle
 * decides. */
void lw_watchlist_skeleton(const char *s, size_t n, char *out, size_t size)
{
    size_t i, k = 0;

    for (i = 0; i < n && k + 1 < size; i++) {
        char c = (char)tolower((unsigned char)s[i]);

        if (c == '.' || c == '_' || c == '-')
            continue;
        if (c == 'r' && i + 1 < n && tolower((unsigned char)s[i + 1]) == 'n') {
            c = 'm';
            i++;
        } else if (c == 'v' && i + 1 < n && tolower((unsigned char)s[i + 1]) == 'v') {
            c = 'w';
            i++;
        } else if (c == '0') {
            c = 'o';
        } else if (c == '1' || c == 'i' || c == '|') {
            c = 'l';
        }
        out[k++] = c;
    }
    out[k] = '\0';
}

static const char *const two_level[] = {"co",  "com", "net", "org", "gov", "ac",
                                        "edu", "ltd", "plc", "or",  "ne",  "go"};

/* The registrable label of a domain: "br-yr" for mail.br-yr.com and for
 * br-yr.com.cn (a second-level suffix such as com.cn or co.uk is skipped). */
bool lw_watchlist_reg_label(const char *d, size_t n, const char **lab, size_t *lablen)
{
    const char *dots[4] = {NULL, NULL, NULL, NULL};
    size_t nd = 0, i, k;
    const char *end = d + n, *sld, *start;

    for (i = n; i-- > 0 && nd < 3;)
        if (d[i] == '.')
            dots[nd++] = d + i;
    if (nd == 0)
        return false;
    /* dots[0] is before the TLD, dots[1] before the second-level label. */
    sld = dots[0];
    if (nd >= 2 && (size_t)(end - dots[0] - 1) == 2) {
        size_t sl = (size_t)(dots[0] - dots[1] - 1);

        for (k = 0; k < LW_ARRAY_LEN(two_level); k++)
            if (sl == strlen(two_level[k]) && !memcmp(dots[1] + 1, two_level[k], sl))
                break;
        if (k < LW_ARRAY_LEN(two_level))
            sld = dots[1];
    }
    start = d;
    for (i = (size_t)(sld - d); i-- > 0;)
        if (d[i] == '.') {
            start = d + i + 1;
            break;
        }
    *lab = start;
    *lablen = (size_t)(sld - start);
    return *lablen > 0;
}

/* Canonical URL: no scheme, no www., no query or fragment, no trailing
 * slash; a LinkedIn profile is linkedin.com/in/<slug>. Writes into out. */
/* Append the bytes of s up to n or a NUL (as "%.*s" prints) to out at *k,
 * keeping room for the NUL that ends out. */
static void put_str(char *out, size_t size, size_t *k, const char *s, size_t n)
{
    n = strnlen(s, n);
    if (n > size - 1 - *k)
        n = size - 1 - *k;
    memcpy(out + *k, s, n);
    *k += n;
}

void lw_watchlist_canon_url(const char *u, size_t n, char *out, size_t size)
{
    const char *p = u, *end = u + n, *host, *hend, *path;
    size_t k;

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
    /* linkedin.com, uk.linkedin.com, ...: keep /in/<slug> only */
    if ((size_t)(hend - host) >= 12 && !memcmp(hend - 12, "linkedin.com", 12) && end - path > 4 &&
        !strncmp(path, "/in/", 4)) {
        const char *slug = path + 4, *se = slug;

        while (se < end && *se != '/')
            se++;
        host = "linkedin.com/in/";
        hend = host + 16;
        path = slug;
        end = se;
    }
    if (!size)
        return;
    /* What snprintf(out, size, "%.*s%.*s", ...) wrote, without its cost. */
    k = 0;
    put_str(out, size, &k, host, (size_t)(hend - host));
    put_str(out, size, &k, path, (size_t)(end - path));
    out[k] = '\0';
    for (k = 0; out[k]; k++)
        out[k] = (char)tolower((unsigned char)out[k]);
}

/* The digits of a phone number; the key is the last nine of them. */
size_t lw_watchlist_phone_digits(const char *s, size_t n, char *out, size_t size)
{
    size_t i, k = 0;

    for (i = 0; i < n && k + 1 < size; i++)
        if (isdigit((unsigned char)s[i]))
            out[k++] = s[i];
    out[k] = '\0';
    return k;
}

/* ---- the watchlist ------------------------------------------------------- */

size_t lw_watchlist_count(const struct lw_watchlist *wl)
{
    return wl ? wl->list.n : 0;
}

const struct lw_entry *lw_watchlist_entry(const struct lw_watchlist *wl, size_t i)
{
    return wl && i < wl->list.n ? &wl->list.v[i] : NULL;
}

void lw_watchlist_free(struct lw_watchlist *wl)
{
    if (!wl)
        return;
    lw_entry_list_release(&wl->list);
    lw_arena_free(wl->arena);
    free(wl->ekey);
    free(wl->pn);
    free(wl->on);
    free(wl->tshingles);
    mm_free(&wl->exact);
    mm_free(&wl->pair);
    mm_free(&wl->single);
    mm_free(&wl->han);
    mm_free(&wl->org);
    mm_free(&wl->org2);
    mm_free(&wl->tmpl);
    mm_free(&wl->anchor);
    free(wl->abits);
    free(wl->alead);
    for (size_t k = 0; k < LW_ARRAY_LEN(wl->filter); k++)
        free(wl->filter[k].bits);
    mm_free(&wl->words);
    mm_free(&wl->stop);
    free(wl->wk);
    free(wl);
}

/* Build-time state. */
struct builder {
    struct lw_watchlist *wl;
    struct wl_mmbuilder exact, pair, single, han, org, org2, tmpl, anchor, words, stop;
    struct wl_tokv tv;
    uint64_t *aq; /* lw_wl_qhash of every anchor word, for the anchor filter */
    size_t naq, capaq;
    struct {
        uint64_t h;
        enum wl_kind kind;
    } * ek; /* every exact key, for the filters */
    size_t nek, capek;
    /* word -> its person keys, cached: names repeat their words a lot */
    struct kcache {
        uint64_t h;
        char *word;
        char **keys;
        size_t n;
    } * kc;
    size_t kcmask, kcn;
    struct lw_diag *diag;
};

static int push_name(struct wl_name **v, size_t *n, size_t *cap, uint32_t entry, const char *s)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        struct wl_name *nv = realloc(*v, c * sizeof(*nv));

        if (!nv)
            return LW_ENOMEM;
        *v = nv;
        *cap = c;
    }
    (*v)[*n].entry = entry;
    (*v)[*n].s = s;
    (*v)[*n].words = 0;
    (*n)++;
    return LW_OK;
}

int lw_watchlist_key_cb(void *ctx, const char *key)
{
    struct wl_keyacc *k = ctx;

    if (k->n == LW_ARRAY_LEN(k->keys))
        return LW_OK;
    if (!(k->keys[k->n] = lw_arena_strdup(k->a, key)))
        return LW_ENOMEM;
    k->n++;
    return LW_OK;
}

static int kc_grow(struct builder *b)
{
    size_t size = (b->kcmask + 1) * 2, i;
    struct kcache *nk = calloc(size, sizeof(*nk));

    if (!nk)
        return LW_ENOMEM;
    for (i = 0; b->kc && i <= b->kcmask; i++) {
        size_t p;

        if (!b->kc[i].word)
            continue;
        for (p = b->kc[i].h & (size - 1); nk[p].word; p = (p + 1) & (size - 1))
            ;
        nk[p] = b->kc[i];
    }
    free(b->kc);
    b->kc = nk;
    b->kcmask = size - 1;
    return LW_OK;
}

/* The person keys of one word, from the cache or lw_names_person_keys. */
static int word_keys(struct builder *b, const char *w, size_t wn, char ***keys, size_t *n)
{
    struct wl_keyacc acc;
    uint64_t h = XXH3_64bits(w, wn);
    size_t p;
    int rc;

    if (!b->kc || b->kcn * 2 >= b->kcmask) {
        rc = kc_grow(b);
        if (rc < 0)
            return rc;
    }
    for (p = h & b->kcmask; b->kc[p].word; p = (p + 1) & b->kcmask) {
        if (b->kc[p].h == h && strlen(b->kc[p].word) == wn && !memcmp(b->kc[p].word, w, wn)) {
            *keys = b->kc[p].keys;
            *n = b->kc[p].n;
            return LW_OK;
        }
    }
    acc.a = b->wl->arena;
    acc.n = 0;
    b->kc[p].word = lw_arena_strndup(b->wl->arena, w, wn);
    if (!b->kc[p].word)
        return LW_ENOMEM;
    rc = lw_names_person_keys(b->wl->names, b->kc[p].word, lw_watchlist_key_cb, &acc);
    if (rc < 0 && rc != LW_ELIMIT) {
        b->kc[p].word = NULL;
        return rc;
    }
    b->kc[p].keys = lw_arena_calloc(b->wl->arena, acc.n ? acc.n : 1, sizeof(char *));
    if (!b->kc[p].keys)
        return LW_ENOMEM;
    memcpy(b->kc[p].keys, acc.keys, acc.n * sizeof(char *));
    b->kc[p].n = acc.n;
    b->kc[p].h = h;
    b->kcn++;
    *keys = b->kc[p].keys;
    *n = acc.n;
    return LW_OK;
}

/* A word that starts a look: in the anchor map with its flag, and (see
 * anchor_filter) in the bit filter under its lw_wl_qhash. */
static int add_anchor(struct builder *b, const char *w, size_t n, unsigned flag)
{
    if (b->naq == b->capaq) {
        size_t c = b->capaq ? b->capaq * 2 : 256;
        uint64_t *v = realloc(b->aq, c * sizeof(*v));

        if (!v)
            return LW_ENOMEM;
        b->aq = v;
        b->capaq = c;
    }
    b->aq[b->naq++] = lw_wl_qhash(w, n);
    if (!b->wl->alead && !(b->wl->alead = calloc(1024, sizeof(uint64_t))))
        return LW_ENOMEM;
    if (n)
        b->wl->alead[lw_wl_lead_index(w, n)] |= lw_wl_lead_bit(n);
    return mmb_add(&b->anchor, lw_watchlist_word_hash(w, n), flag);
}

/* The anchor filter: 64 bits an anchor word (a word of a text passes by
 * chance about once in a hundred), from 4 KiB, which stays in the first-level
 * cache beside the text being walked, up to WL_ABITS bits for a long list.
 * Every word of every text is looked up in it. */
static int anchor_filter(struct builder *b)
{
    struct lw_watchlist *wl = b->wl;
    size_t nbits = 1 << 15, i;

    while (nbits < WL_ABITS && nbits < b->naq * 64)
        nbits <<= 1;
    if (!b->naq)
        return LW_OK;
    if (!(wl->abits = calloc(nbits / 64, sizeof(uint64_t))))
        return LW_ENOMEM;
    wl->amask = nbits - 1;
    for (i = 0; i < b->naq; i++) {
        uint64_t bit = b->aq[i] & wl->amask;

        wl->abits[bit >> 6] |= 1ull << (bit & 63);
    }
    return LW_OK;
}

/* The one "t:" key of a Latin word, or NULL when it has none or several. */
const char *lw_watchlist_primary_t(char **keys, size_t n)
{
    const char *t = NULL;
    size_t i;

    for (i = 0; i < n; i++) {
        if (!strncmp(keys[i], "t:", 2)) {
            if (t)
                return NULL;
            t = keys[i];
        }
    }
    return t;
}

/* Normalise a spelling (lw_norm: case, width, confusables) into the arena. */
static char *normed(struct builder *b, const char *s)
{
    char *n = NULL, *copy;

    if (lw_norm_str(s, strlen(s), &n, NULL) < 0)
        return NULL;
    copy = lw_arena_strdup(b->wl->arena, n);
    free(n);
    return copy;
}

/* Index one spelling of a person: Han part exactly, Latin words by pairs. */
/* A word too common in any text to anchor a name: one character, or digits. */
static bool weak_word(const char *w, size_t n)
{
    size_t i;

    if (n == 1)
        return true;
    for (i = 0; i < n && isdigit((unsigned char)w[i]); i++)
        ;
    return i == n;
}

static int index_person(struct builder *b, uint32_t entry, const char *spelling)
{
    struct lw_watchlist *wl = b->wl;
    char *nm = normed(b, spelling), han[WL_MAX_HAN_CHARS * 4 + 1];
    char **wk[WL_MAX_NAME_WORDS];
    size_t nk[WL_MAX_NAME_WORDS], nw = 0, nh = 0, hlen = 0, i, j, x, y;
    uint32_t id = (uint32_t)wl->npn;
    bool strong_word = false;
    int rc;

    if (!nm)
        return LW_ENOMEM;
    rc = lw_watchlist_tokenize(nm, strlen(nm), &b->tv);
    if (rc < 0)
        return rc;
    rc = push_name(&wl->pn, &wl->npn, &wl->cappn, entry, spelling);
    if (rc < 0)
        return rc;
    /* Any word of a name can anchor the search for it: the matcher finds a
     * pair of its words from either one. An initial or a number ("Theron
     * C", "38 North") is left to be found from the other words, as it would
     * make the matcher stop at every "c" and "38" of every text. */
    for (i = 0; i < b->tv.n && !strong_word; i++)
        strong_word = !b->tv.v[i].han && !weak_word(nm + b->tv.v[i].s, b->tv.v[i].e - b->tv.v[i].s);
    for (i = 0; i < b->tv.n; i++) {
        const struct wl_tok *t = &b->tv.v[i];
        bool anchor;

        if (t->han) {
            if (nh < WL_MAX_HAN_CHARS && hlen + (t->e - t->s) < sizeof(han)) {
                if (nh == 0)
                    rc = add_anchor(b, nm + t->s, t->e - t->s, WL_A_HAN);
                memcpy(han + hlen, nm + t->s, t->e - t->s);
                hlen += t->e - t->s;
                nh++;
            }
        } else if (nw < WL_MAX_NAME_WORDS) {
            rc = word_keys(b, nm + t->s, t->e - t->s, &wk[nw], &nk[nw]);
            if (rc < 0)
                return rc;
            anchor = !strong_word || !weak_word(nm + t->s, t->e - t->s);
            if (anchor)
                rc = add_anchor(b, nm + t->s, t->e - t->s, WL_A_PERSON);
            for (x = 0; anchor && rc == LW_OK && x < nk[nw]; x++)
                if (!strncmp(wk[nw][x], "t:", 2))
                    rc = add_anchor(b, wk[nw][x] + 2, strlen(wk[nw][x] + 2), WL_A_PERSON);
            nw++;
        }
        if (rc < 0)
            return rc;
    }
    wl->pn[id].words = nw ? (unsigned)nw : nh >= 2 ? 2 : 0;
    if (nh >= 2) {
        rc = mmb_add(&b->han, XXH3_64bits(han, hlen), id);
        wl->max_han = LW_MAX(wl->max_han, (unsigned)nh);
        if (rc < 0)
            return rc;
    }
    if (nw == 1) {
        for (x = 0; x < nk[0] && rc == LW_OK; x++)
            if (!strncmp(wk[0][x], "t:", 2))
                rc = mmb_add(&b->single, lw_wl_hstr(wk[0][x]), id);
    }
    for (i = 0; i < nw && rc == LW_OK; i++) {
        for (j = i + 1; j < nw && j <= i + WL_PAIR_SPAN && rc == LW_OK; j++)
            for (x = 0; x < nk[i] && rc == LW_OK; x++)
                for (y = 0; y < nk[j] && rc == LW_OK; y++)
                    rc = mmb_add(&b->pair, lw_wl_hpair(lw_wl_hstr(wk[i][x]), lw_wl_hstr(wk[j][y])),
                                 id);
        if (rc == LW_OK && i + 1 < nw) {
            const char *a = lw_watchlist_primary_t(wk[i], nk[i]),
                       *c = lw_watchlist_primary_t(wk[i + 1], nk[i + 1]);
            char joined[256];

            if (a && c) {
                snprintf(joined, sizeof(joined), "t:%s%s", a + 2, c + 2);
                rc = mmb_add(&b->single, lw_wl_hstr(joined), id);
            }
        }
    }
    return rc;
}

static const char *const legal_forms[] = {
    "ltd", "limited", "co",   "company", "inc", "incorporated", "corp", "corporation", "llc", "llp",
    "lp",  "plc",     "gmbh", "ag",      "sa",  "sas",          "sarl", "srl",         "spa", "bv",
    "nv",  "pte",     "pty",  "kk",      "oy",  "ab",           "as",   "kg",          "ug",
};
static const char *const han_legal_forms[] = {"有限责任公司", "股份有限公司", "有限公司", "公司",
                                              "集团"};

static bool is_legal_form(const char *w, size_t n)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(legal_forms); i++)
        if (n == strlen(legal_forms[i]) && !memcmp(w, legal_forms[i], n))
            return true;
    return false;
}

/* The organisation key of words [0, n) of s: legal forms at the end
 * dropped, words joined by `sep` (" " or ""). */
size_t lw_watchlist_org_key(const char *s, const struct wl_tok *t, size_t n, const char *sep,
                            char *out, size_t size)
{
    size_t k = 0, i;

    while (n > 1 && !t[n - 1].han && is_legal_form(s + t[n - 1].s, t[n - 1].e - t[n - 1].s))
        n--;
    for (i = 0; i < n; i++) {
        size_t w = t[i].e - t[i].s;
        /* Han characters join without a separator, as they are written. */
        const char *sp = i && !(t[i].han && t[i - 1].han) ? sep : "";

        if (k + strlen(sp) + w + 1 > size)
            return 0;
        memcpy(out + k, sp, strlen(sp));
        k += strlen(sp);
        memcpy(out + k, s + t[i].s, w);
        k += w;
    }
    out[k] = '\0';
    return k;
}

static int index_org(struct builder *b, uint32_t entry, const char *spelling)
{
    struct lw_watchlist *wl = b->wl;
    char *nm = normed(b, spelling), key[1024];
    size_t i, n, len;
    uint32_t id = (uint32_t)wl->non;
    int rc;

    if (!nm)
        return LW_ENOMEM;
    len = strlen(nm);
    for (i = 0; i < LW_ARRAY_LEN(han_legal_forms); i++) {
        size_t fl = strlen(han_legal_forms[i]);

        if (len > fl && !memcmp(nm + len - fl, han_legal_forms[i], fl)) {
            nm[len - fl] = '\0';
            break;
        }
    }
    rc = lw_watchlist_tokenize(nm, strlen(nm), &b->tv);
    if (rc < 0 || b->tv.n == 0)
        return rc;
    n = LW_MIN(b->tv.n, (size_t)WL_MAX_ORG_WORDS);
    rc = push_name(&wl->on, &wl->non, &wl->capon, entry, spelling);
    if (rc == LW_OK && lw_watchlist_org_key(nm, b->tv.v, n, " ", key, sizeof(key)))
        rc = mmb_add(&b->org, lw_wl_hstr(key), id);
    if (rc == LW_OK && n > 2 && lw_watchlist_org_key(nm, b->tv.v, 2, " ", key, sizeof(key)))
        rc = mmb_add(&b->org2, lw_wl_hstr(key), 0);
    if (rc == LW_OK && lw_watchlist_org_key(nm, b->tv.v, n, "", key, sizeof(key))) {
        rc = mmb_add(&b->org, lw_wl_hstr(key), id);
        if (rc == LW_OK)
            rc = add_anchor(b, key, strlen(key), WL_A_ORG);
    }
    if (rc == LW_OK)
        rc = add_anchor(b, nm + b->tv.v[0].s, b->tv.v[0].e - b->tv.v[0].s, WL_A_ORG);
    wl->max_org = LW_MAX(wl->max_org, (unsigned)n);
    return rc;
}

uint64_t lw_watchlist_shingle_hash(const struct wl_tok *t, size_t n)
{
    uint64_t h = WL_SHINGLE;
    size_t i;

    for (i = 0; i < n; i++)
        h = lw_wl_hpair(h, t[i].fh) + i;
    return h;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static int index_template(struct builder *b, uint32_t entry, const char *text)
{
    char *nm = normed(b, text);
    uint64_t *h = NULL;
    size_t n, i, k = 0, nsh;
    int rc;

    if (!nm)
        return LW_ENOMEM;
    rc = lw_watchlist_tokenize(nm, strlen(nm), &b->tv);
    if (rc < 0 || b->tv.n == 0)
        return rc;
    n = b->tv.n;
    nsh = n >= WL_SHINGLE ? n - WL_SHINGLE + 1 : 1;
    h = malloc(nsh * sizeof(*h));
    if (!h)
        return LW_ENOMEM;
    for (i = 0; i < nsh; i++)
        h[i] = lw_watchlist_shingle_hash(b->tv.v + i, LW_MIN((size_t)WL_SHINGLE, n));
    qsort(h, nsh, sizeof(*h), u64_cmp);
    for (i = 0; i < nsh && rc == LW_OK; i++) {
        if (i && h[i] == h[i - 1])
            continue;
        rc = mmb_add(&b->tmpl, h[i], entry);
        k++;
    }
    b->wl->tshingles[entry] = (uint32_t)k;
    free(h);
    return rc;
}

/* Remember a hash for the filter of its kind. */
static int add_filtered(struct builder *b, enum wl_kind k, uint64_t h)
{
    if (b->nek == b->capek) {
        size_t cap = b->capek ? b->capek * 2 : 256;
        void *v = realloc(b->ek, cap * sizeof(*b->ek));

        if (!v)
            return LW_ENOMEM;
        b->ek = v;
        b->capek = cap;
    }
    b->ek[b->nek].h = h ? h : 1; /* as the table stores it */
    b->ek[b->nek++].kind = k;
    return LW_OK;
}

/* One key of the exact table, remembered with its kind for the filters. */
static int add_exact(struct builder *b, enum wl_kind k, const char *key, uint32_t entry)
{
    uint64_t h = lw_wl_hkey(k, key, strlen(key));
    int rc = add_filtered(b, k, h);

    return rc == LW_OK ? mmb_add(&b->exact, h, entry) : rc;
}

/* The canonical exact key of an entry (also kept to verify hits). */
static int index_exact(struct builder *b, uint32_t i, const struct lw_entry *e)
{
    struct lw_watchlist *wl = b->wl;
    char buf[LW_ENTRY_MAX_FIELD + 64], skel[LW_ENTRY_MAX_FIELD + 1];
    const char *v = e->value, *lab;
    enum wl_kind k;
    size_t n, labn;
    int rc;

    while (isspace((unsigned char)*v))
        v++;
    snprintf(buf, sizeof(buf), "%s", v);
    n = strlen(buf);
    while (n && isspace((unsigned char)buf[n - 1]))
        buf[--n] = '\0';
    lw_watchlist_lower(buf);
    switch (e->type) {
    case LW_ENTRY_EMAIL:
        k = WL_K_EMAIL;
        break;
    case LW_ENTRY_DOMAIN:
        k = WL_K_DOMAIN;
        if (!strncmp(buf, "*.", 2))
            memmove(buf, buf + 2, strlen(buf + 2) + 1);
        if (!strncmp(buf, "www.", 4))
            memmove(buf, buf + 4, strlen(buf + 4) + 1);
        n = strlen(buf);
        while (n && buf[n - 1] == '.')
            buf[--n] = '\0';
        if (lw_watchlist_reg_label(buf, n, &lab, &labn) && labn >= 4) {
            lw_watchlist_skeleton(lab, labn, skel, sizeof(skel));
            rc = add_exact(b, WL_K_LABEL, skel, i);
            if (rc < 0)
                return rc;
        }
        break;
    case LW_ENTRY_URL: {
        char c[sizeof(buf)];

        lw_watchlist_canon_url(buf, strlen(buf), c, sizeof(c));
        memcpy(buf, c, sizeof(c));
        k = WL_K_URL;
        break;
    }
    case LW_ENTRY_PHONE: {
        char d[64];
        size_t nd = lw_watchlist_phone_digits(buf, strlen(buf), d, sizeof(d));

        snprintf(buf, sizeof(buf), "%s", lw_watchlist_phone_key(d, nd));
        k = WL_K_PHONE;
        wl->any_phone = true;
        break;
    }
    case LW_ENTRY_HANDLE:
        if (buf[0] == '@')
            memmove(buf, buf + 1, strlen(buf));
        lw_watchlist_skeleton(buf, strlen(buf), skel, sizeof(skel));
        rc = add_exact(b, WL_K_SKEL, skel, i);
        if (rc == LW_OK)
            rc = add_filtered(b, WL_K_HANDLE_WORD, lw_watchlist_word_hash(buf, strlen(buf)));
        if (rc < 0)
            return rc;
        k = WL_K_HANDLE;
        wl->any_handle = true;
        break;
    default:
        return LW_OK;
    }
    if (!(wl->ekey[i] = lw_arena_strdup(wl->arena, buf)))
        return LW_ENOMEM;
    return add_exact(b, k, buf, i);
}

/* At most three words: could be a person's name. */
static bool short_name(const char *s)
{
    size_t words = 0;
    bool in = false;

    for (; *s; s++) {
        bool sp = *s == ' ' || *s == '\t';

        if (!sp && !in)
            words++;
        in = !sp;
    }
    return words <= 3;
}

static int index_entry(struct builder *b, uint32_t i)
{
    const struct lw_entry *e = &b->wl->list.v[i];
    size_t k;
    int rc = LW_OK;

    switch (e->type) {
    case LW_ENTRY_PERSONA:
    case LW_ENTRY_IMPERSONATED:
        b->wl->any_names = true;
        /* An impersonated organisation ("China University of Political
         * Science and Law") is not looked for as a person's name. */
        if (e->type == LW_ENTRY_IMPERSONATED && !short_name(e->value))
            goto org;
        rc = index_person(b, i, e->value);
        for (k = 0; rc == LW_OK && k < e->n_aliases; k++)
            rc = index_person(b, i, e->aliases[k]);
        if (rc == LW_OK && e->hanzi)
            rc = index_person(b, i, e->hanzi);
        if (e->type == LW_ENTRY_PERSONA)
            break;
        /* An impersonated name may be a person's or an organisation's. */
        __attribute__((fallthrough));
    case LW_ENTRY_ORG:
    org:
        b->wl->any_names = true;
        if (rc == LW_OK)
            rc = index_org(b, i, e->value);
        for (k = 0; rc == LW_OK && k < e->n_aliases; k++)
            rc = index_org(b, i, e->aliases[k]);
        if (rc == LW_OK && e->hanzi)
            rc = index_org(b, i, e->hanzi);
        break;
    case LW_ENTRY_TEMPLATE:
        b->wl->any_tmpl = true;
        rc = index_template(b, i, e->value);
        break;
    default:
        rc = index_exact(b, i, e);
        break;
    }
    return rc;
}

/* Fill the per-kind filters of the exact table from the keys added. */
static int exact_filters(struct builder *b)
{
    struct lw_watchlist *wl = b->wl;
    size_t count[WL_K_HANDLE_WORD + 1] = {0}, i, k;

    for (i = 0; i < b->nek; i++)
        count[b->ek[i].kind]++;
    for (k = 1; k <= WL_K_HANDLE_WORD; k++) {
        uint64_t bits = 1024;

        if (!count[k])
            continue;
        while (bits < (uint64_t)count[k] * 16)
            bits *= 2;
        wl->filter[k].bits = calloc(bits / 64, sizeof(uint64_t));
        if (!wl->filter[k].bits)
            return LW_ENOMEM;
        wl->filter[k].mask = bits - 1;
    }
    for (i = 0; i < b->nek; i++) {
        struct wl_filter *f = &wl->filter[b->ek[i].kind];
        uint64_t bit = (b->ek[i].h >> 17) & f->mask;

        f->bits[bit >> 6] |= 1ull << (bit & 63);
    }
    return LW_OK;
}

/* Keep the build's word -> keys cache: in a text, the words of the names on
 * the list are the anchors, and their keys need not be worked out again. */
static int keep_word_keys(struct builder *b)
{
    struct lw_watchlist *wl = b->wl;
    size_t i;
    int rc = LW_OK;

    if (!b->kcn)
        return LW_OK;
    wl->wk = calloc(b->kcn, sizeof(*wl->wk));
    if (!wl->wk)
        return LW_ENOMEM;
    for (i = 0; b->kc && i <= b->kcmask && rc == LW_OK; i++) {
        if (!b->kc[i].word)
            continue;
        uint64_t *kh = lw_arena_calloc(wl->arena, b->kc[i].n ? b->kc[i].n : 1, sizeof(*kh));
        size_t k;

        if (!kh)
            return LW_ENOMEM;
        for (k = 0; k < b->kc[i].n; k++)
            kh[k] = lw_wl_hstr(b->kc[i].keys[k]);
        wl->wk[wl->nwk] = (struct wl_wordkeys){b->kc[i].word, b->kc[i].keys, kh, b->kc[i].n};
        rc = mmb_add(&b->words, lw_watchlist_word_hash(b->kc[i].word, strlen(b->kc[i].word)),
                     (uint32_t)wl->nwk++);
    }
    return rc;
}

/* Common words of the languages lurewatch reads: never looked at as the
 * neighbour of a name word unless a name on the list has them (He, Ma and
 * An are surnames), and never an anchor by themselves. */
static const char *const common_words[] = {
    "a",    "about", "after",  "all",    "also", "am",      "an",    "and",    "any",   "are",
    "as",   "at",    "be",     "been",   "best", "but",     "by",    "can",    "could", "dear",
    "did",  "do",    "does",   "for",    "from", "had",     "has",   "have",   "he",    "hello",
    "her",  "here",  "hi",     "his",    "how",  "i",       "if",    "in",     "into",  "is",
    "it",   "its",   "just",   "kind",   "many", "may",     "me",    "more",   "most",  "mr",
    "mrs",  "ms",    "my",     "no",     "not",  "now",     "of",    "on",     "one",   "only",
    "or",   "our",   "out",    "please", "re",   "regards", "she",   "should", "so",    "some",
    "than", "thank", "thanks", "that",   "the",  "their",   "them",  "then",   "there", "these",
    "they", "this",  "to",     "up",     "us",   "very",    "was",   "we",     "were",  "what",
    "when", "where", "which",  "who",    "will", "with",    "would", "yes",    "you",   "your",
    "der",  "die",   "das",    "und",    "ist",  "ich",     "sie",   "wir",    "mit",   "von",
    "zu",   "den",   "dem",    "ein",    "eine", "nicht",   "auf",   "le",     "la",    "les",
    "et",   "de",    "des",    "du",     "un",   "une",     "est",   "pour",   "vous",  "nous",
    "en",   "el",    "los",    "y",      "que",  "het",     "een",   "van",
};

static int stop_words(struct builder *b)
{
    size_t i;
    int rc = LW_OK;

    for (i = 0; i < LW_ARRAY_LEN(common_words) && rc == LW_OK; i++)
        rc = mmb_add(&b->stop, lw_watchlist_word_hash(common_words[i], strlen(common_words[i])), 0);
    return rc == LW_OK ? mm_build(&b->wl->stop, &b->stop) : rc;
}

/* Check every entry before anything is kept. */
static int check_all(const struct lw_entry *entries, size_t n, const struct lw_names *names,
                     struct lw_diag *diag)
{
    size_t i;
    int rc;

    if (n > UINT32_MAX / 2) {
        lw_diag_set(diag, "more than %u watchlist entries", UINT32_MAX / 2);
        return LW_ELIMIT;
    }
    for (i = 0; i < n; i++) {
        rc = lw_entry_check(&entries[i], diag);
        if (rc < 0) {
            char msg[sizeof(diag->msg)];

            if (diag) {
                memcpy(msg, diag->msg, sizeof(msg));
                lw_diag_set(diag, "watchlist entry %zu (#%lld): %s", i + 1, entries[i].id, msg);
            }
            return rc;
        }
        if (!names && (entries[i].type == LW_ENTRY_PERSONA || entries[i].type == LW_ENTRY_ORG ||
                       entries[i].type == LW_ENTRY_IMPERSONATED)) {
            lw_diag_set(diag, "the watchlist has names but no name matcher was given");
            return LW_EINVAL;
        }
    }
    return LW_OK;
}

static int build(struct lw_watchlist *wl, struct lw_diag *diag);

int lw_watchlist_build(const struct lw_entry *entries, size_t n, const struct lw_names *names,
                       struct lw_watchlist **out, struct lw_diag *diag)
{
    struct lw_watchlist *wl = NULL;
    size_t i;
    int rc;

    rc = check_all(entries, n, names, diag);
    if (rc < 0)
        return rc;
    wl = calloc(1, sizeof(*wl));
    if (!wl)
        return LW_ENOMEM;
    wl->names = names;
    lw_entry_list_init(&wl->list);
    rc = lw_entry_list_reserve(&wl->list, n);
    for (i = 0; i < n && rc == LW_OK; i++)
        rc = lw_entry_list_add(&wl->list, &entries[i]);
    if (rc == LW_OK)
        rc = build(wl, diag);
    if (rc < 0) {
        lw_watchlist_free(wl);
        return rc;
    }
    *out = wl;
    return LW_OK;
}

int lw_watchlist_build_take(struct lw_entry_list *entries, const struct lw_names *names,
                            struct lw_watchlist **out, struct lw_diag *diag)
{
    struct lw_watchlist *wl = NULL;
    int rc;

    rc = check_all(entries->v, entries->n, names, diag);
    if (rc < 0)
        return rc;
    wl = calloc(1, sizeof(*wl));
    if (!wl)
        return LW_ENOMEM;
    wl->names = names;
    wl->list = *entries;
    rc = build(wl, diag);
    if (rc < 0) {
        lw_entry_list_init(&wl->list); /* still the caller's */
        lw_watchlist_free(wl);
        return rc;
    }
    lw_entry_list_init(entries);
    *out = wl;
    return LW_OK;
}

/* Index the entries in wl->list (checked already): expired ones dropped. */
static int build(struct lw_watchlist *wl, struct lw_diag *diag)
{
    struct builder b;
    char today[16];
    size_t i, kept = 0;
    int rc = LW_ENOMEM;

    memset(&b, 0, sizeof(b));
    b.wl = wl;
    b.diag = diag;
    if (!(wl->arena = lw_arena_new(1 << 16)))
        goto out;
    rc = lw_norm_global_init(diag);
    if (rc < 0)
        goto out;
    lw_entry_today(today, sizeof(today));
    for (i = 0; i < wl->list.n; i++)
        if (!lw_entry_expired(&wl->list.v[i], today))
            wl->list.v[kept++] = wl->list.v[i];
    wl->list.n = kept;
    rc = LW_ENOMEM;
    wl->ekey = calloc(wl->list.n + 1, sizeof(*wl->ekey));
    wl->tshingles = calloc(wl->list.n + 1, sizeof(*wl->tshingles));
    if (!wl->ekey || !wl->tshingles)
        goto out;
    for (i = 0; i < wl->list.n; i++) {
        rc = index_entry(&b, (uint32_t)i);
        if (rc < 0) {
            lw_diag_set(diag, "cannot index watchlist entry #%lld: %s", wl->list.v[i].id,
                        lw_strerror(rc));
            goto out;
        }
    }
    rc = mm_build(&wl->exact, &b.exact);
    if (rc == LW_OK)
        rc = exact_filters(&b);
    if (rc == LW_OK)
        rc = mm_build(&wl->pair, &b.pair);
    if (rc == LW_OK)
        rc = mm_build(&wl->single, &b.single);
    if (rc == LW_OK)
        rc = mm_build(&wl->han, &b.han);
    if (rc == LW_OK)
        rc = mm_build(&wl->org, &b.org);
    if (rc == LW_OK)
        rc = mm_build(&wl->org2, &b.org2);
    if (rc == LW_OK)
        rc = mm_build(&wl->tmpl, &b.tmpl);
    if (rc == LW_OK)
        rc = mm_build(&wl->anchor, &b.anchor);
    if (rc == LW_OK)
        rc = anchor_filter(&b);
    if (rc == LW_OK)
        rc = keep_word_keys(&b);
    if (rc == LW_OK)
        rc = mm_build(&wl->words, &b.words);
    if (rc == LW_OK)
        rc = stop_words(&b);
out:
    free(b.exact.v);
    free(b.pair.v);
    free(b.single.v);
    free(b.han.v);
    free(b.org.v);
    free(b.org2.v);
    free(b.tmpl.v);
    free(b.anchor.v);
    free(b.aq);
    free(b.words.v);
    free(b.stop.v);
    free(b.tv.v);
    free(b.kc);
    free(b.ek);
    return rc;
}
