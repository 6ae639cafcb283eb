/* ascii.h -- how much of a byte string is ASCII. */
#ifndef LW_ASCII_H
#define LW_ASCII_H

#include "base/common.h"

/* How many of the n bytes at p are ASCII before the first that is not (n
 * when all are): sixteen at a time with SSE2, else eight. */
size_t lw_ascii_prefix(const void *p, size_t n);

#endif
