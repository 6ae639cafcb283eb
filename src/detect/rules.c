/* rules.c -- the ruleset: reading rule files and folders, resolving the
 * codes patterns name, compiling the patterns into Vectorscan block
 * databases (and, for quoting, into PCRE2), checking rule files for every
 * problem, and the per-thread scanner. The parser itself is rulefile.c. */
#define _DEFAULT_SOURCE /* MAP_POPULATE */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <xxhash.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "base/buf.h"
#include "detect/rules_int.h"

/* Two databases are built from the patterns (enum lw_db_kind; see
 * lw_scanner_probe and lw_scanner_scan):
 * - the probe: the tactic patterns. Every text takes it: is there any
 *   evidence at all, and where does each match end?
 * - the signals, counted over the whole of a text with evidence.
 * The patterns of files with a gate (docs/rules.md) make two more of the
 * same kinds, scanned only when a gate matched the text, and the gates
 * themselves a third, which every text takes before the probe. One
 * database for all gated files keeps the scan count down; a match of a
 * file whose gate stayed shut is dropped (gated_off).
 *
 * No database tracks where a match starts. Vectorscan can (start of match,
 * HS_FLAG_SOM_LEFTMOST), but for these patterns, with their bounded gaps
 * between words, that makes a database of 9 MB that takes seconds to
 * compile and tens of milliseconds to load, for the few hundred matches a
 * mailbox holds. PCRE2 finds the start of each of those instead, from the
 * end Vectorscan gave (span_start), as rspamd confirms Vectorscan's
 * matches with PCRE. Both read the patterns alike: PCRE's syntax, ASCII
 * \w \s \b, UTF-8 characters; a pattern either library rejects is a rule
 * error. */
#define HS_PATTERN_FLAGS HS_FLAG_UTF8

/* The flags pattern i is compiled with into a database of kind k; 0 when
 * it is left out. */
static unsigned pattern_flags(const struct lw_ruleset *rs, size_t i, enum lw_db_kind k)
{
    bool signal = rs->tactics[rs->patterns[i].tactic].is_signal;
    bool gated = rs->patterns[i].gate != 0;

    switch (k) {
    case LW_DB_PROBE:
    case LW_DB_PROBE_GATED:
        return signal || gated != (k == LW_DB_PROBE_GATED) ? 0 : HS_PATTERN_FLAGS;
    case LW_DB_SIGNALS:
    case LW_DB_SIGNALS_GATED:
        return !signal || gated != (k == LW_DB_SIGNALS_GATED) ? 0 : HS_PATTERN_FLAGS;
    case LW_DB_GATES: /* made from rs->gates, not from patterns */
    default:
        return 0;
    }
}

/* Gates only say whether they match at all. */
#define HS_GATE_FLAGS (HS_FLAG_UTF8 | HS_FLAG_SINGLEMATCH)

/* The databases loaded from the cache when first scanned rather than at
 * start-up: the gated ones, which only text that opens a gate needs. */
static bool is_lazy(enum lw_db_kind k)
{
    return k == LW_DB_PROBE_GATED || k == LW_DB_SIGNALS_GATED;
}

/* What finds where the matches of one tactic pattern start: the pattern as
 * PCRE2 compiles it, anchored at the end of the subject (the subject ends
 * where Vectorscan said a match does), and JIT-compiled. */
struct lw_span_re {
    pcre2_code *code; /* NULL when PCRE2 could not compile it */
    bool done;        /* tried: set with release, read with acquire */
};

#define SPAN_RE_OPTIONS (PCRE2_UTF | PCRE2_ENDANCHORED | PCRE2_NO_AUTO_CAPTURE)

static pcre2_code *span_re_compile(const char *regex, int *err, PCRE2_SIZE *off)
{
    return pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, SPAN_RE_OPTIONS, err, off, NULL);
}

static const char *const stage_names[] = {
    "none", "contact", "pitch", "cultivate", "elicit", "task", "recruit-others",
};

const char *lw_stage_name(enum lw_stage s)
{
    if ((unsigned)s >= LW_ARRAY_LEN(stage_names))
        return "none";
    return stage_names[s];
}

int lw_stage_parse(const char *name, enum lw_stage *out)
{
    size_t i;

    for (i = 1; name && i < LW_ARRAY_LEN(stage_names); i++) {
        if (!strcmp(name, stage_names[i])) {
            *out = (enum lw_stage)i;
            return LW_OK;
        }
    }
    return LW_EINVAL;
}

/* --- problems ---------------------------------------------------------- */

void lw_rules_problem(struct lw_rules_sink *s, const char *file, unsigned long line,
                      unsigned long col, const char *fmt, ...)
{
    struct lw_diag d;
    va_list ap;

    if (s->stop)
        return;
    lw_diag_clear(&d);
    lw_diag_at(&d, file ? file : "", line, col);
    va_start(ap, fmt);
    vsnprintf(d.msg, sizeof(d.msg), fmt, ap);
    va_end(ap);
    s->count++;
    if (s->check) {
        if (s->fn)
            s->fn(s->ctx, &d);
    } else {
        if (s->diag)
            *s->diag = d;
        s->stop = true;
    }
}

/* --- the ruleset ------------------------------------------------------- */

static uint32_t hash_code(const char *s)
{
    uint32_t h = 2166136261u;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h;
}

/* Vectorscan databases are a few megabytes, made once and read by every
 * thread. They are mapped with all their pages populated in one call:
 * faulting them in a page at a time costs about three times as much, a
 * good part of the start-up of a short run. The length of the mapping
 * sits in the first bytes, before the 64-byte-aligned database. */
#define DB_HEADER 64

static void *db_alloc(size_t n)
{
    size_t len = n + DB_HEADER;
    unsigned char *p;

    if (n > SIZE_MAX - DB_HEADER)
        return NULL;
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    memcpy(p, &len, sizeof(len));
    return p + DB_HEADER;
}

static void db_free(void *q)
{
    unsigned char *p;
    size_t len;

    if (!q)
        return;
    p = (unsigned char *)q - DB_HEADER;
    memcpy(&len, p, sizeof(len));
    munmap(p, len);
}

static pthread_once_t db_alloc_once = PTHREAD_ONCE_INIT;

/* Before any database exists: every one is then made and freed by the pair. */
static void db_alloc_set(void)
{
    (void)hs_set_database_allocator(db_alloc, db_free);
}

static struct lw_ruleset *ruleset_new(void)
{
    struct lw_ruleset *rs;

    pthread_once(&db_alloc_once, db_alloc_set);
    rs = calloc(1, sizeof(*rs));

    if (!rs)
        return NULL;
    rs->arena = lw_arena_new(16384);
    if (!rs->arena) {
        free(rs);
        return NULL;
    }
    pthread_mutex_init(&rs->span_lock, NULL);
    return rs;
}

void lw_ruleset_free(struct lw_ruleset *rs)
{
    if (!rs)
        return;
    for (int k = 0; k < LW_DB_KINDS; k++) {
        hs_free_database(rs->db[k]);
        if (rs->lazy[k]) {
            pthread_mutex_destroy(&rs->lazy[k]->lock);
            hs_free_database(rs->lazy[k]->db);
            free(rs->lazy[k]);
        }
    }
    for (size_t i = 0; rs->span_re && i < rs->n_patterns; i++)
        pcre2_code_free(rs->span_re[i].code);
    free(rs->span_re);
    pthread_mutex_destroy(&rs->span_lock);
    free(rs->tactics);
    free(rs->gates);
    free(rs->patterns);
    free(rs->refs);
    free(rs->slots);
    lw_arena_free(rs->arena);
    free(rs);
}

int lw_ruleset_find(const struct lw_ruleset *rs, const char *code)
{
    size_t mask, i;

    if (!rs || !code || !rs->n_slots)
        return -1;
    mask = rs->n_slots - 1;
    for (i = hash_code(code) & mask; rs->slots[i]; i = (i + 1) & mask)
        if (!strcmp(rs->tactics[rs->slots[i] - 1].code, code))
            return (int)(rs->slots[i] - 1);
    return -1;
}

static void slot_put(unsigned *slots, size_t n_slots, const char *code, unsigned v)
{
    size_t mask = n_slots - 1, i;

    for (i = hash_code(code) & mask; slots[i]; i = (i + 1) & mask)
        ;
    slots[i] = v;
}

int lw_ruleset_add_tactic(struct lw_ruleset *rs, const struct lw_tactic *t)
{
    size_t i;

    if (rs->n_tactics >= LW_RULES_MAX_TACTICS)
        return LW_ELIMIT;
    if (rs->n_tactics == rs->cap_tactics) {
        size_t cap = rs->cap_tactics ? rs->cap_tactics * 2 : 32;
        struct lw_tactic *p = realloc(rs->tactics, cap * sizeof(*p));
        if (!p)
            return LW_ENOMEM;
        rs->tactics = p;
        rs->cap_tactics = cap;
    }
    if ((rs->n_tactics + 1) * 2 > rs->n_slots) {
        size_t n = rs->n_slots ? rs->n_slots * 2 : 64;
        unsigned *slots = calloc(n, sizeof(*slots));
        if (!slots)
            return LW_ENOMEM;
        for (i = 0; i < rs->n_tactics; i++)
            slot_put(slots, n, rs->tactics[i].code, (unsigned)i + 1);
        free(rs->slots);
        rs->slots = slots;
        rs->n_slots = n;
    }
    rs->tactics[rs->n_tactics] = *t;
    slot_put(rs->slots, rs->n_slots, t->code, (unsigned)rs->n_tactics + 1);
    rs->n_tactics++;
    return LW_OK;
}

int lw_ruleset_add_pattern(struct lw_ruleset *rs, const struct lw_pattern *p,
                           const struct lw_rules_ref *ref)
{
    if (rs->n_patterns >= LW_RULES_MAX_PATTERNS)
        return LW_ELIMIT;
    if (rs->n_patterns == rs->cap_patterns) {
        size_t cap = rs->cap_patterns ? rs->cap_patterns * 2 : 64;
        struct lw_pattern *np = realloc(rs->patterns, cap * sizeof(*np));
        struct lw_rules_ref *nr;
        if (!np)
            return LW_ENOMEM;
        rs->patterns = np;
        nr = realloc(rs->refs, cap * sizeof(*nr));
        if (!nr)
            return LW_ENOMEM;
        rs->refs = nr;
        rs->cap_patterns = cap;
    }
    rs->patterns[rs->n_patterns] = *p;
    rs->refs[rs->n_patterns] = *ref;
    rs->n_patterns++;
    return LW_OK;
}

int lw_ruleset_add_gate(struct lw_ruleset *rs, const struct lw_gate *g, unsigned *number)
{
    if (rs->n_gates >= LW_RULES_MAX_FILES)
        return LW_ELIMIT;
    if (rs->n_gates == rs->cap_gates) {
        size_t cap = rs->cap_gates ? rs->cap_gates * 2 : 4;
        struct lw_gate *p = realloc(rs->gates, cap * sizeof(*p));
        if (!p)
            return LW_ENOMEM;
        rs->gates = p;
        rs->cap_gates = cap;
    }
    rs->gates[rs->n_gates++] = *g;
    *number = (unsigned)rs->n_gates;
    return LW_OK;
}

size_t lw_ruleset_n_gates(const struct lw_ruleset *rs)
{
    return rs ? rs->n_gates : 0;
}

const struct lw_gate *lw_ruleset_gate(const struct lw_ruleset *rs, size_t i)
{
    return rs && i < rs->n_gates ? &rs->gates[i] : NULL;
}

size_t lw_ruleset_n_tactics(const struct lw_ruleset *rs)
{
    return rs ? rs->n_tactics : 0;
}

const struct lw_tactic *lw_ruleset_tactic(const struct lw_ruleset *rs, size_t i)
{
    return rs && i < rs->n_tactics ? &rs->tactics[i] : NULL;
}

size_t lw_ruleset_n_patterns(const struct lw_ruleset *rs)
{
    return rs ? rs->n_patterns : 0;
}

const struct lw_pattern *lw_ruleset_pattern(const struct lw_ruleset *rs, size_t i)
{
    return rs && i < rs->n_patterns ? &rs->patterns[i] : NULL;
}

/* Give every pattern its tactic and weight; an unknown code is a problem. */
static void resolve(struct lw_ruleset *rs, struct lw_rules_sink *sink)
{
    size_t i;

    for (i = 0; i < rs->n_patterns && !sink->stop; i++) {
        struct lw_pattern *p = &rs->patterns[i];
        const struct lw_rules_ref *r = &rs->refs[i];
        int idx = lw_ruleset_find(rs, r->code);

        if (idx < 0) {
            lw_rules_problem(sink, p->file, p->line, r->col, "unknown tactic or signal '%s'",
                             r->code);
            continue;
        }
        p->tactic = (unsigned)idx;
        if (!r->has_weight)
            p->weight = rs->tactics[idx].weight;
    }
}

/* --- compiling --------------------------------------------------------- */

/* The column a Vectorscan error points at: it says "at index N" (a byte
 * offset in the expression) for most syntax errors. */
static unsigned long error_col(const struct lw_pattern *p, const char *msg)
{
    const char *at = NULL, *s;
    unsigned long n = 0;

    for (s = msg; (s = strstr(s, "index ")) != NULL; s++)
        at = s + 6;
    if (!at || *at < '0' || *at > '9')
        return p->col;
    while (*at >= '0' && *at <= '9' && n < 1000000)
        n = n * 10 + (unsigned long)(*at++ - '0');
    if (n >= strlen(p->regex))
        return p->col;
    return p->col + 1 + n;
}

/* Drop Vectorscan's full stop (our messages follow git's grammar) and its
 * advice to use compile flags we do not offer ("...; use HS_FLAG_..."). */
static int msg_len(const char *msg)
{
    const char *semi = strstr(msg, "; use HS_FLAG_");
    size_t n = semi ? (size_t)(semi - msg) : strlen(msg);

    if (n > 0 && msg[n - 1] == '.')
        n--;
    return (int)LW_MIN(n, 200);
}

static void report_hs_error(struct lw_rules_sink *sink, const struct lw_pattern *p,
                            const hs_compile_error_t *err)
{
    lw_rules_problem(sink, p->file, p->line, error_col(p, err->message),
                     "pattern rejected by Vectorscan: %.*s", msg_len(err->message), err->message);
}

/* Report every pattern PCRE2, which finds where matches start, rejects,
 * but those Vectorscan rejected already (skip[i], when skip is not NULL).
 * Returns LW_EPARSE when one was. */
static int check_span_res(const struct lw_ruleset *rs, struct lw_rules_sink *sink, const bool *skip)
{
    int rc = LW_OK;

    for (size_t i = 0; i < rs->n_patterns && !sink->stop; i++) {
        const struct lw_pattern *p = &rs->patterns[i];
        PCRE2_UCHAR msg[160];
        PCRE2_SIZE off = 0;
        int err = 0;
        pcre2_code *re;

        if (skip && skip[i])
            continue;
        re = span_re_compile(p->regex, &err, &off);
        if (re) {
            pcre2_code_free(re);
            continue;
        }
        if (err == PCRE2_ERROR_NOMEMORY)
            return LW_ENOMEM;
        (void)pcre2_get_error_message(err, msg, sizeof(msg));
        lw_rules_problem(sink, p->file, p->line,
                         off < strlen(p->regex) ? p->col + 1 + (unsigned long)off : p->col,
                         "pattern rejected by PCRE2 (which finds where matches start): %s",
                         (const char *)msg);
        rc = LW_EPARSE;
    }
    return rc;
}

/* A gate, for reporting, is a pattern like any other. */
static struct lw_pattern gate_pattern(const struct lw_gate *g)
{
    struct lw_pattern p;

    memset(&p, 0, sizeof(p));
    p.regex = g->regex;
    p.file = g->file;
    p.line = g->line;
    p.col = g->col;
    return p;
}

/* Compile the patterns of kind k (all with HS_PATTERN_FLAGS when k < 0)
 * into one block database. On a compile error the failing pattern's index
 * is put in *bad (for LW_DB_GATES the gate's; -1 if the error is not
 * about one) and the error is returned in *errp. A kind with no pattern
 * gives no database. */
static int compile_multi(const struct lw_ruleset *rs, int k, hs_database_t **db, int *bad,
                         hs_compile_error_t **errp)
{
    const char **exprs = NULL;
    unsigned *flags = NULL, *ids = NULL;
    size_t i, n = 0;
    hs_error_t hr;
    int rc = LW_ENOMEM;

    *db = NULL;
    *bad = -1;
    *errp = NULL;
    exprs = calloc(rs->n_patterns + rs->n_gates + 1, sizeof(*exprs));
    flags = calloc(rs->n_patterns + rs->n_gates + 1, sizeof(*flags));
    ids = calloc(rs->n_patterns + rs->n_gates + 1, sizeof(*ids));
    if (!exprs || !flags || !ids)
        goto out;
    if (k == LW_DB_GATES) {
        for (i = 0; i < rs->n_gates; i++) {
            exprs[n] = rs->gates[i].regex;
            flags[n] = HS_GATE_FLAGS;
            ids[n++] = (unsigned)i;
        }
    }
    for (i = 0; i < rs->n_patterns && k != LW_DB_GATES; i++) {
        unsigned f = k < 0 ? HS_PATTERN_FLAGS : pattern_flags(rs, i, (enum lw_db_kind)k);
        if (!f)
            continue;
        exprs[n] = rs->patterns[i].regex;
        flags[n] = f;
        ids[n++] = (unsigned)i;
    }
    rc = LW_OK;
    if (n == 0)
        goto out;
    hr = hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, NULL, db, errp);
    if (hr != HS_SUCCESS) {
        *db = NULL;
        if (*errp && (*errp)->expression >= 0 && (size_t)(*errp)->expression < n)
            *bad = (int)ids[(*errp)->expression];
        rc = hr == HS_NOMEM ? LW_ENOMEM : LW_EBACKEND;
    }
out:
    free(exprs);
    free(flags);
    free(ids);
    return rc;
}

/* Load mode: build rs->db; a rejected pattern is a problem at its place. */
static int compile_db(struct lw_ruleset *rs, struct lw_rules_sink *sink)
{
    static const enum lw_db_kind order[] = {
        LW_DB_GATES, LW_DB_PROBE, LW_DB_PROBE_GATED, LW_DB_SIGNALS, LW_DB_SIGNALS_GATED,
    };
    hs_compile_error_t *err = NULL;
    size_t i;
    int bad, rc;

    rs->compiled = true;
    for (i = 0, rc = LW_OK; i < LW_ARRAY_LEN(order) && rc == LW_OK; i++) {
        rc = compile_multi(rs, order[i], &rs->db[order[i]], &bad, &err);
        if (rc == LW_EBACKEND && order[i] == LW_DB_GATES && bad >= 0 && (size_t)bad < rs->n_gates) {
            struct lw_pattern g = gate_pattern(&rs->gates[bad]);
            report_hs_error(sink, &g, err);
            rc = LW_EPARSE;
        } else if (rc == LW_EBACKEND && bad >= 0 && (size_t)bad < rs->n_patterns) {
            report_hs_error(sink, &rs->patterns[bad], err);
            rc = LW_EPARSE;
        } else if (rc < 0 && sink->diag) {
            lw_diag_clear(sink->diag);
            lw_diag_set(sink->diag, "cannot compile the rule set: %s",
                        err ? err->message : lw_strerror(rc));
        }
        hs_free_compile_error(err);
        err = NULL;
    }
    return rc == LW_OK ? check_span_res(rs, sink, NULL) : rc;
}

/* Check mode: report every pattern Vectorscan rejects. The whole set is
 * compiled first; only when that fails is each pattern tried alone. */
static int check_compile(struct lw_ruleset *rs, struct lw_rules_sink *sink)
{
    hs_compile_error_t *err = NULL;
    hs_database_t *db = NULL;
    unsigned long before_hs;
    bool *rejected;
    size_t i;
    int bad, rc;

    /* Gates are few: each is compiled alone. */
    for (i = 0; i < rs->n_gates; i++) {
        hs_compile_error_t *e1 = NULL;
        hs_database_t *d1 = NULL;
        if (hs_compile(rs->gates[i].regex, HS_GATE_FLAGS, HS_MODE_BLOCK, NULL, &d1, &e1) !=
                HS_SUCCESS &&
            e1) {
            struct lw_pattern g = gate_pattern(&rs->gates[i]);
            report_hs_error(sink, &g, e1);
        }
        hs_free_database(d1);
        hs_free_compile_error(e1);
    }
    if (rs->n_patterns == 0)
        return LW_OK;
    if (!(rejected = calloc(rs->n_patterns, sizeof(*rejected))))
        return LW_ENOMEM;
    before_hs = sink->count;
    rc = compile_multi(rs, -1, &db, &bad, &err);
    hs_free_database(db);
    if (rc == LW_ENOMEM)
        goto out;
    for (i = 0; i < rs->n_patterns && rc != LW_OK; i++) {
        hs_compile_error_t *e1 = NULL;
        hs_database_t *d1 = NULL;
        hs_error_t hr =
            hs_compile(rs->patterns[i].regex, HS_PATTERN_FLAGS, HS_MODE_BLOCK, NULL, &d1, &e1);
        if (hr != HS_SUCCESS && e1) {
            report_hs_error(sink, &rs->patterns[i], e1);
            rejected[i] = true;
        }
        hs_free_database(d1);
        hs_free_compile_error(e1);
    }
    if (rc != LW_OK && sink->count == before_hs) /* only the set as a whole fails */
        lw_rules_problem(
            sink, bad >= 0 && (size_t)bad < rs->n_patterns ? rs->patterns[bad].file : "",
            bad >= 0 && (size_t)bad < rs->n_patterns ? rs->patterns[bad].line : 0, 0,
            "cannot compile the rule set: %s", err ? err->message : "unknown Vectorscan error");
    rc = check_span_res(rs, sink, rejected) == LW_ENOMEM ? LW_ENOMEM : LW_OK;
out:
    free(rejected);
    hs_free_compile_error(err);
    return rc;
}

/* --- reading files ----------------------------------------------------- */

static int read_file(const char *path, struct lw_buf *b, struct lw_rules_sink *sink)
{
    FILE *f = fopen(path, "rb");
    int rc;

    lw_buf_reset(b);
    if (!f) {
        lw_rules_problem(sink, path, 0, 0, "cannot open rule file: %s", strerror(errno));
        return LW_EIO;
    }
    rc = lw_buf_read_stream(b, f);
    if (rc == LW_ELIMIT)
        lw_rules_problem(sink, path, 0, 0, "rule file is larger than %u MiB",
                         LW_RULES_MAX_FILE_BYTES >> 20);
    else if (rc == LW_EIO)
        lw_rules_problem(sink, path, 0, 0, "cannot read rule file: %s", strerror(errno));
    fclose(f);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool is_rules_name(const char *name)
{
    size_t n = strlen(name);

    return name[0] != '.' && n > 6 && !strcmp(name + n - 6, ".rules");
}

/* The *.rules files of a folder, sorted, as arena paths in *files. */
static int list_folder(struct lw_ruleset *rs, const char *dir, const char ***files, size_t *n,
                       struct lw_rules_sink *sink)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    const char **v = NULL;
    size_t cap = 0, k = 0, dl = strlen(dir);
    int rc = LW_OK;

    *files = NULL;
    *n = 0;
    if (!d) {
        lw_rules_problem(sink, dir, 0, 0, "cannot open rules folder: %s", strerror(errno));
        return LW_EIO;
    }
    while ((e = readdir(d)) != NULL) {
        if (!is_rules_name(e->d_name))
            continue;
        if (k >= LW_RULES_MAX_FILES) {
            lw_rules_problem(sink, dir, 0, 0, "more than %u rule files", LW_RULES_MAX_FILES);
            rc = LW_ELIMIT;
            goto out;
        }
        if (k == cap) {
            const char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*nv));
            if (!nv) {
                rc = LW_ENOMEM;
                goto out;
            }
            v = nv;
        }
        v[k] = lw_arena_printf(rs->arena, "%.*s/%s",
                               (int)(dl > 1 && dir[dl - 1] == '/' ? dl - 1 : dl), dir, e->d_name);
        if (!v[k]) {
            rc = LW_ENOMEM;
            goto out;
        }
        k++;
    }
    if (k == 0) {
        lw_rules_problem(sink, dir, 0, 0, "no *.rules files in this folder");
        rc = LW_ENOTFOUND;
        goto out;
    }
    qsort(v, k, sizeof(*v), cmp_names);
out:
    closedir(d);
    if (rc == LW_OK) {
        *files = v;
        *n = k;
    } else {
        free(v);
    }
    return rc;
}

static int parse_file(struct lw_ruleset *rs, const char *path, struct lw_buf *b,
                      struct lw_rules_sink *sink)
{
    int rc = read_file(path, b, sink);

    if (rc < 0)
        return rc;
    rs->n_files++;
    return lw_rulefile_parse(rs, lw_buf_str(b), b->len, path, sink);
}

/* Read every path (file or folder) into rs. In load mode the first failure
 * stops; in check mode an unreadable file is reported and remembered, and
 * the rest is still read. */
static int read_paths(struct lw_ruleset *rs, const char *const *paths, size_t n_paths,
                      struct lw_rules_sink *sink)
{
    struct lw_buf b = LW_BUF_INIT(LW_RULES_MAX_FILE_BYTES);
    const char **files = NULL;
    size_t i, j, n = 0;
    int rc = LW_OK, first = LW_OK;

    for (i = 0; i < n_paths && !sink->stop; i++) {
        struct stat st;
        const char *path = lw_arena_strdup(rs->arena, paths[i]);

        if (!path) {
            rc = LW_ENOMEM;
            goto out;
        }
        if (stat(path, &st) != 0) {
            lw_rules_problem(sink, path, 0, 0, "cannot open rule file: %s", strerror(errno));
            rc = LW_EIO;
        } else if (S_ISDIR(st.st_mode)) {
            rc = list_folder(rs, path, &files, &n, sink);
            for (j = 0; rc == LW_OK && j < n && !sink->stop; j++) {
                int frc = parse_file(rs, files[j], &b, sink);
                if (frc == LW_ENOMEM || (frc < 0 && !sink->check))
                    rc = frc;
                else if (frc < 0)
                    first = first ? first : frc;
            }
            free(files);
            files = NULL;
        } else {
            rc = parse_file(rs, path, &b, sink);
        }
        if (rc == LW_ENOMEM || !sink->check)
            goto out;
        if (rc < 0) { /* check mode: carry on with the next path */
            first = first ? first : rc;
            rc = LW_OK;
        }
    }
out:
    lw_buf_release(&b);
    if (rc == LW_OK)
        rc = first;
    return rc;
}

/* Resolve and (optionally) compile a parsed ruleset in load mode. */
/* --- the compiled-database cache ------------------------------------------
 * Compiling ~150 patterns with start-of-match tracking takes about half a
 * second, far longer than screening a mailbox. Like rspamd's hs_helper, we
 * keep the serialised database in a cache folder under a key that hashes
 * the Vectorscan version, the CPU, the flags and every pattern, so any
 * change to the rules, the library or the machine compiles afresh. A missing, unreadable or corrupt
 * cache file is never an error: we compile and try to write it again. */

static uint64_t cache_key(const struct lw_ruleset *rs, enum lw_db_kind k)
{
    XXH3_state_t *st = XXH3_createState();
    char pcre_version[64] = "";
    hs_platform_info_t plat;
    uint64_t h = 0;
    size_t i;

    if (!st)
        return 0;
    XXH3_64bits_reset(st);
    XXH3_64bits_update(st, hs_version(), strlen(hs_version()) + 1);
    /* The patterns were found good for PCRE2 when the files were made:
     * another version checks them afresh. */
    if (pcre2_config(PCRE2_CONFIG_VERSION, pcre_version) > 0)
        XXH3_64bits_update(st, pcre_version, strlen(pcre_version) + 1);
    /* A database is tuned to the CPU it was compiled on (and Vectorscan
     * refuses one from a CPU with other features), so the CPU is in the key. */
    if (hs_populate_platform(&plat) == HS_SUCCESS) {
        XXH3_64bits_update(st, &plat.tune, sizeof(plat.tune));
        XXH3_64bits_update(st, &plat.cpu_features, sizeof(plat.cpu_features));
    }
    /* The kind is in the key: two kinds can hold the same patterns with
     * the same flags (a probe and its gated twin when all are gated). */
    XXH3_64bits_update(st, &k, sizeof(k));
    for (i = 0; i < rs->n_gates && k == LW_DB_GATES; i++)
        XXH3_64bits_update(st, rs->gates[i].regex, strlen(rs->gates[i].regex) + 1);
    for (i = 0; i < rs->n_patterns && k != LW_DB_GATES; i++) {
        unsigned flags = pattern_flags(rs, i, k);
        XXH3_64bits_update(st, &flags, sizeof(flags));
        XXH3_64bits_update(st, rs->patterns[i].regex, strlen(rs->patterns[i].regex) + 1);
    }
    h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

/* The file is mapped, not read: its pages come straight from the page
 * cache, and only the database Vectorscan builds from them is new memory. */
static bool cache_load(hs_database_t **db, const char *file)
{
    int fd = open(file, O_RDONLY | O_CLOEXEC);
    struct stat st;
    void *p = MAP_FAILED;
    bool ok = false;

    if (fd < 0)
        return false;
    if (fstat(fd, &st) == 0 && st.st_size > 0 && (uint64_t)st.st_size < ((uint64_t)256 << 20))
        p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return false;
    ok = hs_deserialize_database(p, (size_t)st.st_size, db) == HS_SUCCESS;
    if (!ok)
        *db = NULL;
    munmap(p, (size_t)st.st_size);
    return ok;
}

/* When a new database is saved, those of rule sets nobody has loaded for
 * CACHE_MAX_AGE are removed, and then the least recently loaded (loading
 * touches a file) until the cache holds CACHE_MAX_BYTES at most: the cache
 * does not grow with every edit of the rules. A rule set's databases are
 * about 4 MB. */
#define CACHE_MAX_AGE   (30L * 24 * 3600)
#define CACHE_MAX_BYTES ((long long)128 << 20)

struct cached {
    char name[256];
    time_t mtime;
    long long size;
};

static int by_mtime(const void *a, const void *b)
{
    time_t x = ((const struct cached *)a)->mtime, y = ((const struct cached *)b)->mtime;

    return x < y ? -1 : x > y;
}

static void cache_prune(const char *dir, const char *keep)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct cached *v = NULL;
    size_t n = 0, cap = 0, i;
    long long total = 0;
    time_t now = time(NULL);

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "rules-", 6) != 0 || len < 5 || len >= sizeof(v->name) ||
            strcmp(e->d_name + len - 5, ".hsdb") != 0)
            continue;
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
            stat(path, &st) != 0)
            continue;
        total += (long long)st.st_size;
        if (!strcmp(path, keep))
            continue;
        if (now - st.st_mtime > CACHE_MAX_AGE) {
            if (unlink(path) == 0)
                total -= (long long)st.st_size;
            continue;
        }
        if (n == cap) {
            struct cached *nv = realloc(v, (cap = cap ? cap * 2 : 32) * sizeof(*nv));
            if (!nv)
                break; /* the size cap waits for the next save */
            v = nv;
        }
        memcpy(v[n].name, e->d_name, len + 1);
        v[n].mtime = st.st_mtime;
        v[n++].size = (long long)st.st_size;
    }
    closedir(d);
    if (n > 1)
        qsort(v, n, sizeof(*v), by_mtime);
    for (i = 0; i < n && total > CACHE_MAX_BYTES; i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, v[i].name);
        if (unlink(path) == 0)
            total -= v[i].size;
    }
    free(v);
}

static void cache_save(const hs_database_t *db, const char *dir, const char *file)
{
    char tmp[4096];
    char *bytes = NULL;
    size_t len = 0;
    FILE *f;
    bool ok;

    if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
        return;
    (void)mkdir(dir, 0700);
    if (snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", file, (long)getpid()) >= (int)sizeof(tmp)) {
        free(bytes);
        return;
    }
    f = fopen(tmp, "wb");
    if (f) {
        ok = fwrite(bytes, 1, len, f) == len;
        ok = fclose(f) == 0 && ok;
        /* rename is atomic: a reader sees the old file or the whole new one. */
        if (!ok || rename(tmp, file) != 0)
            (void)remove(tmp);
    }
    free(bytes);
    cache_prune(dir, file);
}

static int compile_db_cached(struct lw_ruleset *rs, struct lw_rules_sink *sink,
                             const char *cache_dir)
{
    char file[LW_DB_KINDS][4096];
    bool used[LW_DB_KINDS];
    int k, rc;

    if (!cache_dir || !*cache_dir || rs->n_patterns == 0)
        return compile_db(rs, sink);
    for (k = 0; k < LW_DB_KINDS; k++) {
        size_t i;
        /* A kind with no pattern has no database, and no file. */
        used[k] = k == LW_DB_GATES && rs->n_gates > 0;
        for (i = 0; i < rs->n_patterns && !used[k]; i++)
            used[k] = pattern_flags(rs, i, (enum lw_db_kind)k) != 0;
        snprintf(file[k], sizeof(file[k]), "%s/rules-%016llx.hsdb", cache_dir,
                 (unsigned long long)cache_key(rs, (enum lw_db_kind)k));
    }
    for (k = 0; k < LW_DB_KINDS; k++) {
        if (!used[k])
            continue;
        if (is_lazy((enum lw_db_kind)k)) {
            if (access(file[k], R_OK) != 0)
                break;
        } else if (!cache_load(&rs->db[k], file[k])) {
            break;
        }
    }
    if (k == LW_DB_KINDS) {
        rs->compiled = true;
        for (k = 0; k < LW_DB_KINDS; k++) {
            struct lw_lazy_db *z;
            if (!used[k] || !is_lazy((enum lw_db_kind)k))
                continue;
            if (!(z = rs->lazy[k] = calloc(1, sizeof(*z))))
                return LW_ENOMEM;
            pthread_mutex_init(&z->lock, NULL);
            snprintf(z->file, sizeof(z->file), "%s", file[k]);
        }
        /* In use: keep them from being pruned. */
        for (k = 0; k < LW_DB_KINDS; k++)
            if (used[k])
                (void)utime(file[k], NULL);
        return LW_OK;
    }
    for (k = 0; k < LW_DB_KINDS; k++) {
        hs_free_database(rs->db[k]);
        rs->db[k] = NULL;
    }
    rc = compile_db(rs, sink);
    for (k = 0; rc == LW_OK && k < LW_DB_KINDS; k++)
        if (rs->db[k])
            cache_save(rs->db[k], cache_dir, file[k]);
    return rc;
}

/* The database of kind k: for the spans, the lazily loaded one (from its
 * cached file, or compiled if the file went away meanwhile). Thread-safe. */
static const hs_database_t *ruleset_db(const struct lw_ruleset *rs, enum lw_db_kind k)
{
    struct lw_lazy_db *z = rs->lazy[k];

    if (!z)
        return rs->db[k];
    if (__atomic_load_n(&z->done, __ATOMIC_ACQUIRE))
        return z->db;
    pthread_mutex_lock(&z->lock);
    if (!z->done) {
        if (!cache_load(&z->db, z->file)) {
            hs_compile_error_t *err = NULL;
            int bad;

            z->db = NULL;
            if (compile_multi(rs, k, &z->db, &bad, &err) != LW_OK)
                z->db = NULL;
            hs_free_compile_error(err);
        }
        __atomic_store_n(&z->done, true, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&z->lock);
    return z->db;
}

static int finish_load(struct lw_ruleset *rs, bool compile, const char *cache_dir,
                       struct lw_rules_sink *sink)
{
    resolve(rs, sink);
    free(rs->refs);
    rs->refs = NULL;
    if (sink->stop)
        return LW_EPARSE;
    if (!compile)
        return LW_OK;
    rs->span_re = calloc(rs->n_patterns ? rs->n_patterns : 1, sizeof(*rs->span_re));
    if (!rs->span_re)
        return LW_ENOMEM;
    return compile_db_cached(rs, sink, cache_dir);
}

int lw_ruleset_load(const char *path, struct lw_ruleset **out, struct lw_diag *diag)
{
    return lw_ruleset_load_cached(path, NULL, out, diag);
}

int lw_ruleset_load_cached(const char *path, const char *cache_dir, struct lw_ruleset **out,
                           struct lw_diag *diag)
{
    struct lw_rules_sink sink = {false, NULL, NULL, diag, 0, false};
    struct lw_ruleset *rs = ruleset_new();
    int rc;

    lw_diag_clear(diag);
    if (!rs)
        return LW_ENOMEM;
    rc = read_paths(rs, &path, 1, &sink);
    if (rc == LW_OK && sink.stop)
        rc = LW_EPARSE;
    if (rc == LW_OK)
        rc = finish_load(rs, true, cache_dir, &sink);
    if (rc == LW_OK)
        *out = rs;
    else
        lw_ruleset_free(rs);
    return rc;
}

int lw_ruleset_load_mem(const char *text, size_t len, const char *name, bool compile,
                        struct lw_ruleset **out, struct lw_diag *diag)
{
    struct lw_rules_sink sink = {false, NULL, NULL, diag, 0, false};
    struct lw_ruleset *rs = ruleset_new();
    const char *file;
    int rc;

    lw_diag_clear(diag);
    if (!rs)
        return LW_ENOMEM;
    file = lw_arena_strdup(rs->arena, name ? name : "-");
    rc = file ? LW_OK : LW_ENOMEM;
    if (rc == LW_OK && len > LW_RULES_MAX_FILE_BYTES) {
        lw_rules_problem(&sink, file, 0, 0, "rule file is larger than %u MiB",
                         LW_RULES_MAX_FILE_BYTES >> 20);
        rc = LW_ELIMIT;
    }
    if (rc == LW_OK) {
        rs->n_files = 1;
        rc = lw_rulefile_parse(rs, text, len, file, &sink);
    }
    if (rc == LW_OK && sink.stop)
        rc = LW_EPARSE;
    if (rc == LW_OK)
        rc = finish_load(rs, compile, NULL, &sink);
    if (rc == LW_OK)
        *out = rs;
    else
        lw_ruleset_free(rs);
    return rc;
}

/* --- checking ---------------------------------------------------------- */

int lw_rules_check_paths(const char *const *paths, size_t n, lw_rules_problem_fn *fn, void *ctx,
                         struct lw_rules_stats *stats)
{
    struct lw_rules_sink sink = {true, fn, ctx, NULL, 0, false};
    struct lw_ruleset *rs = ruleset_new();
    int rc, read_rc;
    size_t i;

    if (stats)
        memset(stats, 0, sizeof(*stats));
    if (!rs)
        return LW_ENOMEM;
    read_rc = read_paths(rs, paths, n, &sink);
    rc = read_rc == LW_ENOMEM ? LW_ENOMEM : LW_OK;
    if (rc == LW_OK) {
        resolve(rs, &sink);
        rc = check_compile(rs, &sink);
    }
    if (stats) {
        stats->files = rs->n_files;
        stats->patterns = rs->n_patterns;
        stats->gates = rs->n_gates;
        for (i = 0; i < rs->n_tactics; i++) {
            if (rs->tactics[i].is_signal)
                stats->signals++;
            else
                stats->tactics++;
        }
    }
    lw_ruleset_free(rs);
    if (rc < 0)
        return rc;
    if (read_rc < 0)
        return read_rc;
    return sink.count > INT_MAX ? INT_MAX : (int)sink.count;
}

int lw_rules_check(const char *path, lw_rules_problem_fn *fn, void *ctx)
{
    return lw_rules_check_paths(&path, 1, fn, ctx, NULL);
}

/* --- scanning ---------------------------------------------------------- */

/* The last end offset reported for a pattern in the current scan. */
struct seen {
    uint32_t gen;
    uint32_t end;
};

/* Where a tactic match ends, from the probe. */
struct end {
    uint32_t end;
    uint32_t id;
};

/* Tactic matches kept per text: far more than any score needs. Past this
 * many, a text's further matches are neither counted nor quoted. */
#define MAX_ENDS ((size_t)1 << 20)

struct lw_scanner {
    const struct lw_ruleset *rs;
    hs_scratch_t *scratch;          /* sized for every database (the lazy ones once loaded) */
    bool lazy_scratch[LW_DB_KINDS]; /* scratch is sized for that lazily loaded database */
    struct seen *seen;              /* one per pattern */
    bool *gate_on;                  /* per gate: it matched the text being scanned */
    bool any_gate;
    uint32_t gen;
    lw_hit_fn *fn;
    void *ctx;
    struct end *ends; /* the probe's matches in the text being scanned */
    size_t nends, capends;
    bool nomem; /* the ends could not grow */
    /* The text the last probe ran over: a scan of it reuses the ends. */
    const char *probed;
    size_t probed_len;
    bool stopped; /* fn asked to stop */
    /* PCRE2's state for finding where matches start, and the searches made
     * in the text being scanned. */
    unsigned searches, long_searches;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_jit_stack *jit_stack;
};

/* PCRE2's limits on one search for a start: the patterns are bounded and
 * the text before an end short, so a search that needs more than this is
 * a pathological text, and its match is quoted from where its line starts. */
#define SPAN_MATCH_LIMIT 100000u
#define SPAN_DEPTH_LIMIT 10000u
#define SPAN_JIT_STACK   (512u * 1024)
/* Searches for starts in one text, in a window and in all the text before
 * an end: far more than any message needs (the corpus's 6,046 messages
 * hold 587 matches in all, each found in its window). Past them a match is
 * quoted from where its line starts, so that a text made of matches costs
 * time in proportion to its length, not to its length times its matches. */
#define SPAN_SEARCHES      4096u
#define SPAN_LONG_SEARCHES 16u

int lw_scanner_new(const struct lw_ruleset *rs, struct lw_scanner **out, struct lw_diag *diag)
{
    struct lw_scanner *sc = NULL;
    int rc = LW_ENOMEM, k;

    if (!rs) {
        lw_diag_set(diag, "no rule set");
        return LW_EINVAL;
    }
    if (rs->n_patterns > 0 && !rs->compiled) {
        lw_diag_set(diag, "the rule set was loaded without compiling it");
        return LW_EINVAL;
    }
    sc = calloc(1, sizeof(*sc));
    if (!sc)
        goto out;
    sc->rs = rs;
    sc->seen = calloc(rs->n_patterns ? rs->n_patterns : 1, sizeof(*sc->seen));
    sc->gate_on = calloc(rs->n_gates ? rs->n_gates : 1, sizeof(*sc->gate_on));
    sc->md = pcre2_match_data_create(1, NULL);
    sc->mctx = pcre2_match_context_create(NULL);
    sc->jit_stack = pcre2_jit_stack_create(32 * 1024, SPAN_JIT_STACK, NULL);
    if (!sc->seen || !sc->gate_on || !sc->md || !sc->mctx || !sc->jit_stack)
        goto out;
    pcre2_jit_stack_assign(sc->mctx, NULL, sc->jit_stack);
    pcre2_set_match_limit(sc->mctx, SPAN_MATCH_LIMIT);
    pcre2_set_depth_limit(sc->mctx, SPAN_DEPTH_LIMIT);
    for (k = 0; k < LW_DB_KINDS; k++) {
        hs_error_t hr = rs->db[k] ? hs_alloc_scratch(rs->db[k], &sc->scratch) : HS_SUCCESS;
        if (hr != HS_SUCCESS) {
            lw_diag_set(diag, "cannot allocate Vectorscan scratch (error %d)", (int)hr);
            rc = hr == HS_NOMEM ? LW_ENOMEM : LW_EBACKEND;
            goto out;
        }
    }
    rc = LW_OK;
out:
    if (rc == LW_OK) {
        *out = sc;
    } else {
        lw_scanner_free(sc);
    }
    return rc;
}

void lw_scanner_free(struct lw_scanner *sc)
{
    if (!sc)
        return;
    hs_free_scratch(sc->scratch);
    pcre2_match_data_free(sc->md);
    pcre2_match_context_free(sc->mctx);
    pcre2_jit_stack_free(sc->jit_stack);
    free(sc->seen);
    free(sc->gate_on);
    free(sc->ends);
    free(sc);
}

/* A pattern of a gated file whose gate did not match the text. The gated
 * databases hold the patterns of every gated file, and are scanned when
 * any gate matched. */
static bool gated_off(const struct lw_scanner *sc, unsigned id)
{
    unsigned g = sc->rs->patterns[id].gate;

    return g && !sc->gate_on[g - 1];
}

/* Report a match to the scan's callback, once per pattern and end. */
static int report(struct lw_scanner *sc, unsigned id, size_t from, size_t to)
{
    struct seen *s = &sc->seen[id];

    if (s->gen == sc->gen && s->end == (uint32_t)to)
        return 0;
    s->gen = sc->gen;
    s->end = (uint32_t)to;
    if (sc->fn(sc->ctx, id, from, to)) {
        sc->stopped = true;
        return 1;
    }
    return 0;
}

static hs_error_t scan(struct lw_scanner *sc, enum lw_db_kind k, const char *text, size_t len,
                       match_event_handler fn, void *ctx)
{
    const hs_database_t *db = ruleset_db(sc->rs, k);

    if (!db) {
        /* Only a lazy database can be missing where patterns are:
         * it could neither be loaded nor compiled. */
        return sc->rs->lazy[k] ? HS_NOMEM : HS_SUCCESS;
    }
    if (sc->rs->lazy[k] && !sc->lazy_scratch[k]) {
        hs_error_t hr = hs_alloc_scratch(db, &sc->scratch);

        if (hr != HS_SUCCESS)
            return hr;
        sc->lazy_scratch[k] = true;
    }
    return hs_scan(db, text ? text : "", (unsigned)len, 0, sc->scratch, fn, ctx);
}

/* A probe match: where it ends, kept for the spans pass. */
static int on_end(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                  void *ctx)
{
    struct lw_scanner *sc = ctx;

    (void)from, (void)flags;
    if (id >= sc->rs->n_patterns || gated_off(sc, id) || sc->nends == MAX_ENDS)
        return 0;
    if (sc->nends == sc->capends) {
        size_t cap = sc->capends ? sc->capends * 2 : 64;
        struct end *v = realloc(sc->ends, cap * sizeof(*v));
        if (!v) {
            sc->nomem = true;
            return 1;
        }
        sc->ends = v;
        sc->capends = cap;
    }
    sc->ends[sc->nends++] = (struct end){(uint32_t)to, id};
    return 0;
}

static int on_gate(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                   void *ctx)
{
    struct lw_scanner *sc = ctx;

    (void)from, (void)to, (void)flags;
    if (id < sc->rs->n_gates)
        sc->gate_on[id] = sc->any_gate = true;
    return 0;
}

static hs_error_t gates(struct lw_scanner *sc, const char *text, size_t len)
{
    memset(sc->gate_on, 0, sc->rs->n_gates * sizeof(*sc->gate_on));
    sc->any_gate = false;
    return scan(sc, LW_DB_GATES, text, len, on_gate, sc);
}

/* The database of kind k, then its gated twin when a gate matched. */
static hs_error_t scan2(struct lw_scanner *sc, enum lw_db_kind k, enum lw_db_kind gated,
                        const char *text, size_t len, match_event_handler fn, void *ctx)
{
    hs_error_t hr = scan(sc, k, text, len, fn, ctx);

    if ((hr == HS_SUCCESS || hr == HS_SCAN_TERMINATED) && sc->any_gate && !sc->stopped)
        hr = scan(sc, gated, text, len, fn, ctx);
    return hr;
}

/* The probe: the gates, then the tactic patterns, keeping where each match
 * ends. LW_OK, LW_ENOMEM or LW_EBACKEND. */
static int probe(struct lw_scanner *sc, const char *text, size_t len)
{
    hs_error_t hr;

    sc->nends = 0;
    sc->nomem = false;
    hr = gates(sc, text, len);
    if (hr == HS_SUCCESS || hr == HS_SCAN_TERMINATED)
        hr = scan2(sc, LW_DB_PROBE, LW_DB_PROBE_GATED, text, len, on_end, sc);
    if (sc->nomem)
        return LW_ENOMEM;
    return hr == HS_SUCCESS || hr == HS_SCAN_TERMINATED ? LW_OK : LW_EBACKEND;
}

int lw_scanner_probe(struct lw_scanner *sc, const char *text, size_t len, bool *hit)
{
    int rc;

    *hit = false;
    sc->probed = NULL;
    if (len > UINT_MAX)
        return LW_ELIMIT;
    rc = probe(sc, text, len);
    if (rc < 0)
        return rc;
    *hit = sc->nends > 0;
    sc->probed = text ? text : "";
    sc->probed_len = len;
    return LW_OK;
}

/* Signals are counted; their starts are not tracked (an empty span). */
static int on_signal(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                     void *ctx)
{
    struct lw_scanner *sc = ctx;

    (void)from, (void)flags;
    if (id >= sc->rs->n_patterns || gated_off(sc, id))
        return 0;
    return report(sc, id, (size_t)to, (size_t)to);
}

static int end_cmp(const void *a, const void *b)
{
    const struct end *x = a, *y = b;

    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Pattern id as PCRE2 runs it for span_start, compiled (and JIT-compiled)
 * by the first scan that needs it; NULL if PCRE2 cannot have it. */
static const pcre2_code *span_re(const struct lw_ruleset *rs, unsigned id)
{
    struct lw_span_re *r = &rs->span_re[id];
    struct lw_ruleset *mut = (struct lw_ruleset *)rs; /* the lock, and the lazy code */

    if (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE))
        return r->code;
    pthread_mutex_lock(&mut->span_lock);
    if (!r->done) {
        PCRE2_SIZE off;
        int err;

        r->code = span_re_compile(rs->patterns[id].regex, &err, &off);
        /* Without the JIT (a machine it does not support), PCRE2 interprets. */
        if (r->code)
            (void)pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
        __atomic_store_n(&r->done, true, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&mut->span_lock);
    return r->code;
}

/* Bytes before a match end in which its start is looked for first: far
 * more than any phrase the rules describe. A match that starts further
 * back is looked for in all the text before its end (SPAN_LONG_SEARCHES
 * times a text at most). */
#define SPAN_WINDOW 256

/* Where the match of pattern id that ends at `end` starts: the leftmost
 * start of a match of it that ends there, as Vectorscan's start of match
 * would say. PCRE2 runs the pattern anchored at the end of a subject that
 * stops at `end`, from a little before it; the text before the window is
 * still there for \b and look-behind. Should PCRE2 not find it (a pattern
 * whose \b at its end reads the next character, a limit hit, or the text's
 * searches spent), the match is quoted from the start of its line in the
 * window. */
static size_t span_start(struct lw_scanner *sc, unsigned id, const char *text, size_t end)
{
    const pcre2_code *re = span_re(sc->rs, id);
    size_t ws = end > SPAN_WINDOW ? end - SPAN_WINDOW : 0, s;
    int rc = PCRE2_ERROR_NOMATCH;

    while (ws > 0 && ((unsigned char)text[ws] & 0xc0) == 0x80) /* a character's first byte */
        ws--;
    if (re && sc->searches < SPAN_SEARCHES) {
        sc->searches++;
        rc = pcre2_match(re, (PCRE2_SPTR)text, end, ws, 0, sc->md, sc->mctx);
        if (rc == PCRE2_ERROR_NOMATCH && ws > 0 && sc->long_searches < SPAN_LONG_SEARCHES) {
            sc->long_searches++;
            rc = pcre2_match(re, (PCRE2_SPTR)text, end, 0, 0, sc->md, sc->mctx);
        }
    }
    if (rc >= 0)
        return (size_t)pcre2_get_ovector_pointer(sc->md)[0];
    for (s = end; s > ws && text[s - 1] != '\n'; s--)
        ;
    return s;
}

/* Every tactic match the probe found, with its start, in the order of
 * their ends. */
static void spans(struct lw_scanner *sc, const char *text)
{
    size_t i;

    if (sc->nends > 1)
        qsort(sc->ends, sc->nends, sizeof(*sc->ends), end_cmp);
    sc->searches = sc->long_searches = 0;
    for (i = 0; i < sc->nends && !sc->stopped; i++) {
        const struct end *e = &sc->ends[i];
        (void)report(sc, e->id, span_start(sc, e->id, text, e->end), e->end);
    }
}

int lw_scanner_scan(struct lw_scanner *sc, const char *text, size_t len, lw_hit_fn *fn, void *ctx)
{
    hs_error_t hr;
    int rc = LW_OK;

    if (len > UINT_MAX)
        return LW_ELIMIT;
    if (++sc->gen == 0) {
        memset(sc->seen, 0, sc->rs->n_patterns * sizeof(*sc->seen));
        sc->gen = 1;
    }
    if (!text)
        text = "";
    sc->fn = fn;
    sc->ctx = ctx;
    sc->stopped = false;
    /* The probe (and with it the gates the signals need) runs first unless
     * it ran over this text already; it reports nothing to fn. */
    if (sc->probed != text || sc->probed_len != len)
        rc = probe(sc, text, len);
    sc->probed = NULL;
    if (rc < 0)
        return rc;
    hr = scan2(sc, LW_DB_SIGNALS, LW_DB_SIGNALS_GATED, text, len, on_signal, sc);
    if (hr != HS_SUCCESS && hr != HS_SCAN_TERMINATED)
        return LW_EBACKEND;
    if (!sc->stopped)
        spans(sc, text);
    return LW_OK;
}
