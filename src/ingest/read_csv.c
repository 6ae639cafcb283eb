/* read_csv.c -- LinkedIn export CSVs with libcsv (RFC 4180, quoted
 * newlines): messages.csv (and guide_messages.csv and the like, which share
 * its header) and Invitations.csv. Columns are found by header name, case
 * aside, never by position; a leading "Notes:" preamble (text, then a blank
 * line) is skipped. The input is fed to libcsv one physical line at a time
 * so each record knows the line it starts on, which is its id
 * "<source>:<line>".
 *
 * Caps: a record over limits.max_record bytes or with more than
 * limits.max_csv_columns fields is skipped (LW_ELIMIT); only the mapped
 * columns of the current record are held. An unclosed quote at the end is
 * repaired (the field runs to the end of the input) and the record carries
 * LW_DEFECT_BAD_CSV. Rows with an empty text column are not messages (an
 * invitation without a note, an attachment-only message) and are skipped
 * without an error. */
#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "ingest/reader_int.h"

enum col {
    COL_TEXT,
    COL_FROM,
    COL_PROFILE,
    COL_TO,
    COL_DATE,
    COL_SUBJECT,
    COL_THREAD,
    COL_DIRECTION,
    NCOL
};

static const char *const message_cols[NCOL] = {
    "CONTENT", "FROM", "SENDER PROFILE URL", "TO", "DATE", "SUBJECT", "CONVERSATION ID", "FOLDER",
};
static const char *const invitation_cols[NCOL] = {
    "Message", "From", "inviterProfileUrl", "To", "Sent At", NULL, NULL, "Direction",
};

enum phase { PH_START, PH_NOTES, PH_HEADER, PH_ROWS, PH_DONE };

/* libcsv's parser state while inside a field (csv.c's FIELD_BEGUN). The
 * struct is public in csv.h; see drop_field(). */
#define LIBCSV_FIELD_BEGUN 2

struct csvr {
    struct lw_reader *r;
    struct csv_parser p;
    bool p_init;
    const char *const *names;
    unsigned char *chunk;
    size_t chunk_len, chunk_pos;
    bool eof, first_chunk;
    enum phase phase;
    unsigned long line; /* physical line of the bytes being fed, 1-based */
    bool line_content;  /* the current line has a non-blank byte */
    bool need_start;    /* the next non-blank byte starts a record */
    unsigned long rec_line;
    size_t col_idx[NCOL];
    bool col_have[NCOL];
    size_t header_fields;
    /* the record being read */
    size_t field;
    size_t rec_bytes;
    bool skipping, too_wide, repaired;
    struct lw_buf val[NCOL];
    size_t val_len[NCOL];
    /* what the last record came to */
    struct lw_msg *ready;
    int err;
    unsigned long err_line;
    char err_msg[200];
};

static void set_err(struct csvr *st, int err, unsigned long line, const char *msg)
{
    if (st->err)
        return; /* keep the first */
    st->err = err;
    st->err_line = line;
    snprintf(st->err_msg, sizeof(st->err_msg), "%s", msg);
}

static void drop_values(struct csvr *st)
{
    size_t k;

    for (k = 0; k < NCOL; k++) {
        lw_buf_release(&st->val[k]);
        lw_buf_init(&st->val[k], st->r->lim.max_record);
        st->val_len[k] = 0;
    }
}

static void trim(const char **p, size_t *n)
{
    while (*n && ((*p)[0] == ' ' || (*p)[0] == '\t')) {
        (*p)++;
        (*n)--;
    }
    while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t' || (*p)[*n - 1] == '\r'))
        (*n)--;
}

static void on_field(void *s, size_t len, void *data)
{
    struct csvr *st = data;
    const char *p = s ? s : "";
    size_t k;

    if (st->phase == PH_HEADER && st->field < st->r->lim.max_csv_columns) {
        const char *name = p;
        size_t n = len;
        trim(&name, &n);
        for (k = 0; k < NCOL; k++) {
            if (st->names[k] && !st->col_have[k] && lw_reader_eq_ci(name, n, st->names[k])) {
                st->col_have[k] = true;
                st->col_idx[k] = st->field;
            }
        }
    } else if (st->phase == PH_ROWS && !st->skipping && !st->too_wide) {
        for (k = 0; k < NCOL; k++) {
            int rc;
            if (!st->col_have[k] || st->col_idx[k] != st->field)
                continue;
            rc = lw_buf_append(&st->val[k], p, len);
            if (rc == LW_OK) {
                st->val_len[k] += len;
            } else if (rc == LW_ELIMIT) {
                st->skipping = true;
                drop_values(st);
                break;
            } else {
                set_err(st, rc, st->rec_line, "out of memory");
            }
        }
    }
    st->rec_bytes += len;
    st->field++;
    if (st->field > st->r->lim.max_csv_columns)
        st->too_wide = true;
}

static void finish_header(struct csvr *st)
{
    char msg[200];

    if (st->too_wide) {
        snprintf(msg, sizeof(msg), "header has more than %u columns", st->r->lim.max_csv_columns);
        set_err(st, LW_ELIMIT, st->rec_line, msg);
        st->phase = PH_DONE;
        return;
    }
    if (st->skipping) {
        snprintf(msg, sizeof(msg), "header longer than %zu bytes", st->r->lim.max_record);
        set_err(st, LW_ELIMIT, st->rec_line, msg);
        st->phase = PH_DONE;
        return;
    }
    if (!st->col_have[COL_TEXT]) {
        snprintf(msg, sizeof(msg), "no %s column in the header", st->names[COL_TEXT]);
        set_err(st, LW_EPARSE, 0, msg);
        st->phase = PH_DONE;
        return;
    }
    st->header_fields = st->field;
    st->phase = PH_ROWS;
}

/* Copy a field into the message; NULL fields stay NULL. */
static int put(struct lw_msg *m, const char **dst, struct csvr *st, enum col k)
{
    const char *p = lw_buf_str(&st->val[k]);
    size_t n = st->val_len[k];

    if (!st->col_have[k] || n == 0)
        return LW_OK;
    *dst = lw_msg_strdup(m, p, n);
    return *dst ? LW_OK : LW_ENOMEM;
}

/* "2023-05-01 14:22:10 UTC", as LinkedIn writes DATE, to ISO 8601. */
static bool linkedin_date(const char *p, size_t n, char out[21])
{
    static const char pat[] = "dddd-dd-dd dd:dd:dd UTC";
    size_t i;

    if (n != sizeof(pat) - 1)
        return false;
    for (i = 0; i < n; i++) {
        if (pat[i] == 'd' ? !(p[i] >= '0' && p[i] <= '9') : p[i] != pat[i])
            return false;
    }
    memcpy(out, p, 19);
    out[10] = 'T';
    out[19] = 'Z';
    out[20] = '\0';
    return true;
}

static int build(struct csvr *st, struct lw_msg **out)
{
    struct lw_msg *m = NULL;
    const char *text = lw_buf_str(&st->val[COL_TEXT]);
    size_t n = st->val_len[COL_TEXT], i;
    char iso[21];
    int rc;

    for (i = 0; i < n; i++)
        if (text[i] != ' ' && text[i] != '\t' && text[i] != '\r' && text[i] != '\n')
            break;
    if (i == n)
        return LW_OK; /* nothing to screen */
    rc = lw_reader_msg_new(st->r, st->rec_line, st->rec_line, &m);
    if (rc < 0)
        return rc;
    m->channel = LW_CHANNEL_LINKEDIN;
    rc = lw_msg_set_text(m, text, n, st->r->lim.max_text);
    if (rc == LW_OK)
        rc = put(m, &m->from.name, st, COL_FROM);
    if (rc == LW_OK)
        rc = put(m, &m->from.profile, st, COL_PROFILE);
    if (rc == LW_OK)
        rc = put(m, &m->subject, st, COL_SUBJECT);
    if (rc == LW_OK)
        rc = put(m, &m->thread, st, COL_THREAD);
    if (rc == LW_OK && st->col_have[COL_DATE]) {
        if (linkedin_date(lw_buf_str(&st->val[COL_DATE]), st->val_len[COL_DATE], iso))
            m->date = lw_arena_strdup(m->arena, iso);
        else
            rc = put(m, &m->date, st, COL_DATE);
    }
    if (rc == LW_OK && st->col_have[COL_TO] && st->val_len[COL_TO]) {
        m->to = lw_arena_calloc(m->arena, 1, sizeof(*m->to));
        rc = m->to ? put(m, &m->to[0], st, COL_TO) : LW_ENOMEM;
        m->n_to = 1;
    }
    if (rc < 0) {
        lw_msg_free(m);
        return rc;
    }
    if (st->col_have[COL_DIRECTION])
        m->outgoing = lw_direction_outgoing(lw_buf_str(&st->val[COL_DIRECTION]));
    if (st->repaired || st->field != st->header_fields)
        m->defects |= LW_DEFECT_BAD_CSV;
    *out = m;
    return LW_OK;
}

static void on_record(int c, void *data)
{
    struct csvr *st = data;
    char msg[200];
    size_t k;
    int rc;

    (void)c;
    if (st->phase == PH_HEADER) {
        finish_header(st);
    } else if (st->phase == PH_ROWS) {
        if (st->skipping) {
            snprintf(msg, sizeof(msg), "record longer than %zu bytes, skipped",
                     st->r->lim.max_record);
            set_err(st, LW_ELIMIT, st->rec_line, msg);
        } else if (st->too_wide) {
            snprintf(msg, sizeof(msg), "record has more than %u columns, skipped",
                     st->r->lim.max_csv_columns);
            set_err(st, LW_ELIMIT, st->rec_line, msg);
        } else if (!st->ready) {
            rc = build(st, &st->ready);
            if (rc < 0)
                set_err(st, rc, st->rec_line, "out of memory");
        }
    }
    st->field = 0;
    st->rec_bytes = 0;
    st->skipping = false;
    st->too_wide = false;
    st->need_start = true;
    for (k = 0; k < NCOL; k++) {
        lw_buf_reset(&st->val[k]);
        st->val_len[k] = 0;
    }
}

/* libcsv has no call to drop a field it is collecting, so a record over the
 * cap would still grow its buffer. Inside a field (FIELD_BEGUN), entry_pos
 * and spaces are plain byte counts of what is held; zeroing them forgets the
 * bytes of a field we are skipping anyway and keeps the buffer bounded. */
static void drop_field(struct csvr *st)
{
    if (st->p.pstate == LIBCSV_FIELD_BEGUN) {
        st->p.entry_pos = 0;
        st->p.spaces = 0;
    }
}

static bool blank(const unsigned char *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return false;
    return true;
}

/* Feed one segment: bytes up to and including one line end, or less. */
static int feed(struct csvr *st, const unsigned char *s, size_t n)
{
    bool eol = n && s[n - 1] == '\n';

    if (st->phase == PH_START) {
        st->phase = n >= 6 && lw_reader_eq_ci((const char *)s, 6, "notes:") ? PH_NOTES : PH_HEADER;
        st->need_start = true;
    }
    if (st->phase == PH_NOTES) {
        if (!blank(s, n))
            st->line_content = true;
        else if (eol && !st->line_content)
            st->phase = PH_HEADER; /* the blank line that ends the preamble */
    } else if (st->phase == PH_HEADER || st->phase == PH_ROWS) {
        if (st->need_start && !blank(s, n)) {
            st->rec_line = st->line;
            st->need_start = false;
        }
        if (csv_parse(&st->p, s, n, on_field, on_record, st) != n) {
            set_err(st, LW_ENOMEM, st->rec_line, csv_strerror(csv_error(&st->p)));
            return LW_ENOMEM;
        }
        if (!st->skipping && st->rec_bytes + st->p.entry_pos > st->r->lim.max_record) {
            st->skipping = true;
            drop_values(st);
        }
        if (st->skipping)
            drop_field(st);
    }
    if (eol) {
        st->line++;
        st->line_content = false;
    }
    return LW_OK;
}

/* End of input: flush the last record, repairing an unclosed quote. */
static void finish(struct csvr *st)
{
    if (st->phase == PH_HEADER || st->phase == PH_ROWS) {
        /* STRICT_FINI makes csv_fini refuse a quoted field without its end
         * quote; then it is flushed as it is and marked. */
        csv_set_opts(&st->p, CSV_STRICT | CSV_STRICT_FINI);
        if (csv_fini(&st->p, on_field, on_record, st) != 0) {
            st->repaired = true;
            csv_set_opts(&st->p, 0);
            if (st->phase == PH_HEADER) {
                set_err(st, LW_EPARSE, st->rec_line, "unclosed quote in the header");
                st->phase = PH_DONE;
                return;
            }
            (void)csv_fini(&st->p, on_field, on_record, st);
        }
    } else if (st->phase == PH_NOTES) {
        set_err(st, LW_EPARSE, 0, "no header after the Notes: preamble");
    }
    st->phase = PH_DONE;
}

static int csv_next(struct lw_reader *r, struct lw_msg **out, struct lw_diag *diag)
{
    struct csvr *st = r->st;
    int rc;

    for (;;) {
        size_t i, n;
        if (st->ready) {
            *out = st->ready;
            st->ready = NULL;
            return 1;
        }
        if (st->err) {
            rc = st->err;
            lw_reader_diag(r, diag, st->err_line, "%s", st->err_msg);
            st->err = 0;
            return rc;
        }
        if (st->phase == PH_DONE)
            return 0;
        if (st->chunk_pos == st->chunk_len) {
            size_t got = 0;
            if (st->eof) {
                finish(st);
                continue;
            }
            rc = lw_reader_in_read(r->in, st->chunk, LW_READER_CHUNK, &got);
            if (rc < 0) {
                lw_reader_diag(r, diag, st->line, "read error");
                return rc;
            }
            st->chunk_pos = 0;
            st->chunk_len = got;
            if (got == 0)
                st->eof = true;
            if (st->first_chunk && got >= 3 && memcmp(st->chunk, "\xEF\xBB\xBF", 3) == 0)
                st->chunk_pos = 3; /* byte order mark */
            st->first_chunk = false;
            continue;
        }
        n = st->chunk_len - st->chunk_pos;
        for (i = 0; i < n; i++) {
            unsigned char c = st->chunk[st->chunk_pos + i];
            if (c == '\n' || c == '\r') {
                i++;
                break;
            }
        }
        rc = feed(st, st->chunk + st->chunk_pos, i);
        st->chunk_pos += i;
        if (rc < 0)
            continue; /* reported through st->err */
    }
}

static void csv_free_state(struct lw_reader *r)
{
    struct csvr *st = r->st;
    size_t k;

    if (!st)
        return;
    if (st->p_init)
        csv_free(&st->p);
    for (k = 0; k < NCOL; k++)
        lw_buf_release(&st->val[k]);
    lw_msg_free(st->ready);
    free(st->chunk);
    free(st);
}

static const struct lw_reader_ops csv_ops = {csv_next, NULL, csv_free_state};

int lw_reader_init_csv(struct lw_reader *r, struct lw_diag *diag)
{
    struct csvr *st = calloc(1, sizeof(*st));
    size_t k;

    (void)diag;
    if (!st)
        return LW_ENOMEM;
    r->st = st;
    r->ops = &csv_ops;
    st->r = r;
    st->names = r->fmt == LW_FORMAT_LINKEDIN_INVITATIONS ? invitation_cols : message_cols;
    st->line = 1;
    st->first_chunk = true;
    for (k = 0; k < NCOL; k++)
        lw_buf_init(&st->val[k], r->lim.max_record);
    st->chunk = malloc(LW_READER_CHUNK);
    if (!st->chunk || csv_init(&st->p, 0) != 0)
        return LW_ENOMEM;
    st->p_init = true;
    return LW_OK;
}
