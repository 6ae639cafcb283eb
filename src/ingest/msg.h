/* msg.h -- the one message model every reader produces (DESIGN §4).
 * A struct lw_msg and every string reachable from it live in the message's
 * own arena and die with lw_msg_free(). Strings are NUL-terminated UTF-8;
 * `text` also has an explicit length and may hold NUL bytes. Optional
 * fields are NULL when absent. Evidence offsets in a verdict are byte
 * offsets into `text`. */
#ifndef LW_MSG_H
#define LW_MSG_H

#include "base/arena.h"
#include "base/common.h"

enum lw_channel {
    LW_CHANNEL_OTHER = 0,
    LW_CHANNEL_LINKEDIN,
    LW_CHANNEL_EMAIL,
    LW_CHANNEL_CHAT,
    LW_CHANNEL_SMS,
    LW_CHANNEL_AD,
};

/* Defects: malformed input found while reading. They never stop a message;
 * they are reported in the verdict, and --strict turns them into errors. */
enum lw_defect {
    LW_DEFECT_BAD_UTF8 = 1 << 0,   /* invalid UTF-8 replaced by U+FFFD */
    LW_DEFECT_TRUNCATED = 1 << 1,  /* text cut at limits.max_text */
    LW_DEFECT_BAD_MIME = 1 << 2,   /* broken MIME structure or encoding */
    LW_DEFECT_BAD_HEADER = 1 << 3, /* unparsable header or date */
    LW_DEFECT_NO_TEXT = 1 << 4,    /* no text part found */
    LW_DEFECT_BAD_CSV = 1 << 5,    /* CSV row repaired (e.g. unclosed quote at end) */
};

struct lw_person {
    const char *name;
    const char *address; /* e-mail address or handle */
    const char *profile; /* profile URL */
};

struct lw_msg {
    struct lw_arena *arena; /* owns the message and all it points to */

    const char *id; /* never NULL: the input's id, or "<source>:<n>" */
    enum lw_channel channel;
    struct lw_person from;
    const char **to; /* n_to names or addresses */
    size_t n_to;
    const char *date; /* as given (ISO 8601 when the reader can make it) */
    const char *subject;
    const char *thread; /* conversation id */
    /* thread was not given but implied: an excerpt quoted from a published
     * report, read with the report's other excerpts on its channel (see
     * read_jsonl.c and lw_thread_ctx_apply). */
    bool thread_implied;
    /* Sent by the reader, not to them: a LinkedIn message in the SENT
     * folder, an OUTGOING invitation, JSONL "direction": "outgoing". */
    bool outgoing;
    const char *lang;  /* BCP 47 tag when given */
    const char *label; /* eval only: approach, benign, reporting, scam */

    const char *text; /* the body as text; verdict offsets index it */
    size_t text_len;
    bool text_is_html; /* text is HTML; the normaliser strips the markup */

    unsigned defects; /* enum lw_defect bits */

    /* A message whose parsing was deferred (lw_reader_defer_parsing): the
     * raw bytes of one RFC 5322 message, followed by a NUL, in the arena,
     * turned into the fields above by lw_msg_complete in whichever thread
     * screens it. NULL once complete (the bytes stay: text may be in them). */
    const char *raw;
    size_t raw_len;

    /* Where the message came from, for diagnostics and progress. */
    const char *source; /* file name, or "-" */
    unsigned long line; /* 1-based line or record number; 0 if none */
    size_t seq;         /* 0-based position in the input, set by the caller */
};

/* A new, empty message with its own arena; NULL when out of memory. */
struct lw_msg *lw_msg_new(void);
void lw_msg_free(struct lw_msg *m);

/* Copy text into the message's arena, replacing invalid UTF-8 with U+FFFD
 * (and setting LW_DEFECT_BAD_UTF8) and cutting at max bytes (setting
 * LW_DEFECT_TRUNCATED) on a character boundary. */
LW_NODISCARD int lw_msg_set_text(struct lw_msg *m, const char *p, size_t n, size_t max);
/* The same for bytes that live as long as m (in its arena) and are
 * followed by a NUL, such as the end of m->raw: ASCII text within max is
 * used where it is, without a copy. */
LW_NODISCARD int lw_msg_set_text_in_place(struct lw_msg *m, const char *p, size_t n, size_t max);
/* Copy a header-like field (name, subject, ...) into the arena, repaired the
 * same way and cut at 4 KiB; returns NULL when out of memory. */
const char *lw_msg_strdup(struct lw_msg *m, const char *p, size_t n);

enum lw_channel lw_channel_parse(const char *s);
const char *lw_channel_name(enum lw_channel c);
/* A direct channel carries messages to one reader (linkedin, email, chat,
 * sms), unlike an ad or anything else. */
bool lw_channel_direct(enum lw_channel c);
/* Whether a folder or direction value names the reader's own messages:
 * "SENT", "OUTGOING" or "outgoing" (case aside; NULL is false). */
bool lw_direction_outgoing(const char *s);

#endif
