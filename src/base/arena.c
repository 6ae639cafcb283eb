/* arena.c -- region allocator over a chain of blocks. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

struct block {
    struct block *next;
    size_t cap;
    size_t used;
    _Alignas(16) unsigned char data[];
};

struct lw_arena {
    struct block *head; /* current block; older ones follow */
    size_t first;
    size_t total;
};

static struct block *block_new(size_t cap)
{
    struct block *b;

    if (cap > SIZE_MAX - sizeof(*b))
        return NULL;
    b = malloc(sizeof(*b) + cap);
    if (!b)
        return NULL;
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    return b;
}

struct lw_arena *lw_arena_new(size_t first_block)
{
    struct lw_arena *a = calloc(1, sizeof(*a));

    if (!a)
        return NULL;
    a->first = first_block ? first_block : 4096;
    return a;
}

void lw_arena_free(struct lw_arena *a)
{
    struct block *b, *next;

    if (!a)
        return;
    for (b = a->head; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

void lw_arena_reset(struct lw_arena *a)
{
    struct block *b, *next, *keep = NULL;

    for (b = a->head; b; b = next) {
        next = b->next;
        if (!next && b->cap == a->first) {
            keep = b;
            break;
        }
        free(b);
    }
    if (keep)
        keep->used = 0;
    a->head = keep;
    a->total = 0;
}

void *lw_arena_alloc(struct lw_arena *a, size_t n)
{
    struct block *b = a->head;
    size_t off;

    n = n ? n : 1;
    if (n > SIZE_MAX - 15)
        return NULL;
    n = (n + 15) & ~(size_t)15;
    if (!b || b->cap - b->used < n) {
        size_t cap = b ? b->cap * 2 : a->first;
        if (cap < n)
            cap = n;
        b = block_new(cap);
        if (!b)
            return NULL;
        b->next = a->head;
        a->head = b;
    }
    off = b->used;
    b->used += n;
    a->total += n;
    return b->data + off;
}

void *lw_arena_calloc(struct lw_arena *a, size_t n, size_t size)
{
    void *p;

    if (size && n > SIZE_MAX / size)
        return NULL;
    p = lw_arena_alloc(a, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

char *lw_arena_strndup(struct lw_arena *a, const char *s, size_t n)
{
    char *p;

    if (n == SIZE_MAX)
        return NULL;
    p = lw_arena_alloc(a, n + 1);
    if (!p)
        return NULL;
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *lw_arena_strdup(struct lw_arena *a, const char *s)
{
    return lw_arena_strndup(a, s, strlen(s));
}

char *lw_arena_printf(struct lw_arena *a, const char *fmt, ...)
{
    va_list ap;
    char *p;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    p = lw_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t lw_arena_used(const struct lw_arena *a)
{
    return a->total;
}
