/* test_defer.c -- deferred e-mail parsing (lw_reader_defer_parsing and
 * lw_msg_complete) gives the same message as parsing in the reader: on the
 * test mails, and on multipart mails built here for the light path's
 * splitting of parts (boundaries, header blocks, encodings, caps). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/reader.h"

static const char *data(const char *name)
{
    static char path[4096];
    const char *src = getenv("LW_SRC");

    snprintf(path, sizeof(path), "%s/tests/data/ingest/%s", src ? src : ".", name);
    return path;
}

static int read_all(const char *path, bool defer, struct lw_msg **msgs, int max)
{
    struct lw_limits lim;
    struct lw_reader *r = NULL;
    struct lw_diag d;
    int n = 0, rc;

    lw_limits_default(&lim);
    assert_int_equal(lw_reader_open(path, LW_FORMAT_AUTO, &lim, &r, &d), LW_OK);
    if (defer)
        lw_reader_defer_parsing(r);
    while (n < max && (rc = lw_reader_next(r, &msgs[n], &d)) == 1) {
        if (defer) {
            assert_non_null(msgs[n]->raw);
            assert_int_equal(lw_msg_complete(msgs[n], &lim, &d), LW_OK);
            assert_null(msgs[n]->raw);
        }
        n++;
    }
    lw_reader_free(r);
    return n;
}

static void same_strings(const char *a, const char *b)
{
    if (a || b) {
        assert_non_null(a);
        assert_non_null(b);
        assert_string_equal(a, b);
    }
}

/* a from the reader's parse, b deferred: the same message; both freed. */
static void same_message(struct lw_msg *a, struct lw_msg *b)
{
    size_t i;

    assert_string_equal(a->id, b->id);
    assert_int_equal(a->text_len, b->text_len);
    assert_memory_equal(a->text, b->text, a->text_len);
    assert_int_equal(a->text_is_html, b->text_is_html);
    assert_int_equal(a->defects, b->defects);
    same_strings(a->subject, b->subject);
    same_strings(a->from.name, b->from.name);
    same_strings(a->from.address, b->from.address);
    same_strings(a->date, b->date);
    same_strings(a->thread, b->thread);
    same_strings(a->lang, b->lang);
    assert_int_equal(a->n_to, b->n_to);
    for (i = 0; i < a->n_to; i++)
        assert_string_equal(a->to[i], b->to[i]);
    lw_msg_free(a);
    lw_msg_free(b);
}

static void same_messages(const char *path)
{
    struct lw_msg *a[64], *b[64];
    int na = read_all(path, false, a, 64), nb = read_all(path, true, b, 64), i;

    assert_true(na > 0);
    assert_int_equal(na, nb);
    for (i = 0; i < na; i++)
        same_message(a[i], b[i]);
}

/* One .eml in memory, parsed by the reader or deferred. */
static struct lw_msg *read_mem(const char *mail, const struct lw_limits *lim, bool defer)
{
    struct lw_reader *r = NULL;
    struct lw_msg *m = NULL;
    struct lw_diag d;

    assert_int_equal(lw_reader_open_mem(mail, strlen(mail), "t.eml", LW_FORMAT_EML, lim, &r, &d),
                     LW_OK);
    if (defer)
        lw_reader_defer_parsing(r);
    assert_int_equal(lw_reader_next(r, &m, &d), 1);
    if (defer)
        assert_int_equal(lw_msg_complete(m, lim, &d), LW_OK);
    lw_reader_free(r);
    return m;
}

/* The header fields of the mails below, before their Content-Type. The
 * Subject decodes to a trailing blank, which both paths keep. */
#define HDR                                                                                        \
    "From: Recruiter <jobs@consult.example>\n"                                                     \
    "To: pat@victim.example, sam@victim.example\n"                                                 \
    "Subject: =?utf-8?q?A_paid_role_?=\n"                                                          \
    "Date: Tue, 3 Oct 2023 09:15:00 +0200\n"                                                       \
    "Message-ID: <mp@consult.example>\n"                                                           \
    "MIME-Version: 1.0\n"

/* Both paths give the same message for mail, whose text is want (NULL:
 * not checked), with the defects `defects`, within lim (NULL: defaults). */
static void same_mail_lim(const char *mail, const char *want, unsigned defects,
                          const struct lw_limits *lim_in)
{
    struct lw_limits lim;
    struct lw_msg *a, *b;

    lw_limits_default(&lim);
    if (lim_in)
        lim = *lim_in;
    a = read_mem(mail, &lim, false);
    b = read_mem(mail, &lim, true);
    if (want) {
        assert_int_equal(b->text_len, strlen(want));
        assert_memory_equal(b->text, want, b->text_len);
    }
    assert_int_equal(b->defects, defects);
    same_message(a, b);
}

static void same_mail(const char *mail, const char *want, unsigned defects)
{
    same_mail_lim(mail, want, defects, NULL);
}

static void test_eml(void **state)
{
    (void)state;
    same_messages(data("qp.eml"));
    same_messages(data("base64.eml"));
    same_messages(data("html-only.eml"));
    same_messages(data("truncated.eml"));
    same_messages(data("bad-utf8.eml"));
    /* The light path (single parts): RFC 2047 in several charsets, folded
     * headers, QP with an unconvertible byte, windows-1252 8bit, a bad date. */
    same_messages(data("gb2312-qp.eml"));
    same_messages(data("cp1252-8bit.eml"));
}

/* A single part marked inline is the text, read by the light path; one
 * marked attachment has no text. */
static void test_single_part_disposition(void **state)
{
    (void)state;
    same_mail(HDR "Content-Type: text/plain; charset=us-ascii\n"
                  "Content-Disposition: inline\n\nWe pay well for short reports.\n",
              "We pay well for short reports.\n", 0);
    same_mail(HDR "Content-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n"
                  "\nnotes\n",
              "", LW_DEFECT_NO_TEXT);
}

/* From, To and Subject in the forms the light path reads without GMime
 * and in forms it leaves to GMime: both paths agree on each. */
static void test_plain_fields(void **state)
{
    static const char *const from[] = {
        "jobs@consult.example",
        "<jobs@consult.example>",
        "Amanda Qiu <amanda.qiu@br-yr.example>",
        "O'Neil-Smith 2 <a_b+c@x-y.example>",
        "\"Qiu, Amanda\" <amanda@br-yr.example>",
        "Amanda  Qiu <amanda@br-yr.example>",
        "John Q. Public <john@example.com>",
        "amanda@br-yr.example (Amanda)",
        "=?utf-8?b?6YKx5pu86L6+?= <qiu@example.cn>",
        "jobs..x@consult.example",
        "Undisclosed recipients:;",
    };
    static const char *const to[] = {
        "pat@victim.example",
        "Pat <pat@victim.example>, sam@victim.example",
        "pat@victim.example,",
        "\"Doe, Pat\" <pat@victim.example>, sam@victim.example",
        "team: pat@victim.example, sam@victim.example;",
    };
    static const char *const subject[] = {
        "A paid role", "Re:  a  role  ", "=?utf-8?q?A_paid_role?=", "50% =? off", "caf\xC3\xA9",
    };
    struct lw_limits lim;
    char mail[1024];
    size_t i;

    (void)state;
    lw_limits_default(&lim);
    for (i = 0; i < LW_ARRAY_LEN(from) + LW_ARRAY_LEN(to) + LW_ARRAY_LEN(subject); i++) {
        size_t a = LW_ARRAY_LEN(from), b = a + LW_ARRAY_LEN(to);
        snprintf(mail, sizeof(mail),
                 "From: %s\nTo: %s\nSubject: %s\nMessage-ID: <p%zu@x.example>\n"
                 "Content-Type: text/plain\n\nhello\n",
                 i < a ? from[i] : from[2], i >= a && i < b ? to[i - a] : to[1],
                 i >= b ? subject[i - b] : subject[0], i);
        same_message(read_mem(mail, &lim, false), read_mem(mail, &lim, true));
    }
}

/* Latin-1 is converted without GMime's filter, to what the filter gives. */
static void test_latin1(void **state)
{
    (void)state;
    same_mail(HDR "Content-Type: text/plain; charset=ISO-8859-1\n"
                  "Content-Transfer-Encoding: 8bit\n\ncaf\xe9 \xa3"
                  "100 \x80\xff end\n",
              "caf\xc3\xa9 \xc2\xa3"
              "100 \xc2\x80\xc3\xbf end\n",
              0);
    same_mail(HDR "Content-Type: text/plain; charset=latin1\n"
                  "Content-Transfer-Encoding: quoted-printable\n\nna=EFve=\n\n",
              "na\xc3\xafve\n", 0);
}

/* The light path reads a Date in the common form itself (quick_date) and
 * leaves the rest to GMime; the full parser always asks GMime. Random dates
 * in and around that form, with edge days, zones and blanks, must come out
 * the same both ways. */
static void test_dates(void **state)
{
    static const char *const wd[] = {"", "Mon, ", "Sun,", "Tue,  ", "Fri ,", "mon, ", "Xyz, "};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                      "Aug", "Sep", "Oct", "Nov", "Dec", "Foo", "feb"};
    static const char *const zone[] = {"+0000", "-0000", "+0530", "-0800", "+2359", "-2359",
                                       "+1400", "GMT",   "EST",   "+05",   "+0060", "+2400"};
    static const int years[] = {1999, 2000, 2023, 2024, 1900, 2100,
                                1969, 1970, 9999, 999,  70,   2038};
    static unsigned long seed = 7;
    char mail[512], date[128];
    struct lw_limits lim;
    int iso = 0, as_given = 0;

    (void)state;
    lw_limits_default(&lim);
    for (int i = 0; i < 3000; i++) {
        struct lw_msg *a, *b;
        unsigned r[8];
        for (int k = 0; k < 8; k++) {
            seed = seed * 6364136223846793005ul + 1442695040888963407ul;
            r[k] = (unsigned)(seed >> 33);
        }
        snprintf(date, sizeof(date), "%s%u %s %d %02u:%02u%s %s%s", wd[r[0] % 7], r[1] % 33,
                 mon[r[2] % 14], years[r[3] % 12], r[4] % 25, r[5] % 61,
                 r[6] % 4   ? ":59"
                 : r[6] % 8 ? ""
                            : ":60",
                 zone[r[7] % 12],
                 r[7] % 5    ? ""
                 : r[7] % 10 ? "  "
                             : " (CEST)");
        snprintf(mail, sizeof(mail), "From: a@b.example\nDate: %s\nSubject: s\n\nbody\n", date);
        a = read_mem(mail, &lim, false);
        b = read_mem(mail, &lim, true);
        assert_non_null(b->date);
        if (strlen(b->date) == 20 && b->date[19] == 'Z')
            iso++;
        else
            as_given++;
        same_message(a, b); /* frees both */
    }
    /* Both kinds were met: read dates, and dates kept as given. */
    assert_true(iso > 500 && as_given > 500);
}

/* The light path reads '"Name" <addr>' itself when the name is plain
 * (quoted_name) and leaves the rest to GMime: random quoted names, in From
 * and in To lists, must come out the same both ways. */
static void test_quoted_names(void **state)
{
    static const char *const common[] = {"Ann", " ", "Smith", "x"};
    static const char *const bits[] = {"  ", "O'Neil", "(CEO)",    ".",  "-",  "&",
                                       "@",  ",",      ";",        "=?", "?=", "\\",
                                       "\"", "\t",     "\xc3\xa9", "<",  ">"};
    uint64_t rng = 0xD1B54A32D192ED03ull;
    char names[2][80], mail[512];
    struct lw_limits lim;

    (void)state;
    lw_limits_default(&lim);
    for (int round = 0; round < 2000; round++) {
        for (int k = 0; k < 2; k++) {
            size_t n = 0;
            int parts;
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            parts = (int)(rng % 5);
            for (int j = 0; j < parts; j++) {
                const char *b;
                rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
                /* Mostly letters and single blanks, the form met in mail. */
                b = rng % 10 < 7 ? common[(rng >> 8) % LW_ARRAY_LEN(common)]
                                 : bits[(rng >> 8) % LW_ARRAY_LEN(bits)];
                memcpy(names[k] + n, b, strlen(b));
                n += strlen(b);
            }
            names[k][n] = '\0';
        }
        snprintf(mail, sizeof(mail),
                 "From: \"%s\" <a@b.example>\nTo: \"%s\" <c@d.example>, \"%s\"<e@f.example>\n"
                 "Subject: s\n\nbody\n",
                 names[0], names[1], names[0]);
        same_message(read_mem(mail, &lim, false), read_mem(mail, &lim, true));
    }
}

/* The light path keeps charset converters for the next part in the same
 * charset: a part left in a shifted state (ISO-2022-JP, no shift back)
 * must not change how the next one reads, nor a run of parts in turn. */
static void test_charset_reuse(void **state)
{
    static const char *const jp[] = {
        HDR "Content-Type: text/plain; charset=ISO-2022-JP\n\n\x1b$B$3$s\n",
        HDR "Content-Type: text/plain; charset=ISO-2022-JP\n\nabc\n",
        HDR "Content-Type: text/plain; charset=ISO-2022-JP\n\nx\x1b$B$K\x1b(B y\n",
    };
    (void)state;
    for (int round = 0; round < 3; round++) {
        same_mail(jp[0], "\xe3\x81\x93\xe3\x82\x93\n", 0);
        same_mail(jp[1], "abc\n", 0);
        same_mail(jp[2], "x\xe3\x81\xab y\n", 0);
        same_mail(HDR "Content-Type: text/plain; charset=windows-1252\n\n\x93q\x94 \x80\n",
                  "\xe2\x80\x9cq\xe2\x80\x9d \xe2\x82\xac\n", 0);
    }
}

static void test_multipart_choice(void **state)
{
    (void)state;
    /* alternative: the plain part, wherever the html one is */
    same_mail(HDR "Content-Type: multipart/alternative; boundary=\"alt\"\n\n"
                  "--alt\nContent-Type: text/html; charset=utf-8\n\n<p>Join us</p>\n"
                  "--alt\nContent-Type: text/plain; charset=utf-8\n\nJoin us\n"
                  "--alt--\n",
              "Join us", 0);
    /* html only */
    same_mail(HDR "Content-Type: multipart/alternative; boundary=alt\n\n"
                  "--alt\nContent-Type: text/html\n\n<p>Join <b>us</b></p>\n--alt--\n",
              "<p>Join <b>us</b></p>", 0);
    /* an attachment before the text */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m\nContent-Type: application/pdf; name=\"cv.pdf\"\n"
                  "Content-Disposition: attachment; filename=\"cv.pdf\"\n"
                  "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
                  "--m\nContent-Type: text/plain\n\nSee the attached CV.\n--m--\n",
              "See the attached CV.", 0);
    /* a text/plain attachment is not the text; inline is */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m\nContent-Type: text/plain\nContent-Disposition: attachment; filename=a.txt\n"
                  "\nattached notes\n"
                  "--m\nContent-Type: text/plain\nContent-Disposition: inline\n\nthe body\n--m--\n",
              "the body", 0);
    /* only attachments and images: no text */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m\nContent-Type: text/plain\nContent-Disposition: ATTACHMENT\n\nnotes\n"
                  "--m\nContent-Type: image/png\n\nPNG\n--m--\n",
              "", LW_DEFECT_NO_TEXT);
    /* a multipart with no parts */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n--m--\n", "",
              LW_DEFECT_NO_TEXT);
}

static void test_multipart_nested(void **state)
{
    (void)state;
    /* mixed { related { alternative { plain, html }, image }, attachment } */
    same_mail(HDR "Content-Type: multipart/mixed;\n\tboundary=\"outer\"\n\n"
                  "--outer\nContent-Type: multipart/related; boundary=\"rel\"\n\n"
                  "--rel\nContent-Type: multipart/alternative; boundary=\"alt\"\n\n"
                  "--alt\nContent-Type: text/plain; charset=us-ascii\n\nNested text\n"
                  "--alt\nContent-Type: text/html\n\n<p>Nested</p>\n--alt--\n"
                  "--rel\nContent-Type: image/gif\n\nGIF89a\n--rel--\n"
                  "--outer\nContent-Type: application/zip\n\nPK\n--outer--\n",
              "Nested text", 0);
    /* the inner multipart is not closed: the outer boundary ends it (a
     * malformed multipart for GMime) and the outer one goes on */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"outer\"\n\n"
                  "--outer\nContent-Type: multipart/alternative; boundary=\"inner\"\n\n"
                  "--inner\nContent-Type: text/html\n\n<p>first</p>\n"
                  "--outer\nContent-Type: text/plain\n\nsecond\n--outer--\n",
              "second", LW_DEFECT_BAD_MIME);
    /* a message/rfc822 part goes to the full parser */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m\nContent-Type: message/rfc822\n\nFrom: a@b.example\nSubject: fw\n\n"
                  "forwarded text\n--m--\n",
              "forwarded text", 0);
}

static void test_multipart_lines(void **state)
{
    (void)state;
    /* CRLF line ends throughout */
    same_mail("From: Recruiter <jobs@consult.example>\r\nSubject: crlf\r\n"
              "Message-ID: <crlf@consult.example>\r\n"
              "Content-Type: multipart/alternative; boundary=\"c\"\r\n\r\n"
              "--c\r\nContent-Type: text/plain\r\n\r\nline one\r\nline two\r\n"
              "--c\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--c--\r\n",
              "line one\r\nline two", 0);
    /* a preamble and an epilogue, which look like parts but are not */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "This is a multi-part message in MIME format.\n\nContent-Type: text/plain\n\n"
                  "--m\nContent-Type: text/plain\n\nthe text\n--m--\n"
                  "epilogue\n--m\nContent-Type: text/plain\n\nafter the end\n",
              "the text", 0);
    /* boundary lines with white space after them */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m  \t\nContent-Type: text/plain\n\nspaced\n--m-- \n",
              "spaced", 0);
    /* a part with no header block is text/plain */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m\nContent-Type: image/png\n\nPNG\n--m\n\nno headers here\n--m--\n",
              "no headers here", 0);
    /* the line break before a boundary is the boundary's: GMime drops two
     * bytes when the boundary line ends in CRLF, whatever the part's last
     * line ends with */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m\nContent-Type: text/plain\n\nhello\n--m--\r\n",
              "hell", 0);
    /* "--b" is a boundary, "--bx" and "--b--x" are text */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
                  "--b\nContent-Type: text/plain\n\nbefore\n--bx\n--b--x\n--b-\nafter\n--b--\n",
              "before\n--bx\n--b--x\n--b-\nafter", 0);
    /* no final boundary: the text runs to the end, and GMime warns */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m\nContent-Type: text/plain\n\ncut short\n",
              "cut short\n", LW_DEFECT_BAD_MIME);
    /* a header line in a part that GMime skips goes to the full parser */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m\nnot a header\nContent-Type: text/html\n\n<p>x</p>\n--m--\n",
              NULL, LW_DEFECT_BAD_HEADER);
}

static void test_multipart_encodings(void **state)
{
    (void)state;
    /* quoted-printable in ISO-8859-1, base64 in windows-1252 and KOI8-R */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m\nContent-Type: text/plain; charset=iso-8859-1\n"
                  "Content-Transfer-Encoding: quoted-printable\n\n"
                  "Caf=E9 r=E9sum=E9 soft=\nbreak\n--m--\n",
              "Caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9 softbreak", 0);
    same_mail(HDR "Content-Type: multipart/alternative; boundary=\"m\"\n\n"
                  "--m\nContent-Type: text/plain; charset=\"windows-1252\"\n"
                  "Content-Transfer-Encoding: base64\n\nk1F1b3RlZJQgoCCAMTAw\n--m--\n",
              "\xe2\x80\x9cQuoted\xe2\x80\x9d \xc2\xa0 \xe2\x82\xac"
              "100",
              0);
    same_mail(HDR "Content-Type: multipart/alternative; boundary=\"m\"\n\n"
                  "--m\nContent-Type: text/html; charset=koi8-r\n"
                  "Content-Transfer-Encoding: BASE64\n\n8NLJ18XU\n--m--\n",
              "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", 0);
    /* an ASCII part in a charset iconv does not know: kept as is, flagged */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m\nContent-Type: text/plain; charset=iso-8859-99\n\nascii\n--m--\n",
              "ascii", LW_DEFECT_BAD_MIME);
    /* an unquoted parameter before a folded line keeps the line break, as
     * GMime parses the field: no charset it can open, so flagged */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m\nContent-Type: text/plain; charset=windows-1251\n folded\n\nascii\n--m--\n",
              "ascii", LW_DEFECT_BAD_MIME);
    /* uuencode goes to the full parser */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"m\"\n\n"
                  "--m\nContent-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\n"
                  "begin 644 a.txt\n#:&D*\n`\nend\n--m--\n",
              NULL, 0);
}

/* Both paths agree, whatever they make of the mail. */
static void same_paths(const char *mail)
{
    struct lw_limits lim;

    lw_limits_default(&lim);
    same_message(read_mem(mail, &lim, false), read_mem(mail, &lim, true));
}

/* Content-Type values the light path reads itself (the simple form) and
 * those it leaves to GMime: both paths agree on each. */
static void test_content_type_forms(void **state)
{
    static const char *const single[] = {
        "TEXT/PLAIN; CHARSET=ISO-8859-1",                    /* case */
        "text/plain;\n charset=iso-8859-1;\n format=flowed", /* folded */
        "text/plain; charset=\"iso-8859-1\" (Latin-1)",      /* a comment */
        "text/plain; charset*=iso-8859-1''",                 /* RFC 2231 */
        "text/plain; charset = iso-8859-1",                  /* blanks around = */
        "text/plain; charset=iso-8859-1; charset=koi8-r",    /* twice */
        "text/plain; charset=\"iso\\-8859-1\"",              /* an escape */
        "text/plain; charset=\"=?utf-8?q?iso-8859-1?=\"",    /* an encoded word */
        "text/plain;",                                       /* a trailing ; */
        "text",                                              /* no subtype */
        "text/plain charset=iso-8859-1",                     /* no ; */
        "text/html; charset=iso-8859-1",
        "text/plain; charset=\"\"", /* empty */
    };
    char mail[1024];
    size_t i;

    (void)state;
    for (i = 0; i < LW_ARRAY_LEN(single); i++) {
        snprintf(mail, sizeof(mail), HDR "Content-Type: %s\n\nCaf\xe9 <b>au lait</b>\n", single[i]);
        same_paths(mail);
    }
    same_mail(HDR "Content-Type: TEXT/PLAIN; CHARSET=ISO-8859-1\n\nCaf\xe9\n", "Caf\xc3\xa9\n", 0);
    /* boundaries: quoted with blanks (simple), an encoded word (GMime's) */
    same_mail(HDR "Content-Type: multipart/mixed; boundary=\"a b\"\n\n"
                  "--a b\nContent-Type: text/plain\n\nhello\n--a b--\n",
              "hello", 0);
    same_paths(HDR "Content-Type: multipart/mixed; boundary=\"=?utf-8?q?x?=\"\n\n"
                   "--=?utf-8?q?x?=\nContent-Type: text/plain\n\nhello\n--=?utf-8?q?x?=--\n");
}

static void test_multipart_caps(void **state)
{
    struct lw_limits lim;
    const char *mail = HDR "Content-Type: multipart/mixed; boundary=\"o\"\n\n"
                           "--o\nContent-Type: multipart/alternative; boundary=\"i\"\n\n"
                           "--i\nContent-Type: image/png\n\nPNG\n"
                           "--i\nContent-Type: text/html\n\n<p>deep</p>\n--i--\n"
                           "--o\nContent-Type: text/plain\n\nshallow\n--o--\n";

    (void)state;
    lw_limits_default(&lim);
    same_mail_lim(mail, "shallow", 0, &lim);
    /* walk() stops at the third part (the image) and keeps what it found */
    lim.max_mime_parts = 2;
    same_mail_lim(mail, "", LW_DEFECT_BAD_MIME | LW_DEFECT_NO_TEXT, &lim);
    lim.max_mime_parts = 4;
    same_mail_lim(mail, "<p>deep</p>", LW_DEFECT_BAD_MIME, &lim);
    /* and at the depth of the inner parts */
    lw_limits_default(&lim);
    lim.max_mime_depth = 1;
    same_mail_lim(mail, "", LW_DEFECT_BAD_MIME | LW_DEFECT_NO_TEXT, &lim);
    /* text past max_text is cut */
    lw_limits_default(&lim);
    lim.max_text = 4;
    same_mail_lim(mail, "shal", LW_DEFECT_TRUNCATED, &lim);
}

static void test_maildir(void **state)
{
    (void)state;
    same_messages(data("maildir"));
}

/* A folder walk opens its files without fstat and learns a file's size from
 * the peek when the file ends in it: every size about the peek's (8 KiB)
 * must come through whole, raw and parsed. */
static void test_walk_sizes(void **state)
{
    static const size_t sizes[] = {60, 8191, 8192, 8193, 30000};
    char dir[] = "/tmp/lw-defer-XXXXXX", path[64];
    const size_t n = sizeof(sizes) / sizeof(sizes[0]);
    struct lw_msg *a[8], *b[8];
    struct lw_limits lim;
    struct lw_reader *r = NULL;
    struct lw_diag d;
    size_t i, k;

    (void)state;
    assert_non_null(mkdtemp(dir));
    for (i = 0; i < n; i++) {
        static const char head[] = "From: a@example.org\nSubject: s\n\n";
        FILE *f;

        snprintf(path, sizeof(path), "%s/m%zu.eml", dir, i);
        assert_non_null(f = fopen(path, "wb"));
        fputs(head, f);
        for (k = sizeof(head) - 1; k < sizes[i]; k++)
            fputc(k % 64 == 63 ? '\n' : 'a' + (int)(k % 26), f);
        assert_int_equal(fclose(f), 0);
    }
    lw_limits_default(&lim);
    assert_int_equal(lw_reader_open(dir, LW_FORMAT_AUTO, &lim, &r, &d), LW_OK);
    lw_reader_defer_parsing(r);
    for (i = 0; i < n; i++) {
        assert_int_equal(lw_reader_next(r, &b[i], &d), 1);
        assert_int_equal(b[i]->raw_len, sizes[i]);
        assert_int_equal(lw_msg_complete(b[i], &lim, &d), LW_OK);
    }
    assert_int_equal(lw_reader_next(r, &(struct lw_msg *){NULL}, &d), 0);
    assert_int_equal(lw_reader_bytes(r), 60 + 8191 + 8192 + 8193 + 30000);
    lw_reader_free(r);
    /* The record limit holds for a file the peek read whole, too. */
    lim.max_record = 1000;
    assert_int_equal(lw_reader_open(dir, LW_FORMAT_AUTO, &lim, &r, &d), LW_OK);
    lw_reader_defer_parsing(r);
    {
        struct lw_msg *m = NULL;
        assert_int_equal(lw_reader_next(r, &m, &d), 1);
        assert_int_equal(m->raw_len, 60);
        lw_msg_free(m);
        assert_int_equal(lw_reader_next(r, &m, &d), LW_ELIMIT);
    }
    lw_reader_free(r);
    lw_limits_default(&lim);
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/m%zu.eml", dir, i);
        assert_int_equal(read_all(path, false, &a[i], 1), 1);
        same_message(a[i], b[i]);
        assert_int_equal(unlink(path), 0);
    }
    assert_int_equal(rmdir(dir), 0);
}

static void test_not_mail(void **state)
{
    struct lw_msg *m = lw_msg_new();
    struct lw_limits lim;
    struct lw_diag d;

    (void)state;
    lw_limits_default(&lim);
    m->source = "x.eml";
    m->raw = "";
    m->raw_len = 0;
    lw_diag_clear(&d);
    assert_int_equal(lw_msg_complete(m, &lim, &d), LW_EPARSE);
    assert_non_null(strstr(d.source, "x.eml"));
    lw_msg_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eml),
        cmocka_unit_test(test_single_part_disposition),
        cmocka_unit_test(test_plain_fields),
        cmocka_unit_test(test_latin1),
        cmocka_unit_test(test_charset_reuse),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_quoted_names),
        cmocka_unit_test(test_multipart_choice),
        cmocka_unit_test(test_multipart_nested),
        cmocka_unit_test(test_multipart_lines),
        cmocka_unit_test(test_multipart_encodings),
        cmocka_unit_test(test_multipart_caps),
        cmocka_unit_test(test_content_type_forms),
        cmocka_unit_test(test_maildir),
        cmocka_unit_test(test_walk_sizes),
        cmocka_unit_test(test_not_mail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
