/* cmd_scan.c -- `lurewatch scan`: screen messages and print verdicts. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/pipeline.h"

static const char usage_text[] =
    "usage: lurewatch scan [options] [PATH ...]\n"
    "\n"
    "Screen messages for recruitment tactics. PATH is a file, a folder or '-'\n"
    "(standard input, the default). Formats are sniffed: plain text, JSONL,\n"
    ".eml, mbox, Maildir, a folder of files, LinkedIn messages.csv,\n"
    "Invitations.csv or the export ZIP.\n"
    "\n"
    "  -f, --format FMT        text (default), json (one array) or jsonl (one\n"
    "                          verdict a line, in input order)\n"
    "  -i, --input-format FMT  text, jsonl, eml, mbox, maildir, dir,\n"
    "                          linkedin-messages, linkedin-invitations, linkedin-zip\n"
    "  -j, --threads N         worker threads (default: one per core)\n"
    "      --min-level LEVEL   text format: show only verdicts at or above LEVEL\n"
    "                          (default low; 'none' shows every message)\n"
    "      --lang en|zh        language of names and advice (default en)\n" LW_OPTS_ENGINE_HELP
    "      --strict            exit 2 if any message was skipped or repaired\n"
    "      --no-progress       no progress line on stderr\n"
    "  -q, --quiet             no summary on stderr\n"
    "\n"
    "Exit codes: 0 nothing reached medium, 1 something did, 2 error.\n";

enum out_format { OUT_TEXT, OUT_JSON, OUT_JSONL };

struct scan_ctx {
    enum out_format fmt;
    enum lw_level min_level;
    const struct lw_engine *e;
    enum lw_lang lang;
    bool color;
    bool first;
    struct lw_buf buf;
};

static int emit(void *p, const struct lw_msg *m, const struct lw_verdict *v, const char *json)
{
    struct scan_ctx *c = p;

    switch (c->fmt) {
    case OUT_JSONL:
        fputs(json, stdout);
        fputc('\n', stdout);
        break;
    case OUT_JSON:
        fputs(c->first ? "[\n" : ",\n", stdout);
        fputs(json, stdout);
        c->first = false;
        break;
    case OUT_TEXT:
        if (v->level < c->min_level)
            break;
        lw_buf_reset(&c->buf);
        if (lw_verdict_text(v, m, lw_engine_rules(c->e), c->lang, c->color ? LW_TEXT_COLOR : 0,
                            &c->buf) < 0)
            return 1;
        fputs(lw_buf_str(&c->buf), stdout);
        fputc('\n', stdout);
        break;
    }
    return 0;
}

int cmd_scan(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"input-format", required_argument, NULL, 'i'},
        {"threads", required_argument, NULL, 'j'},
        {"min-level", required_argument, NULL, 'm'},
        {"lang", required_argument, NULL, 'L'},
        {"strict", no_argument, NULL, 'S'},
        {"no-progress", no_argument, NULL, 'P'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        LW_OPTS_ENGINE_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    struct scan_ctx c = {.fmt = OUT_TEXT, .min_level = LW_LEVEL_LOW, .first = true};
    struct lw_pipeline_opts po;
    struct lw_pipeline_stats st;
    struct lw_engine_opts eo;
    struct lw_engine_set es;
    bool strict = false, quiet = false, no_progress = false;
    const char *stdin_path[] = {"-"};
    int opt, rc, ret = LW_EXIT_ERROR;

    memset(&po, 0, sizeof(po));
    lw_limits_default(&po.limits);
    lw_engine_opts_init(&eo);
    lw_engine_set_init(&es);
    lw_buf_init(&c.buf, (size_t)64 << 20);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:i:j:qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if (!strcmp(optarg, "text"))
                c.fmt = OUT_TEXT;
            else if (!strcmp(optarg, "json"))
                c.fmt = OUT_JSON;
            else if (!strcmp(optarg, "jsonl"))
                c.fmt = OUT_JSONL;
            else {
                lw_cli_error("unknown output format '%s' (text, json, jsonl)", optarg);
                goto out;
            }
            break;
        case 'i':
            if (lw_format_parse(optarg, &po.format) < 0) {
                lw_cli_error("unknown input format '%s'; see 'lurewatch scan --help'", optarg);
                goto out;
            }
            break;
        case 'j':
            if (lw_cli_parse_threads(optarg, &po.threads) < 0)
                goto out;
            break;
        case 'm':
            if (lw_level_parse(optarg, &c.min_level) < 0) {
                lw_cli_error("unknown level '%s' (none, low, medium, high)", optarg);
                goto out;
            }
            break;
        case 'L':
            if (!strcmp(optarg, "zh"))
                c.lang = LW_LANG_ZH;
            else if (strcmp(optarg, "en")) {
                lw_cli_error("unknown language '%s' (en, zh)", optarg);
                goto out;
            }
            break;
        case 'S':
            strict = true;
            break;
        case 'P':
            no_progress = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            ret = LW_EXIT_CLEAN;
            goto out;
        default:
            if (lw_engine_opts_parse(&eo, opt, optarg, &po.limits) == 0)
                break;
            fputs(usage_text, stderr);
            goto out;
        }
    }
    rc = lw_engine_set_open(&es, &eo);
    if (rc < 0)
        goto out;
    c.e = es.engine;
    c.color = c.fmt == OUT_TEXT && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    po.want_json = c.fmt != OUT_TEXT;
    po.lang = c.lang;
    po.progress = !no_progress && isatty(STDERR_FILENO);
    rc = lw_pipeline_run(es.engine, optind < argc ? (const char *const *)argv + optind : stdin_path,
                         optind < argc ? (size_t)(argc - optind) : 1, &po, emit, &c, &st);
    if (c.fmt == OUT_JSON)
        fputs(c.first ? "[]\n" : "\n]\n", stdout);
    fflush(stdout);
    if (rc < 0) {
        lw_cli_error("screening failed: %s", lw_strerror(rc));
        goto out;
    }
    if (!quiet)
        fprintf(stderr,
                "lurewatch: screened %lu message%s: %lu high, %lu medium, %lu low, %lu none; "
                "skipped %lu (%lu malformed, %lu over a limit)%s%s\n",
                st.screened, st.screened == 1 ? "" : "s", st.by_level[LW_LEVEL_HIGH],
                st.by_level[LW_LEVEL_MEDIUM], st.by_level[LW_LEVEL_LOW], st.by_level[LW_LEVEL_NONE],
                st.skipped, st.skipped_parse, st.skipped_limit,
                st.failed_sources ? "; unreadable inputs: " : "",
                st.failed_sources ? "see above" : "");
    if (st.failed_sources && st.screened == 0)
        goto out;
    if (strict && (st.skipped || st.failed_sources || st.with_defects))
        goto out;
    ret =
        st.by_level[LW_LEVEL_MEDIUM] + st.by_level[LW_LEVEL_HIGH] ? LW_EXIT_FLAGGED : LW_EXIT_CLEAN;
out:
    lw_buf_release(&c.buf);
    lw_engine_set_close(&es);
    return ret;
}
