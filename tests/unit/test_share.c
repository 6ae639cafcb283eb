/* test_share.c -- unit tests for watchlist import and export
 * (src/share/share.h): round trips through CSV, STIX 2.1 and MISP for every
 * entry type and field; the properties STIX 2.1 requires, object by object;
 * the MISP event and object fields; deterministic ids (UUIDv5 for SCOs, as
 * the spec says); foreign bundles and events; errors that name the file and
 * the line, object or field; and failing imports that leave a store as it
 * was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "share/share.h"
#include "store/store.h"

static const struct lw_share_opts opts = {"2026-11-22T10:00:00Z", "green", "test event"};

static const char *a_persona[] = {"Amanda Chiu", "Amanda Khoo"};
static const char *r_persona[] = {"BR-YR Executive Search", "Jenny Town", "Not In This File"};
static const char *a_org[] = {"BP-YR Executive Search"};
static const char *r_email[] = {"Amanda Qiu"};
static const char *a_handle[] = {"privet_bot"};

/* One entry of every type, with every field used somewhere, and text that
 * needs quoting or escaping in each format. */
static size_t fixture(struct lw_entry *e)
{
    size_t n = 0;

    memset(e, 0, 16 * sizeof(*e));
    e[n] = (struct lw_entry){.type = LW_ENTRY_PERSONA,
                             .value = "Amanda Qiu",
                             .aliases = a_persona,
                             .n_aliases = 2,
                             .hanzi = "邱曼达",
                             .source = "MI5 via UK Parliament",
                             .source_url = "https://example.invalid/alert?a=1&b=2",
                             .date = "2025-11",
                             .confidence = 90,
                             .note = "A persona: the name may belong to real, innocent people.\n"
                                     "Say \"hello\", she wrote, and then: 'goodbye'.",
                             .related = r_persona,
                             .n_related = 3};
    n++;
    e[n++] = (struct lw_entry){.type = LW_ENTRY_ORG,
                               .value = "BR-YR Executive Search",
                               .aliases = a_org,
                               .n_aliases = 1,
                               .source = "MI5",
                               .date = "2025-11-18",
                               .confidence = 90,
                               .note = "front, Beijing"};
    e[n++] = (struct lw_entry){.type = LW_ENTRY_IMPERSONATED,
                               .value = "Jenny Town",
                               .source = "Mandiant, APT43 report",
                               .date = "2023-03",
                               .confidence = 70,
                               .note = "a real person whose name was used"};
    e[n++] = (struct lw_entry){.type = LW_ENTRY_DOMAIN,
                               .value = "br-yr.example",
                               .source = "Test",
                               .date = "2025",
                               .confidence = 60,
                               .expires = "2027-01"};
    e[n++] = (struct lw_entry){.type = LW_ENTRY_EMAIL,
                               .value = "amanda@br-yr.example",
                               .source = "Test",
                               .date = "2025-10-02T09:14:05Z",
                               .confidence = 75,
                               .related = r_email,
                               .n_related = 1};
    e[n++] = (struct lw_entry){.type = LW_ENTRY_URL,
                               .value = "https://www.linkedin.com/in/o'brien-1234/",
                               .source = "Test",
                               .date = "2025-10",
                               .confidence = 80};
    e[n++] = (struct lw_entry){.type = LW_ENTRY_PHONE,
                               .value = "+44 20 7946 0123",
                               .platform = "whatsapp",
                               .source = "Test",
                               .date = "2025-10",
                               .confidence = 50};
    e[n++] = (struct lw_entry){.type = LW_ENTRY_HANDLE,
                               .value = "privetbot",
                               .aliases = a_handle,
                               .n_aliases = 1,
                               .platform = "telegram",
                               .source = "ZDF frontal",
                               .date = "2024-09",
                               .confidence = 40,
                               .note = "Wagner-linked recruiter bot"};
    e[n++] = (struct lw_entry){.type = LW_ENTRY_HANDLE,
                               .value = "amanda-example-1234",
                               .platform = "linkedin",
                               .source = "Test",
                               .date = "2025-10",
                               .confidence = 55};
    e[n++] = (struct lw_entry){.type = LW_ENTRY_TEMPLATE,
                               .value = "Dear Sir,\nwe would like to invite you, \"as an expert\", "
                                        "to write paid reports.\n\tBest, A.",
                               .source = "Test",
                               .date = "2025-10",
                               .confidence = 65,
                               .note = "seen three times"};
    return n;
}

static void assert_str_eq(const char *what, size_t i, const char *a, const char *b)
{
    if ((!a || !*a) && (!b || !*b))
        return;
    if (!a || !b || strcmp(a, b))
        fail_msg("entry %zu: %s: '%s' != '%s'", i, what, a ? a : "(null)", b ? b : "(null)");
}

static void assert_same(const struct lw_entry *a, const struct lw_entry *b, size_t n)
{
    size_t i, k;

    for (i = 0; i < n; i++) {
        assert_int_equal(a[i].type, b[i].type);
        assert_str_eq("value", i, a[i].value, b[i].value);
        assert_str_eq("hanzi", i, a[i].hanzi, b[i].hanzi);
        assert_str_eq("platform", i, a[i].platform, b[i].platform);
        assert_str_eq("source", i, a[i].source, b[i].source);
        assert_str_eq("source_url", i, a[i].source_url, b[i].source_url);
        assert_str_eq("date", i, a[i].date, b[i].date);
        assert_str_eq("note", i, a[i].note, b[i].note);
        assert_str_eq("expires", i, a[i].expires, b[i].expires);
        assert_int_equal(a[i].confidence, b[i].confidence);
        assert_int_equal(a[i].n_aliases, b[i].n_aliases);
        for (k = 0; k < a[i].n_aliases; k++)
            assert_str_eq("alias", i, a[i].aliases[k], b[i].aliases[k]);
        assert_int_equal(a[i].n_related, b[i].n_related);
        for (k = 0; k < a[i].n_related; k++)
            assert_str_eq("related", i, a[i].related[k], b[i].related[k]);
    }
}

static int entry_cmp(const void *a, const void *b)
{
    const struct lw_entry *x = a, *y = b;

    if (x->type != y->type)
        return (int)x->type - (int)y->type;
    return strcmp(x->value, y->value);
}

/* Export, import, compare. A MISP event keeps objects and attributes apart,
 * so the order of entries may change: they are compared in (type, value)
 * order. */
static void roundtrip(enum lw_share_format fmt)
{
    struct lw_entry e[16];
    size_t n = fixture(e);
    struct lw_buf out = LW_BUF_INIT(1 << 24), again = LW_BUF_INIT(1 << 24);
    struct lw_entry_list l;
    struct lw_diag d;

    lw_diag_clear(&d);
    if (lw_share_export(fmt, e, n, &opts, &out, &d) != LW_OK)
        fail_msg("export: %s", d.msg);
    assert_int_equal(lw_share_sniff(lw_buf_str(&out), out.len), fmt);
    lw_entry_list_init(&l);
    if (lw_share_import(LW_SHARE_AUTO, lw_buf_str(&out), out.len, "x", &l, &d) != LW_OK)
        fail_msg("import: %s\n%s", d.msg, lw_buf_str(&out));
    assert_int_equal(l.n, n);
    qsort(e, n, sizeof(*e), entry_cmp);
    qsort(l.v, l.n, sizeof(*l.v), entry_cmp);
    assert_same(e, l.v, n);
    lw_buf_reset(&out);
    assert_int_equal(lw_share_export(fmt, e, n, &opts, &out, &d), LW_OK);
    /* exporting what came back gives the same bytes */
    assert_int_equal(lw_share_export(fmt, l.v, l.n, &opts, &again, &d), LW_OK);
    assert_string_equal(lw_buf_str(&out), lw_buf_str(&again));
    lw_entry_list_release(&l);
    lw_buf_release(&out);
    lw_buf_release(&again);
}

static void test_roundtrip_csv(void **state)
{
    (void)state;
    roundtrip(LW_SHARE_CSV);
}

static void test_roundtrip_stix(void **state)
{
    (void)state;
    roundtrip(LW_SHARE_STIX);
}

static void test_roundtrip_misp(void **state)
{
    (void)state;
    roundtrip(LW_SHARE_MISP);
}

static json_t *export_json(enum lw_share_format fmt)
{
    struct lw_entry e[16];
    size_t n = fixture(e);
    struct lw_buf out = LW_BUF_INIT(1 << 24);
    json_error_t err;
    json_t *j;

    assert_int_equal(lw_share_export(fmt, e, n, &opts, &out, NULL), LW_OK);
    j = json_loads(lw_buf_str(&out), 0, &err);
    if (!j)
        fail_msg("not JSON: %s", err.text);
    lw_buf_release(&out);
    return j;
}

static const char *str(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);

    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void need(const json_t *o, const char *k)
{
    if (!json_object_get(o, k))
        fail_msg("%s %s: required property '%s' missing", str(o, "type"), str(o, "id"), k);
}

static bool is_timestamp(const char *s)
{
    /* YYYY-MM-DDTHH:MM:SS.sssZ */
    return s && strlen(s) == 24 && s[4] == '-' && s[10] == 'T' && s[19] == '.' && s[23] == 'Z';
}

static const json_t *by_id(const json_t *objects, const char *id)
{
    size_t i;
    const json_t *o;

    json_array_foreach(objects, i, o) if (str(o, "id") && !strcmp(str(o, "id"), id)) return o;
    return NULL;
}

/* Every object has what STIX 2.1 requires of its type. */
static void test_stix_required_properties(void **state)
{
    json_t *b = export_json(LW_SHARE_STIX), *objects;
    const json_t *o;
    size_t i, seen_ta = 0, seen_ind = 0, seen_rel = 0, seen_ua = 0, seen_id = 0;
    bool indicates = false, impersonates = false, related = false, sco_email = false;

    (void)state;
    assert_string_equal(str(b, "type"), "bundle");
    assert_non_null(strstr(str(b, "id"), "bundle--"));
    objects = json_object_get(b, "objects");
    assert_true(json_array_size(objects) > 10);
    json_array_foreach(objects, i, o)
    {
        const char *type = str(o, "type"), *id = str(o, "id");

        assert_non_null(type);
        assert_non_null(id);
        assert_int_equal(strncmp(id, type, strlen(type)), 0);
        assert_string_equal(id + strlen(type), strstr(id, "--"));
        assert_int_equal(strlen(id + strlen(type) + 2), 36);
        assert_string_equal(str(o, "spec_version"), "2.1");
        if (!strcmp(type, "email-addr") || !strcmp(type, "domain-name") || !strcmp(type, "url") ||
            !strcmp(type, "user-account")) {
            /* SCOs: deterministic UUIDv5 ids, no created/modified */
            assert_int_equal(id[strlen(type) + 2 + 14], '5');
            if (!strcmp(type, "email-addr")) {
                assert_string_equal(id, "email-addr--fd9528af-e1b8-5f4f-a6fd-37947bc7d53b");
                sco_email = true;
            }
            if (!strcmp(type, "user-account") &&
                !strcmp(str(o, "account_login"), "amanda-example-1234"))
                assert_string_equal(id, "user-account--8350f656-3a3a-5ede-ad7d-e42e60b98d81");
            seen_ua += !strcmp(type, "user-account");
            continue;
        }
        need(o, "created");
        need(o, "modified");
        assert_true(is_timestamp(str(o, "created")));
        assert_true(is_timestamp(str(o, "modified")));
        if (!strcmp(type, "threat-actor")) {
            need(o, "name");
            assert_string_equal(
                json_string_value(json_array_get(json_object_get(o, "threat_actor_types"), 0)),
                "unknown");
            assert_string_equal(json_string_value(json_array_get(json_object_get(o, "roles"), 0)),
                                "agent");
            assert_string_equal(
                str(json_array_get(json_object_get(o, "external_references"), 0), "source_name"),
                "MI5 via UK Parliament");
            assert_int_equal(json_integer_value(json_object_get(o, "confidence")), 90);
            seen_ta++;
        } else if (!strcmp(type, "identity")) {
            need(o, "name");
            seen_id++;
        } else if (!strcmp(type, "indicator")) {
            need(o, "pattern");
            need(o, "pattern_type");
            need(o, "valid_from");
            assert_string_equal(str(o, "pattern_type"), "stix");
            assert_true(is_timestamp(str(o, "valid_from")));
            assert_non_null(json_object_get(o, "indicator_types"));
            seen_ind++;
        } else if (!strcmp(type, "relationship")) {
            const json_t *src, *dst;

            need(o, "relationship_type");
            need(o, "source_ref");
            need(o, "target_ref");
            src = by_id(objects, str(o, "source_ref"));
            dst = by_id(objects, str(o, "target_ref"));
            assert_non_null(src);
            assert_non_null(dst);
            if (!strcmp(str(o, "relationship_type"), "indicates")) {
                assert_string_equal(str(src, "type"), "indicator");
                assert_string_equal(str(dst, "type"), "threat-actor");
                indicates = true;
            } else if (!strcmp(str(o, "relationship_type"), "impersonates")) {
                assert_string_equal(str(src, "type"), "threat-actor");
                assert_string_equal(str(dst, "name"), "Jenny Town");
                impersonates = true;
            } else {
                assert_string_equal(str(o, "relationship_type"), "related-to");
                related = true;
            }
            seen_rel++;
        } else if (!strcmp(type, "extension-definition")) {
            need(o, "created_by_ref");
            need(o, "name");
            need(o, "schema");
            need(o, "version");
            need(o, "extension_types");
        } else if (!strcmp(type, "attack-pattern")) {
            need(o, "name");
        }
        if (json_object_get(o, "created_by_ref"))
            assert_non_null(by_id(objects, str(o, "created_by_ref")));
    }
    assert_int_equal(seen_ta, 1);
    assert_int_equal(seen_id, 3); /* the org, the impersonated one, lurewatch itself */
    assert_int_equal(seen_ind, 6);
    assert_int_equal(seen_ua, 3); /* phone and two handles */
    assert_int_equal(seen_rel, 3);
    assert_true(indicates && impersonates && related && sco_email);
    json_decref(b);
}

static void test_stix_pattern_escaping(void **state)
{
    json_t *b = export_json(LW_SHARE_STIX);
    const json_t *o;
    size_t i;
    bool found = false;

    (void)state;
    json_array_foreach(json_object_get(b, "objects"), i, o)
    {
        if (str(o, "pattern") && strstr(str(o, "pattern"), "linkedin.com/in/o")) {
            assert_string_equal(str(o, "pattern"),
                                "[url:value = 'https://www.linkedin.com/in/o\\'brien-1234/']");
            found = true;
        }
        if (str(o, "pattern") && strstr(str(o, "pattern"), "privetbot"))
            assert_string_equal(str(o, "pattern"), "[user-account:account_type = 'telegram' AND "
                                                   "user-account:account_login = 'privetbot']");
    }
    assert_true(found);
    json_decref(b);
}

static void test_misp_required_fields(void **state)
{
    json_t *root = export_json(LW_SHARE_MISP), *ev;
    const json_t *o, *a;
    size_t i, k, nobj = 0;
    bool tlp = false, ref = false;

    (void)state;
    ev = json_object_get(root, "Event");
    assert_non_null(ev);
    assert_string_equal(str(ev, "info"), "test event");
    assert_string_equal(str(ev, "date"), "2026-11-22");
    need(ev, "threat_level_id");
    need(ev, "analysis");
    need(ev, "distribution");
    need(ev, "uuid");
    json_array_foreach(json_object_get(ev, "Tag"), i, o) tlp |=
        !strcmp(str(o, "name"), "tlp:green");
    assert_true(tlp);
    json_array_foreach(json_object_get(ev, "Object"), i, o)
    {
        need(o, "name");
        need(o, "meta-category");
        need(o, "template_uuid");
        need(o, "template_version");
        need(o, "uuid");
        need(o, "Attribute");
        assert_true(json_array_size(json_object_get(o, "Attribute")) > 0);
        json_array_foreach(json_object_get(o, "Attribute"), k, a)
        {
            need(a, "object_relation");
            need(a, "type");
            need(a, "value");
        }
        if (!strcmp(str(o, "name"), "person")) {
            assert_string_equal(str(o, "template_uuid"), "a15b0477-e9d1-4b9c-9546-abe78a4f4248");
            json_array_foreach(json_object_get(o, "ObjectReference"), k, a)
            {
                if (!strcmp(str(a, "relationship_type"), "impersonates"))
                    ref = true;
            }
        }
        nobj++;
    }
    assert_int_equal(nobj, 5); /* person, organization, impersonation, 2 user-accounts */
    assert_true(ref);
    assert_int_equal(json_array_size(json_object_get(ev, "Attribute")), 5);
    json_array_foreach(json_object_get(ev, "Attribute"), i, a)
    {
        need(a, "type");
        need(a, "category");
        need(a, "value");
        need(a, "uuid");
    }
    json_decref(root);
}

static void test_deterministic(void **state)
{
    struct lw_entry e[16];
    size_t n = fixture(e);
    struct lw_buf a = LW_BUF_INIT(1 << 24), b = LW_BUF_INIT(1 << 24);
    enum lw_share_format f;

    (void)state;
    for (f = LW_SHARE_CSV; f <= LW_SHARE_MISP; f++) {
        lw_buf_reset(&a);
        lw_buf_reset(&b);
        assert_int_equal(lw_share_export(f, e, n, &opts, &a, NULL), LW_OK);
        assert_int_equal(lw_share_export(f, e, n, &opts, &b, NULL), LW_OK);
        assert_string_equal(lw_buf_str(&a), lw_buf_str(&b));
    }
    lw_buf_release(&a);
    lw_buf_release(&b);
}

/* Import data and expect an error whose text contains each of wants. */
static void import_fails(enum lw_share_format fmt, const char *data, const char *name,
                         unsigned long line, const char *want1, const char *want2)
{
    struct lw_entry_list l;
    struct lw_diag d;
    char buf[600];

    lw_entry_list_init(&l);
    lw_diag_clear(&d);
    assert_true(lw_share_import(fmt, data, strlen(data), name, &l, &d) < 0);
    assert_int_equal(l.n, 0);
    lw_diag_format(&d, buf, sizeof(buf));
    if (strncmp(buf, name, strlen(name)) || (want1 && !strstr(buf, want1)) ||
        (want2 && !strstr(buf, want2)) || (line && d.line != line))
        fail_msg("diagnostic '%s' (line %lu) lacks '%s' / '%s' / line %lu", buf, d.line, want1,
                 want2 ? want2 : "", line);
    lw_entry_list_release(&l);
}

static void test_csv_errors(void **state)
{
    (void)state;
    import_fails(LW_SHARE_CSV, "type,value,date\npersona,Amanda Qiu,2025-11\n", "w.csv", 1,
                 "missing required column 'source'", NULL);
    import_fails(LW_SHARE_CSV, "type,value,source,date,colour\n", "w.csv", 1,
                 "unknown column 'colour'", NULL);
    import_fails(LW_SHARE_CSV,
                 "type,value,source,date\npersona,Amanda Qiu,MI5,2025-11\nspy,X,MI5,2025-11\n",
                 "w.csv", 3, "unknown entry type 'spy'", NULL);
    import_fails(LW_SHARE_CSV,
                 "type,value,source,date,note\n"
                 "persona,Amanda Qiu,MI5,2025-11,\"a note\nover two lines\"\n"
                 "org,BR-YR,MI5,2025-13,\n",
                 "w.csv", 4, "date", NULL);
    import_fails(LW_SHARE_CSV, "type,value,source,date,confidence\npersona,A B,MI5,2025,high\n",
                 "w.csv", 2, "confidence", NULL);
    import_fails(LW_SHARE_CSV, "type,value,source,date\npersona,A B,MI5\n", "w.csv", 2,
                 "3 fields, but the header has 4", NULL);
    import_fails(LW_SHARE_CSV, "type,value,source,date\npersona,\"A B,MI5,2025\n", "w.csv", 0,
                 "malformed CSV", NULL);
    import_fails(LW_SHARE_CSV, "type,value,source,date\nemail,nobody,MI5,2025\n", "w.csv", 2,
                 "e-mail", NULL);
    import_fails(LW_SHARE_CSV, "", "w.csv", 0, "empty", NULL);
}

static void test_csv_lenient_bits(void **state)
{
    const char *csv = "\xEF\xBB\xBF"
                      "Type, Value ,source,date,aliases\r\n"
                      "persona,  Shirly Shen ,MI5,2025-11, Shirly S |  |Shirley Shen\r\n"
                      "\r\n"
                      "ORG,Internship Union,MI5,2025-11,InternshipUnion\r\n";
    struct lw_entry_list l;
    struct lw_diag d;

    (void)state;
    lw_entry_list_init(&l);
    assert_int_equal(lw_share_import(LW_SHARE_AUTO, csv, strlen(csv), "w.csv", &l, &d), LW_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].value, "Shirly Shen");
    assert_int_equal(l.v[0].n_aliases, 2);
    assert_string_equal(l.v[0].aliases[0], "Shirly S");
    assert_string_equal(l.v[0].aliases[1], "Shirley Shen");
    assert_int_equal(l.v[0].confidence, 50);
    assert_int_equal(l.v[1].type, LW_ENTRY_ORG);
    lw_entry_list_release(&l);
}

static void test_stix_errors(void **state)
{
    (void)state;
    import_fails(LW_SHARE_STIX, "{\"type\": \"bundle\",\n \"id\": }", "b.json", 2, "not valid JSON",
                 NULL);
    import_fails(LW_SHARE_STIX, "{\"type\": \"report\"}", "b.json", 0, "not a STIX bundle", NULL);
    import_fails(LW_SHARE_STIX,
                 "{\"type\":\"bundle\",\"id\":\"bundle--5d0d6a4e-1b0e-4b8e-9d7a-0a1f2e3d4c5b\","
                 "\"objects\":[{\"type\":\"threat-actor\",\"spec_version\":\"2.1\","
                 "\"id\":\"threat-actor--2b2b2b2b-0000-4000-8000-000000000001\","
                 "\"created\":\"2025-10-03T10:00:00.000Z\",\"modified\":\"2025-10-03T10:00:00."
                 "000Z\",\"name\":\"A\"},{\"type\":\"indicator\",\"spec_version\":\"2.1\","
                 "\"id\":\"indicator--4d4d4d4d-0000-4000-8000-000000000001\","
                 "\"created\":\"2025-10-03T10:00:00.000Z\",\"modified\":\"2025-10-03T10:00:00."
                 "000Z\",\"pattern\":\"[email-addr:value = 'a@b.example']\","
                 "\"pattern_type\":\"stix\"}]}",
                 "b.json", 0, "object 1 (indicator--4d4d4d4d", "valid_from: missing");
    import_fails(LW_SHARE_STIX,
                 "{\"type\":\"bundle\",\"id\":\"bundle--5d0d6a4e-1b0e-4b8e-9d7a-0a1f2e3d4c5b\","
                 "\"objects\":[{\"type\":\"identity\","
                 "\"id\":\"identity--1a1a1a1a-0000-4000-8000-000000000001\",\"name\":\"x\"}]}",
                 "b.json", 0, "object 0", "spec_version: missing");
    import_fails(LW_SHARE_STIX,
                 "{\"type\":\"bundle\",\"id\":\"bundle--5d0d6a4e-1b0e-4b8e-9d7a-0a1f2e3d4c5b\","
                 "\"objects\":[{\"type\":\"threat-actor\",\"spec_version\":\"2.1\","
                 "\"id\":\"threat-actor--not-a-uuid\"}]}",
                 "b.json", 0, "object 0", "is not <type>--<UUID>");
    import_fails(LW_SHARE_STIX,
                 "{\"type\":\"bundle\",\"id\":\"bundle--5d0d6a4e-1b0e-4b8e-9d7a-0a1f2e3d4c5b\","
                 "\"objects\":[{\"type\":\"threat-actor\",\"spec_version\":\"2.1\","
                 "\"id\":\"threat-actor--2b2b2b2b-0000-4000-8000-000000000001\","
                 "\"created\":\"2025-10-03T10:00:00.000Z\",\"modified\":\"2025-10-03T10:00:00."
                 "000Z\",\"name\":\"A\",\"extensions\":{\"extension-definition--c224d9c8-d35d-"
                 "4a41-8af0-2892e9af7916\":{\"extension_type\":\"property-extension\","
                 "\"entry_type\":\"spy\",\"value\":\"A\",\"date\":\"2025\"}}}]}",
                 "b.json", 0, "object 0", "unknown entry type 'spy'");
}

static void test_misp_errors(void **state)
{
    (void)state;
    import_fails(LW_SHARE_MISP, "{\"Event\": {\"date\": \"2025-01-01\"}}", "e.json", 0,
                 "Event: info: missing", NULL);
    import_fails(LW_SHARE_MISP,
                 "{\"Event\": {\"info\": \"x\", \"date\": \"2025-01-01\", \"Object\": "
                 "[{\"name\": \"person\", \"Attribute\": [{\"object_relation\": \"alias\", "
                 "\"type\": \"text\"}]}]}}",
                 "e.json", 0, "Event.Object[0].Attribute[0]", "value: missing");
    import_fails(LW_SHARE_MISP,
                 "{\"Event\": {\"info\": \"x\", \"date\": \"2025-01-01\", \"Attribute\": "
                 "[{\"type\": \"domain\", \"value\": \"a.example\", \"comment\": "
                 "\"lurewatch:{\\\"type\\\":\\\"spy\\\"}\"}]}}",
                 "e.json", 0, "Event.Attribute[0]", "unknown entry type 'spy'");
    import_fails(LW_SHARE_MISP, "{\"events\": []}", "e.json", 0, "not a MISP event", NULL);
}

/* A bundle in the shape of research/field-notes.md §3.2, written by
 * someone else: mapped where the mapping is sure. */
static void test_stix_foreign(void **state)
{
    const char *b =
        "{\"type\":\"bundle\",\"id\":\"bundle--5d0d6a4e-1b0e-4b8e-9d7a-0a1f2e3d4c5b\","
        "\"objects\":["
        "{\"type\":\"identity\",\"spec_version\":\"2.1\","
        "\"id\":\"identity--1a1a1a1a-0000-4000-8000-000000000001\","
        "\"created\":\"2025-10-03T10:00:00.000Z\",\"modified\":\"2025-10-03T10:00:00.000Z\","
        "\"name\":\"Example Org Security Team\",\"identity_class\":\"organization\"},"
        "{\"type\":\"threat-actor\",\"spec_version\":\"2.1\","
        "\"id\":\"threat-actor--2b2b2b2b-0000-4000-8000-000000000001\","
        "\"created_by_ref\":\"identity--1a1a1a1a-0000-4000-8000-000000000001\","
        "\"created\":\"2025-10-03T10:00:00.000Z\",\"modified\":\"2025-10-03T10:00:00.000Z\","
        "\"name\":\"Amanda Qiu\",\"aliases\":[\"Amanda Qiu\",\"Amanda Chiu\"],"
        "\"threat_actor_types\":[\"unknown\"],\"confidence\":60,"
        "\"external_references\":[{\"source_name\":\"MI5 espionage alert\","
        "\"url\":\"https://example.invalid/alert\"}]},"
        "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
        "\"id\":\"indicator--4d4d4d4d-0000-4000-8000-000000000001\","
        "\"created_by_ref\":\"identity--1a1a1a1a-0000-4000-8000-000000000001\","
        "\"created\":\"2025-10-03T10:00:00.000Z\",\"modified\":\"2025-10-03T10:00:00.000Z\","
        "\"indicator_types\":[\"attribution\"],"
        "\"pattern\":\"[user-account:account_type = 'linkedin' AND "
        "user-account:account_login = 'amanda-example-1234']\","
        "\"pattern_type\":\"stix\",\"valid_from\":\"2025-10-02T00:00:00Z\"},"
        "{\"type\":\"indicator\",\"spec_version\":\"2.1\","
        "\"id\":\"indicator--4d4d4d4d-0000-4000-8000-000000000002\","
        "\"created\":\"2025-10-03T10:00:00.000Z\",\"modified\":\"2025-10-03T10:00:00.000Z\","
        "\"pattern\":\"[file:hashes.'SHA-256' = 'abc']\",\"pattern_type\":\"stix\","
        "\"valid_from\":\"2025-10-02T00:00:00Z\"},"
        "{\"type\":\"relationship\",\"spec_version\":\"2.1\","
        "\"id\":\"relationship--7a7a7a7a-0000-4000-8000-000000000001\","
        "\"created\":\"2025-10-03T10:00:00.000Z\",\"modified\":\"2025-10-03T10:00:00.000Z\","
        "\"relationship_type\":\"indicates\","
        "\"source_ref\":\"indicator--4d4d4d4d-0000-4000-8000-000000000001\","
        "\"target_ref\":\"threat-actor--2b2b2b2b-0000-4000-8000-000000000001\"},"
        "{\"type\":\"user-account\",\"spec_version\":\"2.1\","
        "\"id\":\"user-account--3c3c3c3c-0000-5000-8000-000000000001\","
        "\"account_type\":\"linkedin\",\"account_login\":\"amanda-example-1234\"}"
        "]}";
    struct lw_entry_list l;
    struct lw_diag d;

    (void)state;
    lw_entry_list_init(&l);
    if (lw_share_import(LW_SHARE_AUTO, b, strlen(b), "b.json", &l, &d) != LW_OK)
        fail_msg("%s", d.msg);
    assert_int_equal(l.n, 2); /* the reporting org and the file hash are not entries */
    assert_int_equal(l.v[0].type, LW_ENTRY_PERSONA);
    assert_string_equal(l.v[0].value, "Amanda Qiu");
    assert_int_equal(l.v[0].n_aliases, 1);
    assert_string_equal(l.v[0].aliases[0], "Amanda Chiu");
    assert_string_equal(l.v[0].source, "MI5 espionage alert");
    assert_string_equal(l.v[0].date, "2025-10-03");
    assert_int_equal(l.v[0].confidence, 60);
    assert_int_equal(l.v[1].type, LW_ENTRY_HANDLE);
    assert_string_equal(l.v[1].value, "amanda-example-1234");
    assert_string_equal(l.v[1].platform, "linkedin");
    assert_string_equal(l.v[1].source, "Example Org Security Team"); /* created_by_ref */
    assert_int_equal(l.v[1].n_related, 1);
    assert_string_equal(l.v[1].related[0], "Amanda Qiu");
    lw_entry_list_release(&l);
}

static void test_misp_foreign(void **state)
{
    const char *ev = "{\"response\": [{\"Event\": {\"info\": \"LinkedIn approaches\", "
                     "\"date\": \"2025-11-20\", \"Orgc\": {\"name\": \"CIRCL\"}, "
                     "\"Object\": [{\"name\": \"person\", \"uuid\": \"u1\", \"Attribute\": ["
                     "{\"object_relation\": \"first-name\", \"type\": \"first-name\", "
                     "\"value\": \"Shirly\"}, {\"object_relation\": \"last-name\", \"type\": "
                     "\"last-name\", \"value\": \"Shen\"}, {\"object_relation\": \"alias\", "
                     "\"type\": \"text\", \"value\": \"Shirley Shen\"}], \"ObjectReference\": "
                     "[{\"referenced_uuid\": \"a1\", \"relationship_type\": \"uses\"}]},"
                     "{\"name\": \"file\", \"Attribute\": []}], "
                     "\"Attribute\": [{\"uuid\": \"a1\", \"type\": \"email-src\", \"value\": "
                     "\"shen@internship.example\"}, {\"type\": \"text\", \"value\": \"hi\"}]}}]}";
    struct lw_entry_list l;
    struct lw_diag d;

    (void)state;
    lw_entry_list_init(&l);
    if (lw_share_import(LW_SHARE_AUTO, ev, strlen(ev), "e.json", &l, &d) != LW_OK)
        fail_msg("%s", d.msg);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.v[0].type, LW_ENTRY_PERSONA);
    assert_string_equal(l.v[0].value, "Shirly Shen");
    assert_int_equal(l.v[0].n_aliases, 1);
    assert_string_equal(l.v[0].source, "CIRCL");
    assert_string_equal(l.v[0].date, "2025-11-20");
    assert_int_equal(l.v[0].n_related, 1);
    assert_string_equal(l.v[0].related[0], "shen@internship.example");
    assert_int_equal(l.v[1].type, LW_ENTRY_EMAIL);
    lw_entry_list_release(&l);
}

static void test_sniff_and_names(void **state)
{
    enum lw_share_format f;

    (void)state;
    assert_int_equal(lw_share_sniff("type,value\n", 11), LW_SHARE_CSV);
    assert_int_equal(lw_share_sniff(" {\"type\" : \"bundle\"}", 21), LW_SHARE_STIX);
    assert_int_equal(lw_share_sniff("{\"Event\": {}}", 13), LW_SHARE_MISP);
    assert_int_equal(lw_share_format_parse("MISP", &f), LW_OK);
    assert_int_equal(f, LW_SHARE_MISP);
    assert_int_equal(lw_share_format_parse("xml", &f), LW_EINVAL);
    assert_string_equal(lw_share_format_name(LW_SHARE_STIX), "stix");
}

/* An import that fails, at parse time or when the store refuses an entry,
 * leaves the store as it was. */
static void test_failing_import_leaves_store(void **state)
{
    char dir[] = "/tmp/lw-share-XXXXXX", path[64], cmd[96];
    struct lw_store *s = NULL;
    struct lw_entry keep = {.type = LW_ENTRY_PERSONA,
                            .value = "Shirly Shen",
                            .source = "MI5",
                            .date = "2025-11",
                            .confidence = 90};
    const char *good_then_dup = "type,value,source,date\n"
                                "org,Internship Union,MI5,2025-11\n"
                                "persona,Shirly Shen,MI5,2025-11\n";
    const char *bad = "type,value,source,date\n"
                      "org,Internship Union,MI5,2025-11\n"
                      "persona,Someone,,2025-11\n";
    struct lw_entry_list l;
    struct lw_diag d;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/w.db", dir);
    assert_int_equal(lw_store_open(path, 0, &s, &d), LW_OK);
    assert_int_equal(lw_store_add_entry(s, &keep, NULL, &d), LW_OK);
    lw_entry_list_init(&l);
    assert_int_equal(lw_share_import(LW_SHARE_CSV, bad, strlen(bad), "bad.csv", &l, &d), LW_EPARSE);
    assert_int_equal(l.n, 0);
    assert_non_null(strstr(d.msg, "source"));
    assert_int_equal(d.line, 3);
    assert_int_equal(
        lw_share_import(LW_SHARE_CSV, good_then_dup, strlen(good_then_dup), "d.csv", &l, &d),
        LW_OK);
    assert_int_equal(lw_store_add_entries(s, l.v, l.n, 0, NULL, &d), LW_EDB);
    lw_entry_list_release(&l);
    lw_entry_list_init(&l);
    assert_int_equal(lw_store_list(s, NULL, &l, &d), LW_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].value, "Shirly Shen");
    lw_entry_list_release(&l);
    lw_store_close(s);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_csv),
        cmocka_unit_test(test_roundtrip_stix),
        cmocka_unit_test(test_roundtrip_misp),
        cmocka_unit_test(test_stix_required_properties),
        cmocka_unit_test(test_stix_pattern_escaping),
        cmocka_unit_test(test_misp_required_fields),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_csv_lenient_bits),
        cmocka_unit_test(test_stix_errors),
        cmocka_unit_test(test_misp_errors),
        cmocka_unit_test(test_stix_foreign),
        cmocka_unit_test(test_misp_foreign),
        cmocka_unit_test(test_sniff_and_names),
        cmocka_unit_test(test_failing_import_leaves_store),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
