/* cmd_vet.c -- `lurewatch vet PROFILE`: rate one profile high, medium or
 * low risk the way NPSA's Profile Reviewer does, and say why. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/watchload.h"
#include "detect/vet.h"
#include "ingest/profile.h"

static const char usage_text[] =
    "usage: lurewatch vet [options] PROFILE\n"
    "\n"
    "Rate a profile high, medium or low risk, as NPSA's \"Think Before You Link\"\n"
    "Profile Reviewer does, with the reason for every flag. PROFILE is a profile\n"
    "JSON file, a LinkedIn export's Profile.csv (Positions.csv is read from the\n"
    "same folder), a folder holding them, or the export ZIP.\n"
    "\n"
    "  -f, --format FMT        text (default) or json\n"
    "      --photo-hashes FILE known re-used/stock/AI photo hashes, one hex a line\n"
    "      --bios FILE         known suspicious bios, separated by blank lines\n"
    "                          (default: suspicious-bios.txt in the data folder)\n"
    "      --store PATH        the store holding the watchlist (default lurewatch.db)\n"
    "      --no-watchlist      do not match the watchlist\n"
    "      --today DATE        judge the profile as of DATE (YYYY-MM-DD; default today)\n"
    "  -h, --help              this text\n"
    "\n"
    "Flags: P1 photo, P2 generic employer, P3 seniority vs history, P4 template\n"
    "text, P5 government/SOE ties, A6 seeks people with access, V1 network vs\n"
    "account age, V2 location mismatch, V3 name anomaly. The tool cannot see the\n"
    "photo: always reverse-image-search it yourself.\n"
    "\n"
    "Rating: a code counts when its flags weigh 20 or more together.\n"
    "  high    a strong watchlist match, or 3+ counted P-codes including P2 or P5\n"
    "  medium  a medium watchlist match, or 2+ counted codes, or a score of 60+\n"
    "  low     otherwise\n"
    "The score is the sum of all weights, capped at 100. See docs/vet.md.\n"
    "\n"
    "Exit codes: 0 low, 1 medium or high, 2 error.\n";

enum out_format { OUT_TEXT, OUT_JSON };

static void print_text(const struct lw_profile *p, const struct lw_vet_result *r)
{
    size_t i;

    printf("profile: %s%s%s%s\n", p->source, p->name ? " (" : "", p->name ? p->name : "",
           p->name ? ")" : "");
    printf("rating: %s (score %d)\n", lw_vet_rating_name(r->rating), r->score);
    for (i = 0; i < r->n_why; i++)
        printf("  because %s\n", r->why[i]);
    if (r->n_flags) {
        printf("\nflags:\n");
        for (i = 0; i < r->n_flags; i++) {
            const struct lw_vet_flag *f = &r->flags[i];
            printf("  %s %s (weight %d)\n", f->code, f->name, f->weight);
            printf("     %s\n", f->evidence);
            printf("     %s\n", f->reason);
        }
    } else {
        printf("\nflags: none\n");
    }
    if (r->n_indicators) {
        printf("\nwatchlist:\n");
        for (i = 0; i < r->n_indicators; i++) {
            const struct lw_vet_indicator *d = &r->indicators[i];
            printf("  %s match on %s: \"%s\" ~ %s \"%s\" (source: %s, %s)\n", d->strength, d->field,
                   d->value, d->type, d->matched, d->source, d->date ? d->date : "");
            if (d->why && *d->why)
                printf("     %s\n", d->why);
            if (d->note && *d->note)
                printf("     note: %s\n", d->note);
        }
    }
    printf("\nadvice:\n");
    for (i = 0; i < r->n_advice; i++)
        printf("  - %s\n", r->advice[i]);
}

static int print_json(const struct lw_profile *p, const struct lw_vet_result *r)
{
    json_t *root = NULL, *flags, *inds, *advice, *why;
    char *s = NULL;
    size_t i;
    int rc = LW_ENOMEM;

    root = json_object();
    flags = json_array();
    inds = json_array();
    advice = json_array();
    why = json_array();
    if (!root || !flags || !inds || !advice || !why) {
        json_decref(flags);
        json_decref(inds);
        json_decref(advice);
        json_decref(why);
        goto out;
    }
    if (json_object_set_new(root, "profile",
                            json_pack("{s:s, s:s?}", "source", p->source, "name", p->name)) ||
        json_object_set_new(root, "rating", json_string(lw_vet_rating_name(r->rating))) ||
        json_object_set_new(root, "score", json_integer(r->score)) ||
        json_object_set_new(root, "why", why) || json_object_set_new(root, "flags", flags) ||
        json_object_set_new(root, "indicators", inds) ||
        json_object_set_new(root, "advice", advice))
        goto out;
    for (i = 0; i < r->n_why; i++)
        if (json_array_append_new(why, json_string(r->why[i])))
            goto out;
    for (i = 0; i < r->n_flags; i++) {
        const struct lw_vet_flag *f = &r->flags[i];
        if (json_array_append_new(flags,
                                  json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "code", f->code,
                                            "name", f->name, "field", f->field, "evidence",
                                            f->evidence, "weight", f->weight, "reason", f->reason)))
            goto out;
    }
    for (i = 0; i < r->n_indicators; i++) {
        const struct lw_vet_indicator *d = &r->indicators[i];
        if (json_array_append_new(
                inds, json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s?, s:s?, s:s?, s:s?, s:s?}",
                                "type", d->type, "field", d->field, "value", d->value, "matched",
                                d->matched, "strength", d->strength, "weight", d->weight, "why",
                                d->why, "source", d->source, "source_url", d->source_url, "date",
                                d->date, "note", d->note)))
            goto out;
    }
    for (i = 0; i < r->n_advice; i++)
        if (json_array_append_new(advice, json_string(r->advice[i])))
            goto out;
    s = json_dumps(root, JSON_INDENT(2));
    if (!s)
        goto out;
    puts(s);
    rc = LW_OK;
out:
    free(s);
    json_decref(root);
    return rc;
}

static bool file_exists(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int cmd_vet(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'}, {"photo-hashes", required_argument, NULL, 'H'},
        {"bios", required_argument, NULL, 'B'},   {"store", required_argument, NULL, 'S'},
        {"no-watchlist", no_argument, NULL, 'W'}, {"today", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    enum out_format fmt = OUT_TEXT;
    const char *hashes = NULL, *bios = NULL, *store = NULL, *today = NULL;
    bool no_watchlist = false;
    struct lw_profile *prof = NULL;
    struct lw_vet_result *res = NULL;
    struct lw_vet_refs refs;
    struct lw_vet_opts vo;
    struct lw_diag diag;
    char default_bios[4096];
    void *watch = NULL;
    int opt, rc, ret = LW_EXIT_ERROR;

    lw_vet_refs_init(&refs);
    lw_diag_clear(&diag);
    memset(&vo, 0, sizeof(vo));
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f':
            if (!strcmp(optarg, "text"))
                fmt = OUT_TEXT;
            else if (!strcmp(optarg, "json"))
                fmt = OUT_JSON;
            else {
                lw_cli_error("unknown output format '%s' (text, json)", optarg);
                goto out;
            }
            break;
        case 'H':
            hashes = optarg;
            break;
        case 'B':
            bios = optarg;
            break;
        case 'S':
            store = optarg;
            break;
        case 'W':
            no_watchlist = true;
            break;
        case 'T':
            today = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            ret = LW_EXIT_CLEAN;
            goto out;
        default:
            fputs(usage_text, stderr);
            goto out;
        }
    }
    if (optind + 1 != argc) {
        lw_cli_error(optind >= argc ? "vet needs one PROFILE; see 'lurewatch vet --help'"
                                    : "vet takes one PROFILE; see 'lurewatch vet --help'");
        goto out;
    }
    if (today) {
        int y, m, d;
        if (lw_vet_parse_date(today, &y, &m, &d) < 0 || !m || !d) {
            lw_cli_error("--today takes a date as YYYY-MM-DD, not '%s'", today);
            goto out;
        }
        vo.today = lw_vet_days_from_civil(y, m, d);
    } else {
        vo.today = (long)(time(NULL) / 86400);
    }

    if (!bios) {
        snprintf(default_bios, sizeof(default_bios), "%s/suspicious-bios.txt", lw_cli_data_dir());
        if (file_exists(default_bios))
            bios = default_bios;
    }
    if (bios && (rc = lw_vet_refs_load_bios(&refs, bios, (size_t)16 << 20, &diag)) < 0) {
        lw_cli_diag(&diag);
        goto out;
    }
    if (hashes && (rc = lw_vet_refs_load_hashes(&refs, hashes, (size_t)64 << 20, &diag)) < 0) {
        lw_cli_diag(&diag);
        goto out;
    }
    vo.refs = &refs;
    if (!no_watchlist) {
        /* prints its own errors */
        if (lw_watchload_open(lw_cli_store_path(store), &watch) < 0)
            goto out;
        vo.watchlist = lw_watchload_get(watch);
    }

    rc = lw_profile_read(argv[optind], NULL, &prof, &diag);
    if (rc < 0) {
        lw_cli_diag(&diag);
        goto out;
    }
    rc = lw_vet_profile(prof, &vo, &res, &diag);
    if (rc < 0) {
        lw_cli_error("cannot vet '%s': %s", argv[optind], lw_strerror(rc));
        goto out;
    }
    if (fmt == OUT_JSON) {
        if (print_json(prof, res) < 0) {
            lw_cli_error("out of memory writing JSON");
            goto out;
        }
    } else {
        print_text(prof, res);
    }
    fflush(stdout);
    ret = res->rating >= LW_VET_MEDIUM ? LW_EXIT_FLAGGED : LW_EXIT_CLEAN;
out:
    lw_vet_result_free(res);
    lw_profile_free(prof);
    lw_vet_refs_release(&refs);
    lw_watchload_close(watch);
    return ret;
}
