/* norm.h -- the text normaliser: what the rules and the watchlist match on.
 *
 * One pass over the original UTF-8 produces the normalised text, in order:
 *   1. invalid UTF-8 becomes U+FFFD;
 *   2. HTML (LW_NORM_HTML): tags dropped, <script>/<style> skipped, entities
 *      decoded, block tags and <br> become a line break;
 *   3. invisible characters removed (default-ignorables such as U+200B,
 *      U+200D, U+00AD, U+FEFF, bidi controls, variation selectors);
 *   4. NFKC case fold (ICU NFKC_Casefold): fullwidth and styled letters to
 *      plain ones, upper to lower case, compatibility forms decomposed;
 *   5. confusables folded: a letter from another script that ICU's spoof
 *      checker says looks like one ASCII letter becomes that letter
 *      (Cyrillic а -> a); ASCII itself is never changed (so "rn" stays "rn");
 *   6. typographic punctuation to ASCII (’ ‘ -> ', “ ” -> ", dashes -> -,
 *      ideographic and no-break spaces -> space), runs of white space
 *      collapsed to one space, or to one '\n' when the run holds a line break.
 * CJK text is kept as characters (no word splitting is needed to match it).
 *
 * Every byte of the output maps back to the original: byte i of `s` came
 * from original bytes [start[i], end[i]). lw_normtext_span maps a match;
 * with LW_NORM_LAZY_MAPS the maps are made only when a match is mapped.
 *
 * A struct lw_normtext is caller storage, reused across messages by one
 * worker (its arrays only grow). The functions are thread-safe: the ICU
 * objects they use are opened once by lw_norm_global_init, and what they
 * learn of each code point is kept in a table shared by all threads. */
#ifndef LW_NORM_H
#define LW_NORM_H

#include "base/err.h"

enum lw_norm_flags {
    LW_NORM_HTML = 1 << 0, /* the input is HTML */
    /* The offset maps are built by the first lw_normtext_span that needs
     * them, by normalising the input again: most text has no match to
     * quote, and writing the maps is most of the normaliser's work. The
     * input must stay valid and unchanged until the next lw_norm. */
    LW_NORM_LAZY_MAPS = 1 << 1,
};

struct lw_normtext {
    char *s; /* normalised UTF-8, NUL-terminated */
    size_t len;
    uint32_t *start;  /* len entries: original offset of each output byte */
    uint32_t *end;    /* len entries: original end offset of each output byte */
    unsigned defects; /* LW_DEFECT_BAD_UTF8 when invalid bytes were seen */
    /* private */
    size_t cap, map_cap;
    const char *src; /* the input, kept for lazy maps */
    size_t src_len;
    unsigned flags;
    bool mapped; /* start and end hold the maps of s */
};

/* Open the shared ICU objects (NFKC_Casefold, the spoof checker). Call
 * once before any thread uses lw_norm; calling again is a no-op. */
LW_NODISCARD int lw_norm_global_init(struct lw_diag *diag);
void lw_norm_global_free(void);

void lw_normtext_init(struct lw_normtext *nt);
void lw_normtext_release(struct lw_normtext *nt);

/* Normalise src[0..len) into nt (replacing what it held). Inputs over 4 GiB
 * are refused with LW_ELIMIT (offsets are 32-bit). */
LW_NODISCARD int lw_norm(const char *src, size_t len, unsigned flags, struct lw_normtext *nt,
                         struct lw_diag *diag);

/* Map the normalised span [s, e) (s < e <= nt->len) to the original bytes
 * [*os, *oe), building the maps first after an LW_NORM_LAZY_MAPS pass
 * (LW_ENOMEM then possible; *os = *oe = 0 on failure). s keeps its place
 * and its bytes, so pointers into it stay good. */
LW_NODISCARD int lw_normtext_span(struct lw_normtext *nt, size_t s, size_t e, size_t *os,
                                  size_t *oe);

/* The lower-case ASCII letter the normaliser writes for cp as a look-alike
 * (Cyrillic а -> 'a'; step 5 above), or 0 when cp is kept. Needs
 * lw_norm_global_init. */
char lw_norm_confusable(uint32_t cp);

/* Normalise a short string (a name, a pattern literal) to a malloc'd
 * NUL-terminated string, without the offset maps. */
LW_NODISCARD int lw_norm_str(const char *src, size_t len, char **out, struct lw_diag *diag);

#endif
