/* vet.h -- rate one profile the way NPSA's Profile Reviewer does ("Think
 * Before You Link": high, medium or low risk), from the profile's own fields
 * (research/field-notes.md §1.1, §1.6, §5.2). docs/vet.md explains every
 * check and the rating rule.
 *
 * The checks are pure computation over a struct lw_profile: no files, no
 * clock (the caller passes today's date), no printing. The reference lists
 * (known suspicious bios, known re-used/stock/GAN photo hashes) are loaded by
 * the caller into a struct lw_vet_refs; the watchlist, when given, is
 * queried read-only.
 *
 * Flags use the tactic codes of field-notes §1.6: P1 photo, P2 employer,
 * P3 seniority vs history, P4 template text, P5 government/SOE ties, A6
 * interest in people with access; and three vet-only codes for profile cues
 * no agency list names: V1 network size vs account age, V2 location
 * mismatch, V3 name anomaly.
 *
 * Rating (also in `lurewatch vet --help`): a code "counts" when the weights
 * of its flags add up to LW_VET_CODE_MIN or more.
 *   high   a strong watchlist match, or >= 3 counted P-codes including P2
 *          or P5;
 *   medium a medium watchlist match, or >= 2 counted codes (any family), or
 *          a score of LW_VET_SCORE_MEDIUM or more;
 *   low    otherwise.
 * score = the sum of flag and indicator weights, capped at 100. A watchlist
 * indicator weighs 60 (strong), 30 (medium) or 10 (weak). */
#ifndef LW_VET_H
#define LW_VET_H

#include "base/arena.h"
#include "base/err.h"
#include "ingest/profile.h"

#define LW_VET_CODE_MIN     20 /* weight at which a code counts */
#define LW_VET_SCORE_MEDIUM 60 /* score that alone makes a profile medium */

enum lw_vet_rating { LW_VET_LOW = 0, LW_VET_MEDIUM, LW_VET_HIGH };

const char *lw_vet_rating_name(enum lw_vet_rating r); /* "low", "medium", "high" */

/* Reference lists the checks compare against. Owns its strings (arena). */
struct lw_vet_refs {
    struct lw_arena *arena;
    const char **bios; /* known suspicious profile texts */
    size_t n_bios;
    const char **photo_hashes; /* lower-case hex */
    size_t n_photo_hashes;
    size_t cap_bios, cap_hashes; /* private */
};

void lw_vet_refs_init(struct lw_vet_refs *r);
void lw_vet_refs_release(struct lw_vet_refs *r);
/* Add one bio / one photo hash (copied; the hash is lower-cased). */
LW_NODISCARD int lw_vet_refs_add_bio(struct lw_vet_refs *r, const char *bio);
LW_NODISCARD int lw_vet_refs_add_hash(struct lw_vet_refs *r, const char *hex);
/* A bios file holds texts separated by blank lines; a hashes file one hex
 * hash a line, anything after the first space or tab is a comment. In both,
 * lines starting with '#' are comments. At most `max_bytes` are read. */
LW_NODISCARD int lw_vet_refs_load_bios(struct lw_vet_refs *r, const char *path, size_t max_bytes,
                                       struct lw_diag *diag);
LW_NODISCARD int lw_vet_refs_load_hashes(struct lw_vet_refs *r, const char *path, size_t max_bytes,
                                         struct lw_diag *diag);

struct lw_watchlist;

struct lw_vet_opts {
    long today; /* days since 1970-01-01 (UTC); the date the profile is judged at */
    const struct lw_vet_refs *refs;       /* may be NULL */
    const struct lw_watchlist *watchlist; /* may be NULL: no watchlist checks */
};

/* One reason for concern. Strings are owned by the result's arena. */
struct lw_vet_flag {
    const char *code;     /* "P2" */
    const char *name;     /* "generic employer" */
    const char *field;    /* the profile field: "company", "positions[0].start", ... */
    const char *evidence; /* the field quoted, with what matched */
    int weight;           /* 1..100 */
    const char *reason;   /* plain words: why this matters */
};

/* A watchlist match. */
struct lw_vet_indicator {
    const char *type;       /* "persona", "org", "url", ... (lw_entry_type_name) */
    const char *field;      /* profile field that matched: "name", "company", "url" */
    const char *value;      /* the profile's value */
    const char *matched;    /* the watchlist entry's value */
    const char *strength;   /* "weak", "medium", "strong" */
    const char *why;        /* the matcher's explanation */
    const char *source;     /* who published the entry */
    const char *source_url; /* may be NULL */
    const char *date;
    const char *note; /* the entry's note (e.g. "a very common name"), may be NULL */
    int weight;
};

struct lw_vet_result {
    struct lw_arena *arena;
    enum lw_vet_rating rating;
    int score; /* 0..100 */
    struct lw_vet_flag *flags;
    size_t n_flags;
    struct lw_vet_indicator *indicators;
    size_t n_indicators;
    const char **why; /* the rating rule that applied, in words */
    size_t n_why;
    const char **advice; /* plain sentences for the person */
    size_t n_advice;
    size_t cap_flags, cap_ind, cap_why, cap_advice; /* private */
};

/* Vet one profile. The profile, options and lists are borrowed. */
LW_NODISCARD int lw_vet_profile(const struct lw_profile *p, const struct lw_vet_opts *opts,
                                struct lw_vet_result **out, struct lw_diag *diag);
void lw_vet_result_free(struct lw_vet_result *r);

/* True when the weights of `code`'s flags reach LW_VET_CODE_MIN. */
bool lw_vet_code_counts(const struct lw_vet_result *r, const char *code);

/* ---- helpers, exposed for tests and other callers ----------------------- */

/* Parse a date as profiles write it: "2019", "2019-03", "2019-03-01",
 * "2019-03-01T..", "Mar 2019", "March 2019", "Oct 02, 2025", "12 Mar 2019",
 * "03/2019", "3/14/2019". Unknown month or day is 0. LW_EINVAL if none. */
LW_NODISCARD int lw_vet_parse_date(const char *s, int *year, int *month, int *day);
/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
long lw_vet_days_from_civil(int year, int month, int day);
/* Jaccard similarity (0..1) of the word 3-shingle sets of two texts; Han,
 * kana and Hangul characters are tokens of their own. 0 when either text
 * has fewer than 6 tokens. */
double lw_vet_jaccard(const char *a, const char *b);

#endif
