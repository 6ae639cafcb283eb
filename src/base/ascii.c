/* ascii.c -- how much of a byte string is ASCII (ascii.h). */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "base/ascii.h"

size_t lw_ascii_prefix(const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t i = 0;

#if defined(__SSE2__)
    for (; i + 16 <= n; i += 16) {
        unsigned hi =
            (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i)));
        if (hi)
            return i + (size_t)__builtin_ctz(hi);
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ULL)
            break;
    }
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}
