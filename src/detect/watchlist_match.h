/* watchlist_match.h -- the bridge between the watchlist and a verdict:
 * match one message against the watchlist, copy each indicator into the
 * verdict (so it stands alone) and say how many points they add.
 * Points by strength: strong 30, medium 15, weak 4. Each entry type
 * counts once, at its strongest match (several personas in one message
 * are a report's list, not one sender), and the total is capped
 * at 40 so a watchlist hit strengthens other evidence rather than
 * replacing it (DESIGN §5: a name alone is weak evidence). */
#ifndef LW_WATCHLIST_MATCH_H
#define LW_WATCHLIST_MATCH_H

#include "detect/verdict.h"
#include "text/norm.h"

struct lw_watchlist;

LW_NODISCARD int lw_watchlist_screen(const struct lw_watchlist *wl, const struct lw_msg *m,
                                     struct lw_normtext *nt, struct lw_verdict *v, int *points);

#endif
