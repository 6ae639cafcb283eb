/* arena.h -- region allocator: everything derived from one message lives in
 * that message's arena and is freed at once with lw_arena_free (rspamd's
 * per-task pool). Allocations are 16-byte aligned and never freed one by
 * one. lw_arena_alloc returns NULL only when malloc fails. */
#ifndef LW_ARENA_H
#define LW_ARENA_H

#include "base/common.h"

struct lw_arena;

struct lw_arena *lw_arena_new(size_t first_block);
void lw_arena_free(struct lw_arena *a);
/* Drop every allocation but keep the first block for reuse. */
void lw_arena_reset(struct lw_arena *a);
void *lw_arena_alloc(struct lw_arena *a, size_t n);
void *lw_arena_calloc(struct lw_arena *a, size_t n, size_t size);
/* Copies of bytes and strings; the copy is NUL-terminated. */
char *lw_arena_strndup(struct lw_arena *a, const char *s, size_t n);
char *lw_arena_strdup(struct lw_arena *a, const char *s);
char *lw_arena_printf(struct lw_arena *a, const char *fmt, ...) LW_PRINTF(2, 3);
/* Bytes handed out so far (for limits and statistics). */
size_t lw_arena_used(const struct lw_arena *a);

#endif
