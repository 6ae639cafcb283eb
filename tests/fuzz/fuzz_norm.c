/* fuzz_norm.c -- libFuzzer target for the text normaliser (src/text/norm.h).
 * The first input byte picks the flags (bit 0: HTML); the rest is the text.
 * Besides memory errors it checks the offset contract and aborts when it
 * breaks: every output byte maps to a non-empty original range inside the
 * input, both ends non-decreasing, the bytes of one character sharing one
 * range; the output is NUL-terminated valid UTF-8 with collapsed white
 * space; lw_normtext_span agrees; lw_norm_str gives the same text; lazy
 * maps are the maps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/norm.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_norm: %s:%d: invariant failed: %s\n", __FILE__, __LINE__,        \
                    #cond);                                                                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static void check(struct lw_normtext *nt, size_t len)
{
    size_t i, os, oe;

    CHECK(nt->s != NULL && nt->s[nt->len] == '\0');
    for (i = 0; i < nt->len; i++) {
        CHECK(nt->start[i] < nt->end[i]);
        CHECK(nt->end[i] <= len);
        if (i > 0) {
            CHECK(nt->start[i - 1] <= nt->start[i]);
            CHECK(nt->end[i - 1] <= nt->end[i]);
        }
    }
    for (i = 0; i < nt->len;) {
        unsigned char c = (unsigned char)nt->s[i];
        size_t k = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
        CHECK(c < 0x80 || (c >= 0xC2 && c <= 0xF4));
        CHECK(i + k <= nt->len);
        for (size_t j = 1; j < k; j++) {
            CHECK(((unsigned char)nt->s[i + j] & 0xC0) == 0x80);
            CHECK(nt->start[i + j] == nt->start[i] && nt->end[i + j] == nt->end[i]);
        }
        CHECK(!(c >= 'A' && c <= 'Z'));
        if (i > 0 && (c == ' ' || c == '\n'))
            CHECK(nt->s[i - 1] != ' ' && nt->s[i - 1] != '\n');
        i += k;
    }
    if (nt->len > 0) {
        CHECK(nt->s[0] != ' ' && nt->s[0] != '\n');
        CHECK(nt->s[nt->len - 1] != ' ' && nt->s[nt->len - 1] != '\n');
        CHECK(lw_normtext_span(nt, 0, nt->len, &os, &oe) == 0);
        CHECK(os == nt->start[0] && oe == nt->end[nt->len - 1] && os < oe && oe <= len);
        CHECK(lw_normtext_span(nt, nt->len / 2, nt->len / 2 + 1, &os, &oe) == 0);
        CHECK(os == nt->start[nt->len / 2] && oe == nt->end[nt->len / 2]);
    }
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct lw_normtext nt, lazy;
    unsigned flags;
    const char *src;
    char *str = NULL;
    size_t len;

    if (size == 0)
        return 0;
    if (lw_norm_global_init(NULL) < 0)
        abort();
    flags = (data[0] & 1) ? LW_NORM_HTML : 0;
    src = (const char *)data + 1;
    len = size - 1;
    lw_normtext_init(&nt);
    CHECK(lw_norm(src, len, flags, &nt, NULL) == 0);
    check(&nt, len);
    if (flags == 0) {
        CHECK(lw_norm_str(src, len, &str, NULL) == 0);
        CHECK(memcmp(str, nt.s, nt.len + 1) == 0);
        free(str);
    }
    /* Lazy maps: the same text, and once a span is asked for, the same maps. */
    lw_normtext_init(&lazy);
    CHECK(lw_norm(src, len, flags | LW_NORM_LAZY_MAPS, &lazy, NULL) == 0);
    CHECK(lazy.len == nt.len && memcmp(lazy.s, nt.s, nt.len + 1) == 0);
    if (lazy.len > 0) {
        size_t os, oe;
        CHECK(lw_normtext_span(&lazy, 0, lazy.len, &os, &oe) == 0);
        CHECK(lazy.len == nt.len && memcmp(lazy.s, nt.s, nt.len + 1) == 0);
        CHECK(memcmp(lazy.start, nt.start, nt.len * sizeof(*nt.start)) == 0);
        CHECK(memcmp(lazy.end, nt.end, nt.len * sizeof(*nt.end)) == 0);
    }
    lw_normtext_release(&lazy);
    /* Reuse: the same storage for the other mode. */
    CHECK(lw_norm(src, len, flags ^ LW_NORM_HTML, &nt, NULL) == 0);
    check(&nt, len);
    lw_normtext_release(&nt);
    return 0;
}
