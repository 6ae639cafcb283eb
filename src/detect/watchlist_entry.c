/* watchlist_entry.c -- watchlist entries: type names, validation, dates and
 * the arena-backed entry list (watchlist.h). The index and the matching are
 * in watchlist.c. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "detect/watchlist.h"

static const char *const type_names[] = {
    [LW_ENTRY_PERSONA] = "persona",
    [LW_ENTRY_ORG] = "org",
    [LW_ENTRY_DOMAIN] = "domain",
    [LW_ENTRY_EMAIL] = "email",
    [LW_ENTRY_URL] = "url",
    [LW_ENTRY_PHONE] = "phone",
    [LW_ENTRY_HANDLE] = "handle",
    [LW_ENTRY_TEMPLATE] = "template",
    [LW_ENTRY_IMPERSONATED] = "impersonated",
};

const char *lw_entry_type_name(enum lw_entry_type t)
{
    if ((int)t >= LW_ENTRY_PERSONA && (size_t)t < LW_ARRAY_LEN(type_names))
        return type_names[t];
    return "unknown";
}

int lw_entry_type_parse(const char *s, enum lw_entry_type *out)
{
    size_t i;

    if (!s)
        return LW_EINVAL;
    for (i = LW_ENTRY_PERSONA; i < LW_ARRAY_LEN(type_names); i++) {
        if (!strcasecmp(s, type_names[i])) {
            *out = (enum lw_entry_type)i;
            return LW_OK;
        }
    }
    if (!strcasecmp(s, "organisation") || !strcasecmp(s, "organization")) {
        *out = LW_ENTRY_ORG;
        return LW_OK;
    }
    return LW_EINVAL;
}

/* ---- dates ------------------------------------------------------------ */

static bool digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int num(const char *s, size_t n)
{
    int v = 0;
    size_t i;

    for (i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* HH:MM[:SS[.fff...]][Z|+HH:MM|-HH:MM] */
static bool time_valid(const char *s)
{
    if (!digits(s, 2) || s[2] != ':' || !digits(s + 3, 2) || num(s, 2) > 23 || num(s + 3, 2) > 59)
        return false;
    s += 5;
    if (*s == ':') {
        if (!digits(s + 1, 2) || num(s + 1, 2) > 60)
            return false;
        s += 3;
        if (*s == '.') {
            s++;
            if (!isdigit((unsigned char)*s))
                return false;
            while (isdigit((unsigned char)*s))
                s++;
        }
    }
    if (*s == 'Z' || *s == 'z')
        return s[1] == '\0';
    if (*s == '+' || *s == '-')
        return digits(s + 1, 2) && s[3] == ':' && digits(s + 4, 2) && s[6] == '\0';
    return *s == '\0';
}

bool lw_entry_date_valid(const char *s)
{
    size_t n;
    int m, d;

    if (!s)
        return false;
    n = strlen(s);
    if (n < 4 || !digits(s, 4))
        return false;
    if (n == 4)
        return true;
    if (s[4] != '-' || n < 7 || !digits(s + 5, 2))
        return false;
    m = num(s + 5, 2);
    if (m < 1 || m > 12)
        return false;
    if (n == 7)
        return true;
    if (s[7] != '-' || n < 10 || !digits(s + 8, 2))
        return false;
    d = num(s + 8, 2);
    if (d < 1 || d > 31)
        return false;
    if (n == 10)
        return true;
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
        return false;
    return time_valid(s + 11);
}

bool lw_entry_expired(const struct lw_entry *e, const char *today)
{
    size_t n;

    if (!e->expires || !*e->expires || !today)
        return false;
    n = LW_MIN(strlen(e->expires), (size_t)10);
    return strncmp(today, e->expires, n) > 0;
}

void lw_entry_today(char *buf, size_t size)
{
    time_t t = time(NULL);
    struct tm tm;

    if (!size)
        return;
    buf[0] = '\0';
    if (gmtime_r(&t, &tm))
        strftime(buf, size, "%Y-%m-%d", &tm);
}

/* ---- validation --------------------------------------------------------- */

/* Control characters: C0 (but tab and line breaks when `text`), DEL. */
static bool has_control(const char *s, bool text)
{
    const unsigned char *p;

    for (p = (const unsigned char *)s; *p; p++) {
        if (text && (*p == '\t' || *p == '\n' || *p == '\r'))
            continue;
        if (*p < 0x20 || *p == 0x7f)
            return true;
    }
    return false;
}

static int check_str(const char *name, const char *s, size_t max, bool text, struct lw_diag *diag)
{
    if (!s)
        return LW_OK;
    if (strlen(s) > max) {
        lw_diag_set(diag, "%s: longer than %zu bytes", name, max);
        return LW_EINVAL;
    }
    if (has_control(s, text)) {
        lw_diag_set(diag, "%s: control characters are not allowed", name);
        return LW_EINVAL;
    }
    return LW_OK;
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s))
            return false;
    return true;
}

static int check_value(const struct lw_entry *e, struct lw_diag *diag)
{
    const char *v = e->value, *at, *p;
    size_t nd = 0;

    switch (e->type) {
    case LW_ENTRY_EMAIL:
        at = strchr(v, '@');
        if (!at || at == v || !at[1] || strchr(at + 1, '@') || strpbrk(v, " \t")) {
            lw_diag_set(diag, "value: '%.80s' is not an e-mail address", v);
            return LW_EINVAL;
        }
        return LW_OK;
    case LW_ENTRY_DOMAIN:
        if (!strchr(v, '.') || strpbrk(v, " \t/@") || v[0] == '.') {
            lw_diag_set(diag, "value: '%.80s' is not a domain name", v);
            return LW_EINVAL;
        }
        return LW_OK;
    case LW_ENTRY_URL:
        if (strpbrk(v, " \t") || (!strchr(v, '.') && !strstr(v, "://"))) {
            lw_diag_set(diag, "value: '%.80s' is not a URL", v);
            return LW_EINVAL;
        }
        return LW_OK;
    case LW_ENTRY_PHONE:
        for (p = v; *p; p++) {
            if (isdigit((unsigned char)*p))
                nd++;
            else if (!strchr("+-. ()/", *p)) {
                lw_diag_set(diag, "value: '%.80s' is not a phone number", v);
                return LW_EINVAL;
            }
        }
        if (nd < 7 || nd > 17) {
            lw_diag_set(diag, "value: '%.80s' is not a phone number (7 to 17 digits)", v);
            return LW_EINVAL;
        }
        return LW_OK;
    case LW_ENTRY_HANDLE:
        if (strpbrk(v, " \t")) {
            lw_diag_set(diag, "value: a handle has no blanks: '%.80s'", v);
            return LW_EINVAL;
        }
        return LW_OK;
    default:
        return LW_OK;
    }
}

static int check_list(const char *name, const char **v, size_t n, struct lw_diag *diag)
{
    size_t i;
    int rc;

    if (n > LW_ENTRY_MAX_ALIASES) {
        lw_diag_set(diag, "%s: more than %d values", name, LW_ENTRY_MAX_ALIASES);
        return LW_EINVAL;
    }
    for (i = 0; i < n; i++) {
        if (!v[i] || blank(v[i])) {
            lw_diag_set(diag, "%s: value %zu is empty", name, i + 1);
            return LW_EINVAL;
        }
        if (strchr(v[i], '|')) {
            lw_diag_set(diag, "%s: '%.80s' contains '|', the list separator", name, v[i]);
            return LW_EINVAL;
        }
        rc = check_str(name, v[i], LW_ENTRY_MAX_FIELD, false, diag);
        if (rc < 0)
            return rc;
    }
    return LW_OK;
}

int lw_entry_check(const struct lw_entry *e, struct lw_diag *diag)
{
    int rc;

    if (!e)
        return LW_EINVAL;
    if (!strcmp(lw_entry_type_name(e->type), "unknown")) {
        lw_diag_set(diag, "type: unknown entry type %d", (int)e->type);
        return LW_EINVAL;
    }
    if (blank(e->value)) {
        lw_diag_set(diag, "value: missing");
        return LW_EINVAL;
    }
    if (blank(e->source)) {
        lw_diag_set(diag, "source: missing (every entry names who published it)");
        return LW_EINVAL;
    }
    if (!e->date || !*e->date) {
        lw_diag_set(diag, "date: missing (when it was published)");
        return LW_EINVAL;
    }
    if (!lw_entry_date_valid(e->date)) {
        lw_diag_set(diag, "date: '%.40s' is not an ISO 8601 date (YYYY-MM or YYYY-MM-DD)", e->date);
        return LW_EINVAL;
    }
    if (e->expires && *e->expires && !lw_entry_date_valid(e->expires)) {
        lw_diag_set(diag, "expires: '%.40s' is not an ISO 8601 date", e->expires);
        return LW_EINVAL;
    }
    if (e->confidence < 0 || e->confidence > 100) {
        lw_diag_set(diag, "confidence: %d is not within 0..100", e->confidence);
        return LW_EINVAL;
    }
    rc = check_str("value", e->value,
                   e->type == LW_ENTRY_TEMPLATE ? LW_ENTRY_MAX_TEMPLATE : LW_ENTRY_MAX_FIELD,
                   e->type == LW_ENTRY_TEMPLATE, diag);
    if (rc == LW_OK)
        rc = check_str("hanzi", e->hanzi, LW_ENTRY_MAX_FIELD, false, diag);
    if (rc == LW_OK)
        rc = check_str("platform", e->platform, LW_ENTRY_MAX_FIELD, false, diag);
    if (rc == LW_OK)
        rc = check_str("source", e->source, LW_ENTRY_MAX_FIELD, false, diag);
    if (rc == LW_OK)
        rc = check_str("source_url", e->source_url, LW_ENTRY_MAX_FIELD, false, diag);
    if (rc == LW_OK)
        rc = check_str("note", e->note, LW_ENTRY_MAX_FIELD, true, diag);
    if (rc == LW_OK)
        rc = check_list("aliases", e->aliases, e->n_aliases, diag);
    if (rc == LW_OK)
        rc = check_list("related", e->related, e->n_related, diag);
    if (rc == LW_OK)
        rc = check_value(e, diag);
    return rc;
}

/* ---- entry list ------------------------------------------------------------ */

void lw_entry_list_init(struct lw_entry_list *l)
{
    memset(l, 0, sizeof(*l));
}

void lw_entry_list_release(struct lw_entry_list *l)
{
    if (!l)
        return;
    free(l->v);
    lw_arena_free(l->arena);
    memset(l, 0, sizeof(*l));
}

const char *lw_entry_list_strdup(struct lw_entry_list *l, const char *s)
{
    if (!s)
        return NULL;
    if (!l->arena && !(l->arena = lw_arena_new(16384)))
        return NULL;
    return lw_arena_strdup(l->arena, s);
}

static int copy_list(struct lw_entry_list *l, const char **src, size_t n, const char ***dst)
{
    const char **v;
    size_t i;

    *dst = NULL;
    if (!n)
        return LW_OK;
    v = lw_arena_calloc(l->arena, n, sizeof(*v));
    if (!v)
        return LW_ENOMEM;
    for (i = 0; i < n; i++)
        if (!(v[i] = lw_entry_list_strdup(l, src[i] ? src[i] : "")))
            return LW_ENOMEM;
    *dst = v;
    return LW_OK;
}

#define DUP(field)                                                                                 \
    do {                                                                                           \
        if (e->field && !(c.field = lw_entry_list_strdup(l, e->field)))                            \
            return LW_ENOMEM;                                                                      \
    } while (0)

int lw_entry_list_reserve(struct lw_entry_list *l, size_t n)
{
    struct lw_entry *v;
    size_t cap;

    if (n <= l->cap - l->n)
        return LW_OK;
    if (n > SIZE_MAX / sizeof(*v) - l->n)
        return LW_ENOMEM;
    cap = l->n + n;
    v = realloc(l->v, cap * sizeof(*v));
    if (!v)
        return LW_ENOMEM;
    l->v = v;
    l->cap = cap;
    return LW_OK;
}

int lw_entry_list_add(struct lw_entry_list *l, const struct lw_entry *e)
{
    struct lw_entry c = *e;
    int rc;

    if (!l->arena && !(l->arena = lw_arena_new(16384)))
        return LW_ENOMEM;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct lw_entry *v;

        if (cap > SIZE_MAX / sizeof(*v))
            return LW_ENOMEM;
        v = realloc(l->v, cap * sizeof(*v));
        if (!v)
            return LW_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    DUP(value);
    DUP(hanzi);
    DUP(platform);
    DUP(source);
    DUP(source_url);
    DUP(date);
    DUP(note);
    DUP(expires);
    DUP(created);
    rc = copy_list(l, e->aliases, e->n_aliases, &c.aliases);
    if (rc == LW_OK)
        rc = copy_list(l, e->related, e->n_related, &c.related);
    if (rc < 0)
        return rc;
    l->v[l->n++] = c;
    return LW_OK;
}
