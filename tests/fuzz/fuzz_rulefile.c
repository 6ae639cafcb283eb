/* fuzz_rulefile.c -- libFuzzer target for the rule file parser and the
 * Vectorscan and PCRE2 compiles (src/detect/rules.h): any bytes are parsed
 * as a rule file, compiled if they parse, scanned over a short text and a
 * long one (whose matches' starts are looked for beyond the first window),
 * and freed; the same bytes go through lw_rules_check (which carries on
 * past every problem) via a temporary file. Inputs are capped at 64 KiB so
 * that compiling stays fast. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect/rules.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void count_problem(void *ctx, const struct lw_diag *problem)
{
    unsigned long *n = ctx;

    if (!problem->source[0] || !problem->msg[0])
        __builtin_trap();
    ++*n;
}

static size_t scanned_len; /* of the text being scanned */

static int count_hit(void *ctx, unsigned pattern, size_t start, size_t end)
{
    size_t *n = ctx;

    (void)pattern;
    if (start > end || end > scanned_len)
        __builtin_trap();
    return ++*n > 1000;
}

static char tmp_path[] = "/tmp/fuzz_rulefile.XXXXXX";

static void remove_tmp(void)
{
    unlink(tmp_path);
}

/* lw_rules_check reads files: put the input in one. */
static void check_as_file(const unsigned char *data, size_t size)
{
    static int fd = -1;
    unsigned long problems = 0;
    int rc;

    if (fd < 0) {
        fd = mkstemp(tmp_path);
        if (fd < 0)
            return;
        atexit(remove_tmp);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        return;
    rc = lw_rules_check(tmp_path, count_problem, &problems);
    if (rc < 0 || (unsigned long)rc != problems)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static const char text[] = "it won't take much of your time: 内部资料, high pay, telegram, für";
    static char long_text[8 * sizeof(text)];
    struct lw_ruleset *rs = NULL;
    struct lw_scanner *sc = NULL;
    struct lw_diag diag;
    size_t i, hits = 0;

    if (size > 65536)
        return 0;
    check_as_file(data, size);
    if (lw_ruleset_load_mem((const char *)data, size, "fuzz.rules", false, &rs, &diag) != LW_OK)
        return 0;
    /* every pattern names a tactic that exists, and a gate that does */
    for (i = 0; i < lw_ruleset_n_patterns(rs); i++)
        if (lw_ruleset_pattern(rs, i)->tactic >= lw_ruleset_n_tactics(rs) ||
            lw_ruleset_pattern(rs, i)->gate > lw_ruleset_n_gates(rs))
            __builtin_trap();
    lw_ruleset_free(rs);
    rs = NULL;
    if (lw_ruleset_load_mem((const char *)data, size, "fuzz.rules", true, &rs, &diag) != LW_OK)
        return 0;
    if (!long_text[0])
        for (i = 0; i < 8; i++)
            memcpy(long_text + i * (sizeof(text) - 1), text, sizeof(text) - 1);
    if (lw_scanner_new(rs, &sc, &diag) == LW_OK) {
        scanned_len = sizeof(text) - 1;
        if (lw_scanner_scan(sc, text, scanned_len, count_hit, &hits) != LW_OK)
            __builtin_trap();
        scanned_len = 8 * (sizeof(text) - 1);
        hits = 0;
        if (lw_scanner_scan(sc, long_text, scanned_len, count_hit, &hits) != LW_OK)
            __builtin_trap();
        lw_scanner_free(sc);
    }
    lw_ruleset_free(rs);
    return 0;
}
