/* watchlist_int.h -- what the two halves of the watchlist share: the
 * index structures (built in watchlist.c, read in watchlist_scan.c) and the
 * helpers that must give the same answer on an entry and on a message
 * (words, keys, canonical addresses). Private to src/detect/watchlist*.c. */
#ifndef LW_WATCHLIST_INT_H
#define LW_WATCHLIST_INT_H

#include <ctype.h>
#include <string.h>
#include <xxhash.h>

#include "detect/watchlist.h"

/* Seeds that keep the kinds of exact key apart in one table. */
enum wl_kind {
    WL_K_EMAIL = 1,
    WL_K_DOMAIN,
    WL_K_LABEL,
    WL_K_URL,
    WL_K_PHONE,
    WL_K_HANDLE,
    WL_K_SKEL,
    WL_K_HANDLE_WORD, /* filter only: lw_watchlist_word_hash of each handle key */
};

enum {
    WL_MAX_NAME_WORDS = 8,   /* words of one name that are indexed */
    WL_PAIR_SPAN = 2,        /* words of a pair are at most this far apart */
    WL_MAX_ORG_WORDS = 12,   /* longest organisation name looked for, in words */
    WL_MAX_HAN_CHARS = 12,   /* longest Han name looked for */
    WL_MAX_POSTINGS = 1024,  /* ids visited per key (bounds a pathological store) */
    WL_SHINGLE = 4,          /* words per template shingle */
    WL_MAX_TOKENS = 1 << 20, /* words of one text looked at */
};

/* ---- multimap: 64-bit key -> run of uint32 ids (read side) ---- */

struct wl_slot {
    uint64_t h; /* 0: empty */
    uint32_t off, cnt;
};

struct wl_map {
    struct wl_slot *slot;
    size_t mask;
    uint32_t *ids;
    uint64_t *bits; /* the map's filter: 16 bits a key; NULL for a tiny map */
    uint64_t bmask;
};

static inline const uint32_t *lw_wl_get(const struct wl_map *m, uint64_t h, size_t *n)
{
    size_t p;

    *n = 0;
    if (!m->slot)
        return NULL;
    h = h ? h : 1;
    /* A probe of a map of megabytes misses the cache; its filter mostly
     * does not, and most lookups are for keys that are not there. */
    if (m->bits && !(m->bits[((h >> 23) & m->bmask) >> 6] >> ((h >> 23) & 63) & 1))
        return NULL;
    for (p = (size_t)h & m->mask; m->slot[p].h; p = (p + 1) & m->mask) {
        if (m->slot[p].h == h) {
            *n = LW_MIN((size_t)m->slot[p].cnt, (size_t)WL_MAX_POSTINGS);
            return m->ids + m->slot[p].off;
        }
    }
    return NULL;
}

static inline bool lw_wl_has(const struct wl_map *m, uint64_t h)
{
    size_t n;

    return lw_wl_get(m, h, &n) != NULL;
}

static inline uint64_t lw_wl_hkey(enum wl_kind k, const char *s, size_t n)
{
    return XXH3_64bits_withSeed(s, n, (XXH64_hash_t)k);
}

static inline uint64_t lw_wl_hstr(const char *s)
{
    return XXH3_64bits(s, strlen(s));
}

/* The key of an unordered pair of person keys, from their xxHashes (each
 * key is hashed once, however many pairs it is in). */
static inline uint64_t lw_wl_hpair(uint64_t a, uint64_t b)
{
    uint64_t lo = a < b ? a : b, hi = a < b ? b : a, x;

    x = lo * 0x9E3779B97F4A7C15ull ^ (hi + 0x632BE59BD9B4E019ull);
    x ^= x >> 32;
    x *= 0xD6E8FEB86659FD93ull;
    x ^= x >> 32;
    return x;
}

/* ---- words ---- */

struct wl_tok {
    uint64_t fh;      /* lw_watchlist_word_hash of the word, for the anchor filter */
    uint32_t s;       /* byte span [s, e) */
    uint32_t e : 31;  /* (texts are cut far below 2 GiB: max_text) */
    uint32_t han : 1; /* one Han (or kana/hangul) character */
};

struct wl_tokv {
    struct wl_tok *v;
    size_t n, cap;
};

/* Split s into words: runs of letters and digits; each Han (kana, hangul)
 * character is a word of its own, as Chinese is written without spaces.
 * At most WL_MAX_TOKENS words. */
int lw_watchlist_tokenize(const char *s, size_t len, struct wl_tokv *tv);
/* Whether some word of s passes the anchor filter, without keeping the
 * words: most texts have none, and need not be cut into words at all. */
bool lw_watchlist_any_anchor(const struct lw_watchlist *wl, const char *s, size_t len);

/* The words around one word of a text that passes the anchor filter:
 * tok[0, n) are the words of the text from up to WL_PAIR_SPAN before it to
 * up to `after` after it, as lw_watchlist_tokenize would cut them, and
 * tok[at] is the anchor. A non-zero return stops the walk. */
typedef int lw_wl_window_fn(void *ctx, const struct wl_tok *tok, size_t n, size_t at);
enum { WL_WINDOW_AFTER_MAX = 32 };
/* Call fn for each word of s that passes the anchor filter, in text order,
 * without cutting the whole text into words: a text with a few anchors is
 * looked at in a few windows. after is at most WL_WINDOW_AFTER_MAX. Returns
 * what fn returned, or 0. */
int lw_watchlist_anchor_windows(const struct lw_watchlist *wl, const char *s, size_t len,
                                size_t after, lw_wl_window_fn *fn, void *ctx);
/* The organisation key of words [0, n) of s: legal forms at the end
 * dropped, words joined by sep; 0 when it does not fit in out. */
size_t lw_watchlist_org_key(const char *s, const struct wl_tok *t, size_t n, const char *sep,
                            char *out, size_t size);
/* The key of the shingle of words t[0..n) (from their word hashes; the
 * order of the words counts). */
uint64_t lw_watchlist_shingle_hash(const struct wl_tok *t, size_t n);

/* A hash of a word's bytes (XXH3, which takes a short word in a few
 * cycles), computed once a word is cut out of the text: it lets most words
 * skip the anchor lookup through one bit test. */
enum { WL_ABITS = 1 << 20 };

static inline uint64_t lw_watchlist_word_hash(const char *s, size_t n)
{
    return XXH3_64bits(s, n);
}

/* The anchor filter's hash of a word: a few instructions on its first and
 * last eight bytes and its length, so that the many words of a text that
 * are no anchor cost no word hash (a long word's middle is left out: a
 * filter may let a word through that is no anchor, never the reverse). */
static inline uint64_t lw_wl_qhash(const char *s, size_t n)
{
    uint64_t a = 0, b = 0, h;

    if (n >= 8) {
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
    } else if (n >= 4) {
        uint32_t x, y;

        memcpy(&x, s, 4);
        memcpy(&y, s + n - 4, 4);
        a = x;
        b = y;
    } else if (n) {
        a = (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << 8 |
            (uint64_t)(unsigned char)s[n - 1] << 16;
    }
    h = (a ^ (b << 32 | b >> 32) ^ n) * 0x9e3779b97f4a7c15ull;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

/* The exact table's filters, one per kind of key and sized to its number of
 * keys (16 bits a key) so that it stays in cache: a key whose bit is clear
 * is not in the table, so most words of a text cost one bit test instead of
 * a probe of a table of megabytes. */
struct wl_filter {
    uint64_t *bits;
    uint64_t mask; /* bits - 1; 0 when the kind has no key */
};

static inline bool lw_wl_filter_has(const struct wl_filter *f, uint64_t h)
{
    uint64_t b = (h >> 17) & f->mask;

    return f->bits && (f->bits[b >> 6] >> (b & 63) & 1);
}

/* ---- canonical keys ---- */

static inline void lw_watchlist_lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

void lw_watchlist_skeleton(const char *s, size_t n, char *out, size_t size);
bool lw_watchlist_reg_label(const char *d, size_t n, const char **lab, size_t *lablen);
void lw_watchlist_canon_url(const char *u, size_t n, char *out, size_t size);
size_t lw_watchlist_phone_digits(const char *s, size_t n, char *out, size_t size);
static inline const char *lw_watchlist_phone_key(const char *digits, size_t n)
{
    return n > 9 ? digits + n - 9 : digits;
}

/* ---- person keys ---- */

struct wl_keyacc {
    struct lw_arena *a;
    char *keys[64];
    size_t n;
};

/* lw_names_key_fn that copies keys into acc->a (at most 64). */
int lw_watchlist_key_cb(void *ctx, const char *key);
/* The one "t:" key of a Latin word, or NULL when it has none or several. */
const char *lw_watchlist_primary_t(char **keys, size_t n);

/* ---- the compiled watchlist ---- */

enum {
    WL_A_PERSON = 1, /* a word of a person name */
    WL_A_ORG = 2,    /* the first word of an organisation name (or all of a one-word one) */
    WL_A_HAN = 4,    /* the first character of a Han name */
};

struct wl_wordkeys {
    const char *word;
    char **keys;
    uint64_t *kh; /* lw_wl_hstr of each key */
    size_t n;
};

struct wl_name {
    uint32_t entry;
    const char *s;  /* the spelling indexed, given to lw_names_match_* */
    unsigned words; /* persons: Latin words in it (a Han name counts as 2) */
};

struct lw_watchlist {
    struct lw_entry_list list; /* the entries kept, copied */
    const struct lw_names *names;
    struct lw_arena *arena;  /* keys and spellings */
    const char **ekey;       /* per entry: its canonical exact key, or NULL */
    struct wl_name *pn, *on; /* person and organisation spellings */
    size_t npn, non, cappn, capon;
    uint32_t *tshingles; /* per entry: distinct shingles of a template */
    struct wl_map exact, pair, single, han, org, tmpl;
    struct wl_map org2;   /* the first two words of every longer organisation name */
    struct wl_map anchor; /* word hash -> WL_A_* flags (the ids are flags) */
    uint64_t *abits;      /* the anchor filter (amask + 1 bits): lw_wl_qhash of anchor words */
    uint64_t amask;
    uint64_t *alead; /* 1,024 words: the first look of the anchor filter (lw_wl_lead) */
    struct wl_filter filter[WL_K_HANDLE_WORD + 1]; /* per enum wl_kind */
    struct wl_map words;    /* word hash -> index into wk: person keys of entry words */
    struct wl_map stop;     /* word hash of a common word: never a name's neighbour */
    struct wl_wordkeys *wk; /* the build's key cache, kept: words and their keys */
    size_t nwk;
    unsigned max_org, max_han;
    bool any_handle, any_phone, any_tmpl, any_names;
};

/* The anchor filter's first look: the low five bits of a word's first two
 * bytes (the second 0 for a one-byte word) and its length (at most 63):
 * a bit in a table of 1,024 words, a few instructions. */
static inline unsigned lw_wl_lead_index(const char *s, size_t n)
{
    return ((unsigned char)s[0] & 31u) << 5 | (n > 1 ? (unsigned char)s[1] & 31u : 0);
}

static inline uint64_t lw_wl_lead_bit(size_t n)
{
    return 1ull << (n < 63 ? n : 63);
}

static inline bool lw_wl_lead(const uint64_t *lead, const char *s, size_t n)
{
    return (lead[lw_wl_lead_index(s, n)] & lw_wl_lead_bit(n)) != 0;
}

/* Whether the word s[0, n) (n >= 1) passes the anchor filter: its lead, then
 * its lw_wl_qhash. */
static inline bool lw_wl_abit(const struct lw_watchlist *wl, const char *s, size_t n)
{
    uint64_t b;

    if (!wl->abits || !lw_wl_lead(wl->alead, s, n))
        return false;
    b = lw_wl_qhash(s, n) & wl->amask;
    return wl->abits[b >> 6] >> (b & 63) & 1;
}

#endif
