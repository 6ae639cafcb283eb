/* profile.h -- one social-network profile (the person behind an approach), read
 * from a profile JSON file or from LinkedIn's "Get a copy of your data" export
 * (Profile.csv + Positions.csv, as files, a folder or the ZIP itself).
 *
 * Profile JSON (every field optional; unknown fields are ignored):
 *   {"name", "first_name", "last_name", "headline", "company", "company_url"
 *    (or "website"), "location", "connections" (an integer, or "500+"),
 *    "account_created" (a date) or "account_age_days" (an integer),
 *    "positions": [{"company", "title", "start", "end", "description",
 *                   "location"}],
 *    "about", "photo" (false/null/"" = the profile has no photo; true or a
 *    URL = it has one), "photo_hash" (hex string), "url",
 *    "education": ["School", ...] or [{"school", "degree", "start", "end"}]}
 * A field of the wrong type (e.g. "positions": 3) is an error naming the
 * field; JSON syntax errors name the line and column jansson reports.
 *
 * LinkedIn CSVs are mapped by header name, never by position (field-notes
 * §2.1). Profile.csv needs "First Name", "Last Name" and "Headline";
 * Positions.csv needs "Company Name", "Title" and "Started On". A missing
 * column is LW_EPARSE with the column named in the diagnostic. The current
 * position (empty "Finished On") gives the profile's company.
 *
 * A struct lw_profile and every string reachable from it live in its own
 * arena and die with lw_profile_free(). Strings are valid, NUL-free UTF-8
 * (invalid bytes become U+FFFD); absent fields are NULL. Input bytes are
 * borrowed for the call. Sizes are capped by struct lw_limits (max_record
 * for a file, max_text for the about text, max_csv_columns, max_files for
 * ZIP entries); NULL limits mean the defaults of reader.h. */
#ifndef LW_PROFILE_H
#define LW_PROFILE_H

#include "base/arena.h"
#include "base/err.h"
#include "ingest/reader.h"

/* At most this many positions and education entries are read; more is
 * LW_ELIMIT. */
#define LW_PROFILE_MAX_ENTRIES 1000

enum lw_profile_photo {
    LW_PROFILE_PHOTO_UNKNOWN = 0, /* the input says nothing about a photo */
    LW_PROFILE_PHOTO_NONE,        /* the profile has no photo */
    LW_PROFILE_PHOTO_PRESENT,     /* it has one (photo_hash may say which) */
};

struct lw_profile_position {
    const char *company;
    const char *title;
    const char *location;
    const char *start; /* as given: "2019-03", "Mar 2019", "2019", ... */
    const char *end;   /* NULL or "" or "present": current */
    const char *description;
};

struct lw_profile_school {
    const char *school;
    const char *degree;
    const char *start;
    const char *end;
};

struct lw_profile {
    struct lw_arena *arena; /* owns the profile and all it points to */
    const char *source;     /* the file the profile came from */

    const char *name;
    const char *headline;
    const char *company;     /* given, or the current position's company */
    const char *company_url; /* company website, or the CSV's Websites */
    const char *location;
    const char *industry;
    const char *about;
    const char *url; /* profile URL */

    enum lw_profile_photo photo;
    const char *photo_hash; /* lower-case hex as given, or NULL */

    long connections;      /* -1 when not given */
    bool connections_plus; /* given as "500+" (connections is then 500) */

    const char *account_created; /* a date as given, or NULL */
    long account_age_days;       /* -1 when not given */

    struct lw_profile_position *positions;
    size_t n_positions;
    bool positions_known; /* the input lists positions (maybe none): JSON
                             "positions" present, or a Positions.csv read */
    struct lw_profile_school *education;
    size_t n_education;
};

/* Read PROFILE: a JSON file, a Profile.csv (Positions.csv is read from the
 * same folder when present), a folder holding Profile.csv and/or
 * Positions.csv, or the export ZIP. The kind is sniffed from the path and
 * the first bytes. */
LW_NODISCARD int lw_profile_read(const char *path, const struct lw_limits *lim,
                                 struct lw_profile **out, struct lw_diag *diag);

/* Parse bytes in memory: a profile JSON object, a ZIP (starts with "PK"), or
 * a Profile.csv. `name` is used in diagnostics. */
LW_NODISCARD int lw_profile_parse_mem(const void *buf, size_t len, const char *name,
                                      const struct lw_limits *lim, struct lw_profile **out,
                                      struct lw_diag *diag);

/* Parse a LinkedIn export's Profile.csv and Positions.csv held in memory;
 * either may be NULL (not both). The names are used in diagnostics. */
LW_NODISCARD int lw_profile_parse_csv(const void *profile_csv, size_t profile_len,
                                      const char *profile_name, const void *positions_csv,
                                      size_t positions_len, const char *positions_name,
                                      const struct lw_limits *lim, struct lw_profile **out,
                                      struct lw_diag *diag);

void lw_profile_free(struct lw_profile *p);

/* True when a position's end date says it is the current one (NULL, empty,
 * "present", "current", "now"). */
bool lw_profile_position_is_current(const struct lw_profile_position *pos);

#endif
