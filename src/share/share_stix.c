/* share_stix.c -- watchlist entries as a STIX 2.1 bundle (jansson).
 *
 * Export: a persona is a threat-actor (threat_actor_types ["unknown"],
 * roles ["agent"]: we never name a state), a front an identity
 * (organization), an impersonated real person or organisation an identity
 * (class "unknown"), a template an attack-pattern, and an e-mail address,
 * domain, URL, handle or phone number an indicator (pattern_type "stix")
 * beside its observable (email-addr, domain-name, url, user-account).
 * Links between entries become relationships: indicates (indicator ->
 * threat-actor), impersonates (threat-actor -> impersonated identity),
 * related-to otherwise. What STIX has no property for (the entry type, the
 * publication date, hanzi, ...) travels in a property-extension that the
 * bundle defines, so our own bundles come back exactly. Ids are UUIDv5:
 * SCOs under the STIX namespace with their id-contributing properties, as
 * the spec says; SDOs and SROs under lurewatch's namespace, so exporting
 * the same watchlist twice gives the same ids.
 *
 * Import: every object is checked for the properties the spec requires of
 * its type; our own objects are read from the extension, others mapped
 * where the mapping is sure (threat-actor -> persona, indicator with a
 * simple pattern -> e-mail/domain/URL/handle/phone, identity that is
 * impersonated -> impersonated); everything else is skipped. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "share/share_int.h"

#define LW_STIX_IDENTITY "identity--c9fc8a43-9bcd-4a56-a425-fe67067cbe3c"
#define LW_STIX_EXTDEF   "extension-definition--c224d9c8-d35d-4a41-8af0-2892e9af7916"
#define LW_STIX_DEFINED  "2026-11-22T00:00:00.000Z"

/* ---- export ------------------------------------------------------------- */

static const char *tlp_marking(const char *tlp)
{
    if (!strcmp(tlp, "clear"))
        return "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"; /* TLP:WHITE */
    if (!strcmp(tlp, "green"))
        return "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
    if (!strcmp(tlp, "red"))
        return "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed";
    if (!strcmp(tlp, "amber+strict"))
        return "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"; /* TLP 2.0 */
    return "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";     /* TLP:AMBER */
}

static bool is_observable(enum lw_entry_type t)
{
    return t == LW_ENTRY_EMAIL || t == LW_ENTRY_DOMAIN || t == LW_ENTRY_URL ||
           t == LW_ENTRY_PHONE || t == LW_ENTRY_HANDLE;
}

static const char *stix_type(enum lw_entry_type t)
{
    switch (t) {
    case LW_ENTRY_PERSONA:
        return "threat-actor";
    case LW_ENTRY_ORG:
    case LW_ENTRY_IMPERSONATED:
        return "identity";
    case LW_ENTRY_TEMPLATE:
        return "attack-pattern";
    default:
        return "indicator";
    }
}

/* "<type>--<uuid5(ns, name)>" into buf. */
static int make_id(const char *type, const char *ns, const char *name, char *buf, size_t size)
{
    struct lw_uuid u;
    int rc = lw_share_uuid5(ns, name, strlen(name), &u);

    if (rc == LW_OK)
        snprintf(buf, size, "%s--%s", type, u.s);
    return rc;
}

/* The id of an SCO from its id-contributing properties, given as a JSON
 * object: canonical JSON (sorted keys, no blanks) under the STIX
 * namespace. */
static int sco_id(const char *type, const json_t *props, char *buf, size_t size)
{
    char *canon = json_dumps(props, JSON_COMPACT | JSON_SORT_KEYS);
    int rc;

    if (!canon)
        return LW_ENOMEM;
    rc = make_id(type, LW_SHARE_STIX_SCO_NS, canon, buf, size);
    free(canon);
    return rc;
}

/* set helpers that give up quietly on NULL (absent optional values); the
 * final dump fails when memory ran out, so errors surface there. */
static void set_str(json_t *o, const char *k, const char *v)
{
    if (v && *v)
        json_object_set_new(o, k, json_string(v));
}

static json_t *str_array(const char **v, size_t n, const char *extra)
{
    json_t *a = json_array();
    size_t i;

    for (i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    if (extra && *extra)
        json_array_append_new(a, json_string(extra));
    return a;
}

static void common(json_t *o, const char *type, const char *id, const char *ts, const char *tlp)
{
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "spec_version", json_string("2.1"));
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "created_by_ref", json_string(LW_STIX_IDENTITY));
    json_object_set_new(o, "created", json_string(ts));
    json_object_set_new(o, "modified", json_string(ts));
    if (tlp)
        json_object_set_new(o, "object_marking_refs", json_pack("[s]", tlp_marking(tlp)));
}

/* A STIX pattern string literal: quote and backslash escaped. */
static int quote(struct lw_buf *b, const char *s)
{
    int rc = lw_buf_appendc(b, '\'');

    for (; *s && rc == LW_OK; s++) {
        if (*s == '\'' || *s == '\\')
            rc = lw_buf_appendc(b, '\\');
        if (rc == LW_OK)
            rc = lw_buf_appendc(b, *s);
    }
    if (rc == LW_OK)
        rc = lw_buf_appendc(b, '\'');
    return rc;
}

static const char *account_type(const struct lw_entry *e)
{
    if (e->platform && *e->platform)
        return e->platform;
    return e->type == LW_ENTRY_PHONE ? "phone" : NULL;
}

static int pattern(const struct lw_entry *e, struct lw_buf *b)
{
    const char *path = e->type == LW_ENTRY_EMAIL    ? "email-addr:value"
                       : e->type == LW_ENTRY_DOMAIN ? "domain-name:value"
                       : e->type == LW_ENTRY_URL    ? "url:value"
                                                    : NULL;
    const char *at;
    int rc;

    if (path) {
        rc = lw_buf_printf(b, "[%s = ", path);
        if (rc == LW_OK)
            rc = quote(b, e->value);
        return rc == LW_OK ? lw_buf_appendc(b, ']') : rc;
    }
    at = account_type(e);
    rc = lw_buf_appends(b, "[");
    if (rc == LW_OK && at) {
        rc = lw_buf_appends(b, "user-account:account_type = ");
        if (rc == LW_OK)
            rc = quote(b, at);
        if (rc == LW_OK)
            rc = lw_buf_appends(b, " AND ");
    }
    if (rc == LW_OK)
        rc = lw_buf_appends(b, "user-account:account_login = ");
    if (rc == LW_OK)
        rc = quote(b, e->value);
    return rc == LW_OK ? lw_buf_appendc(b, ']') : rc;
}

/* The observable an indicator stands for, deduplicated through `seen`. */
static int observable(const struct lw_entry *e, json_t *objects, json_t *seen)
{
    char id[128];
    const char *type;
    json_t *props = json_object(), *o = NULL;
    int rc;

    if (!props)
        return LW_ENOMEM;
    if (e->type == LW_ENTRY_EMAIL || e->type == LW_ENTRY_DOMAIN || e->type == LW_ENTRY_URL) {
        type = e->type == LW_ENTRY_EMAIL    ? "email-addr"
               : e->type == LW_ENTRY_DOMAIN ? "domain-name"
                                            : "url";
        json_object_set_new(props, "value", json_string(e->value));
    } else {
        type = "user-account";
        json_object_set_new(props, "account_login", json_string(e->value));
        if (account_type(e))
            json_object_set_new(props, "account_type", json_string(account_type(e)));
    }
    rc = sco_id(type, props, id, sizeof(id));
    if (rc < 0 || json_object_get(seen, id))
        goto out;
    o = json_object();
    json_object_set_new(o, "type", json_string(type));
    json_object_set_new(o, "spec_version", json_string("2.1"));
    json_object_set_new(o, "id", json_string(id));
    json_object_update(o, props);
    json_object_set_new(seen, id, json_true());
    if (json_array_append_new(objects, o) < 0)
        rc = LW_ENOMEM;
out:
    json_decref(props);
    return rc;
}

static json_t *extension(const struct lw_entry *e)
{
    json_t *x = json_object(), *ext = json_object();

    json_object_set_new(x, "extension_type", json_string("property-extension"));
    json_object_set_new(x, "entry_type", json_string(lw_entry_type_name(e->type)));
    json_object_set_new(x, "value", json_string(e->value));
    json_object_set_new(x, "date", json_string(e->date));
    if (e->n_aliases)
        json_object_set_new(x, "aliases", str_array(e->aliases, e->n_aliases, NULL));
    set_str(x, "hanzi", e->hanzi);
    set_str(x, "platform", e->platform);
    set_str(x, "expires", e->expires);
    if (e->type == LW_ENTRY_TEMPLATE)
        set_str(x, "note", e->note);
    if (e->n_related)
        json_object_set_new(x, "related", str_array(e->related, e->n_related, NULL));
    json_object_set_new(ext, LW_STIX_EXTDEF, x);
    return ext;
}

/* The name an attack-pattern gets for a template: its first words. */
static json_t *template_name(const char *v)
{
    char buf[96];
    size_t n = strlen(v), cut = n;

    if (n > 72) {
        cut = 72;
        while (cut > 0 && ((unsigned char)v[cut] & 0xC0) == 0x80)
            cut--; /* not inside a UTF-8 sequence */
    }
    snprintf(buf, sizeof(buf), "Message template: %.*s%s", (int)cut, v, cut < n ? "..." : "");
    for (n = 0; buf[n]; n++)
        if (buf[n] == '\n' || buf[n] == '\r' || buf[n] == '\t')
            buf[n] = ' ';
    return json_string(buf);
}

static int entry_object(const struct lw_entry *e, const char *id, const struct share_opts *o,
                        json_t *objects)
{
    char ts[32], until[32];
    struct lw_buf pat = LW_BUF_INIT(LW_ENTRY_MAX_FIELD * 4);
    json_t *x = json_object(), *ref;
    int rc = LW_OK;

    if (!x)
        return LW_ENOMEM;
    if (e->created)
        lw_share_stix_time(e->created, ts, sizeof(ts));
    else
        snprintf(ts, sizeof(ts), "%s", o->now);
    common(x, stix_type(e->type), id, ts, NULL);
    switch (e->type) {
    case LW_ENTRY_PERSONA:
        json_object_set_new(x, "name", json_string(e->value));
        if (e->n_aliases || e->hanzi)
            json_object_set_new(x, "aliases", str_array(e->aliases, e->n_aliases, e->hanzi));
        json_object_set_new(x, "threat_actor_types", json_pack("[s]", "unknown"));
        json_object_set_new(x, "roles", json_pack("[s]", "agent"));
        break;
    case LW_ENTRY_ORG:
    case LW_ENTRY_IMPERSONATED:
        json_object_set_new(x, "name", json_string(e->value));
        json_object_set_new(x, "identity_class",
                            json_string(e->type == LW_ENTRY_ORG ? "organization" : "unknown"));
        break;
    case LW_ENTRY_TEMPLATE:
        json_object_set_new(x, "name", template_name(e->value));
        break;
    default:
        rc = pattern(e, &pat);
        if (rc < 0)
            goto out;
        json_object_set_new(x, "name", json_string(e->value));
        json_object_set_new(x, "indicator_types", json_pack("[s]", "attribution"));
        json_object_set_new(x, "pattern", json_string(lw_buf_str(&pat)));
        json_object_set_new(x, "pattern_type", json_string("stix"));
        json_object_set_new(x, "pattern_version", json_string("2.1"));
        lw_share_stix_time(e->date, ts, sizeof(ts));
        json_object_set_new(x, "valid_from", json_string(ts));
        if (e->expires && *e->expires) {
            lw_share_stix_time(e->expires, until, sizeof(until));
            if (strcmp(until, ts) > 0)
                json_object_set_new(x, "valid_until", json_string(until));
        }
        break;
    }
    set_str(x, "description", e->type == LW_ENTRY_TEMPLATE ? e->value : e->note);
    json_object_set_new(x, "confidence", json_integer(e->confidence));
    ref = json_object();
    json_object_set_new(ref, "source_name", json_string(e->source));
    set_str(ref, "url", e->source_url);
    json_object_set_new(ref, "description", json_sprintf("published %s", e->date));
    json_object_set_new(x, "external_references", json_pack("[o]", ref));
    json_object_set_new(x, "object_marking_refs", json_pack("[s]", tlp_marking(o->tlp)));
    json_object_set_new(x, "extensions", extension(e));
    if (json_array_append_new(objects, x) < 0)
        rc = LW_ENOMEM;
    x = NULL;
out:
    json_decref(x);
    lw_buf_release(&pat);
    return rc;
}

static const char *rel_type(const struct lw_entry *src, const struct lw_entry *dst)
{
    if (is_observable(src->type) && dst->type == LW_ENTRY_PERSONA)
        return "indicates";
    if (src->type == LW_ENTRY_PERSONA && dst->type == LW_ENTRY_IMPERSONATED)
        return "impersonates";
    return "related-to";
}

static int relationship(const char *src, const char *type, const char *dst,
                        const struct share_opts *o, json_t *objects, json_t *seen)
{
    char id[128], name[400];
    json_t *x;
    int rc;

    snprintf(name, sizeof(name), "%s|%s|%s", src, type, dst);
    rc = make_id("relationship", LW_SHARE_NS, name, id, sizeof(id));
    if (rc < 0 || json_object_get(seen, id))
        return rc;
    x = json_object();
    common(x, "relationship", id, o->now, o->tlp);
    json_object_set_new(x, "relationship_type", json_string(type));
    json_object_set_new(x, "source_ref", json_string(src));
    json_object_set_new(x, "target_ref", json_string(dst));
    json_object_set_new(seen, id, json_true());
    return json_array_append_new(objects, x) < 0 ? LW_ENOMEM : LW_OK;
}

static json_t *producer(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", "identity", "spec_version",
                     "2.1", "id", LW_STIX_IDENTITY, "created", LW_STIX_DEFINED, "modified",
                     LW_STIX_DEFINED, "name", "lurewatch", "identity_class", "system");
}

static json_t *extension_definition(void)
{
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}", "type", "extension-definition",
        "spec_version", "2.1", "id", LW_STIX_EXTDEF, "created_by_ref", LW_STIX_IDENTITY, "created",
        LW_STIX_DEFINED, "modified", LW_STIX_DEFINED, "name", "lurewatch watchlist entry",
        "description",
        "The lurewatch watchlist entry an object was made from: entry_type (persona, org, "
        "domain, email, url, phone, handle, template, impersonated), value, date (when the "
        "source published it, ISO 8601), and optionally aliases, hanzi, platform, expires, note "
        "and related (values of linked entries).",
        "schema",
        "Properties, all strings unless said: entry_type, value, date, aliases (list), hanzi, "
        "platform, expires, note, related (list). See docs/internals/watchlist.md of lurewatch.",
        "version", "1.0", "extension_types", "property-extension");
}

static json_t *tlp2_marking(const char *tlp)
{
    if (strcmp(tlp, "amber+strict"))
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type", "marking-definition",
                     "spec_version", "2.1", "id", tlp_marking(tlp), "created",
                     "2022-10-01T00:00:00.000Z", "name", "TLP:AMBER+STRICT", "extensions",
                     "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d", "extension_type",
                     "property-extension", "tlp_2_0", "amber+strict");
}

int lw_share_stix_export(const struct lw_entry *e, size_t n, const struct share_opts *o,
                         struct lw_buf *out, struct lw_diag *diag)
{
    json_t *root = NULL, *objects = NULL, *seen = NULL, *m;
    struct lw_buf all = LW_BUF_INIT(SIZE_MAX / 2);
    char(*ids)[128] = NULL;
    char name[LW_ENTRY_MAX_FIELD * 2 + 64], bid[128];
    size_t i, k;
    int rc = LW_ENOMEM;

    ids = calloc(n ? n : 1, sizeof(*ids));
    objects = json_array();
    seen = json_object();
    if (!ids || !objects || !seen)
        goto out;
    json_array_append_new(objects, producer());
    json_array_append_new(objects, extension_definition());
    if ((m = tlp2_marking(o->tlp)))
        json_array_append_new(objects, m);
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "%s|%s|%s|%s", stix_type(e[i].type),
                 lw_entry_type_name(e[i].type), e[i].value, e[i].source);
        for (k = 1;; k++) {
            rc = make_id(stix_type(e[i].type), LW_SHARE_NS, name, ids[i], sizeof(ids[i]));
            if (rc < 0)
                goto out;
            if (!json_object_get(seen, ids[i]))
                break;
            /* The same type, value and source twice: keep both, apart. */
            snprintf(name + strlen(name), sizeof(name) - strlen(name), "|%zu", k);
        }
        json_object_set_new(seen, ids[i], json_true());
        rc = entry_object(&e[i], ids[i], o, objects);
        if (rc == LW_OK && is_observable(e[i].type))
            rc = observable(&e[i], objects, seen);
        if (rc < 0)
            goto out;
    }
    for (i = 0; i < n; i++) {
        for (k = 0; k < e[i].n_related; k++) {
            long j = lw_share_resolve(e, n, e[i].related[k]);

            if (j < 0 || (size_t)j == i)
                continue; /* unresolved links travel in the extension only */
            rc = relationship(ids[i], rel_type(&e[i], &e[j]), ids[j], o, objects, seen);
            if (rc < 0)
                goto out;
        }
    }
    for (i = 0; i < json_array_size(objects); i++) {
        rc = lw_buf_appends(&all, lw_share_json_str(json_array_get(objects, i), "id"));
        if (rc < 0)
            goto out;
    }
    rc = make_id("bundle", LW_SHARE_NS, lw_buf_str(&all), bid, sizeof(bid));
    if (rc < 0)
        goto out;
    root = json_pack("{s:s, s:s, s:O}", "type", "bundle", "id", bid, "objects", objects);
    rc = root ? lw_share_json_emit(root, out, diag) : LW_ENOMEM;
out:
    json_decref(root);
    json_decref(objects);
    json_decref(seen);
    lw_buf_release(&all);
    free(ids);
    return rc;
}

/* ---- import ------------------------------------------------------------- */

struct stixin {
    const char *name;
    struct lw_diag *diag;
    struct lw_entry_list *out;
    const json_t *objects;
    json_t *by_id;    /* id -> object index */
    json_t *entry_of; /* id -> entry index in out */
    json_t *imperson; /* ids of identities some threat-actor impersonates */
};

static int bad(struct stixin *s, size_t k, const json_t *obj, const char *fmt, ...) LW_PRINTF(4, 5);

/* Report a problem with object k: "object 3 (threat-actor--...): name: missing". */
static int bad(struct stixin *s, size_t k, const json_t *obj, const char *fmt, ...)
{
    const char *id = lw_share_json_str(obj, "id");
    char msg[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lw_diag_at(s->diag, s->name, 0, 0);
    lw_diag_set(s->diag, "object %zu%s%.80s%s: %s", k, id ? " (" : "", id ? id : "", id ? ")" : "",
                msg);
    return LW_EPARSE;
}

static const char *const sdo_types[] = {
    "attack-pattern",
    "campaign",
    "course-of-action",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "location",
    "malware",
    "malware-analysis",
    "note",
    "observed-data",
    "opinion",
    "report",
    "threat-actor",
    "tool",
    "vulnerability",
    "relationship",
    "sighting",
    "extension-definition",
};

/* Required properties beyond the common ones, by type (STIX 2.1 §4-§5). */
static const struct {
    const char *type;
    const char *props[4];
} required[] = {
    {"attack-pattern", {"name"}},
    {"campaign", {"name"}},
    {"course-of-action", {"name"}},
    {"grouping", {"context", "object_refs"}},
    {"identity", {"name"}},
    {"incident", {"name"}},
    {"indicator", {"pattern", "pattern_type", "valid_from"}},
    {"infrastructure", {"name"}},
    {"intrusion-set", {"name"}},
    {"malware", {"is_family"}},
    {"malware-analysis", {"product"}},
    {"note", {"content", "object_refs"}},
    {"observed-data", {"first_observed", "last_observed", "number_observed"}},
    {"opinion", {"opinion", "object_refs"}},
    {"report", {"name", "published", "object_refs"}},
    {"threat-actor", {"name"}},
    {"tool", {"name"}},
    {"vulnerability", {"name"}},
    {"relationship", {"relationship_type", "source_ref", "target_ref"}},
    {"sighting", {"sighting_of_ref"}},
    {"extension-definition", {"created_by_ref", "name", "schema", "version"}},
};

static bool is_sdo(const char *type)
{
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(sdo_types); i++)
        if (!strcmp(type, sdo_types[i]))
            return true;
    return false;
}

static bool stix_time_valid(const char *s)
{
    /* YYYY-MM-DDTHH:MM:SS[.s+]Z */
    size_t n = s ? strlen(s) : 0;

    return n >= 20 && s[10] == 'T' && (s[n - 1] == 'Z') && lw_entry_date_valid(s) && s[13] == ':' &&
           s[16] == ':';
}

static int check_object(struct stixin *s, size_t k, const json_t *obj)
{
    const char *type, *id, *v;
    size_t i, j;

    if (!json_is_object(obj))
        return bad(s, k, obj, "not a JSON object");
    type = lw_share_json_str(obj, "type");
    if (!type || !*type)
        return bad(s, k, obj, "type: missing");
    id = lw_share_json_str(obj, "id");
    if (!id)
        return bad(s, k, obj, "id: missing");
    if (!lw_share_stix_id_valid(id, type))
        return bad(s, k, obj, "id: '%.80s' is not <type>--<UUID>", id);
    if (!is_sdo(type) && strcmp(type, "marking-definition"))
        return LW_OK; /* an SCO or an object type we do not know: type and id suffice */
    v = lw_share_json_str(obj, "spec_version");
    if (!v)
        return bad(s, k, obj, "spec_version: missing (a STIX 2.1 %s requires it)", type);
    if (strcmp(v, "2.1"))
        return bad(s, k, obj, "spec_version: '%.20s' is not 2.1", v);
    v = lw_share_json_str(obj, "created");
    if (!v || !stix_time_valid(v))
        return bad(s, k, obj, "created: %s", v ? "not a STIX timestamp" : "missing");
    if (!strcmp(type, "marking-definition"))
        return LW_OK;
    v = lw_share_json_str(obj, "modified");
    if (!v || !stix_time_valid(v))
        return bad(s, k, obj, "modified: %s", v ? "not a STIX timestamp" : "missing");
    for (i = 0; i < LW_ARRAY_LEN(required); i++) {
        if (strcmp(required[i].type, type))
            continue;
        for (j = 0; j < LW_ARRAY_LEN(required[i].props) && required[i].props[j]; j++)
            if (!json_object_get(obj, required[i].props[j]))
                return bad(s, k, obj, "%s: missing", required[i].props[j]);
    }
    if (!strcmp(type, "indicator")) {
        v = lw_share_json_str(obj, "valid_from");
        if (!v || !stix_time_valid(v))
            return bad(s, k, obj, "valid_from: not a STIX timestamp");
        if (!lw_share_json_str(obj, "pattern") || !lw_share_json_str(obj, "pattern_type"))
            return bad(s, k, obj, "pattern: not a string");
    }
    if (!strcmp(type, "threat-actor") || !strcmp(type, "identity")) {
        if (!lw_share_json_str(obj, "name"))
            return bad(s, k, obj, "name: not a string");
    }
    if (!strcmp(type, "relationship")) {
        if (!lw_share_stix_id_valid(lw_share_json_str(obj, "source_ref"), NULL))
            return bad(s, k, obj, "source_ref: not an identifier");
        if (!lw_share_stix_id_valid(lw_share_json_str(obj, "target_ref"), NULL))
            return bad(s, k, obj, "target_ref: not an identifier");
    }
    return LW_OK;
}

/* Copy an optional string member into the list's arena. */
static int dup_member(struct stixin *s, const json_t *o, const char *key, const char **out)
{
    const char *v = lw_share_json_str(o, key);

    *out = NULL;
    if (!v || !*v)
        return LW_OK;
    *out = lw_entry_list_strdup(s->out, v);
    return *out ? LW_OK : LW_ENOMEM;
}

/* Source, source URL and confidence from the standard properties. */
static int provenance(struct stixin *s, size_t k, const json_t *obj, struct lw_entry *e)
{
    const json_t *refs = json_object_get(obj, "external_references");
    const json_t *ref = json_array_get(refs, 0), *conf = json_object_get(obj, "confidence");
    const char *by;
    char fallback[300];
    int rc;

    e->confidence = 50;
    if (conf) {
        if (!json_is_integer(conf) || json_integer_value(conf) < 0 ||
            json_integer_value(conf) > 100)
            return bad(s, k, obj, "confidence: not an integer from 0 to 100");
        e->confidence = (int)json_integer_value(conf);
    }
    if (ref && lw_share_json_str(ref, "source_name")) {
        rc = dup_member(s, ref, "source_name", &e->source);
        if (rc == LW_OK)
            rc = dup_member(s, ref, "url", &e->source_url);
        return rc;
    }
    /* No external reference: the producer named by created_by_ref, else
     * the file itself, so that every entry keeps where it came from. */
    by = lw_share_json_str(obj, "created_by_ref");
    if (by && json_object_get(s->by_id, by)) {
        const json_t *idn =
            json_array_get(s->objects, (size_t)json_integer_value(json_object_get(s->by_id, by)));

        if (lw_share_json_str(idn, "name"))
            return dup_member(s, idn, "name", &e->source);
    }
    snprintf(fallback, sizeof(fallback), "STIX bundle %s", s->name);
    e->source = lw_entry_list_strdup(s->out, fallback);
    return e->source ? LW_OK : LW_ENOMEM;
}

static int date_of(struct stixin *s, const json_t *obj, const char *key, struct lw_entry *e)
{
    const char *v = lw_share_json_str(obj, key);
    char d[11];

    snprintf(d, sizeof(d), "%s", v ? v : "");
    e->date = lw_entry_list_strdup(s->out, d);
    return e->date ? LW_OK : LW_ENOMEM;
}

/* Our own object: the extension has the entry. */
static int from_extension(struct stixin *s, size_t k, const json_t *obj, const json_t *x,
                          struct lw_entry *e)
{
    const char *t = lw_share_json_str(x, "entry_type");
    int rc;

    if (!t)
        return bad(s, k, obj, "extensions: entry_type missing");
    if (lw_entry_type_parse(t, &e->type) < 0)
        return bad(s, k, obj, "entry_type: unknown entry type '%.40s'", t);
    rc = dup_member(s, x, "value", &e->value);
    if (rc == LW_OK)
        rc = dup_member(s, x, "date", &e->date);
    if (rc == LW_OK)
        rc = dup_member(s, x, "hanzi", &e->hanzi);
    if (rc == LW_OK)
        rc = dup_member(s, x, "platform", &e->platform);
    if (rc == LW_OK)
        rc = dup_member(s, x, "expires", &e->expires);
    /* A template's text is the description; its note is in the extension. */
    if (rc == LW_OK)
        rc = e->type == LW_ENTRY_TEMPLATE ? dup_member(s, x, "note", &e->note)
                                          : dup_member(s, obj, "description", &e->note);
    if (rc == LW_OK) {
        rc = lw_share_json_strlist(s->out, json_object_get(x, "aliases"), &e->aliases,
                                   &e->n_aliases);
        if (rc == LW_EPARSE)
            return bad(s, k, obj, "aliases: not a list of strings");
    }
    if (rc == LW_OK) {
        rc = lw_share_json_strlist(s->out, json_object_get(x, "related"), &e->related,
                                   &e->n_related);
        if (rc == LW_EPARSE)
            return bad(s, k, obj, "related: not a list of strings");
    }
    if (rc == LW_OK)
        rc = provenance(s, k, obj, e);
    return rc;
}

/* Parse one comparison "path = 'literal'" at *p; the literal is unescaped
 * into val. false when the text is not of that form. */
static bool comparison(const char **p, char *path, size_t psize, struct lw_buf *val)
{
    const char *q = *p;
    size_t n = 0;

    while (isspace((unsigned char)*q))
        q++;
    while (*q && (isalnum((unsigned char)*q) || *q == '-' || *q == '_' || *q == ':' || *q == '.')) {
        if (n + 1 >= psize)
            return false;
        path[n++] = *q++;
    }
    path[n] = '\0';
    while (isspace((unsigned char)*q))
        q++;
    if (!n || *q++ != '=')
        return false;
    while (isspace((unsigned char)*q))
        q++;
    if (*q++ != '\'')
        return false;
    lw_buf_reset(val);
    for (; *q && *q != '\''; q++) {
        if (*q == '\\' && q[1])
            q++;
        if (lw_buf_appendc(val, *q) < 0)
            return false;
    }
    if (*q != '\'')
        return false;
    *p = q + 1;
    return true;
}

static bool looks_like_phone(const char *s)
{
    size_t d = 0;

    for (; *s; s++) {
        if (isdigit((unsigned char)*s))
            d++;
        else if (!strchr("+-. ()", *s))
            return false;
    }
    return d >= 7;
}

/* A foreign indicator: map the simple patterns, skip the rest (returns 1). */
static int from_pattern(struct stixin *s, const json_t *obj, struct lw_entry *e)
{
    const char *p = lw_share_json_str(obj, "pattern");
    struct lw_buf val = LW_BUF_INIT(LW_ENTRY_MAX_FIELD * 2);
    char path[64], login[LW_ENTRY_MAX_FIELD + 1] = "", atype[128] = "";
    int rc = 1;

    if (strcmp(lw_share_json_str(obj, "pattern_type"), "stix"))
        goto out;
    while (isspace((unsigned char)*p))
        p++;
    if (*p++ != '[')
        goto out;
    for (;;) {
        if (!comparison(&p, path, sizeof(path), &val))
            goto out;
        if (!strcmp(path, "email-addr:value") || !strcmp(path, "domain-name:value") ||
            !strcmp(path, "url:value")) {
            e->type = path[0] == 'e'   ? LW_ENTRY_EMAIL
                      : path[0] == 'd' ? LW_ENTRY_DOMAIN
                                       : LW_ENTRY_URL;
            snprintf(login, sizeof(login), "%s", lw_buf_str(&val));
        } else if (!strcmp(path, "user-account:account_login") ||
                   !strcmp(path, "user-account:user_id")) {
            snprintf(login, sizeof(login), "%s", lw_buf_str(&val));
            e->type = LW_ENTRY_HANDLE;
        } else if (!strcmp(path, "user-account:account_type")) {
            snprintf(atype, sizeof(atype), "%s", lw_buf_str(&val));
        } else {
            goto out;
        }
        while (isspace((unsigned char)*p))
            p++;
        if (!strncmp(p, "AND", 3) && isspace((unsigned char)p[3])) {
            p += 3;
            continue;
        }
        break;
    }
    if (*p != ']' || !*login || (!e->type))
        goto out;
    if (e->type == LW_ENTRY_HANDLE && (!strcmp(atype, "phone") || looks_like_phone(login)))
        e->type = LW_ENTRY_PHONE;
    rc = LW_ENOMEM;
    if (!(e->value = lw_entry_list_strdup(s->out, login)))
        goto out;
    if (*atype && strcmp(atype, "phone") && !(e->platform = lw_entry_list_strdup(s->out, atype)))
        goto out;
    rc = LW_OK;
out:
    lw_buf_release(&val);
    return rc;
}

/* A foreign object: map it when the mapping is sure. 1 means "skipped". */
static int from_native(struct stixin *s, size_t k, const json_t *obj, struct lw_entry *e)
{
    const char *type = lw_share_json_str(obj, "type"), *name;
    const json_t *al;
    size_t i;
    int rc;

    if (!strcmp(type, "threat-actor")) {
        e->type = LW_ENTRY_PERSONA;
    } else if (!strcmp(type, "identity") &&
               json_object_get(s->imperson, lw_share_json_str(obj, "id"))) {
        e->type = LW_ENTRY_IMPERSONATED;
    } else if (!strcmp(type, "indicator")) {
        rc = from_pattern(s, obj, e);
        if (rc != LW_OK)
            return rc;
        rc = date_of(s, obj, "valid_from", e);
        if (rc == LW_OK)
            rc = dup_member(s, obj, "description", &e->note);
        return rc == LW_OK ? provenance(s, k, obj, e) : rc;
    } else {
        return 1;
    }
    name = lw_share_json_str(obj, "name");
    rc = dup_member(s, obj, "name", &e->value);
    if (rc == LW_OK)
        rc = date_of(s, obj, "created", e);
    if (rc == LW_OK)
        rc = dup_member(s, obj, "description", &e->note);
    if (rc == LW_OK && e->type == LW_ENTRY_PERSONA) {
        al = json_object_get(obj, "aliases");
        rc = lw_share_json_strlist(s->out, al, &e->aliases, &e->n_aliases);
        if (rc == LW_EPARSE)
            return bad(s, k, obj, "aliases: not a list of strings");
        /* STIX lists often repeat the name among the aliases. */
        for (i = 0; i < e->n_aliases;) {
            if (!strcmp(e->aliases[i], name))
                e->aliases[i] = e->aliases[--e->n_aliases];
            else
                i++;
        }
    }
    return rc == LW_OK ? provenance(s, k, obj, e) : rc;
}

/* Add `value` to entry i's related list (a foreign relationship). */
static int link(struct stixin *s, size_t i, const char *value)
{
    struct lw_entry *e = &s->out->v[i];
    const char **v;
    size_t k;

    for (k = 0; k < e->n_related; k++)
        if (!strcasecmp(e->related[k], value))
            return LW_OK;
    if (e->n_related >= LW_ENTRY_MAX_ALIASES)
        return LW_OK;
    v = lw_arena_calloc(s->out->arena, e->n_related + 1, sizeof(*v));
    if (!v)
        return LW_ENOMEM;
    if (e->n_related)
        memcpy(v, e->related, e->n_related * sizeof(*v));
    v[e->n_related++] = value;
    e->related = v;
    return LW_OK;
}

int lw_share_stix_import(const char *data, size_t len, const char *name, struct lw_entry_list *out,
                         struct lw_diag *diag)
{
    struct stixin s = {name, diag, out, NULL, NULL, NULL, NULL};
    json_error_t err;
    json_t *root;
    const json_t *obj, *x;
    const char *t;
    size_t k, n, mark = out->n;
    int rc = LW_OK;

    root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &err);
    if (!root) {
        lw_share_json_error(name, &err, diag);
        return LW_EPARSE;
    }
    lw_diag_at(diag, name, 0, 0);
    t = lw_share_json_str(root, "type");
    if (!json_is_object(root) || !t || strcmp(t, "bundle")) {
        lw_diag_set(diag, "not a STIX bundle (a JSON object with \"type\": \"bundle\")");
        rc = LW_EPARSE;
        goto out;
    }
    if (!lw_share_stix_id_valid(lw_share_json_str(root, "id"), "bundle")) {
        lw_diag_set(diag, "bundle id: missing or not bundle--<UUID>");
        rc = LW_EPARSE;
        goto out;
    }
    s.objects = json_object_get(root, "objects");
    if (!s.objects)
        goto out; /* an empty bundle */
    if (!json_is_array(s.objects)) {
        lw_diag_set(diag, "objects: not a list");
        rc = LW_EPARSE;
        goto out;
    }
    n = json_array_size(s.objects);
    if (n > (size_t)LW_SHARE_MAX_ENTRIES * 4) {
        lw_diag_set(diag, "more than %d objects", LW_SHARE_MAX_ENTRIES * 4);
        rc = LW_ELIMIT;
        goto out;
    }
    s.by_id = json_object();
    s.entry_of = json_object();
    s.imperson = json_object();
    if (!s.by_id || !s.entry_of || !s.imperson) {
        rc = LW_ENOMEM;
        goto out;
    }
    /* Pass 1: every object well formed; index ids; note who is impersonated. */
    for (k = 0; k < n; k++) {
        obj = json_array_get(s.objects, k);
        rc = check_object(&s, k, obj);
        if (rc < 0)
            goto out;
        json_object_set_new(s.by_id, lw_share_json_str(obj, "id"), json_integer((json_int_t)k));
        t = lw_share_json_str(obj, "relationship_type");
        if (t && !strcmp(t, "impersonates"))
            json_object_set_new(s.imperson, lw_share_json_str(obj, "target_ref"), json_true());
    }
    /* Pass 2: entries. */
    for (k = 0; k < n; k++) {
        struct lw_entry e = {0};

        obj = json_array_get(s.objects, k);
        x = json_object_get(json_object_get(obj, "extensions"), LW_STIX_EXTDEF);
        if (x && !json_is_object(x)) {
            rc = bad(&s, k, obj, "extensions: the lurewatch extension is not an object");
            goto out;
        }
        rc = x ? from_extension(&s, k, obj, x, &e) : from_native(&s, k, obj, &e);
        if (rc == 1) {
            rc = LW_OK;
            continue;
        }
        if (rc < 0)
            goto out;
        if (lw_entry_check(&e, diag) < 0) {
            struct lw_diag why;

            rc = lw_entry_check(&e, &why);
            rc = bad(&s, k, obj, "%s", why.msg);
            goto out;
        }
        rc = lw_entry_list_add(out, &e);
        if (rc < 0)
            goto out;
        json_object_set_new(
            s.entry_of, lw_share_json_str(obj, "id"),
            json_pack("{s:I, s:b}", "i", (json_int_t)(out->n - 1), "own", x != NULL));
    }
    /* Pass 3: foreign relationships between imported entries become links;
     * our own entries carry their links in the extension already. */
    for (k = 0; k < n; k++) {
        const json_t *src, *dst;

        obj = json_array_get(s.objects, k);
        t = lw_share_json_str(obj, "type");
        if (strcmp(t, "relationship"))
            continue;
        src = json_object_get(s.entry_of, lw_share_json_str(obj, "source_ref"));
        dst = json_object_get(s.entry_of, lw_share_json_str(obj, "target_ref"));
        if (!src || !dst || json_is_true(json_object_get(src, "own")))
            continue;
        rc = link(&s, (size_t)json_integer_value(json_object_get(src, "i")),
                  out->v[json_integer_value(json_object_get(dst, "i"))].value);
        if (rc < 0)
            goto out;
    }
out:
    if (rc < 0)
        lw_share_truncate(out, mark);
    json_decref(s.by_id);
    json_decref(s.entry_of);
    json_decref(s.imperson);
    json_decref(root);
    return rc;
}
