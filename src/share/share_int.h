/* share_int.h -- what the CSV, STIX and MISP halves of src/share/ have in
 * common: deterministic UUIDs, timestamps, the link resolver and the
 * per-format entry points that share.c dispatches to. */
#ifndef LW_SHARE_INT_H
#define LW_SHARE_INT_H

#include <jansson.h>

#include "share/share.h"

/* The namespace of lurewatch's own UUIDv5 ids (STIX SDOs/SROs, MISP). */
#define LW_SHARE_NS "e0e39796-f56b-4b4e-9add-29914bb7d763"
/* The STIX 2.1 namespace for SCO ids (spec §2.9). */
#define LW_SHARE_STIX_SCO_NS "00abedb4-aa42-466c-9c01-fed23315a9b7"

/* A UUID as text: 36 characters and a NUL. */
struct lw_uuid {
    char s[37];
};

/* RFC 4122 version 5 (SHA-1) UUID of name[0..len) in namespace ns (a UUID
 * string). LW_EINVAL for a malformed namespace. */
LW_NODISCARD int lw_share_uuid5(const char *ns, const char *name, size_t len, struct lw_uuid *out);
/* Is s "<prefix>--<uuid>" with prefix given (or any lower-case prefix when
 * NULL)? */
bool lw_share_stix_id_valid(const char *s, const char *prefix);

/* The resolved options: defaults filled in. */
struct share_opts {
    char now[32];    /* STIX timestamp, millisecond precision */
    const char *tlp; /* canonical TLP name */
    const char *info;
};
LW_NODISCARD int lw_share_opts_resolve(const struct lw_share_opts *in, struct share_opts *out,
                                       struct lw_diag *diag);

/* A date or timestamp as accepted by lw_entry_date_valid, as a STIX
 * timestamp "YYYY-MM-DDTHH:MM:SS.sssZ" (missing parts are the start of the
 * period; an offset is ignored, not converted). */
void lw_share_stix_time(const char *date, char *buf, size_t size);

/* The index of the entry that `ref` names: the first whose value, else the
 * first one of whose aliases, equals ref (ASCII case-insensitive); -1 when
 * none does. */
long lw_share_resolve(const struct lw_entry *entries, size_t n, const char *ref);

/* Keep the list's first `mark` entries only (undo a failed import). */
void lw_share_truncate(struct lw_entry_list *l, size_t mark);

/* jansson helpers: the string member of o (NULL when absent or not a string). */
const char *lw_share_json_str(const json_t *o, const char *key);
/* Append an error for a JSON parse failure. */
void lw_share_json_error(const char *name, const json_error_t *err, struct lw_diag *diag);
/* Copy a JSON string list (NULL/absent gives none) into the list's arena. */
LW_NODISCARD int lw_share_json_strlist(struct lw_entry_list *l, const json_t *arr,
                                       const char ***out, size_t *n);
/* Append json_dumps output to a buffer and free it. */
LW_NODISCARD int lw_share_json_emit(const json_t *root, struct lw_buf *out, struct lw_diag *diag);

int lw_share_csv_import(const char *data, size_t len, const char *name, struct lw_entry_list *out,
                        struct lw_diag *diag);
int lw_share_csv_export(const struct lw_entry *e, size_t n, struct lw_buf *out,
                        struct lw_diag *diag);
int lw_share_stix_import(const char *data, size_t len, const char *name, struct lw_entry_list *out,
                         struct lw_diag *diag);
int lw_share_stix_export(const struct lw_entry *e, size_t n, const struct share_opts *o,
                         struct lw_buf *out, struct lw_diag *diag);
int lw_share_misp_import(const char *data, size_t len, const char *name, struct lw_entry_list *out,
                         struct lw_diag *diag);
int lw_share_misp_export(const struct lw_entry *e, size_t n, const struct share_opts *o,
                         struct lw_buf *out, struct lw_diag *diag);

#endif
