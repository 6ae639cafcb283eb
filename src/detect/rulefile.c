/* rulefile.c -- the rule file parser (docs/rules.md): turns the text of one
 * *.rules file into tactics, signals and patterns in a ruleset, and lints
 * patterns against what normalised text can hold. Lines and columns are
 * 1-based; columns count bytes. Nothing here compiles regexes. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/utf8.h>

#include "detect/rules_int.h"
#include "text/norm.h"

/* A line of the file, without its end-of-line bytes. */
struct line {
    const char *p;
    size_t len;
    unsigned long no;
};

/* The tactic or signal block being read. */
struct block {
    bool open;
    bool dup;   /* bad or repeated code: checked, then dropped */
    bool quiet; /* no code at all: its attributes are swallowed silently */
    struct lw_tactic t;
    bool has_name, has_name_zh, has_group, has_stage, has_weight;
};

struct parser {
    struct lw_ruleset *rs;
    struct lw_rules_sink *sink;
    const char *file;
    struct block b;
    size_t first_pattern;    /* the file's patterns are those from here on */
    unsigned gate;           /* the file's gate number, 0 for none */
    unsigned long gate_line; /* where it is */
};

/* The first occurrence of the two bytes a b in s[0..n), or NULL. */
static const char *find2(const char *s, size_t n, char a, char b)
{
    size_t i;

    for (i = 0; i + 1 < n; i++)
        if (s[i] == a && s[i + 1] == b)
            return s + i;
    return NULL;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_lower_word(const char *s, size_t n)
{
    size_t i;

    if (n == 0 || n > LW_RULES_MAX_CODE || s[0] < 'a' || s[0] > 'z')
        return false;
    for (i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static bool is_tactic_code(const char *s, size_t n)
{
    size_t i;

    if (n < 2 || n > 8 || !(s[0] == 'P' || s[0] == 'A' || s[0] == 'E' || s[0] == 'R'))
        return false;
    for (i = 1; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* Skip blanks from i; returns the new index. */
static size_t skip_blanks(const struct line *l, size_t i)
{
    while (i < l->len && is_blank(l->p[i]))
        i++;
    return i;
}

/* The end of the word starting at i (a word ends at a blank, or at `stop`). */
static size_t word_end(const struct line *l, size_t i, char stop)
{
    while (i < l->len && !is_blank(l->p[i]) && l->p[i] != stop)
        i++;
    return i;
}

/* Report a problem at a byte index of a line. */
#define PROBLEM(ps, l, i, ...)                                                                     \
    lw_rules_problem((ps)->sink, (ps)->file, (l)->no, (unsigned long)(i) + 1, __VA_ARGS__)

/* Print at most 40 bytes of a token into a message, cut on a character. */
static int shown(const char *s, size_t n)
{
    size_t k = n;

    if (k <= 40)
        return (int)k;
    k = 40;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return (int)k;
}

static int parse_weight(const char *s, size_t n, int *out)
{
    char tmp[16];
    long v;

    if (n == 0 || n >= sizeof(tmp))
        return LW_EINVAL;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    if (lw_parse_long(tmp, &v) < 0 || v < -100 || v > 100)
        return LW_EINVAL;
    *out = (int)v;
    return LW_OK;
}

static int finish_block(struct parser *ps)
{
    struct block *b = &ps->b;
    const char *kind = b->t.is_signal ? "signal" : "tactic";
    struct line where = {NULL, 0, b->t.line};
    int rc = LW_OK;

    if (!b->open)
        return LW_OK;
    b->open = false;
    if (b->quiet)
        return LW_OK;
    if (!b->has_name)
        PROBLEM(ps, &where, 0, "%s '%s' has no name", kind, b->t.code);
    if (!b->has_weight)
        PROBLEM(ps, &where, 0, "%s '%s' has no weight", kind, b->t.code);
    if (!b->t.is_signal && !b->has_stage)
        PROBLEM(ps, &where, 0, "tactic '%s' has no stage", b->t.code);
    /* Kept even when incomplete (check mode goes on), so that a later
     * duplicate is still caught and its patterns still resolve. */
    if (!b->dup)
        rc = lw_ruleset_add_tactic(ps->rs, &b->t);
    if (rc == LW_ELIMIT)
        PROBLEM(ps, &where, 0, "too many tactics and signals (at most %u)", LW_RULES_MAX_TACTICS);
    return rc;
}

/* "tactic CODE" or "signal NAME" at column 1. */
static int start_block(struct parser *ps, const struct line *l, size_t kw_end, bool signal)
{
    struct block *b = &ps->b;
    size_t cs = skip_blanks(l, kw_end), ce = word_end(l, cs, '\0'), rest;
    int idx;

    memset(b, 0, sizeof(*b));
    b->open = true;
    b->t.is_signal = signal;
    b->t.file = ps->file;
    b->t.line = l->no;
    if (cs == ce) {
        b->dup = b->quiet = true;
        PROBLEM(ps, l, kw_end, signal ? "'signal' needs a name" : "'tactic' needs a code");
        return LW_OK;
    }
    if (signal && !is_lower_word(l->p + cs, ce - cs)) {
        PROBLEM(ps, l, cs, "bad signal name '%.*s' (lower-case letters, digits, '_' and '-')",
                shown(l->p + cs, ce - cs), l->p + cs);
        b->dup = true; /* read its attributes, keep nothing */
    } else if (!signal && !is_tactic_code(l->p + cs, ce - cs)) {
        PROBLEM(ps, l, cs, "bad tactic code '%.*s' (P, A, E or R followed by digits)",
                shown(l->p + cs, ce - cs), l->p + cs);
        b->dup = true;
    }
    b->t.code = lw_arena_strndup(ps->rs->arena, l->p + cs, ce - cs);
    if (!b->t.code)
        return LW_ENOMEM;
    rest = skip_blanks(l, ce);
    if (rest < l->len && l->p[rest] != '#')
        PROBLEM(ps, l, rest, "unexpected text after the %s", signal ? "name" : "code");
    idx = b->dup ? -1 : lw_ruleset_find(ps->rs, b->t.code);
    if (idx >= 0) {
        const struct lw_tactic *first = lw_ruleset_tactic(ps->rs, (size_t)idx);
        PROBLEM(ps, l, cs, "duplicate %s '%s' (first defined at %s:%lu)",
                first->is_signal ? "signal" : "tactic", b->t.code, first->file, first->line);
        b->dup = true;
    }
    return LW_OK;
}

/* Store a single-valued string attribute. */
static int set_once(struct parser *ps, const struct line *l, size_t ks, const char *key, bool *seen,
                    const char **field, const char *v, size_t vn)
{
    if (*seen) {
        PROBLEM(ps, l, ks, "duplicate '%s'", key);
        return LW_OK;
    }
    *seen = true;
    *field = lw_arena_strndup(ps->rs->arena, v, vn);
    return *field ? LW_OK : LW_ENOMEM;
}

/* advice lines are joined with one space. */
static int append_text(struct parser *ps, const char **field, const char *v, size_t vn)
{
    const char *s;

    if (*field)
        s = lw_arena_printf(ps->rs->arena, "%s %.*s", *field, (int)vn, v);
    else
        s = lw_arena_strndup(ps->rs->arena, v, vn);
    if (!s)
        return LW_ENOMEM;
    *field = s;
    return LW_OK;
}

/* An indented "key value" line inside a block. */
static int attribute(struct parser *ps, const struct line *l)
{
    struct block *b = &ps->b;
    size_t ks = skip_blanks(l, 0), ke = word_end(l, ks, '\0'), vs, ve;
    const char *k = l->p + ks, *v;
    size_t kn = ke - ks, vn;
    enum lw_stage st;
    char tmp[32];

    if (!b->open) {
        PROBLEM(ps, l, ks, "indented line outside a tactic or signal block");
        return LW_OK;
    }
    vs = skip_blanks(l, ke);
    ve = l->len;
    while (ve > vs && is_blank(l->p[ve - 1]))
        ve--;
    v = l->p + vs;
    vn = ve - vs;

#define KEY(s) (kn == sizeof(s) - 1 && !memcmp(k, s, kn))
    if (!(KEY("name") || KEY("name.zh") || KEY("group") || KEY("stage") || KEY("weight") ||
          KEY("advice") || KEY("advice.zh"))) {
        PROBLEM(ps, l, ks, "unknown attribute '%.*s'", shown(k, kn), k);
        return LW_OK;
    }
    if (vn == 0) {
        PROBLEM(ps, l, ke, "'%.*s' needs a value", (int)kn, k);
        return LW_OK;
    }
    if (KEY("name"))
        return set_once(ps, l, ks, "name", &b->has_name, &b->t.name, v, vn);
    if (KEY("name.zh"))
        return set_once(ps, l, ks, "name.zh", &b->has_name_zh, &b->t.name_zh, v, vn);
    if (KEY("group"))
        return set_once(ps, l, ks, "group", &b->has_group, &b->t.group, v, vn);
    if (KEY("advice"))
        return append_text(ps, &b->t.advice, v, vn);
    if (KEY("advice.zh"))
        return append_text(ps, &b->t.advice_zh, v, vn);
    if (KEY("weight")) {
        if (b->has_weight) {
            PROBLEM(ps, l, ks, "duplicate 'weight'");
        } else if (parse_weight(v, vn, &b->t.weight) < 0) {
            PROBLEM(ps, l, vs, "weight must be an integer from -100 to 100, not '%.*s'",
                    shown(v, vn), v);
        } else {
            b->has_weight = true;
        }
        return LW_OK;
    }
    /* stage */
    if (b->t.is_signal) {
        PROBLEM(ps, l, ks, "a signal has no stage");
    } else if (b->has_stage) {
        PROBLEM(ps, l, ks, "duplicate 'stage'");
    } else {
        bool ok = vn < sizeof(tmp);
        if (ok) {
            memcpy(tmp, v, vn);
            tmp[vn] = '\0';
            ok = lw_stage_parse(tmp, &st) == LW_OK;
        }
        if (!ok) {
            PROBLEM(ps, l, vs,
                    "unknown stage '%.*s' (contact, pitch, cultivate, elicit, task or "
                    "recruit-others)",
                    shown(v, vn), v);
        } else {
            b->t.stage = st;
            b->has_stage = true;
        }
    }
#undef KEY
    return LW_OK;
}

/* The /REGEX/ of a match or gate line, from index i: the indexes of its
 * slashes in *open and *close, once it has none of the problems of a
 * pattern (reported; false then). */
static bool slashed(struct parser *ps, const struct line *l, size_t i, size_t *open, size_t *close)
{
    if (i >= l->len || l->p[i] != '/') {
        PROBLEM(ps, l, i, "expected '/' to open the pattern");
        return false;
    }
    *open = i;
    *close = l->len;
    while (*close > *open + 1 && l->p[*close - 1] != '/')
        (*close)--;
    if (*close <= *open + 1) {
        PROBLEM(ps, l, *open, "unclosed pattern: no closing '/' on the line");
        return false;
    }
    (*close)--; /* index of the closing slash */
    if (*close == *open + 1) {
        PROBLEM(ps, l, *open, "empty pattern");
        return false;
    }
    i = skip_blanks(l, *close + 1);
    if (i < l->len && l->p[i] != '#') {
        PROBLEM(ps, l, i,
                "unexpected text after the pattern (flags are not supported: the text "
                "is already case-folded)");
        return false;
    }
    lw_rulefile_lint_pattern(ps->sink, ps->file, l->no, *open + 1, l->p + *open + 1,
                             *close - *open - 1);
    return !ps->sink->stop;
}

/* "gate /REGEX/" at column 1: the file's patterns are tried only on text
 * the regex matches. One per file; it holds for the whole file. */
static int gate_line(struct parser *ps, const struct line *l, size_t kw_end)
{
    struct lw_gate g;
    size_t open, close;
    int rc;

    if (ps->gate) {
        PROBLEM(ps, l, 0, "a file has one gate; this file's is at line %lu", ps->gate_line);
        return LW_OK;
    }
    if (!slashed(ps, l, skip_blanks(l, kw_end), &open, &close))
        return LW_OK;
    memset(&g, 0, sizeof(g));
    g.regex = lw_arena_strndup(ps->rs->arena, l->p + open + 1, close - open - 1);
    if (!g.regex)
        return LW_ENOMEM;
    g.file = ps->file;
    g.line = l->no;
    g.col = open + 1;
    rc = lw_ruleset_add_gate(ps->rs, &g, &ps->gate);
    if (rc == LW_OK)
        ps->gate_line = l->no;
    else if (rc == LW_ELIMIT)
        PROBLEM(ps, l, 0, "too many gates (at most %u)", LW_RULES_MAX_FILES);
    return rc == LW_ELIMIT ? LW_OK : rc;
}

/* "match CODE [WEIGHT] /REGEX/" at column 1. */
static int match_line(struct parser *ps, const struct line *l, size_t kw_end)
{
    struct lw_pattern pat;
    struct lw_rules_ref ref;
    size_t cs = skip_blanks(l, kw_end), ce = word_end(l, cs, '/'), i, open, close;
    int rc;

    memset(&pat, 0, sizeof(pat));
    memset(&ref, 0, sizeof(ref));
    if (cs == ce) {
        PROBLEM(ps, l, cs, "'match' needs a tactic code or signal name");
        return LW_OK;
    }
    i = skip_blanks(l, ce);
    if (i < l->len && l->p[i] != '/') {
        size_t we = word_end(l, i, '/');
        if (parse_weight(l->p + i, we - i, &pat.weight) < 0) {
            PROBLEM(ps, l, i, "expected a weight from -100 to 100 or '/', not '%.*s'",
                    shown(l->p + i, we - i), l->p + i);
            return LW_OK;
        }
        ref.has_weight = true;
        i = skip_blanks(l, we);
    }
    if (!slashed(ps, l, i, &open, &close))
        return LW_OK;
    pat.regex = lw_arena_strndup(ps->rs->arena, l->p + open + 1, close - open - 1);
    ref.code = lw_arena_strndup(ps->rs->arena, l->p + cs, ce - cs);
    if (!pat.regex || !ref.code)
        return LW_ENOMEM;
    pat.file = ps->file;
    pat.line = l->no;
    pat.col = open + 1;
    ref.col = cs + 1;
    rc = lw_ruleset_add_pattern(ps->rs, &pat, &ref);
    if (rc == LW_ELIMIT)
        PROBLEM(ps, l, 0, "too many patterns (at most %u)", LW_RULES_MAX_PATTERNS);
    return rc;
}

/* The first invalid UTF-8 byte or NUL of a line, or len. */
static size_t bad_utf8(const struct line *l)
{
    const uint8_t *s = (const uint8_t *)l->p;
    int32_t i = 0, n = (int32_t)l->len;
    UChar32 c;

    while (i < n) {
        int32_t at = i;
        U8_NEXT(s, i, n, c);
        if (c <= 0)
            return (size_t)at;
    }
    return l->len;
}

static int one_line(struct parser *ps, const struct line *l)
{
    size_t i = skip_blanks(l, 0), ke;
    size_t bad = bad_utf8(l);

    if (bad < l->len) {
        PROBLEM(ps, l, bad, l->p[bad] ? "invalid UTF-8" : "NUL byte");
        return LW_OK;
    }
    if (i == l->len || l->p[i] == '#')
        return LW_OK;
    if (i > 0)
        return attribute(ps, l);
    ke = word_end(l, 0, '\0');
#define KW(s) (ke == sizeof(s) - 1 && !memcmp(l->p, s, ke))
    if (KW("tactic") || KW("signal")) {
        int rc = finish_block(ps);
        if (rc < 0 || ps->sink->stop)
            return rc;
        return start_block(ps, l, ke, KW("signal"));
    }
    if (KW("match") || KW("gate")) {
        int rc = finish_block(ps);
        if (rc < 0 || ps->sink->stop)
            return rc;
        return KW("match") ? match_line(ps, l, ke) : gate_line(ps, l, ke);
    }
#undef KW
    PROBLEM(ps, l, 0, "unknown keyword '%.*s' (tactic, signal, match or gate at column 1)",
            shown(l->p, ke), l->p);
    return LW_OK;
}

int lw_rulefile_parse(struct lw_ruleset *rs, const char *text, size_t len, const char *name,
                      struct lw_rules_sink *sink)
{
    struct parser ps;
    size_t pos = 0;
    unsigned long no = 0;
    int rc = LW_OK;

    memset(&ps, 0, sizeof(ps));
    ps.rs = rs;
    ps.sink = sink;
    ps.file = name;
    ps.first_pattern = rs->n_patterns;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        pos = 3;
    while (pos < len && !sink->stop) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        struct line l = {text + pos, end - pos, ++no};

        if (l.len > 0 && l.p[l.len - 1] == '\r')
            l.len--;
        rc = one_line(&ps, &l);
        if (rc < 0)
            return rc;
        pos = nl ? end + 1 : len;
    }
    if (!sink->stop)
        rc = finish_block(&ps);
    for (size_t i = ps.first_pattern; ps.gate && i < rs->n_patterns; i++)
        rs->patterns[i].gate = ps.gate;
    return rc;
}

/* --- pattern lint ------------------------------------------------------ */

/* What NFKC case folding (and the normaliser's punctuation step) makes of a
 * code point, as UTF-8 in out; false if it is left alone. */
static bool folded_form(UChar32 c, char *out, size_t n)
{
    UErrorCode st = U_ZERO_ERROR;
    const UNormalizer2 *nfkc = NULL;
    UChar src[2], dst[32];
    int32_t sn = 0, dn, i = 0, k = 0;

    out[0] = '\0';
    if (c == 0x2018 || c == 0x2019 || c == 0x201C || c == 0x201D || (c >= 0x2010 && c <= 0x2015)) {
        snprintf(out, n, "%c", c >= 0x2010 && c <= 0x2015 ? '-' : c < 0x201C ? '\'' : '"');
        return true;
    }
    if (!u_hasBinaryProperty(c, UCHAR_CHANGES_WHEN_NFKC_CASEFOLDED))
        return false;
    nfkc = unorm2_getNFKCCasefoldInstance(&st);
    if (U_FAILURE(st))
        return true;
    U16_APPEND_UNSAFE(src, sn, c);
    dn = unorm2_normalize(nfkc, src, sn, dst, (int32_t)LW_ARRAY_LEN(dst), &st);
    if (U_FAILURE(st))
        return true;
    while (i < dn && (size_t)k + 4 < n) {
        UChar32 d;
        U16_NEXT(dst, i, dn, d);
        U8_APPEND_UNSAFE((uint8_t *)out, k, d);
    }
    out[k] = '\0';
    return true;
}

/* Skip a "{...}" or one character after an escape letter; returns the index
 * after it. */
static size_t skip_braced(const char *re, size_t len, size_t i)
{
    if (i < len && re[i] == '{') {
        const char *e = memchr(re + i, '}', len - i);
        return e ? (size_t)(e - re) + 1 : len;
    }
    return i < len ? i + 1 : len;
}

void lw_rulefile_lint_pattern(struct lw_rules_sink *sink, const char *file, unsigned long line,
                              unsigned long col, const char *re, size_t len)
{
    const uint8_t *u = (const uint8_t *)re;
    size_t i = 0, quote_end = 0;
    bool in_quote = false;
    bool extended = false;
    const char *x;

    for (x = re; (x = find2(x, len - (size_t)(x - re), '(', '?')) != NULL; x++)
        if ((size_t)(x - re) + 2 < len && x[2] == 'x')
            extended = true;

    while (i < len) {
        char c = re[i];
        int32_t j;
        UChar32 cp;
        char fold[64];

        if (in_quote && i >= quote_end) {
            in_quote = false;
            i += 2; /* the \E */
            continue;
        }
        if (!in_quote && c == '\\' && i + 1 < len) {
            char e = re[i + 1];
            if (e == 'Q') {
                const char *q = find2(re + i + 2, len - i - 2, '\\', 'E');
                quote_end = q ? (size_t)(q - re) : len;
                in_quote = true;
                i += 2;
            } else if (e == 'x' || e == 'o' || e == 'N' || e == 'g' || e == 'k') {
                size_t k = i + 2;
                if (k < len && re[k] == '{')
                    i = skip_braced(re, len, k);
                else if (e == 'k' && k < len && (re[k] == '<' || re[k] == '\'')) {
                    const char *q = memchr(re + k + 1, re[k] == '<' ? '>' : '\'', len - k - 1);
                    i = q ? (size_t)(q - re) + 1 : len;
                } else if (e != 'x') {
                    i = k;
                } else {
                    while (k < len && k < i + 4 &&
                           ((re[k] >= '0' && re[k] <= '9') || (re[k] >= 'A' && re[k] <= 'F') ||
                            (re[k] >= 'a' && re[k] <= 'f')))
                        k++;
                    i = k;
                }
            } else if (e == 'p' || e == 'P') {
                i = skip_braced(re, len, i + 2);
            } else if (e == 'c') {
                i = LW_MIN(len, i + 3);
            } else if ((unsigned char)e < 0x80) {
                i += 2;
            } else {
                i++; /* \ before a non-ASCII character: the character itself */
            }
            continue;
        }
        if (!in_quote && c == '(' && i + 2 < len && re[i + 1] == '?') {
            /* (?<name> (?P<name> (?'name': group names are not text */
            size_t k = i + 2;
            char close = 0;
            if (re[k] == 'P' && k + 1 < len &&
                (re[k + 1] == '<' || re[k + 1] == '=' || re[k + 1] == '>')) {
                k++;
                close = re[k] == '<' ? '>' : ')';
            } else if (re[k] == '<' && k + 1 < len && re[k + 1] != '=' && re[k + 1] != '!')
                close = '>';
            else if (re[k] == '\'')
                close = '\'';
            else if (re[k] == '#')
                close = ')';
            if (close) {
                const char *q = memchr(re + k + 1, close, len - k - 1);
                i = q ? (size_t)(q - re) + 1 : len;
                continue;
            }
        }
        if (c >= 'A' && c <= 'Z') {
            lw_rules_problem(sink, file, line, col + i + 1,
                             "upper-case '%c' can never match case-folded text (write '%c')", c,
                             c - 'A' + 'a');
            return;
        }
        if (!extended && c == '\t') {
            lw_rules_problem(sink, file, line, col + i + 1,
                             "a tab never occurs in normalised text (write ' ' or \\s)");
            return;
        }
        if (!extended && c == ' ' && i + 1 < len && re[i + 1] == ' ') {
            lw_rules_problem(sink, file, line, col + i + 1,
                             "two spaces never occur in normalised text (write one, or \\s+)");
            return;
        }
        if ((unsigned char)c < 0x80) {
            i++;
            continue;
        }
        j = (int32_t)i;
        U8_NEXT(u, j, (int32_t)len, cp);
        if (cp < 0) {
            i = (size_t)j; /* Vectorscan rejects invalid UTF-8 itself */
            continue;
        }
        if (folded_form(cp, fold, sizeof(fold))) {
            if (fold[0])
                lw_rules_problem(sink, file, line, col + i + 1,
                                 "'%.*s' (U+%04X) never occurs in normalised text (write '%s')",
                                 (int)(j - (int32_t)i), re + i, (unsigned)cp, fold);
            else
                lw_rules_problem(sink, file, line, col + i + 1,
                                 "U+%04X is removed from normalised text", (unsigned)cp);
            return;
        }
        /* Look-alike letters are folded to the ASCII letter (Cyrillic р, а,
         * о become p, a, o, even in Russian words). CJK and the scripts
         * after it are never folded, and are not looked up here: the rule
         * packs hold hundreds of their characters. */
        if (cp < 0x2E80 && lw_norm_global_init(NULL) == LW_OK) {
            char letter = lw_norm_confusable((uint32_t)cp);
            if (letter) {
                lw_rules_problem(sink, file, line, col + i + 1,
                                 "'%.*s' (U+%04X) is folded to its look-alike '%c' in normalised "
                                 "text (write '%c')",
                                 (int)(j - (int32_t)i), re + i, (unsigned)cp, letter, letter);
                return;
            }
        }
        i = (size_t)j;
    }
}
