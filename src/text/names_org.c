/* names_org.c -- matching organisation names (legal forms dropped, spacing
 * ignored, one edit on a distinctive token) and handles, domains, addresses
 * and URLs (confusable skeletons, registrable domain, top-level domain).
 * See docs/internals/names.md for the rules and their reasons. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

#include "text/names_int.h"

#define ORG_MAX_TOKENS 16

struct otok {
    bool han;
    char s[LW_NAMES_TOKLEN];  /* folded ASCII, or simplified hanzi (UTF-8) */
    char rd[LW_NAMES_TOKLEN]; /* reading of hanzi, joined; == s for Latin */
    char disp[LW_NAMES_DISPLEN];
};

struct oname {
    struct otok t[ORG_MAX_TOKENS];
    size_t n;
    unsigned flags;
    char dropped[64]; /* legal forms removed, for the explanation */
};

static bool org_joiner(UChar32 c)
{
    switch (c) {
    case 0x27:
    case 0x2019:
    case 0x2D:
    case 0x2010:
    case 0x2011:
    case 0x2013:
    case 0x2E: /* "S.A.", "Co." */
    case 0x26: /* "AT&T" */
        return true;
    default:
        return false;
    }
}

static bool org_word(UChar32 c)
{
    return u_isalnum(c) || org_joiner(c) || lw_names_is_mark(c);
}

static bool is_legal_form(const char *s)
{
    static const char *const forms[] = {
        "co",  "ltd",    "limited", "llc", "inc",  "incorporated", "gmbh",    "ag",
        "sa",  "sarl",   "pte",     "plc", "corp", "corporation",  "company", "pty",
        "pvt", "bv",     "nv",      "srl", "spa",  "kk",           "coltd",   "llp",
        "lp",  "gmbhco", "sas",     "oy",  "ab",   "as",           "limitada"};

    for (size_t i = 0; i < LW_ARRAY_LEN(forms); i++)
        if (strcmp(s, forms[i]) == 0)
            return true;
    return false;
}

/* Chinese legal forms at the end of a name, longest first. */
static const char *const han_forms[] = {"股份有限公司", "有限责任公司", "集团有限公司",
                                        "有限公司",     "集团",         "公司"};

static void strip_han_forms(struct otok *t, char *dropped, size_t cap)
{
    bool again = true;

    while (again) {
        size_t len = strlen(t->s);
        again = false;
        for (size_t i = 0; i < LW_ARRAY_LEN(han_forms); i++) {
            size_t fl = strlen(han_forms[i]);
            if (len > fl && memcmp(t->s + len - fl, han_forms[i], fl) == 0) {
                t->s[len - fl] = '\0';
                lw_names_why(dropped, cap, "%s%s", dropped[0] ? " " : "", han_forms[i]);
                again = true;
                break;
            }
        }
    }
}

static int parse_org(const struct lw_names *n, const char *name, struct oname *o)
{
    UChar u[LW_NAMES_MAX_INPUT + 1], v[LW_NAMES_MAX_INPUT * 4];
    int32_t ul = 0, vl = 0, i = 0;
    size_t len;
    int rc;

    memset(o, 0, sizeof(*o));
    len = strnlen(name, LW_NAMES_MAX_INPUT + 1);
    if (len > LW_NAMES_MAX_INPUT)
        return LW_ELIMIT;
    rc = lw_names_u16(name, len, u, LW_ARRAY_LEN(u), &ul);
    if (rc == LW_OK)
        rc = lw_names_nfkc(n, u, ul, v, LW_ARRAY_LEN(v), &vl);
    if (rc < 0)
        return rc;
    while (i < vl && o->n < ORG_MAX_TOKENS) {
        int32_t start = i, end, next = i;
        UChar32 c;
        bool han;
        struct otok *t = &o->t[o->n];

        U16_NEXT(v, next, vl, c);
        han = lw_names_is_han((uint32_t)c);
        if (!han && !org_word(c)) {
            i = next;
            continue;
        }
        end = next;
        while (end < vl) {
            int32_t k = end;
            U16_NEXT(v, k, vl, c);
            if (han ? !lw_names_is_han((uint32_t)c)
                    : (!org_word(c) || lw_names_is_han((uint32_t)c)))
                break;
            end = k;
        }
        i = end;
        memset(t, 0, sizeof(*t));
        if (han) {
            char rd[512];
            size_t k = 0;
            t->han = true;
            rc = lw_names_han(n, v + start, end - start, t->s, sizeof(t->s), rd, sizeof(rd));
            if (rc < 0 && rc != LW_ELIMIT)
                return rc;
            for (size_t q = 0; rd[q] && k + 1 < sizeof(t->rd); q++)
                if (rd[q] != ' ')
                    t->rd[k++] = rd[q];
            t->rd[k] = '\0';
            lw_names_copy(t->disp, sizeof(t->disp), t->s, strlen(t->s));
        } else {
            char tmp[256];
            int32_t ol = 0;
            UErrorCode err = U_ZERO_ERROR;
            lw_names_fold(n, v + start, end - start, t->s, sizeof(t->s), &o->flags);
            if (!t->s[0] && end - start == 1 && v[start] == '&')
                memcpy(t->s, "and", 4);
            memcpy(t->rd, t->s, sizeof(t->rd));
            u_strToUTF8WithSub(tmp, sizeof(tmp), &ol, v + start, LW_MIN(end - start, 60), 0xFFFD,
                               NULL, &err);
            if (U_FAILURE(err) || ol >= (int32_t)sizeof(tmp))
                ol = 0;
            lw_names_copy(t->disp, sizeof(t->disp), tmp, (size_t)ol);
        }
        if (t->s[0])
            o->n++;
    }
    /* Legal forms at the end ("Co., Ltd."), then a leading "the". */
    while (o->n > 1) {
        struct otok *t = &o->t[o->n - 1];
        if (t->han) {
            strip_han_forms(t, o->dropped, sizeof(o->dropped));
            if (t->s[0])
                break;
        } else if (!is_legal_form(t->s)) {
            break;
        } else {
            lw_names_why(o->dropped, sizeof(o->dropped), "%s%s", o->dropped[0] ? " " : "", t->disp);
        }
        o->n--;
    }
    if (o->n == 1 && o->t[0].han)
        strip_han_forms(&o->t[0], o->dropped, sizeof(o->dropped));
    if (o->n > 1 && !o->t[0].han && strcmp(o->t[0].s, "the") == 0) {
        memmove(&o->t[0], &o->t[1], (o->n - 1) * sizeof(o->t[0]));
        o->n--;
    }
    return LW_OK;
}

static void concat(const struct oname *o, bool reading, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < o->n; i++)
        lw_names_why(out, cap, "%s", reading ? o->t[i].rd : o->t[i].s);
}

static bool has_han(const struct oname *o)
{
    for (size_t i = 0; i < o->n; i++)
        if (o->t[i].han)
            return true;
    return false;
}

/* Exactly one Latin token differs, by few enough edits: its index, or -1. */
static int one_token_differs(const struct oname *A, const struct oname *B, unsigned *dist)
{
    int k = -1;

    if (A->n != B->n)
        return -1;
    for (size_t i = 0; i < A->n; i++) {
        if (strcmp(A->t[i].s, B->t[i].s) == 0)
            continue;
        if (k >= 0 || A->t[i].han || B->t[i].han)
            return -1;
        k = (int)i;
    }
    if (k < 0)
        return -1;
    {
        size_t la = strlen(A->t[k].s), lb = strlen(B->t[k].s);
        unsigned budget = lw_names_budget(la, lb);
        unsigned d = lw_names_osa(A->t[k].s, B->t[k].s);
        /* A short distinctive token ("BR-YR", 4 letters) may differ by one
         * letter only when the rest of the name matches exactly. */
        if (budget == 0 && A->n >= 2 && LW_MIN(la, lb) >= 4)
            budget = 1;
        if (d > budget)
            return -1;
        *dist = d;
    }
    return k;
}

void lw_names_match_org(const struct lw_names *n, const char *a, const char *b,
                        struct lw_name_match *out)
{
    struct oname *A = NULL, *B = NULL;
    char ca[LW_NAMES_MAX_INPUT + 1], cb[LW_NAMES_MAX_INPUT + 1];
    char *sa = NULL, *sb = NULL;
    unsigned dist = 0;
    int rc, k;
    bool same = true;

    memset(out, 0, sizeof(*out));
    if (!n || !a || !b) {
        lw_names_why(out->why, sizeof(out->why), "no name");
        return;
    }
    A = malloc(sizeof(*A));
    B = malloc(sizeof(*B));
    sa = malloc(LW_NAMES_MAX_HANDLE);
    sb = malloc(LW_NAMES_MAX_HANDLE);
    if (!A || !B || !sa || !sb) {
        lw_names_why(out->why, sizeof(out->why), "out of memory");
        goto out;
    }
    rc = parse_org(n, a, A);
    if (rc == LW_OK)
        rc = parse_org(n, b, B);
    if (rc < 0) {
        lw_names_why(out->why, sizeof(out->why), "%s",
                     rc == LW_ELIMIT ? "name too long" : lw_strerror(rc));
        goto out;
    }
    if (A->n == 0 || B->n == 0) {
        lw_names_why(out->why, sizeof(out->why), "empty name");
        goto out;
    }
    for (size_t i = 0; same && i < LW_MAX(A->n, B->n); i++)
        same = i < A->n && i < B->n && strcmp(A->t[i].s, B->t[i].s) == 0;
    concat(A, false, ca, sizeof(ca));
    concat(B, false, cb, sizeof(cb));
    if (same) {
        lw_names_result(out, LW_NAME_STRONG, 1.0);
        lw_names_why(out->why, sizeof(out->why), "same name");
    } else if (strcmp(ca, cb) == 0) {
        lw_names_result(out, LW_NAME_STRONG, 0.9);
        lw_names_why(out->why, sizeof(out->why), "same name apart from spacing or punctuation");
    } else if ((k = one_token_differs(A, B, &dist)) >= 0) {
        lw_names_result(out, LW_NAME_MEDIUM, 1.0 - 0.3 * dist);
        lw_names_why(out->why, sizeof(out->why), "%s ~ %s (%u edit%s)%s", A->t[k].disp,
                     B->t[k].disp, dist, dist == 1 ? "" : "s",
                     A->n > 1 ? ", the rest of the name equal" : "");
    } else if (lw_names_skeleton(n, ca, sa, LW_NAMES_MAX_HANDLE) == LW_OK &&
               lw_names_skeleton(n, cb, sb, LW_NAMES_MAX_HANDLE) == LW_OK && strcmp(sa, sb) == 0) {
        lw_names_result(out, LW_NAME_MEDIUM, 0.8);
        lw_names_why(out->why, sizeof(out->why), "look-alike spelling (%s / %s)", ca, cb);
    } else if (has_han(A) != has_han(B)) {
        concat(A, true, ca, sizeof(ca));
        concat(B, true, cb, sizeof(cb));
        if (ca[0] && strcmp(ca, cb) == 0) {
            lw_names_result(out, LW_NAME_MEDIUM, 0.7);
            lw_names_why(out->why, sizeof(out->why), "the hanzi name reads %s", ca);
        }
    }
    if (out->strength == LW_NAME_NONE) {
        /* Weak: every token of the shorter name is in the longer one, in
         * order, or both start with the same word of 4 letters or more (a
         * shared generic word further on, "Review", says nothing). */
        const struct oname *S = A->n <= B->n ? A : B, *L = A->n <= B->n ? B : A;
        size_t found = 0, j = 0;
        const char *shared = NULL;
        if (strcmp(S->t[0].s, L->t[0].s) == 0 && strlen(S->t[0].s) >= 4)
            shared = S->t[0].disp;
        for (size_t i = 0; i < L->n && j < S->n; i++)
            if (strcmp(L->t[i].s, S->t[j].s) == 0)
                j++, found++;
        if (found == S->n) {
            lw_names_result(out, LW_NAME_WEAK, 0.8);
            lw_names_why(out->why, sizeof(out->why), "one name contains the other");
        } else if (shared) {
            lw_names_result(out, LW_NAME_WEAK, 0.3);
            lw_names_why(out->why, sizeof(out->why), "both start with %s", shared);
        } else {
            lw_names_why(out->why, sizeof(out->why), "different names");
        }
    }
    if (A->dropped[0] || B->dropped[0])
        lw_names_why(out->why, sizeof(out->why), "; legal form dropped (%s%s%s)", A->dropped,
                     A->dropped[0] && B->dropped[0] ? " / " : "", B->dropped);
    if ((A->flags | B->flags) & LW_NAMES_LOOKALIKE)
        lw_names_why(out->why, sizeof(out->why), "; look-alike letters from another script");
out:
    free(A);
    free(B);
    free(sa);
    free(sb);
}

/* ---- handles, domains, addresses, URLs ---- */

enum hkind { H_HANDLE, H_DOMAIN, H_EMAIL, H_URL };

struct handle {
    enum hkind kind;
    char norm[LW_NAMES_MAX_HANDLE];
    char local[256];
    char host[256];
    char label[256]; /* registrable label ("br-yr") */
    char suffix[64]; /* public suffix, by a heuristic ("com", "co.uk") */
    char flat[256];  /* a handle without . _ - */
};

static bool starts(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static void split_domain(struct handle *h)
{
    static const char *const second[] = {"co",  "com", "net", "org", "gov", "ac",  "edu", "ltd",
                                         "plc", "ne",  "or",  "go",  "gob", "nic", "mil", "gen"};
    const char *lab[32];
    size_t ll[32], nl = 0, i = 0, hl = strlen(h->host);
    size_t si;

    while (i < hl && nl < LW_ARRAY_LEN(lab)) {
        size_t j = i;
        while (j < hl && h->host[j] != '.')
            j++;
        if (j > i) {
            lab[nl] = h->host + i;
            ll[nl++] = j - i;
        }
        i = j + 1;
    }
    h->label[0] = h->suffix[0] = '\0';
    if (nl == 0)
        return;
    if (nl == 1) {
        lw_names_copy(h->label, sizeof(h->label), lab[0], ll[0]);
        return;
    }
    si = nl - 1;
    if (nl >= 3 && ll[nl - 1] == 2)
        for (size_t k = 0; k < LW_ARRAY_LEN(second); k++)
            if (ll[nl - 2] == strlen(second[k]) && memcmp(lab[nl - 2], second[k], ll[nl - 2]) == 0)
                si = nl - 2;
    lw_names_copy(h->label, sizeof(h->label), lab[si - 1], ll[si - 1]);
    lw_names_copy(h->suffix, sizeof(h->suffix), lab[si],
                  (size_t)(lab[nl - 1] + ll[nl - 1] - lab[si]));
}

static bool looks_like_domain(const char *s)
{
    const char *dot = strrchr(s, '.');
    size_t tl;

    if (!dot || dot == s || strchr(s, ' '))
        return false;
    tl = strlen(dot + 1);
    if (tl < 2)
        return false;
    for (const char *p = dot + 1; *p; p++)
        if (!isalpha((unsigned char)*p) && (unsigned char)*p < 0x80)
            return false;
    return true;
}

static void to_unicode_host(const struct lw_names *n, char *host, size_t cap)
{
    char out[256];
    UIDNAInfo info = UIDNA_INFO_INITIALIZER;
    UErrorCode err = U_ZERO_ERROR;
    int32_t len;

    if (!strstr(host, "xn--"))
        return;
    len = uidna_nameToUnicodeUTF8(n->idna, host, -1, out, sizeof(out), &info, &err);
    if (U_FAILURE(err) || err == U_STRING_NOT_TERMINATED_WARNING || info.errors != 0)
        return;
    lw_names_copy(host, cap, out, (size_t)len);
}

static int parse_handle(const struct lw_names *n, const char *in, struct handle *h)
{
    UChar *u = NULL, *v = NULL;
    int32_t ul = 0, vl = 0;
    UErrorCode err = U_ZERO_ERROR;
    size_t len;
    char *s, *at, *slash;
    int rc;

    memset(h, 0, sizeof(*h));
    len = strnlen(in, LW_NAMES_MAX_HANDLE + 1);
    if (len > LW_NAMES_MAX_HANDLE)
        return LW_ELIMIT;
    u = malloc((LW_NAMES_MAX_HANDLE + 1) * sizeof(UChar));
    v = malloc(LW_NAMES_MAX_HANDLE * 4 * sizeof(UChar));
    if (!u || !v) {
        rc = LW_ENOMEM;
        goto out;
    }
    rc = lw_names_u16(in, len, u, LW_NAMES_MAX_HANDLE + 1, &ul);
    if (rc < 0)
        goto out;
    vl = unorm2_normalize(n->nfkc_cf, u, ul, v, LW_NAMES_MAX_HANDLE * 4, &err);
    if (U_SUCCESS(err) && err != U_STRING_NOT_TERMINATED_WARNING)
        u_strToUTF8WithSub(h->norm, sizeof(h->norm), NULL, v, vl, 0xFFFD, NULL, &err);
    if (err == U_BUFFER_OVERFLOW_ERROR || err == U_STRING_NOT_TERMINATED_WARNING) {
        rc = LW_ELIMIT;
        goto out;
    }
    if (U_FAILURE(err)) {
        rc = LW_EBACKEND;
        goto out;
    }
    /* trim, then drop what does not identify: scheme, www., a leading @,
     * trailing slashes and dots */
    s = h->norm;
    while (*s && isspace((unsigned char)*s))
        s++;
    len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        s[--len] = '\0';
    if (starts(s, "mailto:"))
        s += 7;
    else if (starts(s, "https://"))
        s += 8;
    else if (starts(s, "http://"))
        s += 7;
    if (starts(s, "www."))
        s += 4;
    if (*s == '@')
        s++;
    len = strlen(s);
    while (len > 0 && (s[len - 1] == '/' || s[len - 1] == '.'))
        s[--len] = '\0';
    memmove(h->norm, s, len + 1);

    at = strrchr(h->norm, '@');
    slash = strchr(h->norm, '/');
    if (at && at != h->norm && at[1] && !slash) {
        h->kind = H_EMAIL;
        lw_names_copy(h->local, sizeof(h->local), h->norm, (size_t)(at - h->norm));
        lw_names_copy(h->host, sizeof(h->host), at + 1, strlen(at + 1));
    } else if (slash && slash != h->norm && !at) {
        h->kind = H_URL;
        lw_names_copy(h->host, sizeof(h->host), h->norm, (size_t)(slash - h->norm));
        if (!looks_like_domain(h->host))
            h->kind = H_HANDLE;
    } else if (looks_like_domain(h->norm) && !at) {
        h->kind = H_DOMAIN;
        lw_names_copy(h->host, sizeof(h->host), h->norm, strlen(h->norm));
    } else {
        h->kind = H_HANDLE;
    }
    if (h->kind != H_HANDLE) {
        /* a port is not part of the name */
        char *colon = strchr(h->host, ':');
        if (colon)
            *colon = '\0';
        if (strstr(h->host, "xn--")) {
            /* show and compare the Unicode form of a punycode name */
            char rest[LW_NAMES_MAX_HANDLE];
            const char *tail = h->kind == H_URL ? strchr(h->norm, '/') : "";
            lw_names_copy(rest, sizeof(rest), tail, strlen(tail));
            to_unicode_host(n, h->host, sizeof(h->host));
            h->norm[0] = '\0';
            if (h->kind == H_EMAIL)
                lw_names_why(h->norm, sizeof(h->norm), "%s@", h->local);
            lw_names_why(h->norm, sizeof(h->norm), "%s%s", h->host, rest);
        }
        split_domain(h);
    }
    {
        size_t k = 0;
        const char *src = h->kind == H_EMAIL ? h->local : h->norm;
        for (size_t i = 0; src[i] && k + 1 < sizeof(h->flat); i++)
            if (src[i] != '.' && src[i] != '_' && src[i] != '-')
                h->flat[k++] = src[i];
        h->flat[k] = '\0';
    }
    rc = LW_OK;
out:
    free(u);
    free(v);
    return rc;
}

static bool skel_eq(const struct lw_names *n, const char *a, const char *b)
{
    char *sa = malloc(LW_NAMES_MAX_HANDLE * 2), *sb = malloc(LW_NAMES_MAX_HANDLE * 2);
    bool eq = false;

    if (sa && sb && lw_names_skeleton(n, a, sa, LW_NAMES_MAX_HANDLE * 2) == LW_OK &&
        lw_names_skeleton(n, b, sb, LW_NAMES_MAX_HANDLE * 2) == LW_OK)
        eq = strcmp(sa, sb) == 0;
    free(sa);
    free(sb);
    return eq;
}

static bool same_text(const struct lw_names *n, const char *a, const char *b, bool *lookalike)
{
    if (strcmp(a, b) == 0)
        return true;
    if (a[0] && b[0] && skel_eq(n, a, b)) {
        *lookalike = true;
        return true;
    }
    return false;
}

static void compare_hosts(const struct lw_names *n, const struct handle *A, const struct handle *B,
                          struct lw_name_match *out)
{
    bool look = false, same_host, same_reg = false, same_label;
    char *why = out->why;
    size_t cap = sizeof(out->why);

    same_host = same_text(n, A->host, B->host, &look);
    same_label = A->label[0] && same_text(n, A->label, B->label, &look);
    if (same_label)
        same_reg = strcmp(A->suffix, B->suffix) == 0;

    if (A->kind == H_EMAIL && B->kind == H_EMAIL) {
        bool same_local = same_text(n, A->local, B->local, &look);
        if (same_local && (same_host || same_reg)) {
            lw_names_result(out, LW_NAME_STRONG, 0.9);
            lw_names_why(why, cap, "same address%s", same_host ? "" : " in another subdomain");
        } else if (same_local && same_label) {
            lw_names_result(out, LW_NAME_MEDIUM, 0.8);
            lw_names_why(why, cap,
                         "same mailbox and domain name, different top-level domain "
                         "(%s / %s)",
                         A->suffix, B->suffix);
        } else if (same_host || same_reg) {
            lw_names_result(out, LW_NAME_WEAK, 0.5);
            lw_names_why(why, cap, "same domain %s, different mailbox", A->host);
        }
    } else if (A->kind == H_URL && B->kind == H_URL && (same_host || same_reg)) {
        lw_names_result(out, LW_NAME_WEAK, 0.5);
        lw_names_why(why, cap, "same site %s, different path", A->host);
    } else if (same_host || same_reg) {
        /* a domain against an address, URL or subdomain on it */
        const struct handle *d = A->kind == H_DOMAIN ? A : B, *o = d == A ? B : A;
        lw_names_result(out, LW_NAME_STRONG, same_host ? 0.9 : 0.8);
        if (A->kind == H_DOMAIN && B->kind == H_DOMAIN)
            lw_names_why(why, cap, "%s and %s are under the same registered domain %s.%s", A->norm,
                         B->norm, A->label, A->suffix);
        else if (d->kind == H_DOMAIN)
            lw_names_why(why, cap, "%s is on the domain %s", o->norm, d->norm);
        else
            lw_names_why(why, cap, "%s and %s are on the same domain", A->norm, B->norm);
    } else if (same_label && A->kind != H_URL && B->kind != H_URL) {
        lw_names_result(out, LW_NAME_MEDIUM, 0.7);
        lw_names_why(why, cap, "same name, different top-level domain (%s.%s / %s.%s)", A->label,
                     A->suffix, B->label, B->suffix);
    } else if (A->label[0] && strcmp(A->suffix, B->suffix) == 0 &&
               LW_MIN(strlen(A->label), strlen(B->label)) >= 5 &&
               lw_names_osa(A->label, B->label) == 1) {
        lw_names_result(out, LW_NAME_WEAK, 0.5);
        lw_names_why(why, cap, "domain names %s and %s differ by one letter", A->label, B->label);
    }
    if (look && out->strength != LW_NAME_NONE)
        lw_names_why(why, cap, "; look-alike letters");
}

void lw_names_match_handle(const struct lw_names *n, const char *a, const char *b,
                           struct lw_name_match *out)
{
    struct handle *A = NULL, *B = NULL;
    bool look = false;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!n || !a || !b) {
        lw_names_why(out->why, sizeof(out->why), "no handle");
        return;
    }
    A = malloc(sizeof(*A));
    B = malloc(sizeof(*B));
    if (!A || !B) {
        lw_names_why(out->why, sizeof(out->why), "out of memory");
        goto out;
    }
    rc = parse_handle(n, a, A);
    if (rc == LW_OK)
        rc = parse_handle(n, b, B);
    if (rc < 0) {
        lw_names_why(out->why, sizeof(out->why), "%s",
                     rc == LW_ELIMIT ? "handle too long" : lw_strerror(rc));
        goto out;
    }
    if (!A->norm[0] || !B->norm[0]) {
        lw_names_why(out->why, sizeof(out->why), "empty handle");
        goto out;
    }
    if (strcmp(A->norm, B->norm) == 0) {
        lw_names_result(out, LW_NAME_STRONG, 1.0);
        lw_names_why(out->why, sizeof(out->why), "identical");
        goto out;
    }
    if (A->kind == B->kind && same_text(n, A->norm, B->norm, &look)) {
        lw_names_result(out, LW_NAME_STRONG, 0.95);
        lw_names_why(out->why, sizeof(out->why),
                     "look-alike: %s and %s differ only in confusable letters", A->norm, B->norm);
        goto out;
    }
    if (A->kind != H_HANDLE && B->kind != H_HANDLE) {
        compare_hosts(n, A, B, out);
    } else if (A->kind == H_HANDLE && B->kind == H_HANDLE) {
        if (A->flat[0] && same_text(n, A->flat, B->flat, &look)) {
            lw_names_result(out, LW_NAME_MEDIUM, 0.8);
            lw_names_why(out->why, sizeof(out->why), "same handle apart from separators (. _ -)%s",
                         look ? " and look-alike letters" : "");
        }
    } else {
        const struct handle *H = A->kind == H_HANDLE ? A : B, *E = A->kind == H_HANDLE ? B : A;
        if (E->kind == H_DOMAIN && H->flat[0] && same_text(n, H->flat, E->flat, &look)) {
            /* "amanda.qiu" reads as a domain but may be the handle */
            lw_names_result(out, LW_NAME_MEDIUM, 0.7);
            lw_names_why(out->why, sizeof(out->why), "same handle apart from separators (. _ -)%s",
                         look ? " and look-alike letters" : "");
        } else if (E->kind == H_EMAIL && H->flat[0] && same_text(n, H->flat, E->flat, &look)) {
            lw_names_result(out, LW_NAME_WEAK, 0.6);
            lw_names_why(out->why, sizeof(out->why), "handle %s is the mailbox name of %s", H->norm,
                         E->norm);
        }
    }
    if (out->strength == LW_NAME_NONE)
        lw_names_why(out->why, sizeof(out->why), "different");
out:
    free(A);
    free(B);
}
