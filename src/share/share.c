/* share.c -- the format-neutral half of src/share/ (share.h): format names
 * and sniffing, the all-or-nothing import wrapper, and helpers the CSV, STIX
 * and MISP files share (UUIDv5, timestamps, link resolution, jansson). */
#include <ctype.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "share/share_int.h"

static const char *const format_names[] = {
    [LW_SHARE_AUTO] = "auto",
    [LW_SHARE_CSV] = "csv",
    [LW_SHARE_STIX] = "stix",
    [LW_SHARE_MISP] = "misp",
};

int lw_share_format_parse(const char *s, enum lw_share_format *out)
{
    size_t i;

    for (i = LW_SHARE_CSV; s && i < LW_ARRAY_LEN(format_names); i++) {
        if (!strcasecmp(s, format_names[i])) {
            *out = (enum lw_share_format)i;
            return LW_OK;
        }
    }
    if (s && !strcasecmp(s, "stix2")) {
        *out = LW_SHARE_STIX;
        return LW_OK;
    }
    return LW_EINVAL;
}

const char *lw_share_format_name(enum lw_share_format f)
{
    if ((size_t)f < LW_ARRAY_LEN(format_names))
        return format_names[f];
    return "unknown";
}

/* Does the JSON text contain "key" followed by ':' (a cheap look, not a
 * parse: the importer parses properly)? Looks at the first 64 KiB. */
static bool has_key(const char *data, size_t len, const char *key, const char *value)
{
    size_t kn = strlen(key), i, lim = LW_MIN(len, (size_t)65536);

    for (i = 0; i + kn + 2 < lim; i++) {
        const char *p;

        if (data[i] != '"' || memcmp(data + i + 1, key, kn) || data[i + 1 + kn] != '"')
            continue;
        p = data + i + kn + 2;
        while (p < data + lim && isspace((unsigned char)*p))
            p++;
        if (p >= data + lim || *p != ':')
            continue;
        if (!value)
            return true;
        p++;
        while (p < data + lim && isspace((unsigned char)*p))
            p++;
        if ((size_t)(data + lim - p) > strlen(value) + 2 && *p == '"' &&
            !memcmp(p + 1, value, strlen(value)) && p[1 + strlen(value)] == '"')
            return true;
    }
    return false;
}

enum lw_share_format lw_share_sniff(const char *data, size_t len)
{
    size_t i = 0;

    if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
        i = 3;
    while (i < len && isspace((unsigned char)data[i]))
        i++;
    if (i < len && data[i] == '{') {
        if (has_key(data + i, len - i, "type", "bundle"))
            return LW_SHARE_STIX;
        if (has_key(data + i, len - i, "Event", NULL) ||
            has_key(data + i, len - i, "response", NULL))
            return LW_SHARE_MISP;
        return LW_SHARE_STIX; /* JSON but neither: the STIX importer says why */
    }
    return LW_SHARE_CSV;
}

void lw_share_truncate(struct lw_entry_list *l, size_t mark)
{
    if (mark < l->n)
        l->n = mark;
}

int lw_share_import(enum lw_share_format fmt, const char *data, size_t len, const char *name,
                    struct lw_entry_list *out, struct lw_diag *diag)
{
    size_t mark = out->n, i;
    int rc;

    if (!name)
        name = "-";
    lw_diag_at(diag, name, 0, 0);
    if (len > LW_SHARE_MAX_INPUT) {
        lw_diag_set(diag, "larger than %d MiB", LW_SHARE_MAX_INPUT >> 20);
        return LW_ELIMIT;
    }
    if (fmt == LW_SHARE_AUTO)
        fmt = lw_share_sniff(data, len);
    switch (fmt) {
    case LW_SHARE_CSV:
        rc = lw_share_csv_import(data, len, name, out, diag);
        break;
    case LW_SHARE_STIX:
        rc = lw_share_stix_import(data, len, name, out, diag);
        break;
    case LW_SHARE_MISP:
        rc = lw_share_misp_import(data, len, name, out, diag);
        break;
    default:
        lw_diag_set(diag, "unknown format");
        return LW_EINVAL;
    }
    if (rc == LW_OK && out->n - mark > LW_SHARE_MAX_ENTRIES) {
        lw_diag_at(diag, name, 0, 0);
        lw_diag_set(diag, "more than %d entries", LW_SHARE_MAX_ENTRIES);
        rc = LW_ELIMIT;
    }
    /* Imported entries default to confidence 50 in the readers; a final
     * check makes the all-or-nothing promise independent of each reader. */
    for (i = mark; rc == LW_OK && i < out->n; i++) {
        rc = lw_entry_check(&out->v[i], diag);
        if (rc < 0) {
            char msg[sizeof(diag->msg)];

            if (diag) {
                memcpy(msg, diag->msg, sizeof(msg));
                lw_diag_at(diag, name, 0, 0);
                lw_diag_set(diag, "entry %zu: %s", i - mark + 1, msg);
            }
        }
    }
    if (rc < 0)
        lw_share_truncate(out, mark);
    return rc;
}

int lw_share_export(enum lw_share_format fmt, const struct lw_entry *entries, size_t n,
                    const struct lw_share_opts *opts, struct lw_buf *out, struct lw_diag *diag)
{
    struct share_opts o;
    size_t i;
    int rc;

    for (i = 0; i < n; i++) {
        rc = lw_entry_check(&entries[i], diag);
        if (rc < 0) {
            char msg[sizeof(diag->msg)];

            if (diag) {
                memcpy(msg, diag->msg, sizeof(msg));
                lw_diag_set(diag, "entry %zu (%s '%.60s'): %s", i + 1,
                            lw_entry_type_name(entries[i].type), entries[i].value, msg);
            }
            return rc;
        }
    }
    rc = lw_share_opts_resolve(opts, &o, diag);
    if (rc < 0)
        return rc;
    switch (fmt) {
    case LW_SHARE_CSV:
        return lw_share_csv_export(entries, n, out, diag);
    case LW_SHARE_STIX:
        return lw_share_stix_export(entries, n, &o, out, diag);
    case LW_SHARE_MISP:
        return lw_share_misp_export(entries, n, &o, out, diag);
    default:
        lw_diag_set(diag, "choose an export format: csv, stix or misp");
        return LW_EINVAL;
    }
}

/* ---- helpers ------------------------------------------------------------- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Parse a UUID string into 16 bytes. */
static bool uuid_parse(const char *s, unsigned char b[16])
{
    size_t i, k = 0;

    if (strlen(s) != 36)
        return false;
    for (i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
            continue;
        }
        if (hexval((unsigned char)s[i]) < 0 || hexval((unsigned char)s[i + 1]) < 0)
            return false;
        b[k++] =
            (unsigned char)(hexval((unsigned char)s[i]) << 4 | hexval((unsigned char)s[i + 1]));
        i++;
    }
    return k == 16;
}

int lw_share_uuid5(const char *ns, const char *name, size_t len, struct lw_uuid *out)
{
    unsigned char nsb[16], dig[20];
    gsize dlen = sizeof(dig);
    GChecksum *ck;

    if (!uuid_parse(ns, nsb))
        return LW_EINVAL;
    ck = g_checksum_new(G_CHECKSUM_SHA1);
    if (!ck)
        return LW_ENOMEM;
    g_checksum_update(ck, nsb, sizeof(nsb));
    g_checksum_update(ck, (const guchar *)name, (gssize)len);
    g_checksum_get_digest(ck, dig, &dlen);
    g_checksum_free(ck);
    dig[6] = (unsigned char)((dig[6] & 0x0f) | 0x50);
    dig[8] = (unsigned char)((dig[8] & 0x3f) | 0x80);
    snprintf(out->s, sizeof(out->s),
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", dig[0], dig[1],
             dig[2], dig[3], dig[4], dig[5], dig[6], dig[7], dig[8], dig[9], dig[10], dig[11],
             dig[12], dig[13], dig[14], dig[15]);
    return LW_OK;
}

bool lw_share_stix_id_valid(const char *s, const char *prefix)
{
    const char *sep;
    unsigned char b[16];
    size_t i;

    if (!s || !(sep = strstr(s, "--")) || sep == s)
        return false;
    if (prefix && ((size_t)(sep - s) != strlen(prefix) || memcmp(s, prefix, strlen(prefix))))
        return false;
    for (i = 0; s + i < sep; i++)
        if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '-')
            return false;
    return uuid_parse(sep + 2, b);
}

static const char *const tlp_names[] = {"clear", "white", "green", "amber", "amber+strict", "red"};

int lw_share_opts_resolve(const struct lw_share_opts *in, struct share_opts *out,
                          struct lw_diag *diag)
{
    size_t i;

    memset(out, 0, sizeof(*out));
    if (in && in->now) {
        if (!lw_entry_date_valid(in->now)) {
            lw_diag_set(diag, "'%.40s' is not an ISO 8601 timestamp", in->now);
            return LW_EINVAL;
        }
        lw_share_stix_time(in->now, out->now, sizeof(out->now));
    } else {
        time_t t = time(NULL);
        struct tm tm;

        if (!gmtime_r(&t, &tm))
            return LW_EINVAL;
        strftime(out->now, sizeof(out->now), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
    }
    out->tlp = "amber";
    if (in && in->tlp) {
        const char *t = in->tlp;

        if (!strncasecmp(t, "tlp:", 4))
            t += 4;
        for (i = 0; i < LW_ARRAY_LEN(tlp_names); i++)
            if (!strcasecmp(t, tlp_names[i]))
                break;
        if (i == LW_ARRAY_LEN(tlp_names)) {
            lw_diag_set(diag, "unknown TLP '%.40s' (clear, green, amber, amber+strict, red)",
                        in->tlp);
            return LW_EINVAL;
        }
        out->tlp = i == 1 ? "clear" : tlp_names[i];
    }
    out->info = in && in->info ? in->info : "lurewatch watchlist";
    return LW_OK;
}

void lw_share_stix_time(const char *date, char *buf, size_t size)
{
    /* Template filled from the date's own characters where it has them. */
    char t[] = "0000-01-01T00:00:00.000Z";
    size_t n = strlen(date), i;

    for (i = 0; i < n && i < 19; i++) {
        if (i == 10)
            continue; /* 'T' or ' ' */
        if (date[i] == 'Z' || date[i] == 'z' || date[i] == '+' || (date[i] == '-' && i > 10))
            break;
        t[i] = date[i];
    }
    if (n > 20 && date[19] == '.') {
        for (i = 20; i < 23 && i < n && isdigit((unsigned char)date[i]); i++)
            t[i] = date[i];
    }
    snprintf(buf, size, "%s", t);
}

long lw_share_resolve(const struct lw_entry *entries, size_t n, const char *ref)
{
    size_t i, k;

    for (i = 0; i < n; i++)
        if (!strcasecmp(entries[i].value, ref))
            return (long)i;
    for (i = 0; i < n; i++)
        for (k = 0; k < entries[i].n_aliases; k++)
            if (!strcasecmp(entries[i].aliases[k], ref))
                return (long)i;
    return -1;
}

const char *lw_share_json_str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

void lw_share_json_error(const char *name, const json_error_t *err, struct lw_diag *diag)
{
    lw_diag_at(diag, name, (unsigned long)LW_MAX(err->line, 0),
               (unsigned long)LW_MAX(err->column, 0));
    lw_diag_set(diag, "not valid JSON: %s", err->text);
}

int lw_share_json_strlist(struct lw_entry_list *l, const json_t *arr, const char ***out, size_t *n)
{
    const char **v;
    size_t i, k = 0, len;

    *out = NULL;
    *n = 0;
    if (!json_is_array(arr) || !(len = json_array_size(arr)))
        return LW_OK;
    if (!l->arena && !(l->arena = lw_arena_new(16384)))
        return LW_ENOMEM;
    v = lw_arena_calloc(l->arena, len, sizeof(*v));
    if (!v)
        return LW_ENOMEM;
    for (i = 0; i < len; i++) {
        const json_t *s = json_array_get(arr, i);

        if (!json_is_string(s))
            return LW_EPARSE;
        if (!(v[k++] = lw_entry_list_strdup(l, json_string_value(s))))
            return LW_ENOMEM;
    }
    *out = v;
    *n = k;
    return LW_OK;
}

int lw_share_json_emit(const json_t *root, struct lw_buf *out, struct lw_diag *diag)
{
    char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    int rc;

    if (!s) {
        lw_diag_set(diag, "cannot write JSON");
        return LW_ENOMEM;
    }
    rc = lw_buf_appends(out, s);
    if (rc == LW_OK)
        rc = lw_buf_appendc(out, '\n');
    free(s);
    return rc;
}
