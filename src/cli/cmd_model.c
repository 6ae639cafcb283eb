/* cmd_model.c -- "lurewatch model": train the classifier on labelled
 * messages, check a model file, or show its heaviest features
 * (docs/model.md). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "cli/cli.h"
#include "detect/model.h"
#include "ingest/reader.h"
#include "text/norm.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: lurewatch model train -o FILE [options] INPUT ...\n"
               "   or: lurewatch model check [FILE]\n"
               "\n"
               "train  fit the classifier to labelled messages and write a model file.\n"
               "       INPUT is read like `lurewatch scan` reads it; a message's 'label'\n"
               "       says what it is: approach, or benign, reporting or scam (not an\n"
               "       approach); messages without one are skipped, except those of\n"
               "       --negatives inputs, which are all taken as not approaches\n"
               "check  load a model file (default: the built-in one) and report its\n"
               "       first problem as FILE:LINE:COL: message; exit 0 if there is none\n"
               "\n"
               "  -o, --output FILE       where to write the model ('-' for stdout)\n"
               "      --negatives PATH    an input whose messages are all not approaches\n"
               "                          (a folder of mail, say); may be repeated\n"
               "      --negatives-weight X  what each such message weighs against a labelled\n"
               "                          one (default 1)\n"
               "      --l2 X              L2 penalty (default 0.1)\n"
               "      --epochs N          passes over the data (default 40)\n"
               "      --min-df N          learn only features in N messages or more (default 2)\n"
               "      --max-features N    keep the N heaviest features (default 8000)\n"
               "      --pos-share X       share of the loss given to approaches (default 0.5)\n"
               "  -h, --help              print this help\n");
}

/* The built-in model: data/model.tsv in the data folder. */
const char *lw_cli_model_path(const char *opt)
{
    static char path[4096];

    if (opt)
        return opt;
    snprintf(path, sizeof(path), "%s/model.tsv", lw_cli_data_dir());
    return path;
}

struct train_counts {
    unsigned long approach, other, unlabelled, skipped;
};

static bool is_negative_label(const char *l)
{
    return !strcmp(l, "benign") || !strcmp(l, "reporting") || !strcmp(l, "scam");
}

/* Read one input and add its labelled messages to the trainer. */
static int train_input(struct lw_trainer *t, const char *path, bool negatives, double neg_weight,
                       struct lw_normtext *nt, struct train_counts *c)
{
    struct lw_limits lim;
    struct lw_reader *r = NULL;
    struct lw_diag d;
    struct lw_msg *m;
    int rc;

    lw_limits_default(&lim);
    lw_diag_clear(&d);
    rc = lw_reader_open(path, LW_FORMAT_AUTO, &lim, &r, &d);
    if (rc < 0) {
        lw_cli_diag(&d);
        return rc;
    }
    for (;;) {
        bool approach;
        lw_diag_clear(&d);
        rc = lw_reader_next(r, &m, &d);
        if (rc == 0)
            break;
        if (rc == LW_EPARSE || rc == LW_ELIMIT) {
            lw_cli_diag(&d); /* one bad record is reported and skipped */
            c->skipped++;
            continue;
        }
        if (rc < 0) {
            lw_cli_diag(&d);
            break;
        }
        rc = lw_msg_complete(m, &lim, &d);
        if (rc < 0) {
            lw_cli_diag(&d);
            c->skipped++;
            lw_msg_free(m);
            continue;
        }
        if (negatives) {
            approach = false;
        } else if (m->label && (!strcmp(m->label, "approach") || is_negative_label(m->label))) {
            approach = !strcmp(m->label, "approach");
        } else {
            c->unlabelled++;
            lw_msg_free(m);
            continue;
        }
        rc = lw_norm(m->text ? m->text : "", m->text_len, m->text_is_html ? LW_NORM_HTML : 0, nt,
                     &d);
        if (rc == LW_OK)
            rc = lw_trainer_add(t, nt->s, nt->len, approach, negatives ? neg_weight : 1);
        lw_msg_free(m);
        if (rc < 0) {
            lw_cli_error("%s: cannot learn from it: %s", path, lw_strerror(rc));
            break;
        }
        if (approach)
            c->approach++;
        else
            c->other++;
    }
    lw_reader_free(r);
    return rc < 0 ? rc : LW_OK;
}

static int parse_num(const char *opt, const char *arg, double lo, double hi, double *out)
{
    char *end;
    double d = strtod(arg, &end);

    if (end == arg || *end || !(d >= lo && d <= hi)) {
        lw_cli_error("%s takes a number from %g to %g, not '%s'", opt, lo, hi, arg);
        return LW_EINVAL;
    }
    *out = d;
    return LW_OK;
}

static int model_train(int argc, char **argv)
{
    enum { O_NEG = 1000, O_NEGW, O_L2, O_EPOCHS, O_MINDF, O_MAXF, O_POS };
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'},
        {"negatives", required_argument, NULL, O_NEG},
        {"negatives-weight", required_argument, NULL, O_NEGW},
        {"l2", required_argument, NULL, O_L2},
        {"epochs", required_argument, NULL, O_EPOCHS},
        {"min-df", required_argument, NULL, O_MINDF},
        {"max-features", required_argument, NULL, O_MAXF},
        {"pos-share", required_argument, NULL, O_POS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct lw_train_opts to;
    const char *output = NULL;
    char **neg = calloc((size_t)argc + 1, sizeof(*neg));
    size_t n_neg = 0;
    struct lw_trainer *t = NULL;
    struct lw_normtext nt;
    struct train_counts cnt = {0};
    struct lw_buf comment = LW_BUF_INIT(1 << 16);
    struct lw_diag d;
    FILE *out = NULL;
    double x, neg_weight = 1;
    int c, i, rc = LW_EXIT_ERROR;

    if (!neg)
        return LW_EXIT_ERROR;
    lw_train_opts_default(&to);
    lw_normtext_init(&nt);
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case O_NEG:
            neg[n_neg++] = optarg;
            break;
        case O_NEGW:
            if (parse_num("--negatives-weight", optarg, 0.0001, 1, &neg_weight) < 0)
                goto out;
            break;
        case O_L2:
            if (parse_num("--l2", optarg, 0, 1000, &to.l2) < 0)
                goto out;
            break;
        case O_EPOCHS:
            if (parse_num("--epochs", optarg, 1, 10000, &x) < 0)
                goto out;
            to.epochs = (unsigned)x;
            break;
        case O_MINDF:
            if (parse_num("--min-df", optarg, 1, 1e6, &x) < 0)
                goto out;
            to.min_df = (unsigned)x;
            break;
        case O_MAXF:
            if (parse_num("--max-features", optarg, 1, 1e7, &x) < 0)
                goto out;
            to.max_features = (size_t)x;
            break;
        case O_POS:
            if (parse_num("--pos-share", optarg, 0.01, 0.99, &to.pos_share) < 0)
                goto out;
            break;
        case 'h':
            usage(stdout);
            rc = LW_EXIT_CLEAN;
            goto out;
        default:
            usage(stderr);
            goto out;
        }
    }
    if (!output || (optind >= argc && n_neg == 0)) {
        lw_cli_error(!output ? "model train needs -o FILE" : "model train needs inputs");
        usage(stderr);
        goto out;
    }
    lw_diag_clear(&d);
    if (lw_norm_global_init(&d) < 0 || lw_trainer_new(&to, &t) < 0) {
        lw_cli_diag(&d);
        goto out;
    }
    if (lw_buf_appends(&comment, "lurewatch model, trained by `lurewatch model train` on:") < 0)
        goto out;
    for (i = optind; i < argc; i++)
        if (train_input(t, argv[i], false, 1, &nt, &cnt) < 0 ||
            lw_buf_printf(&comment, "\n  %s", argv[i]) < 0)
            goto out;
    for (size_t k = 0; k < n_neg; k++)
        if (train_input(t, neg[k], true, neg_weight, &nt, &cnt) < 0 ||
            lw_buf_printf(&comment, "\n  %s (all taken as not approaches)", neg[k]) < 0)
            goto out;
    out = strcmp(output, "-") ? fopen(output, "w") : stdout;
    if (!out) {
        lw_cli_error("cannot write %s", output);
        goto out;
    }
    lw_diag_clear(&d);
    if (lw_trainer_fit(t, lw_buf_str(&comment), out, &d) < 0) {
        lw_cli_diag(&d);
        goto out;
    }
    fprintf(stderr,
            "lurewatch: trained on %lu approaches and %lu other messages (%lu unlabelled and "
            "%lu bad skipped)\n",
            cnt.approach, cnt.other, cnt.unlabelled, cnt.skipped);
    rc = LW_EXIT_CLEAN;
out:
    if (out && out != stdout && fclose(out) != 0 && rc == LW_EXIT_CLEAN) {
        lw_cli_error("cannot write %s", output);
        rc = LW_EXIT_ERROR;
    }
    lw_trainer_free(t);
    lw_normtext_release(&nt);
    lw_buf_release(&comment);
    free(neg);
    return rc;
}

static int model_check(int argc, char **argv)
{
    struct lw_model *m = NULL;
    struct lw_diag d;
    const char *path;

    if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
        usage(argc == 2 && !strcmp(argv[1], "--help") ? stdout : stderr);
        return argc == 2 && !strcmp(argv[1], "--help") ? LW_EXIT_CLEAN : LW_EXIT_ERROR;
    }
    path = lw_cli_model_path(argc == 2 ? argv[1] : NULL);
    lw_diag_clear(&d);
    if (lw_model_load(path, &m, &d) < 0) {
        lw_cli_diag(&d);
        return LW_EXIT_ERROR;
    }
    printf("%s: %zu features\n", path, lw_model_n_features(m));
    lw_model_free(m);
    return LW_EXIT_CLEAN;
}

int cmd_model(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return LW_EXIT_ERROR;
    }
    if (!strcmp(argv[1], "train"))
        return model_train(argc - 1, argv + 1);
    if (!strcmp(argv[1], "check"))
        return model_check(argc - 1, argv + 1);
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage(stdout);
        return LW_EXIT_CLEAN;
    }
    lw_cli_error("unknown model command '%s'", argv[1]);
    usage(stderr);
    return LW_EXIT_ERROR;
}
