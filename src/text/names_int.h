/* names_int.h -- what the files of the names module share (names.c: table
 * and keys; names_fold.c: ICU folding and tokens; names_person.c: person
 * matching; names_org.c: organisations and handles). Not a public header.
 *
 * struct lw_names owns the surname rows, two string maps (folded spelling
 * -> rows, hanzi -> row) and the ICU objects. After lw_names_load it is
 * never written, except for the transliterators, which are used only with
 * *lock held. */
#ifndef LW_NAMES_INT_H
#define LW_NAMES_INT_H

#include <pthread.h>
#include <stdint.h>

#include <unicode/uidna.h>
#include <unicode/unorm2.h>
#include <unicode/uspoof.h>
#include <unicode/utrans.h>
#include <unicode/uvernum.h>

#include "text/names.h"

#define LW_NAMES_TOKLEN   64 /* bytes of one folded token, NUL included */
#define LW_NAMES_HANLEN   64 /* bytes of the hanzi of one token (UTF-8), NUL included */
#define LW_NAMES_DISPLEN  48 /* bytes of a token as written, for explanations */
#define LW_NAMES_MAX_ROWS 4096

struct lw_names_row {
    char hans[16];    /* simplified hanzi, UTF-8 */
    char hant[16];    /* traditional, or "" when the same */
    char pinyin[32];  /* as in the table */
    char reading[32]; /* folded Han-Latin/Names reading of hans, computed at load */
};

struct lw_names_sent {
    char *key;
    uint16_t *rows; /* sorted, unique */
    uint16_t nrows;
    uint16_t caprows;
};

/* Open-addressing string -> sorted row list map. */
struct lw_names_smap {
    struct lw_names_sent *slots;
    size_t cap; /* power of two, or 0 */
    size_t used;
};

struct lw_names {
    struct lw_names_row *rows;
    size_t nrows;
    struct lw_names_smap spell; /* folded spelling (pinyin, reading, variant) -> rows */
    struct lw_names_smap hanzi; /* simplified or traditional surname -> rows */
    const UNormalizer2 *nfkc;
    const UNormalizer2 *nfkc_cf;
    const UNormalizer2 *nfd;
    USpoofChecker *spoof;
    UIDNA *idna;
    UChar ascii_skel[52][4]; /* skeletons of a-z then A-Z, to read look-alikes back */
    int32_t ascii_skel_len[52];
    struct lw_names_lazy *lazy; /* transliterators and Han readings, under its lock */
};

/* Opening ICU's Han-Latin transform costs about 0.1 s (it compiles tens of
 * thousands of rules), more than screening a mailbox; so the transliterators
 * open on first use, and the Han readings they give are remembered, and
 * kept across runs in a cache file (lw_names_cache_open/save) keyed by the
 * ICU version. Everything here is guarded by `lock`. */
#define LW_NAMES_HAN_MAX     32   /* UTF-16 units of a Han string that are read */
#define LW_NAMES_CACHE_SLOTS 8192 /* readings remembered; more are not cached */

struct lw_names_reading {
    UChar in[LW_NAMES_HAN_MAX];
    int32_t in_len; /* 0: empty slot */
    char hans[LW_NAMES_HAN_MAX * 3 + 1];
    char reading[LW_NAMES_HAN_MAX * 10];
    bool saved; /* already in the cache file */
};

struct lw_names_lazy {
    pthread_mutex_t lock;
    UTransliterator *han_latin; /* "Han-Latin/Names; Latin-ASCII" */
    UTransliterator *any_ascii; /* "Any-Latin; Latin-ASCII" */
    UTransliterator *simplify;  /* "Traditional-Simplified" */
    /* Readings, in the order they were learnt, and an open-addressing index
     * of LW_NAMES_CACHE_SLOTS slots into them (0: empty, else the reading's
     * place + 1). The readings are about half a kilobyte each: a table of
     * them all would be 4 MiB that loading a cache file of a few hundred
     * touches in as many places. */
    struct lw_names_reading *readings;
    uint16_t *slots;
    size_t used, cap;
    size_t unsaved;   /* readings not in the cache file yet */
    char *cache_path; /* NULL: readings are not kept across runs */
};

/* A combining mark (non-spacing, enclosing or spacing): part of the
 * letter before it, so part of a word, and dropped when folding to ASCII. */
bool lw_names_is_mark(UChar32 c);
/* ASCII for a lower-case Latin letter that has no decomposition (đ ø ł æ
 * þ) or a modifier apostrophe (ʻ), as ICU's Latin-ASCII writes it; NULL
 * for any other character. */
const char *lw_names_latin_ascii(UChar32 c);

/* Read the cache file of folder `dir` (see lw_names_load_cached). */
LW_NODISCARD int lw_names_cache_open(struct lw_names *n, const char *dir);

/* The transliterator, opened on first use; call with lazy->lock held.
 * NULL when ICU cannot open it. */
UTransliterator *lw_names_trans(struct lw_names_lazy *z, UTransliterator **slot, const char *id);

/* Folding flags. */
enum lw_names_fold_flags {
    LW_NAMES_LOOKALIKE = 1 << 0, /* a letter from another script was read as its Latin look-alike */
    LW_NAMES_TRANSLIT = 1 << 1,  /* a non-Latin script was transliterated */
};

/* Rows a folded spelling may spell (NULL, 0 when none). The pointer is a
 * view into n, valid until lw_names_free. */
const uint16_t *lw_names_spelling_rows(const struct lw_names *n, const char *folded, size_t *nrows);
/* Rows of a surname written in hanzi (simplified or traditional). */
const uint16_t *lw_names_hanzi_rows(const struct lw_names *n, const char *hanzi, size_t *nrows);

/* UTF-8 -> UTF-16 with U+FFFD for invalid bytes. LW_ELIMIT when cap is too
 * small. */
int lw_names_u16(const char *s, size_t len, UChar *out, int32_t cap, int32_t *outlen);
/* NFKC of s into out. LW_ELIMIT when cap is too small. */
int lw_names_nfkc(const struct lw_names *n, const UChar *s, int32_t len, UChar *out, int32_t cap,
                  int32_t *outlen);

/* Fold one non-Han token (UTF-16) to lower-case ASCII letters and digits:
 * look-alike letters of another script inside a Latin word become the Latin
 * letter (Cyrillic а -> a), NFKC case fold, diacritics removed, other
 * scripts transliterated (Any-Latin; Latin-ASCII), everything that is not
 * [a-z0-9] dropped ("Ch'iu" -> "chiu"). *flags gets LW_NAMES_* bits.
 * The result is cut to cap-1 bytes. */
void lw_names_fold(const struct lw_names *n, const UChar *s, int32_t len, char *out, size_t cap,
                   unsigned *flags);
/* Same for a UTF-8 string (used when loading the table). */
void lw_names_fold_utf8(const struct lw_names *n, const char *s, char *out, size_t cap);

/* A run of hanzi: its simplified form (UTF-8) and its Han-Latin/Names
 * reading as space-separated ASCII syllables ("qiu xiao ming"). */
int lw_names_han(const struct lw_names *n, const UChar *s, int32_t len, char *hans, size_t hans_cap,
                 char *reading, size_t reading_cap);

/* Is c a character of a hanzi run? */
bool lw_names_is_han(uint32_t c);

/* The confusable skeleton of s, iterated with a case fold until it is
 * stable ("g00gle" and "google" -> "google"). LW_ELIMIT when out is too
 * small. */
int lw_names_skeleton(const struct lw_names *n, const char *s, char *out, size_t cap);

/* Optimal string alignment distance (Damerau-Levenshtein without
 * substring moves) of two byte strings of at most 63 bytes; larger inputs
 * return a large number. */
unsigned lw_names_osa(const char *a, const char *b);

/* The edit budget for two tokens: 0 when the shorter has fewer than 6
 * characters, 1 for 6 to 8, 2 above 8. */
unsigned lw_names_budget(size_t la, size_t lb);

/* Append to an explanation (printf-style), cut on a UTF-8 boundary. */
void lw_names_why(char *why, size_t cap, const char *fmt, ...) LW_PRINTF(3, 4);

/* Copy the first bytes of s into out (size cap), cut on a UTF-8 boundary. */
void lw_names_copy(char *out, size_t cap, const char *s, size_t len);

/* Set a match result. */
void lw_names_result(struct lw_name_match *out, enum lw_name_strength st, double frac);

#endif
