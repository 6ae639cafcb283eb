/* mail-paths.c -- do the two ways of parsing e-mail agree? Each file is
 * read once by the reader itself (GMime's full parser, every header) and
 * once deferred (lw_msg_complete: the light path for single parts, the
 * filtered full parser otherwise), and the fields screening uses are
 * compared. Prints the differing files and a count; exit 1 if any field
 * other than the defect bits differs. Usage: mail-paths FILE... */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"

static int same(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

static struct lw_msg *read_one(const char *path, const struct lw_limits *lim, int defer)
{
    struct lw_reader *r = NULL;
    struct lw_msg *m = NULL;
    struct lw_diag d;

    if (lw_reader_open(path, LW_FORMAT_EML, lim, &r, &d) < 0)
        return NULL;
    if (defer)
        lw_reader_defer_parsing(r);
    if (lw_reader_next(r, &m, &d) != 1 || (defer && lw_msg_complete(m, lim, &d) < 0)) {
        lw_msg_free(m);
        m = NULL;
    }
    lw_reader_free(r);
    return m;
}

/* The first field that differs, or NULL. */
static const char *differs(const struct lw_msg *a, const struct lw_msg *b)
{
    if (!same(a->id, b->id))
        return "id";
    if (!same(a->subject, b->subject))
        return "subject";
    if (!same(a->from.name, b->from.name) || !same(a->from.address, b->from.address))
        return "from";
    if (!same(a->date, b->date))
        return "date";
    if (!same(a->thread, b->thread))
        return "thread";
    if (!same(a->lang, b->lang))
        return "lang";
    if (a->n_to != b->n_to)
        return "to";
    if (a->text_is_html != b->text_is_html || a->text_len != b->text_len ||
        memcmp(a->text, b->text, a->text_len) != 0)
        return "text";
    return NULL;
}

int main(int argc, char **argv)
{
    struct lw_limits lim;
    unsigned long n = 0, fields = 0, defects = 0, failed = 0;
    int i;

    lw_limits_default(&lim);
    for (i = 1; i < argc; i++) {
        struct lw_msg *a = read_one(argv[i], &lim, 0), *b = read_one(argv[i], &lim, 1);
        const char *what;
        n++;
        if (!a || !b) {
            if (!a != !b) {
                failed++;
                printf("%s: only one path read it\n", argv[i]);
            }
        } else if ((what = differs(a, b)) != NULL) {
            fields++;
            printf("%s: %s differs\n", argv[i], what);
        } else if (a->defects != b->defects) {
            defects++; /* defects of header fields the deferred paths do not read */
        }
        lw_msg_free(a);
        lw_msg_free(b);
    }
    printf("%lu messages: %lu differ in a field, %lu read by one path only, %lu differ only in "
           "defect bits\n",
           n, fields, failed, defects);
    return fields || failed ? 1 : 0;
}
