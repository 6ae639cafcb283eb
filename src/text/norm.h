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
 * from original bytes [start[i], end[i]). lw_normtext_span maps a match.
 *
 * A struct lw_normtext is caller storage, reused across messages by one
 * worker (its arrays only grow). The functions are thread-safe: the ICU
 * data they use is built once by lw_norm_global_init. */
#ifndef LW_NORM_H
#define LW_NORM_H

#include "base/err.h"

enum lw_norm_flags {
    LW_NORM_HTML = 1 << 0, /* the input is HTML */
};

struct lw_normtext {
    char *s; /* normalised UTF-8, NUL-terminated */
    size_t len;
    uint32_t *start;  /* len entries: original offset of each output byte */
    uint32_t *end;    /* len entries: original end offset of each output byte */
    size_t cap;       /* private */
    unsigned defects; /* LW_DEFECT_BAD_UTF8 when invalid bytes were seen */
};

/* Build the shared tables (confusables). Call once before any thread uses
 * lw_norm; calling again is a no-op. */
LW_NODISCARD int lw_norm_global_init(struct lw_diag *diag);
void lw_norm_global_free(void);

void lw_normtext_init(struct lw_normtext *nt);
void lw_normtext_release(struct lw_normtext *nt);

/* Normalise src[0..len) into nt (replacing what it held). Inputs over 4 GiB
 * are refused with LW_ELIMIT (offsets are 32-bit). */
LW_NODISCARD int lw_norm(const char *src, size_t len, unsigned flags, struct lw_normtext *nt,
                         struct lw_diag *diag);

/* Map the normalised span [s, e) (s < e <= nt->len) to the original bytes
 * [*os, *oe). */
void lw_normtext_span(const struct lw_normtext *nt, size_t s, size_t e, size_t *os, size_t *oe);

/* Normalise a short string (a name, a pattern literal) to a malloc'd
 * NUL-terminated string, without the offset maps. */
LW_NODISCARD int lw_norm_str(const char *src, size_t len, char **out, struct lw_diag *diag);

#endif
