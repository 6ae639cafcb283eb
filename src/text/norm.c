/* norm.c -- the text normaliser (norm.h): one pass from original UTF-8 (or
 * HTML) to the normalised text the rules and the watchlist match on, with a
 * byte-exact map back to the original.
 *
 * Owns the shared state (the ICU NFKC_Casefold instance and spoof checker
 * opened by lw_norm_global_init, and a table of what each BMP code point
 * is, filled as code points are met) and the per-call pipeline. The HTML tokenizer lives in
 * norm_html.c; both share the private interface in norm_int.h.
 *
 * Pipeline (see docs/internals/norm.md):
 *   decode  -- UTF-8 (bad bytes -> U+FFFD) or HTML text/entities/tags;
 *   feed    -- drop default-ignorables, gather a normalisation segment
 *              (code points up to the next unorm2_hasBoundaryBefore);
 *   flush   -- NFKC_Casefold the segment; every output code point maps to
 *              its own input code point when the segment came out unchanged,
 *              else to the whole segment's original range;
 *   post    -- confusables and typographic punctuation to ASCII;
 *   emit    -- white space collapsed, bytes and offsets written to nt.
 * Runs of ASCII bypass all of it: they are lower-cased in place (the only
 * thing NFKC_Casefold does to ASCII) and copied straight to the output. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>

#include "ingest/msg.h"
#include "text/norm_int.h"

static struct {
    atomic_bool ready;
    pthread_mutex_t lock;
    const UNormalizer2 *nfkc_cf; /* owned by ICU, never freed */
    USpoofChecker *spoof;        /* its skeletons are safe to ask from any thread */
    /* Per BMP code point: its enum cp_flag bits in the low byte, the ASCII
     * letter it is confusable with in the high byte. */
    _Atomic uint16_t bmp[0x10000];
} g = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* What the pipeline asks of a code point. For the BMP the answer is worked
 * out with ICU the first time the code point is met and kept, so text in
 * one script costs table look-ups after its first characters, and a run
 * that meets little but ASCII asks ICU almost nothing. Two threads may
 * work out the same entry at once; both store the same value. Supplementary
 * code points ask ICU each time. */
enum cp_flag {
    F_IGNORABLE = 1 << 0,  /* Default_Ignorable_Code_Point: removed */
    F_BOUNDARY = 1 << 1,   /* unorm2_hasBoundaryBefore under NFKC_Casefold */
    F_STABLE = 1 << 2,     /* NFKC_Casefold leaves it unchanged on its own */
    F_CONFUSABLE = 1 << 3, /* looks like one ASCII letter (the high byte) */
    F_SPACE = 1 << 4,      /* White_Space */
    F_KNOWN = 1 << 7,      /* the entry has been worked out */
};

/* Scripts whose letters are never folded. CJK is matched as characters.
 * Right-to-left letters are no homoglyphs inside a Latin word (the bidi
 * algorithm reorders them, which shows), while folding them would rewrite
 * nearly every Arabic or Hebrew word (alef and vav look like 'l'). */
static bool is_unfolded_script(UScriptCode sc)
{
    switch (sc) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_KATAKANA_OR_HIRAGANA:
    case USCRIPT_HANGUL:
    case USCRIPT_BOPOMOFO:
    case USCRIPT_YI:
    case USCRIPT_ARABIC:
    case USCRIPT_HEBREW:
    case USCRIPT_SYRIAC:
    case USCRIPT_THAANA:
    case USCRIPT_NKO:
    case USCRIPT_SAMARITAN:
    case USCRIPT_MANDAIC:
    case USCRIPT_ADLAM:
        return true;
    default:
        return false;
    }
}

/* true when NFKC_Casefold leaves the single code point cp as it is: only
 * those can reach the confusable step. */
static bool nfkc_cf_stable(UChar32 cp)
{
    UChar in[2], out[32];
    int32_t inlen = 0, outlen;
    UErrorCode st = U_ZERO_ERROR;
    UBool err = 0;

    U16_APPEND(in, inlen, 2, cp, err);
    if (err)
        return false;
    outlen = unorm2_normalize(g.nfkc_cf, in, inlen, out, (int32_t)LW_ARRAY_LEN(out), &st);
    return U_SUCCESS(st) && outlen == inlen && memcmp(in, out, (size_t)inlen * sizeof(UChar)) == 0;
}

/* The ASCII letter (lower case) a non-ASCII BMP letter is confusable with,
 * or 0: a letter outside the scripts above that survives NFKC_Casefold and
 * whose ICU spoof skeleton is one ASCII letter. */
static char confusable_letter(UChar32 cp, bool stable)
{
    UErrorCode e = U_ZERO_ERROR;
    UChar in[1], sk[8];
    int32_t sklen;
    char c;

    if (!stable || cp < 0x80 || cp >= 0x10000 || U_IS_SURROGATE(cp) ||
        !(U_GET_GC_MASK(cp) & U_GC_L_MASK))
        return 0;
    if (is_unfolded_script(uscript_getScript(cp, &e)) || U_FAILURE(e))
        return 0;
    in[0] = (UChar)cp;
    sklen = uspoof_getSkeleton(g.spoof, 0, in, 1, sk, (int32_t)LW_ARRAY_LEN(sk), &e);
    if (U_FAILURE(e) || sklen != 1 || sk[0] >= 0x80)
        return 0;
    c = (char)sk[0];
    if (c >= 'A' && c <= 'Z')
        c = (char)(c + 32);
    return c >= 'a' && c <= 'z' ? c : 0; /* letters only: a Cyrillic б is not folded to a 6 */
}

/* The entry of a BMP code point: flags in the low byte, the confusable
 * letter in the high byte. */
static unsigned cp_entry(uint32_t cp)
{
    unsigned v = atomic_load_explicit(&g.bmp[cp], memory_order_relaxed);
    UChar32 c = (UChar32)cp;
    char conf;

    if (v & F_KNOWN)
        return v;
    v = F_KNOWN;
    if (!U_IS_SURROGATE(c)) {
        if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
            v |= F_IGNORABLE;
        if (unorm2_hasBoundaryBefore(g.nfkc_cf, c))
            v |= F_BOUNDARY;
        if (nfkc_cf_stable(c))
            v |= F_STABLE;
        if (u_isUWhiteSpace(c))
            v |= F_SPACE;
        conf = confusable_letter(c, v & F_STABLE);
        if (conf)
            v |= F_CONFUSABLE | (unsigned)(unsigned char)conf << 8;
    }
    atomic_store_explicit(&g.bmp[cp], (uint16_t)v, memory_order_relaxed);
    return v;
}

int lw_norm_global_init(struct lw_diag *diag)
{
    UErrorCode st = U_ZERO_ERROR;
    int rc = LW_OK;

    if (atomic_load_explicit(&g.ready, memory_order_acquire))
        return LW_OK;
    pthread_mutex_lock(&g.lock);
    if (atomic_load_explicit(&g.ready, memory_order_relaxed))
        goto out;
    g.nfkc_cf = unorm2_getNFKCCasefoldInstance(&st);
    if (U_FAILURE(st)) {
        lw_diag_set(diag, "normaliser: cannot load ICU NFKC_Casefold data: %s", u_errorName(st));
        rc = LW_EBACKEND;
        goto out;
    }
    if (!g.spoof) {
        g.spoof = uspoof_open(&st);
        if (U_FAILURE(st)) {
            g.spoof = NULL;
            lw_diag_set(diag, "normaliser: cannot open the ICU spoof checker: %s", u_errorName(st));
            rc = LW_EBACKEND;
            goto out;
        }
    }
    atomic_store_explicit(&g.ready, true, memory_order_release);
out:
    pthread_mutex_unlock(&g.lock);
    return rc;
}

void lw_norm_global_free(void)
{
    pthread_mutex_lock(&g.lock);
    atomic_store_explicit(&g.ready, false, memory_order_release);
    if (g.spoof)
        uspoof_close(g.spoof);
    g.spoof = NULL;
    pthread_mutex_unlock(&g.lock);
}

/* ---- per-code-point folding --------------------------------------------- */

static bool is_ignorable(uint32_t cp)
{
    if (cp < 0x10000)
        return cp_entry(cp) & F_IGNORABLE;
    return u_hasBinaryProperty((UChar32)cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

static bool has_boundary_before(uint32_t cp)
{
    if (cp < 0x10000)
        return cp_entry(cp) & F_BOUNDARY;
    return unorm2_hasBoundaryBefore(g.nfkc_cf, (UChar32)cp);
}

static bool is_space(uint32_t cp)
{
    if (cp < 0x10000)
        return cp_entry(cp) & F_SPACE;
    return u_isUWhiteSpace((UChar32)cp);
}

static char confusable(uint32_t cp)
{
    unsigned v;

    if (cp >= 0x10000)
        return 0;
    v = cp_entry(cp);
    return v & F_CONFUSABLE ? (char)(v >> 8) : 0;
}

char lw_norm_confusable(uint32_t cp)
{
    return confusable(cp);
}

/* Typographic punctuation to ASCII (after NFKC, which has already folded
 * the fullwidth and compatibility forms); 0 when cp is not one. */
static char punct_ascii(uint32_t cp)
{
    switch (cp) {
    case 0x2018: /* ‘ */
    case 0x2019: /* ’ */
    case 0x201A: /* ‚ */
    case 0x201B: /* ‛ */
    case 0x2032: /* ′ */
    case 0x2035: /* ‵ */
    case 0x02BC: /* ʼ modifier letter apostrophe */
        return '\'';
    case 0x201C: /* “ */
    case 0x201D: /* ” */
    case 0x201E: /* „ */
    case 0x201F: /* ‟ */
    case 0x2033: /* ″ */
    case 0x2036: /* ‶ */
        return '"';
    case 0x2010: /* hyphen */
    case 0x2011: /* non-breaking hyphen */
    case 0x2012: /* figure dash */
    case 0x2013: /* – */
    case 0x2014: /* — */
    case 0x2015: /* horizontal bar */
    case 0x2043: /* hyphen bullet */
    case 0x2212: /* minus sign */
    case 0x2E3A: /* two-em dash */
    case 0x2E3B: /* three-em dash */
    case 0xFE58: /* small em dash */
        return '-';
    default:
        return 0;
    }
}

/* ---- output ------------------------------------------------------------- */

/* Double cap until it holds need; false if that would overflow. */
static bool grow_cap(size_t *cap, size_t need)
{
    size_t c = *cap ? *cap : 256;

    while (c < need) {
        if (c > SIZE_MAX / 2 / sizeof(uint32_t))
            return false;
        c *= 2;
    }
    *cap = c;
    return true;
}

int lw_norm_reserve(struct lw_normtext *nt, size_t need, bool maps)
{
    size_t ncap = nt->cap;
    char *s;
    uint32_t *a;

    if (need > nt->cap) {
        if (!grow_cap(&ncap, need))
            return LW_ENOMEM;
        s = realloc(nt->s, ncap);
        if (!s)
            return LW_ENOMEM;
        nt->s = s;
        nt->cap = ncap;
    }
    if (!maps || need <= nt->map_cap)
        return LW_OK;
    ncap = nt->map_cap;
    if (!grow_cap(&ncap, need))
        return LW_ENOMEM;
    /* Each array is swapped in as soon as it is resized, so a failure
     * part-way leaves every pointer valid; map_cap is set once both are. */
    a = realloc(nt->start, ncap * sizeof(uint32_t));
    if (!a)
        return LW_ENOMEM;
    nt->start = a;
    a = realloc(nt->end, ncap * sizeof(uint32_t));
    if (!a)
        return LW_ENOMEM;
    nt->end = a;
    nt->map_cap = ncap;
    return LW_OK;
}

/* Write the pending white-space run as output byte o, before the next
 * visible byte, and return the next output position. Leading white space
 * is dropped (nothing precedes it). Capacity for one byte is the caller's. */
static inline size_t put_ws(struct lw_normrun *r, size_t o, bool maps)
{
    struct lw_normtext *nt = r->nt;

    r->ws_pending = false;
    if (o == 0)
        return o;
    nt->s[o] = r->ws_nl ? '\n' : ' ';
    if (maps) {
        nt->start[o] = r->ws_s;
        nt->end[o] = r->ws_e;
    }
    return o + 1;
}

static inline void flush_ws(struct lw_normrun *r)
{
    if (r->ws_pending)
        r->nt->len = put_ws(r, r->nt->len, r->maps);
}

void lw_norm_add_ws(struct lw_normrun *r, uint32_t s, uint32_t e, bool nl)
{
    if (!r->ws_pending) {
        r->ws_pending = true;
        r->ws_nl = false;
        r->ws_s = s;
    }
    r->ws_e = e;
    r->ws_nl |= nl;
}

/* Class of an ASCII byte: 0 visible, 1 space, 2 line break. */
static const unsigned char ascii_ws[128] = {
    ['\t'] = 1, [' '] = 1, ['\n'] = 2, ['\v'] = 2, ['\f'] = 2, ['\r'] = 2,
};

/* Emit one folded code point with its original range [s, e). */
static int post_cp(struct lw_normrun *r, uint32_t cp, uint32_t s, uint32_t e)
{
    struct lw_normtext *nt = r->nt;
    unsigned char u[4];
    size_t k;
    int rc;

    if (cp >= 0x80) {
        char a = confusable(cp);
        if (!a)
            a = punct_ascii(cp);
        if (a) {
            cp = (unsigned char)a;
        } else if (cp == 0x85 || cp == 0x2028 || cp == 0x2029) {
            lw_norm_add_ws(r, s, e, !r->html);
            return LW_OK;
        } else if (is_space(cp)) {
            lw_norm_add_ws(r, s, e, false);
            return LW_OK;
        }
    }
    if (cp < 0x80) {
        unsigned cls = ascii_ws[cp];
        if (cls) {
            lw_norm_add_ws(r, s, e, cls == 2 && !r->html);
            return LW_OK;
        }
        u[0] = (unsigned char)(cp - 'A' < 26 ? cp + 32 : cp);
        k = 1;
    } else if (cp < 0x800) {
        u[0] = (unsigned char)(0xC0 | (cp >> 6));
        u[1] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        u[0] = (unsigned char)(0xE0 | (cp >> 12));
        u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        u[0] = (unsigned char)(0xF0 | (cp >> 18));
        u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (unsigned char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    rc = lw_norm_reserve(nt, nt->len + k + 2, r->maps);
    if (rc < 0)
        return rc;
    flush_ws(r);
    for (size_t j = 0; j < k; j++) {
        nt->s[nt->len] = (char)u[j];
        if (r->maps) {
            nt->start[nt->len] = s;
            nt->end[nt->len] = e;
        }
        nt->len++;
    }
    return LW_OK;
}

/* ---- normalisation segments --------------------------------------------- */

/* NFKC_Casefold the gathered segment and pass its code points on. */
int lw_norm_flush_seg(struct lw_normrun *r)
{
    UChar out[LW_NORM_SEG_UNITS * 20];
    UErrorCode st = U_ZERO_ERROR;
    int32_t olen, i = 0;
    uint32_t s, e;
    int rc = LW_OK;

    if (r->seg_ncp == 0)
        return LW_OK;
    /* A segment of one code point that NFKC_Casefold leaves alone needs no
     * ICU call: an ASCII byte before a non-ASCII one (post_cp lower-cases
     * it), an entity such as &lt;, and most letters of most scripts. */
    if (r->seg_len == 1 && (r->seg[0] < 0x80 || (cp_entry(r->seg[0]) & F_STABLE))) {
        rc = post_cp(r, r->seg[0], r->seg_s[0], r->seg_e[0]);
        goto out;
    }
    olen = unorm2_normalize(g.nfkc_cf, r->seg, r->seg_len, out, (int32_t)LW_ARRAY_LEN(out), &st);
    if (st == U_BUFFER_OVERFLOW_ERROR) {
        /* Cannot happen with NFKC_Casefold's longest mapping (18 units);
         * if a future ICU grows one, keep the segment unchanged. */
        st = U_ZERO_ERROR;
        olen = r->seg_len;
        memcpy(out, r->seg, (size_t)olen * sizeof(UChar));
    }
    if (U_FAILURE(st)) {
        rc = LW_EBACKEND;
        goto out;
    }
    if (olen == r->seg_len && memcmp(out, r->seg, (size_t)olen * sizeof(UChar)) == 0) {
        /* Unchanged: each code point keeps its own original range. */
        for (int n = 0; i < olen; n++) {
            UChar32 cp;
            U16_NEXT(out, i, olen, cp);
            rc = post_cp(r, (uint32_t)cp, r->seg_s[n], r->seg_e[n]);
            if (rc < 0)
                goto out;
        }
        goto out;
    }
    s = r->seg_s[0];
    e = r->seg_e[r->seg_ncp - 1];
    while (i < olen) {
        UChar32 cp;
        U16_NEXT(out, i, olen, cp);
        rc = post_cp(r, (uint32_t)cp, s, e);
        if (rc < 0)
            goto out;
    }
out:
    r->seg_ncp = 0;
    r->seg_len = 0;
    return rc;
}

/* One decoded code point from original bytes [s, e) enters the pipeline. */
int lw_norm_feed(struct lw_normrun *r, uint32_t cp, uint32_t s, uint32_t e)
{
    int rc;

    if (cp >= 0x80 && is_ignorable(cp))
        return LW_OK;
    if (r->seg_ncp > 0 &&
        (cp < 0x80 || r->seg_len + 2 > LW_NORM_SEG_UNITS || has_boundary_before(cp))) {
        rc = lw_norm_flush_seg(r);
        if (rc < 0)
            return rc;
    }
    if (cp < 0x10000) {
        r->seg[r->seg_len++] = (UChar)cp;
    } else {
        r->seg[r->seg_len++] = U16_LEAD(cp);
        r->seg[r->seg_len++] = U16_TRAIL(cp);
    }
    r->seg_s[r->seg_ncp] = s;
    r->seg_e[r->seg_ncp] = e;
    r->seg_ncp++;
    return LW_OK;
}

/* ---- decoding ----------------------------------------------------------- */

size_t lw_norm_utf8(const unsigned char *p, size_t n, uint32_t *cp)
{
    unsigned c = p[0];
    size_t need, k;
    uint32_t v;
    unsigned lo = 0x80, hi = 0xBF;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        *cp = LW_NORM_BAD;
        return 1;
    }
    /* The first trail byte has the narrowed range; stop at the first bad
     * one, consuming the maximal well-formed prefix (Unicode §3.9). */
    for (k = 1; k <= need; k++) {
        unsigned t;
        if (k >= n) {
            *cp = LW_NORM_BAD;
            return k;
        }
        t = p[k];
        if (t < lo || t > hi) {
            *cp = LW_NORM_BAD;
            return k;
        }
        lo = 0x80;
        hi = 0xBF;
        v = (v << 6) | (t & 0x3F);
    }
    *cp = v;
    return need + 1;
}

/* ---- the pass ----------------------------------------------------------- */

/* Bytes the ASCII fast path must not take: non-ASCII, and in HTML the two
 * bytes that start markup. */
static inline bool fast_stop(unsigned c, bool html)
{
    return c >= 0x80 || (html && (c == '<' || c == '&'));
}

/* Eight bytes at a time in a 64-bit word (SWAR). */
#define ONES  0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Whether the 8 bytes in x (loaded from p, with p[8] readable) come out of
 * the fast path as they are, upper case lowered, each mapped to itself:
 * ASCII, no control byte, tab or line break, spaces only single (a space
 * next to other white space is collapsed with it): a first byte that is a
 * space only where lead_ok says no white space is pending before it and the
 * text so far is not empty, a last one only before a byte that is no white
 * space. In HTML no '<' or '&'. The byte masks may flag a byte next to a
 * flagged one too; that only sends the block down the byte-at-a-time path. */
static inline bool plain8(uint64_t x, const unsigned char *p, bool html, bool lead_ok)
{
    uint64_t sp = x ^ (ONES * ' '), ctl;

    if (x & HIGHS)
        return false;
    ctl = (x - ONES * 0x20) & ~x & HIGHS; /* under 0x20 */
    sp = (sp - ONES) & ~sp & HIGHS;       /* spaces */
    if (ctl || (sp & (sp << 8)) || (p[0] == ' ' && !lead_ok) || (p[7] == ' ' && ascii_ws[p[8]]))
        return false;
    if (html) {
        uint64_t lt = x ^ (ONES * '<'), amp = x ^ (ONES * '&');
        if (((lt - ONES) & ~lt & HIGHS) || ((amp - ONES) & ~amp & HIGHS))
            return false;
    }
    return true;
}

/* x (ASCII bytes) with 'A'-'Z' lowered: a byte's high bit after adding
 * 0x80 - 'A' says it is at least 'A', after adding 0x80 - 'Z' - 1 that it
 * is past 'Z'. No sum carries into the next byte. */
static inline uint64_t lower8(uint64_t x)
{
    uint64_t upper = ((x + ONES * (0x80 - 'A')) ^ (x + ONES * (0x80 - 'Z' - 1))) & HIGHS;

    return x | upper >> 2;
}

#if defined(__SSE2__)
/* Whether v holds a byte that starts HTML markup. */
static inline bool markup16(__m128i v)
{
    return _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')),
                                          _mm_cmpeq_epi8(v, _mm_set1_epi8('&')))) != 0;
}

/* plain8 for the 16 bytes in v (loaded from p, with p[16] readable). */
static inline bool plain16(__m128i v, const unsigned char *p, bool html, bool lead_ok)
{
    unsigned ctl, sp;

    if (_mm_movemask_epi8(v)) /* non-ASCII */
        return false;
    ctl = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
    sp = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
    if (ctl || (sp & (sp >> 1)) || ((sp & 1) && !lead_ok) || ((sp & 0x8000) && ascii_ws[p[16]]))
        return false;
    return !(html && markup16(v));
}

/* v (ASCII bytes) with 'A'-'Z' lowered: v + (0x80 - 'A'), as a signed
 * byte, is below -128 + 26 just for them. */
static inline __m128i lower16(__m128i v)
{
    __m128i up = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - 'A'))),
                                _mm_set1_epi8((char)(0x80 + 26)));

    return _mm_or_si128(v, _mm_and_si128(up, _mm_set1_epi8(0x20)));
}

/* Mask of the bytes of v that are in [lo, hi] (ASCII v, lo > 0). */
static inline unsigned in16(__m128i v, char lo, char hi)
{
    return (unsigned)_mm_movemask_epi8(
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8((char)(lo - 1))),
                      _mm_cmplt_epi8(v, _mm_set1_epi8((char)(hi + 1)))));
}
#endif

/* Maps for n output bytes copied from input bytes i, i + 1, ...: each to
 * itself. */
static inline void map_each(uint32_t *start, uint32_t *end, size_t i, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        start[k] = (uint32_t)(i + k);
        end[k] = (uint32_t)(i + k + 1);
    }
}

#if defined(__SSE2__)
/* Sixteen ASCII bytes v, input bytes i..i+15, with white space in them
 * that plain16 refuses (a line break, a tab, a double space, a space at an
 * edge): the runs between white space are copied, lowered, at once, and
 * each white space run joins the pending one, as the byte-at-a-time path
 * in ascii_run does byte by byte. The output has room for 16 bytes at o:
 * lw_norm reserves one byte an input byte, and 16 more for the copies of
 * low + b here, which write past the run they copy. Returns the next
 * output position. */
static inline size_t mixed16(struct lw_normrun *r, __m128i v, size_t i, size_t o, bool maps)
{
    struct lw_normtext *nt = r->nt;
    _Alignas(16) char low[32];
    unsigned ws =
        in16(v, '\t', '\r') | (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
    unsigned nl = r->html ? 0 : in16(v, '\n', '\r');
    unsigned b = 0, n;

    /* low[16..31] are written so that a 16-byte copy from low + b reads
     * only written bytes; what it puts past the run is overwritten later. */
    _mm_store_si128((__m128i *)(void *)low, lower16(v));
    _mm_store_si128((__m128i *)(void *)(low + 16), _mm_setzero_si128());
    while (b < 16) {
        if (!(ws >> b & 1)) { /* visible bytes up to the next white space */
            n = ws >> b ? (unsigned)__builtin_ctz(ws >> b) : 16 - b;
            if (r->ws_pending)
                o = put_ws(r, o, maps);
            memcpy(nt->s + o, low + b, 16);
            if (maps)
                map_each(nt->start + o, nt->end + o, i + b, n);
            o += n;
        } else {                                   /* white space up to the next visible byte */
            n = (unsigned)__builtin_ctz(~ws >> b); /* ~ws has bit 16 set */
            if (!r->ws_pending) {
                r->ws_pending = true;
                r->ws_nl = false;
                r->ws_s = (uint32_t)(i + b);
            }
            r->ws_e = (uint32_t)(i + b + n);
            r->ws_nl |= (nl >> b & ((1u << n) - 1)) != 0;
        }
        b += n;
    }
    return o;
}
#endif

/* The ASCII fast path from p[i], whose byte and the next are ASCII (and
 * not markup in HTML); returns where it stopped. A byte is taken only when
 * the next one is ASCII too: a combining mark may follow and compose with
 * it, so the last ASCII byte before a non-ASCII one goes through the
 * segment path. ASCII goes sixteen bytes at a time (plain16, else
 * mixed16), then eight (plain8), then one. Called with the
 * maps flag constant, so each caller's copy carries only the stores it
 * needs. */
static inline size_t ascii_run(struct lw_normrun *r, size_t i, const bool maps)
{
    const unsigned char *p = r->src;
    struct lw_normtext *nt = r->nt;
    char *os = nt->s;
    uint32_t *ost = nt->start, *oen = nt->end;
    size_t o = nt->len, len = r->n;
    bool html = r->html;
    unsigned c, cls;

    for (;;) {
        uint64_t x;

#if defined(__SSE2__)
        /* Sixteen bytes at a time where they are plain (plain16). */
        while (i + 16 < len && !fast_stop(p[i + 16], html)) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));

            if (plain16(v, p + i, html, !r->ws_pending && o > 0)) {
                if (r->ws_pending)
                    o = put_ws(r, o, maps);
                _mm_storeu_si128((__m128i *)(void *)(os + o), lower16(v));
                if (maps)
                    map_each(ost + o, oen + o, i, 16);
                o += 16;
            } else if (!_mm_movemask_epi8(v) && !(html && markup16(v))) {
                o = mixed16(r, v, i, o, maps);
            } else {
                break;
            }
            i += 16;
        }
#endif
        /* The byte after a block must be one the fast path takes too. */
        while (i + 8 < len && !fast_stop(p[i + 8], html)) {
            memcpy(&x, p + i, 8);
            if (!plain8(x, p + i, html, !r->ws_pending && o > 0))
                break;
            if (r->ws_pending)
                o = put_ws(r, o, maps);
            x = lower8(x);
            memcpy(os + o, &x, 8);
            if (maps)
                map_each(ost + o, oen + o, i, 8);
            o += 8;
            i += 8;
        }
        c = p[i];
        if (fast_stop(c, html) || (i + 1 < len && fast_stop(p[i + 1], html)))
            break;
        cls = ascii_ws[c];
        if (cls == 0) {
            if (r->ws_pending)
                o = put_ws(r, o, maps);
            os[o] = (char)(c - 'A' < 26 ? c + 32 : c);
            if (maps) {
                ost[o] = (uint32_t)i;
                oen[o] = (uint32_t)i + 1;
            }
            o++;
        } else {
            if (!r->ws_pending) {
                r->ws_pending = true;
                r->ws_nl = false;
                r->ws_s = (uint32_t)i;
            }
            r->ws_e = (uint32_t)i + 1;
            r->ws_nl |= cls == 2 && !html;
        }
        i++;
        if (i == len)
            break;
    }
    nt->len = o;
    return i;
}

int lw_norm(const char *src, size_t len, unsigned flags, struct lw_normtext *nt,
            struct lw_diag *diag)
{
    const unsigned char *p = (const unsigned char *)src;
    struct lw_normrun r;
    bool html = (flags & LW_NORM_HTML) != 0;
    size_t i = 0;
    int rc;

    nt->len = 0;
    nt->defects = 0;
    nt->src = src;
    nt->src_len = len;
    nt->flags = flags;
    nt->mapped = !(flags & LW_NORM_LAZY_MAPS);
    if (len > UINT32_MAX) {
        lw_diag_set(diag, "normaliser: input of %zu bytes is over the 4 GiB limit", len);
        rc = LW_ELIMIT;
        goto out;
    }
    rc = lw_norm_global_init(diag);
    if (rc < 0)
        goto out;
    rc = lw_norm_reserve(nt, len + 1, nt->mapped);
    if (rc < 0)
        goto out;
    memset(&r, 0, sizeof(r));
    r.nt = nt;
    r.src = p;
    r.n = len;
    r.html = html;
    r.maps = nt->mapped;

    while (i < len) {
        unsigned c = p[i];

        /* ASCII fast path (see ascii_run). */
        if (!fast_stop(c, html) && (i + 1 == len || !fast_stop(p[i + 1], html))) {
            rc = lw_norm_flush_seg(&r);
            if (rc < 0)
                goto out;
            /* At most one output byte per input byte from here on, one for
             * a pending white-space run, and the NUL; and 16 bytes that
             * mixed16's whole-block copies may write past the last run. */
            rc = lw_norm_reserve(nt, nt->len + (len - i) + 2 + 16, r.maps);
            if (rc < 0)
                goto out;
            i = r.maps ? ascii_run(&r, i, true) : ascii_run(&r, i, false);
            continue;
        }
        if (html && (c == '<' || c == '&')) {
            size_t next;
            rc = c == '<' ? lw_norm_html_markup(&r, i, &next) : lw_norm_html_entity(&r, i, &next);
            if (rc < 0)
                goto out;
            i = next;
            continue;
        }
        {
            uint32_t cp;
            size_t k = lw_norm_utf8(p + i, len - i, &cp);
            if (cp == LW_NORM_BAD) {
                nt->defects |= LW_DEFECT_BAD_UTF8;
                cp = 0xFFFD;
            }
            rc = lw_norm_feed(&r, cp, (uint32_t)i, (uint32_t)(i + k));
            if (rc < 0)
                goto out;
            i += k;
        }
    }
    rc = lw_norm_flush_seg(&r);
    /* A trailing white-space run is dropped, like a leading one. */
out:
    if (rc < 0) {
        if (rc == LW_EBACKEND)
            lw_diag_set(diag, "normaliser: ICU normalisation failed");
        else if (rc == LW_ENOMEM)
            lw_diag_set(diag, "normaliser: out of memory");
        nt->len = 0;
    }
    if (nt->s)
        nt->s[nt->len] = '\0';
    return rc;
}

void lw_normtext_init(struct lw_normtext *nt)
{
    memset(nt, 0, sizeof(*nt));
}

void lw_normtext_release(struct lw_normtext *nt)
{
    if (!nt)
        return;
    free(nt->s);
    free(nt->start);
    free(nt->end);
    memset(nt, 0, sizeof(*nt));
}

int lw_normtext_span(struct lw_normtext *nt, size_t s, size_t e, size_t *os, size_t *oe)
{
    *os = *oe = 0;
    if (nt->len == 0)
        return LW_OK;
    if (!nt->mapped) {
        /* The same input gives the same text, now with its maps. The pass
         * asks for no more room than the first one had, so s is rewritten
         * in place with the same bytes and never moves: a caller may map a
         * span while it walks the text. */
        size_t len = nt->len;
        int rc = lw_norm(nt->src, nt->src_len, nt->flags & ~(unsigned)LW_NORM_LAZY_MAPS, nt, NULL);
        if (rc < 0)
            return rc;
        if (nt->len != len)
            return LW_EINVAL; /* the input changed: not allowed */
    }
    /* Out-of-contract spans are clamped rather than read out of bounds. */
    if (e > nt->len)
        e = nt->len;
    if (e == 0)
        e = 1;
    if (s >= e)
        s = e - 1;
    /* start and end are both non-decreasing, so the span's original range
     * runs from the first byte's start to the last byte's end. */
    *os = nt->start[s];
    *oe = nt->end[e - 1];
    return LW_OK;
}

int lw_norm_str(const char *src, size_t len, char **out, struct lw_diag *diag)
{
    struct lw_normtext nt;
    int rc;

    lw_normtext_init(&nt);
    rc = lw_norm(src, len, 0, &nt, diag);
    if (rc < 0)
        goto out;
    *out = nt.s;
    nt.s = NULL;
out:
    lw_normtext_release(&nt);
    return rc;
}
