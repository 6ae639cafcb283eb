/* reader.h -- turn a source (file, folder, stdin, or bytes in memory) into
 * a stream of struct lw_msg, one at a time, whatever the format.
 *
 * Formats: plain text (the whole input is one message), JSONL (DESIGN §4,
 * one object a line), .eml, mbox, Maildir, a folder of files (each sniffed
 * on its own), LinkedIn messages.csv / Invitations.csv (columns mapped by
 * header name), and the LinkedIn export ZIP read directly.
 *
 * Error contract: lw_reader_next returns 1 and a message, 0 at the end, or
 * a negative code. LW_EPARSE and LW_ELIMIT mean "this record is bad and was
 * skipped": diag names the file and line or record, and the caller reports
 * it and calls lw_reader_next again, so one bad message never hides the
 * rest. Any other negative code (LW_EIO, LW_ENOMEM) ends the source.
 * The reader owns nothing it returns: each message is the caller's, to free
 * with lw_msg_free. */
#ifndef LW_READER_H
#define LW_READER_H

#include "base/err.h"
#include "ingest/msg.h"

enum lw_format {
    LW_FORMAT_AUTO = 0, /* sniff */
    LW_FORMAT_TEXT,
    LW_FORMAT_JSONL,
    LW_FORMAT_EML,
    LW_FORMAT_MBOX,
    LW_FORMAT_MAILDIR,
    LW_FORMAT_DIR, /* a folder of files, each sniffed */
    LW_FORMAT_LINKEDIN_MESSAGES,
    LW_FORMAT_LINKEDIN_INVITATIONS,
    LW_FORMAT_LINKEDIN_ZIP,
};

/* Caps on what untrusted input can make us hold. */
struct lw_limits {
    size_t max_text;   /* bytes of text kept per message (longer: cut + defect) */
    size_t max_record; /* bytes of one raw record (JSONL line, e-mail, CSV row) */
    unsigned max_mime_depth;
    unsigned max_mime_parts;
    unsigned max_csv_columns;
    unsigned long max_files; /* files read from one folder or ZIP */
};

/* The defaults: 1 MiB text, 16 MiB record, depth 16, 256 parts, 256 columns,
 * 1,000,000 files. */
void lw_limits_default(struct lw_limits *lim);

/* "text", "jsonl", "eml", "mbox", "maildir", "dir", "linkedin-messages",
 * "linkedin-invitations", "linkedin-zip"; LW_EINVAL for anything else. */
LW_NODISCARD int lw_format_parse(const char *name, enum lw_format *out);
const char *lw_format_name(enum lw_format f);

struct lw_reader;

/* Open a path ("-" is stdin). With LW_FORMAT_AUTO the format is sniffed
 * from the path (folder, Maildir, .zip, .csv header, .eml/.mbox) and the
 * first bytes. */
LW_NODISCARD int lw_reader_open(const char *path, enum lw_format fmt, const struct lw_limits *lim,
                                struct lw_reader **out, struct lw_diag *diag);

/* Read from bytes in memory (used by the fuzz targets and the HTTP API).
 * `name` is used in diagnostics and ids. The bytes are borrowed and must
 * outlive the reader. LW_FORMAT_DIR and LW_FORMAT_MAILDIR are not
 * supported here. */
LW_NODISCARD int lw_reader_open_mem(const void *buf, size_t len, const char *name,
                                    enum lw_format fmt, const struct lw_limits *lim,
                                    struct lw_reader **out, struct lw_diag *diag);

/* Next message: 1 with *out set, 0 at the end, negative on error (see the
 * contract above). */
LW_NODISCARD int lw_reader_next(struct lw_reader *r, struct lw_msg **out, struct lw_diag *diag);

/* Leave the parsing of e-mail (.eml files, Maildir and folders of them) to
 * lw_msg_complete: the reader then only reads each message's bytes, so
 * that the expensive MIME parsing can run in the screening threads rather
 * than in the one thread that reads. Call before the first lw_reader_next. */
void lw_reader_defer_parsing(struct lw_reader *r);

/* Start the mail library now (GMime, and the charset converters held open
 * for good) rather than at the first mail read, which waits for it: a
 * caller with a thread to spare at start-up calls this there. Thread-safe;
 * later calls do nothing. */
void lw_reader_prepare_mail(void);

/* Finish a message whose parsing was deferred (m->raw set): headers, body,
 * defects, as lw_reader_next would have. A no-op for any other message.
 * Thread-safe: each call parses on its own. LW_EPARSE (diag names the
 * message's source) when the bytes are not an e-mail message; LW_ELIMIT
 * when its headers pass the caps GMime's memory needs (see read_mail.c). */
LW_NODISCARD int lw_msg_complete(struct lw_msg *m, const struct lw_limits *lim,
                                 struct lw_diag *diag);

/* The format in use (after sniffing) and the bytes read so far. */
enum lw_format lw_reader_format(const struct lw_reader *r);
uint64_t lw_reader_bytes(const struct lw_reader *r);

void lw_reader_free(struct lw_reader *r);

#endif
