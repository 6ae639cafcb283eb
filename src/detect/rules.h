/* rules.h -- rule packs: the tactic taxonomy and the patterns that show it,
 * read from documented data files (docs/rules.md) and compiled into
 * Vectorscan databases.
 *
 * A struct lw_ruleset is immutable once loaded and shared read-only by all
 * worker threads; every string it hands out lives as long as the ruleset.
 * The per-thread state (Vectorscan scratch) is a struct lw_scanner, owned by
 * one worker. */
#ifndef LW_RULES_H
#define LW_RULES_H

#include "base/err.h"

/* Recruitment stages, in order (DESIGN §4). */
enum lw_stage {
    LW_STAGE_NONE = 0,
    LW_STAGE_CONTACT,
    LW_STAGE_PITCH,
    LW_STAGE_CULTIVATE,
    LW_STAGE_ELICIT,
    LW_STAGE_TASK,
    LW_STAGE_RECRUIT_OTHERS,
};
const char *lw_stage_name(enum lw_stage s);
/* LW_EINVAL for an unknown name. */
LW_NODISCARD int lw_stage_parse(const char *name, enum lw_stage *out);

/* A tactic (P1..P5, A1..A6, E1..E6, R1..R5) or a signal: a cue that is not
 * a tactic but changes how tactics are read (e.g. "you": the text speaks to
 * the reader; "report": it narrates what others did). */
struct lw_tactic {
    const char *code; /* "A2", or a signal name such as "report" */
    bool is_signal;
    const char *name;    /* English */
    const char *name_zh; /* Chinese, may be NULL */
    const char *group;   /* combination group (tactics): offer, access, channel, ... */
    enum lw_stage stage; /* LW_STAGE_NONE for signals */
    int weight;          /* default weight of its patterns */
    const char *advice;  /* plain-language advice, English */
    const char *advice_zh;
    const char *file; /* where it was defined */
    unsigned long line;
};

struct lw_pattern {
    unsigned tactic;   /* index into the ruleset's tactics */
    int weight;        /* the tactic's weight unless the pattern overrides it */
    const char *regex; /* as written, without the slashes */
    const char *file;
    unsigned long line;
    unsigned long col; /* column of the opening slash */
    unsigned gate;     /* 0, or 1 + the index of its file's gate */
};

/* A rule file's gate (docs/rules.md): the file's patterns are tried only on
 * text in which the gate's regex matches, so that a language's patterns cost
 * nothing on text in other languages. */
struct lw_gate {
    const char *regex;
    const char *file;
    unsigned long line;
    unsigned long col; /* column of the opening slash */
};

struct lw_ruleset;

/* Load every *.rules file of a folder (in name order), or one file, and
 * compile the patterns. The first error is returned with
 * file:line:column in diag. */
LW_NODISCARD int lw_ruleset_load(const char *path, struct lw_ruleset **out, struct lw_diag *diag);

/* lw_ruleset_load, keeping the compiled database in cache_dir (NULL or ""
 * for none; the folder is created if missing). The cache key hashes the
 * Vectorscan version, the flags and every pattern, so a changed rule is
 * always compiled afresh; a missing or corrupt cache file only costs the
 * compile. */
LW_NODISCARD int lw_ruleset_load_cached(const char *path, const char *cache_dir,
                                        struct lw_ruleset **out, struct lw_diag *diag);

/* Parse rule text from memory (fuzz target, tests). `name` is the file name
 * used in diagnostics. Compiles unless `compile` is false. */
LW_NODISCARD int lw_ruleset_load_mem(const char *text, size_t len, const char *name, bool compile,
                                     struct lw_ruleset **out, struct lw_diag *diag);

void lw_ruleset_free(struct lw_ruleset *rs);

size_t lw_ruleset_n_tactics(const struct lw_ruleset *rs);
const struct lw_tactic *lw_ruleset_tactic(const struct lw_ruleset *rs, size_t i);
size_t lw_ruleset_n_patterns(const struct lw_ruleset *rs);
const struct lw_pattern *lw_ruleset_pattern(const struct lw_ruleset *rs, size_t i);
size_t lw_ruleset_n_gates(const struct lw_ruleset *rs);
const struct lw_gate *lw_ruleset_gate(const struct lw_ruleset *rs, size_t i);
/* Index of a tactic or signal by code, or -1. */
int lw_ruleset_find(const struct lw_ruleset *rs, const char *code);

/* Check files without stopping at the first error: every problem found
 * (syntax, unknown code, a pattern Vectorscan rejects, a pattern that can
 * never match case-folded text) is passed to fn with file:line:column.
 * Returns the number of problems, or a negative code if a file could not
 * be read at all. */
typedef void lw_rules_problem_fn(void *ctx, const struct lw_diag *problem);
int lw_rules_check(const char *path, lw_rules_problem_fn *fn, void *ctx);

/* What lw_rules_check_paths read (duplicates and blocks with problems in
 * their header line are not counted). */
struct lw_rules_stats {
    unsigned long files, tactics, signals, patterns, gates;
};
/* lw_rules_check over several files or folders checked as one rule set (a
 * match may name a tactic from any of them); fills *stats if not NULL.
 * An unreadable path is reported to fn like any problem, the rest is still
 * checked, and the return value is then negative. */
int lw_rules_check_paths(const char *const *paths, size_t n, lw_rules_problem_fn *fn, void *ctx,
                         struct lw_rules_stats *stats);

/* Per-thread scanning state. */
struct lw_scanner;
LW_NODISCARD int lw_scanner_new(const struct lw_ruleset *rs, struct lw_scanner **out,
                                struct lw_diag *diag);
void lw_scanner_free(struct lw_scanner *sc);

/* Called for each match: pattern index and the byte span [start, end) in
 * the scanned text. A signal's matches (only their number and place are
 * used) come with start == end: their starts are not tracked. Return non-zero to stop the scan.
 * Matches of one pattern are reported leftmost-start, at most once per end offset. */
typedef int lw_hit_fn(void *ctx, unsigned pattern, size_t start, size_t end);

/* Normalised text (valid UTF-8, as lw_norm makes it: Vectorscan's results
 * on invalid UTF-8 are undefined) is scanned in two steps. First the gates
 * say which gated files' patterns the text is to be tried with. Most text holds
 * no evidence at all, and the probe says so at the lowest cost: it looks
 * for tactic patterns only, without tracking where matches start, and
 * keeps where each match ends. The scan then reports every signal match,
 * and every tactic match with its span, in the order of their ends: PCRE2
 * finds where each starts, from the end the probe kept; a scan of another
 * text than the one last probed runs the probe itself first. The engine
 * runs it when the probe found something or the watchlist did. One scanner
 * scans one text at a time. Both return LW_OK (also when fn stopped the
 * scan), LW_ELIMIT for text over 4 GiB, LW_ENOMEM, or LW_EBACKEND. */
LW_NODISCARD int lw_scanner_probe(struct lw_scanner *sc, const char *text, size_t len, bool *hit);
LW_NODISCARD int lw_scanner_scan(struct lw_scanner *sc, const char *text, size_t len, lw_hit_fn *fn,
                                 void *ctx);

#endif
