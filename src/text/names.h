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
 * loaded and safe to share between threads: ICU transliterators are not
 * thread-safe, so the few calls that need one (hanzi readings, non-Latin
 * scripts, letters that do not decompose such as đ ø ß) run under a mutex
 * inside struct lw_names; the surname table is read-only, and the rest
 * (normaliser, spoof checker, IDNA) are thread-safe ICU objects.
 * Inputs are borrowed for the call; a name longer than LW_NAMES_MAX_INPUT
 * bytes matches nothing. Details: docs/internals/names.md. */
#ifndef LW_NAMES_H
#define LW_NAMES_H

#include "base/err.h"

#define LW_NAMES_MAX_INPUT  512  /* bytes of one person or organisation name */
#define LW_NAMES_MAX_HANDLE 2048 /* bytes of one handle, domain, address or URL */
#define LW_NAMES_MAX_TOKENS 8    /* tokens of a name that are compared; more are ignored */

enum lw_name_strength {
    LW_NAME_NONE = 0,
    LW_NAME_WEAK,   /* shares a surname reading or one token only */
    LW_NAME_MEDIUM, /* same given name and a surname variant, or a close spelling */
    LW_NAME_STRONG, /* same name in another script/order/spelling with every token explained */
};

struct lw_name_match {
    enum lw_name_strength strength;
    double score;  /* 0..1 */
    char why[256]; /* e.g. "surname Chiu is a romanisation of 邱 (Qiu); given name Amanda equal" */
};

struct lw_names;

/* Load the surname table (a TSV with the columns of research/surnames.tsv;
 * NULL means LW_DEFAULT_DATA_DIR "/surnames.tsv"). A malformed row is
 * skipped and the rest loaded: the call still returns LW_OK, and diag (if
 * given) names the file and the first bad line, so check diag->msg[0].
 * LW_EIO if the file cannot be read, LW_EPARSE if no row is usable,
 * LW_ELIMIT past 4096 rows, LW_EBACKEND if ICU lacks a transform. */
LW_NODISCARD int lw_names_load(const char *surnames_tsv, struct lw_names **out,
                               struct lw_diag *diag);
void lw_names_free(struct lw_names *n);

/* lw_names_load, keeping Han readings across runs in a file in folder
 * cache_dir (NULL: none), one file per ICU version, created when first
 * saved (the folder must exist by then). Reading Chinese characters needs
 * ICU's Han-Latin transform, which takes about 0.1 s to open; a reading
 * found in the cache needs none, and the transform opens only on a miss. */
LW_NODISCARD int lw_names_load_cached(const char *surnames_tsv, const char *cache_dir,
                                      struct lw_names **out, struct lw_diag *diag);
/* Append the readings learnt since loading to the cache file. Failures are
 * ignored: a cache only saves time. */
void lw_names_cache_save(struct lw_names *n);

/* "none", "weak", "medium", "strong". */
const char *lw_name_strength_name(enum lw_name_strength s);

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
 * compares against every entry. Writes a NUL-terminated key into buf.
 *
 * The key is the space-separated, sorted set of the name's keys as
 * enumerated by lw_names_person_keys, without the joined-pair keys
 * ("h:邱 t:amanda t:qiu"), cut at a whole key when buf is too small. Two spellings of the same name
 * that differ only in order, case, diacritics or look-alike letters get the same key; "Chiu" and
 * "Qiu" do not (Chiu has five surname groups), which is why an index must use lw_names_person_keys.
 */
void lw_names_person_key(const struct lw_names *n, const char *name, char *buf, size_t size);

/* Every index key of a person name, once each, in byte order:
 *   "t:<token>"  each folded token ("t:amanda"), each hanzi name part's
 *                pinyin reading ("t:xiaoming"), and each pair of adjacent
 *                Latin tokens joined ("t:xiaoming" for "Xiao Ming");
 *   "h:<hanzi>"  each surname group a token may spell ("Wong" gives h:王
 *                h:黄 h:汪), and each hanzi surname (simplified);
 *   and, for a hanzi name of three characters or more whose first two are
 *   not a table surname, the keys of the two-character-surname reading too
 *   (欧阳明: h:欧阳 t:ouyang t:ming besides h:欧 t:ou t:yangming).
 * Guarantee: two names that lw_names_match_person rates MEDIUM or STRONG
 * share at least one key (bench/names.sh checks it), so a watchlist can
 * index each entry under all its keys and verify only the entries found
 * under the keys of the name being screened.
 * fn is called once per key; a non-zero return stops the walk and is
 * returned. LW_ELIMIT for a name over LW_NAMES_MAX_INPUT, LW_ENOMEM. */
typedef int lw_names_key_fn(void *ctx, const char *key);
LW_NODISCARD int lw_names_person_keys(const struct lw_names *n, const char *name,
                                      lw_names_key_fn *fn, void *ctx);

#endif
