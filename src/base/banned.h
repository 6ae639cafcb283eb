/* banned.h -- calls that are never right in lurewatch (git's banned.h).
 * Each is replaced by a bounded or checked spelling: lw_buf_printf or
 * snprintf for sprintf, lw_parse_long for atoi, memcpy with a known length
 * for strcpy. Included through base/common.h, after the system headers. */
#ifndef LW_BANNED_H
#define LW_BANNED_H

#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef gets
#define gets(x) BANNED(gets)

#endif
