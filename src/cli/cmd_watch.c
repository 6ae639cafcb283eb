/* cmd_watch.c -- `lurewatch watch`: manage the watchlist of personas,
 * fronts and their indicators in the store (add, list, remove, import,
 * export). The store is created and seeded with the public watchlist on
 * first use (watchstore.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/watchstore.h"
#include "share/share.h"

static const char usage_text[] =
    "usage: lurewatch watch add --type TYPE --value VALUE --source WHO --date DATE [options]\n"
    "   or: lurewatch watch list [--type TYPE] [--format text|json]\n"
    "   or: lurewatch watch remove ID\n"
    "   or: lurewatch watch import FILE [--format csv|stix|misp]\n"
    "   or: lurewatch watch export [--format csv|stix|misp] [-o FILE] [--tlp LEVEL]\n"
    "\n"
    "The watchlist holds false personas, front companies and their indicators, each\n"
    "with who published it and when. Messages are screened against it.\n"
    "\n"
    "Types: persona, org, domain, email, url, phone, handle, template, impersonated\n"
    "(a real person or organisation whose name was used: never a persona).\n"
    "\n"
    "add:\n"
    "  -t, --type TYPE         the kind of entry (required)\n"
    "  -v, --value VALUE       the name, domain, address, URL, number, handle or text\n"
    "      --alias NAME        another published spelling (repeatable)\n"
    "      --hanzi CHARS       the persona's name in Chinese characters, if known\n"
    "      --platform NAME     for a handle or number: wechat, telegram, linkedin, ...\n"
    "      --source WHO        who published it (required)\n"
    "      --source-url URL    where\n"
    "      --date DATE         when: YYYY-MM or YYYY-MM-DD (required)\n"
    "      --confidence N      0-100 (default 50)\n"
    "      --note TEXT         anything a reader should know\n"
    "      --expires DATE      stop matching after this date\n"
    "      --related VALUE     the value of a linked entry, e.g. the front a persona\n"
    "                          claims to work for (repeatable)\n"
    "list:\n"
    "  -t, --type TYPE         only this type\n"
    "  -f, --format FMT        text (default) or json\n"
    "import:\n"
    "  -f, --format FMT        csv, stix or misp (default: from the content)\n"
    "                          The whole file is checked first; if any entry is bad\n"
    "                          nothing is written. Entries already there are skipped.\n"
    "export:\n"
    "  -f, --format FMT        csv (default), stix or misp\n"
    "  -o, --output FILE       write to FILE instead of standard output\n"
    "  -t, --type TYPE         only this type\n"
    "      --tlp LEVEL         clear, green, amber (default), amber+strict or red\n"
    "every command:\n"
    "      --store PATH        the store (default $LUREWATCH_STORE or lurewatch.db)\n"
    "      --no-public         on first use, start empty instead of with the public\n"
    "                          watchlist (data/watchlist.csv)\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit codes: 0 done, 2 error.\n";

enum {
    O_ALIAS = 1000,
    O_HANZI,
    O_PLATFORM,
    O_SOURCE,
    O_SOURCE_URL,
    O_DATE,
    O_CONFIDENCE,
    O_NOTE,
    O_EXPIRES,
    O_RELATED,
    O_TLP,
    O_STORE,
    O_NO_PUBLIC,
};

struct watch_opts {
    struct lw_entry e;
    const char *aliases[LW_ENTRY_MAX_ALIASES];
    const char *related[LW_ENTRY_MAX_ALIASES];
    bool has_type, has_conf;
    const char *format;
    const char *output;
    const char *tlp;
    const char *store;
    unsigned store_flags;
    char **args; /* the operands: subcommand first */
    int nargs;
};

static int parse(int argc, char **argv, struct watch_opts *o)
{
    static const struct option longopts[] = {
        {"type", required_argument, NULL, 't'},
        {"value", required_argument, NULL, 'v'},
        {"alias", required_argument, NULL, O_ALIAS},
        {"hanzi", required_argument, NULL, O_HANZI},
        {"platform", required_argument, NULL, O_PLATFORM},
        {"source", required_argument, NULL, O_SOURCE},
        {"source-url", required_argument, NULL, O_SOURCE_URL},
        {"date", required_argument, NULL, O_DATE},
        {"confidence", required_argument, NULL, O_CONFIDENCE},
        {"note", required_argument, NULL, O_NOTE},
        {"expires", required_argument, NULL, O_EXPIRES},
        {"related", required_argument, NULL, O_RELATED},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"tlp", required_argument, NULL, O_TLP},
        {"store", required_argument, NULL, O_STORE},
        {"no-public", no_argument, NULL, O_NO_PUBLIC},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long l;
    int c;

    memset(o, 0, sizeof(*o));
    o->e.confidence = 50;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":t:v:f:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            if (lw_entry_type_parse(optarg, &o->e.type) < 0) {
                lw_cli_error("unknown type '%s' (persona, org, domain, email, url, phone, "
                             "handle, template, impersonated)",
                             optarg);
                return -1;
            }
            o->has_type = true;
            break;
        case 'v':
            o->e.value = optarg;
            break;
        case O_ALIAS:
        case O_RELATED:
            if ((c == O_ALIAS ? o->e.n_aliases : o->e.n_related) >= LW_ENTRY_MAX_ALIASES) {
                lw_cli_error("too many --%s values", c == O_ALIAS ? "alias" : "related");
                return -1;
            }
            if (c == O_ALIAS)
                o->aliases[o->e.n_aliases++] = optarg;
            else
                o->related[o->e.n_related++] = optarg;
            break;
        case O_HANZI:
            o->e.hanzi = optarg;
            break;
        case O_PLATFORM:
            o->e.platform = optarg;
            break;
        case O_SOURCE:
            o->e.source = optarg;
            break;
        case O_SOURCE_URL:
            o->e.source_url = optarg;
            break;
        case O_DATE:
            o->e.date = optarg;
            break;
        case O_CONFIDENCE:
            if (lw_parse_long(optarg, &l) < 0 || l < 0 || l > 100) {
                lw_cli_error("--confidence takes a number from 0 to 100, not '%s'", optarg);
                return -1;
            }
            o->e.confidence = (int)l;
            o->has_conf = true;
            break;
        case O_NOTE:
            o->e.note = optarg;
            break;
        case O_EXPIRES:
            o->e.expires = optarg;
            break;
        case 'f':
            o->format = optarg;
            break;
        case 'o':
            o->output = optarg;
            break;
        case O_TLP:
            o->tlp = optarg;
            break;
        case O_STORE:
            o->store = optarg;
            break;
        case O_NO_PUBLIC:
            o->store_flags |= LW_WATCHSTORE_NO_PUBLIC;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 1;
        case ':':
            lw_cli_error("option '%s' needs a value", argv[optind - 1]);
            return -1;
        default:
            lw_cli_error("unknown option '%s'; see 'lurewatch watch --help'", argv[optind - 1]);
            return -1;
        }
    }
    o->e.aliases = o->aliases;
    o->e.related = o->related;
    o->args = argv + optind;
    o->nargs = argc - optind;
    return 0;
}

/* The operand count a subcommand takes (besides itself). */
static bool operands(const struct watch_opts *o, int n, const char *what)
{
    if (o->nargs - 1 == n)
        return true;
    if (o->nargs - 1 < n)
        lw_cli_error("'watch %s' needs %s", o->args[0], what);
    else
        lw_cli_error("'watch %s': unexpected argument '%s'", o->args[0], o->args[n + 1]);
    return false;
}

static int cmd_add(struct watch_opts *o)
{
    struct lw_store *s = NULL;
    struct lw_diag d;
    long long id = 0;
    int ret = LW_EXIT_ERROR;

    if (!operands(o, 0, "no operands (use --value)"))
        return ret;
    if (!o->has_type || !o->e.value || !o->e.source || !o->e.date) {
        lw_cli_error("'watch add' needs --type, --value, --source and --date");
        return ret;
    }
    lw_diag_clear(&d);
    if (lw_entry_check(&o->e, &d) < 0) {
        lw_cli_error("cannot add: %s", d.msg);
        return ret;
    }
    if (lw_watchstore_open(o->store, o->store_flags, &s) < 0)
        return ret;
    if (lw_store_add_entry(s, &o->e, &id, &d) < 0) {
        lw_cli_error("cannot add %s '%s': %s", lw_entry_type_name(o->e.type), o->e.value, d.msg);
        goto out;
    }
    printf("added #%lld %s '%s'\n", id, lw_entry_type_name(o->e.type), o->e.value);
    ret = LW_EXIT_CLEAN;
out:
    lw_store_close(s);
    return ret;
}

static json_t *entry_json(const struct lw_entry *e, const char *today)
{
    json_t *j = json_object(), *a;
    size_t i;

    json_object_set_new(j, "id", json_integer(e->id));
    json_object_set_new(j, "type", json_string(lw_entry_type_name(e->type)));
    json_object_set_new(j, "value", json_string(e->value));
    a = json_array();
    for (i = 0; i < e->n_aliases; i++)
        json_array_append_new(a, json_string(e->aliases[i]));
    json_object_set_new(j, "aliases", a);
    json_object_set_new(j, "hanzi", e->hanzi ? json_string(e->hanzi) : json_null());
    json_object_set_new(j, "platform", e->platform ? json_string(e->platform) : json_null());
    json_object_set_new(j, "source", json_string(e->source));
    json_object_set_new(j, "source_url", e->source_url ? json_string(e->source_url) : json_null());
    json_object_set_new(j, "date", json_string(e->date));
    json_object_set_new(j, "confidence", json_integer(e->confidence));
    json_object_set_new(j, "note", e->note ? json_string(e->note) : json_null());
    json_object_set_new(j, "expires", e->expires ? json_string(e->expires) : json_null());
    json_object_set_new(j, "expired", json_boolean(lw_entry_expired(e, today)));
    a = json_array();
    for (i = 0; i < e->n_related; i++)
        json_array_append_new(a, json_string(e->related[i]));
    json_object_set_new(j, "related", a);
    json_object_set_new(j, "created", e->created ? json_string(e->created) : json_null());
    return j;
}

static void print_text(const struct lw_entry *e, const char *today)
{
    size_t i;

    printf("#%-5lld %-12s %s", e->id, lw_entry_type_name(e->type),
           e->type == LW_ENTRY_TEMPLATE ? "(template)" : e->value);
    if (e->hanzi)
        printf(" %s", e->hanzi);
    if (e->platform)
        printf(" [%s]", e->platform);
    if (lw_entry_expired(e, today))
        printf(" [expired %s]", e->expires);
    printf("\n       source: %s, %s; confidence %d", e->source, e->date, e->confidence);
    if (e->source_url)
        printf("; %s", e->source_url);
    putchar('\n');
    if (e->n_aliases) {
        printf("       also:");
        for (i = 0; i < e->n_aliases; i++)
            printf("%s %s", i ? "," : "", e->aliases[i]);
        putchar('\n');
    }
    if (e->n_related) {
        printf("       linked to:");
        for (i = 0; i < e->n_related; i++)
            printf("%s %s", i ? "," : "", e->related[i]);
        putchar('\n');
    }
    if (e->type == LW_ENTRY_TEMPLATE) {
        printf("       text: ");
        for (i = 0; e->value[i] && i < 200; i++)
            putchar(e->value[i] == '\n' || e->value[i] == '\t' ? ' ' : e->value[i]);
        printf("%s\n", e->value[i] ? "..." : "");
    }
    if (e->note)
        printf("       note: %s\n", e->note);
}

static int cmd_list(struct watch_opts *o)
{
    struct lw_store *s = NULL;
    struct lw_entry_list l;
    struct lw_store_query q = {0, NULL};
    struct lw_diag d;
    char today[16];
    bool json = false;
    size_t i;
    int ret = LW_EXIT_ERROR;

    lw_entry_list_init(&l);
    if (!operands(o, 0, "no operands"))
        return ret;
    if (o->format && !strcmp(o->format, "json"))
        json = true;
    else if (o->format && strcmp(o->format, "text")) {
        lw_cli_error("unknown list format '%s' (text, json)", o->format);
        return ret;
    }
    if (o->has_type)
        q.type = o->e.type;
    if (lw_watchstore_open(o->store, o->store_flags, &s) < 0)
        return ret;
    lw_diag_clear(&d);
    if (lw_store_list(s, &q, &l, &d) < 0) {
        lw_cli_diag(&d);
        goto out;
    }
    lw_entry_today(today, sizeof(today));
    if (json) {
        json_t *a = json_array();
        char *txt;

        for (i = 0; i < l.n; i++)
            json_array_append_new(a, entry_json(&l.v[i], today));
        txt = json_dumps(a, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        json_decref(a);
        if (!txt) {
            lw_cli_error("out of memory");
            goto out;
        }
        puts(txt);
        free(txt);
    } else {
        for (i = 0; i < l.n; i++)
            print_text(&l.v[i], today);
        if (!l.n)
            printf("the watchlist is empty\n");
    }
    ret = LW_EXIT_CLEAN;
out:
    lw_entry_list_release(&l);
    lw_store_close(s);
    return ret;
}

static int cmd_remove(struct watch_opts *o)
{
    struct lw_store *s = NULL;
    struct lw_diag d;
    long id;
    int ret = LW_EXIT_ERROR;

    if (!operands(o, 1, "the id of the entry (see 'watch list')"))
        return ret;
    if (lw_parse_long(o->args[1], &id) < 0 || id <= 0) {
        lw_cli_error("'%s' is not an entry id (a number from 'watch list')", o->args[1]);
        return ret;
    }
    if (lw_watchstore_open(o->store, o->store_flags, &s) < 0)
        return ret;
    lw_diag_clear(&d);
    if (lw_store_remove(s, id, &d) < 0) {
        lw_cli_error("cannot remove: %s", d.msg);
        goto out;
    }
    printf("removed #%ld\n", id);
    ret = LW_EXIT_CLEAN;
out:
    lw_store_close(s);
    return ret;
}

static int cmd_import(struct watch_opts *o)
{
    enum lw_share_format fmt = LW_SHARE_AUTO;
    struct lw_store *s = NULL;
    struct lw_entry_list l;
    struct lw_store_add_stats st;
    struct lw_diag d;
    const char *file;
    char *data = NULL;
    size_t len = 0;
    int ret = LW_EXIT_ERROR;

    lw_entry_list_init(&l);
    if (!operands(o, 1, "a file to import (csv, stix or misp; - for standard input)"))
        return ret;
    file = o->args[1];
    if (o->format && lw_share_format_parse(o->format, &fmt) < 0) {
        lw_cli_error("unknown import format '%s' (csv, stix, misp)", o->format);
        return ret;
    }
    if (lw_watchstore_read_file(file, LW_SHARE_MAX_INPUT, &data, &len) < 0)
        return ret;
    lw_diag_clear(&d);
    /* Everything is parsed and checked before the store is touched. */
    if (lw_share_import(fmt, data, len, file, &l, &d) < 0) {
        lw_cli_diag(&d);
        lw_cli_error("nothing imported");
        goto out;
    }
    if (lw_watchstore_open(o->store, o->store_flags, &s) < 0)
        goto out;
    if (lw_store_add_entries(s, l.v, l.n, LW_STORE_SKIP_DUPLICATES, &st, &d) < 0) {
        lw_cli_error("%s: %s", file, d.msg);
        lw_cli_error("nothing imported");
        goto out;
    }
    printf("imported %zu entr%s from %s", st.added, st.added == 1 ? "y" : "ies", file);
    if (st.skipped)
        printf(" (%zu already in the watchlist)", st.skipped);
    putchar('\n');
    ret = LW_EXIT_CLEAN;
out:
    free(data);
    lw_entry_list_release(&l);
    lw_store_close(s);
    return ret;
}

/* Write buf to path through a temporary file renamed into place, so a
 * failed write never leaves half a file. */
static int write_file(const char *path, const struct lw_buf *b)
{
    char tmp[4096];
    FILE *f;
    int ok;

    snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
    f = fopen(tmp, "wb");
    if (!f) {
        lw_cli_error("cannot write '%s': %s", tmp, strerror(errno));
        return -1;
    }
    ok = fwrite(lw_buf_str(b), 1, b->len, f) == b->len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        lw_cli_error("cannot write '%s': %s", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int cmd_export(struct watch_opts *o)
{
    enum lw_share_format fmt = LW_SHARE_CSV;
    struct lw_share_opts so = {NULL, o->tlp, NULL};
    struct lw_store_query q = {0, NULL};
    struct lw_buf out = LW_BUF_INIT((size_t)1 << 31);
    struct lw_store *s = NULL;
    struct lw_entry_list l;
    struct lw_diag d;
    int ret = LW_EXIT_ERROR;

    lw_entry_list_init(&l);
    if (!operands(o, 0, "no operands (use -o FILE)"))
        return ret;
    if (o->format && lw_share_format_parse(o->format, &fmt) < 0) {
        lw_cli_error("unknown export format '%s' (csv, stix, misp)", o->format);
        return ret;
    }
    if (o->has_type)
        q.type = o->e.type;
    if (lw_watchstore_open(o->store, o->store_flags, &s) < 0)
        return ret;
    lw_diag_clear(&d);
    if (lw_store_list(s, &q, &l, &d) < 0 || lw_share_export(fmt, l.v, l.n, &so, &out, &d) < 0) {
        lw_cli_error("cannot export: %s", d.msg);
        goto out;
    }
    if (o->output && strcmp(o->output, "-")) {
        if (write_file(o->output, &out) < 0)
            goto out;
    } else if (fwrite(lw_buf_str(&out), 1, out.len, stdout) != out.len || fflush(stdout)) {
        lw_cli_error("cannot write the export: %s", strerror(errno));
        goto out;
    }
    ret = LW_EXIT_CLEAN;
out:
    lw_buf_release(&out);
    lw_entry_list_release(&l);
    lw_store_close(s);
    return ret;
}

int cmd_watch(int argc, char **argv)
{
    struct watch_opts o;
    int rc = parse(argc, argv, &o);

    if (rc)
        return rc > 0 ? LW_EXIT_CLEAN : LW_EXIT_ERROR;
    if (o.nargs == 0) {
        fputs(usage_text, stderr);
        return LW_EXIT_ERROR;
    }
    if (!strcmp(o.args[0], "add"))
        return cmd_add(&o);
    if (!strcmp(o.args[0], "list") || !strcmp(o.args[0], "ls"))
        return cmd_list(&o);
    if (!strcmp(o.args[0], "remove") || !strcmp(o.args[0], "rm"))
        return cmd_remove(&o);
    if (!strcmp(o.args[0], "import"))
        return cmd_import(&o);
    if (!strcmp(o.args[0], "export"))
        return cmd_export(&o);
    lw_cli_error("'%s' is not a watch command (add, list, remove, import, export)", o.args[0]);
    return LW_EXIT_ERROR;
}
