/* err.c -- error names and diagnostics. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"

const char *lw_strerror(int err)
{
    switch (err) {
    case LW_OK:
        return "success";
    case LW_ENOMEM:
        return "out of memory";
    case LW_EINVAL:
        return "invalid argument";
    case LW_EPARSE:
        return "malformed input";
    case LW_ELIMIT:
        return "limit reached";
    case LW_EIO:
        return "input/output error";
    case LW_EDB:
        return "store error";
    case LW_EBACKEND:
        return "library error";
    case LW_ENOTFOUND:
        return "not found";
    case LW_EUNSUPPORTED:
        return "not supported";
    default:
        return "unknown error";
    }
}

void lw_diag_clear(struct lw_diag *d)
{
    if (!d)
        return;
    memset(d, 0, sizeof(*d));
}

void lw_diag_set(struct lw_diag *d, const char *fmt, ...)
{
    va_list ap;

    if (!d)
        return;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof(d->msg), fmt, ap);
    va_end(ap);
}

void lw_diag_at(struct lw_diag *d, const char *source, unsigned long line, unsigned long col)
{
    if (!d)
        return;
    if (source)
        snprintf(d->source, sizeof(d->source), "%s", source);
    d->line = line;
    d->col = col;
}

const char *lw_diag_format(const struct lw_diag *d, char *buf, size_t n)
{
    if (!n)
        return buf;
    buf[0] = '\0';
    if (!d)
        return buf;
    if (d->source[0] && d->line && d->col)
        snprintf(buf, n, "%s:%lu:%lu: %s", d->source, d->line, d->col, d->msg);
    else if (d->source[0] && d->line)
        snprintf(buf, n, "%s:%lu: %s", d->source, d->line, d->msg);
    else if (d->source[0])
        snprintf(buf, n, "%s: %s", d->source, d->msg);
    else
        snprintf(buf, n, "%s", d->msg);
    return buf;
}

int lw_parse_long(const char *s, long *out)
{
    char *end = NULL;
    long v;

    if (!s || !*s)
        return LW_EINVAL;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end)
        return LW_EINVAL;
    *out = v;
    return LW_OK;
}
