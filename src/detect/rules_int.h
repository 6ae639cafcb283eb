/* rules_int.h -- what rules.c (the ruleset, compiling, scanning) and
 * rulefile.c (the rule file parser) share; not for other modules.
 *
 * While files are parsed, a pattern's tactic is not known yet: the parser
 * records the code it named in a struct lw_rules_ref beside each pattern,
 * and lw_ruleset_resolve turns the codes into indexes once every file has
 * been read. Every string lives in the ruleset's arena. */
#ifndef LW_RULES_INT_H
#define LW_RULES_INT_H

#include <hs/hs.h>
#include <pthread.h>

#include "base/arena.h"
#include "detect/rules.h"

/* Caps on what one rule set may hold (rule files are data, and the fuzz
 * target feeds us anything). */
#define LW_RULES_MAX_FILE_BYTES (16u << 20)
#define LW_RULES_MAX_FILES      4096u
#define LW_RULES_MAX_TACTICS    4096u
#define LW_RULES_MAX_PATTERNS   65536u
#define LW_RULES_MAX_CODE       64u

/* The code a pattern named, until resolved. */
struct lw_rules_ref {
    const char *code;
    unsigned long col; /* column of the code on the match line */
    bool has_weight;   /* the pattern overrides the tactic's weight */
};

/* The Vectorscan databases built from the patterns (see rules.c). Patterns
 * of files with a gate go to the _GATED kinds, which are scanned only when a
 * gate matched. None tracks where a match starts: PCRE2 finds that, for
 * the few matches quoted (struct lw_span_re in rules.c). */
enum lw_db_kind {
    LW_DB_PROBE,       /* tactic patterns: is there evidence, and where does it end? */
    LW_DB_SIGNALS,     /* signal patterns: counted */
    LW_DB_GATES,       /* the gates, one match each at most */
    LW_DB_PROBE_GATED, /* the same two for the patterns of gated files */
    LW_DB_SIGNALS_GATED,
    LW_DB_KINDS
};

/* The gated databases are needed only by text that opens a gate. When a
 * cached file is there, each is loaded by the first message that needs it
 * instead of at start-up. */
struct lw_lazy_db {
    pthread_mutex_t lock;
    hs_database_t *db;
    bool done; /* tried: db is the database, or NULL when it could not be had */
    char file[4096];
};

struct lw_span_re;

struct lw_ruleset {
    struct lw_arena *arena;
    struct lw_tactic *tactics;
    size_t n_tactics, cap_tactics;
    struct lw_pattern *patterns;
    size_t n_patterns, cap_patterns;
    struct lw_rules_ref *refs; /* n_patterns entries; freed once resolved */
    unsigned *slots;           /* code -> tactic index + 1; 0 = empty */
    size_t n_slots;            /* power of two */
    unsigned long n_files;
    struct lw_gate *gates;
    size_t n_gates, cap_gates;
    hs_database_t *db[LW_DB_KINDS]; /* see rules.c; NULL when no pattern is of a kind */
    bool compiled;
    /* A database whose cached file is left for the first message that
     * needs it to load (see is_lazy and ruleset_db in rules.c); NULL when
     * db[kind] is already set. */
    struct lw_lazy_db *lazy[LW_DB_KINDS];
    /* Per pattern, what finds where its matches start (NULL for a rule set
     * loaded without compiling); each is compiled by the first scan that
     * quotes a match of it, under span_lock. */
    struct lw_span_re *span_re;
    pthread_mutex_t span_lock;
};

/* Where problems go. In load mode the first problem is kept in diag and
 * `stop` is set; in check mode every problem is counted and passed to fn
 * (which may be NULL). */
struct lw_rules_sink {
    bool check;
    lw_rules_problem_fn *fn;
    void *ctx;
    struct lw_diag *diag;
    unsigned long count;
    bool stop;
};

void lw_rules_problem(struct lw_rules_sink *s, const char *file, unsigned long line,
                      unsigned long col, const char *fmt, ...) LW_PRINTF(5, 6);

/* Append a tactic (its code must not be there yet) or a pattern with its
 * reference. LW_ENOMEM, or LW_ELIMIT past the caps above. */
LW_NODISCARD int lw_ruleset_add_tactic(struct lw_ruleset *rs, const struct lw_tactic *t);
LW_NODISCARD int lw_ruleset_add_pattern(struct lw_ruleset *rs, const struct lw_pattern *p,
                                        const struct lw_rules_ref *ref);
/* Append a gate; its number (1 + its index) is in *number. LW_ENOMEM, or
 * LW_ELIMIT past one per file. */
LW_NODISCARD int lw_ruleset_add_gate(struct lw_ruleset *rs, const struct lw_gate *g,
                                     unsigned *number);

/* Parse one rule file's text into rs, reporting problems to sink; stops at
 * the first one in load mode. `name` must live in rs's arena. Returns LW_OK
 * (problems are counted in the sink), LW_ENOMEM or LW_ELIMIT. */
LW_NODISCARD int lw_rulefile_parse(struct lw_ruleset *rs, const char *text, size_t len,
                                   const char *name, struct lw_rules_sink *sink);

/* Check one pattern for text that normalised input never contains (upper
 * case, fullwidth forms, typographic quotes, tabs, double spaces); reports
 * at most one problem. col is the column of the opening slash. */
void lw_rulefile_lint_pattern(struct lw_rules_sink *sink, const char *file, unsigned long line,
                              unsigned long col, const char *re, size_t len);

#endif
