/* msg.c -- the message model: creation, text copying with repair. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/ascii.h"
#include "base/err.h"
#include "ingest/msg.h"

struct lw_msg *lw_msg_new(void)
{
    struct lw_arena *a = lw_arena_new(8192);
    struct lw_msg *m;

    if (!a)
        return NULL;
    m = lw_arena_calloc(a, 1, sizeof(*m));
    if (!m) {
        lw_arena_free(a);
        return NULL;
    }
    m->arena = a;
    m->id = "";
    return m;
}

void lw_msg_free(struct lw_msg *m)
{
    if (!m)
        return;
    lw_arena_free(m->arena); /* the message itself lives in its arena */
}

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid. */
static size_t utf8_valid(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && p[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && p[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && p[1] < 0x90)
            return 0;
        if (c == 0xF4 && p[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

/* Copy p[0..n) into the arena, repaired, at most max bytes of output;
 * ascii is the length of p's ASCII prefix within max (lw_ascii_prefix of
 * p[0..min(n, max))), which the callers have worked out. */
static char *copy_repaired(struct lw_msg *m, const char *p, size_t n, size_t max, size_t ascii,
                           size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i, o, cap;
    char *out;

    /* Text that is ASCII to its end takes just its own size. */
    if (ascii == n && n < SIZE_MAX) {
        out = lw_arena_alloc(m->arena, n + 1);
        if (!out)
            return NULL;
        memcpy(out, s, n);
        out[n] = '\0';
        *outlen = n;
        return out;
    }
    /* Worst case each invalid byte becomes 3 bytes of U+FFFD. */
    cap = n > (SIZE_MAX - 1) / 3 ? SIZE_MAX - 1 : n * 3;
    if (cap > max)
        cap = max;
    out = lw_arena_alloc(m->arena, cap + 1);
    if (!out)
        return NULL;
    memcpy(out, s, ascii);
    i = o = ascii;
    while (i < n) {
        size_t k = utf8_valid(s + i, n - i);

        if (k) {
            if (o + k > max) {
                m->defects |= LW_DEFECT_TRUNCATED;
                break;
            }
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        } else {
            if (o + 3 > max) {
                m->defects |= LW_DEFECT_TRUNCATED;
                break;
            }
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            m->defects |= LW_DEFECT_BAD_UTF8;
        }
        /* Most text is ASCII: a run of it is copied at once. */
        k = lw_ascii_prefix(s + i, LW_MIN(n - i, max - o));
        memcpy(out + o, s + i, k);
        o += k;
        i += k;
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

/* The ASCII prefix of p[0..n) that fits in max bytes. */
static size_t ascii_within(const char *p, size_t n, size_t max)
{
    return lw_ascii_prefix((const unsigned char *)p, LW_MIN(n, max));
}

/* lw_msg_set_text with p's ASCII prefix known (copy_repaired). */
static int set_copy(struct lw_msg *m, const char *p, size_t n, size_t max, size_t ascii)
{
    size_t len = 0;
    char *t = copy_repaired(m, p, n, max, ascii, &len);

    if (!t)
        return LW_ENOMEM;
    m->text = t;
    m->text_len = len;
    return LW_OK;
}

int lw_msg_set_text(struct lw_msg *m, const char *p, size_t n, size_t max)
{
    return set_copy(m, p, n, max, ascii_within(p, n, max));
}

int lw_msg_set_text_in_place(struct lw_msg *m, const char *p, size_t n, size_t max)
{
    size_t ascii = ascii_within(p, n, max);

    if (ascii == n) {
        m->text = p;
        m->text_len = n;
        return LW_OK;
    }
    return set_copy(m, p, n, max, ascii);
}

const char *lw_msg_strdup(struct lw_msg *m, const char *p, size_t n)
{
    size_t len = 0;
    unsigned keep = m->defects;
    char *s = copy_repaired(m, p, n, 4096, ascii_within(p, n, 4096), &len);

    /* A long header field is not a truncated message text. */
    m->defects = keep | (m->defects & LW_DEFECT_BAD_UTF8);
    return s;
}

static const char *const channel_names[] = {
    [LW_CHANNEL_OTHER] = "other", [LW_CHANNEL_LINKEDIN] = "linkedin", [LW_CHANNEL_EMAIL] = "email",
    [LW_CHANNEL_CHAT] = "chat",   [LW_CHANNEL_SMS] = "sms",           [LW_CHANNEL_AD] = "ad",
};

enum lw_channel lw_channel_parse(const char *s)
{
    size_t i;

    if (!s)
        return LW_CHANNEL_OTHER;
    for (i = 0; i < LW_ARRAY_LEN(channel_names); i++)
        if (strcmp(s, channel_names[i]) == 0)
            return (enum lw_channel)i;
    return LW_CHANNEL_OTHER;
}

const char *lw_channel_name(enum lw_channel c)
{
    if ((size_t)c >= LW_ARRAY_LEN(channel_names))
        return "other";
    return channel_names[c];
}

bool lw_channel_direct(enum lw_channel c)
{
    return c == LW_CHANNEL_LINKEDIN || c == LW_CHANNEL_EMAIL || c == LW_CHANNEL_CHAT ||
           c == LW_CHANNEL_SMS;
}

bool lw_direction_outgoing(const char *s)
{
    return s && (!strcasecmp(s, "sent") || !strcasecmp(s, "outgoing"));
}
