/* main.c -- lurewatch's entry point: the command table and dispatch. */
#include <malloc.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"

struct cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
};

static const struct cmd commands[] = {
    {"scan", cmd_scan, "screen messages for recruitment tactics"},
    {"eval", cmd_eval, "measure detection on labelled messages"},
    {"rules", cmd_rules, "check rule files or list the tactic taxonomy"},
    {"watch", cmd_watch, "manage the watchlist of personas and fronts"},
    {"vet", cmd_vet, "rate a profile the way NPSA's Profile Reviewer does"},
    {"model", cmd_model, "train or check the learned classifier"},
    {"version", cmd_version, "print the version"},
};

void lw_cli_error(const char *fmt, ...)
{
    va_list ap;

    fputs("lurewatch: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void lw_cli_diag(const struct lw_diag *d)
{
    char buf[1024];

    fprintf(stderr, "lurewatch: %s\n", lw_diag_format(d, buf, sizeof(buf)));
}

int lw_cli_parse_threads(const char *arg, unsigned *out)
{
    long l;

    if (lw_parse_long(arg, &l) < 0 || l < 1 || l > 256) {
        lw_cli_error("--threads takes a number from 1 to 256, not '%s'", arg);
        return LW_EINVAL;
    }
    *out = (unsigned)l;
    return LW_OK;
}

const char *lw_cli_rules_dir(const char *opt)
{
    const char *env = getenv("LUREWATCH_RULES");

    if (opt)
        return opt;
    if (env && *env)
        return env;
    return LW_DEFAULT_RULES_DIR;
}

const char *lw_cli_data_dir(void)
{
    const char *env = getenv("LUREWATCH_DATA");

    return env && *env ? env : LW_DEFAULT_DATA_DIR;
}

static char cache_dir[4096];
static const char *cache_dir_p;
static pthread_once_t cache_dir_once = PTHREAD_ONCE_INIT;

static void cache_dir_find(void)
{
    const char *env = getenv("LUREWATCH_CACHE"), *base;

    if (env) {
        cache_dir_p = *env && strcmp(env, "off") ? env : NULL;
        return;
    }
    base = getenv("XDG_CACHE_HOME");
    if (base && *base) {
        snprintf(cache_dir, sizeof(cache_dir), "%s/lurewatch", base);
        cache_dir_p = cache_dir;
        return;
    }
    base = getenv("HOME");
    if (!base || !*base)
        return;
    snprintf(cache_dir, sizeof(cache_dir), "%s/.cache", base);
    (void)mkdir(cache_dir, 0700); /* the rules module creates only the last level */
    snprintf(cache_dir, sizeof(cache_dir), "%s/.cache/lurewatch", base);
    cache_dir_p = cache_dir;
}

/* Worked out once: the rules and the watchlist ask from two threads. */
const char *lw_cli_cache_dir(void)
{
    pthread_once(&cache_dir_once, cache_dir_find);
    return cache_dir_p;
}

const char *lw_cli_store_path(const char *opt)
{
    const char *env = getenv("LUREWATCH_STORE");

    if (opt)
        return opt;
    if (env && *env)
        return env;
    return "lurewatch.db";
}

int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("lurewatch %s\n", LW_VERSION);
    return LW_EXIT_CLEAN;
}

static void usage(FILE *f)
{
    size_t i;

    fprintf(f, "usage: lurewatch <command> [options]\n\ncommands:\n");
    for (i = 0; i < LW_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nRun 'lurewatch <command> --help' for a command's options.\n"
               "Exit codes: 0 nothing flagged, 1 something flagged, 2 error.\n");
}

int main(int argc, char **argv)
{
    size_t i;

    /* Screening allocates and frees a message's worth of memory thousands
     * of times a second; keep it in the heap rather than mapping and
     * unmapping pages each time (which costs TLB shootdowns across threads). */
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);

    if (argc < 2) {
        usage(stderr);
        return LW_EXIT_ERROR;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return LW_EXIT_CLEAN;
    }
    if (!strcmp(argv[1], "--version"))
        return cmd_version(argc - 1, argv + 1);
    for (i = 0; i < LW_ARRAY_LEN(commands); i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].fn(argc - 1, argv + 1);
    lw_cli_error("'%s' is not a command; see 'lurewatch --help'", argv[1]);
    return LW_EXIT_ERROR;
}
