/* watchlist.h -- personas, front companies and their indicators, from
 * published alerts and shared feeds, and matching messages against them.
 *
 * Entries live in the store (src/store/) and load from files (CSV, STIX 2.1,
 * MISP: src/share/). For screening, the entries are compiled into a struct
 * lw_watchlist: immutable, shared read-only by every worker thread, with
 * hash indexes so a lookup costs about the same with 10 or 100,000 entries
 * (docs/internals/watchlist.md). */
#ifndef LW_WATCHLIST_H
#define LW_WATCHLIST_H

#include "base/arena.h"
#include "base/err.h"
#include "ingest/msg.h"
#include "text/names.h"

enum lw_entry_type {
    LW_ENTRY_PERSONA = 1, /* a false persona: name, aliases, optional hanzi */
    LW_ENTRY_ORG,         /* a front company, and its aliases */
    LW_ENTRY_DOMAIN,
    LW_ENTRY_EMAIL,
    LW_ENTRY_URL, /* a URL or a profile URL */
    LW_ENTRY_PHONE,
    LW_ENTRY_HANDLE,      /* messaging handle: WeChat, Telegram, WhatsApp, ... */
    LW_ENTRY_TEMPLATE,    /* message template text */
    LW_ENTRY_IMPERSONATED /* a real person or organisation whose name was impersonated */
};

/* One watchlist entry. Strings are owned by whoever made the entry
 * (the store, an importer); the watchlist copies what it keeps. */
struct lw_entry {
    long long id; /* store row id; 0 before it is stored */
    enum lw_entry_type type;
    const char *value;    /* the name, domain, address, URL, number, handle or text */
    const char **aliases; /* other spellings, n_aliases of them */
    size_t n_aliases;
    const char *hanzi;      /* persona: known Chinese characters, may be NULL */
    const char *platform;   /* handle: wechat, telegram, whatsapp, signal, linkedin, ... */
    const char *source;     /* who published it (required) */
    const char *source_url; /* may be NULL */
    const char *date;       /* when it was published, ISO 8601 (required) */
    int confidence;         /* 0..100 */
    const char *note;
    const char *expires; /* ISO 8601 date or NULL */
    /* Added after the first version of this header (zero-initialised
     * callers are unaffected): */
    const char *created;  /* when the store first saw it, "YYYY-MM-DDTHH:MM:SSZ"; NULL before */
    const char **related; /* values of other entries this one is tied to, e.g. the front a
                           * persona claims to work for, the persona an address belongs to;
                           * exported as STIX relationships / MISP object references */
    size_t n_related;
};

/* "persona", "org", "domain", "email", "url", "phone", "handle", "template",
 * "impersonated"; "unknown" for anything else. */
const char *lw_entry_type_name(enum lw_entry_type t);
/* Accepts the names above (case-insensitive), plus "organisation" and
 * "organization" for org. LW_EINVAL for anything else. */
LW_NODISCARD int lw_entry_type_parse(const char *s, enum lw_entry_type *out);

/* Caps on one entry's strings (checked by lw_entry_check). */
enum {
    LW_ENTRY_MAX_FIELD = 4096,     /* bytes of any one string but a template */
    LW_ENTRY_MAX_TEMPLATE = 65536, /* bytes of a template's text */
    LW_ENTRY_MAX_ALIASES = 256,    /* aliases, and separately related values */
};

/* Check one entry before it is stored or exported: a known type; a
 * non-empty value that fits its type (an e-mail has one '@', a domain a dot
 * and no blanks, a phone number at least 7 digits, ...); non-empty source;
 * date and expires (when given) as YYYY, YYYY-MM, YYYY-MM-DD or a full
 * ISO 8601 timestamp; confidence 0..100; no control characters (a
 * template may hold line breaks and tabs); no '|' in an alias or related
 * value (the CSV separator). LW_EINVAL with the field named in diag->msg;
 * diag's location is left for the caller to set. */
LW_NODISCARD int lw_entry_check(const struct lw_entry *e, struct lw_diag *diag);

/* Is an ISO 8601 date or timestamp (as above) well formed? */
bool lw_entry_date_valid(const char *s);

/* Has the entry expired on `today` ("YYYY-MM-DD")? An entry is valid through
 * the day, month or year its `expires` names ("2026-01" lasts all January);
 * an entry without `expires` never expires. */
bool lw_entry_expired(const struct lw_entry *e, const char *today);

/* Today's date in UTC as "YYYY-MM-DD" into buf (at least 11 bytes). */
void lw_entry_today(char *buf, size_t size);

/* A growable list of entries that owns them: every string of every entry
 * lives in the list's arena. Fields are read-only to callers; use the
 * functions to change them. */
struct lw_entry_list {
    struct lw_entry *v;
    size_t n;
    size_t cap;
    struct lw_arena *arena;
};

void lw_entry_list_init(struct lw_entry_list *l);
/* Free every entry; the list can be used again after lw_entry_list_init. */
void lw_entry_list_release(struct lw_entry_list *l);
/* Append a deep copy of e (its strings, aliases and related values are
 * copied into the list's arena; e is borrowed). */
LW_NODISCARD int lw_entry_list_add(struct lw_entry_list *l, const struct lw_entry *e);
/* Make room for n more entries (one allocation instead of many). */
LW_NODISCARD int lw_entry_list_reserve(struct lw_entry_list *l, size_t n);
/* Copy a string into the list's arena (NULL stays NULL); NULL when out of
 * memory and s was not NULL. For importers that build entries in place. */
const char *lw_entry_list_strdup(struct lw_entry_list *l, const char *s);

/* ---- Screening ------------------------------------------------------- */

/* One watchlist hit in a message. */
struct lw_indicator {
    const struct lw_entry *entry;   /* the entry matched: valid as long as the watchlist */
    enum lw_name_strength strength; /* how sure: STRONG for a known profile URL, e-mail
                                     * address or domain; a persona name that matches on
                                     * its surname only is WEAK, never more */
    const char *field;              /* "from.name", "from.address", "from.profile" or "text" */
    size_t start, end; /* byte span in the normalised text for "text"; 0, 0 for a field */
    char why[256];     /* one sentence for the verdict, e.g. "sender address is on the
                        * watchlist (MI5, 2025-11)" */
};

/* Called once per indicator. Return LW_OK to go on; any other value stops
 * the match, and lw_watchlist_match_msg returns it. */
typedef int lw_indicator_fn(void *ctx, const struct lw_indicator *ind);

struct lw_watchlist;

/* Compile entries into a watchlist. Everything needed is copied: entries and
 * their strings may be freed afterwards. `names` is borrowed and must
 * outlive the watchlist (it is used when matching); it is required when
 * any persona, org or impersonated entry is given. Entries that have
 * expired today are left out; entries that fail lw_entry_check are
 * refused with LW_EINVAL (diag names the entry). n == 0 gives an empty
 * watchlist that matches nothing. */
LW_NODISCARD int lw_watchlist_build(const struct lw_entry *entries, size_t n,
                                    const struct lw_names *names, struct lw_watchlist **out,
                                    struct lw_diag *diag);
/* The same, taking the entries instead of copying them: on success the
 * watchlist owns what *entries held and *entries is left empty (as after
 * lw_entry_list_init); on failure *entries is unchanged. Saves a copy of a
 * large watchlist at start-up (lw_store_load_active, then this). */
LW_NODISCARD int lw_watchlist_build_take(struct lw_entry_list *entries,
                                         const struct lw_names *names, struct lw_watchlist **out,
                                         struct lw_diag *diag);
void lw_watchlist_free(struct lw_watchlist *wl);

/* Number of entries kept (unexpired), and the i-th of them. */
size_t lw_watchlist_count(const struct lw_watchlist *wl);
const struct lw_entry *lw_watchlist_entry(const struct lw_watchlist *wl, size_t i);

/* Find the watchlist entries in one message and call fn for each.
 *
 * Looked at: the sender fields msg->from.name (persona, org and
 * impersonated names), from.address (e-mail, its domain and registrable
 * label, or a handle / phone number), from.profile (URL, LinkedIn /in/
 * slug); then `text` -- the message text after lw_norm (NFKC case fold,
 * confusables folded, white space collapsed), text_len bytes followed by a
 * NUL (as lw_norm leaves it), or NULL -- for e-mail addresses, URLs, domains, phone numbers and
 * @handles, person and organisation names (windows of 1-4 words, and of 2-4 Han characters) and
 * templates (shingle containment >= 0.6).
 *
 * Each candidate from the index is confirmed with lw_names_match_* before it
 * is reported. Each entry is reported at most once per field, for "text" at
 * its first occurrence. Entries whose `expires` has passed by the time of
 * the call are skipped. Matches of impersonated entries (real people and
 * organisations) are WEAK: the real one may well be writing.
 *
 * Thread-safe: wl is only read; scratch memory is per call. Returns LW_OK,
 * LW_ENOMEM, or the first non-LW_OK value fn returned. */
LW_NODISCARD int lw_watchlist_match_msg(const struct lw_watchlist *wl, const struct lw_msg *msg,
                                        const char *text, size_t text_len, lw_indicator_fn *fn,
                                        void *ctx);

#endif
