/* vet.c -- the profile checks behind `lurewatch vet` (NPSA's Profile
 * Reviewer, automated): photo, employer, seniority against history,
 * template text, government/SOE framing, network, location, name, whom the
 * headline targets, and the watchlist; then the high/medium/low rating.
 * The rule and every weight are documented in vet.h and docs/vet.md. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utf8.h>
#include <xxhash.h>

#include "base/buf.h"
#include "detect/vet.h"
#include "detect/watchlist.h"
#include "ingest/msg.h"
#include "text/norm.h"

/* ---- term lists ---------------------------------------------------------
 * Matching is ASCII case-insensitive at word boundaries; a trailing star
 * makes a term a prefix ("consult" + star matches consultancy). CJK terms match
 * anywhere. */

/* P2: words of a generic consultancy, headhunter, HR or think-tank front. */
static const char *const employer_strong[] = {
    "consult*", "executive search", "headhunt*", "head hunt*",  "talent*",
    "HR",       "human resource*",  "recruit*",  "think tank*", "think-tank*",
    "staffing", "advisory",         "猎头",      "咨询",        "人才",
    "智库",
};
static const char *const employer_weak[] = {
    "international", "strategic", "strategy", "global", "development studies", "exchange*",
};

/* P3: titles that claim seniority. */
static const char *const senior_terms[] = {
    "CEO",       "CFO",      "COO",       "CTO",     "chief",   "founder",  "co-founder",
    "cofounder", "director", "president", "partner", "head of", "chairman", "chairwoman",
    "VP",        "总裁",     "总经理",    "董事长",  "创始人",  "合伙人",
};

/* P4: wording of template bios (CPNI: "high-end", "high-impact",
 * "renowned", "expert"; and what the reported fakes share). */
static const char *const template_terms[] = {
    "high-end",
    "high end",
    "high-impact",
    "renowned",
    "prestigious",
    "global talent*",
    "top talent*",
    "connect talent*",
    "connecting talent*",
    "positive",
    "bridge*",
    "win-win",
    "magic",
    "one-stop",
    "exclusive",
    "elite",
    "professional team",
    "resources",
    "look forward to",
    "welcome to connect",
    "dear friends",
    "高端",
    "共赢",
    "双赢",
};

/* P5: government and state-owned-enterprise ties, and "bridge/cooperation"
 * framing. */
static const char *const soe_terms[] = {
    "state-owned", "state owned", "SOE", "SOEs", "central enterprise*", "国企", "央企", "国有企业",
};
static const char *const gov_terms[] = {
    "government*",   "ministry",     "ministries", "official*",
    "policy maker*", "policymaker*", "政府",       "部委",
};
static const char *const tie_terms[] = {
    "contact*",    "resource*",  "relation*", "ties",  "network*",
    "connection*", "background", "cooperat*", "serv*", "client*",
    "partner*",    "access",     "channel*",  "关系",  "资源",
};
static const char *const framing_terms[] = {
    "bridge*",    "cooperation",          "co-operation",     "exchange*", "belt and road",
    "friendship", "mutual understanding", "people-to-people", "合作",      "交流",
    "桥梁",
};

/* A6: a headline or bio that seeks people with access. */
static const char *const seek_terms[] = {
    "looking for",     "seeking",      "searching for", "recruiting", "hiring", "connect with",
    "connecting with", "network with", "invite*",       "inviting",   "寻找",   "招聘",
};
static const char *const access_terms[] = {
    "policy",    "policies",  "defence",        "defense",     "government*",     "military",
    "security",  "diplomat*", "civil servant*", "parliament*", "official*",       "think tank*",
    "aerospace", "nuclear",   "intelligence",   "clearance*",  "foreign affairs", "geopolitic*",
    "政府",      "军事",      "国防",           "政策",
};

/* ---- small text helpers ------------------------------------------------- */

static bool ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Find `term` in s[from..n): on success off and len give the match (a prefix
 * term extends to the end of its word). */
static bool find_term_at(const char *s, size_t n, size_t from, const char *term, size_t *off,
                         size_t *len)
{
    size_t tl = strlen(term), i, j;
    bool prefix = tl && term[tl - 1] == '*';
    unsigned char t0;

    if (prefix)
        tl--;
    if (!tl || tl > n)
        return false;
    t0 = lower((unsigned char)term[0]);
    for (i = from; i + tl <= n; i++) {
        if (lower((unsigned char)s[i]) != t0)
            continue;
        for (j = 1; j < tl; j++)
            if (lower((unsigned char)s[i + j]) != lower((unsigned char)term[j]))
                break;
        if (j < tl)
            continue;
        if (ascii_alnum((unsigned char)term[0]) && i > 0 && ascii_alnum((unsigned char)s[i - 1]))
            continue;
        if (!prefix && ascii_alnum((unsigned char)term[tl - 1]) && i + tl < n &&
            ascii_alnum((unsigned char)s[i + tl]))
            continue;
        *off = i;
        *len = tl;
        if (prefix)
            while (i + *len < n && (ascii_alnum((unsigned char)s[i + *len]) || s[i + *len] == '-'))
                (*len)++;
        return true;
    }
    return false;
}

static bool find_term(const char *s, const char *term, size_t *off, size_t *len)
{
    return s && find_term_at(s, strlen(s), 0, term, off, len);
}

/* Up to `max` distinct terms of a list found in s, in list order. */
struct found {
    const char *term;
    size_t off, len;
};

static size_t scan_terms(const char *s, const char *const *terms, size_t n_terms, struct found *f,
                         size_t max)
{
    size_t i, k = 0, off, len;

    if (!s)
        return 0;
    for (i = 0; i < n_terms && k < max; i++)
        if (find_term(s, terms[i], &off, &len)) {
            f[k].term = terms[i];
            f[k].off = off;
            f[k].len = len;
            k++;
        }
    return k;
}

/* Is any of `terms` within s[lo..hi)? */
static bool term_within(const char *s, size_t lo, size_t hi, const char *const *terms,
                        size_t n_terms)
{
    size_t i, off, len;

    for (i = 0; i < n_terms; i++)
        if (find_term_at(s, hi, lo, terms[i], &off, &len))
            return true;
    return false;
}

static size_t back_to_char(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* The text quoted for evidence: whole when short, else about 60 bytes either
 * side of s[off..off+len), control characters shown as spaces. */
static const char *quote(struct lw_arena *a, const char *s, size_t off, size_t len)
{
    size_t n = strlen(s), lo = 0, hi = n, i, o = 0;
    char *q;

    if (n > 160) {
        lo = off > 60 ? back_to_char(s, off - 60) : 0;
        hi = off + len + 60 < n ? back_to_char(s, off + len + 60) : n;
    }
    q = lw_arena_alloc(a, hi - lo + 9);
    if (!q)
        return NULL;
    q[o++] = '"';
    if (lo > 0) {
        memcpy(q + o, "...", 3);
        o += 3;
    }
    for (i = lo; i < hi; i++) {
        unsigned char c = (unsigned char)s[i];
        q[o++] = (char)(c < 0x20 || c == 0x7F ? ' ' : c);
    }
    if (hi < n) {
        memcpy(q + o, "...", 3);
        o += 3;
    }
    q[o++] = '"';
    q[o] = '\0';
    return q;
}

/* `"a", "b"` from a list of found terms, quoting the text as it appears. */
static const char *matched_list(struct lw_arena *a, const char *s, const struct found *f, size_t n)
{
    struct lw_buf b = LW_BUF_INIT(4096);
    const char *out = NULL;
    size_t i;

    for (i = 0; i < n; i++)
        if (lw_buf_printf(&b, "%s\"%.*s\"", i ? ", " : "", (int)f[i].len, s + f[i].off) < 0)
            goto done;
    out = lw_arena_strdup(a, lw_buf_str(&b));
done:
    lw_buf_release(&b);
    return out;
}

/* A lower-case key of letters and digits (other bytes dropped; non-ASCII
 * kept) for comparing company names. */
static char *name_key(struct lw_arena *a, const char *s)
{
    size_t n = strlen(s), i, o = 0;
    char *k = lw_arena_alloc(a, n + 1);

    if (!k)
        return NULL;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (ascii_alnum(c) || c >= 0x80)
            k[o++] = (char)lower(c);
    }
    k[o] = '\0';
    return k;
}

/* ---- dates -------------------------------------------------------------- */

long lw_vet_days_from_civil(int year, int month, int day)
{
    /* Howard Hinnant's days_from_civil. */
    long y = (long)year - (month <= 2);
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long mp = (month + 9) % 12;
    long doy = (153 * mp + 2) / 5 + day - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *year, int *month, int *day)
{
    long era, doe, yoe, y, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *day = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = (int)(y + (*month <= 2));
}

static int month_name(const char *s, size_t n)
{
    static const char *const m[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                    "jul", "aug", "sep", "oct", "nov", "dec"};
    size_t i;

    if (n < 3)
        return 0;
    for (i = 0; i < 12; i++)
        if (!strncasecmp(s, m[i], 3))
            return (int)i + 1;
    return 0;
}

/* Read up to `max` digits; returns how many were read. */
static size_t digits(const char *s, int max, int *v)
{
    size_t i = 0;

    *v = 0;
    while ((int)i < max && s[i] >= '0' && s[i] <= '9') {
        *v = *v * 10 + (s[i] - '0');
        i++;
    }
    return i;
}

int lw_vet_parse_date(const char *s, int *year, int *month, int *day)
{
    int y = 0, m = 0, d = 0, a, b, c;
    size_t k, k2, k3, w;

    *year = *month = *day = 0;
    if (!s)
        return LW_EINVAL;
    while (*s == ' ' || *s == '\t')
        s++;
    k = digits(s, 5, &a);
    if (k == 4) { /* 2019, 2019-03, 2019-03-01, 2019/3/1, 2019.03 */
        y = a;
        s += 4;
        if ((*s == '-' || *s == '/' || *s == '.') && (k2 = digits(s + 1, 2, &b)) > 0) {
            m = b;
            s += 1 + k2;
            if ((*s == '-' || *s == '/' || *s == '.') && digits(s + 1, 2, &c) > 0)
                d = c;
        }
    } else if (k == 1 || k == 2) {
        s += k;
        if (*s == '/' || *s == '.' || *s == '-') {
            k2 = digits(s + 1, 4, &b);
            if (k2 == 4) { /* 03/2019 */
                m = a;
                y = b;
            } else if (k2 == 1 || k2 == 2) { /* 3/14/2019 or 3/14/19 (US order) */
                s += 1 + k2;
                if (*s != '/' && *s != '.' && *s != '-')
                    return LW_EINVAL;
                k3 = digits(s + 1, 4, &c);
                if (k3 == 2)
                    c += c < 70 ? 2000 : 1900;
                else if (k3 != 4)
                    return LW_EINVAL;
                m = a;
                d = b;
                y = c;
            } else {
                return LW_EINVAL;
            }
        } else { /* 12 Mar 2019 */
            while (*s == ' ')
                s++;
            for (w = 0; ascii_alnum((unsigned char)s[w]); w++)
                ;
            m = month_name(s, w);
            if (!m)
                return LW_EINVAL;
            s += w;
            while (*s == ' ' || *s == ',')
                s++;
            if (digits(s, 4, &b) != 4)
                return LW_EINVAL;
            d = a;
            y = b;
        }
    } else if (k == 0) { /* Mar 2019, March 2019, Oct 02, 2025 */
        for (w = 0; ascii_alnum((unsigned char)s[w]); w++)
            ;
        m = month_name(s, w);
        if (!m)
            return LW_EINVAL;
        s += w;
        while (*s == ' ' || *s == ',' || *s == '.')
            s++;
        k = digits(s, 4, &a);
        if (k == 4) {
            y = a;
        } else if (k == 1 || k == 2) {
            d = a;
            s += k;
            while (*s == ' ' || *s == ',')
                s++;
            if (digits(s, 4, &b) != 4)
                return LW_EINVAL;
            y = b;
        } else {
            return LW_EINVAL;
        }
    } else {
        return LW_EINVAL;
    }
    if (y < 1900 || y > 2200 || m < 0 || m > 12 || d < 0 || d > 31)
        return LW_EINVAL;
    *year = y;
    *month = m;
    *day = d;
    return LW_OK;
}

/* A date as a month number (year * 12 + month - 1); -1 if unparsable. An
 * unknown month counts as January, or December for an end date. */
static long month_index(const char *s, bool end)
{
    int y, m, d;

    if (lw_vet_parse_date(s, &y, &m, &d) < 0)
        return -1;
    if (!m)
        m = end ? 12 : 1;
    return (long)y * 12 + m - 1;
}

/* ---- shingles ----------------------------------------------------------- */

#define MAX_TOKENS 50000

static bool own_token(UChar32 c)
{
    UErrorCode e = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript(c, &e);

    return U_SUCCESS(e) && (sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA ||
                            sc == USCRIPT_HANGUL);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* The sorted, distinct word-3-shingle hashes of s; *n = 0 when s has fewer
 * than 6 tokens. *out is malloc'd (may be NULL when *n is 0). */
static int shingle_set(const char *s, uint64_t **out, size_t *n)
{
    uint64_t *tok = NULL, *sh = NULL;
    size_t nt = 0, ns = 0, i;
    int32_t len, pos = 0;
    char word[256];
    size_t wl = 0;
    bool in_word = false;
    int rc = LW_OK;

    *out = NULL;
    *n = 0;
    len = (int32_t)LW_MIN(strlen(s), (size_t)(1 << 24));
    tok = malloc(MAX_TOKENS * sizeof(*tok));
    if (!tok)
        return LW_ENOMEM;
    while (pos <= len && nt < MAX_TOKENS) {
        UChar32 c = 0;
        int32_t start = pos;
        bool letter = false, single = false;

        if (pos < len) {
            U8_NEXT(s, pos, len, c);
            if (c > 0) {
                single = c >= 0x80 && own_token(c);
                letter = !single && (c < 0x80 ? ascii_alnum((unsigned char)c) : u_isalnum(c));
            }
        } else {
            pos++; /* one step past the end flushes the last word */
        }
        if (letter) {
            int32_t k;
            for (k = start; k < pos && wl < sizeof(word); k++)
                word[wl++] = (char)lower((unsigned char)s[k]);
            in_word = true;
            continue;
        }
        if (in_word) {
            tok[nt++] = XXH64(word, wl, 0);
            wl = 0;
            in_word = false;
        }
        if (single && nt < MAX_TOKENS)
            tok[nt++] = XXH64(s + start, (size_t)(pos - start), 0);
    }
    if (nt < 6)
        goto out;
    sh = malloc((nt - 2) * sizeof(*sh));
    if (!sh) {
        rc = LW_ENOMEM;
        goto out;
    }
    for (i = 0; i + 2 < nt; i++)
        sh[i] = XXH64(&tok[i], 3 * sizeof(*tok), 0x5348494eULL);
    qsort(sh, nt - 2, sizeof(*sh), cmp_u64);
    for (i = 0; i < nt - 2; i++)
        if (!ns || sh[ns - 1] != sh[i])
            sh[ns++] = sh[i];
    *out = sh;
    *n = ns;
    sh = NULL;
out:
    free(tok);
    free(sh);
    return rc;
}

static double jaccard_sets(const uint64_t *a, size_t na, const uint64_t *b, size_t nb)
{
    size_t i = 0, j = 0, inter = 0;

    if (!na || !nb)
        return 0.0;
    while (i < na && j < nb) {
        if (a[i] == b[j]) {
            inter++;
            i++;
            j++;
        } else if (a[i] < b[j]) {
            i++;
        } else {
            j++;
        }
    }
    return (double)inter / (double)(na + nb - inter);
}

double lw_vet_jaccard(const char *a, const char *b)
{
    uint64_t *sa = NULL, *sb = NULL;
    size_t na = 0, nb = 0;
    double j = 0.0;

    if (!a || !b)
        return 0.0;
    if (shingle_set(a, &sa, &na) < 0 || shingle_set(b, &sb, &nb) < 0)
        goto out;
    j = jaccard_sets(sa, na, sb, nb);
out:
    free(sa);
    free(sb);
    return j;
}

/* ---- reference lists ---------------------------------------------------- */

void lw_vet_refs_init(struct lw_vet_refs *r)
{
    memset(r, 0, sizeof(*r));
}

void lw_vet_refs_release(struct lw_vet_refs *r)
{
    if (!r)
        return;
    lw_arena_free(r->arena);
    memset(r, 0, sizeof(*r));
}

/* Append to an arena-held array of pointers, doubling as needed. */
static int push_ptr(struct lw_arena *a, const void ***arr, size_t *n, size_t *cap, const void *v)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        const void **na = lw_arena_calloc(a, ncap, sizeof(*na));
        if (!na)
            return LW_ENOMEM;
        if (*n)
            memcpy(na, *arr, *n * sizeof(*na));
        *arr = na;
        *cap = ncap;
    }
    (*arr)[(*n)++] = v;
    return LW_OK;
}

static int refs_arena(struct lw_vet_refs *r)
{
    if (!r->arena)
        r->arena = lw_arena_new(8192);
    return r->arena ? LW_OK : LW_ENOMEM;
}

int lw_vet_refs_add_bio(struct lw_vet_refs *r, const char *bio)
{
    char *c;

    if (refs_arena(r) < 0 || !(c = lw_arena_strdup(r->arena, bio)))
        return LW_ENOMEM;
    return push_ptr(r->arena, (const void ***)(void *)&r->bios, &r->n_bios, &r->cap_bios, c);
}

int lw_vet_refs_add_hash(struct lw_vet_refs *r, const char *hex)
{
    char *c, *p;

    if (refs_arena(r) < 0 || !(c = lw_arena_strdup(r->arena, hex)))
        return LW_ENOMEM;
    for (p = c; *p; p++)
        *p = (char)lower((unsigned char)*p);
    return push_ptr(r->arena, (const void ***)(void *)&r->photo_hashes, &r->n_photo_hashes,
                    &r->cap_hashes, c);
}

/* Read a text file of at most max bytes; *out is malloc'd. */
static int read_text(const char *path, size_t max, char **out, struct lw_diag *diag)
{
    FILE *f = fopen(path, "rb");
    struct lw_buf b = LW_BUF_INIT(max);
    int rc;

    *out = NULL;
    if (!f) {
        lw_diag_at(diag, path, 0, 0);
        lw_diag_set(diag, "cannot open: %s", strerror(errno));
        return LW_EIO;
    }
    rc = lw_buf_read_stream(&b, f);
    if (rc < 0) {
        lw_diag_at(diag, path, 0, 0);
        if (rc == LW_EIO)
            lw_diag_set(diag, "read error");
        else
            lw_diag_set(diag,
                        rc == LW_ELIMIT ? "file is larger than %zu bytes"
                                        : "out of memory reading %zu bytes",
                        max);
    } else if ((rc = lw_buf_appendc(&b, '\0')) == LW_OK) {
        *out = lw_buf_detach(&b, NULL);
    }
    fclose(f);
    lw_buf_release(&b);
    return rc;
}

int lw_vet_refs_load_bios(struct lw_vet_refs *r, const char *path, size_t max_bytes,
                          struct lw_diag *diag)
{
    char *text = NULL, *line, *next;
    struct lw_buf cur = LW_BUF_INIT(max_bytes + 1);
    int rc;

    rc = read_text(path, max_bytes, &text, diag);
    if (rc < 0)
        return rc;
    for (line = text; line; line = next) {
        bool blank = true;
        char *e;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        for (e = line; *e; e++)
            if (*e != ' ' && *e != '\t' && *e != '\r')
                blank = false;
        if (line[0] == '#')
            continue;
        if (blank) {
            if (cur.len && (rc = lw_vet_refs_add_bio(r, lw_buf_str(&cur))) < 0)
                goto out;
            lw_buf_reset(&cur);
            continue;
        }
        if ((cur.len && (rc = lw_buf_appendc(&cur, ' ')) < 0) ||
            (rc = lw_buf_appends(&cur, line)) < 0)
            goto out;
    }
    if (cur.len)
        rc = lw_vet_refs_add_bio(r, lw_buf_str(&cur));
out:
    lw_buf_release(&cur);
    free(text);
    return rc;
}

int lw_vet_refs_load_hashes(struct lw_vet_refs *r, const char *path, size_t max_bytes,
                            struct lw_diag *diag)
{
    char *text = NULL, *line, *next;
    unsigned long lineno = 0;
    int rc;

    rc = read_text(path, max_bytes, &text, diag);
    if (rc < 0)
        return rc;
    for (line = text; line; line = next) {
        size_t n, i;

        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        n = strcspn(line, " \t\r");
        line[n] = '\0';
        if (!n || line[0] == '#')
            continue;
        for (i = 0; i < n; i++)
            if (!strchr("0123456789abcdefABCDEF", line[i]))
                break;
        if (i < n) {
            lw_diag_at(diag, path, lineno, i + 1);
            lw_diag_set(diag, "'%s' is not a hex hash", line);
            rc = LW_EPARSE;
            goto out;
        }
        if ((rc = lw_vet_refs_add_hash(r, line)) < 0)
            goto out;
    }
out:
    free(text);
    return rc;
}

/* ---- the result --------------------------------------------------------- */

const char *lw_vet_rating_name(enum lw_vet_rating r)
{
    switch (r) {
    case LW_VET_HIGH:
        return "high";
    case LW_VET_MEDIUM:
        return "medium";
    default:
        return "low";
    }
}

void lw_vet_result_free(struct lw_vet_result *r)
{
    if (!r)
        return;
    lw_arena_free(r->arena);
}

struct ctx {
    const struct lw_profile *p;
    const struct lw_vet_opts *o;
    struct lw_vet_result *r;
    struct lw_arena *a;
    int rc; /* the first allocation failure, sticky */
    int today_y, today_m, today_d;
    long today_mi; /* month index of today */

    long account_age; /* days; -1 unknown */
    const char *account_field;
    const char *account_value;

    /* seniority claim */
    const char *senior_field, *senior_text;
    size_t senior_off, senior_len;

    /* career */
    long span_months;   /* earliest dated start to today; -1 unknown */
    size_t earliest;    /* position index of the earliest start */
    long tenure_months; /* longest current position; -1 unknown */
    size_t tenure_idx;
    int claimed_years; /* "over 10 years" in the text; 0 if none */
    const char *claim_field, *claim_text;
    size_t claim_off, claim_len;
};

static void add_flag(struct ctx *c, const char *code, const char *name, const char *field,
                     int weight, const char *reason, const char *fmt, ...) LW_PRINTF(7, 8);

static void add_flag(struct ctx *c, const char *code, const char *name, const char *field,
                     int weight, const char *reason, const char *fmt, ...)
{
    struct lw_vet_result *r = c->r;
    struct lw_vet_flag *f;
    char buf[1024];
    va_list ap;

    if (c->rc < 0)
        return;
    if (r->n_flags == r->cap_flags) {
        size_t ncap = r->cap_flags ? r->cap_flags * 2 : 16;
        struct lw_vet_flag *nf = lw_arena_calloc(c->a, ncap, sizeof(*nf));
        if (!nf) {
            c->rc = LW_ENOMEM;
            return;
        }
        if (r->n_flags)
            memcpy(nf, r->flags, r->n_flags * sizeof(*nf));
        r->flags = nf;
        r->cap_flags = ncap;
    }
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    f = &r->flags[r->n_flags];
    f->code = code;
    f->name = name;
    f->field = lw_arena_strdup(c->a, field);
    f->evidence = lw_arena_strdup(c->a, buf);
    f->weight = weight;
    f->reason = reason;
    if (!f->field || !f->evidence) {
        c->rc = LW_ENOMEM;
        return;
    }
    r->n_flags++;
}

static void add_text(struct ctx *c, const char ***arr, size_t *n, size_t *cap, const char *fmt, ...)
    LW_PRINTF(5, 6);

static void add_text(struct ctx *c, const char ***arr, size_t *n, size_t *cap, const char *fmt, ...)
{
    char buf[1024];
    const char *s;
    va_list ap;

    if (c->rc < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    s = lw_arena_strdup(c->a, buf);
    if (!s || push_ptr(c->a, (const void ***)(void *)arr, n, cap, s) < 0)
        c->rc = LW_ENOMEM;
}

#define WHY(c, ...) add_text((c), &(c)->r->why, &(c)->r->n_why, &(c)->r->cap_why, __VA_ARGS__)
#define ADVICE(c, ...)                                                                             \
    add_text((c), &(c)->r->advice, &(c)->r->n_advice, &(c)->r->cap_advice, __VA_ARGS__)

/* An arena string "positions[3].title". */
static const char *pos_field(struct ctx *c, size_t i, const char *what)
{
    const char *s = lw_arena_printf(c->a, "positions[%zu].%s", i, what);

    if (!s)
        c->rc = LW_ENOMEM;
    return s ? s : what;
}

static const char *q(struct ctx *c, const char *s, size_t off, size_t len)
{
    const char *r = quote(c->a, s, off, len);

    if (!r)
        c->rc = LW_ENOMEM;
    return r ? r : "";
}

/* ---- P1 photo ----------------------------------------------------------- */

static void check_photo(struct ctx *c)
{
    const struct lw_profile *p = c->p;
    const struct lw_vet_refs *refs = c->o->refs;
    size_t i;

    if (p->photo == LW_PROFILE_PHOTO_NONE)
        add_flag(c, "P1", "no photo", "photo", 15,
                 "With no photo there is no face to check; fake profiles often have none or a "
                 "stolen one.",
                 "photo: none");
    if (!p->photo_hash || !refs)
        return;
    for (i = 0; i < refs->n_photo_hashes; i++)
        if (!strcmp(refs->photo_hashes[i], p->photo_hash)) {
            add_flag(c, "P1", "known re-used photo", "photo_hash", 40,
                     "This exact photo is on the list of re-used, stock or AI-generated (GAN) "
                     "profile photos.",
                     "photo_hash: \"%s\" is on the known-bad list", p->photo_hash);
            return;
        }
}

/* ---- P2 employer -------------------------------------------------------- */

static bool company_in_positions(struct ctx *c, const char *company, bool *only_current)
{
    const struct lw_profile *p = c->p;
    char *k = name_key(c->a, company);
    size_t i, hits = 0, other = 0;

    *only_current = false;
    if (!k) {
        c->rc = LW_ENOMEM;
        return true;
    }
    if (!*k)
        return true;
    for (i = 0; i < p->n_positions; i++) {
        char *pk;
        if (!p->positions[i].company)
            continue;
        pk = name_key(c->a, p->positions[i].company);
        if (!pk) {
            c->rc = LW_ENOMEM;
            return true;
        }
        if (*pk && (strstr(pk, k) || strstr(k, pk))) {
            hits++;
            if (!lw_profile_position_is_current(&p->positions[i]))
                other++;
        }
    }
    *only_current = hits > 0 && other == 0 && p->n_positions == 1;
    return hits > 0;
}

static void check_employer(struct ctx *c)
{
    const struct lw_profile *p = c->p;
    struct found fs[8], fw[8];
    const char *field = NULL, *text = NULL;
    size_t ns = 0, nw = 0, i;
    int weight = 0;
    bool only_current = false;

    /* Generic wording: the company first, then the headline. */
    if (p->company) {
        ns = scan_terms(p->company, employer_strong, LW_ARRAY_LEN(employer_strong), fs, 8);
        nw = scan_terms(p->company, employer_weak, LW_ARRAY_LEN(employer_weak), fw, 8);
        if (ns || nw) {
            field = "company";
            text = p->company;
        }
    }
    if (!field && p->headline) {
        ns = scan_terms(p->headline, employer_strong, LW_ARRAY_LEN(employer_strong), fs, 8);
        nw = scan_terms(p->headline, employer_weak, LW_ARRAY_LEN(employer_weak), fw, 8);
        if (ns || nw) {
            field = "headline";
            text = p->headline;
        }
    }
    if (field) {
        struct found all[16];
        size_t n = 0;

        for (i = 0; i < ns; i++)
            all[n++] = fs[i];
        for (i = 0; i < nw; i++)
            all[n++] = fw[i];
        if (ns)
            weight = 20 + 5 * (int)(n - 1);
        else
            weight = nw >= 2 ? 15 : 10;
        weight = LW_MIN(weight, 30);
        add_flag(c, "P2", "generic employer", field, weight,
                 "Fronts are described as generic consultancies, headhunters, HR firms or think "
                 "tanks: hard to check and easy to invent.",
                 "%s: %s; matched %s", field, q(c, text, all[0].off, all[0].len),
                 matched_list(c->a, text, all, n));
        if (!p->company_url)
            add_flag(c, "P2", "no company website", "company_url", 10,
                     "A generic employer with no website given leaves nothing to verify.",
                     "company_url: none given for %s",
                     p->company ? q(c, p->company, 0, 0) : q(c, text, all[0].off, all[0].len));
    }

    if (p->company && p->positions_known && p->n_positions) {
        if (!company_in_positions(c, p->company, &only_current))
            add_flag(c, "P2", "company not in history", "company", 15,
                     "The employer the profile claims does not appear in its own list of "
                     "positions.",
                     "company: \"%s\" is in none of the %zu positions", p->company, p->n_positions);
        else if (only_current)
            add_flag(c, "P2", "employer only as current job", "positions[0].company", 10,
                     "The employer appears only as the one current position, with no earlier "
                     "trail.",
                     "positions[0].company: \"%s\" is the only position listed",
                     p->positions[0].company);
    }
}

/* ---- P3 seniority against history --------------------------------------- */

static const char *const number_words[] = {
    "zero",     "one",     "two",     "three",     "four",     "five",     "six",
    "seven",    "eight",   "nine",    "ten",       "eleven",   "twelve",   "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
};

/* The largest "N years" claim in s (2..60, not "N years old/ago"). */
static int years_claim(const char *s, size_t *off, size_t *len)
{
    size_t n = strlen(s), from = 0, o, l;
    int best = 0;

    while (from < n &&
           (find_term_at(s, n, from, "year*", &o, &l) || find_term_at(s, n, from, "yrs", &o, &l))) {
        size_t e = o, ws, we, k, after = o + l;
        int v = 0;

        from = o + l;
        /* the word before: skip spaces and '+' */
        while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '+'))
            e--;
        we = e;
        while (e > 0 && ascii_alnum((unsigned char)s[e - 1]))
            e--;
        ws = e;
        if (we == ws)
            continue;
        if (s[ws] >= '0' && s[ws] <= '9') {
            for (k = ws; k < we && s[k] >= '0' && s[k] <= '9' && v < 1000; k++)
                v = v * 10 + (s[k] - '0');
            if (k < we)
                v = 0;
        } else {
            for (k = 0; k < LW_ARRAY_LEN(number_words); k++)
                if (strlen(number_words[k]) == we - ws &&
                    !strncasecmp(s + ws, number_words[k], we - ws))
                    v = (int)k;
        }
        while (after < n && s[after] == ' ')
            after++;
        if (!strncasecmp(s + after, "old", 3) || !strncasecmp(s + after, "ago", 3))
            continue;
        if (v >= 2 && v <= 60 && v > best) {
            best = v;
            *off = ws;
            *len = o + l - ws;
        }
    }
    return best;
}

static void find_seniority(struct ctx *c)
{
    const struct lw_profile *p = c->p;
    struct found f;
    size_t i;

    if (scan_terms(p->headline, senior_terms, LW_ARRAY_LEN(senior_terms), &f, 1)) {
        c->senior_field = "headline";
        c->senior_text = p->headline;
        c->senior_off = f.off;
        c->senior_len = f.len;
        return;
    }
    for (i = 0; i < p->n_positions; i++) {
        const struct lw_profile_position *pos = &p->positions[i];
        if (!lw_profile_position_is_current(pos))
            continue;
        if (scan_terms(pos->title, senior_terms, LW_ARRAY_LEN(senior_terms), &f, 1)) {
            c->senior_field = pos_field(c, i, "title");
            c->senior_text = pos->title;
            c->senior_off = f.off;
            c->senior_len = f.len;
            return;
        }
    }
}

static void measure_career(struct ctx *c)
{
    const struct lw_profile *p = c->p;
    long earliest = -1;
    size_t i, o = 0, l = 0;
    int v;

    c->span_months = -1;
    c->tenure_months = -1;
    for (i = 0; i < p->n_positions; i++) {
        long s = month_index(p->positions[i].start, false);
        if (s < 0)
            continue;
        if (earliest < 0 || s < earliest) {
            earliest = s;
            c->earliest = i;
        }
        if (lw_profile_position_is_current(&p->positions[i]) &&
            c->today_mi - s > c->tenure_months) {
            c->tenure_months = c->today_mi - s;
            c->tenure_idx = i;
        }
    }
    if (earliest >= 0)
        c->span_months = c->today_mi - earliest;

    if (p->headline && (v = years_claim(p->headline, &o, &l)) > c->claimed_years) {
        c->claimed_years = v;
        c->claim_field = "headline";
        c->claim_text = p->headline;
        c->claim_off = o;
        c->claim_len = l;
    }
    if (p->about && (v = years_claim(p->about, &o, &l)) > c->claimed_years) {
        c->claimed_years = v;
        c->claim_field = "about";
        c->claim_text = p->about;
        c->claim_off = o;
        c->claim_len = l;
    }
    for (i = 0; i < p->n_positions; i++)
        if (p->positions[i].description &&
            (v = years_claim(p->positions[i].description, &o, &l)) > c->claimed_years) {
            c->claimed_years = v;
            c->claim_field = pos_field(c, i, "description");
            c->claim_text = p->positions[i].description;
            c->claim_off = o;
            c->claim_len = l;
        }
}

static void account_age(struct ctx *c)
{
    const struct lw_profile *p = c->p;
    int y, m, d;

    c->account_age = -1;
    if (p->account_age_days >= 0) {
        c->account_age = p->account_age_days;
        c->account_field = "account_age_days";
        c->account_value = lw_arena_printf(c->a, "%ld", p->account_age_days);
        if (!c->account_value)
            c->rc = LW_ENOMEM;
        return;
    }
    if (p->account_created && lw_vet_parse_date(p->account_created, &y, &m, &d) == LW_OK) {
        c->account_age = c->o->today - lw_vet_days_from_civil(y, m ? m : 1, d ? d : 1);
        c->account_field = "account_created";
        c->account_value = p->account_created;
    }
}

static void check_seniority(struct ctx *c)
{
    const struct lw_profile *p = c->p;
    const char *sq = NULL;
    size_t i;
    bool dates_flagged = false;

    if (c->senior_field)
        sq = q(c, c->senior_text, c->senior_off, c->senior_len);

    if (c->senior_field && p->positions_known && p->n_positions <= 2)
        add_flag(c, "P3", "senior title, thin history", c->senior_field, p->n_positions ? 20 : 25,
                 "A very senior role with almost no career behind it is a hallmark of fake "
                 "profiles (CPNI: unrealistic role, young profile).",
                 "%s: %s (\"%.*s\") with %zu position%s listed", c->senior_field, sq,
                 (int)c->senior_len, c->senior_text + c->senior_off, p->n_positions,
                 p->n_positions == 1 ? "" : "s");

    if (c->senior_field && c->span_months >= 0 && c->span_months < 60)
        add_flag(c, "P3", "senior title, short career", pos_field(c, c->earliest, "start"), 15,
                 "The whole career listed is under five years, yet the title is senior.",
                 "%s: %s (\"%.*s\") but the earliest position starts \"%s\" (%ld months ago)",
                 c->senior_field, sq, (int)c->senior_len, c->senior_text + c->senior_off,
                 p->positions[c->earliest].start, c->span_months);

    if (c->account_age >= 0 && c->account_age < 365) {
        long tenure_y = c->tenure_months >= 0 ? c->tenure_months / 12 : 0;
        if (tenure_y >= 3)
            add_flag(c, "P3", "new account, long tenure", c->account_field, 20,
                     "The account is less than a year old but claims years in the current "
                     "role; real long-serving staff usually have older accounts.",
                     "%s: \"%s\" (%ld days old) while %s: \"%s\" claims %ld years",
                     c->account_field, c->account_value, c->account_age,
                     pos_field(c, c->tenure_idx, "start"), p->positions[c->tenure_idx].start,
                     tenure_y);
        else if (c->claimed_years >= 3)
            add_flag(c, "P3", "new account, long tenure", c->account_field, 20,
                     "The account is less than a year old but claims many years of "
                     "experience.",
                     "%s: \"%s\" (%ld days old) while %s claims %s", c->account_field,
                     c->account_value, c->account_age, c->claim_field,
                     q(c, c->claim_text, c->claim_off, c->claim_len));
    }

    if (c->claimed_years && c->span_months >= 0 &&
        (long)c->claimed_years * 12 > c->span_months + 24)
        add_flag(c, "P3", "tenure claim does not fit dates", c->claim_field, 20,
                 "The years of experience claimed do not fit the dates of the positions.",
                 "%s: %s but the earliest position starts \"%s\" (%ld years ago)", c->claim_field,
                 q(c, c->claim_text, c->claim_off, c->claim_len), p->positions[c->earliest].start,
                 c->span_months / 12);

    for (i = 0; i < p->n_positions && !dates_flagged; i++) {
        const struct lw_profile_position *pos = &p->positions[i];
        long s = month_index(pos->start, false);
        long e = lw_profile_position_is_current(pos) ? -1 : month_index(pos->end, true);

        if (s >= 0 && e >= 0 && e < s) {
            add_flag(c, "P3", "dates contradict", pos_field(c, i, "end"), 15,
                     "A position ends before it starts: the history was made up carelessly.",
                     "%s: \"%s\" is before start \"%s\"", pos_field(c, i, "end"), pos->end,
                     pos->start);
            dates_flagged = true;
        } else if (s > c->today_mi) {
            add_flag(c, "P3", "dates contradict", pos_field(c, i, "start"), 15,
                     "A position starts in the future: the history was made up carelessly.",
                     "%s: \"%s\" is after today", pos_field(c, i, "start"), pos->start);
            dates_flagged = true;
        }
    }

    if (c->senior_field)
        for (i = 0; i < p->n_education; i++) {
            int y, m, d;
            if (p->education[i].end && lw_vet_parse_date(p->education[i].end, &y, &m, &d) == 0 &&
                y >= c->today_y - 4) {
                const char *f = lw_arena_printf(c->a, "education[%zu].end", i);
                if (!f) {
                    c->rc = LW_ENOMEM;
                    return;
                }
                add_flag(c, "P3", "young profile, senior title", f, 15,
                         "Studies finished only a few years ago do not fit a very senior role "
                         "(CPNI: senior role with a young profile).",
                         "%s: \"%s\" while %s: %s", f, p->education[i].end, c->senior_field, sq);
                break;
            }
        }
}

/* ---- P4 template text --------------------------------------------------- */

static void check_template(struct ctx *c)
{
    const struct lw_profile *p = c->p;
    const struct lw_vet_refs *refs = c->o->refs;
    const char *texts[2] = {p->about, p->headline}, *names[2] = {"about", "headline"};
    struct found f[16];
    size_t t, n, i, best_i = 0;
    double best = 0.0;
    uint64_t *sa = NULL;
    size_t na = 0;
    const char *bio;
    const char *bio_field;

    for (t = 0; t < 2; t++) {
        n = scan_terms(texts[t], template_terms, LW_ARRAY_LEN(template_terms), f, 16);
        if (!n)
            continue;
        add_flag(c, "P4", "template wording", names[t], LW_MIN(10 * (int)n, 30),
                 "Fake profiles reuse the same inflated wording (\"high-end\", \"renowned\", "
                 "\"win-win\", \"global talents\").",
                 "%s: %s; matched %s", names[t], q(c, texts[t], f[0].off, f[0].len),
                 matched_list(c->a, texts[t], f, n));
    }

    bio = p->about ? p->about : p->headline;
    bio_field = p->about ? "about" : "headline";
    if (!bio || !refs || !refs->n_bios)
        return;
    if (shingle_set(bio, &sa, &na) < 0) {
        c->rc = LW_ENOMEM;
        return;
    }
    for (i = 0; na && i < refs->n_bios; i++) {
        uint64_t *sb = NULL;
        size_t nb = 0;
        double j;

        if (shingle_set(refs->bios[i], &sb, &nb) < 0) {
            c->rc = LW_ENOMEM;
            break;
        }
        j = jaccard_sets(sa, na, sb, nb);
        free(sb);
        if (j > best) {
            best = j;
            best_i = i;
        }
    }
    free(sa);
    if (best >= 0.3)
        add_flag(c, "P4", "near-duplicate of a suspicious bio", bio_field, best >= 0.5 ? 35 : 20,
                 "The text is a near copy of a bio seen on other suspicious profiles.",
                 "%s: %s is %d%% similar (word 3-shingles) to known suspicious bio %zu: %s",
                 bio_field, q(c, bio, 0, 0), (int)(best * 100.0 + 0.5), best_i + 1,
                 q(c, refs->bios[best_i], 0, 0));
}

/* ---- P5 government and SOE ties ----------------------------------------- */

struct text_field {
    const char *name;
    const char *text;
};

static size_t profile_texts(struct ctx *c, struct text_field *tf, size_t max)
{
    const struct lw_profile *p = c->p;
    size_t n = 0, i;

    if (p->headline && n < max)
        tf[n++] = (struct text_field){"headline", p->headline};
    if (p->company && n < max)
        tf[n++] = (struct text_field){"company", p->company};
    if (p->about && n < max)
        tf[n++] = (struct text_field){"about", p->about};
    for (i = 0; i < p->n_positions && n + 2 <= max; i++) {
        if (p->positions[i].title)
            tf[n++] = (struct text_field){pos_field(c, i, "title"), p->positions[i].title};
        if (p->positions[i].description)
            tf[n++] =
                (struct text_field){pos_field(c, i, "description"), p->positions[i].description};
    }
    return n;
}

static void check_state_ties(struct ctx *c)
{
    struct text_field tf[64];
    size_t nt = profile_texts(c, tf, LW_ARRAY_LEN(tf)), t, k, n, best_n = 0, best_t = 0;
    struct found f[16], best[16];

    /* Ties, strongest first: state-owned enterprises anywhere; government
     * next to "contacts/resources/serving"; government alone. */
    for (t = 0; t < nt; t++) {
        const char *s = tf[t].text;

        if (scan_terms(s, soe_terms, LW_ARRAY_LEN(soe_terms), f, 1)) {
            add_flag(c, "P5", "state-owned enterprise ties", tf[t].name, 25,
                     "Fronts advertise access to government or state-owned enterprises "
                     "(CPNI, BfV).",
                     "%s: %s; matched \"%.*s\"", tf[t].name, q(c, s, f[0].off, f[0].len),
                     (int)f[0].len, s + f[0].off);
            goto framing;
        }
    }
    for (t = 0; t < nt; t++) {
        const char *s = tf[t].text;
        size_t len = strlen(s);

        n = scan_terms(s, gov_terms, LW_ARRAY_LEN(gov_terms), f, 16);
        for (k = 0; k < n; k++) {
            size_t lo = f[k].off > 60 ? f[k].off - 60 : 0;
            size_t hi = LW_MIN(len, f[k].off + f[k].len + 60);
            if (term_within(s, lo, hi, tie_terms, LW_ARRAY_LEN(tie_terms))) {
                add_flag(c, "P5", "government ties", tf[t].name, 25,
                         "Claims of government contacts or resources are a hallmark of fronts "
                         "(CPNI, BfV).",
                         "%s: %s", tf[t].name, q(c, s, f[k].off, f[k].len));
                goto framing;
            }
        }
    }
    for (t = 0; t < nt; t++) {
        const char *s = tf[t].text;

        if (scan_terms(s, gov_terms, LW_ARRAY_LEN(gov_terms), f, 1)) {
            add_flag(c, "P5", "mentions government", tf[t].name, 15,
                     "The profile leans on government links; alone this is common and honest.",
                     "%s: %s; matched \"%.*s\"", tf[t].name, q(c, s, f[0].off, f[0].len),
                     (int)f[0].len, s + f[0].off);
            break;
        }
    }
framing:
    /* Framing: the field with the most distinct framing words. */
    for (t = 0; t < nt; t++) {
        n = scan_terms(tf[t].text, framing_terms, LW_ARRAY_LEN(framing_terms), f, 16);
        if (n > best_n) {
            best_n = n;
            best_t = t;
            memcpy(best, f, n * sizeof(*f));
        }
    }
    if (best_n)
        add_flag(
            c, "P5", "bridge/cooperation framing", tf[best_t].name, LW_MIN(10 * (int)best_n, 20),
            "\"Bridge\", \"cooperation\" and \"exchange\" framing is how fronts present "
            "themselves (CPNI, BfV).",
            "%s: %s; matched %s", tf[best_t].name, q(c, tf[best_t].text, best[0].off, best[0].len),
            matched_list(c->a, tf[best_t].text, best, best_n));
}

/* ---- network, location, name, targets ----------------------------------- */

static void check_network(struct ctx *c)
{
    const struct lw_profile *p = c->p;

    if (p->connections < 0)
        return;
    if (p->connections >= 500 && c->account_age >= 0 && c->account_age < 180)
        add_flag(c, "V1", "500+ connections on a new account", "connections", 20,
                 "A network of 500+ built in a few months is what outreach at scale looks like.",
                 "connections: \"%ld%s\" with %s: \"%s\" (%ld days old)", p->connections,
                 p->connections_plus ? "+" : "", c->account_field, c->account_value,
                 c->account_age);
    else if (p->connections < 50 && !p->connections_plus)
        add_flag(c, "V1", "few connections", "connections", 15,
                 "Very few connections: a new or throwaway profile.", "connections: %ld",
                 p->connections);
}

/* The city: the text before the first comma, lower-cased and trimmed. */
static char *city_of(struct lw_arena *a, const char *loc)
{
    size_t n = strcspn(loc, ",("), i;
    char *s;

    while (n && loc[n - 1] == ' ')
        n--;
    s = lw_arena_strndup(a, loc, n);
    if (!s)
        return NULL;
    for (i = 0; s[i]; i++)
        s[i] = (char)lower((unsigned char)s[i]);
    return s;
}

static bool contains_ci(const char *hay, const char *needle)
{
    size_t off, len;

    return *needle && find_term(hay, needle, &off, &len);
}

static void check_location(struct ctx *c)
{
    const struct lw_profile *p = c->p;
    size_t i;

    if (!p->location)
        return;
    for (i = 0; i < p->n_positions; i++) {
        const struct lw_profile_position *pos = &p->positions[i];
        char *a, *b;
        size_t off, len;

        if (!pos->location || !lw_profile_position_is_current(pos))
            continue;
        if (find_term(pos->location, "remote", &off, &len) ||
            find_term(p->location, "remote", &off, &len))
            return;
        a = city_of(c->a, p->location);
        b = city_of(c->a, pos->location);
        if (!a || !b) {
            c->rc = LW_ENOMEM;
            return;
        }
        if (contains_ci(pos->location, a) || contains_ci(p->location, b))
            return;
        add_flag(c, "V2", "location mismatch", pos_field(c, i, "location"), 15,
                 "The profile lives in one place and its current job in another; fronts are "
                 "often placed abroad.",
                 "location: \"%s\" but %s: \"%s\"", p->location, pos_field(c, i, "location"),
                 pos->location);
        return;
    }
}

enum script_group {
    SG_NONE = 0,
    SG_LATIN = 1,
    SG_CYRILLIC = 2,
    SG_GREEK = 4,
    SG_CJK = 8,
    SG_OTHER = 16
};

static unsigned script_of(UChar32 ch)
{
    UErrorCode e = U_ZERO_ERROR;
    UScriptCode sc = uscript_getScript(ch, &e);

    if (U_FAILURE(e))
        return SG_NONE;
    switch (sc) {
    case USCRIPT_COMMON:
    case USCRIPT_INHERITED:
        return SG_NONE;
    case USCRIPT_LATIN:
        return SG_LATIN;
    case USCRIPT_CYRILLIC:
        return SG_CYRILLIC;
    case USCRIPT_GREEK:
        return SG_GREEK;
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_HANGUL:
        return SG_CJK;
    default:
        return SG_OTHER;
    }
}

static int popcount(unsigned v)
{
    int n = 0;

    for (; v; v &= v - 1)
        n++;
    return n;
}

static void check_name(struct ctx *c)
{
    const char *s = c->p->name;
    int32_t len, i = 0;
    unsigned all = 0, word = 0, mixed = 0;
    int words = 0, upper = 0, lowerc = 0, digitc = 0;
    bool in_word = false;

    if (!s)
        return;
    len = (int32_t)LW_MIN(strlen(s), (size_t)4096);
    while (i <= len) {
        UChar32 ch = ' ';
        if (i < len)
            U8_NEXT(s, i, len, ch);
        else
            i++;
        if (ch < 0)
            ch = 0xFFFD;
        if (u_isspace(ch)) {
            if (in_word && popcount(word) > 1)
                mixed |= word;
            in_word = false;
            word = 0;
            continue;
        }
        if (!in_word)
            words++;
        in_word = true;
        word |= script_of(ch);
        all |= script_of(ch);
        if (u_isdigit(ch))
            digitc++;
        else if (u_isupper(ch))
            upper++;
        else if (u_islower(ch))
            lowerc++;
    }
    if (mixed)
        add_flag(c, "V3", "name mixes scripts", "name",
                 (mixed & SG_LATIN) && (mixed & (SG_CYRILLIC | SG_GREEK)) ? 25 : 15,
                 "Letters from two alphabets in one name (e.g. a Cyrillic 'а' among Latin "
                 "letters) are used to dodge blocklists and searches.",
                 "name: \"%s\" mixes %s%s%s%s in one word", s, mixed & SG_LATIN ? "Latin " : "",
                 mixed & SG_CYRILLIC ? "Cyrillic " : "", mixed & SG_GREEK ? "Greek " : "",
                 mixed & (SG_CJK | SG_OTHER) ? "other " : "");
    if (digitc)
        add_flag(c, "V3", "digits in name", "name", 10,
                 "Real names rarely carry digits; generated accounts often do.", "name: \"%s\"", s);
    if (words == 1 && !(all & SG_CJK))
        add_flag(c, "V3", "single-word name", "name", 10,
                 "A one-word name gives nothing to check against.", "name: \"%s\"", s);
    if (upper >= 4 && lowerc == 0 && !(all & SG_CJK))
        add_flag(c, "V3", "all-capital name", "name", 10,
                 "A name in capitals is a common trait of mass-made profiles.", "name: \"%s\"", s);
}

static void check_targets(struct ctx *c)
{
    const struct lw_profile *p = c->p;
    const char *texts[2] = {p->headline, p->about}, *names[2] = {"headline", "about"};
    size_t t, k;

    for (t = 0; t < 2; t++) {
        const char *s = texts[t];
        size_t n, off, len;

        if (!s)
            continue;
        n = strlen(s);
        for (k = 0; k < LW_ARRAY_LEN(seek_terms); k++) {
            size_t from = 0;
            while (find_term_at(s, n, from, seek_terms[k], &off, &len)) {
                size_t hi = LW_MIN(n, off + len + 120);
                from = off + len;
                if (term_within(s, off + len, hi, access_terms, LW_ARRAY_LEN(access_terms))) {
                    add_flag(c, "A6", "targets people with access", names[t], 25,
                             "The profile openly seeks people in policy, defence or government: "
                             "the people services try to recruit (Five Eyes 2026).",
                             "%s: %s", names[t], q(c, s, off, hi - off));
                    return;
                }
            }
        }
    }
}

/* ---- watchlist ---------------------------------------------------------- */

/* Points an indicator adds to the score, by strength. */
static int strength_weight(enum lw_name_strength s)
{
    switch (s) {
    case LW_NAME_STRONG:
        return 60;
    case LW_NAME_MEDIUM:
        return 30;
    case LW_NAME_WEAK:
        return 10;
    default:
        return 0;
    }
}

static const char *strength_name(enum lw_name_strength s)
{
    switch (s) {
    case LW_NAME_STRONG:
        return "strong";
    case LW_NAME_MEDIUM:
        return "medium";
    case LW_NAME_WEAK:
        return "weak";
    default:
        return "none";
    }
}

/* One lookup: the profile field the message's from.name stands for, and
 * what its "text" is. */
struct wl_run {
    struct ctx *c;
    const char *name_field, *name_value;
    const char *text_field, *text_value;
};

static bool indicator_seen(const struct lw_vet_result *r, const char *matched, const char *type)
{
    size_t i;

    for (i = 0; i < r->n_indicators; i++)
        if (!strcmp(r->indicators[i].matched, matched) && !strcmp(r->indicators[i].type, type))
            return true;
    return false;
}

static int on_indicator(void *p, const struct lw_indicator *ind)
{
    struct wl_run *w = p;
    struct ctx *c = w->c;
    struct lw_vet_result *r = c->r;
    const struct lw_entry *e = ind->entry;
    struct lw_vet_indicator *d;
    const char *field, *value, *type = lw_entry_type_name(e->type);

    if (!strcmp(ind->field, "from.name")) {
        field = w->name_field;
        value = w->name_value;
    } else if (!strcmp(ind->field, "from.profile")) {
        field = "url";
        value = c->p->url;
    } else if (!strcmp(ind->field, "text") && w->text_field) {
        field = w->text_field;
        value = w->text_value;
    } else {
        return LW_OK;
    }
    if (!field || !value || ind->strength == LW_NAME_NONE || indicator_seen(r, e->value, type))
        return LW_OK;
    if (r->n_indicators == r->cap_ind) {
        size_t ncap = r->cap_ind ? r->cap_ind * 2 : 8;
        struct lw_vet_indicator *nd = lw_arena_calloc(c->a, ncap, sizeof(*nd));
        if (!nd)
            return LW_ENOMEM;
        if (r->n_indicators)
            memcpy(nd, r->indicators, r->n_indicators * sizeof(*nd));
        r->indicators = nd;
        r->cap_ind = ncap;
    }
    d = &r->indicators[r->n_indicators];
    memset(d, 0, sizeof(*d));
    d->type = type;
    d->field = lw_arena_strdup(c->a, field);
    d->value = lw_arena_strdup(c->a, value);
    d->matched = lw_arena_strdup(c->a, e->value);
    d->strength = strength_name(ind->strength);
    d->why = lw_arena_strdup(c->a, ind->why);
    d->source = lw_arena_strdup(c->a, e->source ? e->source : "");
    d->source_url = e->source_url ? lw_arena_strdup(c->a, e->source_url) : NULL;
    d->date = e->date ? lw_arena_strdup(c->a, e->date) : NULL;
    d->note = e->note ? lw_arena_strdup(c->a, e->note) : NULL;
    d->weight = strength_weight(ind->strength);
    if (!d->field || !d->value || !d->matched || !d->why || !d->source ||
        (e->source_url && !d->source_url) || (e->date && !d->date) || (e->note && !d->note))
        return LW_ENOMEM;
    r->n_indicators++;
    return LW_OK;
}

/* Match one profile value as a sender name (persona and organisation
 * entries), with the profile URL and an optional text (URLs, domains). */
static void wl_lookup(struct ctx *c, const char *name_field, const char *name, const char *url,
                      const char *text_field, const char *text)
{
    struct wl_run w = {c, name_field, name, text_field, text};
    struct lw_msg *m;
    char *nt = NULL;
    int rc;

    if (c->rc < 0 || (!name && !url && !text))
        return;
    m = lw_msg_new();
    if (!m) {
        c->rc = LW_ENOMEM;
        return;
    }
    m->channel = LW_CHANNEL_LINKEDIN;
    m->from.name = name;
    m->from.profile = url;
    if (text && lw_norm_str(text, strlen(text), &nt, NULL) == LW_ENOMEM) {
        c->rc = LW_ENOMEM;
        goto out;
    }
    rc = lw_watchlist_match_msg(c->o->watchlist, m, nt, nt ? strlen(nt) : 0, on_indicator, &w);
    if (rc < 0)
        c->rc = rc;
out:
    free(nt);
    lw_msg_free(m);
}

static void check_watchlist(struct ctx *c)
{
    const struct lw_profile *p = c->p;
    size_t i;

    if (!c->o->watchlist)
        return;
    wl_lookup(c, "name", p->name, p->url, NULL, NULL);
    wl_lookup(c, "company", p->company, NULL, p->company_url ? "company_url" : NULL,
              p->company_url);
    for (i = 0; i < p->n_positions && c->rc == 0; i++) {
        const char *co = p->positions[i].company;
        if (co && (!p->company || strcmp(co, p->company)))
            wl_lookup(c, pos_field(c, i, "company"), co, NULL, NULL, NULL);
    }
}

/* ---- rating ------------------------------------------------------------- */

bool lw_vet_code_counts(const struct lw_vet_result *r, const char *code)
{
    size_t i;
    int sum = 0;

    for (i = 0; i < r->n_flags; i++)
        if (!strcmp(r->flags[i].code, code))
            sum += r->flags[i].weight;
    return sum >= LW_VET_CODE_MIN;
}

static void rate(struct ctx *c)
{
    struct lw_vet_result *r = c->r;
    char codes[128] = "", pcodes[128] = "";
    const char *seen[64];
    size_t n_seen = 0, i, k;
    int n_codes = 0, n_p = 0, score = 0;
    bool p25 = false;
    const struct lw_vet_indicator *strong = NULL, *medium = NULL;

    for (i = 0; i < r->n_flags; i++) {
        const char *code = r->flags[i].code;
        score += r->flags[i].weight;
        for (k = 0; k < n_seen; k++)
            if (!strcmp(seen[k], code))
                break;
        if (k < n_seen || n_seen == LW_ARRAY_LEN(seen))
            continue;
        seen[n_seen++] = code;
        if (!lw_vet_code_counts(r, code))
            continue;
        n_codes++;
        snprintf(codes + strlen(codes), sizeof(codes) - strlen(codes), "%s%s",
                 n_codes > 1 ? ", " : "", code);
        if (code[0] == 'P') {
            n_p++;
            snprintf(pcodes + strlen(pcodes), sizeof(pcodes) - strlen(pcodes), "%s%s",
                     n_p > 1 ? ", " : "", code);
            if (!strcmp(code, "P2") || !strcmp(code, "P5"))
                p25 = true;
        }
    }
    for (i = 0; i < r->n_indicators; i++) {
        score += r->indicators[i].weight;
        if (!strcmp(r->indicators[i].strength, "strong") && !strong)
            strong = &r->indicators[i];
        else if (!strcmp(r->indicators[i].strength, "medium") && !medium)
            medium = &r->indicators[i];
    }
    r->score = LW_MIN(score, 100);

    if (strong) {
        r->rating = LW_VET_HIGH;
        WHY(c, "strong watchlist match: %s \"%s\" matches \"%s\" (%s)", strong->field,
            strong->value, strong->matched, strong->source);
    } else if (n_p >= 3 && p25) {
        r->rating = LW_VET_HIGH;
        WHY(c, "%d profile codes count (%s), including P2 or P5: high", n_p, pcodes);
    } else if (medium) {
        r->rating = LW_VET_MEDIUM;
        WHY(c, "medium watchlist match: %s \"%s\" matches \"%s\" (%s)%s", medium->field,
            medium->value, medium->matched, medium->source,
            !strcmp(medium->type, "persona")
                ? "; a name alone: real, innocent people may share it, so weigh the flags"
                : "");
    } else if (n_codes >= 2) {
        r->rating = LW_VET_MEDIUM;
        WHY(c, "%d codes count (%s): medium", n_codes, codes);
    } else if (r->score >= LW_VET_SCORE_MEDIUM) {
        r->rating = LW_VET_MEDIUM;
        WHY(c, "score %d reaches %d: medium", r->score, LW_VET_SCORE_MEDIUM);
    } else {
        r->rating = LW_VET_LOW;
        if (n_codes)
            WHY(c, "only %d code counts (%s) and the score is %d: low", n_codes, codes, r->score);
        else
            WHY(c, "no code reaches weight %d and the score is %d: low", LW_VET_CODE_MIN, r->score);
    }
}

static void advise(struct ctx *c)
{
    const struct lw_profile *p = c->p;

    ADVICE(c, "Reverse-image-search the profile photo (Google Lens, Bing Visual Search, "
              "TinEye): a face found under another name, on a stock site or nowhere at all "
              "(AI-generated) means a fake. lurewatch cannot see the picture.");
    if (p->company)
        ADVICE(c,
               "Check that \"%s\" exists in the company registry of the country it claims "
               "(e.g. Companies House in the UK), with a real website, address and staff.",
               p->company);
    else
        ADVICE(c, "Check that the claimed employer exists in a company registry, with a real "
                  "website, address and staff.");
    ADVICE(c, "Before sharing anything, ask for a call on the company's official phone line, "
              "found independently (registry, official website), not a number the contact "
              "gives you.");
    if (c->r->rating >= LW_VET_MEDIUM)
        ADVICE(c, "Do not accept the invitation or move to another platform (WhatsApp, WeChat, "
                  "Telegram, private e-mail). Report the profile to your security team (UK "
                  "Parliament: TellPSD@parliament.uk) and to the platform (LinkedIn: More > "
                  "Report/Block).");
    else
        ADVICE(c, "If the contact offers paid reports, asks for non-public information or "
                  "colleagues' details, or pushes you off the platform, stop and tell your "
                  "security team.");
}

int lw_vet_profile(const struct lw_profile *p, const struct lw_vet_opts *opts,
                   struct lw_vet_result **out, struct lw_diag *diag)
{
    struct lw_vet_result *r;
    struct lw_arena *a;
    struct ctx c;

    *out = NULL;
    if (!p || !opts) {
        lw_diag_set(diag, "vet: no profile or options");
        return LW_EINVAL;
    }
    a = lw_arena_new(16 * 1024);
    if (!a)
        return LW_ENOMEM;
    r = lw_arena_calloc(a, 1, sizeof(*r));
    if (!r) {
        lw_arena_free(a);
        return LW_ENOMEM;
    }
    r->arena = a;
    memset(&c, 0, sizeof(c));
    c.p = p;
    c.o = opts;
    c.r = r;
    c.a = a;
    civil_from_days(opts->today, &c.today_y, &c.today_m, &c.today_d);
    c.today_mi = (long)c.today_y * 12 + c.today_m - 1;

    account_age(&c);
    find_seniority(&c);
    measure_career(&c);

    check_photo(&c);
    check_employer(&c);
    check_seniority(&c);
    check_template(&c);
    check_state_ties(&c);
    check_network(&c);
    check_location(&c);
    check_name(&c);
    check_targets(&c);
    check_watchlist(&c);
    rate(&c);
    advise(&c);
    if (c.rc < 0) {
        lw_arena_free(a);
        return c.rc;
    }
    *out = r;
    return LW_OK;
}
