/* buf.c -- growable byte buffer with a hard cap. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"

void lw_buf_init(struct lw_buf *b, size_t max)
{
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void lw_buf_release(struct lw_buf *b)
{
    if (!b)
        return;
    free(b->p);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
}

void lw_buf_reset(struct lw_buf *b)
{
    b->len = 0;
    if (b->p)
        b->p[0] = '\0';
}

void lw_buf_truncate(struct lw_buf *b, size_t len)
{
    if (len >= b->len)
        return;
    b->len = len;
    b->p[len] = '\0';
}

int lw_buf_grow(struct lw_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > b->max - b->len || b->len > b->max)
        return LW_ELIMIT;
    need = b->len + extra + 1; /* room for the NUL */
    if (need <= b->cap)
        return LW_OK;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = realloc(b->p, cap);
    if (!p)
        return LW_ENOMEM;
    b->p = p;
    b->cap = cap;
    return LW_OK;
}

int lw_buf_append(struct lw_buf *b, const void *p, size_t n)
{
    int rc = lw_buf_grow(b, n);

    if (rc < 0)
        return rc;
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return LW_OK;
}

int lw_buf_appends(struct lw_buf *b, const char *s)
{
    return lw_buf_append(b, s, strlen(s));
}

int lw_buf_appendc(struct lw_buf *b, char c)
{
    return lw_buf_append(b, &c, 1);
}

int lw_buf_printf(struct lw_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return LW_EINVAL;
    rc = lw_buf_grow(b, (size_t)n);
    if (rc < 0)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return LW_OK;
}

char *lw_buf_detach(struct lw_buf *b, size_t *len)
{
    char *p = b->p;

    if (len)
        *len = b->len;
    if (!p)
        p = calloc(1, 1);
    b->p = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

int lw_buf_read_stream(struct lw_buf *b, FILE *f)
{
    char chunk[65536];
    size_t n;
    int rc;

    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if ((rc = lw_buf_append(b, chunk, n)) < 0)
            return rc;
    return ferror(f) ? LW_EIO : LW_OK;
}
