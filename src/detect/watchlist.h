/* watchlist.h -- personas, front companies and their indicators, from
 * published alerts and shared feeds, and matching messages against them.
 *
 * Entries live in the store (src/store/) and load from files (CSV, STIX 2.1,
 * MISP). For screening, the entries are compiled into a struct lw_watchlist:
 * immutable, shared read-only by every worker thread, with indexes so a
 * lookup costs about the same with 10 or 100,000 entries. */
#ifndef LW_WATCHLIST_H
#define LW_WATCHLIST_H

#include "base/err.h"
#include "text/names.h"

enum lw_entry_type {
    LW_ENTRY_PERSONA = 1, /* a false persona: name, aliases, optional hanzi */
    LW_ENTRY_ORG,         /* a front company, and its aliases */
    LW_ENTRY_DOMAIN,
    LW_ENTRY_EMAIL,
    LW_ENTRY_URL,         /* a URL or a profile URL */
    LW_ENTRY_PHONE,
    LW_ENTRY_HANDLE,      /* messaging handle: WeChat, Telegram, WhatsApp, ... */
    LW_ENTRY_TEMPLATE,    /* message template text */
    LW_ENTRY_IMPERSONATED /* a real person or organisation whose name was impersonated */
};

/* One watchlist entry. Strings are owned by whoever made the entry
 * (the store, an importer); the watchlist copies what it keeps. */
struct lw_entry {
    long long id;             /* store row id; 0 before it is stored */
    enum lw_entry_type type;
    const char *value;        /* the name, domain, address, URL, number, handle or text */
    const char **aliases;     /* other spellings, n_aliases of them */
    size_t n_aliases;
    const char *hanzi;        /* persona: known Chinese characters, may be NULL */
    const char *platform;     /* handle: wechat, telegram, whatsapp, signal, linkedin, ... */
    const char *source;       /* who published it (required) */
    const char *source_url;   /* may be NULL */
    const char *date;         /* when it was published, ISO 8601 (required) */
    int confidence;           /* 0..100 */
    const char *note;
    const char *expires;      /* ISO 8601 date or NULL */
};

const char *lw_entry_type_name(enum lw_entry_type t);
LW_NODISCARD int lw_entry_type_parse(const char *s, enum lw_entry_type *out);

#endif
