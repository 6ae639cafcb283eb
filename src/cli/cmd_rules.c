/* cmd_rules.c -- "lurewatch rules": check rule files for every problem, or
 * list the tactic taxonomy (text or JSON) for people and scripts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "detect/rules.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: lurewatch rules check [--rules DIR] [FILE|DIR ...]\n"
               "   or: lurewatch rules list [--rules DIR] [--format text|json] [--lang en|zh]\n"
               "\n"
               "check  report every problem in rule files as FILE:LINE:COL: message\n"
               "       (default: the rules folder); exit 0 if there is none, 2 otherwise\n"
               "list   print the tactics and signals, grouped by stage\n"
               "\n"
               "  --rules DIR      the rules folder (default: $LUREWATCH_RULES, else built in)\n"
               "  --format FORMAT  text (default) or json\n"
               "  --lang LANG      en (default) or zh: names and advice in Chinese\n"
               "  -h, --help       print this help\n");
}

static const char *plural(unsigned long n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static void print_problem(void *ctx, const struct lw_diag *d)
{
    unsigned long *count = ctx;
    char buf[1024];

    (*count)++;
    fprintf(stderr, "%s\n", lw_diag_format(d, buf, sizeof(buf)));
}

static int rules_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"rules", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL;
    const char *const *paths;
    struct lw_rules_stats st;
    unsigned long problems = 0;
    size_t n;
    int c, rc;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            dir = optarg;
            break;
        case 'h':
            usage(stdout);
            return LW_EXIT_CLEAN;
        default:
            usage(stderr);
            return LW_EXIT_ERROR;
        }
    }
    if (optind < argc) {
        if (dir) {
            lw_cli_error("give either --rules or files to check, not both");
            return LW_EXIT_ERROR;
        }
        paths = (const char *const *)(argv + optind);
        n = (size_t)(argc - optind);
    } else {
        dir = lw_cli_rules_dir(dir);
        paths = &dir;
        n = 1;
    }
    rc = lw_rules_check_paths(paths, n, print_problem, &problems, &st);
    if (rc == LW_ENOMEM) {
        lw_cli_error("out of memory");
        return LW_EXIT_ERROR;
    }
    printf("%lu %s, %lu %s, %lu %s, %lu %s", st.files, plural(st.files, "file", "files"),
           st.tactics, plural(st.tactics, "tactic", "tactics"), st.signals,
           plural(st.signals, "signal", "signals"), st.patterns,
           plural(st.patterns, "pattern", "patterns"));
    if (st.gates)
        printf(", %lu %s", st.gates, plural(st.gates, "gate", "gates"));
    printf(": ");
    if (problems == 0 && rc >= 0) {
        printf("ok\n");
        return LW_EXIT_CLEAN;
    }
    printf("%lu %s\n", problems, plural(problems, "problem", "problems"));
    return LW_EXIT_ERROR;
}

/* Print s wrapped at spaces to lines of at most `width` bytes after an
 * indent of `indent` spaces (a word longer than that stays whole). */
static void print_wrapped(const char *s, int indent, size_t width)
{
    while (*s) {
        size_t n = strlen(s), cut = n;

        if (n > width) {
            cut = width;
            while (cut > 0 && s[cut] != ' ')
                cut--;
            if (cut == 0) {
                cut = width;
                while (s[cut] && s[cut] != ' ')
                    cut++;
            }
        }
        printf("%*s%.*s\n", indent, "", (int)cut, s);
        s += cut;
        while (*s == ' ')
            s++;
    }
}

/* Tactics in listing order: by stage, signals last, in definition order. */
static size_t *listing_order(const struct lw_ruleset *rs)
{
    size_t n = lw_ruleset_n_tactics(rs), k = 0, i;
    size_t *order = malloc((n ? n : 1) * sizeof(*order));
    int stage;

    if (!order)
        return NULL;
    for (stage = LW_STAGE_CONTACT; stage <= LW_STAGE_RECRUIT_OTHERS + 1; stage++) {
        for (i = 0; i < n; i++) {
            const struct lw_tactic *t = lw_ruleset_tactic(rs, i);
            int s = t->is_signal ? LW_STAGE_RECRUIT_OTHERS + 1 : (int)t->stage;
            if (s == stage)
                order[k++] = i;
        }
    }
    return order;
}

static void list_text(const struct lw_ruleset *rs, const size_t *order, const unsigned *counts,
                      bool zh)
{
    size_t n = lw_ruleset_n_tactics(rs), i;
    int heading = -1, w = 4;

    for (i = 0; i < n; i++)
        w = LW_MAX(w, (int)strlen(lw_ruleset_tactic(rs, i)->code));

    for (i = 0; i < n; i++) {
        const struct lw_tactic *t = lw_ruleset_tactic(rs, order[i]);
        int s = t->is_signal ? -2 : (int)t->stage;
        const char *name = zh && t->name_zh ? t->name_zh : t->name;
        const char *advice = zh && t->advice_zh ? t->advice_zh : t->advice;

        if (s != heading) {
            printf("%s%s\n", i ? "\n" : "", t->is_signal ? "signals" : lw_stage_name(t->stage));
            heading = s;
        }
        printf("  %-*s %s\n", w, t->code, name);
        printf("  %*s weight %d", w, "", t->weight);
        if (t->group)
            printf(", group %s", t->group);
        printf(", %u %s\n", counts[order[i]], plural(counts[order[i]], "pattern", "patterns"));
        if (advice)
            print_wrapped(advice, w + 3, 72);
    }
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int list_json(const struct lw_ruleset *rs, const size_t *order, const unsigned *counts)
{
    size_t n = lw_ruleset_n_tactics(rs), i;
    json_t *arr = json_array();
    int rc = -1;

    if (!arr)
        return -1;
    for (i = 0; i < n; i++) {
        const struct lw_tactic *t = lw_ruleset_tactic(rs, order[i]);
        json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:i, s:o, s:i, s:o, s:o, s:s, s:i}",
                              "code", t->code, "kind", t->is_signal ? "signal" : "tactic", "name",
                              t->name, "name_zh", str_or_null(t->name_zh), "stage",
                              t->is_signal ? json_null() : json_string(lw_stage_name(t->stage)),
                              "weight", t->weight, "group", str_or_null(t->group), "patterns",
                              (int)counts[order[i]], "advice", str_or_null(t->advice), "advice_zh",
                              str_or_null(t->advice_zh), "file", t->file, "line", (int)t->line);
        if (!o || json_array_append_new(arr, o) < 0)
            goto out;
    }
    if (json_dumpf(arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
        goto out;
    putchar('\n');
    rc = 0;
out:
    json_decref(arr);
    return rc;
}

static int rules_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"rules", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'},
        {"lang", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL;
    bool json = false, zh = false;
    struct lw_ruleset *rs = NULL;
    struct lw_diag diag;
    size_t *order = NULL, i;
    unsigned *counts = NULL;
    int c, rc = LW_EXIT_ERROR;

    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            dir = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
                lw_cli_error("unknown format '%s' (text or json)", optarg);
                return LW_EXIT_ERROR;
            }
            json = !strcmp(optarg, "json");
            break;
        case 'l':
            if (strcmp(optarg, "en") && strcmp(optarg, "zh")) {
                lw_cli_error("unknown language '%s' (en or zh)", optarg);
                return LW_EXIT_ERROR;
            }
            zh = !strcmp(optarg, "zh");
            break;
        case 'h':
            usage(stdout);
            return LW_EXIT_CLEAN;
        default:
            usage(stderr);
            return LW_EXIT_ERROR;
        }
    }
    if (optind < argc) {
        lw_cli_error("'rules list' takes no arguments; use --rules DIR");
        return LW_EXIT_ERROR;
    }
    if (lw_ruleset_load_cached(lw_cli_rules_dir(dir), lw_cli_cache_dir(), &rs, &diag) < 0) {
        lw_cli_diag(&diag);
        return LW_EXIT_ERROR;
    }
    order = listing_order(rs);
    counts = calloc(lw_ruleset_n_tactics(rs) + 1, sizeof(*counts));
    if (!order || !counts) {
        lw_cli_error("out of memory");
        goto out;
    }
    for (i = 0; i < lw_ruleset_n_patterns(rs); i++)
        counts[lw_ruleset_pattern(rs, i)->tactic]++;
    if (json) {
        if (list_json(rs, order, counts) < 0) {
            lw_cli_error("cannot write JSON");
            goto out;
        }
    } else {
        list_text(rs, order, counts, zh);
    }
    rc = LW_EXIT_CLEAN;
out:
    free(order);
    free(counts);
    lw_ruleset_free(rs);
    return rc;
}

int cmd_rules(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return LW_EXIT_ERROR;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return LW_EXIT_CLEAN;
    }
    if (!strcmp(argv[1], "check"))
        return rules_check(argc - 1, argv + 1);
    if (!strcmp(argv[1], "list"))
        return rules_list(argc - 1, argv + 1);
    lw_cli_error("'%s' is not a rules command (check or list); see 'lurewatch rules --help'",
                 argv[1]);
    return LW_EXIT_ERROR;
}
