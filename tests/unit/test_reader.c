/* test_reader.c -- the readers (src/ingest/reader.h) on the files in
 * tests/data/ingest/ and on inputs built here: every format, sniffing, the
 * error contract (a bad record is reported and the rest still read), and the
 * caps (long lines and records, a 50 MB line, a folder of 10,000 files). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include "ingest/reader.h"

#define MAX_KEEP 64
#define MAX_ERRS 16

/* Everything one reader gave: the first MAX_KEEP messages, the count of
 * all, and the errors with their diagnostics. */
struct run {
    struct lw_msg *m[MAX_KEEP];
    size_t n;
    int err[MAX_ERRS];
    struct lw_diag diag[MAX_ERRS];
    size_t nerr;
    enum lw_format fmt;
    uint64_t bytes;
};

static void drain(struct lw_reader *r, struct run *out)
{
    memset(out, 0, sizeof(*out));
    out->fmt = lw_reader_format(r);
    for (;;) {
        struct lw_msg *m = NULL;
        struct lw_diag d;
        int rc = lw_reader_next(r, &m, &d);
        if (rc == 0)
            break;
        if (rc < 0) {
            if (out->nerr < MAX_ERRS) {
                out->err[out->nerr] = rc;
                out->diag[out->nerr] = d;
            }
            out->nerr++;
            if (rc != LW_EPARSE && rc != LW_ELIMIT)
                break;
            continue;
        }
        assert_int_equal(rc, 1);
        assert_non_null(m);
        assert_non_null(m->id);
        assert_non_null(m->text);
        if (out->n < MAX_KEEP)
            out->m[out->n] = m;
        else
            lw_msg_free(m);
        out->n++;
    }
    out->bytes = lw_reader_bytes(r);
    assert_int_equal(lw_reader_next(r, &(struct lw_msg *){NULL}, NULL), 0); /* stays at the end */
}

static void run_free(struct run *run)
{
    size_t i;

    for (i = 0; i < LW_MIN(run->n, (size_t)MAX_KEEP); i++)
        lw_msg_free(run->m[i]);
    memset(run, 0, sizeof(*run));
}

static const char *data(const char *rel)
{
    static char path[4][4096];
    static int k;
    const char *base = getenv("LW_TESTDATA");

    k = (k + 1) % 4;
    snprintf(path[k], sizeof(path[k]), "%s/ingest/%s", base ? base : "tests/data", rel);
    return path[k];
}

static void read_path(const char *path, enum lw_format fmt, const struct lw_limits *lim,
                      struct run *run)
{
    struct lw_reader *r = NULL;
    struct lw_diag d;
    int rc = lw_reader_open(path, fmt, lim, &r, &d);

    if (rc < 0)
        fail_msg("open %s: %s", path, d.msg);
    drain(r, run);
    lw_reader_free(r);
}

static void read_mem(const char *buf, size_t len, const char *name, enum lw_format fmt,
                     const struct lw_limits *lim, struct run *run)
{
    struct lw_reader *r = NULL;
    struct lw_diag d;
    int rc = lw_reader_open_mem(buf, len, name, fmt, lim, &r, &d);

    if (rc < 0)
        fail_msg("open %s: %s", name, d.msg);
    drain(r, run);
    lw_reader_free(r);
}

static bool has(const struct lw_msg *m, const char *needle)
{
    size_t n = strlen(needle), i;

    for (i = 0; i + n <= m->text_len; i++)
        if (memcmp(m->text + i, needle, n) == 0)
            return true;
    return false;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);

    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static char *tmpdir(void)
{
    const char *t = getenv("TMPDIR");
    char tmpl[4096];
    char *p;

    snprintf(tmpl, sizeof(tmpl), "%s/lw-reader-XXXXXX", t && *t ? t : "/tmp");
    p = mkdtemp(tmpl);
    assert_non_null(p);
    return strdup(p);
}

static void write_file(const char *dir, const char *name, const void *p, size_t n)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *p;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return p;
}

static void rm_rf(const char *dir)
{
    char cmd[4200];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* ---- names and limits ---------------------------------------------------------- */

static void test_formats_and_limits(void **state)
{
    static const char *const names[] = {
        "text",
        "jsonl",
        "eml",
        "mbox",
        "maildir",
        "dir",
        "linkedin-messages",
        "linkedin-invitations",
        "linkedin-zip",
    };
    struct lw_limits lim;
    enum lw_format f;
    size_t i;

    (void)state;
    for (i = 0; i < LW_ARRAY_LEN(names); i++) {
        assert_int_equal(lw_format_parse(names[i], &f), LW_OK);
        assert_string_equal(lw_format_name(f), names[i]);
    }
    assert_int_equal(lw_format_parse("bogus", &f), LW_EINVAL);
    assert_int_equal(lw_format_parse("", &f), LW_EINVAL);
    lw_limits_default(&lim);
    assert_int_equal(lim.max_text, 1 << 20);
    assert_int_equal(lim.max_record, 16 << 20);
    assert_int_equal(lim.max_mime_depth, 16);
    assert_int_equal(lim.max_mime_parts, 256);
    assert_int_equal(lim.max_csv_columns, 256);
    assert_int_equal(lim.max_files, 1000000);
}

static void test_sniff(void **state)
{
    static const struct {
        const char *file;
        enum lw_format fmt;
    } cases[] = {
        {"qp.eml", LW_FORMAT_EML},
        {"truncated.eml", LW_FORMAT_EML},
        {"three.mbox", LW_FORMAT_MBOX},
        {"maildir", LW_FORMAT_MAILDIR},
        {"messages.csv", LW_FORMAT_LINKEDIN_MESSAGES},
        {"messages-reordered.csv", LW_FORMAT_LINKEDIN_MESSAGES},
        {"messages-notes.csv", LW_FORMAT_LINKEDIN_MESSAGES},
        {"Invitations.csv", LW_FORMAT_LINKEDIN_INVITATIONS},
        {"sample.jsonl", LW_FORMAT_JSONL},
        {"bad-utf8.txt", LW_FORMAT_TEXT},
        {"empty.txt", LW_FORMAT_TEXT},
    };
    static const struct {
        const char *bytes;
        enum lw_format fmt;
    } mem[] = {
        {"From a@b Thu Oct  2 09:14:05 2025\nSubject: x\n\nhi\n", LW_FORMAT_MBOX},
        {"Received: from x\nFrom: a@b\n\nhi\n", LW_FORMAT_EML},
        {"From: a@b\nSubject: hi\n\nbody\n", LW_FORMAT_EML},
        {"Subject: only one header line\n\nbody\n", LW_FORMAT_TEXT},
        {"  \n {\"text\":\"x\"}\n", LW_FORMAT_JSONL},
        {"From,To,Sent At,Message,Direction\nA,B,C,D,INCOMING\n", LW_FORMAT_LINKEDIN_INVITATIONS},
        {"\xEF\xBB\xBF"
         "CONVERSATION ID,FROM,CONTENT\n1,a,b\n",
         LW_FORMAT_LINKEDIN_MESSAGES},
        {"PK\x03\x04 not really", LW_FORMAT_LINKEDIN_ZIP},
        {"Dear Pat, hello.\n", LW_FORMAT_TEXT},
    };
    struct lw_limits lim;
    size_t i;

    (void)state;
    lw_limits_default(&lim);
    for (i = 0; i < LW_ARRAY_LEN(cases); i++) {
        struct lw_reader *r = NULL;
        struct lw_diag d;
        assert_int_equal(lw_reader_open(data(cases[i].file), LW_FORMAT_AUTO, &lim, &r, &d), LW_OK);
        if (lw_reader_format(r) != cases[i].fmt)
            fail_msg("%s sniffed as %s", cases[i].file, lw_format_name(lw_reader_format(r)));
        lw_reader_free(r);
    }
    for (i = 0; i < LW_ARRAY_LEN(mem); i++) {
        struct lw_reader *r = NULL;
        int rc = lw_reader_open_mem(mem[i].bytes, strlen(mem[i].bytes), "mem", LW_FORMAT_AUTO, &lim,
                                    &r, NULL);
        if (mem[i].fmt == LW_FORMAT_LINKEDIN_ZIP) {
            assert_int_equal(rc, LW_EPARSE); /* sniffed as a ZIP, then refused */
            continue;
        }
        assert_int_equal(rc, LW_OK);
        if (lw_reader_format(r) != mem[i].fmt)
            fail_msg("case %zu sniffed as %s", i, lw_format_name(lw_reader_format(r)));
        lw_reader_free(r);
    }
}

static void test_open_errors(void **state)
{
    struct lw_reader *r = NULL;
    struct lw_diag d;

    (void)state;
    assert_int_equal(lw_reader_open(data("no-such-file.txt"), LW_FORMAT_AUTO, NULL, &r, &d),
                     LW_ENOTFOUND);
    assert_true(ends_with(d.source, "no-such-file.txt"));
    assert_int_equal(lw_reader_open(data("maildir"), LW_FORMAT_JSONL, NULL, &r, &d), LW_EINVAL);
    assert_int_equal(lw_reader_open(data("qp.eml"), LW_FORMAT_DIR, NULL, &r, &d), LW_EINVAL);
    assert_int_equal(lw_reader_open_mem("x", 1, "m", LW_FORMAT_DIR, NULL, &r, &d), LW_EUNSUPPORTED);
    assert_null(r);
}

/* ---- plain text ------------------------------------------------------------------ */

static void test_text(void **state)
{
    struct lw_limits lim;
    struct run run;
    char id[4200];

    (void)state;
    lw_limits_default(&lim);
    read_path(data("bad-utf8.txt"), LW_FORMAT_AUTO, &lim, &run);
    assert_int_equal(run.n, 1);
    assert_int_equal(run.nerr, 0);
    snprintf(id, sizeof(id), "%s:1", data("bad-utf8.txt"));
    assert_string_equal(run.m[0]->id, id);
    assert_true(run.m[0]->defects & LW_DEFECT_BAD_UTF8);
    assert_true(has(run.m[0], "a bad byte \xEF\xBF\xBD here"));
    assert_int_equal(run.bytes, 57);
    run_free(&run);

    read_path(data("empty.txt"), LW_FORMAT_AUTO, &lim, &run);
    assert_int_equal(run.n, 0);
    assert_int_equal(run.nerr, 0);
    run_free(&run);

    read_mem(" \n\t\n", 4, "blank", LW_FORMAT_TEXT, &lim, &run);
    assert_int_equal(run.n, 0);
    run_free(&run);

    /* Cut at max_text on a character boundary: "hé" is 3 bytes. */
    lim.max_text = 4;
    read_mem("h\xC3\xA9\xC3\xA9llo", 8, "cut", LW_FORMAT_TEXT, &lim, &run);
    assert_int_equal(run.n, 1);
    assert_int_equal(run.m[0]->text_len, 3);
    assert_memory_equal(run.m[0]->text, "h\xC3\xA9", 3);
    assert_true(run.m[0]->defects & LW_DEFECT_TRUNCATED);
    assert_string_equal(run.m[0]->id, "cut:1");
    run_free(&run);
}

/* ---- JSONL ------------------------------------------------------------------------- */

static void test_jsonl(void **state)
{
    struct run run;
    const struct lw_msg *m;
    char id[4200];

    (void)state;
    read_path(data("sample.jsonl"), LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.fmt, LW_FORMAT_JSONL);
    assert_int_equal(run.n, 3);
    assert_int_equal(run.nerr, 3);
    m = run.m[0];
    assert_string_equal(m->id, "m1");
    assert_int_equal(m->channel, LW_CHANNEL_LINKEDIN);
    assert_string_equal(m->from.name, "Amanda Example");
    assert_string_equal(m->from.address, "amanda@br-yr.example");
    assert_string_equal(m->from.profile, "https://www.linkedin.com/in/amanda");
    assert_int_equal(m->n_to, 2);
    assert_string_equal(m->to[1], "Sam");
    assert_string_equal(m->date, "2025-10-02T09:14:05Z");
    assert_string_equal(m->subject, "Hi");
    assert_string_equal(m->thread, "t1");
    assert_string_equal(m->lang, "en");
    assert_string_equal(m->label, "approach");
    assert_string_equal(m->text, "Our client would pay for a short report.");
    assert_int_equal(m->line, 1);
    m = run.m[1];
    snprintf(id, sizeof(id), "%s:3", data("sample.jsonl"));
    assert_string_equal(m->id, id);
    assert_string_equal(m->from.name, "Wei Zhang");
    assert_int_equal(m->n_to, 1);
    assert_string_equal(m->to[0], "Pat");
    m = run.m[2];
    assert_string_equal(m->id, "m5");
    assert_int_equal(m->line, 8);
    assert_int_equal(m->text_len,
                     strlen("Last line without newline, NUL ") + 1 + strlen(" inside"));
    /* Bad lines: invalid JSON on 4, no text on 5, not an object on 7. */
    assert_int_equal(run.err[0], LW_EPARSE);
    assert_int_equal(run.diag[0].line, 4);
    assert_true(ends_with(run.diag[0].source, "sample.jsonl"));
    assert_int_equal(run.diag[1].line, 5);
    assert_non_null(strstr(run.diag[1].msg, "text"));
    assert_int_equal(run.diag[2].line, 7);
    assert_int_equal(run.bytes, 557);
    run_free(&run);
}

/* A record with no thread, a source and a direct channel gets a thread
 * implied by the two; news text, ads and records with a thread do not.
 * "direction" marks the reader's own messages. */
static void test_jsonl_implied_thread(void **state)
{
    static const char in[] =
        "{\"text\":\"a\",\"channel\":\"linkedin\",\"source\":\"r1\"}\n"
        "{\"text\":\"b\",\"channel\":\"linkedin\",\"source\":\"r1\",\"direction\":\"outgoing\"}\n"
        "{\"text\":\"c\",\"channel\":\"email\",\"source_url\":\"https://x.example/r1\"}\n"
        "{\"text\":\"d\",\"source\":\"r1\"}\n"
        "{\"text\":\"e\",\"channel\":\"ad\",\"source\":\"r1\"}\n"
        "{\"text\":\"f\",\"channel\":\"chat\",\"source\":\"r1\",\"thread\":\"t9\"}\n"
        "{\"text\":\"g\",\"channel\":\"chat\",\"source\":\"\",\"direction\":\"incoming\"}\n";
    struct run run;

    (void)state;
    read_mem(in, sizeof(in) - 1, "in.jsonl", LW_FORMAT_JSONL, NULL, &run);
    assert_int_equal(run.n, 7);
    assert_int_equal(run.nerr, 0);
    assert_string_equal(run.m[0]->thread, "linkedin\x1fr1");
    assert_true(run.m[0]->thread_implied);
    assert_false(run.m[0]->outgoing);
    assert_string_equal(run.m[1]->thread, "linkedin\x1fr1");
    assert_true(run.m[1]->outgoing);
    assert_string_equal(run.m[2]->thread, "email\x1fhttps://x.example/r1");
    assert_null(run.m[3]->thread); /* no channel: news text */
    assert_null(run.m[4]->thread); /* an ad is not a conversation */
    assert_string_equal(run.m[5]->thread, "t9");
    assert_false(run.m[5]->thread_implied);
    assert_null(run.m[6]->thread);
    assert_false(run.m[6]->outgoing);
    run_free(&run);
}

static void test_jsonl_long_line_small_limit(void **state)
{
    char buf[600];
    struct lw_limits lim;
    struct run run;
    int n;

    (void)state;
    n = snprintf(buf, sizeof(buf),
                 "{\"text\":\"one\"}\n{\"text\":\"%0300d\"}\n{\"text\":\"three\"}\n", 7);
    lw_limits_default(&lim);
    lim.max_record = 100;
    read_mem(buf, (size_t)n, "small", LW_FORMAT_JSONL, &lim, &run);
    assert_int_equal(run.n, 2);
    assert_string_equal(run.m[0]->text, "one");
    assert_string_equal(run.m[1]->text, "three");
    assert_string_equal(run.m[1]->id, "small:3");
    assert_int_equal(run.nerr, 1);
    assert_int_equal(run.err[0], LW_ELIMIT);
    assert_int_equal(run.diag[0].line, 2);
    assert_string_equal(run.diag[0].source, "small");
    run_free(&run);
}

static void test_jsonl_invalid_utf8(void **state)
{
    static const char in[] = "{\"id\":\"u\",\"text\":\"bad \xff byte\"}\n";
    struct run run;

    (void)state;
    read_mem(in, sizeof(in) - 1, "utf8", LW_FORMAT_JSONL, NULL, &run);
    assert_int_equal(run.n, 1);
    assert_int_equal(run.nerr, 0);
    assert_string_equal(run.m[0]->text, "bad \xEF\xBF\xBD byte");
    assert_true(run.m[0]->defects & LW_DEFECT_BAD_UTF8);
    run_free(&run);
}

static long max_rss_kib(void)
{
    struct rusage ru;

    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    return ru.ru_maxrss;
}

/* A 50 MB line with the default limits (16 MiB records): skipped, the next
 * line read, and the peak memory well under the line's size. */
static void test_jsonl_50mb_line(void **state)
{
    char *dir = tmpdir(), path[4200];
    char *chunk = malloc(1 << 20);
    long before, after;
    struct run run;
    FILE *f;
    int i;

    (void)state;
    assert_non_null(chunk);
    memset(chunk, 'x', 1 << 20);
    snprintf(path, sizeof(path), "%s/big.jsonl", dir);
    f = fopen(path, "wb");
    assert_non_null(f);
    fputs("{\"id\":\"a\",\"text\":\"first\"}\n{\"id\":\"big\",\"text\":\"", f);
    for (i = 0; i < 50; i++)
        assert_int_equal(fwrite(chunk, 1, 1 << 20, f), 1 << 20);
    fputs("\"}\n{\"id\":\"c\",\"text\":\"after\"}\n", f);
    assert_int_equal(fclose(f), 0);
    free(chunk);

    before = max_rss_kib();
    read_path(path, LW_FORMAT_AUTO, NULL, &run);
    after = max_rss_kib();
    assert_int_equal(run.n, 2);
    assert_string_equal(run.m[0]->id, "a");
    assert_string_equal(run.m[1]->id, "c");
    assert_string_equal(run.m[1]->text, "after");
    assert_int_equal(run.nerr, 1);
    assert_int_equal(run.err[0], LW_ELIMIT);
    assert_int_equal(run.diag[0].line, 2);
    assert_true(run.bytes > 50u << 20);
    /* Holding the line would take 50 MiB or more; the cap is 16 MiB. */
    if (after - before >= 48 * 1024)
        fail_msg("peak memory grew by %ld KiB reading a 50 MiB line", after - before);
    run_free(&run);
    rm_rf(dir);
    free(dir);
}

/* ---- e-mail ------------------------------------------------------------------------- */

static void test_eml(void **state)
{
    struct run run;
    const struct lw_msg *m;

    (void)state;
    read_path(data("qp.eml"), LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.n, 1);
    m = run.m[0];
    assert_string_equal(m->id, "qp-1@br-yr.example");
    assert_int_equal(m->channel, LW_CHANNEL_EMAIL);
    assert_string_equal(m->from.name, "Am\xC3\xA1nda Example");
    assert_string_equal(m->from.address, "amanda@br-yr.example");
    assert_int_equal(m->n_to, 2);
    assert_string_equal(m->to[0], "pat@victim.example");
    assert_string_equal(m->to[1], "sam@victim.example");
    assert_string_equal(m->subject, "Paid expert consultation \xC3\xA0 Paris");
    assert_string_equal(m->date, "2025-10-02T09:14:05Z"); /* +0200 to UTC */
    assert_string_equal(m->thread, "root-0@br-yr.example");
    assert_string_equal(m->lang, "en-GB");
    assert_false(m->text_is_html);
    /* Quoted-printable and ISO-8859-1 decoded; the soft break joins lines. */
    assert_true(has(m, "would pay \xC2\xA3"
                       "2,000"));
    assert_true(has(m, "your caf\xC3\xA9 policy work"));
    assert_int_equal(m->defects, 0);
    run_free(&run);

    read_path(data("base64.eml"), LW_FORMAT_EML, NULL, &run);
    assert_int_equal(run.n, 1);
    m = run.m[0];
    assert_false(m->text_is_html); /* text/plain preferred though HTML comes first */
    assert_true(has(m, "Hello Pat, our client would pay"));
    assert_true(has(m, "Gr\xC3\xBC\xC3\x9F"
                       "e aus Berlin"));
    assert_true(has(m, "\xE4\xBD\xA0\xE5\xA5\xBD"));
    assert_string_equal(m->date, "2025-10-03T00:00:00Z");
    /* No References or In-Reply-To: it starts a conversation of its own. */
    assert_non_null(m->thread);
    assert_string_equal(m->thread, m->id);
    run_free(&run);

    read_path(data("html-only.eml"), LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.n, 1);
    m = run.m[0];
    assert_true(m->text_is_html);
    assert_true(has(m, "We offer a <b>paid</b> consultancy."));
    assert_true(has(m, "</body></html>")); /* QP soft break inside the tag */
    assert_false(has(m, "JVBERi"));        /* the attachment is not the body */
    assert_string_equal(m->date, "not a date at all");
    assert_true(m->defects & LW_DEFECT_BAD_HEADER);
    assert_true(ends_with(m->id, "html-only.eml:1"));
    run_free(&run);
}

static void test_eml_broken(void **state)
{
    static const char nobody[] = "From: a@example.org\nSubject: only a PDF\nMIME-Version: 1.0\n"
                                 "Content-Type: application/pdf\n\nJVBERi0xLjQK\n";
    struct lw_limits lim;
    struct run run;

    (void)state;
    read_path(data("truncated.eml"), LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.n, 1);
    assert_int_equal(run.nerr, 0);
    assert_true(run.m[0]->defects & LW_DEFECT_BAD_MIME);
    assert_true(has(run.m[0], "The text part survives"));
    run_free(&run);

    read_path(data("bad-utf8.eml"), LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.n, 1);
    assert_true(run.m[0]->defects & LW_DEFECT_BAD_UTF8);
    assert_true(has(run.m[0], "Valid start \xEF\xBF\xBD"));
    run_free(&run);

    read_mem(nobody, sizeof(nobody) - 1, "nobody.eml", LW_FORMAT_EML, NULL, &run);
    assert_int_equal(run.n, 1);
    assert_true(run.m[0]->defects & LW_DEFECT_NO_TEXT);
    assert_int_equal(run.m[0]->text_len, 0);
    run_free(&run);

    /* Parts beyond the cap are not looked at: BAD_MIME, no text. */
    lw_limits_default(&lim);
    lim.max_mime_parts = 1;
    read_path(data("base64.eml"), LW_FORMAT_EML, &lim, &run);
    assert_int_equal(run.n, 1);
    assert_true(run.m[0]->defects & LW_DEFECT_BAD_MIME);
    assert_true(run.m[0]->defects & LW_DEFECT_NO_TEXT);
    run_free(&run);

    /* Cut at max_text. */
    lim.max_mime_parts = 256;
    lim.max_text = 10;
    read_path(data("qp.eml"), LW_FORMAT_EML, &lim, &run);
    assert_int_equal(run.n, 1);
    assert_int_equal(run.m[0]->text_len, 10);
    assert_true(run.m[0]->defects & LW_DEFECT_TRUNCATED);
    run_free(&run);
}

static void test_mbox(void **state)
{
    struct run run;

    (void)state;
    read_path(data("three.mbox"), LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.fmt, LW_FORMAT_MBOX);
    assert_int_equal(run.n, 3);
    assert_int_equal(run.nerr, 0);
    assert_string_equal(run.m[0]->id, "1@br-yr.example");
    assert_string_equal(run.m[1]->id, "2@br-yr.example");
    assert_true(ends_with(run.m[2]->id, "three.mbox:3"));
    assert_int_equal(run.m[2]->line, 3);
    /* ">From " in a body does not start a message, and is unescaped. */
    assert_true(has(run.m[0], "\nFrom the desk of our director"));
    assert_false(has(run.m[0], ">From the desk"));
    assert_true(has(run.m[0], "\n>From here the escape is nested."));
    assert_string_equal(run.m[1]->thread, "1@br-yr.example");
    assert_true(has(run.m[1], "private channel"));
    assert_string_equal(run.m[2]->from.name, "Pat Target");
    run_free(&run);
}

static void test_mbox_stdin(void **state)
{
    int saved = dup(STDIN_FILENO);
    int p[2];
    struct run run;
    size_t len;
    char *buf = slurp(data("three.mbox"), &len);

    (void)state;
    /* A pipe, so the reader has to spool it before GMime can seek. */
    assert_true(saved >= 0);
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], buf, len), (ssize_t)len);
    close(p[1]);
    assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
    close(p[0]);
    read_path("-", LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    assert_int_equal(run.fmt, LW_FORMAT_MBOX);
    assert_int_equal(run.n, 3);
    assert_string_equal(run.m[2]->id, "-:3");
    assert_string_equal(run.m[2]->source, "-");
    run_free(&run);
    free(buf);
}

/* Headers are what GMime holds in memory: a message whose headers pass the
 * caps is skipped before GMime sees it, and the next one is read. */
static void test_mail_header_caps(void **state)
{
    static const char head[] = "From a@b Thu Oct  2 09:14:05 2025\nSubject: one\n\nfirst\n\n"
                               "From b@b Thu Oct  2 09:14:06 2025\nSubject: two\nX-Junk: ";
    static const char tail[] = "\n\nsecond\n\nFrom c@b Thu Oct  2 09:14:07 2025\nSubject: three\n"
                               "\nthird\n";
    size_t junk = 2u << 20, n = sizeof(head) - 1 + junk + sizeof(tail) - 1, i;
    char *buf = malloc(n), *p;
    struct run run;

    (void)state;
    assert_non_null(buf);
    memcpy(buf, head, sizeof(head) - 1);
    memset(buf + sizeof(head) - 1, 'y', junk);
    memcpy(buf + sizeof(head) - 1 + junk, tail, sizeof(tail) - 1);
    read_mem(buf, n, "caps.mbox", LW_FORMAT_MBOX, NULL, &run);
    assert_int_equal(run.n, 2);
    assert_string_equal(run.m[0]->subject, "one");
    assert_string_equal(run.m[1]->subject, "three");
    assert_int_equal(run.m[1]->line, 3);
    assert_int_equal(run.nerr, 1);
    assert_int_equal(run.err[0], LW_ELIMIT);
    assert_int_equal(run.diag[0].line, 2);
    assert_non_null(strstr(run.diag[0].msg, "headers longer than"));
    run_free(&run);

    /* Many MIME part headers in one .eml: also refused, by line count. */
    free(buf);
    n = 40000 * 12 + 200;
    buf = malloc(n);
    assert_non_null(buf);
    p = buf + snprintf(buf, n, "From: a@b\nContent-Type: multipart/mixed; boundary=B\n\n--B\n");
    for (i = 0; i < 40000; i++) {
        memcpy(p, "X-A: bcdef\n", 11);
        p += 11;
    }
    p += snprintf(p, 32, "\nbody\n--B--\n");
    read_mem(buf, (size_t)(p - buf), "parts.eml", LW_FORMAT_EML, NULL, &run);
    assert_int_equal(run.n, 0);
    assert_int_equal(run.nerr, 1);
    assert_int_equal(run.err[0], LW_ELIMIT);
    assert_non_null(strstr(run.diag[0].msg, "header lines"));
    run_free(&run);
    free(buf);
}

static void test_maildir(void **state)
{
    struct run run;

    (void)state;
    read_path(data("maildir"), LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.fmt, LW_FORMAT_MAILDIR);
    assert_int_equal(run.n, 3);
    assert_int_equal(run.nerr, 0);
    /* cur/ and new/ merged in file-name (delivery) order. */
    assert_string_equal(run.m[0]->id, "md-1@example.org");
    assert_string_equal(run.m[1]->id, "md-2@example.org");
    assert_string_equal(run.m[2]->id, "md-3@example.org");
    assert_true(ends_with(run.m[1]->source, "maildir/new/1696000002.M2P2.host"));
    assert_string_equal(run.m[2]->text, "Third message, replied.\n");
    run_free(&run);
}

/* ---- LinkedIn CSV ------------------------------------------------------------------ */

static void test_csv_messages(void **state)
{
    struct run run;
    const struct lw_msg *m;
    char id[4200];

    (void)state;
    read_path(data("messages.csv"), LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.fmt, LW_FORMAT_LINKEDIN_MESSAGES);
    assert_int_equal(run.nerr, 0);
    assert_int_equal(run.n, 3); /* the row with empty CONTENT is not a message */
    m = run.m[0];
    snprintf(id, sizeof(id), "%s:2", data("messages.csv"));
    assert_string_equal(m->id, id);
    assert_int_equal(m->channel, LW_CHANNEL_LINKEDIN);
    assert_string_equal(m->thread, "2-Zm9vYmFy");
    assert_string_equal(m->from.name, "Amanda Example");
    assert_string_equal(m->from.profile, "https://www.linkedin.com/in/amanda-example-1234");
    assert_int_equal(m->n_to, 1);
    assert_string_equal(m->to[0], "Pat Target");
    assert_string_equal(m->date, "2025-10-02T09:14:05Z");
    assert_null(m->subject);
    assert_string_equal(m->text, "Dear Pat, our client, a leading think tank, seeks paid expert "
                                 "insight.\r\nIt is part-time, \"flexible\", and well paid.");
    assert_int_equal(m->defects, 0);
    assert_int_equal(run.m[1]->line, 4); /* the first record spans lines 2-3 */
    assert_string_equal(run.m[1]->text, "Who is the client?");
    assert_false(run.m[0]->outgoing);
    assert_true(run.m[1]->outgoing); /* FOLDER is SENT */
    m = run.m[2];
    assert_int_equal(m->line, 6);
    assert_string_equal(m->subject, "Hello");
    assert_string_equal(m->text, "Line one\nline two\nline three, with commas, many");
    run_free(&run);
}

static void test_csv_variants(void **state)
{
    struct run run;

    (void)state;
    read_path(data("messages-reordered.csv"), LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.n, 2);
    assert_int_equal(run.nerr, 0);
    assert_string_equal(run.m[0]->text, "Reordered text, with a comma");
    assert_string_equal(run.m[0]->from.name, "Li Na");
    assert_null(run.m[0]->from.profile); /* no SENDER PROFILE URL column */
    assert_string_equal(run.m[0]->thread, "conv-9");
    assert_string_equal(run.m[0]->subject, "Hi");
    assert_string_equal(run.m[0]->date, "2024-01-05T12:00:00Z");
    assert_string_equal(run.m[1]->date, "01/06/2024"); /* kept as given */
    assert_int_equal(run.m[1]->line, 3);
    run_free(&run);

    read_path(data("messages-notes.csv"), LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.n, 1);
    assert_int_equal(run.nerr, 0);
    assert_string_equal(run.m[0]->text, "After the preamble");
    assert_int_equal(run.m[0]->line, 5);
    run_free(&run);

    read_path(data("Invitations.csv"), LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.fmt, LW_FORMAT_LINKEDIN_INVITATIONS);
    assert_int_equal(run.nerr, 0);
    assert_int_equal(run.n, 2); /* the invitation without a note is skipped */
    assert_string_equal(run.m[0]->from.name, "Amanda Example");
    assert_string_equal(run.m[0]->from.profile, "https://www.linkedin.com/in/amanda-example-1234");
    assert_string_equal(run.m[0]->to[0], "Pat Target");
    assert_string_equal(run.m[0]->date, "10/1/25 8:02 AM");
    assert_int_equal(run.m[0]->channel, LW_CHANNEL_LINKEDIN);
    assert_true(has(run.m[0], "impressed by your work"));
    assert_false(run.m[0]->outgoing);
    assert_int_equal(run.m[1]->line, 4);
    assert_true(run.m[1]->outgoing); /* Direction is OUTGOING */
    run_free(&run);
}

static void test_csv_bad(void **state)
{
    static const char wide[] = "CONTENT,FROM\nok,a\n\"too, many\",b,c,d,e\nfine,c\n";
    struct lw_limits lim;
    struct run run;
    char buf[800];
    int n;

    (void)state;
    /* Unclosed quote at the end: earlier rows intact, the last repaired. */
    read_path(data("unclosed.csv"), LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.nerr, 0);
    assert_int_equal(run.n, 3);
    assert_int_equal(run.m[0]->defects, 0);
    assert_int_equal(run.m[1]->defects, 0);
    assert_string_equal(run.m[1]->text, "second row, fine");
    assert_true(run.m[2]->defects & LW_DEFECT_BAD_CSV);
    assert_int_equal(run.m[2]->line, 4);
    assert_true(has(run.m[2], "third row never closes its quote\nand runs to the end"));
    run_free(&run);

    /* No text column: one error naming the file and the column. */
    read_path(data("no-content.csv"), LW_FORMAT_LINKEDIN_MESSAGES, NULL, &run);
    assert_int_equal(run.n, 0);
    assert_int_equal(run.nerr, 1);
    assert_int_equal(run.err[0], LW_EPARSE);
    assert_true(ends_with(run.diag[0].source, "no-content.csv"));
    assert_non_null(strstr(run.diag[0].msg, "CONTENT"));
    run_free(&run);

    read_path(data("messages.csv"), LW_FORMAT_LINKEDIN_INVITATIONS, NULL, &run);
    assert_int_equal(run.n, 0);
    assert_int_equal(run.nerr, 1);
    assert_non_null(strstr(run.diag[0].msg, "Message"));
    run_free(&run);

    /* A record over max_record is skipped; the next one is read. */
    lw_limits_default(&lim);
    lim.max_record = 100;
    n = snprintf(buf, sizeof(buf),
                 "CONVERSATION ID,CONTENT\nc,short\nc,\"%0300d\nstill long\"\nc,after\n", 5);
    read_mem(buf, (size_t)n, "rec.csv", LW_FORMAT_LINKEDIN_MESSAGES, &lim, &run);
    assert_int_equal(run.n, 2);
    assert_string_equal(run.m[0]->text, "short");
    assert_string_equal(run.m[1]->text, "after");
    assert_int_equal(run.m[1]->line, 5);
    assert_int_equal(run.nerr, 1);
    assert_int_equal(run.err[0], LW_ELIMIT);
    assert_int_equal(run.diag[0].line, 3);
    run_free(&run);

    /* Too many columns in one record. */
    lim.max_record = 1 << 20;
    lim.max_csv_columns = 3;
    read_mem(wide, sizeof(wide) - 1, "wide.csv", LW_FORMAT_LINKEDIN_MESSAGES, &lim, &run);
    assert_int_equal(run.n, 2);
    assert_int_equal(run.nerr, 1);
    assert_int_equal(run.err[0], LW_ELIMIT);
    assert_int_equal(run.diag[0].line, 3);
    assert_string_equal(run.m[1]->text, "fine");
    run_free(&run);
}

/* ---- ZIP ------------------------------------------------------------------------------ */

static void add_entry(zip_t *za, const char *name, const void *p, size_t n)
{
    zip_source_t *s = zip_source_buffer(za, p, n, 0);

    assert_non_null(s);
    assert_true(zip_file_add(za, name, s, ZIP_FL_OVERWRITE) >= 0);
}

static void test_zip(void **state)
{
    static const char connections[] = "First Name,Last Name,URL\nA,B,https://x\n";
    char *dir = tmpdir(), path[4200], none[4200];
    size_t mlen, ilen, glen, zlen;
    char *msgs = slurp(data("messages.csv"), &mlen);
    char *inv = slurp(data("Invitations.csv"), &ilen);
    char *guide = slurp(data("messages-reordered.csv"), &glen);
    char *zbytes, want[4300];
    struct lw_reader *r = NULL;
    struct lw_diag d;
    struct run run;
    zip_t *za;
    int err = 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/Basic_LinkedInDataExport.zip", dir);
    za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(za);
    add_entry(za, "Connections.csv", connections, sizeof(connections) - 1);
    add_entry(za, "Export/messages.csv", msgs, mlen);
    add_entry(za, "Invitations.csv", inv, ilen);
    add_entry(za, "guide_messages.csv", guide, glen);
    assert_int_equal(zip_close(za), 0);

    read_path(path, LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.fmt, LW_FORMAT_LINKEDIN_ZIP);
    assert_int_equal(run.nerr, 0);
    assert_int_equal(run.n, 3 + 2 + 2);
    snprintf(want, sizeof(want), "%s:Export/messages.csv:2", path);
    assert_string_equal(run.m[0]->id, want);
    assert_true(has(run.m[0], "seeks paid expert insight"));
    assert_true(ends_with(run.m[3]->id, ":Invitations.csv:2"));
    assert_string_equal(run.m[6]->text, "Second reordered");
    assert_int_equal(run.bytes, mlen + ilen + glen);
    run_free(&run);

    /* The same archive from memory, sniffed and forced. */
    zbytes = slurp(path, &zlen);
    read_mem(zbytes, zlen, "upload.zip", LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.n, 7);
    assert_true(strncmp(run.m[0]->id, "upload.zip:Export/messages.csv:", 31) == 0);
    run_free(&run);
    read_mem(zbytes, zlen, "blob", LW_FORMAT_LINKEDIN_ZIP, NULL, &run);
    assert_int_equal(run.n, 7);
    run_free(&run);

    /* A damaged copy: the central directory is gone. */
    assert_int_equal(
        lw_reader_open_mem(zbytes, zlen / 2, "half.zip", LW_FORMAT_LINKEDIN_ZIP, NULL, &r, &d),
        LW_EPARSE);
    assert_string_equal(d.source, "half.zip");
    free(zbytes);

    /* No messages in the archive: a clear error at open. */
    snprintf(none, sizeof(none), "%s/other.zip", dir);
    za = zip_open(none, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(za);
    add_entry(za, "Connections.csv", connections, sizeof(connections) - 1);
    assert_int_equal(zip_close(za), 0);
    assert_int_equal(lw_reader_open(none, LW_FORMAT_AUTO, NULL, &r, &d), LW_EPARSE);
    assert_string_equal(d.source, none);
    assert_string_equal(d.msg, "no messages.csv or Invitations.csv in the archive");

    free(msgs);
    free(inv);
    free(guide);
    rm_rf(dir);
    free(dir);
}

/* ---- folders --------------------------------------------------------------------------- */

static void test_dir_mixed(void **state)
{
    static const char jl[] = "{\"text\":\"one\"}\n{\"text\":\"two\"}\n";
    static const char bin[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
    static const char eml[] = "From: a@example.org\nSubject: s\nMessage-ID: <sub@x>\n\nsub body\n";
    static const char md[] =
        "From: b@example.org\nSubject: m\nMessage-ID: <md@x>\n\nmaildir body\n";
    char *dir = tmpdir(), sub[4200];
    struct run run;

    (void)state;
    write_file(dir, "a.jsonl", jl, sizeof(jl) - 1);
    write_file(dir, "b.png", bin, sizeof(bin) - 1);
    write_file(dir, ".hidden.txt", "hidden", 6);
    write_file(dir, "Connections.csv", "First Name,Last Name\nA,B\n", 25);
    write_file(dir, "broken.zip", "PK\x03\x04garbage", 11);
    write_file(dir, "empty.txt", "", 0);
    write_file(dir, "z.txt", "last file", 9);
    snprintf(sub, sizeof(sub), "%s/sub", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file(sub, "c.eml", eml, sizeof(eml) - 1);
    snprintf(sub, sizeof(sub), "%s/sub/mail", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(sub, sizeof(sub), "%s/sub/mail/new", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    write_file(sub, "1.host", md, sizeof(md) - 1);

    read_path(dir, LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.fmt, LW_FORMAT_DIR);
    assert_int_equal(run.n, 5);
    assert_string_equal(run.m[0]->text, "one");
    assert_string_equal(run.m[1]->text, "two");
    assert_string_equal(run.m[2]->id, "sub@x");
    assert_string_equal(run.m[3]->id, "md@x");
    assert_string_equal(run.m[4]->text, "last file");
    /* broken.zip is reported by name and the walk goes on. */
    assert_int_equal(run.nerr, 1);
    assert_int_equal(run.err[0], LW_EPARSE);
    assert_true(ends_with(run.diag[0].source, "broken.zip"));
    run_free(&run);
    rm_rf(dir);
    free(dir);
}

static void test_dir_10000(void **state)
{
    char *dir = tmpdir(), name[64], text[64], want[4200];
    struct lw_limits lim;
    struct run run;
    int i, n;

    (void)state;
    for (i = 0; i < 10000; i++) {
        snprintf(name, sizeof(name), "m%05d.txt", i);
        n = snprintf(text, sizeof(text), "message number %d", i);
        write_file(dir, name, text, (size_t)n);
    }
    read_path(dir, LW_FORMAT_AUTO, NULL, &run);
    assert_int_equal(run.n, 10000);
    assert_int_equal(run.nerr, 0);
    snprintf(want, sizeof(want), "%s/m00000.txt:1", dir);
    assert_string_equal(run.m[0]->id, want);
    assert_string_equal(run.m[63]->text, "message number 63");
    run_free(&run);

    /* max_files caps the walk, with one LW_ELIMIT at the end. */
    lw_limits_default(&lim);
    lim.max_files = 100;
    read_path(dir, LW_FORMAT_DIR, &lim, &run);
    assert_int_equal(run.n, 100);
    assert_int_equal(run.nerr, 1);
    assert_int_equal(run.err[0], LW_ELIMIT);
    run_free(&run);
    rm_rf(dir);
    free(dir);
}

/* ---- empty inputs and memory ---------------------------------------------------------- */

/* lw_msg_set_text against a reference: valid UTF-8 copied, each bad byte
 * U+FFFD (and BAD_UTF8), cut at max bytes before a character that would
 * not fit (and TRUNCATED), on random mixes of long ASCII runs and other
 * bytes. */
static void test_set_text_reference(void **state)
{
    static const char *const bits[] = {"abcdefghijklmnopqrstuvwxyz0123456789",
                                       "x",
                                       "hello world ",
                                       "\xc3\xa9",
                                       "\xe4\xb8\xad",
                                       "\xf0\x9f\x98\x80",
                                       "\xff",
                                       "\xc3",
                                       "\xe4\xb8",
                                       "\x80"};
    uint64_t rng = 0x853C49E6748FEA9Bull;
    char in[800], want[2400];

    (void)state;
    for (int round = 0; round < 3000; round++) {
        struct lw_msg *m = lw_msg_new();
        size_t n = 0, o = 0, i = 0, max;
        unsigned defects = 0;

        for (;;) {
            const char *b;
            rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
            /* One round in three is ASCII only (the copy's own path). */
            b = bits[rng % (round % 3 ? LW_ARRAY_LEN(bits) : 3)];
            if ((rng >> 32) % 24 == 0 || n + strlen(b) > sizeof(in))
                break;
            memcpy(in + n, b, strlen(b));
            n += strlen(b);
        }
        max = (size_t)(rng >> 40) % (3 * n + 2);
        while (i < n) {
            unsigned char c = (unsigned char)in[i];
            size_t k = c < 0x80                              ? 1
                       : c == 0xc3 || c == 0xe4 || c == 0xf0 ? (c == 0xc3   ? 2
                                                                : c == 0xe4 ? 3
                                                                            : 4)
                                                             : 0;
            size_t j;

            for (j = 1; k && j < k; j++)
                if (i + j >= n || ((unsigned char)in[i + j] & 0xC0) != 0x80)
                    k = 0;
            if (k && o + k > max) {
                defects |= LW_DEFECT_TRUNCATED;
                break;
            }
            if (!k && o + 3 > max) {
                defects |= LW_DEFECT_TRUNCATED;
                break;
            }
            if (k) {
                memcpy(want + o, in + i, k);
                o += k;
                i += k;
            } else {
                memcpy(want + o, "\xEF\xBF\xBD", 3);
                o += 3;
                i++;
                defects |= LW_DEFECT_BAD_UTF8;
            }
        }
        assert_int_equal(lw_msg_set_text(m, in, n, max), LW_OK);
        assert_int_equal(m->text_len, o);
        assert_memory_equal(m->text, want, o);
        assert_int_equal(m->text[o], '\0');
        assert_int_equal(m->defects, defects);
        lw_msg_free(m);

        /* In place, from bytes in the arena with a NUL after them: the same
         * text, and ASCII within max is not copied. */
        m = lw_msg_new();
        {
            char *own = lw_arena_strndup(m->arena, in, n);
            bool ascii = true;
            assert_non_null(own);
            for (i = 0; i < n; i++)
                ascii &= (unsigned char)in[i] < 0x80;
            assert_int_equal(lw_msg_set_text_in_place(m, own, n, max), LW_OK);
            assert_int_equal(m->text_len, o);
            assert_memory_equal(m->text, want, o);
            assert_int_equal(m->text[o], '\0');
            assert_int_equal(m->defects, defects);
            assert_int_equal(m->text == own, ascii && n <= max);
        }
        lw_msg_free(m);
    }
}

static void test_empty(void **state)
{
    static const enum lw_format fmts[] = {
        LW_FORMAT_AUTO,
        LW_FORMAT_TEXT,
        LW_FORMAT_JSONL,
        LW_FORMAT_EML,
        LW_FORMAT_MBOX,
        LW_FORMAT_LINKEDIN_MESSAGES,
        LW_FORMAT_LINKEDIN_INVITATIONS,
    };
    struct lw_reader *r = NULL;
    struct run run;
    size_t i;

    (void)state;
    for (i = 0; i < LW_ARRAY_LEN(fmts); i++) {
        read_mem("", 0, "empty", fmts[i], NULL, &run);
        assert_int_equal(run.n, 0);
        assert_int_equal(run.nerr, 0);
        run_free(&run);
        read_path(data("empty.txt"), fmts[i], NULL, &run);
        assert_int_equal(run.n, 0);
        assert_int_equal(run.nerr, 0);
        run_free(&run);
    }
    assert_int_equal(lw_reader_open_mem("", 0, "empty.zip", LW_FORMAT_LINKEDIN_ZIP, NULL, &r, NULL),
                     LW_EPARSE);
}

static void test_mem_mail(void **state)
{
    size_t len;
    char *buf = slurp(data("three.mbox"), &len);
    struct run run;

    (void)state;
    read_mem(buf, len, "box", LW_FORMAT_MBOX, NULL, &run);
    assert_int_equal(run.n, 3);
    assert_string_equal(run.m[2]->id, "box:3");
    run_free(&run);
    /* Not an mbox: one error, then the end. */
    read_mem("hello\n", 6, "nombox", LW_FORMAT_MBOX, NULL, &run);
    assert_int_equal(run.n, 0);
    assert_int_equal(run.nerr, 1);
    assert_int_equal(run.err[0], LW_EPARSE);
    run_free(&run);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats_and_limits),
        cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_jsonl),
        cmocka_unit_test(test_jsonl_implied_thread),
        cmocka_unit_test(test_jsonl_long_line_small_limit),
        cmocka_unit_test(test_jsonl_invalid_utf8),
        cmocka_unit_test(test_jsonl_50mb_line),
        cmocka_unit_test(test_eml),
        cmocka_unit_test(test_eml_broken),
        cmocka_unit_test(test_mbox),
        cmocka_unit_test(test_mbox_stdin),
        cmocka_unit_test(test_mail_header_caps),
        cmocka_unit_test(test_maildir),
        cmocka_unit_test(test_csv_messages),
        cmocka_unit_test(test_csv_variants),
        cmocka_unit_test(test_csv_bad),
        cmocka_unit_test(test_zip),
        cmocka_unit_test(test_dir_mixed),
        cmocka_unit_test(test_dir_10000),
        cmocka_unit_test(test_set_text_reference),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_mem_mail),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
