/* share.h -- watchlist entries in and out of the formats analysts trade:
 * CSV (our own columns), STIX 2.1 bundles and MISP event JSON
 * (research/field-notes.md §3; the mapping is in docs/internals/watchlist.md).
 *
 * Import is all or nothing: the whole input is parsed and every entry is
 * checked (lw_entry_check) before anything is returned, so a caller that
 * then writes the list in one store transaction never stores half a file.
 * The first problem is reported in diag with the file name and the CSV
 * line, or the STIX object / MISP object or attribute index, and the field.
 * Export followed by import gives back the same entries (type, value,
 * aliases, hanzi, platform, source, source_url, date, confidence, note,
 * expires, related; not id or created).
 *
 * Input bytes are borrowed for the call. Imported entries live in the
 * caller's struct lw_entry_list. */
#ifndef LW_SHARE_H
#define LW_SHARE_H

#include "base/buf.h"
#include "base/err.h"
#include "detect/watchlist.h"

enum lw_share_format {
    LW_SHARE_AUTO = 0, /* import: sniff the content */
    LW_SHARE_CSV,
    LW_SHARE_STIX,
    LW_SHARE_MISP,
};

/* Caps on untrusted input. */
enum {
    LW_SHARE_MAX_INPUT = 256 * 1024 * 1024, /* bytes of one file */
    LW_SHARE_MAX_ENTRIES = 1000000,         /* entries from one file */
};

/* The CSV columns, in the order export writes them. type, value, source
 * and date are required in an imported header; the others are optional. */
#define LW_SHARE_CSV_HEADER                                                                        \
    "type,value,aliases,hanzi,platform,source,source_url,date,confidence,note,expires,related"

struct lw_share_opts {
    const char *now;  /* "YYYY-MM-DDTHH:MM:SS.sssZ" for created/modified/valid_from of
                       * entries that have no `created`; NULL: the current time */
    const char *tlp;  /* "clear", "green", "amber", "amber+strict" or "red"; NULL: "amber" */
    const char *info; /* MISP event info; NULL: "lurewatch watchlist" */
};

/* "csv", "stix", "misp"; LW_EINVAL for anything else. */
LW_NODISCARD int lw_share_format_parse(const char *s, enum lw_share_format *out);
const char *lw_share_format_name(enum lw_share_format f);

/* Guess the format of a file's content: a JSON object with "type":
 * "bundle" is STIX, one with "Event" (or a "response" list of them) is
 * MISP, anything else is CSV. */
enum lw_share_format lw_share_sniff(const char *data, size_t len);

/* Parse data[0..len) in format fmt (LW_SHARE_AUTO: sniffed) and append the
 * entries to out. `name` (the file name) is used in diagnostics. On error
 * nothing is appended and diag says where. Entries without a confidence
 * get 50. */
LW_NODISCARD int lw_share_import(enum lw_share_format fmt, const char *data, size_t len,
                                 const char *name, struct lw_entry_list *out, struct lw_diag *diag);

/* Write n entries in format fmt to out (appended). Every entry is checked
 * first. opts may be NULL. */
LW_NODISCARD int lw_share_export(enum lw_share_format fmt, const struct lw_entry *entries, size_t n,
                                 const struct lw_share_opts *opts, struct lw_buf *out,
                                 struct lw_diag *diag);

#endif
