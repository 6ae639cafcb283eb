/* reader_in.c -- the byte input under the readers: a file or stdin, borrowed
 * memory, or one entry of a ZIP archive, with the first bytes held aside for
 * sniffing and served again on the first reads. Owns the descriptor, the
 * zip_file_t and the peek buffer. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/reader_int.h"
#include "ingest/zipdl.h"

int lw_reader_in_open_path(const char *path, bool is_file, struct lw_reader_in **out,
                           struct lw_diag *diag)
{
    struct lw_reader_in *in = NULL;

    if (strcmp(path, "-") == 0) {
        in = calloc(1, sizeof(*in));
        if (!in)
            return LW_ENOMEM;
        in->kind = LW_READER_IN_FD;
        in->fd = STDIN_FILENO; /* not ours to close; spooled when a library must seek */
        *out = in;
        return LW_OK;
    }
    return lw_reader_in_open_at(AT_FDCWD, path, path, is_file, out, diag);
}

int lw_reader_in_open_at(int dirfd, const char *name, const char *path, bool is_file,
                         struct lw_reader_in **out, struct lw_diag *diag)
{
    struct lw_reader_in *in = NULL;
    struct stat st;
    int fd, e = 0;

    fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        e = errno;
    else if (is_file)
        st.st_mode = S_IFREG; /* a walk's word: one system call a file saved */
    else if (fstat(fd, &st) != 0)
        e = errno;
    else if (S_ISDIR(st.st_mode))
        e = EISDIR;
    if (e) {
        if (fd >= 0)
            close(fd);
        lw_diag_at(diag, path, 0, 0);
        lw_diag_set(diag, "cannot open: %s", strerror(e));
        return e == ENOENT ? LW_ENOTFOUND : LW_EIO;
    }
    in = calloc(1, sizeof(*in));
    if (!in) {
        close(fd);
        return LW_ENOMEM;
    }
    in->kind = LW_READER_IN_FD;
    in->fd = fd;
    in->own_fd = true;
    in->regular = S_ISREG(st.st_mode);
    if (in->regular && !is_file) {
        in->size = st.st_size > 0 ? (uint64_t)st.st_size : 0;
        in->sized = true;
    }
    *out = in;
    return LW_OK;
}

uint64_t lw_reader_in_size(struct lw_reader_in *in)
{
    struct stat st;

    if (in->kind != LW_READER_IN_FD || !in->regular)
        return 0;
    if (!in->sized) {
        /* Read to its end within the peek: the peek is the whole file. */
        if (in->peeked && in->eof && in->peek_pos == 0)
            in->size = in->peek_len;
        else if (fstat(in->fd, &st) == 0 && st.st_size > 0)
            in->size = (uint64_t)st.st_size;
        in->sized = true;
    }
    return in->size;
}

int lw_reader_in_open_mem(const void *buf, size_t len, struct lw_reader_in **out)
{
    struct lw_reader_in *in = calloc(1, sizeof(*in));

    if (!in)
        return LW_ENOMEM;
    in->kind = LW_READER_IN_MEM;
    in->fd = -1;
    in->mem = buf;
    in->mem_len = buf ? len : 0;
    *out = in;
    return LW_OK;
}

/* zf comes from an archive opened through lw_zip, so the table is loaded
 * for every call below (lw_zip(NULL) is then never NULL). */
int lw_reader_in_open_zip(void *zf, struct lw_reader_in **out)
{
    struct lw_reader_in *in = calloc(1, sizeof(*in));

    if (!in) {
        lw_zip(NULL)->fclose(zf);
        return LW_ENOMEM;
    }
    in->kind = LW_READER_IN_ZIP;
    in->fd = -1;
    in->zf = zf;
    *out = in;
    return LW_OK;
}

void lw_reader_in_free(struct lw_reader_in *in)
{
    if (!in)
        return;
    if (in->own_fd && in->fd >= 0)
        close(in->fd);
    if (in->zf)
        lw_zip(NULL)->fclose(in->zf);
    free(in->peek);
    free(in);
}

/* Read from the underlying source, past the peek buffer. */
static int raw_read(struct lw_reader_in *in, void *buf, size_t n, size_t *got)
{
    *got = 0;
    switch (in->kind) {
    case LW_READER_IN_MEM: {
        size_t k = LW_MIN(n, in->mem_len - in->mem_pos);
        if (k)
            memcpy(buf, in->mem + in->mem_pos, k);
        in->mem_pos += k;
        *got = k;
        return LW_OK;
    }
    case LW_READER_IN_ZIP: {
        zip_int64_t k = lw_zip(NULL)->fread(in->zf, buf, n);
        if (k < 0)
            return LW_EIO;
        *got = (size_t)k;
        return LW_OK;
    }
    case LW_READER_IN_FD:
    default:
        /* A regular file gives a short read only at its end: no read more
         * is needed to learn that (one system call a file saved, in a
         * folder of thousands of small mails). */
        if (in->eof)
            return LW_OK;
        for (;;) {
            ssize_t k = read(in->fd, buf, n);
            if (k < 0 && errno == EINTR)
                continue;
            if (k < 0)
                return LW_EIO;
            *got = (size_t)k;
            if (in->regular && (size_t)k < n)
                in->eof = true;
            return LW_OK;
        }
    }
}

int lw_reader_in_peek(struct lw_reader_in *in, const unsigned char **p, size_t *n)
{
    if (in->kind == LW_READER_IN_MEM) {
        *p = in->mem;
        *n = LW_MIN(in->mem_len, (size_t)LW_READER_PEEK);
        return LW_OK;
    }
    if (!in->peeked) {
        in->peek = malloc(LW_READER_PEEK);
        if (!in->peek)
            return LW_ENOMEM;
        in->peeked = true;
        while (in->peek_len < LW_READER_PEEK) {
            size_t got = 0;
            int rc = raw_read(in, in->peek + in->peek_len, LW_READER_PEEK - in->peek_len, &got);
            if (rc < 0)
                return rc;
            if (got == 0)
                break;
            in->peek_len += got;
        }
    }
    *p = in->peek;
    *n = in->peek_len;
    return LW_OK;
}

int lw_reader_in_read(struct lw_reader_in *in, void *buf, size_t n, size_t *got)
{
    int rc;

    *got = 0;
    if (n == 0)
        return LW_OK;
    if (in->peek_pos < in->peek_len) {
        size_t k = LW_MIN(n, in->peek_len - in->peek_pos);
        memcpy(buf, in->peek + in->peek_pos, k);
        in->peek_pos += k;
        in->bytes += k;
        *got = k;
        return LW_OK;
    }
    rc = raw_read(in, buf, n, got);
    if (rc == LW_OK)
        in->bytes += *got;
    return rc;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *s = p;

    while (n) {
        ssize_t k = write(fd, s, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return LW_EIO;
        s += k;
        n -= (size_t)k;
    }
    return LW_OK;
}

int lw_reader_in_to_fd(struct lw_reader_in *in, int *fdp, struct lw_diag *diag)
{
    char *chunk = NULL;
    FILE *tmp = NULL;
    int fd = -1, rc = LW_OK;

    if (in->kind == LW_READER_IN_FD && in->regular) {
        struct stat st;
        fd = dup(in->fd);
        if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0) {
            lw_diag_set(diag, "cannot seek: %s", strerror(errno));
            rc = LW_EIO;
            goto out;
        }
        if (fstat(fd, &st) == 0 && st.st_size > 0)
            in->bytes = (uint64_t)st.st_size;
        goto out;
    }
    /* Not seekable: copy what is left (the peek buffer included) aside. */
    tmp = tmpfile();
    chunk = malloc(LW_READER_CHUNK);
    if (!tmp || !chunk) {
        lw_diag_set(diag, "cannot create a temporary file: %s", strerror(errno));
        rc = tmp ? LW_ENOMEM : LW_EIO;
        goto out;
    }
    fd = dup(fileno(tmp));
    if (fd < 0) {
        rc = LW_EIO;
        goto out;
    }
    for (;;) {
        size_t got = 0;
        rc = lw_reader_in_read(in, chunk, LW_READER_CHUNK, &got);
        if (rc < 0) {
            lw_diag_set(diag, "read error: %s", strerror(errno));
            goto out;
        }
        if (got == 0)
            break;
        rc = write_all(fd, chunk, got);
        if (rc < 0) {
            lw_diag_set(diag, "cannot write a temporary file: %s", strerror(errno));
            goto out;
        }
    }
    if (lseek(fd, 0, SEEK_SET) != 0)
        rc = LW_EIO;
out:
    if (rc < 0 && fd >= 0) {
        close(fd);
        fd = -1;
    }
    if (tmp)
        fclose(tmp);
    free(chunk);
    *fdp = fd;
    return rc;
}
