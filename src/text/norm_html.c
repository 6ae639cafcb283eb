/* norm_html.c -- the HTML side of the normaliser (LW_NORM_HTML): drops
 * tags and comments, skips <script> and <style> content, decodes character
 * references, and turns block-level tags into line breaks. Owns nothing:
 * it feeds code points, with their byte ranges in the HTML source, into the
 * pipeline of norm.c through norm_int.h.
 *
 * This is a tolerant tokenizer for reading mail, not an HTML5 parser: it
 * follows what a browser would show closely enough that text hidden in
 * markup is not matched and text split by inline tags is. */
#include <stdlib.h>
#include <string.h>

#include "text/norm_int.h"

/* Named character references we decode: the ones mail actually uses.
 * Sorted by name (strcmp order) for bsearch. */
struct entity {
    const char *name;
    uint32_t cp;
};

static const struct entity entities[] = {
    {"aacute", 0xE1},  {"agrave", 0xE0},   {"amp", 0x26},      {"apos", 0x27},
    {"auml", 0xE4},    {"bdquo", 0x201E},  {"bull", 0x2022},   {"ccedil", 0xE7},
    {"cent", 0xA2},    {"copy", 0xA9},     {"deg", 0xB0},      {"eacute", 0xE9},
    {"egrave", 0xE8},  {"emsp", 0x2003},   {"ensp", 0x2002},   {"euro", 0x20AC},
    {"gt", 0x3E},      {"hellip", 0x2026}, {"iacute", 0xED},   {"laquo", 0xAB},
    {"ldquo", 0x201C}, {"lrm", 0x200E},    {"lsaquo", 0x2039}, {"lsquo", 0x2018},
    {"lt", 0x3C},      {"mdash", 0x2014},  {"middot", 0xB7},   {"minus", 0x2212},
    {"nbsp", 0xA0},    {"ndash", 0x2013},  {"ntilde", 0xF1},   {"oacute", 0xF3},
    {"ouml", 0xF6},    {"pound", 0xA3},    {"quot", 0x22},     {"raquo", 0xBB},
    {"rdquo", 0x201D}, {"reg", 0xAE},      {"rlm", 0x200F},    {"rsaquo", 0x203A},
    {"rsquo", 0x2019}, {"sbquo", 0x201A},  {"sect", 0xA7},     {"shy", 0xAD},
    {"szlig", 0xDF},   {"thinsp", 0x2009}, {"times", 0xD7},    {"trade", 0x2122},
    {"uacute", 0xFA},  {"uuml", 0xFC},     {"yen", 0xA5},      {"zwj", 0x200D},
    {"zwnj", 0x200C},
};

/* HTML maps numeric references to C1 controls through windows-1252
 * (&#146; is a right single quote), as browsers do. */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

/* Tags that end a line when they open or close, by length: each k-letter
 * name, then a blank or the end. */
static const char *const block_tags[11] = {
    [1] = "p",
    [2] = "br dd dl dt h1 h2 h3 h4 h5 h6 hr li ol tr ul",
    [3] = "div nav pre",
    [4] = "form main",
    [5] = "aside table title",
    [6] = "center figure footer header",
    [7] = "address article section",
    [8] = "fieldset",
    [10] = "blockquote figcaption",
};

/* Is the k-letter lower-case name s one of block_tags? (Every tag in mail
 * is looked up: a few byte compares of names of its length, no strcmp.) */
static bool block_tag(const char *s, size_t k)
{
    const char *l = k < LW_ARRAY_LEN(block_tags) ? block_tags[k] : NULL;

    for (; l && *l; l += k + (l[k] == ' '))
        if (memcmp(l, s, k) == 0)
            return true;
    return false;
}

static bool is_alpha(unsigned c)
{
    return (c | 0x20) - 'a' < 26;
}

static bool is_alnum(unsigned c)
{
    return is_alpha(c) || c - '0' < 10;
}

/* First position at or after from where p holds the ASCII string lit
 * (compared case-insensitively), or n. */
static size_t find_ci(const unsigned char *p, size_t n, size_t from, const char *lit)
{
    size_t m = strlen(lit);

    for (size_t j = from; j + m <= n; j++) {
        size_t k = 0;
        while (k < m && (p[j + k] | 0x20) == (unsigned char)lit[k])
            k++;
        if (k == m)
            return j;
    }
    return n;
}

/* Position after the '>' that closes the tag whose body starts at j, or n.
 * A quote opens an attribute value only after '=', so a stray apostrophe
 * in a malformed tag does not swallow the rest of the message; a quoted
 * value is skipped to its closing quote at once. */
static size_t tag_end(const unsigned char *p, size_t n, size_t j)
{
    unsigned last = 0;

    for (; j < n; j++) {
        unsigned c = p[j];

        if (c > '>') { /* letters and most punctuation: no quote, '=' or '>' */
            last = c;
            continue;
        }
        if (c == '>')
            return j + 1;
        if ((c == '"' || c == '\'') && last == '=') {
            const unsigned char *q = j + 1 < n ? memchr(p + j + 1, (int)c, n - j - 1) : NULL;

            if (!q)
                return n;
            j = (size_t)(q - p);
        }
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            last = c;
    }
    return n;
}

int lw_norm_html_markup(struct lw_normrun *r, size_t i, size_t *next)
{
    const unsigned char *p = r->src;
    size_t n = r->n, j = i + 1, end, k;
    char name[12];
    bool closing = false;
    int rc;

    if (j < n && p[j] == '!' && j + 2 < n && p[j + 1] == '-' && p[j + 2] == '-') {
        /* Comment: up to "-->"; "<!-->" closes at once, as in HTML5. */
        end = find_ci(p, n, i + 2, "-->");
        *next = end < n ? end + 3 : n;
        return LW_OK;
    }
    if (j < n && p[j] == '/') {
        closing = true;
        j++;
    }
    if (j >= n || !is_alpha(p[j])) {
        if (closing || (j < n && (p[j] == '!' || p[j] == '?'))) {
            /* "</>", "</ x>", "<!DOCTYPE>", "<?xml?>": dropped to '>'. */
            end = tag_end(p, n, j);
            *next = end;
            return LW_OK;
        }
        /* A '<' that opens no markup is text ("a < b"). */
        *next = i + 1;
        return lw_norm_feed(r, '<', (uint32_t)i, (uint32_t)i + 1);
    }
    for (k = 0; j < n && is_alnum(p[j]); j++)
        if (k + 1 < sizeof(name))
            name[k++] = (char)(p[j] | 0x20);
    name[k] = '\0';
    end = tag_end(p, n, j);
    *next = end;
    if (block_tag(name, k)) {
        rc = lw_norm_flush_seg(r);
        if (rc < 0)
            return rc;
        lw_norm_add_ws(r, (uint32_t)i, (uint32_t)end, true);
    } else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0) {
        /* Table cells are side by side: keep their words apart. */
        rc = lw_norm_flush_seg(r);
        if (rc < 0)
            return rc;
        lw_norm_add_ws(r, (uint32_t)i, (uint32_t)end, false);
    } else if (!closing && (strcmp(name, "script") == 0 || strcmp(name, "style") == 0)) {
        /* Raw text up to the matching end tag, which is then read as a tag. */
        *next = find_ci(p, n, end, name[1] == 'c' ? "</script" : "</style");
    }
    return LW_OK;
}

static int cmp_entity(const void *key, const void *elem)
{
    const struct entity *e = elem;
    return strcmp(key, e->name);
}

int lw_norm_html_entity(struct lw_normrun *r, size_t i, size_t *next)
{
    const unsigned char *p = r->src;
    size_t n = r->n, j = i + 1;
    uint32_t cp;

    if (j < n && p[j] == '#') {
        bool hex = false;
        size_t d0;
        uint32_t v = 0;

        j++;
        if (j < n && (p[j] | 0x20) == 'x') {
            hex = true;
            j++;
        }
        d0 = j;
        for (; j < n; j++) {
            unsigned c = p[j], dv;
            if (c - '0' < 10)
                dv = c - '0';
            else if (hex && (c | 0x20) - 'a' < 6)
                dv = (c | 0x20) - 'a' + 10;
            else
                break;
            /* Saturate: any value past U+10FFFF is as bad as another. */
            v = v > 0x10FFFF ? v : v * (hex ? 16 : 10) + dv;
        }
        if (j == d0)
            goto literal;
        if (j < n && p[j] == ';')
            j++;
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            cp = 0xFFFD;
        else if (v >= 0x80 && v <= 0x9F)
            cp = cp1252_c1[v - 0x80];
        else
            cp = v;
    } else {
        char name[8];
        size_t k = 0;
        const struct entity *hit;

        for (; j < n && is_alnum(p[j]) && k + 1 < sizeof(name); j++)
            name[k++] = (char)p[j];
        name[k] = '\0';
        if (k == 0 || j >= n || p[j] != ';')
            goto literal;
        j++;
        hit = bsearch(name, entities, LW_ARRAY_LEN(entities), sizeof(entities[0]), cmp_entity);
        if (!hit)
            goto literal;
        cp = hit->cp;
    }
    *next = j;
    return lw_norm_feed(r, cp, (uint32_t)i, (uint32_t)j);
literal:
    *next = i + 1;
    return lw_norm_feed(r, '&', (uint32_t)i, (uint32_t)i + 1);
}
