/* fuzz_mail_deferred.c -- libFuzzer target: an .eml read with deferred
 * parsing (lw_reader_defer_parsing), then completed with lw_msg_complete,
 * as the screening threads do: the header filter, the cap pre-scan and
 * GMime on arbitrary bytes. */
#include <stdlib.h>
#include <string.h>

#include "ingest/reader.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct lw_limits lim;
    struct lw_reader *r = NULL;
    struct lw_msg *m = NULL;
    struct lw_diag d;
    int rc;

    lw_limits_default(&lim);
    lim.max_text = 1 << 16;
    if (lw_reader_open_mem(data, size, "fuzz.eml", LW_FORMAT_EML, &lim, &r, &d) < 0)
        return 0;
    lw_reader_defer_parsing(r);
    while ((rc = lw_reader_next(r, &m, &d)) == 1) {
        rc = lw_msg_complete(m, &lim, &d);
        if (rc == LW_OK && (m->raw || (m->text && strlen(m->text) > m->text_len)))
            abort(); /* completed messages have text and no raw bytes left */
        lw_msg_free(m);
        m = NULL;
    }
    lw_reader_free(r);
    return 0;
}
