/* watchlist_match.c -- copy watchlist indicators into a verdict. */
#include <stdio.h>
#include <string.h>

#include "detect/watchlist.h"
#include "detect/watchlist_match.h"

/* Points per strength, and the cap on their sum (see the header). */
static const int strength_points[] = {0, 4, 15, 30};
#define MAX_POINTS 40

struct collect {
    struct lw_normtext *nt;
    struct lw_verdict *v;
    int best[LW_ENTRY_IMPERSONATED + 1]; /* per entry type: the strongest */
};

static int on_indicator(void *p, const struct lw_indicator *ind)
{
    struct collect *c = p;
    struct lw_verdict_indicator *out;
    const struct lw_entry *e = ind->entry;
    unsigned i;

    /* One entry once per verdict: the strongest sighting wins. */
    for (i = 0; i < c->v->n_indicators; i++) {
        out = &c->v->indicators[i];
        if (!strcmp(out->value, e->value) && !strcmp(out->type, lw_entry_type_name(e->type)))
            return LW_OK;
    }
    if (c->v->n_indicators == LW_MAX_INDICATORS)
        return LW_OK;
    out = &c->v->indicators[c->v->n_indicators++];
    memset(out, 0, sizeof(*out));
    snprintf(out->type, sizeof(out->type), "%s", lw_entry_type_name(e->type));
    snprintf(out->value, sizeof(out->value), "%s", e->value);
    snprintf(out->source, sizeof(out->source), "%s", e->source ? e->source : "");
    snprintf(out->date, sizeof(out->date), "%s", e->date ? e->date : "");
    snprintf(out->field, sizeof(out->field), "%s", ind->field);
    snprintf(out->strength, sizeof(out->strength), "%s", lw_name_strength_name(ind->strength));
    snprintf(out->why, sizeof(out->why), "%s", ind->why);
    if ((unsigned)ind->strength < LW_ARRAY_LEN(strength_points))
        out->points = strength_points[ind->strength];
    /* An approach comes from one sender: several personas (or several
     * fronts) named in one message are what a report or an alert reads
     * like, so each type counts once, at its strongest. A persona with its
     * front, or with its address, still adds up. */
    if ((unsigned)e->type < LW_ARRAY_LEN(c->best) && out->points > c->best[e->type])
        c->best[e->type] = out->points;
    if (!strcmp(ind->field, "text") && ind->end > ind->start && ind->end <= c->nt->len)
        return lw_normtext_span(c->nt, ind->start, ind->end, &out->span.start, &out->span.end);
    return LW_OK;
}

int lw_watchlist_screen(const struct lw_watchlist *wl, const struct lw_msg *m,
                        struct lw_normtext *nt, struct lw_verdict *v, int *points)
{
    struct collect c = {nt, v, {0}};
    int rc, sum = 0;
    size_t i;

    rc = lw_watchlist_match_msg(wl, m, nt->s, nt->len, on_indicator, &c);
    for (i = 0; i < LW_ARRAY_LEN(c.best); i++)
        sum += c.best[i];
    *points = sum > MAX_POINTS ? MAX_POINTS : sum;
    return rc;
}
