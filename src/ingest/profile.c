/* profile.c -- the profile reader: profile JSON (jansson), LinkedIn's
 * Profile.csv and Positions.csv (libcsv, columns mapped by header name), a
 * folder holding them, or the export ZIP (libzip). See profile.h for the
 * formats and the ownership contract. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <csv.h>
#include <jansson.h>
#include <unicode/utf8.h>

#include "base/buf.h"
#include "ingest/profile.h"
#include "ingest/zipdl.h"

#define FIELD_CAP          (64 * 1024) /* bytes kept of any field but the about text */
#define HEADER_SEARCH_ROWS 10          /* preamble rows skipped before the header */

/* ---- limits and strings ----------------------------------------------- */

static const struct lw_limits *limits_or_default(const struct lw_limits *lim, struct lw_limits *tmp)
{
    if (lim)
        return lim;
    lw_limits_default(tmp);
    return tmp;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Copy p[0..n) into the arena: trimmed, invalid UTF-8 and NULs replaced by
 * U+FFFD, cut at `cap` bytes on a character boundary. An empty result gives
 * *out = NULL. */
static int field_dup(struct lw_arena *a, const char *p, size_t n, size_t cap, const char **out)
{
    static const char repl[] = "\xEF\xBF\xBD";
    char *d;
    size_t o = 0;
    int32_t i = 0, len;

    *out = NULL;
    while (n && is_space((unsigned char)*p)) {
        p++;
        n--;
    }
    while (n && is_space((unsigned char)p[n - 1]))
        n--;
    if (!n)
        return LW_OK;
    if (n > (size_t)INT32_MAX / 4)
        n = (size_t)INT32_MAX / 4;
    if (cap > (size_t)INT32_MAX / 4)
        cap = (size_t)INT32_MAX / 4;
    len = (int32_t)n;
    /* Each input byte becomes at most 3 output bytes (U+FFFD). */
    d = lw_arena_alloc(a, LW_MIN(n * 3, cap) + 1);
    if (!d)
        return LW_ENOMEM;
    while (i < len) {
        int32_t start = i;
        UChar32 c;
        size_t k;

        U8_NEXT(p, i, len, c);
        k = (size_t)(i - start);
        if (c <= 0) { /* invalid sequence or NUL */
            if (o + 3 > cap)
                break;
            memcpy(d + o, repl, 3);
            o += 3;
            continue;
        }
        if (o + k > cap)
            break;
        memcpy(d + o, p + start, k);
        o += k;
    }
    d[o] = '\0';
    *out = o ? d : NULL;
    return LW_OK;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

static int profile_new(const char *source, struct lw_profile **out)
{
    struct lw_arena *a = lw_arena_new(16 * 1024);
    struct lw_profile *p;

    *out = NULL;
    if (!a)
        return LW_ENOMEM;
    p = lw_arena_calloc(a, 1, sizeof(*p));
    if (!p) {
        lw_arena_free(a);
        return LW_ENOMEM;
    }
    p->arena = a;
    p->connections = -1;
    p->account_age_days = -1;
    p->source = lw_arena_strdup(a, source ? source : "-");
    if (!p->source) {
        lw_arena_free(a);
        return LW_ENOMEM;
    }
    *out = p;
    return LW_OK;
}

void lw_profile_free(struct lw_profile *p)
{
    if (!p)
        return;
    lw_arena_free(p->arena);
}

bool lw_profile_position_is_current(const struct lw_profile_position *pos)
{
    const char *e = pos->end;

    return !e || !*e || !strcasecmp(e, "present") || !strcasecmp(e, "current") ||
           !strcasecmp(e, "now");
}

/* The company of the current position (the latest-listed one wins). */
static void company_from_positions(struct lw_profile *p)
{
    size_t i;

    if (p->company)
        return;
    for (i = 0; i < p->n_positions; i++)
        if (p->positions[i].company && lw_profile_position_is_current(&p->positions[i])) {
            p->company = p->positions[i].company;
            return;
        }
}

/* ---- JSON ------------------------------------------------------------- */

struct jctx {
    struct lw_profile *p;
    const char *name; /* file name for diagnostics */
    const struct lw_limits *lim;
    struct lw_diag *diag;
};

static int type_error(struct jctx *c, const char *field, const char *want)
{
    lw_diag_at(c->diag, c->name, 0, 0);
    lw_diag_set(c->diag, "field '%s': expected %s", field, want);
    return LW_EPARSE;
}

/* A string field; null or absent is NULL. Numbers are accepted for dates
 * (`numbers_ok`), e.g. "start": 2019. */
static int get_str(struct jctx *c, json_t *obj, const char *key, const char *path, size_t cap,
                   bool numbers_ok, const char **out)
{
    json_t *v = json_object_get(obj, key);
    char num[32];

    *out = NULL;
    if (!v || json_is_null(v))
        return LW_OK;
    if (json_is_string(v))
        return field_dup(c->p->arena, json_string_value(v), json_string_length(v), cap, out);
    if (numbers_ok && json_is_integer(v)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        return field_dup(c->p->arena, num, strlen(num), cap, out);
    }
    return type_error(c, path ? path : key, numbers_ok ? "a string or a number" : "a string");
}

static int get_count(struct jctx *c, json_t *obj, const char *key, long *out, bool *plus)
{
    json_t *v = json_object_get(obj, key);
    const char *s;
    size_t n;
    long val;
    char buf[32];

    if (plus)
        *plus = false;
    if (!v || json_is_null(v))
        return LW_OK;
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < 0 || x > 100000000)
            return type_error(c, key, "a count between 0 and 100000000");
        *out = (long)x;
        return LW_OK;
    }
    if (!json_is_string(v))
        return type_error(c, key, plus ? "an integer or \"500+\"" : "an integer");
    s = json_string_value(v);
    n = json_string_length(v);
    while (n && is_space((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && is_space((unsigned char)s[n - 1]))
        n--;
    if (plus && n && s[n - 1] == '+') {
        *plus = true;
        n--;
    }
    if (!n || n >= sizeof(buf))
        goto bad;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (lw_parse_long(buf, &val) < 0 || val < 0 || val > 100000000)
        goto bad;
    *out = val;
    return LW_OK;
bad:
    if (plus)
        *plus = false;
    return type_error(c, key, plus ? "an integer or \"500+\"" : "an integer");
}

static int json_position(struct jctx *c, json_t *o, size_t idx, struct lw_profile_position *pos)
{
    static const struct {
        const char *key;
        size_t off;
        bool date;
    } fields[] = {
        {"company", offsetof(struct lw_profile_position, company), false},
        {"title", offsetof(struct lw_profile_position, title), false},
        {"location", offsetof(struct lw_profile_position, location), false},
        {"start", offsetof(struct lw_profile_position, start), true},
        {"end", offsetof(struct lw_profile_position, end), true},
        {"description", offsetof(struct lw_profile_position, description), false},
    };
    char path[64];
    size_t i;
    int rc;

    if (!json_is_object(o)) {
        snprintf(path, sizeof(path), "positions[%zu]", idx);
        return type_error(c, path, "an object");
    }
    for (i = 0; i < LW_ARRAY_LEN(fields); i++) {
        const char **dst = (const char **)(void *)((char *)pos + fields[i].off);
        size_t cap = !strcmp(fields[i].key, "description") ? c->lim->max_text : FIELD_CAP;

        snprintf(path, sizeof(path), "positions[%zu].%s", idx, fields[i].key);
        rc = get_str(c, o, fields[i].key, path, cap, fields[i].date, dst);
        if (rc < 0)
            return rc;
    }
    /* "company_name" and "from"/"to" are common spellings too. */
    if (!pos->company) {
        snprintf(path, sizeof(path), "positions[%zu].company_name", idx);
        rc = get_str(c, o, "company_name", path, FIELD_CAP, false, &pos->company);
        if (rc < 0)
            return rc;
    }
    return LW_OK;
}

static int json_school(struct jctx *c, json_t *o, size_t idx, struct lw_profile_school *s)
{
    char path[64];
    int rc;

    if (json_is_string(o))
        return field_dup(c->p->arena, json_string_value(o), json_string_length(o), FIELD_CAP,
                         &s->school);
    if (!json_is_object(o)) {
        snprintf(path, sizeof(path), "education[%zu]", idx);
        return type_error(c, path, "a string or an object");
    }
    snprintf(path, sizeof(path), "education[%zu].school", idx);
    rc = get_str(c, o, "school", path, FIELD_CAP, false, &s->school);
    if (rc < 0)
        return rc;
    snprintf(path, sizeof(path), "education[%zu].degree", idx);
    rc = get_str(c, o, "degree", path, FIELD_CAP, false, &s->degree);
    if (rc < 0)
        return rc;
    snprintf(path, sizeof(path), "education[%zu].start", idx);
    rc = get_str(c, o, "start", path, FIELD_CAP, true, &s->start);
    if (rc < 0)
        return rc;
    snprintf(path, sizeof(path), "education[%zu].end", idx);
    return get_str(c, o, "end", path, FIELD_CAP, true, &s->end);
}

static int json_array_field(struct jctx *c, json_t *root, const char *key, json_t **arr, size_t *n)
{
    json_t *v = json_object_get(root, key);

    *arr = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return LW_OK;
    if (!json_is_array(v))
        return type_error(c, key, "an array");
    if (json_array_size(v) > LW_PROFILE_MAX_ENTRIES) {
        lw_diag_at(c->diag, c->name, 0, 0);
        lw_diag_set(c->diag, "field '%s': more than %d entries", key, LW_PROFILE_MAX_ENTRIES);
        return LW_ELIMIT;
    }
    *arr = v;
    *n = json_array_size(v);
    return LW_OK;
}

static int json_photo(struct jctx *c, json_t *root)
{
    json_t *v = json_object_get(root, "photo");
    struct lw_profile *p = c->p;
    int rc;

    if (v) {
        if (json_is_null(v) || json_is_false(v))
            p->photo = LW_PROFILE_PHOTO_NONE;
        else if (json_is_true(v))
            p->photo = LW_PROFILE_PHOTO_PRESENT;
        else if (json_is_string(v))
            p->photo = json_string_length(v) ? LW_PROFILE_PHOTO_PRESENT : LW_PROFILE_PHOTO_NONE;
        else
            return type_error(c, "photo", "true, false, null or a string");
    }
    rc = get_str(c, root, "photo_hash", NULL, 256, false, &p->photo_hash);
    if (rc < 0)
        return rc;
    if (p->photo_hash) {
        char *h = (char *)(uintptr_t)p->photo_hash;
        for (; *h; h++)
            if (*h >= 'A' && *h <= 'Z')
                *h = (char)(*h - 'A' + 'a');
        if (p->photo == LW_PROFILE_PHOTO_UNKNOWN)
            p->photo = LW_PROFILE_PHOTO_PRESENT;
    }
    return LW_OK;
}

static int parse_json(const char *buf, size_t len, const char *name, const struct lw_limits *lim,
                      struct lw_profile *p, struct lw_diag *diag)
{
    static const struct {
        const char *key;
        size_t off;
        bool date;
    } fields[] = {
        {"name", offsetof(struct lw_profile, name), false},
        {"headline", offsetof(struct lw_profile, headline), false},
        {"company", offsetof(struct lw_profile, company), false},
        {"company_url", offsetof(struct lw_profile, company_url), false},
        {"location", offsetof(struct lw_profile, location), false},
        {"industry", offsetof(struct lw_profile, industry), false},
        {"about", offsetof(struct lw_profile, about), false},
        {"url", offsetof(struct lw_profile, url), false},
        {"account_created", offsetof(struct lw_profile, account_created), true},
    };
    struct jctx c = {p, name, lim, diag};
    json_error_t err;
    json_t *root = NULL, *arr;
    size_t i, n;
    int rc;

    root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        lw_diag_at(diag, name, err.line > 0 ? (unsigned long)err.line : 0,
                   err.column > 0 ? (unsigned long)err.column : 0);
        lw_diag_set(diag, "bad JSON: %s", err.text);
        rc = LW_EPARSE;
        goto out;
    }
    if (!json_is_object(root)) {
        lw_diag_at(diag, name, 0, 0);
        lw_diag_set(diag, "expected a JSON object describing one profile");
        rc = LW_EPARSE;
        goto out;
    }
    for (i = 0; i < LW_ARRAY_LEN(fields); i++) {
        const char **dst = (const char **)(void *)((char *)p + fields[i].off);
        size_t cap = !strcmp(fields[i].key, "about") ? lim->max_text : FIELD_CAP;

        rc = get_str(&c, root, fields[i].key, NULL, cap, fields[i].date, dst);
        if (rc < 0)
            goto out;
    }
    if (!p->name) {
        const char *first = NULL, *last = NULL;

        rc = get_str(&c, root, "first_name", NULL, FIELD_CAP, false, &first);
        if (rc < 0)
            goto out;
        rc = get_str(&c, root, "last_name", NULL, FIELD_CAP, false, &last);
        if (rc < 0)
            goto out;
        if (first || last) {
            p->name = lw_arena_printf(p->arena, "%s%s%s", first ? first : "",
                                      first && last ? " " : "", last ? last : "");
            if (!p->name) {
                rc = LW_ENOMEM;
                goto out;
            }
        }
    }
    if (!p->company_url) {
        rc = get_str(&c, root, "website", NULL, FIELD_CAP, false, &p->company_url);
        if (rc < 0)
            goto out;
    }
    rc = get_count(&c, root, "connections", &p->connections, &p->connections_plus);
    if (rc < 0)
        goto out;
    rc = get_count(&c, root, "account_age_days", &p->account_age_days, NULL);
    if (rc < 0)
        goto out;
    rc = json_photo(&c, root);
    if (rc < 0)
        goto out;

    rc = json_array_field(&c, root, "positions", &arr, &n);
    if (rc < 0)
        goto out;
    p->positions_known = arr != NULL;
    if (n) {
        p->positions = lw_arena_calloc(p->arena, n, sizeof(*p->positions));
        if (!p->positions) {
            rc = LW_ENOMEM;
            goto out;
        }
        for (i = 0; i < n; i++) {
            rc = json_position(&c, json_array_get(arr, i), i, &p->positions[i]);
            if (rc < 0)
                goto out;
        }
        p->n_positions = n;
    }
    rc = json_array_field(&c, root, "education", &arr, &n);
    if (rc < 0)
        goto out;
    if (n) {
        p->education = lw_arena_calloc(p->arena, n, sizeof(*p->education));
        if (!p->education) {
            rc = LW_ENOMEM;
            goto out;
        }
        for (i = 0; i < n; i++) {
            rc = json_school(&c, json_array_get(arr, i), i, &p->education[i]);
            if (rc < 0)
                goto out;
        }
        p->n_education = n;
    }
    company_from_positions(p);
    rc = LW_OK;
out:
    json_decref(root);
    return rc;
}

/* ---- CSV -------------------------------------------------------------- */

/* The columns we map, for both files. A column's index is -1 until the
 * header names it. */
enum col {
    C_FIRST,
    C_LAST,
    C_HEADLINE,
    C_SUMMARY,
    C_INDUSTRY,
    C_GEO,
    C_WEBSITES,
    C_COMPANY,
    C_TITLE,
    C_DESCRIPTION,
    C_LOCATION,
    C_STARTED,
    C_FINISHED,
    C_N
};

static const char *const col_names[C_N] = {
    "First Name",   "Last Name",  "Headline",     "Summary", "Industry",
    "Geo Location", "Websites",   "Company Name", "Title",   "Description",
    "Location",     "Started On", "Finished On",
};

struct csv_field {
    char *p;
    size_t n;
};

struct cctx {
    struct lw_profile *p;
    const char *name;
    const struct lw_limits *lim;
    struct lw_diag *diag;
    bool positions; /* this file is Positions.csv */
    int rc;
    unsigned long record; /* 1-based */
    bool have_header;
    int idx[C_N];
    struct csv_field *row;
    size_t nf, cap;
    size_t pos_cap;
    bool profile_done;
};

static void cb_field(void *s, size_t n, void *data)
{
    struct cctx *c = data;
    struct csv_field *f;

    if (c->rc < 0)
        return;
    if (c->nf >= c->lim->max_csv_columns) {
        lw_diag_at(c->diag, c->name, c->record + 1, 0);
        lw_diag_set(c->diag, "record %lu has more than %u columns", c->record + 1,
                    c->lim->max_csv_columns);
        c->rc = LW_ELIMIT;
        return;
    }
    if (c->nf == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 16;
        struct csv_field *r = realloc(c->row, ncap * sizeof(*r));
        if (!r) {
            c->rc = LW_ENOMEM;
            return;
        }
        c->row = r;
        c->cap = ncap;
    }
    f = &c->row[c->nf];
    f->p = malloc(n + 1);
    if (!f->p) {
        c->rc = LW_ENOMEM;
        return;
    }
    if (n)
        memcpy(f->p, s, n);
    f->p[n] = '\0';
    f->n = n;
    c->nf++;
}

static void row_clear(struct cctx *c)
{
    size_t i;

    for (i = 0; i < c->nf; i++)
        free(c->row[i].p);
    c->nf = 0;
}

static bool header_is(const struct csv_field *f, const char *want, bool first)
{
    const char *s = f->p;
    size_t n = f->n;

    if (first && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
        s += 3;
        n -= 3;
    }
    while (n && is_space((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n && is_space((unsigned char)s[n - 1]))
        n--;
    return n == strlen(want) && !strncasecmp(s, want, n);
}

static void take_header(struct cctx *c)
{
    static const enum col need_profile[] = {C_FIRST, C_LAST, C_HEADLINE};
    static const enum col need_positions[] = {C_COMPANY, C_TITLE, C_STARTED};
    const enum col *need = c->positions ? need_positions : need_profile;
    size_t i, k;

    for (k = 0; k < C_N; k++)
        c->idx[k] = -1;
    for (i = 0; i < c->nf; i++)
        for (k = 0; k < C_N; k++)
            if (c->idx[k] < 0 && header_is(&c->row[i], col_names[k], i == 0))
                c->idx[k] = (int)i;
    for (k = 0; k < 3; k++)
        if (c->idx[need[k]] < 0) {
            lw_diag_at(c->diag, c->name, c->record, 0);
            lw_diag_set(c->diag, "missing column '%s' in the header", col_names[need[k]]);
            c->rc = LW_EPARSE;
            return;
        }
    c->have_header = true;
}

static int cell(struct cctx *c, enum col k, size_t cap, const char **out)
{
    int i = c->idx[k];

    *out = NULL;
    if (i < 0 || (size_t)i >= c->nf)
        return LW_OK;
    return field_dup(c->p->arena, c->row[i].p, c->row[i].n, cap, out);
}

static int profile_row(struct cctx *c)
{
    struct lw_profile *p = c->p;
    const char *first, *last;
    int rc;

    if (c->profile_done) /* Profile.csv holds one person; later rows are ignored */
        return LW_OK;
    c->profile_done = true;
    if ((rc = cell(c, C_FIRST, FIELD_CAP, &first)) < 0 ||
        (rc = cell(c, C_LAST, FIELD_CAP, &last)) < 0 ||
        (rc = cell(c, C_HEADLINE, FIELD_CAP, &p->headline)) < 0 ||
        (rc = cell(c, C_SUMMARY, c->lim->max_text, &p->about)) < 0 ||
        (rc = cell(c, C_INDUSTRY, FIELD_CAP, &p->industry)) < 0 ||
        (rc = cell(c, C_GEO, FIELD_CAP, &p->location)) < 0 ||
        (rc = cell(c, C_WEBSITES, FIELD_CAP, &p->company_url)) < 0)
        return rc;
    if (first || last) {
        p->name = lw_arena_printf(p->arena, "%s%s%s", first ? first : "", first && last ? " " : "",
                                  last ? last : "");
        if (!p->name)
            return LW_ENOMEM;
    }
    return LW_OK;
}

static int position_row(struct cctx *c)
{
    struct lw_profile *p = c->p;
    struct lw_profile_position *pos;
    int rc;

    if (p->n_positions >= LW_PROFILE_MAX_ENTRIES) {
        lw_diag_at(c->diag, c->name, c->record, 0);
        lw_diag_set(c->diag, "more than %d positions", LW_PROFILE_MAX_ENTRIES);
        return LW_ELIMIT;
    }
    if (p->n_positions == c->pos_cap) {
        size_t ncap = c->pos_cap ? c->pos_cap * 2 : 8;
        struct lw_profile_position *np = lw_arena_calloc(p->arena, ncap, sizeof(*np));
        if (!np)
            return LW_ENOMEM;
        if (p->n_positions)
            memcpy(np, p->positions, p->n_positions * sizeof(*np));
        p->positions = np;
        c->pos_cap = ncap;
    }
    pos = &p->positions[p->n_positions];
    memset(pos, 0, sizeof(*pos));
    if ((rc = cell(c, C_COMPANY, FIELD_CAP, &pos->company)) < 0 ||
        (rc = cell(c, C_TITLE, FIELD_CAP, &pos->title)) < 0 ||
        (rc = cell(c, C_DESCRIPTION, c->lim->max_text, &pos->description)) < 0 ||
        (rc = cell(c, C_LOCATION, FIELD_CAP, &pos->location)) < 0 ||
        (rc = cell(c, C_STARTED, FIELD_CAP, &pos->start)) < 0 ||
        (rc = cell(c, C_FINISHED, FIELD_CAP, &pos->end)) < 0)
        return rc;
    if (pos->company || pos->title)
        p->n_positions++;
    return LW_OK;
}

static bool row_blank(const struct cctx *c)
{
    size_t i, j;

    for (i = 0; i < c->nf; i++)
        for (j = 0; j < c->row[i].n; j++)
            if (!is_space((unsigned char)c->row[i].p[j]))
                return false;
    return true;
}

static void cb_row(int term, void *data)
{
    struct cctx *c = data;
    int rc;

    (void)term;
    if (c->rc < 0) {
        row_clear(c);
        return;
    }
    c->record++;
    if (row_blank(c))
        goto done;
    if (!c->have_header) {
        /* Skip a "Notes:" preamble (as Connections.csv has) or other
         * one-field lines before the header. */
        bool preamble = c->nf < 2 || (c->row[0].n >= 6 && !strncasecmp(c->row[0].p, "Notes:", 6));
        if (preamble && c->record < HEADER_SEARCH_ROWS)
            goto done;
        take_header(c);
        goto done;
    }
    rc = c->positions ? position_row(c) : profile_row(c);
    if (rc < 0)
        c->rc = rc;
done:
    row_clear(c);
}

static int parse_csv_one(const char *buf, size_t len, const char *name, bool positions,
                         const struct lw_limits *lim, struct lw_profile *p, struct lw_diag *diag)
{
    struct csv_parser parser;
    struct cctx c;
    int rc;

    memset(&c, 0, sizeof(c));
    c.p = p;
    c.name = name;
    c.lim = lim;
    c.diag = diag;
    c.positions = positions;
    if (len > lim->max_record) {
        lw_diag_at(diag, name, 0, 0);
        lw_diag_set(diag, "file is larger than %zu bytes", lim->max_record);
        return LW_ELIMIT;
    }
    if (csv_init(&parser, 0) != 0)
        return LW_ENOMEM;
    if (csv_parse(&parser, buf, len, cb_field, cb_row, &c) != len && c.rc == 0) {
        lw_diag_at(diag, name, c.record + 1, 0);
        lw_diag_set(diag, "CSV error: %s", csv_strerror(csv_error(&parser)));
        c.rc = csv_error(&parser) == CSV_ENOMEM ? LW_ENOMEM : LW_EPARSE;
    }
    if (c.rc == 0)
        csv_fini(&parser, cb_field, cb_row, &c);
    csv_free(&parser);
    row_clear(&c);
    free(c.row);
    rc = c.rc;
    if (rc == 0 && !c.have_header) {
        lw_diag_at(diag, name, 0, 0);
        lw_diag_set(diag, "no header row: missing column '%s'",
                    col_names[positions ? C_COMPANY : C_FIRST]);
        rc = LW_EPARSE;
    }
    return rc;
}

/* Parse either or both CSVs into a new profile. */
static int parse_csv_pair(const char *prof, size_t prof_len, const char *prof_name,
                          const char *posn, size_t posn_len, const char *posn_name,
                          const struct lw_limits *lim, struct lw_profile **out,
                          struct lw_diag *diag)
{
    struct lw_profile *p = NULL;
    int rc;

    *out = NULL;
    if (!prof && !posn) {
        lw_diag_set(diag, "neither Profile.csv nor Positions.csv given");
        return LW_EINVAL;
    }
    rc = profile_new(prof ? prof_name : posn_name, &p);
    if (rc < 0)
        return rc;
    if (prof) {
        rc = parse_csv_one(prof, prof_len, prof_name, false, lim, p, diag);
        if (rc < 0)
            goto out;
    }
    if (posn) {
        rc = parse_csv_one(posn, posn_len, posn_name, true, lim, p, diag);
        if (rc < 0)
            goto out;
        p->positions_known = true;
    }
    company_from_positions(p);
    *out = p;
    p = NULL;
out:
    lw_profile_free(p);
    return rc;
}

int lw_profile_parse_csv(const void *profile_csv, size_t profile_len, const char *profile_name,
                         const void *positions_csv, size_t positions_len,
                         const char *positions_name, const struct lw_limits *lim,
                         struct lw_profile **out, struct lw_diag *diag)
{
    struct lw_limits tmp;

    return parse_csv_pair(profile_csv, profile_len, profile_name ? profile_name : "Profile.csv",
                          positions_csv, positions_len,
                          positions_name ? positions_name : "Positions.csv",
                          limits_or_default(lim, &tmp), out, diag);
}

/* ---- files, folders, ZIP ---------------------------------------------- */

/* Append one chunk read from a file or a ZIP entry to b; LW_ELIMIT names
 * `what` (file or entry) of `label` when b's cap is passed. */
static int slurp_chunk(struct lw_buf *b, const char *chunk, size_t got, const char *label,
                       const char *what, struct lw_diag *diag)
{
    int rc = lw_buf_append(b, chunk, got);

    if (rc == LW_ELIMIT) {
        lw_diag_at(diag, label, 0, 0);
        lw_diag_set(diag, "%s is larger than %zu bytes", what, b->max);
    }
    return rc;
}

/* Read a whole file, at most `max` bytes (more is LW_ELIMIT). */
static int slurp(const char *path, size_t max, char **out, size_t *len, struct lw_diag *diag)
{
    struct lw_buf b = LW_BUF_INIT(max);
    char chunk[65536];
    FILE *f;
    size_t got;
    int rc = LW_OK;

    f = fopen(path, "rb");
    if (!f) {
        lw_diag_at(diag, path, 0, 0);
        lw_diag_set(diag, "cannot open: %s", strerror(errno));
        return errno == ENOENT ? LW_ENOTFOUND : LW_EIO;
    }
    while (rc == LW_OK && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
        rc = slurp_chunk(&b, chunk, got, path, "file", diag);
    if (rc == LW_OK && ferror(f)) {
        lw_diag_at(diag, path, 0, 0);
        lw_diag_set(diag, "read error");
        rc = LW_EIO;
    }
    fclose(f);
    if (rc == LW_OK) {
        *out = lw_buf_detach(&b, len);
        if (!*out)
            rc = LW_ENOMEM;
    }
    lw_buf_release(&b);
    return rc;
}

/* Read one entry of a ZIP into memory, capped at `max` bytes. */
static int zip_slurp(const struct lw_zip_api *z, zip_t *za, zip_int64_t idx, const char *label,
                     size_t max, char **out, size_t *len, struct lw_diag *diag)
{
    struct lw_buf b = LW_BUF_INIT(max);
    char chunk[65536];
    zip_file_t *zf;
    zip_int64_t got;
    int rc = LW_OK;

    zf = z->fopen_index(za, (zip_uint64_t)idx, 0);
    if (!zf) {
        lw_diag_at(diag, label, 0, 0);
        lw_diag_set(diag, "cannot read from the ZIP: %s", z->strerror(za));
        return LW_EPARSE;
    }
    while (rc == LW_OK && (got = z->fread(zf, chunk, sizeof(chunk))) != 0) {
        if (got < 0) {
            lw_diag_at(diag, label, 0, 0);
            lw_diag_set(diag, "cannot read from the ZIP: %s", z->file_strerror(zf));
            rc = LW_EPARSE;
            break;
        }
        rc = slurp_chunk(&b, chunk, (size_t)got, label, "entry", diag);
    }
    z->fclose(zf);
    if (rc == LW_OK) {
        *out = lw_buf_detach(&b, len);
        if (!*out)
            rc = LW_ENOMEM;
    }
    lw_buf_release(&b);
    return rc;
}

static int read_zip(const struct lw_zip_api *z, zip_t *za, const char *name,
                    const struct lw_limits *lim, struct lw_profile **out, struct lw_diag *diag)
{
    char *prof = NULL, *posn = NULL;
    size_t prof_len = 0, posn_len = 0;
    char prof_label[300], posn_label[300];
    zip_int64_t ip, iq;
    int rc = LW_OK;

    snprintf(prof_label, sizeof(prof_label), "%s:Profile.csv", name);
    snprintf(posn_label, sizeof(posn_label), "%s:Positions.csv", name);
    if ((zip_uint64_t)z->get_num_entries(za, 0) > lim->max_files) {
        lw_diag_at(diag, name, 0, 0);
        lw_diag_set(diag, "the ZIP holds more than %lu files", lim->max_files);
        return LW_ELIMIT;
    }
    ip = z->name_locate(za, "Profile.csv", ZIP_FL_NOCASE | ZIP_FL_NODIR);
    iq = z->name_locate(za, "Positions.csv", ZIP_FL_NOCASE | ZIP_FL_NODIR);
    if (ip < 0 && iq < 0) {
        lw_diag_at(diag, name, 0, 0);
        lw_diag_set(diag, "the ZIP holds neither Profile.csv nor Positions.csv");
        return LW_ENOTFOUND;
    }
    if (ip >= 0) {
        rc = zip_slurp(z, za, ip, prof_label, lim->max_record, &prof, &prof_len, diag);
        if (rc < 0)
            goto out;
    }
    if (iq >= 0) {
        rc = zip_slurp(z, za, iq, posn_label, lim->max_record, &posn, &posn_len, diag);
        if (rc < 0)
            goto out;
    }
    rc = parse_csv_pair(prof, prof_len, prof_label, posn, posn_len, posn_label, lim, out, diag);
out:
    free(prof);
    free(posn);
    return rc;
}

static int zip_error_diag(const struct lw_zip_api *z, int code, const char *name,
                          struct lw_diag *diag)
{
    zip_error_t ze;

    z->error_init_with_code(&ze, code);
    lw_diag_at(diag, name, 0, 0);
    lw_diag_set(diag, "not a readable ZIP: %s", z->error_strerror(&ze));
    z->error_fini(&ze);
    return code == ZIP_ER_MEMORY ? LW_ENOMEM : LW_EPARSE;
}

static int read_zip_mem(const void *buf, size_t len, const char *name, const struct lw_limits *lim,
                        struct lw_profile **out, struct lw_diag *diag)
{
    const struct lw_zip_api *z = lw_zip(diag);
    zip_error_t ze;
    zip_source_t *src;
    zip_t *za;
    int rc;

    if (!z) {
        lw_diag_at(diag, name, 0, 0);
        return LW_EBACKEND;
    }
    z->error_init(&ze);
    src = z->source_buffer_create(buf, len, 0, &ze);
    if (!src) {
        z->error_fini(&ze);
        return LW_ENOMEM;
    }
    za = z->open_from_source(src, ZIP_RDONLY, &ze);
    if (!za) {
        rc = zip_error_diag(z, z->error_code_zip(&ze), name, diag);
        z->source_free(src);
        z->error_fini(&ze);
        return rc;
    }
    z->error_fini(&ze);
    rc = read_zip(z, za, name, lim, out, diag);
    z->discard(za); /* also frees src */
    return rc;
}

static int read_zip_path(const char *path, const struct lw_limits *lim, struct lw_profile **out,
                         struct lw_diag *diag)
{
    const struct lw_zip_api *z = lw_zip(diag);
    int err = 0, rc;
    zip_t *za;

    if (!z) {
        lw_diag_at(diag, path, 0, 0);
        return LW_EBACKEND;
    }
    za = z->open(path, ZIP_RDONLY, &err);
    if (!za)
        return zip_error_diag(z, err, path, diag);
    rc = read_zip(z, za, path, lim, out, diag);
    z->discard(za);
    return rc;
}

/* The file in `dir` whose name is `want` ignoring case; *out is malloc'd,
 * NULL when there is none. */
static int find_in_dir(const char *dir, const char *want, char **out)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct lw_buf b = LW_BUF_INIT(8192);
    int rc = LW_OK;

    *out = NULL;
    if (!d)
        return LW_OK;
    while ((e = readdir(d))) {
        if (strcasecmp(e->d_name, want))
            continue;
        rc = lw_buf_printf(&b, "%s/%s", dir, e->d_name);
        if (rc < 0)
            goto out;
        *out = lw_buf_detach(&b, NULL);
        goto out;
    }
out:
    closedir(d);
    lw_buf_release(&b);
    return rc;
}

/* Read Profile.csv and/or Positions.csv from files (either path may be NULL). */
static int read_csv_files(const char *prof_path, const char *posn_path, const struct lw_limits *lim,
                          struct lw_profile **out, struct lw_diag *diag)
{
    char *prof = NULL, *posn = NULL;
    size_t prof_len = 0, posn_len = 0;
    int rc = LW_OK;

    if (prof_path) {
        rc = slurp(prof_path, lim->max_record, &prof, &prof_len, diag);
        if (rc < 0)
            goto out;
    }
    if (posn_path) {
        rc = slurp(posn_path, lim->max_record, &posn, &posn_len, diag);
        if (rc < 0)
            goto out;
    }
    rc = parse_csv_pair(prof, prof_len, prof_path, posn, posn_len, posn_path, lim, out, diag);
out:
    free(prof);
    free(posn);
    return rc;
}

static bool looks_like_json(const char *buf, size_t len)
{
    size_t i = 0;

    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && is_space((unsigned char)buf[i]))
        i++;
    return i < len && (buf[i] == '{' || buf[i] == '[');
}

static bool has_bytes(const char *s, size_t n, const char *want)
{
    size_t k = strlen(want), i;

    for (i = 0; k <= n && i <= n - k; i++)
        if (!memcmp(s + i, want, k))
            return true;
    return false;
}

static bool looks_like_zip(const char *buf, size_t len)
{
    return len >= 4 && buf[0] == 'P' && buf[1] == 'K' &&
           ((buf[2] == 3 && buf[3] == 4) || (buf[2] == 5 && buf[3] == 6));
}

int lw_profile_parse_mem(const void *buf, size_t len, const char *name, const struct lw_limits *lim,
                         struct lw_profile **out, struct lw_diag *diag)
{
    struct lw_limits tmp;
    struct lw_profile *p = NULL;
    const char *s = buf;
    int rc;

    *out = NULL;
    lim = limits_or_default(lim, &tmp);
    if (!name)
        name = "-";
    if (len > lim->max_record) {
        lw_diag_at(diag, name, 0, 0);
        lw_diag_set(diag, "input is larger than %zu bytes", lim->max_record);
        return LW_ELIMIT;
    }
    if (looks_like_zip(s, len))
        return read_zip_mem(buf, len, name, lim, out, diag);
    if (!looks_like_json(s, len)) {
        /* A Positions.csv names "Company Name" in its header, a Profile.csv
         * "First Name". */
        const char *nl = memchr(s, '\n', len);
        size_t hl = nl ? (size_t)(nl - s) : len;
        bool positions = has_bytes(s, hl, "Company Name") && !has_bytes(s, hl, "First Name");

        if (positions)
            return parse_csv_pair(NULL, 0, NULL, s, len, name, lim, out, diag);
        return parse_csv_pair(s, len, name, NULL, 0, NULL, lim, out, diag);
    }
    rc = profile_new(name, &p);
    if (rc < 0)
        return rc;
    rc = parse_json(s, len, name, lim, p, diag);
    if (rc < 0) {
        lw_profile_free(p);
        return rc;
    }
    *out = p;
    return LW_OK;
}

int lw_profile_read(const char *path, const struct lw_limits *lim, struct lw_profile **out,
                    struct lw_diag *diag)
{
    struct lw_limits tmp;
    struct stat st;
    char *dir = NULL, *prof = NULL, *posn = NULL, *buf = NULL;
    const char *base;
    size_t len;
    int rc;

    *out = NULL;
    lim = limits_or_default(lim, &tmp);
    if (stat(path, &st) != 0) {
        lw_diag_at(diag, path, 0, 0);
        lw_diag_set(diag, "cannot open: %s", strerror(errno));
        return errno == ENOENT ? LW_ENOTFOUND : LW_EIO;
    }
    if (S_ISDIR(st.st_mode)) {
        if ((rc = find_in_dir(path, "Profile.csv", &prof)) < 0 ||
            (rc = find_in_dir(path, "Positions.csv", &posn)) < 0)
            goto out;
        if (!prof && !posn) {
            lw_diag_at(diag, path, 0, 0);
            lw_diag_set(diag, "the folder holds neither Profile.csv nor Positions.csv");
            rc = LW_ENOTFOUND;
            goto out;
        }
        rc = read_csv_files(prof, posn, lim, out, diag);
        goto out;
    }
    base = base_name(path);
    len = strlen(base);
    if (len >= 4 && !strcasecmp(base + len - 4, ".zip")) {
        rc = read_zip_path(path, lim, out, diag);
        goto out;
    }
    if (len >= 4 && !strcasecmp(base + len - 4, ".csv")) {
        /* A Profile.csv (or Positions.csv) and its sibling in the same folder. */
        size_t dlen = (size_t)(base - path);

        dir = dlen ? strndup(path, dlen - 1) : strdup(".");
        if (!dir) {
            rc = LW_ENOMEM;
            goto out;
        }
        if (!*dir) { /* "/Profile.csv" */
            free(dir);
            dir = strdup("/");
            if (!dir) {
                rc = LW_ENOMEM;
                goto out;
            }
        }
        if (!strcasecmp(base, "Positions.csv")) {
            rc = find_in_dir(dir, "Profile.csv", &prof);
            if (rc < 0)
                goto out;
            rc = read_csv_files(prof, path, lim, out, diag);
        } else {
            rc = find_in_dir(dir, "Positions.csv", &posn);
            if (rc < 0)
                goto out;
            rc = read_csv_files(path, posn, lim, out, diag);
        }
        goto out;
    }
    rc = slurp(path, lim->max_record, &buf, &len, diag);
    if (rc < 0)
        goto out;
    if (looks_like_zip(buf, len)) {
        rc = read_zip_path(path, lim, out, diag);
        goto out;
    }
    rc = lw_profile_parse_mem(buf, len, path, lim, out, diag);
out:
    free(buf);
    free(dir);
    free(prof);
    free(posn);
    return rc;
}
