/* read_dir.c -- folders: a walk over every regular file below a folder
 * (recursively, in byte order of names, hidden entries skipped), each file
 * sniffed and read on its own; a subfolder with cur/ or new/ is read as a
 * Maildir. A Maildir is every file in cur/ and new/, ordered by file name
 * (Maildir names start with the delivery time), each read as one .eml.
 *
 * Memory stays bounded by the names of the folders on the current path: a
 * folder's entries are listed (names only) when the walk enters it, and one
 * child reader is open at a time. At most limits.max_files files are read
 * from one walk and LW_READER_MAX_DEPTH levels are followed; symbolic links
 * to folders are not followed. A file that cannot be opened or read is
 * reported (LW_EPARSE, diag names it) and the walk goes on. */
#define _DEFAULT_SOURCE /* readdir's d_type and DT_REG */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/reader_int.h"

/* A folder entry: its name, and its type from readdir when the file
 * system gives one (DT_UNKNOWN otherwise), which saves an lstat a file. */
struct entry {
    char *name;
    unsigned char type;
};

struct level {
    char *path;
    int fd; /* the folder, to open its files by name (-1: by whole path) */
    struct entry *names;
    size_t n, i;
    bool maildir; /* names are "cur/x" and "new/x", each an e-mail */
};

struct dirr {
    struct level stack[LW_READER_MAX_DEPTH];
    size_t depth;
    struct lw_reader *child;
    uint64_t bytes_done;
    unsigned long files;
    bool capped;      /* more than max_files files: stop now */
    bool list_capped; /* a folder had more than max_files entries */
    bool cap_reported;
};

static void free_names(struct entry *names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(names[i].name);
    free(names);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* "cur/x" and "new/y" ordered by x and y. */
static int cmp_maildir(const void *a, const void *b)
{
    const char *x = ((const struct entry *)a)->name, *y = ((const struct entry *)b)->name;
    int c = strcmp(x + 4, y + 4);

    return c ? c : strcmp(x, y);
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p;

    while (a > 1 && dir[a - 1] == '/')
        a--;
    p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

/* Append the non-hidden entries of dir to *names, each behind prefix. */
static int list(const char *dir, const char *prefix, unsigned long cap, struct entry **names,
                size_t *n, size_t *alloc, bool *capped)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t plen = strlen(prefix);
    int rc = LW_OK;

    if (!d)
        return LW_EIO;
    while ((e = readdir(d)) != NULL) {
        size_t len;
        char *s;
        if (e->d_name[0] == '.')
            continue; /* ".", "..", and hidden files */
        if (*n >= cap) {
            *capped = true;
            break;
        }
        if (*n == *alloc) {
            size_t na = *alloc ? *alloc * 2 : 64;
            struct entry *p;
            if (na > SIZE_MAX / sizeof(*p)) {
                rc = LW_ENOMEM;
                break;
            }
            p = realloc(*names, na * sizeof(*p));
            if (!p) {
                rc = LW_ENOMEM;
                break;
            }
            *names = p;
            *alloc = na;
        }
        len = strlen(e->d_name);
        s = malloc(plen + len + 1);
        if (!s) {
            rc = LW_ENOMEM;
            break;
        }
        memcpy(s, prefix, plen);
        memcpy(s + plen, e->d_name, len + 1);
        (*names)[*n].name = s;
        (*names)[(*n)++].type = e->d_type;
    }
    closedir(d);
    return rc;
}

static int push(struct lw_reader *r, struct dirr *st, const char *path, bool maildir,
                struct lw_diag *diag)
{
    struct level *lv;
    size_t alloc = 0;
    int rc;

    if (st->depth == LW_READER_MAX_DEPTH) {
        lw_diag_at(diag, path, 0, 0);
        lw_diag_set(diag, "folders nested deeper than %d, skipped", LW_READER_MAX_DEPTH);
        return LW_ELIMIT;
    }
    lv = &st->stack[st->depth];
    memset(lv, 0, sizeof(*lv));
    lv->fd = -1;
    lv->maildir = maildir;
    lv->path = strdup(path);
    if (!lv->path)
        return LW_ENOMEM;
    if (maildir) {
        char *cur = join(path, "cur"), *nw = join(path, "new");
        rc = cur && nw ? LW_OK : LW_ENOMEM;
        if (rc == LW_OK) {
            int a =
                list(cur, "cur/", r->lim.max_files, &lv->names, &lv->n, &alloc, &st->list_capped);
            int b =
                list(nw, "new/", r->lim.max_files, &lv->names, &lv->n, &alloc, &st->list_capped);
            rc = a == LW_ENOMEM || b == LW_ENOMEM ? LW_ENOMEM : a < 0 && b < 0 ? LW_EIO : LW_OK;
        }
        free(cur);
        free(nw);
    } else {
        rc = list(path, "", r->lim.max_files, &lv->names, &lv->n, &alloc, &st->list_capped);
    }
    if (rc < 0) {
        free_names(lv->names, lv->n);
        free(lv->path);
        memset(lv, 0, sizeof(*lv));
        lw_diag_at(diag, path, 0, 0);
        lw_diag_set(diag, "cannot read the folder: %s", strerror(errno));
        return rc;
    }
    if (lv->n > 1)
        qsort(lv->names, lv->n, sizeof(*lv->names), maildir ? cmp_maildir : cmp_name);
    lv->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    st->depth++;
    return LW_OK;
}

static void pop(struct dirr *st)
{
    struct level *lv = &st->stack[--st->depth];

    free_names(lv->names, lv->n);
    free(lv->path);
    if (lv->fd >= 0)
        close(lv->fd);
    memset(lv, 0, sizeof(*lv));
}

/* Open the file named name in level lv, whose whole name is path. */
static int open_file(const struct lw_reader *r, const struct level *lv, const char *name,
                     const char *path, enum lw_format fmt, unsigned flags, struct lw_reader **out,
                     struct lw_diag *diag)
{
    if (lv->fd < 0)
        return lw_reader_open_path(path, fmt, &r->lim, flags, out, diag);
    return lw_reader_open_at(lv->fd, name, path, fmt, &r->lim, flags, out, diag);
}

/* Open the next entry of the top level: a child reader (1), a subfolder
 * pushed or an entry skipped (0), or an error for this entry. */
static int step(struct lw_reader *r, struct dirr *st, struct lw_diag *diag)
{
    struct level *lv = &st->stack[st->depth - 1];
    char *path = NULL;
    struct stat sb;
    unsigned char type;
    const char *name;
    int rc = 0;

    type = lv->names[lv->i].type;
    name = lv->names[lv->i++].name;
    path = join(lv->path, name);
    if (!path)
        return LW_ENOMEM;
    if (lv->maildir) {
        if (++st->files > r->lim.max_files) {
            st->capped = true;
            goto out;
        }
        if (type == DT_REG)
            rc = open_file(r, lv, name, path, LW_FORMAT_EML, LW_READER_OPEN_FILE, &st->child, diag);
        else
            rc = lw_reader_open_path(path, LW_FORMAT_EML, &r->lim, 0, &st->child, diag);
        goto out;
    }
    /* A regular file by readdir's word needs no lstat. */
    if (type != DT_REG) {
        if (lstat(path, &sb) != 0) {
            lw_diag_at(diag, path, 0, 0);
            lw_diag_set(diag, "cannot read: %s", strerror(errno));
            rc = LW_EIO;
            goto out;
        }
        if (S_ISLNK(sb.st_mode) && (stat(path, &sb) != 0 || S_ISDIR(sb.st_mode)))
            goto out; /* a dangling link, or a link to a folder: not followed */
        if (S_ISDIR(sb.st_mode)) {
            if (lw_reader_is_maildir(path))
                rc = lw_reader_open_path(path, LW_FORMAT_MAILDIR, &r->lim, 0, &st->child, diag);
            else
                rc = push(r, st, path, false, diag);
            goto out;
        }
        if (!S_ISREG(sb.st_mode))
            goto out; /* fifos, sockets, devices */
    }
    if (++st->files > r->lim.max_files) {
        st->capped = true;
        goto out;
    }
    rc = open_file(r, lv, name, path, LW_FORMAT_AUTO, LW_READER_OPEN_WALK | LW_READER_OPEN_FILE,
                   &st->child, diag);
out:
    /* Children parse as their parent does (lw_reader_defer_parsing). */
    if (st->child)
        st->child->defer = r->defer;
    free(path);
    if (rc == LW_OK && st->child)
        rc = 1;
    return rc;
}

static int dir_next(struct lw_reader *r, struct lw_msg **out, struct lw_diag *diag)
{
    struct dirr *st = r->st;
    int rc;

    for (;;) {
        if (st->child) {
            rc = lw_reader_child_next(&st->child, &st->bytes_done, out, diag);
            if (rc != 0)
                return rc;
            continue;
        }
        if (st->capped)
            while (st->depth)
                pop(st);
        if (st->depth == 0) {
            if ((st->capped || st->list_capped) && !st->cap_reported) {
                st->cap_reported = true;
                lw_reader_diag(r, diag, 0, "more than %lu files; the rest were not read",
                               r->lim.max_files);
                return LW_ELIMIT;
            }
            return 0;
        }
        if (st->stack[st->depth - 1].i == st->stack[st->depth - 1].n) {
            pop(st);
            continue;
        }
        rc = step(r, st, diag);
        if (rc == LW_ENOMEM)
            return rc;
        if (rc < 0)
            return rc == LW_ELIMIT ? LW_ELIMIT : LW_EPARSE;
    }
}

static uint64_t dir_bytes(const struct lw_reader *r)
{
    const struct dirr *st = r->st;

    return st->bytes_done + (st->child ? lw_reader_bytes(st->child) : 0);
}

static void dir_free(struct lw_reader *r)
{
    struct dirr *st = r->st;

    if (!st)
        return;
    lw_reader_free(st->child);
    while (st->depth)
        pop(st);
    free(st);
}

static const struct lw_reader_ops dir_ops = {dir_next, dir_bytes, dir_free};

int lw_reader_init_dir(struct lw_reader *r, struct lw_diag *diag)
{
    struct dirr *st = calloc(1, sizeof(*st));

    if (!st)
        return LW_ENOMEM;
    r->st = st;
    r->ops = &dir_ops;
    return push(r, st, r->path, r->fmt == LW_FORMAT_MAILDIR, diag);
}
