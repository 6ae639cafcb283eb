/* reader.c -- the reader front door: limits, format names, sniffing, and
 * dispatch to one format's reader (read_*.c) behind struct lw_reader_ops.
 * Owns struct lw_reader itself; each format owns its state in r->st. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ingest/reader_int.h"

void lw_limits_default(struct lw_limits *lim)
{
    lim->max_text = (size_t)1 << 20;
    lim->max_record = (size_t)16 << 20;
    lim->max_mime_depth = 16;
    lim->max_mime_parts = 256;
    lim->max_csv_columns = 256;
    lim->max_files = 1000000UL;
}

static const char *const format_names[] = {
    [LW_FORMAT_AUTO] = "auto",
    [LW_FORMAT_TEXT] = "text",
    [LW_FORMAT_JSONL] = "jsonl",
    [LW_FORMAT_EML] = "eml",
    [LW_FORMAT_MBOX] = "mbox",
    [LW_FORMAT_MAILDIR] = "maildir",
    [LW_FORMAT_DIR] = "dir",
    [LW_FORMAT_LINKEDIN_MESSAGES] = "linkedin-messages",
    [LW_FORMAT_LINKEDIN_INVITATIONS] = "linkedin-invitations",
    [LW_FORMAT_LINKEDIN_ZIP] = "linkedin-zip",
};

int lw_format_parse(const char *name, enum lw_format *out)
{
    size_t i;

    if (!name)
        return LW_EINVAL;
    for (i = 0; i < LW_ARRAY_LEN(format_names); i++) {
        if (strcmp(name, format_names[i]) == 0) {
            *out = (enum lw_format)i;
            return LW_OK;
        }
    }
    return LW_EINVAL;
}

const char *lw_format_name(enum lw_format f)
{
    if ((size_t)f >= LW_ARRAY_LEN(format_names))
        return "unknown";
    return format_names[f];
}

/* ---- small helpers shared by the formats ---------------------------------- */

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

bool lw_reader_eq_ci(const char *p, size_t n, const char *word)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!word[i] || lower((unsigned char)p[i]) != lower((unsigned char)word[i]))
            return false;
    return word[n] == '\0';
}

bool lw_reader_ends_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && lw_reader_eq_ci(s + n - k, k, suffix);
}

int lw_reader_msg_new(const struct lw_reader *r, unsigned long line, unsigned long n,
                      struct lw_msg **out)
{
    struct lw_msg *m = lw_msg_new();

    if (!m)
        return LW_ENOMEM;
    m->source = lw_arena_strdup(m->arena, r->source);
    m->id = lw_arena_printf(m->arena, "%s:%lu", r->source, n);
    if (!m->source || !m->id) {
        lw_msg_free(m);
        return LW_ENOMEM;
    }
    m->line = line;
    *out = m;
    return LW_OK;
}

void lw_reader_diag(const struct lw_reader *r, struct lw_diag *diag, unsigned long line,
                    const char *fmt, ...)
{
    va_list ap;

    if (!diag)
        return;
    lw_diag_at(diag, r->source, line, 0);
    va_start(ap, fmt);
    vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
    va_end(ap);
}

/* ---- sniffing --------------------------------------------------------------- */

/* The line at p[*pos..), without its end; *pos moves past it. */
static bool next_line(const unsigned char *p, size_t n, size_t *pos, const unsigned char **l,
                      size_t *len)
{
    size_t i = *pos;

    if (i >= n)
        return false;
    *l = p + i;
    while (i < n && p[i] != '\n')
        i++;
    *len = (size_t)(p + i - *l);
    if (*len && (*l)[*len - 1] == '\r')
        (*len)--;
    *pos = i < n ? i + 1 : n;
    return true;
}

static bool blank(const unsigned char *l, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (l[i] != ' ' && l[i] != '\t' && l[i] != '\r')
            return false;
    return true;
}

/* Does the header line name the columns we look for? Returns the CSV format
 * or LW_FORMAT_AUTO. Names are split at commas, trimmed of blanks and quotes. */
static enum lw_format csv_header_kind(const unsigned char *l, size_t n)
{
    bool content = false, conv = false, from = false, to = false, message = false;
    size_t i = 0;

    while (i <= n) {
        size_t s = i, e;
        while (i < n && l[i] != ',')
            i++;
        e = i;
        while (s < e && (l[s] == ' ' || l[s] == '"'))
            s++;
        while (e > s && (l[e - 1] == ' ' || l[e - 1] == '"'))
            e--;
        content |= lw_reader_eq_ci((const char *)l + s, e - s, "content");
        conv |= lw_reader_eq_ci((const char *)l + s, e - s, "conversation id");
        from |= lw_reader_eq_ci((const char *)l + s, e - s, "from");
        to |= lw_reader_eq_ci((const char *)l + s, e - s, "to");
        message |= lw_reader_eq_ci((const char *)l + s, e - s, "message");
        i++;
    }
    if (content && conv)
        return LW_FORMAT_LINKEDIN_MESSAGES;
    if (from && to && message)
        return LW_FORMAT_LINKEDIN_INVITATIONS;
    return LW_FORMAT_AUTO;
}

static enum lw_format sniff_csv(const unsigned char *p, size_t n)
{
    const unsigned char *l;
    size_t pos = 0, len;

    if (!next_line(p, n, &pos, &l, &len))
        return LW_FORMAT_AUTO;
    if (len >= 6 && lw_reader_eq_ci((const char *)l, 6, "notes:")) {
        /* LinkedIn's preamble: text, then a blank line, then the header. */
        while (next_line(p, n, &pos, &l, &len) && !blank(l, len))
            ;
        if (!next_line(p, n, &pos, &l, &len))
            return LW_FORMAT_AUTO;
    }
    return csv_header_kind(l, len);
}

/* Header names that mark an RFC 5322 message. */
static bool mail_header_name(const unsigned char *l, size_t n, bool *strong)
{
    static const char *const strong_names[] = {
        "received",     "message-id",     "return-path",   "mime-version",
        "delivered-to", "dkim-signature", "x-original-to", "authentication-results",
    };
    static const char *const names[] = {
        "from",   "to",          "cc",         "subject",      "date",       "reply-to",
        "sender", "in-reply-to", "references", "content-type", "user-agent", "x-mailer",
    };
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(strong_names); i++) {
        if (lw_reader_eq_ci((const char *)l, n, strong_names[i])) {
            *strong = true;
            return true;
        }
    }
    for (i = 0; i < LW_ARRAY_LEN(names); i++)
        if (lw_reader_eq_ci((const char *)l, n, names[i]))
            return true;
    return false;
}

/* Several "Name: value" lines at the top, at least two of them well-known
 * mail headers (or one that only mail has, like Received:). */
static bool looks_like_mail(const unsigned char *p, size_t n)
{
    const unsigned char *l;
    size_t pos = 0, len, headers = 0, known = 0;
    bool strong = false;

    while (next_line(p, n, &pos, &l, &len)) {
        size_t k = 0;
        if (len == 0)
            break; /* end of the header block */
        if ((l[0] == ' ' || l[0] == '\t') && headers)
            continue; /* folded */
        while (k < len && l[k] > ' ' && l[k] < 127 && l[k] != ':')
            k++;
        if (k == 0 || k >= len || l[k] != ':' || k > 76)
            break;
        headers++;
        if (mail_header_name(l, k, &strong))
            known++;
    }
    return headers >= 2 && (known >= 2 || strong);
}

enum lw_format lw_reader_sniff(const char *path, const unsigned char *p, size_t n, unsigned *hints)
{
    size_t i = 0;
    enum lw_format csv;

    *hints = 0;
    if (path && lw_reader_ends_ci(path, ".zip"))
        return LW_FORMAT_LINKEDIN_ZIP;
    if (n >= 4 && p[0] == 'P' && p[1] == 'K' &&
        ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6)))
        return LW_FORMAT_LINKEDIN_ZIP;
    if (memchr(p, '\0', n)) {
        *hints |= LW_READER_SNIFF_BINARY;
        return LW_FORMAT_TEXT;
    }
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        p += 3; /* UTF-8 byte order mark */
        n -= 3;
    }
    csv = sniff_csv(p, n);
    if (csv != LW_FORMAT_AUTO)
        return csv;
    if (path && lw_reader_ends_ci(path, "messages.csv"))
        return LW_FORMAT_LINKEDIN_MESSAGES; /* so a changed header is an error, not text */
    if (path && lw_reader_ends_ci(path, "invitations.csv"))
        return LW_FORMAT_LINKEDIN_INVITATIONS;
    if (path && lw_reader_ends_ci(path, ".csv")) {
        *hints |= LW_READER_SNIFF_CSV_UNKNOWN;
        return LW_FORMAT_TEXT;
    }
    if (path && lw_reader_ends_ci(path, ".eml"))
        return LW_FORMAT_EML;
    if (path && lw_reader_ends_ci(path, ".mbox"))
        return LW_FORMAT_MBOX;
    if (path && (lw_reader_ends_ci(path, ".jsonl") || lw_reader_ends_ci(path, ".ndjson")))
        return LW_FORMAT_JSONL;
    if (n >= 5 && memcmp(p, "From ", 5) == 0)
        return LW_FORMAT_MBOX;
    if (looks_like_mail(p, n))
        return LW_FORMAT_EML;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    if (i < n && p[i] == '{')
        return LW_FORMAT_JSONL;
    return LW_FORMAT_TEXT;
}

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool lw_reader_is_maildir(const char *dir)
{
    char sub[4096];

    if (snprintf(sub, sizeof(sub), "%s/cur", dir) < (int)sizeof(sub) && is_dir(sub))
        return true;
    return snprintf(sub, sizeof(sub), "%s/new", dir) < (int)sizeof(sub) && is_dir(sub);
}

/* ---- opening ------------------------------------------------------------------ */

static int reader_new(const char *source, const char *path, enum lw_format fmt,
                      const struct lw_limits *lim, struct lw_reader **out)
{
    struct lw_reader *r = calloc(1, sizeof(*r));

    if (!r)
        return LW_ENOMEM;
    r->fmt = fmt;
    if (lim)
        r->lim = *lim;
    else
        lw_limits_default(&r->lim);
    r->source = strdup(source && source[0] ? source : "-");
    r->path = path ? strdup(path) : NULL;
    if (!r->source || (path && !r->path)) {
        free(r->source);
        free(r->path);
        free(r);
        return LW_ENOMEM;
    }
    *out = r;
    return LW_OK;
}

int lw_reader_open_in(struct lw_reader_in *in, const char *source, enum lw_format fmt,
                      const struct lw_limits *lim, struct lw_reader **out, struct lw_diag *diag)
{
    struct lw_reader *r = NULL;
    int rc;

    if (fmt == LW_FORMAT_DIR || fmt == LW_FORMAT_MAILDIR) {
        lw_reader_in_free(in);
        lw_diag_at(diag, source, 0, 0);
        lw_diag_set(diag, "format '%s' needs a folder", lw_format_name(fmt));
        return LW_EUNSUPPORTED;
    }
    if (fmt == LW_FORMAT_AUTO) {
        const unsigned char *p;
        size_t n;
        unsigned hints;
        rc = lw_reader_in_peek(in, &p, &n);
        if (rc < 0) {
            lw_reader_in_free(in);
            lw_diag_at(diag, source, 0, 0);
            lw_diag_set(diag, "cannot read: %s", strerror(errno));
            return rc;
        }
        fmt = lw_reader_sniff(source && strcmp(source, "-") != 0 ? source : NULL, p, n, &hints);
    }
    rc = reader_new(source, NULL, fmt, lim, &r);
    if (rc < 0) {
        lw_reader_in_free(in);
        return rc;
    }
    r->in = in;
    switch (fmt) {
    case LW_FORMAT_TEXT:
        rc = lw_reader_init_text(r, diag);
        break;
    case LW_FORMAT_JSONL:
        rc = lw_reader_init_jsonl(r, diag);
        break;
    case LW_FORMAT_EML:
    case LW_FORMAT_MBOX:
        rc = lw_reader_init_mail(r, diag);
        break;
    case LW_FORMAT_LINKEDIN_MESSAGES:
    case LW_FORMAT_LINKEDIN_INVITATIONS:
        rc = lw_reader_init_csv(r, diag);
        break;
    case LW_FORMAT_LINKEDIN_ZIP:
        rc = lw_reader_init_zip(r, diag);
        break;
    default:
        lw_reader_diag(r, diag, 0, "unknown format %d", (int)fmt);
        rc = LW_EINVAL;
        break;
    }
    if (rc < 0) {
        lw_reader_free(r);
        return rc;
    }
    *out = r;
    return LW_OK;
}

int lw_reader_open_path(const char *path, enum lw_format fmt, const struct lw_limits *lim,
                        unsigned flags, struct lw_reader **out, struct lw_diag *diag)
{
    return lw_reader_open_at(AT_FDCWD, path, path, fmt, lim, flags, out, diag);
}

int lw_reader_open_at(int dirfd, const char *name, const char *path, enum lw_format fmt,
                      const struct lw_limits *lim, unsigned flags, struct lw_reader **out,
                      struct lw_diag *diag)
{
    struct lw_reader_in *in = NULL;
    struct lw_reader *r = NULL;
    bool dir = !(flags & LW_READER_OPEN_FILE) && strcmp(path, "-") != 0 && is_dir(path);
    int rc;

    *out = NULL;
    if (dir) {
        if (fmt == LW_FORMAT_AUTO)
            fmt = lw_reader_is_maildir(path) ? LW_FORMAT_MAILDIR : LW_FORMAT_DIR;
        if (fmt != LW_FORMAT_DIR && fmt != LW_FORMAT_MAILDIR) {
            lw_diag_at(diag, path, 0, 0);
            lw_diag_set(diag, "is a folder, not a '%s' file", lw_format_name(fmt));
            return LW_EINVAL;
        }
        rc = reader_new(path, path, fmt, lim, &r);
        if (rc < 0)
            return rc;
        rc = lw_reader_init_dir(r, diag);
        if (rc < 0) {
            lw_reader_free(r);
            return rc;
        }
        *out = r;
        return LW_OK;
    }
    if (fmt == LW_FORMAT_DIR || fmt == LW_FORMAT_MAILDIR) {
        lw_diag_at(diag, path, 0, 0);
        lw_diag_set(diag, "not a folder (format '%s')", lw_format_name(fmt));
        return LW_EINVAL;
    }
    /* Only a path of the caller's own can be "-", stdin; a walk opens by name. */
    rc = dirfd == AT_FDCWD
             ? lw_reader_in_open_path(path, (flags & LW_READER_OPEN_FILE) != 0, &in, diag)
             : lw_reader_in_open_at(dirfd, name, path, (flags & LW_READER_OPEN_FILE) != 0, &in,
                                    diag);
    if (rc < 0)
        return rc;
    if (fmt == LW_FORMAT_AUTO) {
        const unsigned char *p;
        size_t n;
        unsigned hints = 0;
        rc = lw_reader_in_peek(in, &p, &n);
        if (rc < 0) {
            lw_reader_in_free(in);
            lw_diag_at(diag, path, 0, 0);
            lw_diag_set(diag, "cannot read: %s", strerror(errno));
            return rc;
        }
        fmt = lw_reader_sniff(strcmp(path, "-") != 0 ? path : NULL, p, n, &hints);
        if ((flags & LW_READER_OPEN_WALK) && hints) {
            lw_reader_in_free(in); /* an image, Connections.csv, ...: no messages */
            return LW_OK;
        }
    }
    rc = lw_reader_open_in(in, path, fmt, lim, &r, diag);
    if (rc < 0)
        return rc;
    free(r->path);
    r->path = strcmp(path, "-") != 0 ? strdup(path) : NULL;
    *out = r;
    return LW_OK;
}

int lw_reader_open(const char *path, enum lw_format fmt, const struct lw_limits *lim,
                   struct lw_reader **out, struct lw_diag *diag)
{
    int rc;

    lw_diag_clear(diag);
    if (!path || !out)
        return LW_EINVAL;
    rc = lw_reader_open_path(path, fmt, lim, 0, out, diag);
    if (rc == LW_OK && !*out)
        rc = LW_EINVAL; /* not reached: only walks skip files */
    return rc;
}

int lw_reader_open_mem(const void *buf, size_t len, const char *name, enum lw_format fmt,
                       const struct lw_limits *lim, struct lw_reader **out, struct lw_diag *diag)
{
    struct lw_reader_in *in = NULL;
    int rc;

    lw_diag_clear(diag);
    if (!out || (!buf && len))
        return LW_EINVAL;
    rc = lw_reader_in_open_mem(buf, len, &in);
    if (rc < 0)
        return rc;
    return lw_reader_open_in(in, name ? name : "-", fmt, lim, out, diag);
}

int lw_reader_next(struct lw_reader *r, struct lw_msg **out, struct lw_diag *diag)
{
    int rc;

    lw_diag_clear(diag);
    *out = NULL;
    if (r->done)
        return 0;
    rc = r->ops->next(r, out, diag);
    if (rc == 0 || (rc < 0 && rc != LW_EPARSE && rc != LW_ELIMIT))
        r->done = true;
    return rc;
}

enum lw_format lw_reader_format(const struct lw_reader *r)
{
    return r->fmt;
}

uint64_t lw_reader_bytes(const struct lw_reader *r)
{
    if (r->ops && r->ops->bytes)
        return r->ops->bytes(r);
    return r->in ? r->in->bytes : 0;
}

void lw_reader_free(struct lw_reader *r)
{
    if (!r)
        return;
    if (r->ops && r->ops->free)
        r->ops->free(r);
    lw_reader_in_free(r->in);
    free(r->source);
    free(r->path);
    free(r);
}

int lw_reader_child_next(struct lw_reader **child, uint64_t *bytes_done, struct lw_msg **out,
                         struct lw_diag *diag)
{
    int rc = lw_reader_next(*child, out, diag);

    if (rc == 1 || rc == LW_EPARSE || rc == LW_ELIMIT)
        return rc;
    *bytes_done += lw_reader_bytes(*child);
    lw_reader_free(*child);
    *child = NULL;
    if (rc == LW_ENOMEM)
        return rc;
    return rc < 0 ? LW_EPARSE : 0;
}
