/* fuzz_reader.h -- the shared body of the reader fuzz targets
 * (fuzz_jsonl.c, fuzz_mail.c, ...): open the input in memory with one fixed
 * format and small limits (so the caps are reached), drain lw_reader_next
 * and free every message. Besides memory errors it aborts when the reader
 * breaks its contract: a message's text is valid UTF-8, NUL-terminated and
 * within max_text; ids and sources are set; every error but LW_EPARSE and
 * LW_ELIMIT ends the source; and a reader over n bytes cannot give more
 * than n + 1 results without reading new input (no endless loops). */
#ifndef LW_FUZZ_READER_H
#define LW_FUZZ_READER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static int fuzz_utf8_ok(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned char c = s[i];
        size_t k = c < 0x80                 ? 1
                   : c >= 0xC2 && c <= 0xDF ? 2
                   : c >= 0xE0 && c <= 0xEF ? 3
                   : c >= 0xF0 && c <= 0xF4 ? 4
                                            : 0;
        size_t j;
        if (!k || i + k > n)
            return 0;
        for (j = 1; j < k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return 0;
        if ((c == 0xE0 && s[i + 1] < 0xA0) || (c == 0xED && s[i + 1] >= 0xA0) ||
            (c == 0xF0 && s[i + 1] < 0x90) || (c == 0xF4 && s[i + 1] >= 0x90))
            return 0;
        i += k;
    }
    return 1;
}

static void fuzz_check_str(const char *s)
{
    if (s)
        FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)s, strlen(s)));
}

static void fuzz_check_msg(const struct lw_msg *m, const struct lw_limits *lim)
{
    size_t i;

    FUZZ_CHECK(m->id && m->id[0]);
    FUZZ_CHECK(m->source && m->source[0]);
    FUZZ_CHECK(m->text && m->text[m->text_len] == '\0');
    FUZZ_CHECK(m->text_len <= lim->max_text);
    FUZZ_CHECK(fuzz_utf8_ok((const unsigned char *)m->text, m->text_len));
    FUZZ_CHECK((m->n_to == 0) == (m->to == NULL));
    for (i = 0; i < m->n_to; i++) {
        FUZZ_CHECK(m->to[i]);
        fuzz_check_str(m->to[i]);
    }
    fuzz_check_str(m->from.name);
    fuzz_check_str(m->from.address);
    fuzz_check_str(m->from.profile);
    fuzz_check_str(m->subject);
    fuzz_check_str(m->date);
    fuzz_check_str(m->thread);
}

/* max_results: how many messages and errors the input may give at most. */
static int fuzz_reader_run(const unsigned char *data, size_t size, enum lw_format fmt,
                           size_t max_results)
{
    struct lw_limits lim;
    struct lw_reader *r = NULL;
    struct lw_diag diag;
    size_t results = 0;
    char line[600];
    int rc;

    lw_limits_default(&lim);
    lim.max_text = 1024;
    lim.max_record = 4096;
    lim.max_mime_depth = 6;
    lim.max_mime_parts = 24;
    lim.max_csv_columns = 24;
    lim.max_files = 32;
    rc = lw_reader_open_mem(data, size, "fuzz", fmt, &lim, &r, &diag);
    if (rc < 0) {
        FUZZ_CHECK(r == NULL);
        lw_diag_format(&diag, line, sizeof(line));
        return 0;
    }
    FUZZ_CHECK(lw_reader_format(r) == fmt);
    for (;;) {
        struct lw_msg *m = NULL;
        rc = lw_reader_next(r, &m, &diag);
        if (rc == 0) {
            FUZZ_CHECK(m == NULL);
            break;
        }
        FUZZ_CHECK(++results <= max_results);
        if (rc < 0) {
            FUZZ_CHECK(m == NULL);
            FUZZ_CHECK(diag.msg[0] != '\0');
            lw_diag_format(&diag, line, sizeof(line));
            if (rc != LW_EPARSE && rc != LW_ELIMIT) {
                FUZZ_CHECK(rc == LW_ENOMEM || rc == LW_EIO);
                break;
            }
            continue;
        }
        FUZZ_CHECK(rc == 1 && m != NULL);
        fuzz_check_msg(m, &lim);
        lw_msg_free(m);
    }
    FUZZ_CHECK(lw_reader_next(r, &(struct lw_msg *){NULL}, NULL) == 0);
    (void)lw_reader_bytes(r);
    lw_reader_free(r);
    return 0;
}

#endif
