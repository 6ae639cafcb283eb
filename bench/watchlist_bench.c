/* watchlist_bench.c -- how the watchlist scales (bench/watchlist.sh runs
 * it). Generates N synthetic entries (personas, fronts, domains, e-mail
 * addresses, handles, phone numbers, profile URLs, templates), writes them
 * to a fresh store in one transaction, then times what screening pays:
 *   - store open + load of the active entries + lw_watchlist_build;
 *   - lw_watchlist_match_msg per message with an empty watchlist, with the
 *     public watchlist (data/watchlist.csv) and with the N entries, beside
 *     the rest of screening (lw_norm, and lw_worker_screen when the rules
 *     load) so the throughput drop can be stated against real work.
 * Messages come from the inputs given (anything lw_reader reads), repeated
 * up to --messages. Prints the figures.
 *
 * Usage: watchlist_bench [--entries N] [--messages M] [--store PATH]
 *                        [--rules DIR] [--data DIR] [--show public] INPUT...
 * Exit 1 if load + build takes more than 1 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "detect/engine.h"
#include "detect/watchlist.h"
#include "ingest/reader.h"
#include "share/share.h"
#include "store/store.h"
#include "text/norm.h"

static double now(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

#define PICK(a) (a)[rnd((uint32_t)(sizeof(a) / sizeof((a)[0])))]

static const char *given[] = {
    "Amanda", "Jason",  "Kevin", "Lily",     "Rachel",   "Eric",   "Michael", "Anna",     "Tom",
    "Grace",  "Wei",    "Jing",  "Lei",      "Min",      "Hui",    "Yan",     "Xin",      "Ying",
    "Jun",    "Ming",   "Hao",   "Yu",       "Xiaoming", "Lihua",  "Jianguo", "Chenping", "Joan",
    "Alex",   "Allen",  "Eva",   "Laeticia", "Shirly",   "Robin",  "Lincoln", "Theron",   "Jeffery",
    "Keven",  "Sophia", "Emily", "Daniel",   "David",    "Sarah",  "Laura",   "Peter",    "James",
    "Olivia", "Chloe",  "Ethan", "Lucas",    "Mia",      "Nina",   "Oscar",   "Paul",     "Quentin",
    "Rosa",   "Simon",  "Tina",  "Victor",   "Wendy",    "Yvonne", "Zoe",     "Brian",    "Cathy",
    "Derek",  "Elaine", "Frank", "Gloria",   "Henry",    "Irene",  "Jack",    "Karen",    "Leo",
    "Monica", "Nathan", "Owen",  "Pamela",   "Ray",      "Sandy",  "Terry",   "Ursula",
};
static const char *surname[] = {
    "Wang",   "Li",      "Zhang",  "Liu",   "Chen",  "Yang",     "Huang",  "Zhao",    "Wu",
    "Zhou",   "Xu",      "Sun",    "Ma",    "Zhu",   "Hu",       "Guo",    "He",      "Lin",
    "Gao",    "Luo",     "Zheng",  "Liang", "Xie",   "Song",     "Tang",   "Han",     "Feng",
    "Deng",   "Cao",     "Peng",   "Zeng",  "Xiao",  "Tian",     "Dong",   "Pan",     "Yuan",
    "Cai",    "Jiang",   "Yu",     "Du",    "Ye",    "Cheng",    "Wei",    "Su",      "Lu",
    "Ding",   "Ren",     "Shen",   "Yao",   "Qiu",   "Wong",     "Chan",   "Lee",     "Cheung",
    "Lau",    "Ng",      "Tsang",  "Chow",  "Ho",    "Kwok",     "Leung",  "Tan",     "Lim",
    "Goh",    "Teo",     "Chua",   "Koh",   "Ong",   "Khoo",     "Chiu",   "Smith",   "Jones",
    "Miller", "Schmidt", "Dubois", "Rossi", "Novak", "Kowalski", "Petrov", "Ivanova",
};
static const char *hanzi_sur[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                  "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "邱", "沈"};
static const char *hanzi_given[] = {"伟", "静", "磊", "敏", "慧", "燕", "欣", "颖", "军",
                                    "明", "浩", "宇", "曼", "达", "佳", "瑛", "华", "国"};
static const char *org_a[] = {"Global",    "Pacific", "Asia",     "Euro",    "Atlantic",
                              "Strategic", "Sino",    "Northern", "Eastern", "Premier",
                              "United",    "Royal",   "Silver",   "Golden",  "Blue",
                              "Red",       "Green",   "Bright",   "New"};
static const char *org_b[] = {"Insight", "Talent",   "Policy",  "Research", "Horizon", "Bridge",
                              "Vision",  "Frontier", "Harbour", "Summit",   "Pioneer", "Nexus",
                              "Vector",  "Compass",  "Beacon",  "Meridian", "Orbit",   "Lotus"};
static const char *org_c[] = {
    "Consulting", "Partners",  "Executive Search", "Advisory",  "Review",  "Institute", "Group",
    "Holdings",   "Analytics", "Associates",       "Solutions", "Studies", "Forum",     "Media"};
static const char *legal[] = {"", "", " Ltd", " Ltd.", " LLC", " GmbH", " Co., Ltd"};
static const char *tld[] = {"com", "net", "org", "cn", "co.uk", "com.hk", "io", "info"};
static const char *platform[] = {"wechat", "telegram", "whatsapp", "signal", "linkedin"};
static const char *words[] = {
    "we",       "would",     "like",         "to",     "invite",   "you",         "write",
    "short",    "paid",      "reports",      "on",     "current",  "affairs",     "for",
    "our",      "clients",   "in",           "asia",   "and",      "europe",      "your",
    "insight",  "expertise", "is",           "highly", "valued",   "please",      "contact",
    "me",       "via",       "wechat",       "about",  "the",      "consultancy", "project",
    "fee",      "generous",  "confidential", "policy", "analysis", "opportunity", "remote",
    "flexible", "hours",     "colleagues"};

struct gen {
    struct lw_entry_list l;
    size_t counts[LW_ENTRY_IMPERSONATED + 1];
};

static int add(struct gen *g, enum lw_entry_type t, const char *value, const char *alias,
               const char *hanzi, const char *plat, size_t i)
{
    const char *aliases[1] = {alias};
    char src[32];
    struct lw_entry e;

    memset(&e, 0, sizeof(e));
    snprintf(src, sizeof(src), "synthetic feed %zu", i);
    e.type = t;
    e.value = value;
    e.aliases = alias ? aliases : NULL;
    e.n_aliases = alias ? 1 : 0;
    e.hanzi = hanzi;
    e.platform = plat;
    e.source = src;
    e.date = "2025-06";
    e.confidence = 50;
    g->counts[t]++;
    return lw_entry_list_add(&g->l, &e);
}

/* N entries in the proportions a large shared feed might have. */
static int generate(struct gen *g, size_t n)
{
    char v[512], a[256], h[64];
    size_t i;
    int rc = LW_OK;

    for (i = 0; i < n && rc == LW_OK; i++) {
        unsigned k = (unsigned)(i % 100);
        const char *gi = PICK(given), *su = PICK(surname);

        if (k < 40) {
            bool alias = rnd(10) < 3, hz = rnd(10) < 2;

            snprintf(v, sizeof(v), "%s %s", gi, su);
            snprintf(a, sizeof(a), "%s %s", su, gi);
            snprintf(h, sizeof(h), "%s%s%s", PICK(hanzi_sur), PICK(hanzi_given), PICK(hanzi_given));
            rc = add(g, LW_ENTRY_PERSONA, v, alias ? a : NULL, hz ? h : NULL, NULL, i);
        } else if (k < 55) {
            snprintf(v, sizeof(v), "%s %s %s%s", PICK(org_a), PICK(org_b), PICK(org_c),
                     PICK(legal));
            rc = add(g, LW_ENTRY_ORG, v, NULL, NULL, NULL, i);
        } else if (k < 70) {
            snprintf(v, sizeof(v), "%s-%s%u.%s", PICK(org_b), PICK(org_c), rnd(1000), PICK(tld));
            for (char *p = v; *p; p++)
                *p = *p == ' ' ? '-' : (char)(*p | 0x20);
            rc = add(g, LW_ENTRY_DOMAIN, v, NULL, NULL, NULL, i);
        } else if (k < 85) {
            snprintf(v, sizeof(v), "%s.%s%u@%s%u.%s", gi, su, rnd(10000), PICK(org_b), rnd(100),
                     PICK(tld));
            rc = add(g, LW_ENTRY_EMAIL, v, NULL, NULL, NULL, i);
        } else if (k < 93) {
            if (rnd(2))
                snprintf(v, sizeof(v), "wxid_%08x", rnd(0x7fffffff));
            else
                snprintf(v, sizeof(v), "%s_%s%u", gi, su, rnd(1000));
            rc = add(g, LW_ENTRY_HANDLE, v, NULL, NULL, PICK(platform), i);
        } else if (k < 97) {
            snprintf(v, sizeof(v), "+86 1%02u %04u %04u", rnd(100), rnd(10000), rnd(10000));
            rc = add(g, LW_ENTRY_PHONE, v, NULL, NULL, "wechat", i);
        } else if (k < 99 || i % 1000 != 999) {
            snprintf(v, sizeof(v), "https://www.linkedin.com/in/%s-%s-%06x/", gi, su,
                     rnd(0xffffff));
            rc = add(g, LW_ENTRY_URL, v, NULL, NULL, NULL, i);
        } else {
            size_t w = 12 + rnd(30), k2, len = 0;

            for (k2 = 0; k2 < w && len + 20 < sizeof(v); k2++)
                len +=
                    (size_t)snprintf(v + len, sizeof(v) - len, "%s%s", k2 ? " " : "", PICK(words));
            rc = add(g, LW_ENTRY_TEMPLATE, v, NULL, NULL, NULL, i);
        }
    }
    return rc;
}

struct nmsg {
    struct lw_msg *m;
    char *text; /* normalised */
    size_t len;
};

static bool show; /* --show: print each indicator of the public watchlist */

static int count_ind(void *ctx, const struct lw_indicator *ind)
{
    (*(size_t *)ctx)++;
    if (show)
        printf("  %s %s: %s\n", lw_name_strength_name(ind->strength), ind->field, ind->why);
    return LW_OK;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Median of 3 runs of matching every message; *found gets the indicators. */
static double time_match(const struct lw_watchlist *wl, const struct nmsg *ms, size_t n,
                         size_t *found)
{
    double t[3];
    size_t r, i;

    for (r = 0; r < 3; r++) {
        double t0 = now();

        *found = 0;
        for (i = 0; i < n; i++)
            if (lw_watchlist_match_msg(wl, ms[i].m, ms[i].text, ms[i].len, count_ind, found) < 0)
                fprintf(stderr, "match failed\n");
        t[r] = now() - t0;
    }
    qsort(t, 3, sizeof(*t), cmp_d);
    return t[1];
}

static struct lw_watchlist *public_watchlist(const char *data, const struct lw_names *names)
{
    char path[4096], *buf = NULL;
    struct lw_entry_list l;
    struct lw_watchlist *wl = NULL;
    struct lw_diag d;
    FILE *f;
    long len;

    snprintf(path, sizeof(path), "%s/watchlist.csv", data);
    lw_entry_list_init(&l);
    f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
        !(buf = malloc((size_t)len + 1)) || fread(buf, 1, (size_t)len, f) != (size_t)len ||
        lw_share_import(LW_SHARE_CSV, buf, (size_t)len, path, &l, &d) < 0 ||
        lw_watchlist_build(l.v, l.n, names, &wl, &d) < 0)
        fprintf(stderr, "public watchlist %s not loaded\n", path);
    if (f)
        fclose(f);
    free(buf);
    lw_entry_list_release(&l);
    return wl;
}

int main(int argc, char **argv)
{
    size_t n_entries = 100000, n_msgs = 3000, n = 0, cap = 0, i, found0, found_pub, found_big;
    const char *store = "bench-watchlist.db", *rules = NULL, *data = LW_DEFAULT_DATA_DIR;
    struct nmsg *ms = NULL;
    struct gen g;
    struct lw_store *s = NULL;
    struct lw_entry_list loaded;
    struct lw_watchlist *empty = NULL, *big = NULL, *pub = NULL;
    struct lw_names *names = NULL;
    struct lw_store_add_stats st;
    struct lw_limits lim;
    struct lw_diag d;
    struct lw_normtext nt;
    double t0, t_write, t_names, t_load, t_build, t_norm = 0, t_screen = -1, t_e, t_p, t_b;
    size_t text_bytes = 0, real = 0;
    int a, fail = 0;

    memset(&g, 0, sizeof(g));
    lw_entry_list_init(&g.l);
    lw_entry_list_init(&loaded);
    lw_diag_clear(&d);
    for (a = 1; a < argc && argv[a][0] == '-'; a += 2) {
        long v = 0;

        if (a + 1 >= argc)
            break;
        if (!strcmp(argv[a], "--entries") && lw_parse_long(argv[a + 1], &v) == 0 && v >= 0)
            n_entries = (size_t)v;
        else if (!strcmp(argv[a], "--messages") && lw_parse_long(argv[a + 1], &v) == 0 && v > 0)
            n_msgs = (size_t)v;
        else if (!strcmp(argv[a], "--store"))
            store = argv[a + 1];
        else if (!strcmp(argv[a], "--rules"))
            rules = argv[a + 1];
        else if (!strcmp(argv[a], "--data"))
            data = argv[a + 1];
        else if (!strcmp(argv[a], "--show") && !strcmp(argv[a + 1], "public"))
            show = true;
        else {
            fprintf(stderr, "usage: watchlist_bench [--entries N] [--messages M] [--store PATH] "
                            "[--rules DIR] [--data DIR] INPUT...\n");
            return 2;
        }
    }
    if (a >= argc) {
        fprintf(stderr, "watchlist_bench: give message files or folders\n");
        return 2;
    }
    if (lw_norm_global_init(&d) < 0 || lw_names_load(NULL, &names, &d) < 0) {
        fprintf(stderr, "setup: %s\n", d.msg);
        return 2;
    }

    /* 1. messages: read, normalise once (timed as the normaliser's cost) */
    lw_limits_default(&lim);
    lw_normtext_init(&nt);
    for (; a < argc; a++) {
        struct lw_reader *r = NULL;
        struct lw_msg *m;
        int rc;

        if (lw_reader_open(argv[a], LW_FORMAT_AUTO, &lim, &r, &d) < 0) {
            fprintf(stderr, "skipping %s: %s\n", argv[a], d.msg);
            continue;
        }
        while ((rc = lw_reader_next(r, &m, &d)) != 0) {
            if (rc < 0) {
                if (rc == LW_EPARSE || rc == LW_ELIMIT)
                    continue;
                break;
            }
            if (n == cap) {
                cap = cap ? cap * 2 : 1024;
                ms = realloc(ms, cap * sizeof(*ms));
                if (!ms)
                    return 2;
            }
            ms[n].m = m;
            t0 = now();
            if (lw_norm(m->text, m->text_len, m->text_is_html ? LW_NORM_HTML : 0, &nt, &d) < 0) {
                lw_msg_free(m);
                continue;
            }
            t_norm += now() - t0;
            ms[n].text = malloc(nt.len + 1);
            memcpy(ms[n].text, nt.s, nt.len + 1);
            ms[n].len = nt.len;
            text_bytes += nt.len;
            n++;
        }
        lw_reader_free(r);
    }
    lw_normtext_release(&nt);
    if (!n) {
        fprintf(stderr, "watchlist_bench: no messages read\n");
        return 2;
    }
    real = n;
    t_norm /= (double)n;
    /* repeat up to n_msgs (the copies share the originals' messages) */
    if (n < n_msgs) {
        ms = realloc(ms, n_msgs * sizeof(*ms));
        for (i = n; i < n_msgs; i++)
            ms[i] = ms[i % real];
        n = n_msgs;
        text_bytes = 0;
        for (i = 0; i < n; i++)
            text_bytes += ms[i].len;
    }

    /* 2. entries into a fresh store, one transaction */
    if (generate(&g, n_entries) < 0)
        return 2;
    unlink(store);
    {
        char p[4200];

        snprintf(p, sizeof(p), "%s-wal", store);
        unlink(p);
        snprintf(p, sizeof(p), "%s-shm", store);
        unlink(p);
    }
    t0 = now();
    if (lw_store_open(store, 0, &s, &d) < 0 ||
        lw_store_add_entries(s, g.l.v, g.l.n, 0, &st, &d) < 0) {
        fprintf(stderr, "store: %s\n", d.msg);
        return 2;
    }
    lw_store_close(s);
    s = NULL;
    t_write = now() - t0;

    /* 3. what a screening process pays at start: open, load, build */
    t0 = now();
    lw_names_free(names);
    if (lw_names_load(NULL, &names, &d) < 0)
        return 2;
    t_names = now() - t0;
    t0 = now();
    if (lw_store_open(store, LW_STORE_READONLY, &s, &d) < 0 ||
        lw_store_load_active(s, &loaded, &d) < 0) {
        fprintf(stderr, "load: %s\n", d.msg);
        return 2;
    }
    t_load = now() - t0;
    t0 = now();
    if (lw_watchlist_build_take(&loaded, names, &big, &d) < 0) {
        fprintf(stderr, "build: %s\n", d.msg);
        return 2;
    }
    t_build = now() - t0;
    lw_store_close(s);
    if (lw_watchlist_build(NULL, 0, names, &empty, &d) < 0)
        return 2;
    pub = public_watchlist(data, names);

    /* 4. the rest of screening, for scale: the engine without a watchlist */
    if (rules) {
        struct lw_engine *e = NULL;
        struct lw_worker *w = NULL;
        struct lw_verdict *v = calloc(1, sizeof(*v));

        if (v && lw_engine_new(rules, NULL, &e, &d) == 0 && lw_worker_new(e, &w, &d) == 0) {
            t0 = now();
            for (i = 0; i < n; i++)
                if (lw_worker_screen(w, ms[i].m, v, &d) < 0)
                    break;
            t_screen = (now() - t0) / (double)n;
        } else {
            fprintf(stderr, "engine not measured: %s\n", d.msg);
        }
        lw_worker_free(w);
        lw_engine_free(e);
        free(v);
    }

    /* 5. matching */
    t_e = time_match(empty, ms, n, &found0) / (double)n;
    if (pub && show) {
        size_t once = 0;

        for (i = 0; i < real; i++)
            if (lw_watchlist_match_msg(pub, ms[i].m, ms[i].text, ms[i].len, count_ind, &once) < 0)
                break;
        show = false;
    }
    t_p = pub ? time_match(pub, ms, n, &found_pub) / (double)n : 0;
    t_b = time_match(big, ms, n, &found_big) / (double)n;

    printf("entries: %zu in the store (%zu personas, %zu orgs, %zu domains, %zu e-mails, "
           "%zu handles, %zu phones, %zu URLs, %zu templates); %zu active after load and build\n",
           st.added, g.counts[LW_ENTRY_PERSONA], g.counts[LW_ENTRY_ORG], g.counts[LW_ENTRY_DOMAIN],
           g.counts[LW_ENTRY_EMAIL], g.counts[LW_ENTRY_HANDLE], g.counts[LW_ENTRY_PHONE],
           g.counts[LW_ENTRY_URL], g.counts[LW_ENTRY_TEMPLATE], lw_watchlist_count(big));
    printf("store write, one transaction:   %.3f s\n", t_write);
    printf("surname table load (fixed):     %.3f s\n", t_names);
    printf("store open + load active:       %.3f s\n", t_load);
    printf("watchlist build:                %.3f s\n", t_build);
    printf("load + build:                   %.3f s   (target <= 1 s)\n", t_load + t_build);
    printf("messages: %zu (%zu distinct), %.1f KiB of normalised text on average\n", n, real,
           (double)text_bytes / (double)n / 1024.0);
    printf("per message: lw_norm %.1f us", t_norm * 1e6);
    if (t_screen >= 0)
        printf(", engine screen (rules, no watchlist) %.1f us", t_screen * 1e6);
    printf("\n");
    printf("match, empty watchlist:         %.2f us/message (%zu indicators)\n", t_e * 1e6, found0);
    if (pub)
        printf("match, public watchlist (%zu):   %.2f us/message (%zu indicators)\n",
               lw_watchlist_count(pub), t_p * 1e6, found_pub);
    printf("match, %zu entries:         %.2f us/message (%zu indicators)\n",
           lw_watchlist_count(big), t_b * 1e6, found_big);
    {
        double base = t_screen >= 0 ? t_screen : t_norm;

        printf("added per message by %zu entries vs an empty watchlist: %.1f us, %.0f%% of the "
               "engine's own work (%s)\n",
               lw_watchlist_count(big), (t_b - t_e) * 1e6, (t_b - t_e) / base * 100.0,
               t_screen >= 0 ? "normalise, rules, score" : "normalise");
    }
    if (t_load + t_build > 1.0)
        fail = 1;
    for (i = 0; i < real; i++) {
        lw_msg_free(ms[i].m);
        free(ms[i].text);
    }
    free(ms);
    lw_watchlist_free(big);
    lw_watchlist_free(empty);
    lw_watchlist_free(pub);
    lw_entry_list_release(&loaded);
    lw_entry_list_release(&g.l);
    lw_names_free(names);
    lw_norm_global_free();
    return fail;
}
