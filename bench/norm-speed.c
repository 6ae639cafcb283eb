/* norm-speed.c -- throughput of lw_norm on mostly-ASCII English mail.
 * Usage: norm-speed [FILE ...]  (bench/norm-speed.sh builds and runs it)
 * Without files it uses a built-in business e-mail (ASCII with the odd
 * curly quote, dash and accented name, like real mail). The corpus is
 * repeated to 32 MiB and normalised in 64 KiB messages, in text mode and
 * wrapped as HTML, with offset maps and without (LW_NORM_LAZY_MAPS, as
 * `lurewatch scan` runs for text it finds nothing in); prints MB/s (10^6
 * bytes per second) for each. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "text/norm.h"

static const char sample[] =
    "Dear Dr. Miller,\r\n\r\n"
    "I hope this message finds you well. My name is Li Wei and I work as a senior consultant "
    "at Zhongguo Strategic Insights, a boutique advisory firm based in Shanghai. We advise "
    "clients in Asia on policy developments in Europe and North America.\r\n\r\n"
    "I came across your profile and was impressed by your experience in the defence sector. "
    "We are currently looking for experts who could write short reports (3\xE2\x80\x93"
    "5 pages) on topics of mutual interest \xE2\x80\x94 for example, the outlook for the "
    "regulation of dual-use exports. The work is part-time and won\xE2\x80\x99t take much of "
    "your time; we pay USD 2,000 per report, plus travel to meet our client in person.\r\n\r\n"
    "If you are interested, I\xE2\x80\x99"
    "d be happy to discuss the details over WeChat or "
    "WhatsApp, which is more convenient for me than e-mail. Please also let me know if any "
    "of your colleagues might be interested \xE2\x80\x9C"
    "an opportunity like this\xE2\x80\x9D "
    "is rare.\r\n\r\nBest regards,\r\nLi Wei\r\nSenior Consultant | Jos\xC3\xA9 Garc\xC3\xAD"
    "a & Partners\r\n\r\n";

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *fill(const char *p, size_t n, size_t total, bool html)
{
    char *buf = malloc(total);
    size_t o = 0;

    if (!buf)
        return NULL;
    while (o < total) {
        size_t k;
        if (html && total - o > 8) {
            memcpy(buf + o, "<p>", 3);
            o += 3;
        }
        k = LW_MIN(n, total - o);
        memcpy(buf + o, p, k);
        o += k;
        if (html && total - o > 4) {
            memcpy(buf + o, "</p>", 4);
            o += 4;
        }
    }
    return buf;
}

static int run(const char *what, const char *buf, size_t total, unsigned flags)
{
    const size_t msg = 64 * 1024;
    struct lw_normtext nt;
    double best = 0;
    size_t out = 0;

    lw_normtext_init(&nt);
    for (int rep = 0; rep < 5; rep++) {
        double t0 = now(), dt;
        out = 0;
        for (size_t o = 0; o < total; o += msg) {
            size_t n = LW_MIN(msg, total - o);
            if (lw_norm(buf + o, n, flags, &nt, NULL) < 0) {
                fprintf(stderr, "norm-speed: lw_norm failed\n");
                lw_normtext_release(&nt);
                return -1;
            }
            out += nt.len;
        }
        dt = now() - t0;
        if ((double)total / dt > best)
            best = (double)total / dt;
    }
    printf("%-13s %8.1f MB/s  (%zu bytes in, %zu out, best of 5)\n", what, best / 1e6, total, out);
    lw_normtext_release(&nt);
    return 0;
}

int main(int argc, char **argv)
{
    const size_t total = 32u << 20;
    char *corpus = NULL, *text = NULL, *html = NULL;
    size_t n = 0;
    double t0;
    int rc = 1;

    for (int a = 1; a < argc; a++) {
        FILE *f = fopen(argv[a], "rb");
        char chunk[65536];
        size_t k;
        if (!f) {
            fprintf(stderr, "norm-speed: cannot open '%s'\n", argv[a]);
            goto out;
        }
        while ((k = fread(chunk, 1, sizeof(chunk), f)) > 0) {
            char *p = realloc(corpus, n + k);
            if (!p) {
                fclose(f);
                goto out;
            }
            corpus = p;
            memcpy(corpus + n, chunk, k);
            n += k;
        }
        fclose(f);
    }
    t0 = now();
    if (lw_norm_global_init(NULL) < 0)
        goto out;
    printf("init          %8.1f ms  (ICU objects, once per process)\n", (now() - t0) * 1e3);
    text = fill(n ? corpus : sample, n ? n : sizeof(sample) - 1, total, false);
    html = fill(n ? corpus : sample, n ? n : sizeof(sample) - 1, total, true);
    if (!text || !html)
        goto out;
    if (run("text", text, total, 0) < 0 || run("html", html, total, LW_NORM_HTML) < 0 ||
        run("text, no maps", text, total, LW_NORM_LAZY_MAPS) < 0 ||
        run("html, no maps", html, total, LW_NORM_HTML | LW_NORM_LAZY_MAPS) < 0)
        goto out;
    rc = 0;
out:
    free(corpus);
    free(text);
    free(html);
    lw_norm_global_free();
    return rc;
}
