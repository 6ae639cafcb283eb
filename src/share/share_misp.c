/* share_misp.c -- watchlist entries as a MISP event (jansson).
 *
 * Export: one event (info, date, threat_level_id, analysis, distribution,
 * uuid, a tlp Tag) with a MISP object per persona (person), front
 * (organization), impersonated real person or organisation (impersonation)
 * and handle (user-account), each with its template's uuid and version, and
 * an event attribute per e-mail address (email-src), domain, URL, phone
 * number and template (text). Links between entries are object
 * references. What the templates have no relation for (source, date,
 * confidence, ...) is kept in the object's or attribute's comment as
 * "lurewatch:{json}", so our own events come back exactly.
 *
 * Import: an {"Event": {...}} document or a {"response": [{"Event": ...}]}
 * search result. Objects and attributes with a lurewatch comment are read
 * from it; others are mapped where the mapping is sure (person,
 * organization, impersonation, user-account objects; email, domain, url
 * and phone attributes), with the event's creator or info as the source
 * and the event date as the date. The rest is skipped. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "share/share_int.h"

#define META_PREFIX "lurewatch:"

/* Templates from github.com/MISP/misp-objects (versions read 2026-11). */
static const struct tmpl {
    enum lw_entry_type type;
    const char *name;
    const char *uuid;
    int version;
} templates[] = {
    {LW_ENTRY_PERSONA, "person", "a15b0477-e9d1-4b9c-9546-abe78a4f4248", 8},
    {LW_ENTRY_ORG, "organization", "f750e12b-127a-432c-b022-b3f9153c4e2a", 3},
    {LW_ENTRY_IMPERSONATED, "impersonation", "01833a92-d2ff-11e9-8016-d3b988153702", 1},
    {LW_ENTRY_HANDLE, "user-account", "49606b06-22f0-4ac8-8eee-2f12ad46f3d3", 6},
};

/* Event attributes: the MISP type and category of each kind of entry. */
static const struct attr_kind {
    enum lw_entry_type type;
    const char *misp_type;
    const char *category;
} attr_kinds[] = {
    {LW_ENTRY_EMAIL, "email-src", "Social network"},
    {LW_ENTRY_DOMAIN, "domain", "Network activity"},
    {LW_ENTRY_URL, "url", "Network activity"},
    {LW_ENTRY_PHONE, "phone-number", "Person"},
    {LW_ENTRY_TEMPLATE, "text", "Other"},
};

static const struct tmpl *tmpl_of(enum lw_entry_type t)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(templates); i++)
        if (templates[i].type == t)
            return &templates[i];
    return NULL;
}

static const struct attr_kind *kind_of(enum lw_entry_type t)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(attr_kinds); i++)
        if (attr_kinds[i].type == t)
            return &attr_kinds[i];
    return NULL;
}

/* ---- export ------------------------------------------------------------- */

/* The uuid of an entry's object or attribute: from its type, value and
 * source, so exporting the same entries gives the same uuids; `seen` keeps
 * two identical entries apart. */
static int uuid_of(const char *what, const struct lw_entry *e, json_t *seen, struct lw_uuid *u)
{
    char name[LW_ENTRY_MAX_FIELD * 2 + 512];
    size_t k, len;
    int rc;

    len = (size_t)snprintf(name, sizeof(name), "misp|%s|%s|%s|%s", what,
                           lw_entry_type_name(e->type), e->value, e->source);
    len = LW_MIN(len, sizeof(name) - 1);
    for (k = 1;; k++) {
        rc = lw_share_uuid5(LW_SHARE_NS, name, strlen(name), u);
        if (rc < 0 || !json_object_get(seen, u->s))
            break;
        snprintf(name + len, sizeof(name) - len, "|%zu", k);
    }
    if (rc == LW_OK && json_object_set_new(seen, u->s, json_true()) < 0)
        rc = LW_ENOMEM;
    return rc;
}

/* The comment that carries what the template cannot. */
static json_t *meta_comment(const struct lw_entry *e, bool note, bool aliases)
{
    json_t *m = json_object();
    char *s;
    json_t *out;

    json_object_set_new(m, "type", json_string(lw_entry_type_name(e->type)));
    json_object_set_new(m, "source", json_string(e->source));
    if (e->source_url)
        json_object_set_new(m, "source_url", json_string(e->source_url));
    json_object_set_new(m, "date", json_string(e->date));
    json_object_set_new(m, "confidence", json_integer(e->confidence));
    if (e->expires)
        json_object_set_new(m, "expires", json_string(e->expires));
    if (e->platform && e->type != LW_ENTRY_HANDLE)
        json_object_set_new(m, "platform", json_string(e->platform));
    if (e->hanzi && e->type != LW_ENTRY_PERSONA)
        json_object_set_new(m, "hanzi", json_string(e->hanzi));
    if (note && e->note)
        json_object_set_new(m, "note", json_string(e->note));
    if (aliases && e->n_aliases) {
        json_t *a = json_array();
        size_t i;

        for (i = 0; i < e->n_aliases; i++)
            json_array_append_new(a, json_string(e->aliases[i]));
        json_object_set_new(m, "aliases", a);
    }
    if (e->n_related) {
        json_t *a = json_array();
        size_t i;

        for (i = 0; i < e->n_related; i++)
            json_array_append_new(a, json_string(e->related[i]));
        json_object_set_new(m, "related", a);
    }
    s = json_dumps(m, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(m);
    if (!s)
        return NULL;
    out = json_sprintf(META_PREFIX "%s", s);
    free(s);
    return out;
}

/* One object attribute; the uuid is derived from the object's. */
static int add_attr(json_t *attrs, const char *obj_uuid, const char *rel, const char *type,
                    const char *value, const char *comment)
{
    char name[LW_ENTRY_MAX_FIELD + 256];
    struct lw_uuid u;
    json_t *a;
    int rc;

    if (!value || !*value)
        return LW_OK;
    snprintf(name, sizeof(name), "%s|%s|%zu|%s", obj_uuid, rel, json_array_size(attrs), value);
    rc = lw_share_uuid5(LW_SHARE_NS, name, strlen(name), &u);
    if (rc < 0)
        return rc;
    a = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "object_relation", rel, "type", type,
                  "category", "Other", "value", value, "uuid", u.s, "to_ids", 0, "distribution",
                  "5");
    if (!a)
        return LW_ENOMEM;
    if (comment)
        json_object_set_new(a, "comment", json_string(comment));
    return json_array_append_new(attrs, a) < 0 ? LW_ENOMEM : LW_OK;
}

static int object_attrs(const struct lw_entry *e, const char *uuid, json_t *attrs)
{
    size_t i;
    int rc = LW_OK;

    switch (e->type) {
    case LW_ENTRY_PERSONA:
        rc = add_attr(attrs, uuid, "alias", "text", e->value, "name as published");
        for (i = 0; i < e->n_aliases && rc == LW_OK; i++)
            rc = add_attr(attrs, uuid, "alias", "text", e->aliases[i], NULL);
        if (rc == LW_OK)
            rc = add_attr(attrs, uuid, "alias", "text", e->hanzi, "hanzi");
        if (rc == LW_OK)
            rc = add_attr(attrs, uuid, "text", "text", e->note, NULL);
        if (rc == LW_OK)
            rc = add_attr(attrs, uuid, "role", "text", "Suspect", NULL);
        break;
    case LW_ENTRY_ORG:
        rc = add_attr(attrs, uuid, "name", "text", e->value, NULL);
        for (i = 0; i < e->n_aliases && rc == LW_OK; i++)
            rc = add_attr(attrs, uuid, "alias", "text", e->aliases[i], NULL);
        if (rc == LW_OK)
            rc = add_attr(attrs, uuid, "role", "text", "Suspect", NULL);
        break;
    case LW_ENTRY_IMPERSONATED:
        rc = add_attr(attrs, uuid, "real-name", "text", e->value, NULL);
        if (rc == LW_OK)
            rc = add_attr(attrs, uuid, "type", "text", "Other", NULL);
        break;
    case LW_ENTRY_HANDLE:
        rc = add_attr(attrs, uuid, "username", "text", e->value, NULL);
        if (rc == LW_OK)
            rc = add_attr(attrs, uuid, "account-type", "text", e->platform, NULL);
        if (rc == LW_OK)
            rc = add_attr(attrs, uuid, "description", "text", e->note, NULL);
        break;
    default:
        break;
    }
    return rc;
}

static int tlp_distribution(const char *tlp)
{
    if (!strcmp(tlp, "clear"))
        return 3; /* all communities */
    if (!strcmp(tlp, "green"))
        return 1; /* this community */
    return 0;     /* your organisation only */
}

int lw_share_misp_export(const struct lw_entry *e, size_t n, const struct share_opts *o,
                         struct lw_buf *out, struct lw_diag *diag)
{
    struct lw_uuid *uuids = NULL, ev;
    struct lw_buf all = LW_BUF_INIT(SIZE_MAX / 2);
    json_t *objects = json_array(), *attrs = json_array(), *event = NULL, *root = NULL;
    json_t *seen = json_object();
    char date[11], tag[32];
    size_t i, k;
    int rc = LW_ENOMEM;

    uuids = calloc(n ? n : 1, sizeof(*uuids));
    if (!uuids || !objects || !attrs || !seen)
        goto out;
    for (i = 0; i < n; i++) {
        rc = uuid_of(tmpl_of(e[i].type) ? "object" : "attribute", &e[i], seen, &uuids[i]);
        if (rc == LW_OK)
            rc = lw_buf_appends(&all, uuids[i].s);
        if (rc < 0)
            goto out;
    }
    for (i = 0; i < n; i++) {
        const struct tmpl *t = tmpl_of(e[i].type);
        /* The template keeps the note of persons and handles natively,
         * aliases of persons and orgs. */
        bool note_in_meta = e[i].type != LW_ENTRY_PERSONA && e[i].type != LW_ENTRY_HANDLE;
        bool aliases_in_meta = e[i].type != LW_ENTRY_PERSONA && e[i].type != LW_ENTRY_ORG;
        json_t *x, *a, *refs;

        rc = LW_ENOMEM;
        if (!t) {
            const struct attr_kind *kd = kind_of(e[i].type);

            if (!kd) {
                rc = LW_EINVAL; /* every type is an object or an attribute kind */
                goto out;
            }
            x = json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:o}", "type", kd->misp_type, "category",
                          kd->category, "value", e[i].value, "uuid", uuids[i].s, "to_ids", 0,
                          "distribution", "5", "comment", meta_comment(&e[i], true, true));
            if (!x || json_array_append_new(attrs, x) < 0)
                goto out;
            continue;
        }
        a = json_array();
        refs = json_array();
        x = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:o, s:o, s:o}", "name", t->name,
                      "meta-category", "misc", "template_uuid", t->uuid, "template_version",
                      t->version, "uuid", uuids[i].s, "distribution", "5", "comment",
                      meta_comment(&e[i], note_in_meta, aliases_in_meta), "Attribute", a,
                      "ObjectReference", refs);
        if (!x || json_array_append_new(objects, x) < 0)
            goto out;
        rc = object_attrs(&e[i], uuids[i].s, a);
        for (k = 0; rc == LW_OK && k < e[i].n_related; k++) {
            long j = lw_share_resolve(e, n, e[i].related[k]);
            const char *rt = "related-to";

            if (j < 0 || (size_t)j == i)
                continue;
            if (e[i].type == LW_ENTRY_PERSONA && e[j].type == LW_ENTRY_IMPERSONATED)
                rt = "impersonates";
            if (json_array_append_new(refs, json_pack("{s:s, s:s}", "referenced_uuid", uuids[j].s,
                                                      "relationship_type", rt)) < 0)
                rc = LW_ENOMEM;
        }
        if (rc < 0)
            goto out;
    }
    rc = lw_share_uuid5(LW_SHARE_NS, lw_buf_str(&all), all.len, &ev);
    if (rc < 0)
        goto out;
    snprintf(date, sizeof(date), "%.10s", o->now);
    snprintf(tag, sizeof(tag), "tlp:%s", o->tlp);
    event = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:[{s:s}], s:O, s:O}", "info", o->info,
                      "date", date, "threat_level_id", "4", "analysis", "2", "distribution",
                      tlp_distribution(o->tlp) == 3   ? "3"
                      : tlp_distribution(o->tlp) == 1 ? "1"
                                                      : "0",
                      "uuid", ev.s, "published", 0, "Tag", "name", tag, "Attribute", attrs,
                      "Object", objects);
    rc = LW_ENOMEM;
    if (!event)
        goto out;
    root = json_pack("{s:O}", "Event", event);
    if (root)
        rc = lw_share_json_emit(root, out, diag);
out:
    json_decref(root);
    json_decref(event);
    json_decref(objects);
    json_decref(attrs);
    json_decref(seen);
    lw_buf_release(&all);
    free(uuids);
    return rc;
}

/* ---- import ------------------------------------------------------------- */

struct mispin {
    const char *name;
    struct lw_diag *diag;
    struct lw_entry_list *out;
    char where[96];  /* "Event.Object[3]" */
    json_t *by_uuid; /* uuid -> entry index, for object references */
};

static int bad(struct mispin *m, const char *fmt, ...) LW_PRINTF(2, 3);

static int bad(struct mispin *m, const char *fmt, ...)
{
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lw_diag_at(m->diag, m->name, 0, 0);
    lw_diag_set(m->diag, "%s: %s", m->where, msg);
    return LW_EPARSE;
}

static int dup(struct mispin *m, const char *s, const char **out)
{
    *out = NULL;
    if (!s || !*s)
        return LW_OK;
    *out = lw_entry_list_strdup(m->out, s);
    return *out ? LW_OK : LW_ENOMEM;
}

/* Read a lurewatch comment into e (all but value and type-specific
 * fields). Returns 1 when the comment is not ours. */
static int read_meta(struct mispin *m, const char *comment, struct lw_entry *e,
                     enum lw_entry_type *type)
{
    json_error_t err;
    json_t *j;
    const json_t *c;
    const char *t;
    int rc;

    if (!comment || strncmp(comment, META_PREFIX, strlen(META_PREFIX)))
        return 1;
    j = json_loads(comment + strlen(META_PREFIX), JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(j)) {
        json_decref(j);
        return bad(m, "comment: the lurewatch metadata is not a JSON object");
    }
    t = lw_share_json_str(j, "type");
    if (!t || lw_entry_type_parse(t, type) < 0) {
        rc = bad(m, "comment: type: unknown entry type '%.40s'", t ? t : "");
        goto out;
    }
    c = json_object_get(j, "confidence");
    e->confidence = 50;
    if (c) {
        if (!json_is_integer(c) || json_integer_value(c) < 0 || json_integer_value(c) > 100) {
            rc = bad(m, "comment: confidence: not an integer from 0 to 100");
            goto out;
        }
        e->confidence = (int)json_integer_value(c);
    }
    rc = dup(m, lw_share_json_str(j, "source"), &e->source);
    if (rc == LW_OK)
        rc = dup(m, lw_share_json_str(j, "source_url"), &e->source_url);
    if (rc == LW_OK)
        rc = dup(m, lw_share_json_str(j, "date"), &e->date);
    if (rc == LW_OK)
        rc = dup(m, lw_share_json_str(j, "expires"), &e->expires);
    if (rc == LW_OK && lw_share_json_str(j, "platform"))
        rc = dup(m, lw_share_json_str(j, "platform"), &e->platform);
    if (rc == LW_OK && lw_share_json_str(j, "hanzi"))
        rc = dup(m, lw_share_json_str(j, "hanzi"), &e->hanzi);
    if (rc == LW_OK && lw_share_json_str(j, "note"))
        rc = dup(m, lw_share_json_str(j, "note"), &e->note);
    if (rc == LW_OK && json_object_get(j, "aliases")) {
        rc = lw_share_json_strlist(m->out, json_object_get(j, "aliases"), &e->aliases,
                                   &e->n_aliases);
        if (rc == LW_EPARSE)
            rc = bad(m, "comment: aliases: not a list of strings");
    }
    if (rc == LW_OK) {
        rc = lw_share_json_strlist(m->out, json_object_get(j, "related"), &e->related,
                                   &e->n_related);
        if (rc == LW_EPARSE)
            rc = bad(m, "comment: related: not a list of strings");
    }
out:
    json_decref(j);
    return rc;
}

/* Defaults for an entry from someone else's event. */
static int foreign_meta(struct mispin *m, const json_t *ev, struct lw_entry *e)
{
    const char *src = lw_share_json_str(json_object_get(ev, "Orgc"), "name");
    char date[11];
    int rc;

    if (!src)
        src = lw_share_json_str(ev, "info");
    if (!src || !*src)
        src = m->name;
    e->confidence = 50;
    snprintf(date, sizeof(date), "%s", lw_share_json_str(ev, "date"));
    rc = dup(m, src, &e->source);
    if (rc == LW_OK)
        rc = dup(m, date, &e->date);
    return rc;
}

/* Append a string to a list kept in the arena (aliases of a MISP object). */
static int push(struct mispin *m, const char ***v, size_t *n, const char *s)
{
    const char **nv;

    if (*n >= LW_ENTRY_MAX_ALIASES)
        return LW_OK;
    nv = lw_arena_calloc(m->out->arena, *n + 1, sizeof(*nv));
    if (!nv)
        return LW_ENOMEM;
    if (*n)
        memcpy(nv, *v, *n * sizeof(*nv));
    if (!(nv[*n] = lw_entry_list_strdup(m->out, s)))
        return LW_ENOMEM;
    *v = nv;
    (*n)++;
    return LW_OK;
}

static int object_entry(struct mispin *m, const json_t *ev, const json_t *obj, struct lw_entry *e)
{
    const char *oname = lw_share_json_str(obj, "name");
    const json_t *attrs = json_object_get(obj, "Attribute");
    const char *first = NULL, *last = NULL, *full = NULL;
    enum lw_entry_type mt = 0;
    bool ours;
    size_t i, t;
    int rc;

    for (t = 0; t < LW_ARRAY_LEN(templates); t++)
        if (!strcmp(oname, templates[t].name))
            break;
    if (t == LW_ARRAY_LEN(templates))
        return 1; /* an object we do not map */
    e->type = templates[t].type;
    rc = read_meta(m, lw_share_json_str(obj, "comment"), e, &mt);
    if (rc < 0)
        return rc;
    ours = rc == LW_OK;
    if (ours && mt != e->type)
        return bad(m, "comment: type %s does not fit a '%s' object", lw_entry_type_name(mt), oname);
    if (!ours && (rc = foreign_meta(m, ev, e)) < 0)
        return rc;
    if (!m->out->arena && !(m->out->arena = lw_arena_new(16384)))
        return LW_ENOMEM;
    for (i = 0; i < json_array_size(attrs); i++) {
        const json_t *a = json_array_get(attrs, i);
        const char *rel = lw_share_json_str(a, "object_relation");
        const char *val = lw_share_json_str(a, "value");
        const char *cm = lw_share_json_str(a, "comment");

        snprintf(m->where + strlen(m->where), sizeof(m->where) - strlen(m->where),
                 ".Attribute[%zu]", i);
        if (!json_is_object(a) || !rel || !val)
            return bad(m, "%s: missing",
                       !json_is_object(a) ? "attribute"
                       : !rel             ? "object_relation"
                                          : "value");
        *strrchr(m->where, '.') = '\0';
        rc = LW_OK;
        if (e->type == LW_ENTRY_PERSONA) {
            if (!strcmp(rel, "alias")) {
                if (cm && !strcmp(cm, "hanzi"))
                    rc = dup(m, val, &e->hanzi);
                else if (!e->value && cm && !strcmp(cm, "name as published"))
                    rc = dup(m, val, &e->value);
                else
                    rc = push(m, &e->aliases, &e->n_aliases, val);
            } else if (!strcmp(rel, "text")) {
                rc = dup(m, val, &e->note);
            } else if (!strcmp(rel, "first-name")) {
                first = val;
            } else if (!strcmp(rel, "last-name")) {
                last = val;
            } else if (!strcmp(rel, "full-name")) {
                full = val;
            }
        } else if (e->type == LW_ENTRY_ORG) {
            if (!strcmp(rel, "name") && !e->value)
                rc = dup(m, val, &e->value);
            else if (!strcmp(rel, "alias"))
                rc = push(m, &e->aliases, &e->n_aliases, val);
        } else if (e->type == LW_ENTRY_IMPERSONATED) {
            if ((!strcmp(rel, "real-name") || !strcmp(rel, "impersonated-account-name")) &&
                !e->value)
                rc = dup(m, val, &e->value);
        } else if (e->type == LW_ENTRY_HANDLE) {
            if ((!strcmp(rel, "username") || !strcmp(rel, "user-id")) && !e->value)
                rc = dup(m, val, &e->value);
            else if (!strcmp(rel, "account-type"))
                rc = dup(m, val, &e->platform);
            else if (!strcmp(rel, "description"))
                rc = dup(m, val, &e->note);
        }
        if (rc < 0)
            return rc;
    }
    if (e->type == LW_ENTRY_PERSONA && !e->value) {
        char name[LW_ENTRY_MAX_FIELD];

        if (full)
            snprintf(name, sizeof(name), "%s", full);
        else if (first || last)
            snprintf(name, sizeof(name), "%s%s%s", first ? first : "", first && last ? " " : "",
                     last ? last : "");
        else if (e->n_aliases)
            snprintf(name, sizeof(name), "%s", e->aliases[0]);
        else
            return bad(m, "a person object without a name");
        if (!full && !first && !last) {
            e->aliases++; /* the first alias became the name */
            e->n_aliases--;
        }
        rc = dup(m, name, &e->value);
        if (rc < 0)
            return rc;
    }
    return LW_OK;
}

static int attribute_entry(struct mispin *m, const json_t *ev, const json_t *a, struct lw_entry *e)
{
    const char *type = lw_share_json_str(a, "type"), *val = lw_share_json_str(a, "value");
    enum lw_entry_type mt = 0;
    size_t i;
    int rc;

    if (!json_is_object(a) || !type || !val)
        return bad(m, "%s: missing", !json_is_object(a) ? "attribute" : !type ? "type" : "value");
    e->type = 0;
    for (i = 0; i < LW_ARRAY_LEN(attr_kinds); i++)
        if (!strcmp(type, attr_kinds[i].misp_type))
            e->type = attr_kinds[i].type;
    if (!strcmp(type, "email-dst") || !strcmp(type, "email"))
        e->type = LW_ENTRY_EMAIL;
    else if (!strcmp(type, "hostname"))
        e->type = LW_ENTRY_DOMAIN;
    else if (!strcmp(type, "link"))
        e->type = LW_ENTRY_URL;
    rc = read_meta(m, lw_share_json_str(a, "comment"), e, &mt);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        /* Someone else's: text attributes are not templates unless we say so. */
        if (!e->type || e->type == LW_ENTRY_TEMPLATE)
            return 1;
        rc = foreign_meta(m, ev, e);
        if (rc < 0)
            return rc;
    } else if (mt != e->type) {
        return bad(m, "comment: type %s does not fit a '%s' attribute", lw_entry_type_name(mt),
                   type);
    }
    return dup(m, val, &e->value);
}

/* Object references between imported entries become links (for objects
 * that did not carry their links in a lurewatch comment). */
static int references(struct mispin *m, const json_t *objs, const size_t *entry_of,
                      const bool *ours)
{
    size_t i, k;

    for (i = 0; i < json_array_size(objs); i++) {
        const json_t *refs = json_object_get(json_array_get(objs, i), "ObjectReference");

        if (entry_of[i] == (size_t)-1 || ours[i])
            continue;
        for (k = 0; k < json_array_size(refs); k++) {
            const char *u = lw_share_json_str(json_array_get(refs, k), "referenced_uuid");
            const json_t *j = u ? json_object_get(m->by_uuid, u) : NULL;
            struct lw_entry *e = &m->out->v[entry_of[i]];
            int rc;

            if (!j)
                continue;
            rc = push(m, &e->related, &e->n_related, m->out->v[json_integer_value(j)].value);
            if (rc < 0)
                return rc;
        }
    }
    return LW_OK;
}

static int import_event(struct mispin *m, const json_t *ev, const char *at)
{
    const json_t *objs, *attrs;
    size_t *entry_of = NULL;
    bool *ours = NULL;
    size_t i;
    int rc = LW_OK;

    snprintf(m->where, sizeof(m->where), "%s", at);
    if (!json_is_object(ev))
        return bad(m, "not a JSON object");
    if (!lw_share_json_str(ev, "info"))
        return bad(m, "info: missing");
    if (!lw_share_json_str(ev, "date") || !lw_entry_date_valid(lw_share_json_str(ev, "date")))
        return bad(m, "date: missing or not YYYY-MM-DD");
    objs = json_object_get(ev, "Object");
    attrs = json_object_get(ev, "Attribute");
    if (objs && !json_is_array(objs))
        return bad(m, "Object: not a list");
    if (attrs && !json_is_array(attrs))
        return bad(m, "Attribute: not a list");
    entry_of = malloc((json_array_size(objs) + 1) * sizeof(*entry_of));
    ours = calloc(json_array_size(objs) + 1, sizeof(*ours));
    if (!entry_of || !ours) {
        rc = LW_ENOMEM;
        goto out;
    }
    for (i = 0; i < json_array_size(objs); i++) {
        const json_t *o = json_array_get(objs, i);
        struct lw_entry e = {0};

        entry_of[i] = (size_t)-1;
        snprintf(m->where, sizeof(m->where), "%s.Object[%zu]", at, i);
        if (!json_is_object(o) || !lw_share_json_str(o, "name")) {
            rc = bad(m, "name: missing");
            goto out;
        }
        if (!json_is_array(json_object_get(o, "Attribute"))) {
            rc = bad(m, "Attribute: missing or not a list");
            goto out;
        }
        rc = object_entry(m, ev, o, &e);
        if (rc == 1) {
            rc = LW_OK;
            continue;
        }
        if (rc < 0)
            goto out;
        ours[i] = lw_share_json_str(o, "comment") &&
                  !strncmp(lw_share_json_str(o, "comment"), META_PREFIX, strlen(META_PREFIX));
        if (lw_entry_check(&e, m->diag) < 0) {
            struct lw_diag why;

            rc = lw_entry_check(&e, &why);
            rc = bad(m, "%s", why.msg);
            goto out;
        }
        rc = lw_entry_list_add(m->out, &e);
        if (rc < 0)
            goto out;
        entry_of[i] = m->out->n - 1;
        if (lw_share_json_str(o, "uuid"))
            json_object_set_new(m->by_uuid, lw_share_json_str(o, "uuid"),
                                json_integer((json_int_t)(m->out->n - 1)));
    }
    for (i = 0; i < json_array_size(attrs); i++) {
        const json_t *a = json_array_get(attrs, i);
        struct lw_entry e = {0};

        snprintf(m->where, sizeof(m->where), "%s.Attribute[%zu]", at, i);
        rc = attribute_entry(m, ev, a, &e);
        if (rc == 1) {
            rc = LW_OK;
            continue;
        }
        if (rc < 0)
            goto out;
        if (lw_entry_check(&e, m->diag) < 0) {
            struct lw_diag why;

            rc = lw_entry_check(&e, &why);
            rc = bad(m, "%s", why.msg);
            goto out;
        }
        rc = lw_entry_list_add(m->out, &e);
        if (rc < 0)
            goto out;
        if (lw_share_json_str(a, "uuid"))
            json_object_set_new(m->by_uuid, lw_share_json_str(a, "uuid"),
                                json_integer((json_int_t)(m->out->n - 1)));
    }
    rc = references(m, objs, entry_of, ours);
out:
    free(entry_of);
    free(ours);
    return rc;
}

int lw_share_misp_import(const char *data, size_t len, const char *name, struct lw_entry_list *out,
                         struct lw_diag *diag)
{
    struct mispin m = {name, diag, out, "", NULL};
    json_error_t err;
    json_t *root;
    const json_t *resp;
    size_t i, mark = out->n;
    int rc = LW_OK;

    root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        lw_share_json_error(name, &err, diag);
        return LW_EPARSE;
    }
    m.by_uuid = json_object();
    if (!m.by_uuid) {
        rc = LW_ENOMEM;
        goto out;
    }
    resp = json_object_get(root, "response");
    if (json_object_get(root, "Event")) {
        rc = import_event(&m, json_object_get(root, "Event"), "Event");
    } else if (json_is_array(resp)) {
        for (i = 0; i < json_array_size(resp) && rc == LW_OK; i++) {
            char at[48];

            snprintf(at, sizeof(at), "response[%zu].Event", i);
            rc = import_event(&m, json_object_get(json_array_get(resp, i), "Event"), at);
        }
    } else {
        lw_diag_at(diag, name, 0, 0);
        lw_diag_set(diag, "not a MISP event (a JSON object with \"Event\")");
        rc = LW_EPARSE;
    }
out:
    if (rc < 0)
        lw_share_truncate(out, mark);
    json_decref(m.by_uuid);
    json_decref(root);
    return rc;
}
