/* share_csv.c -- watchlist entries as CSV (RFC 4180, through libcsv): the
 * columns of LW_SHARE_CSV_HEADER, found by header name; aliases and
 * related values are '|'-separated. Import stops at the first bad row and
 * names its line. */
#include <csv.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "share/share_int.h"

enum col {
    C_TYPE,
    C_VALUE,
    C_ALIASES,
    C_HANZI,
    C_PLATFORM,
    C_SOURCE,
    C_SOURCE_URL,
    C_DATE,
    C_CONFIDENCE,
    C_NOTE,
    C_EXPIRES,
    C_RELATED,
    C_COUNT_
};

static const char *const col_names[C_COUNT_] = {
    "type",       "value", "aliases",    "hanzi", "platform", "source",
    "source_url", "date",  "confidence", "note",  "expires",  "related",
};

enum { MAX_FIELDS = 64 };

struct csvin {
    const char *name;
    struct lw_entry_list *out;
    struct lw_diag *diag;
    int rc;                 /* first error; later callbacks do nothing */
    unsigned long line;     /* line of the chunk being parsed */
    unsigned long rec_line; /* line where the current record started */
    size_t nrec;            /* records so far, the header included */
    int pos[C_COUNT_];      /* field position of each column, -1 if absent */
    size_t nhead;           /* fields in the header */
    char *f[MAX_FIELDS];    /* the current record's fields */
    size_t nf;
};

/* Record the first error only: the first bad row is the one to report. */
#define FAIL(c, at, code, ...)                                                                     \
    do {                                                                                           \
        if (!(c)->rc) {                                                                            \
            lw_diag_at((c)->diag, (c)->name, (at), 0);                                             \
            lw_diag_set((c)->diag, __VA_ARGS__);                                                   \
            (c)->rc = (code);                                                                      \
        }                                                                                          \
    } while (0)

static void clear_fields(struct csvin *c)
{
    size_t i;

    for (i = 0; i < c->nf; i++)
        free(c->f[i]);
    c->nf = 0;
}

static void on_field(void *p, size_t len, void *data)
{
    struct csvin *c = data;
    char *s;

    if (c->rc)
        return;
    if (c->nf == 0)
        c->rec_line = c->line;
    if (c->nf == MAX_FIELDS) {
        FAIL(c, c->rec_line, LW_EPARSE, "more than %d fields in a record", MAX_FIELDS);
        return;
    }
    if (p && memchr(p, '\0', len)) {
        FAIL(c, c->rec_line, LW_EPARSE, "a NUL byte in field %zu", c->nf + 1);
        return;
    }
    s = malloc(len + 1);
    if (!s) {
        c->rc = LW_ENOMEM;
        return;
    }
    if (len)
        memcpy(s, p, len);
    s[len] = '\0';
    c->f[c->nf++] = s;
}

/* Trim blanks at both ends in place. */
static char *trim(char *s)
{
    char *e;

    while (isspace((unsigned char)*s))
        s++;
    e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static void header(struct csvin *c)
{
    size_t i, k;
    char *name;

    for (k = 0; k < C_COUNT_; k++)
        c->pos[k] = -1;
    for (i = 0; i < c->nf; i++) {
        name = trim(c->f[i]);
        if (i == 0 && !strncmp(name, "\xEF\xBB\xBF", 3))
            name += 3;
        for (k = 0; k < C_COUNT_; k++)
            if (!strcasecmp(name, col_names[k]))
                break;
        if (k == C_COUNT_) {
            FAIL(c, c->rec_line, LW_EPARSE,
                 "unknown column '%.60s' (the columns are " LW_SHARE_CSV_HEADER ")", name);
            return;
        }
        if (c->pos[k] >= 0) {
            FAIL(c, c->rec_line, LW_EPARSE, "column '%s' appears twice", col_names[k]);
            return;
        }
        c->pos[k] = (int)i;
    }
    c->nhead = c->nf;
    for (k = 0; k < C_COUNT_; k++) {
        if (c->pos[k] < 0 && (k == C_TYPE || k == C_VALUE || k == C_SOURCE || k == C_DATE)) {
            FAIL(c, c->rec_line, LW_EPARSE, "missing required column '%s' in the header",
                 col_names[k]);
            return;
        }
    }
}

/* The field of column k in the current record, trimmed; NULL when the
 * column is absent or the field empty. */
static const char *get(struct csvin *c, enum col k)
{
    char *s;

    if (c->pos[k] < 0)
        return NULL;
    s = trim(c->f[c->pos[k]]);
    return *s ? s : NULL;
}

/* Split a '|'-separated list into arena strings. */
static int split(struct csvin *c, const char *s, const char ***out, size_t *n)
{
    const char **v;
    size_t cap = 1, k = 0;
    const char *p;

    *out = NULL;
    *n = 0;
    if (!s)
        return LW_OK;
    for (p = s; *p; p++)
        cap += *p == '|';
    if (!c->out->arena && !(c->out->arena = lw_arena_new(16384)))
        return LW_ENOMEM;
    v = lw_arena_calloc(c->out->arena, cap, sizeof(*v));
    if (!v)
        return LW_ENOMEM;
    for (p = s;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        char *item = lw_arena_strndup(c->out->arena, p, len);

        if (!item)
            return LW_ENOMEM;
        item = trim(item);
        if (*item)
            v[k++] = item;
        if (!bar)
            break;
        p = bar + 1;
    }
    *out = v;
    *n = k;
    return LW_OK;
}

static void record(struct csvin *c)
{
    struct lw_entry e = {0};
    const char *s;
    long conf = 50;
    int rc;

    if (c->nf != c->nhead) {
        FAIL(c, c->rec_line, LW_EPARSE, "%zu fields, but the header has %zu", c->nf, c->nhead);
        return;
    }
    s = get(c, C_TYPE);
    if (!s) {
        FAIL(c, c->rec_line, LW_EPARSE, "type: missing");
        return;
    }
    if (lw_entry_type_parse(s, &e.type) < 0) {
        FAIL(c, c->rec_line, LW_EPARSE,
             "type: unknown entry type '%.40s' (persona, org, domain, email, url, phone, handle, "
             "template, impersonated)",
             s);
        return;
    }
    s = get(c, C_CONFIDENCE);
    if (s && (lw_parse_long(s, &conf) < 0 || conf < 0 || conf > 100)) {
        FAIL(c, c->rec_line, LW_EPARSE, "confidence: '%.20s' is not a number from 0 to 100", s);
        return;
    }
    e.confidence = (int)conf;
    e.value = get(c, C_VALUE);
    e.hanzi = get(c, C_HANZI);
    e.platform = get(c, C_PLATFORM);
    e.source = get(c, C_SOURCE);
    e.source_url = get(c, C_SOURCE_URL);
    e.date = get(c, C_DATE);
    e.note = get(c, C_NOTE);
    e.expires = get(c, C_EXPIRES);
    rc = split(c, get(c, C_ALIASES), &e.aliases, &e.n_aliases);
    if (rc == LW_OK)
        rc = split(c, get(c, C_RELATED), &e.related, &e.n_related);
    if (rc < 0) {
        c->rc = rc;
        return;
    }
    if (lw_entry_check(&e, c->diag) < 0) {
        lw_diag_at(c->diag, c->name, c->rec_line, 0);
        c->rc = LW_EPARSE;
        return;
    }
    if (c->nrec - 1 > LW_SHARE_MAX_ENTRIES) {
        FAIL(c, c->rec_line, LW_ELIMIT, "more than %d entries", LW_SHARE_MAX_ENTRIES);
        return;
    }
    c->rc = lw_entry_list_add(c->out, &e);
}

static void on_row(int term, void *data)
{
    struct csvin *c = data;

    (void)term;
    if (!c->rc) {
        c->nrec++;
        if (c->nrec == 1)
            header(c);
        else
            record(c);
    }
    clear_fields(c);
}

int lw_share_csv_import(const char *data, size_t len, const char *name, struct lw_entry_list *out,
                        struct lw_diag *diag)
{
    struct csvin c;
    struct csv_parser p;
    size_t off = 0, mark = out->n;

    memset(&c, 0, sizeof(c));
    c.name = name;
    c.out = out;
    c.diag = diag;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return LW_ENOMEM;
    /* Feed one line at a time so that callbacks know the line number. */
    while (off < len && !c.rc) {
        const char *nl = memchr(data + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (data + off)) + 1 : len - off;

        c.line++;
        if (csv_parse(&p, data + off, n, on_field, on_row, &c) != n) {
            FAIL(&c, c.line, LW_EPARSE, "malformed CSV: %s", csv_strerror(csv_error(&p)));
            break;
        }
        off += n;
    }
    if (!c.rc && csv_fini(&p, on_field, on_row, &c) != 0)
        FAIL(&c, c.line, LW_EPARSE, "malformed CSV: %s (an unclosed quote?)",
             csv_strerror(csv_error(&p)));
    if (!c.rc && c.nrec == 0)
        FAIL(&c, 0, LW_EPARSE, "empty file: a CSV watchlist starts with the header %s",
             LW_SHARE_CSV_HEADER);
    clear_fields(&c);
    csv_free(&p);
    if (c.rc)
        lw_share_truncate(out, mark);
    return c.rc;
}

/* ---- export ------------------------------------------------------------- */

static int put_field(struct lw_buf *b, const char *s)
{
    size_t n, need;
    int rc;

    if (!s || !*s)
        return LW_OK;
    n = strlen(s);
    if (!strpbrk(s, ",\"\r\n") && !isspace((unsigned char)s[0]) &&
        !isspace((unsigned char)s[n - 1]))
        return lw_buf_append(b, s, n);
    need = csv_write(NULL, 0, s, n);
    rc = lw_buf_grow(b, need + 1);
    if (rc < 0)
        return rc;
    csv_write(b->p + b->len, need, s, n);
    b->len += need;
    b->p[b->len] = '\0';
    return LW_OK;
}

static int put_list(struct lw_buf *b, const char **v, size_t n)
{
    struct lw_buf tmp = LW_BUF_INIT(LW_SHARE_MAX_INPUT);
    size_t i;
    int rc = LW_OK;

    for (i = 0; i < n && rc == LW_OK; i++) {
        if (i)
            rc = lw_buf_appendc(&tmp, '|');
        if (rc == LW_OK)
            rc = lw_buf_appends(&tmp, v[i]);
    }
    if (rc == LW_OK)
        rc = put_field(b, lw_buf_str(&tmp));
    lw_buf_release(&tmp);
    return rc;
}

int lw_share_csv_export(const struct lw_entry *e, size_t n, struct lw_buf *out,
                        struct lw_diag *diag)
{
    size_t i;
    int rc;

    (void)diag;
    rc = lw_buf_appends(out, LW_SHARE_CSV_HEADER "\n");
    for (i = 0; i < n && rc == LW_OK; i++) {
        const struct lw_entry *x = &e[i];

        rc = lw_buf_printf(out, "%s,", lw_entry_type_name(x->type));
        if (rc == LW_OK)
            rc = put_field(out, x->value);
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, ',');
        if (rc == LW_OK)
            rc = put_list(out, x->aliases, x->n_aliases);
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, ',');
        if (rc == LW_OK)
            rc = put_field(out, x->hanzi);
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, ',');
        if (rc == LW_OK)
            rc = put_field(out, x->platform);
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, ',');
        if (rc == LW_OK)
            rc = put_field(out, x->source);
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, ',');
        if (rc == LW_OK)
            rc = put_field(out, x->source_url);
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, ',');
        if (rc == LW_OK)
            rc = put_field(out, x->date);
        if (rc == LW_OK)
            rc = lw_buf_printf(out, ",%d,", x->confidence);
        if (rc == LW_OK)
            rc = put_field(out, x->note);
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, ',');
        if (rc == LW_OK)
            rc = put_field(out, x->expires);
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, ',');
        if (rc == LW_OK)
            rc = put_list(out, x->related, x->n_related);
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, '\n');
    }
    return rc;
}
