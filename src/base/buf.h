/* buf.h -- growable byte buffer with a hard cap (curl's dynbuf model).
 * The buffer owns its bytes; it is always NUL-terminated once anything has
 * been added, yet nothing here relies on the content being free of NULs.
 * Growth past `max` fails with LW_ELIMIT and leaves the content as it was.
 * Fields are private; use the functions. */
#ifndef LW_BUF_H
#define LW_BUF_H

#include <stdio.h>

#include "base/common.h"

struct lw_buf {
    char *p;
    size_t len;
    size_t cap;
    size_t max; /* hard cap on len */
};

#define LW_BUF_INIT(maxlen)                                                                        \
    {                                                                                              \
        NULL, 0, 0, (maxlen)                                                                       \
    }

void lw_buf_init(struct lw_buf *b, size_t max);
/* Free the bytes; the buffer can be used again after lw_buf_init. */
void lw_buf_release(struct lw_buf *b);
/* Forget the content, keep the allocation. */
void lw_buf_reset(struct lw_buf *b);
/* Cut the content back to its first len bytes (len <= its length). */
void lw_buf_truncate(struct lw_buf *b, size_t len);
LW_NODISCARD int lw_buf_grow(struct lw_buf *b, size_t extra);
LW_NODISCARD int lw_buf_append(struct lw_buf *b, const void *p, size_t n);
LW_NODISCARD int lw_buf_appends(struct lw_buf *b, const char *s);
LW_NODISCARD int lw_buf_appendc(struct lw_buf *b, char c);
LW_NODISCARD int lw_buf_printf(struct lw_buf *b, const char *fmt, ...) LW_PRINTF(2, 3);
/* Append the rest of stream f (which the caller opened and closes).
 * LW_EIO on a read error (errno says why), LW_ELIMIT past the cap,
 * LW_ENOMEM; the caller words the message. */
LW_NODISCARD int lw_buf_read_stream(struct lw_buf *b, FILE *f);
/* Hand the bytes to the caller (who frees them); the buffer is reset. */
char *lw_buf_detach(struct lw_buf *b, size_t *len);

static inline const char *lw_buf_str(const struct lw_buf *b)
{
    return b->p ? b->p : "";
}

static inline size_t lw_buf_len(const struct lw_buf *b)
{
    return b->len;
}

#endif
