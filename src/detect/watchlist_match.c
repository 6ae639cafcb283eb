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
    int points;
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
    c->points += out->points;
    if (!strcmp(ind->field, "text") && ind->end > ind->start && ind->end <= c->nt->len)
        return lw_normtext_span(c->nt, ind->start, ind->end, &out->span.start, &out->span.end);
    return LW_OK;
}

int lw_watchlist_screen(const struct lw_watchlist *wl, const struct lw_msg *m,
                        struct lw_normtext *nt, struct lw_verdict *v, int *points)
{
    struct collect c = {nt, v, 0};
    int rc;

    rc = lw_watchlist_match_msg(wl, m, nt->s, nt->len, on_indicator, &c);
    *points = c.points > MAX_POINTS ? MAX_POINTS : c.points;
    return rc;
}
