/* test_norm.c -- unit tests for the text normaliser (src/text/norm.h):
 * each pipeline step on known inputs with exact offsets, HTML mode, bad
 * UTF-8, and the offset-map contract over a few thousand random inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest/msg.h"
#include "text/norm.h"

static struct lw_normtext nt;

static int setup(void **state)
{
    (void)state;
    lw_normtext_init(&nt);
    return lw_norm_global_init(NULL) == LW_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    lw_normtext_release(&nt);
    lw_norm_global_free();
    return 0;
}

static void norm(const char *src, size_t len, unsigned flags)
{
    assert_int_equal(lw_norm(src, len, flags, &nt, NULL), LW_OK);
    assert_non_null(nt.s);
    assert_int_equal(strlen(nt.s), nt.len); /* none of these inputs hold NUL */
}

#define NORM(lit, flags) norm((lit), sizeof(lit) - 1, (flags))

/* Output bytes [s, e) map to original bytes [os, oe). */
static void expect_span(size_t s, size_t e, size_t os, size_t oe)
{
    size_t a, b;

    assert_int_equal(lw_normtext_span(&nt, s, e, &a, &b), LW_OK);
    assert_int_equal(a, os);
    assert_int_equal(b, oe);
}

static void expect_byte(size_t i, uint32_t os, uint32_t oe)
{
    assert_true(i < nt.len);
    assert_int_equal(nt.start[i], os);
    assert_int_equal(nt.end[i], oe);
}

static void test_case_fold(void **state)
{
    (void)state;
    NORM("HeLLo", 0);
    assert_string_equal(nt.s, "hello");
    for (size_t i = 0; i < 5; i++)
        expect_byte(i, (uint32_t)i, (uint32_t)i + 1);
    assert_int_equal(nt.defects, 0);
}

static void test_fullwidth(void **state)
{
    (void)state;
    NORM("ＬｉｎｋｅｄＩｎ", 0);
    assert_string_equal(nt.s, "linkedin");
    /* Each fullwidth letter is 3 bytes and becomes 1. */
    for (size_t i = 0; i < 8; i++)
        expect_byte(i, (uint32_t)(3 * i), (uint32_t)(3 * i + 3));
    /* Styled math letters too (supplementary plane). */
    NORM("\xF0\x9D\x90\x8F\xF0\x9D\x90\x9A\xF0\x9D\x90\xB2", 0); /* bold P a y */
    assert_string_equal(nt.s, "pay");
    expect_byte(2, 8, 12);
}

static void test_invisible_removed(void **state)
{
    (void)state;
    /* a ZWSP b ZWJ c SHY d BOM e LRO f VS16 */
    NORM("a\xE2\x80\x8B"
         "b\xE2\x80\x8D"
         "c\xC2\xAD"
         "d\xEF\xBB\xBF"
         "e\xE2\x80\xAE"
         "f\xEF\xB8\x8F",
         0);
    assert_string_equal(nt.s, "abcdef");
    expect_byte(0, 0, 1);
    expect_byte(1, 4, 5); /* b after the 3-byte ZWSP */
    expect_byte(2, 8, 9); /* c after ZWJ */
    expect_byte(3, 11, 12);
    expect_byte(4, 15, 16);
    expect_byte(5, 19, 20);
    /* A removed character does not stop composition: e ZWSP U+0301 is é. */
    NORM("e\xE2\x80\x8B\xCC\x81", 0);
    assert_string_equal(nt.s, "\xC3\xA9");
    expect_byte(0, 0, 6);
    expect_byte(1, 0, 6);
}

static void test_compose(void **state)
{
    (void)state;
    /* The ASCII byte before a combining mark composes with it. */
    NORM("Cafe\xCC\x81 ok", 0);
    assert_string_equal(nt.s, "caf\xC3\xA9 ok");
    expect_byte(2, 2, 3);
    expect_byte(3, 3, 6);
    expect_byte(4, 3, 6);
    expect_byte(5, 6, 7);
    /* A ligature expands, every letter mapped to it. */
    NORM("\xEF\xAC\x81le", 0); /* U+FB01 fi */
    assert_string_equal(nt.s, "file");
    expect_byte(0, 0, 3);
    expect_byte(1, 0, 3);
    expect_byte(2, 3, 4);
}

static void test_confusable(void **state)
{
    (void)state;
    NORM("p\xD0\xB0ypal", 0); /* Cyrillic а */
    assert_string_equal(nt.s, "paypal");
    expect_byte(0, 0, 1);
    expect_byte(1, 1, 3);
    expect_byte(2, 3, 4);
    expect_byte(5, 6, 7);
    expect_span(0, 6, 0, 7);
    expect_span(1, 2, 1, 3);
    /* Upper-case Cyrillic folds too (after case folding), Greek ο as well. */
    NORM("\xD0\xA0\xD0\x90YP\xCE\xBF", 0); /* Р А Y P ο */
    assert_string_equal(nt.s, "paypo");
    /* Accented Latin is not a confusable: café stays. */
    NORM("caf\xC3\xA9", 0);
    assert_string_equal(nt.s, "caf\xC3\xA9");
}

static void test_ascii_never_folded(void **state)
{
    char in[2] = {0, 0};
    (void)state;

    NORM("rn", 0);
    assert_string_equal(nt.s, "rn");
    NORM("RN vv cl 0O 1Il", 0);
    assert_string_equal(nt.s, "rn vv cl 0o 1il");
    for (int c = 0x21; c < 0x7F; c++) {
        in[0] = (char)c;
        norm(in, 1, 0);
        assert_int_equal(nt.len, 1);
        assert_int_equal((unsigned char)nt.s[0], c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
}

static void test_sharp_s(void **state)
{
    (void)state;
    NORM("Stra\xC3\x9F"
         "e",
         0);
    assert_string_equal(nt.s, "strasse");
    expect_byte(4, 4, 6);
    expect_byte(5, 4, 6);
    expect_byte(6, 6, 7);
    expect_span(4, 6, 4, 6);
}

static void test_cjk_kept(void **state)
{
    (void)state;
    NORM("您好，我们", 0);
    /* Only the fullwidth comma changes (NFKC), to an ASCII comma. */
    assert_string_equal(nt.s, "您好,我们");
    expect_byte(0, 0, 3);
    expect_byte(3, 3, 6);
    expect_byte(6, 6, 9); /* the comma */
    expect_byte(7, 9, 12);
    expect_span(7, 13, 9, 15);
    /* Han look-alikes of Latin letters stay Han. */
    NORM("工口人", 0);
    assert_string_equal(nt.s, "工口人");
}

static void test_punctuation(void **state)
{
    (void)state;
    NORM("it\xE2\x80\x99s \xE2\x80\x9Cok\xE2\x80\x9D \xE2\x80\x98x\xE2\x80\x99 a\xE2\x80\x94"
         "b\xE2\x80\x93"
         "c",
         0);
    assert_string_equal(nt.s, "it's \"ok\" 'x' a-b-c");
    expect_byte(2, 2, 5);
    /* NBSP, ideographic space, thin space are spaces; runs collapse. */
    NORM("a\xC2\xA0\xE3\x80\x80"
         "b\xE2\x80\x89"
         "c",
         0);
    assert_string_equal(nt.s, "a b c");
    expect_byte(1, 1, 6); /* the whole run NBSP + U+3000 */
}

static void test_whitespace(void **state)
{
    (void)state;
    NORM("  a \t b\r\n\n c  \n", 0);
    assert_string_equal(nt.s, "a b\nc");
    expect_byte(0, 2, 3);
    expect_byte(1, 3, 6);
    expect_byte(3, 7, 11); /* "\r\n\n " */
    expect_byte(4, 11, 12);
    NORM(" \t\r\n ", 0);
    assert_int_equal(nt.len, 0);
    assert_string_equal(nt.s, "");
    /* U+2028 is a line break. */
    NORM("a\xE2\x80\xA8"
         "b",
         0);
    assert_string_equal(nt.s, "a\nb");
}

static void test_html(void **state)
{
    static const char html[] = "<p>Hello&nbsp;<b>World</b></p><script>x</script>";
    const char *w = strstr(html, "World");
    (void)state;

    NORM(html, LW_NORM_HTML);
    assert_string_equal(nt.s, "hello world");
    expect_byte(0, 3, 4);  /* h */
    expect_byte(5, 8, 14); /* &nbsp; */
    expect_span(6, 11, (size_t)(w - html), (size_t)(w - html) + 5);
    expect_span(0, 11, 3, (size_t)(w - html) + 5);
}

/* "one<tag attrs>two</tag>three", normalised as HTML, is want. */
static void expect_tag(const char *tag, const char *attrs, const char *want)
{
    char buf[128];
    int n = snprintf(buf, sizeof(buf), "one<%s %s>two</%s>three", tag, attrs, tag);

    norm(buf, (size_t)n, LW_NORM_HTML);
    if (strcmp(nt.s, want) != 0)
        fail_msg("<%s>: '%s'", tag, nt.s);
}

/* Block-level tags end a line, opening or closing; inline ones join. */
static void test_html_block_tags(void **state)
{
    static const char *const block[] = {
        "address", "article",  "aside",      "blockquote", "br",     "center", "dd",   "div", "dl",
        "dt",      "fieldset", "figcaption", "figure",     "footer", "form",   "h1",   "h2",  "h3",
        "h4",      "h5",       "h6",         "header",     "hr",     "li",     "main", "nav", "ol",
        "p",       "pre",      "section",    "table",      "title",  "tr",     "ul"};
    static const char *const inline_[] = {"a",  "b",   "span",  "font", "blockquotes",
                                          "p1", "brr", "tbody", "i"};

    (void)state;
    for (size_t i = 0; i < LW_ARRAY_LEN(block); i++)
        expect_tag(block[i], "class=\"x>y\"", "one\ntwo\nthree");
    for (size_t i = 0; i < LW_ARRAY_LEN(inline_); i++)
        expect_tag(inline_[i], "title='a>b'", "onetwothree");
    /* A quote opens a value only after '=': here the apostrophe does not. */
    NORM("it<b data-x don't>s ok</b>", LW_NORM_HTML);
    assert_string_equal(nt.s, "its ok");
}

static void test_html_more(void **state)
{
    (void)state;
    NORM("a &lt; b &amp;&#8217;&#x41;&#146; &bogus; &amp <br/>c<!-- <p>hidden --><style>p{}</style>"
         "d<li>e</LI><div class='x>y'>f</div><td>g</td><td>h",
         LW_NORM_HTML);
    assert_string_equal(nt.s, "a < b &'a' &bogus; &amp\ncd\ne\nf\ng h");
    expect_byte(2, 2, 6); /* &lt; */
    /* A '<' that opens no tag, and an unterminated script, at the end. */
    NORM("1 < 2 <script>var a='<p>'", LW_NORM_HTML);
    assert_string_equal(nt.s, "1 < 2");
    NORM("x<!-->y<!--->z", LW_NORM_HTML);
    assert_string_equal(nt.s, "xyz");
    /* Source newlines in HTML are plain white space; tags make lines. */
    NORM("a\nb<br>c", LW_NORM_HTML);
    assert_string_equal(nt.s, "a b\nc");
    NORM("a\nb<br>c", 0);
    assert_string_equal(nt.s, "a\nb<br>c");
    /* An entity can carry a combining mark onto an ASCII letter. */
    NORM("e&#x301;!", LW_NORM_HTML);
    assert_string_equal(nt.s, "\xC3\xA9!");
    expect_byte(0, 0, 8);
    expect_byte(1, 0, 8);
    expect_byte(2, 8, 9);
    /* Bad numeric references become U+FFFD (without a UTF-8 defect). */
    NORM("&#0;&#xD800;&#99999999999;", LW_NORM_HTML);
    assert_string_equal(nt.s, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_int_equal(nt.defects, 0);
}

static void test_bad_utf8(void **state)
{
    (void)state;
    NORM("a\xFF"
         "b",
         0);
    assert_string_equal(nt.s, "a\xEF\xBF\xBD"
                              "b");
    assert_true(nt.defects & LW_DEFECT_BAD_UTF8);
    expect_byte(1, 1, 2);
    expect_byte(3, 1, 2);
    expect_byte(4, 2, 3);
    /* A truncated sequence is one U+FFFD over its bytes. */
    NORM("x\xE2\x82", 0);
    assert_string_equal(nt.s, "x\xEF\xBF\xBD");
    expect_byte(1, 1, 3);
    /* An encoded surrogate is three bad bytes (maximal subparts). */
    NORM("\xED\xA0\x80", 0);
    assert_int_equal(nt.len, 9);
    expect_byte(0, 0, 1);
    expect_byte(8, 2, 3);
    /* Overlong NUL. */
    NORM("\xC0\x80", 0);
    assert_int_equal(nt.len, 6);
    /* Defects are per call. */
    NORM("ok", 0);
    assert_int_equal(nt.defects, 0);
}

static void test_empty_and_nul(void **state)
{
    (void)state;
    assert_int_equal(lw_norm("", 0, 0, &nt, NULL), LW_OK);
    assert_int_equal(nt.len, 0);
    assert_string_equal(nt.s, "");
    assert_int_equal(lw_norm("", 0, LW_NORM_HTML, &nt, NULL), LW_OK);
    assert_int_equal(nt.len, 0);
    /* NUL bytes are kept: lengths travel with the bytes. */
    assert_int_equal(lw_norm("A\0B", 3, 0, &nt, NULL), LW_OK);
    assert_int_equal(nt.len, 3);
    assert_memory_equal(nt.s, "a\0b", 4);
}

static void test_norm_str(void **state)
{
    char *s = NULL;

    /* Fullwidth M, Greek capital iota, Cyrillic capitals Р and Е. */
    static const char name[] = "  \xEF\xBC\xADr. \xCE\x99van  \xD0\xA0\xD0\x95TROV ";
    (void)state;

    assert_int_equal(lw_norm_str(name, sizeof(name) - 1, &s, NULL), LW_OK);
    assert_string_equal(s, "mr. ivan petrov");
    free(s);
    s = NULL;
    assert_int_equal(lw_norm_str("", 0, &s, NULL), LW_OK);
    assert_string_equal(s, "");
    free(s);
}

static void test_reuse(void **state)
{
    char big[5000];
    size_t cap;
    (void)state;

    memset(big, 'X', sizeof(big));
    norm(big, sizeof(big), 0);
    cap = nt.cap;
    assert_true(cap > sizeof(big));
    NORM("Short", 0);
    assert_string_equal(nt.s, "short");
    assert_int_equal(nt.cap, cap); /* arrays only grow */
}

/* LW_NORM_LAZY_MAPS: the text at once, the maps only when a span is
 * mapped, and then the maps an eager pass makes. */
static void test_lazy_maps(void **state)
{
    static const char src[] = "<p>Dear  Dr. M\xC3\xBCller,</p><p>a PAID &amp; part-time role</p>";
    struct lw_normtext eager;
    size_t a, b;
    (void)state;

    lw_normtext_init(&eager);
    assert_int_equal(lw_norm(src, sizeof(src) - 1, LW_NORM_HTML, &eager, NULL), LW_OK);
    assert_int_equal(lw_norm(src, sizeof(src) - 1, LW_NORM_HTML | LW_NORM_LAZY_MAPS, &nt, NULL),
                     LW_OK);
    assert_string_equal(nt.s, eager.s);
    assert_false(nt.mapped);
    assert_int_equal(lw_normtext_span(&nt, 20, 24, &a, &b), LW_OK);
    assert_true(nt.mapped);
    assert_string_equal(nt.s, eager.s);
    assert_memory_equal(nt.start, eager.start, eager.len * sizeof(*eager.start));
    assert_memory_equal(nt.end, eager.end, eager.len * sizeof(*eager.end));
    assert_int_equal(a, eager.start[20]);
    assert_int_equal(b, eager.end[23]);
    assert_memory_equal(src + a, "PAID", 4);
    lw_normtext_release(&eager);
}

/* ---- the offset-map property over random inputs ------------------------ */

static uint64_t rng = 0x9E3779B97F4A7C15u;

static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *const pieces[] = {
    "a",
    "Z",
    " ",
    "\n",
    "\r\n",
    "\t",
    "word",
    "Hello ",
    "\xD0\xB0",
    "\xD0\xA0",
    "\xCC\x81",
    "\xCC\x81\xCC\x88",
    "\xE2\x80\x8B",
    "\xE2\x80\x8D",
    "\xC3\x9F",
    "\xEF\xBC\xA1",
    "\xE4\xBD\xA0",
    "\xEF\xBC\x8C",
    "\xEF\xB7\xBA",
    "\xF0\x9F\x98\x80",
    "\xF0\x9D\x90\x8F",
    "\xE2\x80\x99",
    "\xC2\xA0",
    "\xE3\x80\x80",
    "\xE2\x80\xA8",
    "\xC7\x84",
    "\xEF\xAC\x81",
    "\xE1\x84\x80\xE1\x85\xA1",
    "\xFF",
    "\xE2\x82",
    "\xED\xA0\x80",
    "\xF4\x90\x80\x80",
    "\x80",
    "<p>",
    "</div>",
    "<b>",
    "<br/>",
    "&amp;",
    "&nbsp;",
    "&#x301;",
    "&#65;",
    "&",
    "<",
    "<!--",
    "-->",
    "<script>",
    "</script>",
    "<a href='>'>",
    "&#8203;",
    "\xC2\xAD",
    "\xCD\x85",
};

static void check_invariants(const char *src, size_t len)
{
    size_t i = 0;

    assert_int_equal(nt.s[nt.len], '\0');
    for (i = 0; i < nt.len; i++) {
        assert_true(nt.start[i] < nt.end[i]);
        assert_true(nt.end[i] <= len);
        if (i > 0) {
            assert_true(nt.start[i - 1] <= nt.start[i]);
            assert_true(nt.end[i - 1] <= nt.end[i]);
        }
    }
    /* Whole characters, valid UTF-8, each character's bytes share one range. */
    for (i = 0; i < nt.len;) {
        unsigned char c = (unsigned char)nt.s[i];
        size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        assert_true(c < 0x80 || c >= 0xC2);
        assert_true(i + k <= nt.len);
        for (size_t j = 1; j < k; j++) {
            assert_int_equal((unsigned char)nt.s[i + j] & 0xC0, 0x80);
            assert_int_equal(nt.start[i + j], nt.start[i]);
            assert_int_equal(nt.end[i + j], nt.end[i]);
        }
        assert_false(c >= 'A' && c <= 'Z');
        i += k;
    }
    /* Collapsed and trimmed white space. */
    if (nt.len > 0) {
        assert_false(nt.s[0] == ' ' || nt.s[0] == '\n');
        assert_false(nt.s[nt.len - 1] == ' ' || nt.s[nt.len - 1] == '\n');
    }
    for (i = 1; i < nt.len; i++)
        assert_false((nt.s[i] == ' ' || nt.s[i] == '\n') &&
                     (nt.s[i - 1] == ' ' || nt.s[i - 1] == '\n'));
    (void)src;
}

static void test_offset_property(void **state)
{
    char buf[512];
    char *str = NULL;
    (void)state;

    for (int round = 0; round < 3000; round++) {
        size_t len = 0;
        unsigned n = rnd(24);
        for (unsigned k = 0; k < n; k++) {
            if (rnd(5) == 0) {
                buf[len++] = (char)rnd(256); /* any byte at all */
            } else {
                const char *p = pieces[rnd(LW_ARRAY_LEN(pieces))];
                size_t m = strlen(p);
                memcpy(buf + len, p, m);
                len += m;
            }
        }
        assert_true(len < sizeof(buf));
        for (unsigned flags = 0; flags <= LW_NORM_HTML; flags += LW_NORM_HTML) {
            assert_int_equal(lw_norm(buf, len, flags, &nt, NULL), LW_OK);
            check_invariants(buf, len);
            if (nt.len > 0) {
                size_t s = rnd((unsigned)nt.len), e = s + 1 + rnd((unsigned)(nt.len - s)), a, b;
                assert_int_equal(lw_normtext_span(&nt, s, e, &a, &b), LW_OK);
                assert_true(a < b && b <= len);
                assert_int_equal(a, nt.start[s]);
            }
        }
        /* lw_norm_str gives the same text as lw_norm. */
        assert_int_equal(lw_norm(buf, len, 0, &nt, NULL), LW_OK);
        assert_int_equal(lw_norm_str(buf, len, &str, NULL), LW_OK);
        assert_memory_equal(str, nt.s, nt.len + 1);
        free(str);
        str = NULL;
    }
}

/* On ASCII text the normaliser lowers letters, makes each run of white
 * space one ' ' (or '\n' when it holds a line break: \n, \r, \v or \f),
 * drops it at both ends, keeps other control bytes as they are, and maps
 * every byte to itself and a run to its whole range: a reference worked out
 * byte by byte here, against the eight- and sixteen-byte fast paths on
 * random runs of letters, blanks, line breaks and controls. */
static void test_ascii_reference(void **state)
{
    static const char *const bits[] = {"a",
                                       "Bc",
                                       " ",
                                       "  ",
                                       "\n",
                                       "\t",
                                       ".",
                                       "xyzw",
                                       "Hello",
                                       " \n ",
                                       "q r",
                                       "12345678",
                                       "  \t",
                                       "\r\n",
                                       "\v",
                                       "\f",
                                       "\x01",
                                       "\x7f",
                                       "A Longer Line Of Words, Then",
                                       "                 ",
                                       "\r\n\r\n   ",
                                       "abcdefghijklmnopqrstuvwxyz"};
    char buf[1600], want[1600];
    uint32_t ws[1600], we[1600];

    (void)state;
    for (int round = 0; round < 5000; round++) {
        size_t len = 0, n = 0, i = 0;
        unsigned parts = 1 + rnd(40);

        for (unsigned k = 0; k < parts; k++) {
            const char *b = bits[rnd(LW_ARRAY_LEN(bits))];
            memcpy(buf + len, b, strlen(b));
            len += strlen(b);
        }
        for (unsigned flags = 0; flags <= LW_NORM_HTML; flags += LW_NORM_HTML) {
            n = 0;
            i = 0;
            while (i < len) {
                size_t j = i;
                bool nl = false;
                while (j < len && (buf[j] == ' ' || (buf[j] >= '\t' && buf[j] <= '\r'))) {
                    nl |= buf[j] >= '\n' && buf[j] <= '\r';
                    j++;
                }
                if (j > i) { /* a run of white space, kept between words only */
                    if (n > 0 && j < len) {
                        want[n] = nl && !flags ? '\n' : ' '; /* HTML: blanks all */
                        ws[n] = (uint32_t)i;
                        we[n++] = (uint32_t)j;
                    }
                    i = j;
                    continue;
                }
                want[n] = (char)(buf[i] >= 'A' && buf[i] <= 'Z' ? buf[i] + 32 : buf[i]);
                ws[n] = (uint32_t)i;
                we[n++] = (uint32_t)i + 1;
                i++;
            }
            norm(buf, len, flags);
            if (nt.len != n || memcmp(nt.s, want, n) != 0)
                fail_msg("'%.*s' gave '%.*s', want '%.*s'", (int)len, buf, (int)nt.len, nt.s,
                         (int)n, want);
            for (i = 0; i < n; i++) {
                assert_int_equal(nt.start[i], ws[i]);
                assert_int_equal(nt.end[i], we[i]);
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_fold),
        cmocka_unit_test(test_fullwidth),
        cmocka_unit_test(test_invisible_removed),
        cmocka_unit_test(test_compose),
        cmocka_unit_test(test_confusable),
        cmocka_unit_test(test_ascii_never_folded),
        cmocka_unit_test(test_sharp_s),
        cmocka_unit_test(test_cjk_kept),
        cmocka_unit_test(test_punctuation),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_html_more),
        cmocka_unit_test(test_html_block_tags),
        cmocka_unit_test(test_bad_utf8),
        cmocka_unit_test(test_empty_and_nul),
        cmocka_unit_test(test_norm_str),
        cmocka_unit_test(test_reuse),
        cmocka_unit_test(test_lazy_maps),
        cmocka_unit_test(test_offset_property),
        cmocka_unit_test(test_ascii_reference),
    };
    return cmocka_run_group_tests_name("norm", tests, setup, teardown);
}
