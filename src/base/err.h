/* err.h -- error codes and diagnostics.
 * A fallible function returns int: LW_OK (0) or a negative enum lw_err, so a
 * positive return can be a count. Detail goes into an optional struct
 * lw_diag (callers may pass NULL): where (source, line, column or byte
 * offset) and why, in a fixed buffer, so filling it never allocates. */
#ifndef LW_ERR_H
#define LW_ERR_H

#include "base/common.h"

enum lw_err {
    LW_OK = 0,
    LW_ENOMEM = -1,       /* allocation failed */
    LW_EINVAL = -2,       /* bad argument or option */
    LW_EPARSE = -3,       /* malformed input: this record or file is skipped */
    LW_ELIMIT = -4,       /* a cap from struct lw_limits was reached */
    LW_EIO = -5,          /* a file could not be opened, read or written */
    LW_EDB = -6,          /* the store failed */
    LW_EBACKEND = -7,     /* a library we wrap failed (Vectorscan, ICU, ...) */
    LW_ENOTFOUND = -8,    /* no such entry, file or command */
    LW_EUNSUPPORTED = -9, /* a format or feature this build does not have */
};

/* The diagnostic of one failure. Fields are public so callers can print
 * them; fill it with lw_diag_set/lw_diag_at. line/col are 1-based; 0 means
 * "not known". */
struct lw_diag {
    char source[256]; /* file name, "-" for stdin, or "" */
    unsigned long line;
    unsigned long col;
    char msg[256];
};

/* A stable, lower-case name for an error code ("out of memory"). */
const char *lw_strerror(int err);

/* Clear a diagnostic. NULL is a no-op, as for every lw_diag_* call. */
void lw_diag_clear(struct lw_diag *d);

/* Set the message (printf-style), keeping source/line/col. */
void lw_diag_set(struct lw_diag *d, const char *fmt, ...) LW_PRINTF(2, 3);

/* Set where the failure is. source may be NULL to keep the old one. */
void lw_diag_at(struct lw_diag *d, const char *source, unsigned long line, unsigned long col);

/* Format "source:line:col: msg" (parts that are unknown are left out)
 * into buf of size n; returns buf. */
const char *lw_diag_format(const struct lw_diag *d, char *buf, size_t n);

/* Parse a whole decimal integer; LW_EINVAL if s is not one, or out of range. */
LW_NODISCARD int lw_parse_long(const char *s, long *out);

#endif
