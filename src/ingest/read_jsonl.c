/* read_jsonl.c -- JSON Lines (DESIGN §4): one object a line, parsed with
 * jansson. Lines are read through a buffer capped at limits.max_record: a
 * longer line is skipped (LW_ELIMIT) and the rest of it is read past without
 * being kept. A line that is not an object with a string "text" is
 * LW_EPARSE; the next call goes on with the next line. Blank lines are
 * skipped. Invalid UTF-8 is repaired (LW_DEFECT_BAD_UTF8) before parsing,
 * since jansson refuses it. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "ingest/reader_int.h"

struct jsonl {
    unsigned char *chunk;
    size_t chunk_len, chunk_pos;
    bool eof;
    struct lw_buf line;
    size_t line_len;
    unsigned long lineno; /* lines started so far */
};

enum line_status { LINE_OK, LINE_TOO_LONG, LINE_END };

/* The next line (without its "\n") in st->line; *status says what it is. */
static int read_line(struct lw_reader *r, struct jsonl *st, enum line_status *status)
{
    bool skipping = false, any = false;
    int rc;

    lw_buf_reset(&st->line);
    st->line_len = 0;
    for (;;) {
        unsigned char *nl;
        size_t n;
        if (st->chunk_pos == st->chunk_len) {
            size_t got = 0;
            if (st->eof)
                break;
            rc = lw_reader_in_read(r->in, st->chunk, LW_READER_CHUNK, &got);
            if (rc < 0)
                return rc;
            st->chunk_pos = 0;
            st->chunk_len = got;
            if (got == 0) {
                st->eof = true;
                break;
            }
        }
        any = true;
        nl = memchr(st->chunk + st->chunk_pos, '\n', st->chunk_len - st->chunk_pos);
        n = (nl ? (size_t)(nl - st->chunk) : st->chunk_len) - st->chunk_pos;
        if (!skipping) {
            rc = lw_buf_append(&st->line, st->chunk + st->chunk_pos, n);
            if (rc == LW_OK) {
                st->line_len += n;
            } else if (rc == LW_ELIMIT) {
                skipping = true; /* drop it and read on to the end of the line */
                lw_buf_release(&st->line);
                lw_buf_init(&st->line, r->lim.max_record);
                st->line_len = 0;
            } else if (rc < 0) {
                return rc;
            }
        }
        st->chunk_pos += n;
        if (nl) {
            st->chunk_pos++;
            break;
        }
    }
    if (!any) {
        *status = LINE_END;
        return LW_OK;
    }
    st->lineno++;
    *status = skipping ? LINE_TOO_LONG : LINE_OK;
    return LW_OK;
}

static const char *str_field(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

static int set_str(struct lw_msg *m, const char **dst, json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    if (!json_is_string(v))
        return LW_OK; /* absent, or not a string: left out */
    *dst = lw_msg_strdup(m, json_string_value(v), json_string_length(v));
    return *dst ? LW_OK : LW_ENOMEM;
}

/* Fill m from a parsed object; LW_EPARSE (with diag) when there is no text. */
/* An excerpt quoted from a published report names the report in "source"
 * (or "source_url") and has no thread. The excerpts of one report on one
 * direct channel are one case's correspondence -- the persona's first
 * message, then her answer to the target's question -- so they are read
 * as a thread implied by the two. lw_thread_ctx_apply lets such a thread
 * lift a message only once one of its messages is an approach alone. */
static int imply_thread(struct lw_msg *m, json_t *o)
{
    const char *src = str_field(o, "source");

    if (m->thread || !lw_channel_direct(m->channel))
        return LW_OK;
    if (!src || !*src)
        src = str_field(o, "source_url");
    if (!src || !*src)
        return LW_OK;
    m->thread = lw_arena_printf(m->arena, "%s\x1f%.4000s", lw_channel_name(m->channel), src);
    if (!m->thread)
        return LW_ENOMEM;
    m->thread_implied = true;
    return LW_OK;
}

static int fill(struct lw_reader *r, struct jsonl *st, json_t *o, struct lw_msg *m,
                struct lw_diag *diag)
{
    json_t *text = json_object_get(o, "text"), *v;
    int rc;

    if (!json_is_object(o)) {
        lw_reader_diag(r, diag, st->lineno, "not a JSON object");
        return LW_EPARSE;
    }
    if (!json_is_string(text)) {
        lw_reader_diag(r, diag, st->lineno, text ? "\"text\" is not a string" : "no \"text\"");
        return LW_EPARSE;
    }
    rc = lw_msg_set_text(m, json_string_value(text), json_string_length(text), r->lim.max_text);
    if (rc < 0)
        return rc;
    v = json_object_get(o, "id");
    if (json_is_string(v) && json_string_length(v) > 0) {
        m->id = lw_msg_strdup(m, json_string_value(v), json_string_length(v));
    } else if (json_is_integer(v)) {
        m->id = lw_arena_printf(m->arena, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    }
    if (!m->id)
        return LW_ENOMEM;
    m->channel = lw_channel_parse(str_field(o, "channel"));
    v = json_object_get(o, "from");
    if (json_is_string(v)) {
        rc = set_str(m, &m->from.name, o, "from");
    } else if (json_is_object(v)) {
        if ((rc = set_str(m, &m->from.name, v, "name")) == LW_OK &&
            (rc = set_str(m, &m->from.address, v, "address")) == LW_OK)
            rc = set_str(m, &m->from.profile, v, "profile");
    }
    if (rc < 0)
        return rc;
    v = json_object_get(o, "to");
    if (json_is_string(v) || json_is_array(v)) {
        size_t n = json_is_string(v) ? 1 : LW_MIN(json_array_size(v), (size_t)LW_READER_MAX_TO);
        size_t i;
        m->to = lw_arena_calloc(m->arena, n ? n : 1, sizeof(*m->to));
        if (!m->to)
            return LW_ENOMEM;
        for (i = 0; i < n; i++) {
            json_t *e = json_is_string(v) ? v : json_array_get(v, i);
            if (!json_is_string(e))
                continue;
            m->to[m->n_to] = lw_msg_strdup(m, json_string_value(e), json_string_length(e));
            if (!m->to[m->n_to])
                return LW_ENOMEM;
            m->n_to++;
        }
        if (m->n_to == 0)
            m->to = NULL;
    }
    if ((rc = set_str(m, &m->date, o, "date")) < 0 ||
        (rc = set_str(m, &m->subject, o, "subject")) < 0 ||
        (rc = set_str(m, &m->thread, o, "thread")) < 0 ||
        (rc = set_str(m, &m->lang, o, "lang")) < 0 || (rc = set_str(m, &m->label, o, "label")) < 0)
        return rc;
    m->outgoing = lw_direction_outgoing(str_field(o, "direction"));
    return imply_thread(m, o);
}

static bool blank_line(const char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return false;
    return true;
}

static int jsonl_next(struct lw_reader *r, struct lw_msg **out, struct lw_diag *diag)
{
    struct jsonl *st = r->st;
    struct lw_msg *m = NULL;
    json_t *o = NULL;
    json_error_t jerr;
    enum line_status status;
    const char *p;
    size_t n;
    int rc;

    for (;;) {
        rc = read_line(r, st, &status);
        if (rc < 0) {
            lw_reader_diag(r, diag, st->lineno + 1, "read error");
            goto out;
        }
        if (status == LINE_END) {
            rc = 0;
            goto out;
        }
        if (status == LINE_TOO_LONG) {
            lw_reader_diag(r, diag, st->lineno, "line longer than %zu bytes, skipped",
                           r->lim.max_record);
            rc = LW_ELIMIT;
            goto out;
        }
        p = lw_buf_str(&st->line);
        n = st->line_len;
        if (st->lineno == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3; /* byte order mark */
            n -= 3;
        }
        if (n && p[n - 1] == '\r')
            n--;
        if (!blank_line(p, n))
            break;
    }
    rc = lw_reader_msg_new(r, st->lineno, st->lineno, &m);
    if (rc < 0)
        goto out;
    o = json_loadb(p, n, JSON_ALLOW_NUL, &jerr);
    if (!o && json_error_code(&jerr) == json_error_invalid_utf8) {
        /* Repair into the message's arena (sets LW_DEFECT_BAD_UTF8) and retry. */
        rc = lw_msg_set_text(m, p, n, SIZE_MAX);
        if (rc < 0)
            goto out;
        o = json_loadb(m->text, m->text_len, JSON_ALLOW_NUL, &jerr);
    }
    if (!o) {
        lw_reader_diag(r, diag, st->lineno, "invalid JSON: %s", jerr.text);
        if (diag)
            diag->col = jerr.column > 0 ? (unsigned long)jerr.column : 0;
        rc = LW_EPARSE;
        goto out;
    }
    rc = fill(r, st, o, m, diag);
    if (rc < 0)
        goto out;
    *out = m;
    m = NULL;
    rc = 1;
out:
    json_decref(o);
    lw_msg_free(m);
    return rc;
}

static void jsonl_free(struct lw_reader *r)
{
    struct jsonl *st = r->st;

    if (!st)
        return;
    lw_buf_release(&st->line);
    free(st->chunk);
    free(st);
}

static const struct lw_reader_ops jsonl_ops = {jsonl_next, NULL, jsonl_free};

int lw_reader_init_jsonl(struct lw_reader *r, struct lw_diag *diag)
{
    struct jsonl *st = calloc(1, sizeof(*st));

    (void)diag;
    if (!st)
        return LW_ENOMEM;
    st->chunk = malloc(LW_READER_CHUNK);
    if (!st->chunk) {
        free(st);
        return LW_ENOMEM;
    }
    lw_buf_init(&st->line, r->lim.max_record);
    r->st = st;
    r->ops = &jsonl_ops;
    return LW_OK;
}
