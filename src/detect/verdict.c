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

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* json_stringn rejects invalid UTF-8; message text is repaired by the
 * readers, but an evidence span could in theory split a character. */
static json_t *span_text(const struct lw_msg *m, struct lw_span sp)
{
    json_t *s;

    if (!m->text || sp.end > m->text_len || sp.start > sp.end)
        return json_string("");
    s = json_stringn(m->text + sp.start, sp.end - sp.start);
    return s ? s : json_string("");
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

/* ,"defects":[...] for the short path (the names need no escaping). */
static int append_defects(struct lw_buf *out, unsigned defects)
{
    const char *sep = "";
    size_t i;
    int rc = lw_buf_appends(out, ",\"defects\":[");

    for (i = 0; rc == LW_OK && i < LW_ARRAY_LEN(defect_names); i++) {
        if (!(defects & defect_names[i].bit))
            continue;
        rc = lw_buf_printf(out, "%s\"%s\"", sep, defect_names[i].name);
        sep = ",";
    }
    return rc == LW_OK ? lw_buf_appendc(out, ']') : rc;
}

/* Append s as a JSON string, escaped by jansson. LW_EINVAL when jansson
 * refuses it (invalid UTF-8). */
static int append_json_string(struct lw_buf *out, const char *s)
{
    json_t *j;
    char small[512], *big = NULL;
    size_t n;
    int rc;

    /* Printable ASCII with no quote or backslash is its own JSON string. */
    for (n = 0; s[n] >= 0x20 && s[n] < 0x7f && s[n] != '"' && s[n] != '\\'; n++)
        ;
    if (!s[n]) {
        rc = lw_buf_appendc(out, '"');
        if (rc == LW_OK)
            rc = lw_buf_append(out, s, n);
        return rc == LW_OK ? lw_buf_appendc(out, '"') : rc;
    }
    j = json_string(s);
    if (!j)
        return LW_EINVAL;
    n = json_dumpb(j, small, sizeof(small), JSON_ENCODE_ANY);
    if (n > sizeof(small)) {
        big = json_dumps(j, JSON_ENCODE_ANY);
        rc = big ? lw_buf_appends(out, big) : LW_ENOMEM;
    } else {
        rc = n ? lw_buf_append(out, small, n) : LW_ENOMEM;
    }
    free(big);
    json_decref(j);
    return rc;
}

/* A verdict with nothing to show -- no flag, no watchlist sighting, no
 * conversation: most mail -- in the same bytes the tree below
 * gives, without building the tree (a tenth of the cost). Returns
 * LW_EINVAL, having written nothing, for any other verdict. */
static int clean_json(const struct lw_verdict *v, const struct lw_msg *m, enum lw_lang lang,
                      struct lw_buf *out)
{
    size_t mark = lw_buf_len(out);
    int rc;

    if (v->n_flags || v->n_indicators || v->thread_messages || v->level != LW_LEVEL_NONE ||
        v->score != 0 || v->stage != LW_STAGE_NONE)
        return LW_EINVAL;
    rc = lw_buf_appends(out, "{\"id\":");
    if (rc == LW_OK)
        rc = append_json_string(out, m->id);
    if (rc == LW_OK)
        rc = lw_buf_appends(out, ",\"level\":\"none\",\"score\":0,\"stage\":null,\"flags\":[],"
                                 "\"indicators\":[],\"advice\":[");
    if (rc == LW_OK)
        rc = append_json_string(out, lang == LW_LANG_ZH ? level_advice_zh[LW_LEVEL_NONE]
                                                        : level_advice_en[LW_LEVEL_NONE]);
    if (rc == LW_OK)
        rc = lw_buf_appends(out, "],\"reading\":");
    if (rc == LW_OK)
        rc = v->reading ? append_json_string(out, v->reading) : lw_buf_appends(out, "null");
    if (rc == LW_OK && v->defects)
        rc = append_defects(out, v->defects);
    if (rc == LW_OK)
        rc = lw_buf_appendc(out, '}');
    if (rc < 0)
        lw_buf_truncate(out, mark);
    return rc;
}

int lw_verdict_json(const struct lw_verdict *v, const struct lw_msg *m, const struct lw_ruleset *rs,
                    enum lw_lang lang, struct lw_buf *out)
{
    json_t *o, *flags, *inds, *adv;
    char *s = NULL;
    unsigned i, k;
    int rc;

    rc = clean_json(v, m, lang, out);
    if (rc != LW_EINVAL)
        return rc;
    rc = LW_ENOMEM;
    o = json_object();
    flags = json_array();
    inds = json_array();
    adv = json_array();
    if (!o || !flags || !inds || !adv)
        goto out;
    json_object_set_new(o, "id", json_string(m->id));
    json_object_set_new(o, "level", json_string(lw_level_name(v->level)));
    json_object_set_new(o, "score", json_integer(v->score));
    json_object_set_new(o, "stage", v->stage ? json_string(lw_stage_name(v->stage)) : json_null());
    for (i = 0; i < v->n_flags; i++) {
        const struct lw_flag *f = &v->flags[i];
        const struct lw_tactic *t = lw_ruleset_tactic(rs, f->tactic);
        json_t *jf = json_object(), *ev = json_array();
        for (k = 0; k < f->n_evidence; k++) {
            json_t *je = json_object();
            json_object_set_new(je, "start", json_integer((json_int_t)f->evidence[k].start));
            json_object_set_new(je, "end", json_integer((json_int_t)f->evidence[k].end));
            json_object_set_new(je, "text", span_text(m, f->evidence[k]));
            json_array_append_new(ev, je);
        }
        json_object_set_new(jf, "code", json_string(t->code));
        json_object_set_new(jf, "name", json_string(tactic_name(t, lang)));
        json_object_set_new(jf, "stage", json_string(lw_stage_name(t->stage)));
        json_object_set_new(jf, "weight", json_integer(f->weight));
        json_object_set_new(jf, "evidence", ev);
        json_array_append_new(flags, jf);
        if (v->level >= LW_LEVEL_LOW && tactic_advice(t, lang))
            json_array_append_new(adv, json_string(tactic_advice(t, lang)));
    }
    for (i = 0; i < v->n_indicators; i++) {
        const struct lw_verdict_indicator *in = &v->indicators[i];
        json_t *ji = json_object();
        json_object_set_new(ji, "type", json_string(in->type));
        json_object_set_new(ji, "value", json_string(in->value));
        json_object_set_new(ji, "field", json_string(in->field));
        json_object_set_new(ji, "strength", json_string(in->strength));
        json_object_set_new(ji, "source", json_string(in->source));
        json_object_set_new(ji, "date", json_string(in->date));
        json_object_set_new(ji, "why", json_string(in->why));
        json_object_set_new(ji, "points", json_integer(in->points));
        if (!strcmp(in->field, "text")) {
            json_object_set_new(ji, "start", json_integer((json_int_t)in->span.start));
            json_object_set_new(ji, "end", json_integer((json_int_t)in->span.end));
        }
        json_array_append_new(inds, ji);
    }
    json_array_insert_new(
        adv, 0,
        json_string(lang == LW_LANG_ZH ? level_advice_zh[v->level] : level_advice_en[v->level]));
    json_object_set_new(o, "flags", flags);
    flags = NULL;
    json_object_set_new(o, "indicators", inds);
    inds = NULL;
    json_object_set_new(o, "advice", adv);
    adv = NULL;
    json_object_set_new(o, "reading", str_or_null(v->reading));
    if (v->thread_messages) {
        json_t *c = json_object();
        json_object_set_new(c, "earlier_messages", json_integer(v->thread_messages));
        json_object_set_new(c, "earlier_codes", json_string(v->thread_codes));
        json_object_set_new(c, "level", json_string(lw_level_name(v->thread_level)));
        json_object_set_new(o, "conversation", c);
    }
    if (v->defects) {
        json_t *d = json_array();
        for (i = 0; i < LW_ARRAY_LEN(defect_names); i++)
            if (v->defects & defect_names[i].bit)
                json_array_append_new(d, json_string(defect_names[i].name));
        json_object_set_new(o, "defects", d);
    }
    s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!s)
        goto out;
    rc = lw_buf_appends(out, s);
out:
    free(s);
    json_decref(flags);
    json_decref(inds);
    json_decref(adv);
    json_decref(o);
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
