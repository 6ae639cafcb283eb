/* names.h -- matching names of people and organisations across scripts,
 * romanisations and look-alike spellings, with an explanation and a
 * strength (research/field-notes.md §4).
 *
 * A person name becomes a set of keys: each Latin token is folded
 * (diacritics, case, confusables) and a token that is a known romanisation
 * of one or more Chinese surnames (data/surnames.tsv) maps to every surname
 * it may spell (Wong -> 王 黄 汪); hanzi names are read with ICU's
 * Han-Latin/Names transform. Either name order is accepted. Organisation
 * names drop legal forms (Co., Ltd, LLC, GmbH, 有限公司, ...). Edit distance
 * is used only on long tokens. A surname alone is never a strong match.
 *
 * struct lw_names (the surname table and ICU transforms) is immutable once
 * loaded and safe to share between threads. */
#ifndef LW_NAMES_H
#define LW_NAMES_H

#include "base/err.h"

enum lw_name_strength {
    LW_NAME_NONE = 0,
    LW_NAME_WEAK,   /* shares a surname reading or one token only */
    LW_NAME_MEDIUM, /* same given name and a surname variant, or a close spelling */
    LW_NAME_STRONG, /* same name in another script/order/spelling with every token explained */
};

struct lw_name_match {
    enum lw_name_strength strength;
    double score;     /* 0..1 */
    char why[256];    /* e.g. "surname Chiu is a romanisation of 邱 (Qiu); given name Amanda equal" */
};

struct lw_names;

/* Load the surname table (a TSV with the columns of research/surnames.tsv). */
LW_NODISCARD int lw_names_load(const char *surnames_tsv, struct lw_names **out, struct lw_diag *diag);
void lw_names_free(struct lw_names *n);

/* Compare two person names ("Amanda Qiu", "Chiu Amanda", "邱 Amanda"). */
void lw_names_match_person(const struct lw_names *n, const char *a, const char *b,
                           struct lw_name_match *out);
/* Compare two organisation names ("BR-YR Executive Search Ltd", "BP-YR Executive Search"). */
void lw_names_match_org(const struct lw_names *n, const char *a, const char *b,
                        struct lw_name_match *out);
/* Compare two domains, handles or addresses by confusable skeleton
 * ("br-yr.com" against "br-yr.co", Cyrillic а against a, rn against m). */
void lw_names_match_handle(const struct lw_names *n, const char *a, const char *b,
                           struct lw_name_match *out);

/* The lookup key of a person name: sorted, folded surname-group tokens and
 * given-name tokens, used to index a watchlist so that a lookup never
 * compares against every entry. Writes a NUL-terminated key into buf. */
void lw_names_person_key(const struct lw_names *n, const char *name, char *buf, size_t size);

#endif
