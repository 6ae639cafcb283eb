/* common.h -- what every lurewatch source file includes first.
 * Attributes, small helpers and the banned-function list. Nothing here
 * allocates or has state. */
#ifndef LW_COMMON_H
#define LW_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LW_NODISCARD    __attribute__((warn_unused_result))
#define LW_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LW_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define LW_MIN(a, b)    ((a) < (b) ? (a) : (b))
#define LW_MAX(a, b)    ((a) > (b) ? (a) : (b))

#include "base/banned.h"

#endif
