/* verdict.c -- the verdict's two encodings: JSON (one object, DESIGN §4)
 * and text for a person. Both quote evidence from the original text. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "detect/verdict.h"

static const char *const level_names[] = {"none", "low", "medium", "high"};

const char *lw_level_name(enum lw_level l)
{
    return (unsigned)l < LW_ARRAY_LEN(level_names) ? level_names[l] : "none";
}

int lw_level_parse(const char *s, enum lw_level *out)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(level_names); i++)
        if (!strcmp(s, level_names[i])) {
            *out = (enum lw_level)i;
            return LW_OK;
        }
    return LW_EINVAL;
}

/* Advice for the whole message, by level. Neutral about which state is
 * behind an approach: every national channel is named alike. */
static const char *const level_advice_en[] = {
    "Nothing here matches the recruitment tactics lurewatch knows. Stay alert if later messages "
    "offer paid work, ask to move to a private channel or ask about your work.",
    "Single cues that honest mail shows too. No action is needed, but if later messages add a "
    "paid offer, a private channel or questions about your work, screen them again.",
    "This looks like a recruitment approach. Do not send reports, your CV or colleagues' "
    "contacts, and do not move to a private channel. Keep the messages and tell your security "
    "team.",
    "This looks like a recruitment approach that has reached requests. Stop contact, keep "
    "everything, and report it now to your security team or the national channel (for example "
    "NPSA/MI5 via your security officer in the UK, the BfV in Germany, ASIO in Australia, the "
    "AIVD in the Netherlands, 12339 in China).",
};
static const char *const level_advice_zh[] = {
    "未发现lurewatch已知的拉拢手法。如果后续消息提出有偿工作、要求转到私人渠道或打听你的工作，请保"
    "持警惕。",
    "仅有正常邮件中也常见的个别迹象，暂无需处理；如果后续消息出现有偿邀约、私人渠道或打听工作的情况"
    "，请再次检测。",
    "这看起来是一次拉拢接触。不要发送报告、简历或同事的联系方式，也不要转到私人渠道。保存记录并告知"
    "本单位安全部门。",
    "这看起来是已进入索取信息阶段的拉拢接触。请停止联系、保存全部记录，并立即向本单位安全部门或国家"
    "渠道报告"
    "（例如中国12339、英国经本单位安全官报告NPSA/MI5、德国BfV、澳大利亚ASIO、荷兰AIVD）。",
};

static const char *tactic_name(const struct lw_tactic *t, enum lw_lang lang)
{
    return lang == LW_LANG_ZH && t->name_zh ? t->name_zh : t->name;
}

static const char *tactic_advice(const struct lw_tactic *t, enum lw_lang lang)
{
    return lang == LW_LANG_ZH && t->advice_zh ? t->advice_zh : t->advice;
}

/* The names of the input defects, in the order the JSON lists them. */
static const struct {
    unsigned bit;
    const char *name;
} defect_names[] = {
    {LW_DEFECT_BAD_UTF8, "invalid-utf8"}, {LW_DEFECT_TRUNCATED, "truncated"},
    {LW_DEFECT_BAD_MIME, "bad-mime"},     {LW_DEFECT_BAD_HEADER, "bad-header"},
    {LW_DEFECT_NO_TEXT, "no-text"},       {LW_DEFECT_BAD_CSV, "bad-csv"},
};

/* Append s[0, n) as a JSON string, escaped by jansson. LW_EINVAL when
 * jansson refuses it (invalid UTF-8). */
static int append_json_string(struct lw_buf *out, const char *s, size_t n)
{
    json_t *j;
    char small[512], *big = NULL;
    size_t i, len;
    int rc;

    /* Printable ASCII with no quote or backslash is its own JSON string;
     * most ids, codes and names are, and they need no jansson. */
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            break;
    }
    if (i == n) {
        rc = lw_buf_appendc(out, '"');
        if (rc == LW_OK)
            rc = lw_buf_append(out, s, n);
        return rc == LW_OK ? lw_buf_appendc(out, '"') : rc;
    }
    j = json_stringn(s, n);
    if (!j)
        return LW_EINVAL;
    len = json_dumpb(j, small, sizeof(small), JSON_ENCODE_ANY);
    if (len > sizeof(small)) {
        big = json_dumps(j, JSON_ENCODE_ANY);
        rc = big ? lw_buf_appends(out, big) : LW_ENOMEM;
    } else {
        rc = len ? lw_buf_append(out, small, len) : LW_ENOMEM;
    }
    free(big);
    json_decref(j);
    return rc;
}

/* The verdict's JSON is written straight into the buffer: building a
 * jansson tree for it and dumping that cost six times as much. The
 * bytes are still the ones the tree gave (json_dumps with JSON_COMPACT |
 * JSON_PRESERVE_ORDER), and the helpers below follow its rules. *first is
 * true until the object or array being written has a member, and says
 * whether the next one needs a comma. */

/* The comma unless this is the first member, then "key": (key is NULL for
 * an array element). Keys are constants that need no escaping. */
static int put_key(struct lw_buf *out, bool *first, const char *key)
{
    int rc = *first ? LW_OK : lw_buf_appendc(out, ',');

    *first = false;
    if (rc == LW_OK && key) {
        rc = lw_buf_appendc(out, '"');
        if (rc == LW_OK)
            rc = lw_buf_appends(out, key);
        if (rc == LW_OK)
            rc = lw_buf_append(out, "\":", 2);
    }
    return rc;
}

/* A string member. The tree held json_string(s), which is NULL for a NULL
 * s or for invalid UTF-8 (a watchlist value cut to fit the verdict can end
 * inside a character), and json_object_set_new and json_array_append_new
 * drop a NULL value. Such a member is left out here too, comma and key
 * with it, rather than failing the whole verdict. */
static int put_str(struct lw_buf *out, bool *first, const char *key, const char *s)
{
    size_t mark = lw_buf_len(out);
    bool was_first = *first;
    int rc = s ? put_key(out, first, key) : LW_EINVAL;

    if (rc == LW_OK)
        rc = append_json_string(out, s, strlen(s));
    if (rc == LW_EINVAL) {
        lw_buf_truncate(out, mark);
        *first = was_first;
        rc = LW_OK;
    }
    return rc;
}

/* A string member that is null when s is NULL (put_str leaves it out). */
static int put_str_or_null(struct lw_buf *out, bool *first, const char *key, const char *s)
{
    int rc;

    if (s)
        return put_str(out, first, key, s);
    rc = put_key(out, first, key);
    return rc == LW_OK ? lw_buf_append(out, "null", 4) : rc;
}

/* An integer member, printed as jansson prints a json_integer ("%lld").
 * Written out by hand: snprintf took an eighth of this encoder's time. */
static int put_int(struct lw_buf *out, bool *first, const char *key, json_int_t n)
{
    char num[24], *p = num + sizeof(num);
    unsigned long long u = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    int rc = put_key(out, first, key);

    if (rc < 0)
        return rc;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (n < 0)
        *--p = '-';
    return lw_buf_append(out, p, (size_t)(num + sizeof(num) - p));
}

/* An evidence span's "text", quoted from the original. "" when the span is
 * out of range or splits a character: message text is repaired by the
 * readers, but a span could in theory split one, and jansson rejects it. */
static int put_span_text(struct lw_buf *out, bool *first, const struct lw_msg *m, struct lw_span sp)
{
    size_t mark;
    int rc = put_key(out, first, "text");

    if (rc < 0)
        return rc;
    mark = lw_buf_len(out);
    rc = LW_EINVAL;
    if (m->text && sp.end <= m->text_len && sp.start <= sp.end)
        rc = append_json_string(out, m->text + sp.start, sp.end - sp.start);
    if (rc == LW_EINVAL) {
        lw_buf_truncate(out, mark);
        rc = lw_buf_append(out, "\"\"", 2);
    }
    return rc;
}

/* "evidence":[{"start":..,"end":..,"text":..}, ...] */
static int put_evidence(struct lw_buf *out, bool *first, const struct lw_msg *m,
                        const struct lw_span *ev, unsigned n)
{
    bool ev_first = true;
    unsigned k;
    int rc = put_key(out, first, "evidence");

    if (rc == LW_OK)
        rc = lw_buf_appendc(out, '[');
    for (k = 0; rc == LW_OK && k < n; k++) {
        bool e_first = true;
        rc = put_key(out, &ev_first, NULL);
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, '{');
        if (rc == LW_OK)
            rc = put_int(out, &e_first, "start", (json_int_t)ev[k].start);
        if (rc == LW_OK)
            rc = put_int(out, &e_first, "end", (json_int_t)ev[k].end);
        if (rc == LW_OK)
            rc = put_span_text(out, &e_first, m, ev[k]);
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, '}');
    }
    return rc == LW_OK ? lw_buf_appendc(out, ']') : rc;
}

/* {"code":..,"name":..,"stage":..,"weight":..,"evidence":[...]} */
static int put_flag(struct lw_buf *out, const struct lw_flag *f, const struct lw_tactic *t,
                    const struct lw_msg *m, enum lw_lang lang)
{
    bool first = true;
    int rc = lw_buf_appendc(out, '{');

    if (rc == LW_OK)
        rc = put_str(out, &first, "code", t->code);
    if (rc == LW_OK)
        rc = put_str(out, &first, "name", tactic_name(t, lang));
    if (rc == LW_OK)
        rc = put_str(out, &first, "stage", lw_stage_name(t->stage));
    if (rc == LW_OK)
        rc = put_int(out, &first, "weight", f->weight);
    if (rc == LW_OK)
        rc = put_evidence(out, &first, m, f->evidence, f->n_evidence);
    return rc == LW_OK ? lw_buf_appendc(out, '}') : rc;
}

/* "model":{"p":0.912,"points":25,"evidence":[...]}: the classifier's view,
 * with the words that weighed most (only when it added points). */
static int put_model(struct lw_buf *out, bool *first, const struct lw_verdict *v,
                     const struct lw_msg *m)
{
    bool sub = true;
    int rc = put_key(out, first, "model");

    if (rc == LW_OK)
        rc = lw_buf_appendc(out, '{');
    if (rc == LW_OK)
        rc = put_key(out, &sub, "p");
    if (rc == LW_OK)
        rc = lw_buf_printf(out, "%.3f", v->model_p);
    if (rc == LW_OK)
        rc = put_int(out, &sub, "points", v->model_points);
    if (rc == LW_OK)
        rc = put_evidence(out, &sub, m, v->model_evidence, v->n_model_evidence);
    return rc == LW_OK ? lw_buf_appendc(out, '}') : rc;
}

/* A watchlist sighting; "start" and "end" only for one in the text. */
static int put_indicator(struct lw_buf *out, const struct lw_verdict_indicator *in)
{
    const struct {
        const char *key, *value;
    } strs[] = {{"type", in->type},     {"value", in->value},
                {"field", in->field},   {"strength", in->strength},
                {"source", in->source}, {"date", in->date},
                {"why", in->why}};
    bool first = true;
    int rc = lw_buf_appendc(out, '{');
    size_t i;

    for (i = 0; rc == LW_OK && i < LW_ARRAY_LEN(strs); i++)
        rc = put_str(out, &first, strs[i].key, strs[i].value);
    if (rc == LW_OK)
        rc = put_int(out, &first, "points", in->points);
    if (rc == LW_OK && !strcmp(in->field, "text")) {
        rc = put_int(out, &first, "start", (json_int_t)in->span.start);
        if (rc == LW_OK)
            rc = put_int(out, &first, "end", (json_int_t)in->span.end);
    }
    return rc == LW_OK ? lw_buf_appendc(out, '}') : rc;
}

int lw_verdict_json(const struct lw_verdict *v, const struct lw_msg *m, const struct lw_ruleset *rs,
                    enum lw_lang lang, struct lw_buf *out)
{
    size_t mark = lw_buf_len(out);
    bool first = true, sub;
    unsigned i;
    int rc;

    rc = lw_buf_appendc(out, '{');
    if (rc == LW_OK)
        rc = put_str(out, &first, "id", m->id);
    if (rc == LW_OK)
        rc = put_str(out, &first, "level", lw_level_name(v->level));
    if (rc == LW_OK)
        rc = put_int(out, &first, "score", v->score);
    if (rc == LW_OK)
        rc = put_str_or_null(out, &first, "stage", v->stage ? lw_stage_name(v->stage) : NULL);

    if (rc == LW_OK)
        rc = put_key(out, &first, "flags");
    if (rc == LW_OK)
        rc = lw_buf_appendc(out, '[');
    for (i = 0, sub = true; rc == LW_OK && i < v->n_flags; i++) {
        rc = put_key(out, &sub, NULL);
        if (rc == LW_OK)
            rc = put_flag(out, &v->flags[i], lw_ruleset_tactic(rs, v->flags[i].tactic), m, lang);
    }
    if (rc == LW_OK)
        rc = lw_buf_appendc(out, ']');

    if (rc == LW_OK)
        rc = put_key(out, &first, "indicators");
    if (rc == LW_OK)
        rc = lw_buf_appendc(out, '[');
    for (i = 0, sub = true; rc == LW_OK && i < v->n_indicators; i++) {
        rc = put_key(out, &sub, NULL);
        if (rc == LW_OK)
            rc = put_indicator(out, &v->indicators[i]);
    }
    if (rc == LW_OK)
        rc = lw_buf_appendc(out, ']');
    if (rc == LW_OK && v->model_used)
        rc = put_model(out, &first, v, m);

    /* The level's advice, then each flagged tactic's from "low" up. */
    if (rc == LW_OK)
        rc = put_key(out, &first, "advice");
    if (rc == LW_OK)
        rc = lw_buf_appendc(out, '[');
    sub = true;
    if (rc == LW_OK)
        rc = put_str(out, &sub, NULL,
                     lang == LW_LANG_ZH ? level_advice_zh[v->level] : level_advice_en[v->level]);
    for (i = 0; rc == LW_OK && v->level >= LW_LEVEL_LOW && i < v->n_flags; i++)
        rc = put_str(out, &sub, NULL,
                     tactic_advice(lw_ruleset_tactic(rs, v->flags[i].tactic), lang));
    if (rc == LW_OK)
        rc = lw_buf_appendc(out, ']');

    if (rc == LW_OK)
        rc = put_str_or_null(out, &first, "reading", v->reading);
    if (rc == LW_OK && v->thread_messages) {
        sub = true;
        rc = put_key(out, &first, "conversation");
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, '{');
        if (rc == LW_OK)
            rc = put_int(out, &sub, "earlier_messages", v->thread_messages);
        if (rc == LW_OK)
            rc = put_str(out, &sub, "earlier_codes", v->thread_codes);
        if (rc == LW_OK)
            rc = put_str(out, &sub, "level", lw_level_name(v->thread_level));
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, '}');
    }
    if (rc == LW_OK && v->defects) {
        rc = put_key(out, &first, "defects");
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, '[');
        for (i = 0, sub = true; rc == LW_OK && i < LW_ARRAY_LEN(defect_names); i++)
            if (v->defects & defect_names[i].bit)
                rc = put_str(out, &sub, NULL, defect_names[i].name);
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, ']');
    }
    if (rc == LW_OK)
        rc = lw_buf_appendc(out, '}');
    if (rc < 0)
        lw_buf_truncate(out, mark);
    return rc;
}

/* Quote the evidence with a little context on either side, on one line. */
static int quote_span(struct lw_buf *out, const struct lw_msg *m, struct lw_span sp, bool color)
{
    size_t a = sp.start, b = sp.end, i;
    int rc = LW_OK;

    /* Up to ~40 bytes of context, not splitting a UTF-8 character. */
    a = a > 40 ? a - 40 : 0;
    while (a > 0 && a < sp.start && ((unsigned char)m->text[a] & 0xC0) == 0x80)
        a--;
    b = b + 40 < m->text_len ? b + 40 : m->text_len;
    while (b < m->text_len && b > sp.end && ((unsigned char)m->text[b] & 0xC0) == 0x80)
        b++;
    rc = lw_buf_appends(out, a > 0 ? "\"…" : "\"");
    for (i = a; rc == LW_OK && i < b; i++) {
        char c = m->text[i];
        if (i == sp.start)
            rc = lw_buf_appends(out, color ? "\033[1;31m" : "«");
        if (rc == LW_OK)
            rc = lw_buf_appendc(out, (c == '\n' || c == '\r' || c == '\t') ? ' ' : c);
        if (rc == LW_OK && i + 1 == sp.end)
            rc = lw_buf_appends(out, color ? "\033[0m" : "»");
    }
    if (rc == LW_OK)
        rc = lw_buf_appends(out, b < m->text_len ? "…\"" : "\"");
    return rc;
}

int lw_verdict_text(const struct lw_verdict *v, const struct lw_msg *m, const struct lw_ruleset *rs,
                    enum lw_lang lang, unsigned flags, struct lw_buf *out)
{
    static const char *const level_upper[] = {"NONE", "LOW", "MEDIUM", "HIGH"};
    static const char *const level_color[] = {"\033[32m", "\033[33m", "\033[1;33m", "\033[1;31m"};
    bool color = flags & LW_TEXT_COLOR;
    unsigned i, k;
    int rc;

    rc = lw_buf_printf(out, "%s%s%s  %s  score %d", color ? level_color[v->level] : "",
                       level_upper[v->level], color ? "\033[0m" : "", m->id, v->score);
    if (rc == LW_OK && v->stage)
        rc = lw_buf_printf(out, ", stage %s", lw_stage_name(v->stage));
    if (rc == LW_OK && v->reading)
        rc = lw_buf_printf(out, ", %s", v->reading);
    if (rc == LW_OK && m->from.name)
        rc = lw_buf_printf(out, "\n  from %s%s%s", m->from.name, m->from.address ? " " : "",
                           m->from.address ? m->from.address : "");
    if (rc == LW_OK && m->subject)
        rc = lw_buf_printf(out, "\n  subject: %s", m->subject);
    if (rc == LW_OK)
        rc = lw_buf_appendc(out, '\n');
    for (i = 0; rc == LW_OK && i < v->n_flags; i++) {
        const struct lw_flag *f = &v->flags[i];
        const struct lw_tactic *t = lw_ruleset_tactic(rs, f->tactic);
        rc = lw_buf_printf(out, "  %-3s %s (%s, +%d)\n", t->code, tactic_name(t, lang),
                           lw_stage_name(t->stage), f->weight);
        for (k = 0; rc == LW_OK && k < f->n_evidence; k++) {
            rc = lw_buf_appends(out, "      ");
            if (rc == LW_OK)
                rc = quote_span(out, m, f->evidence[k], color);
            if (rc == LW_OK)
                rc = lw_buf_appendc(out, '\n');
        }
    }
    for (i = 0; rc == LW_OK && i < v->n_indicators; i++) {
        const struct lw_verdict_indicator *in = &v->indicators[i];
        rc = lw_buf_printf(out, "  watchlist: %s %s \"%s\" in %s (%s, %s; %s)\n", in->strength,
                           in->type, in->value, in->field, in->source, in->date, in->why);
    }
    if (rc == LW_OK && v->model_points != 0) {
        rc = lw_buf_printf(out,
                           "  learned model: %.0f%% like the approaches it learned from (%+d)\n",
                           100 * v->model_p, v->model_points);
        for (k = 0; rc == LW_OK && k < v->n_model_evidence; k++) {
            rc = lw_buf_appends(out, "      ");
            if (rc == LW_OK)
                rc = quote_span(out, m, v->model_evidence[k], color);
            if (rc == LW_OK)
                rc = lw_buf_appendc(out, '\n');
        }
    }
    if (rc == LW_OK && v->thread_messages)
        rc = lw_buf_printf(
            out, "  conversation: %u earlier message(s) showed %s; conversation level %s\n",
            v->thread_messages, v->thread_codes[0] ? v->thread_codes : "nothing",
            lw_level_name(v->thread_level));
    if (rc == LW_OK)
        rc = lw_buf_printf(out, "  advice: %s\n",
                           lang == LW_LANG_ZH ? level_advice_zh[v->level]
                                              : level_advice_en[v->level]);
    for (i = 0; rc == LW_OK && v->level >= LW_LEVEL_MEDIUM && i < v->n_flags; i++) {
        const struct lw_tactic *t = lw_ruleset_tactic(rs, v->flags[i].tactic);
        if (tactic_advice(t, lang))
            rc = lw_buf_printf(out, "    - %s: %s\n", t->code, tactic_advice(t, lang));
    }
    return rc;
}
