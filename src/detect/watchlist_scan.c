/* watchlist_scan.c -- matching one message against the compiled watchlist
 * (lw_watchlist_match_msg in watchlist.h): the sender fields and the
 * normalised text are cut into candidates (addresses, URLs, domains, phone
 * numbers, handles, words around name anchors, template shingles), each
 * looked up in the indexes of watchlist_int.h and confirmed (stored key, or
 * lw_names_match_*) before it is reported. All state is per call. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/watchlist_int.h"
#include "text/norm.h"

enum field { F_NAME, F_ADDRESS, F_PROFILE, F_TEXT };
static const char *const field_names[] = {"from.name", "from.address", "from.profile", "text"};

/* ---- matching ------------------------------------------------------------ */

struct run {
    const struct lw_watchlist *wl;
    lw_indicator_fn *fn;
    void *ctx;
    int rc;         /* non-zero: stop (fn's value or LW_ENOMEM) */
    char today[16]; /* filled on first need */
    uint32_t *done; /* entry << 2 | field, reported already */
    size_t ndone, capdone;
    struct lw_arena *arena; /* per-call scratch (word keys) */
};

static bool reported(struct run *r, uint32_t entry, enum field f)
{
    uint32_t k = entry << 2 | (uint32_t)f;
    size_t i;

    for (i = 0; i < r->ndone; i++)
        if (r->done[i] == k)
            return true;
    return false;
}

/* Report one indicator (once per entry and field). `what` says what
 * matched; `detail` is the name matcher's explanation, or NULL. */
static void report(struct run *r, uint32_t entry, enum lw_name_strength st, enum field f, size_t s,
                   size_t e, const char *what, const char *detail)
{
    const struct lw_entry *en = &r->wl->list.v[entry];
    struct lw_indicator ind;

    if (r->rc || st == LW_NAME_NONE || reported(r, entry, f))
        return;
    if (en->expires) {
        if (!r->today[0])
            lw_entry_today(r->today, sizeof(r->today));
        if (lw_entry_expired(en, r->today))
            return;
    }
    if (en->type == LW_ENTRY_IMPERSONATED)
        st = LW_NAME_WEAK; /* the real person or company may well be the one writing */
    if (r->ndone == r->capdone) {
        size_t cap = r->capdone ? r->capdone * 2 : 16;
        uint32_t *v = realloc(r->done, cap * sizeof(*v));

        if (!v) {
            r->rc = LW_ENOMEM;
            return;
        }
        r->done = v;
        r->capdone = cap;
    }
    r->done[r->ndone++] = entry << 2 | (uint32_t)f;
    memset(&ind, 0, sizeof(ind));
    ind.entry = en;
    ind.strength = st;
    ind.field = field_names[f];
    ind.start = f == F_TEXT ? s : 0;
    ind.end = f == F_TEXT ? e : 0;
    /* A long value or explanation is cut: the why is a summary. */
    if (snprintf(
            ind.why, sizeof(ind.why), "%s matches %s '%.60s'%s (%.40s, %.10s)%s%.100s", what,
            en->type == LW_ENTRY_IMPERSONATED ? "the impersonated name"
                                              : lw_entry_type_name(en->type),
            en->value, en->type == LW_ENTRY_IMPERSONATED ? " of a real person or organisation" : "",
            en->source, en->date, detail ? ": " : "", detail ? detail : "") >= (int)sizeof(ind.why))
        memcpy(ind.why + sizeof(ind.why) - 4, "...", 4);
    r->rc = r->fn(r->ctx, &ind);
}

/* "domain br-yr.com": what matched, written only when something did. */
static void describe(char *buf, size_t size, const char *kind, const char *found)
{
    if (snprintf(buf, size, "%s %s", kind, found) >= (int)size)
        memcpy(buf + size - 4, "...", 4);
}

static void exact_hits(struct run *r, enum wl_kind k, const char *key, size_t n, enum field f,
                       size_t s, size_t e, const char *kind, const char *found)
{
    const struct lw_watchlist *wl = r->wl;
    uint64_t h = lw_wl_hkey(k, key, n);
    const uint32_t *ids;
    char what[300];
    size_t cnt, i;

    if (!lw_wl_filter_has(&wl->filter[k], h ? h : 1))
        return;
    ids = lw_wl_get(&wl->exact, h, &cnt);
    for (i = 0; i < cnt && !r->rc; i++) {
        const char *ek = wl->ekey[ids[i]];

        if (ek && strlen(ek) == n && !memcmp(ek, key, n)) {
            describe(what, sizeof(what), kind, found);
            report(r, ids[i], LW_NAME_STRONG, f, s, e, what, NULL);
        }
    }
}

/* Look-alike candidates (label or skeleton) confirmed by the handle matcher;
 * never stronger than MEDIUM, since the exact key did not match. */
static void lookalike_hits(struct run *r, enum wl_kind k, const char *key, size_t n,
                           const char *found, enum field f, size_t s, size_t e, const char *kind)
{
    const struct lw_watchlist *wl = r->wl;
    uint64_t h = lw_wl_hkey(k, key, n);
    struct lw_name_match m;
    const uint32_t *ids;
    char what[300];
    size_t cnt, i;

    if (!wl->names || !lw_wl_filter_has(&wl->filter[k], h ? h : 1))
        return;
    ids = lw_wl_get(&wl->exact, h, &cnt);
    for (i = 0; i < cnt && !r->rc; i++) {
        lw_names_match_handle(wl->names, wl->list.v[ids[i]].value, found, &m);
        if (m.strength >= LW_NAME_MEDIUM) {
            describe(what, sizeof(what), kind, found);
            report(r, ids[i], LW_NAME_MEDIUM, f, s, e, what, m.why);
        }
    }
}

static void match_domain(struct run *r, const char *d, size_t n, enum field f, size_t s, size_t e)
{
    char buf[512], skel[512];
    const char *p, *lab;
    size_t labn;

    if (n == 0 || n >= sizeof(buf))
        return;
    memcpy(buf, d, n);
    buf[n] = '\0';
    lw_watchlist_lower(buf);
    while (n && buf[n - 1] == '.')
        buf[--n] = '\0';
    /* the domain itself and every parent with a dot in it */
    for (p = buf; p && strchr(p, '.'); p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL)
        exact_hits(r, WL_K_DOMAIN, p, strlen(p), f, s, e, "domain", buf);
    if (lw_watchlist_reg_label(buf, n, &lab, &labn) && labn >= 4) {
        lw_watchlist_skeleton(lab, labn, skel, sizeof(skel));
        lookalike_hits(r, WL_K_LABEL, skel, strlen(skel), buf, f, s, e, "domain");
    }
}

static void match_email(struct run *r, const char *a, size_t n, enum field f, size_t s, size_t e)
{
    char buf[512];
    const char *at;

    if (n == 0 || n >= sizeof(buf))
        return;
    memcpy(buf, a, n);
    buf[n] = '\0';
    lw_watchlist_lower(buf);
    exact_hits(r, WL_K_EMAIL, buf, n, f, s, e, "e-mail address", buf);
    at = strrchr(buf, '@');
    if (at)
        match_domain(r, at + 1, strlen(at + 1), f, s, e);
}

static void match_url(struct run *r, const char *u, size_t n, enum field f, size_t s, size_t e)
{
    char c[1024];
    size_t hn;

    if (n == 0 || n >= 2048)
        return;
    lw_watchlist_canon_url(u, n, c, sizeof(c));
    exact_hits(r, WL_K_URL, c, strlen(c), f, s, e, "URL", c);
    hn = strcspn(c, "/");
    match_domain(r, c, hn, f, s, e);
}

static void match_phone(struct run *r, const char *p, size_t n, enum field f, size_t s, size_t e)
{
    char d[64];
    size_t nd = lw_watchlist_phone_digits(p, n, d, sizeof(d));
    const char *k;

    if (nd < 7 || nd > 17)
        return;
    k = lw_watchlist_phone_key(d, nd);
    exact_hits(r, WL_K_PHONE, k, strlen(k), f, s, e, "phone number", d);
}

static void match_handle(struct run *r, const char *h, size_t n, bool lookalikes, enum field f,
                         size_t s, size_t e)
{
    char buf[256], skel[256];

    if (n && h[0] == '@') {
        h++;
        n--;
    }
    if (n < 3 || n >= sizeof(buf))
        return;
    memcpy(buf, h, n);
    buf[n] = '\0';
    lw_watchlist_lower(buf);
    exact_hits(r, WL_K_HANDLE, buf, n, f, s, e, "handle", buf);
    if (lookalikes) {
        lw_watchlist_skeleton(buf, n, skel, sizeof(skel));
        lookalike_hits(r, WL_K_SKEL, skel, strlen(skel), buf, f, s, e, "handle");
    }
}

static bool in_set(int c, const char *set)
{
    return c && strchr(set, c);
}

static bool url_end(int c)
{
    switch (c) {
    case '"':
    case '\'':
    case '<':
    case '>':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
        return true;
    default:
        return false;
    }
}

static bool digit(int c)
{
    return (unsigned)(c - '0') < 10;
}

static bool alnum(int c)
{
    return (unsigned)((c | 32) - 'a') < 26 || (unsigned)(c - '0') < 10;
}

static bool starts(const char *t, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);

    return n >= k && !memcmp(t, prefix, k);
}

static bool email_local(int c)
{
    return alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static bool host_char(int c)
{
    return alnum(c) || c == '.' || c == '-';
}

/* Does t[s, e) look like a domain: labels of [a-z0-9-], a dot, and a
 * top-level label of at least two letters? */
static bool looks_like_domain(const char *t, size_t s, size_t e)
{
    size_t i, dot = 0;
    bool alpha_tld = true;

    for (i = s; i < e; i++)
        if (t[i] == '.')
            dot = i;
    if (!dot || dot == s || e - dot - 1 < 2)
        return false;
    for (i = dot + 1; i < e; i++)
        if (!isalpha((unsigned char)t[i]))
            alpha_tld = false;
    return alpha_tld;
}

/* Where the host name that ends the word t[s, e) starts: after the last
 * character a host name cannot hold, or two dots in a row, and past a
 * leading '.' or '-'. (So "x..host.com" holds the domain host.com however
 * the address look came to the word.) */
static size_t host_start(const char *t, size_t s, size_t e)
{
    size_t h = e;

    while (h > s && host_char((unsigned char)t[h - 1]) &&
           !(t[h - 1] == '.' && h - 1 > s && t[h - 2] == '.'))
        h--;
    while (h < e && (t[h] == '.' || t[h] == '-'))
        h++;
    return h;
}

/* A phone number starting at t[i]: digits and the separators people write
 * (+ - . space ( ) /), seven digits or more. */
static void phone_at(struct run *r, const char *t, size_t len, size_t i)
{
    size_t e, nd = 0;

    for (e = i; e < len; e++) {
        if (digit(t[e]))
            nd++;
        else if (!in_set(t[e], "+-. ()/") || (t[e] == ' ' && e + 1 < len && t[e + 1] == ' '))
            break;
    }
    while (e > i && !digit(t[e - 1]))
        e--;
    if (nd >= 7)
        match_phone(r, t + i, e - i, F_TEXT, i, e);
}

/* What starts at t[i], a character that may belong to an address: a URL, a
 * phone number, or a word of host characters (e-mail, domain, handle).
 * Returns where the look ended. */
static size_t exact_at(struct run *r, const char *t, size_t len, size_t i)
{
    const struct lw_watchlist *wl = r->wl;
    unsigned char c = (unsigned char)t[i];
    size_t s = i, e;

    if ((c == 'h' && (starts(t + i, len - i, "http://") || starts(t + i, len - i, "https://"))) ||
        (c == 'w' && starts(t + i, len - i, "www."))) {
        for (e = i;
             e < len && (unsigned char)t[e] > 0x20 && (unsigned char)t[e] < 0x7f && !url_end(t[e]);
             e++)
            ;
        while (e > s && (t[e - 1] == '.' || t[e - 1] == ',' || t[e - 1] == ';' || t[e - 1] == ':' ||
                         t[e - 1] == '!' || t[e - 1] == '?'))
            e--;
        match_url(r, t + s, e - s, F_TEXT, s, e);
        return e > i ? e : i + 1;
    }
    if (wl->any_phone && (digit(c) || (c == '+' && i + 1 < len && digit(t[i + 1]))))
        phone_at(r, t, len, i);
    if (host_char(c) || c == '@' || c == '_' || c == '+') {
        bool at_handle = c == '@';
        size_t at = 0, k;

        for (e = i + 1; e < len; e++) {
            if (t[e] == '@') {
                if (!at)
                    at = e;
            } else if (!email_local((unsigned char)t[e])) {
                break;
            }
        }
        while (e > s + 1 && (t[e - 1] == '.' || t[e - 1] == '-' || t[e - 1] == '_'))
            e--;
        if (at >= e)
            at = 0;
        if (at && !at_handle) {
            if (looks_like_domain(t, at + 1, e))
                match_email(r, t + s, e - s, F_TEXT, s, e);
        } else if (at_handle) {
            match_handle(r, t + s, e - s, true, F_TEXT, s, e);
        } else {
            /* A host name in a word with '_' (my_site.com) is no domain. */
            k = host_start(t, s, e);
            if ((k == s || t[k - 1] != '_') && looks_like_domain(t, k, e))
                match_domain(r, t + k, e - k, F_TEXT, k, e);
            else if (wl->any_handle && e - s >= 3 &&
                     lw_wl_filter_has(&wl->filter[WL_K_HANDLE_WORD],
                                      lw_watchlist_word_hash(t + s, e - s)))
                match_handle(r, t + s, e - s, false, F_TEXT, s, e);
        }
        return e > i ? e : i + 1;
    }
    return i + 1;
}

/* The characters that can make a word an e-mail address, a URL, a domain,
 * a handle with separators or a phone number. Prose between them is
 * skipped by strcspn (vectorised in glibc); plain words that are handles
 * are found among the words in names_in. With no phone number and no
 * handle listed, a digit, '+' or '_' starts nothing of its own: an address
 * with one has an '@', '.', ':' or '/' too, and the look back from that
 * finds the same word start -- and the digits of prose (dates, prices) are
 * most of the stops. */
static const char specials[] = "@._:/+0123456789";
static const char specials_addr[] = "@.:/";

/* Is the word that ends at t[k] letters and digits only, with something
 * that is no part of an address before it (or the text's start)? i is
 * where the scan resumed: a word that began before it is not known. */
static bool plain_word_before(const char *t, size_t i, size_t k)
{
    size_t j = k;

    while (j > i && alnum((unsigned char)t[j - 1]))
        j--;
    if (j == 0)
        return true;
    if (j == i)
        return false;
    return !host_char((unsigned char)t[j - 1]) && t[j - 1] != '_' && t[j - 1] != '@' &&
           t[j - 1] != '+' && t[j - 1] != '%';
}

/* E-mail addresses, URLs, domains, phone numbers and handles in the text. */
static void scan_exact(struct run *r, const char *t, size_t len)
{
    const char *stops = r->wl->any_phone || r->wl->any_handle ? specials : specials_addr;
    size_t i = 0, k, s;

    while (i < len && !r->rc) {
        k = i + strcspn(t + i, stops);
        if (k >= len)
            break;
        if (t[k] == '\0') {
            i = k + 1; /* a NUL inside the text: go on after it */
            continue;
        }
        /* A full stop or colon ending a word ("... to you. Regards:") joins
         * nothing to what follows (unless an '@' follows: "x.@host" is
         * looked at whole), and the word before it holds no other special
         * character (the look would have stopped there first): it can only
         * be a handle. A word of letters and digits alone is a word names_in
         * looks at as a handle already, so only a word with '-' or '%' in
         * it, when handles are listed, is worth a look here. Most stops in
         * prose end here. */
        if ((t[k] == '.' || t[k] == ':') &&
            !(k + 1 < len &&
              (alnum((unsigned char)t[k + 1]) || t[k + 1] == '/' || t[k + 1] == '@')) &&
            (!r->wl->any_handle || plain_word_before(t, i, k))) {
            i = k + 1;
            continue;
        }
        /* back to the start of the word that holds it */
        for (s = k; s > i && (host_char((unsigned char)t[s - 1]) || t[s - 1] == '_' ||
                              t[s - 1] == '@' || t[s - 1] == '+' || t[s - 1] == '%');
             s--)
            ;
        if (s == i && i > 0 && alnum((unsigned char)t[i - 1]))
            s = k; /* the word began before the last look: only its rest is left */
        i = exact_at(r, t, len, s);
        if (i <= k)
            i = k + 1;
    }
}

/* ---- names in text ---- */

/* The person keys of the words around the current anchor, by word index.
 * Anchors are visited in order and look WL_PAIR_SPAN words either way, so a
 * table indexed by the word's index modulo its size holds every word of one
 * window, and a word that two nearby anchors share is worked out once. */
enum { WK_SLOTS = 16 };
_Static_assert(WK_SLOTS > 2 * WL_PAIR_SPAN, "a window of words must fit in the key table");

struct wordkeys {
    size_t idx; /* the word these keys are of, when done */
    char **k;
    uint64_t *kh; /* lw_wl_hstr of each key */
    size_t n;
    bool done;
};

/* The person keys of word i of the text: from the watchlist's own cache for
 * words of listed names, else from the matcher. */
static struct wordkeys *keys_of(struct run *r, const char *t, const struct wl_tok *tok,
                                struct wordkeys *table, size_t i)
{
    const struct lw_watchlist *wl = r->wl;
    struct wordkeys *wk = &table[i % WK_SLOTS];
    struct wl_keyacc acc;
    const uint32_t *ids;
    char w[256];
    size_t n = tok[i].e - tok[i].s, cnt, k;

    if (wk->done && wk->idx == i)
        return wk;
    memset(wk, 0, sizeof(*wk));
    wk->idx = i;
    wk->done = true;
    if (tok[i].han || n >= sizeof(w))
        return wk;
    ids = lw_wl_get(&wl->words, tok[i].fh, &cnt);
    for (k = 0; k < cnt; k++) {
        const struct wl_wordkeys *c = &wl->wk[ids[k]];

        if (strlen(c->word) == n && !memcmp(c->word, t + tok[i].s, n)) {
            wk->k = c->keys;
            wk->kh = c->kh;
            wk->n = c->n;
            return wk;
        }
    }
    memcpy(w, t + tok[i].s, n);
    w[n] = '\0';
    acc.a = r->arena;
    acc.n = 0;
    if (lw_names_person_keys(wl->names, w, lw_watchlist_key_cb, &acc) == LW_ENOMEM) {
        r->rc = LW_ENOMEM;
        return wk;
    }
    wk->k = lw_arena_calloc(r->arena, acc.n ? acc.n : 1, sizeof(char *));
    wk->kh = lw_arena_calloc(r->arena, acc.n ? acc.n : 1, sizeof(uint64_t));
    if (!wk->k || !wk->kh) {
        r->rc = LW_ENOMEM;
        wk->n = 0;
        return wk;
    }
    memcpy(wk->k, acc.keys, acc.n * sizeof(char *));
    for (k = 0; k < acc.n; k++)
        wk->kh[k] = lw_wl_hstr(acc.keys[k]);
    wk->n = acc.n;
    return wk;
}

struct cand {
    uint32_t name;
    uint32_t lo, hi; /* word span */
};

static int cand_add(struct cand **v, size_t *n, size_t *cap, uint32_t name, size_t lo, size_t hi)
{
    size_t i;

    for (i = 0; i < *n; i++) {
        if ((*v)[i].name == name) {
            (*v)[i].lo = LW_MIN((*v)[i].lo, (uint32_t)lo);
            (*v)[i].hi = LW_MAX((*v)[i].hi, (uint32_t)hi);
            return LW_OK;
        }
    }
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        struct cand *nv = realloc(*v, c * sizeof(*nv));

        if (!nv)
            return LW_ENOMEM;
        *v = nv;
        *cap = c;
    }
    (*v)[(*n)++] = (struct cand){name, (uint32_t)lo, (uint32_t)hi};
    return LW_OK;
}

/* Confirm a person candidate against words [lo, hi] of t and report it. */
/* How much a person-name match says. A name is never proof of identity
 * (DESIGN §5): a persona's full name is at most MEDIUM; a one-word name
 * ("Ken") is WEAK, and only when a sender calls themself just that. */
static enum lw_name_strength person_strength(const struct wl_name *wn, enum lw_name_strength st)
{
    if (wn->words == 1)
        return LW_MIN(st, LW_NAME_WEAK);
    return LW_MIN(st, LW_NAME_MEDIUM);
}

static void confirm_person(struct run *r, const char *t, const struct wl_tok *tok, size_t ntok,
                           uint32_t name, size_t lo, size_t hi, enum field f)
{
    const struct wl_name *wn = &r->wl->pn[name];
    struct lw_name_match m;
    char span[LW_NAMES_MAX_INPUT], what[LW_NAMES_MAX_INPUT + 32];
    size_t s = tok[lo].s, e = tok[hi].e;
    bool partial;

    if (e - s >= sizeof(span) || reported(r, wn->entry, f))
        return;
    if (wn->words == 1 && !(f == F_NAME && ntok == 1))
        return;
    /* Part of a longer name ("big brother" of "Big Brother Andy") is a
     * common phrase as often as a name: weak at most. */
    partial = hi - lo + 1 < wn->words;
    if (partial && f == F_TEXT)
        return; /* "big brother" in a text says nothing about "Big Brother Andy" */
    memcpy(span, t + s, e - s);
    span[e - s] = '\0';
    lw_names_match_person(r->wl->names, wn->s, span, &m);
    /* In the text only a name that is more than a shared surname or given
     * name counts; in the sender's name a weak match is still evidence. */
    if (m.strength < (f == F_TEXT ? LW_NAME_MEDIUM : LW_NAME_WEAK))
        return;
    snprintf(what, sizeof(what), "name '%s' (%s name match)", span,
             lw_name_strength_name(m.strength));
    report(r, wn->entry, partial ? LW_NAME_WEAK : person_strength(wn, m.strength), f, s, e, what,
           m.why);
}

static void collect(const struct wl_map *m, uint64_t h, size_t lo, size_t hi, struct cand **c,
                    size_t *nc, size_t *cap, int *rc)
{
    const uint32_t *ids;
    size_t n, i;

    ids = lw_wl_get(m, h, &n);
    for (i = 0; i < n && *rc == LW_OK; i++)
        *rc = cand_add(c, nc, cap, ids[i], lo, hi);
}

/* The flags of a word in the anchor map (0: not an anchor). */
static unsigned anchor_flags(const struct lw_watchlist *wl, uint64_t h)
{
    const uint32_t *ids;
    size_t n, i;
    unsigned f = 0;

    ids = lw_wl_get(&wl->anchor, h, &n);
    for (i = 0; i < n; i++)
        f |= ids[i];
    return f;
}

/* A neighbour that cannot be part of a name: a common word that no name on
 * the list has, a number, or something far too long. */
static bool skip_neighbour(const struct lw_watchlist *wl, const char *t, const struct wl_tok *k)
{
    if (k->e - k->s > 24 || (unsigned)(t[k->s] - '0') < 10)
        return true;
    return lw_wl_has(&wl->stop, k->fh) && !(anchor_flags(wl, k->fh) & WL_A_PERSON);
}

/* Person names around the anchor word p: pairs of its keys with the keys of
 * the words up to WL_PAIR_SPAN away, its single keys, and joined neighbours. */
static void persons_at(struct run *r, const char *t, const struct wl_tok *tok, size_t ntok,
                       struct wordkeys *wk, size_t p, enum field f)
{
    const struct lw_watchlist *wl = r->wl;
    struct cand *c = NULL;
    size_t nc = 0, cap = 0, q, x, y, lo = p > WL_PAIR_SPAN ? p - WL_PAIR_SPAN : 0;
    size_t hi = LW_MIN(ntok - 1, p + WL_PAIR_SPAN);
    struct wordkeys *kp = keys_of(r, t, tok, wk, p), *kq;
    int rc = LW_OK;

    for (x = 0; x < kp->n && rc == LW_OK; x++)
        if (!strncmp(kp->k[x], "t:", 2))
            collect(&wl->single, kp->kh[x], p, p, &c, &nc, &cap, &rc);
    for (q = lo; q <= hi && rc == LW_OK && !r->rc; q++) {
        if (q == p || tok[q].han)
            continue;
        if (skip_neighbour(wl, t, &tok[q]))
            continue;
        kq = keys_of(r, t, tok, wk, q);
        for (x = 0; x < kp->n && rc == LW_OK; x++)
            for (y = 0; y < kq->n && rc == LW_OK; y++)
                collect(&wl->pair, lw_wl_hpair(kp->kh[x], kq->kh[y]), LW_MIN(p, q), LW_MAX(p, q),
                        &c, &nc, &cap, &rc);
        if (q + 1 == p || q == p + 1) {
            const char *a = lw_watchlist_primary_t(q < p ? kq->k : kp->k, q < p ? kq->n : kp->n);
            const char *b = lw_watchlist_primary_t(q < p ? kp->k : kq->k, q < p ? kp->n : kq->n);
            char joined[256];

            if (a && b) {
                snprintf(joined, sizeof(joined), "t:%s%s", a + 2, b + 2);
                collect(&wl->single, lw_wl_hstr(joined), LW_MIN(p, q), LW_MAX(p, q), &c, &nc, &cap,
                        &rc);
            }
        }
    }
    if (rc < 0)
        r->rc = rc;
    for (x = 0; x < nc && !r->rc; x++)
        confirm_person(r, t, tok, ntok, c[x].name, c[x].lo, c[x].hi, f);
    free(c);
}

/* Organisation names starting at word p: windows of 1..max_org words with
 * their legal forms dropped, looked up whole. A window of three words or
 * more is tried only if some listed name starts with its first two. */
static void orgs_at(struct run *r, const char *t, const struct wl_tok *tok, size_t ntok, size_t p,
                    enum field f)
{
    const struct lw_watchlist *wl = r->wl;
    char key[1024], span[LW_NAMES_MAX_INPUT], what[LW_NAMES_MAX_INPUT + 32];
    struct lw_name_match m;
    size_t len, i, cnt;

    for (len = 1; len <= wl->max_org && p + len <= ntok && !r->rc; len++) {
        const uint32_t *ids;

        if (len == 3 && (!lw_watchlist_org_key(t, tok + p, 2, " ", key, sizeof(key)) ||
                         !lw_wl_has(&wl->org2, lw_wl_hstr(key))))
            break;
        if (!lw_watchlist_org_key(t, tok + p, len, " ", key, sizeof(key)))
            continue;
        ids = lw_wl_get(&wl->org, lw_wl_hstr(key), &cnt);
        for (i = 0; i < cnt && !r->rc; i++) {
            const struct wl_name *wn = &wl->on[ids[i]];
            size_t s = tok[p].s, e = tok[p + len - 1].e;

            if (e - s >= sizeof(span) || reported(r, wn->entry, f))
                continue;
            memcpy(span, t + s, e - s);
            span[e - s] = '\0';
            lw_names_match_org(wl->names, wn->s, span, &m);
            if (m.strength < LW_NAME_MEDIUM)
                continue;
            snprintf(what, sizeof(what), "name '%s'", span);
            report(r, wn->entry, m.strength, f, s, e, what, m.why);
        }
    }
}

/* Han names written exactly: windows of 2..max_han characters from p. */
static void han_at(struct run *r, const char *t, const struct wl_tok *tok, size_t ntok, size_t p,
                   enum field f)
{
    const struct lw_watchlist *wl = r->wl;
    struct lw_name_match m;
    char span[WL_MAX_HAN_CHARS * 4 + 1], what[sizeof(span) + 32];
    size_t len, i, cnt;

    for (len = 2; len <= wl->max_han && p + len <= ntok && !r->rc; len++) {
        const uint32_t *ids;
        size_t s = tok[p].s, e = tok[p + len - 1].e;

        if (!tok[p + len - 1].han || tok[p + len - 1].s != tok[p + len - 2].e)
            break; /* a Han name is written without gaps */
        if (e - s >= sizeof(span))
            break;
        ids = lw_wl_get(&wl->han, XXH3_64bits(t + s, e - s), &cnt);
        for (i = 0; i < cnt && !r->rc; i++) {
            const struct wl_name *wn = &wl->pn[ids[i]];

            memcpy(span, t + s, e - s);
            span[e - s] = '\0';
            lw_names_match_person(wl->names, wn->s, span, &m);
            snprintf(what, sizeof(what), "name '%s'", span);
            /* The index matched the characters exactly. */
            report(r, wn->entry, person_strength(wn, LW_NAME_MEDIUM), f, s, e, what, m.why);
        }
    }
}

struct tcount {
    uint32_t entry, hits;
    size_t s, e;
};

/* Templates: the share of a template's shingles that the text contains. */
static void templates_in(struct run *r, const struct wl_tok *tok, size_t ntok)
{
    const struct lw_watchlist *wl = r->wl;
    struct tcount *tc = NULL;
    uint64_t *seen = NULL;
    size_t ntc = 0, captc = 0, nseen = 0, capseen = 0, i, k, j, cnt;
    size_t nsh = ntok >= WL_SHINGLE ? ntok - WL_SHINGLE + 1 : (ntok ? 1 : 0);

    for (i = 0; i < nsh && !r->rc; i++) {
        size_t w = LW_MIN((size_t)WL_SHINGLE, ntok);
        uint64_t h = lw_watchlist_shingle_hash(tok + i, w);
        const uint32_t *ids = lw_wl_get(&wl->tmpl, h, &cnt);

        if (!cnt)
            continue;
        for (k = 0; k < nseen && seen[k] != h; k++)
            ;
        if (k < nseen)
            continue; /* each shingle counts once */
        if (nseen == capseen) {
            size_t c = capseen ? capseen * 2 : 64;
            uint64_t *ns = realloc(seen, c * sizeof(*ns));

            if (!ns) {
                r->rc = LW_ENOMEM;
                break;
            }
            seen = ns;
            capseen = c;
        }
        seen[nseen++] = h;
        for (k = 0; k < cnt; k++) {
            for (j = 0; j < ntc && tc[j].entry != ids[k]; j++)
                ;
            if (j == ntc) {
                if (ntc == captc) {
                    size_t c = captc ? captc * 2 : 16;
                    struct tcount *nt = realloc(tc, c * sizeof(*nt));

                    if (!nt) {
                        r->rc = LW_ENOMEM;
                        goto out;
                    }
                    tc = nt;
                    captc = c;
                }
                tc[ntc++] = (struct tcount){ids[k], 0, tok[i].s, tok[i + w - 1].e};
            }
            tc[j].hits++;
            tc[j].e = tok[i + w - 1].e;
        }
    }
    for (j = 0; j < ntc && !r->rc; j++) {
        uint32_t total = wl->tshingles[tc[j].entry];
        double share = total ? (double)tc[j].hits / total : 0;
        char what[96];

        if (share < 0.6)
            continue;
        snprintf(what, sizeof(what), "%.0f%% of the text of a template", share * 100);
        report(r, tc[j].entry, share >= 0.9 ? LW_NAME_STRONG : LW_NAME_MEDIUM, F_TEXT, tc[j].s,
               tc[j].e, "text", what);
    }
out:
    free(tc);
    free(seen);
}

/* The names that can start at, or pair with, word i of tok, an anchor
 * candidate (its bit is set in the anchor filter). */
static void anchor_at(struct run *r, const char *t, const struct wl_tok *tok, size_t ntok,
                      struct wordkeys *wk, size_t i, enum field f)
{
    const struct lw_watchlist *wl = r->wl;
    const struct wl_tok *k = &tok[i];
    unsigned a = anchor_flags(wl, k->fh);

    if (!a)
        return;
    if ((a & WL_A_HAN) && k->han)
        han_at(r, t, tok, ntok, i, f);
    /* A common word that a listed name has ("he" for He) is looked at
     * from the name's other words, not as an anchor of its own. */
    if ((a & WL_A_PERSON) && !k->han && !r->rc && !lw_wl_has(&wl->stop, k->fh))
        persons_at(r, t, tok, ntok, wk, i, f);
    if ((a & WL_A_ORG) && !r->rc)
        orgs_at(r, t, tok, ntok, i, f);
}

struct window_ctx {
    struct run *r;
    const char *t;
    enum field f;
};

static int anchor_window(void *ctx, const struct wl_tok *tok, size_t n, size_t at)
{
    struct window_ctx *c = ctx;
    struct wordkeys wk[WK_SLOTS];

    memset(wk, 0, sizeof(wk)); /* its indexes are the window's */
    anchor_at(c->r, c->t, tok, n, wk, at, c->f);
    return c->r->rc;
}

/* Names (persons, organisations, Han) in a normalised string. */
static void names_in(struct run *r, const char *t, size_t len, enum field f, struct wl_tokv *tv)
{
    const struct lw_watchlist *wl = r->wl;
    struct wordkeys wk[WK_SLOTS];
    size_t i, after;
    int rc;

    /* With no handle or template listed, only anchors lead anywhere, and
     * only the words around them are needed: a text's anchors are looked
     * at in windows (a sender's name, one or two words, is cut whole, as
     * a one-word name counts only when it is all the field has). */
    after = LW_MAX((size_t)WL_PAIR_SPAN, LW_MAX((size_t)wl->max_org, (size_t)wl->max_han));
    if (!wl->any_handle && !wl->any_tmpl && f == F_TEXT && after <= WL_WINDOW_AFTER_MAX) {
        struct window_ctx c = {r, t, f};

        (void)lw_watchlist_anchor_windows(wl, t, len, after, anchor_window, &c);
        return;
    }
    if (!wl->any_handle && !wl->any_tmpl && !lw_watchlist_any_anchor(wl, t, len))
        return;
    memset(wk, 0, sizeof(wk));
    rc = lw_watchlist_tokenize(t, len, tv);
    if (rc < 0) {
        r->rc = rc;
        return;
    }
    for (i = 0; i < tv->n && !r->rc; i++) {
        const struct wl_tok *k = &tv->v[i];

        if (wl->any_handle && f == F_TEXT && !k->han &&
            lw_wl_filter_has(&wl->filter[WL_K_HANDLE_WORD], k->fh))
            match_handle(r, t + k->s, k->e - k->s, false, f, k->s, k->e);
        if (lw_wl_abit(wl, t + k->s, k->e - k->s)) /* most words: no anchor */
            anchor_at(r, t, tv->v, tv->n, wk, i, f);
    }
}

/* A sender field, normalised the way the text was. */
static char *norm_field(struct run *r, const char *s)
{
    char *n = NULL;
    size_t i, k = 0, len;
    int rc;

    if (!s || !*s)
        return NULL;
    len = strlen(s);
    for (i = 0; i < len && (unsigned char)s[i] < 0x80; i++)
        ;
    if (i == len) {
        /* ASCII (the usual sender field): what lw_norm would make of it --
         * lower case, blanks collapsed -- without its offset maps. */
        if (!(n = malloc(len + 1))) {
            r->rc = LW_ENOMEM;
            return NULL;
        }
        for (i = 0; i < len; i++) {
            char c = (char)tolower((unsigned char)s[i]);

            if (isspace((unsigned char)c)) {
                if (k && n[k - 1] == ' ')
                    continue;
                c = ' ';
            }
            if (isprint((unsigned char)c))
                n[k++] = c;
        }
        while (k && n[k - 1] == ' ')
            k--;
        n[k] = '\0';
        return n;
    }
    rc = lw_norm_str(s, len, &n, NULL);
    if (rc == LW_ENOMEM)
        r->rc = rc;
    return rc < 0 ? NULL : n;
}

static void sender(struct run *r, const struct lw_msg *msg, struct wl_tokv *tv)
{
    const struct lw_watchlist *wl = r->wl;
    char *name = norm_field(r, msg->from.name);
    char *addr = norm_field(r, msg->from.address);
    char *prof = norm_field(r, msg->from.profile);

    if (name && wl->any_names && !r->rc)
        names_in(r, name, strlen(name), F_NAME, tv);
    if (addr && !r->rc) {
        size_t n = strlen(addr);
        const char *at = strrchr(addr, '@');

        while (n && isspace((unsigned char)addr[n - 1]))
            addr[--n] = '\0';
        if (at && at != addr && strchr(at, '.'))
            match_email(r, addr, n, F_ADDRESS, 0, 0);
        else if (strstr(addr, "://") || !strncmp(addr, "www.", 4))
            match_url(r, addr, n, F_ADDRESS, 0, 0);
        else if (strspn(addr, "+0123456789-. ()/") == n)
            match_phone(r, addr, n, F_ADDRESS, 0, 0);
        else
            match_handle(r, addr, n, true, F_ADDRESS, 0, 0);
    }
    if (prof && !r->rc)
        match_url(r, prof, strlen(prof), F_PROFILE, 0, 0);
    free(name);
    free(addr);
    free(prof);
}

int lw_watchlist_match_msg(const struct lw_watchlist *wl, const struct lw_msg *msg,
                           const char *text, size_t text_len, lw_indicator_fn *fn, void *ctx)
{
    struct run r;
    struct wl_tokv tv = {NULL, 0, 0};

    if (!wl || !fn || wl->list.n == 0)
        return LW_OK;
    /* When handles or templates are listed, every word of the text is
     * kept: one allocation for the words of a usual message (about one
     * word in six bytes); lw_watchlist_tokenize grows it for a longer one.
     * Otherwise only a sender's name is cut into words, and the text is
     * looked at in windows (names_in). */
    if (wl->any_handle || wl->any_tmpl) {
        tv.cap = LW_MIN(text_len / 4 + 64, (size_t)WL_MAX_TOKENS);
        if (!(tv.v = malloc(tv.cap * sizeof(*tv.v))))
            return LW_ENOMEM;
    }
    memset(&r, 0, sizeof(r));
    r.wl = wl;
    r.fn = fn;
    r.ctx = ctx;
    if (wl->any_names && !(r.arena = lw_arena_new(4096)))
        return LW_ENOMEM;
    if (msg)
        sender(&r, msg, &tv);
    if (text && text_len && !r.rc) {
        if (wl->exact.slot)
            scan_exact(&r, text, text_len);
        if (!r.rc && (wl->any_names || wl->any_handle))
            names_in(&r, text, text_len, F_TEXT, &tv);
        if (!r.rc && wl->any_tmpl) {
            if (!wl->any_names && !wl->any_handle)
                r.rc = lw_watchlist_tokenize(text, text_len, &tv);
            if (!r.rc)
                templates_in(&r, tv.v, tv.n);
        }
    }
    free(tv.v);
    free(r.done);
    lw_arena_free(r.arena);
    return r.rc;
}
