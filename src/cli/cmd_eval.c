/* cmd_eval.c -- `lurewatch eval`: detection and false alarms on labelled
 * messages. A message is "flagged" when it reaches medium or high (the
 * level at which the CLI exits 1). Labels: approach (should be flagged),
 * benign and reporting (should not), scam and anything else (reported,
 * counted apart). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/pipeline.h"

static const char usage_text[] =
    "usage: lurewatch eval [options] FILE.jsonl ...\n"
    "\n"
    "Screen labelled messages (a 'label' field: approach, benign, reporting;\n"
    "others are counted apart) and report the detection rate (approaches that\n"
    "reach medium or high), the false-alarm rate (benign and reporting messages\n"
    "that do), the confusion of labels by level, and every miss and false alarm\n"
    "with its id and the flags that fired.\n"
    "\n"
    "  -f, --format text|json  output (default text)\n"
    "  -j, --threads N         worker threads (default: one per core)\n" LW_OPTS_ENGINE_HELP;

#define MAX_LABELS 8

struct label_row {
    char name[32];
    unsigned long by_level[4];
};

struct eval_ctx {
    const struct lw_engine *e;
    struct label_row rows[MAX_LABELS];
    unsigned n_rows;
    json_t *misses, *alarms;
    unsigned long unlabelled;
};

static struct label_row *row_for(struct eval_ctx *c, const char *label)
{
    unsigned i;

    for (i = 0; i < c->n_rows; i++)
        if (!strcmp(c->rows[i].name, label))
            return &c->rows[i];
    if (c->n_rows == MAX_LABELS)
        return &c->rows[MAX_LABELS - 1]; /* the last row collects the rest */
    snprintf(c->rows[c->n_rows].name, sizeof(c->rows[0].name), "%s", label);
    return &c->rows[c->n_rows++];
}

static json_t *case_json(const struct eval_ctx *c, const struct lw_msg *m,
                         const struct lw_verdict *v)
{
    json_t *o = json_object(), *codes = json_array();
    unsigned i;

    for (i = 0; i < v->n_flags; i++)
        json_array_append_new(
            codes, json_string(lw_ruleset_tactic(lw_engine_rules(c->e), v->flags[i].tactic)->code));
    json_object_set_new(o, "id", json_string(m->id));
    json_object_set_new(o, "label", json_string(m->label ? m->label : ""));
    json_object_set_new(o, "level", json_string(lw_level_name(v->level)));
    json_object_set_new(o, "score", json_integer(v->score));
    json_object_set_new(o, "flags", codes);
    json_object_set_new(o, "reading", json_string(v->reading ? v->reading : ""));
    if (v->model_used)
        json_object_set_new(o, "model_p", json_real(v->model_p));
    return o;
}

static int emit(void *p, const struct lw_msg *m, const struct lw_verdict *v, const char *json)
{
    struct eval_ctx *c = p;
    bool flagged = v->level >= LW_LEVEL_MEDIUM;

    (void)json;
    if (!m->label || !*m->label) {
        c->unlabelled++;
        return 0;
    }
    row_for(c, m->label)->by_level[v->level]++;
    if (!strcmp(m->label, "approach") && !flagged)
        json_array_append_new(c->misses, case_json(c, m, v));
    else if ((!strcmp(m->label, "benign") || !strcmp(m->label, "reporting")) && flagged)
        json_array_append_new(c->alarms, case_json(c, m, v));
    return 0;
}

static void print_cases(const char *title, json_t *a)
{
    size_t i, k;
    json_t *o, *f;

    printf("%s (%zu):\n", title, json_array_size(a));
    json_array_foreach(a, i, o)
    {
        printf("  %-10s %-9s %-6s score %3lld  flags:", json_string_value(json_object_get(o, "id")),
               json_string_value(json_object_get(o, "label")),
               json_string_value(json_object_get(o, "level")),
               (long long)json_integer_value(json_object_get(o, "score")));
        json_array_foreach(json_object_get(o, "flags"), k, f)
        {
            printf(" %s", json_string_value(f));
        }
        if (!json_array_size(json_object_get(o, "flags")))
            printf(" (none)");
        printf("  [%s]", json_string_value(json_object_get(o, "reading")));
        if (json_object_get(o, "model_p"))
            printf(" model %.2f", json_real_value(json_object_get(o, "model_p")));
        putchar('\n');
    }
}

int cmd_eval(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"threads", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        LW_OPTS_ENGINE_LONGOPTS,
        {NULL, 0, NULL, 0},
    };
    struct eval_ctx c;
    struct lw_pipeline_opts po;
    struct lw_pipeline_stats st;
    struct lw_engine_opts eo;
    struct lw_engine_set es;
    bool json_out = false;
    unsigned long appr = 0, appr_hit = 0, neg = 0, neg_hit = 0;
    unsigned i, k;
    int opt, rc, ret = LW_EXIT_ERROR;

    memset(&c, 0, sizeof(c));
    memset(&po, 0, sizeof(po));
    lw_limits_default(&po.limits);
    po.format = LW_FORMAT_JSONL;
    lw_engine_opts_init(&eo);
    lw_engine_set_init(&es);
    c.misses = json_array();
    c.alarms = json_array();
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:j:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if (!strcmp(optarg, "json"))
                json_out = true;
            else if (strcmp(optarg, "text")) {
                lw_cli_error("unknown output format '%s' (text, json)", optarg);
                goto out;
            }
            break;
        case 'j':
            if (lw_cli_parse_threads(optarg, &po.threads) < 0)
                goto out;
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
    if (optind >= argc) {
        lw_cli_error("eval needs a labelled JSONL file; see 'lurewatch eval --help'");
        goto out;
    }
    rc = lw_engine_set_open(&es, &eo);
    if (rc < 0)
        goto out;
    c.e = es.engine;
    rc = lw_pipeline_run(es.engine, (const char *const *)argv + optind, (size_t)(argc - optind),
                         &po, emit, &c, &st);
    if (rc < 0) {
        lw_cli_error("evaluation failed: %s", lw_strerror(rc));
        goto out;
    }
    if (st.failed_sources) {
        lw_cli_error("some inputs could not be read; no figures");
        goto out;
    }
    for (i = 0; i < c.n_rows; i++) {
        unsigned long n = 0, hit = c.rows[i].by_level[2] + c.rows[i].by_level[3];
        for (k = 0; k < 4; k++)
            n += c.rows[i].by_level[k];
        if (!strcmp(c.rows[i].name, "approach")) {
            appr += n;
            appr_hit += hit;
        } else if (!strcmp(c.rows[i].name, "benign") || !strcmp(c.rows[i].name, "reporting")) {
            neg += n;
            neg_hit += hit;
        }
    }
    if (json_out) {
        json_t *o = json_object(), *conf = json_object();
        char *s;
        for (i = 0; i < c.n_rows; i++) {
            json_t *r = json_object();
            for (k = 0; k < 4; k++)
                json_object_set_new(r, lw_level_name((enum lw_level)k),
                                    json_integer((json_int_t)c.rows[i].by_level[k]));
            json_object_set_new(conf, c.rows[i].name, r);
        }
        json_object_set_new(o, "screened", json_integer((json_int_t)st.screened));
        json_object_set_new(o, "skipped", json_integer((json_int_t)st.skipped));
        json_object_set_new(o, "approaches", json_integer((json_int_t)appr));
        json_object_set_new(o, "detected", json_integer((json_int_t)appr_hit));
        json_object_set_new(o, "detection_rate",
                            appr ? json_real((double)appr_hit / (double)appr) : json_null());
        json_object_set_new(o, "negatives", json_integer((json_int_t)neg));
        json_object_set_new(o, "false_alarms", json_integer((json_int_t)neg_hit));
        json_object_set_new(o, "false_alarm_rate",
                            neg ? json_real((double)neg_hit / (double)neg) : json_null());
        json_object_set_new(o, "confusion", conf);
        json_object_set_new(o, "misses", json_incref(c.misses));
        json_object_set_new(o, "false_alarm_cases", json_incref(c.alarms));
        s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s)
            puts(s);
        free(s);
        json_decref(o);
    } else {
        printf("screened %lu, skipped %lu\n", st.screened, st.skipped);
        printf("detection:   %lu of %lu approaches reach medium or high (%.1f%%)\n", appr_hit, appr,
               appr ? 100.0 * (double)appr_hit / (double)appr : 0.0);
        printf(
            "false alarm: %lu of %lu benign and reporting messages reach medium or high (%.1f%%)\n",
            neg_hit, neg, neg ? 100.0 * (double)neg_hit / (double)neg : 0.0);
        printf("\n%-12s %6s %6s %6s %6s\n", "label", "none", "low", "medium", "high");
        for (i = 0; i < c.n_rows; i++)
            printf("%-12s %6lu %6lu %6lu %6lu\n", c.rows[i].name, c.rows[i].by_level[0],
                   c.rows[i].by_level[1], c.rows[i].by_level[2], c.rows[i].by_level[3]);
        if (c.unlabelled)
            printf("(%lu messages had no label)\n", c.unlabelled);
        printf("\n");
        print_cases("misses: approaches below medium", c.misses);
        print_cases("false alarms: benign or reporting at medium or high", c.alarms);
    }
    ret = LW_EXIT_CLEAN;
out:
    json_decref(c.misses);
    json_decref(c.alarms);
    lw_engine_set_close(&es);
    return ret;
}
