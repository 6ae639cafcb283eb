/* verdict.h -- what lurewatch says about one message (DESIGN §4): a level,
 * a 0-100 score, the furthest stage, the tactics flagged with the evidence
 * that shows them, watchlist indicators and advice.
 *
 * A struct lw_verdict is plain caller storage with fixed-size arrays, so a
 * worker fills one per message without allocating. Evidence offsets are
 * byte offsets into the message's original text. Encoding it (JSON or
 * text) needs the message and the ruleset it was made with. */
#ifndef LW_VERDICT_H
#define LW_VERDICT_H

#include "base/buf.h"
#include "detect/rules.h"
#include "ingest/msg.h"

enum lw_level { LW_LEVEL_NONE = 0, LW_LEVEL_LOW, LW_LEVEL_MEDIUM, LW_LEVEL_HIGH };
const char *lw_level_name(enum lw_level l);
LW_NODISCARD int lw_level_parse(const char *s, enum lw_level *out);

#define LW_MAX_FLAGS          32
#define LW_MAX_EVIDENCE       3
#define LW_MAX_INDICATORS     8
#define LW_MAX_MODEL_EVIDENCE 3

struct lw_span {
    size_t start, end; /* original bytes [start, end) of msg->text */
};

struct lw_flag {
    unsigned tactic; /* index into the ruleset's tactics */
    int weight;      /* the strongest pattern that fired */
    unsigned hits;   /* how many matches in all */
    unsigned n_evidence;
    struct lw_span evidence[LW_MAX_EVIDENCE];
};

/* A watchlist match, copied out of the watchlist so the verdict stands alone. */
struct lw_verdict_indicator {
    char type[16];    /* persona, org, domain, ... */
    char value[128];  /* the watchlist entry */
    char source[128]; /* who published it */
    char date[16];
    char field[16];   /* from.name, from.address, from.profile, text */
    char strength[8]; /* weak, medium, strong */
    char why[256];
    int points;          /* what it added to the score */
    struct lw_span span; /* in the text, when field is "text" */
};

struct lw_verdict {
    enum lw_level level;
    int score; /* 0-100 */
    enum lw_stage stage;
    unsigned n_flags;
    struct lw_flag flags[LW_MAX_FLAGS]; /* tactics only, in taxonomy order */
    unsigned n_indicators;
    struct lw_verdict_indicator indicators[LW_MAX_INDICATORS];
    int watch_points; /* what the indicators added, capped */
    /* The learned classifier (detect/model.h), when one was used. */
    bool model_used;
    double model_p;   /* its probability that this is an approach */
    int model_points; /* what it added to the score */
    unsigned n_model_evidence;
    struct lw_span model_evidence[LW_MAX_MODEL_EVIDENCE]; /* the words that weighed most */
    /* Signal counts and how they shaped the score (for explanations). */
    unsigned you, report, they, warn, job;
    unsigned n_groups;
    const char *reading; /* one phrase: "addressed to you", "reads as a report", ... */
    /* Conversation context: set when earlier messages of the same thread
     * were screened in this run (see lw_thread in engine.h). */
    unsigned thread_messages;   /* earlier messages seen in the thread */
    enum lw_level thread_level; /* the conversation's level, this message included */
    char thread_codes[96];      /* tactic codes seen earlier, "A1 A2 E3" */
    unsigned defects;
};

enum lw_lang { LW_LANG_EN = 0, LW_LANG_ZH };

/* Append the verdict as one JSON object (no newline) to out. */
LW_NODISCARD int lw_verdict_json(const struct lw_verdict *v, const struct lw_msg *m,
                                 const struct lw_ruleset *rs, enum lw_lang lang,
                                 struct lw_buf *out);

enum lw_text_flags {
    LW_TEXT_COLOR = 1 << 0, /* highlight evidence with ANSI colours */
};
/* Append a human-readable report of the verdict to out. */
LW_NODISCARD int lw_verdict_text(const struct lw_verdict *v, const struct lw_msg *m,
                                 const struct lw_ruleset *rs, enum lw_lang lang, unsigned flags,
                                 struct lw_buf *out);

#endif
