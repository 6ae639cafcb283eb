/* read_zip.c -- the LinkedIn export ZIP, read as downloaded with libzip:
 * every entry whose name ends in messages.csv (messages.csv,
 * guide_messages.csv, ...) or is Invitations.csv, in archive order, each
 * streamed through the CSV reader without being unpacked. The archive comes
 * from a file (seekable descriptor; stdin is spooled first) or from memory
 * (zip_source_buffer). Owns the zip_t and the one child reader open at a
 * time; ids and diagnostics name "<zip>:<entry>". libzip is called through
 * the table of ingest/zipdl.h, loaded when the first archive opens. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/reader_int.h"
#include "ingest/zipdl.h"

struct zipr {
    const struct lw_zip_api *z;
    zip_t *za;
    zip_uint64_t n_entries, next;
    struct lw_reader *child;
    uint64_t bytes_done;
    bool over_cap; /* more entries than limits.max_files */
};

/* The CSV format of an entry, or LW_FORMAT_AUTO for the entries we skip. */
static enum lw_format entry_format(const char *name)
{
    const char *base = strrchr(name, '/');

    base = base ? base + 1 : name;
    if (lw_reader_ends_ci(base, "messages.csv"))
        return LW_FORMAT_LINKEDIN_MESSAGES;
    if (lw_reader_eq_ci(base, strlen(base), "invitations.csv"))
        return LW_FORMAT_LINKEDIN_INVITATIONS;
    return LW_FORMAT_AUTO;
}

static int open_archive(struct lw_reader *r, struct zipr *st, struct lw_diag *diag)
{
    const struct lw_zip_api *z = st->z = lw_zip(diag);
    zip_error_t zerr;
    int rc;

    if (!z) {
        lw_diag_at(diag, r->source, 0, 0);
        return LW_EBACKEND;
    }
    z->error_init(&zerr);
    if (r->in->kind == LW_READER_IN_MEM) {
        zip_source_t *src = z->source_buffer_create(r->in->mem, r->in->mem_len, 0, &zerr);
        if (src) {
            st->za = z->open_from_source(src, ZIP_RDONLY, &zerr);
            if (!st->za)
                z->source_free(src);
        }
    } else {
        int fd = -1, code = 0;
        rc = lw_reader_in_to_fd(r->in, &fd, diag);
        if (rc < 0) {
            lw_diag_at(diag, r->source, 0, 0);
            z->error_fini(&zerr);
            return rc;
        }
        st->za = z->fdopen(fd, ZIP_RDONLY, &code);
        if (!st->za) {
            close(fd);
            z->error_init_with_code(&zerr, code);
        }
    }
    if (!st->za) {
        lw_reader_diag(r, diag, 0, "not a readable ZIP archive (%s)", z->error_strerror(&zerr));
        z->error_fini(&zerr);
        return LW_EPARSE;
    }
    z->error_fini(&zerr);
    return LW_OK;
}

static uint64_t zip_bytes(const struct lw_reader *r)
{
    const struct zipr *st = r->st;

    return st->bytes_done + (st->child ? lw_reader_bytes(st->child) : 0);
}

/* Open the next entry we read; 0 when there is none left. */
static int open_next(struct lw_reader *r, struct zipr *st, struct lw_diag *diag)
{
    while (st->next < st->n_entries) {
        zip_uint64_t i = st->next++;
        const char *name = st->z->get_name(st->za, i, 0);
        enum lw_format fmt = name ? entry_format(name) : LW_FORMAT_AUTO;
        struct lw_reader_in *in = NULL;
        zip_file_t *zf;
        char *source;
        int rc;

        if (fmt == LW_FORMAT_AUTO)
            continue;
        source = malloc(strlen(r->source) + strlen(name) + 2);
        if (!source)
            return LW_ENOMEM;
        memcpy(source, r->source, strlen(r->source));
        source[strlen(r->source)] = ':';
        memcpy(source + strlen(r->source) + 1, name, strlen(name) + 1);
        zf = st->z->fopen_index(st->za, i, 0);
        if (!zf) {
            lw_diag_at(diag, source, 0, 0);
            lw_diag_set(diag, "cannot read the entry: %s", st->z->strerror(st->za));
            free(source);
            return LW_EPARSE;
        }
        rc = lw_reader_in_open_zip(zf, &in);
        if (rc == LW_OK)
            rc = lw_reader_open_in(in, source, fmt, &r->lim, &st->child, diag);
        free(source);
        return rc < 0 ? rc : 1;
    }
    return 0;
}

static int zip_next(struct lw_reader *r, struct lw_msg **out, struct lw_diag *diag)
{
    struct zipr *st = r->st;
    int rc;

    for (;;) {
        if (st->child) {
            rc = lw_reader_child_next(&st->child, &st->bytes_done, out, diag);
            if (rc != 0)
                return rc;
            continue;
        }
        rc = open_next(r, st, diag);
        if (rc == 1)
            continue;
        if (rc == LW_ENOMEM)
            return rc;
        if (rc < 0)
            return LW_EPARSE;
        if (st->over_cap) {
            st->over_cap = false;
            lw_reader_diag(r, diag, 0,
                           "more than %lu entries in the archive; the rest were skipped",
                           r->lim.max_files);
            return LW_ELIMIT;
        }
        return 0;
    }
}

static void zip_free_state(struct lw_reader *r)
{
    struct zipr *st = r->st;

    if (!st)
        return;
    lw_reader_free(st->child);
    if (st->za)
        st->z->discard(st->za);
    free(st);
}

static const struct lw_reader_ops zip_ops = {zip_next, zip_bytes, zip_free_state};

int lw_reader_init_zip(struct lw_reader *r, struct lw_diag *diag)
{
    struct zipr *st = calloc(1, sizeof(*st));
    zip_int64_t n;
    zip_uint64_t i;
    int rc;

    if (!st)
        return LW_ENOMEM;
    r->st = st;
    r->ops = &zip_ops;
    rc = open_archive(r, st, diag);
    if (rc < 0)
        return rc;
    n = st->z->get_num_entries(st->za, 0);
    st->n_entries = n > 0 ? (zip_uint64_t)n : 0;
    if (st->n_entries > r->lim.max_files) {
        st->n_entries = r->lim.max_files;
        st->over_cap = true;
    }
    for (i = 0; i < st->n_entries; i++) {
        const char *name = st->z->get_name(st->za, i, 0);
        if (name && entry_format(name) != LW_FORMAT_AUTO)
            return LW_OK;
    }
    lw_reader_diag(r, diag, 0, "no messages.csv or Invitations.csv in the archive");
    return LW_EPARSE;
}
