/* rules.c -- the ruleset: reading rule files and folders, resolving the
 * codes patterns name, compiling every pattern into one Vectorscan block
 * database, checking rule files for every problem, and the per-thread
 * scanner. The parser itself is rulefile.c. */
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

#include "base/buf.h"
#include "detect/rules_int.h"

/* Two databases are built from the patterns (see lw_scanner_scan):
 * - the probe: tactic patterns only, each reported once, without
 *   start-of-match tracking (what makes Vectorscan's scan and compile
 *   expensive). It answers "is there any evidence here at all?";
 * - the evidence database: tactic patterns with where each match starts,
 *   for quoting, and the signal patterns, which are only counted.
 * Check mode compiles every pattern with HS_PATTERN_FLAGS. */
#define HS_PATTERN_FLAGS (HS_FLAG_UTF8 | HS_FLAG_SOM_LEFTMOST)
enum db_kind { DB_PROBE, DB_EVIDENCE };

/* The flags pattern i is compiled with into a database of kind k; 0 when
 * it is left out. */
static unsigned pattern_flags(const struct lw_ruleset *rs, size_t i, enum db_kind k)
{
    bool signal = rs->tactics[rs->patterns[i].tactic].is_signal;

    if (k == DB_PROBE)
        return signal ? 0 : HS_FLAG_UTF8 | HS_FLAG_SINGLEMATCH;
    return signal ? HS_FLAG_UTF8 : HS_PATTERN_FLAGS;
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
    return rs;
}

void lw_ruleset_free(struct lw_ruleset *rs)
{
    if (!rs)
        return;
    hs_free_database(rs->db);
    hs_free_database(rs->db_fast);
    free(rs->tactics);
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

/* Compile the patterns of kind k (all with HS_PATTERN_FLAGS when k < 0)
 * into one block database. On a compile error the failing pattern's index
 * is put in *bad (-1 if the error is not about one pattern) and the error
 * is returned in *errp. A kind with no pattern gives no database. */
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
    exprs = calloc(rs->n_patterns, sizeof(*exprs));
    flags = calloc(rs->n_patterns, sizeof(*flags));
    ids = calloc(rs->n_patterns, sizeof(*ids));
    if (!exprs || !flags || !ids)
        goto out;
    for (i = 0; i < rs->n_patterns; i++) {
        unsigned f = k < 0 ? HS_PATTERN_FLAGS : pattern_flags(rs, i, (enum db_kind)k);
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
    hs_compile_error_t *err = NULL;
    int bad, rc;

    if (rs->n_patterns == 0)
        return LW_OK;
    rc = compile_multi(rs, DB_EVIDENCE, &rs->db, &bad, &err);
    if (rc == LW_EBACKEND && bad >= 0 && (size_t)bad < rs->n_patterns) {
        report_hs_error(sink, &rs->patterns[bad], err);
        rc = LW_EPARSE;
    } else if (rc < 0 && sink->diag) {
        lw_diag_clear(sink->diag);
        lw_diag_set(sink->diag, "cannot compile the rule set: %s",
                    err ? err->message : lw_strerror(rc));
    }
    hs_free_compile_error(err);
    err = NULL;
    if (rc == LW_OK) {
        rc = compile_multi(rs, DB_PROBE, &rs->db_fast, &bad, &err);
        if (rc < 0 && sink->diag) {
            lw_diag_clear(sink->diag);
            lw_diag_set(sink->diag, "cannot compile the rule set: %s",
                        err ? err->message : lw_strerror(rc));
        }
        hs_free_compile_error(err);
    }
    return rc;
}

/* Check mode: report every pattern Vectorscan rejects. The whole set is
 * compiled first; only when that fails is each pattern tried alone. */
static int check_compile(struct lw_ruleset *rs, struct lw_rules_sink *sink)
{
    hs_compile_error_t *err = NULL;
    hs_database_t *db = NULL;
    unsigned long before = sink->count;
    size_t i;
    int bad, rc;

    if (rs->n_patterns == 0)
        return LW_OK;
    rc = compile_multi(rs, -1, &db, &bad, &err);
    hs_free_database(db);
    if (rc == LW_ENOMEM || rc == LW_OK)
        goto out;
    for (i = 0; i < rs->n_patterns; i++) {
        hs_compile_error_t *e1 = NULL;
        hs_database_t *d1 = NULL;
        hs_error_t hr =
            hs_compile(rs->patterns[i].regex, HS_PATTERN_FLAGS, HS_MODE_BLOCK, NULL, &d1, &e1);
        if (hr != HS_SUCCESS && e1)
            report_hs_error(sink, &rs->patterns[i], e1);
        hs_free_database(d1);
        hs_free_compile_error(e1);
    }
    if (sink->count == before) /* only the set as a whole fails */
        lw_rules_problem(
            sink, bad >= 0 && (size_t)bad < rs->n_patterns ? rs->patterns[bad].file : "",
            bad >= 0 && (size_t)bad < rs->n_patterns ? rs->patterns[bad].line : 0, 0,
            "cannot compile the rule set: %s", err ? err->message : "unknown Vectorscan error");
    rc = LW_OK;
out:
    hs_free_compile_error(err);
    return rc;
}

/* --- reading files ----------------------------------------------------- */

static int read_file(const char *path, struct lw_buf *b, struct lw_rules_sink *sink)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;
    int rc = LW_OK;

    lw_buf_reset(b);
    if (!f) {
        lw_rules_problem(sink, path, 0, 0, "cannot open rule file: %s", strerror(errno));
        return LW_EIO;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        rc = lw_buf_append(b, chunk, n);
        if (rc == LW_ELIMIT) {
            lw_rules_problem(sink, path, 0, 0, "rule file is larger than %u MiB",
                             LW_RULES_MAX_FILE_BYTES >> 20);
            goto out;
        }
        if (rc < 0)
            goto out;
    }
    if (ferror(f)) {
        lw_rules_problem(sink, path, 0, 0, "cannot read rule file: %s", strerror(errno));
        rc = LW_EIO;
    }
out:
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

static uint64_t cache_key(const struct lw_ruleset *rs, enum db_kind k)
{
    XXH3_state_t *st = XXH3_createState();
    hs_platform_info_t plat;
    uint64_t h = 0;
    size_t i;

    if (!st)
        return 0;
    XXH3_64bits_reset(st);
    XXH3_64bits_update(st, hs_version(), strlen(hs_version()) + 1);
    /* A database is tuned to the CPU it was compiled on (and Vectorscan
     * refuses one from a CPU with other features), so the CPU is in the key. */
    if (hs_populate_platform(&plat) == HS_SUCCESS) {
        XXH3_64bits_update(st, &plat.tune, sizeof(plat.tune));
        XXH3_64bits_update(st, &plat.cpu_features, sizeof(plat.cpu_features));
    }
    for (i = 0; i < rs->n_patterns; i++) {
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

/* Databases of rule sets nobody has loaded for this long are removed when a
 * new one is saved, so the cache does not grow with every edit of the rules. */
#define CACHE_MAX_AGE (30L * 24 * 3600)

static void cache_prune(const char *dir, const char *keep)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    time_t now = time(NULL);

    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "rules-", 6) != 0 || len < 5 ||
            strcmp(e->d_name + len - 5, ".hsdb") != 0)
            continue;
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path) ||
            !strcmp(path, keep))
            continue;
        if (stat(path, &st) == 0 && now - st.st_mtime > CACHE_MAX_AGE)
            (void)unlink(path);
    }
    closedir(d);
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
    char file[4096], fast[4096];
    int rc;

    if (!cache_dir || !*cache_dir || rs->n_patterns == 0)
        return compile_db(rs, sink);
    snprintf(file, sizeof(file), "%s/rules-%016llx.hsdb", cache_dir,
             (unsigned long long)cache_key(rs, DB_EVIDENCE));
    snprintf(fast, sizeof(fast), "%s/rules-%016llx.hsdb", cache_dir,
             (unsigned long long)cache_key(rs, DB_PROBE));
    if (cache_load(&rs->db, file)) {
        if (cache_load(&rs->db_fast, fast)) {
            /* In use: keep them from being pruned. */
            (void)utime(file, NULL);
            (void)utime(fast, NULL);
            return LW_OK;
        }
        hs_free_database(rs->db);
        rs->db = NULL;
    }
    rc = compile_db(rs, sink);
    if (rc == LW_OK) {
        cache_save(rs->db, cache_dir, file);
        cache_save(rs->db_fast, cache_dir, fast);
    }
    return rc;
}

static int finish_load(struct lw_ruleset *rs, bool compile, const char *cache_dir,
                       struct lw_rules_sink *sink)
{
    resolve(rs, sink);
    free(rs->refs);
    rs->refs = NULL;
    if (sink->stop)
        return LW_EPARSE;
    return compile ? compile_db_cached(rs, sink, cache_dir) : LW_OK;
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

struct lw_scanner {
    const struct lw_ruleset *rs;
    hs_scratch_t *scratch; /* sized for both databases */
    struct seen *seen;     /* one per pattern */
    uint32_t gen;
    lw_hit_fn *fn;
    void *ctx;
};

int lw_scanner_new(const struct lw_ruleset *rs, struct lw_scanner **out, struct lw_diag *diag)
{
    struct lw_scanner *sc = NULL;
    int rc = LW_ENOMEM;

    if (!rs) {
        lw_diag_set(diag, "no rule set");
        return LW_EINVAL;
    }
    if (rs->n_patterns > 0 && !rs->db) {
        lw_diag_set(diag, "the rule set was loaded without compiling it");
        return LW_EINVAL;
    }
    sc = calloc(1, sizeof(*sc));
    if (!sc)
        goto out;
    sc->rs = rs;
    sc->seen = calloc(rs->n_patterns ? rs->n_patterns : 1, sizeof(*sc->seen));
    if (!sc->seen)
        goto out;
    if (rs->db) {
        hs_error_t hr = hs_alloc_scratch(rs->db, &sc->scratch);
        if (hr == HS_SUCCESS && rs->db_fast)
            hr = hs_alloc_scratch(rs->db_fast, &sc->scratch);
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
    free(sc->seen);
    free(sc);
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    struct lw_scanner *sc = ctx;
    struct seen *s;

    (void)flags;
    if (id >= sc->rs->n_patterns)
        return 0;
    s = &sc->seen[id];
    if (s->gen == sc->gen && s->end == (uint32_t)to)
        return 0;
    s->gen = sc->gen;
    s->end = (uint32_t)to;
    return sc->fn(sc->ctx, id, (size_t)from, (size_t)to) ? 1 : 0;
}

/* The probe: any tactic match ends the scan. */
static int on_probe(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    (void)id, (void)from, (void)to, (void)flags;
    *(bool *)ctx = true;
    return 1;
}

int lw_scanner_probe(struct lw_scanner *sc, const char *text, size_t len, bool *hit)
{
    hs_error_t hr;

    *hit = false;
    if (!sc->rs->db_fast)
        return LW_OK; /* no tactic patterns */
    if (len > UINT_MAX)
        return LW_ELIMIT;
    hr = hs_scan(sc->rs->db_fast, text ? text : "", (unsigned)len, 0, sc->scratch, on_probe, hit);
    return hr == HS_SUCCESS || hr == HS_SCAN_TERMINATED ? LW_OK : LW_EBACKEND;
}

/* The evidence pass: tactic matches with their start offsets; signals are
 * compiled without them and reported as empty spans at their end. */
static int on_evidence(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                       void *ctx)
{
    struct lw_scanner *sc = ctx;

    if (id >= sc->rs->n_patterns)
        return 0;
    if (sc->rs->tactics[sc->rs->patterns[id].tactic].is_signal)
        from = to;
    return on_match(id, from, to, flags, ctx);
}

int lw_scanner_scan(struct lw_scanner *sc, const char *text, size_t len, lw_hit_fn *fn, void *ctx)
{
    hs_error_t hr;

    if (!sc->rs->db)
        return LW_OK;
    if (len > UINT_MAX)
        return LW_ELIMIT;
    if (++sc->gen == 0) {
        memset(sc->seen, 0, sc->rs->n_patterns * sizeof(*sc->seen));
        sc->gen = 1;
    }
    sc->fn = fn;
    sc->ctx = ctx;
    hr = hs_scan(sc->rs->db, text ? text : "", (unsigned)len, 0, sc->scratch, on_evidence, sc);
    return hr == HS_SUCCESS || hr == HS_SCAN_TERMINATED ? LW_OK : LW_EBACKEND;
}
