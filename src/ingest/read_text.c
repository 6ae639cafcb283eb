/* read_text.c -- plain text: the whole input is one message, id
 * "<source>:1". Keeps at most limits.max_text bytes (a longer input is cut,
 * with LW_DEFECT_TRUNCATED) and never reads further than that. An input that
 * is empty or only blanks gives no message. */
#include <stdlib.h>

#include "base/buf.h"
#include "ingest/reader_int.h"

static bool all_blank(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

static int text_next(struct lw_reader *r, struct lw_msg **out, struct lw_diag *diag)
{
    /* Four bytes past the cap, so a character cut at the cap is still seen
     * whole by lw_msg_set_text, and so we know whether there was more. */
    size_t want = r->lim.max_text > SIZE_MAX - 5 ? SIZE_MAX - 1 : r->lim.max_text + 4;
    struct lw_buf b = LW_BUF_INIT(want);
    struct lw_msg *m = NULL;
    char *chunk = malloc(LW_READER_CHUNK);
    bool more = false;
    size_t len = 0;
    int rc = LW_ENOMEM;

    r->done = true; /* one message at most, whatever happens */
    if (!chunk)
        goto out;
    for (;;) {
        size_t got = 0, room = want - len;
        rc = lw_reader_in_read(r->in, chunk,
                               LW_MIN(LW_MAX(room, (size_t)1), (size_t)LW_READER_CHUNK), &got);
        if (rc < 0) {
            lw_reader_diag(r, diag, 0, "read error");
            goto out;
        }
        if (got == 0)
            break;
        if (room == 0) {
            more = true;
            break;
        }
        rc = lw_buf_append(&b, chunk, got);
        if (rc < 0)
            goto out;
        len += got;
    }
    rc = 0;
    if (all_blank(lw_buf_str(&b), len))
        goto out;
    rc = lw_reader_msg_new(r, 1, 1, &m);
    if (rc < 0)
        goto out;
    rc = lw_msg_set_text(m, lw_buf_str(&b), len, r->lim.max_text);
    if (rc < 0)
        goto out;
    if (more)
        m->defects |= LW_DEFECT_TRUNCATED;
    *out = m;
    m = NULL;
    rc = 1;
out:
    lw_msg_free(m);
    lw_buf_release(&b);
    free(chunk);
    return rc;
}

static const struct lw_reader_ops text_ops = {text_next, NULL, NULL};

int lw_reader_init_text(struct lw_reader *r, struct lw_diag *diag)
{
    (void)diag;
    r->ops = &text_ops;
    return LW_OK;
}
