/* msg.c -- the message model: creation, text copying with repair. */
#include <stdlib.h>
#include <string.h>

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

/* Copy p[0..n) into the arena, repaired, at most max bytes of output. */
static char *copy_repaired(struct lw_msg *m, const char *p, size_t n, size_t max, size_t *outlen)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, o = 0, cap;
    char *out;

    /* Text that is ASCII to its end takes just its own size. */
    if (n <= max && n < SIZE_MAX && lw_ascii_prefix(s, n) == n) {
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
    while (i < n) {
        size_t k = lw_ascii_prefix(s + i, LW_MIN(n - i, max - o));

        /* Most text is ASCII: a run of it is copied at once. */
        memcpy(out + o, s + i, k);
        o += k;
        i += k;
        if (i >= n)
            break;
        k = utf8_valid(s + i, n - i);
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
    }
    out[o] = '\0';
    *outlen = o;
    return out;
}

int lw_msg_set_text(struct lw_msg *m, const char *p, size_t n, size_t max)
{
    size_t len = 0;
    char *t = copy_repaired(m, p, n, max, &len);

    if (!t)
        return LW_ENOMEM;
    m->text = t;
    m->text_len = len;
    return LW_OK;
}

int lw_msg_set_text_in_place(struct lw_msg *m, const char *p, size_t n, size_t max)
{
    if (n <= max && lw_ascii_prefix((const unsigned char *)p, n) == n) {
        m->text = p;
        m->text_len = n;
        return LW_OK;
    }
    return lw_msg_set_text(m, p, n, max);
}

const char *lw_msg_strdup(struct lw_msg *m, const char *p, size_t n)
{
    size_t len = 0;
    unsigned keep = m->defects;
    char *s = copy_repaired(m, p, n, 4096, &len);

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
