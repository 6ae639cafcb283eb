/* norm_int.h -- private interface between norm.c (the pipeline) and
 * norm_html.c (the HTML tokenizer). Not for use outside src/text/norm*.c.
 * A struct lw_normrun is the state of one lw_norm call, on its stack. */
#ifndef LW_NORM_INT_H
#define LW_NORM_INT_H

#include <unicode/utypes.h>

#include "text/norm.h"

/* Longest normalisation segment in UTF-16 units; a longer run of combining
 * marks (Zalgo text) is cut there, which bounds the work per code point. */
#define LW_NORM_SEG_UNITS 64
/* lw_norm_utf8's code point for an ill-formed sequence. */
#define LW_NORM_BAD UINT32_MAX

struct lw_normrun {
    struct lw_normtext *nt;
    const unsigned char *src;
    size_t n;
    bool html;
    bool maps; /* write nt->start and nt->end */
    /* Pending white-space run: original range [ws_s, ws_e). */
    bool ws_pending;
    bool ws_nl;
    uint32_t ws_s, ws_e;
    /* Current normalisation segment and each code point's original range. */
    UChar seg[LW_NORM_SEG_UNITS];
    uint32_t seg_s[LW_NORM_SEG_UNITS];
    uint32_t seg_e[LW_NORM_SEG_UNITS];
    int32_t seg_len; /* UTF-16 units */
    int seg_ncp;     /* code points */
};

/* Grow nt's text (and with maps, its maps) to hold at least need bytes. */
LW_NODISCARD int lw_norm_reserve(struct lw_normtext *nt, size_t need, bool maps);
/* Decode one UTF-8 sequence at p (n >= 1 bytes); returns its length and
 * sets *cp, or LW_NORM_BAD for an ill-formed maximal subpart. */
size_t lw_norm_utf8(const unsigned char *p, size_t n, uint32_t *cp);
/* A decoded code point from original bytes [s, e) enters the pipeline. */
LW_NODISCARD int lw_norm_feed(struct lw_normrun *r, uint32_t cp, uint32_t s, uint32_t e);
/* Finish the pending segment (before anything is emitted out of order). */
LW_NODISCARD int lw_norm_flush_seg(struct lw_normrun *r);
/* Add original bytes [s, e) to the pending white-space run. */
void lw_norm_add_ws(struct lw_normrun *r, uint32_t s, uint32_t e, bool nl);

/* HTML, at src[i] == '<' / '&': consume the markup or entity, set *next. */
LW_NODISCARD int lw_norm_html_markup(struct lw_normrun *r, size_t i, size_t *next);
LW_NODISCARD int lw_norm_html_entity(struct lw_normrun *r, size_t i, size_t *next);

#endif
