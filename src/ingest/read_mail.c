/* read_mail.c -- e-mail through GMime 3: one .eml message, or an mbox read
 * with GMime's mbox-aware parser (GMIME_FORMAT_MBOX) one message at a time.
 * Maildir folders come through read_dir.c, one .eml reader per file.
 *
 * The parser reads a seekable stream (the file itself, a spooled copy of
 * stdin, or a copy of the bytes in memory) with persist_stream on, so part
 * bodies stay in the file until they are decoded, and a decoded body is read
 * through GMime's transfer-encoding and charset filters into a buffer capped
 * at limits.max_text. GMime's parser warnings become defects: broken or
 * truncated MIME sets LW_DEFECT_BAD_MIME and the text found is still
 * returned. Owns the stream, the parser and its options. */
#include <errno.h>
#include <gmime/gmime.h>
#include <iconv.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/ascii.h"
#include "base/buf.h"
#include "ingest/reader_int.h"

/* What parsing one message needs; shared by the reader and lw_msg_complete. */
struct parse {
    GMimeParserOptions *opts;
    const struct lw_limits *lim;
    unsigned warn; /* defects GMime reported for the message being parsed */
    bool mbox;     /* the message came out of an mbox: unescape >From lines */
};

/* The bytes of the input, for the pre-scan: a descriptor (pread) or memory. */
struct bytes {
    int fd; /* ours; -1 for memory */
    const unsigned char *mem;
    size_t len;
};

struct mail {
    struct bytes src;
    GMimeStream *stream;
    GMimeParser *parser;
    struct parse p;
    unsigned long n;
    bool mbox, empty;
};

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

/* Converters held open for good (see gmime_start); reachable, so no leak. */
static iconv_t held_iconv[8];

static void gmime_start(void)
{
    /* Common mail charsets. glibc loads an iconv module when the first
     * converter for a charset opens and unloads it when the last one closes;
     * GMime opens and closes one per message part, so without a converter
     * held open the module would be mapped and unmapped for every message
     * (each unmap a TLB flush on every core). These stay open for good. */
    static const char *const pinned[] = {"ISO-8859-1", "WINDOWS-1252", "ISO-8859-15", "KOI8-R",
                                         "GB2312",     "BIG5",         "SHIFT_JIS",   "EUC-KR"};
    size_t i;

    g_mime_init();
    for (i = 0; i < LW_ARRAY_LEN(pinned); i++)
        if (i < LW_ARRAY_LEN(held_iconv))
            held_iconv[i] = iconv_open("UTF-8", pinned[i]);
}

void lw_reader_prepare_mail(void)
{
    pthread_once(&gmime_once, gmime_start);
}

/* Charset filters of the light path, kept for the next part in the same
 * charset: making one is an iconv_open, a search of glibc's converter
 * tables that cost a fiftieth of the screening time of the SpamAssassin
 * corpus. A filter is taken out while in use and reset when put back.
 * Keyed by the iconv name the filter opens (g_mime_charset_iconv_name);
 * reachable, so no leak. */
static struct {
    char name[32];
    GMimeFilter *f;
} charset_pool[16];
static pthread_mutex_t charset_pool_lock = PTHREAD_MUTEX_INITIALIZER;

/* A filter from the pool or a new one; *name is the key to give it back
 * under. */
static GMimeFilter *charset_filter_take(const char *charset, const char **name_out)
{
    const char *name = g_mime_charset_iconv_name(charset);
    GMimeFilter *f = NULL;
    size_t i;

    *name_out = name;
    pthread_mutex_lock(&charset_pool_lock);
    for (i = 0; name && i < LW_ARRAY_LEN(charset_pool); i++) {
        if (charset_pool[i].f && strcmp(charset_pool[i].name, name) == 0) {
            f = charset_pool[i].f;
            charset_pool[i].f = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&charset_pool_lock);
    return f ? f : g_mime_filter_charset_new(charset, "UTF-8");
}

static void charset_filter_give(const char *name, GMimeFilter *f)
{
    size_t i, len = name ? strlen(name) : sizeof(charset_pool[0].name);

    g_mime_filter_reset(f);
    pthread_mutex_lock(&charset_pool_lock);
    for (i = 0; len < sizeof(charset_pool[0].name) && i < LW_ARRAY_LEN(charset_pool); i++) {
        if (!charset_pool[i].f) {
            memcpy(charset_pool[i].name, name, len + 1);
            charset_pool[i].f = f;
            f = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&charset_pool_lock);
    if (f)
        g_object_unref(f);
}

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer data)
{
    struct parse *st = data;

    (void)offset;
    (void)item;
    switch (code) {
    case GMIME_WARN_DUPLICATED_HEADER:
    case GMIME_WARN_DUPLICATED_PARAMETER:
    case GMIME_WARN_UNENCODED_8BIT_HEADER: /* common and harmless: raw UTF-8 headers */
        break;
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
    case GMIME_WARN_INVALID_ADDRESS_LIST:
    case GMIME_CRIT_INVALID_HEADER_NAME:
    case GMIME_CRIT_CONFLICTING_HEADER:
        st->warn |= LW_DEFECT_BAD_HEADER;
        break;
    default: /* truncated or malformed message or multipart, nesting, ... */
        st->warn |= LW_DEFECT_BAD_MIME;
        break;
    }
}

/* ---- body ---------------------------------------------------------------------- */

struct walk {
    const struct lw_limits *lim;
    GMimePart *plain, *html;
    unsigned parts;
    bool over; /* a cap on parts or depth was reached */
};

static void walk(GMimeObject *o, unsigned depth, struct walk *w)
{
    if (!o || w->plain || w->over)
        return;
    if (++w->parts > w->lim->max_mime_parts || depth > w->lim->max_mime_depth) {
        w->over = true;
        return;
    }
    if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        int i, n = g_mime_multipart_get_count(mp);
        for (i = 0; i < n && !w->plain && !w->over; i++)
            walk(g_mime_multipart_get_part(mp, i), depth + 1, w);
    } else if (GMIME_IS_MESSAGE_PART(o)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
        if (inner)
            walk(g_mime_message_get_mime_part(inner), depth + 1, w);
    } else if (GMIME_IS_PART(o)) {
        GMimeContentType *ct = g_mime_object_get_content_type(o);
        if (g_mime_part_is_attachment(GMIME_PART(o)) || !ct)
            return;
        if (g_mime_content_type_is_type(ct, "text", "plain"))
            w->plain = GMIME_PART(o);
        else if (!w->html && g_mime_content_type_is_type(ct, "text", "html"))
            w->html = GMIME_PART(o);
    }
}

/* Drop one '>' from lines that start with ">From " or ">>From " (mboxrd). */
static size_t unescape_from(char *p, size_t n)
{
    size_t i = 0, o = 0;
    bool bol = true;

    while (i < n) {
        if (bol && p[i] == '>') {
            size_t k = i;
            while (k < n && p[k] == '>')
                k++;
            if (n - k >= 5 && memcmp(p + k, "From ", 5) == 0)
                i++; /* skip one '>' */
        }
        bol = p[i] == '\n';
        p[o++] = p[i++];
    }
    return o;
}

/* Decode a part's content to UTF-8 text in the message. */
static int part_text(const struct parse *st, GMimePart *part, struct lw_msg *m)
{
    size_t want = st->lim->max_text > SIZE_MAX - 5 ? SIZE_MAX - 1 : st->lim->max_text + 4;
    struct lw_buf b = LW_BUF_INIT(want);
    GMimeDataWrapper *dw = g_mime_part_get_content(part);
    GMimeStream *raw, *fs = NULL;
    GMimeContentEncoding enc;
    const char *charset;
    char chunk[8192];
    size_t len = 0;
    bool more = false;
    int rc = LW_OK;

    raw = dw ? g_mime_data_wrapper_get_stream(dw) : NULL;
    if (!raw)
        goto done;
    enc = g_mime_data_wrapper_get_encoding(dw);
    g_mime_stream_reset(raw);
    fs = g_mime_stream_filter_new(raw);
    if (enc == GMIME_CONTENT_ENCODING_BASE64 || enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
        enc == GMIME_CONTENT_ENCODING_UUENCODE) {
        GMimeFilter *f = g_mime_filter_basic_new(enc, FALSE);
        g_mime_stream_filter_add(GMIME_STREAM_FILTER(fs), f);
        g_object_unref(f);
    }
    charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    if (charset) {
        const char *canon = g_mime_charset_canon_name(charset);
        if (canon && g_ascii_strcasecmp(canon, "utf-8") != 0 &&
            g_ascii_strcasecmp(canon, "us-ascii") != 0) {
            GMimeFilter *f = g_mime_filter_charset_new(charset, "UTF-8");
            if (f) {
                g_mime_stream_filter_add(GMIME_STREAM_FILTER(fs), f);
                g_object_unref(f);
            } else {
                m->defects |= LW_DEFECT_BAD_MIME; /* unknown charset: kept as is */
            }
        }
    }
    for (;;) {
        ssize_t k = g_mime_stream_read(fs, chunk, sizeof(chunk));
        if (k <= 0)
            break;
        if ((size_t)k > want - len) {
            k = (ssize_t)(want - len);
            more = true;
        }
        rc = lw_buf_append(&b, chunk, (size_t)k);
        if (rc < 0)
            goto done;
        len += (size_t)k;
        if (more)
            break;
    }
done:
    if (fs)
        g_object_unref(fs);
    if (rc == LW_OK) {
        char *p = len ? lw_buf_detach(&b, &len) : NULL;
        if (p && st->mbox)
            len = unescape_from(p, len);
        rc = lw_msg_set_text(m, p ? p : "", len, st->lim->max_text);
        if (more)
            m->defects |= LW_DEFECT_TRUNCATED;
        free(p);
    }
    lw_buf_release(&b);
    return rc;
}

static int body(const struct parse *st, GMimeMessage *msg, struct lw_msg *m)
{
    struct walk w = {st->lim, NULL, NULL, 0, false};

    walk(g_mime_message_get_mime_part(msg), 0, &w);
    if (w.over)
        m->defects |= LW_DEFECT_BAD_MIME;
    if (w.plain)
        return part_text(st, w.plain, m);
    if (w.html) {
        m->text_is_html = true;
        return part_text(st, w.html, m);
    }
    m->defects |= LW_DEFECT_NO_TEXT;
    return lw_msg_set_text(m, "", 0, st->lim->max_text);
}

/* ---- headers ------------------------------------------------------------------ */

static const char *hdup(struct lw_msg *m, const char *s, int *rc)
{
    const char *d;

    if (!s || !*s || *rc < 0)
        return NULL;
    d = lw_msg_strdup(m, s, strlen(s));
    if (!d)
        *rc = LW_ENOMEM;
    return d;
}

static InternetAddressMailbox *first_mailbox(InternetAddressList *l)
{
    int i, n = l ? internet_address_list_length(l) : 0;

    for (i = 0; i < n; i++) {
        InternetAddress *a = internet_address_list_get_address(l, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(a))
            return INTERNET_ADDRESS_MAILBOX(a);
        if (INTERNET_ADDRESS_IS_GROUP(a)) {
            InternetAddressList *g = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a));
            int j, k = g ? internet_address_list_length(g) : 0;
            for (j = 0; j < k; j++) {
                InternetAddress *b = internet_address_list_get_address(g, j);
                if (INTERNET_ADDRESS_IS_MAILBOX(b))
                    return INTERNET_ADDRESS_MAILBOX(b);
            }
        }
    }
    return NULL;
}

static int add_to(struct lw_msg *m, InternetAddress *a, size_t cap)
{
    const char *s = NULL;
    int rc = LW_OK;

    if (m->n_to >= cap)
        return LW_OK;
    if (INTERNET_ADDRESS_IS_MAILBOX(a))
        s = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    if (!s || !*s)
        s = internet_address_get_name(a);
    s = hdup(m, s, &rc);
    if (s)
        m->to[m->n_to++] = s;
    return rc;
}

static int recipients(struct lw_msg *m, InternetAddressList *l)
{
    int i, n = l ? internet_address_list_length(l) : 0;
    size_t cap = 0;
    int rc = LW_OK;

    if (n <= 0)
        return LW_OK;
    /* Room for every address, groups' members counted, up to the cap. */
    for (i = 0; i < n; i++) {
        InternetAddress *a = internet_address_list_get_address(l, i);
        InternetAddressList *g = INTERNET_ADDRESS_IS_GROUP(a)
                                     ? internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a))
                                     : NULL;
        cap += g ? (size_t)LW_MAX(internet_address_list_length(g), 0) : 1;
    }
    cap = LW_MIN(cap, (size_t)LW_READER_MAX_TO);
    if (cap == 0)
        return LW_OK;
    m->to = lw_arena_calloc(m->arena, cap, sizeof(*m->to));
    if (!m->to)
        return LW_ENOMEM;
    for (i = 0; i < n && rc == LW_OK; i++) {
        InternetAddress *a = internet_address_list_get_address(l, i);
        if (INTERNET_ADDRESS_IS_GROUP(a)) {
            InternetAddressList *g = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a));
            int j, k = g ? internet_address_list_length(g) : 0;
            for (j = 0; j < k && rc == LW_OK; j++)
                rc = add_to(m, internet_address_list_get_address(g, j), cap);
        } else {
            rc = add_to(m, a, cap);
        }
    }
    if (m->n_to == 0)
        m->to = NULL;
    return rc;
}

/* The first message id of a References or In-Reply-To header. */
static const char *first_ref(const struct parse *st, struct lw_msg *m, const char *value, int *rc)
{
    GMimeReferences *refs;
    const char *id = NULL;

    if (!value)
        return NULL;
    refs = g_mime_references_parse(st->opts, value);
    if (refs && g_mime_references_length(refs) > 0)
        id = hdup(m, g_mime_references_get_message_id(refs, 0), rc);
    if (refs)
        g_mime_references_free(refs);
    return id;
}

/* v (0 <= v < 10^n) in n decimal digits, zero-padded. */
static void put_digits(char *out, int v, int n)
{
    while (n--) {
        out[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* y-mo-dTh:mi:sZ, as g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ") writes
 * it for a four-digit year, into out[21]. */
static void put_iso_utc(char *out, int y, int mo, int d, int h, int mi, int sec)
{
    put_digits(out, y, 4);
    out[4] = '-';
    put_digits(out + 5, mo, 2);
    out[7] = '-';
    put_digits(out + 8, d, 2);
    out[10] = 'T';
    put_digits(out + 11, h, 2);
    out[13] = ':';
    put_digits(out + 14, mi, 2);
    out[16] = ':';
    put_digits(out + 17, sec, 2);
    memcpy(out + 19, "Z", 2);
}

/* The n (1 <= n <= 4) digits at *p as a number, advancing *p; -1 if they
 * are not all digits. */
static int take_digits(const char **p, int n)
{
    int v = 0;

    while (n--) {
        if (**p < '0' || **p > '9')
            return -1;
        v = v * 10 + (*(*p)++ - '0');
    }
    return v;
}

static bool take_blanks(const char **p)
{
    const char *s = *p;

    while (**p == ' ' || **p == '\t')
        (*p)++;
    return *p > s;
}

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar, and
 * back (H. Hinnant's days_from_civil and civil_from_days). */
static long days_from_civil(long y, int m, int d)
{
    long era, yoe, doy;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    long era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* A Date field in the form nearly all mail has, "Tue, 3 Oct 2023 09:15:00
 * +0200" (the weekday and the seconds optional, a numeric zone), as UTC in
 * out the way set_date writes it (put_iso_utc): what GMime's date parser and GLib's
 * calendar give, for a small share of their cost. False, with out
 * untouched, for anything else, which goes to GMime (tests compare the
 * two). */
static bool quick_date(const char *v, char out[21])
{
    static const char mons[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const char wdays[] = "MonTueWedThuFriSatSun";
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = v;
    int d, mo = 0, y, hh, mm, ss = 0, zh, zm, sign, i;
    long t;

    take_blanks(&p);
    if (*p >= 'A' && *p <= 'Z') {
        for (i = 0; i < 21 && strncmp(p, wdays + i, 3) != 0; i += 3)
            ;
        if (i == 21 || p[3] != ',')
            return false;
        p += 4;
        take_blanks(&p);
    }
    d = take_digits(&p, 1);
    if (d < 0)
        return false;
    if (*p >= '0' && *p <= '9')
        d = d * 10 + (*p++ - '0');
    if (!take_blanks(&p))
        return false;
    for (i = 0; i < 36 && strncmp(p, mons + i, 3) != 0; i += 3)
        ;
    if (i == 36)
        return false;
    mo = i / 3 + 1;
    p += 3;
    /* GMime turns down some years before 1969: those go to it. */
    if (!take_blanks(&p) || (y = take_digits(&p, 4)) < 1970 || !take_blanks(&p))
        return false;
    if ((hh = take_digits(&p, 2)) < 0 || *p++ != ':' || (mm = take_digits(&p, 2)) < 0)
        return false;
    if (*p == ':') {
        p++;
        if ((ss = take_digits(&p, 2)) < 0)
            return false;
    }
    if (!take_blanks(&p) || (*p != '+' && *p != '-'))
        return false;
    sign = *p++ == '-' ? -1 : 1;
    if ((zh = take_digits(&p, 2)) < 0 || (zm = take_digits(&p, 2)) < 0)
        return false;
    take_blanks(&p);
    if (*p || hh > 23 || mm > 59 || ss > 59 || zh > 23 || zm > 59 || d < 1 ||
        d > mdays[mo - 1] + (mo == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return false;
    t = days_from_civil(y, mo, d) * 86400L + hh * 3600L + mm * 60L + ss -
        sign * (zh * 3600L + zm * 60L);
    civil_from_days(t >= 0 ? t / 86400 : -((-t + 86399) / 86400), &y, &mo, &d);
    t -= days_from_civil(y, mo, d) * 86400L;
    if (y > 9999)
        return false;
    put_iso_utc(out, y, mo, d, (int)(t / 3600), (int)(t / 60 % 60), (int)(t % 60));
    return true;
}

/* The message's date: dt (when GMime could read `as_given`) in ISO 8601
 * UTC, else the header as given, with a defect. */
static void set_date(struct lw_msg *m, GDateTime *dt, const char *as_given, int *rc)
{
    if (dt) {
        GDateTime *utc = g_date_time_to_utc(dt);
        gchar *iso = NULL;
        char buf[32];
        int y = utc ? g_date_time_get_year(utc) : 0, mo, d;

        /* What g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ") gives, without
         * a format parser (g_date_time_format and snprintf cost a few
         * thousand instructions a message); a year of other than four
         * digits goes to it. */
        if (utc && y >= 1000 && y <= 9999) {
            g_date_time_get_ymd(utc, &y, &mo, &d);
            put_iso_utc(buf, y, mo, d, g_date_time_get_hour(utc), g_date_time_get_minute(utc),
                        g_date_time_get_second(utc));
            m->date = hdup(m, buf, rc);
        } else {
            iso = utc ? g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ") : NULL;
            m->date = hdup(m, iso, rc);
        }
        g_free(iso);
        if (utc)
            g_date_time_unref(utc);
    } else if (as_given) {
        m->date = hdup(m, as_given, rc);
        m->defects |= LW_DEFECT_BAD_HEADER;
    }
}

/* The first language tag of a Content-Language value. */
static void set_lang(struct lw_msg *m, const char *value, int rc)
{
    size_t a, n;

    if (!value || rc != LW_OK)
        return;
    a = strspn(value, " \t");
    n = strcspn(value + a, ", \t;");
    if (n)
        m->lang = lw_msg_strdup(m, value + a, n);
}

static int headers(const struct parse *st, GMimeMessage *msg, struct lw_msg *m)
{
    GMimeObject *obj = GMIME_OBJECT(msg);
    InternetAddressMailbox *from = first_mailbox(g_mime_message_get_from(msg));
    GDateTime *dt = g_mime_message_get_date(msg);
    const char *s;
    int rc = LW_OK;

    if (from) {
        m->from.name = hdup(m, internet_address_get_name(INTERNET_ADDRESS(from)), &rc);
        m->from.address = hdup(m, internet_address_mailbox_get_addr(from), &rc);
    }
    if (rc == LW_OK)
        rc = recipients(m, g_mime_message_get_to(msg));
    m->subject = hdup(m, g_mime_message_get_subject(msg), &rc);
    set_date(m, dt, dt ? NULL : g_mime_object_get_header(obj, "Date"), &rc);
    s = g_mime_message_get_message_id(msg);
    if (s && *s && rc == LW_OK) {
        const char *id = hdup(m, s, &rc);
        if (id)
            m->id = id;
    }
    m->thread = first_ref(st, m, g_mime_object_get_header(obj, "References"), &rc);
    if (!m->thread)
        m->thread = first_ref(st, m, g_mime_object_get_header(obj, "In-Reply-To"), &rc);
    /* A message that refers to none starts its own conversation: its replies
     * name it first in References, so its Message-ID is the thread id. */
    if (!m->thread && s && *s)
        m->thread = m->id;
    s = g_mime_object_get_header(obj, "Content-Language");
    if (!s && g_mime_message_get_mime_part(msg)) /* Content-* headers live on the part */
        s = g_mime_object_get_header(g_mime_message_get_mime_part(msg), "Content-Language");
    set_lang(m, s, rc);
    return rc;
}

/* ---- pre-scan ---------------------------------------------------------------- */

/* What one message costs GMime, measured before it parses it. */
struct scan {
    uint64_t end; /* just past the message: the next "From " line, or the end */
    size_t hdr_bytes, hdr_lines, blocks;
    char why[160]; /* set when a cap is passed */
};

/* The bytes of src from off: in memory, all of them where they are; from
 * a file, up to n read into buf. */
static int get_bytes(const struct bytes *src, uint64_t off, unsigned char *buf, size_t n,
                     const unsigned char **p, size_t *got)
{
    *got = 0;
    *p = buf;
    if (src->fd < 0) {
        if (off < src->len) {
            *p = src->mem + off;
            *got = (size_t)(src->len - off);
        }
        return LW_OK;
    }
    for (;;) {
        ssize_t k = pread(src->fd, buf, n, (off_t)off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return LW_EIO;
        *got = (size_t)k;
        return LW_OK;
    }
}

/* Scan the message that starts at `start`, line by line in O(1) memory:
 * header blocks are the message's own and those after each line starting
 * with "--" (a MIME boundary, or something like one), up to a blank line. */
static int prescan(const struct lw_limits *lim, bool mbox, const struct bytes *src, uint64_t start,
                   struct scan *sc)
{
    size_t max_bytes = LW_MIN(lim->max_record, LW_READER_MAX_HEADER_BYTES);
    size_t max_blocks = (size_t)lim->max_mime_parts * 4 + 16;
    unsigned char chunk[16384], pre[5];
    const unsigned char *buf;
    uint64_t off = start, line_start = start;
    size_t pre_n = 0, len = 0, got, i;
    bool first = mbox, in_hdr = !mbox, over = false;
    int rc;

    memset(sc, 0, sizeof(*sc));
    for (;;) {
        rc = get_bytes(src, off, chunk, sizeof(chunk), &buf, &got);
        if (rc < 0)
            return rc;
        for (i = 0; i < got || (got == 0 && (pre_n || len)); i++) {
            bool from, blank;
            if (got && buf[i] != '\n') {
                /* The rest of the line in this chunk, at once. */
                const unsigned char *nl = memchr(buf + i, '\n', got - i);
                size_t run = nl ? (size_t)(nl - (buf + i)) : got - i;
                size_t take = LW_MIN(run, sizeof(pre) - pre_n);
                memcpy(pre + pre_n, buf + i, take);
                pre_n += take;
                len += run;
                i += run - 1;
                continue;
            }
            /* a line ends (or the input does) */
            from = pre_n == 5 && memcmp(pre, "From ", 5) == 0;
            blank = len == 0 || (len == 1 && pre[0] == '\r');
            if (mbox && from && !first) {
                sc->end = line_start;
                return LW_OK;
            }
            if (first) {
                if (from) { /* the message's "From " line; lines before it are not mail */
                    first = false;
                    in_hdr = true;
                }
            } else if (over) {
                /* past a cap: only looking for the end of the message */
            } else if (in_hdr) {
                if (blank) {
                    in_hdr = false;
                } else {
                    sc->hdr_bytes += len + 1;
                    if (pre[0] != ' ' && pre[0] != '\t')
                        sc->hdr_lines++;
                }
            } else if (pre_n >= 2 && pre[0] == '-' && pre[1] == '-') {
                in_hdr = true;
                sc->blocks++;
            }
            if (!over && sc->hdr_bytes > max_bytes) {
                snprintf(sc->why, sizeof(sc->why), "headers longer than %zu bytes", max_bytes);
                over = true;
            } else if (!over && sc->hdr_lines > LW_READER_MAX_HEADER_LINES) {
                snprintf(sc->why, sizeof(sc->why), "more than %d header lines",
                         LW_READER_MAX_HEADER_LINES);
                over = true;
            } else if (!over && sc->blocks > max_blocks) {
                snprintf(sc->why, sizeof(sc->why), "more than %zu MIME boundaries", max_blocks);
                over = true;
            }
            if (over && !mbox) {
                sc->end = off + i;
                return LW_OK;
            }
            line_start = off + i + 1;
            pre_n = 0;
            len = 0;
            if (got == 0)
                break;
        }
        if (got == 0) {
            sc->end = off;
            return LW_OK;
        }
        off += got;
    }
}

/* ---- the reader ----------------------------------------------------------------- */

/* Fill m from a parsed message. */
static int fill(struct parse *p, GMimeMessage *msg, struct lw_msg *m)
{
    int rc;

    m->channel = LW_CHANNEL_EMAIL;
    rc = headers(p, msg, m);
    if (rc == LW_OK)
        rc = body(p, msg, m);
    m->defects |= p->warn;
    return rc;
}

static int open_parser(struct lw_reader *r, struct mail *st, struct lw_diag *diag)
{
    if (r->in->kind == LW_READER_IN_MEM) {
        st->src.mem = r->in->mem;
        st->src.len = r->in->mem_len;
        st->stream = g_mime_stream_mem_new_with_buffer((const char *)r->in->mem, r->in->mem_len);
    } else {
        int fd = -1;
        int rc = lw_reader_in_to_fd(r->in, &fd, diag);
        if (rc < 0) {
            lw_diag_at(diag, r->source, 0, 0);
            return rc;
        }
        st->src.fd = dup(fd);
        if (st->src.fd < 0) {
            close(fd);
            lw_reader_diag(r, diag, 0, "cannot duplicate a descriptor");
            return LW_EIO;
        }
        st->stream = g_mime_stream_fs_new(fd); /* owns fd */
    }
    if (!st->stream)
        return LW_ENOMEM;
    st->empty = g_mime_stream_length(st->stream) == 0;
    st->parser = g_mime_parser_new_with_stream(st->stream);
    if (!st->parser)
        return LW_ENOMEM;
    g_mime_parser_set_format(st->parser, st->mbox ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
    g_mime_parser_set_persist_stream(st->parser, TRUE);
    return LW_OK;
}

/* Read what is left of r->in into *b. */
static int read_rest(struct lw_reader *r, struct lw_buf *b, struct lw_diag *diag)
{
    char chunk[LW_READER_CHUNK];
    size_t got;
    int rc;

    for (;;) {
        rc = lw_reader_in_read(r->in, chunk, sizeof(chunk), &got);
        if (rc < 0) {
            lw_reader_diag(r, diag, 0, "cannot read: %s", lw_strerror(rc));
            return rc;
        }
        if (got == 0)
            return LW_OK;
        rc = lw_buf_append(b, chunk, got);
        if (rc == LW_ELIMIT)
            lw_reader_diag(r, diag, 1, "message is over %zu bytes (the record limit); skipped",
                           r->lim.max_record);
        if (rc < 0)
            return rc;
    }
}

/* Deferred parsing: hand the whole .eml on as raw bytes. A file of known
 * size is read straight into the message's arena; a stream, or a file
 * that grew since it was opened, goes through a buffer. */
static int mail_next_raw(struct lw_reader *r, struct mail *st, struct lw_msg **out,
                         struct lw_diag *diag)
{
    struct lw_buf b = LW_BUF_INIT(r->lim.max_record);
    struct lw_msg *m = NULL;
    uint64_t size = lw_reader_in_size(r->in);
    size_t len = 0, got;
    char *p = NULL;
    int rc;

    st->n = 1;
    rc = lw_reader_msg_new(r, 1, 1, &m);
    if (rc < 0)
        return rc;
    if (size && size <= r->lim.max_record) {
        /* One byte over the size tells whether the file grew. */
        p = lw_arena_alloc(m->arena, (size_t)size + 2);
        if (!p) {
            rc = LW_ENOMEM;
            goto out;
        }
        do {
            rc = lw_reader_in_read(r->in, p + len, (size_t)size + 1 - len, &got);
            if (rc < 0) {
                lw_reader_diag(r, diag, 0, "cannot read: %s", lw_strerror(rc));
                goto out;
            }
            len += got;
        } while (got && len <= size);
        if (len > size) {
            rc = lw_buf_append(&b, p, len);
            if (rc == LW_ELIMIT)
                lw_reader_diag(r, diag, 1, "message is over %zu bytes (the record limit); skipped",
                               r->lim.max_record);
            if (rc == LW_OK)
                rc = read_rest(r, &b, diag);
            p = NULL;
        }
    } else {
        rc = read_rest(r, &b, diag);
    }
    if (rc < 0)
        goto out;
    if (!p) {
        len = b.len;
        p = len ? lw_arena_strndup(m->arena, b.p, len) : NULL;
        if (len && !p) {
            rc = LW_ENOMEM;
            goto out;
        }
    }
    if (len == 0) {
        rc = 0; /* an empty file holds no message */
        goto out;
    }
    p[len] = '\0';
    m->raw = p;
    m->raw_len = len;
    m->channel = LW_CHANNEL_EMAIL;
    *out = m;
    m = NULL;
    rc = 1;
out:
    lw_msg_free(m);
    lw_buf_release(&b);
    return rc;
}

static int mail_next(struct lw_reader *r, struct lw_msg **out, struct lw_diag *diag)
{
    struct mail *st = r->st;
    GMimeMessage *msg = NULL;
    struct lw_msg *m = NULL;
    struct scan sc;
    int rc;

    if (!st->mbox && st->n > 0)
        return 0;
    if (r->defer && !st->mbox && !st->parser)
        return mail_next_raw(r, st, out, diag);
    if (!st->parser) {
        rc = open_parser(r, st, diag);
        if (rc < 0)
            return rc;
    }
    if (st->empty || (st->mbox && g_mime_parser_eos(st->parser)))
        return 0;
    rc = prescan(&r->lim, st->mbox, &st->src,
                 st->mbox ? (uint64_t)g_mime_parser_tell(st->parser) : 0, &sc);
    if (rc < 0) {
        lw_reader_diag(r, diag, st->n + 1, "read error");
        return rc;
    }
    st->p.warn = 0;
    st->n++;
    if (sc.why[0]) {
        lw_reader_diag(r, diag, st->n, "%s, message skipped", sc.why);
        if (!st->mbox) {
            r->done = true;
            return LW_ELIMIT;
        }
        /* Go on at the next "From " line with a fresh parser state. */
        g_mime_stream_seek(st->stream, (gint64)sc.end, GMIME_STREAM_SEEK_SET);
        g_mime_parser_init_with_stream(st->parser, st->stream);
        return LW_ELIMIT;
    }
    msg = g_mime_parser_construct_message(st->parser, st->p.opts);
    if (!msg) {
        r->done = true; /* the parser cannot go on */
        if (st->mbox && st->n > 1 && g_mime_parser_eos(st->parser))
            return 0;
        lw_reader_diag(r, diag, st->n,
                       st->mbox ? "not an mbox message (no 'From ' line where one should start)"
                                : "not an e-mail message");
        return LW_EPARSE;
    }
    rc = lw_reader_msg_new(r, st->n, st->n, &m);
    if (rc < 0)
        goto out;
    rc = fill(&st->p, msg, m);
    if (rc < 0)
        goto out;
    *out = m;
    m = NULL;
    rc = 1;
out:
    lw_msg_free(m);
    g_object_unref(msg);
    return rc;
}

/* The header fields lurewatch reads, and those GMime needs to find the
 * body. Everything else (Received chains, X- fields, DKIM signatures, list
 * headers) is dropped before GMime parses a deferred message: it is most
 * of an ordinary mail's header block and most of the cost of parsing it. */
static const char *const kept_fields[] = {
    "from",
    "to",
    "subject",
    "date",
    "message-id",
    "references",
    "in-reply-to",
    "content-type",
    "content-transfer-encoding",
    "content-disposition",
    "content-language",
    "mime-version",
};

/* Indexes into kept_fields. */
enum { F_FROM, F_TO, F_SUBJECT, F_DATE, F_MSGID, F_REFS, F_IRT, F_CTYPE, F_CTE, F_CDISP, F_CLANG };

/* The index of the kept field a header line starts, or -1. */
static int kept_field(const char *p, size_t n)
{
    size_t i, k;

    for (k = 0; k < n && p[k] != ':' && p[k] != ' ' && p[k] != '\t'; k++)
        ;
    for (i = 0; i < LW_ARRAY_LEN(kept_fields); i++)
        if (strlen(kept_fields[i]) == k && g_ascii_strncasecmp(p, kept_fields[i], k) == 0)
            return (int)i;
    return -1;
}

/* Copy raw into a new byte array with only the kept header fields (and
 * their folded lines), without a leading mbox "From " line; the body
 * follows unchanged. */
static GByteArray *filter_headers(const char *raw, size_t len)
{
    GByteArray *a = g_byte_array_sized_new((guint)LW_MIN(len, (size_t)G_MAXUINT));
    size_t i = 0;
    bool keep = false;

    if (len >= 5 && memcmp(raw, "From ", 5) == 0) {
        const char *nl = memchr(raw, '\n', len);
        i = nl ? (size_t)(nl - raw) + 1 : len;
    }
    while (i < len) {
        const char *nl = memchr(raw + i, '\n', len - i);
        size_t n = nl ? (size_t)(nl - (raw + i)) + 1 : len - i;
        const char *line = raw + i;
        if (n == 1 || (n == 2 && line[0] == '\r'))
            break; /* the blank line: the body follows */
        if (line[0] != ' ' && line[0] != '\t')
            keep = kept_field(line, n) >= 0;
        if (keep)
            g_byte_array_append(a, (const guint8 *)line, (guint)n);
        i += n;
    }
    g_byte_array_append(a, (const guint8 *)raw + i, (guint)(len - i));
    return a;
}

/* ---- the light path ----------------------------------------------------------
 * Most mail is one text part, or a multipart of a few. Building GMime's
 * object tree for it costs more than screening it, so for such a message
 * the header block is split here and each field is decoded by the same
 * GMime functions the full parser uses (address lists, RFC 2047 text,
 * dates, message ids, content types), and the body by GMime's
 * transfer-encoding decoder and iconv helpers. A multipart body is split
 * into parts here as GMime's parser splits it (see complete_multipart).
 * Attachments as the whole message, message/rfc822 parts, uuencode and
 * anything unusual go to the full parser. test_defer checks that both
 * paths give the same message. */

struct fields {
    const char *val[LW_ARRAY_LEN(kept_fields)]; /* first occurrence, after the colon */
    size_t len[LW_ARRAY_LEN(kept_fields)];      /* folded lines included */
    size_t body;                                /* offset of the body */
    bool bad_name;                              /* a header line with no field name */
    bool dup;                                   /* a kept field given twice */
};

static void split_fields(const char *raw, size_t len, struct fields *f)
{
    size_t i = 0;
    int cur = -1;

    memset(f, 0, sizeof(*f));
    if (len >= 5 && memcmp(raw, "From ", 5) == 0) {
        const char *nl = memchr(raw, '\n', len);
        i = nl ? (size_t)(nl - raw) + 1 : len;
    }
    while (i < len) {
        const char *line = raw + i, *nl = memchr(line, '\n', len - i), *colon;
        size_t n = nl ? (size_t)(nl - line) + 1 : len - i;
        if (n == 1 || (n == 2 && line[0] == '\r')) {
            i += n;
            break; /* the blank line: the body follows */
        }
        if (line[0] == ' ' || line[0] == '\t') {
            if (cur >= 0 && f->val[cur] + f->len[cur] == line)
                f->len[cur] += n; /* a folded line of the current field */
        } else {
            cur = kept_field(line, n);
            colon = memchr(line, ':', n);
            if (!colon || colon == line)
                f->bad_name = true;
            if (cur >= 0 && colon && !f->val[cur]) {
                f->val[cur] = colon + 1;
                f->len[cur] = n - (size_t)(colon + 1 - line);
            } else {
                if (cur >= 0 && colon)
                    f->dup = true;
                cur = -1;
            }
        }
        i += n;
    }
    f->body = i;
}

/* A field's value, unfolded and trimmed, as a g_malloc'd string (NULL if absent). */
/* Is v[0, n) one line: no line break but at its end? */
static bool one_line(const char *v, size_t n)
{
    while (n && (v[n - 1] == '\n' || v[n - 1] == '\r'))
        n--;
    return !memchr(v, '\n', n) && !memchr(v, '\r', n);
}

static char *field(const struct fields *f, int k)
{
    char *raw, *v;

    if (!f->val[k])
        return NULL;
    raw = g_strndup(f->val[k], f->len[k]);
    /* A value on one line (most): unfolding only trims the blanks that
     * g_strstrip trims anyway. */
    if (one_line(f->val[k], f->len[k]))
        return g_strstrip(raw);
    v = g_mime_utils_header_unfold(raw);
    g_free(raw);
    return v ? g_strstrip(v) : NULL;
}

/* A field's value as GMime keeps it (a header's raw_value): folded lines and
 * line breaks included. GMime parses Content-Type and Content-Disposition
 * from that, and an unquoted parameter before a folded line keeps the line
 * break ("charset=gb2312\n x" names no charset, where "gb2312 x" unfolded
 * might), so they are parsed from it here too. */
static char *raw_field(const struct fields *f, int k)
{
    return f->val[k] ? g_strndup(f->val[k], f->len[k]) : NULL;
}

/* ---- plain fields without GMime --------------------------------------------
 * Most From, To and Subject fields are plain ASCII: "Name <local@domain>",
 * a bare address, a subject with no encoded word. For those GMime's
 * parsers (address lists are GObjects, made and freed for every message)
 * would give back the text as it is; they are read here. Anything else --
 * quotes, comments, encoded words, groups, 8-bit bytes, dots or double
 * blanks in a name -- goes to GMime. bench/mail-paths.sh compares the
 * result with GMime's on the whole corpus. */

static bool addr_char(int c, bool domain)
{
    return g_ascii_isalnum(c) || c == '.' || c == '-' || (!domain && (c == '_' || c == '+'));
}

/* Is s[0..n) local@domain of plain characters, no dot at either end of
 * either side, no two dots in a row? */
static bool plain_addr(const char *s, size_t n)
{
    const char *at = memchr(s, '@', n);
    size_t i, a;

    if (!at || at == s || at == s + n - 1)
        return false;
    a = (size_t)(at - s);
    for (i = 0; i < n; i++) {
        if (i == a)
            continue;
        if (!addr_char((unsigned char)s[i], i > a))
            return false;
        if (s[i] == '.' && (i == 0 || i == n - 1 || i == a - 1 || i == a + 1 || s[i + 1] == '.'))
            return false;
    }
    return true;
}

/* The name of s[0..k) = '"Name" ' or '"Name"' before a mailbox's '<':
 * printable ASCII with single inner blanks and none of " \ < > , : ; or
 * "=?" (an encoded word), which GMime gives back as it is. */
static bool quoted_name(const char *s, size_t k, const char **name, size_t *nlen)
{
    const char *q = k > 1 ? memchr(s + 1, '"', k - 1) : NULL;
    size_t i, n;

    if (!q || (q + 1 != s + k && (q + 2 != s + k || q[1] != ' ')))
        return false;
    n = (size_t)(q - s - 1);
    if (n == 0 || s[1] == ' ' || s[n] == ' ')
        return false;
    for (i = 1; i <= n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || strchr("\"\\<>,:;", c) || (c == ' ' && s[i + 1] == ' ') ||
            (c == '=' && s[i + 1] == '?'))
            return false;
    }
    *name = s + 1;
    *nlen = n;
    return true;
}

/* Split a plain mailbox s[0..n): "local@domain", "<local@domain>",
 * "Name <local@domain>", the name words of letters, digits, ' and -
 * with single blanks, or '"Name" <local@domain>' (quoted_name). *name is
 * NULL (nlen 0) when there is none. */
static bool plain_mailbox(const char *s, size_t n, const char **name, size_t *nlen,
                          const char **addr, size_t *alen)
{
    const char *lt = memchr(s, '<', n);
    size_t i, k;

    *name = NULL;
    *nlen = 0;
    if (!lt) {
        *addr = s;
        *alen = n;
        return plain_addr(s, n);
    }
    if (s[n - 1] != '>' || memchr(lt + 1, '<', (size_t)(s + n - lt - 1)))
        return false;
    *addr = lt + 1;
    *alen = (size_t)(s + n - 1 - (lt + 1));
    if (!plain_addr(*addr, *alen))
        return false;
    k = (size_t)(lt - s);
    if (k == 0)
        return true;
    if (s[0] == '"')
        return quoted_name(s, k, name, nlen);
    if (k < 2 || s[k - 1] != ' ' || s[0] == ' ')
        return false;
    for (i = 0; i + 1 < k; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(g_ascii_isalnum(c) || c == '\'' || c == '-' || (c == ' ' && s[i + 1] != ' ')))
            return false;
    }
    *name = s;
    *nlen = k - 1;
    return true;
}

/* From: its first mailbox, or false to leave it to GMime. */
static bool plain_from(struct lw_msg *m, const char *v, int *rc)
{
    const char *name, *addr;
    size_t nlen, alen;

    if (!plain_mailbox(v, strlen(v), &name, &nlen, &addr, &alen))
        return false;
    if (name)
        m->from.name = lw_msg_strdup(m, name, nlen);
    m->from.address = lw_msg_strdup(m, addr, alen);
    if ((name && !m->from.name) || !m->from.address)
        *rc = LW_ENOMEM;
    return true;
}

/* The next element of a comma-separated list from *s, blanks trimmed
 * (*len may be 0); false at the end of the list. */
static bool next_elem(const char **s, const char **elem, size_t *len)
{
    const char *e;

    if (!*s)
        return false;
    e = strchr(*s, ',');
    *elem = *s;
    *len = e ? (size_t)(e - *s) : strlen(*s);
    *s = e ? e + 1 : NULL;
    while (*len > 0 && **elem == ' ')
        (*elem)++, (*len)--;
    while (*len > 0 && (*elem)[*len - 1] == ' ')
        (*len)--;
    return true;
}

/* To: every address of a list of plain mailboxes, or false (nothing
 * added) to leave it to GMime. */
static bool plain_to(struct lw_msg *m, const char *v, int *rc)
{
    const char *s = v, *el, *name, *addr;
    size_t n = 0, k, nlen, alen;

    while (next_elem(&s, &el, &k)) {
        if (!plain_mailbox(el, k, &name, &nlen, &addr, &alen))
            return false;
        n++;
    }
    if (n == 0)
        return false;
    n = LW_MIN(n, (size_t)LW_READER_MAX_TO);
    m->to = lw_arena_calloc(m->arena, n, sizeof(*m->to));
    if (!m->to) {
        *rc = LW_ENOMEM;
        return true;
    }
    for (s = v; m->n_to < n && next_elem(&s, &el, &k);) {
        (void)plain_mailbox(el, k, &name, &nlen, &addr, &alen);
        if (!(m->to[m->n_to++] = lw_msg_strdup(m, addr, alen))) {
            *rc = LW_ENOMEM;
            break;
        }
    }
    return true;
}

/* A subject of printable ASCII with no encoded word decodes to itself. */
static bool plain_text(const char *v)
{
    size_t i;

    for (i = 0; v[i]; i++)
        if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e ||
            (v[i] == '=' && v[i + 1] == '?'))
            return false;
    return true;
}

static int light_headers(struct parse *p, const struct fields *f, struct lw_msg *m)
{
    bool have_id = false;
    char *v;
    int rc = LW_OK;

    if ((v = field(f, F_FROM)) != NULL && plain_from(m, v, &rc)) {
        g_free(v);
    } else if (v) {
        InternetAddressList *l = internet_address_list_parse(p->opts, v);
        InternetAddressMailbox *from = first_mailbox(l);
        if (from) {
            m->from.name = hdup(m, internet_address_get_name(INTERNET_ADDRESS(from)), &rc);
            m->from.address = hdup(m, internet_address_mailbox_get_addr(from), &rc);
        }
        if (l)
            g_object_unref(l);
        g_free(v);
    }
    if (rc == LW_OK && (v = field(f, F_TO)) != NULL && plain_to(m, v, &rc)) {
        g_free(v);
    } else if (rc == LW_OK && v) {
        InternetAddressList *l = internet_address_list_parse(p->opts, v);
        rc = recipients(m, l);
        if (l)
            g_object_unref(l);
        g_free(v);
    }
    if ((v = field(f, F_SUBJECT)) != NULL && plain_text(v)) {
        m->subject = hdup(m, v, &rc);
        g_free(v);
    } else if (v) {
        /* Blanks that encoded words decode to are kept, as GMime keeps them. */
        char *d = g_mime_utils_header_decode_text(p->opts, v);
        m->subject = hdup(m, d, &rc);
        g_free(d);
        g_free(v);
    }
    if ((v = field(f, F_DATE)) != NULL) {
        char iso[21];
        if (quick_date(v, iso)) {
            m->date = hdup(m, iso, &rc);
        } else {
            GDateTime *dt = g_mime_utils_header_decode_date(v);
            set_date(m, dt, v, &rc);
            if (dt)
                g_date_time_unref(dt);
        }
        g_free(v);
    }
    if ((v = field(f, F_MSGID)) != NULL) {
        char *id = g_mime_utils_decode_message_id(v);
        if (id && *id && rc == LW_OK) {
            const char *d = hdup(m, id, &rc);
            if (d) {
                m->id = d;
                have_id = true;
            }
        }
        g_free(id);
        g_free(v);
    }
    if ((v = field(f, F_REFS)) != NULL) {
        m->thread = first_ref(p, m, v, &rc);
        g_free(v);
    }
    if (!m->thread && (v = field(f, F_IRT)) != NULL) {
        m->thread = first_ref(p, m, v, &rc);
        g_free(v);
    }
    /* A message that refers to none starts its own conversation (as headers()). */
    if (!m->thread && have_id)
        m->thread = m->id;
    if ((v = field(f, F_CLANG)) != NULL) {
        set_lang(m, v, rc);
        g_free(v);
    }
    if (f->bad_name)
        m->defects |= LW_DEFECT_BAD_HEADER;
    return rc;
}

/* Charsets whose bytes 0x00-0x7F are ASCII, so that text of such bytes
 * alone converts to itself (most "iso-8859-1" mail is plain ASCII). Not
 * the 7-bit encodings (ISO-2022-*, UTF-7, HZ), nor Shift_JIS, whose 0x5C
 * and 0x7E some converters read as yen and overline. canon is a name as
 * g_mime_charset_canon_name gives it, matched whole: the full parser flags
 * a charset its filter cannot open ("iso-8859-99", "gb2312" with a folded
 * line after it), so a prefix is not enough. Not windows-125n either: its
 * canonical name drops what follows the number ("windows-1251 x" is
 * "windows-cp1251"), the filter does not. */
static bool ascii_superset(const char *canon)
{
    static const char *const names[] = {"koi8-r", "koi8-u", "gbk",    "gb18030",
                                        "big5",   "euc-jp", "euc-kr", "euc-tw"};
    /* a prefix, then a number n with bit n set in `ok` */
    static const struct {
        const char *prefix;
        unsigned ok;
    } numbered[] = {{"iso-8859-", 0x1effe}, {"cp125", 0x1ff}};
    size_t i;

    for (i = 0; i < LW_ARRAY_LEN(names); i++)
        if (g_ascii_strcasecmp(canon, names[i]) == 0)
            return true;
    for (i = 0; i < LW_ARRAY_LEN(numbered); i++) {
        size_t k = strlen(numbered[i].prefix);
        const char *d = canon + k;
        unsigned v;
        if (g_ascii_strncasecmp(canon, numbered[i].prefix, k) != 0 || !g_ascii_isdigit(d[0]))
            continue;
        v = (unsigned)(d[0] - '0');
        if (d[0] != '0' && g_ascii_isdigit(d[1]))
            v = v * 10 + (unsigned)(d[1] - '0');
        if (d[v >= 10 ? 2 : 1] == '\0' && v < 32 && (numbered[i].ok >> v & 1))
            return true;
    }
    return false;
}

/* Latin-1 text as UTF-8 (g_malloc'd; *n becomes its length). Each byte is
 * the code point of its value, which is what GMime's charset filter gives
 * too; the filter costs a GObject and an iconv converter a part, and
 * Latin-1 is the charset of a third of the corpus. */
static char *latin1_utf8(const char *in, size_t *n)
{
    char *out = g_malloc(2 * *n + 1);
    size_t i, k = 0;

    for (i = 0; i < *n; i++) {
        unsigned char b = (unsigned char)in[i];
        if (b < 0x80) {
            out[k++] = (char)b;
        } else {
            out[k++] = (char)(0xC0 | b >> 6);
            out[k++] = (char)(0x80 | (b & 0x3F));
        }
    }
    *n = k;
    return out;
}

/* A Content-Type on the light path. The simple form -- type/subtype and
 * parameters of tokens or plain quoted strings, what nearly all mail has --
 * is read here: GMime's parse makes (and frees) an object with a parameter
 * list for every part, about a twentieth of the whole scan. Anything else
 * (comments, RFC 2231 parameters, escapes, encoded words, a parameter
 * given twice, odd spacing) is GMime's, with its warnings; the simple form
 * draws none. Only the charset and boundary parameters are kept. */
struct ctype {
    GMimeContentType *g; /* GMime's parse, when not the simple form */
    bool set;            /* a Content-Type was given (else text/plain) */
    bool has_charset, has_boundary;
    char type[32], sub[64];
    char charset[64], boundary[128];
};

/* RFC 2045 token characters: US-ASCII but space, controls and tspecials. */
static bool ct_token_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?=", c);
}

static size_t ct_token(const char *s)
{
    size_t n = 0;

    while (ct_token_char((unsigned char)s[n]))
        n++;
    return n;
}

static const char *ct_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return s;
}

/* A parameter value: a token, or a quoted string without escapes or an
 * encoded word; copied to out (size bytes). Its length, or 0. */
static size_t ct_value(const char *s, char *out, size_t size)
{
    size_t n;

    if (*s == '"') {
        for (n = 1; s[n] && s[n] != '"' && s[n] != '\\' && (unsigned char)s[n] < 0x80 &&
                    !(s[n] == '=' && s[n + 1] == '?');
             n++)
            ;
        if (s[n] != '"' || n == 1 || n - 1 >= size)
            return 0;
        memcpy(out, s + 1, n - 1);
        out[n - 1] = '\0';
        return n + 1;
    }
    n = ct_token(s);
    if (!n || n >= size)
        return 0;
    memcpy(out, s, n);
    out[n] = '\0';
    return n;
}

static bool ct_simple(const char *v, struct ctype *ct)
{
    const char *s = ct_ws(v);
    char name[32], value[128];
    size_t n;

    n = ct_token(s);
    if (!n || n >= sizeof(ct->type) || s[n] != '/')
        return false;
    memcpy(ct->type, s, n);
    ct->type[n] = '\0';
    s += n + 1;
    n = ct_token(s);
    if (!n || n >= sizeof(ct->sub))
        return false;
    memcpy(ct->sub, s, n);
    ct->sub[n] = '\0';
    for (s = ct_ws(s + n); *s == ';'; s = ct_ws(s)) {
        s = ct_ws(s + 1);
        n = ct_token(s);
        if (!n || n >= sizeof(name) || s[n] != '=' || memchr(s, '*', n))
            return false;
        memcpy(name, s, n);
        name[n] = '\0';
        s += n + 1;
        if (!(n = ct_value(s, value, sizeof(value))))
            return false;
        s += n;
        if (g_ascii_strcasecmp(name, "charset") == 0) {
            if (ct->has_charset || strlen(value) >= sizeof(ct->charset))
                return false;
            memcpy(ct->charset, value, strlen(value) + 1);
            ct->has_charset = true;
        } else if (g_ascii_strcasecmp(name, "boundary") == 0) {
            if (ct->has_boundary)
                return false;
            memcpy(ct->boundary, value, strlen(value) + 1); /* both sizeof(value) */
            ct->has_boundary = true;
        }
    }
    return *s == '\0';
}

/* Parse the Content-Type value v into ct; false when GMime cannot. */
static bool ct_parse(struct parse *p, const char *v, struct ctype *ct)
{
    memset(ct, 0, sizeof(*ct));
    ct->set = true;
    if (ct_simple(v, ct))
        return true;
    memset(ct, 0, sizeof(*ct));
    ct->set = true;
    ct->g = g_mime_content_type_parse(p->opts, v);
    return ct->g != NULL;
}

/* g_mime_content_type_is_type: case aside, "*" matches anything. An unset
 * Content-Type is no type here (callers treat it as text/plain). */
static bool ct_is(const struct ctype *ct, const char *type, const char *sub)
{
    if (ct->g)
        return g_mime_content_type_is_type(ct->g, type, sub);
    return ct->set && (!strcmp(type, "*") || !g_ascii_strcasecmp(ct->type, type)) &&
           (!strcmp(sub, "*") || !g_ascii_strcasecmp(ct->sub, sub));
}

/* The charset or boundary parameter, or NULL. */
static const char *ct_param(const struct ctype *ct, const char *name)
{
    if (ct->g)
        return g_mime_content_type_get_parameter(ct->g, name);
    if (!strcmp(name, "charset"))
        return ct->has_charset ? ct->charset : NULL;
    return ct->has_boundary ? ct->boundary : NULL;
}

static void ct_free(struct ctype *ct)
{
    if (ct->g)
        g_object_unref(ct->g);
    memset(ct, 0, sizeof(*ct));
}

/* The text of one part, in[0..n) as it is in the message: transfer
 * encoding, then charset. An unset ct is text/plain without a charset.
 * at_end: in[n] is the NUL after m->raw, so text that needs neither can
 * stay where it is. */
static int light_text(struct parse *p, const char *in, size_t n, bool at_end,
                      const struct ctype *ct, GMimeContentEncoding enc, struct lw_msg *m)
{
    const char *charset = ct_param(ct, "charset");
    char *dec = NULL, *conv = NULL;
    const char *text = in;
    int rc;

    if (enc == GMIME_CONTENT_ENCODING_BASE64 || enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE) {
        GMimeEncoding st;
        g_mime_encoding_init_decode(&st, enc);
        dec = g_malloc(g_mime_encoding_outlen(&st, n) + 1);
        n = g_mime_encoding_flush(&st, in, n, dec);
        text = dec;
    }
    if (charset) {
        const char *canon = g_mime_charset_canon_name(charset);
        if (canon && g_ascii_strcasecmp(canon, "utf-8") != 0 &&
            g_ascii_strcasecmp(canon, "us-ascii") != 0 &&
            !(ascii_superset(canon) && lw_ascii_prefix(text, n) == n)) {
            /* GMime's charset filter, as the full parser uses: it skips what
             * it cannot convert rather than failing the whole part. */
            const char *iname = NULL;
            GMimeFilter *cf = NULL;
            if (g_ascii_strcasecmp(canon, "iso-8859-1") == 0) {
                conv = latin1_utf8(text, &n);
                text = conv;
            } else if ((cf = charset_filter_take(charset, &iname)) != NULL) {
                GByteArray *a = g_byte_array_sized_new((guint)LW_MIN(n, (size_t)G_MAXUINT));
                char *o, *src = (char *)text;
                size_t olen, opre;
                g_mime_filter_filter(cf, src, n, 0, &o, &olen, &opre);
                g_byte_array_append(a, (const guint8 *)o, (guint)olen);
                g_mime_filter_complete(cf, src + n, 0, 0, &o, &olen, &opre);
                g_byte_array_append(a, (const guint8 *)o, (guint)olen);
                charset_filter_give(iname, cf);
                n = a->len;
                conv = (char *)g_byte_array_free(a, FALSE);
                text = conv;
            } else {
                m->defects |= LW_DEFECT_BAD_MIME; /* unknown charset: kept as is */
            }
        }
    }
    if (ct_is(ct, "text", "html"))
        m->text_is_html = true;
    /* The body of a single-part message ends the raw bytes, and its NUL. */
    if (text == in && at_end)
        rc = lw_msg_set_text_in_place(m, text, n, p->lim->max_text);
    else
        rc = lw_msg_set_text(m, text, n, p->lim->max_text);
    g_free(dec);
    g_free(conv);
    return rc;
}

/* ---- the light path: multipart messages ---------------------------------------
 * GMime's parser (gmime-parser.c) splits a multipart body line by line. A
 * line is a boundary when it is "--" and the boundary of the multipart it
 * is in, or of one around it (the innermost first), "--" more for the last
 * one, then nothing but ' ', '\t' or '\r'. The preamble before the first
 * boundary and the epilogue after the last are skipped. The line break
 * before a boundary line belongs to the boundary: GMime drops one byte of
 * the part, or two when the boundary line ends in "\r" (it looks at the
 * boundary line, not at the part's last line). A part's header block ends
 * at a blank line; a part without one has only a body. walk() then takes
 * the first text/plain part that is not an attachment, else the first
 * text/html, counting parts and depth. This does the same on the raw bytes
 * and leaves to the full parser what GMime treats in its own way: header
 * lines that are not "Name: value" (GMime skips them, or ends the block at
 * a boundary), a field given twice, a part cut off in its header block,
 * message/rfc822 and digests, nesting past the caps, uuencode. */

/* What scan_content stopped at, as GMime's BoundaryType. */
enum found {
    FOUND_NONE,       /* not a boundary */
    FOUND_EOS,        /* the end of the message */
    FOUND_NEXT,       /* "--b": the next part of the innermost multipart */
    FOUND_END,        /* "--b--": its end */
    FOUND_PARENT,     /* the boundary of a multipart around it */
    FOUND_PARENT_END, /* the end boundary of a multipart around it */
};

#define MP_MAX_NEST  32 /* multiparts in multiparts; deeper goes to the full parser */
#define MP_MAX_LINES 32 /* fields in one part's header block, for the repeat check */

/* A part walk() may take: its bytes as in the message, and how to decode them. */
struct pick {
    bool set;
    const char *p;
    size_t n;
    struct ctype ct; /* ours; unset is text/plain */
    GMimeContentEncoding enc;
};

static void pick_release(struct pick *k)
{
    ct_free(&k->ct);
}

struct mp {
    struct parse *p;
    const char *raw;
    size_t len, pos;              /* pos: the start of the line looked at next */
    const char *bnd[MP_MAX_NEST]; /* boundaries of the open multiparts, innermost last */
    size_t blen[MP_MAX_NEST];
    unsigned nb;
    unsigned parts; /* as walk() counts them */
    bool over;      /* walk() would stop at a cap here */
    bool bail;      /* the full parser must do this message */
    struct pick plain, html;
};

/* Is s[0..n) "--" b ("--" if last) followed by white space only? */
static bool is_bound(const char *s, size_t n, const char *b, size_t blen, bool last)
{
    size_t k = 2 + blen + (last ? 2 : 0), i;

    if (n < k || s[0] != '-' || s[1] != '-' || memcmp(s + 2, b, blen) != 0)
        return false;
    if (last && (s[2 + blen] != '-' || s[3 + blen] != '-'))
        return false;
    for (i = k; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* What the line s[0..n) (without its '\n') is to the open multiparts. */
static enum found boundary_line(const struct mp *mp, const char *s, size_t n)
{
    unsigned i;

    if (n < 2 || s[0] != '-' || s[1] != '-')
        return FOUND_NONE;
    for (i = mp->nb; i-- > 0;) {
        bool inner = i + 1 == mp->nb;
        if (is_bound(s, n, mp->bnd[i], mp->blen[i], true))
            return inner ? FOUND_END : FOUND_PARENT_END;
        if (is_bound(s, n, mp->bnd[i], mp->blen[i], false))
            return inner ? FOUND_NEXT : FOUND_PARENT;
    }
    return FOUND_NONE;
}

/* The bytes from mp->pos up to the next boundary line, where it stops
 * (the boundary line is left for the caller), or to the end. */
static enum found scan_content(struct mp *mp, const char **p, size_t *n)
{
    size_t start = mp->pos;

    *p = mp->raw + start;
    while (mp->pos < mp->len) {
        const char *line = mp->raw + mp->pos;
        const char *nl = memchr(line, '\n', mp->len - mp->pos);
        size_t k = nl ? (size_t)(nl - line) : mp->len - mp->pos;
        enum found f = boundary_line(mp, line, k);
        if (f != FOUND_NONE) {
            size_t have = mp->pos - start, cut = line[k - 1] == '\r' ? 2 : 1;
            *n = have > cut ? have - cut : 0;
            return f;
        }
        mp->pos += nl ? k + 1 : k;
    }
    *n = mp->len - start;
    return FOUND_EOS;
}

/* Step past the line at mp->pos; false if it has no '\n'. */
static bool skip_line(struct mp *mp)
{
    const char *nl = memchr(mp->raw + mp->pos, '\n', mp->len - mp->pos);

    mp->pos = nl ? (size_t)(nl - mp->raw) + 1 : mp->len;
    return nl != NULL;
}

/* The length of the field name a header line starts with, blanks before
 * the colon left out; 0 if GMime would not read it as a field. */
static size_t field_name(const char *line, size_t n)
{
    size_t i, end = 0;
    bool blank = false;

    for (i = 0; i < n && line[i] != ':'; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c == ' ' || c == '\t')
            blank = true;
        else if (blank || c < 0x20 || c == 0x7f)
            return 0;
        else
            end = i + 1;
    }
    return i < n ? end : 0;
}

/* Split the header block of a part at mp->pos into f and move mp->pos to
 * its body; false (and mp->bail) for a block only the full parser should
 * read: see the banner. GMime warns about any field a part repeats with
 * another value, so every name is compared, not only those we read. */
static bool part_fields(struct mp *mp, struct fields *f)
{
    const char *name[MP_MAX_LINES];
    size_t name_len[MP_MAX_LINES], i = mp->pos;
    unsigned nf = 0, j;
    int cur = -1;

    memset(f, 0, sizeof(*f));
    while (i < mp->len) {
        const char *line = mp->raw + i, *nl = memchr(line, '\n', mp->len - i);
        size_t n = nl ? (size_t)(nl - line) + 1 : 0, k;
        if (!nl)
            break; /* cut off in the header block */
        if (n == 1 || (n == 2 && line[0] == '\r')) {
            f->body = mp->pos = i + n;
            return true;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            if (nf == 0)
                break; /* GMime skips a first line that starts blank */
            if (cur >= 0)
                f->len[cur] += n;
            i += n;
            continue;
        }
        k = field_name(line, n);
        if (k == 0 || line[0] == '-' || nf == MP_MAX_LINES)
            break;
        for (j = 0; j < nf; j++)
            if (name_len[j] == k && g_ascii_strncasecmp(name[j], line, k) == 0)
                break;
        if (j < nf)
            break; /* repeated: GMime warns if the values differ, keeps the last */
        name[nf] = line;
        name_len[nf++] = k;
        cur = kept_field(line, n);
        if (cur >= 0) {
            const char *colon = memchr(line, ':', n);
            f->val[cur] = colon + 1;
            f->len[cur] = n - (size_t)(colon + 1 - line);
        }
        i += n;
    }
    mp->bail = true;
    return false;
}

/* Count a part as walk() does; false once walk() has stopped. */
static bool walk_count(struct mp *mp, unsigned depth)
{
    if (mp->plain.set || mp->over)
        return false;
    if (++mp->parts > mp->p->lim->max_mime_parts || depth > mp->p->lim->max_mime_depth) {
        mp->over = true;
        return false;
    }
    return true;
}

/* A leaf part, as walk() looks at it; takes ct if it keeps the part. */
static void walk_leaf(struct mp *mp, unsigned depth, struct ctype *ct, GMimeContentEncoding enc,
                      bool attachment, const char *p, size_t n)
{
    struct pick *k = NULL;

    if (!walk_count(mp, depth) || attachment)
        return;
    if (!ct->set || ct_is(ct, "text", "plain"))
        k = &mp->plain;
    else if (!mp->html.set && ct_is(ct, "text", "html"))
        k = &mp->html;
    if (!k)
        return;
    pick_release(k);
    *k = (struct pick){true, p, n, *ct, enc};
    memset(ct, 0, sizeof(*ct)); /* k has it now */
}

/* Whether a part's Content-Disposition makes it an attachment, as
 * g_mime_part_is_attachment() decides. Parsed for every part that has
 * one, as GMime does, for the same warnings. */
static bool is_attachment(struct parse *p, const struct fields *f)
{
    GMimeContentDisposition *d;
    bool yes;
    char *v;

    if ((v = raw_field(f, F_CDISP)) == NULL)
        return false;
    d = g_mime_content_disposition_parse(p->opts, v);
    yes = d && g_mime_content_disposition_is_attachment(d);
    if (d)
        g_object_unref(d);
    g_free(v);
    return yes;
}

/* A multipart that ended at a boundary of one around it has been closed;
 * what that line is to the multipart it was in (GMime's
 * found_immediate_boundary): its next part, its end, or still one further out. */
static enum found parent_found(const struct mp *mp, enum found found)
{
    const char *s = mp->raw + mp->pos, *nl = memchr(s, '\n', mp->len - mp->pos);
    size_t n = nl ? (size_t)(nl - s) : mp->len - mp->pos;
    unsigned i;

    if (mp->nb == 0)
        return found;
    i = mp->nb - 1;
    if (found == FOUND_PARENT_END && is_bound(s, n, mp->bnd[i], mp->blen[i], true))
        return FOUND_END;
    if (found == FOUND_PARENT && is_bound(s, n, mp->bnd[i], mp->blen[i], false))
        return FOUND_NEXT;
    return found;
}

static enum found mp_multipart(struct mp *mp, const struct ctype *ct, unsigned depth);

/* One part after its boundary line: its header block, then its body or
 * its own parts. */
static enum found mp_part(struct mp *mp, unsigned depth)
{
    struct fields f;
    struct ctype ct;
    GMimeContentEncoding enc = GMIME_CONTENT_ENCODING_DEFAULT;
    bool attachment, ok;
    enum found found = FOUND_EOS;
    const char *body;
    size_t n;
    char *v;

    memset(&ct, 0, sizeof(ct));
    if (!part_fields(mp, &f))
        return FOUND_EOS;
    /* Parsed for every part, as GMime does, for the same warnings. */
    if ((v = raw_field(&f, F_CTYPE)) != NULL) {
        ok = ct_parse(mp->p, v, &ct);
        g_free(v);
        if (!ok) {
            mp->bail = true;
            return FOUND_EOS;
        }
    }
    attachment = is_attachment(mp->p, &f);
    if ((v = field(&f, F_CTE)) != NULL) {
        enc = g_mime_content_encoding_from_string(v);
        g_free(v);
    }
    if (ct_is(&ct, "multipart", "*")) {
        found = mp_multipart(mp, &ct, depth);
    } else if (ct_is(&ct, "message", "*")) {
        mp->bail = true; /* a message in the message: the full parser's */
    } else {
        found = scan_content(mp, &body, &n);
        walk_leaf(mp, depth, &ct, enc, attachment, body, n);
    }
    ct_free(&ct);
    return found;
}

/* A multipart whose header block has been read; what ended it, as GMime's
 * parser_construct_multipart tells its caller. */
static enum found mp_multipart(struct mp *mp, const struct ctype *ct, unsigned depth)
{
    const char *b = ct_param(ct, "boundary");
    enum found found;
    const char *skip;
    size_t n;

    /* A digest's parts are messages by default; without a boundary GMime
     * reads the whole body as the preamble, with a warning. */
    if (!b || !*b || mp->nb == MP_MAX_NEST || depth > mp->p->lim->max_mime_depth ||
        ct_is(ct, "multipart", "digest")) {
        mp->bail = true;
        return FOUND_EOS;
    }
    (void)walk_count(mp, depth);
    mp->bnd[mp->nb] = b;
    mp->blen[mp->nb++] = strlen(b);
    found = scan_content(mp, &skip, &n); /* the preamble */
    while (found == FOUND_NEXT && !mp->bail) {
        if (!skip_line(mp))
            found = FOUND_EOS;
        else
            found = mp_part(mp, depth + 1);
    }
    if (mp->bail)
        return FOUND_EOS;
    if (found == FOUND_END) {
        (void)skip_line(mp);
        mp->nb--;
        return scan_content(mp, &skip, &n); /* the epilogue */
    }
    /* The end of the message, or a boundary of a multipart around this one,
     * before this one's end: GMime warns (truncated, malformed multipart). */
    mp->p->warn |= LW_DEFECT_BAD_MIME;
    mp->nb--;
    return parent_found(mp, found);
}

/* Complete m on the light path if its body is a multipart (ct) of the
 * kind complete_multipart reads; *done says whether it was. */
static int complete_multipart(struct parse *p, const struct fields *f, const struct ctype *ct,
                              struct lw_msg *m, bool *done)
{
    struct mp mp;
    const struct pick *k;
    int rc = LW_OK;

    /* Fields given twice or lines without a name: GMime warns about them or
     * keeps the last of them, the light headers the first. */
    if (f->bad_name || f->dup)
        return LW_OK;
    memset(&mp, 0, sizeof(mp));
    mp.p = p;
    mp.raw = m->raw;
    mp.len = m->raw_len;
    mp.pos = f->body;
    (void)mp_multipart(&mp, ct, 0);
    k = mp.plain.set ? &mp.plain : mp.html.set ? &mp.html : NULL;
    if (mp.bail || (k && k->enc == GMIME_CONTENT_ENCODING_UUENCODE))
        goto out;
    *done = true;
    m->channel = LW_CHANNEL_EMAIL;
    (void)is_attachment(p, f); /* for its warnings: walk() asks no multipart */
    rc = light_headers(p, f, m);
    if (mp.over)
        m->defects |= LW_DEFECT_BAD_MIME;
    if (rc == LW_OK && k) {
        rc = light_text(p, k->p, k->n, false, &k->ct, k->enc, m);
    } else if (rc == LW_OK) {
        m->defects |= LW_DEFECT_NO_TEXT;
        rc = lw_msg_set_text(m, "", 0, p->lim->max_text);
    }
    m->defects |= p->warn;
out:
    pick_release(&mp.plain);
    pick_release(&mp.html);
    return rc;
}

/* Complete m on the light path if it is a single text part or a multipart
 * complete_multipart reads; *done says whether it was (otherwise the caller
 * uses the full parser). */
static int complete_light(struct parse *p, struct lw_msg *m, bool *done)
{
    struct fields f;
    struct ctype ct;
    GMimeContentEncoding enc = GMIME_CONTENT_ENCODING_DEFAULT;
    char *v;
    bool ok;
    int rc;

    *done = false;
    memset(&ct, 0, sizeof(ct));
    split_fields(m->raw, m->raw_len, &f);
    if (f.body >= m->raw_len)
        return LW_OK; /* no body: the full parser decides */
    if ((v = raw_field(&f, F_CTYPE)) != NULL) {
        ok = ct_parse(p, v, &ct);
        g_free(v);
        if (!ok)
            return LW_OK;
        if (ct_is(&ct, "multipart", "*")) {
            rc = complete_multipart(p, &f, &ct, m, done);
            ct_free(&ct);
            return rc;
        }
    }
    /* One part: an attachment, or not text, is the full parser's; a part
     * marked inline (7% of the corpus) is read here. */
    if ((ct.set && !ct_is(&ct, "text", "plain") && !ct_is(&ct, "text", "html")) ||
        is_attachment(p, &f)) {
        ct_free(&ct);
        return LW_OK;
    }
    if ((v = field(&f, F_CTE)) != NULL) {
        enc = g_mime_content_encoding_from_string(v);
        g_free(v);
    }
    if (enc == GMIME_CONTENT_ENCODING_UUENCODE) {
        ct_free(&ct);
        return LW_OK;
    }
    *done = true;
    m->channel = LW_CHANNEL_EMAIL;
    rc = light_headers(p, &f, m);
    if (rc == LW_OK)
        rc = light_text(p, m->raw + f.body, m->raw_len - f.body, true, &ct, enc, m);
    m->defects |= p->warn;
    ct_free(&ct);
    return rc;
}

int lw_msg_complete(struct lw_msg *m, const struct lw_limits *lim, struct lw_diag *diag)
{
    struct parse p = {NULL, lim, 0, false};
    GMimeStream *stream = NULL;
    GMimeParser *parser = NULL;
    GMimeMessage *msg = NULL;
    struct bytes src = {-1, (const unsigned char *)m->raw, m->raw_len};
    struct scan sc;
    bool done = false;
    int rc;

    if (!m->raw)
        return LW_OK;
    rc = prescan(lim, false, &src, 0, &sc);
    if (rc == LW_OK && sc.why[0]) {
        lw_diag_at(diag, m->source, m->line, 0);
        lw_diag_set(diag, "%s, message skipped", sc.why);
        return LW_ELIMIT;
    }
    pthread_once(&gmime_once, gmime_start);
    p.opts = g_mime_parser_options_new();
    if (!p.opts)
        return LW_ENOMEM;
    g_mime_parser_options_set_warning_callback(p.opts, on_warning, &p);
    rc = complete_light(&p, m, &done);
    if (done)
        goto out;
    p.warn = 0; /* the full parser gives its own */
    rc = LW_ENOMEM;
    stream = g_mime_stream_mem_new_with_byte_array(filter_headers(m->raw, m->raw_len));
    if (stream)
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), TRUE);
    parser = stream ? g_mime_parser_new_with_stream(stream) : NULL;
    if (!parser)
        goto out;
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    g_mime_parser_set_persist_stream(parser, TRUE);
    msg = g_mime_parser_construct_message(parser, p.opts);
    if (!msg) {
        lw_diag_at(diag, m->source, m->line, 0);
        lw_diag_set(diag, "not an e-mail message");
        rc = LW_EPARSE;
        goto out;
    }
    rc = fill(&p, msg, m);
out:
    if (rc == LW_OK) {
        m->raw = NULL;
        m->raw_len = 0;
    }
    if (msg)
        g_object_unref(msg);
    if (parser)
        g_object_unref(parser);
    if (stream)
        g_object_unref(stream);
    if (p.opts)
        g_mime_parser_options_free(p.opts);
    return rc;
}

void lw_reader_defer_parsing(struct lw_reader *r)
{
    r->defer = true;
}

static uint64_t mail_bytes(const struct lw_reader *r)
{
    const struct mail *st = r->st;
    gint64 t;

    if (!st->parser) /* deferred: the bytes read so far are the input's */
        return r->in ? r->in->bytes : 0;
    t = g_mime_parser_tell(st->parser);
    return t > 0 ? (uint64_t)t : 0;
}

static void mail_free(struct lw_reader *r)
{
    struct mail *st = r->st;

    if (!st)
        return;
    if (st->parser)
        g_object_unref(st->parser);
    if (st->stream)
        g_object_unref(st->stream);
    if (st->p.opts)
        g_mime_parser_options_free(st->p.opts);
    if (st->src.fd >= 0)
        close(st->src.fd);
    free(st);
}

static const struct lw_reader_ops mail_ops = {mail_next, mail_bytes, mail_free};

int lw_reader_init_mail(struct lw_reader *r, struct lw_diag *diag)
{
    struct mail *st = calloc(1, sizeof(*st));

    (void)diag;
    if (!st)
        return LW_ENOMEM;
    st->src.fd = -1;
    r->st = st;
    r->ops = &mail_ops;
    st->mbox = r->fmt == LW_FORMAT_MBOX;
    pthread_once(&gmime_once, gmime_start);
    /* The parser is made at the first lw_reader_next, so that a deferred
     * reader (lw_reader_defer_parsing) never makes one. */
    st->p.opts = g_mime_parser_options_new();
    if (!st->p.opts)
        return LW_ENOMEM;
    st->p.lim = &r->lim;
    st->p.mbox = st->mbox;
    g_mime_parser_options_set_warning_callback(st->p.opts, on_warning, &st->p);
    return LW_OK;
}
